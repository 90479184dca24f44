//! REPLACE (RFC 8508) on the codec and both machines, checked against the
//! RFC's grammar and its example dialogues, the peer's side written by hand:
//!
//! ```text
//! capability     =/ "REPLACE"
//! command-select =/ replace
//! replace        = "REPLACE" SP seq-number SP mailbox append-message
//! uid            =/ "UID" SP replace
//! ```
//!
//! RFC 8508 §5 takes `seq-number` (`nz-number / "*"`) from RFC 3501 and
//! `append-message` (`append-opts SP append-data`, `append-opts = [SP
//! flag-list] [SP date-time] *(SP append-ext)`, `append-data = literal /
//! literal8 / append-data-ext`) from RFC 4466; §4.2: "Servers supporting
//! both REPLACE and CATENATE [RFC4469] MUST support the additional
//! append-data and resp-text-code elements defined in Section 5 ... of
//! [RFC4469] in conjunction with the REPLACE command". §3.5: "the REPLACE
//! and UID REPLACE commands MUST only be valid in the selected state". §3.2,
//! Result: "BAD - command unknown or arguments invalid".

use mailwire::Error;
use mailwire::error::{ApiMisuse, LimitKind};
use mailwire::imap::server::{Greeting, ServerState};
use mailwire::imap::{
    AppendItem, AppendMessage, CatenatePart, Client, ClientConfig, ClientEvent, ClientState, Code,
    Command, CommandBody, CommandKind, Data, EmitOptions, Flag, IString, List, Mailbox,
    ParseOptions, SeqNum, Server, ServerConfig, ServerEvent, StatusKind, Tag, emit_command,
    parse_command,
};

/// The message of RFC 8508 §3.2 (312 bytes: its last `C:` line is empty).
const MESSAGE_3_2: &[u8] = b"Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)\r\n\
From: Fritz Schmidt <fritz.ze@example.org>\r\n\
Subject: happy new year !!\r\n\
To: miss.mitzy@example.org\r\n\
Message-Id: <B238822388-0100000@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Just saw the best fireworks show. Wish you were here.\r\n\
\r\n";

/// The message of RFC 8508 §3.3 (350 bytes).
const MESSAGE_3_3: &[u8] = b"Date: Thu, 1 Jan 2015 00:06:00 -0500 (EST)\r\n\
From: Fritz Schmidt <fritz.ze@example.org>\r\n\
Subject: happy new year !!\r\n\
To: miss.mitzy@example.org\r\n\
Message-Id: <B238822389-0100000@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Just saw the best fireworks show. Wish you were here.\r\n\
Hopefully next year you can join us.\r\n\
\r\n";

/// The client's side of RFC 8508 §4.2's `UID REPLACE ... CATENATE`: the
/// `TEXT {71}` part, then ` URL "/Drafts/;UID=3002")`.
const CATENATE_4_2: &[u8] = b"A011 UID REPLACE 3002 Drafts CATENATE (TEXT {71}\r\n\
To: Mitzy <miss.mitzy@example.org>\r\n\
Subject: My view of the fireworks\r\n \
URL \"/Drafts/;UID=3002\")\r\n";

fn frame(head: &str, message: &[u8]) -> Vec<u8> {
    let mut v = head.as_bytes().to_vec();
    v.extend_from_slice(message);
    v.extend_from_slice(b"\r\n");
    v
}

fn round_trip(c: &Command<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    emit_command(c, &mut out, &EmitOptions::default()).unwrap();
    let again = parse_command(&out, &ParseOptions::STRICT).unwrap();
    assert_eq!(again.into_owned(), c.clone().into_owned());
    out
}

// ---------------------------------------------------------------- codec

