//! PREVIEW (RFC 8970) on the codec and both machines, checked against the
//! final RFC's grammar, its example dialogues and a real server's answers
//! (Dovecot, tests/corpus/dovecot/s1-29-fetch-preview-savedate.*), with the
//! peer's side written by hand.
//!
//! RFC 8970 §6 (Formal Syntax):
//!
//! ```text
//! capability          =/ "PREVIEW"
//!
//! fetch-att           =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
//!
//! msg-att-dynamic     =/ "PREVIEW" SP nstring
//!
//! preview-mod         =/ "LAZY"
//! ```
//!
//! The drafts had preview algorithms (`PREVIEW (FUZZY)`, the capability
//! `PREVIEW=FUZZY` and a response `PREVIEW (FUZZY "text")`); the final RFC
//! removed them: the capability is `PREVIEW` alone, the only modifier is
//! LAZY (§4: the server may answer NIL rather than generate a preview now),
//! and the response is a bare nstring. §3.2: "If the LAZY modifier (Section
//! 4.1) is used, the server MAY return NIL for the preview response [...] A
//! server MUST NOT return NIL to a FETCH PREVIEW request made without the
//! LAZY modifier."; when no meaningful preview can be generated "the server
//! MUST return a zero-length string". §3.3 limits the text to 256 preview
//! characters (MUST NOT exceed; SHOULD keep to 200). §5's examples:
//! `C: A2 FETCH 1 (RFC822.SIZE PREVIEW)` answered with
//! `* 1 FETCH (RFC822.SIZE 5647 PREVIEW {200}` ..., and
//! `C: B1 FETCH 1:4 (ENVELOPE PREVIEW (LAZY))` answered with, among others,
//! `* 2 FETCH (PREVIEW "" ENVELOPE (...))` and
//! `* 3 FETCH (ENVELOPE (...) PREVIEW NIL)`.

mod common;

use common::imap::server_output;
use mailwire::Error;
use mailwire::IntoOwned;
use mailwire::error::ApiMisuse;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, EmitOptions, FetchAttribute,
    FetchAttributes, FetchItem, FetchItems, FetchQuery, List, ParseOptions, Response, Server,
    ServerConfig, ServerEvent, StatusKind, Tag, emit_command, emit_response, parse_command,
    parse_response,
};

fn attributes(line: &[u8]) -> Result<Vec<FetchAttribute<'static>>, Error> {
    let c = parse_command(line, &ParseOptions::STRICT)?;
    match c.body {
        CommandBody::Fetch {
            attributes: FetchAttributes::List(l),
            ..
        } => Ok(l.iter().map(|a| a.into_owned()).collect()),
        b => panic!("{b:?}"),
    }
}

fn emit_c(line: &[u8]) -> Vec<u8> {
    let c = parse_command(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    out
}

// ---------------------------------------------------------------- codec

#[test]
fn codec_fetch_att_with_and_without_lazy() {
    let plain = FetchAttribute::Preview { lazy: false };
    let lazy = FetchAttribute::Preview { lazy: true };
    for (line, want) in [
        (
            &b"A2 FETCH 1 (RFC822.SIZE PREVIEW)\r\n"[..],
            vec![FetchAttribute::Rfc822Size, plain.clone()],
        ),
        (
            b"B1 FETCH 1:4 (UID PREVIEW (LAZY))\r\n",
            vec![FetchAttribute::Uid, lazy.clone()],
        ),
        (b"B2 FETCH 3 PREVIEW\r\n", vec![plain.clone()]),
        (
            b"B3 FETCH 3 (preview (lazy) UID)\r\n",
            vec![lazy.clone(), FetchAttribute::Uid],
        ),
        // preview-mod *(SP preview-mod): the rule allows the list to repeat
        (b"B4 FETCH 3 (PREVIEW (LAZY LAZY))\r\n", vec![lazy.clone()]),
    ] {
        assert_eq!(
            attributes(line).unwrap(),
            want,
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    assert_eq!(
        emit_c(b"B1 FETCH 1:4 (UID PREVIEW (LAZY))\r\n"),
        b"B1 FETCH 1:4 (UID PREVIEW (LAZY))\r\n"
    );
    assert_eq!(
        emit_c(b"A2 FETCH 1 (RFC822.SIZE PREVIEW)\r\n"),
        b"A2 FETCH 1 (RFC822.SIZE PREVIEW)\r\n"
    );
}

/// Off the final grammar: the drafts' algorithm names, an empty or
/// unterminated modifier list, no space before it, an unknown modifier.
#[test]
fn codec_fetch_att_refuses_other_modifiers() {
    for bad in [
        &b"A1 FETCH 1 (PREVIEW (FUZZY))\r\n"[..],
        b"A1 FETCH 1 (PREVIEW ())\r\n",
        b"A1 FETCH 1 (PREVIEW (LAZY)\r\n",
        b"A1 FETCH 1 (PREVIEW (LAZY )\r\n",
        b"A1 FETCH 1 (PREVIEW ( LAZY))\r\n",
        b"A1 FETCH 1 (PREVIEW (LAZYX))\r\n",
        b"A1 FETCH 1 (PREVIEW (LAZY FUZZY))\r\n",
        b"A1 FETCH 1 (PREVIEW(LAZY))\r\n",
        b"A1 FETCH 1 PREVIEW (LAZY\r\n",
    ] {
        assert!(
            parse_command(bad, &ParseOptions::STRICT).is_err(),
            "{:?} parsed",
            String::from_utf8_lossy(bad)
        );
    }
}

fn round_trip(line: &[u8]) -> Response<'static> {
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, line, "byte-exact");
    r.into_owned()
}

fn preview_of(r: &Response<'_>) -> Option<Option<String>> {
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!("{r:?}")
    };
    items
        .preview()
        .map(|p| p.map(|s| s.to_str_lossy().into_owned()))
}

