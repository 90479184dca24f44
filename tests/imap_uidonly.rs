//! UIDONLY (RFC 9586) on the codec and both machines, checked against the
//! RFC's grammar, with the peer's side written by hand.
//!
//! RFC 9586 (ABNF, as read from the RFC):
//!
//! ```text
//! capability     =/ "UIDONLY"
//! message-data   =/ uidfetch-resp
//! uidfetch-resp  = uniqueid SP "UIDFETCH" SP msg-att
//! resp-text-code =/ "UIDREQUIRED"
//! ```
//!
//! RFC 9586 §3: after `ENABLE UIDONLY` the server sends UIDFETCH instead of
//! FETCH and VANISHED instead of EXPUNGE, and a command that uses message
//! sequence numbers gets a tagged `BAD [UIDREQUIRED]`.
//!
//! The rules quoted by the tests below, as read from RFC 9586:
//! - Abstract: "Message numbers are not returned in responses and cannot be
//!   used in requests once this extension is enabled."
//! - §3: "Once the UIDONLY extension is enabled (see Section 3.1), the client
//!   MUST NOT use message sequence numbers (including the special marker
//!   "*") in any arguments to IMAP commands, and the server MUST return
//!   tagged BAD response if the client uses message sequence numbers. The
//!   server SHOULD include the UIDREQUIRED response code in such BAD
//!   responses".
//!
//! And from RFC 7162 (QRESYNC), whose VANISHED response UIDONLY uses:
//! - §7: `expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids`,
//!   `known-uids = sequence-set` "*" is not allowed.
//! - §3.2.10.2: "Unlike VANISHED (EARLIER), this response also decrements
//!   the number of messages in the mailbox ... each UID listed in a
//!   VANISHED response results in the client decrementing the message count
//!   by one."

mod common;

use common::imap::{client_events, server_output};
use mailwire::Error;
use mailwire::Limits;
use mailwire::error::ApiMisuse;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, Data, EmitOptions, FetchItem, FetchLiteral,
    FetchQuery, IntoOwned, List, ParseOptions, Response, Section, SequenceSet, Server,
    ServerConfig, ServerEvent, StatusKind, emit_response, parse_command, parse_response,
};

// ---------------------------------------------------------------- codec

#[test]
fn codec_parses_uidfetch_with_the_fetch_item_grammar() {
    let line = b"* 25996 UIDFETCH (FLAGS (\\Seen) MODSEQ (12))\r\n";
    let Response::Data(Data::UidFetch { uid, items }) =
        parse_response(line, &ParseOptions::STRICT).unwrap()
    else {
        panic!()
    };
    assert_eq!(uid, 25996);
    let items: Vec<_> = items.iter().collect();
    assert!(matches!(items[0], FetchItem::Flags(_)), "{items:?}");
    assert_eq!(items.len(), 2);
}

#[test]
fn codec_round_trips_uidfetch_and_uidrequired() {
    for line in [
        &b"* 25996 UIDFETCH (FLAGS (\\Seen))\r\n"[..],
        b"* 7 UIDFETCH (RFC822.SIZE 44 BODY[] {5}\r\nhello)\r\n",
        b"A1 BAD [UIDREQUIRED] Message sequence numbers are not allowed\r\n",
    ] {
        let r = parse_response(line, &ParseOptions::STRICT).unwrap();
        let mut out = Vec::new();
        emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
        // the emitter may write a short literal as a quoted string: the
        // same value either way
        assert_eq!(parse_response(&out, &ParseOptions::STRICT).unwrap(), r);
        if !line.contains(&b'{') {
            assert_eq!(out, line, "{}", String::from_utf8_lossy(&out));
        }
    }
    let Response::Status(s) =
        parse_response(b"A1 BAD [UIDREQUIRED] x\r\n", &ParseOptions::STRICT).unwrap()
    else {
        panic!()
    };
    assert_eq!(s.code, Some(Code::UidRequired));
}

