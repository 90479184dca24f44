//! INPROGRESS (RFC 9585) on the codec and both machines, checked against the
//! RFC's grammar and examples, with the peer's side written by hand.
//!
//! RFC 9585 §5 (Formal Syntax; the text was read as quoted verbatim by an
//! independent RFC-compliance catalog, the rfc-editor page itself being out
//! of reach here; the `inprogress-state` alternation line is inferred from
//! the three forms):
//!
//! ```text
//! resp-text-code =/ "INPROGRESS" [ SP "(" inprogress-tag SP inprogress-state ")" ]
//! inprogress-tag              = quoted / nil
//! inprogress-state-unknown    = nil SP nil
//! inprogress-state-counting   = number SP nil
//! inprogress-state-known-goal = number SP nz-number
//! ```
//!
//! RFC 9585 §4: "CMD-TAG: [...] If the tag is not available or if it
//! contains the "]" character, it MUST be set to NIL."; "PROGRESS: [...] If
//! the PROGRESS is not available, both PROGRESS and GOAL MUST be set to
//! NIL."; "GOAL: [...] it MUST be greater than PROGRESS."; "The response code
//! MUST NOT appear in a tagged response". Its degrees of completeness:
//! `* OK [INPROGRESS] Hang in there...`, `* OK [INPROGRESS ("tag" NIL NIL)]`,
//! `* OK [INPROGRESS ("tag" 175 NIL)]`, `* OK [INPROGRESS ("tag" 175 1000)]`.

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

/// The four degrees of completeness of RFC 9585 §4, and Dovecot's answers
/// (an independent server; its unit test vectors include
/// `* OK [INPROGRESS (NIL 1 NIL)] Processed 1 item(s)` for a tag with `]`).
#[test]
fn codec_reads_the_rfc_and_dovecot_forms() {
    for (line, tag, state, goal) in [
        (
            &b"* OK [INPROGRESS (\"tag\" NIL NIL)] Hang in there\r\n"[..],
            Some("tag"),
            None,
            None,
        ),
        (
            b"* OK [INPROGRESS (\"tag\" 175 NIL)] x\r\n",
            Some("tag"),
            Some(175),
            None,
        ),
        (
            b"* OK [INPROGRESS (\"tag\" 175 1000)] x\r\n",
            Some("tag"),
            Some(175),
            Some(1000),
        ),
        (
            b"* OK [INPROGRESS (NIL 1 NIL)] Processed 1 item(s)\r\n",
            None,
            Some(1),
            None,
        ),
        (b"* OK [INPROGRESS (NIL NIL NIL)] x\r\n", None, None, None),
        (
            b"* OK [inprogress (\"tag\" nil nil)] case-insensitive\r\n",
            Some("tag"),
            None,
            None,
        ),
    ] {
        let Some(Code::InProgress(Some(p))) = code(line) else {
            panic!("{}", String::from_utf8_lossy(line))
        };
        assert_eq!(
            p.tag
                .as_ref()
                .map(|t| t.to_str_lossy().into_owned())
                .as_deref(),
            tag
        );
        assert_eq!((p.state, p.goal), (state, goal));
        assert!(p.is_plausible());
    }
    // grammatical but to be disregarded (§6: "VALUE > GOAL")
    let Some(Code::InProgress(Some(p))) = code(b"* OK [INPROGRESS (\"t\" 7 5)] x\r\n") else {
        panic!()
    };
    assert!(!p.is_plausible());
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
        // regression: no inprogress-state form has a GOAL without a PROGRESS
        b"* OK [INPROGRESS (\"A1\" NIL 100)] goal without progress\r\n",
        b"* OK [INPROGRESS (NIL NIL 1)] x\r\n",
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
    // regression: "If the PROGRESS is not available, both PROGRESS and GOAL
    // MUST be set to NIL"; GOAL "MUST be greater than PROGRESS"; a tag with
    // "]" "MUST be set to NIL"
    for p in [
        Progress {
            tag: None,
            state: None,
            goal: Some(5),
        },
        Progress {
            tag: None,
            state: Some(5),
            goal: Some(5),
        },
        Progress {
            tag: None,
            state: Some(6),
            goal: Some(5),
        },
        Progress {
            tag: Some("A]1".into()),
            state: Some(1),
            goal: None,
        },
    ] {
        assert!(
            matches!(
                emit(p.clone()),
                Err(mailwire::Error::Emit(
                    mailwire::error::Unemittable::Grammar { .. }
                ))
            ),
            "{p:?}"
        );
    }
    // the boundary values that are allowed
    for p in [
        Progress {
            tag: Some("A1".into()),
            state: Some(0),
            goal: Some(1),
        },
        Progress {
            tag: None,
            state: Some(u32::MAX),
            goal: None,
        },
    ] {
        assert!(emit(p.clone()).is_ok(), "{p:?}");
    }
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

/// RFC 9585 §4: "The response code MUST NOT appear in a tagged response":
/// the server machine refuses to complete a command with it.
#[test]
fn server_refuses_the_code_on_a_tagged_response() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .autologout(None);
    let mut s = Server::new(config);
    while s.poll_transmit().is_some() {}
    s.handle_input(b"a LOGIN u p\r\n");
    let mut tag = None;
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Login { tag: t, .. } = ev.into_owned() {
            tag = Some(t.as_str().to_owned());
        }
    }
    let tag = tag.unwrap();
    while s.poll_transmit().is_some() {}
    let progress = Code::InProgress(Some(Progress {
        tag: Some(tag.as_str().into()),
        state: Some(1),
        goal: Some(2),
    }));
    assert!(
        s.complete(&tag, StatusKind::Ok, Some(progress), "done")
            .is_err()
    );
    assert!(s.poll_transmit().is_none(), "nothing was written");
    // the command is still pending and completes normally
    s.complete(&tag, StatusKind::Ok, None, "done").unwrap();
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    assert!(String::from_utf8(out).unwrap().starts_with("a OK"));
}
