//! CRAM-MD5 (RFC 2195) and SCRAM (RFC 5802, RFC 7677), checked against the
//! RFCs' own examples, plus malformed and hostile messages on both sides.
#![cfg(feature = "sasl-hash")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailwire::Error;
use mailwire::wire::sasl::{
    Authentication, ChannelBinding, ChannelBindingType, ClientLine, Credentials, Mechanism,
    SaslClient, SaslServer, ScramCredentials, ScramServer, ScramServerStep, ScramStoredKey,
    ServerStep, cram_md5_challenge, decode_challenge, decode_client_line, encode_base64,
};

fn b64(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_base64(raw, &mut out);
    out
}

fn unb64(line: &[u8]) -> Vec<u8> {
    match decode_client_line(line).unwrap() {
        ClientLine::Response(r) => r,
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- CRAM-MD5

/// RFC 2195 §2, the example:
/// ```text
/// S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
/// C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
/// ```
/// "In this example, the shared secret is the string 'tanstaaftanstaaf'.
/// Hence, the Keyed MD5 digest is produced by calculating
/// MD5((tanstaaftanstaaf XOR opad), MD5((tanstaaftanstaaf XOR ipad),
/// <1896.697170952@postoffice.reston.mci.net>))"
const RFC2195_CHALLENGE: &[u8] = b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
const RFC2195_RESPONSE: &[u8] = b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";

#[test]
fn cram_md5_client_rfc2195() {
    let mut c = SaslClient::new(Credentials::CramMd5 {
        username: "tim",
        password: "tanstaaftanstaaf".into(),
    });
    assert_eq!(c.mechanism().name(), "CRAM-MD5");
    // server-first: no initial response
    assert_eq!(c.initial_response(), None);
    assert!(!c.is_complete());
    let challenge = decode_challenge(RFC2195_CHALLENGE).unwrap();
    assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
    let response = c.step(&challenge).unwrap();
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(b64(&response), RFC2195_RESPONSE);
    assert!(c.is_complete());
    assert!(matches!(c.step(b"again"), Err(Error::Sasl(_))));
}

#[test]
fn cram_md5_server_rfc2195() {
    let mut s = SaslServer::cram_md5(1896, 697170952, "postoffice.reston.mci.net").unwrap();
    assert_eq!(s.mechanism(), Mechanism::CramMd5);
    // a step before the challenge went out is misuse
    assert!(matches!(s.step(b"x"), Err(Error::Misuse(_))));
    let ServerStep::Challenge(ch) = s.start(None).unwrap() else {
        panic!("challenge expected")
    };
    assert_eq!(b64(&ch), RFC2195_CHALLENGE);
    let ServerStep::Done(Authentication::CramMd5(r)) = s.step(&unb64(RFC2195_RESPONSE)).unwrap()
    else {
        panic!("done expected")
    };
    assert_eq!(r.username(), "tim");
    assert_eq!(r.challenge(), b"<1896.697170952@postoffice.reston.mci.net>");
    assert!(r.verify(b"tanstaaftanstaaf"));
    assert!(!r.verify(b"tanstaaftanstaaF"));
    assert!(!r.verify(b""));
    assert!(matches!(s.step(b""), Err(Error::Sasl(_))));
}

#[test]
fn cram_md5_server_accepts_uppercase_hex_and_spaces_in_user() {
    let mut s = SaslServer::cram_md5(1896, 697170952, "postoffice.reston.mci.net").unwrap();
    s.start(None).unwrap();
    let ServerStep::Done(Authentication::CramMd5(r)) =
        s.step(b"tim B913A602C7EDA7A495B4E6E7334D3890").unwrap()
    else {
        panic!()
    };
    assert!(r.verify(b"tanstaaftanstaaf"));
    let mut s = SaslServer::cram_md5(1, 2, "h").unwrap();
    s.start(None).unwrap();
    let ServerStep::Done(Authentication::CramMd5(r)) =
        s.step(b"a b 00000000000000000000000000000000").unwrap()
    else {
        panic!()
    };
    assert_eq!(r.username(), "a b");
    assert!(!r.verify(b"x"));
}

#[test]
fn cram_md5_malformed() {
    let bad: &[&[u8]] = &[
        b"",
        b"tim",
        b"timb913a602c7eda7a495b4e6e7334d3890",
        b" b913a602c7eda7a495b4e6e7334d3890",
        b"tim b913a602c7eda7a495b4e6e7334d389",
        b"tim b913a602c7eda7a495b4e6e7334d38900",
        b"tim g913a602c7eda7a495b4e6e7334d3890",
        b"tim b913a602c7eda7a495b4e6e7334d3890 ",
        b"\xff b913a602c7eda7a495b4e6e7334d3890",
        b"t\0m b913a602c7eda7a495b4e6e7334d3890",
    ];
    for &case in bad {
        let mut s = SaslServer::cram_md5(1, 2, "h").unwrap();
        s.start(None).unwrap();
        assert!(matches!(s.step(case), Err(Error::Sasl(_))), "{case:?}");
        // the failure sticks
        assert!(s.step(b"tim b913a602c7eda7a495b4e6e7334d3890").is_err());
    }
    // CRAM-MD5 has no initial response
    let mut s = SaslServer::cram_md5(1, 2, "h").unwrap();
    assert!(matches!(s.start(Some(b"tim")), Err(Error::Sasl(_))));
    // the challenge needs the application's data
    let mut s = SaslServer::new(Mechanism::CramMd5);
    assert!(matches!(s.start(None), Err(Error::Misuse(_))));
    for host in ["", "a b", "a>b", "a@b", "<h", "h\u{e9}"] {
        assert!(
            matches!(cram_md5_challenge(1, 2, host), Err(Error::Emit(_))),
            "{host:?}"
        );
        assert!(SaslServer::cram_md5(1, 2, host).is_err());
    }
    assert_eq!(
        cram_md5_challenge(u64::MAX, 0, "x.example").unwrap(),
        b"<18446744073709551615.0@x.example>"
    );
    assert!(
        SaslClient::try_new(Credentials::CramMd5 {
            username: "",
            password: "p".into()
        })
        .is_err()
    );
}

#[test]
fn mechanism_names() {
    for (name, m) in [
        ("cram-md5", Mechanism::CramMd5),
        ("SCRAM-SHA-1", Mechanism::ScramSha1),
        ("scram-sha-1-plus", Mechanism::ScramSha1Plus),
        ("SCRAM-SHA-256", Mechanism::ScramSha256),
        ("SCRAM-SHA-256-PLUS", Mechanism::ScramSha256Plus),
    ] {
        assert_eq!(Mechanism::from_name(name.as_bytes()), Some(m));
        assert!(m.name().eq_ignore_ascii_case(name));
    }
    assert!(!Mechanism::CramMd5.has_initial_response());
    assert!(Mechanism::ScramSha256.has_initial_response());
    assert_eq!(Mechanism::from_name(b"SCRAM-SHA-512"), None);
}

// ---------------------------------------------------------------- SCRAM

/// RFC 5802 §5: "This is a simple example of a SCRAM-SHA-1 authentication
/// exchange when the client doesn't support channel bindings (username 'user'
/// and password 'pencil' are used)":
const RFC5802: [&str; 4] = [
    "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
];

/// RFC 7677 §3: "This is a simple example of a SCRAM-SHA-256 authentication
/// exchange when the client doesn't support channel bindings.  The username
/// 'user' and password 'pencil' are being used."
const RFC7677: [&str; 4] = [
    "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
];

fn client_side(m: Mechanism, nonce: &str, exchange: [&str; 4]) {
    let mut c = SaslClient::try_new(Credentials::Scram(ScramCredentials::new(
        m, "user", "pencil", nonce,
    )))
    .unwrap();
    assert_eq!(c.initial_response().unwrap(), exchange[0].as_bytes());
    assert_eq!(
        c.step(exchange[1].as_bytes()).unwrap(),
        exchange[2].as_bytes()
    );
    assert!(!c.is_complete());
    // the server-final-message is checked and answered with an empty response
    assert_eq!(c.step(exchange[3].as_bytes()).unwrap(), b"");
    assert!(c.is_complete());
    assert!(c.step(b"").is_err());
}

fn server_side(m: Mechanism, server_nonce: &str, exchange: [&str; 4]) {
    let salt_b64 = exchange[1]
        .split(",s=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let salt = STANDARD.decode(salt_b64).unwrap();
    let key = ScramStoredKey::derive(m, "pencil", &salt, 4096).unwrap();
    let mut s = ScramServer::new(m, server_nonce).unwrap();
    assert_eq!(
        s.start(Some(exchange[0].as_bytes())).unwrap(),
        ScramServerStep::Lookup {
            username: "user".into(),
            authzid: None
        }
    );
    assert_eq!(
        s.stored_key(&key).unwrap(),
        ScramServerStep::Challenge(exchange[1].as_bytes().to_vec())
    );
    assert_eq!(
        s.step(exchange[2].as_bytes()).unwrap(),
        ScramServerStep::Done {
            username: "user".into(),
            authzid: None,
            server_final: exchange[3].as_bytes().to_vec(),
        }
    );
    assert!(matches!(s.step(b""), Err(Error::Sasl(_))));

    // the same exchange with a wrong password is refused at the proof
    let wrong = ScramStoredKey::derive(m, "pencil2", &salt, 4096).unwrap();
    let mut s = ScramServer::new(m, server_nonce).unwrap();
    s.start(Some(exchange[0].as_bytes())).unwrap();
    s.stored_key(&wrong).unwrap();
    assert!(matches!(
        s.step(exchange[2].as_bytes()),
        Err(Error::Sasl(_))
    ));
}

#[test]
fn scram_sha1_rfc5802_client() {
    client_side(Mechanism::ScramSha1, "fyko+d2lbbFgONRv9qkxdawL", RFC5802);
}

#[test]
fn scram_sha1_rfc5802_server() {
    server_side(Mechanism::ScramSha1, "3rfcNHYJY1ZVvWVs7j", RFC5802);
}

#[test]
fn scram_sha256_rfc7677_client() {
    client_side(Mechanism::ScramSha256, "rOprNGfwEbeRWgbNEkqO", RFC7677);
}

#[test]
fn scram_sha256_rfc7677_server() {
    server_side(
        Mechanism::ScramSha256,
        "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        RFC7677,
    );
}

#[test]
fn scram_client_without_initial_response() {
    let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
        Mechanism::ScramSha256,
        "user",
        "pencil",
        "rOprNGfwEbeRWgbNEkqO",
    )));
    // RFC 4422 §5: an empty challenge first, then the client-first-message
    assert_eq!(c.step(b"").unwrap(), RFC7677[0].as_bytes());
    assert_eq!(
        c.step(RFC7677[1].as_bytes()).unwrap(),
        RFC7677[2].as_bytes()
    );
    assert_eq!(c.step(RFC7677[3].as_bytes()).unwrap(), b"");
}

