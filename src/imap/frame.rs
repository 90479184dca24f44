//! Framing before grammar: where does the next IMAP message end?
//!
//! An IMAP command or response is a line, except that a line ending in a literal
//! announcement (`{n}` and the non-synchronizing `{n+}` of RFC 9051 §4.3 and
//! RFC 7888, or the `~{n}` literal8 of RFC 3516) continues after the `n`
//! literal bytes with more line.
//!
//! ```text
//! literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
//! literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466 (BINARY, RFC 3516)
//! ```
//!
//! A server framing the APPEND of RFC 3501 §6.3.11 (`A003 APPEND
//! saved-messages (\Seen) {310}`), its message arriving in two pieces:
//!
//! ```
//! use mailwire::imap::{Frame, Framer, LiteralMode};
//! use mailwire::{Limits, Needed, wire::line::LinePolicy};
//!
//! let mut framer = Framer::for_commands(&Limits::default(), LinePolicy::STRICT);
//! let line = b"A003 APPEND saved-messages (\\Seen) {310}\r\n";
//! let mut buf = line.to_vec();
//! assert_eq!(framer.find(&buf).unwrap(), Frame::Incomplete(Needed::Literal(310)));
//! let literal = framer.pending_literal().unwrap();
//! assert_eq!((literal.size, literal.mode, literal.binary), (310, LiteralMode::Sync, false));
//! // the server sends "+ Ready for literal data"; the message comes
//! buf.extend_from_slice(&[b'x'; 300]);
//! assert_eq!(framer.find(&buf).unwrap(), Frame::Incomplete(Needed::Bytes(10)));
//! buf.extend_from_slice(b"xxxxxxxxxx\r\nA004 NOOP\r\n");
//! // the command ends with the CRLF after the literal; the next one follows
//! assert_eq!(framer.find(&buf).unwrap(), Frame::Complete(line.len() + 310 + 2));
//! let rest = &buf[line.len() + 312..];
//! assert_eq!(framer.find(rest).unwrap(), Frame::Complete(11));
//! ```
//!
//! There is no `{n-}`: LITERAL- (RFC 7888 §4, and IMAP4rev2 which includes
//! it) only limits `{n+}` to 4096 bytes. A line ending in `{n-}` is therefore
//! no announcement; [`Framer::accept_minus_literals`] recognises it anyway, as
//! [`LiteralMode::NonSyncMinus`], for a server that must know that a broken
//! client meant a literal. [`Framer`] finds the end of one such message in a growing buffer without
//! understanding the grammar, scanning each byte once (it remembers where it
//! stopped, so any chunking costs O(n) in total), and never looks inside literal
//! data.
//!
//! What the state machines need from it:
//!
//! - [`Frame::Complete`]: the message occupies `buf[..n]`; hand it to
//!   [`parse_response`](crate::imap::parse_response) or
//!   [`parse_command`](crate::imap::parse_command).
//! - [`Frame::Incomplete`] with [`Needed::Literal`]: the line ended announcing a
//!   literal and none of its bytes are here yet. A server looks at
//!   [`Framer::pending_literal`] and decides whether to send `+` (or refuses the
//!   command and calls [`Framer::abandon`]).
//! - [`Frame::Literal`] (streaming mode, [`Framer::set_stream_threshold`]): a
//!   literal larger than the threshold was announced; the head of the message
//!   (up to and including the CRLF after `{n}`) is `buf[..head]` and the `n`
//!   literal bytes follow. The machine hands the literal out in chunks as it
//!   arrives, drops it, and calls [`Framer::resume`]; the framer then frames the
//!   rest of the message (which may announce further literals).
//!
//! Limits are typed errors: the non-literal bytes of one message are bounded by
//! the line limit (reported as the [`LimitKind`] given at construction), every
//! literal by the literal limit ([`LimitKind::LiteralSize`]), checked when it is
//! announced, before any of its bytes arrive.

use crate::Needed;
use crate::error::{Error, LimitKind};
use crate::limits::Limits;
use crate::wire::line::{LineFinder, LinePolicy};

