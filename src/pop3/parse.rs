//! Parsing POP3 commands and responses (RFC 1939 §3–§7, RFC 2449 §3, §6, §8,
//! RFC 5034 §4, RFC 6856).
//!
//! Every parser runs on one complete line (framing came first, see
//! [`wire::line`](crate::wire::line)) and returns values borrowing that line.
//! Nothing is allocated. Keywords and capability tags are case-insensitive;
//! free text is any byte but CR, LF and NUL.

use alloc::borrow::Cow;

use crate::Status as ParseStatus;
use crate::error::{Error, LimitKind, ParseError};
use crate::text::{Secret, Text};
use crate::wire::line::{LineFinder, LinePolicy};

use super::command::{Command, CommandKind};
use super::response::{
    Capability, Expire, Response, ResponseCode, SaslMechanisms, ScanListing, Status,
    UniqueIdListing,
};

/// `SP` (and tolerated runs of it) between arguments.
fn split_sp(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b' ', s) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

/// A printable ASCII token without space: `1*VCHAR` (RFC 2449 §3, `param`).
fn token(s: &[u8]) -> Option<&str> {
    if s.is_empty() || !s.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return None;
    }
    core::str::from_utf8(s).ok()
}

/// Free text: any byte but CR, LF and NUL.
fn free_text(s: &[u8]) -> Option<Text<'_>> {
    if crate::wire::line::is_line_safe(s) {
        Some(Text::borrowed(s))
    } else {
        None
    }
}

/// `msg = 1*DIGIT` (RFC 1939 §5), checked against overflow.
pub(crate) fn number_u32(s: &[u8]) -> Option<u32> {
    u32::try_from(number_u64(s)?).ok()
}

/// `1*DIGIT` as u64, checked.
pub(crate) fn number_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// `number SP number [SP rest]` (drop and scan listings).
pub(crate) fn two_numbers(s: &[u8]) -> Option<(u32, u64, &[u8])> {
    let (a, rest) = split_sp(s);
    let (b, rest) = split_sp(rest?);
    Some((number_u32(a)?, number_u64(b)?, rest.unwrap_or(b"")))
}

/// The arguments after the keyword, with trailing spaces removed (tolerated after
/// commands whose arguments are numbers).
fn trimmed(args: Option<&[u8]>) -> &[u8] {
    let mut a = args.unwrap_or(b"");
    while let [rest @ .., b' '] = a {
        a = rest;
    }
    a
}

