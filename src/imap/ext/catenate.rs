//! CATENATE (RFC 4469): an APPEND whose message is put together by the
//! server from literal text and IMAP URLs (§5), and the TOOBIG and BADURL
//! response codes (§5).
//!
//! ```
//! use mailwire::imap::{parse_command, emit_command, AppendItem, CommandBody, EmitOptions, ParseOptions};
//!
//! // RFC 4469 §5: an APPEND built from a URL to a stored part and literal text
//! let frame = b"A003 APPEND Drafts CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {5}\r\nHello)\r\n";
//! let command = parse_command(frame, &ParseOptions::STRICT).unwrap();
//! let CommandBody::AppendCatenate { mailbox, messages } = &command.body else { panic!() };
//! assert_eq!(mailbox.as_bytes(), b"Drafts");
//! assert!(matches!(messages.iter().next(), Some(AppendItem::Catenate { .. })));
//! // written again (the URL as an atom: `url = "URL" SP astring`) and read back
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert!(out.starts_with(b"A003 APPEND Drafts CATENATE (URL /Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER TEXT {5}"));
//! assert_eq!(parse_command(&out, &ParseOptions::STRICT).unwrap(), command);
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::AppendCatenate`;
//! - [`Code`](crate::imap::Code)`::{TooBig, BadUrl}`.
//!
//! Registered in the crate-private `registry` (beside the central grammar):
//! its module `catenate` reads these variants with this room's rules and
//! writes them back with its emitters, and its dispatch tables list it; the
//! server machine asks `parse::uses_catenate` whether a literal is a TEXT
//! part.

use alloc::borrow::Cow;

use crate::imap::base::append::AppendMessage;
use crate::imap::syntax::core::{DateTime, Flag, IString, List};

/// `cat-part = text-literal / url` (RFC 4469 §5).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatenatePart<'a> {
    /// `TEXT literal`: bytes to insert as they are.
    Text(Cow<'a, [u8]>),
    /// `URL astring`: an IMAP URL (RFC 5092) whose data the server inserts.
    Url(IString<'a>),
}

/// One message of an APPEND that uses CATENATE (RFC 4469 §5; several with
/// MULTIAPPEND, RFC 3502): a plain literal message or a catenated one.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AppendItem<'a> {
    /// `append-opts SP (literal / literal8)`.
    Message(AppendMessage<'a>),
    /// `append-opts SP "CATENATE" SP "(" cat-part *(SP cat-part) ")"`.
    Catenate {
        /// Flags to set.
        flags: Option<List<'a, Flag<'a>>>,
        /// Internal date to set.
        date: Option<DateTime>,
        /// The parts, in order (at least one).
        parts: List<'a, CatenatePart<'a>>,
    },
}

crate::owned::into_owned! {
    enum CatenatePart { Text(t), Url(u) }
    enum AppendItem { Message(m), Catenate { flags, date, parts } }
}

/// The grammar of CATENATE: one function per ABNF rule, and the dispatch
/// that the registration uses.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::branch::alt;
    use nom::combinator::map;
    use nom::sequence::preceded;

    use super::*;

    use crate::imap::base::append::parse::{append_message, append_opts};
    use crate::imap::syntax::core::IString;
    use crate::imap::syntax::input::{In, R, at_word, expect, sp, take_while, validate, word};
    use crate::imap::syntax::rules::{astring, literal, paren_list};

    /// The `literal` of `text-literal`: a literal8 is not allowed.
    pub(crate) fn text_literal_data(i: In<'_>) -> R<'_, &[u8]> {
        if i.peek() != Some(b'{') {
            return i.err("literal");
        }
        map(literal, |(data, _)| data).parse(i)
    }

    /// ```text
    /// cat-part     = text-literal / url
    /// text-literal = "TEXT" SP literal
    /// url          = "URL" SP astring
    /// ```
    pub(crate) fn cat_part(i: In<'_>) -> R<'_, CatenatePart<'_>> {
        expect(
            "TEXT or URL",
            alt((
                map(preceded((word(b"TEXT"), sp), text_literal_data), |d| {
                    CatenatePart::Text(Cow::Borrowed(d))
                }),
                map(preceded((word(b"URL"), sp), astring), CatenatePart::Url),
            )),
        )
        .parse(i)
    }

    /// ```text
    /// append-message = append-opts SP append-data
    /// append-data    = literal / literal8 / append-data-ext
    /// append-data    =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"
    /// ```
    pub(crate) fn append_item(i: In<'_>) -> R<'_, AppendItem<'_>> {
        let (rest, (flags, date)) = append_opts(i)?;
        if let Ok((rest, ())) = word(b"CATENATE")(rest) {
            let (rest, parts) = preceded(sp, |i| paren_list(i, cat_part, false)).parse(rest)?;
            return Ok((rest, AppendItem::Catenate { flags, date, parts }));
        }
        map(append_message, AppendItem::Message).parse(i)
    }

    /// Whether the append-message at `i` uses CATENATE (looked at without
    /// building values).
    pub(crate) fn is_catenate(i: In<'_>) -> bool {
        matches!(validate(append_opts)(i), Ok((rest, ())) if at_word(&rest, b"CATENATE"))
    }

    /// Whether the start of an APPEND command (up to a literal announcement,
    /// earlier literals included) has entered a CATENATE list: its literals are
    /// `TEXT` parts, not streamed message data. Quoted strings and literal data
    /// are skipped, so a mailbox named `CATENATE (` is not mistaken for one.
    pub(crate) fn uses_catenate(head: &[u8]) -> bool {
        const KW: &[u8] = b" CATENATE (";
        let mut i = 0;
        while let Some(&b) = head.get(i) {
            match b {
                b'"' => {
                    i += 1;
                    while let Some(&c) = head.get(i) {
                        i += if c == b'\\' { 2 } else { 1 };
                        if c == b'"' {
                            break;
                        }
                    }
                }
                b'{' => {
                    // `{n}` / `{n+}` / `{n-}` CRLF, then n bytes of data
                    let digits = head
                        .get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|d| d.is_ascii_digit())
                        .count();
                    let mut j = i + 1 + digits;
                    if matches!(head.get(j), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    let n = head
                        .get(i + 1..i + 1 + digits)
                        .and_then(|d| core::str::from_utf8(d).ok())
                        .and_then(|d| d.parse::<usize>().ok());
                    match (n, head.get(j..j + 3)) {
                        (Some(n), Some(b"}\r\n")) => i = (j + 3).saturating_add(n),
                        _ => i += 1,
                    }
                }
                _ => {
                    if head
                        .get(i..i + KW.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(KW))
                    {
                        return true;
                    }
                    i += 1;
                }
            }
        }
        false
    }

    /// `url-resp-text = 1*(%x01-09 / %x0B-0C / %x0E-5C / %x5E-FE)` (the argument
    /// of the BADURL code).
    pub(crate) fn url_resp_text(i: In<'_>) -> R<'_, IString<'_>> {
        match take_while(i, |b| !matches!(b, b']' | b'\r' | b'\n' | 0)) {
            (_, []) => i.err("url-resp-text"),
            (rest, u) => Ok((rest, IString(Cow::Borrowed(u)))),
        }
    }
}

