//! The SMTP server machine fed arbitrary bytes in arbitrary chunks, answering
//! events by a fuzzer-chosen policy: it never panics, never buffers more than
//! its limits, and the events do not depend on how the input was cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{EnhancedStatus, Server, ServerConfig, ServerEvent};
use mailwire::Limits;

fn run(data: &[u8], cuts: &[usize], policy: u8) -> (Vec<String>, Vec<u8>) {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.tls_available = policy & 1 != 0;
    cfg.lmtp = policy & 2 != 0;
    cfg.auth_mechanisms = vec!["PLAIN".into(), "LOGIN".into()];
    cfg.auth_requires_tls = policy & 4 != 0;
    let mut limits = Limits::default();
    limits.command_line = 256;
    limits.recipients = 5;
    limits.message_size = 4096;
    limits.input_buffer = 1 << 16;
    cfg.limits = limits;
    let mut server = Server::new(cfg);
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    let mut start = 0;
    let mut n = 0u32;
    for end in ends {
        if end < start {
            continue;
        }
        server.handle_input(&data[start..end]);
        start = end;
        loop {
            let ev = match server.poll_event() {
                Ok(Some(ev)) => ev.into_owned(),
                Ok(None) => break,
                Err(e) => {
                    // sticky: every later call gives the same error
                    assert_eq!(server.poll_event().unwrap_err(), e);
                    events.push(format!("error {e:?}"));
                    while let Some(b) = server.poll_transmit() {
                        out.extend_from_slice(&b);
                    }
                    return (events, out);
                }
            };
            n += 1;
            events.push(format!("{ev:?}"));
            let accept = (n + u32::from(policy)) % 3 != 0;
            let r = match ev {
                ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::Auth { .. } | ServerEvent::DataEnd => {
                    if ServerEvent::DataEnd == ev && server.recipients() > 1 && accept {
                        let _ = server.reject_recipient(1, 452, EnhancedStatus::new(4, 2, 2).unwrap(), "full");
                    }
                    if accept {
                        server.accept()
                    } else {
                        server.reject(550, EnhancedStatus::new(5, 7, 1).unwrap(), "no")
                    }
                }
                ServerEvent::StartTls => server.tls_established(),
                _ => Ok(()),
            };
            let _ = r;
        }
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    server.handle_eof();
    while let Ok(Some(ev)) = server.poll_event() {
        events.push(format!("{:?}", ev.into_owned()));
    }
    (events, out)
}

fuzz_target!(|input: (u8, Vec<u16>, &[u8])| {
    let (policy, cuts, data) = input;
    let cuts: Vec<usize> = cuts.iter().map(|&c| c as usize).collect();
    let whole = run(data, &[], policy);
    // Chunking must not change what happens, except that STARTTLS discards
    // what arrived with it (by design chunk-dependent), and the input-buffer
    // limit depends on chunk sizes.
    if !whole.0.iter().any(|e| e.contains("StartTls") || e.contains("InputBuffer")) {
        let chunked = run(data, &cuts, policy);
        if !chunked.0.iter().any(|e| e.contains("InputBuffer")) {
            assert_eq!(chunked, whole);
        }
    }
});
