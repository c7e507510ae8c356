#include "kefu/retrieval.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "kefu/text.h"

namespace kefu {
namespace {

// Function words of the ten languages. In a knowledge base of a few hundred sentences their
// idf is not low enough to stop "how can I ..." from matching every "how can I ..." question,
// so their weight is scaled down (not removed: a question may consist of nothing else).
constexpr double kStopwordWeight = 0.2;

bool isStopword(const std::string& token) {
  static const std::set<std::string> kStopwords = {
      // en
      "a",
      "an",
      "the",
      "is",
      "are",
      "was",
      "be",
      "do",
      "does",
      "did",
      "i",
      "me",
      "my",
      "you",
      "your",
      "we",
      "our",
      "it",
      "its",
      "to",
      "of",
      "in",
      "on",
      "for",
      "with",
      "at",
      "by",
      "from",
      "and",
      "or",
      "can",
      "could",
      "would",
      "will",
      "how",
      "what",
      "when",
      "where",
      "which",
      "who",
      "why",
      "this",
      "that",
      "there",
      "have",
      "has",
      "s",
      "t",
      "please",
      "hi",
      "hello",
      // es
      "el",
      "la",
      "los",
      "las",
      "un",
      "una",
      "de",
      "del",
      "en",
      "y",
      "o",
      "que",
      "es",
      "mi",
      "mis",
      "tu",
      "su",
      "se",
      "lo",
      "por",
      "para",
      "con",
      "como",
      "cual",
      "cuando",
      "donde",
      "hay",
      "puedo",
      "al",
      "me",
      "hola",
      // fr
      "le",
      "les",
      "une",
      "des",
      "du",
      "et",
      "ou",
      "est",
      "je",
      "j",
      "mon",
      "ma",
      "mes",
      "vous",
      "votre",
      "vos",
      "il",
      "elle",
      "ce",
      "c",
      "qu",
      "quel",
      "quelle",
      "comment",
      "quand",
      "ou",
      "pour",
      "avec",
      "sur",
      "dans",
      "pas",
      "ne",
      "l",
      "d",
      "puis",
      "bonjour",
      // de
      "der",
      "die",
      "das",
      "den",
      "dem",
      "ein",
      "eine",
      "einen",
      "und",
      "oder",
      "ist",
      "ich",
      "mein",
      "meine",
      "sie",
      "ihr",
      "ihre",
      "wie",
      "was",
      "wann",
      "wo",
      "mit",
      "fur",
      "zu",
      "von",
      "im",
      "auf",
      "kann",
      "hallo",
      // pt
      "os",
      "as",
      "um",
      "uma",
      "do",
      "da",
      "dos",
      "das",
      "no",
      "na",
      "e",
      "eu",
      "meu",
      "minha",
      "voce",
      "qual",
      "quando",
      "onde",
      "com",
      "posso",
      "ola",
      // it
      "il",
      "gli",
      "di",
      "della",
      "del",
      "un",
      "che",
      "e",
      "io",
      "mio",
      "mia",
      "come",
      "quando",
      "dove",
      "per",
      "posso",
      "ciao",
      // nl
      "de",
      "het",
      "een",
      "en",
      "of",
      "is",
      "ik",
      "mijn",
      "u",
      "uw",
      "je",
      "hoe",
      "wat",
      "wanneer",
      "waar",
      "met",
      "voor",
      "van",
      "kan",
      "ik",
      // zh, ja (characters and bigrams produced by the tokeniser)
      "的",
      "了",
      "吗",
      "呢",
      "吧",
      "是",
      "我",
      "你",
      "您",
      "在",
      "有",
      "什",
      "么",
      "什么",
      "怎",
      "怎么",
      "么",
      "の",
      "は",
      "が",
      "を",
      "に",
      "で",
      "と",
      "も",
      "か",
      "で",
      "す",
      "ま",
      "です",
      "ます",
      "すか",
  };
  return kStopwords.count(token) > 0;
}

// Lucene's BM25 idf: always positive, so a term present in every document still counts a bit.
double idf(size_t docs, size_t containing) {
  return std::log(1.0 + (static_cast<double>(docs) - containing + 0.5) / (containing + 0.5));
}

}  // namespace

RetrievalIndex::RetrievalIndex(const KnowledgeBase& kb) {
  std::vector<std::map<std::string, double>> docTerms;
  const std::vector<Entry>& entries = kb.entries();
  for (size_t e = 0; e < entries.size(); ++e) {
    for (const auto& [language, questions] : entries[e].questions) {
      for (const std::string& question : questions) {
        StatusOr<std::vector<std::string>> tokens = tokenize(question);
        if (!tokens.ok()) continue;  // unreachable: the loader validated every question
        std::map<std::string, double> counts;
        for (const std::string& t : *tokens) counts[t] += 1.0;
        paraphrases_.push_back({e, language, question});
        doc_length_.push_back(tokens->size());
        docTerms.push_back(std::move(counts));
      }
    }
  }
  const size_t n = paraphrases_.size();
  if (n == 0) return;
  double total = 0;
  for (size_t len : doc_length_) total += static_cast<double>(len);
  average_length_ = std::max(1.0, total / static_cast<double>(n));
  for (size_t d = 0; d < n; ++d) {
    for (const auto& [token, tf] : docTerms[d]) terms_[token].postings.push_back({d, tf});
  }
  for (auto& [token, term] : terms_) {
    term.idf = idf(n, term.postings.size()) * (isStopword(token) ? kStopwordWeight : 1.0);
  }
  unknown_idf_ = idf(n, 0);
  self_score_.assign(n, 0.0);
  for (size_t d = 0; d < n; ++d) {
    for (const auto& [token, tf] : docTerms[d]) {
      self_score_[d] += termWeight(terms_[token].idf, tf, d);
    }
  }
}

double RetrievalIndex::termWeight(double term_idf, double tf, size_t doc) const {
  const double norm =
      kBm25K1 * (1.0 - kBm25B + kBm25B * static_cast<double>(doc_length_[doc]) / average_length_);
  return term_idf * tf * (kBm25K1 + 1.0) / (tf + norm);
}

std::vector<RetrievalHit> RetrievalIndex::search(const std::vector<std::string>& query_tokens,
                                                 size_t top_k) const {
  std::vector<RetrievalHit> hits;
  if (paraphrases_.empty() || top_k == 0) return hits;
  // Repeating a word does not make a question more about it.
  const std::set<std::string> unique(query_tokens.begin(), query_tokens.end());
  std::vector<double> score(paraphrases_.size(), 0.0);
  std::vector<double> matchedIdf(paraphrases_.size(), 0.0);
  double queryIdf = 0.0;
  for (const std::string& token : unique) {
    auto it = terms_.find(token);
    if (it == terms_.end()) {
      // Words the KB never uses make a match less certain.
      queryIdf += unknown_idf_ * (isStopword(token) ? kStopwordWeight : 1.0);
      continue;
    }
    queryIdf += it->second.idf;
    for (const Posting& p : it->second.postings) {
      score[p.doc] += termWeight(it->second.idf, p.tf, p.doc);
      matchedIdf[p.doc] += it->second.idf;
    }
  }
  if (queryIdf <= 0.0) return hits;

  // Best paraphrase per entry.
  std::map<size_t, RetrievalHit> best;
  for (size_t d = 0; d < paraphrases_.size(); ++d) {
    if (score[d] <= 0.0) continue;
    const double docCoverage = std::min(1.0, score[d] / self_score_[d]);
    const double queryCoverage = std::min(1.0, matchedIdf[d] / queryIdf);
    const double confidence = std::sqrt(docCoverage * queryCoverage);
    const size_t e = paraphrases_[d].entry;
    auto it = best.find(e);
    if (it == best.end() || confidence > it->second.confidence ||
        (confidence == it->second.confidence && score[d] > it->second.score)) {
      best[e] = RetrievalHit{e, d, score[d], confidence};
    }
  }
  for (const auto& [entry, hit] : best) hits.push_back(hit);
  std::stable_sort(hits.begin(), hits.end(), [](const RetrievalHit& a, const RetrievalHit& b) {
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.score > b.score;
  });
  if (hits.size() > top_k) hits.resize(top_k);
  return hits;
}

StatusOr<std::vector<RetrievalHit>> RetrievalIndex::search(std::string_view text,
                                                           size_t top_k) const {
  StatusOr<std::vector<std::string>> tokens = tokenize(text);
  if (!tokens.ok()) return tokens.status();
  return search(*tokens, top_k);
}

}  // namespace kefu
