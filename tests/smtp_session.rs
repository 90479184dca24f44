//! Whole SMTP/LMTP sessions: a client machine and a server machine wired
//! together in memory, plus hostile input fed to the server.

use mailwire::Error;
use mailwire::smtp::*;
use mailwire::wire::sasl::{Authentication, Credentials, Mechanism};

fn creds<'a>(mech: &str, user: &'a str, pass: &'a str) -> Credentials<'a> {
    match mech {
        "PLAIN" => Credentials::Plain {
            authzid: None,
            username: user,
            password: pass.into(),
        },
        _ => Credentials::Login {
            username: user,
            password: pass.into(),
        },
    }
}

/// What the server application saw.
#[derive(Debug, Default, Clone, PartialEq)]
struct ServerLog {
    events: Vec<String>,
    messages: Vec<Vec<u8>>,
    body: Vec<u8>,
}

/// A server application: accepts everything except recipients whose local part
/// starts with "bad", and credentials other than user/secret.
fn server_app(server: &mut Server, log: &mut ServerLog) -> Result<(), Error> {
    loop {
        let Some(ev) = server.poll_event()? else {
            return Ok(());
        };
        let ev = ev.into_owned();
        match &ev {
            ServerEvent::DataChunk(c) => {
                log.body.extend_from_slice(c);
                continue;
            }
            other => log.events.push(format!("{other:?}")),
        }
        match ev {
            ServerEvent::Mail { .. } => server.accept()?,
            ServerEvent::Rcpt { forward_path, .. } => {
                let bad = matches!(&forward_path, ForwardPath::Mailbox(m) if m.local_part.starts_with("bad"));
                if bad {
                    server.reject(550, EnhancedStatus::new(5, 1, 1).unwrap(), "No such user")?;
                } else {
                    server.accept()?;
                }
            }
            ServerEvent::Auth(auth) => {
                let ok = matches!(&auth, Authentication::Plain { authcid, password, .. }
                    if authcid == "user" && password.expose() == b"secret");
                if ok {
                    server.accept()?;
                } else {
                    server.reject(
                        535,
                        EnhancedStatus::new(5, 7, 8).unwrap(),
                        "Bad credentials",
                    )?;
                }
            }
            ServerEvent::DataEnd => {
                log.messages.push(std::mem::take(&mut log.body));
                server.accept()?;
            }
            ServerEvent::DataAborted { .. } => log.body.clear(),
            ServerEvent::StartTls => server.tls_established()?,
            _ => {}
        }
    }
}

/// Runs client and server until both are quiet. `script` reacts to client events
/// (owned copies) and returns `false` once it is done.
fn run(
    client: &mut Client,
    server: &mut Server,
    mut script: impl FnMut(&mut Client, ClientEvent<'static>) -> Result<(), Error>,
) -> (Vec<String>, ServerLog, Vec<u8>, Vec<u8>) {
    let mut client_events = Vec::new();
    let mut log = ServerLog::default();
    let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
    for _ in 0..10_000 {
        let mut progress = false;
        while let Some(b) = server.poll_transmit() {
            s2c.extend_from_slice(&b);
            client.handle_input(&b);
            progress = true;
        }
        loop {
            let ev = client.poll_event().expect("client event");
            let Some(ev) = ev else { break };
            let ev = ev.into_owned();
            client_events.push(format!("{ev:?}"));
            let upgrade = ev == ClientEvent::StartTls;
            script(client, ev).expect("script");
            if upgrade {
                client.tls_established().unwrap();
            }
            progress = true;
        }
        while let Some(b) = client.poll_transmit() {
            c2s.extend_from_slice(&b);
            server.handle_input(&b);
            progress = true;
        }
        let before = log.events.len() + log.body.len();
        server_app(server, &mut log).expect("server");
        progress |= log.events.len() + log.body.len() != before;
        if !progress {
            break;
        }
    }
    (client_events, log, c2s, s2c)
}

fn mbox(s: &str) -> Mailbox<'_> {
    Mailbox::parse(s).unwrap()
}

/// A script that sends one message to `rcpts` then quits.
fn send_one(
    from: &'static str,
    rcpts: &'static [&'static str],
    body: &'static [u8],
) -> impl FnMut(&mut Client, ClientEvent<'static>) -> Result<(), Error> {
    move |c, ev| {
        match ev {
            ClientEvent::Ready(_) => {
                c.mail(&ReversePath::Mailbox(mbox(from)), &Parameters::default())?;
                for r in rcpts {
                    c.rcpt(&ForwardPath::Mailbox(mbox(r)), &Parameters::default())?;
                }
                c.data()?;
            }
            ClientEvent::ReadyForData => {
                c.send_body(body)?;
                c.finish_body()?;
            }
            ClientEvent::Reply {
                command: CommandKind::DataEnd { .. },
                ..
            } if c.is_ready() => {
                // after the last LMTP reply or the SMTP reply
                let _ = c.quit();
            }
            _ => {}
        }
        Ok(())
    }
}

