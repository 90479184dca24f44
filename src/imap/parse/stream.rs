//! Parsing around a streamed literal: when the
//! [`Framer`](crate::imap::frame::Framer) reports [`Frame::Literal`](crate::imap::frame::Frame::Literal),
//! the machine has the head of a message (up to the `{n}` CRLF) and, after
//! handing out the literal in chunks, the tail (from after the literal to the
//! CRLF, or to the next streamed literal). These entry points parse those
//! pieces of a FETCH response (RFC 9051 §7.5.2) and of an APPEND command
//! (RFC 9051 §6.3.12, RFC 3502).
//!
//! ```
//! use mailwire::imap::{parse_fetch_head, parse_fetch_tail, FetchItem, ParseOptions, StreamedItem};
//!
//! // RFC 3501 §8: S: * 12 FETCH (BODY[HEADER] {342}   (the 342 bytes are streamed)
//! let head = parse_fetch_head(b"* 12 FETCH (BODY[HEADER] {342}\r\n", false, &ParseOptions::STRICT).unwrap();
//! assert_eq!(head.seq, Some(12));
//! assert!(head.items.is_empty());
//! assert!(matches!(head.item, StreamedItem::BodySection { origin: None, .. }));
//! // after the literal: S: )  (here with one more item)
//! let tail = parse_fetch_tail(b" UID 7)\r\n", &ParseOptions::STRICT).unwrap();
//! assert_eq!(tail.iter().collect::<Vec<_>>(), [FetchItem::Uid(7)]);
//! ```

use nom::Parser as _;

use crate::Error;
use crate::imap::base::append::parse::append_opts_head;
use crate::imap::base::fetch::parse::{fetch_item, item_name, origin, section, section_binary};
use crate::imap::syntax::core::{DateTime, Flag, List, Mailbox, Sep, Tag};
use crate::imap::syntax::input::{In, R, byte, crlf_end, eat, run, sp, take_while, validate, word};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::syntax::rules::{mailbox, number, tag};
use crate::imap::types::response::{FetchItem, Part, Section};

