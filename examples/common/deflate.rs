//! COMPRESS=DEFLATE (RFC 4978) under any `AsyncRead + AsyncWrite`: [`Deflated`] runs raw DEFLATE streams
//! (RFC 1951, no zlib header or checksum, RFC 4978 §4) both ways over the connection below it, plain TCP or
//! TLS. Each write is compressed whole and ended with a sync flush (`Z_SYNC_FLUSH`), so that the peer can
//! inflate every command or response as soon as it arrives. Needs `flate2` (its pure-Rust backend).
//!
//! Memory stays bounded whatever the peer sends: compressed input is read in chunks of [`CHUNK`] bytes and
//! inflated straight into the reader's buffer, never into a buffer of our own, so a decompression bomb
//! comes out as an endless run of ordinary reads, which the machine's own input limits end. A stream that
//! is not DEFLATE fails the read with `InvalidData`.
//!
//! Used by [`Stream::Deflate`](super::stream::Stream) (the examples' [`Session`](super::Session)) and by the
//! copyable driver (`examples/driver/`), which includes this file.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many compressed bytes are read from the connection at a time.
pub(crate) const CHUNK: usize = 16 * 1024;

/// A connection `S` with DEFLATE on both directions (RFC 4978).
pub(crate) struct Deflated<S> {
    inner: S,
    deflate: Compress,
    inflate: Decompress,
    /// Compressed input: `raw[at..end]` is not inflated yet.
    raw: Vec<u8>,
    at: usize,
    end: usize,
    /// The peer ended its DEFLATE stream (a final block): what follows is not read.
    ended: bool,
    /// Compressed output of the last write: `out[sent..]` is not written to `inner` yet.
    out: Vec<u8>,
    sent: usize,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Deflated<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflated")
            .field("inner", &self.inner)
            .field("inflated", &self.inflate.total_out())
            .field("deflated", &self.deflate.total_in())
            .finish_non_exhaustive()
    }
}

fn broken(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl<S> Deflated<S> {
    /// DEFLATE over `inner`. `early` are bytes that came after the COMPRESS answer before DEFLATE was in
    /// place (what the machine's `compression_established()` returns): compressed, they are inflated first.
    pub(crate) fn new(inner: S, early: &[u8]) -> Self {
        let mut raw = early.to_vec();
        raw.resize(raw.len().max(CHUNK), 0);
        Deflated {
            inner,
            deflate: Compress::new(Compression::default(), false),
            inflate: Decompress::new(false),
            raw,
            at: 0,
            end: early.len(),
            ended: false,
            out: Vec::new(),
            sent: 0,
        }
    }

    /// The connection below.
    pub(crate) fn get_ref(&self) -> &S {
        &self.inner
    }

    /// `plain`, compressed and sync-flushed, into `out` (which is empty).
    fn compress(&mut self, plain: &[u8]) -> io::Result<()> {
        let start = self.deflate.total_in();
        loop {
            let done = (self.deflate.total_in() - start) as usize;
            self.out.reserve(plain.len() - done + 64);
            (self.deflate)
                .compress_vec(&plain[done..], &mut self.out, FlushCompress::Sync)
                .map_err(broken)?;
            // the flush is complete once all input is taken and the output had room to spare
            let taken = (self.deflate.total_in() - start) as usize == plain.len();
            if taken && self.out.len() < self.out.capacity() {
                return Ok(());
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> Deflated<S> {
    /// Writes what the last write compressed.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.out.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.out[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.out.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Deflated<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if this.ended {
                return Poll::Ready(Ok(())); // EOF
            }
            // inflate what is there; with no input left this still hands out output the inflater held
            // back when the last reader's buffer was full
            let (read, made) = (this.inflate.total_in(), this.inflate.total_out());
            let room = buf.initialize_unfilled();
            let status = (this.inflate)
                .decompress(&this.raw[this.at..this.end], room, FlushDecompress::None)
                .map_err(|e| broken(format!("DEFLATE input: {e}")))?;
            let used = (this.inflate.total_in() - read) as usize;
            let made = (this.inflate.total_out() - made) as usize;
            this.at += used;
            buf.advance(made);
            this.ended = status == Status::StreamEnd;
            if made > 0 || this.ended {
                return Poll::Ready(Ok(()));
            }
            if this.at < this.end {
                if used == 0 {
                    // input and room, and no progress: not a DEFLATE stream we can follow
                    return Poll::Ready(Err(broken("DEFLATE input makes no progress")));
                }
                continue;
            }
            // everything read is inflated: read more (at most CHUNK)
            let mut chunk = ReadBuf::new(&mut this.raw[..CHUNK]);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut chunk))?;
            let n = chunk.filled().len();
            if n == 0 {
                return Poll::Ready(Ok(())); // the peer closed, maybe mid-stream: EOF all the same
            }
            (this.at, this.end) = (0, n);
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deflated<S> {
    /// Takes all of `buf` once the previous write left: compresses it whole with a sync flush.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        this.compress(buf)?;
        // start sending at once; what does not fit now goes out on the next write or flush
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
