//! The PROXY protocol parser against the text of HAProxy's specification
//! (proxy-protocol.txt, versions 1 and 2), with truncated, oversized and
//! hostile headers.

use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use mailwire::wire::proxy::{
    Addresses, Command, Family, ProxyError, ProxyHeader, Transport, V1_MAX_LEN, V2_SIGNATURE,
    Version, emit, emit_tlv, parse, parse_with_limit, tlv,
};
use mailwire::{Needed, Status};

fn complete(input: &[u8]) -> (ProxyHeader<'_>, usize) {
    match parse(input) {
        Ok(Status::Complete(h, n)) => (h, n),
        other => panic!("{input:?}: {other:?}"),
    }
}

fn v4(a: [u8; 4], port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::from(a), port)
}

/// §2.1: "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n" (the example of
/// a relayed HTTPS connection); the rest of the stream follows the CRLF.
#[test]
fn v1_tcp4_example() {
    let input = b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n";
    let (h, n) = complete(input);
    assert_eq!(&input[n..], b"GET / HTTP/1.1\r\n");
    assert_eq!(h.version, Version::V1);
    assert_eq!(h.command, Command::Proxy);
    assert_eq!(h.transport, Transport::Stream);
    assert_eq!(h.family(), Family::Inet);
    assert_eq!(
        h.addresses,
        Addresses::Inet {
            source: v4([192, 168, 0, 1], 56324),
            destination: v4([192, 168, 0, 11], 443),
        }
    );
    assert_eq!(h.tlvs().count(), 0);
}

/// §2.1, the longest lines a receiver must support:
/// "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n" => 56 chars
/// "PROXY TCP6 ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n" => 104 chars
/// "PROXY UNKNOWN\r\n" => 15 chars
/// "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n" => 107 chars
#[test]
fn v1_longest_lines() {
    let tcp4 = b"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
    assert_eq!(tcp4.len(), 56);
    assert_eq!(complete(tcp4).1, 56);
    let full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    let tcp6 = format!("PROXY TCP6 {full} {full} 65535 65535\r\n");
    assert_eq!(tcp6.len(), 104);
    let (h, n) = complete(tcp6.as_bytes());
    assert_eq!(n, 104);
    let ip = Ipv6Addr::from([0xffff; 8]);
    assert_eq!(
        h.addresses,
        Addresses::Inet6 {
            source: SocketAddrV6::new(ip, 65535, 0, 0),
            destination: SocketAddrV6::new(ip, 65535, 0, 0),
        }
    );
    let (h, n) = complete(b"PROXY UNKNOWN\r\n");
    assert_eq!(
        (h.addresses, h.transport, n),
        (Addresses::Unspec, Transport::Unspec, 15)
    );
    // "the receiver must ignore anything presented before the CRLF is found"
    let worst = format!("PROXY UNKNOWN {full} {full} 65535 65535\r\n");
    assert_eq!(worst.len(), V1_MAX_LEN);
    let (h, n) = complete(worst.as_bytes());
    assert_eq!((h.addresses, n), (Addresses::Unspec, 107));
    // short IPv6 forms
    let (h, _) = complete(b"PROXY TCP6 ::1 2001:db8::2 0 25\r\n");
    assert_eq!(
        h.addresses,
        Addresses::Inet6 {
            source: SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0),
            destination: SocketAddrV6::new("2001:db8::2".parse().unwrap(), 25, 0, 0),
        }
    );
}

/// "If the CRLF sequence is not found in the first 107 characters, the
/// receiver should declare the line invalid."
#[test]
fn v1_oversized() {
    let mut line = b"PROXY UNKNOWN ".to_vec();
    line.resize(V1_MAX_LEN, b'x');
    assert_eq!(parse(&line), Err(ProxyError::TooLong));
    line.extend_from_slice(b"\r\n");
    assert_eq!(parse(&line), Err(ProxyError::TooLong));
    // 105 bytes + CRLF is fine, 106 + CRLF is not
    let mut ok = b"PROXY UNKNOWN ".to_vec();
    ok.resize(V1_MAX_LEN - 2, b'x');
    ok.extend_from_slice(b"\r\n");
    assert_eq!(complete(&ok).1, V1_MAX_LEN);
    let mut long = b"PROXY UNKNOWN ".to_vec();
    long.resize(V1_MAX_LEN - 1, b'x');
    long.extend_from_slice(b"\r\n");
    assert_eq!(parse(&long), Err(ProxyError::TooLong));
}

