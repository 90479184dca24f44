//! ID (RFC 2971): client and server tell each other their name and version.
//! One rule, `id-params-list`, serves the command and the response (§4):
//!
//! ```
//! use mailwire::imap::{parse_command, parse_response, CommandBody, Data, ParseOptions, Response};
//!
//! // RFC 2971 §3.3: C: a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")
//! //                S: * ID NIL
//! let frame = b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n";
//! let CommandBody::Id(Some(fields)) = parse_command(frame, &ParseOptions::STRICT).unwrap().body else { panic!() };
//! let (name, value) = fields.iter().next().unwrap();
//! assert_eq!((name.as_bytes(), value.unwrap().as_bytes()), (&b"name"[..], &b"sodr"[..]));
//! assert_eq!(fields.len(), 3);
//! let response = parse_response(b"* ID NIL\r\n", &ParseOptions::STRICT).unwrap();
//! assert_eq!(response, Response::Data(Data::Id(None)));
//! ```
//!
//! ```text
//! id          = "ID" SP id-params-list
//! id-response = "ID" SP id-params-list
//! id-params-list = "(" *(string SP nstring) ")" / nil
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::Id`;
//! - [`Data`](crate::imap::Data)`::Id` (the value is
//!   [`IdParams`]).
//!
//! Registered in the central rules that read a command name and an untagged
//! response name, and in the central emitters. The rule is written once, in
//! [`parse`](self) (`id_params_list`), and used by both directions; the old
//! path `types::response::IdParams` re-exports the type.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody};
//!
//! let c = parse_command(b"A1 ID (\"name\" \"sodr\" \"version\" NIL)\r\n",
//!                       &ParseOptions::default()).unwrap();
//! let CommandBody::Id(Some(params)) = c.body else { panic!() };
//! let (name, value) = params.iter().next().unwrap();
//! assert_eq!((name.as_bytes(), value.unwrap().as_bytes()), (&b"name"[..], &b"sodr"[..]));
//! assert_eq!(params.iter().nth(1).unwrap().1, None);
//! ```

use crate::imap::syntax::core::{IString, List, NString};

/// `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971); `None` is NIL.
pub type IdParams<'a> = Option<List<'a, (IString<'a>, NString<'a>)>>;

/// The grammar of ID.
pub(crate) mod parse {
    use nom::Parser as _;

    use super::IdParams;
    use crate::imap::syntax::core::{IString, List, Sep};
    use crate::imap::syntax::input::{In, R, byte, sp, space_before_close};
    use crate::imap::syntax::rules::{is_nil, nstring, string};

    /// `string SP nstring` (one field of an ID list)
    fn id_pair<'a>(i: In<'a>) -> R<'a, (IString<'a>, Option<IString<'a>>)> {
        nom::combinator::map((string, sp, nstring), |(k, _, v)| (k, v)).parse(i)
    }

    /// `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971 §4).
    /// `space_quirk`: a space before `)` is taken under
    /// [`Quirks::trailing_space`](crate::imap::Quirks) (servers' `* ID`
    /// responses); a command's list never takes it.
    pub(crate) fn id_params_list<'a>(i: In<'a>, space_quirk: bool) -> R<'a, IdParams<'a>> {
        if let (rest, true) = is_nil(i) {
            return Ok((rest, None));
        }
        let (mut i, ()) = byte(b'(', "'(' or NIL")(i)?;
        let s = i;
        let mut e = i;
        if i.peek() != Some(b')') {
            loop {
                (i, _) = id_pair(i)?;
                e = i;
                i = space_before_close(i, space_quirk && i.q().trailing_space);
                if i.peek() == Some(b')') {
                    break;
                }
                (i, ()) = sp(i)?;
            }
        }
        let (i, ()) = byte(b')', "')'")(i)?;
        Ok((
            i,
            Some(List::wire(s.upto(&e), id_pair, Sep::Space, i.ctx())),
        ))
    }
}

/// Emitting ID.
pub(crate) mod emit {
    use super::IdParams;
    use crate::Error;
    use crate::imap::syntax::write::W;

