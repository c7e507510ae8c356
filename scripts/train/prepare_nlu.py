#!/usr/bin/env python3
"""Builds the intent / sentiment / urgency dataset: build/train-data/nlu/{train,dev}.jsonl.

Each line: {"text", "intent", "sentiment"?, "urgency"?, "lang", "source"}. Lines from sources
without sentiment or urgency labels (Bitext, CLINC150) leave those fields out, so the trainer
skips those heads for them.

Sources (see build/train-data/nlu/SOURCES.json after a run):
  kefu      scripts/train/data/intents/<lang>.jsonl, all ten languages. A deterministic hash picks
            6 of the 36 lines of every (language, intent) for dev; those are never trained on.
  bitext    ../shared/data/bitext/customer_support_intents.csv (English, CDLA-Sharing-1.0),
            intents mapped onto ours, capped per intent so English paraphrases do not swamp the
            other languages; a small held-out slice goes to dev_bitext.jsonl (reported apart).
  clinc150  ../shared/data/clinc150/train_val.json (English, CC BY 3.0): oos_* and in-scope
            intents from domains a shop does not handle -> out_of_scope (near-domain negatives);
            greeting / goodbye / thank_you -> ours; intents that overlap shop support are dropped.

Standard library only; the output depends only on the input files (no clocks, no randomness
outside hash-seeded choices). Run from the repository root: python3 scripts/train/prepare_nlu.py
"""

import argparse
import collections
import csv
import hashlib
import json
import os
import sys

LANGS = ["en", "zh", "es", "fr", "de", "pt", "it", "ja", "ko", "nl"]
DEV_PER_INTENT = 6  # of 36 lines per (language, intent): ~17 %

# Bitext -> ours (../shared/data/README.md). Names not listed are identical in both.
BITEXT_MAP = {
    "check_invoice": "get_invoice",
    "set_up_shipping_address": "change_shipping_address",
    "contact_customer_service": "contact_human_agent",
    "review": "feedback",
    "registration_problems": "create_account",
    "switch_account": "edit_account",
    "newsletter_subscription": "edit_account",
}

# CLINC150 in-scope intents mapped to our small-talk intents.
CLINC_MAP = {"greeting": "greeting", "goodbye": "goodbye", "thank_you": "thanks"}

# CLINC150 intents that overlap shop support or are too context-dependent to call out of scope
# (order status, card declined, "cancel that", yes/no, account locked, fraud, fees, currencies,
# assistant settings). They are dropped rather than risk teaching the wrong boundary.
CLINC_DROP = {
    "order_status", "order", "cancel", "card_declined", "report_fraud", "freeze_account",
    "account_blocked", "international_fees", "exchange_rate", "yes", "no", "maybe", "repeat",
    "change_user_name", "user_name", "change_language", "change_accent", "change_speed",
    "change_volume", "change_ai_name", "whisper_mode", "reset_settings", "sync_device",
    "what_can_i_ask_you", "are_you_a_bot", "who_do_you_work_for", "lost_luggage",
    "redeem_rewards", "rewards_balance", "damaged_card", "new_card", "replacement_card_duration",
    "report_lost_card", "expiration_date", "pin_change", "transactions", "spending_history",
    "pay_bill", "bill_balance", "bill_due", "application_status", "confirm_reservation",
    "cancel_reservation",
}

LICENCES = {
    "kefu": "project corpus (hand-written for Kefu; same licence as the repository)",
    "bitext": "CDLA-Sharing-1.0 (Bitext customer-support sample; ../shared/data/bitext/LICENSE.txt)",
    "clinc150": "CC BY 3.0 (CLINC150, Larson et al. 2019; ../shared/data/clinc150/LICENSE)",
}


def stable_hash(*parts):
    """64-bit hash of the parts that is the same on every run and machine (unlike hash())."""
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big")


def text_key(text):
    """Case-folded, whitespace- and end-punctuation-insensitive identity for leakage checks."""
    folded = " ".join(text.casefold().split())
    return folded.strip(" .!?。！？") or folded


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_corpus(corpus_dir):
    """Returns {lang: (train_rows, dev_rows)} for our corpus, each row the original dict.

    Dev = the DEV_PER_INTENT lines with the smallest hash of (lang, intent, text) per
    (lang, intent); prepare_langid.py calls this too so both datasets hold out the same lines.
    """
    out = {}
    for lang in LANGS:
        path = os.path.join(corpus_dir, lang + ".jsonl")
        rows = read_jsonl(path)
        by_intent = collections.defaultdict(list)
        for row in rows:
            by_intent[row["intent"]].append(row)
        dev_ids = set()
        for intent, items in by_intent.items():
            ranked = sorted(range(len(items)),
                            key=lambda i: stable_hash(lang, intent, items[i]["text"]))
            dev_ids.update(id(items[i]) for i in ranked[:DEV_PER_INTENT])
        train = [r for r in rows if id(r) not in dev_ids]
        dev = [r for r in rows if id(r) in dev_ids]
        out[lang] = (train, dev)
    # A text that is in dev must never appear in train, in any language ("ok", "Danke!").
    dev_keys = {text_key(r["text"]) for _, dev in out.values() for r in dev}
    for lang, (train, dev) in out.items():
        out[lang] = ([r for r in train if text_key(r["text"]) not in dev_keys], dev)
    return out


