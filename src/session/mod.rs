//! The session layer: what every state machine of the crate shares below its
//! protocol, written once (see the crate docs, "The time contract").
//!
//! A machine keeps only its protocol (grammar, states, replies); the
//! plumbing under it is here, with no protocol knowledge and its own tests:
//!
//! | piece | what it owns | used by |
//! | --- | --- | --- |
//! | [`input::Input`] | the bytes received and not parsed: append under a limit ([`Limits::input_buffer`](crate::Limits::input_buffer) or one the machine passes, such as the IMAP server's unauthenticated limit), the read offset, the compaction rule (past half), idle shrink, EOF, `memory_usage` | all six |
//! | [`input::Reader`] | the buffer and its read offset borrowed apart, for machines whose events borrow the bytes while they read on | SMTP client and server, line recovery |
//! | [`output::Output`] | the queued output: `poll_transmit` hands all of it out as one `Bytes`; the shared block is counted until released | all six |
//! | [`timer::Timer`], [`timer::Clock`] | timers with one arming rule, whatever the caller's clock origin | all six |
//! | [`timer::IdleTimer`], [`timer::ReplyTimer`] | a server's idle timer (`poll_timeout`/`handle_timeout` over it); a client's wait for the server (the timeout of what it awaits, reported once as `TimedOut`) | the three servers; the three clients |
//! | `client_io_methods!` | the POP3 and IMAP clients' `handle_input`, `handle_eof`, `poll_transmit` | POP3 and IMAP clients |
//! | [`lines::LineSkip`] | dropping the rest of a refused command line up to its LF, across inputs, buffering nothing | the three servers (each keeps its words: `500`, `-ERR`, `BAD`, and its limits) |
//! | [`proxy::ProxyGate`] | the PROXY protocol header before the greeting: the greeting held back, the header parsed and reported once, a bad one fatal | the three servers |
//! | [`unadvertised::Unadvertised`] | refusing an extension the server did not advertise ([`Error::Misuse`](crate::Error::Misuse)) unless `trust_unadvertised` | the three clients (each decides what counts as advertised) |
//!
//! Where a machine must differ it says so in its own code: which limit applies
//! and when it is checked (as bytes arrive, or when no frame is complete),
//! what ends the session when it is crossed, which timer input restarts.

// A piece serves whichever machines are built: with one protocol, the parts
// only another protocol uses are idle.
#![cfg_attr(
    not(all(feature = "smtp", feature = "pop3", feature = "imap")),
    allow(dead_code, unused_imports)
)]

pub(crate) mod input;
pub(crate) mod lines;
pub(crate) mod output;
pub(crate) mod proxy;
pub(crate) mod sasl;
pub(crate) mod timer;
pub(crate) mod unadvertised;

pub(crate) use input::{Input, Reader};
pub(crate) use lines::LineSkip;
pub(crate) use output::Output;
pub(crate) use proxy::{Gate, ProxyGate};
pub(crate) use timer::{IdleTimer, ReplyTimer, Timer};
pub(crate) use unadvertised::Unadvertised;

/// `impl Connection` for a machine whose inherent methods hold the logic:
/// every machine has all of them inherent (no trait import needed), and the
/// trait, which lets one adapter drive any machine, only forwards.
macro_rules! connection_by_inherent_methods {
    ($ty:ty) => {
        impl crate::Connection for $ty {
            fn handle_input(&mut self, data: &[u8]) {
                <$ty>::handle_input(self, data)
            }
            fn handle_eof(&mut self) {
                <$ty>::handle_eof(self)
            }
            fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
                <$ty>::poll_transmit(self)
            }
            fn poll_timeout(&self) -> Option<core::time::Duration> {
                <$ty>::poll_timeout(self)
            }
            fn handle_timeout(&mut self, now: core::time::Duration) {
                <$ty>::handle_timeout(self, now)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn memory_usage(&self) -> usize {
                <$ty>::memory_usage(self)
            }
        }
    };
}

/// The inherent `handle_input`, `handle_eof` and `poll_transmit` of a client
/// whose input is plain buffering (POP3, IMAP): input is buffered unless the
/// session failed or a TLS handshake is pending, and input and output
/// restart the wait for the server. The machine has the fields
/// `input: Input`, `out: Output`, `wait: ReplyTimer`, `error: Option<_>` and
/// `tls_pending: bool`. `client_io_methods!(then release)` also gives the
/// output block back after each transmit.
#[cfg_attr(not(any(feature = "pop3", feature = "imap")), allow(unused_macros))]
macro_rules! client_io_methods {
    ($(then $after:ident)?) => {
        /// Appends bytes from the server. Only buffers.
        pub fn handle_input(&mut self, data: &[u8]) {
            if self.error.is_none() && !self.tls_pending {
                self.wait.touch();
                self.input.push(data);
            }
        }

        /// The server closed the connection.
        pub fn handle_eof(&mut self) {
            self.input.set_eof();
        }

        /// The next bytes to send.
        pub fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
            let bytes = self.out.poll_transmit()?;
            self.wait.touch();
            $(self.out.$after();)?
            Some(bytes)
        }
    };
}
