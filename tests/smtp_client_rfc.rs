//! The SMTP client machine against a scripted server whose replies are written
//! from the RFC text (not produced by mailwire's server): capability rules
//! (RFC 4954, RFC 3030, RFC 6152, RFC 5321 §4.1.1.3, RFC 8689) and what the
//! client sends when a message cannot be completed.

use mailwire::Error;
use mailwire::smtp::*;
use mailwire::wire::dot::BodyPolicy;
use mailwire::wire::sasl::Credentials;

/// A client machine driven by hand: the test plays the server.
struct Peer {
    client: Client,
    /// Everything the client transmitted so far.
    wire: Vec<u8>,
    /// Every event, as `Debug` text.
    events: Vec<String>,
}

impl Peer {
    fn new(cfg: ClientConfig) -> Peer {
        Peer {
            client: Client::new(cfg),
            wire: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A client that got the greeting and this EHLO reply.
    fn ready(cfg: ClientConfig, ehlo: &[u8]) -> Peer {
        let mut p = Peer::new(cfg);
        p.server(b"220 mx.example ESMTP\r\n");
        assert_eq!(p.take_wire(), "EHLO client.example\r\n");
        p.server(ehlo);
        assert!(
            p.events.last().unwrap().starts_with("Ready"),
            "{:?}",
            p.events
        );
        p
    }

    /// The server sends `bytes`; the events are collected.
    fn server(&mut self, bytes: &[u8]) {
        self.client.handle_input(bytes);
        while let Some(ev) = self.client.poll_event().unwrap() {
            self.events.push(format!("{:?}", ev.into_owned()));
        }
        self.flush();
    }

    fn flush(&mut self) {
        while let Some(b) = self.client.poll_transmit() {
            self.wire.extend_from_slice(&b);
        }
    }

    /// What the client transmitted since the last call.
    fn take_wire(&mut self) -> String {
        self.flush();
        String::from_utf8_lossy(&std::mem::take(&mut self.wire)).into_owned()
    }
}

fn cfg() -> ClientConfig {
    ClientConfig::new("client.example")
}

fn mbox(s: &str) -> Mailbox<'_> {
    Mailbox::parse(s).unwrap()
}

fn params(list: &[Parameter<'_>]) -> Parameters<'static> {
    let mut p = Parameters::default();
    for x in list {
        p.push(x).unwrap();
    }
    p.into_owned()
}

fn is_tx_failed(r: &Result<(), Error>) -> bool {
    matches!(r, Err(e) if format!("{e:?}") == "TransactionFailed")
}

// ---------------------------------------------------------------------------
// 7a: the legacy `AUTH=` EHLO line
// ---------------------------------------------------------------------------

// RFC 4954 §3 defines `AUTH mech ...`; servers written to the RFC 2554 drafts
// announce `AUTH=LOGIN PLAIN` instead, often beside the standard line (Python's
// smtplib and Postfix's `broken_sasl_auth_clients` know this form). Its
// mechanisms are the server's too.
#[test]
fn legacy_auth_equals_line_is_read() {
    let mut p = Peer::ready(
        cfg(),
        b"250-mx.example\r\n250-AUTH=LOGIN PLAIN\r\n250 SIZE 1000\r\n",
    );
    assert_eq!(p.client.capabilities().auth, ["LOGIN", "PLAIN"]);
    p.client
        .authenticate(Credentials::Plain {
            authzid: None,
            username: "u",
            password: "p".into(),
        })
        .unwrap();
    assert_eq!(p.take_wire(), "AUTH PLAIN AHUAcA==\r\n");
    // Both forms: merged, without duplicates.
    let p = Peer::ready(
        cfg(),
        b"250-mx.example\r\n250-AUTH LOGIN CRAM-MD5\r\n250 AUTH=LOGIN PLAIN\r\n",
    );
    assert_eq!(p.client.capabilities().auth, ["LOGIN", "CRAM-MD5", "PLAIN"]);
}

// ---------------------------------------------------------------------------
// 7b: BINARYMIME needs BDAT
// ---------------------------------------------------------------------------

// RFC 3030 §3: "3) The BINARYMIME service extension can only be used with the
// "CHUNKING" service extension." and "BINARYMIME cannot be used with the DATA
// command."
#[test]
fn binarymime_without_chunking_is_refused() {
    let binary = params(&[Parameter::Body(Body::BinaryMime)]);
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 BINARYMIME\r\n");
    let r = p.client.mail(&ReversePath::Null, &binary);
    assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
    assert_eq!(p.take_wire(), "");
    // With CHUNKING and BINARYMIME it goes, and the body goes by BDAT.
    let mut p = Peer::ready(
        cfg(),
        b"250-mx.example\r\n250-CHUNKING\r\n250 BINARYMIME\r\n",
    );
    p.client.mail(&ReversePath::Null, &binary).unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<> BODY=BINARYMIME\r\n");
}

#[test]
fn binarymime_is_refused_even_when_trusting_unadvertised() {
    let mut c = cfg();
    c.trust_unadvertised = true;
    let mut p = Peer::ready(c, b"250-mx.example\r\n250 BINARYMIME\r\n");
    let binary = params(&[Parameter::Body(Body::BinaryMime)]);
    assert!(matches!(
        p.client.mail(&ReversePath::Null, &binary),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
}

// ---------------------------------------------------------------------------
// 7c: 8-bit bodies need BODY=8BITMIME
// ---------------------------------------------------------------------------

/// MAIL (with `mail_params`) and RCPT accepted, the body about to be pushed.
fn open_body(ehlo: &[u8], c: ClientConfig, mail_params: &[Parameter<'_>]) -> Peer {
    let mut p = Peer::ready(c, ehlo);
    p.client
        .mail(
            &ReversePath::Mailbox(mbox("a@b.example")),
            &params(mail_params),
        )
        .unwrap();
    p.client
        .rcpt(
            &ForwardPath::Mailbox(mbox("d@e.example")),
            &Parameters::default(),
        )
        .unwrap();
    p.client.data().unwrap();
    p.server(b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
    if !p.client.capabilities().chunking {
        p.server(b"354 go ahead\r\n");
    }
    assert!(
        p.events.iter().any(|e| e == "ReadyForData"),
        "{:?}",
        p.events
    );
    p.take_wire();
    p
}

const PIPE_8BIT: &[u8] = b"250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
const PIPE_8BIT_CHUNKING: &[u8] =
    b"250-mx.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING\r\n";

// RFC 6152 §2: "one optional parameter using the keyword BODY is added to the
// MAIL command.  The value associated with this parameter is a keyword
// indicating whether a 7-bit message (in strict compliance with [RFC5321]) or
// a MIME message (in strict compliance with [RFC2046] and [RFC2045]) with
// arbitrary octet content is being sent." A body with an octet over 127 sent
// without BODY=8BITMIME (or BINARYMIME) claims to be 7-bit and is not.
#[test]
fn eight_bit_body_without_body_8bitmime_is_refused_with_data() {
    let mut p = open_body(PIPE_8BIT, cfg(), &[]);
    p.client.send_body(b"Subject: ok\r\n\r\n").unwrap();
    let r = p.client.send_body("caf\u{e9}\r\n".as_bytes());
    assert!(matches!(r, Err(Error::Emit(_))), "{r:?}");
    assert!(p.client.finish_body().is_err());
    let wire = p.take_wire();
    assert_eq!(
        wire, "Subject: ok\r\n\r\n",
        "no 8-bit octet and no end of data"
    );
    assert!(p.client.is_closed());
    // With BODY=8BITMIME the same body goes.
    let mut p = open_body(PIPE_8BIT, cfg(), &[Parameter::Body(Body::EightBitMime)]);
    p.client.send_body("caf\u{e9}\r\n".as_bytes()).unwrap();
    p.client.finish_body().unwrap();
    assert_eq!(p.take_wire(), "caf\u{e9}\r\n.\r\n");
}

#[test]
fn eight_bit_body_without_body_8bitmime_is_refused_with_bdat() {
    let mut p = open_body(PIPE_8BIT_CHUNKING, cfg(), &[]);
    p.client.send_body(b"Subject: ok\r\n\r\n").unwrap();
    assert!(matches!(
        p.client.send_body("caf\u{e9}\r\n".as_bytes()),
        Err(Error::Emit(_))
    ));
    assert!(p.client.finish_body().is_err());
    let wire = p.take_wire();
    assert!(!wire.contains("LAST"), "{wire}");
    assert!(!wire.contains('\u{e9}'), "{wire}");
}

// ---------------------------------------------------------------------------
// 7d: parameters of extensions the server did not advertise
// ---------------------------------------------------------------------------

// RFC 5321 §4.1.1.3: "If service extensions were negotiated, the RCPT command
// may also carry parameters associated with a particular service extension
// offered by the server.  The client MUST NOT transmit parameters other than
// those associated with a service extension offered by the server in its EHLO
// response." RFC 5321 §4.1.1.2 says the same of MAIL ("If service extensions
// were negotiated, the MAIL command may also carry parameters associated with
// a particular service extension").
#[test]
fn unadvertised_mail_parameters_are_refused() {
    let cases: &[(&str, Parameter<'static>)] = &[
        ("SIZE", Parameter::Size(10)),
        ("8BITMIME", Parameter::Body(Body::EightBitMime)),
        ("8BITMIME", Parameter::Body(Body::SevenBit)),
        ("SMTPUTF8", Parameter::SmtpUtf8),
        ("DSN", Parameter::Ret(Ret::Hdrs)),
        ("DSN", Parameter::EnvId(XText::encode(b"id"))),
        ("AUTH", Parameter::Auth(XText::from_encoded("<>"))),
        ("MT-PRIORITY", Parameter::MtPriority(3)),
        ("FUTURERELEASE", Parameter::HoldFor(60)),
        (
            "DELIVERBY",
            Parameter::By {
                time: 60,
                mode: ByMode::Return,
                trace: false,
            },
        ),
        (
            "XFOO",
            Parameter::Other {
                keyword: "XFOO".into(),
                value: None,
            },
        ),
    ];
    for (keyword, param) in cases {
        // Not advertised: refused, nothing sent.
        let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 PIPELINING\r\n");
        let r = p
            .client
            .mail(&ReversePath::Null, &params(std::slice::from_ref(param)));
        assert!(matches!(r, Err(Error::Misuse(_))), "{keyword}: {r:?}");
        assert_eq!(p.take_wire(), "", "{keyword}");
        // Advertised: sent.
        let ehlo = format!("250-mx.example\r\n250-AUTH PLAIN\r\n250 {keyword}\r\n");
        let mut p = Peer::ready(cfg(), ehlo.as_bytes());
        p.client
            .mail(&ReversePath::Null, &params(std::slice::from_ref(param)))
            .unwrap_or_else(|e| panic!("{keyword}: {e}"));
        assert!(p.take_wire().starts_with("MAIL FROM:<> "), "{keyword}");
    }
    // After the HELO fallback nothing is advertised at all.
    let mut p = Peer::new(cfg());
    p.server(b"220 mx.example\r\n502 5.5.1 no EHLO\r\n");
    assert_eq!(
        p.take_wire(),
        "EHLO client.example\r\nHELO client.example\r\n"
    );
    p.server(b"250 mx.example\r\n");
    assert!(matches!(
        p.client
            .mail(&ReversePath::Null, &params(&[Parameter::Size(10)])),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
}

#[test]
fn unadvertised_rcpt_parameters_are_refused() {
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 PIPELINING\r\n");
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    let notify = params(&[Parameter::Notify(Notify::NEVER)]);
    let r = p.client.rcpt(&ForwardPath::Postmaster, &notify);
    assert!(matches!(r, Err(Error::Misuse(_))), "{r:?}");
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
}

#[test]
fn trust_unadvertised_sends_them() {
    let mut c = cfg();
    c.trust_unadvertised = true;
    let mut p = Peer::ready(c, b"250-mx.example\r\n250 PIPELINING\r\n");
    p.client
        .mail(
            &ReversePath::Null,
            &params(&[Parameter::Size(10), Parameter::MtPriority(-2)]),
        )
        .unwrap();
    p.client
        .rcpt(
            &ForwardPath::Postmaster,
            &params(&[Parameter::Notify(Notify::NEVER)]),
        )
        .unwrap();
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<> SIZE=10 MT-PRIORITY=-2\r\nRCPT TO:<Postmaster> NOTIFY=NEVER\r\n"
    );
}

// RFC 8689 §2: "This option MUST only be specified in the context of an SMTP
// session meeting the security requirements of REQUIRETLS: The session itself
// MUST employ TLS transmission. [...] Following the negotiation of STARTTLS,
// the SMTP server MUST advertise in the subsequent EHLO response that it
// supports REQUIRETLS." §4.2.1 step 5: "Ensure that the response to the
// subsequent EHLO following establishment of the TLS protection advertises the
// REQUIRETLS capability."
#[test]
fn requiretls_without_tls_is_refused() {
    let requiretls = params(&[Parameter::RequireTls]);
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 REQUIRETLS\r\n");
    assert!(matches!(
        p.client.mail(&ReversePath::Null, &requiretls),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
    // After STARTTLS, advertised: sent.
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 STARTTLS\r\n");
    p.client.starttls().unwrap();
    p.server(b"220 2.0.0 go\r\n");
    p.client.tls_established().unwrap();
    assert_eq!(p.take_wire(), "STARTTLS\r\nEHLO client.example\r\n");
    p.server(b"250-mx.example\r\n250 REQUIRETLS\r\n");
    p.client.mail(&ReversePath::Null, &requiretls).unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<> REQUIRETLS\r\n");
}

#[test]
fn requiretls_is_refused_even_when_trusting_unadvertised() {
    let requiretls = params(&[Parameter::RequireTls]);
    // Advertised, but no TLS.
    let mut c = cfg();
    c.trust_unadvertised = true;
    let mut p = Peer::ready(c, b"250-mx.example\r\n250 REQUIRETLS\r\n");
    assert!(matches!(
        p.client.mail(&ReversePath::Null, &requiretls),
        Err(Error::Misuse(_))
    ));
    assert_eq!(p.take_wire(), "");
    // TLS, but not advertised: refused, even trusting.
    let mut c = cfg();
    c.tls_active = true;
    c.trust_unadvertised = true;
    let mut p = Peer::ready(c, b"250-mx.example\r\n250 PIPELINING\r\n");
    assert!(matches!(
        p.client.mail(&ReversePath::Null, &requiretls),
        Err(Error::Misuse(_))
    ));
    // Implicit TLS and advertised: sent.
    let mut c = cfg();
    c.tls_active = true;
    let mut p = Peer::ready(c, b"250-mx.example\r\n250 REQUIRETLS\r\n");
    p.client.mail(&ReversePath::Null, &requiretls).unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<> REQUIRETLS\r\n");
}

// RFC 6531 §3.4: "If the envelope or message being sent requires the
// capabilities of the SMTPUTF8 extension, the SMTPUTF8-aware SMTP client MUST
// supply the SMTPUTF8 parameter with the MAIL command."
#[test]
fn utf8_recipient_needs_smtputf8_on_mail() {
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    assert!(matches!(
        p.client.rcpt(
            &ForwardPath::Mailbox(mbox("jöran@e.example")),
            &Parameters::default()
        ),
        Err(Error::Emit(_))
    ));
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
}

// ---------------------------------------------------------------------------
// 8a, 8b: a failed body push poisons the message; one bare CR/LF policy
// ---------------------------------------------------------------------------

// RFC 5321 §4.1.1.4: "The mail data are terminated by a line containing only a
// period, that is, the character sequence "<CRLF>.<CRLF>"" and "If the
// processing is successful, the receiver MUST send an OK reply." A body that
// could not be sent whole must never be terminated: with DATA nothing else ends
// a body, so the session ends (§4.1.1.10: "If the connection is closed
// prematurely [...] the server MUST cancel any pending transaction").
#[test]
fn failed_data_push_never_ends_the_body() {
    let mut p = open_body(PIPE_8BIT, cfg(), &[]);
    p.client
        .send_body(b"Subject: x\r\n\r\nline one\r\n")
        .unwrap();
    let r = p.client.send_body(b"bare\nLF\r\n");
    assert!(matches!(r, Err(Error::BareLineEnding(_))), "{r:?}");
    assert!(p.client.finish_body().is_err(), "finishing a poisoned body");
    assert!(p.client.send_body(b"more\r\n").is_err());
    let wire = p.take_wire();
    assert_eq!(wire, "Subject: x\r\n\r\nline one\r\n");
    assert!(!wire.contains("\r\n.\r\n"));
    assert!(p.client.is_closed());
}

// RFC 3030 §2: "The RSET command, when issued after the first BDAT and before
// the BDAT LAST, clears all segments sent during that transaction and resets
// the session." §2: "text messages sent with the BDAT command MUST be sent in
// the canonical MIME format with lines delimited with a <CR><LF>".
#[test]
fn failed_bdat_push_never_sends_last_and_resets() {
    let mut p = open_body(PIPE_8BIT_CHUNKING, cfg(), &[]);
    p.client.send_body(b"Subject: x\r\n\r\n").unwrap();
    let r = p.client.send_body(b"bare\nLF\r\n");
    assert!(matches!(r, Err(Error::BareLineEnding(_))), "{r:?}");
    assert!(p.client.finish_body().is_err(), "finishing a poisoned body");
    let wire = p.take_wire();
    assert_eq!(wire, "BDAT 14\r\nSubject: x\r\n\r\nRSET\r\n");
    // The session goes on: RSET's reply, then a new transaction.
    p.server(b"250 2.0.0 chunk ok\r\n250 2.0.0 reset\r\n");
    assert!(p.events.last().unwrap().contains("Rset"), "{:?}", p.events);
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
}

/// The same body pushed with DATA and with BDAT under `policy`: the bytes sent
/// (without framing) or the error.
fn both_ways(policy: BodyPolicy, body: &[u8]) -> [Result<String, String>; 2] {
    [PIPE_8BIT, PIPE_8BIT_CHUNKING].map(|ehlo| {
        let mut c = cfg();
        c.body_policy = policy;
        let mut p = open_body(ehlo, c, &[]);
        let bdat = p.client.capabilities().chunking;
        match p
            .client
            .send_body(body)
            .and_then(|()| p.client.finish_body())
        {
            Err(e) => Err(format!("{e:?}")),
            Ok(()) => {
                let w = p.take_wire();
                Ok(if bdat {
                    unframe_bdat(&w)
                } else {
                    w.strip_suffix(".\r\n").unwrap().to_string()
                })
            }
        }
    })
}

/// The body carried by `BDAT n [LAST]` chunks (RFC 3030 §2: "bdat-cmd ::=
/// "BDAT" SP chunk-size [ SP end-marker ] CR LF"), up to the LAST one.
fn unframe_bdat(wire: &str) -> String {
    let mut body = String::new();
    let mut rest = wire;
    loop {
        let line_end = rest.find("\r\n").unwrap();
        let line = &rest[..line_end];
        let mut words = line.strip_prefix("BDAT ").unwrap().split(' ');
        let n: usize = words.next().unwrap().parse().unwrap();
        let last = words.next() == Some("LAST");
        body.push_str(&rest[line_end + 2..line_end + 2 + n]);
        rest = &rest[line_end + 2 + n..];
        if last {
            assert_eq!(rest, "");
            return body;
        }
    }
}

#[test]
fn one_bare_line_ending_policy_for_data_and_bdat() {
    for body in [&b"a\nb\r\n"[..], b"a\rb\r\n", b"a\r\n\nb\r\n"] {
        let [data, bdat] = both_ways(BodyPolicy::Strict, body);
        assert!(
            data.as_ref().is_err_and(|e| e.contains("BareLineEnding")),
            "{body:?}: {data:?}"
        );
        assert_eq!(data, bdat, "{body:?}");
        let [data, bdat] = both_ways(BodyPolicy::Normalize, body);
        assert_eq!(data, bdat, "{body:?}");
        assert!(!data.unwrap().replace("\r\n", "").contains(['\r', '\n']));
    }
    // Split between CR and LF, the pair is still one line end.
    for ehlo in [PIPE_8BIT, PIPE_8BIT_CHUNKING] {
        let mut p = open_body(ehlo, cfg(), &[]);
        p.client.send_body(b"a\r").unwrap();
        p.client.send_body(b"\nb\r\n").unwrap();
        p.client.finish_body().unwrap();
        let w = p.take_wire();
        let body = if ehlo == PIPE_8BIT {
            w.strip_suffix(".\r\n").unwrap().to_string()
        } else {
            unframe_bdat(&w)
        };
        assert_eq!(body, "a\r\nb\r\n");
    }
}

// RFC 3030 §3: "Note: Although CR and LF do not necessarily represent ends of
// text lines in BDAT chunks and use of the binary transfer encoding is
// allowed".
#[test]
fn binarymime_body_goes_unchanged() {
    let mut p = open_body(
        b"250-mx.example\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n",
        cfg(),
        &[Parameter::Body(Body::BinaryMime)],
    );
    p.client.send_body(b"\x00\n\r\xff").unwrap();
    p.client.finish_body().unwrap();
    p.flush();
    assert_eq!(p.wire, b"BDAT 4\r\n\x00\n\r\xffBDAT 0 LAST\r\n");
}

// ---------------------------------------------------------------------------
// 8c: stop at the first failure of the transaction
// ---------------------------------------------------------------------------

// RFC 3030 §2: "If a 5XX or 4XX code is received by the sender-SMTP in response
// to a BDAT chunk, the transaction should be considered failed and the
// sender-SMTP MUST NOT send any additional BDAT segments." RFC 5321 §3.3: "If
// there was no MAIL, or no RCPT, command, or all such commands were rejected,
// the server MAY return a "command out of sequence" (503) or "no valid
// recipients" (554) reply in response to the DATA command. [...] message data
// MUST NOT be sent unless a 354 reply is received."
#[test]
fn refused_mail_without_pipelining_stops_the_bdat_upload() {
    let mut p = Peer::ready(cfg(), b"250-mx.example\r\n250 CHUNKING\r\n");
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    p.client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    p.client.data().unwrap();
    p.server(b"");
    assert!(p.events.iter().any(|e| e == "ReadyForData"));
    for _ in 0..3 {
        p.client.send_body(&[b'x'; 1000]).unwrap();
    }
    // Without PIPELINING only MAIL left.
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
    p.server(b"550 5.7.1 sender refused\r\n");
    assert!(
        p.events.iter().any(|e| e.starts_with("TransactionFailed")),
        "{:?}",
        p.events
    );
    assert_eq!(p.take_wire(), "", "no RCPT, no BDAT after the refusal");
    assert!(is_tx_failed(&p.client.send_body(b"more")));
    assert!(is_tx_failed(&p.client.finish_body()));
    assert_eq!(p.take_wire(), "");
    // A new transaction may start.
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
}

#[test]
fn refused_mail_without_pipelining_never_sends_data() {
    let mut p = Peer::ready(cfg(), b"250 mx.example\r\n");
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    p.client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    p.client.data().unwrap();
    assert_eq!(p.take_wire(), "MAIL FROM:<>\r\n");
    p.server(b"550 5.7.1 sender refused\r\n");
    assert_eq!(p.take_wire(), "", "no RCPT, no DATA after the refusal");
    assert!(
        p.events.iter().any(|e| e.starts_with("TransactionFailed")),
        "{:?}",
        p.events
    );
}

#[test]
fn every_rcpt_refused_stops_the_bdat_upload() {
    let mut p = Peer::ready(
        cfg(),
        b"250-mx.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
    );
    p.client
        .mail(&ReversePath::Null, &Parameters::default())
        .unwrap();
    p.client
        .rcpt(&ForwardPath::Postmaster, &Parameters::default())
        .unwrap();
    p.client.data().unwrap();
    p.server(b"");
    p.client.send_body(b"chunk one\r\n").unwrap();
    assert_eq!(
        p.take_wire(),
        "MAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nBDAT 11\r\nchunk one\r\n"
    );
    p.server(b"250 2.1.0 ok\r\n550 5.1.1 no such user\r\n");
    assert!(
        p.events.iter().any(|e| e.starts_with("TransactionFailed")),
        "{:?}",
        p.events
    );
    assert!(is_tx_failed(&p.client.send_body(b"chunk two\r\n")));
    assert!(is_tx_failed(&p.client.finish_body()));
    // The server still holds the transaction: RSET after the chunk's reply.
    assert_eq!(p.take_wire(), "RSET\r\n");
    p.server(b"503 5.5.1 no valid recipients\r\n250 2.0.0 ok\r\n");
    assert_eq!(p.take_wire(), "", "nothing more: no BDAT LAST");
}

#[test]
fn refused_bdat_chunk_stops_the_upload() {
    let mut p = open_body(PIPE_8BIT_CHUNKING, cfg(), &[]);
    p.client.send_body(b"one\r\n").unwrap();
    assert_eq!(p.take_wire(), "BDAT 5\r\none\r\n");
    p.server(b"452 4.3.1 disk full\r\n");
    assert!(
        p.events.iter().any(|e| e.starts_with("TransactionFailed")),
        "{:?}",
        p.events
    );
    assert!(is_tx_failed(&p.client.send_body(b"two\r\n")));
    assert!(is_tx_failed(&p.client.finish_body()));
    assert_eq!(p.take_wire(), "RSET\r\n");
}
