//! Dot-stuffing (RFC 5321 §4.5.2, RFC 1939 §3) for SMTP DATA and POP3 multi-line
//! responses: a streaming, zero-copy, smuggling-proof decoder and an encoder.
//!
//! ```
//! use mailwire::wire::dot::{decode_all, BodyPolicy, DotEncoder};
//! use mailwire::Error;
//!
//! let mut wire = Vec::new();
//! let mut enc = DotEncoder::new(BodyPolicy::Strict);
//! enc.encode(b"Subject: x\r\n\r\n.leading dot\r\n", &mut wire)?;
//! enc.finish(&mut wire);
//! assert_eq!(wire, b"Subject: x\r\n\r\n..leading dot\r\n.\r\n");
//! let mut body = Vec::new();
//! assert_eq!(decode_all(&wire, BodyPolicy::Strict, &mut body)?, Some(wire.len()));
//! assert_eq!(body, b"Subject: x\r\n\r\n.leading dot\r\n");
//! // smuggling: "LF . LF" never ends a body; under Strict a bare LF is an error
//! assert!(matches!(decode_all(b"a\n.\nMAIL FROM:<x>\r\n.\r\n", BodyPolicy::Strict, &mut body), Err(Error::BareLineEnding(_))));
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! The sender doubles a `.` that starts a line and ends the body with
//! `CRLF . CRLF`. [`DotDecoder`] undoes this over input split anywhere (between
//! CR and LF, inside the terminator) and hands out the body as slices *borrowed
//! from the input*: one call returns the longest run that needs no change, so a
//! body without dot-led lines comes out as one slice per input chunk and is never
//! copied.
//!
//! **Smuggling.** Only `CRLF . CRLF` ends the body. `LF.LF`, `CR.CR`, `LF.CRLF`,
//! `CRLF.LF`, `CR.CRLF` and every other mix never end it: with the default
//! [`BodyPolicy::Strict`] a bare CR or LF is an error ([`Error::BareLineEnding`]);
//! with [`BodyPolicy::KeepBare`] it is kept as body content and does not start a
//! new line, so a dot after it is content too. Nothing is ever silently ended or
//! split.

use bytes::BufMut;

use crate::error::{BareLineEnding, Error};

/// What the decoder or encoder does with a CR or LF that is not part of a CRLF pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BodyPolicy {
    /// A bare CR or LF is an error. The default.
    #[default]
    Strict,
    /// A bare CR or LF is kept as content; it never starts a line, and never ends
    /// the body. (Decoder only; the encoder treats it like [`Strict`](Self::Strict).)
    KeepBare,
    /// Encoder only: a bare LF or bare CR is sent as CRLF (for bodies read from
    /// files with Unix line ends). The decoder treats it like [`Strict`](Self::Strict).
    Normalize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    LineStart,
    Mid,
    Done,
}

/// One step of [`DotDecoder::decode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Unstuffed body bytes, borrowed from the input (may be empty).
    pub data: &'a [u8],
    /// How many input bytes this step used; the caller drops them from its buffer
    /// and keeps the rest for the next call.
    pub consumed: usize,
    /// The terminating `CRLF . CRLF` was consumed; the body is complete.
    pub end: bool,
}

/// Streaming dot-unstuffing decoder; see the [module docs](self).
///
/// ```
/// use mailwire::wire::dot::{DotDecoder, BodyPolicy};
/// let mut dec = DotDecoder::new(BodyPolicy::Strict);
/// let mut input: &[u8] = b"Hi\r\n..dot\r\n.\r\nNEXT";
/// let mut body = Vec::new();
/// loop {
///     let step = dec.decode(input).unwrap();
///     body.extend_from_slice(step.data);
///     input = &input[step.consumed..];
///     if step.end || step.consumed == 0 { break; }
/// }
/// assert_eq!(body, b"Hi\r\n.dot\r\n");
/// assert_eq!(input, b"NEXT");
/// ```
#[derive(Clone, Debug)]
pub struct DotDecoder {
    state: State,
    policy: BodyPolicy,
    finder: memchr::memmem::Finder<'static>,
}

