//! The IMAP client state machine (RFC 9051 §3 states, §5.5 pipelining, §6
//! commands, §7 responses; RFC 3501; RFC 2177 IDLE, RFC 4959 SASL-IR, RFC 4978
//! COMPRESS, RFC 5161 ENABLE, RFC 7888 LITERAL+/LITERAL-).
//!
//! The machine generates the tags (`A0001`, `A0002`, ...), sends commands
//! when the protocol allows, matches every tagged completion to its command
//! ([`ClientEvent::Completed`]) and hands out untagged data as it arrives
//! ([`ClientEvent::Data`], with the tag of the command in flight when exactly
//! one is). The connection state (Not Authenticated → Authenticated →
//! Selected → Logout) follows what the server says, never what was asked.
//!
//! ```
//! use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, IntoOwned, Mailbox, ClientState};
//!
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
//! let Some(ClientEvent::Greeting(g)) = client.poll_event().unwrap() else { panic!() };
//! assert_eq!(g.text.as_bytes(), b"ready");
//! assert!(client.capabilities().has("IDLE"));
//!
//! let login = client.login("fred", "secret").unwrap();
//! let select = client.select(Mailbox::Inbox).unwrap();
//! let mut sent = Vec::new();
//! while let Some(b) = client.poll_transmit() { sent.extend_from_slice(&b); }
//! assert_eq!(sent, b"A0001 LOGIN fred secret\r\nA0002 SELECT INBOX\r\n");
//!
//! client.handle_input(b"A0001 OK logged in\r\n* 172 EXISTS\r\nA0002 OK [READ-WRITE] done\r\n");
//! let mut exists = 0;
//! let mut done = Vec::new();
//! while let Some(event) = client.poll_event().unwrap() {
//!     match event {
//!         ClientEvent::Data { data: Data::Exists(n), in_flight } => {
//!             exists = n;
//!             assert_eq!(in_flight.unwrap().as_str(), "A0002");
//!         }
//!         ClientEvent::Completed { tag, .. } => done.push(tag.into_owned()),
//!         _ => {}
//!     }
//! }
//! assert_eq!(exists, 172);
//! assert_eq!(done, [login, select]);
//! assert_eq!(client.state(), ClientState::Selected);
//! ```
//!
//! ## Literals
//!
//! A command whose strings need a literal (8-bit or CR/LF content, APPEND
//! messages) is sent up to its first synchronizing literal; the rest follows
//! each `+` of the server. A tagged `NO`/`BAD` instead of `+` completes the
//! command and the rest of it is never sent. When the server advertises
//! `LITERAL+` every literal is non-synchronizing (`{n+}`); with `LITERAL-`
//! (or `IMAP4rev2`) those up to 4096 bytes are, and larger ones wait for `+`
//! (RFC 7888 §4, RFC 9051 §4.3). A literal is announced `{n}` or `{n+}`,
//! never otherwise.
//!
//! ## Pipelining (RFC 9051 §5.5)
//!
//! Independent commands go out at once. A command that uses message sequence
//! numbers (FETCH, STORE, SEARCH, COPY, MOVE, SORT, THREAD without UID) waits
//! until every command before it is a FETCH, STORE or SEARCH without UID (the
//! only ones during which the server may not send EXPUNGE); commands behind a
//! waiting one wait too, so the wire order is the order of the calls.
//! AUTHENTICATE, IDLE, STARTTLS, COMPRESS and LOGOUT are barriers: nothing is
//! sent after them until they complete. [`Limits::pending_commands`] bounds
//! the commands sent or queued and not yet completed.
//!
//! ## Extensions
//!
//! A command needing an extension the server did not advertise (IDLE, MOVE,
//! UID EXPUNGE, ENABLE, COMPRESS, SORT, THREAD, ID, NAMESPACE, QUOTA,
//! METADATA, UNSELECT, REPLACE, ESEARCH return options, CONDSTORE/QRESYNC modifiers,
//! the SASL mechanism of AUTHENTICATE, STARTTLS) is [`Error::Misuse`] unless
//! [`ClientConfig::trust_unadvertised`] is set or it is sent with
//! [`Client::send_unadvertised`]. LOGIN is always refused once the server
//! advertised `LOGINDISABLED`. Capabilities come from the greeting's code,
//! `CAPABILITY` codes of any status response and `* CAPABILITY` data; they are
//! forgotten after STARTTLS, and the machine asks for them again after
//! [`Client::tls_established`]. Send `CAPABILITY` yourself when the greeting
//! carried none.
//!
//! ## Large literals in FETCH
//!
//! A `BODY[...]`, `BINARY[...]` or `RFC822*` literal larger than
//! [`Limits::inline_literal`] is streamed: [`ClientEvent::FetchBodyStart`]
//! (sequence number, the item with `data: None`, size), any number of
//! [`ClientEvent::FetchBodyChunk`] borrowed from the input buffer, then
//! [`ClientEvent::FetchBodyEnd`]; when the response line is complete, a
//! [`ClientEvent::Data`] with the whole FETCH follows, in which each streamed
//! item appears with `data: None`. Memory stays bounded by the limits however
//! large the message. Smaller literals arrive whole inside the parsed FETCH.
//!
//! ## A bad response costs that response
//!
//! A frame that does not parse becomes [`ClientEvent::MalformedResponse`]
//! with its raw bytes and the error, and the session continues with the next
//! frame. A tagged completion whose tag and status (`OK`, `NO`, `BAD`) can be
//! read completes its command whatever follows them (RFC 9051 §9
//! `response-tagged = tag SP resp-cond-state CRLF`): the
//! `MalformedResponse` is followed by the command's
//! [`ClientEvent::Completed`] with that status, no code, and the unparsed
//! rest of the line as its text, so an application waiting for the
//! completion always gets it. When only the tag can be read and belongs to a
//! pending command, that command is complete as a failure (the
//! `MalformedResponse` says so). A tagged response with a tag no pending
//! command has, and a `+` nobody waits for, are reported the same way.
//!
//! A response longer than [`Limits::response_line`] (default 1 MiB: a
//! SEARCH of 10⁵ messages fits) costs that response too:
//! [`ClientEvent::OversizedResponse`] with its first bytes, and its rest is
//! skipped as it arrives, literals included, keeping none of it. Only a
//! literal over [`Limits::literal_size`], buffered input over
//! [`Limits::input_buffer`], a broken line ending under a strict policy, or
//! EOF with commands pending are fatal (and sticky).
//!
//! ## IDLE and its timer
//!
//! [`Client::idle`] sends IDLE; [`ClientEvent::IdleAccepted`] follows the
//! server's `+`, untagged data arrives as usual, and [`Client::done`] ends it.
//! RFC 2177 asks clients to re-issue IDLE at least every 29 minutes; the
//! machine does it by itself after [`ClientConfig::idle_refresh`] (default 28
//! minutes): at that deadline ([`Client::poll_timeout`]) it sends `DONE`, and
//! when the server completes that IDLE it sends IDLE again, both silently (no
//! `Completed`/`IdleAccepted` events for the refresh unless the server
//! refuses). The final [`ClientEvent::Completed`] of an idle period then
//! carries the tag of the last IDLE sent. The machine has no clock: when IDLE
//! starts, [`Client::poll_timeout`] answers `Duration::ZERO` once, asking the
//! caller to report the current time through [`Client::handle_timeout`].
//!
//! ## STARTTLS and COMPRESS
//!
//! After the tagged OK of STARTTLS, [`ClientEvent::StartTls`]: flush
//! [`Client::poll_transmit`], run the handshake, call
//! [`Client::tls_established`]. Input that arrived after the OK in plaintext is
//! discarded. After the OK of `COMPRESS DEFLATE`, [`ClientEvent::Compress`]:
//! flush, put a raw DEFLATE (RFC 1951) stream on both directions, and call
//! [`Client::compression_established`], which returns the bytes that arrived
//! after the OK (already compressed: inflate them and feed them back). The
//! library itself never compresses.

mod caps;
mod commands;
mod ids;
mod skip;
#[cfg(test)]
mod tests;

pub use caps::Capabilities;
pub use commands::{
    CommandFailed, FetchItems, FetchQuery, IntoSequenceSet, MailboxName, SearchQuery,
    StatusAttribute,
};
use skip::Skipper;

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ops::Range;
use core::time::Duration;

use bytes::BytesMut;

use crate::error::{Error, LimitKind, ParseError};
use crate::limits::Limits;
use crate::session::sasl::{Challenge, ClientSasl, InitialResponse};
use crate::session::timer::earliest;
use crate::session::{Input, Output, ReplyTimer, Timer, Unadvertised, unadvertised};
use crate::text::{Secret, Text};
use crate::wire::line::LinePolicy;
use crate::wire::sasl::Credentials;

use super::emit::{EmitOptions, LiteralStyle, emit_command};
use super::frame::{Frame, Framer};
use super::parse::response::{parse_greeting, parse_response, parse_response_trusted};
use super::parse::visit::{FetchVisitor, parse_response_with};
use super::parse::{ParseOptions, Quirks};
use super::tag::OwnTag;
use super::types::command::{
    Command, CommandBody, CreateParam, FetchAttribute, FetchAttributes, ListReturnOption,
    SearchKey, SelectParam, SortKey,
};
use super::types::core::{Atom, IString, List, Mailbox, Tag};
use super::types::response::{Code, Data, FetchItem, Response, StatusKind, StatusResponse};

/// The PARTIAL of SEARCH/SORT/ESEARCH return options against the
/// capabilities: a range counted from the end needs PARTIAL (RFC 9394); one
/// counted from the start needs PARTIAL or, as RFC 5267 §4.4 had it,
/// `context` (CONTEXT=SEARCH or CONTEXT=SORT).
fn partial_allowed(
    options: &List<'_, Atom<'_>>,
    partial: bool,
    context: bool,
) -> Result<(), Error> {
    let Some(range) = crate::imap::base::partial::PartialRange::of_return_options(options) else {
        return Ok(());
    };
    unadvertised::require(
        partial || (context && !range.from_end),
        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
            extension: "PARTIAL",
        }),
    )
}

mod config;
pub use config::ClientConfig;
mod event;
pub use event::{ClientEvent, CommandKind};

/// The connection state (RFC 9051 §3), as the server's answers made it.
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientState};
///
/// let mut client = Client::new(ClientConfig::default());
/// assert_eq!(client.state(), ClientState::Greeting);
/// // RFC 9051 §7.1.4: a PREAUTH greeting enters the Authenticated state
/// client.handle_input(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n");
/// while client.poll_event().unwrap().is_some() {}
/// assert_eq!(client.state(), ClientState::Authenticated);
/// // asking is not enough: only the server's OK selects
/// client.select("INBOX").unwrap();
/// assert_eq!(client.state(), ClientState::Authenticated);
/// client.handle_input(b"A0001 NO no such mailbox\r\n");
/// while client.poll_event().unwrap().is_some() {}
/// assert_eq!(client.state(), ClientState::Authenticated);
/// client.select("INBOX").unwrap();
/// client.handle_input(b"A0002 OK [READ-WRITE] SELECT completed\r\n");
/// while client.poll_event().unwrap().is_some() {}
/// assert_eq!(client.state(), ClientState::Selected);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ClientState {
    /// Waiting for the greeting.
    Greeting,
    /// Not Authenticated.
    NotAuthenticated,
    /// Authenticated: logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// The server said BYE (or LOGOUT completed); the session is over.
    Logout,
}

/// Where a command is on its way to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sending {
    /// Queued; nothing sent.
    Unsent,
    /// Sent up to a synchronizing literal; waiting for `+`.
    Partial,
    /// A streamed APPEND whose line was sent: the application pushes the
    /// message ([`Client::send_body`]).
    Body,
    /// All bytes handed to the output.
    Sent,
}

/// IDLE progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct IdleState {
    /// `+` received.
    accepted: bool,
    /// DONE written.
    done_sent: bool,
    /// The application asked for DONE before `+` arrived.
    done_requested: bool,
    /// DONE was sent by the refresh timer: re-issue on OK.
    refreshing: bool,
    /// This IDLE is a machine re-issue (its `+` is not reported).
    reissue: bool,
}

#[derive(Debug)]
struct Cmd {
    tag: OwnTag,
    kind: CommandKind,
    /// Uses message sequence numbers (RFC 9051 §5.5).
    msn: bool,
    /// FETCH, STORE or SEARCH without UID: no EXPUNGE while it runs.
    expunge_safe: bool,
    sending: Sending,
    bytes: Vec<u8>,
    sync: Vec<usize>,
    next_sync: usize,
    sent: usize,
    idle: IdleState,
    /// The SASL exchange of an AUTHENTICATE (boxed: most commands have none).
    sasl: Option<Box<ClientSasl>>,
    /// A streamed APPEND: (announced size, bytes pushed, literal8).
    body: Option<(u64, u64, bool)>,
    /// An ENABLE that names UIDONLY (RFC 9586).
    asks_uidonly: bool,
}

/// Where the bytes of an event's frame are.
#[derive(Clone, Debug)]
enum Src {
    Buf(Range<usize>),
    Acc,
}

#[derive(Clone, Debug)]
enum Step {
    Greeting(Src),
    /// Untagged data or status; `validated` when [`analyze`] parsed it
    /// (otherwise [`Client::materialize`] runs its only, validating parse).
    Untagged {
        src: Src,
        validated: bool,
    },
    Completed(Src),
    /// A tagged completion whose tag and status parse and whose rest does
    /// not: reported as [`ClientEvent::Completed`] with the rest as text
    /// (after the [`ClientEvent::MalformedResponse`] that describes it).
    CompletedRaw {
        src: Src,
        status: StatusKind,
        /// Where the text after the status starts in the frame.
        text_at: usize,
        /// What follows the completion (STARTTLS, COMPRESS).
        then: Finish,
    },
    Malformed {
        src: Src,
        error: ParseError,
        completed: bool,
    },
    /// A response over [`Limits::response_line`]; its first bytes are in
    /// `acc`, the rest is being skipped.
    Oversized {
        completed: bool,
    },
    BodyStart {
        size: u64,
    },
    Chunk(Range<usize>),
    BodyEnd,
    IdleAccepted,
    AuthChallenge,
    StartTls,
    Compress,
    AppendReady,
    TimedOut,
}

