//! SAVEDATE (RFC 8514): the date a message was saved in its current mailbox,
//! to FETCH (§2.1) and to SEARCH by (§2.2).
//!
//! ```text
//! capability     =/ "SAVEDATE"
//! fetch-att      =/ "SAVEDATE"
//! msg-att-static =/ "SAVEDATE" SP (date-time / nil)
//! search-key     =/ "SAVEDBEFORE" SP date /
//!                   "SAVEDON" SP date /
//!                   "SAVEDSINCE" SP date /
//!                   "SAVEDATESUPPORTED"
//! ```
//! (RFC 8514 §4; `date`, `date-time` and `nil` are RFC 3501's.)
//!
//! Extends:
//! - [`FetchAttribute`](crate::imap::FetchAttribute)`::SaveDate`;
//! - [`FetchItem`](crate::imap::FetchItem)`::SaveDate`;
//! - [`SearchKey`](crate::imap::SearchKey)`::SaveDate` (with [`SaveDateKey`]).
//!
//! SAVEDATE adds nothing to the central enums (commands, responses, codes):
//! it extends the FETCH and SEARCH concepts, so its room sits with theirs in
//! [`crate::imap::base`] (below the extension rooms, which may build on the
//! base rooms), and it is registered by one branch in the rules that read a
//! FETCH item name and a search key name (`base::fetch` and `base::search`,
//! each `parse` and `emit`); the client knows the capability name
//! (`client::caps`). The old path `ext::savedate` re-exports this room.
//!
//! ```
//! use mailwire::imap::{parse_command, ParseOptions, CommandBody, SearchKey};
//! use mailwire::imap::ext::savedate::SaveDateKey;
//!
//! let c = parse_command(b"A1 SEARCH SAVEDATESUPPORTED\r\n", &ParseOptions::default()).unwrap();
//! let CommandBody::Search { criteria, .. } = c.body else { panic!() };
//! assert!(matches!(criteria.iter().next(), Some(SearchKey::SaveDate(SaveDateKey::Supported))));
//! ```

use crate::imap::syntax::core::Date;

/// A SAVEDATE search key (RFC 8514 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SaveDateKey {
    /// `SAVEDBEFORE date`: saved before the date (the time and time zone
    /// disregarded, as for BEFORE).
    Before(Date),
    /// `SAVEDON date`: saved on the date.
    On(Date),
    /// `SAVEDSINCE date`: saved on or after the date.
    Since(Date),
    /// `SAVEDATESUPPORTED`: every message, if the mailbox keeps save dates;
    /// none otherwise.
    Supported,
}

crate::owned::owned_copy!(SaveDateKey);

/// The grammar of SAVEDATE.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::combinator::map;
    use nom::sequence::preceded;

    use super::SaveDateKey;
    use crate::imap::syntax::core::DateTime;
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::{date, date_time, is_nil};

    /// The SAVEDATE search keys, after their name; `None` (input unmoved) for
    /// any other name.
    ///
    /// ```text
    /// search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date /
    ///               "SAVEDSINCE" SP date / "SAVEDATESUPPORTED"
    /// ```
    pub(crate) fn search_key<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<SaveDateKey>> {
        let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
        let (i, k) = if is(b"SAVEDBEFORE") {
            map(preceded(sp, date), SaveDateKey::Before).parse(i)?
        } else if is(b"SAVEDON") {
            map(preceded(sp, date), SaveDateKey::On).parse(i)?
        } else if is(b"SAVEDSINCE") {
            map(preceded(sp, date), SaveDateKey::Since).parse(i)?
        } else if is(b"SAVEDATESUPPORTED") {
            (i, SaveDateKey::Supported)
        } else {
            return Ok((i, None));
        };
        Ok((i, Some(k)))
    }

    /// `msg-att-static =/ "SAVEDATE" SP (date-time / nil)`, after `SAVEDATE`.
    /// The caller wraps it in `FetchItem::SaveDate`.
    pub(crate) fn fetch_item(i: In<'_>) -> R<'_, Option<DateTime>> {
        let (i, ()) = sp(i)?;
        match is_nil(i) {
            (i, true) => Ok((i, None)),
            _ => map(date_time, Some).parse(i),
        }
    }
}

/// Emitting SAVEDATE.
pub(crate) mod emit {
    use super::SaveDateKey;
    use crate::Error;
    use crate::imap::syntax::core::DateTime;
    use crate::imap::syntax::write::W;

    /// `"SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date /
    /// "SAVEDATESUPPORTED"`
    pub(crate) fn search_key(w: &mut W<'_>, k: &SaveDateKey) -> Result<(), Error> {
        let (name, d): (&[u8], _) = match k {
            SaveDateKey::Before(d) => (b"SAVEDBEFORE ", d),
            SaveDateKey::On(d) => (b"SAVEDON ", d),
            SaveDateKey::Since(d) => (b"SAVEDSINCE ", d),
            SaveDateKey::Supported => {
                w.raw(b"SAVEDATESUPPORTED");
                return Ok(());
            }
        };
        w.raw(name);
        w.date(d)
    }

