//! Whole POP3 sessions: a client machine wired to a server machine in memory,
//! plus transcripts fed to each machine alone (split at every byte) and hostile
//! input.

use std::borrow::Cow;

use mailwire::error::LimitKind;
use mailwire::pop3::{
    Capability, Client, ClientConfig, ClientEvent, Command, CommandKind, Maildrop, ResponseCode,
    ScanListing, Server, ServerConfig, ServerEvent, Status,
};
use mailwire::wire::sasl::{Authentication, Credentials, Mechanism};
use mailwire::{Error, Limits, Secret};

const MSG1: &[u8] =
    b"From: a@example.org\r\nSubject: one\r\n\r\nline 1\r\n.leading dot\r\nline 3\r\n";
const MSG2: &[u8] = b"Subject: two\n\nunix\nline ends\n";

/// The server-side application of the tests.
struct App {
    messages: Vec<Vec<u8>>,
    password: &'static str,
    deleted: Option<Vec<u32>>,
    starttls: usize,
    chunk: usize,
    auth_log: Vec<Vec<u8>>,
}

impl App {
    fn new() -> App {
        App {
            messages: vec![MSG1.to_vec(), MSG2.to_vec()],
            password: "tanstaaf",
            deleted: None,
            starttls: 0,
            chunk: 5,
            auth_log: Vec::new(),
        }
    }

    fn maildrop(&self) -> Maildrop {
        let mut m = Maildrop::new();
        for (i, msg) in self.messages.iter().enumerate() {
            m.push(msg.len() as u64, format!("uid-{}", i + 1)).unwrap();
        }
        m
    }

    fn serve(&mut self, server: &mut Server) {
        while let Some(event) = server.poll_event().unwrap() {
            match event.into_owned() {
                ServerEvent::Login { user, password } => {
                    if user.as_bytes() == b"mrose" && password.expose() == self.password.as_bytes()
                    {
                        server.accept_login(self.maildrop()).unwrap();
                    } else {
                        server
                            .reject(Some(ResponseCode::Auth), "invalid password")
                            .unwrap();
                    }
                }
                #[cfg(feature = "sasl-hash")]
                ServerEvent::Apop(req) => {
                    if req.apop_matches(self.password.as_bytes()) {
                        server.accept_login(self.maildrop()).unwrap();
                    } else {
                        server
                            .reject(Some(ResponseCode::Auth), "bad digest")
                            .unwrap();
                    }
                }
                ServerEvent::Auth(Authentication::Plain {
                    authcid, password, ..
                }) => {
                    self.auth_log.push(authcid.as_bytes().to_vec());
                    if authcid == "mrose" && password.expose() == self.password.as_bytes() {
                        server.accept_login(self.maildrop()).unwrap();
                    } else {
                        server.reject(Some(ResponseCode::Auth), "no").unwrap();
                    }
                }
                ServerEvent::Retr { msg, .. } | ServerEvent::Top { msg, .. } => {
                    let body = self.messages[msg as usize - 1].clone();
                    for c in body.chunks(self.chunk) {
                        server.send_body(c).unwrap();
                    }
                    server.finish_body().unwrap();
                }
                ServerEvent::Update { deleted } => {
                    self.deleted = Some(deleted.into_owned());
                    server.accept().unwrap();
                }
                ServerEvent::StartTls => {
                    self.starttls += 1;
                    server.tls_established().unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

/// Runs both machines until neither has anything to say; returns the client's
/// events (body chunks merged).
fn run(client: &mut Client, server: &mut Server, app: &mut App) -> Vec<ClientEvent<'static>> {
    let mut events = Vec::new();
    for _ in 0..1000 {
        let mut progress = false;
        app.serve(server);
        while let Some(b) = server.poll_transmit() {
            client.handle_input(&b);
            progress = true;
        }
        while let Some(e) = client.poll_event().unwrap() {
            progress = true;
            let starttls = e == ClientEvent::StartTls;
            push_event(&mut events, e.into_owned());
            if starttls {
                client.tls_established().unwrap();
            }
        }
        while let Some(b) = client.poll_transmit() {
            server.handle_input(&b);
            progress = true;
        }
        if !progress {
            break;
        }
    }
    events
}

fn push_event(events: &mut Vec<ClientEvent<'static>>, e: ClientEvent<'static>) {
    if let (ClientEvent::BodyChunk(new), Some(ClientEvent::BodyChunk(last))) =
        (&e, events.last_mut())
    {
        last.to_mut().extend_from_slice(new);
        return;
    }
    events.push(e);
}

fn ev(e: ClientEvent<'static>) -> ClientEvent<'static> {
    e
}

fn is_ok(e: &ClientEvent<'static>, kind: CommandKind) -> bool {
    matches!(e, ClientEvent::Response { command, response }
        if *command == kind && response.status == Status::Ok)
}

fn is_err(e: &ClientEvent<'static>, kind: CommandKind) -> bool {
    matches!(e, ClientEvent::Response { command, response }
        if *command == kind && response.status == Status::Err)
}

/// A client that sends what it is told without checking the server's CAPA
/// (these sessions test the machines, not the capability policy; that one is
/// in `pop3_unadvertised.rs`).
fn trusting() -> ClientConfig {
    let mut c = ClientConfig::default();
    c.trust_unadvertised = true;
    c
}

fn pair(config: ServerConfig) -> (Client, Server, App) {
    (Client::new(trusting()), Server::new(config), App::new())
}

/// Defaults, but passwords are accepted without TLS (the tests have none).
fn plain_config() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.plaintext_requires_tls = false;
    c
}

fn apop_config() -> ServerConfig {
    let mut c = plain_config();
    c.apop_timestamp = Some("<1896.697170952@dbc.mtview.ca.us>".into());
    c.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    c.tls_available = true;
    c.implementation = Some("mailwire-test".into());
    c
}

#[test]
fn user_pass_list_uidl_retr_top_dele_rset_quit() {
    let (mut client, mut server, mut app) = pair(apop_config());
    let events = run(&mut client, &mut server, &mut app);
    assert!(matches!(&events[0], ClientEvent::Greeting(g)
        if g.apop_timestamp() == Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..])));

    client
        .send_command(&Command::User {
            name: "mrose".into(),
        })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("wrong"),
        })
        .unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_ok(&events[0], CommandKind::User));
    assert!(
        matches!(&events[1], ClientEvent::Response { command: CommandKind::Pass, response }
        if response.code == Some(ResponseCode::Auth))
    );
    assert_eq!(client.state(), mailwire::pop3::ClientState::Authorization);
    // STAT before login is refused locally
    assert!(matches!(
        client.send_command(&Command::Stat),
        Err(Error::Misuse(_))
    ));

    client
        .send_command(&Command::User {
            name: "mrose".into(),
        })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("tanstaaf"),
        })
        .unwrap();
    client.send_command(&Command::Stat).unwrap();
    client.send_command(&Command::List { msg: None }).unwrap();
    client.send_command(&Command::Uidl { msg: None }).unwrap();
    client
        .send_command(&Command::List { msg: Some(2) })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    client
        .send_command(&Command::Top { msg: 1, lines: 1 })
        .unwrap();
    client.send_command(&Command::Retr { msg: 2 }).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    let mut it = events.iter();
    assert!(is_ok(it.next().unwrap(), CommandKind::User));
    assert!(is_ok(it.next().unwrap(), CommandKind::Pass));
    match it.next().unwrap() {
        ClientEvent::Response { response, .. } => {
            let d = response.drop_listing().unwrap();
            assert_eq!((d.count, d.size), (2, (MSG1.len() + MSG2.len()) as u64));
        }
        e => panic!("{e:?}"),
    }
    assert!(is_ok(it.next().unwrap(), CommandKind::List));
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ScanListing(ScanListing {
            msg: 1,
            size: MSG1.len() as u64
        }))
    );
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ScanListing(ScanListing {
            msg: 2,
            size: MSG2.len() as u64
        }))
    );
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ListingEnd {
            command: CommandKind::List
        })
    );
    assert!(is_ok(it.next().unwrap(), CommandKind::Uidl));
    match it.next().unwrap() {
        ClientEvent::UniqueId(u) => {
            assert_eq!((u.msg, u.uid.as_bytes()), (1, &b"uid-1"[..]))
        }
        e => panic!("{e:?}"),
    }
    assert!(matches!(it.next().unwrap(), ClientEvent::UniqueId(_)));
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ListingEnd {
            command: CommandKind::Uidl
        })
    );
    match it.next().unwrap() {
        ClientEvent::Response { response, .. } => {
            assert_eq!(response.scan_listing().unwrap().msg, 2)
        }
        e => panic!("{e:?}"),
    }
    assert!(is_ok(it.next().unwrap(), CommandKind::Retr));
    assert_eq!(
        it.next().unwrap(),
        &ClientEvent::BodyChunk(Cow::Owned(MSG1.to_vec()))
    );
    assert_eq!(it.next().unwrap(), &ev(ClientEvent::BodyEnd));
    assert!(is_ok(it.next().unwrap(), CommandKind::Top));
    assert_eq!(
        it.next().unwrap(),
        &ClientEvent::BodyChunk(Cow::Owned(
            b"From: a@example.org\r\nSubject: one\r\n\r\nline 1\r\n".to_vec()
        ))
    );
    assert_eq!(it.next().unwrap(), &ev(ClientEvent::BodyEnd));
    assert!(is_ok(it.next().unwrap(), CommandKind::Retr));
    // LF line ends were normalized by the server
    assert_eq!(
        it.next().unwrap(),
        &ClientEvent::BodyChunk(Cow::Owned(
            b"Subject: two\r\n\r\nunix\r\nline ends\r\n".to_vec()
        ))
    );
    assert_eq!(it.next().unwrap(), &ev(ClientEvent::BodyEnd));
    assert!(it.next().is_none());

    // DELE, a deleted message is gone, RSET brings it back, DELE again, QUIT.
    client.send_command(&Command::Dele { msg: 1 }).unwrap();
    client.send_command(&Command::Dele { msg: 1 }).unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    client
        .send_command(&Command::List { msg: Some(1) })
        .unwrap();
    client.send_command(&Command::Stat).unwrap();
    client.send_command(&Command::Rset).unwrap();
    client.send_command(&Command::Stat).unwrap();
    client.send_command(&Command::Dele { msg: 2 }).unwrap();
    client.send_command(&Command::Dele { msg: 3 }).unwrap();
    client.send_command(&Command::Noop).unwrap();
    client.send_command(&Command::Quit).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_ok(&events[0], CommandKind::Dele));
    assert!(is_err(&events[1], CommandKind::Dele));
    assert!(is_err(&events[2], CommandKind::Retr));
    assert!(is_err(&events[3], CommandKind::List));
    let stat = |e: &ClientEvent<'static>| match e {
        ClientEvent::Response { response, .. } => response.drop_listing().unwrap().count,
        e => panic!("{e:?}"),
    };
    assert_eq!(stat(&events[4]), 1);
    assert!(is_ok(&events[5], CommandKind::Rset));
    assert_eq!(stat(&events[6]), 2);
    assert!(is_ok(&events[7], CommandKind::Dele));
    assert!(is_err(&events[8], CommandKind::Dele));
    assert!(is_ok(&events[9], CommandKind::Noop));
    assert!(is_ok(&events[10], CommandKind::Quit));
    assert_eq!(events.len(), 11);
    assert_eq!(app.deleted, Some(vec![2]));
    assert!(client.is_closed());
    assert!(server.is_closed());
}

