//! The SMTP/LMTP client state machine (RFC 5321 §3, §4.1.4, §4.5.3.2; RFC 2920
//! pipelining; RFC 3030 CHUNKING; RFC 3207 STARTTLS; RFC 4954 AUTH; RFC 2033
//! LMTP).
//!
//! A client holding the RFC 5321 Appendix D.1 conversation (no
//! PIPELINING offered, so one command per reply):
//!
//! ```
//! use mailwire::smtp::{Client, ClientConfig, ClientEvent, CommandKind, ForwardPath, Mailbox, Parameters, ReversePath};
//!
//! // RFC 5321 Appendix D.1, "A Typical SMTP Transaction Scenario", the server's lines
//! let server = [
//!     "220 foo.com Simple Mail Transfer Service Ready\r\n",
//!     "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
//!     "250 OK\r\n",
//!     "250 OK\r\n",
//!     "550 No such user here\r\n",
//!     "250 OK\r\n",
//!     "354 Start mail input; end with <CRLF>.<CRLF>\r\n",
//!     "250 OK\r\n",
//!     "221 foo.com Service closing transmission channel\r\n",
//! ];
//! let mut client = Client::new(ClientConfig::new("bar.com"));
//! let (mut sent, mut refused) = (Vec::new(), Vec::new());
//! for reply in server {
//!     client.handle_input(reply.as_bytes());
//!     let (mut ready, mut body, mut done) = (false, false, false);
//!     while let Some(event) = client.poll_event()? {
//!         match event {
//!             ClientEvent::Ready(_) => ready = true,
//!             ClientEvent::Reply { command: CommandKind::Rcpt(i), reply } if !reply.code().is_positive() => refused.push(i),
//!             ClientEvent::ReadyForData => body = true,
//!             ClientEvent::Reply { command: CommandKind::DataEnd { .. }, .. } => done = true,
//!             _ => {}
//!         }
//!     }
//!     // the event borrowed the client: act after the loop
//!     if ready {
//!         client.mail(&ReversePath::Mailbox(Mailbox::parse("Smith@bar.com")?), &Parameters::default())?;
//!         for to in ["Jones@foo.com", "Green@foo.com", "Brown@foo.com"] {
//!             client.rcpt(&ForwardPath::Mailbox(Mailbox::parse(to)?), &Parameters::default())?;
//!         }
//!         client.data()?;
//!     }
//!     if body {
//!         client.send_body(b"Blah blah blah...\r\n...etc. etc. etc.\r\n")?;
//!         client.finish_body()?;
//!     }
//!     if done {
//!         client.quit()?;
//!     }
//!     sent.extend(std::iter::from_fn(|| client.poll_transmit()).flatten());
//! }
//! assert_eq!(refused, [1]); // Green
//! assert_eq!(String::from_utf8(sent).unwrap(), "EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\n\
//!     RCPT TO:<Jones@foo.com>\r\nRCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n\
//!     Blah blah blah...\r\n....etc. etc. etc.\r\n.\r\nQUIT\r\n"); // the dot-led line went stuffed
//! assert!(client.is_closed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The machine runs the session's mechanics on its own: it waits for the
//! greeting, sends EHLO (LHLO in LMTP mode) and falls back to HELO when the
//! server answers EHLO with 500 or 502, tracks the capabilities, answers SASL
//! challenges and re-sends EHLO after STARTTLS. The application drives the
//! transaction:
//!
//! 1. wait for [`ClientEvent::Ready`] (capabilities in [`Client::capabilities`]);
//! 2. optionally [`Client::starttls`] ([`ClientEvent::StartTls`], then
//!    [`Client::tls_established`] and `Ready` again) and [`Client::authenticate`];
//! 3. [`Client::mail`], [`Client::rcpt`] for each recipient, [`Client::data`];
//! 4. on [`ClientEvent::ReadyForData`], push the body with [`Client::send_body`]
//!    (any chunking) and end it with [`Client::finish_body`];
//! 5. read one [`ClientEvent::Reply`] per command, matched in order
//!    ([`CommandKind`] says which; `Rcpt(i)` for the i-th recipient; in LMTP mode
//!    one `DataEnd { recipient: Some(i) }` per accepted recipient);
//! 6. [`Client::quit`].
//!
//! When the server offers PIPELINING, MAIL, RCPT and DATA (or BDAT) leave in
//! one write (everything queued before the next `poll_transmit`); otherwise the
//! machine holds each command until the previous reply arrived. With CHUNKING
//! (and [`ClientConfig::use_chunking`]) the body goes as BDAT chunks, else as
//! DATA, dot-stuffed by [`DotEncoder`].
//!
//! # What the machine refuses to send
//!
//! - MAIL and RCPT parameters of extensions the server did not advertise
//!   ([`Error::Misuse`], unless [`ClientConfig::trust_unadvertised`]; RFC 5321
//!   §4.1.1.3). Always: REQUIRETLS without TLS or without the server's
//!   REQUIRETLS (RFC 8689 §2), and `BODY=BINARYMIME` when the body cannot go
//!   by BDAT (RFC 3030 §3). The server's mechanisms are read from `AUTH` and
//!   from the legacy `AUTH=` line alike.
//! - XCLIENT and XFORWARD ([`Client::xclient`], [`Client::xforward`]) unless
//!   the server advertised the keyword with every attribute used, or inside
//!   a transaction; BURL ([`Client::burl`]) unless advertised, and before an
//!   RCPT was sent (RFC 4468 §3.1).
//! - A body octet over 127 in a transaction whose MAIL had neither
//!   `BODY=8BITMIME` nor `BODY=BINARYMIME` ([`Error::Emit`], RFC 6152), and a
//!   bare CR or LF under [`BodyPolicy::Strict`], with DATA and BDAT alike.
//!
//! A body push that fails poisons the message: it is never completed. With
//! BDAT the chunks not sent yet are dropped and RSET is sent (RFC 3030 §2: RSET
//! "clears all segments sent during that transaction"); `finish_body` returns
//! the error. With DATA nothing but `CRLF.CRLF` ends a body, and that would
//! make the server accept the truncated message, so the session ends: the error
//! is fatal, [`Client::is_closed`] turns true, and the adapter drops the
//! connection without QUIT (RFC 5321 §4.1.1.10: "If the connection is closed
//! prematurely [...] the server MUST cancel any pending transaction").
//!
//! When the server refuses the transaction (MAIL, every RCPT after
//! [`Client::data`], or a BDAT chunk), the machine stops at once: it drops the
//! transaction's commands not sent yet, reports
//! [`ClientEvent::TransactionFailed`], answers later body pushes with
//! [`Error::TransactionFailed`] and sends RSET when the server may still hold
//! the transaction.
//!
//! A reply frame that does not parse costs that reply: it completes the command
//! it answers as [`ClientEvent::MalformedReply`] with the raw bytes and the
//! error, and the session goes on. A reply nobody asked for, or a code that makes
//! no sense for the command (a 334 to MAIL, a 354 to RCPT), is
//! [`Error::Protocol`] and ends the session.

use alloc::borrow::Cow;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

use super::command::{
    Body, Command, ForwardPath, Host, Parameter, Parameters, ReversePath, XAttrName, XAttributes,
};
use super::emit::emit_command;
use super::parse::{ReplyFramer, parse_reply};
use super::reply::{EhloKeyword, Reply};
use crate::Limits;
use crate::error::{Error, ParseError};
use crate::session::sasl::{Challenge, ClientSasl, InitialResponse};
use crate::session::{Input, Output, ReplyTimer, Unadvertised};
use crate::wire::dot::{BodyPolicy, DotEncoder};
use crate::wire::line::LinePolicy;
use crate::wire::sasl::Credentials;

mod config;
pub use config::ClientConfig;
mod event;
pub use event::{ClientEvent, CommandKind};

