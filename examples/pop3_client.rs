//! A POP3 client: [`mailwire::pop3::Client`] driven by tokio.
//!
//! ```text
//! cargo run --example pop3_client -- --server HOST:PORT --user NAME --password PASS \
//!     [--starttls | --tls] [--cafile FILE | --insecure] [--apop | --sasl PLAIN|LOGIN] [--verbose] \
//!     [--connect-timeout SECS] [--greeting-timeout SECS] [--command-timeout SECS] \
//!     (--list | --uidl | --retr N | --top N [--lines L] | --retr-all DIR)
//! ```
//!
//! - `--tls` connects with implicit TLS (POP3S, port 995); `--starttls` upgrades with STLS (RFC 2595);
//!   `--cafile FILE` trusts the CA certificates in FILE, `--insecure` accepts any server certificate
//!   (tests only).
//! - It logs in with USER/PASS, or APOP (`--apop`, RFC 1939 §7: the digest is computed from the greeting's
//!   timestamp), or SASL (`--sasl PLAIN` or `--sasl LOGIN`, RFC 5034).
//! - `--list` prints `N SIZE` lines, `--uidl` prints `N UID` lines, `--retr N` writes message N to stdout,
//!   `--top N --lines L` writes its header and first L body lines, and `--retr-all DIR` writes every message
//!   into DIR, named by its unique id (UIDL, with unsafe bytes `%XX`-escaped) or by its number when the
//!   server has no UIDL; it prints `N FILE SIZE` for each.
//! - It reads CAPA first; when the server lists PIPELINING the machine sends the RETR commands of
//!   `--retr-all` in batches, otherwise one at a time. Bodies are streamed to their file chunk by chunk.
//! - `--verbose` prints the conversation on stderr, with `PASS`, `APOP` and the AUTH exchange redacted.
//! - The exit status is 0 on success, 1 on a failure (a `-ERR`, a message that could not be saved), 2 on
//!   a usage error, 3 when it cannot connect or the connection breaks, 4 on a timeout (connect, greeting,
//!   command), 6 when TLS fails.

mod common;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use common::client::{ClientOptions, fail};
use common::{Args, Session};
use mailwire::pop3::{Client, ClientConfig, ClientEvent, Command, CommandKind, Response, Status};
use mailwire::wire::sasl::{Credentials, Mechanism};
use mailwire::{Secret, Text};

const USAGE: &str = "--server HOST:PORT --user NAME --password PASS [options] \
(--list | --uidl | --retr N | --top N [--lines L] | --retr-all DIR)
  --apop                     log in with APOP (RFC 1939 section 7)
  --sasl PLAIN|LOGIN         log in with AUTH (RFC 5034)
  --verbose                  the conversation on stderr (credentials redacted)
  --timeout SECS             the same as --command-timeout";

/// How many RETR commands `--retr-all` keeps outstanding (the machine sends them together only when the
/// server advertised PIPELINING).
const RETR_WINDOW: usize = 8;

/// What to do once logged in.
enum Action {
    List,
    Uidl,
    Retr(u32),
    Top(u32, u32),
    RetrAll(PathBuf),
}

/// How to log in.
#[derive(Clone, Copy)]
enum Login {
    UserPass,
    Apop,
    Sasl(Mechanism),
}

struct Options {
    client: ClientOptions,
    user: String,
    password: String,
    login: Login,
    verbose: bool,
    action: Action,
}

