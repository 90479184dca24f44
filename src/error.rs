//! The error vocabulary shared by every protocol.
//!
//! ```
//! # #[cfg(feature = "smtp")] {
//! use mailwire::{smtp::parse_command, Error, Fault};
//!
//! let e = parse_command(b"MAIL FROM:<bad address>").unwrap_err(); // a ParseError
//! assert_eq!(e.offset, 14); // where the grammar stopped: the space after `bad`
//! let e = Error::from(e);
//! assert_eq!(e.fault(), Fault::Peer); // the peer's bytes, not our code
//! # }
//! ```
//!
//! Errors say whose fault they are ([`Fault`]): bytes from the peer that do not
//! parse, a peer that breaks the protocol's sequence, a limit that was crossed, or
//! the application misusing the API. A state machine that returns a fatal error
//! keeps returning it ("sticky"), so a broken session cannot limp on.
//!
//! A parse failure carries the offset, what the grammar expected there and a short
//! escaped excerpt of the offending bytes ([`ParseError`]). An incomplete input is
//! *not* an error: parsers answer [`Status::Incomplete`](crate::Status) instead.
//!
//! # Reasons you can match
//!
//! The four errors that are not about bytes or limits carry a typed reason,
//! in the manner of rustls's `PeerMisbehaved` and `ApiMisuse`:
//!
//! | error | reason | fault |
//! |---|---|---|
//! | [`Error::Protocol`] | [`PeerMisbehaved`]: the peer's messages came out of sequence | [`Fault::Peer`] |
//! | [`Error::Misuse`] | [`ApiMisuse`]: a call that is wrong for the state; nothing was sent | [`Fault::Application`] |
//! | [`Error::Emit`] | [`Unemittable`]: a value that would not read back as itself; nothing was written | [`Fault::Application`] |
//! | [`Error::Sasl`] | [`SaslError`]: a SASL exchange failed | by reason, [`SaslError::fault`] |
//!
//! A SASL message from the peer that is malformed or wrong (bad base64, a SCRAM
//! server signature that does not verify, a CRAM-MD5 response that is not
//! `user SP digest`) is [`Fault::Peer`]; a SASL server the application set up
//! for the wrong mechanism is [`Fault::Application`]; an iteration count over
//! the client's maximum is [`Fault::Limit`].
//!
//! Every reason enum is `#[non_exhaustive]` and `Copy`; a variant may carry a
//! name (an extension, a field, a grammar rule) but never free prose, so a
//! match is stable. `Display` gives a human message.
//!
//! ```
//! # #[cfg(feature = "pop3")] {
//! use mailwire::pop3::{Client, ClientConfig};
//! use mailwire::wire::sasl::decode_challenge;
//! use mailwire::{ApiMisuse, Error, Fault, SaslError};
//!
//! // A POP3 server whose CAPA does not list STLS (RFC 2595 §4).
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"+OK ready\r\n");
//! while client.poll_event()?.is_some() {}
//! client.capa()?;
//! client.handle_input(b"+OK\r\nUSER\r\n.\r\n");
//! while client.poll_event()?.is_some() {}
//! match client.stls() {
//!     Err(Error::Misuse(ApiMisuse::NotAdvertised { extension })) => {
//!         assert_eq!(extension, "STLS"); // go on without TLS, or give up
//!     }
//!     other => panic!("{other:?}"),
//! }
//!
//! // A challenge that is not base64 is the server's fault.
//! let e = decode_challenge(b"not base64!").unwrap_err();
//! assert_eq!(e, Error::Sasl(SaslError::ChallengeNotBase64));
//! assert_eq!(e.fault(), Fault::Peer);
//! # }
//! # Ok::<(), mailwire::Error>(())
//! ```

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
///
/// ```
/// use mailwire::{error::LimitKind, ApiMisuse, Error, Fault};
///
/// // decide what to do with a session by whose fault it ended
/// fn log_level(e: &Error) -> &'static str {
///     match e.fault() {
///         Fault::Peer | Fault::Limit => "warn", // a broken or hostile peer
///         Fault::Application => "error",       // a bug in our code
///         _ => "error",
///     }
/// }
/// assert_eq!(log_level(&Error::limit(LimitKind::CommandLine, 512)), "warn");
/// assert_eq!(log_level(&Error::Misuse(ApiMisuse::NoRecipients)), "error");
/// ```
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
///
/// ```
/// use mailwire::{Error, Fault};
/// use mailwire::wire::line::{find_line, LinePolicy};
/// use mailwire::error::LimitKind;
///
/// let err = find_line(b"EHLO x\n", 512, LimitKind::CommandLine, LinePolicy::STRICT).unwrap_err();
/// assert!(matches!(err, Error::BareLineEnding(_)));
/// assert_eq!(err.fault(), Fault::Peer);
/// println!("{err}"); // a human message; match on the variant, not the text
/// ```
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not parse.
    #[error("peer sent malformed data {0}")]
    Parse(#[from] ParseError),
    /// The peer broke the protocol's sequence (a reply that does not fit the
    /// state, a continuation nobody asked for, ...).
    #[error("peer broke the protocol: {0}")]
    Protocol(PeerMisbehaved),
    /// A line ending the configured [`LinePolicy`](crate::wire::line::LinePolicy) does not accept.
    #[error("bare {0} in input is not accepted by the line policy")]
    BareLineEnding(BareLineEnding),
    /// A configured limit was crossed.
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// The application called an action that is wrong for the current state.
    #[error("not allowed now: {0}")]
    Misuse(ApiMisuse),
    /// The application gave a value that cannot be put on the wire unchanged
    /// (CR, LF or NUL in an argument, a line over the limit, a malformed address).
    #[error("cannot emit: {0}")]
    Emit(Unemittable),
    /// A SASL exchange failed: mostly a malformed or wrong message from the
    /// peer (bad base64, a wrong SCRAM signature), see [`SaslError::fault`].
    #[error("SASL: {0}")]
    Sasl(SaslError),
    /// The connection was closed (by the peer, or after a fatal error).
    #[error("connection closed")]
    Closed,
    /// The server refused the mail transaction (SMTP: MAIL, every RCPT, or a
    /// BDAT chunk was refused), so the rest of the message is not sent.
    #[error("the server refused the mail transaction")]
    TransactionFailed,
}

