//! CAPABILITY and ENABLE (RFC 9051 §6.1.1, §6.3.1, §7.2.1, §7.2.2; RFC 5161):
//! the list of capability names a server announces (in the CAPABILITY
//! response and the `CAPABILITY` response code) and the names ENABLE turns
//! on (the ENABLED response), with its rule and emitter. The names are atoms
//! of the ground floor; the responses are variants of the central enums
//! ([`Data::Capability`](crate::imap::Data::Capability),
//! [`Data::Enabled`](crate::imap::Data::Enabled),
//! [`Code::Capability`](crate::imap::Code::Capability)).
//!
//! ```text
//! capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" *(SP capability)
//! enable-data     = "ENABLED" *(SP capability)
//! ```
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let Response::Data(Data::Capability(caps)) =
//!     parse_response(b"* CAPABILITY IMAP4rev2 IDLE UIDPLUS\r\n", &ParseOptions::default())
//!         .unwrap() else { panic!() };
//! assert_eq!(caps.iter().map(|a| a.as_str().to_string()).collect::<Vec<_>>(),
//!            ["IMAP4rev2", "IDLE", "UIDPLUS"]);
//! ```

/// The grammar of the capability lists.
pub(crate) mod parse {
    use crate::imap::syntax::core::{Atom, List, Sep};
    use crate::imap::syntax::input::{In, R, after_sp};
    use crate::imap::syntax::rules::atom;

    /// `*(SP capability)` (a CAPABILITY or ENABLED response, the CAPABILITY
    /// code); a trailing space is a quirk.
    /// `*(SP capability)` up to `]` or CRLF, trailing space tolerated.
    /// `capability = ("AUTH=" auth-type) / atom`
    pub(crate) fn capability_list<'a>(i: In<'a>) -> R<'a, List<'a, Atom<'a>>> {
        let start = i;
        let mut i = i;
        let mut end = i;
        while i.peek() == Some(b' ') {
            if i.q().trailing_space && matches!(i.peek_at(1), Some(b'\r' | b'\n' | b']')) {
                i = i.skip(1);
                break;
            }
            (i, _) = atom(i.skip(1))?;
            end = i;
        }
        let raw = after_sp(&start, &end);
        Ok((i, List::wire(raw, atom, Sep::Space, i.ctx())))
    }
}

/// Emitting the capability lists.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::syntax::core::{Atom, List};
    use crate::imap::syntax::write::W;

    /// `*(SP capability)`
    pub(crate) fn capability_list(w: &mut W<'_>, l: &List<'_, Atom<'_>>) -> Result<(), Error> {
        for a in l.iter() {
            w.sp();
            w.atom(&a)?;
        }
        Ok(())
    }
}
