//! The registration of the extension rooms ([`crate::imap::ext`]) in the
//! central enums ([`CommandBody`], [`Data`], [`Code`]): the dispatch tables
//! the central grammar and emitters ask about a command, an untagged response
//! or a response code they do not know themselves, and per room the few
//! lines that read its commands, responses and codes into the central enums
//! (and write them back) with the room's own rules. The grammar and the
//! emitters, checks included, stay in the room, as functions over its own
//! values; a module here only maps those values to and from the variants.
//! It sits above the rooms and the central enums, so neither names the
//! other's folder in a circle.
//!
//! A new extension adds its room, its variants in the central enums, one
//! module here and one line to each table it takes part in.

use crate::Error;
use crate::imap::syntax::input::{In, R};
use crate::imap::syntax::write::W;
use crate::imap::types::command::CommandBody;
use crate::imap::types::response::{Code, Data};

/// What every registration module uses.
mod prelude {
    pub(crate) use crate::Error;
    pub(crate) use crate::imap::syntax::input::*;
    pub(crate) use crate::imap::syntax::write::*;
    pub(crate) use crate::imap::types::command::CommandBody;
    pub(crate) use crate::imap::types::response::{Code, Data};
    pub(crate) use nom::Parser as _;
    pub(crate) use nom::combinator::map;

    pub(crate) use super::code_with;
}

/// A response code with arguments, read by `rule` when the code's `name` is
/// `code`: `None` (input unmoved) for another name, or for arguments that do
/// not parse, which the caller keeps as [`Code::Other`]; never an error.
pub(crate) fn code_with<'a>(
    i: In<'a>,
    name: &str,
    code: &str,
    rule: impl FnOnce(In<'a>) -> R<'a, Code<'a>>,
) -> R<'a, Option<Code<'a>>> {
    if !name.eq_ignore_ascii_case(code) {
        return Ok((i, None));
    }
    Ok(match rule(i) {
        Ok((rest, c)) => (rest, Some(c)),
        Err(_) => (i, None),
    })
}

/// A room's command rule: after the command's name, `None` (input unmoved)
/// for a name that is not the room's.
type CommandRule = for<'a> fn(In<'a>, &[u8]) -> R<'a, Option<CommandBody<'a>>>;
/// A room's untagged-response rule, at the response's name.
type DataRule = for<'a> fn(In<'a>) -> R<'a, Option<Data<'a>>>;
/// A room's response-code rule, after the code's name; never an error.
type CodeRule = for<'a> fn(In<'a>, &str) -> R<'a, Option<Code<'a>>>;

/// The rooms that add commands.
const COMMANDS: &[CommandRule] = &[
    catenate::parse::command,
    acl::parse::command,
    notify::parse::command,
    urlauth::parse::command,
    unauthenticate::parse::command,
    context::parse::command,
    multisearch::parse::command,
    replace::parse::command,
];
/// The rooms that add untagged responses.
const DATA: &[DataRule] = &[acl::parse::data, urlauth::parse::data];
/// The rooms that add response codes.
const CODES: &[CodeRule] = &[
    catenate::parse::code,
    notify::parse::code,
    urlauth::parse::code,
    context::parse::code,
    inprogress::parse::code,
    messagelimit::parse::code,
    uidonly::parse::code,
];

/// The commands of the extension rooms, after their name; `None` (input
/// unmoved) for any other name.
pub(crate) fn parse_command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
    for rule in COMMANDS {
        if let (rest, Some(c)) = rule(i, name)? {
            return Ok((rest, Some(c)));
        }
    }
    Ok((i, None))
}

/// The untagged responses of the extension rooms, at their name; `None`
/// (input unmoved) for any other.
pub(crate) fn parse_data(i: In<'_>) -> R<'_, Option<Data<'_>>> {
    for rule in DATA {
        if let (rest, Some(d)) = rule(i)? {
            return Ok((rest, Some(d)));
        }
    }
    Ok((i, None))
}

/// The response codes of the extension rooms, after their name; `None`
/// (input unmoved) for another code or arguments that do not parse.
pub(crate) fn parse_code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
    for rule in CODES {
        if let (rest, Some(c)) = rule(i, name)? {
            return Ok((rest, Some(c)));
        }
    }
    Ok((i, None))
}

