//! `smtp::Submission` against a scripted server whose replies follow RFC 5321 §4.2, RFC 3207 (STARTTLS),
//! RFC 4954 (AUTH), RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 3030 (CHUNKING, BINARYMIME) and RFC 6531
//! (SMTPUTF8): the machine picks the MAIL parameters the message needs, runs STARTTLS and AUTH by itself,
//! and reports each recipient and the final result.

use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent, TlsPolicy};

/// Feeds `reply`, returns what the machine sent since the last call and the events.
fn exchange(s: &mut Submission, reply: &str) -> (String, Vec<SubmissionEvent>) {
    s.handle_input(reply.as_bytes());
    let mut events = Vec::new();
    while let Some(e) = s.poll_event().unwrap() {
        events.push(e);
    }
    let sent: Vec<u8> = std::iter::from_fn(|| s.poll_transmit()).flatten().collect();
    (String::from_utf8_lossy(&sent).into_owned(), events)
}

const GREETING: &str = "220 mx.example.net ESMTP\r\n";

fn ehlo(keywords: &[&str]) -> String {
    let mut r = String::from("250-mx.example.net\r\n");
    for (i, k) in keywords.iter().enumerate() {
        let sep = if i + 1 == keywords.len() { ' ' } else { '-' };
        r.push_str(&format!("250{sep}{k}\r\n"));
    }
    if keywords.is_empty() {
        r = "250 mx.example.net\r\n".into();
    }
    r
}

fn plain(config: SubmissionConfig) -> Submission {
    Submission::new(config.tls(TlsPolicy::None))
}