/// What the server announced in its EHLO reply, kept by the client.
///
/// ```
/// use mailwire::smtp::{Client, ClientConfig};
///
/// let mut client = Client::new(ClientConfig::new("c.example"));
/// // RFC 9422 LIMITS and the legacy "AUTH=" line some servers still send
/// client.handle_input(b"220 mx\r\n250-mx\r\n250-AUTH=LOGIN\r\n250-LIMITS RCPTMAX=50\r\n250 SMTPUTF8\r\n");
/// while client.poll_event()?.is_some() {}
/// let caps = client.capabilities();
/// assert_eq!(caps.auth, ["LOGIN"]);
/// assert_eq!(caps.rcptmax, Some(50));
/// assert!(caps.smtputf8 && !caps.chunking && caps.has("smtputf8"));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The EHLO reply came (false after HELO fallback).
    pub esmtp: bool,
    /// `SIZE`, when announced with a number.
    pub size: Option<u64>,
    /// `PIPELINING`.
    pub pipelining: bool,
    /// `8BITMIME`.
    pub eightbitmime: bool,
    /// `BINARYMIME`.
    pub binarymime: bool,
    /// `CHUNKING`.
    pub chunking: bool,
    /// `DSN`.
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES`.
    pub enhanced_status_codes: bool,
    /// `SMTPUTF8`.
    pub smtputf8: bool,
    /// `STARTTLS`.
    pub starttls: bool,
    /// `REQUIRETLS`.
    pub requiretls: bool,
    /// `AUTH` mechanisms, upper case.
    pub auth: Vec<String>,
    /// `LIMITS RCPTMAX=`.
    pub rcptmax: Option<u64>,
    /// `LIMITS MAILMAX=`.
    pub mailmax: Option<u64>,
    /// Every EHLO keyword announced, upper case, in the server's order (also
    /// those without a field here, such as `MT-PRIORITY`).
    pub keywords: Vec<String>,
    /// The parameters of each line of [`keywords`](Self::keywords), as sent
    /// (see [`params_of`](Self::params_of)).
    pub params: Vec<String>,
}

impl Capabilities {
    /// Whether the EHLO keyword `name` was announced (case-insensitive).
    pub fn has(&self, name: &str) -> bool {
        self.keywords.iter().any(|k| k.eq_ignore_ascii_case(name))
    }

    /// The parameters of the EHLO line of `keyword` (`Some("")` for a
    /// keyword without parameters), `None` when it was not announced.
    pub fn params_of(&self, keyword: &str) -> Option<String> {
        let i = self
            .keywords
            .iter()
            .position(|k| k.eq_ignore_ascii_case(keyword))?;
        Some(self.params.get(i).cloned().unwrap_or_default())
    }

    fn add_mechanisms<'a>(&mut self, names: impl Iterator<Item = &'a [u8]>) {
        for name in names {
            if let Ok(s) = core::str::from_utf8(name) {
                if !name.is_empty() && !self.auth.iter().any(|m| m.eq_ignore_ascii_case(s)) {
                    self.auth.push(s.to_ascii_uppercase());
                }
            }
        }
    }

    fn from_reply(r: &Reply<'_>) -> Self {
        let mut c = Capabilities {
            esmtp: true,
            ..Default::default()
        };
        for line in r.lines().skip(1) {
            let line = line.as_bytes();
            let sp = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
            let (kw, params) = (&line[..sp], line.get(sp + 1..).unwrap_or(&[]));
            if let Ok(kw) = core::str::from_utf8(kw) {
                if !kw.is_empty() {
                    c.keywords.push(kw.to_ascii_uppercase());
                    c.params
                        .push(String::from_utf8_lossy(params).trim_end().into());
                }
            }
        }
        for k in r.capabilities() {
            match k {
                EhloKeyword::Size(n) => c.size = n.filter(|&n| n > 0),
                EhloKeyword::Pipelining => c.pipelining = true,
                EhloKeyword::EightBitMime => c.eightbitmime = true,
                EhloKeyword::BinaryMime => c.binarymime = true,
                EhloKeyword::Chunking => c.chunking = true,
                EhloKeyword::Dsn => c.dsn = true,
                EhloKeyword::EnhancedStatusCodes => c.enhanced_status_codes = true,
                EhloKeyword::SmtpUtf8 => c.smtputf8 = true,
                EhloKeyword::StartTls => c.starttls = true,
                EhloKeyword::RequireTls => c.requiretls = true,
                EhloKeyword::Auth(m) => c.add_mechanisms(m.iter()),
                // The pre-RFC 2554 form `AUTH=LOGIN PLAIN` that older servers
                // send beside (or instead of) `AUTH LOGIN PLAIN`: the same
                // mechanisms, merged.
                EhloKeyword::Other { keyword, params }
                    if keyword.len() > 5 && keyword[..5].eq_ignore_ascii_case(b"AUTH=") =>
                {
                    c.add_mechanisms(
                        core::iter::once(&keyword[5..]).chain(params.split(|&b| b == b' ')),
                    );
                }
                EhloKeyword::Limits { rcptmax, mailmax } => {
                    c.rcptmax = rcptmax;
                    c.mailmax = mailmax;
                }
                _ => {}
            }
        }
        c
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Greeting,
    /// EHLO/HELO/LHLO sent by the machine.
    Hello,
    Ready,
    AwaitTls,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tx {
    None,
    /// MAIL sent.
    Open,
    /// DATA sent, waiting for 354.
    AwaitData,
    /// Body being pushed.
    Body {
        bdat: bool,
    },
    /// The transaction failed (the server refused it, or a body push failed):
    /// body pushes return the error kept in `body_error`; a new MAIL may start.
    Aborted,
}

/// The SMTP/LMTP client state machine; see the [module docs](self).
///
/// ```
/// use mailwire::smtp::{Client, ClientConfig, ClientEvent};
///
/// let mut client = Client::new(ClientConfig::new("client.example"));
/// client.handle_input(b"220 mx.example ESMTP\r\n");
/// assert!(matches!(client.poll_event()?, Some(ClientEvent::Greeting(_))));
/// // the machine answers the greeting itself
/// assert_eq!(&client.poll_transmit().unwrap()[..], b"EHLO client.example\r\n");
/// client.handle_input(b"250-mx.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250 STARTTLS\r\n");
/// assert!(matches!(client.poll_event()?, Some(ClientEvent::Ready(_))));
/// let caps = client.capabilities();
/// assert!(caps.pipelining && caps.starttls && caps.size == Some(35882577));
/// assert!(client.is_ready());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Client {
    input: Input,
    framer: ReplyFramer,
    c: Inner,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    out: Output,
    phase: Phase,
    tx: Tx,
    /// Commands sent, waiting for their replies, in order.
    pending: VecDeque<CommandKind>,
    /// Commands not sent yet (no PIPELINING, or after a command that ends a group).
    held: VecDeque<(CommandKind, Bytes)>,
    caps: Capabilities,
    tls_active: bool,
    rcpt_count: usize,
    /// Indices of recipients whose RCPT got 2xx (LMTP reply mapping).
    accepted: VecDeque<usize>,
    rcpt_replies_pending: usize,
    lmtp_remaining: Option<VecDeque<usize>>,
    dot: DotEncoder,
    /// Bare CR/LF checks (or normalization) of a BDAT body.
    bdat_text: BdatText,
    /// The MAIL of the open transaction: its BODY value (7BIT when absent)
    /// and whether it had SMTPUTF8.
    tx_body: Body,
    tx_smtputf8: bool,
    /// MAIL of the open transaction was refused.
    mail_refused: bool,
    /// `data` was called in the open transaction.
    data_called: bool,
    /// Why body pushes fail in [`Tx::Aborted`].
    body_error: Option<Error>,
    /// A [`ClientEvent::TransactionFailed`] to report next.
    failed_event: Option<CommandKind>,
    /// The open transaction failed (refused, or a body push failed).
    failed: bool,
    ready_for_data: bool,
    /// The AUTH exchange in progress.
    sasl: Option<ClientSasl>,
    error: Option<Error>,
    /// Waiting for the server: runs while a reply is awaited, restarted by
    /// input and by body pushes; its length is chosen by the command awaited.
    wait: ReplyTimer,
}

impl Client {
    /// A client waiting for the server's greeting.
    pub fn new(config: ClientConfig) -> Client {
        let framer = ReplyFramer::new(&config.limits, config.line_policy);
        let dot = DotEncoder::new(config.body_policy);
        let mut pending = VecDeque::new();
        pending.push_back(CommandKind::Greeting);
        Client {
            framer,
            input: Input::default(),
            c: Inner {
                dot,
                out: Output::with_capacity(256),
                phase: Phase::Greeting,
                tx: Tx::None,
                pending,
                held: VecDeque::new(),
                caps: Capabilities::default(),
                rcpt_count: 0,
                accepted: VecDeque::new(),
                rcpt_replies_pending: 0,
                lmtp_remaining: None,
                bdat_text: BdatText::default(),
                tx_body: Body::SevenBit,
                tx_smtputf8: false,
                mail_refused: false,
                data_called: false,
                body_error: None,
                failed_event: None,
                failed: false,
                ready_for_data: false,
                sasl: None,
                error: None,
                wait: ReplyTimer::default(),
                tls_active: config.tls_active,
                config,
            },
        }
    }
}

