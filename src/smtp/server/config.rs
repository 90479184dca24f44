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
    /// EHLO/LHLO lines the application adds after the built-in ones, each
    /// `ehlo-keyword *( SP ehlo-param )` (RFC 5321 §4.1.1.1); a line that is
    /// not is left out of the reply. [`add_ehlo_keyword`](Self::add_ehlo_keyword)
    /// checks a line when it is added. Default empty.
    pub extra_ehlo_keywords: Vec<String>,
    /// MAIL parameter keywords the application takes (case-insensitive),
    /// besides the built-in ones: a MAIL with one of them reaches
    /// [`ServerEvent::Mail`] (in its `parameters`) instead of being answered
    /// `555 5.5.4`. Advertise the extension with
    /// [`extra_ehlo_keywords`](Self::extra_ehlo_keywords). Default empty.
    pub extra_mail_parameters: Vec<String>,
    /// The same for RCPT parameters ([`ServerEvent::Rcpt`]). Default empty.
    pub extra_rcpt_parameters: Vec<String>,
    /// Hand VRFY to the application as [`ServerEvent::Vrfy`]. Default false:
    /// the machine answers `252 2.5.0` (RFC 5321 §3.5.3).
    pub vrfy_events: bool,
    /// Hand EXPN to the application as [`ServerEvent::Expn`]. Default false:
    /// `502 5.5.1`.
    pub expn_events: bool,
    /// Hand HELP to the application as [`ServerEvent::Help`]. Default false:
    /// `214 2.0.0`.
    pub help_events: bool,
    /// Hand ETRN to the application as [`ServerEvent::Etrn`] and advertise
    /// ETRN (RFC 1985). Default false: `502 5.5.1`, not advertised.
    pub etrn_events: bool,
    /// Hand commands the crate does not know to the application as
    /// [`ServerEvent::UnknownCommand`]. Default false: `500 5.5.2`.
    pub unknown_command_events: bool,
    /// Advertise `XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT`
    /// and hand XCLIENT to the application ([`ServerEvent::Xclient`]).
    /// Default false (XCLIENT is then an unknown command).
    pub xclient: bool,
    /// Advertise `XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE` and hand
    /// XFORWARD to the application ([`ServerEvent::Xforward`]). Default false.
    pub xforward: bool,
    /// Advertise BURL (RFC 4468) with these EHLO parameters (`""` for none,
    /// `"imap"` when IMAP URLAUTH URLs are fetched) and hand BURL to the
    /// application ([`ServerEvent::Burl`]). Not in LMTP mode, and only with
    /// [`eightbitmime`](Self::eightbitmime) (RFC 4468 §4). Default `None`.
    pub burl: Option<String>,
    /// Advertise REQUIRETLS (RFC 8689) and accept the `REQUIRETLS` MAIL
    /// parameter, both only while TLS is active (RFC 8689 §2: "Following the
    /// negotiation of STARTTLS, the SMTP server MUST advertise in the
    /// subsequent EHLO response that it supports REQUIRETLS"); without TLS
    /// the parameter is answered `555 5.5.4` like any unadvertised one.
    /// Default false.
    pub requiretls: bool,
    /// Advertise MT-PRIORITY (RFC 6710) with these EHLO parameters (`""`, or
    /// a priority assignment policy such as `"MIXER"`) and accept
    /// `MT-PRIORITY=`. Default `None`.
    pub mt_priority: Option<String>,
    /// Advertise DELIVERBY (RFC 2852) and accept `BY=`; `Some(0)` advertises
    /// no minimum, `Some(n)` advertises `DELIVERBY n` (the min-by-time in
    /// seconds). Whether a deadline can be met is the application's call
    /// (it sees the typed [`Parameter::By`]). Default `None`.
    pub deliverby: Option<u32>,
    /// Advertise FUTURERELEASE (RFC 4865) with its two EHLO parameters, the
    /// max-future-release-interval and max-future-release-date-time (e.g.
    /// `"604800 2026-12-31T00:00:00Z"`), and accept `HOLDFOR=` and
    /// `HOLDUNTIL=`. Default `None`.
    pub future_release: Option<String>,
    /// Advertise RRVS (RFC 7293) and accept the `RRVS=` RCPT parameter.
    /// Default false.
    pub rrvs: bool,
    /// Advertise NO-SOLICITING (RFC 3865) with these EHLO parameters (`""`,
    /// or the solicitation keywords the server recognizes) and accept the
    /// `NO-SOLICITING=` MAIL parameter. Default `None`.
    pub no_soliciting: Option<String>,
    /// The PROXY protocol header expected before the greeting (behind a load
    /// balancer; see [`ProxyProtocol`](crate::wire::proxy::ProxyProtocol)).
    /// Default `Off`.
    pub proxy_protocol: crate::wire::proxy::ProxyProtocol,
}