    /// `"SAVEDATE" SP (date-time / nil)`
    pub(crate) fn fetch_item(w: &mut W<'_>, d: &Option<DateTime>) -> Result<(), Error> {
        w.raw(b"SAVEDATE ");
        match d {
            None => w.raw(b"NIL"),
            Some(d) => w.date_time(d)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! RFC 8514 §2–§4 against the parser and the emitter: each search key and
    //! the FETCH item, in the syntax of §4 quoted at the top of this room,
    //! then malformed and truncated forms.

    use alloc::vec::Vec;

    use super::SaveDateKey;
    use crate::Error;
    use crate::imap::IntoOwned;
    use crate::imap::emit::{EmitOptions, emit_command, emit_response};
    use crate::imap::parse::command::parse_command;
    use crate::imap::parse::response::parse_response;
    use crate::imap::syntax::core::{Date, DateTime, List, Tag};
    use crate::imap::syntax::options::ParseOptions;
    use crate::imap::types::command::{
        Command, CommandBody, FetchAttribute, FetchAttributes, SearchKey,
    };
    use crate::imap::types::response::{Data, FetchItem, Response};

    fn d(year: u16, month: u8, day: u8) -> Date {
        Date::new(year, month, day).unwrap()
    }

    /// The keys of a `SEARCH` command line.
    fn keys(line: &[u8]) -> Vec<SearchKey<'_>> {
        match parse_command(line, &ParseOptions::STRICT) {
            Ok(Command {
                body: CommandBody::Search { criteria, .. },
                ..
            }) => criteria.iter().collect(),
            other => panic!("{other:?}"),
        }
    }

    fn emitted(c: &Command<'_>) -> Vec<u8> {
        let mut out = bytes::BytesMut::new();
        emit_command(c, &mut out, &EmitOptions::default()).unwrap();
        out.to_vec()
    }

    // search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date /
    //               "SAVEDSINCE" SP date / "SAVEDATESUPPORTED"
    #[test]
    fn search_keys_parse() {
        assert_eq!(
            keys(b"A1 SEARCH SAVEDBEFORE 1-Feb-1994\r\n"),
            [SearchKey::SaveDate(SaveDateKey::Before(d(1994, 2, 1)))]
        );
        assert_eq!(
            keys(b"A2 UID SEARCH SAVEDON \"28-Dec-2014\"\r\n"),
            [SearchKey::SaveDate(SaveDateKey::On(d(2014, 12, 28)))]
        );
        assert_eq!(
            keys(b"A3 SEARCH savedsince 31-Jan-2019 SEEN\r\n"),
            [
                SearchKey::SaveDate(SaveDateKey::Since(d(2019, 1, 31))),
                SearchKey::Seen
            ]
        );
        assert_eq!(
            keys(b"A4 SEARCH SAVEDATESUPPORTED\r\n"),
            [SearchKey::SaveDate(SaveDateKey::Supported)]
        );
        // nested under NOT and OR like any other key
        let k = keys(b"A5 SEARCH OR SAVEDATESUPPORTED NOT SAVEDON 2-Jan-2020\r\n");
        let [SearchKey::Or(a, b)] = &k[..] else {
            panic!("{k:?}")
        };
        assert_eq!(a.get(), SearchKey::SaveDate(SaveDateKey::Supported));
        let SearchKey::Not(n) = b.get() else {
            panic!("{b:?}")
        };
        assert_eq!(n.get(), SearchKey::SaveDate(SaveDateKey::On(d(2020, 1, 2))));
    }

    #[test]
    fn search_keys_emit_and_round_trip() {
        let cases: [(SaveDateKey, &[u8]); 4] = [
            (
                SaveDateKey::Before(d(1994, 2, 1)),
                b"SAVEDBEFORE 1-Feb-1994",
            ),
            (SaveDateKey::On(d(2014, 12, 28)), b"SAVEDON 28-Dec-2014"),
            (
                SaveDateKey::Since(d(2019, 1, 31)),
                b"SAVEDSINCE 31-Jan-2019",
            ),
            (SaveDateKey::Supported, b"SAVEDATESUPPORTED"),
        ];
        for (k, wire) in cases {
            let c = Command {
                tag: Tag::new("A1").unwrap(),
                body: CommandBody::Search {
                    uid: false,
                    return_options: None,
                    charset: None,
                    criteria: List::from_items(alloc::vec![SearchKey::SaveDate(k)]),
                },
            };
            let out = emitted(&c);
            let mut want = b"A1 SEARCH ".to_vec();
            want.extend_from_slice(wire);
            want.extend_from_slice(b"\r\n");
            assert_eq!(out, want, "{k:?}");
            assert_eq!(keys(&out), [SearchKey::SaveDate(k)]);
        }
    }

    #[test]
    fn malformed_search_keys_are_parse_errors() {
        for line in [
            &b"A1 SEARCH SAVEDBEFORE\r\n"[..],        // no date
            b"A1 SEARCH SAVEDBEFORE \r\n",            // empty date
            b"A1 SEARCH SAVEDON 1-Foo-1994\r\n",      // no such month
            b"A1 SEARCH SAVEDON 32-Jan-1994\r\n",     // no such day
            b"A1 SEARCH SAVEDSINCE \"1-Feb-1994\r\n", // unclosed quote
            b"A1 SEARCH SAVEDSINCE 1-Feb-94\r\n",     // two-digit year
            b"A1 SEARCH SAVEDSINCE \"1-Feb-1994 12:00:00 +0000\"\r\n", // a date, not a date-time
            b"A1 SEARCH SAVEDATESUPPORTED 1-Feb-1994\r\n", // takes no argument
            b"A1 SEARCH SAVEDATE\r\n",                // the fetch-att is no search key
            b"A1 SEARCH SAVEDAFTER 1-Feb-1994\r\n",   // not a key of RFC 8514
        ] {
            assert!(
                matches!(
                    parse_command(line, &ParseOptions::STRICT),
                    Err(Error::Parse(_))
                ),
                "{:?}",
                alloc::string::String::from_utf8_lossy(line)
            );
        }
    }

    // fetch-att =/ "SAVEDATE"
    #[test]
    fn fetch_attribute() {
        let c = parse_command(b"A1 FETCH 1:* (UID SAVEDATE)\r\n", &ParseOptions::STRICT).unwrap();
        let CommandBody::Fetch {
            attributes: FetchAttributes::List(l),
            ..
        } = &c.body
        else {
            panic!("{c:?}")
        };
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            [FetchAttribute::Uid, FetchAttribute::SaveDate]
        );
        assert_eq!(emitted(&c), b"A1 FETCH 1:* (UID SAVEDATE)\r\n");
    }

