#!/usr/bin/env bash
# Janua benchmark (see docs/PERFORMANCE.md, section "Janua").
#
# Builds the release binary, starts one server on a free loopback port with a fresh SQLite
# store, gives one supervisor (sup1) CONTACTS contacts (a few through the API, the rest
# written straight into the SQLite file) and a group BIG of MEMBERS of them, and measures in
# ONE run:
#   1. GET /api/CONTACT?page=N at low load (wrk -t1 -c1): p50/p99 for the first page, the
#      last page and all pages in turn, with the default page size (1 000) and with
#      results_per_page=100;
#   2. the same list (all pages in turn) against GET /healthz: interleaved wrk rounds,
#      medians of req/s;
#   3. POST /sendsms {"message":"Test","to":"BIG"} (no gateway: the SMS wait in the outbox):
#      time until the reply, with the rows counted afterwards from another connection; the
#      same to a one-member group (the fixed cost) and to an unknown group (refused); and, in
#      the same rounds, a plain batch insert of the same rows with python's sqlite3
#      (executemany, one transaction) into a scratch store with the same schema and pragmas,
#      on the same disk, and the same rows inserted one statement at a time;
#   4. Janua's POST /login: sequential logins (one verify), a login storm, and the same storm
#      on /steward/v1/tokens (the foundation's endpoint) in the same run;
#   5. where the time goes: the server's own per-statement timings (a second server on the
#      same file with RUST_LOG=sqlx::query=debug, after the measurements), the query plans,
#      and the same statements with python's sqlite3 on a copy of the store, with and
#      without the indexes the plans lack;
#   6. a variant, clearly labelled, when the schema lacks those indexes: the same store with
#      them added, served by the same binary (the low-load runs, one throughput round, one
#      sendsms of each size).
# The server runs from a private copy of the binary (others build into the same target
# directory). It prints a summary and writes bench/results/janua-latest.txt (key=value).
#
# Traffic goes to 127.0.0.1 only; every load phase is bounded in time.
# Knobs (environment): CONTACTS (100000), MEMBERS (10000), LAT_SECONDS (8), ROUNDS (5),
# ROUND_SECONDS (5), GET_THREADS (2), GET_CONNECTIONS (16), SMS_ROUNDS (5), SEQ_LOGINS (15),
# STORM_SECONDS (10), STORM_CONNECTIONS (8), WAIT_QUIET (120), SKIP_BUILD, STEWARD_BIN,
# BIN_COMMIT, BUILD_RETRIES (3; others edit the tree, a build may fail mid-change),
# INDEXED_VARIANT (1: when the schema lacks them, finally repeat part of 1-3 with the two
# indexes added to the store; 0 = skip).
set -euo pipefail

CONTACTS=${CONTACTS:-100000}
MEMBERS=${MEMBERS:-10000}
LAT_SECONDS=${LAT_SECONDS:-8}
ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
GET_THREADS=${GET_THREADS:-2}
GET_CONNECTIONS=${GET_CONNECTIONS:-16}
SMS_ROUNDS=${SMS_ROUNDS:-5}
SEQ_LOGINS=${SEQ_LOGINS:-15}
STORM_SECONDS=${STORM_SECONDS:-10}
STORM_CONNECTIONS=${STORM_CONNECTIONS:-8}
WAIT_QUIET=${WAIT_QUIET:-120}
BUILD_RETRIES=${BUILD_RETRIES:-3}

BENCH_NAME=janua
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULT_FILE=$RESULTS_DIR/janua-latest.txt
PASSWORD=benchpw
SUP=sup1
SUP_PASSWORD=sup1pw
# `steward quota set sup1 janua.sms 100000000` is accepted by the CLI, but the face cannot
# read it back (a Janua quota is at most ten characters, "99999999 M"; see PERFORMANCE.md).
SMS_QUOTA=99999999
JANUA_LOGIN_BODY="{\"username\":\"admin\",\"password\":\"$PASSWORD\",\"language\":\"EN\"}"
NATIVE_LOGIN_BODY="{\"login\":\"admin\",\"password\":\"$PASSWORD\"}"

