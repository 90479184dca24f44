//! Property tests for the wire layer: line finding and dot decoding give the
//! same result however the input is chunked, and dot encode→decode is lossless.

use mailwire::error::LimitKind;
use mailwire::wire::dot::{BodyPolicy, DotDecoder, DotEncoder, decode_all};
use mailwire::wire::line::{LineFinder, LinePolicy};
use proptest::prelude::*;

/// Bytes biased towards the ones that matter here: CR, LF, '.', and text.
fn wire_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'\r'),
            Just(b'\n'),
            Just(b'.'),
            Just(b'a'),
            any::<u8>()
        ],
        0..200,
    )
}

fn decode_chunked(
    data: &[u8],
    cuts: &[usize],
    policy: BodyPolicy,
) -> Result<(Vec<u8>, Option<usize>), mailwire::Error> {
    let mut dec = DotDecoder::new(policy);
    let mut body = Vec::new();
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    let mut pos = 0;
    for end in ends {
        while pos <= end {
            let s = dec.decode(&data[pos..end])?;
            body.extend_from_slice(s.data);
            pos += s.consumed;
            if s.end {
                return Ok((body, Some(pos)));
            }
            if s.consumed == 0 {
                break;
            }
        }
    }
    Ok((body, None))
}

fn lines_chunked(
    data: &[u8],
    cuts: &[usize],
    policy: LinePolicy,
) -> Result<Vec<Vec<u8>>, mailwire::Error> {
    let mut f = LineFinder::new(64, LimitKind::CommandLine, policy);
    let mut out = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    for end in ends {
        while let Some(l) = f.find(&data[start..end.max(start)])? {
            out.push(data[start..start + l.len].to_vec());
            start += l.consumed;
        }
    }
    Ok(out)
}

proptest! {
    #[test]
    fn dot_decoding_ignores_chunking(data in wire_bytes(), cuts in prop::collection::vec(0usize..200, 0..6), keep in any::<bool>()) {
        let policy = if keep { BodyPolicy::KeepBare } else { BodyPolicy::Strict };
        let one = decode_chunked(&data, &[], policy);
        let many = decode_chunked(&data, &cuts, policy);
        match (&one, &many) {
            (Ok((a, ea)), Ok((b, eb))) => {
                prop_assert_eq!(ea, eb);
                if ea.is_some() { prop_assert_eq!(a, b); }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "chunking changed the outcome: {:?} vs {:?}", one, many),
        }
        if let Ok((_, Some(n))) = one {
            prop_assert!(n == 3 || data[..n].ends_with(b"\r\n.\r\n"));
        }
    }

    #[test]
    fn dot_encode_decode_round_trip(data in wire_bytes(), cut in 0usize..200) {
        let cut = cut.min(data.len());
        let mut enc = DotEncoder::new(BodyPolicy::Normalize);
        let mut wire = Vec::new();
        enc.encode(&data[..cut], &mut wire).unwrap();
        enc.encode(&data[cut..], &mut wire).unwrap();
        enc.finish(&mut wire);
        // what goes on the wire decodes strictly and ends exactly at its end
        let mut back = Vec::new();
        prop_assert_eq!(decode_all(&wire, BodyPolicy::Strict, &mut back).unwrap(), Some(wire.len()));
        // normalising only turned bare CR/LF into CRLF: removing all CR and LF gives the same bytes
        let strip = |v: &[u8]| v.iter().copied().filter(|b| *b != b'\r' && *b != b'\n').collect::<Vec<u8>>();
        prop_assert_eq!(strip(&back), strip(&data));
    }

    #[test]
    fn line_finding_ignores_chunking(data in wire_bytes(), cuts in prop::collection::vec(0usize..200, 0..6), lf in any::<bool>()) {
        let policy = if lf { LinePolicy::ACCEPT_BARE_LF_KEEP_CR } else { LinePolicy::STRICT };
        let one = lines_chunked(&data, &[], policy);
        let many = lines_chunked(&data, &cuts, policy);
        match (&one, &many) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Ok(a), Err(_)) | (Err(_), Ok(a)) => {
                // only a length error may differ in timing, never the lines before it
                let (o, m) = (one.as_ref().map(|v| v.len()).unwrap_or(0), many.as_ref().map(|v| v.len()).unwrap_or(0));
                prop_assert!(a.len() == o.max(m));
            }
            (Err(_), Err(_)) => {}
        }
    }
}
