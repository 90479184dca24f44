//! The session layer: what every state machine of the crate shares below its
//! protocol (see the crate docs, "The time contract").
//!
//! The six machines use these pieces rather than each keeping its own copy,
//! so a rule such as "when does a timer start counting" is written once.

pub(crate) mod sasl;
pub(crate) mod timer;

pub(crate) use timer::{Clock, Timer};

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