    fn items(line: &[u8]) -> Result<Vec<FetchItem<'_>>, Error> {
        match parse_response(line, &ParseOptions::STRICT)? {
            Response::Data(Data::Fetch { items, .. }) => Ok(items.iter().collect()),
            other => panic!("{other:?}"),
        }
    }

    // msg-att-static =/ "SAVEDATE" SP (date-time / nil)
    #[test]
    fn fetch_item_parses_and_round_trips() {
        let when = DateTime::new(d(2019, 1, 4), 13, 5, 59, 60).unwrap();
        assert_eq!(
            items(b"* 7 FETCH (SAVEDATE \"04-Jan-2019 13:05:59 +0100\")\r\n").unwrap(),
            [FetchItem::SaveDate(Some(when))]
        );
        // NIL: the mailbox keeps no save date (RFC 8514 §2.1)
        assert_eq!(
            items(b"* 7 FETCH (UID 9 SAVEDATE NIL)\r\n").unwrap(),
            [FetchItem::Uid(9), FetchItem::SaveDate(None)]
        );
        for (item, wire) in [
            (
                FetchItem::SaveDate(Some(when)),
                &b"* 7 FETCH (SAVEDATE \"04-Jan-2019 13:05:59 +0100\")\r\n"[..],
            ),
            (FetchItem::SaveDate(None), b"* 7 FETCH (SAVEDATE NIL)\r\n"),
        ] {
            let r = Response::Data(Data::Fetch {
                seq: 7,
                items: List::from_items(alloc::vec![item.clone()]),
            });
            let mut out = bytes::BytesMut::new();
            emit_response(&r, &mut out, &EmitOptions::default()).unwrap();
            assert_eq!(&out[..], wire);
            let again = items(&out).unwrap().into_iter().map(|i| i.into_owned());
            assert_eq!(again.collect::<Vec<_>>(), [item]);
        }
    }

    #[test]
    fn malformed_fetch_items_are_parse_errors() {
        for line in [
            &b"* 7 FETCH (SAVEDATE)\r\n"[..],                     // no value
            b"* 7 FETCH (SAVEDATE )\r\n",                         // empty value
            b"* 7 FETCH (SAVEDATE 04-Jan-2019)\r\n",              // a date, unquoted
            b"* 7 FETCH (SAVEDATE \"04-Jan-2019\")\r\n",          // no time
            b"* 7 FETCH (SAVEDATE \"04-Jan-2019 13:05:59\")\r\n", // no zone
            b"* 7 FETCH (SAVEDATE \"04-Jan-2019 25:05:59 +0100\")\r\n", // no such hour
            b"* 7 FETCH (SAVEDATE \"04-Jan-2019 13:05:59 +0100\r\n", // unclosed quote
            b"* 7 FETCH (SAVEDATE NILL)\r\n",                     // not nil
        ] {
            assert!(
                matches!(items(line), Err(Error::Parse(_))),
                "{:?}",
                alloc::string::String::from_utf8_lossy(line)
            );
        }
    }
}
