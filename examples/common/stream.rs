//! [`Stream`]: plain TCP or TLS (client or server side) behind one `AsyncRead + AsyncWrite` type, with the
//! STARTTLS upgrade (RFC 3207, RFC 2595 §4, RFC 9051 §6.2.1) and connect helpers for plain and implicit
//! TLS (RFC 8314), and COMPRESS=DEFLATE over either (RFC 4978, [`Stream::Deflate`]).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use mailwire::Connection;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::{TlsAcceptor, TlsConnector, client, server};

use super::deflate::Deflated;
use super::tls;

/// A connection, plain or TLS. Boxed TLS variants keep the enum small.
#[derive(Debug)]
pub(crate) enum Stream {
    /// Plain TCP (before STARTTLS, or without TLS).
    Plain(TcpStream),
    /// TLS as the client.
    TlsClient(Box<client::TlsStream<TcpStream>>),
    /// TLS as the server.
    TlsServer(Box<server::TlsStream<TcpStream>>),
    /// COMPRESS=DEFLATE (RFC 4978) over one of the above: see [`compress`](Stream::compress).
    Deflate(Box<Deflated<Stream>>),
    /// Nothing: the placeholder left while a [`Session`](super::Session) upgrades its stream in place,
    /// and what stays when an upgrade fails. Every I/O on it fails with `NotConnected`.
    Detached,
}

fn detached() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the stream was given away for a TLS upgrade",
    )
}

fn compressed() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "DEFLATE is already on")
}

fn not_plain() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "STARTTLS on a stream that is not plain TCP",
    )
}

/// The host part of `HOST:PORT`, `[V6ADDR]:PORT` or a bare host: what to verify the server certificate against.
pub(crate) fn host_of(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.rsplit_once(':') {
        // A bare IPv6 address has more than one colon and no port.
        Some((host, _port)) if !host.contains(':') => host,
        _ => addr,
    }
}

