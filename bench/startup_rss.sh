#!/usr/bin/env bash
# Start-up time and memory.
#  1. exec of `reservo serve vaccine/reservation --port P --data D` to the first 200 of
#     /actuator/health/readiness (probe.py polls every 0.5 ms): RUNS times with a fresh data dir
#     (schema migrations run: a first start) and RUNS times with the same dir (a restart).
#     VmRSS at readiness and after IDLE_S seconds idle.
#  2. `reservo up vaccine`: VmRSS of every process idle, then while and after `hey` sends
#     REQUESTS POST /reservations through the gateway (VmHWM = peak).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need hey ss

RUNS=${RUNS:-20}
REQUESTS=${REQUESTS:-10000}
IDLE_S=${IDLE_S:-2}
if [ "${BENCH_QUICK:-0}" = "1" ]; then RUNS=5; REQUESTS=2000; fi

BUSY_BEFORE=$(busy_pct)
pick_ports 1
P=$BASE
mkdir -p "$WORK/cold" "$WORK/warm"
COLD=$(timeout 120 "$PY" "$BENCH_DIR/probe.py" startup --bin "$BIN" --service vaccine/reservation --port "$P" \
    --data "$WORK/cold" --runs "$RUNS" --fresh --idle-runs 1 --idle-s "$IDLE_S" | grep '^RESULT')
echo "fresh data dir: $COLD"
WARM=$(timeout 120 "$PY" "$BENCH_DIR/probe.py" startup --bin "$BIN" --service vaccine/reservation --port "$P" \
    --data "$WORK/warm" --runs "$RUNS" --idle-runs 1 --idle-s "$IDLE_S" | grep '^RESULT')
echo "existing data dir: $WARM"

pick_ports 5
GW=http://127.0.0.1:$BASE
RESERVO_LOGGING_ACCESS=false up_system "$WORK/data" "$BASE"
VID=$(register_lot "$GW" 1000000)
SERVICES=(gateway vaccine-mgmt reservation notification mypage)
declare -A PID IDLE PEAK AFTER
for s in "${SERVICES[@]}"; do PID[$s]=$(service_pid "$WORK/data" "$s"); done
sleep "$IDLE_S"
for s in "${SERVICES[@]}"; do IDLE[$s]=$(rss_kb "${PID[$s]}"); done

timeout 120 hey -n "$REQUESTS" -c 32 -m POST -T application/json -d "{\"userId\":1,\"vaccineId\":$VID}" \
    "$GW/reservations" >"$WORK/hey.txt"
rps=$(awk '/Requests\/sec/{print $2}' "$WORK/hey.txt")
codes=$(awk '/^  \[[0-9]+\]/{gsub(/[\[\]]/,"",$1); printf "%s%s×%s", sep, $2, $1; sep=", "}' "$WORK/hey.txt")
sleep 1
for s in "${SERVICES[@]}"; do PEAK[$s]=$(hwm_kb "${PID[$s]}"); AFTER[$s]=$(rss_kb "${PID[$s]}"); done
echo "hey: $rps req/s, $codes"

mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
{
    echo
    echo "### startup_rss — vaccine/reservation start-up; RSS of every process idle and after $REQUESTS reservations"
    echo "$(machine_note)"
    echo
    echo "| exec → readiness 200 | runs | p50 ms | p90 ms | max ms | RSS at ready MB | RSS idle ${IDLE_S}s MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "| fresh data dir (migrations) | $(field "$COLD" runs) | $(field "$COLD" p50_ms) | $(field "$COLD" p90_ms) | $(field "$COLD" max_ms) | $(mb "$(field "$COLD" rss_at_ready_kb)") | $(mb "$(field "$COLD" rss_idle_kb)") |"
    echo "| existing data dir (restart) | $(field "$WARM" runs) | $(field "$WARM" p50_ms) | $(field "$WARM" p90_ms) | $(field "$WARM" max_ms) | $(mb "$(field "$WARM" rss_at_ready_kb)") | $(mb "$(field "$WARM" rss_idle_kb)") |"
    echo
    echo "\`reservo up vaccine\`, then hey -n $REQUESTS -c 32 POST /reservations: $rps req/s ($codes)"
    echo
    echo "| process | RSS idle MB | peak (VmHWM) MB | RSS after load MB |"
    echo "|---|---:|---:|---:|"
    for s in "${SERVICES[@]}"; do
        echo "| $s | $(mb "${IDLE[$s]}") | $(mb "${PEAK[$s]}") | $(mb "${AFTER[$s]}") |"
    done
    max_idle=0
    for s in "${SERVICES[@]}"; do [ "${IDLE[$s]}" -gt "$max_idle" ] && max_idle=${IDLE[$s]}; done
    echo
    echo "ready p50/max **$(field "$WARM" p50_ms)/$(field "$WARM" max_ms) ms** restart, **$(field "$COLD" p50_ms)/$(field "$COLD" max_ms) ms** first start (budget ≤ 100 ms); largest idle RSS **$(mb "$max_idle") MB** (budget ≤ 20 MB)"
} | summary
