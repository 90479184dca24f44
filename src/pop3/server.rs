//! The POP3 server state machine (RFC 1939 §3–§7, RFC 2449 §5–§6 CAPA,
//! RFC 2595 §4 STLS, RFC 5034 §4 AUTH, RFC 6856 §3 UTF8).
//!
//! ```
//! use mailwire::pop3::{Maildrop, Server, ServerConfig, ServerEvent};
//!
//! let config = ServerConfig::default().apop_timestamp(Some("<1896.697170952@dbc.mtview.ca.us>".into()));
//! let mut server = Server::new(config);
//! // RFC 1939 §10, the example POP3 session: the client's lines
//! server.handle_input(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\n\
//!     RETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n");
//! let store: [&[u8]; 2] = [b"message one\r\n", b".message two\r\n"];
//! loop {
//!     let retr = match server.poll_event()? {
//!         None => break,
//!         Some(ServerEvent::Apop(request)) => {
//!             # #[cfg(feature = "sasl-hash")]
//!             assert!(request.apop_matches(b"tanstaaf")); // the shared secret of RFC 1939 §7
//!             assert_eq!(request.user.as_bytes(), b"mrose");
//!             let mut maildrop = Maildrop::new();
//!             maildrop.push(120, "uid-1")?;
//!             maildrop.push(200, "uid-2")?;
//!             server.accept_login(maildrop)?;
//!             None
//!         }
//!         Some(ServerEvent::Retr { msg, .. }) => Some(msg),
//!         Some(ServerEvent::Update { deleted }) => {
//!             assert_eq!(&deleted[..], [1, 2]); // remove them, then:
//!             server.accept()?;
//!             None
//!         }
//!         Some(_) => None,
//!     };
//!     if let Some(msg) = retr {
//!         server.send_body(store[msg as usize - 1])?; // the machine dot-stuffs
//!         server.finish_body()?;
//!     }
//! }
//! let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
//! let replies = String::from_utf8(replies).unwrap();
//! assert!(replies.starts_with("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"), "{replies}");
//! assert!(replies.contains("\r\n+OK 2 320\r\n"), "{replies}");
//! assert!(replies.contains("\r\n1 120\r\n2 200\r\n.\r\n"), "{replies}");
//! assert!(replies.contains("\r\n..message two\r\n.\r\n"), "{replies}");
//! assert!(server.is_closed());
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! The machine answers everything it can by itself: USER (always `+OK`, so
//! names cannot be probed), CAPA, NOOP, RSET, DELE, STAT, LIST and UIDL (from
//! the [`Maildrop`] the application gave at login), wrong-state and unknown
//! commands (`-ERR`, counted against [`Limits::bad_commands`]). The application
//! answers what needs its knowledge:
//!
//! | event | answer |
//! |---|---|
//! | [`ServerEvent::Login`], [`ServerEvent::Apop`], [`ServerEvent::Auth`] | [`Server::accept_login`] with the maildrop, or [`Server::reject`] |
//! | [`ServerEvent::AuthLookup`] | [`Server::auth_lookup`], or [`Server::reject`] |
//! | [`ServerEvent::Retr`], [`ServerEvent::Top`] | [`Server::send_body`] chunks then [`Server::finish_body`], or [`Server::reject`] |
//! | [`ServerEvent::Update`] | delete the messages, then [`Server::accept`] or [`Server::reject`] |
//! | [`ServerEvent::StartTls`] | flush output, handshake, [`Server::tls_established`] |
//!
//! AUTH (RFC 5034) runs through the crate's server SASL pump for the
//! mechanisms of [`ServerConfig::auth_mechanisms`]: the machine sends the
//! challenges and decodes the answers, and the application only checks the
//! credentials of the completed exchange ([`ServerEvent::Auth`]). CRAM-MD5
//! and SCRAM (feature `sasl-hash`) ask for the challenge's randomness and the
//! user's secret with [`ServerEvent::AuthLookup`], answered with
//! [`Server::auth_lookup`]; the machine checks the proof itself (see
//! [`SaslLookup`]). A client's `*` ends the exchange with `-ERR`.
//!
//! The inactivity autologout timer of RFC 1939 §3 runs through
//! [`Server::poll_timeout`] and [`Server::handle_timeout`]; when it fires the
//! session closes without UPDATE.
//!
//! While an answer is outstanding, [`Server::poll_event`] returns `Ok(None)`
//! and pipelined commands wait in the buffer. For TOP the machine itself cuts
//! the message after the header and the requested number of body lines: push
//! the whole message (or stop early); extra bytes are dropped.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use core::time::Duration;

use bytes::Bytes;

use crate::error::{Error, LimitKind};
use crate::limits::Limits;
use crate::session::sasl::{Failure, ServerOutcome, ServerSasl, answer_lookup};
use crate::session::{Gate, IdleTimer, Input, LineSkip, Output, ProxyGate};
use crate::text::{Secret, Text};
use crate::wire::dot::{BodyPolicy, DotEncoder};
use crate::wire::line::{LineFinder, LinePolicy, is_line_safe};
use crate::wire::proxy::{ProxyInfo, ProxyProtocol};
use crate::wire::sasl::{Authentication, Mechanism, SaslAnswer, SaslLookup, encode_base64};

use super::command::Command;
use super::emit::check_uid;
use super::parse::parse_command;
use super::response::{Capability, Expire, Response, ResponseCode, SaslMechanisms};

mod config;
pub use config::ServerConfig;
mod event;
pub use event::{ApopRequest, ServerEvent};

/// One message of a maildrop: its size and unique id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageInfo {
    /// Size in octets, as it will be sent (CRLF line endings).
    pub size: u64,
    /// The unique id (RFC 1939 §7: 1 to 70 bytes in 0x21..=0x7E).
    pub uid: Vec<u8>,
}