/// Declares a reason enum with its `Display` text, one line per variant.
macro_rules! reasons {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({ $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? })? => $text:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant $({ $($(#[$fmeta])* $field: $ty),* })?,
            )*
        }

        impl fmt::Display for $name {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match *self {
                    $( $name::$variant $({ $($field),* })? => write!(f, $text), )*
                }
            }
        }
    };
}

reasons! {
    /// Why the peer's messages broke the protocol ([`Error::Protocol`]);
    /// always [`Fault::Peer`].
    ///
    /// Bytes that do not parse are [`Error::Parse`] instead: these are
    /// well-formed messages that come at the wrong time.
    pub enum PeerMisbehaved {
        /// An SMTP reply arrived while no command was waiting for one
        /// (RFC 5321 §4.2: a server only replies to commands).
        UnexpectedReply => "a reply came while no command was waiting",
        /// An SMTP intermediate (3xx) reply to a command that takes none, or an
        /// AUTH 3xx other than 334 (RFC 5321 §4.2.1, RFC 4954 §4).
        UnexpectedIntermediate => "an intermediate (3xx) reply to a command that takes none",
        /// A second SMTP `334` challenge before the client answered the first
        /// (RFC 4954 §4).
        SecondChallenge => "a second 334 before the challenge was answered",
        /// A POP3 `+OK`/`-ERR` while no command was waiting (RFC 1939 §3).
        UnsolicitedResponse => "response without a command",
        /// The connection closed in the middle of a (multi-line) response.
        ClosedMidResponse => "connection closed in the middle of a response",
        /// An IMAP response that does not fit what the client expects at this
        /// point (a continuation for no command, an IDLE or APPEND step that no
        /// command asked for).
        UnexpectedResponse => "unexpected response",
        /// An IMAP server's second reading of a command it had already
        /// accepted gave a different command (an internal check; please report).
        ReparseMismatch => "a command read back differently",
        /// A server machine configured for the PROXY protocol
        /// ([`ProxyProtocol`](crate::wire::proxy::ProxyProtocol)) got a bad
        /// header, one of a version it does not accept, or the end of the
        /// connection before the header; the session is over (the
        /// specification: "cause the receiver to abort the connection").
        ProxyHeader {
            /// What was wrong.
            reason: crate::wire::proxy::ProxyError
        } => "bad PROXY protocol header: {reason}",
    }
}

