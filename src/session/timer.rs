//! Timers with one arming rule for every machine.
//!
//! A machine never reads a clock, so when it starts a timer it does not know
//! the time. A started timer is therefore *pending*: it asks for the time at
//! once ([`Timer::deadline`] is already due) and starts counting at the first
//! `handle_timeout(now)` that follows ([`Timer::expire`]). Nothing depends on
//! where the caller's clock starts (zero, the UNIX epoch, a monotonic
//! instant), nor on whether the caller reports the time before the first
//! input or only when asked.

use core::time::Duration;

/// What the machine last learnt of the caller's clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Clock {
    seen: Option<Duration>,
}

impl Clock {
    /// Records the time given to `handle_timeout`.
    pub(crate) fn see(&mut self, now: Duration) {
        self.seen = Some(now);
    }

    /// The last time the caller reported, or zero before the first report:
    /// an instant that is never in the caller's future.
    pub(crate) fn due_now(&self) -> Duration {
        self.seen.unwrap_or(Duration::ZERO)
    }
}

/// One timer of a machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Not running.
    #[default]
    Off,
    /// Started for this long, counted from the next time the machine is told
    /// the time.
    Pending(Duration),
    /// Fires at this instant of the caller's clock.
    At(Duration),
}

impl Timer {
    /// A timer started for `len` (a pending one).
    pub(crate) fn started(len: Duration) -> Timer {
        Timer::Pending(len)
    }

    /// (Re)starts the timer for `len`, counted from the next report of the time.
    pub(crate) fn start(&mut self, len: Duration) {
        *self = Timer::Pending(len);
    }

    /// Restarts a timer whose length the machine chooses when the time is
    /// next reported (it then calls [`start`](Self::start) with it).
    pub(crate) fn touch(&mut self) {
        *self = Timer::Pending(Duration::ZERO);
    }

    /// Stops the timer.
    pub(crate) fn stop(&mut self) {
        *self = Timer::Off;
    }

    /// When the machine needs `handle_timeout` for this timer: its instant
    /// when counting, at once (the last reported time) while pending.
    pub(crate) fn deadline(&self, clock: &Clock) -> Option<Duration> {
        match *self {
            Timer::Off => None,
            Timer::Pending(_) => Some(clock.due_now()),
            Timer::At(at) => Some(at),
        }
    }

    /// Applies the time: a pending timer starts counting at `now`; returns
    /// `true` (and stops) when the timer is due.
    pub(crate) fn expire(&mut self, now: Duration) -> bool {
        if let Timer::Pending(len) = *self {
            *self = Timer::At(now.saturating_add(len));
        }
        match *self {
            Timer::At(at) if now >= at => {
                *self = Timer::Off;
                true
            }
            _ => false,
        }
    }
}

/// A server's idle timer and what it knows of the clock: the autologout or
/// idle timeout every server machine runs, restarted by input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdleTimer {
    clock: Clock,
    timer: Timer,
}

impl IdleTimer {
    /// A timer started for `len` (counting from the first report of the
    /// time), or one that never runs.
    pub(crate) fn new(len: Option<Duration>) -> IdleTimer {
        IdleTimer {
            clock: Clock::default(),
            timer: len.map_or(Timer::Off, Timer::started),
        }
    }

    /// Restarts the timer for `len` (input arrived).
    pub(crate) fn start(&mut self, len: Duration) {
        self.timer.start(len);
    }

    /// The machine's `poll_timeout`: `None` once the session is `closed`.
    pub(crate) fn deadline(&self, closed: bool) -> Option<Duration> {
        if closed {
            None
        } else {
            self.timer.deadline(&self.clock)
        }
    }

    /// The machine's `handle_timeout`: records `now`; `true` when the timer
    /// expired on an open session (the machine then says goodbye and closes).
    pub(crate) fn expired(&mut self, now: Duration, closed: bool) -> bool {
        self.clock.see(now);
        !closed && self.timer.expire(now)
    }
}

/// A client's wait for the server: the clock, the timer that runs while the
/// greeting or a response is awaited, and whether it expired (reported once
/// as the machine's `TimedOut` event).
///
/// Input and output restart the timer ([`touch`](Self::touch)); its length is
/// chosen when it starts counting, by what the machine then awaits (greeting,
/// command or body timeout).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReplyTimer {
    clock: Clock,
    timer: Timer,
    timed_out: bool,
}

impl ReplyTimer {
    /// What the machine knows of the caller's clock (for its other timers).
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Restarts the wait: the server sent something, or the machine did.
    pub(crate) fn touch(&mut self) {
        self.timer.touch();
    }

    /// The machine's `poll_timeout` for this timer: `None` unless the
    /// server is `awaited`; the deadline when counting, at once otherwise.
    pub(crate) fn deadline(&self, awaited: bool) -> Option<Duration> {
        if !awaited {
            return None;
        }
        match self.timer {
            Timer::At(at) => Some(at),
            _ => Some(self.clock.due_now()),
        }
    }