/// `msg-att-dynamic =/ "PREVIEW" SP nstring`: a quoted string, a literal,
/// the empty string (nothing to preview) and NIL (LAZY, not ready) are four
/// distinct answers.
#[test]
fn codec_response_nstring_forms() {
    let text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\nCurabitur";
    let literal = format!(
        "* 1 FETCH (RFC822.SIZE 5647 PREVIEW {{{}}}\r\n{text})\r\n",
        text.len()
    );
    for (line, want) in [
        (
            &b"* 1 FETCH (UID 1 PREVIEW \"Preview text for message 1\")\r\n"[..],
            Some(Some("Preview text for message 1")),
        ),
        (b"* 2 FETCH (UID 2 PREVIEW \"\")\r\n", Some(Some(""))),
        (b"* 3 FETCH (UID 3 PREVIEW NIL)\r\n", Some(None)),
        (literal.as_bytes(), Some(Some(text))),
    ] {
        let r = round_trip(line);
        assert_eq!(preview_of(&r), want.map(|w| w.map(String::from)));
    }
    // off the grammar: the drafts' `PREVIEW (FUZZY "text")`, a bare word, a
    // missing value
    for bad in [
        &b"* 1 FETCH (PREVIEW (FUZZY \"x\"))\r\n"[..],
        b"* 1 FETCH (PREVIEW text)\r\n",
        b"* 1 FETCH (PREVIEW)\r\n",
        b"* 1 FETCH (PREVIEW \"x)\r\n",
    ] {
        if let Ok(r) = parse_response(bad, &ParseOptions::STRICT) {
            assert_eq!(preview_of(&r), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}

/// A real server: Dovecot's answer to `FETCH 1:2 (PREVIEW SAVEDATE)`.
#[test]
fn codec_reads_dovecot_previews() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/dovecot/");
    let cmd = std::fs::read(format!("{dir}s1-29-fetch-preview-savedate.cmd")).unwrap();
    assert!(
        attributes(&cmd)
            .unwrap()
            .contains(&FetchAttribute::Preview { lazy: false })
    );
    let bin = std::fs::read(format!("{dir}s1-29-fetch-preview-savedate.bin")).unwrap();
    let mut previews = Vec::new();
    for line in bin.split_inclusive(|&b| b == b'\n') {
        if let Response::Data(Data::Fetch { seq, items }) =
            parse_response(line, &ParseOptions::STRICT).unwrap()
        {
            previews.push((
                seq,
                items
                    .preview()
                    .unwrap()
                    .unwrap()
                    .to_str_lossy()
                    .into_owned(),
            ));
        }
    }
    assert_eq!(previews.len(), 2);
    assert_eq!(
        previews[1],
        (
            2,
            "Hello Alice, the quarterly figures are attached. Bob".into()
        )
    );
    assert!(
        previews[0]
            .1
            .starts_with("Hi Alice, this is the first seeded message")
    );
    // Dovecot keeps to the 256 characters of §3.3
    assert!(previews.iter().all(|(_, p)| p.chars().count() <= 256));
}

/// FetchItem::preview keeps §3.3's limit, in characters, never cutting one.
#[test]
fn codec_server_preview_is_cut_at_256_characters() {
    for (text, chars) in [
        ("short".to_string(), 5),
        ("a".repeat(256), 256),
        ("a".repeat(257), 256),
        ("ü".repeat(400), 256),
        (String::new(), 0),
    ] {
        let FetchItem::Preview(Some(p)) = FetchItem::preview(&text) else {
            panic!()
        };
        let p = std::str::from_utf8(p.as_bytes()).unwrap();
        assert_eq!(p.chars().count(), chars);
        assert!(text.starts_with(p));
    }
    // 8-bit text goes out as a literal (no UTF8=ACCEPT) and reads back
    let r = Response::Data(Data::Fetch {
        seq: 1,
        items: List::from_items(vec![FetchItem::preview("Grüße aus Köln")]),
    });
    let mut out = Vec::new();
    emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
    let again = parse_response(&out, &ParseOptions::STRICT).unwrap();
    assert_eq!(again, r);
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
            extension: "PREVIEW"
        }))
    )
}

