//! Parsers for POP3 commands and responses (RFC 1939 §3–§7, RFC 2449 §3, §6,
//! §8, RFC 2595 §4, RFC 5034 §4, RFC 6856), written with nom 8 over complete
//! lines.
//!
//! ```
//! use mailwire::pop3::{parse_response, parse_response_stream, ScanListing, Status};
//!
//! let response = parse_response(b"+OK 2 320")?;
//! assert_eq!(response.status, Status::Ok);
//! assert_eq!(response.drop_listing().map(|d| (d.count, d.size)), Some((2, 320)));
//! assert_eq!(ScanListing::parse(b"2 200")?.size, 200);
//! // over a stream: the line is complete only with its CRLF
//! assert!(matches!(parse_response_stream(b"-ERR no such mess")?, mailwire::Status::Incomplete(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Framing comes first: every grammar rule runs on one line without its CRLF
//! (the machines found it with [`LineFinder`], see
//! [`wire::line`](crate::wire::line)); [`parse_command_stream`] and [`parse_response_stream`]
//! do both for a buffer, and [`MultiLines`] walks the lines of a multi-line
//! answer. Parsed values borrow from the input; nothing is allocated. Keywords
//! and capability tags are case-insensitive; free text is any byte but CR, LF
//! and NUL.
//!
//! Accepted deviations (each tested): trailing spaces after a command without
//! arguments or whose arguments are numbers or tokens, after a unique-id and
//! after capability arguments; runs of spaces between capability arguments;
//! unique-ids of any length with 8-bit bytes; a response code not followed by
//! SP; a bare `+` as a continuation.

use alloc::borrow::Cow;
use core::str;

use nom::Parser;
use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{eof, map, map_opt, opt, peek, recognize, rest, value, verify};
use nom::multi::many0_count;
use nom::sequence::{delimited, preceded, terminated};

use crate::Status as ParseStatus;
use crate::error::{Error, LimitKind, ParseError};
use crate::grammar::{E, R, fail, to_parse_error};
use crate::text::{Secret, Text};
use crate::wire::line::{LineFinder, LinePolicy};

use super::command::{Command, CommandKind};
use super::response::{
    Capability, DropListing, Expire, LanguageListing, Response, ResponseCode, SaslMechanisms,
    ScanListing, Status, UniqueIdListing,
};

/// Runs `p`; when it fails, fails at the start of its input with `expected`.
/// POP3 reports the argument that did not fit, not the byte inside it.
fn expecting<'a, O>(
    expected: &'static str,
    mut p: impl Parser<&'a [u8], Output = O, Error = E<'a>>,
) -> impl FnMut(&'a [u8]) -> R<'a, O> {
    move |i| p.parse(i).map_err(|e| e.map(|_| E { rest: i, expected }))
}

// ---------------------------------------------------------------------------
// Lexical rules
// ---------------------------------------------------------------------------

/// `VCHAR = %x21-7E`.
fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// `SP`.
fn sp(i: &[u8]) -> R<'_, char> {
    char(' ').parse(i)
}

/// `*SP`: the runs of spaces tolerated between and after arguments.
fn spaces(i: &[u8]) -> R<'_, &[u8]> {
    take_while(|b| b == b' ').parse(i)
}

/// `*SP` and the end of the line: the trailing spaces tolerated after
/// arguments.
fn end(i: &[u8]) -> R<'_, ()> {
    value((), (spaces, eof)).parse(i)
}

/// `SP / end of line`, consumed: what separates a keyword or a number from
/// what follows.
fn sp_or_eol(i: &[u8]) -> R<'_, ()> {
    alt((value((), sp), value((), eof))).parse(i)
}

/// The end of a word: `SP` or the end of the line, not consumed.
fn word_end(i: &[u8]) -> R<'_, ()> {
    value((), peek(sp_or_eol)).parse(i)
}

/// `1*VCHAR` (RFC 2449 §3 `param`; keywords, tags, mechanisms, language tags).
fn token(i: &[u8]) -> R<'_, &str> {
    map_opt(take_while1(is_vchar), |t| str::from_utf8(t).ok()).parse(i)
}

/// Free text to the end of the line: `*(%x01-09 / %x0B-0C / %x0E-FF)`, any
/// byte but NUL, CR and LF. Fails at the first byte that is not.
fn free_text(i: &[u8]) -> R<'_, &[u8]> {
    match memchr::memchr3(0, b'\r', b'\n', i) {
        None => Ok((&i[i.len()..], i)),
        Some(n) => fail(&i[n..], "text without CR, LF or NUL"),
    }
}

/// `1*DIGIT` as u64: at most 20 digits, checked against overflow.
fn number_u64(i: &[u8]) -> R<'_, u64> {
    map_opt(digit1, |d: &[u8]| {
        if d.len() > 20 {
            return None;
        }
        d.iter().try_fold(0u64, |n, &b| {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
    })
    .parse(i)
}

/// `msg = 1*DIGIT` (RFC 1939 §5), as u32, checked against overflow.
fn number_u32(i: &[u8]) -> R<'_, u32> {
    map_opt(number_u64, |n| u32::try_from(n).ok()).parse(i)
}

