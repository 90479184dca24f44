//! Drives any [`mailwire::Connection`] over a [`Stream`]: write what the machine queued, feed it what arrived,
//! report the time when its timer is due. Events stay with the example (they differ per protocol).
//!
//! The loop (see the [module docs](super) for a sketch):
//! 1. drain `poll_event()` and act on each event (actions queue output);
//! 2. [`flush`]: write everything `poll_transmit()` yields, then flush the stream;
//! 3. on a `StartTls` event: after the flush, upgrade the stream ([`Session::start_tls_server`] /
//!    [`Session::start_tls_client`]) and call the machine's `tls_established()`;
//! 4. stop once `is_closed()` or after EOF; else wait ([`read_or_timeout`]) for input (→ `handle_input`), EOF
//!    (→ `handle_eof`) or the deadline from `poll_timeout()`, then always `handle_timeout(now)`; go to 1.
//!
//! The adapter keeps no buffer of its own between reads: every byte read goes to the machine at once, so
//! plaintext sent after a STARTTLS command reaches the machine (which discards it) and can never be
//! mistaken for data inside TLS.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use mailwire::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ClientConfig;

use super::stream::Stream;

/// The machines' time base: a [`Duration`] since the clock was made (tokio's clock, so paused time in
/// tests works too).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Clock {
    /// A clock starting now.
    pub(crate) fn new() -> Clock {
        Clock {
            start: Instant::now(),
        }
    }

    /// Time since the start, for `handle_timeout(now)`.
    pub(crate) fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// The instant of a machine time `at` (as `poll_timeout()` gives it); far future if it overflows.
    pub(crate) fn instant(&self, at: Duration) -> Instant {
        self.start
            .checked_add(at)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365))
    }
}

/// Writes everything `poll_transmit()` yields, in order, then flushes the stream (TLS needs the flush).
pub(crate) async fn flush<C: Connection + ?Sized>(
    conn: &mut C,
    stream: &mut Stream,
) -> io::Result<()> {
    while let Some(bytes) = conn.poll_transmit() {
        stream.write_all(&bytes).await?;
    }
    stream.flush().await
}

/// Reads once into `buf` and feeds the machine: `handle_input` and `Ok(true)`, or at EOF `handle_eof`
/// and `Ok(false)`. No timer: see [`read_or_timeout`] for that.
pub(crate) async fn read_some<C: Connection + ?Sized>(
    conn: &mut C,
    stream: &mut Stream,
    buf: &mut [u8],
) -> io::Result<bool> {
    let n = stream.read(buf).await?;
    if n == 0 {
        conn.handle_eof();
        Ok(false)
    } else {
        conn.handle_input(&buf[..n]);
        Ok(true)
    }
}

/// What ended a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake<T = Infallible> {
    /// This many bytes arrived and went to `handle_input`.
    Input(usize),
    /// The peer closed; `handle_eof` was called.
    Eof,
    /// The machine's deadline passed.
    Timer,
    /// The extra future given to [`read_or_timeout_or`] / [`Session::read_or`] finished first.
    Other(T),
}

/// Waits for input or the machine's deadline (`poll_timeout()`, via the `clock`), whichever comes first;
/// feeds input (`handle_input`) or EOF (`handle_eof`), then always calls `handle_timeout(clock.now())`
/// so that due timers fire and idle timers restart from now.
pub(crate) async fn read_or_timeout<C: Connection + ?Sized>(
    conn: &mut C,
    stream: &mut Stream,
    buf: &mut [u8],
    clock: &Clock,
) -> io::Result<Wake> {
    read_or_timeout_or(
        conn,
        stream,
        buf,
        clock,
        std::future::pending::<Infallible>(),
    )
    .await
}

