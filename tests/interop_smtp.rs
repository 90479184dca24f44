//! Interop of the SMTP examples with software other people wrote.
//!
//! - `smtp_client` sends through Postfix (plain with BDAT, STARTTLS with DATA, AUTH on submission),
//!   through Exim (pipelined BDAT; STARTTLS, AUTH and DATA) and straight to Dovecot's LMTP (BDAT and
//!   DATA), and each message is read back over IMAP from Dovecot (Python's imaplib) and compared byte
//!   for byte; a wrong password and a refused recipient (Postfix, Exim) must make it exit 1. These need
//!   the peers of `tests/peers/start.sh`.
//! - `smtp_server` (started here on a free port with a temporary Maildir, killed at the end) receives
//!   from Python's smtplib (STARTTLS, AUTH PLAIN and LOGIN, LMTP), swaks (PIPELINING, STARTTLS + AUTH),
//!   a raw-socket Python client sending BDAT chunks (swaks 20201014, the Debian 12 version, has no
//!   BDAT/CHUNKING support), msmtp (STARTTLS + AUTH), mutt in batch mode (STARTTLS + AUTH through GNU
//!   SASL), Exim relaying to it (STARTTLS, PIPELINING, CHUNKING; and as an LMTP client, two recipients
//!   in one transaction) and `smtp_client` itself (STARTTLS + AUTH, LMTP per recipient); the delivered files are checked (Received header first, then the message byte for
//!   byte), and plaintext injected after STARTTLS must be dropped.
//!
//! Missing peers or tools skip loudly, and fail under `CI=true`. Every child process is killed after
//! [`CHILD_TIMEOUT`].

mod common;

use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::harness::{
    CHILD_TIMEOUT, Finished, ServerChild, TempDir, example_if_missing as example, finish_within,
    tools_or_skip, write_certificate,
};
use common::peers::{Peers, peers_or_skip};

// ---------------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------------

/// How a child process ended.
struct Outcome {
    /// `None` when it was killed after [`CHILD_TIMEOUT`].
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
    what: String,
}

impl Outcome {
    fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Panics with the whole output unless the process succeeded.
    fn assert_success(&self) {
        assert!(self.success(), "{} failed\n{}", self.what, self.describe());
    }

    fn describe(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => format!("killed after {CHILD_TIMEOUT:?}"),
        };
        format!(
            "--- {} ({status})\n--- stdout:\n{}\n--- stderr:\n{}",
            self.what, self.stdout, self.stderr
        )
    }
}

/// Runs `command` with `input` on stdin, killing it after [`CHILD_TIMEOUT`].
fn run(mut command: Command, input: &[u8]) -> Outcome {
    let what = format!("{command:?}");
    let Finished {
        status,
        stdout,
        stderr,
    } = finish_within(&mut command, Some(input), CHILD_TIMEOUT)
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    Outcome {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        what,
    }
}

/// Runs an inline Python 3 script with `args`.
fn python(script: &str, args: &[&str]) -> Outcome {
    let mut command = Command::new("python3");
    command.arg("-c").arg(script).args(args);
    let mut outcome = run(command, b"");
    outcome.what = format!("python3 script with {args:?}");
    outcome
}

/// A unique token for Message-IDs and subjects.
fn unique(label: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("{label}-{}-{nanos}", std::process::id())
}

/// A test message with CRLF line ends: headers, an 8-bit UTF-8 line, lines starting with dots (one is
/// a lone `.`), a line that looks like a command, and `lines` numbered filler lines (so that big messages take several
/// reads and several BDAT chunks).
fn message(id: &str, from: &str, to: &str, lines: usize) -> Vec<u8> {
    let mut m = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: mailwire interop {id}\r\nMessage-ID: <{id}@mailwire.test>\r\n\
         Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Hello from the mailwire interop test {id}.\r\nGrüße aus Köln: 8-bit UTF-8 text.\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\n\
         the line above is a lone dot\r\nQUIT\r\n"
    )
    .into_bytes();
    for i in 0..lines {
        m.extend_from_slice(
            format!("{i:06} The quick brown fox jumps over the lazy dog.\r\n").as_bytes(),
        );
    }
    m.extend_from_slice(b".last line with a dot\r\n");
    m
}

/// A [`message`] from bob@example.org to `to` with a [`unique`] id made from `label`.
fn from_bob(label: &str, to: &str, lines: usize) -> Vec<u8> {
    message(&unique(label), "bob@example.org", to, lines)
}

/// Where `haystack` contains `needle`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------------
// smtp_server under test
// ---------------------------------------------------------------------------------------------------

/// A running `smtp_server` with its Maildir, killed (and waited for) at drop.
struct ServerGuard {
    server: ServerChild,
    port: u16,
    maildir: PathBuf,
    _dir: TempDir,
}

impl ServerGuard {
    /// Starts `smtp_server` on a free port with a fresh Maildir and `extra` arguments (`tls`: a
    /// certificate made here).
    fn start(label: &str, tls: bool, extra: &[&str]) -> ServerGuard {
        let dir = TempDir::kept_on_failure(label);
        let maildir = dir.path().join("Maildir");
        let tls = tls.then(|| write_certificate(dir.path()));
        let server = ServerChild::example(
            &example("smtp_server"),
            "smtp_server",
            &maildir,
            extra,
            tls.as_ref(),
        );
        ServerGuard {
            port: server.port,
            server,
            maildir,
            _dir: dir,
        }
    }

    fn address(&self) -> String {
        self.server.addr()
    }

    /// What the server printed so far.
    fn log(&self) -> String {
        self.server.log()
    }