impl Inner {
    /// What the server announced (empty before [`ClientEvent::Ready`]).
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Whether the session is ready for a transaction or another command.
    fn is_ready(&self) -> bool {
        self.phase == Phase::Ready && self.error.is_none()
    }

    /// Whether TLS is active (after [`Client::tls_established`]).
    fn tls_active(&self) -> bool {
        self.tls_active
    }

    fn check(&self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.phase == Phase::Closed {
            return Err(Error::Closed);
        }
        Ok(())
    }

    fn ready(&self) -> Result<(), Error> {
        self.check()?;
        if self.phase != Phase::Ready {
            return Err(Error::Misuse(crate::error::ApiMisuse::NotReady));
        }
        if self.sasl.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::AuthInProgress));
        }
        Ok(())
    }

    fn queue(&mut self, kind: CommandKind, cmd: &Command<'_>) -> Result<(), Error> {
        if self.pending.len() + self.held.len() >= self.config.limits.pending_commands {
            return Err(Error::Misuse(crate::error::ApiMisuse::PipelineFull));
        }
        let mut b = BytesMut::with_capacity(64);
        emit_command(cmd, &mut b)?;
        self.held.push_back((kind, b.freeze()));
        self.pump();
        Ok(())
    }

    fn pipelining(&self) -> bool {
        self.config.use_pipelining && self.caps.pipelining
    }

    /// Moves held commands to the output as far as the rules allow.
    fn pump(&mut self) {
        while let Some((kind, _)) = self.held.front() {
            let may_send = match self.pending.back() {
                None => true,
                Some(last) => {
                    self.pipelining()
                        && matches!(
                            last,
                            CommandKind::Mail
                                | CommandKind::Rcpt(_)
                                | CommandKind::Rset
                                | CommandKind::Bdat
                                | CommandKind::Burl
                        )
                        && matches!(
                            kind,
                            CommandKind::Mail
                                | CommandKind::Rcpt(_)
                                | CommandKind::Rset
                                | CommandKind::Data
                                | CommandKind::Bdat
                                | CommandKind::Burl
                                | CommandKind::DataEnd { .. }
                                | CommandKind::Quit
                                | CommandKind::Noop
                        )
                }
            };
            if !may_send {
                break;
            }
            if let Some((kind, bytes)) = self.held.pop_front() {
                self.out.put_slice(&bytes);
                self.pending.push_back(kind);
            }
        }
    }

    /// Sends `MAIL FROM:<reverse_path> parameters`.
    fn mail(
        &mut self,
        reverse_path: &ReversePath<'_>,
        parameters: &Parameters<'_>,
    ) -> Result<(), Error> {
        self.ready()?;
        if !matches!(self.tx, Tx::None | Tx::Aborted) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InsideTransaction));
        }
        self.check_parameters(parameters, true)?;
        if let ReversePath::Mailbox(m) = reverse_path {
            if !m.is_ascii() && !parameters.smtputf8() {
                return Err(Error::Emit(crate::error::Unemittable::NeedsSmtpUtf8));
            }
        }
        self.queue(
            CommandKind::Mail,
            &Command::Mail {
                reverse_path: reverse_path.clone(),
                parameters: parameters.clone(),
            },
        )?;
        self.tx = Tx::Open;
        self.tx_body = parameters
            .iter()
            .find_map(|p| match p {
                Parameter::Body(b) => Some(b),
                _ => None,
            })
            .unwrap_or(Body::SevenBit);
        self.tx_smtputf8 = parameters.smtputf8();
        self.mail_refused = false;
        self.data_called = false;
        self.body_error = None;
        self.failed_event = None;
        self.failed = false;
        self.rcpt_count = 0;
        self.rcpt_replies_pending = 0;
        self.accepted.clear();
        self.lmtp_remaining = None;
        Ok(())
    }

    /// Refuses MAIL (`mail`) or RCPT parameters the server cannot take.
    fn check_parameters(&self, parameters: &Parameters<'_>, mail: bool) -> Result<(), Error> {
        let caps = &self.caps;
        for p in parameters.iter() {
            match p {
                // RFC 8689 §2: "This option MUST only be specified in the
                // context of an SMTP session meeting the security requirements
                // of REQUIRETLS: The session itself MUST employ TLS
                // transmission. [...] Following the negotiation of STARTTLS, the
                // SMTP server MUST advertise in the subsequent EHLO response
                // that it supports REQUIRETLS."
                Parameter::RequireTls if !(mail && self.tls_active && caps.requiretls) => {
                    return Err(Error::Misuse(
                        crate::error::ApiMisuse::RequireTlsUnavailable,
                    ));
                }
                // RFC 3030 §3: "BINARYMIME cannot be used with the DATA command."
                Parameter::Body(Body::BinaryMime)
                    if !(self.config.use_chunking && caps.chunking) =>
                {
                    return Err(Error::Misuse(
                        crate::error::ApiMisuse::BinaryMimeNeedsChunking,
                    ));
                }
                _ => {}
            }
            let advertised = match &p {
                Parameter::Size(_) => mail && caps.has("SIZE"),
                Parameter::Body(Body::SevenBit) => mail && (caps.eightbitmime || caps.binarymime),
                Parameter::Body(Body::EightBitMime) => mail && caps.eightbitmime,
                Parameter::Body(Body::BinaryMime) => mail && caps.binarymime,
                Parameter::SmtpUtf8 => mail && caps.smtputf8,
                Parameter::Ret(_) | Parameter::EnvId(_) => mail && caps.dsn,
                Parameter::Notify(_) | Parameter::Orcpt { .. } => !mail && caps.dsn,
                Parameter::Auth(_) => mail && !caps.auth.is_empty(),
                Parameter::RequireTls => true,
                Parameter::MtPriority(_) => mail && caps.has("MT-PRIORITY"),
                Parameter::HoldFor(_) | Parameter::HoldUntil(_) => {
                    mail && caps.has("FUTURERELEASE")
                }
                Parameter::By { .. } => mail && caps.has("DELIVERBY"),
                // An extension's parameter usually bears its EHLO keyword.
                Parameter::Rrvs { .. } => !mail && caps.has("RRVS"),
                Parameter::NoSoliciting(_) => mail && caps.has("NO-SOLICITING"),
                Parameter::Other { keyword, .. } => caps.has(keyword),
            };
            Unadvertised::trusting(self.config.trust_unadvertised).require(
                advertised,
                Error::Misuse(crate::error::ApiMisuse::ParameterNotAdvertised),
            )?;
        }
        Ok(())
    }

    /// Sends `RCPT TO:<forward_path> parameters`; returns the recipient's index,
    /// which its reply carries as [`CommandKind::Rcpt`].
    fn rcpt(
        &mut self,
        forward_path: &ForwardPath<'_>,
        parameters: &Parameters<'_>,
    ) -> Result<usize, Error> {
        self.ready()?;
        if self.tx == Tx::Aborted && !self.data_called {
            return Err(Error::TransactionFailed);
        }
        if self.tx != Tx::Open {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTransaction));
        }
        self.check_parameters(parameters, false)?;
        if let ForwardPath::Mailbox(m) = forward_path {
            // RFC 6531 §3.4: "If the envelope or message being sent requires
            // the capabilities of the SMTPUTF8 extension, the SMTPUTF8-aware
            // SMTP client MUST supply the SMTPUTF8 parameter with the MAIL
            // command."
            if !m.is_ascii() && !self.tx_smtputf8 {
                return Err(Error::Emit(crate::error::Unemittable::NeedsSmtpUtf8));
            }
        }
        let i = self.rcpt_count;
        self.queue(
            CommandKind::Rcpt(i),
            &Command::Rcpt {
                forward_path: forward_path.clone(),
                parameters: parameters.clone(),
            },
        )?;
        self.rcpt_count += 1;
        self.rcpt_replies_pending += 1;
        Ok(i)
    }

    /// Starts the body: BDAT when the server offers CHUNKING (and
    /// [`ClientConfig::use_chunking`]), else DATA. Push the body after
    /// [`ClientEvent::ReadyForData`].
    fn data(&mut self) -> Result<(), Error> {
        self.ready()?;
        if self.tx == Tx::Aborted && !self.data_called {
            return Err(Error::TransactionFailed);
        }
        if self.tx != Tx::Open || self.rcpt_count == 0 {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTransaction));
        }
        if self.rcpt_replies_pending == 0 && self.accepted.is_empty() {
            // Every RCPT was refused already: nothing to send the message to.
            self.data_called = true;
            self.fail_transaction(None);
            self.tx = Tx::None;
            return Err(Error::TransactionFailed);
        }
        self.data_called = true;
        if self.config.use_chunking && self.caps.chunking {
            self.tx = Tx::Body { bdat: true };
            self.bdat_text = BdatText::default();
            self.ready_for_data = true;
        } else {
            self.queue(CommandKind::Data, &Command::Data)?;
            self.tx = Tx::AwaitData;
            self.dot = DotEncoder::new(self.config.body_policy);
        }
        Ok(())
    }

    /// Whether the transaction's BODY allows octets over 127.
    fn eight_bit_ok(&self) -> bool {
        matches!(self.tx_body, Body::EightBitMime | Body::BinaryMime)
    }

    /// Pushes a piece of the body (any split; CRLF line ends). Dot-stuffed for
    /// DATA, framed as a BDAT chunk with CHUNKING.
    fn send_body(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.check()?;
        let bdat = match self.tx {
            Tx::Body { bdat } => bdat,
            Tx::Aborted => {
                return Err(self.body_error.clone().unwrap_or(Error::TransactionFailed));
            }
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::NoBodyInProgress)),
        };
        if bdat && !self.caps.chunking {
            // A body opened by BURL, on a server without CHUNKING.
            return Err(Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                extension: "CHUNKING",
            }));
        }
        match self.encode_chunk(chunk, bdat) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.body_failed(e, bdat)),
        }
    }

    fn encode_chunk(&mut self, chunk: &[u8], bdat: bool) -> Result<(), Error> {
        // RFC 6152 §3 (8BITMIME is the extension whose BODY=8BITMIME
        // parameter announces "a MIME message containing arbitrary lines of
        // octet-aligned material"); without it, or BODY=BINARYMIME, the body is
        // 7-bit.
        if !self.eight_bit_ok() && chunk.iter().any(|&b| b >= 0x80) {
            return Err(Error::Emit(crate::error::Unemittable::EightBitBody));
        }
        if !bdat {
            let mut tmp = BytesMut::with_capacity(chunk.len() + chunk.len() / 64 + 4);
            self.dot.encode(chunk, &mut tmp)?;
            self.out.put_slice(&tmp);
            self.wait.touch();
            return Ok(());
        }
        if chunk.is_empty() {
            return Ok(());
        }
        let mut body = BytesMut::new();
        let text: &[u8] = if self.tx_body == Body::BinaryMime {
            chunk
        } else {
            body.reserve(chunk.len() + 2);
            let normalize = self.config.body_policy == BodyPolicy::Normalize;
            self.bdat_text.encode(chunk, normalize, &mut body)?;
            &body
        };
        if !text.is_empty() {
            self.push_bdat(text, false)?;
        }
        Ok(())
    }

    /// Queues `BDAT n [LAST]` and the chunk.
    fn push_bdat(&mut self, chunk: &[u8], last: bool) -> Result<(), Error> {
        let kind = if last {
            CommandKind::DataEnd { recipient: None }
        } else {
            CommandKind::Bdat
        };
        let mut b = BytesMut::with_capacity(chunk.len() + 24);
        emit_command(
            &Command::Bdat {
                size: chunk.len() as u64,
                last,
            },
            &mut b,
        )?;
        b.put_slice(chunk);
        self.held.push_back((kind, b.freeze()));
        self.pump();
        Ok(())
    }

    /// A body push failed: the message must never be completed. With BDAT
    /// (nothing ends the body but BDAT LAST) the chunks not sent yet are dropped
    /// and RSET sent; with DATA the only end of a body is `CRLF.CRLF`, which
    /// would make the server accept the truncated message, so the session ends
    /// here and the connection must be dropped.
    fn body_failed(&mut self, e: Error, bdat: bool) -> Error {
        if bdat {
            self.failed = true;
            self.body_error = Some(e.clone());
            self.tx = Tx::Aborted;
            self.drop_held_transaction();
            let _ = self.queue(CommandKind::Rset, &Command::Rset);
            self.ready_for_data = false;
            e
        } else {
            self.fatal(e)
        }
    }

    /// Drops the held (not yet sent) commands of the open transaction.
    fn drop_held_transaction(&mut self) {
        self.held.retain(|(k, _)| {
            !matches!(
                k,
                CommandKind::Rcpt(_)
                    | CommandKind::Data
                    | CommandKind::Bdat
                    | CommandKind::Burl
                    | CommandKind::DataEnd { .. }
            )
        });
    }

    /// The server refused the transaction (`by` is the command whose reply
    /// said so; `None` when [`data`](Self::data) found every RCPT refused).
    fn fail_transaction(&mut self, by: Option<CommandKind>) {
        self.failed = true;
        self.drop_held_transaction();
        if matches!(self.tx, Tx::Open | Tx::AwaitData | Tx::Body { .. }) {
            self.tx = Tx::Aborted;
            self.body_error = Some(Error::TransactionFailed);
        }
        self.ready_for_data = false;
        self.failed_event = by;
        if !self.mail_refused {
            // The server may hold the transaction (MAIL was accepted).
            let _ = self.queue(CommandKind::Rset, &Command::Rset);
        }
    }

    /// Ends the body (`CRLF.CRLF`, or `BDAT 0 LAST`). The reply (LMTP: one per
    /// accepted recipient) comes as [`CommandKind::DataEnd`].
    fn finish_body(&mut self) -> Result<(), Error> {
        self.check()?;
        let kind = CommandKind::DataEnd { recipient: None };
        match self.tx {
            Tx::Body { bdat: false } => {
                let mut tmp = BytesMut::with_capacity(8);
                self.dot.finish(&mut tmp);
                self.out.put_slice(&tmp);
                self.pending.push_back(kind);
            }
            Tx::Body { bdat: true } if !self.caps.chunking => {
                // A body opened by BURL on a server without CHUNKING: only
                // `BURL ... LAST` can end it.
                return Err(Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: "CHUNKING",
                }));
            }
            Tx::Body { bdat: true } => {
                // A CR that ended the last chunk is completed to CRLF, as
                // `DotEncoder::finish` does for DATA.
                let tail: &[u8] = if core::mem::take(&mut self.bdat_text.pending_cr) {
                    b"\r\n"
                } else {
                    b""
                };
                self.push_bdat(tail, true)?;
            }
            Tx::Aborted => {
                self.tx = Tx::None;
                return Err(self.body_error.take().unwrap_or(Error::TransactionFailed));
            }
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::NoBodyInProgress)),
        }
        self.tx = Tx::None;
        self.ready_for_data = false;
        Ok(())
    }

    /// Sends RSET (drops the transaction).
    fn rset(&mut self) -> Result<(), Error> {
        self.ready()?;
        if matches!(self.tx, Tx::Body { .. } | Tx::AwaitData) {
            return Err(Error::Misuse(crate::error::ApiMisuse::BodyInProgress));
        }
        self.queue(CommandKind::Rset, &Command::Rset)?;
        self.tx = Tx::None;
        Ok(())
    }

    /// Sends NOOP.
    fn noop(&mut self) -> Result<(), Error> {
        self.ready()?;
        self.queue(CommandKind::Noop, &Command::Noop { argument: None })
    }

    /// Sends QUIT; the session is over after its reply.
    fn quit(&mut self) -> Result<(), Error> {
        self.check()?;
        if matches!(self.tx, Tx::Body { .. }) {
            return Err(Error::Misuse(crate::error::ApiMisuse::BodyInProgress));
        }
        self.queue(CommandKind::Quit, &Command::Quit)
    }

    /// Sends any other command (VRFY, EXPN, HELP, ETRN, ...); its reply comes
    /// as [`CommandKind::Other`]. Commands the machine runs itself (EHLO,
    /// STARTTLS, AUTH, MAIL, RCPT, DATA, BDAT, QUIT) have their own methods.
    fn send_command(&mut self, command: &Command<'_>) -> Result<(), Error> {
        self.ready()?;
        match command {
            Command::Vrfy { .. }
            | Command::Expn { .. }
            | Command::Help { .. }
            | Command::Etrn { .. }
            | Command::Unknown { .. } => self.queue(CommandKind::Other, command),
            Command::Noop { .. } => self.queue(CommandKind::Noop, command),
            Command::Rset => self.rset(),
            Command::Auth { mechanism, .. } => self.auth_begin(mechanism, command),
            _ => Err(Error::Misuse(crate::error::ApiMisuse::UseDedicatedMethod)),
        }
    }

    /// XCLIENT or XFORWARD: advertised with every attribute used, outside
    /// a transaction.
    fn x_command(&mut self, xclient: bool, attributes: &XAttributes<'_>) -> Result<(), Error> {
        self.ready()?;
        let keyword = if xclient { "XCLIENT" } else { "XFORWARD" };
        if !matches!(self.tx, Tx::None | Tx::Aborted) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InsideTransaction));
        }
        // The EHLO keyword "is followed by the names of the attributes that
        // the XCLIENT implementation supports" (XFORWARD alike).
        let offered = self.caps.params_of(keyword);
        let unadvertised = Unadvertised::trusting(self.config.trust_unadvertised);
        unadvertised.require(
            offered.is_some(),
            Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: keyword }),
        )?;
        for a in attributes.iter() {
            let listed = offered.as_deref().is_some_and(|o| {
                o.split(' ')
                    .any(|n| n.eq_ignore_ascii_case(a.name.as_str()))
            });
            unadvertised.require(
                listed,
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                    extension: x_attr_extension(xclient, a.name),
                }),
            )?;
        }
        if xclient {
            self.queue(
                CommandKind::Xclient,
                &Command::Xclient {
                    attributes: attributes.clone(),
                },
            )?;
            // No command until the server answers: after a 220 it is a new
            // session that starts with EHLO.
            self.phase = Phase::Hello;
            Ok(())
        } else {
            self.queue(
                CommandKind::Xforward,
                &Command::Xforward {
                    attributes: attributes.clone(),
                },
            )
        }
    }

    /// BURL (RFC 4468): after MAIL and RCPT, alone or between BDAT chunks.
    fn burl(&mut self, url: &str, last: bool) -> Result<(), Error> {
        self.ready()?;
        Unadvertised::trusting(self.config.trust_unadvertised).require(
            self.caps.has("BURL"),
            Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "BURL" }),
        )?;
        match self.tx {
            Tx::Open if self.rcpt_count > 0 => {
                self.data_called = true;
                self.tx = Tx::Body { bdat: true };
                self.bdat_text = BdatText::default();
            }
            Tx::Body { bdat: true } => {
                // A CR that ended the last BDAT chunk is completed to CRLF
                // before the URL's content, as at the end of the body.
                if core::mem::take(&mut self.bdat_text.pending_cr) {
                    self.push_bdat(b"\r\n", false)?;
                }
            }
            Tx::Aborted => return Err(self.body_error.clone().unwrap_or(Error::TransactionFailed)),
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::NoTransaction)),
        }
        let kind = if last {
            CommandKind::DataEnd { recipient: None }
        } else {
            CommandKind::Burl
        };
        self.queue(
            kind,
            &Command::Burl {
                url: Cow::Borrowed(url),
                last,
            },
        )?;
        if last {
            self.tx = Tx::None;
            self.ready_for_data = false;
        }
        Ok(())
    }

    /// Sends STARTTLS (the server must offer it; no transaction open).
    fn starttls(&mut self) -> Result<(), Error> {
        self.ready()?;
        if !self.caps.starttls || self.tls_active {
            return Err(Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                extension: "STARTTLS",
            }));
        }
        if !matches!(self.tx, Tx::None | Tx::Aborted) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InsideTransaction));
        }
        self.queue(CommandKind::StartTls, &Command::StartTls)
    }

    fn authenticate(&mut self, credentials: Credentials<'_>) -> Result<(), Error> {
        self.ready()?;
        if !matches!(self.tx, Tx::None | Tx::Aborted) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InsideTransaction));
        }
        let caps = &self.caps;
        let offered = |m: &str| caps.auth.iter().any(|a| a.eq_ignore_ascii_case(m));
        let mut sasl = ClientSasl::automatic(credentials, offered)?;
        if !offered(sasl.mechanism().name()) {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::MechanismNotAdvertised,
            ));
        }
        // "AUTH" SP sasl-mech [SP initial-response] CRLF (RFC 4954 §4): "If
        // use of the initial response argument would cause the AUTH command
        // to exceed this length [512 octets], the client MUST NOT use" it.
        let room = 512usize.saturating_sub(5 + sasl.mechanism().name().len() + 1 + 2);
        let ir = sasl.initial_response(InitialResponse::UpTo(room));
        self.queue(
            CommandKind::Auth,
            &Command::Auth {
                mechanism: sasl.mechanism().name().into(),
                initial_response: ir.map(Into::into),
            },
        )?;
        self.sasl = Some(sasl);
        Ok(())
    }

    /// Sends an AUTH built by the application; its challenges are reported as
    /// [`ClientEvent::AuthChallenge`].
    fn auth_begin(&mut self, mechanism: &str, command: &Command<'_>) -> Result<(), Error> {
        if !matches!(self.tx, Tx::None | Tx::Aborted) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InsideTransaction));
        }
        if !self
            .caps
            .auth
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mechanism))
        {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::MechanismNotAdvertised,
            ));
        }
        self.queue(CommandKind::Auth, command)?;
        self.sasl = Some(ClientSasl::raw());
        Ok(())
    }

    /// The raw path's open challenge, answered.
    fn auth_response(&mut self, data: &[u8]) -> Result<(), Error> {
        self.check()?;
        match self.sasl.as_mut() {
            Some(s) => s.respond(data, &mut *self.out),
            None => Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge)),
        }
    }

    fn auth_cancel(&mut self) -> Result<(), Error> {
        self.check()?;
        match self.sasl.as_mut() {
            Some(s) => s.cancel(&mut *self.out),
            None => Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge)),
        }
    }

    fn send_hello(&mut self, helo: bool) -> Result<(), Error> {
        let domain = parse_host(&self.config.hostname)?;
        let (kind, cmd) = if self.config.lmtp {
            (CommandKind::Lhlo, Command::Lhlo { domain })
        } else if helo {
            (CommandKind::Helo, Command::Helo { domain })
        } else {
            (CommandKind::Ehlo, Command::Ehlo { domain })
        };
        self.phase = Phase::Hello;
        let mut b = BytesMut::new();
        emit_command(&cmd, &mut b)?;
        self.out.put_slice(&b);
        self.pending.push_back(kind);
        Ok(())
    }

    fn fatal(&mut self, e: Error) -> Error {
        self.error = Some(e.clone());
        self.phase = Phase::Closed;
        e
    }
}

