//! IMAP: work in progress; see the issue tracker.
