//! Sends one message (read from stdin) over SMTP, submission or LMTP, printing the conversation.
//!
//! ```text
//! cargo run --example smtp_client -- --server HOST:PORT --from ADDR --to ADDR [--to ADDR...] \
//!     [--starttls | --tls] [--cafile FILE | --insecure] [--user NAME --password PASS] \
//!     [--auth PLAIN|LOGIN|CRAM-MD5] [--lmtp] \
//!     [--helo NAME] [--no-pipelining] [--no-chunking] [timeouts] < message.eml
//! ```
//!
//! - The message is read from stdin and its line endings turned into CRLF.
//! - `--starttls` upgrades with STARTTLS (the server must offer it), `--tls` connects with implicit TLS
//!   (port 465); `--cafile FILE` trusts the CA certificates in FILE, `--insecure` accepts any server
//!   certificate (test servers only).
//! - `--connect-timeout`, `--greeting-timeout` and `--command-timeout` bound the waits (see `--help`).
//! - `--user`/`--password` authenticate with AUTH PLAIN (or LOGIN when PLAIN is not offered);
//!   `--auth MECH` picks the mechanism: PLAIN, LOGIN, or CRAM-MD5 (RFC 2195; built with the
//!   `sasl-hash` feature), which answers the server's 334 challenge through the machine's raw SASL
//!   path (`ClientEvent::AuthChallenge`, `Client::auth_response`).
//! - MAIL carries `SIZE=` when the server announces SIZE, `BODY=8BITMIME` for a message with 8-bit
//!   octets and `SMTPUTF8` for non-ASCII addresses (refused up front when the server lacks SMTPUTF8).
//! - PIPELINING and CHUNKING (BDAT) are used when the server offers them, unless `--no-pipelining` /
//!   `--no-chunking`.
//! - The conversation is printed on stdout (`C:` what is sent, `S:` what arrives); a summary and every
//!   failure on stderr. AUTH lines and the SASL exchange are printed without the credentials.
//! - The exit status is 0 only when every recipient was accepted and the message was delivered; 1 on a
//!   refusal (a rejected recipient included, named on stderr); 2 on a usage error; 3 when it cannot
//!   connect or the connection breaks; 4 on a timeout; 6 when TLS fails.

mod common;

use std::io;

use common::client::{ClientOptions, fail};
use common::{Args, Session, Wake};
use mailwire::smtp::{
    Body, Client, ClientConfig, ClientEvent, Command, CommandKind, ForwardPath, Mailbox, Parameter,
    Parameters, Reply, ReversePath,
};
use mailwire::wire::sasl::Credentials;

const USAGE: &str = "--server HOST:PORT --from ADDR --to ADDR [--to ADDR...] [options] < message.eml
  --user NAME --password PASS   AUTH PLAIN (or LOGIN when PLAIN is not offered); never printed
  --auth PLAIN|LOGIN|CRAM-MD5   the AUTH mechanism (CRAM-MD5 needs the sasl-hash feature)
  --lmtp                     speak LMTP (RFC 2033)
  --helo NAME                the name in EHLO/LHLO (default client.localhost)
  --no-pipelining            do not pipeline even when the server offers PIPELINING
  --no-chunking              use DATA even when the server offers CHUNKING
output: the conversation on stdout (C: sent, S: received; credentials redacted), a summary on stderr";

/// Body pieces handed to the machine at a time (each one is a BDAT chunk with CHUNKING).
const CHUNK: usize = 64 * 1024;

/// What the command line asked for.
struct Options {
    client: ClientOptions,
    from: String,
    to: Vec<String>,
    credentials: Option<(String, String)>,
    /// `--auth`: the mechanism, upper case (none: PLAIN, else LOGIN).
    auth: Option<String>,
    chunking: bool,
    pipelining: bool,
}

/// Where the session stands, from the application's side.
#[derive(Default)]
struct Progress {
    authenticated: bool,
    transaction_started: bool,
    body_sent: bool,
    quit_sent: bool,
    /// Indices of the recipients the server accepted (LMTP: as many replies come after the body).
    accepted: Vec<usize>,
    /// Replies to the end of the body received.
    end_replies: usize,
    /// Positive replies to the end of the body, with whom they are for.
    delivered: Vec<String>,
    failures: Vec<String>,
}

/// One line of reply text for the summary.
fn reply_line(reply: &Reply<'_>) -> String {
    let text = String::from_utf8_lossy(reply.as_bytes());
    text.lines()
        .last()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

fn mailbox(address: &str) -> Result<Mailbox<'_>, String> {
    Mailbox::parse(address).map_err(|e| format!("{address:?} is not a mail address: {e}"))
}

