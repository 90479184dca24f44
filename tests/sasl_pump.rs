//! The SASL pumps of the three clients and the three servers, driven by
//! scripted peers whose bytes come from the RFCs' examples (not from
//! mailwire's other side):
//!
//! - RFC 4954 §4 (SMTP AUTH): `334 SP [base64] CRLF` challenges, `*` cancels,
//!   "AUTH mechanism [initial-response]", `=` for an empty initial response;
//! - RFC 5034 §4 (POP3 AUTH): `"+" SP base64` challenges;
//! - RFC 9051 §6.2.2 and RFC 4959 (IMAP AUTHENTICATE, SASL-IR);
//! - RFC 4616 §2 PLAIN, the LOGIN draft's `Username:` / `Password:` prompts,
//!   RFC 2195 §2 CRAM-MD5, RFC 5802 §5 SCRAM-SHA-1, RFC 7677 §3 SCRAM-SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailwire::wire::sasl::Credentials;
use mailwire::{Error, Limits};

fn b64(raw: &[u8]) -> String {
    STANDARD.encode(raw)
}

/// One SASL exchange as the RFC example shows it, raw (not base64).
struct Exchange {
    mechanism: &'static str,
    /// The client's initial response (client-first mechanisms).
    initial: Option<&'static [u8]>,
    /// (server challenge, client response), in order.
    rounds: Vec<(&'static [u8], &'static [u8])>,
}

/// RFC 4616 §4: "C: a002 AUTHENTICATE "PLAIN" {20+} / C: \0tim\0tanstaaftanstaaf" —
/// the message `[authzid] UTF8NUL authcid UTF8NUL passwd` for tim.
fn plain() -> (Credentials<'static>, Exchange) {
    (
        Credentials::Plain {
            authzid: None,
            username: "tim",
            password: "tanstaaftanstaaf".into(),
        },
        Exchange {
            mechanism: "PLAIN",
            initial: Some(b"\0tim\0tanstaaftanstaaf"),
            rounds: vec![],
        },
    )
}

/// draft-murchison-sasl-login-00 §2: the server prompts "Username:" then
/// "Password:", the client answers each with the raw value.
fn login() -> (Credentials<'static>, Exchange) {
    (
        Credentials::Login {
            username: "tim",
            password: "tanstaaftanstaaf".into(),
        },
        Exchange {
            mechanism: "LOGIN",
            initial: None,
            rounds: vec![(b"Username:", b"tim"), (b"Password:", b"tanstaaftanstaaf")],
        },
    )
}

/// RFC 2195 §2:
/// "S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
///  C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
///  In this example, the shared secret is the string 'tanstaaftanstaaf'."
#[cfg(feature = "sasl-hash")]
fn cram_md5() -> (Credentials<'static>, Exchange) {
    (
        Credentials::CramMd5 {
            username: "tim",
            password: "tanstaaftanstaaf".into(),
        },
        Exchange {
            mechanism: "CRAM-MD5",
            initial: None,
            rounds: vec![(
                b"<1896.697170952@postoffice.reston.mci.net>",
                b"tim b913a602c7eda7a495b4e6e7334d3890",
            )],
        },
    )
}

/// RFC 5802 §5: "This is a simple example of a SCRAM-SHA-1 authentication
/// exchange when the client doesn't support channel bindings (username
/// 'user' and password 'pencil' are used):
///   C: n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL
///   S: r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096
///   C: c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=
///   S: v=rmF9pqV8S7suAoZWja4dJRkFsKQ="
/// The last challenge is answered with an empty response (RFC 4954 §4,
/// RFC 5034 §4, RFC 9051 §6.2.2).
#[cfg(feature = "sasl-hash")]
const SCRAM_SHA1: [&[u8]; 4] = [
    b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
];

/// RFC 7677 §3: "This is a simple example of a SCRAM-SHA-256 authentication
/// exchange when the client doesn't support channel bindings. The username
/// 'user' and password 'pencil' are being used.
///   C: n,,n=user,r=rOprNGfwEbeRWgbNEkqO
///   S: r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096
///   C: c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
///   S: v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
#[cfg(feature = "sasl-hash")]
const SCRAM_SHA256: [&[u8]; 4] = [
    b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
];

#[cfg(feature = "sasl-hash")]
fn scram(sha256: bool) -> (Credentials<'static>, Exchange) {
    use mailwire::wire::sasl::{Mechanism, ScramCredentials};
    let (mech, name, nonce, m) = if sha256 {
        (
            Mechanism::ScramSha256,
            "SCRAM-SHA-256",
            "rOprNGfwEbeRWgbNEkqO",
            SCRAM_SHA256,
        )
    } else {
        (
            Mechanism::ScramSha1,
            "SCRAM-SHA-1",
            "fyko+d2lbbFgONRv9qkxdawL",
            SCRAM_SHA1,
        )
    };
    (
        Credentials::Scram(ScramCredentials::new(mech, "user", "pencil", nonce)),
        Exchange {
            mechanism: name,
            initial: Some(m[0]),
            rounds: vec![(m[1], m[2]), (m[3], b"")],
        },
    )
}