/// "The receiver must not tolerate a single CR or LF character to end the
/// line when a complete CRLF sequence is expected."
#[test]
fn v1_without_crlf() {
    for bad in [
        &b"PROXY UNKNOWN\n"[..],
        b"PROXY UNKNOWN\rX",
        b"PROXY UNKNOWN\r\r\n",
        b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
        b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
        b"PROXY \n",
    ] {
        assert_eq!(parse(bad), Err(ProxyError::Malformed), "{bad:?}");
    }
}

/// Addresses: "exactly 4 integers in the range [0..255] ... Heading zeroes are
/// not permitted"; ports: "a decimal integer in the range [0..65535]
/// inclusive. Heading zeroes are not permitted"; fields separated by
/// "exactly one space".
#[test]
fn v1_addresses_out_of_range() {
    let cases: &[(&[u8], ProxyError)] = &[
        (
            b"PROXY TCP4 256.0.0.1 1.2.3.4 1 2\r\n",
            ProxyError::BadAddress,
        ),
        (b"PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n", ProxyError::BadAddress),
        (
            b"PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n",
            ProxyError::BadAddress,
        ),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n",
            ProxyError::BadAddress,
        ),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 1 0443\r\n",
            ProxyError::BadAddress,
        ),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n",
            ProxyError::BadAddress,
        ),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 +1 2\r\n",
            ProxyError::BadAddress,
        ),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 999999 2\r\n",
            ProxyError::BadAddress,
        ),
        (b"PROXY TCP4 ::1 1.2.3.4 1 2\r\n", ProxyError::BadAddress),
        (b"PROXY TCP6 1.2.3.4 ::1 1 2\r\n", ProxyError::BadAddress),
        (b"PROXY TCP6 ::1::2 ::1 1 2\r\n", ProxyError::BadAddress),
        (b"PROXY TCP6 \xff ::1 1 2\r\n", ProxyError::BadAddress),
        (
            b"PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n",
            ProxyError::Malformed,
        ),
        (b"PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", ProxyError::Malformed),
        (
            b"PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n",
            ProxyError::Malformed,
        ),
        (b"PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n", ProxyError::BadFamily),
        (b"PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n", ProxyError::BadFamily),
        (b"PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n", ProxyError::BadFamily),
        (b"PROXY UNKNOWNX\r\n", ProxyError::BadFamily),
        (b"PROXY \r\n", ProxyError::BadFamily),
    ];
    for (input, err) in cases {
        assert_eq!(
            parse(input),
            Err(*err),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    let (h, _) = complete(b"PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n");
    assert_eq!(
        h.addresses,
        Addresses::Inet {
            source: v4([0, 0, 0, 0], 0),
            destination: v4([255; 4], 65535)
        }
    );
}

/// §2.2: "The binary header format starts with a constant 12 bytes block
/// containing the protocol signature : \x0D \x0A \x0D \x0A \x00 \x0D \x0A \x51
/// \x55 \x49 \x54 \x0A", then version/command, family/transport, a 16-bit
/// big-endian length and the addresses: for TCP over IPv4 "src_addr(4)
/// dst_addr(4) src_port(2) dst_port(2)" (len = 12).
fn v2_tcp4(tlvs: &[u8]) -> Vec<u8> {
    let mut h = b"\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A".to_vec();
    assert_eq!(h, V2_SIGNATURE);
    h.push(0x21); // version 2, PROXY
    h.push(0x11); // AF_INET, STREAM
    h.extend_from_slice(&(12 + tlvs.len() as u16).to_be_bytes());
    h.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 7]);
    h.extend_from_slice(&40000u16.to_be_bytes());
    h.extend_from_slice(&587u16.to_be_bytes());
    h.extend_from_slice(tlvs);
    h
}

