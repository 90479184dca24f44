//! Helpers of the IMAP integration tests: what a server queued to send, and
//! what a client reported.

use mailwire::imap::{Client, ClientEvent, Server};

/// Everything `s` queued to send, as text.
pub(crate) fn server_output(s: &mut Server) -> String {
    let mut v = Vec::new();
    while let Some(b) = s.poll_transmit() {
        v.extend_from_slice(&b);
    }
    String::from_utf8(v).expect("the server sends UTF-8 here")
}

/// Every event `c` has ready, owned.
pub(crate) fn client_events(c: &mut Client) -> Vec<ClientEvent<'static>> {
    let mut v = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        v.push(e.into_owned());
    }
    v
}
