//! Issue #19: the paths users take, on streams of the shapes, each
//! against its peer crate in the same criterion group. Every path is checked
//! by item count and checksum before anything is timed (the peer computes
//! the same checksum from its own values), and its allocations per item are
//! printed.
//!
//! Run the timings:
//! `cargo bench --bench paths -- --warm-up-time 1 --measurement-time 3`
//! (a filter after `--` picks groups, e.g. `smtp_commands`).
//!
//! Instruction counts: `benches/callgrind.sh` runs each path once under
//! callgrind through this binary's one-shot mode: with `MAILWIRE_PATH=<name>`
//! set, the binary builds the streams, runs that one path once inside
//! [`measured`] (the function callgrind collects) and prints
//! `<name> <items> <checksum> <allocations>`; `MAILWIRE_PATH=list` lists the
//! paths with their peers.
#![allow(missing_docs)]

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/dot_at_filing.rs"]
mod dot_at_filing;
#[path = "common/imap_data.rs"]
mod imap_data;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imap_codec::decode::Decoder;
use imap_data::{MIXED, envelope};
use mailwire::Limits;
use mailwire::error::LimitKind;
use mailwire::imap::{
    Address, AddressField, BodyExtension, BodyStructure, Client, ClientConfig, ClientEvent,
    Command, Data, Envelope, FetchItem, FetchVisitor, Frame, Framer, IString, List, Mailbox,
    MultiPart, NString, OwnedResponse, ParamsOf, ParseOptions, Response, SinglePart, Specific,
    parse_command as imap_parse_command, parse_response, parse_response_with,
};
use mailwire::smtp::{
    Command as SmtpCommand, ForwardPath, Parameter, ReplyFramer, ReversePath, parse_command,
    parse_reply,
};
use mailwire::wire::dot::{BodyPolicy, DotDecoder};
use mailwire::wire::line::{LineFinder, LinePolicy};

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

// ---------------------------------------------------------------------------
// Streams

const FETCHES: usize = 2000;
const LITERALS: usize = 200;
const IMAP_COMMANDS: usize = 10_000;
const SMTP_COMMANDS: usize = 20_000;
const REPLIES: usize = 10_000;
const READ: usize = 64 * 1024;

/// 2 000 FETCH responses: UID, FLAGS, RFC822.SIZE, INTERNALDATE, ENVELOPE
/// and a nested BODYSTRUCTURE (multipart/mixed with a multipart/alternative,
/// a PDF attachment and an inline image, with dispositions and parameters).
fn fetch_stream() -> Vec<u8> {
    let mut s = Vec::new();
    for i in 1..=FETCHES {
        s.extend_from_slice(
            format!(
                "* {i} FETCH (UID {} FLAGS (\\Seen $Forwarded) RFC822.SIZE {} INTERNALDATE \"{:02}-Jan-2024 10:00:00 +0100\" ENVELOPE {} BODYSTRUCTURE {})\r\n",
                1000 + i,
                230_000 + i,
                i % 28 + 1,
                envelope(i),
                MIXED
            )
            .as_bytes(),
        );
    }
    s
}

/// 200 FETCH responses with a 50 KiB BODY[] literal each.
fn literal_stream() -> Vec<u8> {
    let body: Vec<u8> =
        b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor.\r\n"
            .iter()
            .copied()
            .cycle()
            .take(50 * 1024)
            .collect();
    let mut s = Vec::new();
    for i in 1..=LITERALS {
        s.extend_from_slice(
            format!(
                "* {i} FETCH (UID {} BODY[] {{{}}}\r\n",
                5000 + i,
                body.len()
            )
            .as_bytes(),
        );
        s.extend_from_slice(&body);
        s.extend_from_slice(b")\r\n");
    }
    s
}

/// A desktop client's sync mix: UID FETCH of header fields, UID SEARCH with
/// OR/NOT/HEADER/dates, STORE, SELECT, STATUS, LIST, APPEND with a literal
/// (LITERAL+, so a command is one frame for both sides), NOOP.
fn imap_command_stream() -> Vec<u8> {
    let message = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: sent from the desktop client\r\nDate: Mon, 5 Feb 2024 10:00:00 +0100\r\nMessage-ID: <m-1@example.com>\r\n\r\nHello Bob,\r\nthe report is attached.\r\n";
    let cmds: [String; 10] = [
        "UID FETCH 4000:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)])".into(),
        "UID SEARCH OR FROM \"alice\" NOT HEADER \"X-Spam-Flag\" \"YES\" SINCE 1-Feb-2024 BEFORE 1-Mar-2024".into(),
        "UID STORE 4827 +FLAGS.SILENT (\\Seen \\Flagged)".into(),
        "SELECT INBOX".into(),
        "STATUS \"Sent Items\" (MESSAGES UIDNEXT UNSEEN)".into(),
        "LIST \"\" \"*\"".into(),
        format!(
            "APPEND \"Sent Items\" (\\Seen) \"05-Feb-2024 10:00:00 +0100\" {{{}+}}\r\n{message}",
            message.len()
        ),
        "UID FETCH 1:4000 (FLAGS) ".trim_end().into(),
        "UID SEARCH UNSEEN NOT DELETED HEADER \"List-Id\" \"project.lists.example.org\" SENTSINCE 1-Jan-2024".into(),
        "NOOP".into(),
    ];
    let mut s = Vec::new();
    for i in 0..IMAP_COMMANDS {
        s.extend_from_slice(format!("a{i} {}\r\n", cmds[i % cmds.len()]).as_bytes());
    }
    s
}