/// [`read_or_timeout`] that also ends when `other` finishes (e.g. an IMAP IDLE notification from another
/// connection): `Wake::Other(output)`. `other` is dropped when the read or the timer wins, so pass a
/// cancel-safe future (`Notify::notified()`, `watch::Receiver::changed()`, `broadcast::Receiver::recv()`).
pub(crate) async fn read_or_timeout_or<C: Connection + ?Sized, F: Future>(
    conn: &mut C,
    stream: &mut Stream,
    buf: &mut [u8],
    clock: &Clock,
    other: F,
) -> io::Result<Wake<F::Output>> {
    let deadline = conn.poll_timeout().map(|at| clock.instant(at));
    let timer = async {
        match deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    let wake = tokio::select! {
        biased;
        read = stream.read(buf) => match read? {
            0 => Wake::Eof,
            n => Wake::Input(n),
        },
        () = timer => Wake::Timer,
        out = other => Wake::Other(out),
    };
    match wake {
        Wake::Input(n) => conn.handle_input(&buf[..n]),
        Wake::Eof => conn.handle_eof(),
        Wake::Timer | Wake::Other(_) => {}
    }
    conn.handle_timeout(clock.now());
    Ok(wake)
}

/// How many lines of one chunk a trace prints before summarising the rest.
const TRACE_LINES: usize = 12;
/// How many bytes of one line a trace prints.
const TRACE_WIDTH: usize = 160;

/// Prints one direction of the conversation, line by line, with a label (`C:` / `S:`).
#[derive(Debug)]
struct TraceSide {
    label: &'static str,
    partial: Vec<u8>,
}

impl TraceSide {
    fn new(label: &'static str) -> Self {
        TraceSide {
            label,
            partial: Vec::new(),
        }
    }

    fn feed(&mut self, data: &[u8]) {
        let mut shown = 0;
        let (mut hidden_lines, mut hidden_bytes) = (0usize, 0usize);
        let mut rest = data;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end + 1);
            rest = tail;
            let mut whole = std::mem::take(&mut self.partial);
            whole.extend_from_slice(line);
            if shown < TRACE_LINES {
                println!("{} {}", self.label, printable(&whole));
                shown += 1;
            } else {
                hidden_lines += 1;
                hidden_bytes += whole.len();
            }
        }
        if hidden_lines > 0 {
            println!(
                "{} ... {hidden_lines} more lines ({hidden_bytes} bytes)",
                self.label
            );
        }
        let room = (TRACE_WIDTH * 8).saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&rest[..rest.len().min(room)]);
    }
}

/// A line for the terminal: CRLF dropped, control and non-ASCII bytes escaped, long lines cut.
fn printable(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut out: String = line
        .iter()
        .take(TRACE_WIDTH)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if line.len() > TRACE_WIDTH {
        out.push_str(&format!("... ({} bytes)", line.len()));
    }
    out
}

/// A machine, its stream, a read buffer and a clock: the examples' usual bundle.
/// `conn` and `stream` are public so that events can be polled and actions called directly.
#[derive(Debug)]
pub(crate) struct Session<C> {
    /// The Sans-IO machine.
    pub(crate) conn: C,
    /// The connection it talks over.
    pub(crate) stream: Stream,
    /// The machine's time base.
    pub(crate) clock: Clock,
    buf: Box<[u8]>,
    eof: bool,
    trace: Option<(TraceSide, TraceSide)>,
}

impl<C: Connection> Session<C> {
    /// Bundles a machine and its stream, with a fresh clock and a 16 KiB read buffer.
    pub(crate) fn new(conn: C, stream: Stream) -> Self {
        Session {
            conn,
            stream,
            clock: Clock::new(),
            buf: vec![0; 16 * 1024].into_boxed_slice(),
            eof: false,
            trace: None,
        }
    }

    /// Prints the conversation: what arrives labelled `incoming`, what is sent labelled `outgoing`
    /// (e.g. `.traced("S:", "C:")` in a client).
    pub(crate) fn traced(mut self, incoming: &'static str, outgoing: &'static str) -> Self {
        self.trace = Some((TraceSide::new(incoming), TraceSide::new(outgoing)));
        self
    }

