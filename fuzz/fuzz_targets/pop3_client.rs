//! Fuzz the POP3 client machine with arbitrary server bytes in arbitrary chunks
//! after a pipelined batch of commands. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::pop3::{Client, ClientConfig, ClientEvent, Command};
use mailwire::Secret;

fuzz_target!(|data: &[u8]| {
    let Some((&seed, data)) = data.split_first() else { return };
    let mut config = ClientConfig::default();
    config.limits.input_buffer = 8192;
    config.limits.reply_line = 512;
    config.limits.message_size = 1 << 16;
    // the commands below are sent before any CAPA answer
    config.trust_unadvertised = true;
    let mut client = Client::new(config);
    let commands = [
        Command::Capa,
        Command::User { name: "u".into() },
        Command::Pass { password: Secret::from("p") },
        Command::Stat,
        Command::List { msg: None },
        Command::Uidl { msg: None },
        Command::Retr { msg: 1 },
        Command::Top { msg: 1, lines: 3 },
        Command::List { msg: Some(2) },
        Command::Quit,
    ];
    for c in &commands {
        let _ = client.send_command(c);
    }
    if seed & 0x80 != 0 {
        use mailwire::wire::sasl::{Credentials, Mechanism, ScramCredentials};
        // the client SASL pump's mechanisms, by seed; a hostile server's
        // SCRAM iteration count is capped low to keep runs fast
        let _ = client.authenticate(match seed % 3 {
            0 => Credentials::Login {
                username: "u",
                password: "p".into(),
            },
            1 => Credentials::CramMd5 {
                username: "u",
                password: "p".into(),
            },
            _ => Credentials::Scram(
                ScramCredentials::new(Mechanism::ScramSha256, "u", "p", "nonce")
                    .with_max_iterations(16),
            ),
        });
    }
    let chunk = usize::from(seed % 23) + 1;
    for piece in data.chunks(chunk) {
        client.handle_input(piece);
        loop {
            match client.poll_event() {
                Ok(Some(ClientEvent::StartTls)) => {
                    let _ = client.tls_established();
                }
                Ok(Some(ClientEvent::AuthChallenge(_))) => {
                    let _ = client.auth_response(b"x");
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        while client.poll_transmit().is_some() {}
    }
    client.handle_eof();
    let _ = client.poll_event();
});
