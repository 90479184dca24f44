//! Parsing around a streamed literal: when the
//! [`Framer`](crate::imap::frame::Framer) reports [`Frame::Literal`](crate::imap::frame::Frame::Literal),
//! the machine has the head of a message (up to the `{n}` CRLF) and, after
//! handing out the literal in chunks, the tail (from after the literal to the
//! CRLF, or to the next streamed literal). These entry points parse those
//! pieces of a FETCH response (RFC 9051 §7.5.2) and of an APPEND command
//! (RFC 9051 §6.3.12, RFC 3502).

use super::command::append_opts_head;
use super::legacy::{mailbox, number, tag};
use super::response::{fetch_item, streamed_item_head};
use super::{PResult, ParseOptions, Parser, finish};
use crate::Error;
use crate::imap::types::core::{DateTime, Flag, List, Mailbox, Sep, Tag};
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
    let mut p = Parser::with(head, opts);
    let r = (|| -> PResult<_> {
        let mut seq = None;
        if !continued {
            p.expect(b'*', "'*'")?;
            p.sp()?;
            seq = Some(number(&mut p)?);
            p.sp()?;
            if !p.word(b"FETCH") {
                return p.err("FETCH");
            }
            p.sp()?;
            p.expect(b'(', "'('")?;
        } else {
            p.sp()?;
        }
        let s = p.pos;
        let mut e = p.pos;
        loop {
            let save = p.pos;
            if let Some(item) = p.nom(streamed_item_head)? {
                if p.is_empty() {
                    let items = List::wire_nom(&p.input[s..e], fetch_item, Sep::Space, p.ctx());
                    return Ok(FetchHead { seq, items, item });
                }
            }
            p.pos = save;
            p.validate(|p| p.nom(fetch_item))?;
            e = p.pos;
            p.sp()?;
        }
    })();
    finish(head, r)
}

/// Parses the tail of a FETCH response after a streamed literal: the items
/// after it, `)` and CRLF (e.g. ` FLAGS (\Seen))` CRLF).
pub fn parse_fetch_tail<'a>(
    tail: &'a [u8],
    opts: &ParseOptions,
) -> Result<List<'a, FetchItem<'a>>, Error> {
    let mut p = Parser::with(tail, opts);
    let r = (|| -> PResult<_> {
        let s = p.pos + 1;
        let mut e = p.pos;
        while p.eat(b' ') {
            p.validate(|p| p.nom(fetch_item))?;
            e = p.pos;
        }
        p.expect(b')', "')'")?;
        p.crlf_end()?;
        Ok(List::wire_nom(
            p.input.get(s..e).unwrap_or_default(),
            fetch_item,
            Sep::Space,
            p.ctx(),
        ))
    })();
    finish(tail, r)
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
    let mut p = Parser::with(head, opts);
    let r = (|| -> PResult<_> {
        let tag = tag(&mut p)?;
        p.sp()?;
        if !p.word(b"APPEND") {
            return p.err("APPEND");
        }
        p.sp()?;
        let mailbox = mailbox(&mut p)?;
        p.sp()?;
        let (flags, date) = p.nom(append_opts_head)?;
        if !p.is_empty() {
            return p.err("end of head after the literal announcement");
        }
        Ok(AppendHead {
            tag,
            mailbox,
            flags,
            date,
        })
    })();
    finish(head, r)
}

/// After an APPEND message literal: `Ok(None)` when the command ends (CRLF),
/// `Ok(Some((flags, date)))` when another message follows (MULTIAPPEND,
/// RFC 3502) whose literal announcement ends the input.
#[allow(clippy::type_complexity)]
pub fn parse_append_tail<'a>(
    tail: &'a [u8],
    opts: &ParseOptions,
) -> Result<Option<(Option<List<'a, Flag<'a>>>, Option<DateTime>)>, Error> {
    let mut p = Parser::with(tail, opts);
    let r = (|| -> PResult<_> {
        if p.eat(b' ') {
            let v = p.nom(append_opts_head)?;
            if !p.is_empty() {
                return p.err("end of input after the literal announcement");
            }
            return Ok(Some(v));
        }
        p.crlf_end()?;
        Ok(None)
    })();
    finish(tail, r)
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