/// Parses one command line (without its CRLF).
///
/// ```text
/// command = keyword *(SP param)        ; RFC 2449 §3
/// keyword = 3*4VCHAR                   ; case-insensitive
/// ```
/// Unknown keywords give [`Command::Unknown`]; only a line without a printable
/// keyword, or a known command with bad arguments, is an error.
pub fn parse_command_line(line: &[u8]) -> Result<Command<'_>, ParseError> {
    let (kw, args) = split_sp(line);
    let Some(keyword) = token(kw) else {
        return Err(ParseError::new(line, 0, "command keyword"));
    };
    let at = kw.len() + 1;
    let err = |expected| ParseError::new(line, at, expected);
    let Some(kind) = CommandKind::from_keyword(kw) else {
        let args = args.unwrap_or(b"");
        let Some(args) = free_text(args) else {
            return Err(err("arguments without CR, LF or NUL"));
        };
        return Ok(Command::Unknown {
            keyword: Cow::Borrowed(keyword),
            args,
        });
    };
    let none = |c: Command<'static>| {
        if trimmed(args).is_empty() {
            Ok(c)
        } else {
            Err(err("end of line"))
        }
    };
    let opt_msg = || {
        let a = trimmed(args);
        if a.is_empty() {
            Ok(None)
        } else {
            number_u32(a).map(Some).ok_or_else(|| err("message number"))
        }
    };
    let msg = || number_u32(trimmed(args)).ok_or_else(|| err("message number"));
    match kind {
        // USER name / PASS string: the rest of the line (RFC 1939 §7).
        CommandKind::User => {
            let name = free_text(args.unwrap_or(b""))
                .filter(|n| !n.is_empty())
                .ok_or_else(|| err("mailbox name"))?;
            Ok(Command::User { name })
        }
        CommandKind::Pass => {
            let pw = args.unwrap_or(b"");
            if !crate::wire::line::is_line_safe(pw) {
                return Err(err("password"));
            }
            Ok(Command::Pass {
                password: Secret(Cow::Borrowed(pw)),
            })
        }
        // APOP name digest (RFC 1939 §7); the digest is the last word.
        CommandKind::Apop => {
            let a = args.unwrap_or(b"");
            let Some(sp) = memchr::memrchr(b' ', a) else {
                return Err(err("name SP digest"));
            };
            let (name, digest) = (&a[..sp], &a[sp + 1..]);
            if name.is_empty() || !crate::wire::line::is_line_safe(name) {
                return Err(err("mailbox name"));
            }
            match token(digest) {
                Some(d) if d.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(Command::Apop {
                    name: Text::borrowed(name),
                    digest: Cow::Borrowed(d),
                }),
                _ => Err(ParseError::new(line, at + sp + 1, "hex digest")),
            }
        }
        CommandKind::Stat => none(Command::Stat),
        CommandKind::Noop => none(Command::Noop),
        CommandKind::Rset => none(Command::Rset),
        CommandKind::Quit => none(Command::Quit),
        CommandKind::Capa => none(Command::Capa),
        CommandKind::Stls => none(Command::Stls),
        CommandKind::Utf8 => none(Command::Utf8),
        CommandKind::List => Ok(Command::List { msg: opt_msg()? }),
        CommandKind::Uidl => Ok(Command::Uidl { msg: opt_msg()? }),
        CommandKind::Retr => Ok(Command::Retr { msg: msg()? }),
        CommandKind::Dele => Ok(Command::Dele { msg: msg()? }),
        // TOP msg n
        CommandKind::Top => {
            let (m, n) = split_sp(trimmed(args));
            let msg = number_u32(m).ok_or_else(|| err("message number"))?;
            let lines = n
                .and_then(number_u32)
                .ok_or_else(|| err("SP number of lines"))?;
            Ok(Command::Top { msg, lines })
        }
        // auth = "AUTH" SP sasl-mech [SP initial-response]   ; RFC 5034 §4
        // initial-response = base64 / "="
        CommandKind::Auth => {
            let (m, ir) = split_sp(trimmed(args));
            let mechanism = token(m).ok_or_else(|| err("SASL mechanism"))?;
            let initial_response = match ir {
                None => None,
                Some(ir) => Some(Cow::Borrowed(
                    token(ir)
                        .filter(|s| is_base64_or_eq(s))
                        .ok_or_else(|| err("base64 initial response"))?,
                )),
            };
            Ok(Command::Auth {
                mechanism: Cow::Borrowed(mechanism),
                initial_response,
            })
        }
        // lang-cmd = "LANG" [SP lang-or-wild]   ; RFC 6856 §4
        CommandKind::Lang => {
            let a = trimmed(args);
            if a.is_empty() {
                Ok(Command::Lang { tag: None })
            } else {
                let t = token(a).ok_or_else(|| err("language tag"))?;
                Ok(Command::Lang {
                    tag: Some(Cow::Borrowed(t)),
                })
            }
        }
        CommandKind::Unknown => Err(err("command")),
    }
}

