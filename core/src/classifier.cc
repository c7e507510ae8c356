#include "kefu/classifier.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "kefu/text.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace kefu {
namespace {

constexpr char kMagic[8] = {'K', 'E', 'F', 'U', 'C', 'L', 'S', '1'};
constexpr size_t kMaxStringBytes = 256;

// ---- little-endian byte reader that never reads past its buffer ----------------------------

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t offset() const { return offset_; }
  size_t left() const { return bytes_.size() - offset_; }

  // out_of_range naming `what` when fewer than `size` bytes are left.
  Status need(uint64_t size, const std::string& what) const {
    if (size > left()) {
      return outOfRangeError("model truncated: " + what + " needs " + std::to_string(size) +
                             " bytes at offset " + std::to_string(offset_) + ", only " +
                             std::to_string(left()) + " left");
    }
    return okStatus();
  }

  Status u8(uint8_t& v, const std::string& what) {
    KEFU_RETURN_IF_ERROR(need(1, what));
    v = static_cast<uint8_t>(bytes_[offset_++]);
    return okStatus();
  }
  Status u16(uint16_t& v, const std::string& what) {
    KEFU_RETURN_IF_ERROR(need(2, what));
    v = static_cast<uint16_t>(byte(0) | (byte(1) << 8));
    offset_ += 2;
    return okStatus();
  }
  Status u32(uint32_t& v, const std::string& what) {
    KEFU_RETURN_IF_ERROR(need(4, what));
    v = byte(0) | (byte(1) << 8) | (byte(2) << 16) | (static_cast<uint32_t>(byte(3)) << 24);
    offset_ += 4;
    return okStatus();
  }
  Status u64(uint64_t& v, const std::string& what) {
    uint32_t lo = 0, hi = 0;
    KEFU_RETURN_IF_ERROR(u32(lo, what));
    KEFU_RETURN_IF_ERROR(u32(hi, what));
    v = lo | (static_cast<uint64_t>(hi) << 32);
    return okStatus();
  }
  Status f32(float& v, const std::string& what) {
    uint32_t bits = 0;
    KEFU_RETURN_IF_ERROR(u32(bits, what));
    std::memcpy(&v, &bits, 4);
    return okStatus();
  }
  // A u16-length-prefixed UTF-8 string of at most kMaxStringBytes.
  Status str(std::string& v, const std::string& what) {
    uint16_t size = 0;
    KEFU_RETURN_IF_ERROR(u16(size, what + " length"));
    if (size > kMaxStringBytes) {
      return invalidArgumentError("model: " + what + " is " + std::to_string(size) +
                                  " bytes, the limit is " + std::to_string(kMaxStringBytes));
    }
    KEFU_RETURN_IF_ERROR(need(size, what));
    v.assign(bytes_.data() + offset_, size);
    offset_ += size;
    KEFU_RETURN_IF_ERROR(validateUtf8(v, "model: " + what));
    return okStatus();
  }
  Status floats(std::vector<float>& v, uint64_t count, const std::string& what) {
    KEFU_RETURN_IF_ERROR(need(count * 4, what));
    v.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t bits =
          byte(0) | (byte(1) << 8) | (byte(2) << 16) | (static_cast<uint32_t>(byte(3)) << 24);
      std::memcpy(&v[i], &bits, 4);
      offset_ += 4;
    }
    return okStatus();
  }
  Status int8s(std::vector<int8_t>& v, uint64_t count, const std::string& what) {
    KEFU_RETURN_IF_ERROR(need(count, what));
    v.resize(count);
    if (count > 0) std::memcpy(v.data(), bytes_.data() + offset_, count);
    offset_ += count;
    return okStatus();
  }

 private:
  uint32_t byte(size_t k) const { return static_cast<unsigned char>(bytes_[offset_ + k]); }

  std::string_view bytes_;
  size_t offset_ = 0;
};

// ---- writer ---------------------------------------------------------------------------------

