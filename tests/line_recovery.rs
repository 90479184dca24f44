//! Server line recovery, the same on the three servers (`src/session/lines.rs`):
//! a command line the server refuses without reading it is answered once and
//! dropped up to its LF, however it arrives, and nothing of it is buffered.
//!
//! The rules: RFC 5321 §2.3.8 ("lines consist of zero or more data characters
//! terminated by the sequence ASCII character "CR" (hex value 0D) followed
//! immediately by ASCII character "LF" (hex value 0A)") and §4.5.3.1.4 ("The
//! maximum total length of a command line including the command word and the
//! <CRLF> is 512 octets"); RFC 1939 §3 ("Commands in the POP3 consist of a
//! case-insensitive keyword, possibly followed by one or more arguments ...
//! terminated by a CRLF pair"); RFC 9051 §2.2 ("All interactions transmitted
//! by client and server are in the form of lines, that is, strings that end
//! with a CRLF").

use mailwire::{imap, pop3, smtp};

const MIB: usize = 1 << 20;

/// A hostile line: `head`, then a MiB of junk, then a LF.
fn hostile(head: &[u8]) -> Vec<u8> {
    let mut line = head.to_vec();
    line.resize(head.len() + MIB, b'x');
    line.push(b'\n');
    line
}

#[test]
fn smtp_an_over_long_line_in_one_byte_pieces_costs_one_500() {
    let mut server = smtp::Server::new(smtp::ServerConfig::new("mx.example"));
    let mut out = Vec::new();
    let mut input = hostile(b"NOOP ");
    input.extend_from_slice(b"NOOP\r\n");
    // the machine at rest, then at most a line limit's worth of input more
    // (twice, as the buffer doubles while it fills)
    let limit = mailwire::Limits::default().command_line;
    let base = server.memory_usage();
    let mut peak = 0;
    for b in &input {
        server.handle_input(core::slice::from_ref(b));
        assert!(server.poll_event().unwrap().is_none());
        while let Some(t) = server.poll_transmit() {
            out.extend_from_slice(&t);
        }
        peak = peak.max(server.memory_usage());
    }
    let text = String::from_utf8(out).unwrap();
    let replies: Vec<&str> = text.lines().collect();
    assert_eq!(replies.len(), 3, "{text}");
    assert!(replies[0].starts_with("220 "), "{text}");
    assert!(replies[1].starts_with("500 "), "{text}");
    assert!(replies[2].starts_with("250 "), "{text}");
    assert!(!server.is_closed());
    assert!(peak <= base + 2 * limit, "{base} {peak}");
    // idle again: the buffer went back to a small size
    assert!(server.poll_event().unwrap().is_none());
    assert!(
        server.memory_usage() <= base + 4096,
        "{base} {}",
        server.memory_usage()
    );
}

#[test]
fn pop3_a_bare_cr_line_of_a_mib_in_one_byte_pieces_costs_one_err() {
    let mut config = pop3::ServerConfig::default();
    config.plaintext_requires_tls = false;
    let mut server = pop3::Server::new(config);
    let mut out = Vec::new();
    let mut input = hostile(b"NOOP\r");
    input.extend_from_slice(b"QUIT\r\n");
    // the machine at rest, then at most a line limit's worth of input more
    // (twice, as the buffer doubles while it fills)
    let limit = mailwire::Limits::default().command_line;
    let base = server.memory_usage();
    let mut peak = 0;
    for b in &input {
        server.handle_input(core::slice::from_ref(b));
        assert!(server.poll_event().unwrap().is_none());
        while let Some(t) = server.poll_transmit() {
            out.extend_from_slice(&t);
        }
        peak = peak.max(server.memory_usage());
    }
    let text = String::from_utf8(out).unwrap();
    let replies: Vec<&str> = text.lines().collect();
    assert_eq!(replies.len(), 3, "{text}");
    assert!(replies[0].starts_with("+OK"), "{text}");
    assert_eq!(replies[1], "-ERR bad line ending", "{text}");
    assert!(replies[2].starts_with("+OK"), "{text}");
    assert!(peak <= base + 2 * limit, "{base} {peak}");
    // idle again: the buffer went back to a small size
    assert!(server.poll_event().unwrap().is_none());
    assert!(
        server.memory_usage() <= base + 4096,
        "{base} {}",
        server.memory_usage()
    );
}

#[test]
fn imap_a_bare_cr_line_of_a_mib_in_one_byte_pieces_costs_one_bad() {
    let mut config = imap::ServerConfig::default();
    config.plaintext_requires_tls = false;
    config.autologout = None;
    let mut server = imap::Server::new(config);
    let mut out = Vec::new();
    let mut input = hostile(b"a1 NOOP\r");
    input.extend_from_slice(b"a2 CAPABILITY\r\n");
    // the machine at rest, then at most a line limit's worth of input more
    // (twice, as the buffer doubles while it fills)
    let limit = mailwire::Limits::default().command_line;
    let base = server.memory_usage();
    let mut peak = 0;
    for b in &input {
        server.handle_input(core::slice::from_ref(b));
        assert!(server.poll_event().unwrap().is_none());
        while let Some(t) = server.poll_transmit() {
            out.extend_from_slice(&t);
        }
        peak = peak.max(server.memory_usage());
    }
    let text = String::from_utf8(out).unwrap();
    let replies: Vec<&str> = text.lines().collect();
    assert!(replies[0].starts_with("* OK"), "{text}");
    assert_eq!(replies[1], "* BAD bare CR or LF in command line", "{text}");
    assert!(replies[2].starts_with("* CAPABILITY "), "{text}");
    assert!(replies[3].starts_with("a2 OK"), "{text}");
    assert_eq!(replies.len(), 4, "{text}");
    assert!(peak <= base + 2 * limit, "{base} {peak}");
    // idle again: the buffer went back to a small size
    assert!(server.poll_event().unwrap().is_none());
    assert!(
        server.memory_usage() <= base + 4096,
        "{base} {}",
        server.memory_usage()
    );
}
