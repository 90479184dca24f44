//! The HAProxy PROXY protocol, versions 1 (text) and 2 (binary): the header a
//! load balancer or TLS terminator sends first on a connection it relays, to
//! tell the server who the client really is.
//!
//! Sans-IO: [`parse`] looks at the first bytes a server received and answers
//! [`Status::Complete`] with the [`ProxyHeader`] and its length,
//! [`Status::Incomplete`] when more bytes are needed, or a [`ProxyError`]
//! (then the connection must be closed: "Any sequence which does not exactly
//! match the protocol must be discarded and cause the receiver to abort the
//! connection"). [`emit`] writes a header, for clients, proxies and tests.
//!
//! Limits, from the specification: a version 1 line is at most 107 bytes
//! with its CRLF; a version 2 header is 16 bytes plus the announced length
//! (at most 65 535), and [`parse_with_limit`] lowers that bound.
//!
//! ## Use with the server machines
//!
//! The SMTP, POP3 and IMAP server machines take the header themselves when
//! their config's `proxy_protocol` is set ([`ProxyProtocol`]): the greeting
//! waits until the header has arrived, `poll_event` reports it as
//! `ServerEvent::Proxied` (a [`ProxyInfo`]), then the machine greets and
//! reads its protocol from the byte after the header. A bad header is a
//! fatal [`PeerMisbehaved::ProxyHeader`](crate::error::PeerMisbehaved::ProxyHeader).
//! The adapter still bounds the wait with its own timeout: a peer that
//! sends nothing never will.
//!
//! ```
//! use mailwire::pop3::{Server, ServerConfig, ServerEvent};
//! use mailwire::wire::proxy::ProxyProtocol;
//!
//! let mut server = Server::new(ServerConfig::default().proxy_protocol(ProxyProtocol::V1));
//! assert!(server.poll_transmit().is_none()); // no greeting yet
//! server.handle_input(b"PROXY TCP4 192.0.2.1 198.51.100.7 40000 110\r\n");
//! let Some(ServerEvent::Proxied(info)) = server.poll_event().unwrap() else { panic!() };
//! assert_eq!(info.source.unwrap().to_string(), "192.0.2.1:40000");
//! assert!(server.poll_transmit().unwrap().starts_with(b"+OK"));
//! ```
//!
//! ## Use in a server driver, without the machines' option
//!
//! Otherwise the adapter reads the header before it creates (or feeds) the
//! server machine, which would otherwise send its greeting at once:
//!
//! 1. accept the connection; do not create the machine yet;
//! 2. read into a buffer and call [`parse`] until it is complete (close the
//!    connection on an error, or when no header came within the adapter's
//!    timeout: the header must arrive first, and a peer that sends nothing
//!    never will);
//! 3. take the client's address from [`ProxyHeader::addresses`] (for
//!    [`Command::Local`] and [`Addresses::Unspec`], the real connection's
//!    own), log it and apply policies with it;
//! 4. create the machine, hand it the bytes after the header
//!    (`&buf[consumed..]`: a client may pipeline) and let it greet.
//!
//! Only accept the header from the trusted proxies' addresses: anyone else
//! could claim any address.
//!
//! ```
//! use mailwire::Status;
//! use mailwire::wire::proxy::{parse, Addresses, Command, Version};
//!
//! let buf = b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nEHLO x\r\n";
//! let Status::Complete(header, consumed) = parse(buf).unwrap() else { panic!() };
//! assert_eq!(header.version, Version::V1);
//! assert_eq!(header.command, Command::Proxy);
//! let Addresses::Inet { source, .. } = header.addresses else { panic!() };
//! assert_eq!(source.to_string(), "192.168.0.1:56324");
//! assert_eq!(&buf[consumed..], b"EHLO x\r\n");
//! ```

use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::{Needed, Status};

/// The version 2 signature: `\r\n\r\n\0\r\nQUIT\n`.
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";

/// The longest version 1 line, CRLF included ("PROXY UNKNOWN" with two
/// full IPv6 addresses and ports).
pub const V1_MAX_LEN: usize = 107;

