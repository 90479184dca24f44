//! QUOTA (RFC 9208): the resources of a quota root ([`QuotaResource`]) a
//! server reports and the limits a client sets, with their rules. The
//! commands (GETQUOTA, GETQUOTAROOT, SETQUOTA) and the QUOTA and QUOTAROOT
//! responses are variants of the central enums ([`CommandBody::SetQuota`],
//! [`Data::Quota`]).
//!
//! ```text
//! quota-resource = resource-name SP resource-usage SP resource-limit
//! setquota-resource = resource-name SP resource-limit
//! ```
//! The old path (`types::response::QuotaResource`) re-exports the type.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let frame = b"* QUOTA \"\" (STORAGE 10 512)\r\n";
//! let Response::Data(Data::Quota { resources, .. }) =
//!     parse_response(frame, &ParseOptions::default()).unwrap() else { panic!() };
//! let r = resources.iter().next().unwrap();
//! assert_eq!((r.name.as_str(), r.usage, r.limit), ("STORAGE", 10, 512));
//! ```
//!
//! [`CommandBody::SetQuota`]: crate::imap::CommandBody::SetQuota
//! [`Data::Quota`]: crate::imap::Data::Quota

use crate::imap::syntax::core::*;

/// `quota-resource = resource-name SP resource-usage SP resource-limit` (RFC 9208)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaResource<'a> {
    /// `STORAGE`, `MESSAGE`, ...
    pub name: Atom<'a>,
    /// Usage.
    pub usage: u64,
    /// Limit.
    pub limit: u64,
}

crate::owned::into_owned! {
    struct QuotaResource { name, usage, limit }
}

/// The grammar of QUOTA.
pub(crate) mod parse {
    use super::*;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;
    use nom::Parser as _;
    use nom::combinator::map;
    use nom::sequence::separated_pair;

    /// `setquota-resource = resource-name SP resource-limit`
    pub(crate) fn quota_limit(i: In<'_>) -> R<'_, (Atom<'_>, u64)> {
        separated_pair(atom, sp, number64).parse(i)
    }

    /// `quota-resource = resource-name SP resource-usage SP resource-limit`
    pub(crate) fn quota_resource<'a>(i: In<'a>) -> R<'a, QuotaResource<'a>> {
        map(
            (atom, sp, number64, sp, number64),
            |(name, _, usage, _, limit)| QuotaResource { name, usage, limit },
        )
        .parse(i)
    }
}
