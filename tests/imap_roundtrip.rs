//! IMAP codec property tests: for arbitrary values, `parse(emit(x)) == x`,
//! emitting never lets a value change the line structure, and modified UTF-7
//! round-trips every Unicode name.

use mailwire::imap::{
    Address, AddressList, Atom, Code, Command, CommandBody, CreateParam, Data, Date, DateTime,
    EmitOptions, EntryTypeReq, Envelope, FetchItem, Flag, GetMetadataOption, IString, IntoOwned,
    List, ListReturnOption, LiteralStyle, Mailbox, MailboxAttribute, MetadataDepth, ModSeqEntry,
    ParseOptions, QResync, Response, SearchKey, Section, SelectParam, SeqMatchData, SequenceSet,
    SortCriterion, SortKey, StatusKind, StatusResponse, StoreKind, Tag, emit_command,
    emit_response, parse_command, parse_response, response_tag, utf7,
};
use mailwire::{Secret, Text};
use proptest::prelude::*;
use std::borrow::Cow;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        "[a-zA-Z0-9 \"\\\\%*()\\[\\]{}~+-]{0,30}".prop_map(String::into_bytes),
    ]
}

fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("line-safe", |b| !matches!(b, b'\r' | b'\n' | 0)),
        1..40,
    )
    .prop_filter("not a code", |v| v[0] != b'[')
}

fn keyword() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        "[A-Za-z$][A-Za-z0-9_.-]{0,12}"
            .prop_map(|s| Flag::Keyword(mailwire::imap::Atom::new(s).unwrap())),
        "X[A-Za-z0-9]{0,8}".prop_map(|s| Flag::Extension(mailwire::imap::Atom::new(s).unwrap())),
    ]
}

fn seq_set() -> impl Strategy<Value = SequenceSet<'static>> {
    proptest::collection::vec(
        (
            1u32..1_000_000,
            prop::option::of(1u32..1_000_000),
            any::<bool>(),
        ),
        1..5,
    )
    .prop_map(|v| {
        let parts: Vec<String> = v
            .iter()
            .map(|(a, b, star)| match (b, star) {
                (_, true) => format!("{a}:*"),
                (Some(b), false) => format!("{a}:{b}"),
                (None, false) => format!("{a}"),
            })
            .collect();
        SequenceSet::new(parts.join(",")).unwrap()
    })
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1900u16..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        -720i16..=840,
    )
        .prop_map(|(y, mo, d, h, mi, s, z)| {
            DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, z).unwrap()
        })
}

fn nstring(b: Option<Vec<u8>>) -> Option<IString<'static>> {
    b.map(IString::new)
}

fn no_nul(v: Vec<u8>) -> Vec<u8> {
    v.into_iter().filter(|&b| b != 0).collect()
}

fn round_trip_command(c: Command<'static>, style: LiteralStyle) {
    let mut out = Vec::new();
    let opts = EmitOptions::new().with_literals(style);
    match emit_command(&c, &mut out, &opts) {
        Ok(e) => {
            assert_eq!(e.len, out.len());
            let again = parse_command(&out, &ParseOptions::STRICT)
                .unwrap_or_else(|err| panic!("{err} in {:?}", String::from_utf8_lossy(&out)));
            assert_eq!(again.into_owned(), c);
        }
        Err(_) => assert!(out.is_empty()),
    }
}

