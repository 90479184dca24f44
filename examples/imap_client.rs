//! An IMAP client: [`mailwire::imap::Client`] driven by tokio.
//!
//! ```text
//! cargo run --example imap_client -- --server HOST:PORT --user NAME --password PASS \
//!     [--starttls | --tls] [--cafile FILE | --insecure] [--sasl MECH] [--compress] [timeouts] COMMAND
//! ```
//!
//! Commands: `list`, `select MAILBOX`, `fetch MAILBOX SEQSET ITEMS` (for example
//! `fetch INBOX 1:* "(UID FLAGS BODY.PEEK[])"`), `search MAILBOX CRITERIA`,
//! `append MAILBOX FILE` (streamed from the file with CRLF line ends: memory stays small whatever its
//! size), `idle MAILBOX SECONDS` (prints the server's updates until SECONDS pass, then DONE),
//! `store MAILBOX UIDSET FLAGS` (for example `store INBOX 1 "+FLAGS (\Flagged)"`),
//! `move MAILBOX UIDSET DESTINATION` (UID MOVE, RFC 6851), `create MAILBOX` and `delete MAILBOX`.
//!
//! - Output: message bodies (FETCH body sections) go to stdout, byte for byte; everything else (the
//!   server's responses as IMAP text, completions, notes) goes to stderr. LOGIN and AUTHENTICATE are
//!   never printed with their credentials.
//! - When the greeting carries no CAPABILITY code, the client asks CAPABILITY (RFC 9051 §6.1.1) before
//!   it decides on STARTTLS, SASL, IDLE or MOVE; after STARTTLS it asks again (§6.2.1).
//! - `--sasl` takes every mechanism of the crate: PLAIN and LOGIN (`--user`, `--password`), XOAUTH2 and
//!   OAUTHBEARER (`--user` and the token as `--password`), EXTERNAL (`--user` as the optional authzid)
//!   and ANONYMOUS (`--user` as the optional trace). Built with the `sasl-hash` feature it also takes
//!   CRAM-MD5 (RFC 2195), SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), whose answers depend
//!   on the server's challenges: they go through the machine's raw SASL path
//!   ([`ClientEvent::AuthChallenge`], [`Client::auth_response`]) with the crate's client steps. The
//!   SCRAM client nonce is 18 bytes from `/dev/urandom`, base64; SCRAM succeeds only when the server
//!   also proved that it knows the password (its `v=` signature, RFC 5802 §5.1).
//! - `--compress`: after login, COMPRESS DEFLATE (RFC 4978) when the server offers COMPRESS=DEFLATE,
//!   then the commands go over raw DEFLATE both ways ([`Session::start_compress`], `common/deflate.rs`);
//!   `-- DEFLATE active` on stderr says it is on. A server that does not offer it is exit status 5.
//! - Timeouts: `--connect-timeout`, `--greeting-timeout`, `--command-timeout` (see `--help`).
//! - Exit status: 0 every command completed OK; 1 a NO/BAD (failed login included) or another failure;
//!   2 usage error (an unknown `--sasl` mechanism included); 3 cannot connect or connection lost;
//!   4 timed out; 5 the server does not offer what was asked (STARTTLS, the SASL mechanism, IDLE,
//!   MOVE, COMPRESS=DEFLATE); 6 TLS failed.
//!
//! Commands are written as IMAP text and parsed with the crate's own command parser before the
//! machine sends them, so anything the codec understands can be sent.

mod common;

use std::io::{self, Read, Write};
use std::path::Path;

use common::client::{ClientOptions, fail, unsupported};
use common::{Args, Session};
use mailwire::Text;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, CommandBody, Data, EmitOptions, FetchItem, List,
    Mailbox, ParseOptions, Response, StatusKind, StatusResponse, Tag, emit_response, parse_command,
};
use mailwire::wire::sasl::{Credentials, Mechanism};
#[cfg(feature = "sasl-hash")]
use mailwire::{
    Secret,
    imap::Atom,
    wire::sasl::{SaslClient, ScramCredentials, encode_base64, encode_initial_response},
};

