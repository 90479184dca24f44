//! The SASL pumps: one exchange of SMTP `AUTH` (RFC 4954 §4), POP3 `AUTH`
//! (RFC 5034 §4) or IMAP `AUTHENTICATE` (RFC 9051 §6.2.2, RFC 4959), written
//! once for the three clients and once for the three servers.
//!
//! The three protocols frame SASL the same way once the command is sent: a
//! challenge is a line of base64 after a marker (`334 ` in SMTP, `+ ` in POP3
//! and IMAP), a response is a line of base64, `*` cancels, and an initial
//! response may ride on the command line, `=` standing for an empty one. The
//! pumps own everything between the command and the final reply: the
//! mechanism's steps ([`crate::wire::sasl`]), the base64 lines, the
//! exchange limit ([`Limits::auth_exchanges`](crate::Limits::auth_exchanges))
//! and the outcome. The machines keep only their protocol: where a challenge
//! starts, how success and failure are worded.
//!
//! ## Client
//!
//! [`ClientSasl`] runs one exchange, either *automatic* (the machine answers
//! every challenge from credentials it was given) or *raw* (each challenge
//! goes to the application as an event, which answers or cancels). The
//! automatic pump keeps an owned copy of the credentials until the exchange
//! ends, so mechanisms whose answers depend on the challenge (`CRAM-MD5`,
//! `SCRAM-*`) run as well as `PLAIN` and `LOGIN`. A SCRAM server that does
//! not prove it knows the user's key (a wrong `v=`, or success before it) is
//! not believed: the pump cancels, and a success reply that follows is
//! [`Error::Sasl`].
//!
//! ## Server
//!
//! [`ServerSasl`] runs one exchange on the server side; see its docs.

use alloc::string::String;
use alloc::vec::Vec;

use bytes::BufMut;

use crate::error::{Error, LimitKind};
use crate::text::Secret;
#[cfg(feature = "sasl-hash")]
use crate::wire::sasl::{ChannelBinding, ScramCredentials};
use crate::wire::sasl::{
    ClientProgress, Credentials, Mechanism, decode_challenge, encode_base64,
    encode_initial_response,
};

mod server;

pub(crate) use server::{Failure, ServerOutcome, ServerSasl, answer_lookup};

/// An owned copy of [`Credentials`], kept by an automatic exchange.
#[derive(Clone)]
enum OwnedCredentials {
    Plain {
        authzid: Option<String>,
        username: String,
        password: Secret<'static>,
    },
    Login {
        username: String,
        password: Secret<'static>,
    },
    XOAuth2 {
        username: String,
        token: Secret<'static>,
    },
    OAuthBearer {
        authzid: Option<String>,
        host: Option<String>,
        port: Option<u16>,
        token: Secret<'static>,
    },
    External {
        authzid: Option<String>,
    },
    Anonymous {
        trace: Option<String>,
    },
    #[cfg(feature = "sasl-hash")]
    CramMd5 {
        username: String,
        password: Secret<'static>,
    },
    #[cfg(feature = "sasl-hash")]
    Scram {
        mechanism: Mechanism,
        authzid: Option<String>,
        username: String,
        password: Secret<'static>,
        client_nonce: String,
        channel_binding: Option<ChannelBinding<'static>>,
        max_iterations: u32,
    },
}

fn own(s: Option<&str>) -> Option<String> {
    s.map(String::from)
}

impl OwnedCredentials {
    fn new(c: &Credentials<'_>) -> Self {
        match c {
            Credentials::Plain {
                authzid,
                username,
                password,
            } => OwnedCredentials::Plain {
                authzid: own(*authzid),
                username: String::from(*username),
                password: password.clone().into_owned(),
            },
            Credentials::Login { username, password } => OwnedCredentials::Login {
                username: String::from(*username),
                password: password.clone().into_owned(),
            },
            Credentials::XOAuth2 { username, token } => OwnedCredentials::XOAuth2 {
                username: String::from(*username),
                token: token.clone().into_owned(),
            },
            Credentials::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => OwnedCredentials::OAuthBearer {
                authzid: own(*authzid),
                host: own(*host),
                port: *port,
                token: token.clone().into_owned(),
            },
            Credentials::External { authzid } => OwnedCredentials::External {
                authzid: own(*authzid),
            },
            Credentials::Anonymous { trace } => OwnedCredentials::Anonymous { trace: own(*trace) },
            #[cfg(feature = "sasl-hash")]
            Credentials::CramMd5 { username, password } => OwnedCredentials::CramMd5 {
                username: String::from(*username),
                password: password.clone().into_owned(),
            },
            #[cfg(feature = "sasl-hash")]
            Credentials::Scram(s) => OwnedCredentials::Scram {
                mechanism: s.mechanism,
                authzid: own(s.authzid),
                username: String::from(s.username),
                password: s.password.clone().into_owned(),
                client_nonce: String::from(s.client_nonce),
                channel_binding: s.channel_binding.clone().map(ChannelBinding::into_owned),
                max_iterations: s.max_iterations,
            },
        }
    }
}

