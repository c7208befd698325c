#!/usr/bin/env bash
# bench/adjutant.sh: the Adjutant benchmarks of issue 13, Steward against the REAL Adjutant 13
# and Keystone 30 (/work/shared/peers/openstack, or OPENSTACK_PEER), started by this script
# and measured in the same run, wrk rounds interleaved (Steward, then upstream, order
# alternating by round):
#   1. GET /v1/tasks (admin token) with TASKS (100) tasks on each side, all seeded through
#      POST /v1/openstack/sign-up: req/s (target: Steward ≥ 100 × upstream) and the body's
#      size (target: within 10 % of upstream's; a per-field breakdown says where they part);
#   2. Keystone GET /v3/auth/tokens, X-Auth-Token and X-Subject-Token both the admin's own
#      token (as the peer's bench.sh does): req/s (target: ≥ 100 ×);
#   3. whole cycles, one client (the same python, one kept-alive connection when the server
#      keeps it), sequential: POST /v1/openstack/sign-up, GET /v1/tasks?tasks_per_page=1
#      (newest first; the task is checked to carry the e-mail), POST /v1/tasks/<id>
#      {"approved": true}, GET /v1/tokens?filters={"task": {"exact": <id>}}, POST
#      /v1/tokens/<token> {"password"}; median ms per cycle (target: Steward ≤ 1/20 of
#      upstream). Mail is not delivered: Steward has no mail.smtp_url (mail waits in the
#      outbox), upstream writes its mail to files. The last user of each side then logs in
#      through Keystone v3, scoped to its new project (checked, not timed).
# Upstream runs twice, restarted in between (stop.sh, start.sh): stock (no caches, as
# shipped), then with KEYSTONE_CACHE=1 ADJUTANT_TOKEN_CACHE=300; each is measured against
# the same Steward (SQLite store; Steward's figures are medians over the rounds of both).
# Steward's cycles run after the list rounds, so its list always holds TASKS tasks. Then,
# when PostgreSQL answers at PG_ADMIN_URL, Steward again on a throwaway database there
# (lists, validation and cycles; compared with the same upstream figures).
# Upstream's state and ports are private to the run (STATE_DIR under WORK, free ports); its
# venv is the peer's shared one (~/.cache/openstack-peer/venv, built by start.sh on first use:
# about a minute from local wheels, several without). Upstream's gunicorn works off queued
# requests after wrk ends: after each upstream load the script waits until its processes
# have been idle for 2 s (at most COOLDOWN s).
# Before each phase: no cargo/rustc running (polled every 30 s, up to WAIT_COMPILE s), then
# lib.sh's wait_quiet; each wrk run and block of cycles waits for no compile too, and is
# measured again when one runs at its end (counted in compile_repeats). No timing is
# asserted: the verdicts are printed.
# Results: stdout; bench/results/adjutant-latest.txt and adjutant-<UTC time>-<commit>.txt
# (key=value lines, the summary table, then the whole log of the run).
# Knobs: TASKS (100), ROUNDS (3), ROUND_SECONDS (10), THREADS (2), CONNECTIONS (16),
# STEWARD_CYCLES (20), UPSTREAM_CYCLES (5), SEED_PARALLEL (4), COOLDOWN (90),
# UPSTREAM_SETTINGS ("stock cached"), POSTGRES (1; 0 skips), PG_ADMIN_URL
# (postgres://postgres@127.0.0.1:5432/postgres), OPENSTACK_PEER, WAIT_QUIET (120),
# WAIT_COMPILE (1800), SKIP_BUILD, STEWARD_BIN, BIN_COMMIT, BUILD_RETRIES (3).
set -euo pipefail

