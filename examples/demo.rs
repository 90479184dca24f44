//! The mailwire demo: runs on its own, no outside server.
//!
//! 1. The shared wire layer: a message body dot-stuffed by the encoder, fed to
//!    the streaming decoder in awkward chunks, and a SASL PLAIN exchange between
//!    a client and a server step machine.
//! 2. SMTP: an `smtp::Server` and an `smtp::Client` machine talking over a real
//!    loopback TCP connection inside this process (a tokio task each), printing
//!    the conversation: STARTTLS with a self-signed certificate, AUTH PLAIN, a
//!    pipelined transaction with DATA (watch the dot-led lines get stuffed), then a
//!    second session sending the same message with BDAT; the server prints what it
//!    delivered.
//! 3. POP3: a `pop3::Server` and a `pop3::Client` machine over loopback TCP, the
//!    conversation printed as `C:`/`S:` lines: APOP login, pipelined STAT, LIST,
//!    UIDL, RETR of a message with dot-led lines, DELE, QUIT and the UPDATE.
//! 4. IMAP: an `imap::Server` and an `imap::Client` machine over loopback TCP:
//!    LOGIN, SELECT, a FETCH whose BODY[] literal the server streams in pieces and
//!    the client receives as chunk events, STORE, LOGOUT.

mod common;

use std::io;
use std::net::SocketAddr;

use common::{ReceivedHeader, Session, Stream, Wake};
use mailwire::smtp::{
    Client, ClientConfig, ClientEvent, CommandKind, EnhancedStatus, ForwardPath, Mailbox,
    Parameters, ReversePath, Server, ServerConfig, ServerEvent,
};
use mailwire::wire::dot::{BodyPolicy, DotDecoder, DotEncoder};
use mailwire::wire::sasl::{
    Authentication, Credentials, Mechanism, SaslClient, SaslServer, ServerStep,
};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ClientConfig as TlsClientConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // No options: `--help` says so, anything else is a usage error.
    common::Args::parse(
        "(no options)\nruns the demo on its own: SASL, then POP3, SMTP (STARTTLS, AUTH, BDAT) and IMAP \
         between the crate's client and server machines over loopback TCP",
    )
    .finish();
    println!("== wire layer ==");
    if let Err(e) = wire_demo() {
        common::die(format!("wire demo: {e}"));
    }
    println!("\n== SMTP over loopback ==");
    if let Err(e) = smtp_demo().await {
        common::die(format!("SMTP demo: {e}"));
    }
    println!("\n== POP3 over loopback ==");
    if let Err(e) = pop3_demo().await {
        common::die(format!("POP3 demo: {e}"));
    }
    if let Err(e) = imap_demo().await {
        common::die(format!("IMAP demo: {e}"));
    }
}

/// Dot-stuffing and SASL on their own.
fn wire_demo() -> Result<(), mailwire::Error> {
    let body = b"Subject: demo\r\n\r\n.a line that starts with a dot\r\nbye\r\n";
    let mut enc = DotEncoder::new(BodyPolicy::Strict);
    let mut wire = Vec::new();
    enc.encode(body, &mut wire)?;
    enc.finish(&mut wire);
    println!("on the wire: {:?}", String::from_utf8_lossy(&wire));

    let mut dec = DotDecoder::new(BodyPolicy::Strict);
    let mut got = Vec::new();
    let mut buf = Vec::new();
    'feed: for chunk in wire.chunks(7) {
        buf.extend_from_slice(chunk);
        loop {
            let step = dec.decode(&buf)?;
            got.extend_from_slice(step.data);
            let (n, end) = (step.consumed, step.end);
            buf.drain(..n);
            if end {
                break 'feed;
            }
            if n == 0 {
                break;
            }
        }
    }
    assert_eq!(got, body);
    println!(
        "decoded back from 7-byte reads: {} bytes, identical",
        got.len()
    );

    let mut client = SaslClient::new(Credentials::Plain {
        authzid: None,
        username: "alice",
        password: "secret".into(),
    });
    let mut server = SaslServer::new(client.mechanism());
    let first = client.initial_response();
    match server.start(first.as_deref())? {
        ServerStep::Done(Authentication::Plain { authcid, .. }) => {
            println!(
                "SASL {}: server authenticated {authcid}",
                client.mechanism().name()
            )
        }
        other => panic!("unexpected {other:?}"),
    }
    Ok(())
}

