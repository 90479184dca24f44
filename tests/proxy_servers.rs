//! The three server machines behind a load balancer: with `proxy_protocol`
//! set, each holds its greeting back until the HAProxy PROXY header
//! (proxy-protocol.txt, versions 1 and 2) has arrived, reports it, then
//! greets and reads its own protocol from the byte after the header.
//!
//! The headers are hand-written from the specification's text: "the
//! receiver must ... abort the connection" on anything that does not match
//! the protocol, and "The receiver MUST be configured to only receive the
//! protocol described in this specification and MUST NOT try to guess
//! whether the protocol header is present or not."

use core::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use mailwire::error::PeerMisbehaved;
use mailwire::wire::proxy::{Command, ProxyError, ProxyInfo, ProxyProtocol, Version, tlv};
use mailwire::{Error, imap, pop3, smtp};

/// §2.1: "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"
const V1: &[u8] = b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";

fn addr(a: [u8; 4], port: u16) -> Option<SocketAddr> {
    Some(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(a), port)))
}

/// §2.2: the 12-byte signature "\x0D \x0A \x0D \x0A \x00 \x0D \x0A \x51 \x55
/// \x49 \x54 \x0A"; "\x21" (version 2, PROXY), "\x11" (TCP over IPv4), the
/// length, then "src_addr(4) dst_addr(4) src_port(2) dst_port(2)" and TLVs.
fn v2(command: u8, tlvs: &[u8]) -> Vec<u8> {
    let mut h = b"\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A".to_vec();
    h.push(0x20 | command);
    h.push(0x11);
    h.extend_from_slice(&(12 + tlvs.len() as u16).to_be_bytes());
    h.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 7]);
    h.extend_from_slice(&40000u16.to_be_bytes());
    h.extend_from_slice(&110u16.to_be_bytes());
    h.extend_from_slice(tlvs);
    h
}

fn drain(out: impl FnMut() -> Option<bytes::Bytes>) -> Vec<u8> {
    std::iter::from_fn(out).flatten().collect()
}

fn proxy_error(reason: ProxyError) -> Error {
    Error::Protocol(PeerMisbehaved::ProxyHeader { reason })
}

// ---- POP3 ----

fn pop3_server(mode: ProxyProtocol) -> pop3::Server {
    pop3::Server::new(pop3::ServerConfig::default().proxy_protocol(mode))
}

/// Feeds `input` and polls: the PROXY event (if any) and what was sent.
fn pop3_run(s: &mut pop3::Server, input: &[u8]) -> (Result<Option<ProxyInfo>, Error>, Vec<u8>) {
    s.handle_input(input);
    let mut proxied = None;
    loop {
        match s.poll_event() {
            Ok(Some(pop3::ServerEvent::Proxied(p))) => proxied = Some(p),
            Ok(Some(other)) => panic!("{other:?}"),
            Ok(None) => break,
            Err(e) => return (Err(e), drain(|| s.poll_transmit())),
        }
    }
    (Ok(proxied), drain(|| s.poll_transmit()))
}

#[test]
fn pop3_v1_header_then_command() {
    let mut s = pop3_server(ProxyProtocol::V1);
    // nothing before the header: the greeting is held back
    assert_eq!(s.poll_transmit(), None);
    let mut input = V1.to_vec();
    input.extend_from_slice(b"CAPA\r\n");
    let (p, out) = pop3_run(&mut s, &input);
    let p = p.unwrap().expect("a Proxied event");
    assert_eq!((p.version, p.command), (Version::V1, Command::Proxy));
    assert_eq!(p.source, addr([192, 168, 0, 1], 56324));
    assert_eq!(p.destination, addr([192, 168, 0, 11], 443));
    assert_eq!(p.as_bytes(), V1);
    assert_eq!(s.proxied(), Some(&p));
    // the greeting first, then the answer to the pipelined CAPA
    assert!(out.starts_with(b"+OK POP3 server ready\r\n+OK"), "{out:?}");
    assert!(out.ends_with(b"\r\n.\r\n"));
}

#[test]
fn pop3_v2_header_with_tlvs() {
    // TLV: "type(1) length_hi(1) length_lo(1) value(length)"; PP2_TYPE_AUTHORITY
    let header = v2(1, b"\x02\x00\x0bexample.com");
    let mut s = pop3_server(ProxyProtocol::V2);
    let mut input = header.clone();
    input.extend_from_slice(b"NOOP\r\n");
    let (p, out) = pop3_run(&mut s, &input);
    let p = p.unwrap().unwrap();
    assert_eq!(p.version, Version::V2);
    assert_eq!(p.source, addr([192, 0, 2, 1], 40000));
    let tlvs: Vec<_> = p.tlvs().map(Result::unwrap).collect();
    assert_eq!(tlvs.len(), 1);
    assert_eq!(
        (tlvs[0].kind, tlvs[0].value),
        (tlv::AUTHORITY, &b"example.com"[..])
    );
    // NOOP before login is refused by POP3 itself: the header did not leak
    // into the command stream
    assert_eq!(
        out,
        b"+OK POP3 server ready\r\n-ERR not allowed before login\r\n"
    );
}

