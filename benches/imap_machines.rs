//! IMAP state-machine benches (issue #5): (1) a `Client` consuming a recorded
//! 2 000-message `UID FETCH` session (ENVELOPE, nested BODYSTRUCTURE and a
//! small header literal per message) fed in 16 KiB and in 1 MiB reads,
//! (2) a `Server` consuming 100 000 pipelined commands in 16 KiB reads, with
//! an application answering every command, and (3) the memory an idle
//! authenticated connection holds on either side (target under 1 KiB).
//! Allocations per item and peak memory are printed before the timings; every
//! run is checked for correctness first, so no error path is measured.
//!
//! Run: `cargo bench --bench imap_machines -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/imap_data.rs"]
mod imap_data;

use std::hint::black_box;

use imap_data::{MIXED, envelope, walk_fetch};
use std::sync::Arc;

use mailwire::wire::line::LinePolicy;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use mailwire::Limits;
use mailwire::imap::{
    Client, ClientConfig, ClientEvent, ClientState, Command, CommandBody, CommandKind, Data,
    FetchAttribute, FetchAttributes, FetchItem, FetchLiteral, Flag, Frame, Framer, List, Mailbox,
    ParseOptions, Response, SequenceSet, Server, ServerConfig, ServerEvent, StatusItem, StatusKind,
    parse_command, parse_greeting, parse_response,
};

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// FETCH responses in the recorded client session.
const MESSAGES: usize = 2000;
/// Commands in the pipelined server stream (LOGIN and SELECT included).
const COMMANDS: usize = 100_000;
/// The usual read size of an adapter.
const READ: usize = 16 * 1024;
/// The large read of the client variant.
const BIG_READ: usize = 1 << 20;

// ---------------------------------------------------------------------------
// (1) the client consuming a recorded FETCH session

/// The UID FETCH the client sends (the machine picks the tag: A0003).
const FETCH_COMMAND: &[u8] = b"x UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)])\r\n";

/// multipart/mixed (text/plain, a forwarded message/rfc822 whose body is a
/// multipart/alternative).
fn forwarded(i: usize) -> String {
    format!(
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 412 12 NIL NIL NIL NIL)\
         (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 6210 {env} \
         ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1200 30 NIL NIL NIL NIL)\
         (\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 3200 80 NIL NIL NIL NIL) \
         \"ALTERNATIVE\" (\"BOUNDARY\" \"inner-{i}\") NIL NIL NIL) 140 NIL (\"ATTACHMENT\" NIL) NIL NIL) \
         \"MIXED\" (\"BOUNDARY\" \"outer-{i}\") NIL NIL NIL)",
        env = envelope(i + 7)
    )
}

/// The header fields literal (~300 bytes).
fn header_fields(i: usize) -> String {
    format!(
        "From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.org>, team@lists.example.org\r\n\
         Cc: \"Carol C.\" <carol@example.net>\r\nSubject: Re: [project] quarterly report {i} \"draft\"\r\n\
         Date: Mon, {d} Jan 2024 10:{m:02}:00 +0100\r\nMessage-ID: <msg-{i}@example.com>\r\n\r\n",
        d = i % 28 + 1,
        m = i % 60
    )
}

/// The server's side of LOGIN (A0001), SELECT (A0002) and the UID FETCH
/// (A0003), as recorded.
fn client_transcript() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] server ready\r\n\
          A0001 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH MOVE LITERAL+ SPECIAL-USE] Logged in\r\n\
          * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $Junk)\r\n",
    );
    s.extend_from_slice(format!("* {MESSAGES} EXISTS\r\n* 0 RECENT\r\n").as_bytes());
    s.extend_from_slice(
        b"* OK [UIDVALIDITY 1700000000] UIDs valid\r\n\
          * OK [UIDNEXT 3001] Predicted next UID\r\n\
          * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $Junk \\*)] Flags permitted\r\n\
          A0002 OK [READ-WRITE] Select completed\r\n",
    );
    for i in 1..=MESSAGES {
        let body = if i % 3 == 0 {
            forwarded(i)
        } else {
            MIXED.to_owned()
        };
        let header = header_fields(i);
        s.extend_from_slice(
            format!(
                "* {i} FETCH (UID {} FLAGS (\\Seen $Forwarded) RFC822.SIZE {} INTERNALDATE \"{:02}-Jan-2024 10:00:00 +0100\" \
                 ENVELOPE {} BODYSTRUCTURE {} BODY[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)] {{{}}}\r\n",
                1000 + i,
                230_000 + i,
                i % 28 + 1,
                envelope(i),
                body,
                header.len()
            )
            .as_bytes(),
        );
        s.extend_from_slice(header.as_bytes());
        s.extend_from_slice(b")\r\n");
    }
    s.extend_from_slice(b"A0003 OK Fetch completed (0.042 + 0.000 + 0.041 secs).\r\n");
    s
}

