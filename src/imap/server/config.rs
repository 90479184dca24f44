//! [`ServerConfig`] and the connection states of RFC 9051 §3.

use super::*;

/// How the server starts the session (RFC 9051 §7.1.1, §7.1.4, §7.1.5).
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
}

setters!(ServerConfig {
    proxy_protocol: crate::wire::proxy::ProxyProtocol
});

setters!(ServerConfig { limits: Limits, greeting: Greeting, greeting_text: String, imap4rev1: bool, imap4rev2: bool, tls_available: bool, tls_active: bool, plaintext_requires_tls: bool, auth_mechanisms: Vec<Mechanism>, sasl_ir: bool, literals: LiteralSupport, idle: bool, unselect: bool, unauthenticate: bool, enableable: Vec<String>, capabilities: Vec<String>, auto_accept_literal: u64, autologout: Option<Duration>, line_policy: LinePolicy, accept_minus_literals: bool, unauthenticated_budget: Option<MemoryBudget> });

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
            enableable: alloc::vec![String::from("IMAP4rev2"), String::from("UTF8=ACCEPT")],
            capabilities: Vec::new(),
            auto_accept_literal: 0,
            autologout: Some(Duration::from_secs(30 * 60)),
            line_policy: LinePolicy::STRICT,
            accept_minus_literals: false,
            unauthenticated_budget: None,
            proxy_protocol: crate::wire::proxy::ProxyProtocol::Off,
        }
    }
}

/// The connection state (RFC 9051 §3).
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
