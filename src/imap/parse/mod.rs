//! The IMAP grammar (RFC 9051 §9, RFC 3501 §9 and extensions), one function
//! per ABNF rule with the rule quoted, grouped by area: [`core`] values,
//! [`response`]s, [`body`] structures and envelopes, [`command`]s.
//!
//! ```
//! use mailwire::imap::{parse_response, Code, ParseOptions, Response};
//!
//! // RFC 2177 §3 prints "* OK [UIDVALIDITY 1]" with no text after the code,
//! // which RFC 9051 §9's resp-text does not allow (text = 1*TEXT-CHAR):
//! // accepted by default (Quirks::missing_text), refused under STRICT.
//! let frame = b"* OK [UIDVALIDITY 1]\r\n";
//! let Response::Status(status) = parse_response(frame, &ParseOptions::default()).unwrap() else { panic!() };
//! assert_eq!(status.code, Some(Code::UidValidity(1)));
//! let error = parse_response(frame, &ParseOptions::STRICT).unwrap_err();
//! assert!(error.to_string().contains("offset 20"), "{error}"); // where it failed
//! ```
//!
//! Every parser runs on one complete message found by
//! [`Framer`](crate::imap::frame::Framer), so running out of input here is a
//! syntax error, never "incomplete". Recursion (BODYSTRUCTURE, search keys,
//! unknown parenthesised values) is bounded by a depth budget.
//!
//! Every rule is a nom 8 parser over `In`, a nom input type that carries the
//! parse state with the bytes (the `input` module): the quirks, the depth
//! budget, the validate-only and trusted modes and UTF8=ACCEPT. Lazy lists
//! keep that state (4 bytes) and run their element rule again when iterated.
//! nom's own parsers and combinators (`alt`, `opt`, `preceded`, `delimited`,
//! `map`, tuples, `cut`) compose the rules; where the grammar dispatches on one
//! byte (FETCH items, body structures, commands) a rule matches on the next
//! byte instead of trying alternatives one by one, which keeps the hot paths
//! as fast as a hand-written scanner. Errors carry the bytes left and what was
//! expected, and become [`ParseError`](crate::error::ParseError)s with an offset
//! into the frame at the entry points.

/// The rules of body structures and envelopes, now in their room
/// ([`crate::imap::base::body`]).
///
/// ```
/// use mailwire::imap::{parse_response, BodyStructure, Data, FetchItem, ParseOptions, Response};
///
/// // RFC 3501 §8: BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92)
/// let frame = b"* 12 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
/// let Some(FetchItem::Body(BodyStructure::Single(text))) = items.iter().next() else { panic!() };
/// assert_eq!((text.subtype.as_bytes(), text.size), (&b"PLAIN"[..], 3028));
/// ```
pub mod body {
    #[allow(unused_imports)]
    pub(crate) use crate::imap::base::body::parse::*;
}
pub mod command;
/// The rules of the core values, now on the ground floor
/// ([`crate::imap::syntax`]); this path re-exports them.
///
/// ```
/// use mailwire::imap::{parse_response, Data, Flag, ParseOptions, Response};
///
/// // RFC 3501 §8: S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
/// let frame = b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n";
/// let Response::Data(Data::Flags(flags)) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
/// assert_eq!(flags.iter().last(), Some(Flag::Draft));
/// ```
pub mod core {
    #[allow(unused_imports)]
    pub(crate) use crate::imap::syntax::rules::*;
}
/// The old home of the extension rules, kept for the paths that name it.
pub(crate) mod ext {
    pub(crate) use crate::imap::ext::catenate::parse::uses_catenate;
}
pub mod owned;
pub mod response;
pub mod stream;
pub mod visit;

pub use crate::imap::syntax::options::{ParseOptions, Quirks};

#[cfg(test)]
pub(crate) mod command_tests;
#[cfg(test)]
pub(crate) mod response_tests;
