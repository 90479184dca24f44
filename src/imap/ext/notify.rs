//! NOTIFY (RFC 5465): the client says which events it wants to hear about
//! from which mailboxes (§3–§6, grammar §8), and the NOTIFICATIONOVERFLOW and
//! BADEVENT response codes (§5.8, §8).
//!
//! ```
//! use mailwire::imap::{emit_command, parse_command, CommandBody, EmitOptions, ParseOptions};
//!
//! // RFC 5465 §6's example, with the parentheses its own grammar requires
//! // (§8: event-group = "(" filter-mailboxes SP events ")",
//! //      events = ( "(" event *(SP event) ")" ) / "NONE")
//! let frame = b"a NOTIFY SET STATUS (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew))\r\n";
//! let command = parse_command(frame, &ParseOptions::STRICT).unwrap();
//! assert!(matches!(command.body, CommandBody::Notify(_)));
//! // written and read again, the same command
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(parse_command(&out, &ParseOptions::STRICT).unwrap(), command);
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::Notify`;
//! - [`Code`](crate::imap::Code)`::{NotificationOverflow, BadEvent}`.
//!
//! Registered in the crate-private `registry` (beside the central grammar):
//! its module `notify` reads these variants with this room's rules and
//! writes them back with its emitters, and its dispatch tables list it.

use crate::imap::base::fetch::FetchAttribute;
use crate::imap::syntax::core::{Atom, List, Mailbox};

/// `notify = "NOTIFY" SP (notify-set / notify-none)` (RFC 5465 §8).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notify<'a> {
    /// `NONE`: no more notifications.
    None,
    /// `SET [STATUS] event-group...`: replaces the registered events.
    Set {
        /// `STATUS`: the server sends a STATUS for each selected mailbox now.
        status: bool,
        /// The event groups (at least one).
        groups: List<'a, EventGroup<'a>>,
    },
}

/// `event-group = "(" filter-mailboxes SP events ")"`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventGroup<'a> {
    /// Which mailboxes.
    pub filter: MailboxFilter<'a>,
    /// The events, `None` for `NONE` (no events from these mailboxes).
    pub events: Option<List<'a, NotifyEvent<'a>>>,
}

/// `filter-mailboxes` (RFC 5465 §6).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MailboxFilter<'a> {
    /// `SELECTED`
    Selected,
    /// `SELECTED-DELAYED`
    SelectedDelayed,
    /// `INBOXES`
    Inboxes,
    /// `PERSONAL`
    Personal,
    /// `SUBSCRIBED`
    Subscribed,
    /// `SUBTREE one-or-more-mailbox`
    Subtree(List<'a, Mailbox<'a>>),
    /// `MAILBOXES one-or-more-mailbox`
    Mailboxes(List<'a, Mailbox<'a>>),
    /// `SUBTREE-ONE one-or-more-mailbox` (RFC 7377 §2, MULTISEARCH): the
    /// mailboxes and their direct children only.
    SubtreeOne(List<'a, Mailbox<'a>>),
}

/// `event` (RFC 5465 §5, §8).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NotifyEvent<'a> {
    /// `MessageNew [SP "(" fetch-att *(SP fetch-att) ")"]`: with the
    /// attributes to send in the unsolicited FETCH.
    MessageNew(Option<List<'a, FetchAttribute<'a>>>),
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange` (RFC 5464)
    MailboxMetadataChange,
    /// `ServerMetadataChange` (RFC 5464)
    ServerMetadataChange,
    /// `event-ext = atom`: another event.
    Other(Atom<'a>),
}

impl NotifyEvent<'_> {
    /// The event's name as on the wire (`MessageNew`).
    pub fn name(&self) -> &str {
        use NotifyEvent as E;
        match self {
            E::MessageNew(_) => "MessageNew",
            E::MessageExpunge => "MessageExpunge",
            E::FlagChange => "FlagChange",
            E::AnnotationChange => "AnnotationChange",
            E::MailboxName => "MailboxName",
            E::SubscriptionChange => "SubscriptionChange",
            E::MailboxMetadataChange => "MailboxMetadataChange",
            E::ServerMetadataChange => "ServerMetadataChange",
            E::Other(a) => a.as_str(),
        }
    }
}