fn plain_config() -> ServerConfig {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.pipelining = false;
    cfg.chunking = false;
    cfg
}

#[test]
fn plain_session_without_extensions() {
    let mut server = Server::new(plain_config());
    let mut client = Client::new(ClientConfig::new("client.example"));
    let (events, log, c2s, _s2c) = run(
        &mut client,
        &mut server,
        send_one(
            "a@example.org",
            &["b@example.net", "bad@example.net"],
            b"Subject: hi\r\n\r\n.leading dot\r\nbye\r\n",
        ),
    );
    assert_eq!(
        log.messages,
        vec![b"Subject: hi\r\n\r\n.leading dot\r\nbye\r\n".to_vec()]
    );
    let c2s = String::from_utf8(c2s).unwrap();
    assert!(c2s.starts_with(
        "EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
    ));
    assert!(c2s.contains("\r\n..leading dot\r\n"), "dot-stuffed: {c2s}");
    assert!(c2s.ends_with("\r\n.\r\nQUIT\r\n"));
    assert!(
        events
            .iter()
            .any(|e| e.contains("Rcpt(1)") && e.contains("550")),
        "{events:#?}"
    );
    assert!(events.last().unwrap().contains("Quit"));
    assert!(client.is_closed() && server.is_closed());
}

#[test]
fn pipelined_session_sends_one_group() {
    let mut server = Server::new(ServerConfig::new("mx.example"));
    let mut cfg = ClientConfig::new("client.example");
    cfg.use_chunking = false;
    let mut client = Client::new(cfg);
    let (_events, log, c2s, _) = run(
        &mut client,
        &mut server,
        send_one(
            "a@example.org",
            &["b@example.net", "c@example.net"],
            b"Hello\r\n",
        ),
    );
    assert_eq!(log.messages, vec![b"Hello\r\n".to_vec()]);
    assert!(client.capabilities().pipelining);
    // MAIL, both RCPTs and DATA left in one write: check they are adjacent
    let c2s = String::from_utf8(c2s).unwrap();
    assert!(c2s.contains("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n"));
}

#[test]
fn pipelined_group_in_one_transmit() {
    let mut server = Server::new(ServerConfig::new("mx.example"));
    let mut cfg = ClientConfig::new("client.example");
    cfg.use_chunking = false;
    let mut client = Client::new(cfg);
    client.handle_input(&server.poll_transmit().unwrap());
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    server.handle_input(&client.poll_transmit().unwrap());
    while server.poll_event().unwrap().is_some() {}
    client.handle_input(&server.poll_transmit().unwrap());
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Ready(_))
    ));
    client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    client.data().unwrap();
    let w = client.poll_transmit().unwrap();
    assert_eq!(&w[..], b"MAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nDATA\r\n");
    assert_eq!(client.poll_transmit(), None);
}

#[test]
fn bdat_session() {
    let mut server = Server::new(ServerConfig::new("mx.example"));
    let mut client = Client::new(ClientConfig::new("client.example"));
    let body: &[u8] = b"Subject: chunked\r\n\r\n.no stuffing with BDAT\r\n";
    let mut sent = false;
    let (events, log, c2s, _) = run(&mut client, &mut server, move |c, ev| {
        match ev {
            ClientEvent::Ready(_) => {
                c.mail(
                    &ReversePath::Mailbox(mbox("a@x.org")),
                    &Parameters::default(),
                )?;
                c.rcpt(
                    &ForwardPath::Mailbox(mbox("b@y.org")),
                    &Parameters::default(),
                )?;
                c.data()?;
            }
            ClientEvent::ReadyForData if !sent => {
                sent = true;
                c.send_body(&body[..10])?;
                c.send_body(&body[10..])?;
                c.finish_body()?;
            }
            ClientEvent::Reply {
                command: CommandKind::DataEnd { .. },
                ..
            } => c.quit()?,
            _ => {}
        }
        Ok(())
    });
    assert_eq!(log.messages, vec![body.to_vec()]);
    let c2s = String::from_utf8(c2s).unwrap();
    assert!(
        c2s.contains("BDAT 10\r\nSubject: cBDAT 34\r\nhunked\r\n"),
        "{c2s}"
    );
    assert!(c2s.contains("BDAT 0 LAST\r\n"));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.contains("command: Bdat"))
            .count(),
        2
    );
}

