//! SMTP and LMTP commands as typed values (RFC 5321 §4.1.1, §4.1.2; RFC 1869;
//! RFC 2033 LHLO; RFC 3030 BDAT; RFC 3207 STARTTLS; RFC 4954 AUTH; RFC 1985 ETRN;
//! RFC 6531 SMTPUTF8), and the typed MAIL/RCPT parameters of the extensions
//! (RFC 1870 SIZE, RFC 6152 BODY, RFC 3461 DSN, RFC 4954 AUTH=, RFC 8689
//! REQUIRETLS, RFC 6710 MT-PRIORITY, RFC 4865 FUTURERELEASE, RFC 2852 BY,
//! RFC 7293 RRVS, RFC 3865 NO-SOLICITING), and the commands of Postfix's
//! XCLIENT and XFORWARD and of RFC 4468 BURL.
//!
//! ```
//! use mailwire::smtp::{parse_command, Command, Parameter};
//!
//! let line = b"MAIL FROM:<alice@example.org> SIZE=1024 BODY=8BITMIME";
//! let Command::Mail { reverse_path, parameters } = parse_command(line)? else { panic!() };
//! assert_eq!(reverse_path.to_string(), "<alice@example.org>");
//! assert_eq!(parameters.size(), Some(1024));
//! assert!(parameters.iter().any(|p| matches!(p, Parameter::Body(_))));
//! # Ok::<(), mailwire::error::ParseError>(())
//! ```
//!
//! Values borrow from the parsed line ([`Cow::Borrowed`]); `into_owned` gives a
//! `'static` copy. MAIL and RCPT parameters are a [`Parameters`] view over the
//! raw parameter text, validated once when parsed and iterated as typed
//! [`Parameter`]s without allocating.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

/// A parsed or constructed SMTP/LMTP command.
///
/// ```
/// use mailwire::smtp::{emit::command_to_vec, parse_command, Command, ForwardPath, Mailbox, Parameters};
///
/// // built, emitted, parsed back: the same value
/// let rcpt = Command::Rcpt {
///     forward_path: ForwardPath::Mailbox(Mailbox::parse("bob@example.net")?),
///     parameters: Parameters::parse("NOTIFY=SUCCESS,FAILURE")?,
/// };
/// let wire = command_to_vec(&rcpt)?;
/// assert_eq!(wire, b"RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE\r\n");
/// assert_eq!(parse_command(&wire[..wire.len() - 2])?, rcpt);
/// assert_eq!(rcpt.verb(), "RCPT");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `HELO domain`.
    Helo {
        /// The client's name for itself.
        domain: Host<'a>,
    },
    /// `EHLO domain`.
    Ehlo {
        /// The client's name for itself (a domain or an address literal).
        domain: Host<'a>,
    },
    /// `LHLO domain` (LMTP, RFC 2033 §4.1).
    Lhlo {
        /// The client's name for itself.
        domain: Host<'a>,
    },
    /// `MAIL FROM:<reverse-path> [parameters]`.
    Mail {
        /// The sender, or the null path `<>`.
        reverse_path: ReversePath<'a>,
        /// ESMTP parameters.
        parameters: Parameters<'a>,
    },
    /// `RCPT TO:<forward-path> [parameters]`.
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath<'a>,
        /// ESMTP parameters.
        parameters: Parameters<'a>,
    },
    /// `DATA`.
    Data,
    /// `BDAT size [LAST]` (RFC 3030 §2); `size` octets follow the line.
    Bdat {
        /// Octets in this chunk.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `VRFY string`.
    Vrfy {
        /// The user or mailbox to verify.
        argument: Cow<'a, str>,
    },
    /// `EXPN string`.
    Expn {
        /// The list to expand.
        argument: Cow<'a, str>,
    },
    /// `HELP [string]`.
    Help {
        /// The topic, if any.
        topic: Option<Cow<'a, str>>,
    },
    /// `NOOP [string]`.
    Noop {
        /// The ignored argument, if any.
        argument: Option<Cow<'a, str>>,
    },
    /// `QUIT`.
    Quit,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4).
    Auth {
        /// The SASL mechanism name, upper case as sent (`PLAIN`, `LOGIN`, ...).
        mechanism: Cow<'a, str>,
        /// The initial response: base64 text, or `=` for an empty response.
        initial_response: Option<Cow<'a, str>>,
    },
    /// `ETRN node` (RFC 1985).
    Etrn {
        /// The node: a domain, `@domain` or `#queue`.
        node: Cow<'a, str>,
    },
    /// `XCLIENT attribute...` (Postfix XCLIENT): a proxy or filter tells the
    /// server who the real client is. Attributes NAME, ADDR, PORT, PROTO,
    /// HELO, LOGIN, DESTADDR, DESTPORT.
    Xclient {
        /// The attributes (at least one).
        attributes: XAttributes<'a>,
    },
    /// `XFORWARD attribute...` (Postfix XFORWARD): the up-stream client's
    /// attributes for the log of the next transaction. Attributes NAME, ADDR,
    /// PORT, PROTO, HELO, IDENT, SOURCE.
    Xforward {
        /// The attributes (at least one).
        attributes: XAttributes<'a>,
    },
    /// `BURL absolute-URI [SP end-marker]` (RFC 4468 §3): the server fetches
    /// the URL and appends its content to the message.
    Burl {
        /// The URL (an `absolute-URI` of RFC 3986, usually an IMAP URLAUTH URL).
        url: Cow<'a, str>,
        /// `LAST`: the message ends with this piece.
        last: bool,
    },
    /// A verb this crate does not know, kept as sent. A server answers it with
    /// `500 5.5.2` (or whatever the application decides).
    Unknown {
        /// The verb as sent.
        verb: Cow<'a, str>,
        /// Everything after the verb and its space, raw.
        arguments: Cow<'a, [u8]>,
    },
}

