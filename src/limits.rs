//! [`Limits`]: every bound that keeps memory and work finite whatever a peer sends.
//!
//! One type serves all three protocols; each state machine reads the fields that
//! apply to it. Every field has a test that crosses it and a typed error
//! ([`Error::Limit`](crate::Error::Limit)) when crossed.

/// Bounds on what a peer may make a state machine or parser do.
///
/// Defaults follow the RFCs where they set a number and are documented per field
/// otherwise. Construct with [`Limits::default()`] and adjust fields:
///
/// ```
/// let mut limits = mailwire::Limits::default();
/// limits.recipients = 1000;
/// assert_eq!(limits.command_line, 8192);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line a server accepts, CRLF included, IMAP literals excluded.
    ///
    /// Default 8192. RFC 5321 §4.5.3.1.4 sets 512 octets as the minimum an SMTP
    /// server must accept, but ESMTP parameters (RFC 1869 §4.1.2) lengthen MAIL
    /// and RCPT lines, RFC 4954 allows 12288-octet AUTH lines, and RFC 9051 §4
    /// recommends that IMAP servers accept lines of at least 8192 octets.
    /// A line that crosses this costs at most this many buffered bytes.
    pub command_line: usize,
    /// Longest reply or response line a client accepts, CRLF included.
    ///
    /// Default 8192 (RFC 5321 §4.5.3.1.5 says 512 for SMTP replies; real servers'
    /// capability lists and IMAP status texts are longer).
    pub reply_line: usize,
    /// Most lines in one multi-line SMTP reply or POP3 listing frame kept in memory
    /// at once. Default 1000.
    pub reply_lines: usize,
    /// Largest message body (SMTP DATA/BDAT, POP3 RETR, IMAP APPEND).
    ///
    /// Default 64 MiB. Bodies are streamed in chunks, so this bounds the message,
    /// not memory. An SMTP server also advertises it as `SIZE`.
    pub message_size: u64,
    /// Largest IMAP literal that is accepted at all (streamed when larger than
    /// [`inline_literal`](Self::inline_literal)). Default 64 MiB.
    pub literal_size: u64,
    /// Literals up to this size are delivered whole inside the parsed value; larger
    /// ones are streamed as chunk events. Default 64 KiB.
    pub inline_literal: usize,
    /// Recipients per SMTP transaction. Default 100, the minimum RFC 5321
    /// §4.5.3.1.8 requires a server to buffer; more gets `452 4.5.3`.
    pub recipients: usize,
    /// Depth of nested structures (IMAP BODYSTRUCTURE, search keys, THREAD
    /// lists, parenthesised values). Default 64, which is also the most
    /// any setting allows
    /// ([`ParseOptions::MAX_NESTING_DEPTH`](crate::imap::ParseOptions::MAX_NESTING_DEPTH):
    /// a larger value is used as 64). Real messages nest a handful of levels;
    /// at 64 levels parsing, visiting, converting, emitting, comparing,
    /// printing and dropping a value fit on a thread with a 256 KiB stack in
    /// debug and release builds, and a peer that sends 10 000 or a million
    /// levels gets [`LimitKind::NestingDepth`](crate::error::LimitKind::NestingDepth)
    /// instead of overflowing the stack.
    pub nesting_depth: usize,
    /// Commands sent or received but not yet answered (pipelining). Default 1000.
    pub pending_commands: usize,
    /// Bytes a state machine keeps buffered before it has parsed them (pipelined
    /// input waiting for the application). Default 1 MiB.
    pub input_buffer: usize,
    /// Round trips in one SASL exchange. Default 8.
    pub auth_exchanges: usize,
    /// Syntax errors or unknown commands a server tolerates before it closes the
    /// session. Default 20 (Postfix's `smtpd_hard_error_limit` is 20 too).
    pub bad_commands: usize,
}

impl Limits {
    /// The defaults, usable in `const` context.
    pub const DEFAULT: Limits = Limits {
        command_line: 8192,
        reply_line: 8192,
        reply_lines: 1000,
        message_size: 64 << 20,
        literal_size: 64 << 20,
        inline_literal: 64 << 10,
        recipients: 100,
        nesting_depth: 64,
        pending_commands: 1000,
        input_buffer: 1 << 20,
        auth_exchanges: 8,
        bad_commands: 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
