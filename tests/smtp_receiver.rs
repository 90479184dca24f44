//! `smtp::Receiver` fed client bytes written from RFC 5321 §D.1 (a whole transaction), RFC 2033 §4.2
//! (LMTP: one reply per recipient after the data) and hostile input (a message over the size limit, an
//! AUTH attempt, recipients of other domains).

use mailwire::Limits;
use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};

fn run(rx: &mut Receiver, input: &str) -> (Vec<ReceiverEvent>, String) {
    rx.handle_input(input.as_bytes());
    let mut events = Vec::new();
    while let Some(e) = rx.poll_event().unwrap() {
        events.push(e);
    }
    let out: Vec<u8> = std::iter::from_fn(|| rx.poll_transmit())
        .flatten()
        .collect();
    (events, String::from_utf8(out).unwrap())
}

fn replies(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

#[test]
fn one_transaction_per_rfc5321_d1() {
    let mut rx = Receiver::new(ServerConfig::new("foo.com"), ["foo.com"]);
    let (events, out) = run(
        &mut rx,
        "EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\n\
         RCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n\
         Blah blah blah...\r\n..etc. etc. etc.\r\n.\r\nQUIT\r\n",
    );
    assert_eq!(
        replies(&out),
        [
            "220", "250", "250", "250", "250", "250", "354", "250", "221"
        ]
    );
    match &events[..] {
        [ReceiverEvent::Message(m)] => {
            assert_eq!(m.from.to_string(), "<Smith@bar.com>");
            assert_eq!(m.to.len(), 3);
            // RFC 5321 §4.5.2: the leading dot of a stuffed line is removed
            assert_eq!(m.data, b"Blah blah blah...\r\n.etc. etc. etc.\r\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_domains_and_auth_are_refused() {
    let mut rx = Receiver::new(ServerConfig::new("mx"), ["Example.org"]);
    let (events, out) = run(
        &mut rx,
        "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@elsewhere.example>\r\nRCPT TO:<b@sub.example.org>\r\n\
         RCPT TO:<Postmaster>\r\nRCPT TO:<c@EXAMPLE.ORG>\r\n",
    );
    // RFC 5321 §4.5.1: Postmaster is always accepted; the domain compares case-insensitively (§2.4)
    assert_eq!(
        replies(&out),
        ["220", "250", "250", "550", "550", "250", "250"]
    );
    assert!(out.contains("550 5.7.1 Relaying denied\r\n"), "{out}");
    assert!(events.is_empty());
}

#[test]
fn an_oversized_message_is_not_handed_over() {
    let mut config = ServerConfig::new("mx");
    config.limits = Limits::DEFAULT.message_size(100);
    let mut rx = Receiver::new(config, ["example.org"]);
    let body = "x".repeat(1000);
    let (events, out) = run(
        &mut rx,
        &format!("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n{body}\r\n.\r\n"),
    );
    assert!(events.is_empty(), "{events:?}");
    // RFC 1870 §6 / RFC 5321 §4.5.3.1.10: 552 for a message over the size
    assert_eq!(replies(&out).last(), Some(&"552"), "{out}");
    assert!(rx.memory_usage() < 64 * 1024);
    // the session goes on: the next message is taken
    let (events, _) = run(
        &mut rx,
        "MAIL FROM:<a@b>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nok\r\n.\r\n",
    );
    assert!(matches!(&events[..], [ReceiverEvent::Message(m)] if m.data == b"ok\r\n"));
}

#[test]
fn lmtp_answers_each_recipient() {
    let mut config = ServerConfig::new("mx");
    config.lmtp = true;
    let mut rx = Receiver::new(config, ["example.org"]);
    let (events, out) = run(
        &mut rx,
        "LHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<y@example.org>\r\nDATA\r\nhi\r\n.\r\n",
    );
    // RFC 2033 §4.2: after the final ".", one reply for each successful RCPT
    assert_eq!(
        replies(&out),
        ["220", "250", "250", "250", "250", "354", "250", "250"]
    );
    assert_eq!(events.len(), 1);
}