reasons! {
    /// Why the application's call was refused ([`Error::Misuse`]); always
    /// [`Fault::Application`]. Nothing was sent.
    pub enum ApiMisuse {
        /// The command needs an extension the server did not advertise
        /// (RFC 5321 §4.1.1.1, RFC 2449 §5, RFC 9051 §6.1.1); the client
        /// configs' `trust_unadvertised` lifts the check. `extension` is the
        /// capability name, such as `"IDLE"` or `"SORT=DISPLAY"`.
        NotAdvertised {
            /// The capability that is missing.
            extension: &'static str,
        } => "{extension} not advertised",
        /// The SASL mechanism is not among those the server advertised
        /// (RFC 4954 §4, RFC 5034 §4, RFC 9051 §6.2.2).
        MechanismNotAdvertised => "SASL mechanism not advertised",
        /// An SMTP MAIL or RCPT parameter of an extension the server did not
        /// advertise (RFC 5321 §4.1.1.11; see `ClientConfig::trust_unadvertised`).
        ParameterNotAdvertised => "a parameter of an extension the server did not advertise",
        /// REQUIRETLS without TLS or without the server's REQUIRETLS (RFC 8689 §2).
        RequireTlsUnavailable => "REQUIRETLS needs TLS and a server that advertised REQUIRETLS",
        /// `BODY=BINARYMIME` without BDAT: the server did not offer CHUNKING or
        /// `use_chunking` is off (RFC 3030 §3).
        BinaryMimeNeedsChunking => "BODY=BINARYMIME needs BDAT (CHUNKING)",
        /// APOP, but the POP3 greeting carried no timestamp (RFC 1939 §7).
        NoApopTimestamp => "the greeting carried no APOP timestamp",
        /// LOGIN while the IMAP server advertises `LOGINDISABLED` (RFC 9051 §6.2.3).
        LoginDisabled => "the server advertised LOGINDISABLED",
        /// The SMTP session is not ready for commands (greeting, EHLO, STARTTLS
        /// or AUTH in progress).
        NotReady => "the session is not ready (greeting, EHLO, STARTTLS or AUTH in progress)",
        /// The IMAP command is not valid in the connection's state
        /// (RFC 9051 §3).
        WrongState => "command not valid in this state",
        /// The command is only valid after login (POP3 TRANSACTION state,
        /// RFC 1939 §5).
        NotAuthenticated => "command only valid after login",
        /// The command is only valid before login (POP3 AUTHORIZATION state,
        /// RFC 1939 §4).
        AlreadyAuthenticated => "command only valid before login",
        /// LOGOUT or QUIT was already sent.
        LoggedOut => "the session was already ended (QUIT or LOGOUT sent)",
        /// A SASL exchange is in progress: only its answers may be sent.
        AuthInProgress => "an AUTH exchange is in progress",
        /// AUTH, STARTTLS or MAIL inside an open SMTP mail transaction
        /// (RFC 4954 §4, RFC 3207 §4, RFC 5321 §4.1.4).
        InsideTransaction => "not allowed inside a mail transaction",
        /// RCPT or DATA without an open mail transaction (RFC 5321 §4.1.4).
        NoTransaction => "needs an open mail transaction (MAIL, then RCPT)",
        /// A message body is being sent: finish it first.
        BodyInProgress => "finish the body first",
        /// Body data while no body is being sent (wait for the server's go-ahead).
        NoBodyInProgress => "not sending a body",
        /// The body ended before the size announced for it (an IMAP literal).
        BodyShorterThanAnnounced => "less data than the announced size",
        /// More body data than the size announced for it (an IMAP literal).
        BodyLongerThanAnnounced => "more data than the announced size",
        /// Too many commands wait for replies.
        PipelineFull => "too many commands waiting for replies",
        /// The command has a dedicated method, which keeps the machine's state right.
        UseDedicatedMethod => "use the dedicated method for this command",
        /// TLS is already active.
        TlsActive => "TLS is already active",
        /// The TLS handshake is pending: call `tls_established()` first.
        TlsPending => "waiting for tls_established()",
        /// `tls_established()` without a STARTTLS/STLS in progress.
        NoTlsPending => "no STARTTLS in progress",
        /// Compression is already active (RFC 4978 §3).
        CompressionActive => "compression is already active",
        /// COMPRESS is pending: call `compression_established()` first.
        CompressionPending => "waiting for compression_established()",
        /// `compression_established()` without a COMPRESS in progress.
        NoCompressionPending => "no COMPRESS in progress",
        /// DONE without an IDLE in progress (RFC 2177).
        NoIdle => "no IDLE in progress",
        /// A SASL answer while no challenge waits for one.
        NoChallenge => "no SASL challenge to answer",
        /// A SASL server's `start` was called twice.
        SaslAlreadyStarted => "SASL exchange already started",
        /// A SASL server's `step` before `start`.
        SaslNotStarted => "SASL exchange not started",
        /// The stored key given to a SCRAM server that asked for none.
        NoStoredKeyRequested => "no SCRAM lookup pending",
        /// The SCRAM server waits for the stored key of the user it named.
        StoredKeyPending => "SCRAM server waits for the stored key",
        /// The stored key is for another hash than the mechanism's.
        StoredKeyMismatch => "SCRAM stored key does not fit the mechanism",
        /// A SCRAM type was given a mechanism that is not SCRAM.
        NotScram => "not a SCRAM mechanism",
        /// A `-PLUS` mechanism without the channel-binding data it needs
        /// (RFC 5802 §6).
        ChannelBindingRequired => "a -PLUS mechanism needs channel-binding data",
        /// The application's SCRAM server nonce is empty or not printable
        /// ASCII without `,` (RFC 5802 §7 `nonce`).
        InvalidServerNonce => "SCRAM server nonce is empty or not printable ASCII without ','",
        /// A CRAM-MD5 server needs the application's challenge: use
        /// `SaslServer::cram_md5`.
        CramMd5NeedsChallenge => "CRAM-MD5 needs the application's challenge: use SaslServer::cram_md5",
        /// A streamed IMAP FETCH response is still open: finish it first.
        FetchOpen => "a FETCH response is still open",
        /// A streamed IMAP FETCH literal is still open: finish it first.
        FetchLiteralOpen => "a FETCH literal is still open",
        /// No streamed IMAP FETCH response is open.
        NoFetch => "no FETCH response is open",
        /// No streamed IMAP FETCH literal is open.
        NoFetchLiteral => "no FETCH literal is open",
        /// The streamed IMAP FETCH literal got fewer bytes than announced.
        FetchLiteralIncomplete => "the FETCH literal is not complete",
        /// An IMAP status that is wrong here (a completion is OK, NO or BAD;
        /// PREAUTH only greets), RFC 9051 §7.1.
        InvalidStatus => "this status is not allowed here",
        /// An SMTP reply code that is not a valid code for this answer (a
        /// rejection needs 4xx or 5xx), RFC 5321 §4.2.
        InvalidReplyCode => "invalid reply code for this answer",
        /// An answer while no command, event or transfer awaits one.
        NothingToAnswer => "nothing awaits this answer",
        /// No IMAP literal waits to be accepted or rejected.
        NoLiteral => "no literal to accept or reject",
        /// No such LMTP recipient awaits an answer (RFC 2033 §4.2).
        NoSuchRecipient => "no such recipient",
        /// The LMTP recipient was already answered.
        RecipientAnswered => "recipient already answered",
        /// No streamed literal to resume after.
        NoStreamedLiteral => "no streamed literal to resume after",
        /// The streamed literal was not resumed before the next frame.
        StreamedLiteralNotResumed => "streamed literal not resumed",
        /// A maildrop with more messages than a POP3 server can number.
        TooManyMessages => "too many messages",
        /// An IMAP server's answer while the APPEND data is still arriving.
        AppendInProgress => "the APPEND data is still arriving",
        /// `accept`/`reject` while a SASL lookup waits: answer it with
        /// `auth_lookup` first.
        LookupPending => "answer the SASL lookup with auth_lookup first",
        /// `auth_lookup` while no SASL lookup waits for an answer.
        NoLookup => "no SASL lookup awaits an answer",
        /// An `auth_lookup` answer of the wrong kind (a password where the
        /// SCRAM exchange asked for a stored key, ...).
        WrongLookupAnswer => "this answer does not fit the SASL lookup",
        /// A message submitted without a recipient (RFC 5321 §3.3 needs one
        /// RCPT at least).
        NoRecipients => "a message needs at least one recipient",
        /// A message sequence number after UIDONLY was enabled (RFC 9586
        /// §3): a command over sequence numbers (FETCH, STORE, SEARCH, COPY,
        /// MOVE, SORT, THREAD, or a UID SEARCH with a sequence-set key) from
        /// the client, or an `EXPUNGE`, `n FETCH` or `[UNSEEN n]` from the
        /// server application. Use the UID forms (UID commands, VANISHED,
        /// UIDFETCH).
        UidRequired => "message sequence numbers are not allowed once UIDONLY is enabled",
    }
}

