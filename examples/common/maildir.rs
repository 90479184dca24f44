//! A small Maildir store for the example servers (the Maildir convention of qmail, with the Maildir++
//! folder layout of Courier/Dovecot):
//!
//! - a mailbox is a directory with `tmp/`, `new/` and `cur/`; a message is one file;
//! - delivery writes to `tmp/` under a unique name (`SECS.MUSECPPIDQCOUNTER.HOST`), syncs it, then renames
//!   it into `new/` (so a reader never sees half a message);
//! - the part of the name before `:2,` is the message's stable unique id (POP3 UIDL); the letters after
//!   `:2,` are its flags, sorted: `D`raft, `F`lagged, `P`assed, `R`eplied, `S`een, `T`rashed; a message
//!   with flags lives in `cur/`;
//! - Maildir++ folders are sibling directories of `new/`/`cur/` named `.Sub.Folder` (hierarchy separator
//!   `.`), each a mailbox of its own with an empty `maildirfolder` file; the root is `INBOX`;
//! - for IMAP, [`MailboxLock::sync_uids`] keeps `mailwire-uidlist` (UIDVALIDITY, next UID, one `UID ID` line per
//!   message, `UID* ID` while the message is `\Recent` for the next session to see it), keyed by the unique
//!   id so that a flag change (a rename) never changes a UID; `mailwire-keywords` maps IMAP keywords to the
//!   lowercase flag letters `a`..`z` (one `INDEX NAME` line each, like Dovecot's `dovecot-keywords`);
//!   `mailwire-uidvalidity` in the root keeps the last UIDVALIDITY given out, so that a mailbox deleted and
//!   created again gets a greater one; `subscriptions` lists the subscribed folders, one per line;
//! - the read-modify-write of these files and every rename or removal of a message by the IMAP server happen
//!   under [`Maildir::lock`]: a mutex within the process and a `mailwire.lock` dot-lock file (created with
//!   `O_EXCL`, holding the process id; taken over when that process has ended or the lock is older than
//!   30 s) between processes. Flag changes apply `+FLAGS`/`-FLAGS` to
//!   the name the file has on disk at that moment and retry when another writer renamed it first, so
//!   concurrent changes merge instead of overwriting each other.
//!
//! File-system calls are blocking (std::fs): fine for examples, not for a busy server.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The file keeping IMAP UIDs in each mailbox directory.
const UIDLIST: &str = "mailwire-uidlist";
/// The file mapping keywords to the letters `a`..`z` in each mailbox directory.
const KEYWORDS: &str = "mailwire-keywords";
/// The last UIDVALIDITY given out (in the root).
const UIDVALIDITY: &str = "mailwire-uidvalidity";
/// The dot-lock file of a mailbox directory.
const DOTLOCK: &str = "mailwire.lock";
/// A dot-lock older than this was left by a crashed process: it is taken over.
const STALE_LOCK: Duration = Duration::from_secs(30);
/// How long [`Maildir::lock`] waits for another process's dot-lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// How often a flag change is retried when other writers keep renaming the file.
const RENAME_TRIES: usize = 16;
/// The Maildir++ file of subscribed folders (in the root).
const SUBSCRIPTIONS: &str = "subscriptions";

/// Serialises the read-modify-write of UID lists and subscriptions between the connections of one process.
static STATE_LOCK: Mutex<()> = Mutex::new(());

/// A mailbox directory (the root `INBOX` or a Maildir++ folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Maildir {
    dir: PathBuf,
}

/// One message as [`Maildir::list`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageEntry {
    /// Where the file is now (it moves when its flags change: look it up again by `id`).
    pub(crate) path: PathBuf,
    /// The stable unique id: the file's base name before `:2,`.
    pub(crate) id: String,
    /// The file's size in bytes.
    pub(crate) size: u64,
    /// The Maildir flag letters, sorted (empty for a message in `new/`).
    pub(crate) flags: String,
    /// Whether the file is in `new/` (not yet seen by any client; IMAP `\Recent` is kept in the UID list).
    pub(crate) is_new: bool,
}

