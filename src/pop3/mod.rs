//! POP3: work in progress; see the issue tracker.