/// Emitting CATENATE.
pub(crate) mod emit {
    use super::*;

    use crate::Error;
    use crate::imap::base::append::AppendMessage;
    use crate::imap::syntax::core::{DateTime, Flag, List};
    use crate::imap::syntax::write::W;

    pub(crate) fn append_opts(
        w: &mut W<'_>,
        flags: &Option<List<'_, Flag<'_>>>,
        date: &Option<DateTime>,
    ) -> Result<(), Error> {
        if let Some(f) = flags {
            w.flag_list(f)?;
            w.sp();
        }
        if let Some(d) = date {
            w.date_time(d)?;
            w.sp();
        }
        Ok(())
    }

    /// ```text
    /// append-message = append-opts SP append-data
    /// append-data    = literal / literal8 / "CATENATE" SP "(" cat-part *(SP cat-part) ")"
    /// cat-part       = text-literal / url
    /// text-literal   = "TEXT" SP literal
    /// url            = "URL" SP astring
    /// ```
    pub(crate) fn append_item(w: &mut W<'_>, item: &AppendItem<'_>) -> Result<(), Error> {
        match item {
            AppendItem::Message(AppendMessage {
                flags,
                date,
                data,
                binary,
            }) => {
                append_opts(w, flags, date)?;
                w.literal(data, *binary)
            }
            AppendItem::Catenate { flags, date, parts } => {
                append_opts(w, flags, date)?;
                w.raw(b"CATENATE (");
                let mut any = false;
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    any = true;
                    match part {
                        CatenatePart::Text(t) => {
                            w.raw(b"TEXT ");
                            w.literal(&t, false)?;
                        }
                        CatenatePart::Url(u) => {
                            w.raw(b"URL ");
                            w.astring(u.as_bytes())?;
                        }
                    }
                }
                if !any {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "CATENATE part",
                    }));
                }
                w.raw(b")");
                Ok(())
            }
        }
    }
}
