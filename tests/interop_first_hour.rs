//! The newcomer's task examples (issue "first hour") against independent servers: `imap_latest` logs in
//! to Dovecot, Cyrus and Courier over STARTTLS (verifying the peers' certificate), lists the mailboxes,
//! selects INBOX and prints date, sender and subject of the last 10 messages; the output must name every
//! seeded message, with the RFC 2047 encoded sender and subject of the third seed decoded.
//!
//! Needs `tests/peers/start.sh`; skips loudly without it, fails under `CI=true`.

mod common;

use std::process::Command;
use std::time::Duration;

use common::harness::{example, finish_within};
use common::peers::{peers_or_skip, skip_or_fail};

#[test]
fn imap_latest_against_three_servers() {
    let Some(peers) = peers_or_skip("imap_latest_against_three_servers") else {
        return;
    };
    let (Some(cert), Some(cyrus), Some(courier)) = (
        peers.var("PEER_CERT"),
        peers.var("CYRUS_IMAP_PORT"),
        peers.var("COURIER_IMAP_PORT"),
    ) else {
        skip_or_fail(
            "imap_latest_against_three_servers",
            "PEER_CERT, CYRUS_IMAP_PORT or COURIER_IMAP_PORT missing (tests/peers/independent.sh)",
        );
        return;
    };
    let bin = example(&["imap_latest"], "imap_latest");
    for (server, port) in [
        ("Dovecot", peers.imap.to_string()),
        ("Cyrus", cyrus.to_string()),
        ("Courier", courier.to_string()),
    ] {
        let addr = format!("{}:{port}", peers.host);
        let done = finish_within(
            Command::new(&bin).args([addr.as_str(), &peers.user, &peers.pass, cert]),
            None,
            Duration::from_secs(60),
        )
        .expect("imap_latest runs");
        let out = String::from_utf8_lossy(&done.stdout).into_owned();
        let err = String::from_utf8_lossy(&done.stderr);
        assert!(
            done.status.is_some_and(|s| s.success()),
            "imap_latest against {server}: {:?}\n--- stdout\n{out}\n--- stderr\n{err}",
            done.status
        );
        // every server names INBOX in its LIST answer (RFC 9051 §6.3.9)
        assert!(out.lines().any(|l| l == "mailbox INBOX"), "{server}: {out}");
        let messages: Vec<&str> = out.lines().filter(|l| l.contains(" | ")).collect();
        assert_eq!(messages.len(), 4, "{server}: {out}");
        for (n, line) in messages.iter().enumerate() {
            assert!(line.starts_with("Mon, 02 Nov 2026 0"), "{server}: {line}");
            if n != 2 {
                assert!(line.contains("| Bob Example | Seed"), "{server}: {line}");
            }
        }
        // the third seed's From and Subject are RFC 2047 encoded words (see tests/peers/start.sh)
        assert!(
            messages[2].ends_with("| Jürgen Müller | Grüße aus Köln – 東京 ✓"),
            "{server}: {}",
            messages[2]
        );
    }
}
