//! Interop of the `imap_server` example with IMAP clients other people wrote: Python's imaplib, curl and
//! mbsync (isync), each against the server running over a temporary Maildir the test seeds.
//!
//! The tests run the example binary found next to this test binary (`target/<profile>/examples/`), built
//! once per run with `cargo build --example imap_server`. A test whose tool (`python3`, `curl`, `mbsync`) is
//! missing skips loudly, and fails under `CI=true`. Every child process is killed after [`CHILD_TIMEOUT`],
//! and the server when its guard drops.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::peers::skip_or_fail;

/// Any child (client, tool, server start-up) is killed after this long.
const CHILD_TIMEOUT: Duration = Duration::from_secs(30);
/// Building the example (once per run) may take this long.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// The mailbox user of the tests' `imap_server`.
const USER: &str = "carol";
/// Its password.
const PASS: &str = "s3cret-pass";

// ---------------------------------------------------------------------------------------------------------
// Children with time limits

/// What a finished child left behind.
struct Output {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

impl Output {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with everything the child (and the server) said unless it succeeded.
    fn assert_success(&self, what: &str, server: &ImapServer) -> &Self {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- server log\n{}",
            self.status,
            self.stdout_text(),
            self.stderr,
            server.log()
        );
        self
    }
}

/// Reads a child's pipe to the end on a thread, so the child never blocks on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Kills a child when dropped (a panicking test leaves nothing running).
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `command` to the end with stdin closed, killing it after `limit` (a panic then). `Err` only when it
/// cannot be started (not installed).
fn try_run_for(command: &mut Command, what: &str, limit: Duration) -> std::io::Result<Output> {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut child = KillOnDrop(child);
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("waiting for a child") {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.0.kill();
            let _ = child.0.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    match status {
        Some(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        None => panic!(
            "{what} did not finish within {limit:?} and was killed:\n--- stdout\n{}\n--- stderr\n{stderr}",
            String::from_utf8_lossy(&stdout)
        ),
    }
}

/// [`try_run_for`] with [`CHILD_TIMEOUT`], for programs that must exist.
fn run(command: &mut Command, what: &str) -> Output {
    try_run_for(command, what, CHILD_TIMEOUT).unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
}

/// Whether `tool` can be run (`tool --version`); if not, skips `test` loudly (fails under CI).
fn have_tool(tool: &str, package: &str, test: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        skip_or_fail(
            test,
            &format!(
                "`{tool}` is not installed (apt-get install {package}); this test runs it against the \
                 imap_server example"
            ),
        );
    }
    found
}

// ---------------------------------------------------------------------------------------------------------
// The example binary

/// `target/<profile>/examples/imap_server`, built (once per test run) with `cargo build --example`.
fn example() -> PathBuf {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/interop_imap_server-HASH → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("imap_server{}", std::env::consts::EXE_SUFFIX));
    match BUILT.get_or_init(|| build_example(profile_dir)) {
        Ok(()) => {}
        Err(e) if path.exists() => eprintln!(
            "interop_imap_server: warning: {e}\nusing the existing {}",
            path.display()
        ),
        Err(e) => panic!("{e}"),
    }
    assert!(
        path.exists(),
        "{} is missing after building the example",
        path.display()
    );
    path
}

