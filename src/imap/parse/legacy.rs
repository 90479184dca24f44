//! The cursor versions of the core rules, for the rule files not yet ported
//! to nom (removed when the port is complete; [`super::core`] is the grammar).
#![allow(dead_code)]

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::{PResult, Parser, find_any};
use crate::imap::types::core::{
    Atom, Date, DateTime, Flag, IString, List, Mailbox, Sep, SequenceSet, Tag, class,
    valid_sequence_set,
};

fn digits<'a>(p: &mut Parser<'a>) -> &'a [u8] {
    p.take_while(|b| b.is_ascii_digit())
}

fn fold(d: &[u8]) -> Option<u64> {
    d.iter().try_fold(0u64, |a, &c| {
        a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// `number = 1*DIGIT ; unsigned 32-bit integer`
///
/// Under [`Quirks::numbers_out_of_range`](super::Quirks) a larger value
/// saturates at `u32::MAX`.
pub(crate) fn number(p: &mut Parser<'_>) -> PResult<u32> {
    let start = p.pos;
    let d = digits(p);
    if d.is_empty() {
        return p.err("number");
    }
    match fold(d).map(u32::try_from) {
        Some(Ok(v)) => Ok(v),
        _ if p.q.numbers_out_of_range => Ok(u32::MAX),
        _ => {
            p.pos = start;
            p.err("number below 2^32")
        }
    }
}

/// `nz-number = digit-nz *DIGIT ; non-zero unsigned 32-bit integer`
pub(crate) fn nz_number(p: &mut Parser<'_>) -> PResult<u32> {
    let start = p.pos;
    let v = number(p)?;
    if v == 0 {
        p.pos = start;
        return p.err("non-zero number");
    }
    Ok(v)
}

/// `number64 = 1*DIGIT ; unsigned 63-bit integer` (RFC 9051, RFC 7162 mod-sequence-value)
pub(crate) fn number64(p: &mut Parser<'_>) -> PResult<u64> {
    let start = p.pos;
    let d = digits(p);
    match fold(d) {
        Some(v) if !d.is_empty() && v <= i64::MAX as u64 => Ok(v),
        _ => {
            p.pos = start;
            p.err("63-bit number")
        }
    }
}

/// `atom = 1*ATOM-CHAR`
pub(crate) fn atom<'a>(p: &mut Parser<'a>) -> PResult<Atom<'a>> {
    let a = p.take_while(|b| class::is(b, class::ATOM));
    if a.is_empty() {
        return p.err("atom");
    }
    // ATOM-CHAR is ASCII, so this cannot fail
    match core::str::from_utf8(a) {
        Ok(s) => Ok(Atom::borrowed_unchecked(s)),
        Err(_) => p.err("atom"),
    }
}

/// An atom as `&str` (for names compared case-insensitively).
pub(crate) fn atom_str<'a>(p: &mut Parser<'a>) -> PResult<&'a str> {
    let a = p.take_while(|b| class::is(b, class::ATOM));
    match core::str::from_utf8(a) {
        Ok(s) if !s.is_empty() => Ok(s),
        _ => p.err("atom"),
    }
}

/// `tag = 1*<any ASTRING-CHAR except "+">`
pub(crate) fn tag<'a>(p: &mut Parser<'a>) -> PResult<Tag<'a>> {
    let t = p.take_while(|b| class::is(b, class::TAG));
    match core::str::from_utf8(t) {
        Ok(s) if !s.is_empty() => Ok(Tag::borrowed_unchecked(s)),
        _ => p.err("tag"),
    }
}

/// `nil = "NIL"`
#[inline]
pub(crate) fn nil(p: &mut Parser<'_>) -> bool {
    matches!(p.peek(), Some(b'N' | b'n')) && p.word(b"NIL")
}