    /// The files in the Maildir's `new/`, sorted by name (delivery order), waiting (boundedly) until
    /// there are `count`.
    fn delivered(&self, count: usize) -> Vec<(PathBuf, Vec<u8>)> {
        let started = Instant::now();
        loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.join("new"))
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            files.sort();
            if files.len() >= count || started.elapsed() > Duration::from_secs(5) {
                assert_eq!(
                    files.len(),
                    count,
                    "messages in {}/new; server log:\n{}",
                    self.maildir.display(),
                    self.log()
                );
                return files
                    .into_iter()
                    .map(|p| {
                        let bytes = std::fs::read(&p).expect("reading a delivered message");
                        (p, bytes)
                    })
                    .collect();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.server.stop();
        if std::thread::panicking() {
            eprintln!("--- smtp_server log:\n{}", self.log());
        }
    }
}

/// Checks one delivered file: a `Received:` header first (with `with PROTOCOL`), then exactly `sent`.
fn check_delivered(file: &(PathBuf, Vec<u8>), sent: &[u8], protocol: &str) {
    let (path, bytes) = file;
    let shown = || {
        String::from_utf8_lossy(bytes)
            .chars()
            .take(2000)
            .collect::<String>()
    };
    assert!(
        bytes.starts_with(b"Received: from "),
        "{} does not start with a Received header:\n{}",
        path.display(),
        shown()
    );
    let header_end = find(bytes, b"\r\nFrom: ").unwrap_or_else(|| {
        panic!(
            "{}: the message's own headers are missing:\n{}",
            path.display(),
            shown()
        )
    });
    let received = String::from_utf8_lossy(&bytes[..header_end]);
    assert!(
        received.contains(&format!(" with {protocol}")),
        "{}: expected `with {protocol}` in {received:?}",
        path.display()
    );
    assert!(
        &bytes[header_end + 2..] == sent,
        "{}: the message after the Received header differs from what was sent ({} vs {} bytes):\n{}",
        path.display(),
        bytes.len() - header_end - 2,
        sent.len(),
        shown()
    );
}

// ---------------------------------------------------------------------------------------------------
// smtp_client through Postfix, read back from Dovecot
// ---------------------------------------------------------------------------------------------------

/// Fetches the message with this Message-ID from the user's INBOX over IMAP (waiting for Postfix to
/// deliver it), as raw bytes.
const IMAP_FETCH: &str = r#"
import imaplib, sys, time
host, port, user, password, msgid, out = sys.argv[1:]
deadline = time.time() + 20
while True:
    imap = imaplib.IMAP4(host, int(port), timeout=10)
    imap.login(user, password)
    imap.select("INBOX", readonly=True)
    typ, data = imap.search(None, "HEADER", "Message-ID", msgid)
    ids = data[0].split()
    if ids:
        typ, data = imap.fetch(ids[-1], "(BODY.PEEK[])")
        open(out, "wb").write(data[0][1])
        imap.logout()
        print("fetched message", ids[-1].decode(), "with", len(data[0][1]), "bytes")
        break
    imap.logout()
    if time.time() > deadline:
        sys.exit("no message with Message-ID " + msgid + " arrived within 20 s")
    time.sleep(0.25)
"#;

/// Sends a message through Postfix (or straight to Dovecot's LMTP) with `smtp_client` (`port_of`
/// and `flags`), then reads it back from Dovecot over IMAP and compares.
/// Returns the client's outcome (`None` when the test skipped).
fn client_through_peer(
    test: &str,
    label: &str,
    port_of: fn(&Peers) -> u16,
    flags: &[&str],
) -> Option<Outcome> {
    let peers = peers_or_skip(test)?;
    if !tools_or_skip(test, &["python3"]) {
        return None;
    }
    let id = unique(label);
    let to = peers.address();
    let sent = message(&id, &to, &to, 3000);
    let mut command = Command::new(example("smtp_client"));
    command
        .arg("--server")
        .arg(format!("{}:{}", peers.host, port_of(&peers)))
        .arg("--from")
        .arg(&to)
        .arg("--to")
        .arg(&to)
        .args(flags);
    let outcome = run(command, &sent);
    outcome.assert_success();
    assert!(
        outcome.stdout.contains("C: QUIT") && outcome.stdout.contains("S: 221"),
        "no QUIT in the trace\n{}",
        outcome.describe()
    );

    let dir = TempDir::kept_on_failure(label);
    let out = dir.path().join("fetched.eml");
    let imap_port = peers.imap.to_string();
    let msgid = format!("<{id}@mailwire.test>");
    let fetched = python(
        IMAP_FETCH,
        &[
            &peers.host,
            &imap_port,
            &peers.user,
            &peers.pass,
            &msgid,
            out.to_str().expect("a UTF-8 temp path"),
        ],
    );
    fetched.assert_success();
    let bytes = std::fs::read(&out).expect("reading the fetched message");
    // Postfix and Dovecot add trace headers (Return-Path, Delivered-To, Received) on top; the rest
    // must be exactly what was sent.
    assert!(
        bytes.ends_with(&sent),
        "the message read back over IMAP does not end with what was sent ({} bytes fetched, {} sent); \
         first 1500 bytes:\n{}",
        bytes.len(),
        sent.len(),
        String::from_utf8_lossy(&bytes[..bytes.len().min(1500)])
    );
    assert!(
        bytes.len() > sent.len() && bytes.starts_with(b"Return-Path: "),
        "expected trace headers from Dovecot before the message"
    );
    Some(outcome)
}

#[test]
fn client_postfix_plain_pipelined_bdat() {
    // Postfix offers PIPELINING and CHUNKING: MAIL, RCPT and the BDAT chunks go in one write.
    client_through_peer(
        "interop_smtp::client_postfix_plain_pipelined_bdat",
        "plain",
        |p| p.smtp,
        &[],
    );
}

