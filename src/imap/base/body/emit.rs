//! Emitting ENVELOPE and BODYSTRUCTURE (RFC 9051 §9 `envelope`, `body`).

use crate::Error;
use crate::imap::base::body::{
    Address, AddressList, BodyExtension, BodyStructure, Envelope, MultiPart, Params, SinglePart,
    Specific,
};
use crate::imap::syntax::core::{Lazy, List};
use crate::imap::syntax::write::W;

pub(crate) fn address_list(w: &mut W<'_>, l: &AddressList<'_>) -> Result<(), Error> {
    match l.as_list() {
        None => w.raw(b"NIL"),
        Some(l) => {
            if l.is_empty() {
                // "(" 1*address ")": an empty list is NIL
                w.raw(b"NIL");
                return Ok(());
            }
            w.raw(b"(");
            for a in l.iter() {
                address(w, &a)?;
            }
            w.raw(b")");
        }
    }
    Ok(())
}

pub(crate) fn address(w: &mut W<'_>, a: &Address<'_>) -> Result<(), Error> {
    w.raw(b"(");
    w.nstring(&a.name)?;
    w.sp();
    w.nstring(&a.adl)?;
    w.sp();
    w.nstring(&a.mailbox)?;
    w.sp();
    w.nstring(&a.host)?;
    w.raw(b")");
    Ok(())
}

/// Writes an ENVELOPE value.
pub(crate) fn envelope(w: &mut W<'_>, e: &Envelope<'_>) -> Result<(), Error> {
    w.raw(b"(");
    w.nstring(&e.date)?;
    w.sp();
    w.nstring(&e.subject)?;
    for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        w.sp();
        address_list(w, l)?;
    }
    w.sp();
    w.nstring(&e.in_reply_to)?;
    w.sp();
    w.nstring(&e.message_id)?;
    w.raw(b")");
    Ok(())
}

pub(crate) fn params(w: &mut W<'_>, p: &Params<'_>) -> Result<(), Error> {
    match p {
        None => w.raw(b"NIL"),
        Some(l) if l.is_empty() => w.raw(b"NIL"),
        Some(l) => {
            w.raw(b"(");
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.string(k.as_bytes())?;
                w.sp();
                w.nstring(&v)?;
            }
            w.raw(b")");
        }
    }
    Ok(())
}

pub(crate) fn ext_tail(w: &mut W<'_>, e: &BodyExtension<'_>) -> Result<(), Error> {
    let Some(d) = &e.disposition else {
        return Ok(());
    };
    w.sp();
    match d {
        None => w.raw(b"NIL"),
        Some(d) => {
            w.raw(b"(");
            w.string(d.kind.as_bytes())?;
            w.sp();
            params(w, &d.params)?;
            w.raw(b")");
        }
    }
    let Some(lang) = &e.language else {
        return Ok(());
    };
    w.sp();
    match lang {
        None => w.raw(b"NIL"),
        Some(l) => {
            let v = l.to_vec();
            if v.len() == 1 {
                w.string(v[0].as_bytes())?;
            } else if v.is_empty() {
                w.raw(b"NIL");
            } else {
                w.raw(b"(");
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.string(s.as_bytes())?;
                }
                w.raw(b")");
            }
        }
    }
    let Some(loc) = &e.location else {
        return Ok(());
    };
    w.sp();
    w.nstring(loc)?;
    if let Some(x) = &e.extensions {
        if x.contains(&0) {
            return Err(Error::Emit(crate::error::Unemittable::Nul {
                field: "body extension",
            }));
        }
        w.raw(x);
    }
    Ok(())
}

/// Writes a BODY (`ext == false`: no extension data) or BODYSTRUCTURE value.
pub(crate) fn body(w: &mut W<'_>, b: &BodyStructure<'_>, ext: bool) -> Result<(), Error> {
    body_at(w, b, ext, 1)
}

