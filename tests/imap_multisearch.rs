//! MULTISEARCH (RFC 7377) on the codec and both machines, checked against
//! the RFC's grammar (§2, §5) and its example (§2.1), with the peer's side
//! written by hand:
//!
//! ```text
//! command-auth        =/ esearch
//! command-select      =/ esearch
//! esearch             = "ESEARCH" [SP esearch-source-opts]
//!                       [SP search-return-opts] SP search-program
//! esearch-source-opts = "IN" SP "(" source-mbox ")"
//! source-mbox         = filter-mailboxes *(SP filter-mailboxes)
//! filter-mailboxes-other =/ ("subtree-one" SP one-or-more-mailbox)
//! search-correlator   = SP "(" "TAG" SP tag-string [SP "MAILBOX" SP astring
//!                       SP "UIDVALIDITY" SP nz-number] ")"
//! ```
//! (`filter-mailboxes`, `one-or-more-mailbox`: RFC 5465 §8.)

mod common;

use common::imap::{client_events, server_output};
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::ext::notify::MailboxFilter;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, CommandBody, Data, ESearch, ESearchMailbox, EmitOptions,
    IString, List, Mailbox, ParseOptions, Response, SearchReturnData, Server, ServerConfig,
    ServerEvent, StatusKind, emit_command, emit_response, parse_command, parse_response,
};

fn round_trip(line: &[u8]) -> CommandBody<'static> {
    let cmd = parse_command(line, &ParseOptions::STRICT).unwrap();
    let mut out = Vec::new();
    emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
    let again = parse_command(&out, &ParseOptions::STRICT).unwrap();
    assert_eq!(again.body, cmd.body);
    mailwire::IntoOwned::into_owned(cmd.body)
}

#[test]
fn rfc_example_parses_typed() {
    // RFC 7377 §2.1:
    // C: tag1 ESEARCH IN (mailboxes "folder1" subtree-one "folder2") unseen
    let body =
        round_trip(b"tag1 ESEARCH IN (mailboxes \"folder1\" subtree-one \"folder2\") unseen\r\n");
    let CommandBody::ESearch {
        source: Some(source),
        return_options: None,
        charset: None,
        criteria,
    } = body
    else {
        panic!("{body:?}")
    };
    let source: Vec<_> = source.iter().collect();
    let [MailboxFilter::Mailboxes(a), MailboxFilter::SubtreeOne(b)] = source.as_slice() else {
        panic!("{source:?}")
    };
    assert_eq!(a.iter().next().unwrap().as_bytes(), b"folder1");
    assert_eq!(b.iter().next().unwrap().as_bytes(), b"folder2");
    assert_eq!(criteria.iter().count(), 1);
}

#[test]
fn every_source_filter_and_the_options() {
    for line in [
        &b"a ESEARCH IN (SELECTED) ALL\r\n"[..],
        b"a ESEARCH IN (SELECTED-DELAYED INBOXES PERSONAL SUBSCRIBED) ALL\r\n",
        b"a ESEARCH IN (SUBTREE (A B) SUBTREE-ONE C MAILBOXES (\"x y\" INBOX)) ALL\r\n",
        b"a ESEARCH IN (PERSONAL) RETURN (MIN MAX COUNT) CHARSET UTF-8 FROM x\r\n",
        // without IN: the selected mailbox
        b"a ESEARCH RETURN () UNSEEN\r\n",
        b"a ESEARCH UNSEEN\r\n",
    ] {
        let cmd = parse_command(line, &ParseOptions::STRICT).unwrap();
        assert!(matches!(cmd.body, CommandBody::ESearch { .. }));
        let mut out = Vec::new();
        emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
        assert_eq!(out, line, "{}", String::from_utf8_lossy(&out));
    }
}

#[test]
fn malformed_esearch_is_refused() {
    for bad in [
        &b"a ESEARCH\r\n"[..],             // search-program is required
        b"a ESEARCH IN () ALL\r\n",        // source-mbox: at least one filter
        b"a ESEARCH IN (SUBTREE) ALL\r\n", // subtree needs its mailboxes
        b"a ESEARCH IN (SUBTREE-ONE) ALL\r\n",
        b"a ESEARCH IN (BOGUS) ALL\r\n",        // not a filter
        b"a ESEARCH IN (PERSONAL ALL\r\n",      // unclosed
        b"a ESEARCH IN PERSONAL ALL\r\n",       // no parenthesis
        b"a ESEARCH IN (PERSONAL)\r\n",         // no search-program
        b"a ESEARCH IN (MAILBOXES ()) ALL\r\n", // many-mailboxes is never empty
    ] {
        if let Ok(c) = parse_command(bad, &ParseOptions::STRICT) {
            panic!("{} parsed: {:?}", String::from_utf8_lossy(bad), c.body);
        }
    }
    // an empty IN list is not emitted
    let cmd = mailwire::imap::Command {
        tag: mailwire::imap::Tag::new("a").unwrap(),
        body: CommandBody::ESearch {
            source: Some(List::from_items(vec![])),
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![mailwire::imap::SearchKey::All]),
        },
    };
    assert!(emit_command(&cmd, &mut Vec::new(), &EmitOptions::default()).is_err());
}

