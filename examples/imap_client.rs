//! An IMAP client: [`mailwire::imap::Client`] driven by tokio.
//!
//! ```text
//! cargo run --example imap_client -- --server HOST:PORT --user NAME --password PASS \
//!     [--starttls] [--tls] [--insecure] [--sasl PLAIN] COMMAND
//! ```
//!
//! Commands: `list`, `select MAILBOX`, `fetch MAILBOX SEQSET ITEMS` (for example
//! `fetch INBOX 1:* "(UID FLAGS BODY.PEEK[])"`), `search MAILBOX CRITERIA`,
//! `append MAILBOX FILE` (the file is sent with CRLF line ends, as a literal
//! that waits for the server's `+` unless LITERAL+ is offered) and
//! `idle MAILBOX SECONDS` (prints the server's updates until SECONDS pass, then DONE),
//! `store MAILBOX SEQSET FLAGS` (for example `store INBOX 1 "+FLAGS (\Flagged)"`)
//! and `move MAILBOX SEQSET DESTINATION` (UID MOVE, RFC 6851; both take UIDs),
//! `create MAILBOX` and `delete MAILBOX`.
//! Untagged data is printed one line each; body literals are written to stdout
//! as they stream in. The exit status is 0 when every command completed `OK`,
//! 1 on a `NO`/`BAD` or a connection error, 2 on a usage error.
//!
//! Commands are written as IMAP text and parsed with the crate's own command
//! parser before the machine sends them, so anything the codec understands can
//! be sent.

mod common;

use std::io::{self, Write};

use common::{Args, Session, Stream, host_of};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, FetchItem, ParseOptions, StatusKind,
    parse_command,
};
use mailwire::wire::sasl::Credentials;

const USAGE: &str = "--server HOST:PORT --user NAME --password PASS [--starttls] [--tls] [--insecure] \
     [--sasl PLAIN] (list | select MAILBOX | fetch MAILBOX SEQSET ITEMS | search MAILBOX CRITERIA \
     | append MAILBOX FILE | idle MAILBOX SECONDS | store MAILBOX UIDSET FLAGS \
     | move MAILBOX UIDSET DESTINATION | create MAILBOX | delete MAILBOX)";

/// Parses one IMAP command written as text (without tag) into what the machine sends.
fn command(text: &str) -> io::Result<CommandBody<'static>> {
    command_with_literal(text, None)
}

/// [`command`], with a literal appended after the text (`{n}` CRLF data).
fn command_with_literal(text: &str, literal: Option<&[u8]>) -> io::Result<CommandBody<'static>> {
    let mut line = format!("x {text}").into_bytes();
    if let Some(data) = literal {
        line.extend_from_slice(format!(" {{{}}}\r\n", data.len()).as_bytes());
        line.extend_from_slice(data);
    }
    line.extend_from_slice(b"\r\n");
    let parsed = parse_command(&line, &ParseOptions::default())
        .map_err(|e| io::Error::other(format!("cannot parse {text:?}: {e:?}")))?;
    Ok(parsed.into_owned().body)
}

/// Sends what is queued and waits for the completion of `tag`, printing
/// everything that arrives. Returns whether it completed `OK`.
async fn complete(session: &mut Session<Client>, tag: &str) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::Completed {
                    tag: t,
                    status,
                    text,
                    ..
                } => {
                    eprintln!("{} {status:?} {}", t.as_str(), text.to_str_lossy());
                    if t.as_str() == tag {
                        return Ok(status == StatusKind::Ok);
                    }
                }
                ClientEvent::Data { data, .. } => {
                    writeln!(out, "* {data:?}")?;
                    // Body sections small enough to arrive whole: their exact bytes too.
                    if let Data::Fetch { items, .. } = &data {
                        for item in items.iter() {
                            if let FetchItem::BodySection { data: Some(d), .. } = item {
                                out.write_all(d.as_bytes())?;
                            }
                        }
                    }
                }
                ClientEvent::Status { status, .. } => match &status.code {
                    Some(code) => writeln!(
                        out,
                        "* {:?} [{code:?}] {}",
                        status.kind,
                        status.text.to_str_lossy()
                    )?,
                    None => writeln!(out, "* {:?} {}", status.kind, status.text.to_str_lossy())?,
                },
                ClientEvent::FetchBodyStart { seq, size, .. } => {
                    eprintln!("-- message {seq}: {size} bytes follow")
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
                "connection closed",
            ));
        }
        session.read().await?;
    }
}

