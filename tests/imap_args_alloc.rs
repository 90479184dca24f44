//! Parsing the typed IMAP command arguments (select/create params, LIST
//! RETURN options, SORT criteria, GETMETADATA options, MODSEQ entries)
//! allocates nothing: every value borrows the frame. One test in its own
//! binary, so the counting global allocator sees no other test's work.

use mailwire::imap::{
    CommandBody, CreateParam, ListReturnOption, ParseOptions, SearchKey, SelectParam, parse_command,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const LINES: &[&[u8]] = &[
    b"B142 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970)) CONDSTORE X-P (a \"b c\" (d)))\r\n",
    b"t1 CREATE \"Important Messages\" (USE (\\Important \\Sent) X-OPT 1:5)\r\n",
    b"A04 LIST (REMOTE SUBSCRIBED) \"\" (\"*\" \"Other Users/*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN) SPECIAL-USE X-O (v))\r\n",
    b"A286 UID SORT (REVERSE ARRIVAL DISPLAYFROM X-SCORE) UTF-8 ALL\r\n",
    b"a GETMETADATA (MAXSIZE 1024 DEPTH infinity) \"INBOX\" (/shared/comment /private/comment)\r\n",
    b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 MODSEQ \"/flags/$mdnsent\" priv 5\r\n",
];

/// Parses every line and walks every typed value; returns how many values
/// were seen (so the work cannot be optimised away).
fn parse_and_walk() -> usize {
    let opts = ParseOptions::default();
    let mut n = 0;
    for line in LINES {
        let c = parse_command(line, &opts).expect("parses");
        match &c.body {
            CommandBody::Select { params, .. } => {
                for p in params.iter() {
                    if let SelectParam::QResync(q) = p {
                        n += q.known_uids.map_or(0, |s| s.iter().count());
                    }
                    n += 1;
                }
            }
            CommandBody::Create { params, .. } => {
                for p in params.iter() {
                    if let CreateParam::Use(l) = p {
                        n += l.iter().count();
                    }
                }
            }
            CommandBody::List { return_options, .. } => {
                for o in return_options.iter().flat_map(|l| l.iter()) {
                    if let ListReturnOption::Status(items) = o {
                        n += items.iter().count();
                    }
                    n += 1;
                }
            }
            CommandBody::Sort { criteria, .. } => n += criteria.iter().count(),
            CommandBody::GetMetadata { options, .. } => n += options.iter().count(),
            CommandBody::Search { criteria, .. } => {
                n += criteria
                    .iter()
                    .filter(|k| matches!(k, SearchKey::ModSeq { entry: Some(_), .. }))
                    .count()
            }
            other => panic!("unexpected {}", other.name()),
        }
    }
    n
}

#[test]
fn typed_arguments_parse_without_allocating() {
    // warm up whatever the runtime allocates lazily
    let expected = parse_and_walk();
    // The counter is global: the test harness's own thread may allocate
    // while the region is open (seen once on a loaded CI machine: 4). A
    // parse that allocates does so on every run, so the fewest allocations
    // of five runs is the parse's own count.
    let mut fewest = usize::MAX;
    for _ in 0..5 {
        let region = Region::new(GLOBAL);
        let seen = parse_and_walk();
        let change = region.change();
        assert_eq!(seen, expected);
        assert_eq!(seen, 19);
        fewest = fewest.min(change.allocations + change.reallocations);
    }
    assert_eq!(fewest, 0, "allocations while parsing typed arguments");
}
