#!/usr/bin/env bash
# Installs every Debian 12 package Reservo builds, tests and benchmarks with.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-context1.81-dev
  libsqlite3-dev sqlite3 libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # beyond one machine: Kafka (librdkafka, its mock cluster for tests; kcat reads topics back)
  # and PostgreSQL (libpq; the server for `reservo up --engines postgres` and the tests)
  librdkafka-dev kcat libpq-dev postgresql-15
  # gRPC beside REST (hotel's payment API, systems/hotel/payment/payment.proto)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  clang-format
  # scripts/fuzz.sh: libFuzzer targets need clang 16 (clang 14 cannot compile libstdc++ 12's <expected>)
  clang-16 libclang-rt-16-dev
)
TOOL_PKGS=(curl httpie procps psmisc
  # deploy/: promtool checks the alert rules; python3-yaml reads the rendered manifests;
  # docker-compose (no engine needed) checks deploy/compose.yaml
  prometheus python3 python3-yaml docker-compose)
BENCH_PKGS=(wrk hey siege nginx-light redis-server python3 iproute2 util-linux)
# tests/browser: the web console's test drives Debian's chromium with playwright-core from npm
# (never a downloaded browser); any Node.js >= 18 will do, Debian's included.
BROWSER_PKGS=(chromium)
command -v node >/dev/null 2>&1 || BROWSER_PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || BROWSER_PKGS+=(npm)

want=("${BUILD_PKGS[@]}" "${TOOL_PKGS[@]}" "${BROWSER_PKGS[@]}")
if [ "${RESERVO_BENCH:-0}" = "1" ]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# `kubectl kustomize` renders deploy/k8s; any kubectl will do (Debian's is kubernetes-client).
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core as tests/browser/package-lock.json pins it; again only when the lock changed.
browser_tests="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
if ! cmp -s "$browser_tests/package-lock.json" "$browser_tests/node_modules/.reservo-installed-lock"; then
  (cd "$browser_tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  cp "$browser_tests/package-lock.json" "$browser_tests/node_modules/.reservo-installed-lock"
fi
