//! The `imap_server` example's Maildir layer under the conditions an IMAP compliance suite and real
//! deployments create: several sessions on one mailbox, other processes writing the Maildir, and big
//! messages (issue 17, "Maildir layer").
//!
//! Each test starts the example binary over a temporary Maildir (like `interop_imap_server.rs`) and talks
//! to it over TCP with the small blocking client below, which checks the wire against RFC 3501 / RFC 9051
//! rules, not against mailwire's own client. Every test is bounded in operations, and every read has a
//! time limit.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::harness::{PASS, ServerChild, TempDir, USER, example, peak_rss_kib};

/// The examples these tests run (built together once: the first `example` call's list counts).
const EXAMPLES: &[&str] = &["imap_server", "smtp_server"];

/// Any read from the server gives up after this long.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------------------
// A small blocking IMAP client

/// One IMAP session over plain TCP.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
    name: String,
}

/// What a command got: its untagged responses (literals inline) and its tagged status line.
struct Reply {
    untagged: Vec<Vec<u8>>,
    status: String,
}

impl Reply {
    fn ok(&self) -> bool {
        self.status.split_whitespace().nth(1) == Some("OK")
    }

    /// The untagged responses as text.
    fn lines(&self) -> Vec<String> {
        self.untagged
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    /// The numbers `n` of `* n WORD` responses.
    fn numbered(&self, word: &str) -> Vec<u32> {
        self.lines()
            .iter()
            .filter_map(|l| numbered(l, word))
            .collect()
    }
}

/// `n` of a `* n WORD ...` line.
fn numbered(line: &str, word: &str) -> Option<u32> {
    let mut words = line.split_whitespace();
    (words.next()? == "*").then_some(())?;
    let n = words.next()?.parse().ok()?;
    words.next()?.eq_ignore_ascii_case(word).then_some(n)
}

/// The number after `key ` in a line (`UID 7`, `UIDVALIDITY 12`).
fn number_after(line: &str, key: &str) -> Option<u32> {
    let at = line.find(key)? + key.len();
    let digits: String = line[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The flags of a `FLAGS (...)` item.
fn flags_in(line: &str) -> Option<BTreeSet<String>> {
    let at = line.find("FLAGS (")? + "FLAGS (".len();
    let end = line[at..].find(')')? + at;
    Some(
        line[at..end]
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}

impl Client {
    fn connect(addr: &str, name: &str) -> Client {
        let stream = TcpStream::connect(addr).expect("connecting to imap_server");
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let writer = stream.try_clone().unwrap();
        let mut client = Client {
            reader: BufReader::new(stream),
            writer,
            tag: 0,
            name: name.to_owned(),
        };
        let greeting = client.read_response();
        assert!(greeting.starts_with(b"* OK"), "greeting {greeting:?}");
        let reply = client.run(&format!("LOGIN {USER} {PASS}"));
        assert!(reply.ok(), "{name}: LOGIN: {}", reply.status);
        client
    }

    /// One response: a line, with any literals it announces read into it.
    fn read_response(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = self
                .reader
                .read_until(b'\n', &mut line)
                .unwrap_or_else(|e| panic!("{}: reading: {e}", self.name));
            assert!(n > 0, "{}: the server closed the connection", self.name);
            out.extend_from_slice(&line);
            let trimmed = line.strip_suffix(b"\r\n").unwrap_or(&line);
            let literal = trimmed
                .strip_suffix(b"}")
                .and_then(|t| t.iter().rposition(|&b| b == b'{').map(|i| &t[i + 1..]))
                .and_then(|d| std::str::from_utf8(d).ok()?.parse::<usize>().ok());
            match literal {
                Some(size) => {
                    let mut bytes = vec![0; size];
                    self.reader.read_exact(&mut bytes).unwrap();
                    out.extend_from_slice(&bytes);
                }
                None => return out,
            }
        }
    }

    fn send(&mut self, text: &str) -> String {
        self.tag += 1;
        let tag = format!("T{}", self.tag);
        self.writer
            .write_all(format!("{tag} {text}\r\n").as_bytes())
            .unwrap();
        tag
    }

    /// Reads responses until the tagged one.
    fn finish(&mut self, tag: &str) -> Reply {
        let mut untagged = Vec::new();
        loop {
            let response = self.read_response();
            if response.starts_with(format!("{tag} ").as_bytes()) {
                let status = String::from_utf8_lossy(&response).trim_end().to_owned();
                return Reply { untagged, status };
            }
            untagged.push(response);
        }
    }

    fn run(&mut self, text: &str) -> Reply {
        let tag = self.send(text);
        self.finish(&tag)
    }

    /// APPEND with a synchronising literal.
    fn append(&mut self, mailbox: &str, extra: &str, message: &[u8]) -> Reply {
        let tag = self.send(&format!("APPEND {mailbox} {extra}{{{}}}", message.len()));
        let mut untagged = Vec::new();
        loop {
            let response = self.read_response();
            if response.starts_with(b"+") {
                break;
            }
            assert!(
                !response.starts_with(tag.as_bytes()),
                "{}: APPEND refused: {}",
                self.name,
                String::from_utf8_lossy(&response)
            );
            untagged.push(response);
        }
        self.writer.write_all(message).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
        let mut reply = self.finish(&tag);
        untagged.append(&mut reply.untagged);
        reply.untagged = untagged;
        reply
    }
}

// ---------------------------------------------------------------------------------------------------------
// The server and its Maildir

struct Lab {
    server: ServerChild,
    maildir: PathBuf,
    _dir: TempDir,
}

impl Lab {
    /// The example over a fresh Maildir holding `count` small messages in `cur/` (no flags).
    fn start(tag: &str, count: usize) -> Lab {
        let dir = TempDir::kept_on_failure(tag);
        let maildir = dir.path().join("Maildir");
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        for i in 0..count {
            std::fs::write(
                maildir
                    .join("cur")
                    .join(format!("1700000000.M{i:06}P1Q{i}.seed:2,")),
                message(&format!("seed {i}"), 200),
            )
            .unwrap();
        }
        let server = ServerChild::example(
            &example(EXAMPLES, "imap_server"),
            "imap_server",
            &maildir,
            &["--user", &format!("{USER}:{PASS}")],
            None,
        );
        Lab {
            server,
            maildir,
            _dir: dir,
        }
    }

    fn client(&self, name: &str) -> Client {
        Client::connect(&self.server.addr(), name)
    }

    /// A client with INBOX selected; returns it with the SELECT reply.
    fn selected(&self, name: &str) -> (Client, Reply) {
        let mut client = self.client(name);
        let reply = client.run("SELECT INBOX");
        assert!(reply.ok(), "{name}: SELECT: {}", reply.status);
        (client, reply)
    }

    /// Delivers a message the way an MTA does: written into `tmp/`, renamed into `new/`.
    fn deliver_externally(&self, name: &str, body: &[u8]) -> PathBuf {
        let tmp = self.maildir.join("tmp").join(name);
        std::fs::write(&tmp, body).unwrap();
        let dest = self.maildir.join("new").join(name);
        std::fs::rename(&tmp, &dest).unwrap();
        dest
    }
}

/// A message with this subject and about `size` bytes of body.
fn message(subject: &str, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Tester <tester@example.com>\r\nTo: carol@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{}@mailwire.test>\r\n\r\n",
        subject.replace(' ', ".")
    )
    .into_bytes();
    while m.len() < size {
        m.extend_from_slice(b"a line of text in the body\r\n");
    }
    m
}

/// The UIDs of `FETCH 1:* (UID)`, in sequence order, checking that the sequence numbers are 1..n.
fn uids(client: &mut Client) -> Vec<u32> {
    let reply = client.run("FETCH 1:* (UID)");
    assert!(reply.ok(), "{}: FETCH UID: {}", client.name, reply.status);
    let mut out = Vec::new();
    for line in reply.lines() {
        if let Some(seq) = numbered(&line, "FETCH") {
            assert_eq!(seq as usize, out.len() + 1, "{}: {line}", client.name);
            out.push(number_after(&line, "UID").expect("UID in the FETCH response"));
        }
    }
    out
}

/// UID → flags of every message, from a fresh session.
fn flags_by_uid(lab: &Lab) -> BTreeMap<u32, BTreeSet<String>> {
    let (mut client, _) = lab.selected("checker");
    let reply = client.run("FETCH 1:* (UID FLAGS)");
    assert!(reply.ok(), "FETCH FLAGS: {}", reply.status);
    reply
        .lines()
        .iter()
        .filter(|l| numbered(l, "FETCH").is_some())
        .map(|l| (number_after(l, "UID").unwrap(), flags_in(l).unwrap()))
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Defect 1: UIDs stay the same while flags change

/// RFC 9051 §2.3.1.1: "The unique identifier of a message MUST NOT change during the session, and SHOULD
/// NOT change between sessions" (within one UIDVALIDITY). Two sessions change flags (each a rename of the
/// Maildir file) while two others SELECT and FETCH UIDs: the mailbox never changes, so EXISTS, UIDNEXT and
/// the set of UIDs must stay exactly what they were.
#[test]
fn uids_stay_stable_while_other_sessions_change_flags() {
    const MESSAGES: usize = 200;
    let lab = Lab::start("stable-uids", MESSAGES);
    let (mut first, reply) = lab.selected("first");
    let expected = uids(&mut first);
    assert_eq!(expected.len(), MESSAGES);
    let uidnext = reply
        .lines()
        .iter()
        .find_map(|l| number_after(l, "UIDNEXT"))
        .expect("UIDNEXT");
    std::thread::scope(|scope| {
        for w in 0..2 {
            let lab = &lab;
            scope.spawn(move || {
                let (mut c, _) = lab.selected(&format!("writer{w}"));
                let flag = ["\\Flagged", "\\Answered"][w];
                for round in 0..6 {
                    let op = if round % 2 == 0 { "+" } else { "-" };
                    let r = c.run(&format!("STORE 1:* {op}FLAGS.SILENT ({flag})"));
                    assert!(r.ok(), "writer{w}: {}", r.status);
                }
            });
        }
        let mut readers = Vec::new();
        for r in 0..2 {
            let lab = &lab;
            let expected = &expected;
            readers.push(scope.spawn(move || {
                let mut anomalies = Vec::new();
                let mut c = lab.client(&format!("reader{r}"));
                for _ in 0..15 {
                    let reply = c.run("SELECT INBOX");
                    assert!(reply.ok(), "{}", reply.status);
                    let exists = reply.numbered("EXISTS");
                    if exists != [MESSAGES as u32] {
                        anomalies.push(format!("SELECT said EXISTS {exists:?}"));
                    }
                    let next = reply
                        .lines()
                        .iter()
                        .find_map(|l| number_after(l, "UIDNEXT"));
                    if next != Some(uidnext) {
                        anomalies.push(format!("UIDNEXT {next:?}, was {uidnext}"));
                    }
                    let reply = c.run("FETCH 1:* (UID)");
                    if !reply.ok() {
                        anomalies.push(format!("FETCH 1:* (UID) failed: {}", reply.status));
                        continue;
                    }
                    let now: Vec<u32> = reply
                        .lines()
                        .iter()
                        .filter_map(|l| number_after(l, "UID"))
                        .collect();
                    if now != *expected {
                        let gone: Vec<_> = expected.iter().filter(|u| !now.contains(u)).collect();
                        let new: Vec<_> = now.iter().filter(|u| !expected.contains(u)).collect();
                        anomalies.push(format!("UIDs changed: {gone:?} became {new:?}"));
                    }
                }
                anomalies
            }));
        }
        let anomalies: Vec<String> = readers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        assert!(
            anomalies.is_empty(),
            "{} anomalies: {anomalies:#?}\n--- server log\n{}",
            anomalies.len(),
            lab.server.log()
        );
    });
    assert_eq!(uids(&mut first), expected, "the first session's UIDs");
}

// ---------------------------------------------------------------------------------------------------------
// Defect 2: concurrent flag changes merge

/// Two sessions add a different flag to the same 100 messages at the same time, one STORE per message:
/// every message ends up with both (RFC 3501 §6.4.6: +FLAGS adds to the message's flags, it does not
/// replace them with a copy the session had).
#[test]
fn concurrent_flag_changes_merge() {
    const MESSAGES: usize = 100;
    let lab = Lab::start("merge-flags", MESSAGES);
    let flags = ["\\Flagged", "\\Answered", "$Label1"];
    std::thread::scope(|scope| {
        for (w, flag) in flags.iter().enumerate() {
            let lab = &lab;
            scope.spawn(move || {
                let (mut c, _) = lab.selected(&format!("writer{w}"));
                for i in 1..=MESSAGES {
                    let r = c.run(&format!("STORE {i} +FLAGS.SILENT ({flag})"));
                    assert!(r.ok(), "writer{w}: {}", r.status);
                }
            });
        }
    });
    let all = flags_by_uid(&lab);
    assert_eq!(all.len(), MESSAGES);
    let lost: Vec<(u32, &BTreeSet<String>)> = all
        .iter()
        .filter(|(_, f)| !flags.iter().all(|x| f.contains(*x)))
        .map(|(u, f)| (*u, f))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {MESSAGES} messages lost a flag: {lost:?}",
        lost.len()
    );
    // And removing merges too: each session takes its own flag away again.
    std::thread::scope(|scope| {
        for (w, flag) in flags.iter().enumerate().skip(1) {
            let lab = &lab;
            scope.spawn(move || {
                let (mut c, _) = lab.selected(&format!("remover{w}"));
                for i in 1..=MESSAGES {
                    let r = c.run(&format!("STORE {i} -FLAGS.SILENT ({flag})"));
                    assert!(r.ok(), "remover{w}: {}", r.status);
                }
            });
        }
    });
    for (uid, f) in flags_by_uid(&lab) {
        assert!(
            f.contains("\\Flagged") && !f.contains("\\Answered") && !f.contains("$Label1"),
            "UID {uid}: {f:?}"
        );
    }
}

/// The same with two server processes on one Maildir (what a restart with sessions still open, or a
/// second server, looks like): the dot-lock and the merge work between processes too, and both processes
/// give every message the same UID.
#[test]
fn two_server_processes_merge_flags_and_agree_on_uids() {
    const MESSAGES: usize = 60;
    let lab = Lab::start("two-processes", MESSAGES);
    let other = ServerChild::example(
        &example(EXAMPLES, "imap_server"),
        "imap_server",
        &lab.maildir,
        &["--user", &format!("{USER}:{PASS}")],
        None,
    );
    let addrs = [lab.server.addr(), other.addr()];
    let flags = ["\\Flagged", "$Other"];
    std::thread::scope(|scope| {
        for (w, flag) in flags.iter().enumerate() {
            let addr = &addrs[w];
            scope.spawn(move || {
                let mut c = Client::connect(addr, &format!("process{w}"));
                assert!(c.run("SELECT INBOX").ok());
                for i in 1..=MESSAGES {
                    let r = c.run(&format!("STORE {i} +FLAGS.SILENT ({flag})"));
                    assert!(r.ok(), "process{w}: {}", r.status);
                }
            });
        }
    });
    let mut seen = Vec::new();
    for addr in &addrs {
        let mut c = Client::connect(addr, "checker");
        assert!(c.run("SELECT INBOX").ok());
        let reply = c.run("FETCH 1:* (UID FLAGS)");
        let all: BTreeMap<u32, BTreeSet<String>> = reply
            .lines()
            .iter()
            .filter(|l| numbered(l, "FETCH").is_some())
            .map(|l| (number_after(l, "UID").unwrap(), flags_in(l).unwrap()))
            .collect();
        assert_eq!(all.len(), MESSAGES);
        for (uid, f) in &all {
            assert!(
                flags.iter().all(|x| f.contains(*x)),
                "{addr}: UID {uid} lost a flag: {f:?}"
            );
        }
        seen.push(all.keys().copied().collect::<Vec<u32>>());
    }
    assert_eq!(seen[0], seen[1], "both processes give the same UIDs");
}

/// A dot-lock left behind by a process that died is taken over at once (not after its 30 s age limit).
#[test]
fn dot_lock_of_a_dead_process_is_taken_over() {
    let lab = Lab::start("stale-lock", 3);
    // A process id that is not running.
    let dead = (100_000..4_000_000u32)
        .find(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
        .unwrap();
    std::fs::write(lab.maildir.join("mailwire.lock"), dead.to_string()).unwrap();
    let (mut c, reply) = lab.selected("session");
    assert_eq!(reply.numbered("EXISTS"), vec![3]);
    assert!(c.run("STORE 1 +FLAGS (\\Seen)").ok());
    assert!(
        !lab.maildir.join("mailwire.lock").exists(),
        "unlocked after use"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Defect 3: a partly failed EXPUNGE announces what it removed

/// RFC 3501 §6.4.3: "an untagged EXPUNGE response is sent for each message that is removed". When one
/// removal fails (here the file of message 3 was replaced by a directory), the others that were removed
/// must still be announced, or the client's message numbers point at other messages.
#[test]
fn partly_failed_expunge_announces_every_removal() {
    let lab = Lab::start("partial-expunge", 5);
    let (mut c, _) = lab.selected("session");
    let before = uids(&mut c);
    assert_eq!(before.len(), 5);
    let r = c.run("STORE 1:5 +FLAGS.SILENT (\\Deleted)");
    assert!(r.ok(), "{}", r.status);
    // Message 3's file becomes a directory of the same name: removing it fails.
    let third = std::fs::read_dir(lab.maildir.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("M000002"))
        .expect("message 3's file");
    std::fs::remove_file(&third).unwrap();
    std::fs::create_dir(&third).unwrap();
    std::fs::write(third.join("keep"), b"x").unwrap();
    let reply = c.run("EXPUNGE");
    let expunged = reply.numbered("EXPUNGE");
    assert_eq!(
        expunged.len(),
        4,
        "four messages were removed, four must be announced: {:?} {}",
        reply.lines(),
        reply.status
    );
    assert!(!reply.ok(), "the failed removal is a NO: {}", reply.status);
    // The client's numbers are right: message 1 is now the one that could not be removed.
    assert_eq!(uids(&mut c), vec![before[2]]);
    let files = std::fs::read_dir(lab.maildir.join("cur")).unwrap().count();
    assert_eq!(files, 1, "only the directory is left");
}

// ---------------------------------------------------------------------------------------------------------
// Defect 4: UIDVALIDITY is never reused

/// RFC 9051 §2.3.1.1: a mailbox deleted and created again with the same name must get a UIDVALIDITY greater
/// than the one before ("the unique identifier validity value MUST be greater than any value previously
/// used"). Three rounds within a second.
#[test]
fn uidvalidity_grows_when_a_mailbox_is_created_again() {
    let lab = Lab::start("uidvalidity", 0);
    let mut c = lab.client("session");
    let mut seen = Vec::new();
    for _ in 0..3 {
        assert!(c.run("CREATE Again").ok());
        let reply = c.run("SELECT Again");
        assert!(reply.ok(), "{}", reply.status);
        let validity = reply
            .lines()
            .iter()
            .find_map(|l| number_after(l, "UIDVALIDITY"))
            .expect("UIDVALIDITY");
        assert!(c.run("CLOSE").ok());
        assert!(c.run("DELETE Again").ok());
        seen.push(validity);
    }
    assert!(
        seen.windows(2).all(|w| w[1] > w[0]),
        "UIDVALIDITY must grow: {seen:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Defect 5: STORE on messages expunged by another session

/// RFC 2180 §4.2: a STORE that names messages another session expunged sets the flags of the others and
/// answers NO (§4.2.3; the code is RFC 9051's EXPUNGEISSUED, not NONEXISTENT, which is about mailboxes),
/// or OK with .SILENT (§4.2.1).
#[test]
fn store_goes_on_past_messages_expunged_elsewhere() {
    let lab = Lab::start("store-expunged", 3);
    let (mut a, _) = lab.selected("a");
    let (mut b, _) = lab.selected("b");
    let before = uids(&mut a);
    assert!(b.run("STORE 2 +FLAGS.SILENT (\\Deleted)").ok());
    assert!(b.run("EXPUNGE").ok());
    // `a` has not been told (no NOOP): its message 2 is gone on disk.
    let reply = a.run("STORE 1:3 +FLAGS (\\Flagged)");
    assert!(
        reply.status.contains(" NO ") && reply.status.contains("[EXPUNGEISSUED]"),
        "tagged NO [EXPUNGEISSUED] expected: {}",
        reply.status
    );
    let told = reply.numbered("FETCH");
    assert_eq!(
        told,
        vec![1, 3],
        "FETCH for the two others: {:?}",
        reply.lines()
    );
    let reply = a.run("STORE 1:3 +FLAGS.SILENT (\\Seen)");
    assert!(reply.ok(), "RFC 2180 §4.2.1, .SILENT: {}", reply.status);
    let flags = flags_by_uid(&lab);
    for uid in [before[0], before[2]] {
        let f = &flags[&uid];
        assert!(
            f.contains("\\Flagged") && f.contains("\\Seen"),
            "UID {uid}: {f:?}"
        );
    }
    assert!(!flags.contains_key(&before[1]));
}

// ---------------------------------------------------------------------------------------------------------
// Defect 6: COPY keeps INTERNALDATE and sets \Recent; LSUB "%" parents; keywords are stored

/// RFC 3501 §6.4.7: COPY preserves "the flags and internal date"; RFC 3501 §2.3.2: \Recent is set on a
/// message new to the mailbox, which a copy is.
#[test]
fn copy_keeps_internaldate_and_is_recent() {
    let lab = Lab::start("copy", 0);
    let mut c = lab.client("session");
    assert!(c.run("CREATE Dest").ok());
    let r = c.append(
        "INBOX",
        "(\\Seen) \"01-Feb-2020 10:20:30 +0000\" ",
        &message("dated", 100),
    );
    assert!(r.ok(), "{}", r.status);
    assert!(c.run("SELECT INBOX").ok());
    let r = c.run("COPY 1 Dest");
    assert!(r.ok(), "{}", r.status);
    let r = c.run("SELECT Dest");
    assert_eq!(r.numbered("RECENT"), vec![1], "{:?}", r.lines());
    let r = c.run("FETCH 1 (INTERNALDATE FLAGS)");
    let line = r.lines().join("");
    assert!(
        line.contains("INTERNALDATE \"01-Feb-2020 10:20:30 +0000\""),
        "{line}"
    );
    let flags = flags_in(&line).unwrap();
    assert!(
        flags.contains("\\Recent") && flags.contains("\\Seen"),
        "{flags:?}"
    );
}

/// RFC 3501 §6.3.9: "if "foo/bar" is subscribed but "foo" is not. A "%" wildcard to LSUB must return foo,
/// not foo/bar, in the LSUB response, and it MUST be flagged with the \Noselect attribute."
#[test]
fn lsub_percent_returns_noselect_parents() {
    let lab = Lab::start("lsub", 0);
    let mut c = lab.client("session");
    assert!(c.run("CREATE Foo").ok());
    assert!(c.run("CREATE Foo.Bar").ok());
    assert!(c.run("SUBSCRIBE Foo.Bar").ok());
    let r = c.run("LSUB \"\" \"%\"");
    assert!(r.ok(), "{}", r.status);
    let lines = r.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("* LSUB (\\Noselect) \".\" ") && l.contains("Foo")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("Foo.Bar")), "{lines:?}");
    let r = c.run("LSUB \"\" \"*\"");
    let lines = r.lines();
    assert!(lines.iter().any(|l| l.contains("Foo.Bar")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("\\Noselect")), "{lines:?}");
}

/// RFC 3501 §2.3.2: keywords are flags like the system flags; with `\*` in PERMANENTFLAGS they are kept
/// across sessions. Checked from a new session, after restarting nothing but the connection.
#[test]
fn keywords_are_stored() {
    let lab = Lab::start("keywords", 2);
    let (mut c, reply) = lab.selected("first");
    assert!(
        reply
            .lines()
            .iter()
            .any(|l| l.contains("PERMANENTFLAGS") && l.contains("\\*")),
        "{:?}",
        reply.lines()
    );
    let r = c.run("STORE 2 +FLAGS ($Forwarded NonJunk)");
    assert!(r.ok(), "{}", r.status);
    // RFC 3501 §7.2.6: the new keywords are announced in a FLAGS response.
    assert!(
        r.lines()
            .iter()
            .any(|l| l.starts_with("* FLAGS") && l.contains("$Forwarded") && l.contains("NonJunk")),
        "{:?}",
        r.lines()
    );
    drop(c);
    let flags = flags_by_uid(&lab);
    let second = flags.values().nth(1).unwrap();
    assert!(
        second.contains("$Forwarded") && second.contains("NonJunk"),
        "{second:?}"
    );
    assert!(!flags.values().next().unwrap().contains("$Forwarded"));
    let (mut c, reply) = lab.selected("second");
    assert!(
        reply
            .lines()
            .iter()
            .any(|l| l.starts_with("* FLAGS") && l.contains("$Forwarded")),
        "{:?}",
        reply.lines()
    );
    let r = c.run("SEARCH KEYWORD $forwarded");
    assert!(
        r.lines().iter().any(|l| l.trim_end() == "* SEARCH 2"),
        "{:?}",
        r.lines()
    );
    let r = c.run("SEARCH UNKEYWORD $Forwarded");
    assert!(
        r.lines().iter().any(|l| l.trim_end() == "* SEARCH 1"),
        "{:?}",
        r.lines()
    );
}

// ---------------------------------------------------------------------------------------------------------
// Defect 7: IDLE sees what other processes do to the Maildir

/// Reads untagged responses until one satisfies `want`, for at most `limit`; returns how long it took.
fn wait_for(client: &mut Client, limit: Duration, want: impl Fn(&str) -> bool) -> Option<Duration> {
    let start = Instant::now();
    client
        .reader
        .get_ref()
        .set_read_timeout(Some(limit))
        .unwrap();
    let mut found = None;
    loop {
        let mut line = Vec::new();
        match client.reader.read_until(b'\n', &mut line) {
            Ok(n) if n > 0 => {
                if want(&String::from_utf8_lossy(&line)) {
                    found = Some(start.elapsed());
                    break;
                }
            }
            _ => break,
        }
        if start.elapsed() > limit {
            break;
        }
    }
    client
        .reader
        .get_ref()
        .set_read_timeout(Some(READ_TIMEOUT))
        .unwrap();
    found
}

/// RFC 2177: while idling, the server sends EXISTS / EXPUNGE / FETCH as the mailbox changes. Changes made by
/// another process (an MTA writing `new/`, a local client renaming or removing files) must be announced
/// within a second, as Dovecot does.
#[test]
fn idle_announces_changes_made_by_other_processes() {
    let lab = Lab::start("idle", 2);
    let (mut c, _) = lab.selected("idler");
    let tag = c.send("IDLE");
    let cont = c.read_response();
    assert!(cont.starts_with(b"+"), "{cont:?}");
    std::thread::sleep(Duration::from_millis(300));
    // A delivery straight into new/.
    let start = Instant::now();
    lab.deliver_externally("1800000000.M1P2Q1.mta", &message("external", 100));
    let took = wait_for(&mut c, Duration::from_secs(2), |l| {
        numbered(l, "EXISTS") == Some(3)
    });
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(1)),
        "EXISTS 3 within 1 s of the delivery: {took:?} ({:?} since)",
        start.elapsed()
    );
    // A flag change by another program: a rename in cur/.
    let first = std::fs::read_dir(lab.maildir.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("M000000"))
        .unwrap();
    let renamed = PathBuf::from(first.to_string_lossy().replace(":2,", ":2,F"));
    std::fs::rename(&first, &renamed).unwrap();
    let took = wait_for(&mut c, Duration::from_secs(2), |l| {
        numbered(l, "FETCH") == Some(1) && l.contains("\\Flagged")
    });
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(1)),
        "FETCH FLAGS within 1 s: {took:?}"
    );
    // A removal by another program.
    std::fs::remove_file(&renamed).unwrap();
    let took = wait_for(&mut c, Duration::from_secs(2), |l| {
        numbered(l, "EXPUNGE") == Some(1)
    });
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(1)),
        "EXPUNGE within 1 s: {took:?}"
    );
    c.writer.write_all(b"DONE\r\n").unwrap();
    let reply = c.finish(&tag);
    assert!(reply.ok(), "{}", reply.status);
    assert_eq!(uids(&mut c).len(), 2);
}