#[test]
fn auth_plain_and_login() {
    for mech in ["PLAIN", "LOGIN"] {
        for (pass, ok) in [("secret", true), ("wrong", false)] {
            let mut cfg = ServerConfig::new("mx.example");
            cfg.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
            cfg.plaintext_requires_tls = false;
            let mut server = Server::new(cfg);
            let mut client = Client::new(ClientConfig::new("client.example"));
            let mut authed = false;
            let (events, _log, _, _) = run(&mut client, &mut server, |c, ev| {
                match ev {
                    ClientEvent::Ready(_) if !authed => {
                        authed = true;
                        c.authenticate(creds(mech, "user", pass))?;
                    }
                    ClientEvent::Reply {
                        command: CommandKind::Auth,
                        ..
                    } => c.quit()?,
                    _ => {}
                }
                Ok(())
            });
            let auth = events.iter().find(|e| e.contains("command: Auth")).unwrap();
            assert_eq!(auth.contains("235"), ok, "{mech} {pass}: {auth}");
            assert_eq!(server.is_authenticated(), ok);
        }
    }
}

#[test]
fn auth_not_offered_without_tls_by_default() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.auth_mechanisms = vec![Mechanism::Plain];
    cfg.tls_available = true;
    let mut server = Server::new(cfg);
    let mut client = Client::new(ClientConfig::new("client.example"));
    let mut step = 0;
    let (events, _log, _, _) = run(&mut client, &mut server, |c, ev| {
        if let ClientEvent::Ready(_) = ev {
            step += 1;
            if step == 1 {
                assert!(c.capabilities().auth.is_empty());
                assert!(c.capabilities().starttls);
                assert!(c.authenticate(creds("PLAIN", "user", "secret")).is_err());
                c.starttls()?;
            } else {
                assert!(!c.capabilities().starttls);
                assert_eq!(c.capabilities().auth, vec!["PLAIN".to_string()]);
                c.authenticate(creds("PLAIN", "user", "secret"))?;
            }
        }
        Ok(())
    });
    assert!(events.iter().any(|e| e.contains("235")), "{events:#?}");
    assert!(server.tls_active() && client.tls_active());
}

#[test]
fn starttls_discards_injected_commands() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.tls_available = true;
    let mut server = Server::new(cfg);
    server.poll_transmit();
    server.handle_input(b"EHLO c\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Hello { .. })
    ));
    server.poll_transmit();
    // STARTTLS and an injected command in the same packet
    server.handle_input(b"STARTTLS\r\nMAIL FROM:<evil@x>\r\n");
    assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::StartTls));
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"220 2.0.0 Ready to start TLS\r\n"
    );
    // more plaintext before the handshake finishes is dropped too
    server.handle_input(b"RCPT TO:<evil@y>\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    server.tls_established().unwrap();
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(
        server.poll_transmit(),
        None,
        "nothing answered the injected lines"
    );
    // the session was reset: MAIL needs EHLO again
    server.handle_input(b"MAIL FROM:<a@b>\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert!(server.poll_transmit().unwrap().starts_with(b"503 5.5.1"));
}

#[test]
fn client_discards_bytes_after_starttls_reply() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx ready\r\n");
    client.poll_event().unwrap();
    client.poll_transmit();
    client.handle_input(b"250-mx\r\n250 STARTTLS\r\n");
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Ready(_))
    ));
    client.starttls().unwrap();
    assert_eq!(&client.poll_transmit().unwrap()[..], b"STARTTLS\r\n");
    client.handle_input(b"220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n");
    assert_eq!(client.poll_event().unwrap(), Some(ClientEvent::StartTls));
    assert_eq!(client.poll_event().unwrap(), None);
    client.tls_established().unwrap();
    assert_eq!(&client.poll_transmit().unwrap()[..], b"EHLO c.example\r\n");
    assert_eq!(client.poll_event().unwrap(), None);
    assert!(client.capabilities().auth.is_empty());
}

