//! POP3 command emission, row by row against the RFC text: RFC 1939 §3 (keyword
//! and arguments), RFC 2449 §3 and §4 (the command grammar and its 255-octet
//! limit), RFC 1939 §7 (APOP's digest, PASS), RFC 5034 §4 (AUTH and its initial
//! response), RFC 2595 §4 (STLS), RFC 6856 (UTF8, LANG). Each emitted line is
//! checked by a small checker written from that text, not by mailwire's parser.

use mailwire::pop3::{Client, ClientConfig, Command};
use mailwire::{Secret, Text};

/// RFC 2449 §3: "command = keyword *(SP param) CRLF ;255 octets maximum",
/// "keyword = 3*4VCHAR", "param = 1*VCHAR". RFC 1939 §3: "Keywords and
/// arguments consist of printable ASCII characters.  Keywords and arguments
/// are each separated by a single SPACE character.  Keywords are three or four
/// characters long." `rest_is_one_param`: PASS, whose argument may hold
/// spaces (RFC 1939 §7: "Since the PASS command has exactly one argument, a
/// POP3 server may treat spaces in the argument as part of the password").
fn is_command(line: &[u8], rest_is_one_param: bool) -> bool {
    let Some(body) = line.strip_suffix(b"\r\n") else {
        return false;
    };
    if line.len() > 255 || body.contains(&b'\r') || body.contains(&b'\n') {
        return false;
    }
    let vchar = |b: &u8| (0x21..=0x7e).contains(b);
    let (keyword, rest) = match body.iter().position(|&b| b == b' ') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if !(3..=4).contains(&keyword.len()) || !keyword.iter().all(vchar) {
        return false;
    }
    match rest {
        None => true,
        Some(r) if rest_is_one_param => !r.is_empty() && r.iter().all(|b| vchar(b) || *b == b' '),
        Some(r) => r
            .split(|&b| b == b' ')
            .all(|p| !p.is_empty() && p.iter().all(vchar)),
    }
}

fn emitted(c: &Command<'_>) -> Result<Vec<u8>, mailwire::Error> {
    let mut out = Vec::new();
    c.emit(&mut out)?;
    Ok(out)
}

#[test]
fn every_command_emits_the_rfc_grammar() {
    let rows: Vec<(Command<'static>, &[u8])> = vec![
        (
            Command::User {
                name: Text::from("mrose"),
            },
            b"USER mrose\r\n",
        ),
        (
            Command::Pass {
                password: Secret::from("secret"),
            },
            b"PASS secret\r\n",
        ),
        (
            Command::Pass {
                password: Secret::from("two words"),
            },
            b"PASS two words\r\n",
        ),
        // RFC 1939 §7: "APOP mrose c4c9334bac560ecc979e58001b3e22fb"
        (
            Command::Apop {
                name: Text::from("mrose"),
                digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
            },
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
        ),
        (Command::Stat, b"STAT\r\n"),
        (Command::List { msg: None }, b"LIST\r\n"),
        (Command::List { msg: Some(2) }, b"LIST 2\r\n"),
        (Command::Retr { msg: 1 }, b"RETR 1\r\n"),
        (Command::Dele { msg: 4294967295 }, b"DELE 4294967295\r\n"),
        (Command::Noop, b"NOOP\r\n"),
        (Command::Rset, b"RSET\r\n"),
        (Command::Quit, b"QUIT\r\n"),
        (Command::Top { msg: 1, lines: 0 }, b"TOP 1 0\r\n"),
        (Command::Uidl { msg: None }, b"UIDL\r\n"),
        (Command::Uidl { msg: Some(7) }, b"UIDL 7\r\n"),
        (Command::Capa, b"CAPA\r\n"),
        (Command::Stls, b"STLS\r\n"),
        // RFC 5034 §4: "initial-response= base64 / "="", "=" standing for an
        // empty initial response
        (
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some("dGVzdAB0ZXN0AHRlc3Q=".into()),
            },
            b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
        ),
        (
            Command::Auth {
                mechanism: "EXTERNAL".into(),
                initial_response: Some("=".into()),
            },
            b"AUTH EXTERNAL =\r\n",
        ),
        (
            Command::Auth {
                mechanism: "GSSAPI".into(),
                initial_response: None,
            },
            b"AUTH GSSAPI\r\n",
        ),
        // RFC 6856 gives no ABNF: §2.1 adds the command "UTF8", §3.1 the
        // command "LANG"; §3.3's examples: "C: LANG", "C: LANG *", "C: LANG es"
        (Command::Utf8, b"UTF8\r\n"),
        (Command::Lang { tag: None }, b"LANG\r\n"),
        (
            Command::Lang {
                tag: Some("*".into()),
            },
            b"LANG *\r\n",
        ),
        (
            Command::Lang {
                tag: Some("de".into()),
            },
            b"LANG de\r\n",
        ),
    ];
    for (cmd, wire) in rows {
        let line = emitted(&cmd).unwrap();
        assert_eq!(line, wire, "{cmd:?}");
        let pass = matches!(cmd, Command::Pass { .. });
        assert!(
            is_command(&line, pass),
            "{:?}",
            String::from_utf8_lossy(&line)
        );
    }
}