impl Command<'_> {
    /// The verb, upper case.
    pub fn verb(&self) -> &str {
        match self {
            Command::Helo { .. } => "HELO",
            Command::Ehlo { .. } => "EHLO",
            Command::Lhlo { .. } => "LHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Vrfy { .. } => "VRFY",
            Command::Expn { .. } => "EXPN",
            Command::Help { .. } => "HELP",
            Command::Noop { .. } => "NOOP",
            Command::Quit => "QUIT",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Etrn { .. } => "ETRN",
            Command::Xclient { .. } => "XCLIENT",
            Command::Xforward { .. } => "XFORWARD",
            Command::Burl { .. } => "BURL",
            Command::Unknown { verb, .. } => verb,
        }
    }
}

/// The domain part of a mailbox, or the argument of HELO/EHLO/LHLO:
/// `Domain / address-literal` (RFC 5321 §4.1.2, §4.1.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host<'a> {
    /// A domain name (with U-labels when SMTPUTF8 is in use).
    Domain(Cow<'a, str>),
    /// `[1.2.3.4]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:...]`.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a General-address-literal.
    General {
        /// The Standardized-tag.
        tag: Cow<'a, str>,
        /// The dcontent after the colon.
        content: Cow<'a, str>,
    },
}

impl Host<'_> {
    /// Whether this host is the domain `domain`: compared without regard to
    /// ASCII case and a trailing dot (RFC 5321 §2.4: domain names are
    /// case-insensitive). Address literals are never a domain.
    ///
    /// ```
    /// use mailwire::smtp::Mailbox;
    /// let m = Mailbox::parse("Bob@Example.ORG").unwrap();
    /// assert!(m.host.is_domain("example.org"));
    /// assert!(m.host.is_domain("EXAMPLE.org."));
    /// assert!(!m.host.is_domain("sub.example.org"));
    /// assert!(!Mailbox::parse("bob@[192.0.2.1]").unwrap().host.is_domain("192.0.2.1"));
    /// ```
    pub fn is_domain(&self, domain: &str) -> bool {
        let trim = |d: &str| -> usize { d.len() - usize::from(d.ends_with('.')) };
        match self {
            Host::Domain(d) => {
                let (a, b) = (&d[..trim(d)], &domain[..trim(domain)]);
                a.eq_ignore_ascii_case(b)
            }
            _ => false,
        }
    }

    /// Whether this host is the domain `domain` or one of its subdomains
    /// (`mx.example.org` is within `example.org`), case-insensitively.
    ///
    /// ```
    /// use mailwire::smtp::Host;
    /// let h = Host::Domain("MX.Example.org".into());
    /// assert!(h.is_within("example.org") && h.is_within("mx.example.org"));
    /// assert!(!h.is_within("ample.org"));
    /// ```
    pub fn is_within(&self, domain: &str) -> bool {
        let Host::Domain(d) = self else {
            return false;
        };
        let d = d.strip_suffix('.').unwrap_or(d);
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        if d.len() > domain.len() {
            let cut = d.len() - domain.len();
            d.as_bytes()[cut - 1] == b'.' && d[cut..].eq_ignore_ascii_case(domain)
        } else {
            d.eq_ignore_ascii_case(domain)
        }
    }

    /// Whether this host is written in ASCII only.
    pub fn is_ascii(&self) -> bool {
        match self {
            Host::Domain(d) => d.is_ascii(),
            Host::General { tag, content } => tag.is_ascii() && content.is_ascii(),
            _ => true,
        }
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "[{a}]"),
            Host::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            Host::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
