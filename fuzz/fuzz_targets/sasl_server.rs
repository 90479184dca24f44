//! Fuzz target: arbitrary client lines and responses fed to the SASL server of
//! every mechanism, and to the line decoders, must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::wire::sasl::{
    ClientLine, Mechanism, SaslServer, ServerStep, decode_challenge, decode_client_line,
};

fuzz_target!(|data: &[u8]| {
    // The first byte chooses whether an initial response is sent; the rest is
    // split at '\n' into the client's lines (base64 or raw, both are tried).
    let (flags, rest) = match data.split_first() {
        Some((&f, rest)) => (f, rest),
        None => (0, data),
    };
    let lines: Vec<&[u8]> = rest.split(|&b| b == b'\n').collect();
    for mechanism in Mechanism::ALL {
        let _ = Mechanism::from_name(rest);
        for decode in [false, true] {
            let mut server = SaslServer::new(mechanism);
            let mut lines = lines.iter();
            let payload = |line: &[u8]| -> Option<Vec<u8>> {
                if decode {
                    match decode_client_line(line) {
                        Ok(ClientLine::Response(r)) => Some(r),
                        _ => None,
                    }
                } else {
                    Some(line.to_vec())
                }
            };
            let initial = if flags & 1 == 1 {
                lines.next().and_then(|l| payload(l))
            } else {
                None
            };
            let mut done = matches!(server.start(initial.as_deref()), Ok(ServerStep::Done(_)));
            for line in lines {
                let _ = decode_challenge(line);
                if let Some(r) = payload(line) {
                    let step = server.step(&r);
                    // a response after Done is always an error
                    if done {
                        assert!(step.is_err());
                    }
                    done |= matches!(step, Ok(ServerStep::Done(_)));
                }
            }
        }
    }
});