/// Every mechanism of the brief, for the build's features.
fn all() -> Vec<(Credentials<'static>, Exchange)> {
    #[allow(unused_mut)]
    let mut v = vec![plain(), login()];
    #[cfg(feature = "sasl-hash")]
    v.extend([cram_md5(), scram(false), scram(true)]);
    v
}

const MECHS: &str = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2";

// ------------------------------------------------------------------ clients

/// A client machine of any protocol, driven by hand: the test plays the server.
trait Driver {
    /// The server sends `bytes`: the events (as Debug text), or the error.
    fn server(&mut self, bytes: &[u8]) -> Result<Vec<String>, Error>;
    /// What the client wrote since the last call.
    fn wire(&mut self) -> String;
    /// Starts the automatic exchange.
    fn authenticate(&mut self, c: Credentials<'_>) -> Result<(), Error>;
    /// The client's AUTH command line for `mechanism`, with its initial
    /// response if one is carried on the line.
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String;
    /// Whether the initial response goes on the command line.
    fn carries_initial(&self, _initial: &[u8]) -> bool {
        true
    }
    /// A challenge line for `raw`.
    fn challenge(&self, raw: &[u8]) -> String;
    /// The server's success and failure lines.
    fn success(&self) -> &'static [u8];
    fn failure(&self) -> &'static [u8];
    /// Whether an event line reports the final answer with success.
    fn is_success(&self, event: &str) -> bool;
}

/// What a driver wrote since the last call: the machine's output.
macro_rules! wire {
    () => {
        fn wire(&mut self) -> String {
            let mut w = Vec::new();
            while let Some(b) = self.0.poll_transmit() {
                w.extend_from_slice(&b);
            }
            String::from_utf8(w).unwrap()
        }
    };
}

/// A client driver's input and output: the events as Debug text.
macro_rules! client_io {
    () => {
        fn server(&mut self, bytes: &[u8]) -> Result<Vec<String>, Error> {
            self.0.handle_input(bytes);
            let mut out = Vec::new();
            while let Some(ev) = self.0.poll_event()? {
                out.push(format!("{:?}", ev.into_owned()));
            }
            Ok(out)
        }
        wire!();
    };
}

fn ir_text(initial: &[u8]) -> String {
    if initial.is_empty() {
        "=".into()
    } else {
        b64(initial)
    }
}

struct Smtp(mailwire::smtp::Client);

impl Smtp {
    fn new(limits: Limits) -> Smtp {
        let mut cfg = mailwire::smtp::ClientConfig::new("client.example");
        cfg.limits = limits;
        let mut d = Smtp(mailwire::smtp::Client::new(cfg));
        d.server(b"220 mx.example ESMTP\r\n").unwrap();
        assert_eq!(d.wire(), "EHLO client.example\r\n");
        let ehlo = format!("250-mx.example\r\n250-AUTH {MECHS}\r\n250 8BITMIME\r\n");
        d.server(ehlo.as_bytes()).unwrap();
        d
    }
}

impl Driver for Smtp {
    client_io!();
    fn authenticate(&mut self, c: Credentials<'_>) -> Result<(), Error> {
        self.0.authenticate(c)
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        Smtp::command_line(mechanism, initial)
    }
    fn challenge(&self, raw: &[u8]) -> String {
        format!("334 {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static [u8] {
        b"235 2.7.0 Authentication successful\r\n"
    }
    fn failure(&self) -> &'static [u8] {
        b"535 5.7.8 Authentication credentials invalid\r\n"
    }
    fn is_success(&self, event: &str) -> bool {
        event.contains("235")
    }
}

struct Pop3(mailwire::pop3::Client);

impl Pop3 {
    fn new(limits: Limits) -> Pop3 {
        let mut cfg = mailwire::pop3::ClientConfig::default();
        cfg.limits = limits;
        let mut d = Pop3(mailwire::pop3::Client::new(cfg));
        d.server(b"+OK POP3 ready\r\n").unwrap();
        d.0.capa().unwrap();
        assert_eq!(d.wire(), "CAPA\r\n");
        let capa = format!("+OK\r\nSASL {MECHS}\r\n.\r\n");
        d.server(capa.as_bytes()).unwrap();
        d
    }
}

impl Driver for Pop3 {
    client_io!();
    fn authenticate(&mut self, c: Credentials<'_>) -> Result<(), Error> {
        self.0.authenticate(c)
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        Smtp::command_line(mechanism, initial)
    }
    fn challenge(&self, raw: &[u8]) -> String {
        format!("+ {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static [u8] {
        b"+OK maildrop locked and ready\r\n"
    }
    fn failure(&self) -> &'static [u8] {
        b"-ERR [AUTH] authentication failed\r\n"
    }
    fn is_success(&self, event: &str) -> bool {
        event.contains("Response") && event.contains("Ok")
    }
}

struct Imap(mailwire::imap::Client, bool);

impl Imap {
    fn new(limits: Limits, sasl_ir: bool) -> Imap {
        let mut cfg = mailwire::imap::ClientConfig::default();
        cfg.limits = limits;
        let mut d = Imap(mailwire::imap::Client::new(cfg), sasl_ir);
        let auth: Vec<String> = MECHS.split(' ').map(|m| format!("AUTH={m}")).collect();
        let greeting = format!(
            "* OK [CAPABILITY IMAP4rev1{} {}] hi\r\n",
            if sasl_ir { " SASL-IR" } else { "" },
            auth.join(" ")
        );
        d.server(greeting.as_bytes()).unwrap();
        d
    }
}

impl Driver for Imap {
    client_io!();
    fn authenticate(&mut self, c: Credentials<'_>) -> Result<(), Error> {
        self.0.authenticate(c).map(|_| ())
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        // authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] (RFC 9051 §9)
        match initial {
            Some(i) => format!("A0001 AUTHENTICATE {mechanism} {}\r\n", ir_text(i)),
            None => format!("A0001 AUTHENTICATE {mechanism}\r\n"),
        }
    }
    fn carries_initial(&self, _: &[u8]) -> bool {
        self.1
    }
    fn challenge(&self, raw: &[u8]) -> String {
        format!("+ {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static [u8] {
        b"A0001 OK AUTHENTICATE completed\r\n"
    }
    fn failure(&self) -> &'static [u8] {
        b"A0001 NO [AUTHENTICATIONFAILED] failed\r\n"
    }
    fn is_success(&self, event: &str) -> bool {
        event.contains("Completed") && event.contains("Ok")
    }
}

fn drivers(limits: Limits) -> Vec<(&'static str, Box<dyn Driver>)> {
    vec![
        ("smtp", Box::new(Smtp::new(limits))),
        ("pop3", Box::new(Pop3::new(limits))),
        ("imap SASL-IR", Box::new(Imap::new(limits, true))),
        ("imap", Box::new(Imap::new(limits, false))),
    ]
}

/// Plays `x` against the client: the bytes the client sends must be the
/// RFC example's, and the final success must reach the application.
fn play(name: &str, d: &mut dyn Driver, c: Credentials<'_>, x: &Exchange) {
    d.authenticate(c).unwrap();
    let on_line = x.initial.filter(|i| d.carries_initial(i));
    assert_eq!(
        d.wire(),
        d.command(x.mechanism, on_line),
        "{name} {}",
        x.mechanism
    );
    let mut rounds: Vec<(&[u8], &[u8])> = Vec::new();
    if let (Some(i), None) = (x.initial, on_line) {
        // RFC 9051 §6.2.2 / RFC 4422 §5: no initial response on the line,
        // so the server's first challenge is empty and the answer carries it.
        rounds.push((b"", i));
    }
    rounds.extend(x.rounds.iter().copied());
    for (challenge, response) in rounds {
        let ev = d.server(d.challenge(challenge).as_bytes()).unwrap();
        assert!(ev.is_empty(), "{name}: the automatic path reports {ev:?}");
        assert_eq!(
            d.wire(),
            format!("{}\r\n", b64(response)),
            "{name} {}",
            x.mechanism
        );
    }
    let ev = d.server(d.success()).unwrap();
    assert_eq!(ev.len(), 1, "{name}: {ev:?}");
    assert!(d.is_success(&ev[0]), "{name}: {ev:?}");
}

#[test]
fn each_client_authenticates_with_each_mechanism_as_the_rfc_examples_show() {
    for (credentials, exchange) in all() {
        for (name, mut d) in drivers(Limits::default()) {
            play(name, d.as_mut(), credentials.clone(), &exchange);
        }
    }
}

#[cfg(feature = "sasl-hash")]
#[test]
fn a_client_does_not_believe_a_scram_server_with_a_wrong_signature() {
    // RFC 5802 §5: "The client MUST verify ServerSignature"; the signature of
    // the RFC 7677 example with its last character changed.
    let (credentials, x) = scram(true);
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        if !d.carries_initial(x.initial.unwrap()) {
            d.server(d.challenge(b"").as_bytes()).unwrap();
            d.wire();
        }
        d.server(d.challenge(x.rounds[0].0).as_bytes()).unwrap();
        assert_eq!(d.wire(), format!("{}\r\n", b64(x.rounds[0].1)));
        let forged = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=";
        assert!(d.server(d.challenge(forged).as_bytes()).unwrap().is_empty());
        // RFC 4954 §4: "the client ... SHOULD ... cancel ... with a line
        // containing a single "*""
        assert_eq!(d.wire(), "*\r\n", "{name}");
        // a server that claims success all the same is not believed
        let r = d.server(d.success());
        assert!(matches!(r, Err(Error::Sasl(_))), "{name}: {r:?}");
    }
}

