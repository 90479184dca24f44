//! Helpers shared by the integration tests (each `tests/*.rs` that needs them says `mod common;`).

// Every test binary compiles this module but uses only part of it.
#![allow(dead_code)]

pub(crate) mod peers;
