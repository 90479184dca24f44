//! Fuzz the IMAP client machine: arbitrary server bytes in arbitrary chunks
//! after a few scripted commands (never panics, memory bounded by the
//! limits), and a valid session with one response corrupted (every later
//! response is still delivered). With the seed's top bit set, events are
//! polled with a FETCH visitor, which must see exactly the contents of each
//! FETCH event, and nothing for any other event but a malformed response
//! (whose frame may have reported what preceded its error).
#![no_main]

#[path = "../../tests/common/fetch_events.rs"]
mod fetch_events;

use libfuzzer_sys::fuzz_target;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, FetchAttributes, Mailbox, SequenceSet,
};
use mailwire::wire::sasl::Credentials;

fn config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.limits.input_buffer = 16 * 1024;
    config.limits.response_line = 2048;
    config.limits.inline_literal = 64;
    config.limits.literal_size = 1 << 16;
    config.trust_unadvertised = true;
    config
}

fn arbitrary_bytes(seed: u8, data: &[u8]) {
    let mut client = Client::new(config());
    let _ = client.login("user", "pass");
    if seed & 0x20 != 0 {
        // UIDONLY (RFC 9586): once the bytes say `* ENABLED UIDONLY`,
        // UIDFETCH responses are data and their literals are streamed
        let _ = client.enable(&["UIDONLY"]);
    }
    let _ = client.select(Mailbox::Inbox);
    let _ = client.send(CommandBody::Fetch {
        uid: false,
        set: SequenceSet::new("1:*").unwrap(),
        attributes: FetchAttributes::Full,
        changed_since: None,
        vanished: false,
        partial: None,
    });
    let _ = client.send(CommandBody::Append {
        mailbox: Mailbox::from_utf8("Sent"),
        messages: vec![mailwire::imap::AppendMessage {
            flags: None,
            date: None,
            data: b"Subject: x\r\n\r\nbody\r\n".as_slice().into(),
            binary: false,
        }]
        .into(),
    });
    let _ = client.append_begin(Mailbox::Inbox, None, None, 5, false);
    if seed & 0x40 != 0 {
        use mailwire::wire::sasl::{Mechanism, ScramCredentials};
        // the client SASL pump's mechanisms, by seed; a hostile server's
        // SCRAM iteration count is capped low to keep runs fast
        let _ = client.authenticate(match seed % 3 {
            0 => Credentials::Login {
                username: "u",
                password: "p".into(),
            },
            1 => Credentials::CramMd5 {
                username: "u",
                password: "p".into(),
            },
            _ => Credentials::Scram(
                ScramCredentials::new(Mechanism::ScramSha1, "u", "p", "nonce")
                    .with_max_iterations(16),
            ),
        });
    }
    let _ = client.idle();
    let chunk = usize::from(seed % 29) + 1;
    let mut now = 0u64;
    for piece in data.chunks(chunk) {
        client.handle_input(piece);
        loop {
            let mut rec = fetch_events::Recorder::default();
            let polled = if seed & 0x80 != 0 {
                client.poll_event_with(&mut rec)
            } else {
                client.poll_event()
            };
            match &polled {
                Ok(Some(ClientEvent::Data {
                    data: Data::Fetch { seq, items },
                    ..
                })) => {
                    let r = mailwire::imap::Response::Data(Data::Fetch {
                        seq: *seq,
                        items: items.clone(),
                    });
                    let want = if seed & 0x80 != 0 { fetch_events::expected(&r) } else { vec![] };
                    assert_eq!(rec.0, want);
                }
                Ok(Some(ClientEvent::Data {
                    data: Data::UidFetch { uid, items },
                    ..
                })) => {
                    let r = mailwire::imap::Response::Data(Data::UidFetch {
                        uid: *uid,
                        items: items.clone(),
                    });
                    let want = if seed & 0x80 != 0 { fetch_events::expected(&r) } else { vec![] };
                    assert_eq!(rec.0, want);
                }
                Ok(Some(ClientEvent::MalformedResponse { .. })) => {}
                _ => assert!(rec.0.is_empty()),
            }
            match polled {
                Ok(Some(ClientEvent::StartTls)) => {
                    let _ = client.tls_established();
                }
                Ok(Some(ClientEvent::Compress)) => {
                    let _ = client.compression_established();
                }
                Ok(Some(ClientEvent::AuthChallenge(_))) => {
                    let _ = client.auth_response(b"x");
                }
                Ok(Some(ClientEvent::AppendReady { .. })) => {
                    let _ = client.send_body(b"hello");
                    let _ = client.finish_body();
                }
                Ok(Some(ClientEvent::IdleAccepted { .. })) => {
                    let _ = client.done();
                }
                Ok(Some(ClientEvent::Completed { .. })) => {
                    let _ = client.noop();
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert!(client.buffered() <= 16 * 1024 + chunk);
        while client.poll_transmit().is_some() {}
        now += 600;
        client.handle_timeout(core::time::Duration::from_secs(now));
    }
    client.handle_eof();
    let _ = client.poll_event();
}

/// A valid session; one response's bytes (not its line end, no `{`) are
/// overwritten; every `* n EXISTS` after it must still arrive.
fn corrupted_session(seed: u8, data: &[u8]) {
    let responses: Vec<Vec<u8>> = (1..=12u32)
        .map(|i| match i % 4 {
            0 => format!("* {i} EXISTS\r\n").into_bytes(),
            1 => format!("* {i} FETCH (UID {i} FLAGS (\\Seen) BODY[] {{3}}\r\nabc)\r\n").into_bytes(),
            2 => format!("* OK [UIDNEXT {i}] next\r\n").into_bytes(),
            _ => format!("* LIST (\\HasNoChildren) \"/\" \"box{i}\"\r\n").into_bytes(),
        })
        .collect();
    let victim = usize::from(seed) % responses.len();
    let mut session = b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n".to_vec();
    for (i, r) in responses.iter().enumerate() {
        let mut r = r.clone();
        if i == victim {
            let body_len = r.len() - 2;
            for (j, &b) in data.iter().enumerate().take(body_len) {
                let pos = (j * 7 + usize::from(seed)) % body_len;
                if !matches!(b, b'\r' | b'\n' | b'{' | b'}') {
                    r[pos] = b;
                }
            }
            // a literal announcement broken by the corruption must not eat
            // the next responses: keep the victim free of "{" entirely
            if r.contains(&b'{') {
                return;
            }
        }
        session.extend_from_slice(&r);
    }
    let mut client = Client::new(config());
    let mut exists = Vec::new();
    let chunk = usize::from(seed % 17) + 1;
    for piece in session.chunks(chunk) {
        client.handle_input(piece);
        while let Some(e) = client.poll_event().expect("no fatal error") {
            if let ClientEvent::Data { data: Data::Exists(n), .. } = e {
                exists.push(n);
            }
        }
    }
    for i in 1..=12u32 {
        if i % 4 == 0 && (i as usize - 1) > victim {
            assert!(exists.contains(&i), "EXISTS {i} lost after corrupting {victim}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, data)) = data.split_first() else { return };
    if seed & 0x80 != 0 {
        corrupted_session(seed, data);
    } else {
        arbitrary_bytes(seed, data);
    }
});
