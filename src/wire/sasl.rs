//! SASL mechanisms for the mail protocols: client and server steps, and the
//! base64 lines that carry them.
//!
//! ```
//! use mailwire::wire::sasl::{Authentication, Credentials, Mechanism, SaslClient, SaslServer, ServerStep};
//!
//! // RFC 4616 §2 PLAIN, both sides in memory: what the client sends, what the server extracts
//! let mut client = SaslClient::new(Credentials::Plain { authzid: None, username: "tim", password: "tanstaaf".into() });
//! let response = client.initial_response().unwrap();
//! let mut server = SaslServer::new(Mechanism::Plain);
//! let ServerStep::Done(Authentication::Plain { authcid, password, .. }) = server.start(Some(&response))? else { panic!() };
//! assert_eq!((&*authcid, password.expose()), ("tim", &b"tanstaaf"[..]));
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! Implements the mechanism side of SMTP AUTH (RFC 4954 §4), POP3 AUTH (RFC 5034 §4)
//! and IMAP AUTHENTICATE (RFC 9051 §6.2.2, with SASL-IR, RFC 4959), following the
//! SASL framework (RFC 4422 §3, §5):
//!
//! | mechanism | spec | who speaks first |
//! |---|---|---|
//! | `PLAIN` | RFC 4616 §2 | client |
//! | `LOGIN` | draft-murchison-sasl-login-00 | server (`Username:`, `Password:`) |
//! | `XOAUTH2` | Google's XOAUTH2 protocol | client |
//! | `OAUTHBEARER` | RFC 7628 §3.1 | client |
//! | `EXTERNAL` | RFC 4422 Appendix A | client |
//! | `ANONYMOUS` | RFC 4505 §2 | client |
//! | `CRAM-MD5` | RFC 2195 §2 | server (`<random.timestamp@host>`) |
//! | `SCRAM-SHA-1`, `SCRAM-SHA-1-PLUS` | RFC 5802 §5 | client |
//! | `SCRAM-SHA-256`, `SCRAM-SHA-256-PLUS` | RFC 7677 | client |
//!
//! The last three rows need the `sasl-hash` feature (RustCrypto's digests).
//! Their clients go through [`SaslClient`] like the others
//! ([`Credentials::CramMd5`], [`Credentials::Scram`]). Their servers need the
//! application in the middle of the exchange: CRAM-MD5's challenge is built
//! from the application's digits and time ([`SaslServer::cram_md5`]) and the
//! application checks the digest against the shared secret
//! ([`CramMd5Response::verify`]); SCRAM's server is [`ScramServer`], which
//! asks for the user's [`ScramStoredKey`] after the client's first message.
//! [`SaslServer::new`] with a SCRAM mechanism fails its first step. The
//! SMTP, POP3 and IMAP server machines run all of them themselves and ask
//! the application only for randomness and secrets ([`SaslLookup`],
//! [`SaslAnswer`]); the clients' `authenticate` runs every mechanism here.
//!
//! Only the mechanism logic lives here: the values passed to and returned by
//! [`SaslClient`] and [`SaslServer`] are *raw* (not base64). The protocols frame
//! them (`334 ` in SMTP, `+ ` in POP3 and IMAP) and use [`encode_base64`],
//! [`encode_initial_response`], [`decode_client_line`] and [`decode_challenge`]
//! for the base64 lines.
//!
//! ## Failure of an OAuth mechanism
//!
//! When the application rejects an `XOAUTH2` or `OAUTHBEARER` token, the server
//! does not answer with the failure at once: it sends an error challenge (base64
//! JSON, RFC 7628 §3.2.2), the client answers with a dummy response (empty for
//! `XOAUTH2`, a single `%x01` for `OAUTHBEARER`, which [`SaslClient::step`]
//! produces), and only then the server sends the final failure. A
//! [`SaslServer`] that is fed that dummy response after [`ServerStep::Done`]
//! answers [`Error::Sasl`], which is the protocol's cue to send the failure.
//!
//! ```
//! use mailwire::wire::sasl::{Credentials, Mechanism, SaslClient, SaslServer, ServerStep};
//!
//! let mut client = SaslClient::new(Credentials::Plain {
//!     authzid: None,
//!     username: "tim",
//!     password: "tanstaaftanstaaf".into(),
//! });
//! let initial = client.initial_response().unwrap();
//! assert_eq!(initial, b"\0tim\0tanstaaftanstaaf");
//!
//! let mut server = SaslServer::new(Mechanism::Plain);
//! match server.start(Some(&initial)).unwrap() {
//!     ServerStep::Done(auth) => assert!(format!("{auth:?}").contains("tim")),
//!     ServerStep::Challenge(_) => unreachable!(),
//!     _ => unreachable!(),
//! }
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, general_purpose};

use crate::Error;
use crate::text::Secret;

#[cfg(feature = "sasl-hash")]
mod cram;
#[cfg(feature = "sasl-hash")]
pub(crate) mod hash;
#[cfg(feature = "sasl-hash")]
mod scram;

#[cfg(feature = "sasl-hash")]
pub use cram::{CramMd5Response, cram_md5_challenge};
#[cfg(feature = "sasl-hash")]
pub use scram::{
    ChannelBinding, ChannelBindingType, SCRAM_MAX_ITERATIONS, ScramCredentials, ScramServer,
    ScramServerStep, ScramStoredKey,
};

/// Strict base64 for client lines: canonical padding, no trailing bits.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Tolerant base64 for server challenges: padding optional.
const TOLERANT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    general_purpose::PAD.with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The longest `trace` an ANONYMOUS client may send, in characters (RFC 4505 §3).
pub const ANONYMOUS_TRACE_MAX: usize = 255;

/// A SASL mechanism this crate implements.
///
/// ```
/// use mailwire::wire::sasl::Mechanism;
///
/// assert_eq!(Mechanism::from_name(b"plain"), Some(Mechanism::Plain)); // names ignore case
/// assert_eq!(Mechanism::Login.name(), "LOGIN");
/// assert_eq!(Mechanism::from_name(b"GSSAPI"), None);
/// // PLAIN and LOGIN send the password itself: servers refuse them before TLS
/// assert!(Mechanism::Plain.needs_tls() && !Mechanism::External.needs_tls());
/// # #[cfg(feature = "sasl-hash")]
/// assert!(!Mechanism::from_name(b"SCRAM-SHA-256").unwrap().needs_tls());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): authzid, authcid and password in one response.
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): username and password, each
    /// after a server challenge.
    Login,
    /// `XOAUTH2` (Google): a user name and an OAuth 2.0 bearer token.
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token with a GS2 header.
    OAuthBearer,
    /// `EXTERNAL` (RFC 4422 Appendix A): identity from outside SASL (a TLS
    /// client certificate), with an optional authzid.
    External,
    /// `ANONYMOUS` (RFC 4505): no identity, an optional trace.
    Anonymous,
    /// `CRAM-MD5` (RFC 2195): HMAC-MD5 of the server's challenge.
    #[cfg(feature = "sasl-hash")]
    CramMd5,
    /// `SCRAM-SHA-1` (RFC 5802).
    #[cfg(feature = "sasl-hash")]
    ScramSha1,
    /// `SCRAM-SHA-1-PLUS` (RFC 5802), with channel binding.
    #[cfg(feature = "sasl-hash")]
    ScramSha1Plus,
    /// `SCRAM-SHA-256` (RFC 7677).
    #[cfg(feature = "sasl-hash")]
    ScramSha256,
    /// `SCRAM-SHA-256-PLUS` (RFC 7677), with channel binding.
    #[cfg(feature = "sasl-hash")]
    ScramSha256Plus,
}

impl Mechanism {
    /// Whether the mechanism sends a reusable secret that anyone on the wire
    /// can read, so a server refuses it and does not advertise it before TLS
    /// when its configuration's `plaintext_requires_tls` is set: PLAIN and
    /// LOGIN (the "plaintext password mechanisms" of RFC 4954 §4 and RFC 2595
    /// §2.1), XOAUTH2 and OAUTHBEARER (a bearer token: RFC 7628 says TLS MUST
    /// be used for OAUTHBEARER).
    ///
    /// ```
    /// use mailwire::wire::sasl::Mechanism;
    /// assert!(Mechanism::Plain.needs_tls() && Mechanism::OAuthBearer.needs_tls());
    /// assert!(!Mechanism::External.needs_tls() && !Mechanism::Anonymous.needs_tls());
    /// ```
    pub fn needs_tls(self) -> bool {
        matches!(
            self,
            Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 | Mechanism::OAuthBearer
        )
    }

    /// Every mechanism that needs no digest (always built), in a stable
    /// order; [`HASHED`](Self::HASHED) lists the others.
    pub const ALL: [Mechanism; 6] = [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
        Mechanism::OAuthBearer,
        Mechanism::External,
        Mechanism::Anonymous,
    ];

    /// The mechanisms of the `sasl-hash` feature, in a stable order.
    #[cfg(feature = "sasl-hash")]
    pub const HASHED: [Mechanism; 5] = [
        Mechanism::CramMd5,
        Mechanism::ScramSha1,
        Mechanism::ScramSha1Plus,
        Mechanism::ScramSha256,
        Mechanism::ScramSha256Plus,
    ];