///
/// ```
/// use mailwire::smtp::{Host, Mailbox};
///
/// let m = Mailbox::parse("\"John Doe\"@[192.0.2.1]")?;
/// assert_eq!(m.local_part, "\"John Doe\""); // as on the wire
/// assert_eq!(m.local_part_value(), "John Doe"); // unquoted
/// assert!(matches!(m.host, Host::Ipv4(ip) if ip.octets() == [192, 0, 2, 1]));
/// assert!(Mailbox::parse("no-at-sign").is_err());
/// assert!(Mailbox::parse("a@b.example\r\nRCPT TO:<x@y>").is_err()); // no injection
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    /// The local part exactly as on the wire: a Dot-string, or a Quoted-string
    /// with its quotes and backslashes. See [`Mailbox::local_part_value`].
    pub local_part: Cow<'a, str>,
    /// The domain or address literal.
    pub host: Host<'a>,
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its parts. `local_part` is in wire form (quoted if it
    /// needs quotes); emitting checks it.
    pub fn new(local_part: impl Into<Cow<'a, str>>, host: Host<'a>) -> Self {
        Mailbox {
            local_part: local_part.into(),
            host,
        }
    }

    /// A mailbox from the local part's value (unquoted), in the form with the
    /// least quoting (RFC 5321 §4.1.2: "the sending system SHOULD transmit the
    /// form that uses the minimum quoting possible"): as is when it is a
    /// `Dot-string`, else as a `Quoted-string` with `"` and `\` escaped.
    /// Fails with [`Error::Emit`](crate::Error::Emit) for a control character
    /// (RFC 5321 §4.1.2: they "MUST NOT be used in MAIL or RCPT commands").
    ///
    /// ```
    /// use mailwire::smtp::{Host, Mailbox};
    /// let m = Mailbox::from_local_value("john smith", Host::Domain("example.org".into())).unwrap();
    /// assert_eq!(m.to_string(), "\"john smith\"@example.org");
    /// assert_eq!(m.local_part_value(), "john smith");
    /// ```
    pub fn from_local_value(value: &str, host: Host<'a>) -> Result<Self, crate::Error> {
        // Dot-string = Atom *("."  Atom); Atom = 1*atext (UTF-8 too, RFC 6531)
        let atext = |c: char| {
            c.is_ascii_alphanumeric() || !c.is_ascii() || "!#$%&'*+-/=?^_`{|}~".contains(c)
        };
        let dot_string = value
            .split('.')
            .all(|a| !a.is_empty() && a.chars().all(atext));
        if dot_string {
            return Ok(Mailbox::new(String::from(value), host));
        }
        // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
        // qtextSMTP = %d32-33 / %d35-91 / %d93-126 ; quoted-pairSMTP = %d92 %d32-126
        let mut q = String::with_capacity(value.len() + 2);
        q.push('"');
        for c in value.chars() {
            match c {
                '"' | '\\' => {
                    q.push('\\');
                    q.push(c);
                }
                ' '..='~' => q.push(c),
                c if !c.is_ascii() && !c.is_control() => q.push(c),
                _ => {
                    return Err(crate::Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "Local-part",
                    }));
                }
            }
        }
        q.push('"');
        Ok(Mailbox::new(q, host))
    }

    /// The local part with quoting removed (`"a b"` gives `a b`).
    pub fn local_part_value(&self) -> Cow<'_, str> {
        let lp: &str = &self.local_part;
        match lp.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            None => Cow::Borrowed(lp),
            Some(inner) if !inner.contains('\\') => Cow::Borrowed(inner),
            Some(inner) => {
                let mut out = String::with_capacity(inner.len());
                let mut escaped = false;
                for c in inner.chars() {
                    if escaped || c != '\\' {
                        out.push(c);
                        escaped = false;
                    } else {
                        escaped = true;
                    }
                }
                Cow::Owned(out)
            }
        }
    }

    /// Whether the mailbox is ASCII only (needs no SMTPUTF8).
    pub fn is_ascii(&self) -> bool {
        self.local_part.is_ascii() && self.host.is_ascii()
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2). A source route in the
/// path is accepted and dropped, as §4.1.1.3 allows.
///
/// ```
/// use mailwire::smtp::{parse_command, Command, ReversePath};
///
/// // a bounce has the null reverse-path (RFC 5321 §4.5.5)
/// let Command::Mail { reverse_path, .. } = parse_command(b"MAIL FROM:<>")? else { panic!() };
/// assert_eq!(reverse_path, ReversePath::Null);
/// // a source route is dropped (RFC 5321 §4.1.1.3, Appendix C)
/// let Command::Mail { reverse_path, .. } = parse_command(b"MAIL FROM:<@a.example:joe@b.example>")? else { panic!() };
/// assert_eq!(reverse_path.to_string(), "<joe@b.example>");
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReversePath<'a> {
    /// `<>`, the null reverse-path of bounces.
    Null,
    /// `<mailbox>`.
    Mailbox(Mailbox<'a>),
}

