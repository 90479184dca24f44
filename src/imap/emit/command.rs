//! Emitting commands (RFC 9051 §6 and the extensions of
//! [`CommandBody`](crate::imap::CommandBody)).

use crate::imap::base::list::emit::*;
use crate::imap::base::select::emit::*;
use crate::imap::base::sort::emit::*;
use crate::imap::ext::metadata::emit::getmetadata_option;
use bytes::BufMut;

use crate::Error;
use crate::imap::base::fetch::emit::fetch_att;
use crate::imap::base::search::emit::{charset_out, keys};
use crate::imap::syntax::core::is_atom;
use crate::imap::syntax::write::{EmitOptions, Emitted, W, emit_with};
use crate::imap::syntax::write::{atoms_sp, ext_param, ext_params};
use crate::imap::types::command::{Command, CommandBody, CreateParam, FetchAttributes};

/// Writes `command` (tag, body, CRLF) to `out`.
///
/// ```
/// use mailwire::imap::{emit::{emit_command, EmitOptions}, Command, CommandBody, Tag, Mailbox, List};
/// let cmd = Command { tag: Tag::new("a1").unwrap(), body: CommandBody::Select {
///     mailbox: Mailbox::from_utf8("Entwürfe"), params: List::empty() } };
/// let mut out = Vec::new();
/// emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"a1 SELECT Entw&APw-rfe\r\n");
/// ```
pub fn emit_command(
    command: &Command<'_>,
    out: &mut impl BufMut,
    opts: &EmitOptions,
) -> Result<Emitted, Error> {
    emit_with(out, *opts, false, |w| {
        w.raw(command.tag.as_str().as_bytes());
        w.sp();
        body(w, &command.body)?;
        w.crlf();
        Ok(())
    })
}

fn uid(w: &mut W<'_>, uid: bool) {
    if uid {
        w.raw(b"UID ");
    }
}

