//! ESEARCH (RFC 4731) with its search correlator (RFC 7377): the
//! `ESEARCH` untagged response a server sends for `SEARCH RETURN (...)`.
//!
//! ```
//! use mailwire::imap::{parse_response, Data, ParseOptions, Response, SearchReturnData};
//!
//! // RFC 4731 §3.1: C: A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
//! //                S: * ESEARCH (TAG "A282") MIN 2 COUNT 3
//! let frame = b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n";
//! let Response::Data(Data::ESearch(esearch)) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
//! assert_eq!(esearch.tag.unwrap().as_bytes(), b"A282");
//! assert!(!esearch.uid);
//! assert_eq!(esearch.data.iter().collect::<Vec<_>>(), [SearchReturnData::Min(2), SearchReturnData::Count(3)]);
//! ```
//!
//! ```text
//! esearch-response   = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
//! search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set /
//!                      "COUNT" SP number / search-ret-data-ext
//! ```
//! (RFC 4731 §3.1, RFC 9051 §9; `MODSEQ` from RFC 7162 §3.1.5.)
//!
//! Extends:
//! - [`Data`](crate::imap::Data)`::ESearch` (with [`ESearch`],
//!   [`ESearchMailbox`], [`SearchReturnData`]).
//!
//! Registered in the central response rule (`parse::response`, at the name
//! `ESEARCH`) and emitter (`emit::response`); the `RETURN` options of the
//! SEARCH command are atoms of [`CommandBody::Search`](crate::imap::CommandBody::Search).
//! The old paths (`types::response::ESearch`, ...) re-export these types.

use alloc::borrow::Cow;

use crate::imap::syntax::core::{Atom, IString, List, Mailbox, SequenceSet};

/// `search-return-data` (RFC 4731, RFC 9051).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SearchReturnData<'a> {
    /// `MIN n`
    Min(u32),
    /// `MAX n`
    Max(u32),
    /// `ALL set`
    All(SequenceSet<'a>),
    /// `COUNT n`
    Count(u32),
    /// `MODSEQ n`
    ModSeq(u64),
    /// `ADDTO (position set ...)` (RFC 5267 §4.3.1): messages that entered
    /// the result of an `UPDATE` search, each run at its position.
    AddTo(List<'a, ContextUpdate<'a>>),
    /// `REMOVEFROM (position set ...)` (RFC 5267 §4.3.2): messages that left
    /// the result of an `UPDATE` search.
    RemoveFrom(List<'a, ContextUpdate<'a>>),
    /// `PARTIAL (range set/NIL)` (RFC 9394 §4, RFC 5267 §4.4): the asked
    /// window of the result (`1:100`, or `-1:-100` counted from the end), and
    /// what is in it, `None` for `NIL`.
    Partial {
        /// The window asked for.
        range: PartialRange,
        /// The messages in it, `None` for `NIL`.
        results: Option<SequenceSet<'a>>,
    },
    /// Another return item, raw.
    Other {
        /// The name.
        name: Atom<'a>,
        /// The value, raw.
        value: Cow<'a, [u8]>,
    },
}

/// One `context-position SP sequence-set` pair of `ADDTO`/`REMOVEFROM`
/// (RFC 5267 §5):
///
/// ```text
/// ret-data-addto   = "ADDTO" SP "(" context-position SP sequence-set
///                    *(SP context-position SP sequence-set) ")"
/// context-position = number
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextUpdate<'a> {
    /// `context-position`: where in the sorted result (0: unknown or unsorted).
    pub position: u32,
    /// The messages at that position.
    pub set: SequenceSet<'a>,
}

/// The PARTIAL range (RFC 9394, RFC 5267 §4.4); its room is
/// [`crate::imap::base::partial`].
pub use crate::imap::base::partial::PartialRange;

/// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
///
/// ```text
/// search-correlator = SP "(" "TAG" SP tag-string
///                     [SP "MAILBOX" SP astring SP "UIDVALIDITY" SP nz-number] ")"
///                                                     ; RFC 7377, extending RFC 4731
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ESearch<'a> {
    /// `(TAG "A1")`: the command this answers.
    pub tag: Option<IString<'a>>,
    /// `MAILBOX m UIDVALIDITY n` after the TAG (RFC 7377): the mailbox a
    /// multimailbox search answers about.
    pub mailbox: Option<ESearchMailbox<'a>>,
    /// `UID`: numbers are UIDs.
    pub uid: bool,
    /// The data.
    pub data: List<'a, SearchReturnData<'a>>,
}

impl<'a> ESearch<'a> {
    /// The `PARTIAL` data (RFC 9394 §3.1): the window asked for and the
    /// messages in it (`None` for `NIL`: nothing in that window).
    ///
    /// ```
    /// use mailwire::imap::{parse_response, Data, ParseOptions, PartialRange, Response};
    ///
    /// let line = b"* ESEARCH (TAG \"A04\") UID PARTIAL (-1:-100 55700:55799)\r\n";
    /// let Response::Data(Data::ESearch(e)) = parse_response(line, &ParseOptions::STRICT).unwrap() else { panic!() };
    /// let (range, uids) = e.partial().unwrap();
    /// assert_eq!(range, PartialRange::last(1, 100));
    /// assert_eq!(uids.unwrap().as_str(), "55700:55799");
    /// ```
    pub fn partial(&self) -> Option<(PartialRange, Option<SequenceSet<'a>>)> {
        self.data.iter().find_map(|d| match d {
            SearchReturnData::Partial { range, results } => Some((range, results)),
            _ => None,
        })
    }
}

/// The mailbox part of an ESEARCH correlator (RFC 7377): `MAILBOX` and
/// `UIDVALIDITY`, which come together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ESearchMailbox<'a> {
    /// `MAILBOX astring`
    pub mailbox: Mailbox<'a>,
    /// `UIDVALIDITY nz-number`
    pub uid_validity: u32,
}

crate::owned::into_owned! {
    struct ESearch { tag, mailbox, uid, data }
    struct ESearchMailbox { mailbox, uid_validity }
    struct ContextUpdate { position, set }
    enum SearchReturnData { Min(n), Max(n), All(s), Count(n), ModSeq(n), AddTo(l), RemoveFrom(l), Partial { range, results }, Other { name, value } }
}

