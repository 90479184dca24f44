//! The habits of the example servers and client tools (issue 17, "Server habits" and "Client tools"):
//! each test runs the example binaries as a user would, over loopback, with short configured timeouts so
//! that every test ends within seconds. The peers here are plain sockets driven by the test, so what is
//! checked is what goes over the wire (RFC 5321 §3.8 and §4.5.3.2, RFC 1939 §3, RFC 9051 §5.4 and §7.1.5,
//! RFC 8314) and what the processes do (exit status, files in the Maildir, memory).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::harness::{
    Output, PASS, ServerChild, TempDir, USER, example, finish_within, run, write_certificate,
};

const EXAMPLES: &[&str] = &[
    "smtp_server",
    "pop3_server",
    "imap_server",
    "smtp_client",
    "pop3_client",
    "imap_client",
    "demo",
    "adapter_selftest",
];

fn bin(name: &str) -> PathBuf {
    example(EXAMPLES, name)
}

/// The three servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Smtp,
    Pop3,
    Imap,
}

const KINDS: [Kind; 3] = [Kind::Smtp, Kind::Pop3, Kind::Imap];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Smtp => "smtp_server",
            Kind::Pop3 => "pop3_server",
            Kind::Imap => "imap_server",
        }
    }

    /// The first line of the greeting (RFC 5321 §4.2: 220; RFC 1939 §4: +OK; RFC 9051 §7.1.1: * OK).
    fn greeting(self) -> &'static str {
        match self {
            Kind::Smtp => "220",
            Kind::Pop3 => "+OK",
            Kind::Imap => "* OK",
        }
    }

    /// What a client hears when the server shuts down: RFC 5321 §3.8 (421), RFC 9051 §7.1.5 (BYE),
    /// and a negative POP3 answer.
    fn goodbye(self) -> &'static str {
        match self {
            Kind::Smtp => "421",
            Kind::Pop3 => "-ERR",
            Kind::Imap => "* BYE",
        }
    }

    /// A command that changes nothing, and the start of its positive answer.
    fn noop(self) -> (&'static str, &'static str) {
        match self {
            Kind::Smtp => ("NOOP\r\n", "250"),
            Kind::Pop3 => ("NOOP\r\n", "+OK"),
            Kind::Imap => ("n1 NOOP\r\n", "n1 OK"),
        }
    }

    /// Starts the server over `maildir` with `extra` arguments (and the certificate when given).
    fn start(
        self,
        maildir: &Path,
        extra: &[&str],
        tls: Option<&(PathBuf, PathBuf)>,
    ) -> ServerChild {
        let mut args: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        if self != Kind::Smtp {
            args.push("--user".into());
            args.push(format!("{USER}:{PASS}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ServerChild::example(&bin(self.name()), self.name(), maildir, &args, tls)
    }
}

/// A fresh Maildir (`tmp`, `new`, `cur`) in `dir`.
fn maildir(dir: &TempDir) -> PathBuf {
    let md = dir.path().join("Maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    md
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Polls `check` every 50 ms for up to `limit`.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// A line-oriented test client over a plain socket.
struct Peer {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Peer {
    fn connect(addr: &str) -> Peer {
        let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        Peer {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(_) => line,
            Err(e) => panic!("reading a line: {e} (so far {line:?})"),
        }
    }

    /// Reads lines until one starts with `prefix` (panics after 50 lines or at EOF).
    fn expect(&mut self, prefix: &str) -> String {
        let mut seen = String::new();
        for _ in 0..50 {
            let line = self.line();
            if line.starts_with(prefix) {
                return line;
            }
            assert!(!line.is_empty(), "EOF before {prefix:?}; saw:\n{seen}");
            seen.push_str(&line);
        }
        panic!("no {prefix:?} in:\n{seen}");
    }

    /// Reads (and drops) everything until the server closes; how long that took (`None`: not within `limit`).
    fn closed_within(&mut self, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        self.writer.set_read_timeout(Some(limit)).unwrap();
        let mut buf = [0u8; 4096];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return Some(started.elapsed()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return Some(started.elapsed());
                }
                Err(_) => return None,
            }
            if started.elapsed() > limit {
                return None;
            }
        }
    }

    /// A logged-in session (POP3 USER/PASS, IMAP LOGIN, SMTP EHLO) after the greeting.
    fn login(kind: Kind, addr: &str) -> Peer {
        let mut peer = Peer::connect(addr);
        peer.expect(kind.greeting());
        match kind {
            Kind::Smtp => {
                peer.send("EHLO test.example\r\n");
                peer.expect("250 ");
            }
            Kind::Pop3 => {
                peer.send(&format!("USER {USER}\r\n"));
                peer.expect("+OK");
                peer.send(&format!("PASS {PASS}\r\n"));
                let answer = peer.line();
                assert!(answer.starts_with("+OK"), "PASS: {answer}");
            }
            Kind::Imap => {
                peer.send(&format!("l1 LOGIN {USER} {PASS}\r\n"));
                peer.expect("l1 OK");
            }
        }
        peer
    }
}

/// Sends a signal (`-TERM`, `-INT`) to `pid`.
fn signal(which: &str, pid: u32) {
    let status = Command::new("kill")
        .args([which, &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(status.success());
}

/// The address of the server's implicit TLS listener (its `implicit TLS on ADDR` log line).
fn tls_addr(server: &ServerChild) -> String {
    let mut addr = None;
    eventually(Duration::from_secs(10), || {
        addr = server.log().lines().find_map(|l| {
            l.split("implicit TLS on ")
                .nth(1)
                .map(|a| a.trim().to_owned())
        });
        addr.is_some()
    });
    addr.unwrap_or_else(|| panic!("no implicit TLS listener logged:\n{}", server.log()))
}

fn text(output: &Output) -> String {
    format!("{}{}", output.stdout_text(), output.stderr)
}

// ---------------------------------------------------------------------------------------------------------
// --help

#[test]
fn every_example_answers_help_with_its_options() {
    let servers = [
        "--listen-tls",
        "--idle-timeout",
        "--handshake-timeout",
        "--write-timeout",
    ];
    let clients = [
        "--cafile",
        "--insecure",
        "--connect-timeout",
        "--greeting-timeout",
        "--command-timeout",
        "exit status",
    ];
    for name in EXAMPLES {
        let out = run(
            Command::new(bin(name)).arg("--help"),
            &format!("{name} --help"),
        );
        assert!(out.status.success(), "{name} --help: {}", out.stderr);
        let help = out.stdout_text();
        assert!(help.starts_with("usage: "), "{name} --help:\n{help}");
        let wanted: &[&str] = match *name {
            "smtp_server" | "pop3_server" | "imap_server" => &servers,
            "smtp_client" | "pop3_client" | "imap_client" => &clients,
            _ => &[],
        };
        for option in wanted {
            assert!(
                help.contains(option),
                "{name} --help lacks {option}:\n{help}"
            );
        }
    }
    let out = run(
        Command::new(bin("imap_client")).arg("--help"),
        "imap_client --help",
    );
    for mechanism in [
        "PLAIN",
        "LOGIN",
        "XOAUTH2",
        "OAUTHBEARER",
        "EXTERNAL",
        "ANONYMOUS",
    ] {
        assert!(out.stdout_text().contains(mechanism), "{mechanism}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Idle and handshake timeouts

/// RFC 5321 §4.5.3.2.7, RFC 1939 §3 (autologout), RFC 9051 §5.4: a client that says nothing after the
/// greeting is dropped once the idle timer runs out, in every state.
#[test]
fn a_silent_client_is_dropped_after_the_idle_timeout() {
    for kind in KINDS {
        let dir = TempDir::new(&format!("silent-{}", kind.name()));
        let md = maildir(&dir);
        let server = kind.start(&md, &["--idle-timeout", "1"], None);
        let mut fresh = Peer::connect(&server.addr());
        fresh.expect(kind.greeting());
        let fresh_since = Instant::now();
        let mut logged_in = Peer::login(kind, &server.addr());
        let logged_in_since = Instant::now();
        for (what, peer, since) in [
            ("after the greeting", &mut fresh, fresh_since),
            ("logged in", &mut logged_in, logged_in_since),
        ] {
            let closed = peer.closed_within(Duration::from_secs(10)).is_some();
            let idle = since.elapsed();
            assert!(
                closed && idle >= Duration::from_millis(900),
                "{} did not drop a silent client ({what}) after 1 s: closed {closed} after {idle:?}\n{}",
                kind.name(),
                server.log()
            );
        }
    }
}

/// Half a TLS ClientHello (a record header announcing more than is sent).
const HALF_CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03];

/// A client that asks for STARTTLS and then sends no handshake, or half a ClientHello, and a client of
/// the implicit TLS port that sends nothing, are dropped once the handshake timeout passes.
#[test]
fn a_stalled_tls_handshake_is_dropped() {
    for kind in KINDS {
        let dir = TempDir::new(&format!("handshake-{}", kind.name()));
        let md = maildir(&dir);
        let cert = write_certificate(dir.path());
        let extra = [
            "--handshake-timeout",
            "1",
            "--idle-timeout",
            "60",
            "--listen-tls",
            "127.0.0.1:0",
        ];
        let server = kind.start(&md, &extra, Some(&cert));
        for half in [false, true] {
            let mut peer = Peer::connect(&server.addr());
            peer.expect(kind.greeting());
            match kind {
                Kind::Smtp => {
                    peer.send("EHLO test.example\r\n");
                    peer.expect("250 ");
                    peer.send("STARTTLS\r\n");
                    peer.expect("220");
                }
                Kind::Pop3 => {
                    peer.send("STLS\r\n");
                    peer.expect("+OK");
                }
                Kind::Imap => {
                    peer.send("t1 STARTTLS\r\n");
                    peer.expect("t1 OK");
                }
            }
            if half {
                peer.writer.write_all(HALF_CLIENT_HELLO).unwrap();
            }
            let took = peer.closed_within(Duration::from_secs(10));
            assert!(
                took.is_some(),
                "{}: STARTTLS then {} kept open\n{}",
                kind.name(),
                if half {
                    "half a ClientHello"
                } else {
                    "nothing"
                },
                server.log()
            );
        }
        let mut implicit = Peer::connect(&tls_addr(&server));
        assert!(
            implicit.closed_within(Duration::from_secs(10)).is_some(),
            "{}: a silent client of the implicit TLS port kept open",
            kind.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Implicit TLS listeners and --cafile

/// RFC 8314 §3.3: implicit TLS; the clients verify the server against the CA file given with --cafile.
#[test]
fn implicit_tls_listeners_serve_sessions_and_clients_trust_a_cafile() {
    let dir = TempDir::new("implicit-tls");
    let md = maildir(&dir);
    let cert = write_certificate(dir.path());
    let other = TempDir::new("implicit-tls-other");
    let (other_ca, _) = write_certificate(other.path());
    let ca = cert.0.to_str().unwrap().to_owned();
    let tls = ["--listen-tls", "127.0.0.1:0"];

    let smtp = Kind::Smtp.start(&md, &tls, Some(&cert));
    let message = b"From: a@example.org\r\nSubject: over smtps\r\n\r\nhello\r\n";
    let mut command = Command::new(bin("smtp_client"));
    command
        .args(["--server", &tls_addr(&smtp), "--tls", "--cafile", &ca])
        .args(["--from", "a@example.org", "--to", "b@example.org"]);
    let out = finish_within(&mut command, Some(message), Duration::from_secs(30)).unwrap();
    assert_eq!(
        out.status.and_then(|s| s.code()),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files_in(&md.join("new")).len(), 1, "one message delivered");
    drop(smtp);

    let pop3 = Kind::Pop3.start(&md, &tls, Some(&cert));
    let pop3_addr = tls_addr(&pop3);
    let out = run(
        Command::new(bin("pop3_client"))
            .args(["--server", &pop3_addr, "--tls", "--cafile", &ca])
            .args(["--user", USER, "--password", PASS, "--list"]),
        "pop3_client --tls",
    );
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stdout_text().starts_with("1 "), "{}", out.stdout_text());
    // A CA file that did not issue the server's certificate: refused, exit status 6 (TLS failed).
    let out = run(
        Command::new(bin("pop3_client"))
            .args(["--server", &pop3_addr, "--tls", "--cafile"])
            .arg(&other_ca)
            .args(["--user", USER, "--password", PASS, "--list"]),
        "pop3_client --tls --cafile (other CA)",
    );
    assert_eq!(out.status.code(), Some(6), "{}", out.stderr);
    drop(pop3);

    let imap = Kind::Imap.start(&md, &tls, Some(&cert));
    let out = run(
        Command::new(bin("imap_client"))
            .args(["--server", &tls_addr(&imap), "--tls", "--cafile", &ca])
            .args(["--user", USER, "--password", PASS])
            .args(["fetch", "INBOX", "1", "(BODY.PEEK[])"]),
        "imap_client --tls",
    );
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stdout_text().contains("Subject: over smtps"));
    // STARTTLS on the plain port with the CA file works too.
    let out = run(
        Command::new(bin("imap_client"))
            .args(["--server", &imap.addr(), "--starttls", "--cafile", &ca])
            .args(["--user", USER, "--password", PASS, "list"]),
        "imap_client --starttls",
    );
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stderr.contains("TLS established"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------------------
// Stalled readers

/// A message of about `mib` MiB with LF line ends.
fn big_message(path: &Path, mib: usize) {
    let line = format!("{}\n", "x".repeat(1023));
    let mut data = String::from("From: big@example.org\nSubject: big\n\n");
    for _ in 0..mib * 1024 {
        data.push_str(&line);
    }
    std::fs::write(path, data).unwrap();
}

/// A POP3 client that sends RETR and stops reading is dropped after the write timeout, and its maildrop
/// lock goes with it (RFC 1939 §8: the lock belongs to a live session); an IMAP client that stops reading
/// in a FETCH is dropped too.
#[test]
fn a_client_that_stops_reading_is_dropped_and_releases_the_maildrop() {
    let dir = TempDir::new("stalled-reader");
    let md = maildir(&dir);
    big_message(&md.join("new").join("1000.big.test"), 24);

    let server = Kind::Pop3.start(&md, &["--write-timeout", "1"], None);
    let mut stalled = Peer::login(Kind::Pop3, &server.addr());
    stalled.send("RETR 1\r\n");
    let started = Instant::now();
    let mut second = None;
    while started.elapsed() < Duration::from_secs(25) {
        let mut peer = Peer::connect(&server.addr());
        peer.expect("+OK");
        peer.send(&format!("USER {USER}\r\nPASS {PASS}\r\n"));
        peer.expect("+OK");
        let answer = peer.line();
        if answer.starts_with("+OK") {
            second = Some(started.elapsed());
            break;
        }
        assert!(answer.contains("IN-USE"), "{answer}");
        peer.send("QUIT\r\n");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(
        second.is_some(),
        "the maildrop stayed locked by a client that stopped reading:\n{}",
        server.log()
    );
    assert!(server.log().contains("write stalled"), "{}", server.log());
    drop(stalled);
    drop(server);

    let server = Kind::Imap.start(&md, &["--write-timeout", "1"], None);
    let mut stalled = Peer::login(Kind::Imap, &server.addr());
    stalled.send("s1 SELECT INBOX\r\n");
    stalled.expect("s1 OK");
    stalled.send("f1 FETCH 1 BODY.PEEK[]\r\n");
    assert!(
        eventually(Duration::from_secs(20), || server
            .log()
            .contains("write stalled")),
        "imap_server kept writing to a client that does not read:\n{}",
        server.log()
    );
    let mut other = Peer::login(Kind::Imap, &server.addr());
    let (noop, ok) = Kind::Imap.noop();
    other.send(noop);
    other.expect(ok);
    drop(server);

    // SMTP: a client that pipelines commands (RFC 2920) and never reads the replies.
    let server = Kind::Smtp.start(&md, &["--write-timeout", "1"], None);
    let stalled = Peer::login(Kind::Smtp, &server.addr());
    let mut writer = stalled.writer.try_clone().unwrap();
    let flood = std::thread::spawn(move || {
        let noops = "NOOP\r\n".repeat(10_000);
        for _ in 0..300 {
            if writer.write_all(noops.as_bytes()).is_err() {
                break;
            }
        }
    });
    assert!(
        eventually(Duration::from_secs(30), || server
            .log()
            .contains("write stalled")),
        "smtp_server kept writing to a client that does not read:\n{}",
        server.log()
    );
    drop(stalled);
    flood.join().unwrap();
}

// ---------------------------------------------------------------------------------------------------------
// Running out of file descriptors

/// With a low descriptor limit, a flood of connections makes accept fail with EMFILE: the server keeps
/// serving the open session, and accepts again once descriptors are free.
#[test]
fn running_out_of_descriptors_pauses_accepting_instead_of_exiting() {
    for kind in KINDS {
        let dir = TempDir::new(&format!("emfile-{}", kind.name()));
        let md = maildir(&dir);
        std::fs::write(md.join("new").join("1.msg.test"), "Subject: one\n\nbody\n").unwrap();
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("ulimit -n 48 && exec \"$0\" \"$@\"")
            .arg(bin(kind.name()))
            .args(["--listen", "127.0.0.1:0", "--maildir"])
            .arg(&md);
        if kind != Kind::Smtp {
            command.args(["--user", &format!("{USER}:{PASS}")]);
        }
        let mut server = ServerChild::start(command, kind.name());
        let mut session = Peer::login(kind, &server.addr());
        let flood: Vec<TcpStream> = (0..100)
            .filter_map(|_| TcpStream::connect(server.addr()).ok())
            .collect();
        assert!(
            eventually(Duration::from_secs(10), || server
                .log()
                .contains("Too many open files")),
            "{}: the flood did not exhaust the descriptors:\n{}",
            kind.name(),
            server.log()
        );
        std::thread::sleep(Duration::from_millis(500));
        let (noop, ok) = kind.noop();
        session.send(noop);
        session.expect(ok);
        assert!(
            server.wait_exit(Duration::ZERO).is_none(),
            "{} exited:\n{}",
            kind.name(),
            server.log()
        );
        drop(flood);
        let mut fresh = Peer::connect(&server.addr());
        fresh.expect(kind.greeting());
        session.send(noop);
        session.expect(ok);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Graceful shutdown

/// SIGTERM mid-DATA (SMTP), mid-APPEND (IMAP) and SIGINT in a POP3 transaction: every client hears the
/// goodbye, the process exits 0, and no partial file stays in tmp/.
#[test]
fn sigterm_says_goodbye_and_leaves_no_partial_file() {
    for kind in KINDS {
        let dir = TempDir::new(&format!("sigterm-{}", kind.name()));
        let md = maildir(&dir);
        let mut server = kind.start(&md, &[], None);
        let mut peer = Peer::login(kind, &server.addr());
        match kind {
            Kind::Smtp => {
                peer.send("MAIL FROM:<a@example.org>\r\n");
                peer.expect("250");
                peer.send("RCPT TO:<b@example.org>\r\n");
                peer.expect("250");
                peer.send("DATA\r\n");
                peer.expect("354");
                peer.send("Subject: cut short\r\n\r\nthe first line of a long message\r\n");
            }
            Kind::Imap => {
                // LITERAL+ (RFC 7888): the literal follows at once; only 64 of its bytes are sent.
                peer.send("a1 APPEND INBOX {100000+}\r\n");
                peer.send(&"y".repeat(64));
            }
            Kind::Pop3 => {}
        }
        if kind != Kind::Pop3 {
            assert!(
                eventually(Duration::from_secs(10), || !files_in(&md.join("tmp"))
                    .is_empty()),
                "{}: no delivery started in tmp/\n{}",
                kind.name(),
                server.log()
            );
        }
        // SIGINT (Ctrl-C) for POP3, SIGTERM for the others: both stop the server the same way.
        signal(
            if kind == Kind::Pop3 { "-INT" } else { "-TERM" },
            server.pid(),
        );
        let goodbye = peer.expect(kind.goodbye());
        assert!(!goodbye.is_empty());
        let status: Option<ExitStatus> = server.wait_exit(Duration::from_secs(15));
        assert!(
            status.is_some_and(|s| s.success()),
            "{}: {status:?}\n{}",
            kind.name(),
            server.log()
        );
        assert_eq!(
            files_in(&md.join("tmp")),
            Vec::<PathBuf>::new(),
            "{}",
            kind.name()
        );
        assert_eq!(
            files_in(&md.join("new")),
            Vec::<PathBuf>::new(),
            "{}",
            kind.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Crash-safe delivery

/// Maildir's 36-hour rule: files in tmp/ (of INBOX and of the folders) older than 36 hours are the
/// leftovers of a crash and are removed at start-up; a recent one is a delivery in progress and stays.
#[test]
fn stale_tmp_files_are_removed_at_startup() {
    for kind in [Kind::Smtp, Kind::Imap] {
        let dir = TempDir::new(&format!("stale-{}", kind.name()));
        let md = maildir(&dir);
        let folder = md.join(".Archive");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(folder.join(sub)).unwrap();
        }
        let old = SystemTime::now() - Duration::from_secs(37 * 3600);
        let stale = [md.join("tmp/1.stale"), folder.join("tmp/2.stale")];
        for path in &stale {
            std::fs::write(path, "partial").unwrap();
            let file = std::fs::File::options().write(true).open(path).unwrap();
            file.set_modified(old).unwrap();
        }
        let recent = md.join("tmp/3.recent");
        std::fs::write(&recent, "in progress").unwrap();
        let server = kind.start(&md, &[], None);
        assert!(
            eventually(Duration::from_secs(10), || stale
                .iter()
                .all(|p| !p.exists())),
            "{}: stale tmp files left:\n{}",
            kind.name(),
            server.log()
        );
        assert!(
            recent.exists(),
            "{}: a recent tmp file was removed",
            kind.name()
        );
    }
}

/// After the rename into new/, the directory itself is synced (a rename is durable only then): traced
/// with strace, which is skipped when it is missing or cannot trace here.
#[test]
fn delivery_syncs_the_new_directory_after_the_rename() {
    let usable = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "strace is needed under CI=true (.ci/run installs it)"
        );
        eprintln!(
            "==================== SKIPPED delivery_syncs_the_new_directory_after_the_rename: strace cannot run here ===================="
        );
        return;
    }
    let dir = TempDir::new("fsync");
    let md = maildir(&dir);
    let trace = dir.path().join("trace");
    let mut command = Command::new("strace");
    command
        .args([
            "-f",
            "-e",
            "trace=openat,fsync,rename,renameat,renameat2",
            "-o",
        ])
        .arg(&trace)
        .arg(bin("smtp_server"))
        .args(["--listen", "127.0.0.1:0", "--maildir"])
        .arg(&md);
    let mut server = ServerChild::start(command, "smtp_server under strace");
    let mut peer = Peer::login(Kind::Smtp, &server.addr());
    for (line, reply) in [
        ("MAIL FROM:<a@example.org>\r\n", "250"),
        ("RCPT TO:<b@example.org>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: durable\r\n\r\nbody\r\n.\r\n", "250"),
    ] {
        peer.send(line);
        peer.expect(reply);
    }
    // Stop the traced server itself: killing strace alone would leave it running.
    // With `-f` and `-o`, every trace line starts with the pid of its process, and
    // the first line is the server's (waited for, in case strace has not
    // written it out yet).
    let first_pid = || -> Option<u32> {
        std::fs::read_to_string(&trace)
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    assert!(
        eventually(Duration::from_secs(10), || first_pid().is_some()),
        "no pid at the start of the trace"
    );
    signal("-TERM", first_pid().unwrap());
    assert!(
        server.wait_exit(Duration::from_secs(10)).is_some(),
        "strace did not end with the server:\n{}",
        server.log()
    );
    let trace = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let renamed = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains("/new/"))
        .unwrap_or_else(|| panic!("no rename into new/ in the trace:\n{trace}"));
    let new_dir = format!("{}\"", md.join("new").display());
    let opened_fd = lines[renamed..].iter().find_map(|l| {
        if !(l.contains("openat(") && l.contains(&new_dir)) {
            return None;
        }
        l.rsplit("= ").next()?.trim().parse::<u32>().ok()
    });
    let fd = opened_fd.unwrap_or_else(|| panic!("new/ not opened after the rename:\n{trace}"));
    assert!(
        lines[renamed..]
            .iter()
            .any(|l| l.contains(&format!("fsync({fd})"))),
        "new/ not synced after the rename:\n{trace}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Client tools

/// A server that accepts and then never says a word (or only the greeting `hello`).
fn mute_server(hello: Option<&'static str>) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(40) {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    if let Some(hello) = hello {
                        let _ = stream.write_all(hello.as_bytes());
                    }
                    held.push(stream);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
            if held.len() >= 3 {
                std::thread::sleep(Duration::from_secs(10));
                return;
            }
        }
    });
    (addr, handle)
}

/// Each client against a server that never answers: the greeting timeout, then (against one that only
/// greets) the command timeout end it with exit status 4.
#[test]
fn clients_time_out_on_a_server_that_never_answers() {
    type Case = (&'static str, &'static str, &'static [&'static str]);
    let cases: [Case; 3] = [
        (
            "smtp_client",
            "220 mute.example ESMTP\r\n",
            &["--from", "a@example.org", "--to", "b@example.org"],
        ),
        (
            "pop3_client",
            "+OK mute\r\n",
            &["--user", "u", "--password", "p", "--list"],
        ),
        (
            "imap_client",
            "* OK [CAPABILITY IMAP4rev1] mute\r\n",
            &["--user", "u", "--password", "p", "list"],
        ),
    ];
    for (name, hello, args) in cases {
        for (greets, option) in [
            (None, "--greeting-timeout"),
            (Some(hello), "--command-timeout"),
        ] {
            let (addr, _server) = mute_server(greets);
            let started = Instant::now();
            let mut command = Command::new(bin(name));
            command.args(["--server", &addr, option, "1"]).args(args);
            let out = finish_within(
                &mut command,
                Some(b"Subject: x\r\n\r\nx\r\n"),
                Duration::from_secs(20),
            )
            .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.and_then(|s| s.code()),
                Some(4),
                "{name} {option}: {stderr}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{name} {option}"
            );
        }
    }
}

/// The secrets that must not appear: the password, and the base64 of the PLAIN and LOGIN responses.
fn secrets(user: &str, pass: &str) -> Vec<String> {
    vec![
        pass.to_owned(),
        B64.encode(format!("\0{user}\0{pass}")),
        B64.encode(pass),
    ]
}

fn assert_no_secret(what: &str, output: &str, user: &str, pass: &str) {
    for secret in secrets(user, pass) {
        assert!(
            !output.contains(&secret),
            "{what} printed a credential ({secret}):\n{output}"
        );
    }
}

/// No transcript of any client carries the password or its base64 (SMTP AUTH PLAIN and LOGIN, POP3
/// PASS and AUTH, IMAP LOGIN and AUTHENTICATE).
#[test]
fn client_transcripts_carry_no_credentials() {
    let dir = TempDir::new("redaction");
    let md = maildir(&dir);
    let pass = "Sesame-7391";
    let smtp = Kind::Smtp.start(&md, &["--user", &format!("alice:{pass}")], None);
    let mut command = Command::new(bin("smtp_client"));
    command
        .args([
            "--server",
            &smtp.addr(),
            "--user",
            "alice",
            "--password",
            pass,
        ])
        .args(["--from", "a@example.org", "--to", "b@example.org"]);
    let out = finish_within(
        &mut command,
        Some(b"Subject: x\r\n\r\nx\r\n"),
        Duration::from_secs(30),
    )
    .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.and_then(|s| s.code()), Some(0), "{all}");
    assert!(all.contains("C: AUTH PLAIN"), "{all}");
    assert_no_secret("smtp_client", &all, "alice", pass);
    drop(smtp);

    let pop3 = Kind::Pop3.start(&md, &[], None);
    for login in [&[][..], &["--sasl", "PLAIN"], &["--sasl", "LOGIN"]] {
        let out = run(
            Command::new(bin("pop3_client"))
                .args(["--server", &pop3.addr(), "--verbose"])
                .args(["--user", USER, "--password", PASS, "--list"])
                .args(login),
            "pop3_client --verbose",
        );
        assert!(out.status.success(), "{}", out.stderr);
        assert!(out.stderr.contains("C: "), "a transcript: {}", out.stderr);
        assert_no_secret("pop3_client", &text(&out), USER, PASS);
    }
    drop(pop3);

    let imap = Kind::Imap.start(&md, &[], None);
    for login in [&[][..], &["--sasl", "PLAIN"]] {
        let out = run(
            Command::new(bin("imap_client"))
                .args(["--server", &imap.addr()])
                .args(["--user", USER, "--password", PASS, "list"])
                .args(login),
            "imap_client",
        );
        assert!(out.status.success(), "{}", out.stderr);
        assert_no_secret("imap_client", &text(&out), USER, PASS);
        // Responses as IMAP text (RFC 9051 §7.3.1 mailbox-list), not Rust Debug dumps; nothing on stdout.
        assert!(
            out.stderr
                .lines()
                .any(|l| l == "* LIST (\\HasNoChildren) \".\" INBOX"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("List {"), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout_text());
    }
}

/// A scripted IMAP server whose greeting carries no capabilities (RFC 9051 §7.1.1 makes the code
/// optional): it lists them only in answer to CAPABILITY (§6.1.1). Returns its address and, at the end,
/// the commands it received.
fn capability_shy_server() -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut seen = Vec::new();
        writer.write_all(b"* OK shy server ready\r\n").unwrap();
        let mut idling: Option<String> = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let line = line.trim_end().to_owned();
            seen.push(line.clone());
            if let Some(tag) = &idling {
                if line.eq_ignore_ascii_case("DONE") {
                    writer
                        .write_all(format!("{tag} OK IDLE done\r\n").as_bytes())
                        .unwrap();
                    idling = None;
                }
                continue;
            }
            let mut words = line.split(' ');
            let tag = words.next().unwrap_or("*").to_owned();
            let verb = words.next().unwrap_or("").to_ascii_uppercase();
            let answer = match verb.as_str() {
                "CAPABILITY" => format!(
                    "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=EXTERNAL \
                     AUTH=ANONYMOUS SASL-IR IDLE MOVE\r\n{tag} OK done\r\n"
                ),
                "AUTHENTICATE" | "LOGIN" => format!("{tag} OK welcome\r\n"),
                "SELECT" | "EXAMINE" => format!("* 2 EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n"),
                "IDLE" => {
                    idling = Some(tag.clone());
                    "+ idling\r\n* 3 EXISTS\r\n".to_owned()
                }
                "UID" => format!("* 1 EXPUNGE\r\n{tag} OK moved\r\n"),
                "LOGOUT" => format!("* BYE bye\r\n{tag} OK bye\r\n"),
                _ => format!("{tag} BAD unexpected\r\n"),
            };
            writer.write_all(answer.as_bytes()).unwrap();
            if verb == "LOGOUT" {
                break;
            }
        }
        seen
    });
    (addr, handle)
}

/// Without CAPABILITY in the greeting, imap_client asks for it before SASL, IDLE and MOVE.
#[test]
fn imap_client_asks_capability_when_the_greeting_has_none() {
    for command in [
        &["idle", "INBOX", "0.5"][..],
        &["move", "INBOX", "1", "Archive"],
    ] {
        let (addr, server) = capability_shy_server();
        let out = run(
            Command::new(bin("imap_client"))
                .args(["--server", &addr, "--sasl", "PLAIN"])
                .args(["--user", USER, "--password", PASS])
                .args(command),
            "imap_client against a shy server",
        );
        let seen = server.join().expect("the scripted server");
        assert!(
            out.status.success(),
            "{command:?}: {}\nserver saw: {seen:?}",
            out.stderr
        );
        assert!(seen.iter().any(|l| l.ends_with(" CAPABILITY")), "{seen:?}");
        let sent = seen.join("\n");
        assert!(sent.contains("AUTHENTICATE PLAIN"), "{sent}");
        let verb = if command[0] == "idle" {
            " IDLE"
        } else {
            " UID MOVE "
        };
        assert!(sent.contains(verb), "{sent}");
    }
}

/// The peak resident memory (VmHWM) of a running process, in KiB, sampled until it exits.
fn peak_memory_kib(child: &mut std::process::Child, limit: Duration) -> (u64, Option<ExitStatus>) {
    let status_file = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            return (peak, Some(status));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (peak, None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A 50 MB APPEND is streamed from the file: the client's peak memory stays far below the message size,
/// and the server stores the whole message (with CRLF line ends, RFC 9051 §6.3.12 / RFC 5322 §2.3).
#[test]
fn imap_client_streams_a_large_append() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED imap_client_streams_a_large_append: no /proc to read memory from");
        return;
    }
    let dir = TempDir::new("append-memory");
    let md = maildir(&dir);
    let file = dir.path().join("big.eml");
    big_message(&file, 50);
    let lf_size = std::fs::metadata(&file).unwrap().len();
    let lines = std::fs::read(&file)
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    let server = Kind::Imap.start(&md, &[], None);
    let mut child = Command::new(bin("imap_client"))
        .args([
            "--server",
            &server.addr(),
            "--user",
            USER,
            "--password",
            PASS,
        ])
        .args(["append", "INBOX"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (peak_kib, status) = peak_memory_kib(&mut child, Duration::from_secs(120));
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}\n{}",
        server.log()
    );
    assert!(
        peak_kib < 24 * 1024,
        "imap_client peaked at {peak_kib} KiB for a {lf_size}-byte message"
    );
    let mut stored = files_in(&md.join("cur"));
    stored.extend(files_in(&md.join("new")));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        std::fs::metadata(&stored[0]).unwrap().len(),
        lf_size + lines
    );
}

/// `--sasl` takes every mechanism of the crate (RFC 4616 PLAIN, XOAUTH2, RFC 7628 OAUTHBEARER, RFC 4422
/// EXTERNAL, RFC 4505 ANONYMOUS, each sent with its initial response under SASL-IR, RFC 4959); an unknown
/// name is a usage error (exit 2) and a mechanism the server does not list is exit status 5.
#[test]
fn imap_client_takes_every_sasl_mechanism() {
    for mechanism in ["PLAIN", "XOAUTH2", "OAUTHBEARER", "EXTERNAL", "ANONYMOUS"] {
        let (addr, server) = capability_shy_server();
        let out = run(
            Command::new(bin("imap_client"))
                .args(["--server", &addr, "--sasl", mechanism])
                .args(["--user", USER, "--password", PASS, "select", "INBOX"]),
            "imap_client --sasl",
        );
        let seen = server.join().expect("the scripted server");
        assert!(
            out.status.success(),
            "{mechanism}: {}\n{seen:?}",
            out.stderr
        );
        assert!(
            seen.iter()
                .any(|l| l.contains(&format!(" AUTHENTICATE {mechanism} "))),
            "{mechanism}: {seen:?}"
        );
    }
    let dir = TempDir::new("sasl-codes");
    let md = maildir(&dir);
    let server = Kind::Imap.start(&md, &[], None);
    for (mechanism, code) in [("NOT-A-MECH", 2), ("XOAUTH2", 5)] {
        let out = run(
            Command::new(bin("imap_client"))
                .args(["--server", &server.addr(), "--sasl", mechanism])
                .args(["--user", USER, "--password", PASS, "list"]),
            "imap_client --sasl",
        );
        assert_eq!(out.status.code(), Some(code), "{mechanism}: {}", out.stderr);
    }
}

/// A listener whose accept queue is full drops new SYNs (Linux), so a connect never completes there:
/// each client gives up after its connect timeout with exit status 4.
#[test]
fn clients_time_out_on_a_connect_that_never_completes() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue (std listens with a backlog of 128): nobody accepts.
    let mut filler = Vec::new();
    let mut refused = 0;
    for _ in 0..400 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => filler.push(stream),
            Err(_) => refused += 1,
        }
        if refused >= 3 {
            break;
        }
    }
    if refused < 3 {
        eprintln!(
            "SKIPPED clients_time_out_on_a_connect_that_never_completes: the queue never filled"
        );
        return;
    }
    let addr = addr.to_string();
    for (name, args) in [
        (
            "smtp_client",
            &["--from", "a@example.org", "--to", "b@example.org"][..],
        ),
        ("pop3_client", &["--user", "u", "--password", "p", "--list"]),
        ("imap_client", &["--user", "u", "--password", "p", "list"]),
    ] {
        let started = Instant::now();
        let mut command = Command::new(bin(name));
        command
            .args(["--server", &addr, "--connect-timeout", "1"])
            .args(args);
        let out = finish_within(
            &mut command,
            Some(b"Subject: x\r\n\r\nx\r\n"),
            Duration::from_secs(20),
        )
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.and_then(|s| s.code()),
            Some(4),
            "{name}: {stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    }
    drop(filler);
}
