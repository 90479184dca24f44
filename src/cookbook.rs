//! # Cookbook: the everyday tasks, start to end
//!
//! Every recipe here runs as a doc test. Recipes that need a peer talk to one in
//! the same process over loopback (a mailwire machine on the other side, or
//! scripted bytes written from the RFCs), so what you see is what runs.
//!
//! - [Driving a machine over a blocking socket](#driving-a-machine-over-a-blocking-socket):
//!   the whole I/O loop with `std::net`, no async runtime.
//! - [Sending a message](#sending-a-message): [`smtp::Submission`](crate::smtp::Submission).
//! - [Reading new mail over IMAP](#reading-new-mail-over-imap): the IMAP client's shorthands.
//! - [Downloading and deleting over POP3](#downloading-and-deleting-over-pop3):
//!   [`pop3::Client`](crate::pop3::Client) against a [`pop3::Server`](crate::pop3::Server).
//! - [Running a submission server](#running-a-submission-server): AUTH before MAIL
//!   on an [`smtp::Server`](crate::smtp::Server).
//! - [Running a server that takes mail](#running-a-server-that-takes-mail): [`smtp::Receiver`](crate::smtp::Receiver),
//!   also as an LMTP delivery agent.
//!
//! For tokio, `examples/driver/mod.rs` is the same loop as one file to copy
//! (STARTTLS hand-off included); `examples/imap_latest.rs`,
//! `examples/smtp_send.rs` and `examples/smtp_inbox.rs` use it.
//!
//! ## Driving a machine over a blocking socket
//!
//! One function drives any machine ([`Connection`](crate::Connection)): write
//! what it queued, wait for bytes or its next deadline, hand either over, let
//! the application poll the events. Here it carries a message from a
//! [`Submission`](crate::smtp::Submission) to a [`Receiver`](crate::smtp::Receiver)
//! in another thread.
//!
//! ```
//! use std::io::{ErrorKind, Read, Write};
//! use std::net::{TcpListener, TcpStream};
//! use std::time::{Duration, Instant};
//! use mailwire::Connection;
//! use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig, Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
//!
//! /// Runs `conn` over `sock` until it is closed; `events` polls its events after each step.
//! fn drive<C: Connection>(conn: &mut C, sock: &mut TcpStream, mut events: impl FnMut(&mut C)) -> std::io::Result<()> {
//!     let (start, mut buf, mut eof) = (Instant::now(), [0u8; 16 * 1024], false);
//!     conn.handle_timeout(Duration::ZERO); // starts the machine's timers
//!     loop {
//!         events(conn);
//!         while let Some(bytes) = conn.poll_transmit() {
//!             sock.write_all(&bytes)?;
//!         }
//!         if conn.is_closed() || eof {
//!             return Ok(());
//!         }
//!         let wait = conn.poll_timeout().map(|at| at.saturating_sub(start.elapsed()));
//!         sock.set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
//!         match sock.read(&mut buf) {
//!             Ok(0) => (eof = true, conn.handle_eof()).1,
//!             Ok(n) => conn.handle_input(&buf[..n]),
//!             Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
//!             Err(e) => return Err(e),
//!         }
//!         conn.handle_timeout(start.elapsed());
//!     }
//! }
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = std::thread::spawn(move || -> std::io::Result<Vec<Vec<u8>>> {
//!     let (mut sock, _) = listener.accept()?;
//!     let mut rx = Receiver::new(ServerConfig::new("mx.example.org"), ["example.org"]);
//!     let mut inbox = Vec::new();
//!     drive(&mut rx, &mut sock, |rx| {
//!         while let Ok(Some(event)) = rx.poll_event() {
//!             if let ReceiverEvent::Message(m) = event {
//!                 inbox.push(m.data);
//!             }
//!         }
//!     })?;
//!     Ok(inbox)
//! });
//!
//! let mut tx = Submission::new(SubmissionConfig::new("client.example").tls(TlsPolicy::None));
//! tx.submit("alice@example.net", &["bob@example.org"], "Subject: hi\r\n\r\nhello\r\n")?;
//! tx.quit_when_done();
//! let mut replies = Vec::new();
//! drive(&mut tx, &mut TcpStream::connect(addr)?, |tx| {
//!     while let Ok(Some(event)) = tx.poll_event() {
//!         if let SubmissionEvent::Sent { reply, .. } = event {
//!             replies.push(reply.code().to_string());
//!         }
//!     }
//! })?;
//! assert_eq!(replies, ["250"]);
//! assert_eq!(server.join().unwrap()?, [b"Subject: hi\r\n\r\nhello\r\n".to_vec()]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Sending a message
//!
//! [`smtp::Submission`](crate::smtp::Submission) runs STARTTLS (by its
//! [`TlsPolicy`](crate::smtp::TlsPolicy)), AUTH and the transaction; the
//! application runs the TLS handshake when [`SubmissionEvent::StartTls`](crate::smtp::SubmissionEvent::StartTls)
//! asks. With the driver above, the whole program is the `tx` half;
//! `examples/smtp_send.rs` is the same over tokio with TLS, 34 lines.
//!
//! ## Reading new mail over IMAP
//!
//! ```
//! use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, FetchItems, FetchQuery, IntoOwned, SearchQuery};
//!
//! let mut client = Client::new(ClientConfig::default());
//! // what a server says, in the words of RFC 9051 §8
//! client.handle_input(b"* OK [CAPABILITY IMAP4rev2] IMAP4rev2 server ready\r\n");
//! let login = client.login("alice", "secret")?;
//! let select = client.select("INBOX")?;
//! let search = client.uid_search(&SearchQuery::new().unseen())?;
//! let server = format!(
//!     "{} OK LOGIN completed\r\n* 18 EXISTS\r\n{} OK [READ-WRITE] SELECT completed\r\n\
//!      * ESEARCH (TAG \"{}\") UID ALL 4827,4828\r\n{} OK SEARCH completed\r\n",
//!     login.as_str(), select.as_str(), search.as_str(), search.as_str()
//! );
//! let mut new = None;
//! client.handle_input(server.as_bytes());
//! while let Some(event) = client.poll_event()? {
//!     if let ClientEvent::Data { data: Data::ESearch(e), .. } = &event {
//!         new = e.all().map(IntoOwned::into_owned); // the UIDs, as a set
//!     }
//! }
//! let new = new.expect("unseen messages");
//! assert_eq!(new.as_str(), "4827,4828");
//! let fetch = client.uid_fetch(new, &FetchQuery::new().uid().envelope())?;
//! client.handle_input(format!(
//!     "* 17 FETCH (UID 4827 ENVELOPE (NIL \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" ((\"Bob\" NIL \"bob\" \"example.org\")) \
//!      NIL NIL NIL NIL NIL NIL NIL))\r\n{} OK FETCH completed\r\n", fetch.as_str()).as_bytes());
//! while let Some(event) = client.poll_event()? {
//!     if let ClientEvent::Data { data: Data::Fetch { items, .. }, .. } = event {
//!         let envelope = items.envelope().unwrap();
//!         assert_eq!(envelope.subject_text().as_deref(), Some("Grüße"));
//!     }
//! }
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! ## Downloading and deleting over POP3
//!
//! Log in, `STAT`, then `RETR` and `DELE` each message, then `QUIT`: the
//! server removes the messages only at `QUIT` (the UPDATE state, RFC 1939
//! §6), so a connection lost half-way deletes nothing. The client machine
//! queues the commands and sends the next when an answer is complete (all at
//! once when the server offers `PIPELINING`). Here over loopback against a
//! [`pop3::Server`](crate::pop3::Server) holding two messages, with the
//! `drive` function of the first recipe (hidden lines).
//!
//! ```
//! # use std::io::{ErrorKind, Read, Write};
//! # use std::time::{Duration, Instant};
//! # use mailwire::Connection;
//! # fn drive<C: Connection>(conn: &mut C, sock: &mut TcpStream, mut events: impl FnMut(&mut C)) -> std::io::Result<()> {
//! #     let (start, mut buf, mut eof) = (Instant::now(), [0u8; 16 * 1024], false);
//! #     conn.handle_timeout(Duration::ZERO);
//! #     loop {
//! #         events(conn);
//! #         while let Some(bytes) = conn.poll_transmit() { sock.write_all(&bytes)?; }
//! #         if conn.is_closed() || eof { return Ok(()); }
//! #         let wait = conn.poll_timeout().map(|at| at.saturating_sub(start.elapsed()));
//! #         sock.set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))))?;
//! #         match sock.read(&mut buf) {
//! #             Ok(0) => (eof = true, conn.handle_eof()).1,
//! #             Ok(n) => conn.handle_input(&buf[..n]),
//! #             Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
//! #             Err(e) => return Err(e),
//! #         }
//! #         conn.handle_timeout(start.elapsed());
//! #     }
//! # }
//! use std::net::{TcpListener, TcpStream};
//! use mailwire::pop3::{Client, ClientConfig, ClientEvent, CommandKind, Maildrop, Server, ServerConfig, ServerEvent};
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! // the server: a maildrop of two messages for alice
//! let server = std::thread::spawn(move || -> std::io::Result<Vec<u32>> {
//!     let store: [&[u8]; 2] = [b"Subject: one\r\n\r\nfirst\r\n", b"Subject: two\r\n\r\n.second\r\n"];
//!     let (mut sock, _) = listener.accept()?;
//!     let mut pop = Server::new(ServerConfig::default().plaintext_requires_tls(false)); // loopback
//!     let mut removed = Vec::new();
//!     drive(&mut pop, &mut sock, |pop| {
//!         while let Ok(Some(event)) = pop.poll_event() {
//!             match event {
//!                 ServerEvent::Login { user, password } => {
//!                     if user.as_bytes() == b"alice" && password.expose() == b"secret" {
//!                         let mut drop = Maildrop::new();
//!                         for (i, m) in store.iter().enumerate() {
//!                             drop.push(m.len() as u64, format!("uid-{i}")).unwrap();
//!                         }
//!                         pop.accept_login(drop).unwrap();
//!                     } else {
//!                         pop.reject(None, "no such user").unwrap();
//!                     }
//!                 }
//!                 ServerEvent::Retr { msg, .. } => {
//!                     pop.send_body(store[msg as usize - 1]).unwrap();
//!                     pop.finish_body().unwrap();
//!                 }
//!                 ServerEvent::Update { deleted } => {
//!                     removed = deleted.to_vec(); // remove them from the store here
//!                     pop.accept().unwrap();
//!                 }
//!                 _ => {}
//!             }
//!         }
//!     })?;
//!     Ok(removed)
//! });
//!
//! // the client
//! let mut pop = Client::new(ClientConfig::default());
//! pop.login("alice", "secret")?;
//! pop.stat()?;
//! let (mut messages, mut body) = (Vec::new(), Vec::new());
//! drive(&mut pop, &mut TcpStream::connect(addr)?, |pop| {
//!     let mut count = None;
//!     while let Ok(Some(event)) = pop.poll_event() {
//!         match event {
//!             ClientEvent::Response { command: CommandKind::Stat, response } => {
//!                 count = response.drop_listing().map(|d| d.count);
//!             }
//!             ClientEvent::BodyChunk(chunk) => body.extend_from_slice(&chunk),
//!             ClientEvent::BodyEnd => messages.push(std::mem::take(&mut body)),
//!             _ => {}
//!         }
//!     }
//!     // the event borrowed the machine: act after the loop
//!     if let Some(count) = count {
//!         for msg in 1..=count {
//!             pop.retr(msg).unwrap();
//!             pop.dele(msg).unwrap();
//!         }
//!         pop.quit().unwrap();
//!     }
//! })?;
//! assert_eq!(messages, [&b"Subject: one\r\n\r\nfirst\r\n"[..], b"Subject: two\r\n\r\n.second\r\n"]);
//! assert_eq!(server.join().unwrap()?, [1, 2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Running a submission server
//!
//! A submission server (RFC 6409, port 587 with STARTTLS or 465 with
//! implicit TLS, RFC 8314) takes mail only from users who logged in with
//! AUTH: "the MSA MUST by default issue an error response to the MAIL
//! command if the session has not been authenticated" (RFC 6409 §4.3; the
//! reply is `530 5.7.0 Authentication required`, RFC 4954 §6). Drive an
//! [`smtp::Server`](crate::smtp::Server): it runs the SASL exchange and hands
//! over the credentials; the application checks them and gates MAIL. The
//! client's bytes below are RFC 4954 §4's example (`AUTH PLAIN` with user
//! `test`, password `1234`).
//!
//! ```
//! use mailwire::smtp::{EnhancedStatus, Server, ServerConfig, ServerEvent};
//! use mailwire::wire::sasl::{Authentication, Mechanism};
//!
//! let config = ServerConfig::new("smtp.example.org")
//!     .tls_active(true) // implicit TLS: the adapter did the handshake
//!     .auth_mechanisms(vec![Mechanism::Plain, Mechanism::Login]);
//! let mut server = Server::new(config);
//! server.handle_input(b"EHLO client.example\r\nMAIL FROM:<test@example.org>\r\n");
//! server.handle_input(b"AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
//! server.handle_input(b"MAIL FROM:<test@example.org>\r\nRCPT TO:<anyone@example.net>\r\n");
//! server.handle_input(b"DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n");
//!
//! enum Answer { Accept, Reject(u16, EnhancedStatus, &'static str), Nothing }
//! let mut outgoing = Vec::new(); // the queue toward the recipients' MX hosts
//! let mut body = Vec::new();
//! loop {
//!     let authenticated = server.is_authenticated();
//!     // decide inside the match (the event borrows the server), act after it
//!     let answer = match server.poll_event()? {
//!         None => break,
//!         Some(ServerEvent::Auth(Authentication::Plain { authcid, password, .. })) => {
//!             if authcid == "test" && password.expose() == b"1234" {
//!                 Answer::Accept // 235 2.7.0
//!             } else {
//!                 Answer::Reject(535, EnhancedStatus::AUTH_CREDENTIALS_INVALID, "Authentication credentials invalid")
//!             }
//!         }
//!         Some(ServerEvent::Mail { .. }) if !authenticated => {
//!             Answer::Reject(530, EnhancedStatus::SECURITY, "Authentication required")
//!         }
//!         // an authenticated user may send anywhere
//!         Some(ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. }) => Answer::Accept,
//!         Some(ServerEvent::DataChunk(chunk)) => (body.extend_from_slice(&chunk), Answer::Nothing).1,
//!         Some(ServerEvent::DataEnd) => {
//!             outgoing.push(std::mem::take(&mut body));
//!             Answer::Accept
//!         }
//!         Some(_) => Answer::Nothing,
//!     };
//!     match answer {
//!         Answer::Accept => server.accept()?,
//!         Answer::Reject(code, status, text) => server.reject(code, status, text)?,
//!         Answer::Nothing => {}
//!     }
//! }
//! assert_eq!(outgoing, [b"Subject: hi\r\n\r\nhello\r\n".to_vec()]);
//! let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
//! let replies = String::from_utf8(replies).unwrap();
//! let codes: Vec<&str> = replies.lines().filter(|l| l.as_bytes().get(3) == Some(&b' ')).map(|l| &l[..3]).collect();
//! // greeting, EHLO, MAIL refused, AUTH, MAIL, RCPT, DATA, end of data, QUIT
//! assert_eq!(codes, ["220", "250", "530", "235", "250", "250", "354", "250", "221"]);
//! assert!(replies.contains("250-AUTH PLAIN LOGIN\r\n"), "{replies}");
//! assert!(replies.contains("530 5.7.0 Authentication required\r\n"));
//! # Ok::<(), mailwire::Error>(())
//! ```
//!
//! ## Running a server that takes mail
//!
//! [`smtp::Receiver`](crate::smtp::Receiver) takes mail for its domains and
//! hands over each message whole (the `rx` half of the first recipe;
//! `examples/smtp_inbox.rs` is the same over tokio, 24 lines). With
//! [`ServerConfig::lmtp`](crate::smtp::ServerConfig::lmtp) set it is an LMTP
//! delivery agent (RFC 2033), answering each recipient after the data:
//!
//! ```
//! use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
//!
//! let mut config = ServerConfig::new("lmtp.example.org");
//! config.lmtp = true;
//! let mut rx = Receiver::new(config, ["example.org"]);
//! rx.handle_input(b"LHLO mx.example.org\r\nMAIL FROM:<a@example.net>\r\n\
//!     RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\nhi\r\n.\r\n");
//! let mut delivered = 0;
//! while let Some(event) = rx.poll_event()? {
//!     if let ReceiverEvent::Message(m) = event {
//!         delivered += m.to.len(); // store m.data in each mailbox here
//!     }
//! }
//! let replies: Vec<u8> = std::iter::from_fn(|| rx.poll_transmit()).flatten().collect();
//! let replies = String::from_utf8(replies).unwrap();
//! // RFC 2033 §4.2: one reply per recipient after the final dot
//! assert_eq!(delivered, 2);
//! assert!(replies.ends_with("250 2.0.0 Message delivered\r\n250 2.0.0 Message delivered\r\n"), "{replies}");
//! # Ok::<(), mailwire::Error>(())
//! ```
