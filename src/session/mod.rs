//! The session layer: what every state machine of the crate shares below its
//! protocol (see the crate docs, "The time contract").
//!
//! The six machines use these pieces rather than each keeping its own copy,
//! so a rule such as "when does a timer start counting" is written once.

pub(crate) mod timer;

pub(crate) use timer::{Clock, Timer};
