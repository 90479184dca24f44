//! Real IMAP responses captured from Dovecot (tests/corpus/dovecot, written by
//! tests/corpus/capture_dovecot.py; see tests/corpus/README.md): every frame is
//! framed and parsed in strict mode, re-emitted and re-parsed, key responses are
//! checked as typed values, and every session is replayed through `imap::Client`
//! in one piece and one byte at a time. When the mail peers run, the capture
//! script runs live too and the fresh captures go through the same checks.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use mailwire::Limits;
use mailwire::imap::{
    BodyStructure, Client, ClientConfig, ClientEvent, Code, CommandBody, Data, EmitOptions,
    FetchItem, Frame, Framer, IntoOwned, ParseOptions, Part, Quirks, Response, SearchReturnData,
    SectionText, SinglePart, Specific, StatusItem, StatusKind, StatusResponse, emit_response,
    parse_command, parse_greeting, parse_response,
};
use mailwire::wire::line::LinePolicy;

/// One step of a captured session: what the client sent, what the server answered.
struct Step {
    /// File name without extension (`s1-21-fetch-items`).
    name: String,
    /// Exact client bytes (empty for the greeting).
    cmd: Vec<u8>,
    /// Exact server bytes.
    bin: Vec<u8>,
}

/// Sessions (`s1`, `s2`, ...) with their steps in order.
type Corpus = BTreeMap<String, Vec<Step>>;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dovecot")
}

fn load(dir: &Path) -> Corpus {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(".bin").map(str::to_owned))
        .collect();
    names.sort();
    let mut corpus = Corpus::new();
    for name in names {
        let bin = std::fs::read(dir.join(format!("{name}.bin"))).unwrap();
        let cmd = std::fs::read(dir.join(format!("{name}.cmd"))).unwrap();
        let session = name.split('-').next().unwrap().to_owned();
        corpus
            .entry(session)
            .or_default()
            .push(Step { name, cmd, bin });
    }
    corpus
}

fn strict() -> ParseOptions {
    let mut o = ParseOptions::STRICT;
    o.quirks = Quirks::STRICT;
    o
}

/// Splits a step's bytes into frames; every byte must belong to a complete frame.
fn frames<'a>(name: &str, mut bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
    let mut out = Vec::new();
    while !bytes.is_empty() {
        match framer.find(bytes) {
            Ok(Frame::Complete(n)) => {
                out.push(&bytes[..n]);
                bytes = &bytes[n..];
            }
            other => panic!("{name}: framing stopped at {:?}: {other:?}", excerpt(bytes)),
        }
    }
    out
}

fn excerpt(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(120)]).into_owned()
}

/// Steps whose answers are Dovecot's own items outside the RFCs: strict mode
/// refuses them by design, the default options keep them (`Data::Other`,
/// `FetchItem::Unknown`).
const LENIENT_ONLY: &[&str] = &[
    "s5-03-status-x-guid",
    "s5-05-fetch-x-items",
    "s5-06-fetch-snippet",
];

fn lenient_only(step: &Step) -> bool {
    LENIENT_ONLY.contains(&step.name.as_str())
}

/// The options a step parses with: strict, except for [`LENIENT_ONLY`].
fn options_for(step: &Step) -> ParseOptions {
    if lenient_only(step) {
        ParseOptions::DEFAULT
    } else {
        strict()
    }
}

/// Every frame of a step, parsed strictly (a greeting as a greeting), or
/// leniently for the [`LENIENT_ONLY`] steps.
fn parse_step<'a>(step: &'a Step) -> Vec<Response<'a>> {
    let opts = options_for(step);
    frames(&step.name, &step.bin)
        .into_iter()
        .map(|f| {
            let r = if step.cmd.is_empty() {
                parse_greeting(f, &opts).map(Response::Status)
            } else {
                parse_response(f, &opts)
            };
            r.unwrap_or_else(|e| panic!("{}: strict parse of {:?}: {e:?}", step.name, excerpt(f)))
        })
        .collect()
}

/// emit(parse(x)) parses to the same value.
fn check_reemit(name: &str, r: &Response<'_>, opts: &ParseOptions) {
    let mut out = Vec::new();
    emit_response(r, &mut out, &EmitOptions::default())
        .unwrap_or_else(|e| panic!("{name}: emit {r:?}: {e:?}"));
    let again = parse_response(&out, opts)
        .unwrap_or_else(|e| panic!("{name}: re-parse of {:?}: {e:?}", excerpt(&out)));
    assert_eq!(
        again.into_owned(),
        r.clone().into_owned(),
        "{name}: emitted {:?}",
        excerpt(&out)
    );
}

/// All parsed responses of a corpus, owned, by step name.
fn parse_corpus(corpus: &Corpus) -> BTreeMap<String, Vec<Response<'static>>> {
    let mut all = BTreeMap::new();
    for steps in corpus.values() {
        for step in steps {
            let parsed = parse_step(step);
            assert!(!parsed.is_empty(), "{}: no response", step.name);
            for r in &parsed {
                check_reemit(&step.name, r, &options_for(step));
            }
            if lenient_only(step) {
                assert!(
                    frames(&step.name, &step.bin)
                        .iter()
                        .any(|f| parse_response(f, &strict()).is_err()),
                    "{}: parses strictly now: remove it from LENIENT_ONLY",
                    step.name
                );
            }
            all.insert(
                step.name.clone(),
                parsed.into_iter().map(IntoOwned::into_owned).collect(),
            );
        }
    }
    all
}

