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

/// Capabilities real servers advertise (Dovecot, Cyrus, Gmail, Exchange):
/// each one is a bit in [`Capabilities`], so a typical list costs no heap.
const KNOWN: &[&str] = &[
    "IMAP4REV1",
    "IMAP4REV2",
    "STARTTLS",
    "LOGINDISABLED",
    "AUTH=PLAIN",
    "AUTH=LOGIN",
    "AUTH=XOAUTH2",
    "AUTH=OAUTHBEARER",
    "AUTH=EXTERNAL",
    "AUTH=ANONYMOUS",
    "AUTH=CRAM-MD5",
    "AUTH=SCRAM-SHA-1",
    "AUTH=SCRAM-SHA-256",
    "AUTH=GSSAPI",
    "SASL-IR",
    "LOGIN-REFERRALS",
    "ID",
    "ENABLE",
    "IDLE",
    "SORT",
    "SORT=DISPLAY",
    "THREAD=REFERENCES",
    "THREAD=REFS",
    "THREAD=ORDEREDSUBJECT",
    "MULTIAPPEND",
    "URL-PARTIAL",
    "CATENATE",
    "UNSELECT",
    "CHILDREN",
    "NAMESPACE",
    "UIDPLUS",
    "LIST-EXTENDED",
    "I18NLEVEL=1",
    "CONDSTORE",
    "QRESYNC",
    "ESEARCH",
    "ESORT",
    "SEARCHRES",
    "WITHIN",
    "CONTEXT=SEARCH",
    "LIST-STATUS",
    "BINARY",
    "MOVE",
    "SNIPPET=FUZZY",
    "PREVIEW=FUZZY",
    "PREVIEW",
    "STATUS=SIZE",
    "SAVEDATE",
    "LITERAL+",
    "LITERAL-",
    "NOTIFY",
    "SPECIAL-USE",
    "QUOTA",
    "QUOTA=RES-STORAGE",
    "QUOTA=RES-MESSAGE",
    "METADATA",
    "METADATA-SERVER",
    "COMPRESS=DEFLATE",
    "UTF8=ACCEPT",
    "OBJECTID",
    "APPENDLIMIT",
    "ACL",
    "RIGHTS=TEKX",
    "XLIST",
];

const _: () = assert!(KNOWN.len() <= 64);

fn known_index(name: &str) -> Option<usize> {
    KNOWN.iter().position(|k| k.eq_ignore_ascii_case(name))
}

/// A set of capability atoms: the well-known ones are bits, the rest are kept
/// upper-cased in one small buffer separated by spaces. A Dovecot list (about
/// 400 bytes on the wire) needs no heap at all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    known: u64,
    other: Vec<u8>,
}

impl Capabilities {
    /// The set of the atoms of `list`.
    pub(crate) fn from_list(list: &List<'_, Atom<'_>>) -> Self {
        let mut c = Capabilities::default();
        for a in list.iter() {
            c.push(a.as_str());
        }
        c.other.shrink_to_fit();
        c
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        self.other.capacity()
    }

    pub(crate) fn push(&mut self, name: &str) {
        if let Some(i) = known_index(name) {
            self.known |= 1 << i;
            return;
        }
        if self.has_other(name) {
            return;
        }
        if !self.other.is_empty() {
            self.other.push(b' ');
        }
        self.other
            .extend(name.bytes().map(|b| b.to_ascii_uppercase()));
    }

    pub(crate) fn clear(&mut self) {
        self.known = 0;
        self.other = Vec::new();
    }

    fn has_other(&self, name: &str) -> bool {
        self.others().any(|c| c.eq_ignore_ascii_case(name))
    }

    fn others(&self) -> impl Iterator<Item = &str> {
        self.other
            .split(|&b| b == b' ')
            .filter(|s| !s.is_empty())
            .filter_map(|s| core::str::from_utf8(s).ok())
    }

    fn has_exact(&self, name: &str) -> bool {
        match known_index(name) {
            Some(i) => self.known & (1 << i) != 0,
            None => self.has_other(name),
        }
    }

    /// The names, upper-cased: the well-known ones first, in a fixed order,
    /// then the others in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let known = self.known;
        KNOWN
            .iter()
            .enumerate()
            .filter(move |(i, _)| known & (1 << i) != 0)
            .map(|(_, k)| *k)
            .chain(self.others())
    }

    /// Whether nothing is known (no greeting code and no CAPABILITY answer
    /// yet, or forgotten after STARTTLS).
    pub fn is_empty(&self) -> bool {
        self.known == 0 && self.other.is_empty()
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
        c.push("X-GM-EXT-1");
        c.push("x-gm-ext-1");
        assert!(c.has("X-GM-EXT-1") && !c.has("X-GM"));
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [
                "IMAP4REV1",
                "AUTH=PLAIN",
                "IDLE",
                "COMPRESS=DEFLATE",
                "X-GM-EXT-1"
            ]
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
