//! Parsers for SMTP commands and replies (RFC 5321 §4.1, §4.2, with the
//! extensions listed in [`command`](super::command) and [`reply`](super::reply)),
//! written with nom 8 over complete frames.
//!
//! ```
//! use mailwire::smtp::{parse_command, parse_reply_stream, Command};
//! use mailwire::Status;
//!
//! assert!(matches!(parse_command(b"EHLO client.example")?, Command::Ehlo { .. }));
//! // a reply over a stream: the multi-line EHLO reply of RFC 5321 D.1, cut short
//! let buf = b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n";
//! assert!(matches!(parse_reply_stream(&buf[..30])?, Status::Incomplete(_)));
//! let Status::Complete(reply, used) = parse_reply_stream(buf)? else { panic!() };
//! assert_eq!((reply.code().get(), reply.line_count(), used), (250, 3, buf.len()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Framing comes first: [`parse_command`] takes one line without its CRLF (the
//! machine found it with [`LineFinder`]); [`ReplyFramer`] finds the lines of one
//! multi-line reply in a growing buffer, scanning each byte once, and
//! [`parse_reply`] runs the grammar on that frame. [`parse_reply_stream`] does both
//! for a buffer. Parsed values borrow from the input; nothing is allocated.
//!
//! Accepted deviations (each tested): a space after `MAIL FROM:` / `RCPT TO:`,
//! trailing spaces after a command, lower-case verbs and keywords, reply lines
//! with any byte but CR, LF and NUL in their text.

use alloc::borrow::Cow;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::str;

use nom::Parser;
use nom::bytes::complete::{tag, take_while1};

use super::command::*;
use super::reply::{Reply, ReplyCode, reply_enhanced};
use super::syntax::{Src, number, split_param, trim_end};
use crate::error::{Error, LimitKind, ParseError};
use crate::grammar::{E, R, fail, to_parse_error};
use crate::wire::line::{LineFinder, LinePolicy};
use crate::{Limits, Status};

// ---------------------------------------------------------------------------
// Byte classes
// ---------------------------------------------------------------------------

/// `atext` (RFC 5321 §4.1.2, RFC 5322 §3.2.3), with UTF8-non-ascii (RFC 6531 §3.3).
const ATEXT: u8 = 1;
/// `Let-dig` (ALPHA / DIGIT), with UTF8-non-ascii for U-labels (RFC 6531).
const LABEL: u8 = 2;
/// `esmtp-keyword` characters after the first: ALPHA / DIGIT / "-".
const KEYWORD: u8 = 4;
/// `esmtp-value` characters: %d33-60 / %d62-126, with UTF8-non-ascii (RFC 6531).
const VALUE: u8 = 8;
/// SASL `mech-char` as accepted here: ALPHA / DIGIT / "-" / "_".
const MECH: u8 = 16;
/// base64 characters and padding: ALPHA / DIGIT / "+" / "/" / "=".
const BASE64: u8 = 32;
/// `Ldh-str` characters: `LABEL` / "-".
const LDH: u8 = 64;
/// `xchar` (%d33-126 but "+" and "="), with UTF8-non-ascii (RFC 6533 §3).
const XCHAR: u8 = 128;

/// One table lookup per byte instead of a chain of comparisons.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let alnum = c.is_ascii_alphanumeric();
        let non_ascii = c >= 0x80;
        let mut k = 0;
        if alnum || non_ascii {
            k |= ATEXT | LABEL;
        }
        if matches!(
            c,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        ) {
            k |= ATEXT;
        }
        if alnum || c == b'-' {
            k |= KEYWORD;
        }
        if (c >= 33 && c <= 126 && c != b'=') || non_ascii {
            k |= VALUE;
        }
        if alnum || c == b'-' || c == b'_' {
            k |= MECH;
        }
        if alnum || c == b'+' || c == b'/' || c == b'=' {
            k |= BASE64;
        }
        if alnum || non_ascii || c == b'-' {
            k |= LDH;
        }
        if (c >= 33 && c <= 126 && c != b'=' && c != b'+') || non_ascii {
            k |= XCHAR;
        }
        t[b] = k;
        b += 1;
    }
    t
};

#[inline(always)]
fn is(b: u8, class: u8) -> bool {
    CLASS[b as usize] & class != 0
}

/// The length of the run of bytes of `class` at the start of `i`.
#[inline(always)]
fn run(i: &[u8], class: u8) -> usize {
    // an index loop: `position` kept a pointer and an index (eight
    // instructions a byte, six here)
    let mut n = 0;
    while n < i.len() && is(i[n], class) {
        n += 1;
    }
    n
}

/// [`run`] for a class of printable ASCII (33 to 126) and non-ASCII bytes
/// but `x` and `y` (`VALUE`: all but '='; `XCHAR`: all but '+' and '='),
/// eight bytes at a time in a plain word: the values of parameters are
/// longer than their keywords.
#[inline(always)]
fn run_graphic_except(i: &[u8], x: u8, y: u8, class: u8) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte equal to `b` (exact for the lowest such
    // byte; a borrow can only mark bytes above it).
    let eq = |v: u64, b: u8| {
        let t = v ^ (ONES * u64::from(b));
        t.wrapping_sub(ONES) & !t & HIGH
    };
    let stops = |w: &[u8]| match w.first_chunk::<8>() {
        Some(w) => {
            let v = u64::from_le_bytes(*w);
            // ASCII below '!' (SP, controls): subtracting 0x21 borrows into
            // the high bit; non-ASCII bytes are masked out by `!v`.
            let low = v.wrapping_sub(ONES * 0x21) & !v & HIGH;
            low | eq(v, 0x7f) | eq(v, x) | eq(v, y)
        }
        None => 0,
    };
    let mut n = 0;
    while let Some(w) = i.get(n..n + 8) {
        let stop = stops(w);
        if stop != 0 {
            return n + (stop.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    if n == i.len() {
        return n;
    }
    match i.len().checked_sub(8) {
        // The last eight bytes in one word: those before `n` are in the
        // class, so they borrow nothing and the lowest flag from `n` on is
        // exact.
        Some(t) => {
            let stop = stops(&i[t..]) & (u64::MAX << ((n - t) * 8));
            if stop != 0 {
                t + (stop.trailing_zeros() / 8) as usize
            } else {
                i.len()
            }
        }
        None => run(i, class),
    }
}

/// Runs `p`, replacing its error's expectation with `expected`.
fn expect<'a, O>(
    mut p: impl Parser<&'a [u8], Output = O, Error = E<'a>>,
    expected: &'static str,
) -> impl FnMut(&'a [u8]) -> R<'a, O> {
    move |i| {
        p.parse(i).map_err(|e| {
            e.map(|e| E {
                rest: if e.rest.len() <= i.len() { e.rest } else { i },
                expected,
            })
        })
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// Parses one command line (RFC 5321 §4.1.1), as a line framer delivers it:
/// without its CRLF, or with it (one final CRLF is ignored).
///
/// ```
/// use mailwire::smtp::{parse_command, Command, ReversePath};
/// let c = parse_command(b"MAIL FROM:<> SIZE=100").unwrap();
/// let Command::Mail { reverse_path, parameters } = c else { panic!() };
/// assert_eq!(reverse_path, ReversePath::Null);
/// assert_eq!(parameters.size(), Some(100));
/// ```
#[inline]
pub fn parse_command(line: &[u8]) -> Result<Command<'_>, ParseError> {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    // The verbs that come alone, without a call.
    if let [a, b, c, d] = *line {
        match key(&[a, b, c, d]) {
            DATA => return Ok(Command::Data),
            RSET => return Ok(Command::Rset),
            QUIT => return Ok(Command::Quit),
            NOOP => return Ok(Command::Noop { argument: None }),
            _ => {}
        }
    }
    parse_command_line(line)
}

fn parse_command_line(line: &[u8]) -> Result<Command<'_>, ParseError> {
    if let Some(c) = fast_command(line) {
        return Ok(c);
    }
    match command(line) {
        Ok((_, c)) => Ok(c),
        Err(e) => Err(to_parse_error(line, e)),
    }
}

/// The verb, folded to lower case, as one number (exact for letters: no other
/// byte folds onto a lower-case letter).
const fn key(v: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*v) | 0x2020_2020
}
const MAIL: u32 = key(b"MAIL");
const RCPT: u32 = key(b"RCPT");
const EHLO: u32 = key(b"EHLO");
const HELO: u32 = key(b"HELO");
const LHLO: u32 = key(b"LHLO");
const DATA: u32 = key(b"DATA");
const BDAT: u32 = key(b"BDAT");
const RSET: u32 = key(b"RSET");
const QUIT: u32 = key(b"QUIT");
const NOOP: u32 = key(b"NOOP");
const HELP: u32 = key(b"HELP");
const VRFY: u32 = key(b"VRFY");
const EXPN: u32 = key(b"EXPN");
const AUTH: u32 = key(b"AUTH");
const ETRN: u32 = key(b"ETRN");

/// The common commands in their common forms, built in place from borrowed
/// parts: a four-letter verb and one SP; `EHLO`/`HELO`/`LHLO` with a domain;
/// `MAIL FROM:<>` or `<dot-atom@domain>` and `RCPT TO:<dot-atom@domain>` with
/// valid parameters; `DATA`, `RSET`, `QUIT`, `NOOP` alone. Anything else,
/// including every error, is `None` and goes through [`command`], which gives
/// the same value for every line accepted here (tested against it). `AUTH`
/// with a mechanism and an optional initial response is here too.
#[inline(always)]
fn fast_command(line: &[u8]) -> Option<Command<'_>> {
    let (verb, args) = match line {
        [a, b, c, d] => (key(&[*a, *b, *c, *d]), &[][..]),
        [a, b, c, d, b' ', args @ ..] => (key(&[*a, *b, *c, *d]), args),
        _ => return None,
    };
    Some(match verb {
        DATA if args.is_empty() => Command::Data,
        RSET if args.is_empty() => Command::Rset,
        QUIT if args.is_empty() => Command::Quit,
        NOOP if args.is_empty() => Command::Noop { argument: None },
        EHLO | HELO | LHLO => {
            let src = Src::new(aligned_tail(line, 5));
            let (rest, d) = domain(src, args).ok()?;
            if !rest.is_empty() {
                return None;
            }
            let domain = Host::Domain(Cow::Borrowed(d));
            match verb {
                EHLO => Command::Ehlo { domain },
                HELO => Command::Helo { domain },
                _ => Command::Lhlo { domain },
            }
        }
        MAIL => {
            let rest = args
                .get(5..)
                .filter(|_| args[..5].eq_ignore_ascii_case(b"FROM:"))?;
            // every part starts at byte 11 or later
            let src = Src::new(aligned_tail(line, 11));
            // All parts first, then the value in one go (nothing to drop
            // on the way out, no temporary).
            if let Some(rest) = rest.strip_prefix(b"<>") {
                let (params, table) = fast_parameters(src, rest)?;
                Command::Mail {
                    reverse_path: ReversePath::Null,
                    parameters: Parameters(Cow::Borrowed(params), table),
                }
            } else {
                let (rest, local, d) = simple_path(src, rest)?;
                let (params, table) = fast_parameters(src, rest)?;
                Command::Mail {
                    reverse_path: ReversePath::Mailbox(Mailbox {
                        local_part: Cow::Borrowed(local),
                        host: Host::Domain(Cow::Borrowed(d)),
                    }),
                    parameters: Parameters(Cow::Borrowed(params), table),
                }
            }
        }
        RCPT => {
            let rest = args
                .get(3..)
                .filter(|_| args[..3].eq_ignore_ascii_case(b"TO:"))?;
            // every part starts at byte 9 or later
            let src = Src::new(aligned_tail(line, 9));
            // `<Postmaster>` has no '@': not a simple path, so not handled here.
            let (rest, local, d) = simple_path(src, rest)?;
            let (params, table) = fast_parameters(src, rest)?;
            Command::Rcpt {
                forward_path: ForwardPath::Mailbox(Mailbox {
                    local_part: Cow::Borrowed(local),
                    host: Host::Domain(Cow::Borrowed(d)),
                }),
                parameters: Parameters(Cow::Borrowed(params), table),
            }
        }
        // auth-command = "AUTH" SP sasl-mech [SP initial-response]
        AUTH => {
            let n = run(args, MECH);
            if n == 0 || n > 20 {
                return None;
            }
            let (mech, rest) = args.split_at(n);
            let src = Src::new(line);
            let initial_response = match rest {
                [] => None,
                [b' ', ir @ ..] if !ir.is_empty() && run(ir, BASE64) == ir.len() => {
                    Some(src.s(ir)?)
                }
                _ => return None,
            };
            let mechanism = src.s(mech)?;
            Command::Auth {
                mechanism: Cow::Borrowed(mechanism),
                initial_response: initial_response.map(Cow::Borrowed),
            }
        }
        _ => return None,
    })
}

/// `line` from its first byte at an address aligned to a `usize`, when that
/// is at most `first` bytes in (where the first part of the line that the
/// command keeps starts), else all of it. `str::from_utf8` reads ASCII two
/// words at a time from an aligned address and byte by byte before it, so
/// the text is checked from there. A part outside the tail would read as
/// not UTF-8 in a [`Src`] of it, which sends the line the general way:
/// never a different result.
#[inline(always)]
fn aligned_tail(line: &[u8], first: usize) -> &[u8] {
    let k = line.as_ptr().align_offset(core::mem::size_of::<usize>());
    match line.get(k..) {
        Some(tail) if k <= first => tail,
        _ => line,
    }
}

/// [`parameters_after_path`] for a line without extra spaces: nothing, or one
/// SP and valid parameters up to the end; the text and its table.
#[inline(always)]
fn fast_parameters<'a>(src: Src<'a>, rest: &'a [u8]) -> Option<(&'a str, ParamTable)> {
    let mut table = ParamTable::default();
    match rest {
        [] => Some(("", table)),
        [b' ', raw @ .., last] if raw.first() != Some(&b' ') && *last != b' ' => {
            let raw = &rest[1..];
            let text = src.s(raw)?;
            validate_params(Src::from_str(text), raw, &mut table).ok()?;
            Some((text, table))
        }
        _ => None,
    }
}

