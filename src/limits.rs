//! [`Limits`]: every bound that keeps memory and work finite whatever a peer sends.
//!
//! One type serves all three protocols; each state machine reads the fields that
//! apply to it. Every field has a test that crosses it and a typed error
//! ([`Error::Limit`](crate::Error::Limit)) when crossed.
//!
//! ```
//! use mailwire::{error::LimitKind, Error, Limits};
//!
//! // const-friendly setters: one expression, no mut
//! const STRICT: Limits = Limits::DEFAULT.command_line(1000).recipients(50);
//! assert_eq!((STRICT.command_line, STRICT.recipients), (1000, 50));
//! // crossing a limit is a typed error that names it
//! let e = Error::limit(LimitKind::Recipients, 50);
//! assert_eq!(e.fault(), mailwire::Fault::Limit);
//! ```

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
    /// Longest SMTP reply line or POP3 response line a client accepts, CRLF
    /// included.
    ///
    /// Default 8192 (RFC 5321 §4.5.3.1.5 says 512 for SMTP replies; real servers'
    /// capability lists are longer). The IMAP client uses
    /// [`response_line`](Self::response_line) instead.
    pub reply_line: usize,
    /// Longest IMAP response an IMAP client accepts: its bytes other than
    /// literals, CRLFs included.
    ///
    /// Default 1 MiB. RFC 9051 sets no maximum, and IMAP data lines are long
    /// by nature: `* SEARCH` for 10⁵ messages is 600 KB to 1 MB of numbers, a
    /// FETCH ENVELOPE of a message with 300 recipients about 15 KB. A response
    /// over the limit costs that response only: the client reports it
    /// ([`ClientEvent::OversizedResponse`](crate::imap::ClientEvent::OversizedResponse))
    /// and skips its bytes as they arrive, keeping none of them. Nothing is
    /// ever buffered beyond [`input_buffer`](Self::input_buffer), so a larger
    /// value than that is cut by it (and the session ends instead).
    pub response_line: usize,
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
    /// Largest literal an IMAP server accepts from a client that has not
    /// authenticated (LOGIN, AUTHENTICATE and ID arguments). Default 4096, the
    /// largest non-synchronizing literal of LITERAL- and IMAP4rev2 (RFC 7888
    /// §4, RFC 9051 §4.3): a password or token fits, a megabyte does not. A
    /// larger synchronizing literal is refused (`NO [TOOBIG]`) before the
    /// client sends it. Before authentication the smaller of this and
    /// [`literal_size`](Self::literal_size) applies.
    pub unauthenticated_literal: u64,
    /// Longest command line (CRLF included, literals excluded) an IMAP server
    /// accepts before authentication; also bounds AUTHENTICATE response lines.
    /// Default 8192, as [`command_line`](Self::command_line): SASL-IR lines
    /// carry OAuth tokens of several KiB. Before authentication the smaller of
    /// this and `command_line` applies.
    pub unauthenticated_line: usize,
    /// Bytes an IMAP server buffers for a client that has not authenticated:
    /// the command being read (line and literals) plus pipelined input.
    /// Default 16 KiB. Crossing it ends the session (`* BYE`,
    /// [`LimitKind::InputBuffer`](crate::error::LimitKind::InputBuffer)), so
    /// an unauthenticated connection holds at most this much input whatever
    /// it sends. Before authentication the smaller of this and
    /// [`input_buffer`](Self::input_buffer) applies.
    pub unauthenticated_input: usize,
}

const_setters!(Limits {
    command_line: usize,
    reply_line: usize,
    response_line: usize,
    reply_lines: usize,
    message_size: u64,
    literal_size: u64,
    inline_literal: usize,
    recipients: usize,
    nesting_depth: usize,
    pending_commands: usize,
    input_buffer: usize,
    auth_exchanges: usize,
    bad_commands: usize,
    unauthenticated_literal: u64,
    unauthenticated_line: usize,
    unauthenticated_input: usize
});

impl Limits {
    /// The defaults, usable in `const` context.
    pub const DEFAULT: Limits = Limits {
        command_line: 8192,
        reply_line: 8192,
        response_line: 1 << 20,
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
        unauthenticated_literal: 4096,
        unauthenticated_line: 8192,
        unauthenticated_input: 16 << 10,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A byte budget shared by many connections: one counter behind an `Arc`,
/// cloned into every session's configuration.
///
/// A session charges it for what it holds and gives the bytes back when it no
/// longer holds them (and when it is dropped); a charge that would take the
/// total past the limit is refused, and the session answers the way its
/// protocol has for a busy server. The IMAP server uses one for the input of
/// unauthenticated clients
/// ([`ServerConfig::unauthenticated_budget`](crate::imap::ServerConfig::unauthenticated_budget)),
/// so the application bounds what all of them together can make it hold, as
/// [`Limits`] bounds each one. Sans-IO and `no_std`: an atomic counter, no
/// lock, no clock.
///
/// ```
/// use mailwire::limits::MemoryBudget;
///
/// let budget = MemoryBudget::new(1000);
/// let shared = budget.clone();
/// assert!(budget.try_charge(600));
/// assert!(!shared.try_charge(600)); // 1200 would cross the limit
/// assert!(shared.try_charge(400));
/// budget.release(600);
/// assert_eq!((shared.used(), shared.available()), (400, 600));
/// ```
#[cfg(target_has_atomic = "ptr")]
#[derive(Clone, Debug)]
pub struct MemoryBudget {
    inner: alloc::sync::Arc<BudgetInner>,
}

#[cfg(target_has_atomic = "ptr")]
#[derive(Debug)]
struct BudgetInner {
    limit: usize,
    used: core::sync::atomic::AtomicUsize,
}

#[cfg(target_has_atomic = "ptr")]
impl MemoryBudget {
    /// A budget of `limit` bytes, nothing charged.
    pub fn new(limit: usize) -> MemoryBudget {
        MemoryBudget {
            inner: alloc::sync::Arc::new(BudgetInner {
                limit,
                used: core::sync::atomic::AtomicUsize::new(0),
            }),
        }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.inner.limit
    }

    /// Bytes charged now, by every holder together.
    pub fn used(&self) -> usize {
        self.inner.used.load(core::sync::atomic::Ordering::Acquire)
    }

    /// Bytes that can still be charged.
    pub fn available(&self) -> usize {
        self.limit().saturating_sub(self.used())
    }

    /// Charges `n` bytes if the total stays within the limit; `false` (and
    /// nothing charged) otherwise.
    pub fn try_charge(&self, n: usize) -> bool {
        use core::sync::atomic::Ordering;
        let limit = self.inner.limit;
        self.inner
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= limit)
            })
            .is_ok()
    }

    /// Gives back `n` bytes charged earlier (never below zero).
    pub fn release(&self, n: usize) {
        use core::sync::atomic::Ordering;
        let _ = self
            .inner
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                Some(used.saturating_sub(n))
            });
    }
}