def kefu_row(row, lang):
    return {"text": row["text"], "intent": row["intent"], "sentiment": row["sentiment"],
            "urgency": row["urgency"], "lang": lang, "source": "kefu"}


def load_bitext(path, cap, dev_per_intent, taxonomy):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        for column in ("instruction", "intent"):
            if column not in (reader.fieldnames or []):
                sys.exit(f"prepare_nlu: {path}: no '{column}' column in {reader.fieldnames}")
        by_intent = collections.defaultdict(dict)
        unmapped = collections.Counter()
        for rec in reader:
            intent = BITEXT_MAP.get(rec["intent"], rec["intent"])
            if intent not in taxonomy:
                unmapped[rec["intent"]] += 1
                continue
            text = " ".join(rec["instruction"].split())
            if text:
                by_intent[intent].setdefault(text.lower(), text)
    if unmapped:
        print(f"  bitext: dropped intents with no counterpart: {dict(unmapped)}")
    train, dev = [], []
    for intent in sorted(by_intent):
        texts = sorted(by_intent[intent].values(), key=lambda t: stable_hash("bitext", t))
        for i, text in enumerate(texts[:dev_per_intent + cap]):
            row = {"text": text, "intent": intent, "lang": "en", "source": "bitext"}
            (dev if i < dev_per_intent else train).append(row)
    return train, dev


