//! The POP3 client's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Client`].
///
/// ```
/// use core::time::Duration;
/// use mailwire::pop3::{Client, ClientConfig, ClientEvent};
///
/// let config = ClientConfig::default().greeting_timeout(Duration::from_secs(30));
/// let mut client = Client::new(config);
/// client.handle_timeout(Duration::ZERO); // the clock starts
/// assert_eq!(client.poll_timeout(), Some(Duration::from_secs(30)));
/// client.handle_timeout(Duration::from_secs(30));
/// assert_eq!(client.poll_event()?, Some(ClientEvent::TimedOut));
/// assert!(client.is_closed());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Bounds on what the server may make the client do.
    pub limits: Limits,
    /// Line endings accepted in response and listing lines. Default
    /// [`LinePolicy::ACCEPT_BARE_LF_KEEP_CR`]: a bare LF ends a line (some
    /// servers send them) and a bare CR stays in the line, which then costs
    /// that line as a [`ClientEvent::MalformedResponse`]. Nothing a client
    /// reads is relayed, so tolerance cannot smuggle anything; set
    /// [`LinePolicy::STRICT`] to treat both as fatal errors.
    pub line_policy: LinePolicy,
    /// The connection is already under TLS (implicit TLS, port 995). Default
    /// `false`.
    pub tls_active: bool,
    /// Bare CR/LF inside RETR and TOP bodies. Default [`BodyPolicy::KeepBare`]:
    /// such bytes are delivered as content (real mailboxes hold them) and never
    /// end the body; only `CRLF . CRLF` does.
    pub body_policy: BodyPolicy,
    /// Send commands the server did not advertise. Default `false`: STLS,
    /// AUTH (with the mechanism), UTF8 and LANG need their CAPA tag (RFC 2595
    /// §4, RFC 2449 §6.3, RFC 6856), APOP a timestamp in the greeting (RFC 2449
    /// §6: "Clients discover server support of APOP by the presence in the
    /// greeting banner of an initial challenge"), and once a CAPA answer was
    /// read, USER/PASS, TOP and UIDL need theirs (RFC 2449 §6.1, §6.2, §6.8);
    /// such a command is [`Error::Misuse`] and nothing is sent. Capabilities
    /// are forgotten after STLS: wait for the CAPA answer the machine asks
    /// for, or send CAPA.
    pub trust_unadvertised: bool,
    /// How long the server may take to greet. Default 5 minutes (RFC 1939
    /// sets no client timeout; this is RFC 5321's wait for an SMTP greeting).
    pub greeting_timeout: Duration,
    /// How long the server may stay silent while a response is awaited.
    /// Default 10 minutes, RFC 1939 §3's shortest autologout: a server silent
    /// that long has ended the session.
    pub command_timeout: Duration,
    /// How long the server may stay silent inside a RETR/TOP body or a
    /// listing. Default 10 minutes, as [`command_timeout`](Self::command_timeout).
    pub body_timeout: Duration,
}

setters!(ClientConfig {
    limits: Limits,
    line_policy: LinePolicy,
    tls_active: bool,
    body_policy: BodyPolicy,
    trust_unadvertised: bool,
    greeting_timeout: Duration,
    command_timeout: Duration,
    body_timeout: Duration
});

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            limits: Limits::default(),
            tls_active: false,
            line_policy: LinePolicy::ACCEPT_BARE_LF_KEEP_CR,
            body_policy: BodyPolicy::KeepBare,
            trust_unadvertised: false,
            greeting_timeout: Duration::from_secs(5 * 60),
            command_timeout: Duration::from_secs(10 * 60),
            body_timeout: Duration::from_secs(10 * 60),
        }
    }
}
