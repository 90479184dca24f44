//! Unit tests of the server machine's helpers; whole sessions are in
//! `tests/imap_server.rs`.

use super::*;
use crate::imap::types::core::IString;

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
    let mut s = Server::new(ServerConfig {
        literals: LiteralSupport::Minus,
        ..ServerConfig::default()
    });
    s.phase = ServerState::Authenticated;
    let lit = |size, mode| LiteralAnnouncement {
        size,
        mode,
        binary: false,
    };
    assert_eq!(
        s.literal_rule(lit(4096, LiteralMode::NonSyncPlus), true),
        None
    );
    // `{n-}` is no IMAP syntax, whatever its size
    assert_eq!(
        s.literal_rule(lit(1, LiteralMode::NonSyncMinus), true),
        Some((
            StatusKind::Bad,
            Some(Code::ClientBug),
            "a non-synchronizing literal is announced with a plus sign (RFC 7888)"
        ))
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

// XOAUTH2 carries a bearer token: not offered before TLS (RFC 7628 requires
// TLS for bearer tokens; see ServerConfig::plaintext_requires_tls).
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
        "IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED SASL-IR LITERAL- ENABLE IDLE UNSELECT MOVE"
    );
    s.tls_active = true;
    assert_eq!(
        s.capabilities().join(" "),
        "IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR LITERAL- ENABLE IDLE UNSELECT MOVE"
    );
    s.phase = ServerState::Authenticated;
    assert_eq!(
        s.capabilities().join(" "),
        "IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE UNSELECT MOVE"
    );
}

#[test]
fn idle_connection_is_small() {
    let mut s = Server::new(ServerConfig {
        plaintext_requires_tls: false,
        ..ServerConfig::default()
    });
    s.poll_transmit();
    s.handle_input(b"a0 LOGIN a b\r\n");
    let Some(ServerEvent::Login { .. }) = s.poll_event().unwrap() else {
        panic!("no LOGIN")
    };
    s.complete("a0", StatusKind::Ok, None, "in").unwrap();
    let mut big = alloc::vec![b'x'; 100_000];
    big.splice(0..0, b"a1 CREATE {2000000+}\r\n".iter().copied());
    s.handle_input(&big);
    // refused (over what a command may buffer), its bytes read and dropped
    while s.poll_event().unwrap().is_some() {}
    assert!(
        s.input.memory_usage() <= crate::session::input::RETAINED,
        "{}",
        s.input.memory_usage()
    );
    assert!(
        core::mem::size_of::<Server>() < 1024,
        "{}",
        core::mem::size_of::<Server>()
    );
}

/// A response that fails to emit leaves nothing in the output buffer (the
/// machine writes straight into it and truncates back), and the command it
/// was meant to answer still waits.
#[test]
fn failed_emission_leaves_no_half_line() {
    let mut s = Server::new(ServerConfig {
        plaintext_requires_tls: false,
        ..ServerConfig::default()
    });
    while s.poll_transmit().is_some() {}
    s.handle_input(b"a LOGIN u p\r\nb SELECT INBOX\r\nc NOOP\r\n");
    let Some(ServerEvent::Login { .. }) = s.poll_event().unwrap() else {
        panic!("no LOGIN")
    };
    s.complete("a", StatusKind::Ok, None, "in").unwrap();
    let Some(ServerEvent::Command(_)) = s.poll_event().unwrap() else {
        panic!("no SELECT")
    };
    s.complete("b", StatusKind::Ok, None, "selected").unwrap();
    let Some(ServerEvent::Command(_)) = s.poll_event().unwrap() else {
        panic!("no NOOP")
    };
    let queued = s.out.len();
    assert!(queued > 0);
    let nul = || FetchItem::Rfc822(Some(IString::from(&b"\0"[..])));
    type Attempt<'x> = &'x dyn Fn(&mut Server) -> Result<(), Error>;
    let attempts: [Attempt<'_>; 5] = [
        &|s| s.complete("c", StatusKind::Ok, None, "bad\r\n* 1 EXISTS"),
        &|s| s.complete("c", StatusKind::Ok, None, "[ALERT] fake code"),
        &|s| s.send_untagged(StatusKind::Ok, None, "nul\0"),
        &|s| {
            s.send_untagged_data(&Data::Fetch {
                seq: 3,
                items: List::from_items(alloc::vec![FetchItem::Uid(1), nul()]),
            })
        },
        &|s| s.start_fetch(2, &[FetchItem::Uid(2), nul()]),
    ];
    for (i, attempt) in attempts.iter().enumerate() {
        let r = attempt(&mut s);
        assert!(matches!(r, Err(Error::Emit(_))), "{i}: {r:?}");
        assert_eq!(s.out.len(), queued, "{i}");
    }
    assert!(s.fetch.is_none());
    assert_eq!(s.pending_tags().collect::<Vec<_>>(), ["c"]);
    s.complete("c", StatusKind::Ok, None, "done").unwrap();
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    assert!(
        out.ends_with(b"\r\nb OK selected\r\nc OK done\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}

/// The machine validates a frame once and hands it out re-parsed in trusted
/// mode: both parses give the same command, for every command of the
/// parser's table, under either UTF-8 setting.
#[test]
fn trusted_reparse_equals_the_validating_parse() {
    use crate::imap::parse::command::{parse_command, parse_command_trusted};
    for utf8 in [false, true] {
        let opts = ParseOptions {
            utf8,
            ..ParseOptions::default()
        };
        let mut n = 0;
        for line in crate::imap::parse::command_tests::COMMANDS {
            let Ok(c) = parse_command(line, &opts) else {
                continue;
            };
            let t = parse_command_trusted(line, &opts).expect("validated before");
            assert_eq!(c, t, "{:?}", String::from_utf8_lossy(line));
            assert_eq!(
                alloc::format!("{c:?}"),
                alloc::format!("{t:?}"),
                "{:?}",
                String::from_utf8_lossy(line)
            );
            n += 1;
        }
        assert!(n > 50, "{n}");
    }
}