/// A large literal being passed through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    /// Not inside a streamed message.
    None,
    /// Passing `remaining` literal bytes (discarded when `discard`).
    Literal { remaining: u64, discard: bool },
    /// After a streamed literal: framing the rest of the message.
    Rest,
}

/// What a frame said, copied out so the machine can change its state.
enum Analysis {
    Greeting {
        kind: StatusKind,
        caps: Option<Capabilities>,
    },
    Tagged {
        tag: Option<OwnTag>,
        kind: StatusKind,
        caps: Option<Capabilities>,
        read_only: bool,
    },
    Untagged {
        bye: bool,
        caps: Option<Capabilities>,
        enabled: Option<Capabilities>,
    },
    Continue {
        payload: Range<usize>,
    },
    Malformed {
        error: ParseError,
        tag: Option<OwnTag>,
        word: Option<(StatusKind, usize)>,
    },
}

/// The IMAP client machine; see the [module docs](self) for how it frames,
/// pipelines and reports.
///
/// The client side of the sample session of RFC 3501 §8, the server's lines
/// byte for byte as the RFC prints them (the client numbers its own tags,
/// `A0001`, ..., where the RFC's client wrote `a001`, ...):
///
/// ```
/// use mailwire::imap::{
///     Client, ClientConfig, ClientEvent, ClientState, Code, CommandKind, Data, FetchAttribute,
///     FetchItems, FetchQuery, Flag, IntoOwned, StatusKind, StoreKind,
/// };
///
/// let mut client = Client::new(ClientConfig::default());
/// let mut wire = Vec::new();
/// // S: * OK IMAP4rev1 Service Ready
/// client.handle_input(b"* OK IMAP4rev1 Service Ready\r\n");
/// let Some(ClientEvent::Greeting(greeting)) = client.poll_event().unwrap() else { panic!() };
/// assert_eq!(greeting.kind, StatusKind::Ok);
///
/// // C: a001 login mrc secret
/// // C: a002 select inbox          (pipelined: LOGIN is no barrier)
/// let login = client.login("mrc", "secret").unwrap();
/// let select = client.select("inbox").unwrap();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(wire, b"A0001 LOGIN mrc secret\r\nA0002 SELECT INBOX\r\n");
///
/// client.handle_input(
///     b"A0001 OK LOGIN completed\r\n\
///       * 18 EXISTS\r\n\
///       * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
///       * 2 RECENT\r\n\
///       * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
///       * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
///       A0002 OK [READ-WRITE] SELECT completed\r\n",
/// );
/// let (mut exists, mut uid_validity, mut completed) = (0, 0, Vec::new());
/// while let Some(event) = client.poll_event().unwrap() {
///     match event {
///         ClientEvent::Data { data: Data::Exists(n), .. } => exists = n,
///         ClientEvent::Status { status, .. } => {
///             if let Some(Code::UidValidity(v)) = status.code {
///                 uid_validity = v;
///             }
///         }
///         ClientEvent::Completed { tag, command, status, .. } => {
///             completed.push((tag.into_owned(), command, status))
///         }
///         _ => {}
///     }
/// }
/// assert_eq!((exists, uid_validity), (18, 3857529045));
/// assert_eq!(
///     completed,
///     [(login, CommandKind::Login, StatusKind::Ok), (select, CommandKind::Select, StatusKind::Ok)]
/// );
/// assert_eq!(client.state(), ClientState::Selected);
///
/// // C: a003 fetch 12 full   (FULL is FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)
/// let query = FetchQuery::new().flags().internal_date().size().envelope().attribute(FetchAttribute::Body);
/// client.fetch(12, &query).unwrap();
/// wire.clear();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(wire, b"A0003 FETCH 12 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)\r\n");
/// client.handle_input(
///     b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
///       RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
///       \"IMAP4rev1 WG mtg summary and minutes\" \
///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///       ((NIL NIL \"imap\" \"cac.washington.edu\")) \
///       ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
///       (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
///       \"<B27397-0100000@cac.washington.edu>\") \
///       BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 \
///       92))\r\n\
///       A0003 OK FETCH completed\r\n",
/// );
/// let Some(ClientEvent::Data { data: Data::Fetch { seq: 12, items }, .. }) = client.poll_event().unwrap()
/// else { panic!() };
/// assert!(items.is_seen());
/// let envelope = items.envelope().unwrap();
/// assert_eq!(envelope.subject_text().as_deref(), Some("IMAP4rev1 WG mtg summary and minutes"));
/// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Completed { status: StatusKind::Ok, .. })));
///
/// // C: a005 store 12 +flags \deleted
/// client.store(12, StoreKind::Add, &[Flag::Deleted]).unwrap();
/// // C: a006 logout
/// client.logout().unwrap();
/// wire.clear();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(wire, b"A0004 STORE 12 +FLAGS (\\Deleted)\r\nA0005 LOGOUT\r\n");
/// client.handle_input(
///     b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
///       A0004 OK +FLAGS completed\r\n\
///       * BYE IMAP4rev1 server terminating connection\r\n\
///       A0005 OK LOGOUT completed\r\n",
/// );
/// while client.poll_event().unwrap().is_some() {}
/// assert_eq!(client.state(), ClientState::Logout);
/// assert!(client.is_closed());
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    opts: ParseOptions,
    input: Input,
    framer: Framer,
    stream: Stream,
    bad_frame: Option<Box<ParseError>>,
    stream_seq: u32,
    /// The streamed literal is in a UIDFETCH (RFC 9586): `stream_seq` is a UID.
    stream_uid: bool,
    /// The message being assembled around streamed literals (or the first
    /// bytes of one over the response limit).
    acc: Vec<u8>,
    /// Skipping the rest of a response over the response limit.
    skip: Option<Skipper>,
    /// `acc` + `)` CRLF: the FETCH as far as the streamed item.
    synth: Vec<u8>,
    follow: Option<Step>,
    state: ClientState,
    cmds: VecDeque<Cmd>,
    next_tag: u32,
    /// The command the last `Completed`/`IdleAccepted` event is about.
    done: Option<(OwnTag, CommandKind)>,
    out: Output,
    caps: Capabilities,
    enabled: Capabilities,
    read_only: bool,
    /// The selected mailbox's message count ([`Client::exists`]).
    exists: Option<u32>,
    challenge: Vec<u8>,
    tls_pending: bool,
    tls_active: bool,
    compress_pending: bool,
    compressed: bool,
    /// Re-issues IDLE ([`ClientConfig::idle_refresh`]).
    idle_timer: Timer,
    /// The server's silence while the greeting or a response is awaited
    /// (greeting, command or body timeout), and the clock.
    wait: ReplyTimer,
    append_ready: bool,
    error: Option<Box<Error>>,
}

impl Client {
    /// A client waiting for the server's greeting. No I/O happens.
    pub fn new(config: ClientConfig) -> Client {
        let mut framer = Framer::for_responses(&config.limits, config.line_policy);
        framer.set_stream_threshold(Some(config.limits.inline_literal as u64));
        let opts = ParseOptions {
            quirks: config.quirks,
            nesting_depth: config.limits.nesting_depth,
            utf8: false,
        };
        let tls_active = config.tls_active;
        Client {
            config,
            opts,
            input: Input::default(),
            framer,
            stream: Stream::None,
            bad_frame: None,
            stream_seq: 0,
            stream_uid: false,
            acc: Vec::new(),
            skip: None,
            synth: Vec::new(),
            follow: None,
            state: ClientState::Greeting,
            cmds: VecDeque::new(),
            next_tag: 1,
            done: None,
            out: Output::default(),
            caps: Capabilities::default(),
            enabled: Capabilities::default(),
            read_only: false,
            exists: None,
            challenge: Vec::new(),
            tls_pending: false,
            tls_active,
            compress_pending: false,
            compressed: false,
            idle_timer: Timer::Off,
            wait: ReplyTimer::default(),
            append_ready: false,
            error: None,
        }
    }

    /// The connection state, as the server's answers made it.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// What the server advertised last (greeting code, status codes,
    /// CAPABILITY data).
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// What the server said it enabled (`* ENABLED`, RFC 5161).
    pub fn enabled(&self) -> &Capabilities {
        &self.enabled
    }

