//! Interop: the library's IMAP client machine ([`mailwire::imap::Client`], Sans-IO) against real,
//! independent servers for the extensions that carry server-made identifiers and texts:
//!
//! - OBJECTID (RFC 8474) against Cyrus: `UID FETCH (UID EMAILID THREADID)` read as typed
//!   [`FetchItem::EmailId`] / [`FetchItem::ThreadId`] (through the [`FetchItems`] accessors), every id
//!   on the RFC's grammar (`objectid = 1*255(ALPHA / DIGIT / "_" / "-")`, §7) and distinct per message;
//!   `STATUS INBOX (MAILBOXID)` as a typed [`StatusItem::MailboxId`] equal to SELECT's `[MAILBOXID ...]`
//!   code; `UID SEARCH EMAILID <id>` finds exactly the message that id was fetched from, and a
//!   well-formed id no message has finds nothing.
//! - PREVIEW (RFC 8970) against Cyrus and Dovecot: `UID FETCH (UID PREVIEW)` read as typed
//!   [`FetchItem::Preview`]; a text preview must be found (whitespace folded) in the seed's body and keep
//!   to the RFC's 256-character limit (§3.3). `PREVIEW NIL` without LAZY breaks RFC 8970 §3.1 ("a
//!   zero-length string" when there is nothing to preview); the test prints it as a server deviation.
//! - SAVEDATE (RFC 8514) against Dovecot (and Cyrus, which offers it too): `UID FETCH (UID SAVEDATE)`
//!   read as typed [`FetchItem::SaveDate`], a date no earlier than the seed's own `Date:` header.
//! - Dovecot 2.3 does not list OBJECTID: the machine refuses to send EMAILID there
//!   ([`ApiMisuse::NotAdvertised`](mailwire::ApiMisuse)), and Dovecot answers BAD when it is sent anyway.
//!
//! Every check runs twice, with the default quirks and with [`Quirks::STRICT`]. Every session runs over
//! implicit TLS (Cyrus refuses LOGIN in the clear, LOGINDISABLED), with rustls
//! trusting exactly the peers' certificate (`PEER_CERT`); the machine is told the connection is under TLS
//! ([`ClientConfig::tls_active`]). Every `MalformedResponse` the machine reports fails the test with
//! the exact bytes the server sent. Skips loudly without peers; fails under `CI=true`.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::peers::{Peers, peers_or_skip, skip_or_fail};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, CommandBody, Data, DateTime, FetchItem, FetchItems,
    FetchQuery, ParseOptions, Quirks, SearchQuery, StatusAttribute, StatusItem, StatusKind, Tag,
    parse_command,
};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConnection, RootCertStore, StreamOwned};

/// One command may take this long.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The seeded messages, UIDs 1 to 4 on every server (`tests/peers/start.sh`, `SEED_DIR/N.eml`).
const SEEDS: u32 = 4;

/// Every check runs with the default quirks and with [`Quirks::STRICT`] (where the parser takes the
/// RFCs' grammar to the letter): both must read every response of these servers.
const MODES: [(&str, Quirks); 2] = [
    ("default quirks", Quirks::LENIENT),
    ("Quirks::STRICT", Quirks::STRICT),
];

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7).
fn is_objectid(id: &[u8]) -> bool {
    (1..=255).contains(&id.len())
        && id
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A command written as IMAP text (without tag), parsed by the crate's command parser.
fn command(text: &str) -> CommandBody<'static> {
    let line = format!("x {text}\r\n");
    parse_command(line.as_bytes(), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("cannot parse {text:?}: {e:?}"))
        .into_owned()
        .body
}

/// What one command brought.
struct Answer {
    status: StatusKind,
    text: String,
    data: Vec<Data<'static>>,
    /// The codes of the untagged status responses (`* OK [MAILBOXID (...)]`).
    codes: Vec<Code<'static>>,
}

/// The client machine over rustls over a blocking socket.
struct Session {
    /// The server and the quirks mode, for messages.
    server: String,
    tls: StreamOwned<ClientConnection, TcpStream>,
    client: Client,
    /// Every frame the machine refused: (exact bytes, error).
    malformed: Vec<(String, String)>,
}

