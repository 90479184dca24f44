//! The process harness the interop tests share: the example binaries (found under
//! `target/<profile>/examples/`, built once per run when needed), child processes run to the end under a
//! time limit with their output drained on threads, example servers started on a free port (read from their
//! `listening on ADDR` log line), tools that may be missing, temporary directories, Maildirs and
//! certificates.
//!
//! Messages name the test binary by its crate name (`interop_pop3`, ...).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::message::to_crlf;
use super::peers::skip_or_fail;

/// Any child (client, tool, server start-up) is killed after this long.
pub(crate) const CHILD_TIMEOUT: Duration = Duration::from_secs(30);
/// Building the examples (once per run) may take this long.
pub(crate) const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// The mailbox user the tests' own example servers (`imap_server`, `pop3_server`) accept.
pub(crate) const USER: &str = "carol";
/// Its password.
pub(crate) const PASS: &str = "s3cret-pass";

/// The test binary's crate name (`interop_pop3`, ...), for messages and temporary names.
const TEST: &str = env!("CARGO_CRATE_NAME");

// ---------------------------------------------------------------------------------------------------------
// Children with time limits

/// How a child ended, its output read to the end.
pub(crate) struct Finished {
    /// `None` when it was killed after its time limit.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// What a finished child left behind.
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

impl Output {
    /// The standard output, lossily as text.
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with everything the child said unless it succeeded.
    pub(crate) fn assert_success(&self, what: &str) -> &Self {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout_text(),
            self.stderr
        );
        self
    }

    /// Panics with everything the child and the server (its `log`) said unless the child succeeded.
    pub(crate) fn assert_success_with_log(&self, what: &str, log: &str) -> &Self {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n--- server log\n{log}",
            self.status,
            self.stdout_text(),
            self.stderr,
        );
        self
    }

    /// Panics unless the child failed.
    pub(crate) fn assert_failure(&self, what: &str) -> &Self {
        assert!(
            !self.status.success(),
            "{what} should have failed but succeeded:\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout_text(),
            self.stderr
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

/// Runs `command` to the end with `input` on its stdin (`None`: stdin closed), killing it after `limit`.
/// `Err` only when it cannot be started (not installed).
pub(crate) fn finish_within(
    command: &mut Command,
    input: Option<&[u8]>,
    limit: Duration,
) -> std::io::Result<Finished> {
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let child = command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut child = KillOnDrop(child);
    let writer = match (input, child.0.stdin.take()) {
        (Some(input), Some(mut stdin)) => {
            let input = input.to_vec();
            Some(std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            }))
        }
        _ => None,
    };
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
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Runs `command` to the end with stdin closed, killing it after `limit` (a panic then). `Err` only when it
/// cannot be started (not installed).
pub(crate) fn try_run_for(
    command: &mut Command,
    what: &str,
    limit: Duration,
) -> std::io::Result<Output> {
    let Finished {
        status,
        stdout,
        stderr,
    } = finish_within(command, None, limit)?;
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
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
pub(crate) fn run(command: &mut Command, what: &str) -> Output {
    try_run_for(command, what, CHILD_TIMEOUT).unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
}

/// Runs curl (silent, errors shown, at most 20 s of its own) with `args` under [`CHILD_TIMEOUT`].
pub(crate) fn curl(args: &[&str]) -> Output {
    run(
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(args),
        &format!("curl {}", args.join(" ")),
    )
}

// ---------------------------------------------------------------------------------------------------------
// Tools that may be missing

/// Whether `program` can be run (`program --version`).
pub(crate) fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether `tool` can be run; if not, skips `test` loudly (fails under CI), naming the Debian `package`
/// and what the test runs the tool `against`.
pub(crate) fn have_tool(tool: &str, package: &str, against: &str, test: &str) -> bool {
    let found = have(tool);
    if !found {
        skip_or_fail(
            test,
            &format!(
                "`{tool}` is not installed (apt-get install {package}); this test runs it against the \
                 {against} example"
            ),
        );
    }
    found
}

/// Skips `test` (or fails under CI) when one of `programs` is missing; true when all are there.
pub(crate) fn tools_or_skip(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !have(p)).collect();
    if missing.is_empty() {
        return true;
    }
    skip_or_fail(
        test,
        &format!(
            "missing tool(s): {} (apt-get install {})",
            missing.join(", "),
            missing.join(" ")
        ),
    );
    false
}

// ---------------------------------------------------------------------------------------------------------
// The example binaries

/// `target/<profile>`: the test binary lives in `target/<profile>/deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// `target/<profile>/examples/NAME`, whether it exists or not.
pub(crate) fn example_path(name: &str) -> PathBuf {
    profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// `target/<profile>/examples/NAME`, after building (once per test run) every example in `build` with
/// `cargo build --example` (the first call's list counts: one build per test binary); a failed build is a
/// warning when the binary is there anyway.
pub(crate) fn example(build: &[&str], name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let path = example_path(name);
    match BUILT.get_or_init(|| build_examples(&profile_dir(), build)) {
        Ok(()) => {}
        Err(e) if path.exists() => eprintln!(
            "{TEST}: warning: {e}\nusing the existing {}",
            path.display()
        ),
        Err(e) => panic!("{e}"),
    }
    assert!(
        path.exists(),
        "{} is missing after building the examples",
        path.display()
    );
    path
}

/// `target/<profile>/examples/NAME`, built with `cargo build --example NAME` only when it is not there
/// (e.g. under `cargo test --test`).
pub(crate) fn example_if_missing(name: &str) -> PathBuf {
    /// Serialises the builds.
    static BUILD: Mutex<()> = Mutex::new(());
    let path = example_path(name);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !path.exists() {
        // Straight to the stderr handle: the harness would hide an eprintln! of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "{} is missing: running `cargo build --example {name}` (cargo test --test does not build examples)",
            path.display()
        );
        if let Err(e) = build_examples(&profile_dir(), &[name]) {
            panic!("{e}");
        }
        assert!(
            path.exists(),
            "`cargo build --example {name}` did not produce {}",
            path.display()
        );
    }
    path
}

/// `cargo build --example` of every one of `names`, in the profile of `profile_dir`.
fn build_examples(profile_dir: &Path, names: &[&str]) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.args([
        "build",
        "--quiet",
        "--manifest-path",
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
    ]);
    for name in names {
        command.args(["--example", name]);
    }
    // APOP (and the hashed SASL mechanisms) exist only with `sasl-hash`: build the examples with it
    // when the tests have it.
    if cfg!(feature = "sasl-hash") {
        command.args(["--features", "sasl-hash"]);
    }
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
    eprintln!("{TEST}: building the examples the tests run: {command:?}");
    let output = try_run_for(&mut command, "cargo build --example", BUILD_TIMEOUT)
        .map_err(|e| format!("cannot run cargo to build the examples: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo build --example {}` failed ({}):\n{}",
            names.join(" --example "),
            output.status,
            output.stderr
        ))
    }
}

