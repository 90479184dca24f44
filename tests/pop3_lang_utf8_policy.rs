//! POP3 LANG and UTF8 USER (RFC 6856) and the LOGIN-DELAY and EXPIRE
//! capabilities (RFC 2449 §6.5, §6.7), on both machines, each fed
//! hand-written peer bytes taken from the RFCs' examples and grammar.

use std::borrow::Cow;

use mailwire::error::Unemittable;
use mailwire::pop3::{
    Capability, Client, ClientConfig, ClientEvent, Command, CommandKind, Expire, LanguageListing,
    Maildrop, ResponseCode, Server, ServerConfig, ServerEvent, parse_command, parse_response,
};
use mailwire::{Error, Text};

// ---- codec ----

/// RFC 6856 §3.3, the example listing:
/// "S: +OK Language listing follows:" "S: en English" "S: en-boont English
/// Boontling dialect" "S: de Deutsch" ...; "A language listing consists of
/// the language tag [RFC5646] of the message, optionally followed by a
/// single space and a human-readable description of the language".
#[test]
fn language_listing_parse_emit_round_trip() {
    let table: &[(&[u8], &str, &[u8])] = &[
        (b"en English", "en", b"English"),
        (
            b"en-boont English Boontling dialect",
            "en-boont",
            b"English Boontling dialect",
        ),
        (b"de Deutsch", "de", b"Deutsch"),
        ("sv Svenska".as_bytes(), "sv", b"Svenska"),
        (
            "es Espa\u{f1}ol".as_bytes(),
            "es",
            "Espa\u{f1}ol".as_bytes(),
        ),
        // the description is optional
        (b"i-default", "i-default", b""),
    ];
    for (line, tag, description) in table {
        let l = LanguageListing::parse(line).unwrap();
        assert_eq!(l.tag, *tag);
        assert_eq!(l.description.as_bytes(), *description);
        let mut out = Vec::new();
        l.emit(&mut out).unwrap();
        assert_eq!(&out, line);
    }
    for bad in [&b""[..], b" en English", b"\x01x"] {
        assert!(LanguageListing::parse(bad).is_err(), "{bad:?}");
    }
    // a tag with a space or a description with CRLF cannot be written
    for (tag, description) in [("e n", "x"), ("en", "a\r\nb"), ("", "x")] {
        let l = LanguageListing {
            tag: Cow::Borrowed(tag),
            description: Text::borrowed(description.as_bytes()),
        };
        assert!(l.emit(&mut Vec::new()).is_err());
    }
}

/// RFC 6856 §3.3: "C: LANG es" "S: +OK es Idioma cambiado"; §3.2: "the
/// server returns a +OK response followed by a single space, the exact
/// language tag selected, and another space. Human-readable text in the
/// appropriate language then appears in the rest of the line".
#[test]
fn lang_commands_and_the_set_answer() {
    // RFC 6856 §3.2 gives no ABNF: LANG with no argument, a "basic language
    // range" (RFC 4647), or the special "*"
    let table: &[(&[u8], Option<&str>)] = &[
        (b"LANG", None),
        (b"LANG es", Some("es")),
        (b"LANG *", Some("*")),
        (b"lang en-boont", Some("en-boont")),
    ];
    for (line, tag) in table {
        let cmd = parse_command(line).unwrap();
        assert_eq!(
            cmd,
            Command::Lang {
                tag: tag.map(Cow::Borrowed)
            }
        );
        assert!(cmd.is_multiline() == tag.is_none());
    }
    assert!(parse_command(b"LANG es de").is_err());
    let r = parse_response(b"+OK es Idioma cambiado").unwrap();
    let l = r.language().unwrap();
    assert_eq!(
        (&*l.tag, l.description.as_bytes()),
        ("es", &b"Idioma cambiado"[..])
    );
}

