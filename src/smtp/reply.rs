//! SMTP replies (RFC 5321 §4.2), enhanced status codes (RFC 3463, RFC 2034) and
//! the EHLO keywords of a server's greeting reply (RFC 5321 §4.1.1.1 and the
//! extensions' RFCs: 1870, 2920, 6152, 3030, 3461, 2034, 6531, 3207, 4954, 8689,
//! 9422).
//!
//! ```
//! use mailwire::smtp::{parse_reply, EhloKeyword};
//!
//! let ehlo = parse_reply(b"250-mx.example\r\n250-SIZE 35882577\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n")?;
//! let keywords: Vec<EhloKeyword<'_>> = ehlo.capabilities().collect();
//! assert!(keywords.contains(&EhloKeyword::Size(Some(35882577))));
//! assert!(keywords.contains(&EhloKeyword::StartTls));
//! # Ok::<(), mailwire::error::ParseError>(())
//! ```
//!
//! A [`Reply`] keeps the exact bytes of its frame (every line with its CRLF), so
//! reply texts are lossless whatever bytes a server sends (any byte but CR, LF and
//! NUL), and lines are handed out lazily without allocating.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;

use super::syntax::{number, split_param, trim_end};
use crate::error::Error;
use crate::text::Text;

/// A reply code, `%x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// `220` service ready.
    pub const READY: ReplyCode = ReplyCode(220);
    /// `221` closing.
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// `235` authentication succeeded.
    pub const AUTH_OK: ReplyCode = ReplyCode(235);
    /// `250` OK.
    pub const OK: ReplyCode = ReplyCode(250);
    /// `334` SASL challenge.
    pub const AUTH_CONTINUE: ReplyCode = ReplyCode(334);
    /// `354` start mail input.
    pub const START_DATA: ReplyCode = ReplyCode(354);
    /// `421` service not available, closing.
    pub const SERVICE_UNAVAILABLE: ReplyCode = ReplyCode(421);

    /// A code from its number, if it is a valid reply code (200–559 with the
    /// RFC's digit ranges).
    pub const fn new(code: u16) -> Option<ReplyCode> {
        let (a, b) = (code / 100, code / 10 % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Some(ReplyCode(code))
        } else {
            None
        }
    }

    /// A code from digits already checked against `%x32-35 %x30-35 %x30-39`.
    #[inline(always)]
    pub(crate) const fn from_checked(code: u16) -> ReplyCode {
        ReplyCode(code)
    }

    /// The number.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// 2xx.
    pub const fn is_positive(self) -> bool {
        self.0 / 100 == 2
    }

    /// 3xx.
    pub const fn is_intermediate(self) -> bool {
        self.0 / 100 == 3
    }

    /// 4xx.
    pub const fn is_transient(self) -> bool {
        self.0 / 100 == 4
    }

    /// 5xx.
    pub const fn is_permanent(self) -> bool {
        self.0 / 100 == 5
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463 §2):
/// class 2, 4 or 5, subject and detail 1–3 digits.
///
/// ```
/// use mailwire::smtp::{EnhancedStatus, Reply};
///
/// assert_eq!(EnhancedStatus::BAD_DESTINATION_MAILBOX.to_string(), "5.1.1");
/// assert_eq!(EnhancedStatus::new(4, 7, 1), Some(EnhancedStatus::NOT_AUTHORIZED.with_class(4)));
/// assert_eq!(EnhancedStatus::new(3, 0, 0), None); // RFC 3463 §3.1: class 2, 4 or 5
/// // the status must agree with the reply's class (RFC 3463 §2)
/// assert!(Reply::single(250, Some(EnhancedStatus::SECURITY), "no").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnhancedStatus {
    /// 2, 4 or 5.
    pub class: u8,
    /// 0–999.
    pub subject: u16,
    /// 0–999.
    pub detail: u16,
}

