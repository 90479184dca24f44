//! Deep nesting from a hostile peer (issue 15, item 5): the fuzzer builds a
//! frame by repeating an opener of its choice (`(`, `NOT `, `OR ALL `, the
//! head of a message/rfc822 part, anything) up to 65 535 times between one
//! of the heads below and a tail of its choice. The frame is parsed as a
//! response (also through the visitor) or a command with the nesting
//! setting as large as it goes, on a thread with a small stack; whatever
//! parses is printed (which reads every lazy value), converted to owned,
//! emitted (it must parse back to itself), cloned, compared and dropped.
//! Nothing may panic, and no shape may recurse without spending the depth
//! budget (the stack is 1 MiB: the sanitizers enlarge frames, and
//! tests/nesting_stack.rs proves the 256 KiB figure without them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailwire::imap::{
    EmitOptions, FetchVisitor, ParseOptions, emit_command, emit_response, parse_command,
    parse_response, parse_response_with,
};

const RESPONSE_HEADS: [&str; 6] = [
    "* 1 FETCH (BODYSTRUCTURE ",
    "* 1 FETCH (BODY ",
    "* 1 FETCH (UID 2 BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ",
    "* THREAD ",
    "* 1 FETCH (X-UNKNOWN ",
    "* OK [X-CODE ",
];
const COMMAND_HEADS: [&str; 5] = [
    "A1 SEARCH ",
    "A1 UID SEARCH RETURN (ALL) CHARSET UTF-8 ",
    "A1 SORT (DATE) UTF-8 ",
    "A1 THREAD REFERENCES UTF-8 ",
    "A1 SELECT INBOX (X-PARAM ",
];

struct Events(usize);
impl<'a> FetchVisitor<'a> for Events {
    fn part(&mut self, _: &mailwire::imap::SinglePart<'a>) {
        self.0 += 1;
    }
    fn multipart_start(&mut self) {
        self.0 += 1;
    }
}

fn check(frame: &[u8], command: bool) {
    let mut opts = ParseOptions::default();
    opts.nesting_depth = usize::MAX;
    let emit = EmitOptions::default();
    if command {
        let Ok(c) = parse_command(frame, &opts) else {
            return;
        };
        let printed = format!("{c:?}");
        let owned = c.clone().into_owned();
        assert_eq!(format!("{owned:?}"), printed);
        assert_eq!(owned.clone(), owned);
        let mut out = Vec::new();
        if emit_command(&c, &mut out, &emit).is_ok() {
            let again = parse_command(&out, &opts).expect("what was emitted parses");
            assert_eq!(again.into_owned(), owned);
        }
    } else {
        let plain = parse_response(frame, &opts);
        let visited = parse_response_with(frame, &opts, &mut Events(0));
        assert_eq!(plain.is_ok(), visited.is_ok());
        let Ok(r) = plain else { return };
        let printed = format!("{r:?}");
        let owned = r.clone().into_owned();
        assert_eq!(format!("{owned:?}"), printed);
        assert_eq!(owned.clone(), owned);
        let mut out = Vec::new();
        if emit_response(&r, &mut out, &emit).is_ok() {
            let again = parse_response(&out, &opts).expect("what was emitted parses");
            assert_eq!(again.into_owned(), owned);
        }
    }
}

fuzz_target!(|input: (u8, u16, &[u8], &[u8])| {
    let (which, count, opener, tail) = input;
    if opener.is_empty() || opener.len() > 64 {
        return;
    }
    let command = which & 0x80 != 0;
    let head = if command {
        COMMAND_HEADS[usize::from(which & 0x7f) % COMMAND_HEADS.len()]
    } else {
        RESPONSE_HEADS[usize::from(which) % RESPONSE_HEADS.len()]
    };
    let mut frame = head.as_bytes().to_vec();
    for _ in 0..count {
        frame.extend_from_slice(opener);
    }
    frame.extend_from_slice(tail);
    frame.extend_from_slice(b"\r\n");
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || check(&frame, command))
        .expect("spawn")
        .join()
        .expect("no panic");
});
