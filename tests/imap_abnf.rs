//! What the IMAP emitter writes, checked against the ABNF of the RFCs, rule
//! by rule (issue 15, "Conformance tests from the RFC text").
//!
//! Each table row is a value and the exact bytes it must become. Every row is
//! checked three ways: the emitted bytes equal the row; a recognizer written
//! here from the quoted ABNF (not the crate's parser) accepts them and reads
//! back the value; and the crate's strict parser reads back the same value.
//! A misreading shared by our emitter and our parser therefore fails here.
//!
//! Where the ABNF allows several forms (`fred` or `"fred"` for an astring),
//! the row pins the one the emitter chooses and says why.
//!
//! Rules quoted (RFC 9051 §9 unless marked; RFC 3501 §9 has the same text
//! for these except where noted):
//!
//! ```text
//! CHAR            = %x01-7F                                  ; RFC 5234 B.1
//! CTL             = %x00-1F / %x7F                           ; RFC 5234 B.1
//! CHAR8           = %x01-ff
//! atom            = 1*ATOM-CHAR
//! ATOM-CHAR       = <any CHAR except atom-specials>
//! atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards /
//!                   quoted-specials / resp-specials
//! list-wildcards  = "%" / "*"
//! quoted-specials = DQUOTE / "\"
//! resp-specials   = "]"
//! astring         = 1*ASTRING-CHAR / string
//! ASTRING-CHAR    = ATOM-CHAR / resp-specials
//! string          = quoted / literal
//! quoted          = DQUOTE *QUOTED-CHAR DQUOTE
//! QUOTED-CHAR     = <any TEXT-CHAR except quoted-specials> /
//!                   "\" quoted-specials                        ; RFC 3501
//! QUOTED-CHAR     =/ UTF8-2 / UTF8-3 / UTF8-4                  ; RFC 6855 (UTF8=ACCEPT)
//! TEXT-CHAR       = <any CHAR except CR and LF>                ; RFC 3501
//! literal         = "{" number64 ["+"] "}" CRLF *CHAR8         ; RFC 9051
//! literal         = "{" number ["+"] "}" CRLF *CHAR8           ; RFC 7888 §3
//! mailbox         = "INBOX" / astring
//! seq-number      = nz-number / "*"
//! seq-range       = seq-number ":" seq-number
//! sequence-set    = (seq-number / seq-range) ["," sequence-set]
//! seq-last-command = "$"                                       ; RFC 9051, RFC 5182
//! nz-number       = digit-nz *DIGIT   ; (0 < n < 4,294,967,296)
//! date            = date-text / DQUOTE date-text DQUOTE
//! date-text       = date-day "-" date-month "-" date-year
//! date-day        = 1*2DIGIT
//! date-month      = "Jan" / "Feb" / "Mar" / "Apr" / "May" / "Jun" /
//!                   "Jul" / "Aug" / "Sep" / "Oct" / "Nov" / "Dec"
//! date-year       = 4DIGIT
//! date-time       = DQUOTE date-day-fixed "-" date-month "-" date-year
//!                   SP time SP zone DQUOTE
//! date-day-fixed  = (SP DIGIT) / 2DIGIT
//! time            = 2DIGIT ":" 2DIGIT ":" 2DIGIT
//! zone            = ("+" / "-") 4DIGIT
//! flag            = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" /
//!                   "\Draft" / flag-keyword / flag-extension
//! flag-keyword    = "$MDNSent" / "$Forwarded" / "$Junk" / "$NotJunk" /
//!                   "$Phishing" / atom
//! flag-extension  = "\" atom
//! flag-list       = "(" [flag *(SP flag)] ")"
//! ```

use mailwire::imap::{
    AppendMessage, Atom, Command, CommandBody, Date, DateTime, EmitOptions, FetchAttributes, Flag,
    IString, List, LiteralStyle, Mailbox, ParseOptions, SearchKey, SequenceSet, StoreKind, Tag,
    emit_command, parse_command, utf7,
};
use mailwire::{Error, Secret};

// ---- recognizers written from the ABNF above ----

/// `CHAR = %x01-7F`
fn is_char(b: u8) -> bool {
    (0x01..=0x7f).contains(&b)
}

