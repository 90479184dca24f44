//! Interop: the library's IMAP client ([`mailwire::imap::Client`]) runs the sync a mail client does against
//! every IMAP server of `tests/peers/start.sh` (Dovecot, Cyrus, Courier), over a plain blocking TCP socket:
//! CAPABILITY, ID, LOGIN, ENABLE of what is offered, LIST with the RETURN options offered, STATUS of every
//! mailbox, SELECT (CONDSTORE when offered), `UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE
//! RFC822.SIZE [MODSEQ])`, UID SEARCH, a short IDLE (when offered) and LOGOUT.
//!
//! It runs once with the default quirks ([`Quirks::LENIENT`]) and once with [`Quirks::STRICT`], counting the
//! `MalformedResponse` events. With the default quirks there must be none, from every server; what strict
//! mode rejects is printed (and listed in README.md, "IMAP: known server deviations"). The seeded messages
//! (UIDs 1 to 4 on every server) are checked: their RFC822.SIZE against the seed files, their ENVELOPE
//! subject and Message-ID, and that UID SEARCH finds them.
//!
//! Skips loudly without peers; fails under `CI=true`.

mod common;
#[path = "interop/matrix.rs"]
mod matrix;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::peers::{Peers, peers_or_skip, skip_or_fail};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, FetchItem, ParseOptions, Quirks,
    StatusKind, Tag, parse_command,
};
use matrix::Row;

/// One read may wait this long; one step this long in all.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The seeded messages every server holds as UIDs 1 to 4 (start.sh writes them to `DIR/seed/N.eml`).
const SEEDS: u32 = 4;

/// A command written as IMAP text (without tag), parsed by the crate's command parser.
fn command(text: &str) -> CommandBody<'static> {
    let line = format!("x {text}\r\n");
    parse_command(line.as_bytes(), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("cannot parse {text:?}: {e:?}"))
        .into_owned()
        .body
}

/// An IMAP string for `bytes`: quoted, with `\` and `"` escaped.
fn quoted(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        if b == b'"' || b == b'\\' {
            s.push('\\');
        }
        s.push(char::from(b));
    }
    s.push('"');
    s
}

/// A response the parser refused.
#[derive(Debug, Clone)]
struct Deviation {
    step: &'static str,
    raw: String,
    error: String,
}

/// The client machine over a blocking socket.
struct Session {
    sock: TcpStream,
    client: Client,
    deviations: Vec<Deviation>,
    step: &'static str,
}

/// What one command brought.
struct Outcome {
    status: Option<StatusKind>,
    text: String,
    data: Vec<Data<'static>>,
    idle_accepted: bool,
}