/// Emits a command of an extension room.
pub(crate) fn emit_command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
    use CommandBody as C;
    match c {
        C::AppendCatenate { .. } => catenate::emit::command(w, c),
        C::SetAcl { .. }
        | C::DeleteAcl { .. }
        | C::GetAcl(_)
        | C::ListRights { .. }
        | C::MyRights(_) => acl::emit::command(w, c),
        C::Notify(_) => notify::emit::command(w, c),
        C::ResetKey { .. } | C::GenUrlAuth(_) | C::UrlFetch(_) => urlauth::emit::command(w, c),
        C::Unauthenticate => unauthenticate::emit::command(w, c),
        C::CancelUpdate(_) => context::emit::command(w, c),
        C::ESearch { .. } => multisearch::emit::command(w, c),
        C::Replace { .. } => replace::emit::command(w, c),
        _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
}

/// Emits an untagged response of an extension room.
pub(crate) fn emit_data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
    match d {
        Data::Acl { .. } | Data::ListRights { .. } | Data::MyRights { .. } => acl::emit::data(w, d),
        Data::GenUrlAuth(_) | Data::UrlFetch(_) => urlauth::emit::data(w, d),
        _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
}

/// Emits a response code of an extension room.
pub(crate) fn emit_code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
    match c {
        Code::TooBig | Code::BadUrl(_) => catenate::emit::code(w, c),
        Code::NotificationOverflow | Code::BadEvent(_) => notify::emit::code(w, c),
        Code::UrlMech(_) => urlauth::emit::code(w, c),
        Code::NoUpdate(_) => context::emit::code(w, c),
        Code::InProgress(p) => crate::imap::ext::inprogress::emit::inprogress_code(w, p),
        Code::MessageLimit(n) => crate::imap::ext::messagelimit::emit::messagelimit_code(w, *n),
        _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
}

/// The registration of [`crate::imap::ext::acl`].
mod acl {
    /// Its commands and responses read into the central enums.
    pub(crate) mod parse {
        use crate::imap::ext::acl::parse as acl;
        use crate::imap::registry::prelude::*;

        /// The ACL commands, after their name; `None` (input unmoved) for any
        /// other name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
            let (i, c) = if is(b"SETACL") {
                map(acl::setacl, |(mailbox, identifier, rights)| {
                    CommandBody::SetAcl {
                        mailbox,
                        identifier,
                        rights,
                    }
                })
                .parse(i)?
            } else if is(b"DELETEACL") {
                map(acl::mailbox_identifier, |(mailbox, identifier)| {
                    CommandBody::DeleteAcl {
                        mailbox,
                        identifier,
                    }
                })
                .parse(i)?
            } else if is(b"LISTRIGHTS") {
                map(acl::mailbox_identifier, |(mailbox, identifier)| {
                    CommandBody::ListRights {
                        mailbox,
                        identifier,
                    }
                })
                .parse(i)?
            } else if is(b"GETACL") {
                map(acl::sp_mailbox, CommandBody::GetAcl).parse(i)?
            } else if is(b"MYRIGHTS") {
                map(acl::sp_mailbox, CommandBody::MyRights).parse(i)?
            } else {
                return Ok((i, None));
            };
            Ok((i, Some(c)))
        }

