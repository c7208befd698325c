#!/usr/bin/env bash
# Foundation benchmark (see docs/PERFORMANCE.md, section "Foundation").
#
# Builds the release binary, starts one server on a free loopback port with a fresh SQLite
# store, and measures in ONE run, side by side:
#   1. GET /healthz vs authenticated GET /steward/v1/whoami: interleaved wrk rounds,
#      medians of req/s and p99;
#   2. one argon2 verify time: sequential logins at concurrency 1 (median), plus the same
#      argon2id parameters in python argon2-cffi (libargon2) when it is importable;
#   3. a login storm: wrk POSTing the login JSON; logins/s vs the ceiling
#      concurrent_hashes / verify_time;
#   4. VmRSS idle, after the GET rounds, right after the storm and a few seconds later.
# It prints a summary table and writes bench/results/foundation-latest.txt (key=value).
#
# Traffic goes to 127.0.0.1 only; every load phase is bounded in time.
# Knobs (environment): ROUNDS (5), ROUND_SECONDS (5), GET_THREADS (2), GET_CONNECTIONS (16),
# STORM_SECONDS (10), STORM_CONNECTIONS (8), SEQ_LOGINS (15), SKIP_BUILD (unset),
# WAIT_QUIET (120: seconds to wait for a quiet CPU before measuring, 0 = don't wait),
# STEWARD_BIN (default: the release binary in the shared target dir),
# BIN_COMMIT (with SKIP_BUILD: what that binary was built from, recorded as `commit`).
set -euo pipefail

ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
GET_THREADS=${GET_THREADS:-2}
GET_CONNECTIONS=${GET_CONNECTIONS:-16}
STORM_SECONDS=${STORM_SECONDS:-10}
STORM_CONNECTIONS=${STORM_CONNECTIONS:-8}
SEQ_LOGINS=${SEQ_LOGINS:-15}
WAIT_QUIET=${WAIT_QUIET:-120}

BENCH_NAME=foundation
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULT_FILE=$RESULTS_DIR/foundation-latest.txt
PASSWORD=benchpw
LOGIN_BODY="{\"login\":\"admin\",\"password\":\"$PASSWORD\"}"

bench_tools
bench_build
bench_setup
[ "$WAIT_QUIET" = 0 ] || wait_quiet
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- start the server ---------------------------------------------------------------------
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
log "starting $BIN on $BASE (store in $WORK)"
(
    cd "$WORK"
    # The server rejects STEWARD_* variables it does not know (STEWARD_BIN, a knob of this
    # script, made it exit), and a stray one from the caller's shell would change the run:
    # it gets only the variables set here.
    for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
    exec env STEWARD_LISTEN=127.0.0.1:$PORT \
        STEWARD_DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" \
        STEWARD_BOOTSTRAP_ADMIN=admin:$PASSWORD \
        STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 \
        RUST_LOG=${RUST_LOG:-warn,steward=info} \
        "$BIN" serve
) 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do
    grep -q listening "$WORK/server.log" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server exited during start-up"; }
    sleep 0.2
done
grep -q listening "$WORK/server.log" || { cat "$WORK/server.log" >&2; die "the server did not log 'listening' within 60 s"; }

CORES=$(nproc)
HASHES=$(( CORES > 1 ? CORES - 1 : 1 ))   # the server's pool: max(1, cores - 1)

TOKEN=$(curl -sf -XPOST "$BASE/steward/v1/tokens" -H 'content-type: application/json' -d "$LOGIN_BODY" \
    | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || die "login failed: no token"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/steward/v1/whoami")
[ "$code" = 200 ] || die "whoami answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")
[ "$code" = 200 ] || die "healthz answered $code"
for _ in $(seq 5); do
    curl -sf -o /dev/null "$BASE/healthz"
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/steward/v1/whoami"
done
sleep 2
RSS_IDLE=$(proc_mb VmRSS)
RSS_IDLE_KB=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status")
log "idle RSS ${RSS_IDLE} MB (after start, one login and a few requests)"

# --- 1. GET rounds ------------------------------------------------------------------------
run_get() { # name path out [extra wrk args...]
    local name=$1 path=$2 out=$3; shift 3
    wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency "$@" "$BASE$path" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk failed for $name"; }
}
log "warm-up: 2 s each"
wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d2s "$BASE/healthz" >/dev/null
wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d2s -H "Authorization: Bearer $TOKEN" "$BASE/steward/v1/whoami" >/dev/null

