"""An SMTP server made of aiosmtpd (PyPI), for mailwire's interop tests: it stores each message it accepts.

    python3 aiosmtpd_server.py --out DIR [--cert CERT --key KEY] [--implicit-tls]
                               [--user NAME:PASS] [--auth-methods PLAIN,LOGIN] [--auth-before-tls]

It listens on a free port of 127.0.0.1 and says `listening on 127.0.0.1:PORT` on stderr. Each message is
written to DIR/N.eml exactly as aiosmtpd received it (dot-unstuffed, CRLF line ends as sent), and its envelope
to DIR/N.json (MAIL FROM, its parameters, RCPT TO, the authenticated user, whether TLS was on). With a
certificate it offers STARTTLS, or with --implicit-tls speaks TLS from the first byte. With --user it offers
AUTH with --auth-methods (aiosmtpd offers AUTH only under TLS unless --auth-before-tls) and then requires it.
Runs until killed. Needs aiosmtpd on PYTHONPATH (tests/peers/independent.sh installs it into PYDEPS).
"""

import argparse
import asyncio
import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Store:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "mail_options": envelope.mail_options,
                    "rcpt_tos": envelope.rcpt_tos,
                    "auth": session.auth_data if session.authenticated else None,
                    # STARTTLS sets session.ssl; under implicit TLS the transport itself is TLS.
                    "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                },
                f,
            )
        os.rename(base + ".eml.tmp", base + ".eml")
        print(f"stored {base}.eml ({len(envelope.original_content)} bytes)", file=sys.stderr, flush=True)
        return "250 2.0.0 stored as " + str(self.count)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--user")
    p.add_argument("--auth-methods", default="PLAIN,LOGIN")
    p.add_argument("--auth-before-tls", action="store_true")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)

    context = None
    if a.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)

    user = tuple(a.user.split(":", 1)) if a.user else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            user is not None
            and isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == user
        )
        print(f"AUTH {mechanism} {'ok' if ok else 'refused'}", file=sys.stderr, flush=True)
        return AuthResult(success=ok, auth_data=auth_data.login.decode() if ok else None)

    offered = {m.strip().upper() for m in a.auth_methods.split(",")}

    port = free_port()
    kwargs = dict(
        hostname="127.0.0.1",
        port=port,
        server_hostname="aiosmtpd.test",
        ident="aiosmtpd for mailwire interop",
        enable_SMTPUTF8=True,
        decode_data=False,
    )
    if context is not None and a.implicit_tls:
        kwargs["ssl_context"] = context
    elif context is not None:
        kwargs["tls_context"] = context
    if user is not None:
        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = not (a.auth_before_tls or a.implicit_tls)
        kwargs["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m not in offered]
    controller = Controller(Store(a.out), **kwargs)
    controller.start()
    print(f"listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
