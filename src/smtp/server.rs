//! The SMTP/LMTP server state machine (RFC 5321 §3, §4.1.4, §4.3.2, §4.5.3;
//! RFC 2920 pipelining; RFC 3030 CHUNKING; RFC 3207 STARTTLS; RFC 4954 AUTH;
//! RFC 2033 LMTP).
//!
//! ```
//! use mailwire::smtp::{Server, ServerConfig, ServerEvent};
//!
//! let mut server = Server::new(ServerConfig::new("mx.example"));
//! server.handle_input(b"EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@mx.example>\r\nDATA\r\n");
//! while let Some(event) = server.poll_event()? {
//!     if matches!(event, ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. }) {
//!         server.accept()?;
//!     }
//! }
//! let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
//! assert!(replies.ends_with(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n"));
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! The machine answers what it can alone (EHLO, NOOP, RSET, QUIT, by default
//! VRFY and HELP, syntax and sequence errors, limits) and asks the application through events
//! for what it cannot decide: a sender ([`ServerEvent::Mail`]), a recipient
//! ([`ServerEvent::Rcpt`]), credentials ([`ServerEvent::Auth`]) and a message
//! ([`ServerEvent::DataEnd`]). Answer those with [`Server::accept`] or
//! [`Server::reject`]; until then `poll_event` returns `Ok(None)`, so pipelined
//! commands are handled strictly in order and none is lost.
//!
//! # Message bodies
//!
//! DATA bodies are unstuffed by [`DotDecoder`] and handed out as
//! [`ServerEvent::DataChunk`] slices borrowed from the input buffer, then
//! [`ServerEvent::DataEnd`]. Only `CRLF . CRLF` ends a body. With the default
//! [`BodyPolicy::Strict`], a bare CR or LF in a body makes the machine stop
//! delivering chunks ([`ServerEvent::DataAborted`]), read and discard the rest of
//! the body up to the real `CRLF . CRLF`, and answer `550 5.6.0`; the session
//! goes on in the state after a failed transaction. `\n.\n` therefore never ends
//! a body and nothing after it is read as a command. [`BodyPolicy::KeepBare`]
//! keeps bare CR/LF as content instead. A body over `Limits::message_size` is
//! discarded the same way and answered `552 5.3.4`.
//!
//! BDAT chunks are delivered as they arrive (no unstuffing); each non-last chunk
//! is answered `250` by the machine, the LAST chunk ends with `DataEnd`.
//!
//! # Sequencing and parameters
//!
//! A MAIL or RCPT parameter of an extension the server did not advertise (or a
//! `BODY=` value it did not advertise) is answered `555 5.5.4` (RFC 5321
//! §4.1.1.11); a repeated RET, ENVID, NOTIFY or ORCPT `501 5.5.4` (RFC 3461
//! §4.5). DATA after a BDAT of the same transaction, or after
//! `MAIL ... BODY=BINARYMIME`, is answered `503 5.5.1` (RFC 3030 §2, §3).
//! BINARYMIME is offered with [`ServerConfig::binarymime`], and only together
//! with CHUNKING. A non-ASCII address in MAIL without the SMTPUTF8 parameter
//! is answered `550 5.6.7`, in RCPT of such a transaction `553 5.6.7` (RFC
//! 6531 §3.5).
//!
//! REQUIRETLS (only under TLS, RFC 8689), MT-PRIORITY, DELIVERBY,
//! FUTURERELEASE, RRVS and NO-SOLICITING are advertised and their parameters
//! accepted when [`ServerConfig`] says so; the application sees them typed
//! in the MAIL/RCPT event and judges their values.
//!
//! # Extension hook
//!
//! The application can offer what the crate does not know (each an opt-in of
//! [`ServerConfig`]; without it the machine behaves as before):
//! - EHLO lines of its own, after the built-in ones
//!   ([`ServerConfig::add_ehlo_keyword`]);
//! - MAIL/RCPT parameters it takes ([`ServerConfig::extra_mail_parameters`],
//!   [`ServerConfig::extra_rcpt_parameters`]): they reach the MAIL/RCPT event
//!   instead of `555`;
//! - VRFY, EXPN, HELP, ETRN and unknown verbs as events
//!   ([`ServerConfig::vrfy_events`], `expn_events`, `help_events`,
//!   `etrn_events`, `unknown_command_events`), answered with
//!   [`Server::reply`] (any reply), [`Server::reject`] or [`Server::accept`];
//!   a refused unknown verb counts as a bad command, so a flood still ends
//!   the session;
//! - XCLIENT and XFORWARD (Postfix) and BURL (RFC 4468) as typed events
//!   ([`ServerConfig::xclient`], `xforward`, `burl`).
//!
//! # LMTP
//!
//! With [`ServerConfig::lmtp`], LHLO replaces EHLO and after the body the
//! application gives one answer per accepted recipient, in any order:
//! [`Server::accept_recipient`] / [`Server::reject_recipient`] (or
//! [`Server::accept`] / [`Server::reject`] for all those not answered yet). The
//! replies leave in recipient order.
//!
//! # STARTTLS
//!
//! After `STARTTLS` the machine queues `220`, **discards every byte that arrived
//! after the STARTTLS line** (and any fed before [`Server::tls_established`]),
//! and emits [`ServerEvent::StartTls`]. The adapter flushes `poll_transmit`,
//! runs the handshake and calls [`Server::tls_established`]; the session is then
//! reset as RFC 3207 §4.2 requires (EHLO needed again, no AUTH, no transaction).
//!
//! # Timeouts
//!
//! The machine has one timer: the idle timeout of RFC 5321 §4.5.3.2.7 (5 minutes
//! by default, [`ServerConfig::command_timeout`]; [`ServerConfig::data_timeout`]
//! while a body is being received), kept by the crate's time contract (see the
//! crate docs): it counts from the first `handle_timeout(now)` after the
//! session starts or input arrives (`poll_timeout` is due at once until
//! then), and when it expires the server answers `421 4.4.2` and closes.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;
use core::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

use super::command::{
    Body, Command, ForwardPath, Host, Parameter, Parameters, ReversePath, XAttributes,
};
use super::parse::parse_command;
use super::reply::{EnhancedStatus, Rejection, Reply, ReplyCode};
use crate::Limits;
use crate::error::{Error, LimitKind};
use crate::session::sasl::{Failure, ServerOutcome, ServerSasl, answer_lookup};
use crate::session::{IdleTimer, Input, LineSkip, Output, Reader};
use crate::wire::dot::{BodyPolicy, DotDecoder};
use crate::wire::line::{LineFinder, LinePolicy};
use crate::wire::sasl::{Authentication, Mechanism, SaslAnswer, SaslLookup, encode_base64};

mod config;
pub use config::ServerConfig;
mod event;
pub use event::ServerEvent;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Commands are read.
    Command,
    /// DATA body.
    Data,
    /// BDAT chunk with this many octets still to read.
    Bdat { remaining: u64, last: bool },
    /// Waiting for `tls_established`.
    AwaitTls,
    /// SASL exchange: the next line is a response.
    /// SASL exchange: the next line is a client response.
    AuthResponse,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pending {
    None,
    Mail,
    Rcpt,
    Auth,
    /// A SASL lookup, answered with `auth_lookup` (or `reject`).
    AuthLookup,
    DataEnd,
    /// A command the application answers (an opt-in of the config).
    App(AppCommand),
    /// LMTP: replies per accepted recipient, released in order.
    Lmtp {
        answers: Vec<Option<Reply<'static>>>,
        sent: usize,
    },
}

/// The commands handed to the application by an opt-in of the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AppCommand {
    Vrfy,
    Expn,
    Help,
    Etrn,
    Unknown,
    Xclient,
    Xforward,
    Burl { last: bool },
}

