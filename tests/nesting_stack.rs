//! Issue 15, item 5: no setting of the nesting depth lets a peer overflow the
//! stack.
//!
//! `ParseOptions::nesting_depth` / `Limits::nesting_depth` used to be taken up
//! to 65 535; raised, a BODYSTRUCTURE nested 1 279 levels aborted the process
//! on a 2 MiB thread (tokio's worker default). Now every setting is clamped to
//! `ParseOptions::MAX_NESTING_DEPTH`, and everything that recurses over a
//! nested value is proven here on a thread with a 256 KiB stack, an eighth of
//! that default: for each recursive rule of the grammar, a value nested at
//! the maximum is parsed (with the maximum, 65 535 and `usize::MAX` as the
//! setting), visited, read lazily, converted with `IntoOwned`, emitted back to
//! the same bytes, cloned, compared, printed and dropped; the same rule nested
//! one level deeper, 10 000 and 1 000 000 levels deep (the million as the
//! opening of each level, what a peer sends before the parser gives up) is
//! refused with `LimitKind::NestingDepth` reporting the maximum. The client and server
//! machines get the same inputs from a hostile peer. This file runs in the
//! debug build (`cargo test`) and in release (`cargo test --release --test
//! nesting_stack`, a step of .ci/run): debug builds need the most stack.
//!
//! The recursive rules, as RFC 9051 §9 and RFC 5256 §5 write them:
//!
//! ```text
//! body             = "(" (body-type-1part / body-type-mpart) ")"
//! body-type-mpart  = 1*body SP media-subtype [SP body-ext-mpart]
//! body-type-msg    = media-message SP body-fields SP envelope SP body SP body-fld-lines
//! body-extension   = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
//! search-key       = ... / "NOT" SP search-key / "OR" SP search-key SP search-key /
//!                    ... / "(" search-key *(SP search-key) ")"
//! thread-list      = "(" (thread-members / thread-nested) ")"
//! thread-members   = nz-number *(SP nz-number) [SP thread-nested]
//! thread-nested    = 2*thread-list
//! tagged-ext-comp  = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
//! ```
//!
//! Unknown FETCH items are read as the generic parenthesised values of RFC
//! 9051 §2.2.5 / RFC 4466 (`tagged-ext-comp` above) and skipped.
//!
//! A test that overflows does not fail politely: the process aborts with
//! "has overflowed its stack", which fails the run.

use mailwire::Error;
use mailwire::error::LimitKind;
use mailwire::imap::emit::{EmitOptions, emit_command, emit_response};
use mailwire::imap::{
    Address, AddressField, AddressList, BodyStructure, Client, ClientConfig, ClientEvent,
    CommandBody, Data, Envelope, FetchItem, FetchVisitor, IntoOwned, Lazy, List, MultiPart,
    ParseOptions, Response, SearchKey, Server, ServerConfig, ServerEvent, SinglePart, Specific,
    StatusKind, Thread, parse_command, parse_response, parse_response_with,
};

/// The stack every test here runs on.
const STACK: usize = 256 * 1024;
/// The deepest nesting any setting allows.
const MAX: usize = ParseOptions::MAX_NESTING_DEPTH;
/// Settings at and above the maximum: all mean the maximum.
const SETTINGS: [usize; 3] = [MAX, 65_535, usize::MAX];
/// Depths beyond the maximum that a peer may send.
const BEYOND: [usize; 3] = [MAX + 1, 10_000, 1_000_000];

/// Runs `f` on a thread with a [`STACK`]-byte stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("256 KiB stack".into())
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic on the small stack")
}

fn opts(depth: usize) -> ParseOptions {
    let mut o = ParseOptions::default();
    o.nesting_depth = depth;
    o
}

fn is_depth_error(e: &Error, max: usize) -> bool {
    *e == Error::limit(LimitKind::NestingDepth, max)
}

// ---------------------------------------------------------------------------
// The recursive rules, as wire bytes nested `levels` levels of the budget
// ---------------------------------------------------------------------------

const TEXT_PART: &str =
    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)";

