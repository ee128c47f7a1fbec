#!/usr/bin/env bash
# The embedded event log's appends against Redis Streams (XADD) with AOF everysec, same client
# concurrency, one run. Both sides store the same bytes per record (one CloudEvent as the log
# stores it, ~420 bytes), from C clients at a time:
#   - one record per append: the log's Append of one event (a durable transaction, synchronous=FULL
#     as shipped) vs `redis-benchmark -P 1` XADD (one command in flight per client);
#   - batches of B: an Append of B events (one transaction, as the outbox relay sends what piled up)
#     vs `redis-benchmark -P B` (B XADDs pipelined per client).
# Durability differs and the table says so: an Append returns once its records survive a power loss
# (fdatasync); Redis with appendfsync everysec acknowledges before the fsync (up to ~1 s lost).
#
#   bench/event_log_vs_redis.sh                 # ~1 min; CLIENTS="1 8 32" BATCH=64 RECORDS=...
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need redis-server redis-benchmark redis-cli

CLIENTS=(${CLIENTS:-1 8 32})
BATCH=${BATCH:-64}
SINGLE_RECORDS=${SINGLE_RECORDS:-8000}
BATCH_RECORDS=${BATCH_RECORDS:-128000}
if [ "${BENCH_QUICK:-0}" = "1" ]; then SINGLE_RECORDS=800; BATCH_RECORDS=6400; fi
APPEND=${RESERVO_BENCH_EVENT_LOG:-$REPO_DIR/build/release/bench/event_log/reservo_bench_event_log}
[ -x "$APPEND" ] || { echo "no $APPEND: cmake --build --preset release --target reservo_bench_event_log" >&2; exit 2; }
cp "$APPEND" "$WORK/append"

BUSY_BEFORE=$(busy_pct)
pick_ports 1
mkdir -p "$WORK/redis" "$WORK/log"
start_bg "$WORK/redis/out.log" redis-server --bind 127.0.0.1 --port "$BASE" --dir "$WORK/redis" \
    --appendonly yes --appendfsync everysec --save '' --protected-mode yes
for _ in $(seq 1 50); do redis-cli -p "$BASE" ping >/dev/null 2>&1 && break; sleep 0.1; done
REDIS_VERSION=$(redis-server --version | awk '{print $3}' | sed 's/v=//')

bytes=$("$WORK/append" --path "$WORK/log/probe.db" --clients 1 --records 1 --batch 1 | tr ' ' '\n' | awk -F= '$1=="event_bytes"{print $2}')
VALUE=$(head -c "$bytes" /dev/zero | tr '\0' 'x')

redis_rate() {  # clients pipeline records -> XADDs per second
    redis-cli -p "$BASE" del bench >/dev/null
    redis-benchmark -p "$BASE" -c "$1" -P "$2" -n "$3" -q --csv XADD bench '*' event "$VALUE" 2>/dev/null |
        tail -1 | awk -F'","' '{gsub(/"/, "", $2); print $2}'
}
log_rate() {  # clients batch records -> appends per second
    rm -f "$WORK/log/events.db"*
    "$WORK/append" --path "$WORK/log/events.db" --clients "$1" --records "$3" --batch "$2" |
        tr ' ' '\n' | awk -F= '$1=="appends_per_s"{print $2}'
}

declare -A R
for c in "${CLIENTS[@]}"; do
    R[log,1,$c]=$(log_rate "$c" 1 "$SINGLE_RECORDS")
    R[redis,1,$c]=$(redis_rate "$c" 1 $((SINGLE_RECORDS * 10)))
    R[log,$BATCH,$c]=$(log_rate "$c" "$BATCH" "$BATCH_RECORDS")
    R[redis,$BATCH,$c]=$(redis_rate "$c" "$BATCH" $((BATCH_RECORDS * 4)))
    echo "c$c: log ${R[log,1,$c]}/s vs redis ${R[redis,1,$c]}/s one at a time; batches of $BATCH: log ${R[log,$BATCH,$c]}/s vs redis ${R[redis,$BATCH,$c]}/s"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }
{
    echo
    echo "### event_log_vs_redis — appends of ${bytes}-byte records, embedded log (synchronous=FULL) vs Redis $REDIS_VERSION XADD (AOF everysec)"
    echo "$(machine_note)"
    echo
    echo "| clients | log, 1 per append /s | redis -P 1 /s | ratio | log, $BATCH per append /s | redis -P $BATCH /s | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for c in "${CLIENTS[@]}"; do
        echo "| $c | ${R[log,1,$c]} | ${R[redis,1,$c]} | $(ratio "${R[log,1,$c]}" "${R[redis,1,$c]}") | ${R[log,$BATCH,$c]} | ${R[redis,$BATCH,$c]} | $(ratio "${R[log,$BATCH,$c]}" "${R[redis,$BATCH,$c]}") |"
    done
    echo
    echo "budget: ≥ 0.5× Redis at the same client concurrency. Every log append returned only after fdatasync; Redis acknowledged before its once-a-second fsync."
} | summary