#[test]
fn client_postfix_starttls_data() {
    client_through_peer(
        "interop_smtp::client_postfix_starttls_data",
        "starttls",
        |p| p.smtp,
        &["--starttls", "--insecure", "--no-chunking"],
    );
}

/// [`client_through_peer`] with STARTTLS and AUTH (the peer's user and password) and `extra` flags;
/// the client's trace must show the 220 to STARTTLS and the 235 to AUTH.
fn client_starttls_auth_through(
    test: &str,
    label: &str,
    port_of: fn(&Peers) -> u16,
    extra: &[&str],
) {
    let Some(peers) = peers_or_skip(test) else {
        return;
    };
    // `fn` pointers cannot capture: the credentials go in the flags.
    let mut flags = vec![
        "--starttls",
        "--insecure",
        "--user",
        &peers.user,
        "--password",
        &peers.pass,
    ];
    flags.extend_from_slice(extra);
    if let Some(outcome) = client_through_peer(test, label, port_of, &flags) {
        assert!(
            outcome.stdout.contains("S: 220") && outcome.stdout.contains("S: 235"),
            "no STARTTLS and AUTH in the trace\n{}",
            outcome.describe()
        );
    }
}

#[test]
fn client_submission_starttls_auth() {
    client_starttls_auth_through(
        "interop_smtp::client_submission_starttls_auth",
        "submission",
        |p| p.submission,
        &[],
    );
}

#[test]
fn client_dovecot_lmtp_bdat() {
    client_through_peer(
        "interop_smtp::client_dovecot_lmtp_bdat",
        "lmtp-bdat",
        |p| p.lmtp,
        &["--lmtp"],
    );
}

#[test]
fn client_dovecot_lmtp_data() {
    client_through_peer(
        "interop_smtp::client_dovecot_lmtp_data",
        "lmtp-data",
        |p| p.lmtp,
        &["--lmtp", "--no-chunking"],
    );
}

#[test]
fn client_submission_wrong_password_fails() {
    let test = "interop_smtp::client_submission_wrong_password_fails";
    let Some(peers) = peers_or_skip(test) else {
        return;
    };
    let to = peers.address();
    let mut command = Command::new(example("smtp_client"));
    command
        .arg("--server")
        .arg(format!("{}:{}", peers.host, peers.submission))
        .args(["--from", &to, "--to", &to, "--starttls", "--insecure"])
        .args(["--user", &peers.user, "--password", "not-the-password"]);
    let outcome = run(command, &message(&unique("badpass"), &to, &to, 1));
    assert_eq!(outcome.code(), Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("535"),
        "the AUTH failure is not reported\n{}",
        outcome.describe()
    );
    assert!(
        !outcome.stdout.contains("C: MAIL"),
        "MAIL was sent after a failed AUTH\n{}",
        outcome.describe()
    );
}

/// Sends to the user and to the address the peer always refuses: `smtp_client` must exit 1 and name
/// the refused recipient, after the peer's 5xx reply to its RCPT.
fn client_reports_rejected_recipient_of(test: &str, port_of: fn(&Peers) -> u16) {
    let Some(peers) = peers_or_skip(test) else {
        return;
    };
    let to = peers.address();
    let rejected = peers
        .var("PEER_REJECTED_ADDRESS")
        .unwrap_or("nobody-here@localhost")
        .to_owned();
    let mut command = Command::new(example("smtp_client"));
    command
        .arg("--server")
        .arg(format!("{}:{}", peers.host, port_of(&peers)))
        .args(["--from", &to, "--to", &to, "--to", &rejected]);
    let outcome = run(command, &message(&unique("rejected"), &to, &to, 1));
    assert_eq!(outcome.code(), Some(1), "{}", outcome.describe());
    assert!(
        outcome.stdout.lines().any(|l| l.starts_with("S: 5"))
            && outcome
                .stderr
                .contains(&format!("recipient <{rejected}> rejected")),
        "the refused recipient is not reported\n{}",
        outcome.describe()
    );
}

#[test]
fn client_reports_rejected_recipient() {
    client_reports_rejected_recipient_of("interop_smtp::client_reports_rejected_recipient", |p| {
        p.smtp
    });
}

#[test]
fn client_exim_pipelined_bdat() {
    // Exim offers PIPELINING, CHUNKING and PIPECONNECT (which the client does not use): MAIL, RCPT
    // and the BDAT chunks go in one write, and Exim hands the message to Dovecot over LMTP.
    client_through_peer(
        "interop_smtp::client_exim_pipelined_bdat",
        "exim-plain",
        |p| p.exim,
        &[],
    );
}

#[test]
fn client_exim_starttls_auth_data() {
    // Exim offers AUTH PLAIN and LOGIN only after STARTTLS (CRAM-MD5 before it too)
    client_starttls_auth_through(
        "interop_smtp::client_exim_starttls_auth_data",
        "exim-tls",
        |p| p.exim,
        &["--no-chunking"],
    );
}

// Exim (tests/peers) offers AUTH CRAM-MD5 before STARTTLS; its challenge must be answered, so the
// client runs the raw SASL path (ClientEvent::AuthChallenge, auth_response). The message must reach
// Dovecot through Exim, read back over IMAP.
#[cfg(feature = "sasl-hash")]
#[test]
fn client_exim_cram_md5_before_tls() {
    let test = "interop_smtp::client_exim_cram_md5_before_tls";
    let Some(peers) = peers_or_skip(test) else {
        return;
    };
    let flags = [
        "--user",
        &peers.user,
        "--password",
        &peers.pass,
        "--auth",
        "CRAM-MD5",
    ];
    if let Some(outcome) = client_through_peer(test, "exim-cram", |p| p.exim, &flags) {
        let trace = &outcome.stdout;
        assert!(
            trace.contains("C: AUTH CRAM-MD5")
                && trace.contains("S: 334 ")
                && trace.contains("S: 235"),
            "no CRAM-MD5 exchange in the trace\n{}",
            outcome.describe()
        );
        assert!(
            !trace.contains("STARTTLS\r") && !trace.contains("C: STARTTLS"),
            "CRAM-MD5 ran after STARTTLS\n{}",
            outcome.describe()
        );
    }
}