#[test]
fn scram_client_refuses_a_wrong_server_signature() {
    for last in [
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=",
        "v=AAAA",
        "v=!!",
        "e=invalid-proof",
        "x=1",
        "",
    ] {
        let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256,
            "user",
            "pencil",
            "rOprNGfwEbeRWgbNEkqO",
        )));
        c.initial_response().unwrap();
        c.step(RFC7677[1].as_bytes()).unwrap();
        assert!(
            matches!(c.step(last.as_bytes()), Err(Error::Sasl(_))),
            "{last}"
        );
        // sticky
        assert!(c.step(RFC7677[3].as_bytes()).is_err());
    }
}

#[test]
fn scram_client_refuses_hostile_server_first() {
    let n = "rOprNGfwEbeRWgbNEkqO";
    let cases: &[&[u8]] = &[
        b"",
        b"garbage",
        b"r=",
        // wrong nonce prefix, or no server part
        b"r=XOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        b"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        b"r=rOprNGfw,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        // a comma-free but unprintable nonce
        b"r=rOprNGfwEbeRWgbNEkqO\x7f,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        // bad base64 salt, empty salt
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0S!Y7soEsUEjb6gQ==,i=4096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096",
        // missing or misplaced attributes
        b"r=rOprNGfwEbeRWgbNEkqOx,i=4096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==",
        b"s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096",
        // iteration counts: zero, leading zero, sign, too big for u32, over the cap
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=+4096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4294967296",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100001",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999",
        // a mandatory extension the client does not know (RFC 5802 §5.1 m=)
        b"m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        b"e=other-error",
        // empty attribute, trailing comma, not UTF-8
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,x=\xff",
    ];
    for &case in cases {
        let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256,
            "user",
            "pencil",
            n,
        )));
        c.initial_response().unwrap();
        assert!(matches!(c.step(case), Err(Error::Sasl(_))), "{case:?}");
    }
    // the cap is configurable: a lower one refuses RFC 7677's 4096
    let mut c = SaslClient::new(Credentials::Scram(
        ScramCredentials::new(Mechanism::ScramSha256, "user", "pencil", n)
            .with_max_iterations(4095),
    ));
    c.initial_response().unwrap();
    assert!(matches!(c.step(RFC7677[1].as_bytes()), Err(Error::Sasl(_))));
    let mut c = SaslClient::new(Credentials::Scram(
        ScramCredentials::new(Mechanism::ScramSha256, "user", "pencil", n)
            .with_max_iterations(4096),
    ));
    c.initial_response().unwrap();
    assert_eq!(
        c.step(RFC7677[1].as_bytes()).unwrap(),
        RFC7677[2].as_bytes()
    );
    // extensions after i= are ignored (RFC 5802 §5.1)
    let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
        Mechanism::ScramSha256,
        "user",
        "pencil",
        n,
    )));
    c.initial_response().unwrap();
    assert!(c.step(format!("{},x=ext", RFC7677[1]).as_bytes()).is_ok());
}