#[derive(Debug)]
struct Core {
    config: ServerConfig,
    out: Output,
    phase: Phase,
    pending: Pending,
    lines: LineFinder,
    /// Discarding a refused line up to its LF.
    skipping_line: LineSkip,
    helo: bool,
    tls_active: bool,
    authenticated: bool,
    in_transaction: bool,
    recipients: usize,
    body_size: u64,
    /// The body is being discarded; answer this at its end.
    body_failure: Option<(u16, (u8, u16, u16), &'static str)>,
    dot: DotDecoder,
    data_started: bool,
    /// The MAIL of the transaction (or the one awaiting the application's
    /// answer) had `BODY=BINARYMIME`: DATA is refused (RFC 3030 §3).
    mail_binary: bool,
    /// The MAIL of the transaction had `SMTPUTF8`: UTF-8 addresses are
    /// accepted in RCPT (RFC 6531 §3.4, §3.5).
    mail_smtputf8: bool,
    bad_commands: usize,
    error: Option<Error>,
    closed: bool,
    /// The AUTH exchange in progress.
    sasl: Option<ServerSasl>,
    /// A completed exchange, reported by the next `poll_event`.
    sasl_done: Option<alloc::boxed::Box<Authentication<'static>>>,
    auth_mechanism: Option<Mechanism>,
    /// The idle timer (command or data timeout, by phase).
    idle: IdleTimer,
}

/// The SMTP/LMTP server state machine; see the [module docs](self).
///
/// ```
/// use mailwire::smtp::{Rejection, Server, ServerConfig, ServerEvent};
///
/// let mut server = Server::new(ServerConfig::new("foo.com"));
/// // RFC 5321 Appendix D.1, the client's lines
/// server.handle_input(b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\n\
///     RCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n\
///     Blah blah blah...\r\n....etc. etc. etc.\r\n.\r\nQUIT\r\n");
/// let mut body = Vec::new();
/// loop {
///     // decide inside the match (the event borrows the server), act after it
///     let answer = match server.poll_event()? {
///         None => break,
///         Some(ServerEvent::Rcpt { forward_path, .. }) => {
///             let local = forward_path.mailbox().map(|m| m.local_part.to_string());
///             Some(local.as_deref() != Some("Green"))
///         }
///         Some(ServerEvent::Mail { .. } | ServerEvent::DataEnd) => Some(true),
///         Some(ServerEvent::DataChunk(chunk)) => (body.extend_from_slice(&chunk), None).1,
///         Some(_) => None,
///     };
///     match answer {
///         Some(true) => server.accept()?,
///         Some(false) => server.reject_with(Rejection::NO_SUCH_USER)?,
///         None => {}
///     }
/// }
/// assert_eq!(body, b"Blah blah blah...\r\n...etc. etc. etc.\r\n"); // unstuffed
/// let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// let replies = String::from_utf8(replies).unwrap();
/// assert!(replies.starts_with("220 foo.com"));
/// // one reply per command, in order (RFC 5321 D.1), with enhanced codes (RFC 2034)
/// assert!(replies.ends_with(
///     "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n550 5.1.1 No such user here\r\n\
///      250 2.1.5 Recipient OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n\
///      250 2.0.0 Message accepted\r\n221 2.0.0 Bye\r\n"
/// ), "{replies}");
/// assert!(server.is_closed());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    input: Input,
    core: Core,
    /// The PROXY protocol header before the greeting.
    proxy: crate::session::ProxyGate,
}

impl Server {
    /// A server; its greeting (`220 hostname ESMTP ready`) is queued at once.
    pub fn new(config: ServerConfig) -> Server {
        let lines = LineFinder::new(
            config.limits.command_line,
            LimitKind::CommandLine,
            config.line_policy,
        );
        let mut core = Core {
            out: Output::with_capacity(512),
            phase: Phase::Command,
            pending: Pending::None,
            lines,
            skipping_line: LineSkip::default(),
            helo: false,
            tls_active: config.tls_active,
            authenticated: false,
            in_transaction: false,
            recipients: 0,
            body_size: 0,
            body_failure: None,
            dot: DotDecoder::new(config.body_policy),
            data_started: false,
            mail_binary: false,
            mail_smtputf8: false,
            bad_commands: 0,
            error: None,
            closed: false,
            sasl: None,
            sasl_done: None,
            auth_mechanism: None,
            idle: IdleTimer::new(Some(config.command_timeout)),
            config,
        };
        core.greet();
        let proxy = crate::session::ProxyGate::new(core.config.proxy_protocol, &mut core.out);
        Server {
            input: Input::default(),
            core,
            proxy,
        }
    }

    /// The PROXY protocol header of this connection, once it arrived (see
    /// [`ServerConfig::proxy_protocol`]).
    pub fn proxied(&self) -> Option<&crate::wire::proxy::ProxyInfo> {
        self.proxy.info()
    }

    /// Whether TLS is active (implicit, or after STARTTLS).
    pub fn tls_active(&self) -> bool {
        self.core.tls_active
    }

    /// The SASL mechanism of the last AUTH command (the one a
    /// [`ServerEvent::Auth`] completed), if any. LOGIN and PLAIN both arrive as
    /// [`Authentication::Plain`]; this tells them apart.
    pub fn auth_mechanism(&self) -> Option<Mechanism> {
        self.core.auth_mechanism
    }

    /// Whether AUTH succeeded in this session.
    pub fn is_authenticated(&self) -> bool {
        self.core.authenticated
    }

    /// The number of accepted recipients in the current transaction.
    pub fn recipients(&self) -> usize {
        self.core.recipients
    }

