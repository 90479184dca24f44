//! Table tests for the response grammar: the RFCs' sample sessions, realistic
//! lines from Dovecot, Gmail, Exchange/Outlook, Yahoo, iCloud, and the quirks.

use alloc::vec::Vec;

use super::response::{parse_greeting, parse_response};
use crate::imap::base::body::{BodyStructure, Specific};
use crate::imap::syntax::core::{Flag, IString, SeqNum};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::types::response::*;
use crate::{Error, error::LimitKind};

fn lenient(s: &[u8]) -> Result<Response<'_>, Error> {
    parse_response(s, &ParseOptions::DEFAULT)
}
fn strict(s: &[u8]) -> Result<Response<'_>, Error> {
    parse_response(s, &ParseOptions::STRICT)
}

/// Walks every lazy list of a response, so a test touches all of it.
pub(crate) fn walk(r: &Response<'_>) -> usize {
    fn body(b: &BodyStructure<'_>) -> usize {
        match b {
            BodyStructure::Single(s) => {
                let mut n = 1 + s.params.as_ref().map_or(0, |p| p.len());
                if let Specific::Message {
                    envelope,
                    body: inner,
                    ..
                } = &s.specific
                {
                    n += envelope.get().from.len();
                    n += body(&inner.get());
                }
                n
            }
            BodyStructure::Multi(m) => m.parts.iter().map(|p| body(&p)).sum::<usize>() + 1,
        }
    }
    match r {
        Response::Data(Data::Fetch { items, .. }) => items
            .iter()
            .map(|i| match i {
                FetchItem::Envelope(e) => {
                    1 + [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc]
                        .iter()
                        .map(|l| l.len())
                        .sum::<usize>()
                }
                FetchItem::Body(b) | FetchItem::BodyStructure(b) => body(&b),
                FetchItem::Flags(f) => f.len() + 1,
                _ => 1,
            })
            .sum(),
        Response::Data(Data::Thread(t)) => t.len(),
        Response::Data(Data::Capability(c)) => c.len(),
        Response::Data(Data::List(l)) => l.attributes.len() + l.extended.len(),
        Response::Data(Data::Status { items, .. }) => items.len(),
        _ => 1,
    }
}

const RFC3501_SESSION: &[&[u8]] = &[
    b"* OK IMAP4rev1 Service Ready\r\n",
    b"a001 OK LOGIN completed\r\n",
    b"* 18 EXISTS\r\n",
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
    b"* 2 RECENT\r\n",
    b"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
    b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
    b"a002 OK [READ-WRITE] SELECT completed\r\n",
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
    b"a003 OK FETCH completed\r\n",
    b"* 12 FETCH (BODY[HEADER] {41}\r\nDate: Wed, 17 Jul 1996 02:23:25 -0700\r\n\r\n)\r\n",
    b"a004 OK FETCH completed\r\n",
    b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n",
    b"a005 OK +FLAGS completed\r\n",
    b"* BYE IMAP4rev1 server terminating connection\r\n",
    b"a006 OK LOGOUT completed\r\n",
];