fn server_after_first(m: Mechanism, first: &str) -> ScramServer {
    let key = ScramStoredKey::derive(m, "pencil", b"salt", 16).unwrap();
    let mut s = ScramServer::new(m, "SERVER").unwrap();
    assert!(matches!(
        s.start(Some(first.as_bytes())).unwrap(),
        ScramServerStep::Lookup { .. }
    ));
    assert!(matches!(
        s.stored_key(&key).unwrap(),
        ScramServerStep::Challenge(_)
    ));
    s
}

#[test]
fn scram_server_refuses_hostile_client_first() {
    let cases: &[&[u8]] = &[
        b"",
        b"n",
        b"n,",
        b"n,,",
        b"x,,n=user,r=abc",
        b"nn,,n=user,r=abc",
        b"n,,n=,r=abc",
        b"n,,n=us=er,r=abc",
        b"n,,n=us=2cer,r=abc",
        b"n,,r=abc,n=user",
        b"n,,m=ext,n=user,r=abc",
        b"n,,n=user",
        b"n,,n=user,r=",
        b"n,,n=user,r=a\x7f",
        b"n,,n=\xff,r=abc",
        b"n,,n=user,r=abc,",
        b"n,b=x,n=user,r=abc",
        b"n,a=,n=user,r=abc",
        // p= with a mechanism that is not -PLUS
        b"p=tls-exporter,,n=user,r=abc",
    ];
    for &case in cases {
        let mut s = ScramServer::new(Mechanism::ScramSha256, "SERVER").unwrap();
        assert!(
            matches!(s.start(Some(case)), Err(Error::Sasl(_))),
            "{case:?}"
        );
        let key = ScramStoredKey::derive(Mechanism::ScramSha256, "p", b"s", 1).unwrap();
        assert!(s.stored_key(&key).is_err());
    }
    // extensions after r= are allowed, authzid and names are unescaped
    let mut s = ScramServer::new(Mechanism::ScramSha256, "SERVER").unwrap();
    assert_eq!(
        s.start(Some(b"n,a=a=2Cb=3Dc,n=u=2C=3D,r=abc,x=ext"))
            .unwrap(),
        ScramServerStep::Lookup {
            username: "u,=".into(),
            authzid: Some("a,b=c".into())
        }
    );
}