fn body(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
    use CommandBody as C;
    match c {
        C::Capability
        | C::Noop
        | C::Logout
        | C::StartTls
        | C::Namespace
        | C::Idle
        | C::Check
        | C::Close
        | C::Unselect
        | C::Expunge => w.raw(c.name().as_bytes()),
        C::Authenticate {
            mechanism,
            initial_response,
        } => {
            w.raw(b"AUTHENTICATE ");
            w.atom(mechanism)?;
            if let Some(ir) = initial_response {
                let b = ir.expose();
                if b.is_empty()
                    || !b
                        .iter()
                        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
                {
                    return Err(Error::Emit(crate::error::Unemittable::NotBase64 {
                        field: "initial response",
                    }));
                }
                w.sp();
                w.raw(b);
            }
        }
        C::Login { username, password } => {
            w.raw(b"LOGIN ");
            w.astring(username.as_bytes())?;
            w.sp();
            w.astring(password.expose())?;
        }
        C::Enable(l) => {
            w.raw(b"ENABLE");
            if l.is_empty() {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "ENABLE capability",
                }));
            }
            for a in l.iter() {
                w.sp();
                w.atom(&a)?;
            }
        }
        C::Select { mailbox, params } | C::Examine { mailbox, params } => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(mailbox)?;
            ext_params(w, params, select_param)?;
        }
        C::Create { mailbox, params } => {
            w.raw(b"CREATE ");
            w.mailbox(mailbox)?;
            ext_params(w, params, create_param)?;
        }
        C::Delete(m) | C::Subscribe(m) | C::Unsubscribe(m) | C::GetQuotaRoot(m) => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(m)?;
        }
        C::Rename { from, to } => {
            w.raw(b"RENAME ");
            w.mailbox(from)?;
            w.sp();
            w.mailbox(to)?;
        }
        C::List {
            selection,
            reference,
            patterns,
            return_options,
        } => {
            w.raw(b"LIST ");
            if !selection.is_empty() {
                w.raw(b"(");
                atoms_sp(w, selection)?;
                w.raw(b") ");
            }
            w.mailbox(reference)?;
            w.sp();
            let pats = patterns.to_vec();
            match pats.as_slice() {
                [] => {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "LIST pattern",
                    }));
                }
                [one] => w.list_mailbox(one.as_bytes())?,
                many => {
                    w.raw(b"(");
                    for (i, p) in many.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        w.list_mailbox(p.as_bytes())?;
                    }
                    w.raw(b")");
                }
            }
            if let Some(r) = return_options {
                w.raw(b" RETURN (");
                for (i, o) in r.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    return_option(w, &o)?;
                }
                w.raw(b")");
            }
        }
        C::Lsub { reference, pattern } => {
            w.raw(b"LSUB ");
            w.mailbox(reference)?;
            w.sp();
            w.list_mailbox(pattern.as_bytes())?;
        }
        C::Xlist { reference, pattern } => {
            w.raw(b"XLIST ");
            w.mailbox(reference)?;
            w.sp();
            w.list_mailbox(pattern.as_bytes())?;
        }
        C::Status { mailbox, items } => {
            w.raw(b"STATUS ");
            w.mailbox(mailbox)?;
            w.raw(b" (");
            if items.is_empty() {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "STATUS item",
                }));
            }
            atoms_sp(w, items)?;
            w.raw(b")");
        }
        C::Append { mailbox, messages } => {
            w.raw(b"APPEND ");
            w.mailbox(mailbox)?;
            if messages.is_empty() {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "APPEND message",
                }));
            }
            for m in messages.iter() {
                w.sp();
                if let Some(f) = &m.flags {
                    w.flag_list(f)?;
                    w.sp();
                }
                if let Some(d) = &m.date {
                    w.date_time(d)?;
                    w.sp();
                }
                w.literal(&m.data, m.binary)?;
            }
        }
        C::UidExpunge(s) => {
            w.raw(b"UID EXPUNGE ");
            w.seq(s);
        }
        C::Search {
            uid: u,
            return_options,
            charset,
            criteria,
        } => {
            uid(w, *u);
            w.raw(b"SEARCH");
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
            keys(w, criteria)?;
        }
        C::Fetch {
            uid: u,
            set,
            attributes,
            changed_since,
            vanished,
            partial,
        } => {
            uid(w, *u);
            w.raw(b"FETCH ");
            w.seq(set);
            w.sp();
            match attributes {
                FetchAttributes::All => w.raw(b"ALL"),
                FetchAttributes::Fast => w.raw(b"FAST"),
                FetchAttributes::Full => w.raw(b"FULL"),
                FetchAttributes::List(l) => {
                    let n = l.len();
                    if n == 0 {
                        return Err(Error::Emit(crate::error::Unemittable::Missing {
                            what: "FETCH attribute",
                        }));
                    }
                    if n > 1 {
                        w.raw(b"(");
                    }
                    for (i, a) in l.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        fetch_att(w, &a)?;
                    }
                    if n > 1 {
                        w.raw(b")");
                    }
                }
            }
            // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
            let mut open = false;
            let mut next = |w: &mut W<'_>| {
                w.raw(if open { b" " } else { b" (" });
                open = true;
            };
            if let Some(n) = changed_since {
                next(w);
                w.raw(b"CHANGEDSINCE ");
                w.num(*n);
            }
            if *vanished {
                next(w);
                w.raw(b"VANISHED");
            }
            if let Some(p) = partial {
                next(w);
                crate::imap::base::partial::emit::modifier(w, p)?;
            }
            if open {
                w.raw(b")");
            }
        }
        C::Store {
            uid: u,
            set,
            unchanged_since,
            kind,
            silent,
            flags,
        } => {
            store_head(w, *u, set, *unchanged_since);
            crate::imap::base::store::emit::store_att_flags(w, *kind, *silent, flags)?;
        }
        C::StoreGmailLabels {
            uid: u,
            set,
            unchanged_since,
            kind,
            silent,
            labels,
        } => {
            store_head(w, *u, set, *unchanged_since);
            crate::imap::base::gmail::emit::store_att(w, *kind, *silent, labels)?;
        }
        C::Copy {
            uid: u,
            set,
            mailbox,
        }
        | C::Move {
            uid: u,
            set,
            mailbox,
        } => {
            uid(w, *u);
            w.raw(c.name().as_bytes());
            w.sp();
            w.seq(set);
            w.sp();
            w.mailbox(mailbox)?;
        }
        C::Id(params) => {
            w.raw(b"ID ");
            crate::imap::ext::id::emit::id_params_list(w, params)?;
        }
        C::Sort {
            uid: u,
            return_options,
            criteria,
            charset,
            search,
        } => {
            uid(w, *u);
            w.raw(b"SORT");
            if let Some(r) = return_options {
                // search-return-opts (RFC 5267 §5, ESORT)
                crate::imap::base::partial::emit::check_return_options(r)?;
                w.raw(b" RETURN (");
                atoms_sp(w, r)?;
                w.raw(b")");
            }
            w.raw(b" (");
            if criteria.is_empty() {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "SORT criterion",
                }));
            }
            for (i, c) in criteria.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                sort_criterion(w, &c)?;
            }
            w.raw(b") ");
            charset_out(w, charset)?;
            keys(w, search)?;
        }
        C::Thread {
            uid: u,
            algorithm,
            charset,
            search,
        } => {
            uid(w, *u);
            w.raw(b"THREAD ");
            w.atom(algorithm)?;
            w.sp();
            charset_out(w, charset)?;
            keys(w, search)?;
        }
        C::GetQuota(root) => {
            w.raw(b"GETQUOTA ");
            w.astring(root.as_bytes())?;
        }
        C::SetQuota { root, limits } => {
            w.raw(b"SETQUOTA ");
            w.astring(root.as_bytes())?;
            w.raw(b" (");
            for (i, (n, v)) in limits.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.atom(&n)?;
                w.sp();
                w.num(v);
            }
            w.raw(b")");
        }
        C::GetMetadata {
            options,
            mailbox,
            entries,
        } => {
            w.raw(b"GETMETADATA ");
            if !options.is_empty() {
                w.raw(b"(");
                for (i, o) in options.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    getmetadata_option(w, &o)?;
                }
                w.raw(b") ");
            }
            w.mailbox(mailbox)?;
            w.raw(b" (");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring(e.as_bytes())?;
            }
            w.raw(b")");
        }
        C::SetMetadata { mailbox, entries } => {
            w.raw(b"SETMETADATA ");
            w.mailbox(mailbox)?;
            w.sp();
            crate::imap::ext::metadata::emit::entry_values(w, entries)?;
        }
        C::Compress(a) => {
            w.raw(b"COMPRESS ");
            w.atom(a)?;
        }
        C::AppendCatenate { .. }
        | C::SetAcl { .. }
        | C::DeleteAcl { .. }
        | C::GetAcl(_)
        | C::ListRights { .. }
        | C::MyRights(_)
        | C::Notify(_)
        | C::ResetKey { .. }
        | C::GenUrlAuth(_)
        | C::UrlFetch(_)
        | C::Unauthenticate
        | C::CancelUpdate(_)
        | C::ESearch { .. }
        | C::Replace { .. } => crate::imap::registry::emit_command(w, c)?,
        C::Unknown { name, rest } => {
            if !crate::imap::syntax::core::is_atom(name.as_bytes()) {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "atom",
                }));
            }
            w.raw(name.as_bytes());
            if !rest.is_empty() {
                if !crate::wire::line::is_line_safe(rest) {
                    return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                        field: "raw command arguments",
                    }));
                }
                w.sp();
                w.raw(rest);
            }
        }
    }
    Ok(())
}

