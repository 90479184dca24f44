//! IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with the extensions real
//! servers use: the codec (`Command`, `Response`, their parsers and emitters)
//! and the framing stage below it.
//!
//! Framing comes before grammar: [`Framer`] finds where one message (a line
//! plus its announced literals) ends in a growing buffer, in one pass; then
//! [`parse_response`] / [`parse_greeting`] runs the grammar on that one
//! frame. Parsed values borrow from the frame: a FETCH response with ENVELOPE
//! and BODYSTRUCTURE is parsed with one allocation (its item list), its
//! nested lists (flags, addresses, body parts, parameters) being validated
//! once and iterated lazily ([`List`]). Take a list by value when you own it
//! (`for item in items`): its items are moved out, where `items.iter()`
//! clones each. A caller who reads every address and body part of many
//! FETCH responses (a sync tool) can instead have them handed over by the
//! validating pass itself: [`parse_response_with`] and a [`FetchVisitor`]
//! (one pass, nothing stored, everything borrowed).
//!
//! ```
//! use mailwire::imap::{Framer, Frame, parse_response, ParseOptions, Response, Data, FetchItem};
//! use mailwire::{Limits, wire::line::LinePolicy};
//!
//! let stream = b"* 12 FETCH (UID 7 FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\nA1 OK done\r\n";
//! let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
//! let Frame::Complete(n) = framer.find(stream).unwrap() else { panic!("incomplete") };
//! let Response::Data(Data::Fetch { seq, items }) =
//!     parse_response(&stream[..n], &ParseOptions::default()).unwrap() else { panic!() };
//! assert_eq!(seq, 12);
//! for item in items {
//!     match item {
//!         FetchItem::Uid(uid) => assert_eq!(uid, 7),
//!         FetchItem::BodySection { data, .. } => assert_eq!(data.unwrap().as_bytes(), b"hello"),
//!         _ => {}
//!     }
//! }
//! let Frame::Complete(m) = framer.find(&stream[n..]).unwrap() else { panic!() };
//! assert_eq!(m, 12);
//! ```
//!
//! Real servers deviate from the grammar; the known deviations are accepted
//! by default and listed on [`Quirks`]. Use [`ParseOptions::STRICT`] to
//! reject them.
//!
//! # Room plan (where the codec code lives)
//!
//! The codec is cut by concept, not by direction: a concept's value type,
//! its grammar and its emitter sit together, so an ABNF rule is written once.
//! The folders form layers; a layer names only the layers below it (checked
//! by `.ci/module_cycles.py`, which fails on a cycle between the folders of
//! `src/imap` and on the codec naming a machine):
//!
//! ```text
//! client, server          the machines (may use everything below)
//! entry, frame, tag        streaming entry points, framing, tags
//! parse, emit              the central grammar and emitters: frames, dispatch
//! registry                 the extension rooms' registration in the central enums
//! types                    the central enums (Command/CommandBody, Response/Data/Code)
//! ext                      extension rooms
//! base                     base protocol rooms
//! syntax, utf7             the ground floor
//! ```
//!
//! - **Ground floor** ([`syntax`]): the nom input type and character classes
//!   (`syntax::input`), the [`ParseOptions`] and [`Quirks`]
//!   ([`syntax::options`]), the core values ([`syntax::core`]: atom,
//!   astring, string, literal, number, sequence set, date-time, flags,
//!   mailbox, the lazy [`List`] and [`Lazy`]), their rules (`syntax::rules`,
//!   with RFC 4466's `tagged-ext`) and the writer with their emitters
//!   (`syntax::write`). It names nothing above it.
//! - **Base protocol rooms** ([`base`]): one module per concept of the base
//!   protocol, holding its types, a `parse` and an `emit` submodule, whatever
//!   the direction the concept travels in:
//!   - [`base::fetch`]: `fetch-att` ([`FetchAttribute`], [`FetchAttributes`]),
//!     `msg-att` ([`FetchItem`]), `section` ([`Section`], [`SectionText`],
//!     [`Part`]), the FETCH command's arguments and the FETCH visit
//!     ([`FetchVisitor`]);
//!   - [`base::body`]: ENVELOPE and BODYSTRUCTURE ([`Envelope`],
//!     [`Address`], [`BodyStructure`], ...), with the body events of a visit;
//!   - [`base::search`]: the search program ([`SearchKey`], [`ModSeqEntry`],
//!     [`EntryTypeReq`], `charset`), for SEARCH, SORT and THREAD;
//!   - [`base::status`]: `status-att-val` ([`StatusItem`]) and the STATUS
//!     command's `status-att` list;
//!   - [`base::list`]: LIST and LSUB ([`MailboxList`], [`MailboxAttribute`],
//!     [`ListExtendedItem`], [`ListReturnOption`], the delimiter);
//!   - [`base::store`]: STORE's `store-att-flags` ([`StoreKind`]);
//!   - [`base::select`]: SELECT/EXAMINE parameters with CONDSTORE and
//!     QRESYNC ([`SelectParam`], [`QResync`], [`SeqMatchData`]);
//!   - [`base::capability`]: the CAPABILITY and ENABLED lists;
//!   - [`base::sort`]: SORT and THREAD ([`SortCriterion`], [`SortKey`],
//!     [`Thread`]);
//!   - [`base::quota`]: QUOTA ([`QuotaResource`], `setquota-resource`);
//!   - [`base::namespace`]: NAMESPACE ([`Namespace`]);
//!   - [`base::append`]: APPEND's messages ([`AppendMessage`], `append-opts`);
//!   - [`base::savedate`]: SAVEDATE (RFC 8514), an extension that only adds
//!     FETCH items and SEARCH keys, so it sits beside FETCH and SEARCH (the
//!     path `ext::savedate` re-exports it).
//! - **Extension rooms** ([`ext`]): one module per extension with its types,
//!   `parse` and `emit`; its header lists the central enum variants it adds.
//!   They build on `syntax` and `base` and never name the central enums.
//! - **Central enums** (`types::command`, `types::response`): [`Command`],
//!   [`CommandBody`], [`Response`], [`Data`], [`Code`], holding the rooms'
//!   values in their variants.
//! - **Registration** (`registry`, crate-private): the dispatch tables the
//!   central grammar and emitters ask about a command, an untagged response
//!   or a response code they do not know, and per extension room the lines
//!   that read its variants with the room's rules and write them back.
//! - **Central grammar and emitters** ([`parse`], [`emit`]): the command and
//!   response frames, the dispatch on the command or response name, streamed
//!   literals (`parse::stream`) and the visit entry point (`parse::visit`).
//!   They call the rooms for everything inside a concept.
//!
//! Still inline in the central grammar (small, and only ever one
//! direction's frame): CREATE's parameters, the UIDPLUS codes (APPENDUID,
//! COPYUID), COMPRESS's mechanism, the ESEARCH-less SEARCH and SORT
//! responses' numbers.
//!
//! Adding an extension: write `ext/<name>.rs` (types, `parse`, `emit`,
//! [`IntoOwned`] through `into_owned!`, a header naming the variants it
//! adds), then register it: its variants in the central enums
//! (`types::command`, `types::response`), a module in `registry` that reads
//! and writes those variants with the room's rules and one line per table it
//! joins there (commands, untagged responses, response codes, emitters) or,
//! for FETCH items and SEARCH keys, one branch in the rule of [`base::fetch`]
//! or [`base::search`] that reads the item name; and its capability name in
//! the client's list if the client gates on it. The old paths (`types::ext`,
//! `types::command::…`, `types::core`, `parse::body`, …) re-export what moved.

