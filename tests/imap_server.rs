//! The IMAP server machine fed scripted client transcripts in memory: whole
//! sessions, literals (sync, LITERAL+, LITERAL-), APPEND streaming,
//! AUTHENTICATE, STARTTLS injection, IDLE, wrong-state commands, limits,
//! split-at-every-byte runs and hostile input.

use std::borrow::Cow;

use mailwire::Error;
use mailwire::error::LimitKind;
use mailwire::imap::server::{Greeting, ServerState};
use mailwire::imap::{
    Code, CommandBody, Data, FetchItem, FetchLiteral, Flag, LiteralSupport, Section, SectionText,
    Server, ServerConfig, ServerEvent, StatusKind,
};
use mailwire::imap::{
    Frame, Framer, List, ParseOptions, SequenceSet, parse_greeting, parse_response,
};
use mailwire::wire::line::LinePolicy;
use mailwire::wire::sasl::Authentication;

const HEADER: &[u8] =
    b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nSubject: afternoon meeting\r\n\r\n";

/// The application: accepts what the tests expect it to accept and records
/// every event.
struct App {
    log: Vec<String>,
    appended: Vec<Vec<u8>>,
    append_tag: Option<String>,
    literal_max: u64,
    tls: bool,
    respond: bool,
}

impl App {
    fn new() -> App {
        App {
            log: Vec::new(),
            appended: Vec::new(),
            append_tag: None,
            literal_max: 1 << 20,
            tls: true,
            respond: true,
        }
    }

    fn handle(&mut self, server: &mut Server) -> Result<(), Error> {
        loop {
            let Some(event) = server.poll_event()? else {
                return Ok(());
            };
            let event = event.into_owned();
            match &event {
                ServerEvent::AppendChunk(c) => {
                    // chunks are logged merged, so any split gives the same log
                    self.appended.last_mut().unwrap().extend_from_slice(c);
                    continue;
                }
                ServerEvent::AppendStart { size, .. } => {
                    self.log.push(format!("AppendStart size={size}"));
                }
                other => self.log.push(format!("{other:?}")),
            }
            if !self.respond {
                continue;
            }
            match event {
                ServerEvent::Command(cmd) => {
                    let tag = cmd.tag.as_str().to_owned();
                    match cmd.body {
                        CommandBody::Select { .. } => {
                            server.send_untagged_data(&Data::Exists(18))?;
                            server.send_untagged_data(&Data::Flags(List::from_items(vec![
                                Flag::Answered,
                                Flag::Flagged,
                                Flag::Deleted,
                                Flag::Seen,
                                Flag::Draft,
                            ])))?;
                            server.send_untagged(
                                StatusKind::Ok,
                                Some(Code::UidValidity(3857529045)),
                                "UIDs valid",
                            )?;
                            server.complete(
                                &tag,
                                StatusKind::Ok,
                                Some(Code::ReadWrite),
                                "SELECT completed",
                            )?;
                        }
                        CommandBody::Fetch { .. } => {
                            server.start_fetch(12, &[FetchItem::Rfc822Size(4286)])?;
                            let section = Section {
                                text: Some(SectionText::Header),
                                ..Default::default()
                            };
                            server.start_fetch_literal(
                                &FetchLiteral::BodySection {
                                    section,
                                    origin: None,
                                },
                                HEADER.len() as u64,
                            )?;
                            for c in HEADER.chunks(7) {
                                server.send_body(c)?;
                            }
                            server.fetch_items(&[FetchItem::Uid(7)])?;
                            server.finish_fetch()?;
                            server.complete(&tag, StatusKind::Ok, None, "FETCH completed")?;
                        }
                        CommandBody::Store { .. } => {
                            server.send_untagged_data(&Data::Fetch {
                                seq: 12,
                                items: List::from_items(vec![FetchItem::Flags(List::from_items(
                                    vec![Flag::Seen, Flag::Deleted],
                                ))]),
                            })?;
                            server.complete(&tag, StatusKind::Ok, None, "+FLAGS completed")?;
                        }
                        _ => server.complete(&tag, StatusKind::Ok, None, "done")?,
                    }
                }
                ServerEvent::Login {
                    tag,
                    username,
                    password,
                } => {
                    let ok = username.as_bytes() == b"mrc" && password.expose() == b"secret";
                    if ok {
                        server.complete(tag.as_str(), StatusKind::Ok, None, "LOGIN completed")?;
                    } else {
                        server.complete(
                            tag.as_str(),
                            StatusKind::No,
                            Some(Code::AuthenticationFailed),
                            "bad password",
                        )?;
                    }
                }
                ServerEvent::Authenticate {
                    tag,
                    authentication,
                } => {
                    let ok = matches!(&authentication, Authentication::Plain { authcid, password, .. }
                        if authcid == "mrc" && password.expose() == b"secret");
                    let kind = if ok { StatusKind::Ok } else { StatusKind::No };
                    server.complete(tag.as_str(), kind, None, "AUTHENTICATE done")?;
                }
                ServerEvent::LiteralRequested { size, .. } => {
                    if size <= self.literal_max {
                        server.accept_literal()?;
                    } else {
                        server.reject_literal(None, "too big")?;
                    }
                }
                ServerEvent::AppendStart { tag, size, .. } => {
                    if size <= self.literal_max {
                        server.accept_literal()?;
                        self.appended.push(Vec::new());
                        self.append_tag = Some(tag.as_str().to_owned());
                    } else {
                        server.reject_literal(
                            Some(Code::Other {
                                name: mailwire::imap::Atom::new("TOOBIG").unwrap(),
                                value: None,
                            }),
                            "message too large",
                        )?;
                    }
                }
                ServerEvent::AppendEnd { more: false } => {
                    let tag = self.append_tag.take().unwrap();
                    server.complete(&tag, StatusKind::Ok, None, "APPEND completed")?;
                }
                ServerEvent::Idle { .. } => {
                    server.send_untagged_data(&Data::Exists(19))?;
                }
                ServerEvent::StartTls if self.tls => server.tls_established()?,
                _ => {}
            }
        }
    }
}

fn config() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.plaintext_requires_tls = false;
    c.autologout = None;
    c
}

fn drain(server: &mut Server, out: &mut Vec<u8>) {
    while let Some(b) = server.poll_transmit() {
        out.extend_from_slice(&b);
    }
}

/// Runs `input` cut at `cuts` through a server; returns (output, event log,
/// appended messages, final error).
fn run_with(
    config: ServerConfig,
    app: &mut App,
    input: &[u8],
    cuts: &[usize],
) -> (Vec<u8>, Option<Error>) {
    let mut server = Server::new(config);
    let mut out = Vec::new();
    drain(&mut server, &mut out);
    let mut start = 0;
    let mut ends = cuts.to_vec();
    ends.push(input.len());
    let mut err = None;
    for end in ends {
        server.handle_input(&input[start..end]);
        start = end;
        if let Err(e) = app.handle(&mut server) {
            err = Some(e);
            break;
        }
        drain(&mut server, &mut out);
    }
    drain(&mut server, &mut out);
    assert_responses_parse(&out);
    (out, err)
}

