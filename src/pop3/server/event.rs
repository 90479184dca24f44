//! The POP3 server's events: what [`poll_event`](super::Server::poll_event) hands out.

use super::*;

/// An APOP login attempt (RFC 1939 §7).
///
/// ```
/// # #[cfg(feature = "sasl-hash")] {
/// use mailwire::pop3::{Server, ServerConfig, ServerEvent};
///
/// let config = ServerConfig::default().apop_timestamp(Some("<1896.697170952@dbc.mtview.ca.us>".into()));
/// let mut server = Server::new(config);
/// // RFC 1939 §7's example: secret "tanstaaf"
/// server.handle_input(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
/// let Some(ServerEvent::Apop(request)) = server.poll_event().unwrap() else { panic!() };
/// assert!(request.apop_matches(b"tanstaaf"));
/// assert!(!request.apop_matches(b"guess"));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApopRequest<'a> {
    /// The mailbox name.
    pub user: Text<'a>,
    /// The digest the client sent (hex).
    pub digest: Cow<'a, str>,
    /// The timestamp of this session's greeting.
    pub timestamp: Text<'a>,
}

impl ApopRequest<'_> {
    /// Whether the digest is right for `password` (the shared secret).
    /// Needs the `sasl-hash` feature (MD5 comes from the `md-5` crate);
    /// without it the application checks `digest` itself.
    #[cfg(feature = "sasl-hash")]
    pub fn apop_matches(&self, password: &[u8]) -> bool {
        super::super::md5::apop_matches(self.timestamp.as_bytes(), password, self.digest.as_bytes())
    }
}

crate::owned::into_owned! {
    inherent struct ApopRequest { user, digest, timestamp }
}

/// What the server machine asks the application.
///
/// ```
/// use mailwire::pop3::{Maildrop, Server, ServerConfig, ServerEvent};
///
/// let mut server = Server::new(ServerConfig::default().plaintext_requires_tls(false));
/// server.handle_input(b"USER alice\r\nPASS pw\r\nTOP 1 0\r\nQUIT\r\n");
/// let mut asked = Vec::new();
/// loop {
///     let event = match server.poll_event()? {
///         None => break,
///         Some(e) => e.into_owned(), // an owned copy: the machine is free again
///     };
///     asked.push(format!("{event:?}").split([' ', '(']).next().unwrap().to_string());
///     match event {
///         ServerEvent::Login { .. } => {
///             let mut drop = Maildrop::new();
///             drop.push(40, "a1")?;
///             server.accept_login(drop)?;
///         }
///         // TOP: the whole message goes in, the machine sends the header only
///         ServerEvent::Top { .. } => {
///             server.send_body(b"Subject: hi\r\n\r\nbody line\r\n")?;
///             server.finish_body()?;
///         }
///         ServerEvent::Update { .. } => server.accept()?,
///         _ => {}
///     }
/// }
/// assert_eq!(asked, ["Login", "Top", "Update"]);
/// let out: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// assert!(String::from_utf8(out).unwrap().contains("Subject: hi\r\n\r\n.\r\n"));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent<'a> {
    /// USER then PASS: check the password, then [`Server::accept_login`] or
    /// [`Server::reject`] (with [`ResponseCode::Auth`] or [`ResponseCode::InUse`]).
    Login {
        /// The name from USER.
        user: Text<'a>,
        /// The password from PASS.
        password: Secret<'a>,
    },
    /// APOP: check with [`ApopRequest::apop_matches`], then answer as for Login.
    Apop(ApopRequest<'a>),
    /// A completed SASL exchange (AUTH): check the credentials, then answer as
    /// for Login. `LOGIN` arrives as [`Authentication::Plain`]; CRAM-MD5 and
    /// SCRAM, whose proof the machine checked, as [`Authentication::Verified`].
    Auth(Authentication<'static>),
    /// The SASL exchange needs the application's randomness or the user's
    /// secret (CRAM-MD5, SCRAM; see [`SaslLookup`]): answer with
    /// [`Server::auth_lookup`], or [`Server::reject`] to fail the exchange.
    AuthLookup(SaslLookup),
    /// RETR of an existing, undeleted message: push it with
    /// [`Server::send_body`] and [`Server::finish_body`].
    Retr {
        /// The message number.
        msg: u32,
        /// Its size from the maildrop.
        size: u64,
        /// Its unique id.
        uid: Text<'a>,
    },
    /// TOP: push the message as for RETR; the machine sends only the header and
    /// `lines` body lines.
    Top {
        /// The message number.
        msg: u32,
        /// Body lines wanted.
        lines: u32,
        /// Its unique id.
        uid: Text<'a>,
    },
    /// QUIT in TRANSACTION: remove these messages (numbers from 1), then
    /// [`Server::accept`] (`+OK`) or [`Server::reject`] (`-ERR some deleted
    /// messages not removed`). The session ends either way.
    Update {
        /// The messages marked with DELE.
        deleted: Cow<'a, [u32]>,
    },
    /// STLS was accepted: flush [`poll_transmit`](Server::poll_transmit), run the
    /// TLS handshake, then call [`Server::tls_established`]. Bytes that came
    /// after the STLS line were discarded.
    StartTls,
    /// The PROXY protocol header arrived (only with
    /// [`ServerConfig::proxy_protocol`]); the greeting is queued now.
    /// Nothing to answer.
    Proxied(ProxyInfo),
}

crate::owned::into_owned! {
    inherent enum ServerEvent {
        Login { user, password },
        Apop(a),
        Auth(a),
        AuthLookup(l),
        Retr { msg, size, uid },
        Top { msg, lines, uid },
        Update { deleted },
        StartTls,
        Proxied(p),
    }
}
