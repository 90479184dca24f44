//! Core IMAP values (RFC 9051 §4, §9; RFC 3501 §4, §9): tags, atoms, strings,
//! numbers, sequence sets, flags, mailbox names, dates, and the lazily parsed
//! [`List`] that lets parsed values borrow without allocating.
//!
//! ```
//! use mailwire::imap::syntax::core::{List, SeqNum, SequenceSet};
//!
//! let set = SequenceSet::new("2:4,9:*").unwrap();
//! assert!(set.contains(3, 20) && set.contains(20, 20) && !set.contains(5, 20));
//! assert_eq!(set.iter().next().map(|r| r.resolve(20)), Some((2, 4)));
//! let built: List<'_, u32> = List::from_items(vec![1, 2]);
//! assert_eq!(built.iter().sum::<u32>(), 3);
//! assert_eq!(SequenceSet::range(SeqNum::Value(5), SeqNum::Asterisk).unwrap().as_str(), "5:*");
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub(crate) use crate::imap::syntax::input::{Ctx, class};
use crate::imap::syntax::input::{In, R};
use crate::imap::utf7;

pub use crate::owned::IntoOwned;

crate::owned::owned_copy!(DateTime, Date, SeqNum, SeqRange);

/// Whether `s` is a non-empty atom (`1*ATOM-CHAR`).
pub fn is_atom(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| class::is(b, class::ATOM))
}

/// A command tag chosen by the client (`tag = 1*<any ASTRING-CHAR except "+">`).
///
/// ```
/// use mailwire::imap::Tag;
///
/// assert_eq!(Tag::new("a001").unwrap().as_str(), "a001"); // RFC 3501 §8
/// assert!(Tag::new("a+1").is_none()); // "+" would read as a continuation
/// assert!(Tag::new("").is_none() && Tag::new("a 1").is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag<'a>(Cow<'a, str>);

impl<'a> Tag<'a> {
    /// A tag, if `s` is a valid one.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Option<Self> {
        let s = s.into();
        (!s.is_empty() && s.bytes().all(|b| class::is(b, class::TAG))).then_some(Tag(s))
    }
    pub(crate) fn borrowed_unchecked(s: &'a str) -> Self {
        Tag(Cow::Borrowed(s))
    }
    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

/// An atom (`1*ATOM-CHAR`): keywords, capability names, response code names.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom<'a>(Cow<'a, str>);

impl<'a> Atom<'a> {
    /// An atom, if `s` is a valid one.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Option<Self> {
        let s = s.into();
        is_atom(s.as_bytes()).then_some(Atom(s))
    }
    pub(crate) fn borrowed_unchecked(s: &'a str) -> Self {
        Atom(Cow::Borrowed(s))
    }
    /// The atom.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Case-insensitive comparison (atoms are case-insensitive in IMAP).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Debug for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({})", self.0)
    }
}

/// A string value: what a `string` (quoted or literal) or an `astring` (also an
/// atom) carries, with quoting and escapes removed. Lossless bytes: nothing is
/// rejected for not being UTF-8.
///
/// Borrowed from the input unless the quoted form had escapes. How it was sent
/// (atom, quoted, literal) is not kept; the emitter chooses the form from the
/// content.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct IString<'a>(pub Cow<'a, [u8]>);

/// `astring = 1*ASTRING-CHAR / string`: same value type as [`IString`].
pub type AString<'a> = IString<'a>;
/// `nstring = string / nil`.
pub type NString<'a> = Option<IString<'a>>;

impl<'a> IString<'a> {
    /// Wraps bytes.
    pub fn new(b: impl Into<Cow<'a, [u8]>>) -> Self {
        IString(b.into())
    }
    /// The exact bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// As `&str` when UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }
    /// As UTF-8, invalid sequences replaced by U+FFFD.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl<'a> From<&'a str> for IString<'a> {
    fn from(s: &'a str) -> Self {
        IString(Cow::Borrowed(s.as_bytes()))
    }
}
impl<'a> From<&'a [u8]> for IString<'a> {
    fn from(s: &'a [u8]) -> Self {
        IString(Cow::Borrowed(s))
    }
}