    /// The number of messages in the selected mailbox, as the server's
    /// responses made it (`None` before the first `EXISTS` and once no
    /// mailbox is selected): `* n EXISTS` sets it (RFC 9051 §7.4.1), each
    /// `* n EXPUNGE` lowers it by one (§7.5.1), and a `VANISHED` without
    /// `(EARLIER)` lowers it by the number of UIDs it lists, which is how
    /// expunges are reported once QRESYNC or UIDONLY is enabled (RFC 7162
    /// §3.2.10.2: "each UID listed in a VANISHED response results in the
    /// client decrementing the message count by one"; RFC 9586). It never
    /// goes below zero, whatever the server sends.
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UIDONLY] hi\r\n");
    /// client.poll_event().unwrap();
    /// client.enable(&["UIDONLY"]).unwrap();
    /// client.handle_input(b"* ENABLED UIDONLY\r\nA0001 OK done\r\n");
    /// client.select("INBOX").unwrap();
    /// client.handle_input(b"* 172 EXISTS\r\nA0002 OK [READ-WRITE] done\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// assert_eq!(client.exists(), Some(172));
    /// // UIDONLY: expunges come as VANISHED, never as EXPUNGE
    /// client.handle_input(b"* VANISHED 405,407:410\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// assert_eq!(client.exists(), Some(167));
    /// ```
    pub fn exists(&self) -> Option<u32> {
        self.exists
    }

    /// Whether the selected mailbox was opened read-only (EXAMINE, or a
    /// `READ-ONLY` code).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether TLS is on (configured, or after [`tls_established`](Self::tls_established)).
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Whether COMPRESS is on.
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// Commands sent or queued and not yet completed.
    pub fn pending_commands(&self) -> usize {
        self.cmds.len()
    }

    /// Whether an IDLE is in progress (sent and not completed).
    pub fn is_idle(&self) -> bool {
        self.cmds.iter().any(|c| c.kind == CommandKind::Idle)
    }

    /// Memory this machine holds: its own size plus the heap capacity of its
    /// buffers, queues and the server's capability list. Buffers are given
    /// back whenever nothing is buffered or in flight, so an idle
    /// authenticated connection costs under 1 KiB.
    pub fn memory_usage(&self) -> usize {
        let cmds: usize = self
            .cmds
            .iter()
            .map(|c| {
                c.bytes.capacity()
                    + c.sync.capacity() * size_of::<usize>()
                    + c.sasl
                        .as_ref()
                        .map_or(0, |s| size_of::<ClientSasl>() + s.memory_usage())
            })
            .sum();
        size_of::<Self>()
            + self.input.memory_usage()
            + self.acc.capacity()
            + self.synth.capacity()
            + self.challenge.capacity()
            + self.out.memory_usage()
            + self.caps.heap_size()
            + self.enabled.heap_size()
            + self.cmds.capacity() * size_of::<Cmd>()
            + cmds
    }

    /// Bytes of input buffered and not yet parsed.
    pub fn buffered(&self) -> usize {
        self.input.buffered()
    }

    // the whole output buffer goes at each transmit: nothing stays
    // allocated here between sends
    client_io_methods!(then release);

    /// Whether the session is over (BYE/LOGOUT, a fatal error, or EOF once
    /// everything buffered was read).
    pub fn is_closed(&self) -> bool {
        self.state == ClientState::Logout
            || self.error.is_some()
            || (self.input.is_eof()
                && self.buffered() == 0
                && self.stream == Stream::None
                && self.skip.is_none())
    }

    /// Whether the machine waits for the server: the greeting, or a response
    /// to a pending command other than an accepted IDLE.
    fn awaits_server(&self) -> bool {
        self.state == ClientState::Greeting
            || self
                .cmds
                .iter()
                .any(|c| !(c.kind == CommandKind::Idle && c.idle.accepted && !c.idle.done_sent))
    }

    /// The timeout of what the machine awaits.
    fn reply_timeout(&self) -> Duration {
        if self.state == ClientState::Greeting {
            self.config.greeting_timeout
        } else if matches!(self.stream, Stream::Literal { .. }) {
            self.config.body_timeout
        } else {
            self.config.command_timeout
        }
    }

    /// When the machine next needs [`handle_timeout`](Self::handle_timeout)
    /// (the crate's time contract): the earliest of the IDLE refresh and the
    /// greeting/command/body timeout, or at once when one of them was just
    /// (re)started and the machine needs the time to count from.
    pub fn poll_timeout(&self) -> Option<Duration> {
        if self.error.is_some() || self.is_closed() {
            return None;
        }
        earliest([
            self.wait.deadline(self.awaits_server()),
            self.idle_timer.deadline(self.wait.clock()),
        ])
    }

    /// Reports the current time (any clock, the same origin at every call).
    /// Re-issues IDLE when its refresh deadline passed; when the server stayed
    /// silent past the greeting, command or body timeout, the session ends
    /// with [`ClientEvent::TimedOut`].
    ///
    /// RFC 2177 §3: "clients using IDLE are advised to terminate the IDLE
    /// and re-issue it at least every 29 minutes"; the machine does it at
    /// [`ClientConfig::idle_refresh`] (28 minutes), silently:
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent};
    ///
    /// let minutes = |m: u64| Duration::from_secs(60 * m);
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    /// client.poll_event().unwrap();
    /// client.idle().unwrap();
    /// client.handle_input(b"+ idling\r\n");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::IdleAccepted { .. })));
    /// assert_eq!(client.poll_timeout(), Some(Duration::ZERO)); // the machine needs the time
    /// client.handle_timeout(minutes(100));
    /// assert_eq!(client.poll_timeout(), Some(minutes(128)));
    /// client.handle_timeout(minutes(128));
    /// let mut wire = Vec::new();
    /// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
    /// assert_eq!(wire, b"A0001 IDLE\r\nDONE\r\n");
    /// client.handle_input(b"A0001 OK IDLE terminated\r\n");
    /// assert!(client.poll_event().unwrap().is_none()); // no event for the refresh
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0002 IDLE\r\n");
    /// assert!(client.is_idle());
    /// ```
    pub fn handle_timeout(&mut self, now: Duration) {
        let closed = self.error.is_some() || self.is_closed();
        let awaited = (!closed && self.awaits_server()).then(|| self.reply_timeout());
        if self.wait.expired(now, awaited) {
            self.state = ClientState::Logout;
            return;
        }
        if closed {
            return;
        }
        if self.idle_timer.expire(now) {
            if let Some(c) = self
                .cmds
                .iter_mut()
                .find(|c| c.kind == CommandKind::Idle && c.idle.accepted && !c.idle.done_sent)
            {
                c.idle.done_sent = true;
                c.idle.refreshing = true;
                self.out.extend_from_slice(b"DONE\r\n");
            }
        }
    }

    fn check_usable(&self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err((**e).clone());
        }
        if self.state == ClientState::Logout || self.input.is_eof() {
            return Err(Error::Closed);
        }
        if self.tls_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::TlsPending));
        }
        if self.compress_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::CompressionPending));
        }
        Ok(())
    }

    /// The state the session will be in once every pending command succeeds.
    fn projected_state(&self) -> ClientState {
        let mut s = match self.state {
            ClientState::Greeting => ClientState::NotAuthenticated,
            s => s,
        };
        for c in &self.cmds {
            s = match c.kind {
                CommandKind::Login | CommandKind::Authenticate => ClientState::Authenticated,
                CommandKind::Select | CommandKind::Examine => ClientState::Selected,
                CommandKind::Close | CommandKind::Unselect => ClientState::Authenticated,
                CommandKind::Unauthenticate => ClientState::NotAuthenticated,
                CommandKind::Logout => ClientState::Logout,
                _ => s,
            };
        }
        s
    }

    /// Sends (or queues, until the protocol allows it) a command; returns
    /// its tag.
    ///
    /// [`Error::Misuse`] (and nothing is sent) when the command is wrong for
    /// the session state (counting pending commands as if they succeed), needs
    /// an extension the server did not advertise, is LOGIN under
    /// `LOGINDISABLED`, or comes after LOGOUT; [`Error::Emit`] when a value
    /// cannot be sent; a [`LimitKind::PendingCommands`] error when too many
    /// commands are pending.
    ///
    /// Commands may be queued before the greeting; they leave once it
    /// arrives. Until then the capabilities are unknown, so extension
    /// commands need [`send_unadvertised`](Self::send_unadvertised), and
    /// literals are synchronizing.
    ///
    /// A command without a shorthand, built as a [`CommandBody`]: the
    /// GETQUOTAROOT example of RFC 9208 §4.3.2:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, CommandBody, Data, Mailbox};
    /// use mailwire::{ApiMisuse, Error};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n");
    /// client.poll_event().unwrap();
    /// // QUOTA was not advertised
    /// let refused = client.send(CommandBody::GetQuotaRoot(Mailbox::Inbox));
    /// assert!(matches!(refused, Err(Error::Misuse(ApiMisuse::NotAdvertised { extension: "QUOTA" }))));
    /// // C: A003 GETQUOTAROOT INBOX
    /// client.send_unadvertised(CommandBody::GetQuotaRoot(Mailbox::Inbox)).unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 GETQUOTAROOT INBOX\r\n");
    /// client.handle_input(
    ///     b"* QUOTAROOT INBOX \"\"\r\n\
    ///       * QUOTA \"\" (STORAGE 10 512)\r\n\
    ///       A0001 OK Getquota completed\r\n",
    /// );
    /// let Some(ClientEvent::Data { data: Data::QuotaRoot { mailbox, roots }, .. }) = client.poll_event().unwrap()
    /// else { panic!() };
    /// assert_eq!((mailbox, roots.len()), (Mailbox::Inbox, 1));
    /// let Some(ClientEvent::Data { data: Data::Quota { root, resources }, .. }) = client.poll_event().unwrap()
    /// else { panic!() };
    /// let storage = resources.iter().next().unwrap();
    /// assert_eq!((root.as_bytes(), storage.name.as_str(), storage.usage, storage.limit), (&b""[..], "STORAGE", 10, 512));
    /// ```
    pub fn send(&mut self, command: CommandBody<'_>) -> Result<Tag<'static>, Error> {
        let trust = self.config.trust_unadvertised;
        self.enqueue(command, trust, None, None).map(owned_tag)
    }

    /// Like [`send`](Self::send), without checking that the server advertised
    /// the command's extension.
    pub fn send_unadvertised(&mut self, command: CommandBody<'_>) -> Result<Tag<'static>, Error> {
        self.enqueue(command, true, None, None).map(owned_tag)
    }

    fn enqueue(
        &mut self,
        body: CommandBody<'_>,
        trust: bool,
        sasl: Option<Box<ClientSasl>>,
        stream: Option<(u64, bool)>,
    ) -> Result<OwnTag, Error> {
        self.check_usable()?;
        if self.cmds.iter().any(|c| c.kind == CommandKind::Logout) {
            return Err(Error::Misuse(crate::error::ApiMisuse::LoggedOut));
        }
        let kind = CommandKind::of(&body);
        let projected = self.projected_state();
        check_state(kind, projected)?;
        if kind == CommandKind::Login && self.caps.has("LOGINDISABLED") {
            return Err(Error::Misuse(crate::error::ApiMisuse::LoginDisabled));
        }
        // RFC 9586 §3: once UIDONLY is enabled "the client MUST NOT use
        // message sequence numbers ... in any arguments to IMAP commands"
        // (the server answers BAD [UIDREQUIRED]); a rule of the session's
        // state, not of what was advertised, so no trust lifts it
        if self.enabled.has(crate::imap::ext::uidonly::CAPABILITY) && body.uses_sequence_numbers() {
            return Err(Error::Misuse(crate::error::ApiMisuse::UidRequired));
        }
        Unadvertised::trusting(trust).check(|| self.check_extension(&body))?;
        if self.cmds.len() >= self.config.limits.pending_commands {
            return Err(Error::limit(
                LimitKind::PendingCommands,
                self.config.limits.pending_commands,
            ));
        }
        let tag = OwnTag::number(self.next_tag);
        let (msn, expunge_safe) = sequence_numbers(&body);
        let asks_uidonly = matches!(&body, CommandBody::Enable(names) if names
            .iter()
            .any(|n| n.as_str().eq_ignore_ascii_case(crate::imap::ext::uidonly::CAPABILITY)));
        let opts = self.emit_options();
        let command = Command {
            tag: owned_tag(tag),
            body,
        };
        let mut bytes = Vec::new();
        let mut emitted = emit_command(&command, &mut bytes, &opts)?;
        if let Some((size, binary)) = stream {
            // Replace the empty placeholder literal (and its CRLF) with the
            // announcement of the message the application will push.
            let Some(open) = memchr::memrchr(b'{', &bytes) else {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "APPEND message",
                }));
            };
            let cut = if binary { open.saturating_sub(1) } else { open };
            bytes.truncate(cut);
            emitted.sync_points.retain(|&p| p <= cut);
            if binary {
                bytes.push(b'~');
            }
            let plus = opts.literals.non_synchronizing(size);
            super::emit::announce(&mut bytes, size, plus);
            if !plus {
                emitted.sync_points.push(bytes.len());
            }
        }
        self.next_tag = self.next_tag.wrapping_add(1).max(1);
        self.cmds.push_back(Cmd {
            tag,
            kind,
            msn,
            expunge_safe,
            sending: Sending::Unsent,
            bytes,
            sync: emitted.sync_points,
            next_sync: 0,
            sent: 0,
            idle: IdleState::default(),
            sasl,
            body: stream.map(|(size, binary)| (size, 0, binary)),
            asks_uidonly,
        });
        self.flush();
        Ok(tag)
    }

    fn emit_options(&self) -> EmitOptions {
        let literals = if self.caps.has("LITERAL+") {
            LiteralStyle::NonSyncPlus
        } else if self.caps.has("LITERAL-") {
            LiteralStyle::NonSyncMinus
        } else {
            LiteralStyle::Sync
        };
        EmitOptions {
            literals,
            utf8: self.enabled.has("UTF8=ACCEPT") || self.enabled.has("UTF8=ONLY"),
        }
    }

    /// The extension a command needs, checked against the capabilities.
    fn check_extension(&self, body: &CommandBody<'_>) -> Result<(), Error> {
        use CommandBody as C;
        let caps = &self.caps;
        let need = unadvertised::require;
        let condstore = caps.has("CONDSTORE") || caps.has("QRESYNC");
        // RFC 8474 (EMAILID, THREADID, MAILBOXID) and RFC 8970 (PREVIEW),
        // wherever the items and keys appear in the command
        for ext in ids::needed(body).into_iter().flatten() {
            need(
                caps.has(ext),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: ext }),
            )?;
        }
        // RFC 9738's search keys come with its capability, `MESSAGELIMIT=n`
        need(
            !ids::uses_uid_bounds(body) || caps.message_limit().is_some(),
            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                extension: "MESSAGELIMIT",
            }),
        )?;
        match body {
            C::Idle => need(
                caps.has("IDLE"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "IDLE" }),
            ),
            C::Move { .. } => need(
                caps.has("MOVE"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "MOVE" }),
            ),
            C::UidExpunge(_) => need(
                caps.has("UIDPLUS"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "UIDPLUS",
                }),
            ),
            C::Enable(names) => {
                need(
                    caps.has("ENABLE"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "ENABLE",
                    }),
                )?;
                // UIDONLY (RFC 9586 §3.1, enabled with ENABLE) changes every
                // later command: asked for only when the server advertised it
                let uidonly = crate::imap::ext::uidonly::CAPABILITY;
                need(
                    !names
                        .iter()
                        .any(|n| n.as_str().eq_ignore_ascii_case(uidonly))
                        || caps.has(uidonly),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: uidonly }),
                )
            }
            C::Compress(alg) => need(
                caps.prefixed("COMPRESS=", alg.as_str()),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "COMPRESS=<algorithm>",
                }),
            ),
            C::Sort {
                criteria,
                return_options,
                ..
            } => {
                need(
                    caps.has("SORT"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "SORT" }),
                )?;
                if let Some(options) = return_options {
                    // RFC 5267 §3: SORT RETURN needs ESORT; §4: UPDATE,
                    // CONTEXT and PARTIAL on SORT need CONTEXT=SORT.
                    need(
                        caps.has("ESORT"),
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "ESORT",
                        }),
                    )?;
                    let context = options.iter().any(|o| {
                        ["UPDATE", "CONTEXT"]
                            .iter()
                            .any(|n| o.as_str().eq_ignore_ascii_case(n))
                    });
                    need(
                        !context || caps.prefixed("CONTEXT=", "SORT"),
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "CONTEXT=SORT",
                        }),
                    )?;
                    // PARTIAL: RFC 5267's positive range under CONTEXT=SORT,
                    // any range under PARTIAL (RFC 9394: a search return
                    // option, and SORT RETURN takes search-return-opts)
                    partial_allowed(
                        options,
                        caps.has("PARTIAL"),
                        caps.prefixed("CONTEXT=", "SORT"),
                    )?;
                }
                let display = criteria
                    .iter()
                    .any(|c| matches!(c.key, SortKey::DisplayFrom | SortKey::DisplayTo));
                // RFC 5957
                need(
                    !display || caps.prefixed("SORT=", "DISPLAY"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "SORT=DISPLAY",
                    }),
                )
            }
            C::List {
                selection,
                return_options,
                ..
            } => {
                // RFC 5258 §3: selection options and RETURN need LIST-EXTENDED
                // (RFC 6154 and RFC 5819 may offer their own option alone).
                // SPECIAL-USE is RFC 6154's whatever else is listed: IMAP4rev2
                // has LIST-EXTENDED but no SPECIAL-USE option (RFC 9051
                // `list-select-opt`, `return-option`).
                let extended = caps.has("LIST-EXTENDED");
                for s in selection.iter() {
                    if s.as_str().eq_ignore_ascii_case("SPECIAL-USE") {
                        need(
                            caps.has("SPECIAL-USE"),
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "SPECIAL-USE",
                            }),
                        )?;
                    } else {
                        need(
                            extended,
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "LIST-EXTENDED",
                            }),
                        )?;
                    }
                }
                for r in return_options.iter().flat_map(|l| l.iter()) {
                    let ok = match r {
                        ListReturnOption::Status(_) => caps.has("LIST-STATUS"),
                        ListReturnOption::SpecialUse => caps.has("SPECIAL-USE"),
                        _ => extended,
                    };
                    need(
                        ok,
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "LIST RETURN option",
                        }),
                    )?;
                }
                Ok(())
            }
            C::Create { params, .. } => {
                for p in params.iter() {
                    if let CreateParam::Use(_) = p {
                        // RFC 6154 §3
                        need(
                            caps.has("CREATE-SPECIAL-USE"),
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "CREATE-SPECIAL-USE",
                            }),
                        )?;
                    }
                }
                Ok(())
            }
            C::Thread { algorithm, .. } => need(
                caps.prefixed("THREAD=", algorithm.as_str()),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "THREAD=<algorithm>",
                }),
            ),
            C::Id(_) => need(
                caps.has("ID"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "ID" }),
            ),
            C::Namespace => need(
                caps.has("NAMESPACE"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "NAMESPACE",
                }),
            ),
            C::ESearch { return_options, .. } => {
                need(
                    caps.has("MULTISEARCH"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "MULTISEARCH",
                    }),
                )?;
                match return_options {
                    Some(options) => partial_allowed(options, caps.has("PARTIAL"), false),
                    None => Ok(()),
                }
            }
            C::CancelUpdate(_) => need(
                caps.prefixed("CONTEXT=", "SEARCH") || caps.prefixed("CONTEXT=", "SORT"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "CONTEXT=SEARCH",
                }),
            ),
            C::Unauthenticate => need(
                caps.has("UNAUTHENTICATE"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "UNAUTHENTICATE",
                }),
            ),
            C::Unselect => need(
                caps.has("UNSELECT"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "UNSELECT",
                }),
            ),
            C::GetQuota(_) | C::GetQuotaRoot(_) | C::SetQuota { .. } => need(
                caps.has("QUOTA"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "QUOTA" }),
            ),
            // RFC 5464: METADATA-SERVER is "server annotations only"
            // (the mailbox ""), METADATA is server and mailbox annotations.
            C::GetMetadata { mailbox, .. } | C::SetMetadata { mailbox, .. } => {
                if mailbox.as_bytes().is_empty() {
                    need(
                        caps.has("METADATA") || caps.has("METADATA-SERVER"),
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "METADATA-SERVER",
                        }),
                    )
                } else {
                    need(
                        caps.has("METADATA"),
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "METADATA",
                        }),
                    )
                }
            }
            C::SetAcl { .. }
            | C::DeleteAcl { .. }
            | C::GetAcl(_)
            | C::ListRights { .. }
            | C::MyRights(_) => need(
                caps.has("ACL"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "ACL" }),
            ),
            C::Append { messages, .. } => {
                // RFC 3502: more than one message is MULTIAPPEND (RFC 9051's
                // `append` has one `literal`).
                need(
                    messages.len() <= 1 || caps.has("MULTIAPPEND"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "MULTIAPPEND",
                    }),
                )?;
                // RFC 3516 `append =/ ... literal8`; IMAP4rev2 has no
                // literal8 in APPEND (RFC 9051 §4.3.1), so BINARY must be listed.
                need(
                    !messages.iter().any(|m| m.binary) || caps.listed("BINARY"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "BINARY",
                    }),
                )
            }
            C::AppendCatenate { messages, .. } => {
                need(
                    caps.has("CATENATE"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "CATENATE",
                    }),
                )?;
                need(
                    messages.len() <= 1 || caps.has("MULTIAPPEND"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "MULTIAPPEND",
                    }),
                )?;
                let binary = messages
                    .iter()
                    .any(|m| matches!(m, crate::imap::AppendItem::Message(m) if m.binary));
                need(
                    !binary || caps.listed("BINARY"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "BINARY",
                    }),
                )
            }
            C::Replace { message, .. } => {
                need(
                    caps.has(crate::imap::ext::replace::CAPABILITY),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "REPLACE",
                    }),
                )?;
                // RFC 8508 §4.2: a catenated message needs CATENATE too
                let (catenate, binary) = match message {
                    crate::imap::AppendItem::Message(m) => (false, m.binary),
                    _ => (true, false),
                };
                need(
                    !catenate || caps.has("CATENATE"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "CATENATE",
                    }),
                )?;
                // as for APPEND: literal8 needs BINARY listed
                need(
                    !binary || caps.listed("BINARY"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "BINARY",
                    }),
                )
            }
            C::Notify(_) => need(
                caps.has("NOTIFY"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "NOTIFY",
                }),
            ),
            C::ResetKey { .. } | C::GenUrlAuth(_) | C::UrlFetch(_) => need(
                caps.has("URLAUTH"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "URLAUTH",
                }),
            ),
            C::StartTls => need(
                caps.has("STARTTLS"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "STARTTLS",
                }),
            ),
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                need(
                    caps.auth(mechanism.as_str()),
                    Error::Misuse(crate::error::ApiMisuse::MechanismNotAdvertised),
                )?;
                need(
                    initial_response.is_none() || caps.has("SASL-IR"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "SASL-IR",
                    }),
                )
            }
            C::Select { params, .. } | C::Examine { params, .. } => {
                for p in params.iter() {
                    match p {
                        SelectParam::QResync(_) => need(
                            caps.has("QRESYNC"),
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "QRESYNC",
                            }),
                        )?,
                        SelectParam::CondStore => need(
                            condstore,
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "CONDSTORE",
                            }),
                        )?,
                        _ => {}
                    }
                }
                Ok(())
            }
            C::Fetch {
                changed_since,
                vanished,
                attributes,
                partial,
                ..
            } => {
                // RFC 9394 §3.3: the PARTIAL fetch modifier
                need(
                    partial.is_none() || caps.has("PARTIAL"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "PARTIAL",
                    }),
                )?;
                let (modseq_attr, binary_attr) = match attributes {
                    FetchAttributes::List(l) => (
                        l.iter().any(|a| matches!(a, FetchAttribute::ModSeq)),
                        l.iter().any(|a| {
                            matches!(
                                a,
                                FetchAttribute::Binary { .. } | FetchAttribute::BinarySize(_)
                            )
                        }),
                    ),
                    _ => (false, false),
                };
                let gmail_attr = match attributes {
                    FetchAttributes::List(l) => l.iter().any(|a| {
                        matches!(
                            a,
                            FetchAttribute::GmailLabels
                                | FetchAttribute::GmailMsgId
                                | FetchAttribute::GmailThrId
                        )
                    }),
                    _ => false,
                };
                need(
                    !gmail_attr || caps.has("X-GM-EXT-1"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "X-GM-EXT-1",
                    }),
                )?;
                // RFC 3516; IMAP4rev2 has these FETCH items (RFC 9051 fetch-att)
                need(
                    !binary_attr || caps.has("BINARY"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "BINARY",
                    }),
                )?;
                need(
                    (changed_since.is_none() && !modseq_attr) || condstore,
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "CONDSTORE",
                    }),
                )?;
                need(
                    !vanished || caps.has("QRESYNC"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "QRESYNC",
                    }),
                )
            }
            C::Xlist { .. } => need(
                caps.has("XLIST"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "XLIST" }),
            ),
            C::StoreGmailLabels { .. } => need(
                caps.has("X-GM-EXT-1"),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "X-GM-EXT-1",
                }),
            ),
            C::Store {
                unchanged_since, ..
            } => need(
                unchanged_since.is_none() || condstore,
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "CONDSTORE",
                }),
            ),
            C::Search {
                return_options,
                criteria,
                ..
            } => {
                if let Some(options) = return_options {
                    // RFC 5182: SAVE is SEARCHRES's, not ESEARCH's; RFC
                    // 5267: CONTEXT and UPDATE are CONTEXT=SEARCH's; the
                    // others (MIN, MAX, ALL, COUNT, RFC 4731) and `RETURN ()`
                    // need ESEARCH.
                    need(
                        !options.is_empty() || caps.has("ESEARCH"),
                        Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                            extension: "ESEARCH",
                        }),
                    )?;
                    partial_allowed(
                        options,
                        caps.has("PARTIAL"),
                        caps.prefixed("CONTEXT=", "SEARCH"),
                    )?;
                    let mut it = options.iter();
                    while let Some(o) = it.next() {
                        let o = o.as_str();
                        let ok = if o.eq_ignore_ascii_case("PARTIAL") {
                            // checked above; its range is the next atom
                            it.next();
                            true
                        } else if o.eq_ignore_ascii_case("SAVE") {
                            caps.has("SEARCHRES")
                        } else if o.eq_ignore_ascii_case("CONTEXT")
                            || o.eq_ignore_ascii_case("UPDATE")
                        {
                            caps.prefixed("CONTEXT=", "SEARCH")
                        } else {
                            caps.has("ESEARCH")
                        };
                        need(
                            ok,
                            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                                extension: "SEARCH RETURN option",
                            }),
                        )?;
                    }
                }
                let gmail = criteria.iter().any(|k| matches!(k, SearchKey::Gmail(_)));
                need(
                    !gmail || caps.has("X-GM-EXT-1"),
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "X-GM-EXT-1",
                    }),
                )?;
                let modseq = criteria
                    .iter()
                    .any(|k| matches!(k, SearchKey::ModSeq { .. }));
                need(
                    !modseq || condstore,
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                        extension: "CONDSTORE",
                    }),
                )
            }
            _ => Ok(()),
        }
    }

    /// Moves queued commands to the output as far as the protocol allows.
    fn flush(&mut self) {
        if self.state == ClientState::Greeting || self.tls_pending || self.compress_pending {
            return;
        }
        let mut busy_barrier = false;
        let mut unsafe_for_msn = false;
        for i in 0..self.cmds.len() {
            let c = &self.cmds[i];
            match c.sending {
                Sending::Partial | Sending::Body => return,
                Sending::Sent => {
                    busy_barrier |= c.kind.is_barrier();
                    unsafe_for_msn |= !c.expunge_safe;
                    continue;
                }
                Sending::Unsent => {}
            }
            if busy_barrier || (c.msn && unsafe_for_msn) {
                return;
            }
            let c = &mut self.cmds[i];
            let sync = c.sync.get(c.next_sync).copied();
            let end = sync.unwrap_or(c.bytes.len()).min(c.bytes.len());
            self.out.extend_from_slice(&c.bytes[..end]);
            c.sent = end;
            if sync.is_some() {
                c.next_sync += 1;
                c.sending = Sending::Partial;
                return;
            }
            c.bytes = Vec::new();
            c.sync = Vec::new();
            if c.body.is_some() {
                c.sending = Sending::Body;
                self.append_ready = true;
                return;
            }
            c.sending = Sending::Sent;
            busy_barrier |= c.kind.is_barrier();
            unsafe_for_msn |= !c.expunge_safe;
        }
    }

    /// Sends `LOGIN user password` (refused under `LOGINDISABLED`).
    /// `password` is anything that converts into a [`Secret`]: `"pw"`, a
    /// `String`, a `Secret` or `&Secret` (the same signature as the POP3
    /// client's `login`).
    pub fn login<'p>(
        &mut self,
        user: &str,
        password: impl Into<Secret<'p>>,
    ) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Login {
            username: IString::from(user),
            password: password.into(),
        })
    }

    /// Sends `SELECT mailbox`: a name (`"INBOX"`, `"Archiv/2026"`) or a
    /// [`Mailbox`] (see [`MailboxName`]).
    pub fn select<'m>(&mut self, mailbox: impl MailboxName<'m>) -> Result<Tag<'static>, Error> {
        let mailbox = self.mailbox(mailbox);
        self.send(CommandBody::Select {
            mailbox,
            params: List::empty(),
        })
    }

    /// Sends `EXAMINE mailbox` (a read-only SELECT).
    pub fn examine<'m>(&mut self, mailbox: impl MailboxName<'m>) -> Result<Tag<'static>, Error> {
        let mailbox = self.mailbox(mailbox);
        self.send(CommandBody::Examine {
            mailbox,
            params: List::empty(),
        })
    }

    /// Sends `CAPABILITY`.
    pub fn capability(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Capability)
    }

    /// Sends `NOOP`.
    pub fn noop(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Noop)
    }

    /// Sends `LOGOUT`.
    pub fn logout(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Logout)
    }

    /// Sends `UNAUTHENTICATE` (RFC 8437), which the server must have
    /// advertised: after its OK the session is back in
    /// [`ClientState::NotAuthenticated`], ready for another LOGIN or
    /// AUTHENTICATE on the same connection. The selected mailbox is closed
    /// without expunging, extensions turned on with ENABLE are off again, and
    /// the capabilities are forgotten (ask with
    /// [`capability`](Self::capability); they may differ before login).
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, ClientState};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// // the login first, then RFC 8437's command
    /// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 UNAUTHENTICATE] ready\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// let login = client.login("user1", "secret").unwrap();
    /// let _ = client.poll_transmit();
    /// client.handle_input(format!("{} OK [CAPABILITY IMAP4rev1 UNAUTHENTICATE] done\r\n", login.as_str()).as_bytes());
    /// while client.poll_event().unwrap().is_some() {}
    /// assert_eq!(client.state(), ClientState::Authenticated);
    ///
    /// let tag = client.unauthenticate().unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], format!("{} UNAUTHENTICATE\r\n", tag.as_str()).as_bytes());
    /// client.handle_input(format!("{} OK done\r\n", tag.as_str()).as_bytes());
    /// while client.poll_event().unwrap().is_some() {}
    /// assert_eq!(client.state(), ClientState::NotAuthenticated);
    /// ```
    pub fn unauthenticate(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Unauthenticate)
    }

    /// Sends `CANCELUPDATE` (RFC 5267 §4.3.5) for the given tags of
    /// `SEARCH`/`SORT ... RETURN (UPDATE)` commands: the server stops sending
    /// their `ADDTO`/`REMOVEFROM` updates. Needs CONTEXT=SEARCH or
    /// CONTEXT=SORT and a selected mailbox.
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ESEARCH CONTEXT=SEARCH] hi\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// // not selected yet: CANCELUPDATE is a selected-state command
    /// assert!(client.cancel_update(&["B01"]).is_err());
    /// ```
    pub fn cancel_update(&mut self, tags: &[&str]) -> Result<Tag<'static>, Error> {
        let tags = tags
            .iter()
            .map(|t| IString::new(alloc::vec::Vec::from(t.as_bytes())))
            .collect();
        self.send(CommandBody::CancelUpdate(List::from_items(tags)))
    }

    /// Sends `STARTTLS`; [`ClientEvent::StartTls`] follows its OK.
    pub fn starttls(&mut self) -> Result<Tag<'static>, Error> {
        if self.tls_active {
            return Err(Error::Misuse(crate::error::ApiMisuse::TlsActive));
        }
        self.send(CommandBody::StartTls)
    }

    /// Sends `COMPRESS DEFLATE` (RFC 4978); [`ClientEvent::Compress`] follows
    /// its OK.
    pub fn compress(&mut self) -> Result<Tag<'static>, Error> {
        if self.compressed {
            return Err(Error::Misuse(crate::error::ApiMisuse::CompressionActive));
        }
        self.send(CommandBody::Compress(Atom::new("DEFLATE").expect("atom")))
    }

    /// Sends `ENABLE` with the given capabilities (`CONDSTORE`, `QRESYNC`,
    /// `UTF8=ACCEPT`, `IMAP4rev2`). What the server enabled arrives as
    /// `* ENABLED` and is remembered ([`enabled`](Self::enabled)).
    ///
    /// The example of RFC 5161 §4 (the server enables one of the two):
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// // S: * CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA] hi\r\n");
    /// client.poll_event().unwrap();
    /// // C: t2 ENABLE CONDSTORE X-GOOD-IDEA
    /// client.enable(&["CONDSTORE", "X-GOOD-IDEA"]).unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 ENABLE CONDSTORE X-GOOD-IDEA\r\n");
    /// // S: * ENABLED X-GOOD-IDEA   S: t2 OK foo
    /// client.handle_input(b"* ENABLED X-GOOD-IDEA\r\nA0001 OK foo\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// assert!(client.enabled().has("X-GOOD-IDEA"));
    /// assert!(!client.enabled().has("CONDSTORE"));
    /// ```
    pub fn enable(&mut self, capabilities: &[&str]) -> Result<Tag<'static>, Error> {
        let mut atoms = Vec::with_capacity(capabilities.len());
        for c in capabilities {
            atoms.push(
                Atom::new(*c).ok_or(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "capability",
                }))?,
            );
        }
        self.send(CommandBody::Enable(List::from_items(atoms)))
    }

    /// Starts an APPEND of one message of `size` bytes that the application
    /// pushes in chunks, so a large message never sits in memory whole
    /// (RFC 9051 §6.3.12). The command line goes out when the protocol
    /// allows; [`ClientEvent::AppendReady`] follows the server's `+` (at once
    /// under LITERAL+, or LITERAL- up to 4096 bytes). Then call
    /// [`send_body`](Self::send_body) until `size` bytes were pushed and
    /// [`finish_body`](Self::finish_body). A tagged `NO` instead of `+`
    /// completes the command and no data is sent. `binary` sends literal8
    /// (RFC 3516 BINARY, may contain NUL). Later commands wait behind it.
    ///
    /// The APPEND example of RFC 3501 §6.3.11, the message pushed line by
    /// line:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, Flag, IString, List, Mailbox};
    ///
    /// let message = [
    ///     "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n",
    ///     "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n",
    ///     "Subject: afternoon meeting\r\n",
    ///     "To: mooch@owatagu.siam.edu\r\n",
    ///     "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n",
    ///     "MIME-Version: 1.0\r\n",
    ///     "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n",
    ///     "\r\n",
    ///     "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n",
    /// ];
    /// let size = message.iter().map(|l| l.len() as u64).sum();
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH ready\r\n");
    /// client.poll_event().unwrap();
    /// let mailbox = Mailbox::from_wire(IString::from("saved-messages"));
    /// let flags = List::from_items(vec![Flag::Seen]);
    /// client.append_begin(mailbox, Some(flags), None, size, false).unwrap();
    /// // C: A003 APPEND saved-messages (\Seen) {310}
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 APPEND saved-messages (\\Seen) {310}\r\n");
    /// // S: + Ready for literal data
    /// client.handle_input(b"+ Ready for literal data\r\n");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::AppendReady { .. })));
    /// for line in message {
    ///     client.send_body(line.as_bytes()).unwrap();
    /// }
    /// client.finish_body().unwrap();
    /// let mut wire = Vec::new();
    /// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
    /// assert_eq!(wire, format!("{}\r\n", message.concat()).as_bytes());
    /// // S: A003 OK APPEND completed
    /// client.handle_input(b"A0001 OK APPEND completed\r\n");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Completed { .. })));
    /// ```
    pub fn append_begin<'a>(
        &mut self,
        mailbox: Mailbox<'a>,
        flags: Option<List<'a, crate::imap::Flag<'a>>>,
        date: Option<crate::imap::DateTime>,
        size: u64,
        binary: bool,
    ) -> Result<Tag<'static>, Error> {
        // IMAP4rev2 has no literal8 in APPEND (RFC 9051 §4.3.1): BINARY listed.
        Unadvertised::trusting(self.config.trust_unadvertised).require(
            !binary || self.caps.listed("BINARY"),
            Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                extension: "BINARY",
            }),
        )?;
        let body = CommandBody::Append {
            mailbox,
            messages: List::from_items(alloc::vec![crate::imap::AppendMessage {
                flags,
                date,
                data: Cow::Borrowed(&[]),
                binary,
            }]),
        };
        let trust = self.config.trust_unadvertised;
        self.enqueue(body, trust, None, Some((size, binary)))
            .map(owned_tag)
    }

    /// Starts a `REPLACE` (or, with `uid`, `UID REPLACE`) of message `id`
    /// of the selected mailbox by a message of `size` bytes that goes to
    /// `mailbox` (RFC 8508), pushed in chunks as for
    /// [`append_begin`](Self::append_begin): [`ClientEvent::AppendReady`]
    /// follows the server's `+` (at once under LITERAL+, or LITERAL- up to
    /// 4096 bytes), then [`send_body`](Self::send_body) and
    /// [`finish_body`](Self::finish_body). The server must have advertised
    /// `REPLACE`, and a mailbox must be selected (RFC 8508 §3.5).
    ///
    /// Its answer arrives typed: the untagged `OK [APPENDUID ...]` of
    /// UIDPLUS as [`ClientEvent::Status`] with [`Code::AppendUid`], `EXISTS`
    /// and the old message's `EXPUNGE` (`VANISHED` under QRESYNC) as
    /// [`ClientEvent::Data`], then [`ClientEvent::Completed`] with
    /// [`CommandKind::Replace`]. The example of RFC 8508 §3.3:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, Code, CommandKind, Data, Flag, IString, List, Mailbox, SeqNum};
    ///
    /// let message = [
    ///     "Date: Thu, 1 Jan 2015 00:06:00 -0500 (EST)\r\n",
    ///     "From: Fritz Schmidt <fritz.ze@example.org>\r\n",
    ///     "Subject: happy new year !!\r\n",
    ///     "To: miss.mitzy@example.org\r\n",
    ///     "Message-Id: <B238822389-0100000@example.org>\r\n",
    ///     "MIME-Version: 1.0\r\n",
    ///     "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n",
    ///     "\r\n",
    ///     "Just saw the best fireworks show. Wish you were here.\r\n",
    ///     "Hopefully next year you can join us.\r\n",
    ///     "\r\n",
    /// ];
    /// let size = message.iter().map(|l| l.len() as u64).sum();
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS REPLACE] ready\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// let select = client.select("Drafts").unwrap();
    /// client.handle_input(format!("{} OK [READ-WRITE] done\r\n", select.as_str()).as_bytes());
    /// while client.poll_event().unwrap().is_some() {}
    /// while client.poll_transmit().is_some() {}
    ///
    /// let mailbox = Mailbox::from_wire(IString::from("Drafts"));
    /// let flags = List::from_items(vec![Flag::Seen, Flag::Draft]);
    /// client.replace_begin(true, SeqNum::Value(2000), mailbox, Some(flags), None, size, false).unwrap();
    /// // C: A004 UID REPLACE 2000 Drafts (\Seen \Draft) {350}
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0002 UID REPLACE 2000 Drafts (\\Seen \\Draft) {350}\r\n");
    /// // S: + Ready for literal data
    /// client.handle_input(b"+ Ready for literal data\r\n");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::AppendReady { .. })));
    /// for line in message {
    ///     client.send_body(line.as_bytes()).unwrap();
    /// }
    /// client.finish_body().unwrap();
    /// while client.poll_transmit().is_some() {}
    /// client.handle_input(
    ///     b"* OK [APPENDUID 1 2001] Replacement Message ready\r\n\
    ///       * 5 EXISTS\r\n\
    ///       * 4 EXPUNGE\r\n\
    ///       A0002 OK Replace completed\r\n",
    /// );
    /// let Some(ClientEvent::Status { status, .. }) = client.poll_event().unwrap() else { panic!() };
    /// assert!(matches!(status.code, Some(Code::AppendUid { uid_validity: 1, .. })));
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Data { data: Data::Exists(5), .. })));
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Data { data: Data::Expunge(4), .. })));
    /// let Some(ClientEvent::Completed { command, .. }) = client.poll_event().unwrap() else { panic!() };
    /// assert_eq!(command, CommandKind::Replace);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn replace_begin<'a>(
        &mut self,
        uid: bool,
        id: crate::imap::SeqNum,
        mailbox: Mailbox<'a>,
        flags: Option<List<'a, crate::imap::Flag<'a>>>,
        date: Option<crate::imap::DateTime>,
        size: u64,
        binary: bool,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Replace {
            uid,
            id,
            mailbox,
            message: crate::imap::AppendItem::Message(crate::imap::AppendMessage {
                flags,
                date,
                data: Cow::Borrowed(&[]),
                binary,
            }),
        };
        let trust = self.config.trust_unadvertised;
        self.enqueue(body, trust, None, Some((size, binary)))
            .map(owned_tag)
    }

    /// The next bytes of the message of a streamed APPEND (or REPLACE),
    /// after [`ClientEvent::AppendReady`].
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        let Some(c) = self.cmds.iter_mut().find(|c| c.sending == Sending::Body) else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoBodyInProgress));
        };
        let Some((size, pushed, binary)) = &mut c.body else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoBodyInProgress));
        };
        let total = pushed.saturating_add(chunk.len() as u64);
        if total > *size {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::BodyLongerThanAnnounced,
            ));
        }
        if !*binary && chunk.contains(&0) {
            return Err(Error::Emit(crate::error::Unemittable::NulNeedsBinary));
        }
        *pushed = total;
        self.out.extend_from_slice(chunk);
        Ok(())
    }

    /// Ends the message of a streamed APPEND (all `size` bytes pushed); its
    /// [`ClientEvent::Completed`] follows.
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.check_usable()?;
        let Some(c) = self.cmds.iter_mut().find(|c| c.sending == Sending::Body) else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoBodyInProgress));
        };
        if c.body.is_some_and(|(size, pushed, _)| size != pushed) {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::BodyShorterThanAnnounced,
            ));
        }
        c.sending = Sending::Sent;
        self.out.extend_from_slice(b"\r\n");
        self.flush();
        Ok(())
    }

    /// Sends `IDLE`; [`ClientEvent::IdleAccepted`] follows the server's `+`.
    /// Commands sent while idling wait until the IDLE completes (after
    /// [`done`](Self::done)).
    pub fn idle(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Idle)
    }

    /// Ends the IDLE (`DONE`); its [`ClientEvent::Completed`] follows. Called
    /// before the server's `+`, DONE is sent as soon as it arrives.
    pub fn done(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err((**e).clone());
        }
        let Some(c) = self
            .cmds
            .iter_mut()
            .find(|c| c.kind == CommandKind::Idle && (c.idle.refreshing || !c.idle.done_sent))
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoIdle));
        };
        if c.idle.refreshing {
            // DONE already on its way: do not re-issue.
            c.idle.refreshing = false;
            c.idle.reissue = false;
            return Ok(());
        }
        if c.idle.accepted {
            c.idle.done_sent = true;
            self.out.extend_from_slice(b"DONE\r\n");
        } else {
            c.idle.done_requested = true;
        }
        self.idle_timer.stop();
        Ok(())
    }

    /// Authenticates with SASL (RFC 9051 §6.2.2) and answers the server's
    /// challenges by itself, with every mechanism of [`Credentials`]:
    /// `PLAIN`, `LOGIN`, `XOAUTH2`, `OAUTHBEARER`, `EXTERNAL`, `ANONYMOUS`,
    /// and with the `sasl-hash` feature `CRAM-MD5`, `SCRAM-SHA-1` and
    /// `SCRAM-SHA-256` (and their `-PLUS` variants; the server's signature
    /// is checked). The machine keeps a copy of the credentials until the
    /// exchange ends. The initial response goes on the command line when the
    /// server advertised `SASL-IR` (RFC 4959), otherwise in answer to the
    /// first, empty challenge. The outcome comes as
    /// [`ClientEvent::Completed`]; a challenge the mechanism cannot answer (a
    /// wrong SCRAM server signature among them) is answered `*` (cancel) and
    /// the server's `BAD` follows; an `OK` after a SCRAM server did not prove
    /// itself is [`Error::Sasl`].
    ///
    /// The SASL-IR example of RFC 4959 §3 (`test` authorizing as `test`,
    /// password `test`), then the same without SASL-IR, where the response
    /// waits for the server's empty challenge (RFC 9051 §6.2.2):
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, ClientState};
    /// use mailwire::wire::sasl::Credentials;
    ///
    /// let plain = Credentials::Plain { authzid: Some("test"), username: "test", password: "test".into() };
    /// let mut client = Client::new(ClientConfig::default());
    /// // S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ...
    /// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    /// client.poll_event().unwrap();
    /// client.authenticate(plain.clone()).unwrap();
    /// // C: A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    /// // S: A01 OK Success
    /// client.handle_input(b"A0001 OK Success\r\n");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Completed { .. })));
    /// assert_eq!(client.state(), ClientState::Authenticated);
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    /// client.poll_event().unwrap();
    /// client.authenticate(plain).unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 AUTHENTICATE PLAIN\r\n");
    /// client.handle_input(b"+ \r\n");
    /// assert!(client.poll_event().unwrap().is_none()); // answered by the machine
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"dGVzdAB0ZXN0AHRlc3Q=\r\n");
    /// ```
    pub fn authenticate(&mut self, credentials: Credentials<'_>) -> Result<Tag<'static>, Error> {
        let trust = self.config.trust_unadvertised;
        let caps = &self.caps;
        let mut sasl = ClientSasl::automatic(credentials, |m| caps.auth(m))?;
        let mechanism = sasl.mechanism();
        Unadvertised::trusting(trust).require(
            self.caps.auth(mechanism.name()),
            Error::Misuse(crate::error::ApiMisuse::MechanismNotAdvertised),
        )?;
        let policy = if self.caps.has("SASL-IR") {
            InitialResponse::Always
        } else {
            InitialResponse::Never
        };
        let ir = sasl
            .initial_response(policy)
            .map(|b| Secret::new(b.into_bytes()));
        let body = CommandBody::Authenticate {
            mechanism: Atom::new(mechanism.name()).expect("mechanism names are atoms"),
            initial_response: ir,
        };
        let t = self.enqueue(body, true, Some(Box::new(sasl)), None)?;
        Ok(owned_tag(t))
    }

    fn auth_waiting(&mut self) -> Option<&mut ClientSasl> {
        self.cmds
            .iter_mut()
            .filter(|c| c.kind == CommandKind::Authenticate && c.sending == Sending::Sent)
            .filter_map(|c| c.sasl.as_deref_mut())
            .find(|s| s.awaits_answer())
    }

    /// Answers a [`ClientEvent::AuthChallenge`] with `data` (base64-encoded by
    /// the machine).
    pub fn auth_response(&mut self, data: &[u8]) -> Result<(), Error> {
        self.auth_answer(|s, out| s.respond(data, out))
    }

    /// Cancels the AUTHENTICATE exchange (`*`); the server answers `BAD`.
    pub fn auth_cancel(&mut self) -> Result<(), Error> {
        self.auth_answer(|s, out| s.cancel(out))
    }

    /// The application's answer to the open challenge, written by `answer`.
    fn auth_answer(
        &mut self,
        answer: impl FnOnce(&mut ClientSasl, &mut BytesMut) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.check_usable()?;
        let mut out = core::mem::take(&mut self.out);
        let r = match self.auth_waiting() {
            Some(s) => answer(s, &mut out),
            None => Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge)),
        };
        self.out = out;
        r?;
        self.challenge.clear();
        Ok(())
    }

    /// The TLS handshake that followed [`ClientEvent::StartTls`] succeeded.
    /// Capabilities were forgotten (RFC 9051 §6.2.1); the machine sends
    /// CAPABILITY ahead of any queued command, and its answer arrives as
    /// events (`* CAPABILITY` data, then a [`ClientEvent::Completed`] for
    /// [`CommandKind::Capability`] with a tag the application did not see).
    pub fn tls_established(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err((**e).clone());
        }
        if !self.tls_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.tls_pending = false;
        self.tls_active = true;
        let tag = OwnTag::number(self.next_tag);
        self.next_tag = self.next_tag.wrapping_add(1).max(1);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(tag.as_str().as_bytes());
        bytes.extend_from_slice(b" CAPABILITY\r\n");
        let at = self
            .cmds
            .iter()
            .position(|c| c.sending == Sending::Unsent)
            .unwrap_or(self.cmds.len());
        self.cmds.insert(
            at,
            Cmd {
                tag,
                kind: CommandKind::Capability,
                msn: false,
                expunge_safe: false,
                sending: Sending::Unsent,
                bytes,
                sync: Vec::new(),
                next_sync: 0,
                sent: 0,
                idle: IdleState::default(),
                sasl: None,
                body: None,
                asks_uidonly: false,
            },
        );
        self.flush();
        Ok(())
    }

    /// DEFLATE is in place after [`ClientEvent::Compress`]. Returns the bytes
    /// that arrived after the COMPRESS OK: they are compressed; inflate them
    /// and feed the result to [`handle_input`](Self::handle_input).
    ///
    /// RFC 4978 §5: `C: a COMPRESS DEFLATE` / `S: a OK DEFLATE active`:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
    /// client.poll_event().unwrap();
    /// client.compress().unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 COMPRESS DEFLATE\r\n");
    /// // the OK, then the first compressed bytes in the same read
    /// client.handle_input(b"A0001 OK DEFLATE active\r\n\x02\x03");
    /// assert!(matches!(client.poll_event().unwrap(), Some(ClientEvent::Completed { .. })));
    /// assert_eq!(client.poll_event().unwrap(), Some(ClientEvent::Compress));
    /// assert!(client.noop().is_err()); // nothing is sent until DEFLATE is in place
    /// let early = client.compression_established().unwrap();
    /// assert_eq!(early, b"\x02\x03"); // inflate these and feed them back
    /// assert!(client.is_compressed());
    /// ```
    pub fn compression_established(&mut self) -> Result<Vec<u8>, Error> {
        if let Some(e) = &self.error {
            return Err((**e).clone());
        }
        if !self.compress_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoCompressionPending));
        }
        self.compress_pending = false;
        self.compressed = true;
        let rest = self.input.take_unread();
        self.framer.reset();
        self.flush();
        Ok(rest)
    }

    fn fail(&mut self, e: Error) -> Error {
        self.error = Some(Box::new(e.clone()));
        e
    }

    /// Parses buffered input and returns the next event, or `Ok(None)` when
    /// more input is needed. Errors are fatal and sticky.
    pub fn poll_event(&mut self) -> Result<Option<ClientEvent<'_>>, Error> {
        self.poll(None::<&mut ()>)
    }

    /// [`poll_event`](Self::poll_event), and the contents of an untagged
    /// FETCH response go to `visitor` as well, one address, body part and
    /// parameter at a time ([`FetchVisitor`]): a sync tool that reads every
    /// envelope and body structure gets them without the second reading that
    /// iterating the lazy lists of [`ClientEvent::Data`] costs.
    ///
    /// The frame is read once, so the codec's rule applies
    /// ([`parse_response_with`]): when this
    /// call returns [`ClientEvent::MalformedResponse`], the visitor has
    /// already seen the events of the bytes before the error; discard what it
    /// collected during this call.
    ///
    /// The Cc of RFC 3501 §8's ENVELOPE, handed over address by address:
    ///
    /// ```
    /// use mailwire::imap::{Address, AddressField, Client, ClientConfig, ClientEvent, FetchQuery, FetchVisitor};
    ///
    /// #[derive(Default)]
    /// struct Cc(Vec<String>);
    /// impl<'a> FetchVisitor<'a> for Cc {
    ///     fn address(&mut self, field: AddressField, address: Address<'a>) {
    ///         if field == AddressField::Cc {
    ///             self.0.extend(address.email());
    ///         }
    ///     }
    /// }
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH hi\r\n");
    /// client.poll_event().unwrap();
    /// client.select("INBOX").unwrap();
    /// client.handle_input(b"A0001 OK [READ-WRITE] SELECT completed\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.uid_fetch(4827, &FetchQuery::new().envelope()).unwrap();
    /// client.handle_input(
    ///     b"* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
    ///       \"IMAP4rev1 WG mtg summary and minutes\" \
    ///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
    ///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
    ///       ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
    ///       ((NIL NIL \"imap\" \"cac.washington.edu\")) \
    ///       ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
    ///       (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
    ///       \"<B27397-0100000@cac.washington.edu>\"))\r\n",
    /// );
    /// let mut cc = Cc::default();
    /// let event = client.poll_event_with(&mut cc).unwrap();
    /// assert!(matches!(event, Some(ClientEvent::Data { .. })));
    /// assert_eq!(cc.0, ["minutes@CNRI.Reston.VA.US", "KLENSIN@MIT.EDU"]);
    /// ```
    pub fn poll_event_with<'s, V: FetchVisitor<'s>>(
        &'s mut self,
        visitor: &mut V,
    ) -> Result<Option<ClientEvent<'s>>, Error> {
        self.poll(Some(visitor))
    }

    fn poll<'s, V: FetchVisitor<'s>>(
        &'s mut self,
        visitor: Option<&mut V>,
    ) -> Result<Option<ClientEvent<'s>>, Error> {
        if let Some(e) = &self.error {
            return Err((**e).clone());
        }
        let step = match self.step() {
            Ok(Some(s)) => s,
            Ok(None) => {
                self.release_idle();
                return Ok(None);
            }
            Err(e) => return Err(self.fail(e)),
        };
        Ok(Some(self.materialize(step, visitor)))
    }
}

