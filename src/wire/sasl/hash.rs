//! The digests the hashed mechanisms use, over RustCrypto's crates: MD5 and
//! HMAC-MD5 (CRAM-MD5, APOP), SHA-1/SHA-256, their HMACs and PBKDF2 (SCRAM).
//! No digest is written by hand here.

use alloc::vec::Vec;

use hmac::Mac as _;
use sha1::Digest as _;

/// A SCRAM hash function (RFC 5802 §2.2 `H`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    /// `H(data)`.
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }

    /// `HMAC(key, data)` (RFC 2104).
    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn run<M: hmac::Mac + hmac::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            // HMAC takes keys of any length: `new_from_slice` cannot fail.
            match <M as hmac::KeyInit>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(data);
                    mac.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self {
            Hash::Sha1 => run::<hmac::Hmac<sha1::Sha1>>(key, data),
            Hash::Sha256 => run::<hmac::Hmac<sha2::Sha256>>(key, data),
        }
    }

    /// `Hi(str, salt, i)`: PBKDF2 with HMAC-`H`, one block (RFC 5802 §2.2).
    pub(crate) fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let mut out = alloc::vec![0u8; self.len()];
        match self {
            Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut out),
            Hash::Sha256 => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut out)
            }
        }
        out
    }

    /// The output length in bytes.
    pub(crate) fn len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
        }
    }
}

/// MD5 (RFC 1321) of the concatenation of `parts`.
#[cfg_attr(not(any(feature = "pop3", test)), allow(dead_code))]
pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = md5::Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-MD5 (RFC 2104), the CRAM-MD5 digest.
pub(crate) fn hmac_md5(key: &[u8], data: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    if let Ok(mut mac) = <hmac::Hmac<md5::Md5> as hmac::KeyInit>::new_from_slice(key) {
        mac.update(data);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

/// Lowercase hex.
pub(crate) fn hex<const N: usize, const M: usize>(bytes: &[u8; N]) -> [u8; M] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; M];
    for (i, b) in bytes.iter().enumerate().take(M / 2) {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// Equality that does not stop at the first differing byte (the length is not secret).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1321 §A.5 test suite (a few), through the md-5 crate.
    #[test]
    fn md5_rfc1321_suite() {
        let h: [u8; 32] = hex(&md5(&[b"abc"]));
        assert_eq!(&h, b"900150983cd24fb0d6963f7d28e17f72");
        let h: [u8; 32] = hex(&md5(&[b"message ", b"digest"]));
        assert_eq!(&h, b"f96b697d7cb7938d525a2f31aaf161d0");
    }

    /// RFC 2202 §2 test case 2: HMAC-MD5 with key "Jefe".
    #[test]
    fn hmac_md5_rfc2202() {
        let h: [u8; 32] = hex(&hmac_md5(b"Jefe", b"what do ya want for nothing?"));
        assert_eq!(&h, b"750c783e6ab0b503eaa86e310a5db738");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