/// The messages of a maildrop, numbered from 1 in the order pushed.
///
/// ```
/// use mailwire::pop3::Maildrop;
///
/// let mut drop = Maildrop::new();
/// assert_eq!(drop.push(120, "whqtswO00WBw418f9t5JxYwZ")?, 1);
/// assert_eq!(drop.push(200, "QhdPYR:00WBw1Ph7x7")?, 2);
/// assert_eq!(drop.messages()[1].size, 200);
/// // RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21..=0x7E
/// assert!(drop.push(1, "has space").is_err());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maildrop {
    messages: Vec<MessageInfo>,
}

impl Maildrop {
    /// An empty maildrop.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message. [`Error::Emit`] when the unique id cannot be sent.
    pub fn push(&mut self, size: u64, uid: impl AsRef<[u8]>) -> Result<u32, Error> {
        check_uid(uid.as_ref())?;
        if self.messages.len() >= u32::MAX as usize {
            return Err(Error::Misuse(crate::error::ApiMisuse::TooManyMessages));
        }
        self.messages.push(MessageInfo {
            size,
            uid: uid.as_ref().to_vec(),
        });
        Ok(self.messages.len() as u32)
    }

    /// The messages.
    pub fn messages(&self) -> &[MessageInfo] {
        &self.messages
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Authorization,
    Transaction,
    Update,
    Closed,
}

/// The POP3 session state of the server machine (RFC 1939 §3), as
/// [`Server::state`] reports it; the client's view is
/// [`ClientState`](super::ClientState).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerState {
    /// AUTHORIZATION: before a login succeeded.
    Authorization,
    /// TRANSACTION: logged in, the maildrop is open.
    Transaction,
    /// UPDATE: QUIT arrived in TRANSACTION; the application applies deletions.
    Update,
    /// The session is over (QUIT, EOF, a timeout or a fatal error).
    Closed,
}

/// What the machine waits for the application to do.
#[derive(Clone, Debug)]
enum Awaiting {
    Nothing,
    Login,
    /// A SASL lookup, answered with `auth_lookup` (or `reject`).
    AuthLookup,
    Body {
        started: bool,
        encoder: DotEncoder,
        top: Option<TopFilter>,
    },
    Update,
    Tls,
}

/// Cuts a message after its header and `lines` body lines (RFC 1939 §7 TOP).
/// Works on CRLF or bare-LF line ends.
#[derive(Clone, Debug)]
struct TopFilter {
    in_header: bool,
    line_empty: bool,
    lines_left: u32,
    done: bool,
}

impl TopFilter {
    fn new(lines: u32) -> Self {
        TopFilter {
            in_header: true,
            line_empty: true,
            lines_left: lines,
            done: false,
        }
    }

    /// How many bytes of `chunk` to send.
    fn allow(&mut self, chunk: &[u8]) -> usize {
        if self.done {
            return 0;
        }
        for (i, &b) in chunk.iter().enumerate() {
            if self.in_header {
                if b == b'\n' {
                    if self.line_empty {
                        self.in_header = false;
                        if self.lines_left == 0 {
                            self.done = true;
                            return i + 1;
                        }
                    }
                    self.line_empty = true;
                } else if b != b'\r' {
                    self.line_empty = false;
                }
            } else if b == b'\n' {
                self.lines_left -= 1;
                if self.lines_left == 0 {
                    self.done = true;
                    return i + 1;
                }
            }
        }
        chunk.len()
    }
}

enum Step {
    Login(Range<usize>),
    Apop(Range<usize>, Range<usize>),
    Auth(Authentication<'static>),
    AuthLookup(SaslLookup),
    Retr(u32),
    Top(u32, u32),
    Update,
    StartTls,
}

/// The POP3 server machine; see the [module docs](self).
///
/// ```
/// use mailwire::pop3::{Maildrop, ResponseCode, Server, ServerConfig, ServerEvent};
///
/// let mut server = Server::new(ServerConfig::default().plaintext_requires_tls(false));
/// server.handle_input(b"USER bob\r\nPASS wrong\r\n");
/// loop {
///     let login = match server.poll_event()? {
///         None => break,
///         Some(ServerEvent::Login { user, password }) => Some(user.as_bytes() == b"bob" && password.expose() == b"right"),
///         Some(_) => None,
///     };
///     match login {
///         Some(true) => server.accept_login(Maildrop::new())?,
///         // RFC 3206 §4: [AUTH] for wrong credentials
///         Some(false) => server.reject(Some(ResponseCode::Auth), "invalid user or password")?,
///         None => {}
///     }
/// }
/// let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// assert!(replies.ends_with(b"-ERR [AUTH] invalid user or password\r\n"));
/// assert!(!server.is_authenticated());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    input: Input,
    finder: LineFinder,
    out: Output,
    phase: Phase,
    awaiting: Awaiting,
    /// During AUTH: the next line is a client response, not a command.
    auth_line_expected: bool,
    skip_line: LineSkip,
    /// The AUTH exchange in progress.
    sasl: Option<ServerSasl>,
    /// A completed exchange, reported by the next `poll_event`.
    sasl_done: Option<alloc::boxed::Box<Authentication<'static>>>,
    user: Option<Vec<u8>>,
    maildrop: Maildrop,
    deleted: Vec<bool>,
    deleted_list: Vec<u32>,
    tls_active: bool,
    utf8: bool,
    /// The language selected with LANG (an index into the config's).
    language: Option<usize>,
    /// The logged-in user's LOGIN-DELAY and EXPIRE, when they vary per user.
    user_login_delay: Option<u32>,
    user_expire: Option<Expire>,
    bad_commands: usize,
    error: Option<Error>,
    /// The autologout timer (RFC 1939 §3).
    idle: IdleTimer,
    /// The PROXY protocol header before the greeting.
    proxy: ProxyGate,
}