impl ReversePath<'_> {}

/// The path as it goes in MAIL FROM: `<>` or `<local@domain>`.
impl fmt::Display for ReversePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// `Forward-path = Path`, or the special `<Postmaster>` (RFC 5321 §4.1.1.3).
///
/// ```
/// use mailwire::smtp::{parse_command, Command, ForwardPath};
///
/// let Command::Rcpt { forward_path, .. } = parse_command(b"RCPT TO:<Postmaster>")? else { panic!() };
/// assert_eq!(forward_path, ForwardPath::Postmaster);
/// let Command::Rcpt { forward_path, .. } = parse_command(b"RCPT TO:<Bob@Example.ORG>")? else { panic!() };
/// assert_eq!(forward_path.mailbox().unwrap().local_part, "Bob");
/// assert!(forward_path.is_in_domain("example.org")); // domains ignore case
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain (case-insensitive).
    Postmaster,
    /// `<mailbox>`.
    Mailbox(Mailbox<'a>),
}

impl<'a> ForwardPath<'a> {
    /// The mailbox, `None` for `<Postmaster>`.
    pub fn mailbox(&self) -> Option<&Mailbox<'a>> {
        match self {
            ForwardPath::Postmaster => None,
            ForwardPath::Mailbox(m) => Some(m),
        }
    }

    /// Whether the recipient is in `domain` (case-insensitive; see
    /// [`Host::is_domain`]). `<Postmaster>` is in every domain the server
    /// serves (RFC 5321 §4.5.1), so it answers `true`.
    pub fn is_in_domain(&self, domain: &str) -> bool {
        self.mailbox().is_none_or(|m| m.host.is_domain(domain))
    }
}

/// The path as it goes in RCPT TO: `<Postmaster>` or `<local@domain>`.
impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// MAIL or RCPT parameters: a view over the raw `esmtp-param *(SP esmtp-param)`
/// text (RFC 5321 §4.1.2), validated when parsed or built, iterated as typed
/// [`Parameter`]s without allocating.
///
/// ```
/// use mailwire::smtp::{Parameters, Parameter, Body};
/// let mut p = Parameters::default();
/// p.push(&Parameter::Size(1234)).unwrap();
/// p.push(&Parameter::Body(Body::EightBitMime)).unwrap();
/// assert_eq!(p.as_str(), "SIZE=1234 BODY=8BITMIME");
/// assert_eq!(p.size(), Some(1234));
/// assert_eq!(p.iter().count(), 2);
/// ```
///
/// Parsing also keeps, beside the text, where each of the first few
/// parameters lies and what kind it is (a small fixed table, no allocation),
/// so iterating and [`size`](Self::size) do not scan and check the text again.
/// Equality and hashing look at the text only.
#[derive(Clone, Default)]
pub struct Parameters<'a>(pub(crate) Cow<'a, str>, pub(crate) ParamTable);

impl PartialEq for Parameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Parameters<'_> {}

impl core::hash::Hash for Parameters<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Parameters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Parameters").field(&self.0).finish()
    }
}

/// How many parameters a [`Parameters`] keeps parsed beside its text (MAIL
/// with SIZE, BODY and RET, RCPT with NOTIFY and ORCPT fit; a command stays
/// within 128 bytes).
pub(crate) const TABLE: usize = 3;

/// The parameters found by the validating pass: byte offsets into the text
/// and each one's kind. The text past `covered` (more parameters than the
/// table holds, text appended by `push`, text longer than `u16` offsets)
/// is scanned when iterated, as it would be without a table.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ParamTable {
    pub(crate) len: u8,
    pub(crate) covered: u16,
    pub(crate) entries: [ParamEntry; TABLE],
}

/// One parameter of a [`ParamTable`]: the keyword runs from one byte past
/// the previous entry's end (0 for the first) to `eq`; the value, when
/// `end > eq`, is `eq + 1..end`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ParamEntry {
    pub(crate) eq: u16,
    pub(crate) end: u16,
    pub(crate) kind: ParamKind,
    /// The decoded value of the small kinds (BODY, RET, NOTIFY flags), or
    /// where ORCPT's ';' is in its value (255: look for it).
    pub(crate) aux: u8,
}

