//! The values of the ACL, CATENATE, NOTIFY and URLAUTH extensions, kept at
//! this path for compatibility: each now lives in its extension's room
//! ([`crate::imap::ext`]), with its grammar and its emitter.
//!
//! ```
//! use mailwire::imap::Rights;
//!
//! // RFC 4314 §2.1: rights are lowercase letters and digits ("rwipsldexta")
//! let rights = Rights::new("rwipsldexta").unwrap();
//! assert!(rights.contains('l') && rights.contains('r'));
//! assert!(Rights::new("RW").is_none());
//! ```

pub use crate::imap::ext::acl::{ModRights, Rights, RightsMode};
pub use crate::imap::ext::catenate::{AppendItem, CatenatePart};
pub use crate::imap::ext::notify::{EventGroup, MailboxFilter, Notify, NotifyEvent};
pub use crate::imap::ext::urlauth::{UrlMechanism, is_url_mechanism};
