//! Issue 7's resilience property for the SMTP and POP3 client machines (the IMAP
//! client has the same check in its own target, `imap_client`): a valid session
//! in which ONE reply or response line is corrupted, fed in arbitrary chunks,
//! costs at most that one message. Every other reply is still delivered, in
//! order, attributed to its command, with its exact bytes, and the session goes on.
//!
//! What a corruption may do: replace, insert or delete bytes inside one line.
//! Excluded, because they change the framing rather than one message: CR and LF
//! (a new line boundary), and for SMTP the fourth byte of a line (`-` or SP
//! decides whether a reply continues, RFC 5321 §4.2.1). The corrupted message
//! may come out as a parse error event or as a different but valid reply. One
//! more exclusion: a corrupted SMTP code that is a well-formed 3xx reply to NOOP
//! is a reply that does not fit the state, which the client reports as a typed
//! protocol error by design.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailwire::{pop3, smtp};

#[derive(Arbitrary, Debug)]
struct Input {
    pop3: bool,
    /// Commands in the pipelined batch (2 to 9).
    count: u8,
    /// Which reply to corrupt, and where.
    victim: u8,
    position: u16,
    /// What to do there.
    edit: Edit,
    /// How to cut the server's bytes into reads.
    cuts: Vec<u16>,
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Replace(Vec<u8>),
    Insert(Vec<u8>),
    Delete(u8),
}

/// Applies the edit to one line (without its CRLF), keeping the exclusions.
fn corrupt(line: &mut Vec<u8>, position: usize, edit: &Edit, keep_fourth: bool) {
    let clean = |bytes: &[u8]| -> Vec<u8> { bytes.iter().copied().filter(|b| *b != b'\r' && *b != b'\n').collect() };
    let at = position % (line.len() + 1);
    let original_fourth = line.get(3).copied();
    match edit {
        Edit::Replace(bytes) => {
            for (i, b) in clean(bytes).into_iter().enumerate() {
                if let Some(slot) = line.get_mut(at + i) {
                    *slot = b;
                }
            }
        }
        Edit::Insert(bytes) => {
            let bytes = clean(bytes);
            line.splice(at..at, bytes);
        }
        Edit::Delete(n) => {
            let end = (at + usize::from(*n)).min(line.len());
            line.drain(at..end);
        }
    }
    if keep_fourth {
        // the continuation marker stays what it was (or the line stays short of it)
        match (original_fourth, line.len()) {
            (Some(b), n) if n > 3 => line[3] = b,
            (Some(b), 3) => line.push(b),
            (Some(b), _) => {
                while line.len() < 3 {
                    line.push(b'x');
                }
                line.push(b);
            }
            (None, _) => line.truncate(3),
        }
    }
}

fn feed(bytes: &[u8], cuts: &[u16], mut input: impl FnMut(&[u8])) {
    let mut ends: Vec<usize> = cuts.iter().map(|&c| usize::from(c).min(bytes.len())).collect();
    ends.sort_unstable();
    ends.push(bytes.len());
    let mut start = 0;
    for end in ends {
        input(&bytes[start..end]);
        start = end;
    }
}

