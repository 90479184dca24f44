//! Round trips over the parser's tables: parse, emit, parse again, compare.

use alloc::vec::Vec;

use super::{EmitOptions, LiteralStyle, emit_command, emit_response};
use crate::Error;
use crate::imap::parse::ParseOptions;
use crate::imap::parse::command::parse_command;
use crate::imap::parse::response::parse_response;
use crate::imap::types::command::{Command, CommandBody};
use crate::imap::types::core::{IString, Mailbox, Tag};
use crate::imap::types::response::{Data, Response, StatusKind, StatusResponse};

fn all_responses() -> Vec<&'static [u8]> {
    crate::imap::parse::response_tests::ALL.to_vec()
}

#[test]
fn commands_round_trip() {
    for line in crate::imap::parse::command_tests::COMMANDS {
        let c = parse_command(line, &ParseOptions::DEFAULT).unwrap();
        for style in [LiteralStyle::Sync, LiteralStyle::NonSyncPlus] {
            let opts = EmitOptions {
                literals: style,
                utf8: false,
            };
            let mut out = Vec::new();
            let e = emit_command(&c, &mut out, &opts).unwrap_or_else(|e| panic!("{e} for {c:?}"));
            assert_eq!(e.len, out.len());
            let again = parse_command(&out, &ParseOptions::STRICT).unwrap_or_else(|e| {
                panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(&out))
            });
            // (parsed values are invariant in their lifetime: compare owned copies)
            assert_eq!(
                again.into_owned(),
                c.clone().into_owned(),
                "{:?}",
                alloc::string::String::from_utf8_lossy(&out)
            );
        }
    }
}

#[test]
fn responses_round_trip() {
    for line in all_responses() {
        let r = parse_response(line, &ParseOptions::DEFAULT).unwrap();
        let mut out = Vec::new();
        emit_response(&r, &mut out, &EmitOptions::default())
            .unwrap_or_else(|e| panic!("{e} for {r:?}"));
        let again = parse_response(&out, &ParseOptions::DEFAULT).unwrap_or_else(|e| {
            panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(&out))
        });
        assert_eq!(
            again.into_owned(),
            r.clone().into_owned(),
            "{:?}",
            alloc::string::String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn strings_choose_their_form() {
    let emit = |s: &[u8], utf8: bool| {
        let c = Command {
            tag: Tag::new("a").unwrap(),
            body: CommandBody::Delete(Mailbox::Other(IString::from(s))),
        };
        let mut out = Vec::new();
        emit_command(
            &c,
            &mut out,
            &EmitOptions {
                literals: LiteralStyle::Sync,
                utf8,
            },
        )
        .map(|e| (out, e.sync_points))
    };
    assert_eq!(emit(b"foo", false).unwrap().0, b"a DELETE foo\r\n");
    assert_eq!(emit(b"a b", false).unwrap().0, b"a DELETE \"a b\"\r\n");
    assert_eq!(
        emit(b"a\"b\\", false).unwrap().0,
        b"a DELETE \"a\\\"b\\\\\"\r\n"
    );
    assert_eq!(emit(b"", false).unwrap().0, b"a DELETE \"\"\r\n");
    let (out, sync) = emit(b"a\r\nb", false).unwrap();
    assert_eq!(out, b"a DELETE {4}\r\na\r\nb\r\n");
    assert_eq!(sync, [14]);
    assert_eq!(
        emit("caf\u{e9}".as_bytes(), false).unwrap().0,
        b"a DELETE {5}\r\ncaf\xc3\xa9\r\n"
    );
    assert_eq!(
        emit("caf\u{e9}".as_bytes(), true).unwrap().0,
        b"a DELETE \"caf\xc3\xa9\"\r\n"
    );
    assert_eq!(
        emit(b"a\0b", false),
        Err(Error::Emit("NUL in a string (only literal8 may carry it)"))
    );
}

#[test]
fn emit_refuses_injection() {
    let mut out = Vec::new();
    let bad = Response::Status(StatusResponse {
        tag: Some(Tag::new("a1").unwrap()),
        kind: StatusKind::Ok,
        code: None,
        text: crate::Text::borrowed(b"done\r\n* 1 EXISTS"),
    });
    assert!(matches!(
        emit_response(&bad, &mut out, &EmitOptions::default()),
        Err(Error::Emit(_))
    ));
    assert!(out.is_empty(), "nothing written on error");
    let bad = Response::Status(StatusResponse {
        tag: None,
        kind: StatusKind::Ok,
        code: None,
        text: crate::Text::borrowed(b"[ALERT] fake"),
    });
    assert!(emit_response(&bad, &mut out, &EmitOptions::default()).is_err());
    assert!(Tag::new("a+b").is_none());
    assert!(Tag::new("a b").is_none());
    let c = Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::Unknown {
            name: "X".into(),
            rest: (&b"x\r\nb LOGOUT"[..]).into(),
        },
    };
    assert!(emit_command(&c, &mut out, &EmitOptions::default()).is_err());
    assert!(out.is_empty());
    let d = Response::Data(Data::Exists(1));
    emit_response(&d, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, b"* 1 EXISTS\r\n");
}
