//! Reading body structures and envelopes fast (issue #19).
//!
//! A parsed address list, parameter list or list of body parts keeps its
//! wire bytes, validated when the response was parsed, and parses each
//! element again as it is iterated. [`P`] reads the usual shape of these
//! elements in one straight pass over their bytes (no combinator, no
//! intermediate value moved through layers of results): quoted strings
//! without escapes, NIL, numbers, parameter lists pair by pair, and the
//! parts of a multipart skipped by their parentheses (with the rules' own
//! `skip_parens`). It reads into plain borrowed slices (`Raw*`, no drop
//! glue), turned into the public values only where a value is wanted, so
//! that a pass that only validates builds nothing.
//!
//! It serves three passes:
//! - iterating a list (trusted bytes): [`address_elem`], [`param_elem`],
//!   [`body_elem`];
//! - validating a response (the values dropped): [`check_part`],
//!   [`check_address`], [`check_mpart_tail`], which also take quoted
//!   strings with escapes (the value would need unescaping, but none is
//!   built);
//! - parsing with a visitor (values reported): [`read_part`],
//!   [`read_address`], [`read_mpart_tail`].
//!
//! The entry points the recursive body rules call are not inlined, so
//! that the reader's locals stay out of the recursion's frames (see
//! `body::parse` and tests/nesting_stack.rs).
//!
//! Anything else (a literal, an escape where a value is built, a byte below
//! 0x0E in a string, a field sent under a quirk, a message/rfc822 part with
//! its envelope and body, extension data past the location) makes them
//! give up (`None`), and the grammar's own rule reads it as before, finding
//! the error if there is one. Where they do answer, the answer is the
//! rule's, value and rest of input alike: the tests below compare both on
//! every element of a corpus of real and quirky body structures, and whole
//! parses (values, visitor events, errors) with and without these readings
//! on every one-byte mutation of it; the `imap_response` fuzz target
//! compares the lazy values with the visitor's on arbitrary input.

use alloc::borrow::Cow;

use crate::imap::base::body::parse::{address, body, param_pair, single_part};
use crate::imap::base::body::{
    Address, BodyExtension, BodyStructure, Disposition, MultiPart, Params, SinglePart, Specific,
};
use crate::imap::syntax::core::{Ctx, IString, List, NString, Sep};
use crate::imap::syntax::input::{In, R, find_any, find_quoted_stop};
use crate::imap::syntax::rules::{skip_parens, string};

/// The unit tests and the fuzzer turn the fast readings off to compare
/// whole parses with and without them.
#[cfg(any(test, fuzzing))]
static OFF: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Fuzzing builds only: turns the fast readings of body structures and
/// envelopes off (`false`) or on, so that a fuzz target can compare a parse
/// with them and one by the grammar's rules alone.
#[cfg(fuzzing)]
pub fn set_fast_readings(on: bool) {
    OFF.store(!on, core::sync::atomic::Ordering::Relaxed);
}

/// Whether the fast readings are used (always, but where a test or the
/// fuzzer turns them off).
#[inline(always)]
fn on() -> bool {
    #[cfg(any(test, fuzzing))]
    return !OFF.load(core::sync::atomic::Ordering::Relaxed);
    #[cfg(not(any(test, fuzzing)))]
    true
}

/// An element of an address list: [`address`], read fast when it can be.
pub(crate) fn address_elem(i: In<'_>) -> R<'_, Address<'_>> {
    if i.st.trusted && on() {
        let mut p = P::trusted(i.rest);
        if let Some(a) = p.address() {
            return Ok((i.skip(p.k), address_of(a)));
        }
    }
    address(i)
}