#[test]
fn client_exim_reports_rejected_recipient() {
    client_reports_rejected_recipient_of(
        "interop_smtp::client_exim_reports_rejected_recipient",
        |p| p.exim,
    );
}

// ---------------------------------------------------------------------------------------------------
// smtp_server receiving from other clients
// ---------------------------------------------------------------------------------------------------

/// smtplib: STARTTLS, then AUTH PLAIN (session 1) and LOGIN without an initial response (session 2);
/// no AUTH before TLS, MAIL refused before AUTH, a wrong password refused.
const SMTPLIB_TLS_AUTH: &str = r#"
import smtplib, ssl, sys
host, port, user, password, msg1, msg2 = sys.argv[1:]
msg1 = open(msg1, "rb").read()
msg2 = open(msg2, "rb").read()
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

s = smtplib.SMTP(host, int(port), timeout=10)
s.ehlo("python.test")
assert s.has_extn("starttls"), s.esmtp_features
assert not s.has_extn("auth"), "AUTH offered before TLS: %r" % s.esmtp_features
code, text = s.starttls(context=ctx)
assert code == 220, (code, text)
s.ehlo("python.test")
assert s.has_extn("auth"), s.esmtp_features
assert "PLAIN" in s.esmtp_features["auth"] and "LOGIN" in s.esmtp_features["auth"], s.esmtp_features
code, text = s.docmd("MAIL", "FROM:<bob@example.org>")
assert code == 530, ("MAIL before AUTH", code, text)
try:
    s.login(user, "wrong-" + password)
    sys.exit("a wrong password was accepted")
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
s.login(user, password)
print("PLAIN login ok, mechanisms", s.esmtp_features["auth"])
refused = s.sendmail("bob@example.org", ["carol@example.net"], msg1)
assert refused == {}, refused
s.quit()

s = smtplib.SMTP(host, int(port), timeout=10)
s.ehlo("python.test")
s.starttls(context=ctx)
s.ehlo("python.test")
s.user, s.password = user, password
code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
assert code == 235, (code, text)
print("LOGIN ok")
s.sendmail("bob@example.org", ["dave@example.net", "erin@example.net"], msg2)
s.quit()
print("done")
"#;

/// Submits a message to Exim for `rcpts` (comma-separated `p<PORT>.relay.test` or `.lmtp.test`
/// addresses, which Exim relays to 127.0.0.1:PORT over SMTP or LMTP) and waits until Exim has
/// delivered it or given up; prints Exim's log lines for it.
const EXIM_SUBMIT: &str = r#"
import smtplib, sys, time
host, port, rcpts, path, log = sys.argv[1:]
msg = open(path, "rb").read()
s = smtplib.SMTP(host, int(port), timeout=10)
s.ehlo("python.test")
code, text = s.docmd("MAIL", "FROM:<bob@example.org>")
assert code == 250, (code, text)
for rcpt in rcpts.split(","):
    code, text = s.docmd("RCPT", "TO:<%s>" % rcpt)
    assert code == 250, (code, text)
code, text = s.data(msg)
assert code == 250, (code, text)
s.quit()
# "250 OK id=1xVYGb-0004KL-1l"
queue_id = text.decode().split("id=")[-1].strip()
deadline = time.time() + 20
while True:
    lines = [l for l in open(log, errors="replace") if queue_id in l]
    if any(" Completed" in l or " ** " in l or " == " in l for l in lines):
        print("".join(lines))
        break
    if time.time() > deadline:
        sys.exit("Exim logged no delivery of %s within 20 s: %r" % (queue_id, lines))
    time.sleep(0.1)
"#;

/// Checks a file `smtp_server` stored for a message Exim relayed: our Received header (`with
/// PROTOCOL`), then Exim's, then exactly `sent`.
fn check_delivered_after_exim(file: &(PathBuf, Vec<u8>), sent: &[u8], protocol: &str) {
    let (path, bytes) = file;
    let shown = || String::from_utf8_lossy(&bytes[..bytes.len().min(800)]).into_owned();
    let exim_received = find(bytes, b"\r\nReceived: from ").unwrap_or_else(|| {
        panic!(
            "{}: no second Received header:\n{}",
            path.display(),
            shown()
        )
    });
    assert!(
        bytes.starts_with(b"Received: from ")
            && find(
                &bytes[..exim_received],
                format!(" with {protocol} ").as_bytes()
            )
            .is_some(),
        "{}: no Received header of ours `with {protocol}`:\n{}",
        path.display(),
        shown()
    );
    assert!(
        find(&bytes[exim_received..], b"by exim.").is_some(),
        "{}: the second Received header is not Exim's:\n{}",
        path.display(),
        shown()
    );
    assert!(
        bytes.ends_with(sent),
        "{}: the message does not end with what was sent ({} bytes stored, {} sent)",
        path.display(),
        bytes.len(),
        sent.len()
    );
}