/// The longest version 2 header: 16 bytes and a 16-bit length.
pub const V2_MAX_LEN: usize = 16 + 65_535;

/// The length of a UNIX address in a version 2 header (`sun_path`).
const UNIX_LEN: usize = 108;

/// Why a PROXY header was refused. The connection must be closed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The bytes start with neither `PROXY ` nor the version 2 signature.
    #[error("not a PROXY protocol header")]
    NotProxy,
    /// A version 1 line without CRLF in its first 107 bytes, or a version 2
    /// header longer than the limit.
    #[error("PROXY header too long")]
    TooLong,
    /// A version 2 header whose version nibble is not 2.
    #[error("unsupported PROXY protocol version")]
    BadVersion,
    /// A version 2 command other than LOCAL and PROXY.
    #[error("unknown PROXY command")]
    BadCommand,
    /// A protocol (v1) or address family / transport (v2) the spec does not define.
    #[error("unknown PROXY address family or protocol")]
    BadFamily,
    /// An address that is not a canonical IPv4/IPv6 address, or a port out
    /// of range or with leading zeros.
    #[error("bad address or port in PROXY header")]
    BadAddress,
    /// A version 2 length too small for the addresses of its family.
    #[error("PROXY v2 length shorter than its addresses")]
    Truncated,
    /// A version 1 line that does not follow the grammar (spacing, a bare
    /// CR or LF, missing fields).
    #[error("malformed PROXY v1 line")]
    Malformed,
    /// A version 2 TLV that runs past the header.
    #[error("malformed PROXY v2 TLV")]
    BadTlv,
    /// [`emit`]: the header cannot be written in its version (UNIX or
    /// LOCAL in version 1, TLVs in version 1, a header over 65 535 bytes).
    #[error("PROXY header cannot be written in this version")]
    Unrepresentable,
    /// A server machine configured for one version ([`ProxyProtocol::V1`] or
    /// [`ProxyProtocol::V2`]) received a header of the other.
    #[error("PROXY header of a version the server does not accept")]
    VersionNotAccepted,
    /// A server machine waiting for its PROXY header saw the connection end
    /// first.
    #[error("connection closed before the PROXY header was complete")]
    EndOfInput,
}

/// The protocol version.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Version {
    /// Human-readable, `PROXY ... \r\n`.
    V1,
    /// Binary, after the 12-byte signature.
    V2,
}

/// What the connection is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Command {
    /// The proxy's own connection (a health check): use the real endpoints.
    Local,
    /// Relayed for a client: the header's addresses are the original ones.
    /// (Every version 1 header.)
    Proxy,
}

/// The transport protocol of a version 2 header (a version 1 header is TCP
/// or unknown).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Transport {
    /// Unspecified (`UNKNOWN`, `AF_UNSPEC`).
    Unspec,
    /// `SOCK_STREAM` (TCP, or a UNIX stream socket).
    Stream,
    /// `SOCK_DGRAM` (UDP, or a UNIX datagram socket).
    Datagram,
}

/// The address family.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Family {
    /// Unknown or unspecified: use the real connection's addresses.
    Unspec,
    /// IPv4 (`TCP4`, `AF_INET`).
    Inet,
    /// IPv6 (`TCP6`, `AF_INET6`).
    Inet6,
    /// UNIX sockets (version 2 only).
    Unix,
}

/// The original endpoints.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Addresses<'a> {
    /// None given: use the real connection's.
    Unspec,
    /// IPv4 source and destination.
    Inet {
        /// The client.
        source: SocketAddrV4,
        /// The address the client connected to.
        destination: SocketAddrV4,
    },
    /// IPv6 source and destination.
    Inet6 {
        /// The client.
        source: SocketAddrV6,
        /// The address the client connected to.
        destination: SocketAddrV6,
    },
    /// UNIX socket paths, up to their first NUL (at most 108 bytes).
    Unix {
        /// The client's path.
        source: &'a [u8],
        /// The server's path.
        destination: &'a [u8],
    },
}

