//! Interop of the POP3 examples with software other people wrote: `pop3_client` against Dovecot (the peers
//! of `tests/peers/start.sh`), and `pop3_server` read by Python's poplib, curl and fetchmail (and by
//! `pop3_client`).
//!
//! The tests run the example binaries found next to this test binary (`target/<profile>/examples/`), built
//! once per run with `cargo build --example ...`. Tests that need the peers skip loudly without them and
//! fail under `CI=true`; so do the tests that need `python3`, `curl` or `fetchmail`. Every child process is
//! killed after [`CHILD_TIMEOUT`](common::harness::CHILD_TIMEOUT).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::harness::{
    Output, PASS, Seeded, ServerChild, TempDir, USER, crlf, curl, run, run_python_checks,
    write_certificate,
};
use common::peers::{Peers, peers_or_skip};

/// `target/<profile>/examples/NAME`, the POP3 examples built once per test run.
fn example(name: &str) -> PathBuf {
    common::harness::example(&["pop3_client", "pop3_server"], name)
}

/// Whether `tool` can be run; if not, skips `test` loudly (fails under CI).
fn have_tool(tool: &str, test: &str) -> bool {
    common::harness::have_tool(tool, tool, "pop3_server", test)
}

// ---------------------------------------------------------------------------------------------------------
// The seeded Maildir

/// A message as the server sends it: CRLF line ends, a last line completed.
fn served(raw: &[u8]) -> Vec<u8> {
    let mut out = crlf(raw);
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A Maildir with three messages, in this order (Maildir ids sort so):
/// 1. `new/`, LF line ends, body lines starting with `.`, `..` and a lone `.` (dot-stuffing);
/// 2. `cur/` with flags, CRLF line ends, twelve body lines (for TOP);
/// 3. `new/`, LF line ends, about 300 KiB (many chunks) and no line end after its last line.
fn seed_maildir(tag: &str) -> Seeded {
    let first =
        b"From: Bob <bob@example.com>\nTo: Carol <carol@example.com>\nSubject: first, with dots\n\
        Message-ID: <pop3-interop-1@mailwire.test>\n\n.one dot\n..two dots\n.\nend of the first\n"
            .to_vec();
    let mut second = b"From: Dave <dave@example.com>\r\nSubject: second, CRLF\r\n\
        Message-ID: <pop3-interop-2@mailwire.test>\r\n\r\n"
        .to_vec();
    for n in 1..=12 {
        second.extend_from_slice(format!("body line {n}\r\n").as_bytes());
    }
    let mut third = b"From: Erin <erin@example.com>\nSubject: third, large\n\
        Message-ID: <pop3-interop-3@mailwire.test>\n\n"
        .to_vec();
    let mut n = 0u64;
    while third.len() < 300 * 1024 {
        n += 1;
        let lead = if n % 97 == 0 { "." } else { "" };
        third.extend_from_slice(
            format!(
                "{lead}{n:07} the quick brown fox jumps over the lazy dog {}\n",
                n * 7919
            )
            .as_bytes(),
        );
    }
    third.extend_from_slice(b"the last line has no line end");
    common::harness::seed_maildir(
        tag,
        &[],
        vec![
            ("new", "1700000001.M100P1Q1.interop", "", first),
            ("cur", "1700000002.M200P2Q2.interop", ":2,S", second),
            ("new", "1700000003.M300P3Q3.interop", "", third),
        ],
        served,
    )
}

// ---------------------------------------------------------------------------------------------------------
// The pop3_server example as a child

/// Starts `pop3_server` on a free port (`--listen 127.0.0.1:0`; the port is read from its first log line).
fn start_server(maildir: &Path, tls: Option<&(PathBuf, PathBuf)>) -> ServerChild {
    let user = format!("{USER}:{PASS}");
    ServerChild::example(
        &example("pop3_server"),
        "pop3_server",
        maildir,
        &["--user", &user],
        tls,
    )
}

/// Whether `path` exists, waiting a little for a server that applies UPDATE after its `+OK` went out.
fn gone_soon(path: &Path) -> bool {
    let started = Instant::now();
    while path.exists() {
        if started.elapsed() > Duration::from_secs(5) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

// ---------------------------------------------------------------------------------------------------------
// pop3_client against Dovecot

/// Runs `pop3_client` against `port` of the peers with the peers' user and `args`.
fn client_at(peers: &Peers, port: u16, args: &[&str]) -> Output {
    let mut command = Command::new(example("pop3_client"));
    command
        .arg("--server")
        .arg(format!("{}:{port}", peers.host))
        .args(["--user", &peers.user, "--password", &peers.pass])
        .args(["--timeout", "20"])
        .args(args);
    run(&mut command, &format!("pop3_client {}", args.join(" ")))
}

/// `pop3_client` against Dovecot's plaintext POP3 port.
fn client(peers: &Peers, args: &[&str]) -> Output {
    client_at(peers, peers.pop3, args)
}

/// Parses `N VALUE` lines.
fn pairs(output: &Output) -> Vec<(u32, String)> {
    output
        .stdout_text()
        .lines()
        .map(|line| {
            let (n, value) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("not an `N VALUE` line: {line:?}"));
            (n.parse().expect("a message number"), value.to_owned())
        })
        .collect()
}

/// LIST as (number, size).
fn sizes(output: &Output) -> Vec<(u32, u64)> {
    pairs(output)
        .into_iter()
        .map(|(n, size)| (n, size.parse().expect("a size")))
        .collect()
}

/// Checks the size of the seeded ~1 MiB message: exactly what start.sh computed when the peers' env file
/// is known, more than 1 000 000 octets when the peers were found by their ports alone.
fn check_large_size(peers: &Peers, size: u64, what: &str) {
    match peers
        .var("SEED_LARGE_SIZE")
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(exact) => assert_eq!(size, exact, "{what}"),
        None => assert!(size > 1_000_000, "{what}: {size} octets"),
    }
}

/// The seeded messages 1 to 4 must be there, with the large one's size as start.sh computed it.
fn check_seed_listing(peers: &Peers, listing: &[(u32, u64)], how: &str) {
    assert!(
        listing.len() >= 4,
        "{how}: expected the 4 seeded messages at least, got {listing:?}"
    );
    let numbers: Vec<u32> = listing.iter().map(|(n, _)| *n).take(4).collect();
    assert_eq!(numbers, [1, 2, 3, 4], "{how}: message numbers");
    check_large_size(
        peers,
        listing[3].1,
        &format!("{how}: size of the seeded ~1 MiB message 4"),
    );
}

#[test]
fn dovecot_user_pass_list() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_user_pass_list") else {
        return;
    };
    let out = client(&peers, &["--list"]);
    out.assert_success("pop3_client --list (USER/PASS)");
    check_seed_listing(&peers, &sizes(&out), "USER/PASS LIST");
}

