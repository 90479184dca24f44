//! Table tests for ACL (RFC 4314), CATENATE (RFC 4469), NOTIFY (RFC 5465) and
//! URLAUTH (RFC 4467): the RFCs' own client and server lines, the values
//! they parse to, emit-then-parse, malformed and truncated input.

use alloc::borrow::Cow;
use alloc::vec;
use alloc::vec::Vec;

use crate::Error;
use crate::imap::emit::{EmitOptions, emit_command, emit_response};
use crate::imap::parse::command::parse_command;
use crate::imap::parse::response::parse_response;
use crate::imap::syntax::core::{Atom, Flag, IString, IntoOwned, List, Mailbox, Tag};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::types::command::{AppendMessage, Command, CommandBody, FetchAttribute};
use crate::imap::types::ext::*;
use crate::imap::types::response::{Code, Data, Response, StatusKind, StatusResponse};

fn cmd(s: &[u8]) -> Result<Command<'_>, Error> {
    parse_command(s, &ParseOptions::STRICT)
}

fn resp(s: &[u8]) -> Result<Response<'_>, Error> {
    parse_response(s, &ParseOptions::STRICT)
}

fn body(s: &[u8]) -> CommandBody<'_> {
    cmd(s)
        .unwrap_or_else(|e| panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(s)))
        .body
}

fn data(s: &[u8]) -> Data<'_> {
    match resp(s) {
        Ok(Response::Data(d)) => d,
        other => panic!(
            "{other:?} for {:?}",
            alloc::string::String::from_utf8_lossy(s)
        ),
    }
}

fn code(s: &[u8]) -> Code<'_> {
    match resp(s) {
        Ok(Response::Status(StatusResponse { code: Some(c), .. })) => c,
        other => panic!(
            "{other:?} for {:?}",
            alloc::string::String::from_utf8_lossy(s)
        ),
    }
}

fn is_parse_error<T: core::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Parse(_)))
}

fn mb(s: &str) -> Mailbox<'_> {
    Mailbox::from_wire(IString::from(s))
}

fn r(s: &str) -> Rights<'_> {
    Rights::new(s).unwrap()
}

/// A CATENATE APPEND after RFC 4469 §6 (the literal sizes are those of the
/// text given here).
fn rfc4469_append() -> Vec<u8> {
    let t1 = b"\r\n--------------030308070208000400050907\r\n";
    let t3 = b"\r\n--------------030308070208000400050907--\r\n";
    let mut v = Vec::new();
    v.extend_from_slice(b"A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {");
    v.extend_from_slice(alloc::format!("{}", t1.len()).as_bytes());
    v.extend_from_slice(b"}\r\n");
    v.extend_from_slice(t1);
    v.extend_from_slice(b" URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {");
    v.extend_from_slice(alloc::format!("{}", t3.len()).as_bytes());
    v.extend_from_slice(b"}\r\n");
    v.extend_from_slice(t3);
    v.extend_from_slice(b")\r\n");
    v
}

/// Client lines of the four RFCs (and the grammar's other branches).
const COMMANDS: &[&[u8]] = &[
    // RFC 4314 §3
    b"A001 SETACL INBOX/Drafts David lrswida\r\n",
    b"A002 SETACL INBOX/Drafts Chris +cda\r\n",
    b"A003 SETACL INBOX/Drafts -Fred -wi\r\n",
    b"A004 SETACL INBOX/Drafts anyone \"\"\r\n",
    b"A001 DELETEACL INBOX/Drafts Chris\r\n",
    b"A002 GETACL INBOX/Drafts\r\n",
    b"a LISTRIGHTS ~/Mail/saved smith\r\n",
    b"A003 MYRIGHTS INBOX\r\n",
    // RFC 4469 (a short one; the long one is built by rfc4469_append)
    b"A004 APPEND Drafts CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\")\r\n",
    b"A005 APPEND Drafts {2}\r\nhi \"17-Jul-1996 02:44:25 -0700\" CATENATE (TEXT {3+}\r\nabc URL /INBOX;UIDVALIDITY=1/;UID=2)\r\n",
    // RFC 5465 §7–§8
    b"a NOTIFY NONE\r\n",
    b"a notify set status (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew))\r\n",
    b"a NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) MessageExpunge FlagChange)) (personal (MessageNew FlagChange MessageExpunge))\r\n",
    b"a NOTIFY SET (selected-delayed (MessageNew MessageExpunge)) (inboxes NONE) (subscribed (MailboxName SubscriptionChange))\r\n",
    b"a NOTIFY SET (mailboxes (INBOX \"Other Mail\") (AnnotationChange MailboxMetadataChange ServerMetadataChange XFutureEvent))\r\n",
    b"a NOTIFY SET (selected (MessageNew ()))\r\n",
    // RFC 4467 §7, §9
    b"a RESETKEY\r\n",
    b"a RESETKEY INBOX\r\n",
    b"a RESETKEY INBOX INTERNAL XSAMPLE\r\n",
    b"a001 GENURLAUTH \"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred\" INTERNAL\r\n",
    b"a001 GENURLAUTH \"imap://a/x;urlauth=anonymous\" INTERNAL \"imap://a/y;urlauth=user+bob\" INTERNAL\r\n",
    b"a002 URLFETCH \"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038\"\r\n",
    b"a003 URLFETCH x y\r\n",
];

