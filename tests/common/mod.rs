//! Helpers shared by the integration tests (each `tests/*.rs` that needs them says `mod common;`).

// Every test binary compiles this module but uses only part of it.
#![allow(dead_code)]

pub(crate) mod harness;
pub(crate) mod imap;
/// The examples' message helpers (line ends), shared with the tests that check what the servers send.
#[path = "../../examples/common/message.rs"]
pub(crate) mod message;
pub(crate) mod peers;