impl Server {
    /// A server with its greeting queued. No I/O happens.
    ///
    /// A greeting text or APOP timestamp holding CR, LF or NUL is not sent: the
    /// default text is used instead, and APOP is disabled.
    pub fn new(mut config: ServerConfig) -> Server {
        if !is_line_safe(config.greeting.as_bytes()) {
            config.greeting = String::from("POP3 server ready");
        }
        if let Some(ts) = &config.apop_timestamp {
            let ok = is_line_safe(ts.as_bytes())
                && ts.starts_with('<')
                && ts.ends_with('>')
                && ts.contains('@')
                && !ts.contains(' ');
            if !ok {
                config.apop_timestamp = None;
            }
        }
        let finder = LineFinder::new(
            config.limits.command_line,
            LimitKind::CommandLine,
            config.line_policy,
        );
        let tls_active = config.tls_active;
        let mut s = Server {
            config,
            input: Input::default(),
            finder,
            out: Output::default(),
            phase: Phase::Authorization,
            awaiting: Awaiting::Nothing,
            auth_line_expected: false,
            skip_line: LineSkip::default(),
            sasl: None,
            sasl_done: None,
            user: None,
            maildrop: Maildrop::new(),
            deleted: Vec::new(),
            deleted_list: Vec::new(),
            tls_active,
            utf8: false,
            language: None,
            user_login_delay: None,
            user_expire: None,
            bad_commands: 0,
            error: None,
            idle: IdleTimer::default(),
            proxy: ProxyGate::default(),
        };
        s.idle = IdleTimer::new(s.config.autologout);
        let mut text = s.config.greeting.clone();
        if let Some(ts) = &s.config.apop_timestamp {
            text.push(' ');
            text.push_str(ts);
        }
        s.reply(&Response::ok(text.as_str()));
        s.proxy = ProxyGate::new(s.config.proxy_protocol, &mut s.out);
        s
    }

    /// The PROXY protocol header of this connection, once it arrived (see
    /// [`ServerConfig::proxy_protocol`]).
    pub fn proxied(&self) -> Option<&ProxyInfo> {
        self.proxy.info()
    }

    fn reply(&mut self, r: &Response<'_>) {
        // Texts built by the machine are always emittable; a failure is a bug
        // and leaves nothing on the wire.
        let _ = r.emit(&mut *self.out);
    }

    fn ok(&mut self, text: &str) {
        self.reply(&Response::ok(text));
    }

    fn err(&mut self, text: &str) {
        self.reply(&Response::err(text));
    }

    /// The session state (RFC 1939 §3).
    ///
    /// ```
    /// use mailwire::pop3::{Server, ServerConfig, ServerState};
    /// let mut server = Server::new(ServerConfig::default());
    /// assert_eq!(server.state(), ServerState::Authorization);
    /// server.handle_input(b"QUIT\r\n");
    /// while server.poll_event().unwrap().is_some() {}
    /// assert_eq!(server.state(), ServerState::Closed);
    /// ```
    pub fn state(&self) -> ServerState {
        if self.is_closed() {
            return ServerState::Closed;
        }
        match self.phase {
            Phase::Authorization => ServerState::Authorization,
            Phase::Transaction => ServerState::Transaction,
            Phase::Update => ServerState::Update,
            Phase::Closed => ServerState::Closed,
        }
    }

    /// Whether a login has succeeded (TRANSACTION state).
    pub fn is_authenticated(&self) -> bool {
        self.phase == Phase::Transaction
    }

    /// Whether TLS is active (implicit, or after
    /// [`tls_established`](Self::tls_established)).
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Whether the client enabled UTF8 mode (RFC 6856).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// The language tag the client selected with LANG (RFC 6856 §3), one of
    /// [`ServerConfig::languages`]; `None` before (the default language).
    pub fn language(&self) -> Option<&str> {
        self.language
            .and_then(|i| self.config.languages.get(i))
            .map(|(tag, _)| tag.as_str())
    }

    /// The logged-in user's login delay, listed by CAPA after login instead
    /// of [`ServerConfig::login_delay`] (RFC 2449 §6.5, with
    /// [`ServerConfig::login_delay_per_user`]).
    pub fn set_login_delay(&mut self, seconds: u32) {
        self.user_login_delay = Some(seconds);
    }

    /// The logged-in user's retention policy, listed by CAPA after login
    /// instead of [`ServerConfig::expire`] (RFC 2449 §6.7, with
    /// [`ServerConfig::expire_per_user`]).
    pub fn set_expire(&mut self, policy: Expire) {
        self.user_expire = Some(policy);
    }

    /// RFC 6856 §2: UTF-8 in USER, PASS and APOP only after the UTF8
    /// command, and only when `UTF8 USER` is offered.
    fn utf8_credentials_refused(&self, arg: &[u8]) -> bool {
        let allowed = self.utf8 && self.config.utf8_user;
        !(arg.is_ascii() || allowed)
    }

    fn refuse_utf8(&mut self) {
        self.reply(&Response::err_with(
            ResponseCode::Utf8,
            "UTF-8 user names and passwords need UTF8 USER and the UTF8 command",
        ));
    }

