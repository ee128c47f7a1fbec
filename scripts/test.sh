#!/usr/bin/env bash
# Runs every test: installs what is needed, builds, checks format, then ctest (unit tests
# beside the code and end-to-end tests that start real `reservo` processes on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
./scripts/check-format.sh
ctest --preset release "$@"