/// Server lines of the four RFCs.
const RESPONSES: &[&[u8]] = &[
    b"* ACL INBOX/Drafts Fred rwipslxetad Chris lrswi\r\n",
    b"* ACL INBOX\r\n",
    b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n",
    b"* LISTRIGHTS archive/imap anyone \"\" l r s w i p k x t e c d a 0 1 2 3 4 5 6 7 8 9\r\n",
    b"* MYRIGHTS INBOX rwiptsldaex\r\n",
    b"A003 NO [TOOBIG] Message too large\r\n",
    b"A004 NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9] CATENATE failed\r\n",
    b"* NO [NOTIFICATIONOVERFLOW] Too many events\r\n",
    b"a NO [BADEVENT (MessageNew MessageExpunge FlagChange AnnotationChange MailboxName SubscriptionChange)] Not supported\r\n",
    b"* GENURLAUTH \"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038\"\r\n",
    b"* URLFETCH \"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038\" {28}\r\nChocolate cake recipe ......\r\n",
    b"* URLFETCH x NIL y \"data\"\r\n",
    b"* OK [URLMECH INTERNAL] only internal\r\n",
    b"* OK [URLMECH INTERNAL XSAMPLE=P34OKhO7VEkCbsiYY8rGEg== XOTHER] mechanisms\r\n",
];

fn all_commands() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = COMMANDS.iter().map(|c| c.to_vec()).collect();
    v.push(rfc4469_append());
    v
}

#[test]
fn rfc_commands_parse_and_round_trip() {
    for line in all_commands() {
        let c = cmd(&line).unwrap_or_else(|e| {
            panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(&line))
        });
        let _ = alloc::format!("{c:?}");
        let mut out = Vec::new();
        emit_command(&c, &mut out, &EmitOptions::default())
            .unwrap_or_else(|e| panic!("{e} for {c:?}"));
        let again = cmd(&out).unwrap_or_else(|e| {
            panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(&out))
        });
        assert_eq!(IntoOwned::into_owned(again), IntoOwned::into_owned(c));
    }
}

#[test]
fn rfc_responses_parse_and_round_trip() {
    for line in RESPONSES {
        let r = resp(line).unwrap_or_else(|e| {
            panic!("{e} in {:?}", alloc::string::String::from_utf8_lossy(line))
        });
        // nothing fell back to the raw forms
        let dbg = alloc::format!("{r:?}");
        assert!(!dbg.contains("Other"), "{dbg}");
        let mut out = Vec::new();
        emit_response(&r, &mut out, &EmitOptions::default())
            .unwrap_or_else(|e| panic!("{e} for {r:?}"));
        assert_eq!(
            IntoOwned::into_owned(resp(&out).unwrap()),
            IntoOwned::into_owned(r)
        );
    }
}

#[test]
fn truncated_never_parses() {
    for line in all_commands() {
        for cut in 0..line.len() {
            assert!(cmd(&line[..cut]).is_err(), "{:?}", &line[..cut]);
        }
    }
    for line in RESPONSES {
        for cut in 0..line.len() {
            assert!(resp(&line[..cut]).is_err(), "{:?}", &line[..cut]);
        }
    }
}