bench_tools
bench_build
bench_setup
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# Small reads of the store from another connection (what they see is committed).
cat >"$WORK/rows.py" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
what = sys.argv[2]
if what == "queued":  # queued SMS log rows, pending SMS outbox rows
    print(c.execute("SELECT COUNT(*) FROM janua_sms WHERE status = 5").fetchone()[0],
          c.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'sms' AND status = 'pending'").fetchone()[0])
elif what == "tokens":
    print(c.execute("SELECT COUNT(*) FROM tokens").fetchone()[0])
elif what == "missing_indexes":  # which of the two index shapes the plans want the store lacks
    def has(table, prefix):
        for row in c.execute(f"PRAGMA index_list({table})"):
            cols = [r[2] for r in c.execute(f"PRAGMA index_info({row[1]})")]
            if cols[: len(prefix)] == prefix:
                return True
        return False
    missing = []
    if not has("janua_contacts", ["admin_id", "id"]): missing.append("contacts_owner_id")
    if not has("janua_contact_groups", ["contact_id"]): missing.append("memberships_contact")
    print(",".join(missing) or "none")
elif what == "add_indexes":  # creates the missing ones (the variant)
    for name in sys.argv[3].split(","):
        if name == "contacts_owner_id": c.execute("CREATE INDEX bench_contacts_owner_id ON janua_contacts (admin_id, id)")
        if name == "memberships_contact": c.execute("CREATE INDEX bench_memberships_contact ON janua_contact_groups (contact_id)")
    c.commit()
elif what == "member_from":  # the first member of group argv[3] with an id >= argv[4]
    print(c.execute("SELECT MIN(contact_id) FROM janua_contact_groups WHERE group_id = ? AND contact_id >= ?",
                    (int(sys.argv[3]), int(sys.argv[4]))).fetchone()[0])
EOF
rows() { python3 "$WORK/rows.py" "$DB" "$@"; }

DB=$WORK/bench.db
DB_URL="sqlite://$DB?mode=rwc"
# The server and the CLI get only the STEWARD_* variables set here.
steward_env() {
    for var in $(compgen -e | grep '^STEWARD_' || true); do unset "$var"; done
    exec env STEWARD_DATABASE_URL="$DB_URL" "$@"
}
start_server() { # log_file rust_log
    PORT=$(free_port)
    BASE=http://127.0.0.1:$PORT
    (
        cd "$WORK"
        steward_env STEWARD_LISTEN=127.0.0.1:$PORT STEWARD_BOOTSTRAP_ADMIN=admin:$PASSWORD \
            STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 RUST_LOG="$2" "$BIN" serve
    ) 2>>"$1" &
    SERVER_PID=$!
    for _ in $(seq 300); do
        grep -q listening "$1" 2>/dev/null && return
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$1" >&2; die "the server exited during start-up"; }
        sleep 0.2
    done
    tail -20 "$1" >&2; die "the server did not log 'listening' within 60 s"
}
stop_server() {
    kill -TERM "$SERVER_PID"
    EXIT_CODE=0
    wait "$SERVER_PID" || EXIT_CODE=$?
    SERVER_PID=
}
cli() { (steward_env "$BIN" "$@"); }

# --- start, the supervisor, the directory -------------------------------------------------
start_server "$WORK/server.log" "${RUST_LOG:-warn,steward=info}"
log "server on $BASE (store in $WORK)"
printf '%s\n' "$SUP_PASSWORD" | cli account create "$SUP" --password-stdin --role supervisor \
    --phone +33100000002 --email sup1@example.org --name "Sup One" >/dev/null
cli quota set "$SUP" janua.sms "$SMS_QUOTA" >/dev/null

TOKEN=$(curl -sf -XPOST "$BASE/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$SUP\",\"password\":\"$SUP_PASSWORD\",\"language\":\"EN\"}" | json_field JanuaAuthToken)
[ -n "$TOKEN" ] || die "Janua login of $SUP failed"
AUTH=(-H "JanuaAuthToken: $TOKEN")
ADMIN_ID=$(curl -sf "$BASE/api/ADMIN" "${AUTH[@]}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["objects"][0]["id"])')
post() { curl -sf -XPOST "$BASE$1" "${AUTH[@]}" -H 'content-type: application/json' -d "$2"; }
# Three contacts, the two groups and two memberships through the API: the reference for
# what a row looks like.
for i in 0 1 2; do
    post /api/CONTACT "{\"name\":\"Name$(printf %06d $i)\",\"firstname\":\"First$(printf %06d $i)\",\"phone_number\":\"+3370$(printf %07d $i)\",\"email\":\"contact$(printf %06d $i)@example.org\"}" >/dev/null
done
BIG_ID=$(post /api/GROUPS '{"name":"BIG"}' | json_field id)
ONE_ID=$(post /api/GROUPS '{"name":"ONE"}' | json_field id)
post /api/CONTACT_GROUP "{\"group_id\":$BIG_ID,\"contact_id\":1}" >/dev/null
post /api/CONTACT_GROUP "{\"group_id\":$ONE_ID,\"contact_id\":2}" >/dev/null

log "seeding: $CONTACTS contacts of $SUP (account $ADMIN_ID), $MEMBERS of them in BIG"
SEED_START=$(now_ms)
python3 - "$DB" "$ADMIN_ID" "$BIG_ID" "$CONTACTS" "$MEMBERS" <<'EOF'
import sqlite3, sys
db, admin_id, group_id, total, members = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = sqlite3.connect(db, timeout=30, isolation_level=None)
c.execute("PRAGMA busy_timeout = 30000")
have = c.execute("SELECT COUNT(*) FROM janua_contacts WHERE admin_id = ?", (admin_id,)).fetchone()[0]
rows = [(admin_id, f"Name{i:06d}", f"First{i:06d}", f"+3370{i:07d}", f"contact{i:06d}@example.org", None) for i in range(have, total)]
for k in range(0, len(rows), 10000):  # short write transactions: the server keeps running
    c.execute("BEGIN IMMEDIATE")
    c.executemany("INSERT INTO janua_contacts (admin_id, name, firstname, phone_number, email, description) VALUES (?, ?, ?, ?, ?, ?)", rows[k:k + 10000])
    c.execute("COMMIT")
ids = [r[0] for r in c.execute("SELECT id FROM janua_contacts WHERE admin_id = ? ORDER BY id", (admin_id,))]
already = {r[0] for r in c.execute("SELECT contact_id FROM janua_contact_groups WHERE group_id = ?", (group_id,))}
step = max(1, len(ids) // members)  # members spread over the whole id range: every page has some
wanted = [cid for cid in ids[::step] if cid not in already][: members - len(already)]
c.execute("BEGIN IMMEDIATE")
c.executemany("INSERT INTO janua_contact_groups (group_id, contact_id) VALUES (?, ?)", [(group_id, cid) for cid in wanted])
c.execute("COMMIT")
EOF
SEED_MS=$(( $(now_ms) - SEED_START ))

# Do the direct rows look like the API's? Same stored types, same rendering.
# A direct row in BIG, from the middle of the id range (contact 1, from the API, is in BIG too).
DIRECT_ID=$(rows member_from "$BIG_ID" $(( CONTACTS / 2 )))
curl -sf "$BASE/api/CONTACT/1" "${AUTH[@]}" >"$WORK/api-contact.json"
curl -sf "$BASE/api/CONTACT/$DIRECT_ID" "${AUTH[@]}" >"$WORK/direct-contact.json"
SEED_CHECK=$(python3 - "$DB" "$WORK/api-contact.json" "$WORK/direct-contact.json" "$DIRECT_ID" <<'EOF'
import json, sqlite3, sys
db, api_file, direct_file, direct_id = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = sqlite3.connect(db)
cols = ["id", "admin_id", "name", "firstname", "phone_number", "email", "description"]
types = lambda cid: c.execute("SELECT " + ", ".join(f"typeof({col})" for col in cols) + " FROM janua_contacts WHERE id = ?", (cid,)).fetchone()
api, direct = json.load(open(api_file)), json.load(open(direct_file))
shape = lambda o: sorted((k, type(v).__name__) for k, v in o.items())
problems = []
if types(1) != types(direct_id): problems.append(f"stored types {types(1)} vs {types(direct_id)}")
if shape(api) != shape(direct): problems.append(f"rendered keys/types {shape(api)} vs {shape(direct)}")
if [shape(g) for g in api["groups"]] != [shape(g) for g in direct["groups"]]: problems.append("nested groups differ")
if direct["fullname"] != f'{direct["firstname"]} {direct["name"]}': problems.append("fullname")
print("identical" if not problems else "DIFFERENT: " + "; ".join(problems))
EOF
)
log "direct rows against API rows: $SEED_CHECK"
[ "$SEED_CHECK" = identical ] || die "seeded rows differ from API rows: $SEED_CHECK"
# The default page size as served: the first page's object count.
curl -sf "$BASE/api/CONTACT?page=1" "${AUTH[@]}" >"$WORK/page1.json"
read -r NUM_RESULTS PAGES_DEFAULT DEFAULT_SIZE < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["num_results"], d["total_pages"], len(d["objects"]))' "$WORK/page1.json")
PAGE1_BYTES=$(wc -c <"$WORK/page1.json")
[ "$NUM_RESULTS" = "$CONTACTS" ] || die "num_results is $NUM_RESULTS, expected $CONTACTS"
PAGES_100=$(( (CONTACTS + 99) / 100 ))
PAGE100_BYTES=$(curl -sf "$BASE/api/CONTACT?page=1&results_per_page=100" "${AUTH[@]}" | wc -c)
log "list: $NUM_RESULTS contacts, $PAGES_DEFAULT pages of $DEFAULT_SIZE by default ($PAGE1_BYTES bytes), $PAGES_100 pages of 100 ($PAGE100_BYTES bytes)"

# wrk: GET /api/CONTACT, page FIXED_PAGE, or every page in turn (stride 37, prime to the
# page counts) starting at a different page in each wrk thread.
cat >"$WORK/pages.lua" <<'EOF'
local pages = tonumber(os.getenv("BENCH_PAGES"))
local size = os.getenv("BENCH_SIZE")
local fixed = tonumber(os.getenv("BENCH_FIXED_PAGE") or "")
local suffix = (size and size ~= "") and ("&results_per_page=" .. size) or ""
wrk.headers["JanuaAuthToken"] = os.getenv("BENCH_TOKEN")
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) counter = (tid or 0) * 101 end
function request()
    counter = counter + 1
    local page = fixed or ((counter * 37) % pages) + 1
    return wrk.format("GET", "/api/CONTACT?page=" .. page .. suffix)
end
EOF
contacts_wrk() { # size pages fixed_page out wrk_args...
    local size=$1 pages=$2 fixed=$3 out=$4; shift 4
    BENCH_PAGES=$pages BENCH_SIZE=$size BENCH_FIXED_PAGE=$fixed BENCH_TOKEN=$TOKEN \
        wrk "$@" --latency --timeout 10s -s "$WORK/pages.lua" "$BASE/api/CONTACT" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk failed ($out)"; }
}

[ "$WAIT_QUIET" = 0 ] || wait_quiet
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_START=$(proc_mb VmRSS)

# --- 1. low-load latency ------------------------------------------------------------------
log "warm-up: every 10th page once"
for page in $(seq 1 10 "$PAGES_DEFAULT") "$PAGES_DEFAULT"; do curl -sf -o /dev/null "$BASE/api/CONTACT?page=$page" "${AUTH[@]}"; done
: >"$WORK/latency.tsv"
latency_phase() { # out_tsv: the six wrk -t1 -c1 runs
    local spec size pages fixed label wire_size out rps p99 non2xx errs requests p50 max
    for spec in "1000 $PAGES_DEFAULT 1 first" "1000 $PAGES_DEFAULT $PAGES_DEFAULT last" "1000 $PAGES_DEFAULT - all" \
                "100 $PAGES_100 1 first" "100 $PAGES_100 $PAGES_100 last" "100 $PAGES_100 - all"; do
        read -r size pages fixed label <<<"$spec"
        [ "$fixed" = - ] && fixed=
        wire_size=$size; [ "$size" = 1000 ] && wire_size=   # the default: no results_per_page
        out=$WORK/lat-$size-$label.txt
        contacts_wrk "$wire_size" "$pages" "$fixed" "$out" -t1 -c1 -d"${LAT_SECONDS}s"
        read -r rps p99 non2xx errs requests p50 max < <(parse_wrk "$out")
        [ "$non2xx" = 0 ] && [ "$errs" = 0 ] || log "WARNING: latency $size/$label: $non2xx non-2xx, $errs socket errors"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$label" "$requests" "$p50" "$p99" "$max" "$non2xx" "$errs" >>"$1"
        log "latency size $size, $label page(s): $requests requests, p50 $p50 ms, p99 $p99 ms, max $max ms"
    done
}
cpu_begin
latency_phase "$WORK/latency.tsv"
cpu_end latency
lat() { awk -F'\t' -v s="$1" -v l="$2" -v c="$3" '$1 == s && $2 == l { print $c }' "$WORK/latency.tsv"; }

# --- 2. throughput rounds against /healthz ------------------------------------------------
log "throughput: $ROUNDS interleaved rounds of healthz, list (default size), list (100 per page)"
wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d2s "$BASE/healthz" >/dev/null
contacts_wrk 100 "$PAGES_100" "" /dev/null -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d2s
: >"$WORK/healthz.tsv"; : >"$WORK/list1000.tsv"; : >"$WORK/list100.tsv"
cpu_begin
one_round() { # round tsv_prefix: healthz, list1000 and list100, in an order that rotates
    local name out rps p99 non2xx errs requests order
    case $(($1 % 3)) in
        1) order="healthz list1000 list100" ;;
        2) order="list1000 list100 healthz" ;;
        0) order="list100 healthz list1000" ;;
    esac
    for name in $order; do
        out=$WORK/$2$name-$1.txt
        case $name in
            healthz) wrk -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" --latency "$BASE/healthz" >"$out" 2>&1 || die "wrk failed" ;;
            list1000) contacts_wrk "" "$PAGES_DEFAULT" "" "$out" -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" ;;
            list100) contacts_wrk 100 "$PAGES_100" "" "$out" -t"$GET_THREADS" -c"$GET_CONNECTIONS" -d"${ROUND_SECONDS}s" ;;
        esac
        read -r rps p99 non2xx errs requests _ < <(parse_wrk "$out")
        [ "$non2xx" = 0 ] && [ "$errs" = 0 ] || log "WARNING: $name round $1: $non2xx non-2xx, $errs socket errors"
        printf '%s\t%s\t%s\t%s\n' "$rps" "$p99" "$non2xx" "$errs" >>"$WORK/$2$name.tsv"
        log "round $1 $2$name: $rps req/s, p99 $p99 ms"
    done
}
for round in $(seq "$ROUNDS"); do one_round "$round" ""; done
cpu_end rounds
H_RPS=$(cut -f1 "$WORK/healthz.tsv" | median)
L1000_RPS=$(cut -f1 "$WORK/list1000.tsv" | median)
L100_RPS=$(cut -f1 "$WORK/list100.tsv" | median)
L1000_P99=$(cut -f2 "$WORK/list1000.tsv" | median)
L100_P99=$(cut -f2 "$WORK/list100.tsv" | median)
H_P99=$(cut -f2 "$WORK/healthz.tsv" | median)
R1000=$(awk -v a="$L1000_RPS" -v b="$H_RPS" 'BEGIN { printf "%.5f", a / b }')
R100=$(awk -v a="$L100_RPS" -v b="$H_RPS" 'BEGIN { printf "%.5f", a / b }')
PR1000=$(paste "$WORK/list1000.tsv" "$WORK/healthz.tsv" | awk '{ printf "%.6f\n", $1 / $5 }' | median)
PR100=$(paste "$WORK/list100.tsv" "$WORK/healthz.tsv" | awk '{ printf "%.6f\n", $1 / $5 }' | median)
ROUNDS_NON2XX=$(cat "$WORK/healthz.tsv" "$WORK/list1000.tsv" "$WORK/list100.tsv" | awk '{ s += $3 + $4 } END { print s + 0 }')
RSS_AFTER_LISTS=$(proc_mb VmRSS)