void putU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
void putU16(std::string& out, uint16_t v) {
  putU8(out, v & 0xFF);
  putU8(out, v >> 8);
}
void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) putU8(out, static_cast<uint8_t>(v >> (8 * i)));
}
void putU64(std::string& out, uint64_t v) {
  putU32(out, static_cast<uint32_t>(v));
  putU32(out, static_cast<uint32_t>(v >> 32));
}
void putF32(std::string& out, float v) {
  uint32_t bits = 0;
  std::memcpy(&bits, &v, 4);
  putU32(out, bits);
}
void putStr(std::string& out, const std::string& s) {
  putU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

bool allFinite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

// ---- kernels: contiguous loops the compiler vectorises; explicit SIMD128 in wasm ----------

// acc[j] += scale * row[j]
inline void addScaledRow(float* __restrict acc, const int8_t* __restrict row, float scale,
                         uint32_t dim) {
  uint32_t j = 0;
#ifdef __wasm_simd128__
  const v128_t s = wasm_f32x4_splat(scale);
  for (; j + 16 <= dim; j += 16) {
    const v128_t bytes = wasm_v128_load(row + j);
    const v128_t lo16 = wasm_i16x8_extend_low_i8x16(bytes);
    const v128_t hi16 = wasm_i16x8_extend_high_i8x16(bytes);
    const v128_t q0 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(lo16));
    const v128_t q1 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(lo16));
    const v128_t q2 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(hi16));
    const v128_t q3 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(hi16));
    wasm_v128_store(acc + j, wasm_f32x4_add(wasm_v128_load(acc + j), wasm_f32x4_mul(q0, s)));
    wasm_v128_store(acc + j + 4,
                    wasm_f32x4_add(wasm_v128_load(acc + j + 4), wasm_f32x4_mul(q1, s)));
    wasm_v128_store(acc + j + 8,
                    wasm_f32x4_add(wasm_v128_load(acc + j + 8), wasm_f32x4_mul(q2, s)));
    wasm_v128_store(acc + j + 12,
                    wasm_f32x4_add(wasm_v128_load(acc + j + 12), wasm_f32x4_mul(q3, s)));
  }
#endif
  for (; j < dim; ++j) acc[j] += scale * static_cast<float>(row[j]);
}

inline float dot(const float* __restrict a, const float* __restrict b, uint32_t n) {
  uint32_t j = 0;
  float sum = 0.0f;
#ifdef __wasm_simd128__
  v128_t s = wasm_f32x4_splat(0.0f);
  for (; j + 4 <= n; j += 4) {
    s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
  }
  sum = wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) +
        wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
#else
  // Four partial sums let the compiler vectorise without -ffast-math.
  float p[4] = {0, 0, 0, 0};
  for (; j + 4 <= n; j += 4) {
    p[0] += a[j] * b[j];
    p[1] += a[j + 1] * b[j + 1];
    p[2] += a[j + 2] * b[j + 2];
    p[3] += a[j + 3] * b[j + 3];
  }
  sum = (p[0] + p[1]) + (p[2] + p[3]);
#endif
  for (; j < n; ++j) sum += a[j] * b[j];
  return sum;
}

Status checkedProduct(uint64_t a, uint64_t b, uint64_t limit, const std::string& what) {
  if (a != 0 && b > limit / a) {
    return invalidArgumentError("model: " + what + " (" + std::to_string(a) + " x " +
                                std::to_string(b) + ") is absurdly large");
  }
  return okStatus();
}

}  // namespace

const HeadPrediction* Prediction::find(std::string_view name) const {
  for (const HeadPrediction& h : heads) {
    if (h.head == name) return &h;
  }
  return nullptr;
}

std::vector<float> softmaxWithTemperature(const std::vector<float>& logits, float temperature) {
  std::vector<float> p(logits.size());
  if (logits.empty()) return p;
  const float inv = temperature > 0.0f && std::isfinite(temperature) ? 1.0f / temperature : 1.0f;
  const float top = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (size_t i = 0; i < logits.size(); ++i) {
    p[i] = std::exp((logits[i] - top) * inv);
    sum += p[i];
  }
  for (float& x : p) x = static_cast<float>(x / sum);
  return p;
}

