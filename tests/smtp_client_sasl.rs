//! The SMTP client's raw SASL path (AUTH sent with `send_command`, each 334
//! reported as `ClientEvent::AuthChallenge`) against a scripted server whose
//! lines are written from RFC 4954 §4 and RFC 2195 §2, not produced by
//! mailwire's server.

use std::borrow::Cow;

use mailwire::error::Fault;
use mailwire::smtp::*;
use mailwire::{Error, Limits};

/// A client machine driven by hand: the test plays the server.
struct Peer {
    client: Client,
    wire: Vec<u8>,
}

const EHLO: &[u8] = b"250-mx.example\r\n250-AUTH PLAIN CRAM-MD5\r\n250 8BITMIME\r\n";

impl Peer {
    fn ready(limits: Limits) -> Peer {
        let mut cfg = ClientConfig::new("client.example");
        cfg.limits = limits;
        let mut p = Peer {
            client: Client::new(cfg),
            wire: Vec::new(),
        };
        let ev = p.server(b"220 mx.example ESMTP\r\n").unwrap();
        assert!(ev[0].starts_with("Greeting"), "{ev:?}");
        assert_eq!(p.take_wire(), "EHLO client.example\r\n");
        let ev = p.server(EHLO).unwrap();
        assert!(ev[0].starts_with("Ready"), "{ev:?}");
        p
    }

    /// The server sends `bytes`: the events (owned), or the machine's error.
    fn server(&mut self, bytes: &[u8]) -> Result<Vec<String>, Error> {
        self.client.handle_input(bytes);
        let mut out = Vec::new();
        while let Some(ev) = self.client.poll_event()? {
            out.push(format!("{:?}", ev.into_owned()));
        }
        Ok(out)
    }

    /// The server sends `bytes`, which must bring exactly one challenge.
    fn challenge(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.client.handle_input(bytes);
        let ev = self.client.poll_event().unwrap().map(|e| e.into_owned());
        let Some(ClientEvent::AuthChallenge(c)) = ev else {
            panic!("expected a challenge, got {ev:?}");
        };
        assert!(self.client.poll_event().unwrap().is_none());
        c.into_owned()
    }

    fn take_wire(&mut self) -> String {
        while let Some(b) = self.client.poll_transmit() {
            self.wire.extend_from_slice(&b);
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.wire)).into_owned()
    }

    fn auth(&mut self, mechanism: &str, ir: Option<&str>) -> Result<(), Error> {
        self.client.send_command(&Command::Auth {
            mechanism: Cow::Borrowed(mechanism),
            initial_response: ir.map(Cow::Borrowed),
        })
    }
}

fn limits() -> Limits {
    Limits::default()
}

