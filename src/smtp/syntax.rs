//! The ground floor of the SMTP codec: the source text of a frame ([`Src`])
//! and the byte-level helpers that the value types, the grammar and the
//! reply accessors share. Nothing here knows a command or a reply.

use alloc::borrow::Cow;
use core::str;

/// The source text of a frame: its bytes and, when they are UTF-8, the same
/// text as `&str`, so that sub-slices found by the byte grammar become `&str`
/// without validating UTF-8 again (one `from_utf8` per line, not per field).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Src<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Src<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Src {
            bytes,
            text: str::from_utf8(bytes).ok(),
        }
    }

    pub(crate) fn from_str(text: &'a str) -> Self {
        Src {
            bytes: text.as_bytes(),
            text: Some(text),
        }
    }

    /// `part` (a sub-slice of this source) as `&str`, if it is UTF-8.
    pub(crate) fn s(&self, part: &'a [u8]) -> Option<&'a str> {
        let off = (part.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        match self.text {
            Some(t) => t.get(off..off.checked_add(part.len())?),
            // Not all of the source is UTF-8: check this part alone.
            None => str::from_utf8(part).ok(),
        }
    }

    pub(crate) fn cow(&self, part: &'a [u8]) -> Option<Cow<'a, str>> {
        self.s(part).map(Cow::Borrowed)
    }
}

pub(crate) fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    // Nineteen digits never overflow a u64: only a twentieth is checked.
    let (head, last) = match digits.split_at_checked(19) {
        Some((head, last)) => (head, last),
        None => (digits, &[][..]),
    };
    let mut n = 0u64;
    for &d in head {
        let v = d.wrapping_sub(b'0');
        if v > 9 {
            return None;
        }
        n = n * 10 + u64::from(v);
    }
    match *last {
        [] => Some(n),
        [d] if d.is_ascii_digit() => n.checked_mul(10)?.checked_add(u64::from(d - b'0')),
        _ => None,
    }
}

pub(crate) fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|&&c| c == b' ').count();
    &b[..b.len() - n]
}

pub(crate) fn split_param(token: &[u8]) -> (&[u8], Option<&[u8]>) {
    match token.iter().position(|&b| b == b'=') {
        Some(i) => (&token[..i], Some(&token[i + 1..])),
        None => (token, None),
    }
}
