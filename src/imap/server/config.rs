//! [`ServerConfig`] and the connection states of RFC 9051 §3.

use super::*;

/// How the server starts the session (RFC 9051 §7.1.1, §7.1.4, §7.1.5).
///
/// ```
/// use mailwire::imap::{Server, ServerConfig, ServerState};
/// use mailwire::imap::server::Greeting;
///
/// // RFC 9051 §7.1.5: "* BYE Autologout; idle for too long" (here: refused)
/// let config = ServerConfig::default().greeting(Greeting::Bye).greeting_text("Too many connections");
/// let mut server = Server::new(config);
/// assert_eq!(&server.poll_transmit().unwrap()[..], b"* BYE Too many connections\r\n");
/// assert_eq!(server.state(), ServerState::Logout);
///
/// // RFC 9051 §7.1.4: "* PREAUTH IMAP4rev2 server logged in as Smith"
/// let config = ServerConfig::default().greeting(Greeting::PreAuth).greeting_text("logged in as Smith");
/// let mut server = Server::new(config);
/// let greeting = server.poll_transmit().unwrap();
/// assert!(greeting.starts_with(b"* PREAUTH [CAPABILITY IMAP4rev1 IMAP4rev2 "));
/// assert!(greeting.ends_with(b"] logged in as Smith\r\n"));
/// assert_eq!(server.state(), ServerState::Authenticated);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Greeting {
    /// `* OK [CAPABILITY ...]`: Not Authenticated state. The default.
    #[default]
    Ok,
    /// `* PREAUTH [CAPABILITY ...]`: the connection is already authenticated
    /// (by the adapter, e.g. a TLS client certificate or a local socket).
    PreAuth,
    /// `* BYE`: the server refuses the connection, which closes.
    Bye,
}

/// Which non-synchronizing literals (`{n+}`, RFC 7888) the server accepts.
///
/// Whatever the choice, a refused non-synchronizing literal is read and
/// discarded with the rest of its command (RFC 7888 §5 leaves the server that
/// choice or closing the connection): its bytes are never read as commands.
///
/// RFC 7888 §4: under LITERAL-, "the server MUST reject [a non-synchronizing
/// literal larger than 4096 bytes] with a tagged BAD response with the
/// response code TOOBIG":
///
/// ```
/// use mailwire::imap::{LiteralSupport, Server, ServerConfig, ServerEvent, StatusKind};
/// use mailwire::imap::server::Greeting;
///
/// let config = ServerConfig::default()
///     .greeting(Greeting::PreAuth)
///     .imap4rev2(false)
///     .literals(LiteralSupport::Minus);
/// let mut server = Server::new(config);
/// let greeting = server.poll_transmit().unwrap();
/// assert!(std::str::from_utf8(&greeting).unwrap().contains(" LITERAL- "));
///
/// server.handle_input(b"A1 CREATE {4+}\r\nTest\r\n");
/// let Some(ServerEvent::Command(command)) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!(command.tag.as_str(), "A1");
///
/// server.handle_input(b"A2 CREATE {5000+}\r\n");
/// server.handle_input(&[b'x'; 5000]);
/// server.handle_input(b"\r\nA3 NOOP\r\n");
/// // the refused command never reaches the application, the next one does
/// let Some(ServerEvent::Command(command)) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!(command.tag.as_str(), "A3");
/// server.complete("A3", StatusKind::Ok, None, "NOOP completed").unwrap();
/// let mut out = Vec::new();
/// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
/// let out = String::from_utf8(out).unwrap();
/// assert!(out.contains("A2 BAD [TOOBIG] "), "{out}");
/// assert!(out.ends_with("A3 OK NOOP completed\r\n"), "{out}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LiteralSupport {
    /// Only synchronizing literals: `{n+}` is answered `BAD [CLIENTBUG]`.
    /// While `IMAP4rev2` is advertised, which includes LITERAL- (RFC 9051
    /// §4.3), this behaves as [`Minus`](Self::Minus).
    SyncOnly,
    /// `LITERAL+`: non-synchronizing literals of any size (up to the limits).
    /// The default. Before the client authenticated, while
    /// [`Limits::unauthenticated_literal`] is at most 4096, `LITERAL-` is
    /// advertised and enforced instead: no unauthenticated literal may be
    /// larger anyway, and LITERAL- makes a larger `{n+}` a protocol error the
    /// client knew to avoid. The LOGIN or AUTHENTICATE `OK` carries the new
    /// list (`[CAPABILITY ... LITERAL+ ...]`, RFC 9051 §6.2.3).
    #[default]
    Plus,
    /// `LITERAL-`: `{n+}` up to 4096 bytes; a larger one gets `BAD [TOOBIG]`
    /// (RFC 7888 §4) and is read and discarded.
    Minus,
}

