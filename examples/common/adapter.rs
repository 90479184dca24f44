//! Drives any [`mailwire::Connection`] over a tokio [`Stream`]: the file to copy into an application.
//! Loop: drain `poll_event()`, [`Session::flush`], on `StartTls` upgrade ([`Session::start_tls_server`])
//! and call `tls_established()`, on `Compress` [`Session::start_compress`], stop once `is_closed()` or
//! [`Session::is_eof`], else [`Session::read`].
//! No peer holds a session: writes, handshakes and a client's waits are bounded by [`Timeouts`],
//! [`Session::new`] starts the machine's idle timer, [`Session::stop_on`] says goodbye at shutdown.

use std::future::{Future, pending};
use std::io;
use std::sync::Arc;
use std::time::Duration;

use mailwire::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};
use tokio_rustls::{TlsAcceptor, rustls::ClientConfig};

use super::stream::{Stream, Timeouts, timed, write_all};

/// What ended a [`Session::read`]: `Input(n)` bytes (fed to `handle_input`), `Eof` (the peer closed or
/// [`Session::stop_on`] fired; `handle_eof` called), `Timer` (the deadline), `Other` ([`Session::read_or`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Wake<T = std::convert::Infallible> {
    Input(usize),
    Eof,
    Timer,
    Other(T),
}

/// Sees the bytes of a session: `(incoming, bytes)`.
pub(crate) type Observer = Box<dyn FnMut(bool, &[u8]) + Send>;

/// The machine (`conn`: poll its events, call its actions) over its `stream`, with its time base
/// (`start`: `handle_timeout` gets the time since), the transport `timeouts` and an `observer` of every
/// byte read (`true`) and written (`false`).
#[allow(missing_docs)]
pub(crate) struct Session<C> {
    pub(crate) conn: C,
    pub(crate) stream: Stream,
    pub(crate) start: Instant,
    pub(crate) timeouts: Timeouts,
    pub(crate) observer: Option<Observer>,
    buf: Box<[u8]>,
    eof: bool,
    stop: Option<(watch::Receiver<bool>, &'static [u8])>,
    stopped: bool,
}

impl<C: Connection> Session<C> {
    /// Bundles a machine and its stream; calls `handle_timeout` at once, which starts a server's idle timer.
    pub(crate) fn new(mut conn: C, stream: Stream) -> Self {
        conn.handle_timeout(Duration::ZERO);
        Session {
            conn,
            stream,
            start: Instant::now(),
            timeouts: Timeouts::default(),
            observer: None,
            buf: vec![0; 16 * 1024].into(),
            eof: false,
            stop: None,
            stopped: false,
        }
    }

    /// When `signal` turns `true`, [`read`](Self::read) sends `goodbye`, closes and reports [`Wake::Eof`].
    pub(crate) fn stop_on(mut self, signal: watch::Receiver<bool>, goodbye: &'static [u8]) -> Self {
        self.stop = Some((signal, goodbye));
        self
    }

    /// Whether the input is over (EOF or stopped): end the loop after the events.
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Writes everything the machine queued and flushes the stream (under [`Timeouts::write`]).
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        if self.stopped {
            while self.conn.poll_transmit().is_some() {}
            return Ok(());
        }
        while let Some(bytes) = self.conn.poll_transmit() {
            if let Some(observe) = &mut self.observer {
                observe(false, &bytes);
            }
            write_all(&mut self.stream, &bytes, self.timeouts.write).await?;
        }
        timed(self.timeouts.write, "write stalled", self.stream.flush()).await
    }

    /// Waits for input, EOF, the deadline or the stop signal; feeds the machine, then `handle_timeout`.
    pub(crate) async fn read(&mut self) -> io::Result<Wake> {
        self.read_or(pending::<std::convert::Infallible>()).await
    }

