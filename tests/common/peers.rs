//! Discovery of the real mail peers (Dovecot, Postfix and Exim on loopback) that `tests/peers/start.sh` starts.
//!
//! Where the peers are comes from, in order:
//! 1. the env file named by `MAILWIRE_PEERS_ENV` (start.sh writes `DIR/peers.env`), or
//! 2. the variables `PEER_HOST`, `IMAP_PORT`, `IMAPS_PORT`, `POP3_PORT`, `POP3S_PORT`, `LMTP_PORT`, `SMTP_PORT`,
//!    `SUBMISSION_PORT`, `EXIM_PORT`, `PEER_USER`, `PEER_PASS` in the environment, each defaulting to start.sh's default.
//!
//! An interop test calls [`peers_or_skip`]: when the peers do not answer it returns `None` after a loud
//! `SKIPPED` note on stderr, except under CI (`CI=true`), where missing peers fail the test.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long one port may take to accept a connection before the peers count as absent.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The peers' defaults, the same as in `tests/peers/start.sh`.
const DEFAULTS: &[(&str, &str)] = &[
    ("PEER_HOST", "127.0.0.1"),
    ("IMAP_PORT", "10143"),
    ("IMAPS_PORT", "10993"),
    ("POP3_PORT", "10110"),
    ("POP3S_PORT", "10995"),
    ("LMTP_PORT", "10024"),
    ("SMTP_PORT", "10025"),
    ("SUBMISSION_PORT", "10587"),
    ("EXIM_PORT", "10026"),
    ("PEER_USER", "alice"),
    ("PEER_PASS", "secret"),
    ("PEER_DOMAIN", "localhost"),
];

/// Where the peers listen and who may log in.
#[derive(Debug, Clone)]
pub(crate) struct Peers {
    /// Address of every listener (`127.0.0.1`).
    pub(crate) host: String,
    /// Dovecot IMAP, plaintext with STARTTLS.
    pub(crate) imap: u16,
    /// Dovecot IMAP over implicit TLS.
    pub(crate) imaps: u16,
    /// Dovecot POP3, plaintext with STLS.
    pub(crate) pop3: u16,
    /// Dovecot POP3 over implicit TLS.
    pub(crate) pop3s: u16,
    /// Dovecot LMTP.
    pub(crate) lmtp: u16,
    /// Postfix SMTP (PIPELINING, 8BITMIME, CHUNKING, STARTTLS; no AUTH), delivering to Dovecot.
    pub(crate) smtp: u16,
    /// Postfix submission (STARTTLS required, then AUTH PLAIN/LOGIN/CRAM-MD5).
    pub(crate) submission: u16,
    /// Exim SMTP (PIPELINING, CHUNKING, 8BITMIME, SMTPUTF8, STARTTLS; AUTH PLAIN/LOGIN after
    /// STARTTLS, CRAM-MD5 always), delivering to Dovecot; relays `p<PORT>.relay.test` to that port.
    pub(crate) exim: u16,
    /// The mailbox user.
    pub(crate) user: String,
    /// The user's password.
    pub(crate) pass: String,
    /// The mail domain: the user's address is `user@domain`.
    pub(crate) domain: String,
    /// Every setting as `KEY=VALUE` (the above plus extras such as `SEED_COUNT`), to hand to a child process.
    pub(crate) vars: BTreeMap<String, String>,
    /// Where the settings came from, for messages.
    pub(crate) source: String,
}

impl Peers {
    /// The user's mail address.
    pub(crate) fn address(&self) -> String {
        format!("{}@{}", self.user, self.domain)
    }