/// The grammar of ESEARCH.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::combinator::map;

    use super::{ContextUpdate, ESearch, ESearchMailbox, PartialRange, SearchReturnData};
    use crate::imap::syntax::core::SequenceSet;
    use crate::imap::syntax::core::{IString, List, Sep};
    use crate::imap::syntax::input::{In, R, after_prefix, after_sp, after_word, byte, kw, sp};
    use crate::imap::syntax::rules::{
        astring, atom, mailbox, number, number64, nz_number, sequence_set, skip_value,
    };

    /// `search-return-data`
    fn search_return_data<'a>(i: In<'a>) -> R<'a, SearchReturnData<'a>> {
        let (i, name) = atom(i)?;
        let (i, ()) = sp(i)?;
        let n = name.as_str();
        let is = |s: &str| n.eq_ignore_ascii_case(s);
        if is("MIN") {
            map(number, SearchReturnData::Min).parse(i)
        } else if is("MAX") {
            map(number, SearchReturnData::Max).parse(i)
        } else if is("ALL") {
            map(sequence_set, SearchReturnData::All).parse(i)
        } else if is("COUNT") {
            map(number, SearchReturnData::Count).parse(i)
        } else if is("MODSEQ") {
            map(number64, SearchReturnData::ModSeq).parse(i)
        } else if is("ADDTO") {
            map(context_updates, SearchReturnData::AddTo).parse(i)
        } else if is("REMOVEFROM") {
            map(context_updates, SearchReturnData::RemoveFrom).parse(i)
        } else if is("PARTIAL") {
            map(partial, |(range, results)| SearchReturnData::Partial {
                range,
                results,
            })
            .parse(i)
        } else {
            let (i, v) = skip_value(i)?;
            Ok((
                i,
                SearchReturnData::Other {
                    name,
                    value: Cow::Borrowed(v),
                },
            ))
        }
    }

    /// `context-position SP sequence-set` (RFC 5267 §5).
    fn context_update<'a>(i: In<'a>) -> R<'a, ContextUpdate<'a>> {
        map((number, sp, sequence_set), |(position, _, set)| {
            ContextUpdate { position, set }
        })
        .parse(i)
    }

    /// `"(" context-position SP sequence-set *(SP context-position SP sequence-set) ")"`
    /// (RFC 5267 §5, the value of ADDTO and REMOVEFROM): at least one pair.
    fn context_updates<'a>(i: In<'a>) -> R<'a, List<'a, ContextUpdate<'a>>> {
        let (i, ()) = byte(b'(', "'(' of ADDTO/REMOVEFROM")(i)?;
        let start = i;
        let (mut i, _) = context_update(i)?;
        while i.peek() == Some(b' ') {
            (i, _) = context_update(i.skip(1))?;
        }
        let raw = start.upto(&i);
        let list = List::wire(raw, context_update, Sep::Space, i.ctx());
        let (i, ()) = byte(b')', "')' of ADDTO/REMOVEFROM")(i)?;
        Ok((i, list))
    }

    /// `ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"`,
    /// `partial-results = sequence-set / "NIL"` (RFC 9394 §4, RFC 5267 §5),
    /// after `PARTIAL SP`.
    fn partial<'a>(i: In<'a>) -> R<'a, (PartialRange, Option<SequenceSet<'a>>)> {
        let (i, (_, range, _)) = (
            byte(b'(', "'(' of PARTIAL"),
            crate::imap::base::partial::parse::partial_range,
            sp,
        )
            .parse(i)?;
        let (i, results) = match after_word(&i, b"NIL") {
            Some(r) => (r, None),
            None => map(sequence_set, Some).parse(i)?,
        };
        let (i, ()) = byte(b')', "')' of PARTIAL")(i)?;
        Ok((i, (range, results)))
    }

    /// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
    pub(crate) fn esearch<'a>(i: In<'a>) -> R<'a, ESearch<'a>> {
        let mut i = i;
        let mut tag = None;
        let mut mailbox = None;
        if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
            let (r, (t, m)) = search_correlator(i.skip(2))?;
            (i, tag, mailbox) = (r, Some(t), m);
        }
        let mut uid = false;
        if i.peek() == Some(b' ') {
            if let Some(r) = after_word(&i.skip(1), b"UID") {
                uid = true;
                i = r;
            }
        }
        let start = i;
        let mut end = i;
        while i.peek() == Some(b' ') {
            if i.q().trailing_space && matches!(i.peek_at(1), Some(b'\r' | b'\n')) {
                i = i.skip(1);
                break;
            }
            (i, _) = search_return_data(i.skip(1))?;
            end = i;
        }
        let raw = after_sp(&start, &end);
        Ok((
            i,
            ESearch {
                tag,
                mailbox,
                uid,
                data: List::wire(raw, search_return_data, Sep::Space, i.ctx()),
            },
        ))
    }

    /// The inside of a search correlator, after its `(`:
    ///
    /// ```text
    /// search-correlator = SP "(" "TAG" SP tag-string
    ///                     [SP "MAILBOX" SP astring SP "UIDVALIDITY" SP nz-number] ")"
    ///                                                        ; RFC 7377
    /// tag-string        = astring                            ; RFC 9051 (string in RFC 4466)
    /// ```
    ///
    /// Under [`Quirks::unknown_items`](crate::imap::Quirks) other `name value` pairs
    /// after these are skipped (correlators of later extensions).
    fn search_correlator<'a>(i: In<'a>) -> R<'a, (IString<'a>, Option<ESearchMailbox<'a>>)> {
        let (mut i, (_, _, tag)) = (kw(b"TAG"), sp, astring).parse(i)?;
        let mut source = None;
        if let Some(r) = after_prefix(&i, b" MAILBOX ") {
            let (r, (m, _, _, _, v)) = (mailbox, sp, kw(b"UIDVALIDITY"), sp, nz_number).parse(r)?;
            source = Some(ESearchMailbox {
                mailbox: m,
                uid_validity: v,
            });
            i = r;
        }
        while i.peek() == Some(b' ') && i.q().unknown_items {
            (i, _) = (atom, sp, skip_value).parse(i.skip(1))?;
        }
        let (i, ()) = byte(b')', "')' of search-correlator")(i)?;
        Ok((i, (tag, source)))
    }
}

