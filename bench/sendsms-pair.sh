#!/usr/bin/env bash
# `/sendsms` to a group of 10 000, two binaries side by side: BEFORE and AFTER (paths to
# release binaries) each serve a fresh store of 100 000 contacts (SQLite, no gateway: the
# SMS wait in the outbox) and answer ROUNDS sends in a row; the pair runs twice,
# alternating, so drift on a noisy machine hits both. Prints each round's milliseconds.
# Round n of one binary compares with round n of the other: every send adds 10 000 log rows,
# and a send costs more as the log grows.
#
#   BEFORE=~/bins/steward-4341866 AFTER=target/release/steward bench/sendsms-pair.sh
set -euo pipefail
ROUNDS=${ROUNDS:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

one() { # binary -> one line of ROUNDS times (ms)
    local bin=$1 dir=$WORK/run
    rm -rf "$dir"; mkdir -p "$dir"
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    local base=http://127.0.0.1:$port
    export STEWARD_DATABASE_URL="sqlite://$dir/bench.db?mode=rwc"
    (cd "$dir" && STEWARD_LISTEN=127.0.0.1:$port STEWARD_BOOTSTRAP_ADMIN=admin:adminpw-123456 \
        STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE=1000000 RUST_LOG=info exec "$bin" serve >"$dir/server.out" 2>"$dir/server.log") &
    local pid=$!
    for _ in $(seq 150); do grep -q listening "$dir/server.log" 2>/dev/null && break; sleep 0.2; done
    printf 'sup1-password\n' | "$bin" account create sup1 --password-stdin --role supervisor \
        --phone +33100000002 --email sup1@example.org --name "Sup One" >/dev/null
    "$bin" quota set sup1 janua.sms 99999999 >/dev/null
    local token
    token=$(curl -sf -XPOST "$base/login" -H 'content-type: application/json' \
        -d '{"username":"sup1","password":"sup1-password","language":"EN"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["JanuaAuthToken"])')
    local admin_id group_id
    admin_id=$(curl -sf "$base/api/ADMIN" -H "JanuaAuthToken: $token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["objects"][0]["id"])')
    group_id=$(curl -sf -XPOST "$base/api/GROUPS" -H "JanuaAuthToken: $token" -H 'content-type: application/json' -d '{"name":"BIG"}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    python3 - "$dir/bench.db" "$admin_id" "$group_id" <<'PY'
import sqlite3, sys
db, admin_id, group_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db, timeout=30, isolation_level=None)
rows = [(admin_id, f"Name{i:06d}", f"First{i:06d}", f"+3370{i:07d}", f"contact{i:06d}@example.org", None) for i in range(100000)]
c.execute("BEGIN IMMEDIATE")
c.executemany("INSERT INTO janua_contacts (admin_id, name, firstname, phone_number, email, description) VALUES (?, ?, ?, ?, ?, ?)", rows)
c.execute("COMMIT")
ids = [r[0] for r in c.execute("SELECT id FROM janua_contacts WHERE admin_id = ? ORDER BY id", (admin_id,))]
c.execute("BEGIN IMMEDIATE")
c.executemany("INSERT INTO janua_contact_groups (group_id, contact_id) VALUES (?, ?)", [(group_id, cid) for cid in ids[::10]])
c.execute("COMMIT")
PY
    local times=()
    for _ in $(seq "$ROUNDS"); do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -XPOST "$base/sendsms" -H "JanuaAuthToken: $token" \
            -H 'content-type: application/json' -d '{"message":"Test","to":"BIG"}' | awk '{printf "%.1f", $1 * 1000}')")
    done
    kill -TERM "$pid"; wait "$pid" || true
    echo "${times[*]}"
}

for pass in 1 2; do
    echo "before, pass $pass: $(one "$BEFORE")"
    echo "after,  pass $pass: $(one "$AFTER")"
done
