//! smtp::parse_command never panics on any line, and whatever it parses
//! emits (when emittable) to a line that parses back to the same command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{emit_command, parse_command};

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = parse_command(data) {
        let _ = cmd.verb();
        if let mailwire::smtp::Command::Mail { parameters, .. } | mailwire::smtp::Command::Rcpt { parameters, .. } = &cmd {
            for p in parameters.iter() {
                let _ = p.into_owned();
            }
        }
        let mut out = Vec::new();
        if emit_command(&cmd, &mut out).is_ok() {
            let line = &out[..out.len() - 2];
            assert_eq!(parse_command(line).expect("emitted line parses"), cmd);
        } else {
            assert!(out.is_empty(), "nothing written on error");
        }
        let owned = cmd.clone().into_owned();
        assert_eq!(owned, cmd);
    }
});