/// The maildrop of the POP3 demo: (unique id, message). The first one has lines starting with dots, which
/// travel dot-stuffed and come back as they were.
const POP3_MESSAGES: [(&str, &[u8]); 2] = [
    (
        "demo-1",
        b"From: bob@example.com\r\nSubject: dots\r\n\r\n.a line that starts with a dot\r\n..and one with two\r\nbye\r\n",
    ),
    ("demo-2", b"Subject: old news\r\n\r\nplease delete me\r\n"),
];

/// A POP3 server and client machine over loopback TCP: the server side prints the conversation.
async fn pop3_demo() -> std::io::Result<()> {
    use common::{Session, Stream};
    use mailwire::Secret;
    use mailwire::pop3::{
        Client, ClientConfig, ClientEvent, Command, CommandKind, Maildrop, Server, ServerConfig,
        ServerEvent,
    };

    println!("\n== POP3 over loopback TCP (server's view: C: what it reads, S: what it sends) ==");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    // The server: one connection, an in-memory maildrop, the answers the application gives.
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut config = ServerConfig::default();
        config.apop_timestamp = Some(format!("<{}.1@demo.example>", std::process::id()));
        // Without `sasl-hash` (no APOP) the client logs in with USER and PASS:
        // allow them without TLS on this loopback demo (by default a server
        // neither offers nor accepts plaintext passwords before TLS).
        config.plaintext_requires_tls = false;
        let mut session = Session::new(Server::new(config), Stream::Plain(tcp)).traced("C:", "S:");
        let mut removed = Vec::new();
        session.flush().await?;
        loop {
            while let Some(event) = session.conn.poll_event()? {
                match event.into_owned() {
                    ServerEvent::Apop(request) => {
                        // APOP's MD5 needs the `sasl-hash` feature
                        #[cfg(feature = "sasl-hash")]
                        let ok =
                            request.user.as_bytes() == b"alice" && request.apop_matches(b"secret");
                        #[cfg(not(feature = "sasl-hash"))]
                        let ok = {
                            let _ = &request;
                            false
                        };
                        if ok {
                            let mut maildrop = Maildrop::new();
                            for (uid, message) in POP3_MESSAGES {
                                maildrop.push(message.len() as u64, uid)?;
                            }
                            session.conn.accept_login(maildrop)?;
                        } else {
                            session.conn.reject(None, "no")?;
                        }
                    }
                    ServerEvent::Login { user, password } => {
                        if user.as_bytes() == b"alice" && password.expose() == b"secret" {
                            let mut maildrop = Maildrop::new();
                            for (uid, message) in POP3_MESSAGES {
                                maildrop.push(message.len() as u64, uid)?;
                            }
                            session.conn.accept_login(maildrop)?;
                        } else {
                            session.conn.reject(None, "no")?;
                        }
                    }
                    ServerEvent::Retr { msg, .. } => {
                        let message = POP3_MESSAGES[msg as usize - 1].1;
                        // Pushed in small pieces, as a file would be read; the machine dot-stuffs.
                        for chunk in message.chunks(16) {
                            session.conn.send_body(chunk)?;
                        }
                        session.conn.finish_body()?;
                    }
                    ServerEvent::Update { deleted } => {
                        removed = deleted.into_owned();
                        session.conn.accept()?;
                    }
                    _ => {}
                }
            }
            session.flush().await?;
            if session.conn.is_closed() || session.is_eof() {
                break;
            }
            session.read().await?;
        }
        session.shutdown().await;
        Ok::<_, std::io::Error>(removed)
    });

    // The client: the application's side of each exchange, printed as `client:` lines.
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut session = Session::new(Client::new(ClientConfig::default()), Stream::Plain(tcp));
    async fn next(session: &mut Session<Client>) -> std::io::Result<ClientEvent<'static>> {
        loop {
            if let Some(event) = session.conn.poll_event()? {
                return Ok(event.into_owned());
            }
            session.flush().await?;
            if session.is_eof() {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            session.read().await?;
        }
    }
    // The first line of an answer, and the lines or body that follow it.
    async fn answer(
        session: &mut Session<Client>,
    ) -> std::io::Result<(String, Vec<ClientEvent<'static>>, Vec<u8>)> {
        let ClientEvent::Response { command, response } = next(session).await? else {
            return Err(std::io::Error::other("expected a response"));
        };
        let first = format!(
            "{command:?}: ok={} {:?}",
            response.is_ok(),
            response.text.to_string()
        );
        let (mut lines, mut body) = (Vec::new(), Vec::new());
        let multiline = matches!(
            command,
            CommandKind::List | CommandKind::Uidl | CommandKind::Retr | CommandKind::Capa
        );
        while response.is_ok() && multiline {
            match next(session).await? {
                ClientEvent::BodyChunk(chunk) => body.extend_from_slice(&chunk),
                ClientEvent::BodyEnd | ClientEvent::ListingEnd { .. } => {
                    break;
                }
                ClientEvent::MalformedResponse { raw, error, .. } => {
                    let raw = String::from_utf8_lossy(&raw).into_owned();
                    return Err(std::io::Error::other(format!("malformed {raw:?}: {error}")));
                }
                line => lines.push(line),
            }
        }
        Ok((first, lines, body))
    }

    let ClientEvent::Greeting(greeting) = next(&mut session).await? else {
        return Err(std::io::Error::other("expected the greeting"));
    };
    println!(
        "client: greeting, APOP timestamp {:?}",
        greeting.apop_timestamp().map(String::from_utf8_lossy)
    );
    session.conn.send_command(&Command::Capa)?;
    let (first, capabilities, _) = answer(&mut session).await?;
    println!("client: {first}, {} capabilities", capabilities.len());

    // APOP's MD5 needs the `sasl-hash` feature; USER and PASS otherwise.
    #[cfg(feature = "sasl-hash")]
    {
        session.conn.apop("alice", &Secret::from("secret"))?;
        println!("client: {}", answer(&mut session).await?.0);
    }
    #[cfg(not(feature = "sasl-hash"))]
    {
        session.conn.send_command(&Command::User {
            name: "alice".into(),
        })?;
        println!("client: {}", answer(&mut session).await?.0);
        session.conn.send_command(&Command::Pass {
            password: Secret::from("secret"),
        })?;
        println!("client: {}", answer(&mut session).await?.0);
    }

    // PIPELINING was advertised: the machine sends these three together.
    session.conn.send_command(&Command::Stat)?;
    session.conn.send_command(&Command::List { msg: None })?;
    session.conn.send_command(&Command::Uidl { msg: None })?;
    let (first, _, _) = answer(&mut session).await?;
    println!("client: {first}");
    for _ in 0..2 {
        let (first, lines, _) = answer(&mut session).await?;
        let lines: Vec<String> = lines
            .iter()
            .map(|line| match line {
                ClientEvent::ScanListing(s) => format!("#{} {} octets", s.msg, s.size),
                ClientEvent::UniqueId(u) => format!("#{} uid {}", u.msg, u.uid),
                other => format!("{other:?}"),
            })
            .collect();
        println!("client: {first}, lines {lines:?}");
    }
    // On the wire the dot-led lines are stuffed (`..`); the client machine unstuffs them.
    session.conn.send_command(&Command::Retr { msg: 1 })?;
    let (first, _, body) = answer(&mut session).await?;
    println!("client: {first}, body unstuffed:");
    for line in String::from_utf8_lossy(&body).lines() {
        println!("client:   | {line}");
    }
    assert_eq!(body, POP3_MESSAGES[0].1, "the body came back as it was");

    session.conn.send_command(&Command::Dele { msg: 2 })?;
    println!("client: {}", answer(&mut session).await?.0);
    session.conn.send_command(&Command::Quit)?;
    println!("client: {}", answer(&mut session).await?.0);
    session.shutdown().await;

    let removed = server.await.map_err(std::io::Error::other)??;
    println!("server: UPDATE removed messages {removed:?}");
    assert_eq!(removed, [2]);
    Ok(())
}