const RFC9051_LINES: &[&[u8]] = &[
    b"* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n",
    b"a000 OK Proceed with TLS negotiation\r\n",
    b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n",
    b"A001 OK SCRAM-SHA-256 authentication successful\r\n",
    b"* ENABLED UTF8=ACCEPT\r\n",
    b"* LIST () \"/\" INBOX\r\n",
    b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n",
    b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n",
    b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n",
    b"* LIST (\\Subscribed) \".\" \"Foo.Bar\" (\"OLDNAME\" (\"Foo\"))\r\n",
    b"* LIST () \".\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
    b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
    b"* STATUS INBOX (MESSAGES 17 SIZE 16234 DELETED 0 APPENDLIMIT NIL HIGHESTMODSEQ 7011231777)\r\n",
    b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
    b"* ESEARCH (TAG \"A283\") UID ALL 4:18,21,28\r\n",
    b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
    b"* ESEARCH (TAG \"A284\")\r\n",
    b"* SEARCH 2 84 882\r\n",
    b"* SEARCH\r\n",
    b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
    b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
    b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n",
    b"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
    b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
    b"* 44 EXPUNGE\r\n",
    b"* VANISHED (EARLIER) 300:310,405,411\r\n",
    b"* VANISHED 405,407,410,425\r\n",
    b"A003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
    b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
    b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
    b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
    b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
    b"* OK [CLOSED] Previous mailbox closed\r\n",
    b"A1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n",
    b"A2 NO [OVERQUOTA] Quota exceeded\r\n",
    b"A3 NO [ALREADYEXISTS] Mailbox exists\r\n",
    b"A4 NO [NONEXISTENT] No such mailbox\r\n",
    b"A5 NO [TRYCREATE] No such mailbox\r\n",
    b"A6 NO [BADCHARSET (UTF-8 \"US-ASCII\")] charset\r\n",
    b"A6 NO [BADCHARSET] charset\r\n",
    b"A7 BAD [PARSE] bad\r\n",
    b"* OK [ALERT] System shutdown in 10 minutes\r\n",
    b"A8 OK [READ-ONLY] EXAMINE completed\r\n",
    b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
    b"A9 OK [UIDNOTSTICKY] done\r\n",
    b"A9 OK [COMPRESSIONACTIVE] DEFLATE active\r\n",
    b"A9 NO [UNAVAILABLE] x\r\n",
    b"A9 NO [AUTHORIZATIONFAILED] x\r\n",
    b"A9 NO [EXPIRED] x\r\n",
    b"A9 NO [PRIVACYREQUIRED] x\r\n",
    b"A9 NO [CONTACTADMIN] x\r\n",
    b"A9 NO [NOPERM] x\r\n",
    b"A9 NO [INUSE] x\r\n",
    b"A9 NO [EXPUNGEISSUED] x\r\n",
    b"A9 NO [CORRUPTION] x\r\n",
    b"A9 NO [SERVERBUG] x\r\n",
    b"A9 NO [CLIENTBUG] x\r\n",
    b"A9 NO [CANNOT] x\r\n",
    b"A9 NO [LIMIT] x\r\n",
    b"A9 NO [UNKNOWN-CTE] x\r\n",
    b"A9 NO [HASCHILDREN] x\r\n",
    b"A9 OK [X-SOMETHING some args] x\r\n",
    b"* QUOTA \"\" (STORAGE 10 512)\r\n",
    b"* QUOTA \"!partition/sda4\" (STORAGE 104 10923847 MESSAGE 3 1000)\r\n",
    b"* QUOTAROOT INBOX \"\"\r\n",
    b"* QUOTAROOT comp.mail.mime\r\n",
    b"* METADATA \"\" (/shared/comment \"My comment\")\r\n",
    b"* METADATA \"INBOX\" (/private/comment \"My own comment\" /shared/comment NIL)\r\n",
    b"* METADATA \"INBOX\" /shared/comment /private/comment\r\n",
    b"* SORT 2 3 6\r\n",
    b"* SORT\r\n",
    b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
    b"* THREAD ((3)(5))\r\n",
    b"* THREAD\r\n",
    b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
    b"* ID NIL\r\n",
    b"+ idling\r\n",
    b"+ Ready for additional command text\r\n",
    b"+ \r\n",
    b"+ [ALERT] go ahead\r\n",
    b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
    b"* 1 FETCH (UID 3 MODSEQ (624140003) FLAGS (\\Seen))\r\n",
    b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n",
    b"* 2 FETCH (EMAILID (M5fdc09b49ea703) THREADID NIL)\r\n",
    b"* 1 FETCH (BINARY[1] ~{4}\r\n\x00\x01\x02\x03 BINARY.SIZE[2] 1024)\r\n",
    b"* 1 FETCH (BODY[1.2.HEADER.FIELDS (DATE FROM)]<0> {0}\r\n BODY[2.MIME] NIL BODY[] \"\" RFC822.HEADER NIL RFC822.TEXT NIL RFC822 NIL)\r\n",
    b"* 1 FETCH (SAVEDATE \"01-Jan-2024 00:00:00 +0000\" PREVIEW \"Hello\")\r\n",
    b"* 3 FETCH (BODY[HEADER.FIELDS.NOT (Received)] {2}\r\n\r\n)\r\n",
];

