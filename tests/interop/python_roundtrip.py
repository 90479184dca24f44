#!/usr/bin/env python3
"""Interop check of the test peers with the clients of Python's standard library.

Sends messages through Postfix (SMTP port: DATA and BDAT; submission: STARTTLS + AUTH PLAIN / LOGIN),
then reads them back from Dovecot over IMAP (STARTTLS, LOGIN, SELECT, SEARCH, FETCH) and POP3
(STLS, USER/PASS, STAT, UIDL, RETR) and compares subjects and bodies. Also checks the INBOX that
tests/peers/start.sh seeded, APOP, CRAM-MD5 and the implicit-TLS ports.

Configuration: an env file written by start.sh (first argument, or MAILWIRE_PEERS_ENV), else the
environment variables IMAP_PORT, SMTP_PORT, ... PEER_USER, PEER_PASS with start.sh's defaults.
Exit status 0 when every check passed; prints "N passed, M failed" last.
"""

import email
import email.policy
import email.utils
import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
import sys
import time
import traceback

DEFAULTS = {
    "PEER_HOST": "127.0.0.1",
    "IMAP_PORT": "10143",
    "IMAPS_PORT": "10993",
    "POP3_PORT": "10110",
    "POP3S_PORT": "10995",
    "LMTP_PORT": "10024",
    "SMTP_PORT": "10025",
    "SUBMISSION_PORT": "10587",
    "PEER_USER": "alice",
    "PEER_PASS": "secret",
    "PEER_DOMAIN": "localhost",
    "SEED_COUNT": "4",
    "SEED_LARGE_SIZE": "",
}
DELIVERY_WAIT = 20.0  # seconds, upper bound for Postfix -> LMTP -> Dovecot
SOCKET_TIMEOUT = 15.0
# What start.sh seeds (keep in step with seed_* in tests/peers/start.sh).
SEED_UTF8_SUBJECT = "Grüße aus Köln – 東京 ✓"
SEED_UTF8_FROM = "Jürgen Müller"
SEED_ATTACHMENT_LEN = 3000


def load_config():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MAILWIRE_PEERS_ENV")
    cfg = dict(DEFAULTS)
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            sys.exit(f"cannot read the peers env file {path}: {exc} (start the peers with tests/peers/start.sh)")
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                cfg[key] = value
    else:
        for key in DEFAULTS:
            cfg[key] = os.environ.get(key, cfg[key])
    return cfg


CFG = load_config()
HOST = CFG["PEER_HOST"]
USER = CFG["PEER_USER"]
PASS = CFG["PEER_PASS"]
ADDRESS = f"{USER}@{CFG['PEER_DOMAIN']}"
REJECTED = f"nobody-here@{CFG['PEER_DOMAIN']}"
SEED_COUNT = int(CFG["SEED_COUNT"])


def port(name):
    return int(CFG[name])


def tls_context():
    # The peers use a self-signed certificate made on the spot: encryption without verification.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


RESULTS = []  # (name, ok)


def check(name):
    """Runs the decorated function at once as one named check and records the outcome."""

    def run(fn):
        started = time.monotonic()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, then the run goes on
            RESULTS.append((name, False))
            if isinstance(exc, Failure):
                detail = str(exc)
            else:
                # Where in this script it went wrong, then what the library raised.
                frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == __file__]
                where = f"line {frames[-1].lineno} `{frames[-1].line}`: " if frames else ""
                detail = f"{where}{type(exc).__module__}.{type(exc).__name__}: {exc}"
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s): {detail}", flush=True)
        else:
            RESULTS.append((name, True))
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
        return fn

    return run


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def split_message(raw):
    """Header block and body of a message as bytes, at the first empty line."""
    raw = raw.replace(b"\r\n", b"\n")
    head, _, body = raw.partition(b"\n\n")
    return head, body


