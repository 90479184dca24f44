//! What the SMTP emitter produces and the parser reads, row by row against the
//! ABNF of the RFCs (each rule quoted where it is used): RFC 5321 §4.1.2 and
//! §4.1.3 (paths, mailboxes, domains, address literals, ESMTP parameters), RFC
//! 3461 §4 (xtext, NOTIFY, ORCPT, RET, ENVID), RFC 1870 (SIZE), RFC 6152 and
//! RFC 3030 (BODY), RFC 4954 §8 (AUTH=), RFC 6531 §3.3 (UTF-8 mailboxes).
//!
//! The rows and the small checkers below come from the RFC text, not from
//! what mailwire accepts: a row where the parser or the emitter disagrees with
//! the RFC fails.

use mailwire::smtp::*;
use std::net::{Ipv4Addr, Ipv6Addr};

// ---------------------------------------------------------------------------
// Independent checkers, written from RFC 5321 §4.1.2 / §4.1.3 and RFC 6531 §3.3
// ---------------------------------------------------------------------------

/// `atext` (RFC 5322 §3.2.3) `=/ UTF8-non-ascii` (RFC 6531 §3.3).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// `Dot-string = Atom *("."  Atom)`, `Atom = 1*atext`.
fn is_dot_string(s: &str) -> bool {
    s.split('.')
        .all(|a| !a.is_empty() && a.chars().all(is_atext))
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`,
/// `QcontentSMTP = qtextSMTP / quoted-pairSMTP`,
/// `quoted-pairSMTP = %d92 %d32-126`,
/// `qtextSMTP = %d32-33 / %d35-91 / %d93-126` `=/ UTF8-non-ascii`.
fn is_quoted_string(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return false;
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(' '..='~') => {}
                _ => return false,
            },
            '"' => return false,
            ' '..='~' => {}
            c if !c.is_ascii() => {}
            _ => return false,
        }
    }
    true
}

/// `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]`,
/// `Let-dig = ALPHA / DIGIT`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`
/// (`sub-domain =/ U-label`, RFC 6531 §3.3).
fn is_domain(s: &str) -> bool {
    let let_dig = |c: char| c.is_ascii_alphanumeric() || !c.is_ascii();
    s.split('.').all(|l| {
        let first = l.chars().next();
        let last = l.chars().last();
        first.is_some_and(let_dig)
            && last.is_some_and(let_dig)
            && l.chars().all(|c| let_dig(c) || c == '-')
    })
}

/// `Snum = 1*3DIGIT ; representing a decimal integer value in the range 0
/// through 255`; `IPv4-address-literal = Snum 3("."  Snum)`.
fn is_ipv4_literal(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().unwrap() <= 255
        })
}

