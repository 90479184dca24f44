//! SEARCH keys (RFC 9051 §6.4.4): the `search-key` grammar a SEARCH program
//! is made of ([`SearchKey`]), with the MODSEQ key's entry
//! ([`ModSeqEntry`], [`EntryTypeReq`], RFC 7162 §3.1.5) and the `charset` of
//! a search program. SEARCH, SORT and THREAD all read and write their keys
//! here.
//!
//! ```
//! use mailwire::imap::{parse_command, parse_response, CommandBody, Data, ParseOptions, Response, SearchKey};
//!
//! // RFC 9051 §6.4.4: C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
//! let frame = b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n";
//! let CommandBody::Search { uid: false, criteria, .. } = parse_command(frame, &ParseOptions::STRICT).unwrap().body
//! else { panic!() };
//! let keys: Vec<SearchKey> = criteria.iter().collect();
//! assert_eq!(keys[0], SearchKey::Flagged);
//! assert!(matches!(keys[2], SearchKey::Not(_)));
//! // RFC 3501 §6.4.4: S: * SEARCH 2 84 882
//! let Response::Data(Data::Search { ids, .. }) = parse_response(b"* SEARCH 2 84 882\r\n", &ParseOptions::STRICT).unwrap()
//! else { panic!() };
//! assert_eq!(ids.iter().collect::<Vec<_>>(), [2, 84, 882]);
//! ```
//!
//! ```text
//! search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
//! charset        = atom / quoted
//! search-key     = "ALL" / "ANSWERED" / "BCC" SP astring / ... /
//!                  "NOT" SP search-key / "OR" SP search-key SP search-key /
//!                  sequence-set / "(" search-key *(SP search-key) ")"
//! ```
//! (RFC 9051 §9; the keys of RFC 7162 MODSEQ, RFC 5032 WITHIN and RFC 8474
//! EMAILID/THREADID are here too; SAVEDATE's keys have their room,
//! [`crate::imap::base::savedate`].)
//!
//! The SEARCH, SORT and THREAD commands (`parse::command`, `emit::command`)
//! call the rules of this room. The old paths (`types::command::SearchKey`,
//! ...) re-export these types.

use alloc::vec::Vec;

use crate::imap::syntax::core::{Atom, Date, Flag, IString, IntoOwned, Lazy, List, SequenceSet};

