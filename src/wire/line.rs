//! Finding CRLF-terminated lines (RFC 5321 §2.3.8, RFC 1939 §3, RFC 9051 §2.2).
//!
//! ```
//! use mailwire::wire::line::{find_line, LinePolicy};
//! use mailwire::error::LimitKind;
//!
//! let line = find_line(b"NOOP\r\nQUIT", 512, LimitKind::CommandLine, LinePolicy::STRICT)?.unwrap();
//! assert_eq!((line.len, line.consumed), (4, 6));
//! // a bare LF ends a line only under a lenient policy
//! assert!(find_line(b"NOOP\nQUIT", 512, LimitKind::CommandLine, LinePolicy::STRICT).is_err());
//! let line = find_line(b"NOOP\nQUIT", 512, LimitKind::CommandLine, LinePolicy::ACCEPT_BARE_LF)?.unwrap();
//! assert_eq!((line.len, line.consumed), (4, 5));
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! [`LineFinder`] scans a growing buffer once: bytes it has already looked at are
//! not scanned again when more input arrives, so feeding a line one byte at a time
//! costs O(n), and a peer that never sends CRLF costs at most the configured limit
//! before it gets [`Error::Limit`].
//!
//! What counts as a line ending is an explicit [`LinePolicy`]. The default,
//! [`LinePolicy::STRICT`], accepts only CRLF and rejects a bare CR or a bare LF
//! with [`Error::BareLineEnding`]; the lenient modes are named for what they accept.

use crate::error::{BareLineEnding, Error, LimitKind};

/// What to do with an LF that is not preceded by CR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareLf {
    /// A bare LF is an error.
    Reject,
    /// A bare LF ends the line, like CRLF.
    EndsLine,
}

/// What to do with a CR that is not followed by LF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareCr {
    /// A bare CR is an error.
    Reject,
    /// A bare CR is kept as part of the line's content.
    Keep,
}

/// The line-ending policy: which bytes end a line, and which are errors.
///
/// ```
/// use mailwire::wire::line::{find_line, LinePolicy};
/// use mailwire::error::LimitKind;
///
/// let find = |buf: &[u8], policy| find_line(buf, 100, LimitKind::ReplyLine, policy);
/// let buf = b"250 ok\rstill the same line\n";
/// assert!(find(buf, LinePolicy::STRICT).is_err()); // a bare CR or LF is an error
/// assert!(find(buf, LinePolicy::ACCEPT_BARE_LF).is_err()); // the bare CR still is
/// // what the client machines use: the bare LF ends the line, the bare CR stays in it
/// let line = find(buf, LinePolicy::ACCEPT_BARE_LF_KEEP_CR)?.unwrap();
/// assert_eq!(line.content(buf), b"250 ok\rstill the same line");
/// assert_eq!(LinePolicy::default(), LinePolicy::STRICT);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePolicy {
    /// What a bare LF does.
    pub bare_lf: BareLf,
    /// What a bare CR does.
    pub bare_cr: BareCr,
}

impl LinePolicy {
    /// Only CRLF ends a line; a bare CR or LF is an error. The default.
    pub const STRICT: LinePolicy = LinePolicy {
        bare_lf: BareLf::Reject,
        bare_cr: BareCr::Reject,
    };
    /// CRLF or a bare LF ends a line (what many servers accept from sloppy
    /// clients); a bare CR is still an error.
    pub const ACCEPT_BARE_LF: LinePolicy = LinePolicy {
        bare_lf: BareLf::EndsLine,
        bare_cr: BareCr::Reject,
    };
    /// CRLF or a bare LF ends a line and a bare CR is kept as content.
    pub const ACCEPT_BARE_LF_KEEP_CR: LinePolicy = LinePolicy {
        bare_lf: BareLf::EndsLine,
        bare_cr: BareCr::Keep,
    };
}

impl Default for LinePolicy {
    fn default() -> Self {
        Self::STRICT
    }
}

/// A complete line found at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Length of the line's content, without its terminator.
    pub len: usize,
    /// Bytes the line occupies, terminator included: where the next line starts.
    pub consumed: usize,
}

impl Line {
    /// The content of this line within the buffer it was found in.
    #[inline]
    pub fn content<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[..self.len]
    }
}

/// Finds lines in a buffer that grows between calls, scanning each byte once.
///
/// ```
/// use mailwire::wire::line::{LineFinder, LinePolicy};
/// use mailwire::{error::LimitKind, Error};
///
/// let mut finder = LineFinder::new(16, LimitKind::CommandLine, LinePolicy::STRICT);
/// let mut buf = b"RCPT TO:".to_vec();
/// assert_eq!(finder.find(&buf)?, None); // scanned once, kept in mind
/// buf.extend_from_slice(b"<b@c>\r\n");
/// let line = finder.find(&buf)?.unwrap();
/// assert_eq!(line.content(&buf), b"RCPT TO:<b@c>");
/// // a peer that never sends CRLF costs at most the limit
/// let mut finder = LineFinder::new(16, LimitKind::CommandLine, LinePolicy::STRICT);
/// assert!(matches!(finder.find(&[b'x'; 17]), Err(Error::Limit(_))));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LineFinder {
    limit: usize,
    kind: LimitKind,
    policy: LinePolicy,
    scanned: usize,
}

