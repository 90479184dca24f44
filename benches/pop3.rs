//! POP3 benches: parsing 10 000-line LIST and UIDL listings (lines/s, MiB/s,
//! allocations per line) with the codec alone and through the client machine,
//! and streaming a 10 MiB RETR through the client machine against smtp-proto's
//! `DataReceiver` on the same bytes. Input arrives in 64 KiB reads.
//!
//! Run: `cargo bench --bench pop3`. Allocation counts are printed before the
//! timings.
#![allow(missing_docs)]

#[allow(unreachable_pub)]
#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::Secret;
use mailwire::pop3::parse::MultiLines;
use mailwire::pop3::{Client, ClientConfig, ClientEvent, Command, ScanListing, UniqueIdListing};

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

const READ: usize = 64 * 1024;
const LINES: u32 = 10_000;

/// The body of a LIST answer (after `+OK`), terminator included.
fn list_body() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=LINES {
        out.extend_from_slice(format!("{i} {}\r\n", 1000 + (i * 7919) % 2_000_000).as_bytes());
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The body of a UIDL answer, with Dovecot-style 24-character ids.
fn uidl_body() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=LINES {
        out.extend_from_slice(format!("{i} 0000{i:08x}5f3e9a21c0ffee\r\n").as_bytes());
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// A 10 MiB dot-stuffed message body, terminator included.
fn retr_body(size: usize) -> Vec<u8> {
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

fn codec_list(body: &[u8]) -> u64 {
    let mut total = 0u64;
    for line in MultiLines::new(body) {
        total += ScanListing::parse(line.unwrap()).unwrap().size;
    }
    total
}

fn codec_uidl(body: &[u8]) -> usize {
    let mut total = 0usize;
    for line in MultiLines::new(body) {
        total += UniqueIdListing::parse(line.unwrap())
            .unwrap()
            .uid
            .as_bytes()
            .len();
    }
    total
}

/// A logged-in client that sent `command`; the server's answers to USER and
/// PASS are already fed.
fn client_after(command: &Command<'_>) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"+OK ready\r\n+OK\r\n+OK\r\n");
    c.send_command(&Command::User { name: "u".into() }).unwrap();
    c.send_command(&Command::Pass {
        password: Secret::from("p"),
    })
    .unwrap();
    c.send_command(command).unwrap();
    while c.poll_event().unwrap().is_some() {}
    c.handle_input(b"+OK\r\n");
    c
}

/// Feeds `body` in 64 KiB reads and counts events of interest.
fn client_run(mut client: Client, body: &[u8]) -> (u64, u64) {
    let (mut items, mut bytes) = (0u64, 0u64);
    for chunk in body.chunks(READ) {
        client.handle_input(chunk);
        while let Some(e) = client.poll_event().unwrap() {
            match e {
                ClientEvent::ScanListing(s) => {
                    items += 1;
                    bytes += s.size;
                }
                ClientEvent::UniqueId(u) => {
                    items += 1;
                    bytes += u.uid.as_bytes().len() as u64;
                }
                ClientEvent::BodyChunk(c) => {
                    items += 1;
                    bytes += black_box(c).len() as u64;
                }
                _ => {}
            }
        }
    }
    (items, bytes)
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

fn bench_listings(c: &mut Criterion) {
    let list = list_body();
    let uidl = uidl_body();
    let list_cmd = Command::List { msg: None };
    let uidl_cmd = Command::Uidl { msg: None };

    // Correctness and allocations first.
    assert_eq!(
        client_run(client_after(&list_cmd), &list).0,
        u64::from(LINES)
    );
    assert_eq!(
        client_run(client_after(&uidl_cmd), &uidl).0,
        u64::from(LINES)
    );
    let (_, a) = counting_alloc::count(GLOBAL, || codec_list(&list));
    println!("listing/codec_LIST: {a} allocations for {LINES} lines");
    let (_, a) = counting_alloc::count(GLOBAL, || codec_uidl(&uidl));
    println!("listing/codec_UIDL: {a} allocations for {LINES} lines");
    for (name, cmd, body) in [("LIST", &list_cmd, &list), ("UIDL", &uidl_cmd, &uidl)] {
        let client = client_after(cmd);
        let (_, a) = counting_alloc::count(GLOBAL, || client_run(client, body));
        println!(
            "listing/client_{name}: {a} allocations for {LINES} lines ({:.4} per line; \
             the machine's input buffer growing as 64 KiB reads arrive)",
            a as f64 / f64::from(LINES)
        );
    }

    let mut g = c.benchmark_group("pop3_listing_10k_lines");
    for (name, cmd, body) in [("LIST", &list_cmd, &list), ("UIDL", &uidl_cmd, &uidl)] {
        g.throughput(Throughput::ElementsAndBytes {
            elements: u64::from(LINES),
            bytes: body.len() as u64,
        });
        g.bench_function(format!("codec_{name}"), |b| {
            b.iter(|| {
                if name == "LIST" {
                    black_box(codec_list(body) as usize)
                } else {
                    black_box(codec_uidl(body))
                }
            })
        });
        g.bench_function(format!("client_{name}"), |b| {
            b.iter_batched(
                || client_after(cmd),
                |client| black_box(client_run(client, body)),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn bench_retr(c: &mut Criterion) {
    let body = retr_body(10 << 20);
    let retr = Command::Retr { msg: 1 };

    // Correctness: both give the same body.
    let mut ours = Vec::new();
    let mut client = client_after(&retr);
    for chunk in body.chunks(READ) {
        client.handle_input(chunk);
        while let Some(e) = client.poll_event().unwrap() {
            if let ClientEvent::BodyChunk(c) = e {
                ours.extend_from_slice(c);
            }
        }
    }
    let mut theirs = Vec::with_capacity(body.len());
    assert!(smtp_proto_decode(&body, &mut theirs));
    assert_eq!(ours, theirs, "decoders disagree");
    let client = client_after(&retr);
    let (_, a) = counting_alloc::count(GLOBAL, || client_run(client, &body));
    println!("retr/client_machine: {a} allocations per 10 MiB RETR");

    let mut g = c.benchmark_group("pop3_retr_10MiB");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(20);
    g.bench_function("smtp_proto_DataReceiver", |b| {
        b.iter(|| {
            theirs.clear();
            black_box(smtp_proto_decode(&body, &mut theirs))
        })
    });
    g.bench_function("mailwire_client_machine", |b| {
        b.iter_batched(
            || client_after(&retr),
            |client| black_box(client_run(client, &body)),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_listings, bench_retr);
criterion_main!(benches);