fn build_example(profile_dir: &Path) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.args([
        "build",
        "--quiet",
        "--manifest-path",
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
        "--example",
        "imap_server",
    ]);
    // Cargo gives a test the package's variables (CARGO_MANIFEST_DIR, CARGO_PKG_*...) that the outer
    // `cargo test` did not have; build scripts watching them (ring's) would make every run rebuild.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let from_cargo_for_the_test = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| key.starts_with(prefix))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*key);
        if from_cargo_for_the_test {
            command.env_remove(&*key);
        }
    }
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(other) => {
            command.args(["--profile", other]);
        }
    }
    eprintln!("interop_imap_server: building the example the tests run: {command:?}");
    let output = try_run_for(&mut command, "cargo build --example", BUILD_TIMEOUT)
        .map_err(|e| format!("cannot run cargo to build the example: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo build --example imap_server` failed ({}):\n{}",
            output.status, output.stderr
        ))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Temporary directories, the seeded Maildir, the certificate

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "mailwire-interop-imap-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A message as the server sends it: bare LF (or CR) line ends become CRLF.
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 16);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' if raw.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A Maildir with three messages in INBOX, in this order (Maildir ids sort so), and an empty folder
/// `Lists` (a Maildir++ `.Lists`):
/// 1. `new/`, LF line ends, a plain text message whose body has lines starting with `.`, `..` and a lone `.`;
/// 2. `cur/` flagged `S`, CRLF line ends, multipart/mixed with a text part and a base64 PDF attachment;
/// 3. `new/`, LF line ends, 8-bit UTF-8 in the subject and the body, dot-led lines, about 100 KiB (more
///    than one chunk of the server's streaming).
struct Seeded {
    /// Holds the Maildir and whatever else a test puts there.
    dir: TempDir,
    maildir: PathBuf,
    /// The Maildir ids, in message order (UIDs 1, 2, 3).
    ids: Vec<String>,
    /// The messages as the server sends them (CRLF).
    expected: Vec<Vec<u8>>,
}

const PLAIN: &str = "From: Alice Example <alice@example.com>\n\
    To: Carol <carol@example.com>, \"Dave, D.\" <dave@example.org>\n\
    Subject: plain, with dots\n\
    Date: Tue, 1 Jul 2003 10:52:37 +0200\n\
    Message-ID: <imap-interop-1@mailwire.test>\n\
    \n\
    .one dot\n\
    ..two dots\n\
    .\n\
    end of the first\n";

const MULTIPART: &str = "From: Bob <bob@example.com>\r\n\
    To: carol@example.com\r\n\
    Subject: report attached\r\n\
    Date: Wed, 2 Jul 2003 11:00:00 +0000\r\n\
    Message-ID: <imap-interop-2@mailwire.test>\r\n\
    MIME-Version: 1.0\r\n\
    Content-Type: multipart/mixed; boundary=\"=-=boundary=-=\"\r\n\
    \r\n\
    This is a multi-part message in MIME format.\r\n\
    --=-=boundary=-=\r\n\
    Content-Type: text/plain; charset=us-ascii\r\n\
    \r\n\
    Please find the report attached.\r\n\
    --=-=boundary=-=\r\n\
    Content-Type: application/pdf; name=\"report.pdf\"\r\n\
    Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
    Content-Transfer-Encoding: base64\r\n\
    \r\n\
    JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==\r\n\
    --=-=boundary=-=--\r\n";

fn eight_bit() -> Vec<u8> {
    let mut m = "From: Jürgen Müller <juergen@example.de>\n\
        To: carol@example.com\n\
        Subject: Grüße aus Köln – 8-bit\n\
        Date: Thu, 3 Jul 2003 12:00:00 +0200\n\
        Message-ID: <imap-interop-3@mailwire.test>\n\
        MIME-Version: 1.0\n\
        Content-Type: text/plain; charset=utf-8\n\
        Content-Transfer-Encoding: 8bit\n\
        \n\
        Schöne Grüße, ünïcödé ✓\n\
        .a dot-led line\n"
        .as_bytes()
        .to_vec();
    let mut n = 0u64;
    while m.len() < 100 * 1024 {
        n += 1;
        let lead = if n % 97 == 0 { "." } else { "" };
        m.extend_from_slice(
            format!("{lead}{n:06} Größe straße ÄÖÜ the quick brown fox\n").as_bytes(),
        );
    }
    m.extend_from_slice(b"the end\n");
    m
}

fn seed_maildir(tag: &str) -> Seeded {
    let dir = TempDir::new(tag);
    let maildir = dir.path().join("Maildir");
    for sub in [
        "tmp",
        "new",
        "cur",
        ".Lists/tmp",
        ".Lists/new",
        ".Lists/cur",
    ] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(maildir.join(".Lists/maildirfolder"), b"").unwrap();
    let entries = [
        (
            "new",
            "1700000001.M100P1Q1.interop",
            "",
            PLAIN.as_bytes().to_vec(),
        ),
        (
            "cur",
            "1700000002.M200P2Q2.interop",
            ":2,S",
            MULTIPART.as_bytes().to_vec(),
        ),
        ("new", "1700000003.M300P3Q3.interop", "", eight_bit()),
    ];
    let mut ids = Vec::new();
    let mut expected = Vec::new();
    for (sub, id, info, raw) in entries {
        std::fs::write(maildir.join(sub).join(format!("{id}{info}")), &raw).unwrap();
        ids.push(id.to_owned());
        expected.push(crlf(&raw));
    }
    Seeded {
        dir,
        maildir,
        ids,
        expected,
    }
}

