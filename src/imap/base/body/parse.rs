//! ENVELOPE and BODYSTRUCTURE rules (RFC 9051 §9, RFC 3501 §9).
//!
//! Recursive rules (`body` inside multiparts and message/rfc822) spend one
//! level of the depth budget per nesting level.

use alloc::borrow::Cow;

use nom::Parser as _;
use nom::combinator::map;
use nom::sequence::{delimited, separated_pair};

use crate::imap::base::body::fast::{
    address_elem, body_elem, check_address, check_mpart_tail, check_part, param_elem, read_address,
    read_mpart_tail, read_part,
};
use crate::imap::base::body::sink::{AddressField, BodySink as Sink, ParamsOf, Quiet};
use crate::imap::base::body::{
    Address, AddressList, BodyExtension, BodyStructure, Disposition, Envelope, MultiPart, Params,
    SinglePart, Specific,
};
use crate::imap::syntax::core::{Ctx, IString, Lazy, List, NString, Sep};
use crate::imap::syntax::input::{In, PError, R, byte, descend, eat, sp, spaces, validate};
use crate::imap::syntax::rules::{is_nil, nstring, number, skip_parens, skip_value, string};

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
pub(crate) fn address(i: In<'_>) -> R<'_, Address<'_>> {
    let (i, ()) = byte(b'(', "'(' of address")(i)?;
    let (i, name) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, adl) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, mailbox) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, host) = nstring(i)?;
    let (i, ()) = byte(b')', "')' of address")(i)?;
    Ok((
        i,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}

/// `env-from = "(" 1*address ")" / nil` (and the other address lists);
/// spaces between addresses under [`Quirks::address_spaces`](super::Quirks).
fn address_list<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    field: AddressField,
) -> R<'a, AddressList<'a>> {
    if let (i, true) = is_nil(i) {
        return Ok((i, AddressList::nil()));
    }
    if i.st.trusted {
        let (i, raw) = skip_parens(i)?;
        let list = List::wire(raw, address_elem, Sep::None, i.ctx());
        return Ok((i, AddressList::parsed(list)));
    }
    let (mut i, ()) = byte(b'(', "'(' of address list or NIL")(i)?;
    let start = i;
    let address_spaces = i.q().address_spaces;
    loop {
        if !S::ACTIVE {
            if let Some(rest) = check_address(i) {
                i = rest;
            } else {
                (i, ()) = validate(address)(i)?;
            }
        } else if let Some((rest, a)) = read_address(i) {
            i = rest;
            s.address(field, a);
        } else {
            let a;
            (i, a) = address(i)?;
            s.address(field, a);
        }
        if address_spaces {
            (i, ()) = spaces(i)?;
        }
        if i.peek() == Some(b')') {
            break;
        }
    }
    let raw = start.upto(&i);
    Ok((
        i.skip(1),
        AddressList::parsed(List::wire(raw, address_elem, Sep::None, i.ctx())),
    ))
}

/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
///            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
/// ```
pub(crate) fn envelope(i: In<'_>) -> R<'_, Envelope<'_>> {
    envelope_v(i, &mut Quiet)
}

/// [`envelope`], reporting to a visitor.
pub(crate) fn envelope_v<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, Envelope<'a>> {
    let (i, ()) = byte(b'(', "'(' of envelope")(i)?;
    let (i, date) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, subject) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, from) = address_list(i, s, AddressField::From)?;
    let (i, ()) = sp(i)?;
    let (i, sender) = address_list(i, s, AddressField::Sender)?;
    let (i, ()) = sp(i)?;
    let (i, reply_to) = address_list(i, s, AddressField::ReplyTo)?;
    let (i, ()) = sp(i)?;
    let (i, to) = address_list(i, s, AddressField::To)?;
    let (i, ()) = sp(i)?;
    let (i, cc) = address_list(i, s, AddressField::Cc)?;
    let (i, ()) = sp(i)?;
    let (i, bcc) = address_list(i, s, AddressField::Bcc)?;
    let (i, ()) = sp(i)?;
    let (i, in_reply_to) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, message_id) = nstring(i)?;
    let (i, ()) = byte(b')', "')' of envelope")(i)?;
    // built in place (no move after reporting it: this is the hot path)
    let r = Ok((
        i,
        Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        },
    ));
    if let (true, Ok((_, e))) = (S::ACTIVE, &r) {
        s.envelope(e);
    }
    r
}

