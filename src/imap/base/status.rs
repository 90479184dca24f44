//! STATUS (RFC 9051 §6.3.11, §7.3.5): the `status-att-val` items a server
//! reports for a mailbox ([`StatusItem`]), with their rule and emitter. The
//! client asks with `status-att` names (atoms, [`CommandBody::Status`]); the
//! `STATUS` untagged response (`parse::response`, `emit::response`) reads
//! and writes its list of items through this room.
//!
//! ```
//! use mailwire::imap::{emit_response, parse_response, Data, EmitOptions, ParseOptions, Response, StatusItem};
//!
//! // RFC 9051 §6.3.11: S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
//! let frame = b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n";
//! let response = parse_response(frame, &ParseOptions::STRICT).unwrap();
//! let Response::Data(Data::Status { items, .. }) = &response else { panic!() };
//! assert_eq!(items.iter().collect::<Vec<_>>(), [StatusItem::Messages(231), StatusItem::UidNext(44292)]);
//! let mut out = Vec::new();
//! emit_response(&response, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, frame);
//! ```
//!
//! ```text
//! status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) /
//!                  ("UIDVALIDITY" SP nz-number) / ("UNSEEN" SP number) /
//!                  ("DELETED" SP number) / ("SIZE" SP number64)
//! ```
//! (RFC 9051 §9; RECENT from RFC 3501, HIGHESTMODSEQ from RFC 7162,
//! APPENDLIMIT from RFC 7889, DELETED-STORAGE from RFC 9208 and MAILBOXID
//! from RFC 8474 are here too.) The old path (`types::response::StatusItem`)
//! re-exports the type.
//!
//! [`CommandBody::Status`]: crate::imap::CommandBody::Status

use crate::imap::syntax::core::{Atom, IString};