#[test]
fn acl_values() {
    assert_eq!(
        body(b"A002 SETACL INBOX/Drafts Chris +cda\r\n"),
        CommandBody::SetAcl {
            mailbox: mb("INBOX/Drafts"),
            identifier: IString::from("Chris"),
            rights: ModRights {
                mode: RightsMode::Add,
                rights: r("cda")
            },
        }
    );
    let CommandBody::SetAcl {
        identifier, rights, ..
    } = body(b"A003 SETACL INBOX/Drafts -Fred -wi\r\n")
    else {
        panic!()
    };
    assert_eq!(identifier.as_bytes(), b"-Fred");
    assert_eq!(rights.mode, RightsMode::Remove);
    assert!(rights.rights.contains('w') && !rights.rights.contains('l'));
    let CommandBody::SetAcl { rights, .. } = body(b"a SETACL x y \"\"\r\n") else {
        panic!()
    };
    assert_eq!(rights.mode, RightsMode::Replace);
    assert!(rights.rights.is_empty());
    assert_eq!(
        body(b"A001 DELETEACL INBOX/Drafts Chris\r\n"),
        CommandBody::DeleteAcl {
            mailbox: mb("INBOX/Drafts"),
            identifier: IString::from("Chris")
        }
    );
    assert_eq!(
        body(b"A002 getacl inbox\r\n"),
        CommandBody::GetAcl(Mailbox::Inbox)
    );
    assert_eq!(
        body(b"a LISTRIGHTS ~/Mail/saved smith\r\n"),
        CommandBody::ListRights {
            mailbox: mb("~/Mail/saved"),
            identifier: IString::from("smith")
        }
    );
    assert_eq!(
        body(b"A003 MYRIGHTS INBOX\r\n"),
        CommandBody::MyRights(Mailbox::Inbox)
    );

    let Data::Acl { mailbox, entries } =
        data(b"* ACL INBOX/Drafts Fred rwipslxetad Chris lrswi\r\n")
    else {
        panic!()
    };
    assert_eq!(mailbox, mb("INBOX/Drafts"));
    assert_eq!(
        entries.to_vec(),
        vec![
            (IString::from("Fred"), r("rwipslxetad")),
            (IString::from("Chris"), r("lrswi"))
        ]
    );
    assert_eq!(
        data(b"* LISTRIGHTS archive/imap anyone \"\" l r s 0\r\n"),
        Data::ListRights {
            mailbox: mb("archive/imap"),
            identifier: IString::from("anyone"),
            required: r(""),
            optional: List::from_items(vec![r("l"), r("r"), r("s"), r("0")]),
        }
    );
    assert_eq!(
        data(b"* MYRIGHTS INBOX rwiptsldaex\r\n"),
        Data::MyRights {
            mailbox: Mailbox::Inbox,
            rights: r("rwiptsldaex")
        }
    );
    // rights that spell NIL are quoted when emitted, and still rights
    let d = Data::MyRights {
        mailbox: Mailbox::Inbox,
        rights: r("nil"),
    };
    let mut out = Vec::new();
    emit_response(
        &Response::Data(d.clone()),
        &mut out,
        &EmitOptions::default(),
    )
    .unwrap();
    assert_eq!(out, b"* MYRIGHTS INBOX \"nil\"\r\n");
    assert_eq!(IntoOwned::into_owned(data(&out)), d);
}

#[test]
fn catenate_values() {
    let line = rfc4469_append();
    let CommandBody::AppendCatenate { mailbox, messages } = body(&line) else {
        panic!()
    };
    assert_eq!(mailbox, mb("Drafts"));
    let msgs = messages.to_vec();
    assert_eq!(msgs.len(), 1);
    let AppendItem::Catenate { flags, date, parts } = &msgs[0] else {
        panic!()
    };
    assert_eq!(date, &None);
    assert_eq!(
        flags.as_ref().unwrap().to_vec(),
        vec![
            Flag::Seen,
            Flag::Draft,
            Flag::Keyword(Atom::new("$MDNSent").unwrap())
        ]
    );
    let parts = parts.to_vec();
    assert_eq!(parts.len(), 5);
    assert_eq!(
        parts[0],
        CatenatePart::Url(IString::from(
            "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER"
        ))
    );
    assert_eq!(
        parts[1],
        CatenatePart::Text(Cow::Borrowed(
            &b"\r\n--------------030308070208000400050907\r\n"[..]
        ))
    );
    assert!(matches!(parts[4], CatenatePart::Text(_)));

    // MULTIAPPEND mixing a literal message and a catenated one
    let CommandBody::AppendCatenate { messages, .. } = body(COMMANDS[9]) else {
        panic!()
    };
    let msgs = messages.to_vec();
    assert!(
        matches!(&msgs[0], AppendItem::Message(AppendMessage { data, .. }) if &data[..] == b"hi")
    );
    let AppendItem::Catenate { date, parts, .. } = &msgs[1] else {
        panic!()
    };
    assert!(date.is_some());
    assert_eq!(
        parts.to_vec(),
        vec![
            CatenatePart::Text(Cow::Borrowed(&b"abc"[..])),
            CatenatePart::Url(IString::from("/INBOX;UIDVALIDITY=1/;UID=2"))
        ]
    );
    // an APPEND of literals only is still CommandBody::Append
    assert!(matches!(
        body(b"A003 APPEND x {3}\r\nabc (\\Draft) {2}\r\nde\r\n"),
        CommandBody::Append { .. }
    ));

    assert_eq!(
        code(b"A003 NO [TOOBIG] Message too large\r\n"),
        Code::TooBig
    );
    assert_eq!(
        code(b"A004 NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9] x\r\n"),
        Code::BadUrl(IString::from(
            "/INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9"
        ))
    );
}