/// `string SP string` of `body-fld-param` (`string SP nstring` under
/// [`Quirks::nil_param_value`](super::Quirks)).
pub(crate) fn param_pair(i: In<'_>) -> R<'_, (IString<'_>, Option<IString<'_>>)> {
    let (i, k) = string(i)?;
    let (i, ()) = sp(i)?;
    // NIL checked first: a string value (the usual case) needs no quirk test
    let (i, v) = match is_nil(i) {
        (rest, true) if i.q().nil_param_value => (rest, None),
        _ => map(string, Some).parse(i)?,
    };
    Ok((i, (k, v)))
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
fn body_fld_param<'a, S: Sink<'a>>(i: In<'a>, s: &mut S, of: ParamsOf) -> R<'a, Params<'a>> {
    if let (i, true) = is_nil(i) {
        return Ok((i, None));
    }
    if i.st.trusted && i.peek() == Some(b'(') {
        let (i, raw) = skip_parens(i)?;
        return Ok((i, Some(List::wire(raw, param_elem, Sep::Space, i.ctx()))));
    }
    let (mut i, ()) = byte(b'(', "'(' of body-fld-param or NIL")(i)?;
    let start = i;
    if i.peek() == Some(b')') && i.q().nil_param_value {
        return Ok((
            i.skip(1),
            Some(List::wire(start.upto(&i), param_elem, Sep::Space, i.ctx())),
        ));
    }
    loop {
        if S::ACTIVE {
            let (k, v);
            (i, (k, v)) = param_pair(i)?;
            s.param(of, k, v);
        } else {
            (i, ()) = validate(param_pair)(i)?;
        }
        if i.peek() == Some(b')') {
            break;
        }
        (i, ()) = sp(i)?;
    }
    let raw = start.upto(&i);
    Ok((
        i.skip(1),
        Some(List::wire(raw, param_elem, Sep::Space, i.ctx())),
    ))
}

/// A part read by [`read_part`] (not a message part), reported with the
/// events the rules send, in their order: its parameters, its
/// disposition's parameters, the part.
#[inline]
fn report_part<'a, S: Sink<'a>>(s: &mut S, part: &SinglePart<'a>) {
    if !S::ACTIVE {
        return;
    }
    report_params(s, ParamsOf::Part, &part.params);
    if let Some(Some(d)) = &part.ext.disposition {
        report_params(s, ParamsOf::Disposition, &d.params);
    }
    s.part(part);
}

/// The pairs of a parameter list read by [`read_part`], reported as the
/// rules report them while parsing.
fn report_params<'a, S: Sink<'a>>(s: &mut S, of: ParamsOf, params: &Params<'a>) {
    if let Some(list) = params {
        for (k, v) in list.iter() {
            s.param(of, k, v);
        }
    }
}

/// The pairs of the parameter lists of a multipart read by
/// [`read_mpart_tail`], reported as the rules report them while parsing.
#[inline]
fn report_mpart_params<'a, S: Sink<'a>>(
    s: &mut S,
    params: &Option<Params<'a>>,
    ext: &BodyExtension<'a>,
) {
    if !S::ACTIVE {
        return;
    }
    if let Some(p) = params {
        report_params(s, ParamsOf::Multipart, p);
    }
    if let Some(Some(d)) = &ext.disposition {
        report_params(s, ParamsOf::Disposition, &d.params);
    }
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
fn body_fld_dsp<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, Option<Disposition<'a>>> {
    if let (i, true) = is_nil(i) {
        return Ok((i, None));
    }
    map(
        delimited(
            byte(b'(', "'(' of body-fld-dsp or NIL"),
            separated_pair(string, sp, |i| body_fld_param(i, s, ParamsOf::Disposition)),
            byte(b')', "')' of body-fld-dsp"),
        ),
        |(kind, params)| Some(Disposition { kind, params }),
    )
    .parse(i)
}

/// `body-fld-lang = nstring / "(" string *(SP string) ")"`
fn body_fld_lang(i: In<'_>) -> R<'_, Option<List<'_, IString<'_>>>> {
    if i.peek() == Some(b'(') {
        let start = i.skip(1);
        let mut i = start;
        loop {
            (i, ()) = validate(string)(i)?;
            if i.peek() == Some(b')') {
                break;
            }
            (i, ()) = sp(i)?;
        }
        let raw = start.upto(&i);
        return Ok((
            i.skip(1),
            Some(List::wire(raw, string, Sep::Space, i.ctx())),
        ));
    }
    if let (i, true) = is_nil(i) {
        return Ok((i, None));
    }
    let (rest, ()) = validate(string)(i)?;
    Ok((
        rest,
        Some(List::wire(i.upto(&rest), string, Sep::Space, rest.ctx())),
    ))
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
fn body_ext_tail<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyExtension<'a>> {
    let mut ext = BodyExtension::default();
    let (i, true) = eat(b' ')(i)? else {
        return Ok((i, ext));
    };
    let (i, dsp) = body_fld_dsp(i, s)?;
    ext.disposition = Some(dsp);
    let (i, true) = eat(b' ')(i)? else {
        return Ok((i, ext));
    };
    let (i, lang) = body_fld_lang(i)?;
    ext.language = Some(lang);
    let (i, true) = eat(b' ')(i)? else {
        return Ok((i, ext));
    };
    let (mut i, loc) = nstring(i)?;
    ext.location = Some(loc);
    if i.peek() == Some(b' ') {
        let start = i;
        // body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
        while let (rest, true) = eat(b' ')(i)? {
            (i, _) = skip_value(rest)?;
        }
        ext.extensions = Some(Cow::Borrowed(start.upto(&i)));
    }
    Ok((i, ext))
}

/// `body-fld-enc`; NIL read as empty under [`Quirks::nil_body_encoding`](super::Quirks).
fn body_fld_enc(i: In<'_>) -> R<'_, IString<'_>> {
    // NIL checked first: a string (the usual case) needs no quirk test
    match is_nil(i) {
        (rest, true) if i.q().nil_body_encoding => Ok((rest, IString(Cow::Borrowed(b"")))),
        _ => string(i),
    }
}

/// `body-fld-octets = number`; `body-fld-lines = number64` (u32 kept)
fn octets(i: In<'_>) -> R<'_, u32> {
    number(i)
}

/// ```text
/// body            = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
/// body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// ```
pub(crate) fn body(i: In<'_>) -> R<'_, BodyStructure<'_>> {
    body_v(i, &mut Quiet)
}

/// [`body`], reporting to a visitor.
pub(crate) fn body_v<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyStructure<'a>> {
    let depth = i.st.depth;
    let i = descend(i)?;
    let (i, ()) = byte(b'(', "'(' of body")(i)?;
    let (mut rest, b) = if i.peek() == Some(b'(') {
        body_type_mpart(i, s)?
    } else {
        body_type_1part_top(i, s)?
    };
    rest.st.depth = depth;
    Ok((rest, b))
}

/// `body-type-1part` at the top of a body structure: read in one pass when
/// it has the usual shape (a message part, which sends a visitor a message
/// start, always takes the rules), else by the rules.
#[inline(never)]
fn body_type_1part_top<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyStructure<'a>> {
    if !S::ACTIVE || surely_not_message(&i) {
        if let Some((rest, part)) = read_part(i) {
            report_part(s, &part);
            return Ok((rest, BodyStructure::Single(part)));
        }
    }
    body_type_1part(i, s)
}

// The recursion. A nested `body` (a part of a multipart, the body of a
// message/rfc822 part) is one nesting level deeper, and its value is not
// built: the outer body keeps its wire bytes. Without a visitor, one frame
// of `nested_body` stays on the stack per level; with one, a message part
// adds `nested_1part_loud` and `body_type_msg`. These keep a few words: the
// work of a level (strings, fields, envelope, extension data, the value a
// visitor sees) runs in callees that are not inlined and return before the
// next level starts, and no combinator, closure or `?` temporary sits in the
// recursive frames (debug builds give each call its own frame and each
// temporary its own slot). See `ParseOptions::MAX_NESTING_DEPTH` and
// tests/nesting_stack.rs.

/// A nested `body`, one nesting level deeper: reported to `s` when it is
/// active, else validated only (in discard mode). Never in trusted mode
/// (trusted parts are skipped structurally).
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
fn nested_body<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, ()> {
    let st = i.st;
    let mut i = match descend(i) {
        Ok(i) => i,
        Err(e) => return Err(e),
    };
    if !S::ACTIVE {
        i.st.discard = true;
    }
    if i.peek() != Some(b'(') {
        return i.err("'(' of body");
    }
    i = i.skip(1);
    let r = if i.peek() == Some(b'(') {
        // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
        s.multipart_start();
        let start = i;
        let part_spaces = i.q().address_spaces;
        loop {
            match nested_body(i, s) {
                Ok((rest, ())) => i = rest,
                Err(e) => return Err(e),
            }
            if part_spaces {
                i = part_spaces_skip(i);
            }
            if i.peek() != Some(b'(') {
                break;
            }
        }
        nested_mpart_end(start, i, s)
    } else if S::ACTIVE {
        if surely_not_message(&i) {
            nested_basic_loud(i, s)
        } else {
            nested_1part_loud(i, s)
        }
    } else if let Some(rest) = check_part(i) {
        Ok((rest, ()))
    } else {
        match part_head_quiet(i) {
            Ok((rest, true)) => match msg_envelope_quiet(rest) {
                Ok((rest, ())) => match nested_body(rest, s) {
                    Ok((rest, ())) => nested_msg_end_quiet(rest),
                    Err(e) => return Err(e),
                },
                Err(e) => return Err(e),
            },
            Ok((rest, false)) => nested_1part_end_quiet(rest),
            Err(e) => return Err(e),
        }
    };
    match r {
        Ok((mut rest, ())) => {
            rest.st.depth = st.depth;
            rest.st.discard = st.discard;
            Ok((rest, ()))
        }
        Err(e) => Err(e),
    }
}

/// Spaces between the parts of a multipart (some servers send them).
#[inline(always)]
fn part_spaces_skip(mut i: In<'_>) -> In<'_> {
    while i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
        i = i.skip(1);
    }
    i
}

/// What follows the parts of a nested multipart (`start` is its first
/// part): built and reported when `s` is active, else validated.
#[inline(never)]
fn nested_mpart_end<'a, S: Sink<'a>>(start: In<'a>, i: In<'a>, s: &mut S) -> R<'a, ()> {
    let parts = start.upto(&i);
    if !S::ACTIVE {
        if let Some(rest) = check_mpart_tail(i) {
            return Ok((rest, ()));
        }
    } else if let Some((rest, (subtype, params, ext))) = read_mpart_tail(i) {
        report_mpart_params(s, &params, &ext);
        s.multipart_end(&MultiPart {
            parts: List::wire(parts, body_elem, Sep::None, start.ctx()),
            subtype,
            params,
            ext,
        });
        return Ok((rest, ()));
    }
    let (i, ()) = sp(i)?;
    let (i, subtype) = string(i)?;
    let (i, (params, ext)) = body_ext_mpart(i, s)?;
    if S::ACTIVE {
        s.multipart_end(&MultiPart {
            parts: List::wire(parts, body_elem, Sep::None, start.ctx()),
            subtype,
            params,
            ext,
        });
    }
    byte(b')', "')' of body")(i)
}

/// A single part up to its type-specific fields, validated: whether a
/// message part's envelope and body follow (a text part's line count is
/// read here).
#[inline(never)]
fn part_head_quiet(i: In<'_>) -> R<'_, bool> {
    let (i, (head, message)) = part_head(i, &mut Quiet)?;
    if message && is_msg_body(&i) {
        return Ok((i, true));
    }
    let (i, _) = part_lines(i, &head.0)?;
    Ok((i, false))
}

/// `SP envelope SP` of a nested message part, validated.
#[inline(never)]
fn msg_envelope_quiet(i: In<'_>) -> R<'_, ()> {
    let (i, ()) = sp(i)?;
    let (i, _) = msg_envelope(i, &mut Quiet)?;
    Ok((i, ()))
}

/// `SP body-fld-lines [SP body-ext-1part] ")"` after the body of a nested
/// message part, validated.
#[inline(never)]
fn nested_msg_end_quiet(i: In<'_>) -> R<'_, ()> {
    let (i, ()) = sp(i)?;
    let (i, _) = number(i)?;
    nested_1part_end_quiet(i)
}

/// `[SP body-ext-1part] ")"` of a nested part, validated.
#[inline(never)]
fn nested_1part_end_quiet(i: In<'_>) -> R<'_, ()> {
    let (i, _) = body_ext_1part(i, &mut Quiet)?;
    byte(b')', "')' of body")(i)
}

/// Whether the single part at `i` (after its `(`) cannot be a message
/// part: its media type is a quoted string whose first seven bytes have no
/// escape and are not `MESSAGE"` with its closing quote (what servers send;
/// anything else takes the path that may nest).
#[inline(always)]
fn surely_not_message(i: &In<'_>) -> bool {
    match i.rest {
        [b'"', t @ ..] if t.len() >= 8 => {
            let escaped = t[..7].contains(&b'\\');
            let message = t[..7].eq_ignore_ascii_case(b"MESSAGE") && t[7] == b'"';
            !escaped && !message
        }
        _ => false,
    }
}

/// A nested single part that is not a message part, reported to a visitor,
/// then its `)`: no level nests below it.
#[inline(never)]
fn nested_basic_loud<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, ()> {
    if let Some((rest, part)) = read_part(i) {
        report_part(s, &part);
        return Ok((rest, ()));
    }
    let (i, (head, _)) = part_head(i, s)?;
    let (i, specific) = part_lines(i, &head.0)?;
    nested_part_end(i, s, head, specific)
}

/// `[SP body-ext-1part]` of a nested part, the part reported, then its `)`.
#[inline]
fn nested_part_end<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    head: PartHead<'a>,
    specific: Specific<'a>,
) -> R<'a, ()> {
    let (i, (md5, ext)) = body_ext_1part(i, s)?;
    s.part(&single_part(head, specific, md5, ext));
    byte(b')', "')' of body")(i)
}

/// `body-type-1part` of a nested body reported to a visitor (which gets the
/// whole part after its envelope and body), then its `)`. Its frame keeps
/// the part's head across the recursion into a message part's body.
#[inline(never)]
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
fn nested_1part_loud<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, ()> {
    let mut head = None;
    let i = match part_head_to(i, s, &mut head) {
        Ok((i, true)) => i,
        Ok((i, false)) => return nested_basic_end_loud(i, s, &mut head),
        Err(e) => return Err(e),
    };
    let ctx = i.ctx();
    let (start, env_raw) = match msg_envelope_loud(i, s) {
        Ok(v) => v,
        Err(e) => return Err(e),
    };
    match nested_body(start, s) {
        Ok((rest, ())) => {
            let body_raw = start.upto(&rest);
            nested_msg_end_loud(rest, s, &mut head, ctx, env_raw, body_raw)
        }
        Err(e) => Err(e),
    }
}

/// [`part_head`] into `head`: whether a message part's envelope and body
/// follow.
#[inline(never)]
fn part_head_to<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    head: &mut Option<PartHead<'a>>,
) -> R<'a, bool> {
    let (i, (h, message)) = part_head(i, s)?;
    *head = Some(h);
    Ok((i, message && is_msg_body(&i)))
}

/// `SP envelope SP` of a nested message part, reported: the input at its
/// body and the envelope's wire bytes.
#[inline(never)]
fn msg_envelope_loud<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
) -> Result<(In<'a>, &'a [u8]), nom::Err<PError>> {
    let (i, ()) = sp(i)?;
    msg_envelope(i, s)
}

