//! METADATA (RFC 5464): annotations on mailboxes and on the server. This
//! room holds the rule the command and the response share, `entry-value`
//! (§5):
//!
//! ```
//! use mailwire::imap::{parse_response, Data, MetadataEntries, ParseOptions, Response};
//!
//! // RFC 5464 §4.2.1: C: a GETMETADATA "" /shared/comment
//! //                  S: * METADATA "" (/shared/comment "Shared comment")
//! let frame = b"* METADATA \"\" (/shared/comment \"Shared comment\")\r\n";
//! let Response::Data(Data::Metadata { mailbox, entries: MetadataEntries::Values(values) }) =
//!     parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
//! assert_eq!(mailbox.as_bytes(), b""); // the server's own entries
//! let (entry, value) = values.iter().next().unwrap();
//! assert_eq!((entry.as_bytes(), value.unwrap().as_bytes()), (&b"/shared/comment"[..], &b"Shared comment"[..]));
//! ```
//!
//! ```text
//! setmetadata  = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
//! entry-values = "(" entry-value *(SP entry-value) ")"
//! entry-value  = entry SP value
//! entry        = astring
//! value        = nstring / literal8
//! ```
//!
//! Extends [`CommandBody`](crate::imap::CommandBody)`::{GetMetadata,
//! SetMetadata}`, [`Data`](crate::imap::Data)`::Metadata` and the
//! [`MetadataEntries`](crate::imap::MetadataEntries) of its value; the rest
//! of their grammar (GETMETADATA options, the entry-list form of the
//! response) is still in the base command and response rooms.

/// The grammar of METADATA's shared rules.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::sequence::separated_pair;

    use crate::imap::syntax::core::IString;
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::{astring, nstring};

    /// `entry-value = entry SP value ; value = nstring / literal8`
    pub(crate) fn entry_value(i: In<'_>) -> R<'_, (IString<'_>, Option<IString<'_>>)> {
        separated_pair(astring, sp, nstring).parse(i)
    }
}

/// Emitting METADATA's shared rules.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::syntax::core::{IString, List, NString};
    use crate::imap::syntax::write::W;

    /// `"(" entry-value *(SP entry-value) ")"`
    pub(crate) fn entry_values(
        w: &mut W<'_>,
        entries: &List<'_, (IString<'_>, NString<'_>)>,
    ) -> Result<(), Error> {
        w.raw(b"(");
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            w.astring(k.as_bytes())?;
            w.sp();
            w.nstring(&v)?;
        }
        w.raw(b")");
        Ok(())
    }
}
