//! XLIST, Gmail's legacy LIST with special-use attributes (before RFC 6154).
//! No RFC: Google's "IMAP Extensions" page (it advertises `XLIST` in its
//! CAPABILITY example) and the libraries that implement it show the command
//! with LIST's arguments and the response with LIST's shape:
//!
//! ```text
//! a004 XLIST "" "*"
//! * XLIST (\HasNoChildren \Inbox) "/" "Inbox"
//! * XLIST (\Noselect \HasChildren) "/" "[Gmail]"
//! * XLIST (\HasNoChildren \AllMail) "/" "[Gmail]/All Mail"
//! * XLIST (\HasNoChildren \Spam) "/" "[Gmail]/Spam"
//! a004 OK Success
//! ```
//! i.e. `xlist = "XLIST" SP mailbox SP list-mailbox` and
//! `mailbox-data =/ "XLIST" SP mailbox-list` with RFC 3501's rules.

mod common;

use common::imap::server_output;
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, CommandKind, Data, EmitOptions, ParseOptions,
    Response, Server, ServerConfig, ServerEvent, StatusKind, emit_command, emit_response,
    parse_command, parse_response,
};

const GMAIL_XLIST: [&[u8]; 4] = [
    b"* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n",
    b"* XLIST (\\Noselect \\HasChildren) \"/\" \"[Gmail]\"\r\n",
    b"* XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"\r\n",
    b"* XLIST (\\HasNoChildren \\Spam) \"/\" \"[Gmail]/Spam\"\r\n",
];

#[test]
fn command_parses_like_list_and_round_trips() {
    for (line, reference, pattern) in [
        (&b"a004 XLIST \"\" \"*\"\r\n"[..], &b""[..], &b"*"[..]),
        (b"a1 xlist \"\" %\r\n", b"", b"%"),
        (b"a2 XLIST \"[Gmail]\" \"*\"\r\n", b"[Gmail]", b"*"),
    ] {
        let c = parse_command(line, &ParseOptions::STRICT).unwrap();
        let CommandBody::Xlist {
            reference: r,
            pattern: p,
        } = &c.body
        else {
            panic!("{c:?}")
        };
        assert_eq!(r.as_bytes(), reference);
        assert_eq!(p.as_bytes(), pattern);
        assert_eq!(c.body.name(), "XLIST");
        let mut out = Vec::new();
        emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
        assert!(out.starts_with(c.tag.as_str().as_bytes()));
        assert_eq!(parse_command(&out, &ParseOptions::STRICT).unwrap(), c);
    }
    for bad in [
        &b"a1 XLIST\r\n"[..],
        b"a1 XLIST \"\"\r\n",
        b"a1 XLIST \"\" \r\n",
        b"a1 XLIST \"\" \"*\" extra\r\n",
        b"a1 XLIST \"unclosed \"*\"\r\n",
    ] {
        assert!(
            matches!(
                parse_command(bad, &ParseOptions::STRICT),
                Err(Error::Parse(_))
            ),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn responses_parse_into_the_list_value_and_round_trip() {
    let want = [
        // RFC 3501 §5.1: INBOX is case-insensitive; the value is INBOX
        ("INBOX", &["\\HasNoChildren", "\\Inbox"][..]),
        ("[Gmail]", &["\\Noselect", "\\HasChildren"]),
        ("[Gmail]/All Mail", &["\\HasNoChildren", "\\AllMail"]),
        ("[Gmail]/Spam", &["\\HasNoChildren", "\\Spam"]),
    ];
    for (line, (name, attrs)) in GMAIL_XLIST.iter().zip(want) {
        let r = parse_response(line, &ParseOptions::STRICT).unwrap();
        let Response::Data(Data::Xlist(m)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(m.mailbox.as_bytes(), name.as_bytes());
        assert_eq!(m.delimiter, Some('/'));
        let got: Vec<_> = m.attributes.iter().map(|a| a.as_str().to_owned()).collect();
        assert_eq!(got, attrs);
        let mut out = Vec::new();
        emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(parse_response(&out, &ParseOptions::STRICT).unwrap(), r);
        // the emitter picks the mailbox's form from its content
        // (`[Gmail]` is an astring; `"[Gmail]/All Mail"` needs quotes)
        if name.contains(' ') {
            assert_eq!(&out[..], *line, "{}", String::from_utf8_lossy(&out));
        }
    }
    for bad in [
        &b"* XLIST\r\n"[..],
        b"* XLIST (\\Inbox) \"/\"\r\n",
        b"* XLIST (\\Inbox \"/\" \"Inbox\"\r\n",
        b"* XLIST \\Inbox \"/\" \"Inbox\"\r\n",
        b"* XLIST (\\Inbox) \"//\" \"Inbox\"\r\n",
    ] {
        assert!(
            parse_response(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

fn drain(c: &mut Client) {
    while c.poll_event().unwrap().is_some() {}
}

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

fn logged_in(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY {caps}] ready\r\n").as_bytes());
    drain(&mut c);
    c
}

#[test]
fn client_gates_on_the_capability() {
    let mut c = logged_in("IMAP4rev1 SPECIAL-USE");
    assert!(matches!(
        c.xlist("", "*"),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "XLIST"
        }))
    ));
    assert_eq!(sent(&mut c), "");
}

#[test]
fn client_sends_and_reads_the_gmail_dialogue() {
    let mut c =
        logged_in("IMAP4rev1 UNSELECT LITERAL+ IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1");
    let tag = c.xlist("", "*").unwrap();
    assert_eq!(sent(&mut c), "A0001 XLIST \"\" *\r\n");
    for l in GMAIL_XLIST {
        c.handle_input(l);
    }
    c.handle_input(b"A0001 OK Success\r\n");
    let mut names = Vec::new();
    let mut done = None;
    while let Some(ev) = c.poll_event().unwrap() {
        match ev {
            ClientEvent::Data {
                data: Data::Xlist(m),
                ..
            } => names.push((
                String::from_utf8(m.mailbox.as_bytes().to_vec()).unwrap(),
                m.attributes.iter().any(|a| a.is("\\allmail")),
            )),
            ClientEvent::Completed {
                tag: t,
                command,
                status,
                ..
            } => done = Some((t.as_str() == tag.as_str(), command, status)),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        names,
        [
            ("INBOX".to_owned(), false),
            ("[Gmail]".to_owned(), false),
            ("[Gmail]/All Mail".to_owned(), true),
            ("[Gmail]/Spam".to_owned(), false)
        ]
    );
    assert_eq!(done, Some((true, CommandKind::Xlist, StatusKind::Ok)));
}

#[test]
fn server_hands_xlist_to_the_app_which_answers() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["XLIST".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a CAPABILITY\r\nb LOGIN u p\r\n");
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Login { tag, .. } = ev.into_owned() {
            s.complete(tag.as_str(), StatusKind::Ok, None, "ok")
                .unwrap();
        }
    }
    assert!(server_output(&mut s).contains(" XLIST"));
    s.handle_input(b"a004 XLIST \"\" \"*\"\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert!(matches!(c.body, CommandBody::Xlist { .. }), "{c:?}");
    let tag = c.tag.as_str().to_owned();
    let r = parse_response(GMAIL_XLIST[2], &ParseOptions::STRICT).unwrap();
    let Response::Data(d) = r else { panic!() };
    s.send_untagged_data(&d).unwrap();
    s.complete(&tag, StatusKind::Ok, None, "Success").unwrap();
    assert_eq!(
        server_output(&mut s),
        "* XLIST (\\HasNoChildren \\AllMail) \"/\" \"[Gmail]/All Mail\"\r\na004 OK Success\r\n"
    );
}
