#!/usr/bin/env bash
# The seed's circuit-breaker experiment (seed 000, "7. Circuit Breaker"): siege, 100 concurrent
# users for 60 s, POST /reservations through the gateway while vaccine-mgmt is slowed to
# 400–620 ms (fault injection) and reservation's call timeout is 600 ms (system.yaml).
# The seed (Spring + Feign + Hystrix) measured 17.94 transactions/s at 78.92 % availability.
#
# siege runs with its stock behaviour (no delay, `connection = close`) from a private siegerc;
# the one change is `failures = 1000000`: siege's default aborts the run after 1024 failed
# transactions, which a fast-failing service reaches in about a second.
# Breakdown: reservation's /metrics before/after (201s, 503s, calls refused at once by the open
# circuit or a full bulkhead, calls that timed out), the circuit state sampled every 250 ms, and
# probe.py sample: one request every 100 ms on a fresh connection, recording the status, its time
# and Retry-After. After the run: whether a dose leaked (doses taken = reservations stored), and,
# breaker on, how fast the circuit opens on a hung vaccine-mgmt under the same users, how fast an
# open circuit answers (vaccine-mgmt erroring), and how fast it closes once healed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need siege ss

SECONDS_RUN=${SECONDS_RUN:-60}
USERS=${USERS:-100}
if [ "${BENCH_QUICK:-0}" = "1" ]; then SECONDS_RUN=10; fi
SEED_TPS=17.94 SEED_AVAIL=78.92
# CB_OFF=1: the control run — the breaker can never open (no call counts as slow, and only a
# window of 100 % failures would open it) and no call is retried (unless RETRY=1), so every
# failure is a 600 ms timeout.
# RETRY=0|1: whether reservation retries a failed dose taking once (system.yaml: yes).
# FAULT_PER=idempotencyKey (default) | request: how vaccine-mgmt's injected delay is drawn.
#   idempotencyKey: the delay stands for the work a key names (the seed's sleep is in persisting
#   new work): a retry of a taking still in flight waits for that same taking, one after it is
#   done is not delayed again; every first attempt pays a full 400–620 ms.
#   request: every request, a retry too, pays a fresh 400–620 ms (the experiment before #10).
BREAKER="circuit breaker as in system.yaml"
if [ "${CB_OFF:-0}" = "1" ]; then
    export RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_SLOW_CALL_DURATION_MS=600000
    export RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD=100
    BREAKER="CONTROL RUN: circuit breaker disabled (CB_OFF=1)"
fi
RETRY=${RETRY:-$([ "${CB_OFF:-0}" = "1" ] && echo 0 || echo 1)}
if [ "$RETRY" = "0" ]; then
    export RESERVO_SERVICES_RESERVATION_DEPENDENCIES_VACCINE_MGMT_RETRY_MAX_ATTEMPTS=1
    BREAKER="$BREAKER, no retry"
else
    BREAKER="$BREAKER, one retry (system.yaml)"
fi
FAULT_PER=${FAULT_PER:-idempotencyKey}
BREAKER="$BREAKER, delay per $FAULT_PER"

BUSY_BEFORE=$(busy_pct)
pick_ports 5
GW=http://127.0.0.1:$BASE MGMT=http://127.0.0.1:$((BASE + 1)) RES=http://127.0.0.1:$((BASE + 2))
RESERVO_FAULTS=1 RESERVO_LOGGING_ACCESS=false up_system "$WORK/data" "$BASE"
VID=$(register_lot "$GW" 1000000)
timeout_ms=$(awk '/^ *vaccine-mgmt:$/{f=1} f && /timeout-ms:/{print $2; exit}' "$REPO_DIR/systems/vaccine/system.yaml")

cat >"$WORK/siegerc" <<'EOF'
verbose = false
color = off
quiet = false
json_output = true
show-logfile = false
logging = false
protocol = HTTP/1.1
chunked = true
cache = false
connection = close
delay = 0.0
internet = false
benchmark = false
parser = false
failures = 1000000
EOF

