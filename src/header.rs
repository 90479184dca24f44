//! Reading header text as people see it: RFC 2047 encoded words.
//!
//! Servers hand header fields over as sent: an IMAP `ENVELOPE`'s subject or
//! an address's display name is often `=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=`.
//! [`decode_encoded_words`] turns that into `Grüße`.
//!
//! ```
//! use mailwire::header::decode_encoded_words;
//!
//! // RFC 2047 §8: whitespace between adjacent encoded words is not displayed
//! assert_eq!(decode_encoded_words(b"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?="), "ab");
//! assert_eq!(decode_encoded_words(b"=?UTF-8?B?R3LDvMOfZQ==?= und mehr"), "Grüße und mehr");
//! ```
//!
//! Charsets decoded: UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and
//! Windows-1252 (the ones mail actually carries in headers, and the three
//! single-byte ones need no tables beyond a few code points). An encoded word
//! in another charset, or one that is malformed, is kept as written, so
//! nothing is lost and nothing is guessed. Bytes outside encoded words that
//! are not UTF-8 are replaced with U+FFFD.

use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;

/// The charsets this module can turn into text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Charset {
    Utf8,
    Latin1,
    Latin9,
    Windows1252,
}

impl Charset {
    fn lookup(name: &[u8]) -> Option<Charset> {
        // RFC 2231 §5: a language may follow the charset after `*`
        let name = name.split(|&b| b == b'*').next().unwrap_or(name);
        let eq = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        if eq("UTF-8") || eq("UTF8") || eq("US-ASCII") || eq("ASCII") {
            Some(Charset::Utf8)
        } else if eq("ISO-8859-1") || eq("ISO8859-1") || eq("LATIN1") {
            Some(Charset::Latin1)
        } else if eq("ISO-8859-15") || eq("ISO8859-15") {
            Some(Charset::Latin9)
        } else if eq("WINDOWS-1252") || eq("CP1252") {
            Some(Charset::Windows1252)
        } else {
            None
        }
    }

    fn push_decoded(self, bytes: &[u8], out: &mut String) {
        match self {
            Charset::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
            Charset::Latin1 => out.extend(bytes.iter().map(|&b| b as char)),
            Charset::Latin9 => out.extend(bytes.iter().map(|&b| latin9(b))),
            Charset::Windows1252 => out.extend(bytes.iter().map(|&b| windows1252(b))),
        }
    }
}

/// ISO-8859-15 differs from ISO-8859-1 in eight positions.
fn latin9(b: u8) -> char {
    match b {
        0xA4 => '€',
        0xA6 => 'Š',
        0xA8 => 'š',
        0xB4 => 'Ž',
        0xB8 => 'ž',
        0xBC => 'Œ',
        0xBD => 'œ',
        0xBE => 'Ÿ',
        _ => b as char,
    }
}

/// Windows-1252 is ISO-8859-1 with printable characters in 0x80..=0x9F.
fn windows1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// One parsed `encoded-word = "=?" charset "?" encoding "?" encoded-text "?="`
/// (RFC 2047 §2): the charset name, the decoded bytes, and its length in the input.
fn encoded_word(input: &[u8]) -> Option<(&[u8], Vec<u8>, usize)> {
    let rest = input.strip_prefix(b"=?")?;
    let q1 = rest.iter().position(|&b| b == b'?')?;
    let charset = &rest[..q1];
    let rest = &rest[q1 + 1..];
    let (&encoding, rest) = rest.split_first()?;
    let rest = rest.strip_prefix(b"?")?;
    let end = rest.windows(2).position(|w| w == b"?=")?;
    let text = &rest[..end];
    // RFC 2047 §2: no spaces inside an encoded word; 75 characters at most,
    // but long words from real mailers are read anyway
    if charset.is_empty() || text.iter().any(|&b| b == b' ' || b == b'\t' || b < 0x20) {
        return None;
    }
    let decoded = match encoding.to_ascii_uppercase() {
        b'B' => base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
            .ok()?,
        b'Q' => q_decode(text)?,
        _ => return None,
    };
    Some((charset, decoded, 2 + q1 + 1 + 2 + end + 2))
}

