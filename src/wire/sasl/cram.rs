//! CRAM-MD5 (RFC 2195): the server sends a challenge in the form of an RFC 822
//! `msg-id` (`<random.timestamp@host>`), the client answers with its user name,
//! a space and the HMAC-MD5 of the challenge keyed by the shared secret, as 32
//! lowercase hex digits.
//!
//! The library has no random number generator and no clock: the server's
//! challenge is built from the digits and the time the application supplies.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::hash::{constant_time_eq, hex, hmac_md5};
use crate::Error;

/// The challenge `<random.timestamp@host>` (RFC 2195 §2). `host` must be a
/// non-empty run of visible ASCII without `<`, `>` or `@`; `Error::Emit` otherwise.
pub fn cram_md5_challenge(random: u64, timestamp: u64, host: &str) -> Result<Vec<u8>, Error> {
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'@'))
    {
        return Err(Error::Emit(crate::error::Unemittable::Credential {
            field: "CRAM-MD5 host",
        }));
    }
    let mut s = String::new();
    let _ = write!(s, "<{random}.{timestamp}@{host}>");
    Ok(s.into_bytes())
}

/// The client's response: `user SP 32 lowercase hex digits` of
/// HMAC-MD5(secret, challenge) (RFC 2195 §2).
pub(crate) fn client_response(username: &str, secret: &[u8], challenge: &[u8]) -> Vec<u8> {
    let digest: [u8; 32] = hex(&hmac_md5(secret, challenge));
    let mut out = Vec::with_capacity(username.len() + 33);
    out.extend_from_slice(username.as_bytes());
    out.push(b' ');
    out.extend_from_slice(&digest);
    out
}

/// What a CRAM-MD5 client sent, with the challenge it answered: the application
/// looks up the user's shared secret and calls [`verify`](Self::verify).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CramMd5Response<'a> {
    username: Cow<'a, str>,
    digest: [u8; 32],
    challenge: Cow<'a, [u8]>,
}

impl<'a> CramMd5Response<'a> {
    /// Parses `user SP digest` (the digest is the last 32 characters after the
    /// last space; either case of hex is accepted). `Error::Sasl` when malformed.
    pub(crate) fn parse(response: &'a [u8], challenge: Vec<u8>) -> Result<Self, Error> {
        let space = memchr::memrchr(b' ', response)
            .ok_or(Error::Sasl(crate::error::SaslError::CramMalformed))?;
        let (user, digest) = (&response[..space], &response[space + 1..]);
        let digest: [u8; 32] = digest
            .try_into()
            .map_err(|_| Error::Sasl(crate::error::SaslError::CramMalformed))?;
        if !digest.iter().all(u8::is_ascii_hexdigit) {
            return Err(Error::Sasl(crate::error::SaslError::CramMalformed));
        }
        let user = core::str::from_utf8(user)
            .ok()
            .filter(|u| !u.is_empty() && !u.contains('\0'))
            .ok_or(Error::Sasl(crate::error::SaslError::CramMalformed))?;
        Ok(CramMd5Response {
            username: Cow::Borrowed(user),
            digest: digest.map(|b| b.to_ascii_lowercase()),
            challenge: Cow::Owned(challenge),
        })
    }

    /// The user name the client sent.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The challenge the server sent.
    pub fn challenge(&self) -> &[u8] {
        &self.challenge
    }

    /// Whether the digest is HMAC-MD5(`secret`, challenge). The comparison
    /// does not stop at the first differing byte.
    pub fn verify(&self, secret: &[u8]) -> bool {
        let expected: [u8; 32] = hex(&hmac_md5(secret, &self.challenge));
        constant_time_eq(&expected, &self.digest)
    }
}

crate::owned::into_owned! {
    inherent struct CramMd5Response { username, digest, challenge }
}