metric() {  # metric BASE_URL REGEX : sum of the matching samples
    curl -sf --max-time 5 "$1/metrics" | grep -v '^#' | grep -E "$2" | awk '{s += $NF} END {printf "%d", s}'
}
snap() {  # -> "201 503 other rejected failures calls"
    local m
    m=$(curl -sf --max-time 5 "$RES/metrics" | grep -v '^#')
    local req='^http_server_requests_seconds_count\{method="POST",outcome="[A-Z_]+",status='
    echo "$(grep -E "${req}\"201\",uri=\"/reservations\"" <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -E "${req}\"503\",uri=\"/reservations\"" <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -E "${req}\"[^25][0-9]*\",uri=\"/reservations\"" <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -E '^(resilience4j_circuitbreaker_not_permitted_calls_total|reservo_bulkhead_rejected_calls_total)\{.*name="vaccine-mgmt"' <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -E '^resilience4j_circuitbreaker_calls_seconds_count\{kind="(failed|ignored)",name="vaccine-mgmt"' <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -E '^http_client_requests_seconds_count\{client_name="vaccine-mgmt"' <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')"
}

curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' \
    -d "{\"latencyMs\":[400,620],\"latencyPer\":\"$FAULT_PER\"}" "$MGMT/actuator/faults" >/dev/null
echo "vaccine-mgmt slowed to 400–620 ms (per $FAULT_PER); siege -c $USERS -t ${SECONDS_RUN}S through $GW"
read -r b201 b503 bother brej bfail bcalls <<<"$(snap)"
gsnap() {  # what the gateway answered on POST /reservations: "2xx non2xx"
    local m
    m=$(curl -sf --max-time 5 "$GW/metrics" | grep -E '^http_server_requests_seconds_count\{method="POST",.*uri="/reservations')
    echo "$(grep -E 'status="2' <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')" \
         "$(grep -vE 'status="2' <<<"$m" | awk '{s+=$NF} END{printf "%d", s}')"
}
read -r g2xx gnon <<<"$(gsnap)"
siege_t0=$(date +%s%N)

# The circuit's state as a number: 0 closed, 1 open, 2 half-open (one series per state, 1 = current).
STATE_CODE='/^resilience4j_circuitbreaker_state\{name="vaccine-mgmt",state="(closed|open|half_open)"\} 1$/ {
    print ($0 ~ /"closed"/ ? 0 : ($0 ~ /"half_open"/ ? 2 : 1)) }'

# circuit state sampler (bounded: at most 4 per second for the run's length)
(
    for _ in $(seq 1 $((SECONDS_RUN * 4))); do
        curl -s --max-time 1 "$RES/metrics" | awk "$STATE_CODE"
        sleep 0.25
    done
) >"$WORK/states.txt" 2>/dev/null &
BG_PIDS+=($!)
states_pid=$!
timeout $((SECONDS_RUN + 20)) "$PY" "$BENCH_DIR/probe.py" sample --url "$GW" --vaccine "$VID" \
    --duration-s $((SECONDS_RUN - 2)) --interval-ms 100 --fast-ms 50 --out "$WORK/sample.txt" >"$WORK/sample_result.txt" &
BG_PIDS+=($!)
sample_pid=$!

siege -R "$WORK/siegerc" -c "$USERS" -t "${SECONDS_RUN}S" --content-type "application/json" \
    "$GW/reservations POST {\"userId\":1,\"vaccineId\":$VID}" >"$WORK/siege.json" 2>"$WORK/siege.err" &
siege_pid=$!
BG_PIDS+=("$siege_pid")
# siege 4.0.x sometimes hangs on a futex after printing its summary (JoeDog/siege#4): wait for
# the summary (it comes within a second or two of the end; give up 15 s after), give it a
# second to exit, then kill it.
for _ in $(seq 1 $(((SECONDS_RUN + 15) * 5))); do
    kill -0 "$siege_pid" 2>/dev/null || break
    grep -q '^}' "$WORK/siege.json" 2>/dev/null && { sleep 1; break; }
    sleep 0.2
done
SIEGE_HUNG=0
if kill -0 "$siege_pid" 2>/dev/null; then
    SIEGE_HUNG=1
    echo "siege did not exit after its run (known siege 4.0.x hang, JoeDog/siege#4): killed" >&2
    kill -KILL "$siege_pid" 2>/dev/null || true
