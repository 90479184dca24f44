//! What the server advertised (RFC 9051 §6.1.1 CAPABILITY, §7.1 the
//! `CAPABILITY` response code) and what the client enabled (RFC 5161 ENABLE).

use alloc::vec::Vec;

use crate::imap::types::core::{Atom, List};

/// Extensions that IMAP4rev2 (RFC 9051 Appendix E) folds into the base
/// protocol: a server advertising `IMAP4rev2` supports them all.
const REV2_IMPLIES: &[&str] = &[
    "NAMESPACE",
    "UNSELECT",
    "UIDPLUS",
    "ESEARCH",
    "SEARCHRES",
    "ENABLE",
    "IDLE",
    "SASL-IR",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "MOVE",
    "LITERAL-",
    "BINARY",
    "SPECIAL-USE",
    "STATUS=SIZE",
    "CHILDREN",
];

/// A set of capability atoms, kept as one compact buffer of upper-cased
/// names separated by spaces (a Dovecot list is ~300 bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    raw: Vec<u8>,
}

impl Capabilities {
    /// The set of the atoms of `list`.
    pub(crate) fn from_list(list: &List<'_, Atom<'_>>) -> Self {
        let mut c = Capabilities::default();
        for a in list.iter() {
            c.push(a.as_str());
        }
        c
    }

    pub(crate) fn push(&mut self, name: &str) {
        if self.has_exact(name) {
            return;
        }
        if !self.raw.is_empty() {
            self.raw.push(b' ');
        }
        self.raw
            .extend(name.bytes().map(|b| b.to_ascii_uppercase()));
    }

    pub(crate) fn clear(&mut self) {
        self.raw.clear();
    }

    fn has_exact(&self, name: &str) -> bool {
        self.iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    /// The names, upper-cased, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.raw
            .split(|&b| b == b' ')
            .filter(|s| !s.is_empty())
            .filter_map(|s| core::str::from_utf8(s).ok())
    }

    /// Whether nothing is known (no greeting code and no CAPABILITY answer
    /// yet, or forgotten after STARTTLS).
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Whether `name` was listed (case-insensitive), or is implied by
    /// `IMAP4rev2` (RFC 9051 Appendix E).
    pub fn has(&self, name: &str) -> bool {
        self.has_exact(name)
            || (REV2_IMPLIES.iter().any(|c| c.eq_ignore_ascii_case(name))
                && self.has_exact("IMAP4rev2"))
    }

    /// Whether `AUTH=mechanism` was listed.
    pub fn auth(&self, mechanism: &str) -> bool {
        self.prefixed("AUTH=", mechanism)
    }

    /// Whether `prefix` + `value` was listed (`COMPRESS=DEFLATE`, `THREAD=REFERENCES`).
    pub fn prefixed(&self, prefix: &str, value: &str) -> bool {
        self.iter().any(|c| {
            c.len() == prefix.len() + value.len()
                && c.get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                && c.get(prefix.len()..)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
    }

    /// The SASL mechanisms listed as `AUTH=...`.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.iter().filter_map(|c| c.strip_prefix("AUTH="))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup() {
        let mut c = Capabilities::default();
        assert!(c.is_empty());
        for n in [
            "IMAP4rev1",
            "auth=PLAIN",
            "IDLE",
            "COMPRESS=DEFLATE",
            "IDLE",
        ] {
            c.push(n);
        }
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            ["IMAP4REV1", "AUTH=PLAIN", "IDLE", "COMPRESS=DEFLATE"]
        );
        assert!(c.has("idle") && !c.has("MOVE"));
        assert!(c.auth("plain") && !c.auth("LOGIN"));
        assert!(c.prefixed("COMPRESS=", "deflate"));
        assert_eq!(c.auth_mechanisms().collect::<Vec<_>>(), ["PLAIN"]);
        c.push("IMAP4rev2");
        assert!(c.has("MOVE") && c.has("literal-") && !c.has("LITERAL+"));
        c.clear();
        assert!(!c.has("IDLE"));
    }
}
