//! The IMAP server state machine (RFC 9051 §2.2–§6 and §7.1, RFC 3501; RFC
//! 2177 IDLE, RFC 3502 MULTIAPPEND, RFC 3691 UNSELECT, RFC 4959 SASL-IR, RFC
//! 5161 ENABLE, RFC 5530 response codes, RFC 7888 LITERAL+/LITERAL-, RFC 8508
//! REPLACE).
//!
//! The machine frames commands (a line plus its literals), checks each against
//! the connection state of RFC 9051 §3 (Not Authenticated, Authenticated,
//! Selected, Logout), and runs by itself what needs no mailbox: the greeting,
//! CAPABILITY, LOGOUT, STARTTLS, ENABLE, the IDLE/DONE exchange, the steps of
//! AUTHENTICATE (through the crate's server SASL pump), and every `BAD` for a line that does
//! not parse, an unknown command or a command in the wrong state. Everything
//! else reaches the application as an event, and the application answers with
//! the emission helpers, never with raw bytes:
//!
//! | event | answer |
//! |---|---|
//! | [`ServerEvent::Command`] | untagged data ([`Server::send_untagged_data`], [`Server::send_untagged`], FETCH with streamed literals via [`Server::start_fetch`]), then [`Server::complete`] |
//! | [`ServerEvent::Login`], [`ServerEvent::Authenticate`] | [`Server::complete`] (`OK` enters Authenticated) |
//! | [`ServerEvent::AuthLookup`] (CRAM-MD5, SCRAM) | [`Server::auth_lookup`] |
//! | [`ServerEvent::LiteralRequested`] | [`Server::accept_literal`] (sends `+`) or [`Server::reject_literal`] |
//! | [`ServerEvent::AppendStart`] | [`Server::accept_literal`] then take [`ServerEvent::AppendChunk`]s until [`ServerEvent::AppendEnd`], or [`Server::reject_literal`] |
//! | [`ServerEvent::ReplaceStart`] (REPLACE, RFC 8508, with [`ServerConfig::replace`]) | as for APPEND, then the untagged `OK [APPENDUID ...]`, `EXISTS`, `EXPUNGE` and [`Server::complete`] |
//! | [`ServerEvent::Idle`] | push updates with [`Server::send_untagged_data`] until [`ServerEvent::IdleDone`] |
//! | [`ServerEvent::StartTls`] | flush output, handshake, [`Server::tls_established`] |
//! | [`ServerEvent::Compress`] | flush output, wrap the stream in DEFLATE, [`Server::compression_established`] |
//!
//! The machine follows the state from the completions: `OK` to LOGIN or
//! AUTHENTICATE enters Authenticated, `OK` to SELECT/EXAMINE enters Selected
//! (a failed SELECT leaves no mailbox selected, RFC 9051 §6.3.2), `OK` to
//! CLOSE or UNSELECT returns to Authenticated. CLOSE reaches the application
//! as a command: it expunges, then completes.
//!
//! Literals (RFC 9051 §4.3, RFC 7888):
//!
//! ```text
//! literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
//! literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466
//! ```
//!
//! - `{n}`: the `+` goes out only when the application accepts the literal
//!   (or it is at most [`ServerConfig::auto_accept_literal`]), so a 10 GiB
//!   APPEND is refused before a byte of it is sent. Literals over
//!   [`Limits::literal_size`] are refused by the machine itself.
//! - `{n+}`: no `+`; accepted as [`ServerConfig::literals`] says (LITERAL+, or
//!   LITERAL- and IMAP4rev2 up to 4096 bytes: a larger one gets `BAD
//!   [TOOBIG]`, RFC 7888 §4). A refused one is read and discarded with the
//!   rest of its command (RFC 7888 §5 leaves the server that or closing):
//!   its bytes are skipped as they arrive, never buffered, never read as
//!   commands.
//! - `{n-}` is in no RFC (LITERAL- limits `{n+}`; it has no syntax of its
//!   own). The line is answered `BAD [CLIENTBUG]` and, since the client
//!   plainly meant a literal, its `n` bytes and the rest of the command are
//!   discarded like a refused `{n+}`. A strict server would read them as
//!   commands, which is how a message line `Z1 CREATE Smuggled` became a
//!   command on a real server when mailwire's client sent `{n-}`; no valid
//!   command ends in `{n-}` (an atom cannot hold `{`), so discarding costs
//!   no correct client anything. [`ServerConfig::accept_minus_literals`] is
//!   a quirk, off by default, that reads it as `{n+}` instead.
//!
//! APPEND message data never sits whole in memory: it is handed out in
//! chunks as it arrives, and so is the message of a REPLACE (RFC 8508). An APPEND that uses CATENATE (RFC 4469) is the
//! exception: its `TEXT` parts are read as ordinary command literals (bounded
//! by [`Limits::input_buffer`]) and the whole command reaches the application
//! as [`CommandBody::AppendCatenate`]; a MULTIAPPEND whose streamed literal
//! message is followed by a CATENATE one is answered `BAD`.
//!
//! Before authentication (RFC 9051 §6.2: only CAPABILITY, NOOP, LOGOUT,
//! STARTTLS, AUTHENTICATE and LOGIN, and here ID, none of which needs more
//! than a password or a token) a client gets smaller bounds, so an unauthenticated
//! connection holds a few KiB whatever it sends:
//! [`Limits::unauthenticated_literal`] (4096; a larger `{n}` is refused `NO
//! [TOOBIG]` before it is sent, and LITERAL- is advertised instead of
//! LITERAL+), [`Limits::unauthenticated_line`] and
//! [`Limits::unauthenticated_input`] (crossed: `* BYE` and a
//! [`LimitKind`] error; input is checked as it arrives, in
//! [`handle_input`](Server::handle_input)). A
//! [`MemoryBudget`] in
//! [`ServerConfig::unauthenticated_budget`] bounds all such sessions together:
//! each charges it for its input buffer until it logs in, a `{n}` it cannot
//! hold is refused `NO [UNAVAILABLE]` before it is sent, and input that
//! already arrived and cannot be held ends that session with `* BYE
//! [UNAVAILABLE]`.
//!
//! Pipelining: the application may leave commands unanswered and keep polling;
//! up to [`Limits::pending_commands`] ordinary commands are handed out before
//! the first is completed. A command that changes the state or expunges
//! (LOGIN, AUTHENTICATE, SELECT, EXAMINE, CLOSE, UNSELECT, EXPUNGE, MOVE,
//! APPEND, REPLACE, IDLE, ENABLE, STARTTLS, LOGOUT, COMPRESS) waits until everything
//! before it is answered, and nothing after it is read until it is (RFC 9051
//! §5.5). Unread input is bounded by [`Limits::input_buffer`].
//!
//! ```
//! use mailwire::imap::{Server, ServerConfig, ServerEvent, CommandBody, StatusKind, Data, Code};
//!
//! let mut config = ServerConfig::default();
//! config.plaintext_requires_tls = false; // a test over no TLS at all
//! let mut server = Server::new(config);
//! let greeting = server.poll_transmit().unwrap();
//! assert!(greeting.starts_with(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "));
//!
//! server.handle_input(b"a1 LOGIN alice {6}\r\n");
//! let Some(ServerEvent::LiteralRequested { size: 6, .. }) = server.poll_event().unwrap() else { panic!() };
//! server.accept_literal().unwrap();
//! assert_eq!(&server.poll_transmit().unwrap()[..], b"+ Ready for literal data\r\n");
//! server.handle_input(b"secret\r\na2 SELECT INBOX\r\na3 LOGOUT\r\n");
//!
//! let Some(ServerEvent::Login { tag, username, password }) = server.poll_event().unwrap() else { panic!() };
//! assert_eq!((username.as_bytes(), password.expose()), (&b"alice"[..], &b"secret"[..]));
//! let tag = tag.as_str().to_owned();
//! server.complete(&tag, StatusKind::Ok, None, "LOGIN completed").unwrap();
//!
//! let Some(ServerEvent::Command(cmd)) = server.poll_event().unwrap() else { panic!() };
//! assert!(matches!(cmd.body, CommandBody::Select { .. }));
//! let tag = cmd.tag.as_str().to_owned();
//! server.send_untagged_data(&Data::Exists(2)).unwrap();
//! server.complete(&tag, StatusKind::Ok, Some(Code::ReadWrite), "SELECT completed").unwrap();
//! assert!(server.is_selected());
//!
//! assert!(server.poll_event().unwrap().is_none()); // LOGOUT is run by the machine
//! assert!(server.is_closed());
//! let mut out = Vec::new();
//! while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
//! assert!(out.ends_with(b"* 2 EXISTS\r\na2 OK [READ-WRITE] SELECT completed\r\n* BYE logging out\r\na3 OK LOGOUT completed\r\n"));
//! ```

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;
use core::time::Duration;

use bytes::Bytes;

use crate::error::{Error, LimitKind};
use crate::imap::emit::EmitOptions;
use crate::imap::emit::emit_into;
use crate::imap::emit::response::{
    emit_data_into, emit_fetch_items_into, emit_response_into, emit_status_into,
};
use crate::imap::frame::{LiteralAnnouncement, LiteralMode, literal_at_end_lenient};
use crate::imap::parse::ParseOptions;
use crate::imap::parse::command::{parse_command, parse_command_trusted};
use crate::imap::tag::StoredTag;
use crate::imap::types::command::{Command, CommandBody};
use crate::imap::types::core::{Atom, DateTime, Flag, List, Mailbox, SeqNum, Tag, is_atom};
use crate::imap::types::response::{
    Code, Continue, Data, FetchItem, Part, Response, Section, StatusKind, StatusResponse,
};
use crate::limits::{Limits, MemoryBudget};
use crate::session::sasl::{Failure, ServerOutcome, ServerSasl, answer_lookup};
use crate::session::{IdleTimer, Input, LineSkip, Output};
use crate::text::{Secret, Text};
use crate::wire::line::{LineFinder, LinePolicy, is_line_safe};
use crate::wire::sasl::{
    Authentication, ClientLine, Mechanism, SaslAnswer, SaslLookup, decode_client_line,
    encode_base64,
};

mod config;
mod event;
mod respond;
#[cfg(test)]
mod tests;

pub use config::{Greeting, LiteralSupport, ServerConfig, ServerState};
pub use event::{FetchLiteral, ServerEvent};

