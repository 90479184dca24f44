//! POP3: RFC 1939 (with the APOP digest of §7), CAPA and the extended response
//! codes of RFC 2449 and RFC 3206, STLS (RFC 2595), AUTH (RFC 5034), and UTF8 and
//! LANG (RFC 6856), for clients and servers.
//!
//! - codec: [`Command`] and [`Response`] with [`parse`] and [`emit`]; the lines
//!   of multi-line answers as [`ScanListing`], [`UniqueIdListing`] and
//!   [`Capability`]. Parsed values borrow the input; nothing is allocated.
//! - machines: [`Client`] and [`Server`], Sans-IO (see the crate docs for the
//!   vocabulary).
//!
//! A client and a server talking in memory (APOP's digest needs the
//! `sasl-hash` feature: [`Client::apop`] and [`ApopRequest::apop_matches`]
//! exist only with it):
//!
//! ```
//! # #[cfg(feature = "sasl-hash")] {
//! use mailwire::pop3::{
//!     Client, ClientConfig, ClientEvent, Command, Maildrop, Server, ServerConfig, ServerEvent,
//! };
//! use mailwire::Secret;
//!
//! let mut config = ServerConfig::default();
//! config.apop_timestamp = Some("<1896.697170952@dbc.mtview.ca.us>".into());
//! let mut server = Server::new(config);
//! let mut client = Client::new(ClientConfig::default());
//!
//! // Moves bytes both ways and lets the server application answer.
//! fn pump(client: &mut Client, server: &mut Server) {
//!     for _ in 0..8 {
//!         while let Some(b) = server.poll_transmit() { client.handle_input(&b); }
//!         while let Some(b) = client.poll_transmit() { server.handle_input(&b); }
//!         while let Some(event) = server.poll_event().unwrap() {
//!             match event {
//!                 ServerEvent::Apop(req) => {
//!                     let ok = req.user.as_bytes() == b"mrose" && req.apop_matches(b"tanstaaf");
//!                     assert!(ok);
//!                     let mut drop = Maildrop::new();
//!                     drop.push(11, "uid-1").unwrap();
//!                     server.accept_login(drop).unwrap();
//!                 }
//!                 ServerEvent::Retr { .. } => {
//!                     server.send_body(b"Subject: hi\r\n\r\n.dotted\r\n").unwrap();
//!                     server.finish_body().unwrap();
//!                 }
//!                 ServerEvent::Update { deleted } => {
//!                     assert!(deleted.is_empty());
//!                     server.accept().unwrap();
//!                 }
//!                 _ => {}
//!             }
//!         }
//!     }
//! }
//!
//! pump(&mut client, &mut server);
//! let Some(ClientEvent::Greeting(greeting)) = client.poll_event().unwrap() else { panic!() };
//! assert!(greeting.apop_timestamp().is_some());
//!
//! client.apop("mrose", &Secret::from("tanstaaf")).unwrap();
//! client.send_command(&Command::Retr { msg: 1 }).unwrap();
//! client.send_command(&Command::Quit).unwrap();
//! let mut body = Vec::new();
//! let mut answers = 0;
//! loop {
//!     pump(&mut client, &mut server);
//!     let Some(event) = client.poll_event().unwrap() else { break };
//!     match event {
//!         ClientEvent::Response { response, .. } => { assert!(response.is_ok()); answers += 1; }
//!         ClientEvent::BodyChunk(chunk) => body.extend_from_slice(&chunk),
//!         _ => {}
//!     }
//! }
//! assert_eq!(answers, 3);
//! assert_eq!(body, b"Subject: hi\r\n\r\n.dotted\r\n");
//! assert!(client.is_closed() && server.is_closed());
//! # }
//! ```
//!
//! Message numbers are `u32` (RFC 1939 gives no bound; four billion messages
//! in one maildrop is enough) and sizes `u64`.

pub mod client;
pub mod command;
pub mod emit;
#[cfg(feature = "sasl-hash")]
mod md5;
pub mod parse;
pub mod response;
pub mod server;

pub use client::{Capabilities, Client, ClientConfig, ClientEvent, ClientState};
pub use command::{Command, CommandKind};
pub use emit::{emit_command, emit_response};
pub use parse::{parse_command, parse_command_stream, parse_response, parse_response_stream};
pub use response::{
    Capability, DropListing, Expire, LanguageListing, Response, ResponseCode, SaslMechanisms,
    ScanListing, Status, UniqueIdListing,
};
pub use server::{
    ApopRequest, Maildrop, MessageInfo, Server, ServerConfig, ServerEvent, ServerState,
};
