//! Dot-unstuffing of a 10 MiB message body: mailwire's borrowed-slice decoder
//! against smtp-proto's `DataReceiver` (which copies into a `Vec`) and against
//! memcpy/memchr baselines, in one criterion group. Input arrives in 64 KiB reads
//! as it would from a socket.
//!
//! Run: `cargo bench --bench wire`. Allocation counts are printed before the
//! timings.
#![allow(missing_docs)]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::wire::dot::{BodyPolicy, DotDecoder};

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

const READ: usize = 64 * 1024;

/// A realistic stuffed body: header lines, 76-column text, a dot-led line every
/// 50 lines, ending with the terminator.
fn body(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(
        b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: report\r\n\r\n",
    );
    let mut n = 0u32;
    while out.len() < size {
        n += 1;
        if n % 50 == 0 {
            out.extend_from_slice(
                b"..a line that began with a dot and was stuffed by the sender\r\n",
            );
        } else {
            out.extend_from_slice(
                b"Lorem ipsum dolor sit amet. Consectetur adipiscing elit, sed do eiusmod. T\r\n",
            );
        }
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// mailwire: walk the input in 64 KiB reads; unconsumed bytes (at most 2) stay
/// in the "buffer" for the next read, as in the state machines.
fn mailwire_decode(input: &[u8], sink: impl FnMut(&[u8])) -> usize {
    mailwire_decode_with(input, BodyPolicy::Strict, sink)
}

fn mailwire_decode_with(input: &[u8], policy: BodyPolicy, mut sink: impl FnMut(&[u8])) -> usize {
    let mut dec = DotDecoder::new(policy);
    let mut pos = 0;
    let mut end = READ.min(input.len());
    loop {
        let s = dec.decode(&input[pos..end]).unwrap();
        sink(s.data);
        pos += s.consumed;
        if s.end {
            return pos;
        }
        if s.consumed == 0 || pos == end {
            end = (end + READ).min(input.len());
        }
    }
}

fn smtp_proto_decode(input: &[u8], out: &mut Vec<u8>) -> bool {
    let mut rx = smtp_proto::request::receiver::DataReceiver::new();
    for chunk in input.chunks(READ) {
        if rx.ingest(&mut chunk.iter(), out) {
            return true;
        }
    }
    false
}

fn bench_dot(c: &mut Criterion) {
    let input = body(10 << 20);
    let mut out = Vec::with_capacity(input.len());

    // Correctness first: both decoders give the same body.
    let mut ours = Vec::new();
    mailwire_decode(&input, |d| ours.extend_from_slice(d));
    assert!(smtp_proto_decode(&input, &mut out));
    assert_eq!(ours, out, "decoders disagree");
    let (_, allocs) = counting_alloc::count(GLOBAL, || {
        mailwire_decode(&input, |d| {
            black_box(d);
        })
    });
    println!("dot/mailwire_borrowed: {allocs} allocations per 10 MiB body");
    out.clear();
    let (_, allocs) = counting_alloc::count(GLOBAL, || smtp_proto_decode(&input, &mut out));
    println!(
        "dot/smtp_proto_DataReceiver: {allocs} allocations per 10 MiB body (output Vec pre-sized)"
    );

    let mut g = c.benchmark_group("dot_decode_10MiB");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("memcpy_baseline", |b| {
        b.iter(|| {
            out.clear();
            for chunk in input.chunks(READ) {
                out.extend_from_slice(chunk);
            }
            black_box(out.len())
        })
    });
    g.bench_function("memchr_crlf_baseline", |b| {
        b.iter(|| black_box(memchr::memchr_iter(b'\n', &input).count()))
    });
    g.bench_function("smtp_proto_DataReceiver", |b| {
        b.iter(|| {
            out.clear();
            black_box(smtp_proto_decode(&input, &mut out))
        })
    });
    g.bench_function("mailwire_borrowed", |b| {
        b.iter(|| {
            let mut total = 0usize;
            mailwire_decode(&input, |d| total += black_box(d).len());
            black_box(total)
        })
    });
    g.bench_function("mailwire_borrowed_keep_bare", |b| {
        b.iter(|| {
            let mut total = 0usize;
            mailwire_decode_with(&input, BodyPolicy::KeepBare, |d| {
                total += black_box(d).len()
            });
            black_box(total)
        })
    });
    g.bench_function("mailwire_into_vec", |b| {
        b.iter(|| {
            out.clear();
            black_box(mailwire_decode(&input, |d| out.extend_from_slice(d)))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_dot);
criterion_main!(benches);