    /// The next event, `Ok(None)` when more input is needed or an event awaits
    /// the application's answer. See the [module docs](self).
    pub fn poll_event(&mut self) -> Result<Option<ServerEvent<'_>>, Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        let core = &mut self.core;
        if let Some(a) = core.sasl_done.take() {
            core.pending = Pending::Auth;
            return Ok(Some(ServerEvent::Auth(*a)));
        }
        if core.pending != Pending::None || core.closed || core.phase == Phase::AwaitTls {
            return Ok(None);
        }
        match self.proxy.poll(&mut self.input, &mut core.out) {
            Ok(crate::session::Gate::Pass) => {}
            Ok(crate::session::Gate::Wait) => return Ok(None),
            Ok(crate::session::Gate::Header(info)) => return Ok(Some(ServerEvent::Proxied(info))),
            Err(e) => {
                core.closed = true;
                core.error = Some(e.clone());
                return Err(e);
            }
        }
        self.input.compact();
        core.next_event(&mut self.input.reader())
    }

    /// Accepts what the last event asked about (MAIL, RCPT, AUTH, end of data;
    /// in LMTP mode after the data: every recipient not answered yet).
    pub fn accept(&mut self) -> Result<(), Error> {
        self.core.answer(true, None)
    }

    /// [`reject`](Self::reject) with one of the common replies.
    ///
    /// ```
    /// use mailwire::smtp::{Rejection, Server, ServerConfig, ServerEvent};
    /// let mut server = Server::new(ServerConfig::new("mx.example.org"));
    /// server.poll_transmit();
    /// server.handle_input(b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@elsewhere.example>\r\n");
    /// while let Some(event) = server.poll_event().unwrap() {
    ///     match event {
    ///         ServerEvent::Rcpt { forward_path, .. } if !forward_path.is_in_domain("example.org") => {
    ///             server.reject_with(Rejection::RELAY_DENIED).unwrap()
    ///         }
    ///         ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => server.accept().unwrap(),
    ///         _ => {}
    ///     }
    /// }
    /// let out: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
    /// assert!(out.ends_with(b"550 5.7.1 Relaying denied\r\n"));
    /// ```
    pub fn reject_with(&mut self, rejection: Rejection) -> Result<(), Error> {
        self.reject(rejection.code, rejection.status, rejection.text)
    }

    /// Rejects what the last event asked about with `code` (4xx or 5xx), an
    /// enhanced status code and a one-line text. In LMTP mode after the data:
    /// every recipient not answered yet.
    pub fn reject(&mut self, code: u16, enhanced: EnhancedStatus, text: &str) -> Result<(), Error> {
        let c =
            ReplyCode::new(code).ok_or(Error::Misuse(crate::error::ApiMisuse::InvalidReplyCode))?;
        if !(c.is_transient() || c.is_permanent()) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidReplyCode));
        }
        let r = self.core.build_reply(c, enhanced, text)?;
        self.core.answer(false, Some(r))
    }

    /// Answers a command the application took over ([`ServerEvent::Vrfy`],
    /// [`Expn`](ServerEvent::Expn), [`Help`](ServerEvent::Help),
    /// [`Etrn`](ServerEvent::Etrn), [`UnknownCommand`](ServerEvent::UnknownCommand))
    /// with any reply of class 2, 4 or 5, one line or several (build it with
    /// [`Reply::new`]). A `421` closes the session after it (RFC 5321 §3.8).
    /// `Error::Misuse` when no such event waits (MAIL, RCPT, data, AUTH,
    /// XCLIENT, XFORWARD and BURL are answered with
    /// [`accept`](Self::accept) / [`reject`](Self::reject)) or for another
    /// class of code.
    ///
    /// ```
    /// use mailwire::smtp::{Reply, ReplyCode, Server, ServerConfig, ServerEvent};
    /// let mut server = Server::new(ServerConfig::new("mx.example").expn_events(true));
    /// server.poll_transmit();
    /// server.handle_input(b"EHLO c\r\nEXPN staff\r\n");
    /// while let Some(event) = server.poll_event().unwrap() {
    ///     if let ServerEvent::Expn { argument } = event {
    ///         assert_eq!(argument, "staff");
    ///         let lines: [&[u8]; 2] = [b"<ann@example.org>", b"<bob@example.org>"];
    ///         let reply = Reply::new(ReplyCode::OK, None, &lines).unwrap();
    ///         server.reply(&reply).unwrap();
    ///     }
    /// }
    /// let out: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
    /// assert!(out.ends_with(b"250-<ann@example.org>\r\n250 <bob@example.org>\r\n"));
    /// ```
    pub fn reply(&mut self, reply: &Reply<'_>) -> Result<(), Error> {
        self.core.reply(reply)
    }

    /// Answers a [`ServerEvent::AuthLookup`] (see [`SaslLookup`]): the
    /// machine goes on with the exchange, and a proof that checks out
    /// arrives as [`ServerEvent::Auth`] with [`Authentication::Verified`].
    /// [`reject`](Self::reject) fails the exchange instead. `Error::Misuse`
    /// when no lookup waits or the answer does not fit it.
    pub fn auth_lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        self.core.auth_lookup(answer)
    }

    /// LMTP: accepts delivery to the `index`-th accepted recipient (0-based).
    pub fn accept_recipient(&mut self, index: usize) -> Result<(), Error> {
        let r = self.core.build_reply(
            ReplyCode::OK,
            EnhancedStatus::c(2, 0, 0),
            "Message delivered",
        )?;
        self.core.answer_recipient(index, r)
    }

    /// LMTP: refuses delivery to the `index`-th accepted recipient.
    pub fn reject_recipient(
        &mut self,
        index: usize,
        code: u16,
        enhanced: EnhancedStatus,
        text: &str,
    ) -> Result<(), Error> {
        let c =
            ReplyCode::new(code).ok_or(Error::Misuse(crate::error::ApiMisuse::InvalidReplyCode))?;
        if !(c.is_transient() || c.is_permanent()) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidReplyCode));
        }
        let r = self.core.build_reply(c, enhanced, text)?;
        self.core.answer_recipient(index, r)
    }

    /// The adapter finished the TLS handshake after [`ServerEvent::StartTls`].
    /// The session starts over: EHLO is required again.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        let core = &mut self.core;
        if core.phase != Phase::AwaitTls {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.input.discard();
        core.lines.reset();
        core.phase = Phase::Command;
        core.tls_active = true;
        core.helo = false;
        core.authenticated = false;
        core.reset_transaction();
        Ok(())
    }
}

impl Core {
    /// Queues the greeting: `220 hostname greeting`.
    fn greet(&mut self) {
        let mut greeting = String::new();
        let _ = write!(
            greeting,
            "{} {}",
            self.config.hostname, self.config.greeting
        );
        let host_ok = crate::wire::line::is_line_safe(greeting.as_bytes()) && greeting.len() < 500;
        if host_ok {
            self.raw_reply(220, None, &greeting);
        } else {
            self.raw_reply(220, None, "ESMTP ready");
        }
    }

    fn enh(&self) -> bool {
        self.config.enhanced_status_codes
    }

    /// Writes a one-line reply straight into the output buffer.
    fn raw_reply(&mut self, code: u16, enhanced: Option<(u8, u16, u16)>, text: &str) {
        let _ = write!(Writer(&mut self.out), "{code} ");
        if let (Some((a, b, c)), true) = (enhanced, self.config.enhanced_status_codes) {
            let _ = write!(Writer(&mut self.out), "{a}.{b}.{c} ");
        }
        self.out.put_slice(text.as_bytes());
        self.out.put_slice(b"\r\n");
    }