const REAL_SERVERS: &[&[u8]] = &[
    // Dovecot
    b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot ready.\r\n",
    b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n",
    b"a OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
    b"* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n",
    b"* STATUS INBOX (MESSAGES 3 UNSEEN 1)\r\n",
    // Gmail
    b"* OK Gimap ready for requests from 192.0.2.1 d1mb123\r\n",
    b"* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584\r\n",
    b"* LIST (\\HasNoChildren \\All) \"/\" \"[Gmail]/All Mail\"\r\n",
    b"* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\") UID 2)\r\n",
    b"A1 OK user@gmail.com authenticated (Success)\r\n",
    // Exchange / Outlook
    b"* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIAUABSADAA]\r\n",
    b"* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.20\")\r\n",
    b"* 1 FETCH (UID 10 RFC822.SIZE 2048 FLAGS (\\Seen $MDNSent))\r\n",
    // Yahoo
    b"* OK [CAPABILITY IMAP4rev1 ID MOVE NAMESPACE XYMHIGHESTMODSEQ UIDPLUS LITERAL+ CHILDREN X-MSG-EXT UNSELECT OBJECTID] IMAP4rev1 imapgate-1.8.1_01.20166 imap1010.mail.ne1.yahoo.com\r\n",
    // iCloud
    b"* OK [CAPABILITY XAPPLEPUSHSERVICE IMAP4 IMAP4rev1 SASL-IR AUTH=ATOKEN AUTH=PLAIN] iCloud IMAP4 service ready\r\n",
    b"* 1 FETCH (UID 1 BODY[TEXT] {3}\r\nabc)\r\n",
];

/// Every line of the tables above.
pub(crate) const ALL: &[&[u8]] = &{
    const N: usize = RFC3501_SESSION.len() + RFC9051_LINES.len() + REAL_SERVERS.len();
    let mut out: [&[u8]; N] = [b""; N];
    let mut i = 0;
    while i < RFC3501_SESSION.len() {
        out[i] = RFC3501_SESSION[i];
        i += 1;
    }
    let mut j = 0;
    while j < RFC9051_LINES.len() {
        out[i + j] = RFC9051_LINES[j];
        j += 1;
    }
    let mut k = 0;
    while k < REAL_SERVERS.len() {
        out[i + j + k] = REAL_SERVERS[k];
        k += 1;
    }
    out
};

#[test]
fn rfc_sessions_parse_in_strict_mode() {
    for line in RFC3501_SESSION.iter().chain(RFC9051_LINES) {
        let r =
            strict(line).unwrap_or_else(|e| panic!("{e} in {}", crate::error::Excerpt::new(line)));
        walk(&r);
    }
}

#[test]
fn real_servers_parse() {
    for line in REAL_SERVERS {
        let r = lenient(line).unwrap_or_else(|e| panic!("{e} in {:?}", core::str::from_utf8(line)));
        walk(&r);
    }
}

#[test]
fn truncated_never_parses() {
    for line in RFC3501_SESSION
        .iter()
        .chain(RFC9051_LINES)
        .chain(REAL_SERVERS)
    {
        for cut in 0..line.len() {
            assert!(lenient(&line[..cut]).is_err(), "{:?}", &line[..cut]);
        }
    }
}