/// IMAP UIDs of a mailbox (RFC 9051 §2.3.1.1), from [`MailboxLock::sync_uids`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UidList {
    /// UIDVALIDITY: changes only if the list had to be started afresh.
    pub(crate) uid_validity: u32,
    /// The UID the next new message will get (UIDNEXT).
    pub(crate) next_uid: u32,
    /// The messages in UID order (ascending), i.e. sequence number = index + 1.
    pub(crate) messages: Vec<(u32, MessageEntry)>,
    /// `\Recent` messages: those this call claimed (with `claim_recent`), else those no session has seen yet.
    pub(crate) recent: BTreeSet<u32>,
}

/// How [`MailboxLock::update_flags`] changes a message's flag letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagOp {
    /// `FLAGS`: the IMAP letters (system flags and keywords) become these; other letters (`P`) stay.
    Replace,
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
}

/// The letters `op` makes of `old` with `letters`, sorted.
pub(crate) fn apply_flags(op: FlagOp, old: &str, letters: &str) -> String {
    let new: String = match op {
        FlagOp::Replace => {
            // Letters that are not IMAP flags (P: passed) stay.
            let kept: String = old
                .chars()
                .filter(|c| !"DFRST".contains(*c) && !c.is_ascii_lowercase())
                .collect();
            format!("{letters}{kept}")
        }
        FlagOp::Add => format!("{old}{letters}"),
        FlagOp::Remove => old.chars().filter(|c| !letters.contains(*c)).collect(),
    };
    normalise_flags(&new)
}

/// A mailbox locked for the read-modify-write of its state files and the renames of its messages
/// ([`Maildir::lock`]); unlocked on drop.
pub(crate) struct MailboxLock<'a> {
    maildir: &'a Maildir,
    dotlock: PathBuf,
    _guard: MutexGuard<'static, ()>,
}

impl Drop for MailboxLock<'_> {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.dotlock);
    }
}

/// A message being written to `tmp/`; [`commit`](Self::commit) moves it into the mailbox.
/// Dropping it without committing removes the temporary file.
#[derive(Debug)]
pub(crate) struct Delivery {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<BufWriter<File>>,
    size: u64,
    mtime: Option<SystemTime>,
}

impl Delivery {
    /// Appends a chunk (the Received header, then the body chunks as they arrive).
    pub(crate) fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("delivery already finished"))?;
        file.write_all(chunk)?;
        self.size += chunk.len() as u64;
        Ok(())
    }

    /// Gives the file this modification time when committed (IMAP INTERNALDATE).
    pub(crate) fn set_mtime(&mut self, time: SystemTime) {
        self.mtime = Some(time);
    }

    /// Bytes written so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Syncs the file to disk and renames it into `new/` (or `cur/` with flags); returns the final path.
    pub(crate) fn commit(mut self) -> io::Result<PathBuf> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("delivery already finished"))?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        if let Some(time) = self.mtime {
            file.set_modified(time)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&self.tmp, &self.dest)?;
        // The rename is durable only once the directory is on disk too.
        if let Some(dir) = self.dest.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(self.dest.clone())
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// This host's name for unique file names, with `/` and `:` written as `\057` and `\072` as the
/// convention asks.
fn hostname() -> String {
    let raw = fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "localhost".to_owned());
    raw.replace('/', "\\057").replace(':', "\\072")
}

/// A name unique on this host: seconds, microseconds, process id, a per-process counter, host name.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // microseconds zero-padded: names then sort in delivery order (readers
    // that list `new/` by name, like the IMAP example's UID order, rely on it)
    format!(
        "{}.M{:06}P{}Q{}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        n,
        hostname()
    )
}

/// Sorted, de-duplicated flag letters (ASCII letters only).
fn normalise_flags(flags: &str) -> String {
    let mut letters: Vec<char> = flags.chars().filter(char::is_ascii_alphabetic).collect();
    letters.sort_unstable();
    letters.dedup();
    letters.into_iter().collect()
}

