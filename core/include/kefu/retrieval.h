// FAQ retrieval: Okapi BM25 over the normalised tokens of every question paraphrase of every
// entry, in every language (one document per paraphrase). An entry is represented by its
// best-matching paraphrase. Each hit carries the raw BM25 score and a confidence in 0..1 that
// is comparable across queries (formula in docs/core.md, "Retrieval confidence").
//
//   kefu::RetrievalIndex index(kb);                      // built once per knowledge base
//   auto hits = index.search("how long is shipping to spain", 3);
//   if (hits.ok() && !hits->empty()) use(kb.entries()[(*hits)[0].entry], (*hits)[0].confidence);
#ifndef KEFU_RETRIEVAL_H_
#define KEFU_RETRIEVAL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kefu/knowledge_base.h"
#include "kefu/status.h"

namespace kefu {

// BM25 term-frequency saturation; the usual 1.2 suits one-sentence documents.
constexpr double kBm25K1 = 1.2;
// BM25 length normalisation; 0.75 is the standard value and keeps long paraphrases from winning
// on sheer size.
constexpr double kBm25B = 0.75;

// One question paraphrase: the retrieval document.
struct Paraphrase {
  size_t entry = 0;      // index into KnowledgeBase::entries()
  std::string language;  // the questions.<language> list it came from
  std::string text;      // as written in the knowledge base
};

struct RetrievalHit {
  size_t entry = 0;         // index into KnowledgeBase::entries()
  size_t paraphrase = 0;    // index into RetrievalIndex::paraphrases(): the best one
  double score = 0.0;       // raw BM25 score of that paraphrase
  double confidence = 0.0;  // 0..1, see docs/core.md
};

class RetrievalIndex {
 public:
  // An index with no documents: every search returns nothing.
  RetrievalIndex() = default;
  // Indexes every paraphrase of `kb` (which validated that each one has tokens). Never fails.
  explicit RetrievalIndex(const KnowledgeBase& kb);

  // Ranked entries (best first, at most `top_k`, confidence > 0 only) for already tokenised
  // query text. Ranking is by confidence, then raw score, then entry order. Never fails.
  std::vector<RetrievalHit> search(const std::vector<std::string>& query_tokens,
                                   size_t top_k) const;
  // Normalises and tokenises `text`, then searches. Fails with invalid_argument on bad UTF-8.
  StatusOr<std::vector<RetrievalHit>> search(std::string_view text, size_t top_k) const;

  const std::vector<Paraphrase>& paraphrases() const { return paraphrases_; }

 private:
  struct Posting {
    size_t doc;
    double tf;
  };
  struct Term {
    double idf = 0.0;
    std::vector<Posting> postings;
  };

  double termWeight(double idf, double tf, size_t doc) const;

  std::vector<Paraphrase> paraphrases_;
  std::vector<size_t> doc_length_;
  std::vector<double> self_score_;  // BM25 of each document against its own unique terms
  std::unordered_map<std::string, Term> terms_;
  double average_length_ = 1.0;
  double unknown_idf_ = 0.0;  // idf a term that no document contains would get
};

}  // namespace kefu

#endif  // KEFU_RETRIEVAL_H_
