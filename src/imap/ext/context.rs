//! CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): a client keeps the result
//! of a `SEARCH`/`SORT ... RETURN (UPDATE)` live, the server sends the changes
//! as `ESEARCH` data (`ADDTO`, `REMOVEFROM`, in
//! [`SearchReturnData`](crate::imap::SearchReturnData)) until the client
//! sends `CANCELUPDATE`; `NOUPDATE` tells the client a server will not keep
//! a context up to date.
//!
//! ```text
//! capability       =/ "CONTEXT=SEARCH" / "CONTEXT=SORT" / "ESORT"
//! command-select   =/ "CANCELUPDATE" 1*(SP quoted)
//! resp-text-code   =/ "NOUPDATE" SP quoted
//! ```
//! (RFC 5267 §5: the tags are `quoted`, not astring.)
//!
//! ```
//! use mailwire::imap::{parse_command, CommandBody, ParseOptions};
//!
//! // RFC 5267 §4.3.5: C: E01 CANCELUPDATE "B01"
//! let cmd = parse_command(b"E01 CANCELUPDATE \"B01\"\r\n", &ParseOptions::default()).unwrap();
//! let CommandBody::CancelUpdate(tags) = cmd.body else { panic!() };
//! assert_eq!(tags.iter().map(|t| t.as_bytes().to_vec()).collect::<Vec<_>>(), [b"B01".to_vec()]);
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::CancelUpdate`,
//! - [`Code`](crate::imap::Code)`::NoUpdate`.
//!
//! Registered in `registry`. The ESORT return options are atoms of
//! [`CommandBody::Sort`](crate::imap::CommandBody::Sort); the update data live
//! in [`esearch`](crate::imap::ext::esearch).

/// The grammar of CANCELUPDATE and NOUPDATE.
pub(crate) mod parse {
    use nom::Parser as _;

    use crate::imap::syntax::core::{IString, List, Sep};
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::quoted;

    /// The command's name.
    pub(crate) const NAME: &[u8] = b"CANCELUPDATE";

    fn sp_quoted(i: In<'_>) -> R<'_, IString<'_>> {
        let (i, (_, q)) = (sp, quoted).parse(i)?;
        Ok((i, q))
    }

    /// After the name: `1*(SP quoted)` (RFC 5267 §5).
    pub(crate) fn cancelupdate(i: In<'_>) -> R<'_, List<'_, IString<'_>>> {
        let start = i;
        let (mut i, _) = sp_quoted(i)?;
        while i.peek() == Some(b' ') && i.peek_at(1) == Some(b'"') {
            (i, _) = sp_quoted(i)?;
        }
        // each element is ` "tag"`: the list re-reads the quoted strings
        let raw = crate::imap::syntax::input::after_sp(&start, &i);
        Ok((i, List::wire(raw, quoted, Sep::Space, i.ctx())))
    }

    /// After the code's name: `SP quoted` (RFC 5267 §5, NOUPDATE).
    pub(crate) fn noupdate_code(i: In<'_>) -> R<'_, IString<'_>> {
        sp_quoted(i)
    }
}

/// The emitter of CANCELUPDATE and NOUPDATE.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::syntax::core::{IString, List};
    use crate::imap::syntax::write::W;

    /// A `quoted` (RFC 9051 §9): a tag that a quoted string cannot carry
    /// (CR, LF, NUL, 8-bit) is refused.
    fn quoted(w: &mut W<'_>, s: &[u8]) -> Result<(), Error> {
        if s.iter()
            .any(|&b| matches!(b, b'\r' | b'\n' | 0) || b >= 0x80)
        {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "quoted",
            }));
        }
        w.quoted(s);
        Ok(())
    }

    /// `"CANCELUPDATE" 1*(SP quoted)`.
    pub(crate) fn cancelupdate(w: &mut W<'_>, tags: &List<'_, IString<'_>>) -> Result<(), Error> {
        w.raw(super::parse::NAME);
        let mut any = false;
        for t in tags.iter() {
            any = true;
            w.sp();
            quoted(w, t.as_bytes())?;
        }
        if !any {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "CANCELUPDATE tag",
            }));
        }
        Ok(())
    }

    /// `"NOUPDATE" SP quoted`.
    pub(crate) fn noupdate_code(w: &mut W<'_>, tag: &IString<'_>) -> Result<(), Error> {
        w.raw(b"NOUPDATE ");
        quoted(w, tag.as_bytes())
    }
}