impl Client {
    /// What the server announced (empty before [`ClientEvent::Ready`]).
    pub fn capabilities(&self) -> &Capabilities {
        self.c.capabilities()
    }

    /// Whether the session is ready for a transaction or another command.
    pub fn is_ready(&self) -> bool {
        self.c.is_ready()
    }

    /// Whether TLS is active (after [`Client::tls_established`]).
    pub fn tls_active(&self) -> bool {
        self.c.tls_active()
    }

    /// Sends `MAIL FROM:<reverse_path> parameters`.
    pub fn mail(
        &mut self,
        reverse_path: &ReversePath<'_>,
        parameters: &Parameters<'_>,
    ) -> Result<(), Error> {
        self.c.mail(reverse_path, parameters)
    }

    /// Sends `RCPT TO:<forward_path> parameters`; returns the recipient's index,
    /// which its reply carries as [`CommandKind::Rcpt`].
    pub fn rcpt(
        &mut self,
        forward_path: &ForwardPath<'_>,
        parameters: &Parameters<'_>,
    ) -> Result<usize, Error> {
        self.c.rcpt(forward_path, parameters)
    }

    /// Starts the body: BDAT when the server offers CHUNKING (and
    /// [`ClientConfig::use_chunking`]), else DATA. Push the body after
    /// [`ClientEvent::ReadyForData`].
    pub fn data(&mut self) -> Result<(), Error> {
        self.c.data()
    }

