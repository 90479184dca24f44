//! What the three client tools share: the connection options (TLS, trust, timeouts) and the exit codes.
//!
//! ```text
//! --tls                      implicit TLS (SMTPS 465, POP3S 995, IMAPS 993)
//! --starttls                 upgrade with STARTTLS / STLS
//! --cafile FILE              trust the CA certificates in FILE (PEM) instead of the system roots
//! --insecure                 accept any server certificate (test servers only)
//! --connect-timeout SECS     TCP connect and TLS handshake (default 30)
//! --greeting-timeout SECS    wait for the server's greeting (default 30)
//! --command-timeout SECS     wait for an answer to a command (default 300)
//! ```

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls::ClientConfig;

use super::args::Args;
use super::stream::{Stream, host_of};

/// The usage text of the options [`ClientOptions`] reads.
pub(crate) const CLIENT_OPTIONS: &str = "
  --tls                      implicit TLS (SMTPS 465, POP3S 995, IMAPS 993)
  --starttls                 upgrade with STARTTLS (STLS in POP3)
  --cafile FILE              trust the CA certificates in FILE (PEM) instead of the system roots
  --insecure                 accept any server certificate (test servers only)
  --connect-timeout SECS     TCP connect and TLS handshake (default 30)
  --greeting-timeout SECS    wait for the server's greeting (default 30)
  --command-timeout SECS     wait for the answer to a command (default 300)
  --help                     this text
exit status: 0 success; 1 the server refused (a NO, BAD, -ERR or 4xx/5xx answer, failed
  authentication) or another failure; 2 usage error (an unknown --sasl mechanism included);
  3 cannot connect, or the connection broke; 4 timed out (connect, greeting or command);
  5 the server does not offer what was asked (STARTTLS, the SASL mechanism, an extension);
  6 TLS failed (handshake, certificate).";

/// Exit status: the server refused, or another failure.
pub(crate) const EXIT_FAILED: i32 = 1;
/// Exit status: cannot connect, or the connection broke.
pub(crate) const EXIT_CONNECTION: i32 = 3;
/// Exit status: timed out.
pub(crate) const EXIT_TIMEOUT: i32 = 4;
/// Exit status: the server lacks a capability that was asked for.
pub(crate) const EXIT_UNSUPPORTED: i32 = 5;
/// Exit status: TLS failed.
pub(crate) const EXIT_TLS: i32 = 6;

/// The connection options of a client tool.
#[derive(Debug, Clone)]
pub(crate) struct ClientOptions {
    /// `--server HOST:PORT`.
    pub(crate) server: String,
    /// `--tls`.
    pub(crate) tls: bool,
    /// `--starttls`.
    pub(crate) starttls: bool,
    /// `--insecure`.
    pub(crate) insecure: bool,
    /// `--cafile`.
    pub(crate) cafile: Option<PathBuf>,
    /// `--connect-timeout`.
    pub(crate) connect: Duration,
    /// `--greeting-timeout`.
    pub(crate) greeting: Duration,
    /// `--command-timeout` (`--timeout` too, for the POP3 client's old name).
    pub(crate) command: Duration,
}

fn seconds(args: &mut Args, name: &str, default: u64) -> Duration {
    match args.parsed::<f64>(name) {
        None => Duration::from_secs(default),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Duration::from_secs_f64(s),
        Some(_) => args.usage_error(&format!("{name} wants a positive number of seconds")),
    }
}

impl ClientOptions {
    /// Reads `--server` and the options above.
    pub(crate) fn from_args(args: &mut Args) -> ClientOptions {
        let server = args.required("--server");
        let (tls, starttls, insecure) = (
            args.flag("--tls"),
            args.flag("--starttls"),
            args.flag("--insecure"),
        );
        if tls && starttls {
            args.usage_error("--tls and --starttls exclude each other");
        }
        let cafile = args.value("--cafile").map(PathBuf::from);
        if cafile.is_some() && insecure {
            args.usage_error("--cafile and --insecure exclude each other");
        }
        let connect = seconds(args, "--connect-timeout", 30);
        let greeting = seconds(args, "--greeting-timeout", 30);
        let old = args.parsed::<u64>("--timeout").map(Duration::from_secs);
        let command = old.unwrap_or_else(|| seconds(args, "--command-timeout", 300));
        ClientOptions {
            server,
            tls,
            starttls,
            insecure,
            cafile,
            connect,
            greeting,
            command,
        }
    }

    /// The TLS configuration (`--cafile`, `--insecure` or the system roots).
    pub(crate) fn tls_config(&self) -> io::Result<Arc<ClientConfig>> {
        super::tls::client_config_for(self.insecure, self.cafile.as_deref())
    }

    /// The host name to verify the certificate against.
    pub(crate) fn host(&self) -> &str {
        host_of(&self.server)
    }

    /// Connects (implicit TLS with `--tls`) within the connect timeout.
    pub(crate) async fn connect(&self) -> io::Result<Stream> {
        let tls = if self.tls {
            Some(self.tls_config()?)
        } else {
            None
        };
        Stream::open_with(&self.server, tls, Some(self.connect)).await
    }
}

/// Whether an error came from TLS (rustls' messages, or ours that name the handshake).
fn is_tls_error(e: &io::Error) -> bool {
    let text = e.to_string();
    text.contains("TLS") || text.contains("certificate")
}

/// The exit status for an I/O error: timeouts 4, TLS 6, connection trouble 3, the rest 1.
pub(crate) fn exit_status(e: &io::Error) -> i32 {
    use io::ErrorKind::*;
    match e.kind() {
        TimedOut => EXIT_TIMEOUT,
        _ if is_tls_error(e) => EXIT_TLS,
        ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected | UnexpectedEof
        | BrokenPipe | AddrNotAvailable | HostUnreachable | NetworkUnreachable => EXIT_CONNECTION,
        Unsupported => EXIT_UNSUPPORTED,
        _ if e.to_string().starts_with("connect ") => EXIT_CONNECTION,
        _ => EXIT_FAILED,
    }
}

/// Prints `error: E` and exits with [`exit_status`].
pub(crate) fn fail(e: io::Error) -> ! {
    eprintln!("error: {e}");
    std::process::exit(exit_status(&e))
}

/// An `Unsupported` error: the server does not offer `what` (exit status 5).
pub(crate) fn unsupported(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("the server does not offer {what}"),
    )
}