#[test]
fn scram_server_refuses_hostile_client_final() {
    let first = "n,,n=user,r=abc";
    let good_client = || {
        let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256,
            "user",
            "pencil",
            "abc",
        )));
        c.initial_response().unwrap();
        c
    };
    // the honest answer works
    let mut s = server_after_first(Mechanism::ScramSha256, first);
    let key = ScramStoredKey::derive(Mechanism::ScramSha256, "pencil", b"salt", 16).unwrap();
    let server_first = format!(
        "r=abcSERVER,s={},i={}",
        STANDARD.encode(&key.salt),
        key.iterations
    );
    let final_msg = good_client().step(server_first.as_bytes()).unwrap();
    assert!(matches!(
        s.step(&final_msg).unwrap(),
        ScramServerStep::Done { .. }
    ));

    let honest = String::from_utf8(final_msg).unwrap();
    let proof = honest.split(",p=").nth(1).unwrap().to_owned();
    let cases = [
        String::new(),
        "c=biws,r=abcSERVER".into(),
        format!("c=biws,r=abcSERVEX,p={proof}"),
        format!("c=biws,r=abc,p={proof}"),
        format!("r=abcSERVER,c=biws,p={proof}"),
        // the gs2 header was "n,,", not "y,,"
        format!("c=eSws,r=abcSERVER,p={proof}"),
        format!("c=bi!s,r=abcSERVER,p={proof}"),
        "c=biws,r=abcSERVER,p=!!!!".into(),
        "c=biws,r=abcSERVER,p=AAAA".into(),
        format!("c=biws,r=abcSERVER,p={proof},x=1"),
        format!("c=biws,r=abcSERVER,p={}", STANDARD.encode([0u8; 32])),
    ];
    for case in cases {
        let mut s = server_after_first(Mechanism::ScramSha256, first);
        assert!(
            matches!(s.step(case.as_bytes()), Err(Error::Sasl(_))),
            "{case}"
        );
        assert!(s.step(honest.as_bytes()).is_err(), "sticky");
    }
}