#[cfg(feature = "sasl-hash")]
#[test]
fn a_client_does_not_believe_a_scram_success_without_the_server_signature() {
    let (credentials, x) = scram(false);
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        if !d.carries_initial(x.initial.unwrap()) {
            d.server(d.challenge(b"").as_bytes()).unwrap();
            d.wire();
        }
        d.server(d.challenge(x.rounds[0].0).as_bytes()).unwrap();
        d.wire();
        // success straight after the client-final: no v= was ever checked
        let r = d.server(d.success());
        assert!(matches!(r, Err(Error::Sasl(_))), "{name}: {r:?}");
    }
}

#[cfg(feature = "sasl-hash")]
#[test]
fn a_scram_failure_reply_reaches_the_application() {
    let (credentials, x) = scram(false);
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        if !d.carries_initial(x.initial.unwrap()) {
            d.server(d.challenge(b"").as_bytes()).unwrap();
            d.wire();
        }
        d.server(d.challenge(x.rounds[0].0).as_bytes()).unwrap();
        d.wire();
        let ev = d.server(d.failure()).unwrap();
        assert_eq!(ev.len(), 1, "{name}: {ev:?}");
        assert!(!d.is_success(&ev[0]), "{name}: {ev:?}");
    }
}

#[test]
fn a_client_cancels_a_challenge_that_is_not_base64_and_the_session_goes_on() {
    let (credentials, _) = login();
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        let bad = if name == "smtp" {
            "334 !!!\r\n"
        } else {
            "+ !!!\r\n"
        };
        let ev = d.server(bad.as_bytes()).unwrap();
        assert_eq!(ev.len(), 1, "{name}: {ev:?}");
        assert!(ev[0].starts_with("Malformed"), "{name}: {ev:?}");
        assert_eq!(d.wire(), "*\r\n", "{name}");
        let ev = d.server(d.failure()).unwrap();
        assert_eq!(ev.len(), 1, "{name}: {ev:?}");
        assert!(!d.is_success(&ev[0]), "{name}");
    }
}