/// `CTL = %x00-1F / %x7F`
fn is_ctl(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// `atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards /
/// quoted-specials / resp-specials`
fn is_atom_special(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'{' | b' ' | b'%' | b'*' | b'"' | b'\\' | b']'
    ) || is_ctl(b)
}

/// `ATOM-CHAR = <any CHAR except atom-specials>`
fn is_atom_char(b: u8) -> bool {
    is_char(b) && !is_atom_special(b)
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`
fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// `atom = 1*ATOM-CHAR`
fn is_atom(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_atom_char(b))
}

/// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`: the unescaped content. With
/// `utf8` (UTF8=ACCEPT), QUOTED-CHAR also takes whole UTF-8 sequences.
fn read_quoted(s: &[u8], utf8: bool) -> Option<Vec<u8>> {
    let inner = s.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut out = Vec::new();
    let mut it = inner.iter();
    while let Some(&b) = it.next() {
        match b {
            // "\" quoted-specials
            b'\\' => match it.next() {
                Some(&q @ (b'"' | b'\\')) => out.push(q),
                _ => return None,
            },
            b'"' => return None,
            // TEXT-CHAR = <any CHAR except CR and LF>
            b'\r' | b'\n' => return None,
            b if is_char(b) => out.push(b),
            b if utf8 && b >= 0x80 => out.push(b),
            _ => return None,
        }
    }
    if out.iter().any(|&b| b >= 0x80) && std::str::from_utf8(&out).is_err() {
        return None; // UTF8-2 / UTF8-3 / UTF8-4 only
    }
    Some(out)
}

/// `literal = "{" number64 ["+"] "}" CRLF *CHAR8` filling all of `s`:
/// whether it was `{n+}`, and the data.
fn read_literal(s: &[u8]) -> Option<(bool, Vec<u8>)> {
    let s = s.strip_prefix(b"{")?;
    let close = s.iter().position(|&b| b == b'}')?;
    let (mut digits, rest) = (&s[..close], &s[close + 1..]);
    let plus = digits.ends_with(b"+");
    if plus {
        digits = &digits[..digits.len() - 1];
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let data = rest.strip_prefix(b"\r\n")?;
    // CHAR8 = %x01-ff
    (data.len() == n && !data.contains(&0)).then(|| (plus, data.to_vec()))
}

/// How an astring was written.
#[derive(Debug, PartialEq)]
enum Form {
    Atom,
    Quoted,
    Literal { plus: bool },
}

/// `astring = 1*ASTRING-CHAR / string`: the form and the value.
fn read_astring(s: &[u8], utf8: bool) -> Option<(Form, Vec<u8>)> {
    if !s.is_empty() && s.iter().all(|&b| is_astring_char(b)) {
        return Some((Form::Atom, s.to_vec()));
    }
    read_string(s, utf8)
}

/// `string = quoted / literal`
fn read_string(s: &[u8], utf8: bool) -> Option<(Form, Vec<u8>)> {
    if let Some(v) = read_quoted(s, utf8) {
        return Some((Form::Quoted, v));
    }
    read_literal(s).map(|(plus, v)| (Form::Literal { plus }, v))
}

/// `sequence-set` / `seq-last-command` from the ABNF.
fn is_sequence_set(s: &[u8]) -> bool {
    // nz-number = digit-nz *DIGIT ; (0 < n < 4,294,967,296)
    let nz = |d: &[u8]| {
        !d.is_empty()
            && d[0] != b'0'
            && d.iter().all(u8::is_ascii_digit)
            && std::str::from_utf8(d)
                .ok()
                .and_then(|t| t.parse::<u64>().ok())
                .is_some_and(|n| n < 4_294_967_296)
    };
    let seq_number = |d: &[u8]| d == b"*" || nz(d);
    s == b"$"
        || (!s.is_empty()
            && s.split(|&b| b == b',').all(|part| {
                let mut ends = part.split(|&b| b == b':');
                match (ends.next(), ends.next(), ends.next()) {
                    (Some(a), None, None) => seq_number(a),
                    (Some(a), Some(b), None) => seq_number(a) && seq_number(b),
                    _ => false,
                }
            }))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `date-text = date-day "-" date-month "-" date-year`: (year, month, day).
fn read_date_text(s: &str) -> Option<(u16, u8, u8)> {
    let mut parts = s.split('-');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || d.is_empty()
        || d.len() > 2
        || !d.bytes().all(|b| b.is_ascii_digit())
        || y.len() != 4
        || !y.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // RFC 5234 §2.3: ABNF strings are case-insensitive ("jan" is "Jan")
    let month = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(m))? as u8 + 1;
    Some((y.parse().ok()?, month, d.parse().ok()?))
}

/// The fields of a `date-time`: year, month, day, hour, minute, second and
/// the zone in minutes.
type DateTimeFields = (u16, u8, u8, u8, u8, u8, i16);

/// `date-time`, read from the ABNF.
fn read_date_time(s: &[u8]) -> Option<DateTimeFields> {
    let s = std::str::from_utf8(s.strip_prefix(b"\"")?.strip_suffix(b"\"")?).ok()?;
    // date-day-fixed = (SP DIGIT) / 2DIGIT
    let (day, rest) = s.split_at(2);
    let day = match day.as_bytes() {
        [b' ', d] if d.is_ascii_digit() => d - b'0',
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => day.parse().ok()?,
        _ => return None,
    };
    let rest = rest.strip_prefix('-')?;
    let (m, rest) = rest.split_once('-')?;
    let month = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(m))? as u8 + 1;
    let (year, rest) = rest.split_once(' ')?;
    let (time, zone) = rest.split_once(' ')?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
    let t: Vec<&str> = time.split(':').collect();
    if t.len() != 3
        || t.iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    // zone = ("+" / "-") 4DIGIT
    let (sign, digits) = zone.split_at(1);
    if !matches!(sign, "+" | "-")
        || digits.len() != 4
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let minutes = digits[..2].parse::<i16>().ok()? * 60 + digits[2..].parse::<i16>().ok()?;
    Some((
        year.parse().ok()?,
        month,
        day,
        t[0].parse().ok()?,
        t[1].parse().ok()?,
        t[2].parse().ok()?,
        if sign == "-" { -minutes } else { minutes },
    ))
}

// ---- helpers over the public API ----

fn tag() -> Tag<'static> {
    Tag::new("a1").unwrap()
}