/// A number as a whole word: `1*DIGIT` followed by SP or the end of the line.
fn word_u32(i: &[u8]) -> R<'_, u32> {
    terminated(number_u32, word_end).parse(i)
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// The first word of a command or capability line and the SP after it:
///
/// ```text
/// keyword  = 3*4VCHAR        ; RFC 2449 §3
/// capa-tag = 1*cchar         ; RFC 2449 §6
/// ```
/// Both are taken as `1*VCHAR`: unknown keywords and tags are kept, not
/// judged.
fn keyword(i: &[u8]) -> R<'_, &str> {
    terminated(token, sp_or_eol).parse(i)
}

/// Parses one command line, as a line framer delivers it: without its CRLF,
/// or with it (one final CRLF is ignored).
///
/// ```text
/// command = keyword *(SP param)        ; RFC 2449 §3
/// keyword = 3*4VCHAR                   ; case-insensitive
/// ```
/// Unknown keywords give [`Command::Unknown`]; only a line without a printable
/// keyword, or a known command with bad arguments, is an error.
///
/// ```
/// use mailwire::pop3::{parse_command, Command};
///
/// // RFC 1939 §7's APOP example
/// let Command::Apop { name, digest } = parse_command(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n")? else { panic!() };
/// assert_eq!((name.as_bytes(), &*digest), (&b"mrose"[..], "c4c9334bac560ecc979e58001b3e22fb"));
/// assert!(parse_command(b"").is_err());
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
pub fn parse_command(line: &[u8]) -> Result<Command<'_>, ParseError> {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    match command(line) {
        Ok((_, c)) => Ok(c),
        Err(e) => Err(to_parse_error(line, e)),
    }
}

/// `command = keyword *(SP param)`: the keyword, then the rule of its
/// arguments.
fn command(line: &[u8]) -> R<'_, Command<'_>> {
    let (args, keyword) = expecting("command keyword", keyword).parse(line)?;
    let Some(kind) = CommandKind::from_keyword(keyword.as_bytes()) else {
        // Any other keyword: its arguments are kept as sent.
        let (i, args) = expecting("arguments without CR, LF or NUL", free_text).parse(args)?;
        return Ok((
            i,
            Command::Unknown {
                keyword: Cow::Borrowed(keyword),
                args: Text::borrowed(args),
            },
        ));
    };
    let alone = |c: Command<'static>| {
        let (i, ()) = expecting("end of line", end).parse(args)?;
        Ok((i, c))
    };
    match kind {
        // user = "USER" SP name              ; the rest of the line
        CommandKind::User => map(expecting("mailbox name", mailbox_name), |name| {
            Command::User {
                name: Text::borrowed(name),
            }
        })
        .parse(args),
        // pass = "PASS" SP string            ; the rest of the line, spaces kept
        CommandKind::Pass => map(expecting("password", free_text), |pw| Command::Pass {
            password: Secret(Cow::Borrowed(pw)),
        })
        .parse(args),
        CommandKind::Apop => apop(args),
        CommandKind::Stat => alone(Command::Stat),
        CommandKind::Noop => alone(Command::Noop),
        CommandKind::Rset => alone(Command::Rset),
        CommandKind::Quit => alone(Command::Quit),
        CommandKind::Capa => alone(Command::Capa),
        CommandKind::Stls => alone(Command::Stls),
        CommandKind::Utf8 => alone(Command::Utf8),
        CommandKind::List => map(opt_msg, |msg| Command::List { msg }).parse(args),
        CommandKind::Uidl => map(opt_msg, |msg| Command::Uidl { msg }).parse(args),
        CommandKind::Retr => map(msg, |msg| Command::Retr { msg }).parse(args),
        CommandKind::Dele => map(msg, |msg| Command::Dele { msg }).parse(args),
        CommandKind::Top => top(args),
        CommandKind::Auth => auth(args),
        CommandKind::Lang => map(lang, |tag| Command::Lang {
            tag: tag.map(Cow::Borrowed),
        })
        .parse(args),
        CommandKind::Unknown => fail(args, "command"),
    }
}

/// `name`: free text, not empty (RFC 1939 §7, `USER` and `APOP`).
fn mailbox_name(i: &[u8]) -> R<'_, &[u8]> {
    verify(free_text, |n: &[u8]| !n.is_empty()).parse(i)
}

/// `msg` alone, for `RETR` and `DELE` (RFC 1939 §5):
///
/// ```text
/// retr = "RETR" SP msg
/// dele = "DELE" SP msg
/// ```
fn msg(i: &[u8]) -> R<'_, u32> {
    expecting("message number", terminated(number_u32, end)).parse(i)
}

/// An optional `msg`, for `LIST` and `UIDL` (RFC 1939 §5, §7):
///
/// ```text
/// list = "LIST" [SP msg]
/// uidl = "UIDL" [SP msg]
/// ```
fn opt_msg(i: &[u8]) -> R<'_, Option<u32>> {
    expecting(
        "message number",
        alt((value(None, end), map(terminated(number_u32, end), Some))),
    )
    .parse(i)
}

/// `top = "TOP" SP msg SP n` (RFC 1939 §7).
fn top(args: &[u8]) -> R<'_, Command<'_>> {
    let (i, msg) = expecting("message number", word_u32).parse(args)?;
    let (i, lines) = preceded(sp, terminated(number_u32, end))
        .parse(i)
        .or_else(|_| fail(args, "SP number of lines"))?;
    Ok((i, Command::Top { msg, lines }))
}

