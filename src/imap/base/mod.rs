//! The base protocol rooms (RFC 9051, RFC 3501): one module per concept of
//! the base protocol, holding the concept's value types, its grammar
//! (`parse`) and its emitter (`emit`), so a rule is written once and not once
//! per direction. The extension rooms are in [`crate::imap::ext`]; the ground
//! floor they all build on is `parse::input`, `types::core` and
//! `parse::core`.
//!
//! ```
//! use mailwire::imap::{emit_command, parse_command, CommandBody, EmitOptions, FetchAttribute, FetchAttributes, ParseOptions};
//!
//! // RFC 9051 §6.4.5: C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
//! let frame = b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n";
//! let command = parse_command(frame, &ParseOptions::STRICT).unwrap();
//! let CommandBody::Fetch { attributes: FetchAttributes::List(attributes), .. } = &command.body else { panic!() };
//! assert_eq!(attributes.iter().next(), Some(FetchAttribute::Flags));
//! // the fetch room writes what it reads
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, frame);
//! ```

pub mod append;
pub mod body;
pub mod capability;
pub mod fetch;
pub mod gmail;
pub mod list;
pub mod namespace;
pub mod partial;
pub mod quota;
pub mod savedate;
pub mod search;
pub mod select;
pub mod sort;
pub mod status;
pub mod store;
