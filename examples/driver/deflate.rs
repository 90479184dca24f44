//! COMPRESS=DEFLATE (RFC 4978) for the [`Driver`](super::Driver): raw DEFLATE streams (RFC 1951, no zlib
//! header) both ways, with a sync flush after each write (RFC 4978 §4) so every command or response leaves
//! whole. The streams are `examples/common/deflate.rs` (copy it along; it needs `flate2`), which keeps the
//! memory bounded whatever the peer sends. In a file of its own to keep `mod.rs` short.

use std::io;

use mailwire::Connection;

use super::{Io, Stream, deflated::Deflated};

fn broken(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl<C: Connection> super::Driver<C> {
    /// COMPRESS, after the machine's go-ahead (`ClientEvent::Compress` / `ServerEvent::Compress`):
    /// flushes the tagged OK (the last plain bytes), tells the machine through `established` (its
    /// `compression_established`, e.g. `Client::compression_established`), then DEFLATE both ways, the
    /// compressed bytes that came early inflated first.
    pub async fn start_compress(
        &mut self,
        established: impl FnOnce(&mut C) -> Result<Vec<u8>, mailwire::Error>,
    ) -> io::Result<()> {
        self.flush().await?;
        let early = established(&mut self.conn).map_err(broken)?;
        let (inner, tls): (Box<dyn Stream>, bool) =
            match std::mem::replace(&mut self.io, Io::Upgrading) {
                Io::Plain(tcp) => (Box::new(tcp), false),
                Io::Tls(tls) => (tls, true),
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "DEFLATE is on already",
                    ));
                }
            };
        self.io = Io::Deflate(Box::new(Deflated::new(inner, &early)), tls);
        Ok(())
    }
}

impl super::Driver<mailwire::imap::Client> {
    /// IMAP: turns COMPRESS=DEFLATE on when the server offers it, after login (RFC 4978 §3: sends
    /// `COMPRESS DEFLATE`, waits for its OK and the machine's go-ahead, then DEFLATE both ways).
    /// `Ok(false)` when the server does not offer it or refuses it.
    pub async fn compress_imap(&mut self) -> io::Result<bool> {
        use mailwire::imap::{Client, ClientEvent};
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
                    self.start_compress(Client::compression_established).await?;
                    return Ok(true);
                }
            }
        }
        Err(io::ErrorKind::UnexpectedEof.into())
    }
}