/// A tiny deterministic generator (the streams are the same on every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// 20 000 pipelined SMTP commands with DSN parameters: sessions of EHLO,
/// `MAIL FROM:<a> SIZE=n BODY=8BITMIME` (sometimes with SMTPUTF8 or
/// `RET=HDRS ENVID=...`, a null sender in 5 %), 1-3
/// `RCPT TO:<b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;<xtext>`, DATA, RSET,
/// NOOP, QUIT.
fn smtp_command_stream() -> Vec<u8> {
    let mut rng = Lcg(19);
    let mut lines: Vec<String> = Vec::new();
    let mut k = 0;
    while lines.len() < SMTP_COMMANDS {
        k += 1;
        lines.push(format!("EHLO client-{k}.mail.example.org"));
        let mut mail = if rng.next(100) < 5 {
            String::from("MAIL FROM:<>")
        } else {
            format!("MAIL FROM:<sender.{k}@example.org>")
        };
        mail += &format!(" SIZE={} BODY=8BITMIME", 1000 + rng.next(5_000_000));
        match rng.next(10) {
            0 => mail += " SMTPUTF8",
            1..=3 => mail += &format!(" RET=HDRS ENVID=QQ{k}+2Bmsg.example.org"),
            _ => {}
        }
        lines.push(mail);
        for j in 0..=rng.next(3) {
            lines.push(format!(
                "RCPT TO:<rcpt{j}.{k}@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt{j}.{k}+40example.net"
            ));
        }
        for c in ["DATA", "RSET", "NOOP", "QUIT"] {
            lines.push(c.into());
        }
    }
    lines.truncate(SMTP_COMMANDS);
    let mut s = Vec::new();
    for l in lines {
        s.extend_from_slice(l.as_bytes());
        s.extend_from_slice(b"\r\n");
    }
    s
}

/// 10 000 replies: single-line replies with enhanced codes and a 9-line EHLO
/// reply every tenth.
fn reply_stream() -> Vec<u8> {
    let ehlo = "250-mx.example.net Hello client-42.mail.example.org [192.0.2.42]\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n250-DSN\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n";
    let singles: [&str; 9] = [
        "220 mx.example.net ESMTP ready\r\n",
        "235 2.7.0 Authentication successful\r\n",
        "250 2.1.0 Sender OK\r\n",
        "250 2.1.5 Recipient OK\r\n",
        "550 5.1.1 <dave@example.net>: Recipient address rejected: User unknown\r\n",
        "354 End data with <CR><LF>.<CR><LF>\r\n",
        "250 2.0.0 Ok: queued as 4BxY7d0Qz9z1234\r\n",
        "250 2.0.0 OK\r\n",
        "221 2.0.0 Bye\r\n",
    ];
    let mut out = Vec::new();
    for i in 0..REPLIES {
        if i % 10 == 0 {
            out.extend_from_slice(ehlo.as_bytes());
        } else {
            out.extend_from_slice(singles[i % singles.len()].as_bytes());
        }
    }
    out
}

/// A 10 MiB dot-stuffed body ending with the terminator.
fn data_stream() -> Vec<u8> {
    let size = 10 << 20;
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(
        b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: report\r\n\r\n",
    );
    let mut n = 0u32;
    while out.len() < size {
        n += 1;
        if n % 50 == 0 {
            out.extend_from_slice(
                b"..a line that began with a dot and was stuffed by the sender\r\n",
            );
        } else {
            out.extend_from_slice(
                b"Lorem ipsum dolor sit amet. Consectetur adipiscing elit, sed do eiusmod. T\r\n",
            );
        }
    }
    out.extend_from_slice(b".\r\n");
    out
}

struct Streams {
    fetch: Vec<u8>,
    literals: Vec<u8>,
    imap_commands: Vec<u8>,
    smtp_commands: Vec<u8>,
    replies: Vec<u8>,
    data: Vec<u8>,
    /// The client's view: greeting, LOGIN and SELECT completions, the FETCH
    /// stream, the UID FETCH completion.
    transcript: Vec<u8>,
}

impl Streams {
    fn new() -> Streams {
        let fetch = fetch_stream();
        let mut transcript = b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\nA0001 OK Logged in\r\nA0002 OK [READ-WRITE] Select completed\r\n".to_vec();
        transcript.extend_from_slice(&fetch);
        transcript.extend_from_slice(b"A0003 OK Fetch completed\r\n");
        Streams {
            literals: literal_stream(),
            imap_commands: imap_command_stream(),
            smtp_commands: smtp_command_stream(),
            replies: reply_stream(),
            data: data_stream(),
            transcript,
            fetch,
        }
    }
}

// ---------------------------------------------------------------------------
// What each path reads: a checksum both sides compute from their own values

fn ns(s: &NString<'_>) -> usize {
    s.as_ref().map_or(0, |s| s.as_bytes().len())
}
fn is(s: &IString<'_>) -> usize {
    s.as_bytes().len()
}

/// Every field of an envelope, every field of every address.
fn env_fields(e: &Envelope<'_>) -> usize {
    let mut n = ns(&e.date) + ns(&e.subject) + ns(&e.in_reply_to) + ns(&e.message_id);
    for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        for a in l.iter() {
            n += addr_fields(&a);
        }
    }
    n
}
fn addr_fields(a: &Address<'_>) -> usize {
    ns(&a.name) + ns(&a.adl) + ns(&a.mailbox) + ns(&a.host)
}

fn params_fields(p: &Option<List<'_, (IString<'_>, NString<'_>)>>) -> usize {
    p.as_ref()
        .map_or(0, |p| p.iter().map(|(k, v)| is(&k) + ns(&v)).sum())
}

/// The extension fields but the parameters of a disposition (a visitor
/// gets those as `param` events).
fn ext_fields(e: &BodyExtension<'_>) -> usize {
    let mut n = 0;
    if let Some(Some(d)) = &e.disposition {
        n += is(&d.kind);
    }
    if let Some(Some(l)) = &e.language {
        n += l.iter().map(|s| is(&s)).sum::<usize>();
    }
    if let Some(l) = &e.location {
        n += ns(l);
    }
    n + e.extensions.as_ref().map_or(0, |x| x.len())
}
fn dsp_params(e: &BodyExtension<'_>) -> usize {
    match &e.disposition {
        Some(Some(d)) => params_fields(&d.params),
        _ => 0,
    }
}