impl LineFinder {
    /// A finder for lines of at most `limit` bytes (terminator included); crossing
    /// it is reported as `kind`.
    pub fn new(limit: usize, kind: LimitKind, policy: LinePolicy) -> Self {
        LineFinder {
            limit,
            kind,
            policy,
            scanned: 0,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> LinePolicy {
        self.policy
    }

    /// Changes the length limit (for example after a protocol state change).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Looks for a complete line at the start of `buf`.
    ///
    /// `buf` must start where the previous line ended and may only have grown at
    /// its end since the last call that returned `Ok(None)`; bytes already scanned
    /// are not scanned again. Returns `Ok(None)` when more input is needed.
    #[inline(always)]
    pub fn find(&mut self, buf: &[u8]) -> Result<Option<Line>, Error> {
        let mut from = self.scanned.min(buf.len());
        loop {
            let Some(i) = find_cr_or_lf(&buf[from..]).map(|i| i + from) else {
                self.scanned = buf.len();
                return self.no_line_yet(buf.len());
            };
            if buf[i] == b'\n' {
                // An LF not preceded by CR: a CR before it would have been seen first.
                return match self.policy.bare_lf {
                    BareLf::Reject => Err(Error::BareLineEnding(BareLineEnding::Lf)),
                    BareLf::EndsLine => self.complete(i, i + 1),
                };
            }
            // A CR: it ends the line only when LF follows.
            match buf.get(i + 1) {
                None => {
                    self.scanned = i;
                    return self.no_line_yet(buf.len());
                }
                Some(b'\n') => return self.complete(i, i + 2),
                Some(_) => match self.policy.bare_cr {
                    BareCr::Reject => return Err(Error::BareLineEnding(BareLineEnding::Cr)),
                    BareCr::Keep => from = i + 1,
                },
            }
        }
    }

    fn no_line_yet(&self, buffered: usize) -> Result<Option<Line>, Error> {
        // The terminator is still to come, so the line will be longer than this.
        if buffered >= self.limit {
            Err(Error::limit(self.kind, self.limit))
        } else {
            Ok(None)
        }
    }

    #[inline]
    fn complete(&mut self, len: usize, consumed: usize) -> Result<Option<Line>, Error> {
        self.scanned = 0;
        if consumed > self.limit {
            return Err(Error::limit(self.kind, self.limit));
        }
        Ok(Some(Line { len, consumed }))
    }

    /// Forgets what was scanned (after the caller discarded its buffer).
    pub fn reset(&mut self) {
        self.scanned = 0;
    }
}

/// The first CR or LF in `hay`. Most lines are short: the first 64 bytes are
/// looked at eight at a time in a plain word (no call, no vector set-up), the
/// rest with `memchr2`.
#[inline]
fn find_cr_or_lf(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const CR: u64 = u64::from_le_bytes([b'\r'; 8]);
    const LF: u64 = u64::from_le_bytes([b'\n'; 8]);
    // A byte of `x` is zero: the lowest flagged byte is exact (later flags may
    // be borrows, but only the first one is used).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let head = hay.get(..64).unwrap_or(hay);
    let mut words = head.chunks_exact(8);
    for (n, w) in words.by_ref().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b);
        let m = zero(x ^ CR) | zero(x ^ LF);
        if m != 0 {
            return Some(n * 8 + (m.trailing_zeros() / 8) as usize);
        }
    }
    let done = head.len() - words.remainder().len();
    if let Some(i) = words
        .remainder()
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
    {
        return Some(done + i);
    }
    memchr::memchr2(b'\r', b'\n', &hay[head.len()..]).map(|i| i + head.len())
}

/// One-shot form of [`LineFinder::find`] for a buffer that is not kept between calls.
///
/// ```
/// use mailwire::wire::line::{find_line, LinePolicy};
/// use mailwire::error::LimitKind;
///
/// let buf = b"+OK\r\n";
/// let line = find_line(buf, 512, LimitKind::ReplyLine, LinePolicy::STRICT)?.expect("a whole line");
/// assert_eq!(line.content(buf), b"+OK");
/// assert_eq!(find_line(b"+OK", 512, LimitKind::ReplyLine, LinePolicy::STRICT)?, None);
/// # Ok::<(), mailwire::Error>(())
/// ```
pub fn find_line(
    buf: &[u8],
    limit: usize,
    kind: LimitKind,
    policy: LinePolicy,
) -> Result<Option<Line>, Error> {
    LineFinder::new(limit, kind, policy).find(buf)
}