/// The files of a mailbox directory (`new/` and `cur/`), sorted by name.
fn message_files(mailbox: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(mailbox.join(sub)).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files
}

/// A self-signed certificate for `localhost` and `127.0.0.1` (rcgen), written as PEM files into `dir`:
/// (certificate, key).
fn write_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("making a self-signed certificate");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

// ---------------------------------------------------------------------------------------------------------
// The imap_server example as a child

/// A running `imap_server`, killed on drop.
struct ImapServer {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl ImapServer {
    /// Starts the server on a free port (`--listen 127.0.0.1:0`; the port is read from its first log line).
    fn start(maildir: &Path, tls: Option<&(PathBuf, PathBuf)>) -> ImapServer {
        let mut command = Command::new(example());
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--maildir")
            .arg(maildir)
            .arg("--user")
            .arg(format!("{USER}:{PASS}"));
        if let Some((cert, key)) = tls {
            command
                .arg("--tls-cert")
                .arg(cert)
                .arg("--tls-key")
                .arg(key);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the imap_server example");
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("the server's stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let port = rest
                        .split_whitespace()
                        .next()
                        .and_then(|addr| addr.rsplit(':').next())
                        .and_then(|p| p.parse::<u16>().ok());
                    let _ = port_tx.send(port);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let port = port_rx.recv_timeout(CHILD_TIMEOUT).ok().flatten();
        let mut server = ImapServer {
            child,
            port: 0,
            log,
        };
        match port {
            Some(port) => server.port = port,
            None => {
                let _ = server.child.kill();
                let _ = server.child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "imap_server did not report its port within {CHILD_TIMEOUT:?}:\n{}",
                    server.log()
                );
            }
        }
        server
    }

    /// What the server printed so far.
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------------------
// Python's imaplib

/// Checks the server with imaplib. Arguments: host port user password cert maildir expected1 expected2
/// expected3 (the messages as sent, CRLF). Prints one line per check; exits 1 if any failed.
const IMAPLIB_SCRIPT: &str = r#"
import imaplib, os, re, ssl, sys

host, port, user, password, cert, maildir = sys.argv[1:7]
port = int(port)
expected = [open(p, 'rb').read() for p in sys.argv[7:10]]
failed = 0

def check(what, ok, detail=''):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok else ': %r' % (detail,)))
    if not ok:
        failed += 1

def flat(data):
    """A FETCH answer as one byte string (literals inline)."""
    out = b''
    for item in data:
        if isinstance(item, tuple):
            out += item[0] + item[1]
        elif item is not None:
            out += item
    return out

def literal(data):
    """The first literal of a FETCH answer."""
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None

def connect():
    m = imaplib.IMAP4(host, port)
    m.sock.settimeout(20)
    return m

M = connect()
check('STARTTLS offered', 'STARTTLS' in M.capabilities, M.capabilities)
typ, caps = M.capability()
check('CAPABILITY', typ == 'OK' and b'IMAP4rev1' in caps[0] and b'UIDPLUS' in caps[0] and b'IDLE' in caps[0], caps)
try:
    M.login(user, 'wrong')
    check('LOGIN with a wrong password refused', False)
except imaplib.IMAP4.error:
    check('LOGIN with a wrong password refused', True)
typ, data = M.login(user, password)
check('LOGIN', typ == 'OK', data)

typ, data = M.list()
names = [line.decode() for line in data]
check('LIST has INBOX', any(n.endswith(' INBOX') for n in names), names)
check('LIST has Lists with "." as separator', any(n.endswith('"." Lists') for n in names), names)

typ, data = M.select('INBOX')
check('SELECT INBOX: 3 messages', typ == 'OK' and data == [b'3'], data)
uidvalidity = M.response('UIDVALIDITY')[1]
uidnext = M.response('UIDNEXT')[1]
check('SELECT gave UIDVALIDITY and UIDNEXT 4', uidvalidity[0] is not None and uidnext == [b'4'], (uidvalidity, uidnext))
check('SELECT: 2 recent', M.response('RECENT')[1] == [b'2'], M.response('RECENT'))

typ, data = M.fetch('1:*', '(FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)')
blob = flat(data)
starts = [m.start() for m in re.finditer(rb'(?:^|\))\s*(\d+) \(FLAGS', blob)]
parts = [blob[a:b] for a, b in zip(starts, starts[1:] + [len(blob)])]
check('FETCH 1:* answers three messages', typ == 'OK' and len(parts) == 3, blob[:300])
for i, part in enumerate(parts):
    size = re.search(rb'RFC822\.SIZE (\d+)', part)
    check('RFC822.SIZE of %d is its CRLF size' % (i + 1), size is not None and int(size.group(1)) == len(expected[i]), (part[:200], len(expected[i])))
    uid = re.search(rb'UID (\d+)', part)
    check('UID of %d' % (i + 1), uid is not None and int(uid.group(1)) == i + 1, part[:200])
if len(parts) == 3:
    check('message 1 is \\Recent and unseen', b'\\Recent' in parts[0] and b'\\Seen' not in parts[0], parts[0][:120])
    check('message 2 is \\Seen', b'\\Seen' in parts[1], parts[1][:120])
    check('ENVELOPE of 1: from', b'(("Alice Example" NIL "alice" "example.com"))' in parts[0], parts[0])
    check('ENVELOPE of 1: two To addresses', b'(("Carol" NIL "carol" "example.com")("Dave, D." NIL "dave" "example.org"))' in parts[0], parts[0])
    check('ENVELOPE of 1: subject, date, message-id', b'"Tue, 1 Jul 2003 10:52:37 +0200" "plain, with dots"' in parts[0] and b'"<imap-interop-1@mailwire.test>"' in parts[0], parts[0])
    check('BODYSTRUCTURE of 1: text/plain', b'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT"' in parts[0], parts[0])
    check('BODYSTRUCTURE of 2: multipart/mixed with a PDF attachment',
          b'"MIXED"' in parts[1] and b'("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64"' in parts[1]
          and b'("attachment" ("FILENAME" "report.pdf"))' in parts[1], parts[1])
    check('ENVELOPE of 3: the 8-bit subject arrives intact', 'Grüße aus Köln – 8-bit'.encode() in parts[2], parts[2][:300])
    check('BODYSTRUCTURE of 3: text/plain utf-8 8bit', b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT"' in parts[2], parts[2][-300:])

for i in range(3):
    typ, data = M.fetch(str(i + 1), '(BODY.PEEK[])')
    check('BODY.PEEK[] of %d byte for byte' % (i + 1), typ == 'OK' and literal(data) == expected[i], flat(data)[:200])
typ, data = M.uid('FETCH', '3', '(BODY.PEEK[])')
check('UID FETCH 3 BODY.PEEK[] (100 KiB, 8-bit)', literal(data) == expected[2], flat(data)[:200])

head, _, text = expected[0].partition(b'\r\n\r\n')
typ, data = M.fetch('1', '(BODY.PEEK[HEADER])')
check('BODY[HEADER]', literal(data) == head + b'\r\n\r\n', data)
typ, data = M.fetch('1', '(BODY.PEEK[TEXT])')
check('BODY[TEXT] keeps the dot-led lines', literal(data) == text and b'\r\n..two dots\r\n.\r\n' in text, data)
typ, data = M.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)])')
check('BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]', literal(data) == b'Subject: plain, with dots\r\nMessage-ID: <imap-interop-1@mailwire.test>\r\n\r\n', data)
typ, data = M.fetch('1', '(BODY.PEEK[]<10.20>)')
check('partial BODY[]<10.20>', literal(data) == expected[0][10:30] and b'BODY[]<10>' in flat(data), data)
typ, data = M.fetch('2', '(BODY.PEEK[1])')
check('BODY[1] of the multipart', literal(data) == b'Please find the report attached.', data)
typ, data = M.fetch('2', '(BODY.PEEK[2])')
check('BODY[2] of the multipart (the attachment)', literal(data) == b'JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==', data)
typ, data = M.fetch('2', '(BODY.PEEK[2.MIME])')
check('BODY[2.MIME]', literal(data) is not None and literal(data).startswith(b'Content-Type: application/pdf') and literal(data).endswith(b'\r\n\r\n'), data)
typ, data = M.fetch('1', '(RFC822.HEADER)')
check('RFC822.HEADER', literal(data) == head + b'\r\n\r\n', data)