/// The same end to end: `smtp_server` (another process) delivers into the Maildir an idling IMAP session
/// watches; the session hears of it within a second (the issue: "appears at the next NOOP at best").
#[test]
fn idle_announces_mail_delivered_by_smtp_server() {
    let lab = Lab::start("idle-smtp", 1);
    let smtp = ServerChild::example(
        &example(EXAMPLES, "smtp_server"),
        "smtp_server",
        &lab.maildir,
        &[],
        None,
    );
    let (mut c, _) = lab.selected("idler");
    let tag = c.send("IDLE");
    let cont = c.read_response();
    assert!(cont.starts_with(b"+"), "{cont:?}");
    // A plain SMTP transaction (RFC 5321 §3.3), read reply by reply.
    let stream = TcpStream::connect(smtp.addr()).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut reply = |expect: &str| loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(expect),
            "SMTP: {line:?}, expected {expect}"
        );
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    };
    reply("220");
    for (command, expect) in [
        ("EHLO client.example", "250"),
        ("MAIL FROM:<a@example.com>", "250"),
        ("RCPT TO:<carol@example.com>", "250"),
        ("DATA", "354"),
    ] {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .unwrap();
        reply(expect);
    }
    writer
        .write_all(b"Subject: by smtp\r\n\r\nhello\r\n.\r\n")
        .unwrap();
    reply("250");
    let delivered = Instant::now();
    let took = wait_for(&mut c, Duration::from_secs(2), |l| {
        numbered(l, "EXISTS") == Some(2)
    });
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(1)),
        "EXISTS 2 within 1 s of smtp_server's 250: {took:?} ({:?} since)\n--- imap log\n{}",
        delivered.elapsed(),
        lab.server.log()
    );
    writer.write_all(b"QUIT\r\n").unwrap();
    c.writer.write_all(b"DONE\r\n").unwrap();
    assert!(c.finish(&tag).ok());
}

