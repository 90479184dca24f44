//! COMPRESS=DEFLATE (RFC 4978) on both machines, checked against the RFC's
//! grammar, its result codes and its example, with the peer's side written
//! by hand and the compressed bytes made by an independent DEFLATE
//! implementation (flate2, raw RFC 1951 streams, a sync flush per write).
//!
//! ```text
//! command-auth   =/ compress                      ; RFC 4978 §5
//! compress       = "COMPRESS" SP algorithm
//! capability     =/ "COMPRESS=" algorithm
//! algorithm      = "DEFLATE"
//! resp-text-code =/ "COMPRESSIONACTIVE"
//! ```
//!
//! RFC 4978 §3, the results of COMPRESS:
//!
//! ```text
//! OK  The server will compress its responses and expects the client to
//!     compress its commands.
//! NO  Compression is already active via another layer.
//! BAD Command unknown, invalid or unknown argument, or COMPRESS already
//!     active.
//! ```
//!
//! "If the server issues an OK response, the server MUST compress starting
//! immediately after the CRLF that ends the tagged OK response." "The client
//! MUST NOT send any further commands until it has seen the result of
//! COMPRESS. If the response was OK, the client MUST compress starting with
//! the first command it sends after COMPRESS."

mod common;

use common::imap::server_output;
use std::io::Write;

use flate2::Compression;
use flate2::write::{DeflateDecoder, DeflateEncoder};
use mailwire::Error;
use mailwire::error::ApiMisuse;
use mailwire::imap::server::Greeting;
use mailwire::imap::{
    Client, ClientConfig, Code, CommandBody, Server, ServerConfig, ServerEvent, StatusKind,
};

// ---------------------------------------------------------------- DEFLATE

/// One direction of an RFC 4978 stream: raw DEFLATE, a sync flush per write
/// (RFC 4978 §4), so each write can be inflated as soon as it arrives.
struct Deflater(DeflateEncoder<Vec<u8>>);

impl Deflater {
    fn new() -> Self {
        Deflater(DeflateEncoder::new(Vec::new(), Compression::default()))
    }
    fn write(&mut self, plain: &[u8]) -> Vec<u8> {
        self.0.write_all(plain).unwrap();
        self.0.flush().unwrap(); // Z_SYNC_FLUSH
        std::mem::take(self.0.get_mut())
    }
}

struct Inflater(DeflateDecoder<Vec<u8>>);

impl Inflater {
    fn new() -> Self {
        Inflater(DeflateDecoder::new(Vec::new()))
    }
    fn read(&mut self, compressed: &[u8]) -> Vec<u8> {
        self.0.write_all(compressed).unwrap();
        self.0.flush().unwrap();
        std::mem::take(self.0.get_mut())
    }
}

// ---------------------------------------------------------------- server

/// A server whose client is logged in (PREAUTH), greeting drained.
fn preauth(compress: bool) -> Server {
    let config = ServerConfig::default()
        .greeting(Greeting::PreAuth)
        .compress(compress);
    let mut s = Server::new(config);
    server_output(&mut s);
    s
}

#[test]
fn server_advertises_compress_deflate_only_when_configured() {
    // capability =/ "COMPRESS=" algorithm
    let mut on = Server::new(
        ServerConfig::default()
            .greeting(Greeting::PreAuth)
            .compress(true),
    );
    let greeting = server_output(&mut on);
    assert!(greeting.contains(" COMPRESS=DEFLATE"), "{greeting}");
    assert!(on.capabilities().iter().any(|c| c == "COMPRESS=DEFLATE"));
    let mut off = Server::new(ServerConfig::default().greeting(Greeting::PreAuth));
    assert!(!server_output(&mut off).contains("COMPRESS"));
}

