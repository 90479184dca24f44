//! The time contract, tested once for all six machines (see the crate docs,
//! "The time contract").
//!
//! A machine reads no clock. Every timer it runs (a server's idle or
//! autologout timer; a client's greeting, command and body timeouts) fires at
//! its configured duration counted from the first `handle_timeout(now)` after
//! the session started or input arrived; until then `poll_timeout` is already
//! due, so a driver that honours it reports the time at once. The same
//! scenarios run on every machine, driven by a simulated event loop:
//!
//! - a silent peer: the timer fires exactly `T` after the start;
//! - a slow peer (a byte every `T/2`, then nothing): never while bytes come,
//!   then exactly `T` after the last byte (not `2T`);
//! - a peer that completes its greeting and then stays silent (clients: the
//!   first command then waits `T`);
//! - each with the caller's clock starting at 0 and at the UNIX epoch, and
//!   with and without a `handle_timeout` call before anything happens.
#![cfg(all(feature = "smtp", feature = "pop3", feature = "imap"))]

use std::time::Duration;

use mailwire::{imap, pop3, smtp};

const T: Duration = Duration::from_secs(60);
const ORIGINS: [Duration; 2] = [Duration::ZERO, Duration::from_secs(1_765_000_000)];

/// What the simulated driver needs of a machine beyond `Connection`.
trait Machine {
    fn handle_input(&mut self, data: &[u8]);
    fn poll_timeout(&self) -> Option<Duration>;
    fn handle_timeout(&mut self, now: Duration);
    fn is_closed(&self) -> bool;
    /// Pulls every event (answering a greeting with a first command, as an
    /// application would) and every byte to send.
    fn drain(&mut self);
}

/// The machine's own (inherent) methods: no `use mailwire::Connection`.
macro_rules! machine {
    ($ty:ty, |$m:ident| $drain:block) => {
        impl Machine for $ty {
            fn handle_input(&mut self, d: &[u8]) {
                <$ty>::handle_input(self, d)
            }
            fn poll_timeout(&self) -> Option<Duration> {
                <$ty>::poll_timeout(self)
            }
            fn handle_timeout(&mut self, now: Duration) {
                <$ty>::handle_timeout(self, now)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn drain(&mut self) {
                let $m = self;
                $drain
                while $m.poll_transmit().is_some() {}
            }
        }
    };
}

machine!(smtp::Server, |m| {
    while let Ok(Some(_)) = m.poll_event() {}
});
machine!(pop3::Server, |m| {
    while let Ok(Some(_)) = m.poll_event() {}
});
machine!(imap::Server, |m| {
    while let Ok(Some(_)) = m.poll_event() {}
});
// the machine sends EHLO by itself after the greeting
machine!(smtp::Client, |m| {
    while let Ok(Some(_)) = m.poll_event() {}
});
machine!(pop3::Client, |m| {
    let mut greeted = false;
    while let Ok(Some(ev)) = m.poll_event() {
        greeted |= matches!(ev, pop3::ClientEvent::Greeting(_));
    }
    if greeted {
        m.capa().unwrap();
    }
});
machine!(imap::Client, |m| {
    let mut greeted = false;
    while let Ok(Some(ev)) = m.poll_event() {
        greeted |= matches!(ev, imap::ClientEvent::Greeting(_));
    }
    if greeted {
        m.noop().unwrap();
    }
});

/// Runs `m` like an event loop: input at its times (relative to `origin`),
/// `handle_timeout` whenever `poll_timeout` is due. Returns when the machine
/// closed, relative to `origin`, or `None` if it is still open at `horizon`.
fn run<M: Machine>(
    mut m: M,
    origin: Duration,
    report_first: bool,
    inputs: &[(Duration, &[u8])],
    horizon: Duration,
) -> Option<Duration> {
    let mut now = origin;
    if report_first {
        m.handle_timeout(now);
    }
    m.drain();
    let mut next = 0;
    for _ in 0..10_000 {
        if m.is_closed() {
            return Some(now - origin);
        }
        let input_at = inputs.get(next).map(|(t, _)| origin + *t);
        // a deadline in the past means "now": the machine asks for the time
        let timer_at = m.poll_timeout().map(|d| d.max(now));
        match (timer_at, input_at) {
            (Some(d), i) if i.is_none_or(|i| d < i) => {
                if d > origin + horizon {
                    return None;
                }
                now = d;
                m.handle_timeout(now);
            }
            (_, Some(i)) => {
                if i > origin + horizon {
                    return None;
                }
                now = i;
                m.handle_input(inputs[next].1);
                next += 1;
            }
            (None, None) => return None,
            (Some(_), None) => unreachable!(),
        }
        m.drain();
    }
    panic!("the machine asked for the time 10 000 times without its deadline moving");
}

/// Makes a fresh machine.
type Make = Box<dyn Fn() -> Box<dyn Scenario>>;

/// One machine of each kind, every timer set to `T`.
fn machines() -> Vec<(&'static str, Make)> {
    vec![
        (
            "smtp::Server",
            Box::new(|| {
                let mut c = smtp::ServerConfig::new("mx.example");
                c.command_timeout = T;
                c.data_timeout = T;
                Box::new(smtp::Server::new(c)) as Box<dyn Scenario>
            }),
        ),
        (
            "pop3::Server",
            Box::new(|| {
                let mut c = pop3::ServerConfig::default();
                c.autologout = Some(T);
                Box::new(pop3::Server::new(c))
            }),
        ),
        (
            "imap::Server",
            Box::new(|| {
                let mut c = imap::ServerConfig::default();
                c.autologout = Some(T);
                Box::new(imap::Server::new(c))
            }),
        ),
        (
            "smtp::Client",
            Box::new(|| {
                let mut c = smtp::ClientConfig::new("client.example");
                c.greeting_timeout = T;
                c.command_timeout = T;
                c.body_timeout = T;
                Box::new(smtp::Client::new(c))
            }),
        ),
        (
            "pop3::Client",
            Box::new(|| {
                let mut c = pop3::ClientConfig::default();
                c.greeting_timeout = T;
                c.command_timeout = T;
                c.body_timeout = T;
                Box::new(pop3::Client::new(c))
            }),
        ),
        (
            "imap::Client",
            Box::new(|| {
                let mut c = imap::ClientConfig::default();
                c.greeting_timeout = T;
                c.command_timeout = T;
                c.body_timeout = T;
                Box::new(imap::Client::new(c))
            }),
        ),
    ]
}

/// The scenarios, object-safe over the six machine types.
trait Scenario {
    fn run(
        self: Box<Self>,
        origin: Duration,
        first: bool,
        inputs: &[(Duration, &[u8])],
    ) -> Option<Duration>;
}

impl<M: Machine> Scenario for M {
    fn run(
        self: Box<Self>,
        origin: Duration,
        first: bool,
        inputs: &[(Duration, &[u8])],
    ) -> Option<Duration> {
        run(*self, origin, first, inputs, Duration::from_secs(24 * 3600))
    }
}

/// Bytes of an unfinished command (servers) or greeting (clients).
fn partial(name: &str) -> &'static [u8] {
    match name {
        "smtp::Server" | "pop3::Server" => b"NOOP",
        "imap::Server" => b"a1 NOOP",
        "smtp::Client" => b"220 mx",
        "pop3::Client" => b"+OK ready",
        "imap::Client" => b"* OK ready",
        _ => unreachable!(),
    }
}

