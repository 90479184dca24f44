//! SMTP: work in progress; see the issue tracker.
