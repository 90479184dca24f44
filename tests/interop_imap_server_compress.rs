//! COMPRESS=DEFLATE (RFC 4978) in the `imap_server` example, against a client nobody here wrote: a small
//! IMAP client in Python whose DEFLATE is CPython's `zlib` (the zlib C library), raw RFC 1951 streams
//! (`wbits=-15`: no zlib header or checksum) with a `Z_SYNC_FLUSH` after each command (RFC 4978 §4).
//! Python's `imaplib` cannot COMPRESS, hence the script. It checks, with RFC 4978:
//!
//! - §5 `command-auth =/ compress`: COMPRESS before login is refused and the session stays plain;
//! - §3 "the server MUST compress starting immediately after the CRLF that ends the tagged OK response":
//!   LIST, SELECT, FETCH (the seeded messages byte for byte), APPEND of 2 MiB that inflates far past any
//!   read buffer and its FETCH back, LOGOUT, all over DEFLATE, on plain TCP and after STARTTLS (TLS under
//!   DEFLATE, §3's order); the FETCH answers really are compressed on the wire;
//! - §3 "BAD Command unknown, invalid or unknown argument, or COMPRESS already active": a second
//!   COMPRESS gets `BAD [COMPRESSIONACTIVE]` (§5 `resp-text-code =/ "COMPRESSIONACTIVE"`);
//! - a client that sends its next command (compressed) right behind COMPRESS, without waiting for the OK as
//!   §3 requires: the server keeps those bytes and inflates them first;
//! - hostile input: a stream that is not DEFLATE closes the session (the server logs why), and a
//!   decompression bomb (128 MiB of one byte, no line end, in about 130 KB) meets the machine's command
//!   line limit (`* BYE`, closed) while the server's peak memory stays small: the adapter inflates in
//!   bounded pieces (`examples/common/deflate.rs`).
//!
//! Skips loudly without `python3`, fails under `CI=true`.

mod common;

use common::harness::{
    Seeded, ServerChild, USER, crlf, example, peak_rss_kib, run_python_checks, write_certificate,
};

const TEST: &str = "interop_imap_server_compress::python_zlib_client_compresses_with_the_server";

/// The client: `python3 FILE HOST PORT USER PASS CERT EXPECTED...`.
const SCRIPT: &str = r#"
import re, socket, ssl, sys, zlib

host, user, password, cert = sys.argv[1], sys.argv[3], sys.argv[4], sys.argv[5]
port = int(sys.argv[2])
expected = [open(name, 'rb').read() for name in sys.argv[6:]]
results = []


def check(what, passed, detail=''):
    """Prints and records one check."""
    results.append(passed)
    print('%-5s %s%s' % ('ok' if passed else 'FAIL', what, '' if passed else ': %r' % (detail,)))


class Conn:
    """A small IMAP client over a socket, with RFC 4978 DEFLATE once started."""

    def __init__(self):
        self.sock = socket.create_connection((host, port), timeout=60)
        self.buf = b''
        self.comp = self.decomp = None
        self.raw_in = self.plain_in = 0
        self.n = 0
        self.greeting = self.line()

    def send(self, data):
        if self.comp:
            # RFC 4978 section 4: a sync flush, so that the server sees the whole command now
            data = self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('the server closed the connection')
        if self.decomp:
            self.raw_in += len(data)
            data = self.decomp.decompress(data)
            self.plain_in += len(data)
        self.buf += data

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def line(self):
        while b'\r\n' not in self.buf:
            self.fill()
        i = self.buf.index(b'\r\n') + 2
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def response(self):
        """One response: its text and its literals."""
        text, literals = b'', []
        while True:
            l = self.line()
            text += l
            m = re.search(rb'\{(\d+)\}\r\n$', l)
            if not m:
                return text, literals
            literals.append(self.take(int(m.group(1))))

    def command(self, text, literal=None):
        """Sends `TAG text` (with a synchronizing literal); returns the untagged responses and the tagged line."""
        self.n += 1
        tag = b'C%d' % self.n
        if literal is None:
            self.send(tag + b' ' + text + b'\r\n')
        else:
            self.send(tag + b' ' + text + b' {%d}\r\n' % len(literal))
            cont = self.line()
            if not cont.startswith(b'+'):
                return [], cont
            self.send(literal + b'\r\n')
        untagged = []
        while True:
            text_, literals = self.response()
            if text_.startswith(tag + b' '):
                return untagged, text_
            untagged.append((text_, literals))

    def compress(self):
        untagged, done = self.command(b'COMPRESS DEFLATE')
        if done.split()[1:2] == [b'OK']:
            # RFC 4978 section 3: DEFLATE starts right after the CRLF of the tagged OK, both ways;
            # what was read past it already is compressed
            self.comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.decomp = zlib.decompressobj(-15)
            early, self.buf = self.buf, b''
            self.raw_in += len(early)
            self.buf = self.decomp.decompress(early)
        return done

    def starttls(self):
        untagged, done = self.command(b'STARTTLS')
        context = ssl.create_default_context(cafile=cert)
        self.sock = context.wrap_socket(self.sock, server_hostname='localhost')
        return done

    def login(self):
        return self.command(b'LOGIN %s %s' % (user.encode(), password.encode()))[1]

    def closed_within(self, seconds):
        """Reads until the server closes: whether it did within `seconds`, and what came before."""
        self.sock.settimeout(seconds)
        try:
            while True:
                self.fill()
        except (EOFError, ConnectionResetError):
            return True, self.buf
        except socket.timeout:
            return False, self.buf