: >"$WORK/healthz.tsv"; : >"$WORK/whoami.tsv"
GET_REQUESTS=0
read -r GU0 GS0 _ < <(proc_cpu)
snap_children; GB0=$(machine_busy_ms); GC0=$(children_ms); GT0=$(now_ms)
for round in $(seq "$ROUNDS"); do
    # Alternate the order so neither endpoint always runs right after the other.
    if [ $((round % 2)) = 1 ]; then order="healthz whoami"; else order="whoami healthz"; fi
    for name in $order; do
        out=$WORK/$name-$round.txt
        if [ "$name" = healthz ]; then
            run_get healthz /healthz "$out"
        else
            run_get whoami /steward/v1/whoami "$out" -H "Authorization: Bearer $TOKEN"
        fi
        read -r rps p99 non2xx errs requests _ < <(parse_wrk "$out")
        GET_REQUESTS=$((GET_REQUESTS + requests))
        [ "$non2xx" = 0 ] || log "WARNING: $name round $round: $non2xx non-2xx responses"
        [ "$errs" = 0 ] || log "WARNING: $name round $round: $errs socket errors"
        printf '%s\t%s\t%s\t%s\n' "$rps" "$p99" "$non2xx" "$errs" >>"$WORK/$name.tsv"
        log "round $round $name: ${rps} req/s, p99 ${p99} ms"
    done
done
RSS_AFTER_GET=$(proc_mb VmRSS)
read -r GU1 GS1 _ < <(proc_cpu)
snap_children; GB1=$(machine_busy_ms); GC1=$(children_ms); GT1=$(now_ms)
# Share of the machine's CPU capacity during the GET rounds used by anything but the
# server, wrk and curl: the noise figure of this run (0 on a quiet machine).
FOREIGN_CPU_SHARE=$(awk -v b=$((GB1 - GB0)) -v s=$((GU1 - GU0 + GS1 - GS0)) -v c=$((GC1 - GC0)) -v t=$((GT1 - GT0)) -v n="$(nproc)" \
    'BEGIN { f = (b - s - c) / (t * n); if (f < 0) f = 0; printf "%.3f", f }')
SERVER_CPU_SHARE=$(awk -v s=$((GU1 - GU0 + GS1 - GS0)) -v t=$((GT1 - GT0)) -v n="$(nproc)" 'BEGIN { printf "%.3f", s / (t * n) }')
WRK_CPU_SHARE=$(awk -v c=$((GC1 - GC0)) -v t=$((GT1 - GT0)) -v n="$(nproc)" 'BEGIN { printf "%.3f", c / (t * n) }')
# Growth per request served in the rounds (the 2 s warm-ups are not counted, so this
# slightly overstates it). A server that retains nothing per request shows ~0.
RSS_GROWTH_B_PER_REQ=$(awk -v a="$RSS_IDLE_KB" -v r="$GET_REQUESTS" '$1 == "VmRSS:" { printf "%.1f", ($2 - a) * 1024 / r }' "/proc/$SERVER_PID/status")

H_RPS=$(cut -f1 "$WORK/healthz.tsv" | median)
W_RPS=$(cut -f1 "$WORK/whoami.tsv" | median)
H_P99=$(cut -f2 "$WORK/healthz.tsv" | median)
W_P99=$(cut -f2 "$WORK/whoami.tsv" | median)
GET_NON2XX=$(cat "$WORK/healthz.tsv" "$WORK/whoami.tsv" | awk '{ s += $3 + $4 } END { print s + 0 }')
RPS_RATIO=$(awk -v w="$W_RPS" -v h="$H_RPS" 'BEGIN { printf "%.3f", w / h }')
P99_DELTA=$(awk -v w="$W_P99" -v h="$H_P99" 'BEGIN { printf "%.3f", w - h }')
# Paired (same round) ratios, as a cross-check less sensitive to drift across the run.
PAIRED_RATIO=$(paste "$WORK/whoami.tsv" "$WORK/healthz.tsv" | awk '{ printf "%.4f\n", $1 / $5 }' | median)
PAIRED_DELTA=$(paste "$WORK/whoami.tsv" "$WORK/healthz.tsv" | awk '{ printf "%.4f\n", $2 - $6 }' | median)

