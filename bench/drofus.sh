#!/usr/bin/env bash
# bench/drofus.sh: the dRofus benchmarks of issue 12, on the SQLite store with SQLite
# tenants, each compared with a baseline measured in the same run:
#   1. list pages (GET /projects.json of PROJECTS projects, /users.json?q= over USERS people,
#      /database.json) against /healthz, in interleaved wrk rounds, with a token (Basic
#      would measure argon2id, once per request);
#   2. a project on a new database: from POST /projects to the database `ready`, cloning a
#      template of TEMPLATE_ROWS rows, against python's sqlite3 online backup of the same
#      file (the same API, no server, no outbox);
#   3. get_backup_now of that tenant streamed to curl, against the same python backup.
# Results: stdout, and key=value lines in bench/results/drofus-latest.txt.
# Knobs: PROJECTS (1000), USERS (1000), TEMPLATE_ROWS (1000000), ROUNDS (5),
# ROUND_SECONDS (5), GET_THREADS (2), GET_CONNECTIONS (16), CLONE_ROUNDS (3),
# WAIT_QUIET (120), SKIP_BUILD, STEWARD_BIN, BIN_COMMIT, BUILD_RETRIES (3).
set -euo pipefail

PROJECTS=${PROJECTS:-1000}
USERS=${USERS:-1000}
TEMPLATE_ROWS=${TEMPLATE_ROWS:-1000000}
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
bench_build
bench_setup

PASSWORD=bench-drofus-password
TEMPLATES=$WORK/templates
TENANTS=$WORK/tenants
mkdir -p "$TEMPLATES" "$TENANTS"

log "template: $TEMPLATE_ROWS rows"
python3 - "$TEMPLATES/big.sqlite" "$TEMPLATE_ROWS" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL, area REAL)")
c.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(sys.argv[2])}) "
          "INSERT INTO rooms (name, area) SELECT printf('Room %d of the benchmark template', i), i * 0.5 FROM n")
c.commit()
PY
TEMPLATE_MB=$(du -m "$TEMPLATES/big.sqlite" | cut -f1)

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
(
    cd "$WORK"
    for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
    exec env STEWARD_DATABASE_URL="sqlite://$WORK/store.db?mode=rwc" STEWARD_LISTEN=127.0.0.1:$PORT \
        STEWARD_BOOTSTRAP_ADMIN=admin:$PASSWORD STEWARD_FACES__DROFUS__TEMPLATE_DIR="$TEMPLATES" \
        STEWARD_FACES__DROFUS__DATABASE_DIR="$TENANTS" RUST_LOG=warn,steward=info "$BIN" serve
) 2>>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do grep -q listening "$WORK/server.log" 2>/dev/null && break; sleep 0.2; done
grep -q listening "$WORK/server.log" || { tail -20 "$WORK/server.log" >&2; die "the server did not start"; }

