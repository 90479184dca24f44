//! INPROGRESS (RFC 9585) on the codec and both machines, checked against the
//! RFC's grammar and examples, with the peer's side written by hand.
//!
//! RFC 9585 §3 (ABNF, as read from the RFC):
//!
//! ```text
//! resp-text-code =/ "INPROGRESS" [ SP "(" progress-tag SP progress-state SP progress-goal ")" ]
//! progress-tag   = quoted / nil
//! progress-state = number / nil
//! progress-goal  = nz-number / nil
//! ```
//!
//! The code travels in an untagged OK while a long command runs, e.g.
//! `* OK [INPROGRESS ("A1" 2000 22000)] Processed 9% of the items` and
//! `* OK [INPROGRESS ("A1" NIL NIL)] Still working`.

use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Code, EmitOptions, ParseOptions, Progress, Response, Server,
    ServerConfig, ServerEvent, StatusKind, emit_response, parse_response,
};

fn code(line: &[u8]) -> Option<Code<'_>> {
    match parse_response(line, &ParseOptions::STRICT).unwrap() {
        Response::Status(s) => s.code,
        r => panic!("{r:?}"),
    }
}

fn round_trip(line: &[u8]) {
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, line, "{}", String::from_utf8_lossy(&out));
    assert_eq!(parse_response(&out, &ParseOptions::STRICT).unwrap(), r);
}

#[test]
fn codec_parses_the_full_triple() {
    let Some(Code::InProgress(Some(p))) =
        code(b"* OK [INPROGRESS (\"A1\" 2000 22000)] Processed 9% of the items\r\n")
    else {
        panic!()
    };
    assert_eq!(p.tag.unwrap().as_bytes(), b"A1");
    assert_eq!((p.state, p.goal), (Some(2000), Some(22000)));
}

#[test]
fn codec_parses_nil_parts_and_the_bare_code() {
    let Some(Code::InProgress(Some(p))) =
        code(b"* OK [INPROGRESS (\"A1\" NIL NIL)] Still working\r\n")
    else {
        panic!()
    };
    assert_eq!((p.state, p.goal), (None, None));
    assert!(p.tag.is_some());
    let Some(Code::InProgress(Some(p))) = code(b"* OK [INPROGRESS (NIL 0 NIL)] x\r\n") else {
        panic!()
    };
    // progress-state = number: zero is allowed
    assert_eq!((p.tag, p.state, p.goal), (None, Some(0), None));
    assert_eq!(
        code(b"* OK [INPROGRESS] Hang in there\r\n"),
        Some(Code::InProgress(None))
    );
}

#[test]
fn codec_round_trips() {
    for line in [
        &b"* OK [INPROGRESS (\"A1\" 2000 22000)] Processed 9% of the items\r\n"[..],
        b"* OK [INPROGRESS (\"A1\" NIL NIL)] Still working\r\n",
        b"* OK [INPROGRESS (NIL 5 NIL)] x\r\n",
        b"* OK [INPROGRESS] x\r\n",
        b"* OK [INPROGRESS (\"a\\\"b\" 1 2)] escaped tag\r\n",
    ] {
        round_trip(line);
    }
}

#[test]
fn codec_keeps_malformed_arguments_raw() {
    // not the grammar: kept as an unknown code (Other), never a typed value
    // with invented parts, never an error for the whole response
    for bad in [
        &b"* OK [INPROGRESS (\"A1\" 2000 0)] goal is nz-number\r\n"[..],
        b"* OK [INPROGRESS (A1 1 2)] tag is quoted, not an atom\r\n",
        b"* OK [INPROGRESS (\"A1\" 1)] two parts\r\n",
        b"* OK [INPROGRESS (\"A1\" -1 2)] negative\r\n",
        b"* OK [INPROGRESS (\"A1\" 1 99999999999)] over 32 bits\r\n",
    ] {
        match code(bad) {
            Some(Code::Other { name, .. }) => assert_eq!(name.as_str(), "INPROGRESS"),
            c => panic!("{} -> {c:?}", String::from_utf8_lossy(bad)),
        }
    }
    // truncated: an error, never a panic
    assert!(parse_response(b"* OK [INPROGRESS (\"A1", &ParseOptions::STRICT).is_err());
}

#[test]
fn codec_refuses_to_emit_values_off_the_grammar() {
    let emit = |p: Progress<'static>| {
        let r = Response::Status(mailwire::imap::StatusResponse {
            tag: None,
            kind: StatusKind::Ok,
            code: Some(Code::InProgress(Some(p))),
            text: "x".into(),
        });
        emit_response(&r, &mut Vec::new(), &EmitOptions::default())
    };
    // progress-goal = nz-number
    assert!(
        emit(Progress {
            tag: None,
            state: Some(1),
            goal: Some(0)
        })
        .is_err()
    );
    // a quoted tag holds no CR or LF
    assert!(
        emit(Progress {
            tag: Some("a\r\nb".into()),
            state: None,
            goal: None
        })
        .is_err()
    );
}

// ---------------------------------------------------------------- client

#[test]
fn client_surfaces_the_code_on_the_untagged_ok() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    let tag = c.noop().unwrap().as_str().to_owned();
    while c.poll_transmit().is_some() {}
    c.handle_input(
        format!("* OK [INPROGRESS (\"{tag}\" 10 100)] Processed 10%\r\n{tag} OK done\r\n")
            .as_bytes(),
    );
    let mut seen = None;
    while let Some(ev) = c.poll_event().unwrap() {
        if let ClientEvent::Status { status, in_flight } = ev.into_owned() {
            seen = Some((status.code, in_flight.map(|t| t.as_str().to_owned())));
        }
    }
    let (code, in_flight) = seen.expect("an untagged status event");
    let Some(Code::InProgress(Some(p))) = code else {
        panic!("{code:?}")
    };
    assert_eq!(p.tag.unwrap().as_bytes(), tag.as_bytes());
    assert_eq!((p.state, p.goal), (Some(10), Some(100)));
    assert_eq!(in_flight.as_deref(), Some(tag.as_str()));
}

// ---------------------------------------------------------------- server

#[test]
fn server_app_sends_progress_while_a_command_runs() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    s.handle_input(b"a LOGIN u p\r\nb SELECT INBOX\r\n");
    let mut out = Vec::new();
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap(),
            ServerEvent::Command(c) => {
                s.send_untagged(
                    StatusKind::Ok,
                    Some(Code::InProgress(Some(Progress {
                        tag: Some(c.tag.as_str().into()),
                        state: Some(1),
                        goal: Some(3),
                    }))),
                    "working",
                )
                .unwrap();
                while let Some(b) = s.poll_transmit() {
                    out.extend_from_slice(&b);
                }
                s.complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                    .unwrap();
            }
            _ => {}
        }
    }
    let out = String::from_utf8(out).unwrap();
    // the bytes the RFC's grammar asks for
    assert!(
        out.contains("* OK [INPROGRESS (\"b\" 1 3)] working\r\n"),
        "{out}"
    );
}