const USAGE: &str = "--server HOST:PORT [--user NAME] [--password PASS] [--sasl MECH] [options] COMMAND
commands: list | select MAILBOX | fetch MAILBOX SEQSET ITEMS | search MAILBOX CRITERIA
  | append MAILBOX FILE | idle MAILBOX SECONDS | store MAILBOX UIDSET FLAGS
  | move MAILBOX UIDSET DESTINATION | create MAILBOX | delete MAILBOX
  --user NAME --password PASS   LOGIN, or the SASL credentials
  --sasl MECH                AUTHENTICATE with PLAIN, LOGIN, XOAUTH2, OAUTHBEARER (token in --password),
                             EXTERNAL (--user: authzid) or ANONYMOUS (--user: trace); with the
                             sasl-hash feature also CRAM-MD5, SCRAM-SHA-1 and SCRAM-SHA-256
  --compress                 COMPRESS=DEFLATE (RFC 4978) after login
output: bodies on stdout; the server's responses (IMAP text) and notes on stderr";

/// How much of an APPEND file is read and pushed to the machine at a time.
const CHUNK: usize = 64 * 1024;

/// Parses one IMAP command written as text (without tag) into what the machine sends.
fn command(text: &str) -> io::Result<CommandBody<'static>> {
    let line = format!("x {text}\r\n").into_bytes();
    let parsed = parse_command(&line, &ParseOptions::default())
        .map_err(|e| io::Error::other(format!("cannot parse {text:?}: {e:?}")))?;
    Ok(parsed.into_owned().body)
}

/// Prints a response as IMAP text on stderr (one line; literals shown as they are on the wire).
fn show(response: &Response<'_>) {
    let mut out = Vec::new();
    match emit_response(response, &mut out, &EmitOptions::default()) {
        Ok(_) => eprint!("{}", String::from_utf8_lossy(&out)),
        Err(e) => eprintln!("(a response that cannot be shown: {e})"),
    }
}

/// A tagged completion as IMAP text on stderr.
fn show_completion<'a>(tag: Tag<'a>, kind: StatusKind, code: Option<Code<'a>>, text: Text<'a>) {
    let status = StatusResponse {
        tag: Some(tag),
        kind,
        code,
        text,
    };
    show(&Response::Status(status));
}

/// Untagged data: bodies to stdout, the rest as IMAP text to stderr.
fn show_data(data: Data<'_>, body: &mut impl Write) -> io::Result<()> {
    let Data::Fetch { seq, items } = data else {
        show(&Response::Data(data));
        return Ok(());
    };
    let mut rest = Vec::new();
    for item in items.iter() {
        let bytes = match &item {
            FetchItem::BodySection { data, .. }
            | FetchItem::Binary { data, .. }
            | FetchItem::Rfc822(data)
            | FetchItem::Rfc822Header(data)
            | FetchItem::Rfc822Text(data) => data.as_ref().map(|d| d.as_bytes()),
            _ => None,
        };
        match bytes {
            Some(bytes) => {
                eprintln!("-- message {seq}: {} bytes follow", bytes.len());
                body.write_all(bytes)?;
            }
            None => rest.push(item),
        }
    }
    if !rest.is_empty() {
        let items = List::from_items(rest);
        show(&Response::Data(Data::Fetch { seq, items }));
    }
    body.flush()
}

