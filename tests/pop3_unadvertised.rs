//! The POP3 client's policy for commands the server did not advertise, against
//! a scripted server whose lines are written from RFC 2449 (CAPA), RFC 2595
//! (STLS) and RFC 5034 (SASL): refused unless the application opts in with
//! `ClientConfig::trust_unadvertised`, as in the IMAP and SMTP clients.

use mailwire::Error;
use mailwire::pop3::{Client, ClientConfig, Command};
use mailwire::wire::sasl::Credentials;

/// A client that read `greeting`, then (when `capa` is given) sent CAPA and
/// read `capa` as its answer. Returns it with its output drained.
fn client(cfg: ClientConfig, greeting: &[u8], capa: Option<&[u8]>) -> Client {
    let mut c = Client::new(cfg);
    c.handle_input(greeting);
    while c.poll_event().unwrap().is_some() {}
    if let Some(capa) = capa {
        c.capa().unwrap();
        assert_eq!(&c.poll_transmit().unwrap()[..], b"CAPA\r\n");
        c.handle_input(capa);
        while c.poll_event().unwrap().is_some() {}
    }
    assert_eq!(c.poll_transmit(), None);
    c
}

fn trusting() -> ClientConfig {
    let mut c = ClientConfig::default();
    c.trust_unadvertised = true;
    c
}

fn sent(c: &mut Client) -> Vec<u8> {
    let mut v = Vec::new();
    while let Some(b) = c.poll_transmit() {
        v.extend_from_slice(&b);
    }
    v
}

// RFC 2449 §5 example answer, without STLS and SASL.
const CAPA_BASIC: &[u8] = b"+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\n.\r\n";
const CAPA_EXT: &[u8] =
    b"+OK Capability list follows\r\nSTLS\r\nSASL PLAIN LOGIN\r\nUTF8\r\nLANG\r\n.\r\n";

// RFC 2595 §4: "The STLS command is only permitted in AUTHORIZATION state and
// the server remains in AUTHORIZATION state, even if authentication succeeds",
// and its capability: "CAPA tag: STLS". RFC 2449 §6.3: "The SASL capability
// indicates that the AUTH command is available [...] The argument to the SASL
// capability is a space separated list of SASL mechanisms which are
// supported."
#[test]
fn extension_commands_need_their_capa_tag() {
    for capa in [None, Some(CAPA_BASIC)] {
        let mut c = client(ClientConfig::default(), b"+OK ready\r\n", capa);
        for cmd in [
            Command::Stls,
            Command::Utf8,
            Command::Lang { tag: None },
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: None,
            },
        ] {
            let r = c.send_command(&cmd);
            assert!(matches!(r, Err(Error::Misuse(_))), "{cmd:?}: {r:?}");
        }
        let r = c.authenticate(Credentials::Plain {
            authzid: None,
            username: "u",
            password: "p".into(),
        });
        assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
        assert_eq!(sent(&mut c), b"");
    }
    // Listed: sent.
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", Some(CAPA_EXT));
    c.send_command(&Command::Utf8).unwrap();
    assert_eq!(sent(&mut c), b"UTF8\r\n");
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", Some(CAPA_EXT));
    c.stls().unwrap();
    assert_eq!(sent(&mut c), b"STLS\r\n");
    // A mechanism the SASL line does not list is refused.
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", Some(CAPA_EXT));
    let r = c.send_command(&Command::Auth {
        mechanism: "CRAM-MD5".into(),
        initial_response: None,
    });
    assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
    c.send_command(&Command::Auth {
        mechanism: "PLAIN".into(),
        initial_response: Some("AHUAcA==".into()),
    })
    .unwrap();
    assert_eq!(sent(&mut c), b"AUTH PLAIN AHUAcA==\r\n");
}

// RFC 2449 §6: "Note that there is no APOP capability, even though APOP is an
// optional command in [POP3].  Clients discover server support of APOP by the
// presence in the greeting banner of an initial challenge enclosed in angle
// brackets ("<>")."
#[test]
fn apop_needs_a_greeting_timestamp() {
    let apop = Command::Apop {
        name: "mrose".into(),
        digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
    };
    let mut c = client(ClientConfig::default(), b"+OK POP3 server ready\r\n", None);
    assert!(matches!(c.send_command(&apop), Err(Error::Misuse(_))));
    assert_eq!(sent(&mut c), b"");
    let mut c = client(
        ClientConfig::default(),
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        None,
    );
    c.send_command(&apop).unwrap();
    assert_eq!(
        sent(&mut c),
        b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
    );
}

// RFC 2449 §6.1: "The TOP capability indicates the optional TOP command is
// available." §6.2: "The USER capability indicates that the USER and PASS
// commands are supported". §6.8: "The UIDL capability indicates that the
// optional UIDL command is supported." Before RFC 2449 these RFC 1939 commands
// were probed for, so without a CAPA answer they are sent.
#[test]
fn optional_rfc1939_commands_follow_a_capa_answer() {
    let capa_none: &[u8] = b"+OK Capability list follows\r\nSASL PLAIN\r\n.\r\n";
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", Some(capa_none));
    let r = c.login("u", "p");
    assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
    assert_eq!(sent(&mut c), b"");
    // Without CAPA: sent.
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", None);
    c.login("u", "p").unwrap();
    assert_eq!(sent(&mut c), b"USER u\r\n");
    // Listed: sent.
    let mut c = client(ClientConfig::default(), b"+OK ready\r\n", Some(CAPA_BASIC));
    c.login("u", "p").unwrap();
    assert_eq!(sent(&mut c), b"USER u\r\n");
    // TOP and UIDL in TRANSACTION, after a CAPA without them.
    let mut c = client(
        ClientConfig::default(),
        b"+OK ready\r\n",
        Some(b"+OK\r\nUSER\r\n.\r\n"),
    );
    c.login("u", "p").unwrap();
    c.handle_input(b"+OK\r\n");
    while c.poll_event().unwrap().is_some() {}
    c.handle_input(b"+OK maildrop locked\r\n");
    while c.poll_event().unwrap().is_some() {}
    sent(&mut c);
    assert!(matches!(c.top(1, 0), Err(Error::Misuse(_))));
    assert!(matches!(c.uidl(None), Err(Error::Misuse(_))));
    c.retr(1).unwrap();
    assert_eq!(sent(&mut c), b"RETR 1\r\n");
}

#[test]
fn trust_unadvertised_sends_them() {
    let mut c = client(trusting(), b"+OK ready\r\n", Some(CAPA_BASIC));
    c.send_command(&Command::Utf8).unwrap();
    c.send_command(&Command::Lang { tag: None }).unwrap();
    assert_eq!(sent(&mut c), b"UTF8\r\n");
    let mut c = client(trusting(), b"+OK ready\r\n", None);
    c.stls().unwrap();
    assert_eq!(sent(&mut c), b"STLS\r\n");
}
