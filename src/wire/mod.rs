//! Protocol-agnostic pieces shared by two or more protocols: line framing
//! ([`line`](mod@line)), dot-stuffing ([`dot`]) and SASL ([`sasl`]).

pub mod dot;
pub mod line;
pub mod sasl;