/// What a [`ParamEntry`] holds; `Slow` is a known keyword whose value is
/// decoded again when read (the rare ones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ParamKind {
    Size,
    Body,
    SmtpUtf8,
    Ret,
    EnvId,
    Notify,
    Orcpt,
    Auth,
    RequireTls,
    #[default]
    Other,
    Slow,
}

crate::owned::owned_copy!(ParamTable);

impl<'a> Parameters<'a> {
    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The typed parameters, in order.
    pub fn iter(&self) -> ParameterIter<'_> {
        let text: &str = &self.0;
        let t = &self.1;
        ParameterIter {
            rest: text.as_bytes().get(usize::from(t.covered)..).unwrap_or(&[]),
            text,
            start: 0,
            table: t.entries[..usize::from(t.len).min(TABLE)].iter(),
        }
    }

    /// The `SIZE=` value, if present.
    pub fn size(&self) -> Option<u64> {
        self.iter().find_map(|p| match p {
            Parameter::Size(n) => Some(n),
            _ => None,
        })
    }

    /// Whether `SMTPUTF8` is present.
    pub fn smtputf8(&self) -> bool {
        self.iter().any(|p| p == Parameter::SmtpUtf8)
    }
}

impl<'a> IntoIterator for &'a Parameters<'_> {
    type Item = Parameter<'a>;
    type IntoIter = ParameterIter<'a>;
    fn into_iter(self) -> ParameterIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Parameters`].
#[derive(Clone, Debug)]
pub struct ParameterIter<'a> {
    /// The text the table does not cover.
    pub(super) rest: &'a [u8],
    pub(super) text: &'a str,
    /// Where the next entry's keyword starts.
    pub(super) start: usize,
    pub(super) table: core::slice::Iter<'a, ParamEntry>,
}

/// `BODY=` values (RFC 6152, RFC 3030).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME` (needs BDAT).
    BinaryMime,
}

/// `RET=` values (RFC 3461 §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return only the headers.
    Hdrs,
}

/// `NOTIFY=` (RFC 3461 §4.1): `NEVER`, or a set of SUCCESS, FAILURE, DELAY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

impl Notify {
    /// `NEVER` (no flag set).
    pub const NEVER: Notify = Notify {
        success: false,
        failure: false,
        delay: false,
    };

    /// Whether this is `NEVER`.
    pub fn is_never(&self) -> bool {
        *self == Self::NEVER
    }
}

/// `BY=` mode (RFC 2852 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByMode {
    /// `N`: notify if not delivered in time.
    Notify,
    /// `R`: return the message if not delivered in time.
    Return,
}

/// Text in the `xtext` encoding of RFC 3461 §4: `+XX` stands for the octet XX.
/// Holds the encoded form; [`decode`](Self::decode) gives the octets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct XText<'a>(pub(crate) Cow<'a, str>);

impl<'a> XText<'a> {
    /// Wraps already encoded xtext (validated when emitted).
    pub fn from_encoded(s: impl Into<Cow<'a, str>>) -> Self {
        XText(s.into())
    }

    /// Encodes arbitrary octets: `+`, `=`, controls, space and non-ASCII
    /// become `+XX`.
    pub fn encode(raw: &[u8]) -> XText<'static> {
        let mut s = String::with_capacity(raw.len());
        for &b in raw {
            if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
                s.push(b as char);
            } else {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                s.push('+');
                s.push(HEX[usize::from(b >> 4)] as char);
                s.push(HEX[usize::from(b & 15)] as char);
            }
        }
        XText(Cow::Owned(s))
    }

    /// The encoded text.
    pub fn as_encoded(&self) -> &str {
        &self.0
    }

    /// The decoded octets; borrowed when there is no `+XX` escape.
    pub fn decode(&self) -> Cow<'_, [u8]> {
        let s = self.0.as_bytes();
        if !s.contains(&b'+') {
            return Cow::Borrowed(s);
        }
        let mut out = alloc::vec::Vec::with_capacity(s.len());
        let mut i = 0;
        while let Some(&b) = s.get(i) {
            if b == b'+' {
                let hi = s.get(i + 1).and_then(|&h| (h as char).to_digit(16));
                let lo = s.get(i + 2).and_then(|&l| (l as char).to_digit(16));
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
            }
            out.push(b);
            i += 1;
        }
        Cow::Owned(out)
    }
}

