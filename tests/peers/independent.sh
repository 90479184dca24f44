#!/usr/bin/env bash
# More independent peers beside start.sh's Dovecot, Postfix and Exim: called by start.sh and stop.sh.
#
#   Cyrus IMAP 3.6   IMAP (STARTTLS), IMAPS, POP3 (STLS), POP3S; SASL PLAIN, LOGIN, CRAM-MD5 from a sasldb in DIR
#   Courier 5 / 1.0  IMAP (STARTTLS), IMAPS, POP3 (STLS), POP3S; CRAM-MD5 always, PLAIN and LOGIN after TLS
#   Node.js          imapflow, nodemailer and smtp-server, `npm ci` into tests/interop/node/node_modules
#   Python           aiosmtpd, IMAPClient and aioimaplib (tests/interop/requirements.txt), `pip install --target`
#                    into PYDEPS_ROOT (default /var/tmp/mailwire-pydeps)
#
# Usage: independent.sh start DIR     (after start.sh made DIR/cert.pem, DIR/key.pem and DIR/seed/*.eml)
#        independent.sh stop DIR
#
# Cyrus's and Courier's server packages conflict with Dovecot's (they all provide imap-server and pop3-server), so
# their .debs are fetched with `apt-get download` and unpacked with `dpkg -x` into CYRUS_ROOT and COURIER_ROOT
# (defaults /var/tmp/mailwire-cyrus and /var/tmp/mailwire-courier), as start.sh does for Exim; the libraries they
# link are installed as ordinary packages. Courier's authentication daemon and its user database are the installed
# courier-authdaemon and courier-authlib-userdb packages, whose paths are compiled in: this script writes
# /etc/courier/userdb (one user), switches /etc/courier/authdaemonrc to authuserdb and runs authdaemond on its
# socket in /run/courier/authdaemon, so one Courier instance at a time per machine.
#
# Cyrus and Courier log through syslog: without a syslog daemon (containers, CI) their logs are lost.
set -euo pipefail

ACTION=${1:?usage: independent.sh start|stop DIR}
DIR=${2:?usage: independent.sh start|stop DIR}
HOST=127.0.0.1
: "${CYRUS_IMAP_PORT:=11143}" "${CYRUS_IMAPS_PORT:=11993}" "${CYRUS_POP3_PORT:=11110}" "${CYRUS_POP3S_PORT:=11995}"
: "${COURIER_IMAP_PORT:=12143}" "${COURIER_IMAPS_PORT:=12993}" "${COURIER_POP3_PORT:=12110}" "${COURIER_POP3S_PORT:=12995}"
: "${CYRUS_ROOT:=/var/tmp/mailwire-cyrus}" "${COURIER_ROOT:=/var/tmp/mailwire-courier}"
: "${PYDEPS_ROOT:=/var/tmp/mailwire-pydeps}"
: "${PEER_USER:=alice}" "${PEER_PASS:=secret}"
PEER_DOMAIN=localhost
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INTEROP=$(cd "$HERE/../interop" && pwd)
NODE_DIR=$INTEROP/node
CYRUS_BIN=$CYRUS_ROOT/usr/lib/cyrus/bin
CYRUS_LIBS=$CYRUS_ROOT/usr/lib/x86_64-linux-gnu
COURIER_LIBS=$COURIER_ROOT/usr/lib
EXTRA_PORTS=("$CYRUS_IMAP_PORT" "$CYRUS_IMAPS_PORT" "$CYRUS_POP3_PORT" "$CYRUS_POP3S_PORT"
    "$COURIER_IMAP_PORT" "$COURIER_IMAPS_PORT" "$COURIER_POP3_PORT" "$COURIER_POP3S_PORT")

