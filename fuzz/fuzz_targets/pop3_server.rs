//! Fuzz the POP3 server machine with arbitrary client bytes in arbitrary chunks,
//! with an application that answers every event. Never panics; memory stays
//! bounded by the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::pop3::{Maildrop, ResponseCode, Server, ServerConfig, ServerEvent};
use mailwire::wire::sasl::Mechanism;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, data)) = data.split_first() else { return };
    let mut config = ServerConfig::default();
    config.apop_timestamp = Some("<1.2@fuzz>".into());
    config.tls_available = true;
    config.plaintext_requires_tls = false;
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    config.limits.input_buffer = 4096;
    config.limits.command_line = 256;
    // RFC 6856 and RFC 2449 §6.5/§6.7, by the seed's high bits
    if seed & 0x80 != 0 {
        config.utf8 = true;
        config.utf8_user = seed & 0x40 != 0;
        config.languages = vec![
            ("en".into(), "English".into()),
            ("de".into(), "Deutsch".into()),
        ];
        config.login_delay = Some(900);
        config.login_delay_per_user = seed & 0x20 != 0;
        config.expire = Some(mailwire::pop3::Expire::Never);
        config.expire_per_user = seed & 0x20 != 0;
    }
    let mut server = Server::new(config);
    let chunk = usize::from(seed % 17) + 1;
    for piece in data.chunks(chunk) {
        server.handle_input(piece);
        loop {
            let event = match server.poll_event() {
                Ok(Some(e)) => e.into_owned(),
                Ok(None) => break,
                Err(_) => return,
            };
            let r = match event {
                ServerEvent::Login { password, .. } => {
                    if password.expose().len() % 2 == 0 {
                        let mut m = Maildrop::new();
                        m.push(12, "a").unwrap();
                        m.push(30, "b").unwrap();
                        server.accept_login(m)
                    } else {
                        server.reject(Some(ResponseCode::Auth), "no")
                    }
                }
                ServerEvent::Apop(a) => {
                    if a.apop_matches(b"x") {
                        server.accept_login(Maildrop::new())
                    } else {
                        server.reject(None, "no")
                    }
                }
                ServerEvent::Auth(_) => server.accept_login(Maildrop::new()),
                ServerEvent::Retr { .. } | ServerEvent::Top { .. } => server
                    .send_body(b"Subject: x\r\n\r\n.a\r\nb\nc\r\n")
                    .and_then(|_| server.finish_body()),
                ServerEvent::Update { .. } => server.accept(),
                ServerEvent::StartTls => server.tls_established(),
                _ => Ok(()),
            };
            r.expect("answers to events are valid");
        }
        while server.poll_transmit().is_some() {}
    }
    server.handle_eof();
    let _ = server.poll_event();
});