/// Exim relaying into `smtp_server` (started with `server_args`, TLS when `tls`): submits one message
/// for `who`'s addresses at `p<PORT>.<domain>` (`relay.test`: SMTP, `lmtp.test`: LMTP) and waits for
/// Exim to finish with it. Returns the server, the recipients, what was sent and the submission's
/// outcome (its stdout holds Exim's log lines for the message); `None` when the test skips.
fn exim_relays_into_server(
    test: &str,
    label: &str,
    (tls, server_args): (bool, &[&str]),
    domain: &str,
    who: &[&str],
) -> Option<(ServerGuard, Vec<String>, Vec<u8>, Outcome)> {
    let peers = peers_or_skip(test)?;
    if !tools_or_skip(test, &["python3"]) {
        return None;
    }
    // Exim's log is under the peers' folder (start.sh's default when no env file names it)
    let log = PathBuf::from(peers.var("PEERS_DIR").unwrap_or("/tmp/mailwire-peers"))
        .join("exim/log/mainlog");
    let server = ServerGuard::start(label, tls, server_args);
    let rcpts: Vec<String> = who
        .iter()
        .map(|w| format!("{w}@p{}.{domain}", server.port))
        .collect();
    let sent = from_bob(label, &rcpts[0], 2000);
    let dir = TempDir::kept_on_failure(label);
    let file = dir.path().join("m.eml");
    std::fs::write(&file, &sent).unwrap();
    let port = peers.exim.to_string();
    let outcome = python(
        EXIM_SUBMIT,
        &[
            &peers.host,
            &port,
            &rcpts.join(","),
            file.to_str().expect("a UTF-8 temp path"),
            log.to_str().expect("a UTF-8 peers path"),
        ],
    );
    outcome.assert_success();
    Some((server, rcpts, sent, outcome))
}

/// Exim as the client: a real MTA relays a message to `smtp_server` (STARTTLS, PIPELINING and
/// CHUNKING offered, so Exim uses all three), which stores it in its Maildir.
#[test]
fn server_exim_relays_with_tls_and_chunking() {
    let Some((server, rcpts, sent, outcome)) = exim_relays_into_server(
        "interop_smtp::server_exim_relays_with_tls_and_chunking",
        "exim-relay",
        (true, &[]),
        "relay.test",
        &["carol"],
    ) else {
        return;
    };
    let rcpt = &rcpts[0];
    let delivery = outcome
        .stdout
        .lines()
        .find(|l| l.contains(" => "))
        .unwrap_or_else(|| panic!("Exim did not deliver:\n{}", outcome.describe()));
    // Exim's log: X= is the TLS cipher of the connection, K that the message went by BDAT.
    assert!(
        delivery.contains(" X=TLS") && delivery.contains(" K "),
        "Exim did not relay over TLS with CHUNKING: {delivery}"
    );
    assert!(delivery.contains(rcpt.as_str()), "{delivery}");
    let files = server.delivered(1);
    check_delivered_after_exim(&files[0], &sent, "ESMTPS");
    assert!(
        server.log().contains(&format!("RCPT TO:<{rcpt}>")),
        "{}",
        server.log()
    );
}

/// Exim as an LMTP client: one message for two recipients over one LMTP transaction to
/// `smtp_server --lmtp`, which answers each recipient after the body and stores one file each.
#[test]
fn server_lmtp_from_exim() {
    let Some((server, rcpts, sent, outcome)) = exim_relays_into_server(
        "interop_smtp::server_lmtp_from_exim",
        "exim-lmtp",
        (false, &["--lmtp"]),
        "lmtp.test",
        &["carol", "dave"],
    ) else {
        return;
    };
    // Exim logs the first recipient with "=>", the others of the same delivery with "->"
    for rcpt in &rcpts {
        assert!(
            outcome
                .stdout
                .lines()
                .any(|l| (l.contains(" => ") || l.contains(" -> "))
                    && l.contains(rcpt.as_str())
                    && l.contains("T=to_test_lmtp")),
            "Exim did not deliver to {rcpt} over LMTP:\n{}",
            outcome.describe()
        );
    }
    let files = server.delivered(2);
    let mut seen = Vec::new();
    for file in &files {
        check_delivered_after_exim(file, &sent, "LMTP");
        for rcpt in &rcpts {
            if find(&file.1, format!("for <{rcpt}>").as_bytes()).is_some() {
                seen.push(rcpt.clone());
            }
        }
    }
    seen.sort();
    assert_eq!(seen, rcpts, "one file per recipient");
    assert!(server.log().contains("LHLO"), "{}", server.log());
}

#[test]
fn server_smtplib_starttls_auth() {
    let test = "interop_smtp::server_smtplib_starttls_auth";
    if !tools_or_skip(test, &["python3"]) {
        return;
    }
    let server = ServerGuard::start("smtplib", true, &["--user", "alice:s3cret"]);
    let dir = TempDir::kept_on_failure("smtplib-msgs");
    let m1 = from_bob("smtplib-1", "carol@example.net", 2000);
    let m2 = from_bob("smtplib-2", "dave@example.net", 10);
    let (p1, p2) = (dir.path().join("m1.eml"), dir.path().join("m2.eml"));
    std::fs::write(&p1, &m1).unwrap();
    std::fs::write(&p2, &m2).unwrap();
    let port = server.port.to_string();
    let outcome = python(
        SMTPLIB_TLS_AUTH,
        &[
            "127.0.0.1",
            &port,
            "alice",
            "s3cret",
            p1.to_str().unwrap(),
            p2.to_str().unwrap(),
        ],
    );
    outcome.assert_success();
    let files = server.delivered(2);
    check_delivered(&files[0], &m1, "ESMTPSA");
    check_delivered(&files[1], &m2, "ESMTPSA");
    // one recipient: `for <...>`; two: no `for` (no Bcc disclosure)
    assert!(find(&files[0].1, b"for <carol@example.net>").is_some());
    assert!(find(&files[1].1[..200], b"for <").is_none());
    let log = server.log();
    assert!(log.contains("AUTH PLAIN alice: accepted"), "{log}");
    assert!(log.contains("AUTH LOGIN alice: accepted"), "{log}");
    assert!(log.contains("rejected"), "{log}");
}

