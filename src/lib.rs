//! # mailwire
//!
//! SMTP (with submission and LMTP), POP3 and IMAP for both sides of the wire,
//! as **Sans-IO** state machines over **zero-copy** codecs. The library owns no
//! socket, no async runtime and no clock: you feed it the bytes that arrived, it
//! hands back typed events and queues the bytes to send. The same code runs in a
//! tokio server, a blocking CLI tool, a test harness or (with `default-features =
//! false`) a `no_std` device with only `alloc`.
//!
//! ## Where to start
//!
//! - The [`cookbook`] runs the everyday tasks end to end as doc tests: a
//!   complete blocking `std::net::TcpStream` loop that drives any machine,
//!   sending a message, reading new mail over IMAP, downloading and
//!   deleting over POP3, running a submission server, taking mail as a
//!   server or an LMTP delivery agent.
//! - For tokio, `examples/driver/mod.rs` (shipped in the package) is one
//!   file to copy (under 200 lines, any machine, STARTTLS hand-off);
//!   `examples/imap_latest.rs`, `examples/smtp_send.rs` and
//!   `examples/smtp_inbox.rs` are the three first-hour tasks on it.
//! - The whole-message machines: [`smtp::Submission`] sends (STARTTLS, AUTH,
//!   MAIL parameters, DATA or BDAT by itself) and [`smtp::Receiver`] takes
//!   mail for a set of domains. The IMAP client has a shorthand for each
//!   daily command ([`imap::Client::list`], [`imap::Client::fetch`] with
//!   [`imap::FetchQuery`], [`imap::Client::search`] with
//!   [`imap::SearchQuery`], ...).
//! - An event borrows the machine that produced it (zero copy). Decide
//!   inside the `match`, act after it: `let ok = match event { .. };
//!   if ok { server.accept()? }`, or keep what you need with `into_owned()`.
//!
//! ## Layers
//!
//! ```text
//! state machines   smtp::{Client, Server}  pop3::{Client, Server}  imap::{Client, Server}
//!                  sequencing, pipelining, tags, literals, STARTTLS/AUTH, bodies, limits
//! session          what the six share, written once (crate-private): the input
//!                  buffer (limits, compaction, idle shrink, EOF), the output
//!                  queue, timers (the time contract), server line recovery, the
//!                  unadvertised-extension policy, the Connection impls, setters
//! codec            smtp::{Command, Reply}  pop3::{Command, Response}  imap::{Command, Response}
//!                  parse: &[u8] -> typed value borrowing the input; emit: value -> bytes
//! wire             framing (lines, literals, dot-terminated bodies), dot-stuffing, SASL
//! ```
//!
//! Framing comes before grammar: the first stage only finds where a message
//! ends on the wire ([`wire::line`], [`wire::dot`]), in one pass whatever the
//! chunking. The grammar then runs on one complete message, so a message that
//! does not parse costs that message, not the session. Every layer is public and
//! usable alone: a proxy may want only the codec.
//!
//! The grammars are written with nom 8, one function per ABNF rule with the
//! rule quoted. IMAP's rules run over their own nom input type, which carries
//! the parse state (quirks, nesting budget, validate-only and trusted modes)
//! with the bytes, so nom's combinators compose them and lazy lists can run
//! them again; where the grammar dispatches on one byte, a rule matches on it
//! rather than trying alternatives in turn. For the shapes servers send most
//! (IMAP body parts, addresses, parameter lists), a one-pass reader runs
//! before the rules and hands anything else, every error included, to them;
//! it reads into plain slices and builds a value only where one is kept, so a
//! validating pass builds nothing. A unit test and the `imap_response` fuzz
//! target parse with it and with the rules alone and compare everything. All
//! three borrow from the input and report where they failed in a shared
//! [`ParseError`](error::ParseError).
//!
//! ## Memory
//!
//! Bodies (SMTP DATA/BDAT, POP3 RETR/TOP, IMAP literals over
//! [`Limits::inline_literal`]) stream as chunk events and are never gathered in
//! one buffer; every other buffer is bounded by [`Limits`]. Every machine
//! reports what it holds ([`Connection::memory_usage`]); the IMAP machines
//! also give their buffers back when idle, so an idle authenticated IMAP
//! connection holds under 1 KiB on either side.
//!
//! ## The Sans-IO vocabulary
//!
//! The six machines speak the same words (those of `quinn-proto`):
//!
//! - `Client::new(config)` / `Server::new(config)`: no I/O happens.
//! - **input**: `handle_input(&[u8])` appends what arrived and only buffers;
//!   `handle_eof()` says the peer closed.
//! - **events**: `poll_event()` parses and returns the next typed event, or `None`
//!   when more bytes are needed. Events borrow from the machine's buffer (zero
//!   copy); call `into_owned()` on a value to keep it. A negative reply (SMTP 5xx,
//!   POP3 `-ERR`, IMAP `NO`/`BAD`) is an event, not an error.
//! - **output**: `poll_transmit()` hands out the bytes to send, in order.
//! - **time**: the machine never reads a clock. `poll_timeout()` says when it next
//!   needs attention and `handle_timeout(now)` reports the time, as a
//!   [`Duration`] since any fixed point the caller chooses (see the time
//!   contract below).
//! - **actions**: methods the application calls (`accept`, `reject`,
//!   `send_body`, ...) check the state and queue bytes; an action that is wrong for
//!   the state is an [`Error::Misuse`], never a malformed line on the wire.
//!
//! The [`Connection`] trait holds the part every machine shares, so one adapter
//! can drive any of them; every machine also has each of its methods as an
//! inherent method, so none needs the trait in scope.
//!
//! ## Vocabulary
//!
//! One concept, one name, in the three protocols (`tests/vocabulary.rs`
//! uses every name of this table on every machine it applies to, so the
//! table cannot drift from the code). "C" is the client machine, "S" the
//! server machine; a protocol's own word stays where the RFC has one
//! (`stls`, `DataChunk`, `FetchBodyChunk`).
//!
//! | concept | name | SMTP | POP3 | IMAP |
//! |---|---|---|---|---|
//! | machines | `Client`, `Server`, `ClientConfig`, `ServerConfig`, `ClientEvent`, `ServerEvent` | C S | C S | C S |
//! | input, output, time, end (inherent, and the [`Connection`] trait) | `handle_input`, `handle_eof`, `poll_transmit`, `poll_timeout`, `handle_timeout`, `is_closed`, `memory_usage` | C S | C S | C S |
//! | next event | `poll_event()` | C S | C S | C S |
//! | session state (RFC 1939 §3, RFC 9051 §3) | `state()` returning `ClientState` / `ServerState` | — | C S | C S |
//! | TLS is on | `tls_active()`; configuration field `tls_active` (implicit TLS) | C S | C S | C S |
//! | TLS handshake done | `tls_established()` | C S | C S | C S |
//! | STARTTLS | client method named after the command: `starttls()` (SMTP, IMAP), `stls()` (POP3); event `StartTls` | C S | C S | C S |
//! | STARTTLS offered | server configuration field `tls_available` | S | S | S |
//! | no clear-text secret before TLS | server configuration field `plaintext_requires_tls`; `wire::sasl::Mechanism::needs_tls()` | S | S | S |
//! | log in with a password | `login(user: &str, password: impl Into<Secret>)` (`"pw"`, `String`, `Secret`, `&Secret`) | — (AUTH only) | C | C |
//! | SASL | `authenticate(Credentials)`, `auth_response(&[u8])`, `auth_cancel()`; event `AuthChallenge` | C | C | C |
//! | what the server announced | `capabilities()` returning `Capabilities` (EHLO, CAPA, CAPABILITY); `smtp::EhloKeywords` iterates one EHLO reply | C | C | C |
//! | push a body chunk / finish the body | `send_body(chunk)` / `finish_body()` | C (DATA, BDAT) | S (RETR, TOP) | C (APPEND), S (FETCH literal) |
//! | body received | events `…Chunk` / `…End` in the protocol's word | S `DataChunk`, `DataEnd` | C `BodyChunk`, `BodyEnd` | C `FetchBodyChunk`, `FetchBodyEnd`; S `AppendChunk`, `AppendEnd` |
//! | untagged data (IMAP server) | `send_untagged_data(&Data)` | — | — | S |
//! | client timeouts | configuration fields `greeting_timeout`, `command_timeout`, `body_timeout`; event `TimedOut` | C | C | C |
//! | the server's greeting | event `Greeting` | C | C | C |
//! | command tag | `imap::Tag` | — | — | C S |
//! | parse one frame | `parse_command(frame)`, `parse_reply(frame)` / `parse_response(frame)` → `Result<T, _>` | yes | yes | yes (`, &ParseOptions`) |
//! | parse the start of a buffer | `parse_command_stream(buf)`, `parse_reply_stream(buf)` / `parse_response_stream(buf)` → `Result<Status<T>, Error>` | yes | yes | yes (`, &ParseOptions`) |
//! | emit | `emit_command(&command, out)`, `emit_reply(&reply, out)` / `emit_response(&response, out)` | yes | yes | yes (`, &EmitOptions`) |
//!
//! A *frame* is one complete message as the protocol's framer delivers it:
//! an SMTP or POP3 line with or without its final CRLF, an SMTP reply with
//! all its lines ([`smtp::ReplyFramer`]), an IMAP line with its literals
//! ([`imap::Framer`]). A `_stream` parser frames the message at the start of
//! `buf` itself (with [`Limits::DEFAULT`]) and answers
//! `Complete(value, consumed)` or `Incomplete(needed)` ([`Status`]). POP3's
//! `Command::emit` and `Response::emit` stay as methods beside the free
//! functions.
//!
//! ## The time contract
//!
//! One rule for every timer of every machine: a server's idle or autologout
//! timer (RFC 5321 §4.5.3.2, RFC 1939 §3, RFC 9051 §5.4) and a client's
//! greeting, command and body timeouts (`greeting_timeout`,
//! `command_timeout`, `body_timeout` in each client's configuration, with
//! defaults from its RFC).
//!
//! - A timer fires at its configured duration, counted from the first
//!   `handle_timeout(now)` after the moment that starts it: the session's
//!   start, input from the peer, or (clients) a command or body sent. The
//!   machine cannot know the time of that moment, so until the caller
//!   reports it, `poll_timeout()` is already due (it returns the last time
//!   reported, or zero): a driver that honours `poll_timeout` calls
//!   `handle_timeout` at once.
//! - So nothing depends on where the caller's clock starts (zero, the UNIX
//!   epoch, `Instant` minus a base), nor on whether the driver reports the
//!   time before the first input or only when asked. A driver that calls
//!   `handle_timeout(now)` after each `handle_input` gets exact timing.
//! - `poll_timeout()` returns `None` when no timer runs (a client with no
//!   command pending, a closed session, a timer switched off).
//! - When a timer fires, a server answers the protocol's way (`421 4.4.2`,
//!   `* BYE`, or a silent close for POP3) and closes; a client ends the
//!   session with a `TimedOut` event.
//!
//! ```
//! # #[cfg(feature = "pop3")] {
//! use core::time::Duration;
//! use mailwire::pop3::{Server, ServerConfig};
//!
//! let mut config = ServerConfig::default();
//! config.autologout = Some(Duration::from_secs(600));
//! let mut server = Server::new(config);
//! // the clock is the UNIX epoch: the machine asks for the time at once...
//! assert_eq!(server.poll_timeout(), Some(Duration::ZERO));
//! let epoch = Duration::from_secs(1_765_000_000);
//! server.handle_timeout(epoch);
//! // ...and counts from it
//! assert_eq!(server.poll_timeout(), Some(epoch + Duration::from_secs(600)));
//! server.handle_timeout(epoch + Duration::from_secs(600));
//! assert!(server.is_closed());
//! # }
//! ```
//!
//! ## A state machine in a few lines
//!
//! An SMTP server machine fed a pipelined client (the bytes could come from any
//! socket, a file or a test): the application sees typed events and decides,
//! the machine keeps the order, the codes and the dot-stuffing.
//!
//! ```
//! # #[cfg(feature = "smtp")] {
//! use mailwire::smtp::{Server, ServerConfig, ServerEvent};
//!
//! let mut server = Server::new(ServerConfig::new("mx.example"));
//! let greeting = server.poll_transmit().unwrap();
//! assert!(greeting.starts_with(b"220 mx.example"));
//!
//! server.handle_input(b"EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n");
//! server.handle_input(b"RCPT TO:<bob@example.net>\r\nDATA\r\n");
//! server.handle_input(b"Subject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n");
//! let mut body = Vec::new();
//! while let Some(event) = server.poll_event().unwrap() {
//!     match event {
//!         ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } => server.accept().unwrap(),
//!         ServerEvent::DataChunk(chunk) => body.extend_from_slice(&chunk),
//!         ServerEvent::DataEnd => server.accept().unwrap(),
//!         _ => {}
//!     }
//! }
//! assert_eq!(body, b"Subject: hi\r\n\r\n.leading dot\r\n");
//! let mut replies = Vec::new();
//! while let Some(bytes) = server.poll_transmit() {
//!     replies.extend_from_slice(&bytes);
//! }
//! let codes: Vec<&[u8]> = replies.split(|&b| b == b'\n').filter(|l| l.get(3) == Some(&b' ')).map(|l| &l[..3]).collect();
//! assert_eq!(codes, [b"250", b"250", b"250", b"354", b"250", b"221"]);
//! assert!(server.is_closed());
//! # }
//! ```
//!
//! ## Configurations in one expression
//!
//! Every configuration (and [`Limits`]) has a setter per field, named after
//! it, so a configuration is built in one expression although the structs
//! are `#[non_exhaustive]` (new fields do not break your code):
//!
//! ```
//! # #[cfg(feature = "smtp")] {
//! use core::time::Duration;
//! use mailwire::{Limits, smtp::ServerConfig};
//!
//! const LIMITS: Limits = Limits::DEFAULT.recipients(500);
//! let config = ServerConfig::new("mx.example")
//!     .chunking(false)
//!     .limits(LIMITS)
//!     .command_timeout(Duration::from_secs(120));
//! assert!(!config.chunking && config.limits.recipients == 500);
//! # }
//! ```
//!
//! ## Parsing a stream
//!
//! Every parser over a stream answers with [`Status`]: `Complete(value, consumed)`
//! or `Incomplete(needed)`. Running out of input is never an error and never a
//! wrong value.
//!
//! ```
//! use mailwire::wire::line::{LineFinder, LinePolicy};
//! use mailwire::{error::LimitKind, Limits};
//!
//! let limits = Limits::default();
//! let mut lines = LineFinder::new(limits.command_line, LimitKind::CommandLine, LinePolicy::STRICT);
//! let buf = b"EHLO client.example\r\nMAIL FROM:<>";
//! let line = lines.find(buf).unwrap().expect("one complete line");
//! assert_eq!(line.content(buf), b"EHLO client.example");
//! assert_eq!(lines.find(&buf[line.consumed..]).unwrap(), None); // needs more bytes
//! ```
//!
//! ## Cargo features
//!
//! | feature | default | needs std | what it adds |
//! |---|---|---|---|
//! | `std`  | yes | yes | `std::io::Error` conversions; std support in the dependencies |
//! | `smtp` | yes | no  | [`smtp`]: SMTP, submission and LMTP |
//! | `pop3` | yes | no  | [`pop3`]: POP3 |
//! | `imap` | yes | no  | [`imap`]: IMAP4rev1 and IMAP4rev2 |
//! | `sasl-hash` | no | no | CRAM-MD5 and SCRAM(-PLUS) in [`wire::sasl`], POP3 APOP; RustCrypto's `md-5`, `sha1`, `sha2`, `hmac`, `pbkdf2` |
//!
//! Without `std` the crate is `#![no_std]` and needs only `alloc`:
//!
//! ```toml
//! mailwire = { version = "0.1", default-features = false, features = ["smtp"] }
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod setters;

