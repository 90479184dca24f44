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

use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, Data, EmitOptions, FetchItem, FetchQuery,
    ParseOptions, Response, Server, ServerConfig, ServerEvent, StatusKind, emit_response,
    parse_response,
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

fn drain(c: &mut Client) -> Vec<ClientEvent<'static>> {
    let mut v = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        v.push(e.into_owned());
    }
    v
}

/// A client with UIDONLY enabled (or not) and INBOX selected; the server's
/// bytes written by hand.
fn selected(uidonly: bool) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 ENABLE UIDONLY] ready\r\n");
    drain(&mut c);
    let t = c.login("u", "p").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("{t} OK logged in\r\n").as_bytes());
    drain(&mut c);
    if uidonly {
        let t = c.enable(&["UIDONLY"]).unwrap().as_str().to_owned();
        assert_eq!(sent(&mut c), format!("{t} ENABLE UIDONLY\r\n"));
        c.handle_input(format!("* ENABLED UIDONLY\r\n{t} OK done\r\n").as_bytes());
        drain(&mut c);
        assert!(c.enabled().has("UIDONLY"));
    }
    let t = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 3 EXISTS\r\n{t} OK [READ-WRITE] done\r\n").as_bytes());
    drain(&mut c);
    c
}

#[test]
fn client_refuses_sequence_number_commands_once_enabled() {
    let mut c = selected(true);
    assert!(matches!(
        c.fetch(1..=3, &FetchQuery::new().flags()),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
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
    let evs = drain(&mut c);
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
    for (cmd, tag) in [
        (&b"d FETCH 1:3 FLAGS\r\n"[..], "d"),
        (b"e STORE 1 +FLAGS (\\Seen)\r\n", "e"),
        (b"f SEARCH ALL\r\n", "f"),
        (b"g COPY 1 Trash\r\n", "g"),
    ] {
        let (o, ev) = feed(&mut s, cmd);
        assert!(o.starts_with(&format!("{tag} BAD [UIDREQUIRED] ")), "{o}");
        assert!(ev.is_empty(), "never reaches the app: {ev:?}");
    }
    // the UID forms reach the application
    let (o, ev) = feed(&mut s, b"h UID FETCH 1:3 FLAGS\r\n");
    assert!(o.starts_with("h OK"), "{o}");
    assert_eq!(ev.len(), 1, "{ev:?}");
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
