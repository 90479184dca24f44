//! A decompression bomb through the examples' DEFLATE layer (`examples/common/deflate.rs`): 256 MiB
//! inflated from about 256 KB read, while the layer allocates nothing: every byte goes straight into the
//! reader's buffer, so the memory a hostile peer can make us hold is that buffer plus [`CHUNK`] of input.
//! One test in its own binary, so the counting global allocator sees no other test's work.

#[path = "../examples/common/deflate.rs"]
#[allow(dead_code, unreachable_pub)]
mod deflate;

use std::alloc::System;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use deflate::{CHUNK, Deflated};
use flate2::{Compress, Compression, FlushCompress};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tokio::io::{AsyncRead, ReadBuf};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// `mib` MiB of zero bytes as one raw DEFLATE stream, sync-flushed per MiB: the first MiB, then a MiB
/// that (with a window of zeros behind it) compresses the same every time, repeated.
fn bomb(mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let mut block = || {
        let (start, mut out) = (c.total_in(), Vec::with_capacity(1 << 16));
        c.compress_vec(&zeros, &mut out, FlushCompress::Sync)
            .unwrap();
        assert_eq!(c.total_in() - start, 1 << 20);
        assert!(out.len() < out.capacity(), "the flush is complete");
        out
    };
    let (first, second, third) = (block(), block(), block());
    assert_eq!(
        second, third,
        "a MiB of zeros after zeros compresses the same"
    );
    let mut wire = first;
    for _ in 1..mib {
        wire.extend_from_slice(&second);
    }
    wire
}

#[test]
fn a_bomb_inflates_into_the_readers_buffer_only() {
    const MIB: usize = 256;
    let wire = bomb(MIB);
    assert!(wire.len() < MIB << 11, "{} bytes on the wire", wire.len());
    // the connection: always ready, so a no-op waker drives the reads
    let mut d = Deflated::new(&wire[..], b"");
    let mut cx = Context::from_waker(Waker::noop());
    let mut buf = vec![0u8; 16 * 1024];
    let (mut total, mut reads, mut nonzero) = (0usize, 0usize, false);
    let region = Region::new(GLOBAL);
    loop {
        let mut rb = ReadBuf::new(&mut buf);
        match Pin::new(&mut d).poll_read(&mut cx, &mut rb) {
            Poll::Ready(Ok(())) => {}
            other => panic!("read {reads}: {other:?}"),
        }
        let n = rb.filled().len();
        if n == 0 {
            break;
        }
        nonzero |= rb.filled().iter().any(|&b| b != 0);
        total += n;
        reads += 1;
    }
    let stats = region.change();
    assert_eq!(total, MIB << 20, "all of it, in {reads} reads");
    assert!(!nonzero);
    assert!(
        reads >= total / buf.len(),
        "{reads} reads of at most {} bytes",
        buf.len()
    );
    // nothing grows with what the peer sends (a little slack for the harness's own thread)
    assert!(
        stats.bytes_allocated < CHUNK,
        "{} bytes allocated in {} allocations while inflating {total} bytes",
        stats.bytes_allocated,
        stats.allocations
    );
}
