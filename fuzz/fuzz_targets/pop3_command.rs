//! Fuzz the POP3 command parser: never panics, and what parses re-emits to the
//! same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::pop3::parse::{parse_command_stream, parse_command};

fuzz_target!(|data: &[u8]| {
    let _ = parse_command_stream(data);
    if let Ok(cmd) = parse_command(data) {
        let mut wire = Vec::new();
        if cmd.emit(&mut wire).is_ok() {
            let again = parse_command(&wire[..wire.len() - 2]).expect("emitted command parses");
            assert_eq!(again, cmd);
            assert_eq!(again.clone().into_owned(), cmd);
        }
    }
});