/// The smallest input buffer an unauthenticated connection allocates.
const MIN_UNAUTH_BUFFER: usize = 256;

/// Largest non-synchronizing literal under LITERAL- (RFC 7888 §4) and IMAP4rev2
/// (RFC 9051 §4.3).
pub const LITERAL_MINUS_MAX: u64 = 4096;

/// What kind of command the application has not answered yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Login,
    Select,
    Examine,
    Close,
    Append,
    /// Changes state or expunges: nothing else runs beside it.
    Barrier,
    Other,
}

impl Kind {
    fn is_barrier(self) -> bool {
        self != Kind::Other
    }
}

#[derive(Clone, Debug)]
struct Pending {
    tag: StoredTag,
    kind: Kind,
}

/// Where the reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// Framing a command that starts at `pos`.
    Frame,
    /// A literal was announced; the application decides.
    Decision {
        append: bool,
        sync: bool,
        size: u64,
        data_start: usize,
    },
    /// APPEND message data.
    AppendData { remaining: u64 },
    /// The rest of an APPEND after a message.
    AppendTail,
    /// MULTIAPPEND: another message was announced in the tail.
    AppendNext {
        lit: LiteralAnnouncement,
        content_end: usize,
        data_start: usize,
    },
    /// Skipping the bytes of a refused non-synchronizing literal.
    Discard { remaining: u64 },
    /// Skipping the rest of a refused command.
    DiscardLine,
    /// AUTHENTICATE: the next line is a SASL response.
    AuthLine,
    /// AUTHENTICATE: waiting for the application's `auth_lookup`.
    AuthLookup,
    /// IDLE: the next line must be DONE.
    Idle,
    /// STARTTLS accepted: input dropped until the handshake is done.
    Tls,
    /// COMPRESS accepted: input (compressed) kept for the adapter until
    /// `compression_established`.
    Compress,
}

/// Progress of framing the current command; offsets from `pos`.
#[derive(Clone, Copy, Debug, Default)]
struct Scan {
    seg: usize,
    line_bytes: usize,
    lit_end: Option<usize>,
    literals: u32,
    /// The command is complete up to here but waits (pipelining rules).
    done: Option<usize>,
    /// A literal was announced here and waits for a decision.
    held: Option<(LiteralAnnouncement, usize, usize)>,
}

/// How a literal is refused: the status, its code and its text.
type Refusal = (StatusKind, Option<Code<'static>>, &'static str);

enum Scanned {
    NeedMore,
    BadLine,
    Complete(usize),
    Literal(LiteralAnnouncement, usize, usize),
}

/// An event before it borrows the buffer.
enum Ev {
    Command(Range<usize>),
    Login(Range<usize>),
    Authenticate(Authentication<'static>),
    AuthLookup(SaslLookup),
    Literal(Range<usize>, u64),
    AppendStart {
        size: u64,
        binary: bool,
        non_sync: bool,
    },
    /// The message literal of a REPLACE (RFC 8508) is announced.
    ReplaceStart {
        size: u64,
        binary: bool,
        non_sync: bool,
    },
    AppendChunk(Range<usize>),
    AppendEnd(bool),
    AppendAborted,
    Idle,
    IdleDone,
    StartTls,
    Compress,
    Unauthenticated,
}

enum Flow {
    Ev(Ev),
    Continue,
    Wait,
}

/// How a parsed command is handled.
enum Class {
    App(Kind),
    Login,
    Capability,
    Logout,
    StartTls,
    /// COMPRESS with a DEFLATE argument (`true`) or another one.
    Compress(bool),
    Idle,
    Authenticate(Option<Mechanism>, Option<Vec<u8>>, bool),
    Enable(Vec<String>),
    Unauthenticate,
    WrongState(&'static str),
    /// A command over message sequence numbers after UIDONLY (RFC 9586).
    UidRequired,
    Unknown,
}

#[derive(Clone, Copy, Debug)]
struct FetchOut {
    any_item: bool,
    literal_left: Option<u64>,
    binary: bool,
}

/// The IMAP server machine; see the [module docs](self) for what it runs by
/// itself and what it asks the application.
///
/// The server side of the sample session of RFC 3501 §8: the client's lines
/// are the RFC's bytes, and so are the server's, except the greeting (which
/// carries the capabilities, RFC 9051 §7.1) and the BYE text of LOGOUT (run
/// by the machine).
///
/// ```
/// use mailwire::imap::{
///     Code, CommandBody, Data, FetchItem, Flag, List, Server, ServerConfig, ServerEvent,
///     ServerState, StatusKind, StoreKind,
/// };
///
/// // no TLS in a doc test: allow LOGIN in the clear
/// let mut server = Server::new(ServerConfig::default().plaintext_requires_tls(false));
/// let out = |server: &mut Server| {
///     let mut out = Vec::new();
///     while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
///     String::from_utf8(out).unwrap()
/// };
/// assert!(out(&mut server).starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "));
///
/// server.handle_input(b"a001 login mrc secret\r\n");
/// let Some(ServerEvent::Login { tag, username, password }) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!((tag.as_str(), username.as_bytes(), password.expose()), ("a001", &b"mrc"[..], &b"secret"[..]));
/// server.complete("a001", StatusKind::Ok, None, "LOGIN completed").unwrap();
/// assert!(out(&mut server).starts_with("a001 OK [CAPABILITY IMAP4rev1 "));
///
/// server.handle_input(b"a002 select inbox\r\n");
/// let Some(ServerEvent::Command(command)) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!(command.tag.as_str(), "a002");
/// assert!(matches!(command.body, CommandBody::Select { .. }));
/// server.send_untagged_data(&Data::Exists(18)).unwrap();
/// let flags = [Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Seen, Flag::Draft];
/// server.send_untagged_data(&Data::Flags(List::from_items(flags.to_vec()))).unwrap();
/// server.send_untagged_data(&Data::Recent(2)).unwrap();
/// server.send_untagged(StatusKind::Ok, Some(Code::Unseen(17)), "Message 17 is the first unseen message").unwrap();
/// server.send_untagged(StatusKind::Ok, Some(Code::UidValidity(3857529045)), "UIDs valid").unwrap();
/// server.complete("a002", StatusKind::Ok, Some(Code::ReadWrite), "SELECT completed").unwrap();
/// assert_eq!(
///     out(&mut server),
///     "* 18 EXISTS\r\n\
///      * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
///      * 2 RECENT\r\n\
///      * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
///      * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
///      a002 OK [READ-WRITE] SELECT completed\r\n"
/// );
/// assert_eq!(server.state(), ServerState::Selected { read_only: false });
///
/// server.handle_input(b"a005 store 12 +flags \\deleted\r\n");
/// let Some(ServerEvent::Command(command)) = server.poll_event().unwrap() else { panic!() };
/// let CommandBody::Store { uid: false, kind: StoreKind::Add, flags, .. } = command.body else { panic!() };
/// assert_eq!(flags.iter().collect::<Vec<_>>(), [Flag::Deleted]);
/// let items = List::from_items(vec![FetchItem::Flags(List::from_items(vec![Flag::Seen, Flag::Deleted]))]);
/// server.send_untagged_data(&Data::Fetch { seq: 12, items }).unwrap();
/// server.complete("a005", StatusKind::Ok, None, "+FLAGS completed").unwrap();
/// assert_eq!(out(&mut server), "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n");
///
/// server.handle_input(b"a006 logout\r\n");
/// assert!(server.poll_event().unwrap().is_none());
/// assert_eq!(out(&mut server), "* BYE logging out\r\na006 OK LOGOUT completed\r\n");
/// assert!(server.is_closed());
/// ```
#[derive(Debug)]
pub struct Server {
    config: Arc<ServerConfig>,
    popts: ParseOptions,
    input: Input,
    finder: LineFinder,
    out: Output,
    phase: ServerState,
    read: Read,
    scan: Scan,
    skip_line: LineSkip,
    outstanding: Vec<Pending>,
    cur_tag: StoredTag,
    append_prefix: Vec<u8>,
    /// The message being streamed is a REPLACE's (RFC 8508): one message,
    /// nothing may follow it.
    replacing: bool,
    scratch: Vec<u8>,
    /// The AUTHENTICATE exchange in progress.
    sasl: Option<ServerSasl>,
    /// A completed exchange, reported by the next `poll_event`.
    sasl_done: Option<alloc::boxed::Box<Authentication<'static>>>,
    enabled: Vec<String>,
    tls_active: bool,
    /// COMPRESS=DEFLATE is on (RFC 4978).
    compressed: bool,
    fetch: Option<FetchOut>,
    bad_commands: usize,
    error: Option<Error>,
    /// The autologout timer (RFC 9051 §5.4).
    idle: IdleTimer,
    /// Bytes charged to [`ServerConfig::unauthenticated_budget`].
    charged: usize,
    /// The PROXY protocol header before the greeting.
    proxy: crate::session::ProxyGate,
}

impl Server {
    /// A server with its greeting queued. No I/O happens.
    ///
    /// A greeting text holding CR, LF or NUL (or starting with `[`) is
    /// replaced by the default one.
    pub fn new(config: ServerConfig) -> Server {
        Server::with_shared_config(Arc::new(config))
    }

