//! Emitting POP3 commands and responses (RFC 1939 §3, RFC 2449 §3, §6, §8,
//! RFC 5034 §4, RFC 6856).
//!
//! ```
//! use mailwire::pop3::{emit_command, emit_response, Command, Response, ResponseCode};
//! use mailwire::Text;
//!
//! let mut out = Vec::new();
//! emit_command(&Command::Uidl { msg: None }, &mut out)?;
//! emit_response(&Response::err_with(ResponseCode::InUse, "maildrop locked"), &mut out)?;
//! assert_eq!(out, b"UIDL\r\n-ERR [IN-USE] maildrop locked\r\n");
//! // nothing that would read back differently is written
//! let mut out = Vec::new();
//! assert!(emit_command(&Command::User { name: Text::borrowed(b"bob\r\nDELE 1") }, &mut out).is_err());
//! assert!(out.is_empty());
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! Every value is checked before a byte is written: CR, LF or NUL inside an
//! argument, an empty or spaced token, a code the grammar does not allow, or text
//! that would read back as something else is [`Error::Emit`] and nothing reaches
//! the buffer. What is emitted parses back to the same value.

use bytes::BufMut;

use crate::error::Error;
use crate::wire::line::is_line_safe;

use super::command::{Command, CommandKind};
use super::parse::resp_code;
use super::response::{
    Capability, DropListing, Expire, LanguageListing, Response, ResponseCode, ScanListing, Status,
    UniqueIdListing,
};

fn check_token(s: &str, what: Error) -> Result<(), Error> {
    if s.is_empty() || !s.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(what);
    }
    Ok(())
}

fn check_text(s: &[u8], what: Error) -> Result<(), Error> {
    if is_line_safe(s) { Ok(()) } else { Err(what) }
}

/// RFC 2449 §4: "the maximum length of a command line is 255 octets,
/// including the terminating CRLF".
pub const MAX_COMMAND_LINE: usize = 255;

/// A command argument (RFC 1939 §3: "Keywords and arguments consist of
/// printable ASCII characters", separated by a single space): no space and no
/// control character, so it reads back as one argument. Non-ASCII UTF-8 is
/// let through for RFC 6856's UTF8 mode, which the caller negotiates.
fn check_argument(s: &[u8], what: Error) -> Result<(), Error> {
    if s.is_empty() || s.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return Err(what);
    }
    Ok(())
}