/// The responses of the one step whose name ends with `-what` in session `session`.
fn step<'a>(
    parsed: &'a BTreeMap<String, Vec<Response<'static>>>,
    session: &str,
    what: &str,
) -> &'a [Response<'static>] {
    let mut found = parsed.iter().filter(|(n, _)| {
        n.strip_prefix(session)
            .and_then(|r| r.get(4..))
            .is_some_and(|r| r == what)
    });
    let (_, rs) = found
        .next()
        .unwrap_or_else(|| panic!("no step {session}-NN-{what}"));
    assert!(found.next().is_none(), "several steps {what}");
    rs
}

fn data<'a>(rs: &'a [Response<'static>]) -> impl Iterator<Item = &'a Data<'static>> {
    rs.iter().filter_map(|r| match r {
        Response::Data(d) => Some(d),
        _ => None,
    })
}

/// The tagged completion that ends a step.
fn tagged<'a>(rs: &'a [Response<'static>]) -> &'a StatusResponse<'static> {
    match rs.last() {
        Some(Response::Status(s)) if s.tag.is_some() => s,
        other => panic!("step does not end tagged: {other:?}"),
    }
}

fn fetch_items(d: &Data<'static>) -> Option<(u32, Vec<FetchItem<'static>>)> {
    match d {
        Data::Fetch { seq, items } => Some((*seq, items.to_vec())),
        _ => None,
    }
}

fn ibytes(s: &Option<mailwire::imap::IString<'_>>) -> Vec<u8> {
    s.as_ref()
        .map(|s| s.as_bytes().to_vec())
        .unwrap_or_default()
}

fn single<'a, 'b>(b: &'a BodyStructure<'b>) -> &'a SinglePart<'b> {
    match b {
        BodyStructure::Single(s) => s,
        BodyStructure::Multi(_) => panic!("expected a single part, got {b:?}"),
    }
}

