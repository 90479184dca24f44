//! Fuzz target: hostile CRAM-MD5 and SCRAM messages, fed to both sides, never
//! panic (the client's iteration cap keeps each run short).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::wire::sasl::{
    ChannelBinding, ChannelBindingType, Credentials, Mechanism, SaslClient, SaslServer,
    ScramCredentials, ScramServer, ScramStoredKey,
};

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let first = parts.first().copied().unwrap_or_default();
    let second = parts.get(1).copied().unwrap_or_default();
    for m in [
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
        Mechanism::ScramSha256Plus,
    ] {
        let cb = ChannelBinding::new(ChannelBindingType::TlsExporter, vec![7u8; 32]);
        // server side: arbitrary client-first, then client-final
        let mut s = ScramServer::new(m, "srv").unwrap().with_channel_binding(cb.clone());
        let _ = s.start(Some(first));
        if let Ok(key) = ScramStoredKey::derive(m, "pencil", b"salt", 2) {
            let _ = s.stored_key(&key);
        }
        let _ = s.step(second);
        let _ = s.step(first);
        // client side: arbitrary server-first, then server-final
        let creds = ScramCredentials::new(m, "user", "pencil", "cnonce")
            .with_channel_binding(cb)
            .with_max_iterations(16);
        let mut c = SaslClient::new(Credentials::Scram(creds));
        let _ = c.initial_response();
        let _ = c.step(first);
        let _ = c.step(second);
    }
    let mut s = SaslServer::cram_md5(1, 2, "host").unwrap();
    let _ = s.start(None);
    if let Ok(mailwire::wire::sasl::ServerStep::Done(auth)) = s.step(first) {
        if let mailwire::wire::sasl::Authentication::CramMd5(r) = auth {
            let _ = r.verify(second);
        }
    }
    let mut c = SaslClient::new(Credentials::CramMd5 {
        username: "tim",
        password: "secret".into(),
    });
    let _ = c.step(first);
});