/// How a literal was announced (RFC 9051 §4.3, RFC 7888).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteralMode {
    /// `{n}`: a client waits for the server's `+` before sending the data.
    Sync,
    /// `{n+}` (LITERAL+, or LITERAL- and IMAP4rev2 up to 4096 bytes): sent
    /// without waiting.
    NonSyncPlus,
    /// `{n-}`: not IMAP syntax (no RFC defines it), but what some clients sent
    /// under LITERAL-. Only [`literal_at_end_lenient`] and a framer with
    /// [`Framer::accept_minus_literals`] report it.
    NonSyncMinus,
}

/// A literal announced at the end of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// Number of data bytes that follow the line's CRLF.
    pub size: u64,
    /// Synchronizing or not.
    pub mode: LiteralMode,
    /// `~{n}`: literal8, which may contain NUL (RFC 3516).
    pub binary: bool,
}

/// The answer of [`Framer::find`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// `buf[..n]` is one complete message (or, after [`Framer::resume`], the
    /// complete rest of one).
    Complete(usize),
    /// More bytes are needed. [`Needed::Literal`] means the line announced a
    /// literal of that size and none of it has arrived.
    Incomplete(Needed),
    /// Streaming mode only: a literal above the threshold starts at `head`.
    Literal {
        /// Where the literal data starts (just after the announcing line's CRLF).
        head: usize,
        /// The announcement.
        literal: LiteralAnnouncement,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Scanning the line segment that starts at `seg_start`.
    Line,
    /// Waiting for literal data that ends at this frame offset.
    Literal { start: usize, end: usize },
    /// A streamed literal was reported; waiting for [`Framer::resume`].
    Streaming,
}

/// Finds IMAP message boundaries in a growing buffer; see the [module docs](self).
///
/// A client streaming a large literal ([`set_stream_threshold`](Self::set_stream_threshold)):
/// the `BODY[HEADER]` of RFC 3501 §8 (`* 12 FETCH (BODY[HEADER] {342}`),
/// with a threshold of 100 bytes, and a response line over its limit:
///
/// ```
/// use mailwire::imap::{Frame, Framer};
/// use mailwire::{Error, Limits, error::LimitKind, wire::line::LinePolicy};
///
/// let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
/// framer.set_stream_threshold(Some(100));
/// let head = b"* 12 FETCH (BODY[HEADER] {342}\r\n";
/// let Frame::Literal { head: at, literal } = framer.find(head).unwrap() else { panic!() };
/// assert_eq!((at, literal.size), (head.len(), 342));
/// // the caller passes the 342 bytes on as they arrive, then resumes
/// framer.resume().unwrap();
/// assert_eq!(framer.find(b")\r\na004 OK FETCH completed\r\n").unwrap(), Frame::Complete(3));
///
/// let mut framer = Framer::for_responses(&Limits::default().response_line(64), LinePolicy::STRICT);
/// let long = [b'x'; 100];
/// assert!(matches!(framer.find(&long), Err(Error::Limit(l)) if l.kind == LimitKind::ResponseLine));
/// ```
#[derive(Clone, Debug)]
pub struct Framer {
    lines: LineFinder,
    line_limit: usize,
    kind: LimitKind,
    literal_limit: u64,
    stream_over: Option<u64>,
    state: State,
    seg_start: usize,
    line_bytes: usize,
    pending: Option<LiteralAnnouncement>,
    continued: bool,
    minus: bool,
}

impl Framer {
    /// A framer for lines of at most `line_limit` non-literal bytes per message
    /// (reported as `kind`) and literals of at most `literal_limit` bytes.
    pub fn new(line_limit: usize, kind: LimitKind, literal_limit: u64, policy: LinePolicy) -> Self {
        Framer {
            lines: LineFinder::new(line_limit, kind, policy),
            line_limit,
            kind,
            literal_limit,
            stream_over: None,
            state: State::Line,
            seg_start: 0,
            line_bytes: 0,
            pending: None,
            continued: false,
            minus: false,
        }
    }

    /// A server's framer for commands: [`Limits::command_line`] and
    /// [`Limits::literal_size`].
    pub fn for_commands(limits: &Limits, policy: LinePolicy) -> Self {
        Self::new(
            limits.command_line,
            LimitKind::CommandLine,
            limits.literal_size,
            policy,
        )
    }

