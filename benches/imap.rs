//! IMAP codec benches against imap-proto and imap-codec, in the same criterion
//! groups: (1) 2 000 FETCH responses with ENVELOPE and nested BODYSTRUCTURE,
//! (2) 200 FETCH responses carrying a ~50 KiB BODY[] literal, (3) 10 000 mixed
//! client commands. Before the timings, each contender's allocations per item
//! are printed (counting global allocator).
//!
//! Run: `cargo bench --bench imap -- --warm-up-time 1 --measurement-time 3`.
//!
//! (1) has four mailwire contenders: `mailwire` parses and then walks every
//! lazy list (the same fields imap-proto's walk touches); `mailwire-visitor`
//! gets the same fields from `parse_response_with`, i.e. from the validating
//! pass itself; `mailwire-parse-only` validates and touches nothing. The
//! target (2x imap-proto with at most one allocation per response) is read on
//! the visitor against imap-proto's parse-and-walk, the same work.
//!
//! Where the time of the lazy walk goes (callgrind, per response, about
//! 1.1 KiB): the validating parse is ~23 k instructions; walking every list
//! afterwards is ~35 k more, because a lazy list parses its elements again and
//! finds the end of each nested list by scanning it again (~10 k), and because
//! elements come back by value (a body part is ~390 bytes: ~5 k of memcpy).
//! imap-proto needs ~62 k with 19 allocations. Tried and measured, not kept: a
//! structure index (a `u32` per input byte recording where each validated
//! group and quoted string ends, so re-parsing jumps instead of scanning):
//! re-parsing got ~10 % cheaper, but every list had to carry a slice of the
//! index (32 -> 48 bytes) and the extra copying ate the gain. The visitor
//! removes the second reading instead.
#![allow(missing_docs)]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/imap_data.rs"]
mod imap_data;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder;
use imap_data::{MIXED, WalkVisitor, envelope, walk_fetch};
use mailwire::Limits;
use mailwire::imap::{
    Data, Frame, Framer, ParseOptions, Response, parse_command, parse_response, parse_response_with,
};
use mailwire::wire::line::LinePolicy;

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

fn fetch_stream() -> (Vec<u8>, usize) {
    let mut s = Vec::new();
    let n = 2000;
    for i in 1..=n {
        s.extend_from_slice(
            format!(
                "* {i} FETCH (UID {} FLAGS (\\Seen $Forwarded) RFC822.SIZE {} INTERNALDATE \"0{}-Jan-2024 10:00:00 +0100\" ENVELOPE {} BODYSTRUCTURE {})\r\n",
                1000 + i,
                230_000 + i,
                i % 9 + 1,
                envelope(i),
                MIXED
            )
            .as_bytes(),
        );
    }
    (s, n)
}

fn literal_stream() -> (Vec<u8>, usize) {
    let mut s = Vec::new();
    let n = 200;
    let body: Vec<u8> =
        b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor.\r\n"
            .iter()
            .copied()
            .cycle()
            .take(50 * 1024)
            .collect();
    for i in 1..=n {
        s.extend_from_slice(
            format!(
                "* {i} FETCH (UID {} BODY[] {{{}}}\r\n",
                5000 + i,
                body.len()
            )
            .as_bytes(),
        );
        s.extend_from_slice(&body);
        s.extend_from_slice(b")\r\n");
    }
    (s, n)
}

fn command_stream() -> (Vec<u8>, usize) {
    let cmds: [&str; 10] = [
        "SELECT INBOX",
        "UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)",
        "UID STORE 4827 +FLAGS.SILENT (\\Seen \\Flagged)",
        "UID SEARCH UNSEEN SINCE 1-Feb-2024 NOT FROM \"mailer-daemon\"",
        "NOOP",
        "LIST \"\" \"*\"",
        "STATUS \"Sent Items\" (MESSAGES UIDNEXT UNSEEN)",
        "UID COPY 100:200,305 \"Archive/2024\"",
        "FETCH 12 (BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)] BODY.PEEK[1]<0.2048>)",
        "LOGIN alice \"correct horse battery staple\"",
    ];
    let mut s = Vec::new();
    let n = 10_000;
    for i in 0..n {
        s.extend_from_slice(format!("a{i} {}\r\n", cmds[i % cmds.len()]).as_bytes());
    }
    (s, n)
}

fn mailwire_fetch(stream: &[u8]) -> usize {
    let opts = ParseOptions::default();
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
    let mut pos = 0;
    let mut acc = 0;
    while pos < stream.len() {
        let Frame::Complete(n) = framer.find(&stream[pos..]).unwrap() else {
            panic!()
        };
        let r = parse_response(&stream[pos..pos + n], &opts).unwrap();
        if let Response::Data(Data::Fetch { items, .. }) = r {
            acc += walk_fetch(&items);
        }
        pos += n;
    }
    acc
}

