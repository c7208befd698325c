#!/usr/bin/env bash
# bench/hermes.sh: the Hermes benchmarks of issue 5, on the SQLite store, against the
# Kamailio peer's SQLite database (tests/peers/kamailio.sh), each compared with a baseline
# measured in the same run:
#   1. numbers/add_range of RANGE numbers (max_range raised to it) against python sqlite3
#      inserting the same rows as 500-row multi-VALUES statements into a scratch table of
#      the same schema, in one transaction;
#   2. `steward hermes import` of IMPORT local users (store + Kamailio writes), less the
#      same command importing one user (the process's fixed cost);
#   3. GET node latency under load (user/get, numbers/inpool) against /healthz, in
#      interleaved wrk rounds.
# Results: stdout, and key=value lines in bench/results/hermes-latest.txt.
# Knobs: RANGE (1000000), IMPORT (10000), ROUNDS (5), ROUND_SECONDS (5), GET_THREADS (2),
# GET_CONNECTIONS (16), RANGE_ROUNDS (3), WAIT_QUIET (120), SKIP_BUILD, STEWARD_BIN,
# BIN_COMMIT, BUILD_RETRIES (3), STORE (sqlite | postgres: Steward's store in a fresh
# database on PG_ADMIN_URL, postgres://postgres@127.0.0.1:5432/postgres; the baseline is
# then the same 500-row statements through psql in one transaction; PG_PARAMS, e.g.
# sslmode=disable, is added to the store's URL).
set -euo pipefail

RANGE=${RANGE:-1000000}
IMPORT=${IMPORT:-10000}
ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
GET_THREADS=${GET_THREADS:-2}
GET_CONNECTIONS=${GET_CONNECTIONS:-16}
RANGE_ROUNDS=${RANGE_ROUNDS:-3}
WAIT_QUIET=${WAIT_QUIET:-120}

BENCH_NAME=hermes
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STORE=${STORE:-sqlite}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
RESULT_FILE=$RESULTS_DIR/hermes-latest.txt
[ "$STORE" = sqlite ] || RESULT_FILE=$RESULTS_DIR/hermes-$STORE-latest.txt

bench_tools
command -v sipp >/dev/null 2>&1 && [ -x /usr/sbin/kamailio ] || die "Kamailio and SIPp are required (see tests/peers/README.md)"
bench_build
bench_setup

# --- Kamailio and the server ----------------------------------------------------------------
eval "$(KAMAILIO_SEED=0 bash "$REPO/tests/peers/kamailio.sh" start "$WORK/kamailio" | grep '^export ')"
KAMAILIO_DIR=$KAMAILIO_PEER_DIR
stop_kamailio() { bash "$REPO/tests/peers/kamailio.sh" stop "$KAMAILIO_DIR" >/dev/null 2>&1 || true; }
trap 'stop_kamailio; bench_cleanup' EXIT
# The Kamailio database starts with the peer's `domain` row only when seeded; add ours.
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("INSERT INTO domain (domain) VALUES (?)", (sys.argv[2],))' \
    "$KAMAILIO_SQLITE" "$KAMAILIO_DOMAIN"

DB=$WORK/bench.db
DB_URL="sqlite://$DB?mode=rwc"
if [ "$STORE" = postgres ]; then
    PG_DB=steward_bench_$$
    psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null
    DB_URL="${PG_ADMIN_URL%/*}/$PG_DB${PG_PARAMS:+?$PG_PARAMS}"
    trap 'stop_kamailio; psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1; bench_cleanup' EXIT
fi
steward_env() {
    for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
    exec env STEWARD_DATABASE_URL="$DB_URL" \
        STEWARD_FACES__HERMES__KAMAILIO_DATABASE_URL="sqlite://$KAMAILIO_SQLITE" \
        STEWARD_FACES__HERMES__MAX_RANGE="$RANGE" "$@"
}
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
( cd "$WORK"; steward_env STEWARD_LISTEN=127.0.0.1:$PORT RUST_LOG=warn "$BIN" serve ) 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server exited during start-up"; }
    sleep 0.2
