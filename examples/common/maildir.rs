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
//! - for IMAP, [`Maildir::sync_uids`] keeps `mailwire-uidlist` (UIDVALIDITY, next UID, one `UID ID` line per
//!   message) and `subscriptions` lists the subscribed folders, one per line.
//!
//! File-system calls are blocking (std::fs): fine for examples, not for a busy server.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The file keeping IMAP UIDs in each mailbox directory.
const UIDLIST: &str = "mailwire-uidlist";
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
    /// Whether the file is in `new/` (not yet seen by any client: IMAP `\Recent`).
    pub(crate) is_new: bool,
}

/// IMAP UIDs of a mailbox (RFC 9051 §2.3.1.1), from [`Maildir::sync_uids`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UidList {
    /// UIDVALIDITY: changes only if the list had to be started afresh.
    pub(crate) uid_validity: u32,
    /// The UID the next new message will get (UIDNEXT).
    pub(crate) next_uid: u32,
    /// The messages in UID order (ascending), i.e. sequence number = index + 1.
    pub(crate) messages: Vec<(u32, MessageEntry)>,
}

/// A message being written to `tmp/`; [`commit`](Self::commit) moves it into the mailbox.
/// Dropping it without committing removes the temporary file.
#[derive(Debug)]
pub(crate) struct Delivery {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<BufWriter<File>>,
    size: u64,
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

/// The IMAP system flags of Maildir flag letters (`\Recent` is not stored: it is [`MessageEntry::is_new`]).
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

    /// Copies a message into `dest` (IMAP COPY) with the same flags, under a new unique name.
    pub(crate) fn copy_to(&self, path: &Path, dest: &Maildir) -> io::Result<PathBuf> {
        let bytes = self.read(path)?;
        dest.deliver_with_flags(&bytes, &Self::flags(path))
    }

    /// Moves a message into `dest`'s `cur/` keeping its name (IMAP MOVE; one rename on one file system).
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

    /// Brings the IMAP UID list up to date with the messages on disk and returns it: messages keep their
    /// UIDs, vanished ones are dropped, new ones get the next UIDs in name order. A missing or unreadable
    /// list starts afresh with a new UIDVALIDITY (the current time).
    pub(crate) fn sync_uids(&self) -> io::Result<UidList> {
        let _guard = STATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.dir.join(UIDLIST);
        let (mut uid_validity, mut next_uid, mut known) = (0u32, 1u32, Vec::<(u32, String)>::new());
        if let Ok(text) = fs::read_to_string(&path) {
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
                let parsed = line
                    .split_once(' ')
                    .and_then(|(uid, id)| Some((uid.parse::<u32>().ok()?, id)));
                if let Some((uid, id)) = parsed {
                    known.push((uid, id.to_owned()));
                }
            }
        }
        if uid_validity == 0 || next_uid == 0 {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            uid_validity = u32::try_from(secs).unwrap_or(1).max(1);
            next_uid = 1;
            known.clear();
        }
        known.sort_by_key(|(uid, _)| *uid);
        let mut on_disk = self.list()?;
        let mut messages = Vec::with_capacity(on_disk.len());
        for (uid, id) in known {
            if let Some(pos) = on_disk.iter().position(|m| m.id == id) {
                messages.push((uid, on_disk.remove(pos)));
            }
        }
        for entry in on_disk {
            messages.push((next_uid, entry));
            next_uid = next_uid.saturating_add(1);
        }
        let mut text = format!("V{uid_validity} N{next_uid}\n");
        for (uid, entry) in &messages {
            text.push_str(&format!("{uid} {}\n", entry.id));
        }
        write_atomically(&path, text.as_bytes())?;
        Ok(UidList {
            uid_validity,
            next_uid,
            messages,
        })
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
