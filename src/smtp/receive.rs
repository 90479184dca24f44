//! Receiving whole messages: [`Receiver`], a machine over [`Server`] that
//! accepts mail for the domains it serves and hands over each message whole.
//!
//! What a test server, a mail sink or a small inbound gateway does: MAIL is
//! accepted, RCPT for one of [`Receiver::new`]'s domains is accepted and any
//! other recipient refused (`550 5.7.1 Relaying denied`, RFC 5321 §3.6.2),
//! AUTH is refused, and the body is gathered (up to
//! [`Limits::message_size`](crate::Limits::message_size), which the server
//! machine enforces) and handed over as one [`Received`] message, after which
//! the client gets its `250`. For anything finer (checks per sender,
//! streaming a body to disk), drive a [`Server`] directly.
//!
//! ```
//! use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
//!
//! let mut rx = Receiver::new(ServerConfig::new("mx.example.org"), ["example.org"]);
//! // a client's side of the conversation (RFC 5321 §D.1)
//! rx.handle_input(b"EHLO client.example\r\nMAIL FROM:<a@example.net>\r\n");
//! rx.handle_input(b"RCPT TO:<bob@example.org>\r\nRCPT TO:<eve@elsewhere.example>\r\n");
//! rx.handle_input(b"DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n");
//! let mut messages = Vec::new();
//! while let Some(event) = rx.poll_event().unwrap() {
//!     if let ReceiverEvent::Message(m) = event {
//!         messages.push(m);
//!     }
//! }
//! assert_eq!(messages.len(), 1);
//! assert_eq!(messages[0].to.len(), 1); // eve was refused at RCPT
//! assert_eq!(messages[0].data, b"Subject: hi\r\n\r\nhello\r\n");
//! let replies: Vec<u8> = std::iter::from_fn(|| rx.poll_transmit()).flatten().collect();
//! assert!(String::from_utf8(replies).unwrap().contains("550 5.7.1 Relaying denied\r\n"));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use bytes::Bytes;

use super::command::{ForwardPath, ReversePath};
use super::reply::Rejection;
use super::server::{Server, ServerConfig, ServerEvent};
use crate::error::Error;

/// One message, whole: its envelope and its data (unstuffed, CRLF line ends,
/// without the final `.`).
///
/// ```
/// use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
///
/// let mut rx = Receiver::new(ServerConfig::new("mx.example.org"), ["example.org"]);
/// rx.handle_input(b"EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<bob@Example.Org>\r\n\
///     DATA\r\nSubject: bounce\r\n\r\n..hidden\r\n.\r\n");
/// let Some(ReceiverEvent::Message(m)) = rx.poll_event()? else { panic!() };
/// assert_eq!(m.from.to_string(), "<>");
/// let to: Vec<String> = m.to.iter().map(|t| t.to_string()).collect();
/// assert_eq!(to, ["<Postmaster>", "<bob@Example.Org>"]);
/// assert_eq!(m.data, b"Subject: bounce\r\n\r\n.hidden\r\n"); // unstuffed
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// `MAIL FROM`.
    pub from: ReversePath<'static>,
    /// The accepted recipients.
    pub to: Vec<ForwardPath<'static>>,
    /// The message.
    pub data: Vec<u8>,
}

/// What a [`Receiver`] reports.
///
/// ```
/// use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
///
/// let config = ServerConfig::new("mx.example.org").tls_available(true);
/// let mut rx = Receiver::new(config, ["example.org"]);
/// rx.handle_input(b"EHLO c.example\r\nSTARTTLS\r\n");
/// assert_eq!(rx.poll_event()?, Some(ReceiverEvent::StartTls));
/// let replies: Vec<u8> = std::iter::from_fn(|| rx.poll_transmit()).flatten().collect();
/// assert!(replies.ends_with(b"220 2.0.0 Ready to start TLS\r\n"));
/// // flush those bytes, run the TLS handshake, then:
/// rx.tls_established()?;
/// assert!(rx.server().tls_active());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiverEvent {
    /// A message was received (the client gets its `250` once this is polled).
    Message(Received),
    /// STARTTLS was accepted: flush `poll_transmit`, run the TLS handshake,
    /// then call [`Receiver::tls_established`].
    StartTls,
}

