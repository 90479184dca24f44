//! MULTISEARCH (RFC 7377): the `ESEARCH` command searches several mailboxes
//! at once, in the authenticated or selected state; the server answers with
//! one `ESEARCH` response per mailbox, each with the correlator
//! `(TAG "t" MAILBOX "m" UIDVALIDITY n)`
//! ([`ESearchMailbox`](crate::imap::ESearchMailbox), in
//! [`esearch`](crate::imap::ext::esearch)).
//!
//! ```text
//! capability          =/ "MULTISEARCH"
//! command-auth        =/ esearch
//! command-select      =/ esearch
//! esearch             = "ESEARCH" [SP esearch-source-opts]
//!                       [SP search-return-opts] SP search-program
//! esearch-source-opts = "IN" SP "(" source-mbox ")"
//! source-mbox         = filter-mailboxes *(SP filter-mailboxes)
//! filter-mailboxes-other =/ ("subtree-one" SP one-or-more-mailbox)
//! ```
//! (`filter-mailboxes` and `one-or-more-mailbox` are RFC 5465's, typed as
//! [`MailboxFilter`].)
//!
//! ```
//! use mailwire::imap::{parse_command, CommandBody, ParseOptions};
//!
//! // RFC 7377 §2.1: C: tag1 ESEARCH IN (mailboxes "folder1" subtree-one "folder2") unseen
//! let cmd = parse_command(
//!     b"tag1 ESEARCH IN (mailboxes \"folder1\" subtree-one \"folder2\") unseen\r\n",
//!     &ParseOptions::default(),
//! ).unwrap();
//! let CommandBody::ESearch { source: Some(source), .. } = cmd.body else { panic!() };
//! assert_eq!(source.iter().count(), 2);
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::ESearch`,
//! - [`MailboxFilter`]`::SubtreeOne`.
//!
//! Registered in `registry`.

use crate::imap::base::search::SearchKey;
use crate::imap::ext::notify::MailboxFilter;
use crate::imap::syntax::core::{Atom, IString, List};

/// The parts of an `ESEARCH` command: source mailboxes (`None` without
/// `IN`: the selected mailbox), return options, charset, keys.
pub(crate) type ESearchParts<'a> = (
    Option<List<'a, MailboxFilter<'a>>>,
    Option<List<'a, Atom<'a>>>,
    Option<IString<'a>>,
    List<'a, SearchKey<'a>>,
);

/// The grammar of the ESEARCH command.
pub(crate) mod parse {
    use super::ESearchParts;
    use crate::imap::base::search::parse::search_program;
    use crate::imap::ext::notify::parse::mailbox_filter;
    use crate::imap::syntax::input::{In, R, after_prefix};
    use crate::imap::syntax::rules::paren_list;

    /// The command's name.
    pub(crate) const NAME: &[u8] = b"ESEARCH";

    /// After the name: `[SP esearch-source-opts] [SP search-return-opts] SP
    /// search-program` (RFC 7377 §2).
    pub(crate) fn esearch(i: In<'_>) -> R<'_, ESearchParts<'_>> {
        let (i, source) = match after_prefix(&i, b" IN ") {
            Some(r) => {
                // esearch-source-opts = "IN" SP "(" source-mbox ")"
                let (r, l) = paren_list(r, mailbox_filter, false)?;
                (r, Some(l))
            }
            None => (i, None),
        };
        let (i, (return_options, charset, criteria)) = search_program(i)?;
        Ok((i, (source, return_options, charset, criteria)))
    }
}

/// The emitter of the ESEARCH command.
pub(crate) mod emit {
    use crate::Error;
    use crate::imap::base::search::SearchKey;
    use crate::imap::base::search::emit::{charset_out, keys};
    use crate::imap::ext::notify::MailboxFilter;
    use crate::imap::ext::notify::emit::mailbox_filter;
    use crate::imap::syntax::core::{Atom, IString, List};
    use crate::imap::syntax::write::{W, atoms_sp};

    /// `"ESEARCH" [SP "IN" SP "(" source-mbox ")"] [search-return-opts] SP search-program`.
    pub(crate) fn esearch(
        w: &mut W<'_>,
        source: &Option<List<'_, MailboxFilter<'_>>>,
        return_options: &Option<List<'_, Atom<'_>>>,
        charset: &Option<IString<'_>>,
        criteria: &List<'_, SearchKey<'_>>,
    ) -> Result<(), Error> {
        w.raw(super::parse::NAME);
        if let Some(l) = source {
            // source-mbox = filter-mailboxes *(SP filter-mailboxes): at least one
            if l.is_empty() {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "ESEARCH IN source mailbox filter",
                }));
            }
            w.raw(b" IN (");
            for (n, f) in l.iter().enumerate() {
                if n > 0 {
                    w.sp();
                }
                mailbox_filter(w, &f)?;
            }
            w.raw(b")");
        }
        if let Some(r) = return_options {
            crate::imap::base::partial::emit::check_return_options(r)?;
            w.raw(b" RETURN (");
            atoms_sp(w, r)?;
            w.raw(b")");
        }
        if let Some(cs) = charset {
            w.raw(b" CHARSET ");
            charset_out(w, cs)?;
        }
        keys(w, criteria)
    }
}
