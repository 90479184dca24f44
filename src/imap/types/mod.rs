//! The IMAP value types: [`core`] values, [`command`]s, [`response`]s,
//! [`body`] structures and the values of the ACL, CATENATE, NOTIFY and
//! URLAUTH extensions ([`ext`]). Parsed values borrow from the frame they
//! were parsed from; [`IntoOwned`] makes them `'static`.
//!
//! ```
//! use mailwire::imap::{emit_command, Command, CommandBody, EmitOptions, IntoOwned, List, Mailbox, Tag};
//!
//! // RFC 3501 §8: C: a002 select inbox, built and written
//! let command = Command { tag: Tag::new("a002").unwrap(), body: CommandBody::Select { mailbox: Mailbox::Inbox, params: List::empty() } };
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a002 SELECT INBOX\r\n");
//! let kept: Command<'static> = command.into_owned();
//! assert_eq!(kept.tag.as_str(), "a002");
//! ```

/// Body structures and envelopes, now in their room
/// ([`crate::imap::base::body`]); this path re-exports them.
///
/// ```
/// use mailwire::imap::types::body::{Address, AddressList, Envelope};
/// use mailwire::imap::IString;
///
/// let gray = Address { mailbox: Some(IString::from("gray")), host: Some(IString::from("cac.washington.edu")), ..Address::default() };
/// let envelope = Envelope { from: AddressList::new(vec![gray]), ..Envelope::default() };
/// assert_eq!(envelope.from.first().unwrap().email().as_deref(), Some("gray@cac.washington.edu"));
/// assert!(envelope.to.is_nil());
/// ```
pub mod body {
    pub use crate::imap::base::body::{
        Address, AddressList, BodyExtension, BodyStructure, Disposition, Envelope, MultiPart,
        Params, SinglePart, Specific,
    };
}
pub mod command;
/// The core values, now on the ground floor ([`crate::imap::syntax::core`]);
/// this path re-exports them.
///
/// ```
/// use mailwire::imap::types::core::{SeqNum, SequenceSet};
///
/// let set = SequenceSet::new("12:*").unwrap();
/// assert!(set.contains(15, 15) && !set.contains(11, 15));
/// assert_eq!(set.iter().next().unwrap().end, SeqNum::Asterisk);
/// ```
pub mod core {
    pub use crate::imap::syntax::core::*;
}
pub mod ext;
pub mod response;

pub use crate::imap::syntax::core::IntoOwned;
