//! The base protocol rooms (RFC 9051, RFC 3501): one module per concept of
//! the base protocol, holding the concept's value types, its grammar
//! (`parse`) and its emitter (`emit`), so a rule is written once and not once
//! per direction. The extension rooms are in [`crate::imap::ext`]; the ground
//! floor they all build on is `parse::input`, `types::core` and
//! `parse::core`.

pub mod append;
pub mod body;
pub mod fetch;
pub mod list;
pub mod namespace;
pub mod quota;
pub mod savedate;
pub mod search;
pub mod select;
pub mod sort;
pub mod status;
