#!/usr/bin/env python3
"""Captures real IMAP responses from the Dovecot test peer (tests/peers/start.sh) into a corpus.

Usage: capture_dovecot.py PEERS_ENV OUTDIR

PEERS_ENV is the peers.env file start.sh writes (PEER_HOST, IMAP_PORT, PEER_USER, PEER_PASS are used).
For every step of a scripted session the exact bytes the server sent (CRLFs and literals included)
are written to OUTDIR/<session>-<nn>-<what>.bin, and the exact bytes the client sent to the matching
.cmd file (empty for the greeting). Sessions:

  s1  the main session: capabilities, ID, ENABLE CONDSTORE QRESYNC, NAMESPACE, mailbox management,
      LIST / LIST-EXTENDED / LSUB / STATUS, EXAMINE and FETCH of the seeded INBOX (read-only, PEEK),
      SEARCH / ESEARCH / SORT / THREAD, QUOTA, METADATA, then COPY / APPEND / STORE / MOVE / EXPUNGE /
      UID EXPUNGE / IDLE / QRESYNC in a scratch mailbox, deliberate errors, clean-up, LOGOUT.
  s2  a command in the wrong state, failed LOGIN and AUTHENTICATE, AUTHENTICATE PLAIN (SASL-IR),
      ENABLE UTF8=ACCEPT, a FETCH of the UTF-8 seeded message, then EXPUNGE / MOVE without QRESYNC
      (untagged EXPUNGE) in a second scratch mailbox (Corpus2).
  s3  a second connection that APPENDs to the scratch mailbox while s1 is in IDLE.
  s4  STARTTLS accepted; the capture stops where the TLS handshake would start.
  s5  Dovecot's own items outside the RFCs: STATUS X-SIZE / X-GUID, FETCH X-MAILBOX / X-REAL-UID /
      X-SAVEDATE / X-GUID, and SNIPPET (the draft name of PREVIEW).

Commands use the tags mailwire's imap::Client generates (A0001, A0002, ... per connection), so that
tests/imap_corpus.rs can replay each session through the client machine. Commands the client cannot
send (bad syntax, or a command the client machine refuses in the session state) are tagged X1, X2, ...

The seeded INBOX is only EXAMINEd and fetched with PEEK: its flags and messages are left alone.
The scratch mailboxes (Corpus and children, Corpus2, Trash) are created and deleted by the
session (and deleted first if a previous run left them behind). Python 3 standard library only.
"""

import base64
import os
import re
import socket
import sys
import time

SCRATCH = "Corpus"
TIMEOUT = 20.0
LITERAL_AT_END = re.compile(rb"~?\{(\d+)\+?\}\r\n$")
UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
EXISTS = re.compile(rb"^\* \d+ EXISTS\r\n", re.M)
APPENDED = (
    b"From: Corpus Writer <corpus@example.com>\r\n"
    b"To: Alice <alice@localhost>\r\n"
    b"Subject: appended by the corpus capture\r\n"
    b"Date: Mon, 02 Nov 2026 12:00:00 +0000\r\n"
    b"Message-ID: <corpus-append@mailwire.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"\r\n"
    b"Appended with LITERAL+.\r\n"
)


def read_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key.strip()] = value.strip()
    return env


