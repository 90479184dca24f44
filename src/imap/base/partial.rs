//! PARTIAL (RFC 9394): one page of a SEARCH, SORT or FETCH result. RFC 5267
//! §4.4 (CONTEXT=SEARCH) had the PARTIAL search return option with positive
//! ranges; RFC 9394 updates it: a range may count from the end of the result
//! (`-1:-100`, the newest hundred), and FETCH takes PARTIAL as a modifier.
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
//!     ;; <partial-range> is the requested range.
//! partial-results     = sequence-set / "NIL"
//!     ;; NIL indicates that no results correspond to
//!     ;; the requested range.
//! search-return-data  =/ ret-data-partial
//! ```
//! (RFC 9394 §4; RFC 5267 §5 had `partial-range = nz-number ":" nz-number`.
//! §3.1: "A single command MUST NOT contain more than one PARTIAL or ALL
//! search return option".)
//!
//! ```
//! use mailwire::imap::{parse_command, CommandBody, ParseOptions, PartialRange};
//!
//! // RFC 9394 §3.1: the newest hundred matching messages
//! let c = parse_command(
//!     b"A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk\r\n",
//!     &ParseOptions::STRICT,
//! )
//! .unwrap();
//! assert_eq!(c.body.partial(), Some(PartialRange::last(1, 100)));
//! // RFC 9394 §3.3: the FETCH modifier
//! let c = parse_command(b"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n", &ParseOptions::STRICT).unwrap();
//! let CommandBody::Fetch { partial: Some(page), .. } = c.body else { panic!() };
//! assert_eq!((page.from_end, page.bounds()), (true, (1, 3)));
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::Fetch` (its `partial` modifier);
//! - the RETURN options of `Search`, `Sort` and `ESearch` (atoms, checked
//!   here; read with [`PartialRange::of_return_options`] or
//!   [`CommandBody::partial`](crate::imap::CommandBody::partial));
//! - [`SearchReturnData`](crate::imap::SearchReturnData)`::Partial` (the
//!   ESEARCH data, in [`esearch`](crate::imap::ext::esearch)).
//!
//! The room sits with FETCH and SEARCH in [`crate::imap::base`] because the
//! FETCH modifier rule (`base::fetch`) uses it; `ext::partial` re-exports it.

use alloc::string::String;

use crate::imap::syntax::core::{Atom, List};

/// `partial-range` (RFC 9394 §4): a window of a search or sort result, or of
/// the messages a FETCH names, counted from 1. `low` and `high` are as sent:
/// `500:400` is the same window as `400:500` ([`bounds`](Self::bounds)
/// orders them). With `from_end` the positions count from the end (the
/// newest message first): `-1:-100` is `low 1, high 100, from_end`.
///
/// RFC 5267's range is the one with `from_end == false`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialRange {
    /// The first position as sent (`nz-number`).
    pub low: u32,
    /// The last position as sent (`nz-number`).
    pub high: u32,
    /// `partial-range-last`: both positions had a `-`, counting from the end
    /// of the result (RFC 9394). `false`: `partial-range-first`.
    pub from_end: bool,
}

impl PartialRange {
    /// `low:high`, counted from the first (oldest) result
    /// (`partial-range-first`).
    pub const fn first(low: u32, high: u32) -> Self {
        PartialRange {
            low,
            high,
            from_end: false,
        }
    }

    /// `-low:-high`, counted from the last (newest) result
    /// (`partial-range-last`, RFC 9394): `PartialRange::last(1, 50)` is the
    /// newest fifty.
    pub const fn last(low: u32, high: u32) -> Self {
        PartialRange {
            low,
            high,
            from_end: true,
        }
    }

    /// The positions, the smaller first (RFC 9394 §4: "A range 500:400 is
    /// the same as 400:500").
    pub fn bounds(&self) -> (u32, u32) {
        (self.low.min(self.high), self.low.max(self.high))
    }

    /// Both positions are nz-numbers (the only thing the grammar can get
    /// wrong in a built value).
    pub fn is_valid(&self) -> bool {
        self.low != 0 && self.high != 0
    }

    /// Reads a range as it stands in a `RETURN (PARTIAL 1:100)` atom list:
    /// `"1:100"` or `"-1:-100"`; `None` if it is not a `partial-range`
    /// (zero, `*`, mixed signs, leading zeros, more than 32 bits).
    pub fn from_atom(s: &str) -> Option<PartialRange> {
        let (a, b) = s.split_once(':')?;
        let (from_end, a, b) = match (a.strip_prefix('-'), b.strip_prefix('-')) {
            (Some(a), Some(b)) => (true, a, b),
            (None, None) => (false, a, b),
            _ => return None,
        };
        let low = crate::imap::syntax::core::parse_nz_u32(a.as_bytes())?;
        let high = crate::imap::syntax::core::parse_nz_u32(b.as_bytes())?;
        Some(PartialRange {
            low,
            high,
            from_end,
        })
    }

    /// The range as a return-option atom (`1:100`, `-1:-100`), for building
    /// the RETURN options of a SEARCH or SORT by hand; `None` for a zero
    /// position.
    pub fn to_atom<'x>(&self) -> Option<Atom<'x>> {
        if !self.is_valid() {
            return None;
        }
        Atom::new(alloc::format!("{self}"))
    }

    /// The PARTIAL of a list of SEARCH/SORT return options (`PARTIAL` and
    /// the range after it are two atoms there); `None` if there is none or
    /// its range is not one.
    ///
    /// ```
    /// use mailwire::imap::{Atom, List, PartialRange};
    ///
    /// let options = List::from_items(vec![Atom::new("COUNT").unwrap(), Atom::new("PARTIAL").unwrap(), Atom::new("-1:-50").unwrap()]);
    /// assert_eq!(PartialRange::of_return_options(&options), Some(PartialRange::last(1, 50)));
    /// ```
    pub fn of_return_options(options: &List<'_, Atom<'_>>) -> Option<PartialRange> {
        let mut it = options.iter();
        while let Some(a) = it.next() {
            if a.eq_ignore_case("PARTIAL") {
                return it.next().and_then(|r| PartialRange::from_atom(r.as_str()));
            }
        }
        None
    }

    /// The return options `PARTIAL range` and then `others` (`COUNT`,
    /// `MIN`, ...), as [`CommandBody::Search`](crate::imap::CommandBody::Search)
    /// carries them; `None` for a zero position or an other option that is
    /// not an atom.
    pub fn return_options<'x>(&self, others: &[&str]) -> Option<List<'x, Atom<'x>>> {
        let mut v = alloc::vec![Atom::new("PARTIAL")?, self.to_atom()?];
        for o in others {
            v.push(Atom::new(String::from(*o))?);
        }
        Some(List::from_items(v))
    }
}