#[test]
fn a_challenge_after_the_last_response_is_cancelled() {
    // PLAIN says everything in its initial response (RFC 4616 §2); a server
    // that challenges after it gets `*`.
    let (credentials, x) = plain();
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        if !d.carries_initial(x.initial.unwrap()) {
            d.server(d.challenge(b"").as_bytes()).unwrap();
            d.wire();
        }
        assert!(
            d.server(d.challenge(b"more?").as_bytes())
                .unwrap()
                .is_empty()
        );
        assert_eq!(d.wire(), "*\r\n", "{name}");
    }
}

#[test]
fn a_client_stops_a_server_that_never_stops_challenging() {
    let mut limits = Limits::default();
    limits.auth_exchanges = 3;
    let (credentials, _) = login();
    for (name, mut d) in drivers(limits) {
        let d = d.as_mut();
        d.authenticate(credentials.clone()).unwrap();
        d.wire();
        for _ in 0..3 {
            d.server(d.challenge(b"Username:").as_bytes()).unwrap();
            d.wire();
        }
        let r = d.server(d.challenge(b"Username:").as_bytes());
        assert!(matches!(r, Err(Error::Limit(_))), "{name}: {r:?}");
    }
}

// ------------------------------------------------------------------ servers

use mailwire::wire::sasl::{Authentication, Mechanism, SaslAnswer, SaslLookup};