#[test]
fn codec_refuses_uid_zero_and_truncation() {
    // uniqueid = nz-number
    assert!(parse_response(b"* 0 UIDFETCH (FLAGS ())\r\n", &ParseOptions::STRICT).is_err());
    // out of range: refused with the default quirks too (which read an
    // out-of-range EXISTS as 2^32-1); a UID read as another would name
    // another message
    for opts in [ParseOptions::STRICT, ParseOptions::default()] {
        assert!(parse_response(b"* 4294967296 UIDFETCH (FLAGS ())\r\n", &opts).is_err());
    }
    assert!(parse_response(b"* 5 UIDFETCH (FLAGS (", &ParseOptions::STRICT).is_err());
    assert!(parse_response(b"* 5 UIDFETCH\r\n", &ParseOptions::STRICT).is_err());
    let r = Response::Data(Data::UidFetch {
        uid: 0,
        items: mailwire::imap::List::from_items(vec![FetchItem::Uid(3)]),
    });
    assert!(emit_response(&r, &mut Vec::new(), &EmitOptions::default()).is_err());
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

/// A client with UIDONLY enabled (or not) and INBOX selected; the server's
/// bytes written by hand.
fn selected(uidonly: bool) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 ENABLE UIDONLY] ready\r\n");
    client_events(&mut c);
    let t = c.login("u", "p").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("{t} OK logged in\r\n").as_bytes());
    client_events(&mut c);
    if uidonly {
        let t = c.enable(&["UIDONLY"]).unwrap().as_str().to_owned();
        assert_eq!(sent(&mut c), format!("{t} ENABLE UIDONLY\r\n"));
        c.handle_input(format!("* ENABLED UIDONLY\r\n{t} OK done\r\n").as_bytes());
        client_events(&mut c);
        assert!(c.enabled().has("UIDONLY"));
    }
    let t = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 3 EXISTS\r\n{t} OK [READ-WRITE] done\r\n").as_bytes());
    client_events(&mut c);
    c
}

/// A command line as the application would build it, parsed.
fn body(line: &str) -> mailwire::imap::CommandBody<'static> {
    parse_command(line.as_bytes(), &ParseOptions::STRICT)
        .unwrap()
        .body
        .into_owned()
}

#[test]
fn client_refuses_sequence_number_commands_once_enabled() {
    let mut c = selected(true);
    // RFC 9586 §3: "the client MUST NOT use message sequence numbers
    // (including the special marker "*") in any arguments to IMAP commands"
    assert!(matches!(
        c.fetch(1..=3, &FetchQuery::new().flags()),
        Err(Error::Misuse(ApiMisuse::UidRequired))
    ));
    for line in [
        "x STORE 1 +FLAGS (\\Seen)\r\n",
        "x SEARCH ALL\r\n",
        "x COPY 1:* Trash\r\n",
        "x MOVE 2 Trash\r\n",
        "x SORT (DATE) UTF-8 ALL\r\n",
        "x THREAD REFERENCES UTF-8 ALL\r\n",
    ] {
        assert!(
            matches!(
                c.send(body(line)),
                Err(Error::Misuse(ApiMisuse::UidRequired))
            ),
            "{line}"
        );
        // the escape hatch for unadvertised extensions does not lift a rule
        // of the session's state
        assert!(
            matches!(
                c.send_unadvertised(body(line)),
                Err(Error::Misuse(ApiMisuse::UidRequired))
            ),
            "{line}"
        );
    }
    assert_eq!(sent(&mut c), "", "nothing went out");
    // the UID form is what UIDONLY asks for
    let t = c.uid_fetch(1..=3, &FetchQuery::new().flags()).unwrap();
    assert!(sent(&mut c).starts_with(&format!("{} UID FETCH 1:3 ", t.as_str())));
}

#[test]
fn client_without_uidonly_sends_fetch() {
    let mut c = selected(false);
    let t = c.fetch(1..=3, &FetchQuery::new().flags()).unwrap();
    assert!(sent(&mut c).starts_with(&format!("{} FETCH 1:3 ", t.as_str())));
}

#[test]
fn client_reports_uidfetch_as_typed_data() {
    let mut c = selected(true);
    let t = c
        .uid_fetch(1..=3, &FetchQuery::new().flags())
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    c.handle_input(format!("* 2 UIDFETCH (FLAGS (\\Seen))\r\n{t} OK done\r\n").as_bytes());
    let evs = client_events(&mut c);
    assert!(
        evs.iter().any(|e| matches!(
            e,
            ClientEvent::Data {
                data: Data::UidFetch { uid: 2, .. },
                ..
            }
        )),
        "{evs:?}"
    );
}

// ---------------------------------------------------------------- server

fn feed(s: &mut Server, input: &[u8]) -> (String, Vec<String>) {
    s.handle_input(input);
    let mut events = Vec::new();
    while let Some(ev) = s.poll_event().unwrap() {
        let ev = ev.into_owned();
        events.push(format!("{ev:?}"));
        match ev {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap(),
            ServerEvent::Command(c) => s
                .complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                .unwrap(),
            _ => {}
        }
    }
    let mut o = Vec::new();
    while let Some(b) = s.poll_transmit() {
        o.extend_from_slice(&b);
    }
    (String::from_utf8(o).unwrap(), events)
}