reasons! {
    /// Why a value cannot be put on the wire unchanged ([`Error::Emit`]);
    /// always [`Fault::Application`]. Nothing was written.
    pub enum Unemittable {
        /// CR, LF or NUL in a value that goes on one line (RFC 5321 §2.3.8,
        /// RFC 1939 §3, RFC 9051 §4.3 `TEXT-CHAR`).
        LineBreak {
            /// Where (for example `"reply text"`).
            field: &'static str,
        } => "CR, LF or NUL in {field}",
        /// NUL where the grammar has no room for it.
        Nul {
            /// Where (for example `"extended data"`).
            field: &'static str,
        } => "NUL in {field}",
        /// NUL in an IMAP string, literal or message: only a `literal8`
        /// (BINARY, RFC 3516 §4.2) may carry it.
        NulNeedsBinary => "NUL outside a literal8 (only BINARY may carry it)",
        /// A value that does not follow its grammar rule, so it would not read
        /// back as itself.
        Grammar {
            /// The rule, by its ABNF name where the RFC has one
            /// (for example `"atom"`, `"esmtp-param"`, `"unique-id"`).
            rule: &'static str,
        } => "not a valid {rule}",
        /// A list or value the grammar needs is missing or empty (a FETCH
        /// without attributes, an empty search key list, ...).
        Missing {
            /// What is missing.
            what: &'static str,
        } => "missing {what}",
        /// A number or date outside its grammar's range.
        OutOfRange {
            /// Which value.
            field: &'static str,
        } => "{field} out of range",
        /// Zero where the grammar wants a non-zero number (`nz-number`,
        /// RFC 9051 §9).
        Zero {
            /// Which value.
            field: &'static str,
        } => "{field} must be non-zero",
        /// Data that must be base64 is not (RFC 4648 §4).
        NotBase64 {
            /// Which data.
            field: &'static str,
        } => "{field} must be base64",
        /// Data that must be UTF-8 is not.
        NotUtf8 {
            /// Which data.
            field: &'static str,
        } => "{field} is not UTF-8",
        /// A command or reply line over the protocol's or the configured
        /// limit (RFC 5321 §4.5.3.1.4, RFC 2449 §4).
        LineTooLong => "line too long",
        /// Text that would read back as a response code (starts with `[`),
        /// RFC 2449 §8, RFC 9051 §7.1.
        TextReadsAsCode => "text would read as a response code",
        /// An IMAP status that cannot be emitted here (PREAUTH and BYE are
        /// untagged; a greeting is OK, PREAUTH or BYE), RFC 9051 §7.1.
        StatusNotAllowed => "this status cannot be emitted here",
        /// A raw or "other" value that names a typed one would read back as
        /// the typed value (an unknown command with a known keyword, ...).
        NonCanonical => "a raw value would read back as a typed one",
        /// A value given to an extension's emitter that is not of that extension.
        NotThisExtension => "not a value of this extension",
        /// Nested deeper than the parser would accept back
        /// (`ParseOptions::MAX_NESTING_DEPTH`).
        TooDeep => "nested deeper than ParseOptions::MAX_NESTING_DEPTH",
        /// The output buffer is too small for the value.
        BufferTooSmall => "output buffer too small",
        /// Formatting into the output failed.
        Formatting => "formatting failed",
        /// More bytes for a literal than it announced (RFC 9051 §4.3).
        LiteralOverrun => "more literal bytes than announced",
        /// A non-ASCII address without the SMTPUTF8 parameter on MAIL
        /// (RFC 6531 §3.4).
        NeedsSmtpUtf8 => "a non-ASCII address needs the SMTPUTF8 parameter",
        /// A non-ASCII POP3 user name or password before the server
        /// advertised `UTF8 USER` and accepted the UTF8 command (RFC 6856 §2).
        NeedsUtf8User => "a non-ASCII user name or password needs UTF8 USER and the UTF8 command",
        /// An 8-bit octet in a body sent without `BODY=8BITMIME` or
        /// `BODY=BINARYMIME` (RFC 6152 §3).
        EightBitBody => "an 8-bit octet in a body sent without BODY=8BITMIME or BODY=BINARYMIME",
        /// The enhanced status code's class differs from the reply code's
        /// (RFC 3463 §2).
        EnhancedStatusMismatch => "enhanced status class differs from reply code",
        /// SASL credentials the mechanism cannot carry unchanged: empty where
        /// the mechanism needs a value, or a byte it cannot carry (RFC 4616 §2
        /// `SAFE`, RFC 7628 §3.1, RFC 5802 §5.1, RFC 2195 §2).
        Credential {
            /// Which credential (for example `"PLAIN username"`).
            field: &'static str,
        } => "{field} is empty or has a byte the mechanism cannot carry",
        /// An ANONYMOUS trace over 255 characters (RFC 4505 §2).
        TraceTooLong => "ANONYMOUS trace over 255 characters",
        /// A SCRAM password with a character SASLprep prohibits
        /// (RFC 4013 §2.3).
        SaslPrepProhibited => "SCRAM password has a character SASLprep prohibits",
        /// A SCRAM password that SASLprep maps to nothing (RFC 4013 §2).
        EmptyAfterSaslPrep => "SCRAM password is empty after SASLprep",
        /// A SCRAM type was given a mechanism that is not SCRAM.
        NotScram => "not a SCRAM mechanism",
        /// A `-PLUS` mechanism without channel-binding data (RFC 5802 §6).
        ChannelBindingRequired => "a -PLUS mechanism needs channel-binding data",
    }
}

