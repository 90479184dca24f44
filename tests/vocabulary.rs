//! The vocabulary table of the crate docs ("Vocabulary") against the code:
//! one test that uses every name of the table on every machine it applies
//! to, without importing the `Connection` trait. A name that drifts on one
//! machine makes this file fail to compile.

use core::time::Duration;

use mailwire::wire::sasl::{Credentials, Mechanism};
use mailwire::{Error, Secret, Status};
use mailwire::{imap, pop3, smtp};

/// Input, output, time and end, called as inherent methods (no trait import).
macro_rules! connection_words {
    ($m:expr) => {{
        let m = &mut $m;
        m.handle_input(b"");
        let _: Option<bytes::Bytes> = m.poll_transmit();
        let _: Option<Duration> = m.poll_timeout();
        m.handle_timeout(Duration::ZERO);
        let _: usize = m.memory_usage();
        let closed: bool = m.is_closed();
        assert!(!closed);
        let _ = m.poll_event();
        let _: bool = m.tls_active();
        let _: Result<(), Error> = m.tls_established();
        m.handle_eof();
    }};
}

fn credentials() -> Credentials<'static> {
    Credentials::Plain {
        authzid: None,
        username: "user",
        password: Secret::from("pw"),
    }
}

#[test]
fn every_name_of_the_vocabulary_table_on_every_machine() {
    // ---- configurations: TLS, plaintext policy, client timeouts ----
    let smtp_cc = smtp::ClientConfig::new("client.example");
    let smtp_sc = smtp::ServerConfig::new("mx.example");
    let pop3_cc = pop3::ClientConfig::default();
    let pop3_sc = pop3::ServerConfig::default();
    let imap_cc = imap::ClientConfig::default();
    let imap_sc = imap::ServerConfig::default();
    let tls: [bool; 6] = [
        smtp_cc.tls_active,
        smtp_sc.tls_active,
        pop3_cc.tls_active,
        pop3_sc.tls_active,
        imap_cc.tls_active,
        imap_sc.tls_active,
    ];
    assert_eq!(tls, [false; 6]);
    let offered: [bool; 3] = [
        smtp_sc.tls_available,
        pop3_sc.tls_available,
        imap_sc.tls_available,
    ];
    let policy: [bool; 3] = [
        smtp_sc.plaintext_requires_tls,
        pop3_sc.plaintext_requires_tls,
        imap_sc.plaintext_requires_tls,
    ];
    assert_eq!((offered, policy), ([false; 3], [true; 3]));
    assert!(Mechanism::Plain.needs_tls() && !Mechanism::Anonymous.needs_tls());
    let timeouts: [[Duration; 3]; 3] = [
        [
            smtp_cc.greeting_timeout,
            smtp_cc.command_timeout,
            smtp_cc.body_timeout,
        ],
        [
            pop3_cc.greeting_timeout,
            pop3_cc.command_timeout,
            pop3_cc.body_timeout,
        ],
        [
            imap_cc.greeting_timeout,
            imap_cc.command_timeout,
            imap_cc.body_timeout,
        ],
    ];
    assert!(timeouts.iter().flatten().all(|t| *t > Duration::ZERO));

    // ---- the six machines ----
    let mut smtp_c = smtp::Client::new(smtp_cc);
    let mut smtp_s = smtp::Server::new(smtp_sc);
    let mut pop3_c = pop3::Client::new(pop3_cc);
    let mut pop3_s = pop3::Server::new(pop3_sc);
    let mut imap_c = imap::Client::new(imap_cc);
    let mut imap_s = imap::Server::new(imap_sc);

    // session state
    let _: pop3::ClientState = pop3_c.state();
    let _: pop3::ServerState = pop3_s.state();
    assert_eq!(pop3_s.state(), pop3::ServerState::Authorization);
    let _: imap::ClientState = imap_c.state();
    let _: imap::ServerState = imap_s.state();
    assert_eq!(imap_s.state(), imap::ServerState::NotAuthenticated);

    // what the server announced
    let _: &smtp::Capabilities = smtp_c.capabilities();
    let _: &pop3::Capabilities = pop3_c.capabilities();
    let _: &imap::Capabilities = imap_c.capabilities();
    let ehlo = smtp::parse_reply(b"250-mx.example\r\n250 PIPELINING\r\n").unwrap();
    let keywords: smtp::EhloKeywords<'_> = ehlo.capabilities();
    assert_eq!(
        keywords.collect::<Vec<_>>(),
        [smtp::EhloKeyword::Pipelining]
    );

    // STARTTLS, in each protocol's word
    let _: Result<(), Error> = smtp_c.starttls();
    let _: Result<(), Error> = pop3_c.stls();
    let _: Result<imap::Tag<'static>, Error> = imap_c.starttls();

    // log in with a password: one signature, "pw" and &Secret both work
    let secret = Secret::from("pw");
    let _: Result<(), Error> = pop3_c.login("user", "pw");
    let _: Result<(), Error> = pop3_c.login("user", &secret);
    let _: Result<imap::Tag<'static>, Error> = imap_c.login("user", "pw");
    let _: Result<imap::Tag<'static>, Error> = imap_c.login("user", &secret);

    // SASL on the three clients
    let _: Result<(), Error> = smtp_c.authenticate(credentials());
    let _: Result<(), Error> = pop3_c.authenticate(credentials());
    let _: Result<imap::Tag<'static>, Error> = imap_c.authenticate(credentials());
    let _: Result<(), Error> = smtp_c.auth_response(b"");
    let _: Result<(), Error> = pop3_c.auth_response(b"");
    let _: Result<(), Error> = imap_c.auth_response(b"");
    let _: Result<(), Error> = smtp_c.auth_cancel();
    let _: Result<(), Error> = pop3_c.auth_cancel();
    let _: Result<(), Error> = imap_c.auth_cancel();

    // push a body chunk / finish the body: outside a body it is misuse
    let misuse = |r: Result<(), Error>| assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
    misuse(smtp_c.send_body(b"x"));
    misuse(smtp_c.finish_body());
    misuse(pop3_s.send_body(b"x"));
    misuse(pop3_s.finish_body());
    misuse(imap_c.send_body(b"x"));
    misuse(imap_c.finish_body());
    misuse(imap_s.send_body(b"x"));
    misuse(imap_s.finish_body());
    // untagged data from the IMAP server
    imap_s.send_untagged_data(&imap::Data::Exists(1)).unwrap();

    // input, output, time and end, and the next event
    connection_words!(smtp_c);
    connection_words!(smtp_s);
    connection_words!(pop3_c);
    connection_words!(pop3_s);
    connection_words!(imap_c);
    connection_words!(imap_s);

    // ---- events ----
    fn smtp_client(e: &smtp::ClientEvent<'_>) -> bool {
        matches!(
            e,
            smtp::ClientEvent::Greeting(_)
                | smtp::ClientEvent::StartTls
                | smtp::ClientEvent::AuthChallenge(_)
                | smtp::ClientEvent::TimedOut
        )
    }
    fn smtp_server(e: &smtp::ServerEvent<'_>) -> bool {
        matches!(
            e,
            smtp::ServerEvent::StartTls
                | smtp::ServerEvent::DataChunk(_)
                | smtp::ServerEvent::DataEnd
        )
    }
    fn pop3_client(e: &pop3::ClientEvent<'_>) -> bool {
        matches!(
            e,
            pop3::ClientEvent::Greeting(_)
                | pop3::ClientEvent::StartTls
                | pop3::ClientEvent::AuthChallenge(_)
                | pop3::ClientEvent::TimedOut
                | pop3::ClientEvent::BodyChunk(_)
                | pop3::ClientEvent::BodyEnd
        )
    }
    fn pop3_server(e: &pop3::ServerEvent<'_>) -> bool {
        matches!(e, pop3::ServerEvent::StartTls)
    }
    fn imap_client(e: &imap::ClientEvent<'_>) -> bool {
        matches!(
            e,
            imap::ClientEvent::Greeting(_)
                | imap::ClientEvent::StartTls
                | imap::ClientEvent::AuthChallenge(_)
                | imap::ClientEvent::TimedOut
                | imap::ClientEvent::FetchBodyChunk(_)
                | imap::ClientEvent::FetchBodyEnd { .. }
        )
    }
    fn imap_server(e: &imap::ServerEvent<'_>) -> bool {
        let tag: Option<&imap::Tag<'_>> = match e {
            imap::ServerEvent::Login { tag, .. } => Some(tag),
            _ => None,
        };
        tag.is_some()
            || matches!(
                e,
                imap::ServerEvent::StartTls
                    | imap::ServerEvent::AppendChunk(_)
                    | imap::ServerEvent::AppendEnd { .. }
            )
    }
    assert!(smtp_client(&smtp::ClientEvent::TimedOut));
    assert!(smtp_server(&smtp::ServerEvent::DataEnd));
    assert!(pop3_client(&pop3::ClientEvent::BodyEnd));
    assert!(pop3_server(&pop3::ServerEvent::StartTls));
    assert!(imap_client(&imap::ClientEvent::TimedOut));
    assert!(imap_server(&imap::ServerEvent::StartTls));

    // ---- parse: one frame, or the start of a buffer (Status) ----
    let smtp_cmd: smtp::Command<'_> = smtp::parse_command(b"RSET").unwrap();
    assert_eq!(smtp::parse_command(b"RSET\r\n").unwrap(), smtp_cmd);
    let Status::Complete(c, 6) = smtp::parse_command_stream(b"RSET\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(c, smtp_cmd);
    let reply: smtp::Reply<'_> = smtp::parse_reply(b"250 ok\r\n").unwrap();
    let Status::Complete(r, 8) = smtp::parse_reply_stream(b"250 ok\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(r, reply);

    let pop3_cmd: pop3::Command<'_> = pop3::parse_command(b"STAT").unwrap();
    let Status::Complete(c, 6) = pop3::parse_command_stream(b"STAT\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(c, pop3_cmd);
    let resp: pop3::Response<'_> = pop3::parse_response(b"+OK done").unwrap();
    let Status::Complete(r, 10) = pop3::parse_response_stream(b"+OK done\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(r, resp);

    let opts = imap::ParseOptions::default();
    let imap_cmd: imap::Command<'_> = imap::parse_command(b"a1 NOOP\r\n", &opts).unwrap();
    let Status::Complete(c, 9) = imap::parse_command_stream(b"a1 NOOP\r\n", &opts).unwrap() else {
        panic!()
    };
    assert_eq!(c, imap_cmd);
    let imap_resp: imap::Response<'_> = imap::parse_response(b"* 3 EXISTS\r\n", &opts).unwrap();
    let Status::Complete(r, 12) = imap::parse_response_stream(b"* 3 EXISTS\r\n", &opts).unwrap()
    else {
        panic!()
    };
    assert_eq!(r, imap_resp);

    // ---- emit: free functions, command and reply/response ----
    let mut out = Vec::new();
    smtp::emit_command(&smtp_cmd, &mut out).unwrap();
    smtp::emit_reply(&reply, &mut out);
    pop3::emit_command(&pop3_cmd, &mut out).unwrap();
    pop3::emit_response(&resp, &mut out).unwrap();
    let eo = imap::EmitOptions::default();
    imap::emit_command(&imap_cmd, &mut out, &eo).unwrap();
    imap::emit_response(&imap_resp, &mut out, &eo).unwrap();
    assert_eq!(
        out,
        b"RSET\r\n250 ok\r\nSTAT\r\n+OK done\r\na1 NOOP\r\n* 3 EXISTS\r\n".as_slice()
    );
}