    /// Pushes a piece of the body (any split; CRLF line ends). Dot-stuffed for
    /// DATA, framed as a BDAT chunk with CHUNKING.
    ///
    /// A failure poisons the message (see the [module docs](self)): with BDAT
    /// the machine sends RSET and `finish_body` fails; with DATA the error is
    /// fatal and the connection must be dropped. After
    /// [`ClientEvent::TransactionFailed`] this returns
    /// [`Error::TransactionFailed`].
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.c.send_body(chunk)
    }

    /// Ends the body (`CRLF.CRLF`, or `BDAT 0 LAST`). The reply (LMTP: one per
    /// accepted recipient) comes as [`CommandKind::DataEnd`]. Fails, and sends
    /// nothing, when a body push failed or the transaction failed.
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.c.finish_body()
    }

    /// Sends RSET (drops the transaction).
    pub fn rset(&mut self) -> Result<(), Error> {
        self.c.rset()
    }

    /// Sends NOOP.
    pub fn noop(&mut self) -> Result<(), Error> {
        self.c.noop()
    }

    /// Sends QUIT; the session is over after its reply.
    pub fn quit(&mut self) -> Result<(), Error> {
        self.c.quit()
    }

    /// Sends any other command (VRFY, EXPN, HELP, ETRN, ...); its reply comes
    /// as [`CommandKind::Other`]. Commands the machine runs itself (EHLO,
    /// STARTTLS, MAIL, RCPT, DATA, BDAT, QUIT) have their own methods.
    ///
    /// [`Command::Auth`] (the server must offer the mechanism; the initial
    /// response, if any, already base64-encoded, `=` for an empty one) starts
    /// the raw SASL path of RFC 4954 §4: each 334 comes as
    /// [`ClientEvent::AuthChallenge`], answered with [`Client::auth_response`]
    /// or [`Client::auth_cancel`], and the final reply as
    /// [`CommandKind::Auth`], for mechanisms the application runs itself
    /// ([`Client::authenticate`] runs the crate's own).
    /// More than [`Limits::auth_exchanges`] challenges is [`Error::Limit`]; a
    /// second challenge before the first was answered is [`Error::Protocol`];
    /// a challenge that is not base64 comes as [`ClientEvent::MalformedReply`]
    /// and the machine cancels the exchange itself.
    pub fn send_command(&mut self, command: &Command<'_>) -> Result<(), Error> {
        self.c.send_command(command)
    }

    /// Sends `XCLIENT attributes` (Postfix XCLIENT): the server must
    /// advertise XCLIENT with every attribute name used, and no transaction
    /// may be open (else [`Error::Misuse`], before a byte is sent; see
    /// [`ClientConfig::trust_unadvertised`]). Its reply comes as
    /// [`CommandKind::Xclient`]; until then no other command is taken. A
    /// `220` is the server's new greeting (XCLIENT_README: the server "resets
    /// state to the initial SMTP greeting protocol stage"): the machine
    /// sends EHLO again and [`ClientEvent::Ready`] follows with the new
    /// capabilities. A `250` (older servers) leaves the session as it was.
    ///
    /// ```
    /// use mailwire::smtp::*;
    /// let mut client = Client::new(ClientConfig::new("filter.example"));
    /// client.handle_input(b"220 mx ESMTP\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.poll_transmit();
    /// client.handle_input(b"250-mx\r\n250 XCLIENT NAME ADDR PROTO HELO\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// let mut attrs = XAttributes::default();
    /// attrs.push(XAttrName::Name, &XValue::Value(XText::encode(b"spike.porcupine.org"))).unwrap();
    /// attrs.push(XAttrName::Addr, &XValue::Value(XText::encode(b"168.100.189.2"))).unwrap();
    /// client.xclient(&attrs).unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..],
    ///            b"XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2\r\n");
    /// client.handle_input(b"220 mx ESMTP\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"EHLO filter.example\r\n");
    /// ```
    pub fn xclient(&mut self, attributes: &XAttributes<'_>) -> Result<(), Error> {
        self.c.x_command(true, attributes)
    }

    /// Sends `XFORWARD attributes` (Postfix XFORWARD) under the same rules as
    /// [`xclient`](Self::xclient); the reply (`250`) comes as
    /// [`CommandKind::Xforward`]. The attributes count for the next
    /// transaction only (XFORWARD_README).
    pub fn xforward(&mut self, attributes: &XAttributes<'_>) -> Result<(), Error> {
        self.c.x_command(false, attributes)
    }

    /// Sends `BURL url [LAST]` (RFC 4468): the server fetches `url` and
    /// appends its content to the message. The server must advertise BURL;
    /// MAIL and at least one RCPT come first ([`Error::Misuse`] otherwise).
    /// BURL pieces may alternate with BDAT chunks ([`send_body`](Self::send_body)
    /// after [`data`](Self::data) with CHUNKING, RFC 4468 §3.3). The reply to
    /// a non-last BURL comes as [`CommandKind::Burl`]; `last` ends the message
    /// and its reply comes as [`CommandKind::DataEnd`], as after
    /// [`finish_body`](Self::finish_body).
    pub fn burl(&mut self, url: &str, last: bool) -> Result<(), Error> {
        self.c.burl(url, last)
    }

    /// Sends STARTTLS (the server must offer it; no transaction open).
    pub fn starttls(&mut self) -> Result<(), Error> {
        self.c.starttls()
    }

    /// Authenticates with SASL (RFC 4954) and answers the server's 334
    /// challenges by itself, with every mechanism of [`Credentials`]:
    /// `PLAIN`, `XOAUTH2`, `OAUTHBEARER`, `EXTERNAL` and `ANONYMOUS` send an
    /// initial response on the AUTH line (`=` for an empty one; one that
    /// would make the line longer than 512 octets is sent in answer to the
    /// server's first, empty 334 instead, RFC 4954 §4), `LOGIN`
    /// answers the user name and password prompts, and with the `sasl-hash`
    /// feature `CRAM-MD5` answers its challenge (RFC 2195) and `SCRAM-SHA-1`,
    /// `SCRAM-SHA-256` (and their `-PLUS` variants, chosen when the
    /// credentials carry channel-binding data and the server offers them)
    /// run their two round trips and check the server's signature (RFC 5802,
    /// RFC 7677). The server must offer the mechanism; the machine keeps a
    /// copy of the credentials until the exchange ends. The final reply comes
    /// as [`CommandKind::Auth`] (235 on success). A challenge the mechanism
    /// cannot answer (a wrong SCRAM server signature among them) is answered
    /// `*`; a 235 from a SCRAM server that did not prove itself is
    /// [`Error::Sasl`]; more than [`Limits::auth_exchanges`] challenges is
    /// [`Error::Limit`].
    pub fn authenticate(&mut self, credentials: Credentials<'_>) -> Result<(), Error> {
        self.c.authenticate(credentials)
    }

    /// Answers a [`ClientEvent::AuthChallenge`] with `data` (base64-encoded by
    /// the machine; an empty answer is sent as an empty line, RFC 4954 §4).
    pub fn auth_response(&mut self, data: &[u8]) -> Result<(), Error> {
        self.c.auth_response(data)
    }

    /// Cancels the AUTH exchange at a [`ClientEvent::AuthChallenge`] (`*`,
    /// RFC 4954 §4); the server answers 501.
    pub fn auth_cancel(&mut self) -> Result<(), Error> {
        self.c.auth_cancel()
    }
}