fn command(line: &[u8]) -> R<'_, Command<'_>> {
    // UTF-8 is checked once per line, and only for verbs with text arguments.
    let src = || Src::new(line);
    // verbs are short: a plain loop beats a vectorised search here
    let sp = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let verb = &line[..sp];
    let args = line.get(sp + 1..).unwrap_or(&[]);
    let has_args = sp < line.len();
    if let [a, b, c, d] = *verb {
        match key(&[a, b, c, d]) {
            MAIL => return mail(src(), args),
            RCPT => return rcpt(src(), args),
            EHLO => return hello(src(), args).map(|(r, domain)| (r, Command::Ehlo { domain })),
            HELO => return hello(src(), args).map(|(r, domain)| (r, Command::Helo { domain })),
            LHLO => return hello(src(), args).map(|(r, domain)| (r, Command::Lhlo { domain })),
            DATA => return no_args(args, Command::Data),
            BDAT => return bdat(args),
            RSET => return no_args(args, Command::Rset),
            QUIT => return no_args(args, Command::Quit),
            NOOP if trim_end(args).is_empty() => {
                return Ok((&[], Command::Noop { argument: None }));
            }
            NOOP => {
                return optional_string(src(), args, has_args)
                    .map(|(r, argument)| (r, Command::Noop { argument }));
            }
            HELP => {
                return optional_string(src(), args, has_args)
                    .map(|(r, topic)| (r, Command::Help { topic }));
            }
            VRFY => {
                return string_arg(src(), args)
                    .map(|(r, argument)| (r, Command::Vrfy { argument }));
            }
            EXPN => {
                return string_arg(src(), args)
                    .map(|(r, argument)| (r, Command::Expn { argument }));
            }
            AUTH => return auth(src(), args),
            ETRN => return etrn(src(), args),
            _ => {}
        }
    } else if verb.eq_ignore_ascii_case(b"STARTTLS") {
        return no_args(args, Command::StartTls);
    }
    // XCLIENT, XFORWARD, BURL (parse/ext.rs).
    if let Some(c) = ext::extension_command(src(), verb, args) {
        return c;
    }
    // Any other verb: kept as a typed unknown command.
    // verb = 1*(ALPHA / DIGIT / "-")  (lenient: any printable ASCII)
    if verb.is_empty() || !verb.iter().all(|b| b.is_ascii_graphic()) {
        return fail(line, "command verb");
    }
    let verb = src().s(verb).unwrap_or_default();
    if !args.iter().all(|&b| b != 0 && b != b'\r' && b != b'\n') {
        return fail(args, "command arguments without CR, LF or NUL");
    }
    Ok((
        &[],
        Command::Unknown {
            verb: Cow::Borrowed(verb),
            arguments: Cow::Borrowed(args),
        },
    ))
}

/// Trailing spaces are tolerated; anything else after a complete command is not.
fn end(rest: &[u8]) -> R<'_, ()> {
    if rest.iter().all(|&b| b == b' ') {
        Ok((&[], ()))
    } else {
        fail(rest, "end of line")
    }
}

fn no_args<'a>(args: &'a [u8], c: Command<'a>) -> R<'a, Command<'a>> {
    end(args).map(|(r, ())| (r, c))
}

// helo = "HELO" SP Domain CRLF
// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
fn hello<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Host<'a>> {
    let (rest, h) = expect(|i| host(src, i), "domain or address literal").parse(args)?;
    end(rest).map(|(r, ())| (r, h))
}

// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
fn mail<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Command<'a>> {
    let rest = prefix_no_case(args, b"FROM:")?;
    let rest = skip_spaces(rest);
    let (rest, reverse_path) = reverse_path(src, rest)?;
    let (rest, parameters) = parameters_after_path(src, rest)?;
    Ok((
        rest,
        Command::Mail {
            reverse_path,
            parameters,
        },
    ))
}

// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
//        Forward-path ) [SP Rcpt-parameters] CRLF
fn rcpt<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Command<'a>> {
    let rest = prefix_no_case(args, b"TO:")?;
    let rest = skip_spaces(rest);
    let (rest, forward_path) = match rest.get(..12) {
        Some(p) if p.eq_ignore_ascii_case(b"<Postmaster>") => {
            (&rest[12..], ForwardPath::Postmaster)
        }
        _ => {
            let (r, m) = path(src, rest)?;
            (r, ForwardPath::Mailbox(m))
        }
    };
    let (rest, parameters) = parameters_after_path(src, rest)?;
    Ok((
        rest,
        Command::Rcpt {
            forward_path,
            parameters,
        },
    ))
}