/// Everything the server sent is a sequence of valid responses (checked with
/// the crate's own response framer and parser).
fn assert_responses_parse(mut out: &[u8]) {
    let mut framer = Framer::for_responses(&mailwire::Limits::default(), LinePolicy::STRICT);
    let mut first = true;
    while !out.is_empty() {
        let Frame::Complete(n) = framer.find(out).unwrap() else {
            panic!("incomplete response: {:?}", String::from_utf8_lossy(out))
        };
        let frame = &out[..n];
        let r = if first {
            parse_greeting(frame, &ParseOptions::STRICT).map(|_| ())
        } else {
            parse_response(frame, &ParseOptions::STRICT).map(|_| ())
        };
        assert!(r.is_ok(), "{r:?}: {:?}", String::from_utf8_lossy(frame));
        first = false;
        out = &out[n..];
    }
}

fn run(input: &[u8]) -> (String, App) {
    let mut app = App::new();
    let (out, err) = run_with(config(), &mut app, input, &[]);
    assert_eq!(err, None);
    (String::from_utf8_lossy(&out).into_owned(), app)
}

/// The output after the greeting.
fn body(out: &str) -> &str {
    &out[out.find("\r\n").unwrap() + 2..]
}

#[test]
fn rfc9051_sample_session() {
    let input = b"a001 login mrc secret\r\na002 select inbox\r\na003 fetch 12 body[header]\r\na004 store 12 +flags \\deleted\r\na005 logout\r\n";
    let (out, app) = run(input);
    // before login LITERAL- is offered (no unauthenticated literal may exceed 4096
    // bytes), LITERAL+ after
    assert!(out.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL- ENABLE IDLE UNSELECT] IMAP server ready\r\n"), "{out}");
    let expected = format!(
        "a001 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE UNSELECT] LOGIN completed\r\n\
         * 18 EXISTS\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n\
         * 12 FETCH (RFC822.SIZE 4286 BODY[HEADER] {{{}}}\r\n{} UID 7)\r\n\
         a003 OK FETCH completed\r\n\
         * 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
         a004 OK +FLAGS completed\r\n\
         * BYE logging out\r\n\
         a005 OK LOGOUT completed\r\n",
        HEADER.len(),
        String::from_utf8_lossy(HEADER)
    );
    assert_eq!(body(&out), expected);
    assert_eq!(app.log.len(), 4, "{:?}", app.log);
}

#[test]
fn whole_session_split_at_every_byte() {
    let input: &[u8] = b"a1 LOGIN {3}\r\nmrc {6+}\r\nsecret\r\na2 SELECT INBOX\r\na3 APPEND INBOX (\\Seen) {11}\r\nhello world\r\na4 IDLE\r\nDONE\r\na5 AUTHENTICATE PLAIN\r\na6 FETCH 1 BODY[]\r\na7 LOGOUT\r\n";
    let mut app = App::new();
    let (whole, err) = run_with(config(), &mut app, input, &[]);
    assert_eq!(err, None);
    let whole_log = app.log.clone();
    let whole_appended = app.appended.clone();
    assert_eq!(whole_appended, vec![b"hello world".to_vec()]);
    assert!(
        whole_log.iter().any(|l| l.starts_with("IdleDone")),
        "{whole_log:?}"
    );
    for cut in 0..=input.len() {
        let mut app = App::new();
        let (out, err) = run_with(config(), &mut app, input, &[cut]);
        assert_eq!(err, None);
        assert_eq!(out, whole, "cut at {cut}");
        assert_eq!(app.log, whole_log, "cut at {cut}");
        assert_eq!(app.appended, whole_appended, "cut at {cut}");
    }
    let all: Vec<usize> = (1..input.len()).collect();
    let mut app = App::new();
    let (out, _) = run_with(config(), &mut app, input, &all);
    assert_eq!(out, whole);
    assert_eq!(app.log, whole_log);
    assert_eq!(app.appended, whole_appended);
}

#[test]
fn append_sync_literal_accepted() {
    let (out, app) = run(b"a1 LOGIN mrc secret\r\na2 APPEND INBOX (\\Seen \\Draft) \"17-Jul-1996 02:44:25 -0700\" {5}\r\nhello\r\na3 NOOP\r\n");
    assert!(
        body(&out).contains("+ Ready for literal data\r\na2 OK APPEND completed\r\na3 OK done\r\n"),
        "{out}"
    );
    assert_eq!(app.appended, vec![b"hello".to_vec()]);
}

#[test]
fn append_event_carries_mailbox_flags_date() {
    let mut server = Server::new(config());
    server.handle_input(b"a1 LOGIN mrc secret\r\n");
    let Some(ServerEvent::Login { tag, .. }) = server.poll_event().unwrap() else {
        panic!()
    };
    let tag = tag.as_str().to_owned();
    server.complete(&tag, StatusKind::Ok, None, "ok").unwrap();
    server.handle_input(b"a2 APPEND {5}\r\n");
    // the mailbox is a literal: asked about like any other
    let Some(ServerEvent::LiteralRequested {
        size: 5, command, ..
    }) = server.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(command, "APPEND");
    server.accept_literal().unwrap();
    server.handle_input(b"Draft (\\Seen) \"17-Jul-1996 02:44:25 -0700\" ~{3}\r\n");
    let Some(ServerEvent::AppendStart {
        tag,
        mailbox,
        flags,
        date,
        size,
        binary,
        non_sync,
    }) = server.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(tag.as_str(), "a2");
    assert_eq!(mailbox.as_bytes(), b"Draft");
    assert_eq!(flags.unwrap().to_vec(), vec![Flag::Seen]);
    assert_eq!(date.unwrap().date.year, 1996);
    assert_eq!((size, binary, non_sync), (3, true, false));
    server.accept_literal().unwrap();
    server.handle_input(b"\0a\0\r\n");
    let Some(ServerEvent::AppendChunk(c)) = server.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(&c[..], b"\0a\0");
    assert_eq!(
        server.poll_event().unwrap(),
        Some(ServerEvent::AppendEnd { more: false })
    );
    // completing before the end would have been refused; now it is fine
    server
        .complete("a2", StatusKind::Ok, None, "APPEND completed")
        .unwrap();
}

