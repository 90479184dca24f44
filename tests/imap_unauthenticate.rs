//! UNAUTHENTICATE (RFC 8437) on the codec and both machines, checked against
//! the RFC's grammar and its rules, with the peer's side written by hand:
//!
//! ```text
//! capability   =/ "UNAUTHENTICATE"
//! command-auth =/ "UNAUTHENTICATE"
//! ```
//!
//! RFC 8437 §3: "Upon successful completion, the server MUST reset to the
//! Not Authenticated state": the selected mailbox is closed without an
//! expunge and the ENABLEd extensions are off again; the client then asks for
//! the capabilities again, as they may differ before login.

mod common;

use common::imap::server_output;
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::server::ServerState;
use mailwire::imap::{
    Client, ClientConfig, ClientState, CommandBody, EmitOptions, ParseOptions, Server,
    ServerConfig, ServerEvent, StatusKind, emit_command, parse_command,
};

// ---------------------------------------------------------------- codec

#[test]
fn codec_parses_and_emits_the_bare_command() {
    for line in [&b"a1 UNAUTHENTICATE\r\n"[..], b"a1 unauthenticate\r\n"] {
        let cmd = parse_command(line, &ParseOptions::STRICT).unwrap();
        assert_eq!(cmd.body, CommandBody::Unauthenticate);
        let mut out = Vec::new();
        emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(out, b"a1 UNAUTHENTICATE\r\n");
    }
}