/// Configuration of a [`Server`].
///
/// Built in one expression from [`default`](Self::default) with one setter
/// per field. The STARTTLS example of RFC 9051 §6.2.1: before TLS, LOGIN is
/// disabled and no mechanism that sends a password in the clear is offered;
/// after it, `AUTH=PLAIN` is.
///
/// ```
/// use mailwire::imap::{Server, ServerConfig, ServerEvent, StatusKind};
/// use mailwire::wire::sasl::Authentication;
///
/// let config = ServerConfig::default()
///     .imap4rev1(false)
///     .tls_available(true)
///     .greeting_text("mail.example.net ready");
/// let mut server = Server::new(config);
/// let out = |server: &mut Server| {
///     let mut out = Vec::new();
///     while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
///     String::from_utf8(out).unwrap()
/// };
/// let greeting = out(&mut server);
/// assert!(greeting.starts_with("* OK [CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED "));
/// assert!(greeting.ends_with("] mail.example.net ready\r\n"));
///
/// server.handle_input(b"a001 CAPABILITY\r\n");
/// assert!(server.poll_event().unwrap().is_none()); // answered by the machine
/// let answer = out(&mut server);
/// assert!(answer.starts_with("* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED "));
/// assert!(!answer.contains("AUTH=PLAIN"));
/// assert!(answer.ends_with("\r\na001 OK CAPABILITY completed\r\n"));
///
/// server.handle_input(b"a002 STARTTLS\r\n");
/// assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::StartTls));
/// assert_eq!(out(&mut server), "a002 OK Begin TLS negotiation now\r\n");
/// // <TLS negotiation, further commands are under TLS layer>
/// server.tls_established().unwrap();
///
/// server.handle_input(b"a003 CAPABILITY\r\n");
/// assert!(server.poll_event().unwrap().is_none());
/// let answer = out(&mut server);
/// assert!(answer.starts_with("* CAPABILITY IMAP4rev2 AUTH=PLAIN "));
/// assert!(!answer.contains("STARTTLS") && !answer.contains("LOGINDISABLED"));
///
/// // "test\0test\0test" in base64, sent at once (SASL-IR, RFC 4959)
/// server.handle_input(b"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
/// let Some(ServerEvent::Authenticate { tag, authentication }) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!(tag.as_str(), "a004");
/// let Authentication::Plain { authzid, authcid, password } = authentication else { panic!() };
/// assert_eq!((authzid.as_deref(), &*authcid, password.expose()), (Some("test"), "test", &b"test"[..]));
/// server.complete("a004", StatusKind::Ok, None, "Success (tls protection)").unwrap();
/// assert!(out(&mut server).starts_with("a004 OK [CAPABILITY IMAP4rev2 "));
/// assert!(server.is_authenticated());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Bounds on what a client may make the server do.
    pub limits: Limits,
    /// The greeting's kind. Default [`Greeting::Ok`].
    pub greeting: Greeting,
    /// The greeting's text. Default `IMAP server ready`.
    pub greeting_text: String,
    /// Advertise `IMAP4rev1` (RFC 3501). Default `true`.
    pub imap4rev1: bool,
    /// Advertise `IMAP4rev2` (RFC 9051). Default `true`.
    pub imap4rev2: bool,
    /// The adapter can do TLS: STARTTLS is offered while TLS is not active.
    /// Default `false`.
    pub tls_available: bool,
    /// The connection is already under TLS (implicit TLS, port 993). Default
    /// `false`.
    pub tls_active: bool,
    /// Before TLS, refuse LOGIN (`NO [PRIVACYREQUIRED]`, with `LOGINDISABLED`
    /// advertised) and neither advertise nor accept the SASL mechanisms that
    /// send a reusable secret in the clear
    /// ([`Mechanism::needs_tls`]: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) (RFC 9051
    /// §6.2.3, RFC 8314). Default `true`, as on the SMTP and POP3 servers.
    pub plaintext_requires_tls: bool,
    /// SASL mechanisms offered with AUTHENTICATE (`AUTH=...`), in this order.
    /// Default PLAIN.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Advertise and accept SASL-IR (RFC 4959). Default `true`.
    pub sasl_ir: bool,
    /// Non-synchronizing literals. Default [`LiteralSupport::Plus`].
    pub literals: LiteralSupport,
    /// IDLE (RFC 2177), run by the machine. Default `true`.
    pub idle: bool,
    /// UNSELECT (RFC 3691). Default `true`.
    pub unselect: bool,
    /// UNAUTHENTICATE (RFC 8437), run by the machine, which reports
    /// [`ServerEvent::Unauthenticated`]: for servers where an administrative
    /// client reuses one connection for several users. Default `false`.
    pub unauthenticate: bool,
    /// COMPRESS=DEFLATE (RFC 4978), advertised and run by the machine, which
    /// answers `OK` and reports [`ServerEvent::Compress`]: the adapter then
    /// wraps the connection in raw DEFLATE (RFC 1951) both ways. Default
    /// `false` (the command then reaches the application).
    pub compress: bool,
    /// REPLACE and UID REPLACE (RFC 8508), advertised: the message reaches
    /// the application in chunks like an APPEND's
    /// ([`ServerEvent::ReplaceStart`], then [`ServerEvent::AppendChunk`]s and
    /// [`ServerEvent::AppendEnd`]), and the application answers as for
    /// APPEND and EXPUNGE. Refused with `BAD` outside the selected state
    /// (RFC 8508 §3.5). Default `false` (the command is then unknown: `BAD`).
    pub replace: bool,
    /// Extensions ENABLE may turn on (RFC 5161), such as `CONDSTORE`,
    /// `QRESYNC`, `UTF8=ACCEPT`, `IMAP4rev2`. ENABLE is advertised when this is
    /// not empty. Default `IMAP4rev2` and `UTF8=ACCEPT`.
    pub enableable: Vec<String>,
    /// Further capabilities the application implements, advertised as they are
    /// (`UIDPLUS`, `MOVE`, `NAMESPACE`, `ID`, `CONDSTORE`, `SPECIAL-USE`, ...).
    /// Names that are not atoms are dropped. Default none.
    pub capabilities: Vec<String>,
    /// Synchronizing literals up to this size get their `+` without asking the
    /// application (APPEND data is always asked about). Default 0: every one
    /// is a [`ServerEvent::LiteralRequested`].
    pub auto_accept_literal: u64,
    /// The inactivity autologout timer (RFC 9051 §5.4: at least 30 minutes).
    /// Default 30 minutes; `None` disables it.
    pub autologout: Option<Duration>,
    /// Line endings accepted in command lines. Default [`LinePolicy::STRICT`].
    pub line_policy: LinePolicy,
    /// Quirk: accept a line ending in `{n-}` as a non-synchronizing literal
    /// of at most 4096 bytes, as `{n+}` under LITERAL-. No RFC has this form
    /// (RFC 9051 §4.3 and RFC 7888 write every non-synchronizing literal
    /// `{n+}`); mailwire's own client sent it before 0.2. Default `false`:
    /// such a command is answered `BAD [CLIENTBUG]` and its `n` bytes and the
    /// rest of the command are read and discarded, never run as commands.
    pub accept_minus_literals: bool,
    /// A budget shared by many connections for the input of clients that have
    /// not authenticated: each such session charges it for its input buffer
    /// (at most [`Limits::unauthenticated_input`]) and gives the bytes back
    /// when it authenticates, goes idle or is dropped. When it is spent, a
    /// synchronizing literal is refused (`NO [UNAVAILABLE]`) before the client
    /// sends it, and input that already arrived ends the session
    /// (`* BYE [UNAVAILABLE]`, [`LimitKind::MemoryBudget`]). Default `None`:
    /// only the per-connection limits apply.
    pub unauthenticated_budget: Option<MemoryBudget>,
    /// The PROXY protocol header expected before the greeting (behind a load
    /// balancer; see [`ProxyProtocol`](crate::wire::proxy::ProxyProtocol)).
    /// Default `Off`. (With [`Greeting::Bye`] the BYE goes out at once.)
    pub proxy_protocol: crate::wire::proxy::ProxyProtocol,
    /// PARTIAL (RFC 9394), advertised by the machine: the application pages
    /// SEARCH, SORT and FETCH results; the window reaches it typed in
    /// [`ServerEvent::Command`] ([`CommandBody::partial`](crate::imap::CommandBody::partial))
    /// and it answers with [`SearchReturnData::Partial`](crate::imap::SearchReturnData::Partial).
    /// A PARTIAL the grammar refuses (`0`, `-0`, `*`, mixed signs, past 32
    /// bits, twice, with ALL) is answered `BAD` by the machine. Without it
    /// (default `false`) the machine answers `BAD` to the FETCH modifier and
    /// to a range counted from the end, and takes RFC 5267's positive range
    /// only when `CONTEXT=SEARCH`/`CONTEXT=SORT` is in
    /// [`capabilities`](Self::capabilities) (naming `PARTIAL` there works
    /// as this flag does).
    pub partial: bool,
}