/// Sends what is queued and waits for the completion of `tag`, printing everything that arrives.
/// Returns whether it completed `OK`.
async fn complete(session: &mut Session<Client>, tag: &str) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::Completed {
                    tag: t,
                    status,
                    code,
                    text,
                    ..
                } => {
                    let done = t.as_str() == tag;
                    show_completion(t, status, code, text);
                    if done {
                        return Ok(status == StatusKind::Ok);
                    }
                }
                ClientEvent::Data { data, .. } => show_data(data, &mut out)?,
                ClientEvent::Status { status, .. } => show(&Response::Status(status)),
                ClientEvent::FetchBodyStart { seq, size, .. } => {
                    eprintln!("-- message {seq}: {size} bytes follow");
                }
                ClientEvent::FetchBodyChunk(chunk) => out.write_all(&chunk)?,
                ClientEvent::FetchBodyEnd { .. } => out.flush()?,
                ClientEvent::MalformedResponse { raw, error, .. } => eprintln!(
                    "warning: malformed response {:?}: {error}",
                    String::from_utf8_lossy(&raw)
                ),
                _ => {}
            }
        }
        session.flush().await?;
        if session.conn.is_closed() || session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        session.read().await?;
    }
}

/// The credentials for `--sasl NAME`; an unknown name, or missing `--user`/`--password`, is a usage error.
/// `nonce` is the SCRAM client nonce (unused by the other mechanisms).
fn credentials<'a>(
    args: &Args,
    name: &str,
    user: Option<&'a str>,
    password: Option<&'a str>,
    host: &'a str,
    nonce: &'a str,
) -> Credentials<'a> {
    const KNOWN: &str = if cfg!(feature = "sasl-hash") {
        "PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, EXTERNAL, ANONYMOUS, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256"
    } else {
        "PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, EXTERNAL, ANONYMOUS"
    };
    let _ = nonce;
    let Some(mechanism) = Mechanism::from_name(name.as_bytes()) else {
        args.usage_error(&format!("--sasl {name}: not one of {KNOWN}"));
    };
    let need = |v: Option<&'a str>, what: &str| {
        v.unwrap_or_else(|| args.usage_error(&format!("--sasl {name} needs {what}")))
    };
    match mechanism {
        Mechanism::Plain => Credentials::Plain {
            authzid: None,
            username: need(user, "--user"),
            password: need(password, "--password").into(),
        },
        Mechanism::Login => Credentials::Login {
            username: need(user, "--user"),
            password: need(password, "--password").into(),
        },
        Mechanism::XOAuth2 => Credentials::XOAuth2 {
            username: need(user, "--user"),
            token: need(password, "--password (the token)").into(),
        },
        Mechanism::OAuthBearer => Credentials::OAuthBearer {
            authzid: user,
            host: Some(host),
            port: None,
            token: need(password, "--password (the token)").into(),
        },
        Mechanism::External => Credentials::External { authzid: user },
        Mechanism::Anonymous => Credentials::Anonymous { trace: user },
        #[cfg(feature = "sasl-hash")]
        Mechanism::CramMd5 => Credentials::CramMd5 {
            username: need(user, "--user"),
            password: need(password, "--password").into(),
        },
        #[cfg(feature = "sasl-hash")]
        Mechanism::ScramSha1 | Mechanism::ScramSha256 => Credentials::Scram(ScramCredentials::new(
            mechanism,
            need(user, "--user"),
            need(password, "--password"),
            nonce,
        )),
        _ => args.usage_error(&format!("--sasl {name}: not supported by this client")),
    }
}

/// Whether `mechanism`'s answers depend on the server's challenges, so that
/// [`Client::authenticate`] (which computes every answer up front) cannot run it.
fn challenge_dependent(mechanism: Mechanism) -> bool {
    #[cfg(feature = "sasl-hash")]
    if matches!(
        mechanism,
        Mechanism::CramMd5 | Mechanism::ScramSha1 | Mechanism::ScramSha256
    ) {
        return true;
    }
    let _ = mechanism;
    false
}

