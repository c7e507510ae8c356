#!/usr/bin/env python3
"""Translation quality through the shipped runtime: the held-out test lines of each pair
(build/mt-data/en-<xx>/test.tsv) go through `scripts/kefu translate` (the wasm core's decoder +
onnxruntime-web, the same files the browser downloads) in both directions and are scored with
chrF; for en-es, Debian's Apertium (apertium-eng-spa, the open rule-based peer) translates the
same lines. Register control: the agent lines are translated into <xx> asking for the formal
register (the default) and again for the informal one, and the outputs are classified by the
same markers that labelled the training targets (mtdata.register: Sie/du, vous/tu, usted/tú, …).
Writes build/bench/mt-en-<xx>.json.

  python3 scripts/bench/mt_quality.py --lang de [--lines 500]
"""
import argparse, json, os, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "train", "mt"))
sys.dont_write_bytecode = True
from chrf import chrf  # noqa: E402
from mtdata import register  # noqa: E402

APERTIUM = {"en-es": "eng-spa", "es-en": "spa-eng"}  # apertium-eng-spa modes
REGISTER_LANGS = ("de", "fr", "es", "pt", "it", "nl", "zh", "ja", "ko")


def run(cmd, lines):
    t0 = time.monotonic()
    r = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"mt_quality: {' '.join(cmd)} failed: {r.stderr[-2000:]}")
    out = r.stdout.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):
        raise SystemExit(f"mt_quality: {' '.join(cmd)} wrote {len(out)} lines for {len(lines)}")
    return out, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", required=True)
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--beam", type=int, default=0, help="beam size (0: the runtime's default)")
    ap.add_argument("--models", help="models directory of an experiment (DIR/manifest.json, DIR/mt/en-<xx>/; "
                                     "export_onnx.py --out DIR/mt); default: the shipped models/")
    ap.add_argument("--out", help="report path (default build/bench/mt-en-<xx>.json)")
    a = ap.parse_args()
    pair = f"en-{a.lang}"
    path = os.path.join(ROOT, "build", "mt-data", pair, "test.tsv")
    if not os.path.exists(path):
        raise SystemExit(f"mt_quality: {path} is missing: run scripts/train/mt/prepare_pair.py --tgt {a.lang}")
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                rows.append(cols)
    rows = rows[: a.lines]
    # A pair without a shipped model still gets its peer measured (Apertium for en-es).
    models = os.path.abspath(a.models) if a.models else os.path.join(ROOT, "models")
    has_model = os.path.exists(os.path.join(models, "mt", pair, "config.json"))
    report = {"pair": pair, "lines": len(rows),
              "composition": ", ".join(f"{sum(1 for r in rows if r[2].startswith(k))} {k}" for k in ("kefu-chat", "tatoeba")),
              "decoding": f"beam {a.beam or '2 (the runtime default)'}, formal register towards {a.lang}", "directions": {}, "samples": []}
    for src_lang, tgt_lang, si, ti in (("en", a.lang, 0, 1), (a.lang, "en", 1, 0)):
        direction = f"{src_lang}-{tgt_lang}"
        src = [r[si] for r in rows]
        ref = [r[ti] for r in rows]
        words = sum(len(s.split()) for s in src)

        def score(h, subset):
            idx = [i for i, r in enumerate(rows) if r[2].startswith(subset)] if subset else range(len(rows))
            return round(chrf([h[i] for i in idx], [ref[i] for i in idx]), 2)
        res = {}
        if has_model:
            cmd = ["scripts/kefu", "translate", "--from", src_lang, "--to", tgt_lang]
            if a.beam:
                cmd += ["--beam", str(a.beam)]
            if a.models:
                cmd += ["--models", models]
            hyp, seconds = run(cmd, src)
            res["kefu"] = {"all": score(hyp, None), "chat": score(hyp, "kefu-chat"), "tatoeba": score(hyp, "tatoeba"),
                           "seconds_node_cli": round(seconds, 1), "words": words}
        if direction in APERTIUM and shutil.which("apertium"):
            ahyp, aseconds = run(["apertium", "-u", APERTIUM[direction]], src)
            res["apertium"] = {"all": score(ahyp, None), "chat": score(ahyp, "kefu-chat"),
                               "tatoeba": score(ahyp, "tatoeba"), "seconds": round(aseconds, 1)}
        report["directions"][direction] = res
        if has_model:
            report["samples"] += [{"direction": direction, "src": src[i], "ref": ref[i], "hyp": hyp[i]} for i in (0, 1, 2)]
        if has_model and tgt_lang in REGISTER_LANGS:
            agent = [i for i, r in enumerate(rows) if r[2] == "kefu-chat:agent"]
            informal, _ = run(cmd + ["--informal"], [src[i] for i in agent])
            formal = [hyp[i] for i in agent]

            def share(outputs, wanted):
                labels = [register(o, tgt_lang) for o in outputs]
                marked = [x for x in labels if x]
                return {"lines": len(outputs), "marked": len(marked),
                        "share": round(sum(x == wanted for x in marked) / len(marked), 3) if marked else None}
            report["register"] = {"direction": direction, "formal_requested": share(formal, "formal"),
                                  "informal_requested": share(informal, "informal")}
            print(f"{direction} register on {len(agent)} agent lines: formal asked -> "
                  f"{report['register']['formal_requested']}, informal asked -> {report['register']['informal_requested']}", flush=True)
        print(f"{direction}: "
              + (f"Kefu chrF {res['kefu']['all']} (chat {res['kefu']['chat']}, tatoeba {res['kefu']['tatoeba']})"
                 if has_model else "Kefu: no model shipped for this pair")
              + (f"; Apertium {res['apertium']['all']}" if "apertium" in res else ""), flush=True)
    out = a.out or os.path.join(ROOT, "build", "bench", f"mt-{pair}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