pub(crate) fn is_base64_or_eq(s: &str) -> bool {
    s == "="
        || (!s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
}

/// Parses a command from the start of `buf`, which must hold its CRLF; answers
/// `Incomplete` when the line has not ended yet. Lines are limited to
/// [`Limits::DEFAULT`](crate::Limits::DEFAULT)'s `command_line`.
pub fn parse_command(buf: &[u8]) -> Result<ParseStatus<Command<'_>>, Error> {
    let mut finder = LineFinder::new(
        crate::Limits::DEFAULT.command_line,
        LimitKind::CommandLine,
        LinePolicy::STRICT,
    );
    match finder.find(buf)? {
        None => Ok(ParseStatus::Incomplete(crate::Needed::Unknown)),
        Some(l) => Ok(ParseStatus::Complete(
            parse_command_line(l.content(buf))?,
            l.consumed,
        )),
    }
}

/// `resp-code = "[" resp-level *("/" resp-level) "]"`,
/// `resp-level = 1*rchar`, `rchar = %x21-2E / %x30-5C / %x5E-7F` (RFC 2449 §8).
/// Returns the code's content and the bytes after `]`.
pub(crate) fn resp_code(s: &[u8]) -> Option<(&str, &[u8])> {
    let rest = s.strip_prefix(b"[")?;
    let end = memchr::memchr(b']', rest)?;
    let code = &rest[..end];
    let rchar = |b: &u8| matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f);
    if code
        .split(|&b| b == b'/')
        .any(|l| l.is_empty() || !l.iter().all(rchar))
    {
        return None;
    }
    Some((core::str::from_utf8(code).ok()?, &rest[end + 1..]))
}

/// Parses one response line (without its CRLF).
///
/// ```text
/// single-line = status [SP text]          ; RFC 2449 §3
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// continue-req = "+" SP [base64]          ; RFC 5034 §4 (also a bare "+")
/// ```
pub fn parse_response_line(line: &[u8]) -> Result<Response<'_>, ParseError> {
    let head = |n: usize| line.get(..n).unwrap_or(b"");
    let (status, after) = if head(3).eq_ignore_ascii_case(b"+OK") {
        (Status::Ok, 3)
    } else if head(4).eq_ignore_ascii_case(b"-ERR") {
        (Status::Err, 4)
    } else if head(1) == b"+" {
        (Status::Continue, 1)
    } else {
        return Err(ParseError::new(line, 0, "\"+OK\", \"-ERR\" or \"+ \""));
    };
    let mut rest = &line[after..];
    match rest.first() {
        None => {}
        Some(b' ') => rest = &rest[1..],
        Some(_) => return Err(ParseError::new(line, after, "SP or end of line")),
    }
    let mut code = None;
    if status != Status::Continue {
        if let Some((c, after_code)) = resp_code(rest) {
            code = Some(ResponseCode::from_str_borrowed(c));
            rest = after_code.strip_prefix(b" ").unwrap_or(after_code);
        }
    }
    let Some(text) = free_text(rest) else {
        let bad = rest
            .iter()
            .position(|&b| b == 0 || b == b'\r' || b == b'\n')
            .unwrap_or(0);
        return Err(ParseError::new(
            line,
            line.len() - rest.len() + bad,
            "text without CR, LF or NUL",
        ));
    };
    Ok(Response { status, code, text })
}

/// Parses a response line from the start of `buf`, which must hold its CRLF;
/// answers `Incomplete` when the line has not ended yet.
pub fn parse_response(buf: &[u8]) -> Result<ParseStatus<Response<'_>>, Error> {
    let mut finder = LineFinder::new(
        crate::Limits::DEFAULT.reply_line,
        LimitKind::ReplyLine,
        LinePolicy::STRICT,
    );
    match finder.find(buf)? {
        None => Ok(ParseStatus::Incomplete(crate::Needed::Unknown)),
        Some(l) => Ok(ParseStatus::Complete(
            parse_response_line(l.content(buf))?,
            l.consumed,
        )),
    }
}

