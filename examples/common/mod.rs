//! What the tokio examples share, so that each example only handles its own protocol's events.
//!
//! Every example says `mod common;` and uses part of this module:
//!
//! - [`args`]: a tiny command-line parser (`--flag`, `--name value`, `--name=value`, repeated values, positionals).
//! - [`stream`]: [`Stream`](stream::Stream), one type over plain TCP and client/server TLS, with the STARTTLS upgrade.
//! - [`tls`]: rustls configurations with the *ring* provider: a server acceptor from PEM files or a
//!   self-signed certificate made with rcgen, a client verifying against the system roots or, with
//!   `--insecure`, accepting any certificate (test only).
//! - [`deflate`]: COMPRESS=DEFLATE (RFC 4978) under a [`Stream`](stream::Stream), bounded whatever the peer sends.
//! - [`adapter`]: drives any [`mailwire::Connection`] over a [`Stream`](stream::Stream): flush, read, timers,
//!   STARTTLS, write and handshake timeouts, a polite stop. One file to copy into an application.
//! - [`listener`]: the servers' habits: listeners (plain and implicit TLS), an accept loop that survives
//!   running out of file descriptors, graceful shutdown on SIGINT / SIGTERM, the common server options.
//! - [`trace`]: the clients' transcripts, credentials redacted.
//! - [`maildir`]: a small Maildir / Maildir++ store (deliver, list, flags, folders, IMAP UIDs).
//! - [`message`]: reading a message from stdin or a file with CRLF line endings.
//! - [`received`]: the SMTP `Received:` trace header (RFC 5321 §4.4) and an RFC 5322 date formatter.
//!
//! # The loop every example follows
//!
//! ```text
//! let mut session = Session::new(machine, stream);
//! session.flush().await?;                       // a server's greeting is queued at once
//! loop {
//!     let mut start_tls = false;
//!     // 1. drain events: act on each one (accept, reject, send_body, ...)
//!     while let Some(event) = session.conn.poll_event()? {
//!         match event {
//!             StartTls => { start_tls = true; }  // act after the loop, once the event's borrow ends
//!             ...                               // the machine's actions queue output
//!         }
//!     }
//!     // 2. write what the machine queued
//!     session.flush().await?;
//!     // 3. on a StartTls event: flush (done), upgrade the stream, tell the machine
//!     if start_tls {
//!         session.start_tls_server(&acceptor).await?;   // or start_tls_client(host, insecure)
//!         session.conn.tls_established()?;
//!         session.flush().await?;                   // a client machine queues EHLO/CAPA now
//!         continue;                                 // and may already have events to hand out
//!     }
//!     // IMAP COMPRESS (RFC 4978), on a Compress event: flush the OK, DEFLATE both ways, tell the machine
//!     // session.start_compress(Server::compression_established).await?;   // or Client::...
//!     // after EOF the round above saw the last events: stop even if the machine is not closed
//!     if session.conn.is_closed() || session.is_eof() { break; }
//!     // 4. wait for input or the machine's next timer: handle_input / handle_eof, then handle_timeout(now)
//!     match session.read().await? {
//!         Wake::Input(_) | Wake::Timer | Wake::Eof => {}
//!         Wake::Other(note) => { /* e.g. IMAP IDLE: something changed elsewhere (with read_or) */ }
//!     }
//! }
//! session.shutdown().await;
//! ```
//!
//! `?` works throughout in a function returning `io::Result`: `mailwire::Error` converts into `io::Error`.
//! A server machine that hits a fatal error has usually queued its last words (`421`, `-ERR`, `BYE`):
//! flush before dropping the connection.
//! Events borrow the machine's buffer; when an action must be called while an event's fields are still
//! needed, take what you need first (or `into_owned()` the event).

// Each example compiles this module but uses only part of it.
#![allow(dead_code, unreachable_pub, unused_imports)]

pub(crate) mod adapter;
pub(crate) mod args;
pub(crate) mod client;
pub(crate) mod deflate;
pub(crate) mod listener;
pub(crate) mod maildir;
pub(crate) mod message;
pub(crate) mod received;
pub(crate) mod stream;
pub(crate) mod tls;
pub(crate) mod trace;

pub(crate) use adapter::{Session, Wake};
pub(crate) use args::Args;
pub(crate) use listener::{
    Listener, SERVER_OPTIONS, ServerOptions, announce_mailbox_server, announce_tls_listeners, bind,
    serve, serve_until, stop_on_signals,
};
pub(crate) use maildir::{Delivery, Maildir, MessageEntry, UidList};
pub(crate) use message::{read_message_file, read_stdin_message, to_crlf};
pub(crate) use received::{ReceivedHeader, rfc5322_date};
pub(crate) use stream::{Stream, Timeouts, flush, host_of, read_some, timed, write_all};
pub(crate) use tls::{
    client_config, client_config_for, client_config_trusting, self_signed_acceptor,
    server_acceptor_from_args, server_acceptor_from_pem,
};

/// Prints `error: MESSAGE` on stderr and exits with status 1 (for failures after the arguments were fine).
pub(crate) fn die(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