/// The emitter of ESEARCH.
pub(crate) mod emit {
    use super::{ContextUpdate, ESearch, SearchReturnData};
    use crate::Error;
    use crate::imap::syntax::core::List;
    use crate::imap::syntax::write::{W, num_code};

    /// `name SP "(" context-position SP sequence-set *(SP ...) ")"` (RFC 5267
    /// §5): ADDTO and REMOVEFROM, at least one pair.
    fn context_updates(
        w: &mut W<'_>,
        name: &[u8],
        l: &List<'_, ContextUpdate<'_>>,
    ) -> Result<(), Error> {
        if l.iter().next().is_none() {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "ADDTO/REMOVEFROM pair",
            }));
        }
        w.raw(name);
        w.raw(b" (");
        for (n, u) in l.iter().enumerate() {
            if n > 0 {
                w.sp();
            }
            w.num(u64::from(u.position));
            w.sp();
            w.seq(&u.set);
        }
        w.raw(b")");
        Ok(())
    }

    /// `esearch-response` (RFC 4731 §3.1, RFC 7377 §2): what follows `* `.
    pub(crate) fn esearch(w: &mut W<'_>, e: &ESearch<'_>) -> Result<(), Error> {
        w.raw(b"ESEARCH");
        // search-correlator = SP "(" "TAG" SP tag-string [SP "MAILBOX" SP
        // astring SP "UIDVALIDITY" SP nz-number] ")"   (RFC 7377)
        match (&e.tag, &e.mailbox) {
            (Some(t), source) => {
                w.raw(b" (TAG ");
                w.string(t.as_bytes())?;
                if let Some(m) = source {
                    if m.uid_validity == 0 {
                        return Err(Error::Emit(crate::error::Unemittable::Zero {
                            field: "UIDVALIDITY",
                        }));
                    }
                    w.raw(b" MAILBOX ");
                    w.mailbox(&m.mailbox)?;
                    w.raw(b" UIDVALIDITY ");
                    w.num(u64::from(m.uid_validity));
                }
                w.raw(b")");
            }
            (None, Some(_)) => {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "ESEARCH correlator TAG",
                }));
            }
            (None, None) => {}
        }
        if e.uid {
            w.raw(b" UID");
        }
        for r in e.data.iter() {
            w.sp();
            match r {
                SearchReturnData::Min(n) => num_code(w, b"MIN", u64::from(n))?,
                SearchReturnData::Max(n) => num_code(w, b"MAX", u64::from(n))?,
                SearchReturnData::All(s) => {
                    w.raw(b"ALL ");
                    w.seq(&s);
                }
                SearchReturnData::Count(n) => num_code(w, b"COUNT", u64::from(n))?,
                SearchReturnData::ModSeq(n) => num_code(w, b"MODSEQ", n)?,
                SearchReturnData::AddTo(l) => context_updates(w, b"ADDTO", &l)?,
                SearchReturnData::RemoveFrom(l) => context_updates(w, b"REMOVEFROM", &l)?,
                SearchReturnData::Partial { range, results } => {
                    // ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"
                    w.raw(b"PARTIAL (");
                    crate::imap::base::partial::emit::partial_range(w, &range)?;
                    w.sp();
                    match results {
                        Some(s) => w.seq(&s),
                        None => w.raw(b"NIL"),
                    }
                    w.raw(b")");
                }
                SearchReturnData::Other { name, value } => {
                    w.atom(&name)?;
                    w.sp();
                    w.raw(&value);
                }
            }
        }
        Ok(())
    }
}