/// "LOCAL: the connection was established on purpose by the proxy without
/// being relayed ... the receiver must accept this connection as valid and
/// must use the real connection endpoints".
#[test]
fn pop3_v2_local_has_no_addresses() {
    let mut s = pop3_server(ProxyProtocol::Any);
    let (p, out) = pop3_run(&mut s, &v2(0, b""));
    let p = p.unwrap().unwrap();
    assert_eq!(p.command, Command::Local);
    assert_eq!((p.source, p.destination), (None, None));
    assert_eq!(out, b"+OK POP3 server ready\r\n");
}

/// "PROXY UNKNOWN": "the receiver must ignore anything presented before the
/// CRLF is found" and use the real connection's addresses.
#[test]
fn pop3_v1_unknown() {
    let mut s = pop3_server(ProxyProtocol::Any);
    let (p, _) = pop3_run(&mut s, b"PROXY UNKNOWN\r\n");
    let p = p.unwrap().unwrap();
    assert_eq!((p.command, p.source), (Command::Proxy, None));
}

#[test]
fn pop3_every_prefix_waits_silently() {
    for header in [V1.to_vec(), v2(1, b"\x04\x00\x01x")] {
        for cut in 0..header.len() {
            let mut s = pop3_server(ProxyProtocol::Any);
            let (p, out) = pop3_run(&mut s, &header[..cut]);
            assert_eq!(p.unwrap(), None, "cut {cut}");
            assert!(out.is_empty(), "cut {cut}: {out:?}");
            assert!(!s.is_closed());
            // the rest, then a command
            let mut rest = header[cut..].to_vec();
            rest.extend_from_slice(b"QUIT\r\n");
            let (p, out) = pop3_run(&mut s, &rest);
            assert!(p.unwrap().is_some(), "cut {cut}");
            assert_eq!(out, b"+OK POP3 server ready\r\n+OK bye\r\n");
        }
    }
}

#[test]
fn pop3_bad_headers_close_without_greeting() {
    let mut oversized = b"PROXY TCP4 ".to_vec();
    oversized.resize(200, b'1');
    let mut long_v2 = v2(1, b"");
    long_v2[14..16].copy_from_slice(&0xffffu16.to_be_bytes());
    let cases: Vec<(ProxyProtocol, Vec<u8>, ProxyError)> = vec![
        // a client that speaks POP3 straight away
        (
            ProxyProtocol::Any,
            b"USER a\r\n".to_vec(),
            ProxyError::NotProxy,
        ),
        // a wrong signature (one byte off)
        (
            ProxyProtocol::Any,
            {
                let mut h = v2(1, b"");
                h[7] = b'q';
                h
            },
            ProxyError::NotProxy,
        ),
        // "a 108-byte buffer" is enough for any v1 line: no CRLF within it
        (ProxyProtocol::Any, oversized, ProxyError::TooLong),
        // the version the listener does not take
        (
            ProxyProtocol::V2,
            V1.to_vec(),
            ProxyError::VersionNotAccepted,
        ),
        (
            ProxyProtocol::V1,
            v2(1, b""),
            ProxyError::VersionNotAccepted,
        ),
        // "\x3" version nibble, an unknown command nibble
        (
            ProxyProtocol::Any,
            {
                let mut h = v2(1, b"");
                h[12] = 0x31;
                h
            },
            ProxyError::BadVersion,
        ),
        (
            ProxyProtocol::Any,
            {
                let mut h = v2(1, b"");
                h[12] = 0x22;
                h
            },
            ProxyError::BadCommand,
        ),
        // "TCP5"
        (
            ProxyProtocol::Any,
            b"PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n".to_vec(),
            ProxyError::BadFamily,
        ),
    ];
    for (mode, input, reason) in cases {
        let mut s = pop3_server(mode);
        let (r, out) = pop3_run(&mut s, &input);
        assert_eq!(r, Err(proxy_error(reason)), "{input:?}");
        assert!(out.is_empty(), "{input:?}: greeted {out:?}");
        assert!(s.is_closed());
        // sticky
        assert_eq!(s.poll_event().err(), Some(proxy_error(reason)));
    }
    // a v2 header announcing 65535 bytes: waits for them (bounded by the
    // 16-bit length), never greets, and an EOF ends it
    let mut s = pop3_server(ProxyProtocol::Any);
    let (r, out) = pop3_run(&mut s, &long_v2);
    assert_eq!((r, out), (Ok(None), Vec::new()));
    s.handle_eof();
    assert_eq!(
        s.poll_event().err(),
        Some(proxy_error(ProxyError::EndOfInput))
    );
}

