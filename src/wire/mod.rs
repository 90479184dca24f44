//! Protocol-agnostic pieces shared by two or more protocols: line framing
//! ([`line`](mod@line)), dot-stuffing ([`dot`]), SASL ([`sasl`]) and the PROXY
//! protocol header of load balancers ([`proxy`]).
//!
//! ```
//! use mailwire::wire::dot::{decode_all, BodyPolicy};
//! use mailwire::wire::sasl::{Credentials, SaslClient};
//!
//! // a POP3 multi-line body or an SMTP DATA body, unstuffed (RFC 1939 §3, RFC 5321 §4.5.2)
//! let mut body = Vec::new();
//! let used = decode_all(b"..dot\r\nline\r\n.\r\nNEXT", BodyPolicy::Strict, &mut body)?;
//! assert_eq!((body.as_slice(), used), (&b".dot\r\nline\r\n"[..], Some(16))); // "NEXT" is not body
//! // a SASL client step (RFC 4616 §2: authzid NUL authcid NUL passwd)
//! let mut plain = SaslClient::new(Credentials::Plain { authzid: None, username: "tim", password: "tanstaaf".into() });
//! assert_eq!(plain.initial_response().unwrap(), b"\0tim\0tanstaaf");
//! # Ok::<(), mailwire::Error>(())
//! ```

#[cfg(any(feature = "pop3", feature = "imap"))]
pub(crate) mod decimal;
pub mod dot;
pub mod line;
pub mod proxy;
pub mod sasl;
