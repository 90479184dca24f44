//! The input of the IMAP grammar's nom parsers: [`In`], the rest of one
//! complete frame plus the parse state a rule needs (quirks, depth budget,
//! validate-only and trusted modes, UTF8=ACCEPT), and [`PError`], their error.
//!
//! Every rule of the grammar is a nom 8 parser `fn(In<'a>) -> R<'a, T>`. `In`
//! implements nom's [`Input`](nom::Input), [`Compare`](nom::Compare) and
//! [`Offset`](nom::Offset), so nom's own byte parsers (`tag`, `tag_no_case`,
//! `take_while1`, `take`) and combinators (`alt`, `opt`, `preceded`,
//! `delimited`, `recognize`, `cut`, ...) run on it directly, and the state
//! travels with the input through all of them. The state is eight bytes, so
//! an `In` is as cheap to copy as a slice and a small integer.
//!
//! Errors carry the number of bytes left when the rule failed (so a rule never
//! needs to know where its frame started) and what was expected; the public
//! entry points turn them into [`ParseError`](crate::error::ParseError)s with
//! an offset into the frame. `alt` keeps the error that got furthest. Running
//! out of the depth budget is a [`Failure`](nom::Err::Failure), which no `alt`
//! backtracks over.

use core::iter::{Copied, Enumerate};
use core::slice::Iter;

use nom::error::{ErrorKind, ParseError as NomParseError};
use nom::{Compare, CompareResult, IResult, Needed, Offset};

use super::options::{ParseOptions, Quirks};
use crate::error::{LimitKind, ParseError};

/// Characters classes of RFC 9051 §9.
pub(crate) mod class {
    /// ATOM-CHAR
    pub(crate) const ATOM: u8 = 1;
    /// ASTRING-CHAR = ATOM-CHAR / resp-specials
    pub(crate) const ASTRING: u8 = 2;
    /// tag character: ASTRING-CHAR except "+"
    pub(crate) const TAG: u8 = 4;
    /// list-char = ATOM-CHAR / list-wildcards / resp-specials
    pub(crate) const LIST: u8 = 8;

    const fn build() -> [u8; 256] {
        let mut t = [0u8; 256];
        let mut i = 0x21;
        while i < 0x7f {
            let c = i as u8;
            let special = matches!(c, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']');
            if !special {
                t[i] |= ATOM | ASTRING | LIST;
                if c != b'+' {
                    t[i] |= TAG;
                }
            }
            if c == b']' {
                t[i] |= ASTRING | TAG | LIST;
            }
            if c == b'%' || c == b'*' {
                t[i] |= LIST;
            }
            i += 1;
        }
        t
    }

    pub(crate) static TABLE: [u8; 256] = build();

    #[inline]
    pub(crate) fn is(b: u8, class: u8) -> bool {
        TABLE[b as usize] & class != 0
    }

    /// The length of the run of `class` characters that starts `s`.
    #[inline(always)]
    pub(crate) fn run(s: &[u8], class: u8) -> usize {
        s.iter().position(|&b| !is(b, class)).unwrap_or(s.len())
    }
}

/// Parsing context a lazily parsed value keeps to parse itself again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ctx {
    /// [`Quirks`] packed into bits (keeps every [`List`](crate::imap::List) small).
    pub(crate) quirks: u16,
    pub(crate) depth: u16,
}

/// The bit of a packed [`Quirks`] that carries UTF8=ACCEPT.
pub(crate) const UTF8_BIT: u16 = 15;

/// Parse state carried by every [`In`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct St {
    /// [`Quirks`] packed into bits, with [`UTF8_BIT`] for UTF8=ACCEPT.
    pub(crate) q: u16,
    /// Nesting levels left.
    pub(crate) depth: u16,
    /// The budget at the start (for the error).
    pub(crate) max_depth: u16,
    /// Validating only: values are dropped, so quoted strings with escapes
    /// need not be unescaped (no allocation).
    pub(crate) discard: bool,
    /// Parsing bytes validated before (a [`List`](crate::imap::List) being
    /// iterated): nested lists are skipped structurally, strings are not
    /// checked again.
    pub(crate) trusted: bool,
    /// The items of a FETCH response stay wire bytes, parsed again when
    /// iterated (no allocation), instead of being kept as they are parsed.
    pub(crate) lazy: bool,
}