impl Stream {
    /// Connects over plain TCP.
    pub(crate) async fn connect(addr: &str) -> io::Result<Stream> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("connect {addr}: {e}")))?;
        tcp.set_nodelay(true)?;
        Ok(Stream::Plain(tcp))
    }

    /// Connects with implicit TLS (SMTP submissions 465, POP3S 995, IMAPS 993), verifying the certificate
    /// against the host part of `addr` unless `insecure`.
    pub(crate) async fn connect_tls(addr: &str, insecure: bool) -> io::Result<Stream> {
        Stream::connect(addr)
            .await?
            .upgrade_to_tls_client(host_of(addr), insecure)
            .await
    }

    /// [`connect_tls`](Self::connect_tls) when `tls` (the `--tls` flag), else [`connect`](Self::connect).
    pub(crate) async fn open(addr: &str, tls: bool, insecure: bool) -> io::Result<Stream> {
        if tls {
            Stream::connect_tls(addr, insecure).await
        } else {
            Stream::connect(addr).await
        }
    }

    /// [`open`](Self::open) with a client configuration, the TCP connect and the TLS handshake each
    /// bounded by `limit` (`TimedOut` when it passes).
    pub(crate) async fn open_with(
        addr: &str,
        tls: Option<Arc<ClientConfig>>,
        limit: Option<std::time::Duration>,
    ) -> io::Result<Stream> {
        let plain = timed(limit, &format!("connect {addr}"), Stream::connect(addr)).await?;
        match tls {
            None => Ok(plain),
            Some(config) => {
                let handshake = plain.upgrade_to_tls_client_with(config, host_of(addr));
                timed(limit, "TLS handshake", handshake).await
            }
        }
    }

    /// Client side of STARTTLS (after the server's go-ahead): the TLS handshake over this plain stream,
    /// verifying the certificate for `server_name` (a DNS name or an IP address) unless `insecure`.
    pub(crate) async fn upgrade_to_tls_client(
        self,
        server_name: &str,
        insecure: bool,
    ) -> io::Result<Stream> {
        self.upgrade_to_tls_client_with(tls::client_config(insecure), server_name)
            .await
    }

    /// [`upgrade_to_tls_client`](Self::upgrade_to_tls_client) with a given configuration
    /// (e.g. [`client_config_trusting`](super::client_config_trusting)).
    pub(crate) async fn upgrade_to_tls_client_with(
        self,
        config: Arc<ClientConfig>,
        server_name: &str,
    ) -> io::Result<Stream> {
        let Stream::Plain(tcp) = self else {
            return Err(not_plain());
        };
        let name = ServerName::try_from(server_name.to_owned()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("TLS server name {server_name:?}: {e}"),
            )
        })?;
        let tls = TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| {
                io::Error::new(e.kind(), format!("TLS handshake with {server_name}: {e}"))
            })?;
        Ok(Stream::TlsClient(Box::new(tls)))
    }

    /// Server side of STARTTLS (after the go-ahead reply was flushed): the TLS handshake over this plain stream.
    pub(crate) async fn upgrade_to_tls_server(self, acceptor: &TlsAcceptor) -> io::Result<Stream> {
        let Stream::Plain(tcp) = self else {
            return Err(not_plain());
        };
        let tls = acceptor
            .accept(tcp)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("TLS handshake: {e}")))?;
        Ok(Stream::TlsServer(Box::new(tls)))
    }

    /// Implicit TLS on an accepted connection (the server side of [`connect_tls`](Self::connect_tls)).
    pub(crate) async fn accept_tls(tcp: TcpStream, acceptor: &TlsAcceptor) -> io::Result<Stream> {
        Stream::Plain(tcp).upgrade_to_tls_server(acceptor).await
    }

    /// COMPRESS=DEFLATE from now on, both ways (after the machine's go-ahead and once its tagged OK, the
    /// last plain bytes, left): `early` are the compressed bytes that came with that OK, which the
    /// machine's `compression_established()` returns.
    pub(crate) fn compress(self, early: &[u8]) -> io::Result<Stream> {
        match self {
            Stream::Deflate(_) => Err(compressed()),
            Stream::Detached => Err(detached()),
            s => Ok(Stream::Deflate(Box::new(Deflated::new(s, early)))),
        }
    }

    /// Whether DEFLATE is on.
    pub(crate) fn is_compressed(&self) -> bool {
        matches!(self, Stream::Deflate(_))
    }

    /// Whether the stream is encrypted.
    pub(crate) fn is_tls(&self) -> bool {
        match self {
            Stream::TlsClient(_) | Stream::TlsServer(_) => true,
            Stream::Deflate(s) => s.get_ref().is_tls(),
            Stream::Plain(_) | Stream::Detached => false,
        }
    }

    /// The TCP connection underneath, if any.
    pub(crate) fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Stream::Plain(s) => Some(s),
            Stream::TlsClient(s) => Some(s.get_ref().0),
            Stream::TlsServer(s) => Some(s.get_ref().0),
            Stream::Deflate(s) => s.get_ref().tcp(),
            Stream::Detached => None,
        }
    }

    /// The peer's address.
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp().ok_or_else(detached)?.peer_addr()
    }

    /// The negotiated TLS version and cipher suite, e.g. `TLSv1_3 TLS13_AES_256_GCM_SHA384`, when encrypted.
    pub(crate) fn tls_description(&self) -> Option<String> {
        let (version, suite) = match self {
            Stream::TlsClient(s) => (
                s.get_ref().1.protocol_version(),
                s.get_ref().1.negotiated_cipher_suite(),
            ),
            Stream::TlsServer(s) => (
                s.get_ref().1.protocol_version(),
                s.get_ref().1.negotiated_cipher_suite(),
            ),
            Stream::Deflate(s) => return s.get_ref().tls_description(),
            _ => return None,
        };
        let version = version.map(|v| format!("{v:?}")).unwrap_or_default();
        let suite = suite
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default();
        Some(format!("{version} {suite}"))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::TlsClient(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::TlsServer(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Deflate(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Detached => Poll::Ready(Err(detached())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::TlsClient(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::TlsServer(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Deflate(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Detached => Poll::Ready(Err(detached())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::TlsClient(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::TlsServer(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Deflate(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Detached => Poll::Ready(Err(detached())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::TlsClient(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::TlsServer(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Deflate(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Detached => Poll::Ready(Ok(())),
        }
    }
}

/// What the transport allows a peer: `None` waits for ever.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// A write (or flush) making no progress this long fails with `TimedOut`. Default 60 s.
    pub(crate) write: Option<Duration>,
    /// A TLS handshake taking longer fails with `TimedOut`. Default 30 s.
    pub(crate) handshake: Option<Duration>,
    /// Waiting this long for input fails (clients; servers use the machine's idle timer). Default `None`.
    pub(crate) read: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        let secs = |s| Some(Duration::from_secs(s));
        let (write, handshake) = (secs(60), secs(30));
        Timeouts {
            write,
            handshake,
            read: None,
        }
    }
}

// Time-bounded I/O, and driving a machine without a `Session` (the adapter self-test does).

/// Runs `io` under `limit`: `TimedOut` naming `what` when it takes longer.
pub(crate) async fn timed<T>(
    limit: Option<Duration>,
    what: &str,
    io: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let Some(limit) = limit else { return io.await };
    let late = format!("{what}: nothing for {limit:?}");
    (tokio::time::timeout(limit, io).await)
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, late))?
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
