#!/bin/sh
# bench/screen_pg.sh: the PostgreSQL pg_trgm baseline of bench_screen.
#
#   screen_pg.sh start STATE                     create and start a private cluster in STATE
#   screen_pg.sh run STATE SETDIR [MAXQ] [BUDGET] load SETDIR/names.tsv, index, run SETDIR/queries.tsv
#   screen_pg.sh stop STATE                      stop the cluster and remove STATE
#
# start installs postgresql and postgresql-contrib with apt-get when they are
# missing (as root), runs initdb as the postgres user (runuser) into STATE/data
# and starts the server on a unix socket in STATE only (listen_addresses is
# empty: no TCP).  Settings are for a benchmark (fsync off, 1 GB shared
# buffers); nothing outside STATE is touched.
#
# run reads names.tsv ("group<TAB>name") into a table, builds a GIN
# gin_trgm_ops index on name, and then, for each line of queries.tsv
# ("order<TAB>id<TAB>query") in order, times in the server
#   SELECT grp, similarity(name, q) FROM names WHERE name % q
#   ORDER BY similarity DESC LIMIT 10
# with pg_trgm.similarity_threshold = 0.3 (clock_timestamp() around an
# EXECUTE ... USING in PL/pgSQL, so the time is planning + execution, without
# the client round trip), stopping after MAXQ queries or BUDGET seconds.  The
# first 50 queries are run once untimed to warm the caches.  It writes
# SETDIR/pg_results.tsv ("id<TAB>microseconds<TAB>groups<TAB>similarities",
# best first) and SETDIR/pg_info.txt (load and index times, sizes, version).
set -eu

die() { echo "screen_pg.sh: $*" >&2; exit 1; }

pgbin() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
    done
    return 1
}

has_trgm() {
    share=$("$1/pg_config" --sharedir 2>/dev/null || true)
    [ -n "$share" ] && [ -f "$share/extension/pg_trgm.control" ]
}

ensure_installed() {
    if BIN=$(pgbin) && has_trgm "$BIN"; then return 0; fi
    [ "$(id -u)" = 0 ] || die "PostgreSQL with pg_trgm is not installed and installing it needs root"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available"
    echo "screen_pg.sh: installing postgresql postgresql-contrib"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-contrib >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-contrib >/dev/null; } ||
        die "apt-get install postgresql postgresql-contrib failed"
    BIN=$(pgbin) || die "no PostgreSQL binaries after installing"
    has_trgm "$BIN" || die "pg_trgm not found after installing postgresql-contrib"
}

# Run a command as the cluster owner (the postgres user when we are root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PORT=5432   # only names the socket file inside STATE; there is no TCP listener

psql_() {
    as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$STATE" -p "$PORT" -d postgres "$@"
}

cmd=${1:-}
STATE=${2:-}
[ -n "$cmd" ] && [ -n "$STATE" ] || die "usage: screen_pg.sh start|run|stop STATE [SETDIR MAXQ BUDGET]"

case "$cmd" in
start)
    ensure_installed
    [ -d "$STATE" ] || mkdir -p "$STATE"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no postgres user"
        chown postgres "$STATE"
    fi
    chmod 700 "$STATE"
    as_owner "$BIN/initdb" -D "$STATE/data" -E UTF8 --locale=C.UTF-8 -A trust >"$STATE/initdb.log" 2>&1 ||
        die "initdb failed (see $STATE/initdb.log)"
    as_owner "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $STATE -p $PORT -c shared_buffers=1GB -c work_mem=64MB \
            -c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_wal_size=8GB -c jit=off" start >/dev/null || die "server did not start (see $STATE/server.log)"
    psql_ -c "CREATE EXTENSION pg_trgm" || die "CREATE EXTENSION pg_trgm failed"
    echo "screen_pg.sh: cluster up in $STATE ($("$BIN/postgres" --version))"
    ;;
run)
    BIN=$(pgbin) || die "PostgreSQL is not installed"
    SETDIR=${3:?setdir}
    MAXQ=${4:-1000}
    BUDGET=${5:-60}
    now() { date +%s.%N; }
    psql_ -c "SET client_min_messages = warning; DROP TABLE IF EXISTS names, queries, res; CREATE TABLE names (grp int, name text);
              CREATE TABLE queries (ord int, id int, q text);
              CREATE TABLE res (id int, us float8, g int[], s real[])"
    t0=$(now)
    psql_ -c "\\copy names FROM STDIN" <"$SETDIR/names.tsv"
    psql_ -c "VACUUM ANALYZE names"
    t1=$(now)
    psql_ -c "CREATE INDEX names_trgm ON names USING gin (name gin_trgm_ops)"
    psql_ -c "VACUUM ANALYZE names"
    t2=$(now)
    psql_ -c "\\copy queries FROM STDIN" <"$SETDIR/queries.tsv"
    psql_ <<SQL
CREATE OR REPLACE FUNCTION bench_run(maxq int, budget float8, record bool) RETURNS int LANGUAGE plpgsql AS \$\$
DECLARE
    r record; t0 timestamptz; t1 timestamptz; start timestamptz := clock_timestamp();
    g int[]; s real[]; n int := 0;
BEGIN
    FOR r IN SELECT id, q FROM queries ORDER BY ord LOOP
        EXIT WHEN n >= maxq OR extract(epoch FROM clock_timestamp() - start) > budget;
        t0 := clock_timestamp();
        EXECUTE 'SELECT array_agg(grp ORDER BY sim DESC), array_agg(sim ORDER BY sim DESC) FROM '
                '(SELECT grp, similarity(name, \$1) AS sim FROM names WHERE name % \$1 ORDER BY sim DESC LIMIT 10) x'
            INTO g, s USING r.q;
        t1 := clock_timestamp();
        IF record THEN
            INSERT INTO res VALUES (r.id, extract(epoch FROM t1 - t0) * 1e6, g, s);
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END \$\$;
SQL
    psql_ -At -c "SET pg_trgm.similarity_threshold = 0.3; SELECT bench_run(50, 600, false)" >/dev/null
    psql_ -At -c "SET pg_trgm.similarity_threshold = 0.3; SELECT bench_run($MAXQ, $BUDGET, true)" >/dev/null
    psql_ -At -F "$(printf '\t')" -c "SELECT id, us, coalesce(array_to_string(g, ','), ''),
        coalesce(array_to_string(s, ','), '') FROM res ORDER BY id" >"$SETDIR/pg_results.tsv"
    {
        echo "load_s=$(awk "BEGIN{print $t1 - $t0}")"
        echo "index_s=$(awk "BEGIN{print $t2 - $t1}")"
        echo "table_mb=$(psql_ -At -c "SELECT pg_relation_size('names') / 1048576.0")"
        echo "index_mb=$(psql_ -At -c "SELECT pg_relation_size('names_trgm') / 1048576.0")"
        echo "version=$(psql_ -At -c "SELECT 'PostgreSQL ' || current_setting('server_version')")"
        echo "done=$(wc -l <"$SETDIR/pg_results.tsv")"
    } >"$SETDIR/pg_info.txt"
    psql_ -c "DROP TABLE names, queries, res"
    ;;
stop)
    BIN=$(pgbin) || die "PostgreSQL is not installed"
    case "$STATE" in /tmp/*) ;; *) die "refusing to remove $STATE (not under /tmp)" ;; esac
    if [ -f "$STATE/data/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$STATE/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$STATE"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