/// An element of a parameter list: [`param_pair`], read fast when it can be.
pub(crate) fn param_elem(i: In<'_>) -> R<'_, (IString<'_>, NString<'_>)> {
    if i.st.trusted && on() {
        let mut p = P::trusted(i.rest);
        if let Some((k, v)) = p.param() {
            return Ok((i.skip(p.k), (is(k), Some(is(v)))));
        }
    }
    param_pair(i)
}

/// An element of the parts of a multipart: [`body`], read fast when it can be.
pub(crate) fn body_elem(i: In<'_>) -> R<'_, BodyStructure<'_>> {
    if i.st.trusted && i.st.depth > 0 && on() {
        // the lists inside a part are one level deeper, as `body` makes them
        let ctx = Ctx {
            quirks: i.st.q,
            depth: i.st.depth - 1,
        };
        let mut p = P::trusted(i.rest);
        if let Some(b) = p.body(ctx) {
            return Ok((i.skip(p.k), b));
        }
    }
    body(i)
}

/// A nested single part after its `(`, validated in one pass when it has
/// the usual shape (not a message part with its envelope and body): the
/// input after its `)`. `None` leaves it to the rules, which then give the
/// same answer or find the error.
#[inline(never)]
pub(crate) fn check_part(i: In<'_>) -> Option<In<'_>> {
    if !on() {
        return None;
    }
    let mut p = P::validating(i.rest);
    p.single()?;
    Some(i.skip(p.k))
}

/// [`check_part`] with the part (read without checking it again when the
/// bytes were validated before): for a visitor, and for a part at the top
/// of a body structure.
#[inline(never)]
pub(crate) fn read_part(i: In<'_>) -> Option<(In<'_>, SinglePart<'_>)> {
    if !on() {
        return None;
    }
    let mut p = if i.st.trusted {
        P::trusted(i.rest)
    } else {
        P::checking(i.rest)
    };
    let part = p.single()?;
    Some((i.skip(p.k), part.build(i.ctx())))
}

/// The fields of a multipart after its parts: subtype, parameters and
/// extension data.
pub(crate) type MpartTail<'a> = (IString<'a>, Option<Params<'a>>, BodyExtension<'a>);

/// What follows the parts of a multipart (`SP media-subtype [SP
/// body-ext-mpart]`) and the `)` of its `body`, validated in one pass when
/// it has the usual shape: the input after the `)`. `None` leaves it to
/// the rules.
#[inline(never)]
pub(crate) fn check_mpart_tail(i: In<'_>) -> Option<In<'_>> {
    if !on() {
        return None;
    }
    let mut p = P::validating(i.rest);
    p.mpart_tail()?;
    Some(i.skip(p.k))
}

/// [`check_mpart_tail`] with the fields (read without checking them again
/// when the bytes were validated before).
#[inline(never)]
pub(crate) fn read_mpart_tail(i: In<'_>) -> Option<(In<'_>, MpartTail<'_>)> {
    if !on() {
        return None;
    }
    let mut p = if i.st.trusted {
        P::trusted(i.rest)
    } else {
        P::checking(i.rest)
    };
    let tail = p.mpart_tail()?;
    Some((i.skip(p.k), tail.build(i.ctx())))
}

/// An address, validated in one pass when it has the usual shape (four
/// NILs or quoted strings): the input after it. `None` leaves it to the
/// rules.
#[inline(always)]
pub(crate) fn check_address(i: In<'_>) -> Option<In<'_>> {
    if !on() {
        return None;
    }
    let mut p = P::validating(i.rest);
    p.address()?;
    Some(i.skip(p.k))
}

/// [`check_address`] for a visitor: the address too.
#[inline(always)]
pub(crate) fn read_address(i: In<'_>) -> Option<(In<'_>, Address<'_>)> {
    if !on() {
        return None;
    }
    let mut p = P::checking(i.rest);
    let a = p.address()?;
    Some((i.skip(p.k), address_of(a)))
}

/// The content of a quoted string, between its quotes (escapes as they
/// are: only a pass that builds nothing reads strings that have them).
type Q<'a> = &'a [u8];

/// `body-fld-param` as read: NIL, or the bytes between its parentheses.
type RawParams<'a> = Option<&'a [u8]>;

#[inline(always)]
fn is(q: Q<'_>) -> IString<'_> {
    IString(Cow::Borrowed(q))
}

#[inline(always)]
fn ns(q: Option<Q<'_>>) -> NString<'_> {
    q.map(is)
}

#[inline(always)]
fn params_of(raw: RawParams<'_>, ctx: Ctx) -> Params<'_> {
    raw.map(|r| List::wire(r, param_elem, Sep::Space, ctx))
}

#[inline(always)]
fn address_of([name, adl, mailbox, host]: [Option<Q<'_>>; 4]) -> Address<'_> {
    Address {
        name: ns(name),
        adl: ns(adl),
        mailbox: ns(mailbox),
        host: ns(host),
    }
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]` as read; each
/// field `None` when absent.
#[derive(Clone, Copy, Default)]
struct RawExt<'a> {
    /// NIL, or the kind and the parameters.
    disposition: Option<Option<(Q<'a>, RawParams<'a>)>>,
    /// NIL, or the bytes of a list of strings (one string with its quotes,
    /// or the strings between the parentheses).
    language: Option<Option<&'a [u8]>>,
    location: Option<Option<Q<'a>>>,
}

impl<'a> RawExt<'a> {
    #[inline(always)]
    fn build(self, ctx: Ctx) -> BodyExtension<'a> {
        BodyExtension {
            disposition: self.disposition.map(|d| {
                d.map(|(kind, params)| Disposition {
                    kind: is(kind),
                    params: params_of(params, ctx),
                })
            }),
            language: self
                .language
                .map(|l| l.map(|raw| List::wire(raw, string, Sep::Space, ctx))),
            location: self.location.map(ns),
            extensions: None,
        }
    }
}

/// A single part as read (not a message part with its envelope and body).
#[derive(Clone, Copy)]
struct RawPart<'a> {
    media_type: Q<'a>,
    subtype: Q<'a>,
    params: RawParams<'a>,
    id: Option<Q<'a>>,
    description: Option<Q<'a>>,
    encoding: Q<'a>,
    size: u32,
    /// `body-fld-lines` of a text part.
    lines: Option<u32>,
    md5: Option<Option<Q<'a>>>,
    ext: RawExt<'a>,
}

impl<'a> RawPart<'a> {
    #[inline(always)]
    fn build(self, ctx: Ctx) -> SinglePart<'a> {
        let specific = match self.lines {
            Some(lines) => Specific::Text { lines },
            None => Specific::Basic,
        };
        single_part(
            (
                is(self.media_type),
                is(self.subtype),
                (
                    params_of(self.params, ctx),
                    ns(self.id),
                    ns(self.description),
                    is(self.encoding),
                    self.size,
                ),
            ),
            specific,
            self.md5.map(ns),
            self.ext.build(ctx),
        )
    }
}

/// What follows the parts of a multipart, as read.
#[derive(Clone, Copy)]
struct RawTail<'a> {
    subtype: Q<'a>,
    params: Option<RawParams<'a>>,
    ext: RawExt<'a>,
}

impl<'a> RawTail<'a> {
    #[inline(always)]
    fn build(self, ctx: Ctx) -> MpartTail<'a> {
        (
            is(self.subtype),
            self.params.map(|p| params_of(p, ctx)),
            self.ext.build(ctx),
        )
    }
}

/// A reader of the usual shapes; every method returns `None` (give up) on
/// anything else.
struct P<'a> {
    b: &'a [u8],
    k: usize,
    /// Validating (bytes not checked before): a quoted string ends at the
    /// first `"`, `\` or byte below 0x0E, and must end at a `"` (the rule
    /// takes the rest).
    check: bool,
    /// Validating, values dropped: a quoted string may hold escapes (`\"`,
    /// `\\`).
    escapes: bool,
}

impl<'a> P<'a> {
    /// Over bytes validated before (a list being iterated).
    #[inline(always)]
    fn trusted(b: &'a [u8]) -> Self {
        P {
            b,
            k: 0,
            check: false,
            escapes: false,
        }
    }

    /// Validating, for values that are built.
    #[inline(always)]
    fn checking(b: &'a [u8]) -> Self {
        P {
            b,
            k: 0,
            check: true,
            escapes: false,
        }
    }

    /// Validating only.
    #[inline(always)]
    fn validating(b: &'a [u8]) -> Self {
        P {
            b,
            k: 0,
            check: true,
            escapes: true,
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.k).copied()
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek() == Some(c) {
            self.k += 1;
            Some(())
        } else {
            None
        }
    }

    /// A quoted string (with escapes only when validating only).
    #[inline(always)]
    fn quoted(&mut self) -> Option<Q<'a>> {
        self.eat(b'"')?;
        let start = self.k;
        loop {
            let rest = &self.b[self.k..];
            let j = if self.check {
                find_quoted_stop(rest)?
            } else {
                find_any(rest, [b'"', b'\\'])?
            };
            match rest[j] {
                b'"' => {
                    self.k += j + 1;
                    return Some(&self.b[start..self.k - 1]);
                }
                // "\" quoted-specials
                b'\\' if self.escapes && matches!(rest.get(j + 1), Some(b'"' | b'\\')) => {
                    self.k += j + 2;
                }
                _ => return None,
            }
        }
    }

    /// `NIL` followed by a space or `)`.
    #[inline(always)]
    fn nil(&mut self) -> bool {
        // four bytes at once: NIL in any case (bit 0x20 set), then SP or ")"
        let is_nil = self.b.get(self.k..self.k + 4).is_some_and(|w| {
            let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            let word = w | 0x0020_2020;
            word == u32::from_le_bytes(*b"nil ") || word == u32::from_le_bytes(*b"nil)")
        });
        if is_nil {
            self.k += 3;
        }
        is_nil
    }

    #[inline(always)]
    fn nstring(&mut self) -> Option<Option<Q<'a>>> {
        if self.peek() == Some(b'"') {
            return self.quoted().map(Some);
        }
        self.nil().then_some(None)
    }

    /// A number of at most nine digits.
    #[inline(always)]
    fn number(&mut self) -> Option<u32> {
        let mut v = 0u32;
        let start = self.k;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if self.k - start == 9 {
                return None;
            }
            v = v * 10 + u32::from(d - b'0');
            self.k += 1;
        }
        (self.k > start).then_some(v)
    }

    /// A parenthesised list, skipped by the crate's [`skip_parens`] (as the
    /// rules skip it on validated bytes): its bytes inside the parentheses.
    fn group(&mut self, ctx: Ctx) -> Option<&'a [u8]> {
        let (rest, inside) = skip_parens(In::trusted(&self.b[self.k..], ctx)).ok()?;
        self.k = self.b.len() - rest.rest.len();
        Some(inside)
    }

    /// `"(" nstring SP nstring SP nstring SP nstring ")"`
    #[inline(always)]
    fn address(&mut self) -> Option<[Option<Q<'a>>; 4]> {
        self.eat(b'(')?;
        let name = self.nstring()?;
        self.eat(b' ')?;
        let adl = self.nstring()?;
        self.eat(b' ')?;
        let mailbox = self.nstring()?;
        self.eat(b' ')?;
        let host = self.nstring()?;
        self.eat(b')')?;
        Some([name, adl, mailbox, host])
    }

    /// `string SP string`
    #[inline(always)]
    fn param(&mut self) -> Option<(Q<'a>, Q<'a>)> {
        let k = self.quoted()?;
        self.eat(b' ')?;
        let v = self.quoted()?;
        Some((k, v))
    }

    /// `body-fld-param`: NIL, or `"(" string SP string *(SP string SP
    /// string) ")"`, pair by pair.
    #[inline(always)]
    fn params(&mut self) -> Option<RawParams<'a>> {
        if self.nil() {
            return Some(None);
        }
        self.eat(b'(')?;
        let start = self.k;
        loop {
            self.param()?;
            if self.peek() == Some(b')') {
                break;
            }
            self.eat(b' ')?;
        }
        let raw = &self.b[start..self.k];
        self.k += 1;
        Some(Some(raw))
    }

    /// `body` over trusted bytes (after which the input is at the byte
    /// after its `)`).
    #[inline(always)]
    fn body(&mut self, ctx: Ctx) -> Option<BodyStructure<'a>> {
        self.eat(b'(')?;
        if self.peek() == Some(b'(') {
            return self.multipart(ctx).map(BodyStructure::Multi);
        }
        let part = self.single()?;
        Some(BodyStructure::Single(part.build(ctx)))
    }

    /// `body-type-mpart` over trusted bytes, and the `)` of its `body`.
    fn multipart(&mut self, ctx: Ctx) -> Option<MultiPart<'a>> {
        let start = self.k;
        while self.peek() == Some(b'(') {
            self.group(ctx)?;
        }
        let parts = List::wire(&self.b[start..self.k], body_elem, Sep::None, ctx);
        let (subtype, params, ext) = self.mpart_tail()?.build(ctx);
        Some(MultiPart {
            parts,
            subtype,
            params,
            ext,
        })
    }

    /// `SP media-subtype [SP body-ext-mpart]` after the parts of a multipart
    /// (no extension data past the location), and the `)` of its `body`.
    #[inline(always)]
    fn mpart_tail(&mut self) -> Option<RawTail<'a>> {
        self.eat(b' ')?;
        let subtype = self.quoted()?;
        let (params, ext) = if self.peek() == Some(b' ') {
            self.k += 1;
            let params = self.params()?;
            (Some(params), self.ext_tail()?)
        } else {
            (None, RawExt::default())
        };
        self.eat(b')')?;
        Some(RawTail {
            subtype,
            params,
            ext,
        })
    }

    /// `body-type-1part` but a message part with its envelope and body, and
    /// the `)` of its `body`.
    #[inline(always)]
    fn single(&mut self) -> Option<RawPart<'a>> {
        let media_type = self.quoted()?;
        self.eat(b' ')?;
        let subtype = self.quoted()?;
        self.eat(b' ')?;
        let params = self.params()?;
        self.eat(b' ')?;
        let id = self.nstring()?;
        self.eat(b' ')?;
        let description = self.nstring()?;
        self.eat(b' ')?;
        let encoding = self.quoted()?;
        self.eat(b' ')?;
        let size = self.number()?;
        let message = media_type.eq_ignore_ascii_case(b"MESSAGE")
            && (subtype.eq_ignore_ascii_case(b"RFC822") || subtype.eq_ignore_ascii_case(b"GLOBAL"));
        if message && self.peek() == Some(b' ') && self.b.get(self.k + 1) == Some(&b'(') {
            return None;
        }
        let lines = if media_type.eq_ignore_ascii_case(b"TEXT") {
            self.eat(b' ')?;
            Some(self.number()?)
        } else {
            None
        };
        let (md5, ext) = if self.peek() == Some(b' ') {
            self.k += 1;
            let md5 = self.nstring()?;
            (Some(md5), self.ext_tail()?)
        } else {
            (None, RawExt::default())
        };
        self.eat(b')')?;
        Some(RawPart {
            media_type,
            subtype,
            params,
            id,
            description,
            encoding,
            size,
            lines,
            md5,
            ext,
        })
    }

    /// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]` (no further
    /// extension data).
    #[inline(always)]
    fn ext_tail(&mut self) -> Option<RawExt<'a>> {
        let mut ext = RawExt::default();
        if self.peek() != Some(b' ') {
            return Some(ext);
        }
        self.k += 1;
        ext.disposition = Some(if self.nil() {
            None
        } else {
            self.eat(b'(')?;
            let kind = self.quoted()?;
            self.eat(b' ')?;
            let params = self.params()?;
            self.eat(b')')?;
            Some((kind, params))
        });
        if self.peek() != Some(b' ') {
            return Some(ext);
        }
        self.k += 1;
        ext.language = Some(if self.peek() == Some(b'(') {
            self.k += 1;
            let start = self.k;
            loop {
                self.quoted()?;
                if self.peek() == Some(b')') {
                    break;
                }
                self.eat(b' ')?;
            }
            let raw = &self.b[start..self.k];
            self.k += 1;
            Some(raw)
        } else if self.nil() {
            None
        } else {
            let start = self.k;
            self.quoted()?;
            Some(&self.b[start..self.k])
        });
        if self.peek() != Some(b' ') {
            return Some(ext);
        }
        self.k += 1;
        ext.location = Some(self.nstring()?);
        if self.peek() == Some(b' ') {
            // further extension data: the rule keeps it as bytes
            return None;
        }
        Some(ext)
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use crate::imap::base::body::Envelope;
    use crate::imap::base::fetch::FetchItem;
    use crate::imap::syntax::core::ElemFn;
    use crate::imap::{
        AddressField, Data, FetchVisitor, ParamsOf, ParseOptions, Response, parse_response,
        parse_response_with,
    };

    /// Reads the parsed list `l` element by element, as its iterator does,
    /// with the fast function and with the grammar's rule from the same
    /// input: both must succeed with the same value and the same rest.
    /// Returns the elements, and how many the fast function read itself.
    fn both<'a, T: Clone + PartialEq + core::fmt::Debug>(
        l: &List<'a, T>,
        sep: Sep,
        (fast, rule, probe): (ElemFn<'a, T>, ElemFn<'a, T>, Probe),
        fast_read: &mut usize,
    ) -> Vec<T> {
        let (raw, ctx) = l.wire_parts().expect("a parsed list");
        let mut i = In::trusted(raw, ctx);
        let mut first = true;
        let mut out = Vec::new();
        while !i.is_empty() {
            if !first || sep == Sep::None {
                i = i.skip_spaces();
            }
            first = false;
            let (rest_a, a) = fast(i).expect("the fast reading");
            let (rest_b, b) = rule(i).expect("the rule");
            assert_eq!(a, b, "in {:?}", String::from_utf8_lossy(raw));
            assert_eq!(rest_a.rest.len(), rest_b.rest.len());
            let mut p = P::trusted(i.rest);
            *fast_read += usize::from(probe(&mut p, ctx));
            i = rest_a;
            out.push(b);
        }
        assert_eq!(out.len(), l.len());
        out
    }

    /// Whether the fast reading reads an element itself.
    type Probe = fn(&mut P<'_>, Ctx) -> bool;

    fn parts<'a>() -> (
        ElemFn<'a, BodyStructure<'a>>,
        ElemFn<'a, BodyStructure<'a>>,
        Probe,
    ) {
        (body_elem, body, |p, c| c.depth > 0 && p.body(c).is_some())
    }

    #[allow(clippy::type_complexity)]
    fn params<'a>() -> (
        ElemFn<'a, (IString<'a>, NString<'a>)>,
        ElemFn<'a, (IString<'a>, NString<'a>)>,
        Probe,
    ) {
        (param_elem, param_pair, |p, _| p.param().is_some())
    }

    fn addresses<'a>() -> (ElemFn<'a, Address<'a>>, ElemFn<'a, Address<'a>>, Probe) {
        (address_elem, address, |p, _| p.address().is_some())
    }

    /// Every nested list of `b`, both ways.
    fn check_body(b: &BodyStructure<'_>, fast_read: &mut usize) {
        match b {
            BodyStructure::Single(s) => check_single(s, fast_read),
            BodyStructure::Multi(m) => {
                for p in both(&m.parts, Sep::None, parts(), fast_read) {
                    check_body(&p, fast_read);
                }
                if let Some(Some(p)) = &m.params {
                    both(p, Sep::Space, params(), fast_read);
                }
                check_ext(&m.ext, fast_read);
            }
        }
    }

    fn check_single(s: &SinglePart<'_>, fast_read: &mut usize) {
        if let Some(p) = &s.params {
            both(p, Sep::Space, params(), fast_read);
        }
        check_ext(&s.ext, fast_read);
        if let Specific::Message { envelope, body, .. } = &s.specific {
            check_envelope(&envelope.get(), fast_read);
            check_body(&body.get(), fast_read);
        }
    }

    fn check_ext(e: &BodyExtension<'_>, fast_read: &mut usize) {
        if let Some(Some(Disposition {
            params: Some(p), ..
        })) = &e.disposition
        {
            both(p, Sep::Space, params(), fast_read);
        }
    }

    fn check_envelope(e: &crate::imap::base::body::Envelope<'_>, fast_read: &mut usize) {
        for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
            if let Some(l) = l.as_list() {
                both(l, Sep::None, addresses(), fast_read);
            }
        }
    }

    /// Parses `frame` and checks every nested list of its items; false when
    /// the frame does not parse.
    fn check_frame(frame: &[u8], opts: &ParseOptions, fast_read: &mut usize) -> bool {
        let Ok(Response::Data(Data::Fetch { items, .. })) = parse_response(frame, opts) else {
            return false;
        };
        for it in items.iter() {
            match it {
                FetchItem::BodyStructure(b) | FetchItem::Body(b) => check_body(&b, fast_read),
                FetchItem::Envelope(e) => check_envelope(&e, fast_read),
                _ => {}
            }
        }
        true
    }

    /// Body structures of real servers and of the RFCs, and the shapes the
    /// fast reading leaves to the rules (literals, escapes, quirks, message
    /// parts, extension data).
    const BODIES: &[&str] = &[
        // RFC 3501 §7.4.2
        r#"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")"#,
        r#"((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 1520 40 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 8840 180 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "=_alt_0001") NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 182340 NIL ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)("IMAGE" "PNG" ("NAME" "chart.png") "<chart@x>" NIL "BASE64" 40210 NIL ("INLINE" ("FILENAME" "chart.png")) NIL NIL) "MIXED" ("BOUNDARY" "=_mixed_0001") NIL NIL NIL)"#,
        // language as one string, as a list; location; extension data
        r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1 NIL NIL "en" "loc")("TEXT" "HTML" NIL NIL NIL "8BIT" 20 2 "md5sum" ("inline" NIL) ("en" "de") NIL 1 (2 "x")) "ALTERNATIVE" ("BOUNDARY" "b") ("inline" ("X" "y")) ("en" "de") "loc" 7)"#,
        // lower case, NIL language, a disposition without parameters
        r#"(("text" "plain" ("charset" "utf-8") nil nil "7bit" 3 1 nil ("attachment" nil) nil nil)("application" "octet-stream" nil nil nil "base64" 4 nil nil nil nil) "mixed")"#,
        // a message/rfc822 part (left to the rules), in a multipart
        r#"(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1)("MESSAGE" "RFC822" ("NAME" "fwd.eml") NIL NIL "7BIT" 500 (NIL "inner" (("C" NIL "c" "example.net")) NIL NIL NIL NIL NIL NIL NIL) ("APPLICATION" "PDF" NIL NIL NIL "BASE64" 300 NIL ("attachment" ("FILENAME" "r.pdf")) NIL NIL) 20 NIL ("inline" NIL) NIL NIL) "MIXED")"#,
        // a message/rfc822 part without its envelope and body (read as basic)
        r#"(("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500)("MESSAGE" "GLOBAL" NIL NIL NIL "7BIT" 5 NIL NIL NIL NIL) "MIXED")"#,
        // escapes, literals, 8-bit and UTF-8 text
        "((\"TEXT\" \"PLAIN\" (\"NAME\" \"a \\\"b\\\" c\") NIL {3}\r\nd\"e \"7BIT\" 1 1)(\"TEXT\" \"PLAIN\" (\"NAME\" \"caf\u{e9}\") \"\u{fc}\" NIL \"7BIT\" 1 1 NIL (\"attachment\" (\"FILENAME\" {4}\r\na(b)) NIL NIL) \"MIXED\")",
        // quirks: NIL parameter value, NIL encoding, spaces between parts,
        // an empty parameter list, a size past 32 bits
        r#"(("TEXT" "PLAIN" ("CHARSET" NIL) NIL NIL NIL 1 1) ("TEXT" "PLAIN" () NIL NIL "7BIT" 99999999999 1) "MIXED")"#,
        // deep multiparts and numbers of every length
        r#"((((("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)("TEXT" "PLAIN" NIL NIL NIL "7BIT" 123456789 1234567890) "A") "B")("IMAGE" "GIF" NIL NIL NIL "BASE64" 1 NIL NIL NIL NIL) "C") "D")"#,
    ];

    const ENVELOPES: &[&str] = &[
        r#"("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) ((NIL NIL "mooch" "owatagu.siam.edu.example")) NIL NIL NIL "<B27397-0100000@cac.washington.edu>")"#,
        "(NIL \"a \\\"quoted\\\" subject\" ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL ((NIL NIL \"team\" NIL)(\"Bob\" NIL \"bob\" \"example.org\")(NIL NIL NIL NIL)) ((\"B\\\\s\" NIL \"x\" \"y\")) ({3}\r\nA\"B NIL \"z\" \"w\") \"<a>\" \"<b>\")",
        r#"(NIL NIL (("A" NIL "a" "x") ("B" NIL "b" "y")) NIL NIL (("C" "@route" "c" "z")) NIL NIL NIL NIL)"#,
    ];

    fn frames() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for b in BODIES {
            out.push(format!("* 1 FETCH (BODYSTRUCTURE {b})\r\n").into_bytes());
            out.push(format!("* 2 FETCH (UID 7 BODY {b})\r\n").into_bytes());
        }
        for e in ENVELOPES {
            out.push(format!("* 3 FETCH (ENVELOPE {e} UID 9)\r\n").into_bytes());
        }
        out
    }

    #[test]
    fn fast_paths_agree_with_the_rules() {
        let mut lenient = ParseOptions::default();
        lenient.quirks.address_spaces = true;
        let opts = [ParseOptions::STRICT, ParseOptions::default(), lenient];
        let mut fast_read = 0;
        let mut parsed = 0;
        for frame in frames() {
            for o in &opts {
                parsed += usize::from(check_frame(&frame, o, &mut fast_read));
            }
        }
        // every frame parses leniently, and the fast reading did most of
        // the work (it is not silently giving up everywhere)
        assert!(parsed >= frames().len() * 2, "{parsed}");
        assert!(fast_read > 100, "{fast_read}");
    }

    /// Every frame with one byte changed at every position, to a byte that
    /// changes the shape (quotes, escapes, spaces, parentheses, NIL, digits,
    /// a literal): whatever still parses is read the same both ways.
    #[test]
    fn fast_paths_agree_on_mutated_input() {
        let opts = ParseOptions::default();
        let mut fast_read = 0;
        let mut parsed = 0;
        for frame in frames() {
            for k in 14..frame.len() - 2 {
                for &c in b"\"\\ ()N0{9a" {
                    let mut f = frame.clone();
                    f[k] = c;
                    parsed += usize::from(check_frame(&f, &opts, &mut fast_read));
                }
            }
        }
        assert!(parsed > 1000, "{parsed}");
    }

    /// Every visitor event in its `Debug` form (the lists in it walked).
    #[derive(Default)]
    struct Events(Vec<String>);

    impl<'a> FetchVisitor<'a> for Events {
        fn item(&mut self, item: FetchItem<'a>) {
            self.0.push(format!("item {item:?}"));
        }
        fn address(&mut self, field: AddressField, address: Address<'a>) {
            self.0.push(format!("address {field:?} {address:?}"));
        }
        fn envelope(&mut self, envelope: &Envelope<'a>) {
            self.0.push(format!("envelope {envelope:?}"));
        }
        fn multipart_start(&mut self) {
            self.0.push("multipart".into());
        }
        fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
            self.0.push(format!("multipart end {multipart:?}"));
        }
        fn message_start(&mut self) {
            self.0.push("message".into());
        }
        fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
            self.0.push(format!("param {of:?} {name:?} {value:?}"));
        }
        fn part(&mut self, part: &SinglePart<'a>) {
            self.0.push(format!("part {part:?}"));
        }
    }

    /// All a parse of `frame` gives, as text: the plain parse, the visited
    /// parse and the visitor's events, every nested list walked.
    fn render(frame: &[u8], opts: &ParseOptions) -> String {
        let plain = parse_response(frame, opts);
        let mut events = Events::default();
        let visited = parse_response_with(frame, opts, &mut events);
        format!("{plain:?}\n{visited:?}\n{:?}", events.0)
    }

    /// [`render`] with the fast readings and without them (the rules
    /// alone).
    fn both_ways(frame: &[u8], opts: &ParseOptions) -> (String, String) {
        OFF.store(false, core::sync::atomic::Ordering::Relaxed);
        let fast = render(frame, opts);
        OFF.store(true, core::sync::atomic::Ordering::Relaxed);
        let rules = render(frame, opts);
        OFF.store(false, core::sync::atomic::Ordering::Relaxed);
        (fast, rules)
    }

    /// Frames the fast readings meet at the top level too: message parts, a single part,
    /// a multipart with a disposition and a language list, NIL address
    /// lists, group syntax, an envelope with a literal.
    const MORE: &[&str] = &[
        // message parts at the top: without their envelope and body (a
        // visitor gets a message start), and with them
        "* 8 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5 NIL NIL NIL NIL))\r\n",
        "* 9 FETCH (BODY (\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"8BIT\" 50 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1) 4))\r\n",
        "* 4 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL))\r\n",
        "* 5 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" (\"A\" \"b\" \"C\" \"d\") NIL NIL \"7BIT\" 2 1) \"MIXED\" (\"BOUNDARY\" \"x\") (\"inline\" (\"A\" \"b\")) (\"en\" \"fr\") \"http://x\"))\r\n",
        "* 6 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"list\" NIL)(\"A\" NIL \"a\" \"x\")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        "* 7 FETCH (UID 1 ENVELOPE (\"d\" {2}\r\nab ((\"A\" NIL \"a\" \"x\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\") \"MIXED\" NIL NIL NIL NIL))\r\n",
    ];

    /// Whole parses (the plain parse, the visited one and its events, every
    /// list walked) come out the same with the fast readings and with the
    /// rules alone, on every frame of the corpus and on every frame with
    /// one byte changed at every position: the fast readings only take
    /// shapes the rules read the same way, and leave every error to them.
    #[test]
    fn whole_parses_agree_with_and_without_the_fast_readings() {
        let mut frames = frames();
        frames.extend(MORE.iter().map(|f| f.as_bytes().to_vec()));
        let mut lenient = ParseOptions::default();
        lenient.quirks.address_spaces = true;
        for frame in &frames {
            for o in [ParseOptions::STRICT, ParseOptions::default(), lenient] {
                let (fast, rules) = both_ways(frame, &o);
                assert_eq!(fast, rules, "{}", String::from_utf8_lossy(frame));
            }
        }
        // the default options (lenient about lone backslashes, NIL
        // parameter values, ...) and the strict ones
        let runs: [(ParseOptions, &[u8]); 2] = [
            (ParseOptions::default(), b"\"\\ ()N0{9a\r\t\x00\x80"),
            (ParseOptions::STRICT, b"\"\\ ()N0a"),
        ];
        let (mut cases, mut ok) = (0, 0);
        for (opts, bytes) in runs {
            for frame in &frames {
                for k in 14..frame.len() - 2 {
                    for &c in bytes {
                        let mut f = frame.clone();
                        f[k] = c;
                        let (fast, rules) = both_ways(&f, &opts);
                        assert_eq!(fast, rules, "{}", String::from_utf8_lossy(&f));
                        cases += 1;
                        ok += usize::from(fast.starts_with("Ok"));
                    }
                }
            }
        }
        // both kinds are there: frames that still parse, and errors
        assert!(ok > 1000 && cases - ok > 1000, "{ok} of {cases}");
    }
}