/// Like [`round_trip_command`], for values that must be emittable.
fn round_trip_valid(c: Command<'static>, style: LiteralStyle) {
    let mut out = Vec::new();
    let opts = EmitOptions::new().with_literals(style);
    emit_command(&c, &mut out, &opts).unwrap_or_else(|e| panic!("{e} for {c:?}"));
    let again = parse_command(&out, &ParseOptions::STRICT)
        .unwrap_or_else(|err| panic!("{err} in {:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again.into_owned(), c, "{:?}", String::from_utf8_lossy(&out));
}

/// A sequence set without `*` (`known-uids`, RFC 7162).
fn known_set() -> impl Strategy<Value = SequenceSet<'static>> {
    proptest::collection::vec((1u32..1_000_000, prop::option::of(1u32..=u32::MAX)), 1..4).prop_map(
        |v| {
            let parts: Vec<String> = v
                .iter()
                .map(|(a, b)| match b {
                    Some(b) => format!("{a}:{b}"),
                    None => format!("{a}"),
                })
                .collect();
            SequenceSet::new(parts.join(",")).unwrap()
        },
    )
}

/// `tagged-ext-label`, avoiding the names with their own variant.
fn label(known: &'static [&'static str]) -> impl Strategy<Value = Atom<'static>> {
    "[A-Za-z_.-][A-Za-z0-9_.:-]{0,10}"
        .prop_filter("typed name", move |s| {
            !known.iter().any(|k| k.eq_ignore_ascii_case(s))
        })
        .prop_map(|s| Atom::new(s).unwrap())
}

/// `"(" [tagged-ext-comp] ")"` with nested lists, atoms and quoted strings.
fn ext_paren() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9]{1,6}",
        "[a-z ]{0,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    let comp = leaf.prop_recursive(3, 16, 4, |inner| {
        proptest::collection::vec(inner, 1..4).prop_map(|v| format!("({})", v.join(" ")))
    });
    proptest::collection::vec(comp, 0..4).prop_map(|v| format!("({})", v.join(" ")))
}

/// `tagged-ext-val`: a number, a sequence set or a parenthesised value.
fn ext_value() -> impl Strategy<Value = Option<Cow<'static, [u8]>>> {
    prop::option::of(
        prop_oneof![
            (0u64..=i64::MAX as u64).prop_map(|n| n.to_string()),
            seq_set().prop_map(|s| s.as_str().to_owned()),
            ext_paren(),
        ]
        .prop_map(|s| Cow::Owned(s.into_bytes())),
    )
}

fn select_param() -> impl Strategy<Value = SelectParam<'static>> {
    prop_oneof![
        Just(SelectParam::CondStore),
        (
            1u32..=u32::MAX,
            1u64..=i64::MAX as u64,
            prop::option::of(known_set()),
            prop::option::of((known_set(), known_set())),
        )
            .prop_map(|(uid_validity, mod_seq, known_uids, m)| {
                SelectParam::QResync(QResync {
                    uid_validity,
                    mod_seq,
                    known_uids,
                    seq_match_data: m.map(|(known_sequence_set, known_uid_set)| SeqMatchData {
                        known_sequence_set,
                        known_uid_set,
                    }),
                })
            }),
        (label(&["CONDSTORE", "QRESYNC"]), ext_value())
            .prop_map(|(name, value)| SelectParam::Other { name, value }),
    ]
}

fn create_param() -> impl Strategy<Value = CreateParam<'static>> {
    prop_oneof![
        proptest::collection::vec(
            prop_oneof![
                Just("\\Sent".to_owned()),
                Just("\\Drafts".to_owned()),
                "\\\\[A-Za-z][A-Za-z0-9-]{0,8}"
            ],
            0..4
        )
        .prop_map(|v| CreateParam::Use(List::from_items(
            v.into_iter()
                .map(|s| MailboxAttribute(Cow::Owned(s)))
                .collect()
        ))),
        (label(&["USE"]), ext_value()).prop_map(|(name, value)| CreateParam::Other { name, value }),
    ]
}

fn return_option() -> impl Strategy<Value = ListReturnOption<'static>> {
    prop_oneof![
        Just(ListReturnOption::Subscribed),
        Just(ListReturnOption::Children),
        Just(ListReturnOption::SpecialUse),
        proptest::collection::vec("[A-Z]{1,10}", 1..4).prop_map(|v| ListReturnOption::Status(
            List::from_items(v.into_iter().map(|s| Atom::new(s).unwrap()).collect())
        )),
        (
            "[A-Za-z][A-Za-z0-9_.-]{0,10}".prop_filter("typed name", |s| {
                !["SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(s))
            }),
            prop::option::of(ext_paren())
        )
            .prop_map(|(name, value)| ListReturnOption::Other {
                name: Atom::new(name).unwrap(),
                value: value.map(|v| Cow::Owned(v.into_bytes())),
            }),
    ]
}

