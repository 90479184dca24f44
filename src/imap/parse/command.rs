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
use crate::imap::syntax::input::{
    In, R, byte, consumed, crlf_end, eat, kw, run, sp, take_while, upcase, upcase_prefix,
};
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
    command_of(frame, In::with(frame, opts))
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
/// over a whole frame, the command built once in the result (a command is
/// large: the body is moved once, from the rule's result into the command,
/// not through a tuple, a rule's result and [`run`]).
fn command_of<'a>(frame: &'a [u8], i: In<'a>) -> Result<Command<'a>, Error> {
    let into_error = |e: nom::Err<crate::imap::syntax::input::PError>| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e.into_error(frame),
        nom::Err::Incomplete(_) => {
            crate::imap::syntax::input::PError::Syntax(0, "more input").into_error(frame)
        }
    };
    let (i, tag) = match (tag, sp).parse(i) {
        Ok((i, (tag, ()))) => (i, tag),
        Err(e) => return Err(into_error(e)),
    };
    match command_body(i) {
        // the end of the frame told by its bytes (what `crlf_end` accepts),
        // so the body goes straight into the command
        Ok((rest, body)) if rest.rest == b"\r\n" || (rest.rest == b"\n" && rest.q().bare_lf) => {
            Ok(Command { tag, body })
        }
        Ok((rest, body)) => match crlf_end(rest) {
            Ok(_) => Ok(Command { tag, body }),
            Err(e) => Err(into_error(e)),
        },
        Err(e) => Err(into_error(e)),
    }
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
    command_of(frame, i)
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

