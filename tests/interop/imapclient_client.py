"""IMAPClient (PyPI) drives an IMAP server through a whole session, for mailwire's interop tests.

    python3 imapclient_client.py HOST PORT USER PASS MODE EXPECTED-1.eml EXPECTED-2.eml ...

MODE is `plain`, `starttls` or `tls` (implicit TLS). The server must hold the EXPECTED messages (as it sends
them: CRLF line ends) as INBOX's first messages, UIDs 1..N, and a folder `Lists`. Checks: CAPABILITY, LOGIN,
LIST, SELECT, FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE RFC822.SIZE), every message byte for byte,
partial and section fetches, SEARCH, STORE, APPEND, STATUS, COPY, MOVE, EXPUNGE, IDLE woken by a second
connection, NOOP, LOGOUT. Prints one line per check and `N passed, M failed`; exits 1 on any failure.
Needs IMAPClient on PYTHONPATH (tests/peers/independent.sh installs it into PYDEPS).
"""

import datetime
import re
import ssl
import sys
import traceback

from imapclient import IMAPClient

host, port, user, password, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
expected = [open(f, "rb").read() for f in sys.argv[6:]]
passed = failed = 0


def check(name, ok, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print("ok -", name)
    else:
        failed += 1
        print("not ok -", name, "--", repr(detail)[:400])


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect():
    c = IMAPClient(host, port=port, ssl=(mode == "tls"), ssl_context=context(), timeout=20)
    if mode == "starttls":
        c.starttls(context())
    c.login(user, password)
    return c


try:
    c = IMAPClient(host, port=port, ssl=(mode == "tls"), ssl_context=context(), timeout=20)
    check("greeting", c.welcome.startswith(b"* OK"), c.welcome)
    caps = c.capabilities()
    check("CAPABILITY lists IMAP4rev1", b"IMAP4REV1" in caps, caps)
    if mode == "starttls":
        check("STARTTLS offered", b"STARTTLS" in caps, caps)
        c.starttls(context())
    c.login(user, password)
    check("LOGIN", c._imap.state == "AUTH", c._imap.state)
    ns = c.namespace()
    check("NAMESPACE: a personal namespace", bool(ns.personal), ns)

    folders = c.list_folders()
    names = [f[2] for f in folders]
    check("LIST has INBOX and Lists", "INBOX" in names and any(n.endswith("Lists") for n in names), names)
    lists = [n for n in names if n.endswith("Lists")][0]

    sel = c.select_folder("INBOX")
    check("SELECT INBOX: %d messages" % len(expected), sel[b"EXISTS"] == len(expected), sel)
    check("SELECT: UIDNEXT", sel.get(b"UIDNEXT") == len(expected) + 1, sel)

    data = c.fetch(list(range(1, len(expected) + 1)), ["UID", "FLAGS", "ENVELOPE", "BODYSTRUCTURE", "INTERNALDATE", "RFC822.SIZE"])
    check("FETCH 1:* answers %d messages" % len(expected), len(data) == len(expected), list(data))
    for i, e in enumerate(expected):
        m = data.get(i + 1, {})
        # IMAPClient runs UID FETCH and keys the answer by UID; SEQ is the sequence number.
        check("UID %d is message %d" % (i + 1, i + 1), m.get(b"SEQ") == i + 1, m)
        check("RFC822.SIZE of %d" % (i + 1), m.get(b"RFC822.SIZE") == len(e), (m.get(b"RFC822.SIZE"), len(e)))
        mid = re.search(rb"^Message-ID: *(.*?)\r$", e, re.M | re.I)
        env = m.get(b"ENVELOPE")
        check("ENVELOPE of %d: Message-ID" % (i + 1), env is not None and mid and env.message_id == mid.group(1),
              (env, mid))
        check("BODYSTRUCTURE of %d" % (i + 1), m.get(b"BODYSTRUCTURE") is not None, m.get(b"BODYSTRUCTURE"))
        check("INTERNALDATE of %d" % (i + 1), isinstance(m.get(b"INTERNALDATE"), datetime.datetime),
              m.get(b"INTERNALDATE"))

    for i, e in enumerate(expected):
        body = c.fetch([i + 1], ["BODY.PEEK[]"])[i + 1][b"BODY[]"]
        check("BODY.PEEK[] of %d byte for byte" % (i + 1), body == e, (len(body), len(e)))
    head, _, text = expected[0].partition(b"\r\n\r\n")
    got = c.fetch([1], ["BODY.PEEK[HEADER]"])[1][b"BODY[HEADER]"]
    check("BODY[HEADER] of 1", got == head + b"\r\n\r\n", got)
    got = c.fetch([1], ["BODY.PEEK[TEXT]"])[1][b"BODY[TEXT]"]
    check("BODY[TEXT] of 1", got == text, got)
    got = c.fetch([1], ["BODY.PEEK[]<5.20>"])[1]
    check("partial BODY[]<5.20>", got.get(b"BODY[]<5>") == expected[0][5:25], got)

    check("SEARCH ALL", c.search("ALL") == list(range(1, len(expected) + 1)), c.search("ALL"))
    subj = re.search(rb"^Subject: *(.*?)\r$", expected[0], re.M).group(1).decode()
    check("SEARCH SUBJECT", c.search(["SUBJECT", subj.split(":")[0]]) == [1], subj)
    check("SEARCH LARGER 100000",
          c.search(["LARGER", "100000"]) == [i + 1 for i, e in enumerate(expected) if len(e) > 100000])

    flags = c.add_flags([1], [b"\\Flagged"])
    check("STORE +FLAGS \\Flagged", b"\\Flagged" in flags.get(1, ()), flags)
    flags = c.remove_flags([1], [b"\\Flagged"])
    check("STORE -FLAGS \\Flagged", b"\\Flagged" not in flags.get(1, ()), flags)

    appended = b"From: Erin <erin@example.com>\r\nSubject: appended by IMAPClient\r\n\r\nbody\r\n.dot\r\n"
    res = c.append(lists, appended, flags=[b"\\Seen"], msg_time=datetime.datetime(2020, 1, 2, 3, 4, 5))
    check("APPEND to Lists (APPENDUID)", b"APPENDUID" in res, res)
    st = c.folder_status(lists, ["MESSAGES", "UIDNEXT"])
    check("STATUS Lists", st[b"MESSAGES"] == 1 and st[b"UIDNEXT"] == 2, st)
    c.copy([1], lists)
    st = c.folder_status(lists, ["MESSAGES"])
    check("COPY 1 to Lists", st[b"MESSAGES"] == 2, st)

    other = connect()
    other.select_folder("INBOX")
    c.idle()
    other.append("INBOX", b"Subject: wake up\r\n\r\nidle\r\n")
    responses = c.idle_check(timeout=10)
    c.idle_done()
    check("IDLE: EXISTS after another connection appended", (len(expected) + 1, b"EXISTS") in responses, responses)
    other.logout()

    if c.has_capability("MOVE"):
        c.move([len(expected) + 1], lists)
        check("MOVE to Lists", c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == len(expected))
    else:
        c.delete_messages([len(expected) + 1])
        c.expunge()
        check("STORE \\Deleted + EXPUNGE", c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == len(expected))
    text, _ = c.noop()
    check("NOOP", isinstance(text, bytes), text)
    c.logout()
    check("LOGOUT", c._imap.state == "LOGOUT", c._imap.state)
except Exception:
    check("no exception", False, "see below")
    print(traceback.format_exc())

print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 and passed > 0 else 1)