class Session:
    """One connection; every step's server bytes go to a file."""

    def __init__(self, env, outdir, name):
        self.sock = socket.create_connection((env["PEER_HOST"], int(env["IMAP_PORT"])), timeout=TIMEOUT)
        self.buf = b""
        self.outdir = outdir
        self.name = name
        self.step = 0
        self.tag = 0
        self.xtag = 0

    # -- reading --------------------------------------------------------------------------------

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError(f"{self.name}: server closed the connection")
        self.buf += data

    def read_message(self):
        """One complete response: a line plus the literals it announces."""
        end = 0
        while True:
            while b"\r\n" not in self.buf[end:]:
                self._fill()
            nl = self.buf.index(b"\r\n", end) + 2
            m = LITERAL_AT_END.search(self.buf[:nl])
            if not m or m.end() != nl:
                msg, self.buf = self.buf[:nl], self.buf[nl:]
                return msg
            need = nl + int(m.group(1))
            while len(self.buf) < need:
                self._fill()
            end = need

    def read_until_tagged(self, tag):
        out = b""
        while True:
            msg = self.read_message()
            out += msg
            if msg.startswith(tag + b" "):
                return out

    # -- steps ----------------------------------------------------------------------------------

    def _save(self, what, sent, got):
        base = os.path.join(self.outdir, f"{self.name}-{self.step:02d}-{what}")
        with open(base + ".bin", "wb") as f:
            f.write(got)
        with open(base + ".cmd", "wb") as f:
            f.write(sent)
        self.step += 1
        return got

    def greeting(self):
        return self._save("greeting", b"", self.read_message())

    def next_tag(self):
        self.tag += 1
        return b"A%04d" % self.tag

    def cmd(self, what, line, tag=None):
        """Sends `tag line` CRLF (line may hold LITERAL+ literals) and records up to the tagged reply."""
        if tag is None:
            tag = self.next_tag()
        sent = tag + b" " + line + b"\r\n"
        self.sock.sendall(sent)
        return self._save(what, sent, self.read_until_tagged(tag))

    def bad_cmd(self, what, line):
        """A command the client machine could not send: tagged X1, X2, ..."""
        self.xtag += 1
        return self.cmd(what, line, tag=b"X%d" % self.xtag)

    def idle(self, what, during):
        """IDLE: records the continuation and the untagged data `during()` causes, then DONE."""
        tag = self.next_tag()
        sent = tag + b" IDLE\r\n"
        self.sock.sendall(sent)
        got = self.read_message()
        if not got.startswith(b"+"):
            raise RuntimeError(f"IDLE refused: {got!r}")
        during()
        deadline = time.monotonic() + TIMEOUT
        while not EXISTS.search(got):
            if time.monotonic() > deadline:
                raise RuntimeError("no EXISTS during IDLE")
            got += self.read_message()
        self._save(what, sent, got)
        self.sock.sendall(b"DONE\r\n")
        return self._save(what + "-done", b"DONE\r\n", self.read_until_tagged(tag))

    def close(self):
        self.sock.close()


def quiet_command(sock_session, line):
    """A command whose answer is not recorded (clean-up before the capture)."""
    tag = sock_session.next_tag()
    sock_session.sock.sendall(tag + b" " + line + b"\r\n")
    return sock_session.read_until_tagged(tag)


def clean_up_leftovers(env):
    s = Session(env, None, "cleanup")
    s.read_message()
    quiet_command(s, b"LOGIN %s %s" % (env["PEER_USER"].encode(), env["PEER_PASS"].encode()))
    leftovers = (b"Corpus.Sub", b"Corpus.Renamed", b'"Corpus.with space"', b"Corpus.K&APY-ln", b"Corpus2")
    for box in leftovers + (SCRATCH.encode(), b"Trash"):
        quiet_command(s, b"UNSUBSCRIBE " + box)
        quiet_command(s, b"DELETE " + box)
    quiet_command(s, b"LOGOUT")
    s.close()


