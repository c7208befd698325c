# bench/lib.sh: what every benchmark script shares. Sourced, not run. The script sets
# BENCH_NAME (log prefix) and WAIT_QUIET first; this sets REPO, TARGET_DIR (the shared
# CARGO_TARGET_DIR), BUILT_BIN (STEWARD_BIN, else the release binary there) and
# RESULTS_DIR. After `bench_setup` the script has WORK (a private temporary directory,
# removed at exit), BIN (a private copy of the binary: others build into the same target
# directory), BINARY_MTIME and COMMIT.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/steward-target}
BUILT_BIN=${STEWARD_BIN:-$TARGET_DIR/release/steward}
RESULTS_DIR=$REPO/bench/results

log() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wrk (installed with apt-get when running as root), curl and python3.
bench_tools() {
    if ! command -v wrk >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing wrk"
            apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null; }
        fi
        command -v wrk >/dev/null 2>&1 || die "wrk is required (apt-get install wrk)"
    fi
    command -v curl >/dev/null 2>&1 || die "curl is required"
    command -v python3 >/dev/null 2>&1 || die "python3 is required"
}

# The tree the binary is built from, read as the build starts: others commit and edit in this
# tree, so HEAD at the end of the run may be a later commit. Untracked sources count as dirty.
tree_state() {
    local dirty=
    git -C "$REPO" diff --quiet HEAD -- crates Cargo.toml Cargo.lock 2>/dev/null || dirty=+dirty
    [ -z "$(git -C "$REPO" ls-files --others --exclude-standard -- crates 2>/dev/null)" ] || dirty=+dirty
    echo "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty"
}

# Builds the release binary unless SKIP_BUILD (then COMMIT is BIN_COMMIT or "unknown"). A
# failed build is retried after 60 s, BUILD_RETRIES times: someone may be mid-change.
bench_build() {
    local attempt=1
    if [ -n "${SKIP_BUILD:-}" ]; then
        COMMIT=${BIN_COMMIT:-unknown}
    else
        while :; do
            COMMIT=$(tree_state)
            log "building the release binary (nice -n 10) into $TARGET_DIR (attempt $attempt)"
            if (cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR nice -n 10 cargo build --release -p steward --quiet); then
                break
            fi
            [ "$attempt" -lt "${BUILD_RETRIES:-3}" ] || die "cargo build --release -p steward failed $attempt times"
            log "the build failed (someone may be mid-change); retrying in 60 s"
            attempt=$((attempt + 1))
            sleep 60
        done
    fi
    [ -x "$BUILT_BIN" ] || die "no binary at $BUILT_BIN"
}