impl Addresses<'_> {
    /// The family of these addresses.
    pub fn family(&self) -> Family {
        match self {
            Addresses::Unspec => Family::Unspec,
            Addresses::Inet { .. } => Family::Inet,
            Addresses::Inet6 { .. } => Family::Inet6,
            Addresses::Unix { .. } => Family::Unix,
        }
    }
}

/// A parsed PROXY header, borrowing from the input.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ProxyHeader<'a> {
    /// The version it came in (or is to be written in).
    pub version: Version,
    /// LOCAL or PROXY.
    pub command: Command,
    /// The transport (v1: `Stream` for TCP, `Unspec` for UNKNOWN).
    pub transport: Transport,
    /// The original endpoints.
    pub addresses: Addresses<'a>,
    /// The raw TLV bytes after the addresses (version 2; empty in version 1).
    pub tlv_bytes: &'a [u8],
}

impl<'a> ProxyHeader<'a> {
    /// A version 2 `PROXY` header over TCP with these addresses and no TLVs
    /// (or version 1: set [`version`](Self::version)).
    pub fn new(addresses: Addresses<'a>) -> Self {
        ProxyHeader {
            version: Version::V2,
            command: Command::Proxy,
            transport: if addresses == Addresses::Unspec {
                Transport::Unspec
            } else {
                Transport::Stream
            },
            addresses,
            tlv_bytes: &[],
        }
    }

    /// The address family.
    pub fn family(&self) -> Family {
        self.addresses.family()
    }

    /// The TLVs of a version 2 header, parsed lazily.
    pub fn tlvs(&self) -> Tlvs<'a> {
        Tlvs {
            rest: self.tlv_bytes,
        }
    }
}

/// Which PROXY header a server machine expects before its greeting (the
/// `proxy_protocol` field of the SMTP, POP3 and IMAP server configs).
///
/// With anything but [`Off`](Self::Off) the machine holds its greeting back
/// until the header has arrived, reports it as a `Proxied` event (a
/// [`ProxyInfo`]), then greets; a bad header, a header of a version not
/// accepted, or the end of the connection before the header ends the session
/// with [`Error::Protocol`](crate::Error::Protocol)
/// ([`PeerMisbehaved::ProxyHeader`](crate::error::PeerMisbehaved::ProxyHeader)).
/// Enable it only on a listener that only the trusted proxies can reach:
/// anyone else could claim any address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum ProxyProtocol {
    /// No header: the machine greets at once (the default).
    #[default]
    Off,
    /// A version 1 (text) header is required.
    V1,
    /// A version 2 (binary) header is required.
    V2,
    /// A header of either version is required.
    Any,
}

impl ProxyProtocol {
    /// Whether a header of `version` is accepted.
    pub fn accepts(self, version: Version) -> bool {
        matches!(
            (self, version),
            (ProxyProtocol::Any, _)
                | (ProxyProtocol::V1, Version::V1)
                | (ProxyProtocol::V2, Version::V2)
        )
    }
}

/// A PROXY header a server machine received, owned: what its `Proxied`
/// event carries, and what its `proxied()` accessor keeps for the session.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub struct ProxyInfo {
    /// The version it came in.
    pub version: Version,
    /// LOCAL (a health check of the proxy) or PROXY.
    pub command: Command,
    /// The client's address: `None` for LOCAL, for unspecified addresses
    /// (v1 `UNKNOWN`, v2 `AF_UNSPEC`) and for UNIX sockets; then the real
    /// connection's endpoints apply.
    pub source: Option<SocketAddr>,
    /// The address the client connected to, under the same rule.
    pub destination: Option<SocketAddr>,
    /// The header's bytes, for [`header`](Self::header).
    raw: Vec<u8>,
}

