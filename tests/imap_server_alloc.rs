//! The IMAP server machine answers pipelined commands without allocating:
//! 10 000 NOOPs, UID STOREs and UID FETCHes (the last answered with an
//! untagged FETCH too), fed in 16 KiB reads and each answered with
//! `complete`, cost at most 0.1 heap allocations per command on average
//! (the parse borrows the input, the tag of a pending command is kept
//! inline, the completion is emitted straight into the output buffer, and
//! that buffer is reused after each `poll_transmit`). One test in its own
//! binary, so the counting global allocator sees no other test's work.

use mailwire::imap::{Data, FetchItem, Flag, List, Server, ServerConfig, ServerEvent, StatusKind};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const COMMANDS: usize = 10_000;
const READ: usize = 16 * 1024;

fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    config.autologout = None;
    config.limits.pending_commands = COMMANDS + 16;
    config.limits.input_buffer = 16 << 20;
    config
}

/// `n` pipelined commands made by `line` from their index.
fn stream(n: usize, line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut s = Vec::new();
    for i in 0..n {
        s.extend_from_slice(format!("c{i} {}\r\n", line(i)).as_bytes());
    }
    s
}

/// Answers every event with `OK`; returns the commands completed. The tag
/// is copied to the stack, so the application itself allocates nothing.
fn serve(server: &mut Server, data: Option<&Data<'_>>) -> usize {
    let mut completed = 0;
    loop {
        let mut tag = [0u8; 32];
        let len = {
            let Some(event) = server.poll_event().unwrap() else {
                return completed;
            };
            let t = match &event {
                ServerEvent::Login { tag, .. } => tag.as_str(),
                ServerEvent::Command(cmd) => cmd.tag.as_str(),
                other => panic!("unexpected server event {other:?}"),
            };
            tag[..t.len()].copy_from_slice(t.as_bytes());
            t.len()
        };
        let tag = std::str::from_utf8(&tag[..len]).unwrap();
        if let Some(d) = data {
            server.send_untagged_data(d).unwrap();
        }
        server.complete(tag, StatusKind::Ok, None, "done").unwrap();
        completed += 1;
    }
}

/// Feeds `input` in 16 KiB reads, answering and draining the output after
/// each; returns (commands completed, bytes sent, " OK done" lines sent).
fn run(server: &mut Server, input: &[u8], data: Option<&Data<'_>>) -> (usize, usize, usize) {
    let (mut completed, mut sent, mut oks) = (0, 0, 0);
    for piece in input.chunks(READ) {
        server.handle_input(piece);
        completed += serve(server, data);
        while let Some(b) = server.poll_transmit() {
            sent += b.len();
            oks += b.windows(9).filter(|w| w == b" OK done\r").count();
        }
    }
    (completed, sent, oks)
}

#[test]
fn pipelined_commands_answered_with_complete_do_not_allocate() {
    let mut server = Server::new(config());
    while server.poll_transmit().is_some() {}
    // LOGIN and SELECT first (their completions build capability lists)
    let setup = b"a LOGIN alice secret\r\nb SELECT INBOX\r\n";
    assert_eq!(run(&mut server, setup, None).0, 2);
    assert!(server.is_selected());

    let noop = stream(COMMANDS, |_| String::from("NOOP"));
    let store = stream(COMMANDS, |i| {
        format!("UID STORE {} +FLAGS.SILENT (\\Seen)", 1000 + i)
    });
    // a UID FETCH answered with an untagged FETCH the application built once
    let fetch = stream(COMMANDS, |i| format!("UID FETCH {} (UID FLAGS)", 1000 + i));
    let data = Data::Fetch {
        seq: 7,
        items: List::from_items(vec![
            FetchItem::Uid(1007),
            FetchItem::Flags(List::from_items(vec![Flag::Seen, Flag::Flagged])),
        ]),
    };
    for (name, input, data) in [
        ("NOOP", &noop, None),
        ("UID STORE", &store, None),
        ("UID FETCH with data", &fetch, Some(&data)),
    ] {
        let region = Region::new(GLOBAL);
        let (completed, sent, oks) = run(&mut server, input, data);
        let change = region.change();
        assert_eq!((completed, oks), (COMMANDS, COMMANDS), "{name}");
        assert!(sent > COMMANDS * 10, "{name}");
        let allocs = change.allocations + change.reallocations;
        let per = allocs as f64 / COMMANDS as f64;
        eprintln!("{name}: {allocs} allocations for {COMMANDS} commands ({per:.3} per command)");
        assert!(
            per <= 0.1,
            "{name}: {allocs} allocations for {COMMANDS} commands ({per:.3} per command)"
        );
    }
    assert!(!server.is_closed());
    assert!(server.pending_tags().next().is_none());
}