/// MAIL parameters for what the server announced: `SIZE=` (RFC 1870), `BODY=8BITMIME` for a message
/// with 8-bit octets (RFC 6152), `SMTPUTF8` for non-ASCII addresses (RFC 6531).
fn mail_parameters(
    client: &Client,
    opts: &Options,
    message: &[u8],
) -> Result<Parameters<'static>, String> {
    let caps = client.capabilities();
    let mut parameters = Parameters::default();
    let mut push = |p: Parameter<'_>| {
        parameters
            .push(&p)
            .map_err(|e| format!("MAIL parameter {p:?}: {e}"))
    };
    if let Some(limit) = caps.size {
        let size = message.len() as u64;
        if limit > 0 && size > limit {
            return Err(format!(
                "the message ({size} octets) is larger than the server accepts (SIZE {limit})"
            ));
        }
        push(Parameter::Size(size))?;
    }
    if !message.is_ascii() {
        if !caps.eightbitmime {
            // RFC 6152 §3: no 8-bit content to a server without 8BITMIME.
            return Err("8-bit message, but the server does not announce 8BITMIME".into());
        }
        push(Parameter::Body(Body::EightBitMime))?;
    }
    if !std::iter::once(&opts.from)
        .chain(&opts.to)
        .all(|a| a.is_ascii())
    {
        if !caps.smtputf8 {
            return Err("non-ASCII addresses, but the server does not announce SMTPUTF8".into());
        }
        push(Parameter::SmtpUtf8)?;
    }
    Ok(parameters)
}

/// Reacts to `Ready` (after EHLO, again after STARTTLS) and to a successful AUTH: the next step.
fn next_step(
    client: &mut Client,
    opts: &Options,
    progress: &mut Progress,
    message: &[u8],
) -> Result<(), String> {
    let caps = client.capabilities().clone();
    if opts.client.starttls && !client.tls_active() {
        if !caps.starttls {
            return Err("the server does not offer STARTTLS".into());
        }
        return client.starttls().map_err(|e| format!("STARTTLS: {e}"));
    }
    if let Some((user, pass)) = &opts.credentials {
        if !progress.authenticated {
            let offered = |m: &str| caps.auth.iter().any(|a| a.eq_ignore_ascii_case(m));
            let mechanism = match opts.auth.as_deref() {
                Some(m) if offered(m) => m,
                Some(m) => {
                    return Err(format!(
                        "the server does not offer AUTH {m} (offered: {:?})",
                        caps.auth
                    ));
                }
                None => ["PLAIN", "LOGIN"]
                    .into_iter()
                    .find(|m| offered(m))
                    .ok_or_else(|| {
                        format!(
                            "the server offers no AUTH PLAIN or LOGIN (offered: {:?})",
                            caps.auth
                        )
                    })?,
            };
            if mechanism == "CRAM-MD5" {
                // The response depends on the server's challenge: the raw path, answered at
                // ClientEvent::AuthChallenge.
                return client
                    .send_command(&Command::Auth {
                        mechanism: mechanism.into(),
                        initial_response: None,
                    })
                    .map_err(|e| format!("AUTH {mechanism}: {e}"));
            }
            let credentials = if mechanism == "PLAIN" {
                Credentials::Plain {
                    authzid: None,
                    username: user,
                    password: pass.as_str().into(),
                }
            } else {
                Credentials::Login {
                    username: user,
                    password: pass.as_str().into(),
                }
            };
            return client
                .authenticate(credentials)
                .map_err(|e| format!("AUTH {mechanism}: {e}"));
        }
    }
    if progress.transaction_started {
        return Ok(());
    }
    progress.transaction_started = true;
    let from = mailbox(&opts.from)?;
    let parameters = mail_parameters(client, opts, message)?;
    client
        .mail(&ReversePath::Mailbox(from), &parameters)
        .map_err(|e| format!("MAIL: {e}"))?;
    for to in &opts.to {
        let to = mailbox(to)?;
        client
            .rcpt(&ForwardPath::Mailbox(to), &Parameters::default())
            .map_err(|e| format!("RCPT: {e}"))?;
    }
    client.data().map_err(|e| format!("DATA: {e}"))?;
    eprintln!(
        "-- sending with {}{}",
        if caps.chunking && opts.chunking {
            "BDAT"
        } else {
            "DATA"
        },
        if caps.pipelining && opts.pipelining {
            ", pipelined"
        } else {
            ""
        }
    );
    Ok(())
}