/// ```text
/// quoted          = DQUOTE *QUOTED-CHAR DQUOTE
/// QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
/// ```
/// 8-bit tolerant: any byte but CR, LF and NUL is content (RFC 6855 allows
/// UTF-8, and servers send Latin-1). Borrowed unless escapes are present.
pub(crate) fn quoted<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    p.expect(b'"', "'\"'")?;
    let start = p.pos;
    let rest = p.rest();
    // bytes that end a run of plain QUOTED-CHARs; bytes validated before
    // (a list being iterated) hold no CR, LF or NUL inside a string
    let trusted = p.trusted;
    let stop = |r: &[u8]| {
        if trusted {
            find_any(r, [b'"', b'\\'])
        } else {
            find_any(r, [b'"', b'\\', b'\r', b'\n', 0])
        }
    };
    let mut owned: Option<Vec<u8>> = None;
    let mut seg = 0; // start of the not yet copied run, relative to rest
    let mut i = 0;
    loop {
        let Some(j) = stop(&rest[i..]).map(|j| j + i) else {
            p.pos = p.input.len();
            return p.err("closing '\"'");
        };
        match rest[j] {
            b'"' => {
                p.pos = start + j + 1;
                let value = match owned {
                    None => Cow::Borrowed(&rest[..j]),
                    Some(mut v) => {
                        v.extend_from_slice(&rest[seg..j]);
                        Cow::Owned(v)
                    }
                };
                return Ok(IString(value));
            }
            b'\\' => {}
            _ => {
                p.pos = start + j;
                return p.err("QUOTED-CHAR");
            }
        }
        match rest.get(j + 1) {
            Some(b'"' | b'\\') => {
                if !p.discard {
                    let v = owned.get_or_insert_with(|| Vec::with_capacity(j + 16));
                    v.extend_from_slice(&rest[seg..j]);
                }
                seg = j + 1; // keep the escaped character
                i = j + 2;
            }
            Some(b'\r' | b'\n' | 0) | None => {
                p.pos = start + j;
                return p.err("quoted-specials after '\\'");
            }
            Some(_) if p.q.lone_backslash => i = j + 1,
            Some(_) => {
                p.pos = start + j;
                return p.err("quoted-specials after '\\'");
            }
        }
    }
}

/// The `{n}` CRLF header of a literal, with an optional `~` (literal8) and
/// `+`/`-` (RFC 7888). Returns the size and whether it was literal8.
fn literal_header(p: &mut Parser<'_>) -> PResult<(usize, bool)> {
    let binary = p.eat(b'~');
    p.expect(b'{', "'{'")?;
    let start = p.pos;
    let d = digits(p);
    let Some(n) = fold(d).filter(|_| !d.is_empty()) else {
        p.pos = start;
        return p.err("literal size");
    };
    if !p.eat(b'+') {
        p.eat(b'-');
    }
    p.expect(b'}', "'}'")?;
    if !(p.keyword(b"\r\n") || (p.q.bare_lf && p.eat(b'\n'))) {
        return p.err("CRLF after literal size");
    }
    match usize::try_from(n) {
        Ok(n) if p.input.len() - p.pos >= n => Ok((n, binary)),
        _ => p.err("literal data"),
    }
}

/// ```text
/// literal  = "{" number64 ["+"] "}" CRLF *CHAR8
/// literal8 = "~{" number64 "}" CRLF *OCTET
/// ```
/// Returns the data (borrowed) and whether it was a literal8.
pub(crate) fn literal<'a>(p: &mut Parser<'a>) -> PResult<(&'a [u8], bool)> {
    let (n, binary) = literal_header(p)?;
    let data = &p.input[p.pos..p.pos + n];
    p.pos += n;
    Ok((data, binary))
}

fn starts_literal(p: &Parser<'_>) -> bool {
    p.peek() == Some(b'{') || (p.peek() == Some(b'~') && p.peek_at(1) == Some(b'{'))
}