/// The reference without a machine: the codec alone (Framer, parse_response
/// and the same walk) over the whole transcript in one buffer.
fn codec_reference(transcript: &[u8]) -> (usize, usize) {
    let opts = ParseOptions::default();
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::ACCEPT_BARE_LF_KEEP_CR);
    let (mut pos, mut fetches, mut acc) = (0, 0, 0);
    while pos < transcript.len() {
        let Frame::Complete(n) = framer.find(&transcript[pos..]).unwrap() else {
            panic!("incomplete frame at {pos}")
        };
        let frame = &transcript[pos..pos + n];
        let r = if pos == 0 {
            parse_greeting(frame, &opts).map(Response::Status)
        } else {
            parse_response(frame, &opts)
        };
        if let Response::Data(Data::Fetch { items, .. }) = r.unwrap() {
            fetches += 1;
            acc += walk_fetch(&items);
        }
        pos += n;
    }
    (fetches, acc)
}

/// What a client run saw.
#[derive(Debug, Default)]
struct ClientRun {
    fetches: usize,
    completed: Vec<(CommandKind, StatusKind)>,
    other: usize,
    malformed: usize,
    touched: usize,
    peak_memory: usize,
}

fn client_events(client: &mut Client, run: &mut ClientRun, walk: bool) {
    while let Some(event) = client.poll_event().unwrap() {
        match event {
            ClientEvent::Data {
                data: Data::Fetch { items, .. },
                ..
            } => {
                run.fetches += 1;
                if walk {
                    run.touched += walk_fetch(&items);
                }
            }
            ClientEvent::Completed {
                command, status, ..
            } => run.completed.push((command, status)),
            ClientEvent::MalformedResponse { .. } => run.malformed += 1,
            _ => run.other += 1,
        }
    }
}

/// How a client session is run.
#[derive(Clone, Copy)]
struct Mode {
    /// Measure the peak `memory_usage` (outside the timed loop).
    track: bool,
    /// Walk every FETCH response's items (what the timed loop does).
    walk: bool,
}

const TIMED: Mode = Mode {
    track: false,
    walk: true,
};

/// One session: a fresh client sends LOGIN, SELECT and the UID FETCH, then
/// reads the transcript in `read`-byte pieces, polling every event.
fn client_session(fetch: &Command<'_>, transcript: &[u8], read: usize, mode: Mode) -> ClientRun {
    let track = mode.track;
    let mut client = Client::new(ClientConfig::default());
    let mut run = ClientRun::default();
    client.login("alice", "secret").unwrap();
    client.select(Mailbox::Inbox).unwrap();
    client.send(fetch.body.clone()).unwrap();
    for piece in transcript.chunks(read) {
        client.handle_input(piece);
        if track {
            run.peak_memory = run.peak_memory.max(client.memory_usage());
        }
        client_events(&mut client, &mut run, mode.walk);
        if track {
            run.peak_memory = run.peak_memory.max(client.memory_usage());
        }
        while let Some(out) = client.poll_transmit() {
            black_box(out);
        }
    }
    run
}

fn check_client_run(run: &ClientRun, what: &str) {
    assert_eq!(run.fetches, MESSAGES, "{what}: {run:?}");
    assert_eq!(run.malformed, 0, "{what}: {run:?}");
    assert_eq!(
        run.completed,
        [
            (CommandKind::Login, StatusKind::Ok),
            (CommandKind::Select, StatusKind::Ok),
            (CommandKind::Fetch, StatusKind::Ok),
        ],
        "{what}"
    );
}

// ---------------------------------------------------------------------------
// (2) the server consuming pipelined commands

/// The commands of the pipelined mix, all valid in the Selected state
/// (`{n}` stands for a UID).
const MIX: [&str; 8] = [
    "NOOP",
    "UID FETCH 1:* (FLAGS)",
    "UID STORE {n} +FLAGS (\\Seen)",
    "UID SEARCH UNSEEN",
    "STATUS INBOX (MESSAGES)",
    "SELECT INBOX",
    "CHECK",
    "UID FETCH {n}:* (UID FLAGS)",
];

