//! Emitting commands and responses (RFC 9051 §4, §9; RFC 7888 literals).
//!
//! ```
//! use mailwire::imap::{emit_command, Command, CommandBody, EmitOptions, IString, LiteralStyle, Tag};
//!
//! // a password with a space is quoted; with a CR it must be a literal (RFC 9051 §4.3)
//! let login = |password: &'static str| Command {
//!     tag: Tag::new("a001").unwrap(),
//!     body: CommandBody::Login { username: IString::from("mrc"), password: password.into() },
//! };
//! let mut out = Vec::new();
//! emit_command(&login("se cret"), &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a001 LOGIN mrc \"se cret\"\r\n");
//! out.clear();
//! let emitted = emit_command(&login("a\rb"), &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a001 LOGIN mrc {3}\r\na\rb\r\n");
//! // the client waits for "+" after the first line
//! assert_eq!(emitted.sync_points, [out.len() - 5]);
//! // LITERAL+ (RFC 7888): no wait
//! out.clear();
//! let plus = EmitOptions::default().with_literals(LiteralStyle::NonSyncPlus);
//! emit_command(&login("a\rb"), &mut out, &plus).unwrap();
//! assert_eq!(out, b"a001 LOGIN mrc {3+}\r\na\rb\r\n");
//! ```
//!
//! Strings are written as an atom, a quoted string or a literal depending on
//! their content, so no line is ever read differently by the peer: CR, LF and
//! 8-bit bytes force a literal (8-bit may be quoted once UTF8=ACCEPT is on,
//! [`EmitOptions::utf8`]), NUL forces literal8 where it is allowed and is an
//! [`Error::Emit`](crate::Error::Emit) elsewhere, as are CR/LF in human text. Nothing is written
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