def search(*criteria):
    typ, data = M.search(None, *criteria)
    return data[0].split() if typ == 'OK' else None

check('SEARCH ALL', search('ALL') == [b'1', b'2', b'3'])
check('SEARCH UNSEEN', search('UNSEEN') == [b'1', b'3'])
check('SEARCH SEEN', search('SEEN') == [b'2'])
check('SEARCH FROM alice', search('FROM', 'alice') == [b'1'])
check('SEARCH SUBJECT report', search('SUBJECT', 'REPORT') == [b'2'])
check('SEARCH TO dave', search('TO', 'dave@example.org') == [b'1'])
check('SEARCH LARGER 50000', search('LARGER', '50000') == [b'3'])
check('SEARCH SMALLER 1000', search('SMALLER', '1000') == [b'1', b'2'])
check('SEARCH NOT SEEN', search('NOT', 'SEEN') == [b'1', b'3'])
check('SEARCH OR FROM bob SUBJECT plain', search('OR', 'FROM', 'bob', 'SUBJECT', 'plain') == [b'1', b'2'])
check('SEARCH 2:3 UNSEEN', search('2:3', 'UNSEEN') == [b'3'])
check('SEARCH BODY attached', search('BODY', 'attached') == [b'2'])
check('SEARCH SENTBEFORE 2-Jul-2003', search('SENTBEFORE', '2-Jul-2003') == [b'1'])
typ, data = M.uid('SEARCH', 'UID', '2:*')
check('UID SEARCH UID 2:*', data[0].split() == [b'2', b'3'], data)