TOKEN=$(curl -sf -XPOST "$BASE/steward/v1/tokens" -H 'content-type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
AUTH=(-H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' -H 'Content-Type: application/json')
api() { curl -sf -X"$1" "$BASE$2" "${AUTH[@]}" ${3:+-d "$3"}; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

OWNER=$(api POST /owners '{"owner":{"name":"Bench"}}' | field '["owner"]["id"]')
status_of() { api GET "/database/$1" | field '["database"]["status"]'; }

# --- 2. clones, first: the first one makes the database the projects of 1. live on ------
clone_once() { # name -> ms from POST to ready
    local started; started=$(now_ms)
    api POST /projects "{\"project\":{\"new_db\":\"1\",\"new_db_template\":\"big\",\"new_db_name\":\"$1\",\"project_type_id\":1,\"name\":\"$1\",\"owner_id\":$OWNER,\"description\":\"d\",\"constructor\":\"c\"}}" >/dev/null
    while [ "$(status_of "$1")" = creating ]; do sleep 0.01; done
    [ "$(status_of "$1")" = ready ] || die "clone $1 did not end ready"
    echo $(( $(now_ms) - started ))
}
python_backup_ms() { # -> ms for sqlite3's online backup of the template into a new file
    python3 - "$TEMPLATES/big.sqlite" "$WORK/py-copy.sqlite" <<'PY'
import os, sqlite3, sys, time
if os.path.exists(sys.argv[2]): os.remove(sys.argv[2])
started = time.perf_counter()
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close(); src.close()
fd = os.open(sys.argv[2], os.O_RDONLY); os.fsync(fd); os.close(fd)
print(round((time.perf_counter() - started) * 1000))
PY
}
wait_quiet
log "clones: $CLONE_ROUNDS rounds of (Steward's POST → ready, python's backup) of a ${TEMPLATE_MB} MB template"
: >"$WORK/clone.tsv"
for round in $(seq "$CLONE_ROUNDS"); do
    printf '%s\t%s\n' "$(clone_once "bench_$round")" "$(python_backup_ms)" >>"$WORK/clone.tsv"
done
CLONE_MS=$(cut -f1 "$WORK/clone.tsv" | median)
PY_CLONE_MS=$(cut -f2 "$WORK/clone.tsv" | median)

log "backups: $CLONE_ROUNDS rounds of get_backup_now against python's backup"
: >"$WORK/backup.tsv"
for _ in $(seq "$CLONE_ROUNDS"); do
    took=$(curl -sf -o "$WORK/backup.bin" -w '%{time_total}' "$BASE/database/bench_1/get_backup_now" -H "Authorization: Bearer $TOKEN")
    head -c 15 "$WORK/backup.bin" | grep -q 'SQLite format 3' || die "the backup is not a SQLite file"
    printf '%s\t%s\n' "$(awk -v t="$took" 'BEGIN { printf "%d", t * 1000 }')" "$(python_backup_ms)" >>"$WORK/backup.tsv"
done
BACKUP_MS=$(cut -f1 "$WORK/backup.tsv" | median)
PY_BACKUP_MS=$(cut -f2 "$WORK/backup.tsv" | median)
BACKUP_MB=$(du -m "$WORK/backup.bin" | cut -f1)

# --- 1. lists ----------------------------------------------------------------------------
log "seeding $PROJECTS projects on bench_1 and $USERS people through the API"
for i in $(seq "$PROJECTS"); do
    api POST /projects "{\"project\":{\"new_db\":\"0\",\"existing_db_name\":\"bench_1\",\"project_type_id\":1,\"name\":\"Project $i\",\"owner_id\":$OWNER,\"description\":\"d\",\"constructor\":\"c\"}}" >/dev/null
done
for i in $(seq "$USERS"); do
    api POST /users "{\"user\":{\"username\":\"user$i\",\"first_name\":\"First$i\",\"last_name\":\"Last$i\",\"email\":\"user$i@example.org\"}}" >/dev/null
done
PROJECTS_BYTES=$(api GET /projects.json | wc -c)
USERS_Q_COUNT=$(api GET '/users.json?q=user1' | field '.__len__()')

run_wrk() { wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' "$BASE$1" >"$2" 2>&1 || { cat "$2" >&2; die "wrk failed on $1"; }; }
wait_quiet
log "lists: $ROUNDS interleaved rounds of healthz, projects, users?q, database"
: >"$WORK/lists.tsv"
for round in $(seq "$ROUNDS"); do
    for pair in "healthz /healthz" "projects /projects.json" "users /users.json?q=user1" "database /database.json"; do
        set -- $pair
        run_wrk "$2" "$WORK/wrk-$1.txt"
        read -r rps p99 non2xx errs _ < <(parse_wrk "$WORK/wrk-$1.txt")
        [ "$non2xx" = 0 ] && [ "$errs" = 0 ] || die "$1: $non2xx non-2xx answers, $errs socket errors"
        printf '%s\t%s\t%s\t%s\n' "$round" "$1" "$rps" "$p99" >>"$WORK/lists.tsv"
    done
done
ratio() { # what -> median over rounds of (what's req/s / healthz's req/s in the same round)
    awk -F'\t' -v w="$1" '$2 == "healthz" { h[$1] = $3 } $2 == w { r[$1] = $3 } END { for (k in r) print r[k] / h[k] }' "$WORK/lists.tsv" | median
}
rps_of() { awk -F'\t' -v w="$1" '$2 == w { print $3 }' "$WORK/lists.tsv" | median; }
p99_of() { awk -F'\t' -v w="$1" '$2 == w { print $4 }' "$WORK/lists.tsv" | median; }

{
    echo "# bench/drofus.sh $(date -u +%Y-%m-%dT%H:%MZ), binary of $COMMIT (built $BINARY_MTIME)"
    echo "template_mb=$TEMPLATE_MB"
    echo "clone_ms=$CLONE_MS"
    echo "python_backup_ms=$PY_CLONE_MS"
    echo "clone_over_python=$(awk -v a="$CLONE_MS" -v b="$PY_CLONE_MS" 'BEGIN { printf "%.2f", a / b }')"
    echo "backup_mb=$BACKUP_MB"
    echo "get_backup_now_ms=$BACKUP_MS"
    echo "python_backup_ms_2=$PY_BACKUP_MS"
    echo "backup_over_python=$(awk -v a="$BACKUP_MS" -v b="$PY_BACKUP_MS" 'BEGIN { printf "%.2f", a / b }')"
    echo "projects=$PROJECTS projects_json_bytes=$PROJECTS_BYTES users=$USERS users_q_matches=$USERS_Q_COUNT"
    for what in healthz projects users database; do
        echo "${what}_rps=$(rps_of "$what") ${what}_p99_ms=$(p99_of "$what")"
    done
    for what in projects users database; do
        echo "${what}_over_healthz=$(ratio "$what")"
    done
    echo "clone_rounds_ms=$(cut -f1 "$WORK/clone.tsv" | paste -sd,) python_rounds_ms=$(cut -f2 "$WORK/clone.tsv" | paste -sd,)"
} | tee "$RESULT_FILE"
cp "$RESULT_FILE" "$RESULTS_DIR/drofus-$(date -u +%Y-%m-%dT%H-%MZ)-$COMMIT.txt"