/// swaks ends DATA with `CRLF . CRLF` after the data it was given, whether or not that ends in CRLF:
/// give it the message without its last CRLF.
fn swaks_data(message: &[u8]) -> &[u8] {
    message.strip_suffix(b"\r\n").unwrap_or(message)
}

#[test]
fn server_swaks_pipelining() {
    let test = "interop_smtp::server_swaks_pipelining";
    if !tools_or_skip(test, &["swaks"]) {
        return;
    }
    let server = ServerGuard::start("swaks-pipe", false, &[]);
    let dir = TempDir::kept_on_failure("swaks-msg");
    let sent = from_bob("swaks-pipe", "carol@example.net", 500);
    let file = dir.path().join("m.eml");
    std::fs::write(&file, swaks_data(&sent)).unwrap();
    let mut command = Command::new("swaks");
    command
        .args(["--server", "127.0.0.1", "--port", &server.port.to_string()])
        .args(["--from", "bob@example.org"])
        .args(["--to", "carol@example.net,dave@example.net"])
        .args(["--helo", "swaks.test", "--pipeline"])
        .arg("--data")
        .arg(format!("@{}", file.display()));
    let outcome = run(command, b"");
    outcome.assert_success();
    // Pipelined: swaks sends MAIL, both RCPTs and DATA before the first reply comes back.
    let transcript = &outcome.stdout;
    let sent_data = transcript.find(" -> DATA");
    let first_reply = transcript.find("<-  250 2.1.0");
    assert!(
        matches!((sent_data, first_reply), (Some(d), Some(r)) if d < r),
        "swaks did not pipeline MAIL/RCPT/DATA:\n{transcript}"
    );
    let files = server.delivered(1);
    check_delivered(&files[0], &sent, "ESMTP");
}

#[test]
fn server_swaks_starttls_auth() {
    let test = "interop_smtp::server_swaks_starttls_auth";
    if !tools_or_skip(test, &["swaks"]) {
        return;
    }
    let server = ServerGuard::start("swaks-tls", true, &["--user", "alice:s3cret"]);
    let dir = TempDir::kept_on_failure("swaks-tls-msg");
    let sent = from_bob("swaks-tls", "carol@example.net", 50);
    let file = dir.path().join("m.eml");
    std::fs::write(&file, swaks_data(&sent)).unwrap();
    for mechanism in ["PLAIN", "LOGIN"] {
        let mut command = Command::new("swaks");
        command
            .args(["--server", "127.0.0.1", "--port", &server.port.to_string()])
            .args(["--from", "bob@example.org", "--to", "carol@example.net"])
            .args(["--helo", "swaks.test", "--tls", "--pipeline"])
            .args(["--auth", mechanism, "--auth-user", "alice"])
            .args(["--auth-password", "s3cret"])
            .arg("--data")
            .arg(format!("@{}", file.display()));
        run(command, b"").assert_success();
    }
    let files = server.delivered(2);
    check_delivered(&files[0], &sent, "ESMTPSA");
    check_delivered(&files[1], &sent, "ESMTPSA");
}

/// BDAT over a raw socket (swaks 20201014 has no CHUNKING support): MAIL, RCPT and the first chunk
/// pipelined; the chunks hold a literal `CRLF.CRLF` (BDAT bodies are not dot-stuffed, so it is content),
/// and a chunk boundary falls inside a line.
const RAW_BDAT: &str = r#"
import socket, sys
host, port, path = sys.argv[1:]
body = open(path, "rb").read()
s = socket.create_connection((host, int(port)), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed; got %r" % lines)
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] == b" ":
            return int(line[:3]), lines
def expect(code):
    got, lines = reply()
    print("S:", "\n   ".join(lines))
    if got != code:
        sys.exit("expected %d, got %r" % (code, lines))
    return lines
expect(220)
s.sendall(b"EHLO raw.test\r\n")
caps = expect(250)
assert any(l[4:] == "CHUNKING" for l in caps), caps
assert any(l[4:] == "PIPELINING" for l in caps), caps
cut = len(body) // 3 + 1
first, second = body[:cut], body[cut:]
s.sendall(b"MAIL FROM:<bob@example.org>\r\nRCPT TO:<carol@example.net>\r\n"
          + b"BDAT %d\r\n" % len(first) + first)
expect(250); expect(250); expect(250)
s.sendall(b"BDAT %d LAST\r\n" % len(second) + second)
expect(250)
s.sendall(b"QUIT\r\n")
expect(221)
print("done")
"#;

#[test]
fn server_raw_bdat_chunks() {
    let test = "interop_smtp::server_raw_bdat_chunks";
    if !tools_or_skip(test, &["python3"]) {
        return;
    }
    let server = ServerGuard::start("bdat", false, &[]);
    let dir = TempDir::kept_on_failure("bdat-msg");
    let mut sent = from_bob("bdat", "carol@example.net", 300);
    sent.extend_from_slice(b"\r\n.\r\nMAIL FROM:<smuggled@example.org>\r\n");
    let file = dir.path().join("m.eml");
    std::fs::write(&file, &sent).unwrap();
    let port = server.port.to_string();
    python(RAW_BDAT, &["127.0.0.1", &port, file.to_str().unwrap()]).assert_success();
    let files = server.delivered(1);
    check_delivered(&files[0], &sent, "ESMTP");
    assert!(
        !server.log().contains("smuggled"),
        "content of a BDAT chunk was read as a command:\n{}",
        server.log()
    );
}