/// The rest of a nested part that is not a message, reported, then its `)`.
#[inline(never)]
fn nested_basic_end_loud<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    head: &mut Option<PartHead<'a>>,
) -> R<'a, ()> {
    let Some(head) = head.take() else {
        return i.fail("body-type-1part");
    };
    let (i, specific) = part_lines(i, &head.0)?;
    nested_part_end(i, s, head, specific)
}

/// `SP body-fld-lines` and the rest of a nested message part whose
/// envelope and body were read, reported, then its `)`.
#[inline(never)]
fn nested_msg_end_loud<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    head: &mut Option<PartHead<'a>>,
    ctx: Ctx,
    env_raw: &'a [u8],
    body_raw: &'a [u8],
) -> R<'a, ()> {
    let Some(head) = head.take() else {
        return i.fail("body-type-1part");
    };
    let (i, ()) = sp(i)?;
    let (i, lines) = number(i)?;
    let specific = Specific::Message {
        envelope: Lazy::wire(env_raw, envelope, ctx),
        body: Lazy::wire(body_raw, body, ctx),
        lines,
    };
    nested_part_end(i, s, head, specific)
}

/// `1*body` of a multipart, each part one nesting level deeper (skipped
/// structurally in trusted mode): the input after the last part.
fn parts<'a, S: Sink<'a>>(mut i: In<'a>, s: &mut S) -> Result<In<'a>, nom::Err<PError>> {
    let part_spaces = i.q().address_spaces;
    loop {
        if i.st.trusted {
            (i, _) = skip_parens(i)?;
        } else {
            (i, ()) = nested_body(i, s)?;
        }
        if part_spaces {
            // some servers separate parts with spaces too
            i = part_spaces_skip(i);
        }
        if i.peek() != Some(b'(') {
            return Ok(i);
        }
    }
}

/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`, reported,
/// then the `)` of `body`.
fn body_type_mpart<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyStructure<'a>> {
    s.multipart_start();
    let rest = parts(i, s)?;
    mpart_end(i, rest, s)
}

/// `SP media-subtype [SP body-ext-mpart]` after the parts of a multipart
/// whose first part is at `start`, reported, then the `)` of `body`.
#[inline]
fn mpart_end<'a, S: Sink<'a>>(start: In<'a>, i: In<'a>, s: &mut S) -> R<'a, BodyStructure<'a>> {
    let parts = List::wire(start.upto(&i), body_elem, Sep::None, start.ctx());
    if let Some((rest, (subtype, params, ext))) = read_mpart_tail(i) {
        report_mpart_params(s, &params, &ext);
        let m = MultiPart {
            parts,
            subtype,
            params,
            ext,
        };
        s.multipart_end(&m);
        return Ok((rest, BodyStructure::Multi(m)));
    }
    let (i, ()) = sp(i)?;
    let (i, subtype) = string(i)?;
    let (i, (params, ext)) = body_ext_mpart(i, s)?;
    let b = BodyStructure::Multi(MultiPart {
        parts,
        subtype,
        params,
        ext,
    });
    if let (true, BodyStructure::Multi(m)) = (S::ACTIVE, &b) {
        s.multipart_end(m);
    }
    let (i, ()) = byte(b')', "')' of body")(i)?;
    Ok((i, b))
}

/// `[SP body-ext-mpart]`
fn body_ext_mpart<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
) -> R<'a, (Option<Params<'a>>, BodyExtension<'a>)> {
    let (i, true) = eat(b' ')(i)? else {
        return Ok((i, (None, BodyExtension::default())));
    };
    let (i, params) = body_fld_param(i, s, ParamsOf::Multipart)?;
    let (i, ext) = body_ext_tail(i, s)?;
    Ok((i, (Some(params), ext)))
}

/// `media-type SP media-subtype SP body-fields` of a single part.
type PartHead<'a> = (IString<'a>, IString<'a>, BodyFields<'a>);

/// The [`PartHead`] of a single part, and whether its type is
/// message/rfc822 or message/global (reported as a message start). Inlined:
/// its callers do not recurse, and its value is not copied out.
#[inline(always)]
fn part_head<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, (PartHead<'a>, bool)> {
    let (i, media_type) = string(i)?;
    let (i, ()) = sp(i)?;
    let (i, subtype) = string(i)?;
    let (i, ()) = sp(i)?;
    let st = subtype.as_bytes();
    let message = media_type.as_bytes().eq_ignore_ascii_case(b"MESSAGE")
        && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"));
    if message {
        s.message_start();
    }
    let (i, fields) = body_fields(i, s)?;
    Ok((i, ((media_type, subtype, fields), message)))
}

/// Whether `SP envelope SP body SP body-fld-lines` comes next (a message
/// part without them is read as a basic part).
fn is_msg_body(i: &In<'_>) -> bool {
    i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(')
}

/// The fields after `body-fields` of a part that is not a message:
/// `SP body-fld-lines` of a text part, nothing else.
#[inline]
fn part_lines<'a>(i: In<'a>, media_type: &IString<'_>) -> R<'a, Specific<'a>> {
    if media_type.as_bytes().eq_ignore_ascii_case(b"TEXT") {
        let (i, ()) = sp(i)?;
        let (i, lines) = number(i)?;
        Ok((i, Specific::Text { lines }))
    } else {
        Ok((i, Specific::Basic))
    }
}

/// `body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]`,
/// reported, then the `)` of `body`.
#[inline]
fn body_type_1part<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyStructure<'a>> {
    let (i, (head, message)) = part_head(i, s)?;
    let (i, specific) = if message && is_msg_body(&i) {
        body_type_msg(i, s)?
    } else {
        part_lines(i, &head.0)?
    };
    body_1part_end(i, s, head, specific)
}

/// `[SP body-ext-1part]`, the part reported, then the `)` of `body`.
#[inline]
fn body_1part_end<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
    head: PartHead<'a>,
    specific: Specific<'a>,
) -> R<'a, BodyStructure<'a>> {
    let (i, (md5, ext)) = body_ext_1part(i, s)?;
    let b = BodyStructure::Single(single_part(head, specific, md5, ext));
    if let (true, BodyStructure::Single(single)) = (S::ACTIVE, &b) {
        s.part(single);
    }
    let (i, ()) = byte(b')', "')' of body")(i)?;
    Ok((i, b))
}

/// A single part from its fields.
#[inline(always)]
pub(crate) fn single_part<'a>(
    (media_type, subtype, (params, id, description, encoding, size)): PartHead<'a>,
    specific: Specific<'a>,
    md5: Option<NString<'a>>,
    ext: BodyExtension<'a>,
) -> SinglePart<'a> {
    SinglePart {
        media_type,
        subtype,
        params,
        id,
        description,
        encoding,
        size,
        specific,
        md5,
        ext,
    }
}

/// The fields of `body-fields`.
type BodyFields<'a> = (Params<'a>, NString<'a>, NString<'a>, IString<'a>, u32);

/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets`
#[inline]
fn body_fields<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, BodyFields<'a>> {
    let (i, params) = body_fld_param(i, s, ParamsOf::Part)?;
    let (i, ()) = sp(i)?;
    let (i, id) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, description) = nstring(i)?;
    let (i, ()) = sp(i)?;
    let (i, encoding) = body_fld_enc(i)?;
    let (i, ()) = sp(i)?;
    let (i, size) = octets(i)?;
    Ok((i, (params, id, description, encoding, size)))
}

