//! The error vocabulary shared by every protocol.
//!
//! Errors say whose fault they are ([`Fault`]): bytes from the peer that do not
//! parse, a peer that breaks the protocol's sequence, a limit that was crossed, or
//! the application misusing the API. A state machine that returns a fatal error
//! keeps returning it ("sticky"), so a broken session cannot limp on.
//!
//! A parse failure carries the offset, what the grammar expected there and a short
//! escaped excerpt of the offending bytes ([`ParseError`]). An incomplete input is
//! *not* an error: parsers answer [`Status::Incomplete`](crate::Status) instead.

use core::fmt;

/// How many bytes of the offending input a [`ParseError`] keeps for display.
pub const EXCERPT_LEN: usize = 32;

/// A short, fixed-size copy of the bytes where parsing failed.
///
/// Kept inline (no heap allocation) and displayed with non-printable bytes
/// escaped, so a user debugging a real server sees exactly what it sent.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Excerpt {
    bytes: [u8; EXCERPT_LEN],
    len: u8,
    truncated: bool,
}

impl Excerpt {
    /// Copies up to [`EXCERPT_LEN`] bytes from the start of `input`.
    pub fn new(input: &[u8]) -> Self {
        let len = input.len().min(EXCERPT_LEN);
        let mut bytes = [0u8; EXCERPT_LEN];
        bytes[..len].copy_from_slice(&input[..len]);
        Excerpt {
            bytes,
            len: len as u8,
            truncated: input.len() > EXCERPT_LEN,
        }
    }

    /// The raw excerpt bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.as_bytes() {
            for c in core::ascii::escape_default(b) {
                fmt::Write::write_char(f, c as char)?;
            }
        }
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Bytes that do not follow the grammar.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("at offset {offset}: expected {expected}, found \"{excerpt}\"")]
pub struct ParseError {
    /// Offset from the start of the message (line or frame) that was parsed.
    pub offset: usize,
    /// What the grammar expected at `offset`, in the RFC's words.
    pub expected: &'static str,
    /// The bytes found at `offset`.
    pub excerpt: Excerpt,
}

impl ParseError {
    /// A parse error at `offset` within `input`.
    pub fn new(input: &[u8], offset: usize, expected: &'static str) -> Self {
        let offset = offset.min(input.len());
        ParseError {
            offset,
            expected,
            excerpt: Excerpt::new(&input[offset..]),
        }
    }

    /// Builds an error from the remaining input at the point of failure.
    pub fn at(input: &[u8], rest: &[u8], expected: &'static str) -> Self {
        Self::new(input, input.len().saturating_sub(rest.len()), expected)
    }

    /// The same error, with the offset moved by `by` (when a frame was parsed
    /// after a prefix such as a tag).
    pub fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }
}

/// Which limit of [`Limits`](crate::Limits) was crossed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::command_line`](crate::Limits::command_line) (or, before an
    /// IMAP client authenticated, [`Limits::unauthenticated_line`](crate::Limits::unauthenticated_line)).
    CommandLine,
    /// [`Limits::reply_line`](crate::Limits::reply_line).
    ReplyLine,
    /// [`Limits::reply_lines`](crate::Limits::reply_lines).
    ReplyLines,
    /// [`Limits::response_line`](crate::Limits::response_line).
    ResponseLine,
    /// [`Limits::message_size`](crate::Limits::message_size).
    MessageSize,
    /// [`Limits::literal_size`](crate::Limits::literal_size).
    LiteralSize,
    /// [`Limits::recipients`](crate::Limits::recipients).
    Recipients,
    /// [`Limits::nesting_depth`](crate::Limits::nesting_depth).
    NestingDepth,
    /// [`Limits::pending_commands`](crate::Limits::pending_commands).
    PendingCommands,
    /// [`Limits::input_buffer`](crate::Limits::input_buffer) (or, before an
    /// IMAP client authenticated, [`Limits::unauthenticated_input`](crate::Limits::unauthenticated_input)).
    InputBuffer,
    /// [`Limits::auth_exchanges`](crate::Limits::auth_exchanges).
    AuthExchanges,
    /// [`Limits::bad_commands`](crate::Limits::bad_commands).
    BadCommands,
    /// A [`MemoryBudget`](crate::limits::MemoryBudget) shared by many
    /// connections is spent.
    MemoryBudget,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::CommandLine => "command line length",
            LimitKind::ReplyLine => "reply line length",
            LimitKind::ReplyLines => "lines in one reply",
            LimitKind::ResponseLine => "IMAP response length",
            LimitKind::MessageSize => "message size",
            LimitKind::LiteralSize => "literal size",
            LimitKind::Recipients => "recipients per transaction",
            LimitKind::NestingDepth => "nesting depth",
            LimitKind::PendingCommands => "pending commands",
            LimitKind::InputBuffer => "buffered input",
            LimitKind::AuthExchanges => "authentication exchanges",
            LimitKind::BadCommands => "bad commands",
            LimitKind::MemoryBudget => "shared memory budget",
        })
    }
}