async fn run(mut args: Args) -> io::Result<bool> {
    let server = args.required("--server");
    let user = args.required("--user");
    let password = args.required("--password");
    let (starttls, tls, insecure) = (
        args.flag("--starttls"),
        args.flag("--tls"),
        args.flag("--insecure"),
    );
    let sasl = args.value("--sasl");
    let words = args.finish();
    let Some((verb, rest)) = words.split_first() else {
        common::die(format!("a command is needed: {USAGE}"));
    };

    let stream = Stream::open(&server, tls, insecure).await?;
    let mut session = Session::new(Client::new(ClientConfig::default()), stream);
    // The greeting.
    loop {
        if let Some(event) = session.conn.poll_event()? {
            if let ClientEvent::Greeting(g) = event {
                eprintln!("greeting: {:?} {}", g.kind, g.text.to_str_lossy());
                break;
            }
            continue;
        }
        session.read().await?;
    }
    if starttls {
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
                    session.read().await?;
                }
            }
        }
        session.start_tls_client(host_of(&server), insecure).await?;
        session.conn.tls_established()?;
        eprintln!("TLS established");
    }
    let tag = match sasl.as_deref() {
        None => session.conn.login(&user, &password)?,
        Some(m) if m.eq_ignore_ascii_case("PLAIN") => {
            session.conn.authenticate(Credentials::Plain {
                authzid: None,
                username: &user,
                password: password.as_str().into(),
            })?
        }
        Some(other) => common::die(format!("unsupported SASL mechanism {other}")),
    };
    if !complete(&mut session, tag.as_str()).await? {
        return Ok(false);
    }
    let mut commands = Vec::new();
    match (verb.as_str(), rest) {
        ("list", []) => commands.push("LIST \"\" \"*\"".to_owned()),
        ("select", [mailbox]) => commands.push(format!("SELECT {mailbox}")),
        ("fetch", [mailbox, set, items]) => {
            commands.push(format!("EXAMINE {mailbox}"));
            commands.push(format!("FETCH {set} {items}"));
        }
        ("search", [mailbox, criteria @ ..]) if !criteria.is_empty() => {
            commands.push(format!("EXAMINE {mailbox}"));
            commands.push(format!("SEARCH {}", criteria.join(" ")));
        }
        ("store", [mailbox, set, flags]) => {
            commands.push(format!("SELECT {mailbox}"));
            commands.push(format!("UID STORE {set} {flags}"));
        }
        ("move", [mailbox, set, destination]) => {
            commands.push(format!("SELECT {mailbox}"));
            commands.push(format!("UID MOVE {set} {destination}"));
        }
        ("create", [mailbox]) => commands.push(format!("CREATE {mailbox}")),
        ("delete", [mailbox]) => commands.push(format!("DELETE {mailbox}")),
        ("append", [_, _]) | ("idle", [_, _]) => {}
        _ => common::die(format!("usage: {USAGE}")),
    }
    if let ("append", [mailbox, file]) = (verb.as_str(), rest) {
        let message = common::read_message_file(std::path::Path::new(file))?;
        let tag = session.conn.send(command_with_literal(
            &format!("APPEND {mailbox}"),
            Some(&message),
        )?)?;
        let ok = complete(&mut session, tag.as_str()).await?;
        let tag = session.conn.logout()?;
        let _ = complete(&mut session, tag.as_str()).await;
        return Ok(ok);
    }
    if let ("idle", [mailbox, seconds]) = (verb.as_str(), rest) {
        let seconds: u64 = seconds
            .parse()
            .unwrap_or_else(|_| common::die("SECONDS must be a number"));
        let tag = session.conn.send(command(&format!("SELECT {mailbox}"))?)?;
        if !complete(&mut session, tag.as_str()).await? {
            return Ok(false);
        }
        let idle = session.conn.idle()?;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let mut out = io::stdout().lock();
        loop {
            while let Some(event) = session.conn.poll_event()? {
                match event {
                    ClientEvent::IdleAccepted { .. } => eprintln!("idling"),
                    ClientEvent::Data { data, .. } => {
                        writeln!(out, "* {data:?}")?;
                        out.flush()?;
                    }
                    ClientEvent::Completed { status, .. } if status != StatusKind::Ok => {
                        return Ok(false);
                    }
                    _ => {}
                }
            }
            session.flush().await?;
            if session.is_eof() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed",
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
        session.conn.done()?;
        let ok = complete(&mut session, idle.as_str()).await?;
        let tag = session.conn.logout()?;
        let _ = complete(&mut session, tag.as_str()).await;
        return Ok(ok);
    }
    let mut ok = true;
    for text in commands {
        let tag = session.conn.send(command(&text)?)?;
        ok &= complete(&mut session, tag.as_str()).await?;
        if !ok {
            break;
        }
    }
    let tag = session.conn.logout()?;
    let _ = complete(&mut session, tag.as_str()).await;
    Ok(ok)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse(USAGE);
    match run(args).await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => common::die(e),
    }
}