/// RFC 5034 §4 `initial-response = base64 / "="`, base64 being whole RFC
/// 4648 quanta: groups of four characters of the alphabet, `=` padding only
/// at the end.
fn is_base64_quanta(s: &str) -> bool {
    let b = s.as_bytes();
    if b == b"=" {
        return true;
    }
    if b.is_empty() || b.len() % 4 != 0 {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    pad <= 2
        && b[..b.len() - pad]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

fn put_u64(out: &mut impl BufMut, n: u64) {
    out.put_slice(crate::wire::decimal::Decimal::new(n).as_bytes());
}

/// Writes `command` and its CRLF into `out`: the free-function form of
/// [`Command::emit`], the same shape as `smtp::emit_command` and
/// `imap::emit_command`. [`Error::Emit`] (nothing written) for a value that
/// would not read back the same.
///
/// ```
/// use mailwire::pop3::{emit_command, Command};
/// let mut out = Vec::new();
/// emit_command(&Command::Retr { msg: 2 }, &mut out).unwrap();
/// assert_eq!(out, b"RETR 2\r\n");
/// ```
pub fn emit_command(command: &Command<'_>, out: &mut impl BufMut) -> Result<(), Error> {
    command.emit(out)
}

/// Writes `response` (its status line) and its CRLF into `out`: the
/// free-function form of [`Response::emit`], the same shape as
/// `smtp::emit_reply` and `imap::emit_response`.
///
/// ```
/// use mailwire::pop3::{emit_response, Response};
/// let mut out = Vec::new();
/// emit_response(&Response::ok("done"), &mut out).unwrap();
/// assert_eq!(out, b"+OK done\r\n");
/// ```
pub fn emit_response(response: &Response<'_>, out: &mut impl BufMut) -> Result<(), Error> {
    response.emit(out)
}

impl Command<'_> {
    /// Checks that the command can be emitted unchanged.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Command::User { name } => {
                check_text(
                    name.as_bytes(),
                    Error::Emit(crate::error::Unemittable::LineBreak { field: "USER name" }),
                )?;
                check_argument(
                    name.as_bytes(),
                    Error::Emit(crate::error::Unemittable::Grammar { rule: "USER name" }),
                )
            }
            Command::Pass { password } => check_text(
                password.expose(),
                Error::Emit(crate::error::Unemittable::LineBreak {
                    field: "PASS password",
                }),
            ),
            Command::Apop { name, digest } => {
                check_text(
                    name.as_bytes(),
                    Error::Emit(crate::error::Unemittable::LineBreak { field: "APOP name" }),
                )?;
                check_argument(
                    name.as_bytes(),
                    Error::Emit(crate::error::Unemittable::Grammar { rule: "APOP name" }),
                )?;
                // RFC 1939 §7: "a string identifying a mailbox and a MD5 digest
                // string (both required)"; the digest is 16 octets "represented
                // by 32 lower-case hexadecimal digits"
                if digest.len() != 32
                    || !digest
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "digest",
                    }));
                }
                Ok(())
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                check_token(
                    mechanism,
                    Error::Emit(crate::error::Unemittable::Grammar { rule: "sasl-mech" }),
                )?;
                if let Some(ir) = initial_response {
                    if !is_base64_quanta(ir) {
                        return Err(Error::Emit(crate::error::Unemittable::NotBase64 {
                            field: "initial response",
                        }));
                    }
                }
                Ok(())
            }
            Command::Lang { tag: Some(tag) } => check_token(
                tag,
                Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "Language-Tag",
                }),
            ),
            Command::Unknown { keyword, args } => {
                check_token(
                    keyword,
                    Error::Emit(crate::error::Unemittable::Grammar { rule: "keyword" }),
                )?;
                if CommandKind::from_keyword(keyword.as_bytes()).is_some() {
                    return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
                }
                check_text(
                    args.as_bytes(),
                    Error::Emit(crate::error::Unemittable::LineBreak {
                        field: "command arguments",
                    }),
                )
            }
            _ => Ok(()),
        }
    }

    /// The length of the command line, CRLF included.
    fn line_len(&self) -> usize {
        fn digits(n: u32) -> usize {
            n.checked_ilog10().map_or(1, |d| d as usize + 1)
        }
        let keyword = match self {
            Command::Unknown { keyword, .. } => keyword.len(),
            _ => self.kind().keyword().len(),
        };
        let args = match self {
            Command::User { name } => 1 + name.as_bytes().len(),
            Command::Pass { password } => 1 + password.expose().len(),
            Command::Apop { name, digest } => 2 + name.as_bytes().len() + digest.len(),
            Command::List { msg: Some(n) }
            | Command::Uidl { msg: Some(n) }
            | Command::Retr { msg: n }
            | Command::Dele { msg: n } => 1 + digits(*n),
            Command::Top { msg, lines } => 2 + digits(*msg) + digits(*lines),
            Command::Auth {
                mechanism,
                initial_response,
            } => 1 + mechanism.len() + initial_response.as_ref().map_or(0, |ir| 1 + ir.len()),
            Command::Lang { tag: Some(tag) } => 1 + tag.len(),
            Command::Unknown { args, .. } if !args.is_empty() => 1 + args.as_bytes().len(),
            _ => 0,
        };
        keyword + args + 2
    }

    /// Writes the command line, CRLF included. A line over
    /// [`MAX_COMMAND_LINE`] octets is [`Error::Emit`] (RFC 2449 §4; RFC 5034
    /// §4 holds AUTH to it too: a longer initial response goes in answer to
    /// the server's first, empty challenge, as [`Client::authenticate`](super::Client::authenticate)
    /// does).
    pub fn emit(&self, out: &mut impl BufMut) -> Result<(), Error> {
        self.validate()?;
        if self.line_len() > MAX_COMMAND_LINE {
            return Err(Error::Emit(crate::error::Unemittable::LineTooLong));
        }
        if let Command::Unknown { keyword, .. } = self {
            out.put_slice(keyword.as_bytes());
        } else {
            out.put_slice(self.kind().keyword().as_bytes());
        }
        match self {
            Command::User { name } => {
                out.put_u8(b' ');
                out.put_slice(name.as_bytes());
            }
            Command::Pass { password } => {
                out.put_u8(b' ');
                out.put_slice(password.expose());
            }
            Command::Apop { name, digest } => {
                out.put_u8(b' ');
                out.put_slice(name.as_bytes());
                out.put_u8(b' ');
                out.put_slice(digest.as_bytes());
            }
            Command::List { msg: Some(n) }
            | Command::Uidl { msg: Some(n) }
            | Command::Retr { msg: n }
            | Command::Dele { msg: n } => {
                out.put_u8(b' ');
                put_u64(out, u64::from(*n));
            }
            Command::Top { msg, lines } => {
                out.put_u8(b' ');
                put_u64(out, u64::from(*msg));
                out.put_u8(b' ');
                put_u64(out, u64::from(*lines));
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                out.put_u8(b' ');
                out.put_slice(mechanism.as_bytes());
                if let Some(ir) = initial_response {
                    out.put_u8(b' ');
                    out.put_slice(ir.as_bytes());
                }
            }
            Command::Lang { tag: Some(tag) } => {
                out.put_u8(b' ');
                out.put_slice(tag.as_bytes());
            }
            Command::Unknown { args, .. } if !args.is_empty() => {
                out.put_u8(b' ');
                out.put_slice(args.as_bytes());
            }
            _ => {}
        }
        out.put_slice(b"\r\n");
        Ok(())
    }
}