fn server() -> Server {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None)
        .enableable(vec!["UIDONLY".to_string()])
        .capabilities(vec!["UIDONLY".to_string()]);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    s
}

#[test]
fn server_refuses_sequence_numbers_after_enable_uidonly() {
    let mut s = server();
    let (o, _) = feed(
        &mut s,
        b"a LOGIN u p\r\nb ENABLE UIDONLY\r\nc SELECT INBOX\r\n",
    );
    assert!(o.contains("* ENABLED UIDONLY"), "{o}");
    assert!(s.is_enabled("UIDONLY"));
    // RFC 9586 §3: "the server MUST return tagged BAD response if the
    // client uses message sequence numbers. The server SHOULD include the
    // UIDREQUIRED response code"
    for (cmd, tag) in [
        (&b"d FETCH 1:3 FLAGS\r\n"[..], "d"),
        (b"e STORE 1 +FLAGS (\\Seen)\r\n", "e"),
        (b"f SEARCH ALL\r\n", "f"),
        (b"g COPY 1 Trash\r\n", "g"),
        (b"g2 MOVE 1:* Trash\r\n", "g2"),
        (b"g3 SORT (DATE) UTF-8 ALL\r\n", "g3"),
        (b"g4 THREAD REFERENCES UTF-8 ALL\r\n", "g4"),
        // a sequence-set search key in a UID command, nested too
        (b"g5 UID SEARCH 1:5\r\n", "g5"),
        (b"g6 UID SEARCH OR SEEN NOT 2\r\n", "g6"),
        (b"g7 UID SORT (DATE) UTF-8 (3)\r\n", "g7"),
        (b"g8 UID SEARCH $\r\n", "g8"),
        // MULTISEARCH's ESEARCH answers in UIDs, but its program is the
        // client's argument all the same
        (b"g9 ESEARCH IN (SELECTED) NOT 4\r\n", "g9"),
    ] {
        let (o, ev) = feed(&mut s, cmd);
        assert!(o.starts_with(&format!("{tag} BAD [UIDREQUIRED] ")), "{o}");
        assert!(ev.is_empty(), "never reaches the app: {ev:?}");
    }
    // the UID forms reach the application
    let (o, ev) = feed(&mut s, b"h UID FETCH 1:3 FLAGS\r\n");
    assert!(o.starts_with("h OK"), "{o}");
    assert_eq!(ev.len(), 1, "{ev:?}");
    for cmd in [
        &b"i UID SEARCH UID 1:5 NOT UID $\r\n"[..],
        b"j UID STORE 1:* +FLAGS (\\Seen)\r\n",
        b"k UID MOVE 4 Trash\r\n",
    ] {
        let (o, ev) = feed(&mut s, cmd);
        assert!(o.contains(" OK"), "{o}");
        assert_eq!(ev.len(), 1, "{ev:?}");
    }
}

#[test]
fn server_refuses_qresync_seq_match_data_after_uidonly() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None)
        .enableable(vec!["QRESYNC".to_string(), "UIDONLY".to_string()])
        .capabilities(vec!["QRESYNC".to_string(), "UIDONLY".to_string()]);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    let (o, _) = feed(&mut s, b"a LOGIN u p\r\nb ENABLE QRESYNC UIDONLY\r\n");
    assert!(o.contains("* ENABLED QRESYNC UIDONLY"), "{o}");
    // RFC 7162 §3.2.5 seq-match-data: message numbers, in the authenticated
    // state as well
    let (o, ev) = feed(
        &mut s,
        b"c SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211 (1,3 41,43)))\r\n",
    );
    assert!(o.starts_with("c BAD [UIDREQUIRED] "), "{o}");
    assert!(ev.is_empty(), "{ev:?}");
    let (o, ev) = feed(
        &mut s,
        b"d SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211))\r\n",
    );
    assert!(o.starts_with("d OK"), "{o}");
    assert_eq!(ev.len(), 1);
}

#[test]
fn server_enables_uidonly_only_when_advertised() {
    // enableable, but the application does not advertise it
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None)
        .enableable(vec!["UIDONLY".to_string()]);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    let (o, _) = feed(&mut s, b"a LOGIN u p\r\nb ENABLE UIDONLY\r\n");
    assert!(o.contains("* ENABLED\r\nb OK"), "{o}");
    assert!(!s.is_enabled("UIDONLY"));
    feed(&mut s, b"c SELECT INBOX\r\n");
    let (o, ev) = feed(&mut s, b"d FETCH 1 FLAGS\r\n");
    assert!(o.starts_with("d OK"), "{o}");
    assert_eq!(ev.len(), 1);
}