#[test]
fn lmtp_per_recipient_replies() {
    let mut scfg = ServerConfig::new("lmtp.example");
    scfg.lmtp = true;
    scfg.chunking = false;
    let mut server = Server::new(scfg);
    let mut ccfg = ClientConfig::new("client.example");
    ccfg.lmtp = true;
    let mut client = Client::new(ccfg);
    let mut c2s_all = Vec::new();
    // A custom server app: reject delivery to the second accepted recipient.
    let mut events = Vec::new();
    let mut log = ServerLog::default();
    let mut script = send_one(
        "a@x.org",
        &["one@y.org", "bad@y.org", "two@y.org"],
        b"Hi\r\n",
    );
    for _ in 0..100 {
        while let Some(b) = server.poll_transmit() {
            client.handle_input(&b);
        }
        while let Some(ev) = client.poll_event().unwrap() {
            let ev = ev.into_owned();
            events.push(ev.clone());
            script(&mut client, ev).unwrap();
        }
        while let Some(b) = client.poll_transmit() {
            c2s_all.extend_from_slice(&b);
            server.handle_input(&b);
        }
        while let Some(ev) = server.poll_event().unwrap() {
            match ev {
                ServerEvent::Mail { .. } => server.accept().unwrap(),
                ServerEvent::Rcpt { forward_path, .. } => {
                    let bad = matches!(&forward_path, ForwardPath::Mailbox(m) if m.local_part.starts_with("bad"));
                    if bad {
                        server
                            .reject(550, EnhancedStatus::new(5, 1, 1).unwrap(), "unknown")
                            .unwrap();
                    } else {
                        server.accept().unwrap();
                    }
                }
                ServerEvent::DataChunk(c) => log.body.extend_from_slice(&c),
                ServerEvent::DataEnd => {
                    assert_eq!(server.recipients(), 2);
                    // answer out of order; replies still leave in order
                    server
                        .reject_recipient(
                            1,
                            452,
                            EnhancedStatus::new(4, 2, 2).unwrap(),
                            "Mailbox full",
                        )
                        .unwrap();
                    assert_eq!(server.poll_transmit(), None);
                    server.accept_recipient(0).unwrap();
                }
                _ => {}
            }
        }
    }
    assert!(String::from_utf8_lossy(&c2s_all).starts_with("LHLO client.example\r\n"));
    let ends: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Reply {
                command: CommandKind::DataEnd { recipient },
                reply,
            } => Some((*recipient, reply.code().get())),
            _ => None,
        })
        .collect();
    // recipient indices are those of the RCPT calls: 0 and 2 were accepted
    assert_eq!(ends, vec![(Some(0), 250), (Some(2), 452)]);
    assert_eq!(log.body, b"Hi\r\n");
    assert!(client.is_closed());
}

#[test]
fn ehlo_falls_back_to_helo() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 old.example SMTP\r\n");
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    assert_eq!(&client.poll_transmit().unwrap()[..], b"EHLO c.example\r\n");
    client.handle_input(b"500 5.5.1 What?\r\n");
    assert_eq!(client.poll_event().unwrap(), None);
    assert_eq!(&client.poll_transmit().unwrap()[..], b"HELO c.example\r\n");
    client.handle_input(b"250 old.example\r\n");
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Ready(_))
    ));
    assert!(!client.capabilities().esmtp && !client.capabilities().pipelining);
}

#[test]
fn malformed_reply_costs_one_reply() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n");
    client.poll_event().unwrap();
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Ready(_))
    ));
    client.poll_transmit();
    client.noop().unwrap();
    client.noop().unwrap();
    client.noop().unwrap();
    // second reply is garbage (different codes on its lines), third is 8-bit text
    client.handle_input(b"250 ok\r\n250-a\r\n251 b\r\n250 caf\xe9 \xe2\x80\x93 ok\r\n");
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Reply {
            command: CommandKind::Noop,
            ..
        })
    ));
    let Some(ClientEvent::MalformedReply {
        command,
        raw,
        error,
    }) = client.poll_event().unwrap()
    else {
        panic!()
    };
    assert_eq!(command, Some(CommandKind::Noop));
    assert_eq!(&raw[..], b"250-a\r\n251 b\r\n");
    assert_eq!(error.offset, 7);
    let Some(ClientEvent::Reply { reply, .. }) = client.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(reply.text().as_bytes(), b"caf\xe9 \xe2\x80\x93 ok");
    assert_eq!(client.poll_event().unwrap(), None);
}

#[test]
fn unsolicited_reply_is_a_protocol_error() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx\r\n250 mx\r\n250 what\r\n");
    client.poll_event().unwrap();
    client.poll_event().unwrap();
    assert!(matches!(client.poll_event(), Err(Error::Protocol(_))));
    assert!(
        matches!(client.poll_event(), Err(Error::Protocol(_))),
        "sticky"
    );
    assert!(client.noop().is_err());
}

#[test]
fn misuse_never_reaches_the_wire() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    assert_eq!(
        client.mail(&ReversePath::Null, &Parameters::default()),
        Err(Error::Misuse(mailwire::error::ApiMisuse::NotReady))
    );
    client.handle_input(b"220 mx\r\n250 mx\r\n");
    client.poll_event().unwrap();
    client.poll_event().unwrap();
    client.poll_transmit();
    assert!(matches!(client.data(), Err(Error::Misuse(_))));
    assert!(matches!(client.send_body(b"x"), Err(Error::Misuse(_))));
    let evil = Mailbox::new("a\r\nRCPT TO:<x@y>", Host::Domain("b.c".into()));
    assert!(matches!(
        client.mail(&ReversePath::Mailbox(evil), &Parameters::default()),
        Err(Error::Emit(_))
    ));
    assert_eq!(client.poll_transmit(), None);
}

// ---------------------------------------------------------------------------
// The server against hostile input
// ---------------------------------------------------------------------------