/// A fixed keyword, case-insensitive (`"FROM:"`, `"TO:"`).
fn prefix_no_case<'a>(i: &'a [u8], p: &'static [u8]) -> Result<&'a [u8], nom::Err<E<'a>>> {
    match i.get(..p.len()) {
        Some(h) if h.eq_ignore_ascii_case(p) => Ok(&i[p.len()..]),
        _ => Err(nom::Err::Error(E {
            rest: i,
            expected: if p == b"FROM:" { "FROM:" } else { "TO:" },
        })),
    }
}

fn skip_spaces(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|&&b| b == b' ').count();
    &i[n..]
}

fn parameters_after_path<'a>(src: Src<'a>, rest: &'a [u8]) -> R<'a, Parameters<'a>> {
    if rest.is_empty() {
        return Ok((rest, Parameters::default()));
    }
    if rest[0] != b' ' {
        return fail(rest, "SP before parameters");
    }
    let raw = skip_spaces(rest);
    let raw = trim_end(raw);
    let Some(text) = src.s(raw) else {
        return fail(raw, "UTF-8 parameters");
    };
    let mut table = ParamTable::default();
    if let Err(e) = validate_params(Src::from_str(text), raw, &mut table) {
        let off = e.offset.min(raw.len());
        return fail(&raw[off..], e.expected);
    }
    Ok((&[], Parameters(Cow::Borrowed(text), table)))
}

// Reverse-path = Path / "<>"
fn reverse_path<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, ReversePath<'a>> {
    if let Some(rest) = i.strip_prefix(b"<>") {
        return Ok((rest, ReversePath::Null));
    }
    path(src, i).map(|(r, m)| (r, ReversePath::Mailbox(m)))
}

// Path = "<" [ A-d-l ":" ] Mailbox ">"
// A-d-l = At-domain *( "," At-domain ) ; source route, accepted and ignored
// At-domain = "@" Domain
fn path<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, Mailbox<'a>> {
    if let Some((rest, local, d)) = simple_path(src, i) {
        return Ok((
            rest,
            Mailbox {
                local_part: Cow::Borrowed(local),
                host: Host::Domain(Cow::Borrowed(d)),
            },
        ));
    }
    let (mut rest, _) = expect(tag(&b"<"[..]), "'<'").parse(i)?;
    if rest.first() == Some(&b'@') {
        loop {
            let (r, _) = tag(&b"@"[..]).parse(rest)?;
            let (r, _) = expect(|i| domain(src, i), "source route domain").parse(r)?;
            match r.first() {
                Some(b',') => rest = &r[1..],
                Some(b':') => {
                    rest = &r[1..];
                    break;
                }
                _ => return fail(r, "',' or ':' in source route"),
            }
        }
    }
    let (rest, m) = mailbox(src, rest)?;
    let (rest, _) = expect(tag(&b">"[..]), "'>'").parse(rest)?;
    Ok((rest, m))
}

/// The common case `<dot-atom@domain>` in ASCII, in one pass. Accepts exactly
/// what the general rules below accept for such paths; anything else (quoted
/// local parts, address literals, source routes, UTF-8, errors) returns `None`
/// and goes the general way.
#[inline(always)]
fn simple_path<'a>(src: Src<'a>, i: &'a [u8]) -> Option<(&'a [u8], &'a str, &'a str)> {
    if i.first() != Some(&b'<') {
        return None;
    }
    // The local part: Dot-string = Atom *("." Atom)
    let mut n = 1;
    loop {
        let atom = run(&i[n..], ATEXT);
        if atom == 0 {
            return None;
        }
        n += atom;
        match i.get(n) {
            Some(b'.') => n += 1,
            Some(b'@') => break,
            _ => return None,
        }
    }
    let local = &i[1..n];
    let (rest, d) = domain(src, &i[n + 1..]).ok()?;
    let rest = rest.strip_prefix(b">")?;
    Some((rest, src.s(local)?, d))
}

/// Parses `local@domain` without angle brackets.
pub(crate) fn mailbox_str(s: &str) -> Result<Mailbox<'_>, ParseError> {
    let b = s.as_bytes();
    match mailbox(Src::from_str(s), b) {
        Ok(([], m)) => Ok(m),
        Ok((rest, _)) => Err(ParseError::at(b, rest, "end of mailbox")),
        Err(e) => Err(to_parse_error(b, e)),
    }
}

// Mailbox = Local-part "@" ( Domain / address-literal )
// Local-part = Dot-string / Quoted-string
fn mailbox<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, Mailbox<'a>> {
    let (rest, local) = if i.first() == Some(&b'"') {
        quoted_string(i)?
    } else {
        expect(dot_string, "local part").parse(i)?
    };
    let local_part = match src.s(local) {
        Some(s) => s,
        None => return fail(i, "UTF-8 local part"),
    };
    let (rest, _) = expect(tag(&b"@"[..]), "'@'").parse(rest)?;
    let (rest, host) = expect(|i| host(src, i), "domain or address literal").parse(rest)?;
    Ok((
        rest,
        Mailbox {
            local_part: Cow::Borrowed(local_part),
            host,
        },
    ))
}

// atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
//         "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
// atext =/ UTF8-non-ascii                                   (RFC 6531 §3.3)
// Dot-string = Atom *("." Atom)
// Atom = 1*atext
fn dot_string(i: &[u8]) -> R<'_, &[u8]> {
    let mut n = 0;
    loop {
        let atom = run(&i[n..], ATEXT);
        if atom == 0 {
            return fail(&i[n..], "valid syntax");
        }
        n += atom;
        if i.get(n) != Some(&b'.') {
            return Ok((&i[n..], &i[..n]));
        }
        n += 1;
    }
}

// Quoted-string = DQUOTE *QcontentSMTP DQUOTE
// QcontentSMTP = qtextSMTP / quoted-pairSMTP
// quoted-pairSMTP = %d92 %d32-126
// qtextSMTP = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii
fn quoted_string(i: &[u8]) -> R<'_, &[u8]> {
    let mut pos = 1;
    loop {
        match i.get(pos) {
            Some(b'"') => return Ok((&i[pos + 1..], &i[..pos + 1])),
            Some(b'\\') => match i.get(pos + 1) {
                Some(32..=126) => pos += 2,
                _ => return fail(&i[pos..], "quoted pair"),
            },
            Some(&b) if b == 32 || b == 33 || (35..=126).contains(&b) || b >= 0x80 => pos += 1,
            _ => return fail(i.get(pos..).unwrap_or(&[]), "quoted string text or '\"'"),
        }
    }
}

// Domain = sub-domain *("." sub-domain)
// sub-domain = Let-dig [Ldh-str]  ;  sub-domain =/ U-label (RFC 6531)
// Let-dig = ALPHA / DIGIT ; Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig
fn domain<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, &'a str> {
    // The run is found without building a parser error per label: one
    // error, for the whole domain, when there is none.
    let n = match domain_run(i) {
        Some(n) => n,
        None => return fail(i, "domain"),
    };
    match src.s(&i[..n]) {
        Some(s) => Ok((&i[n..], s)),
        None => fail(i, "UTF-8 domain"),
    }
}

/// The length of the domain at the start of `i` (`sub-domain *("."
/// sub-domain)`, RFC 5321 §4.1.2, with UTF-8 labels), or `None` when there
/// is none (a '-' starting a label, an empty label or a label ending in '-').
#[inline(never)]
fn domain_run(i: &[u8]) -> Option<usize> {
    let mut n = 0;
    loop {
        // sub-domain = Let-dig [Ldh-str]
        if !i.get(n).is_some_and(|&b| is(b, LABEL)) {
            return None;
        }
        n += run(&i[n..], LDH);
        if i[n - 1] == b'-' {
            return None;
        }
        if i.get(n) != Some(&b'.') {
            return Some(n);
        }
        n += 1;
    }
}

fn host<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, Host<'a>> {
    if i.first() == Some(&b'[') {
        address_literal(src, i)
    } else {
        domain(src, i).map(|(r, d)| (r, Host::Domain(Cow::Borrowed(d))))
    }
}

// address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                   General-address-literal ) "]"
// General-address-literal = Standardized-tag ":" 1*dcontent
// dcontent = %d33-90 / %d94-126
fn address_literal<'a>(src: Src<'a>, i: &'a [u8]) -> R<'a, Host<'a>> {
    let (rest, _) = tag(&b"["[..])(i)?;
    let (rest, inner) =
        take_while1(|b: u8| (33..=90).contains(&b) || (94..=126).contains(&b))(rest)?;
    let (rest, _) = expect(tag(&b"]"[..]), "']'").parse(rest)?;
    let s = src.s(inner).unwrap_or_default();
    let h = if let Some(v6) = s
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("IPv6:"))
        .map(|_| &s[5..])
    {
        match ipv6_addr(v6) {
            Some(a) => Host::Ipv6(a),
            None => return fail(i, "IPv6 address"),
        }
    } else if let Some((t, content)) = s.split_once(':') {
        // Standardized-tag = Ldh-str
        if t.is_empty()
            || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || t.ends_with('-')
            || content.is_empty()
        {
            return fail(i, "general address literal");
        }
        Host::General {
            tag: Cow::Borrowed(t),
            content: Cow::Borrowed(content),
        }
    } else {
        match ipv4_literal(s) {
            Some(a) => Host::Ipv4(a),
            None => return fail(i, "IPv4 address"),
        }
    };
    Ok((rest, h))
}