    /// The registered name, as sent in `AUTH` / `AUTHENTICATE`.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "sasl-hash")]
            Mechanism::CramMd5 => "CRAM-MD5",
            #[cfg(feature = "sasl-hash")]
            Mechanism::ScramSha1 => "SCRAM-SHA-1",
            #[cfg(feature = "sasl-hash")]
            Mechanism::ScramSha1Plus => "SCRAM-SHA-1-PLUS",
            #[cfg(feature = "sasl-hash")]
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            #[cfg(feature = "sasl-hash")]
            Mechanism::ScramSha256Plus => "SCRAM-SHA-256-PLUS",
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::External => "EXTERNAL",
            Mechanism::Anonymous => "ANONYMOUS",
        }
    }

    /// The mechanism with this name, compared case-insensitively (RFC 4422 §3.1).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        #[cfg(feature = "sasl-hash")]
        let all = Self::ALL.into_iter().chain(Self::HASHED);
        #[cfg(not(feature = "sasl-hash"))]
        let all = Self::ALL.into_iter();
        all.into_iter()
            .find(|m| m.name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// Whether the client speaks first, so it can send an initial response
    /// (every mechanism here but `LOGIN` and `CRAM-MD5`).
    pub fn has_initial_response(self) -> bool {
        match self {
            Mechanism::Login => false,
            #[cfg(feature = "sasl-hash")]
            Mechanism::CramMd5 => false,
            _ => true,
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a client authenticates with; the variant chooses the mechanism.
///
/// Passwords and tokens are [`Secret`]s, so `Debug` never shows them.
///
/// ```
/// use mailwire::wire::sasl::{Credentials, Mechanism};
///
/// let c = Credentials::Login { username: "tim", password: "tanstaaf".into() };
/// assert_eq!(c.mechanism(), Mechanism::Login);
/// assert!(!format!("{c:?}").contains("tanstaaf"));
/// // a NUL would split the PLAIN message (RFC 4616 §2): refused before sending
/// let bad = Credentials::Plain { authzid: None, username: "ti\0m", password: "x".into() };
/// assert!(bad.validate().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Credentials<'a> {
    /// `PLAIN` (RFC 4616).
    Plain {
        /// Identity to act as, if not the authcid's own.
        authzid: Option<&'a str>,
        /// The authentication identity (authcid).
        username: &'a str,
        /// The password.
        password: Secret<'a>,
    },
    /// `LOGIN`.
    Login {
        /// The user name, sent after the `Username:` challenge.
        username: &'a str,
        /// The password, sent after the `Password:` challenge.
        password: Secret<'a>,
    },
    /// `XOAUTH2`.
    XOAuth2 {
        /// The user (mail address) the token belongs to.
        username: &'a str,
        /// The OAuth 2.0 access token.
        token: Secret<'a>,
    },
    /// `OAUTHBEARER` (RFC 7628).
    OAuthBearer {
        /// The user the token belongs to (GS2 `a=`).
        authzid: Option<&'a str>,
        /// The server's host name (`host=`), as the client knows it.
        host: Option<&'a str>,
        /// The server's port (`port=`).
        port: Option<u16>,
        /// The OAuth 2.0 bearer token.
        token: Secret<'a>,
    },
    /// `EXTERNAL` (RFC 4422 Appendix A).
    External {
        /// Identity to act as; `None` derives it from the external credentials.
        authzid: Option<&'a str>,
    },
    /// `ANONYMOUS` (RFC 4505).
    Anonymous {
        /// Trace information (a mail address or an opaque string).
        trace: Option<&'a str>,
    },
    /// `CRAM-MD5` (RFC 2195).
    #[cfg(feature = "sasl-hash")]
    CramMd5 {
        /// The user name.
        username: &'a str,
        /// The shared secret.
        password: Secret<'a>,
    },
    /// `SCRAM-*` (RFC 5802, RFC 7677): the mechanism is in the credentials.
    #[cfg(feature = "sasl-hash")]
    Scram(ScramCredentials<'a>),
}

impl Credentials<'_> {
    /// The mechanism these credentials are for.
    pub fn mechanism(&self) -> Mechanism {
        match self {
            Credentials::Plain { .. } => Mechanism::Plain,
            Credentials::Login { .. } => Mechanism::Login,
            Credentials::XOAuth2 { .. } => Mechanism::XOAuth2,
            Credentials::OAuthBearer { .. } => Mechanism::OAuthBearer,
            Credentials::External { .. } => Mechanism::External,
            Credentials::Anonymous { .. } => Mechanism::Anonymous,
            #[cfg(feature = "sasl-hash")]
            Credentials::CramMd5 { .. } => Mechanism::CramMd5,
            #[cfg(feature = "sasl-hash")]
            Credentials::Scram(c) => c.mechanism,
        }
    }

    /// Checks that the credentials can be put in the mechanism's messages
    /// unchanged: `Error::Emit` otherwise.
    pub fn validate(&self) -> Result<(), Error> {
        let no = |bytes: &[u8], byte: u8, what: Error| {
            if memchr::memchr(byte, bytes).is_some() {
                Err(what)
            } else {
                Ok(())
            }
        };
        match self {
            Credentials::Plain {
                authzid,
                username,
                password,
            } => {
                // authcid = 1*SAFE ; passwd = 1*SAFE ; SAFE excludes NUL
                if username.is_empty() || password.expose().is_empty() {
                    return Err(Error::Emit(crate::error::Unemittable::Credential {
                        field: "PLAIN username or password",
                    }));
                }
                no(
                    username.as_bytes(),
                    0,
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "PLAIN username",
                    }),
                )?;
                no(
                    password.expose(),
                    0,
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "PLAIN password",
                    }),
                )?;
                no(
                    authzid.unwrap_or_default().as_bytes(),
                    0,
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "PLAIN authzid",
                    }),
                )
            }
            Credentials::Login { .. } => Ok(()),
            Credentials::XOAuth2 { username, token } => {
                if username.is_empty() {
                    return Err(Error::Emit(crate::error::Unemittable::Credential {
                        field: "XOAUTH2 user",
                    }));
                }
                no(
                    username.as_bytes(),
                    1,
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "XOAUTH2 user",
                    }),
                )?;
                bearer_token_ok(
                    token.expose(),
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "XOAUTH2 token",
                    }),
                )
            }
            Credentials::OAuthBearer {
                authzid,
                host,
                token,
                ..
            } => {
                bearer_token_ok(
                    token.expose(),
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "OAUTHBEARER token",
                    }),
                )?;
                // value = *(VCHAR / SP / HTAB / CR / LF); a host name is VCHARs
                if !host
                    .unwrap_or_default()
                    .bytes()
                    .all(|b| b.is_ascii_graphic())
                {
                    return Err(Error::Emit(crate::error::Unemittable::Credential {
                        field: "OAUTHBEARER host",
                    }));
                }
                // saslname = 1*(UTF8-char-safe / "=2C" / "=3D"); NUL is not safe
                match authzid {
                    Some("") => Err(Error::Emit(crate::error::Unemittable::Credential {
                        field: "OAUTHBEARER authzid",
                    })),
                    Some(a) => no(
                        a.as_bytes(),
                        0,
                        Error::Emit(crate::error::Unemittable::Credential {
                            field: "OAUTHBEARER authzid",
                        }),
                    ),
                    None => Ok(()),
                }
            }
            Credentials::External { authzid } => no(
                authzid.unwrap_or_default().as_bytes(),
                0,
                Error::Emit(crate::error::Unemittable::Credential {
                    field: "EXTERNAL authzid",
                }),
            ),
            Credentials::Anonymous { trace } => {
                let trace = trace.unwrap_or_default();
                if trace.chars().count() > ANONYMOUS_TRACE_MAX {
                    return Err(Error::Emit(crate::error::Unemittable::TraceTooLong));
                }
                no(
                    trace.as_bytes(),
                    0,
                    Error::Emit(crate::error::Unemittable::Credential {
                        field: "ANONYMOUS trace",
                    }),
                )
            }
            // response = user SP digest: the user name ends at the digest's space
            #[cfg(feature = "sasl-hash")]
            Credentials::CramMd5 { username, .. } => {
                if username.is_empty() || username.contains('\0') {
                    return Err(Error::Emit(crate::error::Unemittable::Credential {
                        field: "CRAM-MD5 user name",
                    }));
                }
                Ok(())
            }
            #[cfg(feature = "sasl-hash")]
            Credentials::Scram(c) => c.validate(),
        }
    }
}

/// A bearer token the client can send: `1*VCHAR` (RFC 6750 §2.1's b64token is
/// stricter; tokens in the wild stay within VCHAR).
fn bearer_token_ok(token: &[u8], what: Error) -> Result<(), Error> {
    if !token.is_empty() && token.iter().all(u8::is_ascii_graphic) {
        Ok(())
    } else {
        Err(what)
    }
}

/// The client side of one SASL exchange.
///
/// `Debug` shows the mechanism and progress, never the password or token.
///
/// ```
/// use mailwire::wire::sasl::{Credentials, SaslClient};
///
/// // LOGIN: the server prompts, the client answers each prompt
/// let mut login = SaslClient::try_new(Credentials::Login { username: "tim", password: "tanstaaf".into() })?;
/// assert_eq!(login.initial_response(), None);
/// assert_eq!(login.step(b"Username:")?, b"tim");
/// assert_eq!(login.step(b"Password:")?, b"tanstaaf");
/// assert!(login.is_complete());
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone)]
pub struct SaslClient<'a> {
    credentials: Credentials<'a>,
    progress: ClientProgress,
}

/// How far a client got in its exchange, kept apart from the credentials so
/// that a machine holding owned credentials (the session's client pump) runs
/// the same steps as [`SaslClient`].
#[derive(Clone, Debug)]
pub(crate) struct ClientProgress {
    /// Responses produced so far.
    steps: u8,
    /// A sticky error (invalid credentials, unexpected challenge).
    error: Option<Error>,
    /// SCRAM: the ServerSignature the server-final-message must carry.
    #[cfg(feature = "sasl-hash")]
    server_signature: Option<Vec<u8>>,
}

