//! Interop: COMPRESS=DEFLATE (RFC 4978) against Dovecot (its `imap_zlib`
//! plugin, turned on by `tests/peers/start.sh`). The client machine logs in,
//! sends `COMPRESS DEFLATE`, and after its tagged OK this test puts raw
//! DEFLATE (RFC 1951, flate2, a sync flush per write as RFC 4978 §4 asks)
//! under both directions of the socket; then it FETCHes the seeded messages
//! and compares them byte for byte with the files start.sh seeded. Skips
//! loudly without peers locally; fails under `CI=true`. The copyable driver (`imap_latest`) and the
//! `imap_client` example (`--compress`, plain and after STARTTLS) run COMPRESS against Dovecot too.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::peers::{Peers, peers_or_skip};
use flate2::Compression;
use flate2::write::{DeflateDecoder, DeflateEncoder};
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, Data, FetchItem, FetchQuery, StatusKind, Tag,
};

/// DEFLATE under the socket: the deflater for what we send, the inflater for
/// what we read.
type Deflate = (DeflateEncoder<Vec<u8>>, DeflateDecoder<Vec<u8>>);

struct Session {
    sock: TcpStream,
    client: Client,
    /// `Some` once DEFLATE is on: (deflater for what we send, inflater for
    /// what we read).
    deflate: Option<Deflate>,
    /// Compressed bytes on the wire, both ways (to show compression ran).
    wire_in: usize,
}