impl ScanListing {
    /// Parses one scan listing line: `msg SP size` (RFC 1939 §5; anything after
    /// a further SP is ignored, as the RFC allows).
    pub fn parse(line: &[u8]) -> Result<ScanListing, ParseError> {
        match two_numbers(line) {
            Some((msg, size, _)) => Ok(ScanListing { msg, size }),
            None => Err(ParseError::new(line, 0, "msg SP size")),
        }
    }
}

impl<'a> UniqueIdListing<'a> {
    /// Parses one unique-id listing line: `msg SP unique-id` (RFC 1939 §7).
    /// The id is kept as sent (any bytes but space and controls); trailing
    /// spaces are dropped.
    pub fn parse(line: &'a [u8]) -> Result<UniqueIdListing<'a>, ParseError> {
        let (m, uid) = split_sp(line);
        let msg = number_u32(m).ok_or_else(|| ParseError::new(line, 0, "message number"))?;
        let uid = trimmed(uid);
        if uid.is_empty() || uid.iter().any(|&b| b <= 0x20 || b == 0x7f) {
            return Err(ParseError::new(line, m.len() + 1, "SP unique-id"));
        }
        Ok(UniqueIdListing {
            msg,
            uid: Text::borrowed(uid),
        })
    }
}

impl<'a> Capability<'a> {
    /// Parses one capability line (RFC 2449 §6):
    ///
    /// ```text
    /// capability = capa-tag *(SP param)
    /// capa-tag   = 1*cchar          ; case-insensitive
    /// ```
    /// A known tag whose arguments do not fit is kept as [`Capability::Other`].
    pub fn parse(line: &'a [u8]) -> Result<Capability<'a>, ParseError> {
        let (tag, args) = split_sp(line);
        let name = token(tag).ok_or_else(|| ParseError::new(line, 0, "capability tag"))?;
        let raw = args.unwrap_or(b"");
        let args_text = free_text(raw)
            .ok_or_else(|| ParseError::new(line, tag.len() + 1, "capability arguments"))?;
        let a = trimmed(args);
        let is = |s: &str| name.eq_ignore_ascii_case(s);
        let words = || a.split(|&b| b == b' ').filter(|w| !w.is_empty());
        let user_flag = |w: Option<&[u8]>| match w {
            None => Some(false),
            Some(w) if w.eq_ignore_ascii_case(b"USER") => Some(true),
            Some(_) => None,
        };
        let simple = a.is_empty();
        let typed = if simple && is("TOP") {
            Some(Capability::Top)
        } else if simple && is("USER") {
            Some(Capability::User)
        } else if simple && is("RESP-CODES") {
            Some(Capability::RespCodes)
        } else if simple && is("PIPELINING") {
            Some(Capability::Pipelining)
        } else if simple && is("UIDL") {
            Some(Capability::Uidl)
        } else if simple && is("STLS") {
            Some(Capability::Stls)
        } else if simple && is("LANG") {
            Some(Capability::Lang)
        } else if is("SASL") {
            core::str::from_utf8(a)
                .ok()
                .filter(|s| s.bytes().all(|b| (0x20..0x7f).contains(&b)))
                .map(|s| Capability::Sasl(SaslMechanisms(Cow::Borrowed(s))))
        } else if is("IMPLEMENTATION") {
            Some(Capability::Implementation(args_text.clone()))
        } else if is("LOGIN-DELAY") {
            let mut w = words();
            let seconds = w.next().and_then(number_u32);
            let per_user = user_flag(w.next());
            match (seconds, per_user, w.next()) {
                (Some(seconds), Some(per_user), None) => {
                    Some(Capability::LoginDelay { seconds, per_user })
                }
                _ => None,
            }
        } else if is("EXPIRE") {
            let mut w = words();
            let policy = w.next().and_then(|p| {
                if p.eq_ignore_ascii_case(b"NEVER") {
                    Some(Expire::Never)
                } else {
                    number_u32(p).map(Expire::Days)
                }
            });
            let per_user = user_flag(w.next());
            match (policy, per_user, w.next()) {
                (Some(policy), Some(per_user), None) => {
                    Some(Capability::Expire { policy, per_user })
                }
                _ => None,
            }
        } else if is("UTF8") {
            let mut w = words();
            match (user_flag(w.next()), w.next()) {
                (Some(user), None) => Some(Capability::Utf8 { user }),
                _ => None,
            }
        } else {
            None
        };
        Ok(typed.unwrap_or(Capability::Other {
            name: Cow::Borrowed(name),
            args: args_text,
        }))
    }
}

/// The lines of a complete multi-line response body (RFC 1939 §3), dot-unstuffed,
/// up to the terminating `.` line. Borrowed; nothing is allocated.
///
/// ```
/// use mailwire::pop3::parse::MultiLines;
/// let body = b"1 120\r\n..odd\r\n.\r\n";
/// let mut lines = MultiLines::new(body);
/// assert_eq!(lines.next().unwrap().unwrap(), b"1 120");
/// assert_eq!(lines.next().unwrap().unwrap(), b".odd");
/// assert!(lines.next().is_none());
/// assert_eq!(lines.consumed(), body.len());
/// ```
#[derive(Clone, Debug)]
pub struct MultiLines<'a> {
    buf: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> MultiLines<'a> {
    /// Iterates the lines of `body` (which starts after the `+OK` line).
    pub fn new(body: &'a [u8]) -> Self {
        MultiLines {
            buf: body,
            pos: 0,
            done: false,
        }
    }