fn parse_args() -> Options {
    let usage = format!("{USAGE}{}", common::client::CLIENT_OPTIONS);
    let mut args = Args::parse(Box::leak(usage.into_boxed_str()));
    let client = ClientOptions::from_args(&mut args);
    let user = args.required("--user");
    let password = args.required("--password");
    let apop = args.flag("--apop");
    let sasl = args.value("--sasl");
    let verbose = args.flag("--verbose");
    let list = args.flag("--list");
    let uidl = args.flag("--uidl");
    let retr: Option<u32> = args.parsed("--retr");
    let top: Option<u32> = args.parsed("--top");
    let lines: Option<u32> = args.parsed("--lines");
    let retr_all = args.value("--retr-all");
    let login = match (apop, sasl) {
        (true, Some(_)) => args.usage_error("--apop and --sasl exclude each other"),
        (true, None) => Login::Apop,
        (false, None) => Login::UserPass,
        (false, Some(name)) => match Mechanism::from_name(name.as_bytes()) {
            Some(m @ (Mechanism::Plain | Mechanism::Login)) => Login::Sasl(m),
            _ => args.usage_error("--sasl takes PLAIN or LOGIN"),
        },
    };
    if lines.is_some() && top.is_none() {
        args.usage_error("--lines goes with --top");
    }
    let mut actions = Vec::new();
    if list {
        actions.push(Action::List);
    }
    if uidl {
        actions.push(Action::Uidl);
    }
    if let Some(n) = retr {
        actions.push(Action::Retr(n));
    }
    if let Some(n) = top {
        actions.push(Action::Top(n, lines.unwrap_or(0)));
    }
    if let Some(dir) = retr_all {
        actions.push(Action::RetrAll(PathBuf::from(dir)));
    }
    if actions.len() != 1 {
        args.usage_error("give exactly one of --list, --uidl, --retr, --top, --retr-all");
    }
    let positionals = args.finish();
    if !positionals.is_empty() {
        common::die(format!("unexpected arguments: {positionals:?}"));
    }
    Options {
        client,
        user,
        password,
        login,
        verbose,
        action: actions.remove(0),
    }
}

#[tokio::main]
async fn main() {
    let options = parse_args();
    if let Err(e) = run(&options).await {
        fail(e);
    }
}

/// A response line for messages: `+OK [CODE] text`.
fn show(response: &Response<'_>) -> String {
    let status = match response.status {
        Status::Ok => "+OK",
        Status::Err => "-ERR",
        _ => "+",
    };
    match &response.code {
        Some(code) => format!("{status} [{}] {}", code.as_str(), response.text),
        None => format!("{status} {}", response.text),
    }
}

fn failure(message: impl Into<String>) -> io::Error {
    io::Error::other(message.into())
}

/// The client machine on its connection, with the waits of this program.
struct Pop {
    session: Session<Client>,
}

impl Pop {
    /// Sends what the machine queued, then waits (at most the session's read timeout) for more input.
    async fn wait(&mut self) -> io::Result<()> {
        self.session.flush().await?;
        if self.session.is_eof() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.session.read().await.map(|_| ())
    }

    /// The next event, owned (bodies are read with [`Pop::body_into`] instead, without copies).
    async fn next(&mut self) -> io::Result<ClientEvent<'static>> {
        loop {
            if let Some(event) = self.session.conn.poll_event()? {
                return Ok(event.into_owned());
            }
            self.wait().await?;
        }
    }

    /// Sends a command (the machine holds it back until the server may take it).
    fn send(&mut self, command: &Command<'_>) -> io::Result<()> {
        self.session.conn.send_command(command)?;
        Ok(())
    }

    /// The response to a command of kind `want`, `+OK` or `-ERR`.
    async fn response(&mut self, want: CommandKind) -> io::Result<Response<'static>> {
        match self.next().await? {
            ClientEvent::Response { command, response } if command == want => Ok(response),
            ClientEvent::MalformedResponse { raw, error, .. } => Err(failure(format!(
                "malformed answer to {want:?}: {:?} ({error})",
                String::from_utf8_lossy(&raw)
            ))),
            other => Err(failure(format!("unexpected answer to {want:?}: {other:?}"))),
        }
    }

    /// The response to `want`, which must be `+OK`.
    async fn ok(&mut self, want: CommandKind) -> io::Result<Response<'static>> {
        let response = self.response(want).await?;
        if response.status == Status::Ok {
            Ok(response)
        } else {
            Err(failure(format!("{want:?} failed: {}", show(&response))))
        }
    }

    /// The lines of a multi-line answer after its `+OK`, until the end; malformed lines are reported and
    /// skipped.
    async fn listing(&mut self) -> io::Result<Vec<ClientEvent<'static>>> {
        let mut lines = Vec::new();
        loop {
            match self.next().await? {
                ClientEvent::ListingEnd { .. } => return Ok(lines),
                ClientEvent::MalformedResponse { raw, error, .. } => eprintln!(
                    "warning: skipped a malformed listing line {:?}: {error}",
                    String::from_utf8_lossy(&raw)
                ),
                event => lines.push(event),
            }
        }
    }

    /// Streams a RETR/TOP body (after its `+OK`) into `out`, chunk by chunk; returns its size.
    async fn body_into(&mut self, out: &mut impl Write) -> io::Result<u64> {
        let mut size = 0u64;
        loop {
            match self.session.conn.poll_event()? {
                Some(ClientEvent::BodyChunk(chunk)) => {
                    out.write_all(&chunk)?;
                    size += chunk.len() as u64;
                }
                Some(ClientEvent::BodyEnd) => return Ok(size),
                Some(other) => {
                    return Err(failure(format!("unexpected event in a body: {other:?}")));
                }
                None => self.wait().await?,
            }
        }
    }
}

