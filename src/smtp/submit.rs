//! Submitting whole messages: [`Submission`], a machine over [`Client`] that
//! runs STARTTLS, AUTH and each mail transaction by itself.
//!
//! The application gives the envelope and the message; the machine chooses the
//! MAIL parameters from the server's capabilities and the message (`SIZE=`,
//! `BODY=8BITMIME` or `BINARYMIME`, `SMTPUTF8`), sends DATA or BDAT (the
//! [`Client`] picks BDAT when the server offers CHUNKING), pipelines when the
//! server offers PIPELINING, and reports each recipient's reply and the final
//! reply as [`SubmissionEvent`]s. The application only runs the TLS handshake when
//! [`SubmissionEvent::StartTls`] asks for it. The low-level [`Client`] stays
//! available through [`Submission::client`].
//!
//! ```
//! use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
//!
//! let config = SubmissionConfig::new("client.example")
//!     .tls(TlsPolicy::None) // a loopback test server; use Required on a network
//!     .credentials("alice", "secret");
//! let mut submission = Submission::new(config);
//! submission
//!     .submit("alice@example.org", &["bob@example.net"], "Subject: hi\r\n\r\nhello\r\n")
//!     .unwrap();
//! submission.quit_when_done();
//! // a server's side of the conversation (RFC 5321 §D.1, RFC 4954 §4)
//! for reply in [
//!     "220 mx.example.net ESMTP\r\n",
//!     "250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10000000\r\n250 AUTH PLAIN LOGIN\r\n",
//!     "235 2.7.0 Authentication successful\r\n",
//!     "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n",
//!     "250 2.0.0 Ok: queued as 4711\r\n",
//!     "221 2.0.0 Bye\r\n",
//! ] {
//!     submission.handle_input(reply.as_bytes());
//!     while let Some(event) = submission.poll_event().unwrap() {
//!         if let SubmissionEvent::Sent { reply, .. } = event {
//!             assert_eq!(reply.to_string(), "250 2.0.0 Ok: queued as 4711");
//!         }
//!     }
//! }
//! let sent: Vec<u8> = std::iter::from_fn(|| submission.poll_transmit()).flatten().collect();
//! let sent = String::from_utf8(sent).unwrap();
//! assert!(sent.contains("MAIL FROM:<alice@example.org> SIZE=22\r\n"), "{sent}");
//! assert!(sent.ends_with("QUIT\r\n"));
//! assert!(submission.is_closed());
//! ```

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use bytes::Bytes;

use super::client::{Client, ClientConfig, ClientEvent, CommandKind};
use super::command::{Body, ForwardPath, Mailbox, Parameter, Parameters, ReversePath};
use super::reply::Reply;
use crate::error::Error;
use crate::text::Secret;
#[cfg(feature = "sasl-hash")]
use crate::wire::sasl::ScramCredentials;
use crate::wire::sasl::{Credentials, Mechanism};

/// When the session encrypts (RFC 3207; RFC 8314 prefers implicit TLS, which
/// the caller sets up before the machine starts, with
/// [`ClientConfig::tls_active`]).
///
/// ```
/// use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
///
/// // Required (the default): no STARTTLS offered, nothing is sent
/// let mut tx = Submission::new(SubmissionConfig::new("client.example"));
/// tx.submit("a@example.org", &["b@example.net"], "x\r\n")?;
/// tx.handle_input(b"220 mx.example.net ESMTP\r\n250 mx.example.net\r\n");
/// assert!(matches!(tx.poll_event()?, Some(SubmissionEvent::Failed { reply: None, .. })));
/// let sent: Vec<u8> = std::iter::from_fn(|| tx.poll_transmit()).flatten().collect();
/// assert_eq!(sent, b"EHLO client.example\r\nQUIT\r\n");
/// assert_eq!(TlsPolicy::default(), TlsPolicy::Required);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsPolicy {
    /// STARTTLS must succeed before anything else: a server that does not
    /// offer it fails every message ([`SubmissionEvent::Failed`]). The default.
    #[default]
    Required,
    /// STARTTLS when the server offers it, else in the clear.
    Opportunistic,
    /// Never STARTTLS (loopback, or TLS already on).
    None,
}