    /// Bytes used so far (the terminator included once it was reached).
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// Whether the terminating `.` line was reached.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

impl<'a> Iterator for MultiLines<'a> {
    /// A line, or an error for a bare CR/LF. A body without its terminator ends
    /// the iteration without error: check [`is_done`](MultiLines::is_done).
    type Item = Result<&'a [u8], Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.pos..)?;
        let line = match LineFinder::new(usize::MAX, LimitKind::ReplyLine, LinePolicy::STRICT)
            .find(rest)
        {
            Ok(Some(l)) => l,
            Ok(None) => return None,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.pos += line.consumed;
        let content = line.content(rest);
        match content {
            b"." => {
                self.done = true;
                None
            }
            [b'.', stuffed @ ..] => Some(Ok(stuffed)),
            _ => Some(Ok(content)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Command<'_> {
        parse_command_line(s.as_bytes()).unwrap()
    }

    #[test]
    fn command_table() {
        let table: &[(&str, Command<'static>)] = &[
            (
                "USER mrose",
                Command::User {
                    name: "mrose".into(),
                },
            ),
            ("user a b", Command::User { name: "a b".into() }),
            (
                "PASS secret with spaces ",
                Command::Pass {
                    password: Secret::from("secret with spaces "),
                },
            ),
            (
                "PASS",
                Command::Pass {
                    password: Secret::from(""),
                },
            ),
            (
                "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                Command::Apop {
                    name: "mrose".into(),
                    digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
                },
            ),
            ("STAT", Command::Stat),
            ("stat ", Command::Stat),
            ("LIST", Command::List { msg: None }),
            ("LIST 2", Command::List { msg: Some(2) }),
            ("RETR 1", Command::Retr { msg: 1 }),
            ("DELE 4294967295", Command::Dele { msg: u32::MAX }),
            ("NOOP", Command::Noop),
            ("RSET", Command::Rset),
            ("QUIT", Command::Quit),
            ("TOP 1 10", Command::Top { msg: 1, lines: 10 }),
            ("TOP 1 0", Command::Top { msg: 1, lines: 0 }),
            ("UIDL", Command::Uidl { msg: None }),
            ("UIDL 7", Command::Uidl { msg: Some(7) }),
            ("CAPA", Command::Capa),
            ("STLS", Command::Stls),
            (
                "AUTH PLAIN",
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: None,
                },
            ),
            (
                "AUTH PLAIN AGEAYg==",
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: Some("AGEAYg==".into()),
                },
            ),
            (
                "AUTH EXTERNAL =",
                Command::Auth {
                    mechanism: "EXTERNAL".into(),
                    initial_response: Some("=".into()),
                },
            ),
            ("UTF8", Command::Utf8),
            ("LANG", Command::Lang { tag: None }),
            (
                "LANG *",
                Command::Lang {
                    tag: Some("*".into()),
                },
            ),
            (
                "LANG fr",
                Command::Lang {
                    tag: Some("fr".into()),
                },
            ),
            (
                "XTND XMIT",
                Command::Unknown {
                    keyword: "XTND".into(),
                    args: "XMIT".into(),
                },
            ),
            (
                "LAST",
                Command::Unknown {
                    keyword: "LAST".into(),
                    args: "".into(),
                },
            ),
        ];
        for (line, expected) in table {
            assert_eq!(&cmd(line), expected, "{line}");
        }
    }