impl Inner {
    fn on_frame<'f>(&mut self, frame: &'f [u8]) -> Result<Option<ClientEvent<'f>>, Error> {
        self.wait.touch();
        let reply = match parse_reply(frame) {
            Ok(r) => r,
            Err(error) => {
                let cmd = self.pending.pop_front();
                match cmd {
                    Some(
                        CommandKind::Greeting
                        | CommandKind::Ehlo
                        | CommandKind::Helo
                        | CommandKind::Lhlo
                        | CommandKind::StartTls
                        | CommandKind::Auth,
                    ) => return Err(Error::Parse(error)),
                    Some(CommandKind::Data) => self.tx = Tx::None,
                    _ => {}
                }
                return Ok(Some(ClientEvent::MalformedReply {
                    command: cmd,
                    raw: Cow::Borrowed(frame),
                    error,
                }));
            }
        };
        let code = reply.code();
        let Some(&cmd) = self.pending.front() else {
            if code.get() == 421 {
                self.phase = Phase::Closed;
                return Ok(Some(ClientEvent::ServiceClosing(reply)));
            }
            return Err(Error::Protocol(
                crate::error::PeerMisbehaved::UnexpectedReply,
            ));
        };
        let intermediate = code.is_intermediate();
        if intermediate && !matches!(cmd, CommandKind::Data | CommandKind::Auth) {
            return Err(Error::Protocol(
                crate::error::PeerMisbehaved::UnexpectedIntermediate,
            ));
        }
        if code.get() == 421 && cmd != CommandKind::Quit {
            self.pending.clear();
            self.held.clear();
            self.phase = Phase::Closed;
            return Ok(Some(ClientEvent::Reply {
                command: cmd,
                reply,
            }));
        }
        // LMTP: the end of data gets one reply per accepted recipient.
        if let CommandKind::DataEnd { .. } = cmd {
            if self.config.lmtp {
                let accepted = &mut self.accepted;
                let remaining = self
                    .lmtp_remaining
                    .get_or_insert_with(|| core::mem::take(accepted));
                let recipient = remaining.pop_front();
                if remaining.is_empty() {
                    self.pending.pop_front();
                    self.lmtp_remaining = None;
                }
                return Ok(Some(ClientEvent::Reply {
                    command: CommandKind::DataEnd { recipient },
                    reply,
                }));
            }
        }
        if !(intermediate && cmd == CommandKind::Auth) {
            self.pending.pop_front();
        }
        let ev = |reply| {
            Ok(Some(ClientEvent::Reply {
                command: cmd,
                reply,
            }))
        };
        match cmd {
            CommandKind::Greeting => {
                if code.get() == 220 {
                    self.send_hello(false)?;
                }
                Ok(Some(ClientEvent::Greeting(reply)))
            }
            CommandKind::Ehlo | CommandKind::Helo | CommandKind::Lhlo => {
                if code.is_positive() {
                    self.caps = if cmd == CommandKind::Helo {
                        Capabilities::default()
                    } else {
                        Capabilities::from_reply(&reply)
                    };
                    self.phase = Phase::Ready;
                    Ok(Some(ClientEvent::Ready(reply)))
                } else if cmd == CommandKind::Ehlo && (code.get() == 500 || code.get() == 502) {
                    // The server does not know EHLO: fall back to HELO (RFC 5321 §4.1.4).
                    self.send_hello(true)?;
                    Ok(None)
                } else {
                    ev(reply)
                }
            }
            CommandKind::StartTls => {
                if code.get() == 220 {
                    // Bytes after this reply came in plaintext; they are dropped
                    // with the buffer in `tls_established`.
                    self.phase = Phase::AwaitTls;
                    Ok(Some(ClientEvent::StartTls))
                } else {
                    ev(reply)
                }
            }
            CommandKind::Auth => {
                if intermediate {
                    if code.get() != 334 {
                        return Err(Error::Protocol(
                            crate::error::PeerMisbehaved::UnexpectedIntermediate,
                        ));
                    }
                    // "334" SP [base64] CRLF: one line (RFC 4954 §4)
                    let payload = (reply.line_count() == 1).then(|| challenge_text(frame));
                    let limit = self.config.limits.auth_exchanges;
                    let sasl = self.sasl.get_or_insert_with(ClientSasl::raw);
                    return Ok(match sasl.challenge(payload, limit, &mut *self.out)? {
                        Challenge::Answered => None,
                        Challenge::Report(c) => Some(ClientEvent::AuthChallenge(Cow::Owned(c))),
                        Challenge::Malformed => Some(ClientEvent::MalformedReply {
                            command: Some(CommandKind::Auth),
                            raw: Cow::Borrowed(frame),
                            error: ParseError::new(frame, 4, "base64 challenge"),
                        }),
                    });
                }
                if let Some(sasl) = self.sasl.take() {
                    sasl.finish(code.is_positive())?;
                }
                ev(reply)
            }
            CommandKind::Rcpt(i) => {
                if code.is_positive() {
                    self.accepted.push_back(i);
                }
                if self.current_transaction() {
                    self.rcpt_replies_pending = self.rcpt_replies_pending.saturating_sub(1);
                    if self.rcpt_replies_pending == 0
                        && self.accepted.is_empty()
                        && self.data_called
                        && !self.tx_failed()
                    {
                        self.fail_transaction(Some(cmd));
                    }
                }
                ev(reply)
            }
            CommandKind::Data => {
                if code.get() == 354 && self.tx == Tx::Aborted {
                    // The transaction already failed (every RCPT refused), yet
                    // the server wants the message: end it at once, empty,
                    // rather than send a message nobody should get.
                    self.out.put_slice(b".\r\n");
                    self.pending
                        .push_back(CommandKind::DataEnd { recipient: None });
                    return Ok(None);
                }
                if code.get() == 354 {
                    self.tx = Tx::Body { bdat: false };
                    return Ok(Some(ClientEvent::ReadyForData));
                }
                if self.tx == Tx::AwaitData {
                    self.tx = Tx::None;
                }
                ev(reply)
            }
            CommandKind::Mail => {
                if !code.is_positive() && self.current_transaction() && !self.tx_failed() {
                    self.mail_refused = true;
                    self.fail_transaction(Some(cmd));
                }
                ev(reply)
            }
            CommandKind::Bdat => {
                // RFC 3030 §2: "If a 5XX or 4XX code is received by the
                // sender-SMTP in response to a BDAT chunk, the transaction
                // should be considered failed and the sender-SMTP MUST NOT send
                // any additional BDAT segments."
                if !code.is_positive() && self.current_transaction() && !self.tx_failed() {
                    self.fail_transaction(Some(cmd));
                }
                ev(reply)
            }
            CommandKind::Burl => {
                // As for a BDAT chunk (RFC 4468 §3.3 mixes the two): a refused
                // piece fails the transaction.
                if !code.is_positive() && self.current_transaction() && !self.tx_failed() {
                    self.fail_transaction(Some(cmd));
                }
                ev(reply)
            }
            CommandKind::Xclient => {
                if code.get() == 220 {
                    // The server's new greeting: a new session, EHLO again.
                    self.caps = Capabilities::default();
                    self.send_hello(false)?;
                } else if self.phase == Phase::Hello {
                    self.phase = Phase::Ready;
                }
                ev(reply)
            }
            CommandKind::Quit => {
                self.phase = Phase::Closed;
                ev(reply)
            }
            _ => ev(reply),
        }
    }

    /// Whether the reply just taken from `pending` belongs to the transaction
    /// of the last MAIL (no later MAIL is waiting or held).
    fn current_transaction(&self) -> bool {
        !self
            .pending
            .iter()
            .chain(self.held.iter().map(|(k, _)| k))
            .any(|k| *k == CommandKind::Mail)
    }

    /// Whether the open transaction already failed.
    fn tx_failed(&self) -> bool {
        self.failed
    }
}

