//! `smtp::Submission` choosing its AUTH mechanism against an independent server: Exim offers only CRAM-MD5
//! before STARTTLS (PLAIN and LOGIN only under TLS, `tests/peers/start.sh`), so a submission in the clear
//! (`TlsPolicy::None`) must run CRAM-MD5 (RFC 2195 §2) and never send PLAIN or LOGIN, and a wrong
//! password must fail the message with Exim's 535 (RFC 4954 §6).
//!
//! Needs `tests/peers/start.sh` and the `sasl-hash` feature; skips loudly without the peers, fails under
//! `CI=true`.
#![cfg(feature = "sasl-hash")]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::peers::peers_or_skip;
use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};

/// Runs one submission over `sock` to the end; returns its events and every byte it sent.
fn run(mut tx: Submission, sock: &mut TcpStream) -> (Vec<SubmissionEvent>, String) {
    let (start, mut buf) = (Instant::now(), [0u8; 16 * 1024]);
    let (mut events, mut sent) = (Vec::new(), Vec::new());
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    loop {
        while let Some(event) = tx.poll_event().expect("no session error") {
            events.push(event);
        }
        while let Some(bytes) = tx.poll_transmit() {
            sent.extend_from_slice(&bytes);
            sock.write_all(&bytes).unwrap();
        }
        if tx.is_closed() || events.contains(&SubmissionEvent::Closed) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no end: {events:?}"
        );
        match sock.read(&mut buf) {
            Ok(0) => tx.handle_eof(),
            Ok(n) => tx.handle_input(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("{e}"),
        }
    }
    while let Ok(Some(event)) = tx.poll_event() {
        events.push(event);
    }
    (events, String::from_utf8_lossy(&sent).into_owned())
}

#[test]
fn submission_runs_cram_md5_in_the_clear_with_exim() {
    let Some(peers) = peers_or_skip("submission_runs_cram_md5_in_the_clear_with_exim") else {
        return;
    };
    let addr = format!("{}:{}", peers.host, peers.exim);
    let address = peers.address();
    for (password, ok) in [(peers.pass.as_str(), true), ("wrong-password", false)] {
        let config = SubmissionConfig::new("client.example")
            .tls(TlsPolicy::None)
            .credentials(peers.user.clone(), password);
        let mut tx = Submission::new(config);
        tx.submit(
            &address,
            &[address.as_str()],
            "Subject: CRAM-MD5 before TLS\r\n\r\nhello\r\n",
        )
        .unwrap();
        tx.quit_when_done();
        let (events, sent) = run(tx, &mut TcpStream::connect(&addr).unwrap());
        assert!(sent.contains("\r\nAUTH CRAM-MD5\r\n"), "{sent}");
        assert!(
            !sent.contains("AUTH PLAIN") && !sent.contains("AUTH LOGIN"),
            "{sent}"
        );
        if ok {
            // RFC 4954 §4 then RFC 5321 §4.2: 235 then 250 for the message
            assert!(
                events.iter().any(|e| matches!(e,
                    SubmissionEvent::Sent { message: 0, reply } if reply.code().get() == 250)),
                "{events:?}\n{sent}"
            );
        } else {
            // RFC 4954 §6: 535 5.7.8 authentication credentials invalid
            assert!(
                events.iter().any(|e| matches!(e,
                    SubmissionEvent::Failed { message: 0, reply: Some(r), .. } if r.code().get() == 535)),
                "{events:?}\n{sent}"
            );
            assert!(!sent.contains("MAIL FROM"), "{sent}");
        }
    }
}