# --- 3. /sendsms to BIG, to ONE, and the plain batch insert -------------------------------
# Rows are counted from another connection after the reply: what is counted is committed.
sendsms() { # group out_tsv [refused]: -> ms, log rows added, outbox rows added, queued rows before, server CPU ms, RSS MB after
    local before_sms before_out after_sms after_out reply u0 s0 u1 s1
    read -r before_sms before_out < <(rows queued)
    read -r u0 s0 _ < <(proc_cpu)
    reply=$(curl -s -w '\t%{time_total}' -XPOST "$BASE/sendsms" "${AUTH[@]}" -H 'content-type: application/json' \
        -d "{\"message\":\"Test\",\"to\":\"$1\"}")
    read -r u1 s1 _ < <(proc_cpu)
    read -r after_sms after_out < <(rows queued)
    if [ -z "${3:-}" ]; then
        case $reply in *'"success":true'*) ;; *) die "sendsms to $1 answered: $reply" ;; esac
    else
        case $reply in *'"success":false'*) ;; *) die "sendsms to $1 should be refused; it answered: $reply" ;; esac
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(awk -v t="${reply##*$'\t'}" 'BEGIN { printf "%.1f", t * 1000 }')" \
        $((after_sms - before_sms)) $((after_out - before_out)) "$before_sms" $((u1 - u0 + s1 - s0)) "$(proc_mb VmRSS)" >>"$2"
}
# The scratch store: the same schema (every table and index of the server's file), the same
# pragmas, the same directory; the accounts copied so the foreign keys hold.
python3 - "$DB" "$WORK/scratch.db" <<'EOF'
import sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
d = sqlite3.connect(dst, isolation_level=None)
d.execute("PRAGMA journal_mode = WAL")
d.execute(f"ATTACH DATABASE '{src}' AS src")
for (sql,) in d.execute("SELECT sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END").fetchall():
    d.execute(sql)
