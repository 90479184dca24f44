//! The extension rooms: one module per IMAP extension, each holding the
//! extension's value types, its grammar (`parse`) and its emitter (`emit`),
//! so a rule is written once. A room's header lists the central enums it
//! extends ([`CommandBody`], [`Data`], [`Code`], ...), the way imap-types'
//! extension modules do.
//!
//! ```
//! use mailwire::imap::{parse_response, Data, ParseOptions, Response, SearchReturnData};
//!
//! // An extension's response through the central parser: ESEARCH, RFC 4731 §3.1
//! // S: * ESEARCH (TAG "A285") UID MIN 7 MAX 3800
//! let frame = b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n";
//! let Response::Data(Data::ESearch(esearch)) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
//! assert!(esearch.uid);
//! assert_eq!(esearch.data.iter().collect::<Vec<_>>(), [SearchReturnData::Min(7), SearchReturnData::Max(3800)]);
//! ```
//!
//! This module is the registration: the central grammar and emitters ask it
//! about a command, an untagged response or a response code they do not know
//! themselves, and it asks each room in turn. A new extension adds its room
//! below and one line to each dispatch it takes part in.

use crate::Error;
use crate::imap::syntax::input::{In, R};
use crate::imap::syntax::write::W;
use crate::imap::types::command::CommandBody;
use crate::imap::types::response::{Code, Data};

pub mod acl;
pub mod catenate;
pub mod esearch;
pub mod id;
pub mod metadata;
pub mod notify;
/// SAVEDATE (RFC 8514) extends only FETCH and SEARCH: its room is
/// [`crate::imap::base::savedate`], re-exported at this path.
pub use crate::imap::base::savedate;
pub mod urlauth;

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
];
/// The rooms that add untagged responses.
const DATA: &[DataRule] = &[acl::parse::data, urlauth::parse::data];
/// The rooms that add response codes.
const CODES: &[CodeRule] = &[
    catenate::parse::code,
    notify::parse::code,
    urlauth::parse::code,
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
        _ => Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
}

#[cfg(test)]
mod tests;