#[test]
fn notify_values() {
    assert_eq!(
        body(b"a NOTIFY NONE\r\n"),
        CommandBody::Notify(Notify::None)
    );
    let CommandBody::Notify(Notify::Set { status, groups }) = body(COMMANDS[11]) else {
        panic!()
    };
    assert!(status);
    let groups = groups.to_vec();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].filter, MailboxFilter::Selected);
    let events = groups[0].events.as_ref().unwrap().to_vec();
    let NotifyEvent::MessageNew(Some(atts)) = &events[0] else {
        panic!()
    };
    assert_eq!(atts.len(), 2);
    assert_eq!(atts.to_vec()[0], FetchAttribute::Uid);
    assert_eq!(events[1], NotifyEvent::MessageExpunge);
    assert_eq!(
        groups[1],
        EventGroup {
            filter: MailboxFilter::Subtree(List::from_items(vec![mb("Lists")])),
            events: Some(List::from_items(vec![NotifyEvent::MessageNew(None)])),
        }
    );

    let CommandBody::Notify(Notify::Set { status, groups }) = body(COMMANDS[13]) else {
        panic!()
    };
    assert!(!status);
    let groups = groups.to_vec();
    assert_eq!(groups[0].filter, MailboxFilter::SelectedDelayed);
    assert_eq!(groups[1].filter, MailboxFilter::Inboxes);
    assert_eq!(groups[1].events, None);
    assert_eq!(groups[2].filter, MailboxFilter::Subscribed);

    let CommandBody::Notify(Notify::Set { groups, .. }) = body(COMMANDS[14]) else {
        panic!()
    };
    let g = &groups.to_vec()[0];
    assert_eq!(
        g.filter,
        MailboxFilter::Mailboxes(List::from_items(vec![Mailbox::Inbox, mb("Other Mail")]))
    );
    assert_eq!(
        g.events.as_ref().unwrap().to_vec(),
        vec![
            NotifyEvent::AnnotationChange,
            NotifyEvent::MailboxMetadataChange,
            NotifyEvent::ServerMetadataChange,
            NotifyEvent::Other(Atom::new("XFutureEvent").unwrap()),
        ]
    );

    assert_eq!(
        code(b"* NO [NOTIFICATIONOVERFLOW] Too many events\r\n"),
        Code::NotificationOverflow
    );
    assert_eq!(
        code(b"a NO [BADEVENT (MessageNew FlagChange)] no\r\n"),
        Code::BadEvent(List::from_items(vec![
            NotifyEvent::MessageNew(None),
            NotifyEvent::FlagChange
        ]))
    );
}

