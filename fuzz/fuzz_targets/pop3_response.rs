//! Fuzz the POP3 response, listing and capability parsers: never panic, and what
//! parses re-emits to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::pop3::parse::{MultiLines, parse_response_stream, parse_response};
use mailwire::pop3::{Capability, LanguageListing, ScanListing, UniqueIdListing};

fuzz_target!(|data: &[u8]| {
    let _ = parse_response_stream(data);
    if let Ok(r) = parse_response(data) {
        let _ = r.apop_timestamp();
        let _ = r.drop_listing();
        let _ = r.scan_listing();
        let _ = r.unique_id_listing();
        let _ = r.language();
        let mut wire = Vec::new();
        if r.emit(&mut wire).is_ok() {
            let again = parse_response(&wire[..wire.len() - 2]).expect("emitted response parses");
            assert_eq!(again, r);
        }
    }
    if let Ok(c) = Capability::parse(data) {
        let mut wire = Vec::new();
        if c.emit(&mut wire).is_ok() {
            assert_eq!(Capability::parse(&wire).unwrap(), c);
        }
    }
    if let Ok(s) = ScanListing::parse(data) {
        let mut wire = Vec::new();
        s.emit(&mut wire);
        assert_eq!(ScanListing::parse(&wire).unwrap(), s);
    }
    if let Ok(u) = UniqueIdListing::parse(data) {
        let mut wire = Vec::new();
        if u.emit(&mut wire).is_ok() {
            assert_eq!(UniqueIdListing::parse(&wire).unwrap(), u);
        }
    }
    if let Ok(l) = LanguageListing::parse(data) {
        let mut wire = Vec::new();
        if l.emit(&mut wire).is_ok() {
            assert_eq!(LanguageListing::parse(&wire).unwrap(), l);
        }
    }
    for line in MultiLines::new(data) {
        let _ = line;
    }
});