fn smtp_run(input: &Input) {
    let count = 2 + usize::from(input.count % 8);
    let victim = usize::from(input.victim) % count;
    let mut client = smtp::Client::new(smtp::ClientConfig::new("client.example"));
    client.handle_input(b"220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n");
    while client.poll_event().unwrap().is_some() {}
    while client.poll_transmit().is_some() {}
    for _ in 0..count {
        client.noop().unwrap();
    }
    // The replies: some multi-line, with 8-bit text.
    let mut replies: Vec<Vec<Vec<u8>>> = (0..count)
        .map(|i| match i % 3 {
            0 => vec![format!("250 2.0.0 ok {i}").into_bytes()],
            1 => vec![b"250-first line".to_vec(), b"250 caf\xe9 \xe2\x80\x93 second".to_vec()],
            _ => vec![format!("250 {}", "x".repeat(i * 7)).into_bytes()],
        })
        .collect();
    let original = replies.clone();
    let lines = &mut replies[victim];
    let line_index = usize::from(input.position) % lines.len();
    corrupt(&mut lines[line_index], usize::from(input.position) / 3, &input.edit, true);
    let first = &lines[0];
    if first.len() >= 3 && first[0] == b'3' && first[1..3].iter().all(u8::is_ascii_digit) {
        // A well-formed intermediate (3xx) reply to NOOP does not fit the state:
        // that is a protocol error by design (issue 2), not a malformed reply.
        return;
    }
    let mut wire = Vec::new();
    for r in &replies {
        for l in r {
            wire.extend_from_slice(l);
            wire.extend_from_slice(b"\r\n");
        }
    }
    let mut events = Vec::new();
    feed(&wire, &input.cuts, |chunk| {
        client.handle_input(chunk);
        while let Some(e) = client.poll_event().unwrap() {
            events.push(e.into_owned());
        }
    });
    // Every reply but the victim is delivered as itself, in order.
    let mut next = 0;
    for e in &events {
        match e {
            smtp::ClientEvent::Reply { command, reply } => {
                assert_eq!(*command, smtp::CommandKind::Noop);
                if next != victim {
                    let got: Vec<Vec<u8>> = reply.lines().map(|l| l.as_bytes().to_vec()).collect();
                    let want: Vec<Vec<u8>> = original[next].iter().map(|l| l[4..].to_vec()).collect();
                    assert_eq!(got, want, "reply {next}");
                }
                next += 1;
            }
            smtp::ClientEvent::MalformedReply { command, .. } => {
                assert_eq!(next, victim, "only the corrupted reply may be malformed");
                assert_eq!(*command, Some(smtp::CommandKind::Noop));
                next += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(next >= count - 1, "{next} of {count} replies delivered: {events:?}");
    if next == count - 1 {
        // The victim was the last reply and its bytes never completed a frame
        // (e.g. a deleted final line): nothing after it was lost.
        assert_eq!(victim, count - 1);
    }
}

fn pop3_run(input: &Input) {
    let count = 2 + usize::from(input.count % 8);
    let victim = usize::from(input.victim) % count;
    let mut client = pop3::Client::new(pop3::ClientConfig::default());
    client.handle_input(b"+OK POP3 ready\r\n");
    while client.poll_event().unwrap().is_some() {}
    client.capa().unwrap();
    client.handle_input(b"+OK\r\nPIPELINING\r\nUSER\r\n.\r\n");
    client.login("alice", mailwire::Secret::from("secret")).unwrap();
    client.handle_input(b"+OK\r\n+OK logged in\r\n");
    while client.poll_event().unwrap().is_some() {}
    while client.poll_transmit().is_some() {}
    for _ in 0..count {
        client.noop().unwrap();
    }
    let mut lines: Vec<Vec<u8>> = (0..count)
        .map(|i| match i % 3 {
            0 => format!("+OK noop {i}").into_bytes(),
            1 => b"+OK caf\xe9 \xe2\x80\x93 fine".to_vec(),
            _ => b"-ERR [SYS/TEMP] later".to_vec(),
        })
        .collect();
    let original = lines.clone();
    corrupt(&mut lines[victim], usize::from(input.position), &input.edit, false);
    let mut wire = Vec::new();
    for l in &lines {
        wire.extend_from_slice(l);
        wire.extend_from_slice(b"\r\n");
    }
    let mut events = Vec::new();
    feed(&wire, &input.cuts, |chunk| {
        client.handle_input(chunk);
        while let Some(e) = client.poll_event().unwrap() {
            events.push(e.into_owned());
        }
    });
    let mut next = 0;
    for e in &events {
        match e {
            pop3::ClientEvent::Response { command, response } => {
                assert_eq!(*command, pop3::CommandKind::Noop);
                if next != victim {
                    let expect = pop3::parse::parse_response(&original[next]).unwrap();
                    assert_eq!(response.text.as_bytes(), expect.text.as_bytes(), "response {next}");
                    assert_eq!(response.is_ok(), expect.is_ok());
                }
                next += 1;
            }
            pop3::ClientEvent::MalformedResponse { command, .. } => {
                assert_eq!(next, victim, "only the corrupted response may be malformed");
                assert_eq!(*command, Some(pop3::CommandKind::Noop));
                next += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(next, count, "every response accounted for: {events:?}");
}

fuzz_target!(|input: Input| {
    if input.pop3 {
        pop3_run(&input);
    } else {
        smtp_run(&input);
    }
});