thread_local! {
    /// Set by [`opening`]: builders write the opening of every level only.
    static OPENING_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `levels` levels: the opening of each level from the outermost in
/// (`open(l, out)` for level `l`, the outermost being `levels - 1`), the
/// innermost value, then the closing of each from the innermost out (built
/// in linear time: a million levels are built here). Under [`opening`] only
/// the openings.
fn nest(
    levels: usize,
    open: impl Fn(usize, &mut String),
    inner: &str,
    close: impl Fn(usize, &mut String),
) -> String {
    let mut s = String::new();
    for l in (1..levels).rev() {
        open(l, &mut s);
    }
    if OPENING_ONLY.get() {
        return s;
    }
    s.push_str(inner);
    for l in 1..levels {
        close(l, &mut s);
    }
    s
}

/// A rule nested `levels` levels beyond the maximum: whole, or for a
/// million levels its [`opening`].
fn beyond(levels: usize, build: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    if levels >= 1_000_000 {
        opening(levels, build)
    } else {
        build(levels)
    }
}

/// What a peer that opens `levels` levels sends before the parser gives
/// up: `build(levels)` without its innermost value and closings (a million
/// levels of the longer rules would take hundreds of megabytes whole).
fn opening(levels: usize, build: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    OPENING_ONLY.set(true);
    let frame = build(levels);
    OPENING_ONLY.set(false);
    frame
}

const TEXT_MIXED: &str = " \"MIXED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)";
const MESSAGE_HEAD: &str = "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"re: fwd\" ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<id@example.com>\") ";
const GLOBAL_HEAD: &str = "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"8BIT\" 300 (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"re: fwd\" ((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<id@example.com>\") ";
const MESSAGE_TAIL: &str = " 9 NIL NIL NIL NIL)";

/// `body-type-mpart` inside `body-type-mpart`: each level a multipart whose
/// first part is the next level, with a text part after it.
fn multiparts(levels: usize) -> String {
    nest(
        levels,
        |_, s| s.push('('),
        TEXT_PART,
        |_, s| {
            s.push_str(TEXT_PART);
            s.push_str(TEXT_MIXED);
        },
    )
}

/// `body-type-msg` inside `body-type-msg`: a forwarded message forwarded again.
fn messages(levels: usize) -> String {
    nest(
        levels,
        |_, s| s.push_str(MESSAGE_HEAD),
        TEXT_PART,
        |_, s| s.push_str(MESSAGE_TAIL),
    )
}

/// Message/global parts and multiparts taking turns.
fn alternating(levels: usize) -> String {
    nest(
        levels,
        |l, s| s.push_str(if l % 2 == 0 { "(" } else { GLOBAL_HEAD }),
        TEXT_PART,
        |l, s| {
            s.push_str(if l % 2 == 0 {
                " \"ALTERNATIVE\" (\"BOUNDARY\" \"a\") NIL NIL NIL)"
            } else {
                MESSAGE_TAIL
            })
        },
    )
}

/// BODY (no extension data): multiparts.
fn body_multiparts(levels: usize) -> String {
    const PART: &str = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)";
    nest(
        levels,
        |_, s| s.push('('),
        PART,
        |_, s| {
            s.push_str(PART);
            s.push_str(" \"MIXED\")");
        },
    )
}

/// `n` nested parentheses around `inner`.
fn parens(n: usize, inner: &str) -> String {
    nest(n + 1, |_, s| s.push('('), inner, |_, s| s.push(')'))
}

fn fetch(item: &str, value: &str) -> Vec<u8> {
    format!("* 7 FETCH (UID 42 {item} {value})\r\n").into_bytes()
}

/// `thread-list` inside `thread-list`: `(1 (2)(3 (4)(5 ...)))`, RFC 5256's
/// `thread-nested = 2*thread-list` at every level.
fn threads(levels: usize) -> String {
    nest(
        levels,
        |l, s| {
            let l = levels - l;
            s.push_str(&format!("({} ({})", 2 * l - 1, 2 * l));
        },
        &format!("({})", 2 * levels),
        |_, s| s.push(')'),
    )
}

/// A search program nested `levels` levels: `NOT` on `NOT`.
fn nots(levels: usize) -> String {
    nest(levels, |_, s| s.push_str("NOT "), "SEEN", |_, _| {})
}

/// `OR` nested in the second key: `OR SEEN OR SEEN ... DRAFT`.
fn ors_right(levels: usize) -> String {
    nest(levels, |_, s| s.push_str("OR SEEN "), "DRAFT", |_, _| {})
}

/// `OR` nested in the first key: `OR OR OR DRAFT SEEN SEEN SEEN`.
fn ors_left(levels: usize) -> String {
    nest(
        levels,
        |_, s| s.push_str("OR "),
        "DRAFT",
        |_, s| s.push_str(" SEEN"),
    )
}

/// Parenthesised lists in parenthesised lists.
fn key_lists(levels: usize) -> String {
    nest(
        levels,
        |_, s| s.push_str("(UNSEEN "),
        "SEEN",
        |_, s| s.push(')'),
    )
}

/// All three forms taking turns.
fn keys_mixed(levels: usize) -> String {
    nest(
        levels,
        |l, s| {
            s.push_str(match l % 3 {
                0 => "NOT ",
                1 => "OR ",
                _ => "(SINCE 1-Feb-1994 ",
            })
        },
        "SEEN",
        |l, s| {
            s.push_str(match l % 3 {
                0 => "",
                1 => " LARGER 100",
                _ => ")",
            })
        },
    )
}

fn search(program: &str) -> Vec<u8> {
    format!("A1 SEARCH {program}\r\n").into_bytes()
}

/// What a rule's value is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A FETCH response with a BODY or BODYSTRUCTURE.
    Body,
    /// A `* THREAD` response.
    Thread,
    /// A SEARCH command.
    Search,
    /// A response or command whose nested part is skipped (kept raw).
    Skipped,
}