/// The message both SMTP sessions send: its lines starting with a dot are stuffed with DATA.
const MESSAGE: &[u8] = b"From: <alice@example.org>\r\nTo: <bob@example.net>\r\nSubject: demo\r\n\r\n\
Hello Bob,\r\n.this line starts with a dot\r\n.\r\nthe line above is a lone dot, not the end.\r\nAlice\r\n";

/// One server session: STARTTLS when asked, AUTH for alice/secret, every sender and recipient
/// accepted, each body collected (after a Received header) and returned.
async fn server_session(
    stream: Stream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
) -> io::Result<Vec<Vec<u8>>> {
    let mut config = ServerConfig::new("mx.demo.test");
    config.tls_available = true;
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    let mut session = Session::new(Server::new(config), stream);
    let mut delivered = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut helo = String::new();
    session.flush().await?;
    loop {
        let mut start_tls = false;
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ServerEvent::Hello { domain, .. } => helo = domain.to_string(),
                ServerEvent::StartTls => start_tls = true,
                ServerEvent::Auth(Authentication::Plain {
                    authcid, password, ..
                }) if authcid == "alice" && password.expose() == b"secret" => {
                    session.conn.accept()?;
                }
                ServerEvent::Auth(_) => {
                    let status = EnhancedStatus::new(5, 7, 8).expect("valid");
                    session.conn.reject(535, status, "Bad credentials")?;
                }
                ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => session.conn.accept()?,
                ServerEvent::DataStart => {
                    current = ReceivedHeader::new(&helo, peer.ip(), "mx.demo.test")
                        .tls(session.stream.is_tls())
                        .authenticated(session.conn.is_authenticated())
                        .to_bytes();
                }
                ServerEvent::DataChunk(chunk) => current.extend_from_slice(&chunk),
                ServerEvent::DataEnd => {
                    delivered.push(std::mem::take(&mut current));
                    session.conn.accept()?;
                }
                _ => {}
            }
        }
        session.flush().await?;
        if start_tls {
            session.start_tls_server(&acceptor).await?;
            session.conn.tls_established()?;
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        match session.read().await? {
            Wake::Input(_) | Wake::Eof | Wake::Timer | Wake::Other(_) => {}
        }
    }
    session.shutdown().await;
    Ok(delivered)
}

