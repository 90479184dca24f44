//! The mailwire demo: runs on its own, no outside server.
//!
//! For now it shows the shared wire layer (the protocol modules' client and
//! server machines join it as they land): a message body dot-stuffed by the
//! encoder, fed to the streaming decoder in awkward chunks, and a SASL PLAIN
//! exchange between a client and a server step machine.

use mailwire::wire::dot::{BodyPolicy, DotDecoder, DotEncoder};
use mailwire::wire::sasl::{Authentication, Credentials, SaslClient, SaslServer, ServerStep};

fn main() -> Result<(), mailwire::Error> {
    let body = b"Subject: demo\r\n\r\n.a line that starts with a dot\r\nbye\r\n";
    let mut enc = DotEncoder::new(BodyPolicy::Strict);
    let mut wire = Vec::new();
    enc.encode(body, &mut wire)?;
    enc.finish(&mut wire);
    println!("on the wire: {:?}", String::from_utf8_lossy(&wire));

    let mut dec = DotDecoder::new(BodyPolicy::Strict);
    let mut got = Vec::new();
    let mut buf = Vec::new();
    'feed: for chunk in wire.chunks(7) {
        buf.extend_from_slice(chunk);
        loop {
            let step = dec.decode(&buf)?;
            got.extend_from_slice(step.data);
            let (n, end) = (step.consumed, step.end);
            buf.drain(..n);
            if end {
                break 'feed;
            }
            if n == 0 {
                break;
            }
        }
    }
    assert_eq!(got, body);
    println!(
        "decoded back from 7-byte reads: {} bytes, identical",
        got.len()
    );

    let mut client = SaslClient::new(Credentials::Plain {
        authzid: None,
        username: "alice",
        password: "secret".into(),
    });
    let mut server = SaslServer::new(client.mechanism());
    let first = client.initial_response();
    match server.start(first.as_deref())? {
        ServerStep::Done(Authentication::Plain { authcid, .. }) => {
            println!(
                "SASL {}: server authenticated {authcid}",
                client.mechanism().name()
            )
        }
        other => panic!("unexpected {other:?}"),
    }
    Ok(())
}