d.execute("INSERT INTO main.accounts SELECT * FROM src.accounts")
d.execute("DETACH DATABASE src")
EOF
cat >"$WORK/batch.py" <<'EOF'
# One plain batch of the rows a send of N writes: N janua_sms rows, one outbox row per 500 of
# them (payload {"log_ids": [...]}, as the server writes since a5f3503) and one audit row, by
# executemany, in one BEGIN IMMEDIATE ... COMMIT. Prints the milliseconds from BEGIN to the end
# of COMMIT (the rows are built before). "wide": the same but one outbox row per recipient (the
# server's shape before a5f3503). "rowwise": one statement per row of the wide shape.
import json, sqlite3, sys, time, datetime
db, n, admin_id, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
c = sqlite3.connect(db, isolation_level=None)
for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "secure_delete = ON", "busy_timeout = 10000"):
    c.execute("PRAGMA " + pragma)
at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
phones = [f"+3370{i:07d}" for i in range(n)]
names = [f"First{i:06d} Name{i:06d}" for i in range(n)]
if mode in ("batch", "wide"):
    # The rows are built before the clock starts (python is slow at that; the server is not):
    # what is timed is the insert and the commit. This is the only writer, so ids are known.
    sms0 = c.execute("SELECT COALESCE(MAX(id), 0) FROM janua_sms").fetchone()[0] + 1
    out0 = c.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0] + 1
    if mode == "batch":
        payloads = [json.dumps({"log_ids": list(range(sms0 + k, sms0 + min(k + 500, n)))}, separators=(",", ":")) for k in range(0, n, 500)]
    else:
        payloads = [json.dumps({"log_id": sms0 + i, "text": "Test", "to": phones[i]}, separators=(",", ":")) for i in range(n)]
    outbox_rows = [(out0 + i, payload, at, at) for i, payload in enumerate(payloads)]
    sms_rows = [(sms0 + i, at, names[i], phones[i], admin_id) for i in range(n)]
started = time.perf_counter()
c.execute("BEGIN IMMEDIATE")
if mode in ("batch", "wide"):
    c.executemany("INSERT INTO janua_sms (id, date_time, sender, recipient, recipient_phone_number, raw_message, authorized, status, number_of_slices, admin_id) VALUES (?, ?, 'Sup One', ?, ?, 'Test', 1, 5, 1, ?)", sms_rows)
    c.executemany("INSERT INTO outbox (id, kind, payload, status, attempts, next_attempt_at, created_at) VALUES (?, 'sms', ?, 'pending', 0, ?, ?)", outbox_rows)
else:
    for i in range(n):
        log_id = c.execute("INSERT INTO janua_sms (date_time, sender, recipient, recipient_phone_number, raw_message, authorized, status, number_of_slices, admin_id) VALUES (?, 'Sup One', ?, ?, 'Test', 1, 5, 1, ?) RETURNING id",
                           (at, names[i], phones[i], admin_id)).fetchone()[0]
        c.execute("INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, created_at) VALUES ('sms', ?, 'pending', 0, ?, ?)",
                  (json.dumps({"log_id": log_id, "text": "Test", "to": phones[i]}, separators=(",", ":")), at, at))
c.execute("INSERT INTO audit_log (at, actor, action, target, face, detail) VALUES (?, 'account:sup1', 'sms.send', 'BIG', 'janua', ?)",
          (at, json.dumps({"parts": 1, "recipients": n})))
c.execute("COMMIT")
print(f"{(time.perf_counter() - started) * 1000:.1f}")
EOF
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("SELECT at, actor, action, target, face, detail FROM audit_log LIMIT 0")' "$DB" \
    || die "audit_log columns changed; update batch.py"
log "sendsms: $SMS_ROUNDS rounds of (ONE, BIG, an unknown group (refused), batch insert, row-by-row insert)"
: >"$WORK/sms-one.tsv"; : >"$WORK/sms-big.tsv"; : >"$WORK/sms-refused.tsv"; : >"$WORK/batch.tsv"; : >"$WORK/wide.tsv"; : >"$WORK/rowwise.tsv"
cpu_begin
for round in $(seq "$SMS_ROUNDS"); do
    sendsms ONE "$WORK/sms-one.tsv"
    sendsms BIG "$WORK/sms-big.tsv"
    sendsms NOSUCH "$WORK/sms-refused.tsv" refused
    python3 "$WORK/batch.py" "$WORK/scratch.db" "$MEMBERS" "$ADMIN_ID" batch >>"$WORK/batch.tsv"
    python3 "$WORK/batch.py" "$WORK/scratch.db" "$MEMBERS" "$ADMIN_ID" wide >>"$WORK/wide.tsv"
    python3 "$WORK/batch.py" "$WORK/scratch.db" "$MEMBERS" "$ADMIN_ID" rowwise >>"$WORK/rowwise.tsv"
    log "round $round: ONE $(tail -1 "$WORK/sms-one.tsv" | cut -f1) ms, refused $(tail -1 "$WORK/sms-refused.tsv" | cut -f1) ms, BIG $(tail -1 "$WORK/sms-big.tsv" | cut -f1) ms (+$(tail -1 "$WORK/sms-big.tsv" | cut -f2) log rows, +$(tail -1 "$WORK/sms-big.tsv" | cut -f3) outbox rows), batch $(tail -1 "$WORK/batch.tsv") ms, wide batch $(tail -1 "$WORK/wide.tsv") ms, row by row $(tail -1 "$WORK/rowwise.tsv") ms"
done
cpu_end sms
RSS_AFTER_SMS=$(proc_mb VmRSS)
HWM_AFTER_SMS=$(proc_mb VmHWM)
# One outbox row per 500 recipients (steward-core SMS_PER_OUTBOX_ROW).
OUTBOX_PER_BIG=$(( (MEMBERS + 499) / 500 ))
awk -F'\t' -v m="$MEMBERS" -v o="$OUTBOX_PER_BIG" '$2 != m || $3 != o { bad = 1 } END { exit bad }' "$WORK/sms-big.tsv" || die "a BIG sendsms did not leave $MEMBERS log rows and $OUTBOX_PER_BIG outbox rows"
awk -F'\t' '$2 != 1 || $3 != 1 { bad = 1 } END { exit bad }' "$WORK/sms-one.tsv" || die "a ONE sendsms did not leave 1 log and outbox row"
SMS_BIG_MS=$(cut -f1 "$WORK/sms-big.tsv" | median)
SMS_ONE_MS=$(cut -f1 "$WORK/sms-one.tsv" | median)
SMS_REFUSED_MS=$(cut -f1 "$WORK/sms-refused.tsv" | median)
SMS_BIG_CPU_MS=$(cut -f5 "$WORK/sms-big.tsv" | median)
SMS_ONE_CPU_MS=$(cut -f5 "$WORK/sms-one.tsv" | median)
BATCH_MS=$(median <"$WORK/batch.tsv")
WIDE_MS=$(median <"$WORK/wide.tsv")
ROWWISE_MS=$(median <"$WORK/rowwise.tsv")
SMS_OVER_BATCH=$(awk -v a="$SMS_BIG_MS" -v b="$BATCH_MS" 'BEGIN { printf "%.1f", a / b }')
SMS_PER_RECIPIENT_US=$(awk -v a="$SMS_BIG_MS" -v b="$SMS_ONE_MS" -v m="$MEMBERS" 'BEGIN { printf "%.0f", (a - b) * 1000 / (m - 1) }')