fn serve(input: &[&[u8]], cfg: ServerConfig) -> (String, ServerLog) {
    let mut server = Server::new(cfg);
    let mut out = Vec::new();
    let mut log = ServerLog::default();
    for chunk in input {
        server.handle_input(chunk);
        let _ = server_app(&mut server, &mut log);
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), log)
}

fn codes(transcript: &str) -> Vec<&str> {
    transcript
        .split("\r\n")
        .filter(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

#[test]
fn sequence_and_syntax_errors_keep_the_session() {
    let (t, _) = serve(
        &[b"MAIL FROM:<a@b.c>\r\nEHLO x\r\nRCPT TO:<a@b.c>\r\nDATA\r\nMAIL FROM:<<>\r\nFOO bar\r\nMAIL FROM:<a@b.c>\r\nMAIL FROM:<a@b.c>\r\nDATA\r\nVRFY x\r\nQUIT\r\n"],
        ServerConfig::new("mx"),
    );
    assert_eq!(
        codes(&t),
        vec![
            "220", "503", "250", "503", "503", "501", "500", "250", "503", "554", "252", "221"
        ],
        "{t}"
    );
    assert!(t.contains("503 5.5.1"));
    assert!(t.contains("501 5.5.4"));
    assert!(t.contains("500 5.5.2"));
}

#[test]
fn over_long_line_is_answered_and_skipped() {
    let mut cfg = ServerConfig::new("mx");
    cfg.limits.command_line = 64;
    let long = vec![b'A'; 1000];
    let (t, _) = serve(&[b"EHLO x\r\nNOOP ", &long, &long, b"\r\nNOOP\r\n"], cfg);
    assert_eq!(codes(&t), vec!["220", "250", "500", "250"], "{t}");
    assert!(t.contains("500 5.5.6"));
}

#[test]
fn ten_thousand_recipients() {
    let mut input = b"EHLO x\r\nMAIL FROM:<a@b.c>\r\n".to_vec();
    for i in 0..10_000 {
        input.extend_from_slice(format!("RCPT TO:<r{i}@example.org>\r\n").as_bytes());
    }
    input.extend_from_slice(b"DATA\r\nhi\r\n.\r\nQUIT\r\n");
    let mut cfg = ServerConfig::new("mx");
    cfg.limits.input_buffer = 1 << 20;
    let (t, log) = serve(&input.chunks(4096).collect::<Vec<_>>(), cfg);
    let c = codes(&t);
    assert_eq!(
        c.iter().filter(|&&c| c == "250").count(),
        1 + 1 + 100 + 1,
        "EHLO, MAIL, 100 RCPT, message"
    );
    assert_eq!(c.iter().filter(|&&c| c == "452").count(), 9_900);
    assert!(t.contains("452 4.5.3"));
    assert_eq!(log.messages, vec![b"hi\r\n".to_vec()]);
    assert_eq!(c.last(), Some(&"221"));
}

#[test]
fn bare_lf_smuggling_is_refused() {
    for attack in [&b"\n.\n"[..], b"\r\n.\n", b"\n.\r\n", b"\r.\r\n"] {
        let mut input =
            b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: x\r\n\r\nbody"
                .to_vec();
        input.extend_from_slice(attack);
        input.extend_from_slice(
            b"MAIL FROM:<evil@x.y>\r\nRCPT TO:<victim@e.f>\r\nDATA\r\nforged\r\n.\r\nNOOP\r\n",
        );
        let (t, log) = serve(&[&input], ServerConfig::new("mx"));
        // no second transaction: the smuggled MAIL/RCPT/DATA were body bytes, discarded
        assert_eq!(
            codes(&t),
            vec!["220", "250", "250", "250", "354", "550", "250"],
            "{attack:?}: {t}"
        );
        assert!(t.contains("550 5.6.0"));
        assert!(log.messages.is_empty());
        assert!(!log.events.iter().any(|e| e.contains("evil")));
    }
    // with KeepBare, the bytes stay in the one message
    let mut cfg = ServerConfig::new("mx");
    cfg.body_policy = mailwire::wire::dot::BodyPolicy::KeepBare;
    let (t, log) = serve(
        &[b"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nbody\n.\nMAIL FROM:<evil@x.y>\r\n.\r\n"],
        cfg,
    );
    assert_eq!(
        codes(&t),
        vec!["220", "250", "250", "250", "354", "250"],
        "{t}"
    );
    assert_eq!(
        log.messages,
        vec![b"body\n.\nMAIL FROM:<evil@x.y>\r\n".to_vec()]
    );
}

#[test]
fn message_size_limit() {
    let mut cfg = ServerConfig::new("mx");
    cfg.limits.message_size = 10;
    let (t, log) = serve(
        &[b"EHLO x\r\nMAIL FROM:<a@b.c> SIZE=11\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n0123456789abcdef\r\n.\r\nNOOP\r\n"],
        cfg,
    );
    assert_eq!(
        codes(&t),
        vec!["220", "250", "552", "250", "250", "354", "552", "250"],
        "{t}"
    );
    assert!(t.contains("552 5.3.4"));
    assert!(log.messages.is_empty());
}

#[test]
fn garbage_and_nul_bytes() {
    let (t, _) = serve(
        &[b"EHLO x\r\n\x00\x01\x02\r\nMAIL FROM:<a\x00@b.c>\r\n\xff\xfe\r\nNOOP\r\n"],
        ServerConfig::new("mx"),
    );
    assert_eq!(
        codes(&t),
        vec!["220", "250", "500", "501", "500", "250"],
        "{t}"
    );
    // bare LF in a command line
    let (t, _) = serve(&[b"EHLO x\nNOOP\r\n"], ServerConfig::new("mx"));
    assert_eq!(codes(&t), vec!["220", "500", "250"], "{t}");
}

#[test]
fn too_many_bad_commands_end_the_session() {
    let mut cfg = ServerConfig::new("mx");
    cfg.limits.bad_commands = 3;
    let mut server = Server::new(cfg);
    server.handle_input(b"X\r\nY\r\nZ\r\nNOOP\r\n");
    let e = server.poll_event().unwrap_err();
    assert_eq!(
        e,
        Error::limit(mailwire::error::LimitKind::BadCommands, 3usize)
    );
    assert_eq!(server.poll_event().unwrap_err(), e, "sticky");
    assert!(server.is_closed());
    let out: Vec<u8> = std::iter::from_fn(|| server.poll_transmit())
        .flatten()
        .collect();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .ends_with("421 4.7.0 Too many errors, closing connection\r\n")
    );
}

#[test]
fn idle_timeout() {
    let mut server = Server::new(ServerConfig::new("mx"));
    // no absolute deadline before the machine has seen the time (it used to
    // say 300 s, which a clock not starting at zero took as long past)
    assert_eq!(server.poll_timeout(), Some(std::time::Duration::ZERO));
    server.handle_input(b"NOOP\r\n");
    server.handle_timeout(std::time::Duration::from_secs(100));
    assert_eq!(server.poll_timeout().unwrap().as_secs(), 400);
    server.handle_timeout(std::time::Duration::from_secs(399));
    assert!(!server.is_closed());
    server.handle_timeout(std::time::Duration::from_secs(400));
    assert!(server.is_closed());
    let out: Vec<u8> = std::iter::from_fn(|| server.poll_transmit())
        .flatten()
        .collect();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .ends_with("421 4.4.2 Idle timeout, closing connection\r\n")
    );
}

