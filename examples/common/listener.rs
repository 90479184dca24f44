//! The habits of the example servers, shared: listeners (plain, and implicit TLS for IMAPS / POP3S /
//! SMTPS, RFC 8314), an accept loop that backs off when the process runs out of file descriptors
//! instead of exiting, the TLS handshake of implicit-TLS connections bounded in time, and a graceful
//! shutdown on SIGINT / SIGTERM (each session says goodbye and ends; the process waits for them).
//!
//! [`ServerOptions`] reads the options every server takes:
//!
//! ```text
//! --listen ADDR              plain (and STARTTLS) listener
//! --listen-tls ADDR          implicit TLS listener (needs --tls-cert/--tls-key); may be repeated
//! --idle-timeout SECS        drop a client silent this long, from its first byte on, in every state
//! --handshake-timeout SECS   drop a client whose TLS handshake takes longer (default 30)
//! --write-timeout SECS       drop a client that reads nothing for this long while we write (default 60)
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

use super::args::Args;
use super::stream::Stream;
use super::stream::Timeouts;
use super::stream::timed;

/// How long a shutdown waits for the sessions to end before the process exits anyway.
const GRACE: Duration = Duration::from_secs(10);
/// The longest pause of the accept loop after a resource error (EMFILE, ENFILE, ENOBUFS, ENOMEM).
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// The first pause.
const MIN_BACKOFF: Duration = Duration::from_millis(10);

/// The usage text of the options [`ServerOptions`] reads.
pub(crate) const SERVER_OPTIONS: &str = "  --listen ADDR              plain listener (STARTTLS offered with a certificate)
  --listen-tls ADDR          implicit TLS listener (IMAPS/POP3S/SMTPS), needs --tls-cert and --tls-key
  --tls-cert FILE --tls-key FILE   the server certificate chain and key (PEM)
  --idle-timeout SECS        drop a client silent for this long, in every state (default: the RFC's)
  --handshake-timeout SECS   drop a client whose TLS handshake takes longer (default 30)
  --write-timeout SECS       drop a client that stops reading for this long (default 60)
  --help                     this text
SIGINT or SIGTERM: every client gets a goodbye, partial deliveries are removed, then the process exits 0.";

/// A socket to accept on, plain or implicit TLS.
pub(crate) struct Listener {
    /// The bound socket.
    pub(crate) tcp: TcpListener,
    /// `Some` for implicit TLS: the handshake comes first.
    pub(crate) tls: Option<TlsAcceptor>,
}

/// The listening and timing options of a server.
#[derive(Debug, Clone)]
pub(crate) struct ServerOptions {
    /// `--listen`.
    pub(crate) listen: String,
    /// `--listen-tls`, each.
    pub(crate) listen_tls: Vec<String>,
    /// `--idle-timeout`: for the machine's idle timer.
    pub(crate) idle: Option<Duration>,
    /// Write and handshake limits for the sessions.
    pub(crate) timeouts: Timeouts,
}

fn seconds(args: &mut Args, name: &str) -> Option<Duration> {
    let secs: f64 = args.parsed(name)?;
    if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
        args.usage_error(&format!("{name} wants a positive number of seconds"));
    }
    Some(Duration::from_secs_f64(secs))
}

impl ServerOptions {
    /// Reads the options above (`--listen` is required).
    pub(crate) fn from_args(args: &mut Args) -> ServerOptions {
        let listen = args.required("--listen");
        let listen_tls = args.values("--listen-tls");
        let idle = seconds(args, "--idle-timeout");
        let mut timeouts = Timeouts::default();
        if let Some(limit) = seconds(args, "--handshake-timeout") {
            timeouts.handshake = Some(limit);
        }
        if let Some(limit) = seconds(args, "--write-timeout") {
            timeouts.write = Some(limit);
        }
        ServerOptions {
            listen,
            listen_tls,
            idle,
            timeouts,
        }
    }

    /// Binds `--listen` and every `--listen-tls`; `--listen-tls` without a certificate ends the program.
    pub(crate) async fn bind(&self, acceptor: Option<&TlsAcceptor>) -> Vec<Listener> {
        let mut listeners = vec![Listener {
            tcp: bind_or_die(&self.listen).await,
            tls: None,
        }];
        for addr in &self.listen_tls {
            let Some(acceptor) = acceptor else {
                super::die("--listen-tls needs --tls-cert and --tls-key");
            };
            let tcp = bind_or_die(addr).await;
            listeners.push(Listener {
                tcp,
                tls: Some(acceptor.clone()),
            });
        }
        listeners
    }
}

async fn bind_or_die(addr: &str) -> TcpListener {
    bind(addr).await.unwrap_or_else(|e| super::die(e))
}

/// Binds a listening socket, with the address in the error message.
pub(crate) async fn bind(listen: &str) -> io::Result<TcpListener> {
    TcpListener::bind(listen)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("listen on {listen}: {e}")))
}

/// Prints `NAME: implicit TLS on ADDR` for each implicit TLS listener (after the `listening on` line).
pub(crate) fn announce_tls_listeners(name: &str, listeners: &[Listener]) {
    for l in listeners.iter().filter(|l| l.tls.is_some()) {
        if let Ok(addr) = l.tcp.local_addr() {
            eprintln!("{name}: implicit TLS on {addr}");
        }
    }
}

