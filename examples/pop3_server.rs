//! A POP3 server over a Maildir: [`mailwire::pop3::Server`] driven by tokio.
//!
//! ```text
//! cargo run --example pop3_server -- --listen 127.0.0.1:1110 --maildir DIR --user NAME:PASS \
//!     [--tls-cert FILE --tls-key FILE] [--listen-tls ADDR] [--idle-timeout SECS] ...
//! ```
//!
//! It serves the messages in `DIR/new` and `DIR/cur` to the one user: USER/PASS, APOP (RFC 1939 §7, with a
//! timestamp made of the process id, the time and the host name), AUTH PLAIN and LOGIN (RFC 5034, through
//! the crate's SASL server), and STLS (RFC 2595) when a certificate is given. The maildrop is locked for one
//! session at a time (`-ERR [IN-USE]` for a second one, RFC 2449 §8.1.1). RETR and TOP stream the message
//! file in chunks; the machine dot-stuffs them and turns the bare LF line ends of Maildir files into CRLF, so
//! the sizes in LIST and STAT are counted with CRLF line ends. Messages marked with DELE are removed when
//! the client QUITs (the UPDATE state). One line per session event goes to stderr.
//!
//! Server habits (`examples/common/listener.rs`, `--help` lists the options): `--listen-tls ADDR` adds an
//! implicit TLS listener; `--idle-timeout`, `--handshake-timeout` and `--write-timeout` bound what a client
//! may hold; running out of file descriptors pauses accepting instead of exiting; SIGINT or SIGTERM sends
//! every client a goodbye (`-ERR [SYS/TEMP]`), removes partial deliveries from `tmp/` and exits 0; `tmp/` files older
//! than 36 hours are removed at start-up and hourly.

mod common;

use std::io::{self, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use common::{Args, Maildir, Session, Stream};
use mailwire::pop3::{Maildrop, ResponseCode, Server, ServerConfig, ServerEvent};
use mailwire::wire::sasl::{Authentication, Mechanism};
use tokio::io::AsyncReadExt;
use tokio_rustls::TlsAcceptor;

const USAGE: &str = "--listen ADDR --maildir DIR --user NAME:PASS [options]
  --maildir DIR              the maildrop (new/ and cur/)
  --user NAME:PASS           the one user and its password
  --idle-timeout SECS        the autologout timer (default 600, RFC 1939 section 3)
";

/// What every client hears when the server shuts down (POP3 has no unsolicited response: this is the
/// answer the client reads next; RFC 2449 §8.1.2 SYS/TEMP).
const GOODBYE: &[u8] = b"-ERR [SYS/TEMP] server shutting down\r\n";

/// How much of a message file is read and pushed to the machine at a time.
const CHUNK: usize = 64 * 1024;

/// What every connection shares.
struct Shared {
    maildir: Maildir,
    options: common::ServerOptions,
    stop: tokio::sync::watch::Receiver<bool>,
    user: String,
    pass: String,
    acceptor: Option<TlsAcceptor>,
    /// This host's name, for the APOP timestamp.
    host: String,
    /// The maildrop lock: set while a session is in TRANSACTION.
    locked: AtomicBool,
    /// Numbers the connections, for the log.
    connections: AtomicU64,
}

/// Holds the maildrop lock; dropping it releases the lock.
struct MaildropLock(Arc<Shared>);

impl MaildropLock {
    fn try_take(shared: &Arc<Shared>) -> Option<MaildropLock> {
        shared
            .locked
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| MaildropLock(Arc::clone(shared)))
    }
}