/// One recursive rule: its name, what it is, and its wire form nested a
/// given number of levels of the depth budget.
struct Rule {
    name: &'static str,
    kind: Kind,
    command: bool,
    wire: fn(usize) -> Vec<u8>,
}

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            name: "BODYSTRUCTURE multiparts",
            kind: Kind::Body,
            command: false,
            wire: |n| fetch("BODYSTRUCTURE", &multiparts(n)),
        },
        Rule {
            name: "BODYSTRUCTURE message/rfc822 parts",
            kind: Kind::Body,
            command: false,
            wire: |n| fetch("BODYSTRUCTURE", &messages(n)),
        },
        Rule {
            name: "BODYSTRUCTURE multiparts and message/global parts",
            kind: Kind::Body,
            command: false,
            wire: |n| fetch("BODYSTRUCTURE", &alternating(n)),
        },
        Rule {
            name: "BODY multiparts",
            kind: Kind::Body,
            command: false,
            wire: |n| fetch("BODY", &body_multiparts(n)),
        },
        Rule {
            name: "body-extension lists",
            kind: Kind::Skipped,
            command: false,
            // the body is one level, its extension data the others
            wire: |n| {
                fetch(
                    "BODYSTRUCTURE",
                    &format!(
                        "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL {})",
                        parens(n - 1, "1 \"x\"")
                    ),
                )
            },
        },
        Rule {
            name: "an unknown FETCH item",
            kind: Kind::Skipped,
            command: false,
            wire: |n| fetch("X-GM-UNKNOWN", &parens(n, "NIL 1 \"x\"")),
        },
        Rule {
            name: "THREAD",
            kind: Kind::Thread,
            command: false,
            wire: |n| format!("* THREAD {}(9)\r\n", threads(n)).into_bytes(),
        },
        Rule {
            name: "search NOT",
            kind: Kind::Search,
            command: true,
            wire: |n| search(&nots(n)),
        },
        Rule {
            name: "search OR, nested in the second key",
            kind: Kind::Search,
            command: true,
            wire: |n| search(&ors_right(n)),
        },
        Rule {
            name: "search OR, nested in the first key",
            kind: Kind::Search,
            command: true,
            wire: |n| search(&ors_left(n)),
        },
        Rule {
            name: "search parenthesised lists",
            kind: Kind::Search,
            command: true,
            wire: |n| search(&key_lists(n)),
        },
        Rule {
            name: "search NOT, OR and lists",
            kind: Kind::Search,
            command: true,
            wire: |n| search(&keys_mixed(n)),
        },
        Rule {
            name: "SELECT parameter (tagged-ext-comp)",
            kind: Kind::Skipped,
            command: true,
            wire: |n| format!("A1 SELECT INBOX (X-PARAM {})\r\n", parens(n, "a 1")).into_bytes(),
        },
    ]
}

// ---------------------------------------------------------------------------
// Walking a value without recursion in the test itself (only the crate's own
// stack use per level is measured)
// ---------------------------------------------------------------------------

/// Levels, parts and message parts of a body structure, read lazily.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    /// The wire bytes of each multipart's parts.
    parts_raw: Vec<Vec<u8>>,
    depth: usize,
    parts: usize,
    multiparts: usize,
    messages: usize,
    addresses: usize,
}

fn body_shape(b: &BodyStructure<'_>) -> Shape {
    let mut shape = Shape::default();
    let mut todo = vec![(b.clone(), 1)];
    while let Some((b, level)) = todo.pop() {
        shape.depth = shape.depth.max(level);
        match b {
            BodyStructure::Multi(m) => {
                shape.multiparts += 1;
                shape
                    .parts_raw
                    .push(m.parts.raw().unwrap_or_default().to_vec());
                todo.extend(m.parts.iter().map(|p| (p, level + 1)));
            }
            BodyStructure::Single(s) => {
                shape.parts += 1;
                if let Specific::Message { envelope, body, .. } = &s.specific {
                    shape.messages += 1;
                    let e = envelope.get();
                    shape.addresses += [e.from, e.sender, e.reply_to, e.to, e.cc, e.bcc]
                        .iter()
                        .map(AddressList::len)
                        .sum::<usize>();
                    todo.push((body.get(), level + 1));
                }
            }
        }
    }
    shape
}

fn key_depth(k: &SearchKey<'_>) -> usize {
    let mut max = 0;
    let mut todo = vec![(k.clone(), 1)];
    while let Some((k, level)) = todo.pop() {
        max = usize::max(max, level);
        match k {
            SearchKey::Not(a) => todo.push((a.get(), level + 1)),
            SearchKey::Or(a, b) => todo.extend([(a.get(), level + 1), (b.get(), level + 1)]),
            SearchKey::And(l) => todo.extend(l.iter().map(|k| (k, level + 1))),
            _ => {}
        }
    }
    max
}

fn thread_depth(t: &Thread<'_>) -> (usize, usize) {
    let (mut max, mut members) = (0, 0);
    let mut todo = vec![(t.clone(), 1)];
    while let Some((t, level)) = todo.pop() {
        max = usize::max(max, level);
        members += t.members.len();
        todo.extend(t.children.iter().map(|c| (c, level + 1)));
    }
    (max, members)
}