# --- 2. one argon2 verify time ------------------------------------------------------------
log "sequential logins: $SEQ_LOGINS at concurrency 1"
: >"$WORK/seq.txt"
read -r U0 S0 F0 < <(proc_cpu)
for _ in $(seq "$SEQ_LOGINS"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -XPOST "$BASE/steward/v1/tokens" \
        -H 'content-type: application/json' -d "$LOGIN_BODY" >>"$WORK/seq.txt"
done
awk '$1 != 201 { bad = 1 } END { exit bad }' "$WORK/seq.txt" || die "a sequential login did not answer 201"
SEQ_LOGIN_MS=$(awk '{ print $2 * 1000 }' "$WORK/seq.txt" | median)
read -r U1 S1 F1 < <(proc_cpu)
LOGIN_USER_MS=$(( (U1 - U0) / SEQ_LOGINS ))
LOGIN_SYS_MS=$(( (S1 - S0) / SEQ_LOGINS ))
LOGIN_MINFLT=$(( (F1 - F0) / SEQ_LOGINS ))

PY_VERIFY_MS=$(python_argon2_verify_ms)
CEILING=$(login_ceiling "$HASHES" "$SEQ_LOGIN_MS")
PY_CEILING=$(login_ceiling "$HASHES" "$PY_VERIFY_MS")

# --- 3. login storm -----------------------------------------------------------------------
cat >"$WORK/login.lua" <<EOF
wrk.method = "POST"
wrk.body = '$LOGIN_BODY'
wrk.headers["Content-Type"] = "application/json"
EOF
log "login storm: $STORM_CONNECTIONS connections for ${STORM_SECONDS} s"
RSS_BEFORE_STORM=$(proc_mb VmRSS)
wrk -t1 -c"$STORM_CONNECTIONS" -d"${STORM_SECONDS}s" --timeout 10s --latency -s "$WORK/login.lua" \
    "$BASE/steward/v1/tokens" >"$WORK/storm.txt" 2>&1 || { cat "$WORK/storm.txt" >&2; die "wrk failed for the storm"; }
RSS_STORM=$(proc_mb VmRSS)
HWM=$(proc_mb VmHWM)
read -r LOGINS_PER_S STORM_P99 STORM_NON2XX STORM_ERRS STORM_REQUESTS _ < <(parse_wrk "$WORK/storm.txt")
sleep 5
RSS_STORM_5S=$(proc_mb VmRSS)
RSS_STORM_DELTA=$(awk -v a="$RSS_STORM" -v b="$RSS_BEFORE_STORM" 'BEGIN { printf "%.1f", a - b }')
LOGIN_RATIO=$(awk -v l="$LOGINS_PER_S" -v c="$CEILING" 'BEGIN { printf "%.3f", l / c }')
PY_LOGIN_RATIO=n/a
[ "$PY_CEILING" = n/a ] || PY_LOGIN_RATIO=$(awk -v l="$LOGINS_PER_S" -v c="$PY_CEILING" 'BEGIN { printf "%.3f", l / c }')

# --- stop ---------------------------------------------------------------------------------
kill -TERM "$SERVER_PID"
EXIT_CODE=0
wait "$SERVER_PID" || EXIT_CODE=$?
SERVER_PID=

# --- verdicts -----------------------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
V_RPS=$(verdict "$RPS_RATIO >= 0.60")
V_P99=$(verdict "$P99_DELTA <= 2.0")
V_LOGIN=$(verdict "$LOGIN_RATIO >= 0.8 && $STORM_NON2XX == 0")
V_IDLE=$(verdict "$RSS_IDLE <= 30")
V_STORM=$(verdict "$RSS_STORM <= 64")

mkdir -p "$RESULTS_DIR"
{
    echo "# bench/foundation.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$COMMIT"
    echo "tree_at_end_of_run=$(tree_state)"
    echo "build=$([ -z "${SKIP_BUILD:-}" ] && echo fresh || echo skipped)"
    echo "binary_mtime=$BINARY_MTIME"
    echo "cores=$CORES"
    echo "concurrent_hashes=$HASHES"
    echo "loadavg_at_start=$LOAD_AT_START"
    echo "get_rounds_cpu_share_server=$SERVER_CPU_SHARE"
    echo "get_rounds_cpu_share_wrk=$WRK_CPU_SHARE"
    echo "get_rounds_cpu_share_foreign=$FOREIGN_CPU_SHARE"
    echo "rounds=$ROUNDS round_seconds=$ROUND_SECONDS get_threads=$GET_THREADS get_connections=$GET_CONNECTIONS"
    echo "healthz_rps_rounds=$(cut -f1 "$WORK/healthz.tsv" | paste -sd,)"
    echo "whoami_rps_rounds=$(cut -f1 "$WORK/whoami.tsv" | paste -sd,)"
    echo "healthz_p99_ms_rounds=$(cut -f2 "$WORK/healthz.tsv" | paste -sd,)"
    echo "whoami_p99_ms_rounds=$(cut -f2 "$WORK/whoami.tsv" | paste -sd,)"
    echo "healthz_rps_median=$H_RPS"
    echo "whoami_rps_median=$W_RPS"
    echo "healthz_p99_ms_median=$H_P99"
    echo "whoami_p99_ms_median=$W_P99"
    echo "get_non2xx_or_errors=$GET_NON2XX"
    echo "get_requests_total=$GET_REQUESTS"
    echo "whoami_over_healthz_rps=$RPS_RATIO"
    echo "whoami_over_healthz_rps_paired_median=$PAIRED_RATIO"
    echo "whoami_minus_healthz_p99_ms=$P99_DELTA"
    echo "whoami_minus_healthz_p99_ms_paired_median=$PAIRED_DELTA"
    echo "sequential_login_ms_median=$SEQ_LOGIN_MS"
    echo "sequential_login_server_user_ms=$LOGIN_USER_MS"
    echo "sequential_login_server_sys_ms=$LOGIN_SYS_MS"
    echo "sequential_login_server_minor_faults=$LOGIN_MINFLT"
    echo "python_argon2_verify_ms_median=$PY_VERIFY_MS"
    echo "login_ceiling_per_s=$CEILING"
    echo "login_ceiling_python_per_s=$PY_CEILING"
    echo "storm_connections=$STORM_CONNECTIONS storm_seconds=$STORM_SECONDS"
    echo "logins_per_s=$LOGINS_PER_S"
    echo "login_requests=$STORM_REQUESTS"
    echo "login_p99_ms=$STORM_P99"
    echo "login_non2xx=$STORM_NON2XX"
    echo "login_socket_errors=$STORM_ERRS"
    echo "logins_over_ceiling=$LOGIN_RATIO"
    echo "logins_over_python_ceiling=$PY_LOGIN_RATIO"
    echo "rss_idle_mb=$RSS_IDLE"
    echo "rss_after_get_rounds_mb=$RSS_AFTER_GET"
    echo "rss_growth_bytes_per_get_request=$RSS_GROWTH_B_PER_REQ"
    echo "rss_before_storm_mb=$RSS_BEFORE_STORM"
    echo "rss_after_storm_mb=$RSS_STORM"
    echo "rss_storm_delta_mb=$RSS_STORM_DELTA"
    echo "rss_after_storm_5s_mb=$RSS_STORM_5S"
    echo "rss_peak_hwm_mb=$HWM"
    echo "server_exit_code=$EXIT_CODE"
    echo "target_whoami_rps_ratio_ge_0.60=$V_RPS"
    echo "target_whoami_p99_within_2ms=$V_P99"
    echo "target_logins_ge_0.8_ceiling=$V_LOGIN"
    echo "target_rss_idle_le_30mb=$V_IDLE"
    echo "target_rss_after_storm_le_64mb=$V_STORM"
} >"$RESULT_FILE"

cat <<EOF

Foundation benchmark ($CORES cores, $HASHES concurrent hash(es); wrk -t$GET_THREADS -c$GET_CONNECTIONS, $ROUNDS interleaved rounds of ${ROUND_SECONDS} s)
--------------------------------------------------------------------------------------------
  CPU during GET rounds: server $SERVER_CPU_SHARE, wrk $WRK_CPU_SHARE, other processes $FOREIGN_CPU_SHARE (of $CORES cores; load at start $LOAD_AT_START)
                        req/s (median)   p99 ms (median)
  GET /healthz          $(printf '%14s' "$H_RPS")   $(printf '%14s' "$H_P99")
  GET /steward/v1/whoami$(printf '%14s' "$W_RPS")   $(printf '%14s' "$W_P99")

  whoami / healthz req/s      $RPS_RATIO (paired $PAIRED_RATIO)   target >= 0.60   $V_RPS
  whoami - healthz p99        $P99_DELTA ms (paired $PAIRED_DELTA)   target <= 2 ms   $V_P99
  sequential login (median)   $SEQ_LOGIN_MS ms (server CPU per login: user $LOGIN_USER_MS ms, sys $LOGIN_SYS_MS ms, $LOGIN_MINFLT minor faults)
  python argon2-cffi verify   $PY_VERIFY_MS ms (same parameters, median of 15)
  login ceiling               $CEILING/s ($HASHES / sequential login)   python-based: $PY_CEILING/s
  login storm                 $LOGINS_PER_S logins/s ($STORM_REQUESTS logins), p99 $STORM_P99 ms, non-2xx $STORM_NON2XX, socket errors $STORM_ERRS
  logins / ceiling            $LOGIN_RATIO (vs python: $PY_LOGIN_RATIO)   target >= 0.8   $V_LOGIN
  RSS idle                    $RSS_IDLE MB   target <= 30 MB   $V_IDLE
  RSS after GET rounds        $RSS_AFTER_GET MB ($RSS_GROWTH_B_PER_REQ bytes per request over $GET_REQUESTS requests)
  RSS before storm            $RSS_BEFORE_STORM MB
  RSS after storm             $RSS_STORM MB (+$RSS_STORM_DELTA MB; 5 s later $RSS_STORM_5S MB, peak $HWM MB)   target <= 64 MB   $V_STORM
  server exit code on SIGTERM $EXIT_CODE

Written to ${RESULT_FILE#"$REPO"/}
EOF