impl Drop for MaildropLock {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

/// One message of the maildrop handed to the machine at login.
struct Message {
    path: PathBuf,
    id: String,
}

/// What one connection keeps besides the machine.
#[derive(Default)]
struct Connection {
    /// Message `n` is `messages[n - 1]`.
    messages: Vec<Message>,
    lock: Option<MaildropLock>,
}

#[tokio::main]
async fn main() {
    let mut args = Args::parse(common::listener::server_usage(USAGE));
    let options = common::ServerOptions::from_args(&mut args);
    let maildir = args.required("--maildir");
    let Some((user, pass)) = args.user_pass("--user") else {
        args.usage_error("missing --user");
    };
    let acceptor = common::server_acceptor_from_args(&mut args);
    let positionals = args.finish();
    if !positionals.is_empty() {
        common::die(format!("unexpected arguments: {positionals:?}"));
    }
    let maildir = Maildir::open(&maildir).unwrap_or_else(|e| common::die(e));
    let listeners = options.bind(acceptor.as_ref()).await;
    common::listener::clean_tmp_now_and_hourly("pop3_server", maildir.path().to_owned());
    let stop = common::stop_on_signals();
    let handshake = options.timeouts.handshake;
    let shared = Arc::new(Shared {
        maildir,
        options,
        stop: stop.clone(),
        user,
        pass,
        acceptor,
        host: host_name(),
        locked: AtomicBool::new(false),
        connections: AtomicU64::new(0),
    });
    common::announce_mailbox_server(
        "pop3_server",
        &listeners[0].tcp,
        &shared.options.listen,
        &shared.user,
        shared.maildir.path(),
        "STLS",
        shared.acceptor.is_some(),
    );
    common::announce_tls_listeners("pop3_server", &listeners);
    common::serve_until(listeners, stop, handshake, move |stream, peer| {
        serve_connection(stream, peer, Arc::clone(&shared))
    })
    .await;
    eprintln!("pop3_server: stopped");
}

/// The host name for the APOP timestamp: letters, digits, `.` and `-` only.
fn host_name() -> String {
    let raw = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    if clean.is_empty() {
        "localhost".to_owned()
    } else {
        clean
    }
}

/// `<pid.nanoseconds.connection@host>`: unique per greeting (RFC 1939 §7).
fn apop_timestamp(host: &str, connection: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "<{}.{}{:09}.{connection}@{host}>",
        std::process::id(),
        now.as_secs(),
        now.subsec_nanos()
    )
}

/// Compares secrets without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The size of a message file as the machine sends it (RFC 1939 §5: sizes count CRLF line ends): a bare LF
/// or CR becomes CRLF, and a last line without a line end gets one.
fn wire_size(path: &Path) -> io::Result<u64> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let (mut size, mut prev_cr, mut last) = (0u64, false, None);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            size += match b {
                b'\n' if prev_cr => 0,
                b'\n' | b'\r' => 2,
                _ => 1,
            };
            prev_cr = b == b'\r';
        }
        last = buf.get(n - 1).copied();
    }
    if last.is_some_and(|b| b != b'\n' && b != b'\r') {
        size += 2;
    }
    Ok(size)
}

/// A unique id POP3 can carry (RFC 1939 §7: 1 to 70 characters in 0x21..=0x7E): the Maildir id when it
/// fits, else a 32-hex-digit hash of it (std's `DefaultHasher::new()`, which is the
/// same for every instance of one build: stable while this server binary is).
fn unique_id(id: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let fits = (1..=70).contains(&id.len()) && id.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if fits {
        return id.to_owned();
    }
    let hash = |salt: u8| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}", hash(0), hash(1))
}