#[test]
fn scram_server_misuse() {
    assert!(matches!(
        ScramServer::new(Mechanism::Plain, "n"),
        Err(Error::Misuse(_))
    ));
    for nonce in ["", "a,b", "a b", "\u{e9}"] {
        assert!(
            ScramServer::new(Mechanism::ScramSha1, nonce).is_err(),
            "{nonce:?}"
        );
    }
    let mut s = ScramServer::new(Mechanism::ScramSha1, "n").unwrap();
    assert!(matches!(s.step(b"x"), Err(Error::Misuse(_))));
    let key = ScramStoredKey::derive(Mechanism::ScramSha1, "p", b"s", 1).unwrap();
    assert!(matches!(s.stored_key(&key), Err(Error::Misuse(_))));
    let mut s = ScramServer::new(Mechanism::ScramSha1, "n").unwrap();
    assert_eq!(s.start(None).unwrap(), ScramServerStep::Challenge(vec![]));
    assert!(matches!(s.start(None), Err(Error::Misuse(_))));
    assert!(matches!(
        s.step(b"n,,n=u,r=x").unwrap(),
        ScramServerStep::Lookup { .. }
    ));
    assert!(matches!(s.step(b"again"), Err(Error::Misuse(_))));
    // a SHA-256 key for a SHA-1 mechanism does not fit
    let mut s = ScramServer::new(Mechanism::ScramSha1, "n").unwrap();
    s.start(Some(b"n,,n=u,r=x")).unwrap();
    let k256 = ScramStoredKey::derive(Mechanism::ScramSha256, "p", b"s", 1).unwrap();
    assert!(s.stored_key(&k256).is_err());
    // a -PLUS server without channel-binding data
    let mut s = ScramServer::new(Mechanism::ScramSha256Plus, "n").unwrap();
    assert!(matches!(s.start(None), Err(Error::Misuse(_))));
    // SaslServer cannot run SCRAM: it has no stored key
    let mut s = SaslServer::new(Mechanism::ScramSha256);
    assert!(matches!(
        s.start(Some(RFC7677[0].as_bytes())),
        Err(Error::Sasl(_))
    ));
    assert!(ScramStoredKey::derive(Mechanism::ScramSha256, "p", b"", 1).is_err());
    assert!(ScramStoredKey::derive(Mechanism::ScramSha256, "p", b"s", 0).is_err());
    assert!(ScramStoredKey::derive(Mechanism::CramMd5, "p", b"s", 1).is_err());
    assert!(!format!("{key:?}").contains("stored_key"));
}

