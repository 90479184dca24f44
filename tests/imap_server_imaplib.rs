//! The IMAP server machine driven by a client nobody here wrote: Python's
//! `imaplib` (CPython's standard library) over loopback TCP, against a small
//! blocking adapter in this file. It checks the literal rules the server
//! machine enforces (issue 15, items 1 and 11) with the client's own reading
//! of RFC 3501/9051:
//!
//! - imaplib announces every literal synchronizing (`{n}`) and waits for the
//!   server's `+` before sending it: LOGIN with a non-ASCII password and
//!   APPEND of a message holding the line `Z1 CREATE Smuggled` must arrive
//!   byte for byte, and nothing in them may run as a command;
//! - before login a literal over `Limits::unauthenticated_literal` is refused
//!   with a tagged `NO [TOOBIG]` instead of `+`, which imaplib reports as the
//!   command's answer (it never sends the bytes), and the session goes on;
//! - after login the general limits apply (a 100 KB APPEND).
//!
//! Skips loudly without `python3`, fails under `CI=true`.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::harness::{Finished, finish_within, tools_or_skip};
use mailwire::imap::{CommandBody, Server, ServerConfig, ServerEvent, StatusKind};

const TEST: &str = "imap_server_imaplib::imaplib_literals_against_the_server_machine";

/// What the connections did, for the checks after the script.
#[derive(Default)]
struct Record {
    appended: Vec<Vec<u8>>,
    /// Names of every command the application was handed.
    commands: Vec<String>,
    passwords: Vec<Vec<u8>>,
}

/// Serves one connection with the machine; returns at EOF or close.
fn serve(mut stream: TcpStream, record: Arc<Mutex<Record>>) {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    config.capabilities = vec!["UIDPLUS".into()];
    let mut server = Server::new(config);
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = vec![0u8; 16 << 10];
    let mut append: Option<(String, Vec<u8>)> = None;
    loop {
        loop {
            let event = match server.poll_event() {
                Ok(Some(e)) => e.into_owned(),
                Ok(None) => break,
                Err(_) => break,
            };
            let mut rec = record.lock().unwrap();
            match event {
                ServerEvent::Login { tag, password, .. } => {
                    rec.passwords.push(password.expose().to_vec());
                    let ok =
                        password.expose() == "sécret".as_bytes() || password.expose() == b"secret";
                    let kind = if ok { StatusKind::Ok } else { StatusKind::No };
                    server
                        .complete(tag.as_str(), kind, None, "LOGIN done")
                        .unwrap();
                }
                ServerEvent::LiteralRequested { .. } => server.accept_literal().unwrap(),
                ServerEvent::AppendStart { tag, .. } => {
                    append = Some((tag.as_str().to_owned(), Vec::new()));
                    server.accept_literal().unwrap();
                }
                ServerEvent::AppendChunk(c) => append.as_mut().unwrap().1.extend_from_slice(&c),
                ServerEvent::AppendEnd { more: false } => {
                    let (tag, data) = append.take().unwrap();
                    rec.appended.push(data);
                    server
                        .complete(&tag, StatusKind::Ok, None, "APPEND completed")
                        .unwrap();
                }
                ServerEvent::Command(cmd) => {
                    let name = match &cmd.body {
                        CommandBody::Create { mailbox, .. } => {
                            format!("CREATE {}", String::from_utf8_lossy(mailbox.as_bytes()))
                        }
                        other => format!("{other:?}").chars().take(12).collect(),
                    };
                    rec.commands.push(name);
                    let tag = cmd.tag.as_str().to_owned();
                    server.complete(&tag, StatusKind::Ok, None, "done").unwrap();
                }
                _ => {}
            }
        }
        while let Some(b) = server.poll_transmit() {
            if stream.write_all(&b).is_err() {
                return;
            }
        }
        if server.is_closed() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => {
                server.handle_eof();
                let _ = server.poll_event();
                return;
            }
            Ok(n) => server.handle_input(&buf[..n]),
        }
    }
}

/// The client side. Argument: the port. Prints one line per check and a
/// closing `N passed, N failed`.
const SCRIPT: &str = r#"
import imaplib, sys

