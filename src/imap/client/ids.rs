//! The capabilities OBJECTID (RFC 8474), PREVIEW (RFC 8970) and MESSAGELIMIT
//! (RFC 9738) gate, found anywhere in a command: the `EMAILID`/`THREADID`
//! FETCH items and search keys (also nested under NOT, OR and parentheses,
//! in SEARCH, SORT, THREAD and ESEARCH), the `MAILBOXID` STATUS item (also in
//! `LIST ... RETURN (STATUS (...))`), the `PREVIEW` FETCH item, and the
//! `UIDAFTER`/`UIDBEFORE` search keys.

use alloc::vec::Vec;

use crate::imap::types::command::{
    CommandBody, FetchAttribute, FetchAttributes, ListReturnOption, SearchKey,
};
use crate::imap::types::core::{Atom, List};

/// The capability of RFC 8474.
pub(super) const OBJECTID: &str = "OBJECTID";
/// The capability of RFC 8970.
pub(super) const PREVIEW: &str = "PREVIEW";

/// The capabilities among OBJECTID and PREVIEW that `body` needs.
pub(super) fn needed(body: &CommandBody<'_>) -> [Option<&'static str>; 2] {
    use CommandBody as C;
    let (mut objectid, mut preview) = (false, false);
    match body {
        C::Fetch {
            attributes: FetchAttributes::List(l),
            ..
        } => {
            for a in l.iter() {
                match a {
                    FetchAttribute::EmailId | FetchAttribute::ThreadId => objectid = true,
                    FetchAttribute::Preview { .. } => preview = true,
                    _ => {}
                }
            }
        }
        C::Status { items, .. } => objectid = has_mailboxid(items),
        C::List {
            return_options: Some(options),
            ..
        } => {
            objectid = options.iter().any(|o| match o {
                ListReturnOption::Status(items) => has_mailboxid(&items),
                _ => false,
            })
        }
        _ => {
            if let Some(criteria) = search_criteria(body) {
                objectid = uses_keys(criteria, |k| {
                    matches!(k, SearchKey::EmailId(_) | SearchKey::ThreadId(_))
                });
            }
        }
    }
    [objectid.then_some(OBJECTID), preview.then_some(PREVIEW)]
}

/// Whether `body` searches with `UIDAFTER`/`UIDBEFORE` (RFC 9738), which a
/// server advertising `MESSAGELIMIT=n` understands.
pub(super) fn uses_uid_bounds(body: &CommandBody<'_>) -> bool {
    search_criteria(body).is_some_and(|criteria| {
        uses_keys(criteria, |k| {
            matches!(k, SearchKey::UidAfter(_) | SearchKey::UidBefore(_))
        })
    })
}

/// The search criteria of SEARCH, ESEARCH, SORT and THREAD.
fn search_criteria<'b, 'a>(body: &'b CommandBody<'a>) -> Option<&'b List<'a, SearchKey<'a>>> {
    use CommandBody as C;
    match body {
        C::Search { criteria, .. }
        | C::ESearch { criteria, .. }
        | C::Sort {
            search: criteria, ..
        }
        | C::Thread {
            search: criteria, ..
        } => Some(criteria),
        _ => None,
    }
}

/// `status-att =/ "MAILBOXID"` (RFC 8474 §7) among the items.
fn has_mailboxid(items: &List<'_, Atom<'_>>) -> bool {
    items
        .iter()
        .any(|a| a.as_str().eq_ignore_ascii_case("MAILBOXID"))
}

/// Whether a search program holds a key `hit` picks, at any depth (walked
/// with a stack of its own, never recursion).
fn uses_keys(keys: &List<'_, SearchKey<'_>>, hit: fn(&SearchKey<'_>) -> bool) -> bool {
    let mut todo: Vec<SearchKey<'_>> = keys.iter().collect();
    while let Some(k) = todo.pop() {
        if hit(&k) {
            return true;
        }
        match k {
            SearchKey::Not(a) => todo.extend(a.try_get()),
            SearchKey::Or(a, b) => todo.extend(a.try_get().into_iter().chain(b.try_get())),
            SearchKey::And(l) => todo.extend(l.iter()),
            _ => {}
        }
    }
    false
}