/// `SP envelope SP body SP body-fld-lines` of `body-type-msg` (the envelope
/// and the body kept as wire bytes; the body is one nesting level deeper).
fn body_type_msg<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, Specific<'a>> {
    let (i, ()) = sp(i)?;
    let ctx = i.ctx();
    let (i, env_raw) = msg_envelope(i, s)?;
    let start = i;
    let (i, ()) = if i.st.trusted {
        let (i, _) = skip_parens(i)?;
        (i, ())
    } else {
        nested_body(i, s)?
    };
    let body_raw = start.upto(&i);
    let (i, ()) = sp(i)?;
    let (i, lines) = number(i)?;
    Ok((
        i,
        Specific::Message {
            envelope: Lazy::wire(env_raw, envelope, ctx),
            body: Lazy::wire(body_raw, body, ctx),
            lines,
        },
    ))
}

/// `envelope SP` of `body-type-msg`: the envelope reported to `s` when it
/// is active, else validated (skipped structurally in trusted mode); its
/// wire bytes.
fn msg_envelope<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, &'a [u8]> {
    let (rest, ()) = if i.st.trusted {
        let (rest, _) = skip_parens(i)?;
        (rest, ())
    } else if S::ACTIVE {
        let (rest, _) = envelope_v(i, s)?;
        (rest, ())
    } else {
        validate(envelope)(i)?
    };
    let raw = i.upto(&rest);
    let (rest, ()) = sp(rest)?;
    Ok((rest, raw))
}

