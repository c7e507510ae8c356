#!/usr/bin/env python3
"""Trains the joint SentencePiece unigram vocabulary of one pair on its train split and reports
tokens per sentence on dev: build/mt-data/en-<xx>/spm.{model,vocab} and spm.json.

  python3 scripts/train/mt/train_spm.py --src en --tgt es --vocab 8000

Uses Debian's `spm_train`/`spm_encode` (package sentencepiece). Both sides are sampled evenly
(each side capped at --side-lines) so that a large English-heavy source does not starve the
other language of pieces. Character coverage 1.0 for Latin pairs, 0.9995 for zh/ja/ko;
byte fallback on, so characters outside the vocabulary (emoji, rare Han) become bytes instead
of <unk> and survive a round trip. User-defined symbols, each always one piece: the target
tags `<2en>` and `<2xx>` (one model translates both directions of a pair) and the placeholders
`⟦1⟧`..`⟦9⟧` that carry order numbers, e-mails, URLs, amounts and glossary terms through
translation (mtdata.PLACEHOLDERS). Normalisation: nmt_nfkc for Latin pairs; identity for
zh/ja/ko, whose full-width punctuation (，。？) NFKC would turn into ASCII in the output
(prepare_pair.py has already applied NFC).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import mtdata  # noqa: E402


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def encode(model, lines):
    out = subprocess.run(["spm_encode", f"--model={model}", "--output_format=piece"],
                         input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [len(o.split()) for o in out[:len(lines)]]


def describe(counts, words):
    return {"mean": round(statistics.mean(counts), 2), "median": statistics.median(counts),
            "p95": sorted(counts)[int(0.95 * (len(counts) - 1))],
            "per_word": round(sum(counts) / max(1, sum(words)), 3)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="en", choices=["en"])
    ap.add_argument("--tgt", required=True, choices=mtdata.LANGS)
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--side-lines", type=int, default=1_000_000,
                    help="at most this many lines of each side (default 1,000,000)")
    ap.add_argument("--split-digits", action="store_true", help="one piece per digit")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--data", default=mtdata.OUT_ROOT)
    a = ap.parse_args()
    if not shutil.which("spm_train"):
        raise SystemExit("train_spm: needs Debian's sentencepiece (apt-get install sentencepiece, "
                         "or ./scripts/setup.sh --train)")
    d = os.path.join(a.data, f"en-{a.tgt}")
    train = read_tsv(os.path.join(d, "train.tsv"))
    # Unique lines per side; the even 1-in-k sampling keeps the choice deterministic.
    sides = []
    for col in (0, 1):
        uniq = sorted({r[col] for r in train})
        step = max(1, -(-len(uniq) // a.side_lines))
        sides.append(uniq[::step])
    corpus = os.path.join(d, "spm-input.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for side in sides:
            f.write("\n".join(side) + "\n")
    cjk = a.tgt in mtdata.CJK_LANGS
    prefix = os.path.join(d, "spm")
    args = ["spm_train", f"--input={corpus}", f"--model_prefix={prefix}", "--model_type=unigram",
            f"--vocab_size={a.vocab}", f"--character_coverage={0.9995 if cjk else 1.0}",
            f"--normalization_rule_name={'identity' if cjk else 'nmt_nfkc'}",
            "--byte_fallback=true", f"--split_digits={'true' if a.split_digits else 'false'}",
            "--input_sentence_size=2000000", "--shuffle_input_sentence=true",
            "--max_sentence_length=4096", f"--num_threads={a.threads}",
            "--pad_id=0", "--unk_id=1", "--bos_id=2", "--eos_id=3",
            "--user_defined_symbols=" + ",".join(mtdata.special_symbols(a.tgt))]
    t0 = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit("train_spm: spm_train failed")
    seconds = round(time.monotonic() - t0, 1)
    os.remove(corpus)

    dev = read_tsv(os.path.join(d, "dev.tsv"))
    model = prefix + ".model"
    report = {"pair": f"en-{a.tgt}", "vocab": a.vocab, "spm_train_seconds": seconds,
              "training_lines": {"en": len(sides[0]), a.tgt: len(sides[1])},
              "options": args[3:], "dev_lines": len(dev), "tokens_per_sentence_dev": {}}
    for col, lang in ((0, "en"), (1, a.tgt)):
        lines = [row[col] for row in dev]
        counts = encode(model, lines)
        report["tokens_per_sentence_dev"][lang] = describe(counts, [mtdata.words(x) for x in lines])
        chat = [c for c, row in zip(counts, dev) if row[2].startswith("kefu-chat")]
        chat_words = [mtdata.words(row[col]) for row in dev if row[2].startswith("kefu-chat")]
        if chat:
            report["tokens_per_sentence_dev"][lang + " (chat only)"] = describe(chat, chat_words)
    en_per_word = report["tokens_per_sentence_dev"]["en"]["per_word"]
    report["estimate_15_english_words_tokens"] = round(15 * en_per_word, 1)
    with open(os.path.join(d, "spm.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
        f.write("\n")
    t = report["tokens_per_sentence_dev"]
    print(f"train_spm: en-{a.tgt} vocab {a.vocab} in {seconds}s; dev tokens/sentence "
          f"en {t['en']['mean']} (median {t['en']['median']}, {t['en']['per_word']}/word), "
          f"{a.tgt} {t[a.tgt]['mean']} (median {t[a.tgt]['median']}) -> {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
