//! ACL, CATENATE, NOTIFY and URLAUTH through the machines: an `imap::Client`
//! sends the commands, an `imap::Server` hands them to the application as
//! typed commands, the application answers with the typed responses, and the
//! client reads them back as typed events; in memory, whole and byte by byte.

use mailwire::Error;
use mailwire::imap::{
    AppendItem, Atom, CatenatePart, Client, ClientConfig, ClientEvent, Code, CommandBody,
    CommandKind, Data, EventGroup, IString, IntoOwned, List, LiteralSupport, Mailbox,
    MailboxFilter, ModRights, Notify, NotifyEvent, Rights, RightsMode, Server, ServerConfig,
    ServerEvent, StatusKind,
};

fn server(caps: &[&str]) -> Server {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    // synchronizing literals only (IMAP4rev2 would imply LITERAL-): the
    // client must wait for each `+`
    config.literals = LiteralSupport::SyncOnly;
    config.imap4rev2 = false;
    config.capabilities = caps.iter().map(|c| c.to_string()).collect();
    Server::new(config)
}

/// What the application behind the server saw, owned.
#[derive(Debug, Default)]
struct App {
    commands: Vec<CommandBody<'static>>,
    literals: Vec<(String, u64)>,
}

/// The application: accepts every literal, answers GETACL with an ACL,
/// MYRIGHTS with MYRIGHTS, URLFETCH with a literal, APPEND CATENATE with
/// `NO [BADURL ...]` for a URL part and OK otherwise.
fn serve(server: &mut Server, app: &mut App) {
    while let Some(event) = server.poll_event().unwrap() {
        match event {
            ServerEvent::Login { tag, .. } => {
                let tag = tag.as_str().to_owned();
                server.complete(&tag, StatusKind::Ok, None, "hi").unwrap();
            }
            ServerEvent::LiteralRequested { size, command, .. } => {
                app.literals.push((command.into_owned(), size));
                server.accept_literal().unwrap();
            }
            ServerEvent::Command(cmd) => {
                let tag = cmd.tag.as_str().to_owned();
                let body = cmd.body.into_owned();
                match &body {
                    CommandBody::GetAcl(mailbox) => {
                        let acl = Data::Acl {
                            mailbox: mailbox.clone(),
                            entries: List::from_items(vec![
                                (IString::from("Fred"), Rights::new("rwipslxetad").unwrap()),
                                (IString::from("Chris"), Rights::new("lrswi").unwrap()),
                            ]),
                        };
                        server.send_untagged_data(&acl).unwrap();
                        server
                            .complete(&tag, StatusKind::Ok, None, "Getacl complete")
                            .unwrap();
                    }
                    CommandBody::MyRights(mailbox) => {
                        let d = Data::MyRights {
                            mailbox: mailbox.clone(),
                            rights: Rights::new("lr").unwrap(),
                        };
                        server.send_untagged_data(&d).unwrap();
                        server.complete(&tag, StatusKind::Ok, None, "ok").unwrap();
                    }
                    CommandBody::UrlFetch(urls) => {
                        let d = Data::UrlFetch(List::from_items(
                            urls.iter()
                                .map(|u| (u, Some(IString::from("line one\r\nline two"))))
                                .collect(),
                        ));
                        server.send_untagged_data(&d).unwrap();
                        server.complete(&tag, StatusKind::Ok, None, "ok").unwrap();
                    }
                    CommandBody::AppendCatenate { messages, .. } => {
                        let bad = messages.iter().find_map(|m| match m {
                            AppendItem::Catenate { parts, .. } => {
                                parts.iter().find_map(|p| match p {
                                    CatenatePart::Url(u) => Some(u),
                                    _ => None,
                                })
                            }
                            _ => None,
                        });
                        match bad {
                            Some(u) => server
                                .complete(&tag, StatusKind::No, Some(Code::BadUrl(u)), "no URLs")
                                .unwrap(),
                            None => server.complete(&tag, StatusKind::Ok, None, "ok").unwrap(),
                        }
                    }
                    _ => server.complete(&tag, StatusKind::Ok, None, "ok").unwrap(),
                }
                app.commands.push(body);
            }
            other => panic!("unexpected server event {other:?}"),
        }
    }
}

/// What the client saw, owned.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    data: Vec<Data<'static>>,
    completed: Vec<(CommandKind, StatusKind, Option<Code<'static>>)>,
}