impl EnhancedStatus {
    /// A status code, if valid.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if (class == 2 || class == 4 || class == 5) && subject < 1000 && detail < 1000 {
            Some(EnhancedStatus {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    pub(crate) const fn c(class: u8, subject: u16, detail: u16) -> Self {
        EnhancedStatus {
            class,
            subject,
            detail,
        }
    }

    /// The same subject and detail with another class: `2`, `4` or `5`
    /// (any other value keeps the class).
    ///
    /// ```
    /// use mailwire::smtp::EnhancedStatus;
    /// let full = EnhancedStatus::MAILBOX_FULL.with_class(5);
    /// assert_eq!(full.to_string(), "5.2.2");
    /// ```
    pub const fn with_class(self, class: u8) -> Self {
        match class {
            2 | 4 | 5 => EnhancedStatus::c(class, self.subject, self.detail),
            _ => self,
        }
    }

    // The common codes, named as in RFC 3463 §3 (and the RFCs that registered
    // later ones, RFC 5248's registry). Each carries the class it is used with
    // most; `with_class` gives the other.

    /// `2.0.0` success (RFC 3463 §3.1 "Other undefined Status").
    pub const OK: Self = Self::c(2, 0, 0);
    /// `2.1.0` the sender's address is fine (X.1.0 "Other address status").
    pub const SENDER_OK: Self = Self::c(2, 1, 0);
    /// `2.1.5` "Destination address valid".
    pub const DESTINATION_VALID: Self = Self::c(2, 1, 5);
    /// `2.6.0` message accepted (X.6.0 "Other or undefined media error" is
    /// what servers use for a queued message).
    pub const MESSAGE_ACCEPTED: Self = Self::c(2, 6, 0);
    /// `5.1.1` "Bad destination mailbox address": no such user.
    pub const BAD_DESTINATION_MAILBOX: Self = Self::c(5, 1, 1);
    /// `5.1.2` "Bad destination system address": no such domain here.
    pub const BAD_DESTINATION_SYSTEM: Self = Self::c(5, 1, 2);
    /// `5.1.3` "Bad destination mailbox address syntax".
    pub const BAD_DESTINATION_SYNTAX: Self = Self::c(5, 1, 3);
    /// `5.1.7` "Bad sender's mailbox address syntax".
    pub const BAD_SENDER_SYNTAX: Self = Self::c(5, 1, 7);
    /// `5.1.8` "Bad sender's system address".
    pub const BAD_SENDER_SYSTEM: Self = Self::c(5, 1, 8);
    /// `5.2.1` "Mailbox disabled, not accepting messages".
    pub const MAILBOX_DISABLED: Self = Self::c(5, 2, 1);
    /// `4.2.2` "Mailbox full".
    pub const MAILBOX_FULL: Self = Self::c(4, 2, 2);
    /// `5.2.3` "Message length exceeds administrative limit".
    pub const MESSAGE_LENGTH_EXCEEDED: Self = Self::c(5, 2, 3);
    /// `4.3.0` "Other or undefined mail system status": try again later.
    pub const SYSTEM_TEMPORARY: Self = Self::c(4, 3, 0);
    /// `4.3.1` "Mail system full".
    pub const SYSTEM_FULL: Self = Self::c(4, 3, 1);
    /// `5.3.4` "Message too big for system".
    pub const MESSAGE_TOO_BIG: Self = Self::c(5, 3, 4);
    /// `4.4.2` "Bad connection" (used with `421` on timeouts).
    pub const BAD_CONNECTION: Self = Self::c(4, 4, 2);
    /// `5.5.1` "Invalid command".
    pub const INVALID_COMMAND: Self = Self::c(5, 5, 1);
    /// `5.5.2` "Syntax error".
    pub const SYNTAX_ERROR: Self = Self::c(5, 5, 2);
    /// `4.5.3` "Too many recipients".
    pub const TOO_MANY_RECIPIENTS: Self = Self::c(4, 5, 3);
    /// `5.5.4` "Invalid command arguments".
    pub const INVALID_ARGUMENTS: Self = Self::c(5, 5, 4);
    /// `5.6.7` non-ASCII addresses not permitted (RFC 6531 §3.5).
    pub const NON_ASCII_ADDRESS: Self = Self::c(5, 6, 7);
    /// `5.7.0` "Other or undefined security status" (RFC 4954 §6:
    /// authentication required).
    pub const SECURITY: Self = Self::c(5, 7, 0);
    /// `5.7.1` "Delivery not authorized, message refused" (relaying denied,
    /// policy).
    pub const NOT_AUTHORIZED: Self = Self::c(5, 7, 1);
    /// `5.7.8` authentication credentials invalid (RFC 4954 §6).
    pub const AUTH_CREDENTIALS_INVALID: Self = Self::c(5, 7, 8);
    /// `5.7.11` encryption required for the requested authentication
    /// mechanism (RFC 4954 §6).
    pub const ENCRYPTION_REQUIRED: Self = Self::c(5, 7, 11);
}

/// A negative reply an SMTP server commonly gives: its code, enhanced status
/// and text, for [`Server::reject_with`](crate::smtp::Server::reject_with).
///
/// ```
/// use mailwire::smtp::{Rejection, ReplyCode};
/// let r = Rejection::NO_SUCH_USER;
/// assert_eq!((r.code, r.status.to_string()), (550, "5.1.1".to_string()));
/// let custom = Rejection::new(451, mailwire::smtp::EnhancedStatus::SYSTEM_TEMPORARY, "greylisted");
/// assert!(ReplyCode::new(custom.code).unwrap().is_transient());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The reply code, 4xx or 5xx.
    pub code: u16,
    /// The enhanced status code (RFC 3463).
    pub status: EnhancedStatus,
    /// The text.
    pub text: &'static str,
}

impl Rejection {
    /// A rejection from its parts (checked when it is sent).
    pub const fn new(code: u16, status: EnhancedStatus, text: &'static str) -> Self {
        Rejection { code, status, text }
    }