/// A SCRAM client nonce: 18 bytes from the OS's random source, base64 (24 characters of
/// `A-Za-z0-9+/`, none of them `,`), as RFC 5802 §5.1's `c-nonce` must be printable without commas.
#[cfg(feature = "sasl-hash")]
fn client_nonce() -> io::Result<String> {
    let mut raw = [0u8; 18];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut raw))
        .map_err(|e| io::Error::new(e.kind(), format!("/dev/urandom: {e}")))?;
    let mut out = Vec::new();
    encode_base64(&raw, &mut out);
    String::from_utf8(out).map_err(io::Error::other)
}

/// AUTHENTICATE through the machine's raw SASL path: the command is sent with
/// [`Client::send`], each [`ClientEvent::AuthChallenge`] goes through the crate's
/// [`SaslClient`] and its answer back with [`Client::auth_response`] (or
/// [`Client::auth_cancel`] when the step fails). The initial response rides on the command line when
/// the server has `SASL-IR` (RFC 4959). Returns whether the server completed it OK; for SCRAM, an OK
/// before the server's signature was checked is an error (the server did not prove it knows the
/// password, RFC 5802 §5.1).
#[cfg(feature = "sasl-hash")]
async fn authenticate_stepped(
    session: &mut Session<Client>,
    credentials: Credentials<'_>,
) -> io::Result<bool> {
    let mechanism = credentials.mechanism();
    let mut sasl = SaslClient::try_new(credentials)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("--sasl: {e}")))?;
    let initial_response = match session.conn.capabilities().has("SASL-IR") {
        true => sasl.initial_response().map(|raw| {
            let mut b = Vec::new();
            encode_initial_response(&raw, &mut b);
            Secret::new(b)
        }),
        false => None,
    };
    let tag = session.conn.send(CommandBody::Authenticate {
        mechanism: Atom::new(mechanism.name())
            .ok_or_else(|| io::Error::other("mechanism name is not an atom"))?,
        initial_response,
    })?;
    let mut failure = None;
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::AuthChallenge(challenge) => {
                    let challenge = challenge.into_owned();
                    match sasl.step(&challenge) {
                        Ok(response) => session.conn.auth_response(&response)?,
                        Err(e) => {
                            eprintln!("-- {}: {e}; cancelling", mechanism.name());
                            failure = Some(e);
                            session.conn.auth_cancel()?;
                        }
                    }
                }
                ClientEvent::Completed {
                    tag: t,
                    status,
                    code,
                    text,
                    ..
                } => {
                    let done = t.as_str() == tag.as_str();
                    show_completion(t, status, code, text);
                    if !done {
                        continue;
                    }
                    if let Some(e) = failure {
                        return Err(io::Error::other(format!("{}: {e}", mechanism.name())));
                    }
                    if status == StatusKind::Ok && !sasl.is_complete() {
                        return Err(io::Error::other(format!(
                            "{}: the server said OK before the exchange was complete \
                             (no server signature checked)",
                            mechanism.name()
                        )));
                    }
                    return Ok(status == StatusKind::Ok);
                }
                ClientEvent::Data { data, .. } => show(&Response::Data(data)),
                ClientEvent::Status { status, .. } => show(&Response::Status(status)),
                _ => {}
            }
        }
        session.flush().await?;
        if session.conn.is_closed() || session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        session.read().await?;
    }
}

/// Makes sure the capabilities are known: asks CAPABILITY when neither the greeting nor a response
/// carried them.
async fn capabilities(session: &mut Session<Client>) -> io::Result<()> {
    if session.conn.capabilities().is_empty() {
        let tag = session.conn.capability()?;
        if !complete(session, tag.as_str()).await? {
            return Err(io::Error::other("CAPABILITY failed"));
        }
    }
    Ok(())
}

/// A message file with CRLF line ends, read in chunks: its size after conversion, then its bytes.
struct CrlfFile {
    file: std::fs::File,
    prev_cr: bool,
}