/// How deep a parsed (or owned) value nests, read lazily.
fn depth_of(kind: Kind, r: &Parsed<'_>) -> usize {
    match (kind, r) {
        (Kind::Body, Parsed::Response(Response::Data(Data::Fetch { items, .. }))) => items
            .iter()
            .map(|i| match i {
                FetchItem::BodyStructure(b) | FetchItem::Body(b) => body_shape(&b).depth,
                _ => 0,
            })
            .sum(),
        (Kind::Thread, Parsed::Response(Response::Data(Data::Thread(l)))) => {
            l.iter().map(|t| thread_depth(&t).0).max().unwrap_or(0)
        }
        (Kind::Search, Parsed::Command(c)) => match &c.body {
            CommandBody::Search { criteria, .. } => {
                criteria.iter().map(|k| key_depth(&k)).max().unwrap_or(0)
            }
            other => panic!("not a search: {other:?}"),
        },
        (Kind::Skipped, _) => 0,
        (kind, r) => panic!("{kind:?}: unexpected {r:?}"),
    }
}

/// A parsed response or command.
#[derive(Clone, Debug, PartialEq)]
enum Parsed<'a> {
    Response(Response<'a>),
    Command(mailwire::imap::Command<'a>),
}

impl Parsed<'_> {
    fn parse<'a>(frame: &'a [u8], command: bool, o: &ParseOptions) -> Result<Parsed<'a>, Error> {
        if command {
            parse_command(frame, o).map(Parsed::Command)
        } else {
            parse_response(frame, o).map(Parsed::Response)
        }
    }
    fn emit(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        match self {
            Parsed::Response(r) => emit_response(r, &mut out, &EmitOptions::default())?,
            Parsed::Command(c) => emit_command(c, &mut out, &EmitOptions::default())?,
        };
        Ok(out)
    }
    fn into_owned(self) -> Parsed<'static> {
        match self {
            Parsed::Response(r) => Parsed::Response(r.into_owned()),
            Parsed::Command(c) => Parsed::Command(c.into_owned()),
        }
    }
}

/// Counts what a visitor is handed.
#[derive(Default)]
struct Counter {
    /// The wire bytes of each multipart's parts, as handed over.
    parts_raw: Vec<Vec<u8>>,
    parts: usize,
    multiparts_started: usize,
    multiparts_ended: usize,
    messages: usize,
    envelopes: usize,
    addresses: usize,
    items: usize,
}

impl<'a> FetchVisitor<'a> for Counter {
    fn item(&mut self, _: FetchItem<'a>) {
        self.items += 1;
    }
    fn address(&mut self, _: AddressField, _: Address<'a>) {
        self.addresses += 1;
    }
    fn envelope(&mut self, _: &Envelope<'a>) {
        self.envelopes += 1;
    }
    fn multipart_start(&mut self) {
        self.multiparts_started += 1;
    }
    fn multipart_end(&mut self, m: &MultiPart<'a>) {
        self.multiparts_ended += 1;
        self.parts_raw
            .push(m.parts.raw().unwrap_or_default().to_vec());
    }
    fn message_start(&mut self) {
        self.messages += 1;
    }
    fn part(&mut self, _: &SinglePart<'a>) {
        self.parts += 1;
    }
}

// ---------------------------------------------------------------------------
// The codec
// ---------------------------------------------------------------------------

/// At the maximum, with every setting at or above it: the value parses, and
/// everything that runs over it fits on the small stack and gives the right
/// answer.
#[test]
fn every_rule_at_the_maximum_fits_a_256_kib_stack() {
    for rule in rules() {
        let frame = (rule.wire)(MAX);
        let (name, kind, command) = (rule.name, rule.kind, rule.command);
        on_small_stack(move || {
            let parsed = Parsed::parse(&frame, command, &opts(MAX))
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            for setting in SETTINGS {
                let again = Parsed::parse(&frame, command, &opts(setting)).unwrap();
                assert_eq!(again, parsed, "{name}, setting {setting}");
            }
            // read lazily, level by level
            if kind != Kind::Skipped {
                assert_eq!(depth_of(kind, &parsed), MAX, "{name}");
            }
            // emitted back, byte for byte (the builders write the canonical form)
            assert_eq!(
                String::from_utf8_lossy(&parsed.emit().unwrap()),
                String::from_utf8_lossy(&frame),
                "{name}"
            );
            // the same value owned: converted, emitted, compared, cloned, printed, dropped
            let owned = parsed.clone().into_owned();
            // (a value and its owned copy have different lifetimes; the
            // owned ones compare, the parsed ones compared above)
            assert_eq!(owned, parsed.clone().into_owned(), "{name}");
            assert_eq!(owned.emit().unwrap(), frame, "{name}");
            if kind != Kind::Skipped {
                assert_eq!(depth_of(kind, &owned), MAX, "{name}");
            }
            let copy = owned.clone();
            assert_eq!(copy, owned);
            assert_eq!(format!("{owned:?}"), format!("{parsed:?}"), "{name}");
            assert_eq!(format!("{owned:#?}"), format!("{parsed:#?}"), "{name}");
            drop(copy);
            drop(owned);
        });
    }
}