done
log "server on $BASE, Kamailio on udp $KAMAILIO_PORT (domain $KAMAILIO_DOMAIN)"
[ "$WAIT_QUIET" = 0 ] || wait_quiet

# --- 1. add_range against a plain batch insert ------------------------------------------------
cat >"$WORK/baseline.py" <<'EOF'
# The same numbers as 500-row multi-VALUES INSERTs into a table shaped like sip_numbers
# (id, number UNIQUE), in one transaction, same pragmas; prints ms from BEGIN to COMMIT.
import sqlite3, sys, time
db, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db, isolation_level=None)
for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "secure_delete = ON"):
    c.execute("PRAGMA " + pragma)
c.execute("DROP TABLE IF EXISTS scratch_numbers")
c.execute("CREATE TABLE scratch_numbers (id integer PRIMARY KEY AUTOINCREMENT, number varchar(16) NOT NULL UNIQUE)")
numbers = [f"+{n}" for n in range(first, first + count)]
statement = "INSERT INTO scratch_numbers (number) VALUES " + ", ".join(["(?)"] * 500)
started = time.perf_counter()
c.execute("BEGIN IMMEDIATE")
for k in range(0, count, 500):
    chunk = numbers[k:k + 500]
    if len(chunk) == 500:
        c.execute(statement, chunk)
    else:
        c.execute("INSERT INTO scratch_numbers (number) VALUES " + ", ".join(["(?)"] * len(chunk)), chunk)
c.execute("COMMIT")
print(f"{(time.perf_counter() - started) * 1000:.1f}")
EOF
# On PostgreSQL: the same statements as SQL for psql (one transaction; psql's own parse
# of the file counts against the baseline, which makes it the more generous one).
cat >"$WORK/baseline_pg.py" <<'EOF'
import sys
first, count = int(sys.argv[1]), int(sys.argv[2])
print("DROP TABLE IF EXISTS scratch_numbers; CREATE TABLE scratch_numbers (id bigserial PRIMARY KEY, number varchar(16) NOT NULL UNIQUE);")
print("BEGIN;")
for k in range(first, first + count, 500):
    print("INSERT INTO scratch_numbers (number) VALUES " + ", ".join(f"('+{n}')" for n in range(k, min(k + 500, first + count))) + ";")