#[cfg(feature = "sasl-hash")]
#[test]
fn apop_login() {
    let (mut client, mut server, mut app) = pair(apop_config());
    // APOP before the greeting: no timestamp known yet
    assert!(matches!(
        client.apop("mrose", &Secret::from("tanstaaf")),
        Err(Error::Misuse(_))
    ));
    run(&mut client, &mut server, &mut app);
    client.apop("mrose", &Secret::from("wrong")).unwrap();
    client.apop("mrose", &Secret::from("tanstaaf")).unwrap();
    client.send_command(&Command::Stat).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_err(&events[0], CommandKind::Apop));
    assert!(is_ok(&events[1], CommandKind::Apop));
    assert!(is_ok(&events[2], CommandKind::Stat));
    assert!(server.is_authenticated());

    // without a timestamp in the greeting, APOP is refused by the server
    let (mut client, mut server, mut app) = pair(plain_config());
    run(&mut client, &mut server, &mut app);
    assert!(client.apop_timestamp().is_none());
    assert!(client.apop("mrose", &Secret::from("x")).is_err());
    client
        .send_command(&Command::Apop {
            name: "mrose".into(),
            digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
        })
        .unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_err(&events[0], CommandKind::Apop));
}

#[test]
fn auth_plain_with_and_without_initial_response() {
    // initial response sent with send_command
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client
        .send_command(&Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("AG1yb3NlAHRhbnN0YWFm".into()),
        })
        .unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_ok(&events[0], CommandKind::Auth), "{events:?}");
    assert_eq!(app.auth_log, [b"mrose".to_vec()]);

    // challenge/response answered by the application
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client
        .send_command(&Command::Auth {
            mechanism: "plain".into(),
            initial_response: None,
        })
        .unwrap();
    // nothing else may be sent during the exchange
    assert!(matches!(
        client.send_command(&Command::Capa),
        Err(Error::Misuse(_))
    ));
    let mut got_challenge = false;
    for _ in 0..10 {
        while let Some(b) = client.poll_transmit() {
            server.handle_input(&b);
        }
        app.serve(&mut server);
        while let Some(b) = server.poll_transmit() {
            client.handle_input(&b);
        }
        while let Some(e) = client.poll_event().unwrap() {
            if let ClientEvent::AuthChallenge(c) = e {
                assert!(c.is_empty());
                got_challenge = true;
                client.auth_response(b"\0mrose\0tanstaaf").unwrap();
            }
        }
    }
    assert!(got_challenge);
    assert_eq!(client.state(), mailwire::pop3::ClientState::Transaction);

    // cancelled exchange
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client
        .send_command(&Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: None,
        })
        .unwrap();
    let mut events = Vec::new();
    for _ in 0..10 {
        while let Some(b) = client.poll_transmit() {
            server.handle_input(&b);
        }
        app.serve(&mut server);
        while let Some(b) = server.poll_transmit() {
            client.handle_input(&b);
        }
        while let Some(e) = client.poll_event().unwrap() {
            if let ClientEvent::AuthChallenge(_) = e {
                client.auth_cancel().unwrap();
            } else {
                events.push(e.into_owned());
            }
        }
    }
    assert!(is_err(&events[0], CommandKind::Auth));
    assert!(app.auth_log.is_empty());

    // unknown mechanism
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client
        .send_command(&Command::Auth {
            mechanism: "GSSAPI".into(),
            initial_response: None,
        })
        .unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_err(&events[0], CommandKind::Auth));
}