impl fmt::Debug for SaslClient<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaslClient")
            .field("mechanism", &self.mechanism())
            .field("steps", &self.progress.steps)
            .field("error", &self.progress.error)
            .finish_non_exhaustive()
    }
}

impl<'a> SaslClient<'a> {
    /// A client for the mechanism of `credentials`.
    ///
    /// Credentials that cannot be sent unchanged (see [`Credentials::validate`])
    /// make [`initial_response`](Self::initial_response) answer `None` and every
    /// [`step`](Self::step) answer `Error::Emit`; [`try_new`](Self::try_new)
    /// reports that at once.
    pub fn new(credentials: Credentials<'a>) -> Self {
        let progress = ClientProgress::new(&credentials);
        SaslClient {
            credentials,
            progress,
        }
    }

    /// A client, or `Error::Emit` when the credentials cannot be sent unchanged.
    pub fn try_new(credentials: Credentials<'a>) -> Result<Self, Error> {
        credentials.validate()?;
        Ok(Self::new(credentials))
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> Mechanism {
        self.credentials.mechanism()
    }

    /// Whether the client has sent everything it will send (a later challenge
    /// is an error).
    pub fn is_complete(&self) -> bool {
        self.progress.is_complete(&self.credentials)
    }

    /// The raw (not base64) initial response, `None` for `LOGIN` (or when the
    /// first step was already taken, or the credentials are invalid). Calling it
    /// counts as the first step.
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        self.progress.initial_response(&self.credentials)
    }

    /// Given a raw (already base64-decoded) server challenge, the raw response.
    ///
    /// A client-first mechanism that did not send an initial response expects an
    /// empty challenge first (RFC 4422 §5) and answers with its message. `LOGIN`
    /// answers the first challenge with the user name and the second with the
    /// password, whatever their text (servers word them differently). `XOAUTH2`
    /// and `OAUTHBEARER` answer an error challenge with the dummy response the
    /// server waits for before it fails the exchange. `CRAM-MD5` answers its
    /// one challenge. `SCRAM-*` answers the server-first-message with the
    /// client-final-message, then checks the server-final-message (`v=`) and
    /// answers it with an empty response (what SMTP and IMAP send after the
    /// last challenge); [`Error::Sasl`] if the server's signature is wrong, in
    /// which case the protocol must cancel (`*`) rather than answer. Anything
    /// else is [`Error::Sasl`], and the error sticks.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, Error> {
        self.progress.step(&self.credentials, challenge)
    }
}

impl ClientProgress {
    /// A new exchange for `credentials` (failed at once when they are invalid).
    pub(crate) fn new(credentials: &Credentials<'_>) -> Self {
        ClientProgress {
            steps: 0,
            error: credentials.validate().err(),
            #[cfg(feature = "sasl-hash")]
            server_signature: None,
        }
    }

    /// See [`SaslClient::is_complete`].
    pub(crate) fn is_complete(&self, credentials: &Credentials<'_>) -> bool {
        self.error.is_some()
            || match credentials.mechanism() {
                Mechanism::Login => self.steps >= 2,
                Mechanism::XOAuth2 | Mechanism::OAuthBearer => self.steps >= 2,
                #[cfg(feature = "sasl-hash")]
                Mechanism::ScramSha1
                | Mechanism::ScramSha1Plus
                | Mechanism::ScramSha256
                | Mechanism::ScramSha256Plus => self.steps >= 3,
                _ => self.steps >= 1,
            }
    }

    /// Whether the server proved that it knows the user's key (SCRAM's
    /// server-final-message was checked); `true` for the other mechanisms,
    /// which have no such proof.
    pub(crate) fn server_verified(&self, credentials: &Credentials<'_>) -> bool {
        #[cfg(feature = "sasl-hash")]
        if let Credentials::Scram(_) = credentials {
            return self.error.is_none() && self.steps >= 3;
        }
        let _ = credentials;
        true
    }

    /// See [`SaslClient::initial_response`].
    pub(crate) fn initial_response(&mut self, credentials: &Credentials<'_>) -> Option<Vec<u8>> {
        if self.error.is_some()
            || self.steps != 0
            || !credentials.mechanism().has_initial_response()
        {
            return None;
        }
        self.steps = 1;
        Some(first_message(credentials))
    }

    /// See [`SaslClient::step`].
    pub(crate) fn step(
        &mut self,
        credentials: &Credentials<'_>,
        challenge: &[u8],
    ) -> Result<Vec<u8>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let response = match (credentials, self.steps) {
            #[cfg(feature = "sasl-hash")]
            (Credentials::CramMd5 { username, password }, 0) => Ok(cram::client_response(
                username,
                password.expose(),
                challenge,
            )),
            #[cfg(feature = "sasl-hash")]
            (Credentials::CramMd5 { .. }, _) => {
                Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge))
            }
            #[cfg(feature = "sasl-hash")]
            (Credentials::Scram(c), 1) => c.client_final(challenge).map(|(m, sig)| {
                self.server_signature = Some(sig);
                m
            }),
            #[cfg(feature = "sasl-hash")]
            (Credentials::Scram(_), 2) => match &self.server_signature {
                Some(sig) => scram::verify_server_final(challenge, sig).map(|()| Vec::new()),
                None => Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge)),
            },
            #[cfg(feature = "sasl-hash")]
            (Credentials::Scram(_), n) if n > 2 => {
                Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge))
            }
            (Credentials::Login { username, .. }, 0) => Ok(username.as_bytes().to_vec()),
            (Credentials::Login { password, .. }, 1) => Ok(password.expose().to_vec()),
            (Credentials::Login { .. }, _) => {
                Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge))
            }
            (_, 0) if challenge.is_empty() => Ok(first_message(credentials)),
            (_, 0) => Err(Error::Sasl(
                crate::error::SaslError::NonEmptyInitialChallenge,
            )),
            // RFC 7628 §3.2.3: the client answers an error challenge with %x01.
            (Credentials::OAuthBearer { .. }, 1) => Ok(alloc::vec![1]),
            // XOAUTH2: the client answers the JSON error with an empty response.
            (Credentials::XOAuth2 { .. }, 1) => Ok(Vec::new()),
            _ => Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge)),
        };
        match response {
            Ok(r) => {
                self.steps = self.steps.saturating_add(1);
                Ok(r)
            }
            Err(e) => {
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }
}

/// The client's first message of a client-first mechanism.
fn first_message(credentials: &Credentials<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    match credentials {
        // message = [authzid] UTF8NUL authcid UTF8NUL passwd
        Credentials::Plain {
            authzid,
            username,
            password,
        } => {
            out.extend_from_slice(authzid.unwrap_or_default().as_bytes());
            out.push(0);
            out.extend_from_slice(username.as_bytes());
            out.push(0);
            out.extend_from_slice(password.expose());
        }
        Credentials::Login { .. } => {}
        // "user=" user "^Aauth=Bearer " token "^A^A"
        Credentials::XOAuth2 { username, token } => {
            out.extend_from_slice(b"user=");
            out.extend_from_slice(username.as_bytes());
            out.extend_from_slice(b"\x01auth=Bearer ");
            out.extend_from_slice(token.expose());
            out.extend_from_slice(b"\x01\x01");
        }
        // client-resp = (gs2-header kvsep *kvpair kvsep)
        // gs2-header  = gs2-cbind-flag "," [ authzid ] ","
        Credentials::OAuthBearer {
            authzid,
            host,
            port,
            token,
        } => {
            out.extend_from_slice(b"n,");
            if let Some(a) = authzid {
                out.extend_from_slice(b"a=");
                for &b in a.as_bytes() {
                    match b {
                        b',' => out.extend_from_slice(b"=2C"),
                        b'=' => out.extend_from_slice(b"=3D"),
                        b => out.push(b),
                    }
                }
            }
            out.push(b',');
            out.push(1);
            if let Some(h) = host {
                out.extend_from_slice(b"host=");
                out.extend_from_slice(h.as_bytes());
                out.push(1);
            }
            if let Some(p) = port {
                use core::fmt::Write as _;
                let mut s = String::new();
                let _ = write!(s, "port={p}\x01");
                out.extend_from_slice(s.as_bytes());
            }
            out.extend_from_slice(b"auth=Bearer ");
            out.extend_from_slice(token.expose());
            out.extend_from_slice(b"\x01\x01");
        }
        Credentials::External { authzid } => {
            out.extend_from_slice(authzid.unwrap_or_default().as_bytes())
        }
        Credentials::Anonymous { trace } => {
            out.extend_from_slice(trace.unwrap_or_default().as_bytes())
        }
        #[cfg(feature = "sasl-hash")]
        Credentials::CramMd5 { .. } => {}
        #[cfg(feature = "sasl-hash")]
        Credentials::Scram(c) => out = c.client_first(),
    }
    out
}