// ---------------------------------------------------------------------------------------------------------
// Defect 8: big messages are streamed

/// The first and last 16 bytes of a literal.
type Ends = (Vec<u8>, Vec<u8>);

/// Reads one FETCH response, counting literal bytes instead of keeping them; returns the literal sizes,
/// the first and last 16 bytes of each, and the tagged status line.
fn drain_fetch(client: &mut Client, tag: &str) -> (Vec<usize>, Vec<Ends>, String) {
    let (mut sizes, mut ends) = (Vec::new(), Vec::new());
    loop {
        let mut line = Vec::new();
        client.reader.read_until(b'\n', &mut line).unwrap();
        assert!(!line.is_empty(), "connection closed");
        if line.starts_with(format!("{tag} ").as_bytes()) {
            return (sizes, ends, String::from_utf8_lossy(&line).into_owned());
        }
        let trimmed = line.strip_suffix(b"\r\n").unwrap_or(&line);
        let literal = trimmed
            .strip_suffix(b"}")
            .and_then(|t| t.iter().rposition(|&b| b == b'{').map(|i| &t[i + 1..]))
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<usize>().ok());
        if let Some(size) = literal {
            let mut left = size;
            let mut buf = vec![0u8; 256 * 1024];
            let (mut head, mut tail) = (Vec::new(), Vec::new());
            while left > 0 {
                let n = client
                    .reader
                    .read(&mut buf[..left.min(256 * 1024)])
                    .unwrap();
                assert!(n > 0, "connection closed in a literal");
                if head.len() < 16 {
                    head.extend_from_slice(&buf[..n.min(16 - head.len())]);
                }
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 16 {
                    tail.drain(..tail.len() - 16);
                }
                left -= n;
            }
            sizes.push(size);
            ends.push((head, tail));
        }
    }
}

