#include "kefu/text_features.h"

#include <string>

#include "kefu/text.h"

namespace kefu {
namespace {

constexpr uint64_t kFnv64Prime = 0x100000001b3ull;

// Feature kinds; each hashes from its own basis so that, e.g., the word "a" and the character
// unigram "a" land in unrelated buckets.
enum Kind : uint8_t {
  kWordUnigram = 1,
  kWordBigram = 2,
  kCharNgram = 16,  // + n
  kCjkNgram = 32,   // + n
};

// Bytes that never occur in normalised text (controls are removed), used as markers.
constexpr unsigned char kBeginMarker = 0x02;
constexpr unsigned char kEndMarker = 0x03;
constexpr unsigned char kWordJoin = 0x1F;

// murmur3's fmix64: FNV-1a's low bits are weak for short keys; this spreads them.
inline uint64_t finalize(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t step(uint64_t h, unsigned char byte) { return (h ^ byte) * kFnv64Prime; }

inline uint64_t kindBasis(uint32_t seed, uint8_t kind) {
  uint64_t h = kFnv64Offset;
  for (int i = 0; i < 4; ++i) h = step(h, static_cast<unsigned char>(seed >> (8 * i)));
  return step(h, kind);
}

inline uint32_t bucketOf(uint64_t h, uint32_t buckets) {
  return static_cast<uint32_t>(finalize(h) % buckets);
}

// Length of the UTF-8 sequence led by `b` (input is valid UTF-8 from normalize()).
inline size_t seqLength(unsigned char b) {
  if (b < 0x80) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

// True for a chunk of Han/Kana (normalize() separates them from every other class), whose
// words are not delimited by spaces.
bool isHanOrKanaChunk(std::string_view chunk) {
  const auto b = [&](size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(chunk[k]));
  };
  if (chunk.empty()) return false;
  const size_t len = seqLength(static_cast<unsigned char>(chunk[0]));
  if (len > chunk.size()) return false;
  char32_t c = 0;
  switch (len) {
    case 1:
      return false;
    case 2:
      return false;  // U+0080..U+07FF: no Han/Kana there
    case 3:
      c = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
      break;
    default:
      c = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
  return (c >= 0x3005 && c <= 0x3007) || (c >= 0x3041 && c <= 0x30FF) ||
         (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || c >= 0x20000;
}

// Character n-grams over "<chunk>" for n in [lo, hi].
void appendCharNgrams(std::string_view chunk, uint8_t kind_base, uint8_t lo, uint8_t hi,
                      const FeatureConfig& config, std::vector<uint32_t>& out) {
  if (lo == 0 || hi < lo) return;
  // Byte offsets of the code points, with virtual markers at positions 0 and count+1.
  size_t starts[64];  // enough for almost every word; longer ones use `heap`
  std::vector<size_t> heap;
  size_t* pos = starts;
  size_t count = 0;
  for (size_t i = 0; i < chunk.size(); i += seqLength(static_cast<unsigned char>(chunk[i]))) {
    ++count;
  }
  if (count + 1 > 64) {
    heap.resize(count + 1);
    pos = heap.data();
  }
  {
    size_t k = 0;
    for (size_t i = 0; i < chunk.size(); i += seqLength(static_cast<unsigned char>(chunk[i]))) {
      pos[k++] = i;
    }
    pos[k] = chunk.size();
  }
  const size_t symbols = count + 2;  // marker, code points, marker
  for (uint8_t n = lo; n <= hi; ++n) {
    if (n > symbols) break;
    const uint64_t basis = kindBasis(config.seed, static_cast<uint8_t>(kind_base + n));
    for (size_t s = 0; s + n <= symbols; ++s) {
      // Windows made only of markers carry no information ("<" alone, or "<>" for n=2 of an
      // empty chunk, which cannot occur).
      if (n == 1 && (s == 0 || s == symbols - 1)) continue;
      uint64_t h = basis;
      for (size_t sym = s; sym < s + n; ++sym) {
        if (sym == 0) {
          h = step(h, kBeginMarker);
        } else if (sym == symbols - 1) {
          h = step(h, kEndMarker);
        } else {
          for (size_t i = pos[sym - 1]; i < pos[sym]; ++i) {
            unsigned char byte = static_cast<unsigned char>(chunk[i]);
            if (config.fold_digits && byte >= '1' && byte <= '9') byte = '0';
            h = step(h, byte);
          }
        }
      }
      out.push_back(bucketOf(h, config.buckets));
    }
  }
}

uint64_t hashBytes(uint64_t h, std::string_view s) {
  for (char c : s) h = step(h, static_cast<unsigned char>(c));
  return h;
}

}  // namespace

uint64_t fnv1a64(const void* bytes, size_t size, uint64_t state) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < size; ++i) state = step(state, p[i]);
  return state;
}

Status FeatureConfig::validate() const {
  if (buckets == 0 || buckets > kMaxFeatureBuckets) {
    return invalidArgumentError("features: buckets must be 1.." +
                                std::to_string(kMaxFeatureBuckets) + ", got " +
                                std::to_string(buckets));
  }
  if (word_ngrams > 2) return invalidArgumentError("features: word_ngrams must be 0, 1 or 2");
  if (char_max > kMaxCharNgram || (char_min > 0 && char_max < char_min) ||
      (char_min == 0 && char_max != 0)) {
    return invalidArgumentError(
        "features: char n-gram range must be 0 (none) or 1 <= min <= max <= 8");
  }
  if (cjk_max > kMaxCharNgram || (cjk_min > 0 && cjk_max < cjk_min) ||
      (cjk_min == 0 && cjk_max != 0)) {
    return invalidArgumentError(
        "features: cjk n-gram range must be 0 (none) or 1 <= min <= max <= 8");
  }
  if (word_ngrams == 0 && char_min == 0 && cjk_min == 0) {
    return invalidArgumentError("features: every feature kind is disabled");
  }
  return okStatus();
}

bool FeatureConfig::operator==(const FeatureConfig& o) const {
  return buckets == o.buckets && seed == o.seed && word_ngrams == o.word_ngrams &&
         char_min == o.char_min && char_max == o.char_max && cjk_min == o.cjk_min &&
         cjk_max == o.cjk_max && fold_digits == o.fold_digits;
}

void appendFeatures(std::string_view normalized, const FeatureConfig& config,
                    std::vector<uint32_t>& out) {
  const uint64_t unigram_basis = kindBasis(config.seed, kWordUnigram);
  const uint64_t bigram_basis = kindBasis(config.seed, kWordBigram);
  std::string_view previous;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    const std::string_view chunk = normalized.substr(start, end - start);
    start = end + 1;
    if (chunk.empty()) continue;
    if (config.word_ngrams >= 1) {
      out.push_back(bucketOf(hashBytes(unigram_basis, chunk), config.buckets));
      if (config.word_ngrams >= 2 && !previous.empty()) {
        uint64_t h = hashBytes(bigram_basis, previous);
        h = step(h, kWordJoin);
        out.push_back(bucketOf(hashBytes(h, chunk), config.buckets));
      }
    }
    previous = chunk;
    if (isHanOrKanaChunk(chunk)) {
      appendCharNgrams(chunk, kCjkNgram, config.cjk_min, config.cjk_max, config, out);
    } else {
      appendCharNgrams(chunk, kCharNgram, config.char_min, config.char_max, config, out);
    }
  }
}

StatusOr<std::vector<uint32_t>> textFeatures(std::string_view text, const FeatureConfig& config) {
  KEFU_RETURN_IF_ERROR(config.validate());
  if (text.size() > kMaxMessageBytes) {
    return outOfRangeError("text is " + std::to_string(text.size()) + " bytes, the limit is " +
                           std::to_string(kMaxMessageBytes));
  }
  StatusOr<std::string> normalized = normalize(text);
  if (!normalized.ok()) return normalized.status();
  std::vector<uint32_t> ids;
  ids.reserve(normalized->size() * 4 + 8);
  appendFeatures(*normalized, config, ids);
  return ids;
}

}  // namespace kefu