def literal_plus(data):
    return b"{%d+}\r\n" % len(data) + data


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    env = read_env(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    user, password = env["PEER_USER"].encode(), env["PEER_PASS"].encode()
    clean_up_leftovers(env)

    # ---- s1: the main session ----
    s = Session(env, outdir, "s1")
    s.greeting()
    s.cmd("capability-prelogin", b"CAPABILITY")
    s.cmd("id", b'ID ("name" "mailwire-corpus" "version" "1")')
    s.cmd("login", b"LOGIN " + user + b" " + password)
    s.cmd("capability", b"CAPABILITY")
    s.cmd("enable-condstore-qresync", b"ENABLE CONDSTORE QRESYNC")
    s.cmd("namespace", b"NAMESPACE")
    s.cmd("create", b"CREATE Corpus")
    s.cmd("create-child", b"CREATE Corpus.Sub")
    s.cmd("create-special-use", b"CREATE Trash")
    s.cmd("create-quoted", b'CREATE "Corpus.with space"')
    s.cmd("create-mutf7", b"CREATE Corpus.K&APY-ln")
    s.cmd("rename", b"RENAME Corpus.Sub Corpus.Renamed")
    s.cmd("subscribe", b"SUBSCRIBE Corpus")
    s.cmd("list", b'LIST "" "*"')
    s.cmd("list-delimiter", b'LIST "" ""')
    s.cmd("list-percent", b'LIST "" Corpus.%')
    s.cmd(
        "list-extended",
        b'LIST "" "*" RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN UIDNEXT SIZE HIGHESTMODSEQ))',
    )
    s.cmd("list-special-use", b'LIST (SPECIAL-USE) "" "*"')
    s.cmd("list-subscribed", b'LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)')
    s.cmd("lsub", b'LSUB "" "*"')
    s.cmd(
        "status",
        b"STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)",
    )
    s.cmd("examine", b"EXAMINE INBOX")
    s.cmd("fetch-all", b"FETCH 1:* ALL")
    s.cmd("fetch-full", b"FETCH 1:* FULL")
    s.cmd(
        "fetch-items",
        b"FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE MODSEQ "
        b"BODY.PEEK[HEADER.FIELDS (FROM SUBJECT MESSAGE-ID)])",
    )
    s.cmd("fetch-partial", b"FETCH 1:* (BODY.PEEK[1]<0.100>)")
    s.cmd("fetch-binary", b"FETCH 1,3 (BINARY.PEEK[1] BINARY.SIZE[1])")
    s.cmd("fetch-binary-attachment", b"FETCH 2 (BINARY.PEEK[2] BINARY.SIZE[2])")
    s.cmd("fetch-preview-savedate", b"FETCH 1:2 (PREVIEW SAVEDATE)")
    # EXAMINE is read-only: non-PEEK sections set no \Seen.
    s.cmd("fetch-rfc822", b"FETCH 1 (RFC822.HEADER RFC822.TEXT RFC822)")
    s.cmd(
        "fetch-sections",
        b"FETCH 2 (BODY[1.2.MIME] BODY[1.2] BODY[2.MIME] BODY[TEXT]<0.60> BODY[HEADER] BODY)",
    )
    s.cmd("fetch-8bit", b"FETCH 3 (BODY[])")
    s.cmd("fetch-unknown-item", b"FETCH 1 (EMAILID THREADID)")
    s.cmd("uid-fetch-changedsince", b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")
    s.cmd("search", b"SEARCH ALL")
    s.cmd("search-keys", b'SEARCH UNSEEN FROM "bob" NOT SUBJECT "nothing-like-this"')
    s.cmd("uid-search-esearch", b"UID SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    s.cmd("search-esearch-count", b'SEARCH RETURN (COUNT) FROM "bob"')
    s.cmd("search-modseq", b"SEARCH MODSEQ 1")
    s.cmd("search-charset-literal", b"SEARCH CHARSET UTF-8 SUBJECT " + literal_plus("Grüße".encode()))
    s.cmd("search-save", b"SEARCH RETURN (SAVE) FROM bob")
    s.cmd("fetch-saved-result", b"FETCH $ (UID)")
    s.cmd("sort", b"SORT (SUBJECT) UTF-8 ALL")
    s.cmd("uid-sort-reverse", b"UID SORT (REVERSE DATE) UTF-8 ALL")
    s.cmd("thread-references", b"THREAD REFERENCES UTF-8 ALL")
    s.cmd("thread-orderedsubject", b"THREAD ORDEREDSUBJECT UTF-8 ALL")
    s.cmd("getquotaroot", b"GETQUOTAROOT INBOX")
    s.cmd("getquota", b'GETQUOTA "User quota"')
    s.cmd("setmetadata", b'SETMETADATA Corpus (/private/comment "captured by mailwire")')
    s.cmd("getmetadata", b"GETMETADATA Corpus (/private/comment /shared/comment)")
    s.cmd("getmetadata-server", b'GETMETADATA "" /private/comment')
    s.cmd("getmetadata-maxsize", b"GETMETADATA (MAXSIZE 5) Corpus /private/comment")
    s.cmd("copy", b"COPY 1:4 Corpus")
    got = s.cmd("select-condstore", b"SELECT Corpus (CONDSTORE)")
    uidvalidity = UIDVALIDITY.search(got).group(1)
    s.cmd(
        "append",
        b'APPEND Corpus (\\Seen $Corpus) "02-Nov-2026 12:00:00 +0000" ' + literal_plus(APPENDED),
    )
    s.cmd("store", b"STORE 1 +FLAGS (\\Flagged)")
    s.cmd("store-unchangedsince", b"STORE 1:2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)")
    s.cmd("store-silent", b"STORE 3 +FLAGS.SILENT (\\Deleted)")
    s.cmd("move", b"MOVE 5 Corpus.Renamed")
    s.cmd("uid-copy", b"UID COPY 2,4 Corpus.Renamed")
    s.cmd("expunge", b"EXPUNGE")
    s.cmd("store-deleted", b"UID STORE 1 +FLAGS.SILENT (\\Deleted)")
    s.cmd("uid-expunge", b"UID EXPUNGE 1")

    def deliver():
        h = Session(env, outdir, "s3")
        h.greeting()
        h.cmd("login", b"LOGIN " + user + b" " + password)
        h.cmd("append", b"APPEND Corpus " + literal_plus(APPENDED))
        h.cmd("logout", b"LOGOUT")
        h.close()

    s.idle("idle", deliver)
    s.cmd("unselect", b"UNSELECT")
    s.cmd("select-qresync", b"SELECT Corpus (QRESYNC (" + uidvalidity + b" 1 1:10))")
    s.cmd("uid-fetch-vanished", b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    s.cmd("close", b"CLOSE")
    s.cmd("error-unknown-command", b"FROBNICATE now")
    s.bad_cmd("error-no-mailbox-selected", b"FETCH 1 (FLAGS)")
    s.cmd("error-nonexistent", b"SELECT Corpus.NoSuchMailbox")
    s.bad_cmd("error-bad-syntax", b"FETCH 1 (FLAGS")
    s.cmd("error-trycreate", b"APPEND Corpus.NoSuchMailbox " + literal_plus(APPENDED))
    s.cmd("unsubscribe", b"UNSUBSCRIBE Corpus")
    s.cmd("delete-quoted", b'DELETE "Corpus.with space"')
    s.cmd("delete-mutf7", b"DELETE Corpus.K&APY-ln")
    s.cmd("delete-child", b"DELETE Corpus.Renamed")
    s.cmd("delete", b"DELETE Corpus")
    s.cmd("delete-special-use", b"DELETE Trash")
    s.cmd("logout", b"LOGOUT")
    s.close()

    # ---- s2: before login, AUTHENTICATE, UTF8=ACCEPT, EXPUNGE without QRESYNC ----
    plain = lambda pw: base64.b64encode(b"\0" + user + b"\0" + pw)  # noqa: E731
    s = Session(env, outdir, "s2")
    s.greeting()
    s.bad_cmd("error-wrong-state", b"SELECT INBOX")
    s.cmd("login-failed", b"LOGIN " + user + b" wrong-" + password)
    s.cmd("authenticate-failed", b"AUTHENTICATE PLAIN " + plain(b"wrong-" + password))
    s.cmd("authenticate", b"AUTHENTICATE PLAIN " + plain(password))
    s.cmd("enable-utf8", b"ENABLE UTF8=ACCEPT")
    s.cmd("examine", b"EXAMINE INBOX")
    s.cmd("fetch-utf8", b"FETCH 3 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])")
    s.cmd("create", b"CREATE Corpus2")
    s.cmd("append", b"APPEND Corpus2 " + literal_plus(APPENDED))
    s.cmd("append-second", b"APPEND Corpus2 (\\Flagged) " + literal_plus(APPENDED))
    s.cmd("select", b"SELECT Corpus2")
    s.cmd("store", b"STORE 1 +FLAGS (\\Deleted)")
    s.cmd("noop", b"NOOP")
    s.cmd("expunge", b"EXPUNGE")
    s.cmd("uid-move", b"UID MOVE 2 Corpus2")
    s.cmd("check", b"CHECK")
    s.cmd("close", b"CLOSE")
    s.cmd("delete", b"DELETE Corpus2")
    s.cmd("logout", b"LOGOUT")
    s.close()

    # ---- s4: STARTTLS accepted (the capture stops where TLS would begin) ----
    s = Session(env, outdir, "s4")
    s.greeting()
    s.cmd("starttls", b"STARTTLS")
    s.close()

    # ---- s5: Dovecot's own STATUS and FETCH items (outside the RFCs) ----
    s = Session(env, outdir, "s5")
    s.greeting()
    s.cmd("login", b"LOGIN " + user + b" " + password)
    s.cmd("status-x-size", b"STATUS INBOX (MESSAGES X-SIZE)")
    s.cmd("status-x-guid", b"STATUS INBOX (MESSAGES X-GUID)")
    s.cmd("examine", b"EXAMINE INBOX")
    s.cmd("fetch-x-items", b"FETCH 1 (X-MAILBOX X-REAL-UID X-SAVEDATE X-GUID)")
    s.cmd("fetch-snippet", b"FETCH 1:2 (SNIPPET)")
    s.cmd("logout", b"LOGOUT")
    s.close()

if __name__ == "__main__":
    main()