def ok(done):
    return done.split()[1:2] == [b'OK']


def fetched(untagged):
    return [lits[0] for t, lits in untagged if b' FETCH ' in t and lits]


# 1. Plain TCP.
c = Conn()
check('greeting offers COMPRESS=DEFLATE', b'COMPRESS=DEFLATE' in c.greeting, c.greeting)
done = c.compress()
check('COMPRESS before login refused (RFC 4978 section 5: command-auth)',
      done.split()[1] in (b'BAD', b'NO') and c.comp is None, done)
done = c.login()
check('LOGIN (after the refused COMPRESS, still plain)', ok(done), done)
done = c.compress()
check('COMPRESS DEFLATE: OK', c.comp is not None, done)
untagged, done = c.command(b'LIST "" "*"')
names = [t.rstrip() for t, _ in untagged if t.startswith(b'* LIST')]
check('LIST over DEFLATE', ok(done) and any(n.endswith(b'INBOX') for n in names)
      and any(n.endswith(b'Lists') for n in names), untagged)
untagged, done = c.command(b'SELECT INBOX')
check('SELECT over DEFLATE', ok(done) and any(t == b'* %d EXISTS\r\n' % len(expected) for t, _ in untagged),
      untagged)
before = c.raw_in, c.plain_in
untagged, done = c.command(b'FETCH 1:%d (BODY.PEEK[])' % len(expected))
bodies = fetched(untagged)
check('FETCH BODY.PEEK[] over DEFLATE: the messages byte for byte', ok(done) and bodies == expected,
      [len(b) for b in bodies])
