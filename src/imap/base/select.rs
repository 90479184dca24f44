//! SELECT and EXAMINE parameters (RFC 9051 §6.3.2; RFC 7162 CONDSTORE and
//! QRESYNC, kept here as base: their parameters only exist on these two
//! commands): [`SelectParam`], [`QResync`] and [`SeqMatchData`], with their
//! rules and emitters. The commands are variants of the central enum
//! ([`CommandBody::Select`]).
//!
//! ```text
//! select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
//!                [SP known-uids] [SP seq-match-data] ")" / tagged-ext
//! ```
//! The old paths (`types::command::SelectParam`, ...) re-export the types.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody, SelectParam};
//!
//! let c = parse_command(b"A1 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211))\r\n",
//!                       &ParseOptions::default()).unwrap();
//! let CommandBody::Select { params, .. } = c.body else { panic!() };
//! let Some(SelectParam::QResync(q)) = params.iter().next() else { panic!() };
//! assert_eq!((q.uid_validity, q.mod_seq), (67890007, 20050715194045000));
//! ```
//!
//! [`CommandBody::Select`]: crate::imap::CommandBody::Select

use crate::imap::syntax::core::*;
use alloc::borrow::Cow;

/// One `select-param` of SELECT/EXAMINE (RFC 4466 §2.1, RFC 7162 §3.1.8 and
/// §3.2.5).
///
/// ```text
/// select-params      = SP "(" select-param *(SP select-param) ")"
/// select-param       = select-param-name [SP select-param-value]
/// select-param-name  = tagged-ext-label
/// select-param-value = tagged-ext-val
/// select-param       =/ condstore-param          ; RFC 7162
/// condstore-param    = "CONDSTORE"
/// select-param       =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                       [SP known-uids] [SP seq-match-data] ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SelectParam<'a> {
    /// `CONDSTORE` (RFC 7162 §3.1.8)
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])` (RFC 7162 §3.2.5)
    QResync(QResync<'a>),
    /// Another parameter: `tagged-ext-label [SP tagged-ext-val]`.
    Other {
        /// The parameter name (`tagged-ext-label`), not one of the names above.
        name: Atom<'a>,
        /// The value as on the wire (`tagged-ext-val`: a sequence set, a
        /// number, or a parenthesised list with its parentheses).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// The arguments of the QRESYNC select parameter (RFC 7162 §3.2.5).
///
/// ```text
/// "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
/// uidvalidity    = nz-number
/// known-uids     = sequence-set   ; "*" is not allowed
/// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct QResync<'a> {
    /// The last known UIDVALIDITY (non-zero).
    pub uid_validity: u32,
    /// The last known mod-sequence.
    pub mod_seq: u64,
    /// The UIDs the client knows (`known-uids`), without `*`.
    pub known_uids: Option<SequenceSet<'a>>,
    /// Message numbers paired with their UIDs (`seq-match-data`).
    pub seq_match_data: Option<SeqMatchData<'a>>,
}

/// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"` (RFC 7162
/// §3.2.5): message numbers and the UIDs they had, both without `*`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeqMatchData<'a> {
    /// `known-sequence-set`: message sequence numbers, ascending.
    pub known_sequence_set: SequenceSet<'a>,
    /// `known-uid-set`: the UIDs of those messages.
    pub known_uid_set: SequenceSet<'a>,
}

crate::owned::into_owned! {
    inherent enum SelectParam { CondStore, QResync(q), Other { name, value } }
    inherent struct QResync { uid_validity, mod_seq, known_uids, seq_match_data }
    inherent struct SeqMatchData { known_sequence_set, known_uid_set }
}

/// The grammar of SELECT and EXAMINE parameters.
pub(crate) mod parse {
    use super::*;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;
    use nom::Parser as _;
    use nom::combinator::{cond, map};
    use nom::sequence::preceded;

    /// ```text
    /// select-param = select-param-name [SP select-param-value]     ; RFC 4466
    /// select-param =/ "CONDSTORE"                                   ; RFC 7162
    /// select-param =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
    ///                 [SP known-uids] [SP seq-match-data] ")"
    /// ```
    pub(crate) fn select_param(i: In<'_>) -> R<'_, SelectParam<'_>> {
        let (i, name) = tagged_ext_label(i)?;
        if name.eq_ignore_case("CONDSTORE") {
            Ok((i, SelectParam::CondStore))
        } else if name.eq_ignore_case("QRESYNC") {
            map(preceded(sp, qresync), SelectParam::QResync).parse(i)
        } else {
            let (i, value) = opt_ext_value(i)?;
            Ok((i, SelectParam::Other { name, value }))
        }
    }

