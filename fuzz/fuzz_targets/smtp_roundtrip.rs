//! emit→parse round trips for commands and replies built from arbitrary
//! values: whatever the emitter accepts parses back to the same value, and
//! whatever it refuses leaves nothing on the wire.
#![no_main]

use std::borrow::Cow;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mailwire::smtp::*;

fn host<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<Host<'a>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Host::Domain(Cow::Borrowed(<&str>::arbitrary(u)?)),
        1 => Host::Ipv4(u32::arbitrary(u)?.into()),
        2 => Host::Ipv6(u128::arbitrary(u)?.into()),
        _ => Host::General {
            tag: Cow::Borrowed(<&str>::arbitrary(u)?),
            content: Cow::Borrowed(<&str>::arbitrary(u)?),
        },
    })
}

fn mailbox<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<Mailbox<'a>> {
    Ok(Mailbox::new(<&str>::arbitrary(u)?, host(u)?))
}

fn parameters(u: &mut Unstructured<'_>) -> arbitrary::Result<Parameters<'static>> {
    let mut p = Parameters::default();
    for _ in 0..u.int_in_range(0..=3)? {
        let param = match u.int_in_range(0..=8)? {
            0 => Parameter::Size(u64::arbitrary(u)?),
            1 => Parameter::SmtpUtf8,
            2 => Parameter::EnvId(XText::encode(<&[u8]>::arbitrary(u)?)),
            3 => Parameter::Notify(Notify { success: bool::arbitrary(u)?, failure: bool::arbitrary(u)?, delay: bool::arbitrary(u)? }),
            4 => Parameter::Orcpt { addr_type: Cow::Owned(String::arbitrary(u)?), address: XText::encode(<&[u8]>::arbitrary(u)?) },
            5 => Parameter::MtPriority(i8::arbitrary(u)?),
            6 => Parameter::By { time: i64::arbitrary(u)?, mode: ByMode::Return, trace: bool::arbitrary(u)? },
            7 => Parameter::HoldUntil(Cow::Owned(String::arbitrary(u)?)),
            _ => Parameter::Other { keyword: Cow::Owned(String::arbitrary(u)?), value: Option::<String>::arbitrary(u)?.map(Cow::Owned) },
        };
        let _ = p.push(&param);
    }
    Ok(p)
}

fn x_attributes(u: &mut Unstructured<'_>) -> arbitrary::Result<XAttributes<'static>> {
    let mut a = XAttributes::default();
    for _ in 0..u.int_in_range(0..=4)? {
        let name = XAttrName::ALL[u.int_in_range(0..=9)?];
        let value = match u.int_in_range(0..=3)? {
            0 => XValue::Unavailable,
            1 => XValue::TempUnavail,
            2 => XValue::Value(XText::from_encoded(String::arbitrary(u)?)),
            _ => XValue::Value(XText::encode(<&[u8]>::arbitrary(u)?)),
        };
        let _ = a.push(name, &value);
    }
    Ok(a)
}

fn command<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<Command<'a>> {
    let s = |u: &mut Unstructured<'a>| -> arbitrary::Result<Cow<'a, str>> { Ok(Cow::Borrowed(<&str>::arbitrary(u)?)) };
    Ok(match u.int_in_range(0..=19)? {
        0 => Command::Helo { domain: host(u)? },
        1 => Command::Ehlo { domain: host(u)? },
        2 => Command::Lhlo { domain: host(u)? },
        3 => Command::Mail {
            reverse_path: if bool::arbitrary(u)? { ReversePath::Null } else { ReversePath::Mailbox(mailbox(u)?) },
            parameters: parameters(u)?,
        },
        4 => Command::Rcpt {
            forward_path: if bool::arbitrary(u)? { ForwardPath::Postmaster } else { ForwardPath::Mailbox(mailbox(u)?) },
            parameters: parameters(u)?,
        },
        5 => Command::Data,
        6 => Command::Bdat { size: u64::arbitrary(u)?, last: bool::arbitrary(u)? },
        7 => Command::Rset,
        8 => Command::Vrfy { argument: s(u)? },
        9 => Command::Expn { argument: s(u)? },
        10 => Command::Help { topic: if bool::arbitrary(u)? { Some(s(u)?) } else { None } },
        11 => Command::Noop { argument: if bool::arbitrary(u)? { Some(s(u)?) } else { None } },
        12 => Command::Quit,
        13 => Command::StartTls,
        14 => Command::Auth { mechanism: s(u)?, initial_response: if bool::arbitrary(u)? { Some(s(u)?) } else { None } },
        15 => Command::Etrn { node: s(u)? },
        16 => Command::Xclient { attributes: x_attributes(u)? },
        17 => Command::Xforward { attributes: x_attributes(u)? },
        18 => Command::Burl { url: s(u)?, last: bool::arbitrary(u)? },
        _ => Command::Unknown { verb: s(u)?, arguments: Cow::Borrowed(<&[u8]>::arbitrary(u)?) },
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(cmd) = command(&mut u) {
        let mut out = Vec::new();
        match emit_command(&cmd, &mut out) {
            Ok(()) => {
                assert!(out.ends_with(b"\r\n"));
                assert!(!out[..out.len() - 2].iter().any(|&b| b == b'\r' || b == b'\n' || b == 0));
                assert_eq!(parse_command(&out[..out.len() - 2]).unwrap(), cmd);
            }
            Err(_) => assert!(out.is_empty()),
        }
    }
    if let (Ok(code), Ok(lines)) = (u16::arbitrary(&mut u), Vec::<&[u8]>::arbitrary(&mut u)) {
        if let Some(code) = ReplyCode::new(code) {
            if let Ok(r) = Reply::new(code, None, &lines) {
                let mut out = Vec::new();
                emit_reply(&r, &mut out);
                let mailwire::Status::Complete(p, n) = parse_reply_stream(&out).unwrap() else { panic!("incomplete") };
                assert_eq!(n, out.len());
                assert_eq!(p, r);
            }
        }
    }
});