/// A secret borrowed from an owned one.
fn secret<'a>(s: &'a Secret<'static>) -> Secret<'a> {
    Secret::new(s.expose())
}

impl OwnedCredentials {
    /// The credentials, borrowed from this copy.
    fn view(&self) -> Credentials<'_> {
        match self {
            OwnedCredentials::Plain {
                authzid,
                username,
                password,
            } => Credentials::Plain {
                authzid: authzid.as_deref(),
                username,
                password: secret(password),
            },
            OwnedCredentials::Login { username, password } => Credentials::Login {
                username,
                password: secret(password),
            },
            OwnedCredentials::XOAuth2 { username, token } => Credentials::XOAuth2 {
                username,
                token: secret(token),
            },
            OwnedCredentials::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => Credentials::OAuthBearer {
                authzid: authzid.as_deref(),
                host: host.as_deref(),
                port: *port,
                token: secret(token),
            },
            OwnedCredentials::External { authzid } => Credentials::External {
                authzid: authzid.as_deref(),
            },
            OwnedCredentials::Anonymous { trace } => Credentials::Anonymous {
                trace: trace.as_deref(),
            },
            #[cfg(feature = "sasl-hash")]
            OwnedCredentials::CramMd5 { username, password } => Credentials::CramMd5 {
                username,
                password: secret(password),
            },
            #[cfg(feature = "sasl-hash")]
            OwnedCredentials::Scram {
                mechanism,
                authzid,
                username,
                password,
                client_nonce,
                channel_binding,
                max_iterations,
            } => {
                let mut c =
                    ScramCredentials::new(*mechanism, username, secret(password), client_nonce)
                        .with_max_iterations(*max_iterations);
                c.authzid = authzid.as_deref();
                c.channel_binding = channel_binding
                    .as_ref()
                    .map(|cb| ChannelBinding::new(cb.kind, &cb.data[..]));
                Credentials::Scram(c)
            }
        }
    }

    #[cfg(feature = "sasl-hash")]
    fn set_mechanism(&mut self, m: Mechanism) {
        if let OwnedCredentials::Scram { mechanism, .. } = self {
            *mechanism = m;
        }
    }
}

/// The mechanism to run: the credentials' own, or for SCRAM credentials with
/// channel-binding data the `-PLUS` variant when the server offers it.
#[cfg(feature = "sasl-hash")]
fn plus_upgrade(
    mut owned: OwnedCredentials,
    credentials: &Credentials<'_>,
    offered: impl Fn(&str) -> bool,
) -> (OwnedCredentials, Mechanism) {
    let mechanism = credentials.mechanism();
    let Credentials::Scram(c) = credentials else {
        return (owned, mechanism);
    };
    let plus = match mechanism {
        Mechanism::ScramSha1 => Some(Mechanism::ScramSha1Plus),
        Mechanism::ScramSha256 => Some(Mechanism::ScramSha256Plus),
        _ => None,
    };
    match plus.filter(|p| c.channel_binding.is_some() && offered(p.name())) {
        Some(plus) => {
            owned.set_mechanism(plus);
            (owned, plus)
        }
        None => (owned, mechanism),
    }
}

/// Without digests there is no `-PLUS` mechanism.
#[cfg(not(feature = "sasl-hash"))]
fn plus_upgrade(
    owned: OwnedCredentials,
    credentials: &Credentials<'_>,
    _offered: impl Fn(&str) -> bool,
) -> (OwnedCredentials, Mechanism) {
    (owned, credentials.mechanism())
}