impl Response<'_> {
    /// Checks that the response can be emitted unchanged.
    pub fn validate(&self) -> Result<(), Error> {
        check_text(
            self.text.as_bytes(),
            Error::Emit(crate::error::Unemittable::LineBreak {
                field: "response text",
            }),
        )?;
        match (&self.status, &self.code) {
            (Status::Continue, Some(_)) => Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "continuation",
            })),
            (_, Some(code)) => {
                if code.is_valid() {
                    Ok(())
                } else {
                    Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "resp-code",
                    }))
                }
            }
            (Status::Continue, None) => Ok(()),
            (_, None) => {
                if resp_code(self.text.as_bytes()).is_ok() {
                    Err(Error::Emit(crate::error::Unemittable::TextReadsAsCode))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Writes the response line, CRLF included.
    pub fn emit(&self, out: &mut impl BufMut) -> Result<(), Error> {
        self.validate()?;
        out.put_slice(match self.status {
            Status::Ok => b"+OK",
            Status::Err => b"-ERR",
            Status::Continue => b"+",
        });
        if let Some(code) = &self.code {
            out.put_slice(b" [");
            out.put_slice(code.as_str().as_bytes());
            out.put_u8(b']');
        }
        if !self.text.is_empty() || self.status == Status::Continue {
            out.put_u8(b' ');
            out.put_slice(self.text.as_bytes());
        }
        out.put_slice(b"\r\n");
        Ok(())
    }
}

impl ResponseCode<'_> {
    /// Whether the code follows `resp-level *("/" resp-level)` (RFC 2449 §8).
    pub fn is_valid(&self) -> bool {
        let s = self.as_str();
        s.split('/').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f))
        })
    }
}

impl DropListing {
    /// Writes `+OK count size` CRLF, the answer to STAT.
    pub fn emit(&self, out: &mut impl BufMut) {
        out.put_slice(b"+OK ");
        put_u64(out, u64::from(self.count));
        out.put_u8(b' ');
        put_u64(out, self.size);
        out.put_slice(b"\r\n");
    }
}

