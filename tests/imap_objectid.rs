//! OBJECTID (RFC 8474) on the codec and both machines: EMAILID, THREADID and
//! MAILBOXID everywhere the RFC puts them, checked against its grammar and
//! its example dialogues, with the peer's side written by hand.
//!
//! RFC 8474 §7 (Formal Syntax):
//!
//! ```text
//! capability =/ "OBJECTID"
//!
//! fetch-att =/ "EMAILID" / "THREADID"
//!
//! fetch-emailid-resp = "EMAILID" SP "(" objectid ")"
//!                    ; follows tagged-ext production from [RFC4466]
//!
//! fetch-threadid-resp = "THREADID" SP ( "(" objectid ")" / nil )
//!                    ; follows tagged-ext production from [RFC4466]
//!
//! msg-att-static =/ fetch-emailid-resp / fetch-threadid-resp
//!
//! objectid = 1*255(ALPHA / DIGIT / "_" / "-")
//!          ; characters in object identifiers are case
//!          ; significant
//!
//! resp-text-code =/ "MAILBOXID" SP "(" objectid ")"
//!          ; incorporated before the expansion rule of
//!          ;  atom [SP 1*<any TEXT-CHAR except "]">]
//!          ; that appears in [RFC3501]
//!
//! search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid
//!
//! status-att =/ "MAILBOXID"
//!
//! status-att-value =/ "MAILBOXID" SP "(" objectid ")"
//!          ; follows tagged-ext production from [RFC4466]
//! ```
//!
//! RFC 8474 §4.1: the server "MUST include the MAILBOXID response code in
//! the tagged OK response to all successful CREATE commands"; §4.2: it "MUST
//! return an untagged OK response with the MAILBOXID response code on all
//! successful SELECT and EXAMINE commands"; §5.2: "THREADID is OPTIONAL; if
//! the server doesn't support THREADID [...] it MUST return NIL to all FETCH
//! responses for the THREADID data item". (RFC text as quoted verbatim by an
//! independent RFC-compliance catalog; the grammar lines are also quoted by
//! two independent server implementations.)
//!
//! The RFC adds nothing to LIST itself: a MAILBOXID reaches a LIST reply
//! only through LIST-STATUS (RFC 5819, `RETURN (STATUS (MAILBOXID))`), whose
//! STATUS responses carry `status-att-value`.

mod common;

use common::imap::server_output;
use mailwire::Error;
use mailwire::IntoOwned;
use mailwire::error::{ApiMisuse, Unemittable};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, Command, CommandBody, CommandKind, Data, EmitOptions,
    FetchAttribute, FetchAttributes, FetchItem, FetchItems, FetchQuery, IString, Lazy, List,
    ListReturnOption, ParseOptions, Response, SearchKey, SearchQuery, Server, ServerConfig,
    ServerEvent, StatusAttribute, StatusItem, StatusKind, Tag, emit_command, emit_response,
    parse_command, parse_response,
};

fn response(line: &[u8]) -> Response<'_> {
    parse_response(line, &ParseOptions::STRICT).unwrap()
}

fn emit_r(r: &Response<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    emit_response(r, &mut out, &EmitOptions::default()).unwrap();
    out
}

fn emit_c(c: &Command<'_>) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    emit_command(c, &mut out, &EmitOptions::default()).map(|_| out)
}

fn fetch_items(line: &[u8]) -> Vec<FetchItem<'static>> {
    match response(line) {
        Response::Data(Data::Fetch { items, .. }) => {
            items.iter().map(|i| i.into_owned()).collect::<Vec<_>>()
        }
        r => panic!("{r:?}"),
    }
}

// ---------------------------------------------------------------- codec: FETCH