/// `status-att-val` (RFC 9051, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889 APPENDLIMIT).
///
/// ```
/// use mailwire::imap::{emit_response, Data, EmitOptions, List, Mailbox, IString, Response, StatusItem};
///
/// // RFC 9051 §6.3.11: S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
/// let data = Data::Status {
///     mailbox: Mailbox::from_wire(IString::from("blurdybloop")),
///     items: List::from_items(vec![StatusItem::Messages(231), StatusItem::UidNext(44292)]),
/// };
/// let mut out = Vec::new();
/// emit_response(&Response::Data(data), &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusItem<'a> {
    /// `MESSAGES n`
    Messages(u32),
    /// `RECENT n` (IMAP4rev1)
    Recent(u32),
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n`
    Unseen(u32),
    /// `DELETED n`
    Deleted(u32),
    /// `SIZE n`
    Size(u64),
    /// `HIGHESTMODSEQ n`
    HighestModSeq(u64),
    /// `APPENDLIMIT n / NIL`
    AppendLimit(Option<u64>),
    /// `DELETED-STORAGE n` (RFC 9208)
    DeletedStorage(u64),
    /// `MAILBOXID (objectid)` (RFC 8474 §4.3; §7: `status-att-value =/
    /// "MAILBOXID" SP "(" objectid ")"`).
    MailboxId(IString<'a>),
    /// Another item with a numeric value.
    Other(Atom<'a>, u64),
}

crate::owned::into_owned! {
    enum StatusItem {
        Messages(n),
        Recent(n),
        UidNext(n),
        UidValidity(n),
        Unseen(n),
        Deleted(n),
        Size(n),
        HighestModSeq(n),
        AppendLimit(n),
        DeletedStorage(n),
        MailboxId(id),
        Other(a, n),
    }
}

/// The grammar of STATUS items.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::combinator::map;

    use super::StatusItem;
    use crate::imap::syntax::core::{Atom, List};
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::{atom, is_nil, number, number64, paren_objectid};

    /// The `status-att` names [`status_item`] reads as typed values.
    pub(crate) const KNOWN_STATUS_ITEMS: [&str; 11] = [
        "MAILBOXID",
        "MESSAGES",
        "RECENT",
        "UIDNEXT",
        "UIDVALIDITY",
        "UNSEEN",
        "DELETED",
        "SIZE",
        "HIGHESTMODSEQ",
        "APPENDLIMIT",
        "DELETED-STORAGE",
    ];

    /// `status-att-val`
    pub(crate) fn status_item<'a>(i: In<'a>) -> R<'a, StatusItem<'a>> {
        let (i, name) = atom(i)?;
        let (i, ()) = sp(i)?;
        let n = name.as_str();
        let is = |s: &str| n.eq_ignore_ascii_case(s);
        if is("MESSAGES") {
            map(number, StatusItem::Messages).parse(i)
        } else if is("RECENT") {
            map(number, StatusItem::Recent).parse(i)
        } else if is("UIDNEXT") {
            map(number, StatusItem::UidNext).parse(i)
        } else if is("UIDVALIDITY") {
            map(number, StatusItem::UidValidity).parse(i)
        } else if is("UNSEEN") {
            map(number, StatusItem::Unseen).parse(i)
        } else if is("DELETED") {
            map(number, StatusItem::Deleted).parse(i)
        } else if is("SIZE") {
            map(number64, StatusItem::Size).parse(i)
        } else if is("HIGHESTMODSEQ") {
            map(number64, StatusItem::HighestModSeq).parse(i)
        } else if is("APPENDLIMIT") {
            match is_nil(i) {
                (rest, true) => Ok((rest, StatusItem::AppendLimit(None))),
                _ => map(number64, |n| StatusItem::AppendLimit(Some(n))).parse(i),
            }
        } else if is("DELETED-STORAGE") {
            map(number64, StatusItem::DeletedStorage).parse(i)
        } else if is("MAILBOXID") {
            // status-att-value =/ "MAILBOXID" SP "(" objectid ")"   (RFC 8474 §7)
            map(paren_objectid, StatusItem::MailboxId).parse(i)
        } else {
            let (i, v) = number64(i)?;
            Ok((i, StatusItem::Other(name, v)))
        }
    }

    /// The `status-att` list of a STATUS command (names are atoms, so
    /// extensions' items pass):
    ///
    /// ```text
    /// status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
    /// ```
    pub(crate) fn status_atts(i: In<'_>) -> R<'_, List<'_, Atom<'_>>> {
        crate::imap::syntax::rules::paren_atoms(i, false)
    }
}

/// The emitter of STATUS items.
pub(crate) mod emit {
    use super::StatusItem;
    use crate::Error;
    use crate::imap::syntax::write::{W, num_code, objectid};

    pub(crate) fn status_item(w: &mut W<'_>, it: &StatusItem<'_>) -> Result<(), Error> {
        let (name, n): (&[u8], u64) = match it {
            StatusItem::Messages(n) => (b"MESSAGES", u64::from(*n)),
            StatusItem::Recent(n) => (b"RECENT", u64::from(*n)),
            StatusItem::UidNext(n) => (b"UIDNEXT", u64::from(*n)),
            StatusItem::UidValidity(n) => (b"UIDVALIDITY", u64::from(*n)),
            StatusItem::Unseen(n) => (b"UNSEEN", u64::from(*n)),
            StatusItem::Deleted(n) => (b"DELETED", u64::from(*n)),
            StatusItem::Size(n) => (b"SIZE", *n),
            StatusItem::HighestModSeq(n) => (b"HIGHESTMODSEQ", *n),
            StatusItem::AppendLimit(None) => {
                w.raw(b"APPENDLIMIT NIL");
                return Ok(());
            }
            StatusItem::AppendLimit(Some(n)) => (b"APPENDLIMIT", *n),
            StatusItem::DeletedStorage(n) => (b"DELETED-STORAGE", *n),
            StatusItem::MailboxId(id) => {
                w.raw(b"MAILBOXID (");
                objectid(w, id)?;
                w.raw(b")");
                return Ok(());
            }
            StatusItem::Other(a, n) => {
                w.atom(a)?;
                w.sp();
                w.num(*n);
                return Ok(());
            }
        };
        num_code(w, name, n)
    }
}
