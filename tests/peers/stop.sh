#!/usr/bin/env bash
# Stops the Postfix, Dovecot and Exim instances that tests/peers/start.sh started in DIR (default /tmp/mailwire-peers).
# Only those instances are touched, through their own control commands; DIR stays for inspection.
set -euo pipefail

DIR=${1:-/tmp/mailwire-peers}
[ -d "$DIR" ] || { echo "stop.sh: no peers directory $DIR" >&2; exit 0; }

if [ -f "$DIR/postfix/etc/main.cf" ]; then
    postfix -c "$DIR/postfix/etc" stop >/dev/null 2>&1 || true
fi

pidfile=$DIR/dovecot/run/master.pid
if [ -f "$DIR/dovecot/dovecot.conf" ] && [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    doveadm -c "$DIR/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
    # Wait (at most 5 s) for the master to go, so the ports are free when this script returns.
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
fi

pidfile=$DIR/exim/exim.pid
if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
fi

pidfile=$DIR/postfix/queue/pid/master.pid
if [ -f "$pidfile" ]; then
    pid=$(tr -d ' ' <"$pidfile")
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
fi
# Cyrus and Courier (tests/peers/independent.sh)
"$(dirname "${BASH_SOURCE[0]}")/independent.sh" stop "$DIR" || true
echo "mail peers in $DIR stopped"
