//! The values of the ACL, CATENATE, NOTIFY and URLAUTH extensions, kept at
//! this path for compatibility: each now lives in its extension's room
//! ([`crate::imap::ext`]), with its grammar and its emitter.

pub use crate::imap::ext::acl::{ModRights, Rights, RightsMode};
pub use crate::imap::ext::catenate::{AppendItem, CatenatePart};
pub use crate::imap::ext::notify::{EventGroup, MailboxFilter, Notify, NotifyEvent};
pub use crate::imap::ext::urlauth::{UrlMechanism, is_url_mechanism};