/// A limit was crossed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{kind} limit of {max} exceeded")]
pub struct LimitExceeded {
    /// Which limit.
    pub kind: LimitKind,
    /// The limit's value.
    pub max: u64,
}

/// Whose fault an [`Error`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    /// The peer sent bytes that do not parse or broke the protocol's sequence.
    Peer,
    /// A configured limit was crossed (usually by the peer, possibly by the
    /// application's own values).
    Limit,
    /// The application called an action that is wrong for the state, or gave a
    /// value that cannot be emitted.
    Application,
}

/// The one error type of the crate.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not parse.
    #[error("peer sent malformed data {0}")]
    Parse(#[from] ParseError),
    /// The peer broke the protocol's sequence (a reply that does not fit the
    /// state, a continuation nobody asked for, ...).
    #[error("peer broke the protocol: {0}")]
    Protocol(&'static str),
    /// A line ending the configured [`LinePolicy`](crate::wire::line::LinePolicy) does not accept.
    #[error("bare {0} in input is not accepted by the line policy")]
    BareLineEnding(BareLineEnding),
    /// A configured limit was crossed.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// The application called an action that is wrong for the current state.
    #[error("not allowed now: {0}")]
    Misuse(&'static str),
    /// The application gave a value that cannot be put on the wire unchanged
    /// (CR, LF or NUL in an argument, a line over the limit, a malformed address).
    #[error("cannot emit: {0}")]
    Emit(&'static str),
    /// SASL authentication failed locally (bad base64, unexpected challenge).
    #[error("SASL: {0}")]
    Sasl(&'static str),
    /// The connection was closed (by the peer, or after a fatal error).
    #[error("connection closed")]
    Closed,
    /// The server refused the mail transaction (SMTP: MAIL, every RCPT, or a
    /// BDAT chunk was refused), so the rest of the message is not sent.
    #[error("the server refused the mail transaction")]
    TransactionFailed,
}

/// Which bare line-ending byte was found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BareLineEnding {
    /// A CR not followed by LF.
    Cr,
    /// An LF not preceded by CR.
    Lf,
}

impl fmt::Display for BareLineEnding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BareLineEnding::Cr => "CR",
            BareLineEnding::Lf => "LF",
        })
    }
}

impl Error {
    /// Whose fault the error is.
    pub fn fault(&self) -> Fault {
        match self {
            Error::Parse(_)
            | Error::Protocol(_)
            | Error::BareLineEnding(_)
            | Error::Closed
            | Error::TransactionFailed => Fault::Peer,
            Error::Limit(_) => Fault::Limit,
            Error::Misuse(_) | Error::Emit(_) | Error::Sasl(_) => Fault::Application,
        }
    }

    /// Shorthand for a [`LimitExceeded`] error.
    pub fn limit(kind: LimitKind, max: impl TryInto<u64>) -> Self {
        Error::Limit(LimitExceeded {
            kind,
            max: max.try_into().unwrap_or(u64::MAX),
        })
    }
}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.fault() {
            Fault::Peer => std::io::ErrorKind::InvalidData,
            Fault::Limit => std::io::ErrorKind::OutOfMemory,
            Fault::Application => std::io::ErrorKind::InvalidInput,
        };
        std::io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn excerpt_escapes_and_truncates() {
        let e = ParseError::new(b"MAIL FROM:<a\r\n\x00\xff", 10, "'<'");
        assert_eq!(e.offset, 10);
        assert_eq!(e.excerpt.to_string(), "<a\\r\\n\\x00\\xff");
        let long = [b'x'; 100];
        let e = ParseError::new(&long, 0, "end");
        assert!(e.excerpt.to_string().ends_with("..."));
        assert_eq!(e.excerpt.as_bytes().len(), EXCERPT_LEN);
        // offsets past the end are clamped, never panic
        let e = ParseError::new(b"ab", 99, "x");
        assert_eq!(e.offset, 2);
        assert_eq!(e.excerpt.as_bytes(), b"");
    }

    #[test]
    fn faults() {
        assert_eq!(Error::Protocol("x").fault(), Fault::Peer);
        assert_eq!(
            Error::limit(LimitKind::Recipients, 100u32).fault(),
            Fault::Limit
        );
        assert_eq!(Error::Misuse("x").fault(), Fault::Application);
        assert_eq!(
            Error::limit(LimitKind::CommandLine, 512usize).to_string(),
            "command line length limit of 512 exceeded"
        );
    }
}