    /// LANG (RFC 6856 §3): the listing, or the selection by RFC 4647
    /// §3.3.1 basic filtering ("A language range matches a particular
    /// language tag if, in a case-insensitive comparison, it exactly equals
    /// the tag, or if it exactly equals a prefix of the tag such that the
    /// first character following the prefix is '-'"), `*` the first.
    fn lang(&mut self, range: Option<&str>) {
        let languages = &self.config.languages;
        if languages.is_empty() {
            self.err("LANG not supported");
            return;
        }
        let Some(range) = range else {
            let mut out = Vec::new();
            let _ = Response::ok("language listing follows").emit(&mut out);
            for (tag, description) in languages {
                let listing = super::response::LanguageListing {
                    tag: Cow::Borrowed(tag),
                    description: Text::borrowed(description.as_bytes()),
                };
                let mut line = Vec::new();
                if listing.emit(&mut line).is_ok() {
                    if line.first() == Some(&b'.') {
                        out.push(b'.');
                    }
                    out.extend_from_slice(&line);
                    out.extend_from_slice(b"\r\n");
                }
            }
            out.extend_from_slice(b".\r\n");
            self.out.extend_from_slice(&out);
            return;
        };
        let matches = |tag: &str| {
            range == "*"
                || tag.eq_ignore_ascii_case(range)
                || (tag.len() > range.len()
                    && tag.as_bytes()[range.len()] == b'-'
                    && tag.as_bytes()[..range.len()].eq_ignore_ascii_case(range.as_bytes()))
        };
        match languages.iter().position(|(tag, _)| matches(tag)) {
            Some(i) => {
                self.language = Some(i);
                let text = alloc::format!("{} language changed", languages[i].0);
                self.ok(&text);
            }
            None => self.err("invalid language"),
        }
    }

    /// The maildrop given at login.
    pub fn maildrop(&self) -> &Maildrop {
        &self.maildrop
    }

    /// Appends bytes from the client. Only buffers; bytes that arrive while a
    /// TLS handshake is pending (after STLS) are discarded.
    pub fn handle_input(&mut self, data: &[u8]) {
        if matches!(self.awaiting, Awaiting::Tls) || self.phase == Phase::Closed {
            return;
        }
        if let Some(len) = self.config.autologout {
            self.idle.start(len);
        }
        self.input.push(data);
    }