#[test]
fn urlauth_values() {
    assert_eq!(
        body(b"a RESETKEY\r\n"),
        CommandBody::ResetKey {
            mailbox: None,
            mechanisms: List::empty()
        }
    );
    assert_eq!(
        body(b"a RESETKEY INBOX INTERNAL XSAMPLE\r\n"),
        CommandBody::ResetKey {
            mailbox: Some(Mailbox::Inbox),
            mechanisms: List::from_items(vec![
                Atom::new("INTERNAL").unwrap(),
                Atom::new("XSAMPLE").unwrap()
            ])
        }
    );
    assert_eq!(
        body(b"a GENURLAUTH \"imap://a/x;urlauth=anonymous\" INTERNAL\r\n"),
        CommandBody::GenUrlAuth(List::from_items(vec![(
            IString::from("imap://a/x;urlauth=anonymous"),
            Atom::new("INTERNAL").unwrap()
        )]))
    );
    assert_eq!(
        body(b"a003 URLFETCH x y\r\n"),
        CommandBody::UrlFetch(List::from_items(vec![
            IString::from("x"),
            IString::from("y")
        ]))
    );
    let Data::UrlFetch(l) = data(RESPONSES[10]) else {
        panic!()
    };
    let l = l.to_vec();
    assert_eq!(l.len(), 1);
    assert_eq!(
        l[0].1.as_ref().unwrap().as_bytes(),
        b"Chocolate cake recipe ......"
    );
    assert_eq!(
        data(b"* URLFETCH x NIL y \"data\"\r\n"),
        Data::UrlFetch(List::from_items(vec![
            (IString::from("x"), None),
            (IString::from("y"), Some(IString::from("data")))
        ]))
    );
    assert_eq!(
        data(b"* GENURLAUTH a b\r\n"),
        Data::GenUrlAuth(List::from_items(vec![
            IString::from("a"),
            IString::from("b")
        ]))
    );
    assert_eq!(
        code(b"* OK [URLMECH INTERNAL XSAMPLE=P34OKhO7VEkCbsiYY8rGEg== XOTHER] m\r\n"),
        Code::UrlMech(List::from_items(vec![
            UrlMechanism {
                name: Atom::new("XSAMPLE").unwrap(),
                data: Some(Cow::Borrowed(&b"P34OKhO7VEkCbsiYY8rGEg=="[..]))
            },
            UrlMechanism {
                name: Atom::new("XOTHER").unwrap(),
                data: None
            },
        ]))
    );
    assert_eq!(
        code(b"* OK [URLMECH INTERNAL] m\r\n"),
        Code::UrlMech(List::empty())
    );
}

#[test]
fn malformed() {
    let bad: &[&[u8]] = &[
        // rights: uppercase, punctuation, bad prefix position
        b"A001 SETACL INBOX/Drafts John lrQswicdakxet\r\n",
        b"A001 SETACL INBOX John l.r\r\n",
        b"A001 SETACL INBOX John l+r\r\n",
        b"A001 SETACL INBOX John ++lr\r\n",
        b"A001 SETACL INBOX John\r\n",
        b"A001 DELETEACL INBOX\r\n",
        b"A001 GETACL\r\n",
        b"A001 MYRIGHTS INBOX extra\r\n",
        // CATENATE: unclosed list, empty list, unknown part, literal8 TEXT
        b"A003 APPEND Drafts CATENATE (URL /x\r\n",
        b"A003 APPEND Drafts CATENATE (TEXT {3}\r\nabc\r\n",
        b"A003 APPEND Drafts CATENATE ()\r\n",
        b"A003 APPEND Drafts CATENATE (FOO bar)\r\n",
        b"A003 APPEND Drafts CATENATE (TEXT ~{3}\r\nabc)\r\n",
        b"A003 APPEND Drafts CATENATE URL /x\r\n",
        // NOTIFY: no event groups, bad filter, empty events, unclosed
        b"a NOTIFY SET\r\n",
        b"a NOTIFY SET STATUS\r\n",
        b"a NOTIFY SET \r\n",
        b"a NOTIFY\r\n",
        b"a NOTIFY FOO\r\n",
        b"a NOTIFY SET (everything (MessageNew))\r\n",
        b"a NOTIFY SET (selected ())\r\n",
        b"a NOTIFY SET (selected (MessageNew)\r\n",
        b"a NOTIFY SET (subtree (MessageNew))\r\n",
        b"a NOTIFY SET (selected MessageNew)\r\n",
        // URLAUTH: no url, bad mechanism, no mechanism
        b"a URLFETCH\r\n",
        b"a URLFETCH \r\n",
        b"a GENURLAUTH\r\n",
        b"a GENURLAUTH imap://x\r\n",
        b"a GENURLAUTH imap://x IN_TERNAL\r\n",
        b"a RESETKEY INBOX INT$ERNAL\r\n",
    ];
    for line in bad {
        assert!(
            is_parse_error(cmd(line)),
            "{:?} -> {:?}",
            alloc::string::String::from_utf8_lossy(line),
            cmd(line)
        );
    }
    let bad: &[&[u8]] = &[
        b"* ACL INBOX Fred RWI\r\n",
        b"* ACL INBOX Fred\r\n",
        b"* MYRIGHTS INBOX r-w\r\n",
        b"* MYRIGHTS INBOX\r\n",
        b"* LISTRIGHTS INBOX fred\r\n",
        b"* LISTRIGHTS INBOX fred l R\r\n",
        b"* GENURLAUTH\r\n",
        b"* URLFETCH\r\n",
        b"* URLFETCH x\r\n",
        b"* URLFETCH x {3}\r\nab\r\n",
    ];
    for line in bad {
        assert!(
            is_parse_error(resp(line)),
            "{:?} -> {:?}",
            alloc::string::String::from_utf8_lossy(line),
            resp(line)
        );
    }
    // a malformed code argument is kept raw, as for every other code
    assert!(matches!(
        code(b"a NO [BADEVENT MessageNew] x\r\n"),
        Code::Other { .. }
    ));
    assert!(matches!(
        code(b"a NO [URLMECH XSAMPLE] x\r\n"),
        Code::Other { .. }
    ));
}