fn client_events(client: &mut Client, seen: &mut Seen) {
    while let Some(event) = client.poll_event().unwrap() {
        match event {
            ClientEvent::Greeting(_) => {}
            ClientEvent::Data { data, .. } => seen.data.push(data.into_owned()),
            ClientEvent::Completed {
                command,
                status,
                code,
                ..
            } => seen.completed.push((command, status, code.into_owned())),
            other => panic!("unexpected client event {other:?}"),
        }
    }
}

/// Runs both machines until nothing moves; bytes travel in pieces of `piece`.
fn pump(client: &mut Client, server: &mut Server, app: &mut App, seen: &mut Seen, piece: usize) {
    for _ in 0..50 {
        let mut moved = false;
        while let Some(bytes) = client.poll_transmit() {
            moved = true;
            for p in bytes.chunks(piece) {
                server.handle_input(p);
                serve(server, app);
            }
        }
        serve(server, app);
        while let Some(bytes) = server.poll_transmit() {
            moved = true;
            for p in bytes.chunks(piece) {
                client.handle_input(p);
                client_events(client, seen);
            }
        }
        client_events(client, seen);
        if !moved {
            return;
        }
    }
}

fn logged_in(caps: &[&str], piece: usize) -> (Client, Server, App, Seen) {
    logged_in_with(caps, piece, ClientConfig::default())
}

fn logged_in_with(
    caps: &[&str],
    piece: usize,
    config: ClientConfig,
) -> (Client, Server, App, Seen) {
    let mut server = server(caps);
    let mut client = Client::new(config);
    let (mut app, mut seen) = (App::default(), Seen::default());
    client.login("alice", "secret").unwrap();
    pump(&mut client, &mut server, &mut app, &mut seen, piece);
    assert!(matches!(
        seen.completed[..],
        [(CommandKind::Login, StatusKind::Ok, _)]
    ));
    seen.completed.clear();
    (client, server, app, seen)
}

fn getacl_conversation(piece: usize) -> (App, Seen) {
    let (mut client, mut server, mut app, mut seen) = logged_in(&["ACL"], piece);
    client
        .send(CommandBody::GetAcl(Mailbox::from_utf8("INBOX/Drafts")))
        .unwrap();
    client.send(CommandBody::MyRights(Mailbox::Inbox)).unwrap();
    client
        .send(CommandBody::SetAcl {
            mailbox: Mailbox::Inbox,
            identifier: IString::from("Chris"),
            rights: ModRights {
                mode: RightsMode::Add,
                rights: Rights::new("cda").unwrap(),
            },
        })
        .unwrap();
    pump(&mut client, &mut server, &mut app, &mut seen, piece);
    (app, seen)
}

