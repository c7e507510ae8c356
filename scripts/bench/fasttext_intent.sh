#!/usr/bin/env bash
# fastText (Debian `fasttext`) as the intent peer: trains on the same NLU training data as Kefu
# (build/train-data/nlu/train.jsonl from scripts/train/prepare_nlu.py), tests on the same dev
# split, and prints one JSON object: accuracy overall and per language, model sizes (raw and
# gzipped), for the full model and a quantized one (`fasttext quantize`).
#
#   scripts/bench/fasttext_intent.sh [workdir]       # default build/bench/fasttext
# Settings: -epoch 25 -lr 0.5 -wordNgrams 2 -minn 2 -maxn 4 -dim 50 (char n-grams matter for
# CJK, which fastText does not segment); text lower-cased, one line per message. Deterministic
# with -thread 1 (fastText's Hogwild threads make multi-threaded runs differ slightly).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
work="${1:-build/bench/fasttext}"
data=build/train-data/nlu
command -v fasttext >/dev/null || { echo "fasttext_intent: install Debian's fasttext (scripts/setup.sh)" >&2; exit 2; }
[ -f "$data/train.jsonl" ] || python3 scripts/train/prepare_nlu.py >/dev/null
mkdir -p "$work"

python3 - "$data" "$work" <<'PY'
import json, sys
data, work = sys.argv[1], sys.argv[2]
def conv(name):
    langs = []
    with open(f"{data}/{name}.jsonl", encoding="utf-8") as f, \
         open(f"{work}/{name}.txt", "w", encoding="utf-8") as out:
        for line in f:
            r = json.loads(line)
            text = " ".join(r["text"].lower().split())
            out.write(f"__label__{r['intent']} {text}\n")
            langs.append(r["lang"])
    with open(f"{work}/{name}.langs", "w") as out:
        out.write("\n".join(langs) + "\n")
conv("train"); conv("dev")
PY
cut -d' ' -f2- "$work/dev.txt" > "$work/dev.text"

params=(-epoch 25 -lr 0.5 -wordNgrams 2 -minn 2 -maxn 4 -dim 50 -thread 1 -seed 1 -verbose 0)
start=$(date +%s.%N)
fasttext supervised -input "$work/train.txt" -output "$work/model" "${params[@]}" >/dev/null
train_s=$(echo "$(date +%s.%N) - $start" | bc)
fasttext quantize -input "$work/train.txt" -output "$work/model" -qnorm -retrain -cutoff 50000 \
  "${params[@]}" >/dev/null
fasttext predict "$work/model.bin" "$work/dev.text" > "$work/pred.bin.txt"
fasttext predict "$work/model.ftz" "$work/dev.text" > "$work/pred.ftz.txt"

python3 - "$work" "$train_s" "${params[*]}" <<'PY'
import collections, gzip, json, os, sys
work, train_s, params = sys.argv[1], float(sys.argv[2]), sys.argv[3]
gold = [l.split(" ", 1)[0] for l in open(f"{work}/dev.txt", encoding="utf-8")]
langs = open(f"{work}/dev.langs").read().split()
def score(pred_file, model_file):
    pred = [l.strip() for l in open(pred_file, encoding="utf-8")]
    per = collections.defaultdict(lambda: [0, 0])
    for g, p, l in zip(gold, pred, langs):
        per[l][0] += 1
        per[l][1] += g == p
    n = sum(v[0] for v in per.values()); c = sum(v[1] for v in per.values())
    raw = open(model_file, "rb").read()
    return {"accuracy": round(c / n, 4),
            "per_language": {k: round(v[1] / v[0], 4) for k, v in sorted(per.items())},
            "bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 9))}
print(json.dumps({"peer": "fastText (Debian fasttext 0.9.2) intent, 37 classes",
                  "train": "build/train-data/nlu/train.jsonl", "dev": "build/train-data/nlu/dev.jsonl",
                  "dev_lines": len(gold), "settings": params, "train_seconds": round(train_s, 1),
                  "full": score(f"{work}/pred.bin.txt", f"{work}/model.bin"),
                  "quantized": score(f"{work}/pred.ftz.txt", f"{work}/model.ftz")}, indent=2))
PY