typ, data = M.store('1', '+FLAGS', '(\\Seen)')
check('STORE +FLAGS \\Seen', typ == 'OK' and b'\\Seen' in flat(data), data)
typ, data = M.store('2', '+FLAGS.SILENT', '(\\Flagged)')
check('STORE +FLAGS.SILENT', typ == 'OK' and data == [None], data)
typ, data = M.store('2', '-FLAGS', '(\\Flagged)')
check('STORE -FLAGS', typ == 'OK' and b'\\Flagged' not in flat(data) and b'\\Seen' in flat(data), data)
typ, data = M.fetch('3', '(BODY[TEXT]<0.6>)')
check('FETCH BODY[TEXT] (not PEEK) sets \\Seen', b'\\Seen' in flat(data), data)
check('SEARCH UNSEEN now empty', search('UNSEEN') == [])

typ, data = M.create('Archive')
check('CREATE Archive', typ == 'OK', data)
typ, data = M.copy('1:2', 'Archive')
check('COPY 1:2 Archive with COPYUID', typ == 'OK' and b'COPYUID' in data[0] and b' 1:2 1:2]' in data[0], data)
typ, data = M.copy('1', 'Nowhere')
check('COPY to a missing mailbox: NO [TRYCREATE]', typ == 'NO' and b'TRYCREATE' in data[0], data)
typ, data = M.status('Archive', '(MESSAGES UIDNEXT UNSEEN)')
check('STATUS Archive', typ == 'OK' and b'MESSAGES 2' in data[0] and b'UIDNEXT 3' in data[0], data)
appended = b'From: Erin <erin@example.com>\r\nSubject: appended\r\n\r\nappended body\r\n.dot\r\n'
typ, data = M.append('Archive', '(\\Flagged)', imaplib.Time2Internaldate(1600000000), appended)
check('APPEND with APPENDUID', typ == 'OK' and b'APPENDUID' in data[0] and data[0].split()[2].startswith(b'3'), data)