#[test]
fn append_ten_gib_refused_before_a_byte() {
    let mut app = App::new();
    let mut c = config();
    c.limits.literal_size = 20 << 30;
    c.limits.message_size = 20 << 30;
    let input = b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {10737418240}\r\na3 NOOP\r\n";
    let (out, err) = run_with(c, &mut app, input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert!(
        body(&out).contains("a2 NO [TOOBIG] message too large\r\na3 OK done\r\n"),
        "{out}"
    );
    assert!(!out.contains("+ Ready"));
    assert!(
        app.log
            .contains(&"AppendStart size=10737418240".to_string())
    );
    // over Limits::literal_size, the machine refuses without asking
    let (out, app) = run(b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {10737418240}\r\na3 NOOP\r\n");
    assert!(
        body(&out).contains("a2 NO [TOOBIG] literal too large\r\na3 OK done\r\n"),
        "{out}"
    );
    assert!(!app.log.iter().any(|l| l.starts_with("AppendStart")));
}

#[test]
fn literal_plus_append_and_multiappend() {
    let (out, app) = run(
        b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {3+}\r\none (\\Seen) {3+}\r\ntwo\r\na3 NOOP\r\n",
    );
    assert!(!out.contains("+ Ready"), "{out}");
    assert!(
        body(&out).contains("a2 OK APPEND completed\r\na3 OK done\r\n"),
        "{out}"
    );
    assert_eq!(app.appended, vec![b"one".to_vec(), b"two".to_vec()]);
    assert!(
        app.log.contains(&"AppendEnd { more: true }".to_string()),
        "{:?}",
        app.log
    );
}

#[test]
fn literal_plus_refused_is_discarded_and_stays_in_sync() {
    let mut app = App::new();
    app.literal_max = 4;
    let (out, err) = run_with(
        config(),
        &mut app,
        b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {10+}\r\na3 NOOP\r\n\r\na4 NOOP\r\n",
        &[],
    );
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    // the ten literal bytes ("a3 NOOP\r\n\r" is 10) are skipped, then the rest of a2's line
    assert!(
        body(&out).contains("a2 NO [TOOBIG] message too large\r\na4 OK done\r\n"),
        "{out}"
    );
}

#[test]
fn literal_minus_over_4096_is_bad_and_stays_in_sync() {
    let mut c = config();
    c.literals = LiteralSupport::Minus;
    let mut input = b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {5000+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 4990));
    input.extend_from_slice(b"a9 NOOP\r\n\r\na3 NOOP\r\n"); // 10 more bytes of literal, then CRLF
    let mut app = App::new();
    let (out, err) = run_with(c.clone(), &mut app, &input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("LITERAL-"));
    assert!(
        body(&out).contains(
            "a2 BAD [TOOBIG] non-synchronizing literal over 4096 bytes\r\na3 OK done\r\n"
        ),
        "{out}"
    );
    assert!(!out.contains("a9"));
    // at 4096 it is fine
    let mut input = b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {4096+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'y', 4096));
    input.extend_from_slice(b"\r\na3 NOOP\r\n");
    let mut app = App::new();
    let (out, err) = run_with(c, &mut app, &input, &[]);
    assert_eq!(err, None);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("a2 OK APPEND completed\r\na3 OK done\r\n")
    );
    assert_eq!(app.appended[0].len(), 4096);
}

#[test]
fn non_sync_literal_without_the_extension() {
    let mut c = config();
    c.literals = LiteralSupport::SyncOnly;
    c.imap4rev2 = false;
    let mut app = App::new();
    let (out, err) = run_with(
        c,
        &mut app,
        b"a1 LOGIN mrc {6+}\r\nsecret\r\na2 NOOP\r\n",
        &[],
    );
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("LITERAL"));
    // not TOOBIG (RFC 7888 §4 gives that code to LITERAL-'s 4096-byte rule):
    // without the extension `{n+}` is a client bug; its six bytes are
    // discarded, not read as a command
    assert!(
        body(&out).contains(
            "a1 BAD [CLIENTBUG] non-synchronizing literals are not supported\r\na2 OK done\r\n"
        ),
        "{out}"
    );
}

/// IMAP4rev2 includes LITERAL- (RFC 9051 §4.3: "Unless otherwise specified
/// in an IMAP extension, non-synchronizing literals MUST NOT be larger than
/// 4096 octets"): a rev2 server configured for synchronizing literals only
/// still takes `{n+}` up to 4096 bytes, and answers a larger one `BAD
/// [TOOBIG]` (RFC 7888 §4).
#[test]
fn sync_only_with_imap4rev2_takes_small_plus_literals() {
    let mut c = config();
    c.literals = LiteralSupport::SyncOnly;
    assert!(c.imap4rev2);
    let mut app = App::new();
    let mut input = b"a1 LOGIN mrc {6+}\r\nsecret\r\na2 NOOP\r\na3 CREATE {5000+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b"\r\na4 NOOP\r\n");
    let (out, err) = run_with(c, &mut app, &input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("LITERAL"), "{out}");
    assert!(out.contains("a1 OK"), "{out}");
    assert!(out.contains("a2 OK done"), "{out}");
    assert!(out.contains("a3 BAD [TOOBIG]"), "{out}");
    assert!(out.contains("a4 OK done"), "{out}");
}

#[test]
fn sync_literal_rejected_by_the_app() {
    let mut app = App::new();
    app.literal_max = 2;
    let (out, err) = run_with(config(), &mut app, b"a1 LOGIN mrc {6}\r\na2 NOOP\r\n", &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(body(&out), "a1 NO too big\r\na2 OK done\r\n");
}

#[test]
fn authenticate_plain_with_continuation() {
    // \0mrc\0secret
    let (out, app) = run(b"a1 AUTHENTICATE PLAIN\r\nAG1yYwBzZWNyZXQ=\r\na2 SELECT INBOX\r\n");
    assert!(body(&out).starts_with("+ \r\na1 OK [CAPABILITY "), "{out}");
    assert!(out.contains("a2 OK [READ-WRITE]"));
    assert!(app.log[0].starts_with("Authenticate"));
}

#[test]
fn authenticate_plain_with_sasl_ir() {
    let (out, _) = run(b"a1 AUTHENTICATE PLAIN AG1yYwBzZWNyZXQ=\r\n");
    assert!(body(&out).starts_with("a1 OK [CAPABILITY "), "{out}");
    let (out, _) = run(b"a1 AUTHENTICATE PLAIN AG1yYwBiYWQ=\r\n");
    assert_eq!(body(&out), "a1 NO AUTHENTICATE done\r\n");
}

#[test]
fn authenticate_cancelled() {
    let (out, app) = run(b"a1 AUTHENTICATE PLAIN\r\n*\r\na2 FETCH 1 FLAGS\r\n");
    assert_eq!(
        body(&out),
        "+ \r\na1 BAD AUTHENTICATE cancelled\r\na2 BAD [CLIENTBUG] not authenticated\r\n"
    );
    assert!(app.log.is_empty());
    let (out, _) = run(b"a1 AUTHENTICATE CRAM-MD5\r\n");
    assert_eq!(body(&out), "a1 NO [CANNOT] unsupported mechanism\r\n");
}

#[test]
fn login_disabled_without_tls() {
    let mut c = ServerConfig::default();
    c.tls_available = true;
    let mut app = App::new();
    let input =
        b"a1 CAPABILITY\r\na2 LOGIN mrc secret\r\na3 AUTHENTICATE PLAIN AG1yYwBzZWNyZXQ=\r\n";
    let (out, err) = run_with(c, &mut app, input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED SASL-IR"),
        "{out}"
    );
    assert!(body(&out).contains("a2 NO [PRIVACYREQUIRED] LOGIN requires TLS\r\na3 NO [PRIVACYREQUIRED] mechanism requires TLS\r\n"), "{out}");
}

#[test]
fn starttls_discards_injected_commands() {
    let mut c = ServerConfig::default();
    c.tls_available = true;
    let mut app = App::new();
    let input = b"a1 STARTTLS\r\na2 LOGIN mrc secret\r\na3 SELECT INBOX\r\n";
    let (out, err) = run_with(c, &mut app, input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(body(&out), "a1 OK Begin TLS negotiation now\r\n");
    assert_eq!(app.log, vec!["StartTls".to_string()]);
}

#[test]
fn starttls_then_capabilities_change() {
    let mut c = ServerConfig::default();
    c.tls_available = true;
    let mut server = Server::new(c);
    server.poll_transmit();
    server.handle_input(b"a1 STARTTLS\r\n");
    assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::StartTls));
    // bytes arriving before the handshake are dropped
    server.handle_input(b"a2 LOGIN mrc secret\r\n");
    assert!(server.poll_event().unwrap().is_none());
    server.tls_established().unwrap();
    assert!(server.tls_active());
    server.poll_transmit();
    server.handle_input(b"a3 CAPABILITY\r\na4 STARTTLS\r\n");
    assert!(server.poll_event().unwrap().is_none());
    let out = server.poll_transmit().unwrap();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(
        out,
        "* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL- ENABLE IDLE UNSELECT\r\na3 OK CAPABILITY completed\r\na4 BAD STARTTLS not available\r\n"
    );
    assert_eq!(
        server.tls_established(),
        Err(Error::Misuse(mailwire::error::ApiMisuse::NoTlsPending))
    );
}

