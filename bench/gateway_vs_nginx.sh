#!/usr/bin/env bash
# Gateway vs nginx: the same upstream (`reservo serve vaccine/mypage`, GET /myPages) hit
#   (a) directly, (b) through `reservo serve vaccine/gateway`, (c) through nginx proxy_pass with
#   a keep-alive upstream block (one worker: the gateway is one thread too).
# Throughput: wrk -t1 -c32, ROUNDS interleaved rounds of DURATION each, best round per target.
# Per-hop latency: wrk -t1 -c1 (one request at a time), median minus the direct median.
# Servers are pinned to CPU 0 and wrk to CPU 1 (BENCH_PIN=0 turns pinning off).
#
# Multi-core mode, WORKERS=N (e.g. 2): N upstream replicas and N gateway processes share their
# ports (SO_REUSEPORT, as `reservo scale vaccine/gateway N` runs them: one event loop per process,
# the kernel spreads connections), nginx runs N workers, wrk N threads; nothing is pinned.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk nginx taskset ss

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-2}
LAT_DURATION=${LAT_DURATION:-5}
CONNS=${CONNS:-32}
WORKERS=${WORKERS:-1}
if [ "${BENCH_QUICK:-0}" = "1" ]; then DURATION=2; ROUNDS=1; LAT_DURATION=2; fi

SRV=() CLI=()
if [ "${BENCH_PIN:-1}" = "1" ] && [ "$(nproc)" -ge 2 ] && [ "$WORKERS" = 1 ]; then SRV=(taskset -c 0) CLI=(taskset -c 1); fi

BUSY_BEFORE=$(busy_pct)
pick_ports 3
UP=$BASE GW=$((BASE + 1)) NG=$((BASE + 2))
mkdir -p "$WORK/data" "$WORK/nginx"

for i in $(seq 1 "$WORKERS"); do  # replicas of one port: SO_REUSEPORT
    start_bg "$WORK/mypage$i.log" "${SRV[@]}" "$BIN" serve vaccine/mypage --port "$UP" --data "$WORK/data"
    [ "$i" = 1 ] && wait_ok "http://127.0.0.1:$UP/actuator/health/readiness"  # the first one creates the store
done
for i in $(seq 1 "$WORKERS"); do
    RESERVO_SERVICES_MYPAGE_URL=http://127.0.0.1:$UP RESERVO_LOGGING_ACCESS=false \
        start_bg "$WORK/gateway$i.log" "${SRV[@]}" "$BIN" serve vaccine/gateway --port "$GW" --data "$WORK/data"
done

chmod 755 "$WORK" "$WORK/nginx"  # nginx workers drop to nobody when started as root
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream mypage {
        server 127.0.0.1:$UP;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NG;
        location / {
            proxy_pass http://mypage;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
        }
    }
}
EOF
start_bg "$WORK/nginx/stdout.log" "${SRV[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;'

wait_ok "http://127.0.0.1:$UP/actuator/health/readiness"
wait_ok "http://127.0.0.1:$GW/actuator/health/readiness"
wait_ok "http://127.0.0.1:$NG/myPages"

declare -A URL=([direct]="http://127.0.0.1:$UP/myPages" [gateway]="http://127.0.0.1:$GW/myPages"
                [nginx]="http://127.0.0.1:$NG/myPages")
TARGETS=(direct gateway nginx)

run_wrk() {  # conns secs url -> RESULT line
    timeout $(($2 + 30)) "${CLI[@]}" wrk -t"$(($1 < WORKERS ? 1 : WORKERS))" -c"$1" -d"$2"s --timeout 5s -s "$BENCH_DIR/report.lua" "$3" |
        grep '^RESULT'
}

echo "warm-up..."
for t in "${TARGETS[@]}"; do run_wrk 8 1 "${URL[$t]}" >/dev/null; done

declare -A BEST
for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do
        line=$(run_wrk "$CONNS" "$DURATION" "${URL[$t]}")
        echo "round $r $t c$CONNS: $line"
        if [ -z "${BEST[$t]:-}" ] || awk -v a="$(field "$line" rps)" -v b="$(field "${BEST[$t]}" rps)" 'BEGIN{exit !(a>b)}'; then
            BEST[$t]=$line
        fi
    done
done
declare -A LAT
for t in "${TARGETS[@]}"; do
    LAT[$t]=$(run_wrk 1 "$LAT_DURATION" "${URL[$t]}")
    echo "$t c1: ${LAT[$t]}"
done

for t in "${TARGETS[@]}"; do
    errs=$(( $(field "${BEST[$t]}" non2xx) + $(field "${BEST[$t]}" connect_err) + $(field "${BEST[$t]}" read_err) + $(field "${BEST[$t]}" timeout_err) ))
    [ "$errs" = 0 ] || echo "WARNING: $t had $errs errors/non-2xx" >&2
done

ratio=$(awk -v g="$(field "${BEST[gateway]}" rps)" -v n="$(field "${BEST[nginx]}" rps)" 'BEGIN{printf "%.2f", g/n}')
d50=$(field "${LAT[direct]}" p50_us)
{
    echo
    echo "### gateway_vs_nginx — GET /myPages (mypage upstream), $WORKERS worker(s) each, wrk -t$WORKERS -c$CONNS, best of $ROUNDS×${DURATION}s; c1 ${LAT_DURATION}s"
    echo "$(machine_note); pinning: ${SRV[*]:-none} servers / ${CLI[*]:-none} wrk"
    echo
    echo "| path | req/s (c$CONNS) | p50 ms | p99 ms | p50 ms (c1) | p99 ms (c1) | added p50 per hop (c1) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}"; do
        br=${BEST[$t]} lr=${LAT[$t]}
        added="—"
        [ "$t" = direct ] || added="$(( $(field "$lr" p50_us) - d50 )) µs"
        echo "| $t | $(field "$br" rps) | $(us_to_ms "$(field "$br" p50_us)") | $(us_to_ms "$(field "$br" p99_us)") | $(us_to_ms "$(field "$lr" p50_us)") | $(us_to_ms "$(field "$lr" p99_us)") | $added |"
    done
    echo
    echo "gateway/nginx throughput ratio: **$ratio** (budget ≥ 1.00); gateway added p50 per hop: **$(( $(field "${LAT[gateway]}" p50_us) - d50 )) µs** (budget ≤ 50 µs)"
} | summary
