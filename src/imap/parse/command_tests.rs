//! Table tests for the command grammar: the RFCs' client lines, every
//! command, hostile input.

use alloc::vec::Vec;

use super::ParseOptions;
use super::command::{AuthenticateData, parse_authenticate_data, parse_command, parse_idle_done};
use crate::imap::types::command::*;
use crate::imap::types::core::{Flag, List, Mailbox};
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
