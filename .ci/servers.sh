#!/usr/bin/env bash
# Test servers for `kg push` and `kg query --endpoint`: Virtuoso 7 (Debian) and Oxigraph server
# (PyPI), each on a free port of 127.0.0.1 with its data in $KG_SERVERS_DIR.
#
#   bash .ci/servers.sh start    install what is missing, start both, write $KG_SERVERS_DIR/env
#   bash .ci/servers.sh stop     stop both (by the pids recorded at start)
#
# `start` exits 0 when at least one server is up; the env file exports KG_TEST_VIRTUOSO (with
# KG_TEST_VIRTUOSO_USER and KG_TEST_VIRTUOSO_PASSWORD) and KG_TEST_OXIGRAPH for those that are.
# The tests skip, with the reason, a server that is not named there.
set -uo pipefail

DIR="${KG_SERVERS_DIR:?set KG_SERVERS_DIR to a folder for the server data}"
mkdir -p "$DIR"
ENV_FILE="$DIR/env"
READY_SECONDS="${KG_SERVERS_WAIT:-120}"

say() { echo "servers: $*" >&2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for URL PID: poll URL until it answers (any HTTP status) or the process dies or time runs out
wait_for() {
    local url="$1" pid="$2" waited=0
    while [ "$waited" -lt "$READY_SECONDS" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if python3 - "$url" <<'EOF' 2>/dev/null; then
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2).read(1)
except urllib.error.HTTPError:
    pass
EOF
            return 0
        fi
        sleep 1
        waited=$((waited + 1))
    done
    return 1
}

start_virtuoso() {
    if ! command -v virtuoso-t >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            say "installing virtuoso-opensource"
            # the package's own service (ports 1111 and 8890 on every interface) is not ours: while
            # installing, no service may start (policy-rc.d), and it is stopped should it run anyway
            local policy=/usr/sbin/policy-rc.d added=""
            if [ ! -e "$policy" ]; then
                printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1
            fi
            apt-get update -qq >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null 2>&1 ||
                say "apt-get install virtuoso-opensource failed"
            [ -n "$added" ] && rm -f "$policy"
            service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
        fi
    fi
    if ! command -v virtuoso-t >/dev/null; then
        say "virtuoso-t not found: the Virtuoso tests will skip"
        return 1
    fi
    local vdir="$DIR/virtuoso" sql http password
    mkdir -p "$vdir"
    sql="$(free_port)"
    http="$(free_port)"
    while [ "$http" = "$sql" ]; do http="$(free_port)"; done
    cat >"$vdir/virtuoso.ini" <<EOF
; A private Virtuoso for tests: its files in this folder, both ports on the loopback interface.
[Database]
DatabaseFile = $vdir/kg.db
ErrorLogFile = $vdir/kg.log
LockFile = $vdir/kg.lck
TransactionFile = $vdir/kg.trx
xa_persistent_file = $vdir/kg.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $vdir/kg-temp.db
TransactionFile = $vdir/kg-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$sql
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
; a whole graph is switched in one transaction: let one hold a large graph
TransactionAfterImageLimit = 2000000000
DirsAllowed = ., $vdir
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
EOF
    (cd "$vdir" && exec virtuoso-t +foreground +configfile "$vdir/virtuoso.ini" >"$vdir/stdout.log" 2>&1) &
    local pid=$!
    echo "$pid" >"$vdir/pid"
    if ! wait_for "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" "$pid"; then
        say "Virtuoso did not start (see $vdir/kg.log): the Virtuoso tests will skip"
        tail -5 "$vdir/kg.log" >&2 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
        return 1
    fi
    # a password of this run's own in place of the well-known default
    password="$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
    if ! isql-vt "127.0.0.1:$sql" dba dba exec="user_set_password('dba', '$password');" >"$vdir/isql.log" 2>&1; then
        say "could not set Virtuoso's password (see $vdir/isql.log): the Virtuoso tests will skip"
        return 1
    fi
    {
        echo "export KG_TEST_VIRTUOSO=http://127.0.0.1:$http/sparql-auth"
        echo "export KG_TEST_VIRTUOSO_USER=dba"
        echo "export KG_TEST_VIRTUOSO_PASSWORD=$password"
    } >>"$ENV_FILE"
    say "Virtuoso on 127.0.0.1:$http (SQL on $sql)"
}

start_oxigraph() {
    local odir="$DIR/oxigraph" port bin
    mkdir -p "$odir"
    bin="$(command -v oxigraph || true)"
    if [ -z "$bin" ]; then
        python3 -m venv "$odir/venv" >/dev/null 2>&1 && "$odir/venv/bin/pip" install -q oxigraph >/dev/null 2>&1
        bin="$odir/venv/bin/oxigraph"
    fi
    if [ ! -x "$bin" ]; then
        say "the oxigraph server could not be installed: the Oxigraph server tests will skip"
        return 1
    fi
    port="$(free_port)"
    "$bin" serve --location "$odir/data" --bind "127.0.0.1:$port" >"$odir/server.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$odir/pid"
    if ! wait_for "http://127.0.0.1:$port/query?query=ASK%7B%7D" "$pid"; then
        say "the Oxigraph server did not start (see $odir/server.log): its tests will skip"
        kill "$pid" 2>/dev/null || true
        return 1
    fi
    echo "export KG_TEST_OXIGRAPH=http://127.0.0.1:$port/query" >>"$ENV_FILE"
    say "Oxigraph server on 127.0.0.1:$port"
}

stop_one() {
    local pidfile="$1/pid" pid
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

case "${1:-}" in
start)
    : >"$ENV_FILE"
    up=0
    start_virtuoso && up=$((up + 1))
    start_oxigraph && up=$((up + 1))
    [ "$up" -gt 0 ]
    ;;
stop)
    stop_one "$DIR/virtuoso"
    stop_one "$DIR/oxigraph"
    ;;
*)
    echo "usage: KG_SERVERS_DIR=DIR $0 start|stop" >&2
    exit 2
    ;;
esac