/// `[SP body-ext-1part]`
#[inline]
fn body_ext_1part<'a, S: Sink<'a>>(
    i: In<'a>,
    s: &mut S,
) -> R<'a, (Option<NString<'a>>, BodyExtension<'a>)> {
    let (i, true) = eat(b' ')(i)? else {
        return Ok((i, (None, BodyExtension::default())));
    };
    let (i, md5) = nstring(i)?;
    let (i, ext) = body_ext_tail(i, s)?;
    Ok((i, (Some(md5), ext)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::syntax::input::PError;
    use crate::imap::syntax::options::Quirks;
    use alloc::vec::Vec;

    /// Runs `f` on all of `s` (nothing may be left over).
    fn all<'a, T>(
        f: impl FnOnce(In<'a>) -> R<'a, T>,
        s: &'a [u8],
        q: Quirks,
        depth: usize,
    ) -> Result<T, PError> {
        match f(In::new(s, q, depth, false)) {
            Ok((rest, v)) => {
                assert!(rest.is_empty(), "left over: {:?}", rest.rest);
                Ok(v)
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
            Err(nom::Err::Incomplete(_)) => panic!("complete input"),
        }
    }

    fn parse(s: &[u8], q: Quirks) -> Result<BodyStructure<'_>, PError> {
        all(body, s, q, 64)
    }

    #[test]
    fn rfc_single_part() {
        // RFC 3501 §7.4.2 example
        let b = parse(
            b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)",
            Quirks::STRICT,
        )
        .unwrap();
        let BodyStructure::Single(s) = b else {
            panic!()
        };
        assert_eq!(s.media_type.as_bytes(), b"TEXT");
        assert_eq!(s.size, 3028);
        assert_eq!(s.specific, Specific::Text { lines: 92 });
        let params: Vec<_> = s.params.unwrap().to_vec();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].0.as_bytes(), b"CHARSET");
        assert_eq!(s.md5, None);
    }

    const NESTED: &[u8] = b"(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 120 4 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"BASE64\" 2000 26 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"r\xe9sum\xe9.pdf\") NIL NIL \"BASE64\" 40000 NIL (\"attachment\" (\"FILENAME\" \"r\xe9sum\xe9.pdf\")) NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"inner\" ((\"A\" NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL NIL \"<id@x>\") (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1) 20) \"MIXED\" (\"BOUNDARY\" \"b0\") (\"inline\" NIL) (\"en\" \"de\") \"loc\" 1 (2 \"x\"))";

    #[test]
    fn nested_multipart_with_extensions() {
        let b = parse(NESTED, Quirks::STRICT).unwrap();
        let BodyStructure::Multi(m) = b else { panic!() };
        assert_eq!(m.subtype.as_bytes(), b"MIXED");
        let parts = m.parts.to_vec();
        assert_eq!(parts.len(), 3);
        let BodyStructure::Multi(alt) = &parts[0] else {
            panic!()
        };
        assert_eq!(alt.parts.len(), 2);
        let BodyStructure::Single(pdf) = &parts[1] else {
            panic!()
        };
        let d = pdf.ext.disposition.clone().unwrap().unwrap();
        assert_eq!(d.kind.as_bytes(), b"attachment");
        assert_eq!(
            d.params.unwrap().to_vec()[0].1.as_ref().unwrap().as_bytes(),
            b"r\xe9sum\xe9.pdf"
        );
        let BodyStructure::Single(msg) = &parts[2] else {
            panic!()
        };
        let Specific::Message {
            envelope: e,
            body: inner,
            lines,
        } = &msg.specific
        else {
            panic!()
        };
        assert_eq!(*lines, 20);
        assert_eq!(e.get().subject.unwrap().as_bytes(), b"inner");
        assert!(matches!(inner.get(), BodyStructure::Single(_)));
        assert_eq!(m.ext.language.clone().unwrap().unwrap().len(), 2);
        assert_eq!(m.ext.location, Some(Some(IString::from("loc"))));
        assert_eq!(m.ext.extensions.as_deref(), Some(&b" 1 (2 \"x\")"[..]));
    }

    #[test]
    fn quirks() {
        // NIL encoding
        let nil_enc = b"(\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 3 1)";
        assert!(parse(nil_enc, Quirks::STRICT).is_err());
        assert!(parse(nil_enc, Quirks::LENIENT).is_ok());
        // Mail.ru: NIL parameter value
        let mailru = b"((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 3 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" NIL) NIL NIL NIL)";
        assert!(parse(mailru, Quirks::STRICT).is_err());
        let BodyStructure::Multi(m) = parse(mailru, Quirks::LENIENT).unwrap() else {
            panic!()
        };
        assert_eq!(m.params.unwrap().unwrap().to_vec()[0].1, None);
        // empty parameter list
        let empty = b"(\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 3 1)";
        assert!(parse(empty, Quirks::STRICT).is_err());
        assert!(parse(empty, Quirks::LENIENT).is_ok());
        // spaces between parts
        let spaced = b"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\")";
        assert!(parse(spaced, Quirks::STRICT).is_err());
        let BodyStructure::Multi(m) = parse(spaced, Quirks::LENIENT).unwrap() else {
            panic!()
        };
        assert_eq!(m.parts.len(), 2);
    }

    /// Issue 7: a Latin-1 file name in the parameters and the disposition of a
    /// part (what real servers send for old mail) parses in strict mode too, and
    /// keeps its exact bytes.
    #[test]
    fn eight_bit_parameters() {
        let b = b"(\"APPLICATION\" \"PDF\" (\"name\" \"r\xe9sum\xe9.pdf\") NIL NIL \"BASE64\" 42 NIL (\"attachment\" (\"filename\" \"r\xe9sum\xe9.pdf\")) NIL NIL)";
        for quirks in [Quirks::STRICT, Quirks::LENIENT] {
            let BodyStructure::Single(p) = parse(b, quirks).unwrap() else {
                panic!()
            };
            let params = p.params.unwrap().to_vec();
            assert_eq!(
                params[0].1.as_ref().unwrap().as_bytes(),
                b"r\xe9sum\xe9.pdf"
            );
            let debug = alloc::format!("{:?}", p.ext);
            assert!(debug.contains("attachment"), "{debug}");
        }
    }

    #[test]
    fn depth_limit() {
        let mut deep = alloc::vec![b'('; 10_000];
        deep.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
        assert_eq!(parse(&deep, Quirks::LENIENT), Err(PError::Depth(64)));
        // message/rfc822 nesting counts too
        let mut s = Vec::new();
        for _ in 0..100 {
            s.extend_from_slice(b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ");
        }
        s.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
        for _ in 0..100 {
            s.extend_from_slice(b" 1)");
        }
        assert_eq!(parse(&s, Quirks::LENIENT), Err(PError::Depth(64)));
    }

    #[test]
    fn envelopes() {
        // RFC 3501 §8 sample ENVELOPE
        let e = b"(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\")";
        let env = all(envelope, e, Quirks::STRICT, 8).unwrap();
        let cc = env.cc.iter().collect::<Vec<_>>();
        assert_eq!(cc.len(), 2);
        assert_eq!(cc[1].name.as_ref().unwrap().as_bytes(), b"John Klensin");
        assert!(env.bcc.is_nil());
        // 8-bit subject, empty quoted name (Mail.ru), spaces between addresses
        let e = b"(NIL \"Gr\xfc\xdfe\" ((\"\" NIL \"a\" \"b\") (\"x\" NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL)";
        assert!(all(envelope, e, Quirks::STRICT, 8).is_err());
        let env = all(envelope, e, Quirks::LENIENT, 8).unwrap();
        assert_eq!(env.subject.unwrap().as_bytes(), b"Gr\xfc\xdfe");
        assert_eq!(env.from.len(), 2);
    }
}
