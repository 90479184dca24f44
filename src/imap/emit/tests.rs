//! Round trips over the parser's tables: parse, emit, parse again, compare.

use alloc::vec::Vec;

use super::{EmitOptions, LiteralStyle, emit_command, emit_response};
use crate::Error;
use crate::imap::parse::command::parse_command;
use crate::imap::parse::response::parse_response;
use crate::imap::syntax::core::{IString, Mailbox, Tag};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::types::command::{Command, CommandBody};
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
        Err(Error::Emit(crate::error::Unemittable::NulNeedsBinary))
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

#[test]
fn invalid_dates_are_not_emitted() {
    use crate::imap::syntax::core::{Date, List};
    use crate::imap::types::command::SearchKey;
    let bad = Date {
        year: 2024,
        month: 2,
        day: 0,
    };
    let c = Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: List::from_items(alloc::vec![SearchKey::Since(bad)]),
        },
    };
    let mut out = Vec::new();
    assert_eq!(
        emit_command(&c, &mut out, &EmitOptions::default()),
        Err(Error::Emit(crate::error::Unemittable::OutOfRange {
            field: "date"
        }))
    );
    assert!(out.is_empty());
}

#[test]
fn typed_arguments_emit() {
    use crate::imap::syntax::core::{Atom, Flag, List, SequenceSet};
    use crate::imap::types::command::*;
    use crate::imap::types::response::MailboxAttribute;
    use alloc::borrow::Cow;
    let emit = |body: CommandBody<'static>| {
        let c = Command {
            tag: Tag::new("a").unwrap(),
            body,
        };
        let mut out = Vec::new();
        let r = emit_command(&c, &mut out, &EmitOptions::default());
        if r.is_err() {
            assert!(out.is_empty(), "nothing written on error");
        }
        r.map(|_| out)
    };
    let atom = |s: &'static str| Atom::new(s).unwrap();
    let set = |s: &'static str| SequenceSet::new(s).unwrap();
    let select = |p: SelectParam<'static>| CommandBody::Select {
        mailbox: Mailbox::Inbox,
        params: List::from_items(alloc::vec![p]),
    };
    let qresync = |uid_validity, mod_seq, known: Option<&'static str>| {
        select(SelectParam::QResync(QResync {
            uid_validity,
            mod_seq,
            known_uids: known.map(set),
            seq_match_data: None,
        }))
    };
    let other = |name: &'static str, value: Option<&'static [u8]>| SelectParam::Other {
        name: atom(name),
        value: value.map(Cow::Borrowed),
    };

    // the wire forms
    assert_eq!(
        emit(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: List::from_items(alloc::vec![
                SelectParam::QResync(QResync {
                    uid_validity: 67890007,
                    mod_seq: 90060115194045000,
                    known_uids: Some(set("1:29997")),
                    seq_match_data: Some(SeqMatchData {
                        known_sequence_set: set("5000,7500"),
                        known_uid_set: set("15000,22500"),
                    }),
                }),
                SelectParam::CondStore,
                other("X-P", Some(b"(a \"b c\")")),
            ]),
        })
        .unwrap(),
        b"a SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)) CONDSTORE X-P (a \"b c\"))\r\n"
    );
    assert_eq!(
        emit(CommandBody::Create {
            mailbox: Mailbox::Other("Sent".into()),
            params: List::from_items(alloc::vec![CreateParam::Use(List::from_items(
                alloc::vec![MailboxAttribute(Cow::Borrowed("\\Sent"))]
            ))]),
        })
        .unwrap(),
        b"a CREATE Sent (USE (\\Sent))\r\n"
    );
    assert_eq!(
        emit(CommandBody::List {
            selection: List::empty(),
            reference: Mailbox::Other("".into()),
            patterns: List::from_items(alloc::vec!["*".into()]),
            return_options: Some(List::from_items(alloc::vec![
                ListReturnOption::Subscribed,
                ListReturnOption::Children,
                ListReturnOption::SpecialUse,
                ListReturnOption::Status(List::from_items(alloc::vec![atom("MESSAGES")])),
            ])),
        })
        .unwrap(),
        b"a LIST \"\" * RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (MESSAGES))\r\n"
    );
    let sort = |criteria: Vec<SortCriterion<'static>>| CommandBody::Sort {
        uid: true,
        return_options: None,
        criteria: List::from_items(criteria),
        charset: "UTF-8".into(),
        search: List::from_items(alloc::vec![SearchKey::All]),
    };
    assert_eq!(
        emit(sort(alloc::vec![
            SortCriterion {
                reverse: true,
                key: SortKey::DisplayFrom
            },
            SortCriterion {
                reverse: false,
                key: SortKey::Other(atom("X-SCORE"))
            },
        ]))
        .unwrap(),
        b"a UID SORT (REVERSE DISPLAYFROM X-SCORE) UTF-8 ALL\r\n"
    );
    let getmetadata = |options: Vec<GetMetadataOption<'static>>| CommandBody::GetMetadata {
        options: List::from_items(options),
        mailbox: Mailbox::Inbox,
        entries: List::from_items(alloc::vec!["/private/comment".into()]),
    };
    assert_eq!(
        emit(getmetadata(alloc::vec![
            GetMetadataOption::MaxSize(1024),
            GetMetadataOption::Depth(MetadataDepth::Infinity),
        ]))
        .unwrap(),
        b"a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/private/comment)\r\n"
    );
    let modseq = |flag: Flag<'static>| CommandBody::Search {
        uid: false,
        return_options: None,
        charset: None,
        criteria: List::from_items(alloc::vec![SearchKey::ModSeq {
            entry: Some(ModSeqEntry {
                flag,
                entry_type: EntryTypeReq::All,
            }),
            modseq: 620162338,
        }]),
    };
    assert_eq!(
        emit(modseq(Flag::Draft)).unwrap(),
        b"a SEARCH MODSEQ \"/flags/\\\\Draft\" all 620162338\r\n"
    );
    assert_eq!(
        emit(modseq(Flag::Extension(atom("X-Y")))).unwrap(),
        b"a SEARCH MODSEQ \"/flags/\\\\X-Y\" all 620162338\r\n"
    );
    assert_eq!(
        emit(modseq(Flag::Keyword(atom("$MDNSent")))).unwrap(),
        b"a SEARCH MODSEQ \"/flags/$MDNSent\" all 620162338\r\n"
    );

    // values that cannot be emitted (or would not parse back as themselves)
    let invalid: Vec<CommandBody<'static>> = alloc::vec![
        sort(alloc::vec![]),
        sort(alloc::vec![SortCriterion {
            reverse: false,
            key: SortKey::Other(atom("DATE")),
        }]),
        sort(alloc::vec![SortCriterion {
            reverse: true,
            key: SortKey::Other(atom("reverse")),
        }]),
        qresync(0, 5, None),
        qresync(1, 0, None),
        qresync(1, u64::MAX, None),
        qresync(1, 5, Some("1:*")),
        qresync(1, 5, Some("$")),
        select(other("CONDSTORE", None)),
        select(other("qresync", Some(b"(1 2)"))),
        select(other("9LIVES", None)),
        select(other("X-P", Some(b""))),
        select(other("X-P", Some(b"abc"))),
        select(other("X-P", Some(b"(a"))),
        select(other("X-P", Some(b"(a) (b)"))),
        select(other("X-P", Some(b"({3}\r\nabc)"))),
        select(other("X-P", Some(b"(a\r\nb LOGOUT)"))),
        CommandBody::Create {
            mailbox: Mailbox::Inbox,
            params: List::from_items(alloc::vec![CreateParam::Use(List::from_items(
                alloc::vec![MailboxAttribute(Cow::Borrowed("Sent"))]
            ))]),
        },
        CommandBody::Create {
            mailbox: Mailbox::Inbox,
            params: List::from_items(alloc::vec![CreateParam::Other {
                name: atom("USE"),
                value: Some(Cow::Borrowed(b"()")),
            }]),
        },
        CommandBody::List {
            selection: List::empty(),
            reference: Mailbox::Inbox,
            patterns: List::from_items(alloc::vec!["*".into()]),
            return_options: Some(List::from_items(alloc::vec![ListReturnOption::Status(
                List::empty()
            )])),
        },
        CommandBody::List {
            selection: List::empty(),
            reference: Mailbox::Inbox,
            patterns: List::from_items(alloc::vec!["*".into()]),
            return_options: Some(List::from_items(alloc::vec![ListReturnOption::Other {
                name: atom("Children"),
                value: None,
            }])),
        },
        CommandBody::List {
            selection: List::empty(),
            reference: Mailbox::Inbox,
            patterns: List::from_items(alloc::vec!["*".into()]),
            return_options: Some(List::from_items(alloc::vec![ListReturnOption::Other {
                name: atom("X-O"),
                value: Some(Cow::Borrowed(b"42")),
            }])),
        },
        getmetadata(alloc::vec![GetMetadataOption::Other {
            name: atom("DEPTH"),
            value: Some(Cow::Borrowed(b"2")),
        }]),
        modseq(Flag::Wildcard),
    ];
    for body in invalid {
        assert!(
            matches!(emit(body.clone()), Err(Error::Emit(_))),
            "{body:?}"
        );
    }
}