/// What a server machine reported, across protocols.
#[derive(Debug)]
enum SEv {
    Auth(Authentication<'static>),
    Lookup(SaslLookup),
    Other(#[allow(dead_code)] String),
}

/// A server machine of any protocol: the test plays the client.
trait ServerDriver {
    fn client(&mut self, bytes: &[u8]) -> Vec<SEv>;
    fn wire(&mut self) -> String;
    fn accept(&mut self);
    fn lookup(&mut self, answer: SaslAnswer) -> Result<(), Error>;
    /// The AUTH command line for `mechanism`.
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String;
    /// The challenge line the server must send for `raw`.
    fn challenge(&self, raw: &[u8]) -> String;
    /// How the success and the failures start.
    fn success(&self) -> &'static str;
    #[cfg_attr(not(feature = "sasl-hash"), allow(dead_code))]
    fn rejected(&self) -> &'static str;
    fn cancelled(&self) -> &'static str;
    fn bad_base64(&self) -> &'static str;
    fn too_many(&self) -> &'static str;
    /// A harmless command and how its answer starts, to show the session lives.
    fn noop(&self) -> (&'static str, &'static str);
}

fn offered() -> Vec<Mechanism> {
    #[allow(unused_mut)]
    let mut m = vec![Mechanism::Plain, Mechanism::Login];
    #[cfg(feature = "sasl-hash")]
    m.extend([
        Mechanism::CramMd5,
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
    ]);
    m
}

struct SmtpServer(mailwire::smtp::Server);

impl SmtpServer {
    fn new(limits: Limits) -> SmtpServer {
        let mut cfg = mailwire::smtp::ServerConfig::new("mx.example.org");
        cfg.limits = limits;
        cfg.auth_mechanisms = offered();
        cfg.plaintext_requires_tls = false;
        let mut s = SmtpServer(mailwire::smtp::Server::new(cfg));
        s.wire();
        s.client(b"EHLO client.example\r\n");
        s.wire();
        s
    }
}

impl ServerDriver for SmtpServer {
    fn client(&mut self, bytes: &[u8]) -> Vec<SEv> {
        use mailwire::smtp::ServerEvent;
        self.0.handle_input(bytes);
        let mut out = Vec::new();
        while let Some(ev) = self.0.poll_event().unwrap() {
            out.push(match ev {
                ServerEvent::Auth(a) => SEv::Auth(a),
                ServerEvent::AuthLookup(l) => SEv::Lookup(l),
                other => SEv::Other(format!("{other:?}")),
            });
        }
        out
    }
    wire!();
    fn accept(&mut self) {
        self.0.accept().unwrap()
    }
    fn lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        self.0.auth_lookup(answer)
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        Smtp::command_line(mechanism, initial)
    }
    fn challenge(&self, raw: &[u8]) -> String {
        // "334" SP [base64] CRLF (RFC 4954 §4)
        format!("334 {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static str {
        "235 2.7.0"
    }
    fn rejected(&self) -> &'static str {
        // RFC 4954 §6: "535 5.7.8 Authentication credentials invalid"
        "535 5.7.8"
    }
    fn cancelled(&self) -> &'static str {
        // RFC 4954 §4: "If the client wishes to cancel ... the server MUST
        // reject the AUTH command by sending a 501 reply."
        "501 5.0.0"
    }
    fn bad_base64(&self) -> &'static str {
        // RFC 4954 §4: "If the server cannot [BASE64] decode any client
        // response, it MUST reject the AUTH command with a 501 reply"
        "501 5.5.2"
    }
    fn too_many(&self) -> &'static str {
        "501 5.7.0"
    }
    fn noop(&self) -> (&'static str, &'static str) {
        ("NOOP\r\n", "250")
    }
}

impl Smtp {
    /// "AUTH" SP sasl-mech [SP initial-response] CRLF (RFC 4954 §4, RFC 5034 §4)
    fn command_line(mechanism: &str, initial: Option<&[u8]>) -> String {
        match initial {
            Some(i) => format!("AUTH {mechanism} {}\r\n", ir_text(i)),
            None => format!("AUTH {mechanism}\r\n"),
        }
    }
}

struct Pop3Server(mailwire::pop3::Server);

impl Pop3Server {
    fn new(limits: Limits) -> Pop3Server {
        let mut cfg = mailwire::pop3::ServerConfig::default();
        cfg.limits = limits;
        cfg.auth_mechanisms = offered();
        cfg.plaintext_requires_tls = false;
        let mut s = Pop3Server(mailwire::pop3::Server::new(cfg));
        s.wire();
        s
    }
}