// IPv4-address-literal = Snum 3("."  Snum)
// Snum = 1*3DIGIT  ; representing a decimal integer value in the range 0 through 255
fn ipv4_literal(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

// IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
// IPv6-hex = 1*4HEXDIG
// IPv6-full = IPv6-hex 7(":" IPv6-hex)
// IPv6-comp = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
//   ; The "::" represents at least 2 16-bit groups of zeros.  No more than 6
//   ; groups in addition to the "::" may be present.
// IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
// IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::" [IPv6-hex *3(":" IPv6-hex) ":"]
//   IPv4-address-literal
//   ; No more than 4 groups in addition to the "::" and IPv4-address-literal
//   ; may be present.
fn ipv6_addr(s: &str) -> Option<Ipv6Addr> {
    fn groups(part: &str, out: &mut [u16; 8], n: &mut usize) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        for g in part.split(':') {
            if g.is_empty() || g.len() > 4 || *n >= 8 {
                return None;
            }
            out[*n] = u16::from_str_radix(g, 16).ok()?;
            *n += 1;
        }
        Some(())
    }
    // An IPv4-address-literal can only end the address.
    let (s, v4) = match s.rfind(':') {
        Some(c) if s[c + 1..].contains('.') => {
            let v4 = ipv4_literal(&s[c + 1..])?;
            // keep the colon of "::" before the IPv4 part
            let keep = if s[..c].ends_with(':') { c + 1 } else { c };
            (&s[..keep], Some(v4))
        }
        _ => (s, None),
    };
    let max = if v4.is_some() { 6 } else { 8 };
    let (mut head, mut tail) = ([0u16; 8], [0u16; 8]);
    let (mut nh, mut nt) = (0, 0);
    match s.find("::") {
        None => {
            groups(s, &mut head, &mut nh)?;
            if nh != max {
                return None;
            }
        }
        Some(i) => {
            groups(&s[..i], &mut head, &mut nh)?;
            groups(&s[i + 2..], &mut tail, &mut nt)?;
            // at most 6 (4 with IPv4) groups beside "::", which stands for
            // at least two
            if nh + nt > max - 2 {
                return None;
            }
        }
    }
    let mut a = [0u16; 8];
    a[..nh].copy_from_slice(&head[..nh]);
    a[max - nt..max].copy_from_slice(&tail[..nt]);
    if let Some(v4) = v4 {
        let o = v4.octets();
        a[6] = u16::from_be_bytes([o[0], o[1]]);
        a[7] = u16::from_be_bytes([o[2], o[3]]);
    }
    Some(Ipv6Addr::from(a))
}

// bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF
// chunk-size = 1*DIGIT ; end-marker = "LAST"
fn bdat(args: &[u8]) -> R<'_, Command<'_>> {
    let (rest, digits) =
        expect(take_while1(|b: u8| b.is_ascii_digit()), "chunk size").parse(args)?;
    let Some(size) = number(digits) else {
        return fail(args, "chunk size that fits 64 bits");
    };
    let (rest, last) = match rest.strip_prefix(b" ") {
        Some(r) if r.len() >= 4 && r[..4].eq_ignore_ascii_case(b"LAST") => (&r[4..], true),
        _ => (rest, false),
    };
    end(rest).map(|(r, ())| (r, Command::Bdat { size, last }))
}

// String = Atom / Quoted-string  (taken leniently: the rest of the line, UTF-8)
fn string_arg<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Cow<'a, str>> {
    let trimmed = trim_end(args);
    if trimmed.is_empty() {
        return fail(args, "argument");
    }
    text_arg(src, trimmed)
}

fn text_arg<'a>(src: Src<'a>, b: &'a [u8]) -> R<'a, Cow<'a, str>> {
    if b.iter().any(|&c| c < 32 || c == 127) {
        return fail(b, "printable argument");
    }
    match src.s(b) {
        Some(s) => Ok((&[], Cow::Borrowed(s))),
        None => fail(b, "UTF-8 argument"),
    }
}

fn optional_string<'a>(
    src: Src<'a>,
    args: &'a [u8],
    has_args: bool,
) -> R<'a, Option<Cow<'a, str>>> {
    let t = trim_end(args);
    if !has_args || t.is_empty() {
        return Ok((&[], None));
    }
    text_arg(src, t).map(|(r, s)| (r, Some(s)))
}

// auth-command = "AUTH" SP sasl-mech [SP initial-response]
// sasl-mech = 1*20mech-char ; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
// initial-response = base64 / "="
fn auth<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Command<'a>> {
    let n = run(args, MECH);
    if n == 0 {
        return fail(args, "SASL mechanism");
    }
    let (mech, rest) = args.split_at(n);
    if mech.len() > 20 {
        return fail(args, "SASL mechanism of at most 20 characters");
    }
    let mechanism = Cow::Borrowed(src.s(mech).unwrap_or_default());
    let rest = trim_end(rest);
    let initial_response = match rest.strip_prefix(b" ") {
        None if rest.is_empty() => None,
        None => return fail(rest, "SP before initial response"),
        Some(r) => {
            let n = run(r, BASE64);
            if n == 0 {
                return fail(r, "valid syntax");
            }
            let (ir, r2) = r.split_at(n);
            if !r2.is_empty() {
                return fail(r2, "base64 initial response");
            }
            Some(Cow::Borrowed(src.s(ir).unwrap_or_default()))
        }
    };
    Ok((
        &[],
        Command::Auth {
            mechanism,
            initial_response,
        },
    ))
}

// etrn = "ETRN" SP ["@" / "#"] Domain-or-queue
fn etrn<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Command<'a>> {
    let t = trim_end(args);
    let (rest, node) = expect(take_while1(|b: u8| b.is_ascii_graphic()), "node").parse(t)?;
    end(rest)?;
    Ok((
        &[],
        Command::Etrn {
            node: Cow::Borrowed(src.s(node).unwrap_or_default()),
        },
    ))
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

// Mail-parameters = esmtp-param *(SP esmtp-param)
// esmtp-param = esmtp-keyword ["=" esmtp-value]
// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
// esmtp-value = 1*(%d33-60 / %d62-126)   ; =/ UTF8-non-ascii (RFC 6531)
/// Checks a parameter list once; iteration afterwards cannot fail.
pub(crate) fn validate_parameters(raw: &str) -> Result<(), ParseError> {
    validate_params(
        Src::from_str(raw),
        raw.as_bytes(),
        &mut ParamTable::default(),
    )
}

/// Checks a parameter list and records the first [`TABLE`] parameters in
/// `table` (when their offsets fit a `u16`).
fn validate_params<'a>(
    src: Src<'a>,
    raw: &'a [u8],
    table: &mut ParamTable,
) -> Result<(), ParseError> {
    let mut recording = raw.len() <= usize::from(u16::MAX);
    let mut pos = 0;
    while let Some(&first) = raw.get(pos) {
        if first == b' ' {
            pos += 1;
            continue;
        }
        let at = pos;
        let (k, end, kind, aux) = match common_param(raw, at) {
            Some(p) => p,
            None => generic_param(src, raw, at)?,
        };
        // past the SP that ends it, if one does
        pos = end + usize::from(raw.get(end) == Some(&b' '));
        // Recorded while the parameters follow each other with one SP (so
        // an entry needs no start): the table ends at the first that does not.
        let n = usize::from(table.len);
        if recording
            && n < TABLE
            && at
                == if n == 0 {
                    0
                } else {
                    usize::from(table.covered) + 1
                }
        {
            // (the offsets fit: `raw` is at most u16::MAX bytes long)
            table.entries[n] = ParamEntry {
                eq: k as u16,
                end: end as u16,
                kind,
                aux,
            };
            table.len += 1;
            table.covered = end as u16;
        } else {
            recording = false;
        }
    }
    Ok(())
}

/// One parameter at `at` by the general rules: the end of its keyword, its
/// end, its kind and small value.
#[inline(never)]
fn generic_param<'a>(
    src: Src<'a>,
    raw: &'a [u8],
    at: usize,
) -> Result<(usize, usize, ParamKind, u8), ParseError> {
    let first = raw[at];
    // esmtp-keyword, up to "=", SP or the end
    let k = at + 1 + run(&raw[at + 1..], KEYWORD);
    let bad_keyword = !is(first, LABEL) || first >= 0x80;
    let value = match raw.get(k) {
        _ if bad_keyword => return Err(ParseError::new(raw, at, "esmtp-keyword")),
        None | Some(b' ') => None,
        Some(b'=') => {
            let v = k + 1 + run_graphic_except(&raw[k + 1..], b'=', b'=', VALUE);
            match raw.get(v) {
                _ if v == k + 1 => {
                    return Err(ParseError::new(raw, k + 1, "esmtp-value"));
                }
                None | Some(b' ') => Some(&raw[k + 1..v]),
                Some(_) => return Err(ParseError::new(raw, k + 1, "esmtp-value")),
            }
        }
        Some(_) => return Err(ParseError::new(raw, at, "esmtp-keyword")),
    };
    let kw = &raw[at..k];
    let Some((kind, aux)) = classify(src, kw, value) else {
        return Err(ParseError::new(raw, at, "valid value for this parameter"));
    };
    Ok((k, value.map_or(k, |v| k + 1 + v.len()), kind, aux))
}

/// The first eight bytes of `r` with ASCII letters in upper case, when they
/// are all ASCII.
#[inline(always)]
fn upper8(r: &[u8]) -> Option<u64> {
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // one load (a pattern of eight bytes compiles to eight)
    let x = u64::from_le_bytes(*r.first_chunk::<8>()?);
    if x & HIGH != 0 {
        return None;
    }
    // as in `word`: the high bit of `x + 0x1f` is set from 'a' up, of
    // `x + 0x05` from '{' up
    let from_a = x.wrapping_add(u64::from_le_bytes([0x1f; 8]));
    let past_z = x.wrapping_add(u64::from_le_bytes([0x05; 8]));
    Some(x ^ ((from_a & !past_z & HIGH) >> 2))
}