impl ProxyInfo {
    /// The owned copy of `header`, whose bytes are `raw`.
    pub(crate) fn new(header: &ProxyHeader<'_>, raw: &[u8]) -> ProxyInfo {
        let (source, destination) = match (header.command, header.addresses) {
            (Command::Local, _) => (None, None),
            (
                _,
                Addresses::Inet {
                    source,
                    destination,
                },
            ) => (Some(source.into()), Some(destination.into())),
            (
                _,
                Addresses::Inet6 {
                    source,
                    destination,
                },
            ) => (Some(source.into()), Some(destination.into())),
            _ => (None, None),
        };
        ProxyInfo {
            version: header.version,
            command: header.command,
            source,
            destination,
            raw: raw.to_vec(),
        }
    }

    /// The header as parsed (transport, UNIX paths, TLVs), borrowing from
    /// this copy.
    pub fn header(&self) -> ProxyHeader<'_> {
        match parse(&self.raw) {
            Ok(Status::Complete(h, _)) => h,
            // unreachable: `raw` is a header that parsed
            _ => ProxyHeader::new(Addresses::Unspec),
        }
    }

    /// The TLVs of a version 2 header (none in version 1).
    pub fn tlvs(&self) -> Tlvs<'_> {
        self.header().tlvs()
    }

    /// The header's bytes as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }
}

crate::owned::owned_copy!(ProxyInfo);

/// One type-length-value extension of a version 2 header.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Tlv<'a> {
    /// The type: `0x01` ALPN, `0x02` AUTHORITY, `0x03` CRC32C, `0x04`
    /// NOOP, `0x05` UNIQUE_ID, `0x20` SSL, `0x30` NETNS, ...
    pub kind: u8,
    /// The value.
    pub value: &'a [u8],
}

/// The TLV types the specification names.
pub mod tlv {
    /// Application-Layer Protocol Negotiation.
    pub const ALPN: u8 = 0x01;
    /// The host name the client asked for (SNI).
    pub const AUTHORITY: u8 = 0x02;
    /// A CRC-32C checksum of the header.
    pub const CRC32C: u8 = 0x03;
    /// Padding, to be ignored.
    pub const NOOP: u8 = 0x04;
    /// An opaque connection identifier.
    pub const UNIQUE_ID: u8 = 0x05;
    /// TLS information, with sub-TLVs.
    pub const SSL: u8 = 0x20;
    /// The network namespace.
    pub const NETNS: u8 = 0x30;
}

/// An iterator over the TLVs of a version 2 header: a TLV that runs past the
/// header yields [`ProxyError::BadTlv`] and ends the iteration.
#[derive(Clone, Debug)]
pub struct Tlvs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>, ProxyError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item = match self.rest {
            [kind, hi, lo, rest @ ..] => {
                let len = usize::from(u16::from_be_bytes([*hi, *lo]));
                match rest.get(..len) {
                    Some(value) => {
                        self.rest = &rest[len..];
                        return Some(Ok(Tlv { kind: *kind, value }));
                    }
                    None => ProxyError::BadTlv,
                }
            }
            _ => ProxyError::BadTlv,
        };
        self.rest = &[];
        Some(Err(item))
    }
}

/// Parses a PROXY header (version 1 or 2) at the start of `input`.
pub fn parse(input: &[u8]) -> Result<Status<ProxyHeader<'_>>, ProxyError> {
    parse_with_limit(input, V2_MAX_LEN)
}

/// [`parse`], refusing a version 2 header longer than `max_v2_len` bytes in
/// all ([`ProxyError::TooLong`], as soon as the length field is in).
pub fn parse_with_limit(
    input: &[u8],
    max_v2_len: usize,
) -> Result<Status<ProxyHeader<'_>>, ProxyError> {
    if input.is_empty() {
        return Ok(Status::Incomplete(Needed::Unknown));
    }
    let n = input.len().min(V2_SIGNATURE.len());
    if input[..n] == V2_SIGNATURE[..n] {
        if n < V2_SIGNATURE.len() {
            return Ok(Status::Incomplete(Needed::Bytes(16 - input.len())));
        }
        return parse_v2(input, max_v2_len);
    }
    let n = input.len().min(6);
    if input[..n] == b"PROXY "[..n] {
        if n < 6 {
            return Ok(Status::Incomplete(Needed::Unknown));
        }
        return parse_v1(input);
    }
    Err(ProxyError::NotProxy)
}