/// Buffers larger than this are freed when they empty.
const SHRINK_OVER: usize = 16 * 1024;

/// Bytes kept of a response over [`Limits::response_line`], for its event.
const OVERSIZED_HEAD: usize = 256;

/// How a completed command affects the events.
#[derive(Clone, Copy, Debug)]
enum Finish {
    Report,
    Silent,
    StartTls,
    Compress,
}

impl Client {
    fn frame(&self, src: &Src) -> &[u8] {
        match src {
            Src::Buf(r) => self.input.get(r.clone()),
            Src::Acc => &self.acc,
        }
    }

    /// Gives back the buffers of a connection with nothing buffered and
    /// nothing in flight, so an idle connection costs little memory.
    fn release_idle(&mut self) {
        if !self.input.is_drained() || self.stream != Stream::None || self.follow.is_some() {
            return;
        }
        self.input.release();
        self.acc = Vec::new();
        self.synth = Vec::new();
        if self.cmds.iter().all(|c| c.kind == CommandKind::Idle) {
            self.challenge = Vec::new();
            if self.cmds.is_empty() {
                self.cmds = VecDeque::new();
            } else {
                self.cmds.shrink_to_fit();
            }
        }
        self.out.release();
    }

    fn compact(&mut self) {
        // An idle connection keeps no high-water-mark buffers.
        if self.input.is_drained()
            && self.stream == Stream::None
            && self.acc.capacity() > SHRINK_OVER
        {
            self.acc = Vec::new();
        }
        self.input.compact();
    }