def decoded_subject(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return str(msg["Subject"])


TOKEN = f"{os.getpid()}-{int(time.time() * 1000)}"
SENT = {}  # key -> (subject, body text with LF line ends)


def message(key, body, extra_headers=""):
    subject = f"mailwire interop {key} {TOKEN}"
    SENT[key] = (subject, body)
    text = (
        f"From: Bob Example <bob@example.com>\n"
        f"To: Alice <{ADDRESS}>\n"
        f"Subject: {subject}\n"
        f"Message-ID: <{key}-{TOKEN}@mailwire.test>\n"
        f"Date: {email.utils.formatdate(localtime=False)}\n"
        f"MIME-Version: 1.0\n"
        f"{extra_headers}"
        f"\n{body}"
    )
    return crlf(text).encode("utf-8")


# ---- SMTP (Postfix, port without authentication) ------------------------------------------------


@check("smtp: EHLO advertises PIPELINING 8BITMIME CHUNKING STARTTLS")
def _():
    with smtplib.SMTP(HOST, port("SMTP_PORT"), timeout=SOCKET_TIMEOUT) as s:
        code, _ = s.ehlo("client.mailwire.test")
        expect(code == 250, f"EHLO answered {code}")
        missing = [ext for ext in ("pipelining", "8bitmime", "chunking", "starttls") if not s.has_extn(ext)]
        expect(not missing, f"not advertised: {missing}; EHLO said {s.ehlo_resp!r}")


@check("smtp: DATA with an 8-bit UTF-8 body and dot lines")
def _():
    body = "Grüße über SMTP DATA.\n.a line with a leading dot\n..and two\n.\nlast line\n"
    raw = message("smtp-data", body, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n")
    with smtplib.SMTP(HOST, port("SMTP_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.ehlo("client.mailwire.test")
        refused = s.sendmail("bob@example.com", [ADDRESS], raw, mail_options=["BODY=8BITMIME"])
        expect(not refused, f"refused: {refused}")


@check("smtp: STARTTLS then BDAT in two chunks")
def _():
    body = "Sent with BDAT after STARTTLS.\n.dot line, not stuffed in BDAT\n"
    raw = message("smtp-bdat", body)
    with smtplib.SMTP(HOST, port("SMTP_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.ehlo("client.mailwire.test")
        s.starttls(context=tls_context())
        s.ehlo("client.mailwire.test")
        expect(s.has_extn("chunking"), "CHUNKING not advertised after STARTTLS")
        expect(s.mail("bob@example.com")[0] == 250, "MAIL FROM refused")
        expect(s.rcpt(ADDRESS)[0] == 250, "RCPT TO refused")
        half = len(raw) // 2
        for chunk, last in ((raw[:half], ""), (raw[half:], " LAST")):
            s.send(f"BDAT {len(chunk)}{last}\r\n".encode() + chunk)
            code, text = s.getreply()
            expect(code == 250, f"BDAT{last} answered {code} {text!r}")


@check("smtp: RCPT of the always-refused address gets 5yz")
def _():
    with smtplib.SMTP(HOST, port("SMTP_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.ehlo("client.mailwire.test")
        expect(s.mail("bob@example.com")[0] == 250, "MAIL FROM refused")
        code, text = s.rcpt(REJECTED)
        expect(500 <= code < 600, f"RCPT {REJECTED} answered {code} {text!r}")
        s.rset()


# ---- submission (STARTTLS required, AUTH) --------------------------------------------------------


def submit(key, mechanism):
    raw = message(key, f"Sent over submission with AUTH {mechanism}.\nSecond line.\n")
    with smtplib.SMTP(HOST, port("SUBMISSION_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.ehlo("client.mailwire.test")
        expect(s.has_extn("starttls"), "submission does not offer STARTTLS")
        s.starttls(context=tls_context())
        s.ehlo("client.mailwire.test")
        mechanisms = s.esmtp_features.get("auth", "").upper().split()
        expect(mechanism in mechanisms, f"AUTH {mechanism} not offered (offered: {mechanisms})")
        s.user, s.password = USER, PASS
        auth = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mechanism]
        code, text = s.auth(mechanism, auth)
        expect(code == 235, f"AUTH {mechanism} answered {code} {text!r}")
        refused = s.sendmail("bob@example.com", [ADDRESS], raw)
        expect(not refused, f"refused: {refused}")


@check("submission: MAIL before STARTTLS is refused")
def _():
    with smtplib.SMTP(HOST, port("SUBMISSION_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.ehlo("client.mailwire.test")
        code, text = s.mail("bob@example.com")
        expect(code >= 500, f"MAIL without TLS answered {code} {text!r}")


@check("submission: wrong password gets 535")
def _():
    with smtplib.SMTP(HOST, port("SUBMISSION_PORT"), timeout=SOCKET_TIMEOUT) as s:
        s.starttls(context=tls_context())
        s.ehlo("client.mailwire.test")
        s.user, s.password = USER, PASS + "-wrong"
        try:
            s.auth("PLAIN", s.auth_plain)
        except smtplib.SMTPAuthenticationError as exc:
            expect(exc.smtp_code == 535, f"AUTH PLAIN with a wrong password answered {exc.smtp_code}")
        else:
            raise Failure("AUTH PLAIN with a wrong password was accepted")


@check("submission: STARTTLS + AUTH PLAIN + send")
def _():
    submit("submission-plain", "PLAIN")


@check("submission: STARTTLS + AUTH LOGIN + send")
def _():
    submit("submission-login", "LOGIN")


# ---- IMAP (Dovecot) ------------------------------------------------------------------------------


def imap_login():
    imap = imaplib.IMAP4(HOST, port("IMAP_PORT"), timeout=SOCKET_TIMEOUT)
    expect("STARTTLS" in imap.capabilities, f"no STARTTLS in {imap.capabilities}")
    imap.starttls(ssl_context=tls_context())
    imap.login(USER, PASS)
    return imap


def imap_ok(result, what):
    typ, data = result
    expect(typ == "OK", f"{what}: {typ} {data!r}")
    return data


def fetch_literal(imap, num, item):
    data = imap_ok(imap.fetch(num, f"({item})"), f"FETCH {num} {item}")
    parts = [d for d in data if isinstance(d, tuple)]
    expect(parts, f"FETCH {num} {item} returned no literal: {data!r}")
    return parts[0][1]


FOUND_IMAP = {}  # key -> raw message bytes as fetched over IMAP


@check("imap: every sent message arrives (SEARCH, bounded wait)")
def _():
    imap = imap_login()
    try:
        imap_ok(imap.select("INBOX"), "SELECT INBOX")
        deadline = time.monotonic() + DELIVERY_WAIT
        while True:
            for key, (subject, _) in SENT.items():
                if key in FOUND_IMAP:
                    continue
                nums = imap_ok(imap.search(None, "HEADER", "Message-ID", f'"<{key}-{TOKEN}@"'), "SEARCH")[0].split()
                if nums:
                    expect(len(nums) == 1, f"{key} found {len(nums)} times")
                    FOUND_IMAP[key] = fetch_literal(imap, nums[0].decode(), "BODY.PEEK[]")
            missing = sorted(set(SENT) - set(FOUND_IMAP))
            if not missing:
                break
            if time.monotonic() > deadline:
                raise Failure(f"not delivered after {DELIVERY_WAIT:.0f} s: {missing}")
            time.sleep(0.2)
            imap_ok(imap.noop(), "NOOP")
    finally:
        imap.logout()


@check("imap: subjects and bodies equal what was sent")
def _():
    expect(FOUND_IMAP, "nothing fetched")
    for key, raw in FOUND_IMAP.items():
        subject, body = SENT[key]
        got = decoded_subject(raw)
        expect(got == subject, f"{key}: subject {got!r}, sent {subject!r}")
        _, got_body = split_message(raw)
        expect(got_body == body.encode("utf-8"), f"{key}: body {got_body!r}, sent {body!r}")


@check("imap: seeded INBOX (count, order, UTF-8 header, multipart, 1 MiB size)")
def _():
    imap = imap_login()
    try:
        exists = int(imap_ok(imap.select("INBOX", readonly=True), "EXAMINE INBOX")[0])
        expect(exists >= SEED_COUNT + len(SENT), f"{exists} messages, expected at least {SEED_COUNT + len(SENT)}")
        for n in range(1, SEED_COUNT + 1):
            head = fetch_literal(imap, str(n), "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]")
            expect(f"<seed-{n}@mailwire.test>".encode() in head, f"message {n} is not seed {n}: {head!r}")
        raw3 = fetch_literal(imap, "3", "BODY.PEEK[]")
        msg3 = email.message_from_bytes(raw3, policy=email.policy.default)
        expect(str(msg3["Subject"]) == SEED_UTF8_SUBJECT, f"seed 3 subject {str(msg3['Subject'])!r}")
        expect(msg3["From"].addresses[0].display_name == SEED_UTF8_FROM, f"seed 3 from {str(msg3['From'])!r}")
        expect("schöne Grüße" in msg3.get_content(), "seed 3 UTF-8 body not decoded")
        msg2 = email.message_from_bytes(fetch_literal(imap, "2", "BODY.PEEK[]"), policy=email.policy.default)
        types = [part.get_content_type() for part in msg2.walk()]
        expect(
            types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream"],
            f"seed 2 structure {types}",
        )
        attachment = next(msg2.iter_attachments()).get_content()
        expect(len(attachment) == SEED_ATTACHMENT_LEN, f"seed 2 attachment is {len(attachment)} bytes")
        size = imap_ok(imap.fetch("4", "(RFC822.SIZE)"), "FETCH RFC822.SIZE")[0].decode()
        size = int(re.search(r"RFC822\.SIZE (\d+)", size).group(1))
        expect(size > 1_000_000, f"seed 4 is {size} octets, not about 1 MiB")
        if CFG["SEED_LARGE_SIZE"]:
            expect(size == int(CFG["SEED_LARGE_SIZE"]), f"seed 4 RFC822.SIZE {size}, env says {CFG['SEED_LARGE_SIZE']}")
        big = fetch_literal(imap, "4", "BODY.PEEK[]")
        expect(len(big) == size, f"seed 4 literal is {len(big)} octets, RFC822.SIZE {size}")
    finally:
        imap.logout()


@check("imaps: implicit TLS + AUTHENTICATE CRAM-MD5")
def _():
    imap = imaplib.IMAP4_SSL(HOST, port("IMAPS_PORT"), ssl_context=tls_context(), timeout=SOCKET_TIMEOUT)
    try:
        imap_ok(imap.login_cram_md5(USER, PASS), "AUTHENTICATE CRAM-MD5")
        imap_ok(imap.select("INBOX", readonly=True), "EXAMINE INBOX")
    finally:
        imap.logout()


# ---- POP3 (Dovecot) ------------------------------------------------------------------------------


def pop_raw(lines):
    """The message as CRLF octets, after poplib has removed the dot-stuffing."""
    return b"".join(line + b"\r\n" for line in lines)


@check("pop3: STLS, USER/PASS, STAT, UIDL, RETR of the sent messages")
def _():
    expect(FOUND_IMAP, "nothing was delivered, nothing to read")
    pop = poplib.POP3(HOST, port("POP3_PORT"), timeout=SOCKET_TIMEOUT)
    try:
        expect("STLS" in pop.capa(), "no STLS in CAPA")
        pop.stls(context=tls_context())
        pop.user(USER)
        pop.pass_(PASS)
        count, octets = pop.stat()
        expect(count >= SEED_COUNT + len(SENT), f"STAT says {count} messages")
        uidls = pop.uidl()[1]
        expect(len(uidls) == count, f"UIDL lists {len(uidls)} of {count}")
        expect(len({u.split()[1] for u in uidls}) == count, "UIDL values are not unique")
        found = {}
        # The sent messages are the newest ones: read from the end.
        for n in range(count, 0, -1):
            if len(found) == len(SENT):
                break
            lines = pop.retr(n)[1]
            raw = pop_raw(lines)
            for key in SENT:
                if f"<{key}-{TOKEN}@".encode() in raw:
                    found[key] = raw
        expect(set(found) == set(SENT), f"missing over POP3: {sorted(set(SENT) - set(found))}")
        for key, raw in found.items():
            subject, body = SENT[key]
            expect(decoded_subject(raw) == subject, f"{key}: subject {decoded_subject(raw)!r}")
            expect(split_message(raw)[1] == body.encode("utf-8"), f"{key}: body {split_message(raw)[1]!r}")
            expect(raw.replace(b"\r\n", b"\n") == FOUND_IMAP[key].replace(b"\r\n", b"\n"), f"{key}: POP3 and IMAP differ")
    finally:
        pop.quit()


@check("pop3: seeded messages (LIST size of the 1 MiB one, dot-stuffed lines)")
def _():
    pop = poplib.POP3(HOST, port("POP3_PORT"), timeout=SOCKET_TIMEOUT)
    try:
        pop.stls(context=tls_context())
        pop.user(USER)
        pop.pass_(PASS)
        expect(SEED_COUNT >= 4, f"SEED_COUNT is {SEED_COUNT}")
        listed = int(pop.list(4).split()[2])
        raw4 = pop_raw(pop.retr(4)[1])
        expect(listed == len(raw4), f"LIST 4 says {listed}, RETR 4 gave {len(raw4)}")
        if CFG["SEED_LARGE_SIZE"]:
            expect(listed == int(CFG["SEED_LARGE_SIZE"]), f"LIST 4 says {listed}, env {CFG['SEED_LARGE_SIZE']}")
        lines = pop.retr(1)[1]
        expect(b".A line that starts with a dot (a POP3 server must stuff it)." in lines, "dot line of seed 1 lost")
        expect(b"..Two dots." in lines, "double-dot line of seed 1 lost")
    finally:
        pop.quit()


@check("pop3: APOP")
def _():
    pop = poplib.POP3(HOST, port("POP3_PORT"), timeout=SOCKET_TIMEOUT)
    try:
        expect(re.search(rb"<[^>]+>", pop.getwelcome()), f"no APOP timestamp in {pop.getwelcome()!r}")
        pop.apop(USER, PASS)
        expect(pop.stat()[0] >= SEED_COUNT, "STAT after APOP")
    finally:
        pop.quit()


@check("pop3s: implicit TLS + USER/PASS + UIDL")
def _():
    pop = poplib.POP3_SSL(HOST, port("POP3S_PORT"), context=tls_context(), timeout=SOCKET_TIMEOUT)
    try:
        pop.user(USER)
        pop.pass_(PASS)
        expect(len(pop.uidl()[1]) == pop.stat()[0], "UIDL count differs from STAT")
    finally:
        pop.quit()


@check("lmtp: greeting and LHLO")
def _():
    with socket.create_connection((HOST, port("LMTP_PORT")), timeout=SOCKET_TIMEOUT) as sock:
        f = sock.makefile("rb")
        greeting = f.readline()
        expect(greeting.startswith(b"220 "), f"greeting {greeting!r}")
        sock.sendall(b"LHLO client.mailwire.test\r\n")
        lines = []
        while True:
            line = f.readline()
            expect(line, "connection closed during LHLO")
            lines.append(line)
            if line[3:4] == b" ":
                break
        expect(all(line.startswith(b"250") for line in lines), f"LHLO answered {lines!r}")
        sock.sendall(b"QUIT\r\n")


passed = sum(1 for _, ok in RESULTS if ok)
failed = len(RESULTS) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