/// Five sessions fetch BODYSTRUCTURE, BODY.PEEK[1] and BODY.PEEK[TEXT] of a 60 MiB message at once: the
/// server's peak memory must stay far below the message size (it was 370 MB when each section was cut
/// from the whole message in memory).
#[test]
fn big_message_sections_are_streamed() {
    const PART: usize = 30 * 1024 * 1024;
    let lab = Lab::start("big", 0);
    let mut m = b"From: big@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\npreamble\r\n--BOUNDARY\r\n\
        Content-Type: text/plain\r\n\r\n"
        .to_vec();
    let line = b"0123456789 the quick brown fox jumps over the lazy dog 0123456789\r\n";
    let part_start = m.len();
    while m.len() - part_start + line.len() <= PART {
        m.extend_from_slice(line);
    }
    m.extend_from_slice(b"last line of part one");
    let part1_len = m.len() - part_start;
    m.extend_from_slice(
        b"\r\n--BOUNDARY\r\nContent-Type: application/octet-stream\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n",
    );
    let b64 = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n";
    while m.len() + b64.len() < 60 * 1024 * 1024 {
        m.extend_from_slice(b64);
    }
    m.extend_from_slice(b"--BOUNDARY--\r\n");
    let text_len = m.len() - (m.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4);
    std::fs::write(
        lab.maildir.join("cur").join("1700000000.M1P1Q1.big:2,S"),
        &m,
    )
    .unwrap();
    drop(m);
    let base = peak_rss_kib(lab.server.pid()).expect("/proc/PID/status");
    std::thread::scope(|scope| {
        for s in 0..5 {
            let lab = &lab;
            scope.spawn(move || {
                let (mut c, _) = lab.selected(&format!("fetcher{s}"));
                // A debug build reading 60 MiB five times at once on a loaded machine takes a while.
                c.reader
                    .get_ref()
                    .set_read_timeout(Some(Duration::from_secs(300)))
                    .unwrap();
                let tag = c.send("FETCH 1 (BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[TEXT])");
                let (sizes, ends, status) = drain_fetch(&mut c, &tag);
                assert!(status.contains("OK"), "{status}");
                assert_eq!(sizes, vec![part1_len, text_len]);
                assert_eq!(&ends[0].0[..], b"0123456789 the q");
                assert_eq!(&ends[0].1[..], b"line of part one");
                assert_eq!(&ends[1].0[..], b"preamble\r\n--BOUN");
                assert_eq!(&ends[1].1[..], b"\r\n--BOUNDARY--\r\n");
            });
        }
    });
    let (mut c, _) = lab.selected("structure");
    let r = c.run("FETCH 1 (BODYSTRUCTURE RFC822.SIZE)");
    let line = r.lines().join("");
    assert!(
        line.contains(&format!(
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" {part1_len} "
        )),
        "{line}"
    );
    let peak = peak_rss_kib(lab.server.pid()).unwrap();
    eprintln!("imap_server peak RSS: {base} KiB before, {peak} KiB after the five FETCHes");
    assert!(
        peak < 48 * 1024,
        "peak RSS {peak} KiB for five FETCHes of a 60 MiB message (was {base} KiB before)"
    );
}

