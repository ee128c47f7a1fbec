#!/usr/bin/env bash
# What an idle system costs: `reservo up vaccine` (5 service processes + the supervisor), nothing
# asked of it for SECONDS_RUN seconds: CPU % of one core per process (from /proc/PID/stat) and
# wake-ups per second (voluntary context switches, from /proc/PID/status). Then event → view lag
# on the same, still idle system (probe.py lag: one reservation at a time, the view polled every
# 1 ms), since sleeping between events must not make delivery slow.
#
# Budget (issue #10): < 0.5 % of one core for the 5 processes; event → view p99 ≤ 50 ms.
#
#   bench/idle.sh                 # ~90 s
#   SECONDS_RUN=120 bench/idle.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SECONDS_RUN=${SECONDS_RUN:-60}
LAG_SAMPLES=${LAG_SAMPLES:-200}
if [ "${BENCH_QUICK:-0}" = "1" ]; then SECONDS_RUN=5; LAG_SAMPLES=20; fi

BUSY_BEFORE=$(busy_pct)
pick_ports 5
GW=http://127.0.0.1:$BASE VIEW=http://127.0.0.1:$((BASE + 4))
up_system "$WORK/data" "$BASE"
VID=$(register_lot "$GW" 100000)
sleep 3  # start-up work (migrations, first heartbeats, the lot's events) done

SUPERVISOR=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["supervisorPid"])' "$WORK/data/reservo.state")
SERVICES=(gateway vaccine-mgmt reservation notification mypage)
wakes() { awk '/^voluntary_ctxt_switches:/{v=$2} /^nonvoluntary_ctxt_switches:/{n=$2} END{print v+n}' "/proc/$1/status"; }
declare -A PID T0 W0
for s in "${SERVICES[@]}"; do PID[$s]=$(service_pid "$WORK/data" "$s"); done
PID[supervisor]=$SUPERVISOR
ALL=("${SERVICES[@]}" supervisor)
for s in "${ALL[@]}"; do T0[$s]=$(cpu_ticks "${PID[$s]}"); W0[$s]=$(wakes "${PID[$s]}"); done
echo "idle for ${SECONDS_RUN}s ..."
sleep "$SECONDS_RUN"
HZ=$(getconf CLK_TCK)
declare -A PCT WPS
services_ticks=0
for s in "${ALL[@]}"; do
    d=$(($(cpu_ticks "${PID[$s]}") - T0[$s]))
    [ "$s" = supervisor ] || services_ticks=$((services_ticks + d))
    PCT[$s]=$(awk -v d="$d" -v hz="$HZ" -v t="$SECONDS_RUN" 'BEGIN{printf "%.3f", d / hz / t * 100}')
    WPS[$s]=$(awk -v d="$(($(wakes "${PID[$s]}") - W0[$s]))" -v t="$SECONDS_RUN" 'BEGIN{printf "%.1f", d / t}')
    echo "$s: ${PCT[$s]} % of a core, ${WPS[$s]} wake-ups/s"
done
SERVICES_PCT=$(awk -v d="$services_ticks" -v hz="$HZ" -v t="$SECONDS_RUN" 'BEGIN{printf "%.3f", d / hz / t * 100}')

LAG=$(timeout 60 "$PY" "$BENCH_DIR/probe.py" lag --gateway "$GW" --view "$VIEW" --vaccine "$VID" \
    --samples "$LAG_SAMPLES" --max-s 40 --user-base 40000000 | grep '^RESULT')
echo "lag: $LAG"

{
    echo
    echo "### idle — \`reservo up vaccine\` left alone for ${SECONDS_RUN}s"
    echo "$(machine_note)"
    echo
    echo "| process | CPU % of one core | wake-ups/s |"
    echo "|---|---:|---:|"
    for s in "${ALL[@]}"; do echo "| $s | ${PCT[$s]} | ${WPS[$s]} |"; done
    echo
    echo "the 5 service processes: **$SERVICES_PCT %** of one core (budget < 0.5 %; CPU ticks are 1/$HZ s, so over ${SECONDS_RUN}s one tick is $(awk -v hz="$HZ" -v t="$SECONDS_RUN" 'BEGIN{printf "%.3f", 100 / hz / t}') %)"
    echo
    echo "| event → view lag, idle system | samples | p50 ms | p90 ms | p99 ms | max ms |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| one reservation at a time | $(field "$LAG" samples) (missing $(field "$LAG" missing)) | $(field "$LAG" p50_ms) | $(field "$LAG" p90_ms) | $(field "$LAG" p99_ms) | $(field "$LAG" max_ms) |"
} | summary
