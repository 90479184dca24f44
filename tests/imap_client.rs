//! The IMAP client machine against scripted server transcripts, through the
//! public API only: a Dovecot-like session, streamed FETCH bodies with bounded
//! memory, APPEND literals, SASL, STARTTLS, IDLE, and hostile servers.

use mailwire::imap::{
    AppendMessage, Client, ClientConfig, ClientEvent, ClientState, CommandBody, CommandKind, Data,
    FetchAttributes, FetchItem, IntoOwned, Mailbox, SequenceSet, StatusKind,
};
use mailwire::wire::sasl::Credentials;
use mailwire::{Connection, Error, Limits, error::LimitKind};

/// One step of a scripted conversation.
enum Step<'a> {
    /// The client must have sent exactly these bytes since the last check.
    Sent(&'a [u8]),
    /// The server sends these bytes.
    Server(&'a [u8]),
}

/// Runs a script, returning every event (owned) in order; panics on a
/// fatal error or on unexpected output.
fn play(client: &mut Client, script: &[Step<'_>]) -> Vec<ClientEvent<'static>> {
    let mut events = Vec::new();
    for step in script {
        match step {
            Step::Sent(expected) => {
                let mut out = Vec::new();
                while let Some(b) = client.poll_transmit() {
                    out.extend_from_slice(&b);
                }
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(expected)
                );
            }
            Step::Server(bytes) => {
                client.handle_input(bytes);
                while let Some(e) = client.poll_event().expect("no fatal error") {
                    events.push(e.into_owned());
                }
            }
        }
    }
    events
}

fn is_completed(e: &ClientEvent<'_>, tag: &str, command: CommandKind, status: StatusKind) -> bool {
    matches!(e, ClientEvent::Completed { tag: t, command: c, status: s, .. }
        if t.as_str() == tag && *c == command && *s == status)
}

const DOVECOT_GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n";

#[test]
fn dovecot_like_session() {
    let mut c = Client::new(ClientConfig::default());
    let ev = play(&mut c, &[Step::Server(DOVECOT_GREETING)]);
    assert!(matches!(&ev[0], ClientEvent::Greeting(g) if g.text.as_bytes() == b"Dovecot ready."));
    assert!(c.capabilities().has("IDLE") && c.capabilities().auth("PLAIN"));

    c.login("tim", "pass word").unwrap();
    c.select(Mailbox::Inbox).unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0001 LOGIN tim \"pass word\"\r\nA0002 SELECT INBOX\r\n"),
            Step::Server(b"A0001 OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE SORT MOVE UIDPLUS LITERAL+] Logged in\r\n"),
            Step::Server(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\nA0002 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"),
        ],
    );
    assert_eq!(ev.len(), 8);
    assert!(is_completed(
        &ev[0],
        "A0001",
        CommandKind::Login,
        StatusKind::Ok
    ));
    assert!(is_completed(
        &ev[7],
        "A0002",
        CommandKind::Select,
        StatusKind::Ok
    ));
    assert!(
        c.capabilities().has("MOVE"),
        "capabilities from the LOGIN OK code"
    );
    assert_eq!(c.state(), ClientState::Selected);

    c.send(CommandBody::Search {
        uid: true,
        return_options: None,
        charset: None,
        criteria: vec![mailwire::imap::SearchKey::Unseen].into(),
    })
    .unwrap();
    c.send(CommandBody::Store {
        uid: true,
        set: SequenceSet::new("2:3").unwrap(),
        unchanged_since: None,
        kind: mailwire::imap::StoreKind::Add,
        silent: true,
        flags: vec![mailwire::imap::Flag::Seen].into(),
    })
    .unwrap();
    c.send(CommandBody::Move {
        uid: true,
        set: SequenceSet::new("3").unwrap(),
        mailbox: Mailbox::from_utf8("Archive"),
    })
    .unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0003 UID SEARCH UNSEEN\r\nA0004 UID STORE 2:3 +FLAGS.SILENT (\\Seen)\r\nA0005 UID MOVE 3 Archive\r\n"),
            Step::Server(b"* SEARCH 2 3\r\nA0003 OK Search completed\r\nA0004 OK Store completed\r\n* OK [COPYUID 1700000001 3 1] Moved UIDs.\r\n* 3 EXPUNGE\r\nA0005 OK Move completed\r\n"),
        ],
    );
    assert!(
        matches!(&ev[0], ClientEvent::Data { data: Data::Search { ids, .. }, .. } if ids.to_vec() == [2, 3])
    );
    assert!(is_completed(
        &ev[5],
        "A0005",
        CommandKind::Move,
        StatusKind::Ok
    ));

    c.idle().unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0006 IDLE\r\n"),
            Step::Server(b"+ idling\r\n* 3 EXISTS\r\n"),
        ],
    );
    assert!(matches!(&ev[0], ClientEvent::IdleAccepted { tag } if tag.as_str() == "A0006"));
    assert!(matches!(
        &ev[1],
        ClientEvent::Data {
            data: Data::Exists(3),
            ..
        }
    ));
    c.done().unwrap();
    c.logout().unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"DONE\r\n"),
            Step::Server(b"A0006 OK Idle completed\r\n"),
            Step::Sent(b"A0007 LOGOUT\r\n"),
            Step::Server(b"* BYE Logging out\r\nA0007 OK Logout completed\r\n"),
        ],
    );
    assert!(is_completed(
        &ev[0],
        "A0006",
        CommandKind::Idle,
        StatusKind::Ok
    ));
    assert!(is_completed(
        &ev[2],
        "A0007",
        CommandKind::Logout,
        StatusKind::Ok
    ));
    assert!(c.is_closed());
}