const EXPORTER: [u8; 32] = [0xab; 32];

fn plus_client(m: Mechanism, cb: Option<ChannelBinding<'static>>) -> SaslClient<'static> {
    let mut creds = ScramCredentials::new(m, "user", "pencil", "abc");
    if let Some(cb) = cb {
        creds = creds.with_channel_binding(cb);
    }
    SaslClient::new(Credentials::Scram(creds))
}

/// Runs client against server; the server result of the final step.
fn exchange(mut c: SaslClient<'_>, mut s: ScramServer) -> Result<ScramServerStep, Error> {
    let key = ScramStoredKey::derive(s.mechanism(), "pencil", b"salt", 16).unwrap();
    let first = c.initial_response().unwrap();
    s.start(Some(&first))?;
    let ScramServerStep::Challenge(sf) = s.stored_key(&key)? else {
        panic!()
    };
    let cf = c.step(&sf)?;
    let done = s.step(&cf)?;
    if let ScramServerStep::Done { server_final, .. } = &done {
        assert_eq!(c.step(server_final).unwrap(), b"");
    }
    Ok(done)
}

#[test]
fn scram_plus_channel_binding() {
    let cb = || ChannelBinding::new(ChannelBindingType::TlsExporter, &EXPORTER[..]);
    // RFC 5802 §7: gs2-cbind-flag = ("p=" cb-name) / "n" / "y";
    // channel-binding = "c=" base64 (gs2-header [cbind-data])
    let mut c = plus_client(Mechanism::ScramSha256Plus, Some(cb()));
    assert_eq!(
        c.initial_response().unwrap(),
        b"p=tls-exporter,,n=user,r=abc"
    );
    let server_first = b"r=abcS,s=c2FsdA==,i=16";
    let cf = String::from_utf8(c.step(server_first).unwrap()).unwrap();
    let mut cbind = b"p=tls-exporter,,".to_vec();
    cbind.extend_from_slice(&EXPORTER);
    assert!(
        cf.starts_with(&format!("c={},r=abcS,p=", STANDARD.encode(&cbind))),
        "{cf}"
    );

    // matching data: authenticated
    let s = ScramServer::new(Mechanism::ScramSha256Plus, "S")
        .unwrap()
        .with_channel_binding(cb().into_owned());
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha256Plus, Some(cb())), s),
        Ok(ScramServerStep::Done { .. })
    ));
    // other data (a man in the middle's TLS session): refused
    let s = ScramServer::new(Mechanism::ScramSha256Plus, "S")
        .unwrap()
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsExporter,
            vec![0xcd; 32],
        ));
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha256Plus, Some(cb())), s),
        Err(Error::Sasl(_))
    ));
    // another binding type than the server's: refused
    let s = ScramServer::new(Mechanism::ScramSha1Plus, "S")
        .unwrap()
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsServerEndPoint,
            &EXPORTER[..],
        ));
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha1Plus, Some(cb())), s),
        Err(Error::Sasl(_))
    ));
    // tls-server-end-point works the same way
    let ep = || ChannelBinding::new(ChannelBindingType::TlsServerEndPoint, &EXPORTER[..16]);
    let s = ScramServer::new(Mechanism::ScramSha1Plus, "S")
        .unwrap()
        .with_channel_binding(ep());
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha1Plus, Some(ep())), s),
        Ok(ScramServerStep::Done { .. })
    ));
    // a -PLUS client needs channel-binding data
    assert!(
        SaslClient::try_new(Credentials::Scram(ScramCredentials::new(
            Mechanism::ScramSha256Plus,
            "u",
            "p",
            "n"
        )))
        .is_err()
    );
    // a -PLUS server refuses a client that does not bind
    let mut s = ScramServer::new(Mechanism::ScramSha256Plus, "S")
        .unwrap()
        .with_channel_binding(cb());
    assert!(matches!(
        s.start(Some(b"n,,n=user,r=abc")),
        Err(Error::Sasl(_))
    ));
}