setters!(ServerConfig {
    proxy_protocol: crate::wire::proxy::ProxyProtocol
});

setters!(ServerConfig { hostname: String, greeting: String, lmtp: bool, limits: Limits, tls_available: bool, tls_active: bool, auth_mechanisms: Vec<Mechanism>, plaintext_requires_tls: bool, pipelining: bool, eightbitmime: bool, smtputf8: bool, chunking: bool, binarymime: bool, dsn: bool, enhanced_status_codes: bool, line_policy: LinePolicy, body_policy: BodyPolicy, command_timeout: Duration, data_timeout: Duration, extra_ehlo_keywords: Vec<String>, extra_mail_parameters: Vec<String>, extra_rcpt_parameters: Vec<String>, vrfy_events: bool, expn_events: bool, help_events: bool, etrn_events: bool, unknown_command_events: bool, xclient: bool, xforward: bool, burl: Option<String>, requiretls: bool, mt_priority: Option<String>, deliverby: Option<u32>, future_release: Option<String>, rrvs: bool, no_soliciting: Option<String> });

impl ServerConfig {
    /// A configuration with the defaults and this hostname.
    pub fn new(hostname: impl Into<String>) -> Self {
        ServerConfig {
            hostname: hostname.into(),
            ..Default::default()
        }
    }

    /// Adds an EHLO/LHLO line after the built-in ones, checked against RFC
    /// 5321 §4.1.1.1: `ehlo-line = ehlo-keyword *( SP ehlo-param )`,
    /// `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
    /// `ehlo-param = 1*(%d33-126)`. [`Error::Emit`] for anything else (a
    /// line break, a control character, an empty keyword, two spaces) or a
    /// line over 500 octets.
    ///
    /// ```
    /// use mailwire::smtp::ServerConfig;
    /// let mut cfg = ServerConfig::new("mx.example");
    /// cfg.add_ehlo_keyword("X-EXAMPLE fast slow").unwrap();
    /// assert!(cfg.add_ehlo_keyword("BAD\r\n250 INJECTED").is_err());
    /// assert_eq!(cfg.extra_ehlo_keywords, ["X-EXAMPLE fast slow"]);
    /// ```
    pub fn add_ehlo_keyword(&mut self, line: &str) -> Result<&mut Self, Error> {
        if !is_ehlo_line(line) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "ehlo-line",
            }));
        }
        self.extra_ehlo_keywords.push(String::from(line));
        Ok(self)
    }
}

/// `ehlo-line = ehlo-keyword *( SP ehlo-param )` (RFC 5321 §4.1.1.1), at
/// most 500 octets.
pub(super) fn is_ehlo_line(line: &str) -> bool {
    let mut parts = line.split(' ');
    let kw = parts.next().unwrap_or_default().as_bytes();
    line.len() <= 500
        && kw.first().is_some_and(u8::is_ascii_alphanumeric)
        && kw.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| (33..=126).contains(&b)))
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
            extra_ehlo_keywords: Vec::new(),
            extra_mail_parameters: Vec::new(),
            extra_rcpt_parameters: Vec::new(),
            vrfy_events: false,
            expn_events: false,
            help_events: false,
            etrn_events: false,
            unknown_command_events: false,
            xclient: false,
            xforward: false,
            burl: None,
            requiretls: false,
            mt_priority: None,
            deliverby: None,
            future_release: None,
            rrvs: false,
            no_soliciting: None,
            proxy_protocol: crate::wire::proxy::ProxyProtocol::Off,
        }
    }
}