    /// A client's framer for responses: [`Limits::response_line`] and
    /// [`Limits::literal_size`].
    pub fn for_responses(limits: &Limits, policy: LinePolicy) -> Self {
        Self::new(
            limits.response_line,
            LimitKind::ResponseLine,
            limits.literal_size,
            policy,
        )
    }

    /// Literals larger than `threshold` are reported as [`Frame::Literal`]
    /// instead of being waited for; `None` (the default) waits for every literal.
    pub fn set_stream_threshold(&mut self, threshold: Option<u64>) {
        self.stream_over = threshold;
    }

    /// Whether a line ending in `{n-}` announces a literal of `n` bytes
    /// ([`LiteralMode::NonSyncMinus`]). Default `false`: RFC 9051 and RFC 7888
    /// have no such form, so the line is complete as it is (for a response,
    /// text that happens to end that way).
    pub fn accept_minus_literals(&mut self, accept: bool) {
        self.minus = accept;
    }

    /// The literal announced by the last complete line of the current message,
    /// while its data is awaited or streamed.
    pub fn pending_literal(&self) -> Option<LiteralAnnouncement> {
        self.pending
    }

    /// Whether the frame being found is the rest of a message after a streamed
    /// literal (set by [`resume`](Self::resume), cleared when a frame completes).
    pub fn is_continuation(&self) -> bool {
        self.continued
    }

    /// Looks for the end of the message that starts at `buf[0]`.
    ///
    /// `buf` must start where the previous frame ended and may only grow at its
    /// end between calls; bytes already scanned are not scanned again.
    #[inline]
    pub fn find(&mut self, buf: &[u8]) -> Result<Frame, Error> {
        if self.state == State::Line && self.seg_start == 0 && self.line_bytes == 0 {
            if let Some(n) = plain_line(buf, self.line_limit) {
                self.reset();
                return Ok(Frame::Complete(n));
            }
        }
        self.find_general(buf)
    }

    /// [`find`](Self::find) for every case: literals, partial lines, bare CR
    /// or LF, lines over the limit.
    fn find_general(&mut self, buf: &[u8]) -> Result<Frame, Error> {
        loop {
            match self.state {
                State::Streaming => {
                    return Err(Error::Misuse(
                        crate::error::ApiMisuse::StreamedLiteralNotResumed,
                    ));
                }
                State::Literal { start, end } => {
                    if buf.len() < end {
                        let needed = if buf.len() <= start {
                            Needed::Literal(self.pending.map_or(0, |l| l.size))
                        } else {
                            Needed::Bytes(end - buf.len())
                        };
                        return Ok(Frame::Incomplete(needed));
                    }
                    self.seg_start = end;
                    self.pending = None;
                    self.state = State::Line;
                }
                State::Line => {
                    let seg = buf.get(self.seg_start..).unwrap_or_default();
                    let budget = self.line_limit.saturating_sub(self.line_bytes);
                    self.lines.set_limit(budget);
                    let line = match self.lines.find(seg) {
                        Ok(Some(line)) => line,
                        Ok(None) => return Ok(Frame::Incomplete(Needed::Unknown)),
                        Err(Error::Limit(_)) => {
                            return Err(Error::limit(self.kind, self.line_limit));
                        }
                        Err(e) => return Err(e),
                    };
                    self.line_bytes += line.consumed;
                    let data_start = self.seg_start + line.consumed;
                    let Some(lit) = announcement(line.content(seg), self.minus)? else {
                        self.reset();
                        return Ok(Frame::Complete(data_start));
                    };
                    if lit.size > self.literal_limit {
                        return Err(Error::limit(LimitKind::LiteralSize, self.literal_limit));
                    }
                    self.pending = Some(lit);
                    if self.stream_over.is_some_and(|t| lit.size > t) {
                        self.state = State::Streaming;
                        return Ok(Frame::Literal {
                            head: data_start,
                            literal: lit,
                        });
                    }
                    let end = usize::try_from(lit.size)
                        .ok()
                        .and_then(|n| data_start.checked_add(n))
                        .ok_or(Error::limit(LimitKind::LiteralSize, self.literal_limit))?;
                    self.state = State::Literal {
                        start: data_start,
                        end,
                    };
                }
            }
        }
    }