TASKS=${TASKS:-100}
ROUNDS=${ROUNDS:-3}
ROUND_SECONDS=${ROUND_SECONDS:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
STEWARD_CYCLES=${STEWARD_CYCLES:-20}
UPSTREAM_CYCLES=${UPSTREAM_CYCLES:-5}
SEED_PARALLEL=${SEED_PARALLEL:-4}
COOLDOWN=${COOLDOWN:-90}
UPSTREAM_SETTINGS=${UPSTREAM_SETTINGS:-stock cached}
POSTGRES=${POSTGRES:-1}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
OPENSTACK_PEER=${OPENSTACK_PEER:-/work/shared/peers/openstack}
WAIT_QUIET=${WAIT_QUIET:-120}
WAIT_COMPILE=${WAIT_COMPILE:-1800}

BENCH_NAME=adjutant
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULT_FILE=$RESULTS_DIR/adjutant-latest.txt
STARTED_AT=$(date +%s)

[ -f "$OPENSTACK_PEER/start.sh" ] && [ -f "$OPENSTACK_PEER/stop.sh" ] || die "no OpenStack peer at $OPENSTACK_PEER (set OPENSTACK_PEER)"
bench_tools

# Others compile in this tree and target directory: neither build nor measure meanwhile.
wait_compile() {
    local deadline=$(( $(date +%s) + WAIT_COMPILE ))
    while pgrep -x 'cargo|rustc' >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            log "WARNING: cargo/rustc still running after ${WAIT_COMPILE} s; going on anyway"
            return
        fi
        log "cargo/rustc running (someone is compiling); waiting 30 s"
        sleep 30
    done
}
measure_ready() { wait_compile; [ "$WAIT_QUIET" = 0 ] || wait_quiet; }
compiling() { pgrep -x 'cargo|rustc' >/dev/null 2>&1; }
# A compile may start in the middle of a measurement: each wrk run and each block of cycles
# waits for none first, and is measured again (up to 3 times) when one runs at its end.
COMPILE_REPEATS=0
COMPILE_KEPT=0

wait_compile
bench_build
bench_setup
LOG=$WORK/run.log
exec > >(tee -a "$LOG") 2>&1
MEASURE_STARTED_AT=$(date +%s)
log "binary of $COMMIT (built $BINARY_MTIME); $(nproc) cores; upstream settings: $UPSTREAM_SETTINGS"

PASSWORD=bench-adjutant-password
CYCLE_PASSWORD=bench-cycle-password
UP_STATE=$WORK/openstack
UP_ON=
PG_DB=
stop_upstream() {
    [ -n "$UP_ON" ] || return 0
    STATE_DIR=$UP_STATE bash "$OPENSTACK_PEER/stop.sh" >>"$WORK/upstream-stop.log" 2>&1 || true
    UP_ON=
}
drop_pg() {
    [ -n "$PG_DB" ] || return 0
    psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=
}
trap 'stop_upstream; bench_cleanup; drop_pg' EXIT

# --- Steward ---------------------------------------------------------------------------------
# The anonymous-request limit (per client address a minute) would refuse the seeding, all
# from 127.0.0.1: raised where the binary knows the key (an unknown key stops `serve`).
STEWARD_EXTRA=()
if grep -aq anonymous_requests_per_minute "$BIN"; then
    STEWARD_EXTRA+=(STEWARD_FACES__ADJUTANT__ANONYMOUS_REQUESTS_PER_MINUTE=1000000)
fi
# start_steward NAME DATABASE_URL -> SERVER_PID, S_BASE, S_TOKEN (one server at a time).
start_steward() {
    local name=$1 url=$2 port
    port=$(free_port)
    S_BASE=http://127.0.0.1:$port
    (
        cd "$WORK"
        for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
        exec env STEWARD_DATABASE_URL="$url" STEWARD_LISTEN=127.0.0.1:$port \
            STEWARD_BOOTSTRAP_ADMIN=admin:$PASSWORD RUST_LOG=warn "${STEWARD_EXTRA[@]}" "$BIN" serve
    ) 2>>"$WORK/steward-$name.log" &
    SERVER_PID=$!
    for _ in $(seq 300); do
        curl -sf "$S_BASE/healthz" >/dev/null 2>&1 && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/steward-$name.log" >&2; die "the $name server exited during start-up"; }
        sleep 0.2
    done
    S_TOKEN=$(curl -sf -XPOST "$S_BASE/steward/v1/tokens" -H 'content-type: application/json' \
        -d "{\"login\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])') \
        || die "no admin token from $name"
    log "Steward ($name) on $S_BASE"
}
stop_steward() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    SERVER_PID=
}

# --- upstream --------------------------------------------------------------------------------
# start_upstream SETTING KNOB=VALUE... -> ADJUTANT_URL, KEYSTONE_URL, ADMIN_TOKEN
start_upstream() {
    local setting=$1 started; shift
    [ -x "$HOME/.cache/openstack-peer/venv/bin/adjutant-api" ] || [ -n "${VENV:-}" ] ||
        log "upstream's venv is missing: start.sh builds it first (pip; minutes)"
    started=$(now_ms)
    env STATE_DIR="$UP_STATE" KEYSTONE_PORT="$(free_port)" ADJUTANT_PORT="$(free_port)" "$@" \
        bash "$OPENSTACK_PEER/start.sh" >"$WORK/upstream-env.sh" 2>"$WORK/upstream-start-$setting.log" ||
        { tail -30 "$WORK/upstream-start-$setting.log" >&2; die "upstream ($setting) did not start: see the lines above"; }
    UP_ON=1
    eval "$(grep '^export ' "$WORK/upstream-env.sh")"
    [ -n "${ADMIN_TOKEN:-}" ] || die "start.sh gave no ADMIN_TOKEN"
    log "upstream ($setting${*:+: $*}) up in $(( ($(now_ms) - started) / 1000 )) s: Adjutant $ADJUTANT_URL, Keystone $KEYSTONE_URL"
}
# CPU ticks used so far by upstream's gunicorn masters and workers.
upstream_ticks() {
    local master pid total=0 ticks
    for svc in keystone adjutant; do
        master=$(cat "$UP_STATE/$svc.pid" 2>/dev/null) || continue
        for pid in "$master" $(pgrep -P "$master" || true); do
            ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
            total=$((total + ${ticks:-0}))
        done
    done
    echo "$total"
}
# Upstream works off its listen backlog after wrk has gone: wait for 2 s in a row of at most
# 2 ticks (20 ms) a second over its processes.
drain() {
    local deadline=$(( $(date +%s) + COOLDOWN )) idle=0 t0 t1 started
    started=$(date +%s)
    t0=$(upstream_ticks)
    while [ "$(date +%s)" -lt "$deadline" ]; do
        sleep 1
        t1=$(upstream_ticks)
        if [ $((t1 - t0)) -le 2 ]; then idle=$((idle + 1)); else idle=0; fi
        t0=$t1
        if [ "$idle" -ge 2 ]; then log "upstream drained in $(( $(date +%s) - started )) s"; return; fi
    done
    log "WARNING: upstream still busy after COOLDOWN=${COOLDOWN} s"
}

# --- seeding and sizes ------------------------------------------------------------------------
# seed ADJUTANT_BASE LABEL: TASKS sign-ups bench<i>@example.com / project bench<i>, the same on
# both sides (the sizes compare like with like).
seed() {
    local started codes
    started=$(now_ms)
    codes=$(seq 1 "$TASKS" | xargs -P "$SEED_PARALLEL" -I{} curl -s -m 300 -o /dev/null -w '%{http_code}\n' \
        -XPOST "$1/v1/openstack/sign-up" -H 'content-type: application/json' \
        -d '{"email": "bench{}@example.com", "project_name": "bench{}"}' | sort | uniq -c | tr -s ' ' | paste -sd,)
    log "$2: $TASKS sign-ups in $(( ($(now_ms) - started) / 1000 )) s (parallel $SEED_PARALLEL; answers:${codes})"
}
# fetch_tasks ADJUTANT_BASE TOKEN FILE -> the body of GET /v1/tasks; prints its bytes, dies unless it
# holds TASKS tasks.
fetch_tasks() {
    local count
    curl -sf -m 300 "$1/v1/tasks" -H "X-Auth-Token: $2" -o "$3" || die "GET $1/v1/tasks failed"
    count=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["tasks"]))' "$3")
    [ "$count" = "$TASKS" ] || die "$1/v1/tasks holds $count tasks, not $TASKS"
    wc -c <"$3"
}
# size_breakdown STEWARD_JSON UPSTREAM_JSON: mean compact-JSON bytes a task per field, both sides.
size_breakdown() {
    python3 - "$1" "$2" <<'PY'
import json, sys
sides = [json.load(open(path))["tasks"] for path in sys.argv[1:3]]
def size(value):
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
keys = list(dict.fromkeys(k for tasks in sides for task in tasks for k in task))
print("  field                    steward B/task  upstream B/task")
for key in keys:
    means = []
    for tasks in sides:
        present = [size(task[key]) + len(key) + 4 for task in tasks if key in task]
        means.append(f"{sum(present) / len(tasks):.1f}" if present else "absent")
    print(f"  {key:<24} {means[0]:>14}  {means[1]:>15}")
for name, tasks in zip(("steward", "upstream"), sides):
    notes = [n for task in tasks for notes in task.get("action_notes", {}).values() for n in notes]
    print(f"  {name}: {len(notes) / len(tasks):.1f} action notes a task, e.g. {notes[0] if notes else None!r}")
PY
}