async fn run(options: &Options) -> io::Result<()> {
    let stream = options.client.connect().await?;
    let mut config = ClientConfig::default();
    // Bodies stream to their destination: memory stays bounded whatever the message size.
    config.limits.message_size = u64::MAX;
    // STLS and the SASL mechanism are what the user asked for on the command
    // line: send them even to a server that does not list them in CAPA.
    config.trust_unadvertised = true;
    let mut session = Session::new(Client::new(config), stream);
    if options.verbose {
        session = session.traced_to("S:", "C:", common::trace::Sink::Stderr);
    }
    session.timeouts.read = Some(options.client.greeting);
    let mut pop = Pop { session };

    match pop.next().await? {
        ClientEvent::Greeting(greeting) if greeting.is_ok() => {
            if options.verbose {
                eprintln!("greeting: {}", show(&greeting));
            }
        }
        ClientEvent::Greeting(greeting) => {
            return Err(failure(format!(
                "the server refused us: {}",
                show(&greeting)
            )));
        }
        other => return Err(failure(format!("bad greeting: {other:?}"))),
    }
    pop.session.timeouts.read = Some(options.client.command);

    if options.client.starttls {
        pop.send(&Command::Stls)?;
        match pop.next().await? {
            ClientEvent::StartTls => {}
            ClientEvent::Response { response, .. } => {
                return Err(failure(format!("STLS refused: {}", show(&response))));
            }
            other => return Err(failure(format!("unexpected answer to STLS: {other:?}"))),
        }
        let config = options.client.tls_config()?;
        pop.session
            .start_tls_client_with(config, options.client.host())
            .await?;
        pop.session.conn.tls_established()?;
        if options.verbose {
            let what = pop.session.stream.tls_description().unwrap_or_default();
            eprintln!("TLS established: {what}");
        }
    }

    // CAPA (RFC 2449): PIPELINING, UIDL, TOP. A server without CAPA answers -ERR; go on without.
    pop.send(&Command::Capa)?;
    if pop.response(CommandKind::Capa).await?.is_ok() {
        pop.listing().await?;
    }

    login(&mut pop, options).await?;

    let result = act(&mut pop, &options.action).await;
    // Say goodbye even after a refused command (`failure`, kind Other), but not after a broken or silent
    // connection or a protocol error.
    let polite = match &result {
        Ok(()) => true,
        Err(e) => e.kind() == io::ErrorKind::Other && !pop.session.conn.is_closed(),
    };
    if polite {
        pop.send(&Command::Quit)?;
        let quit = pop.response(CommandKind::Quit).await;
        if result.is_ok() {
            quit?;
        }
    }
    pop.session.shutdown().await;
    result
}

async fn login(pop: &mut Pop, options: &Options) -> io::Result<()> {
    let password = Secret::new(options.password.as_bytes());
    match options.login {
        Login::UserPass => {
            pop.send(&Command::User {
                name: Text::borrowed(options.user.as_bytes()),
            })?;
            pop.send(&Command::Pass {
                password: password.clone(),
            })?;
            let user = pop.response(CommandKind::User).await?;
            let pass = pop.response(CommandKind::Pass).await?;
            if !user.is_ok() {
                return Err(failure(format!("USER refused: {}", show(&user))));
            }
            if !pass.is_ok() {
                return Err(failure(format!("login failed: {}", show(&pass))));
            }
        }
        Login::Apop => {
            // APOP's MD5 needs the `sasl-hash` feature
            #[cfg(feature = "sasl-hash")]
            {
                pop.session.conn.apop(&options.user, &password)?;
                pop.ok(CommandKind::Apop).await?;
            }
            #[cfg(not(feature = "sasl-hash"))]
            return Err(failure("APOP needs the sasl-hash feature"));
        }
        Login::Sasl(mechanism) => {
            let credentials = match mechanism {
                Mechanism::Login => Credentials::Login {
                    username: &options.user,
                    password: password.clone(),
                },
                _ => Credentials::Plain {
                    authzid: None,
                    username: &options.user,
                    password: password.clone(),
                },
            };
            credentials.validate()?;
            // The machine answers the server's challenges by itself.
            pop.session.conn.authenticate(credentials)?;
            match pop.next().await? {
                ClientEvent::Response {
                    command: CommandKind::Auth,
                    response,
                } if response.is_ok() => {}
                ClientEvent::Response {
                    command: CommandKind::Auth,
                    response,
                } => {
                    return Err(failure(format!(
                        "AUTH {mechanism} failed: {}",
                        show(&response)
                    )));
                }
                other => return Err(failure(format!("unexpected answer to AUTH: {other:?}"))),
            }
        }
    }
    if options.verbose {
        eprintln!("logged in as {}", options.user);
    }
    Ok(())
}