impl Session {
    fn flush(&mut self) {
        while let Some(b) = self.client.poll_transmit() {
            match &mut self.deflate {
                Some((enc, _)) => {
                    enc.write_all(&b).unwrap();
                    enc.flush().unwrap(); // Z_SYNC_FLUSH: the command leaves now
                    let wire = std::mem::take(enc.get_mut());
                    self.sock.write_all(&wire).unwrap();
                }
                None => self.sock.write_all(&b).unwrap(),
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        match &mut self.deflate {
            Some((_, dec)) => {
                self.wire_in += bytes.len();
                dec.write_all(bytes).unwrap();
                dec.flush().unwrap();
                let plain = std::mem::take(dec.get_mut());
                self.client.handle_input(&plain);
            }
            None => self.client.handle_input(bytes),
        }
    }

    /// Runs until `tag` completes; returns its status, the inline and
    /// streamed body bytes seen, and whether COMPRESS was handed over.
    fn run(&mut self, tag: &Tag<'static>) -> (StatusKind, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut body = Vec::new();
        self.flush();
        loop {
            let mut done = None;
            let mut compress = false;
            while let Some(ev) = self.client.poll_event().expect("client error") {
                match ev {
                    ClientEvent::Completed { tag: t, status, .. } if t == *tag => {
                        done = Some(status);
                    }
                    ClientEvent::Compress => compress = true,
                    ClientEvent::FetchBodyChunk(c) => body.extend_from_slice(&c),
                    ClientEvent::Data {
                        data: Data::Fetch { items, .. },
                        ..
                    } => {
                        for item in items.iter() {
                            if let FetchItem::BodySection { data, .. } = item {
                                if let Some(d) = data.as_ref().map(|s| s.as_bytes()) {
                                    body.extend_from_slice(d);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            if compress {
                // the OK was the last plain byte: DEFLATE both ways from here
                self.flush();
                self.deflate = Some((
                    DeflateEncoder::new(Vec::new(), Compression::default()),
                    DeflateDecoder::new(Vec::new()),
                ));
                let early = self.client.compression_established().unwrap();
                if !early.is_empty() {
                    self.feed(&early);
                }
            }
            if let Some(status) = done {
                self.flush();
                return (status, body);
            }
            assert!(Instant::now() < deadline, "no completion for {tag:?}");
            self.flush();
            let mut buf = [0u8; 16384];
            let n = self.sock.read(&mut buf).expect("read");
            assert!(n > 0, "Dovecot closed the connection");
            self.feed(&buf[..n]);
        }
    }
}

fn seed(peers: &Peers, n: u32) -> Vec<u8> {
    let dir = peers.var("PEERS_DIR").expect("PEERS_DIR in peers.env");
    let lf = std::fs::read(format!("{dir}/seed/{n}.eml")).expect("seed file");
    // Maildir keeps LF; IMAP sends CRLF
    let mut crlf = Vec::with_capacity(lf.len() + lf.len() / 40);
    for &b in &lf {
        if b == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(b);
    }
    crlf
}

#[test]
fn compress_deflate_then_fetch_seeds_byte_for_byte() {
    let Some(peers) = peers_or_skip("compress_deflate_then_fetch_seeds_byte_for_byte") else {
        return;
    };
    let sock = TcpStream::connect((peers.host.as_str(), peers.imap)).expect("IMAP port");
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut s = Session {
        sock,
        client: Client::new(ClientConfig::default()),
        deflate: None,
        wire_in: 0,
    };
    let login = s.client.login(&peers.user, peers.pass.as_str()).unwrap();
    assert_eq!(s.run(&login).0, StatusKind::Ok, "LOGIN");
    assert!(
        s.client.capabilities().has("COMPRESS=DEFLATE"),
        "Dovecot does not offer COMPRESS=DEFLATE: is imap_zlib on (tests/peers/start.sh)?"
    );
    let compress = s.client.compress().unwrap();
    assert_eq!(s.run(&compress).0, StatusKind::Ok, "COMPRESS DEFLATE");
    assert!(s.client.is_compressed() && s.deflate.is_some());

    let select = s.client.examine("INBOX").unwrap();
    assert_eq!(s.run(&select).0, StatusKind::Ok, "EXAMINE over DEFLATE");
    // seed 1 (small, inline) and seed 4 (~1 MiB, streamed)
    for n in [1u32, 4] {
        let before = s.wire_in;
        let fetch = s.client.fetch(n, &FetchQuery::new().message()).unwrap();
        let (status, body) = s.run(&fetch);
        assert_eq!(status, StatusKind::Ok, "FETCH {n}");
        let want = seed(&peers, n);
        assert_eq!(body.len(), want.len(), "seed {n} length");
        assert!(body == want, "seed {n} differs");
        assert!(s.wire_in > before, "the answer came compressed");
    }
    let logout = s.client.logout().unwrap();
    s.run(&logout);
}

/// The copyable tokio driver's DEFLATE (examples/driver/deflate.rs) against Dovecot: `imap_latest` with
/// `MAILWIRE_COMPRESS=1` turns COMPRESS on after login and still lists the seeded subjects.
#[test]
fn imap_latest_example_with_compress() {
    let Some(peers) = peers_or_skip("imap_latest_example_with_compress") else {
        return;
    };
    let bin = common::harness::example_path("imap_latest");
    if !bin.exists() {
        common::peers::skip_or_fail(
            "imap_latest_example_with_compress",
            "imap_latest is not built",
        );
        return;
    }
    let addr = format!("{}:{}", peers.host, peers.imap);
    let out = std::process::Command::new(bin)
        .args([addr.as_str(), peers.user.as_str(), peers.pass.as_str()])
        .env("MAILWIRE_COMPRESS", "1")
        .output()
        .expect("imap_latest runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("COMPRESS=DEFLATE on"), "{stderr}");
    // the envelopes of the seeds came through the compressed stream
    assert!(stdout.contains("Seed 1"), "{stdout}");
    assert!(stdout.contains("Seed 4"), "{stdout}");
}

/// The `imap_client` example with `--compress` against Dovecot: after login it sends COMPRESS DEFLATE
/// (offered by imap_zlib), puts the examples' DEFLATE layer (examples/common/deflate.rs) under the session,
/// and FETCHes a seed whose body must arrive byte for byte. `tls`: STARTTLS first (TLS under DEFLATE).
fn imap_client_with_compress(test: &str, n: u32, tls: bool) {
    let Some(peers) = peers_or_skip(test) else {
        return;
    };
    let bin = common::harness::example_path("imap_client");
    if !bin.exists() {
        common::peers::skip_or_fail(
            test,
            "imap_client is not built (cargo test builds examples)",
        );
        return;
    }
    let mut command = std::process::Command::new(bin);
    command
        .arg("--server")
        .arg(format!("{}:{}", peers.host, peers.imap))
        .args([
            "--user",
            &peers.user,
            "--password",
            &peers.pass,
            "--compress",
        ]);
    if tls {
        command.args(["--starttls", "--insecure"]);
    }
    let items = "(BODY.PEEK[])";
    command.args(["fetch", "INBOX", &n.to_string(), items]);
    // the output drained on threads: a 1 MiB body would fill a pipe nobody reads
    let what = format!("imap_client --compress fetch {n}");
    let out = common::harness::try_run_for(&mut command, &what, Duration::from_secs(60))
        .expect("imap_client runs");
    let err = &out.stderr;
    assert!(out.status.success(), "{err}");
    // the tagged OK of COMPRESS, then the client's note that DEFLATE is under the session
    let lines: Vec<&str> = err.lines().collect();
    let on = lines.iter().position(|l| *l == "-- DEFLATE active");
    let on = on.unwrap_or_else(|| panic!("no DEFLATE: {err}"));
    assert!(
        on > 0 && lines[on - 1].split(' ').nth(1) == Some("OK"),
        "{err}"
    );
    if tls {
        assert!(err.contains("TLS established"), "{err}");
    }
    let want = seed(&peers, n);
    assert_eq!(out.stdout.len(), want.len(), "seed {n} length\n{err}");
    assert!(out.stdout == want, "seed {n} differs");
    // LOGOUT answered over DEFLATE too (RFC 9051 §6.1.3: BYE, then the tagged OK)
    assert!(lines[on..].iter().any(|l| l.starts_with("* BYE")), "{err}");
}

#[test]
fn imap_client_example_with_compress_fetches_the_large_seed() {
    // seed 4, ~1 MiB: many compressed reads, each inflated in bounded pieces
    imap_client_with_compress(
        "imap_client_example_with_compress_fetches_the_large_seed",
        4,
        false,
    );
}

#[test]
fn imap_client_example_with_compress_over_starttls() {
    imap_client_with_compress("imap_client_example_with_compress_over_starttls", 1, true);
}