#[inline(never)]
fn command_body(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    // one match on the upper-cased name (no chain of comparisons)
    let mut buf = [0u8; 16];
    let upper = upcase_prefix(start.rest, name.len(), &mut buf);
    match upper {
        // commands without arguments
        b"CAPABILITY" => simple(i, CommandBody::Capability),
        b"NOOP" => simple(i, CommandBody::Noop),
        b"LOGOUT" => simple(i, CommandBody::Logout),
        b"STARTTLS" => simple(i, CommandBody::StartTls),
        b"NAMESPACE" => simple(i, CommandBody::Namespace),
        b"IDLE" => simple(i, CommandBody::Idle),
        b"CHECK" => simple(i, CommandBody::Check),
        b"CLOSE" => simple(i, CommandBody::Close),
        b"UNSELECT" => simple(i, CommandBody::Unselect),
        b"EXPUNGE" => simple(i, CommandBody::Expunge),
        b"LOGIN" => {
            // login = "LOGIN" SP userid SP password
            let (i, (_, username, _, password)) = (sp, astring, sp, astring).parse(i)?;
            Ok((
                i,
                CommandBody::Login {
                    username,
                    password: Secret(password.0),
                },
            ))
        }
        b"AUTHENTICATE" => {
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
        }
        // enable = "ENABLE" 1*(SP capability)
        b"ENABLE" => map(
            |i| spaced_list1(i, atom, "SP capability"),
            CommandBody::Enable,
        )
        .parse(i),
        b"SELECT" => {
            let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Select { mailbox, params }))
        }
        b"EXAMINE" => {
            let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Examine { mailbox, params }))
        }
        b"CREATE" => {
            let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
            let (i, params) = ext_params(i, create_param)?;
            Ok((i, CommandBody::Create { mailbox, params }))
        }
        b"DELETE" => map(preceded(sp, mailbox), CommandBody::Delete).parse(i),
        b"SUBSCRIBE" => map(preceded(sp, mailbox), CommandBody::Subscribe).parse(i),
        b"UNSUBSCRIBE" => map(preceded(sp, mailbox), CommandBody::Unsubscribe).parse(i),
        b"RENAME" => map((sp, mailbox, sp, mailbox), |(_, from, _, to)| {
            CommandBody::Rename { from, to }
        })
        .parse(i),
        b"LIST" => list(i),
        b"LSUB" => map(
            (sp, mailbox, sp, list_mailbox),
            |(_, reference, _, pattern)| CommandBody::Lsub { reference, pattern },
        )
        .parse(i),
        // Gmail: the arguments of LIST (`mailbox SP list-mailbox`)
        b"XLIST" => map(
            (sp, mailbox, sp, list_mailbox),
            |(_, reference, _, pattern)| CommandBody::Xlist { reference, pattern },
        )
        .parse(i),
        b"STATUS" => {
            // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
            let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
            let (i, items) = crate::imap::base::status::parse::status_atts(i)?;
            Ok((i, CommandBody::Status { mailbox, items }))
        }
        b"APPEND" => append(i, name),
        b"UID" => {
            // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
            let at = i;
            let (i, ()) = sp(i)?;
            let (after, sub) = take_while(i, |b| b.is_ascii_alphabetic());
            let mut buf = [0u8; 16];
            let sub = upcase_prefix(i.rest, sub.len(), &mut buf);
            if sub == b"EXPUNGE" {
                map(preceded(sp, sequence_set), CommandBody::UidExpunge).parse(after)
            } else {
                if is_uid_able(sub) {
                    uid_able(after, sub, true)
                } else if let (rest, Some(c)) = crate::imap::registry::parse_command(at, name)? {
                    // the extension rooms' UID commands (`UID REPLACE`, RFC 8508)
                    Ok((rest, c))
                } else {
                    i.err("COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT or THREAD")
                }
            }
        }
        b"ID" => map(
            preceded(sp, |i| {
                crate::imap::ext::id::parse::id_params_list(i, false)
            }),
            CommandBody::Id,
        )
        .parse(i),
        b"GETQUOTA" => map(preceded(sp, astring), CommandBody::GetQuota).parse(i),
        b"GETQUOTAROOT" => map(preceded(sp, mailbox), CommandBody::GetQuotaRoot).parse(i),
        b"SETQUOTA" => {
            // setquota = "SETQUOTA" SP quota-root-name SP setquota-list
            let (i, (_, root, _)) = (sp, astring, sp).parse(i)?;
            let (i, limits) = paren_list(i, quota_limit, true)?;
            Ok((i, CommandBody::SetQuota { root, limits }))
        }
        b"GETMETADATA" => {
            // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP getmetadata-entries
            // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
            // getmetadata-entries = "(" entry *(SP entry) ")" / entry
            let (i, ()) = sp(i)?;
            let (i, options) = if i.peek() == Some(b'(') {
                terminated(|i| paren_list_tail(i, getmetadata_option, false), sp)
                    .parse(i.skip(1))?
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
        }
        b"SETMETADATA" => {
            // setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
            let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
            let (i, entries) =
                paren_list(i, crate::imap::ext::metadata::parse::entry_value, false)?;
            Ok((i, CommandBody::SetMetadata { mailbox, entries }))
        }
        b"COMPRESS" => map(preceded(sp, atom), CommandBody::Compress).parse(i),
        b"FETCH" | b"STORE" | b"COPY" | b"MOVE" | b"SEARCH" | b"SORT" | b"THREAD" => {
            uid_able(i, upper, false)
        }
        _ => {
            // the extension rooms' commands (their names are none of the above,
            // but APPEND's CATENATE form, which `append` asks for)
            if let (rest, Some(c)) = crate::imap::registry::parse_command(i, name)? {
                return Ok((rest, c));
            }
            // a name that starts with letters of a UID-able command
            // (`FETCH2`) is read as that command, as it always was
            let (after, alpha) = take_while(start, |b| b.is_ascii_alphabetic());
            let mut buf = [0u8; 16];
            let alpha = upcase(alpha, &mut buf);
            if is_uid_able(alpha) {
                uid_able(after, alpha, false)
            } else {
                unknown(start)
            }
        }
    }
}

/// A command without arguments: the end of the line must follow its name.
#[inline(always)]
fn simple<'a>(i: In<'a>, c: CommandBody<'a>) -> R<'a, CommandBody<'a>> {
    if !matches!(i.peek(), Some(b'\r' | b'\n')) {
        return i.err("CRLF");
    }
    Ok((i, c))
}

