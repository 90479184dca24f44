//! The POP3 client state machine (RFC 1939 §3–§7, RFC 2449 §5–§6 CAPA and
//! PIPELINING, RFC 2595 §4 STLS, RFC 5034 §4 AUTH).
//!
//! ```
//! use mailwire::pop3::{Client, ClientConfig, ClientEvent, Command};
//! use mailwire::Text;
//!
//! // RFC 1939 §10, the example POP3 session: the server's lines
//! let server: [&[u8]; 8] = [
//!     b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
//!     b"+OK 2 320\r\n",
//!     b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
//!     b"+OK 120 octets\r\nmessage one\r\n.\r\n",
//!     b"+OK message 1 deleted\r\n",
//!     b"+OK 200 octets\r\n..message two\r\n.\r\n",
//!     b"+OK message 2 deleted\r\n",
//!     b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
//! ];
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
//! assert!(matches!(client.poll_event()?, Some(ClientEvent::Greeting(_))));
//! // the commands queue; without PIPELINING the machine sends each after the last answer
//! client.send_command(&Command::Apop { name: Text::borrowed(b"mrose"), digest: "c4c9334bac560ecc979e58001b3e22fb".into() })?;
//! client.stat()?;
//! client.list(None)?;
//! for msg in [1, 2] {
//!     client.retr(msg)?;
//!     client.dele(msg)?;
//! }
//! client.quit()?;
//! let (mut sizes, mut body, mut sent) = (Vec::new(), Vec::new(), Vec::new());
//! for lines in server {
//!     client.handle_input(lines);
//!     while let Some(event) = client.poll_event()? {
//!         match event {
//!             ClientEvent::ScanListing(s) => sizes.push((s.msg, s.size)),
//!             ClientEvent::BodyChunk(chunk) => body.extend_from_slice(&chunk),
//!             _ => {}
//!         }
//!     }
//!     sent.extend(std::iter::from_fn(|| client.poll_transmit()).flatten());
//! }
//! assert_eq!(sizes, [(1, 120), (2, 200)]);
//! assert_eq!(body, b"message one\r\n.message two\r\n"); // unstuffed
//! assert_eq!(String::from_utf8(sent).unwrap(), "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n\
//!     STAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n");
//! assert!(client.is_closed());
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! The machine knows which answers are multi-line from the command it sent
//! (LIST and UIDL without argument, RETR, TOP, CAPA and LANG without argument,
//! and only after `+OK`), so it never guesses from the data. Multi-line answers
//! are delivered line by line ([`ClientEvent::ScanListing`],
//! [`ClientEvent::UniqueId`], [`ClientEvent::Capability`], then
//! [`ClientEvent::ListingEnd`]) and message bodies chunk by chunk
//! ([`ClientEvent::BodyChunk`], then [`ClientEvent::BodyEnd`]), so memory stays
//! bounded by [`Limits`] whatever the mailbox or message size.
//!
//! Commands are sent one at a time, the next when the previous answer is
//! complete; once the server advertised `PIPELINING` (RFC 2449 §6.6) they are
//! sent at once and answers matched in order. STLS, AUTH and QUIT are never
//! pipelined past.
//!
//! A response line that does not parse costs that response: the machine emits
//! [`ClientEvent::MalformedResponse`] with the raw bytes and goes on with the
//! next one. When it was the first line of an answer that may be multi-line, the
//! first byte decides: `+` means the body follows (and is delivered as usual),
//! anything else means it does not. A listing line that does not parse costs
//! that line. A response nobody asked for, a body cut by EOF, or a limit
//! crossed is a fatal, sticky [`Error`].
//!
//! Actions: [`Client::send_command`] for any [`Command`], shorthands
//! ([`Client::login`], [`Client::apop`], [`Client::authenticate`],
//! [`Client::stls`], [`Client::capa`], [`Client::stat`], [`Client::list`],
//! [`Client::uidl`], [`Client::retr`], [`Client::top`], [`Client::dele`],
//! [`Client::rset`], [`Client::noop`], [`Client::quit`]), and
//! [`Client::tls_established`] after [`ClientEvent::StartTls`]. A command that
//! is wrong for the state is [`Error::Misuse`] and never reaches the wire, and
//! so is one the server did not advertise (STLS, AUTH with a mechanism not in
//! the SASL capability, UTF8, LANG, APOP without a greeting timestamp; after a
//! CAPA answer, USER, TOP and UIDL it does not list) unless
//! [`ClientConfig::trust_unadvertised`] is set.

use alloc::borrow::Cow;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ops::Range;
use core::time::Duration;

use crate::error::{Error, LimitKind, ParseError};
use crate::limits::Limits;
use crate::session::sasl::{Challenge, ClientSasl, InitialResponse};
use crate::session::{Input, Output, ReplyTimer, Unadvertised, unadvertised};
use crate::text::{Secret, Text};
use crate::wire::dot::{BodyPolicy, DotDecoder};
use crate::wire::line::{LineFinder, LinePolicy};
use crate::wire::sasl::Credentials;