impl fmt::Debug for IString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str_lossy())
    }
}

/// A mailbox name (`mailbox = "INBOX" / astring`).
///
/// `INBOX` is case-insensitive and normalised to [`Mailbox::Inbox`]. Other
/// names are kept as sent: modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 once
/// UTF8=ACCEPT is enabled (RFC 6855); [`decode`](Self::decode) gives the
/// readable name either way.
///
/// ```
/// use mailwire::imap::{IString, Mailbox};
///
/// // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" is "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
/// let name = Mailbox::from_utf8("~peter/mail/台北/日本語");
/// assert_eq!(name.as_bytes(), b"~peter/mail/&U,BTFw-/&ZeVnLIqe-");
/// let read = Mailbox::from_wire(IString::from("~peter/mail/&U,BTFw-/&ZeVnLIqe-"));
/// assert_eq!(read.decode().as_deref(), Some("~peter/mail/台北/日本語"));
/// assert_eq!(read, name);
/// // RFC 9051 §5.1: "INBOX" is case-insensitive
/// assert_eq!(Mailbox::from_wire(IString::from("inbox")), Mailbox::Inbox);
/// // RFC 6855 §3: after ENABLE UTF8=ACCEPT names travel as UTF-8
/// assert_eq!(Mailbox::utf8_raw("台北").as_bytes(), "台北".as_bytes());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Mailbox<'a> {
    /// The INBOX, however it was spelled.
    Inbox,
    /// Any other name, as on the wire (modified UTF-7, or 8-bit as a
    /// lenient server sent it).
    Other(IString<'a>),
    /// A name read or written while UTF8=ACCEPT is enabled (RFC 6855 §3):
    /// UTF-8, never decoded as modified UTF-7 (`&` is just `&`).
    Utf8(IString<'a>),
}

impl<'a> Mailbox<'a> {
    /// From the wire form of a name.
    pub fn from_wire(s: IString<'a>) -> Self {
        if s.0.eq_ignore_ascii_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(s)
        }
    }
    /// A name given as Unicode, encoded in modified UTF-7 for the wire.
    pub fn from_utf8(name: &'a str) -> Self {
        Self::from_wire(match utf7::encode(name) {
            Cow::Borrowed(s) => IString::from(s),
            Cow::Owned(s) => IString(Cow::Owned(s.into_bytes())),
        })
    }
    /// A UTF-8 name sent as is (only after `ENABLE UTF8=ACCEPT`, RFC 6855).
    pub fn utf8_raw(name: &'a str) -> Self {
        Self::from_wire_utf8(IString::from(name))
    }
    /// From the wire form of a name read while UTF8=ACCEPT is enabled.
    pub fn from_wire_utf8(s: IString<'a>) -> Self {
        if s.0.eq_ignore_ascii_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Utf8(s)
        }
    }
    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(s) | Mailbox::Utf8(s) => s.as_bytes(),
        }
    }
    /// The readable name. A [`Utf8`](Self::Utf8) name is its bytes as UTF-8;
    /// any other is modified UTF-7 decoded, or the bytes as UTF-8 when they
    /// are not valid modified UTF-7 but valid UTF-8 (a server sending UTF-8
    /// without UTF8=ACCEPT). `None` when neither.
    pub fn decode(&self) -> Option<Cow<'_, str>> {
        let b = self.as_bytes();
        let utf8 = || core::str::from_utf8(b).ok().map(Cow::Borrowed);
        match self {
            Mailbox::Utf8(_) => utf8(),
            _ => utf7::decode(b).or_else(utf8),
        }
    }
}

impl fmt::Debug for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mailbox::Inbox => f.write_str("INBOX"),
            Mailbox::Other(s) => write!(f, "Mailbox({s:?})"),
            Mailbox::Utf8(s) => write!(f, "Mailbox::Utf8({s:?})"),
        }
    }
}

/// One end of a sequence range: a number or `*` (the largest in use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeqNum {
    /// A message sequence number or UID.
    Value(u32),
    /// `*`.
    Asterisk,
}

