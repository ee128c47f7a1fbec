#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: install, build, and run the vaccine system on
# embedded defaults (SQLite + embedded event log under ./data). Gateway: http://localhost:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec ./build/release/reservo up "${@:-vaccine}"