    /// ```text
    /// "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    /// uidvalidity        = nz-number
    /// mod-sequence-value = 1*DIGIT   ; 1 <= n <= 9,223,372,036,854,775,807
    /// known-uids         = sequence-set
    /// seq-match-data     = "(" known-sequence-set SP known-uid-set ")"
    /// ```
    pub(crate) fn qresync(i: In<'_>) -> R<'_, QResync<'_>> {
        let (start, (_, uid_validity, _)) = (byte(b'(', "'('"), nz_number32, sp).parse(i)?;
        let (i, mod_seq) = number64(start)?;
        if mod_seq == 0 {
            return start.err("non-zero mod-sequence-value");
        }
        let known = i.peek() == Some(b' ') && matches!(i.peek_at(1), Some(b'0'..=b'9'));
        let (i, known_uids) = cond(known, preceded(sp, known_set)).parse(i)?;
        let seq_match = i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(');
        let (i, seq_match_data) = cond(
            seq_match,
            map(
                (
                    sp,
                    byte(b'(', "'('"),
                    known_set,
                    sp,
                    known_set,
                    byte(b')', "')'"),
                ),
                |(_, _, known_sequence_set, _, known_uid_set, _)| SeqMatchData {
                    known_sequence_set,
                    known_uid_set,
                },
            ),
        )
        .parse(i)?;
        let (i, ()) = byte(b')', "')'")(i)?;
        Ok((
            i,
            QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match_data,
            },
        ))
    }

    /// `known-uids`, `known-sequence-set`, `known-uid-set`: a `sequence-set`
    /// where `*` is not allowed (nor `$`, RFC 5182).
    pub(crate) fn known_set(i: In<'_>) -> R<'_, SequenceSet<'_>> {
        match sequence_set(i)? {
            (_, s) if !is_known_set(&s) => i.err("sequence-set without '*'"),
            ok => Ok(ok),
        }
    }

    /// Whether a set may be sent as `known-uids` (no `*`, no `$`).
    pub(crate) fn is_known_set(s: &SequenceSet<'_>) -> bool {
        !s.as_str().contains(['*', '$'])
    }
}

/// Emitting SELECT and EXAMINE parameters.
pub(crate) mod emit {
    use super::parse::*;
    use super::*;
    use crate::Error;
    use crate::imap::syntax::write::*;

    /// A set with no `*` (`known-uids` and friends, RFC 7162).
    pub(crate) fn known_set(w: &mut W<'_>, s: &SequenceSet<'_>) -> Result<(), Error> {
        if !is_known_set(s) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "known-uids",
            }));
        }
        w.seq(s);
        Ok(())
    }

    /// A `mod-sequence-value`: 1 to 2^63-1.
    pub(crate) fn mod_seq_value(w: &mut W<'_>, n: u64) -> Result<(), Error> {
        if n == 0 || n > i64::MAX as u64 {
            return Err(Error::Emit(crate::error::Unemittable::OutOfRange {
                field: "mod-sequence",
            }));
        }
        w.num(n);
        Ok(())
    }

    /// `select-param` (RFC 4466, RFC 7162).
    pub(crate) fn select_param(w: &mut W<'_>, p: &SelectParam<'_>) -> Result<(), Error> {
        match p {
            SelectParam::CondStore => w.raw(b"CONDSTORE"),
            SelectParam::QResync(q) => {
                if q.uid_validity == 0 {
                    return Err(Error::Emit(crate::error::Unemittable::Zero {
                        field: "QRESYNC UIDVALIDITY",
                    }));
                }
                w.raw(b"QRESYNC (");
                w.num(u64::from(q.uid_validity));
                w.sp();
                mod_seq_value(w, q.mod_seq)?;
                if let Some(k) = &q.known_uids {
                    w.sp();
                    known_set(w, k)?;
                }
                if let Some(m) = &q.seq_match_data {
                    w.raw(b" (");
                    known_set(w, &m.known_sequence_set)?;
                    w.sp();
                    known_set(w, &m.known_uid_set)?;
                    w.raw(b")");
                }
                w.raw(b")");
            }
            SelectParam::Other { name, value } => {
                ext_param(w, name, value, &["CONDSTORE", "QRESYNC"])?;
            }
        }
        Ok(())
    }
}
