#!/usr/bin/env python3
"""Checks the hand-written multilingual intent corpus (scripts/train/data/intents/<lang>.jsonl).

Each line: {"text": "...", "intent": "<taxonomy name>", "sentiment": "negative|neutral|positive",
"urgency": "low|normal|high|urgent"}. Reports per-intent counts, duplicates and lines that look
templated (same first three words as many others of the same intent).

  python3 scripts/train/check_corpus.py [--min 30] [LANG ...]
Exit status 1 when a file is malformed or an intent has fewer than --min messages.
"""
import argparse, collections, json, os, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LANGS = ["en", "zh", "es", "fr", "de", "pt", "it", "ja", "ko", "nl"]


def taxonomy():
    with open(os.path.join(ROOT, "..", "shared", "taxonomy", "intents.json"), encoding="utf-8") as f:
        t = json.load(f)
    return [i["name"] for i in t["intents"]], t["sentiment"], t["urgency"]


def norm(s):
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"[\W_]+", " ", s).strip()


def check(lang, path, minimum, intents, sentiments, urgencies):
    ok = True
    per_intent = collections.Counter()
    seen = {}
    prefixes = collections.defaultdict(collections.Counter)
    labels = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{n}: bad JSON: {e}"); ok = False; continue
            for field, valid in (("intent", intents), ("sentiment", sentiments), ("urgency", urgencies)):
                if r.get(field) not in valid:
                    print(f"{path}:{n}: {field} {r.get(field)!r} not in the taxonomy"); ok = False
            text = r.get("text")
            if not isinstance(text, str) or not text.strip():
                print(f"{path}:{n}: empty text"); ok = False; continue
            key = norm(text)
            if key in seen:
                print(f"{path}:{n}: duplicate of line {seen[key]}: {text}")
            seen[key] = n
            per_intent[r.get("intent")] += 1
            labels[(r.get("sentiment"), r.get("urgency"))] += 1
            words = key.split()
            prefixes[r.get("intent")][" ".join(words[:3]) if lang not in ("zh", "ja", "ko") else key[:4]] += 1
    short = [i for i in intents if per_intent[i] < minimum]
    for i in short:
        print(f"{lang}: intent {i} has {per_intent[i]} messages (< {minimum})"); ok = False
    templated = sum(c for p in prefixes.values() for k, c in p.items() if c >= 6)
    sent = collections.Counter(s for s, _ in labels.elements())
    urg = collections.Counter(u for _, u in labels.elements())
    print(f"{lang}: {sum(per_intent.values())} messages, {len(per_intent)} intents, "
          f"min/intent {min(per_intent[i] for i in intents)}, templated-looking {templated}, "
          f"sentiment {dict(sent)}, urgency {dict(urg)}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min", type=int, default=30)
    ap.add_argument("langs", nargs="*", default=LANGS)
    a = ap.parse_args()
    intents, sentiments, urgencies = taxonomy()
    ok = True
    for lang in a.langs:
        path = os.path.join(HERE, "data", "intents", f"{lang}.jsonl")
        if not os.path.exists(path):
            print(f"{lang}: missing {path}"); ok = False; continue
        ok &= check(lang, path, a.min, intents, sentiments, urgencies)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
