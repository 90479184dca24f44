//! Every configuration builds in one expression although its struct is
//! `#[non_exhaustive]` (issue 18: `ServerConfig { chunking: false,
//! ..ServerConfig::new("mx") }` does not compile outside the crate).
#![cfg(all(feature = "smtp", feature = "pop3", feature = "imap"))]

use std::time::Duration;

use mailwire::wire::sasl::Mechanism;
use mailwire::{Limits, imap, pop3, smtp};

const LIMITS: Limits = Limits::DEFAULT.recipients(1000).message_size(10 << 20);

#[test]
fn limits_in_const_context() {
    assert_eq!(LIMITS.recipients, 1000);
    assert_eq!(LIMITS.message_size, 10 << 20);
    assert_eq!(LIMITS.command_line, Limits::DEFAULT.command_line);
}

#[test]
fn smtp_configs() {
    let server = smtp::ServerConfig::new("mx.example")
        .chunking(false)
        .binarymime(false)
        .auth_mechanisms([Mechanism::Plain])
        .limits(LIMITS)
        .greeting("ESMTP here")
        .command_timeout(Duration::from_secs(60));
    assert!(!server.chunking);
    assert_eq!(server.auth_mechanisms, [Mechanism::Plain]);
    assert_eq!(server.limits.recipients, 1000);
    assert_eq!(server.greeting, "ESMTP here");
    assert_eq!(server.hostname, "mx.example");
    let client = smtp::ClientConfig::new("client.example")
        .use_pipelining(false)
        .trust_unadvertised(true)
        .greeting_timeout(Duration::from_secs(30));
    assert!(!client.use_pipelining && client.trust_unadvertised);
    assert_eq!(client.greeting_timeout, Duration::from_secs(30));
    // the configured machines run
    let mut s = smtp::Server::new(server);
    assert!(
        s.poll_transmit()
            .unwrap()
            .starts_with(b"220 mx.example ESMTP here")
    );
    let _ = smtp::Client::new(client);
}

#[test]
fn pop3_configs() {
    let server = pop3::ServerConfig::default()
        .autologout(Duration::from_secs(600))
        .implementation(Some("test".to_string()))
        .utf8(true);
    assert_eq!(server.autologout, Some(Duration::from_secs(600)));
    assert!(server.utf8);
    let server = server.autologout(None);
    assert_eq!(server.autologout, None);
    let client = pop3::ClientConfig::default()
        .tls_active(true)
        .command_timeout(Duration::from_secs(5));
    assert!(client.tls_active);
    let _ = pop3::Server::new(server);
    let _ = pop3::Client::new(client);
}

#[test]
fn imap_configs() {
    let server = imap::ServerConfig::default()
        .greeting_text("hello")
        .imap4rev2(true)
        .capabilities(vec!["ID".to_string()])
        .autologout(Duration::from_secs(1800));
    assert_eq!(server.greeting_text, "hello");
    assert!(server.imap4rev2);
    let client = imap::ClientConfig::default()
        .quirks(imap::Quirks::STRICT)
        .idle_refresh(None)
        .body_timeout(Duration::from_secs(60));
    assert_eq!(client.quirks, imap::Quirks::STRICT);
    assert_eq!(client.idle_refresh, None);
    let mut s = imap::Server::new(server);
    assert!(s.poll_transmit().unwrap().ends_with(b"hello\r\n"));
    let _ = imap::Client::new(client);
}
