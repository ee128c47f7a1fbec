# shellcheck shell=bash
# Shared helpers of the bench/ scripts. Source it; do not run it.
#
# Every script gets: a private work dir ($WORK), a private copy of the reservo binary ($BIN, so a
# rebuild elsewhere cannot swap it mid-run), free loopback ports, and an EXIT trap that stops
# every process the script started (by pid, never by name) and every `reservo up` it started.
#
# Knobs (environment):
#   RESERVO_BIN      binary to benchmark (default: build/release/reservo of this checkout)
#   BENCH_SUMMARY    file the script appends its summary (markdown) to; run_all.sh sets it
#   BENCH_KEEP=1     keep the work dir (logs, data) for a post-mortem
#   BENCH_QUICK=1    shorter runs (smoke test of the scripts, numbers not meaningful)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
SRC_BIN=${RESERVO_BIN:-$REPO_DIR/build/release/reservo}
PY=${PYTHON:-python3}

if [ ! -x "$SRC_BIN" ]; then
    echo "no reservo binary at $SRC_BIN: cmake --preset release && cmake --build --preset release" >&2
    exit 2
fi
for tool in curl "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

WORK=$(mktemp -d "/tmp/reservo-bench.$(basename "$0" .sh).XXXXXX")
cp "$SRC_BIN" "$WORK/reservo"
BIN=$WORK/reservo

BG_PIDS=()   # processes started with start_bg
UP_DIRS=()   # data dirs of `reservo up --detach` runs

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing tool: $tool (scripts/install-deps.sh with RESERVO_BENCH=1)" >&2; exit 2; }
    done
}

_stop_pid() {  # pid: TERM, wait up to 5 s, then KILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

_stop_up() {  # data dir of a detached `reservo up`
    local dir=$1 pids pid
    [ -f "$dir/reservo.state" ] || return 0
    pids=$("$PY" -c 'import json,sys
s=json.load(open(sys.argv[1]))
print(s.get("supervisorPid",""))
for p in s.get("processes",[]):
    for i in p.get("pids",[]): print(i)' "$dir/reservo.state" 2>/dev/null || true)
    timeout 20 "$BIN" down --data "$dir" >/dev/null 2>&1 || true
    for pid in $pids; do _stop_pid "$pid"; done
}

cleanup() {
    local rc=$? pid dir
    trap - EXIT INT TERM
    for dir in "${UP_DIRS[@]}"; do _stop_up "$dir"; done
    for pid in "${BG_PIDS[@]}"; do _stop_pid "$pid"; done
    if [ "${BENCH_KEEP:-0}" = "1" ]; then
        echo "(work dir kept: $WORK)" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_bg LOG CMD... : start a background process, remember its pid in LAST_PID
start_bg() {
    local log=$1; shift
    "$@" >"$log" 2>&1 &
    LAST_PID=$!
    BG_PIDS+=("$LAST_PID")
}

# pick_ports N : a base port B such that B..B+N-1 are free on 127.0.0.1 (in BASE)
pick_ports() {
    local n=$1 b p busy
    for _ in $(seq 1 50); do
        b=$((20000 + (RANDOM % 400) * 100 + RANDOM % 50))
        busy=0
        for p in $(seq "$b" $((b + n - 1))); do
            if ss -Htan "( sport = :$p )" 2>/dev/null | grep -q .; then busy=1; break; fi
        done
        if [ "$busy" = 0 ]; then BASE=$b; return 0; fi
    done
    echo "no free port range found" >&2
    return 1
}

# wait_ok URL [SECONDS] : until URL answers 200
wait_ok() {
    local url=$1 secs=${2:-10}
    for _ in $(seq 1 $((secs * 50))); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" = 200 ] && return 0
        sleep 0.02
    done
    echo "not ready after ${secs}s: $url" >&2
    return 1
}

# up_system DATA_DIR PORT_BASE : `reservo up vaccine --detach --faults`, registered for cleanup
# (fault injection on: the seed's overload experiment slows vaccine-mgmt through it).
# Extra environment (RESERVO_*) is passed through to the services.
up_system() {
    local dir=$1 base=$2
    mkdir -p "$dir"
    UP_DIRS+=("$dir")
    timeout 60 "$BIN" up vaccine --data "$dir" --port-base "$base" --detach --faults >"$dir/up.out" 2>&1 || {
        cat "$dir/up.out" >&2
        return 1
    }
    wait_ok "http://127.0.0.1:$base/actuator/health/readiness" 10
}

# service_pid DATA_DIR SERVICE : pid of a service of a detached `up`
service_pid() {
    "$PY" -c 'import json,sys
s=json.load(open(sys.argv[1]))
print(next(p["pids"][0] for p in s["processes"] if p["service"]==sys.argv[2]))' "$1/reservo.state" "$2"
}

# register_lot GATEWAY_URL QTY : prints the id of a new vaccine lot
register_lot() {
    curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' \
        -d "{\"vaccineType\":\"Pfizer\",\"hospital\":\"Seoul\",\"availableDate\":\"2021-09-10\",\"qty\":$2}" \
        "$1/vaccineMgmts" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# cpu_ticks PID : utime + stime of a process in clock ticks
cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# field LINE KEY : value of key=value in a RESULT line
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1==k{print $2}'; }

us_to_ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }

summary() {  # append stdin to the run_all summary (if any) and echo it
    if [ -n "${BENCH_SUMMARY:-}" ]; then tee -a "$BENCH_SUMMARY"; else cat; fi
}

# busy_pct : CPU busy % of the whole machine over the last second (others' load before a run)
busy_pct() {
    local a b
    read -ra a </proc/stat; sleep 1; read -ra b </proc/stat
    awk -v u=$((b[1] + b[2] + b[3] + b[6] + b[7] - a[1] - a[2] - a[3] - a[6] - a[7])) \
        -v t=$((b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] - a[1] - a[2] - a[3] - a[4] - a[5] - a[6] - a[7])) \
        'BEGIN{printf "%.0f", t ? 100 * u / t : 0}'
}

# machine_note : one line of machine facts; BUSY_BEFORE (from busy_pct) if measured
machine_note() {
    echo "machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg), CPU busy before run ${BUSY_BEFORE:-?}%, $(date -u +%Y-%m-%dT%H:%MZ)"
}
