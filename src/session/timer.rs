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
}