/// `apop = "APOP" SP name SP digest` (RFC 1939 §7), `digest = 1*HEXDIG`.
///
/// The name may hold spaces: the digest is the last word.
fn apop(args: &[u8]) -> R<'_, Command<'_>> {
    let Some(last_sp) = memchr::memrchr(b' ', args) else {
        return fail(args, "name SP digest");
    };
    let (name, digest) = (&args[..last_sp], &args[last_sp + 1..]);
    let (_, name) = mailbox_name(name).or_else(|_| fail(args, "mailbox name"))?;
    let (i, digest) = expecting(
        "hex digest",
        terminated(
            map_opt(take_while1(|b: u8| b.is_ascii_hexdigit()), |d| {
                str::from_utf8(d).ok()
            }),
            eof,
        ),
    )
    .parse(digest)?;
    Ok((
        i,
        Command::Apop {
            name: Text::borrowed(name),
            digest: Cow::Borrowed(digest),
        },
    ))
}

/// The SASL exchange's first command (RFC 5034 §4):
///
/// ```text
/// auth             = "AUTH" SP sasl-mech [SP initial-response]
/// initial-response = base64 / "="
/// ```
fn auth(args: &[u8]) -> R<'_, Command<'_>> {
    let (i, mechanism) = expecting("SASL mechanism", terminated(token, word_end)).parse(args)?;
    let (i, initial_response) = alt((
        value(None, end),
        map(delimited(sp, initial_response, end), Some),
    ))
    .parse(i)
    .or_else(|_| fail(args, "base64 initial response"))?;
    Ok((
        i,
        Command::Auth {
            mechanism: Cow::Borrowed(mechanism),
            initial_response: initial_response.map(Cow::Borrowed),
        },
    ))
}

/// `initial-response = base64 / "="` (RFC 5034 §4), taken as
/// `1*(ALPHA / DIGIT / "+" / "/" / "=")`.
fn initial_response(i: &[u8]) -> R<'_, &str> {
    map_opt(
        take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='),
        |t| str::from_utf8(t).ok(),
    )
    .parse(i)
}

/// `LANG [SP language-range]` (RFC 6856 §3, which gives no ABNF: a "basic
/// language range" of RFC 4647, or `*`), the range taken as a token.
fn lang(i: &[u8]) -> R<'_, Option<&str>> {
    expecting(
        "language tag",
        alt((value(None, end), map(terminated(token, end), Some))),
    )
    .parse(i)
}

/// Parses a command from the start of `buf`, which must hold its CRLF; answers
/// `Incomplete` when the line has not ended yet. Lines are limited to
/// [`Limits::DEFAULT`](crate::Limits::DEFAULT)'s `command_line`.
///
/// ```
/// use mailwire::pop3::{parse_command_stream, Command};
/// use mailwire::Status;
///
/// let buf = b"STAT\r\nRETR 1\r\nDE";
/// let Status::Complete(command, used) = parse_command_stream(buf)? else { panic!() };
/// assert_eq!((command, used), (Command::Stat, 6));
/// let Status::Complete(command, used2) = parse_command_stream(&buf[used..])? else { panic!() };
/// assert_eq!((command, used2), (Command::Retr { msg: 1 }, 8));
/// assert!(matches!(parse_command_stream(&buf[used + used2..])?, Status::Incomplete(_)));
/// # Ok::<(), mailwire::Error>(())
/// ```
pub fn parse_command_stream(buf: &[u8]) -> Result<ParseStatus<Command<'_>>, Error> {
    let mut finder = LineFinder::new(
        crate::Limits::DEFAULT.command_line,
        LimitKind::CommandLine,
        LinePolicy::STRICT,
    );
    match finder.find(buf)? {
        None => Ok(ParseStatus::Incomplete(crate::Needed::Unknown)),
        Some(l) => Ok(ParseStatus::Complete(
            parse_command(l.content(buf))?,
            l.consumed,
        )),
    }
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// `resp-code = "[" resp-level *("/" resp-level) "]"` (RFC 2449 §8). Returns
/// the code's content.
pub(crate) fn resp_code(i: &[u8]) -> R<'_, &str> {
    delimited(
        char('['),
        map_opt(
            recognize((resp_level, many0_count(preceded(char('/'), resp_level)))),
            |c| str::from_utf8(c).ok(),
        ),
        char(']'),
    )
    .parse(i)
}

/// `resp-level = 1*rchar`, `rchar = %x21-2E / %x30-5C / %x5E-7F` (RFC 2449 §8).
fn resp_level(i: &[u8]) -> R<'_, &[u8]> {
    take_while1(|b| matches!(b, 0x21..=0x2e | 0x30..=0x5c | 0x5e..=0x7f)).parse(i)
}

/// `status = "+OK" / "-ERR"` (case-insensitive), or the `"+"` of a
/// continuation (RFC 5034 §4).
fn status(i: &[u8]) -> R<'_, Status> {
    alt((
        value(Status::Ok, tag_no_case(&b"+OK"[..])),
        value(Status::Err, tag_no_case(&b"-ERR"[..])),
        value(Status::Continue, tag(&b"+"[..])),
    ))
    .parse(i)
}

