#!/usr/bin/env python3
"""Lexical shortlist of a pair: for every source piece, the target pieces that translations of it
use, so the decoder scores a few hundred candidate tokens per batch instead of the whole
vocabulary (the idea of Bergamot's shortlists; the output layer was about 45 % of a decoder
step's arithmetic). Written by export_onnx.py next to the graphs as shortlist.bin.

  python3 scripts/train/mt/shortlist.py --lang de [--per-piece 24] [--frequent 300]

Counts come from build/mt-data/en-<xx>/train.tsv, tokenised with the pair's SentencePiece
model, one count per sentence pair and piece pair (no aligner): for each direction, a source
piece s keeps the `per-piece` target pieces t with the best Dice score 2·c(s,t) / (c(s) + c(t))
among those seen with it at least twice, and the direction keeps its `frequent` most frequent
target pieces for every batch. The core adds the batch's own source pieces (copies), </s> and
the placeholders (core/src/translator.cc).

shortlist.bin (little-endian): "KEFUSL01", u32 vocab, u32 per_piece, u32 frequent, then for the
direction into the pair's language and then into English: `frequent` u16 ids, and vocab x
per_piece u16 ids (row = source piece; 0 pads a short row: id 0 is <pad>, never emitted).
"""
import argparse, os, struct, sys, time

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mt  # noqa: E402

MAGIC = b"KEFUSL01"


def counts(sp, pairs, vocab):
    """(c_en [V], c_xx [V], c [V*V] with c[s*V + t] = sentence pairs with en piece s and xx piece t)."""
    c_en = np.zeros(vocab, np.int64)
    c_xx = np.zeros(vocab, np.int64)
    joint = np.zeros(vocab * vocab, np.int64)
    chunk = []

    def flush():
        if chunk:
            joint[:] += np.bincount(np.concatenate(chunk), minlength=vocab * vocab)
            chunk.clear()
    en_ids = sp.encode([e for e, _, _ in pairs])
    xx_ids = sp.encode([x for _, x, _ in pairs])
    pending = 0
    for a, b in zip(en_ids, xx_ids):
        a = np.unique(np.asarray(a, np.int64))
        b = np.unique(np.asarray(b, np.int64))
        c_en[a] += 1
        c_xx[b] += 1
        chunk.append((a[:, None] * vocab + b[None, :]).ravel())
        pending += len(chunk[-1])
        if pending > 20_000_000:
            flush()
            pending = 0
    flush()
    return c_en, c_xx, joint.reshape(vocab, vocab)


def direction(c_src, c_tgt, joint, per_piece, frequent):
    """(frequent target ids, [V, per_piece] candidate ids) for joint[s, t]."""
    vocab = len(c_src)
    dice = 2.0 * joint / np.maximum(c_src[:, None] + c_tgt[None, :], 1)
    dice[joint < 2] = 0
    dice[:, :4] = 0  # <pad> <unk> <s> </s>: never candidates from a source piece
    top = np.argsort(-dice, axis=1, kind="stable")[:, :per_piece]
    rows = np.take_along_axis(dice, top, axis=1)
    table = np.where(rows > 0, top, 0).astype(np.uint16)
    freq = [int(t) for t in np.argsort(-c_tgt, kind="stable") if t >= 4 and c_tgt[t] > 0][:frequent]
    assert vocab <= 65535
    return np.asarray(freq, np.uint16), table


def build(lang, per_piece=24, frequent=300, out=None):
    import sentencepiece as spm
    data = os.path.join(train_mt.ROOT, "build", "mt-data", f"en-{lang}")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(data, "spm.model"))
    vocab = sp.get_piece_size()
    pairs = train_mt.read_pairs(os.path.join(data, "train.tsv"))
    t0 = time.time()
    c_en, c_xx, joint = counts(sp, pairs, vocab)
    to_xx = direction(c_en, c_xx, joint, per_piece, frequent)
    to_en = direction(c_xx, c_en, joint.T, per_piece, frequent)
    blob = bytearray(MAGIC) + struct.pack("<III", vocab, per_piece, frequent)
    for freq, table in (to_xx, to_en):
        padded = np.zeros(frequent, np.uint16)
        padded[: len(freq)] = freq
        blob += padded.astype("<u2").tobytes() + table.astype("<u2").tobytes()
    if out:
        with open(out, "wb") as f:
            f.write(bytes(blob))
    print(f"shortlist en-{lang}: {len(pairs):,} pairs, {vocab} pieces, {per_piece} per piece + {frequent} frequent, "
          f"{len(blob):,} B in {time.time() - t0:.0f}s", flush=True)
    return bytes(blob)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", required=True)
    ap.add_argument("--per-piece", type=int, default=24)
    ap.add_argument("--frequent", type=int, default=300)
    ap.add_argument("--out", help="where to write shortlist.bin (default: only report its size)")
    a = ap.parse_args()
    build(a.lang, a.per_piece, a.frequent, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
