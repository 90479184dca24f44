//! UIDONLY (RFC 9586): after `ENABLE UIDONLY` client and server speak of
//! messages by UID only. The server sends `* uid UIDFETCH (...)` where it
//! would send `* n FETCH (...)`, `VANISHED` where it would send `EXPUNGE`,
//! and refuses a command that uses message sequence numbers with a tagged
//! `BAD [UIDREQUIRED]`.
//!
//! ```text
//! capability     =/ "UIDONLY"
//! message-data   =/ uidfetch-resp
//! uidfetch-resp  = uniqueid SP "UIDFETCH" SP msg-att
//! resp-text-code =/ "UIDREQUIRED"
//! ```
//!
//! ```
//! use mailwire::imap::{parse_response, Data, FetchItem, ParseOptions, Response};
//!
//! let Response::Data(Data::UidFetch { uid, items }) = parse_response(
//!     b"* 25996 UIDFETCH (FLAGS (\\Seen))\r\n",
//!     &ParseOptions::STRICT,
//! ).unwrap() else { panic!() };
//! assert_eq!(uid, 25996);
//! assert!(matches!(items.iter().next(), Some(FetchItem::Flags(_))));
//! ```
//!
//! Extends:
//! - [`Data`](crate::imap::Data)`::UidFetch` (read and written beside FETCH,
//!   whose `msg-att` grammar it shares);
//! - [`Code`](crate::imap::Code)`::UidRequired`.
//!
//! The client machine, once UIDONLY is enabled, refuses the commands that
//! take message sequence numbers; the server machine, when UIDONLY is in its
//! `enableable` list and the client enabled it, answers them
//! `BAD [UIDREQUIRED]` itself.

/// The capability (and the ENABLE name).
pub const CAPABILITY: &str = "UIDONLY";

/// The response code's name.
pub(crate) const UIDREQUIRED: &[u8] = b"UIDREQUIRED";
