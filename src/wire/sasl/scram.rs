//! SCRAM (RFC 5802) with SHA-1 and SHA-256 (RFC 7677), and the `-PLUS`
//! variants with channel binding (`tls-exporter`, RFC 9266;
//! `tls-server-end-point` and `tls-unique`, RFC 5929).
//!
//! ```text
//! C: n,,n=user,r=<client nonce>                       client-first-message
//! S: r=<client nonce><server nonce>,s=<salt>,i=4096   server-first-message
//! C: c=biws,r=<both nonces>,p=<ClientProof>           client-final-message
//! S: v=<ServerSignature>                              server-final-message
//! ```
//!
//! Neither side draws random numbers: the application supplies the nonces.
//! The client takes the password; the server takes a [`ScramStoredKey`]
//! (StoredKey, ServerKey, salt and iteration count), never the password.
//! Channel-binding data (the TLS exporter value, RFC 9266, or the server
//! certificate hash, RFC 5929) comes from the adapter's TLS library.
//!
//! ## SASLprep
//!
//! RFC 5802 §2.2 prepares the password with SASLprep (RFC 4013). This crate
//! implements the parts that need no Unicode tables:
//! - mapping (RFC 4013 §2.1): the non-ASCII spaces of RFC 3454 C.1.2 become
//!   SPACE, the characters of B.1 ("commonly mapped to nothing") are removed;
//! - prohibition (§2.3): the characters of C.1.2 after mapping are gone; the
//!   controls (C.2.1, C.2.2), private use (C.3), non-characters (C.4),
//!   surrogates (C.5, impossible in `str`), C.6, C.7, change-display (C.8) and
//!   tagging (C.9) characters are refused with `Error::Emit`;
//! - an empty result is refused.
//!
//! Not covered: NFKC normalisation (§2.2), the bidirectional check (§2.4) and
//! unassigned code points (A.1). ASCII passwords, the common case, are exact:
//! NFKC leaves them unchanged. A non-ASCII password is used as given, which is
//! right when it is already in NFKC (what keyboards and most input methods
//! produce). The user name is escaped (`=2C`, `=3D`) but not prepared.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::Mechanism;
use super::hash::{Hash, constant_time_eq};
use crate::Error;
use crate::text::Secret;

/// The default cap on the iteration count a client accepts from a server: a
/// hostile server cannot make the client run PBKDF2 for longer than this.
pub const SCRAM_MAX_ITERATIONS: u32 = 100_000;

/// A channel-binding type (RFC 5056 §2.1, the IANA registry).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ChannelBindingType {
    /// `tls-exporter` (RFC 9266): the TLS exporter with label
    /// `EXPORTER-Channel-Binding`, empty context, 32 bytes. The one to use
    /// with TLS 1.3.
    TlsExporter,
    /// `tls-server-end-point` (RFC 5929 §4): the hash of the server certificate.
    TlsServerEndPoint,
    /// `tls-unique` (RFC 5929 §3): the first Finished message (TLS 1.2 only).
    TlsUnique,
}

impl ChannelBindingType {
    /// The registered name, as sent in `p=`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelBindingType::TlsExporter => "tls-exporter",
            ChannelBindingType::TlsServerEndPoint => "tls-server-end-point",
            ChannelBindingType::TlsUnique => "tls-unique",
        }
    }

    /// The type with this name (exact, as RFC 5802's `cb-name` is compared).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        [
            ChannelBindingType::TlsExporter,
            ChannelBindingType::TlsServerEndPoint,
            ChannelBindingType::TlsUnique,
        ]
        .into_iter()
        .find(|t| t.name().as_bytes() == name)
    }
}

/// Channel-binding data of this connection, which the adapter gets from its
/// TLS library.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChannelBinding<'a> {
    /// The type.
    pub kind: ChannelBindingType,
    /// The data (for `tls-exporter`, the 32 exported bytes).
    pub data: Cow<'a, [u8]>,
}

