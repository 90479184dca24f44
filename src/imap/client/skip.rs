//! Skipping the rest of a response longer than
//! [`Limits::response_line`](crate::Limits::response_line), without keeping it.
//!
//! The framing of RFC 9051 §4.3 needs only two things to find where a response
//! ends: the next LF, and whether the line before it ends in a literal
//! announcement (`{n}`, or `~{n}` for literal8), whose `n` bytes then belong to
//! the same response whatever they contain. [`Skipper`] follows exactly that,
//! over bytes as they arrive, keeping nothing but the last few bytes of the
//! current line (enough for any announcement of a 64-bit size). Each byte is
//! looked at once (memchr for LF); literal bytes are not looked at.

use crate::error::{Error, LimitKind};
use crate::imap::frame::literal_at_end;

/// Bytes of a line's end kept to recognise a literal announcement: `~{`,
/// twenty digits of a `u64`, `+}`.
const TAIL: usize = 32;

/// Where the skipper is within the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// In a line; `tail[..len]` are its last bytes so far.
    Line { tail: [u8; TAIL], len: u8 },
    /// In a literal with this many bytes left.
    Literal(u64),
}

/// Skips one response from where it is created; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Skipper {
    at: At,
    literal_limit: u64,
}

impl Skipper {
    /// A skipper at the start of a line (a response, or its rest after a
    /// literal); literals over `literal_limit` are an error, as they are for
    /// the [`Framer`](crate::imap::Framer).
    pub(crate) fn new(literal_limit: u64) -> Self {
        Skipper {
            at: At::Line {
                tail: [0; TAIL],
                len: 0,
            },
            literal_limit,
        }
    }

    /// Skips what of `buf` belongs to the response: `Ok((n, true))` when the
    /// response ended after `buf[..n]`, `Ok((buf.len(), false))` when all of
    /// `buf` was part of it. A literal announced larger than the literal limit
    /// is [`LimitKind::LiteralSize`], as when framing.
    pub(crate) fn skip(&mut self, buf: &[u8]) -> Result<(usize, bool), Error> {
        let limit = self.literal_limit;
        let mut pos = 0;
        loop {
            match &mut self.at {
                At::Literal(left) => {
                    let avail = (buf.len() - pos) as u64;
                    let n = (*left).min(avail);
                    pos += n as usize;
                    *left -= n;
                    if *left > 0 {
                        return Ok((pos, false));
                    }
                    self.at = At::Line {
                        tail: [0; TAIL],
                        len: 0,
                    };
                }
                At::Line { tail, len } => {
                    let rest = &buf[pos..];
                    let Some(lf) = memchr::memchr(b'\n', rest) else {
                        keep_tail(tail, len, rest);
                        return Ok((buf.len(), false));
                    };
                    keep_tail(tail, len, &rest[..lf]);
                    pos += lf + 1;
                    let line = &tail[..usize::from(*len)];
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    match literal_at_end(line) {
                        Ok(Some(lit)) if lit.size <= limit => {
                            self.at = At::Literal(lit.size);
                        }
                        Ok(Some(_)) | Err(_) => {
                            return Err(Error::limit(LimitKind::LiteralSize, limit));
                        }
                        Ok(None) => return Ok((pos, true)),
                    }
                }
            }
        }
    }
}

/// Appends `more` to the kept end of a line, keeping its last [`TAIL`] bytes.
fn keep_tail(tail: &mut [u8; TAIL], len: &mut u8, more: &[u8]) {
    if more.len() >= TAIL {
        tail.copy_from_slice(&more[more.len() - TAIL..]);
        *len = TAIL as u8;
        return;
    }
    let have = usize::from(*len);
    if have + more.len() <= TAIL {
        tail[have..have + more.len()].copy_from_slice(more);
        *len = (have + more.len()) as u8;
    } else {
        let drop = have + more.len() - TAIL;
        tail.copy_within(drop..have, 0);
        tail[have - drop..].copy_from_slice(more);
        *len = TAIL as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Skips `input` fed in pieces of `chunk` bytes; returns where the
    /// response ended.
    fn end(input: &[u8], chunk: usize) -> Result<Option<usize>, Error> {
        let mut s = Skipper::new(1000);
        let mut at = 0;
        while at < input.len() {
            let piece = &input[at..(at + chunk).min(input.len())];
            let (n, done) = s.skip(piece)?;
            at += n;
            if done {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }

    #[test]
    fn finds_the_end_across_literals_at_any_chunking() {
        let mut input = Vec::new();
        input.extend(core::iter::repeat_n(b'7', 5000));
        input.extend_from_slice(
            b" BODY[] {12}\r\nline\r\n{5}\r\nx) {3}\r\n\n\n\n ~{2+}\r\n\0\0 end\r\n",
        );
        let expected = input.len();
        input.extend_from_slice(b"* 1 EXISTS\r\n");
        for chunk in [1, 2, 3, 7, 31, 32, 33, 4096, 100_000] {
            assert_eq!(end(&input, chunk).unwrap(), Some(expected), "chunk {chunk}");
        }
    }

    #[test]
    fn tail_keeps_the_last_bytes() {
        let mut tail = [0u8; TAIL];
        let mut len = 0u8;
        for b in b"0123456789".chunks(3) {
            keep_tail(&mut tail, &mut len, b);
        }
        assert_eq!(&tail[..usize::from(len)], b"0123456789");
        let long: Vec<u8> = (0..100u8).collect();
        for piece in long.chunks(7) {
            keep_tail(&mut tail, &mut len, piece);
        }
        assert_eq!(&tail[..], &long[100 - TAIL..]);
    }

    #[test]
    fn literal_limits_and_bare_lf() {
        assert_eq!(
            end(b"x {1001}\r\n", 4),
            Err(Error::limit(LimitKind::LiteralSize, 1000u64))
        );
        assert_eq!(
            end(b"x {99999999999999999999999}\r\n", 4),
            Err(Error::limit(LimitKind::LiteralSize, 1000u64))
        );
        // a bare LF ends a line too; no LF, no end
        assert_eq!(end(b"abc\nmore", 2).unwrap(), Some(4));
        assert_eq!(end(b"abc {3}", 2).unwrap(), None);
    }
}