#[test]
fn codec_reads_the_rfc_examples_and_writes_them_back() {
    // §3.2: C: A003 REPLACE 4 Drafts (\Seen \Draft) {312}
    assert_eq!(MESSAGE_3_2.len(), 312);
    let wire = frame(
        "A003 REPLACE 4 Drafts (\\Seen \\Draft) {312}\r\n",
        MESSAGE_3_2,
    );
    let c = parse_command(&wire, &ParseOptions::STRICT).unwrap();
    let CommandBody::Replace {
        uid,
        id,
        mailbox,
        message: AppendItem::Message(m),
    } = &c.body
    else {
        panic!("{:?}", c.body)
    };
    assert_eq!((*uid, *id), (false, SeqNum::Value(4)));
    assert_eq!(mailbox.as_bytes(), b"Drafts");
    assert_eq!(
        m.flags.as_ref().unwrap().to_vec(),
        [Flag::Seen, Flag::Draft]
    );
    assert_eq!((&m.data[..], m.date, m.binary), (MESSAGE_3_2, None, false));
    assert_eq!(c.body.name(), "REPLACE");
    assert_eq!(round_trip(&c), wire);

    // §3.3: C: A004 UID REPLACE 2000 Drafts (\Seen \Draft) {350}
    assert_eq!(MESSAGE_3_3.len(), 350);
    let wire = frame(
        "A004 UID REPLACE 2000 Drafts (\\Seen \\Draft) {350}\r\n",
        MESSAGE_3_3,
    );
    let c = parse_command(&wire, &ParseOptions::STRICT).unwrap();
    assert!(matches!(
        c.body,
        CommandBody::Replace {
            uid: true,
            id: SeqNum::Value(2000),
            ..
        }
    ));
    assert_eq!(round_trip(&c), wire);

    // §4.2: C: A011 UID REPLACE 3002 Drafts CATENATE (TEXT {71} ... URL "/Drafts/;UID=3002")
    let c = parse_command(CATENATE_4_2, &ParseOptions::STRICT).unwrap();
    let CommandBody::Replace {
        uid: true,
        id: SeqNum::Value(3002),
        message: AppendItem::Catenate { flags, date, parts },
        ..
    } = &c.body
    else {
        panic!("{:?}", c.body)
    };
    assert_eq!((flags, date), (&None, &None));
    let parts = parts.to_vec();
    assert_eq!(parts.len(), 2);
    assert!(matches!(&parts[0], CatenatePart::Text(t) if t.len() == 71));
    assert!(matches!(&parts[1], CatenatePart::Url(u) if u.as_bytes() == b"/Drafts/;UID=3002"));
    round_trip(&c);
}

#[test]
fn codec_takes_every_form_of_the_arguments() {
    let o = ParseOptions::STRICT;
    // case-insensitive names (§5), `*` as seq-number (RFC 3501), a date-time,
    // literal8 (RFC 3516 via RFC 4466's append-data) and LITERAL+
    let c = parse_command(
        b"a1 uid replace * INBOX \"01-Jan-2015 00:05:00 -0500\" ~{3}\r\n\0a\0\r\n",
        &o,
    )
    .unwrap();
    let CommandBody::Replace {
        uid: true,
        id: SeqNum::Asterisk,
        mailbox: Mailbox::Inbox,
        message: AppendItem::Message(m),
    } = &c.body
    else {
        panic!("{:?}", c.body)
    };
    assert!(m.binary && m.date.is_some() && m.flags.is_none());
    assert_eq!(&m.data[..], b"\0a\0");
    round_trip(&c);

    let c = parse_command(b"a2 Replace 7 \"Sent Items\" {2+}\r\nhi\r\n", &o).unwrap();
    assert!(matches!(
        &c.body,
        CommandBody::Replace { uid: false, id: SeqNum::Value(7), mailbox, .. } if mailbox.as_bytes() == b"Sent Items"
    ));
    round_trip(&c);

    // a mailbox name sent as a literal
    let c = parse_command(b"a3 REPLACE 1 {6}\r\nDrafts () {1}\r\nx\r\n", &o).unwrap();
    let CommandBody::Replace {
        mailbox,
        message: AppendItem::Message(m),
        ..
    } = &c.body
    else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"Drafts");
    assert_eq!(m.flags.as_ref().map(|f| f.len()), Some(0));
    round_trip(&c);
}