/// One typed MAIL or RCPT parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parameter<'a> {
    /// `SIZE=n` (RFC 1870), MAIL.
    Size(u64),
    /// `BODY=` (RFC 6152, RFC 3030), MAIL.
    Body(Body),
    /// `SMTPUTF8` (RFC 6531), MAIL.
    SmtpUtf8,
    /// `RET=` (RFC 3461), MAIL.
    Ret(Ret),
    /// `ENVID=xtext` (RFC 3461), MAIL.
    EnvId(XText<'a>),
    /// `NOTIFY=` (RFC 3461), RCPT.
    Notify(Notify),
    /// `ORCPT=addr-type;xtext` (RFC 3461), RCPT.
    Orcpt {
        /// The address type, usually `rfc822` or `utf-8`.
        addr_type: Cow<'a, str>,
        /// The original recipient, xtext encoded.
        address: XText<'a>,
    },
    /// `AUTH=xtext` or `AUTH=<>` (RFC 4954 §5), MAIL.
    Auth(XText<'a>),
    /// `REQUIRETLS` (RFC 8689), MAIL.
    RequireTls,
    /// `MT-PRIORITY=-9..9` (RFC 6710), MAIL.
    MtPriority(i8),
    /// `HOLDFOR=seconds` (RFC 4865), MAIL.
    HoldFor(u64),
    /// `HOLDUNTIL=date-time` (RFC 4865), MAIL; the RFC 3339 text.
    HoldUntil(Cow<'a, str>),
    /// `BY=time;mode[T]` (RFC 2852), MAIL.
    By {
        /// Seconds (relative deadline, may be negative with `R`).
        time: i64,
        /// Notify or return.
        mode: ByMode,
        /// Whether trace (`T`) was asked for.
        trace: bool,
    },
    /// `RRVS=date-time[;action]` (RFC 7293), RCPT: the date-time after
    /// which the recipient's mailbox must have existed continuously.
    Rrvs {
        /// The RFC 3339 date-time text.
        time: Cow<'a, str>,
        /// `C` (continue, deliver anyway) or `R` (reject); `None` when absent.
        action: Option<RrvsAction>,
    },
    /// `NO-SOLICITING=solicitation-keywords` (RFC 3865), MAIL: the
    /// comma-separated keywords, as sent.
    NoSoliciting(Cow<'a, str>),
    /// Any other keyword, kept raw.
    Other {
        /// The esmtp-keyword.
        keyword: Cow<'a, str>,
        /// The esmtp-value, if any.
        value: Option<Cow<'a, str>>,
    },
}

impl Parameter<'_> {}

crate::owned::owned_copy!(Body, ByMode, Notify, Ret, RrvsAction, XAttrName);

/// The action of an `RRVS=` parameter (RFC 7293).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RrvsAction {
    /// `C`: the receiver may deliver anyway when it cannot check.
    Continue,
    /// `R`: reject when the mailbox cannot be shown to have existed.
    Reject,
}

/// The name of an XCLIENT or XFORWARD attribute (Postfix XCLIENT_README,
/// XFORWARD_README; case-insensitive on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XAttrName {
    /// `NAME`: the client's host name (both commands).
    Name,
    /// `ADDR`: the client's address, IPv6 prefixed with `IPV6:` (both).
    Addr,
    /// `PORT`: the client's TCP port (both).
    Port,
    /// `PROTO`: `SMTP`, `ESMTP` or another protocol name (both).
    Proto,
    /// `HELO`: the name the client gave in HELO/EHLO (both).
    Helo,
    /// `LOGIN`: the SASL login name (XCLIENT).
    Login,
    /// `DESTADDR`: the server address the client connected to (XCLIENT).
    DestAddr,
    /// `DESTPORT`: the server port the client connected to (XCLIENT).
    DestPort,
    /// `IDENT`: the up-stream host's message identifier (XFORWARD).
    Ident,
    /// `SOURCE`: `LOCAL` or `REMOTE` (XFORWARD).
    Source,
}

impl XAttrName {
    /// Every name, in the README's order.
    pub const ALL: [XAttrName; 10] = [
        XAttrName::Name,
        XAttrName::Addr,
        XAttrName::Port,
        XAttrName::Proto,
        XAttrName::Helo,
        XAttrName::Login,
        XAttrName::DestAddr,
        XAttrName::DestPort,
        XAttrName::Ident,
        XAttrName::Source,
    ];

    /// The name as sent, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            XAttrName::Name => "NAME",
            XAttrName::Addr => "ADDR",
            XAttrName::Port => "PORT",
            XAttrName::Proto => "PROTO",
            XAttrName::Helo => "HELO",
            XAttrName::Login => "LOGIN",
            XAttrName::DestAddr => "DESTADDR",
            XAttrName::DestPort => "DESTPORT",
            XAttrName::Ident => "IDENT",
            XAttrName::Source => "SOURCE",
        }
    }

    /// The name from its wire form, case-insensitively.
    pub fn from_name(name: &[u8]) -> Option<XAttrName> {
        XAttrName::ALL
            .into_iter()
            .find(|n| n.as_str().as_bytes().eq_ignore_ascii_case(name))
    }

    /// Whether XCLIENT takes it (`NAME | ADDR | PORT | PROTO | HELO | LOGIN |
    /// DESTADDR | DESTPORT`).
    pub fn in_xclient(self) -> bool {
        !matches!(self, XAttrName::Ident | XAttrName::Source)
    }

    /// Whether XFORWARD takes it (`NAME | ADDR | PORT | PROTO | HELO | IDENT |
    /// SOURCE`).
    pub fn in_xforward(self) -> bool {
        !matches!(
            self,
            XAttrName::Login | XAttrName::DestAddr | XAttrName::DestPort
        )
    }
}