impl DotDecoder {
    /// A decoder positioned at the start of a body.
    pub fn new(policy: BodyPolicy) -> Self {
        DotDecoder {
            state: State::LineStart,
            policy,
            finder: memchr::memmem::Finder::new(b"\n."),
        }
    }

    /// Changes what a bare CR or LF does from here on (a server that found a
    /// bare LF under [`BodyPolicy::Strict`] switches to
    /// [`BodyPolicy::KeepBare`] to discard the rest of the body up to the real
    /// `CRLF . CRLF`, keeping the line-start state).
    pub fn set_policy(&mut self, policy: BodyPolicy) {
        self.policy = policy;
    }

    /// Whether the terminator has been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes the next run of `input`.
    ///
    /// Call again with the unconsumed rest while `consumed > 0` and `!end`. When a
    /// step consumes nothing, the decoder needs more input: at most 2 bytes are
    /// left unconsumed at a time (a CR, or a line-leading dot and a CR, whose
    /// meaning depends on the next byte).
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, Error> {
        let mut start = 0;
        match self.state {
            State::Done => {
                return Ok(Decoded {
                    data: &[],
                    consumed: 0,
                    end: true,
                });
            }
            State::LineStart => match input.first() {
                None => return Ok(step(&[], 0, false)),
                Some(b'.') => match input.get(1) {
                    None => return Ok(step(&[], 0, false)),
                    Some(b'\r') => match input.get(2) {
                        None => return Ok(step(&[], 0, false)),
                        Some(b'\n') => {
                            self.state = State::Done;
                            return Ok(step(&[], 3, true));
                        }
                        // ". CR x": the dot is stuffing; the CR is judged below.
                        Some(_) => start = 1,
                    },
                    Some(_) => start = 1,
                },
                Some(_) => {}
            },
            State::Mid => {}
        }
        self.state = State::Mid;
        let keep = self.policy == BodyPolicy::KeepBare;
        if input.get(start) == Some(&b'\n') {
            // An LF right at the start of a run follows a line end or a dot: bare.
            return scan_exact(self, input, start, start, keep);
        }
        if !keep {
            return self.decode_strict(input, start);
        }
        // KeepBare: where the next line that starts with a dot begins (a stuffed
        // line or the terminator), found with memchr's vectorised substring search.
        let mut from = start;
        let found = loop {
            match self.finder.find(&input[from..]) {
                None => break None,
                // After a bare LF a dot does not start a line.
                Some(k) if from + k == 0 || input[from + k - 1] != b'\r' => {
                    from += k + 1;
                }
                Some(k) => break Some(from + k + 1),
            }
        };
        let len = input.len();
        let (stop, line_start) = match found {
            Some(next) => (next, true),
            // Whether a final CR ends a line depends on the byte after it.
            None if input[start..].last() == Some(&b'\r') => (len - 1, false),
            None => (len, len >= start + 2 && input[len - 2..] == *b"\r\n"),
        };
        if line_start {
            self.state = State::LineStart;
        }
        Ok(step(&input[start..stop], stop, false))
    }

    /// [`BodyPolicy::Strict`] from `start` (not an LF): one block-wise pass finds
    /// the first byte that needs a decision (a bare CR or LF, or a line that
    /// starts with a dot); everything before it is a plain run.
    fn decode_strict<'a>(&mut self, input: &'a [u8], start: usize) -> Result<Decoded<'a>, Error> {
        let j = first_event(input, start + 1);
        // The common stop: "CR LF ." with everything before it clean.
        if input.get(j + 1) == Some(&b'.') && input[j] == b'\n' && input[j - 1] == b'\r' {
            self.state = State::LineStart;
            return Ok(step(&input[start..j + 1], j + 1, false));
        }
        // Anything else (a bare CR or LF, or the last two bytes of the input):
        // the exact scan from the byte before, everything before it being clean.
        scan_exact(self, input, start, j - 1, false)
    }
}

/// Whether position `j` (with a byte before and after it) needs a decision: an
/// LF not after a CR, a CR not before an LF (seen from the byte after it), or an
/// LF before a dot. The scalar form of [`events`].
#[inline]
fn is_event(input: &[u8], j: usize) -> bool {
    let lf = input[j] == b'\n';
    (lf != (input[j - 1] == b'\r')) | (lf & (input[j + 1] == b'.'))
}