impl ScanListing {
    /// Writes `msg SP size` without a line ending.
    pub fn emit(&self, out: &mut impl BufMut) {
        put_u64(out, u64::from(self.msg));
        out.put_u8(b' ');
        put_u64(out, self.size);
    }
}

impl UniqueIdListing<'_> {
    /// Writes `msg SP unique-id` without a line ending. The id must be 1 or more
    /// bytes in 0x21..=0x7E (RFC 1939 §7; 8-bit ids read from a peer are refused).
    pub fn emit(&self, out: &mut impl BufMut) -> Result<(), Error> {
        check_uid(self.uid.as_bytes())?;
        put_u64(out, u64::from(self.msg));
        out.put_u8(b' ');
        out.put_slice(self.uid.as_bytes());
        Ok(())
    }
}

/// RFC 1939 §7: `unique-id = 1*70 (%x21-7E)`.
pub(crate) fn check_uid(uid: &[u8]) -> Result<(), Error> {
    if uid.is_empty() || uid.len() > 70 || !uid.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "unique-id",
        }));
    }
    Ok(())
}

impl LanguageListing<'_> {
    /// Writes `tag [SP description]` without a line ending (RFC 6856 §3.2).
    /// The tag must be printable ASCII without space, the description free of
    /// CR, LF and NUL.
    pub fn emit(&self, out: &mut impl BufMut) -> Result<(), Error> {
        check_token(
            &self.tag,
            Error::Emit(crate::error::Unemittable::Grammar {
                rule: "Language-Tag",
            }),
        )?;
        check_text(
            self.description.as_bytes(),
            Error::Emit(crate::error::Unemittable::LineBreak {
                field: "language description",
            }),
        )?;
        out.put_slice(self.tag.as_bytes());
        if !self.description.as_bytes().is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.description.as_bytes());
        }
        Ok(())
    }
}

