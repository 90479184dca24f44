//! Gmail's `X-GM-EXT-1`: labels, message ids and thread ids, to FETCH, to
//! STORE and to SEARCH by, and the `X-GM-RAW` search key (Google's "IMAP
//! Extensions" page for Gmail; there is no RFC and no ABNF: the rules below
//! are written from that page's examples and from the grammar of the base
//! protocol they reuse).
//!
//! ```text
//! capability     =/ "X-GM-EXT-1"
//! fetch-att      =/ "X-GM-LABELS" / "X-GM-MSGID" / "X-GM-THRID"
//! msg-att-dynamic =/ "X-GM-LABELS" SP "(" [gm-label *(SP gm-label)] ")"
//! msg-att-static =/ "X-GM-MSGID" SP gm-id / "X-GM-THRID" SP gm-id
//! store-att-flags =/ (["+" / "-"] "X-GM-LABELS" [".SILENT"]) SP
//!                    ("(" [gm-label *(SP gm-label)] ")" / gm-label *(SP gm-label))
//! search-key     =/ "X-GM-RAW" SP astring / "X-GM-MSGID" SP gm-id /
//!                   "X-GM-THRID" SP gm-id / "X-GM-LABELS" SP gm-label
//! gm-label       = "\" atom / astring   ; \Inbox, \Important, Work, "Muy Importante"
//! gm-id          = 1*DIGIT              ; an unsigned 64-bit number
//! ```
//! (Not from an RFC: the names are Google's; `gm-label` and `gm-id` are this
//! crate's names for what the page shows: system labels sent as `\Inbox` or
//! quoted as `"\\Important"`, user labels as atoms or quoted strings, and ids
//! as "64-bit unsigned" decimal numbers.)
//!
//! Extends:
//! - [`FetchAttribute`](crate::imap::FetchAttribute)`::GmailLabels`,
//!   `::GmailMsgId`, `::GmailThrId`;
//! - [`FetchItem`](crate::imap::FetchItem)`::GmailLabels`, `::GmailMsgId`,
//!   `::GmailThrId`;
//! - [`SearchKey`](crate::imap::SearchKey)`::Gmail` (with [`GmailKey`]);
//! - [`CommandBody`](crate::imap::CommandBody)`::StoreGmailLabels`.
//!
//! Like SAVEDATE, the room extends the FETCH, SEARCH and STORE concepts, so it
//! sits with theirs in [`crate::imap::base`]; the old-style path
//! `ext::gmail` re-exports it.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody, SearchKey};
//! use mailwire::imap::ext::gmail::GmailKey;
//!
//! let c = parse_command(b"A1 SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n",
//!     &ParseOptions::default()).unwrap();
//! let CommandBody::Search { criteria, .. } = c.body else { panic!() };
//! let Some(SearchKey::Gmail(GmailKey::Raw(q))) = criteria.iter().next() else { panic!() };
//! assert_eq!(q.as_bytes(), b"has:attachment in:unread");
//! ```

use alloc::borrow::Cow;

use crate::imap::syntax::core::IString;

/// A Gmail label: a system label (`\Inbox`, `\Important`, with its
/// backslash) or a user label (`Work`, `Muy Importante`), as bytes.
///
/// `\Inbox` and `"\\Inbox"` are the same label: the value keeps the text,
/// not how it was quoted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GmailLabel<'a>(pub IString<'a>);

impl<'a> GmailLabel<'a> {
    /// A label from its text (`"\\Inbox"` for the system label `\Inbox`).
    pub fn new(b: impl Into<Cow<'a, [u8]>>) -> Self {
        GmailLabel(IString(b.into()))
    }
    /// The label's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
    /// A system label (its text starts with a backslash).
    pub fn is_system(&self) -> bool {
        self.as_bytes().first() == Some(&b'\\')
    }
}

crate::owned::into_owned! {
    struct GmailLabel(s)
}