#[test]
fn idle_updates_and_done() {
    let (out, app) = run(b"a1 LOGIN mrc secret\r\na2 SELECT INBOX\r\na3 IDLE\r\nDONE\r\na4 IDLE\r\nNOOP\r\na5 NOOP\r\n");
    let b = body(&out);
    assert!(
        b.contains("a3 IDLE") || b.contains("+ idling\r\n* 19 EXISTS\r\na3 OK IDLE terminated\r\n"),
        "{out}"
    );
    assert!(
        b.contains("+ idling\r\n* 19 EXISTS\r\na4 BAD expected DONE\r\na5 OK done\r\n"),
        "{out}"
    );
    assert_eq!(app.log.iter().filter(|l| *l == "IdleDone").count(), 2);
}

#[test]
fn commands_in_the_wrong_state() {
    let (out, app) = run(b"a1 SELECT INBOX\r\na2 FETCH 1 FLAGS\r\na3 LOGIN mrc secret\r\na4 FETCH 1 FLAGS\r\na5 LOGIN mrc secret\r\na6 CLOSE\r\na7 ENABLE CONDSTORE IMAP4rev2\r\na8 SELECT INBOX\r\na9 ENABLE IMAP4rev2\r\nb1 XYZZY\r\nb2 UNSELECT\r\nb3 CLOSE\r\n");
    let expected = "a1 BAD [CLIENTBUG] not authenticated\r\n\
        a2 BAD [CLIENTBUG] not authenticated\r\n";
    assert!(body(&out).starts_with(expected), "{out}");
    assert!(out.contains("a4 BAD [CLIENTBUG] no mailbox selected\r\n"));
    assert!(out.contains("a5 BAD [CLIENTBUG] already authenticated\r\n"));
    assert!(out.contains("a6 BAD [CLIENTBUG] no mailbox selected\r\n"));
    assert!(
        out.contains("* ENABLED IMAP4rev2\r\na7 OK ENABLE completed\r\n"),
        "{out}"
    );
    assert!(out.contains("a9 BAD [CLIENTBUG] ENABLE is only valid in the authenticated state\r\n"));
    assert!(out.contains("b1 BAD unknown command\r\n"));
    assert!(
        out.contains("b2 OK done\r\nb3 BAD [CLIENTBUG] no mailbox selected\r\n"),
        "{out}"
    );
    assert_eq!(app.log.len(), 3, "{:?}", app.log);
}

#[test]
fn syntax_errors_are_bad_with_the_parse_error() {
    let (out, _) = run(b"a1 LOGIN\r\n\0\0\r\na2 FETCH x\r\n");
    let b = body(&out);
    assert!(
        b.starts_with("a1 BAD syntax error at offset 8: expected SP"),
        "{out}"
    );
    assert!(b.contains("* BAD syntax error"), "{out}");
    assert!(b.contains("\\x00"), "{out}");
}

#[test]
fn too_many_bad_commands_end_the_session() {
    let mut c = config();
    c.limits.bad_commands = 3;
    let mut app = App::new();
    let (out, err) = run_with(
        c,
        &mut app,
        b"a1 X\r\na2 X\r\na3 X\r\na4 X\r\na5 NOOP\r\n",
        &[],
    );
    assert_eq!(err, Some(Error::limit(LimitKind::BadCommands, 3usize)));
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.ends_with("a4 BAD unknown command\r\n* BYE too many bad commands\r\n"),
        "{out}"
    );
}

#[test]
fn a_literal_announced_as_4_gib() {
    let (out, _) = run(b"a1 LOGIN mrc {4294967296}\r\na2 NOOP\r\n");
    assert_eq!(
        body(&out),
        "a1 NO [TOOBIG] literal too large\r\na2 OK done\r\n"
    );
    let (out, _) = run(b"a1 LOGIN mrc {99999999999999999999999999}\r\na2 NOOP\r\n");
    assert_eq!(
        body(&out),
        "a1 NO [TOOBIG] literal too large\r\na2 OK done\r\n"
    );
}

#[test]
fn a_command_that_never_ends() {
    let mut server = Server::new(config());
    let mut result = Ok(None);
    for _ in 0..10 {
        server.handle_input(&[b'a'; 1000]);
        result = server.poll_event().map(|e| e.map(|e| e.into_owned()));
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(Error::limit(LimitKind::CommandLine, 8192usize)));
    assert!(server.is_closed());
    // sticky
    assert!(server.poll_event().is_err());
}

#[test]
fn hundred_thousand_pipelined_commands() {
    let mut server = Server::new(config());
    server.poll_transmit();
    let mut app = App::new();
    // logged in: before that, input is held to Limits::unauthenticated_input
    server.handle_input(b"a0 LOGIN mrc secret\r\n");
    app.handle(&mut server).unwrap();
    assert!(server.is_authenticated());
    let mut completed = 0;
    let mut chunk = Vec::new();
    for i in 0..100_000 {
        chunk.extend_from_slice(format!("t{i} NOOP\r\n").as_bytes());
        if chunk.len() > 60_000 {
            server.handle_input(&chunk);
            chunk.clear();
            app.handle(&mut server).unwrap();
            while let Some(b) = server.poll_transmit() {
                completed += b.windows(7).filter(|w| w == b" OK don").count();
            }
        }
    }
    server.handle_input(&chunk);
    app.handle(&mut server).unwrap();
    while let Some(b) = server.poll_transmit() {
        completed += b.windows(7).filter(|w| w == b" OK don").count();
    }
    assert_eq!(completed, 100_000);
}