#[test]
fn codec_refuses_what_the_grammar_does_not_allow() {
    for bad in [
        // no message literal (append-data is required)
        &b"a1 REPLACE 4 Drafts (\\Seen)\r\n"[..],
        b"a1 REPLACE 4 Drafts\r\n",
        // no mailbox, no number
        b"a1 REPLACE 4 {1}\r\nx\r\n",
        b"a1 REPLACE Drafts {1}\r\nx\r\n",
        // seq-number is nz-number / "*": not 0, not a set or range
        b"a1 REPLACE 0 Drafts {1}\r\nx\r\n",
        b"a1 REPLACE 1:2 Drafts {1}\r\nx\r\n",
        b"a1 UID REPLACE 1,2 Drafts {1}\r\nx\r\n",
        // one message only: no MULTIAPPEND (§4.7)
        b"a1 REPLACE 4 Drafts {1}\r\nx {1}\r\ny\r\n",
        // truncated literal, missing SP, garbage after the message
        b"a1 REPLACE 4 Drafts {10}\r\nshort\r\n",
        b"a1 REPLACE 4 Drafts{1}\r\nx\r\n",
        b"a1 REPLACE 4 Drafts {1}\r\nx extra\r\n",
        // UID with nothing after REPLACE; an empty CATENATE list
        b"a1 UID REPLACE\r\n",
        b"a1 REPLACE 4 Drafts CATENATE ()\r\n",
        // a number over 32 bits
        b"a1 REPLACE 4294967296 Drafts {1}\r\nx\r\n",
    ] {
        let r = parse_command(bad, &ParseOptions::STRICT);
        assert!(
            !matches!(
                r,
                Ok(Command {
                    body: CommandBody::Replace { .. },
                    ..
                })
            ),
            "{:?} parsed: {r:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // a longer name is another command, not REPLACE
    let c = parse_command(b"a1 REPLACEX 4 Drafts\r\n", &ParseOptions::STRICT).unwrap();
    assert!(matches!(c.body, CommandBody::Unknown { .. }));
    // UID with another command still parses as that command
    let c = parse_command(b"a1 UID FETCH 1 FLAGS\r\n", &ParseOptions::STRICT).unwrap();
    assert!(matches!(c.body, CommandBody::Fetch { uid: true, .. }));
}

#[test]
fn codec_will_not_emit_what_the_grammar_does_not_allow() {
    let message = |data: &'static [u8]| {
        AppendItem::Message(AppendMessage {
            flags: None,
            date: None,
            data: data.into(),
            binary: false,
        })
    };
    let emit = |body| {
        let mut out = Vec::new();
        let c = Command {
            tag: Tag::new("a1").unwrap(),
            body,
        };
        emit_command(&c, &mut out, &EmitOptions::default()).map(|_| out)
    };
    // seq-number 0 does not exist
    let zero = CommandBody::Replace {
        uid: false,
        id: SeqNum::Value(0),
        mailbox: Mailbox::Inbox,
        message: message(b"x"),
    };
    assert!(matches!(emit(zero), Err(Error::Emit(_))));
    // NUL needs literal8
    let nul = CommandBody::Replace {
        uid: true,
        id: SeqNum::Value(1),
        mailbox: Mailbox::Inbox,
        message: message(b"a\0b"),
    };
    assert!(matches!(emit(nul), Err(Error::Emit(_))));
    // a CATENATE list needs a part
    let empty = CommandBody::Replace {
        uid: false,
        id: SeqNum::Asterisk,
        mailbox: Mailbox::Inbox,
        message: AppendItem::Catenate {
            flags: None,
            date: None,
            parts: List::empty(),
        },
    };
    assert!(matches!(emit(empty), Err(Error::Emit(_))));
    let ok = CommandBody::Replace {
        uid: false,
        id: SeqNum::Asterisk,
        mailbox: Mailbox::Inbox,
        message: message(b""),
    };
    assert_eq!(emit(ok).unwrap(), b"a1 REPLACE * INBOX {0}\r\n\r\n");
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

/// A client whose server greeted with `caps` and selected Drafts.
fn selected(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
    while c.poll_event().unwrap().is_some() {}
    c.select("Drafts").unwrap();
    c.handle_input(b"A0001 OK [READ-WRITE] SELECT completed\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert_eq!(c.state(), ClientState::Selected);
    sent(&mut c);
    c
}

/// What the client reports, as text.
fn events(c: &mut Client, input: &[u8]) -> Vec<String> {
    c.handle_input(input);
    let mut log = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        log.push(match e {
            ClientEvent::Status { status, .. } => match status.code {
                Some(Code::AppendUid { uid_validity, uids }) => {
                    format!("APPENDUID {uid_validity} {}", uids.as_str())
                }
                other => format!("status {other:?}"),
            },
            ClientEvent::Data {
                data: Data::Exists(n),
                ..
            } => format!("EXISTS {n}"),
            ClientEvent::Data {
                data: Data::Expunge(n),
                ..
            } => format!("EXPUNGE {n}"),
            ClientEvent::Data {
                data: Data::Vanished { earlier, uids },
                ..
            } => format!("VANISHED {earlier} {}", uids.as_str()),
            ClientEvent::Completed {
                tag,
                command,
                status,
                ..
            } => format!("{} {command:?} {status:?}", tag.as_str()),
            ClientEvent::AppendReady { .. } => "ready".to_string(),
            other => format!("{other:?}"),
        });
    }
    log
}

#[test]
fn client_runs_the_rfc_8508_3_2_dialogue() {
    let mut c = selected("UIDPLUS REPLACE");
    let tag = c
        .replace(4, "Drafts", &[Flag::Seen, Flag::Draft], MESSAGE_3_2)
        .unwrap();
    assert_eq!(tag.as_str(), "A0002");
    // C: A003 REPLACE 4 Drafts (\Seen \Draft) {312}
    assert_eq!(
        sent(&mut c),
        b"A0002 REPLACE 4 Drafts (\\Seen \\Draft) {312}\r\n"
    );
    // S: + Ready for literal data   (then the message, and the CRLF ending the command)
    assert!(events(&mut c, b"+ Ready for literal data\r\n").is_empty());
    assert_eq!(sent(&mut c), frame("", MESSAGE_3_2));
    assert_eq!(
        events(
            &mut c,
            b"* OK [APPENDUID 1 2000] Replacement Message ready\r\n\
              * 5 EXISTS\r\n\
              * 4 EXPUNGE\r\n\
              A0002 OK Replace completed\r\n"
        ),
        [
            "APPENDUID 1 2000",
            "EXISTS 5",
            "EXPUNGE 4",
            "A0002 Replace Ok"
        ]
    );
    assert_eq!(c.state(), ClientState::Selected);
}

#[test]
fn client_streams_the_rfc_8508_3_3_message_under_literal_plus() {
    let mut c = selected("UIDPLUS REPLACE LITERAL+ QRESYNC");
    let flags = List::from_items(vec![Flag::Seen, Flag::Draft]);
    c.replace_begin(
        true,
        SeqNum::Value(2000),
        Mailbox::from_utf8("Drafts"),
        Some(flags),
        None,
        350,
        false,
    )
    .unwrap();
    // LITERAL+: no waiting for `+`
    assert_eq!(
        sent(&mut c),
        b"A0002 UID REPLACE 2000 Drafts (\\Seen \\Draft) {350+}\r\n"
    );
    assert_eq!(events(&mut c, b""), ["ready"]);
    c.send_body(&MESSAGE_3_3[..100]).unwrap();
    c.send_body(&MESSAGE_3_3[100..]).unwrap();
    // more than announced is refused
    assert_eq!(
        c.send_body(b"x"),
        Err(Error::Misuse(ApiMisuse::BodyLongerThanAnnounced))
    );
    c.finish_body().unwrap();
    assert_eq!(sent(&mut c), frame("", MESSAGE_3_3));
    // RFC 8508 §4.5: under QRESYNC the old message is VANISHED
    assert_eq!(
        events(
            &mut c,
            b"* OK [APPENDUID 1 2001] Replacement Message ready\r\n\
              * 5 EXISTS\r\n\
              * VANISHED 2000\r\n\
              A0002 OK Replace completed\r\n"
        ),
        [
            "APPENDUID 1 2001",
            "EXISTS 5",
            "VANISHED false 2000",
            "A0002 Replace Ok"
        ]
    );
}

#[test]
fn client_sends_no_message_after_a_refusal() {
    let mut c = selected("REPLACE");
    c.uid_replace(9, "Trash", &[], b"hello").unwrap();
    assert_eq!(sent(&mut c), b"A0002 UID REPLACE 9 Trash {5}\r\n");
    // S: NO [TRYCREATE] instead of `+`: the literal is never sent
    assert_eq!(
        events(&mut c, b"A0002 NO [TRYCREATE] no such mailbox\r\n"),
        ["A0002 Replace No"]
    );
    assert!(sent(&mut c).is_empty());
    c.noop().unwrap();
    assert_eq!(sent(&mut c), b"A0003 NOOP\r\n");
}

#[test]
fn client_needs_the_capability() {
    let mut c = selected("UIDPLUS");
    assert_eq!(
        c.replace(4, "Drafts", &[], b"x"),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "REPLACE"
        }))
    );
    assert_eq!(
        c.replace_begin(
            false,
            SeqNum::Value(4),
            Mailbox::Inbox,
            None,
            None,
            1,
            false
        ),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "REPLACE"
        }))
    );
    assert!(sent(&mut c).is_empty());
    // sent anyway when asked to
    let body = CommandBody::Replace {
        uid: false,
        id: SeqNum::Value(4),
        mailbox: Mailbox::Inbox,
        message: AppendItem::Message(AppendMessage {
            flags: None,
            date: None,
            data: b"x"[..].into(),
            binary: false,
        }),
    };
    c.send_unadvertised(body).unwrap();
    assert_eq!(sent(&mut c), b"A0002 REPLACE 4 INBOX {1}\r\n");

    // a catenated message also needs CATENATE (RFC 8508 §4.2)
    let mut c = selected("REPLACE");
    let cat = CommandBody::Replace {
        uid: true,
        id: SeqNum::Value(3002),
        mailbox: Mailbox::from_utf8("Drafts"),
        message: AppendItem::Catenate {
            flags: None,
            date: None,
            parts: List::from_items(vec![CatenatePart::Url(IString::from("/Drafts/;UID=3002"))]),
        },
    };
    assert_eq!(
        c.send(cat.clone()),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "CATENATE"
        }))
    );
    let mut c = selected("REPLACE CATENATE");
    c.send(cat).unwrap();
    assert_eq!(
        sent(&mut c),
        b"A0002 UID REPLACE 3002 Drafts CATENATE (URL /Drafts/;UID=3002)\r\n"
    );
}

