//! The SMTP extensions of issue 20 against their texts: the server's
//! extension hook (RFC 5321 §4.1.1.1 ehlo-line, §4.1.1.11), XCLIENT and
//! XFORWARD (Postfix XCLIENT_README, XFORWARD_README: their grammar and their
//! example conversations), BURL (RFC 4468 §3), and the MAIL/RCPT parameters
//! of REQUIRETLS (RFC 8689), MT-PRIORITY (RFC 6710), DELIVERBY (RFC 2852),
//! FUTURERELEASE (RFC 4865), RRVS (RFC 7293) and NO-SOLICITING (RFC 3865).
//!
//! The peer's side is always hand-written bytes taken from those texts: a
//! server machine is fed client lines, a client machine is fed server
//! replies. Never our client against our server.

use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::smtp::*;

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// A server machine fed by hand: the test plays the client.
struct Srv {
    server: Server,
    /// Every event, owned, in order (body chunks included).
    events: Vec<ServerEvent<'static>>,
}

impl Srv {
    fn new(cfg: ServerConfig) -> Srv {
        let mut server = Server::new(cfg);
        while server.poll_transmit().is_some() {}
        Srv {
            server,
            events: Vec::new(),
        }
    }

    /// Feeds `input`; `answer` decides each event that waits for an answer
    /// (MAIL, RCPT and the end of data are accepted when it returns false).
    /// Returns what the server sent.
    fn feed(
        &mut self,
        input: &[u8],
        mut answer: impl FnMut(&ServerEvent<'static>, &mut Server) -> bool,
    ) -> String {
        self.server.handle_input(input);
        while let Ok(Some(ev)) = self.server.poll_event() {
            let ev = ev.into_owned();
            if !answer(&ev, &mut self.server) {
                if let ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::DataEnd =
                    ev
                {
                    self.server.accept().unwrap();
                }
            }
            self.events.push(ev);
        }
        self.take()
    }

    /// Feeds `input`, accepting MAIL, RCPT and messages, and nothing else.
    fn plain(&mut self, input: &[u8]) -> String {
        self.feed(input, |_, _| false)
    }

    fn take(&mut self) -> String {
        let mut out = Vec::new();
        while let Some(b) = self.server.poll_transmit() {
            out.extend_from_slice(&b);
        }
        String::from_utf8(out).unwrap()
    }
}

/// The code of every final reply line, in order.
fn codes(replies: &str) -> Vec<&str> {
    replies
        .split("\r\n")
        .filter(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

/// The EHLO lines (every line of the first 250 reply but the first).
fn ehlo_lines(replies: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for l in replies.split("\r\n").skip(1) {
        if let Some(rest) = l.strip_prefix("250-") {
            lines.push(rest.to_string());
        } else if let Some(rest) = l.strip_prefix("250 ") {
            lines.push(rest.to_string());
            break;
        }
    }
    lines
}

fn cfg() -> ServerConfig {
    ServerConfig::new("mx.example")
}

/// A client machine driven by hand: the test plays the server.
struct Peer {
    client: Client,
    wire: Vec<u8>,
    events: Vec<ClientEvent<'static>>,
}

impl Peer {
    /// A client that got `220` and this EHLO reply.
    fn ready(cfg: ClientConfig, ehlo: &[u8]) -> Peer {
        let mut p = Peer {
            client: Client::new(cfg),
            wire: Vec::new(),
            events: Vec::new(),
        };
        p.server(b"220 server.example.com ESMTP Postfix\r\n");
        assert_eq!(p.take_wire(), "EHLO client.example.com\r\n");
        p.server(ehlo);
        assert!(matches!(p.events.last(), Some(ClientEvent::Ready(_))));
        p.events.clear();
        p
    }

    fn server(&mut self, bytes: &[u8]) {
        self.client.handle_input(bytes);
        while let Some(ev) = self.client.poll_event().unwrap() {
            self.events.push(ev.into_owned());
        }
    }

    fn take_wire(&mut self) -> String {
        while let Some(b) = self.client.poll_transmit() {
            self.wire.extend_from_slice(&b);
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.wire)).into_owned()
    }

    /// The commands answered so far, in order.
    fn answered(&self) -> Vec<(CommandKind, u16)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { command, reply } => Some((*command, reply.code().get())),
                _ => None,
            })
            .collect()
    }
}

fn ccfg() -> ClientConfig {
    ClientConfig::new("client.example.com")
}

fn attrs(list: &[(XAttrName, &str)]) -> XAttributes<'static> {
    let mut a = XAttributes::default();
    for (n, v) in list {
        let v = if v.eq_ignore_ascii_case("[UNAVAILABLE]") {
            XValue::Unavailable
        } else {
            XValue::Value(XText::encode(v.as_bytes()))
        };
        a.push(*n, &v).unwrap();
    }
    a.into_owned()
}