print("COMMIT;")
EOF
: >"$WORK/range.tsv"; : >"$WORK/baseline.tsv"
log "add_range: $RANGE_ROUNDS rounds of $RANGE numbers (a fresh lead-in each round) and the baseline"
for round in $(seq "$RANGE_ROUNDS"); do
    first=$(( (40 + round) * 100000000 ))
    last=$(( first + RANGE - 1 ))
    reply=$(curl -s -w '\t%{time_total}' "$BASE/numbers/add_range?start=%2B$first&end=%2B$last")
    case $reply in *'"response":"ok"'*) ;; *) die "add_range answered: $reply" ;; esac
    added=$(printf '%s' "${reply%$'\t'*}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["added"])')
    [ "$added" = "$RANGE" ] || die "add_range added $added, expected $RANGE"
    printf '%s\n' "$(awk -v t="${reply##*$'\t'}" 'BEGIN { printf "%.1f", t * 1000 }')" >>"$WORK/range.tsv"
    if [ "$STORE" = postgres ]; then
        python3 "$WORK/baseline_pg.py" "$(( (60 + round) * 100000000 ))" "$RANGE" >"$WORK/baseline.sql"
        t0=$(now_ms); psql "$DB_URL" -q -v ON_ERROR_STOP=1 -f "$WORK/baseline.sql" >/dev/null; t1=$(now_ms)
        echo $((t1 - t0)) >>"$WORK/baseline.tsv"
    else
        python3 "$WORK/baseline.py" "$WORK/scratch.db" "$(( (60 + round) * 100000000 ))" "$RANGE" >>"$WORK/baseline.tsv"
    fi
    log "round $round: add_range $(tail -1 "$WORK/range.tsv") ms, baseline $(tail -1 "$WORK/baseline.tsv") ms"
done
RANGE_MS=$(median <"$WORK/range.tsv")
BASELINE_MS=$(median <"$WORK/baseline.tsv")
RANGE_RATIO=$(awk -v a="$RANGE_MS" -v b="$BASELINE_MS" 'BEGIN { printf "%.2f", a / b }')

# --- 2. bulk add_local --------------------------------------------------------------------------
python3 -c 'import sys; n = int(sys.argv[1]); d = sys.argv[2]
for i in range(n): print(f"bulk{i:06d}@{d},Bulk User {i},bulk{i}@example.net")' "$IMPORT" "$KAMAILIO_DOMAIN" >"$WORK/import.csv"
printf 'single@%s,Single,single@example.net\n' "$KAMAILIO_DOMAIN" >"$WORK/one.csv"
import_ms() { # csv -> ms of the whole command
    local t0 t1
    t0=$(now_ms)
    (steward_env "$BIN" hermes import <"$1" >"$WORK/import.out" 2>"$WORK/import.err") || { cat "$WORK/import.err" >&2; die "hermes import failed"; }
    t1=$(now_ms)
    echo $((t1 - t0))
}
log "import: 1 user (the command's fixed cost), then $IMPORT users"
ONE_MS=$(import_ms "$WORK/one.csv")
BULK_MS=$(import_ms "$WORK/import.csv")
IMPORTED=$(wc -l <"$WORK/import.out")
[ "$IMPORTED" = "$IMPORT" ] || die "import printed $IMPORTED users, expected $IMPORT"
IMPORT_WRITES_MS=$((BULK_MS - ONE_MS))
# One of them registers with the password the import printed: the rows are Kamailio's.
read -r BULK_USER BULK_PW < <(python3 -c 'import json, sys; r = json.loads(open(sys.argv[1]).readlines()[-1]); print(r["address"].split("@")[0], r["password"])' "$WORK/import.out")
bash "$REPO/tests/peers/kamailio.sh" register "$BULK_USER" "$BULK_PW" >/dev/null 2>&1 || die "an imported user could not register"
log "import: $BULK_MS ms for $IMPORT, $ONE_MS ms for 1 → $IMPORT_WRITES_MS ms of writes; $BULK_USER registers"

# --- 3. GET nodes under load against /healthz ---------------------------------------------------
run_wrk() { # path out
    wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency "$BASE$1" >"$2" 2>&1 || { cat "$2" >&2; die "wrk failed on $1"; }
}
USER_PATH="/user/get?user=$BULK_USER@$KAMAILIO_DOMAIN"
POOL_PATH="/numbers/inpool?number=%2B$(( 41 * 100000000 + 12345 ))"
curl -sf "$BASE$USER_PATH" | grep -q '"response":"ok"' || die "user/get is not ok"
curl -sf "$BASE$POOL_PATH" | grep -q '"response":"ok"' || die "numbers/inpool is not ok"
: >"$WORK/rounds.tsv"
cpu_begin
for round in $(seq "$ROUNDS"); do
    case $((round % 3)) in
        1) order="healthz user pool" ;;
        2) order="user pool healthz" ;;
        0) order="pool healthz user" ;;
    esac
    for what in $order; do
        case $what in healthz) path=/healthz ;; user) path=$USER_PATH ;; pool) path=$POOL_PATH ;; esac
        run_wrk "$path" "$WORK/wrk-$what.txt"
        read -r rps p99 non2xx errs _ < <(parse_wrk "$WORK/wrk-$what.txt")
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$what" "$rps" "$p99" "$non2xx" "$errs" >>"$WORK/rounds.tsv"
        log "round $round $what: $rps req/s, p99 $p99 ms"
    done