        /// The untagged responses of ACL, at their name; `None` (input
        /// unmoved) for any other.
        pub(crate) fn data(i: In<'_>) -> R<'_, Option<Data<'_>>> {
            let r = if let Ok((j, ())) = word(b"ACL")(i) {
                map(acl::acl_data, |(mailbox, entries)| Data::Acl {
                    mailbox,
                    entries,
                })
                .parse(j)
            } else if let Ok((j, ())) = word(b"LISTRIGHTS")(i) {
                map(
                    acl::listrights_data,
                    |(mailbox, identifier, required, optional)| Data::ListRights {
                        mailbox,
                        identifier,
                        required,
                        optional,
                    },
                )
                .parse(j)
            } else if let Ok((j, ())) = word(b"MYRIGHTS")(i) {
                map(acl::myrights_data, |(mailbox, rights)| Data::MyRights {
                    mailbox,
                    rights,
                })
                .parse(j)
            } else {
                return Ok((i, None));
            };
            r.map(|(rest, d)| (rest, Some(d)))
        }
    }

    /// Its commands and responses written from the central enums.
    pub(crate) mod emit {
        use crate::imap::ext::acl::emit as acl;
        use crate::imap::registry::prelude::*;

        /// The commands of ACL.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            use CommandBody as C;
            match c {
                C::SetAcl {
                    mailbox,
                    identifier,
                    rights,
                } => acl::setacl(w, mailbox, identifier, rights),
                C::DeleteAcl {
                    mailbox,
                    identifier,
                }
                | C::ListRights {
                    mailbox,
                    identifier,
                } => acl::mailbox_identifier(w, c.name(), mailbox, identifier),
                C::GetAcl(m) | C::MyRights(m) => {
                    w.raw(c.name().as_bytes());
                    w.sp();
                    w.mailbox(m)
                }
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// The untagged responses of ACL.
        pub(crate) fn data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
            match d {
                Data::Acl { mailbox, entries } => acl::acl_data(w, mailbox, entries),
                Data::ListRights {
                    mailbox,
                    identifier,
                    required,
                    optional,
                } => acl::listrights_data(w, mailbox, identifier, required, optional),
                Data::MyRights { mailbox, rights } => acl::myrights_data(w, mailbox, rights),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// The registration of [`crate::imap::ext::catenate`].
mod catenate {
    /// Its command and codes read into the central enums.
    pub(crate) mod parse {
        use crate::imap::ext::catenate::parse as catenate;
        use crate::imap::registry::prelude::*;

        /// The APPEND command when one of its messages uses CATENATE, after its
        /// name; `None` (input unmoved) for any other name or a plain APPEND.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            if !name.eq_ignore_ascii_case(b"APPEND") {
                return Ok((i, None));
            }
            let (i, c) = catenate::append_catenate(i)?;
            Ok((
                i,
                c.map(|(mailbox, messages)| CommandBody::AppendCatenate { mailbox, messages }),
            ))
        }

        /// `TOOBIG` and `BADURL`, after the code's name; `None` (input
        /// unmoved) for another code name or arguments that do not parse,
        /// which the caller keeps as [`Code::Other`]; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            let is = |s: &str| name.eq_ignore_ascii_case(s);
            let r = if is("TOOBIG") {
                Ok((i, Code::TooBig))
            } else if is("BADURL") {
                map(catenate::badurl_code, Code::BadUrl).parse(i)
            } else {
                return Ok((i, None));
            };
            Ok(match r {
                Ok((rest, c)) => (rest, Some(c)),
                Err(_) => (i, None),
            })
        }
    }

    /// Its command and codes written from the central enums.
    pub(crate) mod emit {
        use crate::imap::ext::catenate::emit as catenate;
        use crate::imap::registry::prelude::*;

        /// The APPEND command with CATENATE.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::AppendCatenate { mailbox, messages } => {
                    catenate::append_catenate(w, mailbox, messages)
                }
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// The response codes of CATENATE.
        pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
            match c {
                Code::TooBig => {
                    catenate::toobig_code(w);
                    Ok(())
                }
                Code::BadUrl(u) => catenate::badurl_code(w, u),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// The registration of [`crate::imap::ext::notify`].
mod notify {
    /// Its command and codes read into the central enums.
    pub(crate) mod parse {
        use crate::imap::ext::notify::parse as notify;
        use crate::imap::registry::prelude::*;

        /// The NOTIFY command, after its name; `None` (input unmoved) for any
        /// other name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            if !name.eq_ignore_ascii_case(b"NOTIFY") {
                return Ok((i, None));
            }
            let (i, c) = map(notify::notify, CommandBody::Notify).parse(i)?;
            Ok((i, Some(c)))
        }

        /// `NOTIFICATIONOVERFLOW` and `BADEVENT`, after the code's name;
        /// `None` (input unmoved) for another code name or arguments that do
        /// not parse, which the caller keeps as [`Code::Other`]; never an
        /// error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            let is = |s: &str| name.eq_ignore_ascii_case(s);
            let r = if is("NOTIFICATIONOVERFLOW") {
                Ok((i, Code::NotificationOverflow))
            } else if is("BADEVENT") {
                map(notify::badevent_code, Code::BadEvent).parse(i)
            } else {
                return Ok((i, None));
            };
            Ok(match r {
                Ok((rest, c)) => (rest, Some(c)),
                Err(_) => (i, None),
            })
        }
    }

    /// Its command and codes written from the central enums.
    pub(crate) mod emit {
        use crate::imap::ext::notify::emit as notify;
        use crate::imap::registry::prelude::*;

        /// The NOTIFY command.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::Notify(n) => notify::notify(w, n),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// The response codes of NOTIFY.
        pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
            match c {
                Code::NotificationOverflow => {
                    notify::notificationoverflow_code(w);
                    Ok(())
                }
                Code::BadEvent(l) => notify::badevent_code(w, l),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// The registration of [`crate::imap::ext::urlauth`].
mod urlauth {
    /// Its commands, responses and codes read into the central enums.
    pub(crate) mod parse {
        use crate::imap::ext::urlauth::parse as urlauth;
        use crate::imap::registry::prelude::*;

        /// The URLAUTH commands, after their name; `None` (input unmoved) for
        /// any other name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
            let (i, c) = if is(b"RESETKEY") {
                map(urlauth::resetkey, |(mailbox, mechanisms)| {
                    CommandBody::ResetKey {
                        mailbox,
                        mechanisms,
                    }
                })
                .parse(i)?
            } else if is(b"GENURLAUTH") {
                map(urlauth::genurlauth, CommandBody::GenUrlAuth).parse(i)?
            } else if is(b"URLFETCH") {
                map(urlauth::urlfetch, CommandBody::UrlFetch).parse(i)?
            } else {
                return Ok((i, None));
            };
            Ok((i, Some(c)))
        }

        /// The untagged responses of URLAUTH, at their name; `None` (input
        /// unmoved) for any other.
        pub(crate) fn data(i: In<'_>) -> R<'_, Option<Data<'_>>> {
            let r = if let Ok((j, ())) = word(b"GENURLAUTH")(i) {
                map(urlauth::genurlauth_data, Data::GenUrlAuth).parse(j)
            } else if let Ok((j, ())) = word(b"URLFETCH")(i) {
                map(urlauth::urlfetch_data, Data::UrlFetch).parse(j)
            } else {
                return Ok((i, None));
            };
            r.map(|(rest, d)| (rest, Some(d)))
        }

        /// `URLMECH`, after the code's name; `None` (input unmoved) for
        /// another code name or arguments that do not parse, which the caller
        /// keeps as [`Code::Other`]; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            code_with(i, name, "URLMECH", |i| {
                map(urlauth::urlmech_code, Code::UrlMech).parse(i)
            })
        }
    }

    /// Its commands, responses and codes written from the central enums.
    pub(crate) mod emit {
        use crate::imap::ext::urlauth::emit as urlauth;
        use crate::imap::registry::prelude::*;

        /// The commands of URLAUTH.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            use CommandBody as C;
            match c {
                C::ResetKey {
                    mailbox,
                    mechanisms,
                } => urlauth::resetkey(w, mailbox, mechanisms),
                C::GenUrlAuth(l) => urlauth::genurlauth(w, l),
                C::UrlFetch(l) => urlauth::urlfetch(w, l),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// The untagged responses of URLAUTH.
        pub(crate) fn data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
            match d {
                Data::GenUrlAuth(l) => urlauth::genurlauth_data(w, l),
                Data::UrlFetch(l) => urlauth::urlfetch_data(w, l),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// The response codes of URLAUTH.
        pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
            match c {
                Code::UrlMech(l) => urlauth::urlmech_code(w, l),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// UNAUTHENTICATE ([`crate::imap::ext::unauthenticate`]).
mod unauthenticate {
    /// Its command read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::unauthenticate::parse as room;
        use crate::imap::registry::prelude::*;

        /// `UNAUTHENTICATE`, after its name; `None` (input unmoved) for any
        /// other name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            if !name.eq_ignore_ascii_case(room::NAME) {
                return Ok((i, None));
            }
            let (i, ()) = room::arguments(i)?;
            Ok((i, Some(CommandBody::Unauthenticate)))
        }
    }

    /// Its command written from the central enum.
    pub(crate) mod emit {
        use crate::imap::ext::unauthenticate::emit as room;
        use crate::imap::registry::prelude::*;

        /// `CommandBody::Unauthenticate`.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::Unauthenticate => {
                    room::command(w);
                    Ok(())
                }
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// CONTEXT=SEARCH/SORT ([`crate::imap::ext::context`]).
mod context {
    /// Its command and code read into the central enums.
    pub(crate) mod parse {
        use crate::imap::ext::context::parse as room;
        use crate::imap::registry::prelude::*;

        /// `CANCELUPDATE`, after its name; `None` (input unmoved) for any
        /// other name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            if !name.eq_ignore_ascii_case(room::NAME) {
                return Ok((i, None));
            }
            let (i, c) = map(room::cancelupdate, CommandBody::CancelUpdate).parse(i)?;
            Ok((i, Some(c)))
        }

        /// `NOUPDATE`, after the code's name; `None` (input unmoved) for
        /// another code or arguments that do not parse; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            code_with(i, name, "NOUPDATE", |i| {
                map(room::noupdate_code, Code::NoUpdate).parse(i)
            })
        }
    }

    /// Its command and code written from the central enums.
    pub(crate) mod emit {
        use crate::imap::ext::context::emit as room;
        use crate::imap::registry::prelude::*;

        /// `CommandBody::CancelUpdate`.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::CancelUpdate(tags) => room::cancelupdate(w, tags),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }

        /// `Code::NoUpdate`.
        pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
            match c {
                Code::NoUpdate(t) => room::noupdate_code(w, t),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// MULTISEARCH ([`crate::imap::ext::multisearch`]).
mod multisearch {
    /// Its command read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::multisearch::parse as room;
        use crate::imap::registry::prelude::*;

        /// `ESEARCH`, after its name; `None` (input unmoved) for any other
        /// name.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            if !name.eq_ignore_ascii_case(room::NAME) {
                return Ok((i, None));
            }
            let (i, (source, return_options, charset, criteria)) = room::esearch(i)?;
            Ok((
                i,
                Some(CommandBody::ESearch {
                    source,
                    return_options,
                    charset,
                    criteria,
                }),
            ))
        }
    }

    /// Its command written from the central enum.
    pub(crate) mod emit {
        use crate::imap::ext::multisearch::emit as room;
        use crate::imap::registry::prelude::*;

        /// `CommandBody::ESearch`.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::ESearch {
                    source,
                    return_options,
                    charset,
                    criteria,
                } => room::esearch(w, source, return_options, charset, criteria),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// REPLACE ([`crate::imap::ext::replace`]).