/// Parses one response line, as a line framer delivers it: without its
/// CRLF, or with it (one final CRLF is ignored).
///
/// ```text
/// single-line = status [SP text]          ; RFC 2449 §3
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// continue-req = "+" SP [base64]          ; RFC 5034 §4 (also a bare "+")
/// ```
///
/// ```
/// use mailwire::pop3::{parse_response, ResponseCode, Status};
///
/// // RFC 2449 §8.1.2: a response code in brackets
/// let r = parse_response(b"-ERR [IN-USE] Do you have another POP session running?")?;
/// assert_eq!((r.status, r.code), (Status::Err, Some(ResponseCode::InUse)));
/// assert_eq!(r.text.as_bytes(), b"Do you have another POP session running?");
/// // RFC 1939 §7: the APOP timestamp in the greeting
/// let greeting = parse_response(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")?;
/// assert_eq!(greeting.apop_timestamp(), Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..]));
/// assert!(parse_response(b"OK without a sign").is_err());
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
pub fn parse_response(line: &[u8]) -> Result<Response<'_>, ParseError> {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    match response(line) {
        Ok((_, r)) => Ok(r),
        Err(e) => Err(to_parse_error(line, e)),
    }
}

/// `single-line = status [SP text]`, `text = *schar / resp-code *CHAR`.
fn response(line: &[u8]) -> R<'_, Response<'_>> {
    let (i, status) = expecting("\"+OK\", \"-ERR\" or \"+ \"", status).parse(line)?;
    let (i, _) = expecting("SP or end of line", sp_or_eol).parse(i)?;
    // A response code, then SP when there is one; a continuation has none.
    let (i, code) = if status == Status::Continue {
        (i, None)
    } else {
        opt(terminated(resp_code, opt(sp))).parse(i)?
    };
    let (i, text) = free_text(i)?;
    Ok((
        i,
        Response {
            status,
            code: code.map(ResponseCode::from_str_borrowed),
            text: Text::borrowed(text),
        },
    ))
}

/// Parses a response line from the start of `buf`, which must hold its CRLF;
/// answers `Incomplete` when the line has not ended yet.
///
/// ```
/// use mailwire::pop3::parse_response_stream;
/// use mailwire::Status;
///
/// let Status::Complete(r, used) = parse_response_stream(b"+OK 120 octets\r\nReceived: ...")? else { panic!() };
/// assert!(r.is_ok() && used == 16);
/// # Ok::<(), mailwire::Error>(())
/// ```
pub fn parse_response_stream(buf: &[u8]) -> Result<ParseStatus<Response<'_>>, Error> {
    let mut finder = LineFinder::new(
        crate::Limits::DEFAULT.reply_line,
        LimitKind::ReplyLine,
        LinePolicy::STRICT,
    );
    match finder.find(buf)? {
        None => Ok(ParseStatus::Incomplete(crate::Needed::Unknown)),
        Some(l) => Ok(ParseStatus::Complete(
            parse_response(l.content(buf))?,
            l.consumed,
        )),
    }
}

// ---------------------------------------------------------------------------
// Lines of multi-line answers
// ---------------------------------------------------------------------------

/// The drop listing of STAT (`nn SP mm`) and a scan listing of LIST
/// (`msg SP size`), RFC 1939 §5; anything after a further SP is ignored, as
/// the RFC allows:
///
/// ```text
/// listing = number SP number [SP *CHAR]
/// ```
pub(crate) fn two_numbers(i: &[u8]) -> R<'_, (u32, u64)> {
    terminated(
        (number_u32, preceded(sp, number_u64)),
        alt((eof, preceded(sp, rest))),
    )
    .parse(i)
}

impl ScanListing {
    /// Parses one scan listing line: `msg SP size` (RFC 1939 §5; anything after
    /// a further SP is ignored, as the RFC allows).
    pub fn parse(line: &[u8]) -> Result<ScanListing, ParseError> {
        match expecting("msg SP size", two_numbers).parse(line) {
            Ok((_, (msg, size))) => Ok(ScanListing { msg, size }),
            Err(e) => Err(to_parse_error(line, e)),
        }
    }
}

/// `unique-id = 1*70 (%x21-7E)` (RFC 1939 §7), taken as any byte but SP,
/// controls and DEL (8-bit ids are kept as sent), without a length limit, and
/// the trailing spaces tolerated after it: the rest of the line.
fn unique_id_to_end(i: &[u8]) -> R<'_, &[u8]> {
    // The id is the line's end without its trailing spaces, checked without
    // branching per byte (which the compiler vectorises): ids are long and
    // this runs once per line of a UIDL answer.
    verify(map(rest, trim_spaces_end), |id: &[u8]| {
        !id.is_empty() && id.iter().fold(true, |ok, &b| ok & (b > 0x20) & (b != 0x7f))
    })
    .parse(i)
}

/// `i` without its trailing spaces.
fn trim_spaces_end(i: &[u8]) -> &[u8] {
    let n = i.iter().rev().take_while(|&&b| b == b' ').count();
    &i[..i.len() - n]
}