done
cpu_end rounds
col() { awk -F'\t' -v w="$1" -v c="$2" '$2 == w { print $c }' "$WORK/rounds.tsv" | median; }
H_RPS=$(col healthz 3); H_P99=$(col healthz 4)
U_RPS=$(col user 3); U_P99=$(col user 4)
P_RPS=$(col pool 3); P_P99=$(col pool 4)
U_RATIO=$(awk -v a="$U_RPS" -v b="$H_RPS" 'BEGIN { printf "%.3f", a / b }')
P_RATIO=$(awk -v a="$P_RPS" -v b="$H_RPS" 'BEGIN { printf "%.3f", a / b }')
BAD=$(awk -F'\t' '{ s += $5 + $6 } END { print s + 0 }' "$WORK/rounds.tsv")

kill -TERM "$SERVER_PID"; EXIT_CODE=0; wait "$SERVER_PID" || EXIT_CODE=$?; SERVER_PID=

V_RANGE=$(awk -v r="$RANGE_RATIO" 'BEGIN { print (r <= 2.5) ? "PASS" : "MISS" }')
V_IMPORT=$(awk -v m="$IMPORT_WRITES_MS" 'BEGIN { print (m <= 250) ? "PASS" : "MISS" }')
mkdir -p "$RESULTS_DIR"
{
    echo "# bench/hermes.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$COMMIT"
    echo "tree_at_end_of_run=$(tree_state)"
    echo "binary_mtime=$BINARY_MTIME"
    echo "cores=$(nproc) store=$STORE pg_params=${PG_PARAMS:-}"
    cat "$WORK/cpu.txt"
    echo "range_numbers=$RANGE range_rounds=$RANGE_ROUNDS"
    echo "add_range_ms_rounds=$(paste -sd, "$WORK/range.tsv") add_range_ms_median=$RANGE_MS"
    echo "baseline_500_row_values_ms_rounds=$(paste -sd, "$WORK/baseline.tsv") baseline_ms_median=$BASELINE_MS"
    echo "add_range_over_baseline=$RANGE_RATIO target_le_2_5=$V_RANGE"
    echo "import_users=$IMPORT import_ms=$BULK_MS import_one_ms=$ONE_MS import_writes_ms=$IMPORT_WRITES_MS target_le_250ms=$V_IMPORT"
    echo "healthz_rps=$H_RPS healthz_p99_ms=$H_P99"
    echo "user_get_rps=$U_RPS user_get_p99_ms=$U_P99 user_get_over_healthz=$U_RATIO"
    echo "numbers_inpool_rps=$P_RPS numbers_inpool_p99_ms=$P_P99 numbers_inpool_over_healthz=$P_RATIO"
    echo "rounds_non2xx_or_errors=$BAD"
    echo "server_exit_code=$EXIT_CODE"
} >"$RESULT_FILE"
cat <<EOF

Hermes benchmark ($(nproc) cores; $STORE store, Kamailio on SQLite)
--------------------------------------------------------------------
  numbers/add_range of $RANGE   $RANGE_MS ms (median of $RANGE_ROUNDS: $(paste -sd' ' "$WORK/range.tsv"))
  500-row VALUES baseline       $BASELINE_MS ms (median: $(paste -sd' ' "$WORK/baseline.tsv"))
  add_range / baseline          $RANGE_RATIO   target <= 2.5   $V_RANGE
  hermes import of $IMPORT      $BULK_MS ms, of 1: $ONE_MS ms → writes $IMPORT_WRITES_MS ms   target <= 250 ms   $V_IMPORT
  GET /healthz                  $H_RPS req/s, p99 $H_P99 ms
  GET user/get                  $U_RPS req/s (x$U_RATIO), p99 $U_P99 ms
  GET numbers/inpool            $P_RPS req/s (x$P_RATIO), p99 $P_P99 ms
  non-2xx or socket errors      $BAD
  server exit code on SIGTERM   $EXIT_CODE

Written to ${RESULT_FILE#"$REPO"/}
EOF