#[test]
fn codec_refuses_arguments_and_prefixes() {
    // the rule has no arguments: anything after the name is a syntax error
    for bad in [
        &b"a1 UNAUTHENTICATE user\r\n"[..],
        b"a1 UNAUTHENTICATE \r\n",
        b"a1 UNAUTHENTICATEX\r\n",
    ] {
        if let Ok(c) = parse_command(bad, &ParseOptions::STRICT) {
            assert!(
                !matches!(c.body, CommandBody::Unauthenticate),
                "{:?} parsed as UNAUTHENTICATE",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

// ---------------------------------------------------------------- client

fn drain_events(c: &mut Client) {
    while c.poll_event().unwrap().is_some() {}
}

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

/// A client logged in to a server (bytes written by hand) that advertises
/// UNAUTHENTICATE (or not).
fn logged_in(advertise: bool) -> Client {
    let mut c = Client::new(ClientConfig::default());
    let caps = if advertise {
        "IMAP4rev1 UNAUTHENTICATE ENABLE UTF8=ACCEPT"
    } else {
        "IMAP4rev1 ENABLE"
    };
    c.handle_input(format!("* OK [CAPABILITY {caps}] ready\r\n").as_bytes());
    drain_events(&mut c);
    let tag = c.login("user1", "pass1").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("{tag} OK [CAPABILITY {caps}] logged in\r\n").as_bytes());
    drain_events(&mut c);
    assert_eq!(c.state(), ClientState::Authenticated);
    c
}

#[test]
fn client_refuses_when_not_advertised() {
    let mut c = logged_in(false);
    assert!(matches!(
        c.unauthenticate(),
        Err(Error::Misuse(ApiMisuse::NotAdvertised {
            extension: "UNAUTHENTICATE"
        }))
    ));
    assert_eq!(sent(&mut c), "");
}

#[test]
fn client_refuses_before_login() {
    // command-auth: valid only in the authenticated (and selected) state
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 UNAUTHENTICATE] ready\r\n");
    drain_events(&mut c);
    assert!(matches!(
        c.unauthenticate(),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
}

#[test]
fn client_ok_resets_to_not_authenticated_and_allows_a_new_login() {
    let mut c = logged_in(true);
    // select a mailbox and enable UTF8=ACCEPT first: both must be gone after
    let t = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 2 EXISTS\r\n{t} OK [READ-WRITE] selected\r\n").as_bytes());
    drain_events(&mut c);
    assert_eq!(c.state(), ClientState::Selected);
    c.handle_input(b"* ENABLED UTF8=ACCEPT\r\n");
    drain_events(&mut c);
    assert!(c.enabled().has("UTF8=ACCEPT"));

    let tag = c.unauthenticate().unwrap().as_str().to_owned();
    assert_eq!(sent(&mut c), format!("{tag} UNAUTHENTICATE\r\n"));
    // a barrier: nothing else leaves before its completion
    let noop = c.noop().unwrap().as_str().to_owned();
    assert_eq!(sent(&mut c), "");
    c.handle_input(format!("{tag} OK completed\r\n").as_bytes());
    drain_events(&mut c);
    assert_eq!(c.state(), ClientState::NotAuthenticated);
    assert!(!c.enabled().has("UTF8=ACCEPT"));
    assert!(
        !c.capabilities().has("UNAUTHENTICATE"),
        "capabilities are asked for again"
    );
    assert_eq!(sent(&mut c), format!("{noop} NOOP\r\n"));
    c.handle_input(format!("{noop} OK\r\n").as_bytes());
    drain_events(&mut c);
    // a mailbox command is now refused locally; a new login is allowed
    assert!(matches!(
        c.select("INBOX"),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
    let t2 = c.login("user2", "pass2").unwrap().as_str().to_owned();
    assert!(sent(&mut c).starts_with(&format!("{t2} LOGIN user2 ")));
}

#[test]
fn client_no_keeps_the_session() {
    let mut c = logged_in(true);
    let tag = c.unauthenticate().unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("{tag} NO not now\r\n").as_bytes());
    drain_events(&mut c);
    assert_eq!(c.state(), ClientState::Authenticated);
}

#[test]
fn client_commands_queued_behind_it_are_judged_in_the_new_state() {
    // pending commands count as if they succeed: after UNAUTHENTICATE a
    // SELECT is a misuse, a LOGIN is not
    let mut c = logged_in(true);
    c.unauthenticate().unwrap();
    assert!(matches!(
        c.select("INBOX"),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
    assert!(c.login("user2", "pass2").is_ok());
}

// ---------------------------------------------------------------- server

/// Feeds `input`, accepting every LOGIN and answering every other command
/// OK; returns what the server sent and the events, as text.
fn feed(s: &mut Server, input: &[u8]) -> (String, Vec<String>) {
    s.handle_input(input);
    let mut events = Vec::new();
    while let Some(ev) = s.poll_event().unwrap() {
        let ev = ev.into_owned();
        events.push(format!("{ev:?}"));
        match ev {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "LOGIN completed")
                .unwrap(),
            ServerEvent::Command(c) => s
                .complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                .unwrap(),
            _ => {}
        }
    }
    (server_output(s), events)
}

fn server(on: bool) -> Server {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .unauthenticate(on)
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s
}

#[test]
fn server_off_by_default_answers_bad() {
    let mut s = server(false);
    let (o, _) = feed(&mut s, b"a CAPABILITY\r\n");
    assert!(!o.contains("UNAUTHENTICATE"), "{o}");
    let (o, ev) = feed(&mut s, b"b LOGIN u p\r\nc UNAUTHENTICATE\r\n");
    assert!(o.contains("c BAD"), "{o}");
    assert!(!ev.iter().any(|e| e.contains("Unauthenticated")));
    assert_eq!(s.state(), ServerState::Authenticated);
}

#[test]
fn server_advertises_and_resets_from_selected() {
    let mut s = server(true);
    let (o, _) = feed(&mut s, b"a CAPABILITY\r\n");
    assert!(o.contains(" UNAUTHENTICATE"), "{o}");
    feed(
        &mut s,
        b"b LOGIN u p\r\nc ENABLE UTF8=ACCEPT\r\nd SELECT INBOX\r\n",
    );
    assert!(s.is_enabled("UTF8=ACCEPT"));
    assert!(matches!(s.state(), ServerState::Selected { .. }));
    let (o, ev) = feed(&mut s, b"e UNAUTHENTICATE\r\n");
    assert!(o.starts_with("e OK"), "{o}");
    assert_eq!(ev, ["Unauthenticated"]);
    assert_eq!(s.state(), ServerState::NotAuthenticated);
    assert!(!s.is_enabled("UTF8=ACCEPT"));
    // a new user may log in on the same connection
    let (o, ev) = feed(&mut s, b"f LOGIN other p\r\n");
    assert!(o.starts_with("f OK"), "{o}");
    assert!(ev[0].contains("other"), "{ev:?}");
    assert_eq!(s.state(), ServerState::Authenticated);
}

#[test]
fn server_before_login_is_bad() {
    let mut s = server(true);
    let (o, ev) = feed(&mut s, b"a UNAUTHENTICATE\r\n");
    assert!(o.starts_with("a BAD"), "{o}");
    assert!(ev.is_empty(), "{ev:?}");
}

#[test]
fn server_pipelined_command_after_it_runs_unauthenticated() {
    // hostile: a client pipelines a mailbox command after UNAUTHENTICATE in
    // the same packet. It must be judged in the not-authenticated state,
    // never reach the application as the old user's command.
    let mut s = server(true);
    feed(&mut s, b"a LOGIN u p\r\n");
    let (o, ev) = feed(
        &mut s,
        b"b UNAUTHENTICATE\r\nc SELECT INBOX\r\nd DELETE INBOX\r\n",
    );
    assert!(o.contains("b OK"), "{o}");
    assert!(o.contains("c BAD"), "{o}");
    assert!(o.contains("d BAD"), "{o}");
    assert_eq!(
        ev,
        ["Unauthenticated"],
        "no command reached the application"
    );
}