/// `string = quoted / literal`
pub(crate) fn string<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    match p.peek() {
        Some(b'"') => quoted(p),
        Some(b'{') | Some(b'~') if starts_literal(p) => {
            let (d, _) = literal(p)?;
            Ok(IString(Cow::Borrowed(d)))
        }
        _ => p.err("string"),
    }
}

/// `astring = 1*ASTRING-CHAR / string`
pub(crate) fn astring<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    match p.peek() {
        Some(b'"' | b'{') => string(p),
        Some(b'~') if starts_literal(p) => string(p),
        _ => {
            let a = p.take_while(|b| class::is(b, class::ASTRING));
            if a.is_empty() {
                return p.err("astring");
            }
            Ok(IString(Cow::Borrowed(a)))
        }
    }
}

/// `nstring = string / nil`
pub(crate) fn nstring<'a>(p: &mut Parser<'a>) -> PResult<Option<IString<'a>>> {
    if nil(p) {
        Ok(None)
    } else {
        string(p).map(Some)
    }
}

/// After an opening `(`: `elem *(SP elem) ")"` (or just `)` when
/// `empty_ok`), as a lazy [`List`] of the elements.
pub(crate) fn paren_list_tail<'a, T>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<T>,
    empty_ok: bool,
) -> PResult<List<'a, T>> {
    let s = p.pos;
    if p.peek() == Some(b')') {
        if !empty_ok {
            return p.err("list element");
        }
    } else {
        loop {
            p.validate(elem)?;
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
    }
    let raw = &p.input[s..p.pos];
    p.pos += 1;
    Ok(List::wire(raw, elem, Sep::Space, p.ctx()))
}

/// `"(" elem *(SP elem) ")"` (or `()` when `empty_ok`), as a lazy [`List`].
pub(crate) fn paren_list<'a, T>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<T>,
    empty_ok: bool,
) -> PResult<List<'a, T>> {
    p.expect(b'(', "'('")?;
    paren_list_tail(p, elem, empty_ok)
}

/// `mailbox = "INBOX" / astring ; INBOX is case-insensitive`
pub(crate) fn mailbox<'a>(p: &mut Parser<'a>) -> PResult<Mailbox<'a>> {
    let name = astring(p)?;
    Ok(if p.utf8 {
        Mailbox::from_wire_utf8(name)
    } else {
        Mailbox::from_wire(name)
    })
}

/// `list-mailbox = 1*list-char / string`
pub(crate) fn list_mailbox<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    match p.peek() {
        Some(b'"' | b'{') => string(p),
        Some(b'~') if starts_literal(p) => string(p),
        _ => {
            let a = p.take_while(|b| class::is(b, class::LIST));
            if a.is_empty() {
                return p.err("list-mailbox");
            }
            Ok(IString(Cow::Borrowed(a)))
        }
    }
}

/// ```text
/// flag         = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
/// flag-fetch   = flag / "\Recent"
/// flag-perm    = flag / "\*"
/// flag-keyword = "$MDNSent" / "$Forwarded" / ... / atom
/// flag-extension = "\" atom
/// ```
/// One parser for all three; `\*` is accepted here and rejected by the
/// callers where it is not allowed.
pub(crate) fn flag<'a>(p: &mut Parser<'a>) -> PResult<Flag<'a>> {
    if p.eat(b'\\') {
        if p.eat(b'*') {
            return Ok(Flag::Wildcard);
        }
        let a = atom(p)?;
        let s = a.as_str();
        let f = if s.eq_ignore_ascii_case("Answered") {
            Flag::Answered
        } else if s.eq_ignore_ascii_case("Flagged") {
            Flag::Flagged
        } else if s.eq_ignore_ascii_case("Deleted") {
            Flag::Deleted
        } else if s.eq_ignore_ascii_case("Seen") {
            Flag::Seen
        } else if s.eq_ignore_ascii_case("Draft") {
            Flag::Draft
        } else if s.eq_ignore_ascii_case("Recent") {
            Flag::Recent
        } else {
            Flag::Extension(a)
        };
        Ok(f)
    } else {
        atom(p).map(Flag::Keyword)
    }
}

