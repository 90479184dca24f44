//! Fuzz `parse(emit(x)) == x` for POP3 commands and responses built from
//! arbitrary values (values that cannot be emitted must be refused, not mangled).
#![no_main]

use std::borrow::Cow;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailwire::pop3::parse::{parse_command_stream, parse_response_stream};
use mailwire::pop3::{Command, Response, ResponseCode, Status};
use mailwire::{Secret, Status as Parsed, Text};

#[derive(Arbitrary, Debug)]
enum Cmd {
    User(Vec<u8>),
    Pass(Vec<u8>),
    Apop(Vec<u8>, String),
    Stat,
    List(Option<u32>),
    Retr(u32),
    Dele(u32),
    Noop,
    Rset,
    Quit,
    Top(u32, u32),
    Uidl(Option<u32>),
    Capa,
    Stls,
    Auth(String, Option<String>),
    Utf8,
    Lang(Option<String>),
    Unknown(String, Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Resp {
    status: u8,
    code: Option<(u8, String)>,
    text: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    cmd: Cmd,
    resp: Resp,
}

fn build(c: Cmd) -> Command<'static> {
    match c {
        Cmd::User(n) => Command::User { name: Text::from(n) },
        Cmd::Pass(p) => Command::Pass { password: Secret::new(p) },
        Cmd::Apop(n, d) => Command::Apop { name: Text::from(n), digest: Cow::Owned(d) },
        Cmd::Stat => Command::Stat,
        Cmd::List(msg) => Command::List { msg },
        Cmd::Retr(msg) => Command::Retr { msg },
        Cmd::Dele(msg) => Command::Dele { msg },
        Cmd::Noop => Command::Noop,
        Cmd::Rset => Command::Rset,
        Cmd::Quit => Command::Quit,
        Cmd::Top(msg, lines) => Command::Top { msg, lines },
        Cmd::Uidl(msg) => Command::Uidl { msg },
        Cmd::Capa => Command::Capa,
        Cmd::Stls => Command::Stls,
        Cmd::Auth(m, ir) => Command::Auth {
            mechanism: Cow::Owned(m),
            initial_response: ir.map(Cow::Owned),
        },
        Cmd::Utf8 => Command::Utf8,
        Cmd::Lang(t) => Command::Lang { tag: t.map(Cow::Owned) },
        Cmd::Unknown(k, a) => Command::Unknown { keyword: Cow::Owned(k), args: Text::from(a) },
    }
}

fuzz_target!(|input: Input| {
    let cmd = build(input.cmd);
    let mut wire = Vec::new();
    if cmd.emit(&mut wire).is_ok() {
        match parse_command_stream(&wire) {
            Ok(Parsed::Complete(parsed, n)) => {
                assert_eq!(n, wire.len());
                assert_eq!(parsed, cmd);
            }
            other => panic!("emitted {wire:?} from {cmd:?} gave {other:?}"),
        }
    } else {
        assert!(wire.is_empty(), "a refused command wrote bytes");
    }

    let status = match input.resp.status % 3 {
        0 => Status::Ok,
        1 => Status::Err,
        _ => Status::Continue,
    };
    let code = input.resp.code.map(|(k, s)| match k % 7 {
        0 => ResponseCode::InUse,
        1 => ResponseCode::LoginDelay,
        2 => ResponseCode::SysTemp,
        3 => ResponseCode::SysPerm,
        4 => ResponseCode::Auth,
        5 => ResponseCode::Utf8,
        _ => ResponseCode::Other(Cow::Owned(s)),
    });
    let r = Response { status, code, text: Text::from(input.resp.text) };
    let mut wire = Vec::new();
    if r.emit(&mut wire).is_ok() {
        match parse_response_stream(&wire) {
            Ok(Parsed::Complete(parsed, n)) => {
                assert_eq!(n, wire.len());
                // An `Other` code that spells a known one comes back typed.
                assert_eq!(parsed.status, r.status);
                assert_eq!(parsed.text, r.text);
                assert_eq!(
                    parsed.code.as_ref().map(|c| c.as_str().to_ascii_uppercase()),
                    r.code.as_ref().map(|c| c.as_str().to_ascii_uppercase())
                );
            }
            other => panic!("emitted {wire:?} from {r:?} gave {other:?}"),
        }
    } else {
        assert!(wire.is_empty(), "a refused response wrote bytes");
    }
});
