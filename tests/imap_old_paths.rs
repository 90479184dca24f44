//! The codec moved into rooms (issue 16, part 4); every public path of the
//! direction-cut layout still names the same item. This is a compile test:
//! each `use` below fails to build if a path stops resolving or a re-export
//! points at a different type.
#![cfg(feature = "imap")]

#[allow(unused_imports)]
use mailwire::imap::types::body::{
    Address, AddressList, BodyExtension, BodyStructure, Disposition, Envelope, MultiPart, Params,
    SinglePart, Specific,
};
#[allow(unused_imports)]
use mailwire::imap::types::command::{
    AppendMessage, Command, CommandBody, CreateParam, EntryTypeReq, FetchAttribute,
    FetchAttributes, GetMetadataOption, ListReturnOption, MetadataDepth, ModSeqEntry, QResync,
    SearchKey, SelectParam, SeqMatchData, SortCriterion, SortKey, StoreKind,
};
#[allow(unused_imports)]
use mailwire::imap::types::core::{
    AString, Atom, Date, DateTime, Flag, IString, IntoOwned, Lazy, List, ListIter, Mailbox,
    NString, SeqNum, SeqRange, SequenceSet, Tag, is_atom,
};
#[allow(unused_imports)]
use mailwire::imap::types::ext::{
    AppendItem, CatenatePart, EventGroup, MailboxFilter, ModRights, Notify, NotifyEvent, Rights,
    RightsMode, UrlMechanism, is_url_mechanism,
};
#[allow(unused_imports)]
use mailwire::imap::types::response::{
    Code, Continue, Data, ESearch, ESearchMailbox, FetchItem, IdParams, ListExtendedItem,
    MailboxAttribute, MailboxList, MetadataEntries, Namespace, Part, QuotaResource, Response,
    SearchReturnData, Section, SectionText, StatusItem, StatusKind, StatusResponse, Thread,
};

/// The old paths and the rooms name the same types (a type mismatch would
/// not compile).
#[test]
fn old_paths_and_rooms_name_the_same_items() {
    fn same<T>(_: Option<T>, _: Option<T>) {}
    same::<mailwire::imap::base::list::MailboxList<'static>>(None, None::<MailboxList<'static>>);
    same::<mailwire::imap::base::sort::Thread<'static>>(None, None::<Thread<'static>>);
    same::<mailwire::imap::base::store::StoreKind>(None, None::<StoreKind>);
    same::<mailwire::imap::base::select::SelectParam<'static>>(None, None::<SelectParam<'static>>);
    same::<mailwire::imap::base::body::Envelope<'static>>(None, None::<Envelope<'static>>);
    same::<mailwire::imap::ext::metadata::MetadataDepth>(None, None::<MetadataDepth>);
    same::<mailwire::imap::ext::savedate::SaveDateKey>(
        None,
        None::<mailwire::imap::base::savedate::SaveDateKey>,
    );
    same::<mailwire::imap::syntax::core::Flag<'static>>(None, None::<Flag<'static>>);
    same::<mailwire::imap::syntax::options::ParseOptions>(
        None,
        None::<mailwire::imap::parse::ParseOptions>,
    );
    let _ = mailwire::imap::emit::LITERAL_MINUS_MAX;
    assert_eq!(StoreKind::Add, mailwire::imap::StoreKind::Add);
    assert_eq!(MetadataDepth::Infinity.as_str(), "infinity");
}
