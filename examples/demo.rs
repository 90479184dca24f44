//! The mailwire demo: runs on its own, no outside server.
//!
//! For now it shows the shared wire layer (the protocol modules' client and
//! server machines join it as they land): a message body dot-stuffed by the
//! encoder, fed to the streaming decoder in awkward chunks, and a SASL PLAIN
//! exchange between a client and a server step machine.
//!
//! POP3 (`pop3_demo`): a `pop3::Server` and a `pop3::Client` machine talk over a real loopback TCP
//! connection inside this process (tokio), and the conversation is printed as `C:`/`S:` lines: login,
//! STAT, LIST, UIDL, RETR of a message with dot-led lines, DELE, QUIT and the UPDATE that follows.

mod common;

use mailwire::wire::dot::{BodyPolicy, DotDecoder, DotEncoder};
use mailwire::wire::sasl::{Authentication, Credentials, SaslClient, SaslServer, ServerStep};

fn main() -> Result<(), mailwire::Error> {
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

    tokio::runtime::Runtime::new()
        .and_then(|runtime| runtime.block_on(pop3_demo()))
        .unwrap_or_else(|e| panic!("POP3 demo failed: {e}"));
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
        Client, ClientConfig, ClientEvent, Command, CommandKind, Maildrop, OwnedClientEvent,
        Server, ServerConfig, ServerEvent,
    };

    println!("\n== POP3 over loopback TCP (server's view: C: what it reads, S: what it sends) ==");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    // The server: one connection, an in-memory maildrop, the answers the application gives.
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut config = ServerConfig::default();
        config.apop_timestamp = Some(format!("<{}.1@demo.example>", std::process::id()));
        let mut session = Session::new(Server::new(config), Stream::Plain(tcp)).traced("C:", "S:");
        let mut removed = Vec::new();
        session.flush().await?;
        loop {
            while let Some(event) = session.conn.poll_event()? {
                match event.into_owned() {
                    ServerEvent::Apop(request) => {
                        if request.user.as_bytes() == b"alice" && request.apop_matches(b"secret") {
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
    async fn next(session: &mut Session<Client>) -> std::io::Result<OwnedClientEvent> {
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
        let OwnedClientEvent::Event(ClientEvent::Response { command, response }) =
            next(session).await?
        else {
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
                OwnedClientEvent::BodyChunk(chunk) => body.extend_from_slice(&chunk),
                OwnedClientEvent::Event(ClientEvent::BodyEnd | ClientEvent::ListingEnd { .. }) => {
                    break;
                }
                OwnedClientEvent::Event(line) => lines.push(line),
                other => return Err(std::io::Error::other(format!("unexpected {other:?}"))),
            }
        }
        Ok((first, lines, body))
    }

    let OwnedClientEvent::Event(ClientEvent::Greeting(greeting)) = next(&mut session).await? else {
        return Err(std::io::Error::other("expected the greeting"));
    };
    println!(
        "client: greeting, APOP timestamp {:?}",
        greeting.apop_timestamp().map(String::from_utf8_lossy)
    );
    session.conn.send_command(&Command::Capa)?;
    let (first, capabilities, _) = answer(&mut session).await?;
    println!("client: {first}, {} capabilities", capabilities.len());

    session.conn.apop("alice", &Secret::from("secret"))?;
    println!("client: {}", answer(&mut session).await?.0);

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
