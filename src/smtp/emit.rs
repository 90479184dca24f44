//! Emitting SMTP commands and replies (RFC 5321 §4.1, §4.2).
//!
//! Emitting never injects: a value with CR, LF or NUL, an address that does not
//! follow RFC 5321 §4.1.2, or a line over the limit (RFC 5321 §4.5.3.1.4; 12288
//! octets for AUTH, RFC 4954 §4) is [`Error::Emit`] and nothing is written. Every
//! emitted command is checked by parsing it back: `parse(emit(x)) == x`.
//!
//! ```
//! use mailwire::smtp::{emit_command, emit_reply, Command, EnhancedStatus, Reply};
//!
//! let mut out = Vec::new();
//! emit_command(&Command::Data, &mut out)?;
//! emit_reply(&Reply::single(250, Some(EnhancedStatus::OK), "queued as 4711")?, &mut out);
//! assert_eq!(out, b"DATA\r\n250 2.0.0 queued as 4711\r\n");
//! // a value that would change the meaning on the wire is refused
//! let evil = Command::Vrfy { argument: "bob\r\nRSET".into() };
//! assert!(emit_command(&evil, &mut out).is_err());
//! # Ok::<(), mailwire::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use bytes::BufMut;

use super::command::*;
use super::reply::Reply;
use crate::Error;

/// Longest command line emitted, CRLF included (AUTH lines may be longer).
pub const MAX_COMMAND_LINE: usize = 8192;
/// Longest AUTH command line emitted, CRLF included (RFC 4954 §4).
pub const MAX_AUTH_LINE: usize = 12288;

/// Writes `command` and its CRLF into `out`.
///
/// ```
/// use mailwire::smtp::{emit_command, Command, Host};
/// let mut out = Vec::new();
/// emit_command(&Command::Ehlo { domain: Host::Domain("client.example".into()) }, &mut out).unwrap();
/// assert_eq!(out, b"EHLO client.example\r\n");
/// ```
pub fn emit_command(command: &Command<'_>, out: &mut impl BufMut) -> Result<(), Error> {
    let mut line = String::with_capacity(64);
    write_command(command, &mut line)?;
    let bytes = line.as_bytes();
    if !crate::wire::line::is_line_safe(bytes) {
        return Err(Error::Emit(crate::error::Unemittable::LineBreak {
            field: "a command argument",
        }));
    }
    let max = if matches!(command, Command::Auth { .. }) {
        MAX_AUTH_LINE
    } else {
        MAX_COMMAND_LINE
    };
    if bytes.len() + 2 > max {
        return Err(Error::Emit(crate::error::Unemittable::LineTooLong));
    }
    match super::parse::parse_command(bytes) {
        Ok(ref parsed) if parsed == command => {}
        _ => {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "command",
            }));
        }
    }
    out.put_slice(bytes);
    out.put_slice(b"\r\n");
    Ok(())
}

/// The command as bytes with CRLF (see [`emit_command`]).
pub fn command_to_vec(command: &Command<'_>) -> Result<Vec<u8>, Error> {
    let mut v = Vec::new();
    emit_command(command, &mut v)?;
    Ok(v)
}

fn write_command(c: &Command<'_>, s: &mut String) -> Result<(), Error> {
    let w =
        |r: core::fmt::Result| r.map_err(|_| Error::Emit(crate::error::Unemittable::Formatting));
    match c {
        Command::Helo { domain } => w(write!(s, "HELO {domain}")),
        Command::Ehlo { domain } => w(write!(s, "EHLO {domain}")),
        Command::Lhlo { domain } => w(write!(s, "LHLO {domain}")),
        Command::Mail {
            reverse_path,
            parameters,
        } => {
            s.push_str("MAIL FROM:");
            match reverse_path {
                ReversePath::Null => s.push_str("<>"),
                ReversePath::Mailbox(m) => w(write!(s, "<{m}>"))?,
            }
            params(parameters, s);
            Ok(())
        }
        Command::Rcpt {
            forward_path,
            parameters,
        } => {
            s.push_str("RCPT TO:");
            match forward_path {
                ForwardPath::Postmaster => s.push_str("<Postmaster>"),
                ForwardPath::Mailbox(m) => w(write!(s, "<{m}>"))?,
            }
            params(parameters, s);
            Ok(())
        }
        Command::Data => w(s.write_str("DATA")),
        Command::Bdat { size, last } => {
            w(write!(s, "BDAT {size}{}", if *last { " LAST" } else { "" }))
        }
        Command::Rset => w(s.write_str("RSET")),
        Command::Vrfy { argument } => w(write!(s, "VRFY {argument}")),
        Command::Expn { argument } => w(write!(s, "EXPN {argument}")),
        Command::Help { topic } => match topic {
            None => w(s.write_str("HELP")),
            Some(t) => w(write!(s, "HELP {t}")),
        },
        Command::Noop { argument } => match argument {
            None => w(s.write_str("NOOP")),
            Some(a) => w(write!(s, "NOOP {a}")),
        },
        Command::Quit => w(s.write_str("QUIT")),
        Command::StartTls => w(s.write_str("STARTTLS")),
        Command::Auth {
            mechanism,
            initial_response,
        } => match initial_response {
            None => w(write!(s, "AUTH {mechanism}")),
            Some(ir) => w(write!(s, "AUTH {mechanism} {ir}")),
        },
        Command::Etrn { node } => w(write!(s, "ETRN {node}")),
        Command::Xclient { attributes } => w(write!(s, "XCLIENT {}", attributes.as_str())),
        Command::Xforward { attributes } => w(write!(s, "XFORWARD {}", attributes.as_str())),
        Command::Burl { url, last } => {
            w(write!(s, "BURL {url}{}", if *last { " LAST" } else { "" }))
        }
        Command::Unknown { verb, arguments } => {
            s.push_str(verb);
            if !arguments.is_empty() {
                s.push(' ');
                s.push_str(core::str::from_utf8(arguments).map_err(|_| {
                    Error::Emit(crate::error::Unemittable::NotUtf8 {
                        field: "unknown command arguments",
                    })
                })?);
            }
            Ok(())
        }
    }
}