impl<'a> ChannelBinding<'a> {
    /// Channel binding of `kind` with `data`.
    pub fn new(kind: ChannelBindingType, data: impl Into<Cow<'a, [u8]>>) -> Self {
        ChannelBinding {
            kind,
            data: data.into(),
        }
    }
}

crate::owned::owned_copy!(ChannelBindingType);

crate::owned::into_owned! {
    inherent struct ChannelBinding { kind, data }
}

/// The hash and `-PLUS`-ness of a SCRAM mechanism, or `None`.
pub(crate) fn scram_params(m: Mechanism) -> Option<(Hash, bool)> {
    match m {
        Mechanism::ScramSha1 => Some((Hash::Sha1, false)),
        Mechanism::ScramSha1Plus => Some((Hash::Sha1, true)),
        Mechanism::ScramSha256 => Some((Hash::Sha256, false)),
        Mechanism::ScramSha256Plus => Some((Hash::Sha256, true)),
        _ => None,
    }
}

/// A client's SCRAM credentials: see [`Credentials::Scram`](super::Credentials::Scram).
///
/// `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct ScramCredentials<'a> {
    /// One of the `SCRAM-*` mechanisms.
    pub mechanism: Mechanism,
    /// Identity to act as, if not the user's own.
    pub authzid: Option<&'a str>,
    /// The user name (escaped on the wire, not prepared).
    pub username: &'a str,
    /// The password (UTF-8; SASLprep'd as the module docs say).
    pub password: Secret<'a>,
    /// The client nonce: printable ASCII without `,` (`%x21-2B / %x2D-7E`),
    /// from a good random source of the application's (at least 18 bytes of
    /// entropy, e.g. 24 base64 characters).
    pub client_nonce: &'a str,
    /// This connection's channel-binding data, when the client supports
    /// channel binding. With a `-PLUS` mechanism it is sent (`p=`); with the
    /// plain mechanism its presence makes the GS2 flag `y` ("I could bind but
    /// you did not offer -PLUS", RFC 5802 §6), its absence `n`.
    pub channel_binding: Option<ChannelBinding<'a>>,
    /// The largest iteration count accepted from the server
    /// ([`SCRAM_MAX_ITERATIONS`] by default).
    pub max_iterations: u32,
}

impl<'a> ScramCredentials<'a> {
    /// Credentials for `mechanism` (a `SCRAM-*` one), without authzid or
    /// channel binding, with the default iteration cap.
    pub fn new(
        mechanism: Mechanism,
        username: &'a str,
        password: impl Into<Secret<'a>>,
        client_nonce: &'a str,
    ) -> Self {
        ScramCredentials {
            mechanism,
            authzid: None,
            username,
            password: password.into(),
            client_nonce,
            channel_binding: None,
            max_iterations: SCRAM_MAX_ITERATIONS,
        }
    }

    /// With an authorization identity.
    pub fn with_authzid(mut self, authzid: &'a str) -> Self {
        self.authzid = Some(authzid);
        self
    }

    /// With this connection's channel-binding data.
    pub fn with_channel_binding(mut self, cb: ChannelBinding<'a>) -> Self {
        self.channel_binding = Some(cb);
        self
    }

    /// With another cap on the server's iteration count.
    pub fn with_max_iterations(mut self, max: u32) -> Self {
        self.max_iterations = max;
        self
    }

