//! The ground floor of the IMAP codec: what every concept's room builds on,
//! and which depends on nothing above it.
//!
//! - `input`: the nom input type `In` (the bytes of one frame plus the parse
//!   state), its error, the character classes of RFC 9051 §9 and the small
//!   byte-level parsers;
//! - [`options`]: [`Quirks`](options::Quirks) and
//!   [`ParseOptions`](options::ParseOptions);
//! - [`core`]: the core values (tag, atom, astring, string, literal, number,
//!   sequence set, date-time, flags, mailbox) and the lazily parsed
//!   [`List`](core::List) that re-runs its element rule when iterated;
//! - `rules`: the grammar of those values, one function per ABNF rule;
//! - `write`: the writer `W` and the emitters of those values, with the emit
//!   options.
//!
//! The rooms ([`crate::imap::base`], [`crate::imap::ext`]) and the central
//! frames ([`crate::imap::types`], [`crate::imap::parse`],
//! [`crate::imap::emit`]) sit above it; nothing here names them.
//!
//! ```
//! use mailwire::imap::syntax::core::{Flag, SequenceSet};
//!
//! let set = SequenceSet::new("1:4,7").unwrap();
//! assert_eq!(set.as_str(), "1:4,7");
//! assert_eq!(Flag::Seen.wire_name(), "\\Seen");
//! ```

pub mod core;
pub(crate) mod input;
pub mod options;
pub(crate) mod rules;
pub(crate) mod write;
