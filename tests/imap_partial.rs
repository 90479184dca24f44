//! PARTIAL (RFC 9394, "IMAP PARTIAL Extension for Paged SEARCH and FETCH")
//! on the codec and both machines, checked against the RFC's grammar (§4) and
//! the commands of its examples (§3.1, §3.3), with the peer's side written by
//! hand as bytes:
//!
//! ```text
//! capability          =/ "PARTIAL"
//! fetch-modifier      =/ modifier-partial
//! search-return-opt   =/ modifier-partial
//! modifier-partial    = "PARTIAL" SP partial-range
//! partial-range-first = nz-number ":" nz-number
//!     ;; Request to search from oldest (lowest UIDs) to
//!     ;; more recent messages.
//!     ;; A range 500:400 is the same as 400:500.
//!     ;; This is similar to <seq-range> from [RFC3501],
//!     ;; but cannot contain "*".
//! partial-range-last  = MINUS nz-number ":" MINUS nz-number
//!     ;; Request to search from newest (highest UIDs) to
//!     ;; oldest messages.
//!     ;; A range -500:-400 is the same as -400:-500.
//! partial-range       = partial-range-first / partial-range-last
//! MINUS               = "-"
//! ret-data-partial    = "PARTIAL" SP "(" partial-range SP partial-results ")"
//! partial-results     = sequence-set / "NIL"
//! search-return-data  =/ ret-data-partial
//! nz-number           = digit-nz *DIGIT
//!                       ; Non-zero unsigned 32-bit integer
//!                       ; (0 < n < 4,294,967,296)
//! ```
//!
//! RFC 9394 §3.1: "A single command MUST NOT contain more than one PARTIAL or
//! ALL search return option; that is, either one PARTIAL, one ALL, or
//! neither PARTIAL nor ALL is allowed."
//!
//! The client commands below are the RFC's example commands; the servers'
//! answers are ours, in the shape of `ret-data-partial`.

mod common;

use common::imap::{client_events, server_output};
use mailwire::Error;
use mailwire::IntoOwned;
use mailwire::error::ApiMisuse;
use mailwire::imap::server::Greeting;
use mailwire::imap::{
    Atom, Client, ClientConfig, ClientEvent, Command, CommandBody, Data, ESearch, EmitOptions,
    FetchAttributes, FetchQuery, IString, List, ParseOptions, PartialRange, Response, SearchKey,
    SearchQuery, SearchReturnData, SequenceSet, Server, ServerConfig, ServerEvent, StatusKind, Tag,
    emit_command, emit_response, parse_command, parse_response,
};

fn cmd(line: &[u8]) -> Command<'_> {
    parse_command(line, &ParseOptions::STRICT)
        .unwrap_or_else(|e| panic!("{}: {e:?}", String::from_utf8_lossy(line)))
}

fn emit_cmd(c: &Command<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    emit_command(c, &mut out, &EmitOptions::default()).unwrap();
    out
}

fn esearch(line: &[u8]) -> ESearch<'_> {
    match parse_response(line, &ParseOptions::STRICT) {
        Ok(Response::Data(Data::ESearch(e))) => e,
        other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
    }
}

fn emit_resp(r: &Response<'_>) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    emit_response(r, &mut out, &EmitOptions::default())?;
    Ok(out)
}

// ---------------------------------------------------------------- codec

