#!/usr/bin/env bash
# Benchmarks (measurements, never pass/fail): Kefu's understanding models through the wasm core
# next to their peers, on the same dev sets.
#   - language id: Kefu vs franc (npm) and CLD2 (Debian libcld2): accuracy per language, size
#   - intent: Kefu vs fastText (Debian fasttext) trained on the same data: accuracy, size
#   - wasm time per message (p50/p95): language id, full analysis, a whole answer
#   - translation (every pair in models/mt/): test-set chrF through the shipped runtime, next to
#     Apertium for en<->es; speed in headless Chromium (words/s, 15-word message latency);
#     the cards in models/mt/*/CARD.md are rewritten with the numbers
# Results: build/bench/*.json and a summary on stdout. Needs ./scripts/build.sh first (run here
# when the build is missing) and the training datasets (prepared here when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case "${1:-}" in -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

[ -f sdk-js/dist/kefu-core.wasm ] || ./scripts/build.sh
[ -f build/train-data/langid/dev.jsonl ] || python3 scripts/train/prepare_langid.py >/dev/null
[ -f build/train-data/nlu/dev.jsonl ] || python3 scripts/train/prepare_nlu.py >/dev/null
mkdir -p build/bench

echo "== Kefu (wasm core, shipped models)"
node scripts/bench/kefu_understanding.mjs --out build/bench/kefu.json >/dev/null

echo "== language-id peers: franc, CLD2"
g++ -O2 -include cstdio -o build/bench/cld2_langid scripts/bench/cld2_langid.cc -lcld2  # the CLD2 header uses FILE without <cstdio>
node scripts/bench/peers_langid.mjs --cld2 build/bench/cld2_langid > build/bench/langid-peers.json

echo "== intent peer: fastText (trained on the same data)"
scripts/bench/fasttext_intent.sh > build/bench/fasttext.json

node scripts/bench/summary.mjs build/bench
python3 scripts/train/write_card.py langid nlu

echo "== translation: chrF through the shipped runtime (Apertium next to en<->es), Chromium speed"
langs=$(for dir in models/mt/en-*/; do b=$(basename "$dir"); echo "${b#en-}"; done; echo es)
for lang in $(echo "$langs" | sort -u); do
  if [ -f "build/mt-data/en-$lang/test.tsv" ]; then
    python3 scripts/bench/mt_quality.py --lang "$lang"
  else
    echo "   en-$lang: no held-out test set (scripts/train/mt/prepare_pair.py --tgt $lang); chrF skipped"
  fi
done
node scripts/bench/mt_speed.mjs --out build/bench/mt-speed.json
for dir in models/mt/en-*/; do
  lang=$(basename "$dir"); python3 scripts/train/mt/write_card.py --lang "${lang#en-}"
done