#[test]
fn append_synchronizing_and_refused() {
    let mut c = Client::new(ClientConfig::default());
    play(
        &mut c,
        &[Step::Server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n")],
    );
    let message = AppendMessage {
        flags: Some(vec![mailwire::imap::Flag::Seen].into()),
        date: None,
        data: b"Subject: hi\r\n\r\nbody\r\n".as_slice().into(),
        binary: false,
    };
    c.send(CommandBody::Append {
        mailbox: Mailbox::from_utf8("Sent"),
        messages: vec![message.clone()].into(),
    })
    .unwrap();
    c.send(CommandBody::Append {
        mailbox: Mailbox::from_utf8("Full"),
        messages: vec![message].into(),
    })
    .unwrap();
    c.noop().unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0001 APPEND Sent (\\Seen) {21}\r\n"),
            Step::Server(b"+ Ready for literal data\r\n"),
            Step::Sent(b"Subject: hi\r\n\r\nbody\r\n\r\nA0002 APPEND Full (\\Seen) {21}\r\n"),
            Step::Server(b"A0001 OK [APPENDUID 1 5] Append completed\r\nA0002 NO [OVERQUOTA] Quota exceeded\r\n"),
            Step::Sent(b"A0003 NOOP\r\n"),
            Step::Server(b"A0003 OK\r\n"),
        ],
    );
    assert!(is_completed(
        &ev[0],
        "A0001",
        CommandKind::Append,
        StatusKind::Ok
    ));
    assert!(is_completed(
        &ev[1],
        "A0002",
        CommandKind::Append,
        StatusKind::No
    ));
    assert!(is_completed(
        &ev[2],
        "A0003",
        CommandKind::Noop,
        StatusKind::Ok
    ));
}