fi
wait "$siege_pid" 2>/dev/null || true
siege_s=$(awk -v n=$(( $(date +%s%N) - siege_t0 )) 'BEGIN{printf "%.2f", n/1e9}')
read -r h2xx hnon <<<"$(gsnap)"
wait "$sample_pid" || true
wait "$states_pid" 2>/dev/null || true
read -r a201 a503 aother arej afail acalls <<<"$(snap)"
OPEN_GW="" cb_state="" HUNG=""
if [ "${CB_OFF:-0}" != "1" ]; then
    # A hung dependency under the same 100 users: how long until the circuit opens, and what the
    # users get meanwhile. vaccine-mgmt holds every request for 60 s (its deadline, 5 s, first).
    curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' -d '{"latencyMs":[60000,60000]}' \
        "$MGMT/actuator/faults" >/dev/null
    hung_t0=$(date +%s%N) open_after_ms=""
    ( seq 1 400 | xargs -P "$USERS" -I{} curl -s -o /dev/null --max-time 8 -w '%{http_code} %{time_total}\n' \
        -X POST -H 'Content-Type: application/json' -d "{\"userId\":1,\"vaccineId\":$VID}" "$GW/reservations" \
        >"$WORK/hung.txt" 2>/dev/null ) &
    hung_pid=$!
    BG_PIDS+=("$hung_pid")
    for _ in $(seq 1 100); do
        if [ "$(curl -s --max-time 1 "$RES/metrics" | awk "$STATE_CODE")" = "1" ]; then
            open_after_ms=$((($(date +%s%N) - hung_t0) / 1000000))
            break
        fi
        sleep 0.02
    done
    wait "$hung_pid" || true
    HUNG=$(awk '{n++; if ($1 == 503) s++; if ($1 == 503 && $2 < 0.1) f++; if ($1 == 201) ok++}
        END {printf "requests=%d s503=%d s503_fast=%d ok=%d", n, s, f, ok}' "$WORK/hung.txt")
    echo "hung: circuit open after ${open_after_ms:-never} ms; $HUNG"
    # How fast does an open circuit answer on an otherwise idle machine? Make vaccine-mgmt fail every
    # call at once (errorRate 1: the circuit opens after minimum-calls and every half-open probe fails
    # fast, so it stays open), then time 503s one at a time for 2 s through the gateway and 2 s on
    # reservation's own port.
    curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' -d '{"errorRate":1.0}' "$MGMT/actuator/faults" >/dev/null
    for _ in $(seq 1 15); do
        curl -s -o /dev/null --max-time 2 -X POST -H 'Content-Type: application/json' \
            -d "{\"userId\":1,\"vaccineId\":$VID}" "$RES/reservations" || true
    done
    cb_state=$(curl -sf --max-time 5 "$RES/metrics" | awk "$STATE_CODE")
    OPEN_GW=$(timeout 30 "$PY" "$BENCH_DIR/probe.py" sample --url "$GW" --vaccine "$VID" --duration-s 2 --interval-ms 10 \
        --fast-ms 50 | grep '^RESULT' || echo "RESULT samples=0")
    OPEN_RES=$(timeout 30 "$PY" "$BENCH_DIR/probe.py" sample --url "$RES" --vaccine "$VID" --duration-s 2 --interval-ms 10 \
        --fast-ms 50 | grep '^RESULT' || echo "RESULT samples=0")
    # the same on a keep-alive connection (wrk -c1, 2 s each): no connection set-up in the figure
    open_wrk() {
        VACCINE_ID=$VID timeout 30 wrk -t1 -c1 -d2s -s "$BENCH_DIR/reserve.lua" "$1" | grep '^RESULT' || echo "RESULT requests=0"
    }
    OPEN_GW_KA=$(open_wrk "$GW")
    OPEN_RES_KA=$(open_wrk "$RES")
    echo "open circuit keep-alive via gateway: $OPEN_GW_KA"
    echo "open circuit keep-alive via reservation: $OPEN_RES_KA"
    echo "open circuit (state $cb_state) via gateway: $OPEN_GW"
    echo "open circuit via reservation: $OPEN_RES"
    # Healed: the circuit closes after its open wait and a half-open trial.
    curl -sf --max-time 5 -X DELETE "$MGMT/actuator/faults" >/dev/null
    healed_t0=$(date +%s%N) closed_after_ms=""
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 2 -X POST -H 'Content-Type: application/json' \
            -d "{\"userId\":1,\"vaccineId\":$VID}" "$GW/reservations" || true
        if [ "$(curl -s --max-time 1 "$RES/metrics" | awk "$STATE_CODE")" = "0" ]; then
            closed_after_ms=$((($(date +%s%N) - healed_t0) / 1000000))
            break
        fi
        sleep 0.05
    done
    echo "healed: circuit closed after ${closed_after_ms:-never} ms"
fi

# No dose leaked: once vaccine-mgmt has applied every ReservationAborted, the doses taken from the
# lot are the reservations stored (every reservation of this run is of this lot).
curl -sf --max-time 5 -X DELETE "$MGMT/actuator/faults" >/dev/null || true
doses_taken="?" stored="?"
for _ in $(seq 1 60); do
    qty=$(curl -sf --max-time 5 "$GW/vaccineMgmts/$VID" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["qty"])') || qty=""
    stored=$(curl -sf --max-time 5 "$GW/reservations?size=1" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["page"]["totalElements"])') || stored="?"
    [ -n "$qty" ] && doses_taken=$((1000000 - qty))
    [ "$doses_taken" = "$stored" ] && break
    sleep 0.5
done
LEAK=$([ "$doses_taken" = "$stored" ] && echo "none" || echo "MISMATCH")
echo "doses taken $doses_taken, reservations stored $stored: leak $LEAK"

SOURCE="siege's own numbers"
if ! S=$("$PY" -c 'import json,sys
t=open(sys.argv[1]).read(); j=json.loads(t[t.index("{"):t.rindex("}")+1])
print(" ".join(f"{k}={j[k]}" for k in ("transactions","availability","elapsed_time","response_time","transaction_rate","concurrency","successful_transactions","failed_transactions","longest_transaction","shortest_transaction")))' "$WORK/siege.json" 2>/dev/null); then
    # siege hung before its summary: report what the gateway answered during the run instead.
    ok=$((h2xx - g2xx)) bad=$((hnon - gnon))
    SOURCE="siege hung before its summary; the gateway's counters, per ${SECONDS_RUN} s, sampler included"
    S="transactions=$ok successful_transactions=$ok failed_transactions=$bad response_time=? longest_transaction=? $(
        awk -v o=$ok -v b=$bad -v t="$SECONDS_RUN" 'BEGIN{printf "transaction_rate=%.2f availability=%.2f", o/t, (o+b) ? 100*o/(o+b) : 0}')"
fi
echo "siege: $S"
SAMPLE=$(grep '^RESULT' "$WORK/sample_result.txt" || echo "RESULT samples=0")
echo "sample: $SAMPLE"

n201=$((a201 - b201)) n503=$((a503 - b503)) nother=$((aother - bother))
nrej=$((arej - brej)) nfail=$((afail - bfail)) ncalls=$((acalls - bcalls))
open_pct=$(awk '{n++; if ($1 == 1) o++} END {printf "%.0f", n ? 100 * o / n : 0}' "$WORK/states.txt")
half_pct=$(awk '{n++; if ($1 == 2) o++} END {printf "%.0f", n ? 100 * o / n : 0}' "$WORK/states.txt")
tps=$(field "$S" transaction_rate) avail=$(field "$S" availability)
{
    echo
    echo "### circuit_breaker — the seed's experiment: siege -c $USERS -t ${SECONDS_RUN}S POST /reservations via the gateway, vaccine-mgmt slowed to 400–620 ms, call timeout ${timeout_ms:-600} ms; $BREAKER"
    echo "$(machine_note)"
    echo
    echo "| | transactions/s | availability % | successful | failed | avg response s | longest s |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "| seed (Spring + Hystrix) | $SEED_TPS | $SEED_AVAIL | | | | |"
    echo "| reservo ($SOURCE) | $tps | $avail | $(field "$S" successful_transactions) | $(field "$S" failed_transactions) | $(field "$S" response_time) | $(field "$S" longest_transaction) |"
    echo
    echo "throughput vs seed: **$(awk -v a="$tps" -v b="$SEED_TPS" 'BEGIN{printf "%.1f", a/b}')×** (budget ≥ 10×); availability **$avail %** (budget ≥ 95 %)"
    echo
    echo "Server-side breakdown (reservation /metrics over the run): $n201 × 201, $n503 × 503, $nother × other;"
    echo "of the 503s, **$nrej refused at once** (open circuit or full bulkhead) and $nfail calls to vaccine-mgmt failed"
    echo "or timed out (${ncalls} calls went out). Circuit sampled OPEN ${open_pct}% / HALF_OPEN ${half_pct}% of the time."
    echo
    [ "$SIEGE_HUNG" = 1 ] && echo "(siege did not exit ${siege_s} s after its start and was killed: the siege 4.0.x hang, JoeDog/siege#4)" && echo
    echo "Client sample ($(field "$SAMPLE" samples) requests, one per 100 ms, new connection each): $(field "$SAMPLE" ok) × 2xx, $(field "$SAMPLE" s503) × 503"
    echo "($(field "$SAMPLE" s503_with_retry_after) with Retry-After, $(field "$SAMPLE" s503_fast) answered in ≤ 50 ms; 503 p50 $(field "$SAMPLE" s503_p50_ms) ms, p99 $(field "$SAMPLE" s503_p99_ms) ms), other codes: $(field "$SAMPLE" other_codes); 2xx p50 $(field "$SAMPLE" ok_p50_ms) ms, p99 $(field "$SAMPLE" ok_p99_ms) ms."
    echo
    echo "Doses taken from the lot $doses_taken, reservations stored $stored (after the consumers settled): leaked **$LEAK**."
    echo
    if [ -n "$HUNG" ]; then
        echo "Hung vaccine-mgmt (after the run: every request held 60 s; 400 requests, $USERS at a time, curl via the gateway):"
        echo "circuit OPEN **${open_after_ms:-never} ms** after the fault; $(field "$HUNG" requests) requests: $(field "$HUNG" s503) × 503 ($(field "$HUNG" s503_fast) in < 0.1 s), $(field "$HUNG" ok) × 201."
        echo "Healed (fault removed after the open-circuit timings below): circuit CLOSED again after ${closed_after_ms:-never} ms (open wait 2 s + half-open trial)."
        echo
    fi
    if [ -n "$OPEN_GW" ]; then
        echo "Open circuit on an idle machine (after the run, vaccine-mgmt failing every call; circuit state $cb_state; one request at a time, new connection each, Python client):"
        echo "through the gateway $(field "$OPEN_GW" s503) × 503 ($(field "$OPEN_GW" s503_with_retry_after) with Retry-After), p50 **$(field "$OPEN_GW" s503_p50_ms) ms**, p99 $(field "$OPEN_GW" s503_p99_ms) ms;"
        echo "on reservation's port $(field "$OPEN_RES" s503) × 503, p50 **$(field "$OPEN_RES" s503_p50_ms) ms**, p99 $(field "$OPEN_RES" s503_p99_ms) ms."
        echo "Keep-alive (wrk -c1, 2 s): through the gateway $(field "$OPEN_GW_KA" requests) requests ($(field "$OPEN_GW_KA" non2xx) non-2xx), p50 **$(us_to_ms "$(field "$OPEN_GW_KA" p50_us)") ms**, p99 $(us_to_ms "$(field "$OPEN_GW_KA" p99_us)") ms;"
        echo "on reservation's port $(field "$OPEN_RES_KA" requests) requests ($(field "$OPEN_RES_KA" non2xx) non-2xx), p50 **$(us_to_ms "$(field "$OPEN_RES_KA" p50_us)") ms**, p99 $(us_to_ms "$(field "$OPEN_RES_KA" p99_us)") ms (budget: an open circuit answers in ≤ 1 ms)."
    fi
} | summary
