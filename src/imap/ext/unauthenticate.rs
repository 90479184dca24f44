//! UNAUTHENTICATE (RFC 8437): an administrative client reuses one
//! connection for several users, going back from the authenticated or
//! selected state to the not-authenticated state without reconnecting.
//!
//! ```text
//! capability   =/ "UNAUTHENTICATE"
//! command-auth =/ "UNAUTHENTICATE"
//! ```
//!
//! After the tagged OK both sides forget everything the login brought
//! (RFC 8437 §3): the selected mailbox (closed without expunging), the
//! extensions turned on with ENABLE, and the capabilities, which the client
//! asks for again. The client machine does this in
//! [`Client::unauthenticate`](crate::imap::Client::unauthenticate); the
//! server machine, when [`ServerConfig::unauthenticate`](crate::imap::ServerConfig)
//! is on, answers it itself and reports
//! [`ServerEvent::Unauthenticated`](crate::imap::ServerEvent::Unauthenticated).
//!
//! ```
//! use mailwire::imap::{CommandBody, ParseOptions, parse_command, emit_command, Command, EmitOptions};
//!
//! let cmd = parse_command(b"a7 UNAUTHENTICATE\r\n", &ParseOptions::default()).unwrap();
//! assert_eq!(cmd.body, CommandBody::Unauthenticate);
//! let mut out = Vec::new();
//! emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a7 UNAUTHENTICATE\r\n");
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::Unauthenticate`.
//!
//! Registered in `registry` (the command's dispatch and emitter).

/// The grammar of UNAUTHENTICATE.
pub(crate) mod parse {
    use crate::imap::syntax::input::{In, R};

    /// The command's name.
    pub(crate) const NAME: &[u8] = b"UNAUTHENTICATE";

    /// After the name: `command-auth =/ "UNAUTHENTICATE"` (RFC 8437 §5)
    /// has no arguments, so the line must end here.
    pub(crate) fn arguments(i: In<'_>) -> R<'_, ()> {
        if !matches!(i.peek(), Some(b'\r' | b'\n')) {
            return i.err("CRLF");
        }
        Ok((i, ()))
    }
}

/// The emitter of UNAUTHENTICATE.
pub(crate) mod emit {
    use crate::imap::syntax::write::W;

    /// `"UNAUTHENTICATE"`.
    pub(crate) fn command(w: &mut W<'_>) {
        w.raw(super::parse::NAME);
    }
}