#[test]
fn scram_downgrade_is_refused() {
    let cb = || ChannelBinding::new(ChannelBindingType::TlsExporter, &EXPORTER[..]);
    // a client that can bind but uses the plain mechanism says "y"
    let mut c = plus_client(Mechanism::ScramSha256, Some(cb()));
    assert_eq!(c.initial_response().unwrap(), b"y,,n=user,r=abc");
    // RFC 5802 §6: "If the flag is set to "y" and the server supports channel
    // binding, the server MUST fail authentication."
    let s = ScramServer::new(Mechanism::ScramSha256, "S")
        .unwrap()
        .with_channel_binding(cb());
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha256, Some(cb())), s),
        Err(Error::Sasl(_))
    ));
    // a server that does not offer -PLUS accepts "y" (c= is base64 "y,,")
    let s = ScramServer::new(Mechanism::ScramSha256, "S").unwrap();
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha256, Some(cb())), s),
        Ok(ScramServerStep::Done { .. })
    ));
    // and "n" is fine either way
    let s = ScramServer::new(Mechanism::ScramSha256, "S")
        .unwrap()
        .with_channel_binding(cb());
    assert!(matches!(
        exchange(plus_client(Mechanism::ScramSha256, None), s),
        Ok(ScramServerStep::Done { .. })
    ));
}

#[test]
fn scram_authzid_and_escaping() {
    let mut c = SaslClient::new(Credentials::Scram(
        ScramCredentials::new(Mechanism::ScramSha1, "u,=", "pencil", "abc").with_authzid("a,b=c"),
    ));
    // saslname = 1*(value-safe-char / "=2C" / "=3D")
    assert_eq!(
        c.initial_response().unwrap(),
        b"n,a=a=2Cb=3Dc,n=u=2C=3D,r=abc"
    );
    let c = SaslClient::new(Credentials::Scram(
        ScramCredentials::new(Mechanism::ScramSha1, "u,=", "pencil", "abc").with_authzid("a,b=c"),
    ));
    let s = ScramServer::new(Mechanism::ScramSha1, "S").unwrap();
    let ScramServerStep::Done {
        username, authzid, ..
    } = exchange(c, s).unwrap()
    else {
        panic!()
    };
    assert_eq!(username, "u,=");
    assert_eq!(authzid.as_deref(), Some("a,b=c"));
}

#[test]
fn scram_invalid_client_credentials() {
    for creds in [
        ScramCredentials::new(Mechanism::ScramSha1, "", "p", "n"),
        ScramCredentials::new(Mechanism::ScramSha1, "u\0", "p", "n"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "", "n"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "p", ""),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "p", "a,b"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "p", "a b"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "p\u{7}", "n"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "\u{AD}", "n"),
        ScramCredentials::new(Mechanism::ScramSha1, "u", "p", "n").with_authzid(""),
        ScramCredentials::new(Mechanism::Plain, "u", "p", "n"),
    ] {
        let c = Credentials::Scram(creds);
        assert!(matches!(c.validate(), Err(Error::Emit(_))), "{c:?}");
        let mut client = SaslClient::new(c);
        assert_eq!(client.initial_response(), None);
    }
    let bad_utf8 = ScramCredentials::new(
        Mechanism::ScramSha1,
        "u",
        mailwire::Secret::new(&b"\xff"[..]),
        "n",
    );
    assert!(Credentials::Scram(bad_utf8).validate().is_err());
    // Debug never shows the password
    let c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
        Mechanism::ScramSha1,
        "u",
        "hunter2",
        "n",
    )));
    assert!(!format!("{c:?}").contains("hunter2"));
}

