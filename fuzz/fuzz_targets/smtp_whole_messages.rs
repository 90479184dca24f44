//! The whole-message machines: `smtp::Receiver` fed arbitrary client bytes and `smtp::Submission` fed
//! arbitrary server bytes, each in fuzzer-chosen chunks. Neither panics or holds more than its limits;
//! the Receiver's replies and messages do not depend on how the input was cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig, Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};
use mailwire::Limits;

fn pieces<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    let mut start = 0;
    let mut out = Vec::new();
    for end in ends {
        out.push(&data[start..end]);
        start = end;
    }
    out
}

fn receive(data: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut config = ServerConfig::new("mx.example");
    config.limits = Limits::DEFAULT.message_size(4096).input_buffer(1 << 16);
    let mut rx = Receiver::new(config, ["example.org"]);
    let (mut messages, mut out) = (Vec::new(), Vec::new());
    for piece in pieces(data, cuts) {
        rx.handle_input(piece);
        loop {
            match rx.poll_event() {
                Ok(Some(ReceiverEvent::Message(m))) => {
                    assert!(m.data.len() <= 4096);
                    messages.push(m.data);
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    while let Some(b) = rx.poll_transmit() {
                        out.extend_from_slice(&b);
                    }
                    return (messages, out);
                }
            }
        }
        assert!(rx.memory_usage() < (1 << 16) + 64 * 1024);
        while let Some(b) = rx.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    rx.handle_eof();
    while let Ok(Some(_)) = rx.poll_event() {}
    (messages, out)
}

fn submit(data: &[u8], cuts: &[usize], policy: u8) {
    let tls = [TlsPolicy::None, TlsPolicy::Opportunistic, TlsPolicy::Required][policy as usize % 3];
    let mut config = SubmissionConfig::new("client.example").tls(tls);
    if policy & 4 != 0 {
        config = config.credentials("alice", "secret");
    }
    let mut s = Submission::new(config);
    let body: &[u8] = if policy & 8 != 0 { b"Subject: x\r\n\r\ncaf\xc3\xa9\0\r\n" } else { b"x\r\n" };
    let _ = s.submit("a@example.org", &["b@example.net", "c@example.net"], body);
    s.quit_when_done();
    for piece in pieces(data, cuts) {
        s.handle_input(piece);
        loop {
            match s.poll_event() {
                Ok(Some(SubmissionEvent::StartTls)) => {
                    let _ = s.tls_established();
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        while s.poll_transmit().is_some() {}
        assert!(s.memory_usage() < 256 * 1024);
    }
    s.handle_eof();
    while let Ok(Some(_)) = s.poll_event() {}
}

fuzz_target!(|input: (Vec<u8>, Vec<usize>, u8)| {
    let (data, cuts, policy) = input;
    let whole = receive(&data, &[]);
    assert_eq!(receive(&data, &cuts), whole);
    submit(&data, &cuts, policy);
});
