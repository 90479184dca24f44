//! POP3 responses: status indicators and text (RFC 1939 §3), the APOP greeting
//! timestamp (RFC 1939 §7), extended response codes (RFC 2449 §8, RFC 3206 §4,
//! RFC 6856 §5), SASL continuations (RFC 5034 §4), and the lines of multi-line
//! responses: drop and scan listings (RFC 1939 §5), unique-id listings (§7) and
//! capabilities (RFC 2449 §6, RFC 6856).
//!
//! ```
//! use mailwire::pop3::{Capability, Response, ResponseCode};
//!
//! let mut out = Vec::new();
//! Response::err_with(ResponseCode::SysTemp, "try again later").emit(&mut out)?;
//! assert_eq!(out, b"-ERR [SYS/TEMP] try again later\r\n");
//! // RFC 2449 §6: a CAPA line
//! assert!(matches!(Capability::parse(b"SASL PLAIN SCRAM-SHA-256")?, Capability::Sasl(m) if m.contains("PLAIN")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::borrow::Cow;

use crate::text::Text;

/// The status indicator of a response line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// `+OK`: the command succeeded.
    Ok,
    /// `-ERR`: the command failed.
    Err,
    /// `+ `: a SASL continuation (RFC 5034 §4); the text is base64 challenge data.
    Continue,
}

/// An extended response code (RFC 2449 §8), the bracketed word after the status.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode<'a> {
    /// `[IN-USE]` (RFC 2449 §8.1.1): the maildrop is locked by another session.
    InUse,
    /// `[LOGIN-DELAY]` (RFC 2449 §8.1.2): logging in again too soon.
    LoginDelay,
    /// `[SYS/TEMP]` (RFC 3206 §4): a temporary system problem.
    SysTemp,
    /// `[SYS/PERM]` (RFC 3206 §4): a permanent system problem.
    SysPerm,
    /// `[AUTH]` (RFC 3206 §5): credentials were wrong.
    Auth,
    /// `[UTF8]` (RFC 6856 §5): the command needs UTF8 mode.
    Utf8,
    /// Any other code, kept as sent (levels separated by `/`).
    Other(Cow<'a, str>),
}

impl<'a> ResponseCode<'a> {
    /// The code as it appears between the brackets.
    pub fn as_str(&self) -> &str {
        match self {
            ResponseCode::InUse => "IN-USE",
            ResponseCode::LoginDelay => "LOGIN-DELAY",
            ResponseCode::SysTemp => "SYS/TEMP",
            ResponseCode::SysPerm => "SYS/PERM",
            ResponseCode::Auth => "AUTH",
            ResponseCode::Utf8 => "UTF8",
            ResponseCode::Other(s) => s,
        }
    }

    /// The hierarchy levels of the code (`SYS/TEMP` → `SYS`, `TEMP`).
    pub fn levels(&self) -> impl Iterator<Item = &str> {
        self.as_str().split('/')
    }

    /// The typed code for `s` (case-insensitive for the known ones).
    pub fn from_str_borrowed(s: &'a str) -> Self {
        const KNOWN: [ResponseCode<'static>; 6] = [
            ResponseCode::InUse,
            ResponseCode::LoginDelay,
            ResponseCode::SysTemp,
            ResponseCode::SysPerm,
            ResponseCode::Auth,
            ResponseCode::Utf8,
        ];
        KNOWN
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .unwrap_or(ResponseCode::Other(Cow::Borrowed(s)))
    }
}

/// One response line: `+OK`/`-ERR` with optional code and text, or a SASL
/// continuation `+ data`.
///
/// The text is kept as exact bytes ([`Text`]): any byte but CR, LF and NUL is
/// accepted, UTF-8 or not.
///
/// ```
/// use mailwire::pop3::{parse_response, Response, Status};
///
/// let ok = Response::ok("2 320");
/// assert_eq!(ok.drop_listing().map(|d| d.count), Some(2));
/// let mut out = Vec::new();
/// ok.emit(&mut out)?;
/// assert_eq!(parse_response(&out)?, ok); // what is emitted parses back the same
/// // a SASL continuation (RFC 5034 §4)
/// assert_eq!(parse_response(b"+ dGVzdA==")?.status, Status::Continue);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    /// `+OK`, `-ERR` or `+`.
    pub status: Status,
    /// The extended response code, if any (never for [`Status::Continue`]).
    pub code: Option<ResponseCode<'a>>,
    /// The text after the status (and code); for a continuation, the base64 data.
    pub text: Text<'a>,
}

