//! smtp reply framing and grammar never panic; framing over arbitrary chunks
//! finds the same frames as one-shot framing; parsed replies iterate safely.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{ReplyFramer, parse_reply};
use mailwire::wire::line::LinePolicy;
use mailwire::Limits;

fn frames(data: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, bool) {
    let limits = Limits::default();
    let mut f = ReplyFramer::new(&limits, LinePolicy::STRICT);
    let mut out = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    for end in ends {
        if end < start {
            continue;
        }
        loop {
            match f.find(&data[start..end]) {
                Ok(Some(n)) => {
                    out.push(data[start..start + n].to_vec());
                    start += n;
                }
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

fuzz_target!(|input: (Vec<u16>, &[u8])| {
    let (cuts, data) = input;
    let cuts: Vec<usize> = cuts.iter().map(|&c| c as usize).collect();
    let whole = frames(data, &[]);
    if !whole.1 {
        assert_eq!(frames(data, &cuts), whole);
    }
    for frame in &whole.0 {
        if let Ok(r) = parse_reply(frame) {
            assert_eq!(r.as_bytes(), &frame[..]);
            let _ = r.lines().count();
            let _ = r.messages().count();
            let _ = r.capabilities().count();
            let _ = r.to_string();
            assert_eq!(r.clone().into_owned(), r);
        }
    }
});
