//! Table tests for the command grammar: the RFCs' client lines, every
//! command, hostile input.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::command::{AuthenticateData, parse_authenticate_data, parse_command, parse_idle_done};
use crate::imap::syntax::core::{Atom, Flag, List, Mailbox, SequenceSet};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::types::command::*;
use crate::imap::types::response::SectionText;
use crate::{Error, error::LimitKind};

fn parse(s: &[u8]) -> Result<Command<'_>, Error> {
    parse_command(s, &ParseOptions::DEFAULT)
}

pub(crate) const COMMANDS: &[&[u8]] = &[
    b"a001 login mrc secret\r\n",
    b"a002 select inbox\r\n",
    b"a003 fetch 12 full\r\n",
    b"a004 fetch 12 body[header]\r\n",
    b"a005 store 12 +flags \\deleted\r\n",
    b"a006 logout\r\n",
    b"a000 starttls\r\n",
    b"A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n",
    b"A001 AUTHENTICATE PLAIN\r\n",
    b"A001 AUTHENTICATE PLAIN =\r\n",
    b"babc ENABLE UTF8=ACCEPT CONDSTORE\r\n",
    b"a CAPABILITY\r\n",
    b"a NOOP\r\n",
    b"A142 SELECT INBOX (CONDSTORE)\r\n",
    b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
    b"A932 EXAMINE blurdybloop\r\n",
    b"A003 CREATE owatagusiam/\r\n",
    b"t1 CREATE \"Important Messages\" (USE (\\Important))\r\n",
    b"A683 DELETE blurdybloop\r\n",
    b"A683 RENAME blurdybloop sarasoop\r\n",
    b"A002 SUBSCRIBE #news.comp.mail.mime\r\n",
    b"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
    b"A101 LIST \"\" \"\"\r\n",
    b"A102 LIST #news.comp.mail.misc \"\"\r\n",
    b"A202 LIST ~/Mail/ %\r\n",
    b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
    b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
    b"A04 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" (\"*\" \"Other Users/*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n",
    b"t1 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
    b"A002 LSUB #news. \"comp.mail.*\"\r\n",
    b"A001 NAMESPACE\r\n",
    b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
    b"A042 STATUS INBOX (MESSAGES SIZE DELETED HIGHESTMODSEQ APPENDLIMIT)\r\n",
    b"A003 APPEND saved-messages (\\Seen) {10}\r\n0123456789\r\n",
    b"A003 APPEND saved-messages (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc\r\n",
    b"A003 APPEND x {3}\r\nabc (\\Draft) {2}\r\nde\r\n",
    b"A003 APPEND x ~{3}\r\na\x00c\r\n",
    b"A002 IDLE\r\n",
    b"FXXZ CHECK\r\n",
    b"A341 CLOSE\r\n",
    b"A342 UNSELECT\r\n",
    b"A202 EXPUNGE\r\n",
    b"A003 UID EXPUNGE 3000:3002\r\n",
    b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
    b"A283 SEARCH TEXT \"string not in mailbox\"\r\n",
    b"A284 SEARCH CHARSET UTF-8 TEXT {12}\r\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa0\r\n",
    b"A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
    b"A286 SEARCH RETURN () OR (FROM a TO b) (NOT SEEN UNDELETED) LARGER 100 SMALLER 9999999999\r\n",
    b"A287 SEARCH HEADER Message-ID <x@y> UID 1:* KEYWORD $Junk UNKEYWORD $NotJunk\r\n",
    b"A288 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
    b"A289 SEARCH YOUNGER 3600 OLDER 60 SENTON 1-Jan-2020 SENTBEFORE 1-Jan-2020 SENTSINCE 1-Jan-2020 ON 1-Jan-2020 BEFORE 1-Jan-2020\r\n",
    b"A290 SEARCH ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN ALL BCC a CC b BODY c SUBJECT d $ 2,4:*\r\n",
    b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
    b"A655 FETCH 2:4 (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)\r\n",
    b"A656 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
    b"A657 FETCH 1 (BODY.PEEK[1.2.MIME] BODY[]<0.2048> BINARY.PEEK[1]<0.100> BINARY.SIZE[1] BINARY[2])\r\n",
    b"A658 FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT BODY MODSEQ EMAILID THREADID SAVEDATE PREVIEW X-GM-LABELS)\r\n",
    b"A659 FETCH 1:3 ALL\r\n",
    b"A660 FETCH 1 FAST\r\n",
    b"A661 FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Received)]\r\n",
    b"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
    b"A004 STORE 2:4 -FLAGS.SILENT \\Seen $Junk\r\n",
    b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
    b"A005 UID STORE 1 FLAGS ()\r\n",
    b"A003 COPY 2:4 MEETING\r\n",
    b"A004 UID COPY 2:4 MEETING\r\n",
    b"a MOVE 1:3 Archive\r\n",
    b"a UID MOVE 42 \"Deleted Items\"\r\n",
    b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)\r\n",
    b"a023 ID NIL\r\n",
    b"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n",
    b"A283 UID SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
    b"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n",
    b"A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"\r\n",
    b"G0001 GETQUOTA \"!partition/sda4\"\r\n",
    b"G0002 GETQUOTAROOT INBOX\r\n",
    b"S0000 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n",
    b"S0001 SETQUOTA \"\" ()\r\n",
    b"a GETMETADATA \"\" /shared/comment\r\n",
    b"a GETMETADATA (MAXSIZE 1024 DEPTH infinity) \"INBOX\" (/shared/comment /private/comment)\r\n",
    b"a SETMETADATA INBOX (/private/comment {14+}\r\nMy new comment /shared/x NIL)\r\n",
    b"a COMPRESS DEFLATE\r\n",
    b"a XSTUFF foo (bar)\r\n",
    // RFC 7162 §3.2.5.2, RFC 4466 extension parameters
    b"B142 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
    b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541) CONDSTORE)\r\n",
    b"A04 EXAMINE INBOX (X-FOO 42 X-BAR (a \"b c\" (d)) X.BAZ: x-q ())\r\n",
    b"t2 CREATE Archive (USE (\\Archive \\Junk) X-OPT 1:5)\r\n",
    b"t3 CREATE Empty (USE ())\r\n",
    // RFC 5258 §5, RFC 5819, RFC 6154 LIST RETURN
    b"A05 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
    b"A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
    b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
    b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n",
    b"a LIST \"\" \"*\" RETURN ()\r\n",
    b"a LIST \"\" \"*\" RETURN (X-VENDOR-OPT (a (b c)) X-BARE MYRIGHTS)\r\n",
    // RFC 5256, RFC 5957 SORT
    b"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n",
    b"A285 SORT (DISPLAYFROM) UTF-8 ALL\r\n",
    b"A286 UID SORT (REVERSE ARRIVAL CC FROM SIZE TO DISPLAYTO REVERSE X-SCORE) UTF-8 ALL\r\n",
    // RFC 5464 GETMETADATA
    b"a GETMETADATA (MAXSIZE 1024) \"INBOX\" /private/comment\r\n",
    b"a GETMETADATA (DEPTH 1) \"INBOX\" (/private/filters/values)\r\n",
    b"a GETMETADATA (DEPTH 0 X-EXT (1 2) MAXSIZE 0) \"\" /shared\r\n",
    // RFC 7162 §3.1.5 MODSEQ entries
    b"a SEARCH MODSEQ \"/flags/$mdnsent\" priv 5\r\n",
    b"a SEARCH MODSEQ \"/flags/\\\\X-Custom\" shared 0 MODSEQ 7\r\n",
];

