#!/usr/bin/env bash
# bench/astakos.sh: the Astakos benchmarks of issue 6, on the SQLite store:
#   1. GET /im/authenticate?usage=1 with a valid user token against GET /healthz, in
#      interleaved wrk rounds (req/s ratio and p99 difference);
#   2. the same with COLD_TOKENS (20 000) tokens of as many accounts in turn, so that
#      nearly every request misses the token and usage caches and reads the store (no
#      target: the figure of the uncached path, next to the cached one);
#   3. POST /service/api/user_catalogs with 1 000 uuids out of ACCOUNTS (100 000)
#      accounts, with a service token, at low load (wrk -c1): p99, on the quiet server
#      before the rounds (the target's verdict) and again after them (reported: a burst of
#      20 000 users leaves glibc's heap fragmented, see docs/PERFORMANCE.md).
# The accounts are written straight into the SQLite file, shaped like one the CLI made
# (the run stops if the catalog does not find all 1 000).
# Results: stdout, and key=value lines in bench/results/astakos-latest.txt.
# Knobs: ACCOUNTS (100000), COLD_TOKENS (20000), ROUNDS (5), ROUND_SECONDS (5), GET_THREADS (2),
# GET_CONNECTIONS (16), LAT_SECONDS (8), WAIT_QUIET (120), SKIP_BUILD, STEWARD_BIN,
# BIN_COMMIT, BUILD_RETRIES (3).
set -euo pipefail

ACCOUNTS=${ACCOUNTS:-100000}
COLD_TOKENS=${COLD_TOKENS:-20000}
ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
GET_THREADS=${GET_THREADS:-2}
GET_CONNECTIONS=${GET_CONNECTIONS:-16}
LAT_SECONDS=${LAT_SECONDS:-8}
WAIT_QUIET=${WAIT_QUIET:-120}

BENCH_NAME=astakos
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULT_FILE=$RESULTS_DIR/astakos-latest.txt

bench_tools
bench_build
bench_setup

DB=$WORK/bench.db
steward_env() {
    for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
    exec env STEWARD_DATABASE_URL="sqlite://$DB?mode=rwc" "$@"
}
cli() { (steward_env "$BIN" "$@"); }
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
( cd "$WORK"; steward_env STEWARD_LISTEN=127.0.0.1:$PORT RUST_LOG=warn "$BIN" serve ) 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -sf "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server exited during start-up"; }
    sleep 0.2
done

# --- the accounts, the user, the service -------------------------------------------------------
printf 'bench-password-1\n' | cli account create u1@example.com --password-stdin --email u1@example.com >/dev/null
cli quota set u1@example.com cyclades.vm 2 >/dev/null
cli usage set u1@example.com cyclades.vm 1 >/dev/null
USER_TOKEN=$(cli token issue u1@example.com)
SERVICE_TOKEN=$(cli service add pithos)
log "seeding $ACCOUNTS accounts shaped like u1@example.com's row"
python3 - "$DB" "$ACCOUNTS" "$WORK/uuids.json" "$COLD_TOKENS" "$WORK/cold-tokens.txt" <<'EOF'
import base64, hashlib, json, os, random, sqlite3, sys, uuid
db, count, out, cold_count, cold_out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
c = sqlite3.connect(db, timeout=30, isolation_level=None)
c.execute("PRAGMA busy_timeout = 30000")
reference = c.execute("SELECT uuid, typeof(uuid), created_at, updated_at FROM accounts WHERE login = 'u1@example.com'").fetchone()
as_blob = reference[1] == "blob"
rows, uuids = [], []
for n in range(count):
    value = uuid.uuid4()
    uuids.append(str(value))
    rows.append((value.bytes if as_blob else str(value), f"bulk{n:06d}@example.org", f"bulk{n:06d}@example.org", f"Bulk {n}", f"bulk{n:06d}@example.org", reference[2], reference[3]))
for k in range(0, count, 10000):
    c.execute("BEGIN IMMEDIATE")
    c.executemany("INSERT INTO accounts (uuid, login, login_key, name, email, phone, active, password_hash, auth_backend, terms_accepted_at, created_at, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, NULL, 1, NULL, 'local', NULL, ?, ?)", rows[k:k + 10000])
    c.execute("COMMIT")
random.seed(7)
json.dump({"uuids": random.sample(uuids, 1000)}, open(out, "w"))
# One token for each of the first COLD_TOKENS bulk accounts, shaped like u1's (issued by
# the CLI): the SHA-256 hex of 32 random bytes in base64url.
token_dates = c.execute("SELECT t.created_at, t.expires_at FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.login = 'u1@example.com'").fetchone()
ids = [row[0] for row in c.execute("SELECT id FROM accounts WHERE login LIKE 'bulk%' ORDER BY id LIMIT ?", (cold_count,))]
secrets, token_rows = [], []
for account_id in ids:
    secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    secrets.append(secret)
    token_rows.append((hashlib.sha256(secret.encode()).hexdigest(), account_id, token_dates[0], token_dates[1]))
