//! Command rules (RFC 9051 §9 `command`, RFC 3501 §9; RFC 2177 IDLE, RFC 2971
//! ID, RFC 3502 MULTIAPPEND, RFC 3516 BINARY, RFC 3691 UNSELECT, RFC 4315
//! UIDPLUS, RFC 4466 §2 select/create parameters, RFC 4731 ESEARCH, RFC 4959
//! SASL-IR, RFC 4978 COMPRESS, RFC 5032 WITHIN, RFC 5161 ENABLE, RFC 5256
//! SORT/THREAD, RFC 5258 §6 LIST-EXTENDED, RFC 5464 §4.2 METADATA, RFC 5819
//! LIST-STATUS, RFC 5957 SORT=DISPLAY, RFC 6154 §3, §6 SPECIAL-USE, RFC 6851
//! MOVE, RFC 7162 §3.1.5, §3.2.5 CONDSTORE/QRESYNC, RFC 8474, RFC 9208
//! QUOTA).
//!
//! ```
//! use mailwire::imap::{parse_command, CommandBody, ParseOptions};
//!
//! // RFC 3501 §8: C: a001 login mrc secret
//! let command = parse_command(b"a001 login mrc secret\r\n", &ParseOptions::STRICT).unwrap();
//! assert_eq!(command.tag.as_str(), "a001");
//! let CommandBody::Login { username, password } = command.body else { panic!() };
//! assert_eq!((username.as_bytes(), password.expose()), (&b"mrc"[..], &b"secret"[..]));
//! // a line that is no command is an error with where it failed
//! assert!(parse_command(b"a002 select\r\n", &ParseOptions::STRICT).is_err());
//! ```
//!
//! Every rule is a nom parser over `In`; a command is dispatched on its
//! name once (the name is read, then compared), not by trying each command
//! in turn.

use crate::imap::base::append::parse::*;
use crate::imap::base::list::parse::*;
use crate::imap::base::quota::parse::*;
use crate::imap::base::select::parse::*;
use crate::imap::base::sort::parse::*;
use crate::imap::ext::metadata::parse::getmetadata_option;
use crate::imap::syntax::rules::{
    ext_params, opt_ext_value, paren_atoms, paren_list_or_one, sp_word, tagged_ext_label,
};
use alloc::borrow::Cow;

use nom::Parser as _;
use nom::combinator::{cond, map};
use nom::sequence::{preceded, terminated};

use super::ParseOptions;
use crate::imap::base::search::parse::{charset, search_keys};
use crate::imap::syntax::core::{List, Sep};
use crate::imap::syntax::input::{In, R, byte, consumed, crlf_end, eat, kw, run, sp, take_while};
use crate::imap::syntax::rules::{
    astring, atom, atom_str, list_mailbox, mailbox, number64, paren_list, paren_list_tail,
    sequence_set, spaced_list1, tag,
};
use crate::imap::types::command::{Command, CommandBody, CreateParam};
use crate::imap::types::response::MailboxAttribute;
use crate::{Error, Secret};

/// Parses one complete command frame (a line with its literals, CRLF
/// included), as found by [`Framer`](crate::imap::frame::Framer).
///
/// A well-formed line whose command name is unknown is
/// [`CommandBody::Unknown`], so a server can answer `BAD` and go on.
///
/// ```
/// use mailwire::imap::{parse_command, ParseOptions, CommandBody};
/// let c = parse_command(b"a1 UID FETCH 1:* (FLAGS)\r\n", &ParseOptions::default()).unwrap();
/// assert_eq!(c.tag.as_str(), "a1");
/// assert!(matches!(c.body, CommandBody::Fetch { uid: true, .. }));
/// ```
pub fn parse_command<'a>(frame: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, Error> {
    run(frame, In::with(frame, opts), command)
}

/// [`parse_command`] over a frame that parsed before with the same options
/// (a server machine hands out the command it classified): nested lists are
/// skipped structurally instead of validated again.
pub(crate) fn parse_command_trusted<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<Command<'a>, Error> {
    let mut i = In::with(frame, opts);
    i.st.trusted = true;
    run(frame, i, command)
}

/// The line a client sends to end IDLE: `idle-done = "DONE" CRLF` (RFC 2177).
pub fn parse_idle_done(line: &[u8], opts: &ParseOptions) -> Result<(), Error> {
    run(line, In::with(line, opts), |i| {
        preceded(kw(b"DONE"), crlf_end).parse(i)
    })
}