// "PROXY" SP ( "TCP4" / "TCP6" ) SP src SP dst SP sport SP dport CRLF
// "PROXY" SP "UNKNOWN" *anything-but-CRLF CRLF
fn parse_v1(input: &[u8]) -> Result<Status<ProxyHeader<'_>>, ProxyError> {
    let window = &input[..input.len().min(V1_MAX_LEN)];
    let Some(lf) = memchr::memchr(b'\n', window) else {
        // a CR can only be the start of the CRLF, at the end of the window
        if let Some(cr) = memchr::memchr(b'\r', window) {
            if cr + 1 != window.len() {
                return Err(ProxyError::Malformed);
            }
        }
        return if input.len() >= V1_MAX_LEN {
            Err(ProxyError::TooLong)
        } else {
            Ok(Status::Incomplete(Needed::Unknown))
        };
    };
    // "The receiver must not tolerate a single CR or LF character to end the line"
    if lf == 0 || window[lf - 1] != b'\r' {
        return Err(ProxyError::Malformed);
    }
    let line = &window[6..lf - 1];
    if line.contains(&b'\r') {
        return Err(ProxyError::Malformed);
    }
    let consumed = lf + 1;
    let unknown = |transport| ProxyHeader {
        version: Version::V1,
        command: Command::Proxy,
        transport,
        addresses: Addresses::Unspec,
        tlv_bytes: &[],
    };
    // "PROXY UNKNOWN": the receiver ignores what follows up to the CRLF
    if line == b"UNKNOWN" || line.starts_with(b"UNKNOWN ") {
        return Ok(Status::Complete(unknown(Transport::Unspec), consumed));
    }
    let mut fields = line.split(|&b| b == b' ');
    let (Some(proto), Some(src), Some(dst), Some(sport), Some(dport), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(
            if line.starts_with(b"TCP4 ") || line.starts_with(b"TCP6 ") {
                ProxyError::Malformed
            } else {
                ProxyError::BadFamily
            },
        );
    };
    let sport = v1_port(sport)?;
    let dport = v1_port(dport)?;
    let text = |b| core::str::from_utf8(b).map_err(|_| ProxyError::BadAddress);
    let addresses = match proto {
        b"TCP4" => Addresses::Inet {
            source: SocketAddrV4::new(
                text(src)?.parse().map_err(|_| ProxyError::BadAddress)?,
                sport,
            ),
            destination: SocketAddrV4::new(
                text(dst)?.parse().map_err(|_| ProxyError::BadAddress)?,
                dport,
            ),
        },
        b"TCP6" => Addresses::Inet6 {
            source: SocketAddrV6::new(
                text(src)?.parse().map_err(|_| ProxyError::BadAddress)?,
                sport,
                0,
                0,
            ),
            destination: SocketAddrV6::new(
                text(dst)?.parse().map_err(|_| ProxyError::BadAddress)?,
                dport,
                0,
                0,
            ),
        },
        _ => return Err(ProxyError::BadFamily),
    };
    Ok(Status::Complete(
        ProxyHeader {
            addresses,
            ..unknown(Transport::Stream)
        },
        consumed,
    ))
}

/// A port: decimal 0..=65535, no leading zeros ("Heading zeroes are not
/// permitted in front of numbers in order to avoid any possible confusion with
/// octal numbers").
fn v1_port(s: &[u8]) -> Result<u16, ProxyError> {
    if s.is_empty()
        || s.len() > 5
        || !s.iter().all(u8::is_ascii_digit)
        || (s[0] == b'0' && s.len() > 1)
    {
        return Err(ProxyError::BadAddress);
    }
    let n = s.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    u16::try_from(n).map_err(|_| ProxyError::BadAddress)
}