    #[test]
    fn command_errors() {
        let table: &[(&[u8], usize, &str)] = &[
            (b"", 0, "command keyword"),
            (b" STAT", 0, "command keyword"),
            (b"\xffSTAT", 0, "command keyword"),
            (b"STAT 1", 5, "end of line"),
            (b"RETR", 4, "message number"),
            (b"RETR x", 5, "message number"),
            (b"RETR 4294967296", 5, "message number"),
            (b"RETR 99999999999999999999999", 5, "message number"),
            (b"LIST -1", 5, "message number"),
            (b"TOP 1", 4, "SP number of lines"),
            (b"APOP mrose", 5, "name SP digest"),
            (b"APOP mrose xyz", 11, "hex digest"),
            (b"APOP  abc", 5, "mailbox name"),
            (b"AUTH", 4, "SASL mechanism"),
            (b"AUTH PLAIN a%b", 5, "base64 initial response"),
            (b"USER a\0b", 5, "mailbox name"),
            (b"USER", 4, "mailbox name"),
            (b"USER ", 5, "mailbox name"),
            (b"XYZ a\0", 4, "arguments without CR, LF or NUL"),
        ];
        for (line, offset, expected) in table {
            let e = parse_command_line(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (*offset, *expected), "{line:?}");
        }
    }

    #[test]
    fn command_stream() {
        assert_eq!(
            parse_command(b"STAT\r\nQUIT\r\n").unwrap(),
            ParseStatus::Complete(Command::Stat, 6)
        );
        assert_eq!(
            parse_command(b"STA").unwrap(),
            ParseStatus::Incomplete(crate::Needed::Unknown)
        );
        assert!(matches!(
            parse_command(b"STAT\nX"),
            Err(Error::BareLineEnding(_))
        ));
        assert!(matches!(
            parse_command(b"BOGUS 1\0\r\n"),
            Err(Error::Parse(_))
        ));
    }