/// The fields of a single part that are not lists (its parameters and
/// disposition parameters are counted apart).
fn part_fields(s: &SinglePart<'_>) -> usize {
    let mut n = is(&s.media_type)
        + is(&s.subtype)
        + ns(&s.id)
        + ns(&s.description)
        + is(&s.encoding)
        + s.size as usize
        + s.md5.as_ref().map_or(0, ns)
        + ext_fields(&s.ext);
    match &s.specific {
        Specific::Text { lines } | Specific::Message { lines, .. } => n += *lines as usize,
        _ => {}
    }
    n
}
fn multi_fields(m: &MultiPart<'_>) -> usize {
    is(&m.subtype) + ext_fields(&m.ext)
}

/// Every field of a body structure, read through the lazy API.
fn body_fields(b: &BodyStructure<'_>) -> usize {
    match b {
        BodyStructure::Single(s) => {
            let mut n = part_fields(s) + params_fields(&s.params) + dsp_params(&s.ext);
            if let Specific::Message { envelope, body, .. } = &s.specific {
                n += env_fields(&envelope.get()) + body_fields(&body.get());
            }
            n
        }
        BodyStructure::Multi(m) => {
            m.parts.iter().map(|p| body_fields(&p)).sum::<usize>()
                + multi_fields(m)
                + m.params.as_ref().map_or(0, params_fields)
                + dsp_params(&m.ext)
        }
    }
}

/// The lazy API reading every field of a FETCH response.
fn fetch_fields(items: &List<'_, FetchItem<'_>>) -> usize {
    items.iter().map(item_fields).sum()
}

/// Every field of one item.
fn item_fields(it: FetchItem<'_>) -> usize {
    match it {
        FetchItem::Uid(u) => u as usize,
        FetchItem::Rfc822Size(n) => n as usize,
        FetchItem::Flags(f) => f.iter().map(|f| f.wire_name().len()).sum(),
        FetchItem::InternalDate(d) => usize::from(black_box(&d).date.day),
        FetchItem::Envelope(e) => env_fields(&e),
        FetchItem::BodyStructure(b) => body_fields(&b),
        FetchItem::BodySection { data, .. } => ns(&data),
        _ => 1,
    }
}

/// UID and RFC822.SIZE only.
fn fetch_uid_size(items: &List<'_, FetchItem<'_>>) -> usize {
    let mut acc = 0;
    for it in items.iter() {
        match it {
            FetchItem::Uid(u) => acc += u as usize,
            FetchItem::Rfc822Size(n) => acc += n as usize,
            _ => {}
        }
    }
    acc
}

/// The same fields as [`fetch_fields`], delivered by the validating pass.
#[derive(Default)]
struct FieldVisitor {
    acc: usize,
}

impl<'a> FetchVisitor<'a> for FieldVisitor {
    fn item(&mut self, item: FetchItem<'a>) {
        self.acc += match item {
            FetchItem::Uid(u) => u as usize,
            FetchItem::Rfc822Size(n) => n as usize,
            FetchItem::Flags(f) => f.iter().map(|f| f.wire_name().len()).sum(),
            FetchItem::InternalDate(d) => usize::from(black_box(&d).date.day),
            // the addresses, parts and parameters came as events
            FetchItem::Envelope(_) | FetchItem::BodyStructure(_) => 0,
            FetchItem::BodySection { data, .. } => ns(&data),
            _ => 1,
        };
    }
    fn address(&mut self, _: AddressField, a: Address<'a>) {
        self.acc += addr_fields(&a);
    }
    fn envelope(&mut self, e: &Envelope<'a>) {
        self.acc += ns(&e.date) + ns(&e.subject) + ns(&e.in_reply_to) + ns(&e.message_id);
    }
    fn param(&mut self, _: ParamsOf, k: IString<'a>, v: NString<'a>) {
        self.acc += is(&k) + ns(&v);
    }
    fn part(&mut self, s: &SinglePart<'a>) {
        self.acc += part_fields(s);
    }
    fn multipart_end(&mut self, m: &MultiPart<'a>) {
        self.acc += multi_fields(m);
    }
}

// imap-proto's side of the same checksums.