fn parse_v2(input: &[u8], max_len: usize) -> Result<Status<ProxyHeader<'_>>, ProxyError> {
    // byte 13: version (high nibble, 2) and command (low nibble)
    if let Some(&ver_cmd) = input.get(12) {
        if ver_cmd >> 4 != 2 {
            return Err(ProxyError::BadVersion);
        }
        if ver_cmd & 0xf > 1 {
            return Err(ProxyError::BadCommand);
        }
    }
    // byte 14: family (high nibble, 0..=3) and transport (low nibble, 0..=2)
    if let Some(&fam) = input.get(13) {
        if fam >> 4 > 3 || fam & 0xf > 2 {
            return Err(ProxyError::BadFamily);
        }
    }
    let [_, _, _, _, _, _, _, _, _, _, _, _, ver_cmd, fam, hi, lo, ..] = *input else {
        return Ok(Status::Incomplete(Needed::Bytes(16 - input.len())));
    };
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    let total = 16 + len;
    if total > max_len {
        return Err(ProxyError::TooLong);
    }
    let Some(body) = input.get(16..total) else {
        return Ok(Status::Incomplete(Needed::Bytes(total - input.len())));
    };
    let command = if ver_cmd & 0xf == 0 {
        Command::Local
    } else {
        Command::Proxy
    };
    let transport = match fam & 0xf {
        0 => Transport::Unspec,
        1 => Transport::Stream,
        _ => Transport::Datagram,
    };
    let need = match fam >> 4 {
        0 => 0,
        1 => 12,
        2 => 36,
        _ => 2 * UNIX_LEN,
    };
    if body.len() < need {
        if command == Command::Local {
            // "the receiver must accept this connection as valid and must use
            // the real connection endpoints and discard the protocol block"
            return Ok(Status::Complete(
                ProxyHeader {
                    version: Version::V2,
                    command,
                    transport,
                    addresses: Addresses::Unspec,
                    tlv_bytes: &[],
                },
                total,
            ));
        }
        return Err(ProxyError::Truncated);
    }
    let (addr, tlv_bytes) = body.split_at(need);
    let port = |b: &[u8]| u16::from_be_bytes([b[0], b[1]]);
    let addresses = match fam >> 4 {
        0 => Addresses::Unspec,
        1 => {
            let ip = |b: &[u8]| Ipv4Addr::new(b[0], b[1], b[2], b[3]);
            Addresses::Inet {
                source: SocketAddrV4::new(ip(&addr[0..4]), port(&addr[8..10])),
                destination: SocketAddrV4::new(ip(&addr[4..8]), port(&addr[10..12])),
            }
        }
        2 => {
            let ip = |b: &[u8]| {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                Ipv6Addr::from(a)
            };
            Addresses::Inet6 {
                source: SocketAddrV6::new(ip(&addr[0..16]), port(&addr[32..34]), 0, 0),
                destination: SocketAddrV6::new(ip(&addr[16..32]), port(&addr[34..36]), 0, 0),
            }
        }
        _ => {
            fn path(b: &[u8]) -> &[u8] {
                let end = memchr::memchr(0, b).unwrap_or(b.len());
                &b[..end]
            }
            let (src, dst) = addr.split_at(UNIX_LEN);
            Addresses::Unix {
                source: path(src),
                destination: path(dst),
            }
        }
    };
    Ok(Status::Complete(
        ProxyHeader {
            version: Version::V2,
            command,
            transport,
            addresses,
            tlv_bytes,
        },
        total,
    ))
}

/// Writes `header` in its version. Version 1 can carry only TCP over IPv4 or
/// IPv6, or `UNKNOWN` (unspecified addresses), with no TLVs and the PROXY
/// command; anything else is [`ProxyError::Unrepresentable`], as is a UNIX
/// path over 108 bytes or a version 2 header over [`V2_MAX_LEN`].
pub fn emit(header: &ProxyHeader<'_>, out: &mut impl bytes::BufMut) -> Result<(), ProxyError> {
    match header.version {
        Version::V1 => emit_v1(header, out),
        Version::V2 => emit_v2(header, out),
    }
}

