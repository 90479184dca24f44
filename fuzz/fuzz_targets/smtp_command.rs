//! smtp::parse_command never panics on any line, and whatever it parses
//! emits (when emittable) to a line that parses back to the same command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::smtp::{emit_command, parse_command};

fuzz_target!(|data: &[u8]| {
    // The fast path of HELO/EHLO/LHLO/MAIL/RCPT checks UTF-8 from the line's
    // first word-aligned byte: the same answer wherever the line lies.
    let mut shifted = vec![0u8; data.len() + 8];
    for pad in 1..8 {
        shifted[pad..pad + data.len()].copy_from_slice(data);
        assert_eq!(
            parse_command(&shifted[pad..pad + data.len()]),
            parse_command(data)
        );
    }
    if let Ok(cmd) = parse_command(data) {
        let _ = cmd.verb();
        if let mailwire::smtp::Command::Mail { parameters, .. }
        | mailwire::smtp::Command::Rcpt { parameters, .. } = &cmd
        {
            for p in parameters.iter() {
                let _ = p.into_owned();
            }
            // The table kept by parsing reads as text that is only scanned:
            // parameters pushed one by one into an empty list have no table.
            let mut scanned = mailwire::smtp::Parameters::default();
            if parameters.iter().all(|p| scanned.push(&p).is_ok()) {
                assert!(parameters.iter().eq(scanned.iter()));
            }
            assert_eq!(
                parameters.size(),
                parameters.iter().find_map(|p| match p {
                    mailwire::smtp::Parameter::Size(n) => Some(n),
                    _ => None,
                })
            );
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