impl ServerDriver for Pop3Server {
    fn client(&mut self, bytes: &[u8]) -> Vec<SEv> {
        use mailwire::pop3::ServerEvent;
        self.0.handle_input(bytes);
        let mut out = Vec::new();
        while let Some(ev) = self.0.poll_event().unwrap() {
            out.push(match ev {
                ServerEvent::Auth(a) => SEv::Auth(a),
                ServerEvent::AuthLookup(l) => SEv::Lookup(l),
                other => SEv::Other(format!("{other:?}")),
            });
        }
        out
    }
    wire!();
    fn accept(&mut self) {
        self.0
            .accept_login(mailwire::pop3::Maildrop::new())
            .unwrap()
    }
    fn lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        self.0.auth_lookup(answer)
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        Smtp::command_line(mechanism, initial)
    }
    fn challenge(&self, raw: &[u8]) -> String {
        // continue-req = "+" SP [base64] CRLF (RFC 5034 §4)
        format!("+ {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static str {
        "+OK"
    }
    fn rejected(&self) -> &'static str {
        "-ERR [AUTH]"
    }
    fn cancelled(&self) -> &'static str {
        // RFC 5034 §4: "the server MUST reject the AUTH command by sending
        // an -ERR reply"
        "-ERR"
    }
    fn bad_base64(&self) -> &'static str {
        "-ERR"
    }
    fn too_many(&self) -> &'static str {
        "-ERR"
    }
    fn noop(&self) -> (&'static str, &'static str) {
        ("CAPA\r\n", "+OK")
    }
}

struct ImapServer(mailwire::imap::Server, Option<String>);

impl ImapServer {
    fn new(limits: Limits) -> ImapServer {
        let mut cfg = mailwire::imap::ServerConfig::default();
        cfg.limits = limits;
        cfg.auth_mechanisms = offered();
        cfg.plaintext_requires_tls = false;
        let mut s = ImapServer(mailwire::imap::Server::new(cfg), None);
        s.wire();
        s
    }
}

impl ServerDriver for ImapServer {
    fn client(&mut self, bytes: &[u8]) -> Vec<SEv> {
        use mailwire::imap::ServerEvent;
        self.0.handle_input(bytes);
        let mut out = Vec::new();
        while let Some(ev) = self.0.poll_event().unwrap() {
            out.push(match ev {
                ServerEvent::Authenticate {
                    tag,
                    authentication,
                } => {
                    self.1 = Some(tag.as_str().to_string());
                    SEv::Auth(authentication)
                }
                ServerEvent::AuthLookup(l) => SEv::Lookup(l),
                other => SEv::Other(format!("{other:?}")),
            });
        }
        out
    }
    wire!();
    fn accept(&mut self) {
        let tag = self.1.take().unwrap();
        self.0
            .complete(&tag, mailwire::imap::StatusKind::Ok, None, "done")
            .unwrap()
    }
    fn lookup(&mut self, answer: SaslAnswer) -> Result<(), Error> {
        self.0.auth_lookup(answer)
    }
    fn command(&self, mechanism: &str, initial: Option<&[u8]>) -> String {
        match initial {
            Some(i) => format!("a1 AUTHENTICATE {mechanism} {}\r\n", ir_text(i)),
            None => format!("a1 AUTHENTICATE {mechanism}\r\n"),
        }
    }
    fn challenge(&self, raw: &[u8]) -> String {
        // continue-req = "+" SP (resp-text / base64) CRLF (RFC 9051 §9)
        format!("+ {}\r\n", b64(raw))
    }
    fn success(&self) -> &'static str {
        "a1 OK"
    }
    fn rejected(&self) -> &'static str {
        "a1 NO [AUTHENTICATIONFAILED]"
    }
    fn cancelled(&self) -> &'static str {
        // RFC 9051 §6.2.2: "If the server receives such a response [*], it
        // MUST reject the AUTHENTICATE command by sending a tagged BAD"
        "a1 BAD"
    }
    fn bad_base64(&self) -> &'static str {
        "a1 BAD"
    }
    fn too_many(&self) -> &'static str {
        "a1 NO [LIMIT]"
    }
    fn noop(&self) -> (&'static str, &'static str) {
        ("a2 CAPABILITY\r\n", "* CAPABILITY")
    }
}

fn servers(limits: Limits) -> Vec<(&'static str, Box<dyn ServerDriver>)> {
    vec![
        ("smtp", Box::new(SmtpServer::new(limits))),
        ("pop3", Box::new(Pop3Server::new(limits))),
        ("imap", Box::new(ImapServer::new(limits))),
    ]
}