fn params(p: &Parameters<'_>, s: &mut String) {
    if !p.is_empty() {
        s.push(' ');
        s.push_str(p.as_str());
    }
}

/// Writes one parameter as `KEYWORD[=value]`.
pub(crate) fn parameter(p: &Parameter<'_>, s: &mut String) -> Result<(), Error> {
    let r = match p {
        Parameter::Size(n) => write!(s, "SIZE={n}"),
        Parameter::Body(b) => s.write_str(match b {
            Body::SevenBit => "BODY=7BIT",
            Body::EightBitMime => "BODY=8BITMIME",
            Body::BinaryMime => "BODY=BINARYMIME",
        }),
        Parameter::SmtpUtf8 => s.write_str("SMTPUTF8"),
        Parameter::Ret(Ret::Full) => s.write_str("RET=FULL"),
        Parameter::Ret(Ret::Hdrs) => s.write_str("RET=HDRS"),
        Parameter::EnvId(x) => write!(s, "ENVID={}", x.as_encoded()),
        Parameter::Notify(n) => {
            if n.is_never() {
                s.write_str("NOTIFY=NEVER")
            } else {
                let mut parts: Vec<&str> = Vec::new();
                if n.success {
                    parts.push("SUCCESS");
                }
                if n.failure {
                    parts.push("FAILURE");
                }
                if n.delay {
                    parts.push("DELAY");
                }
                write!(s, "NOTIFY={}", parts.join(","))
            }
        }
        Parameter::Orcpt { addr_type, address } => {
            write!(s, "ORCPT={addr_type};{}", address.as_encoded())
        }
        Parameter::Auth(x) => write!(s, "AUTH={}", x.as_encoded()),
        Parameter::RequireTls => s.write_str("REQUIRETLS"),
        Parameter::MtPriority(p) => {
            if !(-9..=9).contains(p) {
                return Err(Error::Emit(crate::error::Unemittable::OutOfRange {
                    field: "MT-PRIORITY",
                }));
            }
            write!(s, "MT-PRIORITY={p}")
        }
        Parameter::HoldFor(n) => write!(s, "HOLDFOR={n}"),
        Parameter::HoldUntil(t) => write!(s, "HOLDUNTIL={t}"),
        Parameter::By { time, mode, trace } => {
            if time.unsigned_abs() > 999_999_999 {
                return Err(Error::Emit(crate::error::Unemittable::OutOfRange {
                    field: "BY time",
                }));
            }
            let m = match mode {
                ByMode::Notify => 'N',
                ByMode::Return => 'R',
            };
            write!(s, "BY={time};{m}{}", if *trace { "T" } else { "" })
        }
        Parameter::Rrvs { time, action } => match action {
            None => write!(s, "RRVS={time}"),
            Some(RrvsAction::Continue) => write!(s, "RRVS={time};C"),
            Some(RrvsAction::Reject) => write!(s, "RRVS={time};R"),
        },
        Parameter::NoSoliciting(k) => write!(s, "NO-SOLICITING={k}"),
        Parameter::Other { keyword, value } => match value {
            None => s.write_str(keyword),
            Some(v) => write!(s, "{keyword}={v}"),
        },
    };
    r.map_err(|_| Error::Emit(crate::error::Unemittable::Formatting))
}

/// Writes a reply (every line with its CRLF) into `out`.
///
/// A [`Reply`] can only be built valid ([`Reply::new`]) or parsed, so this
/// cannot fail for a reply built by this crate.
///
/// ```
/// use mailwire::smtp::{emit_reply, EnhancedStatus, Reply, ReplyCode};
///
/// let reply = Reply::new(ReplyCode::OK, Some(EnhancedStatus::OK), &[b"mx.example", b"PIPELINING"])?;
/// let mut out = Vec::new();
/// emit_reply(&reply, &mut out);
/// assert_eq!(out, b"250-2.0.0 mx.example\r\n250 2.0.0 PIPELINING\r\n");
/// # Ok::<(), mailwire::Error>(())
/// ```
pub fn emit_reply(reply: &Reply<'_>, out: &mut impl BufMut) {
    out.put_slice(reply.as_bytes());
}

impl Parameters<'_> {
    /// Appends a parameter. Fails with [`Error::Emit`] for a
    /// value that cannot be sent (a space, CR, LF, NUL, `=` in a keyword, ...).
    pub fn push(&mut self, p: &Parameter<'_>) -> Result<(), crate::Error> {
        let mut s = String::new();
        parameter(p, &mut s)?;
        if s.is_empty() || s.contains(' ') {
            return Err(crate::Error::Emit(crate::error::Unemittable::Grammar {
                rule: "esmtp-param",
            }));
        }
        super::parse::validate_parameters(&s).map_err(|_| {
            crate::Error::Emit(crate::error::Unemittable::Grammar {
                rule: "esmtp-param",
            })
        })?;
        let raw = self.0.to_mut();
        if !raw.is_empty() {
            raw.push(' ');
        }
        raw.push_str(&s);
        Ok(())
    }
}