fn emit(body: CommandBody<'_>, opts: &EmitOptions) -> Result<(Vec<u8>, Vec<usize>), Error> {
    let mut out = Vec::new();
    let e = emit_command(&Command { tag: tag(), body }, &mut out, opts)?;
    Ok((out, e.sync_points))
}

/// `a1 LOGIN <value> p`: the bytes of the astring and the sync points.
fn login_astring(value: &[u8], opts: &EmitOptions) -> Result<(Vec<u8>, Vec<usize>), Error> {
    let (out, sync) = emit(
        CommandBody::Login {
            username: IString::new(value.to_vec()),
            password: Secret::new(&b"p"[..]),
        },
        opts,
    )?;
    let arg = out
        .strip_prefix(b"a1 LOGIN ")
        .and_then(|a| a.strip_suffix(b" p\r\n"))
        .expect("LOGIN line shape")
        .to_vec();
    // the strict parser reads the same value back
    let c = parse_command(&out, &ParseOptions::STRICT).expect("parses");
    let CommandBody::Login { username, .. } = c.body else {
        panic!()
    };
    assert_eq!(username.as_bytes(), value, "parse(emit(x)) for {value:?}");
    Ok((arg, sync))
}

// ---- the tables ----

/// astring (LOGIN's user name): which bytes stay an atom, which force
/// quoting, which force a literal.
#[test]
fn astring_forms() {
    let plain = EmitOptions::new();
    #[rustfmt::skip]
    let rows: &[(&[u8], &[u8], Form, &str)] = &[
        (b"fred", b"fred", Form::Atom, "1*ASTRING-CHAR"),
        (b"a]b", b"a]b", Form::Atom, "ASTRING-CHAR = ATOM-CHAR / resp-specials: ']' needs no quotes"),
        (b"$x.y-z_1+@=!#&'~|`^", b"$x.y-z_1+@=!#&'~|`^", Form::Atom, "every one an ATOM-CHAR"),
        (b"", b"\"\"", Form::Quoted, "1*ASTRING-CHAR needs one char: the empty string is quoted"),
        (b"two words", b"\"two words\"", Form::Quoted, "SP is an atom-special"),
        (b"a(b", b"\"a(b\"", Form::Quoted, "'(' is an atom-special"),
        (b"a)b", b"\"a)b\"", Form::Quoted, "')' is an atom-special"),
        (b"a{b", b"\"a{b\"", Form::Quoted, "'{' is an atom-special"),
        (b"a%b", b"\"a%b\"", Form::Quoted, "list-wildcards are atom-specials"),
        (b"a*b", b"\"a*b\"", Form::Quoted, "list-wildcards are atom-specials"),
        (b"a\"b", b"\"a\\\"b\"", Form::Quoted, "quoted-specials: DQUOTE escaped as \\\""),
        (b"a\\b", b"\"a\\\\b\"", Form::Quoted, "quoted-specials: backslash escaped as \\\\"),
        (b"\x01\x1f", b"\"\x01\x1f\"", Form::Quoted, "CTL is an atom-special but a TEXT-CHAR"),
        (b"a\x7fb", b"\"a\x7fb\"", Form::Quoted, "DEL is a CTL, and a TEXT-CHAR"),
        (b"\tx", b"\"\tx\"", Form::Quoted, "TAB is a CTL, and a TEXT-CHAR"),
        // a choice: "NIL" is an atom and a valid astring, but in every nstring
        // position it would be nil; quoted, no reader can take it for nil
        (b"NIL", b"\"NIL\"", Form::Quoted, "emitter's choice: NIL is always quoted"),
        (b"nil", b"\"nil\"", Form::Quoted, "emitter's choice: NIL in any case"),
        (b"a\rb", b"{3}\r\na\rb", Form::Literal { plus: false }, "CR is no TEXT-CHAR: a literal"),
        (b"a\nb", b"{3}\r\na\nb", Form::Literal { plus: false }, "LF is no TEXT-CHAR: a literal"),
        (b"\r\n", b"{2}\r\n\r\n", Form::Literal { plus: false }, "CRLF inside: a literal"),
        ("café".as_bytes(), b"{5}\r\ncaf\xc3\xa9", Form::Literal { plus: false }, "8-bit is no CHAR: a literal without UTF8=ACCEPT"),
        (b"\xff", b"{1}\r\n\xff", Form::Literal { plus: false }, "8-bit, not UTF-8: a literal"),
    ];
    for (value, bytes, form, why) in rows {
        let (arg, sync) = login_astring(value, &plain).unwrap();
        assert_eq!(arg, *bytes, "{why}");
        let (f, v) = read_astring(&arg, false).unwrap_or_else(|| panic!("not an astring: {why}"));
        assert_eq!(&f, form, "{why}");
        assert_eq!(&v, value, "{why}");
        // a client waits for `+` after each synchronizing literal: the
        // machine is told where (just after its CRLF)
        let expect_sync = matches!(form, Form::Literal { plus: false });
        let at = b"a1 LOGIN ".len() + arg.iter().position(|&b| b == b'\n').unwrap_or(0) + 1;
        assert_eq!(sync, if expect_sync { vec![at] } else { vec![] }, "{why}");
    }
    // quoted strings are kept to a sensible length (the emitter's choice):
    // 1024 bytes quoted, 1025 a literal
    for (n, quoted) in [(1024, true), (1025, false)] {
        let value = vec![b' '; n];
        let (arg, _) = login_astring(&value, &plain).unwrap();
        assert_eq!(
            read_astring(&arg, false).unwrap().0 == Form::Quoted,
            quoted,
            "{n}"
        );
    }
}

