//! The SMTP client machine fed arbitrary server bytes while an application
//! drives transactions: it never panics, and a fatal error is sticky.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::*;

fuzz_target!(|input: (u8, Vec<u16>, &[u8])| {
    let (flags, cuts, data) = input;
    let mut cfg = ClientConfig::new("client.example");
    cfg.lmtp = flags & 1 != 0;
    cfg.use_pipelining = flags & 2 != 0;
    cfg.use_chunking = flags & 4 != 0;
    cfg.trust_unadvertised = flags & 32 != 0;
    let mut client = Client::new(cfg);
    let mut ends: Vec<usize> = cuts.iter().map(|&c| (c as usize).min(data.len())).collect();
    ends.sort_unstable();
    ends.push(data.len());
    let mut start = 0;
    let mut failed = None;
    for end in ends {
        if end < start {
            continue;
        }
        client.handle_input(&data[start..end]);
        start = end;
        loop {
            match client.poll_event() {
                Ok(Some(ev)) => {
                    let ev = ev.into_owned();
                    assert!(failed.is_none());
                    match ev {
                        ClientEvent::Ready(_) => {
                            if flags & 8 != 0 && client.capabilities().starttls {
                                let _ = client.starttls();
                            } else if flags & 16 != 0 && flags & 64 != 0 && !client.capabilities().auth.is_empty() {
                                // the raw path: challenges come to the application
                                let mechanism = client.capabilities().auth[0].clone();
                                let _ = client.send_command(&Command::Auth {
                                    mechanism: mechanism.into(),
                                    initial_response: None,
                                });
                            } else if flags & 16 != 0 && !client.capabilities().auth.is_empty() {
                                use mailwire::wire::sasl::Credentials;
                                let c = if client.capabilities().auth.iter().any(|m| m == "LOGIN") {
                                    Credentials::Login { username: "user", password: "pass".into() }
                                } else {
                                    Credentials::Plain { authzid: None, username: "user", password: "pass".into() }
                                };
                                let _ = client.authenticate(c);
                            } else {
                                let mut params = Parameters::default();
                                if flags & 128 != 0 {
                                    let _ = params.push(&Parameter::Body(Body::EightBitMime));
                                }
                                let _ = client.mail(&ReversePath::Null, &params);
                                let _ = client.rcpt(&ForwardPath::Postmaster, &Parameters::default());
                                let _ = client.data();
                            }
                        }
                        ClientEvent::AuthChallenge(c) => {
                            let _ = if c.len() % 2 == 0 {
                                client.auth_response(&c)
                            } else {
                                client.auth_cancel()
                            };
                        }
                        ClientEvent::StartTls => {
                            let _ = client.tls_established();
                        }
                        ClientEvent::ReadyForData => {
                            let _ = client.send_body(b"Subject: x\r\n\r\n.body\r\n");
                            if flags & 64 != 0 {
                                // a push that fails (bare LF, or 8 bits without
                                // BODY=8BITMIME) poisons the message
                                let _ = client.send_body("caf\u{e9}\nbare".as_bytes());
                            }
                            let _ = client.finish_body();
                        }
                        ClientEvent::Reply { command: CommandKind::DataEnd { .. }, .. } => {
                            let _ = client.quit();
                        }
                        _ => {}
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    if let Some(prev) = &failed {
                        assert_eq!(prev, &e, "sticky");
                    }
                    failed = Some(e);
                    break;
                }
            }
        }
        while client.poll_transmit().is_some() {}
    }
    if let Some(e) = failed {
        assert_eq!(client.poll_event().unwrap_err(), e);
    }
});
