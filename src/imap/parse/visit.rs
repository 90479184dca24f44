//! One-pass reading of FETCH responses: [`parse_response_with`] hands every
//! data item, envelope address, body part and body parameter to a
//! [`FetchVisitor`] while it validates the response.
//!
//! [`parse_response`](super::response::parse_response) validates a FETCH
//! response once and keeps its nested lists as checked wire bytes, parsed again
//! when they are iterated. That is the cheapest way to *parse*, but a caller
//! who reads every address and every body part pays a second reading of each
//! nested list. A visitor gets them from the validating pass itself: no second
//! reading, no storage, everything borrowed from the frame.
//!
//! The price is the usual one of event parsers: the events come *while* the
//! frame is checked, so when [`parse_response_with`] returns an error the
//! visitor has already seen the events of the part before the error. Treat
//! what it collected as provisional until the call returns `Ok` (frames from
//! [`Framer`](crate::imap::Framer) are complete, so an error is a malformed
//! response, never missing bytes).
//!
//! ```
//! use mailwire::imap::{
//!     parse_response_with, Address, AddressField, FetchItem, FetchVisitor, ParseOptions,
//!     SinglePart,
//! };
//!
//! #[derive(Default)]
//! struct Summary {
//!     uid: u32,
//!     from: Vec<String>,
//!     parts: usize,
//!     bytes: u64,
//! }
//!
//! impl<'a> FetchVisitor<'a> for Summary {
//!     fn item(&mut self, item: FetchItem<'a>) {
//!         if let FetchItem::Uid(uid) = item {
//!             self.uid = uid;
//!         }
//!     }
//!     fn address(&mut self, field: AddressField, address: Address<'a>) {
//!         if field == AddressField::From {
//!             if let Some(host) = address.host {
//!                 self.from.push(host.to_str_lossy().into_owned());
//!             }
//!         }
//!     }
//!     fn part(&mut self, part: &SinglePart<'a>) {
//!         self.parts += 1;
//!         self.bytes += u64::from(part.size);
//!     }
//! }
//!
//! let frame = b"* 7 FETCH (UID 42 ENVELOPE (NIL \"hi\" ((NIL NIL \"ann\" \"example.com\")) \
//!     NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 1)\
//!     (\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 300) \"MIXED\"))\r\n";
//! let mut summary = Summary::default();
//! parse_response_with(frame, &ParseOptions::default(), &mut summary).unwrap();
//! assert_eq!(summary.uid, 42);
//! assert_eq!(summary.from, ["example.com"]);
//! assert_eq!((summary.parts, summary.bytes), (2, 312));
//! ```

use crate::Error;
use crate::imap::types::response::Response;

use super::response::response_v;
pub use crate::imap::base::body::sink::{AddressField, ParamsOf};
pub use crate::imap::base::fetch::visit::FetchVisitor;
use crate::imap::base::fetch::visit::Loud;
use crate::imap::syntax::input::{In, run};
use crate::imap::syntax::options::ParseOptions;

/// Parses one complete response frame like
/// [`parse_response`](super::response::parse_response), and hands the
/// contents of a FETCH response to `visitor` during the same pass (other
/// responses produce no events). The returned value is the one
/// `parse_response` returns.
///
/// See the [module docs](self) for the order of events and for what an error
/// means for events already delivered.
pub fn parse_response_with<'a, V: FetchVisitor<'a>>(
    frame: &'a [u8],
    opts: &ParseOptions,
    visitor: &mut V,
) -> Result<Response<'a>, Error> {
    run(frame, In::with(frame, opts), |i| {
        response_v(i, &mut Loud(visitor))
    })
}
