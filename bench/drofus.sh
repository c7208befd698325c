#!/usr/bin/env bash
# bench/drofus.sh: the dRofus benchmarks of issue 12, each against a baseline measured in the
# same run, rounds interleaved:
#   1. a project on a new database, from POST /projects to the database `ready` (seen by a
#      client polling over one kept-alive connection):
#        - SQLite tenants: a template of TEMPLATE_ROWS rows (~200 MB) against the sqlite3
#          CLI's `.backup` of the same file (target: ≤ 1.3 ×);
#        - PostgreSQL tenants (PG_URL, skipped when it does not answer): a template database
#          of PG_TEMPLATE_ROWS rows against a bare `CREATE DATABASE … TEMPLATE` by psql
#          (target: ≤ 1.2 ×);
#   2. get_backup_now of a tenant streamed to curl, against `.backup` to a file then `cat`
#      (target: ≥ 0.8 × its throughput), with the server's RSS sampled every 10 ms during
#      the download (target: grows ≤ 16 MB); on PostgreSQL against a bare `pg_dump -Fc`;
#   3. GET /projects.json and .xml with PROJECTS projects at low load (one connection:
#      targets p99 ≤ 5 ms, .xml within 1.5 × the .json time), then the lists under load
#      (16 connections) against /healthz.
# The store is SQLite. Results: stdout, and key=value lines in bench/results/drofus-latest.txt.
# Knobs: PROJECTS (1000), USERS (1000), TEMPLATE_ROWS (4000000), PG_TEMPLATE_ROWS (2500000),
# PG_URL (postgres://postgres@127.0.0.1:5432/postgres), ROUNDS (5), ROUND_SECONDS (5),
# GET_THREADS (2), GET_CONNECTIONS (16), CLONE_ROUNDS (3), WAIT_QUIET (120), SKIP_BUILD,
# STEWARD_BIN, BIN_COMMIT, BUILD_RETRIES (3).
set -euo pipefail

PROJECTS=${PROJECTS:-1000}
USERS=${USERS:-1000}
TEMPLATE_ROWS=${TEMPLATE_ROWS:-4000000}
PG_TEMPLATE_ROWS=${PG_TEMPLATE_ROWS:-2500000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
GET_THREADS=${GET_THREADS:-2}
GET_CONNECTIONS=${GET_CONNECTIONS:-16}
CLONE_ROUNDS=${CLONE_ROUNDS:-3}
WAIT_QUIET=${WAIT_QUIET:-120}

BENCH_NAME=drofus
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULT_FILE=$RESULTS_DIR/drofus-latest.txt

bench_tools
command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 CLI is required (apt-get install sqlite3)"
bench_build
bench_setup

PASSWORD=bench-drofus-password
TEMPLATES=$WORK/templates
TENANTS=$WORK/tenants
mkdir -p "$TEMPLATES" "$TENANTS"
# PostgreSQL names of this run, dropped at exit whatever happens.
PG_PREFIX=steward_bench_$$
PG_ON=
if psql "$PG_URL" -qAtc 'select 1' >/dev/null 2>&1; then PG_ON=1; fi
drop_pg() {
    [ -n "$PG_ON" ] || return 0
    for name in $(psql "$PG_URL" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'" 2>/dev/null); do
        psql "$PG_URL" -qc "ALTER DATABASE \"$name\" IS_TEMPLATE false" >/dev/null 2>&1 || true
        psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap 'bench_cleanup; drop_pg' EXIT

log "SQLite template: $TEMPLATE_ROWS rows"
python3 - "$TEMPLATES/big.sqlite" "$TEMPLATE_ROWS" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL, area REAL)")
c.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(sys.argv[2])}) "
          "INSERT INTO rooms (name, area) SELECT printf('Room %d of the benchmark template', i), i * 0.5 FROM n")
c.commit()
PY
TEMPLATE_MB=$(du -m "$TEMPLATES/big.sqlite" | cut -f1)