    /// Whether the peer has closed its side.
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Writes everything the machine queued and flushes the stream.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.conn.poll_transmit() {
            if let Some((_, outgoing)) = &mut self.trace {
                outgoing.feed(&bytes);
            }
            self.stream.write_all(&bytes).await?;
        }
        self.stream.flush().await
    }

    /// Waits for input, EOF or the machine's timer and feeds the machine (see [`read_or_timeout`]).
    /// After EOF it does not read again: it returns `Wake::Eof` at once, so a loop must stop on
    /// [`is_eof`](Self::is_eof) (after draining the last events) or it would spin.
    pub(crate) async fn read(&mut self) -> io::Result<Wake> {
        self.read_or(std::future::pending::<Infallible>()).await
    }

    /// [`read`](Self::read) that also ends when `other` finishes (see [`read_or_timeout_or`]).
    pub(crate) async fn read_or<F: Future>(&mut self, other: F) -> io::Result<Wake<F::Output>> {
        if self.eof {
            self.conn.handle_timeout(self.clock.now());
            return Ok(Wake::Eof);
        }
        let wake = read_or_timeout_or(
            &mut self.conn,
            &mut self.stream,
            &mut self.buf,
            &self.clock,
            other,
        )
        .await?;
        match wake {
            Wake::Input(n) => {
                if let Some((incoming, _)) = &mut self.trace {
                    incoming.feed(&self.buf[..n]);
                }
            }
            Wake::Eof => {
                self.eof = true;
                if let Some((incoming, _)) = &self.trace {
                    println!("{} <closed>", incoming.label);
                }
            }
            Wake::Timer | Wake::Other(_) => {}
        }
        Ok(wake)
    }

    /// Client side of STARTTLS: flushes, then upgrades the stream verifying `server_name` (unless
    /// `insecure`). Call the machine's `tls_established()` afterwards.
    pub(crate) async fn start_tls_client(
        &mut self,
        server_name: &str,
        insecure: bool,
    ) -> io::Result<()> {
        self.start_tls_client_with(super::tls::client_config(insecure), server_name)
            .await
    }

    /// [`start_tls_client`](Self::start_tls_client) with a given client configuration.
    pub(crate) async fn start_tls_client_with(
        &mut self,
        config: Arc<ClientConfig>,
        server_name: &str,
    ) -> io::Result<()> {
        self.flush().await?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        self.stream = plain
            .upgrade_to_tls_client_with(config, server_name)
            .await?;
        self.note_tls();
        Ok(())
    }

    /// Server side of STARTTLS: flushes (the go-ahead reply), then runs the handshake.
    /// Call the machine's `tls_established()` afterwards.
    pub(crate) async fn start_tls_server(&mut self, acceptor: &TlsAcceptor) -> io::Result<()> {
        self.flush().await?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        self.stream = plain.upgrade_to_tls_server(acceptor).await?;
        self.note_tls();
        Ok(())
    }

    fn note_tls(&mut self) {
        if let Some((incoming, outgoing)) = &mut self.trace {
            incoming.partial.clear();
            outgoing.partial.clear();
            let what = self.stream.tls_description().unwrap_or_default();
            println!("-- TLS established: {what}");
        }
    }

    /// Flushes what is left and closes the stream (TLS close_notify, then TCP FIN); errors are ignored
    /// because the session is over anyway.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.flush().await;
        let _ = self.stream.shutdown().await;
    }

    /// Gives back the machine and the stream.
    pub(crate) fn into_parts(self) -> (C, Stream) {
        (self.conn, self.stream)
    }
}

/// Binds a listening socket, with the address in the error message.
pub(crate) async fn bind(listen: &str) -> io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("listen on {listen}: {e}")))
}

/// Prints the start-up line of a mailbox server example (`NAME: listening on ADDR for USER
/// (maildir DIR, STARTTLS offered)`; the interop tests read the port from it).
pub(crate) fn announce_mailbox_server(
    name: &str,
    listener: &tokio::net::TcpListener,
    listen: &str,
    user: &str,
    maildir: &std::path::Path,
    tls_command: &str,
    tls_offered: bool,
) {
    eprintln!(
        "{name}: listening on {} for {user} (maildir {}, {tls_command} {})",
        listener
            .local_addr()
            .map_or_else(|_| listen.to_owned(), |a| a.to_string()),
        maildir.display(),
        if tls_offered { "offered" } else { "off" },
    );
}

/// [`serve`] until accepting fails, which ends the process.
pub(crate) async fn serve_or_die<F, Fut>(listener: tokio::net::TcpListener, handler: F) -> !
where
    F: Fn(Stream, std::net::SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    match serve(listener, handler).await {
        Ok(()) => super::die("the listener closed"),
        Err(e) => super::die(e),
    }
}

/// Accepts connections for ever, running `handler(stream, peer)` in a task of its own for each one;
/// a handler's error is printed with the peer's address and ends only that connection.
pub(crate) async fn serve<F, Fut>(listener: tokio::net::TcpListener, handler: F) -> io::Result<()>
where
    F: Fn(Stream, std::net::SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    loop {
        let (tcp, peer) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let task = handler(Stream::Plain(tcp), peer);
        tokio::spawn(async move {
            if let Err(e) = task.await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}
