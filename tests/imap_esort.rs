//! ESORT and CONTEXT=SEARCH / CONTEXT=SORT (RFC 5267) on the codec and both
//! machines, checked against the RFC's grammar (§5) and its examples, with the
//! peer's side written by hand:
//!
//! ```text
//! capability          =/ "CONTEXT=SEARCH" / "CONTEXT=SORT" / "ESORT"
//! command-select      =/ "CANCELUPDATE" 1*(SP quoted)
//! context-position    = number
//! partial-range       = nz-number ":" nz-number
//! partial-results     = sequence-set / "NIL"
//! resp-text-code      =/ "NOUPDATE" SP quoted
//! ret-data-addto      = "ADDTO" SP "(" context-position SP sequence-set
//!                       *(SP context-position SP sequence-set) ")"
//! ret-data-partial    = "PARTIAL" SP "(" partial-range SP partial-results ")"
//! ret-data-removefrom = "REMOVEFROM" SP "(" context-position SP sequence-set
//!                       *(SP context-position SP sequence-set) ")"
//! return-option       =/ "CONTEXT" / "UPDATE" / "PARTIAL" SP partial-range
//! search-return-data  =/ ret-data-partial / ret-data-addto / ret-data-removefrom
//! sort                =/ ["UID" SP] "SORT" search-return-opts SP sort-criteria
//!                        SP search-criteria
//! ```

mod common;

use common::imap::{client_events, server_output};
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, CommandBody, ContextUpdate, Data, EmitOptions,
    IString, List, ParseOptions, PartialRange, Response, SearchReturnData, Server, ServerConfig,
    ServerEvent, StatusKind, emit_command, emit_response, parse_command, parse_response,
};

fn esearch_data(line: &[u8]) -> Vec<SearchReturnData<'_>> {
    match parse_response(line, &ParseOptions::STRICT).unwrap() {
        Response::Data(Data::ESearch(e)) => e.data.iter().collect(),
        other => panic!("{other:?}"),
    }
}

fn reemit(r: &Response<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    emit_response(r, &mut out, &EmitOptions::default()).unwrap();
    out
}

// ---------------------------------------------------------------- codec

#[test]
fn sort_return_options_parse_and_emit() {
    // RFC 5267 §3.1: C: A282 SORT RETURN (MIN MAX) (DATE) UTF-8 SINCE 1-Feb-1994
    for line in [
        &b"A282 SORT RETURN (MIN MAX) (DATE) UTF-8 SINCE 1-Feb-1994\r\n"[..],
        b"A301 UID SORT RETURN (ALL) (DATE) UTF-8 UNDELETED UNKEYWORD $Junk\r\n",
        // §4.4: C: B02 UID SORT RETURN (PARTIAL 23500:24000) (REVERSE DATE) UTF-8 UNDELETED
        b"B02 UID SORT RETURN (PARTIAL 23500:24000) (REVERSE DATE) UTF-8 UNDELETED\r\n",
        b"C01 SORT RETURN (UPDATE CONTEXT COUNT) (SUBJECT) UTF-8 ALL\r\n",
    ] {
        let cmd = parse_command(line, &ParseOptions::STRICT).unwrap();
        let CommandBody::Sort { return_options, .. } = &cmd.body else {
            panic!("{:?}", cmd.body)
        };
        assert!(return_options.is_some());
        let mut out = Vec::new();
        emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(out, line);
    }
    let cmd = parse_command(
        b"B02 UID SORT RETURN (PARTIAL 23500:24000) (REVERSE DATE) UTF-8 UNDELETED\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    let CommandBody::Sort {
        uid: true,
        return_options: Some(opts),
        ..
    } = cmd.body
    else {
        panic!()
    };
    let opts: Vec<_> = opts.iter().map(|a| a.as_str().to_owned()).collect();
    assert_eq!(opts, ["PARTIAL", "23500:24000"]);
    assert_eq!(
        PartialRange::from_atom(&opts[1]),
        Some(PartialRange::first(23500, 24000))
    );
    assert_eq!(PartialRange::from_atom("0:5"), None); // nz-number
    // RFC 9394 §4 adds partial-range-last: both positions with MINUS
    assert_eq!(
        PartialRange::from_atom("-1:-5"),
        Some(PartialRange::last(1, 5))
    );
    // without RETURN, SORT is still RFC 5256's
    let cmd = parse_command(b"a SORT (DATE) UTF-8 ALL\r\n", &ParseOptions::STRICT).unwrap();
    assert!(matches!(
        cmd.body,
        CommandBody::Sort {
            return_options: None,
            ..
        }
    ));
}