/// `s` (at most eight bytes, upper case) as [`upper8`] reads it, and the mask
/// of its bytes.
const fn prefix(s: &[u8]) -> (u64, u64) {
    let mut v = 0u64;
    let mut i = 0;
    while i < s.len() {
        v |= (s[i] as u64) << (8 * i);
        i += 1;
    }
    let mask = if s.len() == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * s.len())) - 1
    };
    (v, mask)
}

/// The number of ASCII digits at the start of `r`, eight bytes a step.
#[inline(always)]
fn digit_run(r: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut n = 0;
    while let Some(w) = r.get(n..).and_then(<[u8]>::first_chunk::<8>) {
        let v = u64::from_le_bytes(*w);
        // The high bit of each byte that is not a digit: set in `v` from
        // 0x80 up, in `v + 0x46` from ':' up, in `v - 0x30` below '0'. A
        // carry or borrow leaves a byte only from one flagged itself, so
        // the lowest flag is exact.
        let bad = (v | v.wrapping_add(ONES * 0x46) | v.wrapping_sub(ONES * 0x30)) & HIGH;
        if bad != 0 {
            return n + (bad.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + r[n..].iter().take_while(|b| b.is_ascii_digit()).count()
}

/// The end of the xtext from `i` in `r` when it ends at SP or the end of `r`.
#[inline(always)]
fn xtext_end(r: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i += run_graphic_except(&r[i..], b'+', b'=', XCHAR);
        match r.get(i) {
            None | Some(b' ') => return Some(i),
            Some(b'+') => {
                let hex = |c: Option<&u8>| {
                    c.is_some_and(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
                };
                if !hex(r.get(i + 1)) || !hex(r.get(i + 2)) {
                    return None;
                }
                i += 3;
            }
            Some(_) => return None,
        }
    }
}

/// The common parameters in their common forms, keyword and value read in
/// one pass: `SIZE=`, `BODY=8BITMIME` / `7BIT`, `SMTPUTF8`, `RET=`,
/// `ENVID=`, `NOTIFY=` with a list, `ORCPT=`. What this accepts,
/// [`generic_param`] accepts with the same result; anything else (other
/// forms, every error) is `None` and goes there.
#[inline(always)]
fn common_param(raw: &[u8], at: usize) -> Option<(usize, usize, ParamKind, u8)> {
    const SIZE: (u64, u64) = prefix(b"SIZE=");
    const BODY: (u64, u64) = prefix(b"BODY=");
    const NOTIFY: (u64, u64) = prefix(b"NOTIFY=");
    const ORCPT: (u64, u64) = prefix(b"ORCPT=");
    const ENVID: (u64, u64) = prefix(b"ENVID=");
    const RET: (u64, u64) = prefix(b"RET=");
    const SMTPUTF8: u64 = prefix(b"SMTPUTF8").0;
    let r = &raw[at..];
    let head = upper8(r)?;
    let ends = |i: usize| r.get(i).is_none_or(|&b| b == b' ');
    // a value up to SP or the end, as one word
    let word_to_sp = |from: usize| {
        let n = r[from..]
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(r.len() - from);
        (from + n, n, word(&r[from..from + n]))
    };
    let is = |(v, mask): (u64, u64)| head & mask == v;
    if is(SIZE) {
        // size-value ::= 1*20DIGIT
        let d = digit_run(&r[5..]);
        if d == 0 || d > 20 || !ends(5 + d) {
            return None;
        }
        return Some((at + 4, at + 5 + d, ParamKind::Size, 0));
    }
    if is(BODY) {
        const SEVEN: u64 = word(b"7BIT");
        const EIGHT: u64 = word(b"8BITMIME");
        // the common value, as the word it is
        if upper8(&r[5..]) == Some(prefix(b"8BITMIME").0) && ends(13) {
            return Some((at + 4, at + 13, ParamKind::Body, 1));
        }
        let (end, n, w) = word_to_sp(5);
        let b = match (n, w) {
            (8, EIGHT) => 1,
            (4, SEVEN) => 0,
            _ => return None,
        };
        return Some((at + 4, at + end, ParamKind::Body, b));
    }
    if is(NOTIFY) {
        const SUCCESS: u64 = word(b"SUCCESS");
        const FAILURE: u64 = word(b"FAILURE");
        const DELAY: u64 = word(b"DELAY");
        const SUCCESS8: (u64, u64) = prefix(b"SUCCESS");
        const FAILURE8: (u64, u64) = prefix(b"FAILURE");
        const DELAY8: (u64, u64) = prefix(b"DELAY");
        let (mut i, mut flags) = (7, 0);
        loop {
            // an element as one word when eight bytes are left, else by its
            // length; either way followed by ',', SP or the end
            let (n, flag) = match upper8(&r[i..]) {
                Some(w) if w & SUCCESS8.1 == SUCCESS8.0 => (7, 1),
                Some(w) if w & FAILURE8.1 == FAILURE8.0 => (7, 2),
                Some(w) if w & DELAY8.1 == DELAY8.0 => (5, 4),
                Some(_) => return None,
                None => {
                    let n = r[i..]
                        .iter()
                        .position(|&b| b == b',' || b == b' ')
                        .unwrap_or(r.len() - i);
                    match (n, word(&r[i..i + n])) {
                        (7, SUCCESS) => (7, 1),
                        (7, FAILURE) => (7, 2),
                        (5, DELAY) => (5, 4),
                        _ => return None,
                    }
                }
            };
            if !matches!(r.get(i + n), None | Some(b',' | b' ')) {
                return None;
            }
            flags |= flag;
            i += n;
            if r.get(i) != Some(&b',') {
                break;
            }
            i += 1;
        }
        return Some((at + 6, at + i, ParamKind::Notify, flags));
    }
    if is(ORCPT) {
        // addr-type (an atom, and esmtp-value: no '=') ";" xtext, the whole
        // parameter at most 500 characters
        const RFC822: (u64, u64) = prefix(b"RFC822;");
        let mut i = 6;
        if upper8(&r[6..]).is_some_and(|w| w & RFC822.1 == RFC822.0) {
            i = 12;
        }
        while r.get(i).is_some_and(|&b| b != b'=' && is_addr_type(b)) {
            i += 1;
        }
        if i == 6 || r.get(i) != Some(&b';') {
            return None;
        }
        let semi = i - 6;
        let end = xtext_end(r, i + 1)?;
        if end > 500 {
            return None;
        }
        let aux = u8::try_from(semi).unwrap_or(255);
        return Some((at + 5, at + end, ParamKind::Orcpt, aux));
    }
    if is(ENVID) {
        // 1 to 100 characters of xtext
        let end = xtext_end(r, 6)?;
        if end == 6 || end - 6 > 100 {
            return None;
        }
        return Some((at + 5, at + end, ParamKind::EnvId, 0));
    }
    if is(RET) {
        const FULL: u64 = word(b"FULL");
        const HDRS: u64 = word(b"HDRS");
        // four letters folded to lower case as one number (exact for
        // letters: no other byte folds onto one)
        if let Some(v) = r[4..].first_chunk::<4>().filter(|_| ends(8)) {
            match u32::from_le_bytes(*v) | 0x2020_2020 {
                x if x == u32::from_le_bytes(*b"hdrs") => {
                    return Some((at + 3, at + 8, ParamKind::Ret, 1));
                }
                x if x == u32::from_le_bytes(*b"full") => {
                    return Some((at + 3, at + 8, ParamKind::Ret, 0));
                }
                _ => {}
            }
        }
        let (end, n, w) = word_to_sp(4);
        let v = match (n, w) {
            (4, FULL) => 0,
            (4, HDRS) => 1,
            _ => return None,
        };
        return Some((at + 3, at + end, ParamKind::Ret, v));
    }
    if head == SMTPUTF8 && ends(8) {
        return Some((at + 8, at + 8, ParamKind::SmtpUtf8, 0));
    }
    None
}

/// What [`typed_parameter`] accepts, without building the value: the kind
/// and the small decoded value kept in a [`ParamEntry`]. The common DSN and
/// MAIL keywords are checked here; the others go through `typed_parameter`.
#[inline]
fn classify<'a>(src: Src<'a>, kw: &'a [u8], value: Option<&'a [u8]>) -> Option<(ParamKind, u8)> {
    const SIZE: u64 = word(b"SIZE");
    const BODY: u64 = word(b"BODY");
    const SMTPUTF8: u64 = word(b"SMTPUTF8");
    const RET: u64 = word(b"RET");
    const ENVID: u64 = word(b"ENVID");
    const NOTIFY: u64 = word(b"NOTIFY");
    const ORCPT: u64 = word(b"ORCPT");
    const AUTH: u64 = word(b"AUTH");
    Some(match (kw.len(), word(kw), value) {
        // size-value ::= 1*20DIGIT (see typed_parameter)
        (4, SIZE, Some(v)) => {
            if v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
                return None;
            }
            (ParamKind::Size, 0)
        }
        (4, BODY, Some(v)) => {
            const SEVEN: u64 = word(b"7BIT");
            const EIGHT: u64 = word(b"8BITMIME");
            let b = match (v.len(), word(v)) {
                (4, SEVEN) => 0,
                (8, EIGHT) => 1,
                (10, _) if v.eq_ignore_ascii_case(b"BINARYMIME") => 2,
                _ => return None,
            };
            (ParamKind::Body, b)
        }
        (8, SMTPUTF8, None) => (ParamKind::SmtpUtf8, 0),
        (3, RET, Some(v)) => {
            const FULL: u64 = word(b"FULL");
            const HDRS: u64 = word(b"HDRS");
            let r = match (v.len(), word(v)) {
                (4, FULL) => 0,
                (4, HDRS) => 1,
                _ => return None,
            };
            (ParamKind::Ret, r)
        }
        (5, ENVID, Some(v)) if v.len() <= 100 => {
            if !xtext_valid(v) {
                return None;
            }
            (ParamKind::EnvId, 0)
        }
        (6, NOTIFY, Some(v)) => {
            const NEVER: u64 = word(b"NEVER");
            const SUCCESS: u64 = word(b"SUCCESS");
            const FAILURE: u64 = word(b"FAILURE");
            const DELAY: u64 = word(b"DELAY");
            let mut flags = 0;
            if !is_word(v, NEVER, 5) {
                for el in v.split(|&b| b == b',') {
                    flags |= match (el.len(), word(el)) {
                        (7, SUCCESS) => 1,
                        (7, FAILURE) => 2,
                        (5, DELAY) => 4,
                        _ => return None,
                    };
                }
            }
            (ParamKind::Notify, flags)
        }
        (5, ORCPT, Some(v)) if v.len() + 6 <= 500 => {
            let semi = memchr::memchr(b';', v)?;
            if semi == 0
                || !v[..semi].iter().all(|&b| is_addr_type(b))
                || !xtext_valid(&v[semi + 1..])
            {
                return None;
            }
            (ParamKind::Orcpt, u8::try_from(semi).unwrap_or(255))
        }
        (4, AUTH, Some(v)) => {
            if !auth_xtext_valid(v) {
                return None;
            }
            (ParamKind::Auth, 0)
        }
        (10, _, None) if kw.eq_ignore_ascii_case(b"REQUIRETLS") => (ParamKind::RequireTls, 0),
        _ => match typed_parameter(src, kw, value)? {
            Parameter::Other { .. } => (ParamKind::Other, 0),
            _ => (ParamKind::Slow, 0),
        },
    })
}

/// The parameter a [`ParamEntry`] of `text` stands for (the text was checked
/// when the entry was made).
#[inline]
fn from_entry<'a>(text: &'a str, start: usize, e: &ParamEntry) -> Parameter<'a> {
    let (eq, end) = (usize::from(e.eq), usize::from(e.end));
    let kw = || text.get(start..eq).unwrap_or_default();
    let value = || {
        if end > eq {
            text.get(eq + 1..end)
        } else {
            None
        }
    };
    let v = || value().unwrap_or_default();
    match e.kind {
        ParamKind::Size => Parameter::Size(size_value(
            text.as_bytes().get(eq + 1..end).unwrap_or_default(),
        )),
        ParamKind::Body => Parameter::Body(match e.aux {
            0 => Body::SevenBit,
            1 => Body::EightBitMime,
            _ => Body::BinaryMime,
        }),
        ParamKind::SmtpUtf8 => Parameter::SmtpUtf8,
        ParamKind::Ret => Parameter::Ret(if e.aux == 0 { Ret::Full } else { Ret::Hdrs }),
        ParamKind::EnvId => Parameter::EnvId(XText(Cow::Borrowed(v()))),
        ParamKind::Notify => Parameter::Notify(Notify {
            success: e.aux & 1 != 0,
            failure: e.aux & 2 != 0,
            delay: e.aux & 4 != 0,
        }),
        ParamKind::Orcpt => {
            // the ';' at `semi`: two slices of the text, not three
            let semi = eq
                + 1
                + match e.aux {
                    255 => memchr::memchr(b';', v().as_bytes()).unwrap_or(0),
                    n => usize::from(n),
                };
            Parameter::Orcpt {
                addr_type: Cow::Borrowed(text.get(eq + 1..semi).unwrap_or_default()),
                address: XText(Cow::Borrowed(text.get(semi + 1..end).unwrap_or_default())),
            }
        }
        ParamKind::Auth => Parameter::Auth(XText(Cow::Borrowed(v()))),
        ParamKind::RequireTls => Parameter::RequireTls,
        ParamKind::Other => Parameter::Other {
            keyword: Cow::Borrowed(kw()),
            value: value().map(Cow::Borrowed),
        },
        ParamKind::Slow => {
            let (kw, value) = (kw(), value());
            let src = Src::from_str(text);
            typed_parameter(src, kw.as_bytes(), value.map(str::as_bytes)).unwrap_or_else(|| {
                Parameter::Other {
                    keyword: Cow::Borrowed(kw),
                    value: value.map(Cow::Borrowed),
                }
            })
        }
    }
}