# IDLE: a second connection appends and expunges, the idling one hears of it.
N = connect()
N.login(user, password)
N.select('INBOX')
tag = M._new_tag()
M.send(tag + b' IDLE\r\n')
line = M.readline()
check('IDLE: continuation', line.startswith(b'+'), line)
N.append('INBOX', None, None, b'Subject: wake up\r\n\r\nidle\r\n')
lines = [M.readline() for _ in range(2)]
check('IDLE: EXISTS after another connection appended', b'* 4 EXISTS\r\n' in lines, lines)
N.store('2', '+FLAGS', '(\\Deleted)')
N.expunge()
lines = []
for _ in range(4):
    lines.append(M.readline())
    if lines[-1].endswith(b'EXPUNGE\r\n'):
        break
check('IDLE: EXPUNGE after another connection expunged', b'* 2 EXPUNGE\r\n' in lines, lines)
M.send(b'DONE\r\n')
line = M.readline()
check('DONE ends IDLE', line.startswith(tag + b' OK'), line)
N.logout()

typ, data = M.noop()
check('NOOP', typ == 'OK', data)
typ, data = M.store('1', '+FLAGS', '(\\Deleted)')
typ, data = M.expunge()
check('EXPUNGE', typ == 'OK' and data == [b'1'], data)
typ, data = M.select('INBOX')
check('after EXPUNGE: 2 messages', data == [b'2'], data)
typ, data = M.uid('MOVE', '4', 'Archive')
check('UID MOVE 4 Archive', typ == 'OK', data)

typ, data = M.select('Archive', readonly=True)
check('EXAMINE Archive: 4 messages', typ == 'OK' and data == [b'4'], data)
typ, data = M.fetch('3', '(FLAGS INTERNALDATE BODY.PEEK[])')
check('the appended message: flags, date, content', b'\\Flagged' in flat(data) and literal(data) == appended
      and imaplib.Internaldate2tuple(flat(data)) is not None and b'13-Sep-2020' in flat(data), data)
typ, data = M.store('1', '+FLAGS', '(\\Deleted)')
check('STORE in a read-only mailbox refused', typ == 'NO', data)
typ, data = M.logout()
check('LOGOUT', typ == 'BYE', data)

# AUTHENTICATE PLAIN
A = connect()
typ, data = A.authenticate('PLAIN', lambda _: ('\0%s\0%s' % (user, password)).encode())
check('AUTHENTICATE PLAIN', typ == 'OK', data)
typ, data = A.select('INBOX')
check('SELECT after AUTHENTICATE', typ == 'OK', data)
A.logout()

# STARTTLS, the certificate verified against the test's own
T = connect()
context = ssl.create_default_context(cafile=cert)
typ, data = T.starttls(context)
check('STARTTLS', typ == 'OK', data)
check('no STARTTLS offered under TLS', 'STARTTLS' not in T.capabilities, T.capabilities)
T.login(user, password)
typ, data = T.select('INBOX')
typ, data = T.uid('FETCH', '3', '(BODY.PEEK[])')
check('UID FETCH 3 BODY.PEEK[] over TLS', literal(data) == expected[2], flat(data)[:200])
T.logout()

print('%d failed' % failed)
sys.exit(1 if failed else 0)
"#;