/// Frames and parses with a visitor that touches what [`mailwire_fetch`]
/// touches, delivered by the validating pass.
fn mailwire_fetch_visit(stream: &[u8]) -> usize {
    let opts = ParseOptions::default();
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
    let mut pos = 0;
    let mut v = WalkVisitor::default();
    while pos < stream.len() {
        let Frame::Complete(n) = framer.find(&stream[pos..]).unwrap() else {
            panic!()
        };
        parse_response_with(&stream[pos..pos + n], &opts, &mut v).unwrap();
        pos += n;
    }
    v.acc
}

/// Frames and parses (validating everything) without touching the lazy lists.
fn mailwire_fetch_parse_only(stream: &[u8]) -> usize {
    let opts = ParseOptions::default();
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
    let mut pos = 0;
    let mut acc = 0;
    while pos < stream.len() {
        let Frame::Complete(n) = framer.find(&stream[pos..]).unwrap() else {
            panic!()
        };
        let r = parse_response(&stream[pos..pos + n], &opts).unwrap();
        acc += black_box(&r) as *const _ as usize & 1;
        pos += n;
    }
    acc
}

/// The same walk as [`walk_body`] over imap-proto's tree.
fn proto_walk_body(b: &imap_proto::BodyStructure<'_>) -> usize {
    use imap_proto::BodyStructure as B;
    let single = |common: &imap_proto::BodyContentCommon<'_>,
                  other: &imap_proto::BodyContentSinglePart<'_>| {
        other.octets as usize
            + common.ty.params.as_ref().map_or(0, |p| p.len())
            + common.disposition.as_ref().map_or(0, |d| d.ty.len())
    };
    match b {
        B::Basic { common, other, .. } | B::Text { common, other, .. } => single(common, other),
        B::Message {
            common,
            other,
            body,
            ..
        } => single(common, other) + proto_walk_body(body),
        B::Multipart { common, bodies, .. } => {
            bodies.iter().map(proto_walk_body).sum::<usize>() + common.ty.subtype.len()
        }
    }
}

/// imap-proto parses and then touches what [`mailwire_fetch`] touches, so
/// the two do the same work.
fn imap_proto_walk(stream: &[u8]) -> usize {
    use imap_proto::{AttributeValue as A, Response as R};
    let mut rest = stream;
    let mut acc = 0;
    while !rest.is_empty() {
        let (r, resp) = imap_proto::Response::parse(rest).unwrap();
        if let R::Fetch(_, attrs) = &resp {
            for a in attrs {
                acc += match a {
                    A::Uid(u) => *u as usize,
                    A::Rfc822Size(n) => *n as usize,
                    A::Flags(f) => f.len(),
                    A::Envelope(e) => {
                        e.subject.as_ref().map_or(0, |s| s.len())
                            + [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc]
                                .iter()
                                .map(|l| {
                                    l.as_ref().map_or(0, |l| {
                                        l.iter()
                                            .map(|a| a.host.as_ref().map_or(0, |h| h.len()))
                                            .sum()
                                    })
                                })
                                .sum::<usize>()
                    }
                    A::BodyStructure(b) => proto_walk_body(b),
                    A::BodySection { data, .. } => data.as_ref().map_or(0, |d| d.len()),
                    _ => 1,
                };
            }
        }
        rest = r;
    }
    acc
}

fn imap_proto_all(stream: &[u8]) -> usize {
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, resp) = imap_proto::Response::parse(rest).unwrap();
        n += black_box(&resp) as *const _ as usize & 1;
        rest = r;
    }
    n
}

fn imap_codec_responses(stream: &[u8]) -> usize {
    let codec = imap_codec::ResponseCodec::default();
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, resp) = codec.decode(rest).unwrap();
        black_box(&resp);
        n += 1;
        rest = r;
    }
    n
}

fn mailwire_commands(stream: &[u8]) -> usize {
    let opts = ParseOptions::default();
    let mut framer = Framer::for_commands(&Limits::default(), LinePolicy::STRICT);
    let mut pos = 0;
    let mut n = 0;
    while pos < stream.len() {
        let Frame::Complete(len) = framer.find(&stream[pos..]).unwrap() else {
            panic!()
        };
        let c = parse_command(&stream[pos..pos + len], &opts).unwrap();
        black_box(&c);
        n += 1;
        pos += len;
    }
    n
}

fn imap_codec_commands(stream: &[u8]) -> usize {
    let codec = imap_codec::CommandCodec::default();
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, c) = codec.decode(rest).unwrap();
        black_box(&c);
        n += 1;
        rest = r;
    }
    n
}

