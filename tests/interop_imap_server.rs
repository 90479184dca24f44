//! Interop of the `imap_server` example with IMAP clients other people wrote: Python's imaplib, curl,
//! mbsync (isync) and mutt (also with its `imap_deflate`: COMPRESS=DEFLATE, RFC 4978), each against the
//! server running over a temporary Maildir the test seeds.
//!
//! The tests run the example binary found next to this test binary (`target/<profile>/examples/`), built
//! once per run with `cargo build --example imap_server`. A test whose tool (`python3`, `curl`, `mbsync`, `mutt`) is
//! missing skips loudly, and fails under `CI=true`. Every child process is killed after
//! [`CHILD_TIMEOUT`](common::harness::CHILD_TIMEOUT), and the server when its guard drops.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::harness::{
    PASS, Seeded, ServerChild, USER, crlf, curl, example, message_files, run, run_python_checks,
    write_certificate,
};

/// Whether `tool` can be run; if not, skips `test` loudly (fails under CI).
fn have_tool(tool: &str, package: &str, test: &str) -> bool {
    common::harness::have_tool(tool, package, "imap_server", test)
}

// ---------------------------------------------------------------------------------------------------------
// The seeded Maildir

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

/// A Maildir with three messages in INBOX, in this order (Maildir ids sort so), and an empty folder
/// `Lists` (a Maildir++ `.Lists`):
/// 1. `new/`, LF line ends, a plain text message whose body has lines starting with `.`, `..` and a lone `.`;
/// 2. `cur/` flagged `S`, CRLF line ends, multipart/mixed with a text part and a base64 PDF attachment;
/// 3. `new/`, LF line ends, 8-bit UTF-8 in the subject and the body, dot-led lines, about 100 KiB (more
///    than one chunk of the server's streaming).
fn seed_maildir(tag: &str) -> Seeded {
    common::harness::seed_maildir(
        tag,
        &["Lists"],
        vec![
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
        ],
        crlf,
    )
}

// ---------------------------------------------------------------------------------------------------------
// The imap_server example as a child

/// Starts `imap_server` on a free port (`--listen 127.0.0.1:0`; the port is read from its first log line).
fn start_server(maildir: &Path, tls: Option<&(PathBuf, PathBuf)>) -> ServerChild {
    let user = format!("{USER}:{PASS}");
    ServerChild::example(
        &example(&["imap_server"], "imap_server"),
        "imap_server",
        maildir,
        &["--user", &user],
        tls,
    )
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
    let server = start_server(&seeded.maildir, Some(&tls));
    run_python_checks(
        &seeded,
        &server,
        &tls.0,
        ("imaplib_check.py", IMAPLIB_SCRIPT),
        &[&seeded.maildir],
        "imaplib",
    );

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
    server.assert_logged(&["TLS established", "AUTHENTICATE PLAIN carol: logged in"]);
}

// ---------------------------------------------------------------------------------------------------------
// curl

