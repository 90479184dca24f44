//! IMAP commands: the framer and the command parser never panic, and every
//! parsed command that emits parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::imap::{EmitOptions, Frame, Framer, IntoOwned, ParseOptions, emit_command, parse_command};
use mailwire::wire::line::LinePolicy;

fuzz_target!(|data: &[u8]| {
    let mut f = Framer::new(8192, mailwire::error::LimitKind::CommandLine, 1 << 20, LinePolicy::STRICT);
    let mut pos = 0;
    while let Ok(Frame::Complete(n)) = f.find(&data[pos..]) {
        let frame = &data[pos..pos + n];
        pos += n;
        let Ok(c) = parse_command(frame, &ParseOptions::default()) else { continue };
        let _ = format!("{c:?}");
        let mut out = Vec::new();
        if emit_command(&c, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_command(&out, &ParseOptions::default())
                .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&out)));
            assert_eq!(again.into_owned(), c.into_owned());
        }
    }
});
