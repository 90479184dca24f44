//! Fuzz target: the three server machines behind a load balancer
//! (`proxy_protocol` set), fed arbitrary bytes in arbitrary chunks. Never
//! panics; no greeting (no byte at all) goes out before the `Proxied` event;
//! a refused header is a sticky error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::wire::proxy::ProxyProtocol;
use mailwire::{imap, pop3, smtp};

fn mode(seed: u8) -> ProxyProtocol {
    match seed % 3 {
        0 => ProxyProtocol::V1,
        1 => ProxyProtocol::V2,
        _ => ProxyProtocol::Any,
    }
}

/// Drives one machine: `poll` returns `Some(true)` for a Proxied event,
/// `Some(false)` for another, `None` when it waits; `Err` on an error.
macro_rules! drive {
    ($server:expr, $data:expr, $chunk:expr, $proxied:pat) => {{
        let mut server = $server;
        let mut seen = false;
        'outer: for piece in $data.chunks($chunk) {
            server.handle_input(piece);
            loop {
                match server.poll_event() {
                    Ok(Some($proxied)) => {
                        assert!(!seen, "two PROXY headers reported");
                        seen = true;
                    }
                    Ok(Some(_)) => assert!(seen, "an event before the PROXY header"),
                    Ok(None) => break,
                    Err(e) => {
                        assert_eq!(server.poll_event().err(), Some(e));
                        break 'outer;
                    }
                }
            }
            if !seen {
                assert!(
                    server.poll_transmit().is_none(),
                    "greeted before the header"
                );
            }
            while server.poll_transmit().is_some() {}
        }
        server.handle_eof();
        let _ = server.poll_event();
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, data)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(seed >> 2) % 23 + 1;
    // the header signatures, so the parsers get past them often
    let mut input = match seed % 4 {
        0 => b"PROXY ".to_vec(),
        1 => b"\r\n\r\n\0\r\nQUIT\n".to_vec(),
        _ => Vec::new(),
    };
    input.extend_from_slice(data);
    let m = mode(seed);
    drive!(
        pop3::Server::new(pop3::ServerConfig::default().proxy_protocol(m)),
        &input,
        chunk,
        pop3::ServerEvent::Proxied(_)
    );
    drive!(
        smtp::Server::new(smtp::ServerConfig::new("mx.example").proxy_protocol(m)),
        &input,
        chunk,
        smtp::ServerEvent::Proxied(_)
    );
    drive!(
        imap::Server::new(imap::ServerConfig::default().proxy_protocol(m)),
        &input,
        chunk,
        imap::ServerEvent::Proxied(_)
    );
});
