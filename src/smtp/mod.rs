//! SMTP (RFC 5321), submission (RFC 6409) and LMTP (RFC 2033): codec and
//! Sans-IO state machines.
//!
//! TODO example
pub mod command;
pub mod emit;
pub mod parse;
pub mod reply;

pub use command::*;
pub use emit::{emit_command, emit_reply};
pub use parse::{parse_command, parse_reply, parse_reply_frame, ReplyFramer};
pub use reply::*;
pub mod server;
pub use server::{Server, ServerConfig, ServerEvent};
pub mod client;
pub use client::{Client, ClientConfig, ClientEvent, CommandKind, ServerCapabilities};