    #[test]
    fn response_table() {
        let r = |s: &'static [u8]| parse_response_line(s).unwrap();
        type Row = (
            &'static [u8],
            Status,
            Option<ResponseCode<'static>>,
            &'static [u8],
        );
        let table: &[Row] = &[
            (b"+OK", Status::Ok, None, b""),
            (b"+OK ", Status::Ok, None, b""),
            (b"+ok fine", Status::Ok, None, b"fine"),
            (b"-ERR", Status::Err, None, b""),
            (
                b"-ERR no such message",
                Status::Err,
                None,
                b"no such message",
            ),
            (
                b"-ERR [IN-USE] locked",
                Status::Err,
                Some(ResponseCode::InUse),
                b"locked",
            ),
            (
                b"-ERR [LOGIN-DELAY] wait",
                Status::Err,
                Some(ResponseCode::LoginDelay),
                b"wait",
            ),
            (
                b"-ERR [SYS/TEMP]",
                Status::Err,
                Some(ResponseCode::SysTemp),
                b"",
            ),
            (
                b"-ERR [sys/perm] x",
                Status::Err,
                Some(ResponseCode::SysPerm),
                b"x",
            ),
            (
                b"-ERR [AUTH] bad",
                Status::Err,
                Some(ResponseCode::Auth),
                b"bad",
            ),
            (
                b"-ERR [UTF8] need",
                Status::Err,
                Some(ResponseCode::Utf8),
                b"need",
            ),
            (
                b"-ERR [X-VENDOR/SUB/LEAF] odd",
                Status::Err,
                Some(ResponseCode::Other(Cow::Borrowed("X-VENDOR/SUB/LEAF"))),
                b"odd",
            ),
            (b"-ERR [not a code", Status::Err, None, b"[not a code"),
            (b"-ERR [a//b] x", Status::Err, None, b"[a//b] x"),
            (b"+ ", Status::Continue, None, b""),
            (b"+", Status::Continue, None, b""),
            (b"+ dGVzdA==", Status::Continue, None, b"dGVzdA=="),
            (
                b"+OK Logged in \xe2\x80\x93 caf\xe9",
                Status::Ok,
                None,
                b"Logged in \xe2\x80\x93 caf\xe9",
            ),
        ];
        for (line, status, code, text) in table {
            let got = r(line);
            assert_eq!(
                (&got.status, &got.code, got.text.as_bytes()),
                (status, code, *text),
                "{line:?}"
            );
        }
        let hier = r(b"-ERR [SYS/TEMP] x");
        assert_eq!(
            hier.code.unwrap().levels().collect::<alloc::vec::Vec<_>>(),
            ["SYS", "TEMP"]
        );
    }

    #[test]
    fn response_errors() {
        let table: &[(&[u8], usize)] = &[
            (b"", 0),
            (b"OK", 0),
            (b"+OKAY", 3),
            (b"-ERRx", 4),
            (b"+x", 1),
            (b"+OK a\0b", 5),
            (b"* OK imap", 0),
        ];
        for (line, offset) in table {
            assert_eq!(
                parse_response_line(line).unwrap_err().offset,
                *offset,
                "{line:?}"
            );
        }
    }