/// The text of a one-line 334 reply: what follows the code and separator.
fn challenge_text(frame: &[u8]) -> &[u8] {
    let line = frame.strip_suffix(b"\n").unwrap_or(frame);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = line.get(3..).unwrap_or(b"");
    text.strip_prefix(b" ").unwrap_or(text)
}

impl Client {
    /// The next event, `Ok(None)` when more input is needed.
    pub fn poll_event(&mut self) -> Result<Option<ClientEvent<'_>>, Error> {
        self.input.compact();
        // events borrow the bytes while the read offset moves on
        let mut input = self.input.reader();
        loop {
            let c = &mut self.c;
            if let Some(e) = &c.error {
                return Err(e.clone());
            }
            if c.wait.take_timed_out() {
                return Ok(Some(ClientEvent::TimedOut));
            }
            if let Some(command) = c.failed_event.take() {
                return Ok(Some(ClientEvent::TransactionFailed { command }));
            }
            if c.ready_for_data && matches!(c.tx, Tx::Body { .. }) {
                c.ready_for_data = false;
                return Ok(Some(ClientEvent::ReadyForData));
            }
            if c.phase == Phase::Closed || c.phase == Phase::AwaitTls {
                return Ok(None);
            }
            let len = match self.framer.find(input.rest()) {
                Ok(Some(n)) => n,
                Ok(None) => {
                    if input.is_eof() && c.phase != Phase::Closed {
                        c.phase = Phase::Closed;
                        if !c.pending.is_empty() {
                            // the server hung up with commands unanswered
                            return Err(c.fatal(Error::Closed));
                        }
                    }
                    return Ok(None);
                }
                Err(e) => return Err(c.fatal(e)),
            };
            let frame = &input.rest()[..len];
            input.consume(len);
            match c.on_frame(frame) {
                Ok(Some(ev)) => {
                    c.pump();
                    return Ok(Some(ev));
                }
                Ok(None) => c.pump(),
                Err(e) => return Err(c.fatal(e)),
            }
        }
    }

    /// The adapter finished the TLS handshake after [`ClientEvent::StartTls`].
    /// Capabilities are forgotten and EHLO is sent again (RFC 3207 §4.2); any
    /// bytes that arrived after the server's 220 are discarded.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.c.check()?;
        if self.c.phase != Phase::AwaitTls {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.c.tls_active = true;
        self.input.discard();
        self.framer.reset();
        self.c.caps = Capabilities::default();
        self.c.send_hello(false)
    }
}