#[test]
fn starttls_then_auth_then_the_message() {
    let config = SubmissionConfig::new("client.example").credentials("alice", "secret");
    let mut s = Submission::new(config);
    s.submit(
        "alice@example.org",
        &["bob@example.net"],
        "Subject: x\r\n\r\nhi\r\n",
    )
    .unwrap();
    s.quit_when_done();
    let (sent, _) = exchange(&mut s, GREETING);
    assert_eq!(sent, "EHLO client.example\r\n");
    // RFC 3207 §4: STARTTLS, 220, handshake, then EHLO again (§4.2)
    let (sent, _) = exchange(&mut s, &ehlo(&["STARTTLS", "AUTH PLAIN"]));
    assert_eq!(sent, "STARTTLS\r\n");
    let (sent, events) = exchange(&mut s, "220 2.0.0 Ready to start TLS\r\n");
    assert_eq!(
        (sent.as_str(), events.as_slice()),
        ("", &[SubmissionEvent::StartTls][..])
    );
    s.tls_established().unwrap();
    let (sent, _) = exchange(&mut s, "");
    assert_eq!(sent, "EHLO client.example\r\n");
    // RFC 4954 §4: AUTH PLAIN with the initial response (RFC 4616 §2: authzid NUL authcid NUL passwd)
    let (sent, _) = exchange(&mut s, &ehlo(&["AUTH PLAIN LOGIN", "SIZE 1000"]));
    assert_eq!(sent, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    let (sent, _) = exchange(&mut s, "235 2.7.0 Authentication successful\r\n");
    // no PIPELINING: one command at a time (RFC 5321 §4.1.1); SIZE= because the server offers SIZE
    assert_eq!(sent, "MAIL FROM:<alice@example.org> SIZE=18\r\n");
    let (sent, _) = exchange(&mut s, "250 2.1.0 Ok\r\n");
    assert_eq!(sent, "RCPT TO:<bob@example.net>\r\n");
    let (sent, events) = exchange(&mut s, "250 2.1.5 Ok\r\n");
    assert_eq!(sent, "DATA\r\n");
    assert!(matches!(
        &events[..],
        [SubmissionEvent::Recipient {
            message: 0,
            recipient: 0,
            ..
        }]
    ));
    let (sent, _) = exchange(&mut s, "354 go ahead\r\n");
    assert_eq!(sent, "Subject: x\r\n\r\nhi\r\n.\r\n");
    let (sent, events) = exchange(&mut s, "250 2.0.0 Ok: queued\r\n");
    assert_eq!(sent, "QUIT\r\n");
    match &events[..] {
        [SubmissionEvent::Sent { message: 0, reply }] => {
            assert_eq!(reply.to_string(), "250 2.0.0 Ok: queued")
        }
        other => panic!("{other:?}"),
    }
    let (_, events) = exchange(&mut s, "221 2.0.0 Bye\r\n");
    assert_eq!(events, [SubmissionEvent::Closed]);
}

#[test]
fn tls_required_but_not_offered_sends_nothing() {
    let mut s = Submission::new(SubmissionConfig::new("c"));
    s.submit("a@b.example", &["c@d.example"], "x\r\n").unwrap();
    exchange(&mut s, GREETING);
    let (sent, events) = exchange(&mut s, &ehlo(&["PIPELINING"]));
    assert_eq!(sent, "QUIT\r\n");
    assert!(
        matches!(
            &events[..],
            [SubmissionEvent::Failed {
                message: 0,
                reply: None,
                ..
            }]
        ),
        "{events:?}"
    );
}

#[test]
fn opportunistic_tls_goes_on_in_the_clear() {
    let mut s = Submission::new(SubmissionConfig::new("c").tls(TlsPolicy::Opportunistic));
    s.submit("a@b.example", &["c@d.example"], "x\r\n").unwrap();
    exchange(&mut s, GREETING);
    // RFC 2920 §3: with PIPELINING, MAIL, RCPT and DATA go in one group
    let (sent, _) = exchange(&mut s, &ehlo(&["PIPELINING"]));
    assert_eq!(
        sent,
        "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n"
    );
}

#[test]
fn parameters_follow_the_message() {
    // RFC 6152 §3: 8-bit octets need BODY=8BITMIME
    let mut s = plain(SubmissionConfig::new("c"));
    s.submit(
        "a@b.example",
        &["c@d.example"],
        "Subject: x\r\n\r\ncaf\u{e9}\r\n",
    )
    .unwrap();
    exchange(&mut s, GREETING);
    let (sent, _) = exchange(&mut s, &ehlo(&["8BITMIME"]));
    assert_eq!(sent, "MAIL FROM:<a@b.example> BODY=8BITMIME\r\n");

    // RFC 6531 §3.4: a UTF-8 address (or header) needs SMTPUTF8
    let mut s = plain(SubmissionConfig::new("c"));
    s.submit(
        "jürgen@b.example",
        &["c@d.example"],
        "Subject: x\r\n\r\nx\r\n",
    )
    .unwrap();
    exchange(&mut s, GREETING);
    let (sent, _) = exchange(&mut s, &ehlo(&["8BITMIME", "SMTPUTF8"]));
    assert_eq!(sent, "MAIL FROM:<jürgen@b.example> SMTPUTF8\r\n");

    // RFC 3030 §3: NUL needs BINARYMIME, which goes only over BDAT; the body ends with a zero-length
    // last chunk (RFC 3030 §2: "bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF", and a
    // chunk-size of 0 is allowed with LAST)
    let mut s = plain(SubmissionConfig::new("c"));
    s.submit("a@b.example", &["c@d.example"], &b"x\0y\r\n"[..])
        .unwrap();
    exchange(&mut s, GREETING);
    let (sent, _) = exchange(&mut s, &ehlo(&["CHUNKING", "BINARYMIME", "PIPELINING"]));
    assert_eq!(
        sent,
        "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@d.example>\r\nBDAT 5\r\nx\0y\r\nBDAT 0 LAST\r\n"
    );
}

#[test]
fn messages_the_server_cannot_take_fail_before_mail() {
    for (keywords, body) in [
        // RFC 1870 §6: over the announced maximum
        (
            &["SIZE 10"][..],
            &b"Subject: x\r\n\r\nmore than ten\r\n"[..],
        ),
        // RFC 6152 §3: 8-bit without 8BITMIME
        (&[][..], "caf\u{e9}\r\n".as_bytes()),
        // RFC 3030 §3: NUL without BINARYMIME and CHUNKING
        (&["8BITMIME"][..], &b"x\0\r\n"[..]),
        // a bare LF is not CRLF (RFC 5321 §2.3.8)
        (&["8BITMIME"][..], &b"x\ny\r\n"[..]),
    ] {
        let mut s = plain(SubmissionConfig::new("c"));
        s.submit("a@b.example", &["c@d.example"], body).unwrap();
        s.quit_when_done();
        exchange(&mut s, GREETING);
        let (sent, events) = exchange(&mut s, &ehlo(keywords));
        assert_eq!(sent, "QUIT\r\n", "{keywords:?}");
        assert!(
            matches!(&events[..], [SubmissionEvent::Failed { reply: None, .. }]),
            "{events:?}"
        );
    }
}

#[test]
fn each_recipient_is_reported_and_a_refused_transaction_fails() {
    let mut s = plain(SubmissionConfig::new("c"));
    s.submit("a@b.example", &["ok@d.example", "no@d.example"], "x\r\n")
        .unwrap();
    s.submit("a@b.example", &["no@d.example"], "y\r\n").unwrap();
    exchange(&mut s, GREETING);
    exchange(&mut s, &ehlo(&["PIPELINING"]));
    // RFC 5321 §3.3: a 550 to one RCPT leaves the others
    let (sent, events) = exchange(
        &mut s,
        "250 Ok\r\n250 Ok\r\n550 5.1.1 no such user\r\n354 go\r\n",
    );
    assert_eq!(sent, "x\r\n.\r\n");
    assert!(
        matches!(
            &events[..],
            [
                SubmissionEvent::Recipient {
                    message: 0,
                    recipient: 0,
                    ..
                },
                SubmissionEvent::Recipient {
                    message: 0,
                    recipient: 1,
                    ..
                }
            ]
        ),
        "{events:?}"
    );
    let (sent, events) = exchange(&mut s, "250 Ok: queued\r\n");
    assert!(matches!(
        &events[..],
        [SubmissionEvent::Sent { message: 0, .. }]
    ));
    assert_eq!(
        sent,
        "MAIL FROM:<a@b.example>\r\nRCPT TO:<no@d.example>\r\nDATA\r\n"
    );
    // every recipient refused: RFC 2920 §3.1 the DATA gets 554 "no valid recipients"
    let (_, events) = exchange(
        &mut s,
        "250 Ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n",
    );
    match events.last() {
        Some(SubmissionEvent::Failed {
            message: 1,
            reply: Some(r),
            ..
        }) => assert_eq!(r.code().to_string(), "550"),
        other => panic!("{other:?} in {events:?}"),
    }
}

#[test]
fn hostile_and_misused() {
    let mut s = plain(SubmissionConfig::new("c"));
    assert!(
        s.submit("not an address", &["c@d.example"], "x\r\n")
            .is_err()
    );
    assert!(
        s.submit("a@b.example", &["c@d.example\r\nRCPT TO:<evil@x>"], "x\r\n")
            .is_err()
    );
    assert!(s.submit("a@b.example", &[], "x\r\n").is_err());
    // a server that closes at once: every queued message fails, then Closed
    s.submit("a@b.example", &["c@d.example"], "x\r\n").unwrap();
    s.handle_input(b"554 no service\r\n");
    s.handle_eof();
    let mut events = Vec::new();
    while let Ok(Some(e)) = s.poll_event() {
        events.push(e);
    }
    assert!(events.contains(&SubmissionEvent::Closed), "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SubmissionEvent::Failed { message: 0, .. })),
        "{events:?}"
    );
    assert!(s.is_closed());
    // AUTH refused: the message fails with the 535
    let mut s = plain(SubmissionConfig::new("c").credentials("a", "b"));
    s.submit("a@b.example", &["c@d.example"], "x\r\n").unwrap();
    exchange(&mut s, GREETING);
    exchange(&mut s, &ehlo(&["AUTH LOGIN"]));
    let (sent, _) = exchange(&mut s, "334 VXNlcm5hbWU6\r\n");
    assert_eq!(sent, "YQ==\r\n");
    let (_, _) = exchange(&mut s, "334 UGFzc3dvcmQ6\r\n");
    let (sent, events) = exchange(&mut s, "535 5.7.8 no\r\n");
    assert_eq!(sent, "QUIT\r\n");
    assert!(
        matches!(
            &events[..],
            [SubmissionEvent::Failed { reply: Some(_), .. }]
        ),
        "{events:?}"
    );
}

// ------------------------------------------------- AUTH with CRAM-MD5 and SCRAM
//
// The mechanism the machine picks, and the exchanges it runs, against the
// RFCs' own example exchanges carried in RFC 4954 §4 framing ("334 SP
// [base64]" challenges, a base64 line per response, "235" on success).

#[cfg(feature = "sasl-hash")]
mod hashed {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use mailwire::Error;

    fn b64(raw: &str) -> String {
        STANDARD.encode(raw)
    }

    /// A submission with one queued message, after the greeting; `tls` says
    /// whether the session is already under TLS (implicit TLS, RFC 8314).
    fn session(config: SubmissionConfig, tls: bool) -> Submission {
        let mut client = mailwire::smtp::ClientConfig::new("client.example");
        client.tls_active = tls;
        let mut s = Submission::new(config.client(client).tls(TlsPolicy::None));
        s.submit("user@example.org", &["bob@example.net"], "x\r\n")
            .unwrap();
        let (sent, _) = exchange(&mut s, GREETING);
        assert_eq!(sent, "EHLO client.example\r\n");
        s
    }

    /// The AUTH line the machine sends after an EHLO offering `auth`.
    fn auth_line(config: SubmissionConfig, tls: bool, auth: &str) -> String {
        let mut s = session(config, tls);
        exchange(&mut s, &ehlo(&[&format!("AUTH {auth}")])).0
    }

    // RFC 2195 §2: "S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
    // C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", user "tim", shared
    // secret "tanstaaftanstaaf". Here in the clear, as Exim offers it before
    // TLS ("250-AUTH CRAM-MD5" only): CRAM-MD5 does not reveal the password.
    #[test]
    fn cram_md5_in_the_clear_rfc2195_exchange() {
        let config = SubmissionConfig::new("c").credentials("tim", "tanstaaftanstaaf");
        let mut s = session(config, false);
        let (sent, _) = exchange(&mut s, &ehlo(&["AUTH CRAM-MD5"]));
        assert_eq!(sent, "AUTH CRAM-MD5\r\n");
        let (sent, _) = exchange(
            &mut s,
            "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
        );
        assert_eq!(sent, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
        let (sent, events) = exchange(&mut s, "235 2.7.0 Authentication successful\r\n");
        assert_eq!(sent, "MAIL FROM:<user@example.org>\r\n");
        assert!(events.is_empty(), "{events:?}");
    }

    // RFC 7677 §3: "This is a simple example of a SCRAM-SHA-256 authentication
    // exchange when the client doesn't support channel bindings. The username
    // 'user' and password 'pencil' are being used."
    const RFC7677: [&str; 4] = [
        "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    ];

    // RFC 5802 §5: "This is a simple example of a SCRAM-SHA-1 authentication
    // exchange when the client doesn't support channel bindings (username
    // 'user' and password 'pencil' are used)".
    const RFC5802: [&str; 4] = [
        "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    ];

    /// Runs a SCRAM exchange of `rfc` after an EHLO offering `auth`; the
    /// client-first rides on the AUTH line (RFC 4954 §4 initial response), the
    /// server-final comes in a 334 and is answered with an empty line.
    fn scram(nonce: &str, auth: &str, mechanism: &str, rfc: [&str; 4], tls: bool) {
        let config = SubmissionConfig::new("c")
            .credentials("user", "pencil")
            .scram_nonce(nonce);
        let mut s = session(config, tls);
        let (sent, _) = exchange(&mut s, &ehlo(&[&format!("AUTH {auth}")]));
        assert_eq!(sent, format!("AUTH {mechanism} {}\r\n", b64(rfc[0])));
        let (sent, _) = exchange(&mut s, &format!("334 {}\r\n", b64(rfc[1])));
        assert_eq!(sent, format!("{}\r\n", b64(rfc[2])));
        let (sent, _) = exchange(&mut s, &format!("334 {}\r\n", b64(rfc[3])));
        assert_eq!(sent, "\r\n");
        let (sent, _) = exchange(&mut s, "235 2.7.0 Authentication successful\r\n");
        assert_eq!(sent, "MAIL FROM:<user@example.org>\r\n");
    }

    #[test]
    fn scram_sha256_is_preferred_rfc7677_exchange() {
        for tls in [false, true] {
            scram(
                "rOprNGfwEbeRWgbNEkqO",
                "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256",
                "SCRAM-SHA-256",
                RFC7677,
                tls,
            );
        }
    }

    #[test]
    fn scram_sha1_rfc5802_exchange() {
        for tls in [false, true] {
            scram(
                "fyko+d2lbbFgONRv9qkxdawL",
                "PLAIN CRAM-MD5 SCRAM-SHA-1",
                "SCRAM-SHA-1",
                RFC5802,
                tls,
            );
        }
    }

    #[test]
    fn the_choice_follows_tls_and_the_nonce() {
        let cred = || SubmissionConfig::new("c").credentials("tim", "tanstaaftanstaaf");
        // without TLS: CRAM-MD5 before PLAIN and LOGIN (the password stays home)
        assert_eq!(
            auth_line(cred(), false, "PLAIN LOGIN CRAM-MD5"),
            "AUTH CRAM-MD5\r\n"
        );
        // under TLS: PLAIN before CRAM-MD5 (RFC 4954 §4's PLAIN is safe there,
        // and CRAM-MD5 makes the server keep the password)
        assert_eq!(
            auth_line(cred(), true, "CRAM-MD5 LOGIN PLAIN"),
            "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
        );
        assert_eq!(auth_line(cred(), true, "CRAM-MD5"), "AUTH CRAM-MD5\r\n");
        // SCRAM only with a nonce from the application
        assert_eq!(
            auth_line(cred(), false, "SCRAM-SHA-256 CRAM-MD5"),
            "AUTH CRAM-MD5\r\n"
        );
        assert!(
            auth_line(
                cred().scram_nonce("abcdefghijklmnopqrstuvwx"),
                true,
                "plain scram-sha-256"
            )
            .starts_with("AUTH SCRAM-SHA-256 ")
        );
        // nothing the machine can run: no AUTH, the message fails, QUIT
        let mut s = session(cred(), false);
        let (sent, events) = exchange(&mut s, &ehlo(&["AUTH SCRAM-SHA-256 GSSAPI"]));
        assert_eq!(sent, "QUIT\r\n");
        assert!(
            matches!(
                &events[..],
                [SubmissionEvent::Failed {
                    message: 0,
                    reply: None,
                    ..
                }]
            ),
            "{events:?}"
        );
    }

    // RFC 5802 §5: "The client then authenticates the server by computing the
    // ServerSignature and comparing it to the value sent by the server."
    // A forged v= is cancelled (RFC 4954 §4: "*"); a 235 after it is an error,
    // and no message goes to a server that did not prove itself.
    #[test]
    fn a_scram_server_with_a_wrong_signature_gets_no_message() {
        let config = SubmissionConfig::new("c")
            .credentials("user", "pencil")
            .scram_nonce("rOprNGfwEbeRWgbNEkqO");
        let mut s = session(config, true);
        exchange(&mut s, &ehlo(&["AUTH SCRAM-SHA-256"]));
        exchange(&mut s, &format!("334 {}\r\n", b64(RFC7677[1])));
        let forged = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=";
        let (sent, _) = exchange(&mut s, &format!("334 {}\r\n", b64(forged)));
        assert_eq!(sent, "*\r\n");
        s.handle_input(b"235 2.7.0 Authentication successful\r\n");
        assert!(matches!(s.poll_event(), Err(Error::Sasl(_))));
        let sent: Vec<u8> = std::iter::from_fn(|| s.poll_transmit()).flatten().collect();
        assert!(!String::from_utf8_lossy(&sent).contains("MAIL"), "{sent:?}");
    }

    // A 535 after CRAM-MD5 fails the message with that reply.
    #[test]
    fn a_refused_cram_md5_fails_the_message() {
        let config = SubmissionConfig::new("c").credentials("tim", "wrong");
        let mut s = session(config, false);
        exchange(&mut s, &ehlo(&["AUTH CRAM-MD5"]));
        exchange(
            &mut s,
            "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
        );
        let (sent, events) = exchange(&mut s, "535 5.7.8 Authentication credentials invalid\r\n");
        assert_eq!(sent, "QUIT\r\n");
        assert!(
            matches!(&events[..], [SubmissionEvent::Failed { reply: Some(r), .. }] if r.code().to_string() == "535"),
            "{events:?}"
        );
    }
}
