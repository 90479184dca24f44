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
    /// Another return item, raw.
    Other {
        /// The name.
        name: Atom<'a>,
        /// The value, raw.
        value: Cow<'a, [u8]>,
    },
}

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
    enum SearchReturnData { Min(n), Max(n), All(s), Count(n), ModSeq(n), Other { name, value } }
}

/// The grammar of ESEARCH.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::combinator::map;

    use super::{ESearch, ESearchMailbox, SearchReturnData};
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
    use super::{ESearch, SearchReturnData};
    use crate::Error;
    use crate::imap::syntax::write::{W, num_code};

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