pub mod cookbook;
pub mod error;
#[cfg(any(feature = "smtp", feature = "pop3"))]
mod grammar;
pub mod limits;
#[cfg(any(feature = "smtp", feature = "pop3", feature = "imap"))]
mod owned;
#[cfg(any(feature = "smtp", feature = "pop3", feature = "imap"))]
#[macro_use]
mod session;
pub mod header;
pub mod text;
pub mod wire;

#[cfg(feature = "imap")]
pub mod imap;
#[cfg(feature = "pop3")]
pub mod pop3;
#[cfg(feature = "smtp")]
pub mod smtp;

pub use error::{ApiMisuse, Error, Fault, PeerMisbehaved, SaslError, Unemittable};
pub use limits::Limits;
#[cfg(any(feature = "smtp", feature = "pop3", feature = "imap"))]
pub use owned::IntoOwned;
pub use text::{Secret, Text};

use core::time::Duration;

/// How much more input a parser needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Needed {
    /// Some more bytes; how many is not known yet.
    Unknown,
    /// At least this many more bytes.
    Bytes(usize),
    /// The line is complete up to an announced literal of this many bytes, which
    /// comes next (IMAP).
    Literal(u64),
}

/// The outcome of parsing a possibly incomplete stream.
///
/// ```
/// # #[cfg(feature = "smtp")] {
/// use mailwire::{smtp::parse_command_stream, Status};
///
/// let mut buf = b"QUIT".to_vec();
/// assert!(matches!(parse_command_stream(&buf)?, Status::Incomplete(_)));
/// buf.extend_from_slice(b"\r\n");
/// let (command, used) = parse_command_stream(&buf)?.complete().unwrap();
/// assert_eq!((command.verb(), used), ("QUIT", 6));
/// # }
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// A value and the number of input bytes it occupied.
    Complete(T, usize),
    /// The input ends before the value does; feed more and call again.
    Incomplete(Needed),
}