/// NUL is in no string: `CHAR8 = %x01-ff` (literal), TEXT-CHAR excludes it
/// (quoted). Only literal8 (RFC 3516) carries it; elsewhere emitting fails
/// and nothing is written.
#[test]
fn nul_cannot_be_a_string() {
    for value in [&b"a\0b"[..], b"\0", b"x\r\n\0"] {
        let mut out = Vec::new();
        let r = emit_command(
            &Command {
                tag: tag(),
                body: CommandBody::Login {
                    username: IString::new(value.to_vec()),
                    password: Secret::new(&b"p"[..]),
                },
            },
            &mut out,
            &EmitOptions::new(),
        );
        assert!(matches!(r, Err(Error::Emit(_))), "{value:?}");
        assert!(out.is_empty());
    }
    // literal8 = "~{" number64 "}" CRLF *OCTET   (RFC 3516, APPEND)
    let (out, sync) = emit(
        CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: List::from_items(vec![AppendMessage {
                flags: None,
                date: None,
                data: (&b"a\0b"[..]).into(),
                binary: true,
            }]),
        },
        &EmitOptions::new(),
    )
    .unwrap();
    assert_eq!(out, b"a1 APPEND INBOX ~{3}\r\na\0b\r\n");
    assert_eq!(sync, [b"a1 APPEND INBOX ~{3}\r\n".len()]);
}

