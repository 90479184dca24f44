//! Protocol-agnostic pieces shared by two or more protocols: line framing
//! ([`line`](mod@line)), dot-stuffing ([`dot`]), SASL ([`sasl`]) and the PROXY
//! protocol header of load balancers ([`proxy`]).

#[cfg(any(feature = "pop3", feature = "imap"))]
pub(crate) mod decimal;
pub mod dot;
pub mod line;
pub mod proxy;
pub mod sasl;
