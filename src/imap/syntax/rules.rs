//! Core rules (RFC 9051 §9, RFC 3501 §9, RFC 7888, RFC 3516, RFC 7162):
//! numbers, atoms, strings and literals, mailbox names, flags, sequence sets,
//! dates. Each is a nom parser over `In`.

use crate::imap::syntax::input::after_word;
use crate::imap::syntax::options::{ParseOptions, Quirks};
use alloc::borrow::Cow;
use alloc::vec::Vec;

use nom::Parser as _;
use nom::branch::alt;
use nom::combinator::{map, opt, value};
use nom::sequence::{delimited, preceded};

use crate::imap::syntax::core::{
    Atom, Date, DateTime, Flag, IString, List, Mailbox, Sep, SequenceSet, Tag, class,
};
use crate::imap::syntax::input::{
    In, PError, R, byte, consumed, descend, eat, expect, nest, sp, take_while, validate, word,
};
use crate::imap::syntax::input::{find_any, find_quoted_stop};

/// The type of element parsers given to lazy lists.
pub(crate) type Elem<'a, T> = fn(In<'a>) -> R<'a, T>;

#[inline(always)]
fn digits(i: In<'_>) -> (In<'_>, &[u8]) {
    take_while(i, |b| b.is_ascii_digit())
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
pub(crate) fn number(i: In<'_>) -> R<'_, u32> {
    let (rest, d) = digits(i);
    if d.is_empty() {
        return i.err("number");
    }
    match fold(d).map(u32::try_from) {
        Some(Ok(v)) => Ok((rest, v)),
        _ if i.q().numbers_out_of_range => Ok((rest, u32::MAX)),
        _ => i.err("number below 2^32"),
    }
}

/// `nz-number = digit-nz *DIGIT ; non-zero unsigned 32-bit integer`
pub(crate) fn nz_number(i: In<'_>) -> R<'_, u32> {
    match number(i)? {
        (_, 0) => i.err("non-zero number"),
        ok => Ok(ok),
    }
}

/// `number64 = 1*DIGIT ; unsigned 63-bit integer` (RFC 9051, RFC 7162 mod-sequence-value)
pub(crate) fn number64(i: In<'_>) -> R<'_, u64> {
    let (rest, d) = digits(i);
    match fold(d) {
        Some(v) if !d.is_empty() && v <= i64::MAX as u64 => Ok((rest, v)),
        _ => i.err("63-bit number"),
    }
}

/// `atom = 1*ATOM-CHAR`
pub(crate) fn atom(i: In<'_>) -> R<'_, Atom<'_>> {
    map(atom_str, Atom::borrowed_unchecked).parse(i)
}

/// An atom as `&str` (for names compared case-insensitively).
pub(crate) fn atom_str(i: In<'_>) -> R<'_, &str> {
    let (rest, a) = take_while(i, |b| class::is(b, class::ATOM));
    // ATOM-CHAR is ASCII, so from_utf8 cannot fail
    match core::str::from_utf8(a) {
        Ok(s) if !s.is_empty() => Ok((rest, s)),
        _ => i.err("atom"),
    }
}

/// `tag = 1*<any ASTRING-CHAR except "+">`
pub(crate) fn tag(i: In<'_>) -> R<'_, Tag<'_>> {
    let (rest, t) = take_while(i, |b| class::is(b, class::TAG));
    match core::str::from_utf8(t) {
        Ok(s) if !s.is_empty() => Ok((rest, Tag::borrowed_unchecked(s))),
        _ => i.err("tag"),
    }
}

/// `nil = "NIL"`
#[inline]
pub(crate) fn nil(i: In<'_>) -> R<'_, ()> {
    if matches!(i.peek(), Some(b'N' | b'n')) {
        word(b"NIL")(i)
    } else {
        i.err("NIL")
    }
}

/// `NIL` if it comes next: `(rest, true)`, else the input unchanged.
#[inline]
pub(crate) fn is_nil(i: In<'_>) -> (In<'_>, bool) {
    match nil(i) {
        Ok((rest, ())) => (rest, true),
        Err(_) => (i, false),
    }
}

/// ```text
/// quoted          = DQUOTE *QUOTED-CHAR DQUOTE
/// QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
/// ```
/// 8-bit tolerant: any byte but CR, LF and NUL is content (RFC 6855 allows
/// UTF-8, and servers send Latin-1). Borrowed unless escapes are present.
/// After the opening quote the rule is committed: errors are failures.
#[inline(always)]
pub(crate) fn quoted(i: In<'_>) -> R<'_, IString<'_>> {
    let (i, ()) = byte(b'"', "'\"'")(i)?;
    let rest = i.rest;
    // the common case, a string without escapes, in a small frame of its
    // own; escapes and errors are left to `quoted_rest`
    let stop = if i.st.trusted {
        find_any(rest, [b'"', b'\\'])
    } else {
        find_quoted_stop(rest)
    };
    match stop {
        Some(j) if rest[j] == b'"' => Ok((i.skip(j + 1), IString(Cow::Borrowed(&rest[..j])))),
        _ => quoted_rest(i),
    }
}

/// [`quoted`] after its opening quote, when the string holds an escape or
/// does not end well.
#[cold]
#[inline(never)]
fn quoted_rest(i: In<'_>) -> R<'_, IString<'_>> {
    let rest = i.rest;
    // bytes that end a run of plain QUOTED-CHARs; bytes validated before
    // (a list being iterated) hold no CR, LF or NUL inside a string
    let trusted = i.st.trusted;
    let stop = |r: &[u8]| {
        if trusted {
            find_any(r, [b'"', b'\\'])
        } else {
            find_any(r, [b'"', b'\\', b'\r', b'\n', 0])
        }
    };
    let mut owned: Option<Vec<u8>> = None;
    let mut seg = 0; // start of the not yet copied run, relative to rest
    let mut k = 0;
    loop {
        let Some(j) = stop(&rest[k..]).map(|j| j + k) else {
            return i.to_end().fail("closing '\"'");
        };
        match rest[j] {
            b'"' => {
                let value = match owned {
                    None => Cow::Borrowed(&rest[..j]),
                    Some(mut v) => {
                        v.extend_from_slice(&rest[seg..j]);
                        Cow::Owned(v)
                    }
                };
                return Ok((i.skip(j + 1), IString(value)));
            }
            b'\\' => {}
            _ => return i.skip(j).fail("QUOTED-CHAR"),
        }
        match rest.get(j + 1) {
            Some(b'"' | b'\\') => {
                if !i.st.discard {
                    let v = owned.get_or_insert_with(|| Vec::with_capacity(j + 16));
                    v.extend_from_slice(&rest[seg..j]);
                }
                seg = j + 1; // keep the escaped character
                k = j + 2;
            }
            Some(_) if i.q().lone_backslash && !matches!(rest[j + 1], b'\r' | b'\n' | 0) => {
                k = j + 1
            }
            _ => return i.skip(j).fail("quoted-specials after '\\'"),
        }
    }
}

/// The `{n}` CRLF header of a literal, with an optional `~` (literal8) and
/// `+`/`-` (RFC 7888). Returns the size and whether it was literal8.
fn literal_header(i: In<'_>) -> R<'_, (usize, bool)> {
    let (i, binary) = eat(b'~')(i)?;
    let (i, ()) = byte(b'{', "'{'")(i)?;
    let (after, d) = digits(i);
    let Some(n) = fold(d).filter(|_| !d.is_empty()) else {
        return i.fail("literal size");
    };
    let (i, _) = opt(alt((byte(b'+', "'+'"), byte(b'-', "'-'")))).parse(after)?;
    let (i, ()) = byte(b'}', "'}'")(i).map_err(cut_err)?;
    let i = match i.rest {
        [b'\r', b'\n', ..] => i.skip(2),
        [b'\n', ..] if i.q().bare_lf => i.skip(1),
        _ => return i.fail("CRLF after literal size"),
    };
    match usize::try_from(n) {
        Ok(n) if i.rest.len() >= n => Ok((i, (n, binary))),
        _ => i.fail("literal data"),
    }
}

/// An error turned into a failure (nom's `cut` for one step).
#[inline]
pub(crate) fn cut_err(e: nom::Err<PError>) -> nom::Err<PError> {
    match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        e => e,
    }
}

/// ```text
/// literal  = "{" number64 ["+"] "}" CRLF *CHAR8
/// literal8 = "~{" number64 "}" CRLF *OCTET
/// ```
/// Returns the data (borrowed) and whether it was a literal8.
pub(crate) fn literal(i: In<'_>) -> R<'_, (&[u8], bool)> {
    let (i, (n, binary)) = literal_header(i)?;
    let (i, data) = i.split(n);
    Ok((i, (data, binary)))
}

#[inline]
fn starts_literal(i: &In<'_>) -> bool {
    i.peek() == Some(b'{') || (i.peek() == Some(b'~') && i.peek_at(1) == Some(b'{'))
}

/// `string = quoted / literal`
#[inline]
pub(crate) fn string(i: In<'_>) -> R<'_, IString<'_>> {
    match i.peek() {
        Some(b'"') => quoted(i),
        Some(b'{' | b'~') if starts_literal(&i) => {
            map(literal, |(d, _)| IString(Cow::Borrowed(d))).parse(i)
        }
        _ => i.err("string"),
    }
}

/// `1*ASTRING-CHAR`-like runs of the byte class `c`, or a string.
#[inline]
fn chars_or_string<'a>(i: In<'a>, c: u8, what: &'static str) -> R<'a, IString<'a>> {
    if i.peek() == Some(b'"') || starts_literal(&i) {
        return string(i);
    }
    let (rest, a) = take_while(i, |b| class::is(b, c));
    if a.is_empty() {
        return i.err(what);
    }
    Ok((rest, IString(Cow::Borrowed(a))))
}

/// `astring = 1*ASTRING-CHAR / string`
pub(crate) fn astring(i: In<'_>) -> R<'_, IString<'_>> {
    chars_or_string(i, class::ASTRING, "astring")
}

/// [`astring`] validated, not built: the run of ASTRING-CHARs is measured in
/// place; a string (or an error) goes to the rule.
#[inline(always)]
pub(crate) fn astring_check(i: In<'_>) -> R<'_, ()> {
    if i.peek() != Some(b'~') {
        let n = class::run(i.rest, class::ASTRING);
        if n > 0 {
            return Ok((i.skip(n), ()));
        }
    }
    validate(astring)(i)
}

/// `nstring = string / nil`
#[inline]
pub(crate) fn nstring(i: In<'_>) -> R<'_, Option<IString<'_>>> {
    match i.peek() {
        Some(b'"') => quoted(i).map(|(i, s)| (i, Some(s))),
        Some(b'N' | b'n') => match nil(i) {
            Ok((rest, ())) => Ok((rest, None)),
            Err(_) => i.err("string"),
        },
        _ => string(i).map(|(i, s)| (i, Some(s))),
    }
}

/// `*(SP elem)` up to the end of the line (a trailing space tolerated under
/// [`Quirks::trailing_space`](super::Quirks)).
pub(crate) fn zero_or_more<'a, T>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    let trailing_space = i.q().trailing_space;
    let start = i;
    let mut i = i;
    let mut end = i;
    while i.peek() == Some(b' ') {
        if trailing_space && matches!(i.peek_at(1), Some(b'\r' | b'\n')) {
            i = i.skip(1);
            break;
        }
        (i, ()) = validate(elem)(i.skip(1))?;
        end = i;
    }
    let raw = start.upto(&end).get(1..).unwrap_or_default();
    Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// After an opening `(`: `elem *(SP elem) ")"` (or just `)` when
/// `empty_ok`), as a lazy [`List`] of the elements.
pub(crate) fn paren_list_tail<'a, T>(
    i: In<'a>,
    elem: Elem<'a, T>,
    empty_ok: bool,
) -> R<'a, List<'a, T>> {
    paren_list_tail_checked(i, elem, validate(elem), empty_ok)
}

/// [`paren_list_tail`] with `check` validating each element: a rule that
/// accepts what `elem` accepts and stops where it stops, without building
/// the value (e.g. [`astring_check`]).
#[inline(always)]
pub(crate) fn paren_list_tail_checked<'a, T>(
    i: In<'a>,
    elem: Elem<'a, T>,
    mut check: impl FnMut(In<'a>) -> R<'a, ()>,
    empty_ok: bool,
) -> R<'a, List<'a, T>> {
    let start = i;
    let mut i = i;
    if i.peek() == Some(b')') {
        if !empty_ok {
            return i.err("list element");
        }
    } else {
        loop {
            (i, ()) = check(i)?;
            if i.peek() == Some(b')') {
                break;
            }
            (i, ()) = sp(i)?;
        }
    }
    let raw = start.upto(&i);
    Ok((i.skip(1), List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// `"(" elem *(SP elem) ")"` (or `()` when `empty_ok`), as a lazy [`List`].
pub(crate) fn paren_list<'a, T>(
    i: In<'a>,
    elem: Elem<'a, T>,
    empty_ok: bool,
) -> R<'a, List<'a, T>> {
    let (i, ()) = byte(b'(', "'('")(i)?;
    paren_list_tail(i, elem, empty_ok)
}

/// `*(SP elem)`: the elements validated, as a lazy [`List`] of what followed
/// the first SP (empty when no SP comes next).
pub(crate) fn spaced_list<'a, T>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    let start = i;
    let mut i = i;
    while i.peek() == Some(b' ') {
        (i, ()) = validate(elem)(i.skip(1))?;
    }
    let raw = start.upto(&i).get(1..).unwrap_or_default();
    Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// `1*(SP elem)`: [`spaced_list`] with at least one element, else an error
/// expecting `what`.
pub(crate) fn spaced_list1<'a, T>(
    i: In<'a>,
    elem: Elem<'a, T>,
    what: &'static str,
) -> R<'a, List<'a, T>> {
    match spaced_list(i, elem)? {
        (rest, _) if rest.rest.len() == i.rest.len() => i.err(what),
        ok => Ok(ok),
    }
}

/// `mailbox = "INBOX" / astring ; INBOX is case-insensitive`
pub(crate) fn mailbox(i: In<'_>) -> R<'_, Mailbox<'_>> {
    let utf8 = i.utf8();
    map(astring, move |name| {
        if utf8 {
            Mailbox::from_wire_utf8(name)
        } else {
            Mailbox::from_wire(name)
        }
    })
    .parse(i)
}

/// `list-mailbox = 1*list-char / string`
pub(crate) fn list_mailbox(i: In<'_>) -> R<'_, IString<'_>> {
    chars_or_string(i, class::LIST, "list-mailbox")
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
pub(crate) fn flag(i: In<'_>) -> R<'_, Flag<'_>> {
    if i.peek() != Some(b'\\') {
        return map(atom, Flag::Keyword).parse(i);
    }
    let i = i.skip(1);
    if i.peek() == Some(b'*') {
        return Ok((i.skip(1), Flag::Wildcard));
    }
    // the system flags are told by their bytes; only another name becomes an atom
    let (rest, name) = take_while(i, |b| class::is(b, class::ATOM));
    let mut buf = [0u8; 16];
    let f = match crate::imap::syntax::input::upcase_prefix(i.rest, name.len(), &mut buf) {
        b"ANSWERED" => Flag::Answered,
        b"FLAGGED" => Flag::Flagged,
        b"DELETED" => Flag::Deleted,
        b"SEEN" => Flag::Seen,
        b"DRAFT" => Flag::Draft,
        b"RECENT" => Flag::Recent,
        _ => return map(atom, Flag::Extension).parse(i),
    };
    Ok((rest, f))
}

/// `flag` without `\*` unless [`Quirks::wildcard_in_flags`](super::Quirks).
pub(crate) fn flag_no_wildcard(i: In<'_>) -> R<'_, Flag<'_>> {
    match flag(i)? {
        (_, Flag::Wildcard) if !i.q().wildcard_in_flags => {
            i.err("flag (\\* only in PERMANENTFLAGS)")
        }
        ok => Ok(ok),
    }
}

/// `flag-list = "(" [flag *(SP flag)] ")"` (also `flag-fetch` and
/// `flag-perm` lists), validated and returned as a lazy [`List`].
pub(crate) fn flag_list_with<'a>(i: In<'a>, elem: Elem<'a, Flag<'a>>) -> R<'a, List<'a, Flag<'a>>> {
    flag_list_checked(i, elem, validate(elem))
}

/// [`flag_list_with`], each element validated by `check` (a rule that
/// accepts what `elem` accepts and stops where it stops).
#[inline(always)]
fn flag_list_checked<'a>(
    i: In<'a>,
    elem: Elem<'a, Flag<'a>>,
    mut check: impl FnMut(In<'a>) -> R<'a, ()>,
) -> R<'a, List<'a, Flag<'a>>> {
    if i.st.trusted {
        let (i, raw) = skip_parens(i)?;
        let raw = raw.strip_suffix(b" ").unwrap_or(raw);
        return Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())));
    }
    let (mut i, ()) = byte(b'(', "'('")(i)?;
    let start = i;
    let mut end = i;
    if i.peek() != Some(b')') {
        loop {
            (i, ()) = check(i)?;
            end = i;
            i = crate::imap::syntax::input::space_before_close(i, i.q().flag_list_space);
            if i.peek() == Some(b')') {
                break;
            }
            (i, ()) = sp(i)?;
        }
    }
    let (i, ()) = byte(b')', "')'")(i)?;
    Ok((i, List::wire(start.upto(&end), elem, Sep::Space, i.ctx())))
}

/// `flag-list` of `flag-fetch` (FETCH FLAGS, FLAGS response).
pub(crate) fn flag_list(i: In<'_>) -> R<'_, List<'_, Flag<'_>>> {
    flag_list_checked(i, flag_no_wildcard, flag_no_wildcard_check)
}

/// [`flag_no_wildcard`] validated, not built: `["\"] 1*ATOM-CHAR` is
/// measured in place (a system flag, a keyword or an extension, all of which
/// the rule accepts up to the same byte); `\*` and errors go to the rule.
#[inline(always)]
fn flag_no_wildcard_check(i: In<'_>) -> R<'_, ()> {
    let lead = usize::from(i.peek() == Some(b'\\'));
    let n = class::run(&i.rest[lead..], class::ATOM);
    if n > 0 {
        return Ok((i.skip(lead + n), ()));
    }
    validate(flag_no_wildcard)(i)
}

/// `sequence-set` (also `uid-set` and `seq-last-command` `$`, RFC 5182)
pub(crate) fn sequence_set(i: In<'_>) -> R<'_, SequenceSet<'_>> {
    let (rest, s) = take_while(i, |b| {
        b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$')
    });
    if !is_sequence_set(s) {
        return i.err("sequence-set");
    }
    match core::str::from_utf8(s) {
        Ok(st) => Ok((rest, SequenceSet::borrowed_unchecked(st))),
        Err(_) => i.err("sequence-set"),
    }
}

/// Whether `s` is a `sequence-set` (or `$`), in one pass:
///
/// ```text
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
/// seq-range    = seq-number ":" seq-number
/// seq-number   = nz-number / "*"
/// ```
/// (what [`valid_sequence_set`](crate::imap::syntax::core::valid_sequence_set) tells, without splitting the bytes).
#[inline]
fn is_sequence_set(s: &[u8]) -> bool {
    /// The end of the `seq-number` at `k`.
    #[inline(always)]
    fn seq_number(s: &[u8], k: usize) -> Option<usize> {
        match *s.get(k)? {
            b'*' => Some(k + 1),
            b'1'..=b'9' => {
                let mut v = 0u64;
                let mut j = k;
                while let Some(&d @ b'0'..=b'9') = s.get(j) {
                    v = v * 10 + u64::from(d - b'0');
                    if v > u64::from(u32::MAX) {
                        return None;
                    }
                    j += 1;
                }
                Some(j)
            }
            _ => None,
        }
    }
    if s == b"$" {
        return true;
    }
    let mut k = 0;
    loop {
        let Some(mut e) = seq_number(s, k) else {
            return false;
        };
        if s.get(e) == Some(&b':') {
            match seq_number(s, e + 1) {
                Some(end) => e = end,
                None => return false,
            }
        }
        match s.get(e) {
            None => return true,
            Some(b',') => k = e + 1,
            Some(_) => return false,
        }
    }
}

fn two_digits(i: In<'_>) -> R<'_, u8> {
    match i.rest {
        [a @ b'0'..=b'9', b @ b'0'..=b'9', ..] => Ok((i.skip(2), (a - b'0') * 10 + (b - b'0'))),
        _ => i.err("2DIGIT"),
    }
}

/// `date-month = "Jan" / "Feb" / ... / "Dec"`
fn date_month(i: In<'_>) -> R<'_, u8> {
    for (n, m) in crate::imap::syntax::core::MONTHS.iter().enumerate() {
        if i.rest
            .get(..3)
            .is_some_and(|s| s.eq_ignore_ascii_case(m.as_bytes()))
        {
            return Ok((i.skip(3), n as u8 + 1));
        }
    }
    i.err("date-month")
}

/// `date-year = 4DIGIT`
fn year(i: In<'_>) -> R<'_, u16> {
    map((two_digits, two_digits), |(hi, lo)| {
        u16::from(hi) * 100 + u16::from(lo)
    })
    .parse(i)
}

/// `date-day = 1*2DIGIT`
fn date_day(i: In<'_>) -> R<'_, u8> {
    match digits(i) {
        (rest, [a]) => Ok((rest, a - b'0')),
        (rest, [a, b]) => Ok((rest, (a - b'0') * 10 + (b - b'0'))),
        _ => i.err("date-day"),
    }
}

/// `date-text = date-day "-" date-month "-" date-year`
fn date_text(i: In<'_>) -> R<'_, (u8, u8, u16)> {
    let dash = || byte(b'-', "'-'");
    map(
        (date_day, dash(), date_month, dash(), year),
        |(d, _, m, _, y)| (d, m, y),
    )
    .parse(i)
}

/// `date = date-text / DQUOTE date-text DQUOTE`
pub(crate) fn date(i: In<'_>) -> R<'_, Date> {
    // a well-formed unquoted date-text is read in one step; anything else
    // (quoted, or an error to report) by the rules
    let fast = match i.peek() {
        Some(b'"') => None,
        _ => date_text_fast(i.rest),
    };
    match fast {
        Some((n, (day, month, y))) => match Date::new(y, month, day) {
            Some(d) => Ok((i.skip(n), d)),
            None => i.skip(n).err("valid date"),
        },
        None => date_rules(i),
    }
}

/// [`date`] read by its rules only (every input the fast path leaves).
fn date_rules(i: In<'_>) -> R<'_, Date> {
    let (rest, (day, month, y)) = match i.peek() {
        Some(b'"') => delimited(byte(b'"', "'\"'"), date_text, byte(b'"', "'\"'")).parse(i)?,
        _ => date_text(i)?,
    };
    match Date::new(y, month, day) {
        Some(d) => Ok((rest, d)),
        None => rest.err("valid date"),
    }
}

/// ```text
/// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone = ("+" / "-") 4DIGIT
/// ```
pub(crate) fn date_time(i: In<'_>) -> R<'_, DateTime> {
    if let Some((day, month, y, hour, minute, second, zone)) = date_time_fast(i.rest) {
        let rest = i.skip(28);
        return match Date::new(y, month, day)
            .and_then(|d| DateTime::new(d, hour, minute, second, zone))
        {
            Some(dt) => Ok((rest, dt)),
            None => rest.err("valid date-time"),
        };
    }
    date_time_rules(i)
}

/// [`date_time`] read by its rules only (every input the fast path leaves).
fn date_time_rules(i: In<'_>) -> R<'_, DateTime> {
    let dash = || byte(b'-', "'-'");
    let colon = || byte(b':', "':'");
    let day_fixed = alt((preceded(sp, one_digit), two_digits));
    let sign = expect(
        "zone",
        alt((
            value(1i16, byte(b'+', "'+'")),
            value(-1i16, byte(b'-', "'-'")),
        )),
    );
    let (rest, (_, day, _, month, _, y, _, (hour, _, minute, _, second), _, (sign, zh, zm), _)) = (
        byte(b'"', "'\"'"),
        day_fixed,
        dash(),
        date_month,
        dash(),
        year,
        sp,
        (two_digits, colon(), two_digits, colon(), two_digits),
        sp,
        (sign, two_digits, two_digits),
        byte(b'"', "'\"'"),
    )
        .parse(i)?;
    let zone = sign * (i16::from(zh) * 60 + i16::from(zm));
    match Date::new(y, month, day).and_then(|d| DateTime::new(d, hour, minute, second, zone)) {
        Some(dt) => Ok((rest, dt)),
        None => rest.err("valid date-time"),
    }
}

/// The month number of a `date-month` (case-insensitive).
#[inline]
fn month_of(m: &[u8]) -> Option<u8> {
    /// A month name as a number, its letters in lower case: `x | 0x20` is a
    /// lower-case letter exactly when `x` is that letter in either case.
    const fn key(m: &[u8; 3]) -> u32 {
        u32::from_le_bytes([m[0] | 0x20, m[1] | 0x20, m[2] | 0x20, 0])
    }
    const MONTHS: [u32; 12] = [
        key(b"jan"),
        key(b"feb"),
        key(b"mar"),
        key(b"apr"),
        key(b"may"),
        key(b"jun"),
        key(b"jul"),
        key(b"aug"),
        key(b"sep"),
        key(b"oct"),
        key(b"nov"),
        key(b"dec"),
    ];
    let m: &[u8; 3] = m.try_into().ok()?;
    let k = key(m);
    let n = MONTHS.iter().position(|&x| x == k)?;
    Some(n as u8 + 1)
}

/// The value of two ASCII digits.
#[inline(always)]
fn two(a: u8, b: u8) -> Option<u8> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
}

/// A well-formed `date-text` at the start of `r` (what [`date_text`]
/// accepts): its length and `(day, month, year)`; `None` for anything the
/// rules must look at (and report).
#[inline]
fn date_text_fast(r: &[u8]) -> Option<(usize, (u8, u8, u16))> {
    let (day, k) = match r {
        [a @ b'0'..=b'9', b'-', ..] => (a - b'0', 1),
        [a, b, b'-', ..] => (two(*a, *b)?, 2),
        _ => return None,
    };
    let month = month_of(r.get(k + 1..k + 4)?)?;
    match r.get(k + 4..k + 9)? {
        [b'-', y1, y2, y3, y4] => {
            let y = u16::from(two(*y1, *y2)?) * 100 + u16::from(two(*y3, *y4)?);
            Some((k + 9, (day, month, y)))
        }
        _ => None,
    }
}

/// A well-formed `date-time` at the start of `r` (what the rules of
/// [`date_time`] accept): `(day, month, year, hour, minute, second, zone)`;
/// `None` for anything the rules must look at (and report).
#[inline]
fn date_time_fast(r: &[u8]) -> Option<(u8, u8, u16, u8, u8, u8, i16)> {
    let r: &[u8; 28] = r.get(..28)?.try_into().ok()?;
    let day = match (r[1], r[2]) {
        (b' ', d @ b'0'..=b'9') => d - b'0',
        (a, b) => two(a, b)?,
    };
    // `"dd-Mon-yyyy hh:mm:ss +zzzz"`
    let sign = match r[22] {
        b'+' => 1i16,
        b'-' => -1,
        _ => return None,
    };
    if r[0] != b'"'
        || r[3] != b'-'
        || r[7] != b'-'
        || r[12] != b' '
        || r[15] != b':'
        || r[18] != b':'
        || r[21] != b' '
        || r[27] != b'"'
    {
        return None;
    }
    let month = month_of(&r[4..7])?;
    let y = u16::from(two(r[8], r[9])?) * 100 + u16::from(two(r[10], r[11])?);
    let (hour, minute, second) = (two(r[13], r[14])?, two(r[16], r[17])?, two(r[19], r[20])?);
    let zone = sign * (i16::from(two(r[23], r[24])?) * 60 + i16::from(two(r[25], r[26])?));
    Some((day, month, y, hour, minute, second, zone))
}

fn one_digit(i: In<'_>) -> R<'_, u8> {
    match i.peek() {
        Some(c @ b'0'..=b'9') => Ok((i.skip(1), c - b'0')),
        _ => i.err("DIGIT"),
    }
}

/// `text = 1*TEXT-CHAR`, 8-bit tolerant: the rest of the line up to CRLF
/// (any byte but CR, LF and NUL).
pub(crate) fn text(i: In<'_>) -> R<'_, &[u8]> {
    let n = memchr::memchr3(b'\r', b'\n', 0, i.rest).unwrap_or(i.rest.len());
    let (rest, t) = i.split(n);
    if rest.peek() == Some(0) {
        return rest.err("TEXT-CHAR");
    }
    Ok((rest, t))
}

/// Any value of the generic grammar, skipped and returned raw: an atom-like
/// token (incl. `[...]` sections and `<n>`), a number, a string, NIL or a
/// parenthesised list of such, nested at most the depth budget. Used for
/// unknown FETCH items, response codes and extension data.
pub(crate) fn skip_value(i: In<'_>) -> R<'_, &[u8]> {
    map(consumed(skip_value_inner), |(raw, ())| raw).parse(i)
}

/// [`skip_value`] without its bytes. A loop, not a recursion: each `(`
/// spends one level of the budget on the input (as a recursive rule would)
/// and each `)` gives it back, so any nesting within the budget costs no
/// stack.
fn skip_value_inner(mut i: In<'_>) -> R<'_, ()> {
    let mut open = 0usize;
    loop {
        // a value, or the start of a list
        match i.peek() {
            Some(b'(') => {
                i = descend(i)?.skip(1);
                open += 1;
            }
            Some(b'"') => (i, _) = quoted(i)?,
            Some(b'{' | b'~') if starts_literal(&i) => (i, _) = literal(i)?,
            _ => (i, ()) = skip_token(i)?,
        }
        // inside lists: values are separated by any spaces, `)` closes one
        loop {
            if open == 0 {
                return Ok((i, ()));
            }
            i = i.skip_spaces();
            match i.peek() {
                Some(b')') => {
                    i = i.skip(1);
                    i.st.depth += 1;
                    open -= 1;
                }
                None | Some(b'\r' | b'\n') => return i.err("')'"),
                _ => break,
            }
        }
    }
}

/// An atom-ish token, possibly with bracketed sections (`BODY[1.2]<0>`).
fn skip_token(i: In<'_>) -> R<'_, ()> {
    let start = i;
    let mut i = i;
    loop {
        (i, _) = take_while(i, |b| {
            b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'"' | b'[' | b'{')
        });
        if i.peek() != Some(b'[') {
            break;
        }
        (i, ()) = nest(skip_brackets)(i)?;
    }
    if start.upto(&i).is_empty() {
        return start.err("value");
    }
    Ok((i, ()))
}

/// `[` up to its matching `]` on the same line.
fn skip_brackets(i: In<'_>) -> R<'_, ()> {
    let mut level = 0usize;
    for (n, &b) in i.rest.iter().enumerate() {
        match b {
            b'[' => level += 1,
            b']' => {
                level -= 1;
                if level == 0 {
                    return Ok((i.skip(n + 1), ()));
                }
            }
            b'\r' | b'\n' => return i.skip(n).err("']'"),
            _ => {}
        }
    }
    i.to_end().err("']'")
}

/// In trusted mode: skips a parenthesised value starting at `(`, respecting
/// quoted strings and literals, and returns what was between the
/// parentheses.
pub(crate) fn skip_parens(i: In<'_>) -> R<'_, &[u8]> {
    let input = i.rest;
    if input.first() != Some(&b'(') {
        return i.err("'('");
    }
    let mut depth = 0usize;
    let mut k = 0;
    while let Some(n) = input
        .get(k..)
        .and_then(|r| r.iter().position(|&b| PAREN_STOP[usize::from(b)]))
    {
        // jumped to the next byte that matters
        k += n;
        match input[k] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((i.skip(k + 1), &input[1..k]));
                }
            }
            b'"' => {
                k += 1;
                loop {
                    match find_any(input.get(k..).unwrap_or_default(), [b'"', b'\\']) {
                        Some(j) if input[k + j] == b'\\' => k += j + 2,
                        Some(j) => {
                            k += j;
                            break;
                        }
                        None => return i.to_end().err("'\"'"),
                    }
                }
            }
            b'{' => {
                let mut size: usize = 0;
                let mut j = k + 1;
                while let Some(d @ b'0'..=b'9') = input.get(j) {
                    size = size
                        .saturating_mul(10)
                        .saturating_add(usize::from(d - b'0'));
                    j += 1;
                }
                if matches!(input.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if input.get(j) == Some(&b'}') {
                    j += 1;
                    j += if input.get(j) == Some(&b'\r') { 2 } else { 1 };
                    k = j.saturating_add(size).saturating_sub(1);
                }
            }
            _ => {}
        }
        k += 1;
    }
    i.to_end().err("')'")
}

/// Bytes [`skip_parens`] must look at.
static PAREN_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'(' as usize] = true;
    t[b')' as usize] = true;
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t
};

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7), bare: the
/// argument of the `EMAILID` and `THREADID` search keys
/// (`search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid`).
pub(crate) fn objectid<'a>(i: In<'a>) -> R<'a, IString<'a>> {
    let (i, id) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if id.is_empty() || id.len() > 255 {
        return i.err("objectid");
    }
    Ok((i, IString(Cow::Borrowed(id))))
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` in parentheses (RFC 8474)
pub(crate) fn paren_objectid<'a>(i: In<'a>) -> R<'a, IString<'a>> {
    let (i, ()) = byte(b'(', "'('")(i)?;
    let (i, id) = objectid(i)?;
    let (i, ()) = byte(b')', "')'")(i)?;
    Ok((i, id))
}

// RFC 4466 tagged extensions and the small list helpers of the command rules.

/// `SP "(" param *(SP param) ")"` (`select-params`, `create-params`,
/// RFC 4466 §2.1, §2.2): validated, returned as a lazy [`List`]; empty when
/// absent.
pub(crate) fn ext_params<'a, T: Clone>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    if i.peek() != Some(b' ') || i.peek_at(1) != Some(b'(') {
        return Ok((i, List::empty()));
    }
    paren_list_tail(i.skip(2), elem, false)
}

/// `"(" elem *(SP elem) ")" / elem` as a lazy [`List`] (LIST patterns,
/// GETMETADATA entries, FETCH attributes).
pub(crate) fn paren_list_or_one<'a, T>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    if i.peek() == Some(b'(') {
        return paren_list_tail(i.skip(1), elem, false);
    }
    let (i, (raw, _)) = consumed(elem).parse(i)?;
    Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// `SP` and the keyword `w` (not followed by an atom character), if they
/// come next: the input after them.
pub(crate) fn sp_word<'a>(i: In<'a>, w: &[u8]) -> Option<In<'a>> {
    if i.peek() != Some(b' ') {
        return None;
    }
    after_word(&i.skip(1), w)
}

/// `number` with no out-of-range quirk: a client's number must fit 32 bits.
pub(crate) fn number32(i: In<'_>) -> R<'_, u32> {
    let (rest, d) = take_while(i, |b| b.is_ascii_digit());
    let v = d.iter().try_fold(0u32, |a, &c| {
        a.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    });
    match v {
        Some(v) if !d.is_empty() => Ok((rest, v)),
        _ => i.err("number below 2^32"),
    }
}

/// `nz-number`, no out-of-range quirk.
pub(crate) fn nz_number32(i: In<'_>) -> R<'_, u32> {
    match number32(i)? {
        (_, 0) => i.err("non-zero number"),
        ok => Ok(ok),
    }
}

/// ```text
/// tagged-ext-label   = tagged-label-fchar *tagged-label-char
/// tagged-label-fchar = ALPHA / "-" / "_" / "."
/// tagged-label-char  = tagged-label-fchar / DIGIT / ":"
/// ```
pub(crate) fn tagged_ext_label(i: In<'_>) -> R<'_, Atom<'_>> {
    if !matches!(i.peek(), Some(b) if is_label_fchar(b)) {
        return i.err("tagged-ext-label");
    }
    let (i, l) = take_while(i, |b| is_label_fchar(b) || b.is_ascii_digit() || b == b':');
    match core::str::from_utf8(l) {
        Ok(s) => Ok((i, Atom::borrowed_unchecked(s))),
        Err(_) => i.err("tagged-ext-label"),
    }
}

pub(crate) fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.')
}

/// Whether `s` is a `tagged-ext-label` (for the emitter).
pub(crate) fn is_tagged_ext_label(s: &[u8]) -> bool {
    matches!(
        tagged_ext_label(In::new(s, Quirks::STRICT, 1, false)),
        Ok((rest, _)) if rest.is_empty()
    )
}

/// ```text
/// tagged-ext-val    = tagged-ext-simple / "(" [tagged-ext-comp] ")"
/// tagged-ext-simple = sequence-set / number / number64
/// ```
/// Returned raw, parentheses included.
pub(crate) fn tagged_ext_val(i: In<'_>) -> R<'_, &[u8]> {
    if i.peek() == Some(b'(') {
        return map(consumed(tagged_ext_paren), |(raw, ())| raw).parse(i);
    }
    let (rest, t) = take_while(i, |b| {
        b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$')
    });
    let number64 = !t.is_empty()
        && t.iter().all(u8::is_ascii_digit)
        && t.iter()
            .try_fold(0u64, |a, &c| {
                a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
            })
            .is_some_and(|v| v <= i64::MAX as u64);
    if !(number64 || crate::imap::syntax::core::valid_sequence_set(t)) {
        return i.err("tagged-ext-val");
    }
    Ok((rest, t))
}

/// ```text
/// "(" [tagged-ext-comp] ")"
/// tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
/// ```
/// (also `option-value = "(" option-val-comp ")"` of RFC 5258, the same
/// shape), nested at most the depth budget.
///
/// A loop, not a recursion: each `(` spends one level of the budget on the
/// input (as a recursive rule would) and each `)` gives it back, so any
/// nesting within the budget costs no stack.
pub(crate) fn tagged_ext_paren(mut i: In<'_>) -> R<'_, ()> {
    let mut open = 0usize;
    loop {
        // at the `(` of a list
        i = descend(i)?;
        (i, ()) = byte(b'(', "'('")(i)?;
        open += 1;
        if i.peek() != Some(b')') {
            if i.peek() == Some(b'(') {
                continue;
            }
            (i, ()) = validate(astring)(i)?;
        }
        // after an element: `)` closes a list, SP starts the next element
        loop {
            if i.peek() == Some(b')') {
                i = i.skip(1);
                i.st.depth += 1;
                open -= 1;
                if open == 0 {
                    return Ok((i, ()));
                }
                continue;
            }
            (i, ()) = sp(i)?;
            if i.peek() == Some(b'(') {
                break;
            }
            (i, ()) = validate(astring)(i)?;
        }
    }
}

/// Whether `v` is a whole `tagged-ext-val` (or, with `paren_only`, an
/// `option-value`) that can be written on one line (for the emitter).
pub(crate) fn is_ext_value(v: &[u8], paren_only: bool) -> bool {
    if !crate::wire::line::is_line_safe(v) || (paren_only && v.first() != Some(&b'(')) {
        return false;
    }
    let i = In::new(
        v,
        Quirks::STRICT,
        ParseOptions::DEFAULT.nesting_depth,
        false,
    );
    matches!(tagged_ext_val(i), Ok((rest, _)) if rest.is_empty())
}

/// `[SP tagged-ext-val]` after a parameter name: present when the next
/// token can only be a value (a name never starts with a digit, `*`, `$`
/// or `(`).
pub(crate) fn opt_ext_value(i: In<'_>) -> R<'_, Option<Cow<'_, [u8]>>> {
    if i.peek() == Some(b' ') && matches!(i.peek_at(1), Some(b'0'..=b'9' | b'*' | b'$' | b'(')) {
        map(tagged_ext_val, |v| Some(Cow::Borrowed(v))).parse(i.skip(1))
    } else {
        Ok((i, None))
    }
}

/// `"(" atom *(SP atom) ")"` (also empty when `empty_ok`)
///
/// [`paren_list`] of [`atom`], with the atoms checked by their bytes (an
/// atom is a run of ATOM-CHARs, so no element need be built to validate it).
pub(crate) fn paren_atoms(i: In<'_>, empty_ok: bool) -> R<'_, List<'_, Atom<'_>>> {
    let (i, ()) = byte(b'(', "'('")(i)?;
    let start = i;
    let mut i = i;
    if i.peek() == Some(b')') {
        if !empty_ok {
            return i.err("list element");
        }
    } else {
        loop {
            let (rest, a) = take_while(i, |b| class::is(b, class::ATOM));
            if a.is_empty() {
                return i.err("atom");
            }
            i = rest;
            if i.peek() == Some(b')') {
                break;
            }
            (i, ()) = sp(i)?;
        }
    }
    let raw = start.upto(&i);
    Ok((i.skip(1), List::wire(raw, atom, Sep::Space, i.ctx())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::syntax::core::{SeqNum, SeqRange};

    fn strict(s: &[u8]) -> In<'_> {
        In::new(s, Quirks::STRICT, 8, false)
    }
    /// Runs `f` in strict mode, without the remaining input.
    fn st<'a, T>(f: impl FnOnce(In<'a>) -> R<'a, T>, s: &'a [u8]) -> Result<T, PError> {
        value_of(f(strict(s)))
    }
    /// Runs `f` in lenient mode, without the remaining input.
    fn le<'a, T>(f: impl FnOnce(In<'a>) -> R<'a, T>, s: &'a [u8]) -> Result<T, PError> {
        value_of(f(In::new(s, Quirks::LENIENT, 8, false)))
    }
    fn value_of<T>(r: R<'_, T>) -> Result<T, PError> {
        match r {
            Ok((_, v)) => Ok(v),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
            Err(nom::Err::Incomplete(_)) => panic!("complete input"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(st(number, b"0"), Ok(0));
        assert_eq!(st(number, b"4294967295"), Ok(u32::MAX));
        assert!(st(number, b"4294967296").is_err());
        assert_eq!(le(number, b"99999999999999999999999"), Ok(u32::MAX));
        assert!(st(nz_number, b"0").is_err());
        assert_eq!(st(number64, b"9223372036854775807"), Ok(i64::MAX as u64));
        assert!(st(number64, b"9223372036854775808").is_err());
        assert!(st(number, b"x").is_err());
    }

    #[test]
    fn strings() {
        let s = |i: &[u8]| st(string, i).map(|v| v.0.into_owned());
        assert_eq!(s(b"\"\""), Ok(b"".to_vec()));
        assert_eq!(s(b"\"abc\""), Ok(b"abc".to_vec()));
        assert_eq!(s(b"\"a\\\"b\\\\c\""), Ok(b"a\"b\\c".to_vec()));
        assert_eq!(
            s(b"\"caf\xe9 \xe2\x80\x93\""),
            Ok(b"caf\xe9 \xe2\x80\x93".to_vec())
        );
        assert_eq!(s(b"{3}\r\na\r\n"), Ok(b"a\r\n".to_vec()));
        assert_eq!(s(b"{3+}\r\nabc"), Ok(b"abc".to_vec()));
        assert_eq!(s(b"~{2}\r\n\0\0"), Ok(b"\0\0".to_vec()));
        assert!(s(b"{4}\r\nabc").is_err());
        assert!(s(b"{99999999999999999999}\r\nabc").is_err());
        assert!(s(b"\"abc").is_err());
        assert!(s(b"\"a\rb\"").is_err());
        assert!(s(b"\"a\0b\"").is_err());
        assert!(s(b"\"a\\xb\"").is_err());
        assert_eq!(
            le(string, b"\"a\\xb\"").map(|v| v.0.into_owned()),
            Ok(b"a\\xb".to_vec())
        );
        // borrowed when no escapes
        let input = b"\"plain\"";
        assert!(matches!(st(string, input).unwrap().0, Cow::Borrowed(_)));
        assert_eq!(st(astring, b"foo]bar x").unwrap().as_bytes(), b"foo]bar");
        assert!(st(astring, b"(x").is_err());
        assert_eq!(st(nstring, b"nil"), Ok(None));
        assert_eq!(st(nstring, b"NILS").ok(), None);
    }

    #[test]
    fn mailboxes() {
        assert_eq!(st(mailbox, b"inbox"), Ok(Mailbox::Inbox));
        assert_eq!(st(mailbox, b"\"InBox\""), Ok(Mailbox::Inbox));
        let m = st(mailbox, b"Entw&APw-rfe").unwrap();
        assert_eq!(m.decode().as_deref(), Some("Entwürfe"));
        let m = st(mailbox, "\"Entwürfe\"".as_bytes()).unwrap();
        assert_eq!(m.decode().as_deref(), Some("Entwürfe"));
        assert_eq!(Mailbox::from_utf8("Entwürfe").as_bytes(), b"Entw&APw-rfe");
        assert_eq!(st(list_mailbox, b"foo/%").unwrap().as_bytes(), b"foo/%");
    }

    #[test]
    fn flags() {
        let l = st(flag_list, b"(\\Seen \\Answered $Forwarded \\X-Foo)").unwrap();
        assert_eq!(
            l.to_vec(),
            [
                Flag::Seen,
                Flag::Answered,
                Flag::Keyword(Atom::new("$Forwarded").unwrap()),
                Flag::Extension(Atom::new("X-Foo").unwrap())
            ]
        );
        assert!(st(flag_list, b"()").unwrap().is_empty());
        // SurgeMail
        assert!(st(flag_list, b"(\\Seen )").is_err());
        assert_eq!(le(flag_list, b"(\\Seen )").unwrap().to_vec(), [Flag::Seen]);
        // Zoho
        assert!(st(flag_list, b"(\\Seen \\*)").is_err());
        assert_eq!(
            le(flag_list, b"(\\Seen \\*)").unwrap().to_vec(),
            [Flag::Seen, Flag::Wildcard]
        );
        assert_eq!(
            st(|i| flag_list_with(i, flag), b"(\\*)").unwrap().to_vec(),
            [Flag::Wildcard]
        );
    }

    #[test]
    fn sequence_sets() {
        let s = st(sequence_set, b"1:4,7,*:9,$ ").is_err();
        assert!(s);
        let s = st(sequence_set, b"1:4,7,*:9 x").unwrap();
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [
                SeqRange {
                    start: SeqNum::Value(1),
                    end: SeqNum::Value(4)
                },
                SeqRange {
                    start: SeqNum::Value(7),
                    end: SeqNum::Value(7)
                },
                SeqRange {
                    start: SeqNum::Asterisk,
                    end: SeqNum::Value(9)
                },
            ]
        );
        assert!(s.contains(12, 12));
        assert!(!s.contains(5, 12));
        assert!(st(sequence_set, b"$").unwrap().is_saved_result());
        for bad in [&b"0"[..], b"1:", b",1", b"1,,2", b"4294967296", b"x"] {
            assert!(st(sequence_set, bad).is_err(), "{bad:?}");
        }
    }

    /// `paren_atoms` (atoms checked by their bytes) and `paren_list` of
    /// `atom` agree: list, bytes consumed and error.
    #[test]
    fn paren_atoms_agrees_with_paren_list_of_atom() {
        fn outcome<T>(r: R<'_, T>) -> Result<(usize, T), PError> {
            match r {
                Ok((rest, v)) => Ok((rest.rest.len(), v)),
                Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
                Err(nom::Err::Incomplete(_)) => panic!("complete input"),
            }
        }
        let cases: &[&[u8]] = &[
            b"(MESSAGES UIDNEXT UNSEEN) x",
            b"()",
            b"( )",
            b"(A)",
            b"(A  B)",
            b"(A B ",
            b"(A\\B)",
            b"(A (B))",
            b"(A\"B)",
            b"(A B)\r\n",
            b"A",
            b"",
            b"(\xc3\xa9)",
        ];
        for c in cases {
            for empty_ok in [false, true] {
                let a = outcome(paren_atoms(strict(c), empty_ok));
                let b = outcome(paren_list(strict(c), atom, empty_ok));
                assert_eq!(
                    a.as_ref().map(|(n, l)| (*n, l.iter().collect::<Vec<_>>())),
                    b.as_ref().map(|(n, l)| (*n, l.iter().collect::<Vec<_>>())),
                    "{c:?}"
                );
            }
        }
    }

    /// The one-pass `sequence-set` check agrees with the splitting one on
    /// every string of up to five bytes over the set's alphabet, and on
    /// numbers at the 32-bit edge (RFC 9051 §9: `seq-number = nz-number /
    /// "*"`, `nz-number` below 2^32).
    #[test]
    fn sequence_set_check_agrees_with_the_splitting_one() {
        let alphabet = b"01:,*$9";
        let mut s = Vec::new();
        for len in 0..=5u32 {
            for mut n in 0..7usize.pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[n % 7]);
                    n /= 7;
                }
                assert_eq!(
                    is_sequence_set(&s),
                    crate::imap::syntax::core::valid_sequence_set(&s),
                    "{s:?}"
                );
            }
        }
        for edge in [
            &b"4294967295"[..],
            b"4294967296",
            b"1:4294967295",
            b"4294967295,1",
            b"04294967295",
            b"99999999999",
            b"1:2:3",
            b"1,2:*,$",
        ] {
            assert_eq!(
                is_sequence_set(edge),
                crate::imap::syntax::core::valid_sequence_set(edge),
                "{edge:?}"
            );
        }
    }

    /// The one-step readers of a well-formed `date` and `date-time` agree
    /// with the rules on every input: value, bytes consumed and error
    /// (each byte of valid forms replaced by bytes that break or bend them).
    #[test]
    fn date_fast_paths_agree_with_the_rules() {
        fn outcome<T>(r: R<'_, T>) -> Result<(usize, T), PError> {
            match r {
                Ok((rest, v)) => Ok((rest.rest.len(), v)),
                Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
                Err(nom::Err::Incomplete(_)) => panic!("complete input"),
            }
        }
        let dates: &[&[u8]] = &[
            b"1-Feb-1994",
            b"01-feb-1994 x",
            b"29-Feb-2024",
            b"29-Feb-2023",
            b"31-DEC-9999)",
            b"\"1-Feb-1994\"",
        ];
        let times: &[&[u8]] = &[
            b"\"17-Jul-1996 02:44:25 -0700\"",
            b"\" 7-jul-1996 02:44:25 +0130\" x",
            b"\"29-Feb-2023 02:44:25 +0000\"",
            b"\"01-Jan-2000 23:59:60 +9959\"",
        ];
        let swaps = [b' ', b'-', b'+', b'"', b'0', b'9', b'a', b'X', b':', 0xff];
        for (base, is_time) in dates
            .iter()
            .map(|d| (d, false))
            .chain(times.iter().map(|t| (t, true)))
        {
            let mut s = base.to_vec();
            let mut cases = alloc::vec![s.clone()];
            for at in 0..s.len() {
                let keep = s[at];
                for b in swaps {
                    s[at] = b;
                    cases.push(s.clone());
                }
                s[at] = keep;
                cases.push(s[..at].to_vec());
            }
            for c in &cases {
                if is_time {
                    assert_eq!(
                        outcome(date_time(strict(c))),
                        outcome(date_time_rules(strict(c))),
                        "{}",
                        alloc::string::String::from_utf8_lossy(c)
                    );
                } else {
                    assert_eq!(
                        outcome(date(strict(c))),
                        outcome(date_rules(strict(c))),
                        "{}",
                        alloc::string::String::from_utf8_lossy(c)
                    );
                }
            }
        }
    }

    #[test]
    fn dates() {
        assert_eq!(st(date, b"1-Feb-1994"), Ok(Date::new(1994, 2, 1).unwrap()));
        assert_eq!(
            st(date, b"\"01-Feb-1994\""),
            Ok(Date::new(1994, 2, 1).unwrap())
        );
        assert!(st(date, b"1-Foo-1994").is_err());
        let dt = st(date_time, b"\"17-Jul-1996 02:44:25 -0700\"").unwrap();
        assert_eq!(
            (dt.date.day, dt.date.month, dt.date.year, dt.hour, dt.zone),
            (17, 7, 1996, 2, -420)
        );
        let dt = st(date_time, b"\" 7-Jul-1996 02:44:25 +0130\"").unwrap();
        assert_eq!((dt.date.day, dt.zone), (7, 90));
        assert!(st(date_time, b"\"17-Jul-1996 25:44:25 -0700\"").is_err());
        assert!(st(date_time, b"\"17-Jul-1996 02:44:25\"").is_err());
    }

    #[test]
    fn skip_values_and_depth() {
        assert_eq!(
            st(skip_value, b"(a \"b\" (c {1}\r\nx) BODY[1.2]<0> NIL) rest").unwrap(),
            b"(a \"b\" (c {1}\r\nx) BODY[1.2]<0> NIL)"
        );
        let deep = [b'('; 100];
        assert_eq!(st(skip_value, &deep), Err(PError::Depth(8)));
    }
}

/// The in-place checks of the command path ([`astring_check`],
/// `flag_no_wildcard_check`, the lists built on them, `month_of`) against the
/// general rules they stand for, over many inputs: well-formed ones, every
/// truncation, every one-byte change, insertion and deletion, and oversized
/// runs, in strict and lenient mode, validated and trusted.
#[cfg(test)]
pub(crate) mod fast_path_tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    /// Bytes that matter to the rules: separators, specials, list wildcards,
    /// the literal starts, line ends, NUL, DEL and 8-bit bytes.
    const EDITS: &[u8] = b" ()\"\\{}~*%]+[<>aZz09-.\r\n\x00\x7f\x80\xc3\xff";

    pub(crate) fn mutations(bases: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for &b in bases {
            out.push(b.to_vec());
            for cut in 0..b.len() {
                out.push(b[..cut].to_vec());
            }
            for k in 0..b.len() {
                let mut d = b.to_vec();
                d.remove(k);
                out.push(d);
                for &e in EDITS {
                    let mut r = b.to_vec();
                    r[k] = e;
                    out.push(r);
                    let mut ins = b.to_vec();
                    ins.insert(k, e);
                    out.push(ins);
                }
            }
        }
        // oversized: long runs of each kind of character, and long lists
        for &c in b"aZ0\\]~+" {
            out.push(vec![c; 5000]);
        }
        let mut long = b"(".to_vec();
        for k in 0..2000 {
            long.extend_from_slice(if k % 2 == 0 { b"\\Seen " } else { b"$Label1 " });
        }
        out.push(long.clone());
        long.pop();
        long.push(b')');
        out.push(long);
        out
    }

    /// Each input under every mode: strict, lenient, lenient and trusted.
    pub(crate) fn modes(s: &[u8]) -> [In<'_>; 3] {
        let mut t = In::new(s, Quirks::LENIENT, 8, false);
        t.st.trusted = true;
        [
            In::new(s, Quirks::STRICT, 8, false),
            In::new(s, Quirks::LENIENT, 8, false),
            t,
        ]
    }

    /// Both results: the same bytes left and the same value, or the same error.
    pub(crate) fn same<'a, T: PartialEq + core::fmt::Debug>(s: &[u8], a: R<'a, T>, b: R<'a, T>) {
        match (a, b) {
            (Ok((ra, va)), Ok((rb, vb))) => {
                assert_eq!(ra.rest.len(), rb.rest.len(), "{:?}", s.escape_ascii());
                assert_eq!(va, vb, "{:?}", s.escape_ascii());
            }
            (a, b) => assert_eq!(a.err(), b.err(), "{:?}", s.escape_ascii().to_string()),
        }
    }

    #[test]
    fn astring_check_agrees_with_the_rule() {
        let inputs = mutations(&[
            b"FROM",
            b"Message-ID)",
            b"X-Spam-Flag ",
            b"\"quoted name\" x",
            b"{3}\r\nabc",
            b"~{3}\r\nabc",
            b"~tilde]",
            b"a]b(",
        ]);
        for s in &inputs {
            for i in modes(s) {
                same(s, astring_check(i), validate(astring)(i));
            }
        }
    }

    #[test]
    fn flag_check_agrees_with_the_rule() {
        let inputs = mutations(&[
            b"\\Seen",
            b"\\Flagged)",
            b"\\*",
            b"$Forwarded ",
            b"\\X-Ext",
            b"\\",
            b"NonJunk",
        ]);
        for s in &inputs {
            for i in modes(s) {
                same(s, flag_no_wildcard_check(i), validate(flag_no_wildcard)(i));
            }
        }
    }

    #[test]
    fn checked_lists_agree_with_the_general_lists() {
        let inputs = mutations(&[
            b"(\\Seen \\Flagged)",
            b"(\\Seen $Label \\X-Y \\Draft) rest",
            b"()",
            b"(\\* \\Seen)",
            b"(\\Seen )",
            b"(FROM TO CC SUBJECT DATE MESSAGE-ID)]",
            b"(\"X-A\" {1}\r\nb c)",
        ]);
        for s in &inputs {
            for i in modes(s) {
                let fast = flag_list(i).map(|(r, l)| (r, l.to_vec()));
                let general = flag_list_with(i, flag_no_wildcard).map(|(r, l)| (r, l.to_vec()));
                same(s, fast, general);
                if let Some(b'(') = i.peek() {
                    let t = i.skip(1);
                    for empty_ok in [false, true] {
                        let fast = paren_list_tail_checked(t, astring, astring_check, empty_ok)
                            .map(|(r, l)| (r, l.to_vec()));
                        let general =
                            paren_list_tail(t, astring, empty_ok).map(|(r, l)| (r, l.to_vec()));
                        same(s, fast, general);
                    }
                }
            }
        }
    }

    /// `date-month = "Jan" / "Feb" / "Mar" / "Apr" / "May" / "Jun" / "Jul" /
    /// "Aug" / "Sep" / "Oct" / "Nov" / "Dec"` (RFC 9051 §9; case-insensitive
    /// as every literal string of the ABNF, RFC 5234 §2.3), on every
    /// three-byte word over letters of both cases and their neighbours.
    #[test]
    fn month_of_reads_exactly_the_twelve_names() {
        const NAMES: [&[u8; 3]; 12] = [
            b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV",
            b"DEC",
        ];
        let mut alphabet: Vec<u8> = (b'A'..=b'Z').chain(b'a'..=b'z').collect();
        alphabet.extend_from_slice(b"@[`{\x00\x20\x7f\x80\xc1\xe1\xff01-");
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    let w = [a, b, c];
                    let expected = NAMES
                        .iter()
                        .position(|n| w.eq_ignore_ascii_case(&n[..]))
                        .map(|p| p as u8 + 1);
                    assert_eq!(month_of(&w), expected, "{:?}", w.escape_ascii().to_string());
                }
            }
        }
        assert_eq!(month_of(b"JA"), None);
        assert_eq!(month_of(b"JANU"), None);
        assert_eq!(month_of(b""), None);
    }
}