fn misuse(r: Result<(), Error>) -> ApiMisuse {
    match r {
        Err(Error::Misuse(m)) => m,
        other => panic!("expected a misuse, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 1. The server's extension hook
// ---------------------------------------------------------------------------

// RFC 5321 §4.1.1.1:
//   ehlo-line  = ehlo-keyword *( SP ehlo-param )
//   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   ehlo-param = 1*(%d33-126)
#[test]
fn extra_ehlo_keywords_come_after_the_built_in_ones() {
    let mut c = cfg();
    c.add_ehlo_keyword("X-EXAMPLE fast slow").unwrap();
    c.add_ehlo_keyword("XSHADOW").unwrap();
    // A line set through the field that is not an ehlo-line is left out.
    c.extra_ehlo_keywords.push("BAD\r\n250 INJECTED".into());
    let mut s = Srv::new(c);
    let out = s.plain(b"EHLO client.example\r\n");
    let lines = ehlo_lines(&out);
    let n = lines.len();
    assert_eq!(lines[n - 2..], ["X-EXAMPLE fast slow", "XSHADOW"]);
    assert!(lines[n - 3].starts_with("LIMITS "), "{lines:?}");
    assert!(!out.contains("INJECTED"), "{out}");
    // LMTP's LHLO carries them too.
    let mut c = cfg().lmtp(true);
    c.add_ehlo_keyword("X-EXAMPLE").unwrap();
    let mut s = Srv::new(c);
    let out = s.plain(b"LHLO client.example\r\n");
    assert_eq!(ehlo_lines(&out).last().unwrap(), "X-EXAMPLE");
}

#[test]
fn ehlo_keywords_that_are_not_ehlo_lines_are_refused() {
    for bad in [
        "",
        "-X",
        "X_Y",
        "X  Y",
        "X Y ",
        "X Y\u{7f}",
        "X é",
        "X\r\n250 Y",
        "X\n",
    ] {
        let r = cfg().add_ehlo_keyword(bad).map(|_| ());
        assert!(matches!(r, Err(Error::Emit(_))), "{bad:?}: {r:?}");
    }
    assert!(cfg().add_ehlo_keyword(&"X".repeat(501)).is_err());
    assert!(cfg().add_ehlo_keyword("8BITMIME-X a=b,c").is_ok());
}

#[test]
fn unknown_verbs_get_500_unless_the_application_opts_in() {
    // The default is unchanged.
    let mut s = Srv::new(cfg());
    let out = s.plain(b"EHLO c\r\nXEXAMPLE one two\r\n");
    assert!(
        out.ends_with("500 5.5.2 Command not recognized\r\n"),
        "{out}"
    );
    assert_eq!(s.events.len(), 1); // only Hello
    // Opted in: an event; the application answers.
    let mut s = Srv::new(cfg().unknown_command_events(true));
    let out = s.feed(b"EHLO c\r\nXEXAMPLE one two\r\nXOTHER\r\n", |ev, srv| {
        if let ServerEvent::UnknownCommand { verb, .. } = ev {
            if verb == "XEXAMPLE" {
                let lines: [&[u8]; 2] = [b"first", b"second"];
                srv.reply(&Reply::new(ReplyCode::OK, None, &lines).unwrap())
                    .unwrap();
            } else {
                srv.accept().unwrap();
            }
            return true;
        }
        false
    });
    assert!(
        out.ends_with("250-first\r\n250 second\r\n250 2.0.0 OK\r\n"),
        "{out}"
    );
    assert_eq!(
        s.events[1],
        ServerEvent::UnknownCommand {
            verb: "XEXAMPLE".into(),
            arguments: b"one two".to_vec().into(),
        }
    );
    // A verb the crate knows but with bad syntax is still 501, not an event.
    let out = s.plain(b"MAIL TO:<x@y.example>\r\n");
    assert_eq!(codes(&out), ["501"]);
}

// A hostile client sends unknown verbs without end. Refused by the
// application, each counts as a bad command: after `Limits::bad_commands`
// the server answers 421 and closes, and its memory stays bounded.
#[test]
fn an_unknown_verb_flood_ends_the_session() {
    for opt_in in [false, true] {
        let mut s = Srv::new(cfg().unknown_command_events(opt_in));
        let flood = b"XFLOOD aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(200);
        let mut out = String::new();
        let mut events = 0;
        for _ in 0..50 {
            out += &s.feed(&flood, |ev, srv| {
                if let ServerEvent::UnknownCommand { .. } = ev {
                    events += 1;
                    srv.reject(502, EnhancedStatus::new(5, 5, 1).unwrap(), "No")
                        .unwrap();
                    return true;
                }
                false
            });
            assert!(
                s.server.memory_usage() < 200_000,
                "{}",
                s.server.memory_usage()
            );
        }
        assert!(s.server.is_closed(), "opt_in={opt_in}");
        assert!(out.ends_with("421 4.7.0 Too many errors, closing connection\r\n"));
        let refused = codes(&out).iter().filter(|c| **c != "421").count();
        assert_eq!(refused, 20, "opt_in={opt_in}"); // Limits::default().bad_commands
        assert_eq!(events, if opt_in { 20 } else { 0 });
    }
}

// RFC 5321 §4.1.1.11: "If the server SMTP does not recognize or cannot
// implement one or more of the parameters associated with a particular MAIL
// FROM or RCPT TO command, it will return code 555." Once the application
// lists the keyword, the parameter reaches it.
#[test]
fn unknown_parameters_reach_the_application_when_listed() {
    let input = b"EHLO c\r\nMAIL FROM:<a@b.example> X-TAG=1\r\n";
    let mut s = Srv::new(cfg());
    assert_eq!(codes(&s.plain(input))[1], "555");

    let c = cfg()
        .extra_mail_parameters(vec!["x-tag".to_string()])
        .extra_rcpt_parameters(vec!["X-RTAG".to_string()]);
    let mut s = Srv::new(c);
    let out = s.plain(b"EHLO c\r\nMAIL FROM:<a@b.example> X-TAG=1\r\nRCPT TO:<c@d.example> X-TAG=1\r\nRCPT TO:<c@d.example> X-RTAG\r\n");
    assert_eq!(codes(&out), ["250", "250", "555", "250"]);
    let ServerEvent::Mail { parameters, .. } = &s.events[1] else {
        panic!("{:?}", s.events)
    };
    assert_eq!(
        parameters.iter().collect::<Vec<_>>(),
        [Parameter::Other {
            keyword: "X-TAG".into(),
            value: Some("1".into())
        }]
    );
}

#[test]
fn vrfy_expn_help_etrn_keep_their_canned_replies_by_default() {
    let mut s = Srv::new(cfg());
    let out = s.plain(b"EHLO c\r\nVRFY bob\r\nEXPN staff\r\nHELP\r\nETRN example.org\r\n");
    assert!(!ehlo_lines(&out).iter().any(|l| l == "ETRN"));
    assert_eq!(codes(&out), ["250", "252", "502", "214", "502"]);
    assert_eq!(s.events.len(), 1);
}

#[test]
fn vrfy_expn_help_etrn_are_answered_by_the_application_when_it_opts_in() {
    let c = cfg()
        .vrfy_events(true)
        .expn_events(true)
        .help_events(true)
        .etrn_events(true);
    let mut s = Srv::new(c);
    let out = s.feed(
        b"EHLO c\r\nVRFY bob\r\nEXPN staff\r\nHELP MAIL\r\nETRN @example.org\r\nVRFY nobody\r\n",
        |ev, srv| {
            match ev {
                ServerEvent::Vrfy { argument } if argument == "bob" => srv
                    .reply(
                        &Reply::new(ReplyCode::OK, None, &[b"Bob <bob@example.org>".as_slice()])
                            .unwrap(),
                    )
                    .unwrap(),
                ServerEvent::Vrfy { .. } => srv
                    .reject(550, EnhancedStatus::new(5, 1, 1).unwrap(), "No such user")
                    .unwrap(),
                ServerEvent::Expn { .. } => {
                    let lines: [&[u8]; 2] = [b"<ann@example.org>", b"<bob@example.org>"];
                    srv.reply(&Reply::new(ReplyCode::OK, None, &lines).unwrap())
                        .unwrap()
                }
                ServerEvent::Help { topic } => {
                    assert_eq!(topic.as_deref(), Some("MAIL"));
                    srv.accept().unwrap()
                }
                ServerEvent::Etrn { node } => {
                    assert_eq!(node, "@example.org");
                    srv.accept().unwrap()
                }
                _ => return false,
            }
            true
        },
    );
    // RFC 1985 §3: the EHLO keyword of ETRN is "ETRN".
    assert!(ehlo_lines(&out).iter().any(|l| l == "ETRN"), "{out}");
    assert!(out.contains("\r\n250 Bob <bob@example.org>\r\n"), "{out}");
    assert!(out.contains("250-<ann@example.org>\r\n250 <bob@example.org>\r\n"));
    assert!(out.contains("214 2.0.0 See RFC 5321\r\n"));
    assert!(out.contains("250 2.0.0 Queuing started\r\n"));
    assert!(out.ends_with("550 5.1.1 No such user\r\n"));
}

#[test]
fn the_reply_method_is_checked() {
    let mut server = Server::new(cfg().vrfy_events(true));
    let ok = Reply::new(ReplyCode::OK, None, &[b"x".as_slice()]).unwrap();
    assert_eq!(misuse(server.reply(&ok)), ApiMisuse::NothingToAnswer);
    server.handle_input(b"EHLO c\r\nMAIL FROM:<>\r\n");
    while let Some(ev) = server.poll_event().unwrap() {
        if let ServerEvent::Mail { .. } = ev {
            break;
        }
    }
    // MAIL is answered with accept/reject.
    assert_eq!(misuse(server.reply(&ok)), ApiMisuse::UseDedicatedMethod);
    server.accept().unwrap();
    server.handle_input(b"VRFY bob\r\nNOOP\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Vrfy { .. })
    ));
    let intermediate = Reply::new(ReplyCode::START_DATA, None, &[b"go".as_slice()]).unwrap();
    assert_eq!(
        misuse(server.reply(&intermediate)),
        ApiMisuse::InvalidReplyCode
    );
    // RFC 5321 §3.8: 421 closes the session.
    let closing = Reply::new(ReplyCode::SERVICE_UNAVAILABLE, None, &[b"bye".as_slice()]).unwrap();
    server.reply(&closing).unwrap();
    assert!(server.is_closed());
}

// ---------------------------------------------------------------------------
// 2. XCLIENT and XFORWARD
// ---------------------------------------------------------------------------

// XCLIENT_README:
//   xclient-command = XCLIENT 1*( SP attribute-name"="attribute-value )
//   attribute-name = ( NAME | ADDR | PORT | PROTO | HELO | LOGIN | DESTADDR | DESTPORT )
//   attribute-value = xtext
// XFORWARD_README:
//   xforward-command = XFORWARD 1*( SP attribute-name"="attribute-value )
//   attribute-name = ( NAME | ADDR | PORT | PROTO | HELO | IDENT | SOURCE )
//   attribute-value = xtext
// "Although command and attribute names are shown in upper case, they are in
// fact case insensitive." "[UNAVAILABLE], [TEMPUNAVAIL] and IPV6: may be
// specified in upper case, lower case or mixed case."
#[test]
fn xclient_and_xforward_lines_parse_typed() {
    let c = parse_command(b"XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2").unwrap();
    let Command::Xclient { attributes } = &c else {
        panic!("{c:?}")
    };
    let got: Vec<_> = attributes.iter().collect();
    assert_eq!(
        got,
        [
            XAttribute {
                name: XAttrName::Name,
                value: XValue::Value(XText::from_encoded("spike.porcupine.org")),
            },
            XAttribute {
                name: XAttrName::Addr,
                value: XValue::Value(XText::from_encoded("168.100.189.2")),
            },
        ]
    );
    let c = parse_command(
        b"xclient name=[TempUnavail] addr=IPV6:2001:db8::1 port=4711 login=[unavailable] helo=a+2Bb",
    )
    .unwrap();
    let Command::Xclient { attributes: a } = &c else {
        panic!()
    };
    assert_eq!(a.get(XAttrName::Name), Some(XValue::TempUnavail));
    assert_eq!(a.get(XAttrName::Port).unwrap().port(), Some(4711));
    assert_eq!(a.get(XAttrName::Login), Some(XValue::Unavailable));
    let XValue::Value(helo) = a.get(XAttrName::Helo).unwrap() else {
        panic!()
    };
    assert_eq!(&*helo.decode(), b"a+b");
    let c = parse_command(
        b"XFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP IDENT=3CF6B2AAE8 SOURCE=remote",
    )
    .unwrap();
    let Command::Xforward { attributes: a } = &c else {
        panic!("{c:?}")
    };
    assert_eq!(a.iter().count(), 5);
    assert_eq!(
        a.get(XAttrName::Ident),
        Some(XValue::Value(XText::from_encoded("3CF6B2AAE8")))
    );
    // Round trips.
    for line in [
        &b"XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2"[..],
        b"XCLIENT DESTADDR=192.0.2.1 DESTPORT=25 PROTO=SMTP",
        b"XFORWARD HELO=spike.porcupine.org",
        b"XFORWARD SOURCE=LOCAL PORT=[UNAVAILABLE]",
    ] {
        let c = parse_command(line).unwrap();
        let mut out = Vec::new();
        emit_command(&c, &mut out).unwrap();
        assert_eq!(out, [line, b"\r\n"].concat());
        assert_eq!(parse_command(&out).unwrap(), c);
    }
}

#[test]
fn malformed_x_attributes_are_refused() {
    let long = format!("XCLIENT NAME={}", "a".repeat(256));
    let edge = format!("XCLIENT NAME={}", "a".repeat(255));
    for bad in [
        "XCLIENT",
        "XCLIENT ",
        "XCLIENT NAME",
        "XCLIENT NAME=",
        "XCLIENT FOO=bar",
        "XCLIENT IDENT=x",        // an XFORWARD attribute
        "XFORWARD LOGIN=x",       // an XCLIENT attribute
        "XFORWARD DESTPORT=25",   // an XCLIENT attribute
        "XCLIENT NAME=a+zz",      // hexchar = "+" 2(upper case hex)
        "XCLIENT NAME=a+2b",      // lower case hex digit
        "XCLIENT NAME=a=b",       // "=" is not an xchar
        "XCLIENT NAME=caf\u{e9}", // non-ASCII is not xtext
        "XCLIENT PORT=65536",
        "XCLIENT PORT=-1",
        "XCLIENT PORT=25x",
        "XFORWARD SOURCE=ELSEWHERE",
        "XCLIENT ADDR=[TEMPUNAVAIL]", // only for NAME
        "XCLIENT NAME=a  ADDR=b",
        "XCLIENT NAME=a\tADDR=b",
        &long,
    ] {
        assert!(parse_command(bad.as_bytes()).is_err(), "{bad:?}");
    }
    assert!(parse_command(edge.as_bytes()).is_ok());
    assert!(XAttributes::parse("NAME=a IDENT=b", true).is_err());
    assert!(XAttributes::parse("NAME=a IDENT=b", false).is_ok());
    let mut a = XAttributes::default();
    for v in ["", "a b", "a\r\nb", "x=y"] {
        assert!(
            a.push(XAttrName::Name, &XValue::Value(XText::from_encoded(v)))
                .is_err(),
            "{v:?}"
        );
    }
    assert!(a.is_empty());
    // An XCLIENT with an XFORWARD attribute cannot be emitted.
    let cmd = Command::Xclient {
        attributes: attrs(&[(XAttrName::Source, "LOCAL")]),
    };
    assert!(matches!(
        emit_command(&cmd, &mut Vec::new()),
        Err(Error::Emit(_))
    ));
}

fn xclient_cfg() -> ServerConfig {
    ServerConfig::new("server.example.com")
        .greeting("ESMTP Postfix")
        .xclient(true)
}

// The XCLIENT_README example, server side:
//   220 server.example.com ESMTP Postfix
//   EHLO client.example.com
//   250-server.example.com
//   ...
//   250-XCLIENT NAME ADDR PROTO HELO
//   250 8BITMIME
//   XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2
//   220 server.example.com ESMTP Postfix
//   EHLO spike.porcupine.org
//   250-server.example.com
//   ...
//   MAIL FROM:<wietse@porcupine.org>
//   250 Ok
// and "Upon receipt of a correctly formatted XCLIENT command, the server
// resets state to the initial SMTP greeting protocol stage, and sends the SMTP
// greeting".
#[test]
fn xclient_server_follows_the_readme_example() {
    let mut s = Srv::new(xclient_cfg());
    let out = s.plain(b"EHLO client.example.com\r\n");
    assert!(
        ehlo_lines(&out)
            .iter()
            .any(|l| l == "XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT"),
        "{out}"
    );
    let out = s.feed(
        b"XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2\r\n",
        |ev, srv| {
            if let ServerEvent::Xclient(a) = ev {
                assert_eq!(
                    a.get(XAttrName::Addr),
                    Some(XValue::Value(XText::from_encoded("168.100.189.2")))
                );
                srv.accept().unwrap();
                return true;
            }
            false
        },
    );
    assert_eq!(out, "220 server.example.com ESMTP Postfix\r\n");
    // The session starts over: EHLO first.
    let out = s.plain(b"MAIL FROM:<wietse@porcupine.org>\r\n");
    assert_eq!(codes(&out), ["503"]);
    let out = s.plain(b"EHLO spike.porcupine.org\r\nMAIL FROM:<wietse@porcupine.org>\r\n");
    assert_eq!(codes(&out), ["250", "250"]);
}

// XCLIENT_README reply codes: "501 | bad command parameter syntax", "503 |
// mail transaction in progress", "550 | insufficient authorization". "The
// XCLIENT command may be sent at any time, except in the middle of a mail
// delivery transaction".
#[test]
fn xclient_server_refusals() {
    let mut s = Srv::new(xclient_cfg());
    let out = s.plain(
        b"EHLO c\r\nXCLIENT NAME=a+zz\r\nXCLIENT IDENT=x\r\nXCLIENT\r\nxclient port=99999\r\n",
    );
    assert_eq!(codes(&out), ["250", "501", "501", "501", "501"]);
    let out = s.plain(b"MAIL FROM:<a@b.example>\r\nXCLIENT NAME=x\r\nXFORWARD NAME=x\r\n");
    // XFORWARD is not configured here: an unknown command.
    assert_eq!(codes(&out), ["250", "503", "500"]);
    let out = s.plain(b"RSET\r\n");
    assert_eq!(codes(&out), ["250"]);
    let out = s.feed(b"XCLIENT NAME=x\r\n", |ev, srv| {
        if let ServerEvent::Xclient(_) = ev {
            srv.reject(
                550,
                EnhancedStatus::new(5, 7, 0).unwrap(),
                "Insufficient authorization",
            )
            .unwrap();
            return true;
        }
        false
    });
    assert_eq!(out, "550 5.7.0 Insufficient authorization\r\n");
    // Refused: the session goes on as it was (no new EHLO needed).
    assert_eq!(codes(&s.plain(b"MAIL FROM:<a@b.example>\r\n")), ["250"]);
    // Not configured: XCLIENT is a command like any unknown one.
    let mut s = Srv::new(cfg());
    let out = s.plain(b"EHLO c\r\nXCLIENT NAME=x\r\n");
    assert!(!out.contains("XCLIENT"));
    assert_eq!(codes(&out), ["250", "500"]);
    let mut s = Srv::new(cfg().unknown_command_events(true));
    s.feed(b"EHLO c\r\nXCLIENT NAME=x\r\n", |ev, srv| {
        matches!(ev, ServerEvent::UnknownCommand { .. }) && srv.accept().is_ok()
    });
    assert!(matches!(
        &s.events[1],
        ServerEvent::UnknownCommand { verb, .. } if verb == "XCLIENT"
    ));
}

// The XFORWARD_README example, server side:
//   250-XFORWARD NAME ADDR PROTO HELO
//   XFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP
//   250 Ok
//   XFORWARD HELO=spike.porcupine.org
//   250 Ok
//   MAIL FROM:<wietse@porcupine.org>
//   250 Ok
#[test]
fn xforward_server_follows_the_readme_example() {
    let mut s = Srv::new(cfg().xforward(true));
    let mut seen = Vec::new();
    let out = s.feed(
        b"EHLO client.example.com\r\nXFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP\r\nXFORWARD HELO=spike.porcupine.org\r\nMAIL FROM:<wietse@porcupine.org>\r\nXFORWARD IDENT=x\r\n",
        |ev, srv| {
            if let ServerEvent::Xforward(a) = ev {
                seen.push(a.as_str().to_string());
                srv.accept().unwrap();
                return true;
            }
            false
        },
    );
    assert!(
        ehlo_lines(&out)
            .iter()
            .any(|l| l == "XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE")
    );
    // "503 | mail transaction in progress"
    assert_eq!(codes(&out), ["250", "250", "250", "250", "503"]);
    assert_eq!(
        seen,
        [
            "NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP",
            "HELO=spike.porcupine.org"
        ]
    );
    let out = s.plain(b"RSET\r\nXFORWARD SOURCE=ELSEWHERE\r\nXFORWARD LOGIN=x\r\n");
    assert_eq!(codes(&out), ["250", "501", "501"]);
}

// The XCLIENT_README example, client side (the server's lines written from
// the README; our EHLO reply parser reads `XCLIENT NAME ADDR PROTO HELO`).
#[test]
fn xclient_client_follows_the_readme_example() {
    let ehlo = b"250-server.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-XCLIENT NAME ADDR PROTO HELO\r\n250 8BITMIME\r\n";
    let mut p = Peer::ready(ccfg(), ehlo);
    let a = attrs(&[
        (XAttrName::Name, "spike.porcupine.org"),
        (XAttrName::Addr, "168.100.189.2"),
    ]);
    p.client.xclient(&a).unwrap();
    assert_eq!(
        p.take_wire(),
        "XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2\r\n"
    );
    // Until the answer, nothing else goes.
    assert_eq!(
        misuse(p.client.mail(&ReversePath::Null, &Parameters::default())),
        ApiMisuse::NotReady
    );
    p.server(b"220 server.example.com ESMTP Postfix\r\n");
    assert_eq!(p.answered(), [(CommandKind::Xclient, 220)]);
    assert_eq!(p.take_wire(), "EHLO client.example.com\r\n");
    assert!(!p.client.is_ready());
    p.server(ehlo);
    assert!(matches!(p.events.last(), Some(ClientEvent::Ready(_))));
    let from = Mailbox::parse("wietse@porcupine.org").unwrap();
    p.client
        .mail(&ReversePath::Mailbox(from), &Parameters::default())
        .unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<wietse@porcupine.org>\r\n");
}

#[test]
fn xclient_client_refuses_what_was_not_advertised() {
    let mut p = Peer::ready(ccfg(), b"250-server.example.com\r\n250 8BITMIME\r\n");
    let a = attrs(&[(XAttrName::Name, "x")]);
    assert_eq!(
        misuse(p.client.xclient(&a)),
        ApiMisuse::NotAdvertised {
            extension: "XCLIENT"
        }
    );
    assert_eq!(
        misuse(p.client.xforward(&a)),
        ApiMisuse::NotAdvertised {
            extension: "XFORWARD"
        }
    );
    let mut p = Peer::ready(
        ccfg(),
        b"250-server.example.com\r\n250-XFORWARD NAME ADDR PROTO HELO\r\n250 XCLIENT NAME ADDR PROTO HELO\r\n",
    );
    // "It is followed by the names of the attributes that the XCLIENT
    // implementation supports": PORT is not among them.
    let port = attrs(&[(XAttrName::Name, "x"), (XAttrName::Port, "25")]);
    assert_eq!(
        misuse(p.client.xclient(&port)),
        ApiMisuse::NotAdvertised {
            extension: "XCLIENT PORT"
        }
    );
    let ident = attrs(&[(XAttrName::Ident, "3CF6B2AAE8")]);
    assert_eq!(
        misuse(p.client.xforward(&ident)),
        ApiMisuse::NotAdvertised {
            extension: "XFORWARD IDENT"
        }
    );
    // Not in the middle of a transaction.
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    assert_eq!(misuse(p.client.xclient(&a)), ApiMisuse::InsideTransaction);
    assert_eq!(misuse(p.client.xforward(&a)), ApiMisuse::InsideTransaction);
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
    // Trusting unadvertised extensions lets an attribute through, but never
    // one the command's grammar lacks.
    let mut p = Peer::ready(
        ccfg().trust_unadvertised(true),
        b"250-server.example.com\r\n250 XFORWARD NAME\r\n",
    );
    let login = attrs(&[(XAttrName::Login, "x")]);
    assert!(matches!(p.client.xforward(&login), Err(Error::Emit(_))));
    p.client.xforward(&ident).unwrap();
    assert_eq!(p.take_wire(), "XFORWARD IDENT=3CF6B2AAE8\r\n");
}

#[test]
fn xclient_client_after_a_refusal_or_an_old_250() {
    let ehlo = b"250-server.example.com\r\n250 XCLIENT NAME ADDR PROTO HELO\r\n";
    let mut p = Peer::ready(ccfg(), ehlo);
    let a = attrs(&[(XAttrName::Name, "x")]);
    p.client.xclient(&a).unwrap();
    p.take_wire();
    p.server(b"550 5.7.0 Insufficient authorization\r\n");
    assert_eq!(p.answered(), [(CommandKind::Xclient, 550)]);
    assert!(p.client.is_ready());
    assert!(p.client.capabilities().has("XCLIENT"));
    assert_eq!(p.take_wire(), "");
    // The first XCLIENT_README (Postfix 2.1) answered 250 and kept the session.
    p.client.xclient(&a).unwrap();
    p.take_wire();
    p.server(b"250 Ok\r\n");
    assert!(p.client.is_ready());
    assert_eq!(p.take_wire(), "");
}

// The XFORWARD_README example, client side.
#[test]
fn xforward_client_follows_the_readme_example() {
    let ehlo = b"250-server.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-XFORWARD NAME ADDR PROTO HELO\r\n250 8BITMIME\r\n";
    let mut p = Peer::ready(ccfg(), ehlo);
    p.client
        .xforward(&attrs(&[
            (XAttrName::Name, "spike.porcupine.org"),
            (XAttrName::Addr, "168.100.189.2"),
            (XAttrName::Proto, "ESMTP"),
        ]))
        .unwrap();
    assert_eq!(
        p.take_wire(),
        "XFORWARD NAME=spike.porcupine.org ADDR=168.100.189.2 PROTO=ESMTP\r\n"
    );
    p.server(b"250 Ok\r\n");
    p.client
        .xforward(&attrs(&[(XAttrName::Helo, "spike.porcupine.org")]))
        .unwrap();
    assert_eq!(p.take_wire(), "XFORWARD HELO=spike.porcupine.org\r\n");
    p.server(b"250 Ok\r\n");
    assert_eq!(
        p.answered(),
        [(CommandKind::Xforward, 250), (CommandKind::Xforward, 250)]
    );
    assert!(p.client.is_ready());
}

// ---------------------------------------------------------------------------
// 3. REQUIRETLS, MT-PRIORITY, DELIVERBY, FUTURERELEASE, RRVS, NO-SOLICITING
// ---------------------------------------------------------------------------

const EXT_MAIL: &[&str] = &[
    "REQUIRETLS",
    "MT-PRIORITY=3",
    "BY=120;R",
    "HOLDFOR=60",
    "HOLDUNTIL=2026-12-06T10:00:00Z",
    "NO-SOLICITING=net.example:ADV",
];

#[test]
fn extension_parameters_are_refused_unless_configured() {
    for p in EXT_MAIL {
        let mut s = Srv::new(cfg().tls_active(true));
        let out = s.plain(format!("EHLO c\r\nMAIL FROM:<a@b.example> {p}\r\n").as_bytes());
        assert_eq!(codes(&out), ["250", "555"], "{p}");
    }
    let mut s = Srv::new(cfg());
    let out = s.plain(
        b"EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example> RRVS=2014-04-03T23:01:00Z\r\n",
    );
    assert_eq!(codes(&out), ["250", "250", "555"]);
}

// The EHLO keywords: MT-PRIORITY with an optional priority assignment policy
// (RFC 6710), DELIVERBY with an optional min-by-time (RFC 2852),
// FUTURERELEASE with its max-future-release-interval and
// max-future-release-date-time (RFC 4865), RRVS (RFC 7293), NO-SOLICITING
// with optional solicitation keywords (RFC 3865).
#[test]
fn extension_parameters_are_advertised_and_accepted_when_configured() {
    let c = cfg()
        .tls_active(true)
        .requiretls(true)
        .mt_priority(Some("MIXER".to_string()))
        .deliverby(Some(60))
        .future_release(Some("604800 2026-12-31T00:00:00Z".to_string()))
        .rrvs(true)
        .no_soliciting(Some(String::new()));
    let mut s = Srv::new(c);
    let out = s.plain(b"EHLO c\r\n");
    let lines = ehlo_lines(&out);
    for want in [
        "REQUIRETLS",
        "MT-PRIORITY MIXER",
        "DELIVERBY 60",
        "FUTURERELEASE 604800 2026-12-31T00:00:00Z",
        "RRVS",
        "NO-SOLICITING",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want}: {lines:?}");
    }
    let out = s.plain(
        format!(
            "MAIL FROM:<a@b.example> {}\r\nRCPT TO:<c@d.example> RRVS=2014-04-03T23:01:00Z;R\r\n",
            EXT_MAIL
                .iter()
                .filter(|p| !p.starts_with("HOLDUNTIL"))
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        )
        .as_bytes(),
    );
    assert_eq!(codes(&out), ["250", "250"], "{out}");
    let ServerEvent::Mail { parameters, .. } = &s.events[1] else {
        panic!("{:?}", s.events)
    };
    let typed: Vec<_> = parameters.iter().collect();
    assert!(typed.contains(&Parameter::RequireTls));
    assert!(typed.contains(&Parameter::MtPriority(3)));
    assert!(typed.contains(&Parameter::HoldFor(60)));
    assert!(typed.contains(&Parameter::By {
        time: 120,
        mode: ByMode::Return,
        trace: false
    }));
    assert!(typed.contains(&Parameter::NoSoliciting("net.example:ADV".into())));
    let ServerEvent::Rcpt { parameters, .. } = &s.events[2] else {
        panic!("{:?}", s.events)
    };
    assert_eq!(
        parameters.iter().collect::<Vec<_>>(),
        [Parameter::Rrvs {
            time: "2014-04-03T23:01:00Z".into(),
            action: Some(RrvsAction::Reject)
        }]
    );
    // RRVS is a RCPT parameter (RFC 7293), not a MAIL one.
    let out = s.plain(b"RSET\r\nMAIL FROM:<a@b.example> RRVS=2014-04-03T23:01:00Z\r\n");
    assert_eq!(codes(&out), ["250", "555"]);
}

#[test]
fn extension_parameters_may_appear_once() {
    let c = cfg()
        .mt_priority(Some(String::new()))
        .future_release(Some("604800 2026-12-31T00:00:00Z".to_string()));
    let mut s = Srv::new(c);
    let out = s.plain(
        b"EHLO c\r\nMAIL FROM:<> MT-PRIORITY=1 MT-PRIORITY=2\r\nMAIL FROM:<> HOLDFOR=1 HOLDUNTIL=2026-12-06T10:00:00Z\r\n",
    );
    assert_eq!(codes(&out), ["250", "501", "501"]);
}

// RFC 8689 §2: "Following the negotiation of STARTTLS, the SMTP server MUST
// advertise in the subsequent EHLO response that it supports REQUIRETLS."
// Before TLS it is neither advertised nor accepted.
#[test]
fn requiretls_only_under_tls() {
    let c = cfg().tls_available(true).requiretls(true);
    let mut s = Srv::new(c);
    let out = s.plain(b"EHLO c\r\nMAIL FROM:<> REQUIRETLS\r\n");
    assert!(!ehlo_lines(&out).iter().any(|l| l == "REQUIRETLS"));
    assert_eq!(codes(&out), ["250", "555"]);
    s.plain(b"STARTTLS\r\n");
    s.server.tls_established().unwrap();
    let out = s.plain(b"EHLO c\r\nMAIL FROM:<> REQUIRETLS\r\n");
    assert!(ehlo_lines(&out).iter().any(|l| l == "REQUIRETLS"), "{out}");
    assert_eq!(codes(&out), ["250", "250"]);
}

// ---------------------------------------------------------------------------
// 4. BURL (RFC 4468)
// ---------------------------------------------------------------------------

/// The URL of RFC 4468 §3.4's examples (the line breaks there are "for
/// editorial clarity only").
const URL: &str = "imap://harry@gryffindor.example.com/outbox;uidvalidity=1078863300/;uid=25;urlauth=submit+harry:internal:91354a473744909de610943775f92038";

// burl-cmd = "BURL" SP absolute-URI [SP end-marker] CRLF
// end-marker = "LAST"
#[test]
fn burl_lines_parse() {
    let line = format!("BURL {URL} LAST");
    let c = parse_command(line.as_bytes()).unwrap();
    assert_eq!(
        c,
        Command::Burl {
            url: URL.into(),
            last: true
        }
    );
    let mut out = Vec::new();
    emit_command(&c, &mut out).unwrap();
    assert_eq!(out, format!("{line}\r\n").into_bytes());
    assert_eq!(
        parse_command(b"burl imap://x/y last").unwrap(),
        Command::Burl {
            url: "imap://x/y".into(),
            last: true
        }
    );
    assert_eq!(
        parse_command(b"BURL imap://x/y").unwrap(),
        Command::Burl {
            url: "imap://x/y".into(),
            last: false
        }
    );
    for bad in [
        "BURL",
        "BURL ",
        "BURL no-scheme",
        "BURL :x",
        "BURL 1imap://x",
        "BURL imap:",
        "BURL imap://x LAST more",
        "BURL imap://x FIRST",
        "BURL imap://x#fragment",
        "BURL imap://a b",
        "BURL imap://x\u{e9}",
    ] {
        assert!(parse_command(bad.as_bytes()).is_err(), "{bad:?}");
    }
    let bad = Command::Burl {
        url: "imap://a b".into(),
        last: false,
    };
    assert!(emit_command(&bad, &mut Vec::new()).is_err());
}

fn burl_cfg() -> ServerConfig {
    ServerConfig::new("owlry.example.com").burl(Some("imap".to_string()))
}

// RFC 4468 §3.4, the first example, server side: EHLO lists "BURL imap";
//   C: MAIL FROM:<harry@gryffindor.example.com>
//   C: RCPT TO:<ron@gryffindor.example.com>
//   C: BURL imap://... LAST
//   S: 250 2.5.0 Ok.
#[test]
fn burl_server_follows_the_rfc_example() {
    let mut s = Srv::new(burl_cfg());
    let input = format!(
        "EHLO potter.example.com\r\nMAIL FROM:<harry@gryffindor.example.com>\r\nRCPT TO:<ron@gryffindor.example.com>\r\nBURL {URL} LAST\r\n"
    );
    let mut urls = Vec::new();
    let out = s.feed(input.as_bytes(), |ev, srv| {
        if let ServerEvent::Burl { url, last } = ev {
            urls.push((url.to_string(), *last));
            srv.accept().unwrap();
            return true;
        }
        false
    });
    assert!(ehlo_lines(&out).iter().any(|l| l == "BURL imap"), "{out}");
    assert_eq!(urls, [(URL.to_string(), true)]);
    assert!(out.ends_with("250 2.5.0 Ok\r\n"), "{out}");
    // The transaction is over: a new one may start.
    assert_eq!(codes(&s.plain(b"MAIL FROM:<>\r\n")), ["250"]);
}

// RFC 4468 §3.4's failure example: every RCPT refused, then
//   S: 554 5.5.0 No recipients have been specified.
// §3.1: BURL "is only permitted during a mail transaction after at least one
// successful RCPT TO". Without MAIL there is no transaction at all.
#[test]
fn burl_server_without_mail_or_recipients() {
    let mut s = Srv::new(burl_cfg());
    let out = s.plain(format!("EHLO c\r\nBURL {URL} LAST\r\n").as_bytes());
    assert_eq!(codes(&out), ["250", "503"]);
    let input = format!(
        "MAIL FROM:<harry@gryffindor.example.com>\r\nRCPT TO:<malfoy@slitherin.example.com>\r\nBURL {URL} LAST\r\n"
    );
    let out = s.feed(input.as_bytes(), |ev, srv| {
        if let ServerEvent::Rcpt { .. } = ev {
            srv.reject(
                550,
                EnhancedStatus::new(5, 7, 1).unwrap(),
                "Relaying not allowed",
            )
            .unwrap();
            return true;
        }
        assert!(!matches!(ev, ServerEvent::Burl { .. }));
        false
    });
    assert!(
        out.ends_with("250 2.1.0 Sender OK\r\n550 5.7.1 Relaying not allowed\r\n554 5.5.0 No recipients have been specified\r\n"),
        "{out}"
    );
}

// RFC 4468 §3.2: "the BURL and BDAT commands may be interleaved until one of
// them terminates the transaction with the "LAST" argument", and "If the URL
// fetch fails, the server will fail the entire transaction."
#[test]
fn burl_server_mixes_with_bdat_and_a_failed_fetch_fails_the_transaction() {
    let mut s = Srv::new(burl_cfg());
    let input = format!(
        "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 7\r\nHello\r\nBURL {URL}\r\nBDAT 5 LAST\r\nBye\r\n"
    );
    let out = s.feed(input.as_bytes(), |ev, srv| {
        if let ServerEvent::Burl { .. } = ev {
            srv.accept().unwrap();
            return true;
        }
        false
    });
    assert!(
        out.ends_with("250 2.0.0 Chunk received\r\n250 2.5.0 Waiting for additional BURL or BDAT commands\r\n250 2.0.0 Message accepted\r\n"),
        "{out}"
    );
    let kinds: Vec<String> = s.events[3..]
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '('])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        ["DataStart", "DataChunk", "Burl", "DataChunk", "DataEnd"]
    );
    // A failed fetch: the transaction is gone, the next BDAT is read and
    // refused, DATA too.
    let input = format!(
        "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBURL {URL}\r\nBDAT 3 LAST\r\nabcDATA\r\n"
    );
    let out = s.feed(input.as_bytes(), |ev, srv| {
        if let ServerEvent::Burl { .. } = ev {
            srv.reject(
                554,
                EnhancedStatus::new(5, 6, 6).unwrap(),
                "IMAP URL resolution failed",
            )
            .unwrap();
            return true;
        }
        false
    });
    assert_eq!(codes(&out), ["250", "250", "554", "503", "503"], "{out}");
    // DATA after BURL in one transaction is refused (BURL is "a replacement
    // for the DATA command", §3.1).
    let input =
        format!("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBURL {URL}\r\nDATA\r\n");
    let out = s.feed(input.as_bytes(), |ev, srv| {
        matches!(ev, ServerEvent::Burl { .. }) && srv.accept().is_ok()
    });
    assert_eq!(codes(&out), ["250", "250", "250", "503"], "{out}");
}