    /// `550 5.1.1` at RCPT: no such user here.
    pub const NO_SUCH_USER: Self = Self::new(
        550,
        EnhancedStatus::BAD_DESTINATION_MAILBOX,
        "No such user here",
    );
    /// `550 5.7.1` at RCPT: the recipient's domain is not ours and the client
    /// may not relay.
    pub const RELAY_DENIED: Self =
        Self::new(550, EnhancedStatus::NOT_AUTHORIZED, "Relaying denied");
    /// `553 5.1.8` at MAIL: the sender's domain is refused.
    pub const SENDER_REFUSED: Self = Self::new(
        553,
        EnhancedStatus::BAD_SENDER_SYSTEM,
        "Sender address rejected",
    );
    /// `452 4.2.2` at RCPT or end of data: mailbox full, try later.
    pub const MAILBOX_FULL: Self = Self::new(
        452,
        EnhancedStatus::MAILBOX_FULL,
        "Mailbox full, try again later",
    );
    /// `552 5.3.4` at end of data: the message is too big.
    pub const MESSAGE_TOO_BIG: Self =
        Self::new(552, EnhancedStatus::MESSAGE_TOO_BIG, "Message too big");
    /// `451 4.3.0` anywhere: a local problem, try again later.
    pub const TRY_AGAIN_LATER: Self = Self::new(
        451,
        EnhancedStatus::SYSTEM_TEMPORARY,
        "Local error, try again later",
    );
    /// `550 5.7.1` anywhere: refused by policy.
    pub const POLICY: Self = Self::new(
        550,
        EnhancedStatus::NOT_AUTHORIZED,
        "Message refused by policy",
    );
    /// `535 5.7.8` at AUTH: wrong credentials (RFC 4954 §6).
    pub const AUTH_FAILED: Self = Self::new(
        535,
        EnhancedStatus::AUTH_CREDENTIALS_INVALID,
        "Authentication credentials invalid",
    );
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// An SMTP reply: one or more lines with the same code.
///
/// Holds the frame's exact bytes (borrowed when parsed); [`lines`](Self::lines)
/// gives each line's text. Build one with [`Reply::new`].
///
/// ```
/// use mailwire::smtp::{parse_reply, Reply};
///
/// let frame = b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n";
/// let reply = parse_reply(frame)?;
/// assert!(reply.code().is_positive());
/// let texts: Vec<String> = reply.messages().map(|t| t.to_string()).collect();
/// assert_eq!(texts, ["foo.com greets bar.com", "8BITMIME", "HELP"]);
/// assert_eq!(reply.as_bytes(), frame); // exactly as received
/// let built = Reply::single(221, None, "foo.com Service closing transmission channel")?;
/// assert_eq!(built.to_string(), "221 foo.com Service closing transmission channel");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Reply<'a> {
    pub(crate) code: ReplyCode,
    pub(crate) enhanced: Option<EnhancedStatus>,
    /// The whole frame, every line with its CRLF.
    pub(crate) raw: Cow<'a, [u8]>,
}

impl<'a> Reply<'a> {
    /// Builds a reply. Each element of `lines` becomes one line; when `enhanced`
    /// is given it is written at the start of every line (RFC 2034 §3). An empty
    /// slice gives one line with the code alone (or the code and status).
    ///
    /// Without `enhanced`, a first line that itself starts with a status code of
    /// the reply's class (`"2.1.0 ok"` for a 250) is read as one, as a peer reads
    /// it: [`enhanced`](Self::enhanced) then returns it, so the reply equals its
    /// parsed wire form.
    ///
    /// Fails with [`Error::Emit`] when a line holds CR, LF or NUL, or is longer
    /// than the 512 octets RFC 5321 §4.5.3.1.5 allows.
    pub fn new(
        code: ReplyCode,
        enhanced: Option<EnhancedStatus>,
        lines: &[&[u8]],
    ) -> Result<Reply<'static>, Error> {
        let mut raw = Vec::with_capacity(lines.iter().map(|l| l.len() + 16).sum::<usize>() + 16);
        if let Some(e) = enhanced {
            if e.class != (code.get() / 100) as u8 {
                return Err(Error::Emit(
                    crate::error::Unemittable::EnhancedStatusMismatch,
                ));
            }
        }
        let count = lines.len().max(1);
        for i in 0..count {
            let text = lines.get(i).copied().unwrap_or(b"");
            if !crate::wire::line::is_line_safe(text) {
                return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                    field: "reply text",
                }));
            }
            let start = raw.len();
            let sep = if i + 1 == count { b' ' } else { b'-' };
            let mut num = [0u8; 3];
            num[0] = b'0' + (code.get() / 100) as u8;
            num[1] = b'0' + (code.get() / 10 % 10) as u8;
            num[2] = b'0' + (code.get() % 10) as u8;
            raw.extend_from_slice(&num);
            match enhanced {
                Some(e) => {
                    raw.push(sep);
                    use core::fmt::Write;
                    let mut s = alloc::string::String::new();
                    let _ = write!(s, "{e}");
                    raw.extend_from_slice(s.as_bytes());
                    if !text.is_empty() {
                        raw.push(b' ');
                        raw.extend_from_slice(text);
                    }
                }
                None if text.is_empty() && sep == b' ' => {}
                None => {
                    raw.push(sep);
                    raw.extend_from_slice(text);
                }
            }
            raw.extend_from_slice(b"\r\n");
            if raw.len() - start > 512 {
                return Err(Error::Emit(crate::error::Unemittable::LineTooLong));
            }
        }
        let enhanced =
            enhanced.or_else(|| reply_enhanced(code, lines.first().copied().unwrap_or(b"")));
        Ok(Reply {
            code,
            enhanced,
            raw: Cow::Owned(raw),
        })
    }

    /// A one-line reply from text (shorthand for [`Reply::new`]).
    pub fn single(
        code: u16,
        enhanced: Option<EnhancedStatus>,
        text: &str,
    ) -> Result<Reply<'static>, Error> {
        let code = ReplyCode::new(code).ok_or(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "Reply-code",
        }))?;
        Reply::new(code, enhanced, &[text.as_bytes()])
    }

    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code of the first line, when there is one.
    pub fn enhanced(&self) -> Option<EnhancedStatus> {
        self.enhanced
    }

    /// The exact bytes of the frame, every line with its CRLF.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// The text of each line (after the code and `-`/space), exact bytes,
    /// enhanced status included.
    pub fn lines(&self) -> ReplyLines<'_> {
        ReplyLines { rest: &self.raw }
    }

    /// The text of each line with a leading enhanced status code removed
    /// (when the reply has one).
    pub fn messages(&self) -> impl Iterator<Item = Text<'_>> + '_ {
        let strip = self.enhanced.is_some();
        self.lines().map(move |t| {
            let b = t.0;
            match b {
                Cow::Borrowed(b) if strip => Text::borrowed(strip_enhanced(b)),
                other => Text(other),
            }
        })
    }

    /// The first line's text, enhanced status removed.
    pub fn text(&self) -> Text<'_> {
        self.messages().next().unwrap_or_default()
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.lines().count()
    }

    /// The EHLO keywords announced by this reply (every line but the first).
    pub fn capabilities(&self) -> EhloKeywords<'_> {
        let mut lines = self.lines();
        lines.next();
        EhloKeywords { lines }
    }
}