#[test]
fn server_runs_the_rfc4978_example() {
    // RFC 4978 §3:
    //   C: a starttls
    //   S: a OK TLS active
    //   C: b compress deflate
    //   S: b OK DEFLATE active
    let config = ServerConfig::default().tls_available(true).compress(true);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a starttls\r\n");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::StartTls));
    assert!(server_output(&mut s).starts_with("a OK "));
    s.tls_established().unwrap();
    s.handle_input(b"a1 login alice secret\r\n");
    let Some(ServerEvent::Login { .. }) = s.poll_event().unwrap() else {
        panic!("no login")
    };
    s.complete("a1", StatusKind::Ok, None, "done").unwrap();
    server_output(&mut s);

    s.handle_input(b"b compress deflate\r\n");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Compress));
    assert_eq!(server_output(&mut s), "b OK DEFLATE active\r\n");
    assert!(!s.is_compressed());
    assert_eq!(s.compression_established().unwrap(), b"");
    assert!(s.is_compressed());

    // "From this point on, everything is compressed": the adapter inflates
    // what it reads and deflates what it writes; the machine sees plaintext.
    let (mut client_out, mut server_in) = (Deflater::new(), Inflater::new());
    let (mut server_out, mut client_in) = (Deflater::new(), Inflater::new());
    let wire = client_out.write(b"c noop\r\n");
    assert_ne!(wire, b"c noop\r\n");
    s.handle_input(&server_in.read(&wire));
    let Some(ServerEvent::Command(cmd)) = s.poll_event().unwrap() else {
        panic!("no NOOP")
    };
    assert_eq!(cmd.body, CommandBody::Noop);
    s.complete("c", StatusKind::Ok, None, "NOOP completed")
        .unwrap();
    let wire = server_out.write(server_output(&mut s).as_bytes());
    assert_eq!(client_in.read(&wire), b"c OK NOOP completed\r\n");
}

#[test]
fn server_hands_back_bytes_pipelined_after_compress() {
    // A client that did not wait for the OK (against RFC 4978 §3) and
    // compressed its next command: those bytes sit behind the COMPRESS line
    // in the same read. The machine neither runs them nor drops them; the
    // adapter gets them back, inflates them and feeds them in.
    let mut s = preauth(true);
    let mut deflate = Deflater::new();
    let mut read = b"b COMPRESS DEFLATE\r\n".to_vec();
    let early = deflate.write(b"c NOOP\r\n");
    read.extend_from_slice(&early);
    s.handle_input(&read);
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Compress));
    // nothing more is read before DEFLATE is in place
    assert_eq!(s.poll_event().unwrap(), None);
    assert_eq!(server_output(&mut s), "b OK DEFLATE active\r\n");
    // and what arrives in between is kept too
    let later = deflate.write(b"d NOOP\r\n");
    s.handle_input(&later);
    assert_eq!(s.poll_event().unwrap(), None);

    let rest = s.compression_established().unwrap();
    assert_eq!(rest, [early, later].concat());
    s.handle_input(&Inflater::new().read(&rest));
    for tag in ["c", "d"] {
        let Some(ServerEvent::Command(cmd)) = s.poll_event().unwrap() else {
            panic!("no NOOP")
        };
        assert_eq!((cmd.tag.as_str(), &cmd.body), (tag, &CommandBody::Noop));
        s.complete(tag, StatusKind::Ok, None, "done").unwrap();
    }
}

#[test]
fn server_refuses_a_second_compress_with_bad_compressionactive() {
    // "BAD ... or COMPRESS already active" (RFC 4978 §3); the code tells why.
    let mut s = preauth(true);
    s.handle_input(b"b COMPRESS DEFLATE\r\n");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Compress));
    server_output(&mut s);
    s.compression_established().unwrap();
    s.handle_input(b"c COMPRESS DEFLATE\r\n");
    assert_eq!(s.poll_event().unwrap(), None);
    assert_eq!(
        server_output(&mut s),
        "c BAD [COMPRESSIONACTIVE] DEFLATE already active\r\n"
    );
    assert!(s.is_compressed());
    // no second hand-over
    assert!(matches!(
        s.compression_established(),
        Err(Error::Misuse(ApiMisuse::NoCompressionPending))
    ));
}