impl Session {
    fn connect(port: u16, quirks: Quirks) -> std::io::Result<Session> {
        let sock = TcpStream::connect(("127.0.0.1", port))?;
        sock.set_read_timeout(Some(STEP_TIMEOUT))?;
        let mut config = ClientConfig::default();
        config.quirks = quirks;
        Ok(Session {
            sock,
            client: Client::new(config),
            deviations: Vec::new(),
            step: "greeting",
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        while let Some(bytes) = self.client.poll_transmit() {
            self.sock.write_all(&bytes)?;
        }
        Ok(())
    }

    fn read_more(&mut self) -> std::io::Result<()> {
        let mut buf = [0u8; 16384];
        let n = self.sock.read(&mut buf)?;
        if n == 0 {
            self.client.handle_eof();
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        self.client.handle_input(&buf[..n]);
        Ok(())
    }

    /// Runs until `until` says an event ends the wait (or `tag` completes), collecting data.
    fn drive(
        &mut self,
        tag: Option<&Tag<'static>>,
        until: impl Fn(&ClientEvent<'_>) -> bool,
    ) -> Result<Outcome, String> {
        let started = Instant::now();
        let mut outcome = Outcome {
            status: None,
            text: String::new(),
            data: Vec::new(),
            idle_accepted: false,
        };
        self.flush().map_err(|e| format!("write: {e}"))?;
        loop {
            loop {
                let event = match self.client.poll_event() {
                    Ok(Some(event)) => event.into_owned(),
                    Ok(None) => break,
                    Err(e) => return Err(format!("the session failed: {e}")),
                };
                let done = until(&event);
                match event {
                    ClientEvent::Completed {
                        tag: t,
                        status,
                        text,
                        ..
                    } if tag.is_some_and(|tag| tag.as_str() == t.as_str()) => {
                        outcome.status = Some(status);
                        outcome.text = text.to_str_lossy().into_owned();
                        return Ok(outcome);
                    }
                    ClientEvent::Data { data, .. } => outcome.data.push(data),
                    ClientEvent::IdleAccepted { .. } => outcome.idle_accepted = true,
                    ClientEvent::MalformedResponse {
                        raw,
                        error,
                        completed,
                        ..
                    } => {
                        self.deviations.push(Deviation {
                            step: self.step,
                            raw: String::from_utf8_lossy(&raw).trim_end().to_owned(),
                            error: error.to_string(),
                        });
                        if let (Some(tag), Some((t, _))) = (tag, completed) {
                            if tag.as_str() == t.as_str() {
                                outcome.text = "completed by a malformed response".into();
                                return Ok(outcome);
                            }
                        }
                    }
                    _ => {}
                }
                if done {
                    return Ok(outcome);
                }
            }
            self.flush().map_err(|e| format!("write: {e}"))?;
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("no answer within {STEP_TIMEOUT:?}"));
            }
            self.read_more().map_err(|e| format!("read: {e}"))?;
        }
    }

    /// Sends `body` (or runs `send`) and waits for its completion.
    fn run(
        &mut self,
        step: &'static str,
        send: impl FnOnce(&mut Client) -> Result<Tag<'static>, mailwire::Error>,
    ) -> Result<Outcome, String> {
        self.step = step;
        let tag = send(&mut self.client).map_err(|e| format!("{step}: refused to send: {e}"))?;
        let outcome = self.drive(Some(&tag), |_| false)?;
        match outcome.status {
            Some(StatusKind::Ok) => Ok(outcome),
            Some(status) => Err(format!("{step}: {status:?} {}", outcome.text)),
            None => Err(format!("{step}: {}", outcome.text)),
        }
    }
}

/// A server of the sync.
struct Server {
    name: &'static str,
    port: u16,
}

/// One step of the sync and whether it went right.
struct Steps {
    passed: usize,
    total: usize,
    failures: Vec<String>,
    /// The optional parts the server's capabilities led to (ID, ENABLE ..., LIST RETURN ..., IDLE).
    exercised: Vec<String>,
}

impl Steps {
    fn check(&mut self, what: &str, result: Result<(), String>) {
        self.total += 1;
        match result {
            Ok(()) => self.passed += 1,
            Err(e) => self.failures.push(format!("{what}: {e}")),
        }
    }
}

/// The size a seed has on the wire (CRLF line ends), and its Message-ID.
fn seed_facts(peers: &Peers, n: u32) -> Option<(u32, String)> {
    let dir = peers.var("SEED_DIR")?;
    let raw = std::fs::read(format!("{dir}/{n}.eml")).ok()?;
    let lf = raw.iter().filter(|&&b| b == b'\n').count();
    let crlf_size = u32::try_from(raw.len() + lf).ok()?;
    Some((crlf_size, format!("<seed-{n}@mailwire.test>")))
}

/// The whole sync against `server`; returns the steps and the session's deviations.
fn sync(peers: &Peers, server: &Server, quirks: Quirks) -> (Steps, Vec<Deviation>) {
    let mut steps = Steps {
        passed: 0,
        total: 0,
        failures: Vec::new(),
        exercised: Vec::new(),
    };
    let mut s = match Session::connect(server.port, quirks) {
        Ok(s) => s,
        Err(e) => {
            steps.check("connect", Err(e.to_string()));
            return (steps, Vec::new());
        }
    };
    let greeting = s.drive(None, |e| matches!(e, ClientEvent::Greeting(_)));
    steps.check("greeting", greeting.map(|_| ()));

    let caps = s.run("CAPABILITY", Client::capability);
    steps.check("CAPABILITY", caps.map(|_| ()));

    if s.client.capabilities().has("ID") {
        steps.exercised.push("ID".into());
        let id = s.run("ID", |c| {
            c.send(command(
                "ID (\"name\" \"mailwire-interop\" \"version\" \"0\")",
            ))
        });
        steps.check(
            "ID",
            id.and_then(|o| {
                o.data
                    .iter()
                    .any(|d| matches!(d, Data::Id(_)))
                    .then_some(())
                    .ok_or_else(|| "no ID response".into())
            }),
        );
    }

    let login = s.run("LOGIN", |c| c.login(&peers.user, &peers.pass));
    let logged_in = login.is_ok();
    steps.check("LOGIN", login.map(|_| ()));
    if !logged_in {
        return (steps, s.deviations);
    }
    // The capabilities after login (a server may list more, or send them in the LOGIN completion).
    steps.check(
        "CAPABILITY after LOGIN",
        s.run("CAPABILITY", Client::capability).map(|_| ()),
    );
    let caps = s.client.capabilities().clone();

    let wanted: Vec<&str> = ["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"]
        .into_iter()
        .filter(|c| caps.has(c))
        .collect();
    if caps.has("ENABLE") && !wanted.is_empty() {
        steps.exercised.push(format!("ENABLE {}", wanted.join(" ")));
        let enable = s.run("ENABLE", |c| c.enable(&wanted));
        steps.check(
            "ENABLE",
            enable.and_then(|o| {
                o.data
                    .iter()
                    .any(|d| matches!(d, Data::Enabled(_)))
                    .then_some(())
                    .ok_or_else(|| "no ENABLED response".into())
            }),
        );
    }
    let condstore = caps.has("CONDSTORE") || caps.has("QRESYNC");

    // LIST, with the RETURN options the server offers (RFC 5258 CHILDREN, RFC 6154 SPECIAL-USE,
    // RFC 5819 STATUS).
    let mut returns = Vec::new();
    if caps.has("LIST-EXTENDED") {
        returns.push("CHILDREN".to_owned());
        if caps.has("SPECIAL-USE") {
            returns.push("SPECIAL-USE".to_owned());
        }
        if caps.has("LIST-STATUS") {
            returns.push("STATUS (MESSAGES UIDNEXT)".to_owned());
        }
    }
    if !returns.is_empty() {
        steps
            .exercised
            .push(format!("LIST RETURN ({})", returns.join(" ")));
    }
    if condstore {
        steps.exercised.push("CONDSTORE".into());
    }
    let list_text = if returns.is_empty() {
        "LIST \"\" \"*\"".to_owned()
    } else {
        format!("LIST \"\" \"*\" RETURN ({})", returns.join(" "))
    };
    let list = s.run("LIST", |c| c.send(command(&list_text)));
    let mut mailboxes: Vec<Vec<u8>> = Vec::new();
    steps.check(
        "LIST",
        list.and_then(|o| {
            for d in &o.data {
                if let Data::List(l) = d {
                    if !l.attributes.iter().any(|a| {
                        format!("{a:?}").to_ascii_lowercase().contains("noselect")
                            || format!("{a:?}")
                                .to_ascii_lowercase()
                                .contains("nonexistent")
                    }) {
                        mailboxes.push(l.mailbox.as_bytes().to_vec());
                    }
                }
            }
            mailboxes
                .iter()
                .any(|m| m.eq_ignore_ascii_case(b"INBOX"))
                .then_some(())
                .ok_or_else(|| format!("INBOX not listed: {:?}", o.data))
        }),
    );

    let status_items = if condstore {
        "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)"
    } else {
        "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"
    };
    for mailbox in &mailboxes {
        let text = format!("STATUS {} {status_items}", quoted(mailbox));
        let status = s.run("STATUS", |c| c.send(command(&text)));
        steps.check(
            &format!("STATUS {}", String::from_utf8_lossy(mailbox)),
            status.and_then(|o| {
                o.data
                    .iter()
                    .any(|d| matches!(d, Data::Status { .. }))
                    .then_some(())
                    .ok_or_else(|| "no STATUS response".into())
            }),
        );
    }

    let select_text = if condstore {
        "SELECT INBOX (CONDSTORE)"
    } else {
        "SELECT INBOX"
    };
    let select = s.run("SELECT", |c| c.send(command(select_text)));
    steps.check("SELECT", select.map(|_| ()));

    let fetch_text = if condstore {
        "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE MODSEQ)"
    } else {
        "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE)"
    };
    let fetch = s.run("UID FETCH", |c| c.send(command(fetch_text)));
    steps.check(
        "UID FETCH of the seeded messages",
        fetch.and_then(|o| check_fetch(peers, &o.data, condstore)),
    );

    let search = s.run("UID SEARCH", |c| {
        c.send(command("UID SEARCH HEADER Message-ID \"@mailwire.test\""))
    });
    steps.check(
        "UID SEARCH",
        search.and_then(|o| {
            let mut found: Vec<u32> = Vec::new();
            for d in &o.data {
                if let Data::Search { ids, .. } = d {
                    found.extend(ids.iter());
                }
            }
            (1..=SEEDS)
                .all(|uid| found.contains(&uid))
                .then_some(())
                .ok_or_else(|| format!("UIDs 1..{SEEDS} not all found: {found:?}"))
        }),
    );

    if caps.has("IDLE") {
        steps.exercised.push("IDLE".into());
        s.step = "IDLE";
        let idle = (|| -> Result<(), String> {
            let tag = s.client.idle().map_err(|e| e.to_string())?;
            let accepted = s.drive(Some(&tag), |e| {
                matches!(e, ClientEvent::IdleAccepted { .. })
            })?;
            if !accepted.idle_accepted {
                return Err(format!("IDLE not accepted: {}", accepted.text));
            }
            s.client.done().map_err(|e| e.to_string())?;
            let done = s.drive(Some(&tag), |_| false)?;
            match done.status {
                Some(StatusKind::Ok) => Ok(()),
                other => Err(format!("IDLE ended {other:?} {}", done.text)),
            }
        })();
        steps.check("IDLE", idle);
    }

    let logout = s.run("LOGOUT", Client::logout);
    steps.check("LOGOUT", logout.map(|_| ()));
    (steps, s.deviations)
}

/// The FETCH answer covers the seeds with the right sizes, subjects and Message-IDs (and MODSEQ).
fn check_fetch(peers: &Peers, data: &[Data<'static>], condstore: bool) -> Result<(), String> {
    let mut seen = 0;
    for d in data {
        let Data::Fetch { items, .. } = d else {
            continue;
        };
        let mut uid = None;
        let mut size = None;
        let mut message_id = None;
        let mut subject = None;
        let mut modseq = false;
        let mut body = false;
        let mut date = false;
        let mut flags = false;
        for item in items.iter() {
            match item {
                FetchItem::Uid(u) => uid = Some(u),
                FetchItem::Rfc822Size(n) => size = Some(n),
                FetchItem::Envelope(e) => {
                    message_id = e.message_id.as_ref().map(|m| m.to_str_lossy().into_owned());
                    subject = e.subject.as_ref().map(|m| m.to_str_lossy().into_owned());
                }
                FetchItem::ModSeq(_) => modseq = true,
                FetchItem::BodyStructure(_) => body = true,
                FetchItem::InternalDate(_) => date = true,
                FetchItem::Flags(_) => flags = true,
                _ => {}
            }
        }
        let Some(uid) = uid else {
            return Err(format!("a FETCH without UID: {items:?}"));
        };
        if !(body && date && flags && size.is_some() && subject.is_some()) {
            return Err(format!("UID {uid}: items missing: {items:?}"));
        }
        if condstore && !modseq {
            return Err(format!("UID {uid}: no MODSEQ under CONDSTORE"));
        }
        if uid <= SEEDS {
            let Some((crlf_size, id)) = seed_facts(peers, uid) else {
                return Err(format!("seed {uid} unknown (SEED_DIR in peers.env?)"));
            };
            if size != Some(crlf_size) {
                return Err(format!(
                    "UID {uid}: RFC822.SIZE {size:?}, the seed has {crlf_size}"
                ));
            }
            if message_id.as_deref() != Some(id.as_str()) {
                return Err(format!(
                    "UID {uid}: Message-ID {message_id:?}, expected {id}"
                ));
            }
            seen += 1;
        }
    }
    if seen == SEEDS {
        Ok(())
    } else {
        Err(format!("{seen} of the {SEEDS} seeds fetched"))
    }
}

/// The IMAP servers of the peers (Cyrus and Courier from `tests/peers/independent.sh`).
fn servers(peers: &Peers, test: &str) -> Option<Vec<Server>> {
    let port = |key: &str| peers.var(key).and_then(|p| p.parse::<u16>().ok());
    match (port("CYRUS_IMAP_PORT"), port("COURIER_IMAP_PORT")) {
        (Some(cyrus), Some(courier)) => Some(vec![
            Server {
                name: "Dovecot 2.3",
                port: peers.imap,
            },
            Server {
                name: "Cyrus 3.6",
                port: cyrus,
            },
            Server {
                name: "Courier-IMAP 5.0",
                port: courier,
            },
        ]),
        _ => {
            skip_or_fail(
                test,
                &format!(
                    "no CYRUS_IMAP_PORT / COURIER_IMAP_PORT in the peers' settings ({}): restart \
                     tests/peers/start.sh, which starts Cyrus and Courier too",
                    peers.source
                ),
            );
            None
        }
    }
}

#[test]
fn client_sync_against_every_imap_server_default_and_strict_quirks() {
    const TEST: &str = "interop_sync::client_sync_against_every_imap_server";
    let Some(peers) = peers_or_skip(TEST) else {
        return;
    };
    let Some(servers) = servers(&peers, TEST) else {
        return;
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut strict_deviations = Vec::new();
    for server in &servers {
        for (mode, quirks) in [
            ("default quirks", Quirks::default()),
            ("Quirks::STRICT", Quirks::STRICT),
        ] {
            let (steps, deviations) = sync(&peers, server, quirks);
            let strict = quirks == Quirks::STRICT;
            let mut note = format!(
                "{} MalformedResponse; {}",
                deviations.len(),
                steps.exercised.join(", ")
            );
            if !steps.failures.is_empty() {
                note.push_str(&format!("; failed: {}", steps.failures.join("; ")));
            }
            rows.push(Row {
                peer: format!("{} (127.0.0.1:{})", server.name, server.port),
                protocol: "IMAP",
                mode: format!("plain TCP, {mode}"),
                client: "mailwire::imap::Client".into(),
                passed: steps.passed,
                total: steps.total,
                note,
            });
            if strict {
                for d in deviations {
                    strict_deviations.push(format!(
                        "{}: {}: {:?}\n    {}",
                        server.name, d.step, d.raw, d.error
                    ));
                }
            } else {
                if !deviations.is_empty() {
                    problems.push(format!(
                        "{} with the default quirks: {} MalformedResponse: {deviations:#?}",
                        server.name,
                        deviations.len()
                    ));
                }
                if !steps.failures.is_empty() {
                    problems.push(format!(
                        "{} with the default quirks: {}",
                        server.name,
                        steps.failures.join("; ")
                    ));
                }
            }
        }
    }
    matrix::report(
        "sync",
        "mailwire::imap::Client sync: IMAP server × quirks (checks = sync steps)",
        &rows,
    );
    let _ = writeln!(
        std::io::stderr(),
        "strict-mode deviations ({}):\n{}",
        strict_deviations.len(),
        strict_deviations.join("\n")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The instrument itself: a scripted server on loopback answers CAPABILITY with a trailing space after the
/// list (`* CAPABILITY IMAP4rev1 IDLE ` CRLF, as Gmail and Yahoo send it). RFC 9051 §7.2.2 has no space
/// there (`capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" *(SP capability)`), so the strict
/// session must count one `MalformedResponse` and the default one none; otherwise the counts of the sync
/// above would prove nothing.
#[test]
fn the_sync_counts_what_strict_mode_rejects() {
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    fn scripted_server() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let port = listener.local_addr().expect("its address").port();
        std::thread::spawn(move || {
            let Ok((sock, _)) = listener.accept() else {
                return;
            };
            let mut out = sock.try_clone().expect("cloning the socket");
            let _ = out.write_all(b"* OK scripted\r\n");
            for line in BufReader::new(sock).lines() {
                let Ok(line) = line else { break };
                let tag = line.split(' ').next().unwrap_or("*").to_owned();
                let reply = if line.to_ascii_uppercase().ends_with("LOGOUT") {
                    format!("* BYE logging out\r\n{tag} OK bye\r\n")
                } else {
                    format!("* CAPABILITY IMAP4rev1 IDLE \r\n{tag} OK done\r\n")
                };
                if out.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
        });
        port
    }

    for (quirks, expected) in [(Quirks::default(), 0), (Quirks::STRICT, 1)] {
        let mut s = Session::connect(scripted_server(), quirks).expect("connecting");
        s.drive(None, |e| matches!(e, ClientEvent::Greeting(_)))
            .expect("the greeting");
        s.run("CAPABILITY", Client::capability)
            .expect("CAPABILITY completes whatever its data");
        s.run("LOGOUT", Client::logout).expect("LOGOUT");
        assert_eq!(
            s.deviations.len(),
            expected,
            "{quirks:?}: {:?}",
            s.deviations
        );
        if expected == 1 {
            assert_eq!(s.deviations[0].raw, "* CAPABILITY IMAP4rev1 IDLE");
        }
    }
}
