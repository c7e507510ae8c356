"""chrF (character n-gram F-score, n = 1..6, beta 2 — sacreBLEU's chrF2 without its word
n-grams): the quality metric of every translation report in Kefu. Standard library only, so
the benchmark can score Apertium and the shipped runtime without PyTorch."""
from collections import Counter


def _ngrams(text, n):
    text = text.replace(" ", "")
    return Counter(text[i:i + n] for i in range(len(text) - n + 1))


def chrf(hypotheses, references, max_n=6, beta=2.0):
    """Corpus-level chrF: character n-gram precision and recall (n = 1..6) averaged over n,
    combined with recall weighted beta times as much as precision; 0..100."""
    match = [0] * max_n
    hyp_total = [0] * max_n
    ref_total = [0] * max_n
    for hyp, ref in zip(hypotheses, references):
        for n in range(1, max_n + 1):
            h, r = _ngrams(hyp, n), _ngrams(ref, n)
            match[n - 1] += sum((h & r).values())
            hyp_total[n - 1] += sum(h.values())
            ref_total[n - 1] += sum(r.values())
    precision = sum(m / t if t else 0.0 for m, t in zip(match, hyp_total)) / max_n
    recall = sum(m / t if t else 0.0 for m, t in zip(match, ref_total)) / max_n
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return 100.0 * (1 + b2) * precision * recall / (b2 * precision + recall)