    /// The machine's `handle_timeout` for this timer: records `now`;
    /// `awaited` is the timeout of what the machine waits for, `None` when
    /// it waits for nothing (the timer stops). Returns `true` when the wait
    /// expired: the machine closes and reports [`take_timed_out`](Self::take_timed_out).
    pub(crate) fn expired(&mut self, now: Duration, awaited: Option<Duration>) -> bool {
        self.clock.see(now);
        let Some(len) = awaited else {
            self.timer.stop();
            return false;
        };
        if !matches!(self.timer, Timer::At(_)) {
            self.timer.start(len);
        }
        let expired = self.timer.expire(now);
        self.timed_out |= expired;
        expired
    }

    /// Whether the wait expired and was not reported yet (reports it once).
    pub(crate) fn take_timed_out(&mut self) -> bool {
        core::mem::take(&mut self.timed_out)
    }
}

/// The earliest of some deadlines.
#[cfg(any(feature = "imap", test))]
pub(crate) fn earliest(deadlines: impl IntoIterator<Item = Option<Duration>>) -> Option<Duration> {
    deadlines.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_pending_timer_asks_for_the_time_then_counts_from_it() {
        for origin in [S(0), S(1_765_000_000)] {
            let mut clock = Clock::default();
            let mut t = Timer::started(S(300));
            // asks at once, whatever the caller's clock says
            assert_eq!(t.deadline(&clock), Some(S(0)));
            clock.see(origin);
            assert!(!t.expire(origin));
            assert_eq!(t.deadline(&clock), Some(origin + S(300)));
            assert!(!t.expire(origin + S(299)));
            assert!(t.expire(origin + S(300)));
            assert_eq!(t, Timer::Off);
            assert_eq!(t.deadline(&clock), None);
        }
    }

    #[test]
    fn a_restart_asks_for_the_time_again() {
        let mut clock = Clock::default();
        let mut t = Timer::started(S(10));
        clock.see(S(100));
        t.expire(S(100));
        clock.see(S(105));
        t.start(S(10)); // input at 105
        assert_eq!(t.deadline(&clock), Some(S(105)));
        assert!(!t.expire(S(105)));
        assert!(!t.expire(S(114)));
        assert!(t.expire(S(115)));
    }

    #[test]
    fn stop_and_zero_length() {
        let mut t = Timer::started(S(10));
        t.expire(S(0));
        assert_eq!(t, Timer::At(S(10)));
        t.stop();
        assert_eq!(t.deadline(&Clock::default()), None);
        let mut z = Timer::started(Duration::ZERO);
        assert!(z.expire(S(7)));
        assert_eq!(earliest([None, Some(S(3)), Some(S(2))]), Some(S(2)));
        assert_eq!(earliest([None, None]), None);
    }

    #[test]
    fn far_deadlines_saturate() {
        let mut t = Timer::started(Duration::MAX);
        assert!(!t.expire(S(5)));
        assert_eq!(t, Timer::At(Duration::MAX));
    }

    #[test]
    fn idle_timer_counts_from_the_first_report_and_not_once_closed() {
        for origin in [S(0), S(1_765_000_000)] {
            let mut t = IdleTimer::new(Some(S(600)));
            assert_eq!(t.deadline(false), Some(S(0)));
            assert!(!t.expired(origin, false));
            assert_eq!(t.deadline(false), Some(origin + S(600)));
            assert_eq!(t.deadline(true), None);
            t.start(S(600)); // input at origin + 500
            assert!(!t.expired(origin + S(500), false));
            assert!(!t.expired(origin + S(1099), false));
            assert!(t.expired(origin + S(1100), false));
            let mut closed = IdleTimer::new(Some(S(1)));
            assert!(!closed.expired(origin + S(10), true));
            assert_eq!(IdleTimer::new(None).deadline(false), None);
        }
    }

    #[test]
    fn reply_timer_runs_only_while_awaited_and_reports_once() {
        for origin in [S(0), S(1_765_000_000)] {
            let mut w = ReplyTimer::default();
            assert_eq!(w.deadline(false), None);
            assert_eq!(w.deadline(true), Some(S(0)));
            assert!(!w.expired(origin, Some(S(30))));
            assert_eq!(w.deadline(true), Some(origin + S(30)));
            // input restarts it, counted from the next report
            w.touch();
            assert_eq!(w.deadline(true), Some(origin));
            assert!(!w.expired(origin + S(20), Some(S(30))));
            assert!(!w.expired(origin + S(49), Some(S(30))));
            // nothing awaited: stopped, a later wait starts afresh
            assert!(!w.expired(origin + S(100), None));
            assert!(!w.expired(origin + S(101), Some(S(5))));
            assert!(w.expired(origin + S(106), Some(S(5))));
            assert_eq!(w.clock().due_now(), origin + S(106));
            assert!(w.take_timed_out());
            assert!(!w.take_timed_out());
        }
    }
}
