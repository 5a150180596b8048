# Throwaway PostgreSQL 15 servers, for scripts/with-postgres and scripts/with-replica (sourced,
# not run). Each server lives in one temporary directory, listens on 127.0.0.1 on a free port
# (plus a socket inside that directory), runs as the postgres OS user when we are root, and is
# stopped and deleted on exit, whatever happens. The caller sets PG_SCRIPT (its name, for messages).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_EXTENSIONS=${PG_EXTENSIONS:-/usr/share/postgresql/15/extension}
DB_NAME=clinic
DB_USER=clinic
# Durability buys nothing on a server that is deleted in a minute.
PG_FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

say() { printf '%s: %s\n' "$PG_SCRIPT" "$*" >&2; }
die() { say "$*"; exit 1; }

pg_require() {
    if [[ ! -x $PG_BIN/postgres || ! -f $PG_EXTENSIONS/btree_gist.control ]]; then
        if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
            say "PostgreSQL 15 is missing; installing it with apt-get"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            die "PostgreSQL 15 server binaries ($PG_BIN) or btree_gist ($PG_EXTENSIONS) not found.
Install them with: sudo apt-get install -y postgresql    (Debian 12: postgresql-15 includes btree_gist)"
        fi
    fi
}

# The server refuses to run as root, so root hands it to the postgres OS user.
if [[ $EUID -eq 0 ]]; then
    as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$tmp" && "$@"); }
fi

pg_started=()

pg_cleanup() {
    local data
    for data in "${pg_started[@]}"; do
        as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}

# The temporary directory every server of this run lives in ($tmp), deleted on exit.
pg_workdir() {
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 \
            || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    fi
    tmp=$(mktemp -d "/tmp/$PG_SCRIPT.XXXXXX")
    trap pg_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [[ $EUID -eq 0 ]]; then chown postgres: "$tmp"; fi
}

# pg_initdb DATA: a new cluster. Only the socket (in a directory nobody else can enter) trusts;
# TCP needs the password.
pg_initdb() {
    local data=$1
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
        --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }
    as_pg tee "$data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null || echo $((20000 + RANDOM % 40000))
}

# pg_start DATA LOG [OPTIONS]: start the cluster in DATA on a free port (set in $pg_port), with
# the -c OPTIONS given after the defaults (a later -c wins).
pg_start() {
    local data=$1 log=$2 options=${3:-} started=
    for _ in 1 2 3 4 5; do
        pg_port=$(free_port)
        as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
-c port=$pg_port -c unix_socket_directories=$tmp $PG_FAST -c max_connections=100 $options" start \
            >/dev/null 2>&1 && { started=1; break; }
        # Another process may have taken the port between the check and the start.
        grep -q 'could not bind\|already in use' "$log" 2>/dev/null || break
    done
    [[ -n $started ]] || { cat "$log" >&2; die "the server in $data did not start"; }
    pg_started+=("$data")
}

# pg_psql PORT [psql arguments]: psql as the postgres superuser, through the socket.
pg_psql() {
    local port=$1
    shift
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres "$@"
}

# pg_clinic_database PORT: the role $DB_USER with a new password ($password), owner of $DB_NAME
# and allowed to create others (the tests create test_clinic).
pg_clinic_database() {
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))' 2>/dev/null \
        || od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    pg_psql "$1" <<EOF
CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE $DB_NAME OWNER $DB_USER;
EOF
}

pg_version() { "$PG_BIN/postgres" --version | awk '{print $3}'; }