#[test]
fn server_refuses_an_unknown_mechanism_with_bad_and_stays_plain() {
    // "BAD Command unknown, invalid or unknown argument"; "If the server
    // issues a BAD or NO response, the server MUST NOT turn on compression."
    let mut s = preauth(true);
    s.handle_input(b"b COMPRESS LZW\r\nc NOOP\r\n");
    let Some(ServerEvent::Command(cmd)) = s.poll_event().unwrap() else {
        panic!("the next command must be read in plaintext")
    };
    assert_eq!(cmd.body, CommandBody::Noop);
    assert_eq!(
        server_output(&mut s),
        "b BAD unknown compression mechanism\r\n"
    );
    assert!(!s.is_compressed());
    // a missing or extra argument does not parse: BAD too
    for bad in [&b"d COMPRESS\r\n"[..], b"e COMPRESS DEFLATE X\r\n"] {
        s.complete("c", StatusKind::Ok, None, "done").ok();
        server_output(&mut s);
        s.handle_input(bad);
        assert_eq!(s.poll_event().unwrap(), None);
        assert!(server_output(&mut s).contains(" BAD "));
    }
    assert!(!s.is_compressed());
}

#[test]
fn server_refuses_compress_before_authentication() {
    // command-auth =/ compress: not valid in the not-authenticated state
    let mut s = Server::new(
        ServerConfig::default()
            .compress(true)
            .plaintext_requires_tls(false),
    );
    server_output(&mut s);
    s.handle_input(b"a COMPRESS DEFLATE\r\n");
    assert_eq!(s.poll_event().unwrap(), None);
    assert_eq!(
        server_output(&mut s),
        "a BAD [CLIENTBUG] not authenticated\r\n"
    );
    assert!(!s.is_compressed());
}

#[test]
fn server_answers_compress_only_after_earlier_commands() {
    // The OK must be the last uncompressed line: answers to commands before
    // it must go out first (RFC 4978 §3, "Responses issued by the server
    // before the OK response will, of course, still be uncompressed").
    let mut s = preauth(true);
    s.handle_input(b"a NOOP\r\nb COMPRESS DEFLATE\r\n");
    let Some(ServerEvent::Command(_)) = s.poll_event().unwrap() else {
        panic!("no NOOP")
    };
    assert_eq!(s.poll_event().unwrap(), None, "COMPRESS waits for a");
    assert_eq!(server_output(&mut s), "");
    s.complete("a", StatusKind::Ok, None, "NOOP completed")
        .unwrap();
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Compress));
    assert_eq!(
        server_output(&mut s),
        "a OK NOOP completed\r\nb OK DEFLATE active\r\n"
    );
}

#[test]
fn server_without_the_option_leaves_compress_to_the_application() {
    let mut s = preauth(false);
    s.handle_input(b"b COMPRESS DEFLATE\r\n");
    let Some(ServerEvent::Command(cmd)) = s.poll_event().unwrap() else {
        panic!("the command reaches the application")
    };
    assert!(matches!(cmd.body, CommandBody::Compress(_)));
    assert!(matches!(
        s.compression_established(),
        Err(Error::Misuse(ApiMisuse::NoCompressionPending))
    ));
}

#[test]
fn server_refuses_starttls_once_compressed() {
    // TLS goes under COMPRESS (RFC 4978 §3's order); after UNAUTHENTICATE a
    // client could try STARTTLS over DEFLATE: refused.
    let config = ServerConfig::default()
        .tls_available(true)
        .plaintext_requires_tls(false)
        .unauthenticate(true)
        .compress(true);
    let mut s = Server::new(config);
    server_output(&mut s);
    s.handle_input(b"a LOGIN alice secret\r\n");
    let Some(ServerEvent::Login { .. }) = s.poll_event().unwrap() else {
        panic!("no login")
    };
    s.complete("a", StatusKind::Ok, None, "done").unwrap();
    s.handle_input(b"b COMPRESS DEFLATE\r\n");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Compress));
    s.compression_established().unwrap();
    s.handle_input(b"c UNAUTHENTICATE\r\n");
    assert_eq!(s.poll_event().unwrap(), Some(ServerEvent::Unauthenticated));
    server_output(&mut s);
    s.handle_input(b"d STARTTLS\r\n");
    assert_eq!(s.poll_event().unwrap(), None);
    assert!(server_output(&mut s).starts_with("d BAD "));
    assert!(s.is_compressed());
}