/// The IMAP system flags of Maildir flag letters (`\Recent` is not a letter: see [`UidList::recent`]).
pub(crate) fn maildir_flags_to_imap(flags: &str) -> Vec<&'static str> {
    flags
        .chars()
        .filter_map(|c| match c {
            'D' => Some("\\Draft"),
            'F' => Some("\\Flagged"),
            'R' => Some("\\Answered"),
            'S' => Some("\\Seen"),
            'T' => Some("\\Deleted"),
            _ => None,
        })
        .collect()
}

/// Maildir flag letters for IMAP flags (case-insensitive); keywords and `\Recent` are dropped.
pub(crate) fn imap_flags_to_maildir<'a>(flags: impl IntoIterator<Item = &'a str>) -> String {
    let letters: String = flags
        .into_iter()
        .filter_map(|f| match f.to_ascii_lowercase().as_str() {
            "\\draft" => Some('D'),
            "\\flagged" => Some('F'),
            "\\answered" => Some('R'),
            "\\seen" => Some('S'),
            "\\deleted" => Some('T'),
            _ => None,
        })
        .collect();
    normalise_flags(&letters)
}

/// Whether `name` is acceptable as a Maildir++ folder name (not `INBOX`).
fn valid_folder_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !name.contains(['/', '\\', '\0', '\r', '\n'])
}

fn bad_folder(name: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("bad folder name {name:?}"),
    )
}

impl Maildir {
    /// Opens the Maildir at `dir`, creating it (and `tmp/`, `new/`, `cur/`) if needed.
    pub(crate) fn open_or_create(dir: impl AsRef<Path>) -> io::Result<Maildir> {
        let dir = dir.as_ref().to_path_buf();
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        Ok(Maildir { dir })
    }