/// RFC 8474 §5.1 and §5.2 examples (server side, as the RFC prints them).
#[test]
fn codec_fetch_responses_of_the_rfc_examples() {
    for (line, email, thread) in [
        (
            &b"* 1 FETCH (EMAILID (M6d99ac3275bb4e))\r\n"[..],
            Some("M6d99ac3275bb4e"),
            None,
        ),
        (
            b"* 2 FETCH (EMAILID (M5fdc09b49ea703))\r\n",
            Some("M5fdc09b49ea703"),
            None,
        ),
        (
            b"* 3 FETCH (THREADID (T11863d02dd95b5))\r\n",
            None,
            Some(Some("T11863d02dd95b5")),
        ),
        // fetch-threadid-resp = "THREADID" SP ( "(" objectid ")" / nil )
        (b"* 1 FETCH (THREADID NIL)\r\n", None, Some(None)),
        (
            b"* 4 FETCH (EMAILID (M_-9) THREADID (T-_0) UID 9)\r\n",
            Some("M_-9"),
            Some(Some("T-_0")),
        ),
    ] {
        let r = response(line);
        assert_eq!(emit_r(&r), line, "byte-exact round trip");
        let Response::Data(Data::Fetch { items, .. }) = r else {
            panic!()
        };
        assert_eq!(
            items.email_id().map(|i| i.to_str_lossy().into_owned()),
            email.map(String::from)
        );
        assert_eq!(
            items
                .thread_id()
                .map(|t| t.map(|i| i.to_str_lossy().into_owned())),
            thread.map(|t| t.map(String::from))
        );
    }
}

