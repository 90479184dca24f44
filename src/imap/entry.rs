//! The stream-level parse entry points: one message at the start of a
//! buffer, framed and parsed in one call, answering [`Status`] (the same
//! shape as `smtp::parse_command_stream` and `pop3::parse_response_stream`).
//! The frame-level [`parse_command`] and [`parse_response`] take a frame
//! found by a [`Framer`] the caller keeps.

use crate::error::Error;
use crate::wire::line::LinePolicy;
use crate::{Limits, Needed, Status};

use super::frame::{Frame, Framer};
use super::parse::ParseOptions;
use super::parse::command::parse_command;
use super::parse::response::parse_response;
use super::types::command::Command;
use super::types::response::Response;

/// Frames a message with the default [`Limits`]: `Complete(n)` or how much
/// more is needed.
fn frame(buf: &[u8], mut framer: Framer) -> Result<Result<usize, Needed>, Error> {
    match framer.find(buf)? {
        Frame::Complete(n) => Ok(Ok(n)),
        Frame::Incomplete(needed) => Ok(Err(needed)),
        // not in streaming mode (no threshold is set): the literal is waited for
        Frame::Literal { literal, .. } => Ok(Err(Needed::Literal(literal.size))),
    }
}

/// Parses a command (its line and literals) at the start of `buf`, with the
/// default [`Limits`]; `Incomplete` until the whole command has arrived.
///
/// ```
/// use mailwire::imap::{parse_command_stream, CommandBody, ParseOptions};
/// use mailwire::{Needed, Status};
/// let opts = ParseOptions::default();
/// let buf = b"a1 NOOP\r\na2 LOGIN {3}\r\n";
/// let Status::Complete(c, n) = parse_command_stream(buf, &opts).unwrap() else { panic!() };
/// assert!(matches!(c.body, CommandBody::Noop) && n == 9);
/// assert_eq!(parse_command_stream(&buf[n..], &opts).unwrap().complete(), None);
/// ```
pub fn parse_command_stream<'a>(
    buf: &'a [u8],
    opts: &ParseOptions,
) -> Result<Status<Command<'a>>, Error> {
    match frame(
        buf,
        Framer::for_commands(&Limits::DEFAULT, LinePolicy::STRICT),
    )? {
        Ok(n) => Ok(Status::Complete(parse_command(&buf[..n], opts)?, n)),
        Err(needed) => Ok(Status::Incomplete(needed)),
    }
}

/// Parses a response (its line and literals) at the start of `buf`, with
/// the default [`Limits`]; `Incomplete` until the whole response has arrived.
///
/// ```
/// use mailwire::imap::{parse_response_stream, Data, ParseOptions, Response};
/// use mailwire::Status;
/// let opts = ParseOptions::default();
/// let Status::Complete(r, n) = parse_response_stream(b"* 3 EXISTS\r\n* 1", &opts).unwrap() else { panic!() };
/// assert!(matches!(r, Response::Data(Data::Exists(3))) && n == 12);
/// assert!(matches!(parse_response_stream(b"* 1", &opts).unwrap(), Status::Incomplete(_)));
/// ```
pub fn parse_response_stream<'a>(
    buf: &'a [u8],
    opts: &ParseOptions,
) -> Result<Status<Response<'a>>, Error> {
    match frame(
        buf,
        Framer::for_responses(&Limits::DEFAULT, LinePolicy::STRICT),
    )? {
        Ok(n) => Ok(Status::Complete(parse_response(&buf[..n], opts)?, n)),
        Err(needed) => Ok(Status::Incomplete(needed)),
    }
}
