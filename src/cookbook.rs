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
//! - [Downloading and deleting over POP3](#downloading-and-deleting-over-pop3).
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
//! See the [`pop3`](crate::pop3) module's opening example: `STAT`, then `RETR`
//! and `DELE` for each message, then `QUIT` (deletions happen only at QUIT,
//! RFC 1939 §6).
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