/// With UTF8=ACCEPT (RFC 6855 §3), UTF-8 goes in quoted strings:
/// `QUOTED-CHAR =/ UTF8-2 / UTF8-3 / UTF8-4`; bytes that are not UTF-8 still
/// need a literal.
#[test]
fn astring_under_utf8_accept() {
    let utf8 = EmitOptions::new().with_utf8(true);
    #[rustfmt::skip]
    let rows: &[(&[u8], &[u8], Form)] = &[
        ("café".as_bytes(), "\"café\"".as_bytes(), Form::Quoted),
        ("日本語".as_bytes(), "\"日本語\"".as_bytes(), Form::Quoted),
        (b"\xff\xfe", b"{2}\r\n\xff\xfe", Form::Literal { plus: false }),
        (b"\xc3", b"{1}\r\n\xc3", Form::Literal { plus: false }),
        ("a\rü".as_bytes(), "{4}\r\na\rü".as_bytes(), Form::Literal { plus: false }),
    ];
    for (value, bytes, form) in rows {
        let (arg, _) = login_astring(value, &utf8).unwrap();
        assert_eq!(arg, *bytes);
        let (f, v) = read_astring(&arg, true).unwrap();
        assert_eq!((&f, &v[..]), (form, *value));
    }
}

/// The literal announcement in each style: `{n}` or `{n+}`, nothing else
/// (RFC 9051 §4.3, RFC 7888 §3 LITERAL+, §4 LITERAL-: at most 4096 bytes
/// non-synchronizing).
#[test]
fn literal_forms() {
    let rows: &[(LiteralStyle, usize, bool)] = &[
        (LiteralStyle::Sync, 3, false),
        (LiteralStyle::Sync, 5000, false),
        (LiteralStyle::NonSyncPlus, 3, true),
        (LiteralStyle::NonSyncPlus, 5000, true),
        (LiteralStyle::NonSyncMinus, 3, true),
        (LiteralStyle::NonSyncMinus, 4096, true),
        (LiteralStyle::NonSyncMinus, 4097, false),
    ];
    for &(style, n, plus) in rows {
        let mut value = vec![b'x'; n];
        value[0] = b'\r';
        let (arg, sync) = login_astring(&value, &EmitOptions::new().with_literals(style)).unwrap();
        let head = if plus {
            format!("{{{n}+}}\r\n")
        } else {
            format!("{{{n}}}\r\n")
        };
        assert!(arg.starts_with(head.as_bytes()), "{style:?} {n}");
        assert_eq!(read_literal(&arg), Some((plus, value)), "{style:?} {n}");
        assert_eq!(
            sync.is_empty(),
            plus,
            "{style:?} {n}: wait for + exactly when synchronizing"
        );
        assert!(
            !arg.windows(2).any(|w| w == b"-}"),
            "{style:?} {n}: no {{n-}}"
        );
    }
}

/// `string = quoted / literal` (ID's field values): never an atom.
#[test]
fn string_is_never_an_atom() {
    for (value, bytes) in [
        (&b"name"[..], &b"\"name\""[..]),
        (b"", b"\"\""),
        (b"a\"b", b"\"a\\\"b\""),
        (b"x\ny", b"{3}\r\nx\ny"),
    ] {
        let (out, _) = emit(
            CommandBody::Id(Some(List::from_items(vec![(
                IString::from("k"),
                Some(IString::new(value.to_vec())),
            )]))),
            &EmitOptions::new(),
        )
        .unwrap();
        let arg = out
            .strip_prefix(b"a1 ID (\"k\" ")
            .and_then(|a| a.strip_suffix(b")\r\n"))
            .unwrap();
        assert_eq!(arg, bytes);
        assert_eq!(
            read_string(arg, false).map(|(_, v)| v),
            Some(value.to_vec())
        );
    }
}