#[test]
fn authenticate_plain_both_ways() {
    let creds = || Credentials::Plain {
        authzid: None,
        username: "tim",
        password: "tanstaaftanstaaf".into(),
    };
    let mut c = Client::new(ClientConfig::default());
    play(&mut c, &[Step::Server(DOVECOT_GREETING)]);
    c.authenticate(creds()).unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0001 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
            Step::Server(b"A0001 OK Logged in\r\n"),
        ],
    );
    assert!(is_completed(
        &ev[0],
        "A0001",
        CommandKind::Authenticate,
        StatusKind::Ok
    ));
    assert_eq!(c.state(), ClientState::Authenticated);

    let mut c = Client::new(ClientConfig::default());
    play(
        &mut c,
        &[Step::Server(
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n",
        )],
    );
    c.authenticate(creds()).unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0001 AUTHENTICATE PLAIN\r\n"),
            Step::Server(b"+ \r\n"),
            Step::Sent(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
            Step::Server(b"A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        ],
    );
    assert!(is_completed(
        &ev[0],
        "A0001",
        CommandKind::Authenticate,
        StatusKind::No
    ));
    assert_eq!(c.state(), ClientState::NotAuthenticated);
}

#[test]
fn starttls_then_capabilities_again() {
    let mut c = Client::new(ClientConfig::default());
    play(
        &mut c,
        &[Step::Server(
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n",
        )],
    );
    assert!(matches!(c.login("a", "b"), Err(Error::Misuse(_))));
    c.starttls().unwrap();
    let ev = play(
        &mut c,
        &[
            Step::Sent(b"A0001 STARTTLS\r\n"),
            Step::Server(b"A0001 OK Begin TLS negotiation now.\r\nA0099 OK injected\r\n"),
            Step::Sent(b""),
        ],
    );
    assert_eq!(ev.len(), 2, "the injected line is discarded: {ev:?}");
    assert_eq!(ev[1], ClientEvent::StartTls);
    assert!(c.capabilities().is_empty());
    c.tls_established().unwrap();
    play(
        &mut c,
        &[
            Step::Sent(b"A0002 CAPABILITY\r\n"),
            Step::Server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0002 OK\r\n"),
        ],
    );
    c.login("a", "b").unwrap();
    play(&mut c, &[Step::Sent(b"A0003 LOGIN a b\r\n")]);
}

