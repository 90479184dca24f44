//! Emitting commands and responses (RFC 9051 §4, §9; RFC 7888 literals).
//!
//! Strings are written as an atom, a quoted string or a literal depending on
//! their content, so no line is ever read differently by the peer: CR, LF and
//! 8-bit bytes force a literal (8-bit may be quoted once UTF8=ACCEPT is on,
//! [`EmitOptions::utf8`]), NUL forces literal8 where it is allowed and is an
//! [`Error::Emit`] elsewhere, as are CR/LF in human text. Nothing is written
//! to the output when emitting fails.
//!
//! A client must wait for `+` after each synchronizing literal: [`Emitted`]
//! lists where they end so a state machine can send the command in pieces.

pub(crate) mod command;
pub(crate) mod response;

pub use crate::imap::syntax::write::{EmitOptions, Emitted, LITERAL_MINUS_MAX, LiteralStyle};
pub(crate) use crate::imap::syntax::write::{announce, emit_into};
pub use command::emit_command;
pub use response::{emit_greeting, emit_response};

#[cfg(test)]
mod tests;