mod replace {
    /// Its command read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::replace::parse as room;
        use crate::imap::registry::prelude::*;

        /// `REPLACE`, after its name, and `UID REPLACE`, after `UID`; `None`
        /// (input unmoved) for any other name or another UID command.
        pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
            let (i, uid, r) = if name.eq_ignore_ascii_case(room::NAME) {
                let (i, r) = room::replace(i)?;
                (i, false, r)
            } else if name.eq_ignore_ascii_case(b"UID") {
                match room::uid_replace(i)? {
                    (i, Some(r)) => (i, true, r),
                    (_, None) => return Ok((i, None)),
                }
            } else {
                return Ok((i, None));
            };
            let (id, mailbox, message) = r;
            Ok((
                i,
                Some(CommandBody::Replace {
                    uid,
                    id,
                    mailbox,
                    message,
                }),
            ))
        }
    }

    /// Its command written from the central enum.
    pub(crate) mod emit {
        use crate::imap::ext::replace::emit as room;
        use crate::imap::registry::prelude::*;

        /// `CommandBody::Replace`.
        pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
            match c {
                CommandBody::Replace {
                    uid,
                    id,
                    mailbox,
                    message,
                } => room::replace(w, *uid, *id, mailbox, message),
                _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
            }
        }
    }
}

