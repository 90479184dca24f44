//! The input buffer of a machine: the bytes the peer sent that the machine
//! has not parsed yet.
//!
//! Every machine reads the same way: `handle_input` appends, the parser looks
//! at [`Input::unread`] and consumes what it used, and events may borrow the
//! buffered bytes until the next call. The buffer knows nothing of any
//! protocol; it owns the rules every machine shares:
//!
//! - **Limits.** A machine bounds the unread bytes with [`Limits::input_buffer`]
//!   (or a smaller limit of its own, such as the IMAP server's
//!   [`Limits::unauthenticated_input`]), either as bytes arrive
//!   ([`Input::push_within`]) or when it needs more input and has no complete
//!   frame ([`Input::check`]). Both fail with the same
//!   [`Error::Limit`] of kind [`LimitKind::InputBuffer`].
//! - **Compaction.** [`Input::compact`] drops the consumed front once the read
//!   offset passes half the buffer, so a long pipelined stream moves each byte
//!   a bounded number of times and a partly consumed frame stays whole.
//! - **Idle shrink.** Once everything is consumed, capacity beyond
//!   [`RETAINED`] is given back, so a connection that once saw a large command
//!   costs little while idle.
//! - **End of input.** [`Input::set_eof`] records that the peer closed; the
//!   bytes already buffered are still read.
//!
//! [`Limits::input_buffer`]: crate::Limits::input_buffer
//! [`Limits::unauthenticated_input`]: crate::Limits::unauthenticated_input

use alloc::vec::Vec;
use core::ops::Range;

use crate::error::{Error, LimitKind};

/// Capacity an idle input buffer keeps (a typical command or reply fits).
pub(crate) const RETAINED: usize = 4096;

