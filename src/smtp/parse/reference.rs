//! The command parser as it was before the byte-class rewrite, kept as a test
//! oracle: the optimised parser must give exactly the same results (values and
//! errors) on every line.
#![allow(dead_code, clippy::all)]

use alloc::borrow::Cow;
use core::str;

use nom::bytes::complete::{tag, take_while1};
use nom::{IResult, Parser};

use crate::error::ParseError;
use crate::smtp::command::*;

/// The nom error of this module: where it failed and what was expected.
#[derive(Debug)]
pub(crate) struct E<'a> {
    rest: &'a [u8],
    expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a [u8]> for E<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        E {
            rest: input,
            expected: "valid syntax",
        }
    }
    fn append(_: &'a [u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'a, O> = IResult<&'a [u8], O, E<'a>>;

fn fail<'a, O>(rest: &'a [u8], expected: &'static str) -> R<'a, O> {
    Err(nom::Err::Error(E { rest, expected }))
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

fn to_parse_error(input: &[u8], e: nom::Err<E<'_>>) -> ParseError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => ParseError::at(input, e.rest, e.expected),
        nom::Err::Incomplete(_) => ParseError::new(input, input.len(), "more input"),
    }
}

/// The source text of a frame: its bytes and, when they are UTF-8, the same
/// text as `&str`, so that sub-slices found by the byte grammar become `&str`
/// without validating UTF-8 again (one `from_utf8` per line, not per field).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Src<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Src<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Src {
            bytes,
            text: str::from_utf8(bytes).ok(),
        }
    }

    pub(crate) fn from_str(text: &'a str) -> Self {
        Src {
            bytes: text.as_bytes(),
            text: Some(text),
        }
    }

    /// `part` (a sub-slice of this source) as `&str`, if it is UTF-8.
    fn s(&self, part: &'a [u8]) -> Option<&'a str> {
        let off = (part.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        match self.text {
            Some(t) => t.get(off..off.checked_add(part.len())?),
            // Not all of the source is UTF-8: check this part alone.
            None => str::from_utf8(part).ok(),
        }
    }

    fn cow(&self, part: &'a [u8]) -> Option<Cow<'a, str>> {
        self.s(part).map(Cow::Borrowed)
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// Parses one command line, without its CRLF (RFC 5321 §4.1.1).
///
/// ```
/// use mailwire::smtp::{parse_command, Command, ReversePath};
/// let c = parse_command(b"MAIL FROM:<> SIZE=100").unwrap();
/// let Command::Mail { reverse_path, parameters } = c else { panic!() };
/// assert_eq!(reverse_path, ReversePath::Null);
/// assert_eq!(parameters.size(), Some(100));
/// ```
pub(crate) fn parse_command(line: &[u8]) -> Result<Command<'_>, ParseError> {
    match command(line) {
        Ok((_, c)) => Ok(c),
        Err(e) => Err(to_parse_error(line, e)),
    }
}

fn command(line: &[u8]) -> R<'_, Command<'_>> {
    let src = Src::new(line);
    // verbs are short: a plain loop beats a vectorised search here
    let sp = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let verb = &line[..sp];
    let args = line.get(sp + 1..).unwrap_or(&[]);
    let has_args = sp < line.len();
    // The verb, folded to lower case, as one number (exact for letters: no
    // other byte folds onto a lower-case letter).
    const fn key(v: &[u8; 4]) -> u32 {
        u32::from_be_bytes([v[0] | 0x20, v[1] | 0x20, v[2] | 0x20, v[3] | 0x20])
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
    if let [a, b, c, d] = *verb {
        match key(&[a, b, c, d]) {
            MAIL => return mail(src, args),
            RCPT => return rcpt(src, args),
            EHLO => return hello(src, args).map(|(r, domain)| (r, Command::Ehlo { domain })),
            HELO => return hello(src, args).map(|(r, domain)| (r, Command::Helo { domain })),
            LHLO => return hello(src, args).map(|(r, domain)| (r, Command::Lhlo { domain })),
            DATA => return no_args(args, Command::Data),
            BDAT => return bdat(args),
            RSET => return no_args(args, Command::Rset),
            QUIT => return no_args(args, Command::Quit),
            NOOP => {
                return optional_string(src, args, has_args)
                    .map(|(r, argument)| (r, Command::Noop { argument }));
            }
            HELP => {
                return optional_string(src, args, has_args)
                    .map(|(r, topic)| (r, Command::Help { topic }));
            }
            VRFY => {
                return string_arg(src, args).map(|(r, argument)| (r, Command::Vrfy { argument }));
            }
            EXPN => {
                return string_arg(src, args).map(|(r, argument)| (r, Command::Expn { argument }));
            }
            AUTH => return auth(src, args),
            ETRN => return etrn(src, args),
            _ => {}
        }
    } else if verb.eq_ignore_ascii_case(b"STARTTLS") {
        return no_args(args, Command::StartTls);
    }
    // Any other verb: kept as a typed unknown command.
    // verb = 1*(ALPHA / DIGIT / "-")  (lenient: any printable ASCII)
    if verb.is_empty() || !verb.iter().all(|b| b.is_ascii_graphic()) {
        return fail(line, "command verb");
    }
    let verb = src.s(verb).unwrap_or_default();
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
    if let Err(e) = validate_params(Src::from_str(text), raw) {
        let off = e.offset.min(raw.len());
        return fail(&raw[off..], e.expected);
    }
    Ok((&[], Parameters(Cow::Borrowed(text))))
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
    if let Some(done) = simple_path(src, i) {
        return Ok(done);
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
fn simple_path<'a>(src: Src<'a>, i: &'a [u8]) -> Option<(&'a [u8], Mailbox<'a>)> {
    if i.first() != Some(&b'<') {
        return None;
    }
    // One loop over the local part: Dot-string = Atom *("." Atom)
    let mut n = 1;
    let mut prev = b'.';
    loop {
        let b = *i.get(n)?;
        if b == b'@' {
            break;
        } else if b == b'.' {
            if prev == b'.' {
                return None;
            }
        } else if !is_atext(b) {
            return None;
        }
        prev = b;
        n += 1;
    }
    if prev == b'.' {
        return None;
    }
    let local = &i[1..n];
    let (rest, d) = domain(src, &i[n + 1..]).ok()?;
    let rest = rest.strip_prefix(b">")?;
    Some((
        rest,
        Mailbox {
            local_part: Cow::Borrowed(src.s(local)?),
            host: Host::Domain(Cow::Borrowed(d)),
        },
    ))
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
pub(crate) fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || b >= 0x80
}

// Dot-string = Atom *("." Atom)
fn dot_string(i: &[u8]) -> R<'_, &[u8]> {
    let (mut rest, _) = take_while1(is_atext)(i)?;
    while rest.first() == Some(&b'.') {
        let (r, _) = take_while1(is_atext)(&rest[1..])?;
        rest = r;
    }
    Ok((rest, &i[..i.len() - rest.len()]))
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
    let mut n = 0;
    let mut label_len = 0;
    let mut prev = b'.';
    while let Some(&b) = i.get(n) {
        if b.is_ascii_alphanumeric() || b >= 0x80 || (b == b'-' && label_len > 0) {
            label_len += 1;
        } else if b == b'.' && label_len > 0 && prev != b'-' {
            label_len = 0;
        } else {
            break;
        }
        prev = b;
        n += 1;
    }
    if n == 0 || label_len == 0 || prev == b'-' {
        return fail(i, "domain");
    }
    match src.s(&i[..n]) {
        Some(s) => Ok((&i[n..], s)),
        None => fail(i, "UTF-8 domain"),
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
        match v6.parse() {
            Ok(a) => Host::Ipv6(a),
            Err(_) => return fail(i, "IPv6 address"),
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
        // IPv4-address-literal = Snum 3("."  Snum)
        match s.parse() {
            Ok(a) if s.split('.').all(|p| p.len() <= 3) => Host::Ipv4(a),
            _ => return fail(i, "IPv4 address"),
        }
    };
    Ok((rest, h))
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

fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        if d.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

// String = Atom / Quoted-string  (taken leniently: the rest of the line, UTF-8)
fn string_arg<'a>(src: Src<'a>, args: &'a [u8]) -> R<'a, Cow<'a, str>> {
    let trimmed = trim_end(args);
    if trimmed.is_empty() {
        return fail(args, "argument");
    }
    text_arg(src, trimmed)
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|&&c| c == b' ').count();
    &b[..b.len() - n]
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
    let (rest, mech) = expect(
        take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "SASL mechanism",
    )
    .parse(args)?;
    if mech.len() > 20 {
        return fail(args, "SASL mechanism of at most 20 characters");
    }
    let mechanism = Cow::Borrowed(src.s(mech).unwrap_or_default());
    let rest = trim_end(rest);
    let initial_response = match rest.strip_prefix(b" ") {
        None if rest.is_empty() => None,
        None => return fail(rest, "SP before initial response"),
        Some(r) => {
            let (r2, ir) = take_while1(|b: u8| {
                b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
            })(r)?;
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
    validate_params(Src::from_str(raw), raw.as_bytes())
}

fn validate_params<'a>(src: Src<'a>, raw: &'a [u8]) -> Result<(), ParseError> {
    let mut pos = 0;
    for token in raw.split(|&b| b == b' ') {
        let at = pos;
        pos += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        let (kw, value) = split_param(token);
        if !kw.first().is_some_and(u8::is_ascii_alphanumeric)
            || !kw.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ParseError::new(raw, at, "esmtp-keyword"));
        }
        if let Some(v) = value {
            if v.is_empty()
                || !v
                    .iter()
                    .all(|&b| (33..=126).contains(&b) && b != b'=' || b >= 0x80)
            {
                return Err(ParseError::new(raw, at + kw.len() + 1, "esmtp-value"));
            }
        }
        if typed_parameter(src, kw, value).is_none() {
            return Err(ParseError::new(raw, at, "valid value for this parameter"));
        }
    }
    Ok(())
}

fn split_param(token: &[u8]) -> (&[u8], Option<&[u8]>) {
    match token.iter().position(|&b| b == b'=') {
        Some(i) => (&token[..i], Some(&token[i + 1..])),
        None => (token, None),
    }
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
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        if b == b'+' {
            let hex =
                |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c));
            if !hex(v.get(i + 1)) || !hex(v.get(i + 2)) {
                return None;
            }
            i += 3;
        } else if (33..=126).contains(&b) && b != b'=' || b >= 0x80 {
            // UTF-8 is allowed in utf-8-addr-xtext (RFC 6533 §3)
            i += 1;
        } else {
            return None;
        }
    }
    src.cow(v).map(XText)
}