/// The registration of [`crate::imap::ext::inprogress`].
mod inprogress {
    /// Its code read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::inprogress::parse as inprogress;
        use crate::imap::registry::prelude::*;

        /// `INPROGRESS`, after the code's name; `None` (input unmoved) for
        /// another code name or arguments that do not parse, which the caller
        /// keeps as [`Code::Other`]; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            code_with(i, name, "INPROGRESS", |i| {
                map(inprogress::inprogress_code, Code::InProgress).parse(i)
            })
        }
    }
}

/// The registration of [`crate::imap::ext::messagelimit`].
mod messagelimit {
    /// Its code read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::messagelimit::parse as messagelimit;
        use crate::imap::registry::prelude::*;

        /// `MESSAGELIMIT n`, after the code's name; `None` (input unmoved)
        /// for another code name or an argument that does not parse, which
        /// the caller keeps as [`Code::Other`]; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            code_with(i, name, "MESSAGELIMIT", |i| {
                map(messagelimit::messagelimit_code, Code::MessageLimit).parse(i)
            })
        }
    }
}

/// The registration of [`crate::imap::ext::uidonly`] (its code; UIDFETCH
/// is read and written beside FETCH).
mod uidonly {
    /// Its code read into the central enum.
    pub(crate) mod parse {
        use crate::imap::ext::uidonly::UIDREQUIRED;
        use crate::imap::registry::prelude::*;

        /// `UIDREQUIRED`, after the code's name; `None` (input unmoved) for
        /// another code name; never an error.
        pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
            Ok(if name.as_bytes().eq_ignore_ascii_case(UIDREQUIRED) {
                (i, Some(Code::UidRequired))
            } else {
                (i, None)
            })
        }
    }
}
