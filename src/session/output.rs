//! The output queue of a machine: bytes produced for the peer and not yet
//! handed to the caller.
//!
//! Machines write into the queue (it derefs to the [`BytesMut`] the
//! emitters write into) as they answer, and
//! `poll_transmit` hands everything queued out at once as one [`Bytes`] that
//! shares the queue's block. The block stays allocated until every `Bytes`
//! handed out is dropped, so [`Output::memory_usage`] counts the whole block,
//! not what is left of it; [`Output::release`] gives it up when nothing is
//! queued (an idle connection keeps no output buffer).

use bytes::{Bytes, BytesMut};

/// Queued output.
#[derive(Debug, Default)]
pub(crate) struct Output {
    out: BytesMut,
    /// The largest block handed out since the last release (it is shared
    /// with the bytes the caller holds).
    block: usize,
}

impl Output {
    /// A queue that starts with `cap` bytes of room.
    pub(crate) fn with_capacity(cap: usize) -> Output {
        Output {
            out: BytesMut::with_capacity(cap),
            block: 0,
        }
    }

    /// Everything queued, or `None` when nothing is.
    pub(crate) fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.out.is_empty() {
            return None;
        }
        self.block = self.block.max(self.out.capacity());
        Some(self.out.split().freeze())
    }

    /// Gives up the block when nothing is queued.
    pub(crate) fn release(&mut self) {
        if self.out.is_empty() {
            self.out = BytesMut::new();
            self.block = 0;
        }
    }

    /// Heap bytes held (the whole shared block).
    pub(crate) fn memory_usage(&self) -> usize {
        self.block.max(self.out.capacity())
    }
}

impl core::ops::Deref for Output {
    type Target = BytesMut;

    fn deref(&self) -> &BytesMut {
        &self.out
    }
}

impl core::ops::DerefMut for Output {
    fn deref_mut(&mut self) -> &mut BytesMut {
        &mut self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transmit_hands_out_everything_queued_once() {
        let mut o = Output::with_capacity(16);
        assert_eq!(o.poll_transmit(), None);
        o.extend_from_slice(b"220 ready\r\n");
        o.extend_from_slice(b"250 ok\r\n");
        assert_eq!(o.len(), 19);
        let b = o.poll_transmit().unwrap();
        assert_eq!(&b[..], b"220 ready\r\n250 ok\r\n");
        assert!(o.is_empty());
        assert_eq!(o.poll_transmit(), None);
    }

    #[test]
    fn the_shared_block_is_counted_until_release() {
        let mut o = Output::default();
        o.extend_from_slice(&[b'x'; 10_000]);
        let held = o.poll_transmit().unwrap();
        assert!(o.memory_usage() >= 10_000, "{}", o.memory_usage());
        o.extend_from_slice(b"+");
        o.release(); // something queued: kept
        assert!(o.memory_usage() >= 10_000);
        assert_eq!(&o.poll_transmit().unwrap()[..], b"+");
        o.release();
        assert_eq!(o.memory_usage(), 0);
        assert_eq!(held.len(), 10_000);
    }
}