/// The settings of a [`Submission`].
///
/// ```
/// use mailwire::smtp::{ClientConfig, SubmissionConfig, TlsPolicy};
///
/// let config = SubmissionConfig::new("laptop.example")
///     .tls(TlsPolicy::Required)
///     .credentials("alice", "app-password")
///     .client(ClientConfig::new("laptop.example").use_chunking(false));
/// assert_eq!(config.credentials.as_ref().map(|c| c.0.as_str()), Some("alice"));
/// assert!(!config.client.use_chunking);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SubmissionConfig {
    /// The client's own settings (EHLO name, limits, timeouts).
    pub client: ClientConfig,
    /// When to STARTTLS.
    pub tls: TlsPolicy,
    /// User name and password for AUTH; `None` sends no AUTH. The mechanism
    /// is the best one the server offers (see [`Submission`]): PLAIN or
    /// LOGIN, and with the `sasl-hash` feature CRAM-MD5 and SCRAM.
    pub credentials: Option<(String, String)>,
    /// The client nonce for SCRAM (RFC 5802 §5.1: "a sequence of random
    /// printable ASCII characters excluding ','", unique to this exchange):
    /// the crate has no random source, so the application gives one per
    /// session (at least 18 random bytes, e.g. 24 base64 characters).
    /// `None` never runs SCRAM.
    #[cfg(feature = "sasl-hash")]
    pub scram_nonce: Option<String>,
}

impl SubmissionConfig {
    /// Defaults for a client that names itself `hostname` in EHLO: TLS
    /// required, no AUTH.
    pub fn new(hostname: impl Into<String>) -> Self {
        SubmissionConfig {
            client: ClientConfig::new(hostname),
            tls: TlsPolicy::Required,
            credentials: None,
            #[cfg(feature = "sasl-hash")]
            scram_nonce: None,
        }
    }

    /// With this TLS policy.
    pub fn tls(mut self, policy: TlsPolicy) -> Self {
        self.tls = policy;
        self
    }

    /// With these credentials for AUTH.
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// With this client configuration.
    pub fn client(mut self, client: ClientConfig) -> Self {
        self.client = client;
        self
    }

    /// With this SCRAM client nonce (see [`scram_nonce`](Self::scram_nonce)):
    /// a fresh random one for each session.
    #[cfg(feature = "sasl-hash")]
    pub fn scram_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.scram_nonce = Some(nonce.into());
        self
    }
}

/// The AUTH mechanisms a [`Submission`] runs, best first. Under TLS: SCRAM
/// (the server proves it knows the password, and the password never
/// travels), then PLAIN and LOGIN, then CRAM-MD5 (which makes the server
/// keep the password in the clear). Without TLS the password must not
/// travel, so CRAM-MD5 and SCRAM come before PLAIN and LOGIN (which a
/// server with `plaintext_requires_tls` does not offer there; RFC 4954 §4).
#[cfg(feature = "sasl-hash")]
fn preference(tls: bool) -> &'static [Mechanism] {
    use Mechanism::*;
    if tls {
        &[ScramSha256, ScramSha1, Plain, Login, CramMd5]
    } else {
        &[ScramSha256, ScramSha1, CramMd5, Plain, Login]
    }
}

#[cfg(not(feature = "sasl-hash"))]
fn preference(_tls: bool) -> &'static [Mechanism] {
    &[Mechanism::Plain, Mechanism::Login]
}

