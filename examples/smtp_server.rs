//! An SMTP (or LMTP) server that delivers every message it accepts into a Maildir.
//!
//! ```text
//! cargo run --example smtp_server -- --listen 127.0.0.1:2525 --maildir DIR \
//!     [--user NAME:PASS] [--tls-cert FILE --tls-key FILE] [--lmtp] [--hostname NAME] [--listen-tls ADDR] ...
//! ```
//!
//! - STARTTLS is offered when a certificate is given; AUTH PLAIN/LOGIN when a user is given (only after
//!   TLS when TLS is configured, at once otherwise). With a user configured, MAIL needs AUTH first.
//! - Each body (DATA or BDAT) is streamed into a Maildir delivery as it arrives: the `Received:` header
//!   first, then the unstuffed chunks; the file moves into `DIR/new/` when the body is complete, and only
//!   then is the message accepted.
//! - `--lmtp` speaks LMTP (RFC 2033): one file per recipient, each with its own `for <rcpt>` clause, and
//!   one reply per recipient after the body.
//! - One line per session event on stderr (connect, HELO, TLS, AUTH, MAIL, RCPT, delivered path, errors).
//!
//! Server habits (`examples/common/listener.rs`, `--help` lists the options): `--listen-tls ADDR` adds an
//! implicit TLS listener; `--idle-timeout`, `--handshake-timeout` and `--write-timeout` bound what a client
//! may hold; running out of file descriptors pauses accepting instead of exiting; SIGINT or SIGTERM sends
//! every client a goodbye (`421 4.3.2`), removes partial deliveries from `tmp/` and exits 0; `tmp/` files older
//! than 36 hours are removed at start-up and hourly.

mod common;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{Args, Delivery, Maildir, ReceivedHeader, Session, Stream, Wake};
use mailwire::smtp::{EnhancedStatus, ForwardPath, ReversePath, Server, ServerConfig, ServerEvent};
use mailwire::wire::sasl::{Authentication, Mechanism};
use tokio_rustls::TlsAcceptor;

const USAGE: &str = "--listen ADDR --maildir DIR [options]
  --maildir DIR              where messages are delivered (created if missing)
  --user NAME:PASS           require AUTH PLAIN/LOGIN with these credentials before MAIL
  --lmtp                     speak LMTP (RFC 2033) instead of SMTP
  --hostname NAME            the name in the greeting and the Received: header
  --idle-timeout SECS        also the DATA timeout (defaults 300 and 600, RFC 5321 4.5.3.2)
";

/// What every client hears when the server shuts down (RFC 5321 §3.8; 4.3.2: RFC 3463 "system not
/// accepting network messages").
const GOODBYE: &[u8] = b"421 4.3.2 Service shutting down, closing transmission channel\r\n";

/// What every connection shares.
struct Shared {
    maildir: Maildir,
    options: common::ServerOptions,
    stop: tokio::sync::watch::Receiver<bool>,
    acceptor: Option<TlsAcceptor>,
    user: Option<(String, String)>,
    lmtp: bool,
    hostname: String,
    sessions: AtomicU64,
}

impl Shared {
    fn config(&self, stream: &Stream) -> ServerConfig {
        let mut config = ServerConfig::new(self.hostname.clone());
        config.tls_active = stream.is_tls();
        if let Some(idle) = self.options.idle {
            config.command_timeout = idle;
            config.data_timeout = idle;
        }
        config.lmtp = self.lmtp;
        config.tls_available = self.acceptor.is_some();
        if self.user.is_some() {
            config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
            // AUTH only under TLS when TLS is possible; a lab server without a certificate offers it at once.
            config.plaintext_requires_tls = self.acceptor.is_some();
        }
        config
    }
}

/// The message being received: one delivery (SMTP) or one per recipient (LMTP).
#[derive(Default)]
struct Transaction {
    from: String,
    recipients: Vec<String>,
    deliveries: Vec<Delivery>,
    /// A write failed: the message is refused at its end.
    failed: Option<String>,
}

fn reverse_path_text(path: &ReversePath<'_>) -> String {
    match path {
        ReversePath::Mailbox(m) => format!("<{m}>"),
        _ => "<>".to_owned(),
    }
}

fn forward_path_text(path: &ForwardPath<'_>) -> String {
    match path {
        ForwardPath::Mailbox(m) => format!("<{m}>"),
        _ => "<Postmaster>".to_owned(),
    }
}

fn status(class: u8, subject: u16, detail: u16) -> EnhancedStatus {
    EnhancedStatus::new(class, subject, detail).expect("a valid enhanced status code")
}