StatusOr<TextClassifier> TextClassifier::load(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    if (bytes.size() < sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, bytes.size()) == 0) {
      return outOfRangeError("model truncated: magic needs 8 bytes, only " +
                             std::to_string(bytes.size()) + " present");
    }
    return invalidArgumentError("model: not a Kefu classifier (magic \"KEFUCLS1\" missing)");
  }
  Reader r(bytes.substr(sizeof(kMagic)));
  TextClassifier m;
  uint32_t version = 0, flags = 0;
  KEFU_RETURN_IF_ERROR(r.u32(version, "format version"));
  if (version != kClassifierFormatVersion) {
    return invalidArgumentError("model: format version " + std::to_string(version) +
                                " is not supported (this core reads " +
                                std::to_string(kClassifierFormatVersion) + ")");
  }
  KEFU_RETURN_IF_ERROR(r.u32(flags, "flags"));
  if (flags != 0) return invalidArgumentError("model: unknown flags " + std::to_string(flags));

  FeatureConfig& f = m.features_;
  uint8_t fold = 0, reserved = 0;
  KEFU_RETURN_IF_ERROR(r.u32(f.buckets, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u32(f.seed, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(f.word_ngrams, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(f.char_min, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(f.char_max, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(f.cjk_min, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(f.cjk_max, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(fold, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(reserved, "feature config"));
  KEFU_RETURN_IF_ERROR(r.u8(reserved, "feature config"));
  if (fold > 1) return invalidArgumentError("model: fold_digits must be 0 or 1");
  f.fold_digits = fold == 1;
  {
    Status s = f.validate();
    if (!s.ok()) return invalidArgumentError("model: " + s.message());
  }

  uint32_t head_count = 0;
  KEFU_RETURN_IF_ERROR(r.u32(m.dim_, "dimensions"));
  KEFU_RETURN_IF_ERROR(r.u32(m.hidden_, "dimensions"));
  KEFU_RETURN_IF_ERROR(r.u32(head_count, "dimensions"));
  if (m.dim_ == 0 || m.dim_ > kMaxClassifierDim) {
    return invalidArgumentError("model: dim " + std::to_string(m.dim_) + " is outside 1.." +
                                std::to_string(kMaxClassifierDim));
  }
  if (m.hidden_ > kMaxClassifierHidden) {
    return invalidArgumentError("model: hidden size " + std::to_string(m.hidden_) + " exceeds " +
                                std::to_string(kMaxClassifierHidden));
  }
  if (head_count == 0 || head_count > kMaxClassifierHeads) {
    return invalidArgumentError("model: head count " + std::to_string(head_count) +
                                " is outside 1.." + std::to_string(kMaxClassifierHeads));
  }
  KEFU_RETURN_IF_ERROR(checkedProduct(f.buckets, m.dim_, kMaxEmbeddingCells, "embedding table"));
  KEFU_RETURN_IF_ERROR(r.str(m.version_, "version string"));

  for (uint32_t h = 0; h < head_count; ++h) {
    ClassifierHead head;
    const std::string where = "head " + std::to_string(h);
    KEFU_RETURN_IF_ERROR(r.str(head.name, where + " name"));
    if (head.name.empty()) return invalidArgumentError("model: " + where + " has an empty name");
    for (const ClassifierHead& other : m.heads_) {
      if (other.name == head.name) {
        return invalidArgumentError("model: head \"" + head.name + "\" appears twice");
      }
    }
    KEFU_RETURN_IF_ERROR(r.f32(head.temperature, where + " temperature"));
    if (!std::isfinite(head.temperature) || head.temperature <= 0.0f) {
      return invalidArgumentError("model: head \"" + head.name +
                                  "\" temperature must be finite and > 0");
    }
    uint32_t label_count = 0;
    KEFU_RETURN_IF_ERROR(r.u32(label_count, where + " label count"));
    if (label_count < 2 || label_count > kMaxClassifierLabels) {
      return invalidArgumentError("model: head \"" + head.name + "\" has " +
                                  std::to_string(label_count) + " labels, expected 2.." +
                                  std::to_string(kMaxClassifierLabels));
    }
    // Each label needs at least its 2-byte length: refuse counts the buffer cannot hold before
    // reserving memory for them.
    KEFU_RETURN_IF_ERROR(r.need(uint64_t{label_count} * 2, "labels of head \"" + head.name + "\""));
    head.labels.reserve(label_count);
    for (uint32_t l = 0; l < label_count; ++l) {
      std::string label;
      KEFU_RETURN_IF_ERROR(
          r.str(label, "label " + std::to_string(l) + " of head \"" + head.name + "\""));
      if (label.empty()) {
        return invalidArgumentError("model: head \"" + head.name + "\" has an empty label");
      }
      head.labels.push_back(std::move(label));
    }
    std::vector<std::string> sorted = head.labels;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return invalidArgumentError("model: head \"" + head.name + "\" repeats a label");
    }
    m.heads_.push_back(std::move(head));
  }

  const uint64_t rows = f.buckets;
  KEFU_RETURN_IF_ERROR(r.floats(m.row_scale_, rows, "embedding row scales"));
  for (float s : m.row_scale_) {
    if (!std::isfinite(s) || s < 0.0f) {
      return invalidArgumentError("model: an embedding row scale is negative or not finite");
    }
  }
  KEFU_RETURN_IF_ERROR(r.int8s(m.embedding_, rows * m.dim_, "embedding table"));
  uint32_t input = m.dim_;
  if (m.hidden_ > 0) {
    KEFU_RETURN_IF_ERROR(
        r.floats(m.hidden_weights_, uint64_t{m.hidden_} * m.dim_, "hidden layer weights"));
    KEFU_RETURN_IF_ERROR(r.floats(m.hidden_bias_, m.hidden_, "hidden layer bias"));
    input = m.hidden_;
  }
  m.head_weights_.resize(head_count);
  m.head_bias_.resize(head_count);
  for (uint32_t h = 0; h < head_count; ++h) {
    const uint64_t labels = m.heads_[h].labels.size();
    const std::string name = "head \"" + m.heads_[h].name + "\"";
    KEFU_RETURN_IF_ERROR(r.floats(m.head_weights_[h], labels * input, name + " weights"));
    KEFU_RETURN_IF_ERROR(r.floats(m.head_bias_[h], labels, name + " bias"));
  }
  const size_t body = sizeof(kMagic) + r.offset();
  uint64_t stored = 0;
  KEFU_RETURN_IF_ERROR(r.u64(stored, "checksum"));
  if (r.left() != 0) {
    return dataLossError("model: " + std::to_string(r.left()) +
                         " unexpected bytes after the checksum");
  }
  const uint64_t actual = fnv1a64(bytes.data(), body);
  if (actual != stored) {
    return dataLossError("model: checksum mismatch (the file is corrupted)");
  }
  return m;
}

StatusOr<std::string> TextClassifier::encode(const ClassifierWeights& w) {
  KEFU_RETURN_IF_ERROR(w.features.validate());
  if (w.dim == 0 || w.dim > kMaxClassifierDim) return invalidArgumentError("encode: bad dim");
  if (w.hidden > kMaxClassifierHidden) return invalidArgumentError("encode: bad hidden size");
  if (w.heads.empty() || w.heads.size() > kMaxClassifierHeads) {
    return invalidArgumentError("encode: need 1..16 heads");
  }
  KEFU_RETURN_IF_ERROR(
      checkedProduct(w.features.buckets, w.dim, kMaxEmbeddingCells, "embedding table"));
  const uint64_t rows = w.features.buckets;
  if (w.embedding.size() != rows * w.dim) {
    return invalidArgumentError("encode: embedding has " + std::to_string(w.embedding.size()) +
                                " values, expected buckets x dim");
  }
  const uint32_t input = w.hidden > 0 ? w.hidden : w.dim;
  if (w.hidden > 0 &&
      (w.hidden_weights.size() != uint64_t{w.hidden} * w.dim || w.hidden_bias.size() != w.hidden)) {
    return invalidArgumentError("encode: hidden layer sizes disagree with hidden x dim");
  }
  if (w.head_weights.size() != w.heads.size() || w.head_bias.size() != w.heads.size()) {
    return invalidArgumentError("encode: one weight matrix and bias per head expected");
  }
  if (w.version.size() > kMaxStringBytes) return invalidArgumentError("encode: version too long");
  for (size_t h = 0; h < w.heads.size(); ++h) {
    const ClassifierHead& head = w.heads[h];
    if (head.name.empty() || head.name.size() > kMaxStringBytes) {
      return invalidArgumentError("encode: bad head name");
    }
    if (head.labels.size() < 2 || head.labels.size() > kMaxClassifierLabels) {
      return invalidArgumentError("encode: head " + head.name + " needs 2.." +
                                  std::to_string(kMaxClassifierLabels) + " labels");
    }
    for (const std::string& l : head.labels) {
      if (l.empty() || l.size() > kMaxStringBytes) {
        return invalidArgumentError("encode: head " + head.name + " has a bad label");
      }
    }
    if (!std::isfinite(head.temperature) || head.temperature <= 0.0f) {
      return invalidArgumentError("encode: head " + head.name + " temperature must be > 0");
    }
    if (w.head_weights[h].size() != head.labels.size() * input ||
        w.head_bias[h].size() != head.labels.size()) {
      return invalidArgumentError("encode: head " + head.name + " weights disagree with sizes");
    }
    if (!allFinite(w.head_weights[h]) || !allFinite(w.head_bias[h])) {
      return invalidArgumentError("encode: head " + head.name + " has non-finite weights");
    }
  }
  if (!allFinite(w.embedding) || !allFinite(w.hidden_weights) || !allFinite(w.hidden_bias)) {
    return invalidArgumentError("encode: non-finite weights");
  }

  std::string out(kMagic, sizeof(kMagic));
  putU32(out, kClassifierFormatVersion);
  putU32(out, 0);  // flags
  const FeatureConfig& f = w.features;
  putU32(out, f.buckets);
  putU32(out, f.seed);
  putU8(out, f.word_ngrams);
  putU8(out, f.char_min);
  putU8(out, f.char_max);
  putU8(out, f.cjk_min);
  putU8(out, f.cjk_max);
  putU8(out, f.fold_digits ? 1 : 0);
  putU8(out, 0);
  putU8(out, 0);
  putU32(out, w.dim);
  putU32(out, w.hidden);
  putU32(out, static_cast<uint32_t>(w.heads.size()));
  putStr(out, w.version);
  for (const ClassifierHead& head : w.heads) {
    putStr(out, head.name);
    putF32(out, head.temperature);
    putU32(out, static_cast<uint32_t>(head.labels.size()));
    for (const std::string& l : head.labels) putStr(out, l);
  }
  // Symmetric int8 per row: scale = max|x| / 127, so each row keeps its own dynamic range
  // (frequent and rare features differ by orders of magnitude).
  std::vector<int8_t> q(rows * w.dim);
  std::vector<float> scales(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    const float* row = &w.embedding[r * w.dim];
    float top = 0.0f;
    for (uint32_t j = 0; j < w.dim; ++j) top = std::max(top, std::fabs(row[j]));
    const float scale = top / 127.0f;
    scales[r] = scale;
    for (uint32_t j = 0; j < w.dim; ++j) {
      const float v = scale > 0.0f ? std::nearbyint(row[j] / scale) : 0.0f;
      q[r * w.dim + j] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, v)));
    }
  }
  for (float s : scales) putF32(out, s);
  out.append(reinterpret_cast<const char*>(q.data()), q.size());
  for (float v : w.hidden_weights) putF32(out, v);
  for (float v : w.hidden_bias) putF32(out, v);
  for (size_t h = 0; h < w.heads.size(); ++h) {
    for (float v : w.head_weights[h]) putF32(out, v);
    for (float v : w.head_bias[h]) putF32(out, v);
  }
  putU64(out, fnv1a64(out.data(), out.size()));
  return out;
}

void TextClassifier::logitsOfFeatures(const uint32_t* ids, size_t count,
                                      std::vector<std::vector<float>>& out) const {
  std::vector<float> acc(dim_, 0.0f);
  size_t used = 0;
  const uint32_t buckets = features_.buckets;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t id = ids[i];
    if (id >= buckets) continue;
    addScaledRow(acc.data(), &embedding_[size_t{id} * dim_], row_scale_[id], dim_);
    ++used;
  }
  if (used > 0) {
    const float inv = 1.0f / static_cast<float>(used);
    for (float& a : acc) a *= inv;
  }
  const float* input = acc.data();
  uint32_t input_size = dim_;
  std::vector<float> hidden;
  if (hidden_ > 0) {
    hidden.resize(hidden_);
    for (uint32_t k = 0; k < hidden_; ++k) {
      const float v = hidden_bias_[k] + dot(&hidden_weights_[size_t{k} * dim_], acc.data(), dim_);
      hidden[k] = v > 0.0f ? v : 0.0f;
    }
    input = hidden.data();
    input_size = hidden_;
  }
  out.resize(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) {
    const size_t labels = heads_[h].labels.size();
    out[h].resize(labels);
    const float* weights = head_weights_[h].data();
    for (size_t l = 0; l < labels; ++l) {
      out[h][l] = head_bias_[h][l] + dot(weights + l * input_size, input, input_size);
    }
  }
}

StatusOr<std::vector<std::vector<float>>> TextClassifier::logits(std::string_view text) const {
  StatusOr<std::vector<uint32_t>> ids = textFeatures(text, features_);
  if (!ids.ok()) return ids.status();
  std::vector<std::vector<float>> out;
  logitsOfFeatures(ids->data(), ids->size(), out);
  return out;
}

StatusOr<Prediction> TextClassifier::classify(std::string_view text, size_t top_k) const {
  StatusOr<std::vector<std::vector<float>>> raw = logits(text);
  if (!raw.ok()) return raw.status();
  Prediction prediction;
  prediction.heads.reserve(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) {
    const ClassifierHead& head = heads_[h];
    const std::vector<float> p = softmaxWithTemperature((*raw)[h], head.temperature);
    std::vector<size_t> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    const size_t k = std::min(std::max<size_t>(top_k, 1), p.size());
    // Ties keep label order, so equal inputs always give equal outputs.
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](size_t a, size_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    HeadPrediction hp;
    hp.head = head.name;
    hp.label = head.labels[order[0]];
    hp.probability = p[order[0]];
    for (size_t i = 0; i < k; ++i) hp.top.push_back({head.labels[order[i]], p[order[i]]});
    prediction.heads.push_back(std::move(hp));
  }
  return prediction;
}

}  // namespace kefu