/// Lists the Maildir (in a blocking task: it reads every file to count its CRLF size).
async fn open_maildrop(maildir: &Maildir) -> io::Result<(Maildrop, Vec<Message>)> {
    let maildir = maildir.clone();
    tokio::task::spawn_blocking(move || {
        let mut drop = Maildrop::new();
        let mut messages = Vec::new();
        for entry in maildir.list()? {
            let size = match wire_size(&entry.path) {
                Ok(size) => size,
                // Removed meanwhile by someone else: not part of this maildrop.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            drop.push(size, unique_id(&entry.id))?;
            messages.push(Message {
                path: entry.path,
                id: entry.id,
            });
        }
        Ok((drop, messages))
    })
    .await
    .map_err(io::Error::other)?
}

/// Opens a message file, looking it up again by id if it moved since login.
async fn open_message(maildir: &Maildir, message: &Message) -> io::Result<tokio::fs::File> {
    match tokio::fs::File::open(&message.path).await {
        Err(e) if e.kind() == io::ErrorKind::NotFound => match maildir.find(&message.id)? {
            Some(entry) => tokio::fs::File::open(entry.path).await,
            None => Err(e),
        },
        other => other,
    }
}

async fn serve_connection(stream: Stream, peer: SocketAddr, shared: Arc<Shared>) -> io::Result<()> {
    let number = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let log = move |what: &str| eprintln!("[{number} {peer}] {what}");

    let mut config = ServerConfig::default();
    config.greeting = "mailwire pop3_server example ready".to_owned();
    config.apop_timestamp = Some(apop_timestamp(&shared.host, number));
    config.tls_available = shared.acceptor.is_some();
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    // A lab server: USER/PASS and AUTH are allowed before STLS too (clients such as curl and
    // fetchmail log in over plain connections in the tests). A real server keeps the default.
    config.plaintext_requires_tls = false;
    config.implementation = Some("mailwire-pop3-example".to_owned());
    config.tls_active = stream.is_tls();
    if let Some(idle) = shared.options.idle {
        config.autologout = Some(idle);
    }
    let mut session =
        Session::new(Server::new(config), stream).stop_on(shared.stop.clone(), GOODBYE);
    session.timeouts = shared.options.timeouts;
    let mut conn = Connection::default();
    log("connected");
    session.flush().await?;

    loop {
        let mut start_tls = false;
        loop {
            let event = match session.conn.poll_event() {
                Ok(Some(event)) => event.into_owned(),
                Ok(None) => break,
                Err(e) => {
                    // Fatal (a limit, a line too long): the machine queued its last words.
                    log(&format!("session error: {e}"));
                    session.shutdown().await;
                    return Ok(());
                }
            };
            match event {
                ServerEvent::Login { user, password } => {
                    let ok = user.as_bytes() == shared.user.as_bytes()
                        && same_secret(password.expose(), shared.pass.as_bytes());
                    let user = user.to_str_lossy().into_owned();
                    login(
                        &mut session,
                        &mut conn,
                        &shared,
                        ok,
                        &format!("USER/PASS {user}"),
                        &log,
                    )
                    .await?;
                }
                ServerEvent::Apop(request) => {
                    // APOP's MD5 needs the `sasl-hash` feature
                    #[cfg(feature = "sasl-hash")]
                    let ok = request.user.as_bytes() == shared.user.as_bytes()
                        && request.apop_matches(shared.pass.as_bytes());
                    #[cfg(not(feature = "sasl-hash"))]
                    let ok = false;
                    let what = format!("APOP {}", request.user.to_str_lossy());
                    login(&mut session, &mut conn, &shared, ok, &what, &log).await?;
                }
                ServerEvent::Auth(auth) => {
                    // The machine ran the SASL exchange; only the credentials are left to check.
                    let (ok, what) = match &auth {
                        Authentication::Plain {
                            authzid,
                            authcid,
                            password,
                        } => (
                            *authcid == shared.user
                                && authzid.as_ref().is_none_or(|z| *z == *authcid)
                                && same_secret(password.expose(), shared.pass.as_bytes()),
                            format!("AUTH {authcid}"),
                        ),
                        _ => (
                            false,
                            "AUTH with a mechanism this server does not check".into(),
                        ),
                    };
                    login(&mut session, &mut conn, &shared, ok, &what, &log).await?;
                }
                ServerEvent::Retr { msg, size, .. } => {
                    log(&format!("RETR {msg} ({size} octets)"));
                    send_message(&mut session, &conn, &shared, msg, false, &log).await?;
                }
                ServerEvent::Top { msg, lines, .. } => {
                    log(&format!("TOP {msg} {lines}"));
                    send_message(&mut session, &conn, &shared, msg, true, &log).await?;
                }
                ServerEvent::Update { deleted } => {
                    update(&mut session, &mut conn, &shared, &deleted, &log).await?;
                }
                ServerEvent::StartTls => {
                    log("STLS: starting the TLS handshake");
                    start_tls = true;
                }
                other => log(&format!("ignored event {other:?}")),
            }
        }
        session.flush().await?;
        if start_tls {
            let Some(acceptor) = shared.acceptor.as_ref() else {
                log("STLS without a certificate");
                break;
            };
            if let Err(e) = session.start_tls_server(acceptor).await {
                log(&format!("TLS handshake failed: {e}"));
                return Ok(());
            }
            session.conn.tls_established()?;
            let what = session.stream.tls_description().unwrap_or_default();
            log(&format!("TLS established ({what})"));
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        session.read().await?;
    }
    session.shutdown().await;
    log(if session.is_eof() {
        "closed by the client"
    } else {
        "closed"
    });
    Ok(())
}

/// Answers a login attempt: opens the maildrop if the credentials were right and the lock is free.
async fn login(
    session: &mut Session<Server>,
    conn: &mut Connection,
    shared: &Arc<Shared>,
    ok: bool,
    what: &str,
    log: &impl Fn(&str),
) -> io::Result<()> {
    if !ok {
        log(&format!("{what}: wrong credentials"));
        session
            .conn
            .reject(Some(ResponseCode::Auth), "authentication failed")?;
        return Ok(());
    }
    let Some(lock) = MaildropLock::try_take(shared) else {
        log(&format!("{what}: maildrop in use"));
        session
            .conn
            .reject(Some(ResponseCode::InUse), "maildrop already locked")?;
        return Ok(());
    };
    match open_maildrop(&shared.maildir).await {
        Ok((maildrop, messages)) => {
            let total: u64 = maildrop.messages().iter().map(|m| m.size).sum();
            log(&format!(
                "{what}: logged in, {} messages ({total} octets)",
                messages.len()
            ));
            conn.messages = messages;
            conn.lock = Some(lock);
            session.conn.accept_login(maildrop)?;
        }
        Err(e) => {
            log(&format!("{what}: cannot read the maildrop: {e}"));
            session
                .conn
                .reject(Some(ResponseCode::SysTemp), "cannot open the maildrop")?;
        }
    }
    Ok(())
}

/// Streams message `msg` to the machine in chunks (RETR, or TOP when `top`: the machine cuts it, and
/// reading stops once it has the lines it needs).
async fn send_message(
    session: &mut Session<Server>,
    conn: &Connection,
    shared: &Shared,
    msg: u32,
    top: bool,
    log: &impl Fn(&str),
) -> io::Result<()> {
    let message = usize::try_from(msg)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| conn.messages.get(i));
    let Some(message) = message else {
        session
            .conn
            .reject(Some(ResponseCode::SysPerm), "no such message")?;
        return Ok(());
    };
    let mut file = match open_message(&shared.maildir, message).await {
        Ok(file) => file,
        Err(e) => {
            log(&format!("message {msg}: {e}"));
            session
                .conn
                .reject(Some(ResponseCode::SysTemp), "message unavailable")?;
            return Ok(());
        }
    };
    let mut buf = vec![0u8; CHUNK];
    let mut sent = 0u64;
    loop {
        // A read error after the +OK cannot be reported in POP3: the error ends the connection, so the
        // client never mistakes a truncated message for a whole one.
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        session.conn.send_body(&buf[..n])?;
        session.flush().await?;
        sent += n as u64;
        if top && session.conn.body_complete() {
            break;
        }
    }
    session.conn.finish_body()?;
    log(&format!("message {msg}: {sent} octets read from the file"));
    Ok(())
}

/// The UPDATE state: removes the messages marked with DELE, then answers QUIT.
async fn update(
    session: &mut Session<Server>,
    conn: &mut Connection,
    shared: &Shared,
    deleted: &[u32],
    log: &impl Fn(&str),
) -> io::Result<()> {
    let mut failed = 0;
    for &msg in deleted {
        let Some(message) = usize::try_from(msg)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| conn.messages.get(i))
        else {
            failed += 1;
            continue;
        };
        let mut result = tokio::fs::remove_file(&message.path).await;
        if result
            .as_ref()
            .is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
        {
            // Moved since login (flags changed): remove it where it is now.
            if let Ok(Some(entry)) = shared.maildir.find(&message.id) {
                result = tokio::fs::remove_file(entry.path).await;
            }
        }
        if let Err(e) = result {
            log(&format!("message {msg}: cannot remove {}: {e}", message.id));
            failed += 1;
        }
    }
    // Unlock before answering, so that a client that logs in again right after +OK finds the maildrop free.
    conn.lock = None;
    if failed == 0 {
        log(&format!("UPDATE: {} messages removed", deleted.len()));
        session.conn.accept()?;
    } else {
        log(&format!(
            "UPDATE: {failed} of {} messages not removed",
            deleted.len()
        ));
        session.conn.reject(
            Some(ResponseCode::SysTemp),
            "some deleted messages not removed",
        )?;
    }
    Ok(())
}