/// A checked SIZE value (1 to 20 digits); past u64 it reads as u64::MAX.
#[inline]
fn size_value(v: &[u8]) -> u64 {
    if v.len() < 20 {
        // nineteen digits never overflow
        v.iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d.wrapping_sub(b'0')))
    } else {
        number(v).unwrap_or(u64::MAX)
    }
}

// addr-type = atom  (RFC 822: any CHAR except specials, SPACE and CTLs)
#[inline(always)]
fn is_addr_type(b: u8) -> bool {
    b.is_ascii_graphic()
        && !matches!(
            b,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'.'
                | b'['
                | b']'
        )
}

// auth-param = "AUTH=" xtext (RFC 4954 §8), where
// hexchar = "+" HEXDIG HEXDIG ; xchar = %x21-2A / %x2C-3C / %x3E-7E
// xtext = *(xchar / hexchar) ;; non-US-ASCII is only allowed as hexchar
// (HEXDIG, as every ABNF string, is case-insensitive: RFC 5234 §2.3)
fn auth_xtext_valid(v: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        match b {
            b'+' if v
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                i += 3
            }
            0x21..=0x7e if b != b'+' && b != b'=' => i += 1,
            _ => return false,
        }
    }
    true
}

pub(crate) fn next_parameter<'a>(src: Src<'a>, rest: &mut &'a [u8]) -> Option<Parameter<'a>> {
    let r = skip_spaces(rest);
    if r.is_empty() {
        *rest = r;
        return None;
    }
    let end = memchr::memchr(b' ', r).unwrap_or(r.len());
    let token = &r[..end];
    *rest = &r[end..];
    let (kw, value) = split_param(token);
    // The text was validated when it was parsed or built (a `Parameters` is
    // never made otherwise): the xtext values of the DSN parameters, the
    // long ones, are not checked a second time.
    const ENVID: u64 = word(b"ENVID");
    const ORCPT: u64 = word(b"ORCPT");
    if let (5, Some(v)) = (kw.len(), value) {
        match word(kw) {
            ENVID => return Some(Parameter::EnvId(XText(src.cow(v)?))),
            ORCPT => {
                if let Some(semi) = memchr::memchr(b';', v) {
                    return Some(Parameter::Orcpt {
                        addr_type: src.cow(&v[..semi])?,
                        address: XText(src.cow(&v[semi + 1..])?),
                    });
                }
            }
            _ => {}
        }
    }
    Some(
        typed_parameter(src, kw, value).unwrap_or_else(|| Parameter::Other {
            keyword: Cow::Borrowed(src.s(kw).unwrap_or_default()),
            value: value.map(|v| Cow::Borrowed(src.s(v).unwrap_or_default())),
        }),
    )
}

// xtext = *( xchar / hexchar )
// xchar = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "="
// hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
fn xtext<'a>(src: Src<'a>, v: &'a [u8]) -> Option<XText<'a>> {
    if !xtext_valid(v) {
        return None;
    }
    src.cow(v).map(XText)
}

/// Whether `v` is `xtext` (with UTF-8, RFC 6533 §3): [`xtext_end`] over
/// all of it (a space, where that run stops, is not `xchar` either).
#[inline]
fn xtext_valid(v: &[u8]) -> bool {
    xtext_end(v, 0) == Some(v.len())
}

/// A word of at most 8 ASCII bytes folded to upper case as one number:
/// together with the length, equal numbers mean equal words ignoring ASCII
/// case. Longer words and words with non-ASCII bytes give 0 (which no word of
/// 1 to 8 bytes gives). Built from overlapping loads of the word itself, so no
/// byte is stored and loaded again.
#[inline(always)]
const fn word(b: &[u8]) -> u64 {
    let x = match *b {
        [] => return 0,
        [a] => a as u64,
        [a, c] => a as u64 | (c as u64) << 8,
        [a, m, c] => a as u64 | (m as u64) << 8 | (c as u64) << 16,
        [a0, a1, a2, a3, ..] if b.len() <= 8 => {
            let n = b.len();
            let lo = u32::from_le_bytes([a0, a1, a2, a3]);
            let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
            lo as u64 | (hi as u64) << 32
        }
        _ => return 0,
    };
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    if x & HIGH != 0 {
        return 0;
    }
    // Every byte is below 0x80, so these sums never carry into the next byte:
    // the high bit of `x + 0x1f` is set from 'a' up, of `x + 0x05` from '{' up.
    let from_a = x.wrapping_add(u64::from_le_bytes([0x1f; 8]));
    let past_z = x.wrapping_add(u64::from_le_bytes([0x05; 8]));
    let lower = from_a & !past_z & HIGH;
    // Folded, and never 0 for a non-empty word: its first byte is not NUL
    // or the length marker below is set.
    (x ^ (lower >> 2)) | 0x80
}