#[test]
fn server_enables_uidonly_only_in_the_authenticated_state() {
    let mut s = server();
    // RFC 5161 §3.1 / RFC 9051 §6.3.1: ENABLE is an authenticated-state
    // command: not before login, not with a mailbox selected
    let (o, _) = feed(&mut s, b"a ENABLE UIDONLY\r\n");
    assert!(o.starts_with("a BAD"), "{o}");
    let (o, _) = feed(
        &mut s,
        b"b LOGIN u p\r\nc SELECT INBOX\r\nd ENABLE UIDONLY\r\n",
    );
    assert!(o.contains("d BAD"), "{o}");
    assert!(!s.is_enabled("UIDONLY"));
    let (o, ev) = feed(&mut s, b"e FETCH 1 FLAGS\r\n");
    assert!(o.starts_with("e OK"), "{o}");
    assert_eq!(ev.len(), 1);
}

#[test]
fn server_without_enable_lets_sequence_numbers_through() {
    let mut s = server();
    feed(&mut s, b"a LOGIN u p\r\nc SELECT INBOX\r\n");
    let (o, ev) = feed(&mut s, b"d FETCH 1:3 FLAGS\r\n");
    assert!(o.starts_with("d OK"), "{o}");
    assert_eq!(ev.len(), 1);
}

#[test]
fn server_app_sends_uidfetch() {
    let mut s = server();
    feed(
        &mut s,
        b"a LOGIN u p\r\nb ENABLE UIDONLY\r\nc SELECT INBOX\r\n",
    );
    s.send_untagged_data(&Data::UidFetch {
        uid: 25996,
        items: mailwire::imap::List::from_items(vec![FetchItem::Uid(25996)]),
    })
    .unwrap();
    let mut o = Vec::new();
    while let Some(b) = s.poll_transmit() {
        o.extend_from_slice(&b);
    }
    assert_eq!(o, b"* 25996 UIDFETCH (UID 25996)\r\n");
}

#[test]
fn server_api_speaks_uids_only_after_uidonly() {
    let mut s = server();
    feed(
        &mut s,
        b"a LOGIN u p\r\nb ENABLE UIDONLY\r\nc SELECT INBOX\r\n",
    );
    // RFC 9586, abstract: "Message numbers are not returned in responses
    // ... once this extension is enabled": an expunge or a flag change by
    // sequence number is the application's mistake, refused before a byte
    // goes out
    let flags = || List::from_items(vec![FetchItem::Uid(7)]);
    for refused in [
        s.send_untagged_data(&Data::Expunge(3)),
        s.send_untagged_data(&Data::Fetch {
            seq: 3,
            items: flags(),
        }),
        s.start_fetch(3, &[]),
        s.send_untagged(StatusKind::Ok, Some(Code::Unseen(3)), "first unseen"),
    ] {
        assert!(
            matches!(refused, Err(Error::Misuse(ApiMisuse::UidRequired))),
            "{refused:?}"
        );
    }
    // an ESEARCH without the UID indicator answers SEARCH (message numbers)
    let esearch =
        parse_response(b"* ESEARCH (TAG \"a\") COUNT 3\r\n", &ParseOptions::STRICT).unwrap();
    let Response::Data(esearch) = esearch else {
        panic!()
    };
    assert!(matches!(
        s.send_untagged_data(&esearch),
        Err(Error::Misuse(ApiMisuse::UidRequired))
    ));
    assert_eq!(server_output(&mut s), "");
    let uid_esearch = parse_response(
        b"* ESEARCH (TAG \"a\") UID COUNT 3\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    let Response::Data(uid_esearch) = uid_esearch else {
        panic!()
    };
    s.send_untagged_data(&uid_esearch).unwrap();
    assert_eq!(
        server_output(&mut s),
        "* ESEARCH (TAG \"a\") UID COUNT 3\r\n"
    );
    // the UID forms: VANISHED for expunges, UIDFETCH for flag changes
    s.send_untagged_data(&Data::Vanished {
        earlier: false,
        uids: SequenceSet::new("405,407:410").unwrap(),
    })
    .unwrap();
    s.send_untagged_data(&Data::UidFetch {
        uid: 7,
        items: flags(),
    })
    .unwrap();
    assert_eq!(
        server_output(&mut s),
        "* VANISHED 405,407:410\r\n* 7 UIDFETCH (UID 7)\r\n"
    );
    // [UNSEEN n] on a completion is refused too
    s.handle_input(b"d NOOP\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(matches!(
        s.complete("d", StatusKind::Ok, Some(Code::Unseen(1)), "done"),
        Err(Error::Misuse(ApiMisuse::UidRequired))
    ));
    s.complete("d", StatusKind::Ok, None, "done").unwrap();
    assert_eq!(server_output(&mut s), "d OK done\r\n");
}