#[test]
fn client_refuses_replace_outside_the_selected_state() {
    // RFC 8508 §3.5: selected state only, UID REPLACE included
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 REPLACE] ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert_eq!(
        c.replace(1, "Drafts", &[], b"x"),
        Err(Error::Misuse(ApiMisuse::WrongState))
    );
    c.login("u", "p").unwrap();
    c.handle_input(b"A0001 OK done\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert_eq!(c.state(), ClientState::Authenticated);
    assert_eq!(
        c.uid_replace(1, "Drafts", &[], b"x"),
        Err(Error::Misuse(ApiMisuse::WrongState))
    );
    assert_eq!(sent(&mut c), b"A0001 LOGIN u p\r\n");
}

#[test]
fn client_waits_with_sequence_numbers_after_a_replace() {
    // REPLACE expunges: a later command over sequence numbers waits for its
    // completion (RFC 9051 §5.5), a UID command does not
    let mut c = selected("REPLACE LITERAL+");
    c.replace(4, "Drafts", &[], b"x").unwrap();
    c.store(1, mailwire::imap::StoreKind::Add, &[Flag::Seen])
        .unwrap();
    assert_eq!(sent(&mut c), b"A0002 REPLACE 4 Drafts {1+}\r\nx\r\n");
    assert_eq!(
        events(&mut c, b"* 4 EXPUNGE\r\nA0002 OK done\r\n"),
        ["EXPUNGE 4", "A0002 Replace Ok"]
    );
    assert_eq!(sent(&mut c), b"A0003 STORE 1 +FLAGS (\\Seen)\r\n");
    assert_eq!(
        CommandKind::of(
            &parse_command(CATENATE_4_2, &ParseOptions::STRICT)
                .unwrap()
                .body
        ),
        CommandKind::Replace
    );
}

