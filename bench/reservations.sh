#!/usr/bin/env bash
# Reservations through the gateway: `reservo up vaccine`, one lot of 1,000,000 doses, then
# POST /reservations {"userId":N,"vaccineId":ID} with wrk at a few concurrency levels.
# Event-to-view lag: reservations made one at a time (probe.py lag), from the 201 to the row in
# mypage's /myPages/search/findByReservationId (polled every 1 ms on mypage's own port) —
# once while the middle concurrency level runs, once on the idle system afterwards.
# Last, how long the view needs to catch up with every reservation made (backlog drain).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk ss

DURATION=${DURATION:-15}
LEVELS=(${LEVELS:-8 32 128})
LAG_SAMPLES=${LAG_SAMPLES:-200}
if [ "${BENCH_QUICK:-0}" = "1" ]; then DURATION=3; LAG_SAMPLES=30; fi

BUSY_BEFORE=$(busy_pct)
pick_ports 5
GW=http://127.0.0.1:$BASE VIEW=http://127.0.0.1:$((BASE + 4))
RESERVO_LOGGING_ACCESS=false up_system "$WORK/data" "$BASE"
VID=$(register_lot "$GW" 1000000)
echo "system up at port base $BASE; lot $VID with 1,000,000 doses"

run_wrk() {  # conns secs user_base -> RESULT line
    VACCINE_ID=$VID USER_BASE=$3 timeout $(($2 + 30)) \
        wrk -t1 -c"$1" -d"$2"s --timeout 5s -s "$BENCH_DIR/reserve.lua" "$GW" | grep '^RESULT'
}

run_wrk 8 2 0 >/dev/null  # warm-up
SERVICES=(gateway vaccine-mgmt reservation notification mypage)
declare -A PID CPU0
made0=$(curl -sf --max-time 5 "$GW/reservations?size=1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["page"]["totalElements"])')
for s in "${SERVICES[@]}"; do PID[$s]=$(service_pid "$WORK/data" "$s"); CPU0[$s]=$(cpu_ticks "${PID[$s]}"); done
mid=${LEVELS[$(( ${#LEVELS[@]} / 2 ))]}
declare -A RES
LAG_LOAD=""
for i in "${!LEVELS[@]}"; do
    c=${LEVELS[$i]}
    if [ "$c" = "$mid" ]; then
        timeout $((DURATION + 20)) "$PY" "$BENCH_DIR/probe.py" lag --gateway "$GW" --view "$VIEW" --vaccine "$VID" \
            --samples "$LAG_SAMPLES" --max-s $((DURATION > 5 ? DURATION - 3 : 2)) --user-base 20000000 >"$WORK/lag_load.txt" &
        lag_pid=$!
        BG_PIDS+=("$lag_pid")
        sleep 1  # let the load settle first
        RES[$c]=$(run_wrk "$c" "$((DURATION - 1))" $(((i + 1) * 1000000)))
        wait "$lag_pid" || true
        LAG_LOAD=$(grep '^RESULT' "$WORK/lag_load.txt" || echo "RESULT samples=0")
    else
        RES[$c]=$(run_wrk "$c" "$DURATION" $(((i + 1) * 1000000)))
    fi
    echo "c$c: ${RES[$c]}"
done
[ -n "$LAG_LOAD" ] && echo "lag under load (c$mid): $LAG_LOAD"

# Backlog: every reservation made must reach the view.
total() { curl -sf --max-time 5 "$1?size=1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["page"]["totalElements"])'; }
made=$(total "$GW/reservations")
HZ=$(getconf CLK_TCK)
cpu_line=""
for s in "${SERVICES[@]}"; do
    us=$(awk -v d=$(( $(cpu_ticks "${PID[$s]}") - CPU0[$s] )) -v hz="$HZ" -v n=$((made - made0)) 'BEGIN{printf "%.0f", n ? d / hz * 1e6 / n : 0}')
    cpu_line+="${cpu_line:+, }$s $us"
done
echo "CPU µs per reservation: $cpu_line"
t0=$(date +%s%N) caught=""
for _ in $(seq 1 600); do
    seen=$(total "$VIEW/myPages" || echo 0)
    if [ "$seen" -ge "$made" ]; then caught=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
    sleep 0.1
done
echo "reservations made: $made, in view: $seen, caught up after: ${caught:-not within 60 s} ms"

LAG_IDLE=$(timeout 60 "$PY" "$BENCH_DIR/probe.py" lag --gateway "$GW" --view "$VIEW" --vaccine "$VID" \
    --samples "$LAG_SAMPLES" --max-s 40 --user-base 30000000 | grep '^RESULT')
echo "lag idle: $LAG_IDLE"

best=0
if [ -n "$caught" ]; then caught_txt="**$caught ms** after the load"; else caught_txt="NOT within 60 s"; fi
{
    echo
    echo "### reservations — POST /reservations through the gateway (access log off), wrk -t1, ${DURATION}s per level"
    echo "$(machine_note)"
    echo
    echo "| connections | reservations/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for c in "${LEVELS[@]}"; do
        r=${RES[$c]}
        errs=$(( $(field "$r" connect_err) + $(field "$r" read_err) + $(field "$r" write_err) + $(field "$r" timeout_err) ))
        note=""; [ "$c" = "$mid" ] && note=" (lag sampler running)"
        echo "| $c$note | $(field "$r" rps) | $(us_to_ms "$(field "$r" p50_us)") | $(us_to_ms "$(field "$r" p90_us)") | $(us_to_ms "$(field "$r" p99_us)") | $(field "$r" non2xx) | $errs |"
        best=$(awk -v a="$best" -v b="$(field "$r" rps)" 'BEGIN{print (b>a)?b:a}')
    done
    echo
    echo "| event → view lag | samples | p50 ms | p90 ms | p99 ms | max ms |"
    echo "|---|---:|---:|---:|---:|---:|"
    for kind in idle load; do
        if [ $kind = idle ]; then l=$LAG_IDLE name="idle, one at a time"; else l=$LAG_LOAD name="under c$mid load"; fi
        echo "| $name | $(field "$l" samples) (missing $(field "$l" missing)) | $(field "$l" p50_ms) | $(field "$l" p90_ms) | $(field "$l" p99_ms) | $(field "$l" max_ms) |"
    done
    echo
    echo "CPU time per reservation during the load levels (µs, from /proc/PID/stat; the mypage/notification share includes the lag sampler's polls): $cpu_line"
    echo
    echo "best: **$best reservations/s** (budget ≥ 10,000/s); event → view p99 idle **$(field "$LAG_IDLE" p99_ms) ms**, under load **$(field "$LAG_LOAD" p99_ms) ms** (budget ≤ 50 ms); view caught up with all $made reservations $caught_txt"
} | summary
