//! The grammar of the commands of the Postfix extensions XCLIENT and
//! XFORWARD (Postfix XCLIENT_README, XFORWARD_README) and of BURL (RFC 4468
//! §3), kept apart from the core grammar of [`parse`](super).

use alloc::borrow::Cow;

use super::{Src, end, fail, trim_end};
use crate::grammar::R;
use crate::smtp::command::{Command, XAttrName, XAttributes, x_value_ok};

/// The commands of this file, or `None` for another verb.
pub(super) fn extension_command<'a>(
    src: Src<'a>,
    verb: &'a [u8],
    args: &'a [u8],
) -> Option<R<'a, Command<'a>>> {
    if verb.eq_ignore_ascii_case(b"XCLIENT") {
        Some(
            x_attributes(src, args, true)
                .map(|(r, attributes)| (r, Command::Xclient { attributes })),
        )
    } else if verb.eq_ignore_ascii_case(b"XFORWARD") {
        Some(
            x_attributes(src, args, false)
                .map(|(r, attributes)| (r, Command::Xforward { attributes })),
        )
    } else if verb.eq_ignore_ascii_case(b"BURL") {
        Some(burl(src, args))
    } else {
        None
    }
}

// xclient-command = XCLIENT 1*( SP attribute-name"="attribute-value )
// attribute-name = ( NAME | ADDR | PORT | PROTO | HELO | LOGIN | DESTADDR | DESTPORT )
// xforward-command = XFORWARD 1*( SP attribute-name"="attribute-value )
// attribute-name = ( NAME | ADDR | PORT | PROTO | HELO | IDENT | SOURCE )
// attribute-value = xtext
fn x_attributes<'a>(src: Src<'a>, args: &'a [u8], xclient: bool) -> R<'a, XAttributes<'a>> {
    let raw = trim_end(args);
    if raw.is_empty() {
        return fail(args, "attribute");
    }
    for token in raw.split(|&b| b == b' ') {
        let eq = match memchr::memchr(b'=', token) {
            Some(i) => i,
            None => return fail(token, "attribute-name \"=\" attribute-value"),
        };
        let name = match XAttrName::from_name(&token[..eq]) {
            Some(n) if (xclient && n.in_xclient()) || (!xclient && n.in_xforward()) => n,
            _ => return fail(token, "attribute-name"),
        };
        if !x_value_ok(name, &token[eq + 1..]) {
            return fail(&token[eq + 1..], "attribute-value");
        }
    }
    match src.s(raw) {
        Some(text) => end(&args[raw.len()..]).map(|(r, ())| (r, XAttributes(Cow::Borrowed(text)))),
        None => fail(raw, "ASCII attributes"),
    }
}

// burl-cmd = "BURL" SP absolute-URI [SP end-marker] CRLF
// end-marker = "LAST"                                   (RFC 4468 §3)
// absolute-URI = scheme ":" hier-part [ "?" query ]     (RFC 3986 §4.3)
// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
fn burl<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Command<'a>> {
    let t = trim_end(args);
    let sp = memchr::memchr(b' ', t).unwrap_or(t.len());
    let (url, rest) = t.split_at(sp);
    let last = match rest {
        [] => false,
        [b' ', m @ ..] if m.eq_ignore_ascii_case(b"LAST") => true,
        _ => return fail(rest, "end-marker LAST"),
    };
    let colon = match memchr::memchr(b':', url) {
        Some(c) => c,
        None => return fail(url, "absolute-URI"),
    };
    let scheme = &url[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
    // The URI characters of RFC 3986 §2 (unreserved, reserved, "%"), but
    // "#": an absolute-URI has no fragment.
    let uri_char = |b: &u8| b.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=%".contains(b);
    if !scheme_ok || colon + 1 == url.len() || !url[colon + 1..].iter().all(uri_char) {
        return fail(url, "absolute-URI");
    }
    match src.s(url) {
        Some(u) => Ok((
            &[],
            Command::Burl {
                url: Cow::Borrowed(u),
                last,
            },
        )),
        None => fail(url, "absolute-URI"),
    }
}

impl<'a> XAttributes<'a> {
    /// Validates raw attribute text for XCLIENT (`xclient`) or XFORWARD.
    pub fn parse(raw: &'a str, xclient: bool) -> Result<Self, crate::error::ParseError> {
        match x_attributes(Src::from_str(raw), raw.as_bytes(), xclient) {
            Ok((_, a)) if a.as_str() == raw => Ok(a),
            Ok(_) => Err(crate::error::ParseError::new(
                raw.as_bytes(),
                0,
                "attribute",
            )),
            Err(e) => Err(crate::grammar::to_parse_error(raw.as_bytes(), e)),
        }
    }
}