/// Bare CR/LF in a BDAT body, by the same policy as DATA's [`DotEncoder`]:
/// refused (strict) or sent as CRLF (normalize). A CR that ends a chunk is held
/// back until the next byte tells whether it ends a line.
#[derive(Clone, Copy, Debug, Default)]
struct BdatText {
    pending_cr: bool,
}

impl BdatText {
    /// Appends `chunk` to `out`, checked or normalized. On error `out` holds a
    /// partial result the caller drops.
    fn encode(
        &mut self,
        mut chunk: &[u8],
        normalize: bool,
        out: &mut BytesMut,
    ) -> Result<(), Error> {
        use crate::error::BareLineEnding;
        let bare = |which| {
            if normalize {
                Ok(())
            } else {
                Err(Error::BareLineEnding(which))
            }
        };
        if self.pending_cr {
            let Some(&first) = chunk.first() else {
                return Ok(());
            };
            self.pending_cr = false;
            if first == b'\n' {
                chunk = &chunk[1..];
            } else {
                bare(BareLineEnding::Cr)?;
            }
            out.put_slice(b"\r\n");
        }
        while let Some(i) = memchr::memchr2(b'\r', b'\n', chunk) {
            out.put_slice(&chunk[..i]);
            if chunk[i] == b'\n' {
                bare(BareLineEnding::Lf)?;
                out.put_slice(b"\r\n");
                chunk = &chunk[i + 1..];
                continue;
            }
            match chunk.get(i + 1) {
                None => {
                    self.pending_cr = true;
                    return Ok(());
                }
                Some(b'\n') => chunk = &chunk[i + 2..],
                Some(_) => {
                    bare(BareLineEnding::Cr)?;
                    chunk = &chunk[i + 1..];
                }
            }
            out.put_slice(b"\r\n");
        }
        out.put_slice(chunk);
        Ok(())
    }
}

fn parse_host(s: &str) -> Result<Host<'_>, Error> {
    match super::parse::parse_command(alloc::format!("EHLO {s}").as_bytes()) {
        Ok(Command::Ehlo { domain }) => Ok(domain.into_owned()),
        _ => Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "Domain / address-literal",
        })),
    }
}

connection_by_inherent_methods!(Client);

impl Client {
    fn timeout_for_front(&self) -> Duration {
        let c = &self.c;
        match c.pending.front() {
            Some(CommandKind::Greeting) => c.config.greeting_timeout,
            Some(CommandKind::Data) => c.config.data_init_timeout,
            Some(CommandKind::DataEnd { .. }) => c.config.data_end_timeout,
            Some(CommandKind::Bdat) => c.config.body_timeout,
            _ => c.config.command_timeout,
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (the crate's time contract): while a reply is awaited, the deadline of
    /// the timeout of the command at the front, or at once after input (or a
    /// body push) restarted it. `None` when nothing is awaited.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let c = &self.c;
        c.wait
            .deadline(c.phase != Phase::Closed && !c.pending.is_empty())
    }

    /// Reports the time (since any fixed point the caller chooses). The
    /// timeout counts from the first report after the command was sent or
    /// the server last sent something; when it expires the session ends with
    /// [`ClientEvent::TimedOut`].
    pub fn handle_timeout(&mut self, now: Duration) {
        let len = self.timeout_for_front();
        let c = &mut self.c;
        let awaited = (c.phase != Phase::Closed && !c.pending.is_empty()).then_some(len);
        if c.wait.expired(now, awaited) {
            c.phase = Phase::Closed;
        }
    }

    /// [`Connection::handle_input`](crate::Connection::handle_input), as a method of the machine.
    pub fn handle_input(&mut self, data: &[u8]) {
        self.c.wait.touch();
        if self.c.phase == Phase::AwaitTls
            || self.c.phase == Phase::Closed
            || self.c.error.is_some()
        {
            return;
        }
        if let Err(e) = self
            .input
            .push_within(data, self.c.config.limits.input_buffer)
        {
            self.c.error = Some(e);
        }
    }

    /// [`Connection::poll_transmit`](crate::Connection::poll_transmit), as a method of the machine.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.c.out.poll_transmit()
    }

    /// [`Connection::handle_eof`](crate::Connection::handle_eof), as a method of the machine.
    pub fn handle_eof(&mut self) {
        // Replies already buffered are still delivered by `poll_event`; the
        // session ends when they run out.
        self.input.set_eof();
    }

    /// [`Connection::memory_usage`](crate::Connection::memory_usage), as a method of the machine: the machine, its buffers,
    /// queues and configuration.
    pub fn memory_usage(&self) -> usize {
        let c = &self.c;
        size_of::<Self>()
            + self.input.memory_usage()
            + c.out.memory_usage()
            + c.config.hostname.capacity()
            + c.pending.capacity() * size_of::<CommandKind>()
            + crate::nested_heap(c.held.capacity(), &c.held, |(_, b)| b.len())
            + crate::nested_heap(c.caps.auth.capacity(), &c.caps.auth, String::capacity)
            + crate::nested_heap(
                c.caps.keywords.capacity(),
                &c.caps.keywords,
                String::capacity,
            )
            + crate::nested_heap(c.caps.params.capacity(), &c.caps.params, String::capacity)
            + c.accepted.capacity() * size_of::<usize>()
            + c.lmtp_remaining
                .as_ref()
                .map_or(0, |q| q.capacity() * size_of::<usize>())
            + c.sasl.as_ref().map_or(0, ClientSasl::memory_usage)
    }

    /// [`Connection::is_closed`](crate::Connection::is_closed), as a method of the machine.
    pub fn is_closed(&self) -> bool {
        self.c.phase == Phase::Closed
    }
}

/// The name of an XCLIENT/XFORWARD attribute for [`ApiMisuse::NotAdvertised`](crate::error::ApiMisuse::NotAdvertised).
fn x_attr_extension(xclient: bool, name: XAttrName) -> &'static str {
    match (xclient, name) {
        (true, XAttrName::Name) => "XCLIENT NAME",
        (true, XAttrName::Addr) => "XCLIENT ADDR",
        (true, XAttrName::Port) => "XCLIENT PORT",
        (true, XAttrName::Proto) => "XCLIENT PROTO",
        (true, XAttrName::Helo) => "XCLIENT HELO",
        (true, XAttrName::Login) => "XCLIENT LOGIN",
        (true, XAttrName::DestAddr) => "XCLIENT DESTADDR",
        (true, XAttrName::DestPort) => "XCLIENT DESTPORT",
        (true, _) => "XCLIENT",
        (false, XAttrName::Name) => "XFORWARD NAME",
        (false, XAttrName::Addr) => "XFORWARD ADDR",
        (false, XAttrName::Port) => "XFORWARD PORT",
        (false, XAttrName::Proto) => "XFORWARD PROTO",
        (false, XAttrName::Helo) => "XFORWARD HELO",
        (false, XAttrName::Ident) => "XFORWARD IDENT",
        (false, XAttrName::Source) => "XFORWARD SOURCE",
        (false, _) => "XFORWARD",
    }
}