/// Answers a 334 of the raw SASL path: the CRAM-MD5 response (RFC 2195 §2) to the challenge.
#[cfg(feature = "sasl-hash")]
fn answer_challenge(client: &mut Client, opts: &Options, challenge: &[u8]) -> Result<(), String> {
    use mailwire::wire::sasl::SaslClient;
    let Some((user, pass)) = &opts.credentials else {
        client.auth_cancel().map_err(|e| e.to_string())?;
        return Err("a SASL challenge came, but there are no credentials".into());
    };
    let mut sasl = SaslClient::try_new(Credentials::CramMd5 {
        username: user,
        password: pass.as_str().into(),
    })
    .map_err(|e| format!("CRAM-MD5: {e}"))?;
    match sasl.step(challenge) {
        Ok(response) => client
            .auth_response(&response)
            .map_err(|e| format!("AUTH CRAM-MD5: {e}")),
        Err(e) => {
            client.auth_cancel().map_err(|e| e.to_string())?;
            Err(format!("CRAM-MD5 challenge: {e}"))
        }
    }
}

/// Without `sasl-hash` no mechanism of this client takes challenges: cancel (RFC 4954 §4).
#[cfg(not(feature = "sasl-hash"))]
fn answer_challenge(client: &mut Client, _opts: &Options, _challenge: &[u8]) -> Result<(), String> {
    client.auth_cancel().map_err(|e| e.to_string())?;
    Err("an unexpected SASL challenge".into())
}

