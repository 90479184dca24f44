//! The POP3 server's configuration: what it offers and enforces, its limits and timeouts.

use super::*;

/// Configuration of a [`Server`].
///
/// ```
/// use mailwire::pop3::{Server, ServerConfig};
///
/// let config = ServerConfig::default()
///     .tls_available(true) // offer STLS (RFC 2595)
///     .implementation(Some("example-pop".into()));
/// let mut server = Server::new(config);
/// server.handle_input(b"CAPA\r\n");
/// while server.poll_event()?.is_some() {}
/// let capa: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// let capa = String::from_utf8(capa).unwrap();
/// // before TLS, USER is not offered: plaintext_requires_tls is on by default
/// assert!(capa.contains("\r\nSTLS\r\n") && capa.contains("\r\nIMPLEMENTATION example-pop\r\n"), "{capa}");
/// assert!(!capa.contains("\r\nUSER\r\n"), "{capa}");
/// # Ok::<(), mailwire::Error>(())
/// ```
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
    /// The `EXPIRE` capability (RFC 2449 §6.7): how long the server keeps
    /// messages. Default none. See [`expire_per_user`](Self::expire_per_user).
    pub expire: Option<Expire>,
    /// The policy varies per user: before login CAPA lists `EXPIRE value
    /// USER`, after login the user's value ([`Server::set_expire`], or
    /// [`expire`](Self::expire)) without `USER` (RFC 2449 §6.7). Default
    /// `false`.
    pub expire_per_user: bool,
    /// The `LOGIN-DELAY` capability (RFC 2449 §6.5): the minimum seconds
    /// between logins. Default none.
    ///
    /// The machine has no clock and keeps nothing across connections, so
    /// it only advertises the delay: the application enforces it by
    /// answering a login that comes too soon with
    /// [`Server::reject`]`(Some(ResponseCode::LoginDelay), ..)`, which sends
    /// `-ERR [LOGIN-DELAY] ...` (RFC 2449 §8.1.2).
    pub login_delay: Option<u32>,
    /// The delay varies per user: before login CAPA lists `LOGIN-DELAY n
    /// USER`, after login the user's value ([`Server::set_login_delay`], or
    /// [`login_delay`](Self::login_delay)) without `USER` (RFC 2449 §6.5).
    /// Default `false`.
    pub login_delay_per_user: bool,
    /// Whether `PIPELINING` is advertised. Default `true` (the machine always
    /// answers in order).
    pub pipelining: bool,
    /// Whether the UTF8 command is accepted (RFC 6856). Default `false`.
    pub utf8: bool,
    /// With [`utf8`](Self::utf8): advertise `UTF8 USER` and, after the UTF8
    /// command, accept UTF-8 user names and passwords in USER, PASS and APOP
    /// (RFC 6856 §2). Otherwise a non-ASCII one is refused with `-ERR
    /// [UTF8]`. The machine passes the bytes on as sent; SASLprep (which the
    /// RFC asks the server to apply) is the application's. Default `false`.
    pub utf8_user: bool,
    /// The languages offered with LANG (RFC 6856 §3), in order of
    /// preference: `(tag, description)`, the description in the language
    /// itself, such as `("de", "Deutsch")`. Non-empty advertises `LANG`; the
    /// machine lists them, and selects by the basic filtering of RFC 4647
    /// §3.3.1 (`LANG *` takes the first). Its own response texts stay as
    /// they are: the application reads [`Server::language`] for its own
    /// texts. RFC 2277 asks for `i-default` among them. Default none.
    pub languages: Vec<(String, String)>,
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

setters!(ServerConfig { limits: Limits, greeting: String, apop_timestamp: Option<String>, user_pass: bool, tls_available: bool, tls_active: bool, auth_mechanisms: Vec<Mechanism>, plaintext_requires_tls: bool, implementation: Option<String>, expire: Option<Expire>, expire_per_user: bool, login_delay: Option<u32>, login_delay_per_user: bool, pipelining: bool, utf8: bool, utf8_user: bool, languages: Vec<(String, String)>, autologout: Option<Duration>, line_policy: LinePolicy, body_policy: BodyPolicy, proxy_protocol: ProxyProtocol });

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
            expire_per_user: false,
            login_delay: None,
            login_delay_per_user: false,
            pipelining: true,
            utf8: false,
            utf8_user: false,
            languages: Vec::new(),
            autologout: Some(Duration::from_secs(600)),
            line_policy: LinePolicy::STRICT,
            body_policy: BodyPolicy::Normalize,
            proxy_protocol: ProxyProtocol::Off,
        }
    }
}