/// The input of every rule: the rest of the frame and the parse state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct In<'a> {
    /// The bytes not parsed yet (up to the end of the frame).
    pub(crate) rest: &'a [u8],
    /// Quirks, depth budget and modes.
    pub(crate) st: St,
}

/// [`Quirks::pack`] by a multiplication per eight quirks instead of a
/// shift and an OR per quirk (every parse starts by packing its options).
#[inline]
fn pack_quirks(q: &Quirks) -> u16 {
    /// Moves the low bit of byte `k` of a word to bit `56 + k` (the shifts
    /// `56 - 7j` put no other pair of a byte and a shift on bits 56 to 63,
    /// and no two pairs on the same bit, so nothing carries into them).
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let gather = |bytes: [bool; 8]| -> u16 {
        let x = u64::from_le_bytes(bytes.map(u8::from));
        (x.wrapping_mul(GATHER) >> 56) as u16
    };
    let low = gather([
        q.missing_text,
        q.trailing_space,
        q.nil_body_encoding,
        q.address_spaces,
        q.numbers_out_of_range,
        q.empty_continuation,
        q.bare_lf,
        q.nil_param_value,
    ]);
    let high = gather([
        q.flag_list_space,
        q.wildcard_in_flags,
        q.empty_status,
        q.unknown_items,
        q.lone_backslash,
        q.raw_response_code,
        q.lone_backslash_attribute,
        false,
    ]);
    low | high << 8
}

/// Result of one rule.
pub(crate) type R<'a, T> = IResult<In<'a>, T, PError>;

/// Why a rule failed: a syntax error, or the depth budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PError {
    /// Bytes left in the frame where it failed, and what was expected; the
    /// excerpt is taken when the error leaves the grammar (keeps every rule's
    /// result small).
    Syntax(usize, &'static str),
    /// The nesting budget it ran out of.
    Depth(usize),
}

impl PError {
    /// The crate error for a rule run on `input`, the whole frame.
    pub(crate) fn into_error(self, input: &[u8]) -> crate::Error {
        match self {
            PError::Syntax(left, expected) => crate::Error::Parse(ParseError::new(
                input,
                input.len().saturating_sub(left),
                expected,
            )),
            PError::Depth(max) => crate::Error::limit(LimitKind::NestingDepth, max),
        }
    }
}

impl<'a> NomParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, _: ErrorKind) -> Self {
        PError::Syntax(input.rest.len(), "valid syntax")
    }
    fn append(_: In<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }
    /// The alternative that got further wins; a depth error always does.
    fn or(self, other: Self) -> Self {
        match (self, other) {
            (PError::Depth(_), _) => self,
            (_, PError::Depth(_)) => other,
            (PError::Syntax(a, _), PError::Syntax(b, _)) if a < b => self,
            _ => other,
        }
    }
}

impl<'a> In<'a> {
    /// The start of a frame, parsed with `q` (and UTF8=ACCEPT when `utf8`)
    /// and a nesting budget of `depth`, clamped to
    /// [`ParseOptions::MAX_NESTING_DEPTH`](ParseOptions::MAX_NESTING_DEPTH)
    /// (every parse starts here, so no setting can make a recursive rule
    /// overflow the stack).
    pub(crate) fn new(input: &'a [u8], q: Quirks, depth: usize, utf8: bool) -> Self {
        let depth = clamp_depth(depth);
        In {
            rest: input,
            st: St {
                q: q.pack() | (u16::from(utf8) << UTF8_BIT),
                depth,
                max_depth: depth,
                discard: false,
                trusted: false,
                lazy: false,
            },
        }
    }