    fn build_reply(
        &self,
        code: ReplyCode,
        enhanced: EnhancedStatus,
        text: &str,
    ) -> Result<Reply<'static>, Error> {
        let e = if self.enh() { Some(enhanced) } else { None };
        Reply::new(code, e, &[text.as_bytes()])
    }

    fn reset_transaction(&mut self) {
        self.in_transaction = false;
        self.recipients = 0;
        self.body_size = 0;
        self.body_failure = None;
        self.data_started = false;
        self.mail_binary = false;
        self.mail_smtputf8 = false;
    }

    fn bad(&mut self, code: u16, enh: (u8, u16, u16), text: &str) -> Result<(), Error> {
        self.raw_reply(code, Some(enh), text);
        self.count_bad()
    }

    /// Counts a bad command; past the limit, `421` and the session ends.
    fn count_bad(&mut self) -> Result<(), Error> {
        self.bad_commands += 1;
        if self.bad_commands >= self.config.limits.bad_commands {
            self.raw_reply(421, Some((4, 7, 0)), "Too many errors, closing connection");
            self.closed = true;
            let e = Error::limit(LimitKind::BadCommands, self.config.limits.bad_commands);
            self.error = Some(e.clone());
            return Err(e);
        }
        Ok(())
    }

    fn reply(&mut self, reply: &Reply<'_>) -> Result<(), Error> {
        let cmd = match self.pending {
            Pending::App(cmd) => cmd,
            Pending::None => return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer)),
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::UseDedicatedMethod)),
        };
        if !matches!(
            cmd,
            AppCommand::Vrfy
                | AppCommand::Expn
                | AppCommand::Help
                | AppCommand::Etrn
                | AppCommand::Unknown
        ) {
            return Err(Error::Misuse(crate::error::ApiMisuse::UseDedicatedMethod));
        }
        let code = reply.code();
        if !(code.is_positive() || code.is_transient() || code.is_permanent()) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidReplyCode));
        }
        self.pending = Pending::None;
        self.out.put_slice(reply.as_bytes());
        if code.get() == 421 {
            self.closed = true;
        } else if cmd == AppCommand::Unknown && !code.is_positive() {
            // Past the limit the session ends; the next poll_event says why.
            let _ = self.count_bad();
        }
        Ok(())
    }

    /// Answers a command the application took over: `ok` gives the default
    /// positive reply, else `reply`.
    fn answer_app(
        &mut self,
        cmd: AppCommand,
        ok: bool,
        reply: Option<Reply<'static>>,
    ) -> Result<(), Error> {
        if !ok {
            if let Some(r) = &reply {
                self.out.put_slice(r.as_bytes());
                if r.code().get() == 421 {
                    self.closed = true;
                    return Ok(());
                }
            }
            match cmd {
                // Past the limit the session ends; the next poll_event says why.
                AppCommand::Unknown => {
                    let _ = self.count_bad();
                }
                // RFC 4468 §3.2: "If the URL fetch fails, the server will
                // fail the entire transaction."
                AppCommand::Burl { .. } => self.reset_transaction(),
                _ => {}
            }
            return Ok(());
        }
        match cmd {
            AppCommand::Vrfy => self.raw_reply(
                252,
                Some((2, 5, 0)),
                "Cannot VRFY user, but will accept message",
            ),
            AppCommand::Help => self.raw_reply(214, Some((2, 0, 0)), "See RFC 5321"),
            AppCommand::Etrn => self.raw_reply(250, Some((2, 0, 0)), "Queuing started"),
            AppCommand::Expn | AppCommand::Unknown | AppCommand::Xforward => {
                self.raw_reply(250, Some((2, 0, 0)), "OK")
            }
            AppCommand::Xclient => {
                // XCLIENT_README: on success the server "resets state to the
                // initial SMTP greeting protocol stage, and sends the SMTP
                // greeting"; the client must EHLO again.
                self.helo = false;
                self.authenticated = false;
                self.auth_mechanism = None;
                self.reset_transaction();
                self.greet();
            }
            // RFC 4468 §6's texts.
            AppCommand::Burl { last: false } => self.raw_reply(
                250,
                Some((2, 5, 0)),
                "Waiting for additional BURL or BDAT commands",
            ),
            AppCommand::Burl { last: true } => {
                self.reset_transaction();
                self.raw_reply(250, Some((2, 5, 0)), "Ok");
            }
        }
        Ok(())
    }

    fn answer(&mut self, ok: bool, reply: Option<Reply<'static>>) -> Result<(), Error> {
        let pending = core::mem::replace(&mut self.pending, Pending::None);
        if let Pending::App(cmd) = pending {
            return self.answer_app(cmd, ok, reply);
        }
        let (code, enh, text) = match &pending {
            Pending::None => return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer)),
            Pending::Mail => (250, (2, 1, 0), "Sender OK"),
            Pending::Rcpt => (250, (2, 1, 5), "Recipient OK"),
            Pending::Auth => (235, (2, 7, 0), "Authentication successful"),
            Pending::AuthLookup if ok => {
                self.pending = Pending::AuthLookup;
                return Err(Error::Misuse(crate::error::ApiMisuse::LookupPending));
            }
            Pending::AuthLookup => {
                self.sasl = None;
                (535, (5, 7, 8), "Authentication credentials invalid")
            }
            Pending::DataEnd => (250, (2, 0, 0), "Message accepted"),
            Pending::App(_) => return Ok(()),
            Pending::Lmtp { answers, sent } => {
                let mut answers = answers.clone();
                let sent = *sent;
                for a in answers.iter_mut().filter(|a| a.is_none()) {
                    *a = Some(match &reply {
                        Some(r) if !ok => r.clone(),
                        _ => self.build_reply(
                            ReplyCode::OK,
                            EnhancedStatus::c(2, 0, 0),
                            "Message delivered",
                        )?,
                    });
                }
                self.pending = Pending::Lmtp { answers, sent };
                self.flush_lmtp();
                return Ok(());
            }
        };
        match (&pending, ok) {
            (Pending::Mail, true) => {
                self.in_transaction = true;
                self.recipients = 0;
            }
            (Pending::Mail, false) => {
                self.mail_binary = false;
                self.mail_smtputf8 = false;
            }
            (Pending::Rcpt, true) => self.recipients += 1,
            (Pending::Auth, true) => self.authenticated = true,
            (Pending::DataEnd, _) => self.reset_transaction(),
            _ => {}
        }
        match reply {
            Some(r) if !ok => self.out.put_slice(r.as_bytes()),
            _ => self.raw_reply(code, Some(enh), text),
        }
        Ok(())
    }

    fn answer_recipient(&mut self, index: usize, reply: Reply<'static>) -> Result<(), Error> {
        let Pending::Lmtp { answers, .. } = &mut self.pending else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer));
        };
        let slot = answers
            .get_mut(index)
            .ok_or(Error::Misuse(crate::error::ApiMisuse::NoSuchRecipient))?;
        if slot.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::RecipientAnswered));
        }
        *slot = Some(reply);
        self.flush_lmtp();
        Ok(())
    }

    fn flush_lmtp(&mut self) {
        let Pending::Lmtp { answers, sent } = &mut self.pending else {
            return;
        };
        while let Some(Some(r)) = answers.get(*sent) {
            self.out.put_slice(r.as_bytes());
            *sent += 1;
        }
        if *sent >= answers.len() {
            self.pending = Pending::None;
            self.reset_transaction();
        }
    }

    fn next_event<'b>(&mut self, r: &mut Reader<'b>) -> Result<Option<ServerEvent<'b>>, Error> {
        loop {
            if self.closed || self.pending != Pending::None {
                return Ok(None);
            }
            match self.phase {
                Phase::AwaitTls => return Ok(None),
                Phase::Data => {
                    if let Some(ev) = self.data_step(r)? {
                        return Ok(Some(ev));
                    }
                    if self.phase == Phase::Data {
                        return self.at_input_end(r, true);
                    }
                }
                Phase::Bdat { .. } => {
                    if let Some(ev) = self.bdat_step(r)? {
                        return Ok(Some(ev));
                    }
                    if matches!(self.phase, Phase::Bdat { .. }) {
                        return self.at_input_end(r, true);
                    }
                }
                Phase::Command | Phase::AuthResponse => {
                    if self.skipping_line.is_skipping() {
                        if !self.skipping_line.resume(r) {
                            return self.at_input_end(r, false);
                        }
                        self.lines.reset();
                        continue;
                    }
                    let rest = r.rest();
                    let line = match self.lines.find(rest) {
                        Ok(Some(l)) => l,
                        Ok(None) => return self.at_input_end(r, false),
                        Err(Error::BareLineEnding(_))
                            if memchr::memchr2(b'\r', b'\n', rest)
                                .is_some_and(|i| i + 1 < self.config.limits.command_line) =>
                        {
                            self.lines.reset();
                            let i = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(0);
                            r.consume(i + 1);
                            self.phase = Phase::Command;
                            self.bad(500, (5, 5, 2), "Bare CR or LF not allowed in commands")?;
                            continue;
                        }
                        // A bare CR at the limit is an over-long line too (and is
                        // seen as one when the input stops right after it).
                        Err(Error::Limit(_) | Error::BareLineEnding(_)) => {
                            self.lines.reset();
                            self.skipping_line.drop_line(r);
                            self.phase = Phase::Command;
                            self.bad(500, (5, 5, 6), "Line too long")?;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let text = &rest[..line.len];
                    r.consume(line.consumed);
                    if self.phase != Phase::Command {
                        if let Some(ev) = self.auth_line(text)? {
                            return Ok(Some(ev));
                        }
                        continue;
                    }
                    if let Some(ev) = self.command(text)? {
                        if self.phase == Phase::AwaitTls {
                            r.consume_all();
                        }
                        return Ok(Some(ev));
                    }
                }
            }
        }
    }

    /// No more complete input: handle EOF.
    fn at_input_end<'b>(
        &mut self,
        r: &Reader<'b>,
        in_body: bool,
    ) -> Result<Option<ServerEvent<'b>>, Error> {
        if r.is_eof() && !self.closed {
            self.closed = true;
            if in_body && self.body_failure.is_none() {
                return Ok(Some(ServerEvent::DataAborted {
                    reason: Error::Closed,
                }));
            }
        }
        Ok(None)
    }

    fn data_step<'b>(&mut self, r: &mut Reader<'b>) -> Result<Option<ServerEvent<'b>>, Error> {
        loop {
            let rest = r.rest();
            let saved = self.dot.clone();
            let step = match self.dot.decode(rest) {
                Ok(s) => s,
                Err(e) => {
                    // Strict policy: a bare CR/LF. Discard the rest of the body up
                    // to the real CRLF.CRLF, then answer 550.
                    self.dot = saved;
                    self.dot.set_policy(BodyPolicy::KeepBare);
                    let already = self.body_failure.is_some();
                    self.body_failure = Some((550, (5, 6, 0), "Bare CR or LF in message body"));
                    if !already {
                        return Ok(Some(ServerEvent::DataAborted { reason: e }));
                    }
                    continue;
                }
            };
            r.consume(step.consumed);
            if step.end {
                self.phase = Phase::Command;
                self.dot = DotDecoder::new(self.config.body_policy);
                return self.body_done();
            }
            if step.consumed == 0 {
                return Ok(None);
            }
            if step.data.is_empty() {
                continue;
            }
            if let Some(ev) = self.body_bytes(step.data) {
                return Ok(Some(ev));
            }
        }
    }

    /// Counts body bytes; returns the chunk event unless the body is being discarded.
    fn body_bytes<'b>(&mut self, data: &'b [u8]) -> Option<ServerEvent<'b>> {
        self.body_size = self.body_size.saturating_add(data.len() as u64);
        if self.body_failure.is_some() {
            return None;
        }
        if self.body_size > self.config.limits.message_size {
            self.body_failure = Some((552, (5, 3, 4), "Message too big"));
            return Some(ServerEvent::DataAborted {
                reason: Error::limit(LimitKind::MessageSize, self.config.limits.message_size),
            });
        }
        Some(ServerEvent::DataChunk(Cow::Borrowed(data)))
    }

    /// The body ended: answer a failure, or ask the application.
    fn body_done<'b>(&mut self) -> Result<Option<ServerEvent<'b>>, Error> {
        if let Some((code, enh, text)) = self.body_failure.take() {
            self.raw_reply(code, Some(enh), text);
            self.reset_transaction();
            return Ok(None);
        }
        if self.config.lmtp {
            let n = self.recipients;
            self.pending = Pending::Lmtp {
                answers: alloc::vec![None; n],
                sent: 0,
            };
        } else {
            self.pending = Pending::DataEnd;
        }
        Ok(Some(ServerEvent::DataEnd))
    }

    fn bdat_step<'b>(&mut self, r: &mut Reader<'b>) -> Result<Option<ServerEvent<'b>>, Error> {
        loop {
            let Phase::Bdat { remaining, last } = self.phase else {
                return Ok(None);
            };
            if remaining == 0 {
                self.phase = Phase::Command;
                if !self.in_transaction {
                    // a BDAT refused up front: its octets are read, now answer
                    let (code, enh, text) = self.body_failure.take().unwrap_or((
                        503,
                        (5, 5, 1),
                        "Bad sequence of commands",
                    ));
                    self.raw_reply(code, Some(enh), text);
                    return Ok(None);
                }
                if last {
                    return self.body_done();
                }
                match self.body_failure {
                    Some((code, enh, text)) => self.raw_reply(code, Some(enh), text),
                    None => self.raw_reply(250, Some((2, 0, 0)), "Chunk received"),
                }
                return Ok(None);
            }
            let rest = r.rest();
            if rest.is_empty() {
                return Ok(None);
            }
            let n = usize::try_from(remaining)
                .unwrap_or(usize::MAX)
                .min(rest.len());
            let data = &rest[..n];
            r.consume(n);
            self.phase = Phase::Bdat {
                remaining: remaining - n as u64,
                last,
            };
            if !self.in_transaction {
                continue;
            }
            if let Some(ev) = self.body_bytes(data) {
                return Ok(Some(ev));
            }
        }
    }

    fn command<'b>(&mut self, line: &'b [u8]) -> Result<Option<ServerEvent<'b>>, Error> {
        let cmd = match parse_command(line) {
            Ok(c) => c,
            Err(_) => {
                let known = line.len() >= 4
                    && [
                        &b"HELO"[..],
                        b"EHLO",
                        b"LHLO",
                        b"MAIL",
                        b"RCPT",
                        b"DATA",
                        b"BDAT",
                        b"RSET",
                        b"VRFY",
                        b"EXPN",
                        b"HELP",
                        b"NOOP",
                        b"QUIT",
                        b"AUTH",
                        b"ETRN",
                        b"STAR",
                    ]
                    .iter()
                    .any(|v| line[..4].eq_ignore_ascii_case(v));
                let verb = &line[..line.iter().position(|&b| b == b' ').unwrap_or(line.len())];
                let ext = |name: &[u8], on: bool| on && verb.eq_ignore_ascii_case(name);
                let c = &self.config;
                // XCLIENT_README and XFORWARD_README: "501 | bad command
                // parameter syntax".
                let known = known
                    || ext(b"XCLIENT", c.xclient)
                    || ext(b"XFORWARD", c.xforward)
                    || ext(b"BURL", self.burl_offered());
                if !known && self.config.unknown_command_events {
                    if let Some(ev) = self.unknown_command(line) {
                        return Ok(Some(ev));
                    }
                }
                if known {
                    self.bad(501, (5, 5, 4), "Syntax error in parameters or arguments")?;
                } else {
                    self.bad(500, (5, 5, 2), "Syntax error, command unrecognized")?;
                }
                return Ok(None);
            }
        };
        let lmtp = self.config.lmtp;
        match cmd {
            Command::Ehlo { domain } if !lmtp => Ok(Some(self.hello("EHLO", domain))),
            Command::Lhlo { domain } if lmtp => Ok(Some(self.hello("LHLO", domain))),
            Command::Helo { domain } if !lmtp => {
                self.helo = true;
                self.reset_transaction();
                let text = self.config.hostname.clone();
                self.raw_reply(250, None, &text);
                Ok(Some(ServerEvent::Hello {
                    verb: "HELO",
                    domain,
                }))
            }
            Command::Mail {
                reverse_path,
                parameters,
            } => {
                if !self.helo {
                    self.bad(503, (5, 5, 1), "Send EHLO first")?;
                } else if self.in_transaction {
                    self.bad(503, (5, 5, 1), "Nested MAIL command")?;
                } else if parameters
                    .size()
                    .is_some_and(|s| s > self.config.limits.message_size)
                {
                    self.raw_reply(552, Some((5, 3, 4)), "Message size exceeds fixed limit");
                } else if let Some((code, enh, text)) = self.params_error(&parameters, true) {
                    self.raw_reply(code, Some(enh), text);
                } else if matches!(&reverse_path, ReversePath::Mailbox(m) if !m.is_ascii())
                    && !parameters.smtputf8()
                {
                    // RFC 6531 §3.5: "When messages are rejected because the
                    // MAIL command requires an ASCII address, the reply-code
                    // 550 is returned with the meaning "mailbox unavailable"."
                    self.raw_reply(550, Some((5, 6, 7)), "Non-ASCII address needs SMTPUTF8");
                } else {
                    self.mail_binary = parameters
                        .iter()
                        .any(|p| p == Parameter::Body(Body::BinaryMime));
                    self.mail_smtputf8 = parameters.smtputf8();
                    self.pending = Pending::Mail;
                    return Ok(Some(ServerEvent::Mail {
                        reverse_path,
                        parameters,
                    }));
                }
                Ok(None)
            }
            Command::Rcpt {
                forward_path,
                parameters,
            } => {
                if !self.in_transaction {
                    // Not counted as a bad command: a pipelining client sends its
                    // RCPTs before it learns that MAIL was refused (RFC 2920 §3.1).
                    self.raw_reply(503, Some((5, 5, 1)), "Need MAIL before RCPT");
                } else if self.recipients >= self.config.limits.recipients {
                    self.raw_reply(452, Some((4, 5, 3)), "Too many recipients");
                } else if let Some((code, enh, text)) = self.params_error(&parameters, false) {
                    self.raw_reply(code, Some(enh), text);
                } else if matches!(&forward_path, ForwardPath::Mailbox(m) if !m.is_ascii())
                    && !self.mail_smtputf8
                {
                    // RFC 6531 §3.5: "When messages are rejected because the
                    // RCPT command requires an ASCII address, the reply-code
                    // 553 is returned with the meaning "mailbox name not
                    // allowed"." (X.6.7: "Non-ASCII addresses not permitted
                    // for that sender/recipient".)
                    self.raw_reply(553, Some((5, 6, 7)), "Non-ASCII address needs SMTPUTF8");
                } else {
                    self.pending = Pending::Rcpt;
                    return Ok(Some(ServerEvent::Rcpt {
                        forward_path,
                        parameters,
                    }));
                }
                Ok(None)
            }
            Command::Data => {
                if !self.in_transaction {
                    // Not counted either: the end of a refused pipelined group.
                    self.raw_reply(503, Some((5, 5, 1)), "Need MAIL command");
                } else if self.data_started {
                    // RFC 3030 §2: "DATA and BDAT commands cannot be used in
                    // the same transaction.  If a DATA statement is issued
                    // after a BDAT for the current transaction, a 503 "Bad
                    // sequence of commands" MUST be issued."
                    self.raw_reply(503, Some((5, 5, 1)), "DATA after BDAT in one transaction");
                } else if self.mail_binary {
                    // RFC 3030 §3: "BINARYMIME cannot be used with the DATA
                    // command.  If a DATA command is issued after a MAIL
                    // command containing the body-value of "BINARYMIME", a 503
                    // "Bad sequence of commands" response MUST be sent."
                    self.raw_reply(503, Some((5, 5, 1)), "BINARYMIME needs BDAT");
                } else if self.recipients == 0 {
                    self.raw_reply(554, Some((5, 5, 1)), "No valid recipients");
                } else {
                    self.raw_reply(354, None, "Start mail input; end with <CRLF>.<CRLF>");
                    self.phase = Phase::Data;
                    self.body_size = 0;
                    self.body_failure = None;
                    self.dot = DotDecoder::new(self.config.body_policy);
                    return Ok(Some(ServerEvent::DataStart));
                }
                Ok(None)
            }
            Command::Bdat { size, last } => {
                self.phase = Phase::Bdat {
                    remaining: size,
                    last,
                };
                if !self.config.chunking {
                    self.in_transaction_fail_bdat(502, (5, 5, 1), "BDAT not supported");
                } else if !self.in_transaction {
                    self.in_transaction_fail_bdat(503, (5, 5, 1), "Need MAIL command");
                } else if self.recipients == 0 {
                    self.in_transaction_fail_bdat(554, (5, 5, 1), "No valid recipients");
                } else if !self.data_started {
                    self.data_started = true;
                    self.body_size = 0;
                    if size > self.config.limits.message_size {
                        self.body_failure = Some((552, (5, 3, 4), "Message too big"));
                    }
                    return Ok(Some(ServerEvent::DataStart));
                } else if self.body_size.saturating_add(size) > self.config.limits.message_size
                    && self.body_failure.is_none()
                {
                    self.body_failure = Some((552, (5, 3, 4), "Message too big"));
                    return Ok(Some(ServerEvent::DataAborted {
                        reason: Error::limit(
                            LimitKind::MessageSize,
                            self.config.limits.message_size,
                        ),
                    }));
                }
                Ok(None)
            }
            Command::Rset => {
                let had = self.in_transaction;
                self.reset_transaction();
                self.raw_reply(250, Some((2, 0, 0)), "OK");
                Ok(had.then_some(ServerEvent::Reset))
            }
            Command::Noop { .. } => {
                self.raw_reply(250, Some((2, 0, 0)), "OK");
                Ok(None)
            }
            Command::Help { topic } if self.config.help_events => {
                self.pending = Pending::App(AppCommand::Help);
                Ok(Some(ServerEvent::Help { topic }))
            }
            Command::Help { .. } => {
                self.raw_reply(214, Some((2, 0, 0)), "See RFC 5321");
                Ok(None)
            }
            Command::Vrfy { argument } if self.config.vrfy_events => {
                self.pending = Pending::App(AppCommand::Vrfy);
                Ok(Some(ServerEvent::Vrfy { argument }))
            }
            Command::Vrfy { .. } => {
                self.raw_reply(
                    252,
                    Some((2, 5, 0)),
                    "Cannot VRFY user, but will accept message",
                );
                Ok(None)
            }
            Command::Expn { argument } if self.config.expn_events => {
                self.pending = Pending::App(AppCommand::Expn);
                Ok(Some(ServerEvent::Expn { argument }))
            }
            Command::Etrn { node } if self.config.etrn_events => {
                self.pending = Pending::App(AppCommand::Etrn);
                Ok(Some(ServerEvent::Etrn { node }))
            }
            Command::Expn { .. } | Command::Etrn { .. } => {
                self.raw_reply(502, Some((5, 5, 1)), "Command not implemented");
                Ok(None)
            }
            Command::Xclient { attributes } if self.config.xclient => {
                Ok(self.x_command(AppCommand::Xclient, attributes))
            }
            Command::Xforward { attributes } if self.config.xforward => {
                Ok(self.x_command(AppCommand::Xforward, attributes))
            }
            Command::Burl { url, last } if self.burl_offered() => self.burl(url, last),
            Command::Quit => {
                self.raw_reply(221, Some((2, 0, 0)), "Bye");
                self.closed = true;
                Ok(None)
            }
            Command::StartTls => {
                if !self.config.tls_available || self.tls_active {
                    self.bad(502, (5, 5, 1), "STARTTLS not available")?;
                } else if self.in_transaction {
                    self.bad(503, (5, 5, 1), "STARTTLS not allowed in a transaction")?;
                } else {
                    self.raw_reply(220, Some((2, 0, 0)), "Ready to start TLS");
                    // CVE-2011-0411 class: nothing that arrived in plaintext after
                    // the STARTTLS line may be read as a command.
                    self.phase = Phase::AwaitTls;
                    return Ok(Some(ServerEvent::StartTls));
                }
                Ok(None)
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response.as_deref()),
            _ if self.config.unknown_command_events => match self.unknown_command(line) {
                Some(ev) => Ok(Some(ev)),
                None => {
                    self.bad(500, (5, 5, 2), "Command not recognized")?;
                    Ok(None)
                }
            },
            _ => {
                self.bad(500, (5, 5, 2), "Command not recognized")?;
                Ok(None)
            }
        }
    }

    /// A command line the crate does not know (or an extension not
    /// configured), as [`ServerEvent::UnknownCommand`]; `None` when the line
    /// is not even `verb [SP arguments]` of printable text.
    fn unknown_command<'b>(&mut self, line: &'b [u8]) -> Option<ServerEvent<'b>> {
        let sp = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
        let (verb, arguments) = (&line[..sp], line.get(sp + 1..).unwrap_or(&[]));
        if verb.is_empty() || !verb.iter().all(u8::is_ascii_graphic) {
            return None;
        }
        if arguments
            .iter()
            .any(|&b| b == 0 || b == b'\r' || b == b'\n')
        {
            return None;
        }
        let verb = core::str::from_utf8(verb).ok()?;
        self.pending = Pending::App(AppCommand::Unknown);
        Some(ServerEvent::UnknownCommand {
            verb: Cow::Borrowed(verb),
            arguments: Cow::Borrowed(arguments),
        })
    }

    /// XCLIENT or XFORWARD: refused inside a transaction (both READMEs: "503
    /// | mail transaction in progress"), else handed to the application.
    fn x_command<'b>(
        &mut self,
        cmd: AppCommand,
        attributes: XAttributes<'b>,
    ) -> Option<ServerEvent<'b>> {
        if self.in_transaction {
            self.raw_reply(503, Some((5, 5, 1)), "Mail transaction in progress");
            return None;
        }
        self.pending = Pending::App(cmd);
        Some(match cmd {
            AppCommand::Xclient => ServerEvent::Xclient(attributes),
            _ => ServerEvent::Xforward(attributes),
        })
    }

    /// BURL (RFC 4468 §3): after MAIL and at least one accepted RCPT, like
    /// BDAT; BURL and BDAT pieces may alternate, DATA may not follow.
    fn burl<'b>(
        &mut self,
        url: Cow<'b, str>,
        last: bool,
    ) -> Result<Option<ServerEvent<'b>>, Error> {
        if !self.in_transaction {
            self.raw_reply(503, Some((5, 5, 1)), "Need MAIL command");
        } else if self.recipients == 0 {
            // RFC 4468 §3.1: BURL "is only permitted during a mail
            // transaction after at least one successful RCPT TO"; §6: "554
            // 5.5.0 No recipients have been specified".
            self.raw_reply(554, Some((5, 5, 0)), "No recipients have been specified");
        } else if let Some((code, enh, text)) = self.body_failure {
            // an earlier BDAT chunk was refused (too big): the message fails
            self.raw_reply(code, Some(enh), text);
            if last {
                self.reset_transaction();
            }
        } else {
            self.data_started = true;
            self.pending = Pending::App(AppCommand::Burl { last });
            return Ok(Some(ServerEvent::Burl { url, last }));
        }
        Ok(None)
    }

    fn in_transaction_fail_bdat(&mut self, code: u16, enh: (u8, u16, u16), text: &'static str) {
        // the chunk's octets are read and dropped, then this is answered
        self.in_transaction = false;
        self.body_failure = Some((code, enh, text));
    }

    /// Whether SMTPUTF8 is advertised: only with 8BITMIME (RFC 6531 §3.1:
    /// "Servers offering this extension MUST provide support for, and
    /// announce, the 8BITMIME extension").
    fn smtputf8(&self) -> bool {
        self.config.smtputf8 && self.config.eightbitmime
    }

    /// Whether BURL is advertised and taken: configured, not LMTP, and with
    /// 8BITMIME (RFC 4468 §4: "A submit server that advertises BURL MUST
    /// also advertise 8BITMIME").
    fn burl_offered(&self) -> bool {
        self.config.burl.is_some() && !self.config.lmtp && self.config.eightbitmime
    }

    /// Whether REQUIRETLS is advertised and accepted: only under TLS.
    fn requiretls(&self) -> bool {
        self.config.requiretls && self.tls_active
    }

    /// Whether BINARYMIME is advertised: only with CHUNKING (RFC 3030 §3).
    fn binarymime(&self) -> bool {
        self.config.binarymime && self.config.chunking
    }

    /// The reply refusing MAIL (`mail`) or RCPT parameters, if one is due.
    ///
    /// RFC 5321 §4.1.1.11: "If the server SMTP does not recognize or cannot
    /// implement one or more of the parameters associated with a particular
    /// MAIL FROM or RCPT TO command, it will return code 555." A parameter of
    /// an extension this server did not advertise is one it does not
    /// implement, and so is a `BODY=` value it did not advertise (RFC 6152,
    /// RFC 3030 §3). RFC 3461 §4.5: a repeated RET or ENVID (MAIL), NOTIFY or
    /// ORCPT (RCPT) parameter: "the ESMTP server SHOULD respond with "501
    /// syntax error in parameters or arguments"."
    fn params_error(
        &self,
        p: &Parameters<'_>,
        mail: bool,
    ) -> Option<(u16, (u8, u16, u16), &'static str)> {
        let c = &self.config;
        let binary = self.binarymime();
        let supported = |p: &Parameter<'_>| match p {
            Parameter::Size(_) => mail,
            Parameter::Body(Body::SevenBit) => mail && (c.eightbitmime || binary),
            Parameter::Body(Body::EightBitMime) => mail && c.eightbitmime,
            Parameter::Body(Body::BinaryMime) => mail && binary,
            Parameter::SmtpUtf8 => mail && self.smtputf8(),
            Parameter::Ret(_) | Parameter::EnvId(_) => mail && c.dsn,
            Parameter::Notify(_) | Parameter::Orcpt { .. } => !mail && c.dsn,
            Parameter::Auth(_) => mail && !c.auth_mechanisms.is_empty(),
            Parameter::RequireTls => mail && self.requiretls(),
            Parameter::MtPriority(_) => mail && c.mt_priority.is_some(),
            Parameter::HoldFor(_) | Parameter::HoldUntil(_) => mail && c.future_release.is_some(),
            Parameter::By { .. } => mail && c.deliverby.is_some(),
            Parameter::Rrvs { .. } => !mail && c.rrvs,
            Parameter::NoSoliciting(_) => mail && c.no_soliciting.is_some(),
            Parameter::Other { keyword, .. } => {
                let list = if mail {
                    &c.extra_mail_parameters
                } else {
                    &c.extra_rcpt_parameters
                };
                list.iter().any(|k| keyword.eq_ignore_ascii_case(k))
            }
        };
        if !p.iter().all(|p| supported(&p)) {
            return Some((555, (5, 5, 4), "Unsupported parameter"));
        }
        // One bit per keyword that may appear once: SIZE, BODY, SMTPUTF8,
        // RET, ENVID, AUTH (MAIL); NOTIFY, ORCPT (RCPT); REQUIRETLS,
        // MT-PRIORITY, BY, and HOLDFOR or HOLDUNTIL (one of the two).
        let mut seen = 0u16;
        for p in p.iter() {
            let bit = match p {
                Parameter::Size(_) => 1,
                Parameter::Body(_) => 2,
                Parameter::SmtpUtf8 => 4,
                Parameter::Ret(_) => 8,
                Parameter::EnvId(_) => 16,
                Parameter::Auth(_) => 32,
                Parameter::Notify(_) => 64,
                Parameter::Orcpt { .. } => 128,
                Parameter::RequireTls => 256,
                Parameter::MtPriority(_) => 512,
                Parameter::By { .. } => 1024,
                Parameter::HoldFor(_) | Parameter::HoldUntil(_) => 2048,
                Parameter::Rrvs { .. } => 4096,
                Parameter::NoSoliciting(_) => 8192,
                _ => 0,
            };
            if seen & bit != 0 {
                return Some((501, (5, 5, 4), "Duplicate parameter"));
            }
            seen |= bit;
        }
        None
    }

    fn hello<'b>(&mut self, verb: &'static str, domain: Host<'b>) -> ServerEvent<'b> {
        self.helo = true;
        self.reset_transaction();
        let c = &self.config;
        let mut lines: Vec<String> = Vec::with_capacity(12);
        lines.push(alloc::format!("{} Hello", c.hostname));
        if c.pipelining {
            lines.push("PIPELINING".into());
        }
        lines.push(alloc::format!("SIZE {}", c.limits.message_size));
        if c.eightbitmime {
            lines.push("8BITMIME".into());
        }
        if self.smtputf8() {
            lines.push("SMTPUTF8".into());
        }
        if c.chunking {
            lines.push("CHUNKING".into());
        }
        if self.binarymime() {
            lines.push("BINARYMIME".into());
        }
        if c.dsn {
            lines.push("DSN".into());
        }
        if c.enhanced_status_codes {
            lines.push("ENHANCEDSTATUSCODES".into());
        }
        if c.tls_available && !self.tls_active {
            lines.push("STARTTLS".into());
        }
        // RFC 4954 §4: no plaintext mechanism before TLS when so configured.
        let clear_ok = self.tls_active || !c.plaintext_requires_tls;
        let names: Vec<&str> = c
            .auth_mechanisms
            .iter()
            .filter(|m| clear_ok || !m.needs_tls())
            .map(|m| m.name())
            .collect();
        if !names.is_empty() && !self.authenticated {
            lines.push(alloc::format!("AUTH {}", names.join(" ")));
        }
        if self.requiretls() {
            lines.push("REQUIRETLS".into());
        }
        let with = |kw: &str, params: &str| {
            if params.is_empty() {
                String::from(kw)
            } else {
                alloc::format!("{kw} {params}")
            }
        };
        if let Some(p) = &c.mt_priority {
            lines.push(with("MT-PRIORITY", p));
        }
        match c.deliverby {
            Some(0) => lines.push("DELIVERBY".into()),
            Some(n) => lines.push(alloc::format!("DELIVERBY {n}")),
            None => {}
        }
        if let Some(p) = &c.future_release {
            lines.push(with("FUTURERELEASE", p));
        }
        if c.rrvs {
            lines.push("RRVS".into());
        }
        if let Some(p) = &c.no_soliciting {
            lines.push(with("NO-SOLICITING", p));
        }
        if c.etrn_events {
            lines.push("ETRN".into());
        }
        if c.xclient {
            lines.push("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT".into());
        }
        if c.xforward {
            lines.push("XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE".into());
        }
        if let (Some(p), true) = (&c.burl, self.burl_offered()) {
            lines.push(with("BURL", p));
        }
        lines.push(alloc::format!("LIMITS RCPTMAX={}", c.limits.recipients));
        lines.extend(
            c.extra_ehlo_keywords
                .iter()
                .filter(|l| config::is_ehlo_line(l))
                .cloned(),
        );
        // A line the application configured that is not an ehlo-line is
        // left out (checked above), so the reply below always builds.
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        match Reply::new(ReplyCode::OK, None, &refs) {
            Ok(r) => self.out.put_slice(r.as_bytes()),
            Err(_) => self.raw_reply(250, None, "Hello"),
        }
        ServerEvent::Hello { verb, domain }
    }

    fn auth<'b>(
        &mut self,
        mechanism: &str,
        initial: Option<&str>,
    ) -> Result<Option<ServerEvent<'b>>, Error> {
        let c = &self.config;
        if !self.helo || c.auth_mechanisms.is_empty() {
            self.bad(503, (5, 5, 1), "AUTH not available now")?;
            return Ok(None);
        }
        if self.authenticated || self.in_transaction {
            self.bad(503, (5, 5, 1), "AUTH not allowed now")?;
            return Ok(None);
        }
        let Some(mech) =
            Mechanism::from_name(mechanism.as_bytes()).filter(|m| c.auth_mechanisms.contains(m))
        else {
            self.raw_reply(504, Some((5, 5, 4)), "Unrecognized authentication type");
            return Ok(None);
        };
        // RFC 4954 §6: 538 for a mechanism that needs an encrypted connection.
        if c.plaintext_requires_tls && !self.tls_active && mech.needs_tls() {
            self.raw_reply(
                538,
                Some((5, 7, 11)),
                "Encryption required for requested authentication mechanism",
            );
            return Ok(None);
        }
        self.auth_mechanism = Some(mech);
        let limit = self.config.limits.auth_exchanges;
        let (pump, outcome) = ServerSasl::start(mech, initial.map(str::as_bytes), limit);
        self.sasl = Some(pump);
        Ok(self.sasl_outcome(outcome))
    }

    /// Carries out what the SASL pump says: a 334 challenge, a lookup or the
    /// credentials for the application, or a failure reply.
    fn sasl_outcome<'b>(&mut self, outcome: ServerOutcome) -> Option<ServerEvent<'b>> {
        match outcome {
            ServerOutcome::Challenge(ch) => {
                self.out.put_slice(b"334 ");
                encode_base64(&ch, &mut *self.out);
                self.out.put_slice(b"\r\n");
                self.phase = Phase::AuthResponse;
                None
            }
            ServerOutcome::Lookup(lookup) => {
                self.pending = Pending::AuthLookup;
                Some(ServerEvent::AuthLookup(lookup))
            }
            ServerOutcome::Done(auth) => {
                self.sasl = None;
                self.pending = Pending::Auth;
                Some(ServerEvent::Auth(auth))
            }
            ServerOutcome::Failed(f) => {
                self.sasl = None;
                let (code, enh, text) = match f {
                    Failure::Cancelled => (501, (5, 0, 0), "Authentication cancelled"),
                    Failure::BadBase64 { initial: true } => {
                        (501, (5, 5, 2), "Invalid base64 in initial response")
                    }
                    Failure::BadBase64 { initial: false } => (501, (5, 5, 2), "Invalid base64"),
                    Failure::Malformed => (501, (5, 5, 2), "Malformed authentication response"),
                    Failure::TooMany => (501, (5, 7, 0), "Too many authentication exchanges"),
                    Failure::Rejected => (535, (5, 7, 8), "Authentication credentials invalid"),
                };
                self.raw_reply(code, Some(enh), text);
                None
            }
        }
    }

    fn auth_line<'b>(&mut self, line: &[u8]) -> Result<Option<ServerEvent<'b>>, Error> {
        self.phase = Phase::Command;
        let Some(pump) = self.sasl.as_mut() else {
            return Ok(None);
        };
        let outcome = pump.line(line);
        Ok(self.sasl_outcome(outcome))
    }

    fn auth_lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        let waiting = self.pending == Pending::AuthLookup;
        let outcome = answer_lookup(self.sasl.as_mut(), waiting, answer)?;
        self.pending = Pending::None;
        if let Some(ServerEvent::Auth(a)) = self.sasl_outcome(outcome) {
            // reported by the next poll_event
            self.pending = Pending::None;
            self.sasl_done = Some(alloc::boxed::Box::new(a));
        }
        Ok(())
    }
}