    /// Opens an existing Maildir (it must have `cur/`).
    pub(crate) fn open(dir: impl AsRef<Path>) -> io::Result<Maildir> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.join("cur").is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: not a Maildir", dir.display()),
            ));
        }
        Ok(Maildir { dir })
    }

    /// The mailbox directory.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Starts writing a message that [`Delivery::commit`] puts into `new/`.
    pub(crate) fn start_delivery(&self) -> io::Result<Delivery> {
        self.start_delivery_with_flags(None)
    }

    /// Starts writing a message; with `Some(flags)` it goes to `cur/` with those flags (IMAP APPEND),
    /// with `None` to `new/`.
    pub(crate) fn start_delivery_with_flags(&self, flags: Option<&str>) -> io::Result<Delivery> {
        let name = unique_name();
        let tmp = self.dir.join("tmp").join(&name);
        let dest = match flags {
            None => self.dir.join("new").join(&name),
            Some(flags) => self
                .dir
                .join("cur")
                .join(format!("{name}:2,{}", normalise_flags(flags))),
        };
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        Ok(Delivery {
            tmp,
            dest,
            file: Some(BufWriter::new(file)),
            size: 0,
            mtime: None,
        })
    }

    /// Delivers a whole message into `new/`; returns its path.
    pub(crate) fn deliver(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        let mut delivery = self.start_delivery()?;
        delivery.write(bytes)?;
        delivery.commit()
    }

    /// Delivers a whole message into `cur/` with these flags (IMAP APPEND).
    pub(crate) fn deliver_with_flags(&self, bytes: &[u8], flags: &str) -> io::Result<PathBuf> {
        let mut delivery = self.start_delivery_with_flags(Some(flags))?;
        delivery.write(bytes)?;
        delivery.commit()
    }

    /// The messages in `new/` and `cur/`, sorted by file name (delivery order for names made here).
    pub(crate) fn list(&self) -> io::Result<Vec<MessageEntry>> {
        let mut out = Vec::new();
        for (sub, is_new) in [("new", true), ("cur", false)] {
            for entry in fs::read_dir(self.dir.join(sub))? {
                let entry = entry?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') {
                    continue;
                }
                let meta = match entry.metadata() {
                    Ok(meta) if meta.is_file() => meta,
                    // Gone meanwhile (another connection moved it) or not a file.
                    _ => continue,
                };
                let (id, flags) = match name.split_once(":2,") {
                    Some((id, flags)) => (id, flags),
                    None => (name.split(':').next().unwrap_or(name), ""),
                };
                out.push(MessageEntry {
                    path: entry.path(),
                    id: id.to_owned(),
                    size: meta.len(),
                    flags: flags.to_owned(),
                    is_new,
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The message with this unique id, wherever it is now.
    pub(crate) fn find(&self, id: &str) -> io::Result<Option<MessageEntry>> {
        Ok(self.list()?.into_iter().find(|m| m.id == id))
    }

    /// A message's bytes.
    pub(crate) fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    /// Removes a message.
    pub(crate) fn delete(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    /// The flag letters of a message file (after `:2,` in its name; empty when none).
    pub(crate) fn flags(path: &Path) -> String {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split_once(":2,"))
            .map(|(_, flags)| flags.to_owned())
            .unwrap_or_default()
    }

    /// Sets a message's flags (letters, any order): renames it to `cur/ID:2,FLAGS`; returns the new path.
    /// (Overwrites whatever another writer set meanwhile: the IMAP server uses
    /// [`MailboxLock::update_flags`].)
    pub(crate) fn set_flags(&self, path: &Path, flags: &str) -> io::Result<PathBuf> {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not a message file name")
        })?;
        let id = match name.split_once(":2,") {
            Some((id, _)) => id,
            None => name.split(':').next().unwrap_or(name),
        };
        let target = self
            .dir
            .join("cur")
            .join(format!("{id}:2,{}", normalise_flags(flags)));
        if target != path {
            fs::rename(path, &target)?;
        }
        Ok(target)
    }

    /// Copies a message into `dest` (IMAP COPY) with the same flags and modification time (the IMAP
    /// INTERNALDATE), under a new unique name.
    pub(crate) fn copy_to(&self, path: &Path, dest: &Maildir) -> io::Result<PathBuf> {
        self.copy_with_flags(path, dest, &Self::flags(path))
    }

    /// Copies a message into `dest`'s `cur/` with the flag letters `letters`, streaming the file and keeping
    /// its modification time (the IMAP INTERNALDATE).
    pub(crate) fn copy_with_flags(
        &self,
        path: &Path,
        dest: &Maildir,
        letters: &str,
    ) -> io::Result<PathBuf> {
        let mut source = File::open(path)?;
        let mtime = source.metadata()?.modified()?;
        let mut delivery = dest.start_delivery_with_flags(Some(letters))?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = io::Read::read(&mut source, &mut buf)?;
            if n == 0 {
                break;
            }
            delivery.write(&buf[..n])?;
        }
        delivery.set_mtime(mtime);
        delivery.commit()
    }

    /// Moves a message into `dest`'s `cur/` keeping its name (one rename on one file system; the IMAP server
    /// uses [`MailboxLock::move_to`]).
    pub(crate) fn move_to(&self, path: &Path, dest: &Maildir) -> io::Result<PathBuf> {
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not a message file name")
        })?;
        let target = dest.dir.join("cur").join(name);
        fs::rename(path, &target)?;
        Ok(target)
    }

    /// The Maildir++ folders under this root: `Sub` and `Sub.Folder` for `.Sub` and `.Sub.Folder`, sorted.
    pub(crate) fn folders(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(folder) = name.strip_prefix('.') else {
                continue;
            };
            if valid_folder_name(folder) && entry.path().join("cur").is_dir() {
                out.push(folder.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The directory of folder `name` (not checked for existence).
    fn folder_dir(&self, name: &str) -> io::Result<PathBuf> {
        if !valid_folder_name(name) {
            return Err(bad_folder(name));
        }
        Ok(self.dir.join(format!(".{name}")))
    }

    /// Whether `name` is `INBOX` (case-insensitive), the root itself.
    pub(crate) fn is_inbox(name: &str) -> bool {
        name.eq_ignore_ascii_case("INBOX")
    }

    /// An existing folder: `INBOX` (any case) is this root, `Sub.Folder` is `.Sub.Folder`. `NotFound` if absent.
    pub(crate) fn folder(&self, name: &str) -> io::Result<Maildir> {
        if Self::is_inbox(name) {
            return Ok(self.clone());
        }
        Maildir::open(self.folder_dir(name)?)
    }

    /// Creates folder `name` (`AlreadyExists` if it exists), with the `maildirfolder` marker.
    pub(crate) fn create_folder(&self, name: &str) -> io::Result<Maildir> {
        let dir = self.folder_dir(name)?;
        if Self::is_inbox(name) || dir.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("folder {name} exists"),
            ));
        }
        let folder = Maildir::open_or_create(&dir)?;
        File::create(dir.join("maildirfolder"))?;
        Ok(folder)
    }

    /// Deletes folder `name` with its messages (not `INBOX`).
    pub(crate) fn delete_folder(&self, name: &str) -> io::Result<()> {
        if Self::is_inbox(name) {
            return Err(bad_folder(name));
        }
        let dir = self.folder_dir(name)?;
        if !dir.join("cur").is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no folder {name}"),
            ));
        }
        fs::remove_dir_all(dir)
    }

    /// Renames folder `from` to `to` (its subfolders `from.*` are not renamed; not `INBOX`).
    pub(crate) fn rename_folder(&self, from: &str, to: &str) -> io::Result<()> {
        if Self::is_inbox(from) || Self::is_inbox(to) {
            return Err(bad_folder(from));
        }
        let (src, dst) = (self.folder_dir(from)?, self.folder_dir(to)?);
        if dst.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("folder {to} exists"),
            ));
        }
        fs::rename(src, dst)
    }

    /// The subscribed folder names (from the root's `subscriptions` file; empty when absent).
    pub(crate) fn subscriptions(&self) -> io::Result<Vec<String>> {
        match fs::read_to_string(self.dir.join(SUBSCRIPTIONS)) {
            Ok(text) => Ok(text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Subscribes to (or unsubscribes from) `name`.
    pub(crate) fn set_subscribed(&self, name: &str, subscribed: bool) -> io::Result<()> {
        if name.contains(['\r', '\n']) {
            return Err(bad_folder(name));
        }
        let _guard = STATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut names = self.subscriptions()?;
        names.retain(|n| n != name);
        if subscribed {
            names.push(name.to_owned());
        }
        names.sort();
        let text: String = names.iter().map(|n| format!("{n}\n")).collect();
        write_atomically(&self.dir.join(SUBSCRIPTIONS), text.as_bytes())
    }

    /// [`MailboxLock::sync_uids`] under a lock of its own, claiming no `\Recent` message (STATUS, APPENDUID).
    pub(crate) fn sync_uids(&self) -> io::Result<UidList> {
        self.lock()?.sync_uids(false)
    }

    /// Locks the mailbox: a mutex within the process, then the dot-lock file between processes (waiting up
    /// to 10 s for another process; a lock older than 30 s is taken over).
    pub(crate) fn lock(&self) -> io::Result<MailboxLock<'_>> {
        let guard = STATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let dotlock = self.dir.join(DOTLOCK);
        let start = Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dotlock)
            {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&dotlock)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK)
                        || holder_is_gone(&dotlock);
                    if stale {
                        let _ = fs::remove_file(&dotlock);
                        continue;
                    }
                    if start.elapsed() > LOCK_WAIT {
                        return Err(io::Error::new(
                            io::ErrorKind::WouldBlock,
                            format!("{} is locked", self.dir.display()),
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(MailboxLock {
            maildir: self,
            dotlock,
            _guard: guard,
        })
    }

    /// The root of the Maildir++ tree this mailbox belongs to (a folder has a `maildirfolder` file).
    fn root_dir(&self) -> PathBuf {
        if self.dir.join("maildirfolder").exists() {
            if let Some(parent) = self.dir.parent() {
                return parent.to_path_buf();
            }
        }
        self.dir.clone()
    }

    /// The keywords of this mailbox, index `i` being the letter `a + i` (from `mailwire-keywords`).
    pub(crate) fn keywords(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Ok(text) = fs::read_to_string(self.dir.join(KEYWORDS)) {
            for line in text.lines() {
                let Some((index, name)) = line.split_once(' ') else {
                    continue;
                };
                let Ok(index) = index.parse::<usize>() else {
                    continue;
                };
                if index < 26 && !name.is_empty() {
                    if out.len() <= index {
                        out.resize(index + 1, String::new());
                    }
                    out[index] = name.to_owned();
                }
            }
        }
        out
    }

    /// The message with this unique id, looking at file names only.
    fn find_fast(&self, id: &str) -> io::Result<Option<PathBuf>> {
        for sub in ["cur", "new"] {
            for entry in fs::read_dir(self.dir.join(sub))? {
                let entry = entry?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name
                    .strip_prefix(id)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
                {
                    return Ok(Some(entry.path()));
                }
            }
        }
        Ok(None)
    }
}

/// Whether the process whose id a dot-lock holds has ended (where `/proc` tells; a lock written by another
/// host or without a number is left to the age rule).
fn holder_is_gone(dotlock: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dotlock) else {
        return false;
    };
    match text.trim().parse::<u32>() {
        Ok(pid) => Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

/// The unique id of a message file name (before `:2,`, or before any `:`).
pub(crate) fn id_of(name: &str) -> &str {
    match name.split_once(":2,") {
        Some((id, _)) => id,
        None => name.split(':').next().unwrap_or(name),
    }
}

impl MailboxLock<'_> {
    /// Brings the IMAP UID list up to date with the messages on disk and returns it: messages keep their
    /// UIDs (a message is known by its unique id, so renames for flag changes do not matter), vanished ones
    /// are dropped, new ones get the next UIDs in name order. A message missing from one listing (renamed by
    /// a writer outside this process while the directory was read) is looked for in a second listing before
    /// it counts as gone. A missing or unreadable list starts afresh with a new UIDVALIDITY, greater than
    /// any given out before in this Maildir++ tree.
    ///
    /// New messages are `\Recent` for the first session to see them: with `claim_recent` this session
    /// takes them (they move from `new/` to `cur/`) and no other session will see them as recent.
    pub(crate) fn sync_uids(&self, claim_recent: bool) -> io::Result<UidList> {
        let dir = &self.maildir.dir;
        let path = dir.join(UIDLIST);
        let old_text = fs::read_to_string(&path).ok();
        let (mut uid_validity, mut next_uid) = (0u32, 1u32);
        // (uid, id, recent-pending)
        let mut known = Vec::<(u32, String, bool)>::new();
        if let Some(text) = &old_text {
            let mut lines = text.lines();
            if let Some(header) = lines.next() {
                for field in header.split_whitespace() {
                    if let Some(v) = field.strip_prefix('V') {
                        uid_validity = v.parse().unwrap_or(0);
                    } else if let Some(n) = field.strip_prefix('N') {
                        next_uid = n.parse().unwrap_or(0);
                    }
                }
            }
            for line in lines {
                let parsed = line.split_once(' ').and_then(|(uid, id)| {
                    let (uid, pending) = match uid.strip_suffix('*') {
                        Some(uid) => (uid, true),
                        None => (uid, false),
                    };
                    Some((uid.parse::<u32>().ok()?, id, pending))
                });
                if let Some((uid, id, pending)) = parsed {
                    if uid > 0 && uid < next_uid {
                        known.push((uid, id.to_owned(), pending));
                    }
                }
            }
        }
        let fresh = uid_validity == 0 || next_uid == 0;
        if fresh {
            uid_validity = self.next_uid_validity()?;
            next_uid = 1;
            known.clear();
        }
        known.sort_by_key(|(uid, _, _)| *uid);
        known.dedup_by(|a, b| a.0 == b.0 || a.1 == b.1);
        let mut on_disk: HashMap<String, MessageEntry> = HashMap::new();
        for entry in self.maildir.list()? {
            on_disk.insert(entry.id.clone(), entry);
        }
        if known.iter().any(|(_, id, _)| !on_disk.contains_key(id)) {
            for entry in self.maildir.list()? {
                on_disk.entry(entry.id.clone()).or_insert(entry);
            }
        }
        let mut messages = Vec::with_capacity(on_disk.len());
        let mut pending = BTreeSet::new();
        for (uid, id, was_pending) in known {
            if let Some(entry) = on_disk.remove(&id) {
                if was_pending || entry.is_new {
                    pending.insert(uid);
                }
                messages.push((uid, entry));
            }
        }
        let mut unknown: Vec<MessageEntry> = on_disk.into_values().collect();
        unknown.sort_by(|a, b| a.id.cmp(&b.id));
        for entry in unknown {
            // In a list started afresh only what is in new/ is new; after that, everything that arrives is.
            if !fresh || entry.is_new {
                pending.insert(next_uid);
            }
            messages.push((next_uid, entry));
            next_uid = next_uid.saturating_add(1);
        }
        let recent = pending.clone();
        if claim_recent {
            for (uid, entry) in &mut messages {
                if pending.contains(uid) && entry.is_new {
                    // Seen by a client now: from new/ to cur/ (Maildir's convention).
                    let target = dir
                        .join("cur")
                        .join(format!("{}:2,{}", entry.id, entry.flags));
                    if fs::rename(&entry.path, &target).is_ok() {
                        entry.path = target;
                        entry.is_new = false;
                    }
                }
            }
            pending.clear();
        }
        let mut text = format!("V{uid_validity} N{next_uid}\n");
        for (uid, entry) in &messages {
            let mark = if pending.contains(uid) { "*" } else { "" };
            text.push_str(&format!("{uid}{mark} {}\n", entry.id));
        }
        if old_text.as_deref() != Some(text.as_str()) {
            write_atomically(&path, text.as_bytes())?;
        }
        Ok(UidList {
            uid_validity,
            next_uid,
            messages,
            recent,
        })
    }

    /// A UIDVALIDITY greater than any given out before in this tree: max(now, last + 1), kept in the root.
    fn next_uid_validity(&self) -> io::Result<u32> {
        let file = self.maildir.root_dir().join(UIDVALIDITY);
        let last: u32 = fs::read_to_string(&file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let now = u32::try_from(now).unwrap_or(u32::MAX - 1).max(1);
        let value = now.max(last.saturating_add(1));
        write_atomically(&file, format!("{value}\n").as_bytes())?;
        Ok(value)
    }

    /// Where the message with this id is now (`hint` if it is still there); `None` when it is gone.
    pub(crate) fn locate(&self, id: &str, hint: &Path) -> io::Result<Option<PathBuf>> {
        if hint.is_file() {
            return Ok(Some(hint.to_path_buf()));
        }
        self.maildir.find_fast(id)
    }

    /// Changes the flag letters of message `id` (last seen at `hint`) by `op`, starting from the name the
    /// file has now, and retrying when another writer renames it meanwhile. Returns where it is and its
    /// letters, or `None` when the message is gone (expunged by another session).
    pub(crate) fn update_flags(
        &self,
        id: &str,
        hint: &Path,
        op: FlagOp,
        letters: &str,
    ) -> io::Result<Option<(PathBuf, String)>> {
        let mut hint = hint.to_path_buf();
        for _ in 0..RENAME_TRIES {
            let Some(path) = self.locate(id, &hint)? else {
                return Ok(None);
            };
            let old = Maildir::flags(&path);
            let new = apply_flags(op, &old, letters);
            if new == old {
                return Ok(Some((path, old)));
            }
            let target = self.maildir.dir.join("cur").join(format!("{id}:2,{new}"));
            match fs::rename(&path, &target) {
                Ok(()) => return Ok(Some((target, new))),
                // Renamed or removed by someone else meanwhile: look again.
                Err(e) if e.kind() == io::ErrorKind::NotFound => hint = PathBuf::new(),
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "message {id} keeps being renamed"
        )))
    }

    /// Removes message `id` (last seen at `hint`); `Ok(false)` when it was gone already.
    pub(crate) fn remove(&self, id: &str, hint: &Path) -> io::Result<bool> {
        let mut hint = hint.to_path_buf();
        for _ in 0..RENAME_TRIES {
            let Some(path) = self.locate(id, &hint)? else {
                return Ok(false);
            };
            match fs::remove_file(&path) {
                Ok(()) => return Ok(true),
                Err(e) if e.kind() == io::ErrorKind::NotFound => hint = PathBuf::new(),
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "message {id} keeps being renamed"
        )))
    }

    /// Moves message `id` (last seen at `hint`) into `dest`'s `cur/` with the flag letters `letters`,
    /// keeping its unique name (IMAP MOVE: one rename). `None` when it is gone.
    pub(crate) fn move_to(
        &self,
        id: &str,
        hint: &Path,
        dest: &Maildir,
        letters: &str,
    ) -> io::Result<Option<PathBuf>> {
        let target = dest
            .dir
            .join("cur")
            .join(format!("{id}:2,{}", normalise_flags(letters)));
        let mut hint = hint.to_path_buf();
        for _ in 0..RENAME_TRIES {
            let Some(path) = self.locate(id, &hint)? else {
                return Ok(None);
            };
            match fs::rename(&path, &target) {
                Ok(()) => return Ok(Some(target)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => hint = PathBuf::new(),
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "message {id} keeps being renamed"
        )))
    }

    /// The letters of IMAP keywords in this mailbox (case-insensitive), giving unknown ones the next free
    /// letter when `create` (26 at most). Returns the letters and whether every keyword got one.
    pub(crate) fn keyword_letters<'k>(
        &self,
        names: impl IntoIterator<Item = &'k str>,
        create: bool,
    ) -> io::Result<(String, bool)> {
        let mut keywords = self.maildir.keywords();
        let before = keywords.len();
        let (mut letters, mut all) = (String::new(), true);
        for name in names {
            if name.starts_with('\\') || name.is_empty() {
                continue;
            }
            let index = match keywords.iter().position(|k| k.eq_ignore_ascii_case(name)) {
                Some(i) => Some(i),
                None if create && keywords.len() < 26 => {
                    keywords.push(name.to_owned());
                    Some(keywords.len() - 1)
                }
                None => None,
            };
            match index {
                Some(i) => letters.push(char::from(b'a' + i as u8)),
                None => all = false,
            }
        }
        if keywords.len() != before {
            let text: String = keywords
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{i} {k}\n"))
                .collect();
            write_atomically(&self.maildir.dir.join(KEYWORDS), text.as_bytes())?;
        }
        Ok((normalise_flags(&letters), all))
    }
}

/// Writes `path` through a temporary file and a rename, so readers see the old or the new content.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// Maildir's 36-hour rule: removes the files in `tmp/` of the mailbox `root` and of each Maildir++ folder
/// (`root/.NAME/tmp/`) last modified more than `max_age` ago: deliveries that a crash interrupted.
/// Returns how many were removed.
pub(crate) fn clean_stale_tmp(root: &Path, max_age: std::time::Duration) -> io::Result<usize> {
    let mut dirs = vec![root.join("tmp")];
    for entry in fs::read_dir(root)?.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            dirs.push(entry.path().join("tmp"));
        }
    }
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok());
            if meta.is_file()
                && age.is_some_and(|age| age > max_age)
                && fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    Ok(removed)
}