fn sort_criterion() -> impl Strategy<Value = SortCriterion<'static>> {
    let key = prop_oneof![
        Just(SortKey::Arrival),
        Just(SortKey::Cc),
        Just(SortKey::Date),
        Just(SortKey::From),
        Just(SortKey::Size),
        Just(SortKey::Subject),
        Just(SortKey::To),
        Just(SortKey::DisplayFrom),
        Just(SortKey::DisplayTo),
        "X-[A-Z0-9]{1,8}".prop_map(|s| SortKey::Other(Atom::new(s).unwrap())),
    ];
    (any::<bool>(), key).prop_map(|(reverse, key)| SortCriterion { reverse, key })
}

fn getmetadata_option() -> impl Strategy<Value = GetMetadataOption<'static>> {
    prop_oneof![
        any::<u32>().prop_map(GetMetadataOption::MaxSize),
        prop_oneof![
            Just(MetadataDepth::Zero),
            Just(MetadataDepth::One),
            Just(MetadataDepth::Infinity)
        ]
        .prop_map(GetMetadataOption::Depth),
        (label(&["MAXSIZE", "DEPTH"]), ext_value())
            .prop_map(|(name, value)| GetMetadataOption::Other { name, value }),
    ]
}

fn modseq_entry() -> impl Strategy<Value = ModSeqEntry<'static>> {
    (
        prop_oneof![keyword(), Just(Flag::Recent)],
        prop_oneof![
            Just(EntryTypeReq::Private),
            Just(EntryTypeReq::Shared),
            Just(EntryTypeReq::All)
        ],
    )
        .prop_map(|(flag, entry_type)| ModSeqEntry { flag, entry_type })
}

fn round_trip_response(r: Response<'static>, utf8: bool) {
    let mut out = Vec::new();
    let opts = EmitOptions::new().with_utf8(utf8);
    emit_response(&r, &mut out, &opts).unwrap_or_else(|e| panic!("{e} for {r:?}"));
    let again = parse_response(&out, &ParseOptions::STRICT)
        .unwrap_or_else(|err| panic!("{err} in {:?}", String::from_utf8_lossy(&out)));
    assert_eq!(again.into_owned(), r);
}