#[test]
fn pipelined_commands_wait_for_the_app_within_limits() {
    let mut c = config();
    c.limits.pending_commands = 10;
    c.limits.input_buffer = 4096;
    let mut server = Server::new(c);
    let mut held = Vec::new();
    let mut err = None;
    for i in 0..2000 {
        server.handle_input(format!("t{i} NOOP\r\n").as_bytes());
        match server.poll_event() {
            Ok(Some(ServerEvent::Command(cmd))) => held.push(cmd.tag.as_str().to_owned()),
            Ok(_) => {}
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    assert_eq!(held.len(), 10);
    assert_eq!(err, Some(Error::limit(LimitKind::InputBuffer, 4096usize)));
}

#[test]
fn pending_commands_answered_out_of_order() {
    let mut server = Server::new(config());
    server.poll_transmit();
    server.handle_input(b"a1 LOGIN mrc secret\r\n");
    let Some(ServerEvent::Login { .. }) = server.poll_event().unwrap() else {
        panic!()
    };
    server.complete("a1", StatusKind::Ok, None, "ok").unwrap();
    server.handle_input(b"b1 NOOP\r\nb2 LIST \"\" *\r\nb3 SELECT INBOX\r\n");
    let mut tags = Vec::new();
    while let Some(ServerEvent::Command(c)) = server.poll_event().unwrap() {
        tags.push(c.tag.as_str().to_owned());
    }
    // SELECT waits until everything before it is answered
    assert_eq!(tags, ["b1", "b2"]);
    assert_eq!(server.pending_tags().collect::<Vec<_>>(), ["b1", "b2"]);
    server
        .complete("b2", StatusKind::Ok, None, "LIST done")
        .unwrap();
    assert!(server.poll_event().unwrap().is_none());
    assert_eq!(
        server.complete("zz", StatusKind::Ok, None, "x"),
        Err(Error::Misuse(mailwire::error::ApiMisuse::NothingToAnswer))
    );
    server
        .complete("b1", StatusKind::Ok, None, "NOOP done")
        .unwrap();
    let Some(ServerEvent::Command(c)) = server.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(c.tag.as_str(), "b3");
    server
        .complete("b3", StatusKind::No, None, "no such mailbox")
        .unwrap();
    assert_eq!(server.state(), ServerState::Authenticated);
}

#[test]
fn deep_nesting_is_bad_not_a_crash() {
    let mut input = b"a1 LOGIN mrc secret\r\na2 SELECT INBOX\r\na3 SEARCH ".to_vec();
    input.extend(std::iter::repeat_n(b'(', 2000));
    input.extend_from_slice(b"ALL");
    input.extend(std::iter::repeat_n(b')', 2000));
    input.extend_from_slice(b"\r\na4 NOOP\r\n");
    let (out, _) = run(&input);
    assert!(
        out.contains(
            "a3 BAD command too complex: nesting depth limit of 64 exceeded\r\na4 OK done\r\n"
        ),
        "{out}"
    );
}

#[test]
fn garbage_and_nul_bytes() {
    let mut c = config();
    c.limits.bad_commands = 1000;
    let mut app = App::new();
    let mut input = Vec::new();
    for i in 0..=255u8 {
        input.extend_from_slice(&[i, i.wrapping_mul(7), 0, b' ', i, b'\r', b'\n']);
    }
    input.extend_from_slice(b"z1 NOOP\r\n");
    let (out, err) = run_with(c, &mut app, &input, &[]);
    assert_eq!(err, None);
    assert!(String::from_utf8_lossy(&out).ends_with("z1 OK done\r\n"));
}

#[test]
fn bare_lf_is_refused_by_default() {
    let (out, app) = run(b"a1 LOGIN mrc secret\na2 NOOP\r\n");
    assert_eq!(
        body(&out),
        "* BAD bare CR or LF in command line\r\na2 OK done\r\n"
    );
    assert_eq!(app.log.len(), 1);
}

#[test]
fn autologout_timer() {
    let mut c = config();
    c.autologout = Some(std::time::Duration::from_secs(1800));
    let mut server = Server::new(c);
    server.poll_transmit();
    // the timer runs from the start: the machine asks for the time at once
    // (it used to wait for a first handle_timeout that drivers never made)
    assert_eq!(server.poll_timeout(), Some(std::time::Duration::ZERO));
    server.handle_timeout(std::time::Duration::from_secs(10));
    assert_eq!(
        server.poll_timeout(),
        Some(std::time::Duration::from_secs(1810))
    );
    server.handle_timeout(std::time::Duration::from_secs(1810));
    assert!(server.is_closed());
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"* BYE autologout; idle for too long\r\n"
    );
}

#[test]
fn greetings() {
    let mut c = config();
    c.greeting = Greeting::PreAuth;
    let mut s = Server::new(c);
    assert!(
        s.poll_transmit()
            .unwrap()
            .starts_with(b"* PREAUTH [CAPABILITY IMAP4rev1")
    );
    assert!(s.is_authenticated());
    let mut c = config();
    c.greeting = Greeting::Bye;
    c.greeting_text = "too busy".into();
    let mut s = Server::new(c);
    assert_eq!(&s.poll_transmit().unwrap()[..], b"* BYE too busy\r\n");
    assert!(s.is_closed());
}

#[test]
fn misuse_is_refused() {
    let mut s = Server::new(config());
    assert_eq!(
        s.accept_literal(),
        Err(Error::Misuse(mailwire::error::ApiMisuse::NoLiteral))
    );
    assert_eq!(
        s.finish_fetch(),
        Err(Error::Misuse(mailwire::error::ApiMisuse::NoFetch))
    );
    s.start_fetch(1, &[]).unwrap();
    assert_eq!(
        s.send_untagged_data(&Data::Exists(1)),
        Err(Error::Misuse(mailwire::error::ApiMisuse::FetchOpen))
    );
    s.start_fetch_literal(&FetchLiteral::Rfc822, 3).unwrap();
    assert_eq!(
        s.send_body(b"abcd"),
        Err(Error::Emit(mailwire::error::Unemittable::LiteralOverrun))
    );
    assert_eq!(
        s.send_body(b"a\0"),
        Err(Error::Emit(mailwire::error::Unemittable::NulNeedsBinary))
    );
    assert_eq!(
        s.finish_fetch(),
        Err(Error::Misuse(
            mailwire::error::ApiMisuse::FetchLiteralIncomplete
        ))
    );
    s.send_body(b"abc").unwrap();
    s.finish_fetch().unwrap();
    let out = {
        let mut o = Vec::new();
        drain(&mut s, &mut o);
        o
    };
    assert!(out.ends_with(b"* 1 FETCH (RFC822 {3}\r\nabc)\r\n"));
    assert!(s.send_untagged(StatusKind::Ok, None, "a\r\nb").is_err());
    let _ = (SequenceSet::all(), Cow::Borrowed("x"));
}

/// Runs `input` whole, cut in two at every byte, and one byte at a time;
/// output, events and appended data must not depend on the cuts.
fn assert_split_invariant(config: ServerConfig, literal_max: u64, input: &[u8]) -> String {
    let fresh = || {
        let mut app = App::new();
        app.literal_max = literal_max;
        app
    };
    let mut app = fresh();
    let (whole, err) = run_with(config.clone(), &mut app, input, &[]);
    assert_eq!(err, None);
    let (log, appended) = (app.log.clone(), app.appended.clone());
    let all: Vec<usize> = (1..input.len()).collect();
    let mut runs: Vec<Vec<usize>> = (0..=input.len()).map(|c| vec![c]).collect();
    runs.push(all);
    for cuts in runs {
        let mut app = fresh();
        let (out, err) = run_with(config.clone(), &mut app, input, &cuts);
        assert_eq!(err, None);
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&whole),
            "cuts {:?}",
            &cuts[..cuts.len().min(3)]
        );
        assert_eq!(app.log, log);
        assert_eq!(app.appended, appended);
    }
    String::from_utf8(whole).unwrap()
}

