#!/usr/bin/env python3
"""Finishes a trained model: adds file facts (bytes, gzip bytes, sha256) and the native
classify() benchmark to its report.json, and adds or replaces its entry in models/manifest.json.

  python3 scripts/train/finish_model.py --name nlu --file models/nlu/kefu-nlu.bin \
      --report models/nlu/report.json --version 1.0.0 [--bench bench.json]

Manifest entries: {"name", "file" (relative to models/), "bytes", "sha256", "version", "format",
"gzip_bytes", "heads"}. Standard library only.
"""

import argparse
import gzip
import hashlib
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--bench", help="JSON line printed by kefu-classify --bench")
    ap.add_argument("--manifest", default="models/manifest.json")
    args = ap.parse_args()

    data = open(args.file, "rb").read()
    facts = {
        "bytes": len(data),
        "gzip_bytes": len(gzip.compress(data, 9, mtime=0)),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    report = json.load(open(args.report))
    report["model"].update(facts)
    report["model"]["file"] = os.path.relpath(args.file, os.path.dirname(args.manifest))
    report["model"]["release"] = args.version
    if args.bench:
        bench = json.load(open(args.bench))
        report["native_benchmark"] = {k: (round(v, 2) if isinstance(v, float) else v)
                                      for k, v in bench.items() if k != "model"}
    with open(args.report, "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")

    manifest = {"models": []}
    if os.path.exists(args.manifest):
        manifest = json.load(open(args.manifest))
    entry = {
        "name": args.name,
        "file": report["model"]["file"],
        "bytes": facts["bytes"],
        "sha256": facts["sha256"],
        "version": args.version,
        "format": report["model"].get("format", "KEFUCLS1"),
        "gzip_bytes": facts["gzip_bytes"],
        "heads": [h["name"] for h in report["model"].get("heads", [])],
    }
    models = [m for m in manifest.get("models", []) if m.get("name") != args.name]
    models.append(entry)
    manifest["models"] = sorted(models, key=lambda m: m["name"])
    with open(args.manifest, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{args.name}: {facts['bytes']} bytes, {facts['gzip_bytes']} gzipped, "
          f"sha256 {facts['sha256'][:16]}..., manifest {args.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