impl<'a> UniqueIdListing<'a> {
    /// Parses one unique-id listing line: `msg SP unique-id` (RFC 1939 §7).
    /// The id is kept as sent (any bytes but space and controls); trailing
    /// spaces are dropped.
    pub fn parse(line: &'a [u8]) -> Result<UniqueIdListing<'a>, ParseError> {
        match unique_id_listing(line) {
            Ok((_, u)) => Ok(u),
            Err(e) => Err(to_parse_error(line, e)),
        }
    }
}

/// `msg SP unique-id` (RFC 1939 §7), trailing spaces tolerated.
fn unique_id_listing(line: &[u8]) -> R<'_, UniqueIdListing<'_>> {
    let (i, msg) = expecting("message number", terminated(number_u32, sp_or_eol)).parse(line)?;
    let (i, uid) = expecting("SP unique-id", unique_id_to_end).parse(i)?;
    Ok((
        i,
        UniqueIdListing {
            msg,
            uid: Text::borrowed(uid),
        },
    ))
}

impl<'a> LanguageListing<'a> {
    /// Parses one language listing (RFC 6856 §3: "A language listing
    /// consists of the language tag \[RFC5646\] of the message, optionally
    /// followed by a single space and a human-readable description of the
    /// language in the language itself, using the UTF-8 charset"). The tag
    /// is taken as `1*VCHAR`; the description is the rest of the line, kept
    /// as sent.
    pub fn parse(line: &'a [u8]) -> Result<LanguageListing<'a>, ParseError> {
        let mut listing = (
            expecting("language tag", token),
            expecting("SP description", alt((eof, preceded(sp, rest)))),
        );
        match listing.parse(line) {
            Ok((_, (tag, description))) => Ok(LanguageListing {
                tag: Cow::Borrowed(tag),
                description: Text::borrowed(description),
            }),
            Err(e) => Err(to_parse_error(line, e)),
        }
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
        match capability(line) {
            Ok((_, c)) => Ok(c),
            Err(e) => Err(to_parse_error(line, e)),
        }
    }
}

/// `capability = capa-tag *(SP param)`, typed when the tag is known and its
/// arguments fit.
fn capability(line: &[u8]) -> R<'_, Capability<'_>> {
    let (args, name) = expecting("capability tag", keyword).parse(line)?;
    let (i, raw) = expecting("capability arguments", free_text).parse(args)?;
    let typed = known_capability(name, args, raw);
    Ok((
        i,
        typed.unwrap_or(Capability::Other {
            name: Cow::Borrowed(name),
            args: Text::borrowed(raw),
        }),
    ))
}

/// `p` and [`end`] over the whole of `args`, or `None`.
fn whole<'a, O>(p: impl Parser<&'a [u8], Output = O, Error = E<'a>>, args: &'a [u8]) -> Option<O> {
    terminated(p, end).parse(args).ok().map(|(_, o)| o)
}

/// An optional `"USER"` word, after spaces (RFC 2449 §6.5, §6.7; RFC 6856 §2).
fn per_user(i: &[u8]) -> R<'_, bool> {
    map(
        opt(preceded(
            spaces,
            terminated(tag_no_case(&b"USER"[..]), word_end),
        )),
        |u| u.is_some(),
    )
    .parse(i)
}

/// `sasl-mechs = *(*SP 1*VCHAR)` (RFC 2449 §6.3, taken leniently: any
/// printable words), trailing spaces left to [`end`].
fn sasl_mechanisms(i: &[u8]) -> R<'_, &str> {
    map_opt(
        recognize(many0_count((spaces, take_while1(is_vchar)))),
        |m| str::from_utf8(m).ok(),
    )
    .parse(i)
}

/// The capabilities this crate types, by tag (RFC 2449 §6, RFC 2595 §4,
/// RFC 6856 §2, §3). `args` is what follows the tag's SP.
///
/// ```text
/// top / user / resp-codes / pipelining / uidl / stls / lang  ; no argument
/// sasl           = "SASL" *(SP sasl-mech)
/// implementation = "IMPLEMENTATION" *(SP param)
/// login-delay    = "LOGIN-DELAY" SP delay [SP "USER"]
/// expire         = "EXPIRE" SP ("NEVER" / days) [SP "USER"]
/// utf8           = "UTF8" [SP "USER"]
/// ```
fn known_capability<'a>(name: &str, args: &'a [u8], raw: &'a [u8]) -> Option<Capability<'a>> {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let alone = |c: Capability<'a>| end(args).ok().map(|_| c);
    if is("TOP") {
        alone(Capability::Top)
    } else if is("USER") {
        alone(Capability::User)
    } else if is("RESP-CODES") {
        alone(Capability::RespCodes)
    } else if is("PIPELINING") {
        alone(Capability::Pipelining)
    } else if is("UIDL") {
        alone(Capability::Uidl)
    } else if is("STLS") {
        alone(Capability::Stls)
    } else if is("LANG") {
        alone(Capability::Lang)
    } else if is("SASL") {
        let sasl = |m| Capability::Sasl(SaslMechanisms(Cow::Borrowed(m)));
        whole(map(sasl_mechanisms, sasl), args)
    } else if is("IMPLEMENTATION") {
        Some(Capability::Implementation(Text::borrowed(raw)))
    } else if is("LOGIN-DELAY") {
        let delay = |(seconds, per_user)| Capability::LoginDelay { seconds, per_user };
        whole(map((preceded(spaces, word_u32), per_user), delay), args)
    } else if is("EXPIRE") {
        let policy = alt((
            value(
                Expire::Never,
                terminated(tag_no_case(&b"NEVER"[..]), word_end),
            ),
            map(word_u32, Expire::Days),
        ));
        let expire = |(policy, per_user)| Capability::Expire { policy, per_user };
        whole(map((preceded(spaces, policy), per_user), expire), args)
    } else if is("UTF8") {
        whole(map(per_user, |user| Capability::Utf8 { user }), args)
    } else {
        None
    }
}