// RFC 1939 §3: "Keywords and arguments consist of printable ASCII
// characters." RFC 5034 §4 takes AUTH's initial response as RFC 4954 §8 does:
// "initial-response= base64 / "="", "base64-char = ALPHA / DIGIT / "+" /
// "/"". Nothing that would read as another line, another argument or another
// keyword is emitted.
#[test]
fn what_is_never_emitted() {
    let bad: Vec<Command<'static>> = vec![
        Command::User {
            name: Text::from("a\r\nDELE 1"),
        },
        Command::User {
            name: Text::from(""),
        },
        Command::Pass {
            password: Secret::from("a\nb"),
        },
        Command::Pass {
            password: Secret::from("a\0b"),
        },
        Command::Apop {
            name: Text::from("mrose"),
            digest: "not hex".into(),
        },
        Command::Auth {
            mechanism: "PLA IN".into(),
            initial_response: None,
        },
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("not base64!".into()),
        },
        Command::Lang {
            tag: Some("d e".into()),
        },
        Command::Unknown {
            keyword: "X Y".into(),
            args: Text::from(""),
        },
        Command::Unknown {
            keyword: "RETR".into(),
            args: Text::from("1"),
        },
        // two arguments where the grammar has one (RFC 1939 §3: arguments
        // are separated by a single SPACE)
        Command::User {
            name: Text::from("a b"),
        },
        Command::Apop {
            name: Text::from("m rose"),
            digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
        },
        // RFC 1939 §7: 16 octets "in hexadecimal format, using lower-case
        // ASCII characters"
        Command::Apop {
            name: Text::from("mrose"),
            digest: "C4C9334BAC560ECC979E58001B3E22FB".into(),
        },
        Command::Apop {
            name: Text::from("mrose"),
            digest: "c4c9334bac560ecc".into(),
        },
        // RFC 4648 base64 comes in whole quanta of four characters
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("abc".into()),
        },
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("ab=c".into()),
        },
        // RFC 2449 §4: "the maximum length of a command line is 255 octets,
        // including the terminating CRLF"
        Command::User {
            name: Text::from("u".repeat(300)),
        },
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("AAAA".repeat(70).into()),
        },
    ];
    for cmd in bad {
        assert!(emitted(&cmd).is_err(), "{cmd:?}");
    }
}

// RFC 1939 §7: "the `digest' parameter is calculated by applying the MD5
// algorithm [RFC1321] to a string consisting of the timestamp (including
// angle-brackets) followed by a shared secret. [...] The `digest' parameter
// is itself a 16-octet value which is sent in hexadecimal format, using
// lower-case ASCII characters." Its example: greeting "+OK POP3 server ready
// <1896.697170952@dbc.mtview.ca.us>", secret "tanstaaf", "C: APOP mrose
// c4c9334bac560ecc979e58001b3e22fb".
#[test]
fn apop_line_from_the_rfc_example() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    while c.poll_event().unwrap().is_some() {}
    c.apop("mrose", &Secret::from("tanstaaf")).unwrap();
    let line = c.poll_transmit().unwrap();
    assert_eq!(
        &line[..],
        b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
    );
    assert!(is_command(&line, false));
}

// RFC 2449 §4: "The maximum length of a command is increased from 47
// characters (4 character command, single space, 40 character argument, CRLF)
// to 255 octets, including the terminating CRLF." An initial response that
// would not fit goes instead in answer to the server's first, empty,
// challenge, as RFC 5034 §4 allows for a mechanism with an initial response.
#[test]
fn auth_with_a_long_initial_response_stays_within_255_octets() {
    let mut c = Client::new({
        let mut cfg = ClientConfig::default();
        cfg.trust_unadvertised = true;
        cfg
    });
    c.handle_input(b"+OK ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    let long = "p".repeat(300);
    c.authenticate(mailwire::wire::sasl::Credentials::Plain {
        authzid: None,
        username: "u",
        password: long.as_str().into(),
    })
    .unwrap();
    let line = c.poll_transmit().unwrap();
    assert_eq!(&line[..], b"AUTH PLAIN\r\n");
    assert!(is_command(&line, false));
    // a short one goes with the command, within the limit
    let mut c = Client::new({
        let mut cfg = ClientConfig::default();
        cfg.trust_unadvertised = true;
        cfg
    });
    c.handle_input(b"+OK ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    c.authenticate(mailwire::wire::sasl::Credentials::Plain {
        authzid: None,
        username: "u",
        password: "p".into(),
    })
    .unwrap();
    let line = c.poll_transmit().unwrap();
    assert_eq!(&line[..], b"AUTH PLAIN AHUAcA==\r\n");
    assert!(is_command(&line, false));
}

// RFC 2449 §4: "the maximum length of a command line is 255 octets,
// including the terminating CRLF": 255 is emitted, 256 is not.
#[test]
fn command_lines_stop_at_255_octets() {
    let user = |n: usize| Command::User {
        name: Text::from("u".repeat(n)),
    };
    // "USER" SP name CRLF
    let line = emitted(&user(255 - 7)).unwrap();
    assert_eq!(line.len(), 255);
    assert!(emitted(&user(255 - 6)).is_err());
}