    /// The client closed the connection.
    pub fn handle_eof(&mut self) {
        self.input.set_eof();
    }

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.poll_transmit()
    }

    /// Memory this machine holds: its size, its buffers, its configuration's
    /// strings and the maildrop listing (sizes and unique ids).
    pub fn memory_usage(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        size_of::<Self>()
            + self.input.memory_usage()
            + self.out.memory_usage()
            + self.config.greeting.capacity()
            + opt(&self.config.apop_timestamp)
            + opt(&self.config.implementation)
            + self.config.auth_mechanisms.capacity() * size_of::<Mechanism>()
            + self.user.as_ref().map_or(0, Vec::capacity)
            + crate::nested_heap(
                self.maildrop.messages.capacity(),
                &self.maildrop.messages,
                |m| m.uid.capacity(),
            )
            + self.deleted.capacity()
            + self.deleted_list.capacity() * size_of::<u32>()
            + self.proxy.memory_usage()
    }

    /// Whether the session is over (after QUIT, EOF or a fatal error).
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed || self.error.is_some()
    }

    fn fail(&mut self, e: Error) -> Error {
        self.error = Some(e.clone());
        self.phase = Phase::Closed;
        e
    }

    fn bad(&mut self, text: &str) -> Result<(), Error> {
        self.bad_commands += 1;
        if self.bad_commands > self.config.limits.bad_commands {
            self.err("too many bad commands, closing");
            return Err(Error::limit(
                LimitKind::BadCommands,
                self.config.limits.bad_commands,
            ));
        }
        self.err(text);
        Ok(())
    }

    /// Parses buffered commands, answers those the machine can, and returns the
    /// next event for the application, or `Ok(None)` when it needs more input or
    /// is waiting for the application's answer. Errors are fatal and sticky.
    pub fn poll_event(&mut self) -> Result<Option<ServerEvent<'_>>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if let Some(a) = self.sasl_done.take() {
            self.awaiting = Awaiting::Login;
            return Ok(Some(ServerEvent::Auth(*a)));
        }
        match self.proxy.poll(&mut self.input, &mut self.out) {
            Ok(Gate::Pass) => {}
            Ok(Gate::Wait) => return Ok(None),
            Ok(Gate::Header(info)) => return Ok(Some(ServerEvent::Proxied(info))),
            Err(e) => return Err(self.fail(e)),
        }
        match self.step() {
            Ok(Some(step)) => Ok(Some(self.materialize(step))),
            Ok(None) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn materialize(&self, step: Step) -> ServerEvent<'_> {
        let bytes = |r: Range<usize>| self.input.get(r);
        let uid = |msg: u32| {
            Text::borrowed(
                self.message(msg)
                    .map(|m| m.uid.as_slice())
                    .unwrap_or_default(),
            )
        };
        match step {
            Step::Login(pw) => ServerEvent::Login {
                user: Text::borrowed(self.user.as_deref().unwrap_or_default()),
                password: Secret(Cow::Borrowed(bytes(pw))),
            },
            Step::Apop(user, digest) => ServerEvent::Apop(ApopRequest {
                user: Text::borrowed(bytes(user)),
                digest: Cow::Borrowed(utf8_or_empty(bytes(digest))),
                timestamp: Text::borrowed(
                    self.config
                        .apop_timestamp
                        .as_deref()
                        .unwrap_or_default()
                        .as_bytes(),
                ),
            }),
            Step::Auth(a) => ServerEvent::Auth(a),
            Step::AuthLookup(l) => ServerEvent::AuthLookup(l),
            Step::Retr(msg) => ServerEvent::Retr {
                msg,
                size: self.message(msg).map_or(0, |m| m.size),
                uid: uid(msg),
            },
            Step::Top(msg, lines) => ServerEvent::Top {
                msg,
                lines,
                uid: uid(msg),
            },
            Step::Update => ServerEvent::Update {
                deleted: Cow::Borrowed(&self.deleted_list),
            },
            Step::StartTls => ServerEvent::StartTls,
        }
    }

    fn message(&self, msg: u32) -> Option<&MessageInfo> {
        let i = usize::try_from(msg).ok()?.checked_sub(1)?;
        self.maildrop.messages.get(i)
    }

    /// The message if it exists and is not marked deleted.
    fn live(&self, msg: u32) -> Option<&MessageInfo> {
        let i = usize::try_from(msg).ok()?.checked_sub(1)?;
        if *self.deleted.get(i)? {
            return None;
        }
        self.maildrop.messages.get(i)
    }

    fn step(&mut self) -> Result<Option<Step>, Error> {
        loop {
            let reading = matches!(self.awaiting, Awaiting::Nothing);
            if self.phase == Phase::Closed {
                return Ok(None);
            }
            if !reading {
                // Pipelined commands wait while the application answers; they
                // may not pile up without bound.
                if let Err(e) = self.input.check(self.config.limits.input_buffer) {
                    self.err("too much pipelined input");
                    return Err(e);
                }
                return Ok(None);
            }
            if self.phase == Phase::Update {
                return Ok(None);
            }
            self.input.compact();
            // The rest of a line with a bare CR: dropped up to its LF.
            if !self.skip_line.resume(&mut self.input.reader()) {
                return Ok(None);
            }
            let line = match self.finder.find(self.input.unread()) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    if let Err(e) = self.input.check(self.config.limits.input_buffer) {
                        self.err("too much input");
                        return Err(e);
                    }
                    if self.input.is_eof() {
                        self.phase = Phase::Closed;
                    }
                    return Ok(None);
                }
                Err(Error::BareLineEnding(_)) => {
                    // A line with a bare CR or LF (under the strict policy) is
                    // answered -ERR and dropped whole, never executed.
                    self.finder.reset();
                    self.skip_line.drop_line(&mut self.input.reader());
                    self.bad("bad line ending")?;
                    continue;
                }
                Err(e) => {
                    self.err("line too long");
                    return Err(e);
                }
            };
            let start = self.input.pos();
            self.input.consume(line.consumed);
            let range = start..start + line.len;
            if self.auth_line_expected {
                if let Some(s) = self.on_auth_line(range)? {
                    return Ok(Some(s));
                }
                continue;
            }
            if let Some(s) = self.on_command(range)? {
                return Ok(Some(s));
            }
        }
    }

    /// A client line during an AUTH exchange (RFC 5034 §4).
    fn on_auth_line(&mut self, range: Range<usize>) -> Result<Option<Step>, Error> {
        self.auth_line_expected = false;
        let Some(pump) = self.sasl.as_mut() else {
            return Ok(None);
        };
        let outcome = pump.line(&self.input.bytes()[range]);
        self.sasl_outcome(outcome)
    }

    /// Carries out what the SASL pump says: a challenge, a lookup or the
    /// completed exchange for the application, or a failure.
    fn sasl_outcome(&mut self, outcome: ServerOutcome) -> Result<Option<Step>, Error> {
        match outcome {
            ServerOutcome::Challenge(c) => {
                self.out.extend_from_slice(b"+ ");
                encode_base64(&c, &mut *self.out);
                self.out.extend_from_slice(b"\r\n");
                self.auth_line_expected = true;
                Ok(None)
            }
            ServerOutcome::Lookup(l) => {
                self.awaiting = Awaiting::AuthLookup;
                Ok(Some(Step::AuthLookup(l)))
            }
            ServerOutcome::Done(auth) => {
                self.sasl = None;
                self.awaiting = Awaiting::Login;
                Ok(Some(Step::Auth(auth)))
            }
            ServerOutcome::Failed(f) => {
                self.sasl = None;
                match f {
                    Failure::Cancelled => self.err("authentication cancelled"),
                    Failure::BadBase64 { initial: true } => {
                        self.bad("invalid base64 in initial response")?
                    }
                    Failure::BadBase64 { initial: false } => {
                        self.bad("invalid base64 in AUTH response")?
                    }
                    Failure::TooMany => self.err("too many SASL exchanges"),
                    Failure::Malformed | Failure::Rejected => self.reply(&Response::err_with(
                        ResponseCode::Auth,
                        "authentication failed",
                    )),
                }
                Ok(None)
            }
        }
    }

    /// Answers a [`ServerEvent::AuthLookup`] (see [`SaslLookup`]): the
    /// machine goes on with the exchange, and a proof that checks out
    /// arrives as [`ServerEvent::Auth`] with [`Authentication::Verified`],
    /// answered as for a login. [`reject`](Self::reject) fails the exchange
    /// instead. `Error::Misuse` when no lookup waits or the answer does not
    /// fit it.
    pub fn auth_lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        self.check()?;
        let waiting = matches!(self.awaiting, Awaiting::AuthLookup);
        let outcome = answer_lookup(self.sasl.as_mut(), waiting, answer)?;
        self.awaiting = Awaiting::Nothing;
        if let Some(Step::Auth(a)) = self.sasl_outcome(outcome)? {
            // reported by the next poll_event
            self.awaiting = Awaiting::Nothing;
            self.sasl_done = Some(alloc::boxed::Box::new(a));
        }
        Ok(())
    }

    fn plaintext_refused(&self) -> bool {
        self.config.plaintext_requires_tls && !self.tls_active
    }

    fn on_command(&mut self, range: Range<usize>) -> Result<Option<Step>, Error> {
        let line_start = range.start;
        let line = &self.input.bytes()[range];
        let cmd = match parse_command(line) {
            Ok(c) => c,
            Err(_) => {
                self.bad("syntax error")?;
                return Ok(None);
            }
        };
        // Ranges of borrowed arguments, to hand them out after `self` changes.
        let offset = |s: &[u8]| {
            let at = (s.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
            line_start + at..line_start + at + s.len()
        };
        let authorization = self.phase == Phase::Authorization;
        match cmd {
            Command::Capa => {
                self.capa();
                Ok(None)
            }
            Command::Quit => {
                if authorization {
                    self.ok("bye");
                    self.phase = Phase::Closed;
                    return Ok(None);
                }
                self.phase = Phase::Update;
                self.deleted_list = self
                    .deleted
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| **d)
                    .map(|(i, _)| i as u32 + 1)
                    .collect();
                self.awaiting = Awaiting::Update;
                Ok(Some(Step::Update))
            }
            Command::User { name } if authorization => {
                if self.utf8_credentials_refused(name.as_bytes()) {
                    self.refuse_utf8();
                } else if !self.config.user_pass {
                    self.err("USER/PASS not offered");
                } else if self.plaintext_refused() {
                    self.err("USER/PASS requires TLS (use STLS)");
                } else {
                    self.user = Some(name.as_bytes().to_vec());
                    self.ok("send PASS");
                }
                Ok(None)
            }
            Command::Pass { password } if authorization => {
                if self.user.is_none() || !self.config.user_pass {
                    self.bad("USER first")?;
                    return Ok(None);
                }
                if self.utf8_credentials_refused(password.expose()) {
                    self.refuse_utf8();
                    return Ok(None);
                }
                let r = offset(password.expose());
                self.awaiting = Awaiting::Login;
                Ok(Some(Step::Login(r)))
            }
            Command::Apop { name, digest } if authorization => {
                if self.config.apop_timestamp.is_none() {
                    self.err("APOP not offered");
                    return Ok(None);
                }
                if self.utf8_credentials_refused(name.as_bytes()) {
                    self.refuse_utf8();
                    return Ok(None);
                }
                let (u, d) = (offset(name.as_bytes()), offset(digest.as_bytes()));
                self.awaiting = Awaiting::Login;
                Ok(Some(Step::Apop(u, d)))
            }
            Command::Auth {
                mechanism,
                initial_response,
            } if authorization => {
                let offered = Mechanism::from_name(mechanism.as_bytes())
                    .filter(|m| self.config.auth_mechanisms.contains(m));
                let Some(mechanism) = offered else {
                    self.err("unsupported SASL mechanism");
                    return Ok(None);
                };
                if self.plaintext_refused() && mechanism.needs_tls() {
                    self.err("AUTH requires TLS (use STLS)");
                    return Ok(None);
                }
                let limit = self.config.limits.auth_exchanges;
                let ir = initial_response.as_deref().map(str::as_bytes);
                let (pump, outcome) = ServerSasl::start(mechanism, ir, limit);
                self.sasl = Some(pump);
                self.sasl_outcome(outcome)
            }
            Command::Stls if authorization => {
                if !self.config.tls_available || self.tls_active {
                    self.err("STLS not available");
                    return Ok(None);
                }
                self.ok("begin TLS negotiation");
                // Anything pipelined after STLS came in plaintext: drop it
                // (RFC 2595 §4, CVE-2011-0411 class).
                self.input.discard();
                self.finder.reset();
                self.awaiting = Awaiting::Tls;
                Ok(Some(Step::StartTls))
            }
            Command::Utf8 if authorization => {
                if self.config.utf8 {
                    self.utf8 = true;
                    self.ok("UTF8 enabled");
                } else {
                    self.err("UTF8 not supported");
                }
                Ok(None)
            }
            Command::Lang { tag } => {
                let tag = tag.map(Cow::into_owned);
                self.lang(tag.as_deref());
                Ok(None)
            }
            Command::Unknown { .. } => {
                self.bad("unknown command")?;
                Ok(None)
            }
            _ if authorization => {
                self.bad("not allowed before login")?;
                Ok(None)
            }
            cmd => {
                let cmd = cmd.into_owned();
                self.transaction(cmd)
            }
        }
    }

    fn transaction(&mut self, cmd: Command<'_>) -> Result<Option<Step>, Error> {
        let mut line = Vec::new();
        match cmd {
            Command::Stat => {
                let (count, size) = self.totals();
                super::response::DropListing { count, size }.emit(&mut *self.out);
            }
            Command::List { msg: Some(n) } => match self.live(n).map(|m| m.size) {
                Some(size) => {
                    line.extend_from_slice(b"+OK ");
                    super::response::ScanListing { msg: n, size }.emit(&mut line);
                    line.extend_from_slice(b"\r\n");
                    self.out.extend_from_slice(&line);
                }
                None => self.err("no such message"),
            },
            Command::List { msg: None } => {
                let (count, size) = self.totals();
                let mut head = alloc::format!("{count} messages ({size} octets)");
                if count == 0 {
                    head = String::from("no messages");
                }
                self.ok(&head);
                for (i, m) in self.maildrop.messages.iter().enumerate() {
                    if self.deleted.get(i) == Some(&false) {
                        super::response::ScanListing {
                            msg: i as u32 + 1,
                            size: m.size,
                        }
                        .emit(&mut *self.out);
                        self.out.extend_from_slice(b"\r\n");
                    }
                }
                self.out.extend_from_slice(b".\r\n");
            }
            Command::Uidl { msg: Some(n) } => match self.live(n).map(|m| m.uid.clone()) {
                Some(uid) => {
                    line.extend_from_slice(b"+OK ");
                    let _ = super::response::UniqueIdListing {
                        msg: n,
                        uid: Text::borrowed(&uid),
                    }
                    .emit(&mut line);
                    line.extend_from_slice(b"\r\n");
                    self.out.extend_from_slice(&line);
                }
                None => self.err("no such message"),
            },
            Command::Uidl { msg: None } => {
                self.ok("unique-id listing follows");
                for (i, m) in self.maildrop.messages.iter().enumerate() {
                    if self.deleted.get(i) == Some(&false) {
                        let _ = super::response::UniqueIdListing {
                            msg: i as u32 + 1,
                            uid: Text::borrowed(&m.uid),
                        }
                        .emit(&mut *self.out);
                        self.out.extend_from_slice(b"\r\n");
                    }
                }
                self.out.extend_from_slice(b".\r\n");
            }
            Command::Retr { msg } | Command::Top { msg, .. } if self.live(msg).is_none() => {
                self.err("no such message");
            }
            Command::Retr { msg } => {
                self.awaiting = Awaiting::Body {
                    started: false,
                    encoder: DotEncoder::new(self.config.body_policy),
                    top: None,
                };
                return Ok(Some(Step::Retr(msg)));
            }
            Command::Top { msg, lines } => {
                self.awaiting = Awaiting::Body {
                    started: false,
                    encoder: DotEncoder::new(self.config.body_policy),
                    top: Some(TopFilter::new(lines)),
                };
                return Ok(Some(Step::Top(msg, lines)));
            }
            Command::Dele { msg } => match usize::try_from(msg)
                .ok()
                .and_then(|m| m.checked_sub(1))
                .filter(|&i| i < self.deleted.len())
            {
                Some(i) if self.deleted[i] => self.err("message already deleted"),
                Some(i) => {
                    self.deleted[i] = true;
                    self.ok("message deleted");
                }
                None => self.err("no such message"),
            },
            Command::Noop => self.ok(""),
            Command::Rset => {
                self.deleted.iter_mut().for_each(|d| *d = false);
                let (count, size) = self.totals();
                let text = alloc::format!("maildrop has {count} messages ({size} octets)");
                self.ok(&text);
            }
            _ => self.bad("not allowed after login")?,
        }
        Ok(None)
    }

    fn totals(&self) -> (u32, u64) {
        let mut count = 0u32;
        let mut size = 0u64;
        for (m, d) in self.maildrop.messages.iter().zip(&self.deleted) {
            if !d {
                count = count.saturating_add(1);
                size = size.saturating_add(m.size);
            }
        }
        (count, size)
    }

    fn capa(&mut self) {
        let mut caps: Vec<Capability<'_>> = Vec::new();
        caps.push(Capability::Top);
        caps.push(Capability::Uidl);
        caps.push(Capability::RespCodes);
        if self.config.pipelining {
            caps.push(Capability::Pipelining);
        }
        let authorization = self.phase == Phase::Authorization;
        if authorization && self.config.user_pass && !self.plaintext_refused() {
            caps.push(Capability::User);
        }
        let mechs: Vec<&str> = self
            .config
            .auth_mechanisms
            .iter()
            .filter(|m| !(self.plaintext_refused() && m.needs_tls()))
            .map(|m| m.name())
            .collect();
        let mechs = mechs.join(" ");
        if authorization && !mechs.is_empty() {
            caps.push(Capability::Sasl(SaslMechanisms(Cow::Borrowed(&mechs))));
        }
        if authorization && self.config.tls_available && !self.tls_active {
            caps.push(Capability::Stls);
        }
        if self.config.utf8 {
            caps.push(Capability::Utf8 {
                user: self.config.utf8_user,
            });
        }
        if !self.config.languages.is_empty() {
            caps.push(Capability::Lang);
        }
        // RFC 2449 §6.5, §6.7: "USER" only before login, where the value may
        // vary per user; after login, the user's value
        let login_delay = match (authorization, self.user_login_delay) {
            (false, Some(d)) => Some(d),
            _ => self.config.login_delay,
        };
        if let Some(seconds) = login_delay {
            caps.push(Capability::LoginDelay {
                seconds,
                per_user: authorization && self.config.login_delay_per_user,
            });
        }
        let expire = match (authorization, self.user_expire) {
            (false, Some(e)) => Some(e),
            _ => self.config.expire,
        };
        if let Some(policy) = expire {
            caps.push(Capability::Expire {
                policy,
                per_user: authorization && self.config.expire_per_user,
            });
        }
        let implementation = self.config.implementation.clone();
        if let Some(i) = &implementation {
            caps.push(Capability::Implementation(Text::borrowed(i.as_bytes())));
        }
        let mut out = Vec::new();
        let _ = Response::ok("capability list follows").emit(&mut out);
        for c in caps {
            let mut line = Vec::new();
            if c.emit(&mut line).is_ok() {
                out.extend_from_slice(&line);
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(b".\r\n");
        self.out.extend_from_slice(&out);
    }

    fn check(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Accepts the pending login (PASS, APOP or AUTH) and opens `maildrop`:
    /// `+OK`, and the session enters TRANSACTION.
    pub fn accept_login(&mut self, maildrop: Maildrop) -> Result<(), Error> {
        self.check()?;
        if !matches!(self.awaiting, Awaiting::Login) {
            return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer));
        }
        let count = maildrop.messages.len();
        self.deleted = alloc::vec![false; count];
        self.maildrop = maildrop;
        self.phase = Phase::Transaction;
        self.awaiting = Awaiting::Nothing;
        self.auth_line_expected = false;
        self.user = None;
        let text = alloc::format!("maildrop has {count} messages");
        self.ok(&text);
        Ok(())
    }

    /// Answers the pending event with `-ERR [code] text`: a failed login (the
    /// session stays in AUTHORIZATION), a RETR/TOP that cannot be served (before
    /// any body byte was sent), or an UPDATE that could not remove everything
    /// (the session ends).
    pub fn reject(&mut self, code: Option<ResponseCode<'_>>, text: &str) -> Result<(), Error> {
        self.check()?;
        let r = Response {
            status: super::response::Status::Err,
            code,
            text: Text::borrowed(text.as_bytes()),
        };
        r.validate()?;
        match &self.awaiting {
            Awaiting::Login => {
                self.user = None;
                self.auth_line_expected = false;
            }
            Awaiting::AuthLookup => self.sasl = None,
            Awaiting::Body { started: false, .. } => {}
            Awaiting::Update => self.phase = Phase::Closed,
            Awaiting::Body { started: true, .. } => {
                return Err(Error::Misuse(crate::error::ApiMisuse::BodyInProgress));
            }
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer)),
        }
        self.awaiting = Awaiting::Nothing;
        self.reply(&r);
        Ok(())
    }

    /// Answers [`ServerEvent::Update`]: the deletions were applied; `+OK` and
    /// the session ends.
    pub fn accept(&mut self) -> Result<(), Error> {
        self.check()?;
        if !matches!(self.awaiting, Awaiting::Update) {
            return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer));
        }
        self.awaiting = Awaiting::Nothing;
        self.phase = Phase::Closed;
        self.ok("bye");
        Ok(())
    }

    /// Sends the next chunk of the message asked for by RETR or TOP (chunks may
    /// split lines anywhere). The first call sends `+OK`. The machine
    /// dot-stuffs, and for TOP drops what is past the requested lines.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.check()?;
        let Awaiting::Body {
            started,
            encoder,
            top,
        } = &mut self.awaiting
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer));
        };
        if !*started {
            *started = true;
            self.out.extend_from_slice(b"+OK message follows\r\n");
        }
        let n = match top {
            Some(t) => t.allow(chunk),
            None => chunk.len(),
        };
        encoder.encode(&chunk[..n], &mut *self.out)
    }

    /// Whether a TOP answer already has all the lines it needs (further
    /// [`send_body`](Self::send_body) calls are dropped).
    pub fn body_complete(&self) -> bool {
        matches!(&self.awaiting, Awaiting::Body { top: Some(t), .. } if t.done)
    }

    /// Ends the message (`.` line).
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.check()?;
        let Awaiting::Body {
            started, encoder, ..
        } = &mut self.awaiting
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer));
        };
        if !*started {
            self.out.extend_from_slice(b"+OK message follows\r\n");
        }
        encoder.finish(&mut *self.out);
        self.awaiting = Awaiting::Nothing;
        Ok(())
    }

    /// The TLS handshake after [`ServerEvent::StartTls`] succeeded. The session
    /// starts over in AUTHORIZATION (RFC 2595 §4); STLS is no longer offered.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.check()?;
        if !matches!(self.awaiting, Awaiting::Tls) {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.awaiting = Awaiting::Nothing;
        self.tls_active = true;
        self.user = None;
        self.input.discard();
        self.finder.reset();
        Ok(())
    }
}