#[test]
fn v2_tcp4_with_tlvs() {
    // TLV: type(1) length_hi(1) length_lo(1) value(length)
    let tlvs = b"\x01\x00\x02h2\x02\x00\x0bexample.com\x04\x00\x00";
    let mut input = v2_tcp4(tlvs);
    input.extend_from_slice(b"EHLO x\r\n");
    let (h, n) = complete(&input);
    assert_eq!(&input[n..], b"EHLO x\r\n");
    assert_eq!(n, 16 + 12 + tlvs.len());
    assert_eq!(
        (h.version, h.command, h.transport),
        (Version::V2, Command::Proxy, Transport::Stream)
    );
    assert_eq!(
        h.addresses,
        Addresses::Inet {
            source: v4([192, 0, 2, 1], 40000),
            destination: v4([198, 51, 100, 7], 587),
        }
    );
    let tlvs: Vec<_> = h.tlvs().map(Result::unwrap).collect();
    assert_eq!(tlvs.len(), 3);
    assert_eq!((tlvs[0].kind, tlvs[0].value), (tlv::ALPN, &b"h2"[..]));
    assert_eq!(
        (tlvs[1].kind, tlvs[1].value),
        (tlv::AUTHORITY, &b"example.com"[..])
    );
    assert_eq!((tlvs[2].kind, tlvs[2].value), (tlv::NOOP, &b""[..]));
    // a TLV running past the header: one error, then the end
    let input = v2_tcp4(b"\x01\x00\x05h2");
    let (h, _) = complete(&input);
    let mut it = h.tlvs();
    assert_eq!(it.next(), Some(Err(ProxyError::BadTlv)));
    assert_eq!(it.next(), None);
    let input = v2_tcp4(b"\x01\x00");
    assert_eq!(
        complete(&input).0.tlvs().next(),
        Some(Err(ProxyError::BadTlv))
    );
}

/// "for TCP/UDP over IPv6 ... src_addr(16) dst_addr(16) src_port(2)
/// dst_port(2)" (len = 36); "for AF_UNIX sockets ... src_addr(108)
/// dst_addr(108)" (len = 216).
#[test]
fn v2_inet6_and_unix() {
    let mut h = V2_SIGNATURE.to_vec();
    h.extend_from_slice(&[0x21, 0x22, 0, 36]); // PROXY, AF_INET6 DGRAM
    h.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
    h.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
    h.extend_from_slice(&[0, 1, 0xff, 0xff]);
    let (p, n) = complete(&h);
    assert_eq!(n, 52);
    assert_eq!(p.transport, Transport::Datagram);
    assert_eq!(
        p.addresses,
        Addresses::Inet6 {
            source: SocketAddrV6::new(Ipv6Addr::LOCALHOST, 1, 0, 0),
            destination: SocketAddrV6::new("2001:db8::1".parse().unwrap(), 65535, 0, 0),
        }
    );
    let mut h = V2_SIGNATURE.to_vec();
    h.extend_from_slice(&[0x21, 0x31, 0, 216]); // PROXY, AF_UNIX STREAM
    let mut src = b"/run/client.sock".to_vec();
    src.resize(108, 0);
    let dst = vec![b'd'; 108]; // a full path has no NUL
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let (p, n) = complete(&h);
    assert_eq!(n, 232);
    assert_eq!(
        p.addresses,
        Addresses::Unix {
            source: b"/run/client.sock",
            destination: &dst
        }
    );
}

/// "\x0 : LOCAL : ... the receiver must accept this connection as valid and
/// must use the real connection endpoints and discard the protocol block
/// including the family which is ignored." AF_UNSPEC: "the receiver is free to
/// accept the connection anyway and use the real endpoint addresses".
#[test]
fn v2_local_and_unspec() {
    let mut h = V2_SIGNATURE.to_vec();
    h.extend_from_slice(&[0x20, 0x00, 0, 0]);
    let (p, n) = complete(&h);
    assert_eq!(
        (p.command, p.addresses, n),
        (Command::Local, Addresses::Unspec, 16)
    );
    // LOCAL with an INET family but no addresses: accepted, addresses ignored
    let mut h = V2_SIGNATURE.to_vec();
    h.extend_from_slice(&[0x20, 0x11, 0, 3, 1, 2, 3]);
    let (p, n) = complete(&h);
    assert_eq!(
        (p.command, p.addresses, n),
        (Command::Local, Addresses::Unspec, 19)
    );
    // PROXY over AF_UNSPEC: no addresses, the rest is TLVs
    let mut h = V2_SIGNATURE.to_vec();
    h.extend_from_slice(&[0x21, 0x00, 0, 4, 0x04, 0, 1, 0]);
    let (p, _) = complete(&h);
    assert_eq!(p.addresses, Addresses::Unspec);
    assert_eq!(
        p.tlvs().next(),
        Some(Ok(mailwire::wire::proxy::Tlv {
            kind: 4,
            value: &[0]
        }))
    );
}