pub mod base;
mod entry;
pub mod ext;
pub mod frame;
pub mod parse;
mod registry;
pub mod server;
pub mod syntax;
mod tag;
pub mod types;
pub mod utf7;

pub use base::append::AppendMessage;
pub use base::body::{
    Address, AddressIntoIter, AddressIter, AddressList, BodyExtension, BodyStructure, Disposition,
    Envelope, MultiPart, Params, SinglePart, Specific,
};
pub use base::fetch::{FetchAttribute, FetchAttributes, FetchItem, Part, Section, SectionText};
pub use base::list::{ListExtendedItem, ListReturnOption, MailboxAttribute, MailboxList};
pub use base::namespace::Namespace;
pub use base::quota::QuotaResource;
pub use base::search::{EntryTypeReq, ModSeqEntry, SearchKey};
pub use base::select::{QResync, SelectParam, SeqMatchData};
pub use base::sort::{SortCriterion, SortKey, Thread};
pub use base::status::StatusItem;
pub use base::store::StoreKind;
pub use entry::{parse_command_stream, parse_response_stream};
pub use ext::acl::{ModRights, Rights, RightsMode};
pub use ext::catenate::{AppendItem, CatenatePart};
pub use ext::esearch::{ContextUpdate, ESearch, ESearchMailbox, PartialRange, SearchReturnData};
pub use ext::id::IdParams;
pub use ext::inprogress::Progress;
pub use ext::metadata::{GetMetadataOption, MetadataDepth, MetadataEntries};
pub use ext::notify::{EventGroup, MailboxFilter, Notify, NotifyEvent};
pub use ext::urlauth::UrlMechanism;
pub use frame::{Frame, Framer, LiteralAnnouncement, LiteralMode};
pub use parse::command::{
    AuthenticateData, parse_authenticate_data, parse_command, parse_idle_done,
};
pub use parse::owned::OwnedResponse;
pub use parse::response::{parse_greeting, parse_response, response_tag};
pub use parse::stream::{
    AppendHead, FetchHead, StreamedItem, parse_append_head, parse_append_tail, parse_fetch_head,
    parse_fetch_tail,
};
pub use parse::visit::{AddressField, FetchVisitor, ParamsOf, parse_response_with};
pub use parse::{ParseOptions, Quirks};
pub use server::{FetchLiteral, LiteralSupport, Server, ServerConfig, ServerEvent, ServerState};
pub use syntax::core::{
    AString, Atom, Date, DateTime, Flag, IString, IntoOwned, Lazy, List, ListIntoIter, ListIter,
    Mailbox, NString, SeqNum, SeqRange, SequenceSet, Tag,
};
pub use types::command::{Command, CommandBody, CreateParam};
pub use types::response::{Code, Continue, Data, Response, StatusKind, StatusResponse};
pub mod emit;
pub use emit::{EmitOptions, Emitted, LiteralStyle, emit_command, emit_greeting, emit_response};
pub mod client;
pub use client::{Capabilities, Client, ClientConfig, ClientEvent, ClientState, CommandKind};
pub use client::{
    CommandFailed, FetchItems, FetchQuery, IntoSequenceSet, MailboxName, SearchQuery,
    StatusAttribute,
};