    /// After [`Frame::Literal`]: the caller has consumed the head and all the
    /// literal's bytes, and the buffer now starts right after the literal.
    pub fn resume(&mut self) -> Result<(), Error> {
        if self.state != State::Streaming {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoStreamedLiteral));
        }
        self.state = State::Line;
        self.seg_start = 0;
        self.pending = None;
        self.continued = true;
        self.lines.reset();
        Ok(())
    }

    /// Gives up on the message being framed (a server that refused a
    /// synchronizing literal: the client will not send it). Returns how many
    /// bytes of the buffer belong to the abandoned message (drop them).
    pub fn abandon(&mut self) -> usize {
        let n = match self.state {
            State::Literal { start, .. } => start,
            _ => self.seg_start,
        };
        self.reset();
        n
    }

    /// Forgets all state (after the caller discarded its buffer).
    pub fn reset(&mut self) {
        self.state = State::Line;
        self.seg_start = 0;
        self.line_bytes = 0;
        self.pending = None;
        self.continued = false;
        self.lines.reset();
    }
}

/// The common message: one line at the start of `buf`, ended by CRLF within
/// `limit` bytes (CRLF included), whose first CR or LF is that CR, and that
/// does not end in `}` (so announces no literal). Returns its length with the
/// CRLF; `None` for anything else (the general path decides, and gives the
/// same answer for this case: `plain_line_agrees_with_the_general_path`).
#[inline]
fn plain_line(buf: &[u8], limit: usize) -> Option<usize> {
    let i = memchr::memchr2(b'\r', b'\n', buf)?;
    if i + 2 > limit || buf.get(i + 1) != Some(&b'\n') || buf[i] != b'\r' {
        return None;
    }
    if i > 0 && buf[i - 1] == b'}' {
        return None;
    }
    Some(i + 2)
}

/// The literal announcement that ends `line` (without its CRLF), if any.
///
/// ```text
/// literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
/// literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466 (BINARY, RFC 3516)
/// ```
///
/// `{n-}` is not an announcement (there is no such syntax); see
/// [`literal_at_end_lenient`]. A size beyond 64 bits is a
/// [`LimitKind::LiteralSize`] error.
///
/// ```
/// use mailwire::imap::frame::{literal_at_end, literal_at_end_lenient};
/// use mailwire::imap::LiteralMode;
///
/// let lit = literal_at_end(b"A003 APPEND saved-messages (\\Seen) {310}").unwrap().unwrap();
/// assert_eq!((lit.size, lit.mode, lit.binary), (310, LiteralMode::Sync, false));
/// let lit = literal_at_end(b"A1 APPEND INBOX ~{5+}").unwrap().unwrap();
/// assert_eq!((lit.size, lit.mode, lit.binary), (5, LiteralMode::NonSyncPlus, true));
/// assert_eq!(literal_at_end(b"A2 CREATE {4-}").unwrap(), None);
/// let lit = literal_at_end_lenient(b"A2 CREATE {4-}").unwrap().unwrap();
/// assert_eq!(lit.mode, LiteralMode::NonSyncMinus);
/// assert!(literal_at_end(b"a {99999999999999999999}").is_err());
/// ```
pub fn literal_at_end(line: &[u8]) -> Result<Option<LiteralAnnouncement>, Error> {
    announcement(line, false)
}

/// [`literal_at_end`], and also `{n-}` / `~{n-}` as
/// [`LiteralMode::NonSyncMinus`]: not IMAP, but what a client that misread
/// RFC 7888 sends. A server uses it to tell such a line from others (and
/// refuse it without reading the literal's bytes as commands).
pub fn literal_at_end_lenient(line: &[u8]) -> Result<Option<LiteralAnnouncement>, Error> {
    announcement(line, true)
}