struct Writer<'a>(&'a mut BytesMut);

impl core::fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.put_slice(s.as_bytes());
        Ok(())
    }
}

connection_by_inherent_methods!(Server);

impl Core {
    /// The idle timeout of the current phase (RFC 5321 §4.5.3.2.6-7).
    fn idle_len(&self) -> Duration {
        match self.phase {
            Phase::Data | Phase::Bdat { .. } => self.config.data_timeout,
            _ => self.config.command_timeout,
        }
    }
}

impl Server {
    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (the crate's time contract): the idle deadline, or at once when input
    /// restarted the idle timer and the machine needs the time to count from.
    /// `None` once the session is over.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.core.idle.deadline(self.core.closed)
    }

    /// Reports the time (since any fixed point the caller chooses). The idle
    /// timer counts from the first report after the session started or input
    /// arrived; when it expires the server answers `421 4.4.2` and closes.
    pub fn handle_timeout(&mut self, now: Duration) {
        let core = &mut self.core;
        if core.idle.expired(now, core.closed) {
            core.raw_reply(421, Some((4, 4, 2)), "Idle timeout, closing connection");
            core.closed = true;
        }
    }

    /// [`Connection::handle_input`](crate::Connection::handle_input), as a method of the machine.
    pub fn handle_input(&mut self, data: &[u8]) {
        let core = &mut self.core;
        let idle = core.idle_len();
        core.idle.start(idle);
        if core.closed || core.phase == Phase::AwaitTls || core.error.is_some() {
            return; // discarded: plaintext after STARTTLS, or a dead session
        }
        if let Err(e) = self
            .input
            .push_within(data, core.config.limits.input_buffer)
        {
            core.raw_reply(421, Some((4, 3, 0)), "Too much pipelined input, closing");
            core.closed = true;
            core.error = Some(e);
        }
    }

