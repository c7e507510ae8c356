#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. core + server unit tests (doctest, through ctest), natively and under ASan/UBSan
#   2. SDK and CLI tests (node:test)
#   3. end-to-end tests in headless Chromium (playwright-core) against the demo shop
# Options: --no-asan (skip the sanitizer build), --only unit|node|e2e
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

asan=1; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-asan) asan=0 ;;
    --only) only="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option $1 (valid: --no-asan, --only unit|node|e2e)" >&2; exit 2 ;;
  esac
  shift
done

./scripts/setup.sh
if [ "$asan" = 1 ] && [ -z "$only" -o "$only" = unit ]; then ./scripts/build.sh --asan; else ./scripts/build.sh; fi

failed=0
run() { printf '\n== %s\n' "$1"; shift; "$@" || failed=1; }

if [ -z "$only" ] || [ "$only" = unit ]; then
  run "core + server unit tests (native)" ctest --preset native
  [ "$asan" = 1 ] && run "core + server unit tests (ASan/UBSan)" ctest --preset asan
fi
if [ -z "$only" ] || [ "$only" = node ]; then
  run "SDK and CLI tests (node:test)" node --test tests/sdk/
fi
if [ -z "$only" ] || [ "$only" = e2e ]; then
  run "end-to-end in headless Chromium" node --test --test-concurrency=1 tests/e2e/
fi

if [ "$failed" = 0 ]; then echo; echo "test.sh: all suites passed"; else echo; echo "test.sh: some suites FAILED" >&2; fi
exit "$failed"