/// `IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp` with
/// `IPv6-hex = 1*4HEXDIG`, `IPv6-full = IPv6-hex 7(":" IPv6-hex)`,
/// `IPv6-comp = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]`
/// ("No more than 6 groups in addition to the "::" may be present"),
/// `IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal`,
/// `IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::" [IPv6-hex *3(":" IPv6-hex)
/// ":"] IPv4-address-literal` ("No more than 4 groups in addition to the "::"
/// and IPv4-address-literal may be present").
fn is_ipv6_addr(s: &str) -> bool {
    let hexes = |p: &str| -> Option<usize> {
        if p.is_empty() {
            return Some(0);
        }
        p.split(':')
            .all(|h| (1..=4).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| p.split(':').count())
    };
    // IPv6v4 forms: the IPv4 literal after the last ':'
    let (body, v4) = match s.rsplit_once(':') {
        Some((b, v)) if v.contains('.') => {
            if !is_ipv4_literal(v) {
                return false;
            }
            // "::" right before the IPv4 literal keeps its second colon
            (
                if b.ends_with(':') {
                    &s[..b.len() + 1]
                } else {
                    b
                },
                true,
            )
        }
        _ => (s, false),
    };
    let max = if v4 { 4 } else { 6 };
    match body.split_once("::") {
        Some((h, t)) => match (hexes(h), hexes(t)) {
            (Some(a), Some(b)) => !t.contains("::") && a + b <= max,
            _ => false,
        },
        None => hexes(body) == Some(if v4 { 6 } else { 8 }),
    }
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`, `IPv6-address-literal = "IPv6:" IPv6-addr`,
/// `General-address-literal = Standardized-tag ":" 1*dcontent`,
/// `Standardized-tag = Ldh-str`, `dcontent = %d33-90 / %d94-126`.
fn is_address_literal(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
        return false;
    };
    if is_ipv4_literal(inner) {
        return true;
    }
    if let Some(v6) = inner.strip_prefix("IPv6:") {
        return is_ipv6_addr(v6);
    }
    let Some((tag, content)) = inner.split_once(':') else {
        return false;
    };
    let ldh = !tag.is_empty()
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && tag.as_bytes().last().unwrap().is_ascii_alphanumeric();
    ldh && !content.is_empty()
        && content
            .bytes()
            .all(|b| (33..=90).contains(&b) || (94..=126).contains(&b))
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`,
/// `Local-part = Dot-string / Quoted-string`.
fn is_mailbox(s: &str) -> bool {
    // the local part ends at the last '@' (a domain or literal has none)
    let Some((local, host)) = s.rsplit_once('@') else {
        return false;
    };
    (is_dot_string(local) || is_quoted_string(local))
        && (is_domain(host) || is_address_literal(host))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` as a sender emits it (RFC 5321
/// §4.1.2: the source route "SHOULD NOT be generated").
fn is_path(s: &str) -> bool {
    s.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .is_some_and(is_mailbox)
}

fn emit(c: &Command<'_>) -> Result<String, mailwire::Error> {
    let mut out = Vec::new();
    emit_command(c, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn mail(m: Mailbox<'_>) -> Command<'_> {
    Command::Mail {
        reverse_path: ReversePath::Mailbox(m),
        parameters: Parameters::default(),
    }
}

// ---------------------------------------------------------------------------
// Local-part: Dot-string or Quoted-string, with the least quoting
// ---------------------------------------------------------------------------

// RFC 5321 §4.1.2: "For any purposes that require generating or comparing
// Local-parts (e.g., to specific mailbox names), all quoted forms MUST be
// treated as equivalent, and the sending system SHOULD transmit the form that
// uses the minimum quoting possible." and "Note that the backslash, "\", is a
// quote character, which is used to indicate that the next character is to be
// used literally".
#[test]
fn local_part_rows() {
    let rows: &[(&str, &str)] = &[
        ("john", "john"),
        ("john.q.public", "john.q.public"),
        ("!#$%&'*+-/=?^_`{|}~", "!#$%&'*+-/=?^_`{|}~"),
        ("jöran", "jöran"), // atext =/ UTF8-non-ascii (RFC 6531 §3.3)
        (".john", "\".john\""),
        ("john.", "\"john.\""),
        ("jo..hn", "\"jo..hn\""),
        ("john smith", "\"john smith\""),
        ("jö ran", "\"jö ran\""),
        ("a,b", "\"a,b\""),
        ("a@b", "\"a@b\""),
        ("(c)", "\"(c)\""),
        ("a[b]:c;d<e>", "\"a[b]:c;d<e>\""),
        ("jo\"hn", "\"jo\\\"hn\""),
        ("jo\\hn", "\"jo\\\\hn\""),
        ("", "\"\""),
    ];
    for &(value, wire) in rows {
        let m = Mailbox::from_local_value(value, Host::Domain("example.org".into())).unwrap();
        assert_eq!(m.local_part, wire, "{value:?}");
        let line = emit(&mail(m)).unwrap();
        let path = line
            .strip_prefix("MAIL FROM:")
            .and_then(|l| l.strip_suffix("\r\n"))
            .unwrap();
        assert!(is_path(path), "{value:?}: {line:?}");
        // and the parser gives the value back
        let Ok(Command::Mail {
            reverse_path: ReversePath::Mailbox(back),
            ..
        }) = parse_command(line.trim_end().as_bytes())
        else {
            panic!("{line:?}")
        };
        assert_eq!(back.local_part_value(), value);
    }
    // RFC 5321 §4.1.2: control characters "MUST NOT be used in MAIL or RCPT
    // commands"; quoted-pairSMTP = %d92 %d32-126 cannot carry them either.
    for value in ["a\tb", "a\u{7f}b", "a\rb", "a\0b"] {
        assert!(
            Mailbox::from_local_value(value, Host::Domain("x.org".into())).is_err(),
            "{value:?}"
        );
    }
    // A wire-form local part that is neither a Dot-string nor a Quoted-string
    // is never emitted.
    for wire in [
        "john smith",
        ".john",
        "john.",
        "jo..hn",
        "a\"b",
        "\"open",
        "\"bad\\\u{7f}\"",
        "a\\b",
        "",
    ] {
        let m = Mailbox::new(wire, Host::Domain("example.org".into()));
        assert!(emit(&mail(m)).is_err(), "{wire:?}");
    }
}