// RFC 4468 §4: "A submit server that advertises BURL MUST also advertise
// 8BITMIME". Not configured, or without 8BITMIME: not offered, and BURL is
// an unknown command; a malformed one configured gets 501.
#[test]
fn burl_server_offer() {
    for c in [cfg(), burl_cfg().eightbitmime(false), burl_cfg().lmtp(true)] {
        let lmtp = c.lmtp;
        let mut s = Srv::new(c);
        let hello = if lmtp { "LHLO" } else { "EHLO" };
        let out = s.plain(
            format!("{hello} c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.example>\r\nBURL {URL} LAST\r\n")
                .as_bytes(),
        );
        assert!(!out.contains("BURL"), "{out}");
        assert_eq!(codes(&out).last(), Some(&"500"), "{out}");
    }
    let mut s = Srv::new(burl_cfg());
    let out = s.plain(
        b"EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.example>\r\nBURL imap://x#frag\r\nBURL\r\n",
    );
    assert_eq!(codes(&out), ["250", "250", "250", "501", "501"]);
}

// RFC 4468 §3.4, the second example, client side (PIPELINING: the whole
// transaction in one round trip):
//   C: MAIL FROM:<harry@gryffindor.example.com>
//   C: RCPT TO:<ron@gryffindor.example.com>
//   C: BURL imap://... LAST
//   S: 250 2.5.0 Address Ok.
//   S: 250 2.1.5 ron@gryffindor.example.com OK.
//   S: 250 2.5.0 Ok.
#[test]
fn burl_client_follows_the_rfc_example() {
    let ehlo = b"250-owlry.example.com\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-BURL imap\r\n250-AUTH PLAIN\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES\r\n";
    let mut p = Peer::ready(ccfg(), ehlo);
    let from = Mailbox::parse("harry@gryffindor.example.com").unwrap();
    let to = Mailbox::parse("ron@gryffindor.example.com").unwrap();
    p.client
        .mail(&ReversePath::Mailbox(from), &Parameters::default())
        .unwrap();
    p.client
        .rcpt(&ForwardPath::Mailbox(to), &Parameters::default())
        .unwrap();
    p.client.burl(URL, true).unwrap();
    assert_eq!(
        p.take_wire(),
        format!(
            "MAIL FROM:<harry@gryffindor.example.com>\r\nRCPT TO:<ron@gryffindor.example.com>\r\nBURL {URL} LAST\r\n"
        )
    );
    p.server(
        b"250 2.5.0 Address Ok.\r\n250 2.1.5 ron@gryffindor.example.com OK.\r\n250 2.5.0 Ok.\r\n",
    );
    assert_eq!(
        p.answered(),
        [
            (CommandKind::Mail, 250),
            (CommandKind::Rcpt(0), 250),
            (CommandKind::DataEnd { recipient: None }, 250)
        ]
    );
    assert!(p.client.is_ready());
}