/// A client's line during AUTHENTICATE: `base64 CRLF`, or `"*" CRLF` to cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthenticateData<'a> {
    /// A response, still base64 encoded.
    Continue(Secret<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// Parses a client's AUTHENTICATE continuation line (RFC 9051 §6.2.2).
pub fn parse_authenticate_data<'a>(
    line: &'a [u8],
    opts: &ParseOptions,
) -> Result<AuthenticateData<'a>, Error> {
    run(line, In::with(line, opts), authenticate_data)
}

/// `base64 CRLF / "*" CRLF`
fn authenticate_data(i: In<'_>) -> R<'_, AuthenticateData<'_>> {
    if i.peek() == Some(b'*') {
        return map(crlf_end, |()| AuthenticateData::Cancel).parse(i.skip(1));
    }
    let (i, b) = take_while(i, is_base64_char);
    let (i, ()) = crlf_end(i)?;
    Ok((i, AuthenticateData::Continue(Secret(Cow::Borrowed(b)))))
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
pub(crate) fn command(i: In<'_>) -> R<'_, Command<'_>> {
    map((tag, sp, command_body, crlf_end), |(tag, (), body, ())| {
        Command { tag, body }
    })
    .parse(i)
}

/// ```text
/// create-param = create-param-name [SP create-param-value]      ; RFC 4466
/// create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"     ; RFC 6154
/// ```
pub(crate) fn create_param(i: In<'_>) -> R<'_, CreateParam<'_>> {
    let (i, name) = tagged_ext_label(i)?;
    if name.eq_ignore_case("USE") {
        let (i, _) = (sp, byte(b'(', "'('")).parse(i)?;
        let (i, attrs) = paren_list_tail(i, use_attr, true)?;
        Ok((i, CreateParam::Use(attrs)))
    } else {
        let (i, value) = opt_ext_value(i)?;
        Ok((i, CreateParam::Other { name, value }))
    }
}

/// ```text
/// use-attr     = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" /
///                "\Trash" / use-attr-ext
/// use-attr-ext = "\" atom
/// ```
fn use_attr(i: In<'_>) -> R<'_, MailboxAttribute<'_>> {
    let (i, (raw, _)) = consumed(preceded(byte(b'\\', "use-attr"), atom)).parse(i)?;
    match core::str::from_utf8(raw) {
        Ok(s) => Ok((i, MailboxAttribute(Cow::Borrowed(s)))),
        Err(_) => i.err("use-attr"),
    }
}

fn command_body(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    // commands without arguments
    let simple = if is(b"CAPABILITY") {
        Some(CommandBody::Capability)
    } else if is(b"NOOP") {
        Some(CommandBody::Noop)
    } else if is(b"LOGOUT") {
        Some(CommandBody::Logout)
    } else if is(b"STARTTLS") {
        Some(CommandBody::StartTls)
    } else if is(b"NAMESPACE") {
        Some(CommandBody::Namespace)
    } else if is(b"IDLE") {
        Some(CommandBody::Idle)
    } else if is(b"CHECK") {
        Some(CommandBody::Check)
    } else if is(b"CLOSE") {
        Some(CommandBody::Close)
    } else if is(b"UNSELECT") {
        Some(CommandBody::Unselect)
    } else if is(b"EXPUNGE") {
        Some(CommandBody::Expunge)
    } else {
        None
    };
    if let Some(c) = simple {
        if !matches!(i.peek(), Some(b'\r' | b'\n')) {
            return i.err("CRLF");
        }
        return Ok((i, c));
    }
    if let (rest, Some(c)) = crate::imap::registry::parse_command(i, name)? {
        return Ok((rest, c));
    }
    if is(b"LOGIN") {
        // login = "LOGIN" SP userid SP password
        let (i, (_, username, _, password)) = (sp, astring, sp, astring).parse(i)?;
        Ok((
            i,
            CommandBody::Login {
                username,
                password: Secret(password.0),
            },
        ))
    } else if is(b"AUTHENTICATE") {
        // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
        let (i, mechanism) = preceded(sp, atom).parse(i)?;
        let (i, initial_response) = if i.peek() == Some(b' ') {
            let (i, b) = take_while(i.skip(1), is_base64_char);
            if b.is_empty() {
                return i.err("base64 or '='");
            }
            (i, Some(Secret(Cow::Borrowed(b))))
        } else {
            (i, None)
        };
        Ok((
            i,
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            },
        ))
    } else if is(b"ENABLE") {
        // enable = "ENABLE" 1*(SP capability)
        map(
            |i| spaced_list1(i, atom, "SP capability"),
            CommandBody::Enable,
        )
        .parse(i)
    } else if is(b"SELECT") || is(b"EXAMINE") || is(b"CREATE") {
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        if is(b"SELECT") {
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Select { mailbox, params }))
        } else if is(b"EXAMINE") {
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Examine { mailbox, params }))
        } else {
            let (i, params) = ext_params(i, create_param)?;
            Ok((i, CommandBody::Create { mailbox, params }))
        }
    } else if is(b"DELETE") {
        map(preceded(sp, mailbox), CommandBody::Delete).parse(i)
    } else if is(b"SUBSCRIBE") {
        map(preceded(sp, mailbox), CommandBody::Subscribe).parse(i)
    } else if is(b"UNSUBSCRIBE") {
        map(preceded(sp, mailbox), CommandBody::Unsubscribe).parse(i)
    } else if is(b"RENAME") {
        map((sp, mailbox, sp, mailbox), |(_, from, _, to)| {
            CommandBody::Rename { from, to }
        })
        .parse(i)
    } else if is(b"LIST") {
        list(i)
    } else if is(b"LSUB") {
        map(
            (sp, mailbox, sp, list_mailbox),
            |(_, reference, _, pattern)| CommandBody::Lsub { reference, pattern },
        )
        .parse(i)
    } else if is(b"XLIST") {
        // Gmail: the arguments of LIST (`mailbox SP list-mailbox`)
        map(
            (sp, mailbox, sp, list_mailbox),
            |(_, reference, _, pattern)| CommandBody::Xlist { reference, pattern },
        )
        .parse(i)
    } else if is(b"STATUS") {
        // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (i, items) = crate::imap::base::status::parse::status_atts(i)?;
        Ok((i, CommandBody::Status { mailbox, items }))
    } else if is(b"APPEND") {
        // append = "APPEND" SP mailbox 1*append-message   (RFC 3502)
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        let (i, messages) = spaced_list1(i, append_message, "SP append-message")?;
        Ok((i, CommandBody::Append { mailbox, messages }))
    } else if is(b"UID") {
        // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
        let (i, ()) = sp(i)?;
        let (after, sub) = take_while(i, |b| b.is_ascii_alphabetic());
        if sub.eq_ignore_ascii_case(b"EXPUNGE") {
            map(preceded(sp, sequence_set), CommandBody::UidExpunge).parse(after)
        } else {
            match uid_able(i, true)? {
                (rest, Some(c)) => Ok((rest, c)),
                (_, None) => i.err("COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT or THREAD"),
            }
        }
    } else if is(b"ID") {
        map(
            preceded(sp, |i| {
                crate::imap::ext::id::parse::id_params_list(i, false)
            }),
            CommandBody::Id,
        )
        .parse(i)
    } else if is(b"GETQUOTA") {
        map(preceded(sp, astring), CommandBody::GetQuota).parse(i)
    } else if is(b"GETQUOTAROOT") {
        map(preceded(sp, mailbox), CommandBody::GetQuotaRoot).parse(i)
    } else if is(b"SETQUOTA") {
        // setquota = "SETQUOTA" SP quota-root-name SP setquota-list
        let (i, (_, root, _)) = (sp, astring, sp).parse(i)?;
        let (i, limits) = paren_list(i, quota_limit, true)?;
        Ok((i, CommandBody::SetQuota { root, limits }))
    } else if is(b"GETMETADATA") {
        // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP getmetadata-entries
        // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
        // getmetadata-entries = "(" entry *(SP entry) ")" / entry
        let (i, ()) = sp(i)?;
        let (i, options) = if i.peek() == Some(b'(') {
            terminated(|i| paren_list_tail(i, getmetadata_option, false), sp).parse(i.skip(1))?
        } else {
            (i, List::empty())
        };
        let (i, (mailbox, _)) = (mailbox, sp).parse(i)?;
        let (i, entries) = paren_list_or_one(i, astring)?;
        Ok((
            i,
            CommandBody::GetMetadata {
                options,
                mailbox,
                entries,
            },
        ))
    } else if is(b"SETMETADATA") {
        // setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (i, entries) = paren_list(i, crate::imap::ext::metadata::parse::entry_value, false)?;
        Ok((i, CommandBody::SetMetadata { mailbox, entries }))
    } else if is(b"COMPRESS") {
        map(preceded(sp, atom), CommandBody::Compress).parse(i)
    } else {
        match uid_able(start, false)? {
            (rest, Some(c)) => Ok((rest, c)),
            (_, None) => unknown(start),
        }
    }
}