#[test]
fn rfc_example_commands_parse_typed_and_reemit() {
    // (line, the window, the command)
    let cases: [(&[u8], PartialRange); 6] = [
        // §3.1: C: A01 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED
        (
            b"A01 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED\r\n",
            PartialRange::first(1, 500),
        ),
        // §3.1: C: A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk
        (
            b"A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk\r\n",
            PartialRange::last(1, 100),
        ),
        // §3.3: C: 10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)
        (
            b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n",
            PartialRange::last(1, 3),
        ),
        // "A range 500:400 is the same as 400:500": kept as sent
        (
            b"A2 SEARCH RETURN (COUNT PARTIAL 500:400) ALL\r\n",
            PartialRange::first(500, 400),
        ),
        // SORT RETURN takes search-return-opts (RFC 5267 §5)
        (
            b"B1 UID SORT RETURN (PARTIAL -4294967295:-1) (REVERSE DATE) UTF-8 ALL\r\n",
            PartialRange::last(4294967295, 1),
        ),
        // with the CONDSTORE modifier: fetch-modifier *(SP fetch-modifier)
        (
            b"F1 UID FETCH 1:* FLAGS (CHANGEDSINCE 12345 PARTIAL 1:10)\r\n",
            PartialRange::first(1, 10),
        ),
    ];
    for (line, range) in cases {
        let c = cmd(line);
        assert_eq!(
            c.body.partial(),
            Some(range),
            "{}",
            String::from_utf8_lossy(line)
        );
        assert_eq!(emit_cmd(&c), line);
    }
    let c = cmd(b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n");
    let CommandBody::Fetch {
        uid: true,
        set,
        partial: Some(p),
        changed_since: None,
        vanished: false,
        ..
    } = &c.body
    else {
        panic!("{:?}", c.body)
    };
    assert_eq!(set.as_str(), "25900:26600");
    assert_eq!(
        (p.low, p.high, p.from_end, p.bounds()),
        (1, 3, true, (1, 3))
    );
    assert_eq!(PartialRange::first(500, 400).bounds(), (400, 500));
    // the return options keep PARTIAL and its range as two atoms
    let c = cmd(b"A2 SEARCH RETURN (COUNT PARTIAL 500:400) ALL\r\n");
    let CommandBody::Search {
        return_options: Some(o),
        ..
    } = &c.body
    else {
        panic!()
    };
    let o: Vec<String> = o.iter().map(|a| a.as_str().to_owned()).collect();
    assert_eq!(o, ["COUNT", "PARTIAL", "500:400"]);
    // RFC 5267's CONTEXT=SEARCH inputs still parse the same way
    let c = cmd(b"B01 UID SEARCH RETURN (PARTIAL 1:500 UPDATE) DELETED\r\n");
    assert_eq!(c.body.partial(), Some(PartialRange::first(1, 500)));
    // without PARTIAL there is none
    assert_eq!(cmd(b"a UID FETCH 1:* FLAGS\r\n").body.partial(), None);
    assert_eq!(cmd(b"a SEARCH RETURN (MIN) ALL\r\n").body.partial(), None);
    assert_eq!(cmd(b"a NOOP\r\n").body.partial(), None);
}

#[test]
fn esearch_partial_data_is_typed_and_reemitted() {
    for (line, range, results) in [
        // ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"
        (
            &b"* ESEARCH (TAG \"A01\") UID PARTIAL (1:500 200:250,252:300)\r\n"[..],
            PartialRange::first(1, 500),
            Some("200:250,252:300"),
        ),
        (
            b"* ESEARCH (TAG \"A04\") UID PARTIAL (-1:-100 55700:55799)\r\n",
            PartialRange::last(1, 100),
            Some("55700:55799"),
        ),
        // partial-results = sequence-set / "NIL"
        (
            b"* ESEARCH (TAG \"A03\") UID PARTIAL (24001:24500 NIL)\r\n",
            PartialRange::first(24001, 24500),
            None,
        ),
        (
            b"* ESEARCH (TAG \"A05\") UID COUNT 4 PARTIAL (-500:-400 NIL)\r\n",
            PartialRange::last(500, 400),
            None,
        ),
    ] {
        let e = esearch(line);
        let (r, set) = e.partial().unwrap();
        assert_eq!(r, range);
        assert_eq!(set.as_ref().map(|s| s.as_str()), results);
        let resp = Response::Data(Data::ESearch(e.clone()));
        assert_eq!(emit_resp(&resp).unwrap(), line);
    }
    // no PARTIAL in it: none
    assert_eq!(
        esearch(b"* ESEARCH (TAG \"a\") COUNT 3\r\n").partial(),
        None
    );
}

#[test]
fn hostile_partial_commands_are_refused() {
    for bad in [
        // nz-number: no zero, no -0, no leading zero, 32 bits
        &b"A1 SEARCH RETURN (PARTIAL 0:5) ALL\r\n"[..],
        b"A1 SEARCH RETURN (PARTIAL 5:0) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL -0:-5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL -1:-0) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 01:5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1:4294967296) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL -4294967296:-1) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1:99999999999999999999999) ALL\r\n",
        // "but cannot contain *"
        b"A1 SEARCH RETURN (PARTIAL 1:*) ALL\r\n",
        // MINUS on both or neither
        b"A1 SEARCH RETURN (PARTIAL -1:5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1:-5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL --1:--5) ALL\r\n",
        // "PARTIAL" SP partial-range: the range is not optional, not quoted, a range
        b"A1 SEARCH RETURN (PARTIAL) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL \"1:5\") ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1:5:7) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1,5) ALL\r\n",
        b"A1 SEARCH RETURN (COUNT PARTIAL) ALL\r\n",
        // one PARTIAL or one ALL (§3.1)
        b"A1 SEARCH RETURN (PARTIAL 1:5 ALL) ALL\r\n",
        b"A1 SEARCH RETURN (ALL PARTIAL 1:5) ALL\r\n",
        b"A1 SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL\r\n",
        b"A1 UID SORT RETURN (PARTIAL 1:5 PARTIAL 6:9) (DATE) UTF-8 ALL\r\n",
        b"A1 UID SORT RETURN (PARTIAL 0:9) (DATE) UTF-8 ALL\r\n",
        // the FETCH modifier
        b"A1 UID FETCH 1:* FLAGS (PARTIAL)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL 0:1)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL -1:2)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL 1:*)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL 1:5 PARTIAL 1:2)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL 1:5\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL  1:5)\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIAL 1:5 )\r\n",
        b"A1 UID FETCH 1:* FLAGS (PARTIALS 1:5)\r\n",
        b"A1 UID FETCH 1:* FLAGS PARTIAL 1:5\r\n",
    ] {
        assert!(
            parse_command(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn hostile_partial_responses_are_refused() {
    for bad in [
        &b"* ESEARCH (TAG \"a\") PARTIAL (0:5 1)\r\n"[..],
        b"* ESEARCH (TAG \"a\") PARTIAL (-0:-5 1)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (-1:5 1)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:* 1)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:4294967296 1)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:5)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:5 )\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:5 0)\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:5 NIL\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL 1:5 NIL\r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL (1:5 NIL) \r\n",
        b"* ESEARCH (TAG \"a\") PARTIAL ()\r\n",
    ] {
        assert!(
            parse_response(bad, &ParseOptions::STRICT).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn truncated_partial_lines_never_parse_or_panic() {
    for line in [
        &b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n"[..],
        b"A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED\r\n",
    ] {
        for n in 0..line.len() {
            assert!(
                parse_command(&line[..n], &ParseOptions::STRICT).is_err(),
                "{}",
                String::from_utf8_lossy(&line[..n])
            );
        }
    }
    let line = b"* ESEARCH (TAG \"A04\") UID PARTIAL (-1:-100 55700:55799)\r\n";
    for n in 0..line.len() {
        assert!(parse_response(&line[..n], &ParseOptions::STRICT).is_err());
    }
}

#[test]
fn built_values_round_trip_and_bad_ones_are_not_emitted() {
    let ranges = [
        PartialRange::first(1, 1),
        PartialRange::first(1, 500),
        PartialRange::first(500, 400),
        PartialRange::last(1, 100),
        PartialRange::last(u32::MAX, 1),
        PartialRange::first(u32::MAX, u32::MAX),
    ];
    for r in ranges {
        // Display and from_atom agree
        let text = r.to_string();
        assert_eq!(PartialRange::from_atom(&text), Some(r), "{text}");
        assert_eq!(r.to_atom().unwrap().as_str(), text);
        // the FETCH modifier: typed -> wire -> typed
        let c = Command {
            tag: Tag::new("t").unwrap(),
            body: CommandBody::Fetch {
                uid: true,
                set: SequenceSet::new("1:*").unwrap(),
                attributes: FetchAttributes::Fast,
                changed_since: None,
                vanished: false,
                partial: Some(r),
            },
        };
        let wire = emit_cmd(&c);
        assert_eq!(
            wire,
            format!("t UID FETCH 1:* FAST (PARTIAL {text})\r\n").as_bytes()
        );
        let back = cmd(&wire).into_owned();
        assert_eq!(back, c.clone().into_owned());
        // the SEARCH return option
        let c = Command {
            tag: Tag::new("t").unwrap(),
            body: CommandBody::Search {
                uid: true,
                return_options: Some(r.return_options(&["COUNT"]).unwrap()),
                charset: None,
                criteria: List::from_items(vec![SearchKey::Unseen]),
            },
        };
        let wire = emit_cmd(&c);
        assert_eq!(
            wire,
            format!("t UID SEARCH RETURN (PARTIAL {text} COUNT) UNSEEN\r\n").as_bytes()
        );
        assert_eq!(cmd(&wire).body.partial(), Some(r));
        // the ESEARCH data
        let resp = Response::Data(Data::ESearch(ESearch {
            tag: Some(IString::from("t")),
            mailbox: None,
            uid: true,
            data: List::from_items(vec![SearchReturnData::Partial {
                range: r,
                results: None,
            }]),
        }));
        let wire = emit_resp(&resp).unwrap();
        assert_eq!(
            wire,
            format!("* ESEARCH (TAG \"t\") UID PARTIAL ({text} NIL)\r\n").as_bytes()
        );
        assert_eq!(esearch(&wire).partial(), Some((r, None)));
    }
    // a zero position never goes out
    let zero = PartialRange::last(0, 5);
    assert!(zero.to_atom().is_none() && zero.return_options(&[]).is_none());
    let fetch = Command {
        tag: Tag::new("t").unwrap(),
        body: CommandBody::Fetch {
            uid: true,
            set: SequenceSet::new("1").unwrap(),
            attributes: FetchAttributes::Fast,
            changed_since: None,
            vanished: false,
            partial: Some(zero),
        },
    };
    assert!(emit_command(&fetch, &mut Vec::new(), &EmitOptions::default()).is_err());
    let resp = Response::Data(Data::ESearch(ESearch {
        tag: None,
        mailbox: None,
        uid: false,
        data: List::from_items(vec![SearchReturnData::Partial {
            range: PartialRange::first(5, 0),
            results: None,
        }]),
    }));
    assert!(emit_resp(&resp).is_err());
    // return options the parser refuses are not emitted either
    for opts in [
        &["PARTIAL"][..],
        &["PARTIAL", "0:1"],
        &["PARTIAL", "1:5", "ALL"],
        &["ALL", "PARTIAL", "-1:-5"],
        &["PARTIAL", "1:5", "PARTIAL", "1:5"],
    ] {
        let atoms: Vec<Atom<'static>> = opts.iter().map(|a| Atom::new(*a).unwrap()).collect();
        for body in [
            CommandBody::Search {
                uid: false,
                return_options: Some(List::from_items(atoms.clone())),
                charset: None,
                criteria: List::from_items(vec![SearchKey::All]),
            },
            cmd(b"x SORT RETURN (MIN) (DATE) UTF-8 ALL\r\n")
                .body
                .into_owned()
                .with_return_options(atoms.clone()),
        ] {
            let c = Command {
                tag: Tag::new("t").unwrap(),
                body,
            };
            assert!(
                emit_command(&c, &mut Vec::new(), &EmitOptions::default()).is_err(),
                "{opts:?}"
            );
        }
    }
}

/// A SORT with other RETURN options.
trait WithReturn {
    fn with_return_options(self, atoms: Vec<Atom<'static>>) -> Self;
}

impl WithReturn for CommandBody<'static> {
    fn with_return_options(self, atoms: Vec<Atom<'static>>) -> Self {
        match self {
            CommandBody::Sort {
                uid,
                criteria,
                charset,
                search,
                ..
            } => CommandBody::Sort {
                uid,
                return_options: Some(List::from_items(atoms)),
                criteria,
                charset,
                search,
            },
            other => other,
        }
    }
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> String {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8(out).unwrap()
}

/// A client with INBOX selected on a server (bytes by hand) advertising `caps`.
fn selected(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    client_events(&mut c);
    let tag = c.select("INBOX").unwrap().as_str().to_owned();
    sent(&mut c);
    c.handle_input(format!("* 30000 EXISTS\r\n{tag} OK [READ-WRITE] done\r\n").as_bytes());
    client_events(&mut c);
    c
}

fn not_advertised<T: std::fmt::Debug>(r: Result<T, Error>, ext: &str) {
    match r {
        Err(Error::Misuse(ApiMisuse::NotAdvertised { extension })) => assert_eq!(extension, ext),
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_gates_partial_on_its_capability() {
    let unseen = SearchQuery::new().unseen();
    let flags = FetchQuery::new().flags();
    // nothing advertised: no page of any kind
    let mut c = selected("ESEARCH");
    not_advertised(
        c.uid_search_page(PartialRange::first(1, 50), &unseen),
        "PARTIAL",
    );
    not_advertised(
        c.uid_search_page(PartialRange::last(1, 50), &unseen),
        "PARTIAL",
    );
    not_advertised(c.search_page(PartialRange::last(1, 50), &unseen), "PARTIAL");
    not_advertised(
        c.uid_fetch_page(1.., PartialRange::last(1, 3), &flags),
        "PARTIAL",
    );
    assert_eq!(sent(&mut c), "");
    // RFC 5267's CONTEXT=SEARCH has the positive range only, and no FETCH modifier
    let mut c = selected("ESEARCH CONTEXT=SEARCH");
    let tag = c
        .uid_search_page(PartialRange::first(1, 50), &unseen)
        .unwrap();
    assert_eq!(
        sent(&mut c),
        format!(
            "{} UID SEARCH RETURN (PARTIAL 1:50) UNSEEN\r\n",
            tag.as_str()
        )
    );
    not_advertised(
        c.uid_search_page(PartialRange::last(1, 50), &unseen),
        "PARTIAL",
    );
    not_advertised(
        c.uid_fetch_page(1.., PartialRange::first(1, 3), &flags),
        "PARTIAL",
    );
    // the same by hand-built commands: SORT under CONTEXT=SORT, ESEARCH under MULTISEARCH
    let mut c = selected("SORT ESORT CONTEXT=SORT MULTISEARCH");
    let sort = |r: &str| {
        cmd(format!("x UID SORT RETURN (PARTIAL {r}) (DATE) UTF-8 ALL\r\n").as_bytes())
            .body
            .into_owned()
    };
    c.send(sort("1:10")).unwrap();
    assert!(sent(&mut c).ends_with(" UID SORT RETURN (PARTIAL 1:10) (DATE) UTF-8 ALL\r\n"));
    not_advertised(c.send(sort("-1:-10")), "PARTIAL");
    let multi = cmd(b"x ESEARCH IN (personal) RETURN (PARTIAL 1:10) ALL\r\n")
        .body
        .into_owned();
    not_advertised(c.send(multi.clone()), "PARTIAL");
    // PARTIAL advertised: every form goes out
    let mut c = selected("SORT ESORT MULTISEARCH PARTIAL");
    c.send(sort("-1:-10")).unwrap();
    c.send(multi).unwrap();
    let wire = sent(&mut c);
    assert!(
        wire.contains(" UID SORT RETURN (PARTIAL -1:-10) (DATE) UTF-8 ALL\r\n"),
        "{wire}"
    );
    assert!(
        wire.contains(" ESEARCH IN (PERSONAL) RETURN (PARTIAL 1:10) ALL\r\n"),
        "{wire}"
    );
}

#[test]
fn client_pages_a_search_and_reads_typed_pages() {
    // RFC 9394 §3.1: page through UNDELETED messages, first from the oldest,
    // then the newest hundred; the server's lines are written by hand.
    let mut c = selected("IMAP4rev2 PARTIAL");
    let undeleted = SearchQuery::new().undeleted();
    let t1 = c
        .uid_search_page(PartialRange::first(1, 500), &undeleted)
        .unwrap();
    let t1 = t1.as_str().to_owned();
    assert_eq!(
        sent(&mut c),
        format!("{t1} UID SEARCH RETURN (PARTIAL 1:500) UNDELETED\r\n")
    );
    c.handle_input(
        format!("* ESEARCH (TAG \"{t1}\") UID PARTIAL (1:500 200:250,252:300)\r\n{t1} OK done\r\n")
            .as_bytes(),
    );
    let pages: Vec<_> = client_events(&mut c)
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Data {
                data: Data::ESearch(e),
                ..
            } => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].tag.as_ref().unwrap().as_bytes(), t1.as_bytes());
    assert!(pages[0].uid);
    let (range, uids) = pages[0].partial().unwrap();
    assert_eq!(range, PartialRange::first(1, 500));
    assert_eq!(uids.unwrap().as_str(), "200:250,252:300");
    // past the end: NIL
    let t2 = c
        .uid_search_page(PartialRange::first(501, 1000), &undeleted)
        .unwrap()
        .as_str()
        .to_owned();
    sent(&mut c);
    c.handle_input(
        format!("* ESEARCH (TAG \"{t2}\") UID PARTIAL (501:1000 NIL)\r\n{t2} OK done\r\n")
            .as_bytes(),
    );
    let page = client_events(&mut c)
        .into_iter()
        .find_map(|e| match e {
            ClientEvent::Data {
                data: Data::ESearch(e),
                ..
            } => e.partial(),
            _ => None,
        })
        .unwrap();
    assert_eq!(page, (PartialRange::first(501, 1000), None));
    // §3.1: C: A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk
    let q = SearchQuery::new()
        .undeleted()
        .key(SearchKey::Unkeyword(Atom::new("$Junk").unwrap()));
    let t3 = c
        .uid_search_page(PartialRange::last(1, 100), &q)
        .unwrap()
        .as_str()
        .to_owned();
    assert_eq!(
        sent(&mut c),
        format!("{t3} UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk\r\n")
    );
    c.handle_input(
        format!("* ESEARCH (TAG \"{t3}\") UID PARTIAL (-1:-100 55700:55799)\r\n{t3} OK done\r\n")
            .as_bytes(),
    );
    let ev = client_events(&mut c);
    let page = ev
        .iter()
        .find_map(|e| match e {
            ClientEvent::Data {
                data: Data::ESearch(e),
                ..
            } => e.partial(),
            _ => None,
        })
        .unwrap();
    assert_eq!(page.0, PartialRange::last(1, 100));
    assert_eq!(page.1.unwrap().as_str(), "55700:55799");
    assert!(
        ev.iter()
            .any(|e| matches!(e, ClientEvent::Completed { tag, .. } if tag.as_str() == t3)),
        "{ev:?}"
    );
}

#[test]
fn client_pages_a_fetch() {
    // RFC 9394 §3.3: C: 10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)
    let mut c = selected("IMAP4rev2 PARTIAL");
    let tag = c
        .uid_fetch_page(
            25900..=26600,
            PartialRange::last(1, 3),
            &FetchQuery::new().uid().flags(),
        )
        .unwrap()
        .as_str()
        .to_owned();
    assert_eq!(
        sent(&mut c),
        format!("{tag} UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n")
    );
    c.handle_input(
        format!(
            "* 12 FETCH (UID 26600 FLAGS (\\Seen))\r\n* 11 FETCH (UID 26599 FLAGS ())\r\n* 10 FETCH (UID 26597 FLAGS ())\r\n{tag} OK done\r\n"
        )
        .as_bytes(),
    );
    let ev = client_events(&mut c);
    let fetched = ev
        .iter()
        .filter(|e| {
            matches!(
                e,
                ClientEvent::Data {
                    data: Data::Fetch { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(fetched, 3);
}

// ---------------------------------------------------------------- server

/// A server (pre-authenticated) with INBOX selected.
fn server(config: ServerConfig) -> Server {
    let mut s = Server::new(config.greeting(Greeting::PreAuth).autologout(None));
    server_output(&mut s);
    s.handle_input(b"s SELECT INBOX\r\n");
    let Some(ServerEvent::Command(c)) = s.poll_event().unwrap() else {
        panic!()
    };
    let tag = c.tag.as_str().to_owned();
    s.complete(&tag, StatusKind::Ok, None, "selected").unwrap();
    server_output(&mut s);
    s
}

/// The commands that reach the application from `input`; each answered OK.
fn to_app(s: &mut Server, input: &[u8]) -> Vec<Command<'static>> {
    s.handle_input(input);
    let mut v = Vec::new();
    while let Some(ev) = s.poll_event().unwrap() {
        if let ServerEvent::Command(c) = ev.into_owned() {
            v.push(c);
        }
    }
    v
}

#[test]
fn server_advertises_partial_when_configured() {
    let mut s = Server::new(ServerConfig::default().partial(true).autologout(None));
    let greeting = server_output(&mut s);
    assert!(greeting.contains(" PARTIAL"), "{greeting}");
    s.handle_input(b"a CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    let caps = server_output(&mut s);
    assert!(
        caps.contains("* CAPABILITY ") && caps.contains(" PARTIAL"),
        "{caps}"
    );
    let mut s = Server::new(ServerConfig::default().autologout(None));
    s.handle_input(b"a CAPABILITY\r\n");
    while s.poll_event().unwrap().is_some() {}
    assert!(!server_output(&mut s).contains("PARTIAL"));
}

#[test]
fn server_hands_partial_to_the_app_typed_and_sends_its_pages() {
    let mut s = server(ServerConfig::default().partial(true));
    // RFC 9394 §3.1 and §3.3, the client's lines written by hand
    let cmds = to_app(
        &mut s,
        b"A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk\r\n",
    );
    let [c] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(c.body.partial(), Some(PartialRange::last(1, 100)));
    // the app answers with typed ESEARCH data
    s.send_untagged_data(&Data::ESearch(ESearch {
        tag: Some(IString::from("A04")),
        mailbox: None,
        uid: true,
        data: List::from_items(vec![SearchReturnData::Partial {
            range: c.body.partial().unwrap(),
            results: Some(SequenceSet::new("55700:55799").unwrap()),
        }]),
    }))
    .unwrap();
    s.complete("A04", StatusKind::Ok, None, "done").unwrap();
    assert_eq!(
        server_output(&mut s),
        "* ESEARCH (TAG \"A04\") UID PARTIAL (-1:-100 55700:55799)\r\nA04 OK done\r\n"
    );
    // NIL: nothing in the window
    let cmds = to_app(
        &mut s,
        b"A03 UID SEARCH RETURN (PARTIAL 24001:24500) UNDELETED\r\n",
    );
    assert_eq!(
        cmds[0].body.partial(),
        Some(PartialRange::first(24001, 24500))
    );
    s.send_untagged_data(&Data::ESearch(ESearch {
        tag: Some(IString::from("A03")),
        mailbox: None,
        uid: true,
        data: List::from_items(vec![SearchReturnData::Partial {
            range: PartialRange::first(24001, 24500),
            results: None,
        }]),
    }))
    .unwrap();
    s.complete("A03", StatusKind::Ok, None, "done").unwrap();
    assert_eq!(
        server_output(&mut s),
        "* ESEARCH (TAG \"A03\") UID PARTIAL (24001:24500 NIL)\r\nA03 OK done\r\n"
    );
    // the FETCH modifier
    let cmds = to_app(
        &mut s,
        b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n",
    );
    let CommandBody::Fetch {
        partial: Some(p),
        set,
        ..
    } = &cmds[0].body
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (*p, set.as_str()),
        (PartialRange::last(1, 3), "25900:26600")
    );
    s.complete("10", StatusKind::Ok, None, "done").unwrap();
    // SORT
    let cmds = to_app(
        &mut s,
        b"B1 UID SORT RETURN (PARTIAL 1:20) (REVERSE DATE) UTF-8 ALL\r\n",
    );
    assert_eq!(cmds[0].body.partial(), Some(PartialRange::first(1, 20)));
}

#[test]
fn server_answers_bad_to_hostile_partial() {
    let mut s = server(ServerConfig::default().partial(true));
    for (n, bad) in [
        "SEARCH RETURN (PARTIAL 0:5) ALL",
        "SEARCH RETURN (PARTIAL -0:-5) ALL",
        "SEARCH RETURN (PARTIAL 1:4294967296) ALL",
        "SEARCH RETURN (PARTIAL -1:5) ALL",
        "SEARCH RETURN (PARTIAL 1:*) ALL",
        "SEARCH RETURN (PARTIAL) ALL",
        "SEARCH RETURN (PARTIAL 1:5 ALL) ALL",
        "SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL",
        "UID SORT RETURN (PARTIAL -0:-1) (DATE) UTF-8 ALL",
        "UID FETCH 1:* FLAGS (PARTIAL 0:5)",
        "UID FETCH 1:* FLAGS (PARTIAL -1:-0)",
        "UID FETCH 1:* FLAGS (PARTIAL)",
        "UID FETCH 1:* FLAGS (PARTIAL 1:2 PARTIAL 3:4)",
    ]
    .iter()
    .enumerate()
    {
        let tag = format!("h{n}");
        let cmds = to_app(&mut s, format!("{tag} {bad}\r\n").as_bytes());
        assert!(cmds.is_empty(), "{bad}: reached the app");
        let answer = server_output(&mut s);
        assert!(answer.starts_with(&format!("{tag} BAD")), "{bad}: {answer}");
    }
    // the session goes on
    let cmds = to_app(&mut s, b"ok UID SEARCH RETURN (PARTIAL 1:5) ALL\r\n");
    assert_eq!(cmds.len(), 1);
}

#[test]
fn server_without_partial_refuses_what_it_did_not_advertise() {
    let mut s = server(ServerConfig::default());
    for (tag, line) in [
        ("f", "UID FETCH 1:* FLAGS (PARTIAL 1:5)"),
        ("g", "UID SEARCH RETURN (PARTIAL -1:-5) ALL"),
        ("h", "UID SEARCH RETURN (PARTIAL 1:5) ALL"),
        ("i", "UID SORT RETURN (PARTIAL 1:5) (DATE) UTF-8 ALL"),
    ] {
        let cmds = to_app(&mut s, format!("{tag} {line}\r\n").as_bytes());
        assert!(cmds.is_empty(), "{line}");
        let answer = server_output(&mut s);
        assert!(
            answer.starts_with(&format!("{tag} BAD")),
            "{line}: {answer}"
        );
    }
    // a server offering CONTEXT=SEARCH takes RFC 5267's positive range only
    let mut s = server(ServerConfig::default().capabilities(vec!["CONTEXT=SEARCH".into()]));
    let cmds = to_app(&mut s, b"h UID SEARCH RETURN (PARTIAL 1:5) ALL\r\n");
    assert_eq!(cmds[0].body.partial(), Some(PartialRange::first(1, 5)));
    s.complete("h", StatusKind::Ok, None, "done").unwrap();
    server_output(&mut s);
    assert!(to_app(&mut s, b"g UID SEARCH RETURN (PARTIAL -1:-5) ALL\r\n").is_empty());
    assert!(server_output(&mut s).starts_with("g BAD"));
    // naming PARTIAL among the capabilities works as the flag does
    let mut s = server(ServerConfig::default().capabilities(vec!["PARTIAL".into()]));
    assert_eq!(
        to_app(&mut s, b"f UID FETCH 1:* FLAGS (PARTIAL -1:-5)\r\n").len(),
        1
    );
}

/// The server side of RFC 9394's own dialogues (§3.1, §3.3, §3.4), taken
/// from the RFC text: the ESEARCH answers of §3.1 and the UID FETCH
/// modifiers of §3.3/§3.4 (CHANGEDSINCE before or after PARTIAL: "the order
/// of PARTIAL and CHANGEDSINCE FETCH modifiers in the UID FETCH command is
/// not important").
#[test]
fn rfc_9394_dialogues_from_its_text() {
    // S: * ESEARCH (TAG "A04") UID PARTIAL (24000:24500 NIL)
    // "No results are present; this is beyond the end of the results."
    let e = esearch(b"* ESEARCH (TAG \"A04\") UID PARTIAL (24000:24500 NIL)\r\n");
    assert!(e.uid);
    let (range, results) = e.partial().expect("typed PARTIAL data");
    assert_eq!(range, PartialRange::first(24000, 24500));
    assert!(results.is_none());
    // S: * ESEARCH (TAG "A03") UID PARTIAL (1:500 ...), with a real set
    let e = esearch(b"* ESEARCH (TAG \"A03\") UID PARTIAL (1:500 3:7,9,11:20)\r\n");
    let (range, results) = e.partial().expect("typed PARTIAL data");
    assert_eq!(range, PartialRange::first(1, 500));
    assert_eq!(results.expect("a set").as_str(), "3:7,9,11:20");

    // C: 10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)
    let c = cmd(b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n");
    assert_eq!(c.body.partial(), Some(PartialRange::last(1, 3)));
    // C: 11 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL 1:5)
    let c = cmd(b"11 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL 1:5)\r\n");
    assert_eq!(c.body.partial(), Some(PartialRange::first(1, 5)));
    // C: 101 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-30 CHANGEDSINCE 98305)
    // and the same with the modifiers the other way round
    for line in [
        &b"101 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-30 CHANGEDSINCE 98305)\r\n"[..],
        b"101 UID FETCH 25900:26600 (UID FLAGS) (CHANGEDSINCE 98305 PARTIAL -1:-30)\r\n",
    ] {
        let c = cmd(line);
        assert_eq!(c.body.partial(), Some(PartialRange::last(1, 30)));
        let CommandBody::Fetch {
            uid, changed_since, ..
        } = &c.body
        else {
            panic!("{:?}", c.body)
        };
        assert!(*uid);
        assert_eq!(*changed_since, Some(98305));
        // and it is written back in a form that parses to the same command
        let again = emit_cmd(&c);
        assert_eq!(cmd(&again).into_owned(), c.clone().into_owned());
    }
}
