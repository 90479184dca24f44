//! The APOP digest of RFC 1939 §7, over the `md-5` crate (`sasl-hash` feature).
//!
//! MD5 is broken as a general-purpose hash; APOP uses it because the RFC says so.

use crate::wire::sasl::hash::{constant_time_eq, hex, md5};

/// The APOP digest (RFC 1939 §7): MD5 of the greeting's timestamp (angle brackets
/// included) followed by the shared secret, as 32 lowercase hex digits.
pub(crate) fn apop_digest(timestamp: &[u8], secret: &[u8]) -> [u8; 32] {
    hex(&md5(&[timestamp, secret]))
}

/// Whether `digest` (hex, either case) is the APOP digest of `timestamp` and `secret`.
/// The comparison does not stop at the first differing byte.
pub(crate) fn apop_matches(timestamp: &[u8], secret: &[u8], digest: &[u8]) -> bool {
    let digest: alloc::vec::Vec<u8> = digest.iter().map(u8::to_ascii_lowercase).collect();
    constant_time_eq(&apop_digest(timestamp, secret), &digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1939 §7: "Examples: S: +OK POP3 server ready
    /// <1896.697170952@dbc.mtview.ca.us> C: APOP mrose
    /// c4c9334bac560ecc979e58001b3e22fb" (the shared secret is "tanstaaf").
    #[test]
    fn rfc1939_apop_example() {
        let ts = b"<1896.697170952@dbc.mtview.ca.us>";
        assert_eq!(
            &apop_digest(ts, b"tanstaaf"),
            b"c4c9334bac560ecc979e58001b3e22fb"
        );
        assert!(apop_matches(
            ts,
            b"tanstaaf",
            b"c4c9334bac560ecc979e58001b3e22fb"
        ));
        assert!(apop_matches(
            ts,
            b"tanstaaf",
            b"C4C9334BAC560ECC979E58001B3E22FB"
        ));
        assert!(!apop_matches(
            ts,
            b"tanstaaF",
            b"c4c9334bac560ecc979e58001b3e22fb"
        ));
        assert!(!apop_matches(
            ts,
            b"tanstaaf",
            b"c4c9334bac560ecc979e58001b3e22f"
        ));
    }
}
