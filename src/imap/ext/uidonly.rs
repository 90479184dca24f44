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
//! The machines:
//! - client: `ENABLE UIDONLY` only when the server advertised it; the mode
//!   starts with the server's `* ENABLED UIDONLY`. From then on a command
//!   that uses message sequence numbers ([`CommandBody`'s
//!   rule](crate::imap::CommandBody): the non-UID forms, a `sequence-set`
//!   search key in UID SEARCH/SORT/THREAD or ESEARCH, QRESYNC's
//!   `seq-match-data`) is [`ApiMisuse::UidRequired`](crate::error::ApiMisuse::UidRequired)
//!   and nothing is sent. A UIDFETCH before that is a malformed response;
//!   after it, its large literals are streamed as FETCH's are
//!   ([`ClientEvent::UidFetchBodyStart`](crate::imap::ClientEvent::UidFetchBodyStart));
//!   [`Client::exists`](crate::imap::Client::exists) counts VANISHED.
//! - server: UIDONLY is enabled when it is both `enableable` and advertised
//!   (`capabilities`); then the machine answers those same commands
//!   `BAD [UIDREQUIRED]` itself, and the application's `EXPUNGE`, `n FETCH`,
//!   non-UID ESEARCH and `[UNSEEN n]` are refused with `UidRequired`: it
//!   reports expunges as `VANISHED` and changes as `UIDFETCH`
//!   ([`Server::start_uid_fetch`](crate::imap::Server::start_uid_fetch) for a
//!   streamed one).

use alloc::vec::Vec;

use crate::imap::base::search::SearchKey;

/// The capability (and the ENABLE name).
pub const CAPABILITY: &str = "UIDONLY";

/// Whether a search program names messages by sequence number: a
/// `sequence-set` search key anywhere in it, nested in `NOT`, `OR` or a
/// parenthesised list too (`$` included: in a search program the saved
/// result stands for message numbers, RFC 5182 §2.1; `UID $` does not).
/// RFC 9586 §3: once UIDONLY is enabled "the client MUST NOT use message
/// sequence numbers ... in any arguments to IMAP commands".
///
/// A loop over a stack on the heap, not a recursion: a deeply nested
/// program does not grow the call stack.
pub(crate) fn names_sequence_numbers<'a>(keys: impl IntoIterator<Item = SearchKey<'a>>) -> bool {
    let mut todo: Vec<SearchKey<'a>> = keys.into_iter().collect();
    while let Some(k) = todo.pop() {
        match k {
            SearchKey::SequenceSet(_) => return true,
            SearchKey::Not(a) => todo.extend(a.try_get()),
            SearchKey::Or(a, b) => todo.extend(a.try_get().into_iter().chain(b.try_get())),
            SearchKey::And(l) => todo.extend(l.iter()),
            _ => {}
        }
    }
    false
}

/// The response code's name.
pub(crate) const UIDREQUIRED: &[u8] = b"UIDREQUIRED";
