//! `imap::parse_response_with`: the one-pass FETCH visitor. It must accept
//! and reject exactly what `parse_response` does, return the same value, and
//! report every address, part and parameter in the documented order (derived
//! independently from the lazy value by tests/common/fetch_events.rs): on the
//! Dovecot corpus, on hand-written nested structures, and on every truncation
//! and byte flip of them.

#[path = "common/fetch_events.rs"]
mod fetch_events;

use fetch_events::{Ev, Recorder, expected};
use mailwire::Error;
use mailwire::error::LimitKind;
use mailwire::imap::{
    AddressField, FetchItem, FetchVisitor, Frame, Framer, ParamsOf, ParseOptions, Quirks,
    parse_response, parse_response_with,
};
use mailwire::wire::line::LinePolicy;

/// Checks that the visitor agrees with `parse_response` on `frame` and
/// returns its events (`None` when both reject the frame).
fn check(frame: &[u8], opts: &ParseOptions) -> Option<Vec<Ev>> {
    let mut rec = Recorder::default();
    let visited = parse_response_with(frame, opts, &mut rec);
    let plain = parse_response(frame, opts);
    match (visited, plain) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                a,
                b,
                "different values for {:?}",
                String::from_utf8_lossy(frame)
            );
            let want = expected(&b);
            assert_eq!(
                rec.0,
                want,
                "events differ for {:?}",
                String::from_utf8_lossy(frame)
            );
            Some(rec.0)
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string());
            None
        }
        (a, b) => panic!(
            "visitor {:?} but parse_response {:?} on {:?}",
            a.map(|_| ()),
            b.map(|_| ()),
            String::from_utf8_lossy(frame)
        ),
    }
}

fn both(frame: &[u8]) -> Option<Vec<Ev>> {
    let strict = check(frame, &ParseOptions::STRICT);
    let lenient = check(frame, &ParseOptions::default());
    if strict.is_some() {
        assert_eq!(strict, lenient);
    }
    lenient
}

const NESTED: &[u8] = b"* 12 FETCH (UID 99 FLAGS (\\Seen $Junk) ENVELOPE (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"a \\\"quoted\\\" subject\" ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL ((NIL NIL \"team\" NIL)(\"Bob\" NIL \"bob\" \"example.org\")(NIL NIL NIL NIL)) NIL NIL NIL \"<id@x>\") BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\" \"FORMAT\" \"flowed\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"BASE64\" 20 1) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\"))(\"MESSAGE\" \"RFC822\" (\"NAME\" \"fwd.eml\") NIL NIL \"7BIT\" 500 (NIL \"inner\" ((\"C\" NIL \"c\" \"example.net\")) NIL NIL NIL NIL NIL NIL NIL) (\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 300 NIL (\"attachment\" (\"FILENAME\" \"r.pdf\")) NIL NIL) 20 NIL (\"inline\" NIL) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b0\") (\"inline\" (\"X\" \"y\")) (\"en\" \"de\") \"loc\" 1 (2 \"x\")) RFC822.SIZE 1234)\r\n";

/// A compact name for each event, to check the documented order.
fn shape(events: &[Ev]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Ev::Item(i) => format!("item {}", item_name(i)),
            Ev::Address(f, a) => format!(
                "{f:?} {}",
                a.mailbox
                    .as_ref()
                    .map_or("NIL".into(), |m| String::from_utf8_lossy(m.as_bytes())
                        .into_owned())
            ),
            Ev::Envelope(_) => "envelope".into(),
            Ev::MultiStart => "multi(".into(),
            Ev::MultiEnd(m) => format!(")multi {}", String::from_utf8_lossy(m.subtype.as_bytes())),
            Ev::MessageStart => "message(".into(),
            Ev::Param(of, k, _) => format!("{of:?} {}", String::from_utf8_lossy(k.as_bytes())),
            Ev::Part(p) => format!("part {}", String::from_utf8_lossy(p.subtype.as_bytes())),
        })
        .collect()
}

