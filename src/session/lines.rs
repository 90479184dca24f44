//! Server line recovery: dropping the rest of a command line the server
//! refused without reading it (an over-long line, or one with a bare CR or
//! LF under a strict line policy).
//!
//! A server that refuses such a line answers it once (SMTP `500`, POP3
//! `-ERR`, IMAP `BAD`; the machine chooses the words) and must not read what
//! follows on that line as a command: the bytes up to and including the
//! line's LF are dropped, across as many inputs as it takes to arrive, and
//! nothing of the line is buffered meanwhile (a 1 MiB line in one-byte
//! pieces costs no memory). The next command starts after the LF.

use super::input::Reader;

/// Whether the machine is dropping the rest of a refused line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineSkip {
    skipping: bool,
}

impl LineSkip {
    /// Whether a refused line is still being dropped.
    pub(crate) fn is_skipping(&self) -> bool {
        self.skipping
    }

    /// Drops the line at the read offset (the one just refused): up to and
    /// including its LF when it is buffered, else everything buffered, and
    /// the rest of the line as it arrives ([`resume`](Self::resume)).
    pub(crate) fn drop_line(&mut self, r: &mut Reader<'_>) {
        self.skipping = true;
        self.resume(r);
    }

    /// While a refused line is being dropped: consumes up to and including
    /// its LF and returns `true` (the next line may be read), or consumes
    /// everything and returns `false` (more input is needed). Returns `true`
    /// at once when no line is being dropped.
    pub(crate) fn resume(&mut self, r: &mut Reader<'_>) -> bool {
        if !self.skipping {
            return true;
        }
        match memchr::memchr(b'\n', r.rest()) {
            Some(i) => {
                r.consume(i + 1);
                self.skipping = false;
                true
            }
            None => {
                r.consume_all();
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Input;
    use alloc::vec;

    #[test]
    fn a_megabyte_line_in_one_byte_pieces_is_dropped_without_buffering() {
        let mut input = Input::default();
        let mut skip = LineSkip::default();
        // the server read up to its line limit and refused the line
        input.push(&vec![b'x'; 512]);
        skip.drop_line(&mut input.reader());
        assert!(skip.is_skipping());
        for _ in 0..(1 << 20) {
            input.push(b"x");
            assert!(!skip.resume(&mut input.reader()));
            input.compact();
            assert!(input.memory_usage() <= 1024, "{}", input.memory_usage());
        }
        input.push(b"xx\r\nNOOP\r\n");
        assert!(skip.resume(&mut input.reader()));
        assert!(!skip.is_skipping());
        assert_eq!(input.unread(), b"NOOP\r\n");
        // idle: resume changes nothing
        assert!(skip.resume(&mut input.reader()));
        assert_eq!(input.unread(), b"NOOP\r\n");
    }

    #[test]
    fn a_bare_lf_line_is_dropped_up_to_its_lf() {
        // "a\rb\n": with a bare CR, the line ends at the LF (RFC 5321 §2.3.8:
        // CR and LF "MUST only occur together as CRLF")
        let mut input = Input::default();
        let mut skip = LineSkip::default();
        input.push(b"USER a\rb\nSTAT\r\n");
        skip.drop_line(&mut input.reader());
        assert!(!skip.is_skipping());
        assert_eq!(input.unread(), b"STAT\r\n");
        input.consume(6);
        // the LF has not arrived: everything goes, the rest follows
        input.push(b"RETR 1\rjunk");
        skip.drop_line(&mut input.reader());
        assert!(skip.is_skipping());
        assert_eq!(input.buffered(), 0);
        input.push(b"more\n");
        assert!(skip.resume(&mut input.reader()));
        assert_eq!(input.buffered(), 0);
        input.push(b"QUIT\r\n");
        assert!(skip.resume(&mut input.reader()));
        assert_eq!(input.unread(), b"QUIT\r\n");
    }
}
