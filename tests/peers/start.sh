#!/usr/bin/env bash
# Real mail peers on loopback for mailwire's interop tests.
#
#   Dovecot  IMAP, IMAP STARTTLS, IMAPS, POP3, POP3 STLS, POP3S, LMTP  (passwd-file user, APOP + CRAM-MD5 enabled)
#   Postfix  SMTP with PIPELINING/8BITMIME/CHUNKING/STARTTLS, relaying to Dovecot over LMTP;
#            submission with mandatory STARTTLS and AUTH (SASL served by Dovecot)
#   Exim     SMTP with PIPELINING/CHUNKING/8BITMIME/SMTPUTF8/STARTTLS and, after STARTTLS, AUTH
#            PLAIN/LOGIN (CRAM-MD5 also before), delivering to Dovecot over LMTP; it also relays mail
#            for <user>@p<PORT>.relay.test to 127.0.0.1:PORT (SMTP) and <user>@p<PORT>.lmtp.test (LMTP),
#            so a test can make Exim the client of a server under test. Exim conflicts with Postfix as
#            a Debian package, so its .debs are unpacked (not installed) into EXIM_ROOT (default
#            /var/tmp/mailwire-exim) and it runs with its own configuration (-C).
#   Cyrus    IMAP and POP3, and Courier IMAP and POP3, and the npm / PyPI mail libraries the tests drive:
#            started and installed by independent.sh (see there); their settings are appended to peers.env.
#
# Usage: tests/peers/start.sh [DIR]        (DIR defaults to /tmp/mailwire-peers)
#
# Everything lives in DIR: configuration, a self-signed certificate made here, queues, logs, the Maildir.
# A previous instance in DIR is stopped and DIR is rebuilt, so every start begins from the same seeded INBOX.
# Ports and credentials come from the environment (defaults below). The result is written to DIR/peers.env.
# Needs root (Dovecot and Postfix switch users). Installs the Debian packages when they are missing.
set -euo pipefail

DIR=${1:-/tmp/mailwire-peers}
HOST=127.0.0.1
: "${IMAP_PORT:=10143}" "${IMAPS_PORT:=10993}" "${POP3_PORT:=10110}" "${POP3S_PORT:=10995}"
: "${LMTP_PORT:=10024}" "${SMTP_PORT:=10025}" "${SUBMISSION_PORT:=10587}" "${EXIM_PORT:=10026}"
: "${EXIM_ROOT:=/var/tmp/mailwire-exim}"
: "${PEER_USER:=alice}" "${PEER_PASS:=secret}"
PEER_DOMAIN=localhost
ALL_PORTS=("$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT" "$SMTP_PORT" "$SUBMISSION_PORT" "$EXIM_PORT")
EXIM=$EXIM_ROOT/usr/sbin/exim4
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STARTED_AT=$SECONDS