/// One level deeper than the maximum, 10 000 and 1 000 000 levels: refused
/// with the maximum as the limit, whatever the setting.
#[test]
fn every_rule_beyond_the_maximum_is_a_nesting_depth_error() {
    for rule in rules() {
        let (name, command, wire) = (rule.name, rule.command, rule.wire);
        on_small_stack(move || {
            for levels in BEYOND {
                let frame = beyond(levels, wire);
                for setting in SETTINGS {
                    let e = Parsed::parse(&frame, command, &opts(setting))
                        .expect_err(&format!("{name}: {levels} levels"));
                    assert!(
                        is_depth_error(&e, MAX),
                        "{name}, {levels} levels, setting {setting}: {e:?}"
                    );
                }
            }
        });
    }
}

/// A setting below the maximum is the limit, exactly.
#[test]
fn a_smaller_setting_is_the_limit() {
    for rule in rules() {
        let (name, command, wire) = (rule.name, rule.command, rule.wire);
        on_small_stack(move || {
            for setting in [2, 9] {
                assert!(
                    Parsed::parse(&wire(setting), command, &opts(setting)).is_ok(),
                    "{name} at {setting}"
                );
                let e = Parsed::parse(&wire(setting + 1), command, &opts(setting)).unwrap_err();
                assert!(is_depth_error(&e, setting), "{name}: {e:?}");
            }
        });
    }
}

/// The one-pass visitor over the deepest body structures: every part, in
/// order, on the small stack; beyond the maximum the same error as
/// `parse_response`.
#[test]
fn the_visitor_at_and_beyond_the_maximum() {
    on_small_stack(|| {
        // a media type sent as a literal or in lower case takes the
        // visitor's other path for single parts: as deep on the same stack
        let literal_messages = nest(
            MAX,
            |_, s| s.push_str(&MESSAGE_HEAD.replacen("\"MESSAGE\"", "{7}\r\nMESSAGE", 1)),
            TEXT_PART,
            |_, s| s.push_str(MESSAGE_TAIL),
        );
        let lower_messages = nest(
            MAX,
            |_, s| {
                s.push_str(&MESSAGE_HEAD.replacen(
                    "\"MESSAGE\" \"RFC822\"",
                    "\"message\" \"rfc822\"",
                    1,
                ))
            },
            TEXT_PART,
            |_, s| s.push_str(MESSAGE_TAIL),
        );
        for (name, value) in [
            ("multiparts", multiparts(MAX)),
            ("messages", messages(MAX)),
            ("alternating", alternating(MAX)),
            ("messages, media type as a literal", literal_messages),
            ("messages, media type in lower case", lower_messages),
        ] {
            let frame = fetch("BODYSTRUCTURE", &value);
            let mut seen = Counter::default();
            let r = parse_response_with(&frame, &opts(usize::MAX), &mut seen).unwrap();
            assert_eq!(r, parse_response(&frame, &opts(MAX)).unwrap());
            let Response::Data(Data::Fetch { items, .. }) = &r else {
                panic!("{r:?}")
            };
            let Some(FetchItem::BodyStructure(b)) = items.iter().nth(1) else {
                panic!("{items:?}")
            };
            let shape = body_shape(&b);
            assert_eq!(shape.depth, MAX, "{name}");
            assert_eq!(seen.parts, shape.parts, "{name}");
            assert_eq!(seen.multiparts_started, shape.multiparts, "{name}");
            assert_eq!(seen.multiparts_ended, shape.multiparts, "{name}");
            assert_eq!(seen.messages, shape.messages, "{name}");
            assert_eq!(seen.envelopes, shape.messages, "{name}");
            assert_eq!(seen.addresses, shape.addresses, "{name}");
            assert_eq!(seen.items, 2, "{name}");
            // the multiparts handed over are the ones read lazily, bytes and all
            let (mut handed, mut read) = (seen.parts_raw, shape.parts_raw);
            handed.sort();
            read.sort();
            assert!(
                handed == read,
                "{name}: the multiparts handed over are not the ones read lazily"
            );
        }
        for levels in BEYOND {
            for value in [multiparts, messages, alternating] {
                let frame = beyond(levels, |n| fetch("BODYSTRUCTURE", &value(n)));
                let e = parse_response_with(&frame, &opts(usize::MAX), &mut Counter::default())
                    .unwrap_err();
                assert!(is_depth_error(&e, MAX), "{levels}: {e:?}");
            }
        }
    });
}