/// The value of an XCLIENT or XFORWARD attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XValue<'a> {
    /// `[UNAVAILABLE]` (any case): the information is not available.
    Unavailable,
    /// `[TEMPUNAVAIL]` (any case): XCLIENT NAME when the host name lookup
    /// failed temporarily.
    TempUnavail,
    /// A value, xtext encoded (RFC 1891 / RFC 3461 §4).
    Value(XText<'a>),
}

impl XValue<'_> {
    /// The value as sent.
    pub fn as_encoded(&self) -> &str {
        match self {
            XValue::Unavailable => "[UNAVAILABLE]",
            XValue::TempUnavail => "[TEMPUNAVAIL]",
            XValue::Value(x) => x.as_encoded(),
        }
    }

    /// A port number (PORT, DESTPORT), when this is one.
    pub fn port(&self) -> Option<u16> {
        match self {
            XValue::Value(x) => {
                let s = x.as_encoded();
                if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                s.parse().ok()
            }
            _ => None,
        }
    }
}

/// One XCLIENT or XFORWARD attribute: `attribute-name "=" attribute-value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct XAttribute<'a> {
    /// The name.
    pub name: XAttrName,
    /// The value.
    pub value: XValue<'a>,
}

/// The attributes of an XCLIENT or XFORWARD command: a view over the raw
/// `attribute *(SP attribute)` text, validated when parsed or built
/// (known names, xtext values of 1 to 255 octets, a port of 0 to 65535,
/// SOURCE `LOCAL` or `REMOTE`), iterated as typed [`XAttribute`]s.
///
/// ```
/// use mailwire::smtp::{XAttrName, XAttributes, XText, XValue};
/// let mut a = XAttributes::default();
/// a.push(XAttrName::Name, &XValue::Value(XText::encode(b"spike.porcupine.org"))).unwrap();
/// a.push(XAttrName::Addr, &XValue::Value(XText::encode(b"168.100.189.2"))).unwrap();
/// a.push(XAttrName::Helo, &XValue::Unavailable).unwrap();
/// assert_eq!(a.as_str(), "NAME=spike.porcupine.org ADDR=168.100.189.2 HELO=[UNAVAILABLE]");
/// assert_eq!(a.get(XAttrName::Helo), Some(XValue::Unavailable));
/// assert!(a.push(XAttrName::Port, &XValue::Value(XText::encode(b"70000"))).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
pub struct XAttributes<'a>(pub(crate) Cow<'a, str>);

impl<'a> XAttributes<'a> {
    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The attributes, in order.
    pub fn iter(&self) -> impl Iterator<Item = XAttribute<'_>> + '_ {
        self.0.split(' ').filter_map(x_attribute)
    }

    /// The value of the last attribute named `name` (later ones override
    /// earlier ones, as with successive commands).
    pub fn get(&self, name: XAttrName) -> Option<XValue<'_>> {
        self.iter()
            .filter(|a| a.name == name)
            .last()
            .map(|a| a.value)
    }

    /// Appends an attribute. Fails with [`Error::Emit`](crate::Error::Emit)
    /// for a value that is not xtext, is empty or longer than 255 octets
    /// (XFORWARD_README note 1), a PORT/DESTPORT that is not a port number or
    /// a SOURCE other than `LOCAL`/`REMOTE`.
    pub fn push(&mut self, name: XAttrName, value: &XValue<'_>) -> Result<(), crate::Error> {
        let v = value.as_encoded();
        if !x_value_ok(name, v.as_bytes()) {
            return Err(crate::Error::Emit(crate::error::Unemittable::Grammar {
                rule: "attribute-value",
            }));
        }
        let raw = self.0.to_mut();
        if !raw.is_empty() {
            raw.push(' ');
        }
        raw.push_str(name.as_str());
        raw.push('=');
        raw.push_str(v);
        Ok(())
    }
}

