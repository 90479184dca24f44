//! One plaintext-authentication policy on the three servers: before TLS, a
//! server configured so (the default) neither advertises nor accepts the
//! mechanisms that send a reusable secret in the clear, and keeps offering
//! the others.
//!
//! RFC 4954 §4: "A server implementation MUST implement a configuration in
//! which it does NOT permit any plaintext password mechanisms, unless either
//! the STARTTLS command has been negotiated or some other mechanism that
//! protects the session from password snooping has been provided."
//! RFC 4954 §6: "538 5.7.11 Encryption required for requested authentication
//! mechanism".
//! RFC 9051 §6.2.3 (LOGINDISABLED) and RFC 2595 §2.1 say the same for IMAP
//! and POP3; RFC 7628 requires TLS for OAUTHBEARER (a bearer token).

use mailwire::wire::sasl::Mechanism;

fn drain(t: &mut dyn FnMut() -> Option<bytes::Bytes>) -> String {
    let mut out = Vec::new();
    while let Some(b) = t() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn smtp_offers_only_mechanisms_without_a_clear_secret_before_tls() {
    use mailwire::smtp::{Server, ServerConfig};
    let mechs = vec![Mechanism::Plain, Mechanism::XOAuth2, Mechanism::Anonymous];
    let mut s = Server::new(ServerConfig::new("mx.example").auth_mechanisms(mechs.clone()));
    drain(&mut || s.poll_transmit());
    s.handle_input(b"EHLO c.example\r\n");
    while s.poll_event().unwrap().is_some() {}
    let ehlo = drain(&mut || s.poll_transmit());
    assert!(ehlo.contains("250-AUTH ANONYMOUS\r\n"), "{ehlo}");
    assert!(
        !ehlo.contains("PLAIN") && !ehlo.contains("XOAUTH2"),
        "{ehlo}"
    );

    s.handle_input(b"AUTH PLAIN AGEAYg==\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).starts_with("538 5.7.11 "));
    s.handle_input(b"AUTH XOAUTH2\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).starts_with("538 5.7.11 "));
    // ANONYMOUS sends no secret: the exchange starts
    s.handle_input(b"AUTH ANONYMOUS\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).starts_with("334"));

    // under TLS every mechanism is offered
    let mut s = Server::new(
        ServerConfig::new("mx.example")
            .auth_mechanisms(mechs)
            .tls_active(true),
    );
    drain(&mut || s.poll_transmit());
    s.handle_input(b"EHLO c.example\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).contains("250-AUTH PLAIN XOAUTH2 ANONYMOUS\r\n"));
}

#[test]
fn pop3_offers_only_mechanisms_without_a_clear_secret_before_tls() {
    use mailwire::pop3::{Server, ServerConfig};
    let mut c = ServerConfig::default();
    c.auth_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::OAuthBearer,
        Mechanism::Anonymous,
    ];
    let mut s = Server::new(c);
    drain(&mut || s.poll_transmit());
    s.handle_input(b"CAPA\r\n");
    while s.poll_event().unwrap().is_some() {}
    let capa = drain(&mut || s.poll_transmit());
    assert!(capa.contains("\r\nSASL ANONYMOUS\r\n"), "{capa}");
    assert!(
        !capa.contains("PLAIN") && !capa.contains("OAUTHBEARER"),
        "{capa}"
    );
    assert!(!capa.contains("\r\nUSER\r\n"), "{capa}");

    s.handle_input(b"AUTH PLAIN\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).starts_with("-ERR"));
    s.handle_input(b"AUTH ANONYMOUS\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(drain(&mut || s.poll_transmit()).starts_with("+ "));
}

#[test]
fn imap_offers_only_mechanisms_without_a_clear_secret_before_tls() {
    use mailwire::imap::{Server, ServerConfig};
    let mut c = ServerConfig::default();
    c.auth_mechanisms = vec![Mechanism::Plain, Mechanism::XOAuth2, Mechanism::Anonymous];
    let mut s = Server::new(c);
    let caps = s.capabilities();
    assert!(caps.iter().any(|c| c == "LOGINDISABLED"), "{caps:?}");
    assert!(caps.iter().any(|c| c == "AUTH=ANONYMOUS"), "{caps:?}");
    assert!(
        !caps
            .iter()
            .any(|c| c == "AUTH=PLAIN" || c == "AUTH=XOAUTH2"),
        "{caps:?}"
    );
    drain(&mut || s.poll_transmit());
    s.handle_input(b"a1 AUTHENTICATE XOAUTH2\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert_eq!(
        drain(&mut || s.poll_transmit()),
        "a1 NO [PRIVACYREQUIRED] mechanism requires TLS\r\n"
    );
}