#[test]
fn passwords_need_tls_by_default() {
    let mut config = ServerConfig::default();
    config.tls_available = true;
    config.auth_mechanisms = vec![Mechanism::Plain];
    config.apop_timestamp = Some("<1.2@h>".into());
    let mut server = Server::new(config);
    server.poll_transmit();
    server.handle_input(b"CAPA\r\nUSER a\r\nAUTH PLAIN AGEAYg==\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    let out = String::from_utf8(server.poll_transmit().unwrap().to_vec()).unwrap();
    assert!(
        out.contains("STLS\r\n") && !out.contains("USER\r\n") && !out.contains("SASL"),
        "{out}"
    );
    assert!(
        out.contains("-ERR USER/PASS requires TLS (use STLS)\r\n"),
        "{out}"
    );
    assert!(
        out.ends_with("-ERR AUTH requires TLS (use STLS)\r\n"),
        "{out}"
    );
    // APOP sends no password: allowed
    server.handle_input(b"APOP a 0123456789abcdef0123456789abcdef\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Apop(_))
    ));
    server.reject(None, "no").unwrap();
    // after STLS, passwords are welcome
    server.handle_input(b"STLS\r\n");
    assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::StartTls));
    server.tls_established().unwrap();
    server.handle_input(b"USER a\r\nPASS b\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Login { .. })
    ));
}

#[test]
fn capa_and_stls_forget_and_reread_capabilities() {
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client.send_command(&Command::Capa).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_ok(&events[0], CommandKind::Capa));
    let caps = client.capabilities();
    assert!(caps.stls() && caps.pipelining() && caps.top() && caps.uidl() && caps.user());
    assert!(caps.sasl("PLAIN"));
    assert!(
        caps.iter().any(
            |c| matches!(c, Capability::Implementation(t) if t.as_bytes() == b"mailwire-test")
        )
    );
    client.send_command(&Command::Stls).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert_eq!(events[0], ev(ClientEvent::StartTls));
    assert_eq!(app.starttls, 1);
    assert!(server.tls_active() && client.tls_active());
    // CAPA was re-sent by the machine after the handshake; STLS is gone now.
    assert!(is_ok(&events[1], CommandKind::Capa));
    assert!(!client.capabilities().stls());
    assert!(client.capabilities().pipelining());
    // STLS again is refused
    client.send_command(&Command::Stls).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    assert!(is_err(&events[0], CommandKind::Stls));
}

#[test]
fn stls_discards_injected_plaintext() {
    let mut server = Server::new(apop_config());
    server.poll_transmit();
    server.handle_input(b"STLS\r\nUSER evil\r\nPASS evil\r\n");
    assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::StartTls));
    // bytes arriving before the handshake completes are dropped too
    server.handle_input(b"QUIT\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"+OK begin TLS negotiation\r\n"
    );
    server.tls_established().unwrap();
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(server.poll_transmit(), None);
    // the session starts over: PASS without USER is refused
    server.handle_input(b"PASS evil\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(&server.poll_transmit().unwrap()[..], b"-ERR USER first\r\n");

    // client side: bytes after the +OK to STLS are dropped too
    let mut client = Client::new(trusting());
    client.handle_input(b"+OK hi\r\n");
    assert!(client.poll_event().unwrap().is_some());
    client.send_command(&Command::Stls).unwrap();
    client.handle_input(b"+OK go\r\n+OK injected\r\n");
    assert_eq!(client.poll_event().unwrap(), Some(ClientEvent::StartTls));
    assert_eq!(client.poll_event().unwrap(), None);
    client.tls_established().unwrap();
    assert_eq!(client.poll_event().unwrap(), None);
}

#[test]
fn pipelining_batches_commands() {
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    // without PIPELINING known, commands go one at a time
    client
        .send_command(&Command::User {
            name: "mrose".into(),
        })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("tanstaaf"),
        })
        .unwrap();
    let first = client.poll_transmit().unwrap();
    assert_eq!(&first[..], b"USER mrose\r\n");
    server.handle_input(&first);
    run(&mut client, &mut server, &mut app);
    client.send_command(&Command::Capa).unwrap();
    run(&mut client, &mut server, &mut app);
    assert!(client.capabilities().pipelining());
    for n in 1..=2 {
        client.send_command(&Command::Retr { msg: n }).unwrap();
        client
            .send_command(&Command::List { msg: Some(n) })
            .unwrap();
    }
    client.send_command(&Command::Uidl { msg: None }).unwrap();
    let batch = client.poll_transmit().unwrap();
    assert_eq!(
        &batch[..],
        b"RETR 1\r\nLIST 1\r\nRETR 2\r\nLIST 2\r\nUIDL\r\n"
    );
    server.handle_input(&batch);
    let events = run(&mut client, &mut server, &mut app);
    let kinds: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Response { command, .. } => Some(*command),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            CommandKind::Retr,
            CommandKind::List,
            CommandKind::Retr,
            CommandKind::List,
            CommandKind::Uidl
        ]
    );
    // nothing may follow QUIT
    client.send_command(&Command::Quit).unwrap();
    assert!(matches!(
        client.send_command(&Command::Noop),
        Err(Error::Misuse(_))
    ));
    assert_eq!(&client.poll_transmit().unwrap()[..], b"QUIT\r\n");
}

