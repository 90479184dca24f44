//! Dot-unstuffing of a 10 MiB message body: mailwire's borrowed-slice decoder
//! against smtp-proto's `DataReceiver` (which copies into a `Vec`) and against
//! memcpy/memchr baselines, in one criterion group. Input arrives in 64 KiB reads
//! as it would from a socket.
//!
//! Run: `cargo bench --bench wire`. Allocation counts are printed before the
//! timings.
//!
//! A second group, `dot_scan_floor_10MiB`, shows where the strict decoder's
//! time goes (issue #19's DATA figure): the decoder, its block scan alone with
//! no stop (a copy of `wire::dot`'s per-block check, run over the whole body),
//! the same three loads per 16 positions with no compare, and the bare-CR/LF
//! half of the check alone. `RUSTFLAGS="-C target-cpu=x86-64-v3" cargo bench
//! --bench wire` shows the same loops compiled for AVX2.
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

/// The strict decoder's per-block check (a copy of `wire::dot::events`, which
/// is private): 0xFF at each position that needs a decision, `c[k]` being the
/// byte, `p[k]` the one before and `n[k]` the one after.
#[inline(always)]
fn events(p: &[u8; 64], c: &[u8; 64], n: &[u8; 64]) -> [u8; 64] {
    let mut e = [0u8; 64];
    for k in 0..64 {
        let lf = u8::from(c[k] == b'\n').wrapping_neg();
        let cr = u8::from(p[k] == b'\r').wrapping_neg();
        let dot = u8::from(n[k] == b'.').wrapping_neg();
        e[k] = (lf ^ cr) | (lf & dot);
    }
    e
}

/// Runs `block` over every 64-position block of `input` (the bytes before, at
/// and after each position) and counts the blocks where it is nonzero.
#[inline(always)]
fn scan_blocks(input: &[u8], block: impl Fn(&[u8; 64], &[u8; 64], &[u8; 64]) -> u8) -> usize {
    let end = input.len() - 1;
    let (p, c, n) = (&input[..end - 1], &input[1..end], &input[2..]);
    let mut hits = 0;
    for ((p, c), n) in p
        .chunks_exact(64)
        .zip(c.chunks_exact(64))
        .zip(n.chunks_exact(64))
    {
        let (Ok(p), Ok(c), Ok(n)) = (p.try_into(), c.try_into(), n.try_into()) else {
            break;
        };
        if block(p, c, n) != 0 {
            hits += 1;
        }
    }
    hits
}

fn bench_scan_floor(c: &mut Criterion) {
    let input = body(10 << 20);
    let stuffed = input.windows(3).filter(|w| w == b"\r\n.").count();
    // The check finds exactly the dot-led lines of this clean body (and the
    // terminator), in as many blocks.
    let found = scan_blocks(&input, |p, c, n| {
        events(p, c, n).iter().fold(0, |a, &x| a | x)
    });
    assert!(
        found > 0 && found <= stuffed,
        "{found} blocks, {stuffed} dot lines"
    );
    let mut g = c.benchmark_group("dot_scan_floor_10MiB");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("strict_decoder", |b| {
        b.iter(|| {
            let mut total = 0usize;
            mailwire_decode(&input, |d| total += black_box(d).len());
            black_box(total)
        })
    });
    g.bench_function("block_scan_without_stops", |b| {
        b.iter(|| {
            black_box(scan_blocks(black_box(&input), |p, c, n| {
                events(p, c, n).iter().fold(0, |a, &x| a | x)
            }))
        })
    });
    g.bench_function("same_loads_no_compare", |b| {
        b.iter(|| {
            black_box(scan_blocks(black_box(&input), |p, c, n| {
                let mut e = [0u8; 64];
                for k in 0..64 {
                    e[k] = p[k] | c[k] | n[k];
                }
                // Bytes of 0x80 or more: none in this body.
                e.iter().fold(0, |a, &x| a | x) & 0x80
            }))
        })
    });
    g.bench_function("bare_check_only", |b| {
        b.iter(|| {
            black_box(scan_blocks(black_box(&input), |p, c, _| {
                let mut e = [0u8; 64];
                for k in 0..64 {
                    let lf = u8::from(c[k] == b'\n').wrapping_neg();
                    let cr = u8::from(p[k] == b'\r').wrapping_neg();
                    e[k] = lf ^ cr;
                }
                e.iter().fold(0, |a, &x| a | x)
            }))
        })
    });
    g.bench_function("smtp_proto_DataReceiver", |b| {
        let mut out = Vec::with_capacity(input.len());
        b.iter(|| {
            out.clear();
            black_box(smtp_proto_decode(&input, &mut out))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_dot, bench_scan_floor);
criterion_main!(benches);