    /// The start of a frame parsed with `opts`.
    pub(crate) fn with(input: &'a [u8], opts: &ParseOptions) -> Self {
        let depth = clamp_depth(opts.nesting_depth);
        In {
            rest: input,
            st: St {
                q: pack_quirks(&opts.quirks) | (u16::from(opts.utf8) << UTF8_BIT),
                depth,
                max_depth: depth,
                discard: false,
                trusted: false,
                lazy: false,
            },
        }
    }

    /// Bytes validated before, parsed again in trusted mode with the state a
    /// lazy value kept.
    pub(crate) fn trusted(input: &'a [u8], ctx: Ctx) -> Self {
        In {
            rest: input,
            st: St {
                q: ctx.quirks,
                depth: ctx.depth,
                max_depth: ctx.depth,
                discard: false,
                trusted: true,
                lazy: false,
            },
        }
    }

    /// The state a lazy value keeps to parse itself again.
    #[inline]
    pub(crate) fn ctx(&self) -> Ctx {
        Ctx {
            quirks: self.st.q,
            depth: self.st.depth,
        }
    }

    /// The accepted deviations.
    #[inline(always)]
    pub(crate) fn q(&self) -> Quirks {
        Quirks::unpack(self.st.q)
    }

    /// UTF8=ACCEPT is enabled.
    #[inline]
    pub(crate) fn utf8(&self) -> bool {
        self.st.q & (1 << UTF8_BIT) != 0
    }

    /// The next byte.
    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The byte `n` places ahead.
    #[inline]
    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.rest.get(n).copied()
    }

    /// Whether the frame is used up.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The input after the first `n` bytes (`n` at most the length).
    #[inline(always)]
    pub(crate) fn skip(self, n: usize) -> Self {
        In {
            rest: &self.rest[n..],
            st: self.st,
        }
    }

    /// Splits off the first `n` bytes: `(rest, taken)`.
    #[inline(always)]
    pub(crate) fn split(self, n: usize) -> (Self, &'a [u8]) {
        let (a, b) = self.rest.split_at(n);
        (
            In {
                rest: b,
                st: self.st,
            },
            a,
        )
    }

    /// The bytes between `self` and a later input `end`.
    #[inline]
    pub(crate) fn upto(&self, end: &In<'a>) -> &'a [u8] {
        &self.rest[..self.rest.len() - end.rest.len()]
    }

    /// The input after any spaces.
    #[inline]
    pub(crate) fn skip_spaces(self) -> Self {
        let n = self.rest.iter().take_while(|&&b| b == b' ').count();
        self.skip(n)
    }

    /// The end of the frame.
    pub(crate) fn to_end(self) -> Self {
        self.skip(self.rest.len())
    }

    /// A syntax error here.
    #[cold]
    pub(crate) fn err<T>(&self, expected: &'static str) -> R<'a, T> {
        Err(nom::Err::Error(PError::Syntax(self.rest.len(), expected)))
    }

    /// A syntax error here that no alternative may recover from (the rule
    /// committed to its branch, like nom's `cut`).
    #[cold]
    pub(crate) fn fail<T>(&self, expected: &'static str) -> R<'a, T> {
        Err(nom::Err::Failure(PError::Syntax(self.rest.len(), expected)))
    }
}

// ---------------------------------------------------------------------------
// nom's input traits
// ---------------------------------------------------------------------------

impl<'a> nom::Input for In<'a> {
    type Item = u8;
    type Iter = Copied<Iter<'a, u8>>;
    type IterIndices = Enumerate<Self::Iter>;

    #[inline(always)]
    fn input_len(&self) -> usize {
        self.rest.len()
    }
    #[inline(always)]
    fn take(&self, index: usize) -> Self {
        In {
            rest: &self.rest[..index],
            st: self.st,
        }
    }
    #[inline(always)]
    fn take_from(&self, index: usize) -> Self {
        self.skip(index)
    }
    #[inline(always)]
    fn take_split(&self, index: usize) -> (Self, Self) {
        let (a, b) = self.rest.split_at(index);
        (
            In {
                rest: b,
                st: self.st,
            },
            In {
                rest: a,
                st: self.st,
            },
        )
    }
    #[inline(always)]
    fn position<P: Fn(u8) -> bool>(&self, predicate: P) -> Option<usize> {
        self.rest.iter().position(|&b| predicate(b))
    }
    fn iter_elements(&self) -> Self::Iter {
        self.rest.iter().copied()
    }
    fn iter_indices(&self) -> Self::IterIndices {
        self.iter_elements().enumerate()
    }
    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        if self.rest.len() >= count {
            Ok(count)
        } else {
            Err(Needed::new(count - self.rest.len()))
        }
    }
}

impl<'b> Compare<&'b [u8]> for In<'_> {
    #[inline(always)]
    fn compare(&self, t: &'b [u8]) -> CompareResult {
        self.rest.compare(t)
    }
    #[inline(always)]
    fn compare_no_case(&self, t: &'b [u8]) -> CompareResult {
        self.rest.compare_no_case(t)
    }
}

