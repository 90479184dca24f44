//! The extension rooms: one module per IMAP extension, each holding the
//! extension's value types, its grammar (`parse`) and its emitter (`emit`),
//! so a rule is written once. A room's header lists the central enums it
//! extends ([`CommandBody`](crate::imap::CommandBody), [`Data`](crate::imap::Data),
//! [`Code`](crate::imap::Code), ...), the way imap-types' extension modules do.
//!
//! The rooms sit below the central enums: a room names its own values and
//! the ground floor ([`crate::imap::syntax`]) and the base rooms
//! ([`crate::imap::base`]), never `CommandBody`, `Data` or `Code`. What
//! turns a room's rules into a variant of a central enum (and back) is its
//! registration, in `registry` beside the central grammar: the dispatch
//! tables the central rules ask about a command, an untagged response or a
//! response code they do not know themselves, and one small module per room
//! that reads (or writes) the variants with the room's rules.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let Response::Data(Data::MyRights { rights, .. }) =
//!     parse_response(b"* MYRIGHTS INBOX lrswi\r\n", &ParseOptions::default()).unwrap()
//! else { panic!() };
//! assert!(rights.contains('w'));
//! ```

pub mod acl;
pub mod catenate;
pub mod context;
pub mod esearch;
/// Gmail's X-GM-EXT-1 extends FETCH, STORE and SEARCH: its room is
/// [`crate::imap::base::gmail`], re-exported at this path.
pub use crate::imap::base::gmail;
pub mod id;
pub mod inprogress;
pub mod messagelimit;
pub mod metadata;
pub mod multisearch;
pub mod notify;
/// PARTIAL (RFC 9394) extends FETCH, SEARCH and ESEARCH: its room is
/// [`crate::imap::base::partial`], re-exported at this path.
pub use crate::imap::base::partial;
pub mod replace;
/// SAVEDATE (RFC 8514) extends only FETCH and SEARCH: its room is
/// [`crate::imap::base::savedate`], re-exported at this path.
pub use crate::imap::base::savedate;
pub mod uidonly;
pub mod unauthenticate;
pub mod urlauth;

#[cfg(test)]
mod tests;