async fn run(mut session: Session<Client>, opts: &Options, message: &[u8]) -> io::Result<Progress> {
    let mut progress = Progress::default();
    loop {
        let mut start_tls = false;
        let mut quit = false;
        loop {
            let event = match session.conn.poll_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => {
                    progress.failures.push(format!("session failed: {e}"));
                    return Ok(progress);
                }
            };
            let step = match event {
                ClientEvent::Greeting(reply) => {
                    session.timeouts.read = Some(opts.client.command);
                    if !reply.code().is_positive() {
                        progress
                            .failures
                            .push(format!("greeting refused: {}", reply_line(&reply)));
                        quit = true;
                    }
                    Ok(())
                }
                ClientEvent::Ready(_) => next_step(&mut session.conn, opts, &mut progress, message),
                ClientEvent::StartTls => {
                    start_tls = true;
                    Ok(())
                }
                ClientEvent::ReadyForData => {
                    let mut result = Ok(());
                    for piece in message.chunks(CHUNK) {
                        if let Err(e) = session.conn.send_body(piece) {
                            result = Err(format!("sending the body: {e}"));
                            break;
                        }
                    }
                    progress.body_sent = true;
                    result.and_then(|()| {
                        session
                            .conn
                            .finish_body()
                            .map_err(|e| format!("ending the body: {e}"))
                    })
                }
                ClientEvent::Reply { command, reply } => {
                    let ok = reply.code().is_positive();
                    let line = reply_line(&reply);
                    match command {
                        CommandKind::Auth if ok => {
                            progress.authenticated = true;
                            next_step(&mut session.conn, opts, &mut progress, message)
                        }
                        CommandKind::Rcpt(i) if ok => {
                            progress.accepted.push(i);
                            Ok(())
                        }
                        CommandKind::Rcpt(i) => {
                            let who = opts.to.get(i).map(String::as_str).unwrap_or("?");
                            progress
                                .failures
                                .push(format!("recipient <{who}> rejected: {line}"));
                            Ok(())
                        }
                        CommandKind::DataEnd { recipient } => {
                            let who = match recipient.and_then(|i| opts.to.get(i)) {
                                Some(to) => format!("<{to}>"),
                                None => progress
                                    .accepted
                                    .iter()
                                    .filter_map(|&i| opts.to.get(i))
                                    .map(|t| format!("<{t}>"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            };
                            if ok {
                                progress.delivered.push(format!("{who}: {line}"));
                            } else if who.is_empty() {
                                progress.failures.push(format!("message refused: {line}"));
                            } else {
                                progress
                                    .failures
                                    .push(format!("message refused for {who}: {line}"));
                            }
                            // LMTP: wait for the reply of every accepted recipient.
                            progress.end_replies += 1;
                            quit = recipient.is_none()
                                || progress.end_replies >= progress.accepted.len();
                            Ok(())
                        }
                        CommandKind::Data if !ok => {
                            progress.failures.push(format!("DATA refused: {line}"));
                            quit = true;
                            Ok(())
                        }
                        CommandKind::Bdat if !ok => {
                            progress.failures.push(format!("BDAT refused: {line}"));
                            Ok(())
                        }
                        CommandKind::Quit => Ok(()),
                        _ if !ok => {
                            progress
                                .failures
                                .push(format!("{command:?} refused: {line}"));
                            // Nothing more can happen before the transaction: give up.
                            if !progress.transaction_started
                                || matches!(command, CommandKind::StartTls | CommandKind::Auth)
                            {
                                quit = true;
                            }
                            Ok(())
                        }
                        _ => Ok(()),
                    }
                }
                ClientEvent::MalformedReply {
                    command,
                    raw,
                    error,
                } => {
                    progress.failures.push(format!(
                        "malformed reply to {command:?}: {error} ({:?})",
                        String::from_utf8_lossy(&raw)
                    ));
                    Ok(())
                }
                ClientEvent::ServiceClosing(reply) => {
                    progress.failures.push(format!(
                        "the server closed the service: {}",
                        reply_line(&reply)
                    ));
                    Ok(())
                }
                ClientEvent::TimedOut => {
                    progress.failures.push("no reply in time".into());
                    Ok(())
                }
                ClientEvent::AuthChallenge(challenge) => {
                    let challenge = challenge.into_owned();
                    answer_challenge(&mut session.conn, opts, &challenge)
                }
                other => {
                    eprintln!("-- {other:?}");
                    Ok(())
                }
            };
            if let Err(e) = step {
                progress.failures.push(e);
                quit = true;
            }
        }
        if quit && !progress.quit_sent && !session.conn.is_closed() {
            progress.quit_sent = true;
            if let Err(e) = session.conn.quit() {
                progress.failures.push(format!("QUIT: {e}"));
                session.flush().await?;
                break;
            }
        }
        session.flush().await?;
        if start_tls {
            let config = opts.client.tls_config()?;
            session
                .start_tls_client_with(config, opts.client.host())
                .await?;
            session.conn.tls_established().map_err(io::Error::from)?;
            // The machine queued EHLO again (RFC 3207 §4.2).
            session.flush().await?;
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        match session.read().await? {
            Wake::Input(_) | Wake::Eof | Wake::Timer | Wake::Other(_) => {}
        }
    }
    if !progress.quit_sent {
        progress
            .failures
            .push("the connection ended before QUIT".into());
    }
    session.shutdown().await;
    Ok(progress)
}

#[tokio::main]
async fn main() {
    let usage = format!("{USAGE}{}", common::client::CLIENT_OPTIONS);
    let mut args = Args::parse(Box::leak(usage.into_boxed_str()));
    let client = ClientOptions::from_args(&mut args);
    let from = args.required("--from");
    let to = args.values("--to");
    let user = args.value("--user");
    let password = args.value("--password");
    let auth = args.value("--auth").map(|m| m.to_ascii_uppercase());
    let lmtp = args.flag("--lmtp");
    let helo = args
        .value("--helo")
        .unwrap_or_else(|| "client.localhost".to_owned());
    let no_pipelining = args.flag("--no-pipelining");
    let no_chunking = args.flag("--no-chunking");
    match args.try_finish() {
        Ok(extra) if extra.is_empty() => {}
        Ok(extra) => args.usage_error(&format!("unexpected argument {:?}", extra[0])),
        Err(message) => args.usage_error(&message),
    }
    if to.is_empty() {
        args.usage_error("at least one --to is needed");
    }
    let credentials = match (user, password) {
        (None, None) => None,
        (Some(user), Some(pass)) => Some((user, pass)),
        _ => args.usage_error("--user and --password go together"),
    };
    match auth.as_deref() {
        None | Some("PLAIN" | "LOGIN") => {}
        #[cfg(feature = "sasl-hash")]
        Some("CRAM-MD5") => {}
        #[cfg(not(feature = "sasl-hash"))]
        Some("CRAM-MD5") => args.usage_error("--auth CRAM-MD5 needs the sasl-hash feature"),
        Some(other) => args.usage_error(&format!(
            "--auth {other}: not one of PLAIN, LOGIN, CRAM-MD5"
        )),
    }
    if auth.is_some() && credentials.is_none() {
        args.usage_error("--auth needs --user and --password");
    }
    for address in std::iter::once(&from).chain(&to) {
        if let Err(e) = mailbox(address) {
            args.usage_error(&e);
        }
    }
    let opts = Options {
        client,
        from,
        to,
        credentials,
        auth,
        chunking: !no_chunking,
        pipelining: !no_pipelining,
    };

    let message = common::read_stdin_message()
        .unwrap_or_else(|e| common::die(format!("reading the message from stdin: {e}")));
    let mut config = ClientConfig::new(helo);
    config.lmtp = lmtp;
    config.use_pipelining = !no_pipelining;
    config.use_chunking = !no_chunking;
    let stream = opts.client.connect().await.unwrap_or_else(|e| fail(e));
    let mut session = Session::new(Client::new(config), stream).traced("S:", "C:");
    session.timeouts.read = Some(opts.client.greeting);
    let progress = run(session, &opts, &message)
        .await
        .unwrap_or_else(|e| fail(e));

    for line in &progress.delivered {
        eprintln!("delivered to {line}");
    }
    if !progress.body_sent && progress.failures.is_empty() {
        eprintln!("error: the message was not sent");
        std::process::exit(1);
    }
    if !progress.failures.is_empty() {
        for failure in &progress.failures {
            eprintln!("error: {failure}");
        }
        std::process::exit(1);
    }
    if progress.delivered.is_empty() {
        eprintln!("error: no delivery was confirmed");
        std::process::exit(1);
    }
}