fn pc(s: &Option<std::borrow::Cow<'_, str>>) -> usize {
    s.as_ref().map_or(0, |s| s.len())
}
fn pb(s: &Option<std::borrow::Cow<'_, [u8]>>) -> usize {
    s.as_ref().map_or(0, |s| s.len())
}
fn proto_env(e: &imap_proto::Envelope<'_>) -> usize {
    let mut n = pb(&e.date) + pb(&e.subject) + pb(&e.in_reply_to) + pb(&e.message_id);
    for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc]
        .into_iter()
        .flatten()
    {
        for a in l {
            n += pb(&a.name) + pb(&a.adl) + pb(&a.mailbox) + pb(&a.host);
        }
    }
    n
}
fn proto_params(p: &imap_proto::BodyParams<'_>) -> usize {
    p.as_ref()
        .map_or(0, |p| p.iter().map(|(k, v)| k.len() + v.len()).sum())
}
fn proto_common(c: &imap_proto::BodyContentCommon<'_>, multi: bool) -> usize {
    // a multipart's media type is implied (imap-proto fills in "MULTIPART")
    let ty = if multi { 0 } else { c.ty.ty.len() };
    ty + c.ty.subtype.len()
        + proto_params(&c.ty.params)
        + c.disposition
            .as_ref()
            .map_or(0, |d| d.ty.len() + proto_params(&d.params))
        + c.language
            .as_ref()
            .map_or(0, |l| l.iter().map(|s| s.len()).sum())
        + pc(&c.location)
}
fn proto_single(o: &imap_proto::BodyContentSinglePart<'_>) -> usize {
    use imap_proto::ContentEncoding as C;
    let enc = match &o.transfer_encoding {
        C::SevenBit | C::EightBit => 4,
        C::Binary | C::Base64 => 6,
        C::QuotedPrintable => 16,
        C::Other(s) => s.len(),
    };
    pc(&o.id) + pc(&o.description) + pc(&o.md5) + enc + o.octets as usize
}
fn proto_body(b: &imap_proto::BodyStructure<'_>) -> usize {
    use imap_proto::BodyStructure as B;
    match b {
        B::Basic { common, other, .. } => proto_common(common, false) + proto_single(other),
        B::Text {
            common,
            other,
            lines,
            ..
        } => proto_common(common, false) + proto_single(other) + *lines as usize,
        B::Message {
            common,
            other,
            envelope,
            body,
            lines,
            ..
        } => {
            proto_common(common, false)
                + proto_single(other)
                + proto_env(envelope)
                + proto_body(body)
                + *lines as usize
        }
        B::Multipart { common, bodies, .. } => {
            proto_common(common, true) + bodies.iter().map(proto_body).sum::<usize>()
        }
    }
}
fn proto_flags(f: &[std::borrow::Cow<'_, str>]) -> usize {
    f.iter().map(|f| f.len()).sum()
}

// ---------------------------------------------------------------------------
// The paths. Each returns (items, checksum).

type Path = fn(&Streams) -> (usize, usize);

/// Each frame of a response stream, as the `Framer` finds it; the count.
fn frames<'s>(stream: &'s [u8], mut f: impl FnMut(&'s [u8])) -> usize {
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
    let (mut pos, mut n) = (0, 0);
    while pos < stream.len() {
        let Frame::Complete(len) = framer.find(&stream[pos..]).unwrap() else {
            panic!("incomplete frame")
        };
        f(&stream[pos..pos + len]);
        n += 1;
        pos += len;
    }
    n
}

fn responses<'s>(stream: &'s [u8], mut f: impl FnMut(Response<'s>)) -> usize {
    let opts = ParseOptions::default();
    frames(stream, |frame| f(parse_response(frame, &opts).unwrap()))
}

fn mw_uid_size(s: &Streams) -> (usize, usize) {
    let mut acc = 0;
    let n = responses(&s.fetch, |r| {
        if let Response::Data(Data::Fetch { items, .. }) = r {
            acc += fetch_uid_size(&items);
        }
    });
    (n, acc)
}

fn mw_lazy_fields(s: &Streams) -> (usize, usize) {
    let mut acc = 0;
    let n = responses(&s.fetch, |r| {
        if let Response::Data(Data::Fetch { items, .. }) = r {
            acc += fetch_fields(&items);
        }
    });
    (n, acc)
}

/// The lazy API with the items taken by value (`for item in items`), as code
/// that owns the response writes it: the items are moved out, not cloned.
fn mw_lazy_fields_by_value(s: &Streams) -> (usize, usize) {
    let mut acc = 0;
    let n = responses(&s.fetch, |r| {
        if let Response::Data(Data::Fetch { items, .. }) = r {
            for it in items {
                acc += item_fields(it);
            }
        }
    });
    (n, acc)
}

fn mw_visitor_fields(s: &Streams) -> (usize, usize) {
    let opts = ParseOptions::default();
    let mut v = FieldVisitor::default();
    let n = frames(&s.fetch, |frame| {
        parse_response_with(frame, &opts, &mut v).unwrap();
    });
    (n, v.acc)
}

fn mw_owned(stream: &[u8]) -> (usize, usize) {
    let mut acc = 0;
    let n = responses(stream, |r| {
        let r: Response<'static> = r.into_owned();
        if let Response::Data(Data::Fetch { items, .. }) = &r {
            acc += uid_size_body(items);
        }
        black_box(&r);
    });
    (n, acc)
}

/// UID, RFC822.SIZE and the BODY[] bytes of a FETCH response's items.
fn uid_size_body(items: &List<'_, FetchItem<'_>>) -> usize {
    let mut acc = 0;
    for it in items.iter() {
        match it {
            FetchItem::Uid(u) => acc += u as usize,
            FetchItem::Rfc822Size(n) => acc += n as usize,
            FetchItem::BodySection { data, .. } => acc += ns(&data),
            _ => {}
        }
    }
    acc
}

/// Each frame kept as an [`OwnedResponse`] (its bytes copied once into a
/// shared buffer), then read through `get()`.
fn mw_shared(stream: &[u8]) -> (usize, usize) {
    let opts = ParseOptions::default();
    let mut acc = 0;
    let n = frames(stream, |frame| {
        let owned = OwnedResponse::copy_from(frame, &opts).unwrap();
        if let Response::Data(Data::Fetch { items, .. }) = owned.get() {
            acc += uid_size_body(&items);
        }
        black_box(&owned);
    });
    (n, acc)
}

fn mw_shared_fetch(s: &Streams) -> (usize, usize) {
    mw_shared(&s.fetch)
}
fn mw_shared_literals(s: &Streams) -> (usize, usize) {
    mw_shared(&s.literals)
}

fn mw_owned_fetch(s: &Streams) -> (usize, usize) {
    mw_owned(&s.fetch)
}
fn mw_owned_literals(s: &Streams) -> (usize, usize) {
    mw_owned(&s.literals)
}

fn mw_literals(s: &Streams) -> (usize, usize) {
    let mut acc = 0;
    let n = responses(&s.literals, |r| {
        if let Response::Data(Data::Fetch { items, .. }) = r {
            for it in items.iter() {
                match it {
                    FetchItem::Uid(u) => acc += u as usize,
                    FetchItem::BodySection { data, .. } => acc += ns(&data),
                    _ => {}
                }
            }
        }
    });
    (n, acc)
}

/// The client machine fed 64 KiB reads, reading UID and RFC822.SIZE from the
/// borrowed events.
fn mw_client(s: &Streams) -> (usize, usize) {
    let mut client = Client::new(ClientConfig::default());
    client.login("alice", "secret").unwrap();
    client.select(Mailbox::Inbox).unwrap();
    let fetch = imap_parse_command(
        b"x UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)\r\n",
        &ParseOptions::default(),
    )
    .unwrap();
    client.send(fetch.body).unwrap();
    let (mut n, mut acc, mut done) = (0, 0, 0);
    for piece in s.transcript.chunks(READ) {
        client.handle_input(piece);
        while let Some(event) = client.poll_event().unwrap() {
            match event {
                ClientEvent::Data {
                    data: Data::Fetch { items, .. },
                    ..
                } => {
                    n += 1;
                    acc += fetch_uid_size(&items);
                }
                ClientEvent::Completed { .. } => done += 1,
                ClientEvent::MalformedResponse { .. } => panic!("malformed"),
                _ => {}
            }
        }
        while let Some(out) = client.poll_transmit() {
            black_box(out);
        }
    }
    assert_eq!(done, 3);
    (n, acc)
}

fn proto_uid_size_of(attrs: &[imap_proto::AttributeValue<'_>]) -> usize {
    use imap_proto::AttributeValue as A;
    attrs
        .iter()
        .map(|a| match a {
            A::Uid(u) => *u as usize,
            A::Rfc822Size(n) => *n as usize,
            _ => 0,
        })
        .sum()
}

fn proto_parse(stream: &[u8], mut f: impl FnMut(&imap_proto::Response<'_>)) -> usize {
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        let (r, resp) = imap_proto::Response::parse(rest).unwrap();
        f(&resp);
        n += 1;
        rest = r;
    }
    n
}

/// imap-proto's parse, reading UID and RFC822.SIZE.
fn proto_uid_size(s: &Streams) -> (usize, usize) {
    let mut acc = 0;
    let n = proto_parse(&s.fetch, |r| {
        if let imap_proto::Response::Fetch(_, attrs) = r {
            acc += proto_uid_size_of(attrs);
        }
    });
    (n, acc)
}

/// imap-proto's parse, reading every field.
fn proto_fields(s: &Streams) -> (usize, usize) {
    use imap_proto::AttributeValue as A;
    let mut acc = 0;
    let n = proto_parse(&s.fetch, |r| {
        if let imap_proto::Response::Fetch(_, attrs) = r {
            for a in attrs {
                acc += match a {
                    A::Uid(u) => *u as usize,
                    A::Rfc822Size(n) => *n as usize,
                    A::Flags(f) => proto_flags(f),
                    A::InternalDate(d) => d[..2].trim_start_matches(' ').parse::<usize>().unwrap(),
                    A::Envelope(e) => proto_env(e),
                    A::BodyStructure(b) => proto_body(b),
                    A::BodySection { data, .. } => pb(data),
                    _ => 1,
                };
            }
        }
    });
    (n, acc)
}

fn proto_literals(s: &Streams) -> (usize, usize) {
    use imap_proto::AttributeValue as A;
    let mut acc = 0;
    let n = proto_parse(&s.literals, |r| {
        if let imap_proto::Response::Fetch(_, attrs) = r {
            for a in attrs {
                match a {
                    A::Uid(u) => acc += *u as usize,
                    A::BodySection { data, .. } => acc += pb(data),
                    _ => {}
                }
            }
        }
    });
    (n, acc)
}

fn codec_uid_size_of(items: &[imap_codec::imap_types::fetch::MessageDataItem<'_>]) -> usize {
    use imap_codec::imap_types::fetch::MessageDataItem as M;
    items
        .iter()
        .map(|a| match a {
            M::Uid(u) => u.get() as usize,
            M::Rfc822Size(n) => *n as usize,
            _ => 0,
        })
        .sum()
}

fn codec_fetch_uid_size(r: &imap_codec::imap_types::response::Response<'_>) -> usize {
    use imap_codec::imap_types::response::{Data as D, Response as R};
    match r {
        R::Data(D::Fetch { items, .. }) => codec_uid_size_of(items.as_ref()),
        _ => 0,
    }
}

/// imap-codec's `decode` over the buffer (borrowed values).
fn codec_decode(s: &Streams) -> (usize, usize) {
    let codec = imap_codec::ResponseCodec::default();
    let mut rest = &s.fetch[..];
    let (mut n, mut acc) = (0, 0);
    while !rest.is_empty() {
        let (r, resp) = codec.decode(rest).unwrap();
        acc += codec_fetch_uid_size(&resp);
        n += 1;
        rest = r;
    }
    (n, acc)
}

/// imap-codec's stream path: the `Fragmentizer` fed 64 KiB reads, each
/// complete message decoded and made `'static` (what a client keeps).
fn codec_fragmentizer(s: &Streams) -> (usize, usize) {
    use imap_codec::fragmentizer::Fragmentizer;
    use imap_codec::imap_types::IntoStatic;
    let codec = imap_codec::ResponseCodec::default();
    let mut f = Fragmentizer::without_max_message_size();
    let (mut n, mut acc) = (0, 0);
    let mut reads = s.fetch.chunks(READ);
    loop {
        match f.progress() {
            Some(_) => {
                if f.is_message_complete() {
                    let r = f.decode_message(&codec).unwrap().into_static();
                    acc += codec_fetch_uid_size(&r);
                    n += 1;
                }
            }
            None => match reads.next() {
                Some(piece) => f.enqueue_bytes(piece),
                None => break,
            },
        }
    }
    (n, acc)
}

fn mw_imap_commands(s: &Streams) -> (usize, usize) {
    let opts = ParseOptions::default();
    let stream = &s.imap_commands;
    let mut framer = Framer::for_commands(&Limits::default(), LinePolicy::STRICT);
    let (mut pos, mut n, mut acc) = (0, 0, 0);
    while pos < stream.len() {
        let Frame::Complete(len) = framer.find(&stream[pos..]).unwrap() else {
            panic!("incomplete command")
        };
        let c: Command<'_> = imap_parse_command(&stream[pos..pos + len], &opts).unwrap();
        acc += c.tag.as_str().len();
        black_box(&c);
        n += 1;
        pos += len;
    }
    (n, acc)
}

fn codec_imap_commands(s: &Streams) -> (usize, usize) {
    let codec = imap_codec::CommandCodec::default();
    let mut rest = &s.imap_commands[..];
    let (mut n, mut acc) = (0, 0);
    while !rest.is_empty() {
        let (r, c) = codec.decode(rest).unwrap();
        acc += c.tag.inner().len();
        black_box(&c);
        n += 1;
        rest = r;
    }
    (n, acc)
}

/// Both SMTP sides: the command kind, the address length, SIZE, the DSN and
/// BODY flags set, ENVID and ORCPT present.
fn mw_smtp_commands(s: &Streams) -> (usize, usize) {
    let buf = &s.smtp_commands;
    let limits = Limits::default();
    let mut lines = LineFinder::new(
        limits.command_line,
        LimitKind::CommandLine,
        LinePolicy::STRICT,
    );
    let (mut pos, mut n, mut acc) = (0, 0, 0);
    while let Ok(Some(line)) = lines.find(&buf[pos..]) {
        let cmd = parse_command(line.content(&buf[pos..])).unwrap();
        let params = match &cmd {
            SmtpCommand::Ehlo { .. } => {
                acc += 2;
                None
            }
            SmtpCommand::Mail {
                reverse_path,
                parameters,
            } => {
                acc += 3;
                if let ReversePath::Mailbox(m) = reverse_path {
                    acc += m.local_part.len() + 1 + host_len(&m.host);
                }
                Some(parameters)
            }
            SmtpCommand::Rcpt {
                forward_path,
                parameters,
            } => {
                acc += 4;
                if let ForwardPath::Mailbox(m) = forward_path {
                    acc += m.local_part.len() + 1 + host_len(&m.host);
                }
                Some(parameters)
            }
            _ => {
                acc += 5;
                None
            }
        };
        // Every parameter, as a user reads them: `for p in parameters`.
        // (`params.into_iter().flatten()` reads the same parameters through
        // `Flatten`'s adapter, about 90 instructions more per command; see
        // benches/README.md, session 10.)
        if let Some(params) = params {
            for p in params {
                acc += match p {
                    Parameter::Size(n) => n as usize,
                    Parameter::Body(_) | Parameter::SmtpUtf8 | Parameter::Ret(_) => 1,
                    Parameter::EnvId(x) => black_box(x).as_encoded().len().min(1),
                    Parameter::Notify(f) => {
                        usize::from(f.success) + usize::from(f.failure) + usize::from(f.delay)
                    }
                    Parameter::Orcpt { address, .. } => {
                        black_box(address).as_encoded().len().min(1)
                    }
                    _ => 1000,
                };
            }
        }
        pos += line.consumed;
        n += 1;
    }
    (n, acc)
}

fn host_len(h: &mailwire::smtp::Host<'_>) -> usize {
    match h {
        mailwire::smtp::Host::Domain(d) => d.len(),
        other => other.to_string().len(),
    }
}

fn proto_smtp_commands(s: &Streams) -> (usize, usize) {
    use smtp_proto::Request as Q;
    let mut it = s.smtp_commands.iter();
    let (mut n, mut acc) = (0, 0);
    while it.len() > 0 {
        let r = Q::parse(&mut it).unwrap();
        acc += match &r {
            Q::Ehlo { .. } => 2,
            Q::Mail { from } => {
                let f = from.flags;
                3 + from.address.len()
                    + from.size
                    + (f & (smtp_proto::MAIL_BODY_8BITMIME
                        | smtp_proto::MAIL_BODY_7BIT
                        | smtp_proto::MAIL_BODY_BINARYMIME))
                        .count_ones() as usize
                    + (f & (smtp_proto::MAIL_RET_HDRS | smtp_proto::MAIL_RET_FULL)).count_ones()
                        as usize
                    + (f & smtp_proto::MAIL_SMTPUTF8).count_ones() as usize
                    + from.env_id.as_ref().map_or(0, |e| e.len().min(1))
            }
            Q::Rcpt { to } => {
                let f = to.flags;
                4 + to.address.len()
                    + (f & (smtp_proto::RCPT_NOTIFY_SUCCESS
                        | smtp_proto::RCPT_NOTIFY_FAILURE
                        | smtp_proto::RCPT_NOTIFY_DELAY))
                        .count_ones() as usize
                    + to.orcpt.as_ref().map_or(0, |o| o.len().min(1))
            }
            _ => 5,
        };
        black_box(&r);
        n += 1;
    }
    (n, acc)
}

fn mw_replies(s: &Streams) -> (usize, usize) {
    let buf = &s.replies;
    let mut framer = ReplyFramer::new(&Limits::default(), LinePolicy::STRICT);
    let (mut pos, mut n, mut acc) = (0, 0, 0);
    while let Ok(Some(len)) = framer.find(&buf[pos..]) {
        let r = parse_reply(&buf[pos..pos + len]).unwrap();
        acc += usize::from(r.code().get());
        black_box(&r);
        pos += len;
        n += 1;
    }
    (n, acc)
}

fn proto_replies(s: &Streams) -> (usize, usize) {
    let mut it = s.replies.iter();
    let mut rx = smtp_proto::response::parser::ResponseReceiver::default();
    let (mut n, mut acc) = (0, 0);
    while it.len() > 0 {
        let r = rx.parse(&mut it).unwrap();
        acc += usize::from(r.code);
        black_box(&r);
        rx.reset();
        n += 1;
    }
    (n, acc)
}

/// Unstuffing in 64 KiB reads; the item is the body, the checksum the bytes out.
fn mw_data(s: &Streams) -> (usize, usize) {
    mw_data_with(s, BodyPolicy::Strict)
}

/// The same under `KeepBare`: a bare CR or LF is kept as content instead of
/// refused, which is the job smtp-proto does (it has no bare check); the end is
/// still only a real `CRLF . CRLF`.
fn mw_data_keep_bare(s: &Streams) -> (usize, usize) {
    mw_data_with(s, BodyPolicy::KeepBare)
}

/// The strict decoder of `33908b0`, when issue #19 was filed (reference).
fn filing_data(s: &Streams) -> (usize, usize) {
    let mut dec = dot_at_filing::FilingDecoder::new();
    reads(&s.data, |chunk| {
        let st = dec.decode(chunk).unwrap();
        (black_box(st.data).len(), st.consumed, st.end)
    })
}

/// Reference, not a decoder: each 64 KiB read copied into one reused buffer
/// (the copy smtp-proto makes, without its search).
fn memcpy_data(s: &Streams) -> (usize, usize) {
    let mut buf = vec![0u8; READ];
    let mut out = 0;
    for piece in s.data.chunks(READ) {
        buf[..piece.len()].copy_from_slice(piece);
        out += black_box(&buf[..piece.len()]).len();
    }
    (1, out)
}

fn mw_data_with(s: &Streams, policy: BodyPolicy) -> (usize, usize) {
    let mut dec = DotDecoder::new(policy);
    reads(&s.data, |chunk| {
        let st = dec.decode(chunk).unwrap();
        (black_box(st.data).len(), st.consumed, st.end)
    })
}

/// Feeds a decoder `input` in 64 KiB reads: `step` decodes the unconsumed
/// bytes it is given and says how many body bytes came out, how many input
/// bytes it used and whether the body ended; the rest of a read is given
/// again with the next one, as a machine's buffer would keep it.
#[inline(always)]
fn reads(input: &[u8], mut step: impl FnMut(&[u8]) -> (usize, usize, bool)) -> (usize, usize) {
    let (mut pos, mut out) = (0, 0);
    let mut end = READ.min(input.len());
    loop {
        let (data, consumed, done) = step(&input[pos..end]);
        out += data;
        pos += consumed;
        if done {
            break;
        }
        if consumed == 0 || pos == end {
            end = (end + READ).min(input.len());
        }
    }
    (1, out)
}

fn proto_data(s: &Streams) -> (usize, usize) {
    let mut rx = smtp_proto::request::receiver::DataReceiver::new();
    let mut out = Vec::with_capacity(s.data.len());
    let mut total = 0;
    for piece in s.data.chunks(READ) {
        let mut it = piece.iter();
        let done = rx.ingest(&mut it, &mut out);
        total += out.len();
        black_box(&out);
        out.clear();
        if done {
            break;
        }
    }
    (1, total)
}

/// Every path: (name, function, the peer it is compared with, items per run,
/// the checksum offset from the peer's: imap-proto keeps the two escapes of
/// each subject's `\"draft\"`).
const PATHS: &[(&str, Path, &str)] = &[
    (
        "fetch-uid-size/mailwire",
        mw_uid_size,
        "fetch-uid-size/imap-proto",
    ),
    ("fetch-uid-size/imap-proto", proto_uid_size, ""),
    (
        "fetch-fields/mailwire-lazy",
        mw_lazy_fields,
        "fetch-fields/imap-proto",
    ),
    (
        "fetch-fields/mailwire-lazy-by-value",
        mw_lazy_fields_by_value,
        "fetch-fields/imap-proto",
    ),
    (
        "fetch-fields/mailwire-visitor",
        mw_visitor_fields,
        "fetch-fields/imap-proto",
    ),
    ("fetch-fields/imap-proto", proto_fields, ""),
    (
        "fetch-client/mailwire",
        mw_client,
        "fetch-client/imap-codec-fragmentizer",
    ),
    (
        "fetch-client/imap-codec-fragmentizer",
        codec_fragmentizer,
        "",
    ),
    ("fetch-client/imap-codec-decode", codec_decode, ""),
    (
        "fetch-owned/mailwire-shared",
        mw_shared_fetch,
        "fetch-uid-size/imap-proto",
    ),
    (
        "fetch-owned/mailwire-into-owned",
        mw_owned_fetch,
        "fetch-uid-size/imap-proto",
    ),
    ("literals/mailwire", mw_literals, "literals/imap-proto"),
    (
        "literals/mailwire-shared",
        mw_shared_literals,
        "literals/imap-proto",
    ),
    (
        "literals/mailwire-into-owned",
        mw_owned_literals,
        "literals/imap-proto",
    ),
    ("literals/imap-proto", proto_literals, ""),
    (
        "imap-commands/mailwire",
        mw_imap_commands,
        "imap-commands/imap-codec",
    ),
    ("imap-commands/imap-codec", codec_imap_commands, ""),
    (
        "smtp-commands/mailwire",
        mw_smtp_commands,
        "smtp-commands/smtp-proto",
    ),
    ("smtp-commands/smtp-proto", proto_smtp_commands, ""),
    (
        "smtp-replies/mailwire",
        mw_replies,
        "smtp-replies/smtp-proto",
    ),
    ("smtp-replies/smtp-proto", proto_replies, ""),
    ("data-10mib/mailwire", mw_data, "data-10mib/smtp-proto"),
    (
        "data-10mib/mailwire-keep-bare",
        mw_data_keep_bare,
        "data-10mib/smtp-proto",
    ),
    (
        "data-10mib/mailwire-at-filing",
        filing_data,
        "data-10mib/smtp-proto",
    ),
    ("data-10mib/smtp-proto", proto_data, ""),
    ("data-10mib/memcpy", memcpy_data, ""),
];

fn path(name: &str) -> Path {
    PATHS
        .iter()
        .find(|p| p.0 == name)
        .unwrap_or_else(|| panic!("no path {name}"))
        .1
}

/// The expected items of each stream.
fn expected_items(name: &str) -> usize {
    match name.split('/').next().unwrap() {
        "fetch-uid-size" | "fetch-fields" | "fetch-client" | "fetch-owned" => FETCHES,
        "literals" => LITERALS,
        "imap-commands" => IMAP_COMMANDS,
        "smtp-commands" => SMTP_COMMANDS,
        "smtp-replies" => REPLIES,
        // one 10 MiB body
        _ => 1,
    }
}

/// Runs every path once, checks its item count, and that mailwire and the
/// peer agree on the checksum.
fn check(s: &Streams) {
    let sums: Vec<(usize, usize)> = PATHS.iter().map(|p| (p.1)(s)).collect();
    let sum = |name: &str| sums[PATHS.iter().position(|p| p.0 == name).unwrap()];
    for (i, (name, _, _)) in PATHS.iter().enumerate() {
        assert_eq!(sums[i].0, expected_items(name), "{name}: items");
    }
    let escapes = 2 * FETCHES;
    assert_eq!(
        sum("fetch-uid-size/mailwire"),
        sum("fetch-uid-size/imap-proto")
    );
    assert_eq!(sum("fetch-uid-size/mailwire"), sum("fetch-client/mailwire"));
    assert_eq!(
        sum("fetch-uid-size/mailwire"),
        sum("fetch-client/imap-codec-fragmentizer")
    );
    assert_eq!(
        sum("fetch-uid-size/mailwire"),
        sum("fetch-client/imap-codec-decode")
    );
    assert_eq!(
        sum("fetch-uid-size/mailwire"),
        sum("fetch-owned/mailwire-shared")
    );
    assert_eq!(
        sum("fetch-uid-size/mailwire"),
        sum("fetch-owned/mailwire-into-owned")
    );
    assert_eq!(
        sum("fetch-fields/mailwire-lazy").1 + escapes,
        sum("fetch-fields/imap-proto").1
    );
    assert_eq!(
        sum("fetch-fields/mailwire-lazy"),
        sum("fetch-fields/mailwire-visitor")
    );
    assert_eq!(
        sum("fetch-fields/mailwire-lazy"),
        sum("fetch-fields/mailwire-lazy-by-value")
    );
    assert_eq!(sum("literals/mailwire"), sum("literals/imap-proto"));
    assert_eq!(sum("literals/mailwire-shared"), sum("literals/imap-proto"));
    assert_eq!(
        sum("literals/mailwire-into-owned"),
        sum("literals/imap-proto")
    );
    assert_eq!(
        sum("imap-commands/mailwire"),
        sum("imap-commands/imap-codec")
    );
    assert_eq!(
        sum("smtp-commands/mailwire"),
        sum("smtp-commands/smtp-proto")
    );
    assert_eq!(sum("smtp-replies/mailwire"), sum("smtp-replies/smtp-proto"));
    for name in [
        "data-10mib/mailwire-keep-bare",
        "data-10mib/mailwire-at-filing",
        "data-10mib/smtp-proto",
    ] {
        assert_eq!(sum("data-10mib/mailwire").1, sum(name).1, "{name}");
    }
}

/// The one function callgrind collects (`--toggle-collect=*measured*`).
#[inline(never)]
fn measured(p: Path, s: &Streams) -> (usize, usize) {
    p(black_box(s))
}

fn one_shot(name: &str) {
    if name == "list" {
        for (name, _, peer) in PATHS {
            println!("{name} {peer}");
        }
        return;
    }
    let s = Streams::new();
    let p = path(name);
    // once outside, so that lazily set-up state is not counted
    let warm = p(&s);
    let ((items, sum), allocs) = counting_alloc::count(GLOBAL, || measured(p, &s));
    assert_eq!((items, sum), warm);
    assert_eq!(items, expected_items(name), "{name}: items");
    println!("{name} {items} {sum} {allocs}");
}

fn bench(c: &mut Criterion) {
    if let Ok(name) = std::env::var("MAILWIRE_PATH") {
        one_shot(&name);
        std::process::exit(0);
    }
    let s = Streams::new();
    check(&s);
    println!("allocations per item (one pass):");
    for (name, p, _) in PATHS {
        let ((items, _), allocs) = counting_alloc::count(GLOBAL, || p(&s));
        println!("  {name:<40} {:>10.3}", allocs as f64 / items as f64);
    }
    let groups: [(&str, usize, &[&str]); 8] = [
        (
            "fetch_uid_size",
            s.fetch.len(),
            &[
                "fetch-uid-size/mailwire",
                "fetch-owned/mailwire-shared",
                "fetch-owned/mailwire-into-owned",
                "fetch-uid-size/imap-proto",
            ],
        ),
        (
            "fetch_fields",
            s.fetch.len(),
            &[
                "fetch-fields/mailwire-lazy",
                "fetch-fields/mailwire-lazy-by-value",
                "fetch-fields/mailwire-visitor",
                "fetch-fields/imap-proto",
                "fetch-uid-size/imap-proto",
            ],
        ),
        (
            "fetch_client",
            s.fetch.len(),
            &[
                "fetch-client/mailwire",
                "fetch-client/imap-codec-fragmentizer",
                "fetch-client/imap-codec-decode",
                "fetch-uid-size/imap-proto",
            ],
        ),
        (
            "literals",
            s.literals.len(),
            &[
                "literals/mailwire",
                "literals/mailwire-shared",
                "literals/mailwire-into-owned",
                "literals/imap-proto",
            ],
        ),
        (
            "imap_commands",
            s.imap_commands.len(),
            &["imap-commands/mailwire", "imap-commands/imap-codec"],
        ),
        (
            "smtp_commands",
            s.smtp_commands.len(),
            &["smtp-commands/mailwire", "smtp-commands/smtp-proto"],
        ),
        (
            "smtp_replies",
            s.replies.len(),
            &["smtp-replies/mailwire", "smtp-replies/smtp-proto"],
        ),
        (
            "data_10mib",
            s.data.len(),
            &[
                "data-10mib/mailwire",
                "data-10mib/mailwire-keep-bare",
                "data-10mib/mailwire-at-filing",
                "data-10mib/smtp-proto",
                "data-10mib/memcpy",
            ],
        ),
    ];
    for (group, bytes, members) in groups {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(bytes as u64));
        for m in members {
            let p = path(m);
            g.bench_function(*m, |b| b.iter(|| black_box(p(&s))));
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