proptest! {
    #[test]
    fn utf7_round_trip(s in "\\PC{0,20}") {
        let enc = utf7::encode(&s);
        prop_assert!(enc.bytes().all(|b| (0x20..0x7f).contains(&b)));
        let dec = utf7::decode(enc.as_bytes());
        prop_assert_eq!(dec.as_deref(), Some(s.as_str()));
    }

    #[test]
    fn login_and_mailbox_commands(user in bytes(), pass in bytes(), name in "\\PC{0,16}", style in prop_oneof![Just(LiteralStyle::Sync), Just(LiteralStyle::NonSyncPlus), Just(LiteralStyle::NonSyncMinus)]) {
        let tag = Tag::new("A1").unwrap();
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Login { username: IString::new(user), password: Secret::new(pass) } }, style);
        let mb = Mailbox::from_utf8(&name).into_owned();
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Select { mailbox: mb.clone(), params: List::empty() } }, style);
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Rename { from: mb.clone(), to: Mailbox::Inbox } }, style);
    }

    #[test]
    fn search_store_fetch(s in bytes(), set in seq_set(), flags in proptest::collection::vec(keyword(), 0..5), d in date_time(), uid in any::<bool>()) {
        let tag = Tag::new("x9").unwrap();
        let key = SearchKey::Or(
            mailwire::imap::Lazy::new(SearchKey::Subject(IString::new(s.clone()))),
            mailwire::imap::Lazy::new(SearchKey::And(List::from_items(vec![SearchKey::Since(d.date), SearchKey::Uid(set.clone()), SearchKey::Not(mailwire::imap::Lazy::new(SearchKey::Seen))]))),
        );
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Search { uid, return_options: None, charset: Some(IString::from("UTF-8")), criteria: List::from_items(vec![key]) } }, LiteralStyle::Sync);
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Store { uid, set: set.clone(), unchanged_since: Some(5), kind: StoreKind::Add, silent: true, flags: List::from_items(flags.clone()) } }, LiteralStyle::Sync);
        round_trip_command(Command { tag: tag.clone(), body: CommandBody::Append { mailbox: Mailbox::Inbox, messages: List::from_items(vec![mailwire::imap::AppendMessage { flags: Some(List::from_items(flags)), date: Some(d), data: no_nul(s).into(), binary: false }]) } }, LiteralStyle::NonSyncPlus);
    }

    #[test]
    fn status_responses(t in text_bytes(), tagged in any::<bool>(), n in 1u32..u32::MAX) {
        let r = Response::Status(StatusResponse {
            tag: if tagged { Some(Tag::new("a1").unwrap()) } else { None },
            kind: StatusKind::No,
            code: Some(Code::UidValidity(n)),
            text: Text::from(t.clone()),
        });
        round_trip_response(r, false);
        let r = Response::Status(StatusResponse { tag: None, kind: StatusKind::Ok, code: None, text: Text::from(t) });
        round_trip_response(r, false);
    }

    #[test]
    fn fetch_responses(
        subject in prop::option::of(bytes()),
        names in proptest::collection::vec((prop::option::of(bytes()), "[a-z]{1,8}"), 0..4),
        data in prop::option::of(bytes()),
        flags in proptest::collection::vec(keyword(), 0..4),
        d in date_time(),
        utf8 in any::<bool>(),
    ) {
        let from: Vec<Address<'static>> = names.into_iter().map(|(n, m)| Address {
            name: nstring(n.map(no_nul)), adl: None, mailbox: Some(IString::new(m.into_bytes())), host: Some(IString::from("example.com")),
        }).collect();
        let env = Envelope {
            subject: nstring(subject.map(no_nul)),
            from: AddressList::new(from),
            message_id: Some(IString::from("<x@y>")),
            ..Default::default()
        };
        let items = vec![
            FetchItem::Uid(42),
            FetchItem::Flags(List::from_items(flags)),
            FetchItem::InternalDate(d),
            FetchItem::Envelope(env),
            FetchItem::BodySection { section: Section::default(), origin: Some(0), data: nstring(data.map(no_nul)) },
            FetchItem::ModSeq(12345678901),
        ];
        round_trip_response(Response::Data(Data::Fetch { seq: 7, items: List::from_items(items) }), utf8);
    }
}