impl<'b> Compare<&'b str> for In<'_> {
    #[inline(always)]
    fn compare(&self, t: &'b str) -> CompareResult {
        self.rest.compare(t.as_bytes())
    }
    #[inline(always)]
    fn compare_no_case(&self, t: &'b str) -> CompareResult {
        self.rest.compare_no_case(t.as_bytes())
    }
}

impl Offset for In<'_> {
    fn offset(&self, second: &Self) -> usize {
        self.rest.len() - second.rest.len()
    }
}

// ---------------------------------------------------------------------------
// Terminals and combinators shared by every rule
// ---------------------------------------------------------------------------

/// One expected byte; `what` names it in the error.
#[inline(always)]
pub(crate) fn byte<'a>(b: u8, what: &'static str) -> impl Fn(In<'a>) -> R<'a, ()> {
    move |i: In<'a>| {
        if i.peek() == Some(b) {
            Ok((i.skip(1), ()))
        } else {
            i.err(what)
        }
    }
}

/// `SP`
#[inline(always)]
pub(crate) fn sp(i: In<'_>) -> R<'_, ()> {
    byte(b' ', "SP")(i)
}

/// Zero or more spaces.
pub(crate) fn spaces(i: In<'_>) -> R<'_, ()> {
    Ok((i.skip_spaces(), ()))
}

/// One byte if it is `b`: `(rest, true)`, else the input unchanged and
/// `false` (never an error).
#[inline(always)]
pub(crate) fn eat(b: u8) -> impl for<'a> Fn(In<'a>) -> R<'a, bool> {
    move |i: In<'_>| {
        if i.peek() == Some(b) {
            Ok((i.skip(1), true))
        } else {
            Ok((i, false))
        }
    }
}

/// A case-insensitive keyword (nom's `tag_no_case`), named in the error.
#[inline(always)]
pub(crate) fn kw<'a>(word: &'static [u8]) -> impl Fn(In<'a>) -> R<'a, ()> {
    move |i: In<'a>| match after_prefix(&i, word) {
        Some(rest) => Ok((rest, ())),
        None => i.err(kw_name(word)),
    }
}

/// A keyword that must not be followed by an atom character (`NIL` but not
/// `NILS`).
#[inline(always)]
pub(crate) fn word<'a>(w: &'static [u8]) -> impl Fn(In<'a>) -> R<'a, ()> {
    move |i: In<'a>| match after_word(&i, w) {
        Some(rest) => Ok((rest, ())),
        None => i.err(kw_name(w)),
    }
}

/// Whether the input starts with the keyword `w` (case-insensitively),
/// followed by a non-atom character: for dispatch without consuming.
#[inline]
pub(crate) fn at_word(i: &In<'_>, w: &[u8]) -> bool {
    i.rest
        .get(..w.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(w))
        && !i
            .rest
            .get(w.len())
            .is_some_and(|&b| class::is(b, class::ATOM))
}

