#!/usr/bin/env bash
# Trains the translation model of one language pair (English <-> LANG, both directions) in ONE
# command; a language is added by running this, not by writing code:
#   scripts/train/mt/train_pair.sh LANG [--minutes N] [--checkpoint best|last] [--refresh-data]
#   1. data: build/mt-data/en-LANG/{train,dev,test}.tsv (prepare_pair.py; skipped when present)
#   2. vocabulary: joint SentencePiece with the placeholder/tag symbols (train_spm.py; skipped
#      when present and current)
#   3. training: train_mt.py for N minutes (default 60), resuming build/mt/en-LANG/last.pt
#   4. export: ONNX encoder + incremental decoder, int8, round-trip fixture, manifest entry
#   5. card: models/mt/en-LANG/CARD.md (run scripts/bench.sh first for test chrF and speed)
# Needs `scripts/setup.sh --train` (python3-torch, sentencepiece, python3-onnx, apertium).
# pt and it use Apertium es->pt/it synthetic pairs on top (prepare_pair.py --synthetic-from es).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
lang=${1:-}
case "$lang" in -h|--help|"") sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; [ -n "$lang" ]; exit $? ;; esac
shift
minutes=60 checkpoint=best refresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --checkpoint) checkpoint=$2; shift 2 ;;
    --refresh-data) refresh=1; shift ;;
    *) echo "train_pair.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3  # Debian's python, the one with python3-torch
data=build/mt-data/en-$lang
if [ $refresh = 1 ] || [ ! -f "$data/train.tsv" ]; then
  extra=()
  case "$lang" in pt|it) extra=(--synthetic-from es) ;; esac
  $py scripts/train/mt/prepare_pair.py --tgt "$lang" "${extra[@]}"
fi
if [ $refresh = 1 ] || [ ! -f "$data/spm.model" ] || ! $py - "$data/spm.model" <<'PY'
import sys, sentencepiece as s
sp = s.SentencePieceProcessor(model_file=sys.argv[1])
sys.exit(0 if sp.piece_to_id("<formal>") != sp.unk_id() else 1)
PY
then
  $py scripts/train/mt/train_spm.py --tgt "$lang"
fi
$py scripts/train/mt/train_mt.py --lang "$lang" --minutes "$minutes"
$py scripts/train/mt/export_onnx.py --lang "$lang" --checkpoint "$checkpoint"
$py scripts/train/mt/write_card.py --lang "$lang"