/// `seq-number / seq-range`: `a:b` in either order, or one number (`a == b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// First end, as sent.
    pub start: SeqNum,
    /// Second end (equal to `start` for a single number).
    pub end: SeqNum,
}

impl SeqRange {
    /// The range as `(low, high)` resolved against `largest` (the value of `*`).
    pub fn resolve(&self, largest: u32) -> (u32, u32) {
        let v = |n: SeqNum| match n {
            SeqNum::Value(v) => v,
            SeqNum::Asterisk => largest,
        };
        let (a, b) = (v(self.start), v(self.end));
        (a.min(b), a.max(b))
    }
    /// Whether `n` is in the range, with `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let (lo, hi) = self.resolve(largest);
        (lo..=hi).contains(&n)
    }
}

/// A sequence set (`sequence-set`, RFC 9051 §9), kept as its validated wire
/// text and iterated without allocation; `$` (the saved search result of
/// RFC 5182) is accepted.
///
/// The example of RFC 9051 §9: "for a mailbox with 15 messages",
/// `2,4:7,9,12:*` is "2,4,5,6,7,9,12,13,14,15":
///
/// ```
/// use mailwire::imap::{SeqNum, SequenceSet};
///
/// let set = SequenceSet::new("2,4:7,9,12:*").unwrap();
/// let members: Vec<u32> = (1..=15).filter(|&n| set.contains(n, 15)).collect();
/// assert_eq!(members, [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]);
/// let last = set.iter().last().unwrap();
/// assert_eq!((last.start, last.end), (SeqNum::Value(12), SeqNum::Asterisk));
/// // seq-number = nz-number / "*": no zero, no empty part
/// assert!(SequenceSet::new("0:3").is_none());
/// assert!(SequenceSet::new("1,,2").is_none());
/// assert!(SequenceSet::new("$").unwrap().is_saved_result()); // RFC 5182
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SequenceSet<'a>(Cow<'a, str>);

impl<'a> SequenceSet<'a> {
    /// Parses a sequence set such as `1:4,7,9:*`.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Option<Self> {
        let s = s.into();
        valid_sequence_set(s.as_bytes()).then_some(SequenceSet(s))
    }
    pub(crate) fn borrowed_unchecked(s: &'a str) -> Self {
        SequenceSet(Cow::Borrowed(s))
    }
    /// One number.
    pub fn single(n: u32) -> Option<SequenceSet<'static>> {
        (n > 0).then(|| SequenceSet(Cow::Owned(alloc::format!("{n}"))))
    }
    /// `a:b`.
    pub fn range(a: SeqNum, b: SeqNum) -> Option<SequenceSet<'static>> {
        let f = |n: SeqNum| match n {
            SeqNum::Value(v) => alloc::format!("{v}"),
            SeqNum::Asterisk => String::from("*"),
        };
        SequenceSet::new(alloc::format!("{}:{}", f(a), f(b)))
    }
    /// `1:*`.
    pub fn all() -> SequenceSet<'static> {
        SequenceSet(Cow::Borrowed("1:*"))
    }
    /// The wire text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether this is `$`, the saved search result (RFC 5182).
    pub fn is_saved_result(&self) -> bool {
        &*self.0 == "$"
    }
    /// The ranges, in the order sent (empty for `$`).
    pub fn iter(&self) -> impl Iterator<Item = SeqRange> + '_ {
        self.0.split(',').filter(|s| *s != "$").filter_map(|part| {
            let num = |s: &str| {
                if s == "*" {
                    Some(SeqNum::Asterisk)
                } else {
                    s.parse().ok().map(SeqNum::Value)
                }
            };
            match part.split_once(':') {
                Some((a, b)) => Some(SeqRange {
                    start: num(a)?,
                    end: num(b)?,
                }),
                None => {
                    let n = num(part)?;
                    Some(SeqRange { start: n, end: n })
                }
            }
        })
    }
    /// Whether `n` is in the set, with `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.iter().any(|r| r.contains(n, largest))
    }
}