/// One line of a multi-line answer (RFC 1939 §3), without its CRLF: `"."`
/// alone ends the answer (`None`); otherwise a leading `"."` is byte-stuffing
/// and is removed.
///
/// ```text
/// multi-line = *(["."] *CHAR CRLF) "." CRLF
/// ```
fn multi_line(content: &[u8]) -> R<'_, Option<&[u8]>> {
    alt((
        value(None, (char('.'), eof)),
        map(preceded(opt(char('.')), rest), Some),
    ))
    .parse(content)
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
        match multi_line(content) {
            Ok((_, None)) => {
                self.done = true;
                None
            }
            Ok((_, Some(line))) => Some(Ok(line)),
            // `multi_line` takes every line; kept as sent if it ever did not.
            Err(_) => Some(Ok(content)),
        }
    }
}

impl Response<'_> {
    /// The drop listing of a `+OK` answer to STAT (RFC 1939 §5: `nn mm`).
    pub fn drop_listing(&self) -> Option<DropListing> {
        let (_, (count, size)) = two_numbers(self.text.as_bytes()).ok()?;
        Some(DropListing { count, size })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Command<'_> {
        parse_command(s.as_bytes()).unwrap()
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
            // hostile and truncated arguments
            (b"STAT\0", 0, "command keyword"),
            (b"LANG\tfr", 0, "command keyword"),
            (b"NOOP x", 5, "end of line"),
            (b"LIST 1 2", 5, "message number"),
            (b"LIST  x", 5, "message number"),
            (b"UIDL 99999999999999999999", 5, "message number"),
            (b"RETR 000000000000000000001", 5, "message number"),
            (b"RETR 1\0", 5, "message number"),
            (b"TOP x 1", 4, "message number"),
            (b"TOP 1 ", 4, "SP number of lines"),
            (b"TOP 1  2", 4, "SP number of lines"),
            (b"TOP 1 2 3", 4, "SP number of lines"),
            (b"TOP 1 4294967296", 4, "SP number of lines"),
            (b"PASS a\rb", 5, "password"),
            (b"APOP a b\0", 7, "hex digest"),
            (b"APOP a ", 7, "hex digest"),
            (b"APOP a\0 c0ff", 5, "mailbox name"),
            (b"AUTH ", 5, "SASL mechanism"),
            (b"AUTH PL\0AIN", 5, "SASL mechanism"),
            (b"AUTH PLAIN  x", 5, "base64 initial response"),
            (b"AUTH PLAIN a b", 5, "base64 initial response"),
            (b"LANG  fr", 5, "language tag"),
            (b"LANG fr ca", 5, "language tag"),
            (b"LANG f\x7fr", 5, "language tag"),
        ];
        for (line, offset, expected) in table {
            let e = parse_command(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (*offset, *expected), "{line:?}");
        }
    }

    #[test]
    fn lenient_commands() {
        let table: &[(&str, Command<'static>)] = &[
            ("LIST 2  ", Command::List { msg: Some(2) }),
            ("list  ", Command::List { msg: None }),
            ("RETR 007 ", Command::Retr { msg: 7 }),
            ("TOP 1 10 ", Command::Top { msg: 1, lines: 10 }),
            (
                "AUTH PLAIN AGEAYg== ",
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: Some("AGEAYg==".into()),
                },
            ),
            (
                "AUTH PLAIN ",
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: None,
                },
            ),
            (
                "LANG fr ",
                Command::Lang {
                    tag: Some("fr".into()),
                },
            ),
            ("LANG  ", Command::Lang { tag: None }),
            // USER and PASS keep the rest of the line, spaces included
            ("USER a ", Command::User { name: "a ".into() }),
            ("USER  a", Command::User { name: " a".into() }),
            // the APOP name may hold spaces: the digest is the last word
            (
                "APOP a b c0ff",
                Command::Apop {
                    name: "a b".into(),
                    digest: "c0ff".into(),
                },
            ),
            (
                "XTND  a\t",
                Command::Unknown {
                    keyword: "XTND".into(),
                    args: " a\t".into(),
                },
            ),
        ];
        for (line, expected) in table {
            assert_eq!(&cmd(line), expected, "{line:?}");
        }
        let whole = |s: &str| matches!(initial_response(s.as_bytes()), Ok(([], _)));
        assert!(whole("="));
        assert!(whole("AGEAYg=="));
        assert!(!whole(""));
        assert!(!whole("a b"));
        assert!(!whole("a%"));
    }

    #[test]
    fn command_stream() {
        assert_eq!(
            parse_command_stream(b"STAT\r\nQUIT\r\n").unwrap(),
            ParseStatus::Complete(Command::Stat, 6)
        );
        assert_eq!(
            parse_command_stream(b"STA").unwrap(),
            ParseStatus::Incomplete(crate::Needed::Unknown)
        );
        assert!(matches!(
            parse_command_stream(b"STAT\nX"),
            Err(Error::BareLineEnding(_))
        ));
        assert!(matches!(
            parse_command_stream(b"BOGUS 1\0\r\n"),
            Err(Error::Parse(_))
        ));
    }

    #[test]
    fn response_table() {
        let r = |s: &'static [u8]| parse_response(s).unwrap();
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
                parse_response(line).unwrap_err().offset,
                *offset,
                "{line:?}"
            );
        }
    }

    #[test]
    fn response_codes_and_hostile_responses() {
        let r = |s: &'static [u8]| parse_response(s).unwrap();
        // no SP after the code
        let l = r(b"-ERR [IN-USE]locked");
        assert_eq!(
            (l.code, l.text.as_bytes()),
            (Some(ResponseCode::InUse), &b"locked"[..])
        );
        // +OK may carry a code; a continuation never does
        assert_eq!(r(b"+OK [UTF8] x").code, Some(ResponseCode::Utf8));
        let c = r(b"+ [IN-USE]");
        assert_eq!((c.code, c.text.as_bytes()), (None, &b"[IN-USE]"[..]));
        for (line, text) in [
            (&b"-ERR ["[..], &b"["[..]),
            (b"-ERR []", b"[]"),
            (b"-ERR [a/]", b"[a/]"),
            (b"-ERR [/a]", b"[/a]"),
            (b"-ERR [a b]", b"[a b]"),
            (b"-ERR [caf\xe9]", b"[caf\xe9]"),
        ] {
            let got = r(line);
            assert_eq!((got.code, got.text.as_bytes()), (None, text), "{line:?}");
        }
        let table: &[(&[u8], usize, &str)] = &[
            (b"+O", 1, "SP or end of line"),
            (b"-ER", 0, "\"+OK\", \"-ERR\" or \"+ \""),
            (b"\0", 0, "\"+OK\", \"-ERR\" or \"+ \""),
            (b"-ERR\t", 4, "SP or end of line"),
            (b"-ERR [a\0b] x", 7, "text without CR, LF or NUL"),
            (b"-ERR [IN-USE] \rx", 14, "text without CR, LF or NUL"),
            (b"+ a\nb", 3, "text without CR, LF or NUL"),
        ];
        for (line, offset, expected) in table {
            let e = parse_response(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (*offset, *expected), "{line:?}");
        }
        assert_eq!(resp_code(b"[a/b]x").unwrap(), (&b"x"[..], "a/b"));
        for bad in [
            &b""[..],
            b"[",
            b"[a",
            b"[]",
            b"[a//b]",
            b"[a]"[..2].as_ref(),
            b"(a)",
        ] {
            assert!(resp_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn apop_timestamp_and_listings() {
        let g = parse_response(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>").unwrap();
        assert_eq!(
            g.apop_timestamp().unwrap(),
            b"<1896.697170952@dbc.mtview.ca.us>"
        );
        let g = parse_response(b"+OK <no timestamp> here").unwrap();
        assert_eq!(g.apop_timestamp(), None);
        let g = parse_response(b"+OK a <<1.2@x>").unwrap();
        assert_eq!(g.apop_timestamp().unwrap(), b"<1.2@x>");
        let s = parse_response(b"+OK 2 320").unwrap();
        assert_eq!(
            s.drop_listing(),
            Some(super::super::response::DropListing {
                count: 2,
                size: 320
            })
        );
        assert_eq!(s.scan_listing(), Some(ScanListing { msg: 2, size: 320 }));
        let u = parse_response(b"+OK 2 QhdPYR:00WBw1Ph7x7").unwrap();
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
        // anything after a further SP is ignored (RFC 1939 §5)
        assert_eq!(
            ScanListing::parse(b"4294967295 18446744073709551615 x").unwrap(),
            ScanListing {
                msg: u32::MAX,
                size: u64::MAX
            }
        );
        for bad in [
            &b"4294967296 1"[..],
            b"1 18446744073709551616",
            b"1 99999999999999999999",
            b"1 2\0",
            b"1\t2",
            b" 1 2",
        ] {
            let e = ScanListing::parse(bad).unwrap_err();
            assert_eq!((e.offset, e.expected), (0, "msg SP size"), "{bad:?}");
        }
        let table: &[(&[u8], usize, &str)] = &[
            (b"", 0, "message number"),
            (b"x y", 0, "message number"),
            (b"1x y", 0, "message number"),
            (b"4294967296 a", 0, "message number"),
            (b"1", 1, "SP unique-id"),
            (b"1 ", 2, "SP unique-id"),
            (b"1  a", 2, "SP unique-id"),
            (b"1 a b", 2, "SP unique-id"),
            (b"1 a\x7f", 2, "SP unique-id"),
            (b"1 \xe9\0", 2, "SP unique-id"),
        ];
        for (line, offset, expected) in table {
            let e = UniqueIdListing::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (*offset, *expected), "{line:?}");
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
    fn capability_leniency_and_hostile_lines() {
        let c = |s: &'static [u8]| Capability::parse(s).unwrap();
        let other = |name: &'static str, args: &'static [u8]| Capability::Other {
            name: name.into(),
            args: Text::borrowed(args),
        };
        // trailing spaces and runs of spaces between arguments
        assert_eq!(c(b"TOP  "), Capability::Top);
        assert_eq!(
            c(b"LOGIN-DELAY  900  user "),
            Capability::LoginDelay {
                seconds: 900,
                per_user: true
            }
        );
        assert_eq!(c(b"UTF8 USER "), Capability::Utf8 { user: true });
        assert_eq!(
            c(b"EXPIRE  never"),
            Capability::Expire {
                policy: Expire::Never,
                per_user: false
            }
        );
        let Capability::Sasl(m) = c(b"SASL  PLAIN  ") else {
            panic!()
        };
        assert_eq!(m.0, " PLAIN");
        assert_eq!(c(b"SASL"), Capability::Sasl(SaslMechanisms("".into())));
        assert_eq!(c(b"IMPLEMENTATION"), Capability::Implementation("".into()));
        assert_eq!(
            c(b"IMPLEMENTATION a  b "),
            Capability::Implementation("a  b ".into())
        );
        // known tags whose arguments do not fit
        assert_eq!(c(b"LOGIN-DELAY"), other("LOGIN-DELAY", b""));
        assert_eq!(
            c(b"LOGIN-DELAY 4294967296"),
            other("LOGIN-DELAY", b"4294967296")
        );
        assert_eq!(
            c(b"LOGIN-DELAY 9 USER x"),
            other("LOGIN-DELAY", b"9 USER x")
        );
        assert_eq!(c(b"LOGIN-DELAY 9USER"), other("LOGIN-DELAY", b"9USER"));
        assert_eq!(c(b"EXPIRE NEVERUSER"), other("EXPIRE", b"NEVERUSER"));
        assert_eq!(c(b"EXPIRE 1 USERS"), other("EXPIRE", b"1 USERS"));
        assert_eq!(c(b"UTF8 USERS"), other("UTF8", b"USERS"));
        assert_eq!(c(b"SASL PLAIN \x01"), other("SASL", b"PLAIN \x01"));
        assert_eq!(c(b"SASL caf\xe9"), other("SASL", b"caf\xe9"));
        let table: &[(&[u8], usize, &str)] = &[
            (b"", 0, "capability tag"),
            (b" TOP", 0, "capability tag"),
            (b"TOP\0", 0, "capability tag"),
            (b"TOP\tX", 0, "capability tag"),
            (b"X-FOO a\0b", 6, "capability arguments"),
            (b"SASL PLAIN\r", 5, "capability arguments"),
        ];
        for (line, offset, expected) in table {
            let e = Capability::parse(line).unwrap_err();
            assert_eq!((e.offset, e.expected), (*offset, *expected), "{line:?}");
        }
    }

    /// Every truncation and single-byte corruption of valid lines gives a
    /// value or a typed error inside the line, never a panic.
    #[test]
    fn truncated_and_corrupted_lines() {
        let lines: &[&[u8]] = &[
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
            b"AUTH PLAIN AGEAYg==",
            b"TOP 1 10",
            b"LIST 4294967295",
            b"-ERR [SYS/TEMP] try later",
            b"+OK 2 320",
            b"1 whqtswO00WBw418f9t5JxYwZ",
            b"LOGIN-DELAY 900 USER",
            b"EXPIRE NEVER",
            b"SASL PLAIN CRAM-MD5",
        ];
        let check = |l: &[u8]| {
            let offsets = [
                parse_command(l).err().map(|e| e.offset),
                parse_response(l).err().map(|e| e.offset),
                ScanListing::parse(l).err().map(|e| e.offset),
                UniqueIdListing::parse(l).err().map(|e| e.offset),
                Capability::parse(l).err().map(|e| e.offset),
            ];
            for o in offsets.into_iter().flatten() {
                assert!(o <= l.len(), "{l:?}");
            }
            let _ = MultiLines::new(l).count();
        };
        for line in lines {
            for n in 0..=line.len() {
                check(&line[..n]);
            }
            for at in 0..line.len() {
                for b in [0u8, b'\r', b'\n', b' ', b'.', b'[', b']', b'/', 0x7f, 0xff] {
                    let mut l = line.to_vec();
                    l[at] = b;
                    check(&l);
                }
            }
        }
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
        // a stuffed dot alone, an empty line, a dot inside a line
        let body = b"..\r\n\r\na.b\r\n...\r\n.\r\n";
        let lines: alloc::vec::Vec<_> = MultiLines::new(body).map(|l| l.unwrap()).collect();
        assert_eq!(lines, [&b"."[..], b"", b"a.b", b".."]);
        let mut it = MultiLines::new(b".\r\n1 1\r\n");
        assert!(it.next().is_none());
        assert!(it.is_done());
        assert_eq!(it.consumed(), 3);
        let mut it = MultiLines::new(b"1 1\n.\r\n");
        assert!(matches!(it.next(), Some(Err(Error::BareLineEnding(_)))));
        assert!(it.next().is_none());
    }
}