/// What a [`Submission`] reports. The replies are owned copies.
///
/// ```
/// use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
///
/// let mut tx = Submission::new(SubmissionConfig::new("c.example").tls(TlsPolicy::None));
/// tx.submit("a@example.org", &["b@example.net", "c@example.net"], "x\r\n")?;
/// // RFC 2920 §3: with PIPELINING the replies to MAIL, RCPT, RCPT and DATA come together
/// tx.handle_input(b"220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n");
/// tx.handle_input(b"250 2.1.0 OK\r\n550 5.1.1 no such user\r\n250 2.1.5 OK\r\n354 go on\r\n250 2.0.0 queued\r\n");
/// let mut events = Vec::new();
/// while let Some(event) = tx.poll_event()? {
///     events.push(match event {
///         SubmissionEvent::Recipient { recipient, reply, .. } => format!("{recipient}: {}", reply.code()),
///         SubmissionEvent::Sent { message, reply } => format!("message {message}: {reply}"),
///         other => format!("{other:?}"),
///     });
/// }
/// assert_eq!(events, ["0: 550", "1: 250", "message 0: 250 2.0.0 queued"]);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmissionEvent {
    /// The server accepted STARTTLS: flush `poll_transmit`, run the TLS
    /// handshake, then call [`Submission::tls_established`].
    StartTls,
    /// The reply to one recipient of message `message` (numbered from 0 in
    /// the order of [`Submission::submit`]); `recipient` indexes its `to`.
    Recipient {
        /// Which message.
        message: usize,
        /// Which recipient.
        recipient: usize,
        /// The server's reply (2xx accepted).
        reply: Reply<'static>,
    },
    /// Message `message` was accepted for at least one recipient: the
    /// server's final reply.
    Sent {
        /// Which message.
        message: usize,
        /// The final reply (250 after DATA or the last BDAT).
        reply: Reply<'static>,
    },
    /// Message `message` was not sent: `reply` is the reply that decided it
    /// (a refused MAIL, the last refused recipient, a refused body), or `None`
    /// when the session could not get that far (no STARTTLS under
    /// [`TlsPolicy::Required`], no AUTH mechanism the machine can run, the
    /// message cannot be sent to this server; `reason` says which).
    Failed {
        /// Which message.
        message: usize,
        /// The reply that refused it, if a reply did.
        reply: Option<Reply<'static>>,
        /// Why, in words.
        reason: &'static str,
    },
    /// The session is over (QUIT answered, the server closed, or a timeout).
    Closed,
}

/// One queued message.
#[derive(Debug)]
struct Queued {
    number: usize,
    from: ReversePath<'static>,
    to: Vec<ForwardPath<'static>>,
    body: Bytes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the greeting and EHLO.
    Opening,
    /// STARTTLS sent or the handshake running.
    Tls,
    /// AUTH sent.
    Auth,
    /// Ready: the next message may start.
    Idle,
    /// A transaction is running.
    Sending,
    /// Nothing more: QUIT sent or the session failed.
    Done,
}

/// A client that submits whole messages (see the [module docs](self)).
///
/// With [`SubmissionConfig::credentials`] it authenticates with the best
/// mechanism the server offers: SCRAM-SHA-256, then SCRAM-SHA-1 (with the
/// `sasl-hash` feature and a [`SubmissionConfig::scram_nonce`]), then under
/// TLS PLAIN, LOGIN, CRAM-MD5, and without TLS CRAM-MD5 (`sasl-hash`), PLAIN,
/// LOGIN: in the clear, a mechanism that does not send the password comes
/// first. A SCRAM server that does not prove it knows the password gets no
/// message (`poll_event` returns [`Error::Sasl`]).
///
/// ```
/// # #[cfg(feature = "sasl-hash")] {
/// use mailwire::smtp::{Submission, SubmissionConfig, TlsPolicy};
///
/// // a server that offers only CRAM-MD5 before TLS, as Exim does by default
/// let config = SubmissionConfig::new("client.example")
///     .tls(TlsPolicy::None)
///     .credentials("tim", "tanstaaftanstaaf");
/// let mut tx = Submission::new(config);
/// tx.submit("tim@example.org", &["bob@example.net"], "Subject: hi\r\n\r\nhi\r\n")?;
/// tx.handle_input(b"220 mx.example.net ESMTP\r\n250-mx.example.net\r\n250 AUTH CRAM-MD5\r\n");
/// // RFC 2195 §2: the server's challenge, and "tim" with the keyed MD5 digest
/// tx.handle_input(b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
/// while tx.poll_event()?.is_some() {}
/// let sent: Vec<u8> = std::iter::from_fn(|| tx.poll_transmit()).flatten().collect();
/// assert_eq!(
///     sent,
///     b"EHLO client.example\r\nAUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
/// );
/// # }
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Submission {
    client: Client,
    tls: TlsPolicy,
    credentials: Option<(String, String)>,
    #[cfg(feature = "sasl-hash")]
    scram_nonce: Option<String>,
    authenticated: bool,
    step: Step,
    queue: VecDeque<Queued>,
    current: Option<Queued>,
    last_refusal: Option<Reply<'static>>,
    next_number: usize,
    quit_when_done: bool,
    closed_reported: bool,
    events: VecDeque<SubmissionEvent>,
}