reasons! {
    /// Why a SASL exchange failed ([`Error::Sasl`]). Most reasons are a
    /// message from the peer that is malformed or wrong ([`Fault::Peer`]);
    /// [`SaslError::fault`] says which.
    pub enum SaslError {
        /// A server challenge that is not base64 (RFC 4954 §4, RFC 9051 §7.5).
        ChallengeNotBase64 => "server challenge is not valid base64",
        /// A client response that is not base64 or `*` (RFC 4954 §4,
        /// RFC 9051 §6.2.2).
        ResponseNotBase64 => "client response is not valid base64",
        /// A challenge after the client's last response (the mechanism has no
        /// further step).
        UnexpectedChallenge => "unexpected challenge after the last response",
        /// A non-empty first challenge for a client-first mechanism
        /// (RFC 4422 §5).
        NonEmptyInitialChallenge => "expected an empty initial challenge",
        /// A client response after the exchange completed.
        ResponseAfterCompletion => "response after the exchange completed",
        /// An initial response for a server-first mechanism (CRAM-MD5,
        /// RFC 2195 §2).
        UnexpectedInitialResponse => "initial response for a server-first mechanism",
        /// A SASL response while no exchange runs.
        NoExchange => "a SASL response while no exchange runs",
        /// The application gave a mechanism that needs its own server type:
        /// SCRAM needs `ScramServer` (the stored key), CRAM-MD5
        /// `SaslServer::cram_md5` (the challenge), LOGIN has no single message.
        NeedsDedicatedServer {
            /// The mechanism's name.
            mechanism: &'static str,
        } => "{mechanism} needs its own server setup",
        /// A PLAIN message that is not `[authzid] NUL authcid NUL passwd`
        /// with non-empty UTF-8 authcid and password (RFC 4616 §2).
        PlainMalformed => "PLAIN message is not [authzid] NUL authcid NUL passwd",
        /// A LOGIN user name or password that is empty or not UTF-8.
        LoginMalformed => "LOGIN user name or password is empty or not UTF-8",
        /// A CRAM-MD5 response that is not `user SP digest` with 32 hex digits
        /// (RFC 2195 §2).
        CramMalformed => "CRAM-MD5 response is not `user SP digest`",
        /// A user name or authzid that is empty, not UTF-8, holds NUL or a bad
        /// `=2C`/`=3D` escape (RFC 5802 §5.1 and RFC 7628 §3.1 `saslname`,
        /// RFC 4422 §5 EXTERNAL authzid).
        NameMalformed => "user name or authzid is empty, not UTF-8 or badly escaped",
        /// An ANONYMOUS trace that is not UTF-8 or over 255 characters
        /// (RFC 4505 §3).
        TraceMalformed => "ANONYMOUS trace is not UTF-8 or over 255 characters",
        /// A malformed GS2 header (RFC 5802 §7 `gs2-header`, RFC 7628 §3.1).
        Gs2HeaderMalformed => "malformed gs2-header",
        /// A malformed OAUTHBEARER/XOAUTH2 key/value list (RFC 7628 §3.1
        /// `kvpair`).
        KeyValueMalformed => "malformed key/value list",
        /// No `auth=Bearer <token>` (RFC 7628 §3.1, RFC 6750 §2.1).
        BearerTokenMissing => "no auth=Bearer <token>",
        /// An XOAUTH2 message without a non-empty `user=`.
        XOAuth2UserMissing => "XOAUTH2 without user=",
        /// The client asked for channel binding the server does not support
        /// (RFC 5802 §6, RFC 7628 §3.1).
        ChannelBindingUnsupported => "channel binding not supported",
        /// A `-PLUS` mechanism whose client did not bind the channel
        /// (RFC 5802 §6).
        ChannelBindingMissing => "SCRAM -PLUS mechanism without channel binding",
        /// The client's channel binding does not match the server's
        /// (RFC 5802 §6).
        ChannelBindingMismatch => "SCRAM channel binding does not match",
        /// The client says `y` (it could bind but thinks the server cannot)
        /// while the server offers channel binding: a downgrade (RFC 5802 §6).
        Downgrade => "SCRAM client says y but the server offers channel binding (downgrade)",
        /// A SCRAM message with a mandatory extension (`m=`) nobody knows
        /// (RFC 5802 §5.1).
        UnknownMandatoryExtension => "SCRAM mandatory extension (m=) not supported",
        /// A SCRAM message that is not a list of `a=value` attributes of
        /// UTF-8 (RFC 5802 §7).
        ScramSyntax => "SCRAM message is not a list of a=value attributes",
        /// A SCRAM attribute that is missing or malformed: `attribute` is its
        /// letter (`'r'`, `'s'`, `'i'`, `'n'`, `'c'`, `'p'`, `'v'`),
        /// RFC 5802 §7.
        ScramAttribute {
            /// The attribute's letter.
            attribute: char,
        } => "SCRAM attribute {attribute}= is missing or malformed",
        /// The nonce does not extend the client's, or the client-final's
        /// nonce is not the server's (RFC 5802 §5.1).
        NonceMismatch => "SCRAM nonce does not match",
        /// The server's iteration count is above the client's configured
        /// maximum (`ScramCredentials::max_iterations`).
        IterationCountTooHigh => "SCRAM iteration count above the client's limit",
        /// The server answered `e=` (RFC 5802 §7 `server-error`).
        ServerError => "SCRAM server sent an error (e=)",
        /// The server's signature (`v=`) is wrong: the server does not know
        /// the password (RFC 5802 §3).
        ServerSignatureWrong => "SCRAM server signature is wrong",
        /// The client's proof is wrong: wrong password (RFC 5802 §3).
        ProofWrong => "SCRAM proof is wrong",
        /// The server reported success but never proved it knows the
        /// password (RFC 5802 §5: the client MUST verify the server
        /// signature).
        ServerNotVerified => "the server reported success without proving its identity",
    }
}