/// [`is_event`] for `B` positions at once, position `k` being `c[k]` between
/// `p[k]` and `n[k]`: 0xFF where it holds, else 0 (the compare results as
/// they are, no shift to bit 0). Written over fixed-size arrays with no branch
/// so that the compiler turns it into SSE2 compares.
#[inline(always)]
fn events<const B: usize>(p: &[u8; B], c: &[u8; B], n: &[u8; B]) -> [u8; B] {
    let mut e = [0u8; B];
    for k in 0..B {
        let lf = u8::from(c[k] == b'\n').wrapping_neg();
        let cr = u8::from(p[k] == b'\r').wrapping_neg();
        let dot = u8::from(n[k] == b'.').wrapping_neg();
        e[k] = (lf ^ cr) | (lf & dot);
    }
    e
}

/// The size of the blocks [`first_event`] checks at once.
const BLOCK: usize = 64;

/// The first position `j >= from` with [`is_event`], or `input.len() - 1` (the
/// last byte has no byte after it) when there is none, or `from` when `from`
/// is already past that. Needs `from >= 1`.
///
/// Whole blocks of [`BLOCK`] positions are OR-reduced (about ten SSE2
/// instructions per 16 bytes); the first block with an event is turned into a
/// bit mask (eight bytes at a time, their low bits gathered into one byte by
/// a multiplication) so that its first event is found without a branch per byte.
fn first_event(input: &[u8], from: usize) -> usize {
    let end = input.len().saturating_sub(1);
    if from >= end {
        return from;
    }
    let p = &input[from - 1..end - 1];
    let c = &input[from..end];
    let n = &input[from + 1..=end];
    let mut j = from;
    let blocks = p
        .chunks_exact(BLOCK)
        .zip(c.chunks_exact(BLOCK))
        .zip(n.chunks_exact(BLOCK));
    for ((p, c), n) in blocks {
        let (Ok(p), Ok(c), Ok(n)) = (p.try_into(), c.try_into(), n.try_into()) else {
            break;
        };
        if events::<BLOCK>(p, c, n).iter().fold(0, |acc, &x| acc | x) != 0 {
            // Computed again, now for where: once per stop.
            return j + first_set(&events::<BLOCK>(p, c, n));
        }
        j += BLOCK;
    }
    while j < end && !is_event(input, j) {
        j += 1;
    }
    j
}

/// The index of the first nonzero byte of `e` (bytes of 0 or 0xFF), which has one.
#[inline]
fn first_set(e: &[u8; BLOCK]) -> usize {
    let mut mask = 0u64;
    for (i, w) in e.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        // Bit 0 of byte k lands on bit 56 + k: the partial products never
        // overlap, so there is no carry.
        let bits = ((u64::from_le_bytes(b) & 0x0101_0101_0101_0101)
            .wrapping_mul(0x0102_0408_1020_4080)
            >> 56) as u8;
        mask |= u64::from(bits) << (8 * i);
    }
    mask.trailing_zeros() as usize
}

/// The exact scan: every CR and LF from `from` on, stopping before a line that
/// starts with a dot, at a CR whose next byte has not arrived, or at the end.
fn scan_exact<'a>(
    dec: &mut DotDecoder,
    input: &'a [u8],
    start: usize,
    mut pos: usize,
    keep: bool,
) -> Result<Decoded<'a>, Error> {
    loop {
        let Some(i) = memchr::memchr2(b'\r', b'\n', &input[pos..]).map(|i| i + pos) else {
            return Ok(step(&input[start..], input.len(), false));
        };
        if input[i] == b'\r' {
            match input.get(i + 1) {
                // Whether this CR ends a line depends on the next byte.
                None => return Ok(step(&input[start..i], i, false)),
                Some(b'\n') => {}
                Some(_) if keep => {}
                Some(_) => return Err(Error::BareLineEnding(BareLineEnding::Cr)),
            }
            pos = i + 1;
            continue;
        }
        // An LF ends a line only after CR. A run never starts right after a CR
        // it did not pair, so looking back within `input` is enough.
        if i == 0 || input[i - 1] != b'\r' {
            if !keep {
                return Err(Error::BareLineEnding(BareLineEnding::Lf));
            }
            pos = i + 1;
            continue;
        }
        let next = i + 1;
        if input.get(next).is_none_or(|&b| b == b'.') {
            dec.state = State::LineStart;
            return Ok(step(&input[start..next], next, false));
        }
        pos = next;
    }
}