impl CrlfFile {
    fn open(path: &Path) -> io::Result<(CrlfFile, u64)> {
        let open = || {
            std::fs::File::open(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        let mut counter = CrlfFile {
            file: open()?,
            prev_cr: false,
        };
        let mut size = 0u64;
        let mut buf = Vec::new();
        while counter.next(&mut buf)? {
            size += buf.len() as u64;
        }
        let file = CrlfFile {
            file: open()?,
            prev_cr: false,
        };
        Ok((file, size))
    }

    /// The next converted chunk into `out` (bare LF and bare CR become CRLF); `false` at the end.
    fn next(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let mut raw = vec![0u8; CHUNK];
        let n = self.file.read(&mut raw)?;
        out.clear();
        for &b in &raw[..n] {
            match b {
                b'\n' if self.prev_cr => out.push(b'\n'),
                b'\n' => out.extend_from_slice(b"\r\n"),
                _ => {
                    if self.prev_cr {
                        out.push(b'\n');
                    }
                    out.push(b);
                }
            }
            self.prev_cr = b == b'\r';
        }
        if n == 0 && self.prev_cr {
            out.push(b'\n');
            self.prev_cr = false;
            return Ok(true);
        }
        Ok(n > 0)
    }
}

/// APPEND streamed from the file: the literal is pushed in chunks as the machine allows.
async fn append(session: &mut Session<Client>, mailbox: &str, file: &Path) -> io::Result<bool> {
    let (mut file, size) = CrlfFile::open(file)?;
    let tag = session
        .conn
        .append_begin(Mailbox::from_utf8(mailbox), None, None, size, false)?;
    eprintln!("-- APPEND of {size} bytes");
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::AppendReady { .. } => {
                    let mut chunk = Vec::with_capacity(CHUNK + CHUNK / 2);
                    while file.next(&mut chunk)? {
                        session.conn.send_body(&chunk)?;
                        session.flush().await?;
                    }
                    session.conn.finish_body()?;
                }
                ClientEvent::Completed {
                    tag: t,
                    status,
                    code,
                    text,
                    ..
                } => {
                    let done = t.as_str() == tag.as_str();
                    show_completion(t, status, code, text);
                    if done {
                        return Ok(status == StatusKind::Ok);
                    }
                }
                ClientEvent::Status { status, .. } => show(&Response::Status(status)),
                ClientEvent::Data { data, .. } => show(&Response::Data(data)),
                _ => {}
            }
        }
        session.flush().await?;
        if session.conn.is_closed() || session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        session.read().await?;
    }
}