/// What a message needs from the server, and the MAIL parameters that say so.
fn parameters(client: &Client, m: &Queued) -> Result<Parameters<'static>, &'static str> {
    let caps = client.capabilities();
    let mut p = Parameters::default();
    let size = m.body.len() as u64;
    if let Some(max) = caps.size {
        // RFC 1870 §6: a SIZE of 0 means no fixed maximum
        if max != 0 && size > max {
            return Err("the message is larger than the server's SIZE");
        }
        p.push(&Parameter::Size(size)).map_err(|_| "SIZE")?;
    }
    let (eight_bit, binary) = classify(&m.body);
    if binary {
        // RFC 3030 §3: NUL or bare CR/LF can only go as BINARYMIME over BDAT
        if !(caps.binarymime && caps.chunking) {
            return Err("the message has NUL or bare CR/LF and the server offers no BINARYMIME");
        }
        p.push(&Parameter::Body(Body::BinaryMime))
            .map_err(|_| "BODY")?;
    } else if eight_bit {
        // RFC 6152 §3: 8-bit data only to a server that offers 8BITMIME
        if !caps.eightbitmime {
            return Err("the message has 8-bit data and the server offers no 8BITMIME");
        }
        p.push(&Parameter::Body(Body::EightBitMime))
            .map_err(|_| "BODY")?;
    }
    let utf8_envelope = match &m.from {
        ReversePath::Mailbox(mb) => !mb.is_ascii(),
        _ => false,
    } || m
        .to
        .iter()
        .any(|t| t.mailbox().is_some_and(|mb| !mb.is_ascii()));
    let utf8_header = header_of(&m.body).iter().any(|&b| b >= 0x80);
    if utf8_envelope || utf8_header {
        // RFC 6531 §3.4: UTF-8 addresses or headers need SMTPUTF8
        if !caps.smtputf8 {
            return Err("the message needs SMTPUTF8 and the server does not offer it");
        }
        p.push(&Parameter::SmtpUtf8).map_err(|_| "SMTPUTF8")?;
    }
    Ok(p)
}

/// One pass over the body: whether it has 8-bit octets, and whether it is
/// binary (NUL, or a CR or LF that is not part of a CRLF; RFC 5321 §2.3.8).
fn classify(body: &[u8]) -> (bool, bool) {
    let (mut eight_bit, mut prev) = (false, 0u8);
    for (i, &b) in body.iter().enumerate() {
        match b {
            0 => return (eight_bit, true),
            b'\n' if prev != b'\r' => return (eight_bit, true),
            b'\r' if body.get(i + 1) != Some(&b'\n') => return (eight_bit, true),
            0x80.. => eight_bit = true,
            _ => {}
        }
        prev = b;
    }
    (eight_bit, false)
}

fn header_of(body: &[u8]) -> &[u8] {
    match body.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => &body[..end],
        None => body,
    }
}

impl Submission {
    /// A machine with `config`; nothing happens until the greeting arrives.
    pub fn new(config: SubmissionConfig) -> Self {
        let authenticated = config.credentials.is_none();
        Submission {
            client: Client::new(config.client),
            tls: config.tls,
            credentials: config.credentials,
            #[cfg(feature = "sasl-hash")]
            scram_nonce: config.scram_nonce,
            authenticated,
            step: Step::Opening,
            queue: VecDeque::new(),
            current: None,
            last_refusal: None,
            next_number: 0,
            quit_when_done: false,
            closed_reported: false,
            events: VecDeque::new(),
        }
    }

    /// Queues a message: `from` and each of `to` are mail addresses
    /// (`local@domain`, UTF-8 allowed), `message` the whole message with CRLF
    /// line ends. Returns its number, which its events carry. Messages are
    /// sent one after the other once the session is ready.
    pub fn submit(
        &mut self,
        from: &str,
        to: &[&str],
        message: impl Into<Bytes>,
    ) -> Result<usize, Error> {
        let from = Mailbox::parse(from)
            .map_err(|_| Error::Emit(crate::error::Unemittable::Grammar { rule: "Mailbox" }))?
            .into_owned();
        let to = to
            .iter()
            .map(|t| {
                Mailbox::parse(t)
                    .map(|m| ForwardPath::Mailbox(m.into_owned()))
                    .map_err(|_| {
                        Error::Emit(crate::error::Unemittable::Grammar { rule: "Mailbox" })
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoRecipients));
        }
        let number = self.next_number;
        self.next_number += 1;
        self.queue.push_back(Queued {
            number,
            from: ReversePath::Mailbox(from),
            to,
            body: message.into(),
        });
        self.advance()?;
        Ok(number)
    }

    /// Sends QUIT once every queued message is done (at once when none is).
    pub fn quit_when_done(&mut self) {
        self.quit_when_done = true;
        let _ = self.advance();
    }

    /// The low-level client (capabilities, TLS state, raw commands).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The TLS handshake after [`SubmissionEvent::StartTls`] is done.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.client.tls_established()
    }