/// Prints the start-up line of a mailbox server example (`NAME: listening on ADDR for USER
/// (maildir DIR, STARTTLS offered)`; the tests read the port from it).
pub(crate) fn announce_mailbox_server(
    name: &str,
    listener: &TcpListener,
    listen: &str,
    user: &str,
    maildir: &std::path::Path,
    tls_command: &str,
    tls_offered: bool,
) {
    eprintln!(
        "{name}: listening on {} for {user} (maildir {}, {tls_command} {})",
        listener
            .local_addr()
            .map_or_else(|_| listen.to_owned(), |a| a.to_string()),
        maildir.display(),
        if tls_offered { "offered" } else { "off" },
    );
}

/// A signal that turns `true` at the first SIGINT or SIGTERM; a second one ends the process at once.
pub(crate) fn stop_on_signals() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        eprintln!("shutting down: saying goodbye to the clients (a second signal exits at once)");
        let _ = tx.send(true);
        wait_for_signal().await;
        std::process::exit(1);
    });
    rx
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Accepts on one plain listener for ever (until the task is dropped), a task per connection.
pub(crate) async fn serve<F, Fut>(listener: TcpListener, handler: F) -> io::Result<()>
where
    F: Fn(Stream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let (_never, stop) = watch::channel(false);
    let listeners = vec![Listener {
        tcp: listener,
        tls: None,
    }];
    serve_until(listeners, stop, Timeouts::default().handshake, handler).await;
    Ok(())
}

/// Accepts on every listener, running `handler(stream, peer)` in a task per connection (after the TLS
/// handshake, bounded by `handshake`, on an implicit-TLS listener), until `stop` turns `true`; then
/// stops accepting and waits (up to 10 s) for the sessions to end. A handler's error is printed with the
/// peer's address. Accept errors never end the loop: resource errors pause it, growing from 10 ms to 1 s.
pub(crate) async fn serve_until<F, Fut>(
    listeners: Vec<Listener>,
    stop: watch::Receiver<bool>,
    handshake: Option<Duration>,
    handler: F,
) where
    F: Fn(Stream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let handler = Arc::new(handler);
    // Every session holds a sender; `recv` returns `None` once all are gone.
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    let mut loops = tokio::task::JoinSet::new();
    for listener in listeners {
        let (stop, alive, handler) = (stop.clone(), alive.clone(), Arc::clone(&handler));
        loops.spawn(accept_loop(listener, stop, handshake, handler, alive));
    }
    drop(alive);
    while loops.join_next().await.is_some() {}
    if tokio::time::timeout(GRACE, all_done.recv()).await.is_err() {
        eprintln!("shutting down: some sessions did not end within {GRACE:?}");
    }
}

/// Whether an accept error concerns only the one connection (retry at once).
fn per_connection(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    )
}

async fn accept_loop<F, Fut>(
    listener: Listener,
    mut stop: watch::Receiver<bool>,
    handshake: Option<Duration>,
    handler: Arc<F>,
    alive: mpsc::Sender<()>,
) where
    F: Fn(Stream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let mut backoff = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            accepted = listener.tcp.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if per_connection(&e) => continue,
            Err(e) => {
                // EMFILE and friends: the sessions go on; accept again once some have ended.
                backoff = (backoff * 2).clamp(MIN_BACKOFF, MAX_BACKOFF);
                eprintln!("accept: {e}; pausing {backoff:?}");
                tokio::select! {
                    _ = stop.wait_for(|stop| *stop) => return,
                    () = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        backoff = Duration::ZERO;
        let _ = tcp.set_nodelay(true);
        let (tls, handler, alive) = (listener.tls.clone(), Arc::clone(&handler), alive.clone());
        tokio::spawn(async move {
            let _alive = alive;
            let stream = match tls {
                None => Stream::Plain(tcp),
                Some(acceptor) => {
                    match timed(
                        handshake,
                        "TLS handshake",
                        Stream::accept_tls(tcp, &acceptor),
                    )
                    .await
                    {
                        Ok(stream) => stream,
                        Err(e) => return eprintln!("{peer}: {e}"),
                    }
                }
            };
            if let Err(e) = handler(stream, peer).await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

/// Maildir's 36-hour rule for the server's Maildir at `root`: cleans `tmp/` now, then every hour.
pub(crate) fn clean_tmp_now_and_hourly(name: &str, root: std::path::PathBuf) {
    const STALE: Duration = Duration::from_secs(36 * 3600);
    let clean = move |name: &str| match super::maildir::clean_stale_tmp(&root, STALE) {
        Ok(0) => {}
        Ok(n) => eprintln!("{name}: removed {n} stale files from tmp/ (older than 36 hours)"),
        Err(e) => eprintln!("{name}: cleaning tmp/: {e}"),
    };
    clean(name);
    let name = name.to_owned();
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        hourly.tick().await;
        loop {
            hourly.tick().await;
            clean(&name);
        }
    });
}

/// `usage` followed by the [`SERVER_OPTIONS`], for [`Args::parse`] (made once per process).
pub(crate) fn server_usage(usage: &str) -> &'static str {
    Box::leak(format!("{usage}{SERVER_OPTIONS}").into_boxed_str())
}