/// The counts a FETCH visitor sees for the multipart rule, against the
/// grammar: `body-type-mpart = 1*body SP media-subtype`, each level one
/// multipart of two parts.
#[test]
fn the_deepest_multipart_has_the_parts_the_grammar_says() {
    on_small_stack(|| {
        let frame = fetch("BODYSTRUCTURE", &multiparts(MAX));
        let r = parse_response(&frame, &opts(MAX)).unwrap();
        let Response::Data(Data::Fetch { items, .. }) = &r else {
            panic!()
        };
        let Some(FetchItem::BodyStructure(b)) = items.iter().nth(1) else {
            panic!()
        };
        let shape = body_shape(&b);
        // MAX - 1 multiparts of two parts each, the innermost level a text part
        assert_eq!(shape.multiparts, MAX - 1);
        assert_eq!(shape.parts, MAX);
    });
}

// ---------------------------------------------------------------------------
// Values the application builds
// ---------------------------------------------------------------------------

fn not_chain(levels: usize) -> SearchKey<'static> {
    let mut k = SearchKey::Seen;
    for _ in 1..levels {
        k = SearchKey::Not(Lazy::new(k));
    }
    k
}

fn list_chain(levels: usize) -> SearchKey<'static> {
    let mut k = SearchKey::Seen;
    for _ in 1..levels {
        k = SearchKey::And(List::from_items(vec![SearchKey::Unseen, k]));
    }
    k
}

fn search_command(key: SearchKey<'static>) -> mailwire::imap::Command<'static> {
    mailwire::imap::Command {
        tag: mailwire::imap::Tag::new("A1").unwrap(),
        body: CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: List::from_items(vec![key]),
        },
    }
}

fn emit(c: &mailwire::imap::Command<'_>) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    emit_command(c, &mut out, &EmitOptions::default())?;
    Ok(out)
}

/// A search key the application nests to the maximum is emitted as the
/// grammar writes it and parses back; one level deeper, the emitter refuses
/// it (no peer would accept it) instead of recursing.
#[test]
fn built_search_keys_at_and_beyond_the_maximum() {
    on_small_stack(|| {
        for (key, wire) in [
            (not_chain(MAX), nots(MAX)),
            (list_chain(MAX), key_lists(MAX)),
        ] {
            let c = search_command(key);
            let out = emit(&c).unwrap();
            assert_eq!(out, search(&wire));
            let back = parse_command(&out, &opts(MAX)).unwrap();
            assert_eq!(back.into_owned(), c);
        }
        for key in [not_chain(MAX + 1), list_chain(MAX + 1)] {
            assert_eq!(
                emit(&search_command(key)),
                Err(Error::Emit(mailwire::error::Unemittable::TooDeep))
            );
        }
    });
}

/// Body structures and threads the application nests one level deeper
/// than the maximum are refused by the emitters too; at the maximum they
/// are written as the grammar says and parse back.
#[test]
fn built_bodies_and_threads_at_and_beyond_the_maximum() {
    fn text() -> BodyStructure<'static> {
        let Ok(Response::Data(Data::Fetch { items, .. })) = parse_response(
            b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1))\r\n",
            &opts(MAX),
        ) else {
            panic!()
        };
        let Some(FetchItem::Body(b)) = items.iter().next() else {
            panic!()
        };
        b.into_owned()
    }
    fn body_chain(levels: usize) -> BodyStructure<'static> {
        let mut b = text();
        for _ in 1..levels {
            b = BodyStructure::Multi(MultiPart {
                parts: List::from_items(vec![b, text()]),
                subtype: mailwire::imap::IString::from("MIXED"),
                params: None,
                ext: Default::default(),
            });
        }
        b
    }
    fn thread_chain(levels: usize) -> Thread<'static> {
        let mut t = Thread {
            members: List::from_items(vec![2 * levels as u32]),
            children: List::empty(),
        };
        for level in (1..levels).rev() {
            let sibling = Thread {
                members: List::from_items(vec![2 * level as u32]),
                children: List::empty(),
            };
            t = Thread {
                members: List::from_items(vec![2 * level as u32 - 1]),
                children: List::from_items(vec![sibling, t]),
            };
        }
        t
    }
    fn emit_r(r: &Response<'_>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        emit_response(r, &mut out, &EmitOptions::default())?;
        Ok(out)
    }
    on_small_stack(|| {
        let fetch_of = |b| {
            Response::Data(Data::Fetch {
                seq: 7,
                items: List::from_items(vec![FetchItem::Body(b)]),
            })
        };
        let threads_of = |t| Response::Data(Data::Thread(List::from_items(vec![t])));
        let at = fetch_of(body_chain(MAX));
        let out = emit_r(&at).unwrap();
        assert_eq!(
            out,
            format!("* 7 FETCH (BODY {})\r\n", body_multiparts(MAX)).into_bytes()
        );
        assert_eq!(parse_response(&out, &opts(MAX)).unwrap().into_owned(), at);
        let at = threads_of(thread_chain(MAX));
        let out = emit_r(&at).unwrap();
        assert_eq!(out, format!("* THREAD {}\r\n", threads(MAX)).into_bytes());
        assert_eq!(parse_response(&out, &opts(MAX)).unwrap().into_owned(), at);
        let refused = Err(Error::Emit(mailwire::error::Unemittable::TooDeep));
        assert_eq!(emit_r(&fetch_of(body_chain(MAX + 1))), refused);
        assert_eq!(emit_r(&threads_of(thread_chain(MAX + 1))), refused);
    });
}

