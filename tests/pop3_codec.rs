//! POP3 codec round trips: `parse(emit(x)) == x` for every command, response and
//! multi-line item (proptest), and `into_owned` keeps values equal.

use std::borrow::Cow;

use mailwire::pop3::parse::{parse_command_stream, parse_response_stream};
use mailwire::pop3::{
    Capability, Command, Expire, Response, ResponseCode, SaslMechanisms, ScanListing, Status,
    UniqueIdListing,
};
use mailwire::{Secret, Status as Parsed, Text};
use proptest::prelude::*;

fn line_safe() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no CR LF NUL", |b| ![0, b'\r', b'\n'].contains(b)),
        0..24,
    )
}

fn text() -> impl Strategy<Value = Text<'static>> {
    line_safe().prop_map(Text::from)
}

fn token(re: &'static str) -> impl Strategy<Value = Cow<'static, str>> {
    proptest::string::string_regex(re)
        .unwrap()
        .prop_map(Cow::Owned)
}

fn command() -> impl Strategy<Value = Command<'static>> {
    let msg = any::<u32>();
    prop_oneof![
        // RFC 1939 §3: arguments are printable ASCII, one per SPACE
        token("[!-~]{1,40}").prop_map(|name| Command::User {
            name: Text::from(name.into_owned())
        }),
        line_safe().prop_map(|p| Command::Pass {
            password: Secret::new(p)
        }),
        // RFC 1939 §7: the digest is 32 lower-case hexadecimal digits
        (token("[!-~]{1,40}"), token("[0-9a-f]{32}")).prop_map(|(n, digest)| Command::Apop {
            name: Text::from(n.into_owned()),
            digest
        }),
        Just(Command::Stat),
        proptest::option::of(msg).prop_map(|msg| Command::List { msg }),
        msg.prop_map(|msg| Command::Retr { msg }),
        msg.prop_map(|msg| Command::Dele { msg }),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (msg, any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(msg).prop_map(|msg| Command::Uidl { msg }),
        Just(Command::Capa),
        Just(Command::Stls),
        (
            token("[A-Z0-9_-]{1,20}"),
            proptest::option::of(prop_oneof![
                // RFC 4648: whole quanta, padding only at the end
                token(
                    "([A-Za-z0-9+/]{4}){0,9}([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)"
                ),
                Just(Cow::Borrowed("="))
            ])
        )
            .prop_map(|(mechanism, initial_response)| Command::Auth {
                mechanism,
                initial_response
            }),
        Just(Command::Utf8),
        proptest::option::of(token("[a-zA-Z*-]{1,12}")).prop_map(|tag| Command::Lang { tag }),
        (token("X[A-Z]{2,6}"), text())
            .prop_map(|(keyword, args)| Command::Unknown { keyword, args }),
    ]
}

fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        token("X-[A-Z!-.0-9]{1,8}(/[A-Z]{1,5}){0,2}").prop_map(ResponseCode::Other),
    ]
}

fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        (
            prop_oneof![Just(Status::Ok), Just(Status::Err)],
            proptest::option::of(code()),
            text()
        )
            .prop_filter("text must not read as a code", |(_, code, text)| {
                code.is_some() || !text.as_bytes().starts_with(b"[")
            })
            .prop_map(|(status, code, text)| Response { status, code, text }),
        text().prop_map(Response::continuation),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        proptest::collection::vec("[A-Z0-9-]{1,12}", 0..4)
            .prop_map(|m| Capability::Sasl(SaslMechanisms(Cow::Owned(m.join(" "))))),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (
            prop_oneof![any::<u32>().prop_map(Expire::Days), Just(Expire::Never)],
            any::<bool>()
        )
            .prop_map(|(policy, per_user)| Capability::Expire { policy, per_user }),
        Just(Capability::Uidl),
        text().prop_map(Capability::Implementation),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        (token("X-[A-Z]{1,8}"), text()).prop_map(|(name, args)| Capability::Other { name, args }),
    ]
}

proptest! {
    #[test]
    fn command_round_trip(c in command()) {
        let mut wire = Vec::new();
        c.emit(&mut wire).unwrap();
        match parse_command_stream(&wire).unwrap() {
            Parsed::Complete(parsed, n) => {
                prop_assert_eq!(n, wire.len());
                prop_assert_eq!(&parsed, &c);
                prop_assert_eq!(parsed.into_owned(), c);
            }
            Parsed::Incomplete(_) => prop_assert!(false, "incomplete"),
        }
    }

    #[test]
    fn response_round_trip(r in response()) {
        let mut wire = Vec::new();
        r.emit(&mut wire).unwrap();
        match parse_response_stream(&wire).unwrap() {
            Parsed::Complete(parsed, n) => {
                prop_assert_eq!(n, wire.len());
                prop_assert_eq!(&parsed, &r);
                prop_assert_eq!(parsed.into_owned(), r);
            }
            Parsed::Incomplete(_) => prop_assert!(false, "incomplete"),
        }
    }

    #[test]
    fn capability_round_trip(c in capability()) {
        let mut line = Vec::new();
        c.emit(&mut line).unwrap();
        prop_assert_eq!(Capability::parse(&line).unwrap(), c);
    }

    #[test]
    fn listing_round_trip(msg in any::<u32>(), size in any::<u64>(), uid in "[!-~]{1,70}") {
        let mut line = Vec::new();
        ScanListing { msg, size }.emit(&mut line);
        prop_assert_eq!(ScanListing::parse(&line).unwrap(), ScanListing { msg, size });
        let u = UniqueIdListing { msg, uid: Text::from(uid.as_str()) };
        let mut line = Vec::new();
        u.emit(&mut line).unwrap();
        prop_assert_eq!(UniqueIdListing::parse(&line).unwrap(), u);
    }

    /// Arbitrary bytes never panic a parser, and whatever parses re-emits to
    /// something that parses to the same value.
    #[test]
    fn arbitrary_lines(line in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(c) = mailwire::pop3::parse::parse_command(&line) {
            let mut wire = Vec::new();
            if c.emit(&mut wire).is_ok() {
                let again = mailwire::pop3::parse::parse_command(&wire[..wire.len() - 2]).unwrap();
                prop_assert_eq!(again, c);
            }
        }
        if let Ok(r) = mailwire::pop3::parse::parse_response(&line) {
            let mut wire = Vec::new();
            if r.emit(&mut wire).is_ok() {
                let again = mailwire::pop3::parse::parse_response(&wire[..wire.len() - 2]).unwrap();
                prop_assert_eq!(again, r);
            }
        }
        let _ = Capability::parse(&line);
        let _ = ScanListing::parse(&line);
        let _ = UniqueIdListing::parse(&line);
    }
}