fn item_name(i: &FetchItem<'_>) -> &'static str {
    match i {
        FetchItem::Uid(_) => "UID",
        FetchItem::Flags(_) => "FLAGS",
        FetchItem::Envelope(_) => "ENVELOPE",
        FetchItem::BodyStructure(_) => "BODYSTRUCTURE",
        FetchItem::Body(_) => "BODY",
        FetchItem::Rfc822Size(_) => "RFC822.SIZE",
        _ => "other",
    }
}

#[test]
fn events_in_wire_order() {
    let events = both(NESTED).expect("parses");
    let want = [
        "item UID",
        "item FLAGS",
        "From ann",
        "To team",
        "To bob",
        "To NIL",
        "envelope",
        "item ENVELOPE",
        "multi(",
        "multi(",
        "Part CHARSET",
        "Part FORMAT",
        "part PLAIN",
        "Part CHARSET",
        "part HTML",
        "Multipart BOUNDARY",
        ")multi ALTERNATIVE",
        "message(",
        "Part NAME",
        "From c",
        "envelope",
        "Disposition FILENAME",
        "part PDF",
        "part RFC822",
        "Multipart BOUNDARY",
        "Disposition X",
        ")multi MIXED",
        "item BODYSTRUCTURE",
        "item RFC822.SIZE",
    ];
    assert_eq!(shape(&events), want);
    // the quoted subject is unescaped in the envelope event
    let Some(Ev::Envelope(e)) = events.iter().find(|e| matches!(e, Ev::Envelope(_))) else {
        panic!()
    };
    assert_eq!(
        e.subject.as_ref().unwrap().as_bytes(),
        b"a \"quoted\" subject"
    );
}

/// Everything borrowed: a visitor can keep slices of the frame.
#[test]
fn values_borrow_from_the_frame() {
    struct Hosts<'a>(Vec<&'a [u8]>);
    impl<'a> FetchVisitor<'a> for Hosts<'a> {
        fn address(&mut self, field: AddressField, a: mailwire::imap::Address<'a>) {
            if let (AddressField::To, Some(h)) = (field, a.host) {
                if let std::borrow::Cow::Borrowed(b) = h.0 {
                    self.0.push(b);
                }
            }
        }
    }
    let mut v = Hosts(Vec::new());
    parse_response_with(NESTED, &ParseOptions::default(), &mut v).unwrap();
    assert_eq!(v.0, [&b"example.org"[..]]);
}

#[test]
fn non_fetch_responses_have_no_events() {
    for frame in [
        &b"* 3 EXISTS\r\n"[..],
        b"A1 OK [READ-WRITE] done\r\n",
        b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
        b"+ go ahead\r\n",
        b"* 4 EXPUNGE\r\n",
    ] {
        assert_eq!(
            both(frame),
            Some(vec![]),
            "{:?}",
            String::from_utf8_lossy(frame)
        );
    }
}

#[test]
fn quirks_are_shared() {
    // Mail.ru: NIL parameter value and () parameters; Exchange: spaces
    // between addresses and parts; Yahoo: NIL encoding.
    let frame = b"* 1 FETCH (ENVELOPE (NIL NIL ((\"a\" NIL \"a\" \"b\") (\"c\" NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"charset\" NIL) NIL NIL NIL 3 1) (\"TEXT\" \"HTML\" () NIL NIL \"8bit\" 3 1) \"mixed\" (\"boundary\" NIL)))\r\n";
    assert_eq!(check(frame, &ParseOptions::STRICT), None);
    let events = check(frame, &ParseOptions::default()).unwrap();
    let nil_values = events
        .iter()
        .filter(|e| matches!(e, Ev::Param(ParamsOf::Part | ParamsOf::Multipart, _, None)))
        .count();
    assert_eq!(nil_values, 2);
    let addresses = events
        .iter()
        .filter(|e| matches!(e, Ev::Address(..)))
        .count();
    assert_eq!(addresses, 2);
}

#[test]
fn error_after_events() {
    // the envelope is complete, the body structure is broken: the visitor
    // has seen the envelope, and gets the error parse_response gives.
    let frame = b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" x))\r\n";
    let mut rec = Recorder::default();
    let err = parse_response_with(frame, &ParseOptions::default(), &mut rec).unwrap_err();
    assert!(matches!(err, Error::Parse(_)), "{err}");
    assert_eq!(
        err.to_string(),
        parse_response(frame, &ParseOptions::default())
            .unwrap_err()
            .to_string()
    );
    assert_eq!(
        shape(&rec.0),
        ["From a", "envelope", "item ENVELOPE"],
        "events before the error"
    );
}

#[test]
fn deep_nesting_is_a_limit_error() {
    for unit in [
        &b"("[..],
        b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ",
    ] {
        let mut frame = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
        for _ in 0..10_000 {
            frame.extend_from_slice(unit);
        }
        frame.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1))\r\n");
        let mut rec = Recorder::default();
        let err = parse_response_with(&frame, &ParseOptions::default(), &mut rec).unwrap_err();
        assert!(
            matches!(&err, Error::Limit(l) if l.kind == LimitKind::NestingDepth),
            "{err}"
        );
        assert!(rec.0.len() < 200, "{} events", rec.0.len());
    }
}

fn corpus_frames() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dovecot");
    let mut frames = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    names.sort();
    for path in names {
        let data = std::fs::read(&path).unwrap();
        let mut f = Framer::new(1 << 16, LimitKind::ReplyLine, 1 << 24, LinePolicy::STRICT);
        let mut pos = 0;
        while let Ok(Frame::Complete(n)) = f.find(&data[pos..]) {
            frames.push(data[pos..pos + n].to_vec());
            pos += n;
        }
        assert_eq!(pos, data.len(), "{} frames completely", path.display());
    }
    frames
}