// ---------------------------------------------------------------------------
// Split at every byte: both machines give the same events however input is cut
// ---------------------------------------------------------------------------

fn server_events(chunks: &[&[u8]]) -> (Vec<String>, Vec<u8>, Vec<u8>) {
    let mut server = Server::new(ServerConfig::new("mx"));
    let mut events = Vec::new();
    let mut body = Vec::new();
    let mut out = Vec::new();
    for c in chunks {
        server.handle_input(c);
        while let Some(ev) = server.poll_event().unwrap() {
            match ev {
                ServerEvent::DataChunk(d) => body.extend_from_slice(&d),
                ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::DataEnd => {
                    events.push(format!("{:?}", ev.into_owned()));
                    server.accept().unwrap();
                }
                other => events.push(format!("{other:?}")),
            }
        }
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    (events, body, out)
}

#[test]
fn server_split_at_every_byte() {
    let input: &[u8] = b"EHLO c.example\r\nMAIL FROM:<a@b.c> SIZE=20\r\nRCPT TO:<d@e.f>\r\nDATA\r\nline\r\n..dot\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nBDAT 5\r\nab\r\ncBDAT 0 LAST\r\nRSET\r\nQUIT\r\n";
    let whole = server_events(&[input]);
    assert_eq!(whole.1, b"line\r\n.dot\r\nab\r\nc");
    for cut in 0..=input.len() {
        assert_eq!(
            server_events(&[&input[..cut], &input[cut..]]),
            whole,
            "cut {cut}"
        );
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(server_events(&bytes), whole);
}

fn client_events(chunks: &[&[u8]]) -> Vec<String> {
    let mut client = Client::new(ClientConfig::new("c.example"));
    let mut events = Vec::new();
    for c in chunks {
        client.handle_input(c);
        while let Some(ev) = client.poll_event().unwrap() {
            let ev = ev.into_owned();
            if let ClientEvent::Ready(_) = ev {
                client
                    .mail(&ReversePath::Null, &Parameters::default())
                    .unwrap();
                client
                    .rcpt(&ForwardPath::Postmaster, &Parameters::default())
                    .unwrap();
                client
                    .rcpt(&ForwardPath::Postmaster, &Parameters::default())
                    .unwrap();
                client.data().unwrap();
            }
            if let ClientEvent::ReadyForData = ev {
                client.send_body(b"x\r\n").unwrap();
                client.finish_body().unwrap();
            }
            events.push(format!("{ev:?}"));
        }
    }
    events
}

#[test]
fn client_split_at_every_byte() {
    let input: &[u8] = b"220-mx.example ESMTP\r\n220 hi\r\n250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n250 2.1.0 ok\r\n250 ok\r\n550 5.1.1 no\r\n354 go\r\n250 2.0.0 queued as \xe9\r\n";
    let whole = client_events(&[input]);
    assert_eq!(whole.len(), 7, "{whole:#?}");
    for cut in 0..=input.len() {
        assert_eq!(
            client_events(&[&input[..cut], &input[cut..]]),
            whole,
            "cut {cut}"
        );
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(client_events(&bytes), whole);
}

#[test]
fn client_reads_buffered_replies_before_eof() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx\r\n250 mx\r\n");
    client.poll_event().unwrap();
    client.poll_event().unwrap();
    client.quit().unwrap();
    client.handle_input(b"221 2.0.0 Bye\r\n");
    client.handle_eof();
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Reply {
            command: CommandKind::Quit,
            ..
        })
    ));
    assert_eq!(client.poll_event().unwrap(), None);
    assert!(client.is_closed());
    // a server that hangs up with a command unanswered is an error
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx\r\n");
    client.poll_event().unwrap();
    client.handle_eof();
    assert_eq!(client.poll_event(), Err(Error::Closed));
    assert_eq!(client.poll_event(), Err(Error::Closed));
}