#[test]
fn server_streams_uidfetch_literals() {
    let mut s = server();
    feed(
        &mut s,
        b"a LOGIN u p\r\nb ENABLE UIDONLY\r\nc SELECT INBOX\r\n",
    );
    // uniqueid = nz-number
    assert!(matches!(s.start_uid_fetch(0, &[]), Err(Error::Emit(_))));
    s.start_uid_fetch(25996, &[FetchItem::Uid(25996)]).unwrap();
    let body = FetchLiteral::BodySection {
        section: Section::default(),
        origin: None,
    };
    s.start_fetch_literal(&body, 10).unwrap();
    s.send_body(b"hello").unwrap();
    s.send_body(b"world").unwrap();
    s.finish_body().unwrap();
    s.finish_fetch().unwrap();
    let o = server_output(&mut s);
    assert_eq!(
        o,
        "* 25996 UIDFETCH (UID 25996 BODY[] {10}\r\nhelloworld)\r\n"
    );
    // what went out is the grammar's uidfetch-resp
    let r = parse_response(o.as_bytes(), &ParseOptions::STRICT).unwrap();
    assert!(matches!(
        r,
        Response::Data(Data::UidFetch { uid: 25996, .. })
    ));
}

#[test]
fn server_api_refuses_uidfetch_before_uidonly() {
    let mut s = server();
    feed(&mut s, b"a LOGIN u p\r\nc SELECT INBOX\r\n");
    // RFC 5161 §3.1: no responses of an extension the client did not enable
    let items = List::from_items(vec![FetchItem::Uid(7)]);
    assert!(matches!(
        s.send_untagged_data(&Data::UidFetch { uid: 7, items }),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
    assert!(matches!(
        s.start_uid_fetch(7, &[]),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
    // VANISHED is QRESYNC's (RFC 7162 §3.2.10) and UIDONLY's: neither is on
    let uids = SequenceSet::new("7").unwrap();
    assert!(matches!(
        s.send_untagged_data(&Data::Vanished {
            earlier: false,
            uids
        }),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
    assert_eq!(server_output(&mut s), "");
    // sequence numbers are fine here
    s.send_untagged_data(&Data::Expunge(3)).unwrap();
    assert_eq!(server_output(&mut s), "* 3 EXPUNGE\r\n");
}

#[test]
fn client_refuses_a_sequence_set_search_key_in_uid_commands() {
    let mut c = selected(true);
    // RFC 9586 §3 ("in any arguments"): `UID SEARCH 1:5` searches messages
    // 1 to 5 by sequence number, nested keys and `$` (the saved result as a
    // search key, RFC 5182) too
    for line in [
        "x UID SEARCH 1:5\r\n",
        "x UID SEARCH NOT 1:5\r\n",
        "x UID SEARCH OR SEEN 7\r\n",
        "x UID SEARCH (DELETED (2))\r\n",
        "x UID SEARCH $\r\n",
        "x UID SORT (DATE) UTF-8 3\r\n",
        "x UID THREAD REFERENCES UTF-8 NOT 3\r\n",
    ] {
        assert!(
            matches!(
                c.send(body(line)),
                Err(Error::Misuse(ApiMisuse::UidRequired))
            ),
            "{line}"
        );
    }
    assert_eq!(sent(&mut c), "");
    // by UID the same programs go out
    let t = c.send(body("x UID SEARCH UID 1:5 NOT UID $\r\n")).unwrap();
    assert_eq!(
        sent(&mut c),
        format!("{} UID SEARCH UID 1:5 NOT UID $\r\n", t.as_str())
    );
}

#[test]
fn client_sends_sequence_set_search_keys_without_uidonly() {
    let mut c = selected(false);
    let t = c.send(body("x UID SEARCH NOT 1:5\r\n")).unwrap();
    assert_eq!(
        sent(&mut c),
        format!("{} UID SEARCH NOT 1:5\r\n", t.as_str())
    );
}

#[test]
fn client_refuses_qresync_seq_match_data_once_enabled() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE QRESYNC CONDSTORE UIDONLY] hi\r\n");
    client_events(&mut c);
    let t = c
        .enable(&["QRESYNC", "UIDONLY"])
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    c.handle_input(format!("* ENABLED QRESYNC UIDONLY\r\n{t} OK done\r\n").as_bytes());
    client_events(&mut c);
    // RFC 7162 §3.2.5: seq-match-data = "(" known-sequence-set SP
    // known-uid-set ")": its first half is message numbers
    assert!(matches!(
        c.send(body(
            "x SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211 (1,3 41,43)))\r\n"
        )),
        Err(Error::Misuse(ApiMisuse::UidRequired))
    ));
    assert_eq!(sent(&mut c), "");
    let t = c
        .send(body(
            "x SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211))\r\n",
        ))
        .unwrap();
    assert!(sent(&mut c).starts_with(&format!("{} SELECT INBOX (QRESYNC ", t.as_str())));
}

#[test]
fn client_asks_for_uidonly_only_when_advertised() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE] hi\r\n");
    client_events(&mut c);
    assert!(matches!(
        c.enable(&["CONDSTORE", "uidonly"]),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "UIDONLY"
        }))
    ));
    assert_eq!(sent(&mut c), "");
    // what was advertised can still be enabled
    let t = c.enable(&["CONDSTORE"]).unwrap();
    assert_eq!(sent(&mut c), format!("{} ENABLE CONDSTORE\r\n", t.as_str()));
}

