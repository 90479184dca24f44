//! Gmail's X-GM-EXT-1 on the codec and both machines. There is no RFC: the
//! reference is Google's "IMAP Extensions" page for Gmail, whose dialogues
//! are quoted below (as they were also checked against by swift-nio-imap's
//! parser tests: `X-GM-LABELS ("\\Important")` comes from there):
//!
//! ```text
//! a010 FETCH 1:4 (X-GM-LABELS)
//! * 1 FETCH (X-GM-LABELS (\Inbox \Sent Important "Muy Importante"))
//! * 2 FETCH (X-GM-LABELS (foo))
//! * 3 FETCH (X-GM-LABELS ())
//! * 4 FETCH (X-GM-LABELS (\Drafts))
//! a011 STORE 1 +X-GM-LABELS (foo)
//! * 1 FETCH (X-GM-LABELS (\Inbox \Sent Important "Muy Importante" foo))
//! a012 STORE 1 -X-GM-LABELS (foo)
//! a012 SEARCH X-GM-LABELS foo
//! a008 FETCH 1:4 (X-GM-MSGID)
//! * 1 FETCH (X-GM-MSGID 1278455344230334865)
//! a009 UID SEARCH X-GM-MSGID 1278455344230334865
//! a011 UID SEARCH X-GM-THRID 1266894439832287888
//! a006 SEARCH X-GM-RAW "has:attachment in:unread"
//! ```
//! Google: "X-GM-MSGID ... a unique ID for each email message ... a 64-bit
//! unsigned integer" (likewise X-GM-THRID).

mod common;

use common::imap::server_output;
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::ext::gmail::{GmailKey, GmailLabel};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, EmitOptions, FetchAttribute,
    FetchAttributes, FetchItem, FetchItems, FetchQuery, IntoOwned, List, ParseOptions, Response,
    SearchKey, SearchQuery, Server, ServerConfig, ServerEvent, StatusKind, StoreKind, emit_command,
    emit_response, parse_command, parse_response,
};

fn labels(l: &List<'_, GmailLabel<'_>>) -> Vec<Vec<u8>> {
    l.iter().map(|x| x.as_bytes().to_vec()).collect()
}

fn fetch_items(line: &[u8]) -> Result<Vec<FetchItem<'_>>, Error> {
    match parse_response(line, &ParseOptions::STRICT)? {
        Response::Data(Data::Fetch { items, .. }) => Ok(items.iter().collect()),
        other => panic!("{other:?}"),
    }
}

fn emit_resp(r: &Response<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    emit_response(r, &mut out, &EmitOptions::default()).unwrap();
    out
}