/// One client session sending [`MESSAGE`] to two recipients, printing the conversation. With `tls`
/// it upgrades with STARTTLS (trusting `tls`'s configuration) and authenticates first.
async fn client_session(
    addr: SocketAddr,
    config: ClientConfig,
    tls: Option<std::sync::Arc<TlsClientConfig>>,
) -> io::Result<()> {
    let stream = Stream::connect(&addr.to_string()).await?;
    let mut session = Session::new(Client::new(config), stream).traced("S:", "C:");
    let mut authenticated = false;
    let mut sent = false;
    loop {
        let mut start_tls = false;
        while let Some(event) = session.conn.poll_event()? {
            let start_transaction = match event {
                ClientEvent::Ready(_) => {
                    if tls.is_some() && !session.conn.tls_active() {
                        session.conn.starttls()?;
                        false
                    } else if tls.is_some() && !authenticated {
                        session.conn.authenticate(Credentials::Plain {
                            authzid: None,
                            username: "alice",
                            password: "secret".into(),
                        })?;
                        false
                    } else {
                        true
                    }
                }
                ClientEvent::StartTls => {
                    start_tls = true;
                    false
                }
                ClientEvent::Reply {
                    command: CommandKind::Auth,
                    reply,
                } => {
                    if !reply.code().is_positive() {
                        return Err(io::Error::other("AUTH failed"));
                    }
                    authenticated = true;
                    true
                }
                ClientEvent::ReadyForData => {
                    // Any split works: the machine stuffs (DATA) or frames (BDAT) what it gets.
                    // Here: the header, then the body (two BDAT chunks).
                    let split = MESSAGE
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map_or(0, |i| i + 4);
                    let (header, body) = MESSAGE.split_at(split);
                    session.conn.send_body(header)?;
                    session.conn.send_body(body)?;
                    session.conn.finish_body()?;
                    false
                }
                ClientEvent::Reply {
                    command: CommandKind::DataEnd { .. },
                    reply,
                } => {
                    if !reply.code().is_positive() {
                        return Err(io::Error::other("the message was refused"));
                    }
                    sent = true;
                    session.conn.quit()?;
                    false
                }
                ClientEvent::Reply { command, reply } if !reply.code().is_positive() => {
                    return Err(io::Error::other(format!("{command:?} refused")));
                }
                _ => false,
            };
            if start_transaction && !sent {
                let from = Mailbox::parse("alice@example.org").map_err(mailwire::Error::from)?;
                session
                    .conn
                    .mail(&ReversePath::Mailbox(from), &Parameters::default())?;
                for to in ["bob@example.net", "carol@example.net"] {
                    let to = Mailbox::parse(to).map_err(mailwire::Error::from)?;
                    session
                        .conn
                        .rcpt(&ForwardPath::Mailbox(to), &Parameters::default())?;
                }
                session.conn.data()?;
            }
        }
        session.flush().await?;
        if start_tls {
            let config = tls.clone().ok_or_else(|| io::Error::other("no TLS"))?;
            session.start_tls_client_with(config, "localhost").await?;
            session.conn.tls_established()?;
            session.flush().await?;
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        match session.read().await? {
            Wake::Input(_) | Wake::Eof | Wake::Timer | Wake::Other(_) => {}
        }
    }
    session.shutdown().await;
    if sent {
        Ok(())
    } else {
        Err(io::Error::other(
            "the session ended before the message was sent",
        ))
    }
}

/// A server task accepting two connections, and two client sessions against it.
async fn smtp_demo() -> io::Result<()> {
    let cert = common::self_signed_acceptor(&["localhost"])?;
    let trust = common::client_config_trusting(&cert.cert)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let acceptor = cert.acceptor.clone();
    let server = tokio::spawn(async move {
        let mut delivered = Vec::new();
        for _ in 0..2 {
            let (tcp, peer) = listener.accept().await?;
            tcp.set_nodelay(true)?;
            delivered.extend(server_session(Stream::Plain(tcp), peer, acceptor.clone()).await?);
        }
        io::Result::Ok(delivered)
    });

    println!("-- session 1: STARTTLS, AUTH PLAIN, pipelined MAIL/RCPT/DATA, dot-stuffed body");
    let mut config = ClientConfig::new("client.demo.test");
    config.use_chunking = false;
    client_session(addr, config, Some(trust)).await?;

    println!(
        "\n-- session 2: plain, pipelined MAIL/RCPT and BDAT chunks (CHUNKING, no dot-stuffing)"
    );
    client_session(addr, ClientConfig::new("client.demo.test"), None).await?;

    let delivered = server
        .await
        .map_err(|e| io::Error::other(format!("server task: {e}")))??;
    for (i, message) in delivered.iter().enumerate() {
        println!(
            "\n-- the server delivered message {} ({} bytes):",
            i + 1,
            message.len()
        );
        print!("{}", String::from_utf8_lossy(message));
        assert!(message.ends_with(MESSAGE), "the body arrived altered");
    }
    println!("\nboth messages arrived intact, dot-led lines included");
    Ok(())
}

/// The IMAP demo's one message: a dot-led line and 8-bit text travel untouched
/// inside a literal, which the server streams and the client receives in chunks.
const IMAP_MESSAGE: &[u8] = b"From: carol@example.org\r\nSubject: imap demo\r\n\r\n.no dot-stuffing in IMAP literals\r\nna\xc3\xafve caf\xc3\xa9\r\n";

/// An IMAP server and client machine over loopback TCP: LOGIN, SELECT, a FETCH
/// whose BODY[] is streamed, STORE, LOGOUT. The server side prints the conversation.
async fn imap_demo() -> std::io::Result<()> {
    use common::{Session, Stream};
    use mailwire::imap::{
        Client, ClientConfig, ClientEvent, CommandBody, Data, FetchAttribute, FetchAttributes,
        FetchItem, FetchLiteral, Flag, Mailbox, SequenceSet, Server, ServerConfig, ServerEvent,
        StatusKind,
    };

    println!("\n== IMAP over loopback TCP (server's view: C: what it reads, S: what it sends) ==");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut config = ServerConfig::default();
        config.plaintext_requires_tls = false; // a demo on loopback, no certificate
        let mut session = Session::new(Server::new(config), Stream::Plain(tcp)).traced("C:", "S:");
        session.flush().await?;
        loop {
            while let Some(event) = session.conn.poll_event()? {
                match event {
                    ServerEvent::Login {
                        tag,
                        username,
                        password,
                    } => {
                        let ok = username.as_bytes() == b"carol" && password.expose() == b"secret";
                        let tag = tag.as_str().to_owned();
                        let kind = if ok { StatusKind::Ok } else { StatusKind::No };
                        session.conn.complete(&tag, kind, None, "LOGIN completed")?;
                    }
                    ServerEvent::Command(cmd) => {
                        let tag = cmd.tag.as_str().to_owned();
                        let text = match cmd.body {
                            CommandBody::Select { .. } => {
                                session.conn.send_untagged_data(&Data::Exists(1))?;
                                "SELECT completed"
                            }
                            CommandBody::Fetch { .. } => {
                                session.conn.start_fetch(1, &[FetchItem::Uid(41)])?;
                                let body = FetchLiteral::BodySection {
                                    section: Default::default(),
                                    origin: None,
                                };
                                session
                                    .conn
                                    .start_fetch_literal(&body, IMAP_MESSAGE.len() as u64)?;
                                // Streamed in pieces, as a file would be read.
                                for chunk in IMAP_MESSAGE.chunks(32) {
                                    session.conn.send_body(chunk)?;
                                }
                                session.conn.finish_fetch()?;
                                "FETCH completed"
                            }
                            _ => "completed",
                        };
                        session.conn.complete(&tag, StatusKind::Ok, None, text)?;
                    }
                    _ => {}
                }
            }
            session.flush().await?;
            if session.conn.is_closed() || session.is_eof() {
                break;
            }
            session.read().await?;
        }
        session.shutdown().await;
        Ok::<_, std::io::Error>(())
    });

    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut config = ClientConfig::default();
    config.limits.inline_literal = 16; // small, so the demo shows the streaming path
    let mut session = Session::new(Client::new(config), Stream::Plain(tcp));
    session.conn.login("carol", "secret")?;
    session.conn.select(Mailbox::Inbox)?;
    session.conn.send(CommandBody::Fetch {
        uid: false,
        set: SequenceSet::new("1").expect("a valid set"),
        attributes: FetchAttributes::List(
            vec![
                FetchAttribute::Uid,
                FetchAttribute::BodySection {
                    peek: false,
                    section: Default::default(),
                    partial: None,
                },
            ]
            .into(),
        ),
        changed_since: None,
        vanished: false,
        partial: None,
    })?;
    session.conn.send(CommandBody::Store {
        uid: false,
        set: SequenceSet::new("1").expect("a valid set"),
        unchanged_since: None,
        kind: mailwire::imap::StoreKind::Add,
        silent: true,
        flags: vec![Flag::Seen].into(),
    })?;
    session.conn.logout()?;
    let mut body = Vec::new();
    let mut chunks = 0;
    loop {
        while let Some(event) = session.conn.poll_event()? {
            match event {
                ClientEvent::Completed {
                    command,
                    status,
                    text,
                    ..
                } => {
                    println!("client: {command:?} {status:?} {:?}", text.to_string())
                }
                ClientEvent::Data {
                    data: Data::Exists(n),
                    ..
                } => println!("client: {n} message(s)"),
                ClientEvent::FetchBodyStart { size, .. } => {
                    println!("client: a {size}-byte body starts")
                }
                ClientEvent::FetchBodyChunk(c) => {
                    chunks += 1;
                    body.extend_from_slice(&c);
                }
                ClientEvent::FetchBodyEnd { .. } => {
                    println!("client: body complete in {chunks} chunk(s)")
                }
                _ => {}
            }
        }
        session.flush().await?;
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        session.read().await?;
    }
    server.await.map_err(std::io::Error::other)??;
    if body != IMAP_MESSAGE {
        return Err(std::io::Error::other("the fetched message differs"));
    }
    println!(
        "the fetched message arrived intact:\n{}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}