/// A whole greeting (clients only).
fn greeting(name: &str) -> Option<&'static [u8]> {
    match name {
        "smtp::Client" => Some(b"220 mx.example ESMTP\r\n"),
        "pop3::Client" => Some(b"+OK ready\r\n"),
        "imap::Client" => Some(b"* OK ready\r\n"),
        _ => None,
    }
}

#[test]
fn a_silent_peer_is_given_up_on_after_exactly_the_timeout() {
    for (name, make) in machines() {
        for origin in ORIGINS {
            for first in [false, true] {
                let closed = make().run(origin, first, &[]);
                assert_eq!(
                    closed,
                    Some(T),
                    "{name}, clock from {origin:?}, time reported first: {first}"
                );
            }
        }
    }
}

#[test]
fn a_slow_peer_is_kept_while_bytes_come_then_given_up_on_after_the_timeout() {
    for (name, make) in machines() {
        let bytes = partial(name);
        let inputs: Vec<(Duration, &[u8])> = (0..bytes.len())
            .map(|i| (T / 2 * (i as u32 + 1), &bytes[i..i + 1]))
            .collect();
        let last = inputs.last().unwrap().0;
        for origin in ORIGINS {
            for first in [false, true] {
                let closed = make().run(origin, first, &inputs);
                assert_eq!(
                    closed,
                    Some(last + T),
                    "{name}, clock from {origin:?}, time reported first: {first}"
                );
            }
        }
    }
}

#[test]
fn a_client_waits_for_its_first_command_for_the_timeout_not_twice_it() {
    for (name, make) in machines() {
        let Some(greeting) = greeting(name) else {
            continue;
        };
        for origin in ORIGINS {
            for first in [false, true] {
                let at = Duration::from_secs(7);
                let closed = make().run(origin, first, &[(at, greeting)]);
                assert_eq!(
                    closed,
                    Some(at + T),
                    "{name}, clock from {origin:?}, time reported first: {first}"
                );
            }
        }
    }
}

#[test]
fn a_server_counts_from_the_last_input_in_every_state() {
    // commands complete (the server answers them) and the timer restarts at
    // each: the session ends T after the last one
    let scripts: [(&str, &[&[u8]]); 3] = [
        ("smtp::Server", &[b"EHLO c\r\n", b"NOOP\r\n", b"NOOP\r\n"]),
        ("pop3::Server", &[b"CAPA\r\n", b"NOOP\r\n", b"CAPA\r\n"]),
        (
            "imap::Server",
            &[b"a1 CAPABILITY\r\n", b"a2 NOOP\r\n", b"a3 NOOP\r\n"],
        ),
    ];
    for (name, make) in machines() {
        let Some((_, script)) = scripts.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let inputs: Vec<(Duration, &[u8])> = script
            .iter()
            .enumerate()
            .map(|(i, b)| (T / 3 * (2 * i as u32 + 1), *b))
            .collect();
        let last = inputs.last().unwrap().0;
        for origin in ORIGINS {
            assert_eq!(
                make().run(origin, false, &inputs),
                Some(last + T),
                "{name}, clock from {origin:?}"
            );
        }
    }
}