#[test]
fn dovecot_apop_uidl() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_apop_uidl") else {
        return;
    };
    let out = client(&peers, &["--apop", "--uidl"]);
    out.assert_success("pop3_client --apop --uidl");
    let uids = pairs(&out);
    assert!(uids.len() >= 4, "UIDL lines: {uids:?}");
    let mut distinct: Vec<&str> = uids.iter().map(|(_, u)| u.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        uids.len(),
        "unique ids must differ: {uids:?}"
    );
    assert!(
        uids.iter().all(|(_, u)| !u.is_empty()
            && u.len() <= 70
            && u.bytes().all(|b| b.is_ascii_graphic())),
        "UIDL values: {uids:?}"
    );
}

#[test]
fn dovecot_sasl_plain_and_login() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_sasl_plain_and_login") else {
        return;
    };
    let plain = client(&peers, &["--sasl", "PLAIN", "--list"]);
    plain.assert_success("pop3_client --sasl PLAIN --list");
    check_seed_listing(&peers, &sizes(&plain), "AUTH PLAIN LIST");
    let login = client(&peers, &["--sasl", "LOGIN", "--uidl"]);
    login.assert_success("pop3_client --sasl LOGIN --uidl");
    assert!(pairs(&login).len() >= 4, "UIDL after AUTH LOGIN");
}