#[test]
fn refusals_and_discards_split_at_every_byte() {
    let input: &[u8] = b"a1 LOGIN mrc secret\r\n\
        a2 APPEND {5+}\r\nINBOX (\\Seen) {3+}\r\none {12+}\r\ntoo long data\r\n\
        a3 APPEND INBOX {20}\r\n\
        a4 AUTHENTICATE PLAIN\r\n\
        a5 NOOP\r\n\
        a6 SEARCH ALL\r\n\
        a7 SELECT \"INBOX\"\r\n\
        a8 FETCH 1 (FLAGS)\r\n\
        a9 LOGOUT\r\n";
    let out = assert_split_invariant(config(), 8, input);
    let b = body(&out);
    assert!(
        b.contains("a2 NO [TOOBIG] message too large\r\na3 NO [TOOBIG] message too large\r\n"),
        "{out}"
    );
    assert!(
        b.contains("a4 BAD [CLIENTBUG] already authenticated\r\na5 OK done\r\n"),
        "{out}"
    );
    assert!(
        b.contains("a6 BAD [CLIENTBUG] no mailbox selected\r\n"),
        "{out}"
    );
    assert!(
        b.ends_with("a8 OK FETCH completed\r\n* BYE logging out\r\na9 OK LOGOUT completed\r\n"),
        "{out}"
    );
}

#[test]
fn literal_minus_split_at_every_byte() {
    let mut c = config();
    c.literals = LiteralSupport::Minus;
    let mut input = b"a1 LOGIN mrc secret\r\na2 APPEND INBOX {300+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 300));
    input.extend_from_slice(b" {5000+}\r\n");
    input.extend(std::iter::repeat_n(b'y', 5000));
    input.extend_from_slice(b"\r\na3 NOOP\r\n");
    let out = assert_split_invariant(c, 1000, &input);
    assert!(
        body(&out).ends_with(
            "a2 BAD [TOOBIG] non-synchronizing literal over 4096 bytes\r\na3 OK done\r\n"
        ),
        "{out}"
    );
}

#[test]
fn authentication_split_at_every_byte() {
    let mut c = config();
    c.auth_mechanisms = vec![
        mailwire::wire::sasl::Mechanism::Plain,
        mailwire::wire::sasl::Mechanism::Login,
    ];
    let input: &[u8] = b"a1 AUTHENTICATE PLAIN\r\n*\r\n\
        a2 AUTHENTICATE LOGIN\r\nbXJj\r\nc2VjcmV0\r\n\
        a3 ENABLE UTF8=ACCEPT CONDSTORE\r\n\
        a4 CAPABILITY\r\n\
        a5 IDLE\r\nDONE\r\n\
        a6 LOGOUT\r\n";
    let out = assert_split_invariant(c, 100, input);
    let b = body(&out);
    assert!(b.starts_with("+ \r\na1 BAD AUTHENTICATE cancelled\r\n+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\na2 OK [CAPABILITY "), "{out}");
    assert!(
        b.contains("* ENABLED UTF8=ACCEPT\r\na3 OK ENABLE completed\r\n"),
        "{out}"
    );
    assert!(
        b.contains("+ idling\r\n* 19 EXISTS\r\na5 OK IDLE terminated\r\n"),
        "{out}"
    );
}

#[test]
fn eof_after_pipelined_commands_lets_the_app_answer() {
    let mut server = Server::new(config());
    server.poll_transmit();
    server.handle_input(b"a1 NOOP\r\na2 NOOP\r\n");
    server.handle_eof();
    let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else {
        panic!()
    };
    let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else {
        panic!()
    };
    assert!(server.poll_event().unwrap().is_none());
    assert!(!server.is_closed());
    server.complete("a1", StatusKind::Ok, None, "done").unwrap();
    server.complete("a2", StatusKind::Ok, None, "done").unwrap();
    assert!(server.poll_event().unwrap().is_none());
    assert!(server.is_closed());
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"a1 OK done\r\na2 OK done\r\n"
    );
}

#[test]
fn streamed_binary_fetch_and_bye() {
    let mut server = Server::new(config());
    let mut out = Vec::new();
    drain(&mut server, &mut out);
    server.start_fetch(3, &[]).unwrap();
    server
        .start_fetch_literal(
            &FetchLiteral::Binary {
                part: mailwire::imap::Part::new(&[1, 2]).unwrap(),
                origin: Some(10),
            },
            4,
        )
        .unwrap();
    server.send_body(b"\0\x01").unwrap();
    server.send_body(b"\x02\0").unwrap();
    server.fetch_items(&[FetchItem::Uid(9)]).unwrap();
    server.finish_fetch().unwrap();
    server
        .send_untagged(StatusKind::Bye, None, "shutting down")
        .unwrap();
    assert!(server.is_closed());
    drain(&mut server, &mut out);
    assert!(out.ends_with(
        b"* 3 FETCH (BINARY[1.2]<10> ~{4}\r\n\0\x01\x02\0 UID 9)\r\n* BYE shutting down\r\n"
    ));
    assert_responses_parse(&out);
    assert_eq!(
        server.send_untagged_data(&Data::Exists(1)),
        Err(Error::Closed)
    );
}

#[test]
fn enable_is_tracked() {
    let mut server = Server::new(config());
    server.handle_input(b"a1 LOGIN mrc secret\r\n");
    let Some(ServerEvent::Login { .. }) = server.poll_event().unwrap() else {
        panic!()
    };
    server.complete("a1", StatusKind::Ok, None, "ok").unwrap();
    server.handle_input(b"a2 ENABLE utf8=accept X-UNKNOWN\r\n");
    assert!(server.poll_event().unwrap().is_none());
    assert!(server.is_enabled("UTF8=ACCEPT"));
    assert_eq!(server.enabled().collect::<Vec<_>>(), ["UTF8=ACCEPT"]);
    let mut out = Vec::new();
    drain(&mut server, &mut out);
    assert!(out.ends_with(b"* ENABLED UTF8=ACCEPT\r\na2 OK ENABLE completed\r\n"));
}