setters!(ServerConfig {
    proxy_protocol: crate::wire::proxy::ProxyProtocol
});

setters!(ServerConfig { partial: bool });

setters!(ServerConfig { limits: Limits, greeting: Greeting, greeting_text: String, imap4rev1: bool, imap4rev2: bool, tls_available: bool, tls_active: bool, plaintext_requires_tls: bool, auth_mechanisms: Vec<Mechanism>, sasl_ir: bool, literals: LiteralSupport, idle: bool, unselect: bool, unauthenticate: bool, compress: bool, replace: bool, enableable: Vec<String>, capabilities: Vec<String>, auto_accept_literal: u64, autologout: Option<Duration>, line_policy: LinePolicy, accept_minus_literals: bool, unauthenticated_budget: Option<MemoryBudget> });

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            greeting: Greeting::Ok,
            greeting_text: String::from("IMAP server ready"),
            imap4rev1: true,
            imap4rev2: true,
            tls_available: false,
            tls_active: false,
            plaintext_requires_tls: true,
            auth_mechanisms: alloc::vec![Mechanism::Plain],
            sasl_ir: true,
            literals: LiteralSupport::Plus,
            idle: true,
            unselect: true,
            unauthenticate: false,
            compress: false,
            replace: false,
            enableable: alloc::vec![String::from("IMAP4rev2"), String::from("UTF8=ACCEPT")],
            capabilities: Vec::new(),
            auto_accept_literal: 0,
            autologout: Some(Duration::from_secs(30 * 60)),
            line_policy: LinePolicy::STRICT,
            accept_minus_literals: false,
            unauthenticated_budget: None,
            proxy_protocol: crate::wire::proxy::ProxyProtocol::Off,
            partial: false,
        }
    }
}