    /// A setting by its env-file name (`SEED_COUNT`, `PEER_CERT`, ...), if known.
    pub(crate) fn var(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// Every listener as (name, port).
    pub(crate) fn ports(&self) -> [(&'static str, u16); 8] {
        [
            ("IMAP", self.imap),
            ("IMAPS", self.imaps),
            ("POP3", self.pop3),
            ("POP3S", self.pop3s),
            ("LMTP", self.lmtp),
            ("SMTP", self.smtp),
            ("SUBMISSION", self.submission),
            ("EXIM", self.exim),
        ]
    }

    /// Reads the settings (see the module doc); does not touch the network.
    pub(crate) fn from_env() -> Result<Peers, String> {
        let mut vars: BTreeMap<String, String> = DEFAULTS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let source = match std::env::var_os("MAILWIRE_PEERS_ENV") {
            Some(path) => {
                let path = std::path::PathBuf::from(path);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    format!("cannot read MAILWIRE_PEERS_ENV={}: {e}", path.display())
                })?;
                for line in text.lines().map(str::trim) {
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    if let Some((key, value)) = line.split_once('=') {
                        vars.insert(key.trim().to_owned(), value.trim().to_owned());
                    }
                }
                format!("env file {}", path.display())
            }
            None => {
                for (key, _) in DEFAULTS {
                    if let Ok(value) = std::env::var(key) {
                        vars.insert((*key).to_owned(), value);
                    }
                }
                "environment variables and defaults".to_owned()
            }
        };
        let port = |key: &str| -> Result<u16, String> {
            let value = &vars[key];
            value
                .parse()
                .map_err(|_| format!("{key}={value:?} is not a port number ({source})"))
        };
        Ok(Peers {
            host: vars["PEER_HOST"].clone(),
            imap: port("IMAP_PORT")?,
            imaps: port("IMAPS_PORT")?,
            pop3: port("POP3_PORT")?,
            pop3s: port("POP3S_PORT")?,
            lmtp: port("LMTP_PORT")?,
            smtp: port("SMTP_PORT")?,
            submission: port("SUBMISSION_PORT")?,
            exim: port("EXIM_PORT")?,
            user: vars["PEER_USER"].clone(),
            pass: vars["PEER_PASS"].clone(),
            domain: vars["PEER_DOMAIN"].clone(),
            source,
            vars,
        })
    }

    /// Checks that every listener accepts a TCP connection.
    pub(crate) fn check_reachable(&self) -> Result<(), String> {
        for (name, port) in self.ports() {
            let addr = (self.host.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| format!("{name}: bad address {}:{port}: {e}", self.host))?
                .next()
                .ok_or_else(|| format!("{name}: no address for {}:{port}", self.host))?;
            TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| {
                format!(
                    "{name} peer at {addr} does not answer: {e} (settings from {})",
                    self.source
                )
            })?;
        }
        Ok(())
    }

    /// The settings, provided every listener answers; otherwise why not.
    pub(crate) fn locate() -> Result<Peers, String> {
        let peers = Peers::from_env()?;
        peers.check_reachable()?;
        Ok(peers)
    }
}

/// The peers if they are configured and answering.
pub(crate) fn peers() -> Option<Peers> {
    Peers::locate().ok()
}

/// True when running under CI (`CI=true`), where an interop test must not skip.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Skips `test` loudly (stderr) outside CI; panics under CI. Use when a prerequisite is missing.
pub(crate) fn skip_or_fail(test: &str, reason: &str) {
    if in_ci() {
        panic!(
            "{test}: {reason}\nCI=true, so missing mail peers are a failure: run tests/peers/start.sh first \
             and export MAILWIRE_PEERS_ENV=<DIR>/peers.env"
        );
    }
    // Straight to the stderr handle, not eprintln!: the test harness captures the macros' output of a
    // passing test, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n==================== SKIPPED: {test} ====================\n\
         {reason}\n\
         To run it: sudo tests/peers/start.sh && export MAILWIRE_PEERS_ENV=/tmp/mailwire-peers/peers.env\n\
         (see tests/peers/README.md; under CI=true this is a failure, not a skip)\n\
         =========================================================\n"
    );
}

/// The peers for `test`, or `None` after [`skip_or_fail`] said why they are missing.
pub(crate) fn peers_or_skip(test: &str) -> Option<Peers> {
    match Peers::locate() {
        Ok(peers) => Some(peers),
        Err(reason) => {
            skip_or_fail(test, &reason);
            None
        }
    }
}