#[test]
fn server_msmtp_starttls_auth() {
    let test = "interop_smtp::server_msmtp_starttls_auth";
    if !tools_or_skip(test, &["msmtp"]) {
        return;
    }
    let server = ServerGuard::start("msmtp", true, &["--user", "alice:s3cret"]);
    let dir = TempDir::kept_on_failure("msmtp");
    let rc = dir.path().join("msmtprc");
    std::fs::write(
        &rc,
        format!(
            "defaults\nlogfile {}\n\naccount test\nhost 127.0.0.1\nport {}\ndomain msmtp.test\n\
             from bob@example.org\ntls on\ntls_starttls on\ntls_certcheck off\n\
             auth on\nuser alice\npassword s3cret\n\naccount default : test\n",
            dir.path().join("msmtp.log").display(),
            server.port
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let sent = from_bob("msmtp", "carol@example.net", 1000);
    let mut command = Command::new("msmtp");
    command
        .arg("-C")
        .arg(&rc)
        .args(["-a", "test", "--", "carol@example.net", "dave@example.net"]);
    run(command, &sent).assert_success();
    let files = server.delivered(1);
    check_delivered(&files[0], &sent, "ESMTPSA");
    let log = server.log();
    assert!(log.contains("EHLO msmtp.test"), "{log}");
    assert!(log.contains("TLS established"), "{log}");
    assert!(log.contains("RCPT TO:<dave@example.net>"), "{log}");
}

/// smtplib.LMTP to two recipients: one reply each, one file each.
const SMTPLIB_LMTP: &str = r#"
import smtplib, sys
host, port, path = sys.argv[1:]
msg = open(path, "rb").read()
s = smtplib.LMTP(host, int(port), timeout=10)
s.ehlo("lmtp.test")
refused = s.sendmail("bob@example.org", ["carol@example.net", "dave@example.net"], msg)
assert refused == {}, refused
s.quit()
print("done")
"#;

#[test]
fn server_lmtp_per_recipient() {
    let test = "interop_smtp::server_lmtp_per_recipient";
    if !tools_or_skip(test, &["python3"]) {
        return;
    }
    let server = ServerGuard::start("lmtp", false, &["--lmtp"]);
    let dir = TempDir::kept_on_failure("lmtp-msg");
    let sent = from_bob("lmtp", "carol@example.net", 100);
    let file = dir.path().join("m.eml");
    std::fs::write(&file, &sent).unwrap();
    let port = server.port.to_string();
    python(SMTPLIB_LMTP, &["127.0.0.1", &port, file.to_str().unwrap()]).assert_success();

    // smtp_client in LMTP mode: one reply per recipient after the body.
    let mut command = Command::new(example("smtp_client"));
    command
        .args(["--server", &server.address(), "--lmtp"])
        .args(["--from", "bob@example.org"])
        .args(["--to", "erin@example.net", "--to", "frank@example.net"]);
    let outcome = run(command, &sent);
    outcome.assert_success();
    assert!(
        outcome.stdout.contains("C: LHLO "),
        "no LHLO\n{}",
        outcome.describe()
    );
    for who in ["erin", "frank"] {
        assert!(
            outcome
                .stderr
                .contains(&format!("delivered to <{who}@example.net>")),
            "no per-recipient result for {who}\n{}",
            outcome.describe()
        );
    }

    let files = server.delivered(4);
    let mut seen = Vec::new();
    for file in &files {
        check_delivered(file, &sent, "LMTP");
        for who in ["carol", "dave", "erin", "frank"] {
            if find(&file.1, format!("for <{who}@example.net>").as_bytes()).is_some() {
                seen.push(who);
            }
        }
    }
    seen.sort();
    assert_eq!(seen, ["carol", "dave", "erin", "frank"]);
}

#[test]
fn client_to_server_starttls_auth() {
    // The two examples together, over STARTTLS with AUTH, DATA and BDAT.
    let server = ServerGuard::start("self", true, &["--user", "alice:s3cret"]);
    let sent = from_bob("self", "carol@example.net", 5000);
    for extra in [&[][..], &["--no-chunking"][..]] {
        let mut command = Command::new(example("smtp_client"));
        command
            .args(["--server", &server.address(), "--starttls", "--insecure"])
            .args(["--user", "alice", "--password", "s3cret"])
            .args(["--from", "bob@example.org", "--to", "carol@example.net"])
            .args(extra);
        run(command, &sent).assert_success();
    }
    let files = server.delivered(2);
    check_delivered(&files[0], &sent, "ESMTPSA");
    check_delivered(&files[1], &sent, "ESMTPSA");

    // Without STARTTLS the server offers no AUTH: the client must fail (exit 1) and say so.
    let mut command = Command::new(example("smtp_client"));
    command
        .args(["--server", &server.address()])
        .args(["--user", "alice", "--password", "s3cret"])
        .args(["--from", "bob@example.org", "--to", "carol@example.net"]);
    let outcome = run(command, &sent);
    assert_eq!(outcome.code(), Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("AUTH"),
        "the missing AUTH is not reported\n{}",
        outcome.describe()
    );
}

/// Plaintext commands sent in the same packet as STARTTLS must be dropped, not run inside TLS
/// (CVE-2011-0411 class); after TLS the session starts over.
const STARTTLS_INJECTION: &str = r#"
import socket, ssl, sys
host, port = sys.argv[1:]
s = socket.create_connection((host, int(port)), timeout=10)
f = s.makefile("rb")
def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed; got %r" % lines)
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] == b" ":
            print("S:", "\n   ".join(lines))
            return int(line[:3]), lines
assert reply(f)[0] == 220
s.sendall(b"EHLO raw.test\r\n")
assert reply(f)[0] == 250
s.sendall(b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
code, lines = reply(f)
assert code == 220, lines
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s, server_hostname="localhost")
g = t.makefile("rb")
t.sendall(b"RCPT TO:<carol@example.net>\r\n")
code, lines = reply(g)
assert code == 503, ("the injected MAIL was run, or EHLO was not required again", lines)
t.sendall(b"EHLO raw.test\r\n")
code, lines = reply(g)
assert code == 250 and not any("STARTTLS" in l for l in lines), lines
t.sendall(b"QUIT\r\n")
assert reply(g)[0] == 221
print("done")
"#;

#[test]
fn server_starttls_discards_injected_commands() {
    let test = "interop_smtp::server_starttls_discards_injected_commands";
    if !tools_or_skip(test, &["python3"]) {
        return;
    }
    let server = ServerGuard::start("injection", true, &[]);
    let port = server.port.to_string();
    python(STARTTLS_INJECTION, &["127.0.0.1", &port]).assert_success();
    let log = server.log();
    assert!(log.contains("TLS established"), "{log}");
    assert!(
        !log.contains("injected"),
        "an injected command was run:\n{log}"
    );
}

#[test]
fn client_to_server_smtputf8_8bitmime() {
    // Non-ASCII addresses and an 8-bit body: MAIL carries SIZE, BODY=8BITMIME and SMTPUTF8.
    let server = ServerGuard::start("utf8", false, &[]);
    let sent = message(
        &unique("utf8"),
        "j\u{f6}s\u{e9}@ex\u{e4}mple.org",
        "\u{fc}n\u{ef}@example.net",
        10,
    );
    let mut command = Command::new(example("smtp_client"));
    command.args(["--server", &server.address()]).args([
        "--from",
        "j\u{f6}s\u{e9}@ex\u{e4}mple.org",
        "--to",
        "\u{fc}n\u{ef}@example.net",
    ]);
    let outcome = run(command, &sent);
    outcome.assert_success();
    let mail = outcome
        .stdout
        .lines()
        .find(|l| l.starts_with("C: MAIL FROM:"))
        .unwrap_or_default();
    assert!(
        mail.ends_with(&format!(" SIZE={} BODY=8BITMIME SMTPUTF8", sent.len())),
        "MAIL parameters: {mail:?}\n{}",
        outcome.describe()
    );
    let files = server.delivered(1);
    check_delivered(&files[0], &sent, "ESMTP");
    assert!(
        server
            .log()
            .contains("MAIL FROM:<j\u{f6}s\u{e9}@ex\u{e4}mple.org>"),
        "{}",
        server.log()
    );
}

/// mutt in batch mode (`mutt -s SUBJECT -- RCPT < body`) sends through smtp_server with its own SMTP
/// client: STARTTLS (the certificate trusted from a file), AUTH through GNU SASL, 8-bit UTF-8 text.
#[test]
fn server_mutt_batch_starttls_auth() {
    let test = "interop_smtp::server_mutt_batch_starttls_auth";
    if !tools_or_skip(test, &["mutt"]) {
        return;
    }
    let server = ServerGuard::start("mutt", true, &["--user", "alice:s3cret"]);
    let dir = TempDir::kept_on_failure("mutt-home");
    let cert = dir.path().join("server-cert.pem");
    // the server's certificate is the one ServerGuard wrote next to its Maildir
    let server_cert = server
        .maildir
        .parent()
        .expect("the Maildir's folder")
        .join("cert.pem");
    std::fs::copy(&server_cert, &cert).expect("copying the server certificate");
    let rc = dir.path().join("muttrc");
    std::fs::write(
        &rc,
        format!(
            "set smtp_url = \"smtp://alice@127.0.0.1:{port}/\"\n\
             set smtp_pass = \"s3cret\"\n\
             set ssl_starttls = yes\n\
             set ssl_force_tls = yes\n\
             set certificate_file = \"{cert}\"\n\
             set ssl_verify_host = no\n\
             set from = \"alice@example.org\"\n\
             set realname = \"Alice Mutt\"\n\
             set use_from = yes\n\
             set record = \"\"\n\
             set copy = no\n\
             set send_charset = \"utf-8\"\n",
            port = server.port,
            cert = cert.display()
        ),
    )
    .unwrap();
    let body = "Hello from mutt.\n.a line with a leading dot\nGrüße aus Köln\n";
    let mut command = Command::new("mutt");
    command
        .env("HOME", dir.path())
        .arg("-n")
        .arg("-F")
        .arg(&rc)
        .args(["-s", "sent by mutt", "--", "carol@example.net"]);
    let outcome = run(command, body.as_bytes());
    outcome.assert_success();
    let files = server.delivered(1);
    let (path, bytes) = &files[0];
    let text = String::from_utf8_lossy(bytes);
    assert!(
        text.starts_with("Received: from ") && text.contains(" with ESMTPSA "),
        "{}: no Received header for an authenticated TLS session:\n{text}",
        path.display()
    );
    for expected in [
        "\r\nFrom: Alice Mutt <alice@example.org>\r\n",
        "\r\nTo: carol@example.net\r\n",
        "\r\nSubject: sent by mutt\r\n",
        "\r\n\r\nHello from mutt.\r\n.a line with a leading dot\r\nGrüße aus Köln\r\n",
    ] {
        assert!(
            text.contains(expected),
            "{}: {expected:?} missing:\n{text}",
            path.display()
        );
    }
    let log = server.log();
    assert!(
        log.contains("TLS established") && log.contains("AUTH PLAIN alice: accepted"),
        "{log}"
    );
}