#[test]
fn server_answers_wrong_state_and_goes_on() {
    let mut server = Server::new(plain_config());
    server.poll_transmit();
    server.handle_input(
        b"STAT\r\nRETR 1\r\nPASS x\r\nNOOP\r\nXYZZY\r\nTOP 1\r\nUSER mrose\r\nPASS tanstaaf\r\n",
    );
    let mut app = App::new();
    app.serve(&mut server);
    let out = server.poll_transmit().unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        "-ERR not allowed before login\r\n-ERR not allowed before login\r\n-ERR USER first\r\n\
         -ERR not allowed before login\r\n-ERR unknown command\r\n-ERR syntax error\r\n\
         +OK send PASS\r\n+OK maildrop has 2 messages\r\n"
    );
    server.handle_input(
        b"USER again\r\nAPOP x 00\r\nSTLS\r\nRETR 0\r\nRETR 99\r\nTOP 3 1\r\nSTAT\r\n",
    );
    app.serve(&mut server);
    let out = server.poll_transmit().unwrap();
    assert_eq!(
        std::str::from_utf8(&out).unwrap(),
        format!(
            "-ERR not allowed after login\r\n-ERR not allowed after login\r\n-ERR not allowed after login\r\n\
             -ERR no such message\r\n-ERR no such message\r\n-ERR no such message\r\n+OK 2 {}\r\n",
            MSG1.len() + MSG2.len()
        )
    );
    assert!(!server.is_closed());
}

#[test]
fn server_limits() {
    // too many bad commands
    let mut config = plain_config();
    config.limits.bad_commands = 3;
    let mut server = Server::new(config);
    server.handle_input(b"A\r\nB\r\nC\r\nD\r\nNOOP\r\n");
    let e = server.poll_event().unwrap_err();
    assert_eq!(e, Error::limit(LimitKind::BadCommands, 3usize));
    assert!(server.is_closed());
    assert_eq!(server.poll_event().unwrap_err(), e, "sticky");
    let out = server.poll_transmit().unwrap();
    assert!(out.ends_with(b"-ERR too many bad commands, closing\r\n"));

    // a 1 GiB line: fed in 64 KiB chunks until the limit stops it
    let mut server = Server::new(plain_config());
    let chunk = vec![b'A'; 64 << 10];
    let mut fed = 0u64;
    let err = loop {
        server.handle_input(&chunk);
        fed += chunk.len() as u64;
        assert!(fed < 1 << 30);
        if let Err(e) = server.poll_event() {
            break e;
        }
    };
    assert_eq!(
        err,
        Error::limit(LimitKind::CommandLine, Limits::default().command_line)
    );
    assert!(fed <= 2 * Limits::default().command_line as u64 + (64 << 10));
    assert!(server.is_closed());

    // pipelined input beyond input_buffer while the application holds an answer
    let mut config = plain_config();
    config.limits.input_buffer = 1000;
    let mut server = Server::new(config);
    server.handle_input(b"USER a\r\nPASS b\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Login { .. })
    ));
    server.accept_login(Maildrop::new()).unwrap();
    for _ in 0..200 {
        server.handle_input(b"NOOP\r\n");
    }
    // NOOPs are answered as they are parsed; the buffer drains
    assert_eq!(server.poll_event().unwrap(), None);
    // but while the application holds an answer, pipelined input piles up
    let mut config = plain_config();
    config.limits.input_buffer = 1000;
    let mut server = Server::new(config);
    server.handle_input(b"USER a\r\nPASS b\r\n");
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Login { .. })
    ));
    for _ in 0..100 {
        server.handle_input(b"NOOP\r\n");
    }
    assert_eq!(server.poll_event().unwrap(), None);
    for _ in 0..100 {
        server.handle_input(b"NOOP\r\n");
    }
    assert_eq!(
        server.poll_event().unwrap_err(),
        Error::limit(LimitKind::InputBuffer, 1000usize)
    );
    let mut big = b"NOOP".to_vec();
    big.extend(vec![b' '; 2000]);
    let mut config = plain_config();
    config.limits.input_buffer = 1000;
    let mut server = Server::new(config);
    server.handle_input(&big);
    assert_eq!(
        server.poll_event().unwrap_err(),
        Error::limit(LimitKind::InputBuffer, 1000usize)
    );
}

#[test]
fn server_misuse_is_refused() {
    let mut server = Server::new(plain_config());
    assert!(matches!(server.accept(), Err(Error::Misuse(_))));
    assert!(matches!(
        server.accept_login(Maildrop::new()),
        Err(Error::Misuse(_))
    ));
    assert!(matches!(server.send_body(b"x"), Err(Error::Misuse(_))));
    assert!(matches!(server.finish_body(), Err(Error::Misuse(_))));
    assert!(matches!(server.tls_established(), Err(Error::Misuse(_))));
    assert!(matches!(server.reject(None, "x"), Err(Error::Misuse(_))));
    let mut m = Maildrop::new();
    assert!(matches!(m.push(1, "has space"), Err(Error::Emit(_))));
    assert!(matches!(m.push(1, ""), Err(Error::Emit(_))));
    server.handle_input(b"USER a\r\nPASS b\r\n");
    server.poll_event().unwrap().unwrap();
    assert!(matches!(
        server.reject(None, "bad\r\n+OK"),
        Err(Error::Emit(_))
    ));
    server.reject(Some(ResponseCode::InUse), "locked").unwrap();
    let out = server.poll_transmit().unwrap();
    assert!(out.ends_with(b"-ERR [IN-USE] locked\r\n"));
}

