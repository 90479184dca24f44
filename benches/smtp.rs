//! SMTP codec benchmarks against smtp-proto in the same groups: a pipelined
//! stream of 20 000 realistic commands, and 10 000 replies including multi-line
//! EHLO replies. Throughput is reported per item and per byte; allocations per
//! parsed item are counted with an instrumented global allocator and printed.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use mailwire::Limits;
use mailwire::error::LimitKind;
use mailwire::smtp::{ReplyFramer, parse_command, parse_reply};
use mailwire::wire::line::{LineFinder, LinePolicy};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

const COMMANDS: usize = 20_000;
const REPLIES: usize = 10_000;

/// A pipelined client stream: sessions of EHLO, AUTH, MAIL with parameters,
/// several RCPTs, DATA (body not included: it is DATA unstuffing's bench), RSET,
/// NOOP and QUIT.
fn command_stream() -> Vec<u8> {
    let session: [&str; 10] = [
        "EHLO client-42.mail.example.org\r\n",
        "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldC1wYXNzd29yZA==\r\n",
        "MAIL FROM:<alice.sender@example.org> SIZE=48213 BODY=8BITMIME\r\n",
        "RCPT TO:<bob@example.net>\r\n",
        "RCPT TO:<carol.receiver@mail.example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol+40example.com\r\n",
        "RCPT TO:<dave@example.net>\r\n",
        "DATA\r\n",
        "RSET\r\n",
        "NOOP\r\n",
        "QUIT\r\n",
    ];
    let mut out = Vec::new();
    for i in 0..COMMANDS {
        out.extend_from_slice(session[i % session.len()].as_bytes());
    }
    out
}

/// Server replies: single-line replies with enhanced codes, a 354, and a
/// 9-line EHLO reply every tenth reply.
fn reply_stream() -> Vec<u8> {
    let ehlo = "250-mx.example.net Hello client-42.mail.example.org [192.0.2.42]\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n250-DSN\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n";
    let singles: [&str; 9] = [
        "220 mx.example.net ESMTP ready\r\n",
        "235 2.7.0 Authentication successful\r\n",
        "250 2.1.0 Sender OK\r\n",
        "250 2.1.5 Recipient OK\r\n",
        "550 5.1.1 <dave@example.net>: Recipient address rejected: User unknown\r\n",
        "354 End data with <CR><LF>.<CR><LF>\r\n",
        "250 2.0.0 Ok: queued as 4BxY7d0Qz9z1234\r\n",
        "250 2.0.0 OK\r\n",
        "221 2.0.0 Bye\r\n",
    ];
    let mut out = Vec::new();
    for i in 0..REPLIES {
        if i % 10 == 0 {
            out.extend_from_slice(ehlo.as_bytes());
        } else {
            out.extend_from_slice(singles[i % singles.len()].as_bytes());
        }
    }
    out
}

fn mailwire_commands(buf: &[u8]) -> usize {
    let limits = Limits::default();
    let mut lines = LineFinder::new(
        limits.command_line,
        LimitKind::CommandLine,
        LinePolicy::STRICT,
    );
    let mut pos = 0;
    let mut n = 0;
    while let Ok(Some(line)) = lines.find(&buf[pos..]) {
        // Like smtp-proto's side: the result itself is observed (no move out
        // of it); only successful parses are counted, and the count is checked.
        let cmd = parse_command(line.content(&buf[pos..]));
        black_box(&cmd);
        pos += line.consumed;
        n += usize::from(cmd.is_ok());
    }
    n
}

fn smtp_proto_commands(buf: &[u8]) -> usize {
    let mut it = buf.iter();
    let mut n = 0;
    while it.len() > 0 {
        let r = smtp_proto::Request::parse(&mut it);
        black_box(&r);
        n += 1;
    }
    n
}

fn mailwire_replies(buf: &[u8]) -> usize {
    let mut framer = ReplyFramer::new(&Limits::default(), LinePolicy::STRICT);
    let mut pos = 0;
    let mut n = 0;
    while let Ok(Some(len)) = framer.find(&buf[pos..]) {
        let r = parse_reply(&buf[pos..pos + len]);
        black_box(&r);
        pos += len;
        n += usize::from(r.is_ok());
    }
    n
}

fn smtp_proto_replies(buf: &[u8]) -> usize {
    let mut it = buf.iter();
    let mut rx = smtp_proto::response::parser::ResponseReceiver::default();
    let mut n = 0;
    while it.len() > 0 {
        let r = rx.parse(&mut it);
        black_box(&r);
        rx.reset();
        n += 1;
    }
    n
}

/// Allocations per item for one pass of `f`.
fn allocs_per_item(buf: &[u8], f: fn(&[u8]) -> usize) -> (usize, f64) {
    let (n, allocs) = counting_alloc::count(GLOBAL, || f(black_box(buf)));
    (n, allocs as f64 / n as f64)
}

fn bench(c: &mut Criterion) {
    let commands = command_stream();
    let replies = reply_stream();

    let (n_ours, a_ours) = allocs_per_item(&commands, mailwire_commands);
    let (n_peer, a_peer) = allocs_per_item(&commands, smtp_proto_commands);
    assert_eq!(n_ours, COMMANDS);
    assert_eq!(n_peer, COMMANDS);
    println!("allocations per command: mailwire {a_ours:.3}, smtp-proto {a_peer:.3}");
    let (n_ours, a_ours) = allocs_per_item(&replies, mailwire_replies);
    let (n_peer, a_peer) = allocs_per_item(&replies, smtp_proto_replies);
    assert_eq!(n_ours, REPLIES);
    assert_eq!(n_peer, REPLIES);
    println!("allocations per reply: mailwire {a_ours:.3}, smtp-proto {a_peer:.3}");
    println!(
        "streams: {} commands in {} bytes, {} replies in {} bytes",
        COMMANDS,
        commands.len(),
        REPLIES,
        replies.len()
    );

    for (unit, tp_c, tp_r) in [
        (
            "items",
            Throughput::Elements(COMMANDS as u64),
            Throughput::Elements(REPLIES as u64),
        ),
        (
            "bytes",
            Throughput::Bytes(commands.len() as u64),
            Throughput::Bytes(replies.len() as u64),
        ),
    ] {
        let mut g = c.benchmark_group(format!("smtp_commands_{unit}"));
        g.throughput(tp_c);
        g.bench_function("mailwire", |b| {
            b.iter(|| mailwire_commands(black_box(&commands)))
        });
        g.bench_function("smtp-proto", |b| {
            b.iter(|| smtp_proto_commands(black_box(&commands)))
        });
        g.finish();
        let mut g = c.benchmark_group(format!("smtp_replies_{unit}"));
        g.throughput(tp_r);
        g.bench_function("mailwire", |b| {
            b.iter(|| mailwire_replies(black_box(&replies)))
        });
        g.bench_function("smtp-proto", |b| {
            b.iter(|| smtp_proto_replies(black_box(&replies)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