/// The application's answers to the lookups of the RFC examples.
#[cfg(feature = "sasl-hash")]
fn answer(l: &SaslLookup) -> SaslAnswer {
    use mailwire::wire::sasl::{ScramStoredKey, cram_md5_challenge};
    match l {
        // RFC 2195 §2: the challenge "<1896.697170952@postoffice.reston.mci.net>"
        SaslLookup::CramMd5Challenge => SaslAnswer::Challenge(
            cram_md5_challenge(1896, 697170952, "postoffice.reston.mci.net").unwrap(),
        ),
        SaslLookup::Secret {
            mechanism: Mechanism::CramMd5,
            username,
            ..
        } => {
            assert_eq!(username, "tim");
            SaslAnswer::Password("tanstaaftanstaaf".into())
        }
        SaslLookup::Secret {
            mechanism,
            username,
            ..
        } => {
            assert_eq!(username, "user");
            // the salts and server nonces of the RFC 5802 / RFC 7677 examples
            let (salt, nonce) = if *mechanism == Mechanism::ScramSha256 {
                ("W22ZaJ0SNY7soEsUEjb6gQ==", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
            } else {
                ("QSXCR+Q6sek8bf92", "3rfcNHYJY1ZVvWVs7j")
            };
            let salt = STANDARD.decode(salt).unwrap();
            SaslAnswer::Scram {
                key: ScramStoredKey::derive(*mechanism, "pencil", &salt, 4096).unwrap(),
                server_nonce: nonce.into(),
                channel_binding: None,
            }
        }
        other => panic!("unexpected lookup {other:?}"),
    }
}

#[cfg(not(feature = "sasl-hash"))]
fn answer(l: &SaslLookup) -> SaslAnswer {
    panic!("no lookups without sasl-hash: {l:?}")
}

/// Plays the client of `x` against the server: every challenge must be the
/// RFC example's byte for byte, and the exchange ends in success.
fn serve(name: &str, d: &mut dyn ServerDriver, x: &Exchange) -> Authentication<'static> {
    let mut events = d.client(d.command(x.mechanism, x.initial).as_bytes());
    for (challenge, response) in &x.rounds {
        // answer lookups until the challenge goes out
        while let Some(SEv::Lookup(l)) = events.first() {
            let a = answer(l);
            d.lookup(a).unwrap();
            events = d.client(b"");
        }
        assert!(events.is_empty(), "{name} {}: {events:?}", x.mechanism);
        assert_eq!(d.wire(), d.challenge(challenge), "{name} {}", x.mechanism);
        events = d.client(format!("{}\r\n", b64(response)).as_bytes());
    }
    while let Some(SEv::Lookup(l)) = events.first() {
        let a = answer(l);
        d.lookup(a).unwrap();
        events = d.client(b"");
    }
    assert_eq!(events.len(), 1, "{name} {}: {events:?}", x.mechanism);
    let Some(SEv::Auth(a)) = events.pop() else {
        panic!("{name}: {events:?}")
    };
    assert_eq!(d.wire(), "", "{name}");
    d.accept();
    let out = d.wire();
    assert!(
        out.starts_with(d.success()),
        "{name} {}: {out}",
        x.mechanism
    );
    a
}

#[test]
fn each_server_runs_each_mechanism_from_the_rfc_examples() {
    for (_, exchange) in all() {
        for (name, mut d) in servers(Limits::default()) {
            let a = serve(name, d.as_mut(), &exchange);
            match (exchange.mechanism, a) {
                (
                    "PLAIN" | "LOGIN",
                    Authentication::Plain {
                        authcid, password, ..
                    },
                ) => {
                    assert_eq!(authcid, "tim");
                    assert_eq!(password.expose(), b"tanstaaftanstaaf");
                }
                (
                    m,
                    Authentication::Verified {
                        authcid, mechanism, ..
                    },
                ) => {
                    assert_eq!(mechanism.name(), m);
                    let user = if m == "CRAM-MD5" { "tim" } else { "user" };
                    assert_eq!(authcid, user, "{name} {m}");
                }
                (m, other) => panic!("{name} {m}: {other:?}"),
            }
        }
    }
}

/// Runs the client side of `x` up to the last response, which is replaced.
fn until_last(d: &mut dyn ServerDriver, x: &Exchange, last: &[u8]) -> Vec<SEv> {
    let mut events = d.client(d.command(x.mechanism, x.initial).as_bytes());
    let n = x.rounds.len();
    for (i, (_, response)) in x.rounds.iter().enumerate() {
        while let Some(SEv::Lookup(l)) = events.first() {
            let a = answer(l);
            d.lookup(a).unwrap();
            events = d.client(b"");
        }
        d.wire();
        let line = if i + 1 == n {
            last.to_vec()
        } else {
            format!("{}\r\n", b64(response)).into_bytes()
        };
        events = d.client(&line);
    }
    events
}

fn still_alive(name: &str, d: &mut dyn ServerDriver) {
    let (cmd, answer) = d.noop();
    d.client(cmd.as_bytes());
    let out = d.wire();
    assert!(out.starts_with(answer) && !out.is_empty(), "{name}: {out}");
}