say() { printf 'start.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

answers() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

install_missing_packages() {
    local missing=()
    command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-core)
    [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
    [ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
    [ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
    command -v postfix >/dev/null 2>&1 || missing+=(postfix)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    [ ${#missing[@]} -eq 0 ] && return
    say "installing ${missing[*]}"
    # Postfix asks what kind of mail system this is: answer "none", this script writes its own configuration.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Exim's packages would replace Postfix: fetch them and unpack them beside it instead.
unpack_exim() {
    [ -x "$EXIM" ] && return
    say "unpacking exim4-daemon-light into $EXIM_ROOT"
    local debs deb
    debs=$(mktemp -d)
    # apt-get download runs as the _apt user where it can: let it write there
    chmod 777 "$debs"
    (cd "$debs" && apt-get download -q exim4-daemon-light exim4-base >/dev/null 2>&1) ||
        { apt-get update -q >/dev/null && (cd "$debs" && apt-get download -q exim4-daemon-light exim4-base >/dev/null); } ||
        die "could not download the exim4 packages"
    mkdir -p "$EXIM_ROOT"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$EXIM_ROOT"; done
    rm -rf "$debs"
    [ -x "$EXIM" ] || die "no $EXIM after unpacking"
}

check_dovecot_version() {
    local version
    version=$(dovecot --version | cut -d' ' -f1)
    case $version in
    2.3.*) ;;
    *) die "Dovecot $version found; this script writes Dovecot 2.3 configuration (Debian 12 bookworm)" ;;
    esac
}

# Dovecot and Postfix processes run as unprivileged users: DIR and every folder above it must be traversable.
check_traversable() {
    local user
    for user in postfix dovecot vmail Debian-exim; do
        setpriv --reuid="$user" --regid="$user" --clear-groups test -x "$DIR" ||
            die "$DIR cannot be entered by user $user (a parent folder is private): chmod o+x the parents or choose another DIR"
    done
}

wait_until_ports_free() {
    local port tries
    for port in "${ALL_PORTS[@]}"; do
        for tries in $(seq 50); do
            answers "$port" || continue 2
            sleep 0.1
        done
        die "port $port on $HOST is in use by another program; stop it or choose other ports (see tests/peers/README.md)"
    done
}

make_certificate() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -keyout "$DIR/key.pem" -out "$DIR/cert.pem" >/dev/null 2>&1
    chmod 600 "$DIR/key.pem"
    chmod 644 "$DIR/cert.pem"
}

write_dovecot_config() {
    # {PLAIN} passwords let Dovecot offer the challenge-response mechanisms (APOP, CRAM-MD5,
    # SCRAM-SHA-1, SCRAM-SHA-256) too: it derives the SCRAM keys from the password at each login.
    printf '%s:{PLAIN}%s\n' "$PEER_USER" "$PEER_PASS" >"$DIR/dovecot/users"
    chown root:dovecot "$DIR/dovecot/users"
    chmod 640 "$DIR/dovecot/users"
    cat >"$DIR/dovecot/dovecot.conf" <<EOF
# Written by tests/peers/start.sh
base_dir = $DIR/dovecot/run
state_dir = $DIR/dovecot/state
log_path = $DIR/dovecot/dovecot.log
protocols = imap pop3 lmtp
listen = $HOST
login_greeting = mailwire test peer ready
ssl = yes
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 apop
auth_username_format = %Ln
# Tests fail logins on purpose: answer them at once.
auth_failure_delay = 0
mail_location = maildir:$DIR/mail/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 1
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = $DIR/dovecot/users
}
userdb {
  driver = static
  args = home=$DIR/mail/%n
}
# More IMAP response kinds for the captured corpus (tests/corpus): QUOTA (RFC 9208), METADATA (RFC 5464)
# and SPECIAL-USE (RFC 6154) mailboxes, which exist only once created (auto = no).
mail_plugins = \$mail_plugins quota
mail_attribute_dict = file:%h/dovecot-attributes
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=1G
}
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
}
protocol imap {
  mail_max_userip_connections = 100
  mail_plugins = \$mail_plugins imap_quota imap_zlib
  imap_metadata = yes
}
protocol pop3 {
  mail_max_userip_connections = 100
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
service anvil {
  # No growing delay per client IP after failed logins (Dovecot's "auth penalty"): tests fail logins on purpose.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  # Postfix's smtpd asks Dovecot to check submission passwords through this socket.
  unix_listener auth-postfix {
    mode = 0666
  }
}
EOF
}

write_postfix_config() {
    local etc=$DIR/postfix/etc
    cat >"$etc/main.cf" <<EOF
# Written by tests/peers/start.sh
compatibility_level = 3.6
queue_directory = $DIR/postfix/queue
data_directory = $DIR/postfix/data
mail_owner = postfix
myhostname = mx.$PEER_DOMAIN
mydomain = $PEER_DOMAIN
mydestination =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP mailwire test peer
# Mail for these domains goes to Dovecot over LMTP, whatever the local part.
virtual_mailbox_domains = $PEER_DOMAIN example.com
virtual_transport = lmtp:inet:$HOST:$LMTP_PORT
smtputf8_enable = yes
message_size_limit = 52428800
notify_classes =
smtpd_tls_cert_file = $DIR/cert.pem
smtpd_tls_key_file = $DIR/key.pem
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/dovecot/run/auth-postfix
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# A fixed address that is always refused, for tests of negative RCPT replies.
smtpd_recipient_restrictions = check_recipient_access inline:{ nobody-here@$PEER_DOMAIN=REJECT }, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
maillog_file_prefixes = $DIR
maillog_file = $DIR/postfix/postfix.log
EOF
    # Only the services a relay needs; no chroot (column 5 = n) so absolute paths under DIR work.
    cat >"$etc/master.cf" <<EOF
# service                    type  private unpriv chroot wakeup maxproc command
$HOST:$SMTP_PORT             inet  n       -      n      -      -       smtpd
$HOST:$SUBMISSION_PORT       inet  n       -      n      -      -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup    unix  n  -  n  60     1  pickup
cleanup   unix  n  -  n  -      0  cleanup
qmgr      unix  n  -  n  300    1  qmgr
rewrite   unix  -  -  n  -      -  trivial-rewrite
bounce    unix  -  -  n  -      0  bounce
defer     unix  -  -  n  -      0  bounce
trace     unix  -  -  n  -      0  bounce
verify    unix  -  -  n  -      1  verify
flush     unix  n  -  n  1000?  0  flush
proxymap  unix  -  -  n  -      -  proxymap
smtp      unix  -  -  n  -      -  smtp
relay     unix  -  -  n  -      -  smtp
showq     unix  n  -  n  -      -  showq
error     unix  -  -  n  -      -  error
retry     unix  -  -  n  -      -  error
discard   unix  -  -  n  -      -  discard
local     unix  -  n  n  -      -  local
virtual   unix  -  n  n  -      -  virtual
lmtp      unix  -  -  n  -      -  lmtp
anvil     unix  -  -  n  -      1  anvil
scache    unix  -  -  n  -      1  scache
postlog   unix-dgram n - n  -      1  postlogd
tlsmgr    unix  -  -  n  1000?  1  tlsmgr
EOF
    chown postfix "$DIR/postfix/data"
}

write_exim_config() {
    # Exim reads its key as its own user.
    install -o Debian-exim -m 600 "$DIR/key.pem" "$DIR/exim/key.pem"
    chown -R Debian-exim:Debian-exim "$DIR/exim/spool" "$DIR/exim/log"
    cat >"$DIR/exim/exim.conf" <<EOF
# Written by tests/peers/start.sh
exim_path = $EXIM
keep_environment =
spool_directory = $DIR/exim/spool
log_file_path = $DIR/exim/log/%slog
pid_file_path = $DIR/exim/exim.pid
primary_hostname = exim.$PEER_DOMAIN
daemon_smtp_ports = $EXIM_PORT
local_interfaces = $HOST
smtp_banner = \$primary_hostname ESMTP Exim \$version_number mailwire test peer
pipelining_advertise_hosts = *
chunking_advertise_hosts = *
accept_8bitmime = true
smtputf8_advertise_hosts = *
tls_advertise_hosts = *
tls_certificate = $DIR/cert.pem
tls_privatekey = $DIR/exim/key.pem
message_size_limit = 50M
host_lookup =
rfc1413_hosts =
domainlist local_domains = $PEER_DOMAIN : example.com
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny   local_parts = nobody-here
         message = 550 5.1.1 <\$local_part@\$domain>: no such user
  accept domains = +local_domains
  accept domains = *.relay.test : *.lmtp.test
  deny   message = 550 5.7.1 relay not permitted

begin routers
to_test_server:
  driver = manualroute
  domains = *.relay.test
  transport = to_test_server
  route_list = * $HOST
  self = send
to_test_lmtp:
  driver = manualroute
  domains = *.lmtp.test
  transport = to_test_lmtp
  route_list = * $HOST
  self = send
to_dovecot:
  driver = manualroute
  domains = +local_domains
  transport = dovecot_lmtp
  route_list = * $HOST
  self = send

begin transports
dovecot_lmtp:
  driver = smtp
  protocol = lmtp
  port = $LMTP_PORT
  allow_localhost
  hosts_avoid_tls = *
# p<PORT>.relay.test: the port of a server under test; TLS when it offers STARTTLS (not verified)
to_test_server:
  driver = smtp
  port = \${sg{\$domain}{\N^p(\d+)\..*\$\N}{\N\$1\N}}
  allow_localhost
  hosts_try_chunking = *
# p<PORT>.lmtp.test: the same over LMTP, without TLS
to_test_lmtp:
  driver = smtp
  protocol = lmtp
  port = \${sg{\$domain}{\N^p(\d+)\..*\$\N}{\N\$1\N}}
  allow_localhost
  hosts_avoid_tls = *

begin retry
*  *  F,1m,10s

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{$PEER_USER}}{eq{\$auth3}{$PEER_PASS}}}}
  server_set_id = \$auth2
  server_advertise_condition = \${if def:tls_in_cipher}
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{eq{\$auth1}{$PEER_USER}}{eq{\$auth2}{$PEER_PASS}}}}
  server_set_id = \$auth1
  server_advertise_condition = \${if def:tls_in_cipher}