/// Far beyond the maximum, an application's own value: the emitter refuses
/// it after MAX levels and `IntoOwned` converts it on the heap, neither
/// using the stack per level. (Dropping it recurses once per level, like
/// any nested Rust value: a `Drop` impl that walked it on the heap would
/// keep every borrowed event alive until dropped, and the machines hand out
/// borrowed events. So these values are forgotten, not dropped, on the
/// small stack.)
#[test]
fn built_values_far_beyond_the_maximum_are_refused_without_recursion() {
    on_small_stack(|| {
        for levels in [10_000, 1_000_000] {
            let c = search_command(not_chain(levels));
            assert!(matches!(emit(&c), Err(Error::Emit(_))), "{levels}");
            let owned = c.into_owned();
            assert!(matches!(emit(&owned), Err(Error::Emit(_))), "{levels}");
            std::mem::forget(owned);
        }
    });
}

// ---------------------------------------------------------------------------
// The machines, against a hostile peer
// ---------------------------------------------------------------------------

fn drain_client(c: &mut Client) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(b) = c.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

/// A server that nests BODYSTRUCTURE and THREAD as deep as it likes, with
/// the client's limit set as high as it goes: the deepest allowed arrive
/// whole; deeper ones cost that response (`MalformedResponse`), never the
/// stack, and the session goes on.
#[test]
fn a_hostile_server_cannot_overflow_the_client() {
    on_small_stack(|| {
        let mut config = ClientConfig::default();
        config.limits.nesting_depth = usize::MAX;
        config.limits.reply_line = 64 << 20;
        config.limits.input_buffer = 64 << 20;
        let mut c = Client::new(config);
        c.handle_input(b"* OK [CAPABILITY IMAP4rev1 THREAD=REFERENCES] ready\r\n");
        assert!(matches!(c.poll_event(), Ok(Some(ClientEvent::Greeting(_)))));
        let tag = c.noop().unwrap();
        drain_client(&mut c);

        let deepest = [
            fetch("BODYSTRUCTURE", &multiparts(MAX)),
            fetch("BODYSTRUCTURE", &messages(MAX)),
            fetch("BODYSTRUCTURE", &alternating(MAX)),
            fetch("BODY", &body_multiparts(MAX)),
            format!("* THREAD {}\r\n", threads(MAX)).into_bytes(),
        ];
        for frame in &deepest {
            c.handle_input(frame);
            let event = c.poll_event().unwrap().expect("an event");
            let ClientEvent::Data { data, .. } = &event else {
                panic!("{event:?}")
            };
            let depth = match data {
                Data::Fetch { items, .. } => match items.iter().nth(1) {
                    Some(FetchItem::BodyStructure(b) | FetchItem::Body(b)) => body_shape(&b).depth,
                    other => panic!("{other:?}"),
                },
                Data::Thread(l) => thread_depth(&l.iter().next().unwrap()).0,
                other => panic!("{other:?}"),
            };
            assert_eq!(depth, MAX);
            let printed = format!("{event:?}");
            let owned = event.into_owned();
            assert_eq!(format!("{owned:?}"), printed);
        }
        for levels in BEYOND {
            let mut frames = vec![
                beyond(levels, |n| fetch("BODYSTRUCTURE", &multiparts(n))),
                beyond(levels, |n| {
                    format!("* THREAD {}\r\n", threads(n)).into_bytes()
                }),
            ];
            // (a million message parts open in 220 MB; 10 000 make the point)
            if levels < 1_000_000 {
                frames.push(fetch("BODYSTRUCTURE", &messages(levels)));
            }
            for frame in frames {
                c.handle_input(&frame);
                let event = c.poll_event().unwrap().expect("an event");
                match &event {
                    ClientEvent::MalformedResponse {
                        raw,
                        error,
                        completed,
                    } => {
                        assert_eq!(raw.len(), frame.len());
                        assert_eq!(error.expected, "nesting within Limits::nesting_depth");
                        assert_eq!(*completed, None);
                    }
                    // a frame over Limits::response_line is skipped before
                    // any parsing: it costs that response, never the stack
                    ClientEvent::OversizedResponse {
                        error, completed, ..
                    } => {
                        assert!(frame.len() > mailwire::Limits::DEFAULT.response_line);
                        assert_eq!(
                            *error,
                            mailwire::Error::limit(
                                mailwire::error::LimitKind::ResponseLine,
                                mailwire::Limits::DEFAULT.response_line
                            )
                        );
                        assert_eq!(*completed, None);
                    }
                    _ => panic!("{levels}: {event:?}"),
                }
            }
        }
        // a FETCH whose BODY[] literal is streamed: the items before it are
        // parsed on their own (the head), as deep as the others
        let body = vec![b'x'; 100_000];
        for (levels, ok) in [(MAX, true), (MAX + 1, false), (10_000, false)] {
            let mut frame = format!(
                "* 9 FETCH (BODYSTRUCTURE {} BODY[] {{{}}}\r\n",
                multiparts(levels),
                body.len()
            )
            .into_bytes();
            frame.extend_from_slice(&body);
            frame.extend_from_slice(b")\r\n");
            c.handle_input(&frame);
            let mut depth = None;
            let mut malformed = false;
            let mut streamed = 0;
            while let Some(event) = c.poll_event().unwrap() {
                match &event {
                    ClientEvent::FetchBodyChunk(b) => streamed += b.len(),
                    ClientEvent::FetchBodyStart { .. } | ClientEvent::FetchBodyEnd { .. } => {}
                    ClientEvent::Data {
                        data: Data::Fetch { items, .. },
                        ..
                    } => {
                        for item in items.iter() {
                            if let FetchItem::BodyStructure(b) = item {
                                depth = Some(body_shape(&b).depth);
                            }
                        }
                    }
                    // (the machine names the streamed head's error
                    // "a literal within Limits::inline_literal")
                    ClientEvent::MalformedResponse { .. } => malformed = true,
                    // 10 000 levels are longer than Limits::response_line:
                    // the response is refused as a whole, also without recursion
                    ClientEvent::OversizedResponse { .. } if levels == 10_000 => malformed = true,
                    other => panic!("{levels}: {other:?}"),
                }
                let _ = format!("{:?}", event.into_owned());
            }
            if ok {
                assert_eq!((depth, malformed, streamed), (Some(MAX), false, body.len()));
            } else {
                assert!(malformed && depth.is_none(), "{levels}");
            }
        }
        c.handle_input(format!("{} OK NOOP completed\r\n", tag.as_str()).as_bytes());
        assert!(matches!(
            c.poll_event(),
            Ok(Some(ClientEvent::Completed {
                status: StatusKind::Ok,
                ..
            }))
        ));
    });
}