impl<'a> Response<'a> {
    /// `+OK text`.
    pub fn ok(text: impl Into<Text<'a>>) -> Self {
        Response {
            status: Status::Ok,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR text`.
    pub fn err(text: impl Into<Text<'a>>) -> Self {
        Response {
            status: Status::Err,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR [code] text`.
    pub fn err_with(code: ResponseCode<'a>, text: impl Into<Text<'a>>) -> Self {
        Response {
            status: Status::Err,
            code: Some(code),
            text: text.into(),
        }
    }

    /// `+ data` (a SASL continuation; `data` is base64).
    pub fn continuation(data: impl Into<Text<'a>>) -> Self {
        Response {
            status: Status::Continue,
            code: None,
            text: data.into(),
        }
    }

    /// Whether the status is `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The APOP timestamp of a greeting (RFC 1939 §7), angle brackets included:
    /// the first `<...>` in the text that contains no space and an `@`.
    pub fn apop_timestamp(&self) -> Option<&[u8]> {
        let text = self.text.as_bytes();
        let mut from = 0;
        while let Some(open) = memchr::memchr(b'<', &text[from..]).map(|i| i + from) {
            let close = memchr::memchr(b'>', &text[open..]).map(|i| i + open)?;
            let ts = &text[open..=close];
            if ts.contains(&b'@') && !ts.contains(&b' ') && !ts[1..].contains(&b'<') {
                return Some(ts);
            }
            from = open + 1;
        }
        None
    }

    /// The scan listing of a `+OK` answer to `LIST msg`.
    pub fn scan_listing(&self) -> Option<ScanListing> {
        ScanListing::parse(self.text.as_bytes()).ok()
    }

    /// The unique-id listing of a `+OK` answer to `UIDL msg`.
    pub fn unique_id_listing(&self) -> Option<UniqueIdListing<'_>> {
        UniqueIdListing::parse(self.text.as_bytes()).ok()
    }

    /// The language of a `+OK` answer to `LANG tag` (RFC 6856 §3.2: "the
    /// server returns a +OK response followed by a single space, the exact
    /// language tag selected, and another space. Human-readable text in the
    /// appropriate language then appears in the rest of the line"), and
    /// that text.
    pub fn language(&self) -> Option<LanguageListing<'_>> {
        LanguageListing::parse(self.text.as_bytes()).ok()
    }
}

/// The answer to STAT (RFC 1939 §5): number of messages and their total size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DropListing {
    /// Number of messages (not counting those marked deleted).
    pub count: u32,
    /// Their total size in octets.
    pub size: u64,
}

/// One line of a LIST answer (RFC 1939 §5): `msg SP size`.
///
/// ```
/// use mailwire::pop3::ScanListing;
///
/// assert_eq!(ScanListing::parse(b"2 200")?, ScanListing { msg: 2, size: 200 });
/// assert!(ScanListing::parse(b"two 200").is_err());
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: u32,
    /// Its size in octets.
    pub size: u64,
}

/// One line of a UIDL answer (RFC 1939 §7): `msg SP unique-id`.
///
/// ```
/// use mailwire::pop3::UniqueIdListing;
///
/// let line = UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ")?;
/// assert_eq!((line.msg, line.uid.as_bytes()), (1, &b"whqtswO00WBw418f9t5JxYwZ"[..]));
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UniqueIdListing<'a> {
    /// The message number.
    pub msg: u32,
    /// The unique id (RFC 1939: 1 to 70 characters in 0x21..=0x7E; other
    /// non-space bytes are kept as sent).
    pub uid: Text<'a>,
}

impl UniqueIdListing<'_> {}

/// One line of the answer to `LANG` without argument, a "language listing"
/// (RFC 6856 §3): the language tag, optionally a space and a description of
/// the language in the language itself (UTF-8). The same shape starts the
/// text of a `+OK` to `LANG tag` ("+OK es Idioma cambiado": the tag the
/// server chose, then text), see [`Response::language`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LanguageListing<'a> {
    /// The language tag (RFC 5646), as sent.
    pub tag: Cow<'a, str>,
    /// The description (empty when none).
    pub description: Text<'a>,
}

/// The `EXPIRE` policy (RFC 2449 §6.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expire {
    /// Messages are kept for at least this many days.
    Days(u32),
    /// Messages are never deleted by the server.
    Never,
}

/// The SASL mechanisms of a `SASL` capability, as a borrowed space-separated list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SaslMechanisms<'a>(pub Cow<'a, str>);

impl SaslMechanisms<'_> {
    /// The mechanism names.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|m| !m.is_empty())
    }

    /// Whether `mechanism` is listed (case-insensitive).
    pub fn contains(&self, mechanism: &str) -> bool {
        self.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }
}

/// One line of a CAPA answer (RFC 2449 §6, RFC 6856 §2–§4).
///
/// ```
/// use mailwire::pop3::Capability;
///
/// // RFC 2449 §6.5 and §6.7
/// assert_eq!(Capability::parse(b"LOGIN-DELAY 900")?, Capability::LoginDelay { seconds: 900, per_user: false });
/// assert_eq!(Capability::parse(b"PIPELINING")?, Capability::Pipelining);
/// assert!(matches!(Capability::parse(b"X-UNKNOWN arg")?, Capability::Other { .. }));
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2).
    User,
    /// `SASL mechanisms...` (RFC 2449 §6.3, RFC 5034 §4).
    Sasl(SaslMechanisms<'a>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// `USER`: the value may differ per user (only after login).
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE n|NEVER [USER]` (RFC 2449 §6.7).
    Expire {
        /// The policy.
        policy: Expire,
        /// `USER`: the value may differ per user.
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9).
    Implementation(Text<'a>),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2).
    Utf8 {
        /// `USER`: UTF-8 is also accepted in USER and PASS.
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// Any other capability, kept as sent.
    Other {
        /// The tag (printable ASCII without space).
        name: Cow<'a, str>,
        /// Everything after the first space (empty when none).
        args: Text<'a>,
    },
}

impl Capability<'_> {}

crate::owned::owned_copy!(Expire, Status);

crate::owned::into_owned! {
    struct SaslMechanisms(names)
    inherent enum ResponseCode { InUse, LoginDelay, SysTemp, SysPerm, Auth, Utf8, Other(s) }
    inherent struct Response { status, code, text }
    inherent struct UniqueIdListing { msg, uid }
    inherent struct LanguageListing { tag, description }
    inherent enum Capability {
        Top,
        User,
        Sasl(m),
        RespCodes,
        LoginDelay { seconds, per_user },
        Pipelining,
        Expire { policy, per_user },
        Uidl,
        Implementation(t),
        Stls,
        Utf8 { user },
        Lang,
        Other { name, args },
    }
}