/// An automatic exchange: owned credentials and the mechanism's progress.
#[derive(Clone)]
struct Auto {
    credentials: OwnedCredentials,
    progress: ClientProgress,
    /// An initial response that did not go on the command line (no SASL-IR,
    /// or a POP3 line that would be too long): the answer to the server's
    /// first, empty challenge (RFC 4422 §5).
    held: Option<Vec<u8>>,
}

/// What the machine does with a challenge the pump was given.
#[derive(Debug)]
pub(crate) enum Challenge {
    /// The automatic pump answered it (a response or `*` is in the output).
    Answered,
    /// Raw path: report it to the application (decoded), which answers with
    /// [`ClientSasl::respond`] or [`ClientSasl::cancel`].
    Report(Vec<u8>),
    /// Not base64 (or not one line): the pump cancelled (`*` is in the
    /// output); report the frame as malformed.
    Malformed,
}

/// The client side of one SASL exchange; see the [module docs](self).
#[derive(Clone)]
pub(crate) struct ClientSasl {
    auto: Option<Auto>,
    mechanism: Option<Mechanism>,
    /// Challenges received so far.
    exchanges: usize,
    /// Raw path: a challenge was reported and not answered yet.
    open: bool,
    /// The automatic pump cancelled (its mechanism refused a challenge).
    cancelled: bool,
}

impl core::fmt::Debug for ClientSasl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSasl")
            .field("mechanism", &self.mechanism)
            .field("automatic", &self.auto.is_some())
            .field("exchanges", &self.exchanges)
            .field("open", &self.open)
            .field("cancelled", &self.cancelled)
            .finish_non_exhaustive()
    }
}

/// How the machine may carry an initial response on its command line.
#[derive(Clone, Copy, Debug)]
pub(crate) enum InitialResponse {
    /// Always (IMAP with `SASL-IR`, RFC 4959).
    Always,
    /// When the base64 form has at most this many octets (SMTP: the command
    /// line is at most 512 octets, RFC 4954 §4; POP3: 255 octets, RFC 2449
    /// §4 / RFC 5034 §4).
    UpTo(usize),
    /// Never (IMAP without `SASL-IR`, RFC 4959).
    Never,
}

impl ClientSasl {
    /// An automatic exchange with `credentials`. The mechanism is the one the
    /// credentials name; `offered` says whether the server advertised a
    /// mechanism name, and `tls` whether TLS is active. A SCRAM client that
    /// has channel-binding data switches to the `-PLUS` variant when the
    /// server offers it (RFC 5802 §6: a server that offers it refuses the
    /// client's `y` flag; channel-binding data comes from the TLS layer, so
    /// its presence is the TLS state that matters here). The machine checks
    /// that the server offers [`mechanism`](Self::mechanism). `Error::Emit`
    /// when the credentials cannot be sent.
    pub(crate) fn automatic(
        credentials: Credentials<'_>,
        offered: impl Fn(&str) -> bool,
    ) -> Result<Self, Error> {
        credentials.validate()?;
        let owned = OwnedCredentials::new(&credentials);
        let (owned, mechanism) = plus_upgrade(owned, &credentials, offered);
        let progress = ClientProgress::new(&owned.view());
        Ok(ClientSasl {
            auto: Some(Auto {
                credentials: owned,
                progress,
                held: None,
            }),
            mechanism: Some(mechanism),
            exchanges: 0,
            open: false,
            cancelled: false,
        })
    }

    /// A raw exchange: the application sent the command and answers the
    /// challenges itself.
    pub(crate) fn raw() -> Self {
        ClientSasl {
            auto: None,
            mechanism: None,
            exchanges: 0,
            open: false,
            cancelled: false,
        }
    }

    /// The mechanism of an automatic exchange.
    pub(crate) fn mechanism(&self) -> Mechanism {
        self.mechanism.unwrap_or(Mechanism::Plain)
    }