async fn run(mut args: Args) -> io::Result<bool> {
    let options = ClientOptions::from_args(&mut args);
    let user = args.value("--user");
    let password = args.value("--password");
    let sasl = args.value("--sasl");
    let compress = args.flag("--compress");
    let words = args.try_finish().unwrap_or_else(|m| args.usage_error(&m));
    let Some((verb, rest)) = words.split_first() else {
        args.usage_error("a command is needed");
    };
    #[cfg(feature = "sasl-hash")]
    let nonce = match &sasl {
        Some(name) if name.to_ascii_uppercase().starts_with("SCRAM-") => client_nonce()?,
        _ => String::new(),
    };
    #[cfg(not(feature = "sasl-hash"))]
    let nonce = String::new();
    let credentials = match &sasl {
        Some(name) => Some(credentials(
            &args,
            name,
            user.as_deref(),
            password.as_deref(),
            options.host(),
            &nonce,
        )),
        None if user.is_none() || password.is_none() => {
            args.usage_error("--user and --password are needed (or --sasl)")
        }
        None => None,
    };
    let known = matches!(
        (verb.as_str(), rest.len()),
        ("list", 0)
            | ("select" | "create" | "delete", 1)
            | ("append" | "idle", 2)
            | ("fetch" | "store" | "move", 3)
    ) || (verb == "search" && rest.len() >= 2);
    if !known {
        args.usage_error(&format!("unknown command or wrong arguments: {words:?}"));
    }

    let stream = options.connect().await?;
    let mut session = Session::new(Client::new(ClientConfig::default()), stream);
    session.timeouts.read = Some(options.greeting);
    // The greeting.
    loop {
        if let Some(event) = session.conn.poll_event()? {
            if let ClientEvent::Greeting(g) = event {
                show(&Response::Status(g));
                break;
            }
            continue;
        }
        if session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed before the greeting",
            ));
        }
        session.read().await?;
    }
    session.timeouts.read = Some(options.command);
    capabilities(&mut session).await?;
    if options.starttls {
        if !session.conn.capabilities().has("STARTTLS") {
            return Err(unsupported("STARTTLS"));
        }
        let tag = session.conn.starttls()?;
        loop {
            match session.conn.poll_event()? {
                Some(ClientEvent::StartTls) => break,
                Some(ClientEvent::Completed { tag: t, status, .. })
                    if t.as_str() == tag.as_str() && status != StatusKind::Ok =>
                {
                    return Err(io::Error::other("STARTTLS refused"));
                }
                Some(_) => {}
                None => {
                    session.flush().await?;
                    if session.is_eof() {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    session.read().await?;
                }
            }
        }
        let config = options.tls_config()?;
        session
            .start_tls_client_with(config, options.host())
            .await?;
        session.conn.tls_established()?;
        eprintln!(
            "-- TLS established: {}",
            session.stream.tls_description().unwrap_or_default()
        );
        // The machine asks CAPABILITY again (RFC 9051 §6.2.1); wait for the answer.
        let tag = session.conn.noop()?;
        complete(&mut session, tag.as_str()).await?;
        capabilities(&mut session).await?;
    }
    let logged_in = match credentials {
        None => {
            let tag = session.conn.login(
                user.as_deref().unwrap_or_default(),
                password.as_deref().unwrap_or_default(),
            )?;
            complete(&mut session, tag.as_str()).await?
        }
        Some(credentials) => {
            let name = credentials.mechanism().name();
            if !session.conn.capabilities().auth(name) {
                return Err(unsupported(format!("AUTH={name}")));
            }
            if challenge_dependent(credentials.mechanism()) {
                #[cfg(feature = "sasl-hash")]
                {
                    authenticate_stepped(&mut session, credentials).await?
                }
                #[cfg(not(feature = "sasl-hash"))]
                unreachable!("no challenge-dependent mechanism without sasl-hash")
            } else {
                let tag = session.conn.authenticate(credentials)?;
                complete(&mut session, tag.as_str()).await?
            }
        }
    };
    if !logged_in {
        return Ok(false);
    }
    capabilities(&mut session).await?;
    let need = |session: &Session<Client>, what: &str| {
        if session.conn.capabilities().has(what) {
            Ok(())
        } else {
            Err(unsupported(what))
        }
    };
    if compress {
        need(&session, "COMPRESS=DEFLATE")?;
        if !start_compress(&mut session).await? {
            return Ok(false);
        }
    }
    let mut commands = Vec::new();
    match (verb.as_str(), rest) {
        ("list", []) => commands.push("LIST \"\" \"*\"".to_owned()),
        ("select", [mailbox]) => commands.push(format!("SELECT {mailbox}")),
        ("fetch", [mailbox, set, items]) => {
            commands.push(format!("EXAMINE {mailbox}"));
            commands.push(format!("FETCH {set} {items}"));
        }
        ("search", [mailbox, criteria @ ..]) => {
            commands.push(format!("EXAMINE {mailbox}"));
            commands.push(format!("SEARCH {}", criteria.join(" ")));
        }
        ("store", [mailbox, set, flags]) => {
            commands.push(format!("SELECT {mailbox}"));
            commands.push(format!("UID STORE {set} {flags}"));
        }
        ("move", [mailbox, set, destination]) => {
            need(&session, "MOVE")?;
            commands.push(format!("SELECT {mailbox}"));
            commands.push(format!("UID MOVE {set} {destination}"));
        }
        ("create", [mailbox]) => commands.push(format!("CREATE {mailbox}")),
        ("delete", [mailbox]) => commands.push(format!("DELETE {mailbox}")),
        ("append", [mailbox, file]) => {
            let ok = append(&mut session, mailbox, Path::new(file)).await?;
            logout(&mut session).await;
            return Ok(ok);
        }
        ("idle", [mailbox, seconds]) => {
            need(&session, "IDLE")?;
            let seconds: f64 = seconds
                .parse()
                .unwrap_or_else(|_| args.usage_error("SECONDS must be a number"));
            return idle(&mut session, mailbox, seconds).await;
        }
        _ => args.usage_error(&format!("unknown command or wrong arguments: {words:?}")),
    }
    let mut ok = true;
    for text in commands {
        let tag = session.conn.send(command(&text)?)?;
        ok &= complete(&mut session, tag.as_str()).await?;
        if !ok {
            break;
        }
    }
    logout(&mut session).await;
    Ok(ok)
}