fn report(name: &str, items: usize, bytes: usize, f: impl Fn() -> usize) {
    let (_, allocs) = counting_alloc::count(GLOBAL, &f);
    let t = Instant::now();
    let mut runs = 0u32;
    while t.elapsed().as_millis() < 500 {
        black_box(f());
        runs += 1;
    }
    let secs = t.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "{name:<40} {:>12.0} items/s {:>9.1} MiB/s {:>8.2} allocations/item",
        items as f64 / secs,
        bytes as f64 / secs / (1024.0 * 1024.0),
        allocs as f64 / items as f64
    );
}

fn summary(fetch: &[u8], nf: usize, lits: &[u8], nl: usize, cmds: &[u8], nc: usize) {
    println!("summary (0.5 s each; allocations counted on one pass):");
    report("(1) fetch/mailwire", nf, fetch.len(), || {
        mailwire_fetch(fetch)
    });
    report("(1) fetch/mailwire (visitor)", nf, fetch.len(), || {
        mailwire_fetch_visit(fetch)
    });
    report("(1) fetch/mailwire (parse only)", nf, fetch.len(), || {
        mailwire_fetch_parse_only(fetch)
    });
    report("(1) fetch/imap-proto (parse only)", nf, fetch.len(), || {
        imap_proto_all(fetch)
    });
    report(
        "(1) fetch/imap-proto (parse and walk)",
        nf,
        fetch.len(),
        || imap_proto_walk(fetch),
    );
    report("(1) fetch/imap-codec", nf, fetch.len(), || {
        imap_codec_responses(fetch)
    });
    report("(2) literals/mailwire", nl, lits.len(), || {
        mailwire_fetch(lits)
    });
    report("(2) literals/imap-proto", nl, lits.len(), || {
        imap_proto_all(lits)
    });
    report("(2) literals/imap-codec", nl, lits.len(), || {
        imap_codec_responses(lits)
    });
    report("(3) commands/mailwire", nc, cmds.len(), || {
        mailwire_commands(cmds)
    });
    report("(3) commands/imap-codec", nc, cmds.len(), || {
        imap_codec_commands(cmds)
    });
}

fn bench(c: &mut Criterion) {
    let (fetch, nf) = fetch_stream();
    let (lits, nl) = literal_stream();
    let (cmds, nc) = command_stream();
    assert_eq!(mailwire_commands(&cmds), nc);
    assert_eq!(imap_codec_commands(&cmds), nc);
    assert_eq!(imap_codec_responses(&fetch), nf);
    // both walks touch the same fields and find the same sums, but for the
    // subject's `\"draft\"`: imap-proto leaves the two escapes in place
    assert_eq!(mailwire_fetch(&fetch) + 2 * nf, imap_proto_walk(&fetch));
    assert_eq!(mailwire_fetch_visit(&fetch), mailwire_fetch(&fetch));

    if std::env::var_os("IMAP_BENCH_NO_SUMMARY").is_none() {
        summary(&fetch, nf, &lits, nl, &cmds, nc);
    }

    let mut g = c.benchmark_group("imap_fetch_envelope_bodystructure");
    g.throughput(Throughput::Bytes(fetch.len() as u64));
    g.bench_function("mailwire", |b| b.iter(|| black_box(mailwire_fetch(&fetch))));
    g.bench_function("mailwire-visitor", |b| {
        b.iter(|| black_box(mailwire_fetch_visit(&fetch)))
    });
    g.bench_function("imap-proto", |b| {
        b.iter(|| black_box(imap_proto_all(&fetch)))
    });
    g.bench_function("imap-proto-walk", |b| {
        b.iter(|| black_box(imap_proto_walk(&fetch)))
    });
    g.bench_function("mailwire-parse-only", |b| {
        b.iter(|| black_box(mailwire_fetch_parse_only(&fetch)))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| black_box(imap_codec_responses(&fetch)))
    });
    g.finish();

    let mut g = c.benchmark_group("imap_fetch_body_literal_50k");
    g.throughput(Throughput::Bytes(lits.len() as u64));
    g.bench_function("mailwire", |b| b.iter(|| black_box(mailwire_fetch(&lits))));
    g.bench_function("imap-proto", |b| {
        b.iter(|| black_box(imap_proto_all(&lits)))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| black_box(imap_codec_responses(&lits)))
    });
    g.finish();

    let mut g = c.benchmark_group("imap_commands_mixed");
    g.throughput(Throughput::Bytes(cmds.len() as u64));
    g.bench_function("mailwire", |b| {
        b.iter(|| black_box(mailwire_commands(&cmds)))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| black_box(imap_codec_commands(&cmds)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