proptest! {
    #[test]
    fn typed_command_arguments(
        select in proptest::collection::vec(select_param(), 0..4),
        examine in proptest::collection::vec(select_param(), 1..3),
        create in proptest::collection::vec(create_param(), 0..3),
        ret in prop::option::of(proptest::collection::vec(return_option(), 0..4)),
        sort in proptest::collection::vec(sort_criterion(), 1..5),
        meta in proptest::collection::vec(getmetadata_option(), 0..4),
        entry in prop::option::of(modseq_entry()),
        modseq in 0u64..=i64::MAX as u64,
        uid in any::<bool>(),
        style in prop_oneof![Just(LiteralStyle::Sync), Just(LiteralStyle::NonSyncPlus)],
        raw in bytes(),
    ) {
        let tag = Tag::new("t7").unwrap();
        let cmd = |body| Command { tag: tag.clone(), body };
        // any bytes as a raw extension value: refused, or read back the same
        let raw_value = || Some(Cow::Owned(raw.clone()));
        round_trip_command(cmd(CommandBody::Select { mailbox: Mailbox::Inbox, params: List::from_items(vec![SelectParam::Other { name: Atom::new("X-R").unwrap(), value: raw_value() }]) }), style);
        round_trip_command(cmd(CommandBody::List {
            selection: List::empty(),
            reference: Mailbox::Inbox,
            patterns: List::from_items(vec![IString::from("%")]),
            return_options: Some(List::from_items(vec![ListReturnOption::Other { name: Atom::new("X-R").unwrap(), value: raw_value() }])),
        }), style);
        round_trip_command(cmd(CommandBody::GetMetadata {
            options: List::from_items(vec![GetMetadataOption::Other { name: Atom::new("X-R").unwrap(), value: raw_value() }]),
            mailbox: Mailbox::Inbox,
            entries: List::from_items(vec![IString::from("/a")]),
        }), style);
        round_trip_valid(cmd(CommandBody::Select { mailbox: Mailbox::Inbox, params: List::from_items(select) }), style);
        round_trip_valid(cmd(CommandBody::Examine { mailbox: Mailbox::from_utf8("Entwürfe").into_owned(), params: List::from_items(examine) }), style);
        round_trip_valid(cmd(CommandBody::Create { mailbox: Mailbox::Other(IString::from("a b")), params: List::from_items(create) }), style);
        round_trip_valid(cmd(CommandBody::List {
            selection: List::from_items(vec![Atom::new("SUBSCRIBED").unwrap()]),
            reference: Mailbox::Other(IString::from("")),
            patterns: List::from_items(vec![IString::from("*")]),
            return_options: ret.map(List::from_items),
        }), style);
        round_trip_valid(cmd(CommandBody::Sort {
            uid,
            // ESORT (RFC 5267): SORT RETURN (...) whenever this case has a UID
            return_options: uid.then(|| List::from_items(vec![Atom::new("PARTIAL").unwrap(), Atom::new("1:100").unwrap(), Atom::new("COUNT").unwrap()])),
            criteria: List::from_items(sort),
            charset: IString::from("UTF-8"),
            search: List::from_items(vec![SearchKey::ModSeq { entry: entry.clone(), modseq }]),
        }), style);
        round_trip_valid(cmd(CommandBody::GetMetadata {
            options: List::from_items(meta),
            mailbox: Mailbox::Inbox,
            entries: List::from_items(vec![IString::from("/private/comment")]),
        }), style);
        round_trip_valid(cmd(CommandBody::Search {
            uid,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![SearchKey::Not(mailwire::imap::Lazy::new(SearchKey::ModSeq { entry, modseq }))]),
        }), style);
    }
}

// ---- ACL (RFC 4314), CATENATE (RFC 4469), NOTIFY (RFC 5465), URLAUTH (RFC 4467) ----

mod ext {
    use super::*;
    use mailwire::imap::{
        AppendItem, AppendMessage, Atom, CatenatePart, EventGroup, FetchAttribute, MailboxFilter,
        ModRights, Notify, NotifyEvent, Rights, RightsMode, UrlMechanism,
    };