/// The structure read line by line from the file, on messages that are hard to cut (the same answers as the
/// in-memory parser it replaced, checked against RFC 3501 §7.4.2 by hand): LF line ends, a bare CR, a header
/// without a blank line, a boundary of the outer multipart ending an inner one (RFC 2046 §5.1.2), and a
/// message/rfc822 part holding a multipart.
#[test]
fn streamed_structure_of_awkward_messages() {
    let lab = Lab::start("awkward", 0);
    let messages: [&[u8]; 4] = [
        b"Content-Type: multipart/mixed; boundary=XX\n\npre\n--XX\nContent-Type: text/html\n\n<p>1</p>\n\
          --XX\n\ntwo\n--XX  \nContent-Type: message/rfc822\n\nSubject: inner\n\
          Content-Type: multipart/alternative; boundary=YY\n\n--YY\n\nalt1\n--YY\n\
          Content-Type: text/plain; charset=utf-8\n\nalt2\n--YY--\n\n--XX--\nepilogue\n",
        b"Subject: bare cr\rX: 1\r\rbody\rmore\r",
        b"Subject: no blank line\nX: y\n",
        b"Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\n\
          Content-Type: multipart/mixed; boundary=I\r\n\r\n--I\r\n\r\ninner1\r\n--O\r\n\r\nouter2\r\n--O--\r\n",
    ];
    for (i, m) in messages.iter().enumerate() {
        std::fs::write(
            lab.maildir
                .join("cur")
                .join(format!("1700000000.M{i:06}P1Q{i}.awkward:2,S")),
            m,
        )
        .unwrap();
    }
    let (mut c, _) = lab.selected("session");
    let fetch = |c: &mut Client, what: &str| {
        let r = c.run(what);
        assert!(r.ok(), "{what}: {}", r.status);
        r.lines().join("")
    };
    let one = fetch(
        &mut c,
        "FETCH 1 (BODYSTRUCTURE BODY.PEEK[3.TEXT] BODY.PEEK[3.1.MIME])",
    );
    assert!(
        one.contains(
            "BODYSTRUCTURE ((\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 8 1 NIL NIL NIL NIL)\
             (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 3 1 NIL NIL NIL NIL)\
             (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 145 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) \
             ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL)\
             (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL) \
             \"ALTERNATIVE\" (\"BOUNDARY\" \"YY\") NIL NIL NIL) 11 NIL NIL NIL NIL) \
             \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL)"
        ),
        "{one}"
    );
    assert!(
        one.contains(
            "BODY[3.TEXT] {77}\r\n--YY\r\n\r\nalt1\r\n--YY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nalt2\r\n--YY--\r\n"
        ),
        "{one}"
    );
    assert!(one.contains("BODY[3.1.MIME] {2}\r\n\r\n"), "{one}");
    let two = fetch(&mut c, "FETCH 2 (BODY.PEEK[TEXT] RFC822.SIZE)");
    assert!(two.contains("BODY[TEXT] {12}\r\nbody\r\nmore\r\n"), "{two}");
    assert!(two.contains("RFC822.SIZE 38"), "{two}");
    let three = fetch(&mut c, "FETCH 3 (BODYSTRUCTURE BODY.PEEK[HEADER])");
    assert!(
        three.contains(
            "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL)"
        ),
        "{three}"
    );
    assert!(
        three.contains("BODY[HEADER] {30}\r\nSubject: no blank line\r\nX: y\r\n"),
        "{three}"
    );
    let four = fetch(&mut c, "FETCH 4 (BODY.PEEK[1.1] BODY.PEEK[2])");
    assert!(four.contains("BODY[1.1] {6}\r\ninner1"), "{four}");
    assert!(four.contains("BODY[2] {6}\r\nouter2"), "{four}");
}