/// Whether `b` is `name` (upper case ASCII, at most 8 bytes) ignoring case.
#[inline(always)]
fn is_word(b: &[u8], name: u64, len: usize) -> bool {
    b.len() == len && word(b) == name
}

fn typed_parameter<'a>(
    src: Src<'a>,
    kw: &'a [u8],
    value: Option<&'a [u8]>,
) -> Option<Parameter<'a>> {
    let s = |b: &'a [u8]| src.cow(b);
    let k = |name: &[u8]| kw.eq_ignore_ascii_case(name);
    // Keywords of up to 8 bytes are told apart by one number.
    const SIZE: u64 = word(b"SIZE");
    const BODY: u64 = word(b"BODY");
    const SMTPUTF8: u64 = word(b"SMTPUTF8");
    const RET: u64 = word(b"RET");
    const ENVID: u64 = word(b"ENVID");
    const NOTIFY: u64 = word(b"NOTIFY");
    const ORCPT: u64 = word(b"ORCPT");
    const AUTH: u64 = word(b"AUTH");
    const HOLDFOR: u64 = word(b"HOLDFOR");
    const BY: u64 = word(b"BY");
    Some(match (kw.len(), word(kw), value) {
        // size-value ::= 1*20DIGIT  (RFC 1870; a value past u64 reads as
        // u64::MAX, more than any limit)
        (4, SIZE, Some(v)) => Parameter::Size(match number(v) {
            Some(n) => n,
            None if v.len() <= 20 && v.iter().all(u8::is_ascii_digit) => u64::MAX,
            None => return None,
        }),
        // body-value = "7BIT" / "8BITMIME" / "BINARYMIME"
        (4, BODY, Some(v)) => Parameter::Body({
            const SEVEN: u64 = word(b"7BIT");
            const EIGHT: u64 = word(b"8BITMIME");
            match (v.len(), word(v)) {
                (4, SEVEN) => Body::SevenBit,
                (8, EIGHT) => Body::EightBitMime,
                (10, _) if v.eq_ignore_ascii_case(b"BINARYMIME") => Body::BinaryMime,
                _ => return None,
            }
        }),
        (8, SMTPUTF8, None) => Parameter::SmtpUtf8,
        // ret-value = "FULL" / "HDRS"
        (3, RET, Some(v)) => Parameter::Ret({
            const FULL: u64 = word(b"FULL");
            const HDRS: u64 = word(b"HDRS");
            match (v.len(), word(v)) {
                (4, FULL) => Ret::Full,
                (4, HDRS) => Ret::Hdrs,
                _ => return None,
            }
        }),
        // envid-parameter = "ENVID=" xtext ; "The ENVID parameter MAY be up to
        // 100 characters in length." (RFC 3461 §4.4)
        (5, ENVID, Some(v)) if v.len() <= 100 => Parameter::EnvId(xtext(src, v)?),
        // notify-esmtp-value = "NEVER" / 1#notify-list-element
        // notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
        (6, NOTIFY, Some(v)) => {
            const NEVER: u64 = word(b"NEVER");
            const SUCCESS: u64 = word(b"SUCCESS");
            const FAILURE: u64 = word(b"FAILURE");
            const DELAY: u64 = word(b"DELAY");
            if is_word(v, NEVER, 5) {
                Parameter::Notify(Notify::NEVER)
            } else {
                let mut n = Notify::default();
                for el in v.split(|&b| b == b',') {
                    let flag = match (el.len(), word(el)) {
                        (7, SUCCESS) => &mut n.success,
                        (7, FAILURE) => &mut n.failure,
                        (5, DELAY) => &mut n.delay,
                        _ => return None,
                    };
                    *flag = true;
                }
                Parameter::Notify(n)
            }
        }
        // orcpt-parameter = "ORCPT=" original-recipient-address
        // original-recipient-address = addr-type ";" xtext
        // addr-type = atom  (RFC 822: any CHAR except specials, SPACE and CTLs)
        // "The entire ORCPT parameter MAY be up to 500 characters in length."
        (5, ORCPT, Some(v)) if v.len() + 6 <= 500 => {
            let semi = memchr::memchr(b';', v)?;
            let t = &v[..semi];
            if t.is_empty() || !t.iter().all(|&b| is_addr_type(b)) {
                return None;
            }
            Parameter::Orcpt {
                addr_type: s(t)?,
                address: xtext(src, &v[semi + 1..])?,
            }
        }
        // auth-param = "AUTH=" xtext (RFC 4954 §8), where
        // hexchar = "+" HEXDIG HEXDIG ; xchar = %x21-2A / %x2C-3C / %x3E-7E
        // xtext = *(xchar / hexchar) ;; non-US-ASCII is only allowed as hexchar
        // (HEXDIG, as every ABNF string, is case-insensitive: RFC 5234 §2.3)
        (4, AUTH, Some(v)) => {
            if !auth_xtext_valid(v) {
                return None;
            }
            Parameter::Auth(XText(s(v)?))
        }
        (10, _, None) if k(b"REQUIRETLS") => Parameter::RequireTls,
        // priority-value = [ "-" / "+" ] DIGIT  (range -9..9)
        (11, _, Some(v)) if k(b"MT-PRIORITY") => {
            let (neg, d) = match v {
                [b'-', d] => (true, *d),
                [b'+', d] | [d] => (false, *d),
                _ => return None,
            };
            if !d.is_ascii_digit() {
                return None;
            }
            let p = (d - b'0') as i8;
            Parameter::MtPriority(if neg { -p } else { p })
        }
        (7, HOLDFOR, Some(v)) => Parameter::HoldFor(number(v)?),
        (9, _, Some(v)) if k(b"HOLDUNTIL") => {
            if !v.iter().all(|b| b.is_ascii_graphic()) {
                return None;
            }
            Parameter::HoldUntil(s(v)?)
        }
        // by-value = by-time ";" by-mode [ by-trace ]
        // by-time = ["-" / "+"]1*9digit ; by-mode = "N" / "R" ; by-trace = "T"
        (2, BY, Some(v)) => {
            let semi = memchr::memchr(b';', v)?;
            let (t, m) = (&v[..semi], &v[semi + 1..]);
            let (neg, digits) = match t.first() {
                Some(b'-') => (true, &t[1..]),
                Some(b'+') => (false, &t[1..]),
                _ => (false, t),
            };
            if digits.len() > 9 {
                return None;
            }
            let n = number(digits)? as i64;
            let time = if neg { -n } else { n };
            let (mode, trace) = match m {
                [c] => (*c, false),
                [c, t] if t.eq_ignore_ascii_case(&b'T') => (*c, true),
                _ => return None,
            };
            let mode = match mode.to_ascii_uppercase() {
                b'N' => ByMode::Notify,
                b'R' => ByMode::Return,
                _ => return None,
            };
            Parameter::By { time, mode, trace }
        }
        // Known keywords with a missing or extra value are invalid.
        (4, SIZE | BODY | AUTH, _)
        | (8, SMTPUTF8, _)
        | (3, RET, _)
        | (5, ENVID | ORCPT, _)
        | (6, NOTIFY, _)
        | (7, HOLDFOR, _)
        | (2, BY, _) => return None,
        (10, _, _) if k(b"REQUIRETLS") => return None,
        (11, _, _) if k(b"MT-PRIORITY") => return None,
        (9, _, _) if k(b"HOLDUNTIL") => return None,
        // rrvs-param = "RRVS=" date-time [ ";" ( "C" / "R" ) ]  (RFC 7293)
        (4, _, Some(v)) if k(b"RRVS") => {
            let (t, action) = match memchr::memchr(b';', v) {
                None => (v, None),
                Some(i) => (
                    &v[..i],
                    Some(match &v[i + 1..] {
                        [b'C' | b'c'] => RrvsAction::Continue,
                        [b'R' | b'r'] => RrvsAction::Reject,
                        _ => return None,
                    }),
                ),
            };
            if t.is_empty() || !t.iter().all(|b| b.is_ascii_graphic()) {
                return None;
            }
            Parameter::Rrvs {
                time: s(t)?,
                action,
            }
        }
        // "NO-SOLICITING=" solicitation-keywords  (RFC 3865), comma-separated
        (13, _, Some(v)) if k(b"NO-SOLICITING") => {
            if !v.iter().all(|b| b.is_ascii_graphic())
                || v.split(|&b| b == b',').any(<[u8]>::is_empty)
            {
                return None;
            }
            Parameter::NoSoliciting(s(v)?)
        }
        (4, _, None) if k(b"RRVS") => return None,
        (13, _, None) if k(b"NO-SOLICITING") => return None,
        _ => Parameter::Other {
            keyword: s(kw)?,
            value: match value {
                Some(v) => Some(s(v)?),
                None => None,
            },
        },
    })
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// Finds the lines of one reply in a growing buffer, scanning each byte once
/// (a line whose fourth byte is `-` continues the reply; any other line ends it).
///
/// ```
/// use mailwire::smtp::{parse_reply, ReplyFramer};
/// use mailwire::{wire::line::LinePolicy, Limits};
///
/// let mut framer = ReplyFramer::new(&Limits::default(), LinePolicy::STRICT);
/// let mut buf = b"250-mx.example\r\n250-SIZE 1000".to_vec();
/// assert_eq!(framer.find(&buf)?, None); // the last line is still coming
/// buf.extend_from_slice(b"000\r\n250 CHUNKING\r\n221 Bye\r\n");
/// let len = framer.find(&buf)?.expect("one whole reply");
/// let reply = parse_reply(&buf[..len])?;
/// assert_eq!(reply.line_count(), 3);
/// framer.reset(); // before looking for the next reply
/// assert_eq!(parse_reply(&buf[len..len + framer.find(&buf[len..])?.unwrap()])?.code().get(), 221);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ReplyFramer {
    lines: LineFinder,
    frame_len: usize,
    count: usize,
    max_lines: usize,
}