/// Whether `s` can be placed inside a line on the wire: no CR, LF or NUL.
pub fn is_line_safe(s: &[u8]) -> bool {
    memchr::memchr3(b'\r', b'\n', 0, s).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_search_matches_memchr2() {
        // Every length around the word and head boundaries, the terminator at
        // every place, over fillers that trip naive word tricks.
        for filler in [b'a', 0x00, 0x0c, 0x0e, 0x8d, 0x8a, 0xff, 0x09, b'\r' + 1] {
            for len in 0..140usize {
                let mut v = alloc::vec![filler; len];
                assert_eq!(
                    find_cr_or_lf(&v),
                    memchr::memchr2(b'\r', b'\n', &v),
                    "{filler} {len}"
                );
                for at in 0..len {
                    for t in [b'\r', b'\n'] {
                        v[at] = t;
                        assert_eq!(find_cr_or_lf(&v), Some(at), "{filler} {len} {at}");
                        // a later terminator does not change the answer
                        if at + 3 < len {
                            v[at + 3] = b'\n';
                            assert_eq!(find_cr_or_lf(&v), Some(at));
                            v[at + 3] = filler;
                        }
                        v[at] = filler;
                    }
                }
            }
        }
    }

    fn find(buf: &[u8], policy: LinePolicy) -> Result<Option<Line>, Error> {
        find_line(buf, 64, LimitKind::CommandLine, policy)
    }

    #[test]
    fn crlf_lines() {
        let l = find(b"NOOP\r\nQUIT\r\n", LinePolicy::STRICT)
            .unwrap()
            .unwrap();
        assert_eq!((l.len, l.consumed), (4, 6));
        assert_eq!(l.content(b"NOOP\r\n"), b"NOOP");
        assert_eq!(
            find(b"\r\n", LinePolicy::STRICT).unwrap(),
            Some(Line {
                len: 0,
                consumed: 2
            })
        );
        assert_eq!(find(b"NOOP", LinePolicy::STRICT).unwrap(), None);
        assert_eq!(find(b"NOOP\r", LinePolicy::STRICT).unwrap(), None);
        assert_eq!(find(b"", LinePolicy::STRICT).unwrap(), None);
    }

    #[test]
    fn bare_endings_by_policy() {
        assert_eq!(
            find(b"NOOP\nX", LinePolicy::STRICT),
            Err(Error::BareLineEnding(BareLineEnding::Lf))
        );
        assert_eq!(
            find(b"NO\rOP\r\n", LinePolicy::STRICT),
            Err(Error::BareLineEnding(BareLineEnding::Cr))
        );
        assert_eq!(
            find(b"NOOP\nX", LinePolicy::ACCEPT_BARE_LF).unwrap(),
            Some(Line {
                len: 4,
                consumed: 5
            })
        );
        assert_eq!(
            find(b"NO\rOP\r\n", LinePolicy::ACCEPT_BARE_LF),
            Err(Error::BareLineEnding(BareLineEnding::Cr))
        );
        assert_eq!(
            find(b"NO\rOP\r\n", LinePolicy::ACCEPT_BARE_LF_KEEP_CR).unwrap(),
            Some(Line {
                len: 5,
                consumed: 7
            })
        );
        // CR CR LF: the first CR is bare
        assert_eq!(
            find(b"A\r\r\n", LinePolicy::ACCEPT_BARE_LF_KEEP_CR).unwrap(),
            Some(Line {
                len: 2,
                consumed: 4
            })
        );
    }

    #[test]
    fn limit_fails_early() {
        let mut f = LineFinder::new(8, LimitKind::CommandLine, LinePolicy::STRICT);
        assert_eq!(f.find(b"1234567").unwrap(), None);
        assert_eq!(
            f.find(b"12345678"),
            Err(Error::limit(LimitKind::CommandLine, 8usize))
        );
        let mut f = LineFinder::new(8, LimitKind::CommandLine, LinePolicy::STRICT);
        assert_eq!(
            f.find(b"123456\r\n").unwrap(),
            Some(Line {
                len: 6,
                consumed: 8
            })
        );
        assert_eq!(
            f.find(b"1234567\r\n"),
            Err(Error::limit(LimitKind::CommandLine, 8usize))
        );
        // a gigabyte without CRLF is refused after `limit` bytes
        let big = alloc::vec![b'a'; 1 << 20];
        let mut f = LineFinder::new(512, LimitKind::CommandLine, LinePolicy::STRICT);
        assert!(f.find(&big[..600]).is_err());
    }

    #[test]
    fn byte_at_a_time_matches_one_shot() {
        let input = b"EHLO x\r\nMAIL FROM:<a@b>\r\n\r\nQUIT\r\n";
        for policy in [LinePolicy::STRICT, LinePolicy::ACCEPT_BARE_LF_KEEP_CR] {
            let mut lines = alloc::vec::Vec::new();
            let mut start = 0;
            let mut f = LineFinder::new(64, LimitKind::CommandLine, policy);
            for end in 1..=input.len() {
                while let Some(l) = f.find(&input[start..end]).unwrap() {
                    lines.push(&input[start..start + l.len]);
                    start += l.consumed;
                }
            }
            assert_eq!(lines, [&b"EHLO x"[..], b"MAIL FROM:<a@b>", b"", b"QUIT"]);
        }
    }

    #[test]
    fn line_safety() {
        assert!(is_line_safe(b"hello world"));
        assert!(!is_line_safe(b"a\rb"));
        assert!(!is_line_safe(b"a\nb"));
        assert!(!is_line_safe(b"a\0b"));
    }
}