// ---------------------------------------------------------------------------
// Paths, domains and address literals, as read
// ---------------------------------------------------------------------------

#[test]
fn path_rows_read() {
    // (path, valid per the ABNF)
    let rows: &[(&str, bool)] = &[
        ("<john@example.org>", true),
        ("<\"john smith\"@example.org>", true),
        ("<\"\"@example.org>", true),
        ("<\"a\\\"b\"@example.org>", true),
        ("<john@1.2.3.4>", true), // a Domain: sub-domain = Let-dig [Ldh-str]
        ("<john@a-b.example>", true),
        ("<john@[192.0.2.1]>", true),
        ("<john@[001.002.003.004]>", true), // Snum = 1*3DIGIT
        ("<john@[IPv6:2001:db8::1]>", true),
        ("<john@[IPv6:::1]>", true),
        ("<john@[IPv6:::]>", true),
        ("<john@[IPv6:1:2:3:4:5:6:7:8]>", true),
        ("<john@[IPv6:1:2:3:4:5:6::]>", true),
        ("<john@[IPv6:::ffff:192.0.2.1]>", true),
        ("<john@[IPv6:::192.0.2.1]>", true),
        ("<john@[IPv6:1:2:3:4:5:6:192.0.2.1]>", true),
        ("<john@[IPv6:1:2:3:4::192.0.2.1]>", true),
        ("<john@[x-tag:any%content:here]>", true),
        ("<jöran@exämple.org>", true), // RFC 6531 §3.3
        ("<用户@例子.广告>", true),
        ("<\"jö ran\"@example.org>", true),
        ("<john smith@example.org>", false),
        ("<.john@example.org>", false),
        ("<john.@example.org>", false),
        ("<jo..hn@example.org>", false),
        ("<\"open@example.org>", false),
        ("<john@-example.org>", false),
        ("<john@example-.org>", false),
        ("<john@exa_mple.org>", false), // "the underscore character is not permitted"
        ("<john@example..org>", false),
        ("<john@example.org.>", false),
        ("<john@>", false),
        ("<@example.org>", false),
        ("<john@example.org", false),
        ("<john@[256.0.0.1]>", false),
        ("<john@[1.2.3]>", false),
        ("<john@[1.2.3.4.5]>", false),
        ("<john@[1.2.3.1234]>", false),
        ("<john@[IPv6:1:2:3:4:5:6:7::]>", false), // 7 groups beside "::"
        ("<john@[IPv6:1::2:3:4:5:6:7]>", false),
        ("<john@[IPv6:1:2:3:4:5:6:7]>", false),
        ("<john@[IPv6:1:2:3:4:5:6:7:8:9]>", false),
        ("<john@[IPv6:12345::]>", false),
        ("<john@[IPv6:1::2::3]>", false),
        ("<john@[IPv6:1:2:3:4:5::1.2.3.4]>", false), // 5 groups beside "::" and IPv4
        ("<john@[IPv6:1:2:3:4:5:1.2.3.4]>", false),
        ("<john@[tag:]>", false),
        ("<john@[:content]>", false),
        ("<john@[tag-:x]>", false),
        ("<john@[a[b:c]>", false),
    ];
    for &(path, valid) in rows {
        assert_eq!(is_path(path), valid, "checker disagrees on {path}");
        let line = format!("MAIL FROM:{path}");
        let parsed = parse_command(line.as_bytes());
        assert_eq!(parsed.is_ok(), valid, "{line}: {parsed:?}");
        let rcpt = format!("RCPT TO:{path}");
        assert_eq!(parse_command(rcpt.as_bytes()).is_ok(), valid, "{rcpt}");
    }
    // "[001.002.003.004]" is the address 1.2.3.4.
    let Ok(Command::Mail {
        reverse_path: ReversePath::Mailbox(m),
        ..
    }) = parse_command(b"MAIL FROM:<a@[001.002.003.004]>")
    else {
        panic!()
    };
    assert_eq!(m.host, Host::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
    let Ok(Command::Mail {
        reverse_path: ReversePath::Mailbox(m),
        ..
    }) = parse_command(b"MAIL FROM:<a@[IPv6:1:2:3:4::192.0.2.1]>")
    else {
        panic!()
    };
    assert_eq!(
        m.host,
        Host::Ipv6("1:2:3:4::c000:201".parse::<Ipv6Addr>().unwrap())
    );
}

// RFC 5321 §4.1.2: "Reverse-path = Path / "<>"", "A-d-l = At-domain *( ","
// At-domain ) ; Note that this form, the so-called "source route", MUST BE
// accepted, SHOULD NOT be generated, and SHOULD be ignored." §4.1.1.3: "rcpt =
// "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )".
#[test]
fn reverse_path_source_route_and_postmaster() {
    assert_eq!(
        parse_command(b"MAIL FROM:<>").unwrap(),
        Command::Mail {
            reverse_path: ReversePath::Null,
            parameters: Parameters::default()
        }
    );
    assert_eq!(
        emit(&Command::Mail {
            reverse_path: ReversePath::Null,
            parameters: Parameters::default()
        })
        .unwrap(),
        "MAIL FROM:<>\r\n"
    );
    let Ok(Command::Rcpt {
        forward_path: ForwardPath::Mailbox(m),
        ..
    }) = parse_command(b"RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>")
    else {
        panic!()
    };
    assert_eq!(m.to_string(), "userc@d.bar.org");
    // emitted without the route
    let line = emit(&Command::Rcpt {
        forward_path: ForwardPath::Mailbox(m),
        parameters: Parameters::default(),
    })
    .unwrap();
    assert_eq!(line, "RCPT TO:<userc@d.bar.org>\r\n");
    for p in ["<Postmaster>", "<postmaster>", "<POSTMASTER>"] {
        assert_eq!(
            parse_command(format!("RCPT TO:{p}").as_bytes()).unwrap(),
            Command::Rcpt {
                forward_path: ForwardPath::Postmaster,
                parameters: Parameters::default()
            }
        );
    }
}

// ---------------------------------------------------------------------------
// Hosts, as emitted
// ---------------------------------------------------------------------------

#[test]
fn host_rows_emitted() {
    let v6 = |s: &str| Host::Ipv6(s.parse::<Ipv6Addr>().unwrap());
    let good = [
        Host::Domain("example.org".into()),
        Host::Domain("a-b.c0.example".into()),
        Host::Domain("例子.广告".into()),
        Host::Ipv4(Ipv4Addr::new(192, 0, 2, 1)),
        Host::Ipv4(Ipv4Addr::new(0, 0, 0, 0)),
        v6("2001:db8::1"),
        v6("::"),
        v6("::1"),
        v6("1::"),
        v6("1:0:2:3:4:5:6:7"), // one zero group: no "::" (it stands for two or more)
        v6("1:2:3:4:5:6:7:0"),
        v6("0:0:1:2:3:4:5:6"),
        v6("1:2:3:4:5:6:7:8"),
        v6("::ffff:192.0.2.1"),
        v6("::192.0.2.1"),
        Host::General {
            tag: "x-tag".into(),
            content: "any%content".into(),
        },
    ];
    for host in good {
        let m = Mailbox::new("a", host.clone());
        let line = emit(&mail(m.clone())).unwrap();
        let path = &line["MAIL FROM:".len()..line.len() - 2];
        assert!(is_path(path), "{host:?}: {line:?}");
        let Ok(Command::Mail {
            reverse_path: ReversePath::Mailbox(back),
            ..
        }) = parse_command(line.trim_end().as_bytes())
        else {
            panic!("{line:?}")
        };
        assert_eq!(back.host, host);
    }
    let bad = [
        Host::Domain("exa_mple.org".into()),
        Host::Domain("-a.org".into()),
        Host::Domain("a-.org".into()),
        Host::Domain("a..org".into()),
        Host::Domain("a.org.".into()),
        Host::Domain("".into()),
        Host::Domain("a b.org".into()),
        Host::General {
            tag: "tag-".into(),
            content: "x".into(),
        },
        Host::General {
            tag: "tag".into(),
            content: "".into(),
        },
        Host::General {
            tag: "tag".into(),
            content: "a]b".into(),
        },
    ];
    for host in bad {
        assert!(
            emit(&mail(Mailbox::new("a", host.clone()))).is_err(),
            "{host:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// esmtp-param
// ---------------------------------------------------------------------------

// RFC 5321 §4.1.2: "esmtp-param = esmtp-keyword ["=" esmtp-value]",
// "esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")", "esmtp-value =
// 1*(%d33-60 / %d62-126) ; any CHAR excluding "=", SP, and control
// characters."; RFC 6531 §3.3: "esmtp-value =/ UTF8-non-ascii".
#[test]
fn esmtp_param_rows() {
    let rows: &[(&str, bool)] = &[
        ("X-FOO", true),
        ("XFOO=bar", true),
        ("9X=1", true),
        ("X=!~", true),
        ("X=<a@b>", true),
        ("X=\u{e9}t\u{e9}", true),
        ("X-FOO=a X-BAR", true),
        ("-X", false),
        ("X_Y", false),
        ("X.Y=1", false),
        ("X=", false),
        ("X==", false),
        ("X=a=b", false),
        ("X=a\u{7f}", false),
        ("X=a\tb", false),
        ("\u{e9}X", false),
    ];
    for &(raw, valid) in rows {
        assert_eq!(Parameters::parse(raw).is_ok(), valid, "parse {raw:?}");
        let line = format!("MAIL FROM:<> {raw}");
        assert_eq!(parse_command(line.as_bytes()).is_ok(), valid, "{line:?}");
        // emitted through the typed API: only valid ones go
        if !raw.contains(' ') {
            let (keyword, value) = match raw.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (raw, None),
            };
            let mut p = Parameters::default();
            let pushed = p.push(&Parameter::Other {
                keyword: keyword.into(),
                value: value.map(Into::into),
            });
            assert_eq!(pushed.is_ok(), valid, "push {raw:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// RFC 3461: xtext, ENVID, ORCPT, NOTIFY, RET
// ---------------------------------------------------------------------------

/// RFC 3461 §4: "xtext = *( xchar / hexchar )", "xchar = any ASCII CHAR between
/// "!" (33) and "~" (126) inclusive, except for "+" and "="", "hexchar = ASCII
/// "+" immediately followed by two upper case hexadecimal digits".
fn is_xtext(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                let hex =
                    |c: Option<&u8>| c.is_some_and(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
                if !hex(b.get(i + 1)) || !hex(b.get(i + 2)) {
                    return false;
                }
                i += 3;
            }
            33..=126 if b[i] != b'=' => i += 1,
            _ => return false,
        }
    }
    true
}

// RFC 3461 §4: "When encoding an octet sequence as xtext: + Any ASCII CHAR
// between "!" and "~" inclusive, except for "+" and "=", MAY be encoded as
// itself. [...] + ASCII CHARs that fall outside the range above must be
// encoded as "hexchar"."
#[test]
fn xtext_encoding_of_every_octet() {
    for b in 0..=255u8 {
        let x = XText::encode(&[b]);
        let s = x.as_encoded();
        assert!(is_xtext(s), "{b}: {s}");
        let itself = (33..=126).contains(&b) && b != b'+' && b != b'=';
        if itself {
            assert_eq!(s.as_bytes(), [b]);
        } else {
            assert_eq!(s, format!("+{b:02X}"));
        }
        assert_eq!(x.decode().as_ref(), [b]);
    }
}

#[test]
fn dsn_parameter_rows() {
    let long = |n: usize| "a".repeat(n);
    let rows: Vec<(String, bool)> = vec![
        // envid-parameter = "ENVID=" xtext ; "The ENVID parameter MAY be up to
        // 100 characters in length." (§4.4)
        ("ENVID=QQ314159".into(), true),
        ("ENVID=a+2B+3Db".into(), true),
        ("ENVID=a+2b".into(), false), // "two upper case hexadecimal digits"
        ("ENVID=a+2".into(), false),
        ("ENVID=a+".into(), false),
        ("ENVID=a+ZZ".into(), false),
        (format!("ENVID={}", long(100)), true),
        (format!("ENVID={}", long(101)), false),
        ("ENVID".into(), false), // "MUST have an associated esmtp-value"
        // ret: "FULL" / "HDRS", "may be spelled in any combination of upper and
        // lower case letters" (§4.3)
        ("RET=FULL".into(), true),
        ("RET=hdrs".into(), true),
        ("RET=ALL".into(), false),
        ("RET".into(), false),
    ];
    for (raw, valid) in &rows {
        let line = format!("MAIL FROM:<> {raw}");
        assert_eq!(parse_command(line.as_bytes()).is_ok(), *valid, "{line}");
    }
    let rows: Vec<(String, bool)> = vec![
        // notify-esmtp-value = "NEVER" / 1#notify-list-element
        // notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
        // "the NEVER keyword MUST appear by itself" (§4.1)
        ("NOTIFY=NEVER".into(), true),
        ("NOTIFY=SUCCESS".into(), true),
        ("NOTIFY=SUCCESS,FAILURE,DELAY".into(), true),
        ("NOTIFY=delay,success".into(), true),
        ("NOTIFY=NEVER,SUCCESS".into(), false),
        ("NOTIFY=SUCCESS,NEVER".into(), false),
        ("NOTIFY=SOMETIMES".into(), false),
        ("NOTIFY".into(), false),
        // orcpt-parameter = "ORCPT=" original-recipient-address
        // original-recipient-address = addr-type ";" xtext ; addr-type = atom
        // "The entire ORCPT parameter MAY be up to 500 characters in length."
        ("ORCPT=rfc822;John+20Smith@example.org".into(), true),
        ("ORCPT=rfc822;".into(), true),  // xtext = *( ... )
        ("ORCPT=x_type;a".into(), true), // atom: any CHAR but specials
        ("ORCPT=rfc822".into(), false),
        ("ORCPT=;a".into(), false),
        ("ORCPT=rfc.822;a".into(), false), // "." is a special
        ("ORCPT=rfc822;a+2".into(), false),
        (format!("ORCPT=rfc822;{}", long(500 - 13)), true),
        (format!("ORCPT=rfc822;{}", long(500 - 12)), false),
    ];
    for (raw, valid) in &rows {
        let line = format!("RCPT TO:<a@b.org> {raw}");
        assert_eq!(parse_command(line.as_bytes()).is_ok(), *valid, "{line}");
    }
    // Emitted: NOTIFY lists and NEVER.
    let emit_one = |p: Parameter<'_>| {
        let mut ps = Parameters::default();
        ps.push(&p).map(|()| ps.as_str().to_string())
    };
    assert_eq!(
        emit_one(Parameter::Notify(Notify::NEVER)).unwrap(),
        "NOTIFY=NEVER"
    );
    assert_eq!(
        emit_one(Parameter::Notify(Notify {
            success: true,
            failure: false,
            delay: true
        }))
        .unwrap(),
        "NOTIFY=SUCCESS,DELAY"
    );
    assert_eq!(
        emit_one(Parameter::Orcpt {
            addr_type: "rfc822".into(),
            address: XText::encode(b"John Smith@example.org"),
        })
        .unwrap(),
        "ORCPT=rfc822;John+20Smith@example.org"
    );
    assert!(emit_one(Parameter::EnvId(XText::encode(long(101).as_bytes()))).is_err());
    assert!(emit_one(Parameter::EnvId(XText::from_encoded("a+2b"))).is_err());
}

// ---------------------------------------------------------------------------
// SIZE, BODY, AUTH=
// ---------------------------------------------------------------------------

// RFC 1870: "size-param ::= "SIZE=" size-value", "size-value ::=
// 1*20DIGIT".
#[test]
fn size_rows() {
    let rows: &[(&str, Option<u64>)] = &[
        ("SIZE=0", Some(0)),
        ("SIZE=1000", Some(1000)),
        ("SIZE=18446744073709551615", Some(u64::MAX)),
        // 20 digits, past what 64 bits hold: valid, and more than any limit
        ("SIZE=99999999999999999999", Some(u64::MAX)),
        ("SIZE=123456789012345678901", None), // 21 digits
        ("SIZE=-1", None),
        ("SIZE=1a", None),
        ("SIZE=", None),
        ("SIZE", None),
    ];
    for &(raw, size) in rows {
        let p = Parameters::parse(raw);
        assert_eq!(p.as_ref().ok().and_then(|p| p.size()), size, "{raw}");
        assert_eq!(p.is_ok(), size.is_some(), "{raw}");
    }
    let mut p = Parameters::default();
    p.push(&Parameter::Size(u64::MAX)).unwrap();
    assert_eq!(p.as_str(), "SIZE=18446744073709551615");
}

// RFC 6152 §2: "body-value ::= "7BIT" / "8BITMIME"", extended by RFC 3030 §3:
// "body-value ::= "7BIT" / "8BITMIME" / "BINARYMIME"".
#[test]
fn body_rows() {
    for (raw, body) in [
        ("BODY=7BIT", Some(Body::SevenBit)),
        ("BODY=8BITMIME", Some(Body::EightBitMime)),
        ("BODY=8bitmime", Some(Body::EightBitMime)),
        ("BODY=BINARYMIME", Some(Body::BinaryMime)),
        ("BODY=8BIT", None),
        ("BODY=BINARY", None),
        ("BODY=", None),
        ("BODY", None),
    ] {
        let p = Parameters::parse(raw);
        assert_eq!(
            p.ok()
                .and_then(|p| p.iter().next().map(Parameter::into_owned)),
            body.map(Parameter::Body),
            "{raw}"
        );
    }
    for (b, wire) in [
        (Body::SevenBit, "BODY=7BIT"),
        (Body::EightBitMime, "BODY=8BITMIME"),
        (Body::BinaryMime, "BODY=BINARYMIME"),
    ] {
        let mut p = Parameters::default();
        p.push(&Parameter::Body(b)).unwrap();
        assert_eq!(p.as_str(), wire);
    }
}

// RFC 4954 §8: "auth-param = "AUTH=" xtext ;; The decoded form of the xtext
// MUST be either a <mailbox> or the two characters "<>"", "xtext =
// *(xchar / hexchar) ;; non-US-ASCII is only allowed as hexchar", "hexchar =
// "+" HEXDIG HEXDIG", "xchar = %x21-2A / %x2C-3C / %x3E-7E"; §5.1: "C: MAIL
// FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com". HEXDIG, like every ABNF
// string, is case-insensitive (RFC 5234 §2.3).
#[test]
fn auth_param_rows() {
    for (raw, decoded) in [
        ("AUTH=<>", Some("<>")),
        ("AUTH=e+3Dmc2@example.com", Some("e=mc2@example.com")),
        ("AUTH=e+3dmc2@example.com", Some("e=mc2@example.com")),
        ("AUTH=j+C3+B6ran@example.com", Some("jöran@example.com")),
        ("AUTH=jöran@example.com", None),
        ("AUTH=a+2", None),
        ("AUTH=a+zz", None),
        ("AUTH=", None),
        ("AUTH", None),
    ] {
        let line = format!("MAIL FROM:<> {raw}");
        let got = match parse_command(line.as_bytes()) {
            Ok(Command::Mail { parameters, .. }) => match parameters.iter().next() {
                Some(Parameter::Auth(x)) => {
                    Some(String::from_utf8(x.decode().into_owned()).unwrap())
                }
                other => panic!("{other:?}"),
            },
            Ok(other) => panic!("{other:?}"),
            Err(_) => None,
        };
        assert_eq!(got.as_deref(), decoded, "{raw}");
    }
    let mut p = Parameters::default();
    p.push(&Parameter::Auth(XText::encode(b"e=mc2@example.com")))
        .unwrap();
    assert_eq!(p.as_str(), "AUTH=e+3Dmc2@example.com");
}

// RFC 6531 §3.4: "If the envelope or message being sent requires the
// capabilities of the SMTPUTF8 extension, the SMTPUTF8-aware SMTP client MUST
// supply the SMTPUTF8 parameter with the MAIL command.  If this parameter is
// provided, it MUST not accept a value."
#[test]
fn smtputf8_rows() {
    assert!(Parameters::parse("SMTPUTF8").unwrap().smtputf8());
    assert!(Parameters::parse("SMTPUTF8=yes").is_err());
    let m = Mailbox::parse("jöran@exämple.org").unwrap();
    assert!(
        emit(&mail(m.clone())).is_ok(),
        "the codec emits, the client checks"
    );
    let line = emit(&Command::Mail {
        reverse_path: ReversePath::Mailbox(m),
        parameters: Parameters::parse("SMTPUTF8").unwrap(),
    })
    .unwrap();
    assert_eq!(line, "MAIL FROM:<jöran@exämple.org> SMTPUTF8\r\n");
    // Bytes that are not UTF-8 are no UTF8-non-ascii.
    assert!(parse_command(b"MAIL FROM:<j\xf6ran@example.org>").is_err());
}