fn strip_enhanced(b: &[u8]) -> &[u8] {
    match enhanced_prefix(b) {
        Some((_, n)) => {
            let rest = &b[n..];
            rest.strip_prefix(b" ").unwrap_or(rest)
        }
        None => b,
    }
}

impl fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("code", &self.code.0)
            .field("enhanced", &self.enhanced)
            .field("lines", &self.lines().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Display for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for (i, l) in self.lines().enumerate() {
            f.write_str(if i == 0 { " " } else { " / " })?;
            write!(f, "{l}")?;
        }
        Ok(())
    }
}

/// Iterator over the texts of a reply's lines.
#[derive(Clone, Debug)]
pub struct ReplyLines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ReplyLines<'a> {
    type Item = Text<'a>;
    fn next(&mut self) -> Option<Text<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.rest).unwrap_or(self.rest.len());
        let line = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or(&[]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        Some(Text::borrowed(line.get(4..).unwrap_or(&[])))
    }
}

/// The EHLO keywords of a reply, parsed lazily (RFC 5321 §4.1.1.1:
/// `ehlo-line = ehlo-keyword *( SP ehlo-param )`).
#[derive(Clone, Debug)]
pub struct EhloKeywords<'a> {
    lines: ReplyLines<'a>,
}

impl<'a> Iterator for EhloKeywords<'a> {
    type Item = EhloKeyword<'a>;
    fn next(&mut self) -> Option<EhloKeyword<'a>> {
        let line = self.lines.next()?;
        let Cow::Borrowed(b) = line.0 else {
            return None;
        };
        Some(ehlo_keyword(b))
    }
}