    /// A server whose configuration is shared with other connections: a
    /// process serving many connections keeps one copy of the capability
    /// strings and the greeting, and [`memory_usage`](Self::memory_usage)
    /// leaves it out. The greeting is queued; no I/O happens.
    pub fn with_shared_config(mut config: Arc<ServerConfig>) -> Server {
        let bad_greeting = |c: &ServerConfig| {
            !is_line_safe(c.greeting_text.as_bytes()) || c.greeting_text.starts_with('[')
        };
        let bad_atoms = |v: &[String]| v.iter().any(|c| !is_atom(c.as_bytes()));
        if bad_greeting(&config) || bad_atoms(&config.capabilities) || bad_atoms(&config.enableable)
        {
            let c = Arc::make_mut(&mut config);
            if bad_greeting(c) {
                c.greeting_text = String::from("IMAP server ready");
            }
            c.capabilities.retain(|c| is_atom(c.as_bytes()));
            c.enableable.retain(|c| is_atom(c.as_bytes()));
        }
        let finder = LineFinder::new(
            config.limits.command_line,
            LimitKind::CommandLine,
            config.line_policy,
        );
        let idle = IdleTimer::new(config.autologout);
        let mut s = Server {
            popts: ParseOptions::from_limits(&config.limits),
            tls_active: config.tls_active,
            config,
            input: Input::default(),
            finder,
            out: Output::default(),
            phase: ServerState::NotAuthenticated,
            read: Read::Frame,
            scan: Scan::default(),
            skip_line: LineSkip::default(),
            outstanding: Vec::new(),
            cur_tag: StoredTag::default(),
            append_prefix: Vec::new(),
            replacing: false,
            scratch: Vec::new(),
            sasl: None,
            sasl_done: None,
            enabled: Vec::new(),
            compressed: false,
            fetch: None,
            bad_commands: 0,
            error: None,
            idle,
            charged: 0,
            proxy: crate::session::ProxyGate::default(),
        };
        let text = s.config.greeting_text.clone();
        match s.config.greeting {
            Greeting::Bye => {
                s.status(None, StatusKind::Bye, None, &text);
                s.phase = ServerState::Logout;
            }
            g => {
                let kind = if g == Greeting::PreAuth {
                    s.phase = ServerState::Authenticated;
                    StatusKind::PreAuth
                } else {
                    StatusKind::Ok
                };
                let caps = s.capability_code();
                let _ = s.write(&Response::Status(StatusResponse {
                    tag: None,
                    kind,
                    code: Some(caps),
                    text: Text(Cow::Owned(text.into_bytes())),
                }));
                s.proxy = crate::session::ProxyGate::new(s.config.proxy_protocol, &mut s.out);
            }
        }
        s
    }

    /// The PROXY protocol header of this connection, once it arrived (see
    /// [`ServerConfig::proxy_protocol`]).
    pub fn proxied(&self) -> Option<&crate::wire::proxy::ProxyInfo> {
        self.proxy.info()
    }

    // ---- state ----

    /// The connection state.
    pub fn state(&self) -> ServerState {
        if self.error.is_some() {
            ServerState::Logout
        } else {
            self.phase
        }
    }

    /// Whether the client is logged in (Authenticated or Selected).
    pub fn is_authenticated(&self) -> bool {
        matches!(
            self.state(),
            ServerState::Authenticated | ServerState::Selected { .. }
        )
    }

    /// Whether a mailbox is selected.
    pub fn is_selected(&self) -> bool {
        matches!(self.state(), ServerState::Selected { .. })
    }

    /// Whether TLS is active (implicit, or after [`tls_established`](Self::tls_established)).
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Whether COMPRESS=DEFLATE is on (after
    /// [`compression_established`](Self::compression_established)).
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// Whether the client enabled `name` with ENABLE (case-insensitive).
    pub fn is_enabled(&self, name: &str) -> bool {
        self.enabled.iter().any(|e| e.eq_ignore_ascii_case(name))
    }

    /// The extensions the client enabled, as the configuration spells them.
    pub fn enabled(&self) -> impl Iterator<Item = &str> {
        self.enabled.iter().map(String::as_str)
    }

    /// Tags of the commands handed to the application and not completed yet,
    /// oldest first.
    pub fn pending_tags(&self) -> impl Iterator<Item = &str> {
        self.outstanding.iter().map(|p| p.tag.as_str())
    }

    /// The capabilities advertised now (they depend on the state and TLS).
    pub fn capabilities(&self) -> Vec<String> {
        let c = &self.config;
        let mut v: Vec<String> = Vec::new();
        let mut add = |s: &str| v.push(String::from(s));
        if c.imap4rev1 {
            add("IMAP4rev1");
        }
        if c.imap4rev2 {
            add("IMAP4rev2");
        }
        if self.phase == ServerState::NotAuthenticated {
            if c.tls_available && !self.tls_active {
                add("STARTTLS");
            }
            if self.plaintext_refused() {
                add("LOGINDISABLED");
            }
            for m in &c.auth_mechanisms {
                if !(self.plaintext_refused() && m.needs_tls()) {
                    v.push(alloc::format!("AUTH={}", m.name()));
                }
            }
        }
        let mut add = |s: &str| v.push(String::from(s));
        if c.sasl_ir && self.phase == ServerState::NotAuthenticated {
            add("SASL-IR");
        }
        match self.advertised_literals() {
            LiteralSupport::Plus => add("LITERAL+"),
            LiteralSupport::Minus => add("LITERAL-"),
            LiteralSupport::SyncOnly => {}
        }
        if !c.enableable.is_empty() {
            add("ENABLE");
        }
        if c.idle {
            add("IDLE");
        }
        if c.unselect {
            add("UNSELECT");
        }
        if c.unauthenticate {
            add("UNAUTHENTICATE");
        }
        if c.compress {
            add("COMPRESS=DEFLATE");
        }
        if c.partial {
            add("PARTIAL");
        }
        if c.replace {
            add(crate::imap::ext::replace::CAPABILITY);
        }
        for x in &c.capabilities {
            if !v.iter().any(|have| have.eq_ignore_ascii_case(x)) {
                v.push(x.clone());
            }
        }
        v
    }

    fn capability_atoms(&self) -> List<'static, Atom<'static>> {
        let atoms: Vec<Atom<'static>> = self
            .capabilities()
            .into_iter()
            .filter_map(Atom::new)
            .collect();
        List::from_items(atoms)
    }

    fn capability_code(&self) -> Code<'static> {
        Code::Capability(self.capability_atoms())
    }

    /// The literal extension advertised now: LITERAL- instead of LITERAL+
    /// before authentication while no larger literal is taken then.
    fn advertised_literals(&self) -> LiteralSupport {
        match self.config.literals {
            LiteralSupport::Plus
                if self.unauthenticated()
                    && self
                        .config
                        .limits
                        .unauthenticated_literal
                        .min(self.config.limits.literal_size)
                        <= LITERAL_MINUS_MAX =>
            {
                LiteralSupport::Minus
            }
            other => other,
        }
    }

    /// The literal rules in force: what is advertised, and LITERAL- whenever
    /// IMAP4rev2 is (RFC 9051 §4.3 includes it).
    fn literal_support(&self) -> LiteralSupport {
        match self.advertised_literals() {
            LiteralSupport::SyncOnly if self.config.imap4rev2 => LiteralSupport::Minus,
            other => other,
        }
    }

    /// Before LOGIN or AUTHENTICATE succeeded: the smaller limits apply.
    fn unauthenticated(&self) -> bool {
        self.phase == ServerState::NotAuthenticated
    }

    /// The longest command line now.
    fn line_limit(&self) -> usize {
        let l = &self.config.limits;
        if self.unauthenticated() {
            l.unauthenticated_line.min(l.command_line)
        } else {
            l.command_line
        }
    }

    /// The most input buffered now.
    fn input_limit(&self) -> usize {
        let l = &self.config.limits;
        if self.unauthenticated() {
            l.unauthenticated_input.min(l.input_buffer)
        } else {
            l.input_buffer
        }
    }

    fn plaintext_refused(&self) -> bool {
        self.config.plaintext_requires_tls && !self.tls_active
    }

    fn emit_opts(&self) -> EmitOptions {
        EmitOptions {
            utf8: self.is_enabled("UTF8=ACCEPT"),
            ..EmitOptions::default()
        }
    }

    // ---- output helpers ----

    /// Emits straight into the output buffer (nothing is left there when it
    /// fails).
    fn write(&mut self, r: &Response<'_>) -> Result<(), Error> {
        let opts = self.emit_opts();
        emit_response_into(r, &mut self.out, &opts)
    }

    /// A status line; `tag` is a valid tag.
    fn write_status(
        &mut self,
        tag: Option<&Tag<'_>>,
        kind: StatusKind,
        code: Option<&Code<'_>>,
        text: &str,
    ) -> Result<(), Error> {
        let opts = self.emit_opts();
        emit_status_into(&mut self.out, &opts, tag, kind, code, text.as_bytes())
    }

    /// A status line built by the machine (always emittable).
    fn status(&mut self, tag: Option<&str>, kind: StatusKind, code: Option<Code<'_>>, text: &str) {
        let tag = tag.and_then(Tag::new);
        if self
            .write_status(tag.as_ref(), kind, code.as_ref(), text)
            .is_err()
        {
            let _ = self.write(&Response::Status(StatusResponse {
                tag: None,
                kind,
                code: None,
                text: Text::borrowed(b"error"),
            }));
        }
    }

    /// A machine-made `BAD`, counted against [`Limits::bad_commands`].
    fn bad(&mut self, tag: Option<&str>, code: Option<Code<'_>>, text: &str) -> Result<(), Error> {
        self.status(tag, StatusKind::Bad, code, text);
        self.bad_commands += 1;
        if self.bad_commands > self.config.limits.bad_commands {
            self.status(None, StatusKind::Bye, None, "too many bad commands");
            return Err(Error::limit(
                LimitKind::BadCommands,
                self.config.limits.bad_commands,
            ));
        }
        Ok(())
    }

    // ---- input ----

    /// Appends bytes from the client. Only buffers; bytes that arrive while a
    /// TLS handshake is pending (after STARTTLS) or after the session ended
    /// are discarded. Bytes that arrive after COMPRESS was accepted are kept
    /// unread and handed back by
    /// [`compression_established`](Self::compression_established).
    ///
    /// Before authentication the input is bounded here, as it arrives:
    /// more than [`Limits::unauthenticated_input`] unread bytes (or a spent
    /// [`ServerConfig::unauthenticated_budget`]) ends the session, and the
    /// next [`poll_event`](Self::poll_event) returns the error. The bytes of
    /// a refused literal are skipped as they arrive, never buffered.
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.read == Read::Tls || self.phase == ServerState::Logout || self.error.is_some() {
            return;
        }
        if let Some(len) = self.config.autologout {
            self.idle.start(len);
        }
        let mut data = data;
        if let Read::Discard { remaining } = self.read {
            if self.input.is_drained() {
                let n = usize::try_from(remaining).map_or(data.len(), |r| r.min(data.len()));
                self.read = Read::Discard {
                    remaining: remaining - n as u64,
                };
                data = &data[n..];
            }
        }
        if data.is_empty() {
            return;
        }
        if self.unauthenticated() {
            self.buffer_unauthenticated(data);
        } else {
            self.input.push(data);
        }
    }

