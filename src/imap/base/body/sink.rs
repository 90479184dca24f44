//! The events of the body rules for a FETCH visit: which address list or
//! parameter list a value belongs to, and the sink the body rules report to
//! ([`Quiet`] for a plain parse; the FETCH room's visit implements it too).

use crate::imap::base::body::{Address, Envelope, MultiPart, SinglePart};
use crate::imap::syntax::core::{IString, NString};

/// Which address list of an envelope an [`address`](crate::imap::FetchVisitor::address)
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

/// Which parameter list a [`param`](crate::imap::FetchVisitor::param) belongs to.
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

/// How the body rules report to a visitor: [`Quiet`] for plain parsing (the
/// nested lists are only validated, in discard mode), the FETCH visit's sink
/// to parse every element and report it.
pub(crate) trait BodySink<'a> {
    /// Elements are parsed and reported rather than validated and dropped.
    const ACTIVE: bool;
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

impl<'a> BodySink<'a> for Quiet {
    const ACTIVE: bool = false;
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
