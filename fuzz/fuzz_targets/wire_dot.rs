//! wire::dot: the decoder never panics, arbitrary chunking gives the same body
//! and end as one-shot decoding, and encode→decode gives the body back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::wire::dot::{BodyPolicy, DotDecoder, DotEncoder, decode_all};

fn chunked(data: &[u8], cuts: &[usize], policy: BodyPolicy) -> (Result<Vec<u8>, mailwire::Error>, Option<usize>) {
    let mut dec = DotDecoder::new(policy);
    let mut body = Vec::new();
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    let mut pos = 0;
    for end in ends {
        loop {
            let s = match dec.decode(&data[pos..end.max(pos)]) {
                Ok(s) => s,
                Err(e) => return (Err(e), None),
            };
            assert!(s.consumed <= end.max(pos) - pos);
            assert!(s.data.len() <= s.consumed);
            body.extend_from_slice(s.data);
            pos += s.consumed;
            if s.end {
                return (Ok(body), Some(pos));
            }
            if s.consumed == 0 {
                break;
            }
        }
        // at most two bytes are ever held back
        assert!(end.max(pos) - pos <= 2 || pos >= end);
    }
    (Ok(body), None)
}

fuzz_target!(|input: (bool, Vec<u16>, &[u8])| {
    let (keep, cuts, data) = input;
    let policy = if keep { BodyPolicy::KeepBare } else { BodyPolicy::Strict };
    let cuts: Vec<usize> = cuts.iter().map(|&c| usize::from(c)).collect();
    let one = chunked(data, &[], policy);
    let many = chunked(data, &cuts, policy);
    match (&one.0, &many.0) {
        (Ok(a), Ok(b)) => {
            assert_eq!(one.1, many.1);
            if one.1.is_some() {
                assert_eq!(a, b);
            } else {
                assert_eq!(a.len(), b.len());
            }
            // The end is only ever at CRLF . CRLF (or a body that starts with ".CRLF").
            if let Some(n) = one.1 {
                assert!(data[..n].ends_with(b"\r\n.\r\n") || n == 3);
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("chunking changed the outcome: {one:?} vs {many:?}"),
    }
    // Round trip: anything the encoder accepts decodes back to itself (+ final CRLF).
    let mut enc = DotEncoder::new(BodyPolicy::Strict);
    let mut wire = Vec::new();
    if enc.encode(data, &mut wire).is_ok() {
        enc.finish(&mut wire);
        let mut back = Vec::new();
        assert_eq!(decode_all(&wire, BodyPolicy::Strict, &mut back).unwrap(), Some(wire.len()));
        let mut expect = data.to_vec();
        if expect.last() == Some(&b'\r') {
            // a final CR is completed to CRLF, never sent bare
            expect.push(b'\n');
        } else if !expect.is_empty() && !expect.ends_with(b"\r\n") {
            expect.extend_from_slice(b"\r\n");
        }
        assert_eq!(back, expect);
    }
});