#[test]
fn dovecot_stls() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_stls") else {
        return;
    };
    let out = client(&peers, &["--starttls", "--insecure", "--list"]);
    out.assert_success("pop3_client --starttls --insecure --list");
    check_seed_listing(&peers, &sizes(&out), "LIST after STLS");
    // After STLS the session starts over: every login method still works.
    let apop = client(&peers, &["--starttls", "--insecure", "--apop", "--uidl"]);
    apop.assert_success("pop3_client --starttls --insecure --apop --uidl");
    let sasl = client(
        &peers,
        &["--starttls", "--insecure", "--sasl", "PLAIN", "--top", "1"],
    );
    sasl.assert_success("pop3_client --starttls --insecure --sasl PLAIN --top 1");
    assert!(
        sasl.stdout_text()
            .contains("Message-ID: <seed-1@mailwire.test>"),
        "TOP 1 0 after STLS: {}",
        sasl.stdout_text()
    );
    // Without --insecure the self-signed certificate is refused.
    let strict = client(&peers, &["--starttls", "--list"]);
    strict.assert_failure("pop3_client --starttls without --insecure (self-signed peer)");
}

#[test]
fn dovecot_pop3s_implicit_tls_retr_large() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_pop3s_implicit_tls_retr_large") else {
        return;
    };
    let out = client_at(&peers, peers.pop3s, &["--tls", "--insecure", "--retr", "4"]);
    out.assert_success("pop3_client --tls --insecure --retr 4 (POP3S)");
    check_large_size(
        &peers,
        out.stdout.len() as u64,
        "size of the ~1 MiB message over POP3S",
    );
    assert!(
        out.stdout_text()
            .contains("Message-ID: <seed-4@mailwire.test>")
    );
    assert!(out.stdout.ends_with(b"\r\n"));
}

#[test]
fn dovecot_retr_matches_list() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_retr_matches_list") else {
        return;
    };
    let listing = sizes(client(&peers, &["--list"]).assert_success("pop3_client --list"));
    check_seed_listing(&peers, &listing, "LIST");
    // LIST counts the unstuffed message: equal sizes mean the dot-unstuffing and the CRLFs are right.
    for (n, size) in listing.iter().take(4) {
        let out = client(&peers, &["--retr", &n.to_string()]);
        out.assert_success(&format!("pop3_client --retr {n}"));
        assert_eq!(out.stdout.len() as u64, *size, "RETR {n} size vs LIST");
        let id = format!("Message-ID: <seed-{n}@mailwire.test>");
        assert!(out.stdout_text().contains(&id), "RETR {n} lacks {id}");
    }
    let first = client(&peers, &["--retr", "1"]);
    let text = first.stdout_text();
    assert!(
        text.contains("\r\n.") && !text.contains("\r\n..."),
        "seed 1 has dot-led lines, unstuffed once:\n{text}"
    );
}

#[test]
fn dovecot_top() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_top") else {
        return;
    };
    let whole = client(&peers, &["--retr", "1"]);
    whole.assert_success("pop3_client --retr 1");
    let top = client(&peers, &["--top", "1", "--lines", "2"]);
    top.assert_success("pop3_client --top 1 --lines 2");
    assert!(
        whole.stdout.starts_with(&top.stdout),
        "TOP 1 2 must be a prefix of RETR 1:\n{}",
        top.stdout_text()
    );
    let text = top.stdout_text();
    let (_, body) = text.split_once("\r\n\r\n").expect("a header and a body");
    assert_eq!(body.matches("\r\n").count(), 2, "two body lines: {body:?}");

    let header = client(&peers, &["--top", "4", "--lines", "0"]);
    header.assert_success("pop3_client --top 4 --lines 0");
    let text = header.stdout_text();
    assert!(text.contains("Message-ID: <seed-4@mailwire.test>"));
    assert!(
        text.ends_with("\r\n\r\n"),
        "TOP n 0 is the header and the blank line"
    );
    assert!(text.len() < 10_000, "TOP 4 0 is only the header");
}