# start_server NAME ENV... -> SERVER_PID, BASE, TOKEN, AUTH (one server at a time).
start_server() {
    local name=$1; shift
    local port; port=$(free_port)
    BASE=http://127.0.0.1:$port
    (
        cd "$WORK"
        for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
        exec env STEWARD_DATABASE_URL="sqlite://$WORK/$name.db?mode=rwc" STEWARD_LISTEN=127.0.0.1:$port \
            STEWARD_BOOTSTRAP_ADMIN=admin:$PASSWORD RUST_LOG=warn,steward=info "$@" "$BIN" serve
    ) 2>>"$WORK/$name.log" &
    SERVER_PID=$!
    for _ in $(seq 300); do grep -q listening "$WORK/$name.log" 2>/dev/null && break; sleep 0.2; done
    grep -q listening "$WORK/$name.log" || { tail -20 "$WORK/$name.log" >&2; die "the $name server did not start"; }
    TOKEN=$(curl -sf -XPOST "$BASE/steward/v1/tokens" -H 'content-type: application/json' \
        -d "{\"login\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
    AUTH=(-H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' -H 'Content-Type: application/json')
    OWNER=$(api POST /owners '{"owner":{"name":"Bench"}}' | field '["owner"]["id"]')
}
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    SERVER_PID=
}
api() { curl -sf -X"$1" "$BASE$2" "${AUTH[@]}" ${3:+-d "$3"}; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# clone_once TEMPLATE NAME -> ms from POST /projects to the database `ready`, polled every
# 2 ms over one kept-alive connection (curl and python started per poll would cost more than
# the resolution asked for).
clone_once() {
    python3 - "$BASE" "$TOKEN" "$OWNER" "$1" "$2" <<'PY'
import http.client, json, sys, time, urllib.parse
base, token, owner, template, name = sys.argv[1:]
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}
body = json.dumps({"project": {"new_db": "1", "new_db_template": template, "new_db_name": name, "project_type_id": 1,
                               "name": name, "owner_id": int(owner), "description": "d", "constructor": "c"}})
started = time.perf_counter()
conn.request("POST", "/projects", body, headers)
answer = conn.getresponse(); answer.read()
assert answer.status == 201, answer.status
while True:
    conn.request("GET", f"/database/{name}", headers=headers)
    answer = conn.getresponse(); status = json.loads(answer.read())["database"]["status"]
    if status != "creating":
        break
    time.sleep(0.002)
took = (time.perf_counter() - started) * 1000
assert status == "ready", status
print(round(took))
PY
}
elapsed_ms() { local started; started=$(now_ms); "$@" >/dev/null; echo $(( $(now_ms) - started )); }
cli_backup() { rm -f "$2"; sqlite3 "$1" ".backup '$2'"; }
cli_backup_and_cat() { cli_backup "$1" "$2"; cat "$2" >/dev/null; }

# get_backup_now PATH OUTPUT_TSV: one download to /dev/null, with the server's VmRSS sampled
# every 10 ms; appends "ms bytes rss_growth_mb".
backup_once() {
    local before peak rss sampler
    before=$(proc_mb VmRSS)
    ( peak=$before; while :; do rss=$(proc_mb VmRSS); awk -v a="$rss" -v b="$peak" 'BEGIN { exit !(a > b) }' && peak=$rss; echo "$peak" >"$WORK/peak.txt"; sleep 0.01; done ) &
    sampler=$!
    read -r took bytes < <(curl -sf -o /dev/null -w '%{time_total} %{size_download}\n' "$BASE$1" -H "Authorization: Bearer $TOKEN")
    sleep 0.05
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    peak=$(cat "$WORK/peak.txt")
    printf '%s\t%s\t%s\n' "$(awk -v t="$took" 'BEGIN { printf "%d", t * 1000 }')" "$bytes" \
        "$(awk -v a="$peak" -v b="$before" 'BEGIN { printf "%.1f", a - b }')" >>"$2"
}

# --- 1 and 2 on SQLite tenants --------------------------------------------------------------
start_server sqlite STEWARD_FACES__DROFUS__TEMPLATE_DIR="$TEMPLATES" STEWARD_FACES__DROFUS__DATABASE_DIR="$TENANTS"
wait_quiet
log "SQLite clones: $CLONE_ROUNDS rounds of (POST → ready, sqlite3 .backup) of a ${TEMPLATE_MB} MB template"
: >"$WORK/clone.tsv"
for round in $(seq "$CLONE_ROUNDS"); do
    printf '%s\t%s\n' "$(clone_once big "bench_$round")" "$(elapsed_ms cli_backup "$TEMPLATES/big.sqlite" "$WORK/cli-copy.sqlite")" >>"$WORK/clone.tsv"
done
rm -f "$WORK/cli-copy.sqlite"

log "SQLite backups: $CLONE_ROUNDS rounds of (get_backup_now, sqlite3 .backup + cat)"
: >"$WORK/backup.tsv"; : >"$WORK/cli-backup.tsv"
for _ in $(seq "$CLONE_ROUNDS"); do
    backup_once /database/bench_1/get_backup_now "$WORK/backup.tsv"
    elapsed_ms cli_backup_and_cat "$TENANTS/bench_1.sqlite" "$WORK/cli-copy.sqlite" >>"$WORK/cli-backup.tsv"
done
rm -f "$WORK/cli-copy.sqlite"
BACKUP_BYTES=$(cut -f2 "$WORK/backup.tsv" | head -1)

# --- 3. lists -------------------------------------------------------------------------------
log "seeding $PROJECTS projects on bench_1 and $USERS people through the API"
for i in $(seq "$PROJECTS"); do
    api POST /projects "{\"project\":{\"new_db\":\"0\",\"existing_db_name\":\"bench_1\",\"project_type_id\":1,\"name\":\"Project $i\",\"owner_id\":$OWNER,\"description\":\"d\",\"constructor\":\"c\"}}" >/dev/null
done
for i in $(seq "$USERS"); do
    api POST /users "{\"user\":{\"username\":\"user$i\",\"first_name\":\"First$i\",\"last_name\":\"Last$i\",\"email\":\"user$i@example.org\"}}" >/dev/null
done
PROJECTS_BYTES=$(api GET /projects.json | wc -c)
PROJECTS_XML_BYTES=$(curl -sf "$BASE/projects.xml" -H "Authorization: Bearer $TOKEN" | wc -c)
USERS_Q_COUNT=$(api GET '/users.json?q=user1' | field '.__len__()')

run_wrk() { # threads connections path output
    wrk -t"$1" -c"$2" -d"${ROUND_SECONDS}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE$3" >"$4" 2>&1 || { cat "$4" >&2; die "wrk failed on $3"; }
}
record() { # round what wrk-output
    read -r rps p99 non2xx errs _ < <(parse_wrk "$3")
    [ "$non2xx" = 0 ] && [ "$errs" = 0 ] || die "$2: $non2xx non-2xx answers, $errs socket errors"
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p99" >>"$WORK/lists.tsv"
}
wait_quiet
log "lists: $ROUNDS interleaved rounds: json and xml at one connection, then healthz, projects, users?q, database at $GET_CONNECTIONS"
: >"$WORK/lists.tsv"
for round in $(seq "$ROUNDS"); do
    for pair in "json1 /projects.json" "xml1 /projects.xml"; do
        set -- $pair
        run_wrk 1 1 "$2" "$WORK/wrk-$1.txt"; record "$round" "$1" "$WORK/wrk-$1.txt"
    done
    for pair in "healthz /healthz" "projects /projects.json" "users /users.json?q=user1" "database /database.json"; do
        set -- $pair
        run_wrk "$GET_THREADS" "$GET_CONNECTIONS" "$2" "$WORK/wrk-$1.txt"; record "$round" "$1" "$WORK/wrk-$1.txt"
    done
done
stop_server
ratio() { # a b -> median over rounds of (a's req/s / b's req/s in the same round)
    awk -F'\t' -v a="$1" -v b="$2" '$2 == b { h[$1] = $3 } $2 == a { r[$1] = $3 } END { for (k in r) print r[k] / h[k] }' "$WORK/lists.tsv" | median
}
rps_of() { awk -F'\t' -v w="$1" '$2 == w { print $3 }' "$WORK/lists.tsv" | median; }
p99_of() { awk -F'\t' -v w="$1" '$2 == w { print $4 }' "$WORK/lists.tsv" | median; }

# --- 1 and 2 on PostgreSQL tenants ----------------------------------------------------------
if [ -n "$PG_ON" ]; then
    log "PostgreSQL template: $PG_TEMPLATE_ROWS rows"
    psql "$PG_URL" -qc "CREATE DATABASE ${PG_PREFIX}_tpl" >/dev/null
    psql "${PG_URL%/*}/${PG_PREFIX}_tpl" -q >/dev/null <<SQL
CREATE TABLE rooms (id bigint PRIMARY KEY, name text NOT NULL, area double precision);
INSERT INTO rooms SELECT i, 'Room ' || i || ' of the benchmark template', i * 0.5 FROM generate_series(1, $PG_TEMPLATE_ROWS) AS i;
SQL
    psql "$PG_URL" -qc "ALTER DATABASE ${PG_PREFIX}_tpl IS_TEMPLATE true" >/dev/null
    PG_TEMPLATE_MB=$(psql "$PG_URL" -qAtc "SELECT pg_database_size('${PG_PREFIX}_tpl') / 1048576")
    start_server postgres STEWARD_FACES__DROFUS__TENANT_SERVER_URL="$PG_URL"
    psql "$PG_URL" -qc CHECKPOINT >/dev/null
    wait_quiet
    log "PostgreSQL clones: $CLONE_ROUNDS rounds of (POST → ready, psql CREATE DATABASE … TEMPLATE) of ${PG_TEMPLATE_MB} MB"
    : >"$WORK/pg-clone.tsv"
    for round in $(seq "$CLONE_ROUNDS"); do
        printf '%s\t%s\n' "$(clone_once "${PG_PREFIX}_tpl" "${PG_PREFIX}_s$round")" \
            "$(elapsed_ms psql "$PG_URL" -qc "CREATE DATABASE ${PG_PREFIX}_b$round TEMPLATE ${PG_PREFIX}_tpl")" >>"$WORK/pg-clone.tsv"
    done
    log "PostgreSQL backups: $CLONE_ROUNDS rounds of (get_backup_now, pg_dump -Fc)"
    : >"$WORK/pg-backup.tsv"; : >"$WORK/pg-dump.tsv"
    for _ in $(seq "$CLONE_ROUNDS"); do
        backup_once "/database/${PG_PREFIX}_s1/get_backup_now" "$WORK/pg-backup.tsv"
        elapsed_ms pg_dump -Fc "--dbname=${PG_URL%/*}/${PG_PREFIX}_b1" >>"$WORK/pg-dump.tsv"
    done
    stop_server
fi

{
    echo "# bench/drofus.sh $(date -u +%Y-%m-%dT%H:%MZ), binary of $COMMIT (built $BINARY_MTIME)"
    CLONE_MS=$(cut -f1 "$WORK/clone.tsv" | median); CLI_CLONE_MS=$(cut -f2 "$WORK/clone.tsv" | median)
    echo "template_mb=$TEMPLATE_MB clone_ms=$CLONE_MS sqlite3_backup_ms=$CLI_CLONE_MS"
    echo "clone_over_sqlite3_backup=$(awk -v a="$CLONE_MS" -v b="$CLI_CLONE_MS" 'BEGIN { printf "%.2f", a / b }') (target ≤ 1.3)"
    echo "clone_rounds_ms=$(cut -f1 "$WORK/clone.tsv" | paste -sd,) sqlite3_backup_rounds_ms=$(cut -f2 "$WORK/clone.tsv" | paste -sd,)"
    BACKUP_MS=$(cut -f1 "$WORK/backup.tsv" | median); CLI_BACKUP_MS=$(median <"$WORK/cli-backup.tsv")
    echo "backup_bytes=$BACKUP_BYTES get_backup_now_ms=$BACKUP_MS sqlite3_backup_cat_ms=$CLI_BACKUP_MS"
    echo "backup_throughput_over_baseline=$(awk -v a="$BACKUP_MS" -v b="$CLI_BACKUP_MS" 'BEGIN { printf "%.2f", b / a }') (target ≥ 0.8)"
    echo "backup_rss_growth_mb=$(cut -f3 "$WORK/backup.tsv" | sort -g | tail -1) (largest of $CLONE_ROUNDS; target ≤ 16)"
    echo "projects=$PROJECTS projects_json_bytes=$PROJECTS_BYTES projects_xml_bytes=$PROJECTS_XML_BYTES users=$USERS users_q_matches=$USERS_Q_COUNT"
    echo "low_load_json_p99_ms=$(p99_of json1) low_load_xml_p99_ms=$(p99_of xml1) (target ≤ 5)"
    echo "low_load_json_rps=$(rps_of json1) low_load_xml_rps=$(rps_of xml1)"
    echo "xml_time_over_json=$(awk -v r="$(ratio json1 xml1)" 'BEGIN { printf "%.2f", r }') (target ≤ 1.5)"
    for what in healthz projects users database; do
        echo "${what}_rps=$(rps_of "$what") ${what}_p99_ms=$(p99_of "$what")"
    done
    for what in projects users database; do
        echo "${what}_over_healthz=$(ratio "$what" healthz)"
    done
    if [ -n "$PG_ON" ]; then
        PG_CLONE_MS=$(cut -f1 "$WORK/pg-clone.tsv" | median); PG_BASE_MS=$(cut -f2 "$WORK/pg-clone.tsv" | median)
        echo "pg_template_mb=$PG_TEMPLATE_MB pg_clone_ms=$PG_CLONE_MS pg_create_database_ms=$PG_BASE_MS"
        echo "pg_clone_over_create_database=$(awk -v a="$PG_CLONE_MS" -v b="$PG_BASE_MS" 'BEGIN { printf "%.2f", a / b }') (target ≤ 1.2)"
        echo "pg_clone_rounds_ms=$(cut -f1 "$WORK/pg-clone.tsv" | paste -sd,) pg_create_database_rounds_ms=$(cut -f2 "$WORK/pg-clone.tsv" | paste -sd,)"
        PG_BACKUP_MS=$(cut -f1 "$WORK/pg-backup.tsv" | median); PG_DUMP_MS=$(median <"$WORK/pg-dump.tsv")
        echo "pg_backup_bytes=$(cut -f2 "$WORK/pg-backup.tsv" | head -1) pg_get_backup_now_ms=$PG_BACKUP_MS pg_dump_ms=$PG_DUMP_MS"
        echo "pg_backup_over_pg_dump=$(awk -v a="$PG_BACKUP_MS" -v b="$PG_DUMP_MS" 'BEGIN { printf "%.2f", a / b }') pg_backup_rss_growth_mb=$(cut -f3 "$WORK/pg-backup.tsv" | sort -g | tail -1)"
    else
        echo "postgresql=skipped (no server at $PG_URL)"
    fi
} | tee "$RESULT_FILE"
cp "$RESULT_FILE" "$RESULTS_DIR/drofus-$(date -u +%Y-%m-%dT%H-%MZ)-$COMMIT.txt"