// The XCLIENT/XFORWARD attribute rules, beside their value types so both the
// grammar (`parse`) and `XAttributes` use them without a cycle.

/// XFORWARD_README note 1: "an attribute-value element must not be longer
/// than 255 characters".
pub(crate) const MAX_X_VALUE: usize = 255;

/// Whether `v` is a valid value for `name`: xtext of 1 to 255 octets
/// (`xtext = *( xchar / hexchar )`, `xchar` = "!" to "~" but "+" and "=",
/// `hexchar` = "+" and two upper case hexadecimal digits), a decimal port
/// for PORT/DESTPORT and LOCAL/REMOTE for SOURCE, or `[UNAVAILABLE]`.
pub(crate) fn x_value_ok(name: XAttrName, v: &[u8]) -> bool {
    if v.is_empty() || v.len() > MAX_X_VALUE {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        match b {
            b'+' => {
                let hex =
                    |c: Option<&u8>| c.is_some_and(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
                if !hex(v.get(i + 1)) || !hex(v.get(i + 2)) {
                    return false;
                }
                i += 3;
            }
            b'!'..=b'~' if b != b'=' => i += 1,
            _ => return false,
        }
    }
    match special(v) {
        Some(XValue::Unavailable) => true,
        Some(_) => name == XAttrName::Name,
        None => match name {
            XAttrName::Port | XAttrName::DestPort => {
                v.len() <= 5
                    && v.iter().all(u8::is_ascii_digit)
                    && v.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 65535
            }
            XAttrName::Source => {
                v.eq_ignore_ascii_case(b"LOCAL") || v.eq_ignore_ascii_case(b"REMOTE")
            }
            _ => true,
        },
    }
}

/// `[UNAVAILABLE]` and `[TEMPUNAVAIL]`, in any case (XCLIENT_README: they
/// "may be specified in upper case, lower case or mixed case").
fn special(v: &[u8]) -> Option<XValue<'static>> {
    if v.eq_ignore_ascii_case(b"[UNAVAILABLE]") {
        Some(XValue::Unavailable)
    } else if v.eq_ignore_ascii_case(b"[TEMPUNAVAIL]") {
        Some(XValue::TempUnavail)
    } else {
        None
    }
}

/// One attribute of validated attribute text.
pub(crate) fn x_attribute(token: &str) -> Option<XAttribute<'_>> {
    let (name, value) = token.split_once('=')?;
    let name = XAttrName::from_name(name.as_bytes())?;
    let value = special(value.as_bytes()).unwrap_or(XValue::Value(XText(Cow::Borrowed(value))));
    Some(XAttribute { name, value })
}

crate::owned::into_owned! {
    inherent enum Command {
        Helo { domain },
        Ehlo { domain },
        Lhlo { domain },
        Mail { reverse_path, parameters },
        Rcpt { forward_path, parameters },
        Data,
        Bdat { size, last },
        Rset,
        Vrfy { argument },
        Expn { argument },
        Help { topic },
        Noop { argument },
        Quit,
        StartTls,
        Auth { mechanism, initial_response },
        Etrn { node },
        Xclient { attributes },
        Xforward { attributes },
        Burl { url, last },
        Unknown { verb, arguments },
    }
    inherent struct XAttributes(inner)
    inherent enum XValue { Unavailable, TempUnavail, Value(x) }
    inherent enum Host { Domain(d), Ipv4(a), Ipv6(a), General { tag, content } }
    inherent struct Mailbox { local_part, host }
    inherent enum ReversePath { Null, Mailbox(m) }
    inherent enum ForwardPath { Postmaster, Mailbox(m) }
    inherent struct Parameters(inner, table)
    inherent struct XText(inner)
    inherent enum Parameter {
        Size(n),
        Body(b),
        SmtpUtf8,
        Ret(r),
        EnvId(x),
        Notify(n),
        Orcpt { addr_type, address },
        Auth(x),
        RequireTls,
        MtPriority(p),
        HoldFor(s),
        HoldUntil(s),
        By { time, mode, trace },
        Rrvs { time, action },
        NoSoliciting(k),
        Other { keyword, value },
    }
}