#[test]
fn dovecot_corpus() {
    let frames = corpus_frames();
    let mut fetches = 0;
    let mut parts = 0;
    for frame in &frames {
        let events = both(frame).unwrap_or_else(|| {
            panic!(
                "corpus frame rejected: {:?}",
                String::from_utf8_lossy(frame)
            )
        });
        if frame.windows(7).any(|w| w == b" FETCH ") {
            fetches += 1;
        }
        parts += events.iter().filter(|e| matches!(e, Ev::Part(_))).count();
    }
    assert!(fetches >= 10, "{fetches} FETCH frames in the corpus");
    assert!(parts >= 5, "{parts} body parts in the corpus");
}

/// Hostile input: every truncation and many byte flips of nested FETCH
/// responses, in both modes; the visitor and `parse_response` agree on each.
#[test]
fn truncated_and_mutated() {
    let mut seeds = vec![NESTED.to_vec()];
    seeds.extend(
        corpus_frames()
            .into_iter()
            .filter(|f| f.windows(13).any(|w| w == b"BODYSTRUCTURE")),
    );
    let mut checked = 0;
    for seed in &seeds {
        for cut in 0..seed.len() {
            let mut t = seed[..cut].to_vec();
            t.extend_from_slice(b"\r\n");
            both(&t);
            checked += 1;
        }
        for i in (0..seed.len()).step_by(3) {
            for b in [b'(', b')', b' ', b'"', b'N', b'0', b'{', b'\\'] {
                let mut m = seed.clone();
                m[i] = b;
                both(&m);
                checked += 1;
            }
        }
    }
    assert!(checked > 5_000, "{checked}");
}

#[test]
fn unit_visitor_and_quirks_strictness() {
    // `()` is a visitor that ignores everything
    let r = parse_response_with(NESTED, &ParseOptions::default(), &mut ()).unwrap();
    assert_eq!(r, parse_response(NESTED, &ParseOptions::default()).unwrap());
    let mut opts = ParseOptions::default();
    opts.quirks = Quirks::STRICT;
    assert!(parse_response_with(NESTED, &opts, &mut ()).is_ok());
}

/// Through the client machine: `poll_event_with` reports the contents of
/// each FETCH response (the same events as the codec, alongside the same
/// `ClientEvent::Data`) in one reading of the frame; a malformed one comes
/// out as `MalformedResponse` with the events of the bytes before its error,
/// exactly as the codec gives them; other responses report nothing. The same
/// whatever the chunking.
#[test]
fn client_machine_poll_event_with() {
    use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, Response};

    let broken = b"* 2 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"TEXT\" x))\r\n";
    let mut wire = b"* PREAUTH ready\r\n".to_vec();
    wire.extend_from_slice(NESTED);
    wire.extend_from_slice(broken);
    wire.extend_from_slice(b"* 3 EXISTS\r\n");
    wire.extend_from_slice(NESTED);
    let want = expected(&parse_response(NESTED, &ParseOptions::default()).unwrap());

    for chunk in [wire.len(), 1, 7] {
        let mut c = Client::new(ClientConfig::default());
        // (event kind, visitor events seen while polling it)
        let mut seen: Vec<(&str, Vec<Ev>)> = Vec::new();
        for piece in wire.chunks(chunk) {
            c.handle_input(piece);
            loop {
                let mut rec = Recorder::default();
                let Some(e) = c.poll_event_with(&mut rec).expect("no fatal error") else {
                    break;
                };
                let kind = match &e {
                    ClientEvent::Greeting(_) => "greeting",
                    ClientEvent::Data {
                        data: Data::Fetch { seq, items },
                        ..
                    } => {
                        // the event is the codec's value
                        let r = Response::Data(Data::Fetch {
                            seq: *seq,
                            items: items.clone(),
                        });
                        assert_eq!(expected(&r), rec.0);
                        "fetch"
                    }
                    ClientEvent::Data { .. } => "data",
                    ClientEvent::MalformedResponse { .. } => "malformed",
                    _ => "other",
                };
                seen.push((kind, rec.0));
            }
        }
        let kinds: Vec<_> = seen.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            ["greeting", "fetch", "malformed", "data", "fetch"],
            "chunk {chunk}"
        );
        assert_eq!(seen[1].1, want);
        assert_eq!(seen[4].1, want);
        let mut partial = Recorder::default();
        assert!(parse_response_with(broken, &ParseOptions::default(), &mut partial).is_err());
        assert_eq!(shape(&partial.0), ["From a", "envelope", "item ENVELOPE"]);
        assert_eq!(
            seen[2].1, partial.0,
            "chunk {chunk}: events of the malformed frame"
        );
        for i in [0, 3] {
            assert!(
                seen[i].1.is_empty(),
                "chunk {chunk}: events for {}",
                kinds[i]
            );
        }
    }
}