/// `create-param` (RFC 4466, RFC 6154 USE).
fn create_param(w: &mut W<'_>, p: &CreateParam<'_>) -> Result<(), Error> {
    match p {
        CreateParam::Use(l) => {
            w.raw(b"USE (");
            for (i, a) in l.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                match a.as_str().strip_prefix('\\') {
                    Some(n) if is_atom(n.as_bytes()) => w.raw(a.as_str().as_bytes()),
                    _ => {
                        return Err(Error::Emit(crate::error::Unemittable::Grammar {
                            rule: "use-attr",
                        }));
                    }
                }
            }
            w.raw(b")");
        }
        CreateParam::Other { name, value } => ext_param(w, name, value, &["USE"])?,
    }
    Ok(())
}

/// `["UID" SP] "STORE" SP sequence-set [SP store-modifiers] SP`: what STORE
/// and Gmail's label STORE share (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
fn store_head(
    w: &mut W<'_>,
    u: bool,
    set: &crate::imap::syntax::core::SequenceSet<'_>,
    unchanged_since: Option<u64>,
) {
    uid(w, u);
    w.raw(b"STORE ");
    w.seq(set);
    if let Some(n) = unchanged_since {
        w.raw(b" (UNCHANGEDSINCE ");
        w.num(n);
        w.raw(b")");
    }
    w.sp();
}
