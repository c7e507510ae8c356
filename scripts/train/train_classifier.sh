#!/usr/bin/env bash
# Trains one of the core's understanding models in ONE command (called by train_langid.sh and
# train_nlu.sh; usage: train_classifier.sh langid|nlu [--refresh-data]):
#   1. prepares build/train-data/<name>/{train,dev}.jsonl if missing (or with --refresh-data)
#   2. builds the native tools (kefu-train, kefu-classify) in build/train
#   3. trains (held-out calibration slice from train), quantises, evaluates the quantised model
#      on dev through the core's classify(), benchmarks classify() natively
#   4. writes models/<name>/kefu-<name>.bin, report.json, CARD.md and its models/manifest.json entry
# Deterministic: the same data and seed give the same bytes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
name=${1:-}
shift || true
refresh=0
for a in "$@"; do
  case "$a" in
    --refresh-data) refresh=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "train_$name.sh: unknown option $a (valid: --refresh-data)" >&2; exit 2 ;;
  esac
done

# Hyper-parameters tuned on dev (docs/models.md, "Training"):
case "$name" in
  langid)
    # 2^13 buckets x 8 dims (~92 KB gzipped): 96.1% dev accuracy, against 96.4% for 2^15 x 16
    # (628 KB) and 95.5% for 2^12 x 16 (79 KB); word unigrams + char 1-5 + CJK 1-3; 20 epochs.
    args=(--heads lang --buckets 8192 --dim 8 --ngrams word=1,char=1-5,cjk=1-3,digits=fold
          --epochs 20) ;;
  nlu)
    # 2^15 buckets x 32 dims (1.1 MB gzipped): 81.4% intent accuracy on dev against 82.3% for
    # 2^16 x 32 (2.3 MB) with ~60 hand-written lines per intent and language; char 2-5 beat 1-4
    # on intent; feature dropout 0.5 adds ~3 points of intent accuracy; 40 epochs.
    args=(--heads intent,sentiment,urgency --labels-from ../shared/taxonomy/intents.json
          --buckets 32768 --dim 32 --ngrams word=2,char=2-5,cjk=1-3,digits=fold
          --epochs 40 --dropout 0.5) ;;
  *) echo "train_classifier.sh: unknown model '$name' (valid: langid, nlu)" >&2; exit 2 ;;
esac

data=build/train-data/$name
build=${KEFU_TRAIN_BUILD:-build/train}
out=models/$name
version=1.0.0

if [ "$refresh" = 1 ] || [ ! -f "$data/train.jsonl" ] || [ ! -f "$data/dev.jsonl" ]; then
  python3 "scripts/train/prepare_$name.py"
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEFU_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target kefu-train kefu-classify
mkdir -p "$out"

"$build/tools/kefu-train" --train "$data/train.jsonl" --dev "$data/dev.jsonl" "${args[@]}" \
  --hidden 0 --lr 1.0 --calibration 0.1 --seed 1 --threads 1 \
  --version "kefu-$name $version" --out "$out/kefu-$name.bin" --report "$out/report.json"

"$build/tools/kefu-classify" "$out/kefu-$name.bin" --bench 5 < "$data/dev.jsonl" > "$build/$name-bench.json"
cat "$build/$name-bench.json"
python3 scripts/train/finish_model.py --name "$name" --file "$out/kefu-$name.bin" \
  --report "$out/report.json" --version "$version" --bench "$build/$name-bench.json"
python3 scripts/train/write_card.py "$name"