/// RFC 2047 §4.2: `_` is a space, `=XX` a byte, anything else itself.
fn q_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = text.get(i + 1..i + 3)?;
                let s = core::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(s, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// Decodes the RFC 2047 encoded words of a header value (an unstructured
/// field such as `Subject:`, or a display name) into text.
///
/// Linear white space between two adjacent encoded words is dropped
/// (RFC 2047 §6.2), and adjacent words in the same charset are joined before
/// they are turned into text, so a UTF-8 character split across two words
/// (as some mailers do) comes out whole.
pub fn decode_encoded_words(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    // decoded bytes of the adjacent encoded words seen so far, and their charset
    let mut pending: Option<(Charset, Vec<u8>)> = None;
    // start of the raw text not yet written out
    let mut plain_start = 0;
    let mut i = 0;
    while i < input.len() {
        let word = if input[i] == b'=' && input.get(i + 1) == Some(&b'?') {
            encoded_word(&input[i..])
                .and_then(|(name, bytes, len)| Some((Charset::lookup(name)?, bytes, len)))
        } else {
            None
        };
        let Some((charset, bytes, len)) = word else {
            i += 1;
            continue;
        };
        let gap = &input[plain_start..i];
        let adjacent = gap
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        match pending.take() {
            // RFC 2047 §6.2: white space between adjacent words is dropped
            Some((c, mut buf)) if adjacent && c == charset => {
                buf.extend_from_slice(&bytes);
                pending = Some((c, buf));
            }
            Some((c, buf)) if adjacent => {
                c.push_decoded(&buf, &mut out);
                pending = Some((charset, bytes));
            }
            earlier => {
                if let Some((c, buf)) = earlier {
                    c.push_decoded(&buf, &mut out);
                }
                out.push_str(&String::from_utf8_lossy(gap));
                pending = Some((charset, bytes));
            }
        }
        i += len;
        plain_start = i;
    }
    if let Some((c, buf)) = pending {
        c.push_decoded(&buf, &mut out);
    }
    out.push_str(&String::from_utf8_lossy(&input[plain_start..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2047 §8, the table of examples: "encoded form" → "displayed as".
    #[test]
    fn rfc2047_section_8_examples() {
        for (encoded, displayed) in [
            ("(=?ISO-8859-1?Q?a?=)", "(a)"),
            ("(=?ISO-8859-1?Q?a?= b)", "(a b)"),
            ("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
            ("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"),
            ("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"),
            ("(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
            (
                "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)",
                "(a =?ISO-8859-2?Q?_b?=)",
            ),
        ] {
            assert_eq!(
                decode_encoded_words(encoded.as_bytes()),
                displayed,
                "{encoded}"
            );
        }
    }

    /// RFC 2047 §8: `From: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>`,
    /// `=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=`, `=?ISO-8859-1?Q?Andr=E9?= Pirard`,
    /// and the subject split over two B words.
    #[test]
    fn rfc2047_section_8_headers() {
        assert_eq!(
            decode_encoded_words(b"=?US-ASCII?Q?Keith_Moore?="),
            "Keith Moore"
        );
        assert_eq!(
            decode_encoded_words(b"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?="),
            "Keld Jørn Simonsen"
        );
        assert_eq!(
            decode_encoded_words(b"=?ISO-8859-1?Q?Andr=E9?= Pirard"),
            "André Pirard"
        );
        assert_eq!(
            decode_encoded_words(
                b"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
            ),
            // ISO-8859-2 is not decoded: kept as written, with the folding
            // white space before it, after the first word
            "If you can read this yo\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
        );
    }

    #[test]
    fn utf8_split_across_words_is_joined() {
        // "ü" is C3 BC: one byte in each word
        assert_eq!(
            decode_encoded_words(b"=?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe?="),
            "Grüße"
        );
        assert_eq!(decode_encoded_words(b"=?utf-8?b?4oKs?= 5"), "€ 5");
        assert_eq!(
            decode_encoded_words(b"=?windows-1252?Q?=80_=93x=94?="),
            "€ “x”"
        );
        assert_eq!(decode_encoded_words(b"=?ISO-8859-15?Q?=A4?="), "€");
        assert_eq!(decode_encoded_words(b"=?UTF-8*en?Q?hi?="), "hi");
    }

    #[test]
    fn malformed_words_are_kept_as_written() {
        for raw in [
            "=?UTF-8?Q?abc",     // never closed
            "=?UTF-8?X?abc?=",   // unknown encoding
            "=?UTF-8?B?!!!?=",   // not base64
            "=?UTF-8?Q?=ZZ?=",   // bad hex
            "=?UTF-8?Q?a=?=",    // truncated escape
            "=??Q?a?=",          // no charset
            "=?UTF-8?Q?a b?=",   // space inside
            "=?",                // truncated
            "plain = ? text ?=", // not a word
        ] {
            assert_eq!(decode_encoded_words(raw.as_bytes()), raw, "{raw}");
        }
        assert_eq!(decode_encoded_words(b"caf\xe9"), "caf\u{fffd}");
        assert_eq!(decode_encoded_words(b""), "");
    }

    #[test]
    fn text_around_words_is_kept() {
        assert_eq!(
            decode_encoded_words(b"Re: =?UTF-8?Q?caf=C3=A9?= ok"),
            "Re: café ok"
        );
        assert_eq!(
            decode_encoded_words(b"a =?UTF-8?Q?x?= b =?UTF-8?Q?y?= c"),
            "a x b y c"
        );
    }

    #[test]
    fn any_bytes_decode_without_panic() {
        // a small exhaustive walk over short inputs built from the tricky bytes
        let alphabet = b"=?QBu8_ \r\nA3";
        let mut buf = Vec::new();
        for n in 0..alphabet.len().pow(4) {
            buf.clear();
            let mut k = n;
            for _ in 0..4 {
                buf.push(alphabet[k % alphabet.len()]);
                k /= alphabet.len();
            }
            let _ = decode_encoded_words(&buf);
            let mut framed = b"=?UTF-8?Q?".to_vec();
            framed.extend_from_slice(&buf);
            framed.extend_from_slice(b"?=");
            let _ = decode_encoded_words(&framed);
        }
    }
}
