//! IMAP emit -> parse round trip for values built from arbitrary data:
//! strings of any bytes in every string position, flags, mailbox names,
//! search keys and FETCH responses with envelopes, object ids (RFC 8474)
//! and previews (RFC 8970).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mailwire::imap::{
    Address, AddressList, Atom, Command, CommandBody, Data, EmitOptions, Envelope, FetchItem, IString,
    List, Mailbox, ParseOptions, Response, SearchKey, Tag, emit_command, emit_response,
    parse_command, parse_response, SelectParam, SequenceSet,
};
use mailwire::Secret;

#[derive(Arbitrary, Debug)]
struct Input {
    user: Vec<u8>,
    pass: Vec<u8>,
    mailbox: String,
    subject: Option<Vec<u8>>,
    names: Vec<(Option<Vec<u8>>, Vec<u8>)>,
    text: Vec<u8>,
    utf8: bool,
    /// A PARTIAL window (RFC 9394): low, high, counted from the end.
    page: (u32, u32, bool),
}

fuzz_target!(|i: Input| {
    let opts = EmitOptions::default();
    let cmds = [
        CommandBody::Login { username: IString::from(&i.user[..]), password: Secret::new(&i.pass[..]) },
        CommandBody::Select { mailbox: Mailbox::from_utf8(&i.mailbox), params: List::empty() },
        // arbitrary bytes as an extension parameter value: refused or read back the same
        CommandBody::Examine {
            mailbox: Mailbox::Inbox,
            params: List::from_items(vec![SelectParam::Other {
                name: Atom::new("X-R").unwrap(),
                value: Some(i.text[..].into()),
            }]),
        },
        CommandBody::Search {
            uid: true,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![SearchKey::Subject(IString::from(&i.text[..]))]),
        },
    ];
    for body in cmds {
        let c = Command { tag: Tag::new("a1").unwrap(), body };
        let mut out = Vec::new();
        if emit_command(&c, &mut out, &opts).is_ok() {
            let again = parse_command(&out, &ParseOptions::STRICT).expect("emitted command parses");
            assert_eq!(again.into_owned(), c.into_owned());
        } else {
            assert!(out.is_empty());
        }
    }
    let addrs: Vec<Address<'_>> = i
        .names
        .iter()
        .map(|(n, m)| Address {
            name: n.as_deref().map(IString::from),
            adl: None,
            mailbox: Some(IString::from(&m[..])),
            host: Some(IString::from("example.com")),
        })
        .collect();
    let env = Envelope {
        subject: i.subject.as_deref().map(IString::from),
        from: AddressList::new(addrs),
        ..Default::default()
    };
    let r = Response::Data(Data::Fetch { seq: 1, items: List::from_items(vec![FetchItem::Uid(7), FetchItem::Envelope(env)]) });
    let mut out = Vec::new();
    let eo = EmitOptions::new().with_utf8(i.utf8);
    if emit_response(&r, &mut out, &eo).is_ok() {
        let again = parse_response(&out, &ParseOptions::STRICT).expect("emitted response parses");
        assert_eq!(again.into_owned(), r.into_owned());
    }
    ext(&i);
    partial(&i);
});

/// PARTIAL (RFC 9394): the FETCH modifier, the SEARCH return option (also
/// with an arbitrary atom as its range) and the ESEARCH data, any numbers.
fn partial(i: &Input) {
    use mailwire::imap::{ESearch, FetchAttributes, PartialRange, SearchReturnData, SequenceSet};
    let page = PartialRange { low: i.page.0, high: i.page.1, from_end: i.page.2 };
    let range_atom = page.to_atom().unwrap_or_else(|| Atom::new("X").unwrap());
    let mut opts = vec![Atom::new("PARTIAL").unwrap(), range_atom];
    if let Some(a) = Atom::new(i.mailbox.as_str()) {
        // any atom after it: ALL, a second PARTIAL, a range, a name
        opts.push(a);
    }
    let cmds = [
        CommandBody::Fetch {
            uid: i.utf8,
            set: SequenceSet::new("1:*").unwrap(),
            attributes: FetchAttributes::Fast,
            changed_since: (!i.pass.is_empty()).then_some(i.pass.len() as u64),
            vanished: false,
            partial: Some(page),
        },
        CommandBody::Search {
            uid: true,
            return_options: Some(List::from_items(opts)),
            charset: None,
            criteria: List::from_items(vec![SearchKey::All]),
        },
    ];
    for body in cmds {
        let c = Command { tag: Tag::new("a1").unwrap(), body };
        let mut out = Vec::new();
        if emit_command(&c, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_command(&out, &ParseOptions::STRICT).expect("emitted command parses");
            assert_eq!(again.body.partial(), Some(page));
            assert_eq!(again.into_owned(), c.into_owned());
        } else {
            assert!(out.is_empty());
        }
    }
    let results = SequenceSet::new(String::from_utf8_lossy(&i.text).into_owned());
    let r = Response::Data(Data::ESearch(ESearch {
        tag: Some(IString::from(&i.user[..])),
        mailbox: None,
        uid: i.utf8,
        data: List::from_items(vec![SearchReturnData::Partial { range: page, results }]),
    }));
    let mut out = Vec::new();
    if emit_response(&r, &mut out, &EmitOptions::default()).is_ok() {
        let again = parse_response(&out, &ParseOptions::STRICT).expect("emitted response parses");
        assert_eq!(again.into_owned(), r.into_owned());
    } else {
        assert!(out.is_empty());
    }
}

