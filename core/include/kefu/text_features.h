// Hashed text features for the compact classifiers (language id, intent, sentiment, urgency):
// the ONE implementation that both the native trainer (tools/) and inference (TextClassifier)
// call, so a model always sees at inference exactly the features it was trained on. The config
// travels inside every model file.
//
//   kefu::FeatureConfig config;                       // defaults: see the fields
//   config.buckets = 1 << 16;
//   auto ids = kefu::textFeatures("Where is my order?", config);
//   if (!ids.ok()) return ids.status();              // invalid_argument (bad UTF-8) / out_of_range
//   for (uint32_t id : *ids) use(id);                 // each id < config.buckets
//
// Features of normalised text (kefu::normalize), one id per occurrence:
//   - word unigrams (word_ngrams >= 1) and adjacent word bigrams (word_ngrams >= 2);
//   - for alphabetic and Hangul words: character n-grams, n = char_min..char_max, over the word
//     wrapped in begin/end markers (fastText's "<word>"), windows made only of markers skipped;
//   - for Han/Kana runs (no spaces between words): character n-grams, n = cjk_min..cjk_max,
//     over the run wrapped in markers;
//   - with fold_digits, every ASCII digit hashes as '0' inside character n-grams, so order
//     numbers share their shape ("a4821" and "b1234" share "0000").
// Each feature kind (and each n) hashes with its own seed: FNV-1a 64 over the bytes, then a
// 64-bit finaliser, modulo `buckets`.
#ifndef KEFU_TEXT_FEATURES_H_
#define KEFU_TEXT_FEATURES_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "kefu/status.h"

namespace kefu {

// Upper bounds a config (and therefore a model file) may use; larger values are refused as
// absurd rather than allocated.
constexpr uint32_t kMaxFeatureBuckets = 1u << 24;
constexpr uint8_t kMaxCharNgram = 8;

struct FeatureConfig {
  uint32_t buckets = 1u << 16;  // size of the hashed feature space (embedding rows)
  uint32_t seed = 0;            // mixed into every hash; changes the bucket layout
  uint8_t word_ngrams = 2;      // 0: no word features, 1: unigrams, 2: unigrams + bigrams
  uint8_t char_min = 1;         // character n-grams of alphabetic/Hangul words; 0 = none
  uint8_t char_max = 4;
  uint8_t cjk_min = 1;  // character n-grams of Han/Kana runs; 0 = none
  uint8_t cjk_max = 3;
  bool fold_digits = true;

  // Returns ok, or invalid_argument naming the field that is out of range.
  Status validate() const;
  bool operator==(const FeatureConfig& other) const;
  bool operator!=(const FeatureConfig& other) const { return !(*this == other); }
};

// Appends the feature ids of `normalized` (the output of kefu::normalize) to `out`. The config
// must be valid (validate()). Never fails.
void appendFeatures(std::string_view normalized, const FeatureConfig& config,
                    std::vector<uint32_t>& out);

// normalize() then appendFeatures() into a fresh vector. Fails with invalid_argument on invalid
// UTF-8 or an invalid config, out_of_range for text longer than kMaxMessageBytes.
StatusOr<std::vector<uint32_t>> textFeatures(std::string_view text, const FeatureConfig& config);

// FNV-1a 64-bit hash of `bytes` continuing from `state` (start with kFnv64Offset); the model
// checksum uses it too. Never fails.
constexpr uint64_t kFnv64Offset = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void* bytes, size_t size, uint64_t state = kFnv64Offset);

}  // namespace kefu

#endif  // KEFU_TEXT_FEATURES_H_
