#!/usr/bin/env bash
# Runs every benchmark of bench/ once (about 5 minutes) and prints one markdown summary.
#   bench/run_all.sh               all of them
#   bench/run_all.sh reservations  only the named ones (startup_rss idle gateway_vs_nginx reservations
#                                  circuit_breaker circuit_breaker_off event_log_vs_redis)
# Needs: build/release/reservo (+ reservo_bench_event_log), wrk, hey, siege, nginx, redis-server, curl, python3, taskset, ss
# (scripts/install-deps.sh with RESERVO_BENCH=1). Loopback only; every process is stopped at exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# circuit_breaker_off: the same experiment for 30 s with the breaker disabled (the control run)
ALL=(startup_rss idle gateway_vs_nginx reservations circuit_breaker circuit_breaker_off event_log_vs_redis)
WHICH=("$@")
[ ${#WHICH[@]} -gt 0 ] || WHICH=("${ALL[@]}")

export BENCH_SUMMARY
BENCH_SUMMARY=$(mktemp /tmp/reservo-bench-summary.XXXXXX.md)
trap 'rm -f "$BENCH_SUMMARY"' EXIT
{
    echo "# Reservo benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "$(nproc) cores · $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo) · $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) · $(uname -r) · commit $(git -C "$BENCH_DIR/.." rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_DIR/.." diff --quiet 2>/dev/null || echo ' (dirty)')"
} >"$BENCH_SUMMARY"

start=$(date +%s)
failed=()
for b in "${WHICH[@]}"; do
    cmd=("$BENCH_DIR/$b.sh")
    [ "$b" = circuit_breaker_off ] && cmd=(env CB_OFF=1 SECONDS_RUN="${CB_OFF_SECONDS:-30}" "$BENCH_DIR/circuit_breaker.sh")
    [ -x "${cmd[-1]}" ] || { echo "no benchmark $b" >&2; exit 2; }
    echo "=== $b ($(($(date +%s) - start)) s elapsed)"
    if ! timeout 300 "${cmd[@]}"; then
        failed+=("$b")
        echo "=== $b FAILED" >&2
        printf '\n### %s — FAILED (see its output above)\n' "$b" >>"$BENCH_SUMMARY"
    fi
done

echo
echo "================================ summary ($(($(date +%s) - start)) s) ================================"
cat "$BENCH_SUMMARY"
[ ${#failed[@]} -eq 0 ] || { echo; echo "failed: ${failed[*]}"; exit 1; }