fn step(data: &[u8], consumed: usize, end: bool) -> Decoded<'_> {
    Decoded {
        data,
        consumed,
        end,
    }
}

/// Streaming dot-stuffing encoder: body chunks in, wire bytes out.
///
/// ```
/// use mailwire::wire::dot::{DotEncoder, BodyPolicy};
/// let mut enc = DotEncoder::new(BodyPolicy::Normalize);
/// let mut out = Vec::new();
/// enc.encode(b".hidden\nline", &mut out).unwrap();
/// enc.finish(&mut out);
/// assert_eq!(out, b"..hidden\r\nline\r\n.\r\n");
/// ```
#[derive(Clone, Debug)]
pub struct DotEncoder {
    at_line_start: bool,
    pending_cr: bool,
    normalize: bool,
}

impl DotEncoder {
    /// An encoder at the start of a body. Only [`BodyPolicy::Normalize`] changes
    /// behaviour: other policies reject bare CR and LF.
    pub fn new(policy: BodyPolicy) -> Self {
        DotEncoder {
            at_line_start: true,
            pending_cr: false,
            normalize: policy == BodyPolicy::Normalize,
        }
    }

    /// Encodes one chunk of the body. Chunks may split lines (and CRLF) anywhere.
    pub fn encode(&mut self, mut chunk: &[u8], out: &mut impl BufMut) -> Result<(), Error> {
        if self.pending_cr {
            match chunk.first() {
                None => return Ok(()),
                Some(b'\n') => {
                    out.put_slice(b"\r\n");
                    chunk = &chunk[1..];
                    self.at_line_start = true;
                }
                Some(_) => self.bare(out, BareLineEnding::Cr)?,
            }
            self.pending_cr = false;
        }
        while !chunk.is_empty() {
            if self.at_line_start && chunk[0] == b'.' {
                out.put_u8(b'.');
            }
            self.at_line_start = false;
            let Some(i) = memchr::memchr2(b'\r', b'\n', chunk) else {
                out.put_slice(chunk);
                return Ok(());
            };
            out.put_slice(&chunk[..i]);
            if chunk[i] == b'\n' {
                self.bare(out, BareLineEnding::Lf)?;
                chunk = &chunk[i + 1..];
                continue;
            }
            match chunk.get(i + 1) {
                None => {
                    self.pending_cr = true;
                    return Ok(());
                }
                Some(b'\n') => {
                    out.put_slice(b"\r\n");
                    self.at_line_start = true;
                    chunk = &chunk[i + 2..];
                }
                Some(_) => {
                    self.bare(out, BareLineEnding::Cr)?;
                    chunk = &chunk[i + 1..];
                }
            }
        }
        Ok(())
    }

    fn bare(&mut self, out: &mut impl BufMut, which: BareLineEnding) -> Result<(), Error> {
        if !self.normalize {
            return Err(Error::BareLineEnding(which));
        }
        out.put_slice(b"\r\n");
        self.at_line_start = true;
        Ok(())
    }

    /// Ends the body: completes a last line that lacks CRLF and writes `.CRLF`.
    pub fn finish(&mut self, out: &mut impl BufMut) {
        if self.pending_cr {
            // A CR at the very end: with Normalize it becomes a line end; without,
            // it is completed to CRLF rather than emitted bare.
            out.put_slice(b"\r\n");
            self.pending_cr = false;
            self.at_line_start = true;
        }
        if !self.at_line_start {
            out.put_slice(b"\r\n");
        }
        out.put_slice(b".\r\n");
        self.at_line_start = true;
    }
}

