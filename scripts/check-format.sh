#!/usr/bin/env bash
# Fails when a tracked C++ file disagrees with .clang-format (STYLE.md rule 1).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find kit edge systems cli tests -name '*.[ch]pp')
[ "${#files[@]}" -gt 0 ] || exit 0
clang-format --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files clean"
