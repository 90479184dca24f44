//! Byte-exact text values shared by the protocols: [`Text`] for human-readable
//! text a peer sent (kept lossless, viewable as UTF-8), and [`Secret`] for
//! passwords and tokens (never shown by `Debug`).
//!
//! ```
//! use mailwire::{Secret, Text};
//!
//! let subject = Text::from(&b"caf\xe9 (Latin-1)"[..]); // kept byte for byte
//! assert_eq!(subject.as_str(), None);
//! assert_eq!(subject.to_str_lossy(), "caf\u{fffd} (Latin-1)");
//! let password = Secret::from("hunter2");
//! assert_eq!(password.expose(), b"hunter2");
//! assert!(!format!("{password:?}").contains("hunter2"));
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Text from the wire: the exact bytes, which need not be UTF-8.
///
/// Servers send Latin-1 file names, UTF-8 en dashes in status texts and raw 8-bit
/// subjects. Nothing is rejected for not being UTF-8: the bytes are kept as sent
/// and [`to_str_lossy`](Self::to_str_lossy) gives a readable view.
///
/// ```
/// use mailwire::Text;
///
/// let t = Text::borrowed("Grüße".as_bytes());
/// assert_eq!(t.as_str(), Some("Grüße"));
/// assert_eq!(t.to_string(), "Grüße");
/// assert_eq!(Text::from(&b"\xff"[..]).to_str_lossy(), "\u{fffd}");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text<'a>(pub Cow<'a, [u8]>);

impl<'a> Text<'a> {
    /// Borrows `bytes`.
    pub const fn borrowed(bytes: &'a [u8]) -> Self {
        Text(Cow::Borrowed(bytes))
    }

    /// The exact bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text as UTF-8, with invalid sequences replaced by U+FFFD.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The text as `&str` when it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

crate::owned::into_owned! {
    inherent struct Text(bytes)
    inherent struct Secret(bytes)
}

impl<'a> From<&'a [u8]> for Text<'a> {
    fn from(b: &'a [u8]) -> Self {
        Text::borrowed(b)
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::borrowed(s.as_bytes())
    }
}

impl From<Vec<u8>> for Text<'static> {
    fn from(b: Vec<u8>) -> Self {
        Text(Cow::Owned(b))
    }
}

impl From<String> for Text<'static> {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s.into_bytes()))
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str_lossy())
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

/// A password, token or other credential. `Debug` prints a placeholder so
/// secrets never reach logs.
///
/// ```
/// use mailwire::Secret;
///
/// let token = Secret::new(b"ya29.a0Af".to_vec());
/// assert_eq!(token.expose(), b"ya29.a0Af");
/// let logged = format!("{token:?}");
/// assert!(!logged.contains("ya29"), "{logged}");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<'a>(pub Cow<'a, [u8]>);

impl<'a> Secret<'a> {
    /// Wraps a secret.
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        Secret(bytes.into())
    }

    /// The secret bytes. Handle with care.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl<'a> From<&'a str> for Secret<'a> {
    fn from(s: &'a str) -> Self {
        Secret(Cow::Borrowed(s.as_bytes()))
    }
}

/// Borrows the bytes of another secret, so a method taking
/// `impl Into<Secret>` accepts `&secret` as well as `"password"`.
impl<'a> From<&'a Secret<'_>> for Secret<'a> {
    fn from(s: &'a Secret<'_>) -> Self {
        Secret(Cow::Borrowed(s.expose()))
    }
}

impl<'a> From<&'a String> for Secret<'a> {
    fn from(s: &'a String) -> Self {
        Secret(Cow::Borrowed(s.as_bytes()))
    }
}

impl From<String> for Secret<'static> {
    fn from(s: String) -> Self {
        Secret(Cow::Owned(s.into_bytes()))
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn text_is_lossless_with_lossy_view() {
        let t = Text::borrowed(b"Logged in \xe2\x80\x93 caf\xe9");
        assert_eq!(t.as_bytes(), b"Logged in \xe2\x80\x93 caf\xe9");
        assert_eq!(t.to_str_lossy(), "Logged in \u{2013} caf\u{fffd}");
        assert!(t.as_str().is_none());
        assert_eq!(t.clone().into_owned(), t);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::from("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.expose(), b"hunter2");
    }
}