/// What a server extracted from a completed exchange. The application checks it.
///
/// ```
/// # #[cfg(feature = "smtp")] {
/// use mailwire::smtp::{Server, ServerConfig, ServerEvent};
/// use mailwire::wire::sasl::{Authentication, Mechanism};
///
/// let config = ServerConfig::new("mx.example").tls_active(true).auth_mechanisms(vec![Mechanism::Login]);
/// let mut server = Server::new(config);
/// // LOGIN (draft-murchison-sasl-login): user name and password after the prompts
/// server.handle_input(b"EHLO c.example\r\nAUTH LOGIN\r\ndGlt\r\ndGFuc3RhYWY=\r\n");
/// let auth = loop {
///     match server.poll_event().unwrap() {
///         Some(ServerEvent::Auth(auth)) => break auth,
///         Some(_) => {} // Hello
///         None => panic!("no AUTH"),
///     }
/// };
/// match auth {
///     // LOGIN arrives as Plain, the same fields to check
///     Authentication::Plain { authcid, password, .. } => {
///         assert_eq!((&*authcid, password.expose()), ("tim", &b"tanstaaf"[..]));
///     }
///     other => panic!("{other:?}"),
/// }
/// server.accept().unwrap(); // 235 2.7.0
/// assert!(server.is_authenticated());
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Authentication<'a> {
    /// `PLAIN`, or `LOGIN` (with `authzid` `None`).
    Plain {
        /// Identity to act as, when the client asked for one.
        authzid: Option<Cow<'a, str>>,
        /// The authentication identity (user name).
        authcid: Cow<'a, str>,
        /// The password (valid UTF-8, not empty).
        password: Secret<'a>,
    },
    /// `EXTERNAL`.
    External {
        /// Identity to act as; `None` to derive it from the external credentials.
        authzid: Option<Cow<'a, str>>,
    },
    /// `ANONYMOUS`.
    Anonymous {
        /// The trace the client sent, if any.
        trace: Option<Cow<'a, str>>,
    },
    /// `XOAUTH2`.
    XOAuth2 {
        /// The `user=` value.
        username: Cow<'a, str>,
        /// The bearer token.
        token: Secret<'a>,
    },
    /// `OAUTHBEARER`.
    OAuthBearer {
        /// The GS2 `a=` identity, unescaped.
        authzid: Option<Cow<'a, str>>,
        /// The `host=` value.
        host: Option<Cow<'a, str>>,
        /// The `port=` value.
        port: Option<u16>,
        /// The bearer token.
        token: Secret<'a>,
    },
    /// `CRAM-MD5`: the application looks up the user's shared secret and
    /// calls [`CramMd5Response::verify`].
    #[cfg(feature = "sasl-hash")]
    CramMd5(CramMd5Response<'a>),
    /// The server machine checked the client's proof against the secret the
    /// application gave in answer to a [`SaslLookup`] (`CRAM-MD5`,
    /// `SCRAM-*`): the user is authenticated; the application only decides
    /// whether it may act as `authzid`.
    Verified {
        /// The mechanism that was run.
        mechanism: Mechanism,
        /// The authenticated user.
        authcid: Cow<'a, str>,
        /// The identity to act as, when the client asked for one.
        authzid: Option<Cow<'a, str>>,
    },
}

crate::owned::owned_copy!(SaslLookup);

// Hand-written (below): `CramMd5` exists only with the `sasl-hash` feature,
// and `into_owned!` cannot write a match arm under a `cfg`.
impl crate::owned::IntoOwned for Authentication<'_> {
    type Owned = Authentication<'static>;
    fn into_owned(self) -> Authentication<'static> {
        Authentication::into_owned(self)
    }
}

fn own(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

impl Authentication<'_> {
    /// A copy that owns its data.
    pub fn into_owned(self) -> Authentication<'static> {
        match self {
            Authentication::Plain {
                authzid,
                authcid,
                password,
            } => Authentication::Plain {
                authzid: authzid.map(own),
                authcid: own(authcid),
                password: password.into_owned(),
            },
            Authentication::External { authzid } => Authentication::External {
                authzid: authzid.map(own),
            },
            Authentication::Anonymous { trace } => Authentication::Anonymous {
                trace: trace.map(own),
            },
            Authentication::XOAuth2 { username, token } => Authentication::XOAuth2 {
                username: own(username),
                token: token.into_owned(),
            },
            Authentication::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => Authentication::OAuthBearer {
                authzid: authzid.map(own),
                host: host.map(own),
                port,
                token: token.into_owned(),
            },
            #[cfg(feature = "sasl-hash")]
            Authentication::CramMd5(r) => Authentication::CramMd5(r.into_owned()),
            Authentication::Verified {
                mechanism,
                authcid,
                authzid,
            } => Authentication::Verified {
                mechanism,
                authcid: own(authcid),
                authzid: authzid.map(own),
            },
        }
    }
}

/// What a server machine needs from the application in the middle of a
/// SASL exchange, asked for with the servers' `AuthLookup` event (SMTP, POP3
/// and IMAP alike) and answered with their `auth_lookup` method.
///
/// The machines draw no random numbers and know no secrets: `CRAM-MD5` asks
/// for its challenge (the application's random digits and time) and then for
/// the user's shared secret; `SCRAM-*` asks, once the client named its user,
/// for the user's [`ScramStoredKey`] and a fresh server nonce. The machine
/// then checks the client's proof itself; a right one reaches the
/// application as [`Authentication::Verified`] in the servers' usual
/// authentication event (answered as for `PLAIN`), a wrong one is answered
/// with the protocol's failure (`535 5.7.8`, `-ERR [AUTH]`,
/// `NO [AUTHENTICATIONFAILED]`) and the session goes on.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum SaslLookup {
    /// A `CRAM-MD5` exchange starts: answer [`SaslAnswer::Challenge`] with
    /// [`cram_md5_challenge`]`(random, timestamp, host)` (RFC 2195 §2).
    #[cfg(feature = "sasl-hash")]
    CramMd5Challenge,
    /// The client named its user: answer with the secret the mechanism
    /// needs ([`SaslAnswer::Password`] for `CRAM-MD5`, [`SaslAnswer::Scram`]
    /// for `SCRAM-*`), or [`SaslAnswer::NoSuchUser`].
    Secret {
        /// The mechanism of the exchange.
        mechanism: Mechanism,
        /// The authentication identity the client gave.
        username: String,
        /// The identity to act as, when the client asked for one (SCRAM).
        authzid: Option<String>,
    },
}

/// The application's answer to a [`SaslLookup`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SaslAnswer {
    /// The `CRAM-MD5` challenge (see [`cram_md5_challenge`]).
    #[cfg(feature = "sasl-hash")]
    Challenge(Vec<u8>),
    /// The user's shared secret (`CRAM-MD5`).
    Password(Secret<'static>),
    /// The user's SCRAM key, with a fresh server nonce (printable ASCII
    /// without `,`, from a good random source) and, for a `-PLUS`
    /// mechanism (or to refuse a downgrade to the plain one), this
    /// connection's channel-binding data (see [`ScramServer::with_channel_binding`]).
    #[cfg(feature = "sasl-hash")]
    Scram {
        /// The stored key.
        key: ScramStoredKey,
        /// The server nonce.
        server_nonce: String,
        /// This connection's channel-binding data.
        channel_binding: Option<ChannelBinding<'static>>,
    },
    /// No such user: the exchange fails as for a wrong password. (A SCRAM
    /// server that must not tell unknown users apart answers with a decoy
    /// key instead, see [`ScramServerStep::Lookup`].)
    NoSuchUser,
}

/// What a [`SaslServer`] wants next.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ServerStep {
    /// Send this raw challenge (the protocol base64s it) and feed the client's
    /// answer to [`SaslServer::step`].
    Challenge(Vec<u8>),
    /// The exchange is complete: the application checks these credentials and
    /// the protocol answers success or failure.
    Done(Authentication<'static>),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum ServerState {
    New,
    /// Sent an empty challenge to a client-first mechanism.
    AwaitInitial,
    /// LOGIN: sent `Username:`.
    AwaitUsername,
    /// LOGIN: sent `Password:`.
    AwaitPassword(String),
    /// CRAM-MD5: the challenge, not sent yet.
    #[cfg(feature = "sasl-hash")]
    CramMd5Ready(Vec<u8>),
    /// CRAM-MD5: sent this challenge.
    #[cfg(feature = "sasl-hash")]
    AwaitCramMd5(Vec<u8>),
    Done,
    Failed(Error),
}

/// The server side of one SASL exchange: it extracts the client's credentials
/// and checks their syntax; the application checks whether they are right.
#[derive(Clone, Debug)]
pub struct SaslServer {
    mechanism: Mechanism,
    state: ServerState,
}

impl SaslServer {
    /// A server for `mechanism`.
    pub fn new(mechanism: Mechanism) -> Self {
        SaslServer {
            mechanism,
            state: ServerState::New,
        }
    }

    /// A `CRAM-MD5` server whose challenge is `<random.timestamp@host>`
    /// (RFC 2195 §2): `random` from the application's random source,
    /// `timestamp` from its clock, `host` the server's name. `Error::Emit`
    /// for a host that cannot go in the challenge.
    #[cfg(feature = "sasl-hash")]
    pub fn cram_md5(random: u64, timestamp: u64, host: &str) -> Result<Self, Error> {
        Ok(SaslServer {
            mechanism: Mechanism::CramMd5,
            state: ServerState::CramMd5Ready(cram_md5_challenge(random, timestamp, host)?),
        })
    }