    fn need_more(&mut self) -> Result<Option<Step>, Error> {
        self.input.check(self.config.limits.input_buffer)?;
        let buffered = self.input.buffered();
        if self.input.is_eof() {
            if buffered > 0 || self.stream != Stream::None || self.skip.is_some() {
                return Err(Error::Protocol(
                    crate::error::PeerMisbehaved::ClosedMidResponse,
                ));
            }
            // After BYE the server may close with commands unanswered.
            if !self.cmds.is_empty() && self.state != ClientState::Logout {
                return Err(Error::Closed);
            }
        }
        Ok(None)
    }

    fn step(&mut self) -> Result<Option<Step>, Error> {
        if let Some(s) = self.follow.take() {
            if let Step::CompletedRaw { then, .. } = &s {
                self.follow = match then {
                    Finish::StartTls => Some(Step::StartTls),
                    Finish::Compress => Some(Step::Compress),
                    Finish::Report | Finish::Silent => None,
                };
            }
            return Ok(Some(s));
        }
        if self.wait.take_timed_out() {
            return Ok(Some(Step::TimedOut));
        }
        if self.append_ready {
            self.append_ready = false;
            return Ok(Some(Step::AppendReady));
        }
        loop {
            if self.tls_pending || self.compress_pending {
                return Ok(None);
            }
            self.compact();
            if let Some(skip) = &mut self.skip {
                let (n, done) = skip.skip(self.input.unread())?;
                self.input.consume(n);
                if !done {
                    return self.need_more();
                }
                self.skip = None;
                continue;
            }
            if let Stream::Literal { remaining, discard } = self.stream {
                let avail = self.input.buffered();
                if avail == 0 {
                    return self.need_more();
                }
                let n = usize::try_from(remaining).map_or(avail, |r| r.min(avail));
                let range = self.input.pos()..self.input.pos() + n;
                self.input.consume(n);
                let left = remaining - n as u64;
                if left == 0 {
                    self.framer.resume()?;
                    self.acc.extend_from_slice(b"NIL");
                    self.stream = Stream::Rest;
                    if !discard {
                        self.follow = Some(Step::BodyEnd);
                    }
                } else {
                    self.stream = Stream::Literal {
                        remaining: left,
                        discard,
                    };
                }
                if discard {
                    continue;
                }
                return Ok(Some(Step::Chunk(range)));
            }
            let frame = match self.framer.find(self.input.unread()) {
                // A response too long to keep costs that response only.
                Err(Error::Limit(l)) if l.kind == LimitKind::ResponseLine => {
                    return self.on_oversized();
                }
                r => r?,
            };
            match frame {
                Frame::Incomplete(_) => return self.need_more(),
                Frame::Literal { head, literal } => {
                    if self.stream == Stream::None {
                        self.acc.clear();
                        self.bad_frame = None;
                    }
                    self.acc.extend_from_slice(&self.input.unread()[..head]);
                    self.input.consume(head);
                    strip_announcement(&mut self.acc);
                    let mut discard = self.bad_frame.is_some();
                    if !discard {
                        match self.classify_stream() {
                            Some((seq, uid)) => {
                                self.stream_seq = seq;
                                self.stream_uid = uid;
                            }
                            None => {
                                discard = true;
                                self.bad_frame = Some(Box::new(ParseError::new(
                                    &self.acc,
                                    self.acc.len(),
                                    "a literal within Limits::inline_literal",
                                )));
                            }
                        }
                    }
                    self.stream = Stream::Literal {
                        remaining: literal.size,
                        discard,
                    };
                    if !discard {
                        return Ok(Some(Step::BodyStart { size: literal.size }));
                    }
                }
                Frame::Complete(n) => {
                    let src = if self.stream == Stream::Rest {
                        self.acc.extend_from_slice(&self.input.unread()[..n]);
                        self.input.consume(n);
                        self.stream = Stream::None;
                        self.synth = Vec::new();
                        if let Some(error) = self.bad_frame.take() {
                            let (tag, word) = peek_tag(&self.acc);
                            return self.on_malformed(Src::Acc, *error, tag, word);
                        }
                        Src::Acc
                    } else {
                        let r = self.input.pos()..self.input.pos() + n;
                        self.input.consume(n);
                        Src::Buf(r)
                    };
                    if let Some(s) = self.on_frame(src)? {
                        return Ok(Some(s));
                    }
                }
            }
        }
    }