/// RFC 4013 §3 examples, the ones the implemented subset covers:
/// ```text
/// #  Input            Output     Comments
/// 1  I<U+00AD>X       IX         SOFT HYPHEN mapped to nothing
/// 2  user             user       no transformation
/// 3  USER             USER       case preserved, will not match #2
/// 6  <U+0007>         Error - prohibited character
/// ```
/// (Example 4, `<U+00AA>` -> `a`, and 5, `<U+2168>` -> `IX`, need NFKC, and 7,
/// `<U+0627><U+0031>`, the bidi check: not covered, see the module docs.)
#[test]
fn saslprep_subset() {
    let key = |p: &str| ScramStoredKey::derive(Mechanism::ScramSha1, p, b"salt", 2);
    assert_eq!(key("I\u{AD}X").unwrap(), key("IX").unwrap());
    assert_ne!(key("user").unwrap(), key("USER").unwrap());
    assert!(matches!(key("\u{7}"), Err(Error::Emit(_))));
    // RFC 4013 §2.1: non-ASCII space characters map to SPACE, B.1 to nothing
    assert_eq!(key("pen\u{A0}cil").unwrap(), key("pen cil").unwrap());
    assert_eq!(key("pen\u{3000}cil").unwrap(), key("pen cil").unwrap());
    assert_eq!(
        key("pen\u{200B}\u{FEFF}cil").unwrap(),
        key("pencil").unwrap()
    );
    // prohibited: C.2.2 controls, C.3 private use, C.4 non-characters, C.8, C.9
    for p in [
        "a\u{85}",
        "a\u{E000}",
        "a\u{FFFF}",
        "a\u{1FFFE}",
        "a\u{200E}",
        "a\u{E0001}",
        "\u{7f}",
    ] {
        assert!(matches!(key(p), Err(Error::Emit(_))), "{p:?}");
    }
    // empty after mapping
    assert!(key("\u{AD}\u{200B}").is_err());
    assert!(key("").is_err());
    // non-ASCII that needs no mapping goes through unchanged
    assert!(key("pässwörd").is_ok());
    // the client prepares the same way the stored key was derived
    let stored = key("pen\u{A0}cil").unwrap();
    let mut c = SaslClient::new(Credentials::Scram(ScramCredentials::new(
        Mechanism::ScramSha1,
        "user",
        "pen cil",
        "abc",
    )));
    let mut s = ScramServer::new(Mechanism::ScramSha1, "S").unwrap();
    s.start(Some(&c.initial_response().unwrap())).unwrap();
    let ScramServerStep::Challenge(sf) = s.stored_key(&stored).unwrap() else {
        panic!()
    };
    let cf = c.step(&sf).unwrap();
    assert!(matches!(s.step(&cf).unwrap(), ScramServerStep::Done { .. }));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn hostile_messages_never_panic(
        first in proptest::collection::vec(0u8..=255, 0..60),
        second in proptest::collection::vec(0u8..=255, 0..80),
    ) {
        for m in [Mechanism::ScramSha1, Mechanism::ScramSha256Plus] {
            let mut s = ScramServer::new(m, "S").unwrap().with_channel_binding(
                ChannelBinding::new(ChannelBindingType::TlsExporter, vec![1; 32]));
            let _ = s.start(Some(&first));
            let key = ScramStoredKey::derive(m, "p", b"salt", 1).unwrap();
            let _ = s.stored_key(&key);
            let _ = s.step(&second);
        }
        let mut c = SaslClient::new(Credentials::Scram(
            ScramCredentials::new(Mechanism::ScramSha256, "u", "p", "n").with_max_iterations(64)));
        c.initial_response().unwrap();
        let _ = c.step(&first);
        let _ = c.step(&second);
        let mut s = SaslServer::cram_md5(1, 2, "h").unwrap();
        s.start(None).unwrap();
        let _ = s.step(&first);
    }
}