#[test]
fn pop3_off_greets_at_once_and_reads_proxy_as_a_command() {
    // "MUST NOT try to guess whether the protocol header is present": with
    // Off the line is an unknown POP3 command
    let mut s = pop3_server(ProxyProtocol::Off);
    let (p, out) = pop3_run(&mut s, V1);
    assert_eq!(p.unwrap(), None);
    assert_eq!(out, b"+OK POP3 server ready\r\n-ERR unknown command\r\n");
    assert_eq!(s.proxied(), None);
}

// ---- SMTP ----

#[test]
fn smtp_v1_header_then_ehlo() {
    let config = smtp::ServerConfig::new("mx.example.org").proxy_protocol(ProxyProtocol::Any);
    let mut s = smtp::Server::new(config);
    assert_eq!(s.poll_transmit(), None);
    for (i, b) in V1.iter().enumerate() {
        s.handle_input(&[*b]);
        if i + 1 < V1.len() {
            assert!(s.poll_event().unwrap().is_none());
            assert_eq!(s.poll_transmit(), None);
        }
    }
    s.handle_input(b"EHLO client.example\r\n");
    let Some(smtp::ServerEvent::Proxied(p)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(p.source, addr([192, 168, 0, 1], 56324));
    assert!(matches!(
        s.poll_event().unwrap(),
        Some(smtp::ServerEvent::Hello { .. })
    ));
    let out = drain(|| s.poll_transmit());
    assert!(out.starts_with(b"220 mx.example.org "), "{out:?}");
    assert!(out.windows(4).any(|w| w == b"250-"), "{out:?}");
    assert_eq!(s.proxied().map(|p| p.source), Some(p.source));
}

#[test]
fn smtp_bad_header_is_fatal() {
    let config = smtp::ServerConfig::new("mx.example.org").proxy_protocol(ProxyProtocol::V2);
    let mut s = smtp::Server::new(config);
    s.handle_input(b"EHLO client.example\r\n");
    assert_eq!(
        s.poll_event().err(),
        Some(proxy_error(ProxyError::NotProxy))
    );
    assert!(s.is_closed());
    assert_eq!(s.poll_transmit(), None);
    assert_eq!(
        s.poll_event().err(),
        Some(proxy_error(ProxyError::NotProxy))
    );
}

// ---- IMAP ----

#[test]
fn imap_v2_header_then_capability() {
    let config = imap::ServerConfig::default().proxy_protocol(ProxyProtocol::V2);
    let mut s = imap::Server::new(config);
    assert_eq!(s.poll_transmit(), None);
    let mut input = v2(1, b"");
    input.extend_from_slice(b"a1 CAPABILITY\r\n");
    s.handle_input(&input);
    let Some(imap::ServerEvent::Proxied(p)) = s.poll_event().unwrap() else {
        panic!()
    };
    assert_eq!(p.destination, addr([198, 51, 100, 7], 110));
    while s.poll_event().unwrap().is_some() {}
    let out = drain(|| s.poll_transmit());
    assert!(out.starts_with(b"* OK [CAPABILITY "), "{out:?}");
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("\r\n* CAPABILITY ") && text.contains("\r\na1 OK "),
        "{text}"
    );
}

#[test]
fn imap_truncated_then_eof() {
    let config = imap::ServerConfig::default().proxy_protocol(ProxyProtocol::V1);
    let mut s = imap::Server::new(config);
    s.handle_input(&V1[..20]);
    assert!(s.poll_event().unwrap().is_none());
    s.handle_eof();
    assert_eq!(
        s.poll_event().err(),
        Some(proxy_error(ProxyError::EndOfInput))
    );
    assert_eq!(s.poll_transmit(), None);
}

/// The held greeting and the header are counted; with the option off the
/// gate costs one pointer.
#[test]
fn memory_usage_counts_the_gate() {
    let off = pop3_server(ProxyProtocol::Off).memory_usage();
    let mut on = pop3_server(ProxyProtocol::V1);
    assert!(on.memory_usage() > off);
    assert!(pop3_run(&mut on, V1).0.unwrap().is_some());
    assert!(on.proxied().is_some());
    assert!(on.memory_usage() > off);
    for (with, without) in [
        (
            smtp::Server::new(smtp::ServerConfig::new("mx").proxy_protocol(ProxyProtocol::V1))
                .memory_usage(),
            smtp::Server::new(smtp::ServerConfig::new("mx")).memory_usage(),
        ),
        (
            imap::Server::new(imap::ServerConfig::default().proxy_protocol(ProxyProtocol::V1))
                .memory_usage(),
            imap::Server::new(imap::ServerConfig::default()).memory_usage(),
        ),
    ] {
        assert!(with > without, "{with} {without}");
    }
}