#[test]
fn quit_before_login_has_no_update() {
    let mut server = Server::new(plain_config());
    server.handle_input(b"QUIT\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert!(server.is_closed());
    assert!(server.poll_transmit().unwrap().ends_with(b"+OK bye\r\n"));
}

#[test]
fn update_rejected_still_closes() {
    let mut server = Server::new(plain_config());
    server.handle_input(b"USER a\r\nPASS b\r\nDELE 1\r\nQUIT\r\n");
    server.poll_event().unwrap().unwrap();
    let mut m = Maildrop::new();
    m.push(10, "x").unwrap();
    server.accept_login(m).unwrap();
    match server.poll_event().unwrap() {
        Some(ServerEvent::Update { deleted }) => assert_eq!(&deleted[..], [1]),
        e => panic!("{e:?}"),
    }
    server
        .reject(
            Some(ResponseCode::SysTemp),
            "some deleted messages not removed",
        )
        .unwrap();
    assert!(server.is_closed());
    let out = server.poll_transmit().unwrap();
    assert!(out.ends_with(b"-ERR [SYS/TEMP] some deleted messages not removed\r\n"));
}

// ---------- client transcripts, split at every byte ----------

const SERVER_BYTES: &[u8] = b"+OK ready <1.2@host>\r\n\
+OK send PASS\r\n\
+OK logged in \xe2\x80\x93 caf\xe9\r\n\
+OK 2 messages\r\n1 120\r\n2 garbage\r\n2 200\r\n.\r\n\
+OK\r\n1 uid-a\r\n2 uid-b\r\n.\r\n\
+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\nbody\r\nnot.\r\n.\r\n\
this is not a response\r\n\
-ERR [SYS/TEMP] try later\r\n\
+OK\r\nSubject: y\r\n\r\nx\r\n.\r\n\
+OK capa\r\nTOP\r\nSASL PLAIN LOGIN\r\nX-ODD\r\n.\r\n\
+OK bye\r\n";

fn client_commands(client: &mut Client) {
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::List { msg: None }).unwrap();
    client.send_command(&Command::Uidl { msg: None }).unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    client.send_command(&Command::Noop).unwrap();
    client.send_command(&Command::Retr { msg: 9 }).unwrap();
    client
        .send_command(&Command::Top { msg: 2, lines: 5 })
        .unwrap();
    client.send_command(&Command::Capa).unwrap();
    client.send_command(&Command::Quit).unwrap();
}

fn client_run(input: &[u8], cuts: &[usize]) -> Vec<ClientEvent<'static>> {
    let mut client = Client::new(ClientConfig::default());
    client_commands(&mut client);
    let mut events = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        client.handle_input(&input[prev..c]);
        prev = c;
        while let Some(e) = client.poll_event().unwrap() {
            push_event(&mut events, e.into_owned());
        }
    }
    events
}

#[test]
fn client_transcript_and_bad_response_costs_one_response() {
    let events = client_run(SERVER_BYTES, &[]);
    let mut it = events.iter();
    assert!(matches!(it.next().unwrap(), ClientEvent::Greeting(_)));
    assert!(is_ok(it.next().unwrap(), CommandKind::User));
    match it.next().unwrap() {
        ClientEvent::Response { response, .. } => {
            assert_eq!(response.text.as_bytes(), b"logged in \xe2\x80\x93 caf\xe9");
            assert_eq!(
                response.text.to_str_lossy(),
                "logged in \u{2013} caf\u{fffd}"
            );
        }
        e => panic!("{e:?}"),
    }
    assert!(is_ok(it.next().unwrap(), CommandKind::List));
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ScanListing(ScanListing { msg: 1, size: 120 }))
    );
    // a listing line with garbage costs that line
    assert!(
        matches!(it.next().unwrap(), ClientEvent::MalformedResponse { raw, .. } if raw.as_ref() == b"2 garbage")
    );
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ScanListing(ScanListing { msg: 2, size: 200 }))
    );
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ListingEnd {
            command: CommandKind::List
        })
    );
    assert!(is_ok(it.next().unwrap(), CommandKind::Uidl));
    it.next();
    it.next();
    it.next();
    assert!(is_ok(it.next().unwrap(), CommandKind::Retr));
    assert_eq!(
        it.next().unwrap(),
        &ClientEvent::BodyChunk(Cow::Owned(
            b"Subject: x\r\n\r\n.dot\r\nbody\r\nnot.\r\n".to_vec()
        ))
    );
    assert_eq!(it.next().unwrap(), &ev(ClientEvent::BodyEnd));
    // the answer to NOOP does not parse: one Malformed event, the session goes on
    match it.next().unwrap() {
        ClientEvent::MalformedResponse {
            command,
            raw,
            error,
        } => {
            assert_eq!(*command, Some(CommandKind::Noop));
            assert_eq!(raw.as_ref(), b"this is not a response");
            assert_eq!(error.offset, 0);
        }
        e => panic!("{e:?}"),
    }
    match it.next().unwrap() {
        ClientEvent::Response {
            command: CommandKind::Retr,
            response,
        } => {
            assert_eq!(response.code, Some(ResponseCode::SysTemp));
        }
        e => panic!("{e:?}"),
    }
    assert!(is_ok(it.next().unwrap(), CommandKind::Top));
    assert_eq!(
        it.next().unwrap(),
        &ClientEvent::BodyChunk(Cow::Owned(b"Subject: y\r\n\r\nx\r\n".to_vec()))
    );
    assert_eq!(it.next().unwrap(), &ev(ClientEvent::BodyEnd));
    assert!(is_ok(it.next().unwrap(), CommandKind::Capa));
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::Capability(Capability::Top))
    );
    assert!(matches!(
        it.next().unwrap(),
        ClientEvent::Capability(Capability::Sasl(_))
    ));
    assert!(matches!(
        it.next().unwrap(),
        ClientEvent::Capability(Capability::Other { .. })
    ));
    assert_eq!(
        it.next().unwrap(),
        &ev(ClientEvent::ListingEnd {
            command: CommandKind::Capa
        })
    );
    assert!(is_ok(it.next().unwrap(), CommandKind::Quit));
    assert!(it.next().is_none());
}

#[test]
fn client_split_at_every_byte() {
    let whole = client_run(SERVER_BYTES, &[]);
    for cut in 0..=SERVER_BYTES.len() {
        assert_eq!(client_run(SERVER_BYTES, &[cut]), whole, "cut at {cut}");
    }
    let every: Vec<usize> = (1..SERVER_BYTES.len()).collect();
    assert_eq!(client_run(SERVER_BYTES, &every), whole);
}

fn server_run(input: &[u8], cuts: &[usize]) -> (Vec<u8>, Option<Vec<u32>>) {
    let mut config = apop_config();
    config.tls_available = false;
    let mut server = Server::new(config);
    let mut app = App::new();
    app.chunk = 3;
    let mut out = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        server.handle_input(&input[prev..c]);
        prev = c;
        app.serve(&mut server);
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    (out, app.deleted)
}

const CLIENT_BYTES: &[u8] = b"CAPA\r\nUSER mrose\r\nPASS tanstaaf\r\nSTAT\r\nLIST\r\nUIDL 2\r\n\
RETR 1\r\nTOP 2 0\r\nDELE 1\r\nBOGUS\r\nLIST 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n";