# WORK, the exit trap that stops the server and removes WORK, and the private binary.
bench_setup() {
    WORK=$(mktemp -d -t "steward-$BENCH_NAME.XXXXXX")
    SERVER_PID=
    trap bench_cleanup EXIT
    BIN=$WORK/steward
    cp "$BUILT_BIN" "$BIN"
    BINARY_MTIME=$(date -u -r "$BUILT_BIN" +%Y-%m-%dT%H:%M:%SZ)
    : >"$WORK/cpu.txt"
}
bench_cleanup() {
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# VmRSS / VmHWM of the server, in MB (kB / 1024, one decimal).
proc_mb() { awk -v key="$1:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Server CPU time (ms, user and system) and minor page faults so far: "user_ms sys_ms minflt".
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d %d %d\n", $14 * 1000 / hz, $15 * 1000 / hz, $10 }' "/proc/$SERVER_PID/stat"; }
# wrk output -> "req_per_s p99_ms non2xx socket_errors requests p50_ms max_ms" (read the ones you need, then `_`)
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /s$/)  { sub(/s$/,  "", v); return v * 1000 }
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        / requests in / { requests = $1 }
        $1 == "Latency" && !seenmax { max = ms($4); seenmax = 1 }
        $1 == "50%" && !seen50 { p50 = ms($2); seen50 = 1 }
        $1 == "99%" && !seen99 { p99 = ms($2); seen99 = 1 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
        END { printf "%s %.3f %d %d %d %.3f %.3f\n", rps, p99, non2xx + 0, errs + 0, requests + 0, p50, max }
    ' "$1"
}
# Busy CPU time of the whole machine so far, in ms (user+nice+system+irq+softirq+steal).
machine_busy_ms() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%d\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz }' /proc/stat; }
# CPU time of this script's finished children (wrk, curl, python), in ms, from bash's `times`:
# snap_children must run in this shell (not in $(...), whose `times` sees only itself).
snap_children() { times >"$WORK/times.txt"; }
children_ms() { awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /m/); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] } printf "%d\n", t * 1000 }' "$WORK/times.txt"; }
now_ms() { date +%s%3N; }
# CPU accounting around a phase: cpu_begin, the phase, cpu_end NAME -> NAME_{server,wrk,foreign}.
# (python helpers run as children too and count with wrk/curl.)
cpu_begin() { read -r CU0 CS0 _ < <(proc_cpu); snap_children; CB0=$(machine_busy_ms); CC0=$(children_ms); CT0=$(now_ms); }
cpu_end() {
    local u1 s1 b1 c1 t1
    read -r u1 s1 _ < <(proc_cpu); snap_children; b1=$(machine_busy_ms); c1=$(children_ms); t1=$(now_ms)
    awk -v b=$((b1 - CB0)) -v s=$((u1 - CU0 + s1 - CS0)) -v c=$((c1 - CC0)) -v t=$((t1 - CT0)) -v n="$(nproc)" -v name="$1" 'BEGIN {
        f = (b - s - c) / (t * n); if (f < 0) f = 0
        printf "%s_cpu_share_server=%.3f\n%s_cpu_share_clients=%.3f\n%s_cpu_share_foreign=%.3f\n", name, s / (t * n), name, c / (t * n), name, f
    }' >>"$WORK/cpu.txt"
}
cpu_get() { sed -n "s/^$1=//p" "$WORK/cpu.txt"; }
# The machine has 2 cores that other work (builds, test suites) may share. Wait, up to
# WAIT_QUIET seconds, for a 3 s window in which the machine is < 25 % busy.
wait_quiet() {
    local deadline=$(( $(date +%s) + WAIT_QUIET )) b0 b1 share
    while :; do
        b0=$(machine_busy_ms); sleep 3; b1=$(machine_busy_ms)
        share=$(( (b1 - b0) * 100 / (3000 * $(nproc)) ))
        if [ "$share" -lt 25 ]; then log "machine quiet (${share}% busy)"; return; fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            log "WARNING: machine still ${share}% busy after ${WAIT_QUIET} s; measuring anyway (see the foreign CPU shares)"
            return
        fi
        log "machine ${share}% busy; waiting for quiet"
    done
}

# The median of 15 argon2id verifies (t=2, m=19456 KiB, p=1: the server's parameters) by
# python's argon2-cffi (libargon2), installed with pip when missing; "n/a" without it.
python_argon2_verify_ms() {
    python3 -c 'import argon2' 2>/dev/null || pip install --quiet argon2-cffi >/dev/null 2>&1 || true
    python3 - <<'PY' 2>/dev/null || echo n/a
import statistics, time
import argon2
hasher = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=argon2.Type.ID)
stored = hasher.hash("benchpw")
times = []
for _ in range(15):
    started = time.perf_counter()
    hasher.verify(stored, "benchpw")
    times.append((time.perf_counter() - started) * 1000)
print(f"{statistics.median(times):.2f}")
PY
}
# Logins per second that HASHES concurrent hashes of MS milliseconds each allow ("n/a" for n/a).
login_ceiling() { if [ "$2" = n/a ]; then echo n/a; else awk -v n="$1" -v t="$2" 'BEGIN { printf "%.2f", n * 1000 / t }'; fi; }