/// Commands written by the codec's emitter (with LITERAL+ literals) reach the
/// application exactly as the codec parses them.
#[test]
fn emitted_commands_reach_the_app_unchanged() {
    use mailwire::imap::emit::{EmitOptions, LiteralStyle, emit_command};
    use mailwire::imap::parse_command;
    let lines: &[&[u8]] = &[
        b"c1 NOOP\r\n",
        b"c2 LIST \"\" \"*\"\r\n",
        b"c3 STATUS \"Sent Items\" (MESSAGES UIDNEXT)\r\n",
        b"c4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)\r\n",
        b"c5 SEARCH CHARSET UTF-8 OR SUBJECT {6}\r\nh\xc3\xa9llo FROM alice NOT DELETED\r\n",
        b"c6 UID STORE 1:3 +FLAGS.SILENT (\\Seen $Forwarded)\r\n",
        b"c7 COPY 2 {9}\r\nline\r\nbrk\r\n",
        b"c8 ID (\"name\" \"test\")\r\n",
        b"c9 CREATE \"a\\\"b\"\r\n",
    ];
    let mut server = Server::new(config());
    server.handle_input(b"a1 LOGIN mrc secret\r\n");
    let Some(ServerEvent::Login { .. }) = server.poll_event().unwrap() else {
        panic!()
    };
    server.complete("a1", StatusKind::Ok, None, "ok").unwrap();
    server.handle_input(b"a2 SELECT INBOX\r\n");
    let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else {
        panic!()
    };
    server.complete("a2", StatusKind::Ok, None, "ok").unwrap();
    let mut opts = EmitOptions::default();
    opts.literals = LiteralStyle::NonSyncPlus;
    for line in lines {
        let cmd = parse_command(line, &ParseOptions::default()).unwrap();
        let mut wire = Vec::new();
        emit_command(&cmd, &mut wire, &opts).unwrap();
        server.handle_input(&wire);
        let Some(ServerEvent::Command(got)) = server.poll_event().unwrap() else {
            panic!("{}", String::from_utf8_lossy(&wire))
        };
        let got = got.into_owned();
        assert_eq!(
            got,
            cmd.clone().into_owned(),
            "{}",
            String::from_utf8_lossy(&wire)
        );
        server
            .complete(cmd.tag.as_str(), StatusKind::Ok, None, "done")
            .unwrap();
    }
}

#[test]
fn no_literal_before_login_except_for_login() {
    let (out, app) =
        run(b"a1 SELECT {5}\r\na2 CREATE {3+}\r\nabc\r\na3 LOGIN {3}\r\nmrc secret\r\n");
    assert_eq!(
        body(&out),
        "a1 BAD [CLIENTBUG] not authenticated\r\n\
         a2 BAD [CLIENTBUG] not authenticated\r\n\
         + Ready for literal data\r\n\
         a3 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE UNSELECT] LOGIN completed\r\n"
    );
    assert_eq!(app.log.len(), 2, "{:?}", app.log);
}

/// After `ENABLE UTF8=ACCEPT` the server reads mailbox names as UTF-8
/// (RFC 6855 §3): `&` is no longer modified UTF-7.
#[test]
fn enable_utf8_changes_how_names_are_read() {
    let mut server = Server::new(config());
    let mut out = Vec::new();
    drain(&mut server, &mut out);
    let mut select = |server: &mut Server, line: &[u8]| -> mailwire::imap::Mailbox<'static> {
        server.handle_input(line);
        let event = server.poll_event().unwrap().unwrap().into_owned();
        let ServerEvent::Command(cmd) = event else {
            panic!("{event:?}")
        };
        let tag = cmd.tag.as_str().to_owned();
        server.complete(&tag, StatusKind::Ok, None, "done").unwrap();
        drain(server, &mut out);
        match cmd.body {
            CommandBody::Select { mailbox, .. } => mailbox,
            other => panic!("{other:?}"),
        }
    };
    server.handle_input(b"a LOGIN alice secret\r\n");
    let ServerEvent::Login { .. } = server.poll_event().unwrap().unwrap() else {
        panic!("login expected")
    };
    server.complete("a", StatusKind::Ok, None, "in").unwrap();
    let m = select(&mut server, b"b SELECT caf&AOk-\r\n");
    assert!(matches!(m, mailwire::imap::Mailbox::Other(_)));
    assert_eq!(m.decode().unwrap(), "café");
    // ENABLE is valid in the authenticated state only (RFC 5161 §3.1)
    server.handle_input(b"b2 CLOSE\r\n");
    let ServerEvent::Command(_) = server.poll_event().unwrap().unwrap() else {
        panic!("CLOSE expected")
    };
    server
        .complete("b2", StatusKind::Ok, None, "closed")
        .unwrap();
    server.handle_input(b"c ENABLE UTF8=ACCEPT\r\n");
    assert!(
        server.poll_event().unwrap().is_none(),
        "ENABLE is answered by the machine"
    );
    let m = select(&mut server, "d SELECT \"caf&AOk-\"\r\n".as_bytes());
    assert!(matches!(m, mailwire::imap::Mailbox::Utf8(_)));
    assert_eq!(m.decode().unwrap(), "caf&AOk-");
    let m = select(&mut server, "e SELECT \"Entwürfe\"\r\n".as_bytes());
    assert_eq!(m.decode().unwrap(), "Entwürfe");
    drain(&mut server, &mut out);
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("* ENABLED UTF8=ACCEPT\r\nc OK"), "{out}");
}

// ---------------------------------------------------------------------------
// Literal announcements against the grammar (issue 15, item 1)
//
//   literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
//   literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466
//
// RFC 9051 §4.3: "The non-synchronizing literal is distinguished from the
// synchronizing literal by the presence of "+" before the closing "}"." and
// "In the case of literals transmitted from client to server, the client MUST
// wait to receive a command continuation request ... before sending the octet
// data". RFC 7888 §3 writes the non-synchronizing form `{n+}` too; LITERAL-
// (§4) only limits it to 4096 bytes. No rule has `{n-}`.

/// The message whose smuggled line made a real server create a mailbox when
/// the old client announced it with `{n-}`.
const SMUGGLING: &[u8] = b"Subject: hi\r\n\r\nZ1 CREATE Smuggled\r\n";

/// `{n-}` is not a literal: the command is answered `BAD [CLIENTBUG]`, and
/// the announced bytes (and the rest of the command) are discarded rather
/// than read as commands, so `Z1 CREATE Smuggled` inside the message never
/// runs. Before the fix the server took `{n-}` as a literal (and a strict
/// reading would have run `Z1`).
#[test]
fn minus_literal_is_bad_and_its_bytes_are_never_commands() {
    // LITERAL+, LITERAL-, IMAP4rev2 alone, and none of them
    for (literals, rev2) in [
        (LiteralSupport::Plus, true),
        (LiteralSupport::Minus, false),
        (LiteralSupport::SyncOnly, true),
        (LiteralSupport::SyncOnly, false),
    ] {
        let mut c = config();
        c.literals = literals;
        c.imap4rev2 = rev2;
        let mut input = b"a1 LOGIN mrc secret\r\n".to_vec();
        input.extend_from_slice(format!("a2 APPEND INBOX {{{}-}}\r\n", SMUGGLING.len()).as_bytes());
        input.extend_from_slice(SMUGGLING);
        input.extend_from_slice(b"\r\na3 NOOP\r\n");
        let out = assert_split_invariant(c, 1 << 20, &input);
        let b = body(&out);
        assert_eq!(
            b.lines().skip(1).collect::<Vec<_>>(),
            [
                "a2 BAD [CLIENTBUG] a non-synchronizing literal is announced with a plus sign (RFC 7888)",
                "a3 OK done"
            ],
            "{literals:?} rev2 {rev2}: {out}"
        );
        assert!(!b.contains("Z1"), "{out}");
    }
}

/// The LOGIN of a client that sent a non-ASCII password as `{n-}` before
/// authentication: the password is dropped, not run as a command line.
#[test]
fn minus_literal_login_password_is_not_a_command() {
    let input = b"a1 LOGIN mrc {7-}\r\nsecr\xc3\xa9t\r\na2 LOGIN mrc secret\r\n";
    let out = assert_split_invariant(config(), 1 << 20, input);
    assert_eq!(
        body(&out),
        "a1 BAD [CLIENTBUG] a non-synchronizing literal is announced with a plus sign (RFC 7888)\r\n\
         a2 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE UNSELECT] LOGIN completed\r\n"
    );
}