crate::owned::into_owned! {
    enum Notify { None, Set { status, groups } }
    struct EventGroup { filter, events }
    enum MailboxFilter {
        Selected,
        SelectedDelayed,
        Inboxes,
        Personal,
        Subscribed,
        Subtree(l),
        SubtreeOne(l),
        Mailboxes(l),
    }
    enum NotifyEvent {
        MessageNew(l),
        MessageExpunge,
        FlagChange,
        AnnotationChange,
        MailboxName,
        SubscriptionChange,
        MailboxMetadataChange,
        ServerMetadataChange,
        Other(a),
    }
}

/// The grammar of NOTIFY: one function per ABNF rule, and the dispatch
/// that the registration uses.
pub(crate) mod parse {
    use nom::Parser as _;
    use nom::branch::alt;
    use nom::combinator::{map, opt, value};
    use nom::sequence::{delimited, preceded, separated_pair};

    use super::*;

    use crate::imap::syntax::core::{List, Mailbox, Sep};
    use crate::imap::syntax::input::{In, R, byte, consumed, expect, sp, word};
    use crate::imap::syntax::rules::{atom, mailbox, paren_list, spaced_list1};

    /// ```text
    /// event         = message-event / mailbox-event / user-event / event-ext
    /// message-event = ( "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")" ] ) /
    ///                 "MessageExpunge" / "FlagChange" / "AnnotationChange"
    /// mailbox-event = "MailboxName" / "SubscriptionChange" / "MailboxMetadataChange" /
    ///                 "ServerMetadataChange"
    /// event-ext     = atom
    /// ```
    /// An empty fetch-att list is accepted (§5.2 allows it).
    pub(crate) fn notify_event(i: In<'_>) -> R<'_, NotifyEvent<'_>> {
        use NotifyEvent as E;
        let (i, a) = atom(i)?;
        let is = |s: &str| a.eq_ignore_case(s);
        Ok(if is("MessageNew") {
            if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
                let (i, atts) =
                    paren_list(i.skip(1), crate::imap::base::fetch::parse::fetch_att, true)?;
                (i, E::MessageNew(Some(atts)))
            } else {
                (i, E::MessageNew(None))
            }
        } else if is("MessageExpunge") {
            (i, E::MessageExpunge)
        } else if is("FlagChange") {
            (i, E::FlagChange)
        } else if is("AnnotationChange") {
            (i, E::AnnotationChange)
        } else if is("MailboxName") {
            (i, E::MailboxName)
        } else if is("SubscriptionChange") {
            (i, E::SubscriptionChange)
        } else if is("MailboxMetadataChange") {
            (i, E::MailboxMetadataChange)
        } else if is("ServerMetadataChange") {
            (i, E::ServerMetadataChange)
        } else {
            (i, E::Other(a))
        })
    }

    /// ```text
    /// one-or-more-mailbox = mailbox / many-mailboxes
    /// many-mailboxes      = "(" mailbox *(SP mailbox) ")"
    /// ```
    pub(crate) fn one_or_more_mailbox(i: In<'_>) -> R<'_, List<'_, Mailbox<'_>>> {
        if i.peek() == Some(b'(') {
            paren_list(i, mailbox, false)
        } else {
            let (i, (raw, _)) = consumed(mailbox).parse(i)?;
            Ok((i, List::wire(raw, mailbox, Sep::Space, i.ctx())))
        }
    }

    /// ```text
    /// filter-mailboxes          = filter-mailboxes-selected / filter-mailboxes-other
    /// filter-mailboxes-selected = "selected" / "selected-delayed"
    /// filter-mailboxes-other    = "inboxes" / "personal" / "subscribed" /
    ///                             ( "subtree" SP one-or-more-mailbox ) /
    ///                             ( "mailboxes" SP one-or-more-mailbox )
    /// ```
    pub(crate) fn mailbox_filter(i: In<'_>) -> R<'_, MailboxFilter<'_>> {
        use MailboxFilter as F;
        expect(
            "filter-mailboxes",
            alt((
                value(F::SelectedDelayed, word(b"SELECTED-DELAYED")),
                value(F::Selected, word(b"SELECTED")),
                value(F::Inboxes, word(b"INBOXES")),
                value(F::Personal, word(b"PERSONAL")),
                value(F::Subscribed, word(b"SUBSCRIBED")),
                // filter-mailboxes-other =/ ("subtree-one" SP one-or-more-mailbox)
                // (RFC 7377 §2)
                map(
                    preceded((word(b"SUBTREE-ONE"), sp), one_or_more_mailbox),
                    F::SubtreeOne,
                ),
                map(
                    preceded((word(b"SUBTREE"), sp), one_or_more_mailbox),
                    F::Subtree,
                ),
                map(
                    preceded((word(b"MAILBOXES"), sp), one_or_more_mailbox),
                    F::Mailboxes,
                ),
            )),
        )
        .parse(i)
    }

    /// ```text
    /// event-group = "(" filter-mailboxes SP events ")"
    /// events      = ( "(" event *(SP event) ")" ) / "NONE"
    /// ```
    pub(crate) fn event_group(i: In<'_>) -> R<'_, EventGroup<'_>> {
        let events = alt((
            value(None, word(b"NONE")),
            map(|i| paren_list(i, notify_event, false), Some),
        ));
        map(
            delimited(
                byte(b'(', "'(' of event-group"),
                separated_pair(mailbox_filter, sp, events),
                byte(b')', "')'"),
            ),
            |(filter, events)| EventGroup { filter, events },
        )
        .parse(i)
    }

    /// ```text
    /// notify-set       = "SET" [status-indicator] SP event-groups
    /// status-indicator = SP "STATUS"
    /// event-groups     = event-group *(SP event-group)
    /// ```
    /// After `SET`.
    pub(crate) fn notify_set(i: In<'_>) -> R<'_, Notify<'_>> {
        map(
            (opt(preceded(sp, word(b"STATUS"))), |i| {
                spaced_list1(i, event_group, "SP event-group")
            }),
            |(status, groups)| Notify::Set {
                status: status.is_some(),
                groups,
            },
        )
        .parse(i)
    }

    /// ```text
    /// notify      = "NOTIFY" SP (notify-set / notify-none)
    /// notify-none = "NONE"
    /// ```
    /// After `NOTIFY`.
    pub(crate) fn notify(i: In<'_>) -> R<'_, Notify<'_>> {
        preceded(
            sp,
            expect(
                "SET or NONE",
                alt((
                    value(Notify::None, word(b"NONE")),
                    preceded(word(b"SET"), notify_set),
                )),
            ),
        )
        .parse(i)
    }

    /// `unsupported-events-code = "BADEVENT" SP "(" event *(SP event) ")"`,
    /// after `BADEVENT`.
    pub(crate) fn badevent_code(i: In<'_>) -> R<'_, List<'_, NotifyEvent<'_>>> {
        preceded(sp, |i| paren_list(i, notify_event, false)).parse(i)
    }
}

/// Emitting NOTIFY.
pub(crate) mod emit {
    use super::*;

    use crate::Error;
    use crate::imap::base::fetch::emit::fetch_att;
    use crate::imap::syntax::core::{List, Mailbox};
    use crate::imap::syntax::write::W;

    /// `one-or-more-mailbox = mailbox / many-mailboxes`
    pub(crate) fn mailboxes(w: &mut W<'_>, l: &List<'_, Mailbox<'_>>) -> Result<(), Error> {
        let v = l.to_vec();
        match v.as_slice() {
            [] => Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "NOTIFY filter mailbox",
            })),
            [one] => w.mailbox(one),
            many => {
                w.raw(b"(");
                for (i, m) in many.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.mailbox(m)?;
                }
                w.raw(b")");
                Ok(())
            }
        }
    }

    /// `event = message-event / mailbox-event / user-event / event-ext`
    pub(crate) fn event(w: &mut W<'_>, e: &NotifyEvent<'_>) -> Result<(), Error> {
        match e {
            NotifyEvent::Other(a) => {
                const KNOWN: [&str; 8] = [
                    "MessageNew",
                    "MessageExpunge",
                    "FlagChange",
                    "AnnotationChange",
                    "MailboxName",
                    "SubscriptionChange",
                    "MailboxMetadataChange",
                    "ServerMetadataChange",
                ];
                if KNOWN.iter().any(|k| a.eq_ignore_case(k)) {
                    return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
                }
                w.atom(a)?;
            }
            other => w.raw(other.name().as_bytes()),
        }
        if let NotifyEvent::MessageNew(Some(atts)) = e {
            w.raw(b" (");
            for (i, a) in atts.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                fetch_att(w, &a)?;
            }
            w.raw(b")");
        }
        Ok(())
    }

    /// `"(" event *(SP event) ")"`
    pub(crate) fn events(w: &mut W<'_>, l: &List<'_, NotifyEvent<'_>>) -> Result<(), Error> {
        w.raw(b"(");
        let mut any = false;
        for (i, e) in l.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            any = true;
            event(w, &e)?;
        }
        if !any {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "NOTIFY event",
            }));
        }
        w.raw(b")");
        Ok(())
    }

    /// `event-group = "(" filter-mailboxes SP events ")"`
    pub(crate) fn event_group(w: &mut W<'_>, g: &EventGroup<'_>) -> Result<(), Error> {
        w.raw(b"(");
        mailbox_filter(w, &g.filter)?;
        w.sp();
        match &g.events {
            None => w.raw(b"NONE"),
            Some(l) => events(w, l)?,
        }
        w.raw(b")");
        Ok(())
    }

    /// `filter-mailboxes` (RFC 5465 §8, `subtree-one` from RFC 7377 §2).
    pub(crate) fn mailbox_filter(w: &mut W<'_>, f: &MailboxFilter<'_>) -> Result<(), Error> {
        match f {
            MailboxFilter::Selected => w.raw(b"SELECTED"),
            MailboxFilter::SelectedDelayed => w.raw(b"SELECTED-DELAYED"),
            MailboxFilter::Inboxes => w.raw(b"INBOXES"),
            MailboxFilter::Personal => w.raw(b"PERSONAL"),
            MailboxFilter::Subscribed => w.raw(b"SUBSCRIBED"),
            MailboxFilter::Subtree(l) => {
                w.raw(b"SUBTREE ");
                mailboxes(w, l)?;
            }
            MailboxFilter::Mailboxes(l) => {
                w.raw(b"MAILBOXES ");
                mailboxes(w, l)?;
            }
            MailboxFilter::SubtreeOne(l) => {
                w.raw(b"SUBTREE-ONE ");
                mailboxes(w, l)?;
            }
        }
        Ok(())
    }

    /// The `NOTIFICATIONOVERFLOW` response code.
    pub(crate) fn notificationoverflow_code(w: &mut W<'_>) {
        w.raw(b"NOTIFICATIONOVERFLOW");
    }

    /// `unsupported-events-code = "BADEVENT" SP "(" event *(SP event) ")"`
    pub(crate) fn badevent_code(w: &mut W<'_>, l: &List<'_, NotifyEvent<'_>>) -> Result<(), Error> {
        w.raw(b"BADEVENT ");
        events(w, l)
    }

    /// `notify = "NOTIFY" SP (notify-set / notify-none)`
    pub(crate) fn notify(w: &mut W<'_>, n: &Notify<'_>) -> Result<(), Error> {
        w.raw(b"NOTIFY ");
        match n {
            Notify::None => w.raw(b"NONE"),
            Notify::Set { status, groups } => {
                w.raw(b"SET");
                if *status {
                    w.raw(b" STATUS");
                }
                let mut any = false;
                for g in groups.iter() {
                    any = true;
                    w.sp();
                    event_group(w, &g)?;
                }
                if !any {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "NOTIFY SET event group",
                    }));
                }
            }
        }
        Ok(())
    }
}