#[test]
fn server_read_by_curl() {
    const TEST: &str = "interop_imap_server::server_read_by_curl";
    if !have_tool("curl", "curl", TEST) {
        return;
    }
    let seeded = seed_maildir("curl");
    let tls = write_certificate(seeded.dir.path());
    let server = start_server(&seeded.maildir, Some(&tls));
    let base = format!("imap://{USER}:{PASS}@{}", server.addr());

    let first = curl(&[&format!("{base}/INBOX;UID=1")]);
    first.assert_success_with_log("curl UID FETCH 1", &server.log());
    assert!(
        first.stdout == seeded.expected[0],
        "message 1 through curl:\n{}",
        first.stdout_text()
    );
    let large = curl(&[&format!("{base}/INBOX;UID=3")]);
    large.assert_success_with_log("curl UID FETCH 3", &server.log());
    assert!(
        large.stdout == seeded.expected[2],
        "message 3 (100 KiB, 8-bit) through curl"
    );
    let section = curl(&[&format!("{base}/INBOX;UID=2/;SECTION=1")]);
    section.assert_success_with_log("curl UID FETCH 2 BODY[1]", &server.log());
    assert_eq!(section.stdout_text(), "Please find the report attached.");

    let list = curl(&[&format!("{base}/")]);
    list.assert_success_with_log("curl LIST", &server.log());
    let text = list.stdout_text();
    assert!(
        text.contains("* LIST (\\HasNoChildren) \".\" INBOX\r\n")
            && text.contains("* LIST (\\HasNoChildren) \".\" Lists\r\n"),
        "LIST through curl:\n{text}"
    );

    let search = curl(&[&format!("{base}/INBOX?SUBJECT%20report")]);
    search.assert_success_with_log("curl SEARCH SUBJECT report", &server.log());
    assert_eq!(
        search.stdout_text(),
        "* SEARCH 2\r\n",
        "SEARCH through curl"
    );
    // curl fetched with BODY[] (not PEEK): every message is \Seen now.
    let seen = curl(&[&format!("{base}/INBOX?SEEN")]);
    seen.assert_success_with_log("curl SEARCH SEEN", &server.log());
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
    secure.assert_success_with_log("curl --ssl-reqd UID FETCH 2 (STARTTLS)", &server.log());
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
    let server = start_server(&seeded.maildir, None);
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
        out.assert_success_with_log("mbsync -a", &server.log());
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

// ---------------------------------------------------------------------------------------------------------
// mutt

/// mutt, a terminal program, under `script` (a pseudo-terminal, so no human is needed): it logs in over
/// STARTTLS, opens INBOX, shows the first message, saves it to a new folder `Archive` (CREATE after the
/// server's TRYCREATE, COPY, then the original is deleted and expunged) and quits.
#[test]
fn server_used_by_mutt() {
    mutt_saves_the_first_message("interop_imap_server::server_used_by_mutt", false);
}

/// The same session with mutt's `imap_deflate` (its COMPRESS=DEFLATE, RFC 4978, on zlib): after login
/// everything goes through the server's DEFLATE layer (`examples/common/deflate.rs`).
#[test]
fn server_used_by_mutt_with_compress_deflate() {
    mutt_saves_the_first_message(
        "interop_imap_server::server_used_by_mutt_with_compress_deflate",
        true,
    );
}

/// The mutt session of the two tests above, with `set imap_deflate` when `deflate`.
fn mutt_saves_the_first_message(test: &str, deflate: bool) {
    if !have_tool("mutt", "mutt", test) || !have_tool("script", "bsdutils", test) {
        return;
    }
    let seeded = seed_maildir(if deflate { "mutt-deflate" } else { "mutt" });
    let tls = write_certificate(seeded.dir.path());
    let server = start_server(&seeded.maildir, Some(&tls));
    let home = seeded.dir.path();
    let rc = home.join("muttrc");
    std::fs::write(
        &rc,
        format!(
            "set imap_user = \"{USER}\"\n\
             set imap_pass = \"{PASS}\"\n\
             set folder = \"imap://{addr}/\"\n\
             set ssl_starttls = yes\n\
             set ssl_force_tls = yes\n\
             set certificate_file = \"{cert}\"\n\
             set ssl_verify_host = no\n\
             set sort = mailbox-order\n\
             set quit = yes\n\
             set move = no\n\
             set delete = yes\n\
             set confirmcreate = no\n\
             set confirmappend = no\n\
             set wait_key = no\n\
             set header_cache = \"\"\n\
             set message_cachedir = \"\"\n\
             set imap_deflate = {deflate}\n",
            deflate = if deflate { "yes" } else { "no" },
            addr = server.addr(),
            cert = tls.0.display()
        ),
    )
    .unwrap();
    let mutt = format!(
        "mutt -n -F {rc} -f imap://{addr}/INBOX -e 'push <first-entry><display-message>q<save-message>=Archive<enter><sync-mailbox>q'",
        rc = rc.display(),
        addr = server.addr()
    );
    let out = run(
        Command::new("script")
            .env("HOME", home)
            .env("TERM", "vt100")
            .args(["-qec", &mutt, "/dev/null"]),
        "mutt under script",
    );
    out.assert_success_with_log("mutt", &server.log());

    let log = server.log();
    let commands: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split("] ").nth(1))
        .filter_map(|rest| rest.split(' ').nth(1))
        .collect();
    for expected in ["SELECT", "FETCH", "CREATE", "COPY", "STORE", "EXPUNGE"] {
        assert!(
            commands.contains(&expected),
            "mutt sent no {expected}:\n{log}"
        );
    }
    assert!(log.contains("TLS established"), "{log}");
    assert_eq!(log.contains("DEFLATE active"), deflate, "{log}");
    // the first message now lives in Archive, marked seen; INBOX keeps the other two
    let archive = message_files(&seeded.maildir.join(".Archive"));
    assert_eq!(archive.len(), 1, "Archive holds {archive:?}\n{log}");
    assert!(
        crlf(&std::fs::read(&archive[0]).unwrap()) == seeded.expected[0],
        "the saved message differs from message 1"
    );
    assert!(
        archive[0].to_string_lossy().ends_with(":2,S"),
        "the saved message is not marked seen: {}",
        archive[0].display()
    );
    assert_eq!(
        message_files(&seeded.maildir).len(),
        2,
        "INBOX after the move\n{log}"
    );
}