/// A command this crate does not know: the name and the raw rest of the frame.
fn unknown(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let (i, name) = atom_str(i)?;
    let (i, _) = eat(b' ')(i)?;
    let body = i.rest;
    let body = body
        .strip_suffix(b"\r\n")
        .or_else(|| {
            if i.q().bare_lf {
                body.strip_suffix(b"\n")
            } else {
                None
            }
        })
        .unwrap_or(body);
    let (i, body) = i.split(body.len());
    Ok((
        i,
        CommandBody::Unknown {
            name: Cow::Borrowed(name),
            rest: Cow::Borrowed(body),
        },
    ))
}

/// The commands that take a UID prefix; `None` if the name is not one.
fn uid_able(i: In<'_>, uid: bool) -> R<'_, Option<CommandBody<'_>>> {
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphabetic());
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let (i, c) = if is(b"FETCH") {
        fetch(i, uid)?
    } else if is(b"STORE") {
        store(i, uid)?
    } else if is(b"COPY") || is(b"MOVE") {
        // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox
        let (i, (_, set, _, mailbox)) = (sp, sequence_set, sp, mailbox).parse(i)?;
        if is(b"COPY") {
            (i, CommandBody::Copy { uid, set, mailbox })
        } else {
            (i, CommandBody::Move { uid, set, mailbox })
        }
    } else if is(b"SEARCH") {
        search(i, uid)?
    } else if is(b"SORT") {
        // sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
        // sort =/ ["UID" SP] "SORT" search-return-opts SP sort-criteria
        //         SP search-criteria                        ; RFC 5267 §5 (ESORT)
        let (i, return_options) = match sp_word(i, b"RETURN") {
            Some(r) => map(
                preceded(sp, crate::imap::base::partial::parse::return_options),
                Some,
            )
            .parse(r)?,
            None => (i, None),
        };
        let (i, (_, criteria, _, charset, search)) =
            (sp, sort_criteria, sp, charset, search_keys).parse(i)?;
        (
            i,
            CommandBody::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            },
        )
    } else if is(b"THREAD") {
        // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
        let (i, (_, algorithm, _, charset, search)) =
            (sp, atom, sp, charset, search_keys).parse(i)?;
        (
            i,
            CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search,
            },
        )
    } else {
        return Ok((start, None));
    };
    Ok((i, Some(c)))
}

