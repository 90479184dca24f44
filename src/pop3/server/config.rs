//! The POP3 server's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Server`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Bounds on what a client may make the server do.
    pub limits: Limits,
    /// Text of the greeting. Default `POP3 server ready`.
    pub greeting: String,
    /// The APOP timestamp (RFC 1939 §7), angle brackets included, such as
    /// `<1896.697170952@dbc.mtview.ca.us>`. The library has no clock or random
    /// source, so the caller makes it unique. `None` (the default) disables APOP.
    pub apop_timestamp: Option<String>,
    /// Whether USER/PASS is offered. Default `true`.
    pub user_pass: bool,
    /// Whether the adapter can do TLS: STLS is offered while TLS is not active.
    /// Default `false`.
    pub tls_available: bool,
    /// The connection is already under TLS (implicit TLS, port 995). Default
    /// `false`.
    pub tls_active: bool,
    /// SASL mechanisms offered with AUTH, in this order (see [`SaslLookup`]
    /// for CRAM-MD5 and SCRAM).
    /// Default none.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Before TLS, neither advertise nor accept USER/PASS and the SASL
    /// mechanisms that send a reusable secret in the clear
    /// ([`Mechanism::needs_tls`]: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER), which
    /// get `-ERR` (RFC 2595 §2.1, RFC 8314); APOP and the challenge-response
    /// mechanisms send no password and stay available. Default `true`, as on
    /// the SMTP and IMAP servers: set it to `false` to allow passwords in
    /// cleartext.
    pub plaintext_requires_tls: bool,
    /// The `IMPLEMENTATION` capability. Default none.
    pub implementation: Option<String>,
    /// The `EXPIRE` capability. Default none.
    pub expire: Option<Expire>,
    /// Whether `PIPELINING` is advertised. Default `true` (the machine always
    /// answers in order).
    pub pipelining: bool,
    /// Whether the UTF8 command is accepted (RFC 6856). Default `false`.
    pub utf8: bool,
    /// The inactivity autologout timer (RFC 1939 §3: at least 10 minutes when
    /// set). Default 10 minutes; `None` disables it. See
    /// [`Server::poll_timeout`].
    pub autologout: Option<Duration>,
    /// Line endings accepted in command lines. Default [`LinePolicy::STRICT`]: a
    /// command line with a bare CR or LF is answered `-ERR` and dropped (it
    /// counts as a bad command).
    pub line_policy: LinePolicy,
    /// What [`Server::send_body`] does with bare CR/LF in message bytes. Default
    /// [`BodyPolicy::Normalize`]: they are sent as CRLF (Maildir files use LF).
    pub body_policy: BodyPolicy,
    /// The PROXY protocol header expected before the greeting (behind a load
    /// balancer; see [`ProxyProtocol`]). Default
    /// [`Off`](ProxyProtocol::Off).
    pub proxy_protocol: ProxyProtocol,
}

setters!(ServerConfig { limits: Limits, greeting: String, apop_timestamp: Option<String>, user_pass: bool, tls_available: bool, tls_active: bool, auth_mechanisms: Vec<Mechanism>, plaintext_requires_tls: bool, implementation: Option<String>, expire: Option<Expire>, pipelining: bool, utf8: bool, autologout: Option<Duration>, line_policy: LinePolicy, body_policy: BodyPolicy, proxy_protocol: ProxyProtocol });

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            greeting: String::from("POP3 server ready"),
            apop_timestamp: None,
            user_pass: true,
            tls_available: false,
            tls_active: false,
            auth_mechanisms: Vec::new(),
            plaintext_requires_tls: true,
            implementation: None,
            expire: None,
            pipelining: true,
            utf8: false,
            autologout: Some(Duration::from_secs(600)),
            line_policy: LinePolicy::STRICT,
            body_policy: BodyPolicy::Normalize,
            proxy_protocol: ProxyProtocol::Off,
        }
    }
}
