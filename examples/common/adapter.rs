//! Drives any [`mailwire::Connection`] over a tokio [`Stream`]: one file to copy into an application.
//!
//! The loop: drain `poll_event()` and act on each event, [`Session::flush`] what the machine queued, on a
//! `StartTls` event upgrade ([`Session::start_tls_server`] / [`Session::start_tls_client`]) and call the
//! machine's `tls_established()`, stop once `is_closed()` or [`Session::is_eof`], else [`Session::read`]
//! (input → `handle_input`, EOF → `handle_eof`, or the machine's deadline; then always `handle_timeout`).
//! Every byte read goes to the machine at once, so plaintext sent after STARTTLS never leaks into TLS.
//!
//! No peer can hold a session: a write that makes no progress for [`Timeouts::write`] fails, a TLS
//! handshake that does not finish within [`Timeouts::handshake`] fails, a client waiting for an answer
//! gives up after [`Timeouts::read`], and [`Session::new`] starts the machine's idle timer at once.
//! [`Session::stop_on`] ends a session politely when the server shuts down.

use std::future::{Future, pending};
use std::io;
use std::sync::Arc;
use std::time::Duration;

use mailwire::Connection;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_rustls::{TlsAcceptor, rustls::ClientConfig};

use super::stream::Stream;

/// The machines' time base: a [`Duration`] since the clock was made (tokio's clock).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    /// A clock starting now.
    pub(crate) fn new() -> Clock {
        Clock(Instant::now())
    }
    /// Time since the start, for `handle_timeout(now)`.
    pub(crate) fn now(&self) -> Duration {
        self.0.elapsed()
    }
    /// The instant of a machine time `at`; a year from now if it overflows.
    pub(crate) fn instant(&self, at: Duration) -> Instant {
        (self.0.checked_add(at)).unwrap_or_else(|| Instant::now() + Duration::from_secs(31_536_000))
    }
}

/// What ended a [`Session::read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake<T = std::convert::Infallible> {
    /// This many bytes arrived and went to `handle_input`.
    Input(usize),
    /// The peer closed (or the server is shutting down); `handle_eof` was called.
    Eof,
    /// The machine's deadline passed.
    Timer,
    /// The extra future given to [`Session::read_or`] finished first.
    Other(T),
}

/// What the transport allows a peer: `None` waits for ever.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// A write (or flush) making no progress this long fails with `TimedOut`. Default 60 s.
    pub(crate) write: Option<Duration>,
    /// A TLS handshake taking longer fails with `TimedOut`. Default 30 s.
    pub(crate) handshake: Option<Duration>,
    /// Waiting this long for input fails with `TimedOut` (for clients; servers use the machine's idle
    /// timer). Default `None`.
    pub(crate) read: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        let secs = |s| Some(Duration::from_secs(s));
        Timeouts {
            write: secs(60),
            handshake: secs(30),
            read: None,
        }
    }
}

/// Runs `io` under `limit`: `TimedOut` naming `what` when it takes longer.
pub(crate) async fn timed<T>(
    limit: Option<Duration>,
    what: &str,
    io: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let Some(limit) = limit else { return io.await };
    let late = || {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{what}: nothing for {limit:?}"),
        )
    };
    timeout(limit, io).await.map_err(|_| late())?
}

/// Writes all of `bytes`; each write must make progress within `limit`.
pub(crate) async fn write_all<S: AsyncWrite + Unpin>(
    s: &mut S,
    bytes: &[u8],
    limit: Option<Duration>,
) -> io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        match timed(limit, "write stalled", s.write(rest)).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => rest = &rest[n..],
        }
    }
    Ok(())
}

/// Writes everything `poll_transmit()` yields and flushes, each write progressing within `limit`.
pub(crate) async fn flush<C: Connection + ?Sized, S: AsyncWrite + Unpin>(
    conn: &mut C,
    stream: &mut S,
    limit: Option<Duration>,
) -> io::Result<()> {
    while let Some(bytes) = conn.poll_transmit() {
        write_all(stream, &bytes, limit).await?;
    }
    timed(limit, "write stalled", stream.flush()).await
}

/// Reads once and feeds the machine: `handle_input` and `Ok(true)`, or at EOF `handle_eof` and `Ok(false)`.
pub(crate) async fn read_some<C: Connection + ?Sized, S: AsyncRead + Unpin>(
    conn: &mut C,
    stream: &mut S,
    buf: &mut [u8],
) -> io::Result<bool> {
    let n = stream.read(buf).await?;
    match n {
        0 => conn.handle_eof(),
        n => conn.handle_input(&buf[..n]),
    }
    Ok(n > 0)
}

/// What sees the bytes of a session: `(incoming, bytes)` (the examples' transcripts).
pub(crate) type Observer = Box<dyn FnMut(bool, &[u8]) + Send>;

/// A machine, its stream, a read buffer, a clock, the transport [`Timeouts`] and the shutdown signal.
pub(crate) struct Session<C> {
    /// The Sans-IO machine: poll its events and call its actions directly.
    pub(crate) conn: C,
    /// The connection it talks over.
    pub(crate) stream: Stream,
    /// The machine's time base.
    pub(crate) clock: Clock,
    /// What the transport allows the peer.
    pub(crate) timeouts: Timeouts,
    /// Sees every byte read and written.
    pub(crate) observer: Option<Observer>,
    buf: Box<[u8]>,
    eof: bool,
    stop: Option<(watch::Receiver<bool>, &'static [u8])>,
    stopped: bool,
}

impl<C: Connection> Session<C> {
    /// Bundles a machine and its stream; calls `handle_timeout` at once, which starts a server's idle timer.
    pub(crate) fn new(mut conn: C, stream: Stream) -> Self {
        let clock = Clock::new();
        conn.handle_timeout(clock.now());
        let buf = vec![0; 16 * 1024].into_boxed_slice();
        let (timeouts, observer, stop) = (Timeouts::default(), None, None);
        Session {
            conn,
            stream,
            clock,
            timeouts,
            observer,
            buf,
            eof: false,
            stop,
            stopped: false,
        }
    }