#[test]
fn server_split_at_every_byte() {
    let (whole, deleted) = server_run(CLIENT_BYTES, &[]);
    assert_eq!(deleted, Some(vec![2]));
    let text = String::from_utf8(whole.clone()).unwrap();
    assert!(
        text.contains(&format!("+OK 2 {}\r\n", MSG1.len() + MSG2.len())),
        "{text}"
    );
    assert!(text.contains("\r\n..leading dot\r\n"), "{text}");
    assert!(
        text.contains("+OK message follows\r\nSubject: two\r\n\r\n.\r\n"),
        "{text}"
    );
    assert!(text.ends_with("+OK bye\r\n"));
    for cut in 0..=CLIENT_BYTES.len() {
        assert_eq!(server_run(CLIENT_BYTES, &[cut]).0, whole, "cut at {cut}");
    }
    let every: Vec<usize> = (1..CLIENT_BYTES.len()).collect();
    assert_eq!(server_run(CLIENT_BYTES, &every).0, whole);
}

// ---------- hostile server input ----------

#[test]
fn retr_body_without_terminator() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK hi\r\n+OK\r\n+OK\r\n");
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    while client.poll_event().unwrap().is_some() {}
    client.handle_input(b"+OK\r\nSubject: x\r\n\r\nbody without end\r\n.");
    let mut chunks = 0;
    while let Some(e) = client.poll_event().unwrap() {
        assert!(!matches!(e, ClientEvent::BodyEnd));
        chunks += 1;
    }
    assert!(chunks >= 2);
    client.handle_eof();
    assert!(matches!(client.poll_event(), Err(Error::Protocol(_))));
    assert!(client.is_closed());
}

#[test]
fn body_with_unstuffed_terminator_inside_a_line() {
    // "\r\n.\r\n" only ends the body at a line start: a smuggled "\n.\n" or
    // "\r.\r" does not end it.
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK hi\r\n");
    client.poll_event().unwrap();
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    client.send_command(&Command::Noop).unwrap();
    client.handle_input(b"+OK\r\n+OK\r\n+OK\r\nA\n.\nB\r.\rC.\r\nD\r\n.\r\n+OK noop\r\n");
    let mut body = Vec::new();
    let mut events = Vec::new();
    while let Some(e) = client.poll_event().unwrap() {
        match e {
            ClientEvent::BodyChunk(c) => body.extend_from_slice(&c),
            e => events.push(e.into_owned()),
        }
    }
    assert_eq!(body, b"A\n.\nB\r.\rC.\r\nD\r\n");
    assert!(is_ok(events.last().unwrap(), CommandKind::Noop));

    // the strict body policy refuses bare line ends instead
    let mut config = ClientConfig::default();
    config.body_policy = mailwire::wire::dot::BodyPolicy::Strict;
    let mut client = Client::new(config);
    client.handle_input(b"+OK hi\r\n+OK\r\n+OK\r\n+OK\r\nA\n.\n");
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    let err = loop {
        match client.poll_event() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, Error::BareLineEnding(_)));
}