impl<T> Status<T> {
    /// The value and its length, if complete.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Status::Complete(v, n) => Some((v, n)),
            Status::Incomplete(_) => None,
        }
    }

    /// Maps the value of a complete status.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(v, n) => Status::Complete(f(v), n),
            Status::Incomplete(n) => Status::Incomplete(n),
        }
    }
}

/// What every state machine of the crate shares: input, output and time.
///
/// Events are protocol-specific (each machine has its own `poll_event`), so an
/// adapter drives I/O through this trait and hands events to the application.
///
/// ```
/// # #[cfg(feature = "pop3")] {
/// use mailwire::Connection;
///
/// /// Moves bytes between two machines until neither has anything to say:
/// /// an in-memory "network" that works for any pair.
/// fn pump(a: &mut impl Connection, b: &mut impl Connection) {
///     loop {
///         let (mut moved, mut any) = (Vec::new(), false);
///         while let Some(bytes) = a.poll_transmit() { moved.extend_from_slice(&bytes); }
///         if !moved.is_empty() { b.handle_input(&moved); any = true; moved.clear(); }
///         while let Some(bytes) = b.poll_transmit() { moved.extend_from_slice(&bytes); }
///         if !moved.is_empty() { a.handle_input(&moved); any = true; }
///         if !any { break; }
///     }
/// }
///
/// let mut server = mailwire::pop3::Server::new(Default::default());
/// let mut client = mailwire::pop3::Client::new(Default::default());
/// pump(&mut server, &mut client);
/// assert!(matches!(client.poll_event(), Ok(Some(mailwire::pop3::ClientEvent::Greeting(_)))));
/// assert!(!server.is_closed() && server.memory_usage() > 0);
/// # }
/// ```
pub trait Connection {
    /// Appends bytes that arrived from the peer. Only buffers; parsing happens in
    /// `poll_event`.
    fn handle_input(&mut self, data: &[u8]);
    /// The peer closed its side of the connection.
    fn handle_eof(&mut self);
    /// The next bytes to send, in order, or `None` when nothing is queued.
    fn poll_transmit(&mut self) -> Option<bytes::Bytes>;
    /// When the machine next needs [`handle_timeout`](Self::handle_timeout), if ever.
    fn poll_timeout(&self) -> Option<Duration> {
        None
    }
    /// Reports the current time; fires timers that are due.
    fn handle_timeout(&mut self, now: Duration) {
        let _ = now;
    }
    /// Whether the session is over (after QUIT/LOGOUT, EOF or a fatal error) and
    /// the adapter should close the connection once output is flushed.
    fn is_closed(&self) -> bool;
    /// Memory the machine holds: its own size plus the heap capacity of its
    /// buffers, queues and configuration (what one connection costs).
    fn memory_usage(&self) -> usize;
}

/// Heap bytes of a collection of `capacity` slots of `T` whose items own
/// further heap (`inner` of each): what the machines' `memory_usage` counts
/// for lists of strings, byte buffers and queued commands.
#[cfg(any(feature = "smtp", feature = "pop3", feature = "imap"))]
pub(crate) fn nested_heap<'i, T: 'i>(
    capacity: usize,
    items: impl IntoIterator<Item = &'i T>,
    inner: impl Fn(&T) -> usize,
) -> usize {
    capacity * core::mem::size_of::<T>() + items.into_iter().map(inner).sum::<usize>()
}