/// ```text
/// search            = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program    = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn search(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    map(
        crate::imap::base::search::parse::search_program,
        |(return_options, charset, criteria)| CommandBody::Search {
            uid,
            return_options,
            charset,
            criteria,
        },
    )
    .parse(i)
}

/// ```text
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
/// fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
/// fetch-modifier =/ "PARTIAL" SP partial-range              ; RFC 9394
/// ```
fn fetch(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    map(crate::imap::base::fetch::parse::fetch_args, |a| {
        CommandBody::Fetch {
            uid,
            set: a.set,
            attributes: a.attributes,
            changed_since: a.changed_since,
            vanished: a.vanished,
            partial: a.partial,
        }
    })
    .parse(i)
}

/// ```text
/// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
/// ```
fn store(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    let (i, (_, set, _)) = (sp, sequence_set, sp).parse(i)?;
    let (i, unchanged_since) = cond(
        i.peek() == Some(b'('),
        map(
            (
                byte(b'(', "'('"),
                kw(b"UNCHANGEDSINCE"),
                sp,
                number64,
                byte(b')', "')'"),
                sp,
            ),
            |(_, _, _, v, _, _)| v,
        ),
    )
    .parse(i)?;
    if let (i, Some((kind, silent, labels))) = crate::imap::base::gmail::parse::store_att(i)? {
        let c = CommandBody::StoreGmailLabels {
            uid,
            set,
            unchanged_since,
            kind,
            silent,
            labels,
        };
        return Ok((i, c));
    }
    let (i, (kind, silent, flags)) = crate::imap::base::store::parse::store_att_flags(i)?;
    Ok((
        i,
        CommandBody::Store {
            uid,
            set,
            unchanged_since,
            kind,
            silent,
            flags,
        },
    ))
}

/// ```text
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
/// mbox-or-pat = list-mailbox / patterns
/// patterns = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn list(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, selection) = if i.peek() == Some(b'(') {
        terminated(|i| paren_atoms(i, true), sp).parse(i)?
    } else {
        (i, List::wire(&i.rest[..0], atom, Sep::Space, i.ctx()))
    };
    let (i, (reference, _)) = (mailbox, sp).parse(i)?;
    let (i, patterns) = paren_list_or_one(i, list_mailbox)?;
    let (i, return_options) = match sp_word(i, b"RETURN") {
        Some(r) => {
            let (r, _) = (sp, byte(b'(', "'('")).parse(r)?;
            map(|i| paren_list_tail(i, return_option, true), Some).parse(r)?
        }
        None => (i, None),
    };
    Ok((
        i,
        CommandBody::List {
            selection,
            reference,
            patterns,
            return_options,
        },
    ))
}
