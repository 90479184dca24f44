//! Interop: the `imap_client` example against Dovecot from `tests/peers/start.sh`:
//! LOGIN, LIST, STARTTLS, implicit TLS, AUTHENTICATE PLAIN, a streamed FETCH of
//! the seeded ~1 MiB message, SEARCH, STORE, MOVE, APPEND, IDLE and a refused login; with `sasl-hash`,
//! AUTHENTICATE SCRAM-SHA-256 (plain and after STARTTLS), SCRAM-SHA-1 and CRAM-MD5 through the raw
//! SASL path, and a refused SCRAM login. Skips loudly without
//! peers locally; fails under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::harness::{example_path, try_run_for};
use common::peers::{Peers, peers_or_skip, skip_or_fail};

/// `target/<profile>/examples/imap_client`, built by `cargo test` before the tests run.
fn imap_client(test: &str) -> Option<PathBuf> {
    let path = example_path("imap_client");
    if path.exists() {
        Some(path)
    } else {
        skip_or_fail(
            test,
            "the imap_client example is not built (run `cargo test`, which builds examples)",
        );
        None
    }
}

/// Runs the client with a 60 s limit (its output drained on threads: a 1 MiB body would fill a pipe
/// nobody reads while we wait).
fn run(bin: &Path, peers: &Peers, port: u16, args: &[&str]) -> Output {
    let output = try_run_for(
        Command::new(bin)
            .arg("--server")
            .arg(format!("{}:{port}", peers.host))
            .args(["--user", &peers.user, "--password", &peers.pass])
            .args(args),
        &format!("imap_client {args:?}"),
        Duration::from_secs(60),
    )
    .expect("starting imap_client");
    Output {
        status: output.status,
        stdout: output.stdout,
        stderr: output.stderr.into_bytes(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn setup(test: &str) -> Option<(PathBuf, Peers)> {
    let peers = peers_or_skip(test)?;
    Some((imap_client(test)?, peers))
}

#[test]
fn login_and_list() {
    let Some((bin, peers)) = setup("interop_imap::login_and_list") else {
        return;
    };
    let out = run(&bin, &peers, peers.imap, &["list"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // Responses are printed as IMAP text on stderr (bodies alone go to stdout).
    assert!(
        text(&out.stderr)
            .lines()
            .any(|l| l.starts_with("* LIST ") && l.ends_with(" INBOX")),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("List completed"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn starttls_fetch_of_the_large_message_streams_it_whole() {
    let Some((bin, peers)) = setup("interop_imap::starttls_fetch") else {
        return;
    };
    let out = run(
        &bin,
        &peers,
        peers.imap,
        &[
            "--starttls",
            "--insecure",
            "fetch",
            "INBOX",
            "4",
            "(UID BODY.PEEK[])",
        ],
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("TLS established"), "{err}");
    let announced: u64 = err
        .lines()
        .find_map(|l| {
            l.strip_prefix("-- message 4: ")?
                .strip_suffix(" bytes follow")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no streamed body announced: {err}"));
    match peers
        .var("SEED_LARGE_SIZE")
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(exact) => assert_eq!(announced, exact),
        None => assert!(announced > 1_000_000, "{announced}"),
    }
    let stdout = &out.stdout;
    assert!(stdout.len() as u64 >= announced);
    assert!(text(stdout).contains("Message-ID: <seed-4@mailwire.test>"));
}

#[test]
fn implicit_tls_sasl_plain_and_search() {
    let Some((bin, peers)) = setup("interop_imap::implicit_tls_sasl_plain") else {
        return;
    };
    let out = run(
        &bin,
        &peers,
        peers.imaps,
        &[
            "--tls",
            "--insecure",
            "--sasl",
            "PLAIN",
            "search",
            "INBOX",
            "ALL",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("* SEARCH"), "{stderr}");
    assert!(stderr.contains("Search completed"), "{stderr}");
}

#[test]
fn wrong_password_fails() {
    let Some((bin, mut peers)) = setup("interop_imap::wrong_password_fails") else {
        return;
    };
    peers.pass = "definitely-wrong".into();
    let out = run(&bin, &peers, peers.imap, &["list"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(" NO "), "{}", text(&out.stderr));
}

#[test]
fn append_then_fetch_it_back() {
    let Some((bin, peers)) = setup("interop_imap::append") else {
        return;
    };
    let subject = format!("appended by mailwire {}", std::process::id());
    // LF line ends on disk: the client sends CRLF.
    let out = append(
        &bin,
        &peers,
        "append",
        &format!("From: a@example.org\nSubject: {subject}\n\nhello\n.dot line\n"),
    );
    assert!(
        text(&out.stderr).contains("Append completed"),
        "{}",
        text(&out.stderr)
    );
    let id = seq_of(&bin, &peers, "INBOX", &subject).expect("the appended message was not found");
    let out = run(
        &bin,
        &peers,
        peers.imap,
        &["fetch", "INBOX", &id.to_string(), "(BODY.PEEK[])"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body = text(&out.stdout);
    assert!(body.contains(&format!("Subject: {subject}\r\n")), "{body}");
    assert!(
        body.contains("\r\nhello\r\n.dot line\r\n"),
        "sent with CRLF, dot line intact: {body}"
    );
}

/// APPENDs `message` (written to a temporary `.eml` file named after `tag`) to INBOX; the client must
/// succeed.
fn append(bin: &Path, peers: &Peers, tag: &str, message: &str) -> Output {
    let file = std::env::temp_dir().join(format!("mailwire-{tag}-{}.eml", std::process::id()));
    std::fs::write(&file, message).unwrap();
    let out = run(
        bin,
        peers,
        peers.imap,
        &["append", "INBOX", file.to_str().unwrap()],
    );
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

/// The sequence number of the (first) message of `mailbox` whose subject is `subject`.
fn seq_of(bin: &Path, peers: &Peers, mailbox: &str, subject: &str) -> Option<u32> {
    let criteria = format!("SUBJECT \"{subject}\"");
    let out = run(bin, peers, peers.imap, &["search", mailbox, &criteria]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("* SEARCH "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.trim().parse().ok())
}

/// The UID of the message of INBOX (or `mailbox`) whose subject is `subject`.
fn uid_of(bin: &Path, peers: &Peers, mailbox: &str, subject: &str) -> Option<u32> {
    let seq = seq_of(bin, peers, mailbox, subject)?;
    let out = run(
        bin,
        peers,
        peers.imap,
        &["fetch", mailbox, &seq.to_string(), "(UID)"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fetched = text(&out.stderr);
    let uid = fetched
        .lines()
        .filter(|l| l.contains(" FETCH ("))
        .find_map(|l| l.split("UID ").nth(1))
        .and_then(|rest| rest.split([')', ' ']).next())
        .and_then(|n| n.parse().ok());
    assert!(uid.is_some(), "no UID in {fetched}");
    uid
}

#[test]
fn store_flags_and_move_to_another_mailbox() {
    let Some((bin, peers)) = setup("interop_imap::store_and_move") else {
        return;
    };
    let pid = std::process::id();
    let subject = format!("to be moved by mailwire {pid}");
    let folder = format!("Moved{pid}");
    append(
        &bin,
        &peers,
        "move",
        &format!("From: a@example.org\nSubject: {subject}\n\nbody\n"),
    );
    let out = run(&bin, &peers, peers.imap, &["create", &folder]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let uid = uid_of(&bin, &peers, "INBOX", &subject).expect("the appended message");
    let out = run(
        &bin,
        &peers,
        peers.imap,
        &[
            "store",
            "INBOX",
            &uid.to_string(),
            "+FLAGS (\\Flagged $Moved)",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // the untagged FETCH of the new flags came back
    let stored = text(&out.stderr);
    assert!(
        stored
            .lines()
            .any(|l| l.contains(" FETCH (") && l.contains("\\Flagged") && l.contains("$Moved")),
        "{stored}"
    );
    assert!(
        text(&out.stderr).contains("Store completed"),
        "{}",
        text(&out.stderr)
    );

    let out = run(
        &bin,
        &peers,
        peers.imap,
        &["move", "INBOX", &uid.to_string(), &folder],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let moved = text(&out.stderr);
    // RFC 6851: COPYUID in an untagged OK, then the expunge of the source
    assert!(moved.contains("[COPYUID "), "{moved}");
    assert!(moved.contains(" EXPUNGE"), "{moved}");
    assert_eq!(
        uid_of(&bin, &peers, "INBOX", &subject),
        None,
        "gone from INBOX"
    );
    let out = run(
        &bin,
        &peers,
        peers.imap,
        &["fetch", &folder, "1:*", "(FLAGS BODY.PEEK[HEADER])"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let there = text(&out.stdout);
    assert!(there.contains(&format!("Subject: {subject}")), "{there}");
    let flags = text(&out.stderr);
    assert!(
        flags
            .lines()
            .any(|l| l.contains(" FETCH (") && l.contains("$Moved")),
        "flags travel with the message: {flags}"
    );
    let out = run(&bin, &peers, peers.imap, &["delete", &folder]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Sends one message to the SMTP port of the peers (Postfix), which delivers it
/// to Dovecot over LMTP.
fn deliver_over_smtp(peers: &Peers) {
    use std::io::{BufRead, BufReader, Write};
    let stream =
        std::net::TcpStream::connect((peers.host.as_str(), peers.smtp)).expect("SMTP port");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let mut reply = |expect: &str| loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("SMTP reply");
        assert!(line.starts_with(expect), "expected {expect}, got {line:?}");
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    };
    reply("220");
    let to = format!("{}@{}", peers.user, peers.domain);
    for (cmd, code) in [
        ("EHLO interop.test".to_owned(), "250"),
        ("MAIL FROM:<idle@example.org>".to_owned(), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_owned(), "354"),
    ] {
        write!(w, "{cmd}\r\n").unwrap();
        reply(code);
    }
    w.write_all(b"Subject: wake up\r\n\r\nan update for IDLE\r\n.\r\n")
        .unwrap();
    reply("250");
    w.write_all(b"QUIT\r\n").unwrap();
}

#[test]
fn idle_is_woken_by_a_message_delivered_over_smtp() {
    let Some((bin, peers)) = setup("interop_imap::idle") else {
        return;
    };
    let sender = {
        let peers = peers.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            deliver_over_smtp(&peers);
        })
    };
    let out = run(&bin, &peers, peers.imap, &["idle", "INBOX", "8"]);
    sender.join().expect("the SMTP delivery");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("idling"), "{stderr}");
    // one EXISTS from SELECT, at least one more pushed during IDLE
    assert!(stderr.matches(" EXISTS").count() >= 2, "{stderr}");
}

/// `imap_client --sasl MECH ... fetch INBOX 1 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])`: the login went
/// through Dovecot's challenges (the raw SASL path) and the seeded first message came back.
#[cfg(feature = "sasl-hash")]
fn sasl_login_fetches_seed_1(test: &str, mechanism: &str, extra: &[&str]) {
    let Some((bin, peers)) = setup(test) else {
        return;
    };
    let mut args = extra.to_vec();
    args.extend([
        "--sasl",
        mechanism,
        "fetch",
        "INBOX",
        "1",
        "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])",
    ]);
    let out = run(&bin, &peers, peers.imap, &args);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{}{err}", text(&out.stdout));
    // Dovecot offers the mechanism (peers' auth_mechanisms) and said OK to it.
    assert!(err.contains(&format!("AUTH={mechanism}")), "{err}");
    assert!(err.contains("Logged in"), "{err}");
    assert!(!err.contains("cancelling"), "{err}");
    // RFC 3501 / 9051 HEADER.FIELDS: the seeded message's Message-ID line, byte for byte.
    assert!(
        text(&out.stdout).contains("Message-ID: <seed-1@mailwire.test>\r\n"),
        "{}{err}",
        text(&out.stdout)
    );
}

#[cfg(feature = "sasl-hash")]
#[test]
fn sasl_scram_sha_256_login_and_fetch() {
    sasl_login_fetches_seed_1("interop_imap::sasl_scram_sha_256", "SCRAM-SHA-256", &[]);
}

#[cfg(feature = "sasl-hash")]
#[test]
fn sasl_scram_sha_256_over_starttls() {
    sasl_login_fetches_seed_1(
        "interop_imap::sasl_scram_sha_256_starttls",
        "SCRAM-SHA-256",
        &["--starttls", "--insecure"],
    );
}

#[cfg(feature = "sasl-hash")]
#[test]
fn sasl_scram_sha_1_login_and_fetch() {
    sasl_login_fetches_seed_1("interop_imap::sasl_scram_sha_1", "SCRAM-SHA-1", &[]);
}

#[cfg(feature = "sasl-hash")]
#[test]
fn sasl_cram_md5_login_and_fetch() {
    sasl_login_fetches_seed_1("interop_imap::sasl_cram_md5", "CRAM-MD5", &[]);
}

/// A wrong password under SCRAM-SHA-256: Dovecot answers NO (it cannot check the client proof), and
/// the client exits 1 ("a NO/BAD (failed login included)").
#[cfg(feature = "sasl-hash")]
#[test]
fn sasl_scram_sha_256_wrong_password_fails() {
    let Some((bin, mut peers)) = setup("interop_imap::sasl_scram_sha_256_wrong_password") else {
        return;
    };
    peers.pass = "definitely-wrong".into();
    let out = run(
        &bin,
        &peers,
        peers.imap,
        &["--sasl", "SCRAM-SHA-256", "list"],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(" NO "), "{err}");
    assert!(!err.contains("* LIST "), "{err}");
}