port = int(sys.argv[1])
passed = failed = 0

def check(what, ok, detail=''):
    global passed, failed
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok else ': %r' % (detail,)))
    if ok:
        passed += 1
    else:
        failed += 1

def connect():
    m = imaplib.IMAP4('127.0.0.1', port)
    m.sock.settimeout(20)
    return m

M = connect()
check('LITERAL- offered before login', 'LITERAL-' in M.capabilities and 'LITERAL+' not in M.capabilities, M.capabilities)

# LOGIN with the password as a synchronizing literal: imaplib sends
# "tag LOGIN mrc {7}", waits for "+", then the seven bytes
M.literal = 'sécret'.encode()
typ, data = M._simple_command('LOGIN', 'mrc')
check('LOGIN with a non-ASCII literal password', typ == 'OK', (typ, data))
M.state = 'AUTH'

message = b'Subject: hi\r\n\r\nZ1 CREATE Smuggled\r\n'
typ, data = M.append('INBOX', None, None, message)
check('APPEND of a message holding a command line', typ == 'OK', (typ, data))
big = b'Subject: big\r\n\r\n' + b'0123456789abcdef\r\n' * 6000
typ, data = M.append('INBOX', None, None, big)
check('APPEND of 108 KB after login', typ == 'OK', (typ, data))
typ, data = M.create('Real')
check('CREATE Real', typ == 'OK', (typ, data))
M.logout()

# before login a literal over 4096 bytes is refused instead of invited
N = connect()
N.literal = b'x' * 5000
typ, data = N._simple_command('LOGIN', 'mrc')
check('an oversized LOGIN literal gets NO [TOOBIG], not +', typ == 'NO' and b'TOOBIG' in data[0], (typ, data))
N.literal = b'y' * 4096
typ, data = N._simple_command('LOGIN', 'mrc')
check('a 4096-byte LOGIN literal is invited (and the password is wrong)', typ == 'NO' and b'TOOBIG' not in data[0], (typ, data))
typ, data = N.login('mrc', 'secret')
check('the session goes on: LOGIN', typ == 'OK', (typ, data))
typ, data = N.noop()
check('NOOP', typ == 'OK', (typ, data))
N.logout()

print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
"#;

#[test]
fn imaplib_literals_against_the_server_machine() {
    if !tools_or_skip(TEST, &["python3"]) {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = Arc::new(Mutex::new(Record::default()));
    let rec = Arc::clone(&record);
    // two connections, each served on its own thread
    let acceptor = thread::spawn(move || {
        let mut workers = Vec::new();
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let rec = Arc::clone(&rec);
            workers.push(thread::spawn(move || serve(stream, rec)));
        }
        for w in workers {
            w.join().unwrap();
        }
    });
    let dir = std::env::temp_dir().join(format!("mailwire-imaplib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("imaplib_literals.py");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut command = Command::new("python3");
    command.arg(&script).arg(port.to_string());
    let Finished {
        status,
        stdout,
        stderr,
    } = finish_within(&mut command, None, Duration::from_secs(60)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&stderr));
    let status = status.expect("imaplib script killed after 60 s");
    assert!(status.success(), "imaplib checks failed:\n{stdout}");
    assert_eq!(stdout.lines().last(), Some("9 passed, 0 failed"));
    acceptor.join().unwrap();

    let rec = record.lock().unwrap();
    assert_eq!(rec.appended.len(), 2);
    assert_eq!(
        rec.appended[0],
        b"Subject: hi\r\n\r\nZ1 CREATE Smuggled\r\n"
    );
    assert_eq!(rec.appended[1].len(), 16 + 18 * 6000);
    assert!(
        rec.passwords.contains(&"sécret".as_bytes().to_vec()),
        "the literal password arrived intact"
    );
    assert!(
        !rec.passwords.iter().any(|p| p.len() == 5000),
        "the oversized literal never reached the application"
    );
    // the only CREATE the application saw is the real one
    let creates: Vec<&String> = rec
        .commands
        .iter()
        .filter(|c| c.starts_with("CREATE"))
        .collect();
    assert_eq!(creates, ["CREATE Real"], "{:?}", rec.commands);
}