    /// When `signal` turns `true`, the next [`read`](Self::read) sends `goodbye` (e.g. `* BYE ...\r\n`),
    /// closes the stream and reports [`Wake::Eof`]; what the machine queues afterwards is dropped.
    pub(crate) fn stop_on(mut self, signal: watch::Receiver<bool>, goodbye: &'static [u8]) -> Self {
        self.stop = Some((signal, goodbye));
        self
    }

    /// Whether the peer closed its side (or the session was stopped): end the loop after the events.
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Whether the [`stop_on`](Self::stop_on) signal ended the session.
    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Writes everything the machine queued and flushes the stream (under [`Timeouts::write`]).
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.conn.poll_transmit() {
            if !self.stopped {
                if let Some(observe) = &mut self.observer {
                    observe(false, &bytes);
                }
                write_all(&mut self.stream, &bytes, self.timeouts.write).await?;
            }
        }
        if self.stopped {
            Ok(())
        } else {
            timed(self.timeouts.write, "write stalled", self.stream.flush()).await
        }
    }

    /// Waits for input, EOF, the machine's deadline or the stop signal; feeds the machine, then always
    /// calls `handle_timeout(now)`. After EOF it returns `Wake::Eof` at once.
    pub(crate) async fn read(&mut self) -> io::Result<Wake> {
        self.read_or(pending::<std::convert::Infallible>()).await
    }

    /// [`read`](Self::read) that also ends when `other` (a cancel-safe future) finishes first.
    pub(crate) async fn read_or<F: Future>(&mut self, other: F) -> io::Result<Wake<F::Output>> {
        if self.eof {
            self.conn.handle_timeout(self.clock.now());
            return Ok(Wake::Eof);
        }
        let deadline = self.conn.poll_timeout().map(|at| self.clock.instant(at));
        let (stream, buf, stop, quiet) = (
            &mut self.stream,
            &mut self.buf,
            &mut self.stop,
            self.timeouts.read,
        );
        let stopping = async {
            match stop {
                Some((signal, _)) => drop(signal.wait_for(|stop| *stop).await),
                None => pending().await,
            }
        };
        let wake = tokio::select! {
            biased;
            () = stopping => None,
            read = stream.read(buf) => Some(match read? { 0 => Wake::Eof, n => Wake::Input(n) }),
            () = async { match deadline { Some(at) => sleep_until(at).await, None => pending().await } } => Some(Wake::Timer),
            out = other => Some(Wake::Other(out)),
            r = timed(quiet, "no answer", pending::<io::Result<()>>()) => return Err(r.unwrap_err()),
        };
        let wake = match wake {
            Some(wake) => wake,
            None => {
                self.goodbye().await;
                Wake::Eof
            }
        };
        match wake {
            Wake::Input(n) => {
                self.conn.handle_input(&self.buf[..n]);
                if let Some(observe) = &mut self.observer {
                    observe(true, &self.buf[..n]);
                }
            }
            Wake::Eof => {
                self.eof = true;
                self.conn.handle_eof();
            }
            Wake::Timer | Wake::Other(_) => {}
        }
        self.conn.handle_timeout(self.clock.now());
        Ok(wake)
    }

    /// The stop signal came: flush, send the goodbye line, close; later output is dropped.
    async fn goodbye(&mut self) {
        let _ = self.flush().await;
        if let Some((_, goodbye)) = self.stop {
            let _ = write_all(&mut self.stream, goodbye, self.timeouts.write).await;
        }
        self.shutdown().await;
        self.stopped = true;
    }

    /// Client side of STARTTLS: flushes, then the handshake verifying `server_name` with `config`.
    /// Call the machine's `tls_established()` afterwards.
    pub(crate) async fn start_tls_client_with(
        &mut self,
        config: Arc<ClientConfig>,
        server_name: &str,
    ) -> io::Result<()> {
        self.flush().await?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        let tls = plain.upgrade_to_tls_client_with(config, server_name);
        self.stream = timed(self.timeouts.handshake, "TLS handshake", tls).await?;
        Ok(())
    }

    /// Server side of STARTTLS: flushes the go-ahead, then the handshake (under [`Timeouts::handshake`]).
    /// Call the machine's `tls_established()` afterwards.
    pub(crate) async fn start_tls_server(&mut self, acceptor: &TlsAcceptor) -> io::Result<()> {
        self.flush().await?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        let tls = plain.upgrade_to_tls_server(acceptor);
        self.stream = timed(self.timeouts.handshake, "TLS handshake", tls).await?;
        Ok(())
    }

    /// Flushes what is left and closes the stream (TLS close_notify, then FIN), ignoring errors.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.flush().await;
        let _ = timed(self.timeouts.write, "shutdown", self.stream.shutdown()).await;
    }

    /// Gives back the machine and the stream.
    pub(crate) fn into_parts(self) -> (C, Stream) {
        (self.conn, self.stream)
    }
}