/// `sequence-set = (seq-number / seq-range) ["," sequence-set]`, or `$`.
pub(crate) fn valid_sequence_set(s: &[u8]) -> bool {
    if s == b"$" {
        return true;
    }
    !s.is_empty()
        && s.split(|&b| b == b',').all(|part| {
            let mut ends = part.splitn(2, |&b| b == b':');
            let ok = |e: Option<&[u8]>| match e {
                Some(b"*") => true,
                Some(d) => parse_nz_u32(d).is_some(),
                None => false,
            };
            let first = ends.next();
            let second = ends.next();
            ok(first) && (second.is_none() || ok(second))
        })
}

pub(crate) fn parse_nz_u32(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > 10 || d[0] == b'0' || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = d.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
    u32::try_from(v).ok()
}

impl fmt::Debug for SequenceSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SequenceSet({})", self.0)
    }
}

/// A message flag (`flag`, `flag-fetch`, `flag-perm`, RFC 9051 §9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flag<'a> {
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Seen`
    Seen,
    /// `\Draft`
    Draft,
    /// `\Recent` (IMAP4rev1 FETCH only)
    Recent,
    /// `\*`: new keywords may be created (PERMANENTFLAGS; Zoho also sends it in FLAGS).
    Wildcard,
    /// A keyword (`$Forwarded`, `NonJunk`).
    Keyword(Atom<'a>),
    /// Another system flag, without its backslash (`\Foo` is `Extension("Foo")`).
    Extension(Atom<'a>),
}

impl Flag<'_> {
    /// The flag as sent on the wire (`\Seen`, `$Junk`).
    pub fn wire_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Seen => "\\Seen",
            Flag::Draft => "\\Draft",
            Flag::Recent => "\\Recent",
            Flag::Wildcard => "\\*",
            Flag::Keyword(a) => a.as_str(),
            Flag::Extension(a) => return Cow::Owned(alloc::format!("\\{}", a.as_str())),
        })
    }
}

/// `date = date-text / DQUOTE date-text DQUOTE` (`1-Feb-1994`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year (four digits).
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of month, 1 to 31.
    pub day: u8,
}

/// `date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`.
///
/// ```
/// use mailwire::imap::{parse_response, Data, Date, DateTime, FetchItem, ParseOptions, Response};
///
/// // RFC 3501 §8: INTERNALDATE "17-Jul-1996 02:44:25 -0700"
/// let frame = b"* 12 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::default()).unwrap()
/// else { panic!() };
/// let Some(FetchItem::InternalDate(date)) = items.iter().next() else { panic!() };
/// assert_eq!(date, DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -7 * 60).unwrap());
/// assert!(Date::new(1996, 13, 1).is_none()); // date-month = "Jan" / ... / "Dec"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60.
    pub second: u8,
    /// Offset from UTC in minutes (`+0130` is 90).
    pub zone: i16,
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Date {
    /// A date, if the fields are in range.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1..=31).contains(&day) && year <= 9999).then_some(Date {
            year,
            month,
            day,
        })
    }
}

impl DateTime {
    /// A date-time, if the fields are in range (zone within ±99:59).
    pub fn new(date: Date, hour: u8, minute: u8, second: u8, zone: i16) -> Option<Self> {
        (hour < 24 && minute < 60 && second <= 60 && zone.abs() < 100 * 60).then_some(DateTime {
            date,
            hour,
            minute,
            second,
            zone,
        })
    }
}

/// How the elements of a [`List`] are separated on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sep {
    /// `a SP b SP c`
    Space,
    /// `(a)(b)(c)` (addresses, body parts); spaces tolerated when re-parsing.
    None,
}

/// The element parser of a [`List`] or [`Lazy`]: a nom rule of the grammar.
pub(crate) type ElemFn<'a, T> = fn(In<'a>) -> R<'a, T>;