#[test]
fn burl_client_refusals() {
    let mut p = Peer::ready(ccfg(), b"250-owlry.example.com\r\n250 8BITMIME\r\n");
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    let to = Mailbox::parse("ron@gryffindor.example.com").unwrap();
    p.client
        .rcpt(&ForwardPath::Mailbox(to.clone()), &Parameters::default())
        .unwrap();
    assert_eq!(
        misuse(p.client.burl(URL, true)),
        ApiMisuse::NotAdvertised { extension: "BURL" }
    );
    let mut p = Peer::ready(
        ccfg(),
        b"250-owlry.example.com\r\n250-8BITMIME\r\n250 BURL imap\r\n",
    );
    // No MAIL, then no RCPT: RFC 4468 §3.1 "after at least one successful
    // RCPT TO".
    assert_eq!(misuse(p.client.burl(URL, true)), ApiMisuse::NoTransaction);
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    assert_eq!(misuse(p.client.burl(URL, true)), ApiMisuse::NoTransaction);
    assert!(matches!(
        p.client.burl("not a url", true),
        Err(Error::Misuse(_) | Error::Emit(_))
    ));
    // Without CHUNKING a BURL body cannot continue with BDAT.
    p.client
        .rcpt(&ForwardPath::Mailbox(to), &Parameters::default())
        .unwrap();
    p.client.burl(URL, false).unwrap();
    assert_eq!(
        misuse(p.client.send_body(b"x\r\n")),
        ApiMisuse::NotAdvertised {
            extension: "CHUNKING"
        }
    );
    assert_eq!(
        misuse(p.client.finish_body()),
        ApiMisuse::NotAdvertised {
            extension: "CHUNKING"
        }
    );
    p.client.burl(URL, true).unwrap();
    // No PIPELINING: each command waits for the reply before it.
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
    p.server(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.5.0 Waiting\r\n");
    assert_eq!(
        p.take_wire(),
        format!("RCPT TO:<ron@gryffindor.example.com>\r\nBURL {URL}\r\nBURL {URL} LAST\r\n")
    );
}

// RFC 4468 §3.2: BURL and BDAT interleaved; a refused BURL fails the
// transaction ("If the URL fetch fails, the server will fail the entire
// transaction"): the client stops and sends RSET.
#[test]
fn burl_client_mixes_with_bdat() {
    let ehlo = b"250-owlry.example.com\r\n250-8BITMIME\r\n250-CHUNKING\r\n250 BURL imap\r\n";
    let mut p = Peer::ready(ccfg(), ehlo);
    let to = Mailbox::parse("ron@gryffindor.example.com").unwrap();
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    p.server(b"250 2.1.0 Ok\r\n");
    p.client
        .rcpt(&ForwardPath::Mailbox(to.clone()), &Parameters::default())
        .unwrap();
    p.server(b"250 2.1.5 Ok\r\n");
    p.client.data().unwrap();
    p.client.send_body(b"Subject: hi\r\n\r\n").unwrap();
    p.take_wire();
    p.server(b"250 2.0.0 Chunk\r\n");
    p.client.burl(URL, false).unwrap();
    assert_eq!(p.take_wire(), format!("BURL {URL}\r\n"));
    p.server(b"250 2.5.0 Waiting for additional BURL or BDAT commands\r\n");
    p.client.send_body(b"-- \r\n").unwrap();
    p.client.finish_body().unwrap();
    let wire = p.take_wire();
    assert!(wire.starts_with("BDAT 5\r\n-- \r\n"), "{wire:?}");
    p.server(b"250 2.0.0 Chunk\r\n");
    let wire = wire + &p.take_wire();
    assert!(wire.ends_with("BDAT 0 LAST\r\n"), "{wire:?}");
    p.server(b"250 2.0.0 Ok\r\n");
    assert_eq!(
        p.answered()[2..],
        [
            (CommandKind::Bdat, 250),
            (CommandKind::Burl, 250),
            (CommandKind::Bdat, 250),
            (CommandKind::DataEnd { recipient: None }, 250)
        ]
    );
    // A refused BURL.
    p.events.clear();
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    p.client
        .rcpt(&ForwardPath::Mailbox(to), &Parameters::default())
        .unwrap();
    p.server(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
    p.client.burl(URL, false).unwrap();
    p.take_wire();
    p.server(b"554 5.6.6 IMAP URL resolution failed\r\n");
    assert!(p.events.iter().any(|e| matches!(
        e,
        ClientEvent::TransactionFailed {
            command: CommandKind::Burl
        }
    )));
    assert_eq!(p.take_wire(), "RSET\r\n");
    assert!(matches!(
        p.client.send_body(b"x\r\n"),
        Err(Error::TransactionFailed)
    ));
}

// RFC 7293: rrvs-param = "RRVS=" date-time [ ";" ( "C" / "R" ) ]
// RFC 3865: "NO-SOLICITING=" solicitation-keywords (comma-separated)
#[test]
fn rrvs_and_no_soliciting_parameters_are_typed() {
    let p = Parameters::parse("RRVS=2014-04-03T23:01:00Z;C NO-SOLICITING=a.example:x,b.example:y")
        .unwrap();
    assert_eq!(
        p.iter().collect::<Vec<_>>(),
        [
            Parameter::Rrvs {
                time: "2014-04-03T23:01:00Z".into(),
                action: Some(RrvsAction::Continue)
            },
            Parameter::NoSoliciting("a.example:x,b.example:y".into()),
        ]
    );
    for bad in [
        "RRVS",
        "RRVS=",
        "RRVS=2014-04-03T23:01:00Z;X",
        "RRVS=;R",
        "NO-SOLICITING",
        "NO-SOLICITING=a,,b",
    ] {
        assert!(Parameters::parse(bad).is_err(), "{bad}");
    }
    let mut p = Parameters::default();
    p.push(&Parameter::Rrvs {
        time: "2014-04-03T23:01:00Z".into(),
        action: None,
    })
    .unwrap();
    p.push(&Parameter::NoSoliciting("net.example:ADV".into()))
        .unwrap();
    assert_eq!(
        p.as_str(),
        "RRVS=2014-04-03T23:01:00Z NO-SOLICITING=net.example:ADV"
    );
    assert!(p.push(&Parameter::NoSoliciting("a b".into())).is_err());
}
