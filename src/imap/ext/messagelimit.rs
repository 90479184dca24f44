//! MESSAGELIMIT (RFC 9738): the server announces how many messages one
//! FETCH, SEARCH, STORE, COPY or MOVE (or their UID forms), one APPEND or one
//! UID EXPUNGE may touch, and says so in a response code when a command went
//! over it (a UID command then has partial results and an OK; a command over
//! message sequence numbers a NO).
//!
//! ```text
//! capability     =/ "MESSAGELIMIT=" message-limit
//! message-limit  = nz-number32
//! resp-text-code =/ "MESSAGELIMIT" SP message-limit
//! ```
//!
//! RFC 9738 also defines the capability `SAVELIMIT=n` (listed with RFC 9738
//! in IANA's capability registry and in Cyrus' and Stalwart's sources) and
//! the search keys `UIDAFTER uid` and `UIDBEFORE uid` (Stalwart's tests).
//! The RFC text itself could not be read here: the rules above are as the
//! earlier audit read them, and `SAVELIMIT=`'s value and the keys' argument
//! are assumed to be a non-zero 32-bit number and a `uniqueid`
//! (`Capabilities::save_limit`, `SearchKey::UidAfter`/`UidBefore`).
//!
//! ```
//! use mailwire::imap::{parse_response, Code, ParseOptions, Response};
//!
//! let Response::Status(s) = parse_response(
//!     b"A1 OK [MESSAGELIMIT 1000] UID FETCH completed with 1000 partial results\r\n",
//!     &ParseOptions::STRICT,
//! ).unwrap() else { panic!() };
//! assert_eq!(s.code, Some(Code::MessageLimit(1000)));
//! ```
//!
//! Extends:
//! - [`Code`](crate::imap::Code)`::MessageLimit`;
//! - the client's `Capabilities::message_limit` (read from the capability).
//!
//! Registered in `registry` (the code's dispatch and emitter). A server
//! application advertises `MESSAGELIMIT=n` through
//! [`ServerConfig::capabilities`](crate::imap::ServerConfig) and completes
//! the commands it cut short with the code.

/// The capability's prefix.
pub(crate) const CAPABILITY_PREFIX: &str = "MESSAGELIMIT=";

/// The prefix of RFC 9738's second capability.
pub(crate) const SAVE_CAPABILITY_PREFIX: &str = "SAVELIMIT=";

/// The limit in a `MESSAGELIMIT=n` capability: `message-limit = nz-number32`
/// (no sign, no leading `+`, non-zero, below 2^32); `None` for another
/// capability or a value off the grammar.
pub(crate) fn capability_limit(cap: &str) -> Option<u32> {
    prefixed_limit(cap, CAPABILITY_PREFIX)
}

/// The limit in a `SAVELIMIT=n` capability, read as `MESSAGELIMIT=`'s (the
/// value's rule was not confirmed from the RFC text: a non-zero 32-bit
/// number is assumed).
pub(crate) fn save_limit(cap: &str) -> Option<u32> {
    prefixed_limit(cap, SAVE_CAPABILITY_PREFIX)
}

fn prefixed_limit(cap: &str, prefix: &str) -> Option<u32> {
    let p = cap.get(..prefix.len())?;
    if !p.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let v = &cap[prefix.len()..];
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u32>().ok().filter(|&n| n != 0)
}

/// The grammar of the MESSAGELIMIT code.
pub(crate) mod parse {
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::nz_number32;

    /// After the code's name: `SP message-limit`.
    pub(crate) fn messagelimit_code(i: In<'_>) -> R<'_, u32> {
        let (i, ()) = sp(i)?;
        nz_number32(i)
    }
}

/// The emitter of the MESSAGELIMIT code.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::syntax::write::{W, num_code};

    /// `"MESSAGELIMIT" SP message-limit`; zero is refused (`nz-number32`).
    pub(crate) fn messagelimit_code(w: &mut W<'_>, n: u32) -> Result<(), Error> {
        if n == 0 {
            return Err(Error::Emit(crate::error::Unemittable::Zero {
                field: "message-limit",
            }));
        }
        num_code(w, b"MESSAGELIMIT", n.into())
    }
}
