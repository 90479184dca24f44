//! STORE and flags (RFC 9051 §6.4.6, §7.5.1; RFC 7162 UNCHANGEDSINCE): how a
//! STORE changes a message's flags ([`StoreKind`], with `.SILENT` and the
//! flag list), with its rule and emitter. The flags themselves
//! ([`Flag`](crate::imap::Flag), `flag-list`) are values of the ground floor
//! ([`crate::imap::syntax`]); the command is a variant of the central enum
//! ([`CommandBody::Store`](crate::imap::CommandBody::Store)).
//!
//! ```text
//! store           = "STORE" SP sequence-set SP store-att-flags
//! store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
//!                   (flag-list / (flag *(SP flag)))
//! ```
//! The old path (`types::command::StoreKind`) re-exports the type.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody, StoreKind, Flag};
//!
//! let c = parse_command(b"A1 STORE 2:4 +FLAGS.SILENT (\\Deleted)\r\n", &ParseOptions::default())
//!     .unwrap();
//! let CommandBody::Store { kind, silent, flags, .. } = c.body else { panic!() };
//! assert_eq!((kind, silent), (StoreKind::Add, true));
//! assert_eq!(flags.iter().next(), Some(Flag::Deleted));
//! ```

/// `store-att-flags`: how STORE changes the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

crate::owned::owned_copy!(StoreKind);

/// The grammar of STORE.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::combinator::opt;

    use super::StoreKind;
    use crate::imap::syntax::core::{Flag, List, Sep};
    use crate::imap::syntax::input::{In, R, kw, sp};
    use crate::imap::syntax::rules::{flag, flag_list};

    /// `store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))`
    #[allow(clippy::type_complexity)]
    pub(crate) fn store_att_flags(i: In<'_>) -> R<'_, (StoreKind, bool, List<'_, Flag<'_>>)> {
        let (i, kind) = match i.peek() {
            Some(b'+') => (i.skip(1), StoreKind::Add),
            Some(b'-') => (i.skip(1), StoreKind::Remove),
            _ => (i, StoreKind::Replace),
        };
        let (i, (_, silent, _)) = (kw(b"FLAGS"), opt(kw(b".SILENT")), sp).parse(i)?;
        let (i, flags) = if i.peek() == Some(b'(') {
            flag_list(i)?
        } else {
            // flag *(SP flag)
            let start = i;
            let (mut i, _) = flag(i)?;
            while i.peek() == Some(b' ') {
                (i, _) = flag(i.skip(1))?;
            }
            (i, List::wire(start.upto(&i), flag, Sep::Space, i.ctx()))
        };
        Ok((i, (kind, silent.is_some(), flags)))
    }
}

/// Emitting STORE.
pub(crate) mod emit {
    use super::StoreKind;
    use crate::Error;
    use crate::imap::syntax::core::{Flag, List};
    use crate::imap::syntax::write::W;

    /// `store-att-flags`, after the SP that follows the set (or the modifiers).
    pub(crate) fn store_att_flags(
        w: &mut W<'_>,
        kind: StoreKind,
        silent: bool,
        flags: &List<'_, Flag<'_>>,
    ) -> Result<(), Error> {
        w.raw(match kind {
            StoreKind::Replace => b"FLAGS",
            StoreKind::Add => b"+FLAGS",
            StoreKind::Remove => b"-FLAGS",
        });
        if silent {
            w.raw(b".SILENT");
        }
        w.sp();
        w.flag_list(flags)
    }
}