// ---------------------------------------------------------------------------------------------------------
// An example server as a child

/// A running example server, killed on drop.
pub(crate) struct ServerChild {
    child: Child,
    /// The port it listens on (at 127.0.0.1).
    pub(crate) port: u16,
    log: Arc<Mutex<String>>,
}

impl ServerChild {
    /// Starts `command` (an example server told to `--listen 127.0.0.1:0`) and reads its port from the
    /// `listening on ADDR` line it logs on stderr; panics with the log (`name` saying whose) when that does
    /// not come within [`CHILD_TIMEOUT`].
    pub(crate) fn start(mut command: Command, name: &str) -> ServerChild {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} example: {e}"));
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
                let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let port = port_rx.recv_timeout(CHILD_TIMEOUT).ok().flatten();
        let mut server = ServerChild {
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
                    "{name} did not report its port within {CHILD_TIMEOUT:?}:\n{}",
                    server.log()
                );
            }
        }
        server
    }

    /// What the server printed so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts the example server `exe` (called `name` in messages) on a free port of 127.0.0.1 over
    /// `maildir`, with the arguments `extra`, and with STARTTLS (and implicit TLS) from the PEM files
    /// `tls` (certificate, key) when given.
    pub(crate) fn example(
        exe: &Path,
        name: &str,
        maildir: &Path,
        extra: &[&str],
        tls: Option<&(PathBuf, PathBuf)>,
    ) -> ServerChild {
        let mut command = Command::new(exe);
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--maildir")
            .arg(maildir)
            .args(extra);
        if let Some((cert, key)) = tls {
            command
                .arg("--tls-cert")
                .arg(cert)
                .arg("--tls-key")
                .arg(key);
        }
        ServerChild::start(command, name)
    }

    /// Panics with the log unless the server logged each of `needles`.
    pub(crate) fn assert_logged(&self, needles: &[&str]) {
        let log = self.log();
        for needle in needles {
            assert!(log.contains(needle), "server log:\n{log}");
        }
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's process id (for signals, or to read its `/proc/PID/status`).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the server to exit on its own; `None` if it is still running.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Kills the server and waits for it (again on drop: harmless).
    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The peak resident memory of a process (`VmHWM` of `/proc/PID/status`), in KiB.
pub(crate) fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

// ---------------------------------------------------------------------------------------------------------
// Temporary directories, Maildirs, the certificate

/// A directory removed on drop (kept for inspection after a failure when made with
/// [`TempDir::kept_on_failure`]).
pub(crate) struct TempDir {
    path: PathBuf,
    keep_on_failure: bool,
}

impl TempDir {
    /// A fresh, empty directory named after the test binary, the process and `tag`.
    pub(crate) fn new(tag: &str) -> TempDir {
        TempDir::make(tag, false)
    }

    /// [`TempDir::new`], but left in place when the test fails.
    pub(crate) fn kept_on_failure(tag: &str) -> TempDir {
        TempDir::make(tag, true)
    }

    fn make(tag: &str, keep_on_failure: bool) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "mailwire-{}-{}-{tag}-{n}",
            TEST.replace('_', "-"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir {
            path,
            keep_on_failure,
        }
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.keep_on_failure && std::thread::panicking() {
            eprintln!("kept {} for inspection", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A message as a server sends it: bare LF (or CR) line ends become CRLF.
pub(crate) fn crlf(raw: &[u8]) -> Vec<u8> {
    to_crlf(raw).into_owned()
}

/// A Maildir seeded in a temporary directory by [`seed_maildir`].
pub(crate) struct Seeded {
    /// Holds the Maildir and whatever else a test puts there.
    pub(crate) dir: TempDir,
    pub(crate) maildir: PathBuf,
    /// The Maildir ids (the servers' UIDs), in message order.
    pub(crate) ids: Vec<String>,
    /// The message files, in message order.
    pub(crate) files: Vec<PathBuf>,
    /// The messages as the server sends them.
    pub(crate) expected: Vec<Vec<u8>>,
}

impl Seeded {
    /// Writes `expected[i]` to `expected-{i+1}.eml` in the directory, for a script to compare against.
    pub(crate) fn write_expected(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for (i, e) in self.expected.iter().enumerate() {
            let path = self.dir.path().join(format!("expected-{}.eml", i + 1));
            std::fs::write(&path, e).unwrap();
            files.push(path);
        }
        files
    }
}

/// Runs the Python checks `script` (saved as `file` in the seeded directory) against `server` as
/// `python3 FILE 127.0.0.1 PORT USER PASS CERT ARGS... EXPECTED-FILES...`, prints what it printed, and panics
/// with its output and the server log unless it succeeded (`what` names it).
pub(crate) fn run_python_checks(
    seeded: &Seeded,
    server: &ServerChild,
    cert: &Path,
    (file, script): (&str, &str),
    args: &[&Path],
    what: &str,
) -> Output {
    let path = seeded.dir.path().join(file);
    std::fs::write(&path, script).unwrap();
    let expected_files = seeded.write_expected();
    let out = run(
        Command::new("python3")
            .arg(&path)
            .args(["127.0.0.1", &server.port.to_string(), USER, PASS])
            .arg(cert)
            .args(args)
            .args(&expected_files),
        &format!("python3 {what} script"),
    );
    println!("{}", out.stdout_text());
    out.assert_success_with_log(&format!("{what} checks"), &server.log());
    out
}

/// A Maildir `DIR/Maildir` in a fresh [`TempDir`], with the Maildir++ `folders` (`.NAME`, empty) and the
/// messages `(sub, id, info, raw)` written as `sub/idinfo` in this order; `sent` turns a raw message into
/// what the server sends.
pub(crate) fn seed_maildir(
    tag: &str,
    folders: &[&str],
    messages: Vec<(&str, &str, &str, Vec<u8>)>,
    sent: fn(&[u8]) -> Vec<u8>,
) -> Seeded {
    let dir = TempDir::new(tag);
    let maildir = dir.path().join("Maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for folder in folders {
        let folder = maildir.join(format!(".{folder}"));
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(folder.join(sub)).unwrap();
        }
        std::fs::write(folder.join("maildirfolder"), b"").unwrap();
    }
    let mut ids = Vec::new();
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (sub, id, info, raw) in messages {
        let path = maildir.join(sub).join(format!("{id}{info}"));
        std::fs::write(&path, &raw).unwrap();
        ids.push(id.to_owned());
        files.push(path);
        expected.push(sent(&raw));
    }
    Seeded {
        dir,
        maildir,
        ids,
        files,
        expected,
    }
}

/// The files of a mailbox directory (`new/` and `cur/`), sorted by name.
pub(crate) fn message_files(mailbox: &Path) -> Vec<PathBuf> {
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
pub(crate) fn write_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("making a self-signed certificate");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("writing cert.pem");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("writing key.pem");
    (cert, key)
}