/// A hostile message: an 8 MiB header line and 20 000 parts. The structure stays bounded (at most 5 000
/// entities are told apart, the rest is the last part's body), the HEADER section is still sent whole from
/// the file, and the server's memory stays small.
#[test]
fn hostile_structure_is_bounded() {
    let lab = Lab::start("hostile", 0);
    let mut m = b"X-Long: ".to_vec();
    m.resize(8 * 1024 * 1024, b'x');
    m.extend_from_slice(b"\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
    let header_len = m.len();
    for _ in 0..20_000 {
        m.extend_from_slice(b"--b\r\n\r\np\r\n");
    }
    m.extend_from_slice(b"--b--\r\n");
    std::fs::write(
        lab.maildir
            .join("cur")
            .join("1700000000.M1P1Q1.hostile:2,S"),
        &m,
    )
    .unwrap();
    let (mut c, _) = lab.selected("session");
    let r = c.run("FETCH 1 (BODYSTRUCTURE)");
    assert!(r.ok(), "{}", r.status);
    let parts = r.lines().join("").matches("(\"TEXT\" \"PLAIN\"").count();
    assert!((1000..=5000).contains(&parts), "{parts} parts told apart");
    let tag = c.send("FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[1])");
    let (sizes, ends, status) = drain_fetch(&mut c, &tag);
    assert!(status.contains("OK"), "{status}");
    assert_eq!(sizes, vec![header_len, 1]);
    assert_eq!(&ends[1].0[..], b"p");
    let peak = peak_rss_kib(lab.server.pid()).unwrap();
    assert!(peak < 48 * 1024, "peak RSS {peak} KiB");
}

// ---------------------------------------------------------------------------------------------------------
// Many sessions at once

/// What one session of the mixed run believes about the mailbox, checked against what the server says.
struct View {
    /// UID of each message number (index + 1); 0 until a FETCH tells it.
    uids: Vec<u32>,
}

impl View {
    /// Applies the untagged EXISTS / EXPUNGE of a reply in order (RFC 3501 §7.4.1: each EXPUNGE renumbers
    /// the messages after it; §7.3.1: EXISTS is the new message count, never smaller without EXPUNGEs).
    fn apply(&mut self, reply: &Reply, anomalies: &mut Vec<String>, who: &str) {
        for line in reply.lines() {
            if let Some(n) = numbered(&line, "EXPUNGE") {
                if n == 0 || n as usize > self.uids.len() {
                    anomalies.push(format!("{who}: EXPUNGE {n} of {}", self.uids.len()));
                } else {
                    self.uids.remove(n as usize - 1);
                }
            } else if let Some(n) = numbered(&line, "EXISTS") {
                if (n as usize) < self.uids.len() {
                    anomalies.push(format!(
                        "{who}: EXISTS {n} below {} without EXPUNGE",
                        self.uids.len()
                    ));
                }
                self.uids.resize(n as usize, 0);
            }
        }
    }

    /// FETCH 1:* (UID): the server's numbers must be the session's, and its UIDs the known ones.
    fn check(&mut self, c: &mut Client, issued: &Issued, anomalies: &mut Vec<String>) {
        let reply = c.run("FETCH 1:* (UID)");
        self.apply(&reply, anomalies, &c.name);
        let mut seen = 0;
        let mut unknown = Vec::new();
        for line in reply.lines() {
            let Some(seq) = numbered(&line, "FETCH") else {
                continue;
            };
            let Some(uid) = number_after(&line, "UID") else {
                continue;
            };
            seen += 1;
            match self.uids.get_mut(seq as usize - 1) {
                None => anomalies.push(format!(
                    "{}: FETCH {seq} beyond {}",
                    c.name,
                    self.uids.len()
                )),
                Some(known) if *known == 0 => *known = uid,
                Some(known) if *known != uid => anomalies.push(format!(
                    "{}: message {seq} was UID {known}, the server says UID {uid}",
                    c.name
                )),
                Some(_) => {}
            }
            if !issued.contains(uid) {
                unknown.push(uid);
            }
        }
        // A UID no APPEND or COPY gave out must be a message delivered from outside, seen with one UID only:
        // a message that got a second UID would show up here with another subject.
        for uid in unknown {
            let r = c.run(&format!(
                "UID FETCH {uid} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"
            ));
            let text = r.lines().join("");
            let subject = text
                .split("Subject: ")
                .nth(1)
                .map(|s| s.lines().next().unwrap_or("").trim().to_owned());
            match subject {
                Some(subject) if subject.starts_with("external ") => issued.external(uid, &subject),
                // Expunged meanwhile (RFC 2180 §4.1): no answer to check.
                None if !r.ok() || !text.contains("FETCH") => {}
                // An APPEND or COPY of another session whose answer that session has not read yet:
                // checked once every session is done.
                _ => {
                    issued.2.lock().unwrap().insert(uid);
                }
            }
        }
        if reply.ok() && seen != self.uids.len() {
            anomalies.push(format!(
                "{}: FETCH 1:* gave {seen} messages, EXISTS said {}",
                c.name,
                self.uids.len()
            ));
        }
        if !self.uids.windows(2).all(|w| w[0] < w[1] || w[1] == 0) {
            anomalies.push(format!("{}: UIDs not ascending: {:?}", c.name, self.uids));
        }
    }
}

/// The UIDs the server gave out: the seeded ones, APPENDUID and COPYUID; and the UID of each message
/// delivered from outside, by subject.
struct Issued(
    std::sync::Mutex<BTreeSet<u32>>,
    std::sync::Mutex<BTreeMap<String, BTreeSet<u32>>>,
    /// UIDs seen before the APPENDUID / COPYUID that gave them out was read.
    std::sync::Mutex<BTreeSet<u32>>,
);

impl Issued {
    /// Records that a message delivered from outside, `subject`, was seen as `uid` (checked at the end:
    /// besides the UIDs of its copies, it has one UID).
    fn external(&self, uid: u32, subject: &str) {
        let mut map = self.1.lock().unwrap();
        map.entry(subject.to_owned()).or_default().insert(uid);
    }

    fn contains(&self, uid: u32) -> bool {
        self.0.lock().unwrap().contains(&uid)
    }

    fn add_from(&self, status: &str, key: &str) {
        // [APPENDUID v uid] / [COPYUID v source dest]: the last set is the new UIDs.
        let Some(at) = status.find(key) else { return };
        let code = &status[at..];
        let end = code.find(']').unwrap_or(code.len());
        let set = code[..end].split_whitespace().last().unwrap_or("");
        let mut issued = self.0.lock().unwrap();
        for part in set.split(',') {
            let (a, b) = part.split_once(':').unwrap_or((part, part));
            if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                issued.extend(a.min(b)..=a.max(b));
            }
        }
    }
}

