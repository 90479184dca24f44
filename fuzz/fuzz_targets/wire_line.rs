//! wire::line: no panic on any input, and finding lines in a buffer that grows
//! in arbitrary chunks gives the same lines (or the same error) as one shot.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::error::LimitKind;
use mailwire::wire::line::{LineFinder, LinePolicy};

fn run(data: &[u8], cuts: &[usize], policy: LinePolicy, limit: usize) -> (Vec<Vec<u8>>, Option<mailwire::Error>) {
    let mut f = LineFinder::new(limit, LimitKind::CommandLine, policy);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    for end in ends {
        loop {
            match f.find(&data[start..end]) {
                Ok(Some(l)) => {
                    assert!(l.len <= l.consumed && l.consumed <= limit);
                    lines.push(data[start..start + l.len].to_vec());
                    start += l.consumed;
                }
                Ok(None) => break,
                Err(e) => return (lines, Some(e)),
            }
        }
    }
    (lines, None)
}

fuzz_target!(|input: (u8, u8, Vec<u16>, &[u8])| {
    let (p, limit, cuts, data) = input;
    let policy = match p % 3 {
        0 => LinePolicy::STRICT,
        1 => LinePolicy::ACCEPT_BARE_LF,
        _ => LinePolicy::ACCEPT_BARE_LF_KEEP_CR,
    };
    let limit = usize::from(limit) + 1;
    let cuts: Vec<usize> = cuts.iter().map(|&c| usize::from(c)).collect();
    let whole = run(data, &[], policy, limit);
    let chunked = run(data, &cuts, policy, limit);
    // A line-length error may come earlier when less is buffered, never later,
    // and every line found before it is the same.
    match (&whole.1, &chunked.1) {
        (None, None) => assert_eq!(whole.0, chunked.0),
        _ => {
            let n = whole.0.len().min(chunked.0.len());
            assert_eq!(whole.0[..n], chunked.0[..n]);
        }
    }
});
