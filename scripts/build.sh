#!/usr/bin/env bash
# Builds everything: native core + unit tests + escalation server, the wasm core, and the JS SDK.
# Prints the size (raw and gzip) of every shipped file at the end.
#   ./scripts/build.sh            all of it
#   ./scripts/build.sh --asan     also the AddressSanitizer/UBSan build of the native tree
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten tools look for their Node modules here

asan=0
for a in "$@"; do
  case "$a" in
    --asan) asan=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option $a (valid: --asan, --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }

step "native (core, tests, server)"
[ -f build/native/CMakeCache.txt ] || cmake --preset native >/dev/null
cmake --build --preset native

if [ "$asan" = 1 ]; then
  step "native with ASan/UBSan"
  [ -f build/asan/CMakeCache.txt ] || cmake --preset asan >/dev/null
  cmake --build --preset asan
fi

step "wasm (core + Embind bindings)"
[ -f build/wasm/CMakeCache.txt ] || cmake --preset wasm >/dev/null
cmake --build --preset wasm

step "sdk-js (loader, widget, worker, CLI)"
(cd sdk-js && npm run --silent build)

step "sizes of shipped files"
printf '%-44s %10s %10s\n' file bytes gzip
for f in sdk-js/dist/*.js sdk-js/dist/*.mjs sdk-js/dist/*.wasm sdk-js/dist/models/*/*.bin build/native/server/kefu-server; do
  [ -f "$f" ] || continue
  printf '%-44s %10d %10d\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