/// "The highest four bits contains the version. ... it must always be \x2 and
/// the receiver must only accept this value"; "Other values are unassigned
/// and must not be emitted by senders. Receivers must drop connections
/// presenting unexpected values here"; families 0..=3 and transports 0..=2
/// only.
#[test]
fn v2_bad_version_command_family() {
    let with = |ver_cmd: u8, fam: u8, len: u16| {
        let mut h = V2_SIGNATURE.to_vec();
        h.extend_from_slice(&[ver_cmd, fam]);
        h.extend_from_slice(&len.to_be_bytes());
        h.resize(16 + usize::from(len), 0);
        h
    };
    assert_eq!(parse(&with(0x11, 0x11, 12)), Err(ProxyError::BadVersion));
    assert_eq!(parse(&with(0x31, 0x11, 12)), Err(ProxyError::BadVersion));
    assert_eq!(parse(&with(0x22, 0x11, 12)), Err(ProxyError::BadCommand));
    assert_eq!(parse(&with(0x2f, 0x11, 12)), Err(ProxyError::BadCommand));
    assert_eq!(parse(&with(0x21, 0x41, 12)), Err(ProxyError::BadFamily));
    assert_eq!(parse(&with(0x21, 0x13, 12)), Err(ProxyError::BadFamily));
    // the length must cover the family's addresses
    assert_eq!(parse(&with(0x21, 0x11, 11)), Err(ProxyError::Truncated));
    assert_eq!(parse(&with(0x21, 0x21, 35)), Err(ProxyError::Truncated));
    assert_eq!(parse(&with(0x21, 0x31, 215)), Err(ProxyError::Truncated));
    // the version byte is checked as soon as it arrives
    assert_eq!(
        parse(&with(0x11, 0x11, 12)[..13]),
        Err(ProxyError::BadVersion)
    );
}

#[test]
fn wrong_signature() {
    for bad in [
        &b"EHLO client.example\r\n"[..],
        b"GET / HTTP/1.1\r\n",
        b"proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n",
        b"PROXY\tTCP4 1.2.3.4 1.2.3.4 1 2\r\n",
        b"PROXYTCP4",
        b"\r\n\r\n\0\r\nQUIT\r",
        b"\r\n\r\n\x01",
        b"\r\nQUIT\n",
        b"\x16\x03\x01", // a TLS ClientHello
    ] {
        assert_eq!(parse(bad), Err(ProxyError::NotProxy), "{bad:?}");
    }
}

#[test]
fn v2_oversized() {
    let h = v2_tcp4(&[0; 100]);
    assert_eq!(complete(&h).1, 128);
    assert_eq!(parse_with_limit(&h, 127), Err(ProxyError::TooLong));
    // refused as soon as the length field is in, before the body
    assert_eq!(parse_with_limit(&h[..16], 127), Err(ProxyError::TooLong));
    assert!(matches!(
        parse_with_limit(&h, 128),
        Ok(Status::Complete(_, 128))
    ));
    // the largest header the length field allows
    let mut max = V2_SIGNATURE.to_vec();
    max.extend_from_slice(&[0x21, 0x00, 0xff, 0xff]);
    assert_eq!(parse(&max), Ok(Status::Incomplete(Needed::Bytes(65535))));
    max.resize(16 + 65535, 0);
    assert!(matches!(parse(&max), Ok(Status::Complete(_, 65551))));
}