/// LOGIN, SELECT, then `n - 2` commands of `mix` in turn.
fn command_stream(mix: &[&str], n: usize) -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"c0 LOGIN alice secret\r\nc1 SELECT INBOX\r\n");
    for i in 2..n {
        let line = mix[i % mix.len()].replace("{n}", &(1000 + i % 2000).to_string());
        s.extend_from_slice(format!("c{i} {line}\r\n").as_bytes());
    }
    s
}

/// The untagged answers the application sends, built once.
struct Answers {
    fetch: Data<'static>,
    search: Data<'static>,
    status: Data<'static>,
}

impl Answers {
    fn new() -> Answers {
        Answers {
            fetch: Data::Fetch {
                seq: 1,
                items: List::from_items(vec![
                    FetchItem::Uid(1001),
                    FetchItem::Flags(List::from_items(vec![Flag::Seen])),
                ]),
            },
            search: Data::Search {
                ids: List::from_items(vec![1004, 1017, 1999]),
                modseq: None,
            },
            status: Data::Status {
                mailbox: Mailbox::Inbox,
                items: List::from_items(vec![StatusItem::Messages(MESSAGES as u32)]),
            },
        }
    }
}

fn server_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    config.autologout = None;
    config.limits.pending_commands = COMMANDS + 16;
    config.limits.input_buffer = 16 << 20;
    config
}

/// The command that needs an answer, copied out of the event (the tag into
/// a stack buffer, so the application itself allocates nothing).
enum Todo {
    Fetch,
    Search,
    Status,
    Plain,
}

/// Answers every event the server has; returns the commands completed.
fn serve(server: &mut Server, answers: &Answers) -> usize {
    let mut completed = 0;
    loop {
        let mut tag = [0u8; 32];
        let (len, todo) = {
            let Some(event) = server.poll_event().unwrap() else {
                return completed;
            };
            let (t, todo) = match &event {
                ServerEvent::Login { tag, .. } => (tag.as_str(), Todo::Plain),
                ServerEvent::Command(cmd) => (
                    cmd.tag.as_str(),
                    match cmd.body {
                        CommandBody::Fetch { .. } => Todo::Fetch,
                        CommandBody::Search { .. } => Todo::Search,
                        CommandBody::Status { .. } => Todo::Status,
                        _ => Todo::Plain,
                    },
                ),
                other => panic!("unexpected server event {other:?}"),
            };
            tag[..t.len()].copy_from_slice(t.as_bytes());
            (t.len(), todo)
        };
        let tag = std::str::from_utf8(&tag[..len]).unwrap();
        match todo {
            Todo::Fetch => server.send_untagged_data(&answers.fetch).unwrap(),
            Todo::Search => server.send_untagged_data(&answers.search).unwrap(),
            Todo::Status => server.send_untagged_data(&answers.status).unwrap(),
            Todo::Plain => {}
        }
        server.complete(tag, StatusKind::Ok, None, "done").unwrap();
        completed += 1;
    }
}

/// One session over the pipelined stream; returns (commands completed,
/// output bytes, peak memory when tracked). With `out`, the output is kept.
fn server_session(
    stream: &[u8],
    answers: &Answers,
    track: bool,
    mut out: Option<&mut Vec<u8>>,
) -> (usize, usize, usize) {
    let mut server = Server::new(server_config());
    let (mut completed, mut sent, mut peak) = (0, 0, 0);
    for piece in stream.chunks(READ) {
        server.handle_input(piece);
        completed += serve(&mut server, answers);
        if track {
            peak = peak.max(server.memory_usage());
        }
        while let Some(b) = server.poll_transmit() {
            sent += b.len();
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&b);
            }
            black_box(b);
        }
    }
    assert!(!server.is_closed());
    (completed, sent, peak)
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

// ---------------------------------------------------------------------------
// (3) idle memory

const BODY_SIZE: usize = 1 << 20;

