//! The SMTP client's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Client`].
///
/// ```
/// use core::time::Duration;
/// use mailwire::smtp::{Client, ClientConfig};
///
/// // an LMTP client (RFC 2033) that never uses BDAT, built in one expression
/// let config = ClientConfig::new("mx.example.org")
///     .lmtp(true)
///     .use_chunking(false)
///     .command_timeout(Duration::from_secs(60));
/// let mut client = Client::new(config);
/// client.handle_input(b"220 lmtp.example.org LMTP ready\r\n");
/// while client.poll_event()?.is_some() {}
/// assert_eq!(&client.poll_transmit().unwrap()[..], b"LHLO mx.example.org\r\n");
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name sent with EHLO/HELO/LHLO (a domain, or an address literal such
    /// as `[192.0.2.1]`).
    pub hostname: String,
    /// LMTP mode (RFC 2033).
    pub lmtp: bool,
    /// Limits on replies (`reply_line`, `reply_lines`, `input_buffer`,
    /// `pending_commands`).
    pub limits: Limits,
    /// Reply line endings. Default [`LinePolicy::ACCEPT_BARE_LF_KEEP_CR`], as
    /// for every client machine of the crate: a bare LF ends a reply line (some
    /// servers send them) and a bare CR stays in the line's text. Nothing a
    /// client reads is relayed, so tolerance cannot smuggle anything; set
    /// [`LinePolicy::STRICT`] to treat both as fatal errors.
    pub line_policy: LinePolicy,
    /// Use PIPELINING when the server offers it. Default true.
    pub use_pipelining: bool,
    /// Send bodies with BDAT when the server offers CHUNKING. Default true.
    pub use_chunking: bool,
    /// Bare CR/LF in message bodies, with DATA and BDAT alike:
    /// [`BodyPolicy::Strict`] (default) refuses them, [`BodyPolicy::Normalize`]
    /// turns them into CRLF. A `BODY=BINARYMIME` body (sent with BDAT) is
    /// binary and goes unchanged (RFC 3030 §3: "CR and LF do not necessarily
    /// represent ends of text lines in BDAT chunks").
    pub body_policy: BodyPolicy,
    /// Send MAIL and RCPT parameters of extensions the server did not
    /// advertise (SIZE, BODY, SMTPUTF8, DSN's RET/ENVID/NOTIFY/ORCPT, AUTH=,
    /// MT-PRIORITY, FUTURERELEASE, DELIVERBY, others). Default `false`: such a
    /// parameter is [`Error::Misuse`] and nothing is sent (RFC 5321 §4.1.1.3:
    /// "The client MUST NOT transmit parameters other than those associated
    /// with a service extension offered by the server in its EHLO response").
    /// Never overrides REQUIRETLS, which needs TLS and the server's REQUIRETLS
    /// (RFC 8689 §2), nor `BODY=BINARYMIME`, which needs BDAT (RFC 3030 §3).
    pub trust_unadvertised: bool,
    /// The connection is already under TLS (implicit TLS, port 465). Default
    /// `false`; [`Client::tls_established`] sets it after STARTTLS.
    pub tls_active: bool,
    /// Timeout waiting for the greeting (RFC 5321 §4.5.3.2.1: 5 min).
    pub greeting_timeout: Duration,
    /// Timeout waiting for most replies (RFC 5321 §4.5.3.2.2-4: 5 min).
    pub command_timeout: Duration,
    /// Timeout waiting for the reply to a BDAT chunk (RFC 5321 §4.5.3.2.6's
    /// data block timeout: 3 min).
    pub body_timeout: Duration,
    /// Timeout waiting for the 354 after DATA (RFC 5321 §4.5.3.2.5: 2 min).
    pub data_init_timeout: Duration,
    /// Timeout waiting for the reply after the end of the body (RFC 5321
    /// §4.5.3.2.7: 10 min).
    pub data_end_timeout: Duration,
}

setters!(ClientConfig {
    hostname: String,
    lmtp: bool,
    limits: Limits,
    line_policy: LinePolicy,
    use_pipelining: bool,
    use_chunking: bool,
    body_policy: BodyPolicy,
    trust_unadvertised: bool,
    tls_active: bool,
    greeting_timeout: Duration,
    command_timeout: Duration,
    body_timeout: Duration,
    data_init_timeout: Duration,
    data_end_timeout: Duration
});

impl ClientConfig {
    /// A configuration with the defaults and this EHLO name.
    pub fn new(hostname: impl Into<String>) -> Self {
        ClientConfig {
            hostname: hostname.into(),
            ..Default::default()
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            hostname: String::from("localhost"),
            lmtp: false,
            limits: Limits::default(),
            line_policy: LinePolicy::ACCEPT_BARE_LF_KEEP_CR,
            use_pipelining: true,
            use_chunking: true,
            body_policy: BodyPolicy::Strict,
            trust_unadvertised: false,
            tls_active: false,
            greeting_timeout: Duration::from_secs(300),
            command_timeout: Duration::from_secs(300),
            body_timeout: Duration::from_secs(180),
            data_init_timeout: Duration::from_secs(120),
            data_end_timeout: Duration::from_secs(600),
        }
    }
}
