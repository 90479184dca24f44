//! The IMAP value types: [`core`] values, [`command`]s, [`response`]s,
//! [`body`] structures and the values of the ACL, CATENATE, NOTIFY and
//! URLAUTH extensions ([`ext`]). Parsed values borrow from the frame they
//! were parsed from; [`IntoOwned`] makes them `'static`.

pub mod body;
pub mod command;
pub mod core;
pub mod ext;
pub mod response;

pub use self::core::IntoOwned;
