//! POP3 (RFC 1939) with CAPA (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034) and
//! UTF8/LANG (RFC 6856).

pub mod command;
pub mod emit;
pub mod md5;
pub mod parse;
pub mod response;

pub use command::{Command, CommandKind};
pub use response::{
    Capability, DropListing, Expire, Response, ResponseCode, SaslMechanisms, ScanListing, Status,
    UniqueIdListing,
};
