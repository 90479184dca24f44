//! Unit tests of the server machine's helpers; whole sessions are in
//! `tests/imap_server.rs`.

use super::*;

#[test]
fn tags_and_names() {
    let cases: &[(&[u8], Option<&str>, &[u8])] = &[
        (b"a1 LOGIN x y", Some("a1"), b"LOGIN"),
        (b"A.2 uid fetch 1", Some("A.2"), b"uid"),
        (b"a+b NOOP", None, b"NOOP"),
        (b"* NOOP", None, b"NOOP"),
        (b"\0 NOOP", None, b"NOOP"),
        (b"abc", Some("abc"), b""),
        (b"", None, b""),
    ];
    for (frame, tag, name) in cases {
        let (t, rest) = split_tag(frame);
        assert_eq!(t, *tag, "{frame:?}");
        assert_eq!(command_name(rest), *name, "{frame:?}");
    }
}

#[test]
fn announcements() {
    let a = |s: &[u8]| announced(s).map(|l| (l.size, l.mode));
    assert_eq!(a(b"a1 LOGIN {5}"), Some((5, LiteralMode::Sync)));
    assert_eq!(a(b"a1 LOGIN {5+}"), Some((5, LiteralMode::NonSyncPlus)));
    assert_eq!(a(b"a1 LOGIN {5-}"), Some((5, LiteralMode::NonSyncMinus)));
    assert_eq!(a(b"a1 LOGIN {5"), None);
    assert_eq!(
        a(b"a1 X {999999999999999999999999+}"),
        Some((u64::MAX, LiteralMode::NonSyncPlus))
    );
}

#[test]
fn literal_rules() {
    let s = Server::new(ServerConfig {
        literals: LiteralSupport::Minus,
        ..ServerConfig::default()
    });
    let lit = |size, mode| LiteralAnnouncement {
        size,
        mode,
        binary: false,
    };
    assert_eq!(
        s.literal_rule(lit(4096, LiteralMode::NonSyncMinus), true),
        None
    );
    assert_eq!(
        s.literal_rule(lit(4097, LiteralMode::NonSyncPlus), true)
            .map(|r| r.0),
        Some(StatusKind::Bad)
    );
    assert_eq!(s.literal_rule(lit(1 << 20, LiteralMode::Sync), true), None);
    // inside a command, a literal must fit in the input buffer
    assert_eq!(
        s.literal_rule(lit(1 << 20, LiteralMode::Sync), false)
            .map(|r| r.0),
        Some(StatusKind::No)
    );
    assert_eq!(
        s.literal_rule(lit(u64::MAX, LiteralMode::Sync), true)
            .map(|r| r.0),
        Some(StatusKind::No)
    );
}

#[test]
fn capabilities_follow_state_and_tls() {
    let mut s = Server::new(ServerConfig {
        tls_available: true,
        auth_mechanisms: alloc::vec![Mechanism::Plain, Mechanism::XOAuth2],
        capabilities: alloc::vec!["MOVE".into(), "bad cap".into(), "IDLE".into()],
        ..ServerConfig::default()
    });
    assert_eq!(
        s.capabilities().join(" "),
        "IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED AUTH=XOAUTH2 SASL-IR LITERAL+ ENABLE IDLE UNSELECT MOVE"
    );
    s.tls_active = true;
    assert_eq!(
        s.capabilities().join(" "),
        "IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR LITERAL+ ENABLE IDLE UNSELECT MOVE"
    );
    s.phase = SessionState::Authenticated;
    assert_eq!(
        s.capabilities().join(" "),
        "IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE UNSELECT MOVE"
    );
}

#[test]
fn idle_connection_is_small() {
    let mut s = Server::new(ServerConfig::default());
    s.poll_transmit();
    let mut big = alloc::vec![b'x'; 100_000];
    big.splice(0..0, b"a1 APPEND INBOX {100000+}\r\n".iter().copied());
    s.handle_input(b"a0 LOGIN a b\r\n");
    // LOGIN is refused without TLS by default; the machine stays usable
    assert!(s.poll_event().unwrap().is_none());
    s.handle_input(&big);
    while s.poll_event().unwrap().is_some() {}
    assert!(s.buf.capacity() <= IDLE_BUFFER, "{}", s.buf.capacity());
    assert!(
        core::mem::size_of::<Server>() < 1024,
        "{}",
        core::mem::size_of::<Server>()
    );
}
