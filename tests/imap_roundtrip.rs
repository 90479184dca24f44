//! IMAP codec property tests: for arbitrary values, `parse(emit(x)) == x`,
//! emitting never lets a value change the line structure, and modified UTF-7
//! round-trips every Unicode name.

use mailwire::imap::{
    Address, Code, Command, CommandBody, Data, Date, DateTime, EmitOptions, Envelope, FetchItem,
    Flag, IString, IntoOwned, List, LiteralStyle, Mailbox, ParseOptions, Response, SearchKey,
    Section, SequenceSet, StatusKind, StatusResponse, StoreKind, Tag, emit_command, emit_response,
    parse_command, parse_response, utf7,
};
use mailwire::{Secret, Text};
use proptest::prelude::*;

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
            from: if from.is_empty() { None } else { Some(List::from_items(from)) },
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