async fn act(pop: &mut Pop, action: &Action) -> io::Result<()> {
    let mut stdout = BufWriter::new(io::stdout());
    match action {
        Action::List => {
            pop.send(&Command::List { msg: None })?;
            pop.ok(CommandKind::List).await?;
            for line in pop.listing().await? {
                if let ClientEvent::ScanListing(s) = line {
                    writeln!(stdout, "{} {}", s.msg, s.size)?;
                }
            }
        }
        Action::Uidl => {
            pop.send(&Command::Uidl { msg: None })?;
            pop.ok(CommandKind::Uidl).await?;
            for line in pop.listing().await? {
                if let ClientEvent::UniqueId(u) = line {
                    writeln!(stdout, "{} {}", u.msg, u.uid)?;
                }
            }
        }
        Action::Retr(msg) => {
            pop.send(&Command::Retr { msg: *msg })?;
            pop.ok(CommandKind::Retr).await?;
            pop.body_into(&mut stdout).await?;
        }
        Action::Top(msg, lines) => {
            pop.send(&Command::Top {
                msg: *msg,
                lines: *lines,
            })?;
            pop.ok(CommandKind::Top).await?;
            pop.body_into(&mut stdout).await?;
        }
        Action::RetrAll(dir) => retr_all(pop, dir, &mut stdout).await?,
    }
    stdout.flush()
}

/// A file name for a unique id: letters, digits, `-`, `_` and `.` are kept, anything else (and a leading
/// dot) is written `%XX`, so that distinct ids give distinct names and none escapes the directory.
fn file_name(uid: &[u8]) -> String {
    let mut name = String::with_capacity(uid.len());
    for (i, &b) in uid.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name
}

/// Every message into `dir`: UIDL (or LIST when the server has no UIDL), then RETR of each, a window of
/// them in flight, each body streamed into `DIR/.NAME.part` and renamed to `DIR/NAME` once complete.
async fn retr_all(pop: &mut Pop, dir: &Path, stdout: &mut impl Write) -> io::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    let mut messages: Vec<(u32, String)> = Vec::new();
    pop.send(&Command::Uidl { msg: None })?;
    if pop.response(CommandKind::Uidl).await?.is_ok() {
        for line in pop.listing().await? {
            if let ClientEvent::UniqueId(u) = line {
                messages.push((u.msg, file_name(u.uid.as_bytes())));
            }
        }
    } else {
        pop.send(&Command::List { msg: None })?;
        pop.ok(CommandKind::List).await?;
        for line in pop.listing().await? {
            if let ClientEvent::ScanListing(s) = line {
                messages.push((s.msg, s.msg.to_string()));
            }
        }
    }

    let mut next = 0;
    let mut failed = 0;
    for (i, (msg, name)) in messages.iter().enumerate() {
        // Keep up to RETR_WINDOW commands queued ahead of the one being read.
        while next < messages.len() && next < i + RETR_WINDOW {
            pop.send(&Command::Retr {
                msg: messages[next].0,
            })?;
            next += 1;
        }
        let response = pop.response(CommandKind::Retr).await?;
        if !response.is_ok() {
            eprintln!("message {msg}: {}", show(&response));
            failed += 1;
            continue;
        }
        let part = dir.join(format!(".{name}.part"));
        let path = dir.join(name);
        let mut file = BufWriter::new(
            std::fs::File::create(&part)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", part.display())))?,
        );
        let size = pop.body_into(&mut file).await?;
        file.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()?;
        std::fs::rename(&part, &path)?;
        writeln!(stdout, "{msg} {} {size}", path.display())?;
    }
    if failed > 0 {
        return Err(failure(format!(
            "{failed} of {} messages could not be retrieved",
            messages.len()
        )));
    }
    Ok(())
}
