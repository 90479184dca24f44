//! COMPRESS=DEFLATE (RFC 4978) for the [`Driver`](super::Driver): raw DEFLATE streams (RFC 1951, no zlib
//! header) both ways, with a sync flush after each write (RFC 4978 §4) so every command or response leaves
//! whole. Needs `flate2` (its default pure-Rust backend). In a file of its own to keep `mod.rs` short.

use std::io;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use mailwire::Connection;

/// One connection's compressor and decompressor.
pub struct Deflate {
    out: Compress,
    inp: Decompress,
}

fn broken(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl Deflate {
    fn new() -> Self {
        Deflate {
            out: Compress::new(Compression::default(), false),
            inp: Decompress::new(false),
        }
    }

    /// `plain`, compressed and sync-flushed.
    fn compress(&mut self, plain: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(plain.len() / 2 + 64);
        let start = self.out.total_in();
        loop {
            let done = (self.out.total_in() - start) as usize;
            out.reserve(4096);
            self.out
                .compress_vec(&plain[done..], &mut out, FlushCompress::Sync)
                .map_err(broken)?;
            // the flush is complete once all input is taken and the output had room to spare
            if (self.out.total_in() - start) as usize == plain.len() && out.len() < out.capacity() {
                return Ok(out);
            }
        }
    }

    /// The plain bytes of `wire`.
    fn decompress(&mut self, wire: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(wire.len() * 4 + 64);
        let start = self.inp.total_in();
        loop {
            let done = (self.inp.total_in() - start) as usize;
            out.reserve(16 * 1024);
            let status = self
                .inp
                .decompress_vec(&wire[done..], &mut out, FlushDecompress::None);
            let status = status.map_err(broken)?;
            let taken = (self.inp.total_in() - start) as usize == wire.len();
            if status == Status::StreamEnd || (taken && out.len() < out.capacity()) {
                return Ok(out);
            }
        }
    }
}

impl<C: Connection> super::Driver<C> {
    /// COMPRESS, after the machine's go-ahead (`ClientEvent::Compress` / `ServerEvent::Compress`):
    /// flushes the tagged OK (the last plain bytes), then DEFLATE both ways. Then call the machine's
    /// `compression_established()` and give what it returns (bytes that came compressed) to
    /// [`feed_compressed`](Self::feed_compressed).
    pub async fn start_compress(&mut self) -> io::Result<()> {
        self.flush().await?;
        self.deflate = Some(Deflate::new());
        Ok(())
    }

    /// Inflates bytes read before DEFLATE was in place and hands them to the machine.
    pub fn feed_compressed(&mut self, wire: &[u8]) -> io::Result<()> {
        let plain = self
            .deflate
            .as_mut()
            .map_or(Ok(wire.to_vec()), |d| d.decompress(wire))?;
        self.conn.handle_input(&plain);
        Ok(())
    }

    /// What goes on the wire for `plain` (compressed once COMPRESS is on).
    pub(super) fn wire(&mut self, plain: &[u8]) -> io::Result<Vec<u8>> {
        self.deflate
            .as_mut()
            .map_or(Ok(plain.to_vec()), |d| d.compress(plain))
    }

    /// Hands the first `n` bytes of the read buffer to the machine (inflated once COMPRESS is on).
    pub(super) fn feed(&mut self, n: usize) -> io::Result<()> {
        match self.deflate.as_mut() {
            Some(d) => {
                let plain = d.decompress(&self.buf[..n])?;
                self.conn.handle_input(&plain);
            }
            None => self.conn.handle_input(&self.buf[..n]),
        }
        Ok(())
    }
}

impl super::Driver<mailwire::imap::Client> {
    /// IMAP: turns COMPRESS=DEFLATE on when the server offers it, after login (RFC 4978 §3: sends
    /// `COMPRESS DEFLATE`, waits for its OK and the machine's go-ahead, then DEFLATE both ways).
    /// `Ok(false)` when the server does not offer it or refuses it.
    pub async fn compress_imap(&mut self) -> io::Result<bool> {
        use mailwire::imap::ClientEvent;
        if !self.conn.capabilities().has("COMPRESS=DEFLATE") {
            return Ok(false);
        }
        let tag = self.conn.compress().map_err(broken)?;
        while self.step().await? {
            while let Some(event) = self.conn.poll_event().map_err(broken)? {
                if event.outcome_of(&tag).is_some_and(|o| o.is_err()) {
                    return Ok(false);
                }
                if matches!(event, ClientEvent::Compress) {
                    self.start_compress().await?;
                    let early = self.conn.compression_established().map_err(broken)?;
                    self.feed_compressed(&early)?;
                    return Ok(true);
                }
            }
        }
        Err(io::ErrorKind::UnexpectedEof.into())
    }
}