impl SaslError {
    /// Whose fault the failure is: [`Fault::Peer`] for a malformed or wrong
    /// message from the peer, [`Fault::Limit`] for an iteration count over the
    /// configured maximum, [`Fault::Application`] for a server the
    /// application set up wrongly.
    pub fn fault(&self) -> Fault {
        match self {
            SaslError::NeedsDedicatedServer { .. } => Fault::Application,
            SaslError::IterationCountTooHigh => Fault::Limit,
            SaslError::ChallengeNotBase64
            | SaslError::ResponseNotBase64
            | SaslError::UnexpectedChallenge
            | SaslError::NonEmptyInitialChallenge
            | SaslError::ResponseAfterCompletion
            | SaslError::UnexpectedInitialResponse
            | SaslError::NoExchange
            | SaslError::PlainMalformed
            | SaslError::LoginMalformed
            | SaslError::CramMalformed
            | SaslError::NameMalformed
            | SaslError::TraceMalformed
            | SaslError::Gs2HeaderMalformed
            | SaslError::KeyValueMalformed
            | SaslError::BearerTokenMissing
            | SaslError::XOAuth2UserMissing
            | SaslError::ChannelBindingUnsupported
            | SaslError::ChannelBindingMissing
            | SaslError::ChannelBindingMismatch
            | SaslError::Downgrade
            | SaslError::UnknownMandatoryExtension
            | SaslError::ScramSyntax
            | SaslError::ScramAttribute { .. }
            | SaslError::NonceMismatch
            | SaslError::ServerError
            | SaslError::ServerSignatureWrong
            | SaslError::ProofWrong
            | SaslError::ServerNotVerified => Fault::Peer,
        }
    }
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
    ///
    /// [`Error::Protocol`] is always the peer's, [`Error::Misuse`] and
    /// [`Error::Emit`] always the application's; [`Error::Sasl`] depends on
    /// the reason ([`SaslError::fault`]): a malformed or wrong message from the
    /// peer is [`Fault::Peer`], an exchange the application set up wrongly is
    /// [`Fault::Application`].
    pub fn fault(&self) -> Fault {
        match self {
            Error::Parse(_)
            | Error::Protocol(_)
            | Error::BareLineEnding(_)
            | Error::Closed
            | Error::TransactionFailed => Fault::Peer,
            Error::Limit(_) => Fault::Limit,
            Error::Misuse(_) | Error::Emit(_) => Fault::Application,
            Error::Sasl(reason) => reason.fault(),
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
        assert_eq!(
            Error::Protocol(PeerMisbehaved::UnexpectedReply).fault(),
            Fault::Peer
        );
        assert_eq!(
            Error::limit(LimitKind::Recipients, 100u32).fault(),
            Fault::Limit
        );
        assert_eq!(Error::Misuse(ApiMisuse::NoIdle).fault(), Fault::Application);
        assert_eq!(
            Error::limit(LimitKind::CommandLine, 512usize).to_string(),
            "command line length limit of 512 exceeded"
        );
    }

    /// Every variant of every reason enum, with the fault its [`Error`] has.
    /// `variant_index` below is an exhaustive match, so a new variant does not
    /// compile until it is given an index there, and
    /// `every_reason_has_a_class_and_a_text` fails until it is listed here
    /// with its class.
    fn table() -> alloc::vec::Vec<(Error, Fault)> {
        use ApiMisuse as A;
        use Fault::{Application as App, Limit, Peer};
        use PeerMisbehaved as P;
        use SaslError as S;
        use Unemittable as U;
        let mut t = alloc::vec::Vec::new();
        for p in [
            P::UnexpectedReply,
            P::UnexpectedIntermediate,
            P::SecondChallenge,
            P::UnsolicitedResponse,
            P::ClosedMidResponse,
            P::UnexpectedResponse,
            P::ReparseMismatch,
            P::ProxyHeader {
                reason: crate::wire::proxy::ProxyError::NotProxy,
            },
        ] {
            t.push((Error::Protocol(p), Peer));
        }
        for a in [
            A::NotAdvertised { extension: "IDLE" },
            A::MechanismNotAdvertised,
            A::ParameterNotAdvertised,
            A::RequireTlsUnavailable,
            A::BinaryMimeNeedsChunking,
            A::NoApopTimestamp,
            A::LoginDisabled,
            A::NotReady,
            A::WrongState,
            A::NotAuthenticated,
            A::AlreadyAuthenticated,
            A::LoggedOut,
            A::AuthInProgress,
            A::InsideTransaction,
            A::NoTransaction,
            A::BodyInProgress,
            A::NoBodyInProgress,
            A::BodyShorterThanAnnounced,
            A::BodyLongerThanAnnounced,
            A::PipelineFull,
            A::UseDedicatedMethod,
            A::TlsActive,
            A::TlsPending,
            A::NoTlsPending,
            A::CompressionActive,
            A::CompressionPending,
            A::NoCompressionPending,
            A::NoIdle,
            A::NoChallenge,
            A::SaslAlreadyStarted,
            A::SaslNotStarted,
            A::NoStoredKeyRequested,
            A::StoredKeyPending,
            A::StoredKeyMismatch,
            A::NotScram,
            A::ChannelBindingRequired,
            A::InvalidServerNonce,
            A::CramMd5NeedsChallenge,
            A::FetchOpen,
            A::FetchLiteralOpen,
            A::NoFetch,
            A::NoFetchLiteral,
            A::FetchLiteralIncomplete,
            A::InvalidStatus,
            A::InvalidReplyCode,
            A::NothingToAnswer,
            A::NoLiteral,
            A::NoSuchRecipient,
            A::RecipientAnswered,
            A::NoStreamedLiteral,
            A::StreamedLiteralNotResumed,
            A::TooManyMessages,
            A::AppendInProgress,
            A::LookupPending,
            A::NoLookup,
            A::WrongLookupAnswer,
            A::NoRecipients,
            A::UidRequired,
        ] {
            t.push((Error::Misuse(a), App));
        }
        for u in [
            U::LineBreak {
                field: "reply text",
            },
            U::Nul {
                field: "extended data",
            },
            U::NulNeedsBinary,
            U::Grammar { rule: "atom" },
            U::Missing {
                what: "FETCH attribute",
            },
            U::OutOfRange { field: "date" },
            U::Zero {
                field: "UIDVALIDITY",
            },
            U::NotBase64 {
                field: "initial response",
            },
            U::NotUtf8 {
                field: "APOP digest",
            },
            U::LineTooLong,
            U::TextReadsAsCode,
            U::StatusNotAllowed,
            U::NonCanonical,
            U::NotThisExtension,
            U::TooDeep,
            U::BufferTooSmall,
            U::Formatting,
            U::LiteralOverrun,
            U::NeedsSmtpUtf8,
            U::NeedsUtf8User,
            U::EightBitBody,
            U::EnhancedStatusMismatch,
            U::Credential {
                field: "PLAIN username",
            },
            U::TraceTooLong,
            U::SaslPrepProhibited,
            U::EmptyAfterSaslPrep,
            U::NotScram,
            U::ChannelBindingRequired,
        ] {
            t.push((Error::Emit(u), App));
        }
        for (s, fault) in [
            (S::ChallengeNotBase64, Peer),
            (S::ResponseNotBase64, Peer),
            (S::UnexpectedChallenge, Peer),
            (S::NonEmptyInitialChallenge, Peer),
            (S::ResponseAfterCompletion, Peer),
            (S::UnexpectedInitialResponse, Peer),
            (S::NoExchange, Peer),
            (S::NeedsDedicatedServer { mechanism: "SCRAM" }, App),
            (S::PlainMalformed, Peer),
            (S::LoginMalformed, Peer),
            (S::CramMalformed, Peer),
            (S::NameMalformed, Peer),
            (S::TraceMalformed, Peer),
            (S::Gs2HeaderMalformed, Peer),
            (S::KeyValueMalformed, Peer),
            (S::BearerTokenMissing, Peer),
            (S::XOAuth2UserMissing, Peer),
            (S::ChannelBindingUnsupported, Peer),
            (S::ChannelBindingMissing, Peer),
            (S::ChannelBindingMismatch, Peer),
            (S::Downgrade, Peer),
            (S::UnknownMandatoryExtension, Peer),
            (S::ScramSyntax, Peer),
            (S::ScramAttribute { attribute: 'r' }, Peer),
            (S::NonceMismatch, Peer),
            (S::IterationCountTooHigh, Limit),
            (S::ServerError, Peer),
            (S::ServerSignatureWrong, Peer),
            (S::ProofWrong, Peer),
            (S::ServerNotVerified, Peer),
        ] {
            t.push((Error::Sasl(s), fault));
        }
        t
    }

    /// `(enum, variant)` of a reason; exhaustive, so it breaks when a variant
    /// is added.
    fn variant_index(e: &Error) -> (usize, usize) {
        use ApiMisuse as A;
        use PeerMisbehaved as P;
        use SaslError as S;
        use Unemittable as U;
        match e {
            Error::Protocol(p) => (
                0,
                match p {
                    P::UnexpectedReply => 0,
                    P::UnexpectedIntermediate => 1,
                    P::SecondChallenge => 2,
                    P::UnsolicitedResponse => 3,
                    P::ClosedMidResponse => 4,
                    P::UnexpectedResponse => 5,
                    P::ReparseMismatch => 6,
                    P::ProxyHeader { .. } => 7,
                },
            ),
            Error::Misuse(a) => (
                1,
                match a {
                    A::NotAdvertised { .. } => 0,
                    A::MechanismNotAdvertised => 1,
                    A::ParameterNotAdvertised => 2,
                    A::RequireTlsUnavailable => 3,
                    A::BinaryMimeNeedsChunking => 4,
                    A::NoApopTimestamp => 5,
                    A::LoginDisabled => 6,
                    A::NotReady => 7,
                    A::WrongState => 8,
                    A::NotAuthenticated => 9,
                    A::AlreadyAuthenticated => 10,
                    A::LoggedOut => 11,
                    A::AuthInProgress => 12,
                    A::InsideTransaction => 13,
                    A::NoTransaction => 14,
                    A::BodyInProgress => 15,
                    A::NoBodyInProgress => 16,
                    A::BodyShorterThanAnnounced => 17,
                    A::BodyLongerThanAnnounced => 18,
                    A::PipelineFull => 19,
                    A::UseDedicatedMethod => 20,
                    A::TlsActive => 21,
                    A::TlsPending => 22,
                    A::NoTlsPending => 23,
                    A::CompressionActive => 24,
                    A::CompressionPending => 25,
                    A::NoCompressionPending => 26,
                    A::NoIdle => 27,
                    A::NoChallenge => 28,
                    A::SaslAlreadyStarted => 29,
                    A::SaslNotStarted => 30,
                    A::NoStoredKeyRequested => 31,
                    A::StoredKeyPending => 32,
                    A::StoredKeyMismatch => 33,
                    A::NotScram => 34,
                    A::ChannelBindingRequired => 35,
                    A::InvalidServerNonce => 36,
                    A::CramMd5NeedsChallenge => 37,
                    A::FetchOpen => 38,
                    A::FetchLiteralOpen => 39,
                    A::NoFetch => 40,
                    A::NoFetchLiteral => 41,
                    A::FetchLiteralIncomplete => 42,
                    A::InvalidStatus => 43,
                    A::InvalidReplyCode => 44,
                    A::NothingToAnswer => 45,
                    A::NoLiteral => 46,
                    A::NoSuchRecipient => 47,
                    A::RecipientAnswered => 48,
                    A::NoStreamedLiteral => 49,
                    A::StreamedLiteralNotResumed => 50,
                    A::TooManyMessages => 51,
                    A::AppendInProgress => 52,
                    A::LookupPending => 53,
                    A::NoLookup => 54,
                    A::WrongLookupAnswer => 55,
                    A::NoRecipients => 56,
                    A::UidRequired => 57,
                },
            ),
            Error::Emit(u) => (
                2,
                match u {
                    U::LineBreak { .. } => 0,
                    U::Nul { .. } => 1,
                    U::NulNeedsBinary => 2,
                    U::Grammar { .. } => 3,
                    U::Missing { .. } => 4,
                    U::OutOfRange { .. } => 5,
                    U::Zero { .. } => 6,
                    U::NotBase64 { .. } => 7,
                    U::NotUtf8 { .. } => 8,
                    U::LineTooLong => 9,
                    U::TextReadsAsCode => 10,
                    U::StatusNotAllowed => 11,
                    U::NonCanonical => 12,
                    U::NotThisExtension => 13,
                    U::TooDeep => 14,
                    U::BufferTooSmall => 15,
                    U::Formatting => 16,
                    U::LiteralOverrun => 17,
                    U::NeedsSmtpUtf8 => 18,
                    U::EightBitBody => 19,
                    U::EnhancedStatusMismatch => 20,
                    U::Credential { .. } => 21,
                    U::TraceTooLong => 22,
                    U::SaslPrepProhibited => 23,
                    U::EmptyAfterSaslPrep => 24,
                    U::NotScram => 25,
                    U::ChannelBindingRequired => 26,
                    U::NeedsUtf8User => 27,
                },
            ),
            Error::Sasl(s) => (
                3,
                match s {
                    S::ChallengeNotBase64 => 0,
                    S::ResponseNotBase64 => 1,
                    S::UnexpectedChallenge => 2,
                    S::NonEmptyInitialChallenge => 3,
                    S::ResponseAfterCompletion => 4,
                    S::UnexpectedInitialResponse => 5,
                    S::NoExchange => 6,
                    S::NeedsDedicatedServer { .. } => 7,
                    S::PlainMalformed => 8,
                    S::LoginMalformed => 9,
                    S::CramMalformed => 10,
                    S::NameMalformed => 11,
                    S::TraceMalformed => 12,
                    S::Gs2HeaderMalformed => 13,
                    S::KeyValueMalformed => 14,
                    S::BearerTokenMissing => 15,
                    S::XOAuth2UserMissing => 16,
                    S::ChannelBindingUnsupported => 17,
                    S::ChannelBindingMissing => 18,
                    S::ChannelBindingMismatch => 19,
                    S::Downgrade => 20,
                    S::UnknownMandatoryExtension => 21,
                    S::ScramSyntax => 22,
                    S::ScramAttribute { .. } => 23,
                    S::NonceMismatch => 24,
                    S::IterationCountTooHigh => 25,
                    S::ServerError => 26,
                    S::ServerSignatureWrong => 27,
                    S::ProofWrong => 28,
                    S::ServerNotVerified => 29,
                },
            ),
            _ => (usize::MAX, 0),
        }
    }

    /// Variants per enum: Protocol, Misuse, Emit, Sasl.
    const COUNTS: [usize; 4] = [8, 58, 28, 30];

    #[test]
    fn every_reason_has_a_class_and_a_text() {
        let table = table();
        let mut seen = [
            alloc::vec![false; COUNTS[0]],
            alloc::vec![false; COUNTS[1]],
            alloc::vec![false; COUNTS[2]],
            alloc::vec![false; COUNTS[3]],
        ];
        let mut texts = alloc::collections::BTreeSet::new();
        for (e, fault) in &table {
            assert_eq!(e.fault(), *fault, "{e:?}");
            let (kind, index) = variant_index(e);
            assert!(!seen[kind][index], "listed twice: {e:?}");
            seen[kind][index] = true;
            // a human message, told apart from every other reason's
            let text = e.to_string();
            assert!(text.len() > 12 && !text.contains('\n'), "{text:?}");
            assert!(texts.insert(text.clone()), "same text twice: {text}");
        }
        for (kind, seen) in seen.iter().enumerate() {
            assert!(
                seen.iter().all(|s| *s),
                "enum {kind}: a variant is missing: {seen:?}"
            );
        }
    }

    #[test]
    fn sasl_faults_follow_the_reason() {
        // a malformed or wrong message from the peer
        assert_eq!(SaslError::ServerSignatureWrong.fault(), Fault::Peer);
        assert_eq!(SaslError::ResponseNotBase64.fault(), Fault::Peer);
        assert_eq!(
            Error::Sasl(SaslError::ScramAttribute { attribute: 'r' }).fault(),
            Fault::Peer
        );
        // the client's configured maximum
        assert_eq!(SaslError::IterationCountTooHigh.fault(), Fault::Limit);
        // a server the application set up wrongly
        assert_eq!(
            Error::Sasl(SaslError::NeedsDedicatedServer { mechanism: "SCRAM" }).fault(),
            Fault::Application
        );
    }

    #[test]
    fn display_keeps_the_words() {
        let e = Error::Misuse(ApiMisuse::NotAdvertised { extension: "IDLE" });
        assert_eq!(e.to_string(), "not allowed now: IDLE not advertised");
        let e = Error::Emit(Unemittable::LineBreak {
            field: "reply text",
        });
        assert_eq!(e.to_string(), "cannot emit: CR, LF or NUL in reply text");
        let e = Error::Protocol(PeerMisbehaved::UnsolicitedResponse);
        assert_eq!(
            e.to_string(),
            "peer broke the protocol: response without a command"
        );
        let e = Error::Sasl(SaslError::ScramAttribute { attribute: 'r' });
        assert_eq!(
            e.to_string(),
            "SASL: SCRAM attribute r= is missing or malformed"
        );
        let e = Error::Sasl(SaslError::ServerSignatureWrong);
        assert_eq!(e.to_string(), "SASL: SCRAM server signature is wrong");
    }
}