    /// A `CRAM-MD5` server with the application's whole challenge.
    #[cfg(feature = "sasl-hash")]
    pub(crate) fn set_cram_md5_challenge(&mut self, challenge: Vec<u8>) {
        self.mechanism = Mechanism::CramMd5;
        self.state = ServerState::CramMd5Ready(challenge);
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Start, with the client's raw initial response if it sent one
    /// (`Some(b"")` for the `=` empty response).
    ///
    /// A `LOGIN` client that sends an initial response (`AUTH LOGIN <user>`,
    /// which many clients do) has sent its user name.
    pub fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, Error> {
        #[cfg(feature = "sasl-hash")]
        if let ServerState::CramMd5Ready(challenge) = &self.state {
            let step = match initial {
                Some(_) => Err(Error::Sasl(
                    crate::error::SaslError::UnexpectedInitialResponse,
                )),
                None => {
                    let challenge = challenge.clone();
                    self.state = ServerState::AwaitCramMd5(challenge.clone());
                    Ok(ServerStep::Challenge(challenge))
                }
            };
            return self.settle(step);
        }
        if self.state != ServerState::New {
            return Err(Error::Misuse(crate::error::ApiMisuse::SaslAlreadyStarted));
        }
        let step = match (self.mechanism, initial) {
            #[cfg(feature = "sasl-hash")]
            (Mechanism::CramMd5, _) => Err(Error::Misuse(
                crate::error::ApiMisuse::CramMd5NeedsChallenge,
            )),
            (Mechanism::Login, None) => {
                self.state = ServerState::AwaitUsername;
                Ok(ServerStep::Challenge(b"Username:".to_vec()))
            }
            (Mechanism::Login, Some(user)) => self.login_username(user),
            (_, None) => {
                self.state = ServerState::AwaitInitial;
                Ok(ServerStep::Challenge(Vec::new()))
            }
            (m, Some(message)) => parse_message(m, message).map(ServerStep::Done),
        };
        self.settle(step)
    }

    /// The client's next raw (decoded) response.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, Error> {
        let step = match core::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::New => {
                self.state = ServerState::New;
                return Err(Error::Misuse(crate::error::ApiMisuse::SaslNotStarted));
            }
            ServerState::AwaitInitial => {
                parse_message(self.mechanism, response).map(ServerStep::Done)
            }
            ServerState::AwaitUsername => self.login_username(response),
            ServerState::AwaitPassword(authcid) => login_field(
                response,
                Error::Sasl(crate::error::SaslError::LoginMalformed),
            )
            .map(|password| {
                ServerStep::Done(Authentication::Plain {
                    authzid: None,
                    authcid: Cow::Owned(authcid),
                    password: Secret::new(password.as_bytes().to_vec()),
                })
            }),
            #[cfg(feature = "sasl-hash")]
            ServerState::CramMd5Ready(c) => {
                self.state = ServerState::CramMd5Ready(c);
                return Err(Error::Misuse(crate::error::ApiMisuse::SaslNotStarted));
            }
            #[cfg(feature = "sasl-hash")]
            ServerState::AwaitCramMd5(challenge) => CramMd5Response::parse(response, challenge)
                .map(|r| ServerStep::Done(Authentication::CramMd5(r.into_owned()))),
            ServerState::Done => Err(Error::Sasl(
                crate::error::SaslError::ResponseAfterCompletion,
            )),
            ServerState::Failed(e) => Err(e),
        };
        self.settle(step)
    }

    fn login_username(&mut self, user: &[u8]) -> Result<ServerStep, Error> {
        let user = login_field(user, Error::Sasl(crate::error::SaslError::LoginMalformed))?;
        self.state = ServerState::AwaitPassword(String::from(user));
        Ok(ServerStep::Challenge(b"Password:".to_vec()))
    }

    /// Records the state after a step: done, failed (sticky), or as set.
    fn settle(&mut self, step: Result<ServerStep, Error>) -> Result<ServerStep, Error> {
        match &step {
            Ok(ServerStep::Done(_)) => self.state = ServerState::Done,
            Ok(ServerStep::Challenge(_)) => {}
            Err(e) => self.state = ServerState::Failed(e.clone()),
        }
        step
    }
}

/// A LOGIN user name or password: non-empty UTF-8 without NUL.
fn login_field(bytes: &[u8], what: Error) -> Result<&str, Error> {
    match core::str::from_utf8(bytes) {
        Ok(s) if !s.is_empty() && !s.contains('\0') => Ok(s),
        _ => Err(what),
    }
}

/// Parses a client-first mechanism's message into owned credentials.
fn parse_message(mechanism: Mechanism, message: &[u8]) -> Result<Authentication<'static>, Error> {
    let auth = match mechanism {
        Mechanism::Plain => parse_plain(message)?,
        Mechanism::XOAuth2 => parse_xoauth2(message)?,
        Mechanism::OAuthBearer => parse_oauthbearer(message)?,
        Mechanism::External => Authentication::External {
            authzid: optional_utf8(message, Error::Sasl(crate::error::SaslError::NameMalformed))?,
        },
        Mechanism::Anonymous => {
            let trace = optional_utf8(
                message,
                Error::Sasl(crate::error::SaslError::TraceMalformed),
            )?;
            if trace
                .as_deref()
                .is_some_and(|t| t.chars().count() > ANONYMOUS_TRACE_MAX)
            {
                return Err(Error::Sasl(crate::error::SaslError::TraceMalformed));
            }
            Authentication::Anonymous { trace }
        }
        Mechanism::Login => {
            return Err(Error::Sasl(crate::error::SaslError::NeedsDedicatedServer {
                mechanism: "LOGIN",
            }));
        }
        #[cfg(feature = "sasl-hash")]
        Mechanism::CramMd5 => {
            return Err(Error::Sasl(crate::error::SaslError::NeedsDedicatedServer {
                mechanism: "CRAM-MD5",
            }));
        }
        #[cfg(feature = "sasl-hash")]
        Mechanism::ScramSha1
        | Mechanism::ScramSha1Plus
        | Mechanism::ScramSha256
        | Mechanism::ScramSha256Plus => {
            return Err(Error::Sasl(crate::error::SaslError::NeedsDedicatedServer {
                mechanism: "SCRAM",
            }));
        }
    };
    Ok(auth.into_owned())
}

/// Empty is `None`; otherwise UTF-8 without NUL.
fn optional_utf8<'a>(bytes: &'a [u8], what: Error) -> Result<Option<Cow<'a, str>>, Error> {
    if bytes.is_empty() {
        return Ok(None);
    }
    match core::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\0') => Ok(Some(Cow::Borrowed(s))),
        _ => Err(what),
    }
}

// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
// authcid   = 1*SAFE ; MUST accept up to 255 octets
// authzid   = 1*SAFE ; MUST accept up to 255 octets
// passwd    = 1*SAFE ; MUST accept up to 255 octets
// SAFE      = UTF1 / UTF2 / UTF3 / UTF4 ; any UTF-8 encoded Unicode character except NUL
fn parse_plain(message: &[u8]) -> Result<Authentication<'_>, Error> {
    let mut parts = message.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(authcid), Some(password)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::Sasl(crate::error::SaslError::PlainMalformed));
    };
    if memchr::memchr(0, password).is_some() {
        return Err(Error::Sasl(crate::error::SaslError::PlainMalformed));
    }
    if authcid.is_empty() || password.is_empty() {
        return Err(Error::Sasl(crate::error::SaslError::PlainMalformed));
    }
    let utf8 = |b| {
        core::str::from_utf8(b).map_err(|_| Error::Sasl(crate::error::SaslError::PlainMalformed))
    };
    let authzid = utf8(authzid)?;
    let authcid = utf8(authcid)?;
    utf8(password)?;
    Ok(Authentication::Plain {
        authzid: (!authzid.is_empty()).then_some(Cow::Borrowed(authzid)),
        authcid: Cow::Borrowed(authcid),
        password: Secret::new(password),
    })
}

/// The token of `auth-value = "Bearer" 1*SP b64token` (scheme case-insensitive).
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let scheme = value.get(..6)?;
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return None;
    }
    let rest = value.get(6..)?;
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    let token = rest.get(spaces..)?;
    (spaces > 0 && !token.is_empty()).then_some(token)
}

fn utf8_value(bytes: &[u8], what: Error) -> Result<&str, Error> {
    core::str::from_utf8(bytes).map_err(|_| what)
}

/// One `key=value` pair of an OAuth mechanism's message.
type KeyValue<'a> = (&'a [u8], &'a [u8]);

/// Splits `key=value` pairs, each ended by `%x01`, up to the final empty
/// pair: `*kvpair kvsep`. Returns `Err` when the list is not well formed.
fn key_values(mut rest: &[u8]) -> Result<Vec<KeyValue<'_>>, Error> {
    let mut pairs = Vec::new();
    loop {
        let Some(end) = memchr::memchr(1, rest) else {
            return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
        };
        let (pair, after) = (&rest[..end], &rest[end + 1..]);
        if pair.is_empty() {
            if !after.is_empty() {
                return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
            }
            return Ok(pairs);
        }
        let Some(eq) = memchr::memchr(b'=', pair) else {
            return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
        };
        let (key, value) = (&pair[..eq], &pair[eq + 1..]);
        // key = 1*(ALPHA)
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
        }
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
        }
        pairs.push((key, value));
        rest = after;
    }
}

fn lookup<'a>(pairs: &[KeyValue<'a>], key: &[u8]) -> Option<&'a [u8]> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

// "user=" {User} "^Aauth=Bearer " {Access Token} "^A^A"
fn parse_xoauth2(message: &[u8]) -> Result<Authentication<'_>, Error> {
    let pairs = key_values(message)?;
    let user =
        lookup(&pairs, b"user").ok_or(Error::Sasl(crate::error::SaslError::XOAuth2UserMissing))?;
    let auth =
        lookup(&pairs, b"auth").ok_or(Error::Sasl(crate::error::SaslError::BearerTokenMissing))?;
    if user.is_empty() {
        return Err(Error::Sasl(crate::error::SaslError::XOAuth2UserMissing));
    }
    let token =
        bearer_token(auth).ok_or(Error::Sasl(crate::error::SaslError::BearerTokenMissing))?;
    Ok(Authentication::XOAuth2 {
        username: Cow::Borrowed(utf8_value(
            user,
            Error::Sasl(crate::error::SaslError::XOAuth2UserMissing),
        )?),
        token: Secret::new(token),
    })
}