/// Where malformed input fails and what the grammar names there (the same
/// as the cursor grammar gave before the rules moved to nom).
#[test]
fn errors_point_at_the_fault() {
    let at = |r: Result<(), Error>| match r {
        Err(Error::Parse(e)) => (e.offset, e.expected),
        other => panic!("{other:?}"),
    };
    let rights = "rights (lowercase letters and digits)";
    let cases: &[(&[u8], usize, &str)] = &[
        (
            b"A001 SETACL INBOX John l.r\r\n",
            23,
            "mod-rights ([+/-] lowercase letters and digits)",
        ),
        (
            b"A003 APPEND Drafts CATENATE (TEXT ~{3}\r\nabc)\r\n",
            34,
            "literal",
        ),
        (
            b"A003 APPEND Drafts CATENATE (FOO bar)\r\n",
            29,
            "TEXT or URL",
        ),
        (b"A003 APPEND Drafts CATENATE ()\r\n", 29, "list element"),
        (
            b"a NOTIFY SET (everything (MessageNew))\r\n",
            14,
            "filter-mailboxes",
        ),
        (b"a NOTIFY SET (subtree (MessageNew))\r\n", 34, "SP"),
        (b"a NOTIFY SET (selected MessageNew)\r\n", 23, "'('"),
        (
            b"a NOTIFY SET \r(selected (MessageNew))\r\n",
            13,
            "'(' of event-group",
        ),
        (b"a GENURLAUTH imap://x IN_TERNAL\r\n", 24, "CRLF"),
        (b"a RESETKEY INBOX INT$ERNAL\r\n", 20, "CRLF"),
    ];
    for &(line, offset, expected) in cases {
        let r = cmd(line).map(|_| ());
        assert_eq!(at(r), (offset, expected), "{line:?}");
    }
    let cases: &[(&[u8], usize, &str)] = &[
        (b"* ACL INBOX Fred RWI\r\n", 17, rights),
        (b"* LISTRIGHTS INBOX fred l R\r\n", 26, rights),
    ];
    for &(line, offset, expected) in cases {
        let r = resp(line).map(|_| ());
        assert_eq!(at(r), (offset, expected), "{line:?}");
    }
}

fn emit_cmd_err(body: CommandBody<'_>) -> bool {
    let c = Command {
        tag: Tag::new("a").unwrap(),
        body,
    };
    let mut out = Vec::new();
    let r = emit_command(&c, &mut out, &EmitOptions::default());
    matches!(r, Err(Error::Emit(_))) && out.is_empty()
}