/// Regression: PREVIEW went to servers without the capability. A server
/// with only the drafts' `PREVIEW=FUZZY` speaks the old syntax, so it does
/// not count.
#[test]
fn client_gates_preview_on_the_capability() {
    for caps in ["", "PREVIEW=FUZZY SNIPPET=FUZZY"] {
        let mut c = client(caps);
        assert!(refused(c.fetch(1, &FetchQuery::new().preview())));
        assert!(refused(
            c.uid_fetch(1.., &FetchQuery::new().uid().preview_lazy())
        ));
        assert_eq!(sent(&mut c), "");
    }
    let mut c = client("PREVIEW PREVIEW=FUZZY");
    c.fetch(1, &FetchQuery::new().size().preview()).unwrap();
    c.fetch(1..=4, &FetchQuery::new().uid().preview_lazy())
        .unwrap();
    assert_eq!(
        sent(&mut c),
        "A0002 FETCH 1 (RFC822.SIZE PREVIEW)\r\nA0003 FETCH 1:4 (UID PREVIEW (LAZY))\r\n"
    );
}

/// The LAZY dialogue of RFC 8970 §4 (server side by hand): the NIL answer
/// is told apart from the empty preview, and the later FETCH without LAZY
/// returns the text.
#[test]
fn client_reads_lazy_then_full_previews() {
    let mut c = client("PREVIEW");
    c.fetch(1..=4, &FetchQuery::new().uid().preview_lazy())
        .unwrap();
    c.handle_input(
        b"* 1 FETCH (UID 1 PREVIEW \"Preview text for message 1\")\r\n\
          * 2 FETCH (UID 2 PREVIEW \"\")\r\n\
          * 3 FETCH (UID 3 PREVIEW NIL)\r\n\
          * 4 FETCH (UID 4 PREVIEW \"Preview text for message 4\")\r\n\
          A0002 OK FETCH complete.\r\n",
    );
    c.fetch(3, &FetchQuery::new().preview()).unwrap();
    c.handle_input(b"* 3 FETCH (PREVIEW {27}\r\nPreview text for message 3.)\r\nA0003 OK done\r\n");
    let mut got = Vec::new();
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Data {
            data: Data::Fetch { seq, items },
            ..
        } = ev
        {
            got.push((
                seq,
                items
                    .preview()
                    .unwrap()
                    .map(|p| p.to_str_lossy().into_owned()),
            ));
        }
    }
    assert_eq!(
        got,
        [
            (1, Some("Preview text for message 1".into())),
            (2, Some(String::new())),
            (3, None),
            (4, Some("Preview text for message 4".into())),
            (3, Some("Preview text for message 3.".into())),
        ]
    );
}

// ---------------------------------------------------------------- server

#[test]
fn server_advertises_and_the_app_answers_typed() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["PREVIEW".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    let caps = server_output(&mut s);
    assert!(caps.contains(" PREVIEW"), "{caps}");
    s.handle_input(b"b LOGIN u p\r\nc SELECT INBOX\r\nB1 FETCH 1:3 (UID PREVIEW (LAZY))\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap(),
            ServerEvent::Command(c) => {
                if let CommandBody::Fetch {
                    attributes: FetchAttributes::List(l),
                    ..
                } = &c.body
                {
                    assert!(
                        l.iter()
                            .any(|a| a == FetchAttribute::Preview { lazy: true })
                    );
                    for (seq, p) in [
                        (1, FetchItem::preview("Preview text for message 1")),
                        (2, FetchItem::preview("")),
                        (3, FetchItem::Preview(None)),
                    ] {
                        s.send_untagged_data(&Data::Fetch {
                            seq,
                            items: List::from_items(vec![FetchItem::Uid(seq), p]),
                        })
                        .unwrap();
                    }
                }
                s.complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                    .unwrap();
            }
            _ => {}
        }
    }
    let o = server_output(&mut s);
    assert!(
        o.ends_with(
            "* 1 FETCH (UID 1 PREVIEW \"Preview text for message 1\")\r\n\
             * 2 FETCH (UID 2 PREVIEW \"\")\r\n\
             * 3 FETCH (UID 3 PREVIEW NIL)\r\n\
             B1 OK done\r\n"
        ),
        "{o}"
    );
}

/// Hostile: a modifier the RFC does not define is a BAD from the machine.
#[test]
fn server_refuses_unknown_modifiers() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["PREVIEW".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"b LOGIN u p\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Login { tag, .. } = ev.into_owned() {
            s.complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap()
        }
    }
    server_output(&mut s);
    s.handle_input(b"x1 FETCH 1 (PREVIEW (FUZZY))\r\nx2 FETCH 1 (PREVIEW ())\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        assert!(!matches!(ev, ServerEvent::Command(_)), "{ev:?}");
    }
    let o = server_output(&mut s);
    assert!(o.contains("x1 BAD") && o.contains("x2 BAD"), "{o}");
}