say() { printf 'independent.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
answers() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---- installation (each step is skipped when already done) -------------------------------------------

# Libraries and tools the unpacked servers need, installed as ordinary packages (none conflicts with Dovecot).
LIB_PACKAGES=(
    # Cyrus (cyrus-common's Depends that are libraries) and saslpasswd2
    libclamav12 libical3 libicu72 libjansson4 libkrb5-3 libldap-2.5-0 libpcre3 libpq5 libsqlite3-0 libwrap0
    libxapian30 libxml2 libzephyr4 libcom-err2 libsasl2-modules sasl2-bin
    # Courier: authdaemond + userdb (they are not server packages), and courier-base's libraries
    courier-authdaemon courier-authlib-userdb libcourier-unicode4 libgamin0 libgdbm6 libidn12 libgnutls30
)

install_libraries() {
    local missing=() pkg
    for pkg in "${LIB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
        die "could not install ${missing[*]}"
}

# unpack ROOT CHECK-FILE PACKAGE...: apt-get download + dpkg -x, once.
unpack() {
    local root=$1 check=$2 debs deb
    shift 2
    [ -x "$root/$check" ] && return
    say "unpacking $* into $root"
    debs=$(mktemp -d)
    chmod 777 "$debs" # apt-get download runs as the _apt user where it can
    (cd "$debs" && apt-get download -q "$@" >/dev/null 2>&1) ||
        { apt-get update -q >/dev/null && (cd "$debs" && apt-get download -q "$@" >/dev/null); } ||
        die "could not download $*"
    mkdir -p "$root"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
    rm -rf "$debs"
    [ -x "$root/$check" ] || die "no $root/$check after unpacking"
}

# npm ci / pip install only when the lock file changed since the last install.
install_node_modules() {
    if ! command -v npm >/dev/null 2>&1; then
        # Debian's own Node.js (18 in bookworm) if none is there; imapflow and Nodemailer ask for 20.
        say "no npm: installing Debian's nodejs and npm"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null ||
            die "npm is missing (Node.js 20 or later with npm is needed for the interop peers)"
    fi
    local stamp=$NODE_DIR/node_modules/.mailwire-lock.sha256 sum
    sum=$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return
    say "npm ci in $NODE_DIR"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in $NODE_DIR"
    echo "$sum" >"$stamp"
}

install_python_packages() {
    local stamp=$PYDEPS_ROOT/.mailwire-requirements.sha256 sum
    sum=$(sha256sum "$INTEROP/requirements.txt" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return
    say "pip install --target $PYDEPS_ROOT -r tests/interop/requirements.txt"
    rm -rf "$PYDEPS_ROOT"
    python3 -m pip --version >/dev/null 2>&1 ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-pip >/dev/null ||
        die "python3 has no pip"
    local pip=(python3 -m pip install -q --disable-pip-version-check --no-warn-script-location
        --target "$PYDEPS_ROOT" -r "$INTEROP/requirements.txt")
    # (a Debian python3 calls itself externally managed: --target does not touch its packages)
    "${pip[@]}" >/dev/null 2>&1 || "${pip[@]}" --break-system-packages >/dev/null || die "pip install failed"
    echo "$sum" >"$stamp"
}

# ---- Cyrus ----------------------------------------------------------------------------------------------

write_cyrus_config() {
    local c=$DIR/cyrus
    mkdir -p "$c"/{spool,sieve,run} "$c"/conf/{db,socket,proc,log,msg,user,quota,lock,ptclient,sync,tls}
    install -m 600 "$DIR/key.pem" "$c/key.pem"
    cat >"$c/imapd.conf" <<EOF
# Written by tests/peers/independent.sh
configdirectory: $c/conf
defaultpartition: default
partition-default: $c/spool
sievedir: $c/sieve
servername: $PEER_DOMAIN
cyrus_user: cyrus
cyrus_group: mail
admins: cyrus
unixhierarchysep: yes
altnamespace: yes
allowplaintext: yes
allowapop: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $c/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5
tls_server_cert: $DIR/cert.pem
tls_server_key: $c/key.pem
# The user's INBOX is made at its first login.
autocreate_quota: 0
idlesocket: $c/run/idle
lmtpsocket: $c/run/lmtp
notifysocket: $c/run/notify
EOF
    # master does not hand its -C to the services: each command names the configuration itself.
    local conf="-C $c/imapd.conf"
    cat >"$c/cyrus.conf" <<EOF
# Written by tests/peers/independent.sh
START {
  recover cmd="$CYRUS_BIN/ctl_cyrusdb $conf -r"
}
SERVICES {
  imap  cmd="$CYRUS_BIN/imapd $conf" listen="$HOST:$CYRUS_IMAP_PORT" prefork=0
  imaps cmd="$CYRUS_BIN/imapd $conf -s" listen="$HOST:$CYRUS_IMAPS_PORT" prefork=0
  pop3  cmd="$CYRUS_BIN/pop3d $conf" listen="$HOST:$CYRUS_POP3_PORT" prefork=0
  pop3s cmd="$CYRUS_BIN/pop3d $conf -s" listen="$HOST:$CYRUS_POP3S_PORT" prefork=0
}
EVENTS {
}
DAEMON {
}
EOF
    # Plaintext secrets in the sasldb: PLAIN, LOGIN, CRAM-MD5 and APOP all work from them.
    printf '%s' "$PEER_PASS" | saslpasswd2 -p -c -f "$c/sasldb2" -u "$PEER_DOMAIN" "$PEER_USER"
    chown -R cyrus:mail "$c"
}

start_cyrus() {
    LD_LIBRARY_PATH=$CYRUS_LIBS "$CYRUS_BIN/master" -C "$DIR/cyrus/imapd.conf" -M "$DIR/cyrus/cyrus.conf" \
        -p "$DIR/cyrus/run/master.pid" -d || die "Cyrus master did not start"
}

# Cyrus keeps mail in its own store: the seeds go in over IMAP (APPEND keeps every byte), as the user.
seed_cyrus() {
    python3 - "$HOST" "$CYRUS_IMAP_PORT" "$PEER_USER" "$PEER_PASS" "$DIR"/seed/*.eml <<'EOF'
import email.utils, imaplib, sys, time
host, port, user, password, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
for _ in range(100):
    try:
        imap = imaplib.IMAP4(host, port, timeout=20)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("Cyrus IMAP does not answer")
imap.login(user, password)
for path in files:
    raw = open(path, "rb").read()
    date = email.utils.parsedate_to_datetime(email.message_from_bytes(raw)["Date"])
    crlf = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    typ, data = imap.append("INBOX", None, imaplib.Time2Internaldate(date), crlf)
    assert typ == "OK", (typ, data)
for box in ("Archive",):
    typ, data = imap.create(box)
    assert typ == "OK", (typ, data)
typ, data = imap.status("INBOX", "(MESSAGES)")
assert data[0].endswith(b"(MESSAGES %d)" % len(files)), data
imap.logout()
EOF
}

stop_cyrus() {
    local pidfile=$DIR/cyrus/run/master.pid pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$pidfile"
}

# ---- Courier --------------------------------------------------------------------------------------------

write_courier_config() {
    local c=$DIR/courier uid gid password hmac home
    home=$c/home/$PEER_USER
    mkdir -p "$c/run" "$home"/Maildir/{cur,new,tmp} "$home"/Maildir/.Archive/{cur,new,tmp}
    touch "$home/Maildir/.Archive/maildirfolder"
    cp "$DIR"/seed/*.eml "$home/Maildir/new/"
    (cd "$home/Maildir/new" && for f in *.eml; do mv "$f" "$((1793000000 + ${f%.eml})).M${f%.eml}P1.mailwire"; done)
    uid=$(id -u vmail)
    gid=$(id -g vmail)
    chown -R "$uid:$gid" "$c/home"
    # couriertls reads the key and certificate from one file, after imaplogin has dropped privileges: a test key.
    cat "$DIR/key.pem" "$DIR/cert.pem" >"$c/server.pem"
    chmod 644 "$c/server.pem"
    # DH parameters for gnutls's DHE suites, made once (-dsaparam: fast) and kept beside the unpacked Courier.
    [ -s "$COURIER_ROOT/dhparams.pem" ] || openssl dhparam -dsaparam -out "$COURIER_ROOT/dhparams.pem" 2048 >/dev/null 2>&1
    cp "$COURIER_ROOT/dhparams.pem" "$c/dhparams.pem"
    # The user database: an MD5-crypt password for PLAIN/LOGIN and an HMAC-MD5 one for CRAM-MD5.
    password=$(printf '%s\n%s\n' "$PEER_PASS" "$PEER_PASS" | userdbpw -md5)
    hmac=$(printf '%s\n%s\n' "$PEER_PASS" "$PEER_PASS" | userdbpw -hmac-md5)
    mkdir -p /etc/courier
    printf '%s\tuid=%s|gid=%s|home=%s|mail=%s|systempw=%s|hmac-md5pw=%s\n' \
        "$PEER_USER" "$uid" "$gid" "$home" "$home/Maildir" "$password" "$hmac" >/etc/courier/userdb
    chmod 600 /etc/courier/userdb
    makeuserdb
    sed -i 's/^authmodulelist=.*/authmodulelist="authuserdb"/' /etc/courier/authdaemonrc
    cat >"$c/courier.env" <<EOF
# Written by tests/peers/independent.sh: the environment of Courier's imapd and pop3d (their /etc/courier/* files)
LD_LIBRARY_PATH=$COURIER_LIBS
IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE AUTH=CRAM-MD5"
IMAP_CAPABILITY_TLS="\$IMAP_CAPABILITY AUTH=PLAIN AUTH=LOGIN"
IMAP_KEYWORDS=1
IMAP_ACL=1
IMAP_IDLE_TIMEOUT=60
IMAP_MAILBOX_SANITY_CHECK=1
IMAP_USELOCKS=1
IMAP_TRASHFOLDERNAME=Trash
IMAP_STARTTLS=YES
IMAP_TLS_REQUIRED=0
POP3AUTH="CRAM-MD5"
POP3AUTH_TLS="PLAIN LOGIN CRAM-MD5"
POP3_STARTTLS=YES
POP3_TLS_REQUIRED=0
COURIERTLS=$COURIER_ROOT/usr/bin/couriertls
TLS_CERTFILE=$c/server.pem
TLS_DHPARAMS=$c/dhparams.pem
TLS_VERIFYPEER=NONE
MAILDIRPATH=Maildir
EOF
}

# courier_listener NAME PORT IMPLICIT-TLS LOGIN DAEMON: couriertcpd under courierlogger (pid file in DIR/courier/run).
courier_listener() {
    local name=$1 port=$2 tls=$3 login=$4 daemon=$5 c=$DIR/courier wrapper=""
    [ "$tls" = yes ] && wrapper="$COURIER_ROOT/usr/bin/couriertls -server -tcpd"
    env -i /bin/sh -c "set -a; . '$c/courier.env'; [ '$tls' = yes ] && IMAP_TLS=1 POP3_TLS=1 IMAP_STARTTLS=NO POP3_STARTTLS=NO; cd '$c'; \
        exec /usr/sbin/courierlogger -pid='$c/run/$name.pid' -start -name='courier-$name' \
        '$COURIER_ROOT/usr/sbin/couriertcpd' -address=$HOST -maxprocs=40 -maxperip=40 -nodnslookup -noidentlookup \
        $port $wrapper '$COURIER_ROOT/usr/lib/courier/courier/$login' '$daemon' Maildir" ||
        die "Courier $name did not start"
}

start_courier() {
    mkdir -p /run/courier/authdaemon
    /usr/sbin/authdaemond stop >/dev/null 2>&1 || true
    /usr/sbin/authdaemond start || die "Courier's authdaemond did not start"
    courier_listener imap "$COURIER_IMAP_PORT" no imaplogin "$COURIER_ROOT/usr/bin/imapd"
    courier_listener imaps "$COURIER_IMAPS_PORT" yes imaplogin "$COURIER_ROOT/usr/bin/imapd"
    courier_listener pop3 "$COURIER_POP3_PORT" no courierpop3login "$COURIER_ROOT/usr/lib/courier/courier/courierpop3d"
    courier_listener pop3s "$COURIER_POP3S_PORT" yes courierpop3login "$COURIER_ROOT/usr/lib/courier/courier/courierpop3d"
}

stop_courier() {
    local name
    for name in imap imaps pop3 pop3s; do
        [ -f "$DIR/courier/run/$name.pid" ] || continue
        /usr/sbin/courierlogger -pid="$DIR/courier/run/$name.pid" -stop >/dev/null 2>&1 || true
        rm -f "$DIR/courier/run/$name.pid"
    done
    if [ -f "$DIR/courier/courier.env" ]; then
        /usr/sbin/authdaemond stop >/dev/null 2>&1 || true
    fi
}

# ---- start / stop ---------------------------------------------------------------------------------------

wait_for_ports() {
    local port
    for port in "${EXTRA_PORTS[@]}"; do
        for _ in $(seq 100); do
            answers "$port" && continue 2
            sleep 0.1
        done
        die "nothing answers on $HOST:$port after 10 s"
    done
}

case $ACTION in
start)
    install_libraries
    unpack "$CYRUS_ROOT" usr/lib/cyrus/bin/imapd cyrus-common cyrus-imapd cyrus-pop3d
    unpack "$COURIER_ROOT" usr/bin/imapd courier-base courier-imap courier-pop
    install_node_modules
    install_python_packages
    id cyrus >/dev/null 2>&1 || useradd --system --gid mail --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin cyrus
    # (a daemon of a previous instance may take a moment to let go of its port)
    for port in "${EXTRA_PORTS[@]}"; do
        for _ in $(seq 50); do
            answers "$port" || continue 2
            sleep 0.1
        done
        die "port $port on $HOST is in use by another program; stop it or choose other ports (tests/peers/README.md)"
    done
    rm -rf "${DIR:?}/cyrus" "${DIR:?}/courier"
    write_cyrus_config
    write_courier_config
    start_cyrus
    start_courier
    wait_for_ports
    seed_cyrus || die "seeding Cyrus failed"
    cat <<EOF
CYRUS_IMAP_PORT=$CYRUS_IMAP_PORT
CYRUS_IMAPS_PORT=$CYRUS_IMAPS_PORT
CYRUS_POP3_PORT=$CYRUS_POP3_PORT
CYRUS_POP3S_PORT=$CYRUS_POP3S_PORT
COURIER_IMAP_PORT=$COURIER_IMAP_PORT
COURIER_IMAPS_PORT=$COURIER_IMAPS_PORT
COURIER_POP3_PORT=$COURIER_POP3_PORT
COURIER_POP3S_PORT=$COURIER_POP3S_PORT
NODE_MODULES=$NODE_DIR/node_modules
PYDEPS=$PYDEPS_ROOT
SEED_DIR=$DIR/seed
EOF
    ;;
stop)
    stop_cyrus
    stop_courier
    ;;
*) die "usage: independent.sh start|stop DIR" ;;
esac