use super::command::{Command, CommandKind};
use super::parse::parse_response;
use super::response::{
    Capability, Expire, LanguageListing, Response, ScanListing, Status, UniqueIdListing,
};

mod config;
pub use config::ClientConfig;
mod event;
pub use event::ClientEvent;

/// The POP3 session state (RFC 1939 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientState {
    /// Waiting for the greeting.
    Greeting,
    /// AUTHORIZATION: before login.
    Authorization,
    /// TRANSACTION: logged in, the maildrop is open.
    Transaction,
    /// UPDATE: QUIT was sent in TRANSACTION; the server is applying deletions.
    Update,
    /// The session is over.
    Closed,
}

/// The capabilities the server listed in its last CAPA answer (RFC 2449 §6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    list: Vec<Capability<'static>>,
}

impl Capabilities {
    /// All capabilities, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &Capability<'static>> {
        self.list.iter()
    }

    /// Whether none are known (CAPA not sent, refused, or forgotten after STLS).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether `PIPELINING` was listed.
    pub fn pipelining(&self) -> bool {
        self.list.contains(&Capability::Pipelining)
    }

    /// Whether `STLS` was listed.
    pub fn stls(&self) -> bool {
        self.list.contains(&Capability::Stls)
    }

    /// Whether `TOP` was listed.
    pub fn top(&self) -> bool {
        self.list.contains(&Capability::Top)
    }

    /// Whether `UIDL` was listed.
    pub fn uidl(&self) -> bool {
        self.list.contains(&Capability::Uidl)
    }

    /// Whether `USER` was listed.
    pub fn user(&self) -> bool {
        self.list.contains(&Capability::User)
    }

    /// Whether `LANG` was listed (RFC 6856 §3).
    pub fn lang(&self) -> bool {
        self.list.contains(&Capability::Lang)
    }

    /// Whether `UTF8 USER` was listed (RFC 6856 §2): after the UTF8 command
    /// the server takes UTF-8 user names and passwords.
    pub fn utf8_user(&self) -> bool {
        self.list.contains(&Capability::Utf8 { user: true })
    }

    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5): the minimum seconds between
    /// logins, and whether it varies per user (`USER`, listed before login;
    /// after login the user's own value is listed).
    pub fn login_delay(&self) -> Option<(u32, bool)> {
        self.list.iter().find_map(|c| match c {
            Capability::LoginDelay { seconds, per_user } => Some((*seconds, *per_user)),
            _ => None,
        })
    }

    /// `EXPIRE n|NEVER [USER]` (RFC 2449 §6.7): how long the server keeps
    /// messages, and whether it varies per user.
    pub fn expire(&self) -> Option<(Expire, bool)> {
        self.list.iter().find_map(|c| match c {
            Capability::Expire { policy, per_user } => Some((*policy, *per_user)),
            _ => None,
        })
    }

    /// Whether SASL `mechanism` was listed.
    pub fn sasl(&self, mechanism: &str) -> bool {
        self.list.iter().any(|c| match c {
            Capability::Sasl(m) => m.contains(mechanism),
            _ => false,
        })
    }
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    kind: CommandKind,
    multiline: bool,
}

#[derive(Clone, Debug)]
enum Mode {
    Line,
    Listing(CommandKind),
    Body { size: u64 },
}

/// An event with ranges into the buffer instead of borrows (to keep the
/// borrow checker out of the parsing loop).
enum Step {
    Greeting(Range<usize>),
    Response(CommandKind, Range<usize>),
    Scan(ScanListing),
    Listing(CommandKind, Range<usize>),
    ListingEnd(CommandKind),
    Chunk(Range<usize>),
    BodyEnd,
    StartTls,
    AuthChallenge,
    Malformed(Option<CommandKind>, Range<usize>, ParseError),
}

/// The POP3 client machine; see the [module docs](self).
///
/// ```
/// use mailwire::pop3::{Client, ClientConfig, ClientEvent, CommandKind};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.login("alice", "secret")?;
/// client.handle_input(b"+OK ready\r\n+OK\r\n-ERR [AUTH] invalid password\r\n");
/// let mut answers = Vec::new();
/// while let Some(event) = client.poll_event()? {
///     if let ClientEvent::Response { command, response } = event {
///         answers.push((command, response.is_ok()));
///     }
/// }
/// // RFC 2449 §8.1 / RFC 3206 §4: [AUTH] says the credentials were wrong
/// assert_eq!(answers, [(CommandKind::User, true), (CommandKind::Pass, false)]);
/// let sent: Vec<u8> = std::iter::from_fn(|| client.poll_transmit()).flatten().collect();
/// assert_eq!(sent, b"USER alice\r\nPASS secret\r\n");
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    input: Input,
    finder: LineFinder,
    mode: Mode,
    dec: DotDecoder,
    body_end_pending: bool,
    state: ClientState,
    pending: VecDeque<Pending>,
    queued: VecDeque<(Pending, Vec<u8>)>,
    out: Output,
    capabilities: Capabilities,
    reading_capa: bool,
    had_capa: bool,
    timestamp: Option<Vec<u8>>,
    /// The raw path's last challenge, for [`ClientEvent::AuthChallenge`].
    challenge: Vec<u8>,
    /// The AUTH exchange in progress.
    sasl: Option<ClientSasl>,
    tls_pending: bool,
    tls_active: bool,
    /// The server answered `+OK` to UTF8 (RFC 6856 §2).
    utf8: bool,
    error: Option<Error>,
    /// The server's silence while the greeting or a response is awaited
    /// (greeting, command or body timeout).
    wait: ReplyTimer,
}