#[test]
fn server_used_by_python_imaplib() {
    const TEST: &str = "interop_imap_server::server_used_by_python_imaplib";
    if !have_tool("python3", "python3", TEST) {
        return;
    }
    let seeded = seed_maildir("imaplib");
    let tls = write_certificate(seeded.dir.path());
    let server = ImapServer::start(&seeded.maildir, Some(&tls));
    let script = seeded.dir.path().join("imaplib_check.py");
    std::fs::write(&script, IMAPLIB_SCRIPT).unwrap();
    let mut expected_files = Vec::new();
    for (i, e) in seeded.expected.iter().enumerate() {
        let path = seeded.dir.path().join(format!("expected-{}.eml", i + 1));
        std::fs::write(&path, e).unwrap();
        expected_files.push(path);
    }
    let out = run(
        Command::new("python3")
            .arg(&script)
            .args(["127.0.0.1", &server.port.to_string(), USER, PASS])
            .arg(&tls.0)
            .arg(&seeded.maildir)
            .args(&expected_files),
        "python3 imaplib script",
    );
    println!("{}", out.stdout_text());
    out.assert_success("imaplib checks", &server);

    // What the session left in the Maildir. INBOX: message 1 (\Seen, then \Deleted and expunged),
    // message 2 expunged by the second connection, message 3 (\Seen), the IDLE wake-up moved to Archive.
    let inbox = message_files(&seeded.maildir);
    let names: Vec<String> = inbox
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec![format!("{}:2,S", seeded.ids[2])],
        "INBOX after the session\n{}",
        server.log()
    );
    assert!(
        inbox[0].parent().unwrap().ends_with("cur"),
        "a seen message lives in cur/"
    );
    // Archive: copies of 1 (\Seen, as stored before COPY) and 2, the APPENDed one (\Flagged), the moved one.
    let archive = message_files(&seeded.maildir.join(".Archive"));
    assert_eq!(archive.len(), 4, "{archive:?}");
    let contents: Vec<Vec<u8>> = archive.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(
        contents.contains(&PLAIN.as_bytes().to_vec()),
        "COPY keeps the bytes"
    );
    assert!(contents.contains(&MULTIPART.as_bytes().to_vec()));
    let flagged: Vec<&PathBuf> = archive
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(":2,F"))
        .collect();
    assert_eq!(
        flagged.len(),
        1,
        "the APPENDed message is \\Flagged: {archive:?}"
    );
    let log = server.log();
    assert!(log.contains("TLS established"), "server log:\n{log}");
    assert!(
        log.contains("AUTHENTICATE PLAIN carol: logged in"),
        "server log:\n{log}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// curl

/// Runs curl with a time limit.
fn curl(args: &[&str]) -> Output {
    run(
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(args),
        &format!("curl {}", args.join(" ")),
    )
}

#[test]
fn server_read_by_curl() {
    const TEST: &str = "interop_imap_server::server_read_by_curl";
    if !have_tool("curl", "curl", TEST) {
        return;
    }
    let seeded = seed_maildir("curl");
    let tls = write_certificate(seeded.dir.path());
    let server = ImapServer::start(&seeded.maildir, Some(&tls));
    let base = format!("imap://{USER}:{PASS}@{}", server.addr());

    let first = curl(&[&format!("{base}/INBOX;UID=1")]);
    first.assert_success("curl UID FETCH 1", &server);
    assert!(
        first.stdout == seeded.expected[0],
        "message 1 through curl:\n{}",
        first.stdout_text()
    );
    let large = curl(&[&format!("{base}/INBOX;UID=3")]);
    large.assert_success("curl UID FETCH 3", &server);
    assert!(
        large.stdout == seeded.expected[2],
        "message 3 (100 KiB, 8-bit) through curl"
    );
    let section = curl(&[&format!("{base}/INBOX;UID=2/;SECTION=1")]);
    section.assert_success("curl UID FETCH 2 BODY[1]", &server);
    assert_eq!(section.stdout_text(), "Please find the report attached.");

    let list = curl(&[&format!("{base}/")]);
    list.assert_success("curl LIST", &server);
    let text = list.stdout_text();
    assert!(
        text.contains("* LIST (\\HasNoChildren) \".\" INBOX\r\n")
            && text.contains("* LIST (\\HasNoChildren) \".\" Lists\r\n"),
        "LIST through curl:\n{text}"
    );

    let search = curl(&[&format!("{base}/INBOX?SUBJECT%20report")]);
    search.assert_success("curl SEARCH SUBJECT report", &server);
    assert_eq!(
        search.stdout_text(),
        "* SEARCH 2\r\n",
        "SEARCH through curl"
    );
    // curl fetched with BODY[] (not PEEK): every message is \Seen now.
    let seen = curl(&[&format!("{base}/INBOX?SEEN")]);
    seen.assert_success("curl SEARCH SEEN", &server);
    assert_eq!(
        seen.stdout_text(),
        "* SEARCH 1 2 3\r\n",
        "FETCH BODY[] set \\Seen"
    );

    // STARTTLS required, the certificate verified against the file.
    let cert = tls.0.to_str().unwrap();
    let secure = curl(&[
        "--ssl-reqd",
        "--cacert",
        cert,
        &format!("{base}/INBOX;UID=2"),
    ]);
    secure.assert_success("curl --ssl-reqd UID FETCH 2 (STARTTLS)", &server);
    assert!(
        secure.stdout == seeded.expected[1],
        "message 2 over STARTTLS"
    );

    let wrong = curl(&[&format!(
        "imap://{USER}:wrong@{}/INBOX;UID=1",
        server.addr()
    )]);
    assert!(
        !wrong.status.success(),
        "curl with a wrong password must fail:\n{}",
        wrong.stdout_text()
    );
    assert!(server.log().contains("TLS established"));
}

// ---------------------------------------------------------------------------------------------------------
// mbsync (isync)

/// A message as mbsync stores it in a Maildir: LF line ends, its `X-TUID:` header line removed.
fn as_stored_by_mbsync(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with("X-TUID: "))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn server_synced_by_mbsync() {
    const TEST: &str = "interop_imap_server::server_synced_by_mbsync";
    if !have_tool("mbsync", "isync", TEST) {
        return;
    }
    let seeded = seed_maildir("mbsync");
    let server = ImapServer::start(&seeded.maildir, None);
    let local = seeded.dir.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let rc = seeded.dir.path().join("mbsyncrc");
    std::fs::write(
        &rc,
        format!(
            "IMAPStore remote\n\
             Host 127.0.0.1\n\
             Port {port}\n\
             User {USER}\n\
             Pass {PASS}\n\
             AuthMechs LOGIN\n\
             SSLType None\n\
             \n\
             MaildirStore local\n\
             Path {local}/\n\
             Inbox {local}/INBOX\n\
             \n\
             Channel sync\n\
             Far :remote:\n\
             Near :local:\n\
             Patterns *\n\
             Create Both\n\
             Expunge Both\n\
             SyncState *\n",
            port = server.port,
            local = local.display()
        ),
    )
    .unwrap();
    let mbsync = || {
        let out = run(
            Command::new("mbsync")
                .env("HOME", seeded.dir.path())
                .arg("-c")
                .arg(&rc)
                .args(["-a", "-V"]),
            "mbsync -a",
        );
        out.assert_success("mbsync -a", &server);
        out
    };

    // 1. Pull: the three messages arrive intact, message 2 marked seen.
    mbsync();
    let inbox = message_files(&local.join("INBOX"));
    assert_eq!(
        inbox.len(),
        3,
        "mbsync fetched the three messages: {inbox:?}\n{}",
        server.log()
    );
    for (i, file) in inbox.iter().enumerate() {
        let got = as_stored_by_mbsync(&std::fs::read(file).unwrap());
        assert!(
            got == as_stored_by_mbsync(&seeded.expected[i]),
            "message {} arrived changed ({}):\n{}",
            i + 1,
            file.display(),
            String::from_utf8_lossy(&got[..got.len().min(600)])
        );
    }
    let seen = |p: &PathBuf| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .rsplit_once(":2,")
            .is_some_and(|(_, flags)| flags.contains('S'))
    };
    assert!(
        !seen(&inbox[0]) && seen(&inbox[1]) && !seen(&inbox[2]),
        "flags: {inbox:?}"
    );
    assert!(
        local.join("Lists").is_dir(),
        "the folder Lists was created locally"
    );

    // 2. Push: a new local message is APPENDed, a local flag change is STOREd.
    let pushed =
        b"From: Local <local@example.com>\nSubject: written locally\n\nhello from mbsync\n";
    std::fs::write(
        local.join("INBOX/new/1800000000.local1.test"),
        pushed.as_slice(),
    )
    .unwrap();
    let first = &inbox[0];
    std::fs::rename(first, format!("{}F", first.display())).unwrap();
    mbsync();
    let remote = message_files(&seeded.maildir);
    assert_eq!(
        remote.len(),
        4,
        "the local message reached the server: {remote:?}\n{}",
        server.log()
    );
    let appended = std::fs::read(&remote[3]).unwrap();
    assert_eq!(
        as_stored_by_mbsync(&appended),
        as_stored_by_mbsync(pushed),
        "the APPENDed message is intact"
    );
    let first_remote = remote[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        first_remote.starts_with(&seeded.ids[0]) && first_remote.ends_with(":2,F"),
        "the flag set locally reached the server: {first_remote}"
    );

    // 3. A third run has nothing to do and changes nothing.
    mbsync();
    assert_eq!(message_files(&seeded.maildir).len(), 4);
    assert_eq!(message_files(&local.join("INBOX")).len(), 4);
}