fn emit_cmd(line: &[u8]) -> Vec<u8> {
    let c = parse_command(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    out
}

// ---------------------------------------------------------------- FETCH

#[test]
fn googles_label_responses_parse() {
    let want: [(&[u8], &[&[u8]]); 5] = [
        (
            b"* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n",
            &[b"\\Inbox", b"\\Sent", b"Important", b"Muy Importante"],
        ),
        (b"* 2 FETCH (X-GM-LABELS (foo))\r\n", &[b"foo"]),
        (b"* 3 FETCH (X-GM-LABELS ())\r\n", &[]),
        (b"* 4 FETCH (X-GM-LABELS (\\Drafts))\r\n", &[b"\\Drafts"]),
        // a system label quoted, as Gmail also sends it
        (
            b"* 5 FETCH (X-GM-LABELS (\"\\\\Important\"))\r\n",
            &[b"\\Important"],
        ),
    ];
    for (line, expected) in want {
        let items = fetch_items(line).unwrap();
        let [FetchItem::GmailLabels(l)] = &items[..] else {
            panic!("{items:?}")
        };
        assert_eq!(labels(l), expected, "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn ids_are_full_64_bit_numbers() {
    let items = fetch_items(
        b"* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 18446744073709551615 UID 4)\r\n",
    )
    .unwrap();
    assert_eq!(
        items,
        [
            FetchItem::GmailMsgId(1278455344230334865),
            // unsigned 64-bit: the largest value is a valid id
            FetchItem::GmailThrId(u64::MAX),
            FetchItem::Uid(4)
        ]
    );
}

#[test]
fn fetch_items_round_trip_in_canonical_form() {
    for (item, wire) in [
        (
            FetchItem::GmailLabels(List::from_items(vec![
                GmailLabel::new(&b"\\Inbox"[..]),
                GmailLabel::new(&b"Muy Importante"[..]),
                GmailLabel::new(&b"foo"[..]),
                // not an atom after the backslash: quoted, backslash escaped
                GmailLabel::new(&b"\\a b"[..]),
            ])),
            &b"* 7 FETCH (X-GM-LABELS (\\Inbox \"Muy Importante\" foo \"\\\\a b\"))\r\n"[..],
        ),
        (
            FetchItem::GmailLabels(List::from_items(vec![])),
            b"* 7 FETCH (X-GM-LABELS ())\r\n",
        ),
        (
            FetchItem::GmailMsgId(1278455344230334865),
            b"* 7 FETCH (X-GM-MSGID 1278455344230334865)\r\n",
        ),
        (
            FetchItem::GmailThrId(u64::MAX),
            b"* 7 FETCH (X-GM-THRID 18446744073709551615)\r\n",
        ),
    ] {
        let r = Response::Data(Data::Fetch {
            seq: 7,
            items: List::from_items(vec![item.clone()]),
        });
        let out = emit_resp(&r);
        assert_eq!(out, wire, "{}", String::from_utf8_lossy(&out));
        let again: Vec<_> = fetch_items(&out)
            .unwrap()
            .into_iter()
            .map(|i| i.into_owned())
            .collect();
        assert_eq!(again, [item]);
    }
    // the quoted system label comes back in the flag form: same label
    let items = fetch_items(b"* 5 FETCH (X-GM-LABELS (\"\\\\Important\"))\r\n").unwrap();
    let r = Response::Data(Data::Fetch {
        seq: 5,
        items: List::from_items(items),
    });
    assert_eq!(emit_resp(&r), b"* 5 FETCH (X-GM-LABELS (\\Important))\r\n");
}

#[test]
fn malformed_fetch_items_are_parse_errors() {
    for line in [
        &b"* 1 FETCH (X-GM-LABELS)\r\n"[..],                   // no value
        b"* 1 FETCH (X-GM-LABELS foo)\r\n",                    // not a list
        b"* 1 FETCH (X-GM-LABELS (foo)\r\n",                   // unclosed
        b"* 1 FETCH (X-GM-LABELS (\\))\r\n",                   // backslash, no name
        b"* 1 FETCH (X-GM-LABELS (\"foo))\r\n",                // unclosed quote
        b"* 1 FETCH (X-GM-LABELS (foo  bar))\r\n",             // two spaces
        b"* 1 FETCH (X-GM-MSGID)\r\n",                         // no id
        b"* 1 FETCH (X-GM-MSGID abc)\r\n",                     // not a number
        b"* 1 FETCH (X-GM-MSGID -1)\r\n",                      // signed
        b"* 1 FETCH (X-GM-MSGID 18446744073709551616)\r\n",    // 2^64: overflow
        b"* 1 FETCH (X-GM-THRID 99999999999999999999999)\r\n", // overflow
        b"* 1 FETCH (X-GM-THRID (1))\r\n",                     // parenthesised
    ] {
        assert!(
            matches!(fetch_items(line), Err(Error::Parse(_))),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn fetch_attributes_are_typed() {
    let c = parse_command(
        b"a010 FETCH 1:4 (X-GM-LABELS X-GM-MSGID x-gm-thrid)\r\n",
        &ParseOptions::STRICT,
    )
    .unwrap();
    let CommandBody::Fetch {
        attributes: FetchAttributes::List(l),
        ..
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(
        l.iter().collect::<Vec<_>>(),
        [
            FetchAttribute::GmailLabels,
            FetchAttribute::GmailMsgId,
            FetchAttribute::GmailThrId
        ]
    );
    assert_eq!(
        emit_cmd(b"a010 FETCH 1:4 (X-GM-LABELS X-GM-MSGID x-gm-thrid)\r\n"),
        b"a010 FETCH 1:4 (X-GM-LABELS X-GM-MSGID X-GM-THRID)\r\n"
    );
}

// ---------------------------------------------------------------- STORE

#[test]
fn store_labels_parse_and_round_trip() {
    // (line, uid, kind, silent, labels)
    type Case = (
        &'static [u8],
        bool,
        StoreKind,
        bool,
        &'static [&'static [u8]],
    );
    let cases: [Case; 5] = [
        (
            b"a011 STORE 1 +X-GM-LABELS (foo)\r\n",
            false,
            StoreKind::Add,
            false,
            &[b"foo"],
        ),
        (
            b"a012 STORE 1 -X-GM-LABELS (foo)\r\n",
            false,
            StoreKind::Remove,
            false,
            &[b"foo"],
        ),
        (
            b"a1 UID STORE 5:7 X-GM-LABELS.SILENT (\\Important \"Muy Importante\")\r\n",
            true,
            StoreKind::Replace,
            true,
            &[b"\\Important", b"Muy Importante"],
        ),
        // the unparenthesised form, like `flag *(SP flag)`
        (
            b"a2 STORE 2 +x-gm-labels foo \\Starred\r\n",
            false,
            StoreKind::Add,
            false,
            &[b"foo", b"\\Starred"],
        ),
        (
            b"a3 STORE 2 X-GM-LABELS ()\r\n",
            false,
            StoreKind::Replace,
            false,
            &[],
        ),
    ];
    for (line, u, k, s, l) in cases {
        let c = parse_command(line, &ParseOptions::STRICT).unwrap();
        let CommandBody::StoreGmailLabels {
            uid,
            kind,
            silent,
            labels: got,
            unchanged_since: None,
            ..
        } = &c.body
        else {
            panic!("{c:?}")
        };
        assert_eq!((*uid, *kind, *silent), (u, k, s));
        assert_eq!(labels(got), l);
        let out = emit_cmd(line);
        let again = parse_command(&out, &ParseOptions::STRICT).unwrap();
        assert_eq!(again.into_owned(), c.clone().into_owned());
    }
    assert_eq!(
        emit_cmd(b"a2 STORE 2 +x-gm-labels foo \\Starred\r\n"),
        b"a2 STORE 2 +X-GM-LABELS (foo \\Starred)\r\n"
    );
    // CONDSTORE's modifier goes before it, as for FLAGS
    let line = b"a4 STORE 1 (UNCHANGEDSINCE 12) -X-GM-LABELS (foo)\r\n";
    assert_eq!(emit_cmd(line), line);
    // a FLAGS store is still a FLAGS store
    assert!(matches!(
        parse_command(b"a5 STORE 1 +FLAGS (\\Seen)\r\n", &ParseOptions::STRICT)
            .unwrap()
            .body,
        CommandBody::Store { .. }
    ));
}

#[test]
fn malformed_stores_are_parse_errors() {
    for line in [
        &b"a1 STORE 1 +X-GM-LABELS\r\n"[..],
        b"a1 STORE 1 +X-GM-LABELS \r\n",
        b"a1 STORE 1 +X-GM-LABELS (foo\r\n",
        b"a1 STORE 1 *X-GM-LABELS (foo)\r\n",
        b"a1 STORE 1 +X-GM-LABELS.LOUD (foo)\r\n",
        b"a1 STORE 1 +X-GM-LABELSX (foo)\r\n",
    ] {
        assert!(
            matches!(
                parse_command(line, &ParseOptions::STRICT),
                Err(Error::Parse(_))
            ),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

// ---------------------------------------------------------------- SEARCH

fn keys(line: &[u8]) -> Vec<SearchKey<'_>> {
    match parse_command(line, &ParseOptions::STRICT) {
        Ok(c) => match c.body {
            CommandBody::Search { criteria, .. } => criteria.iter().collect(),
            other => panic!("{other:?}"),
        },
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn search_keys_parse_and_round_trip() {
    let k = keys(b"a006 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n");
    let [SearchKey::Gmail(GmailKey::Raw(q))] = &k[..] else {
        panic!("{k:?}")
    };
    assert_eq!(q.as_bytes(), b"has:attachment in:unread");
    assert_eq!(
        keys(b"a009 UID SEARCH X-GM-MSGID 1278455344230334865\r\n"),
        [SearchKey::Gmail(GmailKey::MsgId(1278455344230334865))]
    );
    assert_eq!(
        keys(b"a011 UID SEARCH X-GM-THRID 1266894439832287888\r\n"),
        [SearchKey::Gmail(GmailKey::ThrId(1266894439832287888))]
    );
    assert_eq!(
        keys(b"a012 SEARCH X-GM-LABELS foo\r\n"),
        [SearchKey::Gmail(GmailKey::Labels(GmailLabel::new(
            &b"foo"[..]
        )))]
    );
    // nested and mixed with the base keys
    let k = keys(b"a1 SEARCH NOT X-GM-LABELS \\Inbox OR X-GM-RAW foo SEEN\r\n");
    let [SearchKey::Not(n), SearchKey::Or(a, b)] = &k[..] else {
        panic!("{k:?}")
    };
    assert_eq!(
        n.get(),
        SearchKey::Gmail(GmailKey::Labels(GmailLabel::new(&b"\\Inbox"[..])))
    );
    assert_eq!(a.get(), SearchKey::Gmail(GmailKey::Raw("foo".into())));
    assert_eq!(b.get(), SearchKey::Seen);
    for (line, canonical) in [
        (
            &b"a006 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n"[..],
            &b"a006 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n"[..],
        ),
        // the query is always sent as a string, as in Google's examples
        (
            b"a1 SEARCH X-GM-RAW foo\r\n",
            b"a1 SEARCH X-GM-RAW \"foo\"\r\n",
        ),
        (
            b"a009 UID SEARCH X-GM-MSGID 1278455344230334865\r\n",
            b"a009 UID SEARCH X-GM-MSGID 1278455344230334865\r\n",
        ),
        (
            b"a1 SEARCH x-gm-thrid 18446744073709551615\r\n",
            b"a1 SEARCH X-GM-THRID 18446744073709551615\r\n",
        ),
        (
            b"a1 SEARCH X-GM-LABELS \"Muy Importante\" NOT X-GM-LABELS \"\\\\Sent\"\r\n",
            b"a1 SEARCH X-GM-LABELS \"Muy Importante\" NOT X-GM-LABELS \\Sent\r\n",
        ),
    ] {
        let out = emit_cmd(line);
        assert_eq!(out, canonical, "{}", String::from_utf8_lossy(&out));
        assert_eq!(keys(&out), keys(line));
    }
}

#[test]
fn malformed_search_keys_are_parse_errors() {
    for line in [
        &b"a1 SEARCH X-GM-RAW\r\n"[..],
        b"a1 SEARCH X-GM-RAW \"unclosed\r\n",
        b"a1 SEARCH X-GM-MSGID\r\n",
        b"a1 SEARCH X-GM-MSGID x\r\n",
        b"a1 SEARCH X-GM-MSGID 18446744073709551616\r\n",
        b"a1 SEARCH X-GM-THRID -5\r\n",
        b"a1 SEARCH X-GM-LABELS\r\n",
        b"a1 SEARCH X-GM-LABELS \\\r\n",
        b"a1 SEARCH X-GM-FOO bar\r\n",
        b"a1 SEARCH X-GM-\r\n",
    ] {
        assert!(
            matches!(
                parse_command(line, &ParseOptions::STRICT),
                Err(Error::Parse(_))
            ),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

// ---------------------------------------------------------------- client

fn drain(c: &mut Client) {
    while c.poll_event().unwrap().is_some() {}
}

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

/// A client with INBOX selected on a server (bytes by hand) whose
/// capabilities are `caps`.
fn selected(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY {caps}] ready\r\n").as_bytes());
    drain(&mut c);
    let tag = c.select("INBOX").unwrap();
    sent(&mut c);
    c.handle_input(format!("{} OK [READ-WRITE] done\r\n", tag.as_str()).as_bytes());
    drain(&mut c);
    c
}

const GMAIL: &str = "IMAP4rev1 UNSELECT LITERAL+ IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1";

#[test]
fn client_refuses_without_the_capability() {
    let mut c = selected("IMAP4rev1");
    let not = |r: Result<_, Error>| {
        matches!(
            r,
            Err(Error::Misuse(ApiMisuse::NotAdvertised {
                extension: "X-GM-EXT-1"
            }))
        )
    };
    assert!(not(c.fetch(1, &FetchQuery::new().gmail_labels())));
    assert!(not(c.fetch(1, &FetchQuery::new().uid().gmail_msgid())));
    assert!(not(c.uid_fetch(1, &FetchQuery::new().gmail_thrid())));
    assert!(not(c.search(&SearchQuery::new().gmail_raw("in:unread"))));
    assert!(not(c.uid_search(&SearchQuery::new().gmail_msgid(7))));
    assert!(not(c.store_gmail_labels(1, StoreKind::Add, &["foo"])));
    assert!(not(c.uid_store_gmail_labels(
        1,
        StoreKind::Remove,
        &["foo"]
    )));
    assert_eq!(sent(&mut c), "");
}

#[test]
fn client_sends_and_reads_googles_dialogue() {
    let mut c = selected(GMAIL);
    c.fetch(1..=4, &FetchQuery::new().gmail_labels()).unwrap();
    // a single fetch-att goes without parentheses (RFC 9051 `fetch`)
    assert_eq!(sent(&mut c), "A0002 FETCH 1:4 X-GM-LABELS\r\n");
    c.handle_input(
        b"* 1 FETCH (X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\"))\r\n\
          * 3 FETCH (X-GM-LABELS ())\r\n\
          A0002 OK FETCH (Success)\r\n",
    );
    let mut seen = Vec::new();
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Data {
            data: Data::Fetch { seq, items },
            ..
        } = ev
        {
            seen.push((seq, labels(&items.gmail_labels().unwrap())));
        }
    }
    assert_eq!(
        seen,
        [
            (
                1,
                vec![
                    b"\\Inbox".to_vec(),
                    b"\\Sent".to_vec(),
                    b"Important".to_vec(),
                    b"Muy Importante".to_vec()
                ]
            ),
            (3, vec![])
        ]
    );

    c.fetch(1, &FetchQuery::new().gmail_msgid().gmail_thrid())
        .unwrap();
    assert_eq!(sent(&mut c), "A0003 FETCH 1 (X-GM-MSGID X-GM-THRID)\r\n");
    c.handle_input(
        b"* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888)\r\n\
          A0003 OK FETCH (Success)\r\n",
    );
    let Some(ClientEvent::Data {
        data: Data::Fetch { items, .. },
        ..
    }) = c.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(items.gmail_msgid(), Some(1278455344230334865));
    assert_eq!(items.gmail_thrid(), Some(1266894439832287888));
    assert_eq!(items.gmail_labels(), None);
    drain(&mut c);

    c.store_gmail_labels(1, StoreKind::Add, &["foo"]).unwrap();
    c.uid_store_gmail_labels(9, StoreKind::Remove, &["\\Important", "Muy Importante"])
        .unwrap();
    assert_eq!(
        sent(&mut c),
        "A0004 STORE 1 +X-GM-LABELS (foo)\r\n\
         A0005 UID STORE 9 -X-GM-LABELS (\\Important \"Muy Importante\")\r\n"
    );
    c.handle_input(b"A0004 OK STORE (Success)\r\nA0005 OK STORE (Success)\r\n");
    drain(&mut c);
    c.search(&SearchQuery::new().gmail_raw("has:attachment in:unread"))
        .unwrap();
    c.uid_search(
        &SearchQuery::new()
            .gmail_thrid(1266894439832287888)
            .gmail_label("foo"),
    )
    .unwrap();
    assert_eq!(
        sent(&mut c),
        "A0006 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n\
         A0007 UID SEARCH X-GM-THRID 1266894439832287888 X-GM-LABELS foo\r\n"
    );
}

// ---------------------------------------------------------------- server

#[test]
fn server_hands_the_commands_to_the_app_which_answers_typed_items() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["X-GM-EXT-1".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a CAPABILITY\r\nb LOGIN u p\r\nc SELECT INBOX\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap(),
            ServerEvent::Command(c) => s
                .complete(c.tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap(),
            _ => {}
        }
    }
    let o = server_output(&mut s);
    assert!(o.contains(" X-GM-EXT-1"), "{o}");

    s.handle_input(b"a011 STORE 1 +X-GM-LABELS (foo)\r\na006 SEARCH X-GM-RAW \"in:unread\"\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    let CommandBody::StoreGmailLabels {
        kind: StoreKind::Add,
        labels: l,
        ..
    } = &c.body
    else {
        panic!("{c:?}")
    };
    assert_eq!(labels(l), [b"foo".to_vec()]);
    let tag = c.tag.as_str().to_owned();
    s.send_untagged_data(&Data::Fetch {
        seq: 1,
        items: List::from_items(vec![FetchItem::GmailLabels(List::from_items(vec![
            GmailLabel::new(&b"\\Inbox"[..]),
            GmailLabel::new(&b"Muy Importante"[..]),
            GmailLabel::new(&b"foo"[..]),
        ]))]),
    })
    .unwrap();
    s.complete(&tag, StatusKind::Ok, None, "STORE (Success)")
        .unwrap();
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert!(matches!(
        c.body,
        CommandBody::Search { ref criteria, .. }
            if matches!(criteria.iter().next(), Some(SearchKey::Gmail(GmailKey::Raw(_))))
    ));
    assert_eq!(
        server_output(&mut s),
        "* 1 FETCH (X-GM-LABELS (\\Inbox \"Muy Importante\" foo))\r\na011 OK STORE (Success)\r\n"
    );
}