    fn rights() -> impl Strategy<Value = Rights<'static>> {
        "[a-z0-9]{0,12}".prop_map(|s| Rights::new(s).unwrap())
    }

    fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
        "\\PC{0,12}".prop_map(|s| Mailbox::from_utf8(&s).into_owned())
    }

    fn istring() -> impl Strategy<Value = IString<'static>> {
        bytes().prop_map(|b| IString::new(no_nul(b)))
    }

    fn mechanism() -> impl Strategy<Value = Atom<'static>> {
        "[A-Za-z0-9.-]{1,10}".prop_map(|s| Atom::new(s).unwrap())
    }

    fn event() -> impl Strategy<Value = NotifyEvent<'static>> {
        let att = prop_oneof![
            Just(FetchAttribute::Uid),
            Just(FetchAttribute::Flags),
            Just(FetchAttribute::Envelope),
            Just(FetchAttribute::BodySection {
                peek: true,
                section: Section::default(),
                partial: None
            }),
        ];
        prop_oneof![
            prop::option::of(proptest::collection::vec(att, 0..3))
                .prop_map(|v| NotifyEvent::MessageNew(v.map(List::from_items))),
            Just(NotifyEvent::MessageExpunge),
            Just(NotifyEvent::FlagChange),
            Just(NotifyEvent::AnnotationChange),
            Just(NotifyEvent::MailboxName),
            Just(NotifyEvent::SubscriptionChange),
            Just(NotifyEvent::MailboxMetadataChange),
            Just(NotifyEvent::ServerMetadataChange),
            "X[A-Za-z0-9]{0,8}".prop_map(|s| NotifyEvent::Other(Atom::new(s).unwrap())),
        ]
    }

    fn filter() -> impl Strategy<Value = MailboxFilter<'static>> {
        let boxes = || proptest::collection::vec(mailbox(), 1..3).prop_map(List::from_items);
        prop_oneof![
            Just(MailboxFilter::Selected),
            Just(MailboxFilter::SelectedDelayed),
            Just(MailboxFilter::Inboxes),
            Just(MailboxFilter::Personal),
            Just(MailboxFilter::Subscribed),
            boxes().prop_map(MailboxFilter::Subtree),
            boxes().prop_map(MailboxFilter::Mailboxes),
        ]
    }

    fn notify() -> impl Strategy<Value = Notify<'static>> {
        let group = (
            filter(),
            prop::option::of(proptest::collection::vec(event(), 1..4)),
        )
            .prop_map(|(filter, events)| EventGroup {
                filter,
                events: events.map(List::from_items),
            });
        prop_oneof![
            Just(Notify::None),
            (any::<bool>(), proptest::collection::vec(group, 1..4)).prop_map(|(status, g)| {
                Notify::Set {
                    status,
                    groups: List::from_items(g),
                }
            }),
        ]
    }

    fn append_items() -> impl Strategy<Value = Vec<AppendItem<'static>>> {
        let part = prop_oneof![
            bytes().prop_map(|b| CatenatePart::Text(no_nul(b).into())),
            istring().prop_map(CatenatePart::Url),
        ];
        let catenate = (
            prop::option::of(proptest::collection::vec(keyword(), 0..3)),
            prop::option::of(date_time()),
            proptest::collection::vec(part, 1..4),
        )
            .prop_map(|(flags, date, parts)| AppendItem::Catenate {
                flags: flags.map(List::from_items),
                date,
                parts: List::from_items(parts),
            });
        let message = (bytes(), any::<bool>()).prop_map(|(data, binary)| {
            AppendItem::Message(AppendMessage {
                flags: None,
                date: None,
                data: if binary { data } else { no_nul(data) }.into(),
                binary,
            })
        });
        (
            proptest::collection::vec(message, 0..2),
            catenate,
            any::<prop::sample::Index>(),
        )
            .prop_map(|(mut v, c, at)| {
                let i = at.index(v.len() + 1);
                v.insert(i, c);
                v
            })
    }

    fn code() -> impl Strategy<Value = Code<'static>> {
        let mech = (mechanism(), prop::option::of("[A-Za-z0-9+/]{1,12}={0,2}")).prop_map(
            |(name, data)| UrlMechanism {
                name,
                data: data.map(|d| d.into_bytes().into()),
            },
        );
        prop_oneof![
            Just(Code::TooBig),
            Just(Code::NotificationOverflow),
            proptest::collection::vec(
                any::<u8>()
                    .prop_filter("url-resp-text", |b| !matches!(b, b']' | b'\r' | b'\n' | 0)),
                1..30
            )
            .prop_map(|v| Code::BadUrl(IString::new(v))),
            proptest::collection::vec(mech, 0..3).prop_map(|v| Code::UrlMech(List::from_items(v))),
            proptest::collection::vec(event(), 1..4)
                .prop_map(|v| Code::BadEvent(List::from_items(v))),
            "[A-Za-z0-9_-]{1,255}"
                .prop_map(|id| Code::MailboxId(IString::from(id.as_str()).into_owned())),
        ]
    }

    /// Every generated value is emittable: emitting must succeed.
    fn strict_round_trip_command(c: Command<'static>, style: LiteralStyle) {
        let mut out = Vec::new();
        let opts = EmitOptions::new().with_literals(style);
        emit_command(&c, &mut out, &opts).unwrap_or_else(|e| panic!("{e} for {c:?}"));
        round_trip_command(c, style);
    }

    fn tag() -> Tag<'static> {
        Tag::new("E1").unwrap()
    }

    proptest! {
        #[test]
        fn acl_commands(mb in mailbox(), id in istring(), r in rights(), mode in 0u8..3, style in prop_oneof![Just(LiteralStyle::Sync), Just(LiteralStyle::NonSyncPlus)]) {
            let mode = [RightsMode::Replace, RightsMode::Add, RightsMode::Remove][usize::from(mode)];
            for body in [
                CommandBody::SetAcl { mailbox: mb.clone(), identifier: id.clone(), rights: ModRights { mode, rights: r.clone() } },
                CommandBody::DeleteAcl { mailbox: mb.clone(), identifier: id.clone() },
                CommandBody::GetAcl(mb.clone()),
                CommandBody::ListRights { mailbox: mb.clone(), identifier: id.clone() },
                CommandBody::MyRights(mb.clone()),
            ] {
                strict_round_trip_command(Command { tag: tag(), body }, style);
            }
        }

        #[test]
        fn acl_responses(mb in mailbox(), entries in proptest::collection::vec((istring(), rights()), 0..4), id in istring(), required in rights(), optional in proptest::collection::vec(rights(), 0..4)) {
            round_trip_response(Response::Data(Data::Acl { mailbox: mb.clone(), entries: List::from_items(entries) }), false);
            round_trip_response(Response::Data(Data::ListRights { mailbox: mb.clone(), identifier: id, required: required.clone(), optional: List::from_items(optional) }), false);
            round_trip_response(Response::Data(Data::MyRights { mailbox: mb, rights: required }), false);
        }

        #[test]
        fn catenate_append(mb in mailbox(), items in append_items(), style in prop_oneof![Just(LiteralStyle::Sync), Just(LiteralStyle::NonSyncPlus), Just(LiteralStyle::NonSyncMinus)]) {
            strict_round_trip_command(Command { tag: tag(), body: CommandBody::AppendCatenate { mailbox: mb, messages: List::from_items(items) } }, style);
        }

        #[test]
        fn notify_commands(n in notify()) {
            strict_round_trip_command(Command { tag: tag(), body: CommandBody::Notify(n) }, LiteralStyle::Sync);
        }

        #[test]
        fn urlauth_commands(mb in prop::option::of(mailbox()), mechs in proptest::collection::vec(mechanism(), 0..3), pairs in proptest::collection::vec((istring(), mechanism()), 1..3), urls in proptest::collection::vec(istring(), 1..4)) {
            let mechs = if mb.is_some() { mechs } else { Vec::new() };
            strict_round_trip_command(Command { tag: tag(), body: CommandBody::ResetKey { mailbox: mb, mechanisms: List::from_items(mechs) } }, LiteralStyle::Sync);
            strict_round_trip_command(Command { tag: tag(), body: CommandBody::GenUrlAuth(List::from_items(pairs)) }, LiteralStyle::NonSyncPlus);
            strict_round_trip_command(Command { tag: tag(), body: CommandBody::UrlFetch(List::from_items(urls)) }, LiteralStyle::Sync);
        }

        #[test]
        fn urlauth_responses(urls in proptest::collection::vec(istring(), 1..4), fetched in proptest::collection::vec((istring(), prop::option::of(istring())), 1..4)) {
            round_trip_response(Response::Data(Data::GenUrlAuth(List::from_items(urls))), false);
            round_trip_response(Response::Data(Data::UrlFetch(List::from_items(fetched))), false);
        }

        /// RFC 8474 MAILBOXID (a STATUS item among others, and a response
        /// code) and RFC 7377's ESEARCH correlator keep their typed values.
        #[test]
        fn objectid_and_search_correlator(
            id in "[A-Za-z0-9_-]{1,255}",
            mb in mailbox(),
            v in 1u32..,
            n in 0u32..,
            t in istring(),
            with_mailbox in any::<bool>(),
            uid in any::<bool>(),
        ) {
            use mailwire::imap::{ESearch, ESearchMailbox, SearchReturnData, StatusItem};
            let id = IString::from(id.as_str()).into_owned();
            round_trip_response(Response::Data(Data::Status {
                mailbox: mb.clone(),
                items: List::from_items(vec![
                    StatusItem::Messages(n),
                    StatusItem::MailboxId(id.clone()),
                    StatusItem::UidNext(v),
                ]),
            }), false);
            round_trip_response(Response::Status(StatusResponse {
                tag: Some(tag()),
                kind: StatusKind::Ok,
                code: Some(Code::MailboxId(id)),
                text: Text::from(&b"Completed"[..]),
            }), false);
            round_trip_response(Response::Data(Data::ESearch(ESearch {
                tag: Some(t),
                mailbox: with_mailbox.then_some(ESearchMailbox { mailbox: mb, uid_validity: v }),
                uid,
                data: List::from_items(vec![SearchReturnData::Count(n), SearchReturnData::Min(v)]),
            })), false);
        }

        #[test]
        fn ext_codes(c in code(), t in text_bytes(), tagged in any::<bool>()) {
            round_trip_response(Response::Status(StatusResponse {
                tag: if tagged { Some(Tag::new("a1").unwrap()) } else { None },
                kind: StatusKind::No,
                code: Some(c),
                text: Text::from(t),
            }), false);
        }
    }
}