/// Decodes a whole dot-terminated body held in one buffer, appending the body to
/// `out`. Returns the bytes consumed (terminator included), or `None` when the
/// terminator has not arrived.
///
/// ```
/// use mailwire::wire::dot::{decode_all, BodyPolicy};
///
/// let mut body = Vec::new();
/// assert_eq!(decode_all(b"one\r\ntwo\r\n", BodyPolicy::Strict, &mut body)?, None); // no terminator yet
/// body.clear();
/// // KeepBare keeps a bare LF as content: the dot after it is content too
/// assert_eq!(decode_all(b"a\n.\nb\r\n.\r\n", BodyPolicy::KeepBare, &mut body)?, Some(10));
/// assert_eq!(body, b"a\n.\nb\r\n");
/// # Ok::<(), mailwire::Error>(())
/// ```
pub fn decode_all(
    input: &[u8],
    policy: BodyPolicy,
    out: &mut alloc::vec::Vec<u8>,
) -> Result<Option<usize>, Error> {
    let mut dec = DotDecoder::new(policy);
    let mut pos = 0;
    loop {
        let s = dec.decode(&input[pos..])?;
        out.extend_from_slice(s.data);
        pos += s.consumed;
        if s.end {
            return Ok(Some(pos));
        }
        if s.consumed == 0 {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Decodes `input` fed in pieces cut at `cuts`, keeping unconsumed bytes like a
    /// state machine's buffer would.
    fn decode_chunked(
        input: &[u8],
        cuts: &[usize],
        policy: BodyPolicy,
    ) -> (Result<Vec<u8>, Error>, bool, usize) {
        let mut dec = DotDecoder::new(policy);
        let mut body = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut total = 0;
        let mut bounds: Vec<usize> = cuts.to_vec();
        bounds.push(input.len());
        for &b in &bounds {
            buf.extend_from_slice(&input[fed..b]);
            fed = b;
            loop {
                let s = match dec.decode(&buf) {
                    Ok(s) => s,
                    Err(e) => return (Err(e), false, 0),
                };
                body.extend_from_slice(s.data);
                let (consumed, end) = (s.consumed, s.end);
                buf.drain(..consumed);
                total += consumed;
                if end {
                    return (Ok(body), true, total);
                }
                if consumed == 0 {
                    break;
                }
            }
        }
        (Ok(body), false, total)
    }

    fn one_shot(input: &[u8], policy: BodyPolicy) -> (Result<Vec<u8>, Error>, bool, usize) {
        decode_chunked(input, &[], policy)
    }

    #[test]
    fn basic_unstuffing() {
        let (b, end, n) = one_shot(b"a\r\n..b\r\n.c\r\n\r\n.\r\nRSET\r\n", BodyPolicy::Strict);
        assert_eq!(b.unwrap(), b"a\r\n.b\r\nc\r\n\r\n");
        assert!(end);
        assert_eq!(n, 17);
        let (b, end, n) = one_shot(b".\r\n", BodyPolicy::Strict);
        assert_eq!((b.unwrap(), end, n), (Vec::new(), true, 3));
        let (b, end, _) = one_shot(b"..\r\n.\r\n", BodyPolicy::Strict);
        assert_eq!((b.unwrap(), end), (b".\r\n".to_vec(), true));
    }

    #[test]
    fn unterminated_body_never_ends() {
        for input in [
            &b"abc\r\n."[..],
            b"abc\r\n.\r",
            b"abc\r\n",
            b"abc",
            b"\r\n.\r",
        ] {
            let (b, end, _) = one_shot(input, BodyPolicy::Strict);
            assert!(!end, "{:?}", input);
            assert!(b.is_ok());
        }
    }

    /// Every smuggling variant: none of them ends the data, under either policy.
    #[test]
    fn smuggling_variants_never_end_data() {
        let variants: &[&[u8]] = &[
            b"\n.\n",
            b"\r.\r",
            b"\n.\r\n",
            b"\r\n.\n",
            b"\r.\r\n",
            b"\r\n.\r",
            b"\n.\r",
            b"\r.\n",
            b"\r\n.\r\r\n",
            b"\r\r\n.\r\r\n",
            b"\n\r.\r\n",
            b"\r\n\n.\r\n",
        ];
        for v in variants {
            let mut input = b"Subject: x\r\n\r\nbody".to_vec();
            input.extend_from_slice(v);
            input.extend_from_slice(b"MAIL FROM:<evil@x>\r\n");
            // Strict: a typed error, never an end.
            let (b, end, _) = one_shot(&input, BodyPolicy::Strict);
            assert!(!end, "strict ended on {v:?}");
            assert!(
                matches!(b, Err(Error::BareLineEnding(_))),
                "strict accepted {v:?}"
            );
            // KeepBare: the bytes stay in the body, the body goes on.
            let (b, end, _) = one_shot(&input, BodyPolicy::KeepBare);
            assert!(!end, "keep ended on {v:?}");
            let b = b.unwrap();
            assert!(b.ends_with(b"MAIL FROM:<evil@x>\r\n"), "{v:?}: {b:?}");
            // ...and the real terminator still works after it.
            input.extend_from_slice(b".\r\n");
            let (b, end, n) = one_shot(&input, BodyPolicy::KeepBare);
            assert!(end, "{v:?}");
            assert_eq!(n, input.len());
            assert!(b.unwrap().ends_with(b"MAIL FROM:<evil@x>\r\n"));
        }
    }

    #[test]
    fn split_at_every_byte_position() {
        let inputs: &[&[u8]] = &[
            b"line one\r\n..two\r\n.three\r\n\r\n..\r\nlast\r\n.\r\nTRAILING",
            b".\r\n",
            b"...\r\n.\r\n",
            b"a\r\n.\r\r\n.\r\n",
            b"x\n.\ny\r.\rz\r\n.\r\n",
        ];
        for &input in inputs {
            for policy in [BodyPolicy::Strict, BodyPolicy::KeepBare] {
                let whole = one_shot(input, policy);
                for a in 0..=input.len() {
                    assert_eq!(decode_chunked(input, &[a], policy), whole, "cut {a}");
                    for b in a..=input.len() {
                        assert_eq!(
                            decode_chunked(input, &[a, b], policy),
                            whole,
                            "cuts {a},{b}"
                        );
                    }
                }
                // one byte at a time
                let cuts: Vec<usize> = (1..input.len()).collect();
                assert_eq!(decode_chunked(input, &cuts, policy), whole);
            }
        }
    }

    #[test]
    fn borrows_long_runs() {
        let mut body = Vec::new();
        for _ in 0..1000 {
            body.extend_from_slice(b"A line of ordinary text without dots at the start\r\n");
        }
        let mut dec = DotDecoder::new(BodyPolicy::Strict);
        let s = dec.decode(&body).unwrap();
        assert_eq!(s.data.len(), body.len());
        assert_eq!(s.data.as_ptr(), body.as_ptr());
    }

    #[test]
    fn encoder_round_trips() {
        let bodies: &[&[u8]] = &[
            b"",
            b"x",
            b".",
            b"..\r\n",
            b"a\r\n.\r\nb",
            b"a\r\n",
            b"\r\n",
            b".\r\n.\r\n..x\r\n",
        ];
        for &body in bodies {
            for cut in 0..=body.len() {
                let mut enc = DotEncoder::new(BodyPolicy::Strict);
                let mut wire = Vec::new();
                enc.encode(&body[..cut], &mut wire).unwrap();
                enc.encode(&body[cut..], &mut wire).unwrap();
                enc.finish(&mut wire);
                let mut out = Vec::new();
                let n = decode_all(&wire, BodyPolicy::Strict, &mut out).unwrap();
                assert_eq!(n, Some(wire.len()));
                let mut expect = body.to_vec();
                if !expect.is_empty() && !expect.ends_with(b"\r\n") {
                    expect.extend_from_slice(b"\r\n");
                }
                assert_eq!(out, expect, "{body:?} cut {cut}");
            }
        }
    }

    #[test]
    fn encoder_rejects_or_normalizes_bare_endings() {
        let mut out = Vec::new();
        assert_eq!(
            DotEncoder::new(BodyPolicy::Strict).encode(b"a\nb", &mut out),
            Err(Error::BareLineEnding(BareLineEnding::Lf))
        );
        assert_eq!(
            DotEncoder::new(BodyPolicy::Strict).encode(b"a\rb", &mut out),
            Err(Error::BareLineEnding(BareLineEnding::Cr))
        );
        let mut enc = DotEncoder::new(BodyPolicy::Normalize);
        let mut out = Vec::new();
        enc.encode(b"a\n.b\rc\r", &mut out).unwrap();
        enc.encode(b"\n.\n", &mut out).unwrap();
        enc.finish(&mut out);
        assert_eq!(out, b"a\r\n..b\r\nc\r\n..\r\n.\r\n");
    }

    /// The reference: RFC 5321 §4.5.2 read one byte at a time over the whole
    /// input ("if the first character is a period and there are other
    /// characters on the line, the first character is deleted"; the body ends
    /// at "<CRLF>.<CRLF>"), with a CR or LF outside a CRLF pair an error under
    /// Strict and plain content (starting no line) under KeepBare. Returns what
    /// [`decode_chunked`] returns: the body, whether it ended, the bytes used.
    fn reference(input: &[u8], policy: BodyPolicy) -> (Result<Vec<u8>, Error>, bool, usize) {
        let keep = policy == BodyPolicy::KeepBare;
        let mut body = Vec::new();
        let mut line_start = true;
        let mut i = 0;
        while i < input.len() {
            if line_start && input[i] == b'.' {
                match (input.get(i + 1), input.get(i + 2)) {
                    (Some(b'\r'), Some(b'\n')) => return (Ok(body), true, i + 3),
                    // the meaning of the dot waits for the next bytes
                    (None, _) | (Some(b'\r'), None) => return (Ok(body), false, i),
                    _ => i += 1, // stuffing
                }
            }
            line_start = false;
            match input[i] {
                b'\r' => match input.get(i + 1) {
                    None => return (Ok(body), false, i),
                    Some(b'\n') => {
                        body.extend_from_slice(b"\r\n");
                        line_start = true;
                        i += 2;
                        continue;
                    }
                    Some(_) if !keep => {
                        return (Err(Error::BareLineEnding(BareLineEnding::Cr)), false, 0);
                    }
                    Some(_) => body.push(b'\r'),
                },
                b'\n' if !keep => {
                    return (Err(Error::BareLineEnding(BareLineEnding::Lf)), false, 0);
                }
                b => body.push(b),
            }
            i += 1;
        }
        (Ok(body), false, i)
    }

    /// A small deterministic generator (xorshift), so the cases are the same on
    /// every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Checks one input against the reference: whole, split at `cuts`, and
    /// under both policies.
    fn check_against_reference(input: &[u8], cut_sets: &[Vec<usize>]) {
        for policy in [BodyPolicy::Strict, BodyPolicy::KeepBare] {
            let expect = reference(input, policy);
            assert_eq!(one_shot(input, policy), expect, "{policy:?} {input:?}");
            for cuts in cut_sets {
                assert_eq!(
                    decode_chunked(input, cuts, policy),
                    expect,
                    "{policy:?} cuts {cuts:?} {input:?}"
                );
            }
        }
    }

    /// A clean body whose line ends fall on every offset around the 16- and
    /// 64-byte blocks of the fast path, with dot-led lines among them.
    fn clean_body(lens: &[usize]) -> Vec<u8> {
        let mut body = Vec::new();
        for (n, &len) in lens.iter().enumerate() {
            if n % 3 == 2 {
                body.extend_from_slice(b"..");
            }
            body.extend((0..len).map(|k| b"Lorem ipsum. "[k % 13]));
            body.extend_from_slice(b"\r\n");
        }
        body
    }

    #[test]
    fn reference_agrees_with_the_rfc_examples() {
        // the reference itself, on hand-checked cases
        let r = reference(b"a\r\n..b\r\n.\r\nX", BodyPolicy::Strict);
        assert_eq!(r, (Ok(b"a\r\n.b\r\n".to_vec()), true, 11));
        let r = reference(b"a\n.\r\n.\r\n", BodyPolicy::KeepBare);
        assert_eq!(r, (Ok(b"a\n.\r\n".to_vec()), true, 8));
        let r = reference(b"a\r\n.\r", BodyPolicy::Strict);
        assert_eq!(r, (Ok(b"a\r\n".to_vec()), false, 3));
        let r = reference(b"a\rb", BodyPolicy::Strict);
        assert_eq!(
            r,
            (Err(Error::BareLineEnding(BareLineEnding::Cr)), false, 0)
        );
    }

    /// The block-wise fast path against the byte-by-byte reference: a bare CR
    /// or LF, a CRLF, a dot and a "CRLF ." put at every position of a body
    /// whose line ends sit on every block edge, each decoded whole, split at
    /// every offset and one byte at a time.
    #[test]
    fn fast_path_matches_bytewise_reference_at_every_position() {
        let lens: Vec<usize> = (0..40).map(|n| (n * 7) % 70).collect();
        let base = clean_body(&lens[..9]);
        let mutations: &[&[u8]] = &[b"\r", b"\n", b".", b"\r\n", b"\r\n.", b"\n.", b"\r\r"];
        for pos in 0..=base.len() {
            for m in mutations {
                for replace in [false, true] {
                    let mut input = base[..pos].to_vec();
                    input.extend_from_slice(m);
                    let rest = if replace {
                        (pos + m.len()).min(base.len())
                    } else {
                        pos
                    };
                    input.extend_from_slice(&base[rest..]);
                    input.extend_from_slice(b".\r\n");
                    let mut cut_sets: Vec<Vec<usize>> =
                        (0..=input.len()).step_by(13).map(|c| vec![c]).collect();
                    cut_sets.push(vec![pos.saturating_sub(1), pos + 1]);
                    if pos % 4 == 0 {
                        // one byte at a time
                        cut_sets.push((1..input.len()).collect());
                    }
                    check_against_reference(&input, &cut_sets);
                }
            }
        }
        // a longer body: the same, split at every offset around a few positions
        let base = clean_body(&lens);
        for pos in (0..base.len()).step_by(11) {
            for m in mutations {
                let mut input = base.clone();
                input.splice(pos..pos, m.iter().copied());
                input.extend_from_slice(b".\r\n");
                let cut_sets: Vec<Vec<usize>> = (pos.saturating_sub(40)
                    ..(pos + 40).min(input.len()))
                    .map(|c| vec![c])
                    .collect();
                check_against_reference(&input, &cut_sets);
            }
        }
    }

    /// Hostile input: random bytes from the alphabet that matters (CR, LF, dot
    /// and two letters) in bodies long enough to span several blocks, with
    /// random splits.
    #[test]
    fn fast_path_matches_bytewise_reference_on_random_input() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..3000 {
            let len = rng.below(400);
            // mostly clean text with some line ends; every fourth input dense
            let dense = round % 4 == 0;
            let mut input = Vec::with_capacity(len + 5);
            while input.len() < len {
                match rng.below(if dense { 6 } else { 60 }) {
                    0 => input.push(b'\r'),
                    1 => input.push(b'\n'),
                    2 => input.push(b'.'),
                    3 => input.extend_from_slice(b"\r\n."),
                    4 | 5 => input.extend_from_slice(b"\r\n"),
                    _ => input.push(b'a' + (rng.below(26) as u8)),
                }
            }
            if rng.below(2) == 0 {
                input.extend_from_slice(b"\r\n.\r\n");
            }
            let cuts: Vec<usize> = {
                let mut c: Vec<usize> = (0..rng.below(6))
                    .map(|_| rng.below(input.len() + 1))
                    .collect();
                c.sort_unstable();
                c
            };
            check_against_reference(&input, &[cuts]);
        }
        // long clean bodies with exactly one bad byte at a random place
        for _ in 0..300 {
            let lens: Vec<usize> = (0..30).map(|_| rng.below(150)).collect();
            let mut input = clean_body(&lens);
            let pos = rng.below(input.len());
            input[pos] = [b'\r', b'\n', b'.'][rng.below(3)];
            input.extend_from_slice(b"\r\n.\r\n");
            let cut = rng.below(input.len());
            check_against_reference(&input, &[vec![cut], vec![cut / 2, cut]]);
        }
    }
}