/// The input after the keyword `w` ([`at_word`]), if it comes next.
#[inline(always)]
pub(crate) fn after_word<'a>(i: &In<'a>, w: &[u8]) -> Option<In<'a>> {
    at_word(i, w).then(|| i.skip(w.len()))
}

/// The input after the case-insensitive prefix `w`, if it comes next.
#[inline(always)]
pub(crate) fn after_prefix<'a>(i: &In<'a>, w: &[u8]) -> Option<In<'a>> {
    i.rest
        .get(..w.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(w))
        .then(|| i.skip(w.len()))
}

fn kw_name(w: &'static [u8]) -> &'static str {
    core::str::from_utf8(w).unwrap_or("keyword")
}

/// `name` in upper case, copied into `buf`, for one `match` on a keyword
/// instead of a chain of case-insensitive comparisons; an empty slice when
/// `name` is longer than `buf` (no keyword of the grammar is).
#[inline(always)]
pub(crate) fn upcase<'b>(name: &[u8], buf: &'b mut [u8; 16]) -> &'b [u8] {
    match buf.get_mut(..name.len()) {
        Some(b) => {
            // one pass (a copy then an upper-casing pass calls `memcpy` for
            // the few bytes of a name)
            for (d, &c) in b.iter_mut().zip(name) {
                *d = c.to_ascii_uppercase();
            }
            b
        }
        None => &[],
    }
}

/// [`upcase`] of the first `n` bytes of `src` (a name at the start of the
/// rest of the input): when sixteen bytes are there, they are copied and
/// upper-cased as one fixed-size block (no `memcpy` call, no loop on the
/// name's length); the bytes past the name are ignored.
#[inline(always)]
pub(crate) fn upcase_prefix<'b>(src: &[u8], n: usize, buf: &'b mut [u8; 16]) -> &'b [u8] {
    match src.get(..16) {
        Some(block) if n <= 16 => {
            let mut w = [0u8; 16];
            w.copy_from_slice(block);
            for c in &mut w {
                *c = c.to_ascii_uppercase();
            }
            *buf = w;
            &buf[..n]
        }
        _ => upcase(src.get(..n).unwrap_or(src), buf),
    }
}

/// The longest run of bytes matching `f` (possibly empty; nom's
/// `take_while` without the generic error plumbing).
#[inline(always)]
pub(crate) fn take_while<'a>(i: In<'a>, f: impl Fn(u8) -> bool) -> (In<'a>, &'a [u8]) {
    let n = i.rest.iter().position(|&b| !f(b)).unwrap_or(i.rest.len());
    i.split(n)
}

/// Runs `f` and also returns the bytes it consumed (nom's `consumed`).
#[inline(always)]
pub(crate) fn consumed<'a, T>(
    mut f: impl nom::Parser<In<'a>, Output = T, Error = PError>,
) -> impl FnMut(In<'a>) -> R<'a, (&'a [u8], T)> {
    move |i: In<'a>| {
        let (rest, v) = f.parse(i)?;
        Ok((rest, (i.upto(&rest), v)))
    }
}

/// Replaces the expectation of an error `f` reports where it started (it
/// matched nothing) by `what` (nom's `context`, for messages that name the
/// rule rather than its first terminal).
#[inline(always)]
pub(crate) fn expect<'a, T>(
    what: &'static str,
    mut f: impl nom::Parser<In<'a>, Output = T, Error = PError>,
) -> impl FnMut(In<'a>) -> R<'a, T> {
    move |i: In<'a>| match f.parse(i) {
        Err(nom::Err::Error(PError::Syntax(left, _))) if left == i.rest.len() => i.err(what),
        r => r,
    }
}

/// `depth` within [`ParseOptions::MAX_NESTING_DEPTH`](ParseOptions::MAX_NESTING_DEPTH).
#[inline]
pub(crate) fn clamp_depth(depth: usize) -> u16 {
    const MAX: u16 = ParseOptions::MAX_NESTING_DEPTH as u16;
    u16::try_from(depth).map_or(MAX, |d| d.min(MAX))
}