/// The FETCH data item whose value is the streamed literal.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StreamedItem<'a> {
    /// `BODY[section]<origin>`
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>` of a partial fetch.
        origin: Option<u32>,
    },
    /// `BINARY[part]<origin>` (the literal may be a literal8)
    Binary {
        /// The part.
        part: Part<'a>,
        /// `<origin>`
        origin: Option<u32>,
    },
    /// `RFC822`
    Rfc822,
    /// `RFC822.HEADER`
    Rfc822Header,
    /// `RFC822.TEXT`
    Rfc822Text,
    /// `PREVIEW` or an unknown item whose value is a literal.
    Other(&'a str),
}

/// The head of a FETCH response whose literal is streamed:
/// `* seq FETCH (items... ITEM {n}` CRLF.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchHead<'a> {
    /// Message sequence number (`None` for the part after an earlier
    /// streamed literal).
    pub seq: Option<u32>,
    /// Complete items before the streamed one.
    pub items: List<'a, FetchItem<'a>>,
    /// The item the literal belongs to.
    pub item: StreamedItem<'a>,
}

/// Parses the head (or, with `continued`, the part after an earlier streamed
/// literal, which starts with SP) of a FETCH response ending in `{n}` CRLF.
pub fn parse_fetch_head<'a>(
    head: &'a [u8],
    continued: bool,
    opts: &ParseOptions,
) -> Result<FetchHead<'a>, Error> {
    run(head, In::with(head, opts), |i| fetch_head(i, continued))
}

/// `"*" SP number SP "FETCH" SP "(" *(msg-att SP) item SP literal-header`
/// (with `continued`: `SP *(msg-att SP) item SP literal-header`), where the
/// literal announcement `{n}` CRLF ends the input.
fn fetch_head(i: In<'_>, continued: bool) -> R<'_, FetchHead<'_>> {
    let (i, seq) = if continued {
        let (i, ()) = sp(i)?;
        (i, None)
    } else {
        let (i, (_, _, seq, _, _, _, _)) = (
            byte(b'*', "'*'"),
            sp,
            number,
            sp,
            word(b"FETCH"),
            sp,
            byte(b'(', "'('"),
        )
            .parse(i)?;
        (i, Some(seq))
    };
    let start = i;
    let mut end = i;
    let mut i = i;
    loop {
        let (after, item) = streamed_item_head(i)?;
        if let Some(item) = item {
            if after.is_empty() {
                let items = List::wire(start.upto(&end), fetch_item, Sep::Space, i.ctx());
                return Ok((after, FetchHead { seq, items, item }));
            }
        }
        (i, ()) = validate(fetch_item)(i)?;
        end = i;
        (i, ()) = sp(i)?;
    }
}

/// Parses the tail of a FETCH response after a streamed literal: the items
/// after it, `)` and CRLF (e.g. ` FLAGS (\Seen))` CRLF).
pub fn parse_fetch_tail<'a>(
    tail: &'a [u8],
    opts: &ParseOptions,
) -> Result<List<'a, FetchItem<'a>>, Error> {
    run(tail, In::with(tail, opts), fetch_tail)
}

/// `*(SP msg-att) ")" CRLF`
fn fetch_tail(i: In<'_>) -> R<'_, List<'_, FetchItem<'_>>> {
    let first = i;
    let mut raw: &[u8] = &[];
    let mut i = i;
    while let (rest, true) = eat(b' ')(i)? {
        (i, ()) = validate(fetch_item)(rest)?;
        // the items, without the first SP
        raw = first.skip(1).upto(&i);
    }
    let (i, ()) = byte(b')', "')'")(i)?;
    let (i, ()) = crlf_end(i)?;
    Ok((i, List::wire(raw, fetch_item, Sep::Space, i.ctx())))
}

/// The head of an APPEND whose message literal is streamed:
/// `tag APPEND mailbox [flags] [date-time] {n}` CRLF.
#[derive(Clone, Debug, PartialEq)]
pub struct AppendHead<'a> {
    /// The command tag.
    pub tag: Tag<'a>,
    /// Destination mailbox.
    pub mailbox: Mailbox<'a>,
    /// Flags of the message.
    pub flags: Option<List<'a, Flag<'a>>>,
    /// Internal date of the message.
    pub date: Option<DateTime>,
}

/// Parses the head of an APPEND command up to its (first) message literal.
pub fn parse_append_head<'a>(head: &'a [u8], opts: &ParseOptions) -> Result<AppendHead<'a>, Error> {
    run(head, In::with(head, opts), append_head)
}

/// `tag SP "APPEND" SP mailbox SP append-opts literal-header`, where the
/// literal announcement `{n}` CRLF ends the input.
fn append_head(i: In<'_>) -> R<'_, AppendHead<'_>> {
    let (i, (tag, _, _, _, mailbox, _)) = (tag, sp, word(b"APPEND"), sp, mailbox, sp).parse(i)?;
    let (i, (flags, date)) = append_opts_head(i)?;
    if !i.is_empty() {
        return i.err("end of head after the literal announcement");
    }
    Ok((
        i,
        AppendHead {
            tag,
            mailbox,
            flags,
            date,
        },
    ))
}

/// After an APPEND message literal: `Ok(None)` when the command ends (CRLF),
/// `Ok(Some((flags, date)))` when another message follows (MULTIAPPEND,
/// RFC 3502) whose literal announcement ends the input.
#[allow(clippy::type_complexity)]
pub fn parse_append_tail<'a>(
    tail: &'a [u8],
    opts: &ParseOptions,
) -> Result<Option<(Option<List<'a, Flag<'a>>>, Option<DateTime>)>, Error> {
    run(tail, In::with(tail, opts), append_tail)
}

/// `SP append-opts literal-header` (the next message of a MULTIAPPEND,
/// whose literal announcement ends the input) or `CRLF`.
#[allow(clippy::type_complexity)]
fn append_tail(i: In<'_>) -> R<'_, Option<(Option<List<'_, Flag<'_>>>, Option<DateTime>)>> {
    match eat(b' ')(i)? {
        (i, true) => {
            let (i, v) = append_opts_head(i)?;
            if !i.is_empty() {
                return i.err("end of input after the literal announcement");
            }
            Ok((i, Some(v)))
        }
        (i, false) => {
            let (i, ()) = crlf_end(i)?;
            Ok((i, None))
        }
    }
}

/// The name (with section and origin) and SP of an item whose value is a
/// literal announcement that ends the input, for streamed literals.
fn streamed_item_head<'a>(i: In<'a>) -> R<'a, Option<StreamedItem<'a>>> {
    use StreamedItem as S;
    let start = i;
    let (i, name) = item_name(i);
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let (i, item) = if is(b"BODY") && i.peek() == Some(b'[') {
        let (i, (section, origin)) = (section, origin).parse(i)?;
        (i, S::BodySection { section, origin })
    } else if is(b"BINARY") {
        let (i, (part, origin)) = (section_binary, origin).parse(i)?;
        (i, S::Binary { part, origin })
    } else if is(b"RFC822") {
        (i, S::Rfc822)
    } else if is(b"RFC822.HEADER") {
        (i, S::Rfc822Header)
    } else if is(b"RFC822.TEXT") {
        (i, S::Rfc822Text)
    } else if !name.is_empty() {
        (
            i,
            S::Other(core::str::from_utf8(start.upto(&i)).unwrap_or("")),
        )
    } else {
        return Ok((i, None));
    };
    if i.peek() != Some(b' ') {
        return Ok((i, None));
    }
    // the literal announcement must end the input
    let (i, _) = eat(b'~')(i.skip(1))?;
    if i.peek() != Some(b'{') {
        return Ok((i, None));
    }
    let (i, _) = take_while(i.skip(1), |b| b.is_ascii_digit() || b == b'+' || b == b'-');
    if i.peek() != Some(b'}') {
        return Ok((i, None));
    }
    let i = i.skip(1);
    let i = match i.rest {
        [b'\r', b'\n', ..] => i.skip(2),
        [b'\n', ..] if i.q().bare_lf => i.skip(1),
        _ => return Ok((i, None)),
    };
    Ok((i, Some(item)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::frame::{Frame, Framer};
    use crate::wire::line::LinePolicy;

    #[test]
    fn fetch_streamed_in_pieces() {
        let msg = b"* 7 FETCH (UID 9 BODY[1]<0> {10}\r\n0123456789 FLAGS (\\Seen) BINARY[2] ~{3}\r\n\0\0\0)\r\n";
        let mut f = Framer::new(
            1000,
            crate::error::LimitKind::ReplyLine,
            1 << 20,
            LinePolicy::STRICT,
        );
        f.set_stream_threshold(Some(2));
        let o = ParseOptions::DEFAULT;
        let Frame::Literal { head, literal } = f.find(msg).unwrap() else {
            panic!()
        };
        let FetchHead { seq, items, item } = parse_fetch_head(&msg[..head], false, &o).unwrap();
        assert_eq!(seq, Some(7));
        assert_eq!(items.to_vec(), [FetchItem::Uid(9)]);
        assert!(matches!(
            item,
            StreamedItem::BodySection {
                origin: Some(0),
                ..
            }
        ));
        let rest = &msg[head + literal.size as usize..];
        f.resume().unwrap();
        let Frame::Literal {
            head: h2,
            literal: l2,
        } = f.find(rest).unwrap()
        else {
            panic!()
        };
        assert!(l2.binary);
        let FetchHead { seq, items, item } = parse_fetch_head(&rest[..h2], true, &o).unwrap();
        assert_eq!(seq, None);
        assert_eq!(items.len(), 1);
        assert!(matches!(item, StreamedItem::Binary { .. }));
        let tail = &rest[h2 + 3..];
        f.resume().unwrap();
        assert_eq!(f.find(tail).unwrap(), Frame::Complete(tail.len()));
        assert!(parse_fetch_tail(tail, &o).unwrap().is_empty());
        assert_eq!(
            parse_fetch_tail(b" UID 4)\r\n", &o).unwrap().to_vec(),
            [FetchItem::Uid(4)]
        );
        assert!(parse_fetch_head(b"* 1 FETCH (UID 1)\r\n", false, &o).is_err());
    }

    #[test]
    fn append_head_and_tail() {
        let o = ParseOptions::DEFAULT;
        let h = parse_append_head(
            b"A1 APPEND INBOX (\\Seen) \"01-Jan-2024 00:00:00 +0000\" {5000}\r\n",
            &o,
        )
        .unwrap();
        assert_eq!(h.mailbox, Mailbox::Inbox);
        assert_eq!(h.flags.unwrap().to_vec(), [Flag::Seen]);
        assert!(h.date.is_some());
        let h = parse_append_head(b"A1 APPEND x ~{5000+}\r\n", &o).unwrap();
        assert_eq!(h.flags, None);
        assert_eq!(parse_append_tail(b"\r\n", &o).unwrap(), None);
        let next = parse_append_tail(b" (\\Draft) {10}\r\n", &o)
            .unwrap()
            .unwrap();
        assert_eq!(next.0.unwrap().to_vec(), [Flag::Draft]);
        assert!(parse_append_head(b"A1 APPEND x {5}\r\nabc", &o).is_err());
    }
}