#[test]
fn correlator_names_the_mailbox() {
    // RFC 7377 §2.1:
    // S: * ESEARCH (TAG "tag1" MAILBOX "folder1" UIDVALIDITY 1) UID ALL 4001,4003,4005,4007,4009
    let line = b"* ESEARCH (TAG \"tag1\" MAILBOX \"folder1\" UIDVALIDITY 1) UID ALL 4001,4003,4005,4007,4009\r\n";
    let r = parse_response(line, &ParseOptions::STRICT).unwrap();
    let Response::Data(Data::ESearch(e)) = &r else {
        panic!("{r:?}")
    };
    let m = e.mailbox.as_ref().unwrap();
    assert_eq!(m.mailbox.as_bytes(), b"folder1");
    assert_eq!(m.uid_validity, 1);
    assert!(e.uid);
    let mut out = Vec::new();
    emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
    // the mailbox is an astring: written as an atom when it can be
    assert_eq!(
        out,
        b"* ESEARCH (TAG \"tag1\" MAILBOX folder1 UIDVALIDITY 1) UID ALL 4001,4003,4005,4007,4009\r\n"
    );
    assert_eq!(parse_response(&out, &ParseOptions::STRICT).unwrap(), r);
    // UIDVALIDITY is nz-number; MAILBOX without UIDVALIDITY is not the grammar
    for bad in [
        &b"* ESEARCH (TAG \"t\" MAILBOX \"f\" UIDVALIDITY 0) UID ALL 1\r\n"[..],
        b"* ESEARCH (TAG \"t\" MAILBOX \"f\") UID ALL 1\r\n",
    ] {
        assert!(parse_response(bad, &ParseOptions::STRICT).is_err());
    }
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

fn authenticated(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    client_events(&mut c);
    c
}

fn esearch_cmd() -> CommandBody<'static> {
    round_trip(b"x ESEARCH IN (PERSONAL) RETURN (COUNT) UNSEEN\r\n")
}

#[test]
fn client_gates_on_multisearch_and_runs_in_authenticated_state() {
    let mut c = authenticated("ESEARCH");
    match c.send(esearch_cmd()) {
        Err(Error::Misuse(ApiMisuse::NotAdvertised { extension })) => {
            assert_eq!(extension, "MULTISEARCH")
        }
        other => panic!("{other:?}"),
    }
    // command-auth =/ esearch: no mailbox needs to be selected
    let mut c = authenticated("ESEARCH MULTISEARCH");
    let tag = c.send(esearch_cmd()).unwrap().as_str().to_owned();
    assert_eq!(
        sent(&mut c),
        format!("{tag} ESEARCH IN (PERSONAL) RETURN (COUNT) UNSEEN\r\n")
    );
    c.handle_input(
        format!(
            "* ESEARCH (TAG \"{tag}\" MAILBOX \"INBOX\" UIDVALIDITY 7) UID COUNT 2\r\n\
             * ESEARCH (TAG \"{tag}\" MAILBOX \"Sent\" UIDVALIDITY 9) UID COUNT 0\r\n\
             {tag} OK done\r\n"
        )
        .as_bytes(),
    );
    let boxes: Vec<(String, u32)> = client_events(&mut c)
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Data {
                data: Data::ESearch(e),
                ..
            } => e.mailbox.map(|m| {
                (
                    String::from_utf8(m.mailbox.as_bytes().to_vec()).unwrap(),
                    m.uid_validity,
                )
            }),
            _ => None,
        })
        .collect();
    assert_eq!(boxes, [("INBOX".into(), 7), ("Sent".into(), 9)]);
}

#[test]
fn client_refuses_before_login() {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1 MULTISEARCH] hi\r\n");
    client_events(&mut c);
    assert!(matches!(
        c.send(esearch_cmd()),
        Err(Error::Misuse(ApiMisuse::WrongState))
    ));
}

// ---------------------------------------------------------------- server

#[test]
fn server_hands_esearch_to_the_app_in_authenticated_state() {
    let config = ServerConfig::default()
        .plaintext_requires_tls(false)
        .capabilities(vec!["ESEARCH".into(), "MULTISEARCH".into()])
        .autologout(None);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(server_output(&mut s).contains(" MULTISEARCH"));
    // before login: refused by the machine
    s.handle_input(b"b ESEARCH IN (PERSONAL) ALL\r\n");
    assert!(s.poll_event().unwrap().is_none());
    assert!(server_output(&mut s).starts_with("b BAD"));
    s.handle_input(b"c LOGIN u p\r\nd ESEARCH IN (INBOXES) RETURN (COUNT) UNSEEN\r\n");
    let mut n = 0;
    while let Some(ev) = s.poll_event().unwrap() {
        match ev.into_owned() {
            ServerEvent::Login { tag, .. } => s
                .complete(tag.as_str(), StatusKind::Ok, None, "in")
                .unwrap(),
            ServerEvent::Command(c) => {
                n += 1;
                let CommandBody::ESearch {
                    source: Some(src), ..
                } = &c.body
                else {
                    panic!("{:?}", c.body)
                };
                assert_eq!(src.iter().collect::<Vec<_>>(), [MailboxFilter::Inboxes]);
                let data = Data::ESearch(ESearch {
                    tag: Some(IString::from(c.tag.as_str())),
                    mailbox: Some(ESearchMailbox {
                        mailbox: Mailbox::Inbox,
                        uid_validity: 3,
                    }),
                    uid: true,
                    data: List::from_items(vec![SearchReturnData::Count(5)]),
                });
                s.send_untagged_data(&data).unwrap();
                s.complete(c.tag.as_str(), StatusKind::Ok, None, "done")
                    .unwrap();
            }
            _ => {}
        }
    }
    assert_eq!(n, 1);
    let o = server_output(&mut s);
    assert!(
        o.ends_with(
            "* ESEARCH (TAG \"d\" MAILBOX INBOX UIDVALIDITY 3) UID COUNT 5\r\nd OK done\r\n"
        ),
        "{o}"
    );
}