/// Enters one nesting level of a recursive rule: the input one level deeper,
/// or the [`PError::Depth`] failure when the budget is used up. The caller
/// puts the depth back on the input after the level (`rest.st.depth =
/// i.st.depth`). Unlike [`nest`], no closure or combinator frame sits between
/// two levels of the recursion (debug builds give each one a stack frame).
#[inline(always)]
pub(crate) fn descend(mut i: In<'_>) -> Result<In<'_>, nom::Err<PError>> {
    match i.st.depth.checked_sub(1) {
        Some(d) => {
            i.st.depth = d;
            Ok(i)
        }
        None => Err(depth_failure(&i)),
    }
}

/// The failure of a rule that found the depth budget used up.
#[cold]
#[inline(never)]
pub(crate) fn depth_failure(i: &In<'_>) -> nom::Err<PError> {
    nom::Err::Failure(PError::Depth(usize::from(i.st.max_depth)))
}

/// Runs `f` one nesting level deeper; the depth budget running out is a
/// [`PError::Depth`] failure.
#[inline(always)]
pub(crate) fn nest<'a, T>(
    mut f: impl nom::Parser<In<'a>, Output = T, Error = PError>,
) -> impl FnMut(In<'a>) -> R<'a, T> {
    move |mut i: In<'a>| {
        let depth = i.st.depth;
        if depth == 0 {
            return Err(nom::Err::Failure(PError::Depth(usize::from(
                i.st.max_depth,
            ))));
        }
        i.st.depth = depth - 1;
        let (mut rest, v) = f.parse(i)?;
        rest.st.depth = depth;
        Ok((rest, v))
    }
}

/// Runs `f` for validation only: its value is dropped, so it need not be
/// built (escaped strings are not unescaped).
#[inline(always)]
pub(crate) fn validate<'a, T>(
    mut f: impl nom::Parser<In<'a>, Output = T, Error = PError>,
) -> impl FnMut(In<'a>) -> R<'a, ()> {
    move |mut i: In<'a>| {
        let discard = i.st.discard;
        i.st.discard = true;
        let (mut rest, _) = f.parse(i)?;
        rest.st.discard = discard;
        Ok((rest, ()))
    }
}

/// `CRLF`, or a bare LF under [`Quirks::bare_lf`]; then the end of the frame.
pub(crate) fn crlf_end(i: In<'_>) -> R<'_, ()> {
    let i = match i.rest {
        [b'\r', b'\n', ..] => i.skip(2),
        [b'\n', ..] if i.q().bare_lf => i.skip(1),
        _ => return i.err("CRLF"),
    };
    if !i.is_empty() {
        return i.err("end of message");
    }
    Ok((i, ()))
}

/// In front of `)`: a stray space under `quirk` is skipped.
#[inline]
pub(crate) fn space_before_close(i: In<'_>, quirk: bool) -> In<'_> {
    if quirk && i.peek() == Some(b' ') && i.peek_at(1) == Some(b')') {
        i.skip(1)
    } else {
        i
    }
}

/// Trailing spaces before CRLF under [`Quirks::trailing_space`].
pub(crate) fn trailing_space(mut i: In<'_>) -> In<'_> {
    if i.q().trailing_space {
        while i.peek() == Some(b' ') && matches!(i.peek_at(1), Some(b'\r' | b'\n' | b' ')) {
            i = i.skip(1);
        }
    }
    i
}

/// Runs a rule on a whole frame and turns its error into the crate's.
pub(crate) fn run<'a, T>(
    frame: &'a [u8],
    i: In<'a>,
    f: impl FnOnce(In<'a>) -> R<'a, T>,
) -> Result<T, crate::Error> {
    match f(i) {
        Ok((_, v)) => Ok(v),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.into_error(frame)),
        // complete frames only: nothing is ever missing
        Err(nom::Err::Incomplete(_)) => Err(PError::Syntax(0, "more input").into_error(frame)),
    }
}

/// The elements of a `*(SP elem)` run that started at `start` (at its first
/// SP) and whose last element ended at `end`: empty when there was none.
#[inline]
pub(crate) fn after_sp<'a>(start: &In<'a>, end: &In<'a>) -> &'a [u8] {
    start
        .rest
        .get(1..start.rest.len() - end.rest.len())
        .unwrap_or_default()
}

/// SWAR constants: one in each byte, the top bit of each byte.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The bytes of `x` below `n` (`n <= 0x80`), flagged by their top bit:
/// `(x - n·0x01..) & !x & 0x80..`. A borrow can only add flags above a
/// true one, so the lowest flag is exact.
#[inline(always)]
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(LO * u64::from(n)) & !x & HI
}

/// The bytes of `x` equal to `n`, flagged as by [`below`] (an equal byte
/// becomes zero after the XOR).
#[inline(always)]
fn equal(x: u64, n: u8) -> u64 {
    below(x ^ (LO * u64::from(n)), 1)
}

/// The index of the first byte of `s` that `byte` picks, eight bytes at a
/// time: `word` flags the picked bytes of a little-endian word (the lowest
/// flag exact, see [`below`]); the last few bytes go one at a time.
#[inline(always)]
fn find_by(s: &[u8], word: impl Fn(u64) -> u64, byte: impl Fn(u8) -> bool) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let m = word(u64::from_le_bytes(w));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?.iter().position(|&b| byte(b)).map(|j| i + j)
}