    /// Checks what the client would send: `Error::Emit` when it cannot.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let Some((_, plus)) = scram_params(self.mechanism) else {
            return Err(Error::Emit(crate::error::Unemittable::NotScram));
        };
        if plus && self.channel_binding.is_none() {
            return Err(Error::Emit(
                crate::error::Unemittable::ChannelBindingRequired,
            ));
        }
        if self.username.is_empty() || self.username.contains('\0') {
            return Err(Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM user name",
            }));
        }
        if self
            .authzid
            .is_some_and(|a| a.is_empty() || a.contains('\0'))
        {
            return Err(Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM authzid",
            }));
        }
        if !nonce_ok(self.client_nonce.as_bytes()) {
            return Err(Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM client nonce",
            }));
        }
        let password = core::str::from_utf8(self.password.expose()).map_err(|_| {
            Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM password",
            })
        })?;
        saslprep(password)?;
        Ok(())
    }

    /// `gs2-header = gs2-cbind-flag "," [ authzid ] ","`
    fn gs2_header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let plus = scram_params(self.mechanism).is_some_and(|(_, p)| p);
        match (&self.channel_binding, plus) {
            (Some(cb), true) => {
                out.extend_from_slice(b"p=");
                out.extend_from_slice(cb.kind.name().as_bytes());
            }
            (Some(_), false) => out.push(b'y'),
            (None, _) => out.push(b'n'),
        }
        out.push(b',');
        if let Some(a) = self.authzid {
            out.extend_from_slice(b"a=");
            escape_saslname(a, &mut out);
        }
        out.push(b',');
        out
    }

    /// `client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]`
    fn first_bare(&self) -> Vec<u8> {
        let mut out = Vec::from(&b"n="[..]);
        escape_saslname(self.username, &mut out);
        out.extend_from_slice(b",r=");
        out.extend_from_slice(self.client_nonce.as_bytes());
        out
    }

    /// The client-first-message.
    pub(crate) fn client_first(&self) -> Vec<u8> {
        let mut out = self.gs2_header();
        out.extend_from_slice(&self.first_bare());
        out
    }

    /// Answers the server-first-message with the client-final-message, and
    /// returns the ServerSignature the server-final-message must carry.
    pub(crate) fn client_final(&self, server_first: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let Some((hash, plus)) = scram_params(self.mechanism) else {
            return Err(Error::Emit(crate::error::Unemittable::NotScram));
        };
        // server-first-message = [reserved-mext ","] nonce "," salt ","
        //                        iteration-count ["," extensions]
        let attrs = attributes(server_first)?;
        let mut attrs = attrs.into_iter();
        let mut next = attrs.next();
        if matches!(next, Some((b'm', _))) {
            return Err(Error::Sasl(
                crate::error::SaslError::UnknownMandatoryExtension,
            ));
        }
        if matches!(next, Some((b'e', _))) {
            return Err(Error::Sasl(crate::error::SaslError::ServerError));
        }
        let Some((b'r', nonce)) = next else {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'r',
            }));
        };
        let client_nonce = self.client_nonce.as_bytes();
        if nonce.len() <= client_nonce.len() || !nonce.starts_with(client_nonce) {
            return Err(Error::Sasl(crate::error::SaslError::NonceMismatch));
        }
        if !nonce_ok(nonce) {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'r',
            }));
        }
        next = attrs.next();
        let Some((b's', salt)) = next else {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 's',
            }));
        };
        let salt = STANDARD
            .decode(salt)
            .map_err(|_| Error::Sasl(crate::error::SaslError::ScramAttribute { attribute: 's' }))?;
        if salt.is_empty() {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 's',
            }));
        }
        next = attrs.next();
        let Some((b'i', count)) = next else {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'i',
            }));
        };
        let iterations =
            positive_number(count).ok_or(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'i',
            }))?;
        if iterations > self.max_iterations {
            return Err(Error::Sasl(crate::error::SaslError::IterationCountTooHigh));
        }
        // further attributes are extensions: ignored (RFC 5802 §5.1)
        let password = core::str::from_utf8(self.password.expose()).map_err(|_| {
            Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM password",
            })
        })?;
        let password = saslprep(password)?;

        // client-final-message-without-proof = channel-binding "," nonce ["," extensions]
        let mut cbind = self.gs2_header();
        if plus {
            if let Some(cb) = &self.channel_binding {
                cbind.extend_from_slice(&cb.data);
            }
        }
        let mut without_proof = Vec::from(&b"c="[..]);
        without_proof.extend_from_slice(STANDARD.encode(&cbind).as_bytes());
        without_proof.extend_from_slice(b",r=");
        without_proof.extend_from_slice(nonce);

        let mut auth_message = self.first_bare();
        auth_message.push(b',');
        auth_message.extend_from_slice(server_first);
        auth_message.push(b',');
        auth_message.extend_from_slice(&without_proof);

        let salted = hash.hi(password.as_bytes(), &salt, iterations);
        let client_key = hash.hmac(&salted, b"Client Key");
        let stored_key = hash.digest(&client_key);
        let client_signature = hash.hmac(&stored_key, &auth_message);
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = hash.hmac(&salted, b"Server Key");
        let server_signature = hash.hmac(&server_key, &auth_message);

        let mut out = without_proof;
        out.extend_from_slice(b",p=");
        out.extend_from_slice(STANDARD.encode(&proof).as_bytes());
        Ok((out, server_signature))
    }
}

