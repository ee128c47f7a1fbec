#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/ with clang (apart from the gcc build) and runs each for a
# fixed time over a scratch copy of its committed seed corpus, so the repository is never modified.
# Assertions stay on (no NDEBUG). Exits non-zero when a target crashes, leaks, times out or runs out
# of memory; the input that did it is kept in build/fuzz/artifacts/ (replay it:
# build/fuzz/<target>_fuzz build/fuzz/artifacts/<file>).
#
#   ./scripts/fuzz.sh                    # every target, 30 s each
#   FUZZ_SECONDS=300 ./scripts/fuzz.sh http_request
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
cxx="${FUZZ_CXX:-clang++-16}"
build=build/fuzz
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(http_request json_mapping jwt_token)

command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/%/_fuzz}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/artifacts"
failed=()
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/${t%%_*}"
  mkdir -p "$scratch/$t"
  cp "$corpus"/* "$scratch/$t/"
  echo "fuzz: $t for ${seconds}s over $(ls "$corpus" | wc -l) seeds"
  if ! "$build/${t}_fuzz" "$scratch/$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/${t}-" -print_final_stats=1 >"$scratch/$t.log" 2>&1; then
    failed+=("$t")
    tail -n 60 "$scratch/$t.log" >&2
  else
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" "$scratch/$t.log" | tr '\n' ' '
    echo
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