/// The index of the first byte of `s` that may end a run of plain
/// QUOTED-CHARs: `"`, `\\`, or a byte below 0x0E (which covers NUL, LF and
/// CR, the bytes a quoted string may not hold, and a few other controls
/// that the caller leaves to the exact scan). Three tests per word instead
/// of [`find_any`]'s five.
#[inline(always)]
pub(crate) fn find_quoted_stop(s: &[u8]) -> Option<usize> {
    find_by(
        s,
        |x| equal(x, b'"') | equal(x, b'\\') | below(x, 0x0E),
        |b| b == b'"' || b == b'\\' || b < 0x0E,
    )
}

/// The index of the first byte of `s` equal to one of `needles`, eight bytes
/// at a time (SWAR, see [`equal`]).
#[inline(always)]
pub(crate) fn find_any<const N: usize>(s: &[u8], needles: [u8; N]) -> Option<usize> {
    find_by(
        s,
        |x| needles.iter().fold(0, |m, &n| m | equal(x, n)),
        |b| needles.contains(&b),
    )
}

#[cfg(test)]
mod upcase_tests {
    use super::{upcase, upcase_prefix};
    use alloc::vec::Vec;

    /// The block path (sixteen bytes or more left) and the short path give
    /// what `upcase` gives for the name alone, for every byte value at every
    /// position, names up to one past the buffer and anything after them.
    #[test]
    fn upcase_prefix_agrees_with_upcase_of_the_name() {
        for len in 0..=40usize {
            for pos in 0..len.max(1) {
                for b in 0..=255u8 {
                    let mut src: Vec<u8> = (0..len)
                        .map(|k| b.wrapping_mul(31).wrapping_add((k as u8).wrapping_mul(7)))
                        .collect();
                    if pos < len {
                        src[pos] = b;
                    }
                    for n in [0, 1, 3, 7, 15, 16, 17, len] {
                        if n > len {
                            continue;
                        }
                        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
                        assert_eq!(
                            upcase_prefix(&src, n, &mut x),
                            upcase(&src[..n], &mut y),
                            "{src:?} {n}"
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod pack_tests {
    use super::*;

    /// The multiplication packs every one of the 2^15 settings as the
    /// shift-per-quirk `Quirks::pack` does (and as `Quirks::unpack` reads).
    #[test]
    fn pack_quirks_agrees_with_pack_on_every_setting() {
        for bits in 0..(1u16 << UTF8_BIT) {
            let q = Quirks::unpack(bits);
            assert_eq!(q.pack(), bits);
            assert_eq!(pack_quirks(&q), bits, "{q:?}");
        }
        assert_eq!(pack_quirks(&Quirks::LENIENT), Quirks::LENIENT.pack());
        assert_eq!(pack_quirks(&Quirks::STRICT), 0);
    }

    #[test]
    fn a_frame_starts_with_the_packed_options() {
        let mut opts = ParseOptions::STRICT;
        opts.quirks.bare_lf = true;
        opts.utf8 = true;
        let i = In::with(b"x", &opts);
        assert!(i.q().bare_lf && !i.q().trailing_space && i.utf8());
        assert_eq!(
            i.st,
            In::new(b"x", opts.quirks, opts.nesting_depth, true).st
        );
    }
}

#[cfg(test)]
mod scan_tests {
    use crate::imap::syntax::input::find_any;
    use alloc::vec::Vec;

    fn naive(s: &[u8], needles: &[u8]) -> Option<usize> {
        s.iter().position(|b| needles.contains(b))
    }

    /// Every position, every filler byte class (0x00-adjacent, 0x7F, 0x80,
    /// 0xFF: the borrow cases of the SWAR trick), lengths across the 8-byte
    /// word boundary.
    #[test]
    fn find_any_matches_a_byte_loop() {
        let fillers = [b'a', 0x01, 0x21, 0x22 ^ 0x80, 0x7f, 0x80, 0xfe, 0xff, b'#'];
        for len in 0..40 {
            for &fill in &fillers {
                let mut s: Vec<u8> = alloc::vec![fill; len];
                assert_eq!(
                    find_any(&s, [b'"', b'\\', b'\r', b'\n', 0]),
                    naive(&s, &[b'"', b'\\', b'\r', b'\n', 0])
                );
                for at in 0..len {
                    for needle in [b'"', b'\\', b'\r', b'\n', 0] {
                        let keep = s[at];
                        s[at] = needle;
                        // a second needle later must not win
                        if at + 3 < len {
                            s[at + 3] = b'"';
                        }
                        assert_eq!(
                            find_any(&s, [b'"', b'\\', b'\r', b'\n', 0]),
                            naive(&s, &[b'"', b'\\', b'\r', b'\n', 0]),
                            "len {len} fill {fill:#x} at {at} needle {needle:#x}"
                        );
                        assert_eq!(find_any(&s, [b'"', b'\\']), naive(&s, b"\"\\"));
                        s[at] = keep;
                        if at + 3 < len {
                            s[at + 3] = fill;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod find_tests {
    use super::{find_any, find_quoted_stop};
    use alloc::vec::Vec;

    /// The word-at-a-time scan finds the first `"`, `\` or byte below 0x0E,
    /// as a byte loop does: every byte value at every position of inputs
    /// up to two words and a tail long, after a run of bytes that stop
    /// nothing (including 0x0E and 0x80..=0xFF, next to the limits).
    #[test]
    fn find_quoted_stop_agrees_with_a_byte_loop() {
        let reference = |s: &[u8]| s.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x0E);
        for len in 0..=19usize {
            for pos in 0..len.max(1) {
                for b in 0..=255u8 {
                    let mut s: Vec<u8> = (0..len)
                        .map(|k| [b'a', 0x0E, 0xFF, b'!', 0x80, b'#'][k % 6])
                        .collect();
                    if pos < len {
                        s[pos] = b;
                        // a second stop after the first must not win
                        if pos + 2 < len {
                            s[pos + 2] = b'"';
                        }
                    }
                    assert_eq!(find_quoted_stop(&s), reference(&s), "{s:?}");
                }
            }
        }
        // what the quoted-string rule relies on: it stops no later than the
        // exact scan for its five bytes
        let s = b"abc\tdef\"";
        assert_eq!(find_quoted_stop(s), Some(3));
        assert_eq!(find_any(s, [b'"', b'\\', b'\r', b'\n', 0]), Some(7));
    }
}