/// ```text
/// append = "APPEND" SP mailbox 1*append-message   ; RFC 3502
/// ```
/// after `APPEND`. A plain APPEND is read first; only when it does not parse
/// are the extension rooms asked (CATENATE, RFC 4469), whose answer or error
/// wins as it did when they were asked first (a plain APPEND that parses
/// has no CATENATE message, so no room claims it).
fn append<'a>(i: In<'a>, name: &[u8]) -> R<'a, CommandBody<'a>> {
    let plain = |i| -> R<'_, CommandBody<'_>> {
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        let (i, messages) = spaced_list1(i, append_message, "SP append-message")?;
        Ok((i, CommandBody::Append { mailbox, messages }))
    };
    match plain(i) {
        Ok(ok) => Ok(ok),
        Err(e) => match crate::imap::registry::parse_command(i, name)? {
            (rest, Some(c)) => Ok((rest, c)),
            (_, None) => Err(e),
        },
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

/// Whether the (upper-cased) name is one of the commands that take a UID
/// prefix.
#[inline]
fn is_uid_able(upper: &[u8]) -> bool {
    matches!(
        upper,
        b"FETCH" | b"STORE" | b"COPY" | b"MOVE" | b"SEARCH" | b"SORT" | b"THREAD"
    )
}

/// The commands that take a UID prefix, after their (upper-cased) name
/// `upper`, one of [`is_uid_able`]. Each returns its command directly (a
/// command is large: no `Option` around it to unwrap and copy again).
fn uid_able<'a>(i: In<'a>, upper: &[u8], uid: bool) -> R<'a, CommandBody<'a>> {
    match upper {
        b"FETCH" => fetch(i, uid),
        b"STORE" => store(i, uid),
        b"COPY" | b"MOVE" => {
            // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox
            let (i, (_, set, _, mailbox)) = (sp, sequence_set, sp, mailbox).parse(i)?;
            if upper == b"COPY" {
                Ok((i, CommandBody::Copy { uid, set, mailbox }))
            } else {
                Ok((i, CommandBody::Move { uid, set, mailbox }))
            }
        }
        b"SEARCH" => search(i, uid),
        b"SORT" => {
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
            Ok((
                i,
                CommandBody::Sort {
                    uid,
                    return_options,
                    criteria,
                    charset,
                    search,
                },
            ))
        }
        _ => {
            // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
            let (i, (_, algorithm, _, charset, search)) =
                (sp, atom, sp, charset, search_keys).parse(i)?;
            Ok((
                i,
                CommandBody::Thread {
                    uid,
                    algorithm,
                    charset,
                    search,
                },
            ))
        }
    }
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

/// The frame's end told by its bytes in [`command_of`] against the rule
/// sequence it replaced, `tag SP command-body CRLF` through nom and [`run`],
/// over command lines and their mutations (every truncation, every one-byte
/// change, insertion and deletion, other line ends, oversized lines), strict
/// and lenient, validated and trusted.
#[cfg(test)]
mod frame_end_tests {
    use super::*;
    use crate::imap::syntax::rules::fast_path_tests::mutations;
    use alloc::vec::Vec;

    fn general<'a>(frame: &'a [u8], i: In<'a>) -> Result<Command<'a>, Error> {
        run(frame, i, |i| {
            map((tag, sp, command_body, crlf_end), |(tag, (), body, ())| {
                Command { tag, body }
            })
            .parse(i)
        })
    }

    #[test]
    fn command_of_agrees_with_the_rule_sequence() {
        let lines: &[&[u8]] = &[
            b"a1 UID FETCH 4000:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)])",
            b"a2 UID SEARCH OR FROM \"alice\" NOT HEADER \"X-Spam-Flag\" \"YES\" SINCE 1-Feb-2024",
            b"a3 UID STORE 4827 +FLAGS.SILENT (\\Seen \\Flagged)",
            b"a4 SELECT INBOX",
            b"a5 STATUS \"Sent Items\" (MESSAGES UIDNEXT UNSEEN)",
            b"a6 LIST \"\" \"*\"",
            b"a7 APPEND \"Sent\" (\\Seen) \"05-Feb-2024 10:00:00 +0100\" {3+}\r\nabc",
            b"a8 NOOP",
            b"a9 LOGIN user \"pass word\"",
            b"b1 XFOO some args",
            b"b2 CAPABILITY",
        ];
        let mut frames: Vec<Vec<u8>> = Vec::new();
        for &l in lines {
            for end in [
                &b"\r\n"[..],
                b"\n",
                b"\r",
                b"",
                b"\r\n\r\n",
                b"\r\nX",
                b"\n\n",
            ] {
                let mut f = l.to_vec();
                f.extend_from_slice(end);
                frames.push(f);
            }
            // every truncation, one-byte change, insertion and deletion of
            // the whole line (the rules' own mutation set)
            let mut f = l.to_vec();
            f.extend_from_slice(b"\r\n");
            frames.extend(mutations(&[&f]));
            // oversized: a long run inside the line
            let mut long = l.to_vec();
            long.extend(core::iter::repeat_n(b'x', 10_000));
            long.extend_from_slice(b"\r\n");
            frames.push(long);
        }
        for f in &frames {
            for opts in [ParseOptions::STRICT, ParseOptions::default()] {
                let fast = parse_command(f, &opts);
                assert_eq!(
                    fast,
                    general(f, In::with(f, &opts)),
                    "{:?}",
                    f.escape_ascii()
                );
                let mut t = In::with(f, &opts);
                t.st.trusted = true;
                assert_eq!(parse_command_trusted(f, &opts), general(f, t));
            }
        }
    }
}
