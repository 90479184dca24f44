//! The clients' policy for extensions the server did not advertise.
//!
//! A client refuses to send a command, a parameter or a SASL mechanism of an
//! extension the server did not announce (EHLO keywords, CAPA tags, IMAP
//! capabilities), with [`Error::Misuse`] naming what was missing, before a
//! byte reaches the wire (each client's `trust_unadvertised` docs quote the
//! RFC rule it follows). That switch turns the check off for servers that
//! support more than they announce. What counts as advertised is each
//! protocol's own business; the rule and the error are shared.

use crate::error::Error;

/// Whether a client checks extensions against what the server advertised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unadvertised {
    trusted: bool,
}

impl Unadvertised {
    /// The policy of a client configuration's `trust_unadvertised`.
    pub(crate) fn trusting(trust_unadvertised: bool) -> Unadvertised {
        Unadvertised {
            trusted: trust_unadvertised,
        }
    }

    /// Passes when the server advertised what is used, or when unadvertised
    /// extensions are trusted; otherwise `refusal`.
    pub(crate) fn require(self, advertised: bool, refusal: Error) -> Result<(), Error> {
        if self.trusted {
            return Ok(());
        }
        require(advertised, refusal)
    }

    /// Runs a client's own check (several [`require`] calls) unless
    /// unadvertised extensions are trusted.
    pub(crate) fn check(self, check: impl FnOnce() -> Result<(), Error>) -> Result<(), Error> {
        if self.trusted { Ok(()) } else { check() }
    }
}

/// The rule itself: `refusal` (an [`Error::Misuse`] naming what is missing)
/// unless `advertised`.
pub(crate) fn require(advertised: bool, refusal: Error) -> Result<(), Error> {
    if advertised { Ok(()) } else { Err(refusal) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_unless_advertised_or_trusted() {
        let strict = Unadvertised::trusting(false);
        assert!(
            strict
                .require(
                    true,
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "IDLE" })
                )
                .is_ok()
        );
        match strict.require(
            false,
            Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "IDLE" }),
        ) {
            Err(e) => assert_eq!(
                e,
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "IDLE" })
            ),
            other => panic!("{other:?}"),
        }
        let trusting = Unadvertised::trusting(true);
        assert!(
            trusting
                .require(
                    false,
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "IDLE" })
                )
                .is_ok()
        );
        // a trusting client does not even run the check
        assert!(trusting.check(|| panic!("checked")).is_ok());
        assert!(matches!(
            strict.check(|| require(
                false,
                Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "TOP" })
            )),
            Err(Error::Misuse(crate::error::ApiMisuse::NotAdvertised {
                extension: "TOP"
            }))
        ));
        assert!(
            strict
                .check(|| require(
                    true,
                    Error::Misuse(crate::error::ApiMisuse::NotAdvertised { extension: "TOP" })
                ))
                .is_ok()
        );
    }
}