/// Runs one SMTP session to its end.
async fn session(shared: Arc<Shared>, stream: Stream, peer: SocketAddr) -> io::Result<()> {
    let id = shared.sessions.fetch_add(1, Ordering::Relaxed) + 1;
    let tag = format!("[{id} {peer}]");
    eprintln!("{tag} connect");
    let mut session = Session::new(Server::new(shared.config(&stream)), stream)
        .stop_on(shared.stop.clone(), GOODBYE);
    session.timeouts = shared.options.timeouts;
    let mut helo = String::from("unknown");
    let mut esmtp = true;
    let mut tx = Transaction::default();
    session.flush().await?;
    let mut failure = None;
    loop {
        let mut start_tls = false;
        loop {
            let event = match session.conn.poll_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                // Fatal (e.g. too many bad commands): the machine queued its 421; send it, then close.
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            match event {
                ServerEvent::Hello { verb, domain } => {
                    helo = domain.to_string();
                    esmtp = verb != "HELO";
                    tx = Transaction::default();
                    eprintln!("{tag} {verb} {helo}");
                }
                ServerEvent::StartTls => start_tls = true,
                ServerEvent::Auth(auth) => {
                    let mechanism = session.conn.auth_mechanism().map_or("?", Mechanism::name);
                    let (name, ok) = match &auth {
                        Authentication::Plain {
                            authcid, password, ..
                        } => (
                            authcid.to_string(),
                            shared.user.as_ref().is_some_and(|(user, pass)| {
                                authcid.as_bytes() == user.as_bytes()
                                    && password.expose() == pass.as_bytes()
                            }),
                        ),
                        _ => (String::from("(unsupported mechanism)"), false),
                    };
                    if ok {
                        eprintln!("{tag} AUTH {mechanism} {name}: accepted");
                        session.conn.accept()?;
                    } else {
                        eprintln!("{tag} AUTH {mechanism} {name}: rejected");
                        session.conn.reject(
                            535,
                            status(5, 7, 8),
                            "Authentication credentials invalid",
                        )?;
                    }
                }
                ServerEvent::Mail { reverse_path, .. } => {
                    let from = reverse_path_text(&reverse_path);
                    tx = Transaction {
                        from: from.clone(),
                        ..Transaction::default()
                    };
                    if shared.user.is_some() && !session.conn.is_authenticated() {
                        eprintln!("{tag} MAIL FROM:{from}: rejected, not authenticated");
                        session
                            .conn
                            .reject(530, status(5, 7, 0), "Authentication required")?;
                    } else {
                        eprintln!("{tag} MAIL FROM:{from}");
                        session.conn.accept()?;
                    }
                }
                ServerEvent::Rcpt { forward_path, .. } => {
                    let to = forward_path_text(&forward_path);
                    eprintln!("{tag} RCPT TO:{to}");
                    tx.recipients.push(to);
                    session.conn.accept()?;
                }
                ServerEvent::DataStart => {
                    tx.failed = None;
                    tx.deliveries.clear();
                    let stamp = |header: ReceivedHeader| {
                        header
                            .esmtp(esmtp)
                            .lmtp(shared.lmtp)
                            .tls(session.stream.is_tls())
                            .authenticated(session.conn.is_authenticated())
                            .id(&format!("s{id}"))
                    };
                    let base = ReceivedHeader::new(&helo, peer.ip(), &shared.hostname);
                    // LMTP: a file per recipient, each saying whom it is for; SMTP: one file, `for` only
                    // when there is one recipient (no Bcc disclosure).
                    let headers: Vec<ReceivedHeader> = if shared.lmtp {
                        tx.recipients
                            .iter()
                            .map(|r| stamp(base.clone().for_recipient(r)))
                            .collect()
                    } else if let [only] = tx.recipients.as_slice() {
                        vec![stamp(base.for_recipient(only))]
                    } else {
                        vec![stamp(base)]
                    };
                    for header in headers {
                        let started = shared.maildir.start_delivery().and_then(|mut d| {
                            d.write(&header.to_bytes())?;
                            Ok(d)
                        });
                        match started {
                            Ok(d) => tx.deliveries.push(d),
                            Err(e) => {
                                eprintln!("{tag} error: cannot start a delivery: {e}");
                                tx.failed = Some(e.to_string());
                            }
                        }
                    }
                }
                ServerEvent::DataChunk(chunk) => {
                    if tx.failed.is_none() {
                        for d in &mut tx.deliveries {
                            if let Err(e) = d.write(&chunk) {
                                eprintln!("{tag} error: writing the message: {e}");
                                tx.failed = Some(e.to_string());
                                break;
                            }
                        }
                    }
                }
                ServerEvent::DataEnd => {
                    let deliveries = std::mem::take(&mut tx.deliveries);
                    if let Some(why) = tx.failed.take() {
                        eprintln!("{tag} message from {} refused: {why}", tx.from);
                        session.conn.reject(
                            451,
                            status(4, 3, 0),
                            "Local error in processing, try again later",
                        )?;
                    } else if shared.lmtp {
                        // One answer per accepted recipient, in the order they were accepted.
                        for (i, d) in deliveries.into_iter().enumerate() {
                            let to = tx.recipients.get(i).cloned().unwrap_or_default();
                            match d.commit() {
                                Ok(path) => {
                                    eprintln!("{tag} delivered for {to}: {}", path.display());
                                    session.conn.accept_recipient(i)?;
                                }
                                Err(e) => {
                                    eprintln!("{tag} error: delivery for {to} failed: {e}");
                                    session.conn.reject_recipient(
                                        i,
                                        451,
                                        status(4, 3, 0),
                                        "Local error in processing, try again later",
                                    )?;
                                }
                            }
                        }
                    } else {
                        let mut paths = Vec::new();
                        let mut error = None;
                        for d in deliveries {
                            match d.commit() {
                                Ok(path) => paths.push(path),
                                Err(e) => error = Some(e),
                            }
                        }
                        match error {
                            None => {
                                for path in &paths {
                                    eprintln!(
                                        "{tag} delivered from {} to {}: {}",
                                        tx.from,
                                        tx.recipients.join(", "),
                                        path.display()
                                    );
                                }
                                session.conn.accept()?;
                            }
                            Some(e) => {
                                eprintln!("{tag} error: delivery failed: {e}");
                                session.conn.reject(
                                    451,
                                    status(4, 3, 0),
                                    "Local error in processing, try again later",
                                )?;
                            }
                        }
                    }
                    tx = Transaction::default();
                }
                ServerEvent::DataAborted { reason } => {
                    eprintln!("{tag} message from {} dropped: {reason}", tx.from);
                    tx = Transaction::default();
                }
                ServerEvent::Reset => {
                    eprintln!("{tag} RSET");
                    tx = Transaction::default();
                }
                other => eprintln!("{tag} {other:?}"),
            }
        }
        session.flush().await?;
        if let Some(e) = failure {
            session.shutdown().await;
            eprintln!("{tag} closed after an error");
            return Err(e.into());
        }
        if start_tls {
            let Some(acceptor) = &shared.acceptor else {
                return Err(io::Error::other("STARTTLS without a certificate"));
            };
            session.start_tls_server(acceptor).await?;
            session.conn.tls_established()?;
            eprintln!(
                "{tag} TLS established: {}",
                session.stream.tls_description().unwrap_or_default()
            );
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        match session.read().await? {
            Wake::Input(_) | Wake::Eof | Wake::Timer | Wake::Other(_) => {}
        }
    }
    session.shutdown().await;
    eprintln!("{tag} closed");
    Ok(())
}

#[tokio::main]
async fn main() {
    let mut args = Args::parse(common::listener::server_usage(USAGE));
    let options = common::ServerOptions::from_args(&mut args);
    let maildir = args.required("--maildir");
    let user = args.user_pass("--user");
    let acceptor = common::server_acceptor_from_args(&mut args);
    let lmtp = args.flag("--lmtp");
    let hostname = args
        .value("--hostname")
        .unwrap_or_else(|| "mailwire.localhost".to_owned());
    match args.try_finish() {
        Ok(extra) if extra.is_empty() => {}
        Ok(extra) => args.usage_error(&format!("unexpected argument {:?}", extra[0])),
        Err(message) => args.usage_error(&message),
    }
    let maildir = Maildir::open_or_create(&maildir)
        .unwrap_or_else(|e| common::die(format!("maildir {maildir}: {e}")));
    let listeners = options.bind(acceptor.as_ref()).await;
    let local = listeners[0]
        .tcp
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| options.listen.clone());
    eprintln!(
        "smtp_server: listening on {local} ({}{}{}), delivering to {}",
        if lmtp { "LMTP" } else { "SMTP" },
        if acceptor.is_some() { ", STARTTLS" } else { "" },
        if user.is_some() {
            ", AUTH PLAIN LOGIN"
        } else {
            ""
        },
        maildir.path().join("new").display()
    );
    common::announce_tls_listeners("smtp_server", &listeners);
    common::listener::clean_tmp_now_and_hourly("smtp_server", maildir.path().to_owned());
    let stop = common::stop_on_signals();
    let handshake = options.timeouts.handshake;
    let shared = Arc::new(Shared {
        maildir,
        options,
        stop: stop.clone(),
        acceptor,
        user,
        lmtp,
        hostname,
        sessions: AtomicU64::new(0),
    });
    common::serve_until(listeners, stop, handshake, move |stream, peer| {
        let shared = Arc::clone(&shared);
        async move {
            if let Err(e) = session(shared, stream, peer).await {
                eprintln!("[{peer}] error: {e}");
            }
            Ok(())
        }
    })
    .await;
    eprintln!("smtp_server: stopped");
}