fn utf8_or_empty(b: &[u8]) -> &str {
    core::str::from_utf8(b).unwrap_or_default()
}

impl Server {
    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (the crate's time contract): the autologout deadline, or at once when
    /// the session started or input restarted the timer and the machine needs
    /// the time to count from. `None` when the timer is disabled or the
    /// session is over.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.idle.deadline(self.is_closed())
    }

    /// Reports the time (since any fixed point the caller chooses). The
    /// autologout timer counts from the first report after the session
    /// started or input arrived. When it expires the session closes
    /// *without* entering UPDATE: no message is removed (RFC 1939 §3).
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.idle.expired(now, self.is_closed()) {
            self.phase = Phase::Closed;
            self.awaiting = Awaiting::Nothing;
        }
    }
}

connection_by_inherent_methods!(Server);

#[cfg(test)]
mod tests {
    use super::*;

    fn top(message: &[u8], lines: u32, cut: usize) -> Vec<u8> {
        let mut f = TopFilter::new(lines);
        let mut out = Vec::new();
        for part in [&message[..cut], &message[cut..]] {
            let n = f.allow(part);
            out.extend_from_slice(&part[..n]);
        }
        out
    }

    #[test]
    fn top_filter_table() {
        let table: &[(&[u8], u32, &[u8])] = &[
            (
                b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n",
                0,
                b"A: 1\r\nB: 2\r\n\r\n",
            ),
            (
                b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n",
                2,
                b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n",
            ),
            (b"A: 1\r\n\r\nl1\r\n", 5, b"A: 1\r\n\r\nl1\r\n"),
            (b"A: 1\n\nl1\nl2\n", 1, b"A: 1\n\nl1\n"),
            // no blank line: everything is header
            (b"A: 1\r\nB: 2\r\n", 0, b"A: 1\r\nB: 2\r\n"),
            // an empty message, and a message that starts with the blank line
            (b"", 3, b""),
            (b"\r\nbody\r\nmore\r\n", 1, b"\r\nbody\r\n"),
            // a line holding only CR before LF counts as blank
            (
                b"A: 1\r\n \r\nnot blank\r\n\r\nl1\r\n",
                0,
                b"A: 1\r\n \r\nnot blank\r\n\r\n",
            ),
        ];
        for (message, lines, expected) in table {
            for cut in 0..=message.len() {
                assert_eq!(
                    &top(message, *lines, cut),
                    expected,
                    "{message:?} {lines} cut {cut}"
                );
            }
        }
    }
}