/// A Gmail search key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GmailKey<'a> {
    /// `X-GM-RAW string`: a query in Gmail's web search syntax.
    Raw(IString<'a>),
    /// `X-GM-MSGID n`: the message with that Gmail message id.
    MsgId(u64),
    /// `X-GM-THRID n`: the messages of that Gmail thread.
    ThrId(u64),
    /// `X-GM-LABELS label`: the messages with that label.
    Labels(GmailLabel<'a>),
}

crate::owned::into_owned! {
    enum GmailKey { Raw(s), MsgId(n), ThrId(n), Labels(l) }
}

/// The grammar of X-GM-EXT-1.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::combinator::map;
    use nom::sequence::preceded;

    use super::{GmailKey, GmailLabel};
    use crate::imap::base::store::StoreKind;
    use crate::imap::syntax::core::{IString, List, Sep, class};
    use crate::imap::syntax::input::{In, R, after_prefix, sp, take_while};
    use crate::imap::syntax::rules::{astring, paren_list};

    /// `gm-id = 1*DIGIT`, the whole range of `u64` (Google: "64-bit
    /// unsigned"); an overflow is a parse error.
    pub(crate) fn gm_id(i: In<'_>) -> R<'_, u64> {
        let (rest, d) = take_while(i, |b| b.is_ascii_digit());
        let v = d.iter().try_fold(0u64, |acc, &b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        });
        match v {
            Some(v) if !d.is_empty() => Ok((rest, v)),
            _ => i.err("64-bit number"),
        }
    }

    /// `gm-label = "\" atom / astring`
    pub(crate) fn label(i: In<'_>) -> R<'_, GmailLabel<'_>> {
        if i.peek() == Some(b'\\') {
            let start = i;
            let (rest, a) = take_while(i.skip(1), |b| class::is(b, class::ATOM));
            if a.is_empty() {
                return i.err("atom of a system label");
            }
            return Ok((rest, GmailLabel(IString::from(start.upto(&rest)))));
        }
        map(astring, GmailLabel).parse(i)
    }

    /// `"(" [gm-label *(SP gm-label)] ")"`
    pub(crate) fn label_list(i: In<'_>) -> R<'_, List<'_, GmailLabel<'_>>> {
        paren_list(i, label, true)
    }

    /// `store-att-flags =/ (["+" / "-"] "X-GM-LABELS" [".SILENT"]) SP labels`;
    /// `None` (input unmoved) when the STORE changes flags instead.
    #[allow(clippy::type_complexity)]
    pub(crate) fn store_att(
        i: In<'_>,
    ) -> R<'_, Option<(StoreKind, bool, List<'_, GmailLabel<'_>>)>> {
        let (r, kind) = match i.peek() {
            Some(b'+') => (i.skip(1), StoreKind::Add),
            Some(b'-') => (i.skip(1), StoreKind::Remove),
            _ => (i, StoreKind::Replace),
        };
        let Some(r) = after_prefix(&r, b"X-GM-LABELS") else {
            return Ok((i, None));
        };
        let (r, silent) = match after_prefix(&r, b".SILENT") {
            Some(r) => (r, true),
            None => (r, false),
        };
        let (r, ()) = sp(r)?;
        let (r, labels) = store_labels(r)?;
        Ok((r, Some((kind, silent, labels))))
    }

    /// The labels of a STORE: a parenthesised list or labels separated by SP.
    pub(crate) fn store_labels(i: In<'_>) -> R<'_, List<'_, GmailLabel<'_>>> {
        if i.peek() == Some(b'(') {
            return label_list(i);
        }
        let start = i;
        let (mut i, _) = label(i)?;
        while i.peek() == Some(b' ') {
            (i, _) = label(i.skip(1))?;
        }
        Ok((i, List::wire(start.upto(&i), label, Sep::Space, i.ctx())))
    }

    /// The Gmail search keys, after their name; `None` (input unmoved) for
    /// any other name.
    pub(crate) fn search_key<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<GmailKey<'a>>> {
        let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
        let (i, k) = if is(b"X-GM-RAW") {
            map(preceded(sp, astring), GmailKey::Raw).parse(i)?
        } else if is(b"X-GM-MSGID") {
            map(preceded(sp, gm_id), GmailKey::MsgId).parse(i)?
        } else if is(b"X-GM-THRID") {
            map(preceded(sp, gm_id), GmailKey::ThrId).parse(i)?
        } else if is(b"X-GM-LABELS") {
            map(preceded(sp, label), GmailKey::Labels).parse(i)?
        } else {
            return Ok((i, None));
        };
        Ok((i, Some(k)))
    }
}

/// Emitting X-GM-EXT-1.
pub(crate) mod emit {
    use super::{GmailKey, GmailLabel};
    use crate::Error;
    use crate::imap::base::store::StoreKind;
    use crate::imap::syntax::core::{List, class};
    use crate::imap::syntax::write::W;

    /// `gm-label`: a system label whose name is an atom as `\Name`, anything
    /// else as an astring (quoted or a literal when it must be).
    pub(crate) fn label(w: &mut W<'_>, l: &GmailLabel<'_>) -> Result<(), Error> {
        let b = l.as_bytes();
        match b.split_first() {
            Some((b'\\', rest))
                if !rest.is_empty() && rest.iter().all(|&c| class::is(c, class::ATOM)) =>
            {
                w.raw(b);
                Ok(())
            }
            _ => w.astring(b),
        }
    }

    /// `"(" [gm-label *(SP gm-label)] ")"`
    pub(crate) fn label_list(w: &mut W<'_>, l: &List<'_, GmailLabel<'_>>) -> Result<(), Error> {
        w.raw(b"(");
        for (n, x) in l.iter().enumerate() {
            if n > 0 {
                w.sp();
            }
            label(w, &x)?;
        }
        w.raw(b")");
        Ok(())
    }

    /// `["+" / "-"] "X-GM-LABELS" [".SILENT"] SP "(" labels ")"`
    pub(crate) fn store_att(
        w: &mut W<'_>,
        kind: StoreKind,
        silent: bool,
        labels: &List<'_, GmailLabel<'_>>,
    ) -> Result<(), Error> {
        w.raw(match kind {
            StoreKind::Replace => b"X-GM-LABELS",
            StoreKind::Add => b"+X-GM-LABELS",
            StoreKind::Remove => b"-X-GM-LABELS",
        });
        if silent {
            w.raw(b".SILENT");
        }
        w.sp();
        label_list(w, labels)
    }

    /// The Gmail search keys.
    pub(crate) fn search_key(w: &mut W<'_>, k: &GmailKey<'_>) -> Result<(), Error> {
        match k {
            GmailKey::Raw(q) => {
                w.raw(b"X-GM-RAW ");
                // Gmail's examples always quote the query
                w.string(q.as_bytes())
            }
            GmailKey::MsgId(n) => {
                w.raw(b"X-GM-MSGID ");
                w.num(*n);
                Ok(())
            }
            GmailKey::ThrId(n) => {
                w.raw(b"X-GM-THRID ");
                w.num(*n);
                Ok(())
            }
            GmailKey::Labels(l) => {
                w.raw(b"X-GM-LABELS ");
                label(w, l)
            }
        }
    }
}