#[test]
fn emit_refuses_what_would_not_parse_back() {
    assert!(Rights::new("lrsW").is_none());
    assert!(Rights::new("l r").is_none());
    assert!(emit_cmd_err(CommandBody::UrlFetch(List::empty())));
    assert!(emit_cmd_err(CommandBody::GenUrlAuth(List::empty())));
    assert!(emit_cmd_err(CommandBody::GenUrlAuth(List::from_items(
        vec![(IString::from("u"), Atom::new("BAD_MECH").unwrap())]
    ))));
    assert!(emit_cmd_err(CommandBody::ResetKey {
        mailbox: None,
        mechanisms: List::from_items(vec![Atom::new("INTERNAL").unwrap()])
    }));
    assert!(emit_cmd_err(CommandBody::Notify(Notify::Set {
        status: false,
        groups: List::empty()
    })));
    assert!(emit_cmd_err(CommandBody::Notify(Notify::Set {
        status: false,
        groups: List::from_items(vec![EventGroup {
            filter: MailboxFilter::Selected,
            events: Some(List::empty())
        }])
    })));
    assert!(emit_cmd_err(CommandBody::Notify(Notify::Set {
        status: false,
        groups: List::from_items(vec![EventGroup {
            filter: MailboxFilter::Subtree(List::empty()),
            events: None
        }])
    })));
    // CATENATE: no part, no catenated message, NUL in a TEXT part
    let cat = |parts: Vec<CatenatePart<'static>>| AppendItem::Catenate {
        flags: None,
        date: None,
        parts: List::from_items(parts),
    };
    assert!(emit_cmd_err(CommandBody::AppendCatenate {
        mailbox: Mailbox::Inbox,
        messages: List::from_items(vec![cat(vec![])])
    }));
    assert!(emit_cmd_err(CommandBody::AppendCatenate {
        mailbox: Mailbox::Inbox,
        messages: List::from_items(vec![AppendItem::Message(AppendMessage {
            flags: None,
            date: None,
            data: Cow::Borrowed(b"x"),
            binary: false
        })])
    }));
    assert!(emit_cmd_err(CommandBody::AppendCatenate {
        mailbox: Mailbox::Inbox,
        messages: List::from_items(vec![cat(vec![CatenatePart::Text(Cow::Borrowed(b"a\0b"))])])
    }));
    assert!(emit_cmd_err(CommandBody::Notify(Notify::Set {
        status: false,
        groups: List::from_items(vec![EventGroup {
            filter: MailboxFilter::Selected,
            events: Some(List::from_items(vec![NotifyEvent::Other(
                Atom::new("flagchange").unwrap()
            )]))
        }])
    })));
    // codes: BADURL with ']' or CR, URLMECH data not base64
    for c in [
        Code::BadUrl(IString::from("a]b")),
        Code::BadUrl(IString::from("a\r\nb")),
        Code::BadUrl(IString::from("")),
        Code::UrlMech(List::from_items(vec![UrlMechanism {
            name: Atom::new("X").unwrap(),
            data: Some(Cow::Borrowed(b"a b")),
        }])),
        Code::BadEvent(List::empty()),
    ] {
        let r = Response::Status(StatusResponse {
            tag: None,
            kind: StatusKind::No,
            code: Some(c),
            text: crate::Text::borrowed(b"x"),
        });
        let mut out = Vec::new();
        assert!(matches!(
            emit_response(&r, &mut out, &EmitOptions::default()),
            Err(Error::Emit(_))
        ));
        assert!(out.is_empty());
    }
    for d in [
        Data::GenUrlAuth(List::empty()),
        Data::UrlFetch(List::empty()),
    ] {
        let mut out = Vec::new();
        assert!(matches!(
            emit_response(&Response::Data(d), &mut out, &EmitOptions::default()),
            Err(Error::Emit(_))
        ));
    }
}

#[test]
fn emitted_forms() {
    let c = Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::AppendCatenate {
            mailbox: Mailbox::Inbox,
            messages: List::from_items(vec![AppendItem::Catenate {
                flags: Some(List::from_items(vec![Flag::Seen])),
                date: None,
                parts: List::from_items(vec![
                    CatenatePart::Url(IString::from("/INBOX;UID=1")),
                    CatenatePart::Text(Cow::Borrowed(b"hi")),
                ]),
            }]),
        },
    };
    let mut out = Vec::new();
    let e = emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(
        out,
        b"a APPEND INBOX (\\Seen) CATENATE (URL /INBOX;UID=1 TEXT {2}\r\nhi)\r\n"
    );
    // the client waits for '+' after the TEXT literal's announcement
    assert_eq!(e.sync_points, vec![out.len() - 5]);

    let c = Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::Notify(Notify::Set {
            status: true,
            groups: List::from_items(vec![
                EventGroup {
                    filter: MailboxFilter::Selected,
                    events: Some(List::from_items(vec![
                        NotifyEvent::MessageNew(Some(List::from_items(vec![FetchAttribute::Uid]))),
                        NotifyEvent::MessageExpunge,
                    ])),
                },
                EventGroup {
                    filter: MailboxFilter::Subtree(List::from_items(vec![mb("Lists")])),
                    events: None,
                },
            ]),
        }),
    };
    let mut out = Vec::new();
    emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(
        out,
        &b"a NOTIFY SET STATUS (SELECTED (MessageNew (UID) MessageExpunge)) (SUBTREE Lists NONE)\r\n"[..]
    );
    let c = Command {
        tag: Tag::new("a").unwrap(),
        body: CommandBody::SetAcl {
            mailbox: Mailbox::Inbox,
            identifier: IString::from("-Fred"),
            rights: ModRights {
                mode: RightsMode::Remove,
                rights: r(""),
            },
        },
    };
    let mut out = Vec::new();
    emit_command(&c, &mut out, &EmitOptions::default()).unwrap();
    assert_eq!(out, b"a SETACL INBOX -Fred -\r\n");
    assert_eq!(IntoOwned::into_owned(cmd(&out).unwrap()), c);
}