/// A body at nesting level `depth`. This frame (with [`body_parts`]' or
/// [`message_body`]'s) is what stays on the stack per level: the fields of a
/// level are written by callees that return before the next level starts,
/// and the results go through one variable, not `?` (debug builds give each
/// temporary of `?` its own slot).
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
pub(crate) fn body_at(
    w: &mut W<'_>,
    b: &BodyStructure<'_>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let mut r = crate::imap::syntax::write::check_depth(depth);
    if r.is_err() {
        return r;
    }
    w.raw(b"(");
    match b {
        BodyStructure::Multi(m) => {
            r = body_parts(w, &m.parts, ext, depth + 1);
            if r.is_err() {
                return r;
            }
            r = multi_fields(w, m, ext);
        }
        BodyStructure::Single(s) => {
            r = single_fields(w, s);
            if r.is_err() {
                return r;
            }
            if let Specific::Message {
                envelope: e,
                body: inner,
                lines,
            } = &s.specific
            {
                r = message_envelope(w, e);
                if r.is_err() {
                    return r;
                }
                r = message_body(w, inner, ext, depth + 1);
                if r.is_err() {
                    return r;
                }
                w.sp();
                w.num(u64::from(*lines));
            }
            r = single_ext(w, s, ext);
        }
    }
    if r.is_ok() {
        w.raw(b")");
    }
    r
}

/// The parts of a multipart, at level `depth`: by reference when the
/// application built them, else parsed again one at a time.
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
pub(crate) fn body_parts(
    w: &mut W<'_>,
    parts: &List<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let Some(items) = parts.items() else {
        return body_parts_wire(w, parts, ext, depth);
    };
    if items.is_empty() {
        return Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "multipart body part",
        }));
    }
    for p in items {
        let r = body_at(w, p, ext, depth);
        if r.is_err() {
            return r;
        }
    }
    Ok(())
}

/// [`body_parts`] of a parsed multipart: one part at a time in this frame.
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
#[inline(never)]
pub(crate) fn body_parts_wire(
    w: &mut W<'_>,
    parts: &List<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let mut it = parts.iter();
    let mut any = false;
    loop {
        let p = it.next();
        let Some(p) = &p else {
            break;
        };
        let r = body_at(w, p, ext, depth);
        if r.is_err() {
            return r;
        }
        any = true;
    }
    if !any {
        return Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "multipart body part",
        }));
    }
    Ok(())
}

/// `SP media-subtype [SP body-ext-mpart]` of a multipart.
#[inline(never)]
pub(crate) fn multi_fields(w: &mut W<'_>, m: &MultiPart<'_>, ext: bool) -> Result<(), Error> {
    w.sp();
    w.string(m.subtype.as_bytes())?;
    if ext {
        if let Some(p) = &m.params {
            w.sp();
            params(w, p)?;
            ext_tail(w, &m.ext)?;
        }
    }
    Ok(())
}

/// `media-type SP media-subtype SP body-fields`, and `SP body-fld-lines` of
/// a text part.
#[inline(never)]
pub(crate) fn single_fields(w: &mut W<'_>, s: &SinglePart<'_>) -> Result<(), Error> {
    w.string(s.media_type.as_bytes())?;
    w.sp();
    w.string(s.subtype.as_bytes())?;
    w.sp();
    params(w, &s.params)?;
    w.sp();
    w.nstring(&s.id)?;
    w.sp();
    w.nstring(&s.description)?;
    w.sp();
    w.string(s.encoding.as_bytes())?;
    w.sp();
    w.num(u64::from(s.size));
    if let Specific::Text { lines } = &s.specific {
        w.sp();
        w.num(u64::from(*lines));
    }
    Ok(())
}

/// `SP envelope SP` of a message part.
#[inline(never)]
pub(crate) fn message_envelope(w: &mut W<'_>, e: &Lazy<'_, Envelope<'_>>) -> Result<(), Error> {
    w.sp();
    match e.value() {
        Some(e) => envelope(w, e)?,
        None => envelope(
            w,
            &e.try_get()
                .ok_or(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "envelope",
                }))?,
        )?,
    }
    w.sp();
    Ok(())
}

/// The body of a message part, at level `depth`: by reference when the
/// application built it, else parsed again.
pub(crate) fn message_body(
    w: &mut W<'_>,
    b: &Lazy<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    match b.value() {
        Some(b) => body_at(w, b, ext, depth),
        None => message_body_wire(w, b, ext, depth),
    }
}

/// [`message_body`] of a parsed message part: the body in this frame.
#[inline(never)]
pub(crate) fn message_body_wire(
    w: &mut W<'_>,
    b: &Lazy<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let b = b.try_get();
    match &b {
        Some(b) => body_at(w, b, ext, depth),
        None => Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "body",
        })),
    }
}

/// `[SP body-ext-1part]` of a single part.
#[inline(never)]
pub(crate) fn single_ext(w: &mut W<'_>, s: &SinglePart<'_>, ext: bool) -> Result<(), Error> {
    if ext {
        if let Some(md5) = &s.md5 {
            w.sp();
            w.nstring(md5)?;
            ext_tail(w, &s.ext)?;
        }
    }
    Ok(())
}