#[test]
fn every_command_parses() {
    for line in COMMANDS {
        let c = parse(line).unwrap_or_else(|e| panic!("{e} in {:?}", core::str::from_utf8(line)));
        // exercise the lazy lists
        let _ = alloc::format!("{c:?}");
    }
}

#[test]
fn truncated_never_parses() {
    for line in COMMANDS {
        for cut in 0..line.len() {
            assert!(parse(&line[..cut]).is_err(), "{:?}", &line[..cut]);
        }
    }
}

#[test]
fn details() {
    let c = parse(b"a001 login mrc secret\r\n").unwrap();
    let CommandBody::Login { username, password } = c.body else {
        panic!()
    };
    assert_eq!(
        (username.as_bytes(), password.expose()),
        (&b"mrc"[..], &b"secret"[..])
    );
    assert!(!alloc::format!("{password:?}").contains("secret"));

    let c = parse(b"a002 select inbox\r\n").unwrap();
    assert_eq!(
        c.body,
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: List::empty()
        }
    );

    let c = parse(b"a004 fetch 12 body[header]\r\n").unwrap();
    let CommandBody::Fetch {
        uid: false,
        attributes: FetchAttributes::List(l),
        ..
    } = c.body
    else {
        panic!()
    };
    let FetchAttribute::BodySection {
        peek: false,
        section,
        partial: None,
    } = l.iter().next().unwrap()
    else {
        panic!()
    };
    assert_eq!(section.text, Some(SectionText::Header));

    let c = parse(b"A656 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n").unwrap();
    assert!(matches!(
        c.body,
        CommandBody::Fetch {
            uid: true,
            changed_since: Some(12345),
            vanished: true,
            ..
        }
    ));

    let c = parse(b"A657 FETCH 1 (BODY.PEEK[1.2.MIME] BODY[]<0.2048> BINARY.PEEK[1]<0.100> BINARY.SIZE[1] BINARY[2])\r\n").unwrap();
    let CommandBody::Fetch {
        attributes: FetchAttributes::List(l),
        ..
    } = c.body
    else {
        panic!()
    };
    let l: Vec<_> = l.to_vec();
    assert_eq!(l.len(), 5);
    let FetchAttribute::BodySection {
        peek: true,
        section,
        ..
    } = &l[0]
    else {
        panic!()
    };
    assert_eq!(section.part.iter().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(section.text, Some(SectionText::Mime));
    assert!(matches!(
        &l[1],
        FetchAttribute::BodySection {
            partial: Some((0, 2048)),
            ..
        }
    ));

    let c = parse(b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n")
        .unwrap();
    let CommandBody::Store {
        unchanged_since: Some(320162338),
        kind: StoreKind::Add,
        silent: true,
        flags,
        ..
    } = c.body
    else {
        panic!()
    };
    assert_eq!(flags.to_vec(), [Flag::Deleted]);

    let c = parse(b"A003 APPEND x {3}\r\nabc (\\Draft) {2}\r\nde\r\n").unwrap();
    let CommandBody::Append { messages, .. } = c.body else {
        panic!()
    };
    let m = messages.to_vec();
    assert_eq!(m.len(), 2);
    assert_eq!(&*m[0].data, b"abc");
    assert_eq!(m[1].flags.as_ref().unwrap().to_vec(), [Flag::Draft]);

    let c = parse(b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n").unwrap();
    let CommandBody::Search {
        criteria,
        charset: None,
        ..
    } = c.body
    else {
        panic!()
    };
    let k = criteria.to_vec();
    assert_eq!(k.len(), 3);
    let SearchKey::Not(inner) = &k[2] else {
        panic!()
    };
    assert_eq!(inner.get(), SearchKey::From("Smith".into()));

    let c = parse(b"a XSTUFF foo (bar)\r\n").unwrap();
    let CommandBody::Unknown { name, rest } = c.body else {
        panic!()
    };
    assert_eq!((&*name, &*rest), ("XSTUFF", &b"foo (bar)"[..]));

    let c = parse(b"A001 AUTHENTICATE PLAIN =\r\n").unwrap();
    let CommandBody::Authenticate {
        initial_response: Some(ir),
        ..
    } = c.body
    else {
        panic!()
    };
    assert_eq!(ir.expose(), b"=");
}

#[test]
fn idle_done_and_sasl_lines() {
    let o = ParseOptions::DEFAULT;
    assert!(parse_idle_done(b"DONE\r\n", &o).is_ok());
    assert!(parse_idle_done(b"done\r\n", &o).is_ok());
    assert!(parse_idle_done(b"DONE x\r\n", &o).is_err());
    assert_eq!(
        parse_authenticate_data(b"*\r\n", &o).unwrap(),
        AuthenticateData::Cancel
    );
    assert!(matches!(
        parse_authenticate_data(b"dGVzdA==\r\n", &o).unwrap(),
        AuthenticateData::Continue(_)
    ));
    assert!(matches!(
        parse_authenticate_data(b"\r\n", &o).unwrap(),
        AuthenticateData::Continue(_)
    ));
    assert!(parse_authenticate_data(b"not base64!\r\n", &o).is_err());
}

#[test]
fn malformed() {
    for bad in [
        &b"\r\n"[..],
        b"a\r\n",
        b"+ NOOP\r\n",
        b"a NOOP x\r\n",
        b"a SELECT\r\n",
        b"a FETCH x FLAGS\r\n",
        b"a FETCH 1 (FLAGS\r\n",
        b"a STORE 1 XFLAGS (\\Seen)\r\n",
        b"a SEARCH\r\n",
        b"a SEARCH FOO\r\n",
        b"a UID FOO 1\r\n",
        b"a LOGIN a\r\n",
        b"a APPEND x\r\n",
        b"a APPEND x (\\Seen)\r\n",
        b"a LOGIN {5}\r\nab\r\n",
        b"a LOGIN a\0 b\r\n",
    ] {
        assert!(parse(bad).is_err(), "{:?}", core::str::from_utf8(bad));
    }
}

#[test]
fn hostile_search_nesting() {
    let mut line = b"a SEARCH ".to_vec();
    line.extend(core::iter::repeat_n(b'(', 10_000));
    line.extend_from_slice(b"ALL");
    line.extend(core::iter::repeat_n(b')', 10_000));
    line.extend_from_slice(b"\r\n");
    assert_eq!(
        parse(&line),
        Err(Error::limit(LimitKind::NestingDepth, 64usize))
    );
    let mut line = b"a SEARCH ".to_vec();
    for _ in 0..10_000 {
        line.extend_from_slice(b"NOT ");
    }
    line.extend_from_slice(b"ALL\r\n");
    assert_eq!(
        parse(&line),
        Err(Error::limit(LimitKind::NestingDepth, 64usize))
    );
    let mut line = b"a SEARCH ".to_vec();
    for _ in 0..10_000 {
        line.extend_from_slice(b"OR ALL ");
    }
    line.extend_from_slice(b"ALL\r\n");
    assert_eq!(
        parse(&line),
        Err(Error::limit(LimitKind::NestingDepth, 64usize))
    );
}

fn atom(s: &'static str) -> Atom<'static> {
    Atom::new(s).unwrap()
}

fn set(s: &'static str) -> SequenceSet<'static> {
    SequenceSet::new(s).unwrap()
}

fn items<T>(v: Vec<T>) -> List<'static, T> {
    List::from_items(v)
}

fn body(line: &[u8]) -> CommandBody<'static> {
    let c = parse(line).unwrap_or_else(|e| panic!("{e} in {:?}", core::str::from_utf8(line)));
    crate::imap::syntax::core::IntoOwned::into_owned(c.body)
}

#[test]
fn select_params_typed() {
    let qresync = |known_uids, seq_match_data| {
        SelectParam::QResync(QResync {
            uid_validity: 67890007,
            mod_seq: 90060115194045000,
            known_uids,
            seq_match_data,
        })
    };
    let table: Vec<(&[u8], CommandBody<'static>)> = alloc::vec![
        (
            b"A142 SELECT INBOX (CONDSTORE)\r\n",
            CommandBody::Select {
                mailbox: Mailbox::Inbox,
                params: items(alloc::vec![SelectParam::CondStore]),
            },
        ),
        (
            b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
            CommandBody::Select {
                mailbox: Mailbox::Inbox,
                params: items(alloc::vec![SelectParam::QResync(QResync {
                    uid_validity: 67890007,
                    mod_seq: 20050715194045000,
                    known_uids: Some(set("41,43:211,214:541")),
                    seq_match_data: None,
                })]),
            },
        ),
        // RFC 7162 §3.2.5.2: known UIDs and seq-match-data
        (
            b"B142 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
            CommandBody::Select {
                mailbox: Mailbox::Inbox,
                params: items(alloc::vec![qresync(
                    Some(set("1:29997")),
                    Some(SeqMatchData {
                        known_sequence_set: set("5000,7500,9000,9990:9999"),
                        known_uid_set: set(
                            "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997"
                        ),
                    })
                )]),
            },
        ),
        // seq-match-data without known-uids (both are optional)
        (
            b"a EXAMINE INBOX (qresync (67890007 90060115194045000 (1,2 5,9)) condstore)\r\n",
            CommandBody::Examine {
                mailbox: Mailbox::Inbox,
                params: items(alloc::vec![
                    qresync(
                        None,
                        Some(SeqMatchData {
                            known_sequence_set: set("1,2"),
                            known_uid_set: set("5,9"),
                        })
                    ),
                    SelectParam::CondStore,
                ]),
            },
        ),
        (
            b"A04 EXAMINE INBOX (X-FOO 42 X-BAR (a \"b c\" (d)) X.BAZ: x-q ())\r\n",
            CommandBody::Examine {
                mailbox: Mailbox::Inbox,
                params: items(alloc::vec![
                    SelectParam::Other {
                        name: atom("X-FOO"),
                        value: Some(Cow::Borrowed(b"42")),
                    },
                    SelectParam::Other {
                        name: atom("X-BAR"),
                        value: Some(Cow::Borrowed(b"(a \"b c\" (d))")),
                    },
                    SelectParam::Other {
                        name: atom("X.BAZ:"),
                        value: None,
                    },
                    SelectParam::Other {
                        name: atom("x-q"),
                        value: Some(Cow::Borrowed(b"()")),
                    },
                ]),
            },
        ),
        (
            b"a SELECT Drafts\r\n",
            CommandBody::Select {
                mailbox: Mailbox::Other("Drafts".into()),
                params: List::empty(),
            },
        ),
    ];
    for (line, want) in table {
        assert_eq!(body(line), want, "{:?}", core::str::from_utf8(line));
    }
}

#[test]
fn create_list_sort_metadata_modseq_typed() {
    use crate::imap::types::response::MailboxAttribute;
    let attr = |s: &'static str| MailboxAttribute(Cow::Borrowed(s));
    let crit = |reverse, key| SortCriterion { reverse, key };
    let table: Vec<(&[u8], CommandBody<'static>)> = alloc::vec![
        // RFC 6154 §5.2
        (
            b"t1 CREATE \"Important Messages\" (USE (\\Important))\r\n",
            CommandBody::Create {
                mailbox: Mailbox::Other("Important Messages".into()),
                params: items(alloc::vec![CreateParam::Use(items(alloc::vec![attr(
                    "\\Important"
                )]))]),
            },
        ),
        (
            b"t2 CREATE Archive (USE (\\Archive \\Junk) X-OPT 1:5)\r\n",
            CommandBody::Create {
                mailbox: Mailbox::Other("Archive".into()),
                params: items(alloc::vec![
                    CreateParam::Use(items(alloc::vec![attr("\\Archive"), attr("\\Junk")])),
                    CreateParam::Other {
                        name: atom("X-OPT"),
                        value: Some(Cow::Borrowed(b"1:5")),
                    },
                ]),
            },
        ),
        // RFC 5258 §5
        (
            b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
            CommandBody::List {
                selection: List::empty(),
                reference: Mailbox::Other("".into()),
                patterns: items(alloc::vec!["%".into()]),
                return_options: Some(items(alloc::vec![ListReturnOption::Children])),
            },
        ),
        (
            b"A04 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" (\"*\" \"Other Users/*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n",
            CommandBody::List {
                selection: items(alloc::vec![
                    atom("REMOTE"),
                    atom("SUBSCRIBED"),
                    atom("RECURSIVEMATCH")
                ]),
                reference: Mailbox::Other("".into()),
                patterns: items(alloc::vec!["*".into(), "Other Users/*".into()]),
                return_options: Some(items(alloc::vec![
                    ListReturnOption::Children,
                    ListReturnOption::Status(items(alloc::vec![atom("MESSAGES"), atom("UNSEEN")])),
                ])),
            },
        ),
        // RFC 6154 §5.1
        (
            b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n",
            CommandBody::List {
                selection: List::empty(),
                reference: Mailbox::Other("".into()),
                patterns: items(alloc::vec!["%".into()]),
                return_options: Some(items(alloc::vec![ListReturnOption::SpecialUse])),
            },
        ),
        (
            b"a LIST \"\" \"*\" RETURN (X-VENDOR-OPT (a (b c)) subscribed X-BARE)\r\n",
            CommandBody::List {
                selection: List::empty(),
                reference: Mailbox::Other("".into()),
                patterns: items(alloc::vec!["*".into()]),
                return_options: Some(items(alloc::vec![
                    ListReturnOption::Other {
                        name: atom("X-VENDOR-OPT"),
                        value: Some(Cow::Borrowed(b"(a (b c))")),
                    },
                    ListReturnOption::Subscribed,
                    ListReturnOption::Other {
                        name: atom("X-BARE"),
                        value: None,
                    },
                ])),
            },
        ),
        (
            b"a LIST \"\" \"*\" RETURN ()\r\n",
            CommandBody::List {
                selection: List::empty(),
                reference: Mailbox::Other("".into()),
                patterns: items(alloc::vec!["*".into()]),
                return_options: Some(List::empty()),
            },
        ),
        // RFC 5256 §4
        (
            b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
            CommandBody::Sort {
                uid: false,
                return_options: None,
                criteria: items(alloc::vec![
                    crit(false, SortKey::Subject),
                    crit(true, SortKey::Date)
                ]),
                charset: "UTF-8".into(),
                search: items(alloc::vec![SearchKey::All]),
            },
        ),
        // RFC 5957 §4
        (
            b"A286 UID SORT (REVERSE ARRIVAL CC FROM SIZE TO DISPLAYTO reverse displayfrom X-SCORE) UTF-8 ALL\r\n",
            CommandBody::Sort {
                uid: true,
                return_options: None,
                criteria: items(alloc::vec![
                    crit(true, SortKey::Arrival),
                    crit(false, SortKey::Cc),
                    crit(false, SortKey::From),
                    crit(false, SortKey::Size),
                    crit(false, SortKey::To),
                    crit(false, SortKey::DisplayTo),
                    crit(true, SortKey::DisplayFrom),
                    crit(false, SortKey::Other(atom("X-SCORE"))),
                ]),
                charset: "UTF-8".into(),
                search: items(alloc::vec![SearchKey::All]),
            },
        ),
        // RFC 5464 §4.2
        (
            b"a GETMETADATA \"\" /shared/comment\r\n",
            CommandBody::GetMetadata {
                options: List::empty(),
                mailbox: Mailbox::Other("".into()),
                entries: items(alloc::vec!["/shared/comment".into()]),
            },
        ),
        (
            b"a GETMETADATA (MAXSIZE 1024) \"INBOX\" (/shared/comment /private/comment)\r\n",
            CommandBody::GetMetadata {
                options: items(alloc::vec![GetMetadataOption::MaxSize(1024)]),
                mailbox: Mailbox::Inbox,
                entries: items(alloc::vec!["/shared/comment".into(), "/private/comment".into()]),
            },
        ),
        (
            b"a GETMETADATA (DEPTH 1) \"INBOX\" (/private/filters/values)\r\n",
            CommandBody::GetMetadata {
                options: items(alloc::vec![GetMetadataOption::Depth(MetadataDepth::One)]),
                mailbox: Mailbox::Inbox,
                entries: items(alloc::vec!["/private/filters/values".into()]),
            },
        ),
        (
            b"a GETMETADATA (MAXSIZE 4294967295 DEPTH INFINITY depth 0 X-EXT (1 2)) \"\" /s\r\n",
            CommandBody::GetMetadata {
                options: items(alloc::vec![
                    GetMetadataOption::MaxSize(u32::MAX),
                    GetMetadataOption::Depth(MetadataDepth::Infinity),
                    GetMetadataOption::Depth(MetadataDepth::Zero),
                    GetMetadataOption::Other {
                        name: atom("X-EXT"),
                        value: Some(Cow::Borrowed(b"(1 2)")),
                    },
                ]),
                mailbox: Mailbox::Other("".into()),
                entries: items(alloc::vec!["/s".into()]),
            },
        ),
    ];
    for (line, want) in table {
        assert_eq!(body(line), want, "{:?}", core::str::from_utf8(line));
    }

    // RFC 7162 §3.1.5 MODSEQ search keys
    let modseq = |line: &[u8]| match body(line) {
        CommandBody::Search { criteria, .. } => criteria.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        modseq(b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n"),
        [SearchKey::ModSeq {
            entry: Some(ModSeqEntry {
                flag: Flag::Draft,
                entry_type: EntryTypeReq::All,
            }),
            modseq: 620162338,
        }]
    );
    assert_eq!(
        modseq(b"a SEARCH MODSEQ \"/flags/$mdnsent\" priv 5 MODSEQ \"/FLAGS/\\\\X-Custom\" SHARED 0 MODSEQ 7\r\n"),
        [
            SearchKey::ModSeq {
                entry: Some(ModSeqEntry {
                    flag: Flag::Keyword(atom("$mdnsent")),
                    entry_type: EntryTypeReq::Private,
                }),
                modseq: 5,
            },
            SearchKey::ModSeq {
                entry: Some(ModSeqEntry {
                    flag: Flag::Extension(atom("X-Custom")),
                    entry_type: EntryTypeReq::Shared,
                }),
                modseq: 0,
            },
            SearchKey::ModSeq {
                entry: None,
                modseq: 7,
            },
        ]
    );
    // a lone backslash is a quirk: accepted by default, an error in strict mode
    let lone = b"a SEARCH MODSEQ \"/flags/\\seen\" all 1\r\n";
    assert_eq!(
        modseq(lone),
        [SearchKey::ModSeq {
            entry: Some(ModSeqEntry {
                flag: Flag::Seen,
                entry_type: EntryTypeReq::All,
            }),
            modseq: 1,
        }]
    );
    assert!(matches!(
        parse_command(lone, &ParseOptions::STRICT),
        Err(Error::Parse(_))
    ));
}

#[test]
fn typed_arguments_borrow() {
    // the typed values point into the frame: nothing was copied
    let line = b"a SELECT INBOX (QRESYNC (1 2 3:4) X-P (q))\r\n";
    let c = parse(line).unwrap();
    let CommandBody::Select { params, .. } = &c.body else {
        panic!()
    };
    let in_line = |b: &[u8]| line.as_ptr_range().contains(&b.as_ptr());
    assert!(params.raw().is_some_and(in_line));
    for p in params.iter() {
        match p {
            SelectParam::QResync(q) => {
                assert!(in_line(q.known_uids.unwrap().as_str().as_bytes()))
            }
            SelectParam::Other {
                name,
                value: Some(Cow::Borrowed(v)),
            } => {
                assert!(in_line(name.as_str().as_bytes()) && in_line(v));
            }
            other => panic!("{other:?}"),
        }
    }
    let line = b"a SEARCH MODSEQ \"/flags/\\\\x-y\" all 3\r\n";
    let in_line = |b: &[u8]| line.as_ptr_range().contains(&b.as_ptr());
    let c = parse(line).unwrap();
    let CommandBody::Search { criteria, .. } = &c.body else {
        panic!()
    };
    let Some(SearchKey::ModSeq {
        entry: Some(ModSeqEntry {
            flag: Flag::Extension(a),
            ..
        }),
        ..
    }) = criteria.iter().next()
    else {
        panic!()
    };
    assert!(in_line(a.as_str().as_bytes()));
}

#[test]
fn malformed_arguments() {
    for bad in [
        // unclosed parentheses
        &b"a SELECT INBOX (CONDSTORE\r\n"[..],
        b"a SELECT INBOX (QRESYNC (1 2)\r\n",
        b"a SELECT INBOX (QRESYNC (1 2 3 (1 2))\r\n",
        b"a SELECT INBOX (X-FOO (a (b)\r\n",
        b"a CREATE x (USE (\\Sent)\r\n",
        b"a LIST \"\" * RETURN (CHILDREN\r\n",
        b"a LIST \"\" * RETURN (STATUS (MESSAGES)\r\n",
        b"a LIST \"\" * RETURN (X-O (a)\r\n",
        b"a SORT (DATE UTF-8 ALL\r\n",
        b"a GETMETADATA (DEPTH 1 \"\" /a\r\n",
        // QRESYNC missing or wrong pieces
        b"a SELECT INBOX (QRESYNC (67890007))\r\n",
        b"a SELECT INBOX (QRESYNC (67890007 ))\r\n",
        b"a SELECT INBOX (QRESYNC ())\r\n",
        b"a SELECT INBOX (QRESYNC)\r\n",
        b"a SELECT INBOX (QRESYNC (0 5))\r\n",
        b"a SELECT INBOX (QRESYNC (1 0))\r\n",
        b"a SELECT INBOX (QRESYNC (4294967296 5))\r\n",
        b"a SELECT INBOX (QRESYNC (1 9223372036854775808))\r\n",
        b"a SELECT INBOX (QRESYNC (1 5 1:*))\r\n",
        b"a SELECT INBOX (QRESYNC (1 5 1:3 (1:*)))\r\n",
        b"a SELECT INBOX (QRESYNC (1 5 1:3 (1 2 3)))\r\n",
        b"a SELECT INBOX (CONDSTORE 1)\r\n",
        b"a SELECT INBOX ()\r\n",
        b"a SELECT INBOX (1X)\r\n",
        b"a SELECT INBOX (X-A \"q\")\r\n",
        b"a SELECT INBOX (X-A 0x)\r\n",
        // CREATE USE
        b"a CREATE x (USE)\r\n",
        b"a CREATE x (USE (Sent))\r\n",
        b"a CREATE x (USE (\\))\r\n",
        b"a CREATE x ()\r\n",
        // LIST RETURN
        b"a LIST \"\" * RETURN CHILDREN\r\n",
        b"a LIST \"\" * RETURN (STATUS ())\r\n",
        b"a LIST \"\" * RETURN (STATUS MESSAGES)\r\n",
        b"a LIST \"\" * RETURN (CHILDREN )\r\n",
        b"a LIST \"\" * RETURN (SUBSCRIBED (x))\r\n",
        // SORT
        b"a SORT () UTF-8 ALL\r\n",
        b"a SORT (REVERSE) UTF-8 ALL\r\n",
        b"a SORT (REVERSE REVERSE DATE) UTF-8 ALL\r\n",
        b"a SORT DATE UTF-8 ALL\r\n",
        b"a SORT (DATE) UTF-8\r\n",
        b"a SORT (\"DATE\") UTF-8 ALL\r\n",
        // GETMETADATA
        b"a GETMETADATA (DEPTH 2) \"\" /a\r\n",
        b"a GETMETADATA (DEPTH 01) \"\" /a\r\n",
        b"a GETMETADATA (DEPTH infinite) \"\" /a\r\n",
        b"a GETMETADATA (MAXSIZE 4294967296) \"\" /a\r\n",
        b"a GETMETADATA (MAXSIZE 99999999999999999999999) \"\" /a\r\n",
        b"a GETMETADATA (MAXSIZE) \"\" /a\r\n",
        b"a GETMETADATA (MAXSIZE -1) \"\" /a\r\n",
        b"a GETMETADATA () \"\" /a\r\n",
        // MODSEQ entries
        b"a SEARCH MODSEQ \"/flags/\\\\seen\" 5\r\n",
        b"a SEARCH MODSEQ \"/flags/\\\\seen\" any 5\r\n",
        b"a SEARCH MODSEQ \"/flags/\\\\*\" all 5\r\n",
        b"a SEARCH MODSEQ \"/other/x\" all 5\r\n",
        b"a SEARCH MODSEQ \"/flags/\" all 5\r\n",
        b"a SEARCH MODSEQ \"/flags/a b\" all 5\r\n",
        b"a SEARCH MODSEQ \"/flags/\\\\seen all 5\r\n",
        b"a SEARCH MODSEQ \"/flags/\\\\seen\" all\r\n",
    ] {
        assert!(
            matches!(parse(bad), Err(Error::Parse(_))),
            "{:?}: {:?}",
            core::str::from_utf8(bad),
            parse(bad)
        );
    }
}

#[test]
fn hostile_extension_values() {
    // deep parentheses in an unknown parameter value hit the depth budget
    for prefix in [
        &b"a SELECT INBOX (X-P "[..],
        b"a LIST \"\" * RETURN (X-P ",
        b"a GETMETADATA (X-P ",
    ] {
        let mut line = prefix.to_vec();
        line.extend(core::iter::repeat_n(b'(', 10_000));
        line.extend(core::iter::repeat_n(b')', 10_000));
        line.extend_from_slice(b")\r\n");
        assert_eq!(
            parse(&line),
            Err(Error::limit(LimitKind::NestingDepth, 64usize))
        );
    }
}

/// APPEND is read as a plain APPEND first and only then offered to the
/// CATENATE room (RFC 4469 §5: `append-message =/ append-opts SP "CATENATE"
/// SP "(" cat-part *(SP cat-part) ")"`): a CATENATE message anywhere in a
/// MULTIAPPEND still makes it an `AppendCatenate`, and each form keeps its
/// own error (where it failed and what was expected).
#[test]
fn append_plain_first_then_catenate() {
    let c = parse(b"a APPEND box CATENATE (TEXT {3+}\r\nabc)\r\n").unwrap();
    assert!(matches!(c.body, CommandBody::AppendCatenate { .. }));
    let c = parse(b"a APPEND box (\\Seen) {3+}\r\nabc CATENATE (TEXT {1+}\r\nx)\r\n").unwrap();
    let CommandBody::AppendCatenate { messages, .. } = c.body else {
        panic!("{:?}", c.body)
    };
    assert_eq!(messages.iter().count(), 2);
    let c = parse(b"a APPEND box (\\Seen) {3+}\r\nabc {1+}\r\nx\r\n").unwrap();
    let CommandBody::Append { messages, .. } = c.body else {
        panic!("{:?}", c.body)
    };
    assert_eq!(messages.iter().count(), 2);
    let err = |s: &[u8]| match parse(s) {
        Err(Error::Parse(e)) => (e.offset, e.expected),
        other => panic!("{other:?}"),
    };
    // the CATENATE form's error: a cat-part is TEXT with a literal or URL
    let (at, _) = err(b"a APPEND box CATENATE (TEXT x)\r\n");
    assert_eq!(at, 28);
    // the plain form's error: append-data is a literal
    assert_eq!(err(b"a APPEND box (\\Seen) nope\r\n"), (21, "literal"));
    assert_eq!(err(b"a APPEND box\r\n"), (12, "SP append-message"));
}