/// Eight sessions on one mailbox for a bounded number of rounds: each STOREs its own keyword on and off
/// random messages, APPENDs, COPYs within the mailbox, MOVEs its own messages out, EXPUNGEs its own
/// deleted messages (UID EXPUNGE), and one IDLEs between rounds; an external writer delivers into `new/`.
/// After every operation each session checks its message numbers and UIDs against the server's; at the
/// end, a fresh session checks that no keyword change was lost. Zero anomalies allowed.
#[test]
fn mixed_sessions_keep_uids_flags_and_numbers_consistent() {
    const SESSIONS: usize = 8;
    const ROUNDS: usize = 30;
    const SEED: usize = 40;
    let lab = Lab::start("mixed", SEED);
    {
        let mut c = lab.client("setup");
        assert!(c.run("CREATE Other").ok());
    }
    let issued = Issued(
        std::sync::Mutex::new(BTreeSet::new()),
        std::sync::Mutex::new(BTreeMap::new()),
        std::sync::Mutex::new(BTreeSet::new()),
    );
    {
        let (mut c, _) = lab.selected("seed");
        issued.0.lock().unwrap().extend(uids(&mut c));
    }
    let results: Vec<(Vec<String>, BTreeMap<u32, bool>, usize)> = std::thread::scope(|scope| {
        let external = {
            let lab = &lab;
            scope.spawn(move || {
                for i in 0..10 {
                    std::thread::sleep(Duration::from_millis(150));
                    lab.deliver_externally(
                        &format!("1800000000.M{i:06}P9Q{i}.mta"),
                        &message(&format!("external {i}"), 300),
                    );
                }
            })
        };
        let mut handles = Vec::new();
        for s in 0..SESSIONS {
            let (lab, issued) = (&lab, &issued);
            handles.push(scope.spawn(move || {
                let name = format!("s{s}");
                let keyword = format!("$K{s}");
                let (mut c, select) = lab.selected(&name);
                let mut anomalies = Vec::new();
                let mut view = View { uids: Vec::new() };
                view.apply(&select, &mut anomalies, &name);
                view.check(&mut c, issued, &mut anomalies);
                // The last keyword state this session set, per UID.
                let mut expected: BTreeMap<u32, bool> = BTreeMap::new();
                let mut own: Vec<u32> = Vec::new();
                let mut ops = 0usize;
                let mut rng = 0x9e37_79b9_u32.wrapping_mul(s as u32 + 1);
                let mut next = |n: usize| {
                    rng ^= rng << 13;
                    rng ^= rng >> 17;
                    rng ^= rng << 5;
                    rng as usize % n.max(1)
                };
                for round in 0..ROUNDS {
                    let known: Vec<u32> = view.uids.iter().copied().filter(|u| *u > 0).collect();
                    let pick = known.get(next(known.len())).copied();
                    let reply = match (round + s) % 6 {
                        0..=2 => {
                            let Some(uid) = pick else { continue };
                            let on = next(2) == 0;
                            let op = if on { "+" } else { "-" };
                            let r = c.run(&format!("UID STORE {uid} {op}FLAGS ({keyword})"));
                            if r.ok() {
                                expected.insert(uid, on);
                            }
                            r
                        }
                        3 => {
                            let r = c.append(
                                "INBOX",
                                "",
                                &message(&format!("{name} round {round}"), 300),
                            );
                            issued.add_from(&r.status, "APPENDUID");
                            if let Some(at) = r.status.find("APPENDUID") {
                                if let Some(uid) = r.status[at..]
                                    .split_whitespace()
                                    .nth(2)
                                    .and_then(|u| u.trim_end_matches(']').parse().ok())
                                {
                                    own.push(uid);
                                }
                            }
                            r
                        }
                        4 => {
                            let Some(uid) = pick else { continue };
                            let r = c.run(&format!("UID COPY {uid} INBOX"));
                            issued.add_from(&r.status, "COPYUID");
                            r
                        }
                        _ => {
                            if own.is_empty() {
                                continue;
                            }
                            let uid = own.remove(0);
                            expected.remove(&uid);
                            if next(2) == 0 {
                                c.run(&format!("UID MOVE {uid} Other"))
                            } else {
                                let r = c.run(&format!("UID STORE {uid} +FLAGS (\\Deleted)"));
                                view.apply(&r, &mut anomalies, &name);
                                c.run(&format!("UID EXPUNGE {uid}"))
                            }
                        }
                    };
                    ops += 1;
                    view.apply(&reply, &mut anomalies, &name);
                    if s == 0 && round % 5 == 4 {
                        // Session 0 idles a moment: what it is told must keep its numbers right.
                        let tag = c.send("IDLE");
                        let cont = c.read_response();
                        assert!(cont.starts_with(b"+"), "{cont:?}");
                        std::thread::sleep(Duration::from_millis(400));
                        c.writer.write_all(b"DONE\r\n").unwrap();
                        let r = c.finish(&tag);
                        view.apply(&r, &mut anomalies, &name);
                        ops += 1;
                    }
                    let noop = c.run("NOOP");
                    view.apply(&noop, &mut anomalies, &name);
                    view.check(&mut c, issued, &mut anomalies);
                    ops += 2;
                }
                (anomalies, expected, ops)
            }));
        }
        let out = handles.into_iter().map(|h| h.join().unwrap()).collect();
        external.join().unwrap();
        out
    });
    let mut anomalies: Vec<String> = Vec::new();
    let (mut checker, _) = lab.selected("checker");
    let reply = checker.run("FETCH 1:* (UID FLAGS)");
    let flags: BTreeMap<u32, BTreeSet<String>> = reply
        .lines()
        .iter()
        .filter(|l| numbered(l, "FETCH").is_some())
        .map(|l| (number_after(l, "UID").unwrap(), flags_in(l).unwrap()))
        .collect();
    for uid in issued.2.lock().unwrap().iter() {
        if !issued.contains(*uid) {
            anomalies.push(format!("UID {uid} was never given out by APPEND or COPY"));
        }
    }
    for (subject, seen) in issued.1.lock().unwrap().iter() {
        let own: Vec<u32> = seen
            .iter()
            .copied()
            .filter(|u| !issued.contains(*u))
            .collect();
        if own.len() > 1 {
            anomalies.push(format!("{subject:?} had the UIDs {own:?}"));
        }
    }
    let mut ops = 0;
    for (s, (session_anomalies, expected, n)) in results.iter().enumerate() {
        anomalies.extend(session_anomalies.iter().cloned());
        ops += n;
        for (uid, on) in expected {
            let Some(f) = flags.get(uid) else { continue };
            if f.contains(&format!("$K{s}")) != *on {
                anomalies.push(format!("UID {uid}: s{s}'s keyword should be {on}: {f:?}"));
            }
        }
    }
    eprintln!(
        "mixed run: {SESSIONS} sessions + 1 external writer, {ops} operations, {} anomalies",
        anomalies.len()
    );
    assert!(
        anomalies.is_empty(),
        "{} anomalies in {ops} operations: {anomalies:#?}",
        anomalies.len()
    );
}