#[test]
fn client_limits_and_protocol_errors() {
    // response without a command
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK hi\r\n+OK unsolicited\r\n");
    client.poll_event().unwrap();
    assert_eq!(
        client.poll_event().unwrap_err(),
        Error::Protocol(mailwire::error::PeerMisbehaved::UnsolicitedResponse)
    );
    assert!(client.send_command(&Command::Quit).is_err(), "sticky");

    // an endless response line
    let mut client = Client::new(ClientConfig::default());
    let chunk = vec![b'x'; 64 << 10];
    client.handle_input(b"+OK ");
    let err = loop {
        client.handle_input(&chunk);
        if let Err(e) = client.poll_event() {
            break e;
        }
    };
    assert_eq!(
        err,
        Error::limit(LimitKind::ReplyLine, Limits::default().reply_line)
    );

    // a message larger than message_size
    let mut config = ClientConfig::default();
    config.limits.message_size = 100;
    let mut client = Client::new(config);
    client.handle_input(b"+OK hi\r\n+OK\r\n+OK\r\n+OK\r\n");
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    let err = loop {
        client.handle_input(&[b'y'; 30]);
        match client.poll_event() {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(err, Error::limit(LimitKind::MessageSize, 100u64));

    // misuse
    let mut client = Client::new(ClientConfig::default());
    assert!(matches!(client.tls_established(), Err(Error::Misuse(_))));
    assert!(matches!(client.auth_response(b""), Err(Error::Misuse(_))));
    assert!(matches!(
        client.send_command(&Command::User {
            name: "a\r\nDELE 1".into()
        }),
        Err(Error::Emit(_))
    ));
    assert_eq!(client.poll_transmit(), None);

    // -ERR greeting closes
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"-ERR [SYS/TEMP] go away\r\n");
    assert!(matches!(
        client.poll_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    assert!(client.is_closed());
}

#[test]
fn large_listing_streams_line_by_line() {
    // 10 000 lines: more than Limits::reply_lines, delivered one by one.
    let mut input = b"+OK hi\r\n+OK\r\n+OK\r\n+OK\r\n".to_vec();
    for i in 1..=10_000 {
        input.extend_from_slice(format!("{i} {}\r\n", i * 10).as_bytes());
    }
    input.extend_from_slice(b".\r\n");
    let mut client = Client::new(ClientConfig::default());
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::List { msg: None }).unwrap();
    let mut n = 0;
    for c in input.chunks(4096) {
        client.handle_input(c);
        while let Some(e) = client.poll_event().unwrap() {
            if let ClientEvent::ScanListing(s) = e {
                n += 1;
                assert_eq!(s.size, u64::from(s.msg) * 10);
            }
        }
    }
    assert_eq!(n, 10_000);
}

// ---------- SASL through wire::sasl on both sides ----------

/// Runs a session where the client authenticates with `credentials` through
/// `Client::authenticate` and the server machine runs `SaslServer`; returns
/// the client's events after the greeting.
fn sasl_session(credentials: Credentials<'_>) -> (Vec<ClientEvent<'static>>, Client) {
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    client.authenticate(credentials).unwrap();
    let events = run(&mut client, &mut server, &mut app);
    (events, client)
}

#[test]
fn auth_plain_and_login_with_wire_sasl() {
    let (events, client) = sasl_session(Credentials::Plain {
        authzid: None,
        username: "mrose",
        password: "tanstaaf".into(),
    });
    assert!(is_ok(&events[0], CommandKind::Auth), "{events:?}");
    assert_eq!(client.state(), mailwire::pop3::ClientState::Transaction);

    let (events, client) = sasl_session(Credentials::Login {
        username: "mrose",
        password: "tanstaaf".into(),
    });
    assert!(is_ok(&events[0], CommandKind::Auth), "{events:?}");
    assert_eq!(client.state(), mailwire::pop3::ClientState::Transaction);

    let (events, client) = sasl_session(Credentials::Login {
        username: "mrose",
        password: "wrong".into(),
    });
    assert!(
        matches!(&events[0], ClientEvent::Response { command: CommandKind::Auth, response }
        if response.code == Some(ResponseCode::Auth))
    );
    assert_eq!(client.state(), mailwire::pop3::ClientState::Authorization);
}

/// Issue 7: corrupting any one line of the transcript (a NUL after its first
/// byte) costs that line, and every later response is still delivered. Dot
/// terminators are left alone: a corrupted terminator cannot be told from a
/// body line by any reader.
#[test]
fn one_corrupted_line_costs_one_line() {
    let whole = client_run(SERVER_BYTES, &[]);
    let quit = whole.last().unwrap().clone();
    assert!(is_ok(&quit, CommandKind::Quit));
    let mut start = 0;
    let mut corrupted = 0;
    while let Some(len) = SERVER_BYTES[start..].windows(2).position(|w| w == b"\r\n") {
        let line = &SERVER_BYTES[start..start + len];
        if line != b"." && !line.is_empty() {
            let mut input = SERVER_BYTES.to_vec();
            input.insert(start + 1, 0);
            let events = client_run(&input, &[]);
            if start + len + 2 < SERVER_BYTES.len() {
                let shown = String::from_utf8_lossy(line);
                assert_eq!(events.last(), Some(&quit), "line {shown:?}");
            } else {
                assert!(matches!(
                    events.last(),
                    Some(ClientEvent::MalformedResponse { .. })
                ));
            }
            // as many response events as before (one may have become Malformed)
            let responses = |ev: &[ClientEvent<'static>]| {
                ev.iter()
                    .filter(|e| {
                        matches!(
                            e,
                            ClientEvent::Response { .. } | ClientEvent::MalformedResponse { .. }
                        )
                    })
                    .count()
            };
            assert!(responses(&events) >= responses(&whole) - 1);
            corrupted += 1;
        }
        start += len + 2;
    }
    assert!(corrupted > 20);
}

#[test]
fn autologout_closes_without_update() {
    use std::time::Duration;
    let mut server = Server::new(plain_config());
    // the timer runs from the start: the machine asks for the time at once
    // (it used to wait for a first handle_timeout that drivers never made)
    assert_eq!(server.poll_timeout(), Some(Duration::ZERO));
    server.handle_timeout(Duration::from_secs(5));
    assert_eq!(server.poll_timeout(), Some(Duration::from_secs(605)));
    server.handle_input(b"USER a\r\nPASS b\r\nDELE 1\r\n");
    server.poll_event().unwrap().unwrap();
    let mut m = Maildrop::new();
    m.push(1, "x").unwrap();
    server.accept_login(m).unwrap();
    assert_eq!(server.poll_event().unwrap(), None);
    // input restarted the timer: it asks for the time, then counts from it
    assert_eq!(server.poll_timeout(), Some(Duration::from_secs(5)));
    server.handle_timeout(Duration::from_secs(100));
    assert_eq!(server.poll_timeout(), Some(Duration::from_secs(700)));
    server.handle_timeout(Duration::from_secs(699));
    assert!(!server.is_closed());
    server.handle_timeout(Duration::from_secs(700));
    assert!(server.is_closed());
    assert_eq!(server.poll_timeout(), None);
    // no UPDATE event: nothing is deleted
    assert_eq!(server.poll_event().unwrap(), None);

    let mut config = plain_config();
    config.autologout = None;
    let mut server = Server::new(config);
    server.handle_timeout(Duration::from_secs(1));
    assert_eq!(server.poll_timeout(), None);
}

#[test]
fn unstuffed_terminator_inside_a_body() {
    // The server machine stuffs what the application pushes: a body holding
    // CRLF . CRLF cannot end the answer early.
    let mut server = Server::new(plain_config());
    server.handle_input(b"USER a\r\nPASS b\r\nRETR 1\r\n");
    server.poll_event().unwrap().unwrap();
    let mut m = Maildrop::new();
    m.push(1, "x").unwrap();
    server.accept_login(m).unwrap();
    assert!(matches!(
        server.poll_event().unwrap(),
        Some(ServerEvent::Retr { msg: 1, .. })
    ));
    server.poll_transmit();
    server.send_body(b"a\r\n.\r\nQUIT").unwrap();
    server.finish_body().unwrap();
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"+OK message follows\r\na\r\n..\r\nQUIT\r\n.\r\n"
    );

    // A broken server that did not stuff: the body ends where the wire says,
    // the rest costs the next response (Malformed), and a response nobody asked
    // for is a typed protocol error, never mixed into a message.
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK hi\r\n+OK\r\n+OK\r\n");
    client
        .send_command(&Command::User { name: "u".into() })
        .unwrap();
    client
        .send_command(&Command::Pass {
            password: Secret::from("p"),
        })
        .unwrap();
    client.send_command(&Command::Retr { msg: 1 }).unwrap();
    client.send_command(&Command::Noop).unwrap();
    client.handle_input(b"+OK\r\na\r\n.\r\nsmuggled\r\n.\r\n+OK noop\r\n");
    let mut events = Vec::new();
    let err = loop {
        match client.poll_event() {
            Ok(Some(e)) => events.push(e.into_owned()),
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert!(events.contains(&ClientEvent::BodyChunk(Cow::Owned(b"a\r\n".to_vec()))));
    assert!(events.iter().any(
        |e| matches!(e, ClientEvent::MalformedResponse { raw, .. } if raw.as_ref() == b"smuggled")
    ));
    assert_eq!(
        err,
        Error::Protocol(mailwire::error::PeerMisbehaved::UnsolicitedResponse)
    );
}

#[test]
fn long_initial_response_waits_for_the_empty_challenge() {
    let long = "p".repeat(300);
    let (events, client) = sasl_session(Credentials::Plain {
        authzid: None,
        username: "mrose",
        password: long.as_str().into(),
    });
    // the application rejects the password, but the exchange ran: AUTH PLAIN
    // without initial response, empty challenge, then the response.
    assert!(
        matches!(&events[0], ClientEvent::Response { command: CommandKind::Auth, response }
        if response.code == Some(ResponseCode::Auth))
    );
    assert_eq!(client.state(), mailwire::pop3::ClientState::Authorization);
    let mut c = Client::new(trusting());
    c.handle_input(b"+OK hi\r\n");
    c.poll_event().unwrap();
    c.authenticate(Credentials::Plain {
        authzid: None,
        username: "mrose",
        password: long.as_str().into(),
    })
    .unwrap();
    assert_eq!(&c.poll_transmit().unwrap()[..], b"AUTH PLAIN\r\n");
    c.handle_input(b"+ \r\n");
    // answered by the machine: no event
    assert_eq!(c.poll_event().unwrap(), None);
    let line = c.poll_transmit().unwrap();
    assert!(line.len() > 300 && line.ends_with(b"\r\n"));
    // a further, unexpected challenge is cancelled
    c.handle_input(b"+ Zm9v\r\n");
    assert_eq!(c.poll_event().unwrap(), None);
    assert_eq!(&c.poll_transmit().unwrap()[..], b"*\r\n");
}

#[test]
fn server_auth_exchange_limit() {
    let mut config = plain_config();
    config.auth_mechanisms = vec![Mechanism::Login];
    config.limits.auth_exchanges = 1;
    let mut server = Server::new(config);
    server.poll_transmit();
    server.handle_input(b"AUTH LOGIN\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(&server.poll_transmit().unwrap()[..], b"+ VXNlcm5hbWU6\r\n");
    server.handle_input(b"bXJvc2U=\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"-ERR too many SASL exchanges\r\n"
    );
    // the session goes on
    server.handle_input(b"NOOP\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"-ERR not allowed before login\r\n"
    );
    // bad base64 in an exchange costs the exchange
    let mut config = plain_config();
    config.auth_mechanisms = vec![Mechanism::Login];
    let mut server = Server::new(config);
    server.poll_transmit();
    server.handle_input(b"AUTH LOGIN\r\n%%%\r\nAUTH LOGIN\r\n*\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    let out = server.poll_transmit().unwrap();
    assert_eq!(
        &out[..],
        b"+ VXNlcm5hbWU6\r\n-ERR invalid base64 in AUTH response\r\n+ VXNlcm5hbWU6\r\n-ERR authentication cancelled\r\n"
    );
}

#[test]
fn convenience_actions() {
    let (mut client, mut server, mut app) = pair(apop_config());
    run(&mut client, &mut server, &mut app);
    assert!(matches!(
        client.login("mrose", Secret::from("a\r\nb")),
        Err(Error::Emit(_))
    ));
    assert_eq!(
        client.pending_commands(),
        0,
        "nothing queued after a refused login"
    );
    client.login("mrose", Secret::from("tanstaaf")).unwrap();
    client.capa().unwrap();
    client.stat().unwrap();
    client.list(None).unwrap();
    client.uidl(Some(1)).unwrap();
    client.top(2, 0).unwrap();
    client.retr(1).unwrap();
    client.dele(1).unwrap();
    client.rset().unwrap();
    client.noop().unwrap();
    client.quit().unwrap();
    let events = run(&mut client, &mut server, &mut app);
    let kinds: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Response { command, response } => {
                assert!(response.is_ok(), "{e:?}");
                Some(*command)
            }
            _ => None,
        })
        .collect();
    use CommandKind::*;
    assert_eq!(
        kinds,
        [
            User, Pass, Capa, Stat, List, Uidl, Top, Retr, Dele, Rset, Noop, Quit
        ]
    );
    assert!(client.is_closed() && server.is_closed());
    assert_eq!(app.deleted, Some(vec![]));
}

#[test]
fn server_split_at_every_byte_with_auth_login() {
    let input: &[u8] =
        b"AUTH LOGIN\r\nbXJvc2U=\r\ndGFuc3RhYWY=\r\nSTAT\r\nUIDL\r\nTOP 1 1\r\nQUIT\r\n";
    let (whole, deleted) = server_run(input, &[]);
    assert_eq!(deleted, Some(vec![]));
    let text = String::from_utf8(whole.clone()).unwrap();
    assert!(
        text.contains("+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n+OK maildrop has 2 messages\r\n"),
        "{text}"
    );
    for cut in 0..=input.len() {
        assert_eq!(server_run(input, &[cut]).0, whole, "cut at {cut}");
    }
    let every: Vec<usize> = (1..input.len()).collect();
    assert_eq!(server_run(input, &every).0, whole);
}

#[test]
fn bare_line_endings_cost_the_line() {
    let mut server = Server::new(plain_config());
    server.poll_transmit();
    // a bare LF line, a bare CR line split across reads, then a good command
    server.handle_input(b"USER a\nPASS b\r\nNO\rOP");
    assert_eq!(server.poll_event().unwrap(), None);
    server.handle_input(b" x\r\nQUIT\r\n");
    assert_eq!(server.poll_event().unwrap(), None);
    let out = server.poll_transmit().unwrap();
    assert_eq!(
        &out[..],
        b"-ERR bad line ending\r\n-ERR USER first\r\n-ERR bad line ending\r\n+OK bye\r\n"
    );
    // split at every byte: the same answers
    let input: &[u8] = b"USER a\nPASS b\r\nNO\rOP x\r\nQUIT\r\n";
    for cut in 0..=input.len() {
        let mut server = Server::new(plain_config());
        server.poll_transmit();
        server.handle_input(&input[..cut]);
        while server.poll_event().unwrap().is_some() {}
        server.handle_input(&input[cut..]);
        while server.poll_event().unwrap().is_some() {}
        assert_eq!(server.poll_transmit().unwrap(), out, "cut {cut}");
    }
}

#[test]
fn client_tolerates_bare_line_endings_by_default() {
    let input: &[u8] =
        b"+OK hi\n+OK\r\n+OK\n+OK listing\n1 10\n2\r20\r\n3 30\n.\n+OK\r\nbody\nwith bare LF\r\n.\r\n+OK bye\n";
    let run = |config: ClientConfig| {
        let mut client = Client::new(config);
        client.login("u", Secret::from("p")).unwrap();
        client.list(None).unwrap();
        client.retr(1).unwrap();
        client.quit().unwrap();
        client.handle_input(input);
        let mut events = Vec::new();
        loop {
            match client.poll_event() {
                Ok(Some(e)) => push_event(&mut events, e.into_owned()),
                Ok(None) => return Ok(events),
                Err(e) => return Err(e),
            }
        }
    };
    let events = run(ClientConfig::default()).unwrap();
    let scans: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::ScanListing(s) => Some(s.msg),
            _ => None,
        })
        .collect();
    assert_eq!(scans, [1, 3]);
    assert!(events.iter().any(
        |e| matches!(e, ClientEvent::MalformedResponse { raw, .. } if raw.as_ref() == b"2\r20")
    ));
    assert!(events.contains(&ClientEvent::BodyChunk(Cow::Owned(
        b"body\nwith bare LF\r\n".to_vec()
    ))));
    assert!(is_ok(events.last().unwrap(), CommandKind::Quit));

    let mut strict = ClientConfig::default();
    strict.line_policy = mailwire::wire::line::LinePolicy::STRICT;
    assert!(matches!(run(strict), Err(Error::BareLineEnding(_))));
}