#[test]
fn sort_return_malformed_is_refused() {
    for bad in [
        &b"a SORT RETURN (DATE) UTF-8 ALL\r\n"[..], // RETURN without the sort criteria
        b"a SORT RETURN MIN (DATE) UTF-8 ALL\r\n",  // no parenthesis
        b"a SORT RETURN (MIN (DATE) UTF-8 ALL\r\n", // unclosed
        b"a SORT RETURN (MIN)(DATE) UTF-8 ALL\r\n", // no SP
    ] {
        assert!(
            parse_command(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn addto_and_removefrom_are_typed() {
    // RFC 5267 §4.3.1: S: * ESEARCH (TAG "B01") UID ADDTO (0 32768:32769)
    let line = b"* ESEARCH (TAG \"B01\") UID ADDTO (0 32768:32769)\r\n";
    let data = esearch_data(line);
    let [SearchReturnData::AddTo(l)] = data.as_slice() else {
        panic!("{data:?}")
    };
    let pairs: Vec<ContextUpdate<'_>> = l.iter().collect();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].position, 0);
    assert_eq!(pairs[0].set.as_str(), "32768:32769");
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    assert_eq!(reemit(&r), line);

    // §4.3.2: S: * ESEARCH (TAG "C01") UID REMOVEFROM (0 32768)
    // several pairs: *(SP context-position SP sequence-set)
    let line = b"* ESEARCH (TAG \"C01\") UID REMOVEFROM (0 32768 5 7,9:11) ADDTO (1 4)\r\n";
    let data = esearch_data(line);
    let [
        SearchReturnData::RemoveFrom(rm),
        SearchReturnData::AddTo(add),
    ] = data.as_slice()
    else {
        panic!("{data:?}")
    };
    let rm: Vec<(u32, String)> = rm
        .iter()
        .map(|u| (u.position, u.set.as_str().to_owned()))
        .collect();
    assert_eq!(rm, [(0, "32768".into()), (5, "7,9:11".into())]);
    assert_eq!(add.iter().count(), 1);
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    assert_eq!(reemit(&r), line);
}

#[test]
fn partial_return_data_is_typed() {
    // RFC 5267 §4.4: S: * ESEARCH (TAG "B01") UID PARTIAL (1:500 23033:23100)
    let line = b"* ESEARCH (TAG \"B01\") UID PARTIAL (1:500 23033:23100)\r\n";
    let data = esearch_data(line);
    let [SearchReturnData::Partial { range, results }] = data.as_slice() else {
        panic!("{data:?}")
    };
    assert_eq!(*range, PartialRange::first(1, 500));
    assert_eq!(results.as_ref().unwrap().as_str(), "23033:23100");
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    assert_eq!(reemit(&r), line);
    // partial-results = sequence-set / "NIL"
    let line = b"* ESEARCH (TAG \"B02\") PARTIAL (23500:24000 NIL)\r\n";
    let data = esearch_data(line);
    assert_eq!(
        data,
        [SearchReturnData::Partial {
            range: PartialRange::first(23500, 24000),
            results: None
        }]
    );
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    assert_eq!(reemit(&r), line);
    // RFC 9394 §4 updates RFC 5267's partial-range: the negative one is typed too
    let data = esearch_data(b"* ESEARCH (TAG \"B03\") PARTIAL (-1:-100 5)\r\n");
    assert!(
        matches!(&data[..], [SearchReturnData::Partial { range, .. }] if *range == PartialRange::last(1, 100)),
        "{data:?}"
    );
}

#[test]
fn malformed_update_data_is_refused() {
    for bad in [
        &b"* ESEARCH (TAG \"B01\") ADDTO ()\r\n"[..], // at least one pair
        b"* ESEARCH (TAG \"B01\") ADDTO (0)\r\n",     // a position without a set
        b"* ESEARCH (TAG \"B01\") ADDTO (0 1:2\r\n",  // unclosed
        b"* ESEARCH (TAG \"B01\") ADDTO 0 1:2\r\n",   // no parenthesis
        b"* ESEARCH (TAG \"B01\") REMOVEFROM (x 1)\r\n", // position is a number
        b"* ESEARCH (TAG \"B01\") REMOVEFROM (0 0)\r\n", // seq-number is nz
        b"* ESEARCH (TAG \"B01\") ADDTO (0 1:2 )\r\n", // trailing space
        b"* ESEARCH (TAG \"B01\") ADDTO (0 1:2",      // truncated
    ] {
        assert!(
            parse_response(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // emitting an ADDTO without a pair, or a PARTIAL range with a zero, is refused
    for d in [
        SearchReturnData::AddTo(List::from_items(vec![])),
        SearchReturnData::Partial {
            range: PartialRange::first(0, 5),
            results: None,
        },
    ] {
        let r = Response::Data(Data::ESearch(mailwire::imap::ESearch {
            tag: Some(IString::from("x")),
            mailbox: None,
            uid: false,
            data: List::from_items(vec![d]),
        }));
        let mut out = Vec::new();
        assert!(emit_response(&r, &mut out, &EmitOptions::default()).is_err());
    }
}

#[test]
fn cancelupdate_and_noupdate() {
    // RFC 5267 §4.3.5: C: E01 CANCELUPDATE "B01"
    for line in [
        &b"E01 CANCELUPDATE \"B01\"\r\n"[..],
        b"E02 CANCELUPDATE \"B01\" \"B02\" \"x y\"\r\n",
    ] {
        let cmd = parse_command(line, &ParseOptions::STRICT).unwrap();
        assert!(matches!(cmd.body, CommandBody::CancelUpdate(_)));
        let mut out = Vec::new();
        emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(out, line);
    }
    let cmd = parse_command(
        b"E02 CANCELUPDATE \"B01\" \"B02\"\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    let CommandBody::CancelUpdate(tags) = cmd.body else {
        panic!()
    };
    let tags: Vec<_> = tags.iter().map(|t| t.as_bytes().to_vec()).collect();
    assert_eq!(tags, [b"B01".to_vec(), b"B02".to_vec()]);
    // 1*(SP quoted): at least one, and quoted (not an atom, not a literal)
    for bad in [
        &b"E01 CANCELUPDATE\r\n"[..],
        b"E01 CANCELUPDATE B01\r\n",
        b"E01 CANCELUPDATE \"B01\" \r\n",
        b"E01 CANCELUPDATE \"B01\r\n",
        b"E01 CANCELUPDATE {3}\r\nB01\r\n",
    ] {
        assert!(
            parse_command(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    // resp-text-code =/ "NOUPDATE" SP quoted
    // RFC 5267 §4.3: S: B01 OK [NOUPDATE "B01"] ...
    let line = b"B01 OK [NOUPDATE \"B01\"] Too many contexts\r\n";
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    let Response::Status(s) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(s.code, Some(Code::NoUpdate(IString::from("B01"))));
    assert_eq!(reemit(&r), line);
    // a malformed NOUPDATE is kept raw, never a typed code
    let r = parse_response(b"B01 OK [NOUPDATE B01] x\r\n", &ParseOptions::STRICT).unwrap();
    let Response::Status(s) = &r else {
        panic!("{r:?}")
    };
    assert!(!matches!(s.code, Some(Code::NoUpdate(_))), "{:?}", s.code);
    // emitting a tag a quoted string cannot carry is refused
    let bad = mailwire::imap::Command {
        tag: mailwire::imap::Tag::new("a").unwrap(),
        body: CommandBody::CancelUpdate(List::from_items(vec![IString::from("x\r\ny")])),
    };
    assert!(emit_command(&bad, &mut Vec::new(), &EmitOptions::default()).is_err());
    let empty = mailwire::imap::Command {
        tag: mailwire::imap::Tag::new("a").unwrap(),
        body: CommandBody::CancelUpdate(List::from_items(vec![])),
    };
    assert!(emit_command(&empty, &mut Vec::new(), &EmitOptions::default()).is_err());
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

/// A client with a selected mailbox on a server (bytes by hand) advertising `caps`.
fn selected(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    client_events(&mut c);
    let tag = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 3 EXISTS\r\n{tag} OK [READ-WRITE] done\r\n").as_bytes());
    client_events(&mut c);
    c
}

fn sort(opts: &[&str]) -> CommandBody<'static> {
    let line = format!("x SORT RETURN ({}) (DATE) UTF-8 ALL\r\n", opts.join(" "));
    let cmd = parse_command(line.as_bytes(), &ParseOptions::STRICT)
        .unwrap()
        .body;
    mailwire::IntoOwned::into_owned(cmd)
}

fn not_advertised(r: Result<mailwire::imap::Tag<'static>, Error>, ext: &str) {
    match r {
        Err(Error::Misuse(ApiMisuse::NotAdvertised { extension })) => assert_eq!(extension, ext),
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_gates_esort_and_context_sort() {
    let mut c = selected("SORT");
    not_advertised(c.send(sort(&["MIN"])), "ESORT");
    let mut c = selected("SORT ESORT");
    c.send(sort(&["MIN", "COUNT"])).unwrap();
    assert!(sent(&mut c).ends_with(" SORT RETURN (MIN COUNT) (DATE) UTF-8 ALL\r\n"));
    not_advertised(c.send(sort(&["UPDATE"])), "CONTEXT=SORT");
    // RFC 5267's PARTIAL needs CONTEXT=SORT, RFC 9394's PARTIAL itself
    not_advertised(c.send(sort(&["PARTIAL", "1:10"])), "PARTIAL");
    let mut c = selected("SORT ESORT CONTEXT=SORT");
    c.send(sort(&["PARTIAL", "1:10", "UPDATE"])).unwrap();
    assert!(sent(&mut c).contains("SORT RETURN (PARTIAL 1:10 UPDATE)"));
}

#[test]
fn client_cancel_update_is_gated_and_typed_updates_arrive() {
    let mut c = selected("ESEARCH");
    not_advertised(c.cancel_update(&["B01"]), "CONTEXT=SEARCH");
    let mut c = selected("ESEARCH CONTEXT=SEARCH");
    // RFC 5267 §4.3: C: B01 UID SEARCH RETURN (UPDATE) DELETED
    let search = parse_command(
        b"x UID SEARCH RETURN (UPDATE) DELETED\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap()
    .body;
    let tag = c.send(search).unwrap().as_str().to_owned();
    assert!(sent(&mut c).ends_with("UID SEARCH RETURN (UPDATE) DELETED\r\n"));
    c.handle_input(format!("* ESEARCH (TAG \"{tag}\") UID ALL 3\r\n{tag} OK done\r\n").as_bytes());
    client_events(&mut c);
    // later, unsolicited: an update for that search
    c.handle_input(format!("* ESEARCH (TAG \"{tag}\") UID ADDTO (0 5)\r\n").as_bytes());
    let ev = client_events(&mut c);
    let update = ev
        .iter()
        .find_map(|e| match e {
            ClientEvent::Data {
                data: Data::ESearch(e),
                ..
            } => Some(e.data.iter().collect::<Vec<_>>()),
            _ => None,
        })
        .expect("an ESEARCH event");
    let [SearchReturnData::AddTo(l)] = update.as_slice() else {
        panic!("{update:?}")
    };
    assert_eq!(l.iter().next().unwrap().set.as_str(), "5");
    let t = c.cancel_update(&[&tag]).unwrap();
    assert_eq!(
        sent(&mut c),
        format!("{} CANCELUPDATE \"{tag}\"\r\n", t.as_str())
    );
}

#[test]
fn client_cancel_update_needs_a_selected_mailbox() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ESEARCH CONTEXT=SEARCH] hi\r\n");
    client_events(&mut c);
    assert!(matches!(
        c.cancel_update(&["B01"]),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
}

// ---------------------------------------------------------------- server

#[test]
fn server_hands_esort_and_cancelupdate_to_the_app() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec![
            "ESORT".into(),
            "CONTEXT=SEARCH".into(),
            "CONTEXT=SORT".into(),
        ])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    let caps = server_output(&mut s);
    for c in [" ESORT", " CONTEXT=SEARCH", " CONTEXT=SORT"] {
        assert!(caps.contains(c), "{caps}");
    }
    // CANCELUPDATE is command-select: before SELECT it is refused in the machine
    s.handle_input(b"b LOGIN u p\r\nc CANCELUPDATE \"B01\"\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Login { tag, .. } = ev.into_owned() {
            s.complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap();
        } else {
            panic!("CANCELUPDATE reached the app outside the selected state");
        }
    }
    assert!(server_output(&mut s).contains("c BAD"));
    s.handle_input(b"d SELECT INBOX\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Command(c) = ev.into_owned() {
            s.complete(c.tag.as_str(), StatusKind::Ok, None, "sel")
                .unwrap();
        }
    }
    server_output(&mut s);
    s.handle_input(
        b"B02 UID SORT RETURN (PARTIAL 1:2 UPDATE) (DATE) UTF-8 UNDELETED\r\nE01 CANCELUPDATE \"B02\"\r\n",
    );
    let mut seen = Vec::new();
    while let Some(ev) = s.poll_event().unwrap() {
        let ServerEvent::Command(c) = ev.into_owned() else {
            continue;
        };
        match &c.body {
            CommandBody::Sort { return_options, .. } => {
                assert!(return_options.is_some());
                // the app answers with typed ESEARCH data, then NOUPDATE
                let data = Data::ESearch(mailwire::imap::ESearch {
                    tag: Some(IString::from("B02")),
                    mailbox: None,
                    uid: true,
                    data: List::from_items(vec![SearchReturnData::Partial {
                        range: PartialRange::first(1, 2),
                        results: Some(mailwire::imap::SequenceSet::new("4,9").unwrap()),
                    }]),
                });
                s.send_untagged_data(&data).unwrap();
                s.complete(
                    c.tag.as_str(),
                    StatusKind::Ok,
                    Some(Code::NoUpdate(IString::from("B02"))),
                    "sorted",
                )
                .unwrap();
            }
            CommandBody::CancelUpdate(_) => {
                s.complete(c.tag.as_str(), StatusKind::Ok, None, "cancelled")
                    .unwrap();
            }
            other => panic!("{other:?}"),
        }
        seen.push(c.body.name().to_owned());
    }
    assert_eq!(seen, ["SORT", "CANCELUPDATE"]);
    assert_eq!(
        server_output(&mut s),
        "* ESEARCH (TAG \"B02\") UID PARTIAL (1:2 4,9)\r\nB02 OK [NOUPDATE \"B02\"] sorted\r\nE01 OK cancelled\r\n"
    );
}