#[test]
fn auth_login_wire_transcript() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.auth_mechanisms = vec![Mechanism::Login];
    cfg.plaintext_requires_tls = false;
    let mut server = Server::new(cfg);
    let mut client = Client::new(ClientConfig::new("c.example"));
    let mut started = false;
    let (_events, _log, c2s, s2c) = run(&mut client, &mut server, |c, ev| {
        match ev {
            ClientEvent::Ready(_) if !started => {
                started = true;
                c.authenticate(creds("LOGIN", "user", "secret"))?;
            }
            ClientEvent::Reply {
                command: CommandKind::Auth,
                ..
            } => c.quit()?,
            _ => {}
        }
        Ok(())
    });
    let c2s = String::from_utf8(c2s).unwrap();
    let s2c = String::from_utf8(s2c).unwrap();
    assert!(
        c2s.contains("AUTH LOGIN\r\ndXNlcg==\r\nc2VjcmV0\r\nQUIT\r\n"),
        "{c2s}"
    );
    assert!(
        s2c.contains("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0"),
        "{s2c}"
    );
}

#[test]
fn server_auth_cancel_and_bad_mechanism() {
    let mut cfg = ServerConfig::new("mx");
    cfg.auth_mechanisms = vec![Mechanism::Plain];
    cfg.plaintext_requires_tls = false;
    let (t, _) = serve(
        &[b"EHLO x\r\nAUTH CRAM-MD5\r\nAUTH PLAIN\r\n*\r\nAUTH PLAIN !!!\r\nNOOP\r\n"],
        cfg.clone(),
    );
    assert_eq!(
        codes(&t),
        vec!["220", "250", "504", "334", "501", "501", "250"],
        "{t}"
    );
    // TLS required by default: 538
    cfg.plaintext_requires_tls = true;
    let (t, _) = serve(&[b"EHLO x\r\nAUTH PLAIN AHVzZXIAc2VjcmV0\r\n"], cfg);
    assert!(t.contains("538 5.7.11"), "{t}");
    assert!(
        !t.contains("AUTH PLAIN\r\n"),
        "not advertised without TLS: {t}"
    );
}

