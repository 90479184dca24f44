//! The examples' DEFLATE layer (`examples/common/deflate.rs`, RFC 4978 over raw RFC 1951 streams) on its
//! own, over tokio's in-memory pipe, with hostile and awkward input: output the inflater holds back for a
//! full reader's buffer comes out without more input arriving (a peer that sent a whole command waits for
//! the answer), a stream that is not DEFLATE fails with `InvalidData`, and a peer that closes mid-stream is
//! an ordinary end of input. The bytes fed in are made by CPython's zlib where it matters (see
//! `interop_imap_server_compress.rs`); here flate2 makes them.

#[path = "../examples/common/deflate.rs"]
#[allow(dead_code, unreachable_pub)]
mod deflate;

use std::io::ErrorKind;
use std::time::Duration;

use deflate::Deflated;
use flate2::{Compress, Compression, FlushCompress};
use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

/// `plain` as one raw DEFLATE piece, sync-flushed (what a peer sends for one command).
fn deflated(plain: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(plain.len() + 1024);
    c.compress_vec(plain, &mut out, FlushCompress::Sync)
        .unwrap();
    assert_eq!(c.total_in() as usize, plain.len());
    assert!(out.len() < out.capacity(), "the flush is complete");
    out
}

/// Fails the test instead of hanging it.
async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no progress (a hang)"))
}

#[tokio::test]
async fn held_back_output_comes_out_without_more_input() {
    // 1 MiB that compresses well, sent whole; the peer then waits (the pipe stays open)
    let plain: Vec<u8> = (0..1u32 << 20)
        .map(|i| b"abcdefgh\r\n"[(i % 10) as usize])
        .collect();
    let (mut peer, ours) = duplex(1 << 20);
    peer.write_all(&deflated(&plain)).await.unwrap();
    let mut d = Deflated::new(ours, b"");
    let (mut got, mut buf) = (Vec::new(), [0u8; 1000]);
    while got.len() < plain.len() {
        let n = within("reading 1 MiB in 1000-byte pieces", d.read(&mut buf))
            .await
            .unwrap();
        assert!(n > 0, "EOF after {} bytes", got.len());
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got == plain, "the bytes inflate back");
    drop(peer);
}

#[tokio::test]
async fn early_bytes_come_first() {
    // what came with the COMPRESS answer before DEFLATE was in place, then the rest from the connection
    let wire = deflated(b"a1 NOOP\r\na2 LOGOUT\r\n");
    let (early, rest) = wire.split_at(5);
    let (mut peer, ours) = duplex(1024);
    peer.write_all(rest).await.unwrap();
    drop(peer);
    let mut d = Deflated::new(ours, early);
    let mut got = Vec::new();
    within("reading", d.read_to_end(&mut got)).await.unwrap();
    assert_eq!(got, b"a1 NOOP\r\na2 LOGOUT\r\n");
}

#[tokio::test]
async fn a_stream_that_is_not_deflate_is_invalid_data() {
    // RFC 1951 §3.2.3: BTYPE 11 is reserved ("error"); 0xff is BFINAL 1, BTYPE 11
    let (mut peer, ours) = duplex(1024);
    peer.write_all(b"\xff\xff\xff\xffa1 NOOP\r\n")
        .await
        .unwrap();
    let mut d = Deflated::new(ours, b"");
    let mut buf = [0u8; 64];
    let e = within("reading garbage", d.read(&mut buf))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
}

#[tokio::test]
async fn a_peer_closing_mid_stream_is_the_end_of_input() {
    let wire = deflated(b"a1 NOOP\r\n");
    let (mut peer, ours) = duplex(1024);
    peer.write_all(&wire[..wire.len() - 3]).await.unwrap();
    drop(peer);
    let mut d = Deflated::new(ours, b"");
    let mut got = Vec::new();
    within("reading", d.read_to_end(&mut got)).await.unwrap();
    assert!(b"a1 NOOP\r\n".starts_with(&got), "{got:?}");
}

#[tokio::test]
async fn each_write_leaves_whole() {
    // RFC 4978 §4: a sync flush after each write, so the peer inflates every command as it arrives
    let (peer, ours) = duplex(1 << 16);
    let mut d = Deflated::new(ours, b"");
    let mut inflate = flate2::Decompress::new(false);
    let mut peer = peer;
    for line in [&b"* OK ready\r\n"[..], b"a1 OK done\r\n"] {
        d.write_all(line).await.unwrap();
        d.flush().await.unwrap();
        let mut wire = [0u8; 1024];
        let n = within("reading the write", peer.read(&mut wire))
            .await
            .unwrap();
        let mut out = Vec::with_capacity(1024);
        inflate
            .decompress_vec(&wire[..n], &mut out, flate2::FlushDecompress::None)
            .unwrap();
        assert_eq!(out, line, "the whole line, at once");
    }
}
