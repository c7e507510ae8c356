#!/usr/bin/env python3
"""Trains the translation model of one language pair, both directions in one network: a small
transformer (encoder 6 x decoder 2, d=256, shared SentencePiece vocabulary, tied embeddings —
the size class of Bergamot's "tiny" students) on build/mt-data/en-<xx>/ from
scripts/train/mt/prepare_pair.py and train_spm.py. The source starts with a target tag
(`<2xx>` or `<2en>`), so one download serves a customer's language in both directions.

  python3 scripts/train/mt/train_mt.py --lang de --minutes 60

CPU by default (OpenBLAS, bf16 autocast: on CPUs with AMX about 3.6x faster than fp32), CUDA
when available. Checkpoints go to build/mt/<src>-<tgt>/ (last.pt every few minutes, best.pt by
dev chrF) and training resumes from last.pt, so a run can be split across sessions. Evaluation:
greedy decoding of the dev split, chrF (character 6-grams, beta 2, as sacreBLEU's chrF2).
Needs Debian's python3-torch, python3-sentencepiece, libopenblas0-pthread
(`scripts/setup.sh --train`); run with /usr/bin/python3.
"""
import argparse, json, math, os, random, sys, time

import sentencepiece as spm

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mtdata  # noqa: E402
from chrf import chrf  # noqa: E402,F401  (re-exported for export_onnx.py)
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PAD, UNK, BOS, EOS = 0, 1, 2, 3  # train_spm.py fixes these ids


# --- model --------------------------------------------------------------------------------------