    /// `acc` ends just before a large literal: is it a FETCH (or, once
    /// UIDONLY is enabled, UIDFETCH) body item we can stream? Leaves `synth`
    /// holding the response as far as that item. The number, and whether it
    /// is a UID.
    fn classify_stream(&mut self) -> Option<(u32, bool)> {
        self.synth.clear();
        self.synth.extend_from_slice(&self.acc);
        self.synth.extend_from_slice(b"NIL)\r\n");
        let (n, uid, items) = match parse_response(&self.synth, &self.opts) {
            Ok(Response::Data(Data::Fetch { seq, items })) => (seq, false, items),
            // RFC 9586 §3.3: UIDFETCH only after `* ENABLED UIDONLY`
            Ok(Response::Data(Data::UidFetch { uid, items })) if self.uid_only() => {
                (uid, true, items)
            }
            _ => return None,
        };
        let last = items.iter().last()?;
        streamable(&last).then_some((n, uid))
    }

    /// Keeps [`Client::exists`] up to date with an untagged frame: only
    /// `EXISTS`, `EXPUNGE` and `VANISHED` are parsed here (the others are not
    /// looked at); one that does not parse changes nothing.
    fn count_messages(&mut self, src: &Src) {
        let frame = self.frame(src);
        let rest = frame.get(2..).unwrap_or_default();
        let word = match rest.iter().position(|b| !b.is_ascii_digit()) {
            Some(0) => rest,
            Some(d) => rest.get(d + 1..).unwrap_or_default(),
            None => return,
        };
        let starts = |w: &[u8]| {
            word.get(..w.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(w))
        };
        if !(starts(b"EXISTS") || starts(b"EXPUNGE") || starts(b"VANISHED")) {
            return;
        }
        let exists = match parse_response(frame, &self.opts) {
            Ok(Response::Data(Data::Exists(n))) => Some(n),
            Ok(Response::Data(Data::Expunge(_))) => self.exists.map(|n| n.saturating_sub(1)),
            Ok(Response::Data(Data::Vanished {
                earlier: false,
                uids,
            })) => self.exists.map(|n| {
                // counted range by range, never expanded: a hostile
                // `1:4294967295` costs nothing
                let gone = uids.iter().fold(0u64, |sum, r| {
                    let (lo, hi) = r.resolve(u32::MAX);
                    sum.saturating_add(u64::from(hi - lo) + 1)
                });
                u32::try_from(u64::from(n).saturating_sub(gone)).unwrap_or(0)
            }),
            _ => return,
        };
        self.exists = exists;
    }

