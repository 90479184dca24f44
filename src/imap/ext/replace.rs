//! REPLACE (RFC 8508): one message of the selected mailbox replaced by a new
//! one, as a single action (the effect of APPEND, `UID STORE +FLAGS.SILENT
//! \Deleted` and `UID EXPUNGE` of that one message, without their
//! intermediate states, §3.4).
//!
//! ```text
//! capability     =/ "REPLACE"
//! command-select =/ replace
//! replace        = "REPLACE" SP seq-number SP mailbox append-message
//! uid            =/ "UID" SP replace
//! ```
//! (RFC 8508 §5; `seq-number = nz-number / "*"` is RFC 3501's, and
//! `append-message = append-opts SP append-data` is RFC 4466's, so the
//! message takes the optional flag list and date-time of APPEND and is a
//! `literal`, a `literal8` (RFC 3516) or, with CATENATE, a `"CATENATE" SP
//! "(" cat-part *(SP cat-part) ")"`: RFC 8508 §4.2 makes servers that offer
//! both accept it.) RFC 4466's `append-ext` parameters are not read, as for
//! APPEND in this crate.
//!
//! The command is valid in the selected state only (§3.5), for the UID form
//! too. The named mailbox need not be the selected one (§3.4). The server's
//! answer is what APPEND and EXPUNGE send: with UIDPLUS an untagged `OK
//! [APPENDUID ...]` before the `EXPUNGE` (or `VANISHED` under QRESYNC,
//! §4.3, §4.5), then the tagged completion.
//!
//! ```
//! use mailwire::imap::{parse_command, emit_command, AppendItem, CommandBody, EmitOptions, ParseOptions, SeqNum};
//!
//! // RFC 8508 §3.3: C: A004 UID REPLACE 2000 Drafts (\Seen \Draft) {350}
//! let frame = b"A004 UID REPLACE 2000 Drafts (\\Seen \\Draft) {5}\r\nHello\r\n";
//! let command = parse_command(frame, &ParseOptions::STRICT).unwrap();
//! let CommandBody::Replace { uid, id, mailbox, message } = &command.body else { panic!() };
//! assert_eq!((*uid, *id, mailbox.as_bytes()), (true, SeqNum::Value(2000), &b"Drafts"[..]));
//! let AppendItem::Message(m) = message else { panic!() };
//! assert_eq!((&m.data[..], m.flags.as_ref().unwrap().len()), (&b"Hello"[..], 2));
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, frame);
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::Replace`.
//!
//! Registered in `registry` (the command's dispatch, after `REPLACE` and
//! after `UID`, and its emitter). The client sends it with
//! [`Client::replace`](crate::imap::Client::replace),
//! [`Client::uid_replace`](crate::imap::Client::uid_replace) or, streamed,
//! [`Client::replace_begin`](crate::imap::Client::replace_begin); the server
//! machine, with [`ServerConfig::replace`](crate::imap::ServerConfig) on,
//! advertises it and hands the message out in chunks
//! ([`ServerEvent::ReplaceStart`](crate::imap::ServerEvent::ReplaceStart)).

/// The capability name (RFC 8508 §3.1).
pub const CAPABILITY: &str = "REPLACE";

/// The grammar of REPLACE.
pub(crate) mod parse {
    use nom::Parser as _;

    use crate::imap::ext::catenate::AppendItem;
    use crate::imap::ext::catenate::parse::append_item;
    use crate::imap::syntax::core::{DateTime, Flag, List, Mailbox, SeqNum};
    use crate::imap::syntax::input::{In, R, after_word, sp};
    use crate::imap::syntax::rules::{mailbox, nz_number};

    /// The command's name.
    pub(crate) const NAME: &[u8] = b"REPLACE";

    /// `seq-number = nz-number / "*"` (RFC 3501 §9).
    pub(crate) fn seq_number(i: In<'_>) -> R<'_, SeqNum> {
        if i.peek() == Some(b'*') {
            return Ok((i.skip(1), SeqNum::Asterisk));
        }
        let (i, n) = nz_number(i)?;
        Ok((i, SeqNum::Value(n)))
    }

    /// After the name: `SP seq-number SP mailbox append-message`, with
    /// `append-message = append-opts SP append-data` (RFC 4466 §2.3,
    /// `append-data` a literal, a literal8 or CATENATE's list).
    #[allow(clippy::type_complexity)]
    pub(crate) fn replace(i: In<'_>) -> R<'_, (SeqNum, Mailbox<'_>, AppendItem<'_>)> {
        let (i, (_, id, _, mailbox, _, message)) =
            (sp, seq_number, sp, mailbox, sp, append_item).parse(i)?;
        Ok((i, (id, mailbox, message)))
    }

    /// After `UID`: `SP "REPLACE"` and the rest of [`replace`]; `None` (input
    /// unmoved) when another UID command follows.
    #[allow(clippy::type_complexity)]
    pub(crate) fn uid_replace(i: In<'_>) -> R<'_, Option<(SeqNum, Mailbox<'_>, AppendItem<'_>)>> {
        if i.peek() != Some(b' ') {
            return Ok((i, None));
        }
        let Some(rest) = after_word(&i.skip(1), NAME) else {
            return Ok((i, None));
        };
        let (rest, r) = replace(rest)?;
        Ok((rest, Some(r)))
    }

    /// The head of a REPLACE whose message literal is streamed: `["UID" SP]
    /// "REPLACE" SP seq-number SP mailbox SP append-opts literal-header`,
    /// where the literal announcement `{n}` CRLF (or `~{n}`, `{n+}`) ends the
    /// input (the command after its tag and SP).
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) struct Head<'a> {
        pub(crate) uid: bool,
        pub(crate) id: SeqNum,
        pub(crate) mailbox: Mailbox<'a>,
        pub(crate) flags: Option<List<'a, Flag<'a>>>,
        pub(crate) date: Option<DateTime>,
    }

    /// [`Head`] over the command after its tag and SP; an error when the
    /// input is not such a head (a literal inside the mailbox name, a
    /// CATENATE list, another command).
    pub(crate) fn head(i: In<'_>) -> R<'_, Head<'_>> {
        let (i, uid) = match after_word(&i, b"UID") {
            Some(rest) if rest.peek() == Some(b' ') => (rest.skip(1), true),
            _ => (i, false),
        };
        let Some(i) = after_word(&i, NAME) else {
            return i.err("REPLACE");
        };
        let (i, (_, id, _, mailbox, _)) = (sp, seq_number, sp, mailbox, sp).parse(i)?;
        let (i, (flags, date)) = crate::imap::base::append::parse::append_opts_head(i)?;
        if !i.is_empty() {
            return i.err("end of head after the literal announcement");
        }
        Ok((
            i,
            Head {
                uid,
                id,
                mailbox,
                flags,
                date,
            },
        ))
    }
}