/// A server that accepts mail for its domains (see the [module docs](self)).
///
/// ```
/// use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
///
/// // AUTH is refused: a Receiver takes mail for its domains, it does not relay
/// let config = ServerConfig::new("mx.example.org").tls_active(true).auth_mechanisms(vec![mailwire::wire::sasl::Mechanism::Plain]);
/// let mut rx = Receiver::new(config, ["example.org", "example.net"]);
/// rx.handle_input(b"EHLO c.example\r\nAUTH PLAIN AGJvYgBzZWNyZXQ=\r\nMAIL FROM:<a@c.example>\r\n\
///     RCPT TO:<x@example.net>\r\nBDAT 4 LAST\r\nhi\r\n");
/// let mut got = Vec::new();
/// while let Some(ReceiverEvent::Message(m)) = rx.poll_event()? {
///     got.push(m.data);
/// }
/// assert_eq!(got, [b"hi\r\n".to_vec()]); // CHUNKING (RFC 3030) works as DATA does
/// let replies: Vec<u8> = std::iter::from_fn(|| rx.poll_transmit()).flatten().collect();
/// assert!(String::from_utf8(replies).unwrap().contains("\r\n535 5.7.8 "));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Debug)]
pub struct Receiver {
    server: Server,
    lmtp: bool,
    domains: Vec<String>,
    from: Option<ReversePath<'static>>,
    to: Vec<ForwardPath<'static>>,
    data: Vec<u8>,
}

impl Receiver {
    /// A machine with `config` that takes mail for `domains` (compared
    /// case-insensitively, RFC 5321 §2.4; `<Postmaster>` is always taken,
    /// RFC 5321 §4.5.1).
    pub fn new(config: ServerConfig, domains: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Receiver {
            lmtp: config.lmtp,
            server: Server::new(config),
            domains: domains.into_iter().map(Into::into).collect(),
            from: None,
            to: Vec::new(),
            data: Vec::new(),
        }
    }

    /// The server machine underneath (TLS state, counters).
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The TLS handshake after [`ReceiverEvent::StartTls`] is done.
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.server.tls_established()
    }

    /// The next event, or `None` when more input is needed.
    pub fn poll_event(&mut self) -> Result<Option<ReceiverEvent>, Error> {
        loop {
            // decide inside the match (the event borrows the server), act after it
            let answer: Option<Result<(), Rejection>> = match self.server.poll_event()? {
                None => return Ok(None),
                Some(ServerEvent::Mail { reverse_path, .. }) => {
                    self.from = Some(reverse_path.into_owned());
                    self.to.clear();
                    self.data.clear();
                    Some(Ok(()))
                }
                Some(ServerEvent::Rcpt { forward_path, .. }) => {
                    let ours = self.domains.iter().any(|d| forward_path.is_in_domain(d));
                    if ours {
                        self.to.push(forward_path.into_owned());
                        Some(Ok(()))
                    } else {
                        Some(Err(Rejection::RELAY_DENIED))
                    }
                }
                Some(ServerEvent::DataStart) => {
                    self.data.clear();
                    None
                }
                Some(ServerEvent::DataChunk(chunk)) => {
                    self.data.extend_from_slice(&chunk);
                    None
                }
                Some(ServerEvent::DataEnd) => {
                    let message = Received {
                        from: self.from.take().unwrap_or(ReversePath::Null),
                        to: core::mem::take(&mut self.to),
                        data: core::mem::take(&mut self.data),
                    };
                    if self.lmtp {
                        // RFC 2033 §4.2: one reply per accepted recipient
                        for i in 0..self.server.recipients() {
                            self.server.accept_recipient(i)?;
                        }
                    } else {
                        self.server.accept()?;
                    }
                    return Ok(Some(ReceiverEvent::Message(message)));
                }
                Some(ServerEvent::DataAborted { .. }) | Some(ServerEvent::Reset) => {
                    self.data = Vec::new();
                    None
                }
                Some(ServerEvent::Auth(_)) => Some(Err(Rejection::AUTH_FAILED)),
                Some(ServerEvent::StartTls) => return Ok(Some(ReceiverEvent::StartTls)),
                Some(_) => None,
            };
            match answer {
                Some(Ok(())) => self.server.accept()?,
                Some(Err(rejection)) => self.server.reject_with(rejection)?,
                None => {}
            }
        }
    }

    /// Passes what arrived to the server.
    pub fn handle_input(&mut self, data: &[u8]) {
        self.server.handle_input(data)
    }

    /// The peer closed.
    pub fn handle_eof(&mut self) {
        self.server.handle_eof()
    }

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.server.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.server.poll_timeout()
    }

    /// The time, as a [`Duration`] since the caller's fixed point.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.server.handle_timeout(now)
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.server.is_closed()
    }

    /// Bytes held: the server's buffers and the message being gathered.
    pub fn memory_usage(&self) -> usize {
        self.server.memory_usage() + self.data.capacity()
    }
}

connection_by_inherent_methods!(Receiver);