// ---------------------------------------------------------------- server

fn out(s: &mut Server) -> Vec<u8> {
    let mut v = Vec::new();
    while let Some(b) = s.poll_transmit() {
        v.extend_from_slice(&b);
    }
    v
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A server (REPLACE on unless `replace` is false) past SELECT Drafts.
fn server_selected(replace: bool) -> Server {
    selected_with(
        ServerConfig::default()
            .greeting(Greeting::PreAuth)
            .replace(replace),
    )
}

/// A server with `config` past SELECT Drafts.
fn selected_with(config: ServerConfig) -> Server {
    let mut s = Server::new(config);
    out(&mut s);
    s.handle_input(b"A001 SELECT Drafts\r\n");
    let Some(ServerEvent::Command(_)) = s.poll_event().unwrap() else {
        panic!()
    };
    s.complete("A001", StatusKind::Ok, Some(Code::ReadWrite), "done")
        .unwrap();
    out(&mut s);
    assert!(s.is_selected());
    s
}

/// The message's chunks until its end.
fn take_message(s: &mut Server) -> Vec<u8> {
    let mut m = Vec::new();
    loop {
        match s.poll_event().unwrap() {
            Some(ServerEvent::AppendChunk(c)) => m.extend_from_slice(&c),
            Some(ServerEvent::AppendEnd { more: false }) => return m,
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn server_advertises_replace_only_when_configured() {
    for on in [false, true] {
        let mut s = Server::new(
            ServerConfig::default()
                .greeting(Greeting::PreAuth)
                .replace(on),
        );
        let greeting = text(&out(&mut s));
        assert_eq!(greeting.contains(" REPLACE"), on, "{greeting}");
        s.handle_input(b"a1 CAPABILITY\r\n");
        assert!(s.poll_event().unwrap().is_none());
        assert_eq!(text(&out(&mut s)).contains(" REPLACE"), on);
    }
}

#[test]
fn server_runs_the_rfc_8508_3_2_dialogue() {
    let mut s = server_selected(true);
    // C: A003 REPLACE 4 Drafts (\Seen \Draft) {312}
    s.handle_input(b"A003 REPLACE 4 Drafts (\\Seen \\Draft) {312}\r\n");
    let Some(ServerEvent::ReplaceStart {
        tag,
        uid,
        id,
        mailbox,
        flags,
        date,
        size,
        binary,
        non_sync,
    }) = s.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(tag.as_str(), "A003");
    assert_eq!(
        (uid, id, size, binary, non_sync),
        (false, SeqNum::Value(4), 312, false, false)
    );
    assert_eq!(mailbox.as_bytes(), b"Drafts");
    assert_eq!(flags.unwrap().to_vec(), [Flag::Seen, Flag::Draft]);
    assert_eq!(date, None);
    // nothing is said before the application decides
    assert!(out(&mut s).is_empty());
    s.accept_literal().unwrap();
    // S: + Ready for literal data
    assert_eq!(out(&mut s), b"+ Ready for literal data\r\n");
    // the message arrives in pieces and leaves in chunks, never whole
    s.handle_input(&MESSAGE_3_2[..200]);
    let Some(ServerEvent::AppendChunk(first)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(&first[..], &MESSAGE_3_2[..200]);
    assert!(s.poll_event().unwrap().is_none());
    s.handle_input(&frame("", &MESSAGE_3_2[200..]));
    let rest = take_message(&mut s);
    assert_eq!(rest, &MESSAGE_3_2[200..]);
    // the answer, typed: S: * OK [APPENDUID 1 2000] ..., * 5 EXISTS, * 4 EXPUNGE
    s.send_untagged(
        StatusKind::Ok,
        Some(Code::AppendUid {
            uid_validity: 1,
            uids: mailwire::imap::SequenceSet::single(2000).unwrap(),
        }),
        "Replacement Message ready",
    )
    .unwrap();
    s.send_untagged_data(&Data::Exists(5)).unwrap();
    s.send_untagged_data(&Data::Expunge(4)).unwrap();
    s.complete("A003", StatusKind::Ok, None, "Replace completed")
        .unwrap();
    assert_eq!(
        text(&out(&mut s)),
        "* OK [APPENDUID 1 2000] Replacement Message ready\r\n\
         * 5 EXISTS\r\n\
         * 4 EXPUNGE\r\n\
         A003 OK Replace completed\r\n"
    );
    // the session goes on
    s.handle_input(b"A004 NOOP\r\n");
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(ServerEvent::Command(_))
    ));
}

#[test]
fn server_takes_uid_replace_under_literal_plus_without_a_continuation() {
    let mut s = server_selected(true);
    // RFC 8508 §3.3, the literal non-synchronizing and the data pipelined
    s.handle_input(&frame(
        "A004 UID REPLACE 2000 Drafts (\\Seen \\Draft) {350+}\r\n",
        MESSAGE_3_3,
    ));
    let Some(ServerEvent::ReplaceStart {
        uid: true,
        id: SeqNum::Value(2000),
        size: 350,
        non_sync: true,
        ..
    }) = s.poll_event().unwrap()
    else {
        panic!()
    };
    s.accept_literal().unwrap();
    assert!(out(&mut s).is_empty(), "no `+` for {{350+}}");
    assert_eq!(take_message(&mut s), MESSAGE_3_3);
    s.complete("A004", StatusKind::Ok, None, "Replace completed")
        .unwrap();
    assert_eq!(out(&mut s), b"A004 OK Replace completed\r\n");
}

#[test]
fn server_hands_a_catenated_replace_to_the_application_whole() {
    let mut config = ServerConfig::default()
        .greeting(Greeting::PreAuth)
        .replace(true);
    config.auto_accept_literal = 100;
    let mut s = selected_with(config);
    // RFC 8508 §4.2: the TEXT part is a command literal, not streamed
    s.handle_input(CATENATE_4_2);
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert!(matches!(
        c.body,
        CommandBody::Replace {
            uid: true,
            id: SeqNum::Value(3002),
            message: AppendItem::Catenate { .. },
            ..
        }
    ));
    assert_eq!(out(&mut s), b"+ Ready for literal data\r\n");
    s.complete("A011", StatusKind::Ok, None, "REPLACE completed")
        .unwrap();
    assert_eq!(out(&mut s), b"A011 OK REPLACE completed\r\n");
}

#[test]
fn server_reads_a_mailbox_literal_before_the_message() {
    let mut config = ServerConfig::default()
        .greeting(Greeting::PreAuth)
        .replace(true);
    config.auto_accept_literal = 100;
    let mut s = selected_with(config);
    s.handle_input(b"A2 REPLACE 3 {6}\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"+ Ready for literal data\r\n");
    s.handle_input(b"Drafts {5}\r\n");
    let Some(ServerEvent::ReplaceStart {
        mailbox, size: 5, ..
    }) = s.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"Drafts");
    s.accept_literal().unwrap();
    s.handle_input(b"hello\r\n");
    assert_eq!(take_message(&mut s), b"hello");
}

#[test]
fn server_refuses_replace_when_not_configured() {
    let mut s = server_selected(false);
    // RFC 8508 §3.2: "BAD - command unknown"; no `+`, the literal never comes
    s.handle_input(b"A1 REPLACE 4 Drafts {312}\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"A1 BAD unknown command\r\n");
    // a non-synchronizing one is skipped, not read as commands
    s.handle_input(b"A2 UID REPLACE 4 Drafts {24+}\r\nA3 DELETE INBOX\r\nxxxxxx\r\nA4 NOOP\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(c.tag.as_str(), "A4");
    assert_eq!(out(&mut s), b"A2 BAD unknown command\r\n");
    s.complete("A4", StatusKind::Ok, None, "done").unwrap();
    // and the CATENATE form too
    let mut s = server_selected(false);
    s.handle_input(b"A5 REPLACE 4 Drafts CATENATE (URL \"/Drafts/;UID=3\")\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"A5 BAD unknown command\r\n");
}

#[test]
fn server_refuses_replace_outside_the_selected_state() {
    // RFC 8508 §3.5: selected state only; the literal is refused before `+`
    let mut s = Server::new(
        ServerConfig::default()
            .greeting(Greeting::PreAuth)
            .replace(true),
    );
    out(&mut s);
    assert_eq!(s.state(), ServerState::Authenticated);
    s.handle_input(b"A1 REPLACE 4 Drafts {5}\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"A1 BAD [CLIENTBUG] no mailbox selected\r\n");
    s.handle_input(b"A2 UID REPLACE 4 Drafts CATENATE (URL \"/x\")\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"A2 BAD [CLIENTBUG] no mailbox selected\r\n");

    let mut config = ServerConfig::default().replace(true);
    config.plaintext_requires_tls = false;
    let mut s = Server::new(config);
    out(&mut s);
    s.handle_input(b"A3 UID REPLACE 4 Drafts {5+}\r\nhello\r\nA4 NOOP\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(c.tag.as_str(), "A4");
    assert_eq!(out(&mut s), b"A3 BAD [CLIENTBUG] not authenticated\r\n");
}

#[test]
fn server_refuses_a_message_over_the_size_limit_before_it_is_sent() {
    let mut config = ServerConfig::default()
        .greeting(Greeting::PreAuth)
        .replace(true);
    config.limits.message_size = 1000;
    let mut s = selected_with(config);
    s.handle_input(b"A1 REPLACE 4 Drafts {1001}\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert_eq!(out(&mut s), b"A1 NO [TOOBIG] literal too large\r\n");
    // a size no number type holds
    s.handle_input(b"A2 REPLACE 4 Drafts {99999999999999999999999}\r\n");
    assert!(s.poll_event().unwrap().is_none());
    let o = text(&out(&mut s));
    assert!(
        o.starts_with("A2 NO [TOOBIG]") || o.starts_with("A2 BAD"),
        "{o}"
    );
    s.handle_input(b"A3 NOOP\r\n");
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(ServerEvent::Command(_))
    ));
}

#[test]
fn server_answers_bad_to_a_replace_without_its_message() {
    let mut s = server_selected(true);
    for line in [
        &b"A1 REPLACE 4 Drafts\r\n"[..],
        b"A1 REPLACE 4 Drafts (\\Seen)\r\n",
        b"A1 UID REPLACE\r\n",
    ] {
        s.handle_input(line);
        assert!(s.poll_event().unwrap().is_none(), "{}", text(line));
        let o = text(&out(&mut s));
        assert!(o.starts_with("A1 BAD"), "{} -> {o}", text(line));
        assert!(!o.contains('+'), "{o}");
    }
    // a literal after a head that is no REPLACE's (seq-number 0) is an
    // ordinary command literal: the application decides, and the command is
    // BAD once complete
    s.handle_input(b"A2 REPLACE 0 Drafts {1}\r\n");
    let Some(ServerEvent::LiteralRequested {
        command, size: 1, ..
    }) = s.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(command, "REPLACE");
    s.accept_literal().unwrap();
    s.handle_input(b"x\r\nA3 NOOP\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(c.tag.as_str(), "A3");
    let o = text(&out(&mut s));
    assert!(o.starts_with("+ Ready for literal data\r\nA2 BAD"), "{o}");
}

#[test]
fn server_refuses_a_second_message() {
    // RFC 8508 §4.7: no MULTIAPPEND with REPLACE
    let mut s = server_selected(true);
    s.handle_input(b"A1 REPLACE 4 Drafts {1+}\r\nx {3+}\r\nabc\r\nA2 NOOP\r\n");
    let Some(ServerEvent::ReplaceStart { .. }) = s.poll_event().unwrap() else {
        panic!()
    };
    s.accept_literal().unwrap();
    let Some(ServerEvent::AppendChunk(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(&c[..], b"x");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::AppendAborted));
    // the second literal's bytes are skipped with the command
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(c.tag.as_str(), "A2");
    assert_eq!(out(&mut s), b"A1 BAD REPLACE takes one message\r\n");
    // and garbage after the message is BAD too
    s.complete("A2", StatusKind::Ok, None, "done").unwrap();
    out(&mut s);
    s.handle_input(b"A3 REPLACE 4 Drafts {1+}\r\nx junk\r\n");
    s.poll_event().unwrap();
    s.accept_literal().unwrap();
    s.poll_event().unwrap();
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::AppendAborted));
    assert_eq!(
        out(&mut s),
        b"A3 BAD unexpected data after REPLACE message\r\n"
    );
}

#[test]
fn server_lets_the_application_refuse_the_message() {
    let mut s = server_selected(true);
    s.handle_input(b"A1 REPLACE 99 Nowhere {5}\r\n");
    let Some(ServerEvent::ReplaceStart { .. }) = s.poll_event().unwrap() else {
        panic!()
    };
    s.reject_literal(Some(Code::TryCreate), "no such mailbox")
        .unwrap();
    assert_eq!(out(&mut s), b"A1 NO [TRYCREATE] no such mailbox\r\n");
    s.handle_input(b"A2 NOOP\r\n");
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(ServerEvent::Command(_))
    ));
    s.complete("A2", StatusKind::Ok, None, "done").unwrap();
    out(&mut s);
    // the refused REPLACE leaves nothing behind: a MULTIAPPEND (RFC 3502)
    // after it still takes its second message
    s.handle_input(b"A3 APPEND Drafts {1+}\r\na {1+}\r\nb\r\n");
    let Some(ServerEvent::AppendStart { .. }) = s.poll_event().unwrap() else {
        panic!()
    };
    s.accept_literal().unwrap();
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(ServerEvent::AppendChunk(_))
    ));
    assert_eq!(
        s.poll_event().unwrap(),
        Some(ServerEvent::AppendEnd { more: true })
    );
    let Some(ServerEvent::AppendStart { .. }) = s.poll_event().unwrap() else {
        panic!("{}", text(&out(&mut s)))
    };
}

#[test]
fn server_drops_a_message_cut_off_by_eof() {
    let mut s = server_selected(true);
    s.handle_input(b"A1 REPLACE 4 Drafts {100+}\r\nonly a part");
    s.poll_event().unwrap();
    s.accept_literal().unwrap();
    let Some(ServerEvent::AppendChunk(_)) = s.poll_event().unwrap() else {
        panic!()
    };
    s.handle_eof();
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::AppendAborted));
    // no EXPUNGE can have been sent: nothing to complete
    assert!(s.complete("A1", StatusKind::Ok, None, "done").is_err());
}

#[test]
fn server_refuses_unread_pipelined_input_over_the_buffer_limit() {
    let mut config = ServerConfig::default()
        .greeting(Greeting::PreAuth)
        .replace(true);
    config.limits.input_buffer = 4096;
    let mut s = selected_with(config);
    // a hostile client pushes a non-synchronizing message and the
    // application does not answer: the buffer is bounded
    let mut big = b"A1 REPLACE 4 Drafts {100000+}\r\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 10_000));
    s.handle_input(&big);
    let r = loop {
        match s.poll_event() {
            Ok(Some(ServerEvent::ReplaceStart { .. })) => continue,
            Ok(Some(other)) => panic!("{other:?}"),
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(&r, Error::Limit(l) if l.kind == LimitKind::InputBuffer),
        "{r:?}"
    );
}
