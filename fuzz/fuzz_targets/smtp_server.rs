//! The SMTP server machine fed arbitrary bytes in arbitrary chunks, answering
//! events by a fuzzer-chosen policy: it never panics, never buffers more than
//! its limits, and what must not depend on how the input was cut does not: the
//! replies (bytes), the body of each message that ends (its `DataChunk`s
//! joined), and the order of the other events. Where body chunks are cut does
//! follow the input, and so does how much of an aborted body was handed out
//! before the abort; neither is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{EnhancedStatus, Server, ServerConfig, ServerEvent};
use mailwire::Limits;
use mailwire::wire::sasl::{
    ChannelBinding, ChannelBindingType, Mechanism, SaslAnswer, SaslLookup, ScramStoredKey,
    cram_md5_challenge,
};

/// The application's answer to a SASL lookup: fixed secrets (one PBKDF2
/// iteration, so a SCRAM exchange stays cheap), or no such user.
fn answer(lookup: &SaslLookup, known: bool) -> SaslAnswer {
    match lookup {
        SaslLookup::CramMd5Challenge => {
            SaslAnswer::Challenge(cram_md5_challenge(1, 2, "mx.example").unwrap())
        }
        _ if !known => SaslAnswer::NoSuchUser,
        SaslLookup::Secret {
            mechanism: Mechanism::CramMd5,
            ..
        } => SaslAnswer::Password("pencil".into()),
        SaslLookup::Secret { mechanism, .. } => SaslAnswer::Scram {
            key: ScramStoredKey::derive(*mechanism, "pencil", b"salt", 1).unwrap(),
            server_nonce: "3rfcNHYJY1ZVvWVs7j".into(),
            channel_binding: Some(ChannelBinding::new(
                ChannelBindingType::TlsExporter,
                vec![7u8; 32],
            )),
        },
        _ => SaslAnswer::NoSuchUser,
    }
}

fn run(data: &[u8], cuts: &[usize], policy: u8) -> (Vec<String>, Vec<u8>) {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.tls_available = policy & 1 != 0;
    cfg.lmtp = policy & 2 != 0;
    // every mechanism, the server SASL pump's lookups among them
    cfg.auth_mechanisms = mailwire::wire::sasl::Mechanism::ALL.to_vec();
    cfg.auth_mechanisms.extend(mailwire::wire::sasl::Mechanism::HASHED);
    cfg.plaintext_requires_tls = policy & 4 != 0;
    cfg.binarymime = policy & 8 != 0;
    cfg.eightbitmime = policy & 16 == 0;
    if policy & 32 != 0 {
        // the extension hook and every opt-in extension
        cfg.vrfy_events = true;
        cfg.expn_events = true;
        cfg.help_events = true;
        cfg.etrn_events = true;
        cfg.unknown_command_events = true;
        cfg.xclient = true;
        cfg.xforward = true;
        cfg.burl = Some("imap".into());
        cfg.requiretls = true;
        cfg.tls_active = policy & 64 != 0;
        cfg.mt_priority = Some(String::new());
        cfg.deliverby = Some(0);
        cfg.future_release = Some("604800 2026-12-31T00:00:00Z".into());
        cfg.rrvs = true;
        cfg.no_soliciting = Some(String::new());
        cfg.extra_mail_parameters = vec!["X-TAG".into()];
        cfg.extra_rcpt_parameters = vec!["X-TAG".into()];
        cfg.extra_ehlo_keywords = vec!["X-TAG".into(), "BAD\r\n".into()];
    }
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
    let mut body = Vec::new();
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
            match &ev {
                ServerEvent::DataChunk(chunk) => {
                    body.extend_from_slice(chunk);
                    continue;
                }
                ServerEvent::DataEnd => {
                    events.push(format!("Body({:?})", String::from_utf8_lossy(&body)));
                    body.clear();
                }
                // an aborted body is dropped: how much of it came first varies
                ServerEvent::DataAborted { .. } | ServerEvent::DataStart => body.clear(),
                _ => {}
            }
            // Counts the events that are not body chunks, so that the answers
            // chosen below do not depend on the chunking either.
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
                ServerEvent::Xclient(_) | ServerEvent::Xforward(_) | ServerEvent::Burl { .. } => {
                    if accept {
                        server.accept()
                    } else {
                        server.reject(550, EnhancedStatus::new(5, 7, 0).unwrap(), "no")
                    }
                }
                ServerEvent::Vrfy { .. }
                | ServerEvent::Expn { .. }
                | ServerEvent::Help { .. }
                | ServerEvent::Etrn { .. }
                | ServerEvent::UnknownCommand { .. } => {
                    if accept {
                        server.accept()
                    } else if n % 2 == 0 {
                        let lines: [&[u8]; 2] = [b"one", b"two"];
                        server.reply(&mailwire::smtp::Reply::new(
                            mailwire::smtp::ReplyCode::OK,
                            None,
                            &lines,
                        ).unwrap())
                    } else {
                        server.reject(502, EnhancedStatus::new(5, 5, 1).unwrap(), "no")
                    }
                }
                ServerEvent::AuthLookup(lookup) => server.auth_lookup(answer(&lookup, accept)),
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
        if !matches!(ev, ServerEvent::DataChunk(_)) {
            events.push(format!("{:?}", ev.into_owned()));
        }
    }
    while let Some(b) = server.poll_transmit() {
        out.extend_from_slice(&b);
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