    #[test]
    fn apop_timestamp_and_listings() {
        let g = parse_response_line(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
            .unwrap();
        assert_eq!(
            g.apop_timestamp().unwrap(),
            b"<1896.697170952@dbc.mtview.ca.us>"
        );
        let g = parse_response_line(b"+OK <no timestamp> here").unwrap();
        assert_eq!(g.apop_timestamp(), None);
        let g = parse_response_line(b"+OK a <<1.2@x>").unwrap();
        assert_eq!(g.apop_timestamp().unwrap(), b"<1.2@x>");
        let s = parse_response_line(b"+OK 2 320").unwrap();
        assert_eq!(
            s.drop_listing(),
            Some(super::super::response::DropListing {
                count: 2,
                size: 320
            })
        );
        assert_eq!(s.scan_listing(), Some(ScanListing { msg: 2, size: 320 }));
        let u = parse_response_line(b"+OK 2 QhdPYR:00WBw1Ph7x7").unwrap();
        assert_eq!(
            u.unique_id_listing().unwrap().uid.as_bytes(),
            b"QhdPYR:00WBw1Ph7x7"
        );
    }

    #[test]
    fn listing_lines() {
        assert_eq!(
            ScanListing::parse(b"1 120").unwrap(),
            ScanListing { msg: 1, size: 120 }
        );
        assert_eq!(
            ScanListing::parse(b"1 120 extra info").unwrap(),
            ScanListing { msg: 1, size: 120 }
        );
        for bad in [&b""[..], b"1", b"1 ", b"x 1", b"1 x", b"1  2", b"-1 2"] {
            assert!(ScanListing::parse(bad).is_err(), "{bad:?}");
        }
        let u = UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ").unwrap();
        assert_eq!(
            (u.msg, u.uid.as_bytes()),
            (1, &b"whqtswO00WBw418f9t5JxYwZ"[..])
        );
        let u = UniqueIdListing::parse(b"3 caf\xe9 ").unwrap();
        assert_eq!(u.uid.as_bytes(), b"caf\xe9");
        for bad in [&b""[..], b"1", b"1 ", b"x y", b"1 a b", b"1 a\x01"] {
            assert!(UniqueIdListing::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn capability_table() {
        let c = |s: &'static [u8]| Capability::parse(s).unwrap();
        assert_eq!(c(b"TOP"), Capability::Top);
        assert_eq!(c(b"user"), Capability::User);
        assert_eq!(c(b"RESP-CODES"), Capability::RespCodes);
        assert_eq!(c(b"PIPELINING"), Capability::Pipelining);
        assert_eq!(c(b"UIDL"), Capability::Uidl);
        assert_eq!(c(b"STLS"), Capability::Stls);
        assert_eq!(c(b"LANG"), Capability::Lang);
        let Capability::Sasl(m) = c(b"SASL PLAIN  CRAM-MD5") else {
            panic!()
        };
        assert_eq!(
            m.iter().collect::<alloc::vec::Vec<_>>(),
            ["PLAIN", "CRAM-MD5"]
        );
        assert!(m.contains("plain"));
        assert_eq!(
            c(b"LOGIN-DELAY 900"),
            Capability::LoginDelay {
                seconds: 900,
                per_user: false
            }
        );
        assert_eq!(
            c(b"LOGIN-DELAY 0 USER"),
            Capability::LoginDelay {
                seconds: 0,
                per_user: true
            }
        );
        assert_eq!(
            c(b"EXPIRE NEVER"),
            Capability::Expire {
                policy: Expire::Never,
                per_user: false
            }
        );
        assert_eq!(
            c(b"EXPIRE 60 USER"),
            Capability::Expire {
                policy: Expire::Days(60),
                per_user: true
            }
        );
        assert_eq!(
            c(b"IMPLEMENTATION Shlemazle-Plotz-v302"),
            Capability::Implementation("Shlemazle-Plotz-v302".into())
        );
        assert_eq!(c(b"UTF8"), Capability::Utf8 { user: false });
        assert_eq!(c(b"UTF8 USER"), Capability::Utf8 { user: true });
        assert_eq!(
            c(b"X-FOO bar baz"),
            Capability::Other {
                name: "X-FOO".into(),
                args: "bar baz".into()
            }
        );
        // known tags with arguments that do not fit are kept, not rejected
        assert_eq!(
            c(b"EXPIRE soon"),
            Capability::Other {
                name: "EXPIRE".into(),
                args: "soon".into()
            }
        );
        assert_eq!(
            c(b"TOP 1"),
            Capability::Other {
                name: "TOP".into(),
                args: "1".into()
            }
        );
        assert!(Capability::parse(b"").is_err());
        assert!(Capability::parse(b"\xe9t\xe9").is_err());
    }

    #[test]
    fn multi_lines() {
        let body = b"1 1\r\n2 2\r\n..3\r\n.\r\nNEXT";
        let mut it = MultiLines::new(body);
        let lines: alloc::vec::Vec<_> = it.by_ref().map(|l| l.unwrap()).collect();
        assert_eq!(lines, [&b"1 1"[..], b"2 2", b".3"]);
        assert!(it.is_done());
        assert_eq!(&body[it.consumed()..], b"NEXT");
        let mut it = MultiLines::new(b"1 1\r\n2 2");
        assert_eq!(it.by_ref().count(), 1);
        assert!(!it.is_done());
        let mut it = MultiLines::new(b"1 1\n.\r\n");
        assert!(matches!(it.next(), Some(Err(Error::BareLineEnding(_)))));
        assert!(it.next().is_none());
    }
}