// client-resp    = (gs2-header kvsep *kvpair kvsep) / kvsep
// gs2-header     = gs2-cbind-flag "," [ authzid ] ","
// gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
// authzid        = "a=" saslname
// saslname       = 1*(UTF8-char-safe / "=2C" / "=3D")
// kvpair         = key "=" value kvsep
// key            = 1*(ALPHA)
// value          = *(VCHAR / SP / HTAB / CR / LF )
// auth-value     = "Bearer" 1*SP b64token ; scheme case-insensitive
fn parse_oauthbearer(message: &[u8]) -> Result<Authentication<'_>, Error> {
    let rest = match message {
        [b'n', b',', rest @ ..] | [b'y', b',', rest @ ..] => rest,
        [b'p', b'=', ..] => {
            return Err(Error::Sasl(
                crate::error::SaslError::ChannelBindingUnsupported,
            ));
        }
        _ => return Err(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed)),
    };
    let comma = memchr::memchr(b',', rest)
        .ok_or(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed))?;
    let (authzid, rest) = (&rest[..comma], &rest[comma + 1..]);
    let authzid = match authzid {
        [] => None,
        [b'a', b'=', name @ ..] => Some(saslname(name)?),
        _ => return Err(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed)),
    };
    let [1, rest @ ..] = rest else {
        return Err(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed));
    };
    let pairs = key_values(rest)?;
    for (_, value) in &pairs {
        if !value
            .iter()
            .all(|&b| matches!(b, 0x21..=0x7e | b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Err(Error::Sasl(crate::error::SaslError::KeyValueMalformed));
        }
    }
    let auth =
        lookup(&pairs, b"auth").ok_or(Error::Sasl(crate::error::SaslError::BearerTokenMissing))?;
    let token =
        bearer_token(auth).ok_or(Error::Sasl(crate::error::SaslError::BearerTokenMissing))?;
    let host = lookup(&pairs, b"host")
        .map(|h| {
            utf8_value(h, Error::Sasl(crate::error::SaslError::KeyValueMalformed))
                .map(Cow::Borrowed)
        })
        .transpose()?;
    let port = lookup(&pairs, b"port")
        .map(|p| {
            // port = 1*DIGIT, at most 65535
            core::str::from_utf8(p)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u16>().ok())
                .ok_or(Error::Sasl(crate::error::SaslError::KeyValueMalformed))
        })
        .transpose()?;
    Ok(Authentication::OAuthBearer {
        authzid,
        host,
        port,
        token: Secret::new(token),
    })
}

// saslname = 1*(UTF8-char-safe / "=2C" / "=3D")
// UTF8-char-safe excludes NUL, "," and "="
fn saslname(name: &[u8]) -> Result<Cow<'_, str>, Error> {
    let name = utf8_value(name, Error::Sasl(crate::error::SaslError::NameMalformed))?;
    if name.is_empty() || name.contains('\0') {
        return Err(Error::Sasl(crate::error::SaslError::NameMalformed));
    }
    if !name.contains('=') {
        return Ok(Cow::Borrowed(name));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let esc = rest.get(i..i + 3);
        match esc {
            Some("=2C") | Some("=2c") => out.push(','),
            Some("=3D") | Some("=3d") => out.push('='),
            _ => return Err(Error::Sasl(crate::error::SaslError::NameMalformed)),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Base64 for the wire, with padding (RFC 4648 §4). An empty payload encodes
/// as nothing: a challenge or continuation response with no data.
pub fn encode_base64(raw: &[u8], out: &mut impl bytes::BufMut) {
    // 48 raw bytes make 64 base64 characters: encode through a stack buffer.
    let mut buf = [0u8; 64];
    for chunk in raw.chunks(48) {
        let n = STANDARD
            .encode_slice(chunk, &mut buf)
            .expect("64 bytes hold the base64 of 48");
        out.put_slice(&buf[..n]);
    }
}

/// Base64 for an initial response: an empty one is `=` (RFC 4954 §4,
/// RFC 4959 §3, RFC 5034 §4), so it is not mistaken for no initial response.
pub fn encode_initial_response(raw: &[u8], out: &mut impl bytes::BufMut) {
    if raw.is_empty() {
        out.put_u8(b'=');
    } else {
        encode_base64(raw, out);
    }
}

/// A client's response line, decoded.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientLine {
    /// `*`: the client cancels the exchange (RFC 4954 §4, RFC 9051 §6.2.2).
    Cancel,
    /// The raw (decoded) response.
    Response(Vec<u8>),
}

impl fmt::Debug for ClientLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientLine::Cancel => f.write_str("Cancel"),
            // A response usually carries a password or token.
            ClientLine::Response(r) => write!(f, "Response(<{} bytes redacted>)", r.len()),
        }
    }
}

/// A client's response line (without CRLF): `*` is cancel, `=` is an empty
/// response (as is an empty line), anything else strict base64 with canonical
/// padding ([`Error::Sasl`] on bad base64).
pub fn decode_client_line(line: &[u8]) -> Result<ClientLine, Error> {
    match line {
        b"*" => Ok(ClientLine::Cancel),
        b"=" | b"" => Ok(ClientLine::Response(Vec::new())),
        _ => STRICT
            .decode(line)
            .map(ClientLine::Response)
            .map_err(|_| Error::Sasl(crate::error::SaslError::ResponseNotBase64)),
    }
}