/// Issue 7: one corrupted reply costs that reply only. A session's replies are
/// fed with one byte of one reply replaced (every position but the separator
/// and the line end, several byte values); every later reply is still delivered
/// to the right command.
#[test]
fn one_corrupt_reply_costs_one_reply() {
    let replies: [&[u8]; 5] = [
        b"250 2.0.0 first\r\n",
        b"250-2.0.0 second\r\n250 2.0.0 second \xe2\x80\x93 more\r\n",
        b"250 2.0.0 third\r\n",
        b"252 2.5.0 fourth\r\n",
        b"250 2.0.0 fifth\r\n",
    ];
    for victim in 0..replies.len() {
        let len = replies[victim].len();
        for pos in 0..len - 2 {
            let line_start = replies[victim][..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if pos - line_start == 3 || matches!(replies[victim][pos], b'\r' | b'\n') {
                continue; // the separator and line ends decide framing themselves
            }
            for byte in [0u8, b'x', 0xff, b'9', b'1', b' '] {
                let mut client = Client::new(ClientConfig::new("c.example"));
                client.handle_input(b"220 mx\r\n250-mx\r\n250 PIPELINING\r\n");
                client.poll_event().unwrap();
                client.poll_event().unwrap();
                for _ in 0..replies.len() {
                    client.noop().unwrap();
                }
                let mut stream = Vec::new();
                for (i, r) in replies.iter().enumerate() {
                    let mut r = r.to_vec();
                    if i == victim {
                        r[pos] = byte;
                    }
                    stream.extend_from_slice(&r);
                }
                client.handle_input(&stream);
                let mut seen = Vec::new();
                while let Some(ev) = client.poll_event().unwrap() {
                    match ev {
                        ClientEvent::Reply {
                            command: CommandKind::Noop,
                            reply,
                        } => seen.push(Some(reply.text().as_bytes().to_vec())),
                        ClientEvent::MalformedReply {
                            command: Some(CommandKind::Noop),
                            ..
                        } => seen.push(None),
                        other => panic!("{other:?}"),
                    }
                }
                assert_eq!(
                    seen.len(),
                    replies.len(),
                    "victim {victim} pos {pos} byte {byte}"
                );
                for (i, s) in seen.iter().enumerate().skip(victim + 1) {
                    let want =
                        &replies[i][10..replies[i].iter().position(|&b| b == b'\r').unwrap()];
                    assert_eq!(
                        s.as_deref(),
                        Some(want),
                        "victim {victim} pos {pos} byte {byte}"
                    );
                }
            }
        }
    }
}

#[test]
fn without_pipelining_each_command_waits_for_its_reply() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.handle_input(b"220 mx\r\n250-mx\r\n250 CHUNKING\r\n");
    client.poll_event().unwrap();
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Ready(_))
    ));
    client.poll_transmit();
    client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    client.data().unwrap();
    assert_eq!(
        client.poll_event().unwrap(),
        Some(ClientEvent::ReadyForData)
    );
    client.send_body(b"hi\r\n").unwrap();
    client.finish_body().unwrap();
    let mut expect: Vec<&[u8]> = vec![
        b"MAIL FROM:<>\r\n",
        b"RCPT TO:<Postmaster>\r\n",
        b"BDAT 4\r\nhi\r\n",
        b"BDAT 0 LAST\r\n",
    ];
    expect.reverse();
    while let Some(want) = expect.pop() {
        assert_eq!(&client.poll_transmit().unwrap()[..], want);
        assert_eq!(client.poll_transmit(), None, "one command at a time");
        client.handle_input(b"250 ok\r\n");
        assert!(matches!(
            client.poll_event().unwrap(),
            Some(ClientEvent::Reply { .. })
        ));
    }
}

#[test]
fn client_times_out_waiting_for_a_reply() {
    use std::time::Duration;
    let mut client = Client::new(ClientConfig::new("c.example"));
    // waiting for the greeting: 5 minutes from the first time report
    client.handle_timeout(Duration::from_secs(10));
    assert_eq!(client.poll_timeout(), Some(Duration::from_secs(310)));
    client.handle_input(b"220 mx\r\n250 mx\r\n");
    client.poll_event().unwrap();
    client.poll_event().unwrap();
    assert_eq!(client.poll_timeout(), None, "nothing waiting");
    client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    client.data().unwrap();
    client.handle_timeout(Duration::from_secs(100));
    client.handle_input(b"250 ok\r\n250 ok\r\n");
    client.handle_timeout(Duration::from_secs(120));
    while client.poll_event().unwrap().is_some() {}
    // DATA is waiting now: the 354 gets 2 minutes (RFC 5321 §4.5.3.2.2)
    client.handle_timeout(Duration::from_secs(121));
    assert_eq!(client.poll_timeout(), Some(Duration::from_secs(121 + 120)));
    client.handle_timeout(Duration::from_secs(10_000));
    assert_eq!(client.poll_event().unwrap(), Some(ClientEvent::TimedOut));
    assert!(client.is_closed());
}

/// A pipelining client sends its whole group before it learns that MAIL was
/// refused: the 503s for the RCPTs and DATA that follow are not "bad commands"
/// and do not end the session, however many recipients there were.
#[test]
fn refused_pipelined_group_is_not_counted_as_bad_commands() {
    let mut input = b"EHLO x\r\n".to_vec();
    for i in 0..50 {
        input.extend_from_slice(format!("RCPT TO:<user{i}@example.net>\r\n").as_bytes());
    }
    input.extend_from_slice(b"DATA\r\nNOOP\r\nQUIT\r\n");
    let (t, _) = serve(&[&input], ServerConfig::new("mx"));
    let c = codes(&t);
    assert_eq!(c.len(), 1 + 1 + 50 + 1 + 2, "{t}");
    assert!(c[2..53].iter().all(|&x| x == "503"), "{t}");
    assert_eq!(&c[53..], ["250", "221"], "{t}");
    assert!(!t.contains("421"), "{t}");
}