/// One EHLO keyword line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EhloKeyword<'a> {
    /// `SIZE [n]` (RFC 1870); `None` or 0 means no fixed limit.
    Size(Option<u64>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `CHUNKING` (RFC 3030).
    Chunking,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mech...` (RFC 4954); the mechanisms, space separated.
    Auth(Mechanisms<'a>),
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `LIMITS` (RFC 9422).
    Limits {
        /// `RCPTMAX=n`.
        rcptmax: Option<u64>,
        /// `MAILMAX=n`.
        mailmax: Option<u64>,
    },
    /// Any other keyword, with its parameters raw.
    Other {
        /// The keyword as sent (may be empty or odd if the line is malformed).
        keyword: &'a [u8],
        /// The rest of the line after the keyword and a space.
        params: &'a [u8],
    },
}

/// Space-separated SASL mechanism names of an `AUTH` EHLO line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mechanisms<'a>(pub(crate) &'a [u8]);

impl<'a> Mechanisms<'a> {
    /// The mechanism names.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0.split(|&b| b == b' ').filter(|m| !m.is_empty())
    }

    /// Whether `name` is among them (case-insensitive).
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|m| m.eq_ignore_ascii_case(name.as_bytes()))
    }
}

/// The enhanced status of a reply as a peer reads it: a status code at the
/// start of the first line's text, of the reply code's class (RFC 2034 §4).
/// Shared by the parser and [`Reply::new`], so a built reply and its parsed
/// wire form agree.
pub(crate) fn reply_enhanced(code: ReplyCode, first_text: &[u8]) -> Option<EnhancedStatus> {
    enhanced_prefix(first_text)
        .map(|(e, _)| e)
        .filter(|e| u16::from(e.class) == code.get() / 100)
}

// status-code = class "." subject "." detail
// class = "2" / "4" / "5" ; subject = 1*3digit ; detail = 1*3digit
/// An enhanced status code at the start of a reply text, and its length.
pub(crate) fn enhanced_prefix(t: &[u8]) -> Option<(EnhancedStatus, usize)> {
    let class = match t.first()? {
        c @ (b'2' | b'4' | b'5') => c - b'0',
        _ => return None,
    };
    if t.get(1) != Some(&b'.') {
        return None;
    }
    // 1*3digit, read in one pass
    let digits = |from: usize| -> Option<(u16, usize)> {
        let (mut v, mut p) = (0u16, from);
        while let Some(&d) = t.get(p) {
            let x = d.wrapping_sub(b'0');
            if x > 9 {
                break;
            }
            if p - from == 3 {
                return None;
            }
            v = v * 10 + u16::from(x);
            p += 1;
        }
        (p > from).then_some((v, p))
    };
    let (subject, p) = digits(2)?;
    if t.get(p) != Some(&b'.') {
        return None;
    }
    let (detail, p) = digits(p + 1)?;
    match t.get(p) {
        None | Some(b' ') => Some((EnhancedStatus::c(class, subject, detail), p)),
        _ => None,
    }
}

// ehlo-line = ehlo-keyword *( SP ehlo-param )
// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
pub(crate) fn ehlo_keyword(line: &[u8]) -> EhloKeyword<'_> {
    let sp = memchr::memchr(b' ', line).unwrap_or(line.len());
    let (kw, params) = (&line[..sp], line.get(sp + 1..).unwrap_or(&[]));
    let k = |n: &[u8]| kw.eq_ignore_ascii_case(n);
    let no_params = params.iter().all(|&b| b == b' ');
    match kw.len() {
        4 if k(b"SIZE") => EhloKeyword::Size(number(trim_end(params))),
        10 if k(b"PIPELINING") && no_params => EhloKeyword::Pipelining,
        8 if k(b"8BITMIME") && no_params => EhloKeyword::EightBitMime,
        10 if k(b"BINARYMIME") && no_params => EhloKeyword::BinaryMime,
        8 if k(b"CHUNKING") && no_params => EhloKeyword::Chunking,
        3 if k(b"DSN") && no_params => EhloKeyword::Dsn,
        19 if k(b"ENHANCEDSTATUSCODES") && no_params => EhloKeyword::EnhancedStatusCodes,
        8 if k(b"SMTPUTF8") && no_params => EhloKeyword::SmtpUtf8,
        8 if k(b"STARTTLS") && no_params => EhloKeyword::StartTls,
        4 if k(b"AUTH") => EhloKeyword::Auth(Mechanisms(params)),
        10 if k(b"REQUIRETLS") && no_params => EhloKeyword::RequireTls,
        6 if k(b"LIMITS") => {
            let (mut rcptmax, mut mailmax) = (None, None);
            for p in params.split(|&b| b == b' ') {
                let (n, v) = split_param(p);
                if n.eq_ignore_ascii_case(b"RCPTMAX") {
                    rcptmax = v.and_then(number);
                } else if n.eq_ignore_ascii_case(b"MAILMAX") {
                    mailmax = v.and_then(number);
                }
            }
            EhloKeyword::Limits { rcptmax, mailmax }
        }
        _ => EhloKeyword::Other {
            keyword: kw,
            params,
        },
    }
}

crate::owned::owned_copy!(EnhancedStatus, ReplyCode);

crate::owned::into_owned! {
    inherent struct Reply { code, enhanced, raw }
}
