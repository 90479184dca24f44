//! The IMAP client's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Client`].
///
/// Built in one expression from [`default`](Self::default) with one setter
/// per field:
///
/// ```
/// use std::time::Duration;
/// use mailwire::imap::{Client, ClientConfig, ClientEvent};
/// use mailwire::Limits;
///
/// // implicit TLS (port 993), IDLE re-issued every 20 minutes, at most 8
/// // commands in flight
/// let config = ClientConfig::default()
///     .tls_active(true)
///     .idle_refresh(Some(Duration::from_secs(20 * 60)))
///     .limits(Limits::default().pending_commands(8));
/// assert!(config.tls_active);
/// let mut client = Client::new(config);
/// assert!(client.tls_active());
///
/// // the greeting is awaited for `greeting_timeout` (default 5 minutes)
/// assert_eq!(client.poll_timeout(), Some(Duration::ZERO)); // "tell me the time"
/// client.handle_timeout(Duration::from_secs(1000));
/// client.handle_timeout(Duration::from_secs(1000 + 5 * 60));
/// assert_eq!(client.poll_event().unwrap(), Some(ClientEvent::TimedOut));
/// assert!(client.is_closed());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Bounds on what the server may make the client do: `response_line`
    /// (the non-literal bytes of one response; a longer one costs itself,
    /// [`ClientEvent::OversizedResponse`]), `literal_size`, `inline_literal`
    /// (larger FETCH bodies are streamed), `nesting_depth`,
    /// `pending_commands`, `input_buffer`, `auth_exchanges`. Memory stays
    /// below `input_buffer` plus twice `response_line` (a streamed FETCH's
    /// head is kept while its body passes).
    pub limits: Limits,
    /// Line endings accepted. Default [`LinePolicy::ACCEPT_BARE_LF_KEEP_CR`]: a
    /// bare LF ends a line and a bare CR stays in it (the frame then costs
    /// itself as a [`ClientEvent::MalformedResponse`]).
    pub line_policy: LinePolicy,
    /// Server deviations accepted by the parser. Default [`Quirks::LENIENT`].
    pub quirks: Quirks,
    /// The connection is already under TLS (implicit TLS, port 993).
    pub tls_active: bool,
    /// Send commands whose extension the server did not advertise. Default
    /// `false`: such a command is [`Error::Misuse`].
    pub trust_unadvertised: bool,
    /// How long an IDLE lasts before the machine re-issues it (RFC 2177: less
    /// than 29 minutes). Default 28 minutes; `None` never re-issues.
    pub idle_refresh: Option<Duration>,
    /// How long the server may take to greet. Default 5 minutes (RFC 9051 sets
    /// no client timeout; this is RFC 5321's wait for an SMTP greeting).
    pub greeting_timeout: Duration,
    /// How long the server may stay silent while a command is pending (an
    /// accepted IDLE excepted: [`idle_refresh`](Self::idle_refresh) covers it).
    /// Default 30 minutes, RFC 9051 §5.4's shortest autologout: a server
    /// silent that long has ended the session.
    pub command_timeout: Duration,
    /// How long the server may stay silent inside a literal it is sending.
    /// Default 30 minutes, as [`command_timeout`](Self::command_timeout).
    pub body_timeout: Duration,
}

setters!(ClientConfig { limits: Limits, line_policy: LinePolicy, quirks: Quirks, tls_active: bool, trust_unadvertised: bool, idle_refresh: Option<Duration>, greeting_timeout: Duration, command_timeout: Duration, body_timeout: Duration });

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            limits: Limits::default(),
            line_policy: LinePolicy::ACCEPT_BARE_LF_KEEP_CR,
            quirks: Quirks::LENIENT,
            tls_active: false,
            trust_unadvertised: false,
            idle_refresh: Some(Duration::from_secs(28 * 60)),
            greeting_timeout: Duration::from_secs(5 * 60),
            command_timeout: Duration::from_secs(30 * 60),
            body_timeout: Duration::from_secs(30 * 60),
        }
    }
}