def load_clinc(path, oos_cap, near_cap, smalltalk_cap):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = []
    oos = [t for key in ("oos_train", "oos_val") for t, _ in data.get(key, [])]
    oos = sorted(set(oos), key=lambda t: stable_hash("clinc-oos", t))[:oos_cap]
    rows += [{"text": t, "intent": "out_of_scope", "lang": "en", "source": "clinc150"}
             for t in oos]
    by_intent = collections.defaultdict(set)
    for key in ("train", "val"):
        for text, intent in data.get(key, []):
            by_intent[intent].add(text)
    near = [i for i in sorted(by_intent) if i not in CLINC_DROP and i not in CLINC_MAP]
    # Spread the near-domain negatives evenly over the allowed CLINC intents.
    per_intent = max(1, near_cap // max(1, len(near)))
    picked = []
    for intent in near:
        texts = sorted(by_intent[intent], key=lambda t: stable_hash("clinc", intent, t))
        picked += texts[:per_intent]
    picked = sorted(picked, key=lambda t: stable_hash("clinc-near", t))[:near_cap]
    rows += [{"text": t, "intent": "out_of_scope", "lang": "en", "source": "clinc150"}
             for t in picked]
    for clinc_intent, ours in sorted(CLINC_MAP.items()):
        texts = sorted(by_intent.get(clinc_intent, ()), key=lambda t: stable_hash("clinc", t))
        rows += [{"text": t, "intent": ours, "lang": "en", "source": "clinc150"}
                 for t in texts[:smalltalk_cap]]
    return rows, near


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Writes train.jsonl, dev.jsonl, dev_bitext.jsonl and "
                                        "SOURCES.json under --out.")
    ap.add_argument("--corpus", default="scripts/train/data/intents")
    ap.add_argument("--shared", default="../shared", help="the shared data folder")
    ap.add_argument("--out", default="build/train-data/nlu")
    ap.add_argument("--bitext-cap", type=int, default=80,
                    help="max Bitext training lines per (mapped) intent (default 80)")
    ap.add_argument("--bitext-dev", type=int, default=5,
                    help="Bitext lines per intent held out in dev_bitext.jsonl (default 5)")
    ap.add_argument("--clinc-oos", type=int, default=350, help="CLINC oos_* lines (default 350)")
    ap.add_argument("--clinc-near", type=int, default=450,
                    help="CLINC near-domain out_of_scope lines (default 450)")
    ap.add_argument("--clinc-smalltalk", type=int, default=40,
                    help="CLINC greeting/goodbye/thank_you lines each (default 40)")
    args = ap.parse_args()

    taxonomy_path = os.path.join(args.shared, "taxonomy", "intents.json")
    with open(taxonomy_path, encoding="utf-8") as f:
        taxonomy = json.load(f)
    intent_set = {i["name"] for i in taxonomy["intents"]}

    split = split_corpus(args.corpus)
    train, dev = [], []
    for lang in LANGS:
        tr, dv = split[lang]
        for row in tr + dv:
            if row["intent"] not in intent_set:
                sys.exit(f"prepare_nlu: unknown intent {row['intent']!r} in {lang}")
        train += [kefu_row(r, lang) for r in tr]
        dev += [kefu_row(r, lang) for r in dv]

    bitext_train, bitext_dev = load_bitext(
        os.path.join(args.shared, "data", "bitext", "customer_support_intents.csv"),
        args.bitext_cap, args.bitext_dev, intent_set)
    clinc_rows, clinc_near_intents = load_clinc(
        os.path.join(args.shared, "data", "clinc150", "train_val.json"),
        args.clinc_oos, args.clinc_near, args.clinc_smalltalk)

    # No dev text (any source) may occur in train.
    dev_keys = {text_key(r["text"]) for r in dev + bitext_dev}
    extra = [r for r in bitext_train + clinc_rows if text_key(r["text"]) not in dev_keys]
    seen = {text_key(r["text"]) + "\x1f" + r["lang"] for r in train}
    for r in extra:
        key = text_key(r["text"]) + "\x1f" + r["lang"]
        if key not in seen:
            seen.add(key)
            train.append(r)

    # Stable order: shuffled by hash so a trainer reading the head sees every class.
    train.sort(key=lambda r: stable_hash(r["source"], r["lang"], r["intent"], r["text"]))
    os.makedirs(args.out, exist_ok=True)
    write_jsonl(os.path.join(args.out, "train.jsonl"), train)
    write_jsonl(os.path.join(args.out, "dev.jsonl"), dev)
    write_jsonl(os.path.join(args.out, "dev_bitext.jsonl"), bitext_dev)

    def counts(rows, key):
        return dict(sorted(collections.Counter(r[key] for r in rows).items()))

    sources = {}
    for name in ("kefu", "bitext", "clinc150"):
        sources[name] = {
            "licence": LICENCES[name],
            "train": sum(1 for r in train if r["source"] == name),
            "dev": sum(1 for r in dev if r["source"] == name),
        }
    sources["bitext"]["dev_bitext"] = len(bitext_dev)
    sources["bitext"]["intent_map"] = BITEXT_MAP
    sources["clinc150"]["mapped"] = CLINC_MAP
    sources["clinc150"]["near_domain_intents_as_out_of_scope"] = clinc_near_intents
    sources["clinc150"]["dropped_intents"] = sorted(CLINC_DROP)
    summary = {
        "generated_by": "scripts/train/prepare_nlu.py",
        "dev_rule": f"kefu corpus: {DEV_PER_INTENT} of 36 lines per (lang, intent) by sha1 "
                    "of lang, intent, text; never in train",
        "sources": sources,
        "train_lines": len(train), "dev_lines": len(dev),
        "train_by_lang": counts(train, "lang"), "dev_by_lang": counts(dev, "lang"),
        "train_by_intent": counts(train, "intent"),
        "train_by_sentiment": counts([r for r in train if "sentiment" in r], "sentiment"),
        "train_by_urgency": counts([r for r in train if "urgency" in r], "urgency"),
    }
    with open(os.path.join(args.out, "SOURCES.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=2)
        f.write("\n")

    print(f"prepare_nlu: train {len(train)} lines, dev {len(dev)} lines, "
          f"dev_bitext {len(bitext_dev)} -> {args.out}")
    for name, s in sources.items():
        print(f"  source {name:9s} train {s['train']:5d}  dev {s['dev']:4d}")
    print("  train by lang: " + " ".join(f"{k}={v}" for k, v in summary["train_by_lang"].items()))
    print("  dev by lang:   " + " ".join(f"{k}={v}" for k, v in summary["dev_by_lang"].items()))
    print("  train by intent:")
    items = list(summary["train_by_intent"].items())
    for i in range(0, len(items), 4):
        print("    " + "  ".join(f"{k:24s}{v:5d}" for k, v in items[i:i + 4]))
    print("  sentiment (kefu only): " + str(summary["train_by_sentiment"]))
    print("  urgency (kefu only):   " + str(summary["train_by_urgency"]))


if __name__ == "__main__":
    main()
