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
    use crate::imap::syntax::core::{IString, List, Mailbox, Sep};
    use crate::imap::syntax::input::{In, R, at_word, expect, sp, take_while, validate, word};
    use crate::imap::syntax::rules::{astring, literal, mailbox, paren_list};

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

    /// `append = "APPEND" SP mailbox 1*append-message` when one of the
    /// messages uses CATENATE, after `APPEND`; `None` (input unmoved)
    /// otherwise, for the plain APPEND rule.
    #[allow(clippy::type_complexity)]
    pub(crate) fn append_catenate(
        i: In<'_>,
    ) -> R<'_, Option<(Mailbox<'_>, List<'_, AppendItem<'_>>)>> {
        let mut seen = false;
        match append_messages(i, &mut seen) {
            Ok((rest, c)) if seen => Ok((rest, Some(c))),
            Err(e) if seen => Err(e),
            _ => Ok((i, None)),
        }
    }

    /// `SP mailbox 1*(SP append-message)`; `seen` tells whether a message
    /// (the one that failed included) uses CATENATE.
    #[allow(clippy::type_complexity)]
    fn append_messages<'a>(
        i: In<'a>,
        seen: &mut bool,
    ) -> R<'a, (Mailbox<'a>, List<'a, AppendItem<'a>>)> {
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        let start = i;
        let mut i = i;
        while i.peek() == Some(b' ') {
            i = i.skip(1);
            *seen |= is_catenate(i);
            (i, ()) = validate(append_item)(i)?;
        }
        match start.upto(&i).get(1..) {
            Some(raw) => Ok((
                i,
                (mailbox, List::wire(raw, append_item, Sep::Space, i.ctx())),
            )),
            None => start.err("SP append-message"),
        }
    }

    /// `"BADURL" SP url-resp-text`, after `BADURL`.
    pub(crate) fn badurl_code(i: In<'_>) -> R<'_, IString<'_>> {
        preceded(sp, url_resp_text).parse(i)
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
    use crate::imap::syntax::core::{DateTime, Flag, IString, List, Mailbox};
    use crate::imap::syntax::write::W;

    /// `append = "APPEND" SP mailbox 1*append-message`, one of the messages
    /// using CATENATE (without one, the plain APPEND is the canonical form).
    pub(crate) fn append_catenate(
        w: &mut W<'_>,
        mailbox: &Mailbox<'_>,
        messages: &List<'_, AppendItem<'_>>,
    ) -> Result<(), Error> {
        w.raw(b"APPEND ");
        w.mailbox(mailbox)?;
        let mut any = false;
        let mut catenate = false;
        for m in messages.iter() {
            any = true;
            catenate |= matches!(m, AppendItem::Catenate { .. });
            w.sp();
            append_item(w, &m)?;
        }
        if !any {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "APPEND message",
            }));
        }
        if !catenate {
            return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
        }
        Ok(())
    }

    /// The `TOOBIG` response code.
    pub(crate) fn toobig_code(w: &mut W<'_>) {
        w.raw(b"TOOBIG");
    }

    /// `"BADURL" SP url-resp-text`; `url-resp-text` is any TEXT-CHAR except
    /// `]`.
    pub(crate) fn badurl_code(w: &mut W<'_>, u: &IString<'_>) -> Result<(), Error> {
        let b = u.as_bytes();
        if b.is_empty() || b.contains(&b']') || !crate::wire::line::is_line_safe(b) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "resp-text-code",
            }));
        }
        w.raw(b"BADURL ");
        w.raw(b);
        Ok(())
    }

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