#[test]
fn dovecot_retr_all() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_retr_all") else {
        return;
    };
    let dir = TempDir::new("retr-all");
    let target = dir.path().join("out");
    let uidl = pairs(client(&peers, &["--uidl"]).assert_success("pop3_client --uidl"));
    let listing = sizes(client(&peers, &["--list"]).assert_success("pop3_client --list"));
    let out = client(&peers, &["--retr-all", target.to_str().unwrap()]);
    out.assert_success("pop3_client --retr-all");
    // Each saved message is reported as `N FILE SIZE`, and the file holds SIZE bytes.
    let reported: Vec<(u32, PathBuf, u64)> = out
        .stdout_text()
        .lines()
        .map(|line| {
            let mut words = line.split(' ');
            let n = words.next().unwrap().parse().unwrap();
            let path = PathBuf::from(words.next().unwrap());
            let size = words.next().unwrap().parse().unwrap();
            (n, path, size)
        })
        .collect();
    assert!(
        reported.len() >= 4,
        "retr-all output: {}",
        out.stdout_text()
    );
    for (n, path, size) in &reported {
        let meta = std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("message {n}: {}: {e}", path.display()));
        assert_eq!(meta.len(), *size, "message {n}: file size");
    }
    // The seeded messages are named by their UIDL and have their LIST size.
    for n in 1..=4u32 {
        let (_, uid) = uidl.iter().find(|(m, _)| *m == n).expect("UIDL of a seed");
        let (_, size) = listing
            .iter()
            .find(|(m, _)| *m == n)
            .expect("LIST of a seed");
        let file = target.join(uid);
        let meta = std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("message {n} as {}: {e}", file.display()));
        assert_eq!(meta.len(), *size, "message {n}: saved size vs LIST");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "partial files left: {leftovers:?}");
}

#[test]
fn dovecot_wrong_credentials_fail() {
    let Some(peers) = peers_or_skip("interop_pop3::dovecot_wrong_credentials_fail") else {
        return;
    };
    for how in [&[][..], &["--apop"][..], &["--sasl", "PLAIN"][..]] {
        let mut command = Command::new(example("pop3_client"));
        command
            .arg("--server")
            .arg(format!("{}:{}", peers.host, peers.pop3))
            .args(["--user", &peers.user, "--password", "not-the-password"])
            .args(["--timeout", "20", "--list"])
            .args(how);
        let out = run(&mut command, "pop3_client with a wrong password");
        out.assert_failure(&format!("a wrong password ({how:?})"));
        assert_eq!(out.status.code(), Some(1), "exit status 1: {}", out.stderr);
        assert!(
            out.stderr.contains("-ERR"),
            "the server's -ERR is shown: {}",
            out.stderr
        );
    }
}