class Translator(nn.Module):
    """Pre-norm transformer with sinusoidal positions (any length exports cleanly) and one
    embedding matrix shared by encoder input, decoder input and output projection."""

    def __init__(self, vocab, d_model=256, heads=4, ffn=1024, enc_layers=6, dec_layers=2, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab, d_model, padding_idx=PAD)
        nn.init.normal_(self.embed.weight, mean=0.0, std=d_model ** -0.5)
        enc = nn.TransformerEncoderLayer(d_model, heads, ffn, dropout, batch_first=True, norm_first=True)
        dec = nn.TransformerDecoderLayer(d_model, heads, ffn, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(enc, enc_layers, norm=nn.LayerNorm(d_model))
        self.decoder = nn.TransformerDecoder(dec, dec_layers, norm=nn.LayerNorm(d_model))
        self.dropout = nn.Dropout(dropout)

    def positions(self, length, device):
        pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(torch.arange(0, self.d_model, 2, device=device, dtype=torch.float32)
                        * (-math.log(10000.0) / self.d_model))
        pe = torch.zeros(length, self.d_model, device=device)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        return pe

    def embed_tokens(self, ids):
        x = self.embed(ids) * math.sqrt(self.d_model)
        return self.dropout(x + self.positions(ids.size(1), ids.device))

    def encode(self, src):
        pad = src.eq(PAD)
        return self.encoder(self.embed_tokens(src), src_key_padding_mask=pad), pad

    def decode(self, tgt_in, memory, src_pad):
        t = tgt_in.size(1)
        causal = torch.triu(torch.full((t, t), float("-inf"), device=tgt_in.device), diagonal=1)
        h = self.decoder(self.embed_tokens(tgt_in), memory, tgt_mask=causal,
                         tgt_key_padding_mask=tgt_in.eq(PAD), memory_key_padding_mask=src_pad)
        return F.linear(h, self.embed.weight)

    def forward(self, src, tgt_in):
        memory, src_pad = self.encode(src)
        return self.decode(tgt_in, memory, src_pad)

    @torch.no_grad()
    def greedy(self, src, max_len=128):
        """Greedy decoding, one position per step: each decoder layer keeps its normalised inputs
        of the positions so far (the keys and values of its self-attention), so a step costs one
        position's layers, not the whole prefix's (the dev evaluation went from about 5 minutes
        to about 1 on 600 lines)."""
        memory, src_pad = self.encode(src)
        out = torch.full((src.size(0), 1), BOS, dtype=torch.long, device=src.device)
        done = torch.zeros(src.size(0), dtype=torch.bool, device=src.device)
        limit = min(max_len, int(src.size(1) * 2 + 10))
        pe = self.positions(limit, src.device)
        past = [None] * len(self.decoder.layers)
        for t in range(limit):
            x = self.embed(out[:, -1:]) * math.sqrt(self.d_model) + pe[t]
            for i, layer in enumerate(self.decoder.layers):  # pre-norm, as nn.TransformerDecoderLayer
                h = layer.norm1(x)
                past[i] = h if past[i] is None else torch.cat([past[i], h], dim=1)
                x = x + layer.self_attn(h, past[i], past[i], need_weights=False)[0]
                h = layer.norm2(x)
                x = x + layer.multihead_attn(h, memory, memory, key_padding_mask=src_pad, need_weights=False)[0]
                x = x + layer.linear2(layer.activation(layer.linear1(layer.norm3(x))))
            logits = F.linear(self.decoder.norm(x)[:, -1], self.embed.weight)
            nxt = logits.argmax(-1).masked_fill(done, PAD)
            out = torch.cat([out, nxt.unsqueeze(1)], dim=1)
            done |= nxt.eq(EOS)
            if bool(done.all()):
                break
        return out[:, 1:]


# --- data ---------------------------------------------------------------------------------------

def read_pairs(path):
    """Lines of `en<TAB>xx<TAB>source` -> [(en, xx, source)]."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2:
                pairs.append((cols[0], cols[1], cols[2] if len(cols) > 2 else ""))
    return pairs


def tag_id(sp, lang):
    i = sp.piece_to_id(f"<2{lang}>")
    assert i != sp.unk_id(), f"vocabulary lacks <2{lang}>: retrain it with train_spm.py"
    return i


def encode_source(sp, text, tgt_lang, register=None, limit=126):
    """[<2tgt>] [<formal>|<informal>] pieces </s> — the layout the core's translator builds."""
    head = [tag_id(sp, tgt_lang)]
    if register:
        head.append(sp.piece_to_id(f"<{register}>"))
    return head + sp.encode(text)[:limit] + [EOS]


def batches(examples, max_tokens, shuffle=True):
    """Length-bucketed batches of about max_tokens (source + target) each."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), len(examples[i][1])))
    out, cur, longest = [], [], 0
    for i in order:
        longest = max(longest, len(examples[i][0]) + len(examples[i][1]))
        if cur and longest * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, longest = [], len(examples[i][0]) + len(examples[i][1])
        cur.append(i)
    if cur:
        out.append(cur)
    if shuffle:
        random.shuffle(out)
    return out


def pad(seqs, device):
    width = max(len(s) for s in seqs)
    return torch.tensor([s + [PAD] * (width - len(s)) for s in seqs], dtype=torch.long, device=device)


def translate(model, sp, texts, tgt_lang, device, batch=64, register="formal"):
    model.eval()
    ids = [encode_source(sp, t, tgt_lang, register if tgt_lang != "en" else None) for t in texts]
    # Batches of similar lengths: greedy() runs every row for up to twice the batch's longest
    # source, so one long line in a batch of short ones makes all of them expensive.
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = [None] * len(ids)
    for i in range(0, len(order), batch):
        part = order[i:i + batch]
        # fp32: torch 1.13's inference fast path of the encoder layer rejects bf16 autocast.
        hyp = model.greedy(pad([ids[j] for j in part], device))
        for j, row in zip(part, hyp.tolist()):
            row = row[:row.index(EOS)] if EOS in row else row
            out[j] = sp.decode([t for t in row if t != PAD])
    model.train()
    return out


# --- training -----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", required=True, help="the pair's other language: en-<lang>, both directions")
    ap.add_argument("--chat-repeat", type=int, default=4,
                    help="times the in-domain chat corpus is repeated per epoch (default 4)")
    ap.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget of this run")
    ap.add_argument("--max-tokens", type=int, default=6000, help="tokens per batch (source + target)")
    ap.add_argument("--lr", type=float, default=1.4e-3,
                    help="peak learning rate, then inverse square root decay (default 1.4e-3)")
    ap.add_argument("--dropout", type=float, default=0.0,
                    help="dropout (default 0: on CPU the dropout masks' random numbers took 57 %% of a "
                         "training step, and the few epochs a CPU session reaches leave the model "
                         "underfitting; label smoothing 0.1 stays)")
    ap.add_argument("--warmup", type=int, default=200,
                    help="warm-up steps (default 200: a CPU run makes only a few thousand steps)")
    ap.add_argument("--eval-every", type=int, default=1000, help="steps between dev evaluations")
    ap.add_argument("--dev-lines", type=int, default=300, help="dev lines per direction")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", help="checkpoint directory (default build/mt/en-<lang>; another one for experiments)")
    a = ap.parse_args()

    pair = "en-" + a.lang
    data = os.path.join(ROOT, "build", "mt-data", pair)
    work = a.work or os.path.join(ROOT, "build", "mt", pair)
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    torch.set_num_threads(a.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    sp = spm.SentencePieceProcessor(model_file=os.path.join(data, "spm.model"))
    assert sp.pad_id() == PAD and sp.bos_id() == BOS and sp.eos_id() == EOS, "spm ids must be pad0 unk1 bos2 eos3"
    train = read_pairs(os.path.join(data, "train.tsv"))
    dev_all = read_pairs(os.path.join(data, "dev.tsv"))
    # Both directions of the same held-out lines (chat first, then Tatoeba, as in dev.tsv).
    dev = {a.lang: [(en, xx) for en, xx, _ in dev_all][: a.dev_lines],
           "en": [(xx, en) for en, xx, _ in dev_all][: a.dev_lines]}
    t0 = time.time()
    rng = random.Random(a.seed)
    tags = {"en": tag_id(sp, "en"), a.lang: tag_id(sp, a.lang)}
    examples = []
    for en, xx, source in train:
        repeat = a.chat_repeat if source.startswith("kefu-chat") else 1
        for _ in range(repeat):
            pen, pxx = mtdata.protect_pair(en, xx, rng)
            ei, xi = sp.encode(pen), sp.encode(pxx)
            if 0 < len(ei) <= 100 and 0 < len(xi) <= 100:
                reg = mtdata.register(xx, a.lang)
                head = [tags[a.lang]] + ([sp.piece_to_id(f"<{reg}>")] if reg else [])
                examples.append((head + ei + [EOS], [BOS] + xi + [EOS]))
                examples.append(([tags["en"]] + xi + [EOS], [BOS] + ei + [EOS]))
    print(f"{pair}: {len(examples)} training examples (both directions) encoded in {time.time() - t0:.0f}s",
          flush=True)

    model = Translator(sp.get_piece_size(), dropout=a.dropout).to(device)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0)
    state = {"step": 0, "best_chrf": 0.0, "history": [], "seconds": 0.0}
    last = os.path.join(work, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        state = ck["state"]
        print(f"resumed from step {state['step']} (best dev chrF {state['best_chrf']:.1f})", flush=True)
    if a.minutes > 0:  # --minutes 0 only evaluates the checkpoint and writes report.json
        state.setdefault("runs", []).append({"from_step": state["step"], "lr": a.lr, "warmup": a.warmup,
                                             "dropout": a.dropout, "max_tokens": a.max_tokens,
                                             "train_pairs": len(train)})
    print(f"model: {params / 1e6:.1f} M parameters, device {device}, threads {a.threads}, "
          f"dropout {a.dropout}, lr {a.lr}", flush=True)

    def schedule(step):
        step = max(step, 1)
        return a.lr * min(step / a.warmup, math.sqrt(a.warmup / step))

    def evaluate():
        """Mean dev chrF of the two directions, per-direction scores and hypotheses."""
        scores, hyps = {}, {}
        for tgt_lang, lines in dev.items():
            hyps[tgt_lang] = translate(model, sp, [s for s, _ in lines], tgt_lang, device)
            scores[tgt_lang] = chrf(hyps[tgt_lang], [t for _, t in lines])
        return sum(scores.values()) / len(scores), scores, hyps

    def history_entry(score, per):
        return {"step": state["step"], "dev_chrf": round(score, 2),
                **{f"en-{k}" if k != "en" else f"{a.lang}-en": round(v, 2) for k, v in per.items()}}

    counted = [time.time()]  # training time is added to state["seconds"] at every save, so a
                             # run that is stopped early still accounts for the time it spent

    def save(path):
        now = time.time()
        state["seconds"] += now - counted[0]
        counted[0] = now
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "state": state,
                    "config": {"vocab": sp.get_piece_size(), "lang": a.lang}}, path)

    start = time.time()
    deadline = start + a.minutes * 60
    tokens_seen, last_save, log_t = 0, time.time(), time.time()
    model.train()
    while time.time() < deadline:
        for batch in batches(examples, a.max_tokens):
            if time.time() >= deadline:
                break
            src = pad([examples[i][0] for i in batch], device)
            tgt = pad([examples[i][1] for i in batch], device)
            for g in opt.param_groups:
                g["lr"] = schedule(state["step"] + 1)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cpu"):
                logits = model(src, tgt[:, :-1])
            loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), tgt[:, 1:].reshape(-1),
                                   ignore_index=PAD, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] += 1
            tokens_seen += int(src.ne(PAD).sum() + tgt.ne(PAD).sum())
            if time.time() - log_t > 60:
                rate = tokens_seen / (time.time() - start)
                print(f"step {state['step']} loss {loss.item():.3f} lr {schedule(state['step']):.2e} "
                      f"{rate:,.0f} tokens/s", flush=True)
                log_t = time.time()
            if state["step"] % a.eval_every == 0:
                score, per, _ = evaluate()
                state["history"].append(history_entry(score, per))
                print(f"step {state['step']} dev chrF {score:.1f} {json.dumps(per)}", flush=True)
                if score > state["best_chrf"]:
                    state["best_chrf"] = score
                    save(os.path.join(work, "best.pt"))
            if time.time() - last_save > 300:
                save(last)
                last_save = time.time()
    score, per, hyps = evaluate()
    if not state["history"] or state["history"][-1]["step"] != state["step"]:
        state["history"].append(history_entry(score, per))
    if score > state["best_chrf"]:
        state["best_chrf"] = score
        save(os.path.join(work, "best.pt"))
    save(last)
    report = {"pair": pair, "parameters": params, "steps": state["step"],
              "train_seconds": round(state["seconds"]), "dev_lines_per_direction": len(dev[a.lang]),
              "dev_chrf_last": round(score, 2), "dev_chrf_best": round(state["best_chrf"], 2),
              "dev_chrf_last_per_target": {k: round(v, 2) for k, v in per.items()},
              "history": state["history"], "runs": state.get("runs", []),
              "samples": [{"to": k, "src": s, "ref": t, "hyp": h}
                          for k in dev for (s, t), h in list(zip(dev[k], hyps[k]))[:6]]}
    with open(os.path.join(work, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    print(json.dumps({k: v for k, v in report.items() if k not in ("history", "samples")}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