    /// Buffers input from a client that has not authenticated, within
    /// [`Limits::unauthenticated_input`] and the shared budget.
    fn buffer_unauthenticated(&mut self, data: &[u8]) {
        let limit = self.input_limit();
        if let Err(e) = self.input.admit(data.len(), limit) {
            return self.fail_input(e, None, "too much input before authentication");
        }
        if !self.input.fits(data.len()) {
            self.input.compact_front();
            if !self.input.fits(data.len()) {
                let cap = (self.input.len() + data.len())
                    .max(self.input.memory_usage().saturating_mul(2))
                    .max(MIN_UNAUTH_BUFFER)
                    .min(limit);
                if !self.grow_input(cap) {
                    return self.fail_budget();
                }
            }
        }
        self.input.push(data);
    }

    /// Grows the input buffer to hold `cap` bytes, charging the shared
    /// budget before authentication; `false` when the budget is spent.
    fn grow_input(&mut self, cap: usize) -> bool {
        if cap <= self.input.memory_usage() {
            return true;
        }
        if self.unauthenticated() && !self.charge_to(cap) {
            return false;
        }
        self.input.grow_to(cap);
        true
    }

    /// Sets what this session holds of the shared budget to `target`.
    fn charge_to(&mut self, target: usize) -> bool {
        if let Some(b) = &self.config.unauthenticated_budget {
            if target > self.charged {
                if !b.try_charge(target - self.charged) {
                    return false;
                }
            } else {
                b.release(self.charged - target);
            }
        }
        self.charged = target;
        true
    }

    /// Gives back to the shared budget what the session no longer holds (all
    /// of it once authenticated or closed).
    fn settle_charge(&mut self) {
        let target = if self.unauthenticated() && self.error.is_none() {
            self.input.memory_usage()
        } else {
            0
        };
        if target < self.charged {
            self.charge_to(target);
        }
    }

    /// The shared budget is spent and bytes already arrived: end the session.
    fn fail_budget(&mut self) {
        let max = self
            .config
            .unauthenticated_budget
            .as_ref()
            .map_or(0, MemoryBudget::limit);
        self.fail_input(
            Error::limit(LimitKind::MemoryBudget, max),
            Some(Code::Unavailable),
            "server busy, try again later",
        );
    }

    /// Ends the session from [`handle_input`](Self::handle_input): `* BYE`,
    /// and the error for the next [`poll_event`](Self::poll_event).
    fn fail_input(&mut self, e: Error, code: Option<Code<'_>>, text: &str) {
        self.status(None, StatusKind::Bye, code, text);
        self.error = Some(e);
        self.phase = ServerState::Logout;
        self.input.release();
        self.settle_charge();
    }

    /// The client closed the connection.
    pub fn handle_eof(&mut self) {
        self.input.set_eof();
    }

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let bytes = self.out.poll_transmit()?;
        if self.is_idle() {
            // nothing more is coming soon: keep no output buffer
            self.out.release();
        }
        Some(bytes)
    }

    /// Memory this machine holds: its own size plus the heap capacity of its
    /// buffers and queues, plus its configuration unless that is shared with
    /// other connections ([`with_shared_config`](Self::with_shared_config)).
    /// Buffers are given back whenever the machine has nothing buffered, so
    /// an idle authenticated connection costs under 1 KiB.
    pub fn memory_usage(&self) -> usize {
        let strings = |v: &Vec<String>| crate::nested_heap(v.capacity(), v, String::capacity);
        let config = if Arc::strong_count(&self.config) == 1 {
            size_of::<ServerConfig>()
                + self.config.greeting_text.capacity()
                + strings(&self.config.capabilities)
                + strings(&self.config.enableable)
                + self.config.auth_mechanisms.capacity() * size_of::<Mechanism>()
        } else {
            0
        };
        size_of::<Self>()
            + self.input.memory_usage()
            + self.out.memory_usage()
            + crate::nested_heap(self.outstanding.capacity(), &self.outstanding, |p| {
                p.tag.heap()
            })
            + self.cur_tag.heap()
            + self.append_prefix.capacity()
            + self.scratch.capacity()
            + strings(&self.enabled)
            + config
            + self.proxy.memory_usage()
    }

    /// Whether the session is over (after LOGOUT, BYE, EOF or a fatal error);
    /// flush [`poll_transmit`](Self::poll_transmit) and close.
    pub fn is_closed(&self) -> bool {
        self.phase == ServerState::Logout || self.error.is_some()
    }

