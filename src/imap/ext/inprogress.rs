//! INPROGRESS (RFC 9585): a server tells the client how far a long-running
//! command has got, in an untagged OK carrying the `INPROGRESS` response code.
//! RFC 9585 §5 (Formal Syntax):
//!
//! ```text
//! resp-text-code =/ "INPROGRESS" [ SP "(" inprogress-tag SP inprogress-state ")" ]
//! inprogress-tag            = quoted / nil
//! inprogress-state-unknown  = nil SP nil
//! inprogress-state-counting = number SP nil
//! inprogress-state-known-goal = number SP nz-number
//! ```
//!
//! (`inprogress-state` is one of the three `inprogress-state-*` forms.) So
//! PROGRESS and GOAL are NIL together, or PROGRESS alone is known, or both
//! are; a known GOAL with an unknown PROGRESS is off the grammar. §4 adds:
//! the tag "MUST be set to NIL" when it "contains the "]" character"; GOAL
//! "MUST be greater than PROGRESS"; and the code "MUST NOT appear in a
//! tagged response". The emitter refuses values that break these rules
//! ([`Unemittable`](crate::error::Unemittable)); the parser takes what the
//! grammar allows (a client "MUST disregard" a notification whose PROGRESS
//! exceeds GOAL, RFC 9585 §6: see [`Progress::is_plausible`]).
//!
//! ```
//! use mailwire::imap::{parse_response, Code, ParseOptions, Progress, Response};
//!
//! let Response::Status(s) = parse_response(
//!     b"* OK [INPROGRESS (\"A1\" 2000 22000)] Processed 9% of the items\r\n",
//!     &ParseOptions::STRICT,
//! ).unwrap() else { panic!() };
//! let Some(Code::InProgress(Some(p))) = s.code else { panic!() };
//! assert_eq!((p.state, p.goal), (Some(2000), Some(22000)));
//! assert_eq!(p.tag.unwrap().as_bytes(), b"A1");
//! ```
//!
//! Extends:
//! - [`Code`](crate::imap::Code)`::InProgress`.
//!
//! Registered in `registry` (the code's dispatch and emitter). The client
//! machine reports the untagged OK as it reports every untagged status (the
//! code typed); a server application sends it with
//! [`Server::send_untagged`](crate::imap::Server::send_untagged).

use crate::imap::syntax::core::IString;

/// The `("tag" state goal)` triple of an `INPROGRESS` code; each part may be
/// `NIL` (absent here).
#[derive(Clone, Debug, PartialEq)]
pub struct Progress<'a> {
    /// `inprogress-tag = quoted / nil`: the tag of the command in
    /// progress (NIL when unknown or when it holds `]`).
    pub tag: Option<IString<'a>>,
    /// PROGRESS (`number / nil`): how many items are done.
    pub state: Option<u32>,
    /// GOAL (`nz-number / nil`): how many items there are; only with a
    /// PROGRESS, and greater than it.
    pub goal: Option<u32>,
}

impl Progress<'_> {
    /// Whether the values can be used to show progress: not a PROGRESS over
    /// its GOAL (RFC 9585 §6: "the client should guard against values that
    /// can cause arithmetic exceptions, like GOAL = 0, [...] and VALUE >
    /// GOAL. In these cases, the notification MUST be disregarded"; GOAL 0
    /// never parses).
    ///
    /// ```
    /// use mailwire::imap::Progress;
    ///
    /// let p = Progress { tag: None, state: Some(175), goal: Some(1000) };
    /// assert!(p.is_plausible());
    /// assert!(!Progress { tag: None, state: Some(1001), goal: Some(1000) }.is_plausible());
    /// ```
    pub fn is_plausible(&self) -> bool {
        match (self.state, self.goal) {
            (Some(s), Some(g)) => g != 0 && s <= g,
            (None, Some(_)) => false,
            _ => true,
        }
    }
}

crate::owned::into_owned! {
    struct Progress { tag, state, goal }
}

/// The grammar of INPROGRESS.
pub(crate) mod parse {
    use super::Progress;
    use crate::imap::syntax::input::{In, R, byte, sp};
    use crate::imap::syntax::rules::{is_nil, number, nz_number, quoted};

    /// After the code's name: `[ SP "(" inprogress-tag SP inprogress-state
    /// ")" ]`; `None` when the code has no argument.
    pub(crate) fn inprogress_code(i: In<'_>) -> R<'_, Option<Progress<'_>>> {
        if i.peek() != Some(b' ') {
            return Ok((i, None));
        }
        let (i, ()) = sp(i)?;
        let (i, ()) = byte(b'(', "'('")(i)?;
        let (i, tag) = match is_nil(i) {
            (i, true) => (i, None),
            (i, false) => {
                let (i, t) = quoted(i)?;
                (i, Some(t))
            }
        };
        let (i, ()) = sp(i)?;
        // inprogress-state-unknown = nil SP nil
        // inprogress-state-counting = number SP nil
        // inprogress-state-known-goal = number SP nz-number
        let (i, state) = match is_nil(i) {
            (i, true) => (i, None),
            (i, false) => {
                let (i, n) = number(i)?;
                (i, Some(n))
            }
        };
        let (i, ()) = sp(i)?;
        let (i, goal) = match is_nil(i) {
            (i, true) => (i, None),
            (_, false) if state.is_none() => return i.err("NIL (no GOAL without PROGRESS)"),
            (i, false) => {
                let (i, n) = nz_number(i)?;
                (i, Some(n))
            }
        };
        let (i, ()) = byte(b')', "')'")(i)?;
        Ok((i, Some(Progress { tag, state, goal })))
    }
}

/// The emitter of INPROGRESS.
pub(crate) mod emit {
    use super::Progress;
    use crate::Error;
    use crate::imap::syntax::write::W;

    /// `"INPROGRESS" [ SP "(" inprogress-tag SP inprogress-state ")" ]`,
    /// refusing what RFC 9585 §4/§5 rule out: a GOAL of 0 (`nz-number`), a
    /// GOAL without a PROGRESS (no `inprogress-state` form has it), a GOAL
    /// not greater than PROGRESS ("it MUST be greater than PROGRESS"), and a
    /// tag with `]` (it "MUST be set to NIL") or a line break.
    pub(crate) fn inprogress_code(w: &mut W<'_>, p: &Option<Progress<'_>>) -> Result<(), Error> {
        let Some(p) = p else {
            w.raw(b"INPROGRESS");
            return Ok(());
        };
        if p.goal == Some(0) {
            return Err(Error::Emit(crate::error::Unemittable::Zero {
                field: "progress-goal",
            }));
        }
        match (p.state, p.goal) {
            (None, Some(_)) => {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "inprogress-state",
                }));
            }
            (Some(s), Some(g)) if g <= s => {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "inprogress-state (GOAL greater than PROGRESS)",
                }));
            }
            _ => {}
        }
        if let Some(t) = &p.tag {
            if t.as_bytes().iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                    field: "progress-tag",
                }));
            }
            if t.as_bytes().contains(&b']') {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "inprogress-tag (NIL for a tag with ']')",
                }));
            }
        }
        w.raw(b"INPROGRESS (");
        match &p.tag {
            Some(t) => w.quoted(t.as_bytes()),
            None => w.raw(b"NIL"),
        }
        w.sp();
        match p.state {
            Some(n) => w.num(n.into()),
            None => w.raw(b"NIL"),
        }
        w.sp();
        match p.goal {
            Some(n) => w.num(n.into()),
            None => w.raw(b"NIL"),
        }
        w.raw(b")");
        Ok(())
    }
}