#[test]
fn codec_fetch_attributes() {
    // RFC 8474 §5.1: "C: 11 fetch 1:2 (emailid)" (names are case-insensitive)
    let c = parse_command(b"11 fetch 1:2 (emailid)\r\n", &ParseOptions::STRICT).unwrap();
    let CommandBody::Fetch {
        attributes: FetchAttributes::List(l),
        ..
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(l.iter().collect::<Vec<_>>(), [FetchAttribute::EmailId]);
    // one attribute goes out without parentheses (`fetch = "FETCH" SP
    // sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att
    // *(SP fetch-att) ")")`, RFC 3501 §9)
    assert_eq!(emit_c(&c).unwrap(), b"11 FETCH 1:2 EMAILID\r\n");
    let c = parse_command(b"13 FETCH 1:3 (THREADID UID)\r\n", &ParseOptions::STRICT).unwrap();
    assert_eq!(emit_c(&c).unwrap(), b"13 FETCH 1:3 (THREADID UID)\r\n");
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` inside the parentheses:
/// anything else is not a typed EMAILID/THREADID.
#[test]
fn codec_fetch_refuses_ids_off_the_grammar() {
    let long = format!("* 1 FETCH (EMAILID ({}))\r\n", "M".repeat(256));
    let longest = format!("* 1 FETCH (EMAILID ({}))\r\n", "M".repeat(255));
    let m255 = "M".repeat(255);
    assert_eq!(
        fetch_items(longest.as_bytes()),
        [FetchItem::EmailId(IString::from(m255.as_str())).into_owned()]
    );
    for bad in [
        &b"* 1 FETCH (EMAILID ())\r\n"[..],
        b"* 1 FETCH (EMAILID (M.1))\r\n",
        b"* 1 FETCH (EMAILID (M 1))\r\n",
        b"* 1 FETCH (EMAILID M1)\r\n",
        b"* 1 FETCH (EMAILID \"M1\")\r\n",
        b"* 1 FETCH (EMAILID NIL)\r\n",
        b"* 1 FETCH (THREADID \"T1\")\r\n",
        b"* 1 FETCH (THREADID (T1)\r\n",
        b"* 1 FETCH (THREADID (T\xc3\xa91))\r\n",
        long.as_bytes(),
    ] {
        if let Ok(Response::Data(Data::Fetch { items, .. })) =
            parse_response(bad, &ParseOptions::STRICT)
        {
            assert!(
                items.email_id().is_none() && items.thread_id().is_none(),
                "{:?} read as an object id",
                String::from_utf8_lossy(bad)
            );
        }
    }
    // and the emitter refuses to write one
    for id in ["", "M 1", "M.1", "\"M1\"", &"M".repeat(256)] {
        let r = Response::Data(Data::Fetch {
            seq: 1,
            items: List::from_items(vec![FetchItem::EmailId(IString::from(id))]),
        });
        let mut out = Vec::new();
        assert!(matches!(
            emit_response(&r, &mut out, &EmitOptions::default()),
            Err(Error::Emit(Unemittable::Grammar { rule: "objectid" }))
        ));
    }
}

// ---------------------------------------------------------------- codec: CREATE, STATUS, LIST

/// RFC 8474 §4.1: "S: 3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed"
#[test]
fn codec_mailboxid_response_code() {
    for (line, id) in [
        (
            &b"3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed\r\n"[..],
            "F2212ea87-6097-4256-9d51-71338625",
        ),
        (
            b"4 OK [MAILBOXID (F6352ae03-b7f5-463c-896f-d8b48ee3)] Completed\r\n",
            "F6352ae03-b7f5-463c-896f-d8b48ee3",
        ),
    ] {
        let r = response(line);
        let Response::Status(s) = &r else { panic!() };
        assert_eq!(s.code, Some(Code::MailboxId(IString::from(id))));
        assert_eq!(emit_r(&r), line);
    }
    // off the grammar: not the typed code
    for bad in [
        &b"3 OK [MAILBOXID ()] x\r\n"[..],
        b"3 OK [MAILBOXID F1] x\r\n",
        b"3 OK [MAILBOXID (F 1)] x\r\n",
        b"3 OK [MAILBOXID (F1.x)] x\r\n",
    ] {
        if let Ok(Response::Status(s)) = parse_response(bad, &ParseOptions::STRICT) {
            assert!(
                !matches!(s.code, Some(Code::MailboxId(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

/// RFC 8474 §4.2/§4.3: "C: 6 STATUS foo (MAILBOXID)" and
/// "S: * STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))".
#[test]
fn codec_status_item() {
    let c = parse_command(b"6 STATUS foo (MAILBOXID)\r\n", &ParseOptions::STRICT).unwrap();
    let CommandBody::Status { items, .. } = &c.body else {
        panic!()
    };
    assert_eq!(items.iter().next().unwrap().as_str(), "MAILBOXID");
    assert_eq!(emit_c(&c).unwrap(), b"6 STATUS foo (MAILBOXID)\r\n");
    let line = b"* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n";
    let r = response(line);
    let Response::Data(Data::Status { items, .. }) = &r else {
        panic!()
    };
    assert_eq!(
        items.iter().collect::<Vec<_>>(),
        [StatusItem::MailboxId(IString::from(
            "F2212ea87-6097-4256-9d51-71338625"
        ))]
    );
    assert_eq!(emit_r(&r), line);
}

/// LIST-STATUS (RFC 5819) carries the STATUS item of RFC 8474.
#[test]
fn codec_list_return_status_mailboxid() {
    let line = b"A1 LIST \"\" \"%\" RETURN (STATUS (MAILBOXID MESSAGES))\r\n";
    let c = parse_command(line, &ParseOptions::STRICT).unwrap();
    let CommandBody::List {
        return_options: Some(o),
        ..
    } = &c.body
    else {
        panic!("{c:?}")
    };
    let Some(ListReturnOption::Status(items)) = o.iter().next() else {
        panic!()
    };
    assert_eq!(items.iter().next().unwrap().as_str(), "MAILBOXID");
    let wire = emit_c(&c).unwrap();
    let again = parse_command(&wire, &ParseOptions::STRICT).unwrap();
    assert_eq!(again.into_owned(), c.into_owned());
}

// ---------------------------------------------------------------- codec: SEARCH

/// `search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid`
#[test]
fn codec_search_keys() {
    for line in [
        &b"A1 SEARCH EMAILID M6d99ac3275bb4e\r\n"[..],
        b"A2 UID SEARCH THREADID T64b478a75b7ea9\r\n",
        b"A3 UID SEARCH OR EMAILID M3 NOT THREADID T-_1\r\n",
    ] {
        let c = parse_command(line, &ParseOptions::STRICT).unwrap();
        assert_eq!(emit_c(&c).unwrap(), line);
    }
    let c = parse_command(
        b"A1 SEARCH EMAILID M6d99ac3275bb4e\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    let CommandBody::Search { criteria, .. } = c.body else {
        panic!()
    };
    assert_eq!(
        criteria.iter().collect::<Vec<_>>(),
        [SearchKey::EmailId(IString::from("M6d99ac3275bb4e"))]
    );
}

/// Regression: the keys were read as `astring` (quoted strings and literals
/// passed, and were written back quoted). The RFC's argument is a bare
/// objectid: a quoted string, a literal, a space, an empty or a 256-byte id
/// are syntax errors.
#[test]
fn codec_search_refuses_ids_off_the_grammar() {
    let long = format!("A1 SEARCH EMAILID {}\r\n", "M".repeat(256));
    for opts in [ParseOptions::STRICT, ParseOptions::default()] {
        for bad in [
            &b"A1 SEARCH EMAILID \"M 1\"\r\n"[..],
            b"A1 SEARCH EMAILID \"M1\"\r\n",
            b"A1 SEARCH THREADID \"\"\r\n",
            b"A1 SEARCH EMAILID {2+}\r\nM1\r\n",
            b"A1 SEARCH EMAILID\r\n",
            b"A1 SEARCH EMAILID \r\n",
            b"A1 SEARCH EMAILID M.1\r\n",
            b"A1 SEARCH THREADID T\xc3\xa9\r\n",
            long.as_bytes(),
        ] {
            assert!(
                parse_command(bad, &opts).is_err(),
                "{:?} parsed",
                String::from_utf8_lossy(bad)
            );
        }
    }
    // emitting: an id off the grammar is refused, never quoted
    for id in ["M 1", "", "M\"1", &"M".repeat(256)] {
        let c = Command {
            tag: Tag::new("A1").unwrap(),
            body: CommandBody::Search {
                uid: false,
                return_options: None,
                charset: None,
                criteria: List::from_items(vec![SearchKey::Not(Lazy::new(SearchKey::ThreadId(
                    IString::from(id),
                )))]),
            },
        };
        assert!(
            matches!(
                emit_c(&c),
                Err(Error::Emit(Unemittable::Grammar { rule: "objectid" }))
            ),
            "{id:?}"
        );
    }
}

// ---------------------------------------------------------------- client

fn client(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
    while c.poll_event().unwrap().is_some() {}
    c.select("INBOX").unwrap();
    c.handle_input(b"A0001 OK [READ-WRITE] selected\r\n");
    while c.poll_event().unwrap().is_some() {}
    while c.poll_transmit().is_some() {}
    c
}

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

fn refused(r: Result<Tag<'static>, Error>) -> bool {
    matches!(
        r,
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "OBJECTID"
        }))
    )
}

/// Regression: the client sent EMAILID, THREADID and MAILBOXID to servers
/// that never advertised OBJECTID.
#[test]
fn client_gates_every_place_on_objectid() {
    let mut c = client("LIST-STATUS LIST-EXTENDED SORT THREAD=REFERENCES");
    assert!(refused(c.fetch(1, &FetchQuery::new().email_id())));
    assert!(refused(
        c.uid_fetch(1.., &FetchQuery::new().uid().thread_id())
    ));
    assert!(refused(c.status("foo", &[StatusAttribute::MailboxId])));
    assert!(refused(c.search(&SearchQuery::new().email_id("M1"))));
    // nested under NOT and OR
    assert!(refused(c.uid_search(&SearchQuery::new().unseen().not(
        SearchQuery::new().or(
            SearchQuery::new().seen(),
            SearchQuery::new().thread_id("T1")
        )
    ))));
    let list = CommandBody::List {
        reference: mailwire::imap::Mailbox::from_utf8(""),
        patterns: List::from_items(vec![IString::from("%")]),
        selection: List::empty(),
        return_options: Some(List::from_items(vec![ListReturnOption::Status(
            List::from_items(vec![mailwire::imap::Atom::new("MAILBOXID").unwrap()]),
        )])),
    };
    assert!(refused(c.send(list.clone())));
    let sort = parse_command(
        b"x UID SORT (DATE) UTF-8 EMAILID M1\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    assert!(refused(c.send(sort.body.into_owned())));
    let thread = parse_command(
        b"x THREAD REFERENCES UTF-8 (THREADID T1)\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    assert!(refused(c.send(thread.body.into_owned())));
    // nothing went out; other items pass
    assert_eq!(sent(&mut c), "");
    c.status("foo", &[StatusAttribute::Messages]).unwrap();
    assert_eq!(sent(&mut c), "A0002 STATUS foo (MESSAGES)\r\n");
    // with OBJECTID advertised, the same commands go out as the RFC writes them
    let mut c = client("OBJECTID LIST-STATUS LIST-EXTENDED");
    c.fetch(1..=2, &FetchQuery::new().email_id()).unwrap();
    c.fetch(1..=3, &FetchQuery::new().thread_id()).unwrap();
    c.status("foo", &[StatusAttribute::MailboxId]).unwrap();
    c.uid_search(&SearchQuery::new().or(
        SearchQuery::new().email_id("M3"),
        SearchQuery::new().email_id("M4"),
    ))
    .unwrap();
    c.send(list).unwrap();
    assert_eq!(
        sent(&mut c),
        "A0002 FETCH 1:2 EMAILID\r\n\
         A0003 FETCH 1:3 THREADID\r\n\
         A0004 STATUS foo (MAILBOXID)\r\n\
         A0005 UID SEARCH OR EMAILID M3 EMAILID M4\r\n\
         A0006 LIST \"\" % RETURN (STATUS (MAILBOXID))\r\n"
    );
}

/// The server's answers, written by hand from the RFC's examples, reach the
/// application typed.
#[test]
fn client_reads_the_rfc_dialogues_typed() {
    let mut c = client("OBJECTID");
    // RFC 8474 §4.1: CREATE answered with the new mailbox's id
    let tag = c.create("foo").unwrap();
    c.handle_input(
        format!(
            "{} OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed\r\n",
            tag.as_str()
        )
        .as_bytes(),
    );
    let ev = c.poll_event().unwrap().unwrap().into_owned();
    let ClientEvent::Completed { command, code, .. } = ev else {
        panic!("{ev:?}")
    };
    assert_eq!(command, CommandKind::Create);
    assert_eq!(
        code,
        Some(Code::MailboxId(IString::from(
            "F2212ea87-6097-4256-9d51-71338625"
        )))
    );
    // RFC 8474 §5.1 and §5.2
    c.fetch(1..=3, &FetchQuery::new().email_id().thread_id())
        .unwrap();
    c.handle_input(
        b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n\
          * 2 FETCH (EMAILID (M5fdc09b49ea703) THREADID (T64b478a75b7ea9))\r\n\
          * 3 FETCH (EMAILID (M11863d02dd95b5) THREADID NIL)\r\n\
          A0003 OK Fetch completed\r\n",
    );
    let mut got = Vec::new();
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Data {
            data: Data::Fetch { seq, items },
            ..
        } = ev
        {
            got.push((
                seq,
                items.email_id().unwrap().to_str_lossy().into_owned(),
                items
                    .thread_id()
                    .unwrap()
                    .map(|t| t.to_str_lossy().into_owned()),
            ));
        }
    }
    assert_eq!(
        got,
        [
            (1, "M6d99ac3275bb4e".into(), Some("T64b478a75b7ea9".into())),
            (2, "M5fdc09b49ea703".into(), Some("T64b478a75b7ea9".into())),
            (3, "M11863d02dd95b5".into(), None),
        ]
    );
}

/// RFC 8474 §4.2: "A server advertising the OBJECTID capability MUST return
/// an untagged OK response with the MAILBOXID response code on all
/// successful SELECT and EXAMINE commands."
#[test]
fn client_reads_the_mailboxid_of_select() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 OBJECTID] ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    let tag = c.examine("foo").unwrap();
    c.handle_input(
        format!(
            "* 0 EXISTS\r\n* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n{} OK [READ-ONLY] done\r\n",
            tag.as_str()
        )
        .as_bytes(),
    );
    let mut id = None;
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Status { status, .. } = ev {
            if let Some(Code::MailboxId(m)) = status.code {
                id = Some(m.to_str_lossy().into_owned());
            }
        }
    }
    assert_eq!(id.as_deref(), Some("F2212ea87-6097-4256-9d51-71338625"));
}

// ---------------------------------------------------------------- server

#[test]
fn server_app_sends_the_mailboxid_of_select() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["OBJECTID".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a LOGIN u p\r\nb EXAMINE foo\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap(),
            ServerEvent::Command(c) => {
                s.send_untagged(
                    StatusKind::Ok,
                    Some(Code::MailboxId(IString::from(
                        "F2212ea87-6097-4256-9d51-71338625",
                    ))),
                    "Ok",
                )
                .unwrap();
                s.complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                    .unwrap()
            }
            _ => {}
        }
    }
    let o = server_output(&mut s);
    assert!(
        o.ends_with("* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\nb OK done\r\n"),
        "{o}"
    );
}

fn selected_server(caps: Vec<String>) -> Server {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(caps)
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a LOGIN u p\r\nb SELECT INBOX\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap(),
            ServerEvent::Command(c) => s
                .complete(c.tag.as_str(), StatusKind::Ok, None, "sel")
                .unwrap(),
            _ => {}
        }
    }
    server_output(&mut s);
    s
}

#[test]
fn server_advertises_objectid_only_when_configured() {
    let mut s = selected_server(vec![]);
    s.handle_input(b"c CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(!server_output(&mut s).contains("OBJECTID"));
    let mut s = selected_server(vec!["OBJECTID".into()]);
    s.handle_input(b"c CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    let o = server_output(&mut s);
    assert!(o.contains(" OBJECTID"), "{o}");
}

/// The application answers CREATE, STATUS, FETCH and SEARCH with typed
/// values; the bytes are the RFC's.
#[test]
fn server_app_answers_with_typed_ids() {
    let mut s = selected_server(vec!["OBJECTID".into()]);
    s.handle_input(
        b"3 create foo\r\n\
          6 STATUS foo (MAILBOXID)\r\n\
          11 fetch 1:2 (emailid threadid)\r\n\
          12 UID SEARCH EMAILID M6d99ac3275bb4e\r\n",
    );
    while let Some(ev) = s.poll_event().unwrap() {
        let ServerEvent::Command(c) = ev.into_owned() else {
            continue;
        };
        let tag = c.tag.as_str().to_owned();
        match c.body {
            CommandBody::Create { .. } => s
                .complete(
                    &tag,
                    StatusKind::Ok,
                    Some(Code::MailboxId(IString::from(
                        "F2212ea87-6097-4256-9d51-71338625",
                    ))),
                    "Completed",
                )
                .unwrap(),
            CommandBody::Status { mailbox, items } => {
                assert_eq!(items.iter().next().unwrap().as_str(), "MAILBOXID");
                s.send_untagged_data(&Data::Status {
                    mailbox,
                    items: List::from_items(vec![StatusItem::MailboxId(IString::from(
                        "F2212ea87-6097-4256-9d51-71338625",
                    ))]),
                })
                .unwrap();
                s.complete(&tag, StatusKind::Ok, None, "Completed").unwrap();
            }
            CommandBody::Fetch {
                attributes: FetchAttributes::List(l),
                ..
            } => {
                assert_eq!(
                    l.iter().collect::<Vec<_>>(),
                    [FetchAttribute::EmailId, FetchAttribute::ThreadId]
                );
                for (seq, e, t) in [
                    (1, "M6d99ac3275bb4e", Some("T64b478a75b7ea9")),
                    (2, "M5fdc09b49ea703", None),
                ] {
                    s.send_untagged_data(&Data::Fetch {
                        seq,
                        items: List::from_items(vec![
                            FetchItem::EmailId(IString::from(e)),
                            FetchItem::ThreadId(t.map(IString::from)),
                        ]),
                    })
                    .unwrap();
                }
                s.complete(&tag, StatusKind::Ok, None, "Fetch completed")
                    .unwrap();
            }
            CommandBody::Search { criteria, .. } => {
                assert_eq!(
                    criteria.iter().collect::<Vec<_>>(),
                    [SearchKey::EmailId(IString::from("M6d99ac3275bb4e"))]
                );
                s.send_untagged_data(&Data::Search {
                    ids: List::from_items(vec![1]),
                    modseq: None,
                })
                .unwrap();
                s.complete(&tag, StatusKind::Ok, None, "done").unwrap();
            }
            b => panic!("{b:?}"),
        }
    }
    assert_eq!(
        server_output(&mut s),
        "3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed\r\n\
         * STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n\
         6 OK Completed\r\n\
         * 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n\
         * 2 FETCH (EMAILID (M5fdc09b49ea703) THREADID NIL)\r\n\
         11 OK Fetch completed\r\n\
         * SEARCH 1\r\n\
         12 OK done\r\n"
    );
}

/// Hostile: a search by an id off the grammar is answered BAD by the
/// machine and never reaches the application.
#[test]
fn server_refuses_search_ids_off_the_grammar() {
    let mut s = selected_server(vec!["OBJECTID".into()]);
    s.handle_input(b"A1 SEARCH EMAILID \"M 1\"\r\nA2 SEARCH THREADID \"\"\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        assert!(
            !matches!(ev, ServerEvent::Command(_)),
            "reached the app: {ev:?}"
        );
    }
    let o = server_output(&mut s);
    assert!(o.contains("A1 BAD") && o.contains("A2 BAD"), "{o}");
}
