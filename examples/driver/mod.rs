//! A tokio driver for any mailwire machine, in one file (plus `deflate.rs` for COMPRESS, which uses
//! `examples/common/deflate.rs`, with `flate2`) to copy into an application. The machines do no I/O ("Sans-IO"): [`Driver`] owns the socket and the clock;
//! [`Driver::step`] writes what the machine queued, waits for bytes or the machine's next deadline, and
//! feeds either to it; poll the machine's events between steps. STARTTLS and COMPRESS are hand-offs: on the
//! machine's go-ahead call [`Driver::start_tls_client`] / [`Driver::start_tls_server`] /
//! then its `tls_established()`; [`Driver::start_compress`] tells the machine itself.
//! `examples/imap_latest.rs` drives a client with it, `examples/smtp_inbox.rs` a server. Needs `tokio`, `tokio-rustls` (*ring*) and `rustls-pemfile`. Every wait is bounded: by the machine's
//! timers (greeting, command, idle) through `poll_timeout`, and writes and handshakes by [`IO_TIMEOUT`].

#![allow(dead_code, unreachable_pub)] // an application uses the parts it needs

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod deflate;
#[path = "../common/deflate.rs"]
mod deflated;
use mailwire::Connection;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};

/// How long one write or one TLS handshake may take.
pub const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// The transport: plain TCP, or TLS after STARTTLS or on an implicit-TLS port.
enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// COMPRESS=DEFLATE (RFC 4978) over either; `bool`: over TLS.
    Deflate(Box<deflated::Deflated<Box<dyn Stream>>>, bool),
    /// Only while a handshake has the TCP stream.
    Upgrading,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {} // what both transports are
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

impl Io {
    fn stream(&mut self) -> io::Result<&mut dyn Stream> {
        match self {
            Io::Plain(s) => Ok(s),
            Io::Tls(s) => Ok(&mut **s),
            Io::Deflate(s, _) => Ok(&mut **s),
            Io::Upgrading => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    /// The TCP stream, for a TLS handshake (`Upgrading` stays until it is done).
    fn take_plain(&mut self) -> io::Result<TcpStream> {
        match std::mem::replace(self, Io::Upgrading) {
            Io::Plain(tcp) => Ok(tcp),
            _ => Err(io::Error::new(io::ErrorKind::InvalidInput, "not plain TCP")),
        }
    }
}

/// One machine (`conn`) and its connection.
pub struct Driver<C> {
    /// The machine: poll its events and call its actions between [`step`](Self::step)s.
    pub conn: C,
    io: Io,
    start: Instant,
    buf: Box<[u8]>,
    eof: bool,
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("{what} took too long"))
}

impl<C: Connection> Driver<C> {
    /// Drives `conn` over an accepted or connected TCP stream.
    pub fn new(mut conn: C, tcp: TcpStream) -> Self {
        let _ = tcp.set_nodelay(true);
        // the time contract: the first handle_timeout starts the machine's timers
        conn.handle_timeout(Duration::ZERO);
        let (io, start, buf) = (Io::Plain(tcp), Instant::now(), vec![0; 16 * 1024].into());
        Driver {
            conn,
            io,
            start,
            buf,
            eof: false,
        }
    }

    /// Connects to `addr` (`host:port`) over plain TCP.
    pub async fn connect(addr: &str, conn: C) -> io::Result<Self> {
        Ok(Driver::new(conn, TcpStream::connect(addr).await?))
    }

    /// Connects with implicit TLS (ports 465, 995, 993; RFC 8314), verifying `server_name`.
    pub async fn connect_tls(
        addr: &str,
        server_name: &str,
        tls: Arc<ClientConfig>,
        conn: C,
    ) -> io::Result<Self> {
        let mut driver = Driver::connect(addr, conn).await?;
        driver.start_tls_client(tls, server_name).await?;
        Ok(driver)
    }

    /// Whether the connection is encrypted (the machines call it `tls_active` too).
    pub fn tls_active(&self) -> bool {
        matches!(self.io, Io::Tls(_) | Io::Deflate(_, true))
    }

    /// Writes everything the machine queued.
    pub async fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.conn.poll_transmit() {
            let write = async {
                let stream = self.io.stream()?;
                stream.write_all(&bytes).await?;
                stream.flush().await
            };
            timeout(IO_TIMEOUT, write)
                .await
                .map_err(|_| timed_out("a write"))??;
        }
        Ok(())
    }

    /// Flushes, then waits for input or the machine's next deadline and hands it over (`handle_input` or
    /// `handle_eof`, then `handle_timeout`). `Ok(false)` once the input is over or the machine closed:
    /// poll the last events, then stop.
    pub async fn step(&mut self) -> io::Result<bool> {
        self.flush().await?;
        if self.eof || self.conn.is_closed() {
            return Ok(false);
        }
        let deadline = self.conn.poll_timeout().map(|at| self.start + at);
        let read = async { self.io.stream()?.read(&mut self.buf).await };
        tokio::select! {
            n = read => match n? {
                0 => {
                    self.eof = true;
                    self.conn.handle_eof();
                }
                n => self.conn.handle_input(&self.buf[..n]),
            },
            () = async { match deadline { Some(at) => sleep_until(at).await, None => std::future::pending().await } } => {}
        }
        self.conn.handle_timeout(self.start.elapsed());
        Ok(true)
    }

    /// Client side of STARTTLS, after the server's go-ahead: the handshake, verifying `server_name`.
    /// Then call the machine's `tls_established()`.
    pub async fn start_tls_client(
        &mut self,
        tls: Arc<ClientConfig>,
        server_name: &str,
    ) -> io::Result<()> {
        self.flush().await?;
        let name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let tcp = self.io.take_plain()?;
        let handshake = TlsConnector::from(tls).connect(name, tcp);
        let tls = timeout(IO_TIMEOUT, handshake)
            .await
            .map_err(|_| timed_out("the TLS handshake"))??;
        self.io = Io::Tls(Box::new(TlsStream::Client(tls)));
        Ok(())
    }

    /// Server side of STARTTLS, after the machine queued its go-ahead: flushes it, then the handshake.
    /// Then call the machine's `tls_established()`.
    pub async fn start_tls_server(&mut self, acceptor: &TlsAcceptor) -> io::Result<()> {
        self.flush().await?;
        let tcp = self.io.take_plain()?;
        let tls = timeout(IO_TIMEOUT, acceptor.accept(tcp))
            .await
            .map_err(|_| timed_out("the TLS handshake"))??;
        self.io = Io::Tls(Box::new(TlsStream::Server(tls)));
        Ok(())
    }
}

/// A TLS client configuration that trusts the certificates of a PEM file (a CA bundle, such as
/// `/etc/ssl/certs/ca-certificates.crt`, or a test server's own certificate).
pub fn trusting(pem_file: &Path) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    let mut reader = io::BufReader::new(std::fs::File::open(pem_file)?);
    for cert in rustls_pemfile::certs(&mut reader) {
        roots.add(cert?).map_err(io::Error::other)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