    fn check(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None if self.phase == ServerState::Logout => Err(Error::Closed),
            None => Ok(()),
        }
    }

    /// Parses buffered input, answers what the machine can, and returns the
    /// next event for the application, or `Ok(None)` when it needs more input
    /// or waits for the application. Errors are fatal and sticky (a `BYE` is
    /// queued first where the protocol has one).
    pub fn poll_event(&mut self) -> Result<Option<ServerEvent<'_>>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match self.proxy.poll(&mut self.input, &mut self.out) {
            Ok(crate::session::Gate::Pass) => {}
            Ok(crate::session::Gate::Wait) => return Ok(None),
            Ok(crate::session::Gate::Header(info)) => return Ok(Some(ServerEvent::Proxied(info))),
            Err(e) => {
                self.error = Some(e.clone());
                self.phase = ServerState::Logout;
                return Err(e);
            }
        }
        let step = self.step();
        match &step {
            Ok(Some(_)) => {}
            Ok(None) => {
                // nothing borrows the buffer: drop what was consumed
                self.input.compact();
                self.release_idle();
            }
            Err(e) => {
                self.error = Some(e.clone());
                self.phase = ServerState::Logout;
            }
        }
        self.settle_charge();
        match step {
            Ok(Some(ev)) => self.materialize(ev).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn materialize(&self, ev: Ev) -> Result<ServerEvent<'_>, Error> {
        let tag = |s: &str| Tag::new(Cow::Owned(String::from(s)));
        let cur = || {
            tag(self.cur_tag.as_str()).ok_or(Error::Protocol(
                crate::error::PeerMisbehaved::ReparseMismatch,
            ))
        };
        Ok(match ev {
            // validated by `on_frame`
            Ev::Command(r) => {
                ServerEvent::Command(parse_command_trusted(&self.input.bytes()[r], &self.popts)?)
            }
            Ev::Login(r) => {
                let c = parse_command_trusted(&self.input.bytes()[r], &self.popts)?;
                let CommandBody::Login { username, password } = c.body else {
                    return Err(Error::Protocol(
                        crate::error::PeerMisbehaved::ReparseMismatch,
                    ));
                };
                ServerEvent::Login {
                    tag: c.tag,
                    username: Text(username.0),
                    password,
                }
            }
            Ev::Authenticate(authentication) => ServerEvent::Authenticate {
                tag: cur()?,
                authentication,
            },
            Ev::AuthLookup(l) => ServerEvent::AuthLookup(l),
            Ev::Literal(r, size) => {
                let head = &self.input.bytes()[r];
                let (t, rest) = split_tag(head);
                let name = command_name(rest);
                ServerEvent::LiteralRequested {
                    tag: tag(t.unwrap_or_default()).ok_or(Error::Protocol(
                        crate::error::PeerMisbehaved::ReparseMismatch,
                    ))?,
                    size,
                    command: Cow::Borrowed(core::str::from_utf8(name).unwrap_or_default()),
                }
            }
            Ev::AppendStart {
                size,
                binary,
                non_sync,
            } => {
                // validated by `append_message`
                let c = parse_command_trusted(&self.scratch, &self.popts)?;
                let CommandBody::Append { mailbox, messages } = c.body else {
                    return Err(Error::Protocol(
                        crate::error::PeerMisbehaved::ReparseMismatch,
                    ));
                };
                let first = messages.iter().next().ok_or(Error::Protocol(
                    crate::error::PeerMisbehaved::ReparseMismatch,
                ))?;
                ServerEvent::AppendStart {
                    tag: cur()?,
                    mailbox,
                    flags: first.flags,
                    date: first.date,
                    size,
                    binary,
                    non_sync,
                }
            }
            Ev::ReplaceStart {
                size,
                binary,
                non_sync,
            } => {
                // validated by `replace_message`
                let c = parse_command_trusted(&self.scratch, &self.popts)?;
                let CommandBody::Replace {
                    uid,
                    id,
                    mailbox,
                    message: crate::imap::AppendItem::Message(m),
                } = c.body
                else {
                    return Err(Error::Protocol(
                        crate::error::PeerMisbehaved::ReparseMismatch,
                    ));
                };
                ServerEvent::ReplaceStart {
                    tag: cur()?,
                    uid,
                    id,
                    mailbox,
                    flags: m.flags,
                    date: m.date,
                    size,
                    binary,
                    non_sync,
                }
            }
            Ev::AppendChunk(r) => ServerEvent::AppendChunk(Cow::Borrowed(&self.input.bytes()[r])),
            Ev::AppendEnd(more) => ServerEvent::AppendEnd { more },
            Ev::AppendAborted => ServerEvent::AppendAborted,
            Ev::Idle => ServerEvent::Idle { tag: cur()? },
            Ev::IdleDone => ServerEvent::IdleDone,
            Ev::StartTls => ServerEvent::StartTls,
            Ev::Compress => ServerEvent::Compress,
            Ev::Unauthenticated => ServerEvent::Unauthenticated,
        })
    }

    /// Gives back the buffers of a connection with nothing buffered, so an
    /// idle connection costs little memory.
    fn release_idle(&mut self) {
        if !self.is_idle() {
            return;
        }
        self.input.release();
        self.scan = Scan::default();
        self.append_prefix = Vec::new();
        self.scratch = Vec::new();
        if self.outstanding.is_empty() {
            self.outstanding = Vec::new();
        }
        self.out.release();
    }

    /// Nothing buffered or in progress on the input side.
    fn is_idle(&self) -> bool {
        self.input.is_drained() && self.read == Read::Frame && self.fetch.is_none()
    }

    fn buffered(&self) -> usize {
        self.input.buffered()
    }

    /// Waiting for the application: input may not pile up without bound.
    fn wait(&mut self) -> Result<Option<Ev>, Error> {
        if let Err(e) = self.input.check(self.input_limit()) {
            self.status(None, StatusKind::Bye, None, "too much pipelined input");
            return Err(e);
        }
        Ok(None)
    }

    /// Waiting for input.
    fn need_more(&mut self) -> Result<Option<Ev>, Error> {
        self.wait()?;
        // after EOF the application still answers what it was given
        if self.input.is_eof() && self.outstanding.is_empty() {
            self.phase = ServerState::Logout;
        }
        Ok(None)
    }

    fn step(&mut self) -> Result<Option<Ev>, Error> {
        loop {
            if self.phase == ServerState::Logout {
                return Ok(None);
            }
            if self.fetch.is_some() {
                return self.wait();
            }
            self.input.compact();
            if let Some(a) = self.sasl_done.take() {
                let tag = self.cur_tag.clone();
                self.outstanding.push(Pending {
                    tag,
                    kind: Kind::Login,
                });
                return Ok(Some(Ev::Authenticate(*a)));
            }
            let flow = match self.read {
                Read::Tls => return Ok(None),
                Read::Compress => return self.wait(),
                Read::AuthLookup => return self.wait(),
                Read::Decision { .. } => return self.wait(),
                Read::Frame => {
                    if self.outstanding.iter().any(|p| p.kind.is_barrier()) {
                        return self.wait();
                    }
                    if !self.skip_line.resume(&mut self.input.reader()) {
                        return self.need_more();
                    }
                    match self.scan_frame()? {
                        Scanned::NeedMore => return self.need_more(),
                        Scanned::BadLine => {
                            self.bad(None, None, "bare CR or LF in command line")?;
                            Flow::Continue
                        }
                        Scanned::Literal(lit, ce, ds) => self.on_literal(lit, ce, ds)?,
                        Scanned::Complete(end) => self.on_frame(end)?,
                    }
                }
                Read::AppendData { remaining } => {
                    if remaining == 0 {
                        self.read = Read::AppendTail;
                        self.scan = Scan::default();
                        continue;
                    }
                    let avail = self.buffered();
                    if avail == 0 {
                        return self.append_need_more();
                    }
                    let n = usize::try_from(remaining).map_or(avail, |r| r.min(avail));
                    let r = self.input.pos()..self.input.pos() + n;
                    self.input.consume(n);
                    self.read = Read::AppendData {
                        remaining: remaining - n as u64,
                    };
                    Flow::Ev(Ev::AppendChunk(r))
                }
                Read::AppendTail => match self.scan_frame()? {
                    Scanned::NeedMore => return self.append_need_more(),
                    Scanned::BadLine => {
                        self.abort_append();
                        let tag = self.cur_tag.clone();
                        self.bad(Some(tag.as_str()), None, "bare CR or LF in command line")?;
                        Flow::Ev(Ev::AppendAborted)
                    }
                    Scanned::Complete(end) => {
                        let line = &self.input.unread()[..end];
                        let empty = line == b"\r\n" || line == b"\n";
                        self.input.consume(end);
                        self.scan = Scan::default();
                        self.read = Read::Frame;
                        if empty {
                            self.replacing = false;
                            Flow::Ev(Ev::AppendEnd(false))
                        } else {
                            let text = if self.replacing {
                                "unexpected data after REPLACE message"
                            } else {
                                "unexpected data after APPEND message"
                            };
                            self.abort_append();
                            let tag = self.cur_tag.clone();
                            self.bad(Some(tag.as_str()), None, text)?;
                            Flow::Ev(Ev::AppendAborted)
                        }
                    }
                    Scanned::Literal(lit, _, data_start) if self.replacing => {
                        // RFC 8508 §4.7: REPLACE takes one message (no
                        // MULTIAPPEND); the literal announced after it is
                        // refused (a non-synchronizing one is skipped).
                        self.abort_append();
                        let tag = self.cur_tag.clone();
                        self.refuse(
                            Some(tag.as_str()),
                            StatusKind::Bad,
                            None,
                            "REPLACE takes one message",
                            lit,
                            data_start,
                        )?;
                        Flow::Ev(Ev::AppendAborted)
                    }
                    Scanned::Literal(lit, content_end, data_start) => {
                        self.scan.held = None;
                        self.read = Read::AppendNext {
                            lit,
                            content_end,
                            data_start,
                        };
                        Flow::Ev(Ev::AppendEnd(true))
                    }
                },
                Read::AppendNext {
                    lit,
                    content_end,
                    data_start,
                } => {
                    self.read = Read::Frame;
                    let content = &self.input.unread()[..content_end];
                    let part = content.strip_prefix(b" ").unwrap_or(content);
                    let mut synth = core::mem::take(&mut self.append_prefix);
                    let keep = synth.len();
                    synth.extend_from_slice(part);
                    let r = self.append_message(synth, keep, lit, data_start, true)?;
                    if matches!(r, Flow::Continue) {
                        // refused by the machine: the command is over
                        Flow::Ev(Ev::AppendAborted)
                    } else {
                        r
                    }
                }
                Read::Discard { remaining } => {
                    let avail = self.buffered() as u64;
                    let n = avail.min(remaining);
                    self.input.consume(n as usize);
                    if n == remaining {
                        self.read = Read::DiscardLine;
                        self.scan = Scan::default();
                        continue;
                    }
                    self.read = Read::Discard {
                        remaining: remaining - n,
                    };
                    return self.need_more();
                }
                Read::DiscardLine => match self.next_line()? {
                    None => return self.need_more(),
                    Some((len, consumed)) => {
                        let content = &self.input.unread()[..len];
                        let next = announced(content);
                        self.input.consume(consumed);
                        self.read = match next {
                            Some(l) if l.mode != LiteralMode::Sync => {
                                Read::Discard { remaining: l.size }
                            }
                            _ => Read::Frame,
                        };
                        Flow::Continue
                    }
                },
                Read::AuthLine => match self.next_line()? {
                    None => return self.need_more(),
                    Some((len, consumed)) => {
                        let line = &self.input.unread()[..len];
                        let outcome = match self.sasl.as_mut() {
                            Some(pump) => pump.line(line),
                            None => ServerOutcome::Failed(Failure::Malformed),
                        };
                        self.input.consume(consumed);
                        self.read = Read::Frame;
                        self.sasl_outcome(outcome)?
                    }
                },
                Read::Idle => match self.next_line()? {
                    None => return self.need_more(),
                    Some((len, consumed)) => {
                        let done = self.input.unread()[..len].eq_ignore_ascii_case(b"DONE");
                        self.input.consume(consumed);
                        self.read = Read::Frame;
                        let tag = self.cur_tag.clone();
                        if done {
                            self.status(
                                Some(tag.as_str()),
                                StatusKind::Ok,
                                None,
                                "IDLE terminated",
                            );
                        } else {
                            self.bad(Some(tag.as_str()), None, "expected DONE")?;
                        }
                        Flow::Ev(Ev::IdleDone)
                    }
                },
            };
            match flow {
                Flow::Ev(ev) => return Ok(Some(ev)),
                Flow::Continue => continue,
                Flow::Wait => return self.wait(),
            }
        }
    }

    /// EOF in the middle of an APPEND: the application drops the message.
    fn append_need_more(&mut self) -> Result<Option<Ev>, Error> {
        self.wait()?;
        if self.input.is_eof() {
            self.phase = ServerState::Logout;
            self.abort_append();
            return Ok(Some(Ev::AppendAborted));
        }
        Ok(None)
    }

    fn abort_append(&mut self) {
        self.replacing = false;
        self.outstanding.retain(|p| p.kind != Kind::Append);
        self.read = Read::Frame;
        self.scan = Scan::default();
    }

    /// One line at `pos` (AUTHENTICATE responses, DONE, discarded rests).
    fn next_line(&mut self) -> Result<Option<(usize, usize)>, Error> {
        let limit = self.line_limit();
        self.finder.set_limit(limit);
        match self.finder.find(self.input.unread()) {
            Ok(Some(l)) => Ok(Some((l.len, l.consumed))),
            Ok(None) => Ok(None),
            Err(Error::BareLineEnding(_)) => {
                // Treated as a line end: what matters is staying in step.
                self.finder.reset();
                let rest = self.input.unread();
                let i = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(0);
                let consumed = if rest.get(i) == Some(&b'\r') && rest.get(i + 1) != Some(&b'\n') {
                    i + 1
                } else {
                    memchr::memchr(b'\n', rest).map_or(rest.len(), |j| j + 1)
                };
                Ok(Some((i, consumed)))
            }
            Err(Error::Limit(_)) => {
                self.status(None, StatusKind::Bye, None, "line too long");
                Err(Error::limit(LimitKind::CommandLine, limit))
            }
            Err(e) => Err(e),
        }
    }

    /// Frames the command at `pos` up to its end or its next literal.
    fn scan_frame(&mut self) -> Result<Scanned, Error> {
        if let Some((lit, ce, ds)) = self.scan.held {
            return Ok(Scanned::Literal(lit, ce, ds));
        }
        if let Some(end) = self.scan.done {
            return Ok(Scanned::Complete(end));
        }
        if let Some(end) = self.scan.lit_end {
            if self.buffered() < end {
                return Ok(Scanned::NeedMore);
            }
            self.scan.seg = end;
            self.scan.lit_end = None;
        }
        let seg_abs = self.input.pos() + self.scan.seg;
        let limit = self.line_limit();
        let budget = limit.saturating_sub(self.scan.line_bytes);
        self.finder.set_limit(budget);
        match self.finder.find(&self.input.bytes()[seg_abs..]) {
            Ok(None) => Ok(Scanned::NeedMore),
            Ok(Some(line)) => {
                self.scan.line_bytes += line.consumed;
                let content = &self.input.bytes()[seg_abs..seg_abs + line.len];
                match announced(content) {
                    None => {
                        let end = self.scan.seg + line.consumed;
                        self.scan.done = Some(end);
                        Ok(Scanned::Complete(end))
                    }
                    Some(lit) => {
                        let ce = self.scan.seg + line.len;
                        let ds = self.scan.seg + line.consumed;
                        self.scan.held = Some((lit, ce, ds));
                        Ok(Scanned::Literal(lit, ce, ds))
                    }
                }
            }
            Err(Error::BareLineEnding(_)) => {
                // The whole command is dropped, never executed.
                self.finder.reset();
                self.input.consume(self.scan.seg);
                self.scan = Scan::default();
                self.skip_line.drop_line(&mut self.input.reader());
                Ok(Scanned::BadLine)
            }
            Err(Error::Limit(_)) => {
                self.status(None, StatusKind::Bye, None, "command line too long");
                Err(Error::limit(LimitKind::CommandLine, limit))
            }
            Err(e) => Err(e),
        }
    }

    /// Refuses a literal announced at `data_start` (relative to `pos`): the
    /// answer is sent, and the command's bytes are dropped (and the literal's
    /// bytes skipped as they arrive when the client sends them anyway).
    #[allow(clippy::too_many_arguments)]
    fn refuse(
        &mut self,
        tag: Option<&str>,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
        lit: LiteralAnnouncement,
        data_start: usize,
    ) -> Result<Flow, Error> {
        self.input.consume(data_start);
        self.scan = Scan::default();
        self.read = if lit.mode == LiteralMode::Sync {
            Read::Frame
        } else {
            Read::Discard {
                remaining: lit.size,
            }
        };
        if kind == StatusKind::Bad {
            self.bad(tag, code, text)?;
        } else {
            self.status(tag, kind, code, text);
        }
        Ok(Flow::Continue)
    }

    /// The literal rules and the size limits; `Some` (the answer) when the
    /// literal is refused.
    ///
    /// ```text
    /// literal  = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
    /// literal8 = "~{" number ["+"] "}" CRLF *OCTET       ; RFC 4466
    /// ```
    fn literal_rule(&self, lit: LiteralAnnouncement, append: bool) -> Option<Refusal> {
        if lit.mode == LiteralMode::NonSyncMinus && !self.config.accept_minus_literals {
            // no such syntax: the client meant a literal, so its bytes are
            // discarded with the command rather than run as commands
            return Some((
                StatusKind::Bad,
                Some(Code::ClientBug),
                "a non-synchronizing literal is announced with a plus sign (RFC 7888)",
            ));
        }
        if lit.mode != LiteralMode::Sync {
            let support = self.literal_support();
            if support == LiteralSupport::SyncOnly {
                return Some((
                    StatusKind::Bad,
                    Some(Code::ClientBug),
                    "non-synchronizing literals are not supported",
                ));
            }
            // RFC 7888 §4: "reject ... with a tagged BAD response that
            // contains the new [TOOBIG] response code"
            if (support == LiteralSupport::Minus || lit.mode == LiteralMode::NonSyncMinus)
                && lit.size > LITERAL_MINUS_MAX
            {
                return Some((
                    StatusKind::Bad,
                    Some(Code::TooBig),
                    "non-synchronizing literal over 4096 bytes",
                ));
            }
        }
        let l = &self.config.limits;
        let fit = |input: usize, line: usize| {
            u64::try_from(input.saturating_sub(line)).unwrap_or(u64::MAX)
        };
        let max = if self.unauthenticated() {
            l.unauthenticated_literal
                .min(l.literal_size)
                .min(fit(self.input_limit(), self.line_limit()))
        } else if append {
            l.literal_size.min(l.message_size)
        } else {
            l.literal_size.min(fit(l.input_buffer, l.command_line))
        };
        (lit.size > max).then_some((StatusKind::No, Some(Code::TooBig), "literal too large"))
    }

    fn on_literal(
        &mut self,
        lit: LiteralAnnouncement,
        content_end: usize,
        data_start: usize,
    ) -> Result<Flow, Error> {
        let head = &self.input.unread()[..content_end];
        let (tag, rest) = split_tag(head);
        let tag = tag.map(StoredTag::new);
        let name = command_name(rest);
        let append = name.eq_ignore_ascii_case(b"APPEND")
            && !(self.scan.literals == 0
                && rest
                    .get(name.len() + 1..)
                    .is_some_and(|a| a.starts_with(b"{") || a.starts_with(b"~{")))
            // CATENATE parts (RFC 4469) are read whole, as command literals
            && !crate::imap::parse::ext::uses_catenate(rest);
        // the message literal of `[UID] REPLACE` (RFC 8508), streamed as
        // APPEND's is; a literal inside the mailbox name or a CATENATE
        // part is a command literal
        let replace = (name.eq_ignore_ascii_case(b"UID")
            || name.eq_ignore_ascii_case(crate::imap::ext::replace::parse::NAME))
            && is_replace_head(rest, &self.popts);
        let Some(tag) = tag else {
            return self.refuse(None, StatusKind::Bad, None, "invalid tag", lit, data_start);
        };
        if replace {
            // RFC 8508 §3.2, Result: "BAD - command unknown or arguments
            // invalid"; checked before the size so an unknown command is
            // not answered with a size
            let state = match self.phase {
                _ if !self.config.replace => Some((None, "unknown command")),
                ServerState::NotAuthenticated => Some((Some(Code::ClientBug), "not authenticated")),
                // §3.5: "MUST only be valid in the selected state"
                ServerState::Selected { .. } => None,
                _ => Some((Some(Code::ClientBug), "no mailbox selected")),
            };
            if let Some((code, text)) = state {
                return self.refuse(
                    Some(tag.as_str()),
                    StatusKind::Bad,
                    code,
                    text,
                    lit,
                    data_start,
                );
            }
        }
        if let Some((kind, code, text)) = self.literal_rule(lit, append || replace) {
            return self.refuse(Some(tag.as_str()), kind, code, text, lit, data_start);
        }
        if replace {
            if !self.outstanding.is_empty() {
                return Ok(Flow::Wait);
            }
            self.cur_tag = tag;
            let synth = head.to_vec();
            return self.replace_message(synth, lit, data_start);
        }
        if append {
            if !self.outstanding.is_empty() {
                return Ok(Flow::Wait);
            }
            if self.phase == ServerState::NotAuthenticated {
                return self.refuse(
                    Some(tag.as_str()),
                    StatusKind::Bad,
                    Some(Code::ClientBug),
                    "not authenticated",
                    lit,
                    data_start,
                );
            }
            self.cur_tag = tag;
            let synth = head.to_vec();
            return self.append_message(synth, 0, lit, data_start, false);
        }
        let preauth_ok = [&b"LOGIN"[..], b"AUTHENTICATE", b"ID"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n));
        if self.phase == ServerState::NotAuthenticated && !preauth_ok {
            // no literal is taken from a client that has not logged in,
            // except for the commands it may send now
            return self.refuse(
                Some(tag.as_str()),
                StatusKind::Bad,
                Some(Code::ClientBug),
                "not authenticated",
                lit,
                data_start,
            );
        }
        if lit.mode == LiteralMode::NonSyncMinus {
            // accepted under the quirk: read on as the `{n+}` it stands for
            let at = self.input.pos() + content_end - 2;
            if let Some(b @ b'-') = self.input.byte_mut(at) {
                *b = b'+';
            }
        }
        let sync = lit.mode == LiteralMode::Sync;
        if sync && self.unauthenticated() && !self.make_room(data_start, lit.size) {
            // the shared budget cannot hold it: refused before it is sent
            return self.refuse(
                Some(tag.as_str()),
                StatusKind::No,
                Some(Code::Unavailable),
                "server busy, try again later",
                lit,
                data_start,
            );
        }
        if !sync || lit.size <= self.config.auto_accept_literal {
            if sync {
                self.continuation();
            }
            self.take_literal(lit.size, data_start);
            return Ok(Flow::Continue);
        }
        self.read = Read::Decision {
            append: false,
            sync,
            size: lit.size,
            data_start,
        };
        Ok(Flow::Ev(Ev::Literal(
            self.input.pos()..self.input.pos() + content_end,
            lit.size,
        )))
    }

    /// Before authentication: room in the input buffer for a synchronizing
    /// literal of `size` bytes whose data starts at `data_start`, charged to
    /// the shared budget before the client is invited to send it.
    fn make_room(&mut self, data_start: usize, size: u64) -> bool {
        self.input.compact_front();
        let need = usize::try_from(size)
            .unwrap_or(usize::MAX)
            .saturating_add(data_start)
            .saturating_add(2)
            .min(self.input_limit());
        self.grow_input(need)
    }

    fn continuation(&mut self) {
        let _ = self.write(&Response::Continue(Continue::Text {
            code: None,
            text: Text::borrowed(b"Ready for literal data"),
        }));
    }

    /// A literal inside a command is accepted: wait for its bytes.
    fn take_literal(&mut self, size: u64, data_start: usize) {
        self.scan.held = None;
        self.scan.literals += 1;
        // size was bounded by the input buffer limit in `literal_rule`
        self.scan.lit_end =
            Some(data_start.saturating_add(usize::try_from(size).unwrap_or(usize::MAX)));
        self.read = Read::Frame;
    }

    /// An APPEND message literal: `synth` holds the command up to the
    /// literal's announcement (`keep` bytes of it are the prefix up to the
    /// first message); it is parsed with the literal replaced by an empty one.
    fn append_message(
        &mut self,
        mut synth: Vec<u8>,
        keep: usize,
        lit: LiteralAnnouncement,
        data_start: usize,
        more: bool,
    ) -> Result<Flow, Error> {
        let tag = self.cur_tag.clone();
        if more {
            if let Some((kind, code, text)) = self.literal_rule(lit, true) {
                self.outstanding.retain(|p| p.kind != Kind::Append);
                return self.refuse(Some(tag.as_str()), kind, code, text, lit, data_start);
            }
        }
        let Some(brace) = memchr::memrchr(b'{', &synth[keep..]) else {
            return self.refuse(
                Some(tag.as_str()),
                StatusKind::Bad,
                None,
                "literal expected",
                lit,
                data_start,
            );
        };
        synth.truncate(keep + brace);
        synth.extend_from_slice(b"{0}\r\n\r\n");
        let parsed = parse_command(&synth, &self.popts).map(|c| match c.body {
            CommandBody::Append { messages, .. } => messages
                .raw()
                .map(|raw| (raw.as_ptr() as usize).saturating_sub(synth.as_ptr() as usize)),
            _ => None,
        });
        let prefix_len = match parsed {
            Ok(Some(n)) => n,
            Ok(None) => {
                if more {
                    self.outstanding.retain(|p| p.kind != Kind::Append);
                }
                return self.refuse(
                    Some(tag.as_str()),
                    StatusKind::Bad,
                    None,
                    "invalid APPEND",
                    lit,
                    data_start,
                );
            }
            Err(e) => {
                if more {
                    self.outstanding.retain(|p| p.kind != Kind::Append);
                }
                let text = syntax_text(&e);
                return self.refuse(
                    Some(tag.as_str()),
                    StatusKind::Bad,
                    None,
                    &text,
                    lit,
                    data_start,
                );
            }
        };
        self.append_prefix.clear();
        self.append_prefix
            .extend_from_slice(&synth[..prefix_len.min(synth.len())]);
        let (size, binary, non_sync) = self.await_message(synth, lit, data_start);
        Ok(Flow::Ev(Ev::AppendStart {
            size,
            binary,
            non_sync,
        }))
    }

    /// The message literal of an APPEND or a REPLACE comes next: keeps the
    /// command (`synth`) and waits for the application's decision on the
    /// literal. Returns its size, whether it is a literal8, and whether it
    /// is non-synchronizing.
    fn await_message(
        &mut self,
        synth: Vec<u8>,
        lit: LiteralAnnouncement,
        data_start: usize,
    ) -> (u64, bool, bool) {
        self.scratch = synth;
        self.scan.held = None;
        self.read = Read::Decision {
            append: true,
            sync: lit.mode == LiteralMode::Sync,
            size: lit.size,
            data_start,
        };
        (lit.size, lit.binary, lit.mode != LiteralMode::Sync)
    }

    /// Whether the application offers `name`: one of
    /// [`ServerConfig::capabilities`], case-insensitively.
    fn offers(&self, name: &str) -> bool {
        self.config
            .capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    }

    /// A PARTIAL (RFC 9394) that was not advertised: the FETCH modifier and
    /// a range counted from the end need PARTIAL; RFC 5267's range needs
    /// PARTIAL or CONTEXT=SEARCH (CONTEXT=SORT on SORT).
    fn unadvertised_partial(&self, body: &CommandBody<'_>) -> bool {
        let Some(range) = body.partial() else {
            return false;
        };
        if self.config.partial || self.offers("PARTIAL") {
            return false;
        }
        let context = match body {
            CommandBody::Search { .. } => self.offers("CONTEXT=SEARCH"),
            CommandBody::Sort { .. } => self.offers("CONTEXT=SORT"),
            _ => false,
        };
        range.from_end || !context
    }

    /// The message literal of a REPLACE (RFC 8508): `synth` holds the
    /// command up to the literal's announcement; it is parsed with the
    /// literal replaced by an empty one, and the message is handed out in
    /// chunks like an APPEND's.
    fn replace_message(
        &mut self,
        mut synth: Vec<u8>,
        lit: LiteralAnnouncement,
        data_start: usize,
    ) -> Result<Flow, Error> {
        let tag = self.cur_tag.clone();
        let Some(brace) = memchr::memrchr(b'{', &synth) else {
            return self.refuse(
                Some(tag.as_str()),
                StatusKind::Bad,
                None,
                "literal expected",
                lit,
                data_start,
            );
        };
        synth.truncate(brace);
        synth.extend_from_slice(b"{0}\r\n\r\n");
        let text = match parse_command(&synth, &self.popts) {
            Ok(Command {
                body:
                    CommandBody::Replace {
                        message: crate::imap::AppendItem::Message(_),
                        ..
                    },
                ..
            }) => None,
            Ok(_) => Some(String::from("invalid REPLACE")),
            Err(e) => Some(syntax_text(&e)),
        };
        if let Some(text) = text {
            return self.refuse(
                Some(tag.as_str()),
                StatusKind::Bad,
                None,
                &text,
                lit,
                data_start,
            );
        }
        self.replacing = true;
        let (size, binary, non_sync) = self.await_message(synth, lit, data_start);
        Ok(Flow::Ev(Ev::ReplaceStart {
            size,
            binary,
            non_sync,
        }))
    }

    fn classify(&self, body: &CommandBody<'_>) -> Class {
        use CommandBody as C;
        let nonauth = self.phase == ServerState::NotAuthenticated;
        let selected = matches!(self.phase, ServerState::Selected { .. });
        let auth = |k: Kind| {
            if nonauth {
                Class::WrongState("not authenticated")
            } else {
                Class::App(k)
            }
        };
        let sel = |k: Kind| {
            if selected {
                Class::App(k)
            } else if nonauth {
                Class::WrongState("not authenticated")
            } else {
                Class::WrongState("no mailbox selected")
            }
        };
        match body {
            C::Capability => Class::Capability,
            C::Logout => Class::Logout,
            C::Noop | C::Id(_) => Class::App(Kind::Other),
            C::StartTls | C::Login { .. } | C::Authenticate { .. } if !nonauth => {
                Class::WrongState("already authenticated")
            }
            C::StartTls => Class::StartTls,
            C::Login { .. } => Class::Login,
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                let m = Mechanism::from_name(mechanism.as_str().as_bytes())
                    .filter(|m| self.config.auth_mechanisms.contains(m));
                let (ir, bad_ir) = match initial_response
                    .as_ref()
                    .map(|s| decode_client_line(s.expose()))
                {
                    None => (None, false),
                    Some(Ok(ClientLine::Response(r))) => (Some(r), false),
                    Some(_) => (None, true),
                };
                Class::Authenticate(
                    m,
                    ir,
                    bad_ir || (initial_response.is_some() && !self.config.sasl_ir),
                )
            }
            C::Enable(list) => {
                if self.config.enableable.is_empty() {
                    Class::Unknown
                } else if self.phase == ServerState::Authenticated {
                    Class::Enable(list.iter().map(|a| String::from(a.as_str())).collect())
                } else if nonauth {
                    Class::WrongState("not authenticated")
                } else {
                    Class::WrongState("ENABLE is only valid in the authenticated state")
                }
            }
            C::Idle if !self.config.idle => Class::Unknown,
            C::Idle if nonauth => Class::WrongState("not authenticated"),
            C::Idle => Class::Idle,
            C::Unauthenticate if !self.config.unauthenticate => Class::Unknown,
            C::Unauthenticate if nonauth => Class::WrongState("not authenticated"),
            C::Unauthenticate => Class::Unauthenticate,
            // RFC 4978 §5: `command-auth =/ compress`: authenticated and
            // selected states only.
            C::Compress(_) if self.config.compress && nonauth => {
                Class::WrongState("not authenticated")
            }
            C::Compress(alg) if self.config.compress => {
                Class::Compress(alg.as_str().eq_ignore_ascii_case("DEFLATE"))
            }
            C::Search { .. } | C::Sort { .. } | C::ESearch { .. } | C::Fetch { .. }
                if self.unadvertised_partial(body) =>
            {
                Class::WrongState("PARTIAL is not advertised")
            }
            C::Unselect if !self.config.unselect => Class::Unknown,
            // RFC 8508 (a CATENATE message: its parts are command literals)
            C::Replace { .. } if !self.config.replace => Class::Unknown,
            C::Replace { .. } => sel(Kind::Barrier),
            C::Unselect | C::Close => sel(Kind::Close),
            // RFC 9586 §3: after ENABLE UIDONLY "the server MUST return
            // tagged BAD response if the client uses message sequence
            // numbers. The server SHOULD include the UIDREQUIRED response
            // code": commands over sequence numbers, UID SEARCH/SORT/THREAD
            // with a sequence-set key, SELECT/EXAMINE with QRESYNC's
            // seq-match-data (selected-state commands only when a mailbox is
            // selected: before that, the state is what is wrong)
            c if !nonauth
                && (selected
                    || matches!(c, C::Select { .. } | C::Examine { .. } | C::ESearch { .. }))
                && self.is_enabled(crate::imap::ext::uidonly::CAPABILITY)
                && c.uses_sequence_numbers() =>
            {
                Class::UidRequired
            }
            C::Select { .. } => auth(Kind::Select),
            C::Examine { .. } => auth(Kind::Examine),
            C::Expunge | C::UidExpunge(_) | C::Move { .. } => sel(Kind::Barrier),
            C::Check
            | C::Search { .. }
            | C::Fetch { .. }
            | C::Store { .. }
            | C::StoreGmailLabels { .. }
            | C::Copy { .. }
            | C::Sort { .. }
            | C::Thread { .. }
            | C::CancelUpdate(_) => sel(Kind::Other),
            C::Append { .. } | C::AppendCatenate { .. } | C::Compress(_) => auth(Kind::Barrier),
            C::Unknown { .. } => Class::Unknown,
            _ => auth(Kind::Other),
        }
    }

    /// A complete command frame of `end` bytes at `pos`.
    fn on_frame(&mut self, end: usize) -> Result<Flow, Error> {
        let frame = &self.input.unread()[..end];
        let (class, tag) = match parse_command(frame, &self.popts) {
            Ok(cmd) => (self.classify(&cmd.body), StoredTag::from(&cmd.tag)),
            Err(e) => {
                let tag = split_tag(frame).0.map(String::from);
                self.input.consume(end);
                self.scan = Scan::default();
                let text = syntax_text(&e);
                self.bad(tag.as_deref(), None, &text)?;
                return Ok(Flow::Continue);
            }
        };
        let to_app = matches!(class, Class::App(_) | Class::Login);
        let barrier = match &class {
            Class::App(k) => k.is_barrier(),
            Class::Login
            | Class::Logout
            | Class::StartTls
            | Class::Compress(_)
            | Class::Idle
            | Class::Authenticate(..)
            | Class::Unauthenticate
            | Class::Enable(_) => true,
            _ => false,
        };
        if (barrier && !self.outstanding.is_empty())
            || (to_app && self.outstanding.len() >= self.config.limits.pending_commands)
        {
            return Ok(Flow::Wait);
        }
        let range = self.input.pos()..self.input.pos() + end;
        self.input.consume(end);
        self.scan = Scan::default();
        let t = Some(tag.as_str());
        match class {
            Class::App(kind) => {
                self.outstanding.push(Pending { tag, kind });
                return Ok(Flow::Ev(Ev::Command(range)));
            }
            Class::Login => {
                if self.plaintext_refused() {
                    self.status(
                        t,
                        StatusKind::No,
                        Some(Code::PrivacyRequired),
                        "LOGIN requires TLS",
                    );
                } else {
                    self.outstanding.push(Pending {
                        tag,
                        kind: Kind::Login,
                    });
                    return Ok(Flow::Ev(Ev::Login(range)));
                }
            }
            Class::Capability => {
                let caps = self.capability_atoms();
                let _ = self.write(&Response::Data(Data::Capability(caps)));
                self.status(t, StatusKind::Ok, None, "CAPABILITY completed");
            }
            Class::Logout => {
                self.status(None, StatusKind::Bye, None, "logging out");
                self.status(t, StatusKind::Ok, None, "LOGOUT completed");
                self.phase = ServerState::Logout;
            }
            Class::StartTls => {
                // TLS goes under COMPRESS, never over it (RFC 4978 §3)
                if !self.config.tls_available || self.tls_active || self.compressed {
                    self.bad(t, None, "STARTTLS not available")?;
                } else {
                    self.status(t, StatusKind::Ok, None, "Begin TLS negotiation now");
                    // Anything pipelined after STARTTLS came in plaintext: drop
                    // it (RFC 9051 §6.2.1, CVE-2011-0411 class).
                    self.input.discard();
                    self.finder.reset();
                    self.read = Read::Tls;
                    return Ok(Flow::Ev(Ev::StartTls));
                }
            }
            // RFC 4978 §3, the results: "BAD Command unknown, invalid or
            // unknown argument, or COMPRESS already active".
            Class::Compress(_) if self.compressed => {
                self.bad(t, Some(Code::CompressionActive), "DEFLATE already active")?;
            }
            Class::Compress(false) => {
                self.bad(t, None, "unknown compression mechanism")?;
            }
            Class::Compress(true) => {
                // "the server MUST compress starting immediately after the
                // CRLF that ends the tagged OK response" (RFC 4978 §3). The
                // client MUST NOT send before it sees the OK; bytes that came
                // after the line anyway were compressed by it, and are kept
                // for the adapter to inflate.
                self.status(t, StatusKind::Ok, None, "DEFLATE active");
                self.finder.reset();
                self.read = Read::Compress;
                return Ok(Flow::Ev(Ev::Compress));
            }
            Class::Idle => {
                let _ = self.write(&Response::Continue(Continue::Text {
                    code: None,
                    text: Text::borrowed(b"idling"),
                }));
                self.cur_tag = tag;
                self.read = Read::Idle;
                return Ok(Flow::Ev(Ev::Idle));
            }
            Class::Authenticate(mech, ir, bad_ir) => {
                let Some(mech) = mech else {
                    self.status(
                        t,
                        StatusKind::No,
                        Some(Code::Cannot),
                        "unsupported mechanism",
                    );
                    return Ok(Flow::Continue);
                };
                if self.plaintext_refused() && mech.needs_tls() {
                    self.status(
                        t,
                        StatusKind::No,
                        Some(Code::PrivacyRequired),
                        "mechanism requires TLS",
                    );
                    return Ok(Flow::Continue);
                }
                if bad_ir {
                    self.bad(t, None, "invalid initial response")?;
                    return Ok(Flow::Continue);
                }
                let limit = self.config.limits.auth_exchanges;
                let (pump, outcome) = ServerSasl::start_decoded(mech, ir.as_deref(), limit);
                self.sasl = Some(pump);
                self.cur_tag = tag;
                return self.sasl_outcome(outcome);
            }
            Class::Enable(names) => {
                let mut now: Vec<Atom<'static>> = Vec::new();
                for n in names {
                    let Some(known) = self
                        .config
                        .enableable
                        .iter()
                        .find(|e| e.eq_ignore_ascii_case(&n))
                        .cloned()
                    else {
                        continue;
                    };
                    // UIDONLY changes what every later response may say
                    // (RFC 9586 §3): turned on only when it is advertised
                    // too, so a client never gets it unannounced
                    if known.eq_ignore_ascii_case(crate::imap::ext::uidonly::CAPABILITY)
                        && !self
                            .capabilities()
                            .iter()
                            .any(|c| c.eq_ignore_ascii_case(&known))
                    {
                        continue;
                    }
                    if !self.is_enabled(&known) {
                        if let Some(a) = Atom::new(known.clone()) {
                            now.push(a);
                        }
                        if known.eq_ignore_ascii_case("UTF8=ACCEPT") {
                            // RFC 6855 §3: names are UTF-8 from now on
                            self.popts.utf8 = true;
                        }
                        self.enabled.push(known);
                    }
                }
                let _ = self.write(&Response::Data(Data::Enabled(List::from_items(now))));
                self.status(t, StatusKind::Ok, None, "ENABLE completed");
            }
            Class::Unauthenticate => {
                // RFC 8437 §3: back to the not-authenticated state; the
                // selected mailbox is closed without expunging and what
                // ENABLE turned on is off again.
                self.status(t, StatusKind::Ok, None, "UNAUTHENTICATE completed");
                self.phase = ServerState::NotAuthenticated;
                self.enabled.clear();
                self.popts.utf8 = false;
                // the session's input counts against the shared budget again
                if !self.charge_to(self.input.memory_usage()) {
                    self.fail_budget();
                    return Ok(Flow::Continue);
                }
                return Ok(Flow::Ev(Ev::Unauthenticated));
            }
            Class::WrongState(text) => {
                self.bad(t, Some(Code::ClientBug), text)?;
            }
            Class::UidRequired => {
                self.bad(
                    t,
                    Some(Code::UidRequired),
                    "message sequence numbers are off after UIDONLY",
                )?;
            }
            Class::Unknown => {
                self.bad(t, None, "unknown command")?;
            }
        }
        Ok(Flow::Continue)
    }

    /// Carries out what the SASL pump says: a challenge, a lookup or the
    /// completed exchange for the application, or a failure.
    fn sasl_outcome(&mut self, outcome: ServerOutcome) -> Result<Flow, Error> {
        let tag = self.cur_tag.clone();
        let t = Some(tag.as_str());
        match outcome {
            ServerOutcome::Challenge(c) => {
                self.out.extend_from_slice(b"+ ");
                encode_base64(&c, &mut *self.out);
                self.out.extend_from_slice(b"\r\n");
                self.read = Read::AuthLine;
            }
            ServerOutcome::Lookup(l) => {
                self.read = Read::AuthLookup;
                return Ok(Flow::Ev(Ev::AuthLookup(l)));
            }
            ServerOutcome::Done(auth) => {
                self.sasl = None;
                self.outstanding.push(Pending {
                    tag,
                    kind: Kind::Login,
                });
                return Ok(Flow::Ev(Ev::Authenticate(auth)));
            }
            ServerOutcome::Failed(f) => {
                self.sasl = None;
                match f {
                    Failure::Cancelled => {
                        self.status(t, StatusKind::Bad, None, "AUTHENTICATE cancelled")
                    }
                    Failure::BadBase64 { initial: true } => {
                        self.bad(t, None, "invalid initial response")?
                    }
                    Failure::BadBase64 { initial: false } => {
                        self.bad(t, None, "invalid base64 in SASL response")?
                    }
                    Failure::TooMany => self.status(
                        t,
                        StatusKind::No,
                        Some(Code::Limit),
                        "too many SASL exchanges",
                    ),
                    Failure::Malformed | Failure::Rejected => self.status(
                        t,
                        StatusKind::No,
                        Some(Code::AuthenticationFailed),
                        "authentication failed",
                    ),
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Answers a [`ServerEvent::AuthLookup`] (see [`SaslLookup`]): the
    /// machine goes on with the exchange, and a proof that checks out
    /// arrives as [`ServerEvent::Authenticate`] with
    /// [`Authentication::Verified`], completed as for LOGIN.
    /// [`SaslAnswer::NoSuchUser`] fails the exchange. `Error::Misuse` when no
    /// lookup waits or the answer does not fit it.
    pub fn auth_lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let waiting = self.read == Read::AuthLookup;
        let outcome = answer_lookup(self.sasl.as_mut(), waiting, answer)?;
        self.read = Read::Frame;
        if let Flow::Ev(Ev::Authenticate(a)) = self.sasl_outcome(outcome)? {
            // reported by the next poll_event, with its pending entry
            self.outstanding.pop();
            self.sasl_done = Some(alloc::boxed::Box::new(a));
        }
        Ok(())
    }
}

// ---- helpers ----

/// `tag SP rest`: the tag if it is a valid one, and what follows its SP.
fn split_tag(frame: &[u8]) -> (Option<&str>, &[u8]) {
    let end = frame
        .iter()
        .position(|&b| matches!(b, b' ' | b'\r' | b'\n'))
        .unwrap_or(frame.len());
    let tag = core::str::from_utf8(&frame[..end])
        .ok()
        .filter(|t| Tag::new(*t).is_some());
    let rest = frame.get(end + 1..).unwrap_or_default();
    (tag, rest)
}

/// Whether `rest` (a command after its tag, up to a literal announcement)
/// is the head of a `[UID] REPLACE` whose message literal is announced
/// last (RFC 8508 §5).
fn is_replace_head(rest: &[u8], opts: &ParseOptions) -> bool {
    let mut line = Vec::with_capacity(rest.len() + 2);
    line.extend_from_slice(rest);
    line.extend_from_slice(b"\r\n");
    crate::imap::syntax::input::run(
        &line,
        crate::imap::syntax::input::In::with(&line, opts),
        crate::imap::ext::replace::parse::head,
    )
    .is_ok()
}

/// The command name at the start of `rest`.
fn command_name(rest: &[u8]) -> &[u8] {
    let n = rest
        .iter()
        .position(|b| !b.is_ascii_alphanumeric() && *b != b'-' && *b != b'_')
        .unwrap_or(rest.len());
    &rest[..n]
}

/// The literal announced at the end of a line's content, `{n-}` included
/// (no IMAP syntax, refused by [`Server::literal_rule`] unless the quirk is
/// on, but its bytes are known to be a literal); a size too large for 64
/// bits reads as `u64::MAX` (refused by the limits).
fn announced(content: &[u8]) -> Option<LiteralAnnouncement> {
    match literal_at_end_lenient(content) {
        Ok(l) => l,
        Err(_) => {
            let mode = if content.ends_with(b"+}") {
                LiteralMode::NonSyncPlus
            } else if content.ends_with(b"-}") {
                LiteralMode::NonSyncMinus
            } else {
                LiteralMode::Sync
            };
            Some(LiteralAnnouncement {
                size: u64::MAX,
                mode,
                binary: false,
            })
        }
    }
}

/// The text of a `BAD` for a command that does not parse: the parse error,
/// escaped (the excerpt is printable ASCII).
fn syntax_text(e: &Error) -> String {
    match e {
        Error::Parse(p) => alloc::format!("syntax error {p}"),
        Error::Limit(l) => alloc::format!("command too complex: {l}"),
        other => other.to_string(),
    }
}