/// RFC 6856 §2.2 ("USER Argument to "UTF8" Capability": "If the USER
/// argument is included with this capability, it indicates that the server
/// accepts UTF-8 usernames and passwords"); RFC 2449 §6.5
/// "LOGIN-DELAY" with "minimum seconds between logins; optionally followed
/// by USER in AUTHORIZATION state", §6.7 "EXPIRE" with "server-guaranteed
/// minimum retention days, or NEVER; optionally followed by USER".
#[test]
fn capability_lines() {
    let table: &[(&[u8], Capability<'static>)] = &[
        (b"LANG", Capability::Lang),
        (b"UTF8", Capability::Utf8 { user: false }),
        (b"UTF8 USER", Capability::Utf8 { user: true }),
        (
            b"LOGIN-DELAY 900",
            Capability::LoginDelay {
                seconds: 900,
                per_user: false,
            },
        ),
        (
            b"LOGIN-DELAY 900 USER",
            Capability::LoginDelay {
                seconds: 900,
                per_user: true,
            },
        ),
        (
            b"EXPIRE NEVER",
            Capability::Expire {
                policy: Expire::Never,
                per_user: false,
            },
        ),
        (
            b"EXPIRE 60 USER",
            Capability::Expire {
                policy: Expire::Days(60),
                per_user: true,
            },
        ),
    ];
    for (line, cap) in table {
        assert_eq!(&Capability::parse(line).unwrap(), cap);
        let mut out = Vec::new();
        cap.emit(&mut out).unwrap();
        assert_eq!(&out, line);
    }
}

// ---- server ----

fn run(s: &mut Server, input: &[u8]) -> Vec<u8> {
    s.handle_input(input);
    while let Some(ev) = s.poll_event().unwrap() {
        match ev {
            ServerEvent::Login { .. } | ServerEvent::Apop(_) => {
                s.accept_login(Maildrop::new()).unwrap()
            }
            other => panic!("{other:?}"),
        }
    }
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

fn server(config: ServerConfig) -> Server {
    let mut s = Server::new(config.plaintext_requires_tls(false));
    assert!(run(&mut s, b"").starts_with(b"+OK POP3 server ready"));
    s
}

fn languages() -> Vec<(String, String)> {
    [
        ("en", "English"),
        ("en-boont", "English Boontling dialect"),
        ("de", "Deutsch"),
        ("es", "Espa\u{f1}ol"),
    ]
    .iter()
    .map(|(t, d)| (t.to_string(), d.to_string()))
    .collect()
}

/// The RFC 6856 §3.3 example, from the server's side: a listing, a language
/// the server does not have ("C: LANG MUL" "S: -ERR invalid language MUL"),
/// a change, and "C: LANG *" (the server's preferred language).
#[test]
fn server_lang_listing_and_selection() {
    let mut s = server(ServerConfig::default().languages(languages()));
    let capa = run(&mut s, b"CAPA\r\n");
    assert!(capa.windows(6).any(|w| w == b"\r\nLANG"), "{capa:?}");
    let out = run(&mut s, b"LANG\r\n");
    assert_eq!(
        out,
        "+OK language listing follows\r\nen English\r\nen-boont English Boontling dialect\r\nde Deutsch\r\nes Espa\u{f1}ol\r\n.\r\n"
            .as_bytes()
    );
    assert_eq!(run(&mut s, b"LANG MUL\r\n"), b"-ERR invalid language\r\n");
    assert_eq!(s.language(), None);
    assert_eq!(run(&mut s, b"LANG es\r\n"), b"+OK es language changed\r\n");
    assert_eq!(s.language(), Some("es"));
    // RFC 4647 basic filtering: "de" matches "de", "EN-BOONT" matches
    // "en-boont", "en-b" matches nothing (not a whole subtag)
    assert_eq!(
        run(&mut s, b"LANG EN-BOONT\r\n"),
        b"+OK en-boont language changed\r\n"
    );
    assert_eq!(run(&mut s, b"LANG en-b\r\n"), b"-ERR invalid language\r\n");
    assert_eq!(s.language(), Some("en-boont"));
    assert_eq!(run(&mut s, b"LANG *\r\n"), b"+OK en language changed\r\n");
    // valid in every state ("Commands valid in states: all")
    run(&mut s, b"USER karen\r\nPASS password\r\n");
    assert!(s.is_authenticated());
    assert_eq!(run(&mut s, b"LANG de\r\n"), b"+OK de language changed\r\n");
    // a language range a basic filter matches through a prefix
    let mut s = server(ServerConfig::default().languages(languages()));
    assert_eq!(run(&mut s, b"LANG en\r\n"), b"+OK en language changed\r\n");
}

#[test]
fn server_without_languages_refuses_lang() {
    let mut s = server(ServerConfig::default());
    let capa = run(&mut s, b"CAPA\r\n");
    assert!(!capa.windows(4).any(|w| w == b"LANG"));
    assert_eq!(run(&mut s, b"LANG\r\n"), b"-ERR LANG not supported\r\n");
}

/// RFC 6856 §2.2: "If the USER argument is included with this capability,
/// it indicates that the server accepts UTF-8 usernames and passwords";
/// "the client MAY use UTF-8 characters with a "USER", "PASS", or "APOP"
/// command; the client MAY do so before issuing the "UTF8" command".
#[test]
fn server_utf8_user() {
    let user = "USER j\u{fc}rgen\r\n".as_bytes();
    let pass = "PASS gr\u{fc}n\r\n".as_bytes();
    // UTF8 USER offered, UTF8 sent: accepted
    let mut s = server(ServerConfig::default().utf8(true).utf8_user(true));
    let capa = run(&mut s, b"CAPA\r\n");
    assert!(
        capa.windows(13).any(|w| w == b"\r\nUTF8 USER\r\n"),
        "{capa:?}"
    );
    assert_eq!(run(&mut s, b"UTF8\r\n"), b"+OK UTF8 enabled\r\n");
    assert_eq!(run(&mut s, user), b"+OK send PASS\r\n");
    assert_eq!(run(&mut s, pass), b"+OK maildrop has 0 messages\r\n");

    let refused: &[u8] =
        b"-ERR [UTF8] UTF-8 user names and passwords need UTF8 USER and the UTF8 command\r\n";
    // UTF8 USER offered but UTF8 not sent
    let mut s = server(ServerConfig::default().utf8(true).utf8_user(true));
    assert_eq!(run(&mut s, user), refused);
    // UTF8 without USER: UTF-8 mode, but not for credentials
    let mut s = server(ServerConfig::default().utf8(true));
    let capa = run(&mut s, b"CAPA\r\n");
    assert!(capa.windows(8).any(|w| w == b"\r\nUTF8\r\n"), "{capa:?}");
    run(&mut s, b"UTF8\r\n");
    assert_eq!(run(&mut s, user), refused);
    // an ASCII user with a UTF-8 password
    assert_eq!(run(&mut s, b"USER karen\r\n"), b"+OK send PASS\r\n");
    assert_eq!(run(&mut s, pass), refused);
    assert!(!s.is_authenticated());
    // APOP with a UTF-8 name
    let mut s = server(
        ServerConfig::default()
            .utf8(true)
            .apop_timestamp(Some("<1896.697170952@dbc.mtview.ca.us>".to_string())),
    );
    run(&mut s, b"UTF8\r\n");
    let apop = "APOP j\u{fc}rgen c4c9334bac560ecc979e58001b3e22fb\r\n".as_bytes();
    assert_eq!(run(&mut s, apop), refused);
}

/// RFC 2449 §6.5 and §6.7: the "USER" argument only "in AUTHORIZATION
/// state"; after login the value for that user.
#[test]
fn server_login_delay_and_expire() {
    let config = ServerConfig::default()
        .login_delay(Some(900))
        .login_delay_per_user(true)
        .expire(Some(Expire::Days(60)))
        .expire_per_user(true);
    let mut s = server(config);
    let capa = run(&mut s, b"CAPA\r\n");
    let text = String::from_utf8(capa).unwrap();
    assert!(text.contains("\r\nLOGIN-DELAY 900 USER\r\n"), "{text}");
    assert!(text.contains("\r\nEXPIRE 60 USER\r\n"), "{text}");
    run(&mut s, b"USER a\r\nPASS b\r\n");
    s.set_login_delay(3600);
    s.set_expire(Expire::Never);
    let text = String::from_utf8(run(&mut s, b"CAPA\r\n")).unwrap();
    assert!(text.contains("\r\nLOGIN-DELAY 3600\r\n"), "{text}");
    assert!(text.contains("\r\nEXPIRE NEVER\r\n"), "{text}");
    // the same value for everyone: no USER, before or after
    let config = ServerConfig::default().login_delay(Some(300));
    let mut s = server(config);
    let text = String::from_utf8(run(&mut s, b"CAPA\r\n")).unwrap();
    assert!(text.contains("\r\nLOGIN-DELAY 300\r\n"), "{text}");
    assert!(!text.contains("EXPIRE"));
    run(&mut s, b"USER a\r\nPASS b\r\n");
    let text = String::from_utf8(run(&mut s, b"CAPA\r\n")).unwrap();
    assert!(text.contains("\r\nLOGIN-DELAY 300\r\n"), "{text}");
}

/// RFC 2449 §8.1.2: "-ERR [LOGIN-DELAY]": the application enforces the
/// delay by refusing the login.
#[test]
fn server_login_delay_refusal_is_the_applications() {
    let mut s = server(ServerConfig::default().login_delay(Some(900)));
    s.handle_input(b"USER a\r\nPASS b\r\n");
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(ServerEvent::Login { .. })
    ));
    s.reject(Some(ResponseCode::LoginDelay), "wait 15 minutes")
        .unwrap();
    let out = s.poll_transmit().unwrap();
    assert_eq!(
        &out[..],
        b"+OK send PASS\r\n-ERR [LOGIN-DELAY] wait 15 minutes\r\n"
    );
}