#[test]
fn getacl_from_client_to_server_and_back() {
    let (app, seen) = getacl_conversation(usize::MAX);
    assert_eq!(
        app.commands[0],
        CommandBody::GetAcl(Mailbox::from_utf8("INBOX/Drafts").into_owned())
    );
    assert!(matches!(
        &app.commands[2],
        CommandBody::SetAcl { rights: ModRights { mode: RightsMode::Add, rights }, .. } if rights.as_str() == "cda"
    ));
    let Data::Acl { mailbox, entries } = &seen.data[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(mailbox.as_bytes(), b"INBOX/Drafts");
    let entries = entries.to_vec();
    assert_eq!(entries[0].0.as_bytes(), b"Fred");
    assert!(entries[0].1.contains('a') && entries[1].1.as_str() == "lrswi");
    assert_eq!(
        seen.data[1],
        Data::MyRights {
            mailbox: Mailbox::Inbox,
            rights: Rights::new("lr").unwrap()
        }
    );
    assert_eq!(
        seen.completed,
        [
            (CommandKind::GetAcl, StatusKind::Ok, None),
            (CommandKind::MyRights, StatusKind::Ok, None),
            (CommandKind::SetAcl, StatusKind::Ok, None),
        ]
    );
}

#[test]
fn byte_by_byte_changes_nothing() {
    let (app, seen) = getacl_conversation(usize::MAX);
    for piece in [1, 3, 17] {
        let (app2, seen2) = getacl_conversation(piece);
        assert_eq!(app2.commands, app.commands, "piece {piece}");
        assert_eq!(seen2, seen, "piece {piece}");
    }
}

#[test]
fn extension_commands_need_their_capability() {
    let (mut client, _server, _app, _seen) = logged_in(&[], usize::MAX);
    for body in [
        CommandBody::GetAcl(Mailbox::Inbox),
        CommandBody::MyRights(Mailbox::Inbox),
        CommandBody::Notify(Notify::None),
        CommandBody::UrlFetch(List::from_items(vec![IString::from("imap://x")])),
        CommandBody::ResetKey {
            mailbox: None,
            mechanisms: List::empty(),
        },
        CommandBody::AppendCatenate {
            mailbox: Mailbox::Inbox,
            messages: List::from_items(vec![AppendItem::Catenate {
                flags: None,
                date: None,
                parts: List::from_items(vec![CatenatePart::Url(IString::from("/INBOX;UID=1"))]),
            }]),
        },
    ] {
        assert!(
            matches!(client.send(body.clone()), Err(Error::Misuse(_))),
            "{body:?}"
        );
        // and nothing reached the wire
        assert!(client.poll_transmit().is_none());
        client.send_unadvertised(body).unwrap();
        while client.poll_transmit().is_some() {}
    }
    // trust_unadvertised: sent without the capability, answered by the server
    let mut config = ClientConfig::default();
    config.trust_unadvertised = true;
    let (mut client, mut server, mut app, mut seen) = logged_in_with(&[], usize::MAX, config);
    client.send(CommandBody::GetAcl(Mailbox::Inbox)).unwrap();
    pump(&mut client, &mut server, &mut app, &mut seen, usize::MAX);
    assert!(matches!(seen.data[..], [Data::Acl { .. }]));
    assert_eq!(
        seen.completed,
        [(CommandKind::GetAcl, StatusKind::Ok, None)]
    );
}

fn catenate_conversation(piece: usize) -> (App, Seen) {
    let (mut client, mut server, mut app, mut seen) =
        logged_in(&["CATENATE", "NOTIFY", "URLAUTH"], piece);
    let text = |s: &'static [u8]| CatenatePart::Text(s.into());
    client
        .send(CommandBody::AppendCatenate {
            mailbox: Mailbox::from_utf8("Drafts"),
            messages: List::from_items(vec![AppendItem::Catenate {
                flags: None,
                date: None,
                parts: List::from_items(vec![text(b"Subject: one\r\n\r\n"), text(b"body\r\n")]),
            }]),
        })
        .unwrap();
    client
        .send(CommandBody::AppendCatenate {
            mailbox: Mailbox::from_utf8("Drafts"),
            messages: List::from_items(vec![AppendItem::Catenate {
                flags: None,
                date: None,
                parts: List::from_items(vec![
                    text(b"Subject: two\r\n\r\n"),
                    CatenatePart::Url(IString::from("/INBOX;UIDVALIDITY=1/;UID=20")),
                ]),
            }]),
        })
        .unwrap();
    client
        .send(CommandBody::Notify(Notify::Set {
            status: true,
            groups: List::from_items(vec![EventGroup {
                filter: MailboxFilter::Selected,
                events: Some(List::from_items(vec![
                    NotifyEvent::MessageNew(None),
                    NotifyEvent::MessageExpunge,
                ])),
            }]),
        }))
        .unwrap();
    client
        .send(CommandBody::UrlFetch(List::from_items(vec![
            IString::from(
                "imap://joe@example.com/INBOX/;uid=20;urlauth=anonymous:internal:91354a47",
            ),
        ])))
        .unwrap();
    client
        .send(CommandBody::GenUrlAuth(List::from_items(vec![(
            IString::from("imap://joe@example.com/INBOX/;uid=20;urlauth=anonymous"),
            Atom::new("INTERNAL").unwrap(),
        )])))
        .unwrap();
    pump(&mut client, &mut server, &mut app, &mut seen, piece);
    (app, seen)
}

#[test]
fn catenate_notify_urlauth_through_the_machines() {
    let (app, seen) = catenate_conversation(usize::MAX);
    // the TEXT parts are command literals: each was offered to the application
    assert_eq!(
        app.literals,
        [
            ("APPEND".to_string(), 16),
            ("APPEND".to_string(), 6),
            ("APPEND".to_string(), 16)
        ]
    );
    let CommandBody::AppendCatenate { mailbox, messages } = &app.commands[0] else {
        panic!("{app:?}")
    };
    assert_eq!(mailbox.as_bytes(), b"Drafts");
    let AppendItem::Catenate { parts, .. } = &messages.to_vec()[0] else {
        panic!()
    };
    let joined: Vec<u8> = parts
        .iter()
        .flat_map(|p| match p {
            CatenatePart::Text(t) => t.into_owned(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(joined, b"Subject: one\r\n\r\nbody\r\n");
    assert!(matches!(
        app.commands[2],
        CommandBody::Notify(Notify::Set { status: true, .. })
    ));
    assert!(matches!(app.commands[3], CommandBody::UrlFetch(_)));
    assert!(matches!(app.commands[4], CommandBody::GenUrlAuth(_)));

    let Data::UrlFetch(l) = &seen.data[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(
        l.to_vec()[0].1.as_ref().unwrap().as_bytes(),
        b"line one\r\nline two"
    );
    assert_eq!(
        seen.completed,
        [
            (CommandKind::Append, StatusKind::Ok, None),
            (
                CommandKind::Append,
                StatusKind::No,
                Some(Code::BadUrl(IString::from("/INBOX;UIDVALIDITY=1/;UID=20")))
            ),
            (CommandKind::Notify, StatusKind::Ok, None),
            (CommandKind::UrlFetch, StatusKind::Ok, None),
            (CommandKind::GenUrlAuth, StatusKind::Ok, None),
        ]
    );
    for piece in [1, 5] {
        let (app2, seen2) = catenate_conversation(piece);
        assert_eq!(app2.commands, app.commands, "piece {piece}");
        assert_eq!(seen2, seen, "piece {piece}");
    }
}

/// Raw lines into a server (as a client that does not check anything would
/// send them); returns the server's output and the application's view.
fn raw_session(lines: &[&[u8]]) -> (String, App) {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    config.capabilities = vec!["CATENATE".to_string()];
    config.literals = LiteralSupport::Plus;
    let mut server = Server::new(config);
    let mut app = App::default();
    let mut out = Vec::new();
    for l in lines {
        server.handle_input(l);
        loop {
            match server.poll_event().unwrap() {
                Some(ServerEvent::AppendStart { .. }) => {
                    app.literals.push(("stream".into(), 0));
                    server.accept_literal().unwrap();
                }
                Some(ServerEvent::AppendChunk(_)) => {}
                Some(ServerEvent::AppendEnd { .. }) | Some(ServerEvent::AppendAborted) => {
                    app.literals.push(("end".into(), 0));
                }
                Some(ServerEvent::Login { tag, .. }) => {
                    let tag = tag.as_str().to_owned();
                    server.complete(&tag, StatusKind::Ok, None, "hi").unwrap();
                }
                Some(ServerEvent::Command(cmd)) => {
                    let tag = cmd.tag.as_str().to_owned();
                    app.commands.push(cmd.body.into_owned());
                    server.complete(&tag, StatusKind::Ok, None, "ok").unwrap();
                }
                Some(ServerEvent::LiteralRequested { .. }) => server.accept_literal().unwrap(),
                Some(other) => panic!("{other:?}"),
                None => break,
            }
        }
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), app)
}

#[test]
fn server_reads_catenate_appends_whole() {
    // CATENATE first, then a literal message: read whole, one typed command
    let (out, app) = raw_session(&[
        b"a1 LOGIN alice secret\r\n",
        b"a2 APPEND Drafts CATENATE (TEXT {3+}\r\nabc URL /INBOX;UID=1) {2+}\r\nhi\r\n",
        b"a3 NOOP\r\n",
    ]);
    assert!(out.contains("a2 OK ok\r\na3 OK ok\r\n"), "{out}");
    let CommandBody::AppendCatenate { messages, .. } = &app.commands[0] else {
        panic!("{app:?}")
    };
    assert_eq!(messages.len(), 2);
    assert!(app.literals.is_empty(), "nothing streamed: {app:?}");

    // not authenticated: refused before any literal is taken
    let (out, app) = raw_session(&[b"a1 APPEND Drafts CATENATE (TEXT {3}\r\n", b"a2 NOOP\r\n"]);
    assert!(out.contains("a1 BAD [CLIENTBUG]"), "{out}");
    assert!(out.contains("a2 OK"), "{out}");
    assert!(app.commands.iter().all(|c| matches!(c, CommandBody::Noop)));

    // a streamed literal message followed by a CATENATE one: the streamed
    // path cannot take a CATENATE list; the command is refused with BAD and
    // the session goes on
    let (out, app) = raw_session(&[
        b"a1 LOGIN alice secret\r\n",
        b"a2 APPEND Drafts {2+}\r\nhi CATENATE (URL /INBOX;UID=1)\r\n",
        b"a3 NOOP\r\n",
    ]);
    assert!(out.contains("a2 BAD"), "{out}");
    assert!(out.ends_with("a3 OK ok\r\n"), "{out}");
    assert_eq!(app.literals.first().map(|l| l.0.as_str()), Some("stream"));
}