# --- 4. logins ----------------------------------------------------------------------------
CORES=$(nproc)
HASHES=$(( CORES > 1 ? CORES - 1 : 1 ))
log "sequential Janua logins: $SEQ_LOGINS at concurrency 1"
: >"$WORK/seq.txt"
read -r U0 S0 F0 < <(proc_cpu)
for _ in $(seq "$SEQ_LOGINS"); do
    curl -s -o "$WORK/seq-body.json" -w '%{http_code} %{time_total}\n' -XPOST "$BASE/login" \
        -H 'content-type: application/json' -d "$JANUA_LOGIN_BODY" >>"$WORK/seq.txt"
    grep -q JanuaAuthToken "$WORK/seq-body.json" || die "a sequential Janua login failed: $(cat "$WORK/seq-body.json")"
done
read -r U1 S1 F1 < <(proc_cpu)
SEQ_LOGIN_MS=$(awk '{ print $2 * 1000 }' "$WORK/seq.txt" | median)
LOGIN_USER_MS=$(( (U1 - U0) / SEQ_LOGINS ))
LOGIN_SYS_MS=$(( (S1 - S0) / SEQ_LOGINS ))
LOGIN_MINFLT=$(( (F1 - F0) / SEQ_LOGINS ))
PY_VERIFY_MS=$(python_argon2_verify_ms)
CEILING=$(login_ceiling "$HASHES" "$SEQ_LOGIN_MS")
PY_CEILING=$(login_ceiling "$HASHES" "$PY_VERIFY_MS")
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$JANUA_LOGIN_BODY'" >"$WORK/janua-login.lua"
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$NATIVE_LOGIN_BODY'" >"$WORK/native-login.lua"
storm() { # lua path out -> "logins_per_s p99 non2xx errs requests tokens_issued"
    local before after
    before=$(rows tokens)
    wrk -t1 -c"$STORM_CONNECTIONS" -d"${STORM_SECONDS}s" --timeout 10s --latency -s "$1" "$BASE$2" >"$3" 2>&1 || { cat "$3" >&2; die "wrk failed for the storm on $2"; }
    after=$(rows tokens)
    read -r rps p99 non2xx errs requests _ < <(parse_wrk "$3")
    echo "$rps $p99 $non2xx $errs $requests $((after - before))"
}
log "login storms: Janua /login, then /steward/v1/tokens, $STORM_CONNECTIONS connections for ${STORM_SECONDS} s each"
read -r J_LPS J_P99 J_NON2XX J_ERRS J_REQ J_TOKENS < <(storm "$WORK/janua-login.lua" /login "$WORK/storm-janua.txt")
read -r N_LPS N_P99 N_NON2XX N_ERRS N_REQ N_TOKENS < <(storm "$WORK/native-login.lua" /steward/v1/tokens "$WORK/storm-native.txt")
J_RATIO=$(awk -v l="$J_LPS" -v c="$CEILING" 'BEGIN { printf "%.3f", l / c }')
N_RATIO=$(awk -v l="$N_LPS" -v c="$CEILING" 'BEGIN { printf "%.3f", l / c }')
J_OVER_N=$(awk -v a="$J_LPS" -v b="$N_LPS" 'BEGIN { printf "%.3f", a / b }')
PY_J_RATIO=n/a
[ "$PY_CEILING" = n/a ] || PY_J_RATIO=$(awk -v l="$J_LPS" -v c="$PY_CEILING" 'BEGIN { printf "%.3f", l / c }')
FOUNDATION_FILE=$RESULTS_DIR/foundation-latest.txt
F_LPS=$(sed -n 's/^logins_per_s=//p' "$FOUNDATION_FILE" 2>/dev/null || true); F_LPS=${F_LPS:-n/a}
F_RATIO=$(sed -n 's/^logins_over_ceiling=//p' "$FOUNDATION_FILE" 2>/dev/null || true); F_RATIO=${F_RATIO:-n/a}
RSS_END=$(proc_mb VmRSS)
HWM=$(proc_mb VmHWM)
stop_server
MAIN_EXIT_CODE=$EXIT_CODE

# --- 5. where the time goes ---------------------------------------------------------------
# The server's own per-statement timings: sqlx logs each statement with its elapsed time at
# debug level. Only now, on a second server over the same file: the logging costs time.
log "decomposition: a second server with RUST_LOG=sqlx::query=debug"
start_server "$WORK/debug.log" "warn,steward=info,sqlx::query=debug"
AUTH=(-H "JanuaAuthToken: $(curl -sf -XPOST "$BASE/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$SUP\",\"password\":\"$SUP_PASSWORD\",\"language\":\"EN\"}" | json_field JanuaAuthToken)")
cat >"$WORK/statements.py" <<'EOF'
# sqlx debug lines on stdin -> "label kind count median_ms sum_ms max_rows" per statement kind.
import collections, re, statistics, sys
label = sys.argv[1]
kinds = collections.defaultdict(list)
for line in sys.stdin:
    elapsed = re.search(r"elapsed_secs=([0-9.e+-]+)", line)
    if "sqlx::query" not in line or not elapsed:
        continue
    text = line.replace('\\"', "")
    statement = text[text.find("db.statement="):]
    returned = re.search(r"rows_returned=([0-9]+)", text)
    if "COUNT(*) AS total FROM janua_contacts" in statement or "FROM owner_row_counts" in statement: kind = "count"
    elif "ROW_NUMBER" in statement: kind = "positions"
    elif "SELECT janua_contacts.* FROM janua_contacts" in statement: kind = "page"
    elif "FROM janua_contact_groups WHERE janua_contact_groups.contact_id IN" in statement: kind = "memberships_in"
    elif "FROM janua_contact_groups WHERE janua_contact_groups.group_id IN" in statement: kind = "members_of_groups"
    elif "FROM janua_groups WHERE janua_groups.id IN" in statement: kind = "groups_in"
    elif "FROM janua_contacts WHERE janua_contacts.id IN" in statement: kind = "contacts_in"
    elif "FROM janua_contacts WHERE janua_contacts.admin_id = ? ORDER BY" in statement: kind = "all_contacts_of_owner"
    elif "FROM janua_groups WHERE janua_groups.admin_id = ? ORDER BY" in statement: kind = "all_groups_of_owner"
    elif "INSERT INTO janua_sms" in statement: kind = "insert_sms"
    elif "INSERT INTO outbox" in statement: kind = "insert_outbox"
    elif "UPDATE janua_sms SET outbox_id" in statement: kind = "update_sms"
    elif "SUM(number_of_slices)" in statement: kind = "usage_sum"
    else: kind = "other"
    kinds[kind].append((float(elapsed.group(1)) * 1000, int(returned.group(1)) if returned else 0))
for kind, values in sorted(kinds.items()):
    ms = [v[0] for v in values]
    print(f"{label}\t{kind}\t{len(ms)}\t{statistics.median(ms):.3f}\t{sum(ms):.1f}\t{max(v[1] for v in values)}")
EOF
statements() { tail -n +"$1" "$WORK/debug.log" | python3 "$WORK/statements.py" "$2"; } # from_line label
: >"$WORK/statements.tsv"
for spec in "1 first1000" "$PAGES_DEFAULT last1000" "1&results_per_page=100 first100" "$PAGES_100&results_per_page=100 last100"; do
    read -r query label <<<"$spec"
    from=$(( $(wc -l <"$WORK/debug.log") + 1 ))
    : >"$WORK/dbg-$label.txt"
    for _ in $(seq 11); do
        curl -s -o /dev/null -w '%{time_total}\n' "$BASE/api/CONTACT?page=$query" "${AUTH[@]}" >>"$WORK/dbg-$label.txt"
    done
    sleep 0.3
    statements "$from" "$label" >>"$WORK/statements.tsv"
    echo "$label	request	11	$(awk '{ print $1 * 1000 }' "$WORK/dbg-$label.txt" | median)	-	-" >>"$WORK/statements.tsv"
