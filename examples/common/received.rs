//! The `Received:` trace header an SMTP/LMTP server prepends to each message (RFC 5321 §4.4, with the
//! protocol names of RFC 3848), and an RFC 5322 §3.3 date from a [`SystemTime`] (always UTC, `+0000`).
//!
//! ```text
//! Time-stamp-line = "Received:" FWS Stamp <CRLF>
//! Stamp           = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
//! From-domain     = "FROM" FWS Extended-Domain
//! By-domain       = CFWS "BY" FWS Extended-Domain
//! Extended-Domain = Domain / ( Domain FWS "(" TCP-info ")" ) / ( address-literal FWS "(" TCP-info ")" )
//! TCP-info        = address-literal / ( Domain FWS address-literal )
//! Opt-info        = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
//! With            = CFWS "WITH" FWS Protocol
//! ID              = CFWS "ID" FWS ( Atom / msg-id )
//! For             = CFWS "FOR" FWS ( Path / Mailbox )
//! ```

use std::fmt;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Builds a `Received:` header line (folded, ending in CRLF).
#[derive(Debug, Clone)]
pub(crate) struct ReceivedHeader {
    helo: String,
    peer: IpAddr,
    by_host: String,
    esmtp: bool,
    lmtp: bool,
    tls: bool,
    authenticated: bool,
    id: Option<String>,
    for_path: Option<String>,
    time: SystemTime,
}

/// Keeps printable ASCII without the characters that would end a domain or comment (`(`, `)`, `;`, `\`),
/// replacing the rest with `_`, at most 255 bytes; `unknown` when empty. Peer data never reaches the
/// header raw, so it cannot inject a line.
fn sanitise(text: &str, keep_angle: bool) -> String {
    let out: String = text
        .chars()
        .take(255)
        .map(|c| match c {
            '(' | ')' | ';' | '\\' => '_',
            '<' | '>' if !keep_angle => '_',
            c if c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    if out.is_empty() {
        "unknown".to_owned()
    } else {
        out
    }
}

/// `address-literal` for an IP address: `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3).
pub(crate) fn address_literal(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
    }
}

impl ReceivedHeader {
    /// `from HELO ([peer]) by BY_HOST with ESMTP`, stamped now. `helo` is what the client said in
    /// EHLO/HELO/LHLO; `by_host` is this server's name.
    pub(crate) fn new(helo: &str, peer: IpAddr, by_host: &str) -> Self {
        ReceivedHeader {
            helo: sanitise(helo, false),
            peer,
            by_host: sanitise(by_host, false),
            esmtp: true,
            lmtp: false,
            tls: false,
            authenticated: false,
            id: None,
            for_path: None,
            time: SystemTime::now(),
        }
    }

    /// Whether the client said EHLO (`ESMTP`) rather than HELO (`SMTP`).
    pub(crate) fn esmtp(mut self, yes: bool) -> Self {
        self.esmtp = yes;
        self
    }

    /// LMTP (RFC 2033) rather than SMTP: `with LMTP`.
    pub(crate) fn lmtp(mut self, yes: bool) -> Self {
        self.lmtp = yes;
        self
    }

    /// The session ran over TLS: the `S` of `ESMTPS` (RFC 3848).
    pub(crate) fn tls(mut self, yes: bool) -> Self {
        self.tls = yes;
        self
    }

    /// The client authenticated: the `A` of `ESMTPA` (RFC 3848).
    pub(crate) fn authenticated(mut self, yes: bool) -> Self {
        self.authenticated = yes;
        self
    }

    /// An `id` clause (e.g. the queue or file id).
    pub(crate) fn id(mut self, id: &str) -> Self {
        self.id = Some(sanitise(id, false));
        self
    }

    /// A `for <path>` clause (only when the message has this one recipient, to avoid disclosing Bcc).
    pub(crate) fn for_recipient(mut self, address: &str) -> Self {
        let inner = address.trim_start_matches('<').trim_end_matches('>');
        self.for_path = Some(format!("<{}>", sanitise(inner, false)));
        self
    }

    /// The time stamp (default: when [`new`](Self::new) was called).
    pub(crate) fn at(mut self, time: SystemTime) -> Self {
        self.time = time;
        self
    }

    /// The `with` protocol: `SMTP`, `ESMTP`, `ESMTPS`, `ESMTPA`, `ESMTPSA`, `LMTP`, `LMTPS`, `LMTPA`, `LMTPSA`.
    pub(crate) fn protocol(&self) -> String {
        let base = if self.lmtp {
            "LMTP"
        } else if self.esmtp {
            "ESMTP"
        } else {
            return "SMTP".to_owned();
        };
        let mut out = base.to_owned();
        if self.tls {
            out.push('S');
        }
        if self.authenticated {
            out.push('A');
        }
        out
    }

    /// The header as bytes, ready to be written before the message.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for ReceivedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Received: from {} ({})\r\n\tby {} with {}",
            self.helo,
            address_literal(self.peer),
            self.by_host,
            self.protocol()
        )?;
        if let Some(id) = &self.id {
            write!(f, " id {id}")?;
        }
        if let Some(path) = &self.for_path {
            write!(f, "\r\n\tfor {path}")?;
        }
        write!(f, ";\r\n\t{}\r\n", rfc5322_date(self.time))
    }
}

/// Year, month (1..=12) and day (1..=31) of a day count since 1970-01-01 (proleptic Gregorian).
///
/// Shifts the year to start on 1 March, so that the leap day is the last day of the shifted year, then
/// splits the count into 400-year eras (146 097 days each), years within the era, and days within the
/// year, whose months follow the 153-days-per-5-months pattern from March on.
pub(crate) fn civil_from_days(days: u64) -> (u64, u32, u32) {
    // 1970-01-01 is day 719 468 counted from 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097; // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11, 0 = March
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// `date-time` of RFC 5322 §3.3 in UTC: `Mon, 23 Nov 2026 11:57:42 +0000` (a time before 1970 counts as 1970).
pub(crate) fn rfc5322_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = DAYS[(days % 7) as usize];
    let month = MONTHS[(month - 1) as usize];
    format!(
        "{weekday}, {day} {month} {year} {:02}:{:02}:{:02} +0000",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}