#[test]
fn details() {
    let r = strict(RFC3501_SESSION[8]).unwrap();
    let Response::Data(Data::Fetch { seq: 12, items }) = r else {
        panic!()
    };
    let items = items.to_vec();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0], FetchItem::Flags(alloc::vec![Flag::Seen].into()));
    assert!(matches!(items[2], FetchItem::Rfc822Size(4286)));
    let FetchItem::Envelope(e) = &items[3] else {
        panic!()
    };
    assert_eq!(e.cc.len(), 2);
    assert!(matches!(
        items[4],
        FetchItem::Body(BodyStructure::Single(_))
    ));

    let Response::Data(Data::Fetch { items, .. }) = strict(RFC3501_SESSION[10]).unwrap() else {
        panic!()
    };
    let FetchItem::BodySection {
        section,
        origin: None,
        data,
    } = items.iter().next().unwrap()
    else {
        panic!()
    };
    assert_eq!(section.text, Some(SectionText::Header));
    assert_eq!(data.unwrap().as_bytes().len(), 41);

    assert_eq!(
        strict(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n").unwrap(),
        Response::Status(StatusResponse {
            tag: None,
            kind: StatusKind::Ok,
            code: Some(Code::UidValidity(3857529045)),
            text: crate::Text::borrowed(b"UIDs valid"),
        })
    );
    let Response::Status(s) =
        strict(b"A003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(s.tag.unwrap().as_str(), "A003");
    let Some(Code::CopyUid {
        uid_validity: 38505,
        source,
        destination,
    }) = s.code
    else {
        panic!()
    };
    assert_eq!(source.as_str(), "304,319:320");
    assert_eq!(
        destination.iter().next().unwrap().start,
        SeqNum::Value(3956)
    );

    let Response::Data(Data::Thread(t)) = strict(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n").unwrap()
    else {
        panic!()
    };
    let t = t.to_vec();
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].members.to_vec(), [3, 6]);
    let kids = t[1].children.to_vec();
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[1].members.to_vec(), [44, 7, 96]);

    let Response::Data(Data::ESearch(e)) =
        strict(b"* ESEARCH (TAG \"A283\") UID ALL 4:18,21,28\r\n").unwrap()
    else {
        panic!()
    };
    assert!(e.uid);
    assert_eq!(e.tag.unwrap().as_bytes(), b"A283");
    assert!(matches!(
        e.data.iter().next(),
        Some(SearchReturnData::All(_))
    ));

    let Response::Data(Data::Search { ids, modseq }) =
        strict(b"* SEARCH 2 5 6 (MODSEQ 917162500)\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (ids.to_vec(), modseq),
        (alloc::vec![2, 5, 6], Some(917162500))
    );

    let Response::Data(Data::List(l)) =
        strict(b"* LIST () \".\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(l.delimiter, Some('.'));
    let ext = l.extended.to_vec();
    assert_eq!(ext[0].tag.as_bytes(), b"CHILDINFO");
    assert_eq!(&*ext[0].value, b"(\"SUBSCRIBED\")");

    let Response::Continue(c) = strict(b"+ dGVzdA==\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(c.decode().unwrap(), b"test");
    assert!(matches!(
        strict(b"+ Ready for literal\r\n").unwrap(),
        Response::Continue(Continue::Text { .. })
    ));

    let Response::Data(Data::Other { name, rest }) = lenient(b"* XFOO bar (baz)\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!((&*name, &*rest), ("XFOO", &b"bar (baz)"[..]));
    assert!(strict(b"* XFOO bar\r\n").is_err());

    // Gmail's items are typed (X-GM-EXT-1, base::gmail), in strict mode too
    let Response::Data(Data::Fetch { items, .. }) = strict(REAL_SERVERS[8]).unwrap() else {
        panic!()
    };
    let items = items.to_vec();
    assert_eq!(items[0], FetchItem::GmailThrId(1278455344230334865));
    assert_eq!(items[1], FetchItem::GmailMsgId(1278455344230334865));
    let FetchItem::GmailLabels(l) = &items[2] else {
        panic!()
    };
    assert_eq!(l.iter().count(), 4);
    assert_eq!(items[3], FetchItem::Uid(2));
    // an item nobody knows is kept raw
    let Response::Data(Data::Fetch { items, .. }) =
        lenient(b"* 1 FETCH (X-FOO-LABELS (\\Inbox \"Muy Importante\") UID 2)\r\n").unwrap()
    else {
        panic!()
    };
    let items = items.to_vec();
    let FetchItem::Unknown { name, value } = &items[0] else {
        panic!()
    };
    assert_eq!(
        (&**name, &**value),
        ("X-FOO-LABELS", &b"(\\Inbox \"Muy Importante\")"[..])
    );
    assert_eq!(items[1], FetchItem::Uid(2));
}

#[test]
fn greeting() {
    let opts = ParseOptions::DEFAULT;
    assert_eq!(
        parse_greeting(b"* OK hi\r\n", &opts).unwrap().kind,
        StatusKind::Ok
    );
    assert_eq!(
        parse_greeting(b"* PREAUTH hi\r\n", &opts).unwrap().kind,
        StatusKind::PreAuth
    );
    assert_eq!(
        parse_greeting(b"* BYE busy\r\n", &opts).unwrap().kind,
        StatusKind::Bye
    );
    assert!(parse_greeting(b"* NO x\r\n", &opts).is_err());
    assert!(parse_greeting(b"A1 OK x\r\n", &opts).is_err());
    assert!(parse_greeting(b"* 1 EXISTS\r\n", &opts).is_err());
}

/// Each quirk: the line a named server sends, rejected in strict mode and
/// accepted by default.
#[test]
fn quirks_each_named() {
    let table: &[(&str, &[u8])] = &[
        ("missing text (Exchange, Cyrus)", b"* OK [UIDNEXT 5]\r\n"),
        ("missing text after tagged OK", b"A1 OK\r\n"),
        ("trailing space after CAPABILITY (Gmail, Yahoo)", b"* CAPABILITY IMAP4rev1 IDLE \r\n"),
        ("trailing space after ID list", b"* ID (\"name\" \"x\" )\r\n"),
        ("Outlook trailing space in STATUS", b"* STATUS INBOX (MESSAGES 1 UNSEEN 0) \r\n"),
        ("163.com empty STATUS", b"* STATUS INBOX ()\r\n"),
        ("SurgeMail space before ) in FLAGS", b"* FLAGS (\\Seen \\Deleted )\r\n"),
        ("Zoho \\* in FLAGS", b"* FLAGS (\\Seen \\*)\r\n"),
        ("NIL body encoding (Yahoo)", b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 10 1))\r\n"),
        ("Mail.ru NIL parameter value", b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\" (\"boundary\" NIL)))\r\n"),
        ("spaces between addresses (Exchange)", b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL))\r\n"),
        ("number out of range", b"* 1 FETCH (RFC822.SIZE 4294967296)\r\n"),
        ("empty continuation (Exchange)", b"+\r\n"),
        ("bare LF", b"* 3 EXISTS\n"),
        ("unknown FETCH item", b"* 1 FETCH (X-FOO-MSGID 123 UID 4)\r\n"),
        ("unknown untagged response", b"* XAPPLEPUSHSERVICE aps-version 2\r\n"),
        ("lone backslash in quoted", b"* LIST () \"/\" \"a\\b\"\r\n"),
        ("trailing space after SEARCH (Yahoo)", b"* SEARCH 1 2 \r\n"),
    ];
    for (name, line) in table {
        assert!(strict(line).is_err(), "strict accepted: {name}");
        let r = lenient(line).unwrap_or_else(|e| panic!("{name}: {e}"));
        walk(&r);
    }
    // values under the quirks
    let Response::Data(Data::Fetch { items, .. }) =
        lenient(b"* 1 FETCH (RFC822.SIZE 4294967296)\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(items.to_vec(), [FetchItem::Rfc822Size(u32::MAX)]);
    assert_eq!(
        lenient(b"+\r\n").unwrap(),
        Response::Continue(Continue::Base64(b""[..].into()))
    );
    let Response::Data(Data::Status { items, .. }) = lenient(b"* STATUS INBOX ()\r\n").unwrap()
    else {
        panic!()
    };
    assert!(items.is_empty());
}

#[test]
fn eight_bit_text_is_kept() {
    let line = b"A1 OK [READ-WRITE] SELECT completed \xe2\x80\x93 Latin-1 caf\xe9\r\n";
    let Response::Status(s) = strict(line).unwrap() else {
        panic!()
    };
    assert_eq!(
        s.text.as_bytes(),
        b"SELECT completed \xe2\x80\x93 Latin-1 caf\xe9"
    );
    assert!(strict(b"A1 OK a\0b\r\n").is_err());
}

#[test]
fn hostile() {
    // BODYSTRUCTURE nested 10 000 deep: a typed limit error, not a stack overflow
    let mut line = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    line.extend(core::iter::repeat_n(b'(', 10_000));
    line.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1");
    line.extend(core::iter::repeat_n(b')', 10_000));
    line.extend_from_slice(b" \"MIXED\")\r\n");
    assert_eq!(
        lenient(&line),
        Err(Error::limit(LimitKind::NestingDepth, 64usize))
    );
    // THREAD nested deep
    let mut line = b"* THREAD ".to_vec();
    line.extend(core::iter::repeat_n(b'(', 10_000));
    assert!(lenient(&line).is_err());
    // unknown item with deep value
    let mut line = b"* 1 FETCH (X-FOO ".to_vec();
    line.extend(core::iter::repeat_n(b'(', 10_000));
    assert_eq!(
        lenient(&line),
        Err(Error::limit(LimitKind::NestingDepth, 64usize))
    );
    // literal announced far beyond the frame
    assert!(lenient(b"* 1 FETCH (BODY[] {4294967296}\r\nabc)\r\n").is_err());
    // garbage
    for g in [
        &b""[..],
        b"\r\n",
        b"*",
        b"* \r\n",
        b"))))\r\n",
        b"A1 FOO\r\n",
        b"* 1 FETCH ((((\r\n",
        b"\xff\xfe\r\n",
    ] {
        assert!(lenient(g).is_err(), "{g:?}");
    }
}

#[test]
fn error_has_offset_and_excerpt() {
    let Err(Error::Parse(e)) = strict(b"* 1 FETCH (UID x)\r\n") else {
        panic!()
    };
    assert_eq!(e.offset, 15);
    assert_eq!(e.excerpt.as_bytes(), b"x)\r\n");
    let v: Vec<u8> = alloc::format!("{e}").into_bytes();
    assert!(!v.is_empty());
}

#[test]
fn quirks_pack_round_trip() {
    use super::Quirks;
    for q in [
        Quirks::LENIENT,
        Quirks::STRICT,
        Quirks {
            bare_lf: false,
            ..Quirks::LENIENT
        },
    ] {
        assert_eq!(Quirks::unpack(q.pack()), q);
    }
}

#[test]
fn lazy_lists_skip_literals_and_quotes_with_parens() {
    // names with parentheses inside literals and quoted strings must not
    // confuse the structural skip used when iterating validated lists
    let line = b"* 1 FETCH (ENVELOPE (NIL NIL ((\"a (x\" NIL \"b\" \"c\")({3}\r\n)() NIL \"d\" \"e\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"NAME\" {2}\r\n))) NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" (\"NAME\" \"(\\\"\") NIL NIL \"7BIT\" 1 1) \"MIXED\") UID 5)\r\n";
    let Response::Data(Data::Fetch { items, .. }) = strict(line).unwrap() else {
        panic!()
    };
    let items = items.to_vec();
    assert_eq!(items.len(), 3);
    let FetchItem::Envelope(e) = &items[0] else {
        panic!()
    };
    let from = e.from.iter().collect::<Vec<_>>();
    assert_eq!(from.len(), 2);
    assert_eq!(from[1].name.as_ref().unwrap().as_bytes(), b")()");
    let FetchItem::BodyStructure(BodyStructure::Multi(m)) = &items[1] else {
        panic!()
    };
    let parts = m.parts.to_vec();
    assert_eq!(parts.len(), 2);
    let BodyStructure::Single(s) = &parts[0] else {
        panic!()
    };
    assert_eq!(
        s.params.as_ref().unwrap().to_vec()[0]
            .1
            .as_ref()
            .unwrap()
            .as_bytes(),
        b"))"
    );
    assert_eq!(items[2], FetchItem::Uid(5));
}

/// A whole session through the framer and the parser, split in two at every
/// byte: the parsed responses equal the one-shot run (an incomplete input
/// never yields a value, let alone a wrong one).
#[test]
fn session_split_at_every_byte() {
    use crate::imap::frame::{Frame, Framer};
    use crate::wire::line::LinePolicy;
    let stream: Vec<u8> = RFC3501_SESSION.concat();
    let run = |cut: usize| {
        let mut f = Framer::new(8192, LimitKind::ReplyLine, 1 << 20, LinePolicy::STRICT);
        let mut out = Vec::new();
        let mut start = 0;
        for end in [cut, stream.len()] {
            while let Frame::Complete(n) = f.find(&stream[start..end]).unwrap() {
                out.push(alloc::format!(
                    "{:?}",
                    strict(&stream[start..start + n]).unwrap()
                ));
                start += n;
            }
        }
        assert_eq!(start, stream.len());
        out
    };
    let whole = run(stream.len());
    assert_eq!(whole.len(), RFC3501_SESSION.len());
    for cut in 0..stream.len() {
        assert_eq!(run(cut), whole, "cut at {cut}");
    }
}

/// Dovecot answers `STATUS INBOX (X-GUID)` with a non-numeric value: kept raw
/// (`Data::Other`) under `unknown_items`, refused strictly; a numeric unknown
/// item stays typed, and a known item with a bad value is still an error.
#[test]
fn status_with_non_numeric_vendor_item() {
    let line = b"* STATUS INBOX (MESSAGES 4 X-GUID 5033c5358660046b1217000083ecc375)\r\n";
    let Response::Data(Data::Other { name, rest }) = lenient(line).unwrap() else {
        panic!()
    };
    assert_eq!(
        (&*name, &*rest),
        (
            "STATUS",
            &b"INBOX (MESSAGES 4 X-GUID 5033c5358660046b1217000083ecc375)"[..]
        )
    );
    assert!(strict(line).is_err());
    let Response::Data(Data::Status { items, .. }) =
        strict(b"* STATUS INBOX (X-SIZE 1074172)\r\n").unwrap()
    else {
        panic!()
    };
    assert!(
        matches!(&items.to_vec()[..], [StatusItem::Other(a, 1074172)] if a.as_str() == "X-SIZE")
    );
    assert!(lenient(b"* STATUS INBOX (MESSAGES x4)\r\n").is_err());
    assert!(lenient(b"* STATUS INBOX (X-GUID abc\r\n").is_ok());
}

/// `Quirks::raw_response_code` (Outlook365, issue 15): a code that is not
/// `atom [SP 1*<any TEXT-CHAR except "]">]` (RFC 9051 §9 `resp-text-code`)
/// is kept raw up to its `]`; strict mode rejects it. A known code with
/// arguments that do not parse is kept raw the same way.
#[test]
fn raw_response_code_quirk() {
    let line: &[u8] = b"A1 OK [Error=\"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access\" AuthResultFromPopImapEnd=0 Proxy=X.PROD.OUTLOOK.COM:1993:SSL MailboxBE=X.PROD.OUTLOOK.COM Service=Imap4] LOGIN completed.\r\n";
    assert!(strict(line).is_err());
    let Response::Status(s) = lenient(line).unwrap() else {
        panic!()
    };
    assert_eq!(s.kind, StatusKind::Ok);
    assert_eq!(s.text.as_bytes(), b"LOGIN completed.");
    let Some(Code::Other {
        name,
        value: Some(v),
    }) = &s.code
    else {
        panic!("{:?}", s.code)
    };
    assert_eq!(name.as_str(), "Error=");
    assert_eq!(
        &v[..],
        &b"\"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access\" AuthResultFromPopImapEnd=0 Proxy=X.PROD.OUTLOOK.COM:1993:SSL MailboxBE=X.PROD.OUTLOOK.COM Service=Imap4"[..]
    );
    // what it emits parses back to the same value (the emitter writes the
    // one SP the grammar puts after the name)
    let mut out = Vec::new();
    crate::imap::emit_response(&Response::Status(s.clone()), &mut out, &Default::default())
        .unwrap();
    assert_eq!(lenient(&out).unwrap(), Response::Status(s));
    // a known name with arguments that are not its own
    let Response::Status(s) = lenient(b"* OK [UIDNEXT soon] x\r\n").unwrap() else {
        panic!()
    };
    assert!(
        matches!(&s.code, Some(Code::Other { name, value: Some(v) }) if name.as_str() == "UIDNEXT" && &v[..] == b"soon")
    );
    assert!(strict(b"* OK [UIDNEXT soon] x\r\n").is_err());
    // still needs an atom, a `]` on the line, and no NUL
    for bad in [
        &b"* OK [\"x\"] y\r\n"[..],
        b"* OK [Error=\"x\" y\r\n",
        b"* OK [Error=\"x\0\"] y\r\n",
    ] {
        assert!(lenient(bad).is_err(), "{bad:?}");
    }
}

/// `Quirks::lone_backslash_attribute` (home.pl, issue 15): RFC 9051 §9
/// `flag-extension = "\" atom` needs an atom after the backslash.
#[test]
fn lone_backslash_attribute_quirk() {
    let line: &[u8] = b"* LIST (\\HasNoChildren \\) \"/\" \"Argos\"\r\n";
    assert!(strict(line).is_err());
    let Response::Data(Data::List(m)) = lenient(line).unwrap() else {
        panic!()
    };
    let attrs: Vec<_> = m.attributes.iter().collect();
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0].as_str(), "\\HasNoChildren");
    assert_eq!(attrs[1].as_str(), "\\");
    assert_eq!(m.mailbox.as_bytes(), b"Argos");
    // alone and first, too
    let Response::Data(Data::List(m)) = lenient(b"* LIST (\\ \\Marked) \"/\" x\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(m.attributes.len(), 2);
    let Response::Data(Data::List(m)) = lenient(b"* LIST (\\) \"/\" x\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(m.attributes.iter().next().unwrap().as_str(), "\\");
}

/// RFC 8474 §7 `status-att-value =/ "MAILBOXID" SP "(" objectid ")"`: a
/// MAILBOXID item among the others no longer turns the whole STATUS raw
/// (issue 15, defect 9); nor in LIST-STATUS's STATUS responses (RFC 5819).
#[test]
fn status_with_mailboxid() {
    for line in [
        &b"* STATUS INBOX (MESSAGES 1 MAILBOXID (F2212ea87))\r\n"[..],
        b"* STATUS INBOX (MAILBOXID (F2212ea87) MESSAGES 1)\r\n",
    ] {
        for r in [strict(line).unwrap(), lenient(line).unwrap()] {
            let Response::Data(Data::Status { mailbox, items }) = r else {
                panic!("{line:?}")
            };
            assert_eq!(mailbox.as_bytes(), b"INBOX");
            let items = items.to_vec();
            assert_eq!(items.len(), 2);
            assert!(items.contains(&StatusItem::Messages(1)));
            assert!(items.contains(&StatusItem::MailboxId(IString::from("F2212ea87"))));
        }
    }
    // objectid = 1*255(ALPHA / DIGIT / "_" / "-")
    for bad in [
        &b"* STATUS INBOX (MAILBOXID ())\r\n"[..],
        b"* STATUS INBOX (MAILBOXID (a.b))\r\n",
        b"* STATUS INBOX (MAILBOXID F1)\r\n",
    ] {
        assert!(strict(bad).is_err(), "{bad:?}");
    }
}

/// RFC 8474 §7 `resp-text-code =/ "MAILBOXID" SP "(" objectid ")"` on CREATE.
#[test]
fn mailboxid_response_code() {
    let Response::Status(s) = strict(b"3 OK [MAILBOXID (F2212ea87)] Completed\r\n").unwrap() else {
        panic!()
    };
    assert_eq!(s.code, Some(Code::MailboxId(IString::from("F2212ea87"))));
    assert_eq!(s.text.as_bytes(), b"Completed");
}

/// RFC 7377 `search-correlator = SP "(" "TAG" SP tag-string [SP "MAILBOX"
/// SP astring SP "UIDVALIDITY" SP nz-number] ")"`: the mailbox and its
/// UIDVALIDITY are kept, not dropped (issue 15, defect 9).
#[test]
fn esearch_correlator_with_mailbox() {
    let line: &[u8] = b"* ESEARCH (TAG \"A1\" MAILBOX \"a\" UIDVALIDITY 1) UID ALL 1:3\r\n";
    for r in [strict(line).unwrap(), lenient(line).unwrap()] {
        let Response::Data(Data::ESearch(e)) = r else {
            panic!()
        };
        assert_eq!(e.tag.as_ref().unwrap().as_bytes(), b"A1");
        let m = e.mailbox.as_ref().unwrap();
        assert_eq!(m.mailbox.as_bytes(), b"a");
        assert_eq!(m.uid_validity, 1);
        assert!(e.uid);
        assert_eq!(e.data.len(), 1);
    }
    let Response::Data(Data::ESearch(e)) = strict(b"* ESEARCH (TAG \"A2\") COUNT 4\r\n").unwrap()
    else {
        panic!()
    };
    assert_eq!(e.mailbox, None);
    // MAILBOX without UIDVALIDITY, UIDVALIDITY 0: not the grammar
    for bad in [
        &b"* ESEARCH (TAG \"A1\" MAILBOX \"a\") COUNT 1\r\n"[..],
        b"* ESEARCH (TAG \"A1\" MAILBOX \"a\" UIDVALIDITY 0) COUNT 1\r\n",
    ] {
        assert!(strict(bad).is_err(), "{bad:?}");
    }
}