#[test]
fn client_switches_to_uidonly_only_after_the_servers_enabled() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UIDONLY] hi\r\n");
    client_events(&mut c);
    let t = c.enable(&["UIDONLY"]).unwrap().as_str().to_owned();
    sent(&mut c);
    // asked, not yet answered: nothing has changed
    assert!(!c.enabled().has("UIDONLY"));
    // RFC 5161 §3.1: the server lists in ENABLED what it enabled; this one
    // enabled nothing
    c.handle_input(format!("* ENABLED\r\n{t} OK nothing enabled\r\n").as_bytes());
    client_events(&mut c);
    assert!(!c.enabled().has("UIDONLY"));
    let t = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 3 EXISTS\r\n{t} OK [READ-WRITE] done\r\n").as_bytes());
    client_events(&mut c);
    let t = c.fetch(1..=3, &FetchQuery::new().flags()).unwrap();
    assert!(sent(&mut c).starts_with(&format!("{} FETCH 1:3 ", t.as_str())));
    // and without UIDONLY a UIDFETCH is not something this server may send
    c.handle_input(b"* 2 UIDFETCH (FLAGS (\\Seen))\r\n");
    let evs = client_events(&mut c);
    assert!(
        matches!(
            evs.as_slice(),
            [ClientEvent::MalformedResponse {
                completed: None,
                ..
            }]
        ),
        "{evs:?}"
    );
}

#[test]
fn client_reports_uidfetch_before_enabled_as_malformed_and_goes_on() {
    let mut c = selected(false);
    let t = c
        .uid_fetch(1..=3, &FetchQuery::new().flags())
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    // a hostile (or confused) server: UIDFETCH without ENABLED UIDONLY
    c.handle_input(
        format!("* 2 UIDFETCH (FLAGS (\\Seen))\r\n* 1 FETCH (UID 2 FLAGS ())\r\n{t} OK done\r\n")
            .as_bytes(),
    );
    let evs = client_events(&mut c);
    assert!(
        matches!(evs[0], ClientEvent::MalformedResponse { .. }),
        "{evs:?}"
    );
    assert!(
        matches!(
            evs[1],
            ClientEvent::Data {
                data: Data::Fetch { seq: 1, .. },
                ..
            }
        ),
        "{evs:?}"
    );
    assert!(
        matches!(
            evs[2],
            ClientEvent::Completed {
                status: StatusKind::Ok,
                ..
            }
        ),
        "{evs:?}"
    );
}