proptest! {
    /// RFC 9051 §9 `response-tagged = tag SP resp-cond-state CRLF`: whatever
    /// bytes follow `TAG OK ` (`NO`, `BAD`), the tag is read back
    /// (`response_tag`, which the client machine relies on to complete the
    /// command), and when the frame parses it is that tag's status.
    #[test]
    fn tagged_status_with_any_rest(
        rest in proptest::collection::vec(any::<u8>().prop_filter("no LF", |b| *b != b'\n'), 0..60),
        kind in 0usize..3,
        strict in any::<bool>(),
    ) {
        let (word, status) = [("OK", StatusKind::Ok), ("NO", StatusKind::No), ("BAD", StatusKind::Bad)][kind];
        let mut frame = format!("A7 {word} ").into_bytes();
        frame.extend_from_slice(&rest);
        frame.extend_from_slice(b"\r\n");
        prop_assert_eq!(response_tag(&frame).map(|t| t.as_str().to_owned()), Some("A7".to_owned()));
        let opts = if strict { ParseOptions::STRICT } else { ParseOptions::DEFAULT };
        match parse_response(&frame, &opts) {
            Ok(Response::Status(s)) => {
                prop_assert_eq!(s.tag.map(|t| t.as_str().to_owned()), Some("A7".to_owned()));
                prop_assert_eq!(s.kind, status);
            }
            Ok(other) => prop_assert!(false, "{:?}", other),
            Err(_) => {}
        }
    }

    /// `Quirks::raw_response_code`: a code whose name is an atom, followed by
    /// any bytes but `]`, CR, LF and NUL, is read whole (kept raw) by
    /// default, and the text after it too.
    #[test]
    fn any_response_code_is_kept_raw(
        name in "[A-Za-z][A-Za-z0-9=.-]{0,10}",
        value in proptest::collection::vec(any::<u8>().prop_filter("code byte", |b| !matches!(b, b']' | b'\r' | b'\n' | 0)), 0..40),
    ) {
        let mut frame = format!("A7 OK [{name}").into_bytes();
        frame.extend_from_slice(&value);
        frame.extend_from_slice(b"] done\r\n");
        let r = parse_response(&frame, &ParseOptions::DEFAULT);
        let Ok(Response::Status(s)) = r else {
            return Err(TestCaseError::fail(format!("{r:?} for {:?}", String::from_utf8_lossy(&frame))));
        };
        prop_assert_eq!(s.kind, StatusKind::Ok);
        prop_assert_eq!(s.text.as_bytes(), b"done");
        prop_assert!(s.code.is_some());
    }
}