/// A 1 MiB message streamed in 8 KiB reads.
#[test]
fn one_mib_body_streams_in_chunks() {
    let size = 1usize << 20;
    let mut c = Client::new(ClientConfig::default());
    play(
        &mut c,
        &[Step::Server(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n")],
    );
    c.select(Mailbox::Inbox).unwrap();
    play(&mut c, &[Step::Server(b"A0001 OK [READ-WRITE] ok\r\n")]);
    c.send(CommandBody::Fetch {
        uid: true,
        set: SequenceSet::new("42").unwrap(),
        attributes: FetchAttributes::List(
            vec![mailwire::imap::FetchAttribute::BodySection {
                peek: true,
                section: Default::default(),
                partial: None,
            }]
            .into(),
        ),
        changed_since: None,
        vanished: false,
        partial: None,
    })
    .unwrap();
    play(
        &mut c,
        &[Step::Sent(
            b"A0001 SELECT INBOX\r\nA0002 UID FETCH 42 BODY.PEEK[]\r\n",
        )],
    );
    let mut wire = Vec::new();
    wire.extend_from_slice(format!("* 1 FETCH (UID 42 BODY[] {{{size}}}\r\n").as_bytes());
    wire.extend((0..size).map(|i| (i % 251) as u8 | 0x20));
    wire.extend_from_slice(b")\r\nA0002 OK Fetch completed\r\n");
    let (mut chunks, mut total, mut ends, mut peak) = (0, 0usize, 0, 0);
    let mut fetch_items = None;
    let mut done = false;
    for piece in wire.chunks(8192) {
        c.handle_input(piece);
        peak = peak.max(c.buffered());
        while let Some(e) = c.poll_event().unwrap() {
            match e {
                ClientEvent::FetchBodyStart { seq, size: s, .. } => {
                    assert_eq!((seq, s), (1, size as u64));
                }
                ClientEvent::FetchBodyChunk(ch) => {
                    chunks += 1;
                    assert!(
                        ch.iter()
                            .enumerate()
                            .all(|(i, &b)| b == ((total + i) % 251) as u8 | 0x20)
                    );
                    total += ch.len();
                }
                ClientEvent::FetchBodyEnd { seq: 1 } => ends += 1,
                ClientEvent::Data {
                    data: Data::Fetch { items, .. },
                    ..
                } => fetch_items = Some(items.into_owned().to_vec()),
                ClientEvent::Completed {
                    command: CommandKind::Fetch,
                    ..
                } => done = true,
                e => panic!("{e:?}"),
            }
        }
    }
    assert_eq!(total, size);
    assert!(chunks >= 128, "{chunks} chunks");
    assert_eq!(ends, 1);
    assert!(done);
    assert!(peak <= 8192, "at most one read buffered: {peak}");
    let items = fetch_items.unwrap();
    assert_eq!(items[0], FetchItem::Uid(42));
    assert!(matches!(
        items[1],
        FetchItem::BodySection { data: None, .. }
    ));
}

/// The event sequence does not depend on how the input is cut.
#[test]
fn split_at_every_byte_through_the_public_api() {
    let server: &[u8] = b"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] hi\r\nA0001 OK in\r\n* 2 EXISTS\r\n* 1 FETCH (ENVELOPE (NIL {7}\r\nSubj\xe9ct NIL NIL NIL NIL NIL NIL NIL NIL) BODY[TEXT] {20}\r\n01234567890123456789)\r\ngarbage\r\nA0002 OK [READ-WRITE] sel\r\nA0003 OK f\r\n+ idling\r\n* 3 EXISTS\r\n";
    let run = |cuts: &[usize]| {
        let mut config = ClientConfig::default();
        config.limits.inline_literal = 10;
        let mut c = Client::new(config);
        c.login("u", "p").unwrap();
        c.select(Mailbox::Inbox).unwrap();
        c.send(CommandBody::Fetch {
            uid: false,
            set: SequenceSet::new("1").unwrap(),
            attributes: FetchAttributes::Full,
            changed_since: None,
            vanished: false,
            partial: None,
        })
        .unwrap();
        // queued before the greeting: capabilities are not known yet
        c.send_unadvertised(CommandBody::Idle).unwrap();
        let mut events: Vec<ClientEvent<'static>> = Vec::new();
        let mut start = 0;
        for end in cuts.iter().copied().chain([server.len()]) {
            c.handle_input(&server[start..end]);
            start = end;
            while let Some(e) = c.poll_event().unwrap() {
                let e = e.into_owned();
                if let (Some(ClientEvent::FetchBodyChunk(prev)), ClientEvent::FetchBodyChunk(ch)) =
                    (events.last_mut(), &e)
                {
                    prev.to_mut().extend_from_slice(ch);
                    continue;
                }
                events.push(e);
            }
            while c.poll_transmit().is_some() {}
        }
        events
    };
    let whole = run(&[]);
    assert_eq!(whole.len(), 12, "{whole:#?}");
    assert!(matches!(
        &whole[3],
        ClientEvent::FetchBodyStart { size: 20, .. }
    ));
    assert!(matches!(&whole[7], ClientEvent::MalformedResponse { .. }));
    assert!(matches!(&whole[10], ClientEvent::IdleAccepted { .. }));
    for cut in 0..=server.len() {
        assert_eq!(run(&[cut]), whole, "cut at {cut}");
    }
    let all: Vec<usize> = (1..server.len()).collect();
    assert_eq!(run(&all), whole);
}

#[test]
fn hostile_servers() {
    // a literal announced as 4 GiB
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH hi\r\n* 1 FETCH (BODY[] {4294967296}\r\n");
    assert!(c.poll_event().unwrap().is_some());
    assert_eq!(
        c.poll_event(),
        Err(Error::limit(
            LimitKind::LiteralSize,
            Limits::DEFAULT.literal_size
        ))
    );
    assert!(Connection::is_closed(&c));
    // a response that never ends costs itself: reported once, at the
    // limit, then skipped with bounded memory
    let mut config = ClientConfig::default();
    config.limits.response_line = 1 << 16;
    let mut c = Client::new(config);
    c.handle_input(b"* OK hi\r\n");
    c.poll_event().unwrap();
    let mut reported = Vec::new();
    for _ in 0..200 {
        c.handle_input(&[b'a'; 1024]);
        while let Some(e) = c.poll_event().expect("not fatal") {
            reported.push(e.into_owned());
        }
        // up to the limit the response is kept (a growing buffer); once
        // it is crossed, nothing of it is
        let bound = if reported.is_empty() {
            3 << 16
        } else {
            32 << 10
        };
        assert!(c.memory_usage() < bound, "{}", c.memory_usage());
    }
    assert!(
        matches!(reported.as_slice(), [ClientEvent::OversizedResponse { error, .. }]
            if *error == Error::limit(LimitKind::ResponseLine, 1usize << 16)),
        "{reported:?}"
    );
    c.handle_input(b"\r\n* 3 EXISTS\r\n");
    assert!(matches!(
        c.poll_event().unwrap(),
        Some(ClientEvent::Data {
            data: Data::Exists(3),
            ..
        })
    ));
    // BODYSTRUCTURE nested 10 000 deep costs that response only
    let mut config = ClientConfig::default();
    config.limits.response_line = 1 << 16;
    let mut c = Client::new(config);
    let mut wire = b"* PREAUTH hi\r\n* 1 FETCH (BODYSTRUCTURE ".to_vec();
    wire.extend(std::iter::repeat_n(b'(', 10_000));
    wire.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1");
    wire.extend(std::iter::repeat_n(b')', 10_000));
    wire.extend_from_slice(b")\r\n* 7 EXISTS\r\nX123 OK unknown tag\r\n* 8 EXISTS\r\n");
    c.handle_input(&wire);
    let mut kinds = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        kinds.push(match e {
            ClientEvent::Greeting(_) => "greeting".to_string(),
            ClientEvent::MalformedResponse { .. } => "malformed".to_string(),
            ClientEvent::Data {
                data: Data::Exists(n),
                ..
            } => format!("exists {n}"),
            e => format!("{e:?}"),
        });
    }
    assert_eq!(
        kinds,
        ["greeting", "malformed", "exists 7", "malformed", "exists 8"]
    );
}

/// Issue 15, defect 3: routine long data lines with the default `Limits`.
/// `* SEARCH` with 5 000 UIDs is 35 KB and a FETCH ENVELOPE with 300
/// addresses 16 KB, far over the 8 KiB that used to close the session.
#[test]
fn long_data_lines_with_default_limits() {
    let mut search = b"* SEARCH".to_vec();
    for uid in 0..5000u32 {
        search.extend_from_slice(format!(" {}", 100_000 + uid).as_bytes());
    }
    search.extend_from_slice(b"\r\n");
    assert!(search.len() > 35_000);
    let mut fetch = b"* 1 FETCH (UID 7 ENVELOPE (NIL \"s\" NIL NIL NIL (".to_vec();
    for i in 0..300 {
        fetch.extend_from_slice(
            format!("(\"User Number {i}\" NIL \"user.number.{i}\" \"mail.example.org\")")
                .as_bytes(),
        );
    }
    fetch.extend_from_slice(b") NIL NIL NIL NIL))\r\n* 9 EXISTS\r\n");
    assert!(fetch.len() > 15_000);
    let mut input = search;
    input.extend_from_slice(&fetch);
    for chunk in [1usize, 1000, input.len()] {
        let mut c = Client::new(ClientConfig::default());
        c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
        assert!(matches!(
            c.poll_event().unwrap(),
            Some(ClientEvent::Greeting(_))
        ));
        let mut events = Vec::new();
        for piece in input.chunks(chunk) {
            c.handle_input(piece);
            while let Some(e) = c.poll_event().expect("no fatal error") {
                events.push(e.into_owned());
            }
        }
        assert_eq!(events.len(), 3, "chunk {chunk}");
        let ClientEvent::Data {
            data: Data::Search { ids, .. },
            ..
        } = &events[0]
        else {
            panic!("{:?}", events[0])
        };
        assert_eq!(ids.len(), 5000);
        assert_eq!(ids.iter().last(), Some(104_999));
        let ClientEvent::Data {
            data: Data::Fetch { items, .. },
            ..
        } = &events[1]
        else {
            panic!("{:?}", events[1])
        };
        let Some(FetchItem::Envelope(e)) = items.iter().nth(1) else {
            panic!()
        };
        assert_eq!(e.to.len(), 300);
        assert!(matches!(
            events[2],
            ClientEvent::Data {
                data: Data::Exists(9),
                ..
            }
        ));
    }
}

/// Issue 15, defect 9: `LIST ... RETURN (STATUS (MESSAGES MAILBOXID))` (RFC
/// 5819 with RFC 8474) answers with STATUS responses carrying MAILBOXID; the
/// other items must stay typed (the whole STATUS used to come out raw).
#[test]
fn list_status_with_mailboxid_stays_typed() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS OBJECTID] hi\r\n");
    assert!(matches!(
        c.poll_event().unwrap(),
        Some(ClientEvent::Greeting(_))
    ));
    c.handle_input(
        b"* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 17 MAILBOXID (F2212ea87))\r\n",
    );
    let mut statuses = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        if let ClientEvent::Data { data, .. } = e {
            match data {
                Data::List(_) => {}
                Data::Status { mailbox, items } => {
                    assert_eq!(mailbox, Mailbox::Inbox);
                    statuses.push(format!("{:?}", items.to_vec()));
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(statuses.len(), 1);
    assert!(
        statuses[0].starts_with("[Messages(17), "),
        "{}",
        statuses[0]
    );
    assert!(statuses[0].contains("F2212ea87"), "{}", statuses[0]);
}

/// The one [`ClientEvent::AuthChallenge`] among `events`, its (decoded) data.
#[cfg(feature = "sasl-hash")]
fn the_challenge(events: &[ClientEvent<'_>]) -> Vec<u8> {
    match events {
        [ClientEvent::AuthChallenge(c)] => c.to_vec(),
        other => panic!("expected one AuthChallenge, got {other:?}"),
    }
}

/// RFC 7677 §3's SCRAM-SHA-256 example (user "user", password "pencil") driven through the raw SASL
/// path: AUTHENTICATE sent with `send`, each challenge stepped by the crate's [`SaslClient`] and
/// answered with `auth_response`. RFC 9051 §6.2.2 (and §9: `authenticate = "AUTHENTICATE" SP
/// auth-type [SP initial-resp] *(CRLF base64)`): the client's data goes base64 on its own line after
/// each `+` continuation; with SASL-IR (RFC 4959) the client-first message rides on the command line.
/// The bytes on the wire are base64 of the RFC's messages exactly.
#[cfg(feature = "sasl-hash")]
#[test]
fn scram_sha_256_through_the_raw_sasl_path_matches_rfc7677_example() {
    use mailwire::Secret;
    use mailwire::imap::Atom;
    use mailwire::wire::sasl::{Mechanism, SaslClient, ScramCredentials, encode_initial_response};

    // base64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    const CLIENT_FIRST: &[u8] = b"biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=";
    // base64("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    const SERVER_FIRST: &[u8] = b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n";
    // base64("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    const CLIENT_FINAL: &[u8] = b"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==\r\n";
    // base64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    const SERVER_FINAL: &[u8] =
        b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n";
    // The same with the signature's last character changed: a server that does not know the key.
    const FORGED_FINAL: &[u8] =
        b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc1PQ==\r\n";

    for (sasl_ir, forged) in [(true, false), (false, false), (true, true)] {
        let greeting: &[u8] = if sasl_ir {
            b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=SCRAM-SHA-256] hi\r\n"
        } else {
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256] hi\r\n"
        };
        let mut c = Client::new(ClientConfig::default());
        play(&mut c, &[Step::Server(greeting)]);
        let mut sasl = SaslClient::try_new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
        )))
        .unwrap();
        let initial_response = if c.capabilities().has("SASL-IR") {
            sasl.initial_response().map(|raw| {
                let mut b = Vec::new();
                encode_initial_response(&raw, &mut b);
                Secret::new(b)
            })
        } else {
            None
        };
        let tag = c
            .send(CommandBody::Authenticate {
                mechanism: Atom::new("SCRAM-SHA-256").unwrap(),
                initial_response,
            })
            .unwrap();
        assert_eq!(tag.as_str(), "A0001");
        if sasl_ir {
            let mut line = b"A0001 AUTHENTICATE SCRAM-SHA-256 ".to_vec();
            line.extend_from_slice(CLIENT_FIRST);
            line.extend_from_slice(b"\r\n");
            play(&mut c, &[Step::Sent(&line)]);
        } else {
            // No SASL-IR: an empty challenge first, answered with the client-first message.
            let ev = play(
                &mut c,
                &[
                    Step::Sent(b"A0001 AUTHENTICATE SCRAM-SHA-256\r\n"),
                    Step::Server(b"+ \r\n"),
                ],
            );
            let response = sasl.step(&the_challenge(&ev)).unwrap();
            c.auth_response(&response).unwrap();
            let mut line = CLIENT_FIRST.to_vec();
            line.extend_from_slice(b"\r\n");
            play(&mut c, &[Step::Sent(&line)]);
        }
        let ev = play(&mut c, &[Step::Server(SERVER_FIRST)]);
        let response = sasl.step(&the_challenge(&ev)).unwrap();
        c.auth_response(&response).unwrap();
        play(&mut c, &[Step::Sent(CLIENT_FINAL)]);

        let ev = play(
            &mut c,
            &[Step::Server(if forged {
                FORGED_FINAL
            } else {
                SERVER_FINAL
            })],
        );
        let challenge = the_challenge(&ev);
        let expected: &[u8] = if forged {
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5="
        } else {
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        };
        assert_eq!(challenge, expected);
        match sasl.step(&challenge) {
            Ok(empty) => {
                assert!(!forged, "a forged server signature was accepted");
                assert!(empty.is_empty());
                assert!(sasl.is_complete());
                c.auth_response(&empty).unwrap();
                // RFC 9051 §6.2.2: the client answers the last challenge with an empty line.
                let ev = play(
                    &mut c,
                    &[Step::Sent(b"\r\n"), Step::Server(b"A0001 OK Logged in\r\n")],
                );
                assert!(is_completed(
                    &ev[0],
                    "A0001",
                    CommandKind::Authenticate,
                    StatusKind::Ok
                ));
                assert_eq!(c.state(), ClientState::Authenticated);
            }
            Err(e) => {
                assert!(forged, "the RFC's server signature was refused: {e}");
                // RFC 9051 §6.2.2: "*" cancels; the server answers BAD.
                c.auth_cancel().unwrap();
                let ev = play(
                    &mut c,
                    &[
                        Step::Sent(b"*\r\n"),
                        Step::Server(b"A0001 BAD Authentication aborted\r\n"),
                    ],
                );
                assert!(is_completed(
                    &ev[0],
                    "A0001",
                    CommandKind::Authenticate,
                    StatusKind::Bad
                ));
                assert_eq!(c.state(), ClientState::NotAuthenticated);
            }
        }
    }
}