done
from=$(( $(wc -l <"$WORK/debug.log") + 1 ))
DBG_SMS_MS=$(curl -s -o /dev/null -w '%{time_total}' -XPOST "$BASE/sendsms" "${AUTH[@]}" -H 'content-type: application/json' \
    -d '{"message":"Test","to":"BIG"}' | awk '{ printf "%.1f", $1 * 1000 }')
sleep 1
statements "$from" sendsms_big >>"$WORK/statements.tsv"
stop_server
stmt() { awk -F'\t' -v l="$1" -v k="$2" -v c="$3" '$1 == l && $2 == k { print $c }' "$WORK/statements.tsv"; }
# Per list request (debug server): the request's median, the sum of its statements' medians
# (count, page, memberships, groups), and what is left (rendering, HTTP, authentication).
split_of() {
    awk -F'\t' -v l="$1" '$1 == l && $2 == "request" { r = $4 } $1 == l && ($2 == "count" || $2 == "positions" || $2 == "page" || $2 == "memberships_in" || $2 == "groups_in") { q += $4 }
        END { printf "request %.1f ms = SQL %.1f ms + rest %.1f ms", r, q, r - q }' "$WORK/statements.tsv"
}
DBG_SMS_STMT_MS=$(awk -F'\t' '$1 == "sendsms_big" { s += $5 } END { printf "%.1f", s }' "$WORK/statements.tsv")
DBG_SMS_WRITES_MS=$(awk -F'\t' '$1 == "sendsms_big" && ($2 == "insert_sms" || $2 == "insert_outbox" || $2 == "update_sms") { s += $5; n += $3 } END { printf "%.1f ms in %d statements", s, n }' "$WORK/statements.tsv")

# The query plans, and the same statements on a copy of the store with python's sqlite3
# (another SQLite version than the server's bundled one), then with the indexes the plans
# lack: (admin_id, id) on contacts, contact_id on memberships.
python3 - "$DB" "$WORK/copy.db" "$ADMIN_ID" "$CONTACTS" >"$WORK/variants.tsv" <<'EOF'
import sqlite3, sys, time, statistics
src, dst, admin, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = sqlite3.connect(src); d = sqlite3.connect(dst); s.backup(d); s.close()
c = d
def run(label, sql, args):
    plan = " / ".join(row[3] for row in c.execute("EXPLAIN QUERY PLAN " + sql, args))
    times = []
    for _ in range(9):
        t = time.perf_counter(); c.execute(sql, args).fetchall(); times.append((time.perf_counter() - t) * 1000)
    print(f"{label}\t{statistics.median(times):.2f}\t{plan}")
page = "SELECT janua_contacts.* FROM janua_contacts WHERE admin_id = ? ORDER BY id ASC LIMIT ? OFFSET ?"
last_ids = [r[0] for r in c.execute("SELECT id FROM janua_contacts WHERE admin_id = ? ORDER BY id LIMIT 1000 OFFSET ?", (admin, total - 1000))]
members = "SELECT id, group_id, contact_id FROM janua_contact_groups WHERE contact_id IN (%s)" % ",".join("?" * len(last_ids))
print(f"sqlite_version\t{sqlite3.sqlite_version}\t-")
print(f"janua_sms_rows\t{c.execute('SELECT COUNT(*) FROM janua_sms').fetchone()[0]}\t-")
for variant in ("as_is", "with_indexes"):
    run(f"{variant}.count", "SELECT COUNT(*) AS total FROM janua_contacts WHERE admin_id = ?", (admin,))
    run(f"{variant}.page1000_first", page, (admin, 1000, 0))
    run(f"{variant}.page1000_last", page, (admin, 1000, total - 1000))
    run(f"{variant}.page100_first", page, (admin, 100, 0))
    run(f"{variant}.page100_last", page, (admin, 100, total - 100))
    run(f"{variant}.memberships_in_1000", members, last_ids)
    run(f"{variant}.all_contacts", "SELECT * FROM janua_contacts WHERE admin_id = ? ORDER BY id", (admin,))
    run(f"{variant}.usage_sum", "SELECT COALESCE(SUM(number_of_slices), 0) FROM janua_sms WHERE status IN (0, 1, 2, 5) AND date_time >= ? AND date_time < ? AND admin_id = ?", ("0000", "9999", admin))
    if variant == "as_is":  # add the two index shapes the plans want, where the store lacks them
        def has(table, prefix):
            return any([r[2] for r in c.execute(f"PRAGMA index_info({row[1]})")][: len(prefix)] == prefix for row in c.execute(f"PRAGMA index_list({table})"))
        if not has("janua_contacts", ["admin_id", "id"]): c.execute("CREATE INDEX bench_contacts_owner_id ON janua_contacts (admin_id, id)")
        if not has("janua_contact_groups", ["contact_id"]): c.execute("CREATE INDEX bench_memberships_contact ON janua_contact_groups (contact_id)")
        c.commit()
EOF
var() { awk -F'\t' -v k="$1" -v c="${2:-2}" '$1 == k { print $c }' "$WORK/variants.tsv"; }

# --- 6. the same store with two more indexes ----------------------------------------------
# Not the server as shipped: the indexes the plans lack, created in this run's store only,
# then the low-load runs, one throughput round and one sendsms of each size again.
MISSING_INDEXES=$(rows missing_indexes)
if [ "${INDEXED_VARIANT:-1}" = 1 ] && [ "$MISSING_INDEXES" != none ]; then
    log "variant: the store with the missing indexes added ($MISSING_INDEXES)"
    rows add_indexes "$MISSING_INDEXES"
    start_server "$WORK/server-indexed.log" "warn,steward=info"
    AUTH=(-H "JanuaAuthToken: $TOKEN")
    for page in $(seq 1 10 "$PAGES_DEFAULT") "$PAGES_DEFAULT"; do curl -sf -o /dev/null "$BASE/api/CONTACT?page=$page" "${AUTH[@]}"; done
    : >"$WORK/latency-indexed.tsv"
    cpu_begin
    latency_phase "$WORK/latency-indexed.tsv"
    cpu_end indexed_latency
    : >"$WORK/ix-healthz.tsv"; : >"$WORK/ix-list1000.tsv"; : >"$WORK/ix-list100.tsv"
    one_round 1 ix-
    : >"$WORK/ix-sms-one.tsv"; : >"$WORK/ix-sms-big.tsv"
    sendsms ONE "$WORK/ix-sms-one.tsv"
    sendsms BIG "$WORK/ix-sms-big.tsv"
    stop_server
fi

# --- verdicts -----------------------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
WORST_P99_1000=$(awk -F'\t' '$1 == 1000 { if ($5 > m) m = $5 } END { print m + 0 }' "$WORK/latency.tsv")
WORST_P99_100=$(awk -F'\t' '$1 == 100 { if ($5 > m) m = $5 } END { print m + 0 }' "$WORK/latency.tsv")
LAT_NON2XX=$(awk -F'\t' '{ s += $7 + $8 } END { print s + 0 }' "$WORK/latency.tsv")
V_P99_1000=$(verdict "$WORST_P99_1000 <= 5 && $LAT_NON2XX == 0")
V_P99_100=$(verdict "$WORST_P99_100 <= 5 && $LAT_NON2XX == 0")
V_RPS_1000=$(verdict "$R1000 >= 0.5 && $ROUNDS_NON2XX == 0")
V_RPS_100=$(verdict "$R100 >= 0.5 && $ROUNDS_NON2XX == 0")
V_SMS=$(verdict "$SMS_BIG_MS <= 100")
V_LOGIN=$(verdict "$J_RATIO >= 0.8 && $J_NON2XX == 0 && $J_TOKENS >= $J_REQ")