/// Every proper prefix of a valid header is incomplete, never an error.
#[test]
fn truncated_at_every_byte() {
    let full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    let headers: Vec<Vec<u8>> = vec![
        b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".to_vec(),
        format!("PROXY TCP6 {full} ::1 65535 1\r\n").into_bytes(),
        b"PROXY UNKNOWN\r\n".to_vec(),
        format!("PROXY UNKNOWN {full} {full} 65535 65535\r\n").into_bytes(),
        v2_tcp4(b""),
        v2_tcp4(b"\x01\x00\x02h2"),
    ];
    for h in &headers {
        for cut in 0..h.len() {
            match parse(&h[..cut]) {
                Ok(Status::Incomplete(need)) => {
                    if let Needed::Bytes(n) = need {
                        assert!(cut + n <= h.len(), "{cut} {n}");
                    }
                }
                other => panic!("{:?} cut at {cut}: {other:?}", String::from_utf8_lossy(h)),
            }
        }
        assert_eq!(complete(h).1, h.len());
    }
}

#[test]
fn emit_round_trip() {
    let headers = [
        ProxyHeader {
            version: Version::V1,
            ..ProxyHeader::new(Addresses::Inet {
                source: v4([192, 168, 0, 1], 56324),
                destination: v4([192, 168, 0, 11], 443),
            })
        },
        ProxyHeader {
            version: Version::V1,
            ..ProxyHeader::new(Addresses::Unspec)
        },
        ProxyHeader::new(Addresses::Inet6 {
            source: SocketAddrV6::new(Ipv6Addr::LOCALHOST, 1, 0, 0),
            destination: SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 2, 0, 0),
        }),
        ProxyHeader {
            tlv_bytes: b"\x05\x00\x03abc",
            ..ProxyHeader::new(Addresses::Unix {
                source: b"/a",
                destination: b"/b",
            })
        },
        ProxyHeader {
            command: Command::Local,
            ..ProxyHeader::new(Addresses::Unspec)
        },
    ];
    for h in headers {
        let mut out = Vec::new();
        emit(&h, &mut out).unwrap();
        assert_eq!(complete(&out), (h, out.len()));
    }
    // the spec's text, byte for byte
    let mut out = Vec::new();
    emit(&headers[0], &mut out).unwrap();
    assert_eq!(out, b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
    out.clear();
    emit(&headers[1], &mut out).unwrap();
    assert_eq!(out, b"PROXY UNKNOWN\r\n");
    let mut tlvs = Vec::new();
    emit_tlv(tlv::ALPN, b"h2", &mut tlvs).unwrap();
    out.clear();
    emit(
        &ProxyHeader {
            tlv_bytes: &tlvs,
            ..ProxyHeader::new(Addresses::Inet {
                source: v4([192, 0, 2, 1], 40000),
                destination: v4([198, 51, 100, 7], 587),
            })
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(out, v2_tcp4(b"\x01\x00\x02h2"));
}

#[test]
fn emit_refuses_what_the_version_cannot_carry() {
    let unix = ProxyHeader::new(Addresses::Unix {
        source: b"/a",
        destination: b"/b",
    });
    let mut out = Vec::new();
    let v1 = |h: ProxyHeader<'static>| ProxyHeader {
        version: Version::V1,
        ..h
    };
    assert_eq!(emit(&v1(unix), &mut out), Err(ProxyError::Unrepresentable));
    let local = ProxyHeader {
        command: Command::Local,
        ..ProxyHeader::new(Addresses::Unspec)
    };
    assert_eq!(emit(&v1(local), &mut out), Err(ProxyError::Unrepresentable));
    let tlvs = ProxyHeader {
        tlv_bytes: b"\x04\x00\x00",
        ..ProxyHeader::new(Addresses::Unspec)
    };
    assert_eq!(emit(&v1(tlvs), &mut out), Err(ProxyError::Unrepresentable));
    let long = [b'x'; 109];
    let bad_unix = ProxyHeader::new(Addresses::Unix {
        source: &long,
        destination: b"",
    });
    assert_eq!(emit(&bad_unix, &mut out), Err(ProxyError::Unrepresentable));
    let huge = vec![0u8; 65536];
    let too_big = ProxyHeader {
        tlv_bytes: &huge,
        ..ProxyHeader::new(Addresses::Unspec)
    };
    assert_eq!(emit(&too_big, &mut out), Err(ProxyError::Unrepresentable));
    assert_eq!(
        emit_tlv(1, &huge, &mut out),
        Err(ProxyError::Unrepresentable)
    );
    assert!(out.is_empty());
}