/// Buffered input and a read offset into it.
#[derive(Debug, Default)]
pub(crate) struct Input {
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Input {
    /// Bytes received and not consumed yet.
    pub(crate) fn unread(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// How many bytes are unread.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether everything received has been consumed.
    pub(crate) fn is_drained(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// The read offset: ranges handed out by a machine are offsets into
    /// [`bytes`](Self::bytes), valid until the next [`compact`](Self::compact).
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The whole buffer, consumed bytes included.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes of `range` (an earlier read offset range), or nothing when
    /// the range is stale.
    pub(crate) fn get(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// A reader over the buffer: for a machine whose events borrow the
    /// bytes while it advances the read offset.
    pub(crate) fn reader(&mut self) -> Reader<'_> {
        Reader {
            bytes: &self.buf,
            pos: &mut self.pos,
            eof: self.eof,
        }
    }

    /// Marks `n` more bytes as read.
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.buffered());
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Appends bytes, unchecked (the machine bounds them later with
    /// [`check`](Self::check)).
    pub(crate) fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Appends bytes unless the unread bytes would then be more than
    /// `limit`; then nothing is appended and the error says which limit.
    pub(crate) fn push_within(&mut self, data: &[u8], limit: usize) -> Result<(), Error> {
        self.admit(data.len(), limit)?;
        self.push(data);
        Ok(())
    }

    /// Whether `extra` more bytes may be appended under `limit` (what
    /// [`push_within`](Self::push_within) checks, for a machine that must
    /// prepare room first).
    pub(crate) fn admit(&self, extra: usize, limit: usize) -> Result<(), Error> {
        if self.buffered().saturating_add(extra) > limit {
            return Err(Error::limit(LimitKind::InputBuffer, limit));
        }
        Ok(())
    }

    /// Fails when more than `limit` bytes are unread (a machine calls it
    /// when it needs more input and found no complete frame).
    pub(crate) fn check(&self, limit: usize) -> Result<(), Error> {
        if self.buffered() > limit {
            return Err(Error::limit(LimitKind::InputBuffer, limit));
        }
        Ok(())
    }

    /// The compaction rule: when everything is read the buffer empties (and
    /// gives back capacity beyond [`RETAINED`]); when the read offset is
    /// past half the buffer the unread tail moves to the front. Offsets
    /// handed out before are stale afterwards.
    pub(crate) fn compact(&mut self) {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.buf.capacity() > RETAINED {
                self.buf.shrink_to(RETAINED);
            }
        } else if self.pos > self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// Moves the unread bytes to the front now, whatever the offset (before
    /// growing the buffer by hand, see [`grow_to`](Self::grow_to)).
    pub(crate) fn compact_front(&mut self) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// Whether `extra` more bytes fit without the buffer growing.
    pub(crate) fn fits(&self, extra: usize) -> bool {
        self.buf.len().saturating_add(extra) <= self.buf.capacity()
    }

    /// The bytes the buffer holds (consumed ones included until compaction).
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Grows the capacity to exactly `cap` (no more) when it is smaller: for
    /// a machine that charges its growth to a budget.
    pub(crate) fn grow_to(&mut self, cap: usize) {
        if cap > self.buf.capacity() {
            self.buf.reserve_exact(cap - self.buf.len());
        }
    }

    /// Drops every buffered byte, read or not, keeping the capacity (bytes
    /// that came in plaintext before a TLS handshake, for example).
    pub(crate) fn discard(&mut self) {
        self.buf.clear();
        self.pos = 0;
    }

    /// Drops the unread bytes; the consumed ones (which events may still
    /// borrow) stay until the next compaction.
    pub(crate) fn drop_unread(&mut self) {
        self.buf.truncate(self.pos);
    }

    /// Drops every buffered byte and the allocation.
    pub(crate) fn release(&mut self) {
        self.buf = Vec::new();
        self.pos = 0;
    }

    /// Takes the unread bytes out (the buffer is left empty).
    pub(crate) fn take_unread(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.discard();
        rest
    }

    /// A buffered byte, to rewrite in place (`at` is an offset into
    /// [`bytes`](Self::bytes)).
    pub(crate) fn byte_mut(&mut self, at: usize) -> Option<&mut u8> {
        self.buf.get_mut(at)
    }

    /// The peer closed its side: no more bytes will come.
    pub(crate) fn set_eof(&mut self) {
        self.eof = true;
    }

    /// Whether the peer closed its side (buffered bytes may remain).
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// Heap bytes held.
    pub(crate) fn memory_usage(&self) -> usize {
        self.buf.capacity()
    }
}

/// The buffered bytes, borrowed for as long as the events made of them, and
/// the read offset, borrowed mutably beside them (see [`Input::reader`]).
#[derive(Debug)]
pub(crate) struct Reader<'b> {
    bytes: &'b [u8],
    pos: &'b mut usize,
    eof: bool,
}

impl<'b> Reader<'b> {
    /// The bytes not consumed yet.
    pub(crate) fn rest(&self) -> &'b [u8] {
        &self.bytes[*self.pos..]
    }

    /// Marks `n` more bytes as read.
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.rest().len());
        *self.pos = (*self.pos + n).min(self.bytes.len());
    }

    /// Marks everything buffered as read.
    pub(crate) fn consume_all(&mut self) {
        *self.pos = self.bytes.len();
    }

    /// Whether the peer closed its side.
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn limit_of(e: Error) -> (LimitKind, u64) {
        match e {
            Error::Limit(l) => (l.kind, l.max),
            other => panic!("not a limit: {other:?}"),
        }
    }

    #[test]
    fn push_within_accepts_exactly_the_limit_and_refuses_one_more() {
        let mut i = Input::default();
        i.push_within(&[b'a'; 10], 16).unwrap();
        i.push_within(&[b'b'; 6], 16).unwrap(); // 16 unread: at the limit
        assert_eq!(i.buffered(), 16);
        let e = i.push_within(b"c", 16).unwrap_err();
        assert_eq!(limit_of(e), (LimitKind::InputBuffer, 16));
        assert_eq!(i.buffered(), 16, "a refused push appends nothing");
        // consumed bytes do not count against the limit
        i.consume(1);
        i.push_within(b"c", 16).unwrap();
        assert_eq!(i.unread().last(), Some(&b'c'));
    }

    #[test]
    fn check_fails_only_past_the_limit() {
        let mut i = Input::default();
        i.push(&[0; 33]);
        assert!(i.check(33).is_ok());
        assert_eq!(
            limit_of(i.check(32).unwrap_err()),
            (LimitKind::InputBuffer, 32)
        );
        i.consume(1);
        assert!(i.check(32).is_ok());
        // a huge push saturates rather than overflowing the sum
        assert!(i.push_within(b"x", usize::MAX).is_ok());
    }

    #[test]
    fn compaction_keeps_a_partly_consumed_frame_whole() {
        let mut i = Input::default();
        i.push(b"A1 NOOP\r\nA2 LOG");
        i.consume(9); // the first frame
        assert_eq!(i.pos(), 9);
        i.compact(); // 9 > 16 / 2: the tail moves to the front
        assert_eq!(i.pos(), 0);
        assert_eq!(i.unread(), b"A2 LOG");
        i.push(b"OUT\r\n");
        assert_eq!(i.unread(), b"A2 LOGOUT\r\n");
        // before half, nothing moves
        i.consume(3);
        i.compact();
        assert_eq!(i.pos(), 3);
        assert_eq!(i.get(0..2), b"A2");
        assert_eq!(i.unread(), b"LOGOUT\r\n");
        // exactly half: not past it
        let mut h = Input::default();
        h.push(b"abcd");
        h.consume(2);
        h.compact();
        assert_eq!((h.pos(), h.unread()), (2, &b"cd"[..]));
        h.consume(1);
        h.compact();
        assert_eq!((h.pos(), h.unread()), (0, &b"d"[..]));
    }

    #[test]
    fn a_drained_buffer_shrinks_to_the_retained_size() {
        let mut i = Input::default();
        i.push(&vec![b'x'; 1 << 20]);
        assert!(i.memory_usage() >= 1 << 20);
        i.consume(1 << 19);
        i.compact(); // not drained: no shrink
        assert!(i.memory_usage() >= 1 << 19);
        i.consume(i.buffered());
        assert!(i.is_drained());
        i.compact();
        assert!(i.memory_usage() <= RETAINED, "{}", i.memory_usage());
        assert_eq!(i.buffered(), 0);
        // a small buffer keeps its capacity
        i.push(b"abc");
        let cap = i.memory_usage();
        i.consume(i.buffered());
        i.compact();
        assert_eq!(i.memory_usage(), cap);
        i.release();
        assert_eq!(i.memory_usage(), 0);
    }

    #[test]
    fn eof_keeps_the_buffered_bytes() {
        let mut i = Input::default();
        i.push(b"+OK partial");
        assert!(!i.is_eof());
        i.set_eof();
        assert!(i.is_eof());
        assert_eq!(i.unread(), b"+OK partial");
        i.consume(4);
        i.compact();
        assert_eq!(i.unread(), b"partial");
        assert!(i.is_eof());
    }

    #[test]
    fn discard_take_and_grow() {
        let mut i = Input::default();
        i.push(b"220 go\r\nEHLO smuggled\r\n");
        i.consume(8);
        assert_eq!(i.take_unread(), b"EHLO smuggled\r\n");
        assert_eq!((i.len(), i.buffered()), (0, 0));
        i.push(b"abc");
        i.consume(1);
        i.drop_unread();
        assert_eq!((i.get(0..1), i.buffered()), (&b"a"[..], 0));
        i.discard();
        assert!(i.is_drained());
        i.grow_to(100);
        assert!(i.fits(100));
        assert!(!i.fits(usize::MAX));
        i.push(b"abcdef");
        i.consume(4);
        i.compact_front();
        assert_eq!((i.pos(), i.unread()), (0, &b"ef"[..]));
        assert_eq!(i.get(10..20), b"", "a stale range reads as nothing");
        *i.byte_mut(1).unwrap() = b'F';
        assert!(i.byte_mut(2).is_none());
        assert!(i.admit(0, 2).is_ok() && i.admit(1, 2).is_err());
        i.set_eof();
        let mut r = i.reader();
        r.consume(1);
        assert_eq!((r.rest(), r.is_eof()), (&b"F"[..], true));
        r.consume_all();
        assert!(r.rest().is_empty());
        assert!(i.is_drained());
    }

    #[test]
    fn a_megabyte_in_one_byte_pieces_stays_bounded() {
        // the shape of every machine's loop: push, consume whole lines, compact
        let mut i = Input::default();
        let mut lines = 0;
        let mut peak = 0;
        for n in 0..(1usize << 20) {
            let b = if n % 100 == 99 { b'\n' } else { b'x' };
            i.push_within(&[b], 128).unwrap();
            if let Some(at) = memchr::memchr(b'\n', i.unread()) {
                i.consume(at + 1);
                lines += 1;
            }
            i.compact();
            peak = peak.max(i.memory_usage());
        }
        assert_eq!(lines, (1 << 20) / 100);
        assert!(peak <= 256, "{peak}");
    }
}
