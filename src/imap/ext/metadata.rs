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
//! [`MetadataEntries`] of its value. This room holds the values of METADATA
//! ([`GetMetadataOption`], [`MetadataDepth`], [`MetadataEntries`]) with
//! their rules and emitters; the command and response frames (the variants
//! above) read and write them through it. The old paths
//! (`types::command::GetMetadataOption`, ...) re-export the types.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody};
//! use mailwire::imap::ext::metadata::{GetMetadataOption, MetadataDepth};
//!
//! let c = parse_command(b"A1 GETMETADATA (DEPTH infinity) INBOX /private/comment\r\n",
//!                       &ParseOptions::default()).unwrap();
//! let CommandBody::GetMetadata { options, .. } = c.body else { panic!() };
//! assert_eq!(options.iter().next(), Some(GetMetadataOption::Depth(MetadataDepth::Infinity)));
//! ```

use alloc::borrow::Cow;

use crate::imap::syntax::core::*;

/// One `getmetadata-option` (RFC 5464 §4.2).
///
/// ```text
/// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
/// getmetadata-option  = tagged-ext-label [SP tagged-ext-val]
/// maxsize-opt         = "MAXSIZE" SP number
/// scope-opt           = "DEPTH" SP ("0" / "1" / "infinity")
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GetMetadataOption<'a> {
    /// `MAXSIZE n` (§4.2.1): only values of at most `n` octets.
    MaxSize(u32),
    /// `DEPTH 0 / 1 / infinity` (§4.2.2).
    Depth(MetadataDepth),
    /// Another option: `tagged-ext-label [SP tagged-ext-val]`.
    Other {
        /// The option name, neither `MAXSIZE` nor `DEPTH`.
        name: Atom<'a>,
        /// The value as on the wire (`tagged-ext-val`, parentheses included).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// The `DEPTH` of a GETMETADATA (RFC 5464 §4.2.2): `"0" / "1" / "infinity"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataDepth {
    /// `0`: the entries named only.
    Zero,
    /// `1`: and their immediate children.
    One,
    /// `infinity`: and all their descendants.
    Infinity,
}

impl MetadataDepth {
    /// The wire form (`0`, `1`, `infinity`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MetadataDepth::Zero => "0",
            MetadataDepth::One => "1",
            MetadataDepth::Infinity => "infinity",
        }
    }
}

/// `metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)` (RFC 5464)
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MetadataEntries<'a> {
    /// `(entry value ...)`
    Values(List<'a, (IString<'a>, NString<'a>)>),
    /// `entry entry ...` (unsolicited change notification)
    Names(List<'a, IString<'a>>),
}

crate::owned::owned_copy!(MetadataDepth);

crate::owned::into_owned! {
    inherent enum GetMetadataOption { MaxSize(n), Depth(d), Other { name, value } }
    enum MetadataEntries { Values(l), Names(l) }
}

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

    use super::{GetMetadataOption, MetadataDepth};
    use crate::imap::syntax::input::{expect, word};
    use crate::imap::syntax::rules::{number32, opt_ext_value, tagged_ext_label};
    use nom::branch::alt;
    use nom::combinator::{map, value};
    use nom::sequence::preceded;

    /// ```text
    /// getmetadata-option = tagged-ext-label [SP tagged-ext-val]
    /// maxsize-opt        = "MAXSIZE" SP number
    /// scope-opt          = "DEPTH" SP ("0" / "1" / "infinity")
    /// ```
    pub(crate) fn getmetadata_option(i: In<'_>) -> R<'_, GetMetadataOption<'_>> {
        let (i, name) = tagged_ext_label(i)?;
        if name.eq_ignore_case("MAXSIZE") {
            map(preceded(sp, number32), GetMetadataOption::MaxSize).parse(i)
        } else if name.eq_ignore_case("DEPTH") {
            let depth = expect(
                "\"0\", \"1\" or \"infinity\"",
                alt((
                    value(MetadataDepth::Zero, word(b"0")),
                    value(MetadataDepth::One, word(b"1")),
                    value(MetadataDepth::Infinity, word(b"infinity")),
                )),
            );
            map(preceded(sp, depth), GetMetadataOption::Depth).parse(i)
        } else {
            let (i, value) = opt_ext_value(i)?;
            Ok((i, GetMetadataOption::Other { name, value }))
        }
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

    use super::GetMetadataOption;
    use crate::imap::syntax::write::ext_param;

    /// `getmetadata-option` (RFC 5464).
    pub(crate) fn getmetadata_option(
        w: &mut W<'_>,
        o: &GetMetadataOption<'_>,
    ) -> Result<(), Error> {
        match o {
            GetMetadataOption::MaxSize(n) => {
                w.raw(b"MAXSIZE ");
                w.num(u64::from(*n));
            }
            GetMetadataOption::Depth(d) => {
                w.raw(b"DEPTH ");
                w.raw(d.as_str().as_bytes());
            }
            GetMetadataOption::Other { name, value } => {
                ext_param(w, name, value, &["MAXSIZE", "DEPTH"])?;
            }
        }
        Ok(())
    }
}