mkdir -p "$RESULTS_DIR"
{
    echo "# bench/janua.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$COMMIT"
    echo "tree_at_end_of_run=$(tree_state)"
    echo "build=$([ -z "${SKIP_BUILD:-}" ] && echo fresh || echo skipped)"
    echo "binary_mtime=$BINARY_MTIME"
    echo "cores=$CORES"
    echo "loadavg_at_start=$LOAD_AT_START"
    cat "$WORK/cpu.txt"
    echo "contacts=$CONTACTS big_group_members=$MEMBERS seed_ms=$SEED_MS seeded_rows_check=$SEED_CHECK"
    echo "store_lacks_indexes=$MISSING_INDEXES (janua_contacts (admin_id, id), janua_contact_groups (contact_id); none = the schema has both)"
    echo "default_page_size=$DEFAULT_SIZE pages_default=$PAGES_DEFAULT pages_at_100=$PAGES_100 page_bytes_default=$PAGE1_BYTES page_bytes_100=$PAGE100_BYTES"
    echo "# low load: wrk -t1 -c1 -d${LAT_SECONDS}s; size label requests p50_ms p99_ms max_ms non2xx errors"
    awk -F'\t' '{ printf "latency_%s_%s=requests:%s p50:%s p99:%s max:%s non2xx:%s errors:%s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$WORK/latency.tsv"
    echo "latency_worst_p99_ms_default=$WORST_P99_1000"
    echo "latency_worst_p99_ms_100=$WORST_P99_100"
    echo "rounds=$ROUNDS round_seconds=$ROUND_SECONDS get_threads=$GET_THREADS get_connections=$GET_CONNECTIONS"
    echo "healthz_rps_rounds=$(cut -f1 "$WORK/healthz.tsv" | paste -sd,)"
    echo "list_default_rps_rounds=$(cut -f1 "$WORK/list1000.tsv" | paste -sd,)"
    echo "list_100_rps_rounds=$(cut -f1 "$WORK/list100.tsv" | paste -sd,)"
    echo "healthz_rps_median=$H_RPS healthz_p99_ms_median=$H_P99"
    echo "list_default_rps_median=$L1000_RPS list_default_p99_ms_median=$L1000_P99"
    echo "list_100_rps_median=$L100_RPS list_100_p99_ms_median=$L100_P99"
    echo "list_default_over_healthz_rps=$R1000 (paired median $PR1000)"
    echo "list_100_over_healthz_rps=$R100 (paired median $PR100)"
    echo "rounds_non2xx_or_errors=$ROUNDS_NON2XX"
    echo "sendsms_big_ms_rounds=$(cut -f1 "$WORK/sms-big.tsv" | paste -sd,)"
    echo "sendsms_big_queued_rows_before_rounds=$(cut -f4 "$WORK/sms-big.tsv" | paste -sd,)"
    echo "sendsms_one_ms_rounds=$(cut -f1 "$WORK/sms-one.tsv" | paste -sd,)"
    echo "batch_insert_ms_rounds=$(paste -sd, "$WORK/batch.tsv")"
    echo "rowwise_insert_ms_rounds=$(paste -sd, "$WORK/rowwise.tsv")"
    echo "sendsms_big_ms_median=$SMS_BIG_MS"
    echo "sendsms_one_ms_median=$SMS_ONE_MS"
    echo "sendsms_refused_unknown_group_ms_rounds=$(cut -f1 "$WORK/sms-refused.tsv" | paste -sd,)"
    echo "sendsms_refused_unknown_group_ms_median=$SMS_REFUSED_MS"
    echo "sendsms_big_server_cpu_ms_median=$SMS_BIG_CPU_MS sendsms_one_server_cpu_ms_median=$SMS_ONE_CPU_MS"
    echo "rss_mb_after_each_sendsms_one=$(cut -f6 "$WORK/sms-one.tsv" | paste -sd,) big=$(cut -f6 "$WORK/sms-big.tsv" | paste -sd,) refused=$(cut -f6 "$WORK/sms-refused.tsv" | paste -sd,)"
    echo "sendsms_per_extra_recipient_us=$SMS_PER_RECIPIENT_US"
    echo "batch_insert_ms_median=$BATCH_MS"
    echo "wide_batch_insert_ms_rounds=$(paste -sd, "$WORK/wide.tsv")"
    echo "wide_batch_insert_ms_median=$WIDE_MS"
    echo "rowwise_insert_ms_median=$ROWWISE_MS"
    echo "sendsms_big_over_batch_insert=$SMS_OVER_BATCH"
    echo "concurrent_hashes=$HASHES"
    echo "janua_sequential_login_ms_median=$SEQ_LOGIN_MS"
    echo "janua_sequential_login_server_user_ms=$LOGIN_USER_MS sys_ms=$LOGIN_SYS_MS minor_faults=$LOGIN_MINFLT"
    echo "python_argon2_verify_ms_median=$PY_VERIFY_MS"
    echo "login_ceiling_per_s=$CEILING login_ceiling_python_per_s=$PY_CEILING"
    echo "storm_connections=$STORM_CONNECTIONS storm_seconds=$STORM_SECONDS"
    echo "janua_logins_per_s=$J_LPS janua_login_requests=$J_REQ janua_tokens_issued=$J_TOKENS janua_login_p99_ms=$J_P99 janua_login_non2xx=$J_NON2XX janua_login_socket_errors=$J_ERRS"
    echo "native_logins_per_s=$N_LPS native_login_requests=$N_REQ native_tokens_issued=$N_TOKENS native_login_p99_ms=$N_P99 native_login_non2xx=$N_NON2XX"
    echo "janua_logins_over_ceiling=$J_RATIO"
    echo "janua_logins_over_python_ceiling=$PY_J_RATIO"
    echo "native_logins_over_ceiling=$N_RATIO"
    echo "janua_over_native_logins=$J_OVER_N"
    echo "foundation_latest_logins_per_s=$F_LPS foundation_latest_logins_over_ceiling=$F_RATIO"
    echo "rss_start_mb=$RSS_START rss_after_lists_mb=$RSS_AFTER_LISTS rss_after_sendsms_mb=$RSS_AFTER_SMS (peak so far $HWM_AFTER_SMS) rss_after_logins_mb=$RSS_END rss_peak_hwm_mb=$HWM"
    echo "server_exit_code=$MAIN_EXIT_CODE debug_server_exit_code=$EXIT_CODE"
    echo "# the server's own statement timings (RUST_LOG=sqlx::query=debug, second server): label kind count median_ms sum_ms max_rows"
    awk -F'\t' '{ printf "stmt_%s_%s=count:%s median_ms:%s sum_ms:%s max_rows:%s\n", $1, $2, $3, $4, $5, $6 }' "$WORK/statements.tsv"
    for label in first1000 last1000 first100 last100; do echo "split_$label=$(split_of $label)"; done
    echo "debug_server_sendsms_big_ms=$DBG_SMS_MS debug_server_sendsms_big_statements_ms=$DBG_SMS_STMT_MS debug_server_sendsms_big_writes=$DBG_SMS_WRITES_MS"
    echo "# python sqlite3 on a copy of the store: label median_ms plan"
    awk -F'\t' '{ if ($3 == "-") printf "py_%s=%s\n", $1, $2; else printf "py_%s=%s ms; plan: %s\n", $1, $2, $3 }' "$WORK/variants.tsv"
    if [ -s "$WORK/latency-indexed.tsv" ]; then
        echo "# variant: the same store with the missing indexes added ($MISSING_INDEXES); NOT the server as shipped"
        awk -F'\t' '{ printf "indexed_latency_%s_%s=requests:%s p50:%s p99:%s max:%s non2xx:%s errors:%s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$WORK/latency-indexed.tsv"
        echo "indexed_round_rps=healthz:$(cut -f1 "$WORK/ix-healthz.tsv") list_default:$(cut -f1 "$WORK/ix-list1000.tsv") list_100:$(cut -f1 "$WORK/ix-list100.tsv")"
        echo "indexed_list_100_over_healthz_rps=$(paste "$WORK/ix-list100.tsv" "$WORK/ix-healthz.tsv" | awk '{ printf "%.5f", $1 / $5 }')"
        echo "indexed_list_default_over_healthz_rps=$(paste "$WORK/ix-list1000.tsv" "$WORK/ix-healthz.tsv" | awk '{ printf "%.5f", $1 / $5 }')"
        echo "indexed_sendsms_one_ms=$(cut -f1 "$WORK/ix-sms-one.tsv") indexed_sendsms_big_ms=$(cut -f1 "$WORK/ix-sms-big.tsv")"
        echo "indexed_cpu: $(grep '^indexed_latency_cpu' "$WORK/cpu.txt" | paste -sd' ')"
    fi
    echo "target_list_p99_le_5ms_default=$V_P99_1000"
    echo "target_list_p99_le_5ms_100=$V_P99_100"
    echo "target_list_rps_ge_0.5_healthz_default=$V_RPS_1000"
    echo "target_list_rps_ge_0.5_healthz_100=$V_RPS_100"
    echo "target_sendsms_10000_le_100ms=$V_SMS"
    echo "target_janua_logins_ge_0.8_ceiling=$V_LOGIN"
} >"$RESULT_FILE"