cram:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if eq{\$auth1}{$PEER_USER}{$PEER_PASS}fail}
  server_set_id = \$auth1
EOF
}

# Exim's daemon keeps the descriptors it was started with (Dovecot and Postfix close theirs): it gets
# none of ours, or whoever reads this script's output through a pipe would wait for it to exit.
start_exim() {
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
        done
        exec "$EXIM" -C "$DIR/exim/exim.conf" -bd -q10s </dev/null >/dev/null 2>&1
    ) || die "exim did not start; see $DIR/exim/log/mainlog"
}

# ---- the seeded INBOX --------------------------------------------------------------------------
# Messages are written straight into the Maildir's new/ folder, LF line endings as Maildir expects.
# Their file names start with increasing timestamps, so Dovecot gives them UIDs 1, 2, 3, 4 in order.

SEED_COUNT=0
SEED_LARGE_SIZE=0

# Pseudo-random but reproducible bytes: AES-CTR keystream over zeros.
keystream() { head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$2" -iv 00000000000000000000000000000000; }
encoded_word() { printf '=?UTF-8?B?%s?=' "$(printf '%s' "$1" | base64 -w0)"; }

seed_headers() { # number subject-header from-header content-type
    cat <<EOF
Return-Path: <bob@example.com>
Delivered-To: $PEER_USER@$PEER_DOMAIN
Date: Mon, 02 Nov 2026 0$1:00:00 +0000
From: $3
To: Alice <$PEER_USER@$PEER_DOMAIN>
Subject: $2
Message-ID: <seed-$1@mailwire.test>
MIME-Version: 1.0
Content-Type: $4
EOF
}

seed_plain() {
    seed_headers 1 "Seed 1: plain text" "Bob Example <bob@example.com>" "text/plain; charset=us-ascii"
    cat <<'EOF'
Content-Transfer-Encoding: 7bit

Hi Alice,

this is the first seeded message: plain US-ASCII text.
.A line that starts with a dot (a POP3 server must stuff it).
..Two dots.
From the start of a line, "From " is just text here.

-- 
Bob
EOF
}

seed_multipart() {
    local boundary=mixed-7d1b0c boundary_alt=alt-2e9f4a
    seed_headers 2 "Seed 2: multipart with attachment" "Bob Example <bob@example.com>" \
        "multipart/mixed; boundary=\"$boundary\""
    cat <<EOF

This is a multi-part message in MIME format.

--$boundary
Content-Type: multipart/alternative; boundary="$boundary_alt"

--$boundary_alt
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hello Alice,

the quarterly figures are attached.

Bob

--$boundary_alt
Content-Type: text/html; charset=us-ascii
Content-Transfer-Encoding: quoted-printable

<html><body><p>Hello Alice,</p><p>the <b>quarterly figures</b> are attache=
d.</p><p>Bob</p></body></html>

--$boundary_alt--

--$boundary
Content-Type: application/octet-stream; name="figures.bin"
Content-Disposition: attachment; filename="figures.bin"
Content-Transfer-Encoding: base64

EOF
    keystream 3000 0102030405060708090a0b0c0d0e0f10 | base64 -w 76
    printf '\n--%s--\n' "$boundary"
}

seed_utf8() {
    seed_headers 3 "$(encoded_word "Grüße aus Köln – 東京 ✓")" "$(encoded_word "Jürgen Müller") <juergen@example.com>" \
        "text/plain; charset=utf-8"
    cat <<'EOF'
Content-Transfer-Encoding: 8bit

Liebe Alice,

schöne Grüße aus Köln! Ça va? Доброе утро. こんにちは。 Emoji: 📬

Jürgen
EOF
}

seed_large() {
    local boundary=large-5c3e81
    seed_headers 4 "Seed 4: about one mebibyte" "Bob Example <bob@example.com>" \
        "multipart/mixed; boundary=\"$boundary\""
    cat <<EOF

--$boundary
Content-Type: text/plain; charset=us-ascii

The attached archive is about one mebibyte.

--$boundary
Content-Type: application/octet-stream; name="archive.bin"
Content-Disposition: attachment; filename="archive.bin"
Content-Transfer-Encoding: base64

EOF
    keystream 780000 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf | base64 -w 76
    printf '\n--%s--\n' "$boundary"
}

seed_mailbox() {
    local maildir=$DIR/mail/$PEER_USER new file size crlf_size kind n=0
    mkdir -p "$maildir"/{cur,new,tmp} "$DIR/seed"
    for kind in plain multipart utf8 large; do
        n=$((n + 1))
        file="$maildir/tmp/$((1793000000 + n)).M${n}P$$.mailwire"
        "seed_$kind" >"$file"
        # The same bytes for the other servers (independent.sh): Courier's Maildir, Cyrus's APPEND.
        cp "$file" "$DIR/seed/$n.eml"
        size=$(stat -c %s "$file")
        # IMAP RFC822.SIZE and POP3 LIST count CRLF line ends: one more octet per line.
        crlf_size=$((size + $(wc -l <"$file")))
        new="$maildir/new/${file##*/},S=$size,W=$crlf_size"
        mv "$file" "$new"
        [ "$kind" = large ] && SEED_LARGE_SIZE=$crlf_size
    done
    SEED_COUNT=$n
    chown -R vmail:vmail "$DIR/mail"
}

# Whatever fails after the daemons were started, they are stopped again.
stop_on_failure() {
    local status=$?
    [ $status -eq 0 ] || "$HERE/stop.sh" "$DIR" >/dev/null 2>&1 || true
    return $status
}

# ---- start ---------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root (Dovecot and Postfix change users); in a container that is the default"
install_missing_packages
unpack_exim
check_dovecot_version
id vmail >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail
# Exim looks its compiled-in user up before it reads any configuration.
id Debian-exim >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin Debian-exim

# A previous instance in DIR goes first; then DIR is rebuilt from nothing.
if [ -e "$DIR/peers.env" ] || [ -e "$DIR/dovecot/dovecot.conf" ] || [ -e "$DIR/cyrus/imapd.conf" ]; then
    "$HERE/stop.sh" "$DIR" >/dev/null
    rm -rf "${DIR:?}"/{dovecot,postfix,exim,mail,seed,cert.pem,key.pem,peers.env,independent.env}
fi
mkdir -p "$DIR"
chmod 755 "$DIR"
DIR=$(cd "$DIR" && pwd)
check_traversable
wait_until_ports_free
mkdir -p "$DIR"/dovecot/{run,state} "$DIR"/postfix/{etc,queue,data} "$DIR"/exim/{spool,log} "$DIR/mail"

trap stop_on_failure EXIT
make_certificate
write_dovecot_config
write_postfix_config
write_exim_config
seed_mailbox

# (its stderr goes to a file: the master keeps it open, and a reader of this script through a pipe would wait)
dovecot -c "$DIR/dovecot/dovecot.conf" 2>>"$DIR/dovecot/stderr.log" || die "dovecot did not start; see $DIR/dovecot/dovecot.log"
# Let Dovecot index the seeded INBOX now, so the seeds keep UIDs 1..N whatever is delivered next.
indexed=$(doveadm -c "$DIR/dovecot/dovecot.conf" -f tab mailbox status -u "$PEER_USER" messages INBOX | tail -n 1)
[ "$indexed" = "INBOX	$SEED_COUNT" ] || die "Dovecot sees '$indexed' in the seeded INBOX, expected $SEED_COUNT messages"
# "postfix check" also creates the queue folders and sets their owners.
postfix -c "$DIR/postfix/etc" check || die "postfix check failed"
postfix -c "$DIR/postfix/etc" start >/dev/null 2>&1 || die "postfix did not start; see $DIR/postfix/postfix.log"
start_exim

for port in "${ALL_PORTS[@]}"; do
    for tries in $(seq 100); do
        answers "$port" && continue 2
        sleep 0.1
    done
    die "nothing answers on $HOST:$port after 10 s; see $DIR/dovecot/dovecot.log and $DIR/postfix/postfix.log"
done

# Cyrus, Courier and the Node.js / Python peers: their settings go at the end of peers.env.
"$HERE/independent.sh" start "$DIR" >"$DIR/independent.env" || die "the independent peers did not start (tests/peers/independent.sh)"

cat >"$DIR/peers.env" <<EOF
PEERS_DIR=$DIR
PEER_HOST=$HOST
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
POP3_PORT=$POP3_PORT
POP3S_PORT=$POP3S_PORT
LMTP_PORT=$LMTP_PORT
SMTP_PORT=$SMTP_PORT
SUBMISSION_PORT=$SUBMISSION_PORT
EXIM_PORT=$EXIM_PORT
PEER_USER=$PEER_USER
PEER_PASS=$PEER_PASS
PEER_DOMAIN=$PEER_DOMAIN
PEER_ADDRESS=$PEER_USER@$PEER_DOMAIN
PEER_REJECTED_ADDRESS=nobody-here@$PEER_DOMAIN
PEER_CERT=$DIR/cert.pem
SEED_COUNT=$SEED_COUNT
SEED_LARGE_SIZE=$SEED_LARGE_SIZE
EOF
cat "$DIR/independent.env" >>"$DIR/peers.env"

cat <<EOF
mail peers up in $((SECONDS - STARTED_AT)) s, state in $DIR
  IMAP        $HOST:$IMAP_PORT (STARTTLS)   IMAPS $HOST:$IMAPS_PORT
  POP3        $HOST:$POP3_PORT (STLS)       POP3S $HOST:$POP3S_PORT
  LMTP        $HOST:$LMTP_PORT
  SMTP        $HOST:$SMTP_PORT (STARTTLS)   submission $HOST:$SUBMISSION_PORT (STARTTLS required, AUTH)
  Exim SMTP   $HOST:$EXIM_PORT (STARTTLS, then AUTH)
  Cyrus IMAP  and POP3, Courier IMAP and POP3 (plain + STARTTLS/STLS, implicit TLS): ports in $DIR/independent.env
  user        $PEER_USER / $PEER_PASS, mail to $PEER_USER@$PEER_DOMAIN; INBOX seeded with $SEED_COUNT messages
  env file    $DIR/peers.env
  stop with   $HERE/stop.sh $DIR
export PEERS_DIR=$DIR
export MAILWIRE_PEERS_ENV=$DIR/peers.env
EOF
