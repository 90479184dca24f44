//! SMTP (RFC 5321), submission (RFC 6409) and LMTP (RFC 2033): a zero-copy
//! codec and Sans-IO client and server state machines.
//!
//! - Codec: [`Command`] and [`Reply`] values that borrow from the input;
//!   [`parse_command`] (one line), [`ReplyFramer`] + [`parse_reply`] /
//!   [`parse_reply_stream`] (multi-line replies); [`emit_command`] / [`emit_reply`],
//!   which refuse to emit anything a peer would read differently. MAIL/RCPT
//!   [`Parameters`] are a validated view iterated as typed [`Parameter`]s;
//!   EHLO replies give typed [`EhloKeyword`]s through [`Reply::capabilities`].
//!   Parsing a command or a reply allocates nothing.
//! - [`Client`]: greeting, EHLO (HELO fallback), STARTTLS, AUTH PLAIN/LOGIN,
//!   pipelined transactions, DATA (dot-stuffed) or BDAT bodies, LMTP.
//! - [`Server`]: greeting, EHLO built from [`ServerConfig`], the application
//!   deciding MAIL/RCPT/AUTH/end of data through [`ServerEvent`]s, order and
//!   limits enforced with the RFC's codes, smuggling-proof bodies, STARTTLS that
//!   discards injected plaintext, LMTP per-recipient replies, idle timeout.
//!
//! # Example: a client and a server talking in memory
//!
//! ```
//! use mailwire::smtp::*;
//!
//! let mut server = Server::new(ServerConfig::new("mx.example"));
//! let mut client = Client::new(ClientConfig::new("client.example"));
//! let mut delivered = Vec::new();
//! let mut body = Vec::new();
//! let mut done = false;
//!
//! for _ in 0..20 {
//!     // server -> client
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.handle_input(&bytes);
//!     }
//!     while let Some(event) = client.poll_event().unwrap() {
//!         match event {
//!             ClientEvent::Ready(_) => {
//!                 let from = Mailbox::parse("alice@example.org").unwrap();
//!                 let to = Mailbox::parse("bob@example.net").unwrap();
//!                 client.mail(&ReversePath::Mailbox(from), &Parameters::default()).unwrap();
//!                 client.rcpt(&ForwardPath::Mailbox(to), &Parameters::default()).unwrap();
//!                 client.data().unwrap();
//!             }
//!             ClientEvent::ReadyForData => {
//!                 client.send_body(b"Subject: hello\r\n\r\n.dot-led line\r\n").unwrap();
//!                 client.finish_body().unwrap();
//!             }
//!             ClientEvent::Reply { command: CommandKind::DataEnd { .. }, reply } => {
//!                 assert!(reply.code().is_positive());
//!                 done = true;
//!                 client.quit().unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     // client -> server
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.handle_input(&bytes);
//!     }
//!     while let Some(event) = server.poll_event().unwrap() {
//!         match event {
//!             ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => server.accept().unwrap(),
//!             ServerEvent::DataChunk(chunk) => body.extend_from_slice(&chunk),
//!             ServerEvent::DataEnd => {
//!                 delivered.push(std::mem::take(&mut body));
//!                 server.accept().unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//! }
//! assert!(done && client.is_closed() && server.is_closed());
//! assert_eq!(delivered, [b"Subject: hello\r\n\r\n.dot-led line\r\n".to_vec()]);
//! ```

pub mod client;
pub mod command;
pub mod emit;
pub mod parse;
pub mod receive;
pub mod reply;
pub mod server;
pub mod submit;
mod syntax;

pub use client::{Capabilities, Client, ClientConfig, ClientEvent, CommandKind};
pub use command::{
    Body, ByMode, Command, ForwardPath, Host, Mailbox, Notify, Parameter, ParameterIter,
    Parameters, Ret, ReversePath, RrvsAction, XAttrName, XAttribute, XAttributes, XText, XValue,
};
pub use emit::{emit_command, emit_reply};
pub use parse::{
    ReplyFramer, parse_command, parse_command_stream, parse_reply, parse_reply_stream,
};
pub use receive::{Received, Receiver, ReceiverEvent};
pub use reply::{
    EhloKeyword, EhloKeywords, EnhancedStatus, Mechanisms, Rejection, Reply, ReplyCode, ReplyLines,
};
pub use server::{Server, ServerConfig, ServerEvent};
pub use submit::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