#[cfg(feature = "sasl-hash")]
#[test]
fn a_wrong_scram_proof_fails_the_exchange_and_the_session_goes_on() {
    // The RFC 5802 example's client-final with the proof's first character
    // changed: "p=v0X8..." becomes "p=w0X8...".
    let (_, x) = scram(false);
    let x = Exchange {
        rounds: x.rounds[..1].to_vec(),
        ..x
    };
    let wrong = format!(
        "{}\r\n",
        b64(b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=w0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
    );
    for (name, mut d) in servers(Limits::default()) {
        let d = d.as_mut();
        let ev = until_last(d, &x, wrong.as_bytes());
        assert!(ev.is_empty(), "{name}: {ev:?}");
        let out = d.wire();
        assert!(out.starts_with(d.rejected()), "{name}: {out}");
        still_alive(name, d);
    }
}

#[cfg(feature = "sasl-hash")]
#[test]
fn a_wrong_cram_md5_digest_fails_the_exchange() {
    let (_, x) = cram_md5();
    let wrong = format!("{}\r\n", b64(b"tim b913a602c7eda7a495b4e6e7334d3891"));
    for (name, mut d) in servers(Limits::default()) {
        let d = d.as_mut();
        let mut ev = until_last(d, &x, wrong.as_bytes());
        let Some(SEv::Lookup(l)) = ev.pop() else {
            panic!("{name}: the secret is looked up");
        };
        d.lookup(answer(&l)).unwrap();
        assert!(d.client(b"").is_empty());
        let out = d.wire();
        assert!(out.starts_with(d.rejected()), "{name}: {out}");
        // no lookup waits any more
        assert!(matches!(
            d.lookup(SaslAnswer::NoSuchUser),
            Err(Error::Misuse(_))
        ));
        still_alive(name, d);
    }
}

#[test]
fn a_response_that_is_not_base64_fails_the_exchange() {
    let (_, x) = login();
    for (name, mut d) in servers(Limits::default()) {
        let d = d.as_mut();
        assert!(until_last(d, &x, b"!!notbase64!!\r\n").is_empty());
        let out = d.wire();
        assert!(out.starts_with(d.bad_base64()), "{name}: {out}");
        still_alive(name, d);
    }
}

#[test]
fn a_cancelled_exchange_fails_and_the_session_goes_on() {
    let (_, x) = login();
    for (name, mut d) in servers(Limits::default()) {
        let d = d.as_mut();
        assert!(until_last(d, &x, b"*\r\n").is_empty());
        let out = d.wire();
        assert!(out.starts_with(d.cancelled()), "{name}: {out}");
        still_alive(name, d);
    }
}

#[test]
fn a_server_stops_after_auth_exchanges_challenges() {
    let mut limits = Limits::default();
    limits.auth_exchanges = 1;
    let (_, x) = login();
    for (name, mut d) in servers(limits) {
        let d = d.as_mut();
        assert!(d.client(d.command(x.mechanism, None).as_bytes()).is_empty());
        assert_eq!(d.wire(), d.challenge(b"Username:"), "{name}");
        // the second challenge would be one too many
        assert!(
            d.client(format!("{}\r\n", b64(b"tim")).as_bytes())
                .is_empty()
        );
        let out = d.wire();
        assert!(out.starts_with(d.too_many()), "{name}: {out}");
        still_alive(name, d);
    }
}

#[test]
fn a_malformed_plain_message_fails_the_exchange() {
    // RFC 4616 §2: "message = [authzid] UTF8NUL authcid UTF8NUL passwd" —
    // one NUL only is not a message.
    for (name, mut d) in servers(Limits::default()) {
        let d = d.as_mut();
        assert!(
            d.client(d.command("PLAIN", Some(b"tim\0pw")).as_bytes())
                .is_empty()
        );
        let out = d.wire();
        assert!(
            !out.starts_with(d.success()) && !out.is_empty(),
            "{name}: {out}"
        );
        still_alive(name, d);
    }
}

#[test]
fn an_initial_response_too_long_for_the_command_line_waits_for_the_first_challenge() {
    // RFC 4954 §4: "If use of the initial response argument would cause the
    // AUTH command to exceed this length [512 octets], the client MUST NOT
    // use the initial response parameter (and instead proceed as defined in
    // Section 5.1 of [SASL])"; RFC 5034 §4 says the same for POP3's 255.
    let token = "t".repeat(600);
    let credentials = Credentials::XOAuth2 {
        username: "user@example.com",
        token: token.as_str().into(),
    };
    let message = format!("user=user@example.com\x01auth=Bearer {token}\x01\x01");
    for (name, mut d) in drivers(Limits::default()) {
        let d = d.as_mut();
        if name == "imap SASL-IR" {
            continue; // IMAP has no line limit for SASL-IR
        }
        d.authenticate(credentials.clone()).unwrap();
        assert_eq!(d.wire(), d.command("XOAUTH2", None), "{name}");
        assert!(d.server(d.challenge(b"").as_bytes()).unwrap().is_empty());
        assert_eq!(
            d.wire(),
            format!("{}\r\n", b64(message.as_bytes())),
            "{name}"
        );
    }
}