    /// `id-params-list = "(" *(string SP nstring) ")" / nil`
    pub(crate) fn id_params_list(w: &mut W<'_>, params: &IdParams<'_>) -> Result<(), Error> {
        match params {
            None => w.raw(b"NIL"),
            Some(l) => {
                w.raw(b"(");
                for (i, (k, v)) in l.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.string(k.as_bytes())?;
                    w.sp();
                    w.nstring(&v)?;
                }
                w.raw(b")");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! `id-params-list` (RFC 2971 §4) is one rule for the command and the
    //! response: the same list reads the same on both sides.

    use alloc::vec::Vec;

    use crate::Error;
    use crate::imap::IntoOwned;
    use crate::imap::parse::command::parse_command;
    use crate::imap::parse::response::parse_response;
    use crate::imap::syntax::core::IString;
    use crate::imap::syntax::options::ParseOptions;
    use crate::imap::types::command::CommandBody;
    use crate::imap::types::response::{Data, IdParams, Response};

    type Pairs<'a> = Option<Vec<(IString<'a>, Option<IString<'a>>)>>;

    fn pairs(p: IdParams<'_>) -> Pairs<'_> {
        p.map(|l| l.iter().collect())
    }

    fn command(line: &[u8], opts: &ParseOptions) -> Result<Pairs<'static>, Error> {
        match parse_command(line, opts)?.body {
            CommandBody::Id(p) => Ok(pairs(p.into_owned())),
            other => panic!("{other:?}"),
        }
    }

    fn response(line: &[u8], opts: &ParseOptions) -> Result<Pairs<'static>, Error> {
        match parse_response(line, opts)? {
            Response::Data(Data::Id(p)) => Ok(pairs(p.into_owned())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_same_list_on_both_sides() {
        let strict = ParseOptions::STRICT;
        for list in [
            &b"(\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" NIL)"[..],
            b"()",
            b"NIL",
            b"(\"name\" {5}\r\nCyrus)",
        ] {
            let c = command(&[b"a023 ID ", list, b"\r\n"].concat(), &strict).unwrap();
            let r = response(&[b"* ID ", list, b"\r\n"].concat(), &strict).unwrap();
            assert_eq!(c, r, "{:?}", alloc::string::String::from_utf8_lossy(list));
        }
        assert_eq!(
            command(b"a023 ID (\"name\" \"x\")\r\n", &strict).unwrap(),
            Some(alloc::vec![(
                IString::from("name"),
                Some(IString::from("x"))
            )])
        );
    }

    #[test]
    fn a_space_before_the_close_only_in_a_lenient_response() {
        let lenient = ParseOptions::default();
        let strict = ParseOptions::STRICT;
        assert!(response(b"* ID (\"name\" \"x\" )\r\n", &lenient).is_ok());
        assert!(matches!(
            response(b"* ID (\"name\" \"x\" )\r\n", &strict),
            Err(Error::Parse(_))
        ));
        assert!(matches!(
            command(b"a ID (\"name\" \"x\" )\r\n", &lenient),
            Err(Error::Parse(_))
        ));
    }

    #[test]
    fn malformed_lists_are_parse_errors() {
        let strict = ParseOptions::STRICT;
        for list in [
            &b"(\"name\")"[..],   // a field without value
            b"(\"name\" \"x\"",   // unclosed
            b"(name \"x\")",      // field name not a string
            b"(\"name\"  \"x\")", // two spaces
            b"NILL",              // not nil
            b"",                  // nothing
        ] {
            assert!(
                matches!(
                    command(&[b"a ID ", list, b"\r\n"].concat(), &strict),
                    Err(Error::Parse(_))
                ),
                "command {:?}",
                alloc::string::String::from_utf8_lossy(list)
            );
            assert!(
                matches!(
                    response(&[b"* ID ", list, b"\r\n"].concat(), &strict),
                    Err(Error::Parse(_))
                ),
                "response {:?}",
                alloc::string::String::from_utf8_lossy(list)
            );
        }
    }
}