c.execute("BEGIN IMMEDIATE")
c.executemany("INSERT INTO tokens (token_hash, account_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, NULL)", token_rows)
c.execute("COMMIT")
open(cold_out, "w").write("\n".join(secrets) + "\n")
EOF
curl -sf -XPOST "$BASE/service/api/user_catalogs" -H "X-Auth-Token: $SERVICE_TOKEN" --data-binary @"$WORK/uuids.json" >"$WORK/catalog.json"
FOUND=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["uuid_catalog"]))' "$WORK/catalog.json")
[ "$FOUND" = 1000 ] || die "the catalog found $FOUND of the 1000 uuids: the seeded rows do not look like the CLI's"
curl -sf "$BASE/im/authenticate?usage=1" -H "X-Auth-Token: $USER_TOKEN" | grep -q '"usage"' || die "authenticate?usage=1 failed"
curl -sf "$BASE/im/authenticate?usage=1" -H "X-Auth-Token: $(tail -n1 "$WORK/cold-tokens.txt")" | grep -q '"usage"' || die "a seeded token does not authenticate"
log "catalog check: 1000 of 1000 found"
[ "$WAIT_QUIET" = 0 ] || wait_quiet

# --- 3a. catalogs of 1 000 out of ACCOUNTS, on the quiet server ----------------------------------
python3 - "$WORK/uuids.json" "$SERVICE_TOKEN" >"$WORK/catalog.lua" <<'EOF'
import json, sys
body = open(sys.argv[1]).read()
print('wrk.method = "POST"')
print('wrk.headers["X-Auth-Token"] = "%s"' % sys.argv[2])
print('wrk.body = %s' % json.dumps(body))
EOF
# M_*: one measurement, labelled $1 in the log.
measure_catalogs() {
    wrk -t1 -c1 -d"${LAT_SECONDS}s" --latency -s "$WORK/catalog.lua" "$BASE/service/api/user_catalogs" >"$WORK/wrk-catalog-$1.txt" 2>&1
    read -r M_RPS M_P99 M_NON2XX M_ERRS M_REQ M_P50 M_MAX < <(parse_wrk "$WORK/wrk-catalog-$1.txt")
    log "catalogs of 1000 ($1): $M_REQ requests, p50 $M_P50 ms, p99 $M_P99 ms"
}
measure_catalogs quiet
Q_RPS=$M_RPS Q_P99=$M_P99 Q_NON2XX=$M_NON2XX Q_ERRS=$M_ERRS Q_REQ=$M_REQ Q_P50=$M_P50 Q_MAX=$M_MAX