// ---- client ----

fn client(cfg: ClientConfig, capa: &[u8]) -> Client {
    let mut c = Client::new(cfg);
    c.handle_input(b"+OK ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    c.capa().unwrap();
    assert_eq!(&c.poll_transmit().unwrap()[..], b"CAPA\r\n");
    c.handle_input(capa);
    while c.poll_event().unwrap().is_some() {}
    c
}

fn sent(c: &mut Client) -> Vec<u8> {
    let mut v = Vec::new();
    while let Some(b) = c.poll_transmit() {
        v.extend_from_slice(&b);
    }
    v
}

const CAPA: &[u8] = b"+OK Capability list follows\r\nUSER\r\nLANG\r\nUTF8 USER\r\nLOGIN-DELAY 900 USER\r\nEXPIRE NEVER\r\n.\r\n";

#[test]
fn client_reads_the_policy_capabilities() {
    let c = client(ClientConfig::default(), CAPA);
    let caps = c.capabilities();
    assert!(caps.lang() && caps.utf8_user());
    assert_eq!(caps.login_delay(), Some((900, true)));
    assert_eq!(caps.expire(), Some((Expire::Never, false)));
    let c = client(
        ClientConfig::default(),
        b"+OK\r\nUTF8\r\nEXPIRE 0 USER\r\n.\r\n",
    );
    let caps = c.capabilities();
    assert!(!caps.lang() && !caps.utf8_user());
    assert_eq!(caps.login_delay(), None);
    assert_eq!(caps.expire(), Some((Expire::Days(0), true)));
}

/// The RFC 6856 §3.3 example from the client's side.
#[test]
fn client_lang_list_and_set() {
    let mut c = client(ClientConfig::default(), CAPA);
    c.lang_list().unwrap();
    assert_eq!(sent(&mut c), b"LANG\r\n");
    c.handle_input(b"+OK Language listing follows:\r\nen English\r\nen-boont English Boontling dialect\r\nde Deutsch\r\n.\r\n");
    let mut tags = Vec::new();
    while let Some(ev) = c.poll_event().unwrap() {
        match ev {
            ClientEvent::Response { command, response } => {
                assert_eq!(command, CommandKind::Lang);
                assert!(response.is_ok());
            }
            ClientEvent::Language(l) => {
                tags.push((l.tag.to_string(), l.description.as_bytes().to_vec()))
            }
            ClientEvent::ListingEnd { command } => assert_eq!(command, CommandKind::Lang),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        tags,
        [
            ("en".to_string(), b"English".to_vec()),
            (
                "en-boont".to_string(),
                b"English Boontling dialect".to_vec()
            ),
            ("de".to_string(), b"Deutsch".to_vec()),
        ]
    );
    c.set_lang("es").unwrap();
    assert_eq!(sent(&mut c), b"LANG es\r\n");
    c.handle_input(b"+OK es Idioma cambiado\r\n");
    let Some(ClientEvent::Response { response, .. }) = c.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(response.language().unwrap().tag, "es");
    // "C: LANG uga" "S: -ERR es Idioma <<UGA>> no es conocido": one line
    c.set_lang("uga").unwrap();
    c.handle_input(b"-ERR es Idioma <<UGA>> no es conocido\r\n");
    let Some(ClientEvent::Response { response, .. }) = c.poll_event().unwrap() else {
        panic!()
    };
    assert!(!response.is_ok());
    assert_eq!(c.poll_event().unwrap(), None);
}

#[test]
fn client_lang_needs_the_capability() {
    let mut c = client(ClientConfig::default(), b"+OK\r\nUSER\r\n.\r\n");
    assert!(matches!(c.lang_list(), Err(Error::Misuse(_))));
    assert!(matches!(c.set_lang("de"), Err(Error::Misuse(_))));
    assert_eq!(c.poll_transmit(), None);
}

/// RFC 6856 §2: UTF-8 user names only to a server that offers `UTF8 USER`,
/// and only in UTF-8 mode.
#[test]
fn client_utf8_user_needs_utf8_user_and_utf8_mode() {
    let refused = Err(Error::Emit(Unemittable::NeedsUtf8User));
    // advertised, but UTF8 not sent yet
    let mut c = client(ClientConfig::default(), CAPA);
    assert_eq!(c.login("j\u{fc}rgen", "x"), refused);
    assert_eq!(c.login("karen", "gr\u{fc}n"), refused);
    assert_eq!(c.poll_transmit(), None);
    // UTF8 sent but not answered yet: still refused
    c.send_command(&Command::Utf8).unwrap();
    assert_eq!(sent(&mut c), b"UTF8\r\n");
    assert_eq!(c.login("j\u{fc}rgen", "x"), refused);
    c.handle_input(b"+OK UTF8 enabled\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert!(c.is_utf8());
    c.login("j\u{fc}rgen", "gr\u{fc}n").unwrap();
    let out = sent(&mut c);
    assert!(
        out.starts_with("USER j\u{fc}rgen\r\n".as_bytes()),
        "{out:?}"
    );

    // UTF8 without USER: UTF-8 mode, but no UTF-8 credentials
    let mut c = client(ClientConfig::default(), b"+OK\r\nUSER\r\nUTF8\r\n.\r\n");
    c.send_command(&Command::Utf8).unwrap();
    assert_eq!(sent(&mut c), b"UTF8\r\n");
    c.handle_input(b"+OK\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert!(c.is_utf8());
    assert_eq!(c.login("j\u{fc}rgen", "x"), refused);
    // ASCII is always fine
    c.login("karen", "password").unwrap();
    assert!(sent(&mut c).starts_with(b"USER karen\r\n"));
    // a refused UTF8 command leaves the client in ASCII mode
    let mut c = client(ClientConfig::default(), CAPA);
    c.send_command(&Command::Utf8).unwrap();
    c.handle_input(b"-ERR no\r\n");
    while c.poll_event().unwrap().is_some() {}
    assert!(!c.is_utf8());
    assert_eq!(c.login("j\u{fc}rgen", "x"), refused);
}

/// Regression (both machines let UTF-8 credentials through before): RFC
/// 6856 §2 allows them only after the UTF8 command, to a server whose
/// capability is `UTF8 USER`.
#[test]
fn regression_utf8_credentials_outside_utf8_mode() {
    let mut config = ServerConfig::default();
    config.utf8 = true;
    config.plaintext_requires_tls = false;
    let mut s = Server::new(config);
    s.handle_input("USER j\u{fc}rgen\r\n".as_bytes());
    while s.poll_event().unwrap().is_some() {}
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    assert!(out.ends_with(b"\r\n-ERR [UTF8] UTF-8 user names and passwords need UTF8 USER and the UTF8 command\r\n"), "{out:?}");

    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"+OK ready\r\n");
    while c.poll_event().unwrap().is_some() {}
    c.capa().unwrap();
    c.handle_input(b"+OK\r\nUSER\r\nUTF8\r\n.\r\n");
    while c.poll_event().unwrap().is_some() {}
    while c.poll_transmit().is_some() {}
    assert!(c.login("j\u{fc}rgen", "x").is_err());
    assert_eq!(c.poll_transmit(), None);
}
