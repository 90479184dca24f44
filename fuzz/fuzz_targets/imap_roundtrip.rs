//! IMAP emit -> parse round trip for values built from arbitrary data:
//! strings of any bytes in every string position, flags, mailbox names,
//! search keys and FETCH responses with envelopes.
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
});

/// ACL, CATENATE, NOTIFY and URLAUTH values built from the same data.
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
