//! The nom error of the grammars that run over plain byte slices (SMTP's and
//! POP3's): where a rule failed and what it expected. IMAP's rules run over
//! their own input type, which carries parse state, and have their own error
//! (`imap::parse::input`); all three end as a [`ParseError`].

use nom::IResult;

use crate::error::ParseError;

/// Where a rule failed (the input left there) and what was expected.
#[derive(Debug)]
pub(crate) struct E<'a> {
    pub(crate) rest: &'a [u8],
    pub(crate) expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a [u8]> for E<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        E {
            rest: input,
            expected: "valid syntax",
        }
    }
    fn append(_: &'a [u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Result of one rule.
pub(crate) type R<'a, O> = IResult<&'a [u8], O, E<'a>>;

/// A recoverable failure at `rest`.
pub(crate) fn fail<'a, O>(rest: &'a [u8], expected: &'static str) -> R<'a, O> {
    Err(nom::Err::Error(E { rest, expected }))
}

/// The crate error for a rule run on `input`.
#[cold]
pub(crate) fn to_parse_error(input: &[u8], e: nom::Err<E<'_>>) -> ParseError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => ParseError::at(input, e.rest, e.expected),
        nom::Err::Incomplete(_) => ParseError::new(input, input.len(), "more input"),
    }
}