/// The emitter of REPLACE.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::ext::catenate::AppendItem;
    use crate::imap::syntax::core::{Mailbox, SeqNum};
    use crate::imap::syntax::write::W;

    /// `seq-number = nz-number / "*"`: 0 is no message number.
    pub(crate) fn seq_number(w: &mut W<'_>, n: SeqNum) -> Result<(), Error> {
        match n {
            SeqNum::Value(0) => Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "seq-number",
            })),
            SeqNum::Value(v) => {
                w.num(u64::from(v));
                Ok(())
            }
            SeqNum::Asterisk => {
                w.raw(b"*");
                Ok(())
            }
        }
    }

    /// `["UID" SP] "REPLACE" SP seq-number SP mailbox SP append-opts append-data`.
    pub(crate) fn replace(
        w: &mut W<'_>,
        uid: bool,
        id: SeqNum,
        mailbox: &Mailbox<'_>,
        message: &AppendItem<'_>,
    ) -> Result<(), Error> {
        if uid {
            w.raw(b"UID ");
        }
        w.raw(super::parse::NAME);
        w.sp();
        seq_number(w, id)?;
        w.sp();
        w.mailbox(mailbox)?;
        w.sp();
        crate::imap::ext::catenate::emit::append_item(w, message)
    }
}

#[cfg(test)]
mod tests {
    use super::parse::{Head, head, seq_number};
    use crate::imap::syntax::core::{Flag, Mailbox, SeqNum};
    use crate::imap::syntax::input::{In, run};
    use crate::imap::syntax::options::ParseOptions;

    /// The whole input as one `seq-number`.
    fn seq(s: &[u8]) -> Option<SeqNum> {
        run(s, In::with(s, &ParseOptions::STRICT), |i| {
            let (i, n) = seq_number(i)?;
            if !i.is_empty() {
                return i.err("end of input");
            }
            Ok((i, n))
        })
        .ok()
    }

    fn head_of(s: &[u8]) -> Option<Head<'_>> {
        run(s, In::with(s, &ParseOptions::STRICT), head).ok()
    }

    #[test]
    fn seq_number_is_nz_number_or_asterisk() {
        // seq-number = nz-number / "*"   (RFC 3501 §9)
        assert_eq!(seq(b"*"), Some(SeqNum::Asterisk));
        assert_eq!(seq(b"12"), Some(SeqNum::Value(12)));
        assert_eq!(seq(b"4294967295"), Some(SeqNum::Value(u32::MAX)));
        for bad in [&b"0"[..], b"", b"-1", b"4294967296", b"1:2", b"1,2", b"$"] {
            assert_eq!(seq(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_streamed_head_ends_with_the_message_literal() {
        // ["UID" SP] "REPLACE" SP seq-number SP mailbox SP append-opts literal-header
        let h = head_of(b"UID REPLACE 2000 Drafts (\\Seen \\Draft) {350}\r\n").unwrap();
        assert_eq!((h.uid, h.id), (true, SeqNum::Value(2000)));
        assert_eq!(h.flags.unwrap().to_vec(), [Flag::Seen, Flag::Draft]);
        let h: Head<'_> =
            head_of(b"replace * inbox \"01-Jan-2015 00:05:00 -0500\" ~{3+}\r\n").unwrap();
        assert_eq!(
            (h.uid, h.id, h.mailbox),
            (false, SeqNum::Asterisk, Mailbox::Inbox)
        );
        assert!(h.date.is_some() && h.flags.is_none());
        // a literal that is not the message's: in the mailbox name, a
        // CATENATE part; and heads that are no REPLACE's
        for bad in [
            &b"REPLACE 4 {6}\r\n"[..],
            b"REPLACE 4 Drafts CATENATE (TEXT {71}\r\n",
            b"REPLACE 0 Drafts {5}\r\n",
            b"REPLACE 4 Drafts {5}\r\nextra",
            b"REPLACE 4 Drafts {5}",
            b"UID FETCH 1 BODY[] {5}\r\n",
            b"UIDREPLACE 4 Drafts {5}\r\n",
            b"REPLACEX 4 Drafts {5}\r\n",
            b"APPEND Drafts {5}\r\n",
        ] {
            assert!(
                head_of(bad).is_none(),
                "{:?}",
                alloc::string::String::from_utf8_lossy(bad)
            );
        }
    }
}