    /// The next event, or `None` when more input is needed.
    pub fn poll_event(&mut self) -> Result<Option<SubmissionEvent>, Error> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Ok(Some(e));
            }
            let event = match self.client.poll_event()? {
                Some(e) => e.into_owned(),
                None => {
                    if self.client.is_closed() && !self.closed_reported {
                        self.closed_reported = true;
                        self.fail_all(None, "the session closed");
                        self.events.push_back(SubmissionEvent::Closed);
                        continue;
                    }
                    return Ok(None);
                }
            };
            self.on_event(event)?;
        }
    }

    fn fail_all(&mut self, reply: Option<Reply<'static>>, reason: &'static str) {
        for m in self.current.take().into_iter().chain(self.queue.drain(..)) {
            self.events.push_back(SubmissionEvent::Failed {
                message: m.number,
                reply: reply.clone(),
                reason,
            });
        }
    }

    fn give_up(
        &mut self,
        reply: Option<Reply<'static>>,
        reason: &'static str,
    ) -> Result<(), Error> {
        self.fail_all(reply, reason);
        self.step = Step::Done;
        if !self.client.is_closed() {
            self.client.quit()?;
        }
        Ok(())
    }

    fn on_event(&mut self, event: ClientEvent<'static>) -> Result<(), Error> {
        match event {
            ClientEvent::Ready(_) => {
                self.step = Step::Idle;
                let caps = self.client.capabilities();
                if !self.client.tls_active() && self.tls != TlsPolicy::None {
                    if caps.starttls {
                        self.step = Step::Tls;
                        return self.client.starttls();
                    }
                    if self.tls == TlsPolicy::Required {
                        return self.give_up(None, "the server does not offer STARTTLS");
                    }
                }
                if !self.authenticated {
                    let Some((user, password)) = self.credentials.clone() else {
                        return Ok(());
                    };
                    let Some(mechanism) = self.mechanism() else {
                        return self.give_up(
                            None,
                            "the server offers no AUTH mechanism the machine can run",
                        );
                    };
                    let password = Secret::from(password);
                    #[cfg(feature = "sasl-hash")]
                    let nonce = self.scram_nonce.clone().unwrap_or_default();
                    let credentials = match mechanism {
                        Mechanism::Login => Credentials::Login {
                            username: &user,
                            password,
                        },
                        #[cfg(feature = "sasl-hash")]
                        Mechanism::CramMd5 => Credentials::CramMd5 {
                            username: &user,
                            password,
                        },
                        #[cfg(feature = "sasl-hash")]
                        Mechanism::ScramSha256 | Mechanism::ScramSha1 => Credentials::Scram(
                            ScramCredentials::new(mechanism, &user, password, &nonce),
                        ),
                        _ => Credentials::Plain {
                            authzid: None,
                            username: &user,
                            password,
                        },
                    };
                    self.step = Step::Auth;
                    return self.client.authenticate(credentials);
                }
                self.advance()
            }
            ClientEvent::StartTls => {
                self.events.push_back(SubmissionEvent::StartTls);
                Ok(())
            }
            ClientEvent::Reply {
                command: CommandKind::Auth,
                reply,
            } => {
                if reply.code().is_positive() {
                    self.authenticated = true;
                    self.step = Step::Idle;
                    self.advance()
                } else {
                    self.give_up(Some(reply), "authentication failed")
                }
            }
            ClientEvent::Reply {
                command: CommandKind::StartTls,
                reply,
            } if !reply.code().is_positive() => {
                if self.tls == TlsPolicy::Required {
                    self.give_up(Some(reply), "STARTTLS was refused")
                } else {
                    self.tls = TlsPolicy::None;
                    self.step = Step::Idle;
                    self.advance()
                }
            }
            ClientEvent::Reply {
                command: CommandKind::Rcpt(recipient),
                reply,
            } => {
                if let Some(m) = &self.current {
                    if !reply.code().is_positive() {
                        self.last_refusal = Some(reply.clone());
                    }
                    self.events.push_back(SubmissionEvent::Recipient {
                        message: m.number,
                        recipient,
                        reply,
                    });
                }
                Ok(())
            }
            ClientEvent::ReadyForData => {
                if let Some(m) = &self.current {
                    let body = m.body.clone();
                    self.client.send_body(&body)?;
                    self.client.finish_body()?;
                }
                Ok(())
            }
            ClientEvent::Reply {
                command: CommandKind::DataEnd { .. },
                reply,
            } => {
                if let Some(m) = self.current.take() {
                    self.events.push_back(if reply.code().is_positive() {
                        SubmissionEvent::Sent {
                            message: m.number,
                            reply,
                        }
                    } else {
                        SubmissionEvent::Failed {
                            message: m.number,
                            reply: Some(reply),
                            reason: "the server refused the message",
                        }
                    });
                }
                self.step = Step::Idle;
                self.advance()
            }
            ClientEvent::Reply {
                command: CommandKind::Mail,
                reply,
            } if !reply.code().is_positive() => {
                self.last_refusal = Some(reply);
                Ok(())
            }
            ClientEvent::TransactionFailed { .. } => {
                if let Some(m) = self.current.take() {
                    self.events.push_back(SubmissionEvent::Failed {
                        message: m.number,
                        reply: self.last_refusal.take(),
                        reason: "the server refused the sender or every recipient",
                    });
                }
                self.step = Step::Idle;
                self.advance()
            }
            ClientEvent::ServiceClosing(reply) => {
                self.fail_all(Some(reply), "the server closed the session");
                self.step = Step::Done;
                Ok(())
            }
            ClientEvent::TimedOut => {
                self.fail_all(None, "the server did not answer in time");
                self.step = Step::Done;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The best AUTH mechanism the server offers that the machine can run
    /// with its credentials, if any.
    fn mechanism(&self) -> Option<Mechanism> {
        let caps = self.client.capabilities();
        let offered = |m: &Mechanism| caps.auth.iter().any(|a| a.eq_ignore_ascii_case(m.name()));
        preference(self.client.tls_active())
            .iter()
            .copied()
            .filter(|m| self.can_run(*m))
            .find(offered)
    }

    #[cfg(feature = "sasl-hash")]
    fn can_run(&self, m: Mechanism) -> bool {
        !matches!(m, Mechanism::ScramSha256 | Mechanism::ScramSha1) || self.scram_nonce.is_some()
    }

    #[cfg(not(feature = "sasl-hash"))]
    fn can_run(&self, _m: Mechanism) -> bool {
        true
    }

    /// Starts the next message when the session is ready, or QUITs when asked.
    fn advance(&mut self) -> Result<(), Error> {
        if self.step != Step::Idle || self.current.is_some() {
            return Ok(());
        }
        let Some(m) = self.queue.pop_front() else {
            if self.quit_when_done {
                self.step = Step::Done;
                self.client.quit()?;
            }
            return Ok(());
        };
        let params = match parameters(&self.client, &m) {
            Ok(p) => p,
            Err(reason) => {
                self.events.push_back(SubmissionEvent::Failed {
                    message: m.number,
                    reply: None,
                    reason,
                });
                return self.advance();
            }
        };
        self.last_refusal = None;
        self.step = Step::Sending;
        self.client.mail(&m.from, &params)?;
        for to in &m.to {
            self.client.rcpt(to, &Parameters::default())?;
        }
        self.client.data()?;
        self.current = Some(m);
        Ok(())
    }

    /// Passes what arrived to the client.
    pub fn handle_input(&mut self, data: &[u8]) {
        self.client.handle_input(data)
    }

    /// The peer closed.
    pub fn handle_eof(&mut self) {
        self.client.handle_eof()
    }

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.client.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.client.poll_timeout()
    }

    /// The time, as a [`Duration`] since the caller's fixed point.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.client.handle_timeout(now)
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Bytes held (the client's buffers and the queued messages).
    pub fn memory_usage(&self) -> usize {
        self.client.memory_usage()
            + self
                .queue
                .iter()
                .chain(self.current.iter())
                .map(|m| m.body.len())
                .sum::<usize>()
    }
}

connection_by_inherent_methods!(Submission);