/// Typed values of the key responses. `live`: the capture ran against peers other
/// tests also use, so counts of INBOX messages are lower bounds.
fn check_values(parsed: &BTreeMap<String, Vec<Response<'static>>>, live: bool, full: bool) {
    // Greeting and capabilities.
    let greeting = step(parsed, "s1", "greeting");
    let Response::Status(g) = &greeting[0] else {
        panic!()
    };
    assert_eq!(g.kind, StatusKind::Ok);
    let Some(Code::Capability(caps)) = &g.code else {
        panic!("greeting code {:?}", g.code)
    };
    assert!(caps.iter().any(|c| c.as_str() == "IMAP4rev1"));
    let caps: Vec<String> = data(step(parsed, "s1", "capability"))
        .find_map(|d| match d {
            Data::Capability(c) => Some(c.iter().map(|a| a.as_str().to_owned()).collect()),
            _ => None,
        })
        .expect("* CAPABILITY");
    for cap in ["IMAP4rev1", "CONDSTORE", "QRESYNC", "ESEARCH", "MOVE"] {
        assert!(caps.iter().any(|c| c == cap), "{cap} missing from {caps:?}");
    }

    // ID and ENABLE.
    assert!(
        data(step(parsed, "s1", "id")).any(|d| matches!(d, Data::Id(Some(p))
            if p.iter().any(|(k, v)| k.as_bytes() == b"name" && ibytes(&v) == b"Dovecot")))
    );
    let enabled: Vec<String> = data(step(parsed, "s1", "enable-condstore-qresync"))
        .find_map(|d| match d {
            Data::Enabled(c) => Some(c.iter().map(|a| a.as_str().to_owned()).collect()),
            _ => None,
        })
        .expect("* ENABLED");
    assert_eq!(enabled, ["CONDSTORE", "QRESYNC"]);

    // NAMESPACE: one personal namespace "" with "." as delimiter.
    assert!(
        data(step(parsed, "s1", "namespace"))
            .any(|d| matches!(d, Data::Namespace { personal: Some(p), other: None, shared: None } if p.len() == 1))
    );

    // LIST-EXTENDED with RETURN (CHILDREN SPECIAL-USE STATUS (...)).
    let rs = step(parsed, "s1", "list-extended");
    let lists: Vec<_> = data(rs)
        .filter_map(|d| match d {
            Data::List(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    let trash = lists
        .iter()
        .find(|l| l.mailbox.as_bytes() == b"Trash")
        .expect("LIST Trash");
    if full {
        assert!(trash.attributes.iter().any(|a| a.is("\\Trash")));
    }
    assert_eq!(trash.delimiter, Some('.'));
    let corpus_box = lists
        .iter()
        .find(|l| l.mailbox.as_bytes() == b"Corpus")
        .expect("LIST Corpus");
    assert!(corpus_box.attributes.iter().any(|a| a.is("\\HasChildren")));
    let inbox_status = data(rs)
        .find_map(|d| match d {
            Data::Status { mailbox, items } if mailbox.as_bytes() == b"INBOX" => {
                Some(items.to_vec())
            }
            _ => None,
        })
        .expect("STATUS INBOX in LIST-STATUS");
    assert!(
        inbox_status
            .iter()
            .any(|i| matches!(i, StatusItem::Messages(n) if *n >= 4))
    );
    assert!(
        inbox_status
            .iter()
            .any(|i| matches!(i, StatusItem::Size(n) if *n > 1_000_000))
    );
    assert!(
        inbox_status
            .iter()
            .any(|i| matches!(i, StatusItem::HighestModSeq(_)))
    );

    // LSUB and STATUS with every item.
    assert!(
        data(step(parsed, "s1", "lsub"))
            .any(|d| matches!(d, Data::Lsub(l) if l.mailbox.as_bytes() == b"Corpus"))
    );
    let status = data(step(parsed, "s1", "status"))
        .find_map(|d| match d {
            Data::Status { items, .. } => Some(items.to_vec()),
            _ => None,
        })
        .unwrap();
    assert_eq!(status.len(), 7, "{status:?}");
    assert!(
        status
            .iter()
            .any(|i| matches!(i, StatusItem::UidValidity(v) if *v > 0))
    );

    // EXAMINE: read-only.
    let examine = tagged(step(parsed, "s1", "examine"));
    assert_eq!(examine.code, Some(Code::ReadOnly));

    // ENVELOPE and BODYSTRUCTURE of the seeded messages.
    let fetches: BTreeMap<u32, Vec<FetchItem<'static>>> = data(step(parsed, "s1", "fetch-items"))
        .filter_map(fetch_items)
        .collect();
    assert!(fetches.len() >= 4 && (live || fetches.len() == 4));
    let envelope = |seq: u32| {
        fetches[&seq]
            .iter()
            .find_map(|i| match i {
                FetchItem::Envelope(e) => Some(e.clone()),
                _ => None,
            })
            .unwrap()
    };
    let e1 = envelope(1);
    assert_eq!(ibytes(&e1.subject), b"Seed 1: plain text");
    let from = e1.from.iter().collect::<Vec<_>>();
    assert_eq!(from.len(), 1);
    assert_eq!(ibytes(&from[0].name), b"Bob Example");
    assert_eq!(ibytes(&from[0].mailbox), b"bob");
    assert_eq!(ibytes(&from[0].host), b"example.com");
    assert_eq!(ibytes(&e1.message_id), b"<seed-1@mailwire.test>");
    let to = e1.to.iter().collect::<Vec<_>>();
    assert_eq!(
        (
            ibytes(&to[0].name),
            ibytes(&to[0].mailbox),
            ibytes(&to[0].host)
        ),
        (b"Alice".to_vec(), b"alice".to_vec(), b"localhost".to_vec())
    );
    assert_eq!(e1.sender, e1.from);
    assert_eq!(
        (e1.cc.is_nil(), e1.bcc.is_nil(), e1.in_reply_to.clone()),
        (true, true, None)
    );
    let e3 = envelope(3);
    assert!(ibytes(&e3.subject).starts_with(b"=?UTF-8?B?"));
    let body2 = fetches[&2]
        .iter()
        .find_map(|i| match i {
            FetchItem::BodyStructure(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    let BodyStructure::Multi(mixed) = &body2 else {
        panic!("seed 2 is multipart: {body2:?}")
    };
    assert_eq!(mixed.subtype.as_bytes(), b"mixed");
    let parts = mixed.parts.to_vec();
    assert_eq!(parts.len(), 2);
    let BodyStructure::Multi(alt) = &parts[0] else {
        panic!("first part is multipart/alternative: {:?}", parts[0])
    };
    assert_eq!(alt.subtype.as_bytes(), b"alternative");
    let alts = alt.parts.to_vec();
    assert_eq!(alts.len(), 2);
    let plain = single(&alts[0]);
    assert_eq!(plain.media_type.as_bytes(), b"text");
    assert_eq!(plain.subtype.as_bytes(), b"plain");
    assert!(matches!(plain.specific, Specific::Text { lines } if lines > 0));
    let html = single(&alts[1]);
    assert_eq!(html.subtype.as_bytes(), b"html");
    assert!(
        html.encoding
            .as_bytes()
            .eq_ignore_ascii_case(b"quoted-printable")
    );
    let attachment = single(&parts[1]);
    assert_eq!(attachment.media_type.as_bytes(), b"application");
    assert_eq!(attachment.subtype.as_bytes(), b"octet-stream");
    assert!(
        attachment
            .encoding
            .as_bytes()
            .eq_ignore_ascii_case(b"base64")
    );
    // 3000 bytes in base64, 76 columns, CRLF line ends.
    assert_eq!(attachment.size, 4000 + 2 * 53);
    // Extension data: parameters, disposition with its parameters, NIL language and location.
    let pairs = |p: &mailwire::imap::Params<'_>| -> Vec<(Vec<u8>, Vec<u8>)> {
        p.as_ref()
            .map(|l| {
                l.iter()
                    .map(|(k, v)| (k.as_bytes().to_vec(), ibytes(&v)))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        pairs(&attachment.params),
        [(b"name".to_vec(), b"figures.bin".to_vec())]
    );
    let disposition = attachment
        .ext
        .disposition
        .clone()
        .flatten()
        .expect("disposition");
    assert_eq!(disposition.kind.as_bytes(), b"attachment");
    assert_eq!(
        pairs(&disposition.params),
        [(b"filename".to_vec(), b"figures.bin".to_vec())]
    );
    assert_eq!(attachment.ext.language, Some(None));
    assert_eq!(attachment.ext.location, Some(None));
    assert_eq!(attachment.md5, Some(None));
    assert_eq!(
        pairs(&mixed.params.clone().flatten()),
        [(b"boundary".to_vec(), b"mixed-7d1b0c".to_vec())]
    );
    assert_eq!(
        pairs(&alt.params.clone().flatten()),
        [(b"boundary".to_vec(), b"alt-2e9f4a".to_vec())]
    );
    assert!(matches!(plain.specific, Specific::Text { lines: 5 }));
    assert_eq!((plain.size, html.size), (60, 109));

    // BODY[1]<0.100>, BINARY[] literal8 and BINARY.SIZE.
    let partial = data(step(parsed, "s1", "fetch-partial"))
        .filter_map(fetch_items)
        .find(|(seq, _)| *seq == 1)
        .unwrap()
        .1;
    assert!(partial.iter().any(
        |i| matches!(i, FetchItem::BodySection { origin: Some(0), data: Some(d), .. }
        if d.as_bytes().len() == 100 && d.as_bytes().starts_with(b"Hi Alice,"))
    ));
    let binary = data(step(parsed, "s1", "fetch-binary-attachment"))
        .filter_map(fetch_items)
        .next()
        .unwrap()
        .1;
    assert!(binary.iter().any(
        |i| matches!(i, FetchItem::Binary { data: Some(d), .. } if d.as_bytes().len() == 3000)
    ));
    assert!(
        binary
            .iter()
            .any(|i| matches!(i, FetchItem::BinarySize { size: 3000, .. }))
    );

    // ESEARCH MIN/MAX/COUNT/ALL.
    let es = data(step(parsed, "s1", "uid-search-esearch"))
        .find_map(|d| match d {
            Data::ESearch(e) => Some(e.clone()),
            _ => None,
        })
        .expect("* ESEARCH");
    assert!(es.uid);
    let esearch_tag = tagged(step(parsed, "s1", "uid-search-esearch"))
        .tag
        .clone()
        .unwrap();
    assert_eq!(
        es.tag.as_ref().map(|t| t.as_bytes()),
        Some(esearch_tag.as_str().as_bytes())
    );
    let items = es.data.to_vec();
    assert!(items.contains(&SearchReturnData::Min(1)));
    let max = items.iter().find_map(|i| match i {
        SearchReturnData::Max(n) => Some(*n),
        _ => None,
    });
    let count = items.iter().find_map(|i| match i {
        SearchReturnData::Count(n) => Some(*n),
        _ => None,
    });
    if live {
        assert!(max >= Some(4) && count >= Some(4), "{items:?}");
    } else {
        assert_eq!((max, count), (Some(4), Some(4)));
        assert!(
            items
                .iter()
                .any(|i| matches!(i, SearchReturnData::All(s) if s.as_str() == "1:4"))
        );
    }

    // SORT and THREAD.
    assert!(
        data(step(parsed, "s1", "sort"))
            .any(|d| matches!(d, Data::Sort { ids, .. } if ids.len() >= 4))
    );
    assert!(
        data(step(parsed, "s1", "thread-references"))
            .any(|d| matches!(d, Data::Thread(t) if t.len() >= 4))
    );

    if full {
        // QUOTA.
        let quota = data(step(parsed, "s1", "getquotaroot")).collect::<Vec<_>>();
        assert!(
            quota
                .iter()
                .any(|d| matches!(d, Data::QuotaRoot { mailbox, roots }
        if mailbox.as_bytes() == b"INBOX" && roots.iter().any(|r| r.as_bytes() == b"User quota")))
        );
        let resources = quota
            .iter()
            .find_map(|d| match d {
                Data::Quota { root, resources } if root.as_bytes() == b"User quota" => {
                    Some(resources.to_vec())
                }
                _ => None,
            })
            .expect("* QUOTA");
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].name.as_str(), "STORAGE");
        assert_eq!(resources[0].limit, 1 << 20);
        assert!(resources[0].usage >= 1000);

        // METADATA: a value sent as a literal, and NIL.
        assert!(data(step(parsed, "s1", "getmetadata")).any(|d| matches!(d,
        Data::Metadata { mailbox, entries: mailwire::imap::MetadataEntries::Values(v) }
        if mailbox.as_bytes() == b"Corpus" && v.to_vec() == [
            ("/private/comment".into(), Some("captured by mailwire".into())),
            ("/shared/comment".into(), None),
        ])));
    }

    // COPYUID, APPENDUID: same UIDVALIDITY as the SELECT of the scratch mailbox.
    let Some(Code::CopyUid {
        uid_validity,
        source,
        destination,
    }) = &tagged(step(parsed, "s1", "copy")).code
    else {
        panic!("COPYUID")
    };
    assert_eq!((source.as_str(), destination.as_str()), ("1:4", "1:4"));
    let Some(Code::AppendUid {
        uid_validity: append_validity,
        uids,
    }) = &tagged(step(parsed, "s1", "append")).code
    else {
        panic!("APPENDUID")
    };
    assert_eq!(append_validity, uid_validity);
    assert_eq!(uids.as_str(), "5");
    let select = step(parsed, "s1", "select-condstore");
    assert!(
        select
            .iter()
            .any(|r| matches!(r, Response::Status(s) if s.code == Some(Code::Closed)))
    );
    assert!(select.iter().any(
        |r| matches!(r, Response::Status(s) if s.code == Some(Code::UidValidity(*uid_validity)))
    ));
    assert!(select.iter().any(
        |r| matches!(r, Response::Status(s) if matches!(s.code, Some(Code::HighestModSeq(_))))
    ));
    assert_eq!(tagged(select).code, Some(Code::ReadWrite));

    // STORE: FETCH with MODSEQ, MODIFIED after UNCHANGEDSINCE.
    assert!(data(step(parsed, "s1", "store")).filter_map(fetch_items).any(|(seq, items)| seq == 1
        && items.iter().any(|i| matches!(i, FetchItem::ModSeq(_)))
        && items.iter().any(|i| matches!(i, FetchItem::Flags(f) if f.iter().any(|f| f == mailwire::imap::Flag::Flagged)))));
    assert!(
        matches!(&tagged(step(parsed, "s1", "store-unchangedsince")).code, Some(Code::Modified(s)) if s.as_str() == "1:2")
    );

    // MOVE (COPYUID untagged, VANISHED under QRESYNC), EXPUNGE, UID EXPUNGE.
    let mv = step(parsed, "s1", "move");
    assert!(
        mv.iter()
            .any(|r| matches!(r, Response::Status(s) if s.tag.is_none()
        && matches!(&s.code, Some(Code::CopyUid { source, .. }) if source.as_str() == "5")))
    );
    let vanished = |what: &str| {
        data(step(parsed, "s1", what))
            .find_map(|d| match d {
                Data::Vanished { earlier, uids } => Some((*earlier, uids.as_str().to_owned())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{what}: VANISHED"))
    };
    assert_eq!(vanished("move"), (false, "5".to_owned()));
    assert_eq!(vanished("expunge"), (false, "3".to_owned()));
    assert_eq!(vanished("uid-expunge"), (false, "1".to_owned()));

    // IDLE: + then EXISTS from the other connection's APPEND.
    let idle = step(parsed, "s1", "idle");
    assert!(matches!(&idle[0], Response::Continue(_)));
    assert!(data(idle).any(|d| matches!(d, Data::Exists(3))));
    assert_eq!(tagged(step(parsed, "s1", "idle-done")).kind, StatusKind::Ok);

    // QRESYNC: VANISHED (EARLIER) of the three expunged UIDs.
    assert_eq!(vanished("select-qresync"), (true, "1,3,5".to_owned()));
    assert_eq!(vanished("uid-fetch-vanished"), (true, "1,3,5".to_owned()));

    // Deliberate errors.
    assert_eq!(
        tagged(step(parsed, "s1", "error-unknown-command")).kind,
        StatusKind::Bad
    );
    assert_eq!(
        tagged(step(parsed, "s1", "error-no-mailbox-selected")).kind,
        StatusKind::Bad
    );
    assert_eq!(
        tagged(step(parsed, "s1", "error-bad-syntax")).kind,
        StatusKind::Bad
    );
    // Dovecot 2.3 answers a missing mailbox with a plain NO, without [NONEXISTENT].
    assert_eq!(
        tagged(step(parsed, "s1", "error-nonexistent")).kind,
        StatusKind::No
    );
    assert_eq!(
        tagged(step(parsed, "s1", "error-trycreate")).code,
        Some(Code::TryCreate)
    );
    assert_eq!(
        tagged(step(parsed, "s1", "fetch-unknown-item")).kind,
        StatusKind::Bad
    );
    assert_eq!(
        tagged(step(parsed, "s2", "error-wrong-state")).kind,
        StatusKind::Bad
    );

    check_more_values(parsed, live, full);

    // LOGOUT: BYE then OK.
    let logout = step(parsed, "s1", "logout");
    assert!(matches!(&logout[0], Response::Status(s) if s.kind == StatusKind::Bye));
    assert_eq!(tagged(logout).kind, StatusKind::Ok);
}

/// The items of the FETCH responses of a step for message `seq`.
fn fetched(
    parsed: &BTreeMap<String, Vec<Response<'static>>>,
    session: &str,
    what: &str,
    seq: u32,
) -> Vec<FetchItem<'static>> {
    data(step(parsed, session, what))
        .filter_map(fetch_items)
        .find(|(s, _)| *s == seq)
        .unwrap_or_else(|| panic!("{what}: no FETCH for {seq}"))
        .1
}

/// The literal of a `BODY[part.text]` item.
fn section_data(
    items: &[FetchItem<'static>],
    part: &[u32],
    text: Option<SectionText<'_>>,
) -> Vec<u8> {
    let part = Part::new(part).unwrap();
    items
        .iter()
        .find_map(|i| match i {
            FetchItem::BodySection { section, data, .. }
                if section.part == part
                    && section.text.clone().map(IntoOwned::into_owned)
                        == text.clone().map(IntoOwned::into_owned) =>
            {
                Some(ibytes(data))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no BODY[{part:?} {text:?}] in {items:?}"))
}

fn search_ids(rs: &[Response<'static>]) -> (Vec<u32>, Option<u64>) {
    data(rs)
        .find_map(|d| match d {
            Data::Search { ids, modseq } => Some((ids.to_vec(), *modseq)),
            _ => None,
        })
        .expect("* SEARCH")
}

/// The response kinds added after the first capture: quoting, modified UTF-7,
/// RFC822.*, MIME sections, SEARCH MODSEQ/CHARSET/SAVE, METADATA LONGENTRIES,
/// authentication failures, EXPUNGE without QRESYNC, STARTTLS.
fn check_more_values(parsed: &BTreeMap<String, Vec<Response<'static>>>, live: bool, full: bool) {
    // LIST "" "": the hierarchy delimiter; LIST with % of quoted and modified UTF-7 names.
    let delimiter = data(step(parsed, "s1", "list-delimiter"))
        .find_map(|d| match d {
            Data::List(l) => Some(l.clone()),
            _ => None,
        })
        .unwrap();
    assert!(delimiter.attributes.iter().any(|a| a.is("\\Noselect")));
    assert_eq!(delimiter.mailbox.as_bytes(), b"");
    assert_eq!(delimiter.delimiter, Some('.'));
    let names: Vec<String> = data(step(parsed, "s1", "list-percent"))
        .filter_map(|d| match d {
            Data::List(l) => Some(l.mailbox.decode().unwrap().into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in ["Corpus.Renamed", "Corpus.Köln", "Corpus.with space"] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }

    // RFC822.HEADER + RFC822.TEXT = RFC822.
    let rfc822 = fetched(parsed, "s1", "fetch-rfc822", 1);
    let get = |f: fn(&FetchItem<'static>) -> Option<Vec<u8>>| rfc822.iter().find_map(f).unwrap();
    let header = get(|i| match i {
        FetchItem::Rfc822Header(d) => Some(ibytes(d)),
        _ => None,
    });
    let text = get(|i| match i {
        FetchItem::Rfc822Text(d) => Some(ibytes(d)),
        _ => None,
    });
    let whole = get(|i| match i {
        FetchItem::Rfc822(d) => Some(ibytes(d)),
        _ => None,
    });
    assert_eq!([header.clone(), text].concat(), whole);
    assert!(header.ends_with(b"\r\n\r\n"));
    assert!(
        whole
            .windows(b"\r\n..Two dots.\r\n".len())
            .any(|w| w == b"\r\n..Two dots.\r\n")
    );

    // MIME sections of the multipart seed, and the non-extensible BODY.
    let items = fetched(parsed, "s1", "fetch-sections", 2);
    assert!(
        section_data(&items, &[1, 2], Some(SectionText::Mime))
            .starts_with(b"Content-Type: text/html")
    );
    assert!(section_data(&items, &[1, 2], None).starts_with(b"<html><body>"));
    assert!(
        section_data(&items, &[2], Some(SectionText::Mime))
            .starts_with(b"Content-Type: application/octet-stream")
    );
    assert_eq!(section_data(&items, &[], Some(SectionText::Text)).len(), 60);
    assert!(
        section_data(&items, &[], Some(SectionText::Header))
            .ends_with(b"boundary=\"mixed-7d1b0c\"\r\n\r\n")
    );
    assert!(items.iter().any(|i| matches!(i, FetchItem::Body(BodyStructure::Multi(m)) if m.parts.len() == 2 && m.ext == Default::default())));
    // An 8-bit UTF-8 body, kept as bytes.
    let items = fetched(parsed, "s1", "fetch-8bit", 3);
    let body = section_data(&items, &[], None);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("schöne Grüße aus Köln")
    );

    // SEARCH with MODSEQ, with a CHARSET and a literal; SEARCH RETURN (SAVE) then FETCH $.
    let (ids, modseq) = search_ids(step(parsed, "s1", "search-modseq"));
    assert!(modseq.is_some_and(|m| m >= 1));
    assert!(
        ids.starts_with(&[1, 2, 3, 4]) && (live || ids.len() == 4),
        "{ids:?}"
    );
    let utf8 = search_ids(step(parsed, "s1", "search-charset-literal")).0;
    assert!(
        utf8.first() == Some(&3) && (live || utf8.len() == 1),
        "{utf8:?}"
    );
    // SAVE returns no search result; other sessions on the live peer may add
    // mail meanwhile, so unsolicited EXISTS/RECENT/FETCH updates are allowed
    assert!(
        !data(step(parsed, "s1", "search-save"))
            .any(|d| matches!(d, Data::Search { .. } | Data::ESearch(_))),
    );
    let saved: Vec<u32> = data(step(parsed, "s1", "fetch-saved-result"))
        .filter_map(fetch_items)
        .flat_map(|(_, items)| items)
        .filter_map(|i| match i {
            FetchItem::Uid(u) => Some(u),
            _ => None,
        })
        .collect();
    assert!(
        saved.starts_with(&[1, 2, 4]) && (live || saved.len() == 3),
        "{saved:?}"
    );

    if full {
        // METADATA LONGENTRIES (RFC 5464 §4.2.1) arrives as an unknown code with its value.
        assert!(
            matches!(&tagged(step(parsed, "s1", "getmetadata-maxsize")).code,
        Some(Code::Other { name, value: Some(v) }) if name.as_str() == "METADATA" && v.as_ref() == b"LONGENTRIES 20")
        );
    }

    assert!(matches!(&tagged(step(parsed, "s1", "uid-copy")).code,
        Some(Code::CopyUid { source, destination, .. }) if source.as_str() == "2,4" && destination.as_str() == "2:3"));

    // s2: failed logins, AUTHENTICATE with SASL-IR, EXPUNGE and MOVE without QRESYNC.
    for what in ["login-failed", "authenticate-failed"] {
        let t = tagged(step(parsed, "s2", what));
        assert_eq!(
            (t.kind, &t.code),
            (StatusKind::No, &Some(Code::AuthenticationFailed)),
            "{what}"
        );
    }
    assert!(
        matches!(&tagged(step(parsed, "s2", "authenticate")).code, Some(Code::Capability(c)) if c.iter().any(|c| c.as_str() == "IMAP4rev1"))
    );
    assert!(data(step(parsed, "s2", "store")).filter_map(fetch_items).any(|(seq, items)| seq == 1
        && items.iter().any(|i| matches!(i, FetchItem::Flags(f) if f.to_vec() == [mailwire::imap::Flag::Deleted, mailwire::imap::Flag::Recent]))));
    assert!(data(step(parsed, "s2", "expunge")).any(|d| matches!(d, Data::Expunge(1))));
    let mv = step(parsed, "s2", "uid-move");
    assert!(
        mv.iter()
            .any(|r| matches!(r, Response::Status(s) if s.tag.is_none()
        && matches!(&s.code, Some(Code::CopyUid { source, .. }) if source.as_str() == "2")))
    );
    assert!(data(mv).any(|d| matches!(d, Data::Expunge(1))));

    // s4: STARTTLS accepted.
    assert_eq!(tagged(step(parsed, "s4", "starttls")).kind, StatusKind::Ok);

    // s5: Dovecot's own items. A numeric STATUS item stays typed; X-GUID's hex
    // value has no typed form and the response is kept raw.
    let x_size = data(step(parsed, "s5", "status-x-size"))
        .find_map(|d| match d {
            Data::Status { items, .. } => Some(items.to_vec()),
            _ => None,
        })
        .unwrap();
    assert!(
        matches!(&x_size[..], [StatusItem::Messages(_), StatusItem::Other(name, size)]
        if name.as_str() == "X-SIZE" && *size > 1_000_000)
    );
    assert!(data(step(parsed, "s5", "status-x-guid")).any(|d| matches!(d, Data::Other { name, rest }
        if name == "STATUS" && rest.starts_with(b"INBOX (MESSAGES ") && rest.windows(7).any(|w| w == b"X-GUID "))));
    let x_items = fetched(parsed, "s5", "fetch-x-items", 1);
    let names: Vec<&str> = x_items
        .iter()
        .filter_map(|i| match i {
            FetchItem::Unknown { name, .. } => Some(&**name),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["X-MAILBOX", "X-REAL-UID", "X-SAVEDATE", "X-GUID"]);
    assert!(matches!(&x_items[0], FetchItem::Unknown { value, .. } if &**value == b"INBOX"));
    assert!(
        matches!(&fetched(parsed, "s5", "fetch-snippet", 2)[..], [FetchItem::Unknown { name, value }]
        if name == "SNIPPET" && value.starts_with(b"(FUZZY \"Hello Alice,"))
    );
}

/// How server bytes are handed to the client machine.
#[derive(Clone, Copy, Debug)]
enum Feed {
    Whole,
    BytePerByte,
}

/// Events with consecutive streamed-body chunks merged (their split depends on the feed).
fn normalize(events: Vec<ClientEvent<'static>>) -> Vec<ClientEvent<'static>> {
    let mut out: Vec<ClientEvent<'static>> = Vec::new();
    for e in events {
        if let ClientEvent::FetchBodyChunk(c) = &e {
            if let Some(ClientEvent::FetchBodyChunk(prev)) = out.last_mut() {
                prev.to_mut().extend_from_slice(c);
                continue;
            }
        }
        out.push(e);
    }
    out
}

/// Replays one session: each step's command through the client's API, its
/// answer into `handle_input`. Returns the events and how many steps used an
/// `X` tag (a command the client cannot send: its answer must come back as
/// `MalformedResponse`).
fn replay(steps: &[Step], feed: Feed, inline_literal: usize) -> (Vec<ClientEvent<'static>>, usize) {
    let mut config = ClientConfig::default();
    config.quirks = if steps.iter().any(lenient_only) {
        Quirks::LENIENT
    } else {
        Quirks::STRICT
    };
    config.limits.inline_literal = inline_literal;
    let mut client = Client::new(config);
    let mut events = Vec::new();
    let mut unsendable = 0;
    for step in steps {
        if !step.cmd.is_empty() {
            if step.cmd == b"DONE\r\n" {
                client.done().unwrap();
            } else if step.cmd.starts_with(b"X") {
                unsendable += 1;
            } else {
                let command = parse_command(&step.cmd, &strict())
                    .unwrap_or_else(|e| panic!("{}: parse command: {e:?}", step.name));
                let tag = match command.body {
                    CommandBody::Idle => client.idle(),
                    body => client.send_unadvertised(body),
                }
                .unwrap_or_else(|e| panic!("{}: client refuses the command: {e:?}", step.name));
                assert_eq!(tag, command.tag.into_owned(), "{}", step.name);
            }
            let mut sent = Vec::new();
            while let Some(b) = client.poll_transmit() {
                sent.extend_from_slice(&b);
            }
            if !step.cmd.starts_with(b"X") && sent != step.cmd {
                // Spelled differently (`*` unquoted, ...): it must mean the same.
                let ours = parse_command(&sent, &strict())
                    .unwrap_or_else(|e| panic!("{}: the client sent {sent:?}: {e:?}", step.name));
                let theirs = parse_command(&step.cmd, &strict()).unwrap();
                assert_eq!(
                    ours.into_owned(),
                    theirs.into_owned(),
                    "{}: the client sends what the capture sent",
                    step.name
                );
            }
        }
        let chunks: Vec<&[u8]> = match feed {
            Feed::Whole => vec![&step.bin[..]],
            Feed::BytePerByte => step.bin.chunks(1).collect(),
        };
        for chunk in chunks {
            client.handle_input(chunk);
            while let Some(e) = client
                .poll_event()
                .unwrap_or_else(|e| panic!("{}: fatal client error: {e:?}", step.name))
            {
                events.push(e.into_owned());
            }
        }
        // Anything the machine queued by itself (a CAPABILITY after login, ...) is dropped.
        while client.poll_transmit().is_some() {}
    }
    (normalize(events), unsendable)
}

/// Literals above this size are streamed by the client in the second replay.
const SMALL_INLINE_LITERAL: usize = 64;

/// The FETCH literals of a session above `SMALL_INLINE_LITERAL`, in order, from the strict parse.
fn large_fetch_literals(steps: &[Step]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for step in steps {
        for r in parse_step(step) {
            let Response::Data(Data::Fetch { items, .. }) = r else {
                continue;
            };
            for item in items.iter() {
                let data = match item {
                    FetchItem::BodySection { data, .. } | FetchItem::Binary { data, .. } => data,
                    FetchItem::Rfc822(d)
                    | FetchItem::Rfc822Header(d)
                    | FetchItem::Rfc822Text(d) => d,
                    _ => None,
                };
                if let Some(d) = data.filter(|d| d.as_bytes().len() > SMALL_INLINE_LITERAL) {
                    out.push(d.as_bytes().to_vec());
                }
            }
        }
    }
    out
}

/// The bodies the client streamed (`FetchBodyStart`, chunks, `FetchBodyEnd`), in order.
fn streamed_bodies(events: &[ClientEvent<'static>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current: Option<(Vec<u8>, u64)> = None;
    for e in events {
        match e {
            ClientEvent::FetchBodyStart { size, .. } => {
                assert!(current.is_none(), "nested FetchBodyStart");
                current = Some((Vec::new(), *size));
            }
            ClientEvent::FetchBodyChunk(c) => current
                .as_mut()
                .expect("chunk outside a body")
                .0
                .extend_from_slice(c),
            ClientEvent::FetchBodyEnd { .. } => {
                let (body, size) = current.take().expect("end outside a body");
                assert_eq!(
                    body.len() as u64,
                    size,
                    "streamed body has its announced size"
                );
                out.push(body);
            }
            _ => {}
        }
    }
    assert!(current.is_none(), "unfinished streamed body");
    out
}

fn check_client(corpus: &Corpus) {
    for (session, steps) in corpus {
        let (whole, unsendable) = replay(steps, Feed::Whole, Limits::default().inline_literal);
        let (bytewise, _) = replay(steps, Feed::BytePerByte, Limits::default().inline_literal);
        assert_eq!(whole, bytewise, "{session}: events differ by feed");
        assert!(
            streamed_bodies(&whole).is_empty(),
            "{session}: nothing is streamed by default"
        );
        let malformed: Vec<_> = whole
            .iter()
            .filter_map(|e| match e {
                ClientEvent::MalformedResponse { raw, error, .. } => Some((raw.clone(), *error)),
                _ => None,
            })
            .collect();
        assert_eq!(
            malformed.len(),
            unsendable,
            "{session}: malformed responses {malformed:?}"
        );
        for (raw, _) in &malformed {
            assert!(
                raw.starts_with(b"X"),
                "{session}: {:?}",
                String::from_utf8_lossy(raw)
            );
        }
        let completed = whole
            .iter()
            .filter(|e| matches!(e, ClientEvent::Completed { .. }))
            .count();
        let commands = steps
            .iter()
            .filter(|s| !s.cmd.is_empty() && !s.cmd.starts_with(b"X") && s.cmd != b"DONE\r\n")
            .count();
        assert_eq!(completed, commands, "{session}: every command completes");
        assert!(matches!(whole.first(), Some(ClientEvent::Greeting(_))));
        if session == "s4" {
            assert!(
                whole.contains(&ClientEvent::StartTls),
                "{session}: {whole:?}"
            );
        }

        // Again with small literals streamed: same events either way of feeding,
        // and the streamed bodies are the literals the parser sees.
        let (streamed, _) = replay(steps, Feed::Whole, SMALL_INLINE_LITERAL);
        let (streamed_bytewise, _) = replay(steps, Feed::BytePerByte, SMALL_INLINE_LITERAL);
        assert_eq!(
            streamed, streamed_bytewise,
            "{session}: streamed events differ by feed"
        );
        assert_eq!(
            streamed_bodies(&streamed),
            large_fetch_literals(steps),
            "{session}: streamed bodies"
        );
        if session == "s1" {
            // BODY[1]<0.100>, BINARY[1], BINARY[2] (literal8), HEADER.FIELDS...
            assert!(
                streamed_bodies(&streamed).len() >= 8,
                "s1 streams its FETCH literals"
            );
        }
        assert_eq!(
            streamed
                .iter()
                .filter(|e| matches!(e, ClientEvent::Completed { .. }))
                .count(),
            commands
        );
    }
}

fn check_corpus(corpus: &Corpus, live: bool) -> usize {
    for s in ["s1", "s2", "s3", "s4", "s5"] {
        assert!(corpus.contains_key(s), "session {s} missing");
    }
    let parsed = parse_corpus(corpus);
    // QUOTA, METADATA and SPECIAL-USE need the configuration tests/peers/start.sh writes.
    let caps = data(step(&parsed, "s1", "capability"))
        .find_map(|d| match d {
            Data::Capability(c) => {
                Some(c.iter().map(|a| a.as_str().to_owned()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .expect("* CAPABILITY");
    let full = ["QUOTA", "METADATA", "SPECIAL-USE"]
        .iter()
        .all(|x| caps.iter().any(|c| c == x));
    if !full {
        let note = "the peers advertise no QUOTA / METADATA / SPECIAL-USE (started by an older \
                    tests/peers/start.sh?): their responses were parsed, but not checked as values";
        assert!(live && !common::peers::in_ci(), "{note}");
        let _ = writeln!(std::io::stderr(), "\n===== imap_corpus: {note} =====\n");
    }
    check_values(&parsed, live, full);
    check_client(corpus);
    parsed.values().map(Vec::len).sum()
}

#[test]
fn committed_dovecot_corpus() {
    // The options really are strict: a known quirk is refused.
    assert!(parse_response(b"* CAPABILITY IMAP4rev1 \r\n", &strict()).is_err());
    assert!(parse_response(b"* CAPABILITY IMAP4rev1 \r\n", &ParseOptions::DEFAULT).is_ok());
    let corpus = load(&committed_dir());
    let responses = check_corpus(&corpus, false);
    assert!(responses > 150, "{responses} responses");
}

#[test]
fn live_dovecot_capture() {
    let Some(peers) = common::peers::peers_or_skip("imap_corpus::live_dovecot_capture") else {
        return;
    };
    let out = std::env::temp_dir().join(format!("mailwire-imap-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let env_file = match std::env::var_os("MAILWIRE_PEERS_ENV") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = out.with_extension("env");
            let text: String = peers
                .vars
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect();
            std::fs::write(&p, text).unwrap();
            p
        }
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/capture_dovecot.py");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .arg(&env_file)
        .arg(&out)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "capture_dovecot.py failed: {status}");
    let corpus = load(&out);
    let committed: Vec<String> = load(&committed_dir())
        .values()
        .flatten()
        .map(|s| s.name.clone())
        .collect();
    let fresh: Vec<String> = corpus.values().flatten().map(|s| s.name.clone()).collect();
    assert_eq!(fresh, committed, "the live capture has the committed steps");
    check_corpus(&corpus, true);
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(out.with_extension("env"));
}