# --- wrk rounds -------------------------------------------------------------------------------
: >"$WORK/rounds.tsv"
# run_wrk SETTING ROUND SIDE WHAT URL TOKEN [SUBJECT]: one wrk run, recorded in rounds.tsv.
run_wrk() {
    local setting=$1 round=$2 side=$3 what=$4 url=$5 token=$6 subject=${7:-} out rps p99 non2xx errs requests p50 max attempt
    out=$WORK/wrk-$side-$what.txt
    for attempt in 1 2 3; do
        wait_compile
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${ROUND_SECONDS}s" --timeout 30s --latency \
            -H "X-Auth-Token: $token" ${subject:+-H "X-Subject-Token: $subject"} "$url" >"$out" 2>&1 ||
            { cat "$out" >&2; die "wrk failed on $url"; }
        compiling || break
        [ "$side" != upstream ] || drain
        if [ "$attempt" = 3 ]; then
            COMPILE_KEPT=$((COMPILE_KEPT + 1)); log "WARNING: a compile ran during $side $what three times; this figure is kept"
        else
            COMPILE_REPEATS=$((COMPILE_REPEATS + 1)); log "a compile started during $side $what; measuring it again"
        fi
    done
    read -r rps p99 non2xx errs requests p50 max < <(parse_wrk "$out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$setting" "$round" "$side" "$what" "$rps" "$p50" "$p99" "$non2xx" "$errs" "$requests" >>"$WORK/rounds.tsv"
    log "$setting round $round: $side $what $rps req/s ($requests requests, p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx, socket errors $errs)"
    [ "$requests" -gt 0 ] || die "$side $what: no request completed in ${ROUND_SECONDS} s"
    if [ "$non2xx" != 0 ] || [ "$errs" != 0 ]; then
        [ "$side" != upstream ] || { log "WARNING: upstream $what answered $non2xx non-2xx, $errs socket errors (kept, reported)"; return; }
        die "$side $what: $non2xx non-2xx answers, $errs socket errors"
    fi
}
steward_round() { # SETTING ROUND SIDE
    run_wrk "$1" "$2" "$3" tasks "$S_BASE/v1/tasks" "$S_TOKEN"
    run_wrk "$1" "$2" "$3" validate "$S_BASE/v3/auth/tokens" "$S_TOKEN" "$S_TOKEN"
}
upstream_round() { # SETTING ROUND
    run_wrk "$1" "$2" upstream tasks "$ADJUTANT_URL/v1/tasks" "$ADMIN_TOKEN"; drain
    run_wrk "$1" "$2" upstream validate "$KEYSTONE_URL/v3/auth/tokens" "$ADMIN_TOKEN" "$ADMIN_TOKEN"; drain
}
# col SETTING FILE SIDE WHAT COLUMN -> median over the matching rounds (SETTING "" = any).
col() { awk -F'\t' -v s="$1" -v d="$3" -v w="$4" -v c="$5" '(s == "" || $1 == s) && $3 == d && $4 == w { print $c }' "$2" | median; }

# --- cycles -----------------------------------------------------------------------------------
cat >"$WORK/cycle.py" <<'PY'
# cycle.py ADJUTANT_BASE KEYSTONE_BASE ADMIN_TOKEN N PREFIX PASSWORD OUT_TSV: N sequential
# sign-up -> approve -> submit cycles; per cycle: "n total_ms signup list approve tokens submit".
import http.client, json, sys, time, urllib.parse
adjutant, keystone, token, count, prefix, password, out = sys.argv[1:8]
class Client:
    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.host, self.port, self.conn = url.hostname, url.port, None
    def call(self, method, path, body=None, headers=None, expect=(200,)):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                sent = {"Content-Type": "application/json"} if body is not None else {}
                sent.update(headers or {})
                self.conn.request(method, path, json.dumps(body) if body is not None else None, sent)
                answer = self.conn.getresponse()
                data = answer.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server closed meanwhile: once more, on a new one
                self.conn.close(); self.conn = None
                if attempt == 2:
                    raise
        if answer.will_close:
            self.conn.close(); self.conn = None
        if answer.status not in expect:
            sys.exit(f"{method} {path}: {answer.status} {data[:300]!r}")
        return answer, (json.loads(data) if data else None)
adj, admin = Client(adjutant), {"X-Auth-Token": token}
rows = []
for n in range(1, int(count) + 1):
    email, project = f"{prefix}{n}@example.com", f"{prefix}{n}"
    marks = [time.perf_counter()]
    adj.call("POST", "/v1/openstack/sign-up", {"email": email, "project_name": project}, expect=(202,))
    marks.append(time.perf_counter())
    _, listed = adj.call("GET", "/v1/tasks?tasks_per_page=1&page=1", headers=admin)
    task = listed["tasks"][0]
    if email not in json.dumps([action["data"] for action in task["actions"]]):
        sys.exit(f"the newest task is not {email}'s: {task}")
    marks.append(time.perf_counter())
    adj.call("POST", f"/v1/tasks/{task['uuid']}", {"approved": True}, headers=admin, expect=(200, 202))
    marks.append(time.perf_counter())
    query = urllib.parse.urlencode({"filters": json.dumps({"task": {"exact": task["uuid"]}})})
    _, tokens = adj.call("GET", f"/v1/tokens?{query}", headers=admin)
    if len(tokens["tokens"]) != 1:
        sys.exit(f"{len(tokens['tokens'])} tokens for task {task['uuid']}")
    marks.append(time.perf_counter())
    adj.call("POST", f"/v1/tokens/{tokens['tokens'][0]['token']}", {"password": password})
    marks.append(time.perf_counter())
    steps = [(b - a) * 1000 for a, b in zip(marks, marks[1:])]
    rows.append([n, (marks[-1] - marks[0]) * 1000] + steps)
with open(out, "w") as f:
    for row in rows:
        f.write("\t".join(str(row[0]) if i == 0 else f"{v:.2f}" for i, v in enumerate(row)) + "\n")
# not timed: the last user logs in through Keystone v3, scoped to the new project
ks = Client(keystone)
answer, _ = ks.call("POST", "/v3/auth/tokens", {"auth": {
    "identity": {"methods": ["password"], "password": {"user": {"name": email, "domain": {"id": "default"}, "password": password}}},
    "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}, expect=(201,))
assert answer.getheader("X-Subject-Token"), "no X-Subject-Token"
PY
# cycles SIDE ADJUTANT_BASE KEYSTONE_BASE TOKEN N PREFIX -> WORK/cycles-SIDE.tsv
cycles() {
    local attempt
    for attempt in 1 2 3; do
        wait_compile
        # each attempt signs up new addresses: cycle1…, then cycleb1…, cyclec1…
        python3 "$WORK/cycle.py" "$2" "$3" "$4" "$5" "$6$(echo " b c" | cut -d' ' -f"$attempt")" "$CYCLE_PASSWORD" "$WORK/cycles-$1.tsv" ||
            die "$1: a cycle failed (see above)"
        compiling || break
        if [ "$attempt" = 3 ]; then
            COMPILE_KEPT=$((COMPILE_KEPT + 1)); log "WARNING: a compile ran during the $1 cycles three times; these are kept"
        else
            COMPILE_REPEATS=$((COMPILE_REPEATS + 1)); log "a compile started during the $1 cycles; timing them again"
        fi
    done
    log "$1: $5 cycles, median $(cut -f2 "$WORK/cycles-$1.tsv" | median) ms a cycle (rounds: $(cut -f2 "$WORK/cycles-$1.tsv" | paste -sd' '))"
}
cycle_col() { cut -f"$2" "$WORK/cycles-$1.tsv" | median; }

# --- 1-3 against each upstream setting ------------------------------------------------------
start_steward sqlite "sqlite://$WORK/steward.db?mode=rwc"
seed "$S_BASE" "Steward (SQLite)"
S_BYTES=$(fetch_tasks "$S_BASE" "$S_TOKEN" "$WORK/tasks-steward.json")
S_VALIDATE_BYTES=$(curl -sf "$S_BASE/v3/auth/tokens" -H "X-Auth-Token: $S_TOKEN" -H "X-Subject-Token: $S_TOKEN" | wc -c)
log "Steward: GET /v1/tasks is $S_BYTES bytes, GET /v3/auth/tokens $S_VALIDATE_BYTES bytes"

for setting in $UPSTREAM_SETTINGS; do
    case $setting in
        stock) start_upstream stock ;;
        cached) start_upstream cached KEYSTONE_CACHE=1 ADJUTANT_TOKEN_CACHE=300 ;;
        *) die "unknown upstream setting $setting (stock, cached)" ;;
    esac
    seed "$ADJUTANT_URL" "upstream ($setting)"
    bytes=$(fetch_tasks "$ADJUTANT_URL" "$ADMIN_TOKEN" "$WORK/tasks-upstream-$setting.json")
    validate_bytes=$(curl -sf -m 300 "$KEYSTONE_URL/v3/auth/tokens" -H "X-Auth-Token: $ADMIN_TOKEN" -H "X-Subject-Token: $ADMIN_TOKEN" | wc -c)
    declare "U_BYTES_$setting=$bytes" "U_VALIDATE_BYTES_$setting=$validate_bytes"
    log "upstream ($setting): GET /v1/tasks is $bytes bytes, GET /v3/auth/tokens $validate_bytes bytes"
    drain
    measure_ready
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) = 1 ]; then
            steward_round "$setting" "$round" steward; upstream_round "$setting" "$round"
        else
            upstream_round "$setting" "$round"; steward_round "$setting" "$round" steward
        fi
    done
    measure_ready
    cycles "upstream-$setting" "$ADJUTANT_URL" "$KEYSTONE_URL" "$ADMIN_TOKEN" "$UPSTREAM_CYCLES" cycle
    grep -h ' 500 \| 502 \| 503 ' "$UP_STATE"/log/*-access.log >"$WORK/upstream-5xx-$setting.log" 2>/dev/null || true
    declare "U_5XX_$setting=$(wc -l <"$WORK/upstream-5xx-$setting.log")"
    stop_upstream
done

measure_ready
cycles steward "$S_BASE" "$S_BASE" "$S_TOKEN" "$STEWARD_CYCLES" cycle
stop_steward

# --- Steward on PostgreSQL --------------------------------------------------------------------
PG_RAN=
if [ "$POSTGRES" = 1 ] && command -v psql >/dev/null 2>&1 && psql "$PG_ADMIN_URL" -qAtc 'select 1' >/dev/null 2>&1; then
    PG_DB=steward_bench_adjutant_$$
    psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null
    start_steward postgres "${PG_ADMIN_URL%/*}/$PG_DB"
    seed "$S_BASE" "Steward (PostgreSQL)"
    PG_BYTES=$(fetch_tasks "$S_BASE" "$S_TOKEN" "$WORK/tasks-steward-pg.json")
    measure_ready
    for round in $(seq "$ROUNDS"); do steward_round postgres "$round" steward-pg; done
    measure_ready
    cycles steward-pg "$S_BASE" "$S_BASE" "$S_TOKEN" "$STEWARD_CYCLES" cycle
    stop_steward
    drop_pg
    PG_RAN=1
else
    log "PostgreSQL skipped (POSTGRES=$POSTGRES; nothing answers at $PG_ADMIN_URL, or no psql)"
fi

# --- summary ----------------------------------------------------------------------------------
R=$WORK/rounds.tsv
fmt() { awk -v v="$1" 'BEGIN { if (v == "" || v == "nan") print "-"; else if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "nan" || b == "nan" || b == 0) print ""; else printf "%.4g", a / b }'; }
at_least() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "") print "-"; else print (r >= t) ? "met" : "missed" }'; }
within() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "") print "-"; else { d = r - 1; if (d < 0) d = -d; print (d <= t) ? "met" : "missed" } }'; }
both() { if [ "$1" = "-" ]; then echo "$2"; elif [ "$2" = "-" ] || [ "$1" = "$2" ]; then echo "$1"; else echo "$1/$2"; fi; }
times_x() { if [ -z "$1" ]; then echo -; else echo "$(fmt "$1")x"; fi; }
sizes_x() { if [ -z "$1" ]; then echo -; else awk -v r="$1" 'BEGIN { printf "%.3f", r }'; fi; }

S_TASKS=$(col "" "$R" steward tasks 5); S_VALIDATE=$(col "" "$R" steward validate 5); S_CYCLE=$(cycle_col steward 2)
declare -A U_TASKS U_VALIDATE U_CYCLE U_BYTES
for setting in stock cached; do
    U_TASKS[$setting]=$(col "$setting" "$R" upstream tasks 5)
    U_VALIDATE[$setting]=$(col "$setting" "$R" upstream validate 5)
    U_CYCLE[$setting]=; [ -f "$WORK/cycles-upstream-$setting.tsv" ] && U_CYCLE[$setting]=$(cycle_col "upstream-$setting" 2)
    b=U_BYTES_$setting; U_BYTES[$setting]=${!b:-}
done
# row LABEL STEWARD STOCK CACHED RATIO_STOCK RATIO_CACHED TARGET VERDICT_STOCK VERDICT_CACHED
row() { printf '%-44s %10s %10s %10s  %-17s %-12s %s\n' "$1" "$2" "$3" "$4" "$5 / $6" "$7" "$(both "$8" "$9")"; }
summary() { # STORE_LABEL S_TASKS S_BYTES S_VALIDATE S_CYCLE
    local rt_s rt_c rb_s rb_c rv_s rv_c rc_s rc_c
    rt_s=$(ratio "$2" "${U_TASKS[stock]}"); rt_c=$(ratio "$2" "${U_TASKS[cached]}")
    rb_s=$(ratio "$3" "${U_BYTES[stock]}"); rb_c=$(ratio "$3" "${U_BYTES[cached]}")
    rv_s=$(ratio "$4" "${U_VALIDATE[stock]}"); rv_c=$(ratio "$4" "${U_VALIDATE[cached]}")
    rc_s=$(ratio "${U_CYCLE[stock]}" "$5"); rc_c=$(ratio "${U_CYCLE[cached]}" "$5")
    row "GET /v1/tasks, $TASKS tasks (req/s) [$1]" "$(fmt "$2")" "$(fmt "${U_TASKS[stock]}")" "$(fmt "${U_TASKS[cached]}")" \
        "$(times_x "$rt_s")" "$(times_x "$rt_c")" ">= 100x" "$(at_least "$rt_s" 100)" "$(at_least "$rt_c" 100)"
    row "GET /v1/tasks body (bytes) [$1]" "$3" "${U_BYTES[stock]:--}" "${U_BYTES[cached]:--}" \
        "$(sizes_x "$rb_s")" "$(sizes_x "$rb_c")" "within 10%" "$(within "$rb_s" 0.10)" "$(within "$rb_c" 0.10)"
    row "GET /v3/auth/tokens (req/s) [$1]" "$(fmt "$4")" "$(fmt "${U_VALIDATE[stock]}")" "$(fmt "${U_VALIDATE[cached]}")" \
        "$(times_x "$rv_s")" "$(times_x "$rv_c")" ">= 100x" "$(at_least "$rv_s" 100)" "$(at_least "$rv_c" 100)"
    row "sign-up->approve->submit (ms) [$1]" "$(fmt "$5")" "$(fmt "${U_CYCLE[stock]}")" "$(fmt "${U_CYCLE[cached]}")" \
        "$(times_x "$rc_s")" "$(times_x "$rc_c")" "<= 1/20" "$(at_least "$rc_s" 20)" "$(at_least "$rc_c" 20)"
    local k=${1,,}
    echo "${k}_tasks_x_stock=$rt_s ${k}_tasks_x_cached=$rt_c ${k}_bytes_over_stock=$rb_s ${k}_bytes_over_cached=$rb_c" >>"$WORK/ratios.txt"
    echo "${k}_validate_x_stock=$rv_s ${k}_validate_x_cached=$rv_c ${k}_cycle_x_stock=$rc_s ${k}_cycle_x_cached=$rc_c" >>"$WORK/ratios.txt"
}
: >"$WORK/ratios.txt"
{
    echo
    echo "Adjutant benchmark: Steward ($COMMIT) against Adjutant 13 + Keystone 30 ($(nproc) cores)"
    echo "wrk -t$THREADS -c$CONNECTIONS -d${ROUND_SECONDS}s x $ROUNDS rounds per upstream setting; cycles: Steward $STEWARD_CYCLES, upstream $UPSTREAM_CYCLES per setting; medians"
    echo "stock = upstream as shipped; cached = KEYSTONE_CACHE=1 ADJUTANT_TOKEN_CACHE=300; ratio = Steward's advantage (bytes: Steward / upstream)"
    printf '%-44s %10s %10s %10s  %-17s %-12s %s\n' measure steward stock cached "ratio stock/cached" target "met?"
    summary SQLite "$S_TASKS" "$S_BYTES" "$S_VALIDATE" "$S_CYCLE"
    if [ -n "$PG_RAN" ]; then
        summary PostgreSQL "$(col postgres "$R" steward-pg tasks 5)" "$PG_BYTES" "$(col postgres "$R" steward-pg validate 5)" "$(cycle_col steward-pg 2)"
    fi
    echo
    echo "GET /v1/tasks body, mean bytes a task by field (Steward SQLite | upstream ${UPSTREAM_SETTINGS%% *}):"
    size_breakdown "$WORK/tasks-steward.json" "$WORK/tasks-upstream-${UPSTREAM_SETTINGS%% *}.json"
    echo "Cycle steps, median ms (sign-up, newest task, approve, token list, submit):"
    for side in steward steward-pg upstream-stock upstream-cached; do
        [ -f "$WORK/cycles-$side.tsv" ] || continue
        printf '  %-16s %s\n' "$side" "$(for c in 3 4 5 6 7; do cycle_col "$side" "$c"; done | paste -sd' ')"
    done
    minutes() { echo "$(( ($(date +%s) - $1) / 60 )) min $(( ($(date +%s) - $1) % 60 )) s"; }
    echo "Run took $(minutes "$STARTED_AT") (waits for compiles and the build included), $(minutes "$MEASURE_STARTED_AT") after the build."
} >"$WORK/summary.txt"

STAMP=$(date -u +%Y-%m-%dT%H-%MZ)
{
    echo "# bench/adjutant.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$COMMIT"
    echo "tree_at_end_of_run=$(tree_state)"
    echo "binary_mtime=$BINARY_MTIME"
    echo "cores=$(nproc) tasks=$TASKS rounds=$ROUNDS round_seconds=$ROUND_SECONDS threads=$THREADS connections=$CONNECTIONS"
    echo "compile_repeats=$COMPILE_REPEATS compile_overlaps_kept=$COMPILE_KEPT"
    echo "steward_cycles=$STEWARD_CYCLES upstream_cycles=$UPSTREAM_CYCLES upstream_settings=\"$UPSTREAM_SETTINGS\" upstream_workers=${WORKERS:-2}"
    echo "steward_tasks_rps=$S_TASKS steward_tasks_p99_ms=$(col "" "$R" steward tasks 7) steward_tasks_bytes=$S_BYTES"
    echo "steward_validate_rps=$S_VALIDATE steward_validate_p99_ms=$(col "" "$R" steward validate 7) steward_validate_bytes=$S_VALIDATE_BYTES"
    echo "steward_cycle_ms=$S_CYCLE steward_cycle_rounds_ms=$(cut -f2 "$WORK/cycles-steward.tsv" | paste -sd,)"
    if [ -n "$PG_RAN" ]; then
        echo "steward_pg_tasks_rps=$(col postgres "$R" steward-pg tasks 5) steward_pg_tasks_p99_ms=$(col postgres "$R" steward-pg tasks 7) steward_pg_tasks_bytes=$PG_BYTES"
        echo "steward_pg_validate_rps=$(col postgres "$R" steward-pg validate 5) steward_pg_validate_p99_ms=$(col postgres "$R" steward-pg validate 7)"
        echo "steward_pg_cycle_ms=$(cycle_col steward-pg 2) steward_pg_cycle_rounds_ms=$(cut -f2 "$WORK/cycles-steward-pg.tsv" | paste -sd,)"
    else
        echo "postgresql=skipped"
    fi
    for setting in $UPSTREAM_SETTINGS; do
        b=U_VALIDATE_BYTES_$setting f=U_5XX_$setting
        echo "upstream_${setting}_tasks_rps=${U_TASKS[$setting]} upstream_${setting}_tasks_p50_ms=$(col "$setting" "$R" upstream tasks 6) upstream_${setting}_tasks_p99_ms=$(col "$setting" "$R" upstream tasks 7) upstream_${setting}_tasks_bytes=${U_BYTES[$setting]}"
        echo "upstream_${setting}_validate_rps=${U_VALIDATE[$setting]} upstream_${setting}_validate_p50_ms=$(col "$setting" "$R" upstream validate 6) upstream_${setting}_validate_p99_ms=$(col "$setting" "$R" upstream validate 7) upstream_${setting}_validate_bytes=${!b}"
        echo "upstream_${setting}_cycle_ms=${U_CYCLE[$setting]} upstream_${setting}_cycle_rounds_ms=$(cut -f2 "$WORK/cycles-upstream-$setting.tsv" | paste -sd,)"
        echo "upstream_${setting}_non2xx_or_errors=$(awk -F'\t' -v s="$setting" '$1 == s && $3 == "upstream" { n += $8 + $9 } END { print n + 0 }' "$R") upstream_${setting}_5xx_in_access_logs=${!f}"
    done
    cat "$WORK/ratios.txt"
    echo "# rounds: setting round side what rps p50_ms p99_ms non2xx errors requests"
    sed 's/^/# /' "$R"
    cat "$WORK/summary.txt"
    echo
    echo "# the whole log of the run"
    sed 's/^/# /' "$LOG"
} >"$RESULT_FILE"
cp "$RESULT_FILE" "$RESULTS_DIR/adjutant-$STAMP-$COMMIT.txt"
cat "$WORK/summary.txt"
echo
echo "Written to ${RESULT_FILE#"$REPO"/} and bench/results/adjutant-$STAMP-$COMMIT.txt"