#[test]
fn catenate_detection_for_the_server() {
    use super::catenate::parse::uses_catenate;
    assert!(uses_catenate(b"APPEND Drafts CATENATE (TEXT "));
    assert!(uses_catenate(
        b"APPEND Drafts (\\Seen) catenate (URL /x TEXT "
    ));
    assert!(uses_catenate(
        b"APPEND {6}\r\nDrafts CATENATE (URL \"/a\" TEXT {2}\r\nhi TEXT "
    ));
    assert!(!uses_catenate(b"APPEND Drafts (\\Seen) "));
    assert!(!uses_catenate(b"APPEND \" CATENATE (\" "));
    assert!(!uses_catenate(b"APPEND {11}\r\n CATENATE ( "));
    assert!(!uses_catenate(b"APPEND {11+}\r\n CATENATE ( (\\Seen) "));
    // garbage never panics
    assert!(!uses_catenate(b"{99999999999999999999999}\r\n"));
    assert!(!uses_catenate(b"\"\\"));
    assert!(!uses_catenate(b"{"));
}

/// Whether `s` lies inside `input` (the value was borrowed, not copied).
fn inside(input: &[u8], s: &[u8]) -> bool {
    let (a, b) = (input.as_ptr() as usize, s.as_ptr() as usize);
    b >= a && b + s.len() <= a + input.len()
}

#[test]
fn parsed_values_borrow_from_the_frame() {
    let line = b"A002 SETACL INBOX/Drafts Chris +cda\r\n";
    let CommandBody::SetAcl {
        identifier, rights, ..
    } = body(line)
    else {
        panic!()
    };
    assert!(matches!(identifier.0, Cow::Borrowed(_)));
    assert!(inside(line, rights.rights.as_str().as_bytes()));

    let line = b"* ACL INBOX/Drafts Fred rwipslxetad Chris lrswi\r\n";
    let Data::Acl { entries, .. } = data(line) else {
        panic!()
    };
    assert!(inside(line, entries.raw().unwrap()));
    for (id, r) in entries.iter() {
        assert!(matches!(id.0, Cow::Borrowed(_)));
        assert!(inside(line, r.as_str().as_bytes()));
    }

    let line = rfc4469_append();
    let CommandBody::AppendCatenate { messages, .. } = body(&line) else {
        panic!()
    };
    assert!(inside(&line, messages.raw().unwrap()));
    for m in messages.iter() {
        let AppendItem::Catenate { parts, .. } = m else {
            panic!()
        };
        assert!(inside(&line, parts.raw().unwrap()));
        for p in parts.iter() {
            match p {
                CatenatePart::Text(t) => assert!(matches!(t, Cow::Borrowed(_))),
                CatenatePart::Url(u) => assert!(matches!(u.0, Cow::Borrowed(_))),
            }
        }
    }

    let line = COMMANDS[11];
    let CommandBody::Notify(Notify::Set { groups, .. }) = body(line) else {
        panic!()
    };
    assert!(inside(line, groups.raw().unwrap()));
    for g in groups.iter() {
        if let Some(e) = g.events {
            assert!(inside(line, e.raw().unwrap()));
        }
    }

    let line = RESPONSES[10];
    let Data::UrlFetch(l) = data(line) else {
        panic!()
    };
    assert!(inside(line, l.raw().unwrap()));
    let (_, d) = l.iter().next().unwrap();
    assert!(matches!(d.unwrap().0, Cow::Borrowed(_)));
}