impl Capability<'_> {
    /// Writes the capability line without a line ending.
    pub fn emit(&self, out: &mut impl BufMut) -> Result<(), Error> {
        let user = |out: &mut dyn BufMut, per_user: bool| {
            if per_user {
                out.put_slice(b" USER");
            }
        };
        match self {
            Capability::Top => out.put_slice(b"TOP"),
            Capability::User => out.put_slice(b"USER"),
            Capability::RespCodes => out.put_slice(b"RESP-CODES"),
            Capability::Pipelining => out.put_slice(b"PIPELINING"),
            Capability::Uidl => out.put_slice(b"UIDL"),
            Capability::Stls => out.put_slice(b"STLS"),
            Capability::Lang => out.put_slice(b"LANG"),
            Capability::Sasl(m) => {
                if !m.0.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "sasl-mech",
                    }));
                }
                out.put_slice(b"SASL");
                if !m.0.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(m.0.as_bytes());
                }
            }
            Capability::LoginDelay { seconds, per_user } => {
                out.put_slice(b"LOGIN-DELAY ");
                put_u64(out, u64::from(*seconds));
                user(out, *per_user);
            }
            Capability::Expire { policy, per_user } => {
                out.put_slice(b"EXPIRE ");
                match policy {
                    Expire::Days(d) => put_u64(out, u64::from(*d)),
                    Expire::Never => out.put_slice(b"NEVER"),
                }
                user(out, *per_user);
            }
            Capability::Implementation(t) => {
                check_text(
                    t.as_bytes(),
                    Error::Emit(crate::error::Unemittable::LineBreak {
                        field: "IMPLEMENTATION",
                    }),
                )?;
                out.put_slice(b"IMPLEMENTATION");
                if !t.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(t.as_bytes());
                }
            }
            Capability::Utf8 { user: u } => {
                out.put_slice(b"UTF8");
                user(out, *u);
            }
            Capability::Other { name, args } => {
                check_token(
                    name,
                    Error::Emit(crate::error::Unemittable::Grammar { rule: "capa-tag" }),
                )?;
                if name.starts_with('.') {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "capa-tag",
                    }));
                }
                check_text(
                    args.as_bytes(),
                    Error::Emit(crate::error::Unemittable::LineBreak {
                        field: "capability arguments",
                    }),
                )?;
                out.put_slice(name.as_bytes());
                if !args.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(args.as_bytes());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Secret, Text};
    use alloc::borrow::Cow;
    use alloc::vec::Vec;

    fn emit(c: &Command<'_>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        c.emit(&mut out).map(|_| out)
    }

    #[test]
    fn commands_emit() {
        assert_eq!(
            emit(&Command::Top { msg: 1, lines: 0 }).unwrap(),
            b"TOP 1 0\r\n"
        );
        assert_eq!(emit(&Command::List { msg: None }).unwrap(), b"LIST\r\n");
        assert_eq!(
            emit(&Command::Pass {
                password: Secret::from("a b")
            })
            .unwrap(),
            b"PASS a b\r\n"
        );
    }

    #[test]
    fn no_injection() {
        let bad: &[Command<'static>] = &[
            Command::User {
                name: "a\r\nDELE 1".into(),
            },
            Command::Pass {
                password: Secret::from("x\nDELE 1"),
            },
            Command::Pass {
                password: Secret::from("x\0"),
            },
            Command::Apop {
                name: "a".into(),
                digest: "zz".into(),
            },
            Command::Apop {
                name: "".into(),
                digest: "ab".into(),
            },
            Command::Auth {
                mechanism: "PL AIN".into(),
                initial_response: None,
            },
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some("a\r\n".into()),
            },
            Command::Lang {
                tag: Some("".into()),
            },
            Command::Unknown {
                keyword: "STAT".into(),
                args: Text::default(),
            },
            Command::Unknown {
                keyword: "X\r".into(),
                args: Text::default(),
            },
            Command::Unknown {
                keyword: "XX".into(),
                args: "a\rb".into(),
            },
        ];
        for c in bad {
            let mut out = Vec::new();
            assert!(matches!(c.emit(&mut out), Err(Error::Emit(_))), "{c:?}");
            assert!(out.is_empty(), "{c:?} wrote bytes");
        }
        let bad_responses = [
            Response::ok("a\r\n+OK"),
            Response::err_with(ResponseCode::Other(Cow::Borrowed("A]B")), "x"),
            Response::err_with(ResponseCode::Other(Cow::Borrowed("")), "x"),
            Response::err_with(ResponseCode::Other(Cow::Borrowed("A//B")), "x"),
            Response::ok("[IN-USE] looks like a code"),
            Response {
                status: Status::Continue,
                code: Some(ResponseCode::Auth),
                text: "".into(),
            },
        ];
        for r in bad_responses {
            let mut out = Vec::new();
            assert!(matches!(r.emit(&mut out), Err(Error::Emit(_))), "{r:?}");
            assert!(out.is_empty());
        }
        let mut out = Vec::new();
        assert!(
            UniqueIdListing {
                msg: 1,
                uid: "a b".into()
            }
            .emit(&mut out)
            .is_err()
        );
        assert!(
            Capability::Other {
                name: ".X".into(),
                args: "".into()
            }
            .emit(&mut out)
            .is_err()
        );
        assert!(out.is_empty());
    }

    #[test]
    fn responses_emit() {
        let mut out = Vec::new();
        Response::err_with(ResponseCode::SysTemp, "later")
            .emit(&mut out)
            .unwrap();
        Response::ok("").emit(&mut out).unwrap();
        Response::continuation("").emit(&mut out).unwrap();
        DropListing {
            count: 2,
            size: 320,
        }
        .emit(&mut out);
        assert_eq!(out, b"-ERR [SYS/TEMP] later\r\n+OK\r\n+ \r\n+OK 2 320\r\n");
    }
}
