//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3, RFC 9051 §5.1.3).
//!
//! ```
//! use mailwire::imap::utf7;
//!
//! // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" is "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
//! assert_eq!(utf7::encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
//! assert_eq!(utf7::decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(), Some("~peter/mail/台北/日本語"));
//! // "&" itself is "&-"; a name that is not modified UTF-7 does not decode
//! assert_eq!(utf7::encode("Tom & Jerry"), "Tom &- Jerry");
//! assert_eq!(utf7::decode(b"&Jjo!"), None);
//! ```
//!
//! Printable US-ASCII except `&` stands for itself; `&` is `&-`; any other run
//! of characters is UTF-16 encoded, then base64 with `,` instead of `/` and no
//! padding, between `&` and `-`.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&c| c == b).map(|p| p as u32)
}

/// Decodes a modified UTF-7 mailbox name. Returns `None` when `name` is not
/// valid modified UTF-7 (a bad base64 run, an unpaired surrogate, a non-ASCII
/// byte, or an encoded run that should have been plain ASCII).
///
/// ```
/// use mailwire::imap::utf7;
/// assert_eq!(utf7::decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(),
///            Some("~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}"));
/// ```
pub fn decode(name: &[u8]) -> Option<Cow<'_, str>> {
    if !name.contains(&b'&') {
        return if name.iter().all(|&b| (0x20..0x7f).contains(&b)) {
            core::str::from_utf8(name).ok().map(Cow::Borrowed)
        } else {
            None
        };
    }
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < name.len() {
        let b = name[i];
        if !(0x20..0x7f).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + name[i + 1..].iter().position(|&c| c == b'-')?;
        let run = &name[i + 1..end];
        i = end + 1;
        if run.is_empty() {
            out.push('&');
            continue;
        }
        let mut bits: u32 = 0;
        let mut nbits = 0;
        let mut units: Vec<u16> = Vec::with_capacity(run.len() * 6 / 16);
        for &c in run {
            bits = (bits << 6) | sextet(c)?;
            nbits += 6;
            if nbits >= 16 {
                nbits -= 16;
                units.push((bits >> nbits) as u16);
                bits &= (1 << nbits) - 1;
            }
        }
        // leftover bits must be zero padding, less than one sextet's worth
        if nbits >= 6 || bits != 0 {
            return None;
        }
        for ch in char::decode_utf16(units.iter().copied()) {
            let ch = ch.ok()?;
            if (' '..='~').contains(&ch) {
                return None; // printable ASCII must not be encoded
            }
            out.push(ch);
        }
    }
    Some(Cow::Owned(out))
}

/// Encodes a mailbox name in modified UTF-7 (borrowed when it is plain
/// printable ASCII without `&`).
///
/// ```
/// use mailwire::imap::utf7;
/// assert_eq!(utf7::encode("Entw\u{fc}rfe & Co"), "Entw&APw-rfe &- Co");
/// ```
pub fn encode(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'&') {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() * 2);
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        out.push('&');
        let mut bits: u32 = 0;
        let mut nbits = 0;
        for &u in run.iter() {
            bits = (bits << 16) | u32::from(u);
            nbits += 16;
            while nbits >= 6 {
                nbits -= 6;
                out.push(ALPHABET[((bits >> nbits) & 63) as usize] as char);
            }
            bits &= (1 << nbits) - 1;
        }
        if nbits > 0 {
            out.push(ALPHABET[((bits << (6 - nbits)) & 63) as usize] as char);
        }
        out.push('-');
        run.clear();
    };
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut run, &mut out);
            out.push(ch);
            if ch == '&' {
                out.push('-');
            }
        } else {
            let mut buf = [0u16; 2];
            run.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut run, &mut out);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_examples_and_round_trips() {
        let table: &[(&str, &str)] = &[
            ("INBOX", "INBOX"),
            ("&", "&-"),
            ("a&b", "a&-b"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            ("😀", "&2D3eAA-"),
            ("Gelöschte Elemente", "Gel&APY-schte Elemente"),
            ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
        ];
        for (utf8, utf7) in table {
            assert_eq!(encode(utf8), *utf7, "encode {utf8}");
            assert_eq!(
                decode(utf7.as_bytes()).as_deref(),
                Some(*utf8),
                "decode {utf7}"
            );
        }
    }

    #[test]
    fn invalid() {
        for bad in [
            &b"&Jjo"[..],   // unterminated
            b"&Jjo!-",      // not base64
            b"&2D0-",       // unpaired surrogate
            b"&AGE-",       // 'a' must not be encoded
            b"caf\xc3\xa9", // raw 8-bit
            b"&APx-",       // leftover non-zero bits
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