/// Checks the server-final-message against the expected ServerSignature.
pub(crate) fn verify_server_final(message: &[u8], expected: &[u8]) -> Result<(), Error> {
    // server-final-message = (server-error / verifier) ["," extensions]
    let attrs = attributes(message)?;
    match attrs.first() {
        Some((b'e', _)) => Err(Error::Sasl(crate::error::SaslError::ServerError)),
        Some((b'v', v)) => {
            let v = STANDARD.decode(v).map_err(|_| {
                Error::Sasl(crate::error::SaslError::ScramAttribute { attribute: 'v' })
            })?;
            if constant_time_eq(&v, expected) {
                Ok(())
            } else {
                Err(Error::Sasl(crate::error::SaslError::ServerSignatureWrong))
            }
        }
        _ => Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
            attribute: 'v',
        })),
    }
}

/// What a SCRAM server keeps for a user instead of the password
/// (RFC 5802 §3, §5; the LDAP form of RFC 5803 carries the same four values).
#[derive(Clone, PartialEq, Eq)]
pub struct ScramStoredKey {
    /// `StoredKey = H(ClientKey)`.
    pub stored_key: Vec<u8>,
    /// `ServerKey = HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Vec<u8>,
    /// The salt.
    pub salt: Vec<u8>,
    /// The iteration count.
    pub iterations: u32,
}

impl fmt::Debug for ScramStoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramStoredKey")
            .field("salt", &self.salt)
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramStoredKey {
    /// Derives the stored key for `mechanism` from a password (SASLprep'd),
    /// for provisioning: when a user sets a password, not at login.
    /// `Error::Emit` for a bad password, a zero iteration count, an empty
    /// salt or a mechanism that is not SCRAM.
    pub fn derive(
        mechanism: Mechanism,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, Error> {
        let (hash, _) =
            scram_params(mechanism).ok_or(Error::Emit(crate::error::Unemittable::NotScram))?;
        if iterations == 0 || salt.is_empty() {
            return Err(Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM salt or iteration count",
            }));
        }
        let password = saslprep(password)?;
        let salted = hash.hi(password.as_bytes(), salt, iterations);
        Ok(ScramStoredKey {
            stored_key: hash.digest(&hash.hmac(&salted, b"Client Key")),
            server_key: hash.hmac(&salted, b"Server Key"),
            salt: salt.to_vec(),
            iterations,
        })
    }
}

/// What a [`ScramServer`] wants next.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ScramServerStep {
    /// The client named a user: look up its [`ScramStoredKey`] and pass it
    /// to [`ScramServer::stored_key`]. (For an unknown user, pass a decoy key
    /// with a stable salt so the answer does not tell the user does not exist.)
    Lookup {
        /// The authentication identity (unescaped).
        username: String,
        /// The identity to act as, when the client asked for one.
        authzid: Option<String>,
    },
    /// Send this raw challenge (the server-first-message) and feed the
    /// client's answer to [`ScramServer::step`].
    Challenge(Vec<u8>),
    /// The proof is right: the user is authenticated. Send `server_final`
    /// (the protocol's last challenge, or its success data), then success
    /// once the application allows `authzid`.
    Done {
        /// The authenticated user.
        username: String,
        /// The identity to act as, when the client asked for one.
        authzid: Option<String>,
        /// The server-final-message (`v=`).
        server_final: Vec<u8>,
    },
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum State {
    New,
    AwaitFirst,
    Lookup {
        gs2_header: Vec<u8>,
        first_bare: Vec<u8>,
        client_nonce: Vec<u8>,
        username: String,
        authzid: Option<String>,
    },
    AwaitFinal {
        gs2_header: Vec<u8>,
        /// client-first-message-bare "," server-first-message ","
        auth_prefix: Vec<u8>,
        nonce: Vec<u8>,
        key: ScramStoredKey,
        username: String,
        authzid: Option<String>,
    },
    Done,
    Failed(Error),
}