/// ACL, CATENATE, NOTIFY, URLAUTH and REPLACE values built from the same data.
fn ext(i: &Input) {
    use mailwire::imap::{
        AppendItem, CatenatePart, EventGroup, MailboxFilter, ModRights, Notify, NotifyEvent,
        Rights, RightsMode,
    };
    let rights: String = i.mailbox.chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit()).collect();
    let rights = Rights::new(rights).expect("filtered");
    let mb = Mailbox::from_utf8(&i.mailbox);
    let cmds = [
        CommandBody::SetAcl {
            mailbox: mb.clone(),
            identifier: IString::from(&i.user[..]),
            rights: ModRights { mode: if i.utf8 { RightsMode::Add } else { RightsMode::Remove }, rights: rights.clone() },
        },
        CommandBody::AppendCatenate {
            mailbox: mb.clone(),
            messages: List::from_items(vec![AppendItem::Catenate {
                flags: None,
                date: None,
                parts: List::from_items(vec![
                    CatenatePart::Text(i.text[..].into()),
                    CatenatePart::Url(IString::from(&i.pass[..])),
                ]),
            }]),
        },
        CommandBody::Notify(Notify::Set {
            status: i.utf8,
            groups: List::from_items(vec![EventGroup {
                filter: MailboxFilter::Mailboxes(List::from_items(vec![mb.clone(), Mailbox::Inbox])),
                events: Some(List::from_items(vec![NotifyEvent::MessageNew(None), NotifyEvent::FlagChange])),
            }]),
        }),
        CommandBody::UrlFetch(List::from_items(vec![IString::from(&i.user[..]), IString::from(&i.pass[..])])),
        // RFC 5267 CANCELUPDATE (quoted tags only) and RFC 7377 ESEARCH
        CommandBody::CancelUpdate(List::from_items(vec![IString::from(&i.user[..]), IString::from(&i.pass[..])])),
        CommandBody::ESearch {
            source: Some(List::from_items(vec![
                MailboxFilter::SubtreeOne(List::from_items(vec![mb.clone()])),
                MailboxFilter::Personal,
            ])),
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![SearchKey::Subject(IString::from(&i.text[..]))]),
        },
        // RFC 8508 REPLACE / UID REPLACE: a literal message, and a CATENATE one
        CommandBody::Replace {
            uid: i.utf8,
            id: if i.text.is_empty() {
                mailwire::imap::SeqNum::Asterisk
            } else {
                mailwire::imap::SeqNum::Value(i.user.len() as u32)
            },
            mailbox: mb.clone(),
            message: AppendItem::Message(mailwire::imap::AppendMessage {
                flags: None,
                date: None,
                data: i.text[..].into(),
                binary: i.utf8,
            }),
        },
        CommandBody::Replace {
            uid: !i.utf8,
            id: mailwire::imap::SeqNum::Value(i.pass.len() as u32),
            mailbox: mb.clone(),
            message: AppendItem::Catenate {
                flags: None,
                date: None,
                parts: List::from_items(vec![
                    CatenatePart::Url(IString::from(&i.user[..])),
                    CatenatePart::Text(i.pass[..].into()),
                ]),
            },
        },
        // RFC 8474 search keys (nested) and RFC 8970 PREVIEW (LAZY)
        CommandBody::Search {
            uid: i.utf8,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![
                SearchKey::EmailId(IString::from(&i.user[..])),
                SearchKey::Not(mailwire::imap::Lazy::new(SearchKey::ThreadId(IString::from(&i.pass[..])))),
            ]),
        },
        // RFC 9738 UIDAFTER/UIDBEFORE (0 is refused when emitted)
        CommandBody::Search {
            uid: true,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![
                SearchKey::UidAfter(i.pass.len() as u32),
                SearchKey::Or(
                    mailwire::imap::Lazy::new(SearchKey::UidBefore(i.text.len() as u32)),
                    mailwire::imap::Lazy::new(SearchKey::All),
                ),
            ]),
        },
        CommandBody::Fetch {
            uid: true,
            set: mailwire::imap::SequenceSet::new("1:*").unwrap(),
            attributes: mailwire::imap::FetchAttributes::List(List::from_items(vec![
                mailwire::imap::FetchAttribute::EmailId,
                mailwire::imap::FetchAttribute::ThreadId,
                mailwire::imap::FetchAttribute::Preview { lazy: i.utf8 },
            ])),
            changed_since: None,
            vanished: false,
            partial: None,
        },
    ];
    for body in cmds {
        let c = Command { tag: Tag::new("a1").unwrap(), body };
        let mut out = Vec::new();
        if emit_command(&c, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_command(&out, &ParseOptions::STRICT).expect("emitted command parses");
            assert_eq!(again.into_owned(), c.into_owned());
        } else {
            assert!(out.is_empty());
        }
    }
    let rs = [
        Data::Acl { mailbox: mb.clone(), entries: List::from_items(vec![(IString::from(&i.user[..]), rights.clone())]) },
        Data::ListRights { mailbox: mb.clone(), identifier: IString::from(&i.pass[..]), required: rights.clone(), optional: List::from_items(vec![rights]) },
        Data::UrlFetch(List::from_items(vec![(IString::from(&i.user[..]), Some(IString::from(&i.text[..])))])),
        Data::UidFetch { uid: i.user.len() as u32, items: List::from_items(vec![FetchItem::Uid(7)]) },
        // RFC 8474 EMAILID/THREADID and RFC 8970 PREVIEW
        Data::Fetch {
            seq: 1,
            items: List::from_items(vec![
                FetchItem::EmailId(IString::from(&i.user[..])),
                FetchItem::ThreadId(i.utf8.then(|| IString::from(&i.pass[..]))),
            ]),
        },
        Data::Fetch {
            seq: 2,
            items: List::from_items(vec![FetchItem::Preview((!i.utf8).then(|| IString::from(&i.text[..])))]),
        },
        Data::Status {
            mailbox: mb.clone(),
            items: List::from_items(vec![mailwire::imap::StatusItem::MailboxId(IString::from(&i.pass[..]))]),
        },
    ];
    // VANISHED (RFC 7162, the expunge report of UIDONLY, RFC 9586): a set
    // from the input, which the emitter refuses when it has "*" or "$"
    // (known-uids) and the parser then never sees
    let mut rs = rs.to_vec();
    if let Some(uids) = core::str::from_utf8(&i.text).ok().and_then(|t| SequenceSet::new(t.to_owned())) {
        rs.push(Data::Vanished { earlier: i.utf8, uids });
    }
    // response codes of RFC 9585, RFC 9738 and RFC 9586
    for code in [
        mailwire::imap::Code::InProgress(Some(mailwire::imap::Progress {
            tag: Some(IString::from(&i.user[..])),
            state: i.utf8.then_some(i.pass.len() as u32),
            goal: Some(i.text.len() as u32),
        })),
        mailwire::imap::Code::MessageLimit(i.pass.len() as u32),
        mailwire::imap::Code::UidRequired,
        // RFC 8474 MAILBOXID: arbitrary bytes are an objectid or refused
        mailwire::imap::Code::MailboxId(IString::from(&i.user[..])),
    ] {
        let r = Response::Status(mailwire::imap::StatusResponse {
            tag: None,
            kind: mailwire::imap::StatusKind::Ok,
            code: Some(code),
            text: "x".into(),
        });
        let mut out = Vec::new();
        if emit_response(&r, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_response(&out, &ParseOptions::STRICT).expect("emitted response parses");
            assert_eq!(again.into_owned(), r.into_owned());
        } else {
            assert!(out.is_empty());
        }
    }
    for d in rs {
        let r = Response::Data(d);
        let mut out = Vec::new();
        if emit_response(&r, &mut out, &EmitOptions::default()).is_ok() {
            let again = parse_response(&out, &ParseOptions::STRICT).expect("emitted response parses");
            assert_eq!(again.into_owned(), r.into_owned());
        } else {
            assert!(out.is_empty());
        }
    }
}