struct Line<'o, B>(&'o mut B);

impl<B: bytes::BufMut> fmt::Write for Line<'_, B> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.put_slice(s.as_bytes());
        Ok(())
    }
}

fn emit_v1(header: &ProxyHeader<'_>, out: &mut impl bytes::BufMut) -> Result<(), ProxyError> {
    use fmt::Write as _;
    if header.command != Command::Proxy || !header.tlv_bytes.is_empty() {
        return Err(ProxyError::Unrepresentable);
    }
    let mut w = Line(out);
    let r = match header.addresses {
        Addresses::Unspec => w.write_str("PROXY UNKNOWN\r\n"),
        Addresses::Inet {
            source,
            destination,
        } if header.transport == Transport::Stream => write!(
            w,
            "PROXY TCP4 {} {} {} {}\r\n",
            source.ip(),
            destination.ip(),
            source.port(),
            destination.port()
        ),
        Addresses::Inet6 {
            source,
            destination,
        } if header.transport == Transport::Stream => write!(
            w,
            "PROXY TCP6 {} {} {} {}\r\n",
            source.ip(),
            destination.ip(),
            source.port(),
            destination.port()
        ),
        _ => return Err(ProxyError::Unrepresentable),
    };
    r.map_err(|_| ProxyError::Unrepresentable)
}

fn emit_v2(header: &ProxyHeader<'_>, out: &mut impl bytes::BufMut) -> Result<(), ProxyError> {
    let (family, addr_len) = match header.addresses {
        Addresses::Unspec => (0u8, 0usize),
        Addresses::Inet { .. } => (1, 12),
        Addresses::Inet6 { .. } => (2, 36),
        Addresses::Unix {
            source,
            destination,
        } => {
            if source.len() > UNIX_LEN || destination.len() > UNIX_LEN {
                return Err(ProxyError::Unrepresentable);
            }
            (3, 2 * UNIX_LEN)
        }
    };
    let len = u16::try_from(addr_len + header.tlv_bytes.len())
        .map_err(|_| ProxyError::Unrepresentable)?;
    let transport = match header.transport {
        Transport::Unspec => 0u8,
        Transport::Stream => 1,
        Transport::Datagram => 2,
    };
    let command = match header.command {
        Command::Local => 0u8,
        Command::Proxy => 1,
    };
    out.put_slice(&V2_SIGNATURE);
    out.put_u8(0x20 | command);
    out.put_u8(family << 4 | transport);
    out.put_u16(len);
    match header.addresses {
        Addresses::Unspec => {}
        Addresses::Inet {
            source,
            destination,
        } => {
            out.put_slice(&source.ip().octets());
            out.put_slice(&destination.ip().octets());
            out.put_u16(source.port());
            out.put_u16(destination.port());
        }
        Addresses::Inet6 {
            source,
            destination,
        } => {
            out.put_slice(&source.ip().octets());
            out.put_slice(&destination.ip().octets());
            out.put_u16(source.port());
            out.put_u16(destination.port());
        }
        Addresses::Unix {
            source,
            destination,
        } => {
            for path in [source, destination] {
                out.put_slice(path);
                out.put_bytes(0, UNIX_LEN - path.len());
            }
        }
    }
    out.put_slice(header.tlv_bytes);
    Ok(())
}

/// Appends one TLV (`kind`, 16-bit big-endian length, `value`) to `out`, for
/// [`ProxyHeader::tlv_bytes`]. [`ProxyError::Unrepresentable`] for a value
/// over 65 535 bytes.
pub fn emit_tlv(kind: u8, value: &[u8], out: &mut impl bytes::BufMut) -> Result<(), ProxyError> {
    let len = u16::try_from(value.len()).map_err(|_| ProxyError::Unrepresentable)?;
    out.put_u8(kind);
    out.put_u16(len);
    out.put_slice(value);
    Ok(())
}
