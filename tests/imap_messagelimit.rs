//! MESSAGELIMIT (RFC 9738) on the codec and both machines, checked against
//! the RFC's grammar, with the peer's side written by hand.
//!
//! RFC 9738 (ABNF, as read from the RFC):
//!
//! ```text
//! capability     =/ "MESSAGELIMIT=" message-limit
//! message-limit  = nz-number32
//! resp-text-code =/ "MESSAGELIMIT" SP message-limit
//! ```
//!
//! A UID command over the limit returns partial results and
//! `OK [MESSAGELIMIT n]`; a command over message sequence numbers fails with
//! `NO [MESSAGELIMIT n]`.
//!
//! Not confirmed from the RFC text (it could not be read here; only its
//! abstract was): the rules above, and what RFC 9738 adds besides them, known
//! from independent sources: the capability `SAVELIMIT=n` (IANA's capability
//! registry and Cyrus' capability table list it with RFC 9738; Stalwart
//! advertises it) and the search keys `UIDAFTER uid` / `UIDBEFORE uid`
//! (Stalwart's tests: "UIDAFTER and UIDBEFORE are the search criteria added
//! by RFC 9738"; `UIDBEFORE 1` matches nothing, `UIDAFTER 0` everything).

use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, EmitOptions, ParseOptions, Response, Server,
    ServerConfig, ServerEvent, StatusKind, StatusResponse, emit_response, parse_response,
};

fn code(line: &[u8]) -> Option<Code<'_>> {
    match parse_response(line, &ParseOptions::STRICT).unwrap() {
        Response::Status(s) => s.code,
        r => panic!("{r:?}"),
    }
}

#[test]
fn codec_parses_and_round_trips_the_code() {
    for (line, n) in [
        (
            &b"A1 OK [MESSAGELIMIT 1000] UID FETCH completed with 1000 partial results\r\n"[..],
            1000,
        ),
        (
            b"A2 NO [MESSAGELIMIT 1000] FETCH exceeds the maximum 1000-message limit\r\n",
            1000,
        ),
        (b"A3 OK [MESSAGELIMIT 4294967295] max\r\n", u32::MAX),
    ] {
        assert_eq!(code(line), Some(Code::MessageLimit(n)));
        let r = parse_response(line, &ParseOptions::STRICT).unwrap();
        let mut out = Vec::new();
        emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(out, line);
    }
}

#[test]
fn codec_keeps_off_grammar_arguments_raw() {
    // message-limit = nz-number32: zero, over 32 bits, a sign or no
    // argument at all are not the typed code
    for bad in [
        &b"A1 OK [MESSAGELIMIT 0] x\r\n"[..],
        b"A1 OK [MESSAGELIMIT 4294967296] x\r\n",
        b"A1 OK [MESSAGELIMIT -5] x\r\n",
        b"A1 OK [MESSAGELIMIT] x\r\n",
        b"A1 OK [MESSAGELIMIT 12abc] x\r\n",
    ] {
        match code(bad) {
            Some(Code::Other { name, .. }) => assert_eq!(name.as_str(), "MESSAGELIMIT"),
            c => panic!("{} -> {c:?}", String::from_utf8_lossy(bad)),
        }
    }
}

#[test]
fn codec_refuses_to_emit_zero() {
    let r = Response::Status(StatusResponse {
        tag: None,
        kind: StatusKind::Ok,
        code: Some(Code::MessageLimit(0)),
        text: "x".into(),
    });
    assert!(emit_response(&r, &mut Vec::new(), &EmitOptions::default()).is_err());
}

// ---------------------------------------------------------------- client

#[test]
fn client_reads_the_limit_from_the_capability() {
    for (caps, want) in [
        ("IMAP4rev1 MESSAGELIMIT=1000", Some(1000)),
        ("IMAP4rev1 messagelimit=25", Some(25)),
        ("IMAP4rev1", None),
        // off the grammar: not a limit
        ("IMAP4rev1 MESSAGELIMIT=0", None),
        ("IMAP4rev1 MESSAGELIMIT=", None),
        ("IMAP4rev1 MESSAGELIMIT=+5", None),
        ("IMAP4rev1 MESSAGELIMIT=99999999999", None),
    ] {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(format!("* OK [CAPABILITY {caps}] ready\r\n").as_bytes());
        while c.poll_event().unwrap().is_some() {}
        assert_eq!(c.capabilities().message_limit(), want, "{caps}");
    }
}

#[test]
fn client_surfaces_the_code_on_the_completion() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 MESSAGELIMIT=1000] ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    let tag = c.noop().unwrap().as_str().to_owned();
    while c.poll_transmit().is_some() {}
    c.handle_input(format!("{tag} NO [MESSAGELIMIT 1000] too many\r\n").as_bytes());
    let mut got = None;
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Completed { code, status, .. } = ev {
            got = Some((status, code.map(|c| format!("{c:?}"))));
        }
    }
    assert_eq!(
        got,
        Some((
            StatusKind::No,
            Some(format!("{:?}", Code::MessageLimit(1000)))
        ))
    );
}

