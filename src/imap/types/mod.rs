//! The IMAP value types: [`core`] values, [`command`]s, [`response`]s,
//! [`body`] structures and the values of the ACL, CATENATE, NOTIFY and
//! URLAUTH extensions ([`ext`]). Parsed values borrow from the frame they
//! were parsed from; [`IntoOwned`] makes them `'static`.

/// Body structures and envelopes, now in their room
/// ([`crate::imap::base::body`]); this path re-exports them.
pub mod body {
    pub use crate::imap::base::body::{
        Address, AddressList, BodyExtension, BodyStructure, Disposition, Envelope, MultiPart,
        Params, SinglePart, Specific,
    };
}
pub mod command;
/// The core values, now on the ground floor ([`crate::imap::syntax::core`]);
/// this path re-exports them.
pub mod core {
    pub use crate::imap::syntax::core::*;
}
pub mod ext;
pub mod response;

pub use crate::imap::syntax::core::IntoOwned;