/// A list of values: either the validated bytes of the wire form, parsed again
/// element by element as you iterate (no allocation), or items you built.
///
/// A parsed list was checked completely when its response was parsed, so
/// iterating it cannot fail. [`iter`](Self::iter) borrows the list and gives
/// each element by value (a clone of a built item); `for item in list` takes
/// the list and moves built items out ([`ListIntoIter`]).
///
/// ```
/// use mailwire::imap::{emit_response, parse_response, Data, EmitOptions, Flag, List, ParseOptions, Response};
///
/// // RFC 3501 §8: S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
/// let frame = b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n";
/// let Response::Data(Data::Flags(flags)) = parse_response(frame, &ParseOptions::default()).unwrap()
/// else { panic!() };
/// assert_eq!(flags.len(), 5);
/// assert!(flags.iter().any(|f| f == Flag::Seen));
///
/// // a list built from items is written the same way
/// let built = List::from_items(vec![Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Seen, Flag::Draft]);
/// assert_eq!(built, flags);
/// let mut out = Vec::new();
/// emit_response(&Response::Data(Data::Flags(built)), &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, frame);
/// ```
pub struct List<'a, T> {
    repr: ListRepr<'a, T>,
}

enum ListRepr<'a, T> {
    Wire {
        raw: &'a [u8],
        parse: ElemFn<'a, T>,
        sep: Sep,
        ctx: Ctx,
    },
    Items(Vec<T>),
}

impl<'a, T> List<'a, T> {
    pub(crate) fn wire(raw: &'a [u8], parse: ElemFn<'a, T>, sep: Sep, ctx: Ctx) -> Self {
        List {
            repr: ListRepr::Wire {
                raw,
                parse,
                sep,
                ctx,
            },
        }
    }
    /// A list of the given items.
    pub fn from_items(items: Vec<T>) -> Self {
        List {
            repr: ListRepr::Items(items),
        }
    }
    /// An empty list.
    pub fn empty() -> Self {
        Self::from_items(Vec::new())
    }
    /// The wire bytes the list was parsed from, if it was parsed.
    pub fn raw(&self) -> Option<&'a [u8]> {
        match &self.repr {
            ListRepr::Wire { raw, .. } => Some(raw),
            ListRepr::Items(_) => None,
        }
    }
    /// The wire bytes and context of a parsed list (for tests that read it
    /// element by element).
    #[cfg(test)]
    pub(crate) fn wire_parts(&self) -> Option<(&'a [u8], Ctx)> {
        match &self.repr {
            ListRepr::Wire { raw, ctx, .. } => Some((raw, *ctx)),
            ListRepr::Items(_) => None,
        }
    }
    /// The items of a built list, by reference; `None` for a parsed one.
    pub(crate) fn items(&self) -> Option<&[T]> {
        match &self.repr {
            ListRepr::Items(v) => Some(v),
            ListRepr::Wire { .. } => None,
        }
    }
}

impl<'a, T: Clone> List<'a, T> {
    /// The elements.
    pub fn iter(&self) -> ListIter<'_, 'a, T> {
        match &self.repr {
            ListRepr::Wire {
                raw,
                parse,
                sep,
                ctx,
            } => ListIter {
                inner: Rest::wire(raw, *parse, *sep, *ctx),
            },
            ListRepr::Items(v) => ListIter {
                inner: Rest::Items(v.iter()),
            },
        }
    }
    /// Visits the elements by reference: the items of a built list are not
    /// cloned (a wire list is parsed element by element as in [`iter`](Self::iter)).
    pub(crate) fn try_each<E>(
        &self,
        mut f: impl FnMut(usize, &T) -> Result<(), E>,
    ) -> Result<(), E> {
        match &self.repr {
            ListRepr::Items(v) => v.iter().enumerate().try_for_each(|(i, t)| f(i, t)),
            ListRepr::Wire { .. } => self.iter().enumerate().try_for_each(|(i, t)| f(i, &t)),
        }
    }
    /// Number of elements (parses a wire list again).
    pub fn len(&self) -> usize {
        match &self.repr {
            ListRepr::Items(v) => v.len(),
            ListRepr::Wire { .. } => self.iter().count(),
        }
    }
    /// Whether the list has no elements.
    pub fn is_empty(&self) -> bool {
        match &self.repr {
            ListRepr::Items(v) => v.is_empty(),
            ListRepr::Wire { .. } => self.iter().next().is_none(),
        }
    }
    /// The elements collected into a vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }
    /// The elements, moved out of a built list (parsed from a wire one).
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self.repr {
            ListRepr::Items(v) => v,
            ListRepr::Wire { .. } => self.to_vec(),
        }
    }
}