#[test]
fn client_reports_uidfetch_with_a_bad_uid_as_malformed() {
    let mut c = selected(true);
    let t = c
        .uid_fetch(1..=3, &FetchQuery::new().flags())
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    // uniqueid = nz-number: 0, past 2^32-1 (even under the quirk that reads
    // an out-of-range count as 2^32-1: a UID read as another would name
    // another message), a missing parenthesis
    c.handle_input(
        format!(
            "* 0 UIDFETCH (FLAGS ())\r\n* 4294967296 UIDFETCH (FLAGS ())\r\n\
             * 99999999999999999999 UIDFETCH (FLAGS ())\r\n\
             * 5 UIDFETCH FLAGS ()\r\n* 4294967295 UIDFETCH (FLAGS ())\r\n{t} OK done\r\n"
        )
        .as_bytes(),
    );
    let evs = client_events(&mut c);
    assert_eq!(evs.len(), 6, "{evs:?}");
    for e in &evs[..4] {
        assert!(matches!(e, ClientEvent::MalformedResponse { .. }), "{e:?}");
    }
    assert!(matches!(
        evs[4],
        ClientEvent::Data {
            data: Data::UidFetch {
                uid: 4294967295,
                ..
            },
            ..
        }
    ));
    assert!(matches!(evs[5], ClientEvent::Completed { .. }));
    // no number at all is not a UIDFETCH (an unknown response, kept as such)
    let t = c.noop().unwrap().as_str().to_owned();
    c.handle_input(format!("* x UIDFETCH (FLAGS ())\r\n{t} OK done\r\n").as_bytes());
    let evs = client_events(&mut c);
    assert!(
        !evs.iter().any(|e| matches!(
            e,
            ClientEvent::Data {
                data: Data::UidFetch { .. },
                ..
            }
        )),
        "{evs:?}"
    );
}

/// A client with UIDONLY enabled that keeps literals over 100 bytes out of
/// its buffers.
fn streaming(uidonly: bool) -> Client {
    let config = ClientConfig::default().limits(Limits::default().inline_literal(100));
    let mut c = Client::new(config);
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UIDONLY] hi\r\n");
    client_events(&mut c);
    if uidonly {
        let t = c.enable(&["UIDONLY"]).unwrap().as_str().to_owned();
        c.handle_input(format!("* ENABLED UIDONLY\r\n{t} OK done\r\n").as_bytes());
    }
    let t = c.select("INBOX").unwrap().as_str().to_owned();
    c.handle_input(format!("* 1 EXISTS\r\n{t} OK [READ-WRITE] done\r\n").as_bytes());
    client_events(&mut c);
    sent(&mut c);
    c
}

#[test]
fn client_streams_uidfetch_literals_like_fetch() {
    let mut c = streaming(true);
    let t = c
        .uid_fetch(25996, &FetchQuery::new().message())
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    let message = "x".repeat(1000);
    // S: * 25996 UIDFETCH (UID 25996 BODY[] {1000} ... FLAGS (\Seen))
    let wire = format!(
        "* 25996 UIDFETCH (UID 25996 BODY[] {{1000}}\r\n{message} FLAGS (\\Seen))\r\n{t} OK done\r\n"
    );
    let mut body = Vec::new();
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    let mut whole = None;
    let mut most_chunk = 0;
    // fed in pieces of 64 bytes: the literal is handed out as it arrives,
    // never kept whole
    for piece in wire.as_bytes().chunks(64) {
        c.handle_input(piece);
        while let Some(e) = c.poll_event().unwrap() {
            match e {
                ClientEvent::UidFetchBodyStart {
                    uid,
                    item: FetchItem::BodySection { data: None, .. },
                    size,
                } => starts.push((uid, size)),
                ClientEvent::FetchBodyChunk(chunk) => {
                    most_chunk = most_chunk.max(chunk.len());
                    body.extend_from_slice(&chunk);
                }
                ClientEvent::UidFetchBodyEnd { uid } => ends.push(uid),
                ClientEvent::Data {
                    data: Data::UidFetch { uid, items },
                    ..
                } => {
                    let items: Vec<_> = items.iter().map(IntoOwned::into_owned).collect();
                    whole = Some((uid, items));
                }
                ClientEvent::Completed { .. } => {}
                other => panic!("{other:?}"),
            }
        }
        assert!(c.memory_usage() < 4096, "{}", c.memory_usage());
    }
    assert_eq!(starts, [(25996, 1000)]);
    assert_eq!(ends, [25996]);
    assert_eq!(body, message.as_bytes());
    assert!(most_chunk <= 64);
    let (uid, items) = whole.unwrap();
    assert_eq!(uid, 25996);
    assert!(matches!(items[0], FetchItem::Uid(25996)));
    assert!(matches!(
        items[1],
        FetchItem::BodySection { data: None, .. }
    ));
    assert!(matches!(items[2], FetchItem::Flags(_)));
}

#[test]
fn client_does_not_stream_a_uidfetch_before_enabled() {
    let mut c = streaming(false);
    let t = c
        .uid_fetch(25996, &FetchQuery::new().message())
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    let message = "y".repeat(500);
    c.handle_input(
        format!("* 25996 UIDFETCH (BODY[] {{500}}\r\n{message})\r\n{t} OK done\r\n").as_bytes(),
    );
    let evs = client_events(&mut c);
    // the literal is skipped, not handed out, and costs that response only
    assert_eq!(evs.len(), 2, "{evs:?}");
    assert!(matches!(evs[0], ClientEvent::MalformedResponse { .. }));
    assert!(matches!(
        evs[1],
        ClientEvent::Completed {
            status: StatusKind::Ok,
            ..
        }
    ));
}