/// The server side of a SCRAM exchange (RFC 5802 §5): it verifies the
/// client's proof against a [`ScramStoredKey`] and signs its answer.
///
/// ```
/// # #[cfg(feature = "sasl-hash")] {
/// use mailwire::wire::sasl::{Mechanism, ScramServer, ScramServerStep, ScramStoredKey};
///
/// let key = ScramStoredKey::derive(Mechanism::ScramSha256, "pencil", b"salt", 4096).unwrap();
/// let mut server = ScramServer::new(Mechanism::ScramSha256, "3rfcNHYJY1ZVvWVs7j").unwrap();
/// let step = server.start(Some(b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")).unwrap();
/// assert!(matches!(step, ScramServerStep::Lookup { ref username, .. } if username == "user"));
/// let ScramServerStep::Challenge(server_first) = server.stored_key(&key).unwrap() else { panic!() };
/// assert!(server_first.starts_with(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=c2FsdA==,i=4096"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ScramServer {
    mechanism: Mechanism,
    hash: Hash,
    plus: bool,
    server_nonce: String,
    channel_binding: Option<ChannelBinding<'static>>,
    state: State,
}

impl ScramServer {
    /// A server for `mechanism` (a `SCRAM-*` one) with the application's
    /// server nonce (printable ASCII without `,`, from a good random source).
    /// `Error::Misuse` otherwise.
    pub fn new(mechanism: Mechanism, server_nonce: &str) -> Result<Self, Error> {
        let (hash, plus) =
            scram_params(mechanism).ok_or(Error::Misuse(crate::error::ApiMisuse::NotScram))?;
        if !nonce_ok(server_nonce.as_bytes()) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidServerNonce));
        }
        Ok(ScramServer {
            mechanism,
            hash,
            plus,
            server_nonce: String::from(server_nonce),
            channel_binding: None,
            state: State::New,
        })
    }

    /// With this connection's channel-binding data: required for a `-PLUS`
    /// mechanism, and for a plain one it says that the server advertises the
    /// `-PLUS` variant on this connection, so a client that answers `y`
    /// ("the server does not support binding") is refused as a downgrade
    /// (RFC 5802 §6).
    pub fn with_channel_binding(mut self, cb: ChannelBinding<'static>) -> Self {
        self.channel_binding = Some(cb);
        self
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Start, with the client's raw initial response if it sent one.
    pub fn start(&mut self, initial: Option<&[u8]>) -> Result<ScramServerStep, Error> {
        if self.state != State::New {
            return Err(Error::Misuse(crate::error::ApiMisuse::SaslAlreadyStarted));
        }
        if self.plus && self.channel_binding.is_none() {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::ChannelBindingRequired,
            ));
        }
        match initial {
            None => {
                self.state = State::AwaitFirst;
                Ok(ScramServerStep::Challenge(Vec::new()))
            }
            Some(first) => {
                let r = self.client_first(first);
                self.settle(r)
            }
        }
    }

    /// The client's next raw (decoded) response.
    pub fn step(&mut self, response: &[u8]) -> Result<ScramServerStep, Error> {
        let r = match core::mem::replace(&mut self.state, State::Done) {
            State::New => {
                self.state = State::New;
                return Err(Error::Misuse(crate::error::ApiMisuse::SaslNotStarted));
            }
            State::AwaitFirst => self.client_first(response),
            State::Lookup { .. } => {
                return Err(Error::Misuse(crate::error::ApiMisuse::StoredKeyPending));
            }
            State::AwaitFinal {
                gs2_header,
                auth_prefix,
                nonce,
                key,
                username,
                authzid,
            } => self.client_final(
                response,
                &gs2_header,
                auth_prefix,
                &nonce,
                &key,
                username,
                authzid,
            ),
            State::Done => Err(Error::Sasl(
                crate::error::SaslError::ResponseAfterCompletion,
            )),
            State::Failed(e) => Err(e),
        };
        self.settle(r)
    }

    /// The stored key of the user [`ScramServerStep::Lookup`] named: the
    /// answer is the server-first-message. `Error::Sasl` when the key does
    /// not fit the mechanism's hash.
    pub fn stored_key(&mut self, key: &ScramStoredKey) -> Result<ScramServerStep, Error> {
        let State::Lookup {
            gs2_header,
            first_bare,
            client_nonce,
            username,
            authzid,
        } = core::mem::replace(&mut self.state, State::Done)
        else {
            self.state =
                State::Failed(Error::Misuse(crate::error::ApiMisuse::NoStoredKeyRequested));
            return Err(Error::Misuse(crate::error::ApiMisuse::NoStoredKeyRequested));
        };
        let r = if key.stored_key.len() != self.hash.len()
            || key.server_key.len() != self.hash.len()
            || key.salt.is_empty()
            || key.iterations == 0
        {
            Err(Error::Misuse(crate::error::ApiMisuse::StoredKeyMismatch))
        } else {
            let mut nonce = client_nonce;
            nonce.extend_from_slice(self.server_nonce.as_bytes());
            let mut server_first = Vec::from(&b"r="[..]);
            server_first.extend_from_slice(&nonce);
            server_first.extend_from_slice(b",s=");
            server_first.extend_from_slice(STANDARD.encode(&key.salt).as_bytes());
            server_first.extend_from_slice(b",i=");
            server_first.extend_from_slice(alloc::format!("{}", key.iterations).as_bytes());
            let mut auth_prefix = first_bare;
            auth_prefix.push(b',');
            auth_prefix.extend_from_slice(&server_first);
            auth_prefix.push(b',');
            self.state = State::AwaitFinal {
                gs2_header,
                auth_prefix,
                nonce,
                key: key.clone(),
                username,
                authzid,
            };
            Ok(ScramServerStep::Challenge(server_first))
        };
        self.settle(r)
    }

    fn settle(&mut self, r: Result<ScramServerStep, Error>) -> Result<ScramServerStep, Error> {
        match &r {
            Ok(ScramServerStep::Done { .. }) => self.state = State::Done,
            Ok(_) => {}
            Err(e) => self.state = State::Failed(e.clone()),
        }
        r
    }

    // client-first-message = gs2-header client-first-message-bare
    // gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
    fn client_first(&mut self, message: &[u8]) -> Result<ScramServerStep, Error> {
        let (flag, rest) =
            split_comma(message).ok_or(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed))?;
        match flag {
            b"n" => {}
            b"y" => {
                // RFC 5802 §6: "If the flag is set to "y" and the server supports
                // channel binding, the server MUST fail authentication."
                if self.channel_binding.is_some() {
                    return Err(Error::Sasl(crate::error::SaslError::Downgrade));
                }
            }
            [b'p', b'=', name @ ..] => {
                let kind = ChannelBindingType::from_name(name);
                match &self.channel_binding {
                    _ if !self.plus => {
                        return Err(Error::Sasl(
                            crate::error::SaslError::ChannelBindingUnsupported,
                        ));
                    }
                    Some(cb) if Some(cb.kind) == kind => {}
                    _ => {
                        return Err(Error::Sasl(
                            crate::error::SaslError::ChannelBindingUnsupported,
                        ));
                    }
                }
            }
            _ => return Err(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed)),
        }
        if self.plus && !flag.starts_with(b"p=") {
            return Err(Error::Sasl(crate::error::SaslError::ChannelBindingMissing));
        }
        let (authzid, bare) =
            split_comma(rest).ok_or(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed))?;
        let authzid = match authzid {
            [] => None,
            [b'a', b'=', name @ ..] => Some(unescape_saslname(name)?),
            _ => return Err(Error::Sasl(crate::error::SaslError::Gs2HeaderMalformed)),
        };
        let gs2_len = message.len() - bare.len();
        let attrs = attributes(bare)?;
        let mut attrs = attrs.into_iter();
        let (username, nonce) = match (attrs.next(), attrs.next()) {
            (Some((b'm', _)), _) => {
                return Err(Error::Sasl(
                    crate::error::SaslError::UnknownMandatoryExtension,
                ));
            }
            (Some((b'n', user)), Some((b'r', nonce))) => (unescape_saslname(user)?, nonce),
            _ => {
                return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                    attribute: 'n',
                }));
            }
        };
        if !nonce_ok(nonce) {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'r',
            }));
        }
        self.state = State::Lookup {
            gs2_header: message[..gs2_len].to_vec(),
            first_bare: bare.to_vec(),
            client_nonce: nonce.to_vec(),
            username: username.clone(),
            authzid: authzid.clone(),
        };
        Ok(ScramServerStep::Lookup { username, authzid })
    }

    // client-final-message-without-proof = channel-binding "," nonce ["," extensions]
    // client-final-message = client-final-message-without-proof "," proof
    #[allow(clippy::too_many_arguments)]
    fn client_final(
        &self,
        message: &[u8],
        gs2_header: &[u8],
        mut auth_message: Vec<u8>,
        nonce: &[u8],
        key: &ScramStoredKey,
        username: String,
        authzid: Option<String>,
    ) -> Result<ScramServerStep, Error> {
        let at =
            find(message, b",p=").ok_or(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'p',
            }))?;
        let (without_proof, proof) = (&message[..at], &message[at + 3..]);
        let attrs = attributes(without_proof)?;
        let (Some((b'c', cbind)), Some((b'r', r))) = (attrs.first(), attrs.get(1)) else {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'c',
            }));
        };
        let mut expected = gs2_header.to_vec();
        if self.plus {
            if let Some(cb) = &self.channel_binding {
                expected.extend_from_slice(&cb.data);
            }
        }
        let cbind = STANDARD
            .decode(cbind)
            .map_err(|_| Error::Sasl(crate::error::SaslError::ScramAttribute { attribute: 'c' }))?;
        if !constant_time_eq(&cbind, &expected) {
            return Err(Error::Sasl(crate::error::SaslError::ChannelBindingMismatch));
        }
        if *r != nonce {
            return Err(Error::Sasl(crate::error::SaslError::NonceMismatch));
        }
        if proof.contains(&b',') {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'p',
            }));
        }
        let proof = STANDARD
            .decode(proof)
            .map_err(|_| Error::Sasl(crate::error::SaslError::ScramAttribute { attribute: 'p' }))?;
        if proof.len() != self.hash.len() {
            return Err(Error::Sasl(crate::error::SaslError::ScramAttribute {
                attribute: 'p',
            }));
        }
        auth_message.extend_from_slice(without_proof);
        let client_signature = self.hash.hmac(&key.stored_key, &auth_message);
        let client_key: Vec<u8> = proof
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        if !constant_time_eq(&self.hash.digest(&client_key), &key.stored_key) {
            return Err(Error::Sasl(crate::error::SaslError::ProofWrong));
        }
        let signature = self.hash.hmac(&key.server_key, &auth_message);
        let mut server_final = Vec::from(&b"v="[..]);
        server_final.extend_from_slice(STANDARD.encode(&signature).as_bytes());
        Ok(ScramServerStep::Done {
            username,
            authzid,
            server_final,
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn split_comma(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = memchr::memchr(b',', s)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `attr-val *("," attr-val)`, `attr-val = ALPHA "=" value`,
/// `value = 1*value-char` (UTF-8 without NUL and `,`).
fn attributes(message: &[u8]) -> Result<Vec<(u8, &[u8])>, Error> {
    let mut out = Vec::new();
    for part in message.split(|&b| b == b',') {
        match part {
            [name, b'=', value @ ..] if name.is_ascii_alphabetic() && !value.is_empty() => {
                if value.contains(&0) || core::str::from_utf8(value).is_err() {
                    return Err(Error::Sasl(crate::error::SaslError::ScramSyntax));
                }
                out.push((*name, value));
            }
            _ => return Err(Error::Sasl(crate::error::SaslError::ScramSyntax)),
        }
    }
    Ok(out)
}

/// `printable = %x21-2B / %x2D-7E`, at least one.
fn nonce_ok(nonce: &[u8]) -> bool {
    !nonce.is_empty()
        && nonce
            .iter()
            .all(|&b| matches!(b, 0x21..=0x2b | 0x2d..=0x7e))
}

/// `posit-number = %x31-39 *DIGIT`, as a u32.
fn positive_number(s: &[u8]) -> Option<u32> {
    match s.first() {
        Some(b'1'..=b'9') if s.iter().all(u8::is_ascii_digit) => {
            core::str::from_utf8(s).ok()?.parse().ok()
        }
        _ => None,
    }
}

/// `saslname = 1*(value-safe-char / "=2C" / "=3D")`
fn escape_saslname(name: &str, out: &mut Vec<u8>) {
    for &b in name.as_bytes() {
        match b {
            b',' => out.extend_from_slice(b"=2C"),
            b'=' => out.extend_from_slice(b"=3D"),
            b => out.push(b),
        }
    }
}

fn unescape_saslname(name: &[u8]) -> Result<String, Error> {
    let name = core::str::from_utf8(name)
        .map_err(|_| Error::Sasl(crate::error::SaslError::NameMalformed))?;
    if name.is_empty() {
        return Err(Error::Sasl(crate::error::SaslError::NameMalformed));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            // RFC 5802 §5.1: "the server MUST fail the authentication" on
            // another '=' sequence
            _ => return Err(Error::Sasl(crate::error::SaslError::NameMalformed)),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The SASLprep subset of the module docs: maps, refuses, never normalises.
pub(crate) fn saslprep(s: &str) -> Result<Cow<'_, str>, Error> {
    if s.bytes().all(|b| matches!(b, 0x20..=0x7e)) {
        return if s.is_empty() {
            Err(Error::Emit(crate::error::Unemittable::Credential {
                field: "SCRAM password",
            }))
        } else {
            Ok(Cow::Borrowed(s))
        };
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if mapped_to_nothing(c) {
            continue;
        }
        if non_ascii_space(c) {
            out.push(' ');
            continue;
        }
        if prohibited(c) {
            return Err(Error::Emit(crate::error::Unemittable::SaslPrepProhibited));
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(Error::Emit(crate::error::Unemittable::EmptyAfterSaslPrep));
    }
    Ok(Cow::Owned(out))
}

/// RFC 3454 B.1.
fn mapped_to_nothing(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x1806 | 0x180B..=0x180D | 0x200B..=0x200D | 0x2060
        | 0xFE00..=0xFE0F | 0xFEFF)
}

/// RFC 3454 C.1.2.
fn non_ascii_space(c: char) -> bool {
    matches!(
        c as u32,
        0x00A0 | 0x1680 | 0x2000..=0x200B | 0x202F | 0x205F | 0x3000
    )
}

/// RFC 3454 C.2.1, C.2.2, C.3, C.4, C.6, C.7, C.8, C.9 (C.5 cannot occur in a `str`).
fn prohibited(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        // C.2.1, C.2.2
        0x0000..=0x001F | 0x007F | 0x0080..=0x009F | 0x06DD | 0x070F | 0x180E
        | 0x200C | 0x200D | 0x2028 | 0x2029 | 0x2060..=0x2063 | 0x206A..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFC | 0x1D173..=0x1D17A
        // C.3
        | 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD
        // C.4
        | 0xFDD0..=0xFDEF
        // C.6, C.7
        | 0xFFFD | 0x2FF0..=0x2FFB
        // C.8
        | 0x0340 | 0x0341 | 0x200E | 0x200F | 0x202A..=0x202E
        // C.9
        | 0xE0001 | 0xE0020..=0xE007F)
        // C.4: the last two code points of every plane
        || (u & 0xFFFE) == 0xFFFE
}