/// Iterator over a [`List`].
pub struct ListIter<'l, 'a, T> {
    inner: Rest<'a, T, core::slice::Iter<'l, T>>,
}

/// What a list iterator has still to give: the unread rest of a wire list,
/// or the items of a built one (`I` goes over them: by reference in
/// [`ListIter`], by value in [`ListIntoIter`]).
enum Rest<'a, T, I> {
    Wire {
        i: In<'a>,
        parse: ElemFn<'a, T>,
        sep: Sep,
        first: bool,
    },
    Items(I),
}

impl<'a, T, I> Rest<'a, T, I> {
    fn wire(raw: &'a [u8], parse: ElemFn<'a, T>, sep: Sep, ctx: Ctx) -> Self {
        Rest::Wire {
            i: In::trusted(raw, ctx),
            parse,
            sep,
            first: true,
        }
    }

    /// The next element: parsed from the wire, or `item` of the built items.
    #[inline(always)]
    fn next_with(&mut self, item: impl FnOnce(&mut I) -> Option<T>) -> Option<T> {
        match self {
            Rest::Items(it) => item(it),
            Rest::Wire {
                i,
                parse,
                sep,
                first,
            } => wire_next(i, *parse, *sep, first),
        }
    }
}

impl<T: Clone> Iterator for ListIter<'_, '_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.inner.next_with(|it| it.next().cloned())
    }
}

/// The next element of a wire list whose unread rest is `i`.
#[inline(always)]
fn wire_next<'a, T>(i: &mut In<'a>, parse: ElemFn<'a, T>, sep: Sep, first: &mut bool) -> Option<T> {
    if i.is_empty() {
        return None;
    }
    if !*first || sep == Sep::None {
        *i = i.skip_spaces();
    }
    *first = false;
    match parse(*i) {
        Ok((rest, v)) => {
            *i = rest;
            Some(v)
        }
        Err(_) => {
            *i = i.to_end();
            None
        }
    }
}

/// A [`List`] taken by value: `for item in list` moves the items of a built
/// list out instead of cloning them ([`List::iter`] clones, as it borrows),
/// and parses a wire list element by element as [`List::iter`] does.
///
/// ```
/// use mailwire::imap::{parse_response, Data, FetchItem, ParseOptions, Response};
/// let r = parse_response(b"* 1 FETCH (UID 7 RFC822.SIZE 1200)\r\n", &ParseOptions::default())?;
/// let Response::Data(Data::Fetch { items, .. }) = r else { unreachable!() };
/// let mut uid = 0;
/// for item in items {
///     if let FetchItem::Uid(u) = item {
///         uid = u;
///     }
/// }
/// assert_eq!(uid, 7);
/// # Ok::<(), mailwire::Error>(())
/// ```
pub struct ListIntoIter<'a, T> {
    inner: Rest<'a, T, alloc::vec::IntoIter<T>>,
}

impl<'a, T> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = ListIntoIter<'a, T>;
    fn into_iter(self) -> ListIntoIter<'a, T> {
        ListIntoIter {
            inner: match self.repr {
                ListRepr::Wire {
                    raw,
                    parse,
                    sep,
                    ctx,
                } => Rest::wire(raw, parse, sep, ctx),
                ListRepr::Items(v) => Rest::Items(v.into_iter()),
            },
        }
    }
}

impl<'l, 'a, T: Clone> IntoIterator for &'l List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'l, 'a, T>;
    /// [`List::iter`].
    fn into_iter(self) -> ListIter<'l, 'a, T> {
        self.iter()
    }
}

impl<T> Iterator for ListIntoIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.inner.next_with(Iterator::next)
    }
}

// Clone, PartialEq and Debug of the recursive types (body structures, search
// keys, threads) recurse through these impls, once per nesting level: they
// take the items of a built list by reference (no clone of a nested value)
// and keep the element a parsed list needs in a frame of its own (not
// inlined, so the other case does not carry its slots); debug builds give
// every local its own slot, so this keeps the stack per level small there
// (see `ParseOptions::MAX_NESTING_DEPTH`).