impl ReplyFramer {
    /// A framer enforcing `limits.reply_line` and `limits.reply_lines`.
    pub fn new(limits: &Limits, policy: LinePolicy) -> Self {
        ReplyFramer {
            lines: LineFinder::new(limits.reply_line, LimitKind::ReplyLine, policy),
            frame_len: 0,
            count: 0,
            max_lines: limits.reply_lines,
        }
    }

    /// The length of the complete reply at the start of `buf`, or `None` when
    /// more input is needed. `buf` must start at the reply and only grow between
    /// calls that return `None`.
    #[inline]
    pub fn find(&mut self, buf: &[u8]) -> Result<Option<usize>, Error> {
        loop {
            let rest = buf.get(self.frame_len..).unwrap_or(&[]);
            let Some(line) = self.lines.find(rest)? else {
                return Ok(None);
            };
            let content = line.content(rest);
            self.frame_len += line.consumed;
            self.count += 1;
            // The separator alone decides: a line with `-` after three bytes
            // continues the reply even when its code is damaged, so a damaged
            // line costs its own reply and never splits one in two.
            let continues = content.get(3) == Some(&b'-');
            if !continues {
                let n = self.frame_len;
                self.reset();
                return Ok(Some(n));
            }
            if self.count >= self.max_lines {
                return Err(Error::limit(LimitKind::ReplyLines, self.max_lines));
            }
        }
    }

    /// Forgets partial progress.
    pub fn reset(&mut self) {
        self.lines.reset();
        self.frame_len = 0;
        self.count = 0;
    }
}

/// Parses a command line at the start of `buf`, which must hold its CRLF,
/// with the default [`Limits`]; `Incomplete` when the line has not ended.
/// The value is what [`parse_command`] gives for the line.
///
/// ```
/// use mailwire::{smtp::{parse_command_stream, Command}, Status};
/// let Status::Complete(c, n) = parse_command_stream(b"RSET\r\nQUIT\r\n").unwrap() else { panic!() };
/// assert_eq!((c, n), (Command::Rset, 6));
/// assert!(matches!(parse_command_stream(b"RSE").unwrap(), Status::Incomplete(_)));
/// ```
pub fn parse_command_stream(buf: &[u8]) -> Result<Status<Command<'_>>, Error> {
    let mut finder = LineFinder::new(
        Limits::DEFAULT.command_line,
        LimitKind::CommandLine,
        LinePolicy::STRICT,
    );
    match finder.find(buf)? {
        None => Ok(Status::Incomplete(crate::Needed::Unknown)),
        Some(l) => Ok(Status::Complete(parse_command(l.content(buf))?, l.consumed)),
    }
}

/// Parses a complete reply at the start of `buf` (lines with CRLF), with the
/// default [`Limits`]. `Incomplete` when the reply's last line has not arrived.
///
/// ```
/// use mailwire::{smtp::parse_reply_stream, Status};
/// let Status::Complete(r, n) = parse_reply_stream(b"250-mx.example\r\n250 PIPELINING\r\n").unwrap() else { panic!() };
/// assert_eq!((r.code().get(), n, r.line_count()), (250, 32, 2));
/// ```
pub fn parse_reply_stream(buf: &[u8]) -> Result<Status<Reply<'_>>, Error> {
    let mut f = ReplyFramer::new(&Limits::DEFAULT, LinePolicy::STRICT);
    match f.find(buf)? {
        None => Ok(Status::Incomplete(crate::Needed::Unknown)),
        Some(n) => Ok(Status::Complete(parse_reply(&buf[..n])?, n)),
    }
}

/// Parses one complete reply frame (as found by [`ReplyFramer`]).
///
/// `Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF`;
/// `textstring` is taken as any bytes but CR, LF and NUL (8-bit tolerant).
///
/// ```
/// use mailwire::smtp::parse_reply;
///
/// // RFC 5321 §4.2.1's multi-line form; RFC 3463 status codes are read from the text
/// let reply = parse_reply(b"550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please try again.\r\n")?;
/// assert!(reply.code().is_permanent());
/// assert_eq!(reply.enhanced().unwrap().to_string(), "5.1.1");
/// assert_eq!(reply.lines().count(), 2);
/// assert!(parse_reply(b"25O typo\r\n").is_err());
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[inline]
pub fn parse_reply(frame: &[u8]) -> Result<Reply<'_>, ParseError> {
    let mut code = None;
    let mut enhanced = None;
    let mut pos = 0;
    while pos < frame.len() {
        let rest = &frame[pos..];
        // one scan finds the line end and any NUL before it
        let nl = match lf_or_nul(rest) {
            Some(i) if rest[i] == b'\n' => i,
            Some(i) => return Err(ParseError::new(frame, pos + i, "text without NUL")),
            None => return Err(ParseError::new(frame, frame.len(), "CRLF")),
        };
        let line = &rest[..nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let last = pos + nl + 1 >= frame.len();
        let (c, text) =
            reply_line(line, last).map_err(|(off, exp)| ParseError::new(frame, pos + off, exp))?;
        match code {
            None => {
                code = Some(c);
                enhanced = reply_enhanced(c, text);
            }
            Some(prev) if prev != c => {
                return Err(ParseError::new(
                    frame,
                    pos,
                    "the same reply code on every line",
                ));
            }
            Some(_) => {}
        }
        pos += nl + 1;
    }
    let code = code.ok_or_else(|| ParseError::new(frame, 0, "reply code"))?;
    Ok(Reply {
        code,
        enhanced,
        raw: Cow::Borrowed(frame),
    })
}

/// The first LF or NUL in `hay`: reply lines are short, so the first 64 bytes
/// are looked at eight at a time in a plain word (the last bytes of a short
/// buffer in one word that overlaps the previous one), the rest with `memchr2`.
#[inline]
fn lf_or_nul(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const LF: u64 = u64::from_le_bytes([b'\n'; 8]);
    // Flags the zero bytes of `x`; the lowest flag is exact (a borrow only
    // flags bytes above a byte that really is zero).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let hits = |w: &[u8]| match *w {
        [a, b, c, d, e, f, g, h] => {
            let x = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
            zero(x) | zero(x ^ LF)
        }
        _ => 0,
    };
    let mut i = 0;
    while let Some(w) = hay.get(i..i + 8) {
        let m = hits(w);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
        if i == 64 {
            return memchr::memchr2(b'\n', 0, &hay[64..]).map(|j| j + 64);
        }
    }
    // Fewer than eight bytes left.
    if i == hay.len() {
        return None;
    }
    if let Some(t) = hay.len().checked_sub(8) {
        // The last eight bytes; those before `i` are neither LF nor NUL, so
        // no borrow reaches the bytes from `i` on and the lowest flag there
        // is exact.
        let m = hits(&hay[t..]) & (u64::MAX << ((i - t) * 8));
        return (m != 0).then(|| t + (m.trailing_zeros() / 8) as usize);
    }
    hay[i..]
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .map(|j| i + j)
}

// Reply-code = %x32-35 %x30-35 %x30-39
#[inline(always)]
fn reply_line(line: &[u8], last: bool) -> Result<(ReplyCode, &[u8]), (usize, &'static str)> {
    let code = match line {
        [a @ b'2'..=b'5', b @ b'0'..=b'5', c @ b'0'..=b'9', ..] => ReplyCode::from_checked(
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'),
        ),
        _ => return Err((0, "reply code")),
    };
    let text = match line.get(3) {
        None if last => &[][..],
        Some(b' ') if last => &line[4..],
        Some(b'-') if !last => &line[4..],
        _ => return Err((3, if last { "SP or end of line" } else { "'-'" })),
    };
    Ok((code, text))
}

// ---------------------------------------------------------------------------
// The grammar behind the accessors of the value types
// ---------------------------------------------------------------------------

impl<'a> Mailbox<'a> {
    /// Parses `local@domain` (without angle brackets), accepting UTF-8.
    pub fn parse(s: &'a str) -> Result<Self, crate::error::ParseError> {
        mailbox_str(s)
    }
}

impl<'a> Parameters<'a> {
    /// Validates raw parameter text (as after `MAIL FROM:<...> `).
    pub fn parse(raw: &'a str) -> Result<Self, crate::error::ParseError> {
        let mut table = ParamTable::default();
        validate_params(Src::from_str(raw), raw.as_bytes(), &mut table)?;
        Ok(Parameters(Cow::Borrowed(raw), table))
    }
}

impl<'a> Iterator for ParameterIter<'a> {
    type Item = Parameter<'a>;
    #[inline]
    fn next(&mut self) -> Option<Parameter<'a>> {
        match self.table.next() {
            Some(e) => {
                let start = self.start;
                self.start = usize::from(e.end) + 1;
                Some(from_entry(self.text, start, e))
            }
            // The common end: the table covered every parameter.
            None if self.rest.is_empty() => None,
            None => next_parameter(Src::from_str(self.text), &mut self.rest),
        }
    }
}

mod ext;

#[cfg(test)]
mod tests;
