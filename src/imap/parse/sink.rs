//! The events of a FETCH visit ([`FetchVisitor`]) and the sinks the grammar
//! reports to while it validates a response: [`Quiet`] (nothing, the plain
//! parse) or [`Loud`] (a caller's visitor). The entry point that runs a visit
//! is in [`visit`](super::visit).

use crate::imap::syntax::core::{IString, NString};
use crate::imap::types::body::{Address, Envelope, MultiPart, SinglePart};
use crate::imap::types::response::FetchItem;

/// Which address list of an envelope an [`address`](FetchVisitor::address)
/// belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressField {
    /// `env-from`
    From,
    /// `env-sender`
    Sender,
    /// `env-reply-to`
    ReplyTo,
    /// `env-to`
    To,
    /// `env-cc`
    Cc,
    /// `env-bcc`
    Bcc,
}

/// Which parameter list a [`param`](FetchVisitor::param) belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamsOf {
    /// A single part's `body-fld-param` (its Content-Type parameters).
    Part,
    /// A multipart's `body-fld-param`, its first extension field
    /// (Content-Type parameters: the boundary).
    Multipart,
    /// The parameters of a `body-fld-dsp` (Content-Disposition parameters),
    /// of a single part or of a multipart.
    Disposition,
}

/// Receives what [`parse_response_with`](crate::imap::parse_response_with) reads from a FETCH response, in wire
/// order, as it validates it. Every method has an empty default: implement
/// the ones you need.
///
/// The order, for one response:
/// - inside ENVELOPE: one [`address`](Self::address) per address, then
///   [`envelope`](Self::envelope);
/// - inside BODY or BODYSTRUCTURE, depth first: a multipart is
///   [`multipart_start`](Self::multipart_start), its parts, its
///   [`param`](Self::param)s, then [`multipart_end`](Self::multipart_end); a
///   single part is its `param`s, then [`part`](Self::part); a message/rfc822
///   part is [`message_start`](Self::message_start), its `param`s, the inner
///   envelope and body, then `part`;
/// - [`item`](Self::item) after each data item, ENVELOPE and BODYSTRUCTURE
///   included, with the value [`parse_response`](super::response::parse_response)
///   would have listed (its nested lists still readable lazily).
///
/// On an error the events of the bytes before it have been delivered; see the
/// [module docs](crate::imap::parse::visit).
pub trait FetchVisitor<'a> {
    /// One FETCH data item, after the events of its contents.
    fn item(&mut self, item: FetchItem<'a>) {
        let _ = item;
    }
    /// One address of an envelope's address list (group syntax included:
    /// a group start has no host, its end is all NIL).
    fn address(&mut self, field: AddressField, address: Address<'a>) {
        let _ = (field, address);
    }
    /// An envelope, after its addresses: the one of the message, or the one
    /// of a message/rfc822 part.
    fn envelope(&mut self, envelope: &Envelope<'a>) {
        let _ = envelope;
    }
    /// A multipart starts; its parts follow.
    fn multipart_start(&mut self) {}
    /// A multipart ends (its subtype and extension fields are here).
    fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
        let _ = multipart;
    }
    /// A message/rfc822 (or message/global) part starts: its parameters, the
    /// inner envelope and body follow, then [`part`](Self::part) closes it.
    fn message_start(&mut self) {}
    /// One `name value` pair of a parameter list (the value is `None` only
    /// for Mail.ru's `NIL`, see [`Quirks::nil_param_value`](super::Quirks)).
    fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
        let _ = (of, name, value);
    }
    /// A single part, after its parameters (and, for a message part, after
    /// its envelope and body).
    fn part(&mut self, part: &SinglePart<'a>) {
        let _ = part;
    }
}

/// A visitor that ignores everything.
impl<'a> FetchVisitor<'a> for () {}

/// How the grammar reports to a visitor: [`Quiet`] for plain parsing (the
/// nested lists are only validated, in discard mode), [`Loud`] to parse every
/// element and report it.
pub(crate) trait Sink<'a> {
    /// Elements are parsed and reported rather than validated and dropped.
    const ACTIVE: bool;
    fn item(&mut self, item: FetchItem<'a>);
    fn address(&mut self, field: AddressField, address: Address<'a>);
    fn envelope(&mut self, envelope: &Envelope<'a>);
    fn multipart_start(&mut self);
    fn multipart_end(&mut self, multipart: &MultiPart<'a>);
    fn message_start(&mut self);
    fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>);
    fn part(&mut self, part: &SinglePart<'a>);
}

/// No visitor: the grammar validates nested lists without building them.
pub(crate) struct Quiet;

impl<'a> Sink<'a> for Quiet {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn item(&mut self, _: FetchItem<'a>) {}
    #[inline(always)]
    fn address(&mut self, _: AddressField, _: Address<'a>) {}
    #[inline(always)]
    fn envelope(&mut self, _: &Envelope<'a>) {}
    #[inline(always)]
    fn multipart_start(&mut self) {}
    #[inline(always)]
    fn multipart_end(&mut self, _: &MultiPart<'a>) {}
    #[inline(always)]
    fn message_start(&mut self) {}
    #[inline(always)]
    fn param(&mut self, _: ParamsOf, _: IString<'a>, _: NString<'a>) {}
    #[inline(always)]
    fn part(&mut self, _: &SinglePart<'a>) {}
}

/// A user's visitor.
pub(crate) struct Loud<'v, V>(pub(crate) &'v mut V);

impl<'a, V: FetchVisitor<'a>> Sink<'a> for Loud<'_, V> {
    const ACTIVE: bool = true;
    #[inline]
    fn item(&mut self, item: FetchItem<'a>) {
        self.0.item(item);
    }
    #[inline]
    fn address(&mut self, field: AddressField, address: Address<'a>) {
        self.0.address(field, address);
    }
    #[inline]
    fn envelope(&mut self, envelope: &Envelope<'a>) {
        self.0.envelope(envelope);
    }
    #[inline]
    fn multipart_start(&mut self) {
        self.0.multipart_start();
    }
    #[inline]
    fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
        self.0.multipart_end(multipart);
    }
    #[inline]
    fn message_start(&mut self) {
        self.0.message_start();
    }
    #[inline]
    fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
        self.0.param(of, name, value);
    }
    #[inline]
    fn part(&mut self, part: &SinglePart<'a>) {
        self.0.part(part);
    }
}