/// `mailbox = "INBOX" / astring`, the name in modified UTF-7 (RFC 3501
/// §5.1.3: "&" is "&-"; other characters outside printable US-ASCII are
/// base64 of UTF-16 with "," for "/", between "&" and "-").
#[test]
fn mailbox_names() {
    #[rustfmt::skip]
    let rows: &[(&str, &[u8], &str)] = &[
        ("INBOX", b"INBOX", "INBOX"),
        ("inbox", b"INBOX", "RFC 3501 §5.1: INBOX is case-insensitive"),
        ("Sent", b"Sent", "an atom"),
        ("~peter/mail/台北/日本語", b"~peter/mail/&U,BTFw-/&ZeVnLIqe-", "RFC 3501 §5.1.3's own example"),
        ("Entwürfe", b"Entw&APw-rfe", "ü is U+00FC: base64 of 00 FC"),
        ("&", b"&-", "RFC 3501 §5.1.3: \"&\" is represented by \"&-\""),
        ("Tom & Jerry", b"\"Tom &- Jerry\"", "SP forces quotes around the encoded name"),
        ("Drafts%", b"\"Drafts%\"", "list-wildcards are no ASTRING-CHAR"),
        ("", b"\"\"", "the empty name"),
    ];
    for (name, bytes, why) in rows {
        let (out, _) = emit(
            CommandBody::Select {
                mailbox: Mailbox::from_utf8(name),
                params: List::empty(),
            },
            &EmitOptions::new(),
        )
        .unwrap();
        let arg = out
            .strip_prefix(b"a1 SELECT ")
            .and_then(|a| a.strip_suffix(b"\r\n"))
            .unwrap();
        assert_eq!(arg, *bytes, "{why}");
        let (_, wire) = read_astring(arg, false).unwrap();
        // modified UTF-7 is 7-bit printable (RFC 3501 §5.1.3)
        assert!(wire.iter().all(|&b| (0x20..0x7f).contains(&b)), "{why}");
        if !name.eq_ignore_ascii_case("INBOX") {
            assert_eq!(utf7::decode(&wire).as_deref(), Some(*name), "{why}");
        }
        let c = parse_command(&out, &ParseOptions::STRICT).unwrap();
        let CommandBody::Select { mailbox, .. } = c.body else {
            panic!()
        };
        assert_eq!(mailbox, Mailbox::from_utf8(name), "{why}");
    }
}

/// `sequence-set`: valid sets are written as given; everything else cannot
/// be built.
#[test]
fn sequence_sets() {
    #[rustfmt::skip]
    let valid = [
        "1", "*", "1:*", "*:4", "4:2", "2,4:7,9,12:*", "4294967295", "1:4294967295",
        "$", // seq-last-command (RFC 5182, RFC 9051)
    ];
    for s in valid {
        assert!(is_sequence_set(s.as_bytes()), "{s}: the ABNF");
        let (out, _) = emit(
            CommandBody::Fetch {
                uid: false,
                set: SequenceSet::new(s).unwrap_or_else(|| panic!("{s}")),
                attributes: FetchAttributes::Fast,
                changed_since: None,
                vanished: false,
                partial: None,
            },
            &EmitOptions::new(),
        )
        .unwrap();
        assert_eq!(out, format!("a1 FETCH {s} FAST\r\n").as_bytes());
        let c = parse_command(&out, &ParseOptions::STRICT).unwrap();
        let CommandBody::Fetch { set, .. } = c.body else {
            panic!()
        };
        assert_eq!(set.as_str(), s);
    }
    #[rustfmt::skip]
    let invalid = [
        "", "0", "00", "01", "1:0", "0:1", ",", "1,", ",1", "1,,2", "1::2", "1:2:3", "a", "-1",
        "1 2", "4294967296", "1:4294967296", "$,1", "$$", "*:", ":*", "**",
    ];
    for s in invalid {
        assert!(!is_sequence_set(s.as_bytes()), "{s}: the ABNF");
        assert!(SequenceSet::new(s).is_none(), "{s}");
        let line = format!("a1 FETCH {s} FAST\r\n");
        assert!(
            parse_command(line.as_bytes(), &ParseOptions::STRICT).is_err(),
            "{s}"
        );
    }
}