fn announcement(line: &[u8], minus: bool) -> Result<Option<LiteralAnnouncement>, Error> {
    let Some(inner) = line.strip_suffix(b"}") else {
        return Ok(None);
    };
    let Some(open) = memchr::memrchr(b'{', inner) else {
        return Ok(None);
    };
    let mut digits = &inner[open + 1..];
    let mut mode = LiteralMode::Sync;
    if let Some(d) = digits.strip_suffix(b"+") {
        digits = d;
        mode = LiteralMode::NonSyncPlus;
    } else if let Some(d) = digits.strip_suffix(b"-").filter(|_| minus) {
        digits = d;
        mode = LiteralMode::NonSyncMinus;
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Ok(None);
    }
    let mut size: u64 = 0;
    for &d in digits {
        size = size
            .checked_mul(10)
            .and_then(|s| s.checked_add(u64::from(d - b'0')))
            .ok_or(Error::limit(LimitKind::LiteralSize, u64::MAX))?;
    }
    let binary = open > 0 && inner[open - 1] == b'~';
    Ok(Some(LiteralAnnouncement { size, mode, binary }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn framer() -> Framer {
        Framer::new(64, LimitKind::ReplyLine, 1000, LinePolicy::STRICT)
    }

    /// Frames `input` fed in the given chunks; returns the frames.
    fn frames(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut f = framer();
        let mut out = Vec::new();
        let mut start = 0;
        let mut ends: Vec<usize> = cuts.to_vec();
        ends.push(input.len());
        for end in ends {
            loop {
                match f.find(&input[start..end]).unwrap() {
                    Frame::Complete(n) => {
                        out.push(input[start..start + n].to_vec());
                        start += n;
                    }
                    Frame::Incomplete(_) => break,
                    Frame::Literal { .. } => unreachable!(),
                }
            }
        }
        out
    }

    const STREAM: &[u8] = b"* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n* 2 EXISTS\r\nA1 APPEND x ~{3+}\r\n\0\0\0 {0}\r\n\r\nA2 OK done\r\n";

    /// The one-line shortcut of `find` answers as the general path does:
    /// same frame or error, same state after, for lines and their one-byte
    /// changes (CR, LF, braces, `+`, `~`, digits), every cut, three line
    /// policies, limits around the line's length, and a framer that already
    /// scanned part of the line.
    #[test]
    fn plain_line_agrees_with_the_general_path() {
        let lines: &[&[u8]] = &[
            b"a1 UID FETCH 1:* (FLAGS)\r\n",
            b"a2 APPEND x {3}\r\nabc\r\n",
            b"a3 NOOP\r\nb1 NOOP\r\n",
            b"\r\n",
            b"}\r\n",
            b"x ~{2+}\r\nab\r\n",
        ];
        let noise = [b'\r', b'\n', b'}', b'{', b'+', b'-', b'~', b'7', b'x'];
        let policies = [
            LinePolicy::STRICT,
            LinePolicy::ACCEPT_BARE_LF,
            LinePolicy::ACCEPT_BARE_LF_KEEP_CR,
        ];
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for line in lines {
            inputs.push(line.to_vec());
            for i in 0..line.len() {
                for &b in &noise {
                    let mut v = line.to_vec();
                    v[i] = b;
                    inputs.push(v);
                }
            }
        }
        let mut checked = 0;
        for input in &inputs {
            for policy in policies {
                for limit in [1, 2, 3, 8, 12, 20, 24, 26, 27, 64] {
                    for cut in 0..=input.len() {
                        for first in [None, Some(cut / 2)] {
                            let mut a = Framer::new(limit, LimitKind::CommandLine, 100, policy);
                            a.accept_minus_literals(limit % 2 == 0);
                            let mut b = a.clone();
                            if let Some(p) = first {
                                let ra = a.find(&input[..p]);
                                let rb = b.find_general(&input[..p]);
                                assert_eq!(ra, rb, "{input:?} {limit} {p}");
                                if ra.is_err() {
                                    continue;
                                }
                            }
                            let ra = a.find(&input[..cut]);
                            let rb = b.find_general(&input[..cut]);
                            assert_eq!(ra, rb, "{input:?} {policy:?} {limit} {cut}");
                            assert_eq!(alloc::format!("{a:?}"), alloc::format!("{b:?}"));
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
        // and the shortcut is taken where it should be
        assert_eq!(plain_line(b"a NOOP\r\nb", 64), Some(8));
        assert_eq!(plain_line(b"a X {1}\r\nb", 64), None);
        assert_eq!(plain_line(b"a NOOP\r\n", 7), None);
    }

    #[test]
    fn frames_lines_and_literals() {
        let got = frames(STREAM, &[]);
        assert_eq!(
            got,
            [
                &b"* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n"[..],
                b"* 2 EXISTS\r\n",
                b"A1 APPEND x ~{3+}\r\n\0\0\0 {0}\r\n\r\n",
                b"A2 OK done\r\n",
            ]
        );
    }

    #[test]
    fn split_at_every_byte_and_byte_at_a_time() {
        let whole = frames(STREAM, &[]);
        for cut in 0..=STREAM.len() {
            assert_eq!(frames(STREAM, &[cut]), whole, "cut at {cut}");
        }
        let all: Vec<usize> = (1..STREAM.len()).collect();
        assert_eq!(frames(STREAM, &all), whole);
    }

    #[test]
    fn needed_literal_then_bytes() {
        let mut f = framer();
        let buf = b"A1 LOGIN {4}\r\n";
        assert_eq!(f.find(buf).unwrap(), Frame::Incomplete(Needed::Literal(4)));
        assert_eq!(
            f.pending_literal(),
            Some(LiteralAnnouncement {
                size: 4,
                mode: LiteralMode::Sync,
                binary: false
            })
        );
        assert_eq!(
            f.find(b"A1 LOGIN {4}\r\nus").unwrap(),
            Frame::Incomplete(Needed::Bytes(2))
        );
        assert_eq!(
            f.find(b"A1 LOGIN {4}\r\nuser pw").unwrap(),
            Frame::Incomplete(Needed::Unknown)
        );
        assert_eq!(
            f.find(b"A1 LOGIN {4}\r\nuser pw\r\n").unwrap(),
            Frame::Complete(23)
        );
        assert_eq!(f.pending_literal(), None);
    }

    #[test]
    fn abandon_refused_literal() {
        let mut f = framer();
        assert_eq!(
            f.find(b"A1 APPEND x {900}\r\n").unwrap(),
            Frame::Incomplete(Needed::Literal(900))
        );
        assert_eq!(f.abandon(), 19);
        assert_eq!(f.find(b"A2 NOOP\r\n").unwrap(), Frame::Complete(9));
    }

    #[test]
    fn literal_limits() {
        let mut f = framer();
        // 4 GiB announced: refused before any data arrives
        assert_eq!(
            f.find(b"* 1 FETCH (BODY[] {4294967296}\r\n"),
            Err(Error::limit(LimitKind::LiteralSize, 1000u64))
        );
        let mut f = framer();
        assert_eq!(
            f.find(b"x {99999999999999999999999}\r\n"),
            Err(Error::limit(LimitKind::LiteralSize, u64::MAX))
        );
        // exactly at the limit is fine
        let mut f = framer();
        assert_eq!(
            f.find(b"x {1000}\r\n").unwrap(),
            Frame::Incomplete(Needed::Literal(1000))
        );
    }

    #[test]
    fn line_limit_counts_all_segments() {
        let mut f = framer();
        let mut buf = Vec::new();
        for _ in 0..8 {
            buf.extend_from_slice(b"0123456789 {1}\r\nx");
        }
        assert_eq!(
            f.find(&buf),
            Err(Error::limit(LimitKind::ReplyLine, 64usize))
        );
        let mut f = framer();
        assert_eq!(
            f.find(&[b'a'; 100]),
            Err(Error::limit(LimitKind::ReplyLine, 64usize))
        );
    }

    #[test]
    fn bare_lf_by_policy() {
        let mut f = Framer::new(64, LimitKind::ReplyLine, 10, LinePolicy::ACCEPT_BARE_LF);
        assert_eq!(f.find(b"* OK hi\n* 1").unwrap(), Frame::Complete(8));
        let mut f = framer();
        assert!(matches!(
            f.find(b"* OK hi\n"),
            Err(Error::BareLineEnding(_))
        ));
    }

    #[test]
    fn streaming_mode() {
        let mut f = framer();
        f.set_stream_threshold(Some(3));
        let input = b"* 1 FETCH (UID 2 BODY[] {10}\r\n0123456789 BODY[1] {2}\r\nab)\r\n";
        let Frame::Literal { head, literal } = f.find(input).unwrap() else {
            panic!()
        };
        assert_eq!(head, 30);
        assert_eq!(literal.size, 10);
        assert_eq!(
            f.find(input),
            Err(Error::Misuse(
                crate::error::ApiMisuse::StreamedLiteralNotResumed
            ))
        );
        f.resume().unwrap();
        assert!(f.is_continuation());
        // the small literal is waited for, not streamed
        let rest = &input[40..];
        assert_eq!(f.find(rest).unwrap(), Frame::Complete(rest.len()));
        assert!(!f.is_continuation());
        assert_eq!(
            f.resume(),
            Err(Error::Misuse(crate::error::ApiMisuse::NoStreamedLiteral))
        );
    }

    /// Every announcement form against the grammar:
    ///
    /// ```text
    /// literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
    /// literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466
    /// number64 = 1*DIGIT                                 ; RFC 9051 §9
    /// ```
    ///
    /// and RFC 9051 §4.3: "The non-synchronizing literal is distinguished
    /// from the synchronizing literal by the presence of "+" before the
    /// closing "}"." No rule has a "-" there.
    #[test]
    fn announcement_forms() {
        use LiteralMode::{NonSyncMinus as Minus, NonSyncPlus as Plus, Sync};
        type Row = (&'static [u8], Option<(u64, LiteralMode, bool)>);
        let table: &[Row] = &[
            (b"x {12}", Some((12, Sync, false))),
            (b"x {12+}", Some((12, Plus, false))),
            (b"x {0}", Some((0, Sync, false))),
            (b"x {007}", Some((7, Sync, false))),
            (b"x ~{0}", Some((0, Sync, true))),
            (b"x ~{5+}", Some((5, Plus, true))),
            (b"{3}", Some((3, Sync, false))),
            // not the grammar: the line simply ends with these bytes
            (b"x {12-}", None),
            (b"x ~{12-}", None),
            (b"x {}", None),
            (b"x {1a}", None),
            (b"x {+}", None),
            (b"x {-}", None),
            (b"x {12++}", None),
            (b"x {+12}", None),
            (b"x {-12}", None),
            (b"x { 12}", None),
            (b"x {12 }", None),
            (b"x 12}", None),
            (b"}", None),
        ];
        for (line, want) in table {
            let got = literal_at_end(line)
                .unwrap()
                .map(|l| (l.size, l.mode, l.binary));
            assert_eq!(
                got,
                *want,
                "{:?}",
                alloc::string::String::from_utf8_lossy(line)
            );
        }
        // the lenient reading, for a server that refuses `{n-}` knowingly
        let lenient = |s: &[u8]| literal_at_end_lenient(s).unwrap().map(|l| (l.size, l.mode));
        assert_eq!(lenient(b"x {12-}"), Some((12, Minus)));
        assert_eq!(lenient(b"x ~{12-}"), Some((12, Minus)));
        assert_eq!(lenient(b"x {12+}"), Some((12, Plus)));
        assert_eq!(lenient(b"x {-}"), None);
        assert_eq!(lenient(b"x {12+-}"), None);
    }

    /// A framer reads `{n-}` as the end of a line (RFC 9051 has no such
    /// literal), unless told to accept it.
    #[test]
    fn minus_is_no_announcement_unless_accepted() {
        let input = b"a1 LOGIN u {3-}\r\npwd\r\n";
        let mut f = framer();
        assert_eq!(f.find(input).unwrap(), Frame::Complete(17));
        let mut f = framer();
        f.accept_minus_literals(true);
        assert_eq!(f.find(input).unwrap(), Frame::Complete(input.len()));
        let mut f = framer();
        f.accept_minus_literals(true);
        assert_eq!(
            f.find(&input[..17]).unwrap(),
            Frame::Incomplete(Needed::Literal(3))
        );
        assert_eq!(
            f.pending_literal().map(|l| l.mode),
            Some(LiteralMode::NonSyncMinus)
        );
        // a response whose text ends in "{5-}" is one line
        let mut f = framer();
        assert_eq!(
            f.find(b"* OK see {5-}\r\n* 1 EXISTS\r\n").unwrap(),
            Frame::Complete(15)
        );
    }

    #[test]
    fn incomplete_never_yields_a_frame_early() {
        for cut in 0..STREAM.len() {
            let mut f = framer();
            let first = frames(STREAM, &[])[0].len();
            match f.find(&STREAM[..cut]).unwrap() {
                Frame::Complete(n) => assert!(cut >= first && n == first),
                Frame::Incomplete(_) => assert!(cut < first),
                Frame::Literal { .. } => unreachable!(),
            }
        }
    }
}