impl<T: Clone> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        List {
            repr: match &self.repr {
                ListRepr::Wire {
                    raw,
                    parse,
                    sep,
                    ctx,
                } => ListRepr::Wire {
                    raw,
                    parse: *parse,
                    sep: *sep,
                    ctx: *ctx,
                },
                ListRepr::Items(v) => ListRepr::Items(clone_items(v)),
            },
        }
    }
}

/// The items of a built list, cloned one at a time.
fn clone_items<T: Clone>(v: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(v.len());
    for x in v {
        out.push(x.clone());
    }
    out
}

impl<T: Clone + PartialEq> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        let (Some(a), Some(b)) = (self.items(), other.items()) else {
            return list_eq_parsed(self, other);
        };
        if a.len() != b.len() {
            return false;
        }
        for i in 0..a.len() {
            if a[i] != b[i] {
                return false;
            }
        }
        true
    }
}

/// [`List::eq`] when one list (or both) was parsed: an element of each at a
/// time in this frame.
#[inline(never)]
fn list_eq_parsed<T: Clone + PartialEq>(a: &List<'_, T>, b: &List<'_, T>) -> bool {
    let (mut a, mut b) = (a.iter(), b.iter());
    loop {
        let x = a.next();
        let y = b.next();
        match (&x, &y) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

impl<T: Clone + fmt::Debug> fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.items() {
            Some(v) => f.debug_list().entries(v).finish(),
            None => list_fmt_parsed(self, f),
        }
    }
}

/// [`List`]'s `Debug` of a parsed list: an element at a time in this frame.
#[inline(never)]
fn list_fmt_parsed<T: Clone + fmt::Debug>(
    l: &List<'_, T>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut d = f.debug_list();
    let mut it = l.iter();
    loop {
        let x = it.next();
        match &x {
            Some(x) => d.entry(x),
            None => return d.finish(),
        };
    }
}

impl<T: Clone + IntoOwned> IntoOwned for List<'_, T>
where
    T::Owned: Clone,
{
    type Owned = List<'static, T::Owned>;
    fn into_owned(self) -> Self::Owned {
        List::from_items(
            self.into_vec()
                .into_iter()
                .map(IntoOwned::into_owned)
                .collect(),
        )
    }
}

impl<T> From<Vec<T>> for List<'_, T> {
    fn from(v: Vec<T>) -> Self {
        List::from_items(v)
    }
}

/// One value parsed again on demand from its validated wire bytes (used for
/// the recursive parts of BODYSTRUCTURE and search keys, so they need no
/// allocation), or a value you built.
///
/// ```
/// use mailwire::imap::{parse_command, CommandBody, IString, ParseOptions, SearchKey};
///
/// // RFC 9051 §6.4.4: C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
/// let frame = b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n";
/// let command = parse_command(frame, &ParseOptions::default()).unwrap();
/// let CommandBody::Search { criteria, .. } = command.body else { panic!() };
/// let Some(SearchKey::Not(inner)) = criteria.iter().nth(2) else { panic!() };
/// assert_eq!(inner.get(), SearchKey::From(IString::from("Smith")));
/// ```
pub struct Lazy<'a, T> {
    repr: LazyRepr<'a, T>,
}

enum LazyRepr<'a, T> {
    Wire {
        raw: &'a [u8],
        parse: ElemFn<'a, T>,
        ctx: Ctx,
    },
    Value(alloc::boxed::Box<T>),
}

impl<'a, T: Clone> Lazy<'a, T> {
    pub(crate) fn wire(raw: &'a [u8], parse: ElemFn<'a, T>, ctx: Ctx) -> Self {
        Lazy {
            repr: LazyRepr::Wire { raw, parse, ctx },
        }
    }
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Lazy {
            repr: LazyRepr::Value(alloc::boxed::Box::new(value)),
        }
    }
    /// The value (parsed again from the wire bytes when it was parsed).
    ///
    /// # Panics
    /// Never for values this crate parsed (they were validated); see
    /// [`try_get`](Self::try_get).
    pub fn get(&self) -> T {
        self.try_get().expect("validated when parsed")
    }
    /// The value, or `None` if the wire bytes do not parse (impossible for
    /// values produced by this crate's parsers).
    pub fn try_get(&self) -> Option<T> {
        match &self.repr {
            LazyRepr::Value(v) => Some((**v).clone()),
            LazyRepr::Wire { raw, parse, ctx } => {
                parse(In::trusted(raw, *ctx)).ok().map(|(_, v)| v)
            }
        }
    }
}