impl Session {
    /// Connects to `port` over implicit TLS (trusting `PEER_CERT` only), reads the greeting, logs in.
    fn login(
        peers: &Peers,
        server: &str,
        port: u16,
        (mode, quirks): (&str, Quirks),
    ) -> Result<Session, String> {
        let server = format!("{server} ({mode})");
        let cert = peers
            .var("PEER_CERT")
            .ok_or("no PEER_CERT in the peers' settings")?;
        let file = std::fs::File::open(cert).map_err(|e| format!("{cert}: {e}"))?;
        let mut roots = RootCertStore::empty();
        for c in rustls_pemfile::certs(&mut BufReader::new(file)) {
            roots
                .add(c.map_err(|e| format!("{cert}: {e}"))?)
                .map_err(|e| format!("{cert}: {e}"))?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let conn = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
        let sock = TcpStream::connect((peers.host.as_str(), port))
            .map_err(|e| format!("{server} at {}:{port}: {e}", peers.host))?;
        sock.set_read_timeout(Some(STEP_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let mut config = ClientConfig::default();
        config.tls_active = true;
        config.quirks = quirks;
        let mut s = Session {
            server,
            tls: StreamOwned::new(conn, sock),
            client: Client::new(config),
            malformed: Vec::new(),
        };
        s.greeting()?;
        let tag = s
            .client
            .login(&peers.user, peers.pass.as_str())
            .map_err(|e| e.to_string())?;
        s.ok("LOGIN", &tag)?;
        Ok(s)
    }

    fn flush(&mut self) -> Result<(), String> {
        while let Some(bytes) = self.client.poll_transmit() {
            self.tls
                .write_all(&bytes)
                .map_err(|e| format!("{}: write: {e}", self.server))?;
        }
        self.tls
            .flush()
            .map_err(|e| format!("{}: write: {e}", self.server))
    }

    fn read_more(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 16384];
        let n = self
            .tls
            .read(&mut buf)
            .map_err(|e| format!("{}: read: {e}", self.server))?;
        if n == 0 {
            self.client.handle_eof();
            return Err(format!("{} closed the connection", self.server));
        }
        self.client.handle_input(&buf[..n]);
        Ok(())
    }

    fn greeting(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            while let Some(event) = self.client.poll_event().map_err(|e| e.to_string())? {
                if let ClientEvent::Greeting(g) = event {
                    return match g.kind {
                        StatusKind::Ok => Ok(()),
                        other => Err(format!("{}: greeting {other:?}", self.server)),
                    };
                }
            }
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("{}: no greeting", self.server));
            }
            self.read_more()?;
        }
    }

    /// Runs until `tag` completes, collecting its data and the codes of untagged status responses.
    fn run(&mut self, tag: &Tag<'static>) -> Result<Answer, String> {
        let started = Instant::now();
        let mut data = Vec::new();
        let mut codes = Vec::new();
        self.flush()?;
        loop {
            while let Some(event) = self
                .client
                .poll_event()
                .map_err(|e| format!("{}: the session failed: {e}", self.server))?
            {
                match event.into_owned() {
                    ClientEvent::Completed {
                        tag: t,
                        status,
                        text,
                        ..
                    } if t.as_str() == tag.as_str() => {
                        return Ok(Answer {
                            status,
                            text: text.to_str_lossy().into_owned(),
                            data,
                            codes,
                        });
                    }
                    ClientEvent::Data { data: d, .. } => data.push(d),
                    ClientEvent::Status { status, .. } => codes.extend(status.code),
                    ClientEvent::MalformedResponse { raw, error, .. } => self.malformed.push((
                        String::from_utf8_lossy(&raw).into_owned(),
                        error.to_string(),
                    )),
                    ClientEvent::OversizedResponse { .. } => {
                        return Err(format!("{}: an oversized response", self.server));
                    }
                    _ => {}
                }
            }
            self.flush()?;
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("{}: {tag:?} not completed in time", self.server));
            }
            self.read_more()?;
        }
    }

    /// Runs `tag`, which must complete OK.
    fn ok(&mut self, what: &str, tag: &Tag<'static>) -> Result<Answer, String> {
        let answer = self.run(tag)?;
        if answer.status == StatusKind::Ok {
            Ok(answer)
        } else {
            Err(format!(
                "{}: {what}: {:?} {}",
                self.server, answer.status, answer.text
            ))
        }
    }

    /// Panics with the exact bytes if the machine refused any frame.
    fn assert_no_malformed(&self) {
        assert!(
            self.malformed.is_empty(),
            "{}: the parser refused what the server sent:\n{}",
            self.server,
            self.malformed
                .iter()
                .map(|(raw, e)| format!("  {raw:?}\n    {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    fn logout(mut self) {
        if let Ok(tag) = self.client.logout() {
            let _ = self.run(&tag);
        }
        self.assert_no_malformed();
    }
}

/// The FETCH responses of `data` as (UID, items), sorted by UID; a response without UID fails.
fn fetched(
    data: &[Data<'static>],
) -> Vec<(u32, mailwire::imap::List<'static, FetchItem<'static>>)> {
    let mut out: Vec<_> = data
        .iter()
        .filter_map(|d| match d {
            Data::Fetch { items, .. } => Some(items.clone()),
            _ => None,
        })
        .map(|items| {
            let uid = items
                .uid()
                .unwrap_or_else(|| panic!("a UID FETCH answer without UID: {items:?}"));
            (uid, items)
        })
        .collect();
    out.sort_by_key(|(uid, _)| *uid);
    out
}

/// The UIDs of the SEARCH answers in `data`.
fn searched(data: &[Data<'static>]) -> Vec<u32> {
    let mut found = Vec::new();
    for d in data {
        match d {
            Data::Search { ids, .. } => found.extend(ids.iter()),
            Data::ESearch(e) => panic!("an ESEARCH answer to a plain UID SEARCH: {e:?}"),
            _ => {}
        }
    }
    found
}

/// The peers and the Cyrus IMAPS port, or `None` after a loud skip.
fn cyrus(test: &str) -> Option<(Peers, u16)> {
    let peers = peers_or_skip(test)?;
    match peers
        .var("CYRUS_IMAPS_PORT")
        .and_then(|p| p.parse::<u16>().ok())
    {
        Some(port) => Some((peers, port)),
        None => {
            skip_or_fail(
                test,
                "no CYRUS_IMAPS_PORT in the peers' settings: restart tests/peers/start.sh, which starts Cyrus too",
            );
            None
        }
    }
}

/// The seed `n` as stored (LF line ends).
fn seed(peers: &Peers, n: u32) -> String {
    let dir = peers.var("SEED_DIR").expect("SEED_DIR in peers.env");
    let raw = std::fs::read(format!("{dir}/{n}.eml")).expect("the seed file");
    String::from_utf8(raw).expect("the seeds are UTF-8 text")
}

/// Whitespace runs folded to one space, ends trimmed.
fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The seed's body (after the header), folded.
fn seed_body(peers: &Peers, n: u32) -> String {
    let raw = seed(peers, n);
    let body = raw.split_once("\n\n").map_or("", |(_, b)| b);
    fold(body)
}

/// The seed's `Date:` header's day, as (year, month, day); the seeds are dated in +0000.
fn seed_day(peers: &Peers, n: u32) -> (u16, u8, u8) {
    let raw = seed(peers, n);
    let date = raw
        .lines()
        .find_map(|l| l.strip_prefix("Date: "))
        .expect("a Date header");
    // "Mon, 02 Nov 2026 01:00:00 +0000"
    let parts: Vec<&str> = date.split_whitespace().collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])
    .expect("a month name");
    (
        parts[3].parse().expect("a year"),
        u8::try_from(month + 1).expect("a month"),
        parts[1].parse().expect("a day"),
    )
}

#[test]
fn cyrus_objectid_emailid_threadid_mailboxid_and_search_emailid() {
    const TEST: &str = "interop_objectid::cyrus_objectid";
    let Some((peers, port)) = cyrus(TEST) else {
        return;
    };
    for mode in MODES {
        cyrus_objectid(&peers, port, mode);
    }
}

fn cyrus_objectid(peers: &Peers, port: u16, mode: (&str, Quirks)) {
    let mut s = Session::login(peers, "Cyrus", port, mode).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        s.client.capabilities().has("OBJECTID"),
        "Cyrus does not list OBJECTID after LOGIN: {:?}",
        s.client.capabilities()
    );

    // RFC 8474 §4.1: SELECT answers with `* OK [MAILBOXID (<objectid>)]`.
    let tag = s.client.select("INBOX").unwrap();
    let select = s.ok("SELECT INBOX", &tag).unwrap();
    let selected_id = select
        .codes
        .iter()
        .find_map(|c| match c {
            Code::MailboxId(id) => Some(id.as_bytes().to_vec()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no [MAILBOXID] code in SELECT: {:?}", select.codes));
    assert!(is_objectid(&selected_id), "{selected_id:?}");

    // RFC 8474 §4.3: status-att-value =/ "MAILBOXID" SP "(" objectid ")"
    let tag = s
        .client
        .status("INBOX", &[StatusAttribute::MailboxId])
        .unwrap();
    let status = s.ok("STATUS INBOX (MAILBOXID)", &tag).unwrap();
    let status_id = status
        .data
        .iter()
        .find_map(|d| match d {
            Data::Status { items, .. } => items.iter().find_map(|i| match i {
                StatusItem::MailboxId(id) => Some(id.as_bytes().to_vec()),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no typed MAILBOXID in STATUS: {:?}", status.data));
    assert!(is_objectid(&status_id), "{status_id:?}");
    assert_eq!(
        status_id, selected_id,
        "STATUS and SELECT name INBOX by different MAILBOXIDs"
    );

    // RFC 8474 §5.1, §5.2: msg-att-static =/ "EMAILID" SP "(" objectid ")" /
    //                                        "THREADID" SP ( "(" objectid ")" / nil )
    let query = FetchQuery::new().uid().email_id().thread_id();
    let tag = s.client.uid_fetch(1..=SEEDS, &query).unwrap();
    let fetch = s.ok("UID FETCH (UID EMAILID THREADID)", &tag).unwrap();
    let messages = fetched(&fetch.data);
    assert_eq!(
        messages.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        (1..=SEEDS).collect::<Vec<_>>(),
        "the seeds' UIDs: {:?}",
        fetch.data
    );
    let mut ids: Vec<(u32, String)> = Vec::new();
    for (uid, items) in &messages {
        assert!(
            items.iter().any(|i| matches!(i, FetchItem::EmailId(_))),
            "UID {uid}: no typed FetchItem::EmailId: {items:?}"
        );
        let email = items.email_id().expect("the accessor finds EMAILID");
        assert!(
            is_objectid(email.as_bytes()),
            "UID {uid}: EMAILID {email:?} off the objectid grammar"
        );
        let thread = items
            .thread_id()
            .unwrap_or_else(|| panic!("UID {uid}: no typed THREADID: {items:?}"));
        // `THREADID NIL` (Some(None)) is a message without thread; an id must be on the grammar.
        if let Some(t) = &thread {
            assert!(is_objectid(t.as_bytes()), "UID {uid}: THREADID {t:?}");
            if t.as_bytes() == b"NIL" {
                // Cyrus without conversations sends `THREADID (NIL)`: by the ABNF the objectid
                // "NIL", not the nil RFC 8474 §5.2 has for "no thread". Reported, not refused.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: Cyrus: UID {uid}: `THREADID (NIL)` (an objectid spelled NIL, not nil)"
                );
            }
        }
        ids.push((*uid, email.to_str_lossy().into_owned()));
    }
    let mut distinct: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "EMAILIDs repeat: {ids:?}");

    // The same ids a second time: RFC 8474 §5.1, an EMAILID is immutable.
    let tag = s
        .client
        .uid_fetch(1..=SEEDS, &FetchQuery::new().uid().email_id())
        .unwrap();
    let again = s.ok("UID FETCH (UID EMAILID) again", &tag).unwrap();
    let again: Vec<(u32, String)> = fetched(&again.data)
        .iter()
        .map(|(uid, items)| {
            (
                *uid,
                items
                    .email_id()
                    .map(|e| e.to_str_lossy().into_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(again, ids, "the EMAILIDs changed between two FETCHes");

    // RFC 8474 §6: search-key =/ "EMAILID" SP objectid; each id finds its own message, only.
    for (uid, id) in &ids {
        let tag = s
            .client
            .uid_search(&SearchQuery::new().email_id(id))
            .unwrap();
        let found = s.ok("UID SEARCH EMAILID", &tag).unwrap();
        assert_eq!(
            searched(&found.data),
            [*uid],
            "UID SEARCH EMAILID {id}: {:?}",
            found.data
        );
    }
    // A well-formed id that no message has.
    let tag = s
        .client
        .uid_search(&SearchQuery::new().email_id("Mmailwire-no-such-message"))
        .unwrap();
    let none = s.ok("UID SEARCH EMAILID (no such id)", &tag).unwrap();
    assert_eq!(searched(&none.data), [0u32; 0], "{:?}", none.data);
    s.logout();
}

/// `UID FETCH 1:4 (UID PREVIEW)` (or `PREVIEW (LAZY)`) on `server`: (UID, preview) per seed.
fn previews(s: &mut Session, lazy: bool) -> Vec<(u32, Option<String>)> {
    let query = if lazy {
        FetchQuery::new().uid().preview_lazy()
    } else {
        FetchQuery::new().uid().preview()
    };
    let tag = s.client.uid_fetch(1..=SEEDS, &query).unwrap();
    let answer = s
        .ok("UID FETCH (UID PREVIEW)", &tag)
        .unwrap_or_else(|e| panic!("{e}"));
    let messages = fetched(&answer.data);
    assert_eq!(
        messages.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        (1..=SEEDS).collect::<Vec<_>>(),
        "{}: the seeds' UIDs: {:?}",
        s.server,
        answer.data
    );
    messages
        .iter()
        .map(|(uid, items)| {
            assert!(
                items.iter().any(|i| matches!(i, FetchItem::Preview(_))),
                "{}: UID {uid}: no typed FetchItem::Preview: {items:?}",
                s.server
            );
            let p = items.preview().expect("the accessor finds PREVIEW");
            let text = p.map(|t| {
                t.as_str()
                    .unwrap_or_else(|| {
                        panic!("{}: UID {uid}: a preview not UTF-8: {t:?}", s.server)
                    })
                    .to_owned()
            });
            (*uid, text)
        })
        .collect()
}

/// A preview text must keep to RFC 8970 §3.3's limit and be found, whitespace folded, in the seed's
/// body (a preview is made from the message's text; the seeds' texts are plain).
fn check_preview_text(peers: &Peers, server: &str, uid: u32, text: &str) {
    assert!(
        text.chars().count() <= FetchItem::PREVIEW_MAX_CHARS,
        "{server}: UID {uid}: a preview of {} characters",
        text.chars().count()
    );
    let folded = fold(text);
    assert!(
        !folded.is_empty(),
        "{server}: UID {uid}: an empty preview of a seed with text"
    );
    let body = seed_body(peers, uid);
    assert!(
        body.contains(&folded),
        "{server}: UID {uid}: the preview {folded:?} is not in the seed's body {body:?}"
    );
}

#[test]
fn preview_against_dovecot_and_cyrus() {
    const TEST: &str = "interop_objectid::preview";
    let Some((peers, cyrus_port)) = cyrus(TEST) else {
        return;
    };
    for mode in MODES {
        preview(&peers, cyrus_port, mode);
    }
}

fn preview(peers: &Peers, cyrus_port: u16, mode: (&str, Quirks)) {
    // Dovecot: a real preview for every seed (seed 3's comes as a literal: 8-bit UTF-8).
    let mut s =
        Session::login(peers, "Dovecot", peers.imaps, mode).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        s.client.capabilities().has("PREVIEW"),
        "Dovecot does not list PREVIEW: {:?}",
        s.client.capabilities()
    );
    let tag = s.client.examine("INBOX").unwrap();
    s.ok("EXAMINE INBOX", &tag).unwrap();
    // Dovecot 2.3 does not list OBJECTID: the machine refuses to put EMAILID on the wire (RFC 8474 §3:
    // a server advertising OBJECTID supports the items), and Dovecot, asked anyway, answers BAD.
    assert!(
        !s.client.capabilities().has("OBJECTID"),
        "Dovecot lists OBJECTID now: test it there"
    );
    let refused = s.client.uid_fetch(1, &FetchQuery::new().uid().email_id());
    assert!(
        matches!(
            refused,
            Err(mailwire::Error::Misuse(
                mailwire::ApiMisuse::NotAdvertised {
                    extension: "OBJECTID"
                }
            ))
        ),
        "{refused:?}"
    );
    let tag = s
        .client
        .send_unadvertised(command("UID FETCH 1 (UID EMAILID)"))
        .unwrap();
    let bad = s.run(&tag).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        bad.status,
        StatusKind::Bad,
        "Dovecot took EMAILID: {}",
        bad.text
    );

    let eager = previews(&mut s, false);
    for (uid, text) in &eager {
        let text = text.as_deref().unwrap_or_else(|| {
            panic!("Dovecot: UID {uid}: PREVIEW NIL without LAZY (RFC 8970 §3.1)")
        });
        check_preview_text(peers, "Dovecot", *uid, text);
    }
    // Seed 3's preview (8-bit UTF-8, sent as a literal) holds its non-ASCII text whole.
    let third = eager[2].1.as_deref().unwrap_or_default();
    assert!(
        third.contains("Köln") && third.contains("こんにちは") && third.contains("📬"),
        "{third:?}"
    );
    // PREVIEW (LAZY): a text where there is one, the same as without LAZY (Dovecot has them by now).
    for (uid, text) in previews(&mut s, true) {
        if let Some(text) = text {
            check_preview_text(peers, "Dovecot", uid, &text);
        }
    }
    s.logout();

    // Cyrus: typed answers; a NIL to a request without LAZY is reported as the server's deviation.
    let mut s = Session::login(peers, "Cyrus", cyrus_port, mode).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        s.client.capabilities().has("PREVIEW"),
        "Cyrus does not list PREVIEW: {:?}",
        s.client.capabilities()
    );
    let tag = s.client.examine("INBOX").unwrap();
    s.ok("EXAMINE INBOX", &tag).unwrap();
    for lazy in [false, true] {
        for (uid, text) in previews(&mut s, lazy) {
            match text {
                Some(text) => check_preview_text(peers, "Cyrus", uid, &text),
                None if lazy => {}
                None => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "deviation: Cyrus: UID {uid}: `PREVIEW NIL` to a FETCH PREVIEW without LAZY \
                         (RFC 8970 §3.1 asks for a zero-length string when there is no preview)"
                    );
                }
            }
        }
    }
    s.logout();
}

/// The day of `d` as written, (year, month, day): the seeds' dates and the peers' save dates are in
/// +0000, so days compare without zone arithmetic.
fn day_of(d: &DateTime) -> (u16, u8, u8) {
    (d.date.year, d.date.month, d.date.day)
}

#[test]
fn savedate_against_dovecot_and_cyrus() {
    const TEST: &str = "interop_objectid::savedate";
    let Some((peers, cyrus_port)) = cyrus(TEST) else {
        return;
    };
    for ((server, port), mode) in [("Dovecot", peers.imaps), ("Cyrus", cyrus_port)]
        .into_iter()
        .flat_map(|server| MODES.map(|mode| (server, mode)))
    {
        let mut s = Session::login(&peers, server, port, mode).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            s.client.capabilities().has("SAVEDATE"),
            "{server} does not list SAVEDATE: {:?}",
            s.client.capabilities()
        );
        let tag = s.client.examine("INBOX").unwrap();
        s.ok("EXAMINE INBOX", &tag).unwrap();
        // RFC 8514 §4: msg-att-dynamic =/ "SAVEDATE" SP (date-time / nil)
        let query = FetchQuery::new()
            .uid()
            .attribute(mailwire::imap::FetchAttribute::SaveDate);
        let tag = s.client.uid_fetch(1..=SEEDS, &query).unwrap();
        let answer = s
            .ok("UID FETCH (UID SAVEDATE)", &tag)
            .unwrap_or_else(|e| panic!("{e}"));
        let messages = fetched(&answer.data);
        assert_eq!(
            messages.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
            (1..=SEEDS).collect::<Vec<_>>(),
            "{server}: {:?}",
            answer.data
        );
        for (uid, items) in &messages {
            let saved = items
                .iter()
                .find_map(|i| match i {
                    FetchItem::SaveDate(d) => Some(d),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{server}: UID {uid}: no typed SAVEDATE: {items:?}"));
            // Both servers keep save dates for INBOX: NIL is for a mailbox that does not.
            let saved =
                saved.unwrap_or_else(|| panic!("{server}: UID {uid}: SAVEDATE NIL in INBOX"));
            assert!(
                saved.hour < 24 && saved.minute < 60 && saved.second <= 60,
                "{server}: UID {uid}: {saved:?}"
            );
            // The seeds were saved when the peers started, after the day their Date: names.
            assert!(
                day_of(&saved) >= seed_day(&peers, *uid),
                "{server}: UID {uid}: saved {saved:?}, before its Date: header"
            );
        }
        s.logout();
    }
}
