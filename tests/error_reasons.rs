//! Typed error reasons from real calls, one or more per protocol: each error
//! names its reason ([`PeerMisbehaved`], [`ApiMisuse`], [`Unemittable`],
//! [`SaslError`]) and is classed under the right [`Fault`]. A SASL message
//! from the peer that is malformed or wrong is the peer's fault, not the
//! application's.
//!
//! The peers' lines are written from the RFCs' text, not produced by
//! mailwire's other side.

use mailwire::error::Fault;
use mailwire::wire::sasl::{
    Credentials, Mechanism, SaslClient, SaslServer, decode_challenge, decode_client_line,
};
use mailwire::{ApiMisuse, Error, PeerMisbehaved, SaslError, Unemittable};

// ------------------------------------------------------------------- SASL

/// RFC 4616 §2: `message = [authzid] UTF8NUL authcid UTF8NUL passwd`. A
/// client message without the two NULs is the client's fault.
#[test]
fn sasl_plain_message_without_nuls_is_the_peers_fault() {
    let mut s = SaslServer::new(Mechanism::Plain);
    let e = s.start(Some(b"user password")).unwrap_err();
    assert_eq!(e, Error::Sasl(SaslError::PlainMalformed));
    assert_eq!(e.fault(), Fault::Peer);
}

/// RFC 4954 §4: "The client [...] MUST reject a challenge that is not
/// valid base64" (a 334's text is base64); RFC 4954 §4 likewise for the
/// client's response: "If the client's response is not valid base64 [...]
/// the server MUST reject the AUTH command".
#[test]
fn sasl_bad_base64_from_either_peer_is_the_peers_fault() {
    let e = decode_challenge(b"!!not base64!!").unwrap_err();
    assert_eq!(e, Error::Sasl(SaslError::ChallengeNotBase64));
    assert_eq!(e.fault(), Fault::Peer);
    let e = decode_client_line(b"!!not base64!!").unwrap_err();
    assert_eq!(e, Error::Sasl(SaslError::ResponseNotBase64));
    assert_eq!(e.fault(), Fault::Peer);
}

/// RFC 4616 §2: `authcid = 1*SAFE ; MUST accept up to 255 octets`: an empty
/// user name given by the application cannot be sent: the application's
/// fault, and nothing goes out.
#[test]
fn sasl_unsendable_credentials_are_the_applications_fault() {
    let e = Credentials::Plain {
        authzid: None,
        username: "a\0b",
        password: "p".into(),
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e,
        Error::Emit(Unemittable::Credential {
            field: "PLAIN username"
        })
    );
    assert_eq!(e.fault(), Fault::Application);
    assert!(
        SaslClient::try_new(Credentials::Plain {
            authzid: None,
            username: "",
            password: "p".into(),
        })
        .is_err()
    );
}

#[cfg(feature = "sasl-hash")]
mod scram {
    use super::*;
    use mailwire::wire::sasl::ScramCredentials;

