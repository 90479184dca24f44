//! The SMTP server's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Server`].
///
/// ```
/// use mailwire::{Limits, smtp::{Server, ServerConfig}};
///
/// let config = ServerConfig::new("mx.example")
///     .chunking(false)
///     .dsn(false)
///     .limits(Limits::DEFAULT.message_size(10_000_000));
/// let mut server = Server::new(config);
/// server.handle_input(b"EHLO client.example\r\n");
/// while server.poll_event()?.is_some() {}
/// let ehlo: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// let ehlo = String::from_utf8(ehlo).unwrap();
/// // what the configuration says is what EHLO advertises (RFC 1870 SIZE, RFC 2920)
/// assert!(ehlo.contains("250-SIZE 10000000\r\n") && ehlo.contains("PIPELINING"), "{ehlo}");
/// assert!(!ehlo.contains("CHUNKING") && !ehlo.contains("DSN"));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The name the server gives in its greeting and EHLO reply.
    pub hostname: String,
    /// Text after the hostname in the greeting. Default `"ESMTP ready"`.
    pub greeting: String,
    /// LMTP mode (RFC 2033): LHLO instead of EHLO/HELO, one reply per recipient
    /// after the body.
    pub lmtp: bool,
    /// Limits; `message_size` is advertised as SIZE, `recipients` as LIMITS RCPTMAX.
    pub limits: Limits,
    /// Whether the adapter can do TLS: STARTTLS is offered while TLS is not active.
    pub tls_available: bool,
    /// The connection is already under TLS (implicit TLS, port 465).
    pub tls_active: bool,
    /// SASL mechanisms offered, in this order (CRAM-MD5 and SCRAM ask the
    /// application with [`ServerEvent::AuthLookup`]). Empty (the default)
    /// means no AUTH.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Before TLS, neither advertise nor accept the SASL mechanisms that send
    /// a reusable secret in the clear ([`Mechanism::needs_tls`]: PLAIN, LOGIN,
    /// XOAUTH2, OAUTHBEARER); AUTH with one of them gets `538 5.7.11` (RFC
    /// 4954 §4 and §6, RFC 8314). Default true. The same setting, with the
    /// same meaning, exists on the POP3 and IMAP servers.
    pub plaintext_requires_tls: bool,
    /// Advertise PIPELINING. Default true.
    pub pipelining: bool,
    /// Advertise 8BITMIME and accept `BODY=8BITMIME`. Default true. When
    /// false, `BODY=8BITMIME` is answered 555 (RFC 5321 §4.1.1.11), and
    /// SMTPUTF8 is not offered either.
    pub eightbitmime: bool,
    /// Advertise SMTPUTF8 (and accept UTF-8 addresses in a transaction whose
    /// MAIL has the SMTPUTF8 parameter). Default true. Only together with
    /// [`eightbitmime`](Self::eightbitmime) (RFC 6531 §3.1).
    pub smtputf8: bool,
    /// Advertise CHUNKING and accept BDAT. Default true.
    pub chunking: bool,
    /// Advertise BINARYMIME (RFC 3030 §3) and accept `BODY=BINARYMIME`.
    /// Default false: say yes only when the application keeps every octet of
    /// a binary body. Advertised (and accepted) only together with
    /// [`chunking`](Self::chunking), as RFC 3030 §3 requires: "The BINARYMIME
    /// service extension can only be used with the "CHUNKING" service
    /// extension."
    pub binarymime: bool,
    /// Advertise DSN. Default true.
    pub dsn: bool,
    /// Advertise ENHANCEDSTATUSCODES and put enhanced codes in replies. Default true.
    pub enhanced_status_codes: bool,
    /// Command line endings. Default [`LinePolicy::STRICT`]: a bare LF or CR in a
    /// command line is answered `500 5.5.2` and the line is dropped.
    pub line_policy: LinePolicy,
    /// Bare CR/LF in DATA bodies; see the [module docs](super). Default strict.
    pub body_policy: BodyPolicy,
    /// Idle timeout between commands. Default 5 minutes (RFC 5321 §4.5.3.2.7).
    pub command_timeout: Duration,
    /// Idle timeout while receiving a body. Default 10 minutes (RFC 5321 §4.5.3.2.6).
    pub data_timeout: Duration,
    /// The PROXY protocol header expected before the greeting (behind a load
    /// balancer; see [`ProxyProtocol`](crate::wire::proxy::ProxyProtocol)).
    /// Default `Off`.
    pub proxy_protocol: crate::wire::proxy::ProxyProtocol,
}

setters!(ServerConfig {
    proxy_protocol: crate::wire::proxy::ProxyProtocol
});

setters!(ServerConfig { hostname: String, greeting: String, lmtp: bool, limits: Limits, tls_available: bool, tls_active: bool, auth_mechanisms: Vec<Mechanism>, plaintext_requires_tls: bool, pipelining: bool, eightbitmime: bool, smtputf8: bool, chunking: bool, binarymime: bool, dsn: bool, enhanced_status_codes: bool, line_policy: LinePolicy, body_policy: BodyPolicy, command_timeout: Duration, data_timeout: Duration });

impl ServerConfig {
    /// A configuration with the defaults and this hostname.
    pub fn new(hostname: impl Into<String>) -> Self {
        ServerConfig {
            hostname: hostname.into(),
            ..Default::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            hostname: String::from("localhost"),
            greeting: String::from("ESMTP ready"),
            lmtp: false,
            limits: Limits::default(),
            tls_available: false,
            tls_active: false,
            auth_mechanisms: Vec::new(),
            plaintext_requires_tls: true,
            pipelining: true,
            eightbitmime: true,
            smtputf8: true,
            chunking: true,
            binarymime: false,
            dsn: true,
            enhanced_status_codes: true,
            line_policy: LinePolicy::STRICT,
            body_policy: BodyPolicy::Strict,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(600),
            proxy_protocol: crate::wire::proxy::ProxyProtocol::Off,
        }
    }
}
