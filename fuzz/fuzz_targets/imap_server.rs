//! Fuzz the IMAP server machine with arbitrary client bytes in arbitrary
//! chunks, with an application that accepts everything (literals, logins,
//! selects, appends) and answers FETCH with a streamed literal. Never panics;
//! memory stays bounded by the limits: before login by the unauthenticated
//! ones, and a shared `MemoryBudget` is never overdrawn and is given back
//! whole when the machine is dropped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::imap::{
    Code, CommandBody, Data, FetchItem, FetchLiteral, LiteralSupport, Section, Server,
    ServerConfig, ServerEvent, StatusKind,
};
use mailwire::imap::server::ServerState;
use mailwire::limits::MemoryBudget;
use mailwire::wire::sasl::Mechanism;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, data)) = data.split_first() else { return };
    let mut config = ServerConfig::default();
    config.tls_available = seed & 0x40 != 0;
    config.plaintext_requires_tls = seed & 0x80 != 0;
    config.literals = match seed % 3 {
        0 => LiteralSupport::Plus,
        1 => LiteralSupport::Minus,
        _ => LiteralSupport::SyncOnly,
    };
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    config.auto_accept_literal = 16;
    config.limits.input_buffer = 8192;
    config.limits.command_line = 512;
    config.limits.literal_size = 1 << 20;
    config.limits.pending_commands = 4;
    config.limits.bad_commands = 1000;
    config.limits.unauthenticated_literal = 600;
    config.limits.unauthenticated_input = 2048;
    config.accept_minus_literals = seed & 0x20 != 0;
    config.compress = seed & 0x01 != 0;
    // REPLACE (RFC 8508): its message streamed like APPEND's
    config.replace = seed & 0x02 != 0;
    // small enough that a few literals spend it
    let budget = MemoryBudget::new(usize::from(seed & 0x18) << 8);
    if seed & 0x04 != 0 {
        config.unauthenticated_budget = Some(budget.clone());
    }
    let mut server = Server::new(config);
    let chunk = usize::from(seed % 13) + 1;
    let mut append_tag: Option<String> = None;
    let mut buffered_out = 0usize;
    for piece in data.chunks(chunk) {
        server.handle_input(piece);
        loop {
            let event = match server.poll_event() {
                Ok(Some(e)) => e.into_owned(),
                Ok(None) => break,
                Err(_) => return,
            };
            let r = match event {
                ServerEvent::Command(cmd) => {
                    let tag = cmd.tag.as_str().to_owned();
                    match cmd.body {
                        CommandBody::Fetch { .. } => server
                            .start_fetch(1, &[FetchItem::Uid(1)])
                            .and_then(|_| {
                                server.start_fetch_literal(
                                    &FetchLiteral::BodySection {
                                        section: Section::default(),
                                        origin: None,
                                    },
                                    5,
                                )
                            })
                            .and_then(|_| server.send_body(b"ab"))
                            .and_then(|_| server.send_body(b"cde"))
                            .and_then(|_| server.finish_fetch())
                            .and_then(|_| server.complete(&tag, StatusKind::Ok, None, "done")),
                        CommandBody::Select { .. } => server
                            .send_untagged_data(&Data::Exists(3))
                            .and_then(|_| {
                                server.complete(&tag, StatusKind::Ok, Some(Code::ReadWrite), "ok")
                            }),
                        _ => server.complete(&tag, StatusKind::Ok, None, "done"),
                    }
                }
                ServerEvent::Login { tag, .. } | ServerEvent::Authenticate { tag, .. } => {
                    server.complete(tag.as_str(), StatusKind::Ok, None, "welcome")
                }
                ServerEvent::LiteralRequested { size, .. } => {
                    if size < 1000 {
                        server.accept_literal()
                    } else {
                        server.reject_literal(None, "too big")
                    }
                }
                ServerEvent::AppendStart { tag, size, .. }
                | ServerEvent::ReplaceStart { tag, size, .. } => {
                    if size < 100_000 {
                        append_tag = Some(tag.as_str().to_owned());
                        server.accept_literal()
                    } else {
                        server.reject_literal(None, "too big")
                    }
                }
                ServerEvent::AppendEnd { more: false } => match append_tag.take() {
                    Some(t) => server.complete(&t, StatusKind::Ok, None, "appended"),
                    None => panic!("AppendEnd without AppendStart"),
                },
                ServerEvent::AppendAborted => {
                    append_tag = None;
                    Ok(())
                }
                ServerEvent::Idle { .. } => server.send_untagged_data(&Data::Exists(4)),
                ServerEvent::StartTls => server.tls_established(),
                // DEFLATE as the identity: the bytes after COMPRESS go back in
                ServerEvent::Compress => server.compression_established().map(|rest| {
                    server.handle_input(&rest);
                }),
                _ => Ok(()),
            };
            r.expect("answers to events are valid");
        }
        while let Some(b) = server.poll_transmit() {
            buffered_out = buffered_out.saturating_add(b.len());
        }
        assert!(budget.used() <= budget.limit(), "budget overdrawn");
        if server.state() == ServerState::NotAuthenticated {
            // the machine, the unauthenticated input and a few answers
            assert!(server.memory_usage() <= 16 << 10, "{}", server.memory_usage());
        }
    }
    server.handle_eof();
    let _ = server.poll_event();
    drop(server);
    assert_eq!(budget.used(), 0, "budget not given back");
});