/// `search-key` (RFC 9051 §6.4.4, RFC 3501, RFC 7162 MODSEQ, RFC 5032 WITHIN,
/// RFC 8474 EMAILID/THREADID). Nested keys are [`Lazy`]/[`List`], so a parsed
/// search program allocates nothing.
///
/// ```
/// use mailwire::imap::{emit_command, Command, CommandBody, Date, EmitOptions, IString, Lazy, List, SearchKey, Tag};
///
/// // RFC 9051 §6.4.4: C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
/// let keys = vec![
///     SearchKey::Flagged,
///     SearchKey::Since(Date::new(1994, 2, 1).unwrap()),
///     SearchKey::Not(Lazy::new(SearchKey::From(IString::from("Smith")))),
/// ];
/// let body = CommandBody::Search { uid: false, return_options: None, charset: None, criteria: List::from_items(keys) };
/// let mut out = Vec::new();
/// emit_command(&Command { tag: Tag::new("A282").unwrap(), body }, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SearchKey<'a> {
    /// `ALL`
    All,
    /// `ANSWERED`
    Answered,
    /// `BCC astring`
    Bcc(IString<'a>),
    /// `BEFORE date`
    Before(Date),
    /// `BODY astring`
    Body(IString<'a>),
    /// `CC astring`
    Cc(IString<'a>),
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `FROM astring`
    From(IString<'a>),
    /// `HEADER field value`
    Header(IString<'a>, IString<'a>),
    /// `KEYWORD flag`
    Keyword(Atom<'a>),
    /// `LARGER n`
    Larger(u64),
    /// `NEW` (IMAP4rev1)
    New,
    /// `NOT key`
    Not(Lazy<'a, SearchKey<'a>>),
    /// `OLD` (IMAP4rev1)
    Old,
    /// `ON date`
    On(Date),
    /// `OR key key`
    Or(Lazy<'a, SearchKey<'a>>, Lazy<'a, SearchKey<'a>>),
    /// `RECENT` (IMAP4rev1)
    Recent,
    /// `SEEN`
    Seen,
    /// `SENTBEFORE date`
    SentBefore(Date),
    /// `SENTON date`
    SentOn(Date),
    /// `SENTSINCE date`
    SentSince(Date),
    /// `SINCE date`
    Since(Date),
    /// `SMALLER n`
    Smaller(u64),
    /// `SUBJECT astring`
    Subject(IString<'a>),
    /// `TEXT astring`
    Text(IString<'a>),
    /// `TO astring`
    To(IString<'a>),
    /// `UID set`
    Uid(SequenceSet<'a>),
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNKEYWORD flag`
    Unkeyword(Atom<'a>),
    /// `UNSEEN`
    Unseen,
    /// A bare sequence set.
    SequenceSet(SequenceSet<'a>),
    /// `( key *(SP key) )`
    And(List<'a, SearchKey<'a>>),
    /// `MODSEQ [entry-name entry-type-req] n` (RFC 7162 §3.1.5)
    ModSeq {
        /// `"/flags/\\draft" all`, if given.
        entry: Option<ModSeqEntry<'a>>,
        /// The mod-sequence value.
        modseq: u64,
    },
    /// `OLDER n` (RFC 5032)
    Older(u32),
    /// `YOUNGER n` (RFC 5032)
    Younger(u32),
    /// `UIDAFTER uid` (RFC 9738 MESSAGELIMIT): the messages whose UID is
    /// greater than `uid`, to page through a mailbox in steps below the
    /// message limit. Read with any 32-bit number; 0 is refused when
    /// emitted (`uniqueid = nz-number`).
    UidAfter(u32),
    /// `UIDBEFORE uid` (RFC 9738 MESSAGELIMIT): the messages whose UID is
    /// less than `uid`.
    UidBefore(u32),
    /// `EMAILID objectid` (RFC 8474 §6): the id is a bare
    /// `1*255(ALPHA / DIGIT / "_" / "-")`; another value is refused when
    /// emitted and does not parse.
    EmailId(IString<'a>),
    /// `THREADID objectid` (RFC 8474 §6), as [`EmailId`](Self::EmailId).
    ThreadId(IString<'a>),
    /// `SAVEDBEFORE`, `SAVEDON`, `SAVEDSINCE`, `SAVEDATESUPPORTED` (RFC 8514)
    SaveDate(crate::imap::base::savedate::SaveDateKey),
    /// `X-GM-RAW`, `X-GM-MSGID`, `X-GM-THRID`, `X-GM-LABELS` (Gmail)
    Gmail(crate::imap::base::gmail::GmailKey<'a>),
}

/// `search-modseq-ext = SP entry-name SP entry-type-req` (RFC 7162 §3.1.5):
/// the flag whose mod-sequence a `MODSEQ` search key looks at.
///
/// ```text
/// entry-name      = entry-flag-name
/// entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE
/// attr-flag       = "\\Answered" / "\\Flagged" / "\\Deleted" / "\\Seen" / "\\Draft" /
///                   attr-flag-keyword / attr-flag-extension
/// attr-flag-keyword   = atom
/// attr-flag-extension = "\\" atom
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ModSeqEntry<'a> {
    /// The flag of `"/flags/<flag>"` (`"/flags/\\draft"` is [`Flag::Draft`]).
    pub flag: Flag<'a>,
    /// Which metadata items to look at.
    pub entry_type: EntryTypeReq,
}

/// `entry-type-req = entry-type-resp / "all"`, `entry-type-resp = "priv" /
/// "shared"` (RFC 7162 §3.1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryTypeReq {
    /// `priv`: the private metadata item.
    Private,
    /// `shared`: the shared metadata item.
    Shared,
    /// `all`: the larger of both.
    All,
}

impl EntryTypeReq {
    /// The wire form (`priv`, `shared`, `all`).
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryTypeReq::Private => "priv",
            EntryTypeReq::Shared => "shared",
            EntryTypeReq::All => "all",
        }
    }
}

/// A loop over a stack on the heap, not a recursion: the stack it uses does
/// not grow with the depth of the key.
impl IntoOwned for SearchKey<'_> {
    type Owned = SearchKey<'static>;
    fn into_owned(self) -> Self::Owned {
        use SearchKey as S;
        /// What is left to do: convert a key, or put the converted keys
        /// nested in one back together.
        enum Step<'a> {
            Key(SearchKey<'a>),
            Not,
            Or,
            And(usize),
        }
        let mut todo = alloc::vec![Step::Key(self)];
        let mut done: Vec<SearchKey<'static>> = Vec::new();
        let pop = |done: &mut Vec<SearchKey<'static>>| done.pop().unwrap_or(S::All);
        while let Some(step) = todo.pop() {
            match step {
                Step::Key(S::Not(a)) => todo.extend([Step::Not, Step::Key(a.into_value())]),
                Step::Key(S::Or(a, b)) => {
                    let (a, b) = (a.into_value(), b.into_value());
                    todo.extend([Step::Or, Step::Key(b), Step::Key(a)]);
                }
                Step::Key(S::And(l)) => {
                    let keys = l.into_vec();
                    todo.push(Step::And(keys.len()));
                    todo.extend(keys.into_iter().rev().map(Step::Key));
                }
                Step::Key(k) => done.push(leaf_key_owned(k)),
                Step::Not => {
                    let a = pop(&mut done);
                    done.push(S::Not(Lazy::new(a)));
                }
                Step::Or => {
                    let b = pop(&mut done);
                    let a = pop(&mut done);
                    done.push(S::Or(Lazy::new(a), Lazy::new(b)));
                }
                Step::And(n) => {
                    let keys = done.split_off(done.len().saturating_sub(n));
                    done.push(S::And(List::from_items(keys)));
                }
            }
        }
        pop(&mut done)
    }
}

/// A key that nests no other, converted (the loop of
/// [`SearchKey::into_owned`] takes the others apart first).
fn leaf_key_owned(k: SearchKey<'_>) -> SearchKey<'static> {
    use SearchKey as S;
    match k {
        S::All => S::All,
        S::Answered => S::Answered,
        S::Bcc(s) => S::Bcc(s.into_owned()),
        S::Before(d) => S::Before(d),
        S::Body(s) => S::Body(s.into_owned()),
        S::Cc(s) => S::Cc(s.into_owned()),
        S::Deleted => S::Deleted,
        S::Draft => S::Draft,
        S::Flagged => S::Flagged,
        S::From(s) => S::From(s.into_owned()),
        S::Header(a, b) => S::Header(a.into_owned(), b.into_owned()),
        S::Keyword(a) => S::Keyword(a.into_owned()),
        S::Larger(n) => S::Larger(n),
        S::New => S::New,
        S::Old => S::Old,
        S::On(d) => S::On(d),
        S::Recent => S::Recent,
        S::Seen => S::Seen,
        S::SentBefore(d) => S::SentBefore(d),
        S::SentOn(d) => S::SentOn(d),
        S::SentSince(d) => S::SentSince(d),
        S::Since(d) => S::Since(d),
        S::Smaller(n) => S::Smaller(n),
        S::Subject(s) => S::Subject(s.into_owned()),
        S::Text(s) => S::Text(s.into_owned()),
        S::To(s) => S::To(s.into_owned()),
        S::Uid(s) => S::Uid(s.into_owned()),
        S::Unanswered => S::Unanswered,
        S::Undeleted => S::Undeleted,
        S::Undraft => S::Undraft,
        S::Unflagged => S::Unflagged,
        S::Unkeyword(a) => S::Unkeyword(a.into_owned()),
        S::Unseen => S::Unseen,
        S::SequenceSet(s) => S::SequenceSet(s.into_owned()),
        S::ModSeq { entry, modseq } => S::ModSeq {
            entry: entry.into_owned(),
            modseq,
        },
        S::Older(n) => S::Older(n),
        S::Younger(n) => S::Younger(n),
        S::UidAfter(n) => S::UidAfter(n),
        S::UidBefore(n) => S::UidBefore(n),
        S::EmailId(s) => S::EmailId(s.into_owned()),
        S::ThreadId(s) => S::ThreadId(s.into_owned()),
        S::SaveDate(k) => S::SaveDate(k),
        S::Gmail(k) => S::Gmail(k.into_owned()),
        // taken apart by the loop of `into_owned`
        k @ (S::Not(_) | S::Or(..) | S::And(_)) => k.into_owned(),
    }
}

crate::owned::owned_copy!(EntryTypeReq);

crate::owned::into_owned! {
    inherent struct ModSeqEntry { flag, entry_type }
}

/// The grammar of SEARCH keys.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::branch::alt;
    use nom::combinator::{cond, map, value};
    use nom::sequence::{preceded, terminated};

    use super::{EntryTypeReq, ModSeqEntry, SearchKey};
    use crate::imap::syntax::core::Atom;
    use crate::imap::syntax::core::{Flag, IString, Lazy, List, Sep};
    use crate::imap::syntax::input::{
        In, R, byte, consumed, descend, expect, kw, sp, take_while, upcase_prefix, word,
    };
    use crate::imap::syntax::rules::sp_word;
    use crate::imap::syntax::rules::{
        astring, atom, date, flag, number, number64, quoted, sequence_set, spaced_list1,
    };

    /// ```text
    /// search-modseq-ext = SP entry-name SP entry-type-req   ; after "MODSEQ"
    /// entry-flag-name   = DQUOTE "/flags/" attr-flag DQUOTE
    /// attr-flag         = "\\Answered" / "\\Flagged" / "\\Deleted" / "\\Seen" / "\\Draft" /
    ///                     attr-flag-keyword / attr-flag-extension
    /// attr-flag-extension = "\\" atom
    /// entry-type-req    = "priv" / "shared" / "all"
    /// ```
    /// The flag is read from the quoted string in place (its only escape is the
    /// doubled backslash), so it borrows; a single backslash is accepted under
    /// [`Quirks::lone_backslash`].
    fn modseq_entry(i: In<'_>) -> R<'_, ModSeqEntry<'_>> {
        let (start, _) = (
            byte(b'"', "entry-name"),
            expect("\"/flags/\"", kw(b"/flags/")),
        )
            .parse(i)?;
        let mut i = start;
        if i.peek() == Some(b'\\') {
            if i.peek_at(1) == Some(b'\\') {
                i = i.skip(1);
            } else if !i.q().lone_backslash {
                return i.err("'\\\\'");
            }
        }
        let (i, flag) = flag(i)?;
        if flag == Flag::Wildcard {
            return start.err("attr-flag");
        }
        let entry_type_req = expect(
            "entry-type-req",
            alt((
                value(EntryTypeReq::Private, word(b"priv")),
                value(EntryTypeReq::Shared, word(b"shared")),
                value(EntryTypeReq::All, word(b"all")),
            )),
        );
        let (i, (_, _, entry_type)) = (byte(b'"', "'\"'"), sp, entry_type_req).parse(i)?;
        Ok((i, ModSeqEntry { flag, entry_type }))
    }

    /// `charset = atom / quoted`
    pub(crate) fn charset(i: In<'_>) -> R<'_, IString<'_>> {
        if i.peek() == Some(b'"') {
            quoted(i)
        } else {
            map(consumed(atom), |(raw, _)| IString(Cow::Borrowed(raw))).parse(i)
        }
    }

    /// `1*(SP search-key)`
    pub(crate) fn search_keys(i: In<'_>) -> R<'_, List<'_, SearchKey<'_>>> {
        spaced_list1(i, search_key, "SP search-key")
    }

    /// ```text
    /// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
    ///              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword /
    ///              "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring /
    ///              "TEXT" SP astring / "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
    ///              "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" / "HEADER" SP header-fld-name SP astring /
    ///              "LARGER" SP number64 / "NOT" SP search-key / "OR" SP search-key SP search-key /
    ///              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date / "SMALLER" SP number64 /
    ///              "UID" SP sequence-set / "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")"
    /// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer   ; RFC 7162
    /// ```
    /// Nested at most the depth budget: `NOT`, `OR` and each parenthesised list
    /// are one level. One frame of this function and one of [`key_not`],
    /// [`key_or`] or [`key_and`] stay on the stack per level; they keep a few
    /// words and no combinator, closure or `?` temporary (debug builds give each
    /// its own frame or slot), and the other keys are read by [`key_leaf`],
    /// which returns before the next level starts.
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    pub(crate) fn search_key(i: In<'_>) -> R<'_, SearchKey<'_>> {
        let depth = i.st.depth;
        let i = match descend(i) {
            Ok(i) => i,
            Err(e) => return Err(e),
        };
        let mut r = match key_start(&i) {
            KeyStart::And => key_and(i),
            KeyStart::Not(rest) => key_not(rest),
            KeyStart::Or(rest) => key_or(rest),
            KeyStart::Leaf => key_leaf(i),
        };
        // the depth restored in place (the key is not moved again)
        if let Ok((rest, _)) = &mut r {
            rest.st.depth = depth;
        }
        r
    }

    /// How a search key starts: a recursive form, or any other key.
    enum KeyStart<'a> {
        /// `(`
        And,
        /// `NOT`, and the input after it.
        Not(In<'a>),
        /// `OR`, and the input after it.
        Or(In<'a>),
        /// Anything else.
        Leaf,
    }

    /// The [`KeyStart`] of the key at `i` (a keyword is the whole run of
    /// letters, as [`key_leaf`] reads it).
    #[inline]
    fn key_start<'a>(i: &In<'a>) -> KeyStart<'a> {
        match i.peek() {
            Some(b'(') => KeyStart::And,
            Some(b'N' | b'n' | b'O' | b'o') => {
                let (rest, name) = take_while(*i, |b| b.is_ascii_alphabetic());
                if name.eq_ignore_ascii_case(b"NOT") {
                    KeyStart::Not(rest)
                } else if name.eq_ignore_ascii_case(b"OR") {
                    KeyStart::Or(rest)
                } else {
                    KeyStart::Leaf
                }
            }
            _ => KeyStart::Leaf,
        }
    }

    /// `SP search-key` after `NOT`: the key kept as its wire bytes.
    fn key_not(i: In<'_>) -> R<'_, SearchKey<'_>> {
        if i.peek() != Some(b' ') {
            return i.err("SP");
        }
        let i = i.skip(1);
        match search_key(i) {
            Ok((rest, _)) => Ok((rest, SearchKey::Not(lazy_key(i, &rest)))),
            Err(e) => Err(e),
        }
    }

    /// `SP search-key SP search-key` after `OR`: the keys kept as their wire
    /// bytes.
    fn key_or(i: In<'_>) -> R<'_, SearchKey<'_>> {
        if i.peek() != Some(b' ') {
            return i.err("SP");
        }
        let a = i.skip(1);
        let i = match search_key(a) {
            Ok((rest, _)) => rest,
            Err(e) => return Err(e),
        };
        if i.peek() != Some(b' ') {
            return i.err("SP");
        }
        let b = i.skip(1);
        match search_key(b) {
            Ok((rest, _)) => Ok((rest, SearchKey::Or(lazy_key(a, &i), lazy_key(b, &rest)))),
            Err(e) => Err(e),
        }
    }

    /// `"(" search-key *(SP search-key) ")"`: the keys validated, kept as a
    /// lazy list.
    fn key_and(i: In<'_>) -> R<'_, SearchKey<'_>> {
        let start = i.skip(1);
        let mut i = start;
        if i.peek() == Some(b')') {
            return i.err("list element");
        }
        let discard = i.st.discard;
        loop {
            i.st.discard = true;
            match search_key(i) {
                Ok((rest, _)) => i = rest,
                Err(e) => return Err(e),
            }
            i.st.discard = discard;
            if i.peek() == Some(b')') {
                break;
            }
            if i.peek() != Some(b' ') {
                return i.err("SP");
            }
            i = i.skip(1);
        }
        Ok((i.skip(1), key_list(start, &i)))
    }

    /// The key that was read between `start` and `end`, kept as its wire bytes.
    #[inline(never)]
    fn lazy_key<'a>(start: In<'a>, end: &In<'a>) -> Lazy<'a, SearchKey<'a>> {
        Lazy::wire(start.upto(end), search_key, start.ctx())
    }

    /// The keys of a parenthesised list between `start` and `end`.
    #[inline(never)]
    fn key_list<'a>(start: In<'a>, end: &In<'a>) -> SearchKey<'a> {
        SearchKey::And(List::wire(
            start.upto(end),
            search_key,
            Sep::Space,
            end.ctx(),
        ))
    }

    /// A search key that does not nest (and, on an unknown keyword, the error).
    #[inline(never)]
    fn key_leaf(i: In<'_>) -> R<'_, SearchKey<'_>> {
        use SearchKey as K;
        if let Some(b'0'..=b'9' | b'*' | b'$') = i.peek() {
            return map(sequence_set, K::SequenceSet).parse(i);
        }
        let start = i;
        if let Some(b'X' | b'x') = i.peek() {
            // the Gmail keys' names have dashes (`X-GM-RAW`)
            let (rest, name) = take_while(i, |b| b.is_ascii_alphabetic() || b == b'-');
            if let (rest, Some(k)) = crate::imap::base::gmail::parse::search_key(rest, name)? {
                return Ok((rest, K::Gmail(k)));
            }
        }
        let name_at = i.rest;
        let (mut i, name) = take_while(i, |b| b.is_ascii_alphabetic());
        let mut buf = [0u8; 16];
        // `SP` and an argument
        macro_rules! arg {
            ($f:expr) => {{
                if i.peek() != Some(b' ') {
                    return i.err("SP");
                }
                let (rest, v) = $f(i.skip(1))?;
                i = rest;
                v
            }};
        }
        let k = match upcase_prefix(name_at, name.len(), &mut buf) {
            b"ALL" => K::All,
            b"ANSWERED" => K::Answered,
            b"BCC" => K::Bcc(arg!(astring)),
            b"BEFORE" => K::Before(arg!(date)),
            b"BODY" => K::Body(arg!(astring)),
            b"CC" => K::Cc(arg!(astring)),
            b"DELETED" => K::Deleted,
            b"DRAFT" => K::Draft,
            b"FLAGGED" => K::Flagged,
            b"FROM" => K::From(arg!(astring)),
            b"HEADER" => {
                let f = arg!(astring);
                K::Header(f, arg!(astring))
            }
            b"KEYWORD" => K::Keyword(arg!(atom)),
            b"LARGER" => K::Larger(arg!(number64)),
            b"NEW" => K::New,
            b"OLD" => K::Old,
            b"ON" => K::On(arg!(date)),
            b"RECENT" => K::Recent,
            b"SEEN" => K::Seen,
            b"SENTBEFORE" => K::SentBefore(arg!(date)),
            b"SENTON" => K::SentOn(arg!(date)),
            b"SENTSINCE" => K::SentSince(arg!(date)),
            b"SINCE" => K::Since(arg!(date)),
            b"SMALLER" => K::Smaller(arg!(number64)),
            b"SUBJECT" => K::Subject(arg!(astring)),
            b"TEXT" => K::Text(arg!(astring)),
            b"TO" => K::To(arg!(astring)),
            b"UID" => K::Uid(arg!(sequence_set)),
            b"UNANSWERED" => K::Unanswered,
            b"UNDELETED" => K::Undeleted,
            b"UNDRAFT" => K::Undraft,
            b"UNFLAGGED" => K::Unflagged,
            b"UNKEYWORD" => K::Unkeyword(arg!(atom)),
            b"UNSEEN" => K::Unseen,
            b"MODSEQ" => {
                // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
                // search-modseq-ext  = SP entry-name SP entry-type-req
                let (r, ()) = sp(i)?;
                let (r, entry) =
                    cond(r.peek() == Some(b'"'), terminated(modseq_entry, sp)).parse(r)?;
                let (r, modseq) = number64(r)?;
                i = r;
                K::ModSeq { entry, modseq }
            }
            b"OLDER" => K::Older(arg!(number)),
            b"YOUNGER" => K::Younger(arg!(number)),
            // RFC 9738's keys; their argument's rule was not confirmed from
            // the RFC text. Read as a 32-bit number, 0 included (Stalwart
            // accepts `UIDAFTER 0`); written only as a `uniqueid`
            // (nz-number, RFC 9051).
            b"UIDAFTER" => K::UidAfter(arg!(number)),
            b"UIDBEFORE" => K::UidBefore(arg!(number)),
            // search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid
            // (RFC 8474 §7): a bare objectid, never a quoted string or literal
            b"EMAILID" => K::EmailId(arg!(crate::imap::syntax::rules::objectid)),
            b"THREADID" => K::ThreadId(arg!(crate::imap::syntax::rules::objectid)),
            _ => {
                if let (rest, Some(k)) = crate::imap::base::savedate::parse::search_key(i, name)? {
                    i = rest;
                    K::SaveDate(k)
                } else {
                    return start.err("search-key");
                }
            }
        };
        Ok((i, k))
    }

    /// The search program after SEARCH (or UID SEARCH): the ESEARCH return
    /// options, the charset and the keys (RFC 9051 §9, RFC 4731):
    ///
    /// ```text
    /// search         = "SEARCH" [search-return-opts] SP search-program
    /// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    /// ```
    #[allow(clippy::type_complexity)]
    pub(crate) fn search_program(
        i: In<'_>,
    ) -> R<
        '_,
        (
            Option<List<'_, Atom<'_>>>,
            Option<IString<'_>>,
            List<'_, SearchKey<'_>>,
        ),
    > {
        // (the keywords are looked for only where their first letter is)
        let (i, return_options) = match i.peek_at(1) {
            Some(b'R' | b'r') => match sp_word(i, b"RETURN") {
                Some(r) => map(
                    preceded(sp, crate::imap::base::partial::parse::return_options),
                    Some,
                )
                .parse(r)?,
                None => (i, None),
            },
            _ => (i, None),
        };
        let (i, charset) = match i.peek_at(1) {
            Some(b'C' | b'c') => match sp_word(i, b"CHARSET") {
                Some(r) => map(preceded(sp, charset), Some).parse(r)?,
                None => (i, None),
            },
            _ => (i, None),
        };
        let (i, criteria) = search_keys(i)?;
        Ok((i, (return_options, charset, criteria)))
    }
}

/// The emitter of SEARCH keys.
pub(crate) mod emit {
    use super::{ModSeqEntry, SearchKey};
    use crate::Error;
    use crate::imap::syntax::core::{Flag, IString, List};
    use crate::imap::syntax::write::W;

    /// `entry-name SP entry-type-req` of a MODSEQ search key (RFC 7162):
    /// `"/flags/\\seen" all`.
    fn modseq_entry(w: &mut W<'_>, e: &ModSeqEntry<'_>) -> Result<(), Error> {
        w.raw(b"\"/flags/");
        match &e.flag {
            Flag::Wildcard => {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "entry-flag-name",
                }));
            }
            Flag::Keyword(a) => w.atom(a)?,
            Flag::Extension(a) => {
                w.raw(b"\\\\");
                w.atom(a)?;
            }
            system => {
                // `\\Seen`: the backslash escaped inside the quoted string
                w.raw(b"\\");
                w.raw(system.wire_name().as_bytes());
            }
        }
        w.raw(b"\" ");
        w.raw(e.entry_type.as_str().as_bytes());
        Ok(())
    }

    pub(crate) fn charset_out(w: &mut W<'_>, cs: &IString<'_>) -> Result<(), Error> {
        let b = cs.as_bytes();
        if crate::imap::syntax::core::is_atom(b) {
            w.raw(b);
            Ok(())
        } else if w.quotable_ascii(b) {
            w.quoted(b);
            Ok(())
        } else {
            Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "charset",
            }))
        }
    }

    impl W<'_> {
        fn quotable_ascii(&self, b: &[u8]) -> bool {
            b.iter().all(|&c| (0x20..0x7f).contains(&c))
        }
    }

    pub(crate) fn keys(w: &mut W<'_>, l: &List<'_, SearchKey<'_>>) -> Result<(), Error> {
        if l.is_empty() {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "search key",
            }));
        }
        // by reference: a built key is not cloned
        l.try_each(|_, k| {
            w.sp();
            key(w, k)
        })
    }

    fn key(w: &mut W<'_>, k: &SearchKey<'_>) -> Result<(), Error> {
        key_at(w, k, 1)
    }

    /// A search key at nesting level `depth`. This frame (with
    /// [`lazy_key_at`]'s or [`keys_and`]'s) is what stays on the stack per level:
    /// the keys that do not nest are written by [`key_leaf`], and the results go
    /// through one variable, not `?` (debug builds give each temporary of `?`
    /// its own slot).
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    fn key_at(w: &mut W<'_>, k: &SearchKey<'_>, depth: usize) -> Result<(), Error> {
        use SearchKey as K;
        let r = crate::imap::syntax::write::check_depth(depth);
        if r.is_err() {
            return r;
        }
        match k {
            K::Not(inner) => {
                w.raw(b"NOT ");
                lazy_key_at(w, inner, depth + 1)
            }
            K::Or(a, b) => {
                w.raw(b"OR ");
                let r = lazy_key_at(w, a, depth + 1);
                if r.is_err() {
                    return r;
                }
                w.sp();
                lazy_key_at(w, b, depth + 1)
            }
            K::And(l) => keys_and(w, l, depth + 1),
            _ => key_leaf(w, k),
        }
    }

    /// A nested key: by reference when the application built it, else parsed
    /// again from its wire bytes.
    fn lazy_key_at(
        w: &mut W<'_>,
        k: &crate::imap::Lazy<'_, SearchKey<'_>>,
        depth: usize,
    ) -> Result<(), Error> {
        match k.value() {
            Some(k) => key_at(w, k, depth),
            None => lazy_key_wire(w, k, depth),
        }
    }

    /// [`lazy_key_at`] of a parsed key: the key in this frame.
    #[inline(never)]
    fn lazy_key_wire(
        w: &mut W<'_>,
        k: &crate::imap::Lazy<'_, SearchKey<'_>>,
        depth: usize,
    ) -> Result<(), Error> {
        let k = k.try_get();
        match &k {
            Some(k) => key_at(w, k, depth),
            None => Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "search-key",
            })),
        }
    }

    /// `"(" search-key *(SP search-key) ")"`, the keys at level `depth`.
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    fn keys_and(w: &mut W<'_>, l: &List<'_, SearchKey<'_>>, depth: usize) -> Result<(), Error> {
        let Some(items) = l.items() else {
            return keys_and_wire(w, l, depth);
        };
        if items.is_empty() {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "search key",
            }));
        }
        w.raw(b"(");
        for (i, k) in items.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            let r = key_at(w, k, depth);
            if r.is_err() {
                return r;
            }
        }
        w.raw(b")");
        Ok(())
    }

    /// [`keys_and`] of a parsed list: one key at a time in this frame.
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    #[inline(never)]
    fn keys_and_wire(
        w: &mut W<'_>,
        l: &List<'_, SearchKey<'_>>,
        depth: usize,
    ) -> Result<(), Error> {
        let mut it = l.iter();
        let mut first = true;
        loop {
            let k = it.next();
            let Some(k) = &k else {
                break;
            };
            w.raw(if first { b"(" } else { b" " });
            first = false;
            let r = key_at(w, k, depth);
            if r.is_err() {
                return r;
            }
        }
        if first {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "search key",
            }));
        }
        w.raw(b")");
        Ok(())
    }

    /// A search key that nests no other.
    #[inline(never)]
    fn key_leaf(w: &mut W<'_>, k: &SearchKey<'_>) -> Result<(), Error> {
        use SearchKey as K;
        let word_str = |w: &mut W<'_>, name: &[u8], s: &IString<'_>| -> Result<(), Error> {
            w.raw(name);
            w.sp();
            w.astring(s.as_bytes())
        };
        match k {
            K::All => w.raw(b"ALL"),
            K::Answered => w.raw(b"ANSWERED"),
            K::Bcc(s) => word_str(w, b"BCC", s)?,
            K::Before(d) => {
                w.raw(b"BEFORE ");
                w.date(d)?;
            }
            K::Body(s) => word_str(w, b"BODY", s)?,
            K::Cc(s) => word_str(w, b"CC", s)?,
            K::Deleted => w.raw(b"DELETED"),
            K::Draft => w.raw(b"DRAFT"),
            K::Flagged => w.raw(b"FLAGGED"),
            K::From(s) => word_str(w, b"FROM", s)?,
            K::Header(f, v) => {
                w.raw(b"HEADER ");
                w.astring(f.as_bytes())?;
                w.sp();
                w.astring(v.as_bytes())?;
            }
            K::Keyword(a) => {
                w.raw(b"KEYWORD ");
                w.atom(a)?;
            }
            K::Larger(n) => {
                w.raw(b"LARGER ");
                w.num(*n);
            }
            K::New => w.raw(b"NEW"),
            K::Old => w.raw(b"OLD"),
            K::On(d) => {
                w.raw(b"ON ");
                w.date(d)?;
            }
            K::Recent => w.raw(b"RECENT"),
            K::Seen => w.raw(b"SEEN"),
            K::SentBefore(d) => {
                w.raw(b"SENTBEFORE ");
                w.date(d)?;
            }
            K::SentOn(d) => {
                w.raw(b"SENTON ");
                w.date(d)?;
            }
            K::SentSince(d) => {
                w.raw(b"SENTSINCE ");
                w.date(d)?;
            }
            K::Since(d) => {
                w.raw(b"SINCE ");
                w.date(d)?;
            }
            K::Smaller(n) => {
                w.raw(b"SMALLER ");
                w.num(*n);
            }
            K::Subject(s) => word_str(w, b"SUBJECT", s)?,
            K::Text(s) => word_str(w, b"TEXT", s)?,
            K::To(s) => word_str(w, b"TO", s)?,
            K::Uid(s) => {
                w.raw(b"UID ");
                w.seq(s);
            }
            K::Unanswered => w.raw(b"UNANSWERED"),
            K::Undeleted => w.raw(b"UNDELETED"),
            K::Undraft => w.raw(b"UNDRAFT"),
            K::Unflagged => w.raw(b"UNFLAGGED"),
            K::Unkeyword(a) => {
                w.raw(b"UNKEYWORD ");
                w.atom(a)?;
            }
            K::Unseen => w.raw(b"UNSEEN"),
            K::SequenceSet(s) => w.seq(s),
            // written by `key_at`, which never hands them here
            K::Not(_) | K::Or(..) | K::And(_) => {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "search-key",
                }));
            }
            K::ModSeq { entry, modseq } => {
                w.raw(b"MODSEQ ");
                if let Some(e) = entry {
                    modseq_entry(w, e)?;
                    w.sp();
                }
                w.num(*modseq);
            }
            K::Older(n) => {
                w.raw(b"OLDER ");
                w.num(u64::from(*n));
            }
            K::UidAfter(n) | K::UidBefore(n) => {
                if *n == 0 {
                    return Err(Error::Emit(crate::error::Unemittable::Zero {
                        field: "uniqueid",
                    }));
                }
                w.raw(if matches!(k, K::UidAfter(_)) {
                    b"UIDAFTER "
                } else {
                    b"UIDBEFORE "
                });
                w.num(u64::from(*n));
            }
            K::Younger(n) => {
                w.raw(b"YOUNGER ");
                w.num(u64::from(*n));
            }
            K::EmailId(s) => {
                w.raw(b"EMAILID ");
                crate::imap::syntax::write::objectid(w, s)?;
            }
            K::ThreadId(s) => {
                w.raw(b"THREADID ");
                crate::imap::syntax::write::objectid(w, s)?;
            }
            K::SaveDate(k) => crate::imap::base::savedate::emit::search_key(w, k)?,
            K::Gmail(k) => crate::imap::base::gmail::emit::search_key(w, k)?,
        }
        Ok(())
    }
}