/// `flag` without `\*` unless [`Quirks::wildcard_in_flags`](super::Quirks).
pub(crate) fn flag_no_wildcard<'a>(p: &mut Parser<'a>) -> PResult<Flag<'a>> {
    let start = p.pos;
    let f = flag(p)?;
    if f == Flag::Wildcard && !p.q.wildcard_in_flags {
        p.pos = start;
        return p.err("flag (\\* only in PERMANENTFLAGS)");
    }
    Ok(f)
}

/// `flag-list = "(" [flag *(SP flag)] ")"` (also `flag-fetch` and
/// `flag-perm` lists), validated and returned as a lazy [`List`].
pub(crate) fn flag_list_with<'a>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<Flag<'a>>,
) -> PResult<List<'a, Flag<'a>>> {
    if p.trusted {
        let raw = p.skip_parens()?;
        let raw = raw.strip_suffix(b" ").unwrap_or(raw);
        return Ok(List::wire(raw, elem, Sep::Space, p.ctx()));
    }
    p.expect(b'(', "'('")?;
    let start = p.pos;
    let mut end = p.pos;
    if p.peek() != Some(b')') {
        loop {
            p.validate(elem)?;
            end = p.pos;
            p.space_before_close(p.q.flag_list_space);
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
    }
    p.expect(b')', "')'")?;
    Ok(List::wire(&p.input[start..end], elem, Sep::Space, p.ctx()))
}

/// `flag-list` of `flag-fetch` (FETCH FLAGS, FLAGS response).
pub(crate) fn flag_list<'a>(p: &mut Parser<'a>) -> PResult<List<'a, Flag<'a>>> {
    flag_list_with(p, flag_no_wildcard)
}

/// `sequence-set` (also `uid-set` and `seq-last-command` `$`, RFC 5182)
pub(crate) fn sequence_set<'a>(p: &mut Parser<'a>) -> PResult<SequenceSet<'a>> {
    let s = p.take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$'));
    match core::str::from_utf8(s) {
        Ok(st) if valid_sequence_set(s) => Ok(SequenceSet::borrowed_unchecked(st)),
        _ => {
            p.pos -= s.len();
            p.err("sequence-set")
        }
    }
}