cat <<EOF

Janua benchmark ($CORES cores; $CONTACTS contacts, BIG = $MEMBERS members; load at start $LOAD_AT_START)
--------------------------------------------------------------------------------------------
  CPU shares (server / clients / other processes): latency $(cpu_get latency_cpu_share_server) / $(cpu_get latency_cpu_share_clients) / $(cpu_get latency_cpu_share_foreign), rounds $(cpu_get rounds_cpu_share_server) / $(cpu_get rounds_cpu_share_clients) / $(cpu_get rounds_cpu_share_foreign), sendsms $(cpu_get sms_cpu_share_server) / $(cpu_get sms_cpu_share_clients) / $(cpu_get sms_cpu_share_foreign)
  GET /api/CONTACT at low load (wrk -t1 -c1 -d${LAT_SECONDS}s)   requests   p50 ms   p99 ms   max ms
$(awk -F'\t' '{ printf "    size %-4s %-5s page(s)                      %8s %8s %8s %8s\n", $1, $2, $3, $4, $5, $6 }' "$WORK/latency.tsv")
  worst p99, default size     $WORST_P99_1000 ms   target <= 5 ms   $V_P99_1000
  worst p99, 100 per page     $WORST_P99_100 ms   target <= 5 ms   $V_P99_100
  healthz                     $H_RPS req/s (p99 $H_P99 ms)
  list, default size          $L1000_RPS req/s (p99 $L1000_P99 ms)   / healthz $R1000 (paired $PR1000)   target >= 0.5   $V_RPS_1000
  list, 100 per page          $L100_RPS req/s (p99 $L100_P99 ms)   / healthz $R100 (paired $PR100)   target >= 0.5   $V_RPS_100
  sendsms to BIG ($MEMBERS)     $SMS_BIG_MS ms (median of $SMS_ROUNDS; rounds $(cut -f1 "$WORK/sms-big.tsv" | paste -sd' '))   target <= 100 ms   $V_SMS
  sendsms to ONE (1)          $SMS_ONE_MS ms; per extra recipient $SMS_PER_RECIPIENT_US us; server CPU per send: BIG $SMS_BIG_CPU_MS ms, ONE $SMS_ONE_CPU_MS ms
  sendsms to an unknown group $SMS_REFUSED_MS ms (refused: "Group NOSUCH is invalid")
  python batch insert         $BATCH_MS ms ($MEMBERS log + $OUTBOX_PER_BIG outbox rows, executemany, one transaction); one outbox row per recipient $WIDE_MS ms; row by row $ROWWISE_MS ms
  sendsms / batch insert      $SMS_OVER_BATCH x
  server RSS                  start $RSS_START MB, after the lists $RSS_AFTER_LISTS MB, after the sendsms rounds $RSS_AFTER_SMS MB (peak $HWM_AFTER_SMS MB), after the logins $RSS_END MB
  Janua sequential login      $SEQ_LOGIN_MS ms (server per login: user $LOGIN_USER_MS ms, sys $LOGIN_SYS_MS ms, $LOGIN_MINFLT minor faults); python verify $PY_VERIFY_MS ms
  login ceiling               $CEILING/s (python-based $PY_CEILING/s)
  Janua /login storm          $J_LPS logins/s ($J_REQ requests, $J_TOKENS tokens), p99 $J_P99 ms, non-2xx $J_NON2XX   / ceiling $J_RATIO (python $PY_J_RATIO)   target >= 0.8   $V_LOGIN
  /steward/v1/tokens storm    $N_LPS logins/s ($N_REQ requests), / ceiling $N_RATIO; Janua / native $J_OVER_N
  foundation-latest.txt       $F_LPS logins/s, / ceiling $F_RATIO
  server statements (debug server, median ms): count $(stmt last1000 count 4), page first/last $(stmt first1000 page 4)/$(stmt last1000 page 4) (1000), $(stmt first100 page 4)/$(stmt last100 page 4) (100), memberships IN $(stmt last1000 memberships_in 4)
  list requests, debug server first/last page: $(split_of first1000) / $(split_of last1000) (1000); $(split_of first100) / $(split_of last100) (100)
  sendsms BIG, debug server  $DBG_SMS_MS ms wall; SQLite time $DBG_SMS_STMT_MS ms: all contacts of the owner $(stmt sendsms_big all_contacts_of_owner 5) ms ($(stmt sendsms_big all_contacts_of_owner 6) rows), members $(stmt sendsms_big contacts_in 5) ms, usage sum $(stmt sendsms_big usage_sum 5) ms, writes $DBG_SMS_WRITES_MS
$(if [ -s "$WORK/latency-indexed.tsv" ]; then
    echo "  VARIANT with the missing indexes added ($MISSING_INDEXES; not the server as shipped): low load p50/p99 ms"
    awk -F'\t' '{ printf "    size %-4s %-5s page(s)   %8s requests %8s %8s\n", $1, $2, $3, $4, $5 }' "$WORK/latency-indexed.tsv"
    echo "    one round: healthz $(cut -f1 "$WORK/ix-healthz.tsv"), list default $(cut -f1 "$WORK/ix-list1000.tsv"), list 100 $(cut -f1 "$WORK/ix-list100.tsv") req/s; sendsms ONE $(cut -f1 "$WORK/ix-sms-one.tsv") ms, BIG $(cut -f1 "$WORK/ix-sms-big.tsv") ms"
fi)
  server exit code on SIGTERM $MAIN_EXIT_CODE

Written to ${RESULT_FILE#"$REPO"/}
EOF
