#!/usr/bin/env python3
"""Builds the parallel data of one language pair: build/mt-data/en-<xx>/{train,dev,test}.tsv
(src<TAB>tgt<TAB>source, English always in the first column) and SOURCES.json.

  python3 scripts/train/mt/prepare_pair.py --src en --tgt es
  python3 scripts/train/mt/prepare_pair.py --src en --tgt pt --synthetic-from es

Sources, in priority order (a pair found in two keeps the first tag): the hand-written chat
corpus (scripts/train/data/parallel), BConTrasT (de only), e-commerce UI catalogues from npm
and Debian packages listed in catalog_sources.json (downloaded once into build/mt-data/_sources),
catalogues of the Debian packages installed here (/usr/share/locale), Tatoeba, the train-only
extra chat turns (scripts/train/data/parallel/extra, tag kefu-chat-extra), informal-register agent
turns (scripts/train/data/parallel/informal, tag kefu-chat-informal), and optionally
Apertium translations of the Spanish side of en-es (--synthetic-from es; pt and it).
Cleaning rules: mtdata.clean_pair. Split rules: held_out() below. Deterministic: the same
inputs give byte-identical outputs (no clock, no randomness, sorted inputs).
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import mtdata  # noqa: E402

APERTIUM_MODES = {"pt": "es-pt", "it": "spa-ita"}
CHAT_HELD_OUT_ROLES = ("kefu-chat:customer", "kefu-chat:agent")


def gather(lang, fetch, log, installed=True):
    """Yields (en, xx, tag, ui) from every source of the pair; fills `meta`."""
    meta = {"catalogs": {}, "installed_packages": {}}
    raw = [(e, x, t, False) for e, x, t in mtdata.read_chat(lang)]
    raw += [(e, x, t, False) for e, x, t in mtdata.read_bcontrast(lang, "train")]
    for tag, info in sorted(mtdata.fetch_catalogs(fetch, log).items()):
        pairs = list(mtdata.read_catalog(info, lang))
        if pairs:
            meta["catalogs"][tag] = {k: v for k, v in info.items() if k not in ("tree", "tgz")}
            raw += [(e, x, tag, True) for e, x in pairs]
    if installed:  # depends on what this machine has installed: --no-installed to leave it out
        raw += [(e, x, t, True) for e, x, t in mtdata.read_installed_mo(lang, meta["installed_packages"])]
    tatoeba = list(mtdata.read_tatoeba(lang))
    if lang == "zh":
        # About a third of Tatoeba's Mandarin is in Traditional script; our target is Simplified.
        trad = [i for i, (_, x, _) in enumerate(tatoeba) if mtdata.is_traditional(x)]
        simple = mtdata.to_simplified([mtdata.nfc(tatoeba[i][1]) for i in trad])
        meta["tatoeba_traditional"] = {"lines": len(trad), "converted_with_opencc_t2s": simple is not None}
        if simple is not None:
            for i, x in zip(trad, simple):
                tatoeba[i] = (tatoeba[i][0], x, "tatoeba")
        else:
            log("prepare: opencc not installed: Traditional Tatoeba lines will be dropped")
    raw += [(e, x, t, False) for e, x, t in tatoeba]
    # Train-only chat turns come last: a pair they share with an earlier source keeps that
    # source's tag, so they can never change which lines held_out() picks.
    raw += [(e, x, t, False) for e, x, t in mtdata.read_chat_extra(lang)]
    raw += [(e, x, t, False) for e, x, t in mtdata.read_chat_informal(lang)]
    return raw, meta


def clean_all(raw, lang, max_words):
    """Cleans and de-duplicates; returns kept [(en, xx, tag)] and per-tag statistics."""
    stats = collections.defaultdict(lambda: collections.Counter())
    kept, seen = [], set()
    for en, xx, tag, ui in raw:
        stats[tag]["raw"] += 1
        r = mtdata.clean_pair(en, xx, lang, ui, max_words=max_words)
        if isinstance(r, str):
            stats[tag]["drop:" + r] += 1
            continue
        key = (r[0], r[1])
        if key in seen:
            stats[tag]["drop:duplicate"] += 1
            continue
        seen.add(key)
        stats[tag]["clean"] += 1
        kept.append((r[0], r[1], tag))
    return kept, stats


def held_out(pairs, n_dev, n_test, chat_share, min_tatoeba_words):
    """Picks dev and test: chat_share of each from the chat corpus' customer and agent turns,
    the rest from Tatoeba sentences of at least min_tatoeba_words English words (where the pair
    has no Tatoeba, the sets are only the chat share). Candidates are ordered by a hash of their normalised English
    side, so the choice is deterministic and survives edits elsewhere in the data; one pair per
    English sentence. Returns (dev, test)."""
    by_src = {}
    for en, xx, tag in pairs:
        k = mtdata.norm_key(en)
        if tag in CHAT_HELD_OUT_ROLES or (tag == "tatoeba" and mtdata.words(en) >= min_tatoeba_words):
            by_src.setdefault((tag == "tatoeba", k), (en, xx, tag))
    chat = sorted((v for (tat, _), v in by_src.items() if not tat),
                  key=lambda p: (mtdata.stable_hash(mtdata.norm_key(p[0])), p))
    tato = sorted((v for (tat, _), v in by_src.items() if tat),
                  key=lambda p: (mtdata.stable_hash(mtdata.norm_key(p[0])), p))
    # A sentence can be both a chat turn and a Tatoeba sentence: take it once.
    chat_keys = {mtdata.norm_key(p[0]) for p in chat}
    tato = [p for p in tato if mtdata.norm_key(p[0]) not in chat_keys]
    # Without Tatoeba (pt, it) the sets are just smaller: taking more chat turns would leave
    # train with almost no real in-domain dialogue.
    want_chat = [min(round(n * chat_share), len(chat) // 2) for n in (n_dev, n_test)]
    dev = chat[:want_chat[0]] + tato[:n_dev - want_chat[0]]
    test = chat[want_chat[0]:want_chat[0] + want_chat[1]] + \
        tato[n_dev - want_chat[0]:n_dev - want_chat[0] + n_test - want_chat[1]]
    return dev, test


def apertium_synthetic(lang, mode, log):
    """Translates the Spanish side of en-es chat and Tatoeba pairs with Apertium. Cached in
    build/mt-data/_cache keyed by the input; returns ([(en, xx, tag)], info)."""
    if not shutil.which("apertium"):
        raise SystemExit("prepare: --synthetic-from es needs `apt-get install apertium "
                         "apertium-es-pt apertium-es-it` (or ./scripts/setup.sh --train)")
    src = []
    for en, es, tag, _ in [(e, x, t, 0) for e, x, t in mtdata.read_chat("es")] + \
            [(e, x, t, 0) for e, x, t in mtdata.read_tatoeba("es")]:
        r = mtdata.clean_pair(en, es, "es", False)
        if not isinstance(r, str):
            src.append((r[0], r[1], tag))
    seen, uniq = set(), []
    for p in src:
        if p[1] not in seen:
            seen.add(p[1])
            uniq.append(p)
    text = "\n".join(es for _, es, _ in uniq) + "\n"
    cache_dir = os.path.join(mtdata.OUT_ROOT, "_cache")
    os.makedirs(cache_dir, exist_ok=True)
    key = mtdata.stable_hash(mode + "\x00" + text)
    cache = os.path.join(cache_dir, f"apertium-{mode}-{key:016x}.txt")
    info = {"mode": mode, "input_lines": len(uniq), "cached": os.path.exists(cache)}
    if not os.path.exists(cache):
        log(f"prepare: apertium -u {mode} on {len(uniq)} Spanish lines")
        t0 = time.monotonic()
        out = subprocess.run(["apertium", "-u", mode], input=text, capture_output=True,
                             text=True, check=True).stdout
        info["seconds"] = round(time.monotonic() - t0, 1)
        with open(cache + ".tmp", "w", encoding="utf-8") as f:
            f.write(out)
        os.replace(cache + ".tmp", cache)
        with open(cache + ".json", "w") as f:
            json.dump({"seconds": info["seconds"]}, f)
    else:
        with open(cache + ".json") as f:
            info["seconds"] = json.load(f)["seconds"]
    out = open(cache, encoding="utf-8").read().split("\n")
    if len(out) < len(uniq):
        raise SystemExit(f"prepare: apertium returned {len(out)} lines for {len(uniq)}")
    pairs = []
    for (en, _, tag), xx in zip(uniq, out):
        xx = xx.replace("¿", "").replace("¡", "").strip()   # Spanish-only punctuation
        pairs.append((en, xx, f"synthetic:apertium-{mode}:{tag.split(':')[0]}"))
    info["output_lines"] = len(pairs)
    return pairs, info


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for en, xx, tag in rows:
            f.write(f"{en}\t{xx}\t{tag}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="en", choices=["en"], help="English is always one side")
    ap.add_argument("--tgt", required=True, choices=mtdata.LANGS)
    ap.add_argument("--dev", type=int, default=500, help="dev size (default 500)")
    ap.add_argument("--test", type=int, default=500, help="test size (default 500)")
    ap.add_argument("--chat-share", type=float, default=0.6,
                    help="share of dev/test taken from chat turns (default 0.6)")
    ap.add_argument("--min-tatoeba-words", type=int, default=5,
                    help="shortest Tatoeba sentence eligible for dev/test (default 5 words)")
    ap.add_argument("--max-words", type=int, default=80, help="longest English side kept")
    ap.add_argument("--synthetic-from", choices=["es"],
                    help="add Apertium es->tgt translations of en-es data (pt, it)")
    ap.add_argument("--no-fetch", action="store_true", help="use only catalogues already downloaded")
    ap.add_argument("--no-installed", action="store_true",
                    help="leave out /usr/share/locale (deb-installed, iso-codes), whose content "
                         "depends on the packages installed on this machine")
    ap.add_argument("--out", default=mtdata.OUT_ROOT)
    a = ap.parse_args()
    lang = a.tgt
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    t0 = time.monotonic()

    raw, meta = gather(lang, not a.no_fetch, log, installed=not a.no_installed)
    pairs, stats = clean_all(raw, lang, a.max_words)

    dev, test = held_out(pairs, a.dev, a.test, a.chat_share, a.min_tatoeba_words)
    extra = {}
    if lang == "de":
        bdev, bstats = clean_all([(e, x, t, False) for e, x, t in mtdata.read_bcontrast("de", "dev")],
                                 lang, a.max_words)
        extra["test-bcontrast"] = bdev
    blocked_en, blocked_xx = set(), set()
    for rows in [dev, test] + list(extra.values()):
        for en, xx, _ in rows:
            blocked_en.add(mtdata.norm_key(en))
            blocked_xx.add(mtdata.norm_key(xx))
    # The BConTrasT dev set is an extra test set: drop those of its pairs that are in dev/test.
    for name in extra:
        dt = {mtdata.norm_key(p[0]) for p in dev + test}
        extra[name] = [p for p in extra[name] if mtdata.norm_key(p[0]) not in dt]

    synthetic_info = None
    if a.synthetic_from:
        if lang not in APERTIUM_MODES:
            raise SystemExit(f"prepare: --synthetic-from es is for {sorted(APERTIUM_MODES)}")
        syn, synthetic_info = apertium_synthetic(lang, APERTIUM_MODES[lang], log)
        real_en = {mtdata.norm_key(p[0]) for p in pairs}
        syn_clean, syn_stats = clean_all([(e, x, t, False) for e, x, t in syn], lang, a.max_words)
        tag = f"synthetic:apertium-{APERTIUM_MODES[lang]}"
        agg = collections.Counter()
        for s in syn_stats.values():
            agg.update(s)
        kept = [p for p in syn_clean if mtdata.norm_key(p[0]) not in real_en]
        agg["drop:english-in-real-data"] = len(syn_clean) - len(kept)
        stats[tag] = agg
        pairs += [(e, x, tag) for e, x, _ in kept]
        synthetic_info["pairs_after_cleaning"] = len(kept)

    held = {(p[0], p[1]) for p in dev + test}
    train, leak = [], collections.Counter()
    for en, xx, tag in pairs:
        if (en, xx) in held:
            continue
        if mtdata.norm_key(en) in blocked_en or mtdata.norm_key(xx) in blocked_xx:
            leak[tag] += 1
            continue
        train.append((en, xx, tag))

    out = os.path.join(a.out, f"en-{lang}")
    os.makedirs(out, exist_ok=True)
    write_tsv(os.path.join(out, "train.tsv"), train)
    write_tsv(os.path.join(out, "dev.tsv"), dev)
    write_tsv(os.path.join(out, "test.tsv"), test)
    for name, rows in extra.items():
        write_tsv(os.path.join(out, name + ".tsv"), rows)

    def group(tag):
        return tag.split(":")[0] if tag.startswith(("kefu-chat", "deb-installed", "iso-codes", "tatoeba", "bcontrast")) else tag

    per = collections.defaultdict(lambda: collections.Counter())
    for tag, c in stats.items():
        per[group(tag)].update(c)
    for name, rows in (("train", train), ("dev", dev), ("test", test)):
        for _, _, tag in rows:
            per[group(tag)][name] += 1
    for tag, n in leak.items():
        per[group(tag)]["dropped_as_held_out_overlap"] += n
    sources = {}
    for g in sorted(per):
        entry = {"counts": dict(sorted(per[g].items()))}
        if g in mtdata.LICENCES:
            entry["licence"] = mtdata.LICENCES[g]
        if g in meta["catalogs"]:
            entry.update({k: v for k, v in meta["catalogs"][g].items() if k != "kind"})
        if g in meta["installed_packages"]:
            entry["packages"] = dict(sorted(meta["installed_packages"][g].items()))
        if g.startswith("synthetic:"):
            entry["licence"] = "derived from the en-es kefu-chat and Tatoeba (CC BY 2.0 FR) pairs; " \
                               "Apertium output (GPL tools; output not covered)"
            entry["apertium"] = synthetic_info
        sources[g] = entry
    per_role = collections.Counter(t for _, _, t in dev + test if t.startswith("kefu-chat"))
    summary = {
        "pair": f"en-{lang}",
        "command": "python3 scripts/train/mt/prepare_pair.py " + " ".join(sys.argv[1:]),
        "files": {"train.tsv": len(train), "dev.tsv": len(dev), "test.tsv": len(test),
                  **{k + ".tsv": len(v) for k, v in extra.items()}},
        "dev_by_source": dict(collections.Counter(t for _, _, t in dev)),
        "test_by_source": dict(collections.Counter(t for _, _, t in test)),
        "held_out_chat_roles": dict(per_role),
        "tatoeba_available": os.path.exists(os.path.join(mtdata.SHARED, "tatoeba", f"en-{lang}.tsv.xz")),
        "sources": sources,
        "split_rules": "dev/test: chat customer+agent turns (share --chat-share) and Tatoeba "
                       f"sentences of >= {a.min_tatoeba_words} words, ordered by sha1 of the "
                       "normalised English; one pair per English sentence; every train pair whose "
                       "normalised English or target equals one in dev/test"
                       + ("/test-bcontrast" if extra else "") + " is removed from train.",
    }
    if "tatoeba_traditional" in meta:
        summary["tatoeba_traditional_to_simplified"] = meta["tatoeba_traditional"]
    if lang in ("pt", "it"):
        summary["note"] = ("no Tatoeba for this language here: real sources are the chat corpus and "
                           "catalogues; dev/test are chat-only; synthetic Apertium pairs "
                           + ("included (train only)." if a.synthetic_from else
                              "available with --synthetic-from es."))
    with open(os.path.join(out, "SOURCES.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    log(f"prepare: en-{lang}: train {len(train)}, dev {len(dev)}, test {len(test)}"
        + "".join(f", {k} {len(v)}" for k, v in extra.items())
        + f" ({time.monotonic() - t0:.0f}s) -> {out}")
    for g in sorted(per):
        c = per[g]
        log(f"  {g:40s} raw {c['raw']:7d} clean {c['clean']:7d} train {c['train']:7d} "
            f"dev {c['dev']:4d} test {c['test']:4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