/// `date` (SEARCH SINCE): `date-day` is 1*2DIGIT, written without a
/// leading zero and without quotes; both other forms read the same.
#[test]
fn dates() {
    let rows: &[((u16, u8, u8), &str)] = &[
        ((1994, 2, 1), "1-Feb-1994"), // RFC 3501 §6.4.4: SEARCH FLAGGED SINCE 1-Feb-1994
        ((2024, 12, 31), "31-Dec-2024"),
        ((2000, 1, 10), "10-Jan-2000"),
        ((999, 7, 4), "4-Jul-0999"), // date-year = 4DIGIT
    ];
    for &((y, m, d), text) in rows {
        let date = Date::new(y, m, d).unwrap();
        let (out, _) = emit(
            CommandBody::Search {
                uid: false,
                return_options: None,
                charset: None,
                criteria: List::from_items(vec![SearchKey::Since(date)]),
            },
            &EmitOptions::new(),
        )
        .unwrap();
        assert_eq!(out, format!("a1 SEARCH SINCE {text}\r\n").as_bytes());
        assert_eq!(read_date_text(text), Some((y, m, d)));
        // date = date-text / DQUOTE date-text DQUOTE; date-day = 1*2DIGIT;
        // RFC 5234 §2.3: quoted ABNF strings are case-insensitive ("FEB")
        for form in [
            text.to_string(),
            text.to_ascii_uppercase(),
            format!("\"{text}\""),
            format!(
                "{d:02}-{}-{y:04}",
                &text[text.find('-').unwrap() + 1..][..3]
            ),
        ] {
            let line = format!("a1 SEARCH SINCE {form}\r\n");
            let c = parse_command(line.as_bytes(), &ParseOptions::STRICT)
                .unwrap_or_else(|e| panic!("{form}: {e}"));
            let CommandBody::Search { criteria, .. } = c.body else {
                panic!()
            };
            assert_eq!(criteria.to_vec(), [SearchKey::Since(date)], "{form}");
        }
    }
    for (y, m, d) in [
        (2024, 0, 1),
        (2024, 13, 1),
        (2024, 1, 0),
        (2024, 1, 32),
        (10000, 1, 1),
    ] {
        assert!(Date::new(y, m, d).is_none(), "{y}-{m}-{d}");
    }
    // a Date built by hand out of range is not written
    let bad = Date {
        year: 2024,
        month: 13,
        day: 1,
    };
    let r = emit(
        CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![SearchKey::Since(bad)]),
        },
        &EmitOptions::new(),
    );
    assert!(matches!(r, Err(Error::Emit(_))));
}