    /// Whether the server enabled UIDONLY (RFC 9586).
    fn uid_only(&self) -> bool {
        self.enabled.has(crate::imap::ext::uidonly::CAPABILITY)
    }

    fn find_cmd(&self, tag: OwnTag) -> Option<usize> {
        self.cmds
            .iter()
            .position(|c| c.sending != Sending::Unsent && c.tag == tag)
    }

    fn on_frame(&mut self, src: Src) -> Result<Option<Step>, Error> {
        if self.state != ClientState::Greeting && stateless_untagged(self.frame(&src)) {
            self.count_messages(&src);
            // Valid or not, it changes nothing here: it is parsed once, when
            // its event is built (a frame that does not parse comes out as
            // the same `MalformedResponse` as from `on_malformed`).
            return Ok(Some(Step::Untagged {
                src,
                validated: false,
            }));
        }
        let analysis = analyze(
            self.frame(&src),
            &self.opts,
            self.state == ClientState::Greeting,
        );
        match analysis {
            Analysis::Greeting { kind, caps } => {
                self.state = match kind {
                    StatusKind::PreAuth => ClientState::Authenticated,
                    StatusKind::Bye => ClientState::Logout,
                    _ => ClientState::NotAuthenticated,
                };
                if let Some(c) = caps {
                    self.caps = c;
                }
                self.flush();
                Ok(Some(Step::Greeting(src)))
            }
            Analysis::Untagged { bye, caps, enabled } => {
                if let Some(c) = caps {
                    self.caps = c;
                }
                if let Some(e) = enabled {
                    // RFC 5161 §3.1: ENABLED lists what an ENABLE turned on;
                    // UIDONLY, which changes every later command, counts only
                    // while an ENABLE that asked for it is on the wire
                    let asked = self
                        .cmds
                        .iter()
                        .any(|c| c.asks_uidonly && c.sending != Sending::Unsent);
                    for name in e.iter() {
                        if !asked
                            && name.eq_ignore_ascii_case(crate::imap::ext::uidonly::CAPABILITY)
                        {
                            continue;
                        }
                        self.enabled.push(name);
                    }
                    // RFC 6855 §3: names are UTF-8 from now on
                    self.opts.utf8 = self.enabled.has("UTF8=ACCEPT");
                }
                if bye {
                    self.state = ClientState::Logout;
                }
                Ok(Some(Step::Untagged {
                    src,
                    validated: true,
                }))
            }
            Analysis::Tagged {
                tag,
                kind,
                caps,
                read_only,
            } => {
                let Some(idx) = tag.and_then(|t| self.find_cmd(t)) else {
                    let error =
                        ParseError::new(self.frame(&src), 0, "the tag of a pending command");
                    return Ok(Some(Step::Malformed {
                        src,
                        error,
                        completed: false,
                    }));
                };
                if let Some(c) = caps {
                    self.caps = c;
                }
                self.sasl_outcome(idx, kind == StatusKind::Ok)?;
                Ok(match self.finish_cmd(idx, Some(kind), read_only) {
                    Finish::Silent => None,
                    Finish::Report => Some(Step::Completed(src)),
                    Finish::StartTls => {
                        self.follow = Some(Step::StartTls);
                        Some(Step::Completed(src))
                    }
                    Finish::Compress => {
                        self.follow = Some(Step::Compress);
                        Some(Step::Completed(src))
                    }
                })
            }
            Analysis::Continue { payload } => self.on_continue(src, payload),
            Analysis::Malformed { error, tag, word } => self.on_malformed(src, error, tag, word),
        }
    }

    fn on_malformed(
        &mut self,
        src: Src,
        error: ParseError,
        tag: Option<OwnTag>,
        word: Option<(StatusKind, usize)>,
    ) -> Result<Option<Step>, Error> {
        let completed = self.settle_bad_frame(&src, tag, word);
        Ok(Some(Step::Malformed {
            src,
            error,
            completed,
        }))
    }

    /// What a frame that did not parse (or was too long) means for the
    /// commands: returns whether its command is now complete as a failure
    /// (its tag, and no status, could be read).
    fn settle_bad_frame(
        &mut self,
        src: &Src,
        tag: Option<OwnTag>,
        word: Option<(StatusKind, usize)>,
    ) -> bool {
        if self.state == ClientState::Greeting {
            self.state = ClientState::NotAuthenticated;
            self.flush();
            return false;
        }
        let Some(idx) = tag.and_then(|t| self.find_cmd(t)) else {
            return false;
        };
        if let Some((status, text_at)) = word {
            // `response-tagged = tag SP resp-cond-state CRLF` (RFC 9051 §9):
            // the tag and the status decide the outcome, whatever the code or
            // text after them. The command completes with that status; the
            // rest comes as its raw text.
            if let Err(e) = self.sasl_outcome(idx, status == StatusKind::Ok) {
                self.fail(e);
            }
            let then = self.finish_cmd(idx, Some(status), false);
            if !matches!(then, Finish::Silent) {
                self.follow = Some(Step::CompletedRaw {
                    src: src.clone(),
                    status,
                    text_at,
                    then,
                });
            }
            return false;
        }
        // No status after our tag: the command is over, as a failure.
        if let Finish::StartTls | Finish::Compress = self.finish_cmd(idx, None, false) {
            // Not trusted on a response that does not parse.
            self.tls_pending = false;
            self.compress_pending = false;
            self.flush();
        }
        true
    }

    /// The response being framed is longer than [`Limits::response_line`]:
    /// keep its first bytes in `acc` (for the event, and its tag and status),
    /// settle its command, and skip the rest as it arrives.
    fn on_oversized(&mut self) -> Result<Option<Step>, Error> {
        if self.stream != Stream::Rest {
            self.acc.clear();
        }
        let room = OVERSIZED_HEAD.saturating_sub(self.acc.len());
        let avail = self.input.unread();
        self.acc.extend_from_slice(&avail[..room.min(avail.len())]);
        self.acc.truncate(OVERSIZED_HEAD);
        self.acc.shrink_to(OVERSIZED_HEAD);
        self.stream = Stream::None;
        self.synth = Vec::new();
        self.bad_frame = None;
        self.framer.reset();
        self.skip = Some(Skipper::new(self.config.limits.literal_size));
        let (tag, word) = peek_tag(&self.acc);
        let completed = self.settle_bad_frame(&Src::Acc, tag, word);
        Ok(Some(Step::Oversized { completed }))
    }

    /// The end of an AUTHENTICATE's SASL exchange: an `OK` from a server
    /// that did not prove itself (SCRAM) is [`Error::Sasl`].
    fn sasl_outcome(&mut self, idx: usize, ok: bool) -> Result<(), Error> {
        match self.cmds.get_mut(idx).and_then(|c| c.sasl.take()) {
            Some(sasl) => sasl.finish(ok),
            None => Ok(()),
        }
    }

    /// Removes a completed command and applies what its status means.
    fn finish_cmd(&mut self, idx: usize, status: Option<StatusKind>, read_only: bool) -> Finish {
        let Some(cmd) = self.cmds.remove(idx) else {
            return Finish::Silent;
        };
        self.done = Some((cmd.tag, cmd.kind));
        let ok = status == Some(StatusKind::Ok);
        let mut finish = Finish::Report;
        match cmd.kind {
            CommandKind::Login | CommandKind::Authenticate if ok => {
                self.state = ClientState::Authenticated;
            }
            CommandKind::Select | CommandKind::Examine => {
                if ok {
                    self.state = ClientState::Selected;
                    self.read_only = read_only || cmd.kind == CommandKind::Examine;
                } else if status.is_some() && self.state == ClientState::Selected {
                    // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
                    self.state = ClientState::Authenticated;
                }
                if self.state != ClientState::Selected {
                    self.exists = None;
                }
            }
            CommandKind::Close | CommandKind::Unselect if ok => {
                self.state = ClientState::Authenticated;
                self.exists = None;
            }
            CommandKind::Unauthenticate if ok => {
                // RFC 8437 §3: the login's state is gone (the selected
                // mailbox, ENABLEd extensions); the capabilities may differ
                // before login, so they are asked for again.
                self.state = ClientState::NotAuthenticated;
                self.read_only = false;
                self.exists = None;
                self.caps.clear();
                self.enabled.clear();
                self.opts.utf8 = false;
            }
            CommandKind::Logout => self.state = ClientState::Logout,
            CommandKind::StartTls if ok => {
                self.tls_pending = true;
                self.caps.clear();
                // Bytes after the OK came in plaintext before the handshake:
                // refuse them (RFC 9051 §6.2.1, CVE-2011-0411 class).
                self.input.drop_unread();
                self.framer.reset();
                finish = Finish::StartTls;
            }
            CommandKind::Compress if ok => {
                self.compress_pending = true;
                finish = Finish::Compress;
            }
            CommandKind::Idle => {
                self.idle_timer.stop();
                if cmd.idle.refreshing && ok {
                    let tag = OwnTag::number(self.next_tag);
                    self.next_tag = self.next_tag.wrapping_add(1).max(1);
                    let mut bytes = Vec::new();
                    bytes.extend_from_slice(tag.as_str().as_bytes());
                    bytes.extend_from_slice(b" IDLE\r\n");
                    self.cmds.push_back(Cmd {
                        tag,
                        kind: CommandKind::Idle,
                        msn: false,
                        expunge_safe: false,
                        sending: Sending::Unsent,
                        bytes,
                        sync: Vec::new(),
                        next_sync: 0,
                        sent: 0,
                        idle: IdleState {
                            reissue: true,
                            ..IdleState::default()
                        },
                        sasl: None,
                        body: None,
                        asks_uidonly: false,
                    });
                    finish = Finish::Silent;
                }
            }
            _ => {}
        }
        self.flush();
        finish
    }

    fn on_continue(&mut self, src: Src, payload: Range<usize>) -> Result<Option<Step>, Error> {
        // A command waiting to send the data of a synchronizing literal.
        if let Some(c) = self.cmds.iter_mut().find(|c| c.sending == Sending::Partial) {
            let sync = c.sync.get(c.next_sync).copied();
            let end = sync.unwrap_or(c.bytes.len()).clamp(c.sent, c.bytes.len());
            self.out.extend_from_slice(&c.bytes[c.sent..end]);
            c.sent = end;
            if sync.is_some() {
                c.next_sync += 1;
            } else {
                c.bytes = Vec::new();
                c.sync = Vec::new();
                if c.body.is_some() {
                    c.sending = Sending::Body;
                    return Ok(Some(Step::AppendReady));
                }
                c.sending = Sending::Sent;
                self.flush();
            }
            return Ok(None);
        }
        let last = self.cmds.iter().rposition(|c| c.sending == Sending::Sent);
        if let Some(i) = last {
            match self.cmds[i].kind {
                CommandKind::Authenticate => {
                    let limit = self.config.limits.auth_exchanges;
                    let payload = self.frame(&src).get(payload).unwrap_or_default().to_vec();
                    let sasl = self.cmds[i]
                        .sasl
                        .get_or_insert_with(|| Box::new(ClientSasl::raw()));
                    return Ok(
                        match sasl.challenge(Some(&payload), limit, &mut *self.out)? {
                            Challenge::Answered => None,
                            Challenge::Report(c) => {
                                self.challenge = c;
                                Some(Step::AuthChallenge)
                            }
                            Challenge::Malformed => {
                                // Not base64: cancelled; the server answers BAD.
                                let error =
                                    ParseError::new(self.frame(&src), 2, "base64 challenge");
                                Some(Step::Malformed {
                                    src,
                                    error,
                                    completed: false,
                                })
                            }
                        },
                    );
                }
                CommandKind::Idle if !self.cmds[i].idle.accepted => {
                    let c = &mut self.cmds[i];
                    c.idle.accepted = true;
                    let reissue = c.idle.reissue;
                    if c.idle.done_requested {
                        c.idle.done_sent = true;
                        self.out.extend_from_slice(b"DONE\r\n");
                    } else if let Some(refresh) = self.config.idle_refresh {
                        self.idle_timer.start(refresh);
                    }
                    self.done = Some((c.tag, CommandKind::Idle));
                    return Ok((!reissue).then_some(Step::IdleAccepted));
                }
                _ => {}
            }
        }
        let error = ParseError::new(self.frame(&src), 0, "no continuation request expected");
        Ok(Some(Step::Malformed {
            src,
            error,
            completed: false,
        }))
    }

