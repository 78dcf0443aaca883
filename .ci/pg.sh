# shellcheck shell=bash
# Start a throwaway PostgreSQL 15 server for the test suite.
#
# SOURCE this file (". .ci/pg.sh" from .ci/run); do not execute it.  It
#   - installs postgresql-15 with apt-get only when initdb is missing,
#   - initdb's a cluster into a temporary folder (as the 'postgres' user, or a
#     created one, when running as root: initdb refuses root),
#   - starts it with pg_ctl on a free localhost port (55432 upwards), with its
#     unix socket in the same temporary folder,
#   - creates a login role allowed to create databases (each test makes its own)
#     and roles (the team-ledger tests create owner, member and viewer roles),
#   - exports CLAIMTRACK_TEST_PG_URL=postgresql+psycopg://USER:PASS@127.0.0.1:PORT/postgres
#   - and registers an EXIT trap that stops the server and removes the folder.
# When no server can be had it prints a LOUD warning, leaves the variable unset
# and returns 0, so the SQLite half of the suite still runs (the PostgreSQL
# tests then report themselves as skipped, loudly).
# A CLAIMTRACK_TEST_PG_URL already set in the environment is used as it is.

_ct_pg_warn() {
    {
        echo
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!!! WARNING: no PostgreSQL server for the tests: $*"
        echo "!!! The PostgreSQL half of the suite will be SKIPPED."
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo
    } >&2
}

_ct_pg_bindir() {
    local d
    for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/pgsql-15/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

_ct_pg_port_free() {
    # true when nothing listens on 127.0.0.1:$1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_ct_pg_stop() {
    if [ -n "${_CT_PG_DIR:-}" ] && [ -d "$_CT_PG_DIR/data" ]; then
        if [ -n "${_CT_PG_USER:-}" ]; then
            su "$_CT_PG_USER" -s /bin/sh -c "'$_CT_PG_BIN/pg_ctl' -D '$_CT_PG_DIR/data' -m immediate -w stop" >/dev/null 2>&1
        else
            "$_CT_PG_BIN/pg_ctl" -D "$_CT_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
        fi
    fi
    if [ -n "${_CT_PG_DIR:-}" ]; then
        rm -rf "$_CT_PG_DIR"
    fi
    _CT_PG_DIR=""
}

_ct_pg_start() {
    local bin dir port pass role run_as quoted
    if ! bin="$(_ct_pg_bindir)"; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "pg.sh: initdb not found; installing postgresql-15 with apt-get" >&2
            apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2 \
                || { _ct_pg_warn "apt-get install postgresql-15 failed"; return 1; }
            bin="$(_ct_pg_bindir)" || { _ct_pg_warn "postgresql-15 installed but initdb still not found"; return 1; }
        else
            _ct_pg_warn "initdb not found and cannot apt-get install postgresql-15 (not root or no apt-get)"
            return 1
        fi
    fi

    run_as=""
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then
            run_as=postgres
        elif id claimtrack-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh claimtrack-pg >/dev/null 2>&1; then
            run_as=claimtrack-pg
        else
            _ct_pg_warn "running as root and no unprivileged user to run initdb as"
            return 1
        fi
    fi

    # as root the cluster's owner must reach the folder: use /tmp, not a private $TMPDIR
    local base="${TMPDIR:-/tmp}"
    if [ -n "$run_as" ]; then
        base=/tmp
    fi
    dir="$(mktemp -d "$base/claimtrack-pg.XXXXXX")" || { _ct_pg_warn "mktemp failed"; return 1; }
    _CT_PG_DIR="$dir"
    _CT_PG_BIN="$bin"
    _CT_PG_USER="$run_as"
    pass="ct$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    role="claimtrack_test"
    printf '%s\n' "$pass" >"$dir/pwfile"
    chmod 600 "$dir/pwfile"
    if [ -n "$run_as" ]; then
        chown -R "$run_as" "$dir"
        chmod 700 "$dir"
    fi

    _ct_run() {  # run a command line as the cluster's owner
        if [ -n "$run_as" ]; then
            su "$run_as" -s /bin/sh -c "$1"
        else
            sh -c "$1"
        fi
    }

    if ! _ct_run "'$bin/initdb' -D '$dir/data' -U ctadmin --pwfile='$dir/pwfile' --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync" >"$dir/initdb.log" 2>&1; then
        # older images may lack the C.UTF-8 locale
        rm -rf "$dir/data"
        if ! _ct_run "'$bin/initdb' -D '$dir/data' -U ctadmin --pwfile='$dir/pwfile' --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync" >"$dir/initdb.log" 2>&1; then
            tail -n 20 "$dir/initdb.log" >&2
            _ct_pg_warn "initdb failed (log above)"
            _ct_pg_stop
            return 1
        fi
    fi

    port=""
    local p
    for p in $(seq 55432 55532); do
        if _ct_pg_port_free "$p"; then
            port="$p"
            break
        fi
    done
    if [ -z "$port" ]; then
        _ct_pg_warn "no free port in 55432-55532"
        _ct_pg_stop
        return 1
    fi

    if ! _ct_run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null 2>&1; then
        tail -n 20 "$dir/server.log" >&2 2>/dev/null
        _ct_pg_warn "pg_ctl start failed (log above)"
        _ct_pg_stop
        return 1
    fi

    quoted="CREATE ROLE $role LOGIN CREATEDB CREATEROLE PASSWORD '$pass';"
    if ! _ct_run "'$bin/psql' -X -q -h '$dir' -p $port -U ctadmin -d postgres -v ON_ERROR_STOP=1 -c \"$quoted\"" >"$dir/psql.log" 2>&1; then
        cat "$dir/psql.log" >&2
        _ct_pg_warn "could not create the test role"
        _ct_pg_stop
        return 1
    fi

    export CLAIMTRACK_TEST_PG_URL="postgresql+psycopg://$role:$pass@127.0.0.1:$port/postgres"
    echo "pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (data in $dir); CLAIMTRACK_TEST_PG_URL is set" >&2
    return 0
}

if [ -n "${CLAIMTRACK_TEST_PG_URL:-}" ]; then
    echo "pg.sh: using the PostgreSQL server already given in CLAIMTRACK_TEST_PG_URL" >&2
else
    unset CLAIMTRACK_TEST_PG_URL
    if _ct_pg_start; then
        # stop the server when the sourcing shell exits, keeping any EXIT trap it had
        _ct_pg_prev_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
        # shellcheck disable=SC2064
        trap "_ct_pg_stop; ${_ct_pg_prev_trap:-:}" EXIT
    else
        unset CLAIMTRACK_TEST_PG_URL
    fi
fi
