//! APPEND (RFC 9051 §6.3.12; RFC 3502 MULTIAPPEND; RFC 4469 CATENATE has its
//! own room, [`crate::imap::ext::catenate`]): one message to append
//! ([`AppendMessage`]: flags, date-time and the literal), with the rules of
//! the `append-opts` before it. The command is a variant of the central enum
//! ([`CommandBody::Append`]).
//!
//! ```text
//! append      = "APPEND" SP mailbox 1*append-message
//! append-opts = [SP flag-list] [SP date-time]
//! ```
//! The old path (`types::command::AppendMessage`) re-exports the type.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody};
//!
//! let c = parse_command(b"A1 APPEND Sent (\\Seen) {5}\r\nhello\r\n", &ParseOptions::default())
//!     .unwrap();
//! let CommandBody::Append { messages, .. } = c.body else { panic!() };
//! let m = messages.iter().next().unwrap();
//! assert_eq!(&m.data[..], b"hello");
//! assert_eq!(m.flags.as_ref().unwrap().len(), 1);
//! ```
//!
//! [`CommandBody::Append`]: crate::imap::CommandBody::Append

use crate::imap::syntax::core::*;
use alloc::borrow::Cow;

/// One message of an APPEND (several with MULTIAPPEND, RFC 3502).
#[derive(Clone, Debug, PartialEq)]
pub struct AppendMessage<'a> {
    /// Flags to set.
    pub flags: Option<List<'a, Flag<'a>>>,
    /// Internal date to set.
    pub date: Option<DateTime>,
    /// The message (a literal).
    pub data: Cow<'a, [u8]>,
    /// Sent as literal8 `~{n}` (RFC 3516), may contain NUL.
    pub binary: bool,
}

crate::owned::into_owned! {
    struct AppendMessage { flags, date, data, binary }
}

/// The grammar of APPEND.
pub(crate) mod parse {
    use super::*;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;
    use alloc::borrow::Cow;
    use nom::Parser as _;
    use nom::combinator::{cond, map};
    use nom::sequence::terminated;

    /// ```text
    /// append-message = append-opts SP append-data
    /// append-opts    = [flag-list SP] [date-time SP]
    /// append-data    = literal / literal8
    /// ```
    /// `append-opts` followed by a literal announcement that ends the input
    /// (the head of a streamed message).
    #[allow(clippy::type_complexity)]
    pub(crate) fn append_opts_head(
        i: In<'_>,
    ) -> R<
        '_,
        (
            Option<List<'_, Flag<'_>>>,
            Option<crate::imap::syntax::core::DateTime>,
        ),
    > {
        let (i, opts) = append_opts(i)?;
        let (i, _) = eat(b'~')(i)?;
        let (i, ()) = byte(b'{', "literal")(i)?;
        let (i, _) = take_while(i, |b| b.is_ascii_digit() || b == b'+' || b == b'-');
        let (i, ()) = byte(b'}', "'}'")(i)?;
        let i = match i.rest {
            [b'\r', b'\n', ..] => i.skip(2),
            [b'\n', ..] if i.q().bare_lf => i.skip(1),
            _ => return i.err("CRLF"),
        };
        Ok((i, opts))
    }

    /// `append-message = append-opts SP append-data` with
    /// `append-data = literal / literal8`.
    pub(crate) fn append_message(i: In<'_>) -> R<'_, AppendMessage<'_>> {
        let (i, flags) = cond(i.peek() == Some(b'('), terminated(flag_list, sp)).parse(i)?;
        let (i, date) = cond(i.peek() == Some(b'"'), terminated(date_time, sp)).parse(i)?;
        if !matches!(i.peek(), Some(b'{' | b'~')) {
            return i.err("literal");
        }
        let (i, (data, binary)) = literal(i)?;
        Ok((
            i,
            AppendMessage {
                flags,
                date,
                data: Cow::Borrowed(data),
                binary,
            },
        ))
    }

    /// `append-opts = [flag-list SP] [date-time SP]` (the input is left after
    /// the options); shared with plain APPEND.
    #[allow(clippy::type_complexity)]
    pub(crate) fn append_opts(
        i: In<'_>,
    ) -> R<
        '_,
        (
            Option<List<'_, Flag<'_>>>,
            Option<crate::imap::syntax::core::DateTime>,
        ),
    > {
        let (i, flags) = match i.peek() {
            Some(b'(') => map(terminated(flag_list, sp), Some).parse(i)?,
            _ => (i, None),
        };
        let (i, date) = match i.peek() {
            Some(b'"') => map(terminated(date_time, sp), Some).parse(i)?,
            _ => (i, None),
        };
        Ok((i, (flags, date)))
    }
}