impl core::fmt::Display for PartialRange {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let minus = if self.from_end { "-" } else { "" };
        write!(f, "{minus}{}:{minus}{}", self.low, self.high)
    }
}

crate::owned::owned_copy!(PartialRange);

/// What is wrong with a list of SEARCH/SORT return options as far as
/// PARTIAL goes: a PARTIAL without a `partial-range` after it, or more than
/// one PARTIAL or ALL (RFC 9394 §3.1). `None`: nothing.
pub(crate) fn return_options_fault(options: &List<'_, Atom<'_>>) -> Option<&'static str> {
    let mut it = options.iter();
    let mut page_or_all = 0;
    while let Some(a) = it.next() {
        if a.eq_ignore_case("PARTIAL") {
            page_or_all += 1;
            match it.next() {
                Some(r) if PartialRange::from_atom(r.as_str()).is_some() => {}
                _ => return Some("partial-range after PARTIAL"),
            }
        } else if a.eq_ignore_case("ALL") {
            page_or_all += 1;
        }
    }
    (page_or_all > 1).then_some("at most one PARTIAL or ALL return option")
}

/// The grammar of PARTIAL.
pub(crate) mod parse {
    use super::{PartialRange, return_options_fault};
    use crate::imap::syntax::core::{Atom, List};
    use crate::imap::syntax::input::{In, R, take_while};

    /// `nz-number = digit-nz *DIGIT`, below 2^32 (no leading zero, unlike
    /// `number`).
    fn nz(i: In<'_>) -> R<'_, u32> {
        let (rest, d) = take_while(i, |b| b.is_ascii_digit());
        match crate::imap::syntax::core::parse_nz_u32(d) {
            Some(v) => Ok((rest, v)),
            None => i.err("nz-number of partial-range"),
        }
    }

    /// `partial-range = partial-range-first / partial-range-last` (RFC 9394
    /// §4): `nz-number ":" nz-number` or `"-" nz-number ":" "-" nz-number`.
    pub(crate) fn partial_range(i: In<'_>) -> R<'_, PartialRange> {
        let from_end = i.peek() == Some(b'-');
        let (i, low) = nz(if from_end { i.skip(1) } else { i })?;
        if i.peek() != Some(b':') {
            return i.err("':' of partial-range");
        }
        let i = i.skip(1);
        let minus = i.peek() == Some(b'-');
        if minus != from_end {
            return i.err("both positions of a partial-range with '-' or neither");
        }
        let (i, high) = nz(if minus { i.skip(1) } else { i })?;
        Ok((
            i,
            PartialRange {
                low,
                high,
                from_end,
            },
        ))
    }

    /// The SEARCH/SORT return options after `RETURN SP`: the atom list, with
    /// `PARTIAL` followed by its `partial-range` and at most one PARTIAL or
    /// ALL (RFC 9394 §3.1, §4).
    pub(crate) fn return_options(i: In<'_>) -> R<'_, List<'_, Atom<'_>>> {
        let start = i;
        let (i, l) = crate::imap::syntax::rules::paren_atoms(i, true)?;
        match return_options_fault(&l) {
            Some(what) => start.err(what),
            None => Ok((i, l)),
        }
    }
}

/// The emitter of PARTIAL.
pub(crate) mod emit {
    use super::{PartialRange, return_options_fault};
    use crate::Error;
    use crate::imap::syntax::core::{Atom, List};
    use crate::imap::syntax::write::W;

    /// `partial-range`: a zero position is refused.
    pub(crate) fn partial_range(w: &mut W<'_>, r: &PartialRange) -> Result<(), Error> {
        if !r.is_valid() {
            return Err(Error::Emit(crate::error::Unemittable::Zero {
                field: "partial-range",
            }));
        }
        if r.from_end {
            w.raw(b"-");
        }
        w.num(u64::from(r.low));
        w.raw(b":");
        if r.from_end {
            w.raw(b"-");
        }
        w.num(u64::from(r.high));
        Ok(())
    }

    /// `modifier-partial = "PARTIAL" SP partial-range`.
    pub(crate) fn modifier(w: &mut W<'_>, r: &PartialRange) -> Result<(), Error> {
        w.raw(b"PARTIAL ");
        partial_range(w, r)
    }

    /// Refuses return options the parser would refuse (a PARTIAL without
    /// its range, two PARTIAL or ALL).
    pub(crate) fn check_return_options(options: &List<'_, Atom<'_>>) -> Result<(), Error> {
        match return_options_fault(options) {
            Some(rule) => Err(Error::Emit(crate::error::Unemittable::Grammar { rule })),
            None => Ok(()),
        }
    }
}