raw, plain = c.raw_in - before[0], c.plain_in - before[1]
check('the FETCH answer came compressed (%d bytes on the wire for %d)' % (raw, plain), 0 < raw < plain // 2)
untagged, done = c.command(b'COMPRESS DEFLATE')
check('a second COMPRESS: BAD [COMPRESSIONACTIVE] (RFC 4978 sections 3 and 5)', b' BAD [COMPRESSIONACTIVE]' in done, done)
# a message inflating to far more than a read buffer: 2 MiB of one repeated line
big = b'Subject: compressible\r\n\r\n' + b'the same line again and again, to compress well\r\n' * 44000
untagged, done = c.command(b'APPEND INBOX', literal=big)
check('APPEND of %d bytes over DEFLATE' % len(big), ok(done), done)
untagged, done = c.command(b'FETCH %d (BODY.PEEK[])' % (len(expected) + 1))
bodies = fetched(untagged)
check('FETCH of the APPENDed message: byte for byte', ok(done) and bodies == [big], [len(b) for b in bodies])
untagged, done = c.command(b'LOGOUT')
check('LOGOUT over DEFLATE', ok(done) and any(t.startswith(b'* BYE') for t, _ in untagged), (untagged, done))

# 2. STARTTLS, then COMPRESS (TLS below DEFLATE, RFC 4978 section 3).
t = Conn()
done = t.starttls()
check('STARTTLS', ok(done), done)
check('LOGIN over TLS', ok(t.login()))
done = t.compress()
check('COMPRESS DEFLATE over TLS: OK', t.comp is not None, done)
t.command(b'EXAMINE INBOX')
untagged, done = t.command(b'FETCH %d (BODY.PEEK[])' % len(expected))
check('FETCH over TLS and DEFLATE: byte for byte', ok(done) and fetched(untagged) == expected[-1:],
      [len(b) for b in fetched(untagged)])
untagged, done = t.command(b'LOGOUT')
check('LOGOUT over TLS and DEFLATE', ok(done), done)

# 3. A client that does not wait for the OK (RFC 4978 section 3 says it MUST): its next command, compressed,
#    comes with COMPRESS; the machine keeps those bytes and the adapter inflates them first.
e = Conn()
e.login()
e.comp = zlib.compressobj(6, zlib.DEFLATED, -15)
e.sock.sendall(b'E1 COMPRESS DEFLATE\r\n' + e.comp.compress(b'E2 NOOP\r\n') + e.comp.flush(zlib.Z_SYNC_FLUSH))
done = e.line()
check('COMPRESS with the next command right behind it: OK', done.startswith(b'E1 OK'), done)
e.decomp = zlib.decompressobj(-15)
e.buf = e.decomp.decompress(e.buf)
while not done.startswith(b'E2 '):
    done = e.line()
check('the command that came early is answered over DEFLATE', ok(done), done)
untagged, done = e.command(b'LOGOUT')
check('LOGOUT after it', ok(done), done)

# 4. A stream that is not DEFLATE: 0xff starts a block of the reserved type 11 (RFC 1951 section 3.2.3).
g = Conn()
g.login()
g.compress()
g.sock.sendall(b'\xff' * 64 + b'\r\n')
closed, _ = g.closed_within(30)
check('not DEFLATE: the server closes the session', closed)

# 5. A decompression bomb: 128 MiB of one byte, no CRLF, sync-flushed (about 130 KB on the wire).
b = Conn()
b.login()
b.compress()
comp = zlib.compressobj(9, zlib.DEFLATED, -15)
block = b'a' * (1 << 20)
bomb = b''.join(comp.compress(block) for _ in range(128)) + comp.flush(zlib.Z_SYNC_FLUSH)
try:
    b.sock.sendall(bomb)
except ConnectionError:
    pass  # closed before it took all of it
closed, said = b.closed_within(30)
check('a bomb with no line end: * BYE and closed (the command line limit)', closed and said.startswith(b'* BYE'),
      said)

failed = results.count(False)
print('%d of %d checks failed' % (failed, len(results)))
sys.exit(1 if failed else 0)
"#;

/// Three messages: short, 150 KiB of numbered lines (LF ends, served with CRLF), and a MIME one.
fn seed() -> Seeded {
    let mut long = b"From: a@example.com\nSubject: long\n\n".to_vec();
    for n in 0..5000 {
        long.extend_from_slice(
            format!("{n:06} the quick brown fox jumps over the lazy dog\n").as_bytes(),
        );
    }
    common::harness::seed_maildir(
        "compress",
        &["Lists"],
        vec![
            ("new", "1700000001.M1P1Q1.compress", "", b"Subject: short\r\n\r\nhello\r\n".to_vec()),
            ("cur", "1700000002.M2P2Q2.compress", ":2,S", long),
            (
                "new",
                "1700000003.M3P3Q3.compress",
                "",
                b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSch\xc3\xb6ne Gr\xc3\xbc\xc3\x9fe\r\n".to_vec(),
            ),
        ],
        crlf,
    )
}

#[test]
fn python_zlib_client_compresses_with_the_server() {
    if !common::harness::have_tool("python3", "python3", "imap_server", TEST) {
        return;
    }
    let seeded = seed();
    let tls = write_certificate(seeded.dir.path());
    let user = format!("{USER}:{}", common::harness::PASS);
    let server = ServerChild::example(
        &example(&["imap_server"], "imap_server"),
        "imap_server",
        &seeded.maildir,
        &["--user", &user],
        Some(&tls),
    );
    run_python_checks(
        &seeded,
        &server,
        &tls.0,
        ("compress_client.py", SCRIPT),
        &[],
        "COMPRESS client",
    );
    server.assert_logged(&[
        "DEFLATE active",
        "TLS established",
        // the command sent right behind COMPRESS was handed over with it
        "compressed bytes came early",
        // the stream that is not DEFLATE: the read failed with InvalidData
        "DEFLATE input",
        "command line length limit",
    ]);
    let peak = peak_rss_kib(server.pid()).expect("/proc/PID/status");
    assert!(
        peak < 48 * 1024,
        "imap_server peak RSS {peak} KiB after a 128 MiB decompression bomb\n{}",
        server.log()
    );
}