    /// RFC 7677 §3, the SCRAM-SHA-256 example (user "user", password
    /// "pencil").
    const RFC7677: [&str; 4] = [
        "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    ];

    fn client() -> SaslClient<'static> {
        let mut c = SaslClient::try_new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
        )))
        .unwrap();
        assert_eq!(c.initial_response().unwrap(), RFC7677[0].as_bytes());
        c
    }

    /// RFC 5802 §5.1, `v`: "a base64-encoded ServerSignature [...] used by
    /// the client to verify that the server has access to the user's
    /// authentication information"; §9: the client "MUST verify" it. A wrong
    /// one is the server's fault (it was `Fault::Application` before).
    #[test]
    fn wrong_server_signature_is_the_peers_fault() {
        let mut c = client();
        assert_eq!(
            c.step(RFC7677[1].as_bytes()).unwrap(),
            RFC7677[2].as_bytes()
        );
        // the example's signature with its first base64 digit changed
        let e = c
            .step(b"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap_err();
        assert_eq!(e, Error::Sasl(SaslError::ServerSignatureWrong));
        assert_eq!(e.fault(), Fault::Peer);
        assert_eq!(e.to_string(), "SASL: SCRAM server signature is wrong");
        // the error sticks
        assert_eq!(c.step(RFC7677[3].as_bytes()), Err(e));
    }

    /// RFC 5802 §7: `server-first-message = [reserved-mext ","] nonce ","
    /// salt "," iteration-count ["," extensions]`: without `r=` it is
    /// malformed, the server's fault.
    #[test]
    fn server_first_without_nonce_is_the_peers_fault() {
        let mut c = client();
        let e = c.step(b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").unwrap_err();
        assert_eq!(e, Error::Sasl(SaslError::ScramAttribute { attribute: 'r' }));
        assert_eq!(e.fault(), Fault::Peer);
    }

    /// RFC 5802 §5.1, `r`: "the client MUST verify that the initial part of
    /// the nonce used in subsequent messages is the same as the nonce it
    /// initially specified".
    #[test]
    fn foreign_nonce_is_the_peers_fault() {
        let mut c = client();
        let e = c
            .step(b"r=someone-elses-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap_err();
        assert_eq!(e, Error::Sasl(SaslError::NonceMismatch));
        assert_eq!(e.fault(), Fault::Peer);
    }

    /// An iteration count over the client's configured maximum crosses a
    /// limit (RFC 5802 §9 leaves the cost to the client's judgement).
    #[test]
    fn iteration_count_over_the_limit_is_a_limit() {
        let mut c = SaslClient::try_new(Credentials::Scram(
            ScramCredentials::new(
                Mechanism::ScramSha256,
                "user",
                "pencil",
                "rOprNGfwEbeRWgbNEkqO",
            )
            .with_max_iterations(4095),
        ))
        .unwrap();
        c.initial_response().unwrap();
        let e = c.step(RFC7677[1].as_bytes()).unwrap_err();
        assert_eq!(e, Error::Sasl(SaslError::IterationCountTooHigh));
        assert_eq!(e.fault(), Fault::Limit);
    }

    /// RFC 2195 §2: the response is "the user name, a space, and the digest".
    #[test]
    fn cram_response_without_space_is_the_peers_fault() {
        let mut s = SaslServer::cram_md5(1, 2, "mail.example").unwrap();
        s.start(None).unwrap();
        let e = s.step(b"tim").unwrap_err();
        assert_eq!(e, Error::Sasl(SaslError::CramMalformed));
        assert_eq!(e.fault(), Fault::Peer);
    }

    /// SCRAM needs the stored key, which a plain `SaslServer` has no way to
    /// ask for: a server set up so is the application's fault, whatever the
    /// client sends.
    #[test]
    fn scram_in_a_plain_server_is_the_applications_fault() {
        let mut s = SaslServer::new(Mechanism::ScramSha256);
        let e = s.start(Some(RFC7677[0].as_bytes())).unwrap_err();
        assert_eq!(
            e,
            Error::Sasl(SaslError::NeedsDedicatedServer { mechanism: "SCRAM" })
        );
        assert_eq!(e.fault(), Fault::Application);
    }
}

// ------------------------------------------------------------------- SMTP

mod smtp {
    use super::*;
    use mailwire::smtp::{Client, ClientConfig, Host, Mailbox, Parameters, ReversePath};

    fn ready() -> Client {
        let mut c = Client::new(ClientConfig::new("client.example"));
        c.handle_input(b"220 mx.example ESMTP\r\n250 mx.example\r\n");
        while c.poll_event().unwrap().is_some() {}
        while c.poll_transmit().is_some() {}
        c
    }

    /// RFC 5321 §4.2: "an SMTP client [...] MUST [...] wait for a reply to
    /// each command"; a reply nobody asked for breaks the sequence.
    #[test]
    fn reply_without_a_command() {
        let mut c = ready();
        c.handle_input(b"250 what\r\n");
        let e = c.poll_event().unwrap_err();
        assert_eq!(e, Error::Protocol(PeerMisbehaved::UnexpectedReply));
        assert_eq!(e.fault(), Fault::Peer);
    }

    /// RFC 5321 §4.1.4: "If there was no MAIL, or no RCPT, command, or all
    /// such commands were rejected, the server MAY return a 'command out of
    /// sequence' (503) or 'no valid recipients' (554) reply": the client
    /// refuses DATA itself.
    #[test]
    fn data_without_a_transaction() {
        let mut c = ready();
        let e = c.data().unwrap_err();
        assert_eq!(e, Error::Misuse(ApiMisuse::NoTransaction));
        assert_eq!(e.fault(), Fault::Application);
        assert_eq!(c.poll_transmit(), None);
    }

    /// RFC 6531 §3.4: a non-ASCII address needs the SMTPUTF8 parameter on
    /// MAIL.
    #[test]
    fn non_ascii_address_without_smtputf8() {
        let mut c = ready();
        let m = Mailbox::new("jösé", Host::Domain("example.org".into()));
        let e = c
            .mail(&ReversePath::Mailbox(m), &Parameters::default())
            .unwrap_err();
        assert_eq!(e, Error::Emit(Unemittable::NeedsSmtpUtf8));
        assert_eq!(e.fault(), Fault::Application);
    }
}

// ------------------------------------------------------------------- POP3

mod pop3 {
    use super::*;
    use mailwire::pop3::{Client, ClientConfig};

    /// RFC 1939 §3: a multi-line response ends with "a termination octet
    /// [...] CRLF.CRLF"; a connection closed before it is the server's fault.
    #[test]
    fn closed_in_the_middle_of_a_response() {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(b"+OK ready\r\n");
        while c.poll_event().unwrap().is_some() {}
        c.capa().unwrap();
        c.handle_input(b"+OK Capability list follows\r\nTOP\r\n");
        while c.poll_event().unwrap().is_some() {}
        c.handle_eof();
        let e = c.poll_event().unwrap_err();
        assert_eq!(e, Error::Protocol(PeerMisbehaved::ClosedMidResponse));
        assert_eq!(e.fault(), Fault::Peer);
    }

    /// RFC 2449 §6.3, "CAPA tag: STLS" (RFC 2595 §4): a server whose CAPA
    /// does not list STLS is not asked for it.
    #[test]
    fn stls_not_advertised() {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(b"+OK ready\r\n");
        while c.poll_event().unwrap().is_some() {}
        c.capa().unwrap();
        c.handle_input(b"+OK Capability list follows\r\nTOP\r\nUSER\r\n.\r\n");
        while c.poll_event().unwrap().is_some() {}
        while c.poll_transmit().is_some() {}
        let e = c.stls().unwrap_err();
        assert_eq!(
            e,
            Error::Misuse(ApiMisuse::NotAdvertised { extension: "STLS" })
        );
        assert_eq!(e.to_string(), "not allowed now: STLS not advertised");
        assert_eq!(e.fault(), Fault::Application);
        assert_eq!(c.poll_transmit(), None);
    }
}

// ------------------------------------------------------------------- IMAP

mod imap {
    use super::*;
    use mailwire::imap::{Client, ClientConfig};

    fn greeted(greeting: &[u8]) -> Client {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(greeting);
        while c.poll_event().unwrap().is_some() {}
        while c.poll_transmit().is_some() {}
        c
    }

    /// RFC 3501 §6.2.3: "A client implementation MUST NOT send a LOGIN
    /// command if the LOGINDISABLED capability is advertised."
    #[test]
    fn login_while_logindisabled() {
        let mut c = greeted(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
        let e = c.login("a", "b").unwrap_err();
        assert_eq!(e, Error::Misuse(ApiMisuse::LoginDisabled));
        assert_eq!(e.fault(), Fault::Application);
        assert_eq!(c.poll_transmit(), None);
    }

    /// RFC 9051 §6.2.1: STARTTLS is for a server that advertises it.
    #[test]
    fn starttls_not_advertised() {
        let mut c = greeted(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        let e = c.starttls().unwrap_err();
        assert_eq!(
            e,
            Error::Misuse(ApiMisuse::NotAdvertised {
                extension: "STARTTLS"
            })
        );
        assert_eq!(c.poll_transmit(), None);
    }

    /// A reason can be matched without naming its data.
    #[test]
    fn reasons_match_by_pattern() {
        let mut c = greeted(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        assert!(matches!(
            c.starttls(),
            Err(Error::Misuse(ApiMisuse::NotAdvertised { .. }))
        ));
    }
}