# --- 1. authenticate against healthz -------------------------------------------------------------
cat >"$WORK/auth.lua" <<EOF
wrk.headers["X-Auth-Token"] = "$USER_TOKEN"
EOF
# Each wrk thread walks the tokens from its own offset, so no two threads share a token
# within a cache TTL.
cat >"$WORK/cold.lua" <<EOF
local tokens = {}
for line in io.lines("$WORK/cold-tokens.txt") do tokens[#tokens + 1] = line end
local threads = 0
function setup(thread) thread:set("offset", threads * math.floor($COLD_TOKENS / $GET_THREADS)); threads = threads + 1 end
local counter
function request()
    counter = (counter or offset or 0) + 1
    return wrk.format("GET", nil, { ["X-Auth-Token"] = tokens[(counter % #tokens) + 1] })
end
EOF
: >"$WORK/rounds.tsv"
cpu_begin
for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="healthz auth cold"; else order="cold auth healthz"; fi
    for what in $order; do
        case $what in
            healthz) wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency "$BASE/healthz" >"$WORK/wrk.txt" 2>&1 ;;
            auth) wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency -s "$WORK/auth.lua" "$BASE/im/authenticate?usage=1" >"$WORK/wrk.txt" 2>&1 ;;
            cold) wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency -s "$WORK/cold.lua" "$BASE/im/authenticate?usage=1" >"$WORK/wrk.txt" 2>&1 ;;
        esac
        read -r rps p99 non2xx errs _ < <(parse_wrk "$WORK/wrk.txt")
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$what" "$rps" "$p99" "$non2xx" "$errs" >>"$WORK/rounds.tsv"
        log "round $round $what: $rps req/s, p99 $p99 ms"
    done
done
cpu_end rounds
col() { awk -F'\t' -v w="$1" -v c="$2" '$2 == w { print $c }' "$WORK/rounds.tsv" | median; }
H_RPS=$(col healthz 3); H_P99=$(col healthz 4)
A_RPS=$(col auth 3); A_P99=$(col auth 4)
K_RPS=$(col cold 3); K_P99=$(col cold 4)
COLD_RATIO=$(awk -v a="$K_RPS" -v b="$H_RPS" 'BEGIN { printf "%.3f", a / b }')
RATIO=$(awk -v a="$A_RPS" -v b="$H_RPS" 'BEGIN { printf "%.3f", a / b }')
P99_DIFF=$(awk -v a="$A_P99" -v b="$H_P99" 'BEGIN { printf "%.3f", a - b }')
BAD=$(awk -F'\t' '{ s += $5 + $6 } END { print s + 0 }' "$WORK/rounds.tsv")

# --- 3b. catalogs again, after the rounds ----------------------------------------------------------
measure_catalogs after
C_RPS=$M_RPS C_P99=$M_P99 C_NON2XX=$M_NON2XX C_ERRS=$M_ERRS C_REQ=$M_REQ C_P50=$M_P50 C_MAX=$M_MAX

kill -TERM "$SERVER_PID"; EXIT_CODE=0; wait "$SERVER_PID" || EXIT_CODE=$?; SERVER_PID=

V_RATIO=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.5) ? "PASS" : "MISS" }')
V_P99=$(awk -v d="$P99_DIFF" 'BEGIN { print (d <= 3) ? "PASS" : "MISS" }')
V_CAT=$(awk -v p="$Q_P99" 'BEGIN { print (p <= 20) ? "PASS" : "MISS" }')
mkdir -p "$RESULTS_DIR"
{
    echo "# bench/astakos.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$COMMIT"
    echo "tree_at_end_of_run=$(tree_state)"
    echo "binary_mtime=$BINARY_MTIME"
    echo "cores=$(nproc) accounts=$ACCOUNTS"
    cat "$WORK/cpu.txt"
    echo "healthz_rps=$H_RPS healthz_p99_ms=$H_P99"
    echo "authenticate_usage_rps=$A_RPS authenticate_usage_p99_ms=$A_P99"
    echo "authenticate_over_healthz=$RATIO target_ge_0_5=$V_RATIO p99_diff_ms=$P99_DIFF target_le_3ms=$V_P99"
    echo "cold_tokens=$COLD_TOKENS authenticate_usage_cold_rps=$K_RPS authenticate_usage_cold_p99_ms=$K_P99 cold_over_healthz=$COLD_RATIO"
    echo "rounds_non2xx_or_errors=$BAD"
    echo "catalog_1000_requests=$Q_REQ catalog_1000_p50_ms=$Q_P50 catalog_1000_p99_ms=$Q_P99 catalog_1000_max_ms=$Q_MAX non2xx=$Q_NON2XX errors=$Q_ERRS target_p99_le_20ms=$V_CAT"
    echo "catalog_1000_after_rounds_requests=$C_REQ catalog_1000_after_rounds_p50_ms=$C_P50 catalog_1000_after_rounds_p99_ms=$C_P99 catalog_1000_after_rounds_max_ms=$C_MAX non2xx=$C_NON2XX errors=$C_ERRS"
    echo "server_exit_code=$EXIT_CODE"
} >"$RESULT_FILE"
cat <<EOF

Astakos benchmark ($(nproc) cores; $ACCOUNTS accounts, SQLite store)
--------------------------------------------------------------------
  GET /healthz                      $H_RPS req/s, p99 $H_P99 ms
  GET /im/authenticate?usage=1      $A_RPS req/s, p99 $A_P99 ms
  authenticate / healthz            $RATIO   target >= 0.5   $V_RATIO
  p99 difference                    $P99_DIFF ms   target <= 3 ms   $V_P99
  the same, $COLD_TOKENS tokens in turn    $K_RPS req/s, p99 $K_P99 ms ($COLD_RATIO x healthz; caches missed, no target)
  catalogs, 1000 uuids (-c1)        p50 $Q_P50 ms, p99 $Q_P99 ms, $Q_REQ requests   target p99 <= 20 ms   $V_CAT
  the same after the rounds         p50 $C_P50 ms, p99 $C_P99 ms, $C_REQ requests (reported, no verdict)
  non-2xx or socket errors          $BAD (rounds), $((Q_NON2XX + C_NON2XX)) (catalogs)
  server exit code on SIGTERM       $EXIT_CODE

Written to ${RESULT_FILE#"$REPO"/}
EOF