    /// The initial response for the command line, base64 (`=` for an empty
    /// one), when the mechanism has one and `policy` lets it on the line;
    /// otherwise it is held for the server's first, empty challenge.
    pub(crate) fn initial_response(&mut self, policy: InitialResponse) -> Option<String> {
        let auto = self.auto.as_mut()?;
        let raw = auto.progress.initial_response(&auto.credentials.view())?;
        let mut b64 = Vec::new();
        encode_initial_response(&raw, &mut b64);
        let fits = match policy {
            InitialResponse::Always => true,
            InitialResponse::UpTo(n) => b64.len() <= n,
            InitialResponse::Never => false,
        };
        if !fits {
            auto.held = Some(raw);
            return None;
        }
        // base64 and "=" are ASCII
        String::from_utf8(b64).ok()
    }

    /// A challenge line's payload (the text after `334 ` or `+ `), or `None`
    /// when the machine found it malformed (a multi-line 334). Counts it
    /// against `limit` ([`Error::Limit`] past it, which ends the session: a
    /// server that never stops challenging is hostile).
    pub(crate) fn challenge(
        &mut self,
        payload: Option<&[u8]>,
        limit: usize,
        out: &mut impl BufMut,
    ) -> Result<Challenge, Error> {
        self.exchanges += 1;
        if self.exchanges > limit {
            return Err(Error::limit(LimitKind::AuthExchanges, limit));
        }
        if self.open {
            return Err(Error::Protocol(
                crate::error::PeerMisbehaved::SecondChallenge,
            ));
        }
        let Some(decoded) = payload.and_then(|p| decode_challenge(p).ok()) else {
            // RFC 4954 §4, RFC 5034 §4, RFC 9051 §6.2.2: the client cancels.
            out.put_slice(b"*\r\n");
            self.cancelled = true;
            return Ok(Challenge::Malformed);
        };
        let Some(auto) = self.auto.as_mut() else {
            self.open = true;
            return Ok(Challenge::Report(decoded));
        };
        let response = match auto.held.take() {
            Some(held) if decoded.is_empty() => Ok(held),
            Some(_) => Err(Error::Sasl(
                crate::error::SaslError::NonEmptyInitialChallenge,
            )),
            None if self.cancelled => {
                Err(Error::Sasl(crate::error::SaslError::UnexpectedChallenge))
            }
            None => auto.progress.step(&auto.credentials.view(), &decoded),
        };
        match response {
            Ok(r) => {
                encode_base64(&r, out);
                out.put_slice(b"\r\n");
            }
            Err(_) => {
                // A challenge the mechanism cannot answer (a third LOGIN
                // prompt, a wrong SCRAM signature): cancel; the server fails.
                out.put_slice(b"*\r\n");
                self.cancelled = true;
            }
        }
        Ok(Challenge::Answered)
    }

    /// Whether a reported challenge waits for the application's answer.
    pub(crate) fn awaits_answer(&self) -> bool {
        self.open
    }

    /// Answers a reported challenge with `data` (base64-encoded here).
    pub(crate) fn respond(&mut self, data: &[u8], out: &mut impl BufMut) -> Result<(), Error> {
        self.take_open()?;
        encode_base64(data, out);
        out.put_slice(b"\r\n");
        Ok(())
    }

    /// Cancels at a reported challenge (`*`).
    pub(crate) fn cancel(&mut self, out: &mut impl BufMut) -> Result<(), Error> {
        self.take_open()?;
        out.put_slice(b"*\r\n");
        Ok(())
    }

    fn take_open(&mut self) -> Result<(), Error> {
        if !self.open {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoChallenge));
        }
        self.open = false;
        Ok(())
    }

    /// The server's final answer: `Ok` unless it claims success for an
    /// automatic exchange whose server did not prove itself (SCRAM's `v=`
    /// missing or wrong, or the pump cancelled), which is [`Error::Sasl`]
    /// (RFC 5802 §5: the client "MUST verify" the ServerSignature).
    pub(crate) fn finish(self, success: bool) -> Result<(), Error> {
        let Some(auto) = self.auto else {
            return Ok(());
        };
        if success && !auto.progress.server_verified(&auto.credentials.view()) {
            return Err(Error::Sasl(crate::error::SaslError::ServerNotVerified));
        }
        Ok(())
    }

    /// Heap bytes held (the owned credentials and a held response).
    pub(crate) fn memory_usage(&self) -> usize {
        self.auto.as_ref().map_or(0, |a| {
            a.held.as_ref().map_or(0, Vec::capacity) + core::mem::size_of::<OwnedCredentials>()
        })
    }
}