    /// [`Connection::poll_transmit`](crate::Connection::poll_transmit), as a method of the machine.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.core.out.poll_transmit()
    }

    /// [`Connection::handle_eof`](crate::Connection::handle_eof), as a method of the machine.
    pub fn handle_eof(&mut self) {
        self.input.set_eof();
    }

    /// [`Connection::memory_usage`](crate::Connection::memory_usage), as a method of the machine: the machine, its buffers,
    /// queues and configuration.
    pub fn memory_usage(&self) -> usize {
        let c = &self.core;
        let lmtp = match &c.pending {
            Pending::Lmtp { answers, .. } => {
                answers.capacity() * size_of::<Option<Reply<'static>>>()
            }
            _ => 0,
        };
        size_of::<Self>()
            + self.input.memory_usage()
            + c.out.memory_usage()
            + c.config.hostname.capacity()
            + c.config.greeting.capacity()
            + c.config.auth_mechanisms.capacity() * size_of::<Mechanism>()
            + [
                &c.config.extra_ehlo_keywords,
                &c.config.extra_mail_parameters,
                &c.config.extra_rcpt_parameters,
            ]
            .iter()
            .flat_map(|v| v.iter())
            .map(|k| k.capacity() + size_of::<String>())
            .sum::<usize>()
            + lmtp
            + self.proxy.memory_usage()
    }

    /// [`Connection::is_closed`](crate::Connection::is_closed), as a method of the machine.
    pub fn is_closed(&self) -> bool {
        self.core.closed
    }
}
