//! INPROGRESS (RFC 9585): a server tells the client how far a long-running
//! command has got, in an untagged OK carrying the `INPROGRESS` response code
//! (RFC 9585 §3):
//!
//! ```text
//! resp-text-code =/ "INPROGRESS" [ SP "(" progress-tag SP progress-state SP progress-goal ")" ]
//! progress-tag   = quoted / nil
//! progress-state = number / nil
//! progress-goal  = nz-number / nil
//! ```
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
    /// `progress-tag = quoted / nil`: the tag of the command in progress.
    pub tag: Option<IString<'a>>,
    /// `progress-state = number / nil`: how many items are done.
    pub state: Option<u32>,
    /// `progress-goal = nz-number / nil`: how many items there are.
    pub goal: Option<u32>,
}

crate::owned::into_owned! {
    struct Progress { tag, state, goal }
}

/// The grammar of INPROGRESS.
pub(crate) mod parse {
    use super::Progress;
    use crate::imap::syntax::input::{In, R, byte, sp};
    use crate::imap::syntax::rules::{is_nil, number, nz_number, quoted};

    /// After the code's name: `[ SP "(" progress-tag SP progress-state SP
    /// progress-goal ")" ]`; `None` when the code has no argument.
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

    /// `"INPROGRESS" [ SP "(" progress-tag SP progress-state SP progress-goal ")" ]`;
    /// a goal of 0 is refused (`progress-goal = nz-number / nil`).
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
        if let Some(t) = &p.tag {
            if t.as_bytes().iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                    field: "progress-tag",
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