// RFC 2195 §2, the example: "S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
// C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" for user "tim", secret
// "tanstaaftanstaaf"; RFC 4954 §4 carries the same challenge in a 334 reply:
// "334 SP [base64] CRLF".
#[cfg(feature = "sasl-hash")]
#[test]
fn cram_md5_rfc2195_example_bytes() {
    use mailwire::wire::sasl::{Credentials, SaslClient};
    let mut p = Peer::ready(limits());
    p.auth("CRAM-MD5", None).unwrap();
    assert_eq!(p.take_wire(), "AUTH CRAM-MD5\r\n");
    let challenge =
        p.challenge(b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    // nothing goes out until the application answers
    assert_eq!(p.take_wire(), "");
    let mut sasl = SaslClient::try_new(Credentials::CramMd5 {
        username: "tim",
        password: "tanstaaftanstaaf".into(),
    })
    .unwrap();
    assert_eq!(sasl.initial_response(), None);
    let response = sasl.step(&challenge).unwrap();
    p.client.auth_response(&response).unwrap();
    assert_eq!(
        p.take_wire(),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
    );
    let ev = p
        .server(b"235 2.7.0 Authentication successful\r\n")
        .unwrap();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(
        ev[0].starts_with("Reply { command: Auth") && ev[0].contains("235"),
        "{ev:?}"
    );
    // the session goes on
    assert!(p.client.is_ready());
    p.client.noop().unwrap();
    assert_eq!(p.take_wire(), "NOOP\r\n");
}

// RFC 4954 §4: "If the client is transmitting an initial response of zero
// length, it MUST instead transmit the response as a single equals sign";
// and the examples: "C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ= / S: 235 2.7.0
// Authentication successful" (no challenge), and "C: AUTH PLAIN / S: 334 /
// C: dGVzdAB0ZXN0ADEyMzQ= / S: 235 2.7.0" (an empty challenge).
#[test]
fn rfc4954_exchange_shapes() {
    // initial response, no challenge
    let mut p = Peer::ready(limits());
    p.auth("PLAIN", Some("dGVzdAB0ZXN0ADEyMzQ=")).unwrap();
    assert_eq!(p.take_wire(), "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
    let ev = p
        .server(b"235 2.7.0 Authentication successful\r\n")
        .unwrap();
    assert!(ev[0].starts_with("Reply { command: Auth"), "{ev:?}");
    assert!(p.client.is_ready());

    // empty challenge ("334 " and the bare "334"), answered
    for empty in [&b"334 \r\n"[..], b"334\r\n"] {
        let mut p = Peer::ready(limits());
        p.auth("PLAIN", None).unwrap();
        assert_eq!(p.take_wire(), "AUTH PLAIN\r\n");
        assert_eq!(p.challenge(empty), b"");
        p.client.auth_response(b"\0test\x001234").unwrap();
        assert_eq!(p.take_wire(), "AHRlc3QAMTIzNA==\r\n");
        let ev = p
            .server(b"235 2.7.0 Authentication successful\r\n")
            .unwrap();
        assert!(ev[0].contains("235"), "{ev:?}");
    }

    // an empty answer is an empty line; the empty initial response is "="
    let mut p = Peer::ready(limits());
    p.auth("PLAIN", Some("=")).unwrap();
    assert_eq!(p.take_wire(), "AUTH PLAIN =\r\n");
    assert_eq!(p.challenge(b"334 \r\n"), b"");
    p.client.auth_response(b"").unwrap();
    assert_eq!(p.take_wire(), "\r\n");
    let ev = p
        .server(b"535 5.7.8 Authentication credentials invalid\r\n")
        .unwrap();
    assert!(
        ev[0].starts_with("Reply { command: Auth") && ev[0].contains("535"),
        "{ev:?}"
    );
    // a failed AUTH leaves the session usable
    assert!(p.client.is_ready());
}

// RFC 4954 §4: "If the client wishes to cancel the authentication exchange,
// it issues a line with a single "*". If the server receives such a
// response, it MUST reject the AUTH command by sending a 501 reply."
#[test]
fn cancel_sends_a_star() {
    let mut p = Peer::ready(limits());
    p.auth("CRAM-MD5", None).unwrap();
    p.take_wire();
    p.challenge(b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    p.client.auth_cancel().unwrap();
    assert_eq!(p.take_wire(), "*\r\n");
    // answered once: a second answer is misuse and sends nothing
    assert!(matches!(p.client.auth_cancel(), Err(Error::Misuse(_))));
    assert!(matches!(
        p.client.auth_response(b"x"),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
    let ev = p.server(b"501 5.7.0 Authentication cancelled\r\n").unwrap();
    assert!(ev[0].contains("501"), "{ev:?}");
    assert!(p.client.is_ready());
}

// A 334 whose text is not base64 (RFC 4954 §4: "334 SP [base64]") is the
// server's fault: the machine reports it and cancels the exchange.
#[test]
fn non_base64_challenge_is_a_peer_fault_and_cancels() {
    let mut p = Peer::ready(limits());
    p.auth("CRAM-MD5", None).unwrap();
    p.take_wire();
    let ev = p.server(b"334 <not base64!>\r\n").unwrap();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(
        ev[0].starts_with("MalformedReply { command: Some(Auth)"),
        "{ev:?}"
    );
    assert_eq!(p.take_wire(), "*\r\n");
    // nothing to answer: the machine cancelled already
    assert!(matches!(
        p.client.auth_response(b"x"),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
    let ev = p.server(b"501 5.5.2 Cannot decode response\r\n").unwrap();
    assert!(ev[0].contains("501"), "{ev:?}");
    assert!(p.client.is_ready());

    // the error it carries is the peer's fault
    let mut p = Peer::ready(limits());
    p.auth("CRAM-MD5", None).unwrap();
    p.client.handle_input(b"334 ***\r\n");
    match p.client.poll_event().unwrap().map(|e| e.into_owned()) {
        Some(ClientEvent::MalformedReply { error, .. }) => {
            assert_eq!(Error::Parse(error).fault(), Fault::Peer);
        }
        other => panic!("{other:?}"),
    }
}

// Limits::auth_exchanges bounds the challenges of one AUTH: a server that
// keeps challenging ends the session with a limit error, never a loop.
#[test]
fn too_many_exchanges_is_a_limit_error() {
    let mut l = limits();
    l.auth_exchanges = 3;
    let mut p = Peer::ready(l);
    p.auth("CRAM-MD5", None).unwrap();
    p.take_wire();
    for _ in 0..3 {
        assert_eq!(p.challenge(b"334 YQ==\r\n"), b"a");
        p.client.auth_response(b"b").unwrap();
        assert_eq!(p.take_wire(), "Yg==\r\n");
    }
    match p.server(b"334 YQ==\r\n") {
        Err(e @ Error::Limit(_)) => assert_eq!(e.fault(), Fault::Limit),
        other => panic!("{other:?}"),
    }
    assert!(p.client.is_closed());
}

// Challenges nobody asked for: a 334 to a command that takes none, a second
// 334 before the first was answered, and answers with no challenge open.
#[test]
fn unexpected_challenges_are_refused() {
    // 334 to NOOP (RFC 4954 §4 has 334 only inside AUTH)
    let mut p = Peer::ready(limits());
    p.client.noop().unwrap();
    p.take_wire();
    match p.server(b"334 YQ==\r\n") {
        Err(e @ Error::Protocol(_)) => assert_eq!(e.fault(), Fault::Peer),
        other => panic!("{other:?}"),
    }

    // a second 334 while the first is unanswered
    let mut p = Peer::ready(limits());
    p.auth("CRAM-MD5", None).unwrap();
    p.take_wire();
    p.challenge(b"334 YQ==\r\n");
    assert!(matches!(p.server(b"334 Yg==\r\n"), Err(Error::Protocol(_))));

    // answers with no challenge open never reach the wire
    let mut p = Peer::ready(limits());
    assert!(matches!(
        p.client.auth_response(b"x"),
        Err(Error::Misuse(_))
    ));
    assert!(matches!(p.client.auth_cancel(), Err(Error::Misuse(_))));
    p.auth("CRAM-MD5", None).unwrap();
    assert_eq!(p.take_wire(), "AUTH CRAM-MD5\r\n");
    assert!(matches!(
        p.client.auth_response(b"x"),
        Err(Error::Misuse(_))
    ));
    // and nothing else goes out while AUTH runs
    assert!(matches!(p.client.noop(), Err(Error::Misuse(_))));
    assert_eq!(p.take_wire(), "");
}

// RFC 4954 §4: "AUTH mechanism [initial-response]" names "a SASL mechanism
// supported by the server"; the raw path refuses one the server did not offer.
#[test]
fn mechanism_not_offered_is_refused() {
    let mut p = Peer::ready(limits());
    assert!(matches!(
        p.auth("SCRAM-SHA-256", None),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
}