/// COMPRESS DEFLATE (RFC 4978 §3): the command, its tagged OK (the last plain bytes from the server),
/// the machine's go-ahead, then DEFLATE under both directions. `Ok(false)` when the server refused it.
async fn start_compress(session: &mut Session<Client>) -> io::Result<bool> {
    let tag = session.conn.compress()?;
    if !complete(session, tag.as_str()).await? {
        return Ok(false);
    }
    // the go-ahead follows the OK at once
    if !matches!(session.conn.poll_event()?, Some(ClientEvent::Compress)) {
        return Err(io::Error::other("COMPRESS: no hand-over after the OK"));
    }
    session
        .start_compress(Client::compression_established)
        .await?;
    eprintln!("-- DEFLATE active");
    Ok(true)
}

/// LOGOUT, its answer awaited; errors do not matter any more.
async fn logout(session: &mut Session<Client>) {
    if let Ok(tag) = session.conn.logout() {
        let _ = complete(session, tag.as_str()).await;
    }
}

/// SELECT, IDLE for `seconds` printing what the server pushes, DONE, LOGOUT.
async fn idle(session: &mut Session<Client>, mailbox: &str, seconds: f64) -> io::Result<bool> {
    let tag = session.conn.send(command(&format!("SELECT {mailbox}"))?)?;
    if !complete(session, tag.as_str()).await? {
        return Ok(false);
    }
    let idle = session.conn.idle()?;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
    // Silence is the point of IDLE: only the deadline ends the wait.
    let command_timeout = session.timeouts.read.take();
    let mut out = io::stdout().lock();
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::IdleAccepted { .. } => eprintln!("-- idling"),
                ClientEvent::Data { data, .. } => show_data(data, &mut out)?,
                ClientEvent::Status { status, .. } => show(&Response::Status(status)),
                ClientEvent::Completed {
                    tag,
                    status,
                    code,
                    text,
                    ..
                } if status != StatusKind::Ok => {
                    show_completion(tag, status, code, text);
                    return Ok(false);
                }
                _ => {}
            }
        }
        session.flush().await?;
        if session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        match tokio::time::timeout_at(deadline, session.read()).await {
            Ok(wake) => {
                wake?;
            }
            Err(_) => break,
        }
    }
    drop(out);
    session.timeouts.read = command_timeout;
    session.conn.done()?;
    let ok = complete(session, idle.as_str()).await?;
    logout(session).await;
    Ok(ok)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let usage = format!("{USAGE}{}", common::client::CLIENT_OPTIONS);
    let args = Args::parse(Box::leak(usage.into_boxed_str()));
    match run(args).await {
        Ok(true) => {}
        Ok(false) => std::process::exit(common::client::EXIT_FAILED),
        Err(e) => fail(e),
    }
}