// ---------------------------------------------------------------- client

fn sent(c: &mut Client) -> Vec<u8> {
    let mut v = Vec::new();
    while let Some(b) = c.poll_transmit() {
        v.extend_from_slice(&b);
    }
    v
}

fn drain(c: &mut Client) -> Vec<String> {
    let mut v = Vec::new();
    while let Some(e) = c.poll_event().unwrap() {
        v.push(format!("{e:?}"));
    }
    v
}

fn client() -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    drain(&mut c);
    c
}

#[test]
fn client_against_hand_written_server_bytes() {
    let mut c = client();
    let tag = c.compress().unwrap().as_str().to_owned();
    assert_eq!(
        sent(&mut c),
        format!("{tag} COMPRESS DEFLATE\r\n").as_bytes()
    );
    // the server compresses right after the CRLF of its OK: the first
    // compressed bytes can share a read with it
    let mut server_out = Deflater::new();
    let early = server_out.write(b"* 3 EXISTS\r\n");
    let mut read = format!("{tag} OK DEFLATE active\r\n").into_bytes();
    read.extend_from_slice(&early);
    c.handle_input(&read);
    let events = drain(&mut c);
    assert!(events.last().unwrap().contains("Compress"), "{events:?}");
    assert_eq!(c.compression_established().unwrap(), early);
    assert!(c.is_compressed());
    let mut client_in = Inflater::new();
    c.handle_input(&client_in.read(&early));
    assert!(drain(&mut c).iter().any(|e| e.contains("Exists(3)")));
    // the client's next command: the machine gives plaintext, the adapter
    // deflates it, and a server's inflater reads it back
    let noop = c.noop().unwrap().as_str().to_owned();
    let wire = Deflater::new().write(&sent(&mut c));
    assert_eq!(
        Inflater::new().read(&wire),
        format!("{noop} NOOP\r\n").as_bytes()
    );
    assert!(matches!(
        c.compress(),
        Err(Error::Misuse(ApiMisuse::CompressionActive))
    ));
}

#[test]
fn client_stays_plain_after_no_compressionactive_or_bad() {
    // "If the server response was BAD or NO, the client MUST NOT turn on
    // compression." Dovecot answers a second COMPRESS with
    // `NO [COMPRESSIONACTIVE]`, Cyrus with `BAD [COMPRESSIONACTIVE]`.
    for answer in [
        "NO [COMPRESSIONACTIVE] DEFLATE active via TLS",
        "BAD [COMPRESSIONACTIVE] DEFLATE active via COMPRESS",
        "BAD unknown mechanism",
    ] {
        let mut c = client();
        let tag = c.compress().unwrap().as_str().to_owned();
        sent(&mut c);
        c.handle_input(format!("{tag} {answer}\r\n").as_bytes());
        let events = drain(&mut c);
        assert!(
            !events.iter().any(|e| e == "Compress"),
            "{answer}: {events:?}"
        );
        assert!(!c.is_compressed());
        assert!(matches!(
            c.compression_established(),
            Err(Error::Misuse(ApiMisuse::NoCompressionPending))
        ));
        // the next command goes out plain, at once
        let noop = c.noop().unwrap().as_str().to_owned();
        assert_eq!(sent(&mut c), format!("{noop} NOOP\r\n").as_bytes());
    }
}

#[test]
fn code_compressionactive_round_trips_in_a_status() {
    // resp-text-code =/ "COMPRESSIONACTIVE"
    let line = b"c BAD [COMPRESSIONACTIVE] DEFLATE already active\r\n";
    let r = mailwire::imap::parse_response(line, &mailwire::imap::ParseOptions::STRICT).unwrap();
    let mailwire::imap::Response::Status(st) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(st.code, Some(Code::CompressionActive));
}
