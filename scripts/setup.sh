#!/usr/bin/env bash
# Installs everything Kefu needs to build, test and run the demo. Idempotent: a second run
# installs nothing and takes a few seconds. Sources: Debian packages (apt) and the npm registry
# (pinned by sdk-js/package-lock.json). Nothing else is downloaded.
#   ./scripts/setup.sh           build, test and demo (what CI runs)
#   ./scripts/setup.sh --train   also what scripts/train/mt/ needs to prepare data and train
set -euo pipefail
train=0
for arg in "$@"; do
  case "$arg" in
    --train) train=1 ;;
    *) echo "usage: $0 [--train]" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates xz-utils
  emscripten binaryen                  # wasm toolchain (Debian's emcc 3.1.6)
  nlohmann-json3-dev doctest-dev       # JSON and unit tests for the core
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev   # the escalation server
  libsqlite3-dev sqlite3               # storage (the tests query the DB with sqlite3)
  libsentencepiece-dev                 # native sentencepiece (the wasm build compiles its source)
  chromium chromium-driver             # end-to-end tests (driven by playwright-core)
  libcld2-dev fasttext                 # benchmark peers: CLD2 language id, fastText intents
)
if [ "$train" = 1 ]; then
  APT_PACKAGES+=(
    sentencepiece python3-sentencepiece  # spm_train (train_spm.py); the Python API (train_mt.py)
    python3-torch libopenblas0-pthread python3-numpy python3-onnx   # training and ONNX export
    apertium apertium-es-pt apertium-es-it   # synthetic en-pt / en-it (prepare_pair.py --synthetic-from es)
    apertium-eng-spa                     # the rule-based peer the en<->es chrF is compared with
    opencc                               # Traditional -> Simplified for Tatoeba's Mandarin
  )
fi
# Node (>= 18) and npm: Debian's packages only where the machine has none (a NodeSource
# nodejs already bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null || APT_PACKAGES+=(nodejs)
command -v npm >/dev/null || APT_PACKAGES+=(npm)

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Sentencepiece source for the wasm build: `apt-get source` needs a deb-src line on the same
# mirror as the binary packages.
SPM_DIR="$root/third_party/sentencepiece-src"
if [ ! -f "$SPM_DIR/CMakeLists.txt" ]; then
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list 2>/dev/null; then
    echo "setup: adding a deb-src line for apt-get source"
    sudo_ tee /etc/apt/sources.list.d/kefu-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    sudo_ apt-get update -qq
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source -qq --download-only sentencepiece >/dev/null && dpkg-source -q -x sentencepiece_*.dsc src >/dev/null)
  mkdir -p "$(dirname "$SPM_DIR")"
  rm -rf "$SPM_DIR" && mv "$tmp/src" "$SPM_DIR" && rm -rf "$tmp"
  echo "setup: sentencepiece source in third_party/ (git-ignored)"
fi

# Node packages, pinned by the lockfile.
if [ -f sdk-js/package-lock.json ]; then
  if [ ! -d sdk-js/node_modules ] || [ sdk-js/package-lock.json -nt sdk-js/node_modules/.package-lock.json ]; then
    (cd sdk-js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "setup: ok"