    /// [`read`](Self::read) that also ends when `other` (a cancel-safe future) finishes first.
    pub(crate) async fn read_or<F: Future>(&mut self, other: F) -> io::Result<Wake<F::Output>> {
        if self.eof {
            self.conn.handle_timeout(self.start.elapsed());
            return Ok(Wake::Eof);
        }
        let at = self.conn.poll_timeout();
        let deadline = at.and_then(|at| self.start.checked_add(at));
        let (stream, buf) = (&mut self.stream, &mut self.buf);
        let (stop, quiet) = (&mut self.stop, self.timeouts.read);
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
            () = async { if let Some(at) = deadline { sleep_until(at).await } else { pending().await } } => Some(Wake::Timer),
            out = other => Some(Wake::Other(out)),
            r = timed(quiet, "no answer", pending::<io::Result<()>>()) => return Err(r.unwrap_err()),
        };
        let Some(wake) = wake else {
            self.goodbye().await;
            return Ok(self.end());
        };
        match wake {
            Wake::Input(n) => {
                self.conn.handle_input(&self.buf[..n]);
                if let Some(observe) = &mut self.observer {
                    observe(true, &self.buf[..n]);
                }
            }
            Wake::Eof => return Ok(self.end()),
            Wake::Timer | Wake::Other(_) => {}
        }
        self.conn.handle_timeout(self.start.elapsed());
        Ok(wake)
    }

    /// The input is over: `handle_eof`, then the time.
    fn end<T>(&mut self) -> Wake<T> {
        self.eof = true;
        self.conn.handle_eof();
        self.conn.handle_timeout(self.start.elapsed());
        Wake::Eof
    }

    /// Stopped: flush, send the goodbye line, close; later output is dropped.
    async fn goodbye(&mut self) {
        let _ = self.flush().await;
        if let Some((_, goodbye)) = self.stop {
            let _ = write_all(&mut self.stream, goodbye, self.timeouts.write).await;
        }
        self.shutdown().await;
        self.stopped = true;
    }

    /// Server side of STARTTLS: flushes the go-ahead, then the handshake (under [`Timeouts::handshake`]).
    pub(crate) async fn start_tls_server(&mut self, acceptor: &TlsAcceptor) -> io::Result<()> {
        self.flush().await?;
        let tls =
            std::mem::replace(&mut self.stream, Stream::Detached).upgrade_to_tls_server(acceptor);
        self.stream = timed(self.timeouts.handshake, "TLS handshake", tls).await?;
        Ok(())
    }

    /// Client side: flushes, then the handshake verifying `name` with `config`.
    pub(crate) async fn start_tls_client_with(
        &mut self,
        config: Arc<ClientConfig>,
        name: &str,
    ) -> io::Result<()> {
        self.flush().await?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        let tls = plain.upgrade_to_tls_client_with(config, name);
        self.stream = timed(self.timeouts.handshake, "TLS handshake", tls).await?;
        Ok(())
    }

    /// COMPRESS=DEFLATE (RFC 4978) after the machine's go-ahead (`ClientEvent::Compress` /
    /// `ServerEvent::Compress`): flushes the tagged OK (the last plain bytes), tells the machine through
    /// `established` (its `compression_established`, e.g. `Server::compression_established`), and puts
    /// DEFLATE under both directions, the compressed bytes that came early inflated first. Returns how
    /// many bytes came early.
    pub(crate) async fn start_compress(
        &mut self,
        established: impl FnOnce(&mut C) -> Result<Vec<u8>, mailwire::Error>,
    ) -> io::Result<usize> {
        self.flush().await?;
        let early = established(&mut self.conn)?;
        let plain = std::mem::replace(&mut self.stream, Stream::Detached);
        self.stream = plain.compress(&early)?;
        Ok(early.len())
    }

    /// Flushes what is left and closes the stream (TLS close_notify, then FIN), ignoring errors.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.flush().await;
        let _ = timed(self.timeouts.write, "shutdown", self.stream.shutdown()).await;
    }
}