impl<'a, T> Lazy<'a, T> {
    /// A placeholder without a value, for one being built (never seen
    /// outside the crate).
    pub(crate) fn taken() -> Self {
        Lazy {
            repr: LazyRepr::Wire {
                raw: &[],
                parse: taken,
                ctx: Ctx {
                    quirks: 0,
                    depth: 0,
                },
            },
        }
    }
    /// The value of a built one, by reference; `None` for a parsed one.
    pub(crate) fn value(&self) -> Option<&T> {
        match &self.repr {
            LazyRepr::Value(v) => Some(v),
            LazyRepr::Wire { .. } => None,
        }
    }
}

impl<'a, T: Clone> Lazy<'a, T> {
    /// The value, moved out of a built one (parsed from a wire one).
    ///
    /// # Panics
    /// As [`get`](Self::get).
    pub(crate) fn into_value(self) -> T {
        match self.repr {
            LazyRepr::Value(v) => *v,
            LazyRepr::Wire { .. } => self.get(),
        }
    }
}

/// The element rule of [`Lazy::taken`]: nothing parses.
fn taken<'a, T>(i: In<'a>) -> R<'a, T> {
    i.err("a value that was moved out")
}

impl<T: Clone> Clone for Lazy<'_, T> {
    fn clone(&self) -> Self {
        Lazy {
            repr: match &self.repr {
                LazyRepr::Wire { raw, parse, ctx } => LazyRepr::Wire {
                    raw,
                    parse: *parse,
                    ctx: *ctx,
                },
                LazyRepr::Value(v) => LazyRepr::Value(v.clone()),
            },
        }
    }
}

impl<T: Clone + PartialEq> PartialEq for Lazy<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        match (self.value(), other.value()) {
            (Some(a), Some(b)) => a == b,
            _ => lazy_eq_parsed(self, other),
        }
    }
}

/// [`Lazy::eq`] when one value (or both) was parsed: the parsed ones in this
/// frame, a built one by reference.
#[inline(never)]
fn lazy_eq_parsed<T: Clone + PartialEq>(a: &Lazy<'_, T>, b: &Lazy<'_, T>) -> bool {
    let x = if a.value().is_none() {
        a.try_get()
    } else {
        None
    };
    let y = if b.value().is_none() {
        b.try_get()
    } else {
        None
    };
    let x = match &x {
        Some(v) => Some(v),
        None => a.value(),
    };
    let y = match &y {
        Some(v) => Some(v),
        None => b.value(),
    };
    x == y
}

impl<T: Clone + fmt::Debug> fmt::Debug for Lazy<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(v) => fmt::Debug::fmt(&Some(v), f),
            None => lazy_fmt_parsed(self, f),
        }
    }
}

/// [`Lazy`]'s `Debug` of a parsed value: the value in this frame.
#[inline(never)]
fn lazy_fmt_parsed<T: Clone + fmt::Debug>(
    l: &Lazy<'_, T>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    fmt::Debug::fmt(&l.try_get(), f)
}

impl<T: Clone + IntoOwned> IntoOwned for Lazy<'_, T>
where
    T::Owned: Clone,
{
    type Owned = Lazy<'static, T::Owned>;
    fn into_owned(self) -> Self::Owned {
        Lazy::new(self.into_value().into_owned())
    }
}

crate::owned::into_owned! {
    struct Tag(inner)
    struct Atom(inner)
    struct IString(inner)
    enum Mailbox { Inbox, Other(s), Utf8(s) }
    struct SequenceSet(inner)
    enum Flag {
        Answered,
        Flagged,
        Deleted,
        Seen,
        Draft,
        Recent,
        Wildcard,
        Keyword(a),
        Extension(a),
    }
}