fn typed_parameter<'a>(
    src: Src<'a>,
    kw: &'a [u8],
    value: Option<&'a [u8]>,
) -> Option<Parameter<'a>> {
    let s = |b: &'a [u8]| src.cow(b);
    let k = |name: &[u8]| kw.eq_ignore_ascii_case(name);
    let upper = |v: &[u8], name: &[u8]| v.eq_ignore_ascii_case(name);
    Some(match (kw.len(), value) {
        (4, Some(v)) if k(b"SIZE") => Parameter::Size(number(v)?),
        (4, Some(v)) if k(b"BODY") => Parameter::Body(if upper(v, b"7BIT") {
            Body::SevenBit
        } else if upper(v, b"8BITMIME") {
            Body::EightBitMime
        } else if upper(v, b"BINARYMIME") {
            Body::BinaryMime
        } else {
            return None;
        }),
        (8, None) if k(b"SMTPUTF8") => Parameter::SmtpUtf8,
        (3, Some(v)) if k(b"RET") => Parameter::Ret(if upper(v, b"FULL") {
            Ret::Full
        } else if upper(v, b"HDRS") {
            Ret::Hdrs
        } else {
            return None;
        }),
        (5, Some(v)) if k(b"ENVID") => Parameter::EnvId(xtext(src, v)?),
        // notify-esmtp-value = "NEVER" / 1#notify-list-element
        (6, Some(v)) if k(b"NOTIFY") => {
            if upper(v, b"NEVER") {
                Parameter::Notify(Notify::NEVER)
            } else {
                let mut n = Notify::default();
                for el in v.split(|&b| b == b',') {
                    let flag = if upper(el, b"SUCCESS") {
                        &mut n.success
                    } else if upper(el, b"FAILURE") {
                        &mut n.failure
                    } else if upper(el, b"DELAY") {
                        &mut n.delay
                    } else {
                        return None;
                    };
                    *flag = true;
                }
                Parameter::Notify(n)
            }
        }
        // orcpt-parameter = "ORCPT=" original-recipient-address
        // original-recipient-address = addr-type ";" xtext
        (5, Some(v)) if k(b"ORCPT") => {
            let semi = memchr::memchr(b';', v)?;
            let t = &v[..semi];
            if t.is_empty() || !t.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
                return None;
            }
            Parameter::Orcpt {
                addr_type: s(t)?,
                address: xtext(src, &v[semi + 1..])?,
            }
        }
        // auth-param = "AUTH=" xtext / "AUTH=<>"
        (4, Some(v)) if k(b"AUTH") => {
            if v == b"<>" {
                Parameter::Auth(XText(Cow::Borrowed("<>")))
            } else {
                Parameter::Auth(xtext(src, v)?)
            }
        }
        (10, None) if k(b"REQUIRETLS") => Parameter::RequireTls,
        // priority-value = [ "-" / "+" ] DIGIT  (range -9..9)
        (11, Some(v)) if k(b"MT-PRIORITY") => {
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
        (7, Some(v)) if k(b"HOLDFOR") => Parameter::HoldFor(number(v)?),
        (9, Some(v)) if k(b"HOLDUNTIL") => {
            if !v.iter().all(|b| b.is_ascii_graphic()) {
                return None;
            }
            Parameter::HoldUntil(s(v)?)
        }
        // by-value = by-time ";" by-mode [ by-trace ]
        // by-time = ["-" / "+"]1*9digit ; by-mode = "N" / "R" ; by-trace = "T"
        (2, Some(v)) if k(b"BY") => {
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
        _ => {
            // Known keywords with a missing or extra value are invalid.
            const KNOWN: [&[u8]; 13] = [
                b"SIZE",
                b"BODY",
                b"SMTPUTF8",
                b"RET",
                b"ENVID",
                b"NOTIFY",
                b"ORCPT",
                b"AUTH",
                b"REQUIRETLS",
                b"MT-PRIORITY",
                b"HOLDFOR",
                b"HOLDUNTIL",
                b"BY",
            ];
            if KNOWN.iter().any(|n| k(n)) {
                return None;
            }
            Parameter::Other {
                keyword: s(kw)?,
                value: match value {
                    Some(v) => Some(s(v)?),
                    None => None,
                },
            }
        }
    })
}
