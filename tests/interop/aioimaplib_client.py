"""aioimaplib (PyPI, asyncio) drives an IMAP server through a whole session, for mailwire's interop tests.

    python3 aioimaplib_client.py HOST PORT USER PASS MODE EXPECTED-1.eml EXPECTED-2.eml ...

MODE is `plain` or `tls` (implicit TLS): aioimaplib 2.0 has no STARTTLS. The server must hold the EXPECTED messages (as it sends
them: CRLF line ends) as INBOX's first messages, UIDs 1..N, and a folder `Lists`. Checks: greeting,
CAPABILITY, LOGIN, LIST, SELECT, FETCH of sizes and UIDs, every message byte for byte (BODY.PEEK[]), UID
FETCH, SEARCH, UID SEARCH, STORE, APPEND, STATUS, COPY, UID MOVE, IDLE woken by a second connection, LOGOUT.
Prints one line per check and `N passed, M failed`; exits 1 on any failure.
Needs aioimaplib on PYTHONPATH (tests/peers/independent.sh installs it into PYDEPS).
"""

import asyncio
import re
import ssl
import sys
import traceback

from aioimaplib import aioimaplib

host, port, user, password, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
if mode not in ("plain", "tls"):
    sys.exit("aioimaplib_client.py: MODE must be plain or tls (aioimaplib has no STARTTLS)")
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


async def connect():
    if mode == "tls":
        imap = aioimaplib.IMAP4_SSL(host=host, port=port, ssl_context=context(), timeout=20)
    else:
        imap = aioimaplib.IMAP4(host=host, port=port, timeout=20)
    await imap.wait_hello_from_server()
    return imap


def literals(lines):
    """The bytearray items of a FETCH answer: aioimaplib hands literals over as bytearray."""
    return [bytes(x) for x in lines if isinstance(x, bytearray)]


async def main():
    imap = await connect()
    check("CAPABILITY (read by aioimaplib) has IMAP4rev1", imap.has_capability("IMAP4rev1"), imap.protocol.capabilities)
    res = await imap.login(user, password)
    check("LOGIN", res.result == "OK", res)

    res = await imap.list('""', "*")
    text = b"\n".join(res.lines)
    check("LIST has INBOX and Lists", res.result == "OK" and b"INBOX" in text and b"Lists" in text, res.lines)
    lists = "Lists"
    m = re.search(rb'"([^"]*Lists)"|\s(\S*Lists)$', text, re.M)
    if m:
        lists = (m.group(1) or m.group(2)).decode()

    res = await imap.select("INBOX")
    exists = [l for l in res.lines if l.endswith(b"EXISTS")]
    check("SELECT INBOX: %d messages" % len(expected), res.result == "OK" and exists == [b"%d EXISTS" % len(expected)],
          res.lines)

    res = await imap.fetch("1:*", "(UID RFC822.SIZE FLAGS)")
    sizes = [int(x) for x in re.findall(rb"RFC822\.SIZE (\d+)", b"\n".join(l for l in res.lines if isinstance(l, bytes)))]
    check("FETCH 1:* RFC822.SIZE: the CRLF sizes", sizes == [len(e) for e in expected], (sizes, res.lines[:6]))

    for i, e in enumerate(expected):
        res = await imap.fetch(str(i + 1), "(BODY.PEEK[])")
        got = literals(res.lines)
        check("BODY.PEEK[] of %d byte for byte" % (i + 1), res.result == "OK" and got == [e],
              (res.result, [len(g) for g in got], len(e)))
    res = await imap.uid("fetch", "2", "(BODY.PEEK[HEADER])")
    got = literals(res.lines)
    head = expected[1].partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
    check("UID FETCH 2 BODY.PEEK[HEADER]", got == [head], got)

    res = await imap.search("ALL")
    check("SEARCH ALL", res.result == "OK" and res.lines[0].split() == [b"%d" % (i + 1) for i in range(len(expected))],
          res.lines)
    res = await imap.uid_search("UID 2:*")
    check("UID SEARCH UID 2:*", res.result == "OK" and res.lines[0].split()[:1] == [b"2"], res.lines)
    res = await imap.search("LARGER 100000")
    large = [b"%d" % (i + 1) for i, e in enumerate(expected) if len(e) > 100000]
    check("SEARCH LARGER 100000", res.result == "OK" and res.lines[0].split() == large, res.lines)

    res = await imap.store("1", "+FLAGS", "(\\Flagged)")
    check("STORE +FLAGS \\Flagged", res.result == "OK" and b"\\Flagged" in b" ".join(res.lines), res.lines)
    res = await imap.store("1", "-FLAGS", "(\\Flagged)")
    check("STORE -FLAGS \\Flagged", res.result == "OK" and b"\\Flagged" not in b" ".join(res.lines), res.lines)

    appended = b"From: Erin <erin@example.com>\r\nSubject: appended by aioimaplib\r\n\r\nbody\r\n.dot\r\n"
    res = await imap.append(appended, mailbox=lists, flags="(\\Seen)")
    check("APPEND to Lists", res.result == "OK", res)
    res = await imap.status(lists, "(MESSAGES UIDNEXT)")
    check("STATUS Lists", res.result == "OK" and b"MESSAGES 1" in res.lines[0], res.lines)
    res = await imap.copy("1", lists)
    check("COPY 1 to Lists", res.result == "OK", res)

    other = await connect()
    await other.login(user, password)
    idle = await imap.idle_start(timeout=10)
    await imap.wait_server_push()  # the continuation
    res = await other.append(b"Subject: wake up\r\n\r\nidle\r\n", mailbox="INBOX")
    check("APPEND from a second connection", res.result == "OK", res)
    pushed = []
    for _ in range(3):
        msg = await imap.wait_server_push(timeout=10)
        pushed.extend(msg if isinstance(msg, list) else [msg])
        if any(isinstance(p, bytes) and p.endswith(b"EXISTS") for p in pushed):
            break
    imap.idle_done()
    await asyncio.wait_for(idle, 10)
    check("IDLE: EXISTS after another connection appended", b"%d EXISTS" % (len(expected) + 1) in pushed, pushed)
    await other.logout()

    if imap.has_capability("MOVE"):
        res = await imap.uid("move", "%d" % (len(expected) + 1), lists)
        check("UID MOVE to Lists", res.result == "OK", res)
    else:
        await imap.store("%d" % (len(expected) + 1), "+FLAGS", "(\\Deleted)")
        res = await imap.expunge()
        check("EXPUNGE", res.result == "OK", res)
    res = await imap.status("INBOX", "(MESSAGES)")
    check("INBOX back to the seeds", b"MESSAGES %d" % len(expected) in res.lines[0], res.lines)
    res = await imap.logout()
    check("LOGOUT", res.result == "OK", res)


try:
    asyncio.run(main())
except Exception:
    check("no exception", False, "see below")
    print(traceback.format_exc())
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 and passed > 0 else 1)