    fn in_flight(&self) -> Option<Tag<'_>> {
        let mut it = self.cmds.iter().filter(|c| c.sending != Sending::Unsent);
        match (it.next(), it.next()) {
            (Some(c), None) => Some(c.tag.tag()),
            _ => None,
        }
    }

    /// The response of a frame validated moments ago (by [`analyze`] or
    /// [`Client::classify_stream`], with the same options), parsed again in
    /// trusted mode: the event borrows the buffer, so the value of the first
    /// parse cannot be kept, but its validation need not be repeated.
    fn reparse<'s>(&self, frame: &'s [u8]) -> Result<Response<'s>, Error> {
        let r = parse_response_trusted(frame, &self.opts);
        // Trusted mode reads validated bytes exactly as the full parse does;
        // should they ever disagree, the full parse decides.
        let r = match r {
            Ok(r) => r,
            Err(_) => return parse_response(frame, &self.opts),
        };
        // checked under the unit tests and the fuzzer only: peer data never
        // makes a user's build panic
        #[cfg(any(test, fuzzing))]
        assert_eq!(
            Some(&r),
            parse_response(frame, &self.opts).as_ref().ok(),
            "trusted re-parse differs from the validating parse"
        );
        Ok(r)
    }

    /// The response of an untagged frame, its FETCH contents reported to
    /// `visitor` during the one parse it gets (untagged FETCH frames are not
    /// validated beforehand, see `stateless_untagged`).
    fn untagged<'s, V: FetchVisitor<'s>>(
        &'s self,
        src: &Src,
        validated: bool,
        visitor: Option<&mut V>,
    ) -> Result<Response<'s>, Error> {
        let frame = self.frame(src);
        match (validated, visitor) {
            (_, Some(v)) => parse_response_with(frame, &self.opts, v),
            (true, None) => self.reparse(frame),
            (false, None) => parse_response(frame, &self.opts),
        }
    }

    fn materialize<'s, V: FetchVisitor<'s>>(
        &'s self,
        step: Step,
        visitor: Option<&mut V>,
    ) -> ClientEvent<'s> {
        let malformed = |src: &Src, e: Error| {
            let raw = self.frame(src);
            ClientEvent::MalformedResponse {
                raw: Cow::Borrowed(raw),
                error: to_parse_error(e, raw),
                completed: None,
            }
        };
        match step {
            Step::Greeting(src) => match parse_greeting(self.frame(&src), &self.opts) {
                Ok(s) => ClientEvent::Greeting(s),
                Err(e) => malformed(&src, e),
            },
            Step::Untagged { src, validated } => match self.untagged(&src, validated, visitor) {
                // RFC 9586 §3.3: a server sends UIDFETCH only once the client
                // enabled UIDONLY (and RFC 5161 §3.1: no extension's responses
                // before it is enabled); before that it costs that response
                Ok(Response::Data(Data::UidFetch { .. })) if !self.uid_only() => malformed(
                    &src,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
                Ok(Response::Data(data)) => {
                    // An ESEARCH names its command (RFC 4731 §3.1).
                    let correlated = match &data {
                        Data::ESearch(e) => e.tag.as_ref().and_then(|t| {
                            let t = OwnTag::from_peer(t.as_bytes())?;
                            let i = self.find_cmd(t)?;
                            Some(self.cmds[i].tag.tag())
                        }),
                        _ => None,
                    };
                    ClientEvent::Data {
                        in_flight: correlated.or_else(|| self.in_flight()),
                        data,
                    }
                }
                Ok(Response::Status(status)) => ClientEvent::Status {
                    status,
                    in_flight: self.in_flight(),
                },
                Ok(_) => malformed(
                    &src,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
                Err(e) => malformed(&src, e),
            },
            Step::Completed(src) => match (self.reparse(self.frame(&src)), &self.done) {
                (Ok(Response::Status(s)), Some((tag, command))) => ClientEvent::Completed {
                    tag: tag.tag(),
                    command: *command,
                    status: s.kind,
                    code: s.code,
                    text: s.text,
                },
                (Err(e), _) => malformed(&src, e),
                _ => malformed(
                    &src,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
            },
            Step::CompletedRaw {
                src,
                status,
                text_at,
                ..
            } => match &self.done {
                Some((tag, command)) => {
                    let frame = self.frame(&src);
                    let rest = frame.get(text_at..).unwrap_or_default();
                    let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
                    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
                    ClientEvent::Completed {
                        tag: tag.tag(),
                        command: *command,
                        status,
                        code: None,
                        text: Text::borrowed(rest),
                    }
                }
                None => malformed(
                    &src,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
            },
            Step::Malformed {
                src,
                error,
                completed,
            } => ClientEvent::MalformedResponse {
                raw: Cow::Borrowed(self.frame(&src)),
                error,
                completed: if completed {
                    self.done.as_ref().map(|(t, k)| (t.tag(), *k))
                } else {
                    None
                },
            },
            Step::Oversized { completed } => ClientEvent::OversizedResponse {
                head: Cow::Borrowed(&self.acc),
                error: Error::limit(LimitKind::ResponseLine, self.config.limits.response_line),
                completed: if completed {
                    self.done.as_ref().map(|(t, k)| (t.tag(), *k))
                } else {
                    None
                },
            },
            Step::BodyStart { size } => match self.reparse(&self.synth) {
                Ok(Response::Data(Data::Fetch { seq, items })) => match items.iter().last() {
                    Some(item) => ClientEvent::FetchBodyStart { seq, item, size },
                    None => malformed(
                        &Src::Acc,
                        Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                    ),
                },
                Ok(Response::Data(Data::UidFetch { uid, items })) => match items.iter().last() {
                    Some(item) => ClientEvent::UidFetchBodyStart { uid, item, size },
                    None => malformed(
                        &Src::Acc,
                        Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                    ),
                },
                _ => malformed(
                    &Src::Acc,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
            },
            Step::Chunk(r) => ClientEvent::FetchBodyChunk(Cow::Borrowed(self.input.get(r))),
            Step::BodyEnd if self.stream_uid => ClientEvent::UidFetchBodyEnd {
                uid: self.stream_seq,
            },
            Step::BodyEnd => ClientEvent::FetchBodyEnd {
                seq: self.stream_seq,
            },
            Step::IdleAccepted => match &self.done {
                Some((tag, _)) => ClientEvent::IdleAccepted { tag: tag.tag() },
                None => malformed(
                    &Src::Acc,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
            },
            Step::AuthChallenge => ClientEvent::AuthChallenge(Cow::Borrowed(&self.challenge)),
            Step::StartTls => ClientEvent::StartTls,
            Step::Compress => ClientEvent::Compress,
            Step::AppendReady => match self.cmds.iter().find(|c| c.sending == Sending::Body) {
                Some(c) => ClientEvent::AppendReady { tag: c.tag.tag() },
                None => malformed(
                    &Src::Acc,
                    Error::Protocol(crate::error::PeerMisbehaved::UnexpectedResponse),
                ),
            },
            Step::TimedOut => ClientEvent::TimedOut,
        }
    }
}

fn owned_tag(t: OwnTag) -> Tag<'static> {
    Tag::new(alloc::string::String::from(t.as_str())).expect("machine tags are valid")
}

/// Which states a command is valid in (RFC 9051 §6), judged on the state the
/// session will be in when the server reads it.
fn check_state(kind: CommandKind, projected: ClientState) -> Result<(), Error> {
    use ClientState as S;
    use CommandKind as K;
    if projected == S::Logout {
        return Err(Error::Closed);
    }
    let ok = match kind {
        K::Capability | K::Noop | K::Logout | K::Id | K::Other => true,
        K::Login | K::Authenticate | K::StartTls => projected == S::NotAuthenticated,
        K::Check
        | K::Close
        | K::Unselect
        | K::Expunge
        | K::UidExpunge
        | K::Search
        | K::Fetch
        | K::Store
        | K::Copy
        | K::Move
        | K::Sort
        | K::Thread
        | K::CancelUpdate
        // RFC 8508 §3.5: "MUST only be valid in the selected state"
        | K::Replace => projected == S::Selected,
        K::Enable => projected == S::Authenticated,
        K::Unauthenticate => matches!(projected, S::Authenticated | S::Selected),
        K::Compress => true,
        _ => matches!(projected, S::Authenticated | S::Selected),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Misuse(crate::error::ApiMisuse::WrongState))
    }
}

/// (uses message sequence numbers, no EXPUNGE may arrive while it runs):
/// RFC 9051 §5.5.
fn sequence_numbers(body: &CommandBody<'_>) -> (bool, bool) {
    use CommandBody as C;
    match body {
        C::Fetch { uid, .. } | C::Store { uid, .. } | C::StoreGmailLabels { uid, .. } => {
            (!uid, !uid)
        }
        // UID SEARCH 1:5 still names messages by sequence number.
        C::Search { uid, criteria, .. } => (
            !uid || criteria
                .iter()
                .any(|k| matches!(k, SearchKey::SequenceSet(_))),
            !uid,
        ),
        C::Copy { uid, .. }
        | C::Move { uid, .. }
        | C::Sort { uid, .. }
        | C::Thread { uid, .. }
        | C::Replace { uid, .. } => (!uid, false),
        _ => (false, false),
    }
}

/// Items whose large literal can be streamed.
fn streamable(item: &FetchItem<'_>) -> bool {
    matches!(
        item,
        FetchItem::BodySection { data: None, .. }
            | FetchItem::Binary { data: None, .. }
            | FetchItem::Rfc822(None)
            | FetchItem::Rfc822Text(None)
            | FetchItem::Rfc822Header(None)
    )
}

/// Drops the `{n}` / `~{n}` announcement (and its line end) from the end of
/// an assembled message.
fn strip_announcement(acc: &mut Vec<u8>) {
    if let Some(open) = memchr::memrchr(b'{', acc) {
        let cut = if open > 0 && acc[open - 1] == b'~' {
            open - 1
        } else {
            open
        };
        acc.truncate(cut);
    }
}

/// The tag of a frame that does not parse, and the status after it with
/// where the text after the status starts: `response-tagged = tag SP
/// resp-cond-state CRLF`, `resp-cond-state = ("OK" / "NO" / "BAD") SP
/// resp-text` (RFC 9051 §9). The status counts when it is a whole word (SP,
/// CR, LF or the end after it).
fn peek_tag(frame: &[u8]) -> (Option<OwnTag>, Option<(StatusKind, usize)>) {
    let Some(tag) = super::parse::response::response_tag(frame) else {
        return (None, None);
    };
    let at = tag.as_str().len() + 1;
    let tag = OwnTag::from_peer(tag.as_str().as_bytes());
    let rest = frame.get(at..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|&b| matches!(b, b' ' | b'\r' | b'\n'))
        .unwrap_or(rest.len());
    let word = &rest[..len];
    let kind = if word.eq_ignore_ascii_case(b"OK") {
        StatusKind::Ok
    } else if word.eq_ignore_ascii_case(b"NO") {
        StatusKind::No
    } else if word.eq_ignore_ascii_case(b"BAD") {
        StatusKind::Bad
    } else {
        return (tag, None);
    };
    let text_at = at + len + usize::from(rest.get(len) == Some(&b' '));
    (tag, Some((kind, text_at)))
}

fn to_parse_error(e: Error, frame: &[u8]) -> ParseError {
    match e {
        Error::Parse(p) => p,
        Error::Limit(_) => ParseError::new(frame, 0, "nesting within Limits::nesting_depth"),
        _ => ParseError::new(frame, 0, "a response"),
    }
}

fn code_caps(code: &Option<Code<'_>>) -> Option<Capabilities> {
    match code {
        Some(Code::Capability(l)) => Some(Capabilities::from_list(l)),
        _ => None,
    }
}

/// An untagged response that changes no state of the machine whether it
/// parses or not: message data (`* 5 FETCH ...`, EXISTS, EXPUNGE), LIST,
/// SEARCH, STATUS... Everything that could be a status response (its code may
/// carry CAPABILITY or READ-ONLY, BYE ends the session), CAPABILITY or ENABLED
/// data, by a case-insensitive prefix, goes through [`analyze`].
fn stateless_untagged(frame: &[u8]) -> bool {
    const STATEFUL: [&[u8]; 7] = [
        b"OK",
        b"NO",
        b"BAD",
        b"BYE",
        b"PREAUTH",
        b"CAPABILITY",
        b"ENABLED",
    ];
    let Some(rest) = frame.strip_prefix(b"* ") else {
        return false;
    };
    !STATEFUL.iter().any(|w| {
        rest.get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w))
    })
}

fn analyze(frame: &[u8], opts: &ParseOptions, greeting: bool) -> Analysis {
    if greeting {
        return match parse_greeting(frame, opts) {
            Ok(s) => Analysis::Greeting {
                kind: s.kind,
                caps: code_caps(&s.code),
            },
            Err(e) => Analysis::Malformed {
                error: to_parse_error(e, frame),
                tag: None,
                word: None,
            },
        };
    }
    match parse_response(frame, opts) {
        Ok(Response::Status(s)) => match &s.tag {
            Some(t) => Analysis::Tagged {
                tag: OwnTag::from_peer(t.as_str().as_bytes()),
                kind: s.kind,
                caps: code_caps(&s.code),
                read_only: matches!(s.code, Some(Code::ReadOnly)),
            },
            None => Analysis::Untagged {
                bye: s.kind == StatusKind::Bye,
                caps: code_caps(&s.code),
                enabled: None,
            },
        },
        Ok(Response::Data(d)) => Analysis::Untagged {
            bye: false,
            caps: match &d {
                Data::Capability(l) => Some(Capabilities::from_list(l)),
                _ => None,
            },
            enabled: match &d {
                Data::Enabled(l) => Some(Capabilities::from_list(l)),
                _ => None,
            },
        },
        Ok(Response::Continue(_)) => {
            let mut end = frame.len();
            if frame[..end].ends_with(b"\n") {
                end -= 1;
            }
            if frame[..end].ends_with(b"\r") {
                end -= 1;
            }
            Analysis::Continue {
                payload: 2.min(end)..end,
            }
        }
        Err(e) => {
            let (tag, word) = peek_tag(frame);
            Analysis::Malformed {
                error: to_parse_error(e, frame),
                tag,
                word,
            }
        }
    }
}

connection_by_inherent_methods!(Client);
