#!/usr/bin/env python3
"""Prints Markdown tables of what prepare_pair.py and train_spm.py measured, for
docs/translation-data.md:  python3 scripts/train/mt/summarize.py [es de ...]"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import mtdata  # noqa: E402

GROUPS = [("chat", lambda g: g == "kefu-chat"), ("chat extra", lambda g: g == "kefu-chat-extra"),
          ("chat informal", lambda g: g == "kefu-chat-informal"),
          ("bcontrast", lambda g: g == "bcontrast"),
          ("npm", lambda g: g.startswith("npm:")), ("deb (listed)", lambda g: g.startswith("deb:")),
          ("deb-installed", lambda g: g == "deb-installed"), ("iso-codes", lambda g: g == "iso-codes"),
          ("tatoeba", lambda g: g == "tatoeba"), ("synthetic", lambda g: g.startswith("synthetic:"))]


def main():
    langs = sys.argv[1:] or mtdata.LANGS
    rows, spm = [], []
    for lang in langs:
        d = os.path.join(mtdata.OUT_ROOT, f"en-{lang}")
        try:
            s = json.load(open(os.path.join(d, "SOURCES.json"), encoding="utf-8"))
        except OSError:
            continue
        cells = []
        for _, match in GROUPS:
            n = sum(v["counts"].get("train", 0) for g, v in s["sources"].items() if match(g))
            cells.append(f"{n:,}" if n else "–")
        f = s["files"]
        extra = ", ".join(f"{k[:-4]} {v:,}" for k, v in f.items()
                          if k not in ("train.tsv", "dev.tsv", "test.tsv"))
        chat_dev = sum(v for k, v in s["dev_by_source"].items() if k.startswith("kefu-chat"))
        chat_test = sum(v for k, v in s["test_by_source"].items() if k.startswith("kefu-chat"))
        rows.append(f"| en-{lang} | " + " | ".join(cells) + f" | **{f['train.tsv']:,}** | "
                    f"{f['dev.tsv']} ({chat_dev} chat) | {f['test.tsv']} ({chat_test} chat)"
                    + (f"; {extra}" if extra else "") + " |")
        try:
            p = json.load(open(os.path.join(d, "spm.json"), encoding="utf-8"))
        except OSError:
            continue
        t = p["tokens_per_sentence_dev"]
        spm.append(f"| en-{lang} | {p['vocab']} | {p['spm_train_seconds']} | "
                   f"{t['en']['mean']} / {t['en']['median']} / {t['en']['p95']} | {t['en']['per_word']} | "
                   f"{t[lang]['mean']} / {t[lang]['median']} / {t[lang]['p95']} | "
                   f"{t.get('en (chat only)', {}).get('mean', '–')} | "
                   f"{t.get(lang + ' (chat only)', {}).get('mean', '–')} | "
                   f"{p['estimate_15_english_words_tokens']} |")
    print("| pair | " + " | ".join(g for g, _ in GROUPS) + " | train | dev | test |")
    print("|---" * (len(GROUPS) + 4) + "|")
    print("\n".join(rows))
    print()
    print("| pair | vocab | spm_train s | en tokens mean / median / p95 | en tokens/word | "
          "xx tokens mean / median / p95 | en chat mean | xx chat mean | 15 en words ≈ tokens |")
    print("|---" * 9 + "|")
    print("\n".join(spm))


if __name__ == "__main__":
    main()