#[test]
fn client_counts_messages_through_vanished() {
    let mut c = selected(true);
    assert_eq!(c.exists(), Some(3));
    c.handle_input(b"* 10 EXISTS\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(10));
    // RFC 7162 §3.2.10.2: "each UID listed in a VANISHED response results in
    // the client decrementing the message count by one"
    c.handle_input(b"* VANISHED 405,407:410\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(5));
    // "Unlike VANISHED (EARLIER), this response also decrements": EARLIER
    // reports messages the client no longer counts
    c.handle_input(b"* VANISHED (EARLIER) 1:100\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(5));
    // hostile: a set far larger than the mailbox, counted range by range
    // (never expanded), and the count stops at zero
    c.handle_input(b"* VANISHED 1:4294967295,7,8\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(0));
    c.handle_input(b"* 2 EXISTS\r\n* VANISHED 9\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(1));
    // known-uids has no "*" (RFC 7162 §7): malformed, and counts nothing
    c.handle_input(b"* VANISHED 1:*\r\n* VANISHED $\r\n* VANISHED 0\r\n* VANISHED\r\n");
    let evs = client_events(&mut c);
    assert_eq!(evs.len(), 4);
    assert!(
        evs.iter()
            .all(|e| matches!(e, ClientEvent::MalformedResponse { .. })),
        "{evs:?}"
    );
    assert_eq!(c.exists(), Some(1));
    // no mailbox selected, no count
    let t = c.send(body("x CLOSE\r\n")).unwrap().as_str().to_owned();
    c.handle_input(format!("{t} OK closed\r\n").as_bytes());
    client_events(&mut c);
    assert_eq!(c.exists(), None);
}

#[test]
fn client_counts_expunge_without_uidonly() {
    let mut c = selected(false);
    c.handle_input(b"* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n");
    client_events(&mut c);
    assert_eq!(c.exists(), Some(1));
}

// ---------------------------------------------------------------- codec: VANISHED

#[test]
fn codec_vanished_takes_known_uids_only() {
    // RFC 7162 §7: known-uids = sequence-set ; "*" is not allowed
    for line in [
        &b"* VANISHED 1:*\r\n"[..],
        b"* VANISHED (EARLIER) *\r\n",
        b"* VANISHED $\r\n",
        b"* VANISHED 0:3\r\n",
        b"* VANISHED \r\n",
    ] {
        assert!(
            parse_response(line, &ParseOptions::default()).is_err(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
    let r = parse_response(b"* VANISHED 41,43:116\r\n", &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, b"* VANISHED 41,43:116\r\n");
    let star = Response::Data(Data::Vanished {
        earlier: false,
        uids: SequenceSet::new("3:*").unwrap(),
    });
    assert!(emit_response(&star, &mut Vec::new(), &EmitOptions::default()).is_err());
}

#[test]
fn server_api_sends_vanished_under_qresync_alone() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None)
        .enableable(vec!["QRESYNC".to_string()])
        .capabilities(vec!["QRESYNC".to_string()]);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    feed(
        &mut s,
        b"a LOGIN u p\r\nb ENABLE QRESYNC\r\nc SELECT INBOX\r\n",
    );
    s.send_untagged_data(&Data::Vanished {
        earlier: true,
        uids: SequenceSet::new("41,43:116").unwrap(),
    })
    .unwrap();
    assert_eq!(server_output(&mut s), "* VANISHED (EARLIER) 41,43:116\r\n");
}

#[test]
fn client_ignores_an_unsolicited_enabled_uidonly() {
    let mut c = selected(false);
    // RFC 5161 §3.1: ENABLED answers an ENABLE; this client asked for none,
    // so a hostile server cannot switch it into UIDONLY
    c.handle_input(b"* ENABLED UIDONLY\r\n");
    client_events(&mut c);
    assert!(!c.enabled().has("UIDONLY"));
    let t = c.fetch(1..=3, &FetchQuery::new().flags()).unwrap();
    assert!(sent(&mut c).starts_with(&format!("{} FETCH 1:3 ", t.as_str())));
    c.handle_input(b"* 2 UIDFETCH (FLAGS ())\r\n");
    let evs = client_events(&mut c);
    assert!(
        matches!(evs.as_slice(), [ClientEvent::MalformedResponse { .. }]),
        "{evs:?}"
    );
}