#[test]
fn client_usage_errors_exit_2() {
    let out = run(
        Command::new(example("pop3_client")).args(["--server", "127.0.0.1:1", "--user", "u"]),
        "pop3_client without --password",
    );
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    let out = run(
        Command::new(example("pop3_client")).args([
            "--server",
            "127.0.0.1:1",
            "--user",
            "u",
            "--password",
            "p",
            "--list",
            "--uidl",
        ]),
        "pop3_client with two actions",
    );
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------------------
// pop3_server read by other clients

/// Python's poplib against the server: the whole of RFC 1939 plus CAPA, STLS and the lock.
const POPLIB_SCRIPT: &str = r#"
import poplib, ssl, sys

host, port, user, password, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
expected = [open(p, 'rb').read() for p in sys.argv[6:]]
failed = 0

def check(name, ok, detail=''):
    global failed
    print(('ok    ' if ok else 'FAIL  ') + name + ('' if ok else '   got: ' + repr(detail)[:400]))
    if not ok:
        failed += 1

def joined(lines):
    return b''.join(line + b'\r\n' for line in lines)

def connect():
    return poplib.POP3(host, port, timeout=20)

# USER/PASS and the transaction commands.
p = connect()
welcome = p.getwelcome()
check('greeting with an APOP timestamp', welcome.startswith(b'+OK') and b'<' in welcome and b'@' in welcome, welcome)
caps = p.capa()
for cap in ('TOP', 'UIDL', 'USER', 'PIPELINING', 'RESP-CODES', 'STLS', 'SASL'):
    check('CAPA lists ' + cap, cap in caps, caps)
check('SASL PLAIN offered', 'PLAIN' in caps.get('SASL', []), caps)
p.user(user)
p.pass_(password)
count, size = p.stat()
check('STAT', (count, size) == (len(expected), sum(len(e) for e in expected)), (count, size))
resp, listing, _ = p.list()
want = [b'%d %d' % (i + 1, len(e)) for i, e in enumerate(expected)]
check('LIST', listing == want, listing)
check('LIST 2', p.list(2) == b'+OK 2 %d' % len(expected[1]), p.list(2))
resp, uids, _ = p.uidl()
check('UIDL', len(uids) == len(expected) and len({u.split()[1] for u in uids}) == len(expected), uids)
for i, e in enumerate(expected, 1):
    resp, lines, octets = p.retr(i)
    check('RETR %d' % i, joined(lines) == e, joined(lines)[:200])
head, _, body = expected[1].partition(b'\r\n\r\n')
resp, lines, _ = p.top(2, 3)
want = head + b'\r\n\r\n' + b''.join(l + b'\r\n' for l in body.split(b'\r\n')[:3])
check('TOP 2 3', joined(lines) == want, joined(lines))
resp, lines, _ = p.top(1, 0)
check('TOP 1 0', joined(lines) == expected[0].partition(b'\r\n\r\n')[0] + b'\r\n\r\n', joined(lines))
try:
    p.retr(99)
    check('RETR 99 refused', False)
except poplib.error_proto as e:
    check('RETR 99 refused', e.args[0].startswith(b'-ERR'), e.args)
check('NOOP', p.noop().startswith(b'+OK'))

# While this session holds the maildrop, another login gets [IN-USE].
q = connect()
q.user(user)
try:
    q.pass_(password)
    check('second session refused with [IN-USE]', False)
except poplib.error_proto as e:
    check('second session refused with [IN-USE]', b'[IN-USE]' in e.args[0], e.args)
q.quit()
p.quit()

# A wrong password.
p = connect()
p.user(user)
try:
    p.pass_('wrong')
    check('wrong password refused with [AUTH]', False)
except poplib.error_proto as e:
    check('wrong password refused with [AUTH]', b'[AUTH]' in e.args[0], e.args)
p.quit()

# APOP, right and wrong.
p = connect()
p.apop(user, password)
check('APOP login', p.stat()[0] == len(expected))
p.quit()
p = connect()
try:
    p.apop(user, 'wrong')
    check('APOP with a wrong secret refused', False)
except poplib.error_proto as e:
    check('APOP with a wrong secret refused', e.args[0].startswith(b'-ERR'), e.args)
p.quit()

# STLS, verifying the certificate, then a login and RETR inside TLS.
p = connect()
context = ssl.create_default_context(cafile=cafile)
p.stls(context)
check('STLS: TLS active', isinstance(p.sock, ssl.SSLSocket))
caps = p.capa()
check('STLS no longer offered after STLS', 'STLS' not in caps, caps)
p.user(user)
p.pass_(password)
resp, lines, _ = p.retr(3)
check('RETR 3 over TLS', joined(lines) == expected[2], len(joined(lines)))
p.quit()

# A command smuggled after STLS in the same packet is discarded, not run inside TLS (CVE-2011-0411 class):
# PASS then finds no USER.
import socket
raw = socket.create_connection((host, port), timeout=20)
greeting = raw.recv(4096)
raw.sendall(b'STLS\r\nUSER ' + user.encode() + b'\r\n')
reply = b''
while not reply.endswith(b'\r\n'):
    reply += raw.recv(1)
check('STLS accepted', reply.startswith(b'+OK'), reply)
tls = context.wrap_socket(raw, server_hostname=host)
tls.sendall(b'PASS ' + password.encode() + b'\r\n')
reply = tls.recv(4096)
check('USER smuggled before the TLS handshake was discarded', reply.startswith(b'-ERR'), reply)
tls.sendall(b'QUIT\r\n')
tls.recv(4096)
tls.close()

# DELE, RSET, DELE, QUIT: only message 1 is removed (the test checks the files).
p = connect()
p.user(user)
p.pass_(password)
p.dele(2)
check('STAT after DELE 2', p.stat()[0] == len(expected) - 1)
try:
    p.retr(2)
    check('RETR of a deleted message refused', False)
except poplib.error_proto:
    check('RETR of a deleted message refused', True)
p.rset()
check('STAT after RSET', p.stat()[0] == len(expected))
p.dele(1)
check('QUIT after DELE 1', p.quit().startswith(b'+OK'))

print('%d failed' % failed)
sys.exit(1 if failed else 0)
"#;

#[test]
fn server_read_by_python_poplib() {
    const TEST: &str = "interop_pop3::server_read_by_python_poplib";
    if !have_tool("python3", TEST) {
        return;
    }
    let seeded = seed_maildir("poplib");
    let tls = write_certificate(seeded.dir.path());
    let server = start_server(&seeded.maildir, Some(&tls));
    run_python_checks(
        &seeded,
        &server,
        &tls.0,
        ("poplib_check.py", POPLIB_SCRIPT),
        &[],
        "poplib",
    );
    assert!(
        gone_soon(&seeded.files[0]),
        "message 1 was DELEted and the session QUIT: its file must be gone\n{}",
        server.log()
    );
    assert!(seeded.files[1].exists(), "message 2 was un-deleted by RSET");
    assert!(seeded.files[2].exists(), "message 3 was never deleted");
    server.assert_logged(&["TLS established", "UPDATE: 1 messages removed"]);
}

#[test]
fn server_read_by_curl() {
    const TEST: &str = "interop_pop3::server_read_by_curl";
    if !have_tool("curl", TEST) {
        return;
    }
    let seeded = seed_maildir("curl");
    let tls = write_certificate(seeded.dir.path());
    let server = start_server(&seeded.maildir, Some(&tls));
    let base = format!("pop3://{USER}:{PASS}@{}", server.addr());

    let first = curl(&[&format!("{base}/1")]);
    first.assert_success("curl RETR 1");
    assert_eq!(
        first.stdout_text(),
        String::from_utf8_lossy(&seeded.expected[0]),
        "message 1 through curl"
    );
    let large = curl(&[&format!("{base}/3")]);
    large.assert_success("curl RETR 3");
    assert!(
        large.stdout == seeded.expected[2],
        "message 3 (300 KiB) through curl"
    );

    let list = curl(&[&format!("{base}/")]);
    list.assert_success("curl LIST");
    let want: String = seeded
        .expected
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{} {}\r\n", i + 1, e.len()))
        .collect();
    assert_eq!(list.stdout_text(), want, "LIST through curl");

    let uidl = curl(&["--request", "UIDL", &format!("{base}/")]);
    uidl.assert_success("curl UIDL");
    let want: String = seeded
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{} {id}\r\n", i + 1))
        .collect();
    assert_eq!(uidl.stdout_text(), want, "UIDL through curl");

    // STLS required, the certificate verified against the file.
    let cert = tls.0.to_str().unwrap();
    let secure = curl(&["--ssl-reqd", "--cacert", cert, &format!("{base}/2")]);
    secure.assert_success("curl --ssl-reqd RETR 2 (STLS)");
    assert!(secure.stdout == seeded.expected[1], "message 2 over STLS");

    let wrong = curl(&[&format!("pop3://{USER}:wrong@{}/1", server.addr())]);
    wrong.assert_failure("curl with a wrong password");

    // DELE through curl's custom request; curl QUITs, the server removes the file.
    let dele = curl(&["--request", "DELE", "--head", &format!("{base}/2")]);
    dele.assert_success("curl DELE 2");
    assert!(
        gone_soon(&seeded.files[1]),
        "message 2 was deleted through curl\n{}",
        server.log()
    );
    assert!(seeded.files[0].exists() && seeded.files[2].exists());
}

#[test]
fn server_read_by_fetchmail() {
    const TEST: &str = "interop_pop3::server_read_by_fetchmail";
    if !have_tool("fetchmail", TEST) {
        return;
    }
    let seeded = seed_maildir("fetchmail");
    let server = start_server(&seeded.maildir, None);
    let home = seeded.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let delivered = seeded.dir.path().join("delivered.mbox");
    let write_rc = |extra: &str| -> PathBuf {
        let rc = home.join("fetchmailrc");
        let text = format!(
            "set no syslog\n\
             poll 127.0.0.1 service {port} protocol pop3 uidl\n  \
             user \"{USER}\" there password \"{PASS}\" sslproto '' {extra} mda \"cat >> {out}\"\n",
            port = server.port,
            out = delivered.display()
        );
        std::fs::write(&rc, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        rc
    };
    let fetchmail = |rc: &Path, keep: bool| -> Output {
        let mut command = Command::new("fetchmail");
        command
            .env("HOME", &home)
            .env("FETCHMAILHOME", &home)
            .arg("-f")
            .arg(rc)
            .args(["--nodetach", "--verbose"]);
        if keep {
            command.arg("-k");
        }
        run(&mut command, "fetchmail")
    };

    // First pass keeps the messages on the server (-k).
    let rc = write_rc("");
    let out = fetchmail(&rc, true);
    assert!(
        out.status.success(),
        "fetchmail -k failed ({}):\n{}\n{}\n--- server log\n{}",
        out.status,
        out.stdout_text(),
        out.stderr,
        server.log()
    );
    let mbox = std::fs::read(&delivered).expect("fetchmail's MDA wrote the messages");
    let text = String::from_utf8_lossy(&mbox);
    for n in 1..=3 {
        let id = format!("Message-ID: <pop3-interop-{n}@mailwire.test>");
        assert_eq!(
            text.matches(&id).count(),
            1,
            "message {n} arrived once:\n{text:.2000}"
        );
    }
    assert!(
        text.contains("\n.one dot\n..two dots\n.\nend of the first\n"),
        "dot-led lines arrive unstuffed:\n{text:.2000}"
    );
    assert!(text.contains("the last line has no line end"));
    assert!(
        seeded.files.iter().all(|f| f.exists()),
        "-k keeps them on the server"
    );

    // Second pass without -k (fetchall: they were seen already): fetched again, then deleted.
    let rc = write_rc("fetchall");
    let out = fetchmail(&rc, false);
    assert!(
        out.status.success(),
        "fetchmail (no -k) failed ({}):\n{}\n{}\n--- server log\n{}",
        out.status,
        out.stdout_text(),
        out.stderr,
        server.log()
    );
    let text = String::from_utf8_lossy(&std::fs::read(&delivered).unwrap()).into_owned();
    assert_eq!(
        text.matches("Message-ID: <pop3-interop-3@mailwire.test>")
            .count(),
        2,
        "fetched twice in all"
    );
    for file in &seeded.files {
        assert!(
            gone_soon(file),
            "{} was fetched without -k: it must be deleted\n{}",
            file.display(),
            server.log()
        );
    }
}

#[test]
fn server_read_by_pop3_client() {
    let seeded = seed_maildir("own-client");
    let tls = write_certificate(seeded.dir.path());
    let server = start_server(&seeded.maildir, Some(&tls));
    let own_client = |args: &[&str]| -> Output {
        let mut command = Command::new(example("pop3_client"));
        command
            .args([
                "--server",
                &server.addr(),
                "--user",
                USER,
                "--password",
                PASS,
            ])
            .args(["--timeout", "20"])
            .args(args);
        let out = run(&mut command, &format!("pop3_client {}", args.join(" ")));
        assert!(
            out.status.success(),
            "pop3_client {args:?} failed ({}):\n{}\n{}\n--- server log\n{}",
            out.status,
            out.stdout_text(),
            out.stderr,
            server.log()
        );
        out
    };
    let list = own_client(&["--apop", "--list"]);
    let want: Vec<(u32, u64)> = seeded
        .expected
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u32 + 1, e.len() as u64))
        .collect();
    assert_eq!(sizes(&list), want, "LIST after APOP");

    let uidl = own_client(&["--sasl", "LOGIN", "--uidl"]);
    let want: Vec<(u32, String)> = seeded
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (i as u32 + 1, id.clone()))
        .collect();
    assert_eq!(pairs(&uidl), want, "UIDL after AUTH LOGIN");

    let top = own_client(&["--sasl", "PLAIN", "--top", "2", "--lines", "3"]);
    let (head, body) = top
        .stdout_text()
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_owned(), b.to_owned()))
        .unwrap();
    assert!(head.contains("Subject: second, CRLF"));
    assert_eq!(body, "body line 1\r\nbody line 2\r\nbody line 3\r\n");

    let target = seeded.dir.path().join("fetched");
    own_client(&[
        "--starttls",
        "--insecure",
        "--retr-all",
        target.to_str().unwrap(),
    ]);
    for (id, expected) in seeded.ids.iter().zip(&seeded.expected) {
        let got = std::fs::read(target.join(id)).expect("a file per message, named by UIDL");
        assert!(&got == expected, "message {id} saved as served");
    }
    let first = own_client(&["--retr", "1"]);
    assert!(
        first.stdout == seeded.expected[0],
        "RETR 1 with its dot-led lines"
    );
}