/// The connection state (RFC 9051 §3).
///
/// ```
/// use mailwire::imap::{Server, ServerConfig, ServerEvent, ServerState, StatusKind, Code};
/// use mailwire::imap::server::Greeting;
///
/// let mut server = Server::new(ServerConfig::default().greeting(Greeting::PreAuth));
/// assert_eq!(server.state(), ServerState::Authenticated);
/// // RFC 9051 §6.3.3 EXAMINE: "the selected mailbox is identified as read-only"
/// server.handle_input(b"A932 EXAMINE blurdybloop\r\n");
/// let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else { panic!() };
/// server.complete("A932", StatusKind::Ok, Some(Code::ReadOnly), "EXAMINE completed").unwrap();
/// assert_eq!(server.state(), ServerState::Selected { read_only: true });
/// // RFC 9051 §6.4.2 CLOSE: "returns to the authenticated state"
/// server.handle_input(b"A341 CLOSE\r\n");
/// let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else { panic!() };
/// server.complete("A341", StatusKind::Ok, None, "CLOSE completed").unwrap();
/// assert_eq!(server.state(), ServerState::Authenticated);
/// server.handle_eof();
/// assert!(server.poll_event().unwrap().is_none());
/// assert_eq!(server.state(), ServerState::Logout);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerState {
    /// Before LOGIN or AUTHENTICATE.
    NotAuthenticated,
    /// Logged in, no mailbox selected.
    Authenticated,
    /// A mailbox is selected.
    Selected {
        /// Opened with EXAMINE, or SELECT answered `[READ-ONLY]`.
        read_only: bool,
    },
    /// LOGOUT, BYE, EOF or a fatal error: the connection is over.
    Logout,
}