/// The conversation of tests/imap_session.rs: LOGIN, SELECT, a FETCH of a
/// 1 MiB BODY[] streamed in 16 KiB pieces, with `server`. Returns the two
/// machines, idle, and their peak memory.
fn idle_pair(mut server: Server) -> (Client, Server, (usize, usize)) {
    let mut msg = b"From: alice@example.org\r\nSubject: big\r\n\r\n".to_vec();
    while msg.len() < BODY_SIZE {
        msg.extend_from_slice(b"a line of the body, dotted . and 8-bit \xe2\x80\x93\r\n");
    }
    msg.truncate(BODY_SIZE);
    let mut client = Client::new(ClientConfig::default());
    client.login("alice", "secret").unwrap();
    client.select(Mailbox::Inbox).unwrap();
    client
        .send(CommandBody::Fetch {
            uid: false,
            set: SequenceSet::new("1").unwrap(),
            attributes: FetchAttributes::List(
                vec![FetchAttribute::BodySection {
                    peek: true,
                    section: Default::default(),
                    partial: None,
                }]
                .into(),
            ),
            changed_since: None,
            vanished: false,
            partial: None,
        })
        .unwrap();
    let (mut body, mut completed, mut peak) = (0, 0, (0, 0));
    for _round in 0..10 {
        while let Some(bytes) = client.poll_transmit() {
            server.handle_input(&bytes);
        }
        while let Some(event) = server.poll_event().unwrap() {
            let (tag, fetch) = match event {
                ServerEvent::Login { tag, .. } => (tag.as_str().to_owned(), false),
                ServerEvent::Command(cmd) => (
                    cmd.tag.as_str().to_owned(),
                    matches!(cmd.body, CommandBody::Fetch { .. }),
                ),
                other => panic!("unexpected server event {other:?}"),
            };
            if fetch {
                server.start_fetch(1, &[]).unwrap();
                let literal = FetchLiteral::BodySection {
                    section: Default::default(),
                    origin: None,
                };
                server
                    .start_fetch_literal(&literal, msg.len() as u64)
                    .unwrap();
                for chunk in msg.chunks(READ) {
                    server.send_body(chunk).unwrap();
                }
                server.finish_fetch().unwrap();
            }
            server.complete(&tag, StatusKind::Ok, None, "done").unwrap();
        }
        peak.1 = peak.1.max(server.memory_usage());
        while let Some(bytes) = server.poll_transmit() {
            for p in bytes.chunks(64 * 1024) {
                client.handle_input(p);
                peak.0 = peak.0.max(client.memory_usage());
                while let Some(event) = client.poll_event().unwrap() {
                    match event {
                        ClientEvent::FetchBodyChunk(c) => body += c.len(),
                        ClientEvent::Completed { status, .. } => {
                            assert_eq!(status, StatusKind::Ok);
                            completed += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    assert_eq!(body, BODY_SIZE);
    assert_eq!(completed, 3);
    assert_eq!(client.state(), ClientState::Selected);
    (client, server, peak)
}

fn idle_memory() {
    let mut config = ServerConfig::default();
    config.plaintext_requires_tls = false;
    let fresh = (
        Client::new(ClientConfig::default()).memory_usage(),
        Server::new(config.clone()).memory_usage(),
    );
    let (client, server, peak) = idle_pair(Server::new(config.clone()));
    // A process sharing one configuration among its connections (the other
    // handle stands for the other connections).
    let shared = Arc::new(config);
    let fresh_shared = Server::with_shared_config(shared.clone()).memory_usage();
    let (_, shared_server, shared_peak) = idle_pair(Server::with_shared_config(shared.clone()));
    let verdict = |n: usize| if n < 1024 { "met" } else { "MISSED" };
    let idle = (
        client.memory_usage(),
        server.memory_usage(),
        shared_server.memory_usage(),
    );
    println!("idle_memory (memory_usage(): the machine plus its buffers; target < 1024 bytes):");
    println!(
        "  client:                    fresh {} B, peak {} B during the 1 MiB FETCH, idle after LOGIN+SELECT+FETCH {} B ({})",
        fresh.0,
        peak.0,
        idle.0,
        verdict(idle.0)
    );
    println!(
        "  server (own config):       fresh {} B, peak {} B during the 1 MiB FETCH, idle after LOGIN+SELECT+FETCH {} B ({})",
        fresh.1,
        peak.1,
        idle.1,
        verdict(idle.1)
    );
    println!(
        "  server with_shared_config: fresh {fresh_shared} B, peak {} B during the 1 MiB FETCH, idle after LOGIN+SELECT+FETCH {} B ({})",
        shared_peak.1,
        idle.2,
        verdict(idle.2)
    );
    println!("  target < 1024 bytes");
}

// ---------------------------------------------------------------------------

fn bench(c: &mut Criterion) {
    idle_memory();

    // (1) client
    let transcript = client_transcript();
    let fetch = parse_command(FETCH_COMMAND, &ParseOptions::default()).unwrap();
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    let label = |read: usize| {
        if read >= 1 << 20 {
            format!("{}MiB_reads", read >> 20)
        } else {
            format!("{}KiB_reads", read >> 10)
        }
    };
    assert_eq!(codec_reference(&transcript).0, MESSAGES);
    for read in [READ, BIG_READ] {
        let tracked = Mode {
            track: true,
            walk: true,
        };
        let run = client_session(&fetch, &transcript, read, tracked);
        check_client_run(&run, "client session");
        let peak = run.peak_memory;
        let (run, allocs) =
            counting_alloc::count(GLOBAL, || client_session(&fetch, &transcript, read, TIMED));
        check_client_run(&run, "client session (counted)");
        let events_only = Mode {
            track: false,
            walk: false,
        };
        let (run, bare) = counting_alloc::count(GLOBAL, || {
            client_session(&fetch, &transcript, read, events_only)
        });
        check_client_run(&run, "client session (events only)");
        println!(
            "client_fetch_session/{}: transcript {:.2} MiB, {MESSAGES} FETCH responses; \
             allocations per FETCH response {:.3} with the items walked ({allocs} per session), \
             {:.3} events only ({bare} per session); peak memory_usage {peak} B",
            label(read),
            mib(transcript.len()),
            allocs as f64 / MESSAGES as f64,
            bare as f64 / MESSAGES as f64,
        );
    }

    // (2) server
    let stream = command_stream(&MIX, COMMANDS);
    let answers = Answers::new();
    let mut out = Vec::new();
    let (completed, _, peak) = server_session(&stream, &answers, true, Some(&mut out));
    assert_eq!(completed, COMMANDS);
    // LOGIN's completion carries the new capabilities
    assert_eq!(count(&out, b"c0 OK [CAPABILITY "), 1);
    assert_eq!(count(&out, b" OK done\r\n"), COMMANDS - 1);
    assert_eq!(count(&out, b" BAD "), 0);
    assert_eq!(count(&out, b"* SEARCH "), COMMANDS / MIX.len());
    let ((completed, sent, _), allocs) =
        counting_alloc::count(GLOBAL, || server_session(&stream, &answers, false, None));
    assert_eq!(completed, COMMANDS);
    println!(
        "server_pipelined_commands/16KiB_reads: {COMMANDS} commands, {:.2} MiB in, {:.2} MiB out; \
         {allocs} allocations = {:.3} per command; peak memory_usage {peak} B",
        mib(stream.len()),
        mib(sent),
        allocs as f64 / COMMANDS as f64
    );
    // the same per command kind (10 000 of one kind after LOGIN + SELECT)
    let mut by_kind = String::from("  allocations per command by kind:");
    for cmd in MIX {
        let per = |n: usize| {
            let stream = command_stream(&[cmd], n);
            let ((completed, _, _), allocs) =
                counting_alloc::count(GLOBAL, || server_session(&stream, &answers, false, None));
            assert_eq!(completed, n);
            allocs
        };
        let (base, allocs) = (per(2), per(10_002));
        by_kind += &format!(
            " {}: {:.2};",
            cmd.replace("{n}", "n"),
            (allocs - base) as f64 / 10_000.0
        );
    }
    println!("{by_kind}");

    let mut g = c.benchmark_group("client_fetch_session");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(20);
    g.throughput(Throughput::ElementsAndBytes {
        elements: MESSAGES as u64,
        bytes: transcript.len() as u64,
    });
    g.bench_function("16KiB_reads", |b| {
        b.iter(|| black_box(client_session(&fetch, &transcript, READ, TIMED).touched))
    });
    g.bench_function("1MiB_reads", |b| {
        b.iter(|| black_box(client_session(&fetch, &transcript, BIG_READ, TIMED).touched))
    });
    g.bench_function("codec_reference_no_machine", |b| {
        b.iter(|| black_box(codec_reference(&transcript)))
    });
    g.finish();

    let mut g = c.benchmark_group("server_pipelined_commands");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.throughput(Throughput::ElementsAndBytes {
        elements: COMMANDS as u64,
        bytes: stream.len() as u64,
    });
    g.bench_function("16KiB_reads", |b| {
        b.iter(|| black_box(server_session(&stream, &answers, false, None).0))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
