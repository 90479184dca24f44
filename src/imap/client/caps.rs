//! What the server advertised (RFC 9051 §6.1.1 CAPABILITY, §7.1 the
//! `CAPABILITY` response code) and what the client enabled (RFC 5161 ENABLE).

use alloc::vec::Vec;

use crate::imap::types::core::{Atom, List};

/// Extensions whose commands and syntax IMAP4rev2 (RFC 9051) contains, so
/// that a server advertising `IMAP4rev2` supports them without listing them.
/// Each entry was checked against RFC 9051's grammar (§9) and its list of
/// incorporated extensions (Appendix E); see the table test below.
///
/// Not here, on purpose:
/// - `SPECIAL-USE` (RFC 6154): IMAP4rev2 returns the special-use mailbox
///   attributes, but its grammar has no `SPECIAL-USE` LIST selection or
///   return option (`return-option = "SUBSCRIBED" / "CHILDREN" /
///   status-option / option-extension`): a rev2 server answers
///   `LIST "" "*" RETURN (SPECIAL-USE)` with `BAD`. `CREATE-SPECIAL-USE`
///   neither.
/// - `BINARY` for APPEND: rev2 has the BINARY and BINARY.SIZE FETCH items but
///   its `append` ends in `literal`, never `literal8`; RFC 9051 §4.3.1:
///   "unencoded binary strings are not permitted, unless returned in a
///   `<literal8>` in response to a `BINARY.PEEK[<section-binary>]<<partial>>`
///   or `BINARY[<section-binary>]<<partial>>` FETCH data item". So `BINARY`
///   is implied here for FETCH, and the client asks for the listed capability
///   ([`Capabilities::listed`]) before an APPEND of literal8.
/// - `LITERAL+`: rev2 only has LITERAL-'s 4096-byte non-synchronizing
///   literals (RFC 9051 §4.3).
/// - `MULTIAPPEND`, `CONDSTORE`, `QRESYNC`, `SORT`, `THREAD`, `ID`,
///   `QUOTA`, `METADATA`, `COMPRESS`, `UTF8=ACCEPT`, `CATENATE`: not part
///   of RFC 9051.
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
///
/// The client's set is [`Client::capabilities`](super::Client::capabilities).
/// The CAPABILITY example of RFC 9051 §6.1.1, where STARTTLS changes what is
/// offered:
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientEvent};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK ready\r\n");
/// client.poll_event().unwrap();
/// client.capability().unwrap();
/// client.handle_input(
///     b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n\
///       A0001 OK CAPABILITY completed\r\n",
/// );
/// while client.poll_event().unwrap().is_some() {}
/// let caps = client.capabilities();
/// assert!(caps.has("starttls") && caps.has("LOGINDISABLED"));
/// assert!(caps.has("IDLE")); // part of IMAP4rev2 (RFC 9051 Appendix E)
/// assert!(!caps.listed("IDLE"));
/// assert_eq!(caps.auth_mechanisms().collect::<Vec<_>>(), ["GSSAPI"]);
/// assert!(client.login("fred", "secret").is_err()); // LOGINDISABLED
///
/// client.starttls().unwrap();
/// client.handle_input(b"A0002 OK STARTLS completed\r\n");
/// while let Some(event) = client.poll_event().unwrap() {
///     assert!(matches!(event, ClientEvent::Completed { .. } | ClientEvent::StartTls));
/// }
/// // <TLS negotiation, further commands are under TLS layer>
/// client.tls_established().unwrap();
/// assert!(client.capabilities().is_empty()); // forgotten, and asked again
/// client.handle_input(
///     b"* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN\r\n\
///       A0003 OK CAPABILITY completed\r\n",
/// );
/// while client.poll_event().unwrap().is_some() {}
/// assert!(client.capabilities().auth("plain"));
/// assert!(!client.capabilities().has("LOGINDISABLED"));
/// let mut wire = Vec::new();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(wire, b"A0001 CAPABILITY\r\nA0002 STARTTLS\r\nA0003 CAPABILITY\r\n");
/// ```
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
    /// `IMAP4rev2`: NAMESPACE, UNSELECT, UIDPLUS, ESEARCH, SEARCHRES,
    /// ENABLE, IDLE, SASL-IR, LIST-EXTENDED, LIST-STATUS, MOVE, LITERAL-,
    /// BINARY (its FETCH items only), STATUS=SIZE and CHILDREN are part of
    /// RFC 9051; SPECIAL-USE's LIST options, LITERAL+ and APPEND of literal8
    /// are not.
    pub fn has(&self, name: &str) -> bool {
        self.has_exact(name)
            || (REV2_IMPLIES.iter().any(|c| c.eq_ignore_ascii_case(name))
                && self.has_exact("IMAP4rev2"))
    }

    /// Whether `name` itself was listed (case-insensitive), with no
    /// implication: for the parts of an extension that `IMAP4rev2` does not
    /// contain (APPEND of `literal8` needs `BINARY` listed).
    pub fn listed(&self, name: &str) -> bool {
        self.has_exact(name)
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

    /// The server's `MESSAGELIMIT=n` (RFC 9738): how many messages one
    /// FETCH, SEARCH, STORE, COPY, MOVE, APPEND or UID EXPUNGE may touch;
    /// `None` when not advertised (or its value is not a non-zero 32-bit
    /// number). A client splits larger sets itself.
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    ///
    /// let mut c = Client::new(ClientConfig::default());
    /// c.handle_input(b"* OK [CAPABILITY IMAP4rev1 MESSAGELIMIT=1000] ready\r\n");
    /// while c.poll_event().unwrap().is_some() {}
    /// assert_eq!(c.capabilities().message_limit(), Some(1000));
    /// ```
    pub fn message_limit(&self) -> Option<u32> {
        self.iter()
            .find_map(crate::imap::ext::messagelimit::capability_limit)
    }

    /// The limit of `SAVELIMIT=n` (RFC 9738, next to MESSAGELIMIT): how
    /// many messages one command may save (COPY, MOVE, APPEND), when the
    /// server advertises a limit of its own for that.
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    ///
    /// let mut c = Client::new(ClientConfig::default());
    /// c.handle_input(b"* OK [CAPABILITY IMAP4rev1 MESSAGELIMIT=1000 SAVELIMIT=5000] ready\r\n");
    /// while c.poll_event().unwrap().is_some() {}
    /// assert_eq!(c.capabilities().save_limit(), Some(5000));
    /// ```
    pub fn save_limit(&self) -> Option<u32> {
        self.iter()
            .find_map(crate::imap::ext::messagelimit::save_limit)
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
        assert!(c.has("BINARY") && !c.listed("BINARY") && c.listed("idle"));
        c.clear();
        assert!(!c.has("IDLE"));
    }

    /// Every implication `has` makes, and the ones it must not make, against
    /// the RFC text. Rows: what the server listed, what is asked, the answer,
    /// the reason.
    #[test]
    fn implications_follow_the_rfcs() {
        const REV2: &str = "IMAP4rev2";
        #[rustfmt::skip]
        let rows: &[(&str, &str, bool, &str)] = &[
            // RFC 9051 Appendix E lists NAMESPACE, UNSELECT, UIDPLUS,
            // ESEARCH, SEARCHRES, ENABLE, IDLE, SASL-IR, LIST-EXTENDED,
            // LIST-STATUS, MOVE and LITERAL- as incorporated, and its §9
            // grammar has each one's syntax (quoted per row).
            (REV2, "NAMESPACE", true, "RFC 9051 namespace-command"),
            (REV2, "UNSELECT", true, "RFC 9051 command-select \"UNSELECT\""),
            (REV2, "UIDPLUS", true, "RFC 9051 uid-expunge, resp-code-apnd, resp-code-copy"),
            (REV2, "ESEARCH", true, "RFC 9051 esearch-response, search-return-opts"),
            (REV2, "SEARCHRES", true, "RFC 9051 search-return-opt \"SAVE\", seq-last-command \"$\""),
            (REV2, "ENABLE", true, "RFC 9051 enable"),
            (REV2, "IDLE", true, "RFC 9051 idle = \"IDLE\" CRLF \"DONE\""),
            (REV2, "SASL-IR", true, "RFC 9051 authenticate = \"AUTHENTICATE\" SP auth-type [SP initial-resp]"),
            (REV2, "LIST-EXTENDED", true, "RFC 9051 list = \"LIST\" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]"),
            (REV2, "LIST-STATUS", true, "RFC 9051 return-option = ... / status-option"),
            (REV2, "MOVE", true, "RFC 9051 move = \"MOVE\" SP sequence-set SP mailbox"),
            (REV2, "LITERAL-", true, "RFC 9051 §4.3: \"non-synchronizing literals MUST NOT be larger than 4096 octets\" (the same as LITERAL-)"),
            (REV2, "LITERAL+", false, "RFC 9051 §4.3 bounds {n+} to 4096 octets: that is LITERAL-, not LITERAL+ (RFC 7888 §3)"),
            // RFC 9051 status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" /
            // "UNSEEN" / "DELETED" / "SIZE" (the SIZE of RFC 8438)
            (REV2, "STATUS=SIZE", true, "RFC 9051 status-att ... / \"SIZE\""),
            // RFC 9051 mbx-list-oflag includes child-mbox-flag and
            // return-option includes "CHILDREN"
            (REV2, "CHILDREN", true, "RFC 9051 child-mbox-flag = \"\\HasChildren\" / \"\\HasNoChildren\""),
            // RFC 9051 msg-att-static: "BINARY" section-binary SP (nstring /
            // literal8) / "BINARY.SIZE" section-binary SP number. Only FETCH:
            // §4.3.1 "unencoded binary strings are not permitted, unless
            // returned in a <literal8> in response to a BINARY.PEEK[...] or
            // BINARY[...] FETCH data item", so APPEND of literal8 asks for
            // `listed("BINARY")` (see the client's check).
            (REV2, "BINARY", true, "RFC 9051 fetch-att \"BINARY\" [\".PEEK\"] section-binary, \"BINARY.SIZE\""),
            // RFC 9051 return-option = "SUBSCRIBED" / "CHILDREN" /
            // status-option / option-extension: no "SPECIAL-USE" (RFC 6154)
            (REV2, "SPECIAL-USE", false, "RFC 9051 return-option has no SPECIAL-USE; RFC 6154 defines it"),
            (REV2, "CREATE-SPECIAL-USE", false, "RFC 9051 create = \"CREATE\" SP mailbox: no create-params (RFC 6154 §3)"),
            // RFC 9051 append = "APPEND" SP mailbox [SP flag-list]
            // [SP date-time] SP literal: one message (RFC 3502 MULTIAPPEND
            // has several)
            (REV2, "MULTIAPPEND", false, "RFC 9051 append takes one literal"),
            (REV2, "CONDSTORE", false, "RFC 7162 is not part of RFC 9051 (no mod-sequence in its grammar)"),
            (REV2, "QRESYNC", false, "RFC 7162 is not part of RFC 9051"),
            (REV2, "SORT", false, "RFC 5256 is not part of RFC 9051"),
            (REV2, "ID", false, "RFC 2971 is not part of RFC 9051"),
            (REV2, "UTF8=ACCEPT", false, "RFC 6855 is not part of RFC 9051"),
            (REV2, "COMPRESS=DEFLATE", false, "RFC 4978 is not part of RFC 9051"),
            (REV2, "QUOTA", false, "RFC 9208 is not part of RFC 9051"),
            (REV2, "METADATA", false, "RFC 5464 is not part of RFC 9051"),
            // Nothing implies IMAP4rev2 or anything else
            ("IMAP4rev1 LITERAL+", "LITERAL-", false, "RFC 7888 §4: LITERAL- is its own capability"),
            ("IMAP4rev1 ESEARCH", "SEARCHRES", false, "RFC 5182 SEARCHRES is its own capability"),
            ("IMAP4rev1 SPECIAL-USE", "CREATE-SPECIAL-USE", false, "RFC 6154 §3: CREATE-SPECIAL-USE is advertised on its own"),
            ("IMAP4rev1 NAMESPACE IDLE", "IMAP4rev2", false, "no set of extensions is IMAP4rev2"),
            ("IMAP4rev1", "MOVE", false, "IMAP4rev1 alone has no MOVE (RFC 6851)"),
        ];
        for (listed, asked, expected, why) in rows {
            let mut c = Capabilities::default();
            for n in listed.split(' ') {
                c.push(n);
            }
            assert_eq!(c.has(asked), *expected, "{listed} → {asked}: {why}");
            // a listed name is always there, with or without IMAP4rev2
            c.push(asked);
            assert!(c.has(asked) && c.listed(asked), "{asked} listed");
        }
    }
}
