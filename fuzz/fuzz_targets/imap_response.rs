//! IMAP responses: the framer and the response parser never panic; framing in
//! arbitrary chunks gives the same frames as one shot; every parsed response
//! can be walked completely and, when it emits, parses back to itself; the
//! one-pass visitor (`parse_response_with`) accepts exactly what
//! `parse_response` accepts, returns the same value and reports the events
//! derived from the lazy value; and a parse with the fast readings of body
//! structures and envelopes gives what the grammar's rules alone give
//! (values, every nested list walked, errors); lists taken by value give what
//! `iter()` gives.
#![no_main]

#[path = "../../tests/common/fetch_events.rs"]
mod fetch_events;

use libfuzzer_sys::fuzz_target;
use mailwire::imap::{
    BodyStructure, Data, EmitOptions, FetchItem, Frame, Framer, ParseOptions, Quirks,
    Response, Specific, emit_response, parse_response,
};
use mailwire::wire::line::LinePolicy;

fn walk_body(b: &BodyStructure<'_>) {
    match b {
        BodyStructure::Single(s) => {
            if let Some(p) = &s.params {
                p.iter().count();
            }
            if let Specific::Message { envelope, body, .. } = &s.specific {
                let _ = envelope.get();
                walk_body(&body.get());
            }
        }
        BodyStructure::Multi(m) => m.parts.iter().for_each(|p| walk_body(&p)),
    }
}

fn frames(data: &[u8], cut: usize) -> (Vec<usize>, bool) {
    let mut f = Framer::new(4096, mailwire::error::LimitKind::ReplyLine, 1 << 20, LinePolicy::ACCEPT_BARE_LF);
    let mut out = Vec::new();
    let mut start = 0;
    for end in [cut.min(data.len()), data.len()] {
        loop {
            match f.find(&data[start..end]) {
                Ok(Frame::Complete(n)) => {
                    out.push(n);
                    start += n;
                }
                Ok(_) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

fuzz_target!(|input: (u16, bool, &[u8])| {
    let (cut, strict, data) = input;
    let one = frames(data, data.len());
    let two = frames(data, usize::from(cut));
    assert_eq!(one, two);
    let mut opts = ParseOptions::default();
    if strict {
        opts.quirks = Quirks::STRICT;
    }
    let mut pos = 0;
    for n in one.0 {
        let frame = &data[pos..pos + n];
        pos += n;
        let mut rec = fetch_events::Recorder::default();
        let visited = mailwire::imap::parse_response_with(frame, &opts, &mut rec);
        let plain = parse_response(frame, &opts);
        match (&visited, &plain) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b);
                assert_eq!(rec.0, fetch_events::expected(b));
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("visitor and parse_response disagree: {visited:?} / {plain:?}"),
        }
        // the fast readings against the rules alone: the whole value, every
        // nested list walked by Debug, or the same error (the switch exists
        // in fuzzing builds, which `cargo fuzz` makes)
        #[cfg(fuzzing)]
        {
            let fast = format!("{plain:?}");
            mailwire::imap::base::body::set_fast_readings(false);
            let rules = format!("{:?}", parse_response(frame, &opts));
            mailwire::imap::base::body::set_fast_readings(true);
            assert_eq!(fast, rules, "fast readings and rules disagree");
        }
        let Ok(r) = plain else { continue };
        if let Response::Data(Data::Fetch { items, .. }) = &r {
            for it in items.iter() {
                match it {
                    FetchItem::BodyStructure(b) | FetchItem::Body(b) => {
                        walk_body(&b);
                        // a wire list taken by value gives what iter() gives
                        if let BodyStructure::Multi(m) = &b {
                            let by_value: Vec<_> = m.parts.clone().into_iter().collect();
                            assert_eq!(by_value, m.parts.iter().collect::<Vec<_>>());
                        }
                    }
                    FetchItem::Envelope(e) => {
                        let by_value: Vec<_> = e.to.clone().into_iter().collect();
                        assert_eq!(by_value, e.to.iter().collect::<Vec<_>>());
                    }
                    _ => {}
                }
            }
            // and so does the built item list
            let by_value: Vec<_> = items.clone().into_iter().collect();
            assert_eq!(by_value, items.iter().collect::<Vec<_>>());
        }
        let mut out = Vec::new();
        if emit_response(&r, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_response(&out, &ParseOptions::default())
                .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&out)));
            assert_eq!(again.into_owned(), r.into_owned());
        }
    }
});