fn two_digits(p: &mut Parser<'_>) -> PResult<u8> {
    match (p.peek(), p.peek_at(1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => {
            p.pos += 2;
            Ok((a - b'0') * 10 + (b - b'0'))
        }
        _ => p.err("2DIGIT"),
    }
}

/// `date-month = "Jan" / "Feb" / ... / "Dec"`
fn date_month(p: &mut Parser<'_>) -> PResult<u8> {
    for (i, m) in crate::imap::types::core::MONTHS.iter().enumerate() {
        if p.keyword(m.as_bytes()) {
            return Ok(i as u8 + 1);
        }
    }
    p.err("date-month")
}

fn year(p: &mut Parser<'_>) -> PResult<u16> {
    let hi = two_digits(p)?;
    let lo = two_digits(p)?;
    Ok(u16::from(hi) * 100 + u16::from(lo))
}

/// `date-text = date-day "-" date-month "-" date-year` with
/// `date = date-text / DQUOTE date-text DQUOTE`
pub(crate) fn date(p: &mut Parser<'_>) -> PResult<Date> {
    let q = p.eat(b'"');
    let d = digits(p);
    let day = match d {
        [a] => a - b'0',
        [a, b] => (a - b'0') * 10 + (b - b'0'),
        _ => return p.err("date-day"),
    };
    p.expect(b'-', "'-'")?;
    let month = date_month(p)?;
    p.expect(b'-', "'-'")?;
    let y = year(p)?;
    if q {
        p.expect(b'"', "'\"'")?;
    }
    match Date::new(y, month, day) {
        Some(d) => Ok(d),
        None => p.err("valid date"),
    }
}

/// ```text
/// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone = ("+" / "-") 4DIGIT
/// ```
pub(crate) fn date_time(p: &mut Parser<'_>) -> PResult<DateTime> {
    p.expect(b'"', "'\"'")?;
    let day = if p.eat(b' ') {
        match p.peek() {
            Some(c @ b'0'..=b'9') => {
                p.pos += 1;
                c - b'0'
            }
            _ => return p.err("DIGIT"),
        }
    } else {
        two_digits(p)?
    };
    p.expect(b'-', "'-'")?;
    let month = date_month(p)?;
    p.expect(b'-', "'-'")?;
    let y = year(p)?;
    p.sp()?;
    let hour = two_digits(p)?;
    p.expect(b':', "':'")?;
    let minute = two_digits(p)?;
    p.expect(b':', "':'")?;
    let second = two_digits(p)?;
    p.sp()?;
    let sign: i16 = if p.eat(b'+') {
        1
    } else if p.eat(b'-') {
        -1
    } else {
        return p.err("zone");
    };
    let zh = two_digits(p)?;
    let zm = two_digits(p)?;
    p.expect(b'"', "'\"'")?;
    let zone = sign * (i16::from(zh) * 60 + i16::from(zm));
    match Date::new(y, month, day).and_then(|d| DateTime::new(d, hour, minute, second, zone)) {
        Some(dt) => Ok(dt),
        None => p.err("valid date-time"),
    }
}

/// `text = 1*TEXT-CHAR`, 8-bit tolerant: the rest of the line up to CRLF
/// (any byte but CR, LF and NUL).
pub(crate) fn text<'a>(p: &mut Parser<'a>) -> PResult<&'a [u8]> {
    let rest = p.rest();
    let n = memchr::memchr3(b'\r', b'\n', 0, rest).unwrap_or(rest.len());
    if rest.get(n) == Some(&0) {
        p.pos += n;
        return p.err("TEXT-CHAR");
    }
    p.pos += n;
    Ok(&rest[..n])
}

/// Any value of the generic grammar, skipped and returned raw: an atom-like
/// token (incl. `[...]` sections and `<n>`), a number, a string, NIL or a
/// parenthesised list of such, nested at most the depth budget. Used for
/// unknown FETCH items, response codes and extension data.
pub(crate) fn skip_value<'a>(p: &mut Parser<'a>) -> PResult<&'a [u8]> {
    let start = p.pos;
    match p.peek() {
        Some(b'"') => {
            quoted(p)?;
        }
        Some(b'{') | Some(b'~') if starts_literal(p) => {
            literal(p)?;
        }
        Some(b'(') => {
            p.enter()?;
            p.pos += 1;
            loop {
                p.skip_spaces();
                if p.eat(b')') {
                    break;
                }
                if p.is_empty() || matches!(p.peek(), Some(b'\r' | b'\n')) {
                    return p.err("')'");
                }
                skip_value(p)?;
            }
            p.leave();
        }
        _ => {
            // atom-ish token, possibly with a bracketed section
            let mut n = 0;
            loop {
                let t = p.take_while(|b| {
                    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'"' | b'[' | b'{')
                });
                n += t.len();
                if p.peek() == Some(b'[') {
                    p.enter()?;
                    p.pos += 1;
                    n += 1;
                    let depth_start = p.pos;
                    let mut level = 1usize;
                    while level > 0 {
                        match p.peek() {
                            Some(b'[') => level += 1,
                            Some(b']') => level -= 1,
                            Some(b'\r' | b'\n') | None => return p.err("']'"),
                            _ => {}
                        }
                        p.pos += 1;
                    }
                    n += p.pos - depth_start;
                    p.leave();
                    continue;
                }
                break;
            }
            if n == 0 {
                return p.err("value");
            }
        }
    }
    Ok(&p.input[start..p.pos])
}