impl Client {
    /// A client waiting for the server's greeting. No I/O happens.
    pub fn new(config: ClientConfig) -> Client {
        let finder = LineFinder::new(
            config.limits.reply_line,
            LimitKind::ReplyLine,
            config.line_policy,
        );
        let tls_active = config.tls_active;
        Client {
            config,
            input: Input::default(),
            finder,
            mode: Mode::Line,
            dec: DotDecoder::new(BodyPolicy::Strict),
            body_end_pending: false,
            state: ClientState::Greeting,
            pending: VecDeque::new(),
            queued: VecDeque::new(),
            out: Output::default(),
            capabilities: Capabilities::default(),
            reading_capa: false,
            had_capa: false,
            timestamp: None,
            challenge: Vec::new(),
            sasl: None,
            tls_pending: false,
            tls_active,
            utf8: false,
            error: None,
            wait: ReplyTimer::default(),
        }
    }

    /// The session state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// Whether TLS is active (implicit, or after STLS and
    /// [`tls_established`](Self::tls_established)).
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Sends `USER user` then `PASS password` (RFC 1939 §7). Both answers
    /// arrive as [`ClientEvent::Response`]; the second says whether the login
    /// worked. `password` is anything that converts into a [`Secret`]: `"pw"`,
    /// a `String`, a `Secret` or `&Secret` (the same signature as the IMAP
    /// client's `login`).
    pub fn login<'p>(&mut self, user: &str, password: impl Into<Secret<'p>>) -> Result<(), Error> {
        let password: Secret<'p> = password.into();
        let pass = Command::Pass {
            password: Secret(Cow::Borrowed(password.expose())),
        };
        let user = Command::User {
            name: Text::borrowed(user.as_bytes()),
        };
        // Check both before queueing either.
        user.validate()?;
        pass.validate()?;
        self.check_utf8_credentials(&pass)?;
        self.send_command(&user)?;
        self.send_command(&pass)
    }

    /// Sends `STLS` (RFC 2595 §4); the answer is [`ClientEvent::StartTls`] or a
    /// `-ERR` response.
    pub fn stls(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Stls)
    }

    /// Sends `CAPA` (RFC 2449 §5).
    pub fn capa(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Capa)
    }

    /// Sends `STAT`; see [`Response::drop_listing`].
    pub fn stat(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Stat)
    }

    /// Sends `LIST [msg]`.
    pub fn list(&mut self, msg: Option<u32>) -> Result<(), Error> {
        self.send_command(&Command::List { msg })
    }

    /// Sends `UIDL [msg]`.
    pub fn uidl(&mut self, msg: Option<u32>) -> Result<(), Error> {
        self.send_command(&Command::Uidl { msg })
    }

    /// Sends `RETR msg`; the message arrives as [`ClientEvent::BodyChunk`]s.
    pub fn retr(&mut self, msg: u32) -> Result<(), Error> {
        self.send_command(&Command::Retr { msg })
    }

    /// Sends `TOP msg lines`.
    pub fn top(&mut self, msg: u32, lines: u32) -> Result<(), Error> {
        self.send_command(&Command::Top { msg, lines })
    }

    /// Sends `DELE msg`.
    pub fn dele(&mut self, msg: u32) -> Result<(), Error> {
        self.send_command(&Command::Dele { msg })
    }

    /// Sends `NOOP`.
    pub fn noop(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Noop)
    }

    /// Sends `RSET`.
    pub fn rset(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Rset)
    }

    /// Sends `QUIT`; in TRANSACTION the server then removes the deleted
    /// messages (UPDATE).
    pub fn quit(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Quit)
    }

    /// What the last CAPA answer listed (empty before CAPA and after STLS).
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// The APOP timestamp of the greeting, angle brackets included.
    pub fn apop_timestamp(&self) -> Option<&[u8]> {
        self.timestamp.as_deref()
    }

    /// Commands sent or queued and not yet answered.
    pub fn pending_commands(&self) -> usize {
        self.pending.len() + self.queued.len()
    }

    client_io_methods!();

    /// Whether the machine waits for the server: the greeting, a response,
    /// or the rest of a listing or body.
    fn awaits_server(&self) -> bool {
        self.state == ClientState::Greeting
            || !self.pending.is_empty()
            || !matches!(self.mode, Mode::Line)
    }

    /// When the machine next needs [`handle_timeout`](Self::handle_timeout)
    /// (the crate's time contract): while the server is awaited, the
    /// deadline of the greeting, command or body timeout, or at once after
    /// input or output restarted it. `None` when nothing is awaited.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.wait
            .deadline(!self.is_closed() && self.awaits_server())
    }

    /// Reports the time (since any fixed point the caller chooses). When the
    /// server stayed silent past the greeting, command or body timeout, the
    /// session ends with [`ClientEvent::TimedOut`].
    pub fn handle_timeout(&mut self, now: Duration) {
        let awaited = (!self.is_closed() && self.awaits_server()).then(|| {
            if self.state == ClientState::Greeting {
                self.config.greeting_timeout
            } else if matches!(self.mode, Mode::Line) {
                self.config.command_timeout
            } else {
                self.config.body_timeout
            }
        });
        if self.wait.expired(now, awaited) {
            self.state = ClientState::Closed;
        }
    }

    /// Memory this machine holds: its size, its buffers and queues. The
    /// capability list is counted by its entries' size (the few owned names
    /// inside them are not).
    pub fn memory_usage(&self) -> usize {
        size_of::<Self>()
            + self.input.memory_usage()
            + self.out.memory_usage()
            + self.pending.capacity() * size_of::<Pending>()
            + crate::nested_heap(self.queued.capacity(), &self.queued, |(_, b)| b.capacity())
            + self.capabilities.list.capacity() * size_of::<Capability<'static>>()
            + self.timestamp.as_ref().map_or(0, Vec::capacity)
            + self.challenge.capacity()
            + self.sasl.as_ref().map_or(0, ClientSasl::memory_usage)
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.state == ClientState::Closed || self.error.is_some()
    }

    fn check_usable(&self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.state == ClientState::Closed || self.state == ClientState::Update {
            return Err(Error::Closed);
        }
        if self.tls_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::TlsPending));
        }
        Ok(())
    }

    fn auth_in_flight(&self) -> bool {
        self.pending
            .iter()
            .chain(self.queued.iter().map(|(p, _)| p))
            .any(|p| {
                matches!(
                    p.kind,
                    CommandKind::Pass | CommandKind::Apop | CommandKind::Auth
                )
            })
    }

    /// Sends (or queues, until the server may take it) a command.
    ///
    /// Checks the command against the session state (RFC 1939 §3): USER, PASS,
    /// APOP, AUTH, STLS and UTF8 only before login; STAT, LIST, RETR, DELE, NOOP,
    /// RSET, TOP and UIDL only after it (or once a login command is on its way);
    /// CAPA, QUIT, LANG and unknown commands at any time. A wrong command is
    /// [`Error::Misuse`] and nothing is sent.
    pub fn send_command(&mut self, command: &Command<'_>) -> Result<(), Error> {
        self.check_usable()?;
        let authorization = matches!(
            self.state,
            ClientState::Greeting | ClientState::Authorization
        );
        match command.kind() {
            CommandKind::User
            | CommandKind::Pass
            | CommandKind::Apop
            | CommandKind::Auth
            | CommandKind::Stls
            | CommandKind::Utf8
                if !authorization =>
            {
                return Err(Error::Misuse(crate::error::ApiMisuse::AlreadyAuthenticated));
            }
            CommandKind::Stat
            | CommandKind::List
            | CommandKind::Retr
            | CommandKind::Dele
            | CommandKind::Noop
            | CommandKind::Rset
            | CommandKind::Top
            | CommandKind::Uidl
                if authorization && !self.auth_in_flight() =>
            {
                return Err(Error::Misuse(crate::error::ApiMisuse::NotAuthenticated));
            }
            _ => {}
        }
        Unadvertised::trusting(self.config.trust_unadvertised)
            .check(|| self.check_advertised(command))?;
        self.check_utf8_credentials(command)?;
        if self.sasl_in_progress() {
            return Err(Error::Misuse(crate::error::ApiMisuse::AuthInProgress));
        }
        let quit_sent = self
            .pending
            .iter()
            .chain(self.queued.iter().map(|(p, _)| p))
            .any(|p| p.kind == CommandKind::Quit);
        if quit_sent {
            return Err(Error::Misuse(crate::error::ApiMisuse::LoggedOut));
        }
        let mut line = Vec::new();
        command.emit(&mut line)?;
        if line.len() > self.config.limits.command_line {
            return Err(Error::Emit(crate::error::Unemittable::LineTooLong));
        }
        if self.pending_commands() >= self.config.limits.pending_commands {
            return Err(Error::limit(
                LimitKind::PendingCommands,
                self.config.limits.pending_commands,
            ));
        }
        if command.kind() == CommandKind::Auth {
            // a raw exchange until `authenticate` says otherwise
            self.sasl = None;
        }
        self.queued.push_back((
            Pending {
                kind: command.kind(),
                multiline: command.is_multiline(),
            },
            line,
        ));
        self.flush_queue();
        Ok(())
    }

    /// RFC 6856 §2: a user name or password that is not ASCII goes out only
    /// once the server advertised `UTF8 USER` (or
    /// [`ClientConfig::trust_unadvertised`] is set) and answered `+OK` to the
    /// UTF8 command; otherwise [`Unemittable::NeedsUtf8User`](crate::error::Unemittable::NeedsUtf8User).
    fn check_utf8_credentials(&self, command: &Command<'_>) -> Result<(), Error> {
        let non_ascii = match command {
            Command::User { name } | Command::Apop { name, .. } => !name.as_bytes().is_ascii(),
            Command::Pass { password } => !password.expose().is_ascii(),
            _ => false,
        };
        let allowed =
            self.utf8 && (self.capabilities.utf8_user() || self.config.trust_unadvertised);
        if non_ascii && !allowed {
            return Err(Error::Emit(crate::error::Unemittable::NeedsUtf8User));
        }
        Ok(())
    }

    /// Whether the server accepted the UTF8 command (RFC 6856 §2).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// Sends `LANG` (RFC 6856 §3): the server lists its languages, each as a
    /// [`ClientEvent::Language`], then [`ClientEvent::ListingEnd`].
    /// [`Error::Misuse`] unless the server advertised `LANG`.
    pub fn lang_list(&mut self) -> Result<(), Error> {
        self.send_command(&Command::Lang { tag: None })
    }

    /// Sends `LANG tag` (a language range of RFC 4647, or `*` for the
    /// server's preferred language). On `+OK`, [`Response::language`] gives
    /// the tag the server selected. [`Error::Misuse`] unless the server
    /// advertised `LANG`.
    pub fn set_lang(&mut self, tag: &str) -> Result<(), Error> {
        self.send_command(&Command::Lang {
            tag: Some(Cow::Borrowed(tag)),
        })
    }

    /// Refuses a command the server did not advertise; see
    /// [`ClientConfig::trust_unadvertised`].
    fn check_advertised(&self, command: &Command<'_>) -> Result<(), Error> {
        let caps = &self.capabilities;
        // A CAPA answer lists the optional RFC 1939 commands a server offers;
        // without one (CAPA never sent, refused, or forgotten after STLS) they
        // are assumed, as before RFC 2449.
        let listed = !caps.is_empty();
        let (ok, what) = match command {
            Command::Stls => (
                caps.stls(),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "STLS" }),
            ),
            Command::Auth { mechanism, .. } => (
                caps.sasl(mechanism),
                Error::Misuse(crate::error::ApiMisuse::MechanismNotAdvertised),
            ),
            Command::Utf8 => (
                caps.iter().any(|c| matches!(c, Capability::Utf8 { .. })),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "UTF8" }),
            ),
            Command::Lang { .. } => (
                caps.iter().any(|c| *c == Capability::Lang),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "LANG" }),
            ),
            Command::Apop { .. } => (
                self.timestamp.is_some(),
                Error::Misuse(crate::error::ApiMisuse::NoApopTimestamp),
            ),
            Command::User { .. } | Command::Pass { .. } => (
                !listed || caps.user(),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "USER" }),
            ),
            Command::Top { .. } => (
                !listed || caps.top(),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "TOP" }),
            ),
            Command::Uidl { .. } => (
                !listed || caps.uidl(),
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "UIDL" }),
            ),
            _ => return Ok(()),
        };
        unadvertised::require(ok, what)
    }

    /// Sends `APOP name digest` with the digest computed from the greeting's
    /// timestamp and `password` (RFC 1939 §7). [`Error::Misuse`] when the
    /// greeting had no timestamp (or has not arrived). Needs the `sasl-hash`
    /// feature (MD5 comes from the `md-5` crate).
    #[cfg(feature = "sasl-hash")]
    pub fn apop(&mut self, name: &str, password: &Secret<'_>) -> Result<(), Error> {
        let Some(ts) = &self.timestamp else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoApopTimestamp));
        };
        let digest = super::md5::apop_digest(ts, password.expose());
        let digest = core::str::from_utf8(&digest).map_err(|_| {
            Error::Emit(crate::error::Unemittable::NotUtf8 {
                field: "APOP digest",
            })
        })?;
        self.send_command(&Command::Apop {
            name: Text::borrowed(name.as_bytes()),
            digest: Cow::Borrowed(digest),
        })
    }

    fn sasl_in_progress(&self) -> bool {
        self.pending
            .iter()
            .chain(self.queued.iter().map(|(p, _)| p))
            .any(|p| p.kind == CommandKind::Auth)
    }

    /// Answers an [`ClientEvent::AuthChallenge`] with `data` (base64-encoded by
    /// the machine; an empty answer is sent as an empty line).
    pub fn auth_response(&mut self, data: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        match self.sasl.as_mut() {
            Some(s) => s.respond(data, &mut *self.out)?,
            None => return Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge)),
        }
        self.challenge.clear();
        Ok(())
    }

    /// Authenticates with SASL (RFC 5034 §4) and answers the server's
    /// challenges by itself, with every mechanism of
    /// [`Credentials`]: `PLAIN`, `EXTERNAL`, `ANONYMOUS`, `XOAUTH2` and
    /// `OAUTHBEARER` send an initial response, `LOGIN` answers the user name
    /// and password challenges, and with the `sasl-hash` feature `CRAM-MD5`
    /// answers the server's challenge and `SCRAM-SHA-1`, `SCRAM-SHA-256` (and
    /// their `-PLUS` variants) run their two round trips and check the
    /// server's signature. The machine keeps a copy of the credentials until
    /// the exchange ends. The outcome comes as a [`ClientEvent::Response`] for
    /// [`CommandKind::Auth`]; a challenge the mechanism cannot answer (a
    /// wrong SCRAM server signature among them) is answered `*` (cancel), and
    /// the server's `-ERR` follows; a `+OK` after a SCRAM server did not prove
    /// itself is [`Error::Sasl`].
    ///
    /// An initial response that would make the command line longer than the 255
    /// octets of RFC 2449 §4 (an OAuth token, say) is held back and sent in
    /// answer to the server's first, empty challenge instead (RFC 5034 §4).
    pub fn authenticate(&mut self, credentials: Credentials<'_>) -> Result<(), Error> {
        self.check_usable()?;
        if !matches!(
            self.state,
            ClientState::Greeting | ClientState::Authorization
        ) {
            return Err(Error::Misuse(crate::error::ApiMisuse::AlreadyAuthenticated));
        }
        let caps = &self.capabilities;
        let mut sasl = ClientSasl::automatic(credentials, |m| caps.sasl(m))?;
        let name = sasl.mechanism().name();
        // "AUTH" SP mechanism SP initial-response CRLF, at most 255 octets
        let room = 255usize.saturating_sub(4 + 1 + name.len() + 1 + 2);
        let ir = sasl.initial_response(InitialResponse::UpTo(room));
        self.send_command(&Command::Auth {
            mechanism: Cow::Borrowed(name),
            initial_response: ir.map(Cow::Owned),
        })?;
        self.sasl = Some(sasl);
        Ok(())
    }

    /// Cancels the AUTH exchange (`*`, RFC 5034 §4); the server answers `-ERR`.
    pub fn auth_cancel(&mut self) -> Result<(), Error> {
        self.check_usable()?;
        match self.sasl.as_mut() {
            Some(s) => s.cancel(&mut *self.out)?,
            None => return Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge)),
        }
        self.challenge.clear();
        Ok(())
    }

    /// The TLS handshake that followed [`ClientEvent::StartTls`] succeeded.
    /// Capabilities were forgotten (RFC 2595 §4); if CAPA had been read before,
    /// the machine sends CAPA again and its answer arrives as events.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if !self.tls_pending {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.tls_pending = false;
        self.tls_active = true;
        if self.had_capa {
            self.queued.push_front((
                Pending {
                    kind: CommandKind::Capa,
                    multiline: true,
                },
                b"CAPA\r\n".to_vec(),
            ));
        }
        self.flush_queue();
        Ok(())
    }

    fn flush_queue(&mut self) {
        if self.state == ClientState::Greeting || self.tls_pending {
            return;
        }
        while let Some((p, _)) = self.queued.front() {
            let barrier = |k: CommandKind| {
                matches!(k, CommandKind::Stls | CommandKind::Auth | CommandKind::Quit)
            };
            if let Some(last) = self.pending.back() {
                if !self.capabilities.pipelining() || barrier(last.kind) || barrier(p.kind) {
                    return;
                }
            }
            let Some((p, line)) = self.queued.pop_front() else {
                return;
            };
            self.out.extend_from_slice(&line);
            self.pending.push_back(p);
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        self.error = Some(e.clone());
        e
    }

    /// Parses buffered input and returns the next event, or `Ok(None)` when more
    /// input is needed. Errors are fatal and sticky.
    pub fn poll_event(&mut self) -> Result<Option<ClientEvent<'_>>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.wait.take_timed_out() {
            return Ok(Some(ClientEvent::TimedOut));
        }
        let step = match self.step() {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(None),
            Err(e) => return Err(self.fail(e)),
        };
        Ok(Some(self.materialize(step)))
    }

    fn materialize(&self, step: Step) -> ClientEvent<'_> {
        let line = |r: Range<usize>| self.input.get(r);
        match step {
            Step::Greeting(r) => match parse_response(line(r.clone())) {
                Ok(resp) => ClientEvent::Greeting(resp),
                Err(error) => malformed(None, line(r), error),
            },
            Step::Response(command, r) => match parse_response(line(r.clone())) {
                Ok(response) => ClientEvent::Response { command, response },
                Err(error) => malformed(Some(command), line(r), error),
            },
            Step::Scan(s) => ClientEvent::ScanListing(s),
            Step::Listing(kind, r) => {
                let raw = line(r);
                let parsed = match kind {
                    CommandKind::Uidl => UniqueIdListing::parse(raw).map(ClientEvent::UniqueId),
                    CommandKind::Capa => Capability::parse(raw).map(ClientEvent::Capability),
                    CommandKind::Lang => LanguageListing::parse(raw).map(ClientEvent::Language),
                    _ => Ok(ClientEvent::Line(Text::borrowed(raw))),
                };
                parsed.unwrap_or_else(|error| malformed(None, raw, error))
            }
            Step::ListingEnd(command) => ClientEvent::ListingEnd { command },
            Step::Chunk(r) => ClientEvent::BodyChunk(Cow::Borrowed(line(r))),
            Step::BodyEnd => ClientEvent::BodyEnd,
            Step::StartTls => ClientEvent::StartTls,
            Step::AuthChallenge => ClientEvent::AuthChallenge(Cow::Borrowed(&self.challenge)),
            Step::Malformed(command, r, error) => malformed(command, line(r), error),
        }
    }

    fn need_more(&mut self) -> Result<Option<Step>, Error> {
        self.input.check(self.config.limits.input_buffer)?;
        let buffered = self.input.buffered();
        if self.input.is_eof() {
            let mid = !matches!(self.mode, Mode::Line) || buffered > 0;
            if mid {
                return Err(Error::Protocol(
                    crate::error::PeerMisbehaved::ClosedMidResponse,
                ));
            }
            if self.state != ClientState::Closed {
                self.state = ClientState::Closed;
                if !self.pending.is_empty() {
                    return Err(Error::Closed);
                }
            }
        }
        Ok(None)
    }

    fn step(&mut self) -> Result<Option<Step>, Error> {
        loop {
            if self.body_end_pending {
                self.body_end_pending = false;
                self.mode = Mode::Line;
                self.flush_queue();
                return Ok(Some(Step::BodyEnd));
            }
            self.input.compact();
            match &mut self.mode {
                Mode::Body { size } => {
                    let input = self.input.unread();
                    let d = self.dec.decode(input)?;
                    let start = if d.data.is_empty() {
                        0
                    } else {
                        (d.data.as_ptr() as usize).saturating_sub(input.as_ptr() as usize)
                    };
                    let range = self.input.pos() + start..self.input.pos() + start + d.data.len();
                    let (consumed, end) = (d.consumed, d.end);
                    *size = size.saturating_add(range.len() as u64);
                    if *size > self.config.limits.message_size {
                        return Err(Error::limit(
                            LimitKind::MessageSize,
                            self.config.limits.message_size,
                        ));
                    }
                    self.input.consume(consumed);
                    if end {
                        if range.is_empty() {
                            self.mode = Mode::Line;
                            self.flush_queue();
                            return Ok(Some(Step::BodyEnd));
                        }
                        self.body_end_pending = true;
                    }
                    if !range.is_empty() {
                        return Ok(Some(Step::Chunk(range)));
                    }
                    if consumed == 0 {
                        return self.need_more();
                    }
                }
                Mode::Listing(kind) => {
                    let kind = *kind;
                    let Some(l) = self.finder.find(self.input.unread())? else {
                        return self.need_more();
                    };
                    let start = self.input.pos();
                    self.input.consume(l.consumed);
                    let content = &self.input.bytes()[start..start + l.len];
                    if content == b"." {
                        self.mode = Mode::Line;
                        self.reading_capa = false;
                        self.flush_queue();
                        return Ok(Some(Step::ListingEnd(kind)));
                    }
                    let skip = usize::from(content.first() == Some(&b'.'));
                    let range = start + skip..start + l.len;
                    let raw = &self.input.bytes()[range.clone()];
                    match kind {
                        CommandKind::List => {
                            return Ok(Some(match ScanListing::parse(raw) {
                                Ok(s) => Step::Scan(s),
                                Err(e) => Step::Malformed(None, range, e),
                            }));
                        }
                        CommandKind::Capa => {
                            if let Ok(c) = Capability::parse(raw) {
                                if self.reading_capa {
                                    self.capabilities.list.push(c.into_owned());
                                }
                            }
                            return Ok(Some(Step::Listing(kind, range)));
                        }
                        _ => return Ok(Some(Step::Listing(kind, range))),
                    }
                }
                Mode::Line => {
                    let Some(l) = self.finder.find(self.input.unread())? else {
                        return self.need_more();
                    };
                    let start = self.input.pos();
                    self.input.consume(l.consumed);
                    let range = start..start + l.len;
                    if let Some(s) = self.on_line(range)? {
                        return Ok(Some(s));
                    }
                }
            }
        }
    }

    /// One complete response line in line mode.
    fn on_line(&mut self, range: Range<usize>) -> Result<Option<Step>, Error> {
        let raw = &self.input.bytes()[range.clone()];
        let parsed = parse_response(raw);
        if self.state == ClientState::Greeting {
            self.state = ClientState::Authorization;
            return Ok(Some(match parsed {
                Ok(r) => {
                    if r.status == Status::Err {
                        self.state = ClientState::Closed;
                    }
                    self.timestamp = r.apop_timestamp().map(<[u8]>::to_vec);
                    self.flush_queue();
                    Step::Greeting(range)
                }
                Err(e) => {
                    self.flush_queue();
                    Step::Malformed(None, range, e)
                }
            }));
        }
        let Some(front) = self.pending.front().copied() else {
            return Err(Error::Protocol(
                crate::error::PeerMisbehaved::UnsolicitedResponse,
            ));
        };
        let r = match parsed {
            Ok(r) => r,
            Err(e) => {
                self.pending.pop_front();
                if front.kind == CommandKind::Auth {
                    self.sasl = None;
                }
                // A positive-looking line to a multi-line command: its body follows.
                if front.multiline && raw.first() == Some(&b'+') {
                    self.enter_multiline(front.kind);
                }
                if front.kind == CommandKind::Quit {
                    self.state = ClientState::Closed;
                }
                self.flush_queue();
                return Ok(Some(Step::Malformed(Some(front.kind), range, e)));
            }
        };
        if front.kind == CommandKind::Auth && r.status == Status::Continue {
            return self.on_challenge(range);
        }
        self.pending.pop_front();
        let ok = r.status == Status::Ok;
        if front.kind == CommandKind::Auth {
            if let Some(sasl) = self.sasl.take() {
                sasl.finish(ok)?;
            }
        }
        if ok {
            match front.kind {
                CommandKind::Pass | CommandKind::Apop | CommandKind::Auth => {
                    self.state = ClientState::Transaction;
                }
                CommandKind::Quit => {
                    self.state = ClientState::Closed;
                }
                CommandKind::Utf8 => self.utf8 = true,
                CommandKind::Stls => {
                    self.tls_pending = true;
                    self.capabilities.list.clear();
                    // Bytes after the +OK line were sent in plaintext before the
                    // handshake: refuse them (RFC 2595 §4, CVE-2011-0411 class).
                    self.input.discard();
                    self.finder.reset();
                    return Ok(Some(Step::StartTls));
                }
                _ => {}
            }
            if front.multiline {
                self.enter_multiline(front.kind);
            }
        }
        if front.kind == CommandKind::Quit && self.state != ClientState::Closed {
            self.state = ClientState::Closed;
        }
        if front.kind == CommandKind::Auth {
            self.challenge.clear();
        }
        self.flush_queue();
        Ok(Some(Step::Response(front.kind, range)))
    }

    fn enter_multiline(&mut self, kind: CommandKind) {
        match kind {
            CommandKind::Retr | CommandKind::Top => {
                self.dec = DotDecoder::new(self.config.body_policy);
                self.mode = Mode::Body { size: 0 };
            }
            CommandKind::Capa => {
                self.capabilities.list.clear();
                self.reading_capa = true;
                self.had_capa = true;
                self.mode = Mode::Listing(kind);
            }
            _ => self.mode = Mode::Listing(kind),
        }
    }

    fn on_challenge(&mut self, range: Range<usize>) -> Result<Option<Step>, Error> {
        let raw = &self.input.bytes()[range.clone()];
        // "+" SP [base64] (RFC 5034 §4)
        let data = raw.get(2..).unwrap_or(b"");
        let limit = self.config.limits.auth_exchanges;
        let sasl = self.sasl.get_or_insert_with(ClientSasl::raw);
        Ok(match sasl.challenge(Some(data), limit, &mut *self.out)? {
            Challenge::Answered => None,
            Challenge::Report(c) => {
                self.challenge = c;
                Some(Step::AuthChallenge)
            }
            Challenge::Malformed => Some(Step::Malformed(
                Some(CommandKind::Auth),
                range,
                ParseError::new(raw, 2, "base64 challenge"),
            )),
        })
    }
}

fn malformed(command: Option<CommandKind>, raw: &[u8], error: ParseError) -> ClientEvent<'_> {
    ClientEvent::MalformedResponse {
        command,
        raw: Cow::Borrowed(raw),
        error,
    }
}

connection_by_inherent_methods!(Client);