// ---------------------------------------------------------------- server

#[test]
fn server_advertises_it_when_configured_and_the_app_sends_the_code() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None)
        .capabilities(vec!["MESSAGELIMIT=1000".to_string()]);
    let mut s = Server::new(config);
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    s.handle_input(b"a CAPABILITY\r\nb LOGIN u p\r\nc SELECT INBOX\r\nd FETCH 1:2000 FLAGS\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap(),
            ServerEvent::Command(c) if c.tag.as_str() == "d" => s
                .complete(
                    "d",
                    StatusKind::No,
                    Some(Code::MessageLimit(1000)),
                    "FETCH exceeds the maximum 1000-message limit",
                )
                .unwrap(),
            ServerEvent::Command(c) => s
                .complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                .unwrap(),
            _ => {}
        }
    }
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(" MESSAGELIMIT=1000"), "{out}");
    assert!(
        out.contains("d NO [MESSAGELIMIT 1000] FETCH exceeds"),
        "{out}"
    );
}

// ---------------------------------------------------------------- SAVELIMIT, UIDAFTER, UIDBEFORE

#[test]
fn client_reads_savelimit_next_to_messagelimit() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 MESSAGELIMIT=1000 SAVELIMIT=5000] ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert_eq!(c.capabilities().message_limit(), Some(1000));
    assert_eq!(c.capabilities().save_limit(), Some(5000));
    for caps in [
        "SAVELIMIT=0",
        "SAVELIMIT=",
        "SAVELIMIT=-1",
        "SAVELIMIT=4294967296",
        "SAVELIMIT",
    ] {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(format!("* OK [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
        while c.poll_event().unwrap().is_some() {}
        assert_eq!(c.capabilities().save_limit(), None, "{caps}");
    }
}

#[test]
fn codec_uid_bounds_search_keys() {
    use mailwire::imap::{CommandBody, SearchKey, emit_command, parse_command};
    // the exchanges of Stalwart's RFC 9738 test, as a client writes them
    for (line, key) in [
        (
            &b"A1 UID SEARCH UIDBEFORE 1\r\n"[..],
            SearchKey::UidBefore(1),
        ),
        (
            b"A2 UID SEARCH UIDAFTER 4294967295\r\n",
            SearchKey::UidAfter(u32::MAX),
        ),
        (b"A3 UID SEARCH uidafter 0\r\n", SearchKey::UidAfter(0)),
    ] {
        let c = parse_command(line, &ParseOptions::STRICT).unwrap();
        let CommandBody::Search { criteria, .. } = &c.body else {
            panic!()
        };
        assert_eq!(criteria.iter().collect::<Vec<_>>(), [key]);
    }
    let line = b"A4 UID SEARCH UIDAFTER 100 UIDBEFORE 2000 NOT DELETED\r\n";
    let c = parse_command(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, line);
    // malformed: a missing, signed, oversized or non-numeric argument
    for bad in [
        &b"A1 SEARCH UIDAFTER\r\n"[..],
        b"A1 SEARCH UIDAFTER -1\r\n",
        b"A1 SEARCH UIDBEFORE 4294967296\r\n",
        b"A1 SEARCH UIDBEFORE 1:5\r\n",
        b"A1 SEARCH UIDBEFORE x\r\n",
    ] {
        assert!(
            parse_command(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // 0 is not a uniqueid: never written
    let c = mailwire::imap::Command {
        tag: mailwire::imap::Tag::new("A1").unwrap(),
        body: CommandBody::Search {
            uid: true,
            return_options: None,
            charset: None,
            criteria: mailwire::imap::List::from_items(vec![SearchKey::UidAfter(0)]),
        },
    };
    assert!(emit_command(&c, &mut Vec::new(), &EmitOptions::default()).is_err());
}

#[test]
fn client_gates_uid_bounds_on_messagelimit() {
    use mailwire::imap::SearchQuery;
    let open = |caps: &str| {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
        while c.poll_event().unwrap().is_some() {}
        c.select("INBOX").unwrap();
        c.handle_input(b"A0001 OK done\r\n");
        while c.poll_event().unwrap().is_some() {}
        while c.poll_transmit().is_some() {}
        c
    };
    let mut c = open("");
    let q = SearchQuery::new().not(SearchQuery::new().uid_after(5));
    assert!(matches!(
        c.uid_search(&q),
        Err(mailwire::Error::Misuse(
            mailwire::error::ApiMisuse::NotAdvertised {
                extension: "MESSAGELIMIT"
            }
        ))
    ));
    let mut c = open("MESSAGELIMIT=1000");
    c.uid_search(&SearchQuery::new().uid_after(1000).uid_before(2001))
        .unwrap();
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    assert_eq!(out, b"A0002 UID SEARCH UIDAFTER 1000 UIDBEFORE 2001\r\n");
}