/// Under the named quirk `accept_minus_literals`, `{n-}` is read as the
/// `{n+}` it stands for (at most 4096 bytes, as LITERAL- allows).
#[test]
fn minus_literal_quirk_reads_it_as_plus() {
    let mut c = config();
    c.accept_minus_literals = true;
    let mut input = b"a1 LOGIN mrc {6-}\r\nsecret\r\n".to_vec();
    input.extend_from_slice(format!("a2 APPEND INBOX {{{}-}}\r\n", SMUGGLING.len()).as_bytes());
    input.extend_from_slice(SMUGGLING);
    input.extend_from_slice(b"\r\na3 CREATE {5-}\r\nBoxes\r\na4 CREATE {5000-}\r\n");
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b"\r\na5 NOOP\r\n");
    let mut app = App::new();
    let (out, err) = run_with(c.clone(), &mut app, &input, &[]);
    assert_eq!(err, None);
    let out = String::from_utf8(out).unwrap();
    let b = body(&out);
    assert!(!out.contains("+ Ready"), "{out}");
    assert!(b.contains("a1 OK"), "{out}");
    assert!(
        b.contains(
            "a2 OK APPEND completed\r\na3 OK done\r\n\
             a4 BAD [TOOBIG] non-synchronizing literal over 4096 bytes\r\na5 OK done\r\n"
        ),
        "{out}"
    );
    assert_eq!(app.appended, vec![SMUGGLING.to_vec()]);
    assert!(
        app.log
            .iter()
            .any(|l| l.contains("Create") && l.contains("Boxes")),
        "{:?}",
        app.log
    );
    assert_split_invariant(c, 1 << 20, &input);
}

/// One command per announcement form, after login, with an application that
/// accepts every literal: what the server answers and whether it invites the
/// data (`+`) is the grammar's and RFC 9051 §4.3's.
#[test]
fn every_announcement_form_against_the_abnf() {
    struct Row {
        line: &'static [u8],
        /// `+` is sent (synchronizing literal, after the app accepted it)
        invited: bool,
        /// the answer to the command
        answer: &'static str,
    }
    let rows = [
        // literal = "{" number64 "}" ...: the client waits for "+"
        Row {
            line: b"c1 CREATE {4}\r\nabcd\r\n",
            invited: true,
            answer: "c1 OK done",
        },
        // ... ["+"]: no continuation request (RFC 7888 §3)
        Row {
            line: b"c2 CREATE {4+}\r\nabcd\r\n",
            invited: false,
            answer: "c2 OK done",
        },
        Row {
            line: b"c3 CREATE {0}\r\n\r\n",
            invited: true,
            answer: "c3 OK done",
        },
        Row {
            line: b"c4 CREATE {004+}\r\nabcd\r\n",
            invited: false,
            answer: "c4 OK done",
        },
        // literal8 = "~{" number ["+"] "}": an APPEND message
        Row {
            line: b"c5 APPEND INBOX ~{4}\r\nab\0d\r\n",
            invited: true,
            answer: "c5 OK APPEND completed",
        },
        Row {
            line: b"c6 APPEND INBOX ~{4+}\r\nab\0d\r\n",
            invited: false,
            answer: "c6 OK APPEND completed",
        },
        // no rule has "-": refused, and the 4 bytes are not a command
        Row {
            line: b"c7 CREATE {4-}\r\nabcd\r\n",
            invited: false,
            answer: "c7 BAD [CLIENTBUG] a non-synchronizing literal is announced with a plus sign (RFC 7888)",
        },
        // not an announcement at all: a line that does not parse, and the
        // next line is the next command
        Row {
            line: b"c8 CREATE {4 }\r\nc9 NOOP\r\n",
            invited: false,
            answer: "c8 BAD",
        },
        Row {
            line: b"d1 CREATE {+4}\r\nd2 NOOP\r\n",
            invited: false,
            answer: "d1 BAD",
        },
        Row {
            line: b"d3 CREATE {4++}\r\nd4 NOOP\r\n",
            invited: false,
            answer: "d3 BAD",
        },
    ];
    for row in rows {
        let mut input = b"a1 LOGIN mrc secret\r\n".to_vec();
        input.extend_from_slice(row.line);
        input.extend_from_slice(b"z9 NOOP\r\n");
        let (out, app) = run(&input);
        let b = body(&out);
        let line = String::from_utf8_lossy(row.line);
        let lines: Vec<&str> = b.lines().skip(1).collect();
        assert_eq!(
            lines.first() == Some(&"+ Ready for literal data"),
            row.invited,
            "{line}: {out}"
        );
        let answer = lines[usize::from(row.invited)];
        assert!(
            answer.starts_with(row.answer),
            "{line}: {answer:?} in {out}"
        );
        assert_eq!(*lines.last().unwrap(), "z9 OK done", "{line}: {out}");
        if row.answer.ends_with("BAD") {
            // the malformed line cost that line only: the next one ran
            assert_eq!(lines.len(), 3, "{line}: {out}");
        } else {
            assert_eq!(lines.len(), 2 + usize::from(row.invited), "{line}: {out}");
        }
        if row.answer.contains("APPEND") {
            assert_eq!(app.appended, vec![b"ab\0d".to_vec()], "{line}");
        }
    }
}

/// A synchronizing literal gets its `+` when the application accepts it, not
/// before (RFC 9051 §4.3: the client "MUST wait to receive a command
/// continuation request"); a non-synchronizing one never gets one, and its
/// bytes are taken as they come.
#[test]
fn continuation_only_for_accepted_sync_literals() {
    let mut server = Server::new(config());
    let mut out = Vec::new();
    drain(&mut server, &mut out);
    server.handle_input(b"a1 LOGIN mrc {6}\r\n");
    let Some(ServerEvent::LiteralRequested { size: 6, .. }) = server.poll_event().unwrap() else {
        panic!("no literal request")
    };
    assert!(server.poll_transmit().is_none(), "no + before the decision");
    assert!(server.poll_event().unwrap().is_none(), "still waiting");
    assert!(server.poll_transmit().is_none());
    server.accept_literal().unwrap();
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"+ Ready for literal data\r\n"
    );
    server.handle_input(b"secret\r\n");
    let Some(ServerEvent::Login { .. }) = server.poll_event().unwrap() else {
        panic!("no LOGIN")
    };
    server.complete("a1", StatusKind::Ok, None, "in").unwrap();
    drain(&mut server, &mut out);
    server.handle_input(b"a2 APPEND INBOX {5+}\r\nhello\r\n");
    let Some(ServerEvent::AppendStart { non_sync: true, .. }) = server.poll_event().unwrap() else {
        panic!("no APPEND")
    };
    server.accept_literal().unwrap();
    assert!(server.poll_transmit().is_none(), "no + for {{n+}}");
    let Some(ServerEvent::AppendChunk(c)) = server.poll_event().unwrap() else {
        panic!("no data")
    };
    assert_eq!(&c[..], b"hello");
}
