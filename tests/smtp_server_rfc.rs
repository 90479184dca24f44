//! The SMTP server machine against the sequencing rules of RFC 3030, RFC 5321
//! §4.1.1.11, RFC 6152 and RFC 6531 §3.5: raw client bytes written from the
//! RFC text in, reply codes checked against the text the test quotes.

use mailwire::smtp::*;

/// Feeds `input` to a server built from `cfg`, accepting every MAIL, RCPT and
/// message; returns the replies and the events the application saw (body
/// chunks joined).
fn serve(cfg: ServerConfig, input: &[u8]) -> (String, Vec<String>) {
    let mut server = Server::new(cfg);
    server.handle_input(input);
    let mut events = Vec::new();
    while let Some(ev) = server.poll_event().unwrap() {
        let ev = ev.into_owned();
        match &ev {
            ServerEvent::DataChunk(_) => {}
            other => events.push(format!("{other:?}")),
        }
        match ev {
            ServerEvent::Mail { .. } | ServerEvent::Rcpt { .. } | ServerEvent::DataEnd => {
                server.accept().unwrap()
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    while let Some(b) = server.poll_transmit() {
        out.extend_from_slice(&b);
    }
    (String::from_utf8(out).unwrap(), events)
}

/// The code of every final reply line, in order.
fn codes(replies: &str) -> Vec<&str> {
    replies
        .split("\r\n")
        .filter(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

/// The EHLO keywords announced (every line of the 250 reply to EHLO but the first).
fn ehlo_keywords(replies: &str) -> Vec<String> {
    replies
        .split("\r\n")
        .filter(|l| l.starts_with("250-") || l.starts_with("250 "))
        .skip(1)
        .map(|l| l[4..].split(' ').next().unwrap().to_string())
        .collect()
}

fn binary_config() -> ServerConfig {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.binarymime = true;
    cfg
}

// RFC 3030 §3: "3) The BINARYMIME service extension can only be used with the
// "CHUNKING" service extension." A server that does not offer BINARYMIME
// answers `BODY=BINARYMIME` as any parameter it cannot implement (RFC 5321
// §4.1.1.11: "it will return code 555").
#[test]
fn binarymime_is_refused_unless_advertised() {
    let (t, events) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nQUIT\r\n",
    );
    assert!(
        !ehlo_keywords(&t).contains(&"BINARYMIME".to_string()),
        "{t}"
    );
    assert_eq!(codes(&t), ["220", "250", "555", "221"], "{t}");
    assert!(!events.iter().any(|e| e.starts_with("Mail")), "{events:?}");
}

#[test]
fn binarymime_is_advertised_only_with_chunking() {
    let (t, _) = serve(binary_config(), b"EHLO c.example\r\n");
    let kw = ehlo_keywords(&t);
    assert!(kw.contains(&"BINARYMIME".to_string()) && kw.contains(&"CHUNKING".to_string()));
    let mut cfg = binary_config();
    cfg.chunking = false;
    let (t, _) = serve(
        cfg,
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n",
    );
    assert!(
        !ehlo_keywords(&t).contains(&"BINARYMIME".to_string()),
        "{t}"
    );
    assert_eq!(codes(&t), ["220", "250", "555"], "{t}");
}

// RFC 3030 §3: "BINARYMIME cannot be used with the DATA command.  If a DATA
// command is issued after a MAIL command containing the body-value of
// "BINARYMIME", a 503 "Bad sequence of commands" response MUST be sent."
#[test]
fn data_after_binarymime_gets_503() {
    let (t, events) = serve(
        binary_config(),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<d@e.example>\r\nDATA\r\nRSET\r\n",
    );
    assert_eq!(codes(&t), ["220", "250", "250", "250", "503", "250"], "{t}");
    assert!(t.contains("503 5.5.1"), "{t}");
    assert!(!events.iter().any(|e| e == "DataStart"), "{events:?}");
    // ...while BDAT carries it.
    let (t, events) = serve(
        binary_config(),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<d@e.example>\r\nBDAT 3 LAST\r\n\x00\r\x80",
    );
    assert_eq!(codes(&t), ["220", "250", "250", "250", "250"], "{t}");
    assert!(events.iter().any(|e| e == "DataEnd"), "{events:?}");
}

// RFC 3030 §2: "DATA and BDAT commands cannot be used in the same
// transaction.  If a DATA statement is issued after a BDAT for the current
// transaction, a 503 "Bad sequence of commands" MUST be issued."
#[test]
fn data_after_bdat_in_one_transaction_gets_503() {
    let (t, events) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<d@e.example>\r\nBDAT 4\r\nabcdDATA\r\nRSET\r\n",
    );
    assert_eq!(
        codes(&t),
        ["220", "250", "250", "250", "250", "503", "250"],
        "{t}"
    );
    assert_eq!(
        events.iter().filter(|e| *e == "DataStart").count(),
        1,
        "{events:?}"
    );
    // "There is no prohibition on using DATA and BDAT in the same session, so
    // long as they are not mixed in the same transaction."
    let (t, _) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<d@e.example>\r\nBDAT 4 LAST\r\nabcdMAIL FROM:<a@b.example>\r\nRCPT TO:<d@e.example>\r\nDATA\r\nx\r\n.\r\n",
    );
    assert_eq!(
        codes(&t),
        [
            "220", "250", "250", "250", "250", "250", "250", "354", "250"
        ],
        "{t}"
    );
}

// RFC 5321 §4.1.1.11: "If the server SMTP does not recognize or cannot
// implement one or more of the parameters associated with a particular MAIL
// FROM or RCPT TO command, it will return code 555." The BODY parameter and
// its 8BITMIME value belong to the 8BITMIME extension (RFC 6152 §2: "one
// optional parameter using the keyword BODY is added to the MAIL
// command"); a server that does not advertise 8BITMIME does not implement it.
#[test]
fn body_value_not_advertised_gets_555() {
    let mut cfg = ServerConfig::new("mx.example");
    cfg.eightbitmime = false;
    let (t, events) = serve(
        cfg.clone(),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=8BITMIME\r\nMAIL FROM:<a@b.example> BODY=7BIT\r\nMAIL FROM:<a@b.example>\r\n",
    );
    assert!(!ehlo_keywords(&t).contains(&"8BITMIME".to_string()), "{t}");
    // RFC 6531 §3.1: "Servers offering this extension MUST provide support
    // for, and announce, the 8BITMIME extension": no SMTPUTF8 without it.
    assert!(!ehlo_keywords(&t).contains(&"SMTPUTF8".to_string()), "{t}");
    assert_eq!(codes(&t), ["220", "250", "555", "555", "250"], "{t}");
    assert_eq!(events.iter().filter(|e| e.starts_with("Mail")).count(), 1);
    // With 8BITMIME both values are accepted.
    let (t, _) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=8BITMIME\r\nRSET\r\nMAIL FROM:<a@b.example> BODY=7BIT\r\n",
    );
    assert_eq!(codes(&t), ["220", "250", "250", "250", "250"], "{t}");
}

// RFC 3461 §4.5: "The RET and ENVID parameters MUST NOT appear more than once
// each in any single MAIL command.  If more than one of either of these
// parameters appears in a MAIL command, the ESMTP server SHOULD respond with
// "501 syntax error in parameters or arguments"." Likewise NOTIFY and ORCPT in
// RCPT.
#[test]
fn repeated_dsn_parameters_get_501() {
    let (t, _) = serve(
        ServerConfig::new("mx.example"),
        b"EHLO c.example\r\nMAIL FROM:<a@b.example> RET=FULL RET=HDRS\r\nMAIL FROM:<a@b.example> ENVID=x ENVID=y\r\nMAIL FROM:<a@b.example> RET=FULL ENVID=x\r\nRCPT TO:<d@e.example> NOTIFY=NEVER NOTIFY=NEVER\r\nRCPT TO:<d@e.example> ORCPT=rfc822;d@e.example ORCPT=rfc822;d@e.example\r\nRCPT TO:<d@e.example> NOTIFY=NEVER ORCPT=rfc822;d@e.example\r\n",
    );
    assert_eq!(
        codes(&t),
        ["220", "250", "501", "501", "250", "501", "501", "250"],
        "{t}"
    );
}

// RFC 6531 §3.5: "When messages are rejected because the RCPT command requires
// an ASCII address, the reply-code 553 is returned with the meaning "mailbox
// name not allowed".  When messages are rejected because the MAIL command
// requires an ASCII address, the reply-code 550 is returned with the meaning
// "mailbox unavailable".  When the SMTPUTF8-aware SMTP server supports
// enhanced mail system status codes [RFC3463], reply-code "X.6.7" [RFC5248]
// (see Section 4) is used". §3.4: "If the envelope or message being sent
// requires the capabilities of the SMTPUTF8 extension, the SMTPUTF8-aware SMTP
// client MUST supply the SMTPUTF8 parameter with the MAIL command."
#[test]
fn utf8_address_without_smtputf8_is_refused_in_mail_and_rcpt() {
    let (t, events) = serve(
        ServerConfig::new("mx.example"),
        "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<jöran@e.example>\r\nRCPT TO:<d@e.example>\r\nRSET\r\nMAIL FROM:<jöran@b.example>\r\n"
            .as_bytes(),
    );
    assert_eq!(
        codes(&t),
        ["220", "250", "250", "553", "250", "250", "550"],
        "{t}"
    );
    assert!(t.contains("553 5.6.7"), "{t}");
    assert!(t.contains("550 5.6.7"), "{t}");
    assert!(
        !events
            .iter()
            .any(|e| e.contains("j\\u{f6}ran") || e.contains("jöran")),
        "{events:?}"
    );
    // With SMTPUTF8 on MAIL, both are accepted.
    let (t, _) = serve(
        ServerConfig::new("mx.example"),
        "EHLO c.example\r\nMAIL FROM:<jöran@b.example> SMTPUTF8\r\nRCPT TO:<jöran@e.example>\r\n"
            .as_bytes(),
    );
    assert_eq!(codes(&t), ["220", "250", "250", "250"], "{t}");
}