fn drain_server(s: &mut Server) -> String {
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A client that nests search keys as deep as it likes, with the server's
/// limit set as high as it goes: the deepest allowed reach the application
/// whole; deeper ones get the protocol's answer (`BAD`), never a stack
/// overflow, and the session goes on.
#[test]
fn a_hostile_client_cannot_overflow_the_server() {
    on_small_stack(|| {
        let mut config = ServerConfig::default();
        config.plaintext_requires_tls = false;
        config.autologout = None;
        config.limits.nesting_depth = usize::MAX;
        config.limits.command_line = 64 << 20;
        config.limits.input_buffer = 64 << 20;
        let mut s = Server::new(config);
        drain_server(&mut s);
        s.handle_input(b"a1 LOGIN mrc secret\r\n");
        let Some(ServerEvent::Login { .. }) = s.poll_event().unwrap() else {
            panic!()
        };
        s.complete("a1", StatusKind::Ok, None, "LOGIN done")
            .unwrap();
        s.handle_input(b"a2 SELECT INBOX\r\n");
        let Some(ServerEvent::Command(_)) = s.poll_event().unwrap() else {
            panic!()
        };
        s.complete("a2", StatusKind::Ok, None, "SELECT done")
            .unwrap();
        drain_server(&mut s);

        let programs: [fn(usize) -> String; 5] = [nots, ors_right, ors_left, key_lists, keys_mixed];
        for program in programs {
            s.handle_input(&search(&program(MAX)));
            let event = s.poll_event().unwrap().expect("the command");
            let ServerEvent::Command(cmd) = &event else {
                panic!("{event:?}")
            };
            let CommandBody::Search { criteria, .. } = &cmd.body else {
                panic!("{cmd:?}")
            };
            assert_eq!(key_depth(&criteria.iter().next().unwrap()), MAX);
            let printed = format!("{event:?}");
            let owned = event.into_owned();
            assert_eq!(format!("{owned:?}"), printed);
            s.complete("A1", StatusKind::Ok, None, "SEARCH done")
                .unwrap();
            assert_eq!(drain_server(&mut s), "A1 OK SEARCH done\r\n");
        }
        for levels in BEYOND {
            for program in programs {
                s.handle_input(&beyond(levels, |n| search(&program(n))));
                assert!(s.poll_event().unwrap().is_none(), "{levels}");
                assert_eq!(
                    drain_server(&mut s),
                    "A1 BAD command too complex: nesting depth limit of 64 exceeded\r\n"
                );
            }
        }
        s.handle_input(b"a9 NOOP\r\n");
        assert!(matches!(s.poll_event(), Ok(Some(ServerEvent::Command(_)))));
        s.complete("a9", StatusKind::Ok, None, "NOOP done").unwrap();
        assert_eq!(drain_server(&mut s), "a9 OK NOOP done\r\n");
        assert!(matches!(
            s.state(),
            mailwire::imap::server::ServerState::Selected { .. }
        ));
    });
}