/// A server challenge payload (the text after `334 ` or `+ `), base64 decoded;
/// empty stays empty. Tolerant of missing padding and trailing blanks, since
/// servers differ; [`Error::Sasl`] when it is not base64 at all.
pub fn decode_challenge(payload: &[u8]) -> Result<Vec<u8>, Error> {
    let end = payload
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let payload = &payload[..end];
    if payload.is_empty() || payload == b"=" {
        return Ok(Vec::new());
    }
    TOLERANT
        .decode(payload)
        .map_err(|_| Error::Sasl(crate::error::SaslError::ChallengeNotBase64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;

    fn b64(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_base64(raw, &mut out);
        out
    }

    fn decoded(line: &[u8]) -> Vec<u8> {
        match decode_client_line(line).unwrap() {
            ClientLine::Response(r) => r,
            ClientLine::Cancel => panic!("cancel"),
        }
    }

    /// Runs a client against a server through base64 lines, the way the
    /// protocols do, with or without the initial response.
    fn run(credentials: Credentials<'_>, use_ir: bool) -> Authentication<'static> {
        let mut client = SaslClient::new(credentials);
        let mut server = SaslServer::new(client.mechanism());
        let initial = if use_ir {
            client.initial_response().map(|ir| {
                let mut line = Vec::new();
                encode_initial_response(&ir, &mut line);
                decoded(&line)
            })
        } else {
            None
        };
        let mut step = server.start(initial.as_deref()).unwrap();
        for _ in 0..4 {
            match step {
                ServerStep::Done(auth) => {
                    assert!(client.is_complete() || client.mechanism().has_initial_response());
                    return auth;
                }
                ServerStep::Challenge(c) => {
                    let c = decode_challenge(&b64(&c)).unwrap();
                    let r = client.step(&c).unwrap();
                    step = server.step(&decoded(&b64(&r))).unwrap();
                }
            }
        }
        panic!("too many steps");
    }

    fn both(credentials: Credentials<'_>) -> Authentication<'static> {
        let a = run(credentials.clone(), true);
        assert_eq!(run(credentials, false), a);
        a
    }

    #[test]
    fn mechanism_names() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name().as_bytes()), Some(m));
            assert_eq!(
                Mechanism::from_name(m.name().to_ascii_lowercase().as_bytes()),
                Some(m)
            );
            assert_eq!(m.has_initial_response(), m != Mechanism::Login);
        }
        assert_eq!(Mechanism::from_name(b"xOAuth2"), Some(Mechanism::XOAuth2));
        // CRAM-MD5 exists only with the `sasl-hash` feature
        assert_eq!(
            Mechanism::from_name(b"CRAM-MD5").is_some(),
            cfg!(feature = "sasl-hash")
        );
        assert_eq!(Mechanism::from_name(b"DIGEST-MD5"), None);
        assert_eq!(Mechanism::from_name(b""), None);
        assert_eq!(Mechanism::from_name(b"PLAIN "), None);
    }

    #[test]
    fn plain_round_trip() {
        let auth = both(Credentials::Plain {
            authzid: Some("admin"),
            username: "tim",
            password: "tanstaaf\u{e9}".into(),
        });
        assert_eq!(
            auth,
            Authentication::Plain {
                authzid: Some("admin".into()),
                authcid: "tim".into(),
                password: "tanstaaf\u{e9}".into(),
            }
        );
        let auth = both(Credentials::Plain {
            authzid: None,
            username: "tim",
            password: "pw".into(),
        });
        assert!(matches!(auth, Authentication::Plain { authzid: None, .. }));
    }

    #[test]
    fn plain_wire_form() {
        // RFC 4616 §4 example
        let mut c = SaslClient::new(Credentials::Plain {
            authzid: Some("Ursel"),
            username: "Kurt",
            password: "xipj3plmq".into(),
        });
        let ir = c.initial_response().unwrap();
        assert_eq!(ir, b"Ursel\0Kurt\0xipj3plmq");
        assert_eq!(b64(&ir), b"VXJzZWwAS3VydAB4aXBqM3BsbXE=");
        // the first step was taken: a challenge now is unexpected, and sticks
        assert!(c.initial_response().is_none());
        assert_eq!(
            c.step(b""),
            Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge))
        );
        assert!(c.step(b"").is_err());
    }

    #[test]
    fn malformed_plain() {
        let cases: &[&[u8]] = &[
            b"\0tim",         // one NUL
            b"a\0tim\0pw\0x", // three NULs
            b"\0tim\0",       // empty password
            b"\0\0pw",        // empty authcid
            b"\0tim\0p\xffw", // non-UTF-8 password
            b"\0t\xc3\0pw",   // non-UTF-8 authcid
            b"\xff\0tim\0pw", // non-UTF-8 authzid
            b"",              // nothing
            b"timpw",         // no NUL
        ];
        for &case in cases {
            let mut s = SaslServer::new(Mechanism::Plain);
            assert!(
                matches!(s.start(Some(case)), Err(Error::Sasl(_))),
                "{case:?}"
            );
            // sticky
            assert!(s.step(b"\0tim\0pw").is_err());
            let mut s = SaslServer::new(Mechanism::Plain);
            assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
            assert!(matches!(s.step(case), Err(Error::Sasl(_))), "{case:?}");
        }
    }

    #[test]
    fn login_steps() {
        let mut c = SaslClient::new(Credentials::Login {
            username: "tim",
            password: "secret".into(),
        });
        assert_eq!(c.initial_response(), None);
        let mut s = SaslServer::new(Mechanism::Login);
        let ServerStep::Challenge(ch) = s.start(None).unwrap() else {
            panic!()
        };
        assert_eq!(ch, b"Username:");
        assert_eq!(b64(&ch), b"VXNlcm5hbWU6");
        let r = c.step(&ch).unwrap();
        assert_eq!(r, b"tim");
        let ServerStep::Challenge(ch) = s.step(&r).unwrap() else {
            panic!()
        };
        assert_eq!(ch, b"Password:");
        let r = c.step(&ch).unwrap();
        assert_eq!(r, b"secret");
        assert!(c.is_complete());
        assert_eq!(
            s.step(&r).unwrap(),
            ServerStep::Done(Authentication::Plain {
                authzid: None,
                authcid: "tim".into(),
                password: "secret".into(),
            })
        );
        // a third challenge / a response after Done
        assert!(matches!(c.step(b"What?"), Err(Error::Sasl(_))));
        assert!(matches!(c.step(b"Password:"), Err(Error::Sasl(_))));
        assert!(matches!(s.step(b"more"), Err(Error::Sasl(_))));
    }

    #[test]
    fn login_with_initial_username() {
        let mut s = SaslServer::new(Mechanism::Login);
        assert_eq!(
            s.start(Some(b"tim")).unwrap(),
            ServerStep::Challenge(b"Password:".to_vec())
        );
        assert!(matches!(s.step(b"pw").unwrap(), ServerStep::Done(_)));
        let mut s = SaslServer::new(Mechanism::Login);
        assert!(matches!(s.start(Some(b"")), Err(Error::Sasl(_))));
        let mut s = SaslServer::new(Mechanism::Login);
        s.start(None).unwrap();
        s.step(b"tim").unwrap();
        assert!(matches!(s.step(b""), Err(Error::Sasl(_))));
        assert!(matches!(s.step(b"pw"), Err(Error::Sasl(_))));
    }

    #[test]
    fn xoauth2_round_trip_and_error_flow() {
        let creds = Credentials::XOAuth2 {
            username: "someuser@example.com",
            token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into(),
        };
        let mut c = SaslClient::new(creds.clone());
        let ir = c.initial_response().unwrap();
        assert_eq!(
            ir,
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert_eq!(
            both(creds),
            Authentication::XOAuth2 {
                username: "someuser@example.com".into(),
                token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into(),
            }
        );
        // the application rejects the token: error challenge, empty answer, failure
        let mut s = SaslServer::new(Mechanism::XOAuth2);
        assert!(matches!(s.start(Some(&ir)).unwrap(), ServerStep::Done(_)));
        let json = br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;
        let line = b64(json);
        let challenge = decode_challenge(&line).unwrap();
        assert_eq!(challenge, json);
        let answer = c.step(&challenge).unwrap();
        assert_eq!(answer, b"");
        assert!(c.is_complete());
        assert!(matches!(s.step(&answer), Err(Error::Sasl(_))));
        assert!(matches!(c.step(b""), Err(Error::Sasl(_))));
    }

    #[test]
    fn malformed_xoauth2() {
        let cases: &[&[u8]] = &[
            b"user=a\x01auth=Bearer t\x01",
            b"user=a\x01auth=Bearer t",
            b"user=a\x01auth=Basic t\x01\x01",
            b"user=a\x01auth=Bearer \x01\x01",
            b"user=a\x01auth=Bearert\x01\x01",
            b"auth=Bearer t\x01\x01",
            b"user=\x01auth=Bearer t\x01\x01",
            b"user=a\x01\x01",
            b"user=a\x01auth=Bearer t\x01\x01x",
            b"user=a\x01user=b\x01auth=Bearer t\x01\x01",
            b"\x01",
            b"",
        ];
        for &case in cases {
            let mut s = SaslServer::new(Mechanism::XOAuth2);
            assert!(
                matches!(s.start(Some(case)), Err(Error::Sasl(_))),
                "{case:?}"
            );
        }
    }

    #[test]
    fn oauthbearer_round_trip_and_error_flow() {
        let creds = Credentials::OAuthBearer {
            authzid: Some("user@example.com"),
            host: Some("server.example.com"),
            port: Some(143),
            token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into(),
        };
        let mut c = SaslClient::new(creds.clone());
        let ir = c.initial_response().unwrap();
        // RFC 7628 §4.1 example
        assert_eq!(
            ir,
            &b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"[..]
        );
        assert_eq!(
            both(creds),
            Authentication::OAuthBearer {
                authzid: Some("user@example.com".into()),
                host: Some("server.example.com".into()),
                port: Some(143),
                token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into(),
            }
        );
        // error challenge (RFC 7628 §3.2.2), client answers %x01
        let json = br#"{"status":"invalid_token","scope":"example_scope"}"#;
        assert_eq!(c.step(json).unwrap(), b"\x01");
        assert!(matches!(c.step(b""), Err(Error::Sasl(_))));
        let mut s = SaslServer::new(Mechanism::OAuthBearer);
        assert!(matches!(s.start(Some(&ir)).unwrap(), ServerStep::Done(_)));
        assert!(matches!(s.step(b"\x01"), Err(Error::Sasl(_))));
    }

    #[test]
    fn oauthbearer_escapes_and_minimal() {
        let auth = both(Credentials::OAuthBearer {
            authzid: Some("a,b=c"),
            host: None,
            port: None,
            token: "tok".into(),
        });
        assert_eq!(
            auth,
            Authentication::OAuthBearer {
                authzid: Some("a,b=c".into()),
                host: None,
                port: None,
                token: "tok".into(),
            }
        );
        let mut c = SaslClient::new(Credentials::OAuthBearer {
            authzid: Some("a,b=c"),
            host: None,
            port: None,
            token: "tok".into(),
        });
        assert_eq!(
            c.initial_response().unwrap(),
            b"n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01"
        );
        let mut s = SaslServer::new(Mechanism::OAuthBearer);
        assert_eq!(
            s.start(Some(b"y,,\x01extra=x y\x01auth=bearer   tok\x01\x01"))
                .unwrap(),
            ServerStep::Done(Authentication::OAuthBearer {
                authzid: None,
                host: None,
                port: None,
                token: "tok".into(),
            })
        );
    }

    #[test]
    fn malformed_oauthbearer() {
        let cases: &[&[u8]] = &[
            b"\x01",
            b"",
            b"n,,auth=Bearer t\x01\x01",
            b"n,a=,\x01auth=Bearer t\x01\x01",
            b"n,a=x=2,\x01auth=Bearer t\x01\x01",
            b"n,a=x=41,\x01auth=Bearer t\x01\x01",
            b"n,b=x,\x01auth=Bearer t\x01\x01",
            b"p=tls-unique,,\x01auth=Bearer t\x01\x01",
            b"x,,\x01auth=Bearer t\x01\x01",
            b"n,,\x01host=h\x01\x01",
            b"n,,\x01port=99999\x01auth=Bearer t\x01\x01",
            b"n,,\x01port=+1\x01auth=Bearer t\x01\x01",
            b"n,,\x01port=\x01auth=Bearer t\x01\x01",
            b"n,,\x01auth=Bearer t\x01",
            b"n,,\x01auth=Bearer t\x01\x01\x01",
            b"n,,\x01host=\xff\x01auth=Bearer t\x01\x01",
            b"n,,\x01ho-st=h\x01auth=Bearer t\x01\x01",
            b"n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01",
            b"n,",
        ];
        for &case in cases {
            let mut s = SaslServer::new(Mechanism::OAuthBearer);
            assert!(
                matches!(s.start(Some(case)), Err(Error::Sasl(_))),
                "{case:?}"
            );
        }
    }

    #[test]
    fn external_and_anonymous() {
        assert_eq!(
            both(Credentials::External { authzid: None }),
            Authentication::External { authzid: None }
        );
        assert_eq!(
            both(Credentials::External {
                authzid: Some("fred")
            }),
            Authentication::External {
                authzid: Some("fred".into())
            }
        );
        assert_eq!(
            both(Credentials::Anonymous { trace: None }),
            Authentication::Anonymous { trace: None }
        );
        assert_eq!(
            both(Credentials::Anonymous {
                trace: Some("sirhc@example.com")
            }),
            Authentication::Anonymous {
                trace: Some("sirhc@example.com".into())
            }
        );
        // an empty initial response travels as "="
        let mut c = SaslClient::new(Credentials::External { authzid: None });
        let ir = c.initial_response().unwrap();
        let mut line = Vec::new();
        encode_initial_response(&ir, &mut line);
        assert_eq!(line, b"=");
        let mut s = SaslServer::new(Mechanism::External);
        assert_eq!(
            s.start(Some(&decoded(&line))).unwrap(),
            ServerStep::Done(Authentication::External { authzid: None })
        );
        let mut s = SaslServer::new(Mechanism::External);
        assert!(matches!(s.start(Some(b"\xff")), Err(Error::Sasl(_))));
        let mut s = SaslServer::new(Mechanism::Anonymous);
        let long = "x".repeat(256);
        assert!(matches!(
            s.start(Some(long.as_bytes())),
            Err(Error::Sasl(_))
        ));
        assert!(SaslClient::try_new(Credentials::Anonymous { trace: Some(&long) }).is_err());
    }

    #[test]
    fn client_first_without_initial_response() {
        let mut c = SaslClient::new(Credentials::External { authzid: Some("x") });
        assert!(matches!(c.step(b"unexpected"), Err(Error::Sasl(_))));
        let mut c = SaslClient::new(Credentials::External { authzid: Some("x") });
        assert_eq!(c.step(b"").unwrap(), b"x");
        assert!(c.initial_response().is_none());
        assert!(c.step(b"").is_err());
    }

    #[test]
    fn invalid_credentials_never_reach_the_wire() {
        let bad = [
            Credentials::Plain {
                authzid: None,
                username: "a\0b",
                password: "p".into(),
            },
            Credentials::Plain {
                authzid: None,
                username: "a",
                password: "".into(),
            },
            Credentials::Plain {
                authzid: Some("z\0"),
                username: "a",
                password: "p".into(),
            },
            Credentials::XOAuth2 {
                username: "a\x01",
                token: "t".into(),
            },
            Credentials::OAuthBearer {
                authzid: None,
                host: Some("h\x01"),
                port: None,
                token: "t".into(),
            },
            Credentials::OAuthBearer {
                authzid: None,
                host: None,
                port: None,
                token: "".into(),
            },
            Credentials::External {
                authzid: Some("\0"),
            },
        ];
        for creds in bad {
            assert!(matches!(creds.validate(), Err(Error::Emit(_))), "{creds:?}");
            assert!(SaslClient::try_new(creds.clone()).is_err());
            let mut c = SaslClient::new(creds);
            assert_eq!(c.initial_response(), None);
            assert!(matches!(c.step(b""), Err(Error::Emit(_))));
        }
    }

    #[test]
    fn client_lines() {
        assert_eq!(decode_client_line(b"*").unwrap(), ClientLine::Cancel);
        assert_eq!(
            decode_client_line(b"=").unwrap(),
            ClientLine::Response(vec![])
        );
        assert_eq!(
            decode_client_line(b"").unwrap(),
            ClientLine::Response(vec![])
        );
        assert_eq!(
            decode_client_line(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm").unwrap(),
            ClientLine::Response(b"\0tim\0tanstaaftanstaaf".to_vec())
        );
        for bad in [
            &b"AHRpbQ!"[..],
            b"YQ",       // missing padding
            b"YR==",     // non-zero trailing bits
            b"YQ==YQ==", // padding in the middle
            b" YQ==",
            b"YQ== ",
            b"**",
            b"==",
            b"Y",
        ] {
            assert!(
                matches!(decode_client_line(bad), Err(Error::Sasl(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn challenges() {
        assert_eq!(decode_challenge(b"").unwrap(), b"");
        assert_eq!(decode_challenge(b"=").unwrap(), b"");
        assert_eq!(decode_challenge(b"VXNlcm5hbWU6").unwrap(), b"Username:");
        assert_eq!(decode_challenge(b"UGFzc3dvcmQ6 ").unwrap(), b"Password:");
        assert_eq!(decode_challenge(b"YQ").unwrap(), b"a");
        assert!(matches!(
            decode_challenge(b"Username:"),
            Err(Error::Sasl(_))
        ));
    }

    #[test]
    fn base64_encoding() {
        let mut out = Vec::new();
        encode_base64(b"", &mut out);
        assert_eq!(out, b"");
        encode_initial_response(b"", &mut out);
        assert_eq!(out, b"=");
        // longer than one 48-byte chunk, every length
        for n in 0..200usize {
            let raw: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let line = b64(&raw);
            assert_eq!(line, STANDARD.encode(&raw).into_bytes());
            if n > 0 {
                assert_eq!(decoded(&line), raw);
            }
        }
    }

    #[test]
    fn server_misuse_and_stickiness() {
        let mut s = SaslServer::new(Mechanism::Plain);
        assert!(matches!(s.step(b"x"), Err(Error::Misuse(_))));
        s.start(None).unwrap();
        assert!(matches!(s.start(None), Err(Error::Misuse(_))));
        assert!(matches!(s.step(b"\0a\0b").unwrap(), ServerStep::Done(_)));
        assert!(matches!(s.step(b"\0a\0b"), Err(Error::Sasl(_))));
        assert!(matches!(s.step(b""), Err(Error::Sasl(_))));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let creds = [
            Credentials::Plain {
                authzid: None,
                username: "u",
                password: "hunter2".into(),
            },
            Credentials::Login {
                username: "u",
                password: "hunter2".into(),
            },
            Credentials::XOAuth2 {
                username: "u",
                token: "hunter2".into(),
            },
            Credentials::OAuthBearer {
                authzid: Some("u"),
                host: None,
                port: None,
                token: "hunter2".into(),
            },
        ];
        for c in creds {
            assert!(!format!("{c:?}").contains("hunter2"));
            let mut client = SaslClient::new(c);
            assert!(!format!("{client:?}").contains("hunter2"));
            let mut server = SaslServer::new(client.mechanism());
            let mut step = match client.initial_response() {
                Some(ir) => {
                    assert!(
                        !format!("{:?}", decode_client_line(&b64(&ir)).unwrap())
                            .contains("hunter2")
                    );
                    server.start(Some(&ir)).unwrap()
                }
                None => server.start(None).unwrap(),
            };
            while let ServerStep::Challenge(ch) = step {
                let r = client.step(&ch).unwrap();
                assert!(!format!("{client:?} {server:?}").contains("hunter2"));
                step = server.step(&r).unwrap();
            }
            let text = format!("{step:?} {server:?} {client:?}");
            assert!(text.contains("\"u\""), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trip_any_valid_credentials(
            authzid in proptest::option::of("\\PC{0,12}"),
            user in "\\PC{0,12}",
            secret in "\\PC{0,12}",
            token in "[!-~]{0,20}",
            host in proptest::option::of("[a-z.]{1,12}"),
            port in proptest::option::of(proptest::prelude::any::<u16>()),
        ) {
            let token_ok = !token.is_empty();
            let all = [
                Credentials::Plain { authzid: authzid.as_deref(), username: &user, password: secret.as_str().into() },
                Credentials::Login { username: &user, password: secret.as_str().into() },
                Credentials::XOAuth2 { username: &user, token: token.as_str().into() },
                Credentials::OAuthBearer { authzid: authzid.as_deref(), host: host.as_deref(), port, token: token.as_str().into() },
                Credentials::External { authzid: authzid.as_deref() },
                Credentials::Anonymous { trace: authzid.as_deref() },
            ];
            for creds in all {
                let usable = creds.validate().is_ok()
                    && match creds.mechanism() {
                        // the server requires what the RFCs require
                        Mechanism::Login => !user.is_empty() && !secret.is_empty() && !user.contains('\0') && !secret.contains('\0'),
                        Mechanism::XOAuth2 | Mechanism::OAuthBearer => token_ok,
                        Mechanism::External | Mechanism::Anonymous => !authzid.as_deref().unwrap_or_default().contains('\0'),
                        _ => true,
                    };
                if !usable {
                    continue;
                }
                let auth = both(creds.clone());
                let expected = match creds {
                    Credentials::Plain { authzid, username, password } => Authentication::Plain {
                        authzid: authzid.filter(|a| !a.is_empty()).map(Cow::Borrowed),
                        authcid: username.into(),
                        password,
                    },
                    Credentials::Login { username, password } => Authentication::Plain { authzid: None, authcid: username.into(), password },
                    Credentials::XOAuth2 { username, token } => Authentication::XOAuth2 { username: username.into(), token },
                    Credentials::OAuthBearer { authzid, host, port, token } => Authentication::OAuthBearer {
                        authzid: authzid.map(Cow::Borrowed),
                        host: host.map(Cow::Borrowed),
                        port,
                        token,
                    },
                    Credentials::External { authzid } => Authentication::External { authzid: authzid.filter(|a| !a.is_empty()).map(Cow::Borrowed) },
                    Credentials::Anonymous { trace } => Authentication::Anonymous { trace: trace.filter(|a| !a.is_empty()).map(Cow::Borrowed) },
                    #[cfg(feature = "sasl-hash")]
                    Credentials::CramMd5 { .. } | Credentials::Scram(_) => unreachable!("not in the list"),
                };
                proptest::prop_assert_eq!(auth, expected);
            }
        }

        #[test]
        fn server_never_panics(first in proptest::option::of(proptest::collection::vec(0u8..=255, 0..40)),
                               rest in proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..40), 0..4)) {
            for m in Mechanism::ALL {
                let mut s = SaslServer::new(m);
                let _ = s.start(first.as_deref());
                for r in &rest {
                    let _ = s.step(r);
                    let _ = decode_client_line(r);
                    let _ = decode_challenge(r);
                }
            }
        }
    }
}