/// `date-time` (APPEND): `date-day-fixed` written as 2DIGIT, `zone` as
/// sign and HHMM; the `SP DIGIT` day reads the same.
#[test]
fn date_times() {
    #[rustfmt::skip]
    let rows: &[(DateTimeFields, &str)] = &[
        // the INTERNALDATE of RFC 3501's FETCH example (§6.4.5)
        ((1996, 7, 17, 2, 44, 25, -7 * 60), "\"17-Jul-1996 02:44:25 -0700\""),
        ((2000, 1, 1, 0, 0, 0, 0), "\"01-Jan-2000 00:00:00 +0000\""),
        ((2021, 8, 9, 23, 59, 60, 5 * 60 + 30), "\"09-Aug-2021 23:59:60 +0530\""),
        ((2021, 8, 9, 12, 0, 1, -30), "\"09-Aug-2021 12:00:01 -0030\""),
    ];
    for &((y, mo, d, h, mi, s, z), text) in rows {
        let dt = DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, z).unwrap();
        let (out, _) = emit(
            CommandBody::Append {
                mailbox: Mailbox::Inbox,
                messages: List::from_items(vec![AppendMessage {
                    flags: None,
                    date: Some(dt),
                    data: (&b"x"[..]).into(),
                    binary: false,
                }]),
            },
            &EmitOptions::new().with_literals(LiteralStyle::NonSyncPlus),
        )
        .unwrap();
        assert_eq!(
            out,
            format!("a1 APPEND INBOX {text} {{1+}}\r\nx\r\n").as_bytes()
        );
        assert_eq!(
            read_date_time(text.as_bytes()),
            Some((y, mo, d, h, mi, s, z))
        );
        let fixed_sp = if d < 10 {
            text.replacen("\"0", "\" ", 1)
        } else {
            text.to_string()
        };
        for form in [text.to_string(), fixed_sp] {
            assert_eq!(
                read_date_time(form.as_bytes()),
                Some((y, mo, d, h, mi, s, z))
            );
            let line = format!("a1 APPEND INBOX {form} {{1+}}\r\nx\r\n");
            let c = parse_command(line.as_bytes(), &ParseOptions::STRICT)
                .unwrap_or_else(|e| panic!("{form}: {e}"));
            let CommandBody::Append { messages, .. } = c.body else {
                panic!()
            };
            assert_eq!(messages.iter().next().unwrap().date, Some(dt), "{form}");
        }
    }
    // not the grammar: day without the fixed width, a zone without sign
    for bad in [
        "\"1-Jan-2000 00:00:00 +0000\"",
        "\"01-Jan-2000 00:00:00 0000\"",
        "\"01-Jan-2000 0:00:00 +0000\"",
        "\"01-Jam-2000 00:00:00 +0000\"",
    ] {
        assert_eq!(read_date_time(bad.as_bytes()), None, "{bad}");
        let line = format!("a1 APPEND INBOX {bad} {{1+}}\r\nx\r\n");
        assert!(
            parse_command(line.as_bytes(), &ParseOptions::STRICT).is_err(),
            "{bad}"
        );
    }
}

/// `flag`, `flag-keyword`, `flag-extension` in a `flag-list` (STORE).
#[test]
fn flags_and_keywords() {
    let kw = |s: &'static str| Flag::Keyword(Atom::new(s).unwrap());
    let rows: Vec<(Flag<'static>, &str)> = vec![
        (Flag::Answered, "\\Answered"),
        (Flag::Flagged, "\\Flagged"),
        (Flag::Deleted, "\\Deleted"),
        (Flag::Seen, "\\Seen"),
        (Flag::Draft, "\\Draft"),
        (kw("$MDNSent"), "$MDNSent"),
        (kw("$Forwarded"), "$Forwarded"),
        (kw("$Junk"), "$Junk"),
        (kw("NonJunk"), "NonJunk"),
        (Flag::Extension(Atom::new("Foo").unwrap()), "\\Foo"),
    ];
    let flags: Vec<Flag<'static>> = rows.iter().map(|(f, _)| f.clone()).collect();
    let (out, _) = emit(
        CommandBody::Store {
            uid: false,
            set: SequenceSet::new("1").unwrap(),
            unchanged_since: None,
            kind: StoreKind::Add,
            silent: false,
            flags: List::from_items(flags.clone()),
        },
        &EmitOptions::new(),
    )
    .unwrap();
    let texts: Vec<&str> = rows.iter().map(|(_, t)| *t).collect();
    let expected = format!("a1 STORE 1 +FLAGS ({})\r\n", texts.join(" "));
    assert_eq!(String::from_utf8_lossy(&out), expected);
    for t in &texts {
        // flag-keyword = atom; flag-extension = "\" atom
        let body = t.strip_prefix('\\').unwrap_or(t);
        assert!(is_atom(body.as_bytes()), "{t}");
    }
    let c = parse_command(&out, &ParseOptions::STRICT).unwrap();
    let CommandBody::Store { flags: back, .. } = c.body else {
        panic!()
    };
    assert_eq!(back.to_vec(), flags);
    // A keyword is an atom: no atom-special, no 8-bit, not empty. Each of
    // these is refused when the value is built, so it never reaches the wire.
    for bad in [
        "", "a b", "a(b", "a)b", "a{b", "a%b", "a*b", "a\"b", "a\\b", "a]b", "a\x01", "a\x7f", "é",
    ] {
        assert!(!is_atom(bad.as_bytes()), "{bad:?}: the ABNF");
        assert!(Atom::new(bad).is_none(), "{bad:?}");
    }
}
