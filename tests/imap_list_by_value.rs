//! `for item in list`: a `List` (or an `AddressList`) taken by value gives the
//! same elements, in the same order, as `iter`, for parsed lists of both kinds
//! (the items of a FETCH response are built while it is parsed; its address
//! lists and the parts of its body structure stay wire bytes) and for built
//! lists; the items of a built list are moved out, not cloned (so an unescaped
//! string is not copied again). One binary of its own, so the counting global
//! allocator sees only this file's work.

use mailwire::imap::{
    Address, AddressList, BodyStructure, Data, FetchItem, IString, List, ParseOptions, Response,
    parse_response,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A FETCH response as Dovecot sends one (RFC 3501 §7.4.2 items), with an
/// escaped quoted string in the subject (`\"`, which unescaping copies).
const FETCH: &[u8] = b"* 12 FETCH (UID 4827313 RFC822.SIZE 44827 FLAGS (\\Seen $Forwarded) \
ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"say \\\"hi\\\"\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
NIL ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") \
BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \
\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n";

fn items(frame: &[u8]) -> List<'_, FetchItem<'_>> {
    match parse_response(frame, &ParseOptions::default()).expect("parses") {
        Response::Data(Data::Fetch { items, .. }) => items,
        other => panic!("not a FETCH: {other:?}"),
    }
}

/// One test: the allocation counts below must not see another test's thread.
#[test]
fn by_value_iteration() {
    by_value_gives_what_iter_gives_for_parsed_and_built_lists();
    built_items_are_moved_out_not_cloned();
}

fn by_value_gives_what_iter_gives_for_parsed_and_built_lists() {
    let list = items(FETCH);
    let by_ref: Vec<FetchItem<'_>> = list.iter().collect();
    assert_eq!(by_ref.len(), 5);
    let by_value: Vec<FetchItem<'_>> = list.clone().into_iter().collect();
    assert_eq!(by_value, by_ref);

    let Some(FetchItem::Envelope(env)) = list.iter().find(|i| matches!(i, FetchItem::Envelope(_)))
    else {
        panic!("no envelope");
    };
    assert_eq!(
        env.subject.as_ref().map(|s| s.as_bytes()),
        Some(&b"say \"hi\""[..])
    );
    // Its address lists (wire lists, or NIL) by value and by reference.
    for addrs in [&env.from, &env.reply_to, &env.to, &env.cc, &env.bcc] {
        let by_ref: Vec<Address<'_>> = addrs.into_iter().collect();
        let by_value: Vec<Address<'_>> = addrs.clone().into_iter().collect();
        assert_eq!(by_value, by_ref);
    }
    assert_eq!(env.cc.clone().into_iter().count(), 2);
    assert_eq!(env.bcc.clone().into_iter().next(), None, "NIL");
    let built = AddressList::new(vec![Address {
        name: None,
        adl: None,
        mailbox: Some(IString::from(&b"a"[..])),
        host: Some(IString::from(&b"example.org"[..])),
    }]);
    assert_eq!(
        built.clone().into_iter().collect::<Vec<_>>(),
        built.iter().collect::<Vec<_>>()
    );

    // The parts of a multipart: a wire list of nested body structures, parsed
    // element by element either way.
    let Some(FetchItem::BodyStructure(BodyStructure::Multi(m))) = list.into_iter().last() else {
        panic!("no multipart body structure last");
    };
    let parts: Vec<BodyStructure<'_>> = m.parts.clone().into_iter().collect();
    assert_eq!(parts, m.parts.iter().collect::<Vec<_>>());
    assert_eq!(parts.len(), 2);

    // `for x in &list` is `list.iter()`.
    let mut n = 0;
    for part in &m.parts {
        assert!(matches!(part, BodyStructure::Single(_)));
        n += 1;
    }
    assert_eq!(n, 2);

    // A built list, partly consumed: the rest comes next, in order.
    let built = List::from_items(vec![
        FetchItem::Uid(1),
        FetchItem::Uid(2),
        FetchItem::Uid(3),
    ]);
    let mut it = built.into_iter();
    assert_eq!(it.next(), Some(FetchItem::Uid(1)));
    assert_eq!(
        it.collect::<Vec<_>>(),
        [FetchItem::Uid(2), FetchItem::Uid(3)]
    );
    assert_eq!(List::<FetchItem<'_>>::empty().into_iter().next(), None);
}

/// A type that cannot be cloned: a built list of it can still be consumed.
#[derive(Debug, PartialEq)]
struct NotClone(u32);

fn built_items_are_moved_out_not_cloned() {
    let list = List::from_items(vec![NotClone(1), NotClone(2)]);
    assert_eq!(
        list.into_iter().collect::<Vec<_>>(),
        [NotClone(1), NotClone(2)]
    );

    // The subject was unescaped into an owned string when the response was
    // parsed; iterating by reference clones it (one allocation), by value
    // moves it (none).
    let list = items(FETCH);
    let subject_len = |item: &FetchItem<'_>| match item {
        FetchItem::Envelope(e) => e.subject.as_ref().map_or(0, |s| s.as_bytes().len()),
        _ => 0,
    };
    let reg = Region::new(GLOBAL);
    let n: usize = list.iter().map(|i| subject_len(&i)).sum();
    let by_ref = reg.change();
    assert_eq!(n, 8);
    let reg = Region::new(GLOBAL);
    let n: usize = list.into_iter().map(|i| subject_len(&i)).sum();
    let by_value = reg.change();
    assert_eq!(n, 8);
    assert!(by_ref.allocations >= 1, "{by_ref:?}");
    assert_eq!(by_value.allocations, 0, "{by_value:?}");
}
