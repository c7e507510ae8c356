#include "kefu/translator.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "kefu/taxonomy.h"
#include "kefu/text.h"
#include "text_internal.h"

namespace kefu {

// The loaded SentencePiece model and the ids of its special pieces, shared by every job.
class TranslationModel {
 public:
  sentencepiece::SentencePieceProcessor sp;
  std::string pair_lang;
  int vocab = 0;
  int pad = 0, unk = 1, bos = 2, eos = 3;
  int tag_en = -1, tag_xx = -1, formal = -1, informal = -1;
  std::array<int, kMaxPlaceholders + 1> placeholder{};  // [k] = id of ⟦k⟧
  std::vector<int8_t> placeholder_of;  // id -> k (0 = not a placeholder)
  std::vector<char> never;             // ids the decoder may never emit
  std::vector<int32_t> never_ids;      // the same, as a list
  std::vector<char> byte;              // byte-fallback pieces <0xNN>
  // Lexical shortlist (shortlist.bin), per direction [0] into pair_lang, [1] into English:
  // the frequent target ids, and per source id `per_piece` candidate ids (0 = none).
  int per_piece = 0;
  std::array<std::vector<int32_t>, 2> frequent;
  std::array<std::vector<int32_t>, 2> candidates;
  bool hasShortlist() const { return per_piece > 0; }
};

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// shortlist.bin: "KEFUSL01", u32 vocab, u32 per_piece, u32 frequent, then per direction
// (into the pair's language, into English) `frequent` u16 ids and vocab x per_piece u16 ids.
Status parseShortlist(std::string_view bytes, TranslationModel& m) {
  constexpr std::string_view kMagic = "KEFUSL01";
  const auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
    return v;
  };
  if (bytes.size() < 20 || bytes.substr(0, 8) != kMagic) {
    return dataLossError("translation shortlist: not a Kefu shortlist (magic KEFUSL01)");
  }
  const uint32_t vocab = u32(8), per_piece = u32(12), frequent = u32(16);
  if (vocab != static_cast<uint32_t>(m.vocab)) {
    return dataLossError("translation shortlist: made for " + std::to_string(vocab) +
                         " pieces, the vocabulary has " + std::to_string(m.vocab));
  }
  if (per_piece == 0 || per_piece > 256 || frequent > 65535) {
    return dataLossError("translation shortlist: " + std::to_string(per_piece) +
                         " candidates per piece (expected 1..256), " + std::to_string(frequent) +
                         " frequent ids (expected at most 65535)");
  }
  const size_t per_direction = (static_cast<size_t>(frequent) + static_cast<size_t>(vocab) * per_piece) * 2;
  if (bytes.size() != 20 + 2 * per_direction) {
    return dataLossError("translation shortlist: " + std::to_string(bytes.size()) + " bytes, expected " +
                         std::to_string(20 + 2 * per_direction) + " (truncated or corrupted)");
  }
  size_t at = 20;
  const auto u16 = [&]() {
    const int32_t v = static_cast<unsigned char>(bytes[at]) | (static_cast<unsigned char>(bytes[at + 1]) << 8);
    at += 2;
    return v;
  };
  for (int d = 0; d < 2; ++d) {
    m.frequent[d].clear();
    m.candidates[d].assign(static_cast<size_t>(vocab) * per_piece, 0);
    for (uint32_t i = 0; i < frequent; ++i) m.frequent[d].push_back(u16());
    for (int32_t& c : m.candidates[d]) c = u16();
    const auto bad = [&](int32_t id) { return id >= m.vocab; };
    if (std::any_of(m.frequent[d].begin(), m.frequent[d].end(), bad) ||
        std::any_of(m.candidates[d].begin(), m.candidates[d].end(), bad)) {
      return dataLossError("translation shortlist: an id beyond the vocabulary");
    }
  }
  m.per_piece = static_cast<int>(per_piece);
  return okStatus();
}

// sum_i exp(x[i] - mx) for x[i] <= mx (-inf gives 0). A branch-free exp (range reduction to
// 2^n * e^r, |r| <= ln2/2, degree-6 polynomial; relative error ~2e-7) that the compiler
// vectorises: the search runs this over the whole vocabulary for every hypothesis and step,
// where libm's exp measured most of advance()'s time.
double expSum(const float* x, size_t n, float mx) {
  constexpr size_t kLanes = 8;
  float acc[kLanes] = {};
  const size_t whole = n - n % kLanes;
  auto ex = [](float d) {  // d <= 0
    d = std::max(d, -87.0f);
    const float k = std::nearbyint(d * 1.44269504f);
    const float r = d - k * 0.693145752f - k * 1.42860677e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits;  // p * 2^k: k added to the exponent field (k >= -126, so no underflow below)
    std::memcpy(&bits, &p, sizeof bits);
    bits += static_cast<int32_t>(k) * (1 << 23);
    float out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
  };
  for (size_t i = 0; i < whole; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) acc[j] += ex(x[i + j] - mx);
  }
  double sum = 0;
  for (size_t i = whole; i < n; ++i) sum += ex(x[i] - mx);
  for (float a : acc) sum += a;
  return sum;
}

// Looks a piece up; a missing piece comes back as unk, which is reported.
Status pieceId(const sentencepiece::SentencePieceProcessor& sp, const std::string& piece, int& id) {
  id = sp.PieceToId(piece);
  if (id < 0 || id == sp.unk_id()) {
    return dataLossError("translation vocabulary: missing special piece " + piece);
  }
  return okStatus();
}

// A letter to translate outside protected spans (not only digits, punctuation, symbols, emoji).
bool hasWords(std::string_view text, TextRange r, const std::vector<ProtectedSpan>& spans) {
  size_t i = r.start;
  size_t next = 0;
  while (i < r.end) {
    while (next < spans.size() && spans[next].end <= i) ++next;
    if (next < spans.size() && spans[next].start <= i) {
      i = spans[next].end;
      continue;
    }
    size_t len = 0;
    const char32_t c = internal::decodeUtf8At(text, i, len);
    i += len == 0 ? 1 : len;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    if (c >= 0xC0 && c < 0x2000) return true;                  // Latin-1..Greek/Cyrillic/...
    if (c >= 0x2C00 && c < 0x2E00) return true;                // more alphabets
    if (c >= 0x3040 && c < 0xD800) return true;                // kana, CJK, Hangul
    if (c >= 0xF900 && c < 0xFB00) return true;                // CJK compatibility
    if (c >= 0xFF21 && c <= 0xFF5A) return true;               // full-width letters
    if (c >= 0xFF66 && c <= 0xFFDC) return true;               // half-width kana/Hangul
    if (c >= 0x20000 && c < 0x32000) return true;              // CJK extensions
  }
  return false;
}

bool isSpaceByte(char c) { return c == ' ' || c == '\t'; }

// Where to cut text[r] so that the first part has about `fraction` of it: after the last
// comma/semicolon (Latin or CJK) before that point, else the last space, else at a character
// boundary; never inside a protected span. Returns r.end when no cut is possible.
size_t cutPoint(std::string_view text, TextRange r, double fraction,
                const std::vector<ProtectedSpan>& spans) {
  const size_t target = r.start + static_cast<size_t>((r.end - r.start) * fraction);
  const auto inSpan = [&](size_t p) {
    for (const ProtectedSpan& s : spans) {
      if (p > s.start && p < s.end) return true;
    }
    return false;
  };
  const size_t lowest = r.start + (r.end - r.start) / 4;
  for (size_t p = target; p > lowest; --p) {  // after ", " "; " "，" "、" "；"
    const char c = text[p - 1];
    if (((c == ',' || c == ';') && p < r.end && isSpaceByte(text[p])) ||
        (p >= r.start + 3 && (text.compare(p - 3, 3, "\uff0c") == 0 ||
                              text.compare(p - 3, 3, "\u3001") == 0 ||
                              text.compare(p - 3, 3, "\uff1b") == 0))) {
      if (!inSpan(p)) return p;
    }
  }
  for (size_t p = target; p > lowest; --p) {
    if (isSpaceByte(text[p - 1]) && !inSpan(p)) return p;
  }
  for (size_t p = std::max(target, r.start + 1); p < r.end; ++p) {
    if ((static_cast<unsigned char>(text[p]) & 0xC0) != 0x80 && !inSpan(p)) return p;
  }
  return r.end;
}

void trimRange(std::string_view text, TextRange& r) {
  while (r.start < r.end && isSpaceByte(text[r.start])) ++r.start;
  while (r.end > r.start && isSpaceByte(text[r.end - 1])) --r.end;
}

// Numbers the spans inside `r` ⟦1⟧..⟦9⟧ in order of appearance (one number per distinct text).
void assignPlaceholders(TextRange r, int segment, std::vector<ProtectedSpan>& spans) {
  std::vector<std::string> seen;
  for (ProtectedSpan& s : spans) {
    if (s.start < r.start || s.end > r.end) continue;
    s.segment = segment;
    auto it = std::find(seen.begin(), seen.end(), s.text);
    if (it != seen.end()) {
      s.placeholder = static_cast<int>(it - seen.begin()) + 1;
    } else if (seen.size() < static_cast<size_t>(kMaxPlaceholders)) {
      seen.push_back(s.text);
      s.placeholder = static_cast<int>(seen.size());
    } else {
      s.placeholder = 0;
    }
  }
}

Status checkOptions(const TranslationOptions& o) {
  if (o.beam < 1 || o.beam > 8) return invalidArgumentError("options.beam: expected 1..8");
  if (!(o.max_length_ratio > 0 && o.max_length_ratio <= 10)) {
    return invalidArgumentError("options.max_length_ratio: expected > 0 and <= 10");
  }
  if (o.max_length_extra < 0 || o.max_length_extra > kMaxTargetTokens) {
    return invalidArgumentError("options.max_length_extra: expected 0..250");
  }
  if (!(o.length_penalty >= 0 && o.length_penalty <= 5)) {
    return invalidArgumentError("options.length_penalty: expected 0..5");
  }
  if (o.no_repeat_ngram < 0 || o.no_repeat_ngram == 1 || o.no_repeat_ngram > 10) {
    return invalidArgumentError("options.no_repeat_ngram: expected 0 (off) or 2..10");
  }
  if (o.max_token_run < 0 || o.max_token_run > 100) {
    return invalidArgumentError("options.max_token_run: expected 0 (off) or 1..100");
  }
  if (o.max_source_pieces < 16 || o.max_source_pieces > kModelMaxPositions - 6) {
    return invalidArgumentError("options.max_source_pieces: expected 16..250");
  }
  if (o.max_batch_tokens < 16 || o.max_batch_tokens > 65536) {
    return invalidArgumentError("options.max_batch_tokens: expected 16..65536");
  }
  return okStatus();
}

}  // namespace

StatusOr<TranslationOptions> parseTranslationOptions(std::string_view json_text) {
  TranslationOptions o;
  if (json_text.empty()) return o;
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return invalidArgumentError("options: expected a JSON object");
  }
  for (auto item = j.begin(); item != j.end(); ++item) {
    const std::string& key = item.key();
    const nlohmann::json& v = item.value();
    const auto number = [&](double& out) -> Status {
      if (!v.is_number()) return invalidArgumentError("options." + key + ": expected a number");
      out = v.get<double>();
      return okStatus();
    };
    const auto integer = [&](int& out) -> Status {
      if (!v.is_number_integer() || v.get<int64_t>() < -1000000 || v.get<int64_t>() > 1000000) {
        return invalidArgumentError("options." + key + ": expected an integer");
      }
      out = static_cast<int>(v.get<int64_t>());
      return okStatus();
    };
    if (key == "beam") {
      KEFU_RETURN_IF_ERROR(integer(o.beam));
    } else if (key == "formal") {
      if (!v.is_boolean()) return invalidArgumentError("options.formal: expected true or false");
      o.formal = v.get<bool>();
    } else if (key == "max_length_ratio") {
      KEFU_RETURN_IF_ERROR(number(o.max_length_ratio));
    } else if (key == "max_length_extra") {
      KEFU_RETURN_IF_ERROR(integer(o.max_length_extra));
    } else if (key == "length_penalty") {
      KEFU_RETURN_IF_ERROR(number(o.length_penalty));
    } else if (key == "no_repeat_ngram") {
      KEFU_RETURN_IF_ERROR(integer(o.no_repeat_ngram));
    } else if (key == "max_token_run") {
      KEFU_RETURN_IF_ERROR(integer(o.max_token_run));
    } else if (key == "max_source_pieces") {
      KEFU_RETURN_IF_ERROR(integer(o.max_source_pieces));
    } else if (key == "max_batch_tokens") {
      KEFU_RETURN_IF_ERROR(integer(o.max_batch_tokens));
    } else {
      return invalidArgumentError("options: unknown field \"" + key + "\"");
    }
  }
  KEFU_RETURN_IF_ERROR(checkOptions(o));
  return o;
}

nlohmann::json TranslationResult::toJson() const {
  nlohmann::json segs = nlohmann::json::array();
  for (const TranslatedSegment& s : segments) {
    segs.push_back({{"source", s.source}, {"target", s.target}, {"translated", s.translated},
                    {"truncated", s.truncated}});
  }
  nlohmann::json prot = nlohmann::json::array();
  for (const ProtectedSpan& s : protected_spans) {
    prot.push_back({{"text", s.text}, {"kind", s.kind}, {"placeholder", s.placeholder},
                    {"segment", s.segment}});
  }
  return {{"text", text},
          {"segments", std::move(segs)},
          {"protected", std::move(prot)},
          {"missing_placeholders", missing_placeholders},
          {"duplicate_placeholders", duplicate_placeholders},
          {"truncated", truncated}};
}

// ---------------------------------------------------------------------------------------------
// The job: sentences sorted by length into batches; beam search over a batch's sentences at once.

struct Hypothesis {
  std::vector<int32_t> tokens;  // generated, without BOS and EOS
  double score = 0;             // sum of log-probabilities (EOS included once finished)
  int row = 0;                  // its row in the current StepInput
  bool truncated = false;
  double normalized(double penalty) const {
    const double len = static_cast<double>(tokens.size()) + (truncated ? 0 : 1);
    return penalty == 0 ? score : score / std::pow(std::max(len, 1.0), penalty);
  }
};

struct Segment {
  TextRange range;
  bool translate = false;
  std::vector<int> source;  // encoder row: tags, pieces, </s>
  int enc_row = -1;         // its row in its batch's encoder input
  int max_len = 0;
  std::array<int, kMaxPlaceholders + 1> ph_allowed{};  // occurrences of ⟦k⟧ in the source
  std::vector<Hypothesis> live;
  std::vector<Hypothesis> finished;
  bool done = false;
};

struct TranslationJob::State {
  std::shared_ptr<const TranslationModel> model;
  TranslationOptions options;
  std::string text;
  std::vector<ProtectedSpan> spans;
  std::vector<Segment> segments;
  bool to_english = false;
  std::vector<std::vector<int>> batches;  // segment indices, each batch sorted by length
  size_t batch = 0;                        // the batch being decoded
  EncoderInput encoder;                    // batches[batch]'s
  std::vector<int32_t> column;             // vocabulary id -> its logits column (-1: not scored)
  StepInput step;
  int steps = 0;       // all batches
  int batch_steps = 0;  // the current batch's
  bool done = false;
  TranslationResult result;

  void planBatches();
  void startBatch(size_t index);
  void pickOutputIds();
  void buildStep(int position);
  void bannedTokens(const Segment& seg, const Hypothesis& h, std::vector<int32_t>& out) const;
  void finish();
};

TranslationJob::TranslationJob(std::unique_ptr<State> state) : state_(std::move(state)) {}
TranslationJob::TranslationJob(TranslationJob&&) noexcept = default;
TranslationJob& TranslationJob::operator=(TranslationJob&&) noexcept = default;
TranslationJob::~TranslationJob() = default;

const EncoderInput& TranslationJob::encoderInput() const { return state_->encoder; }
const StepInput& TranslationJob::stepInput() const { return state_->step; }
bool TranslationJob::done() const { return state_->done; }
int TranslationJob::steps() const { return state_->steps; }
int TranslationJob::batches() const { return static_cast<int>(state_->batches.size()); }

StatusOr<TranslationResult> TranslationJob::result() const {
  if (!state_->done) return unavailableError("translation: not done yet (call advance())");
  return state_->result;
}

// Translatable segments sorted by source length (stable: ties keep text order), packed into
// batches while rows x longest row stays within max_batch_tokens (one row at least).
void TranslationJob::State::planBatches() {
  std::vector<int> order;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!segments[i].done) order.push_back(static_cast<int>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return segments[static_cast<size_t>(a)].source.size() < segments[static_cast<size_t>(b)].source.size();
  });
  batches.clear();
  size_t cols = 0;
  for (int i : order) {
    const size_t len = segments[static_cast<size_t>(i)].source.size();  // sorted: the longest so far
    if (batches.empty() || (batches.back().size() + 1) * std::max(cols, len) >
                               static_cast<size_t>(options.max_batch_tokens)) {
      batches.emplace_back();
    }
    batches.back().push_back(i);
    cols = len;
  }
}

void TranslationJob::State::startBatch(size_t index) {
  batch = index;
  batch_steps = 0;
  const std::vector<int>& members = batches[index];
  encoder = EncoderInput();
  encoder.rows = static_cast<int>(members.size());
  for (int i : members) encoder.cols = std::max(encoder.cols, static_cast<int>(segments[static_cast<size_t>(i)].source.size()));
  encoder.ids.assign(static_cast<size_t>(encoder.rows) * static_cast<size_t>(encoder.cols), model->pad);
  for (size_t r = 0; r < members.size(); ++r) {
    Segment& seg = segments[static_cast<size_t>(members[r])];
    seg.enc_row = static_cast<int>(r);
    std::copy(seg.source.begin(), seg.source.end(), encoder.ids.begin() + r * static_cast<size_t>(encoder.cols));
  }
  pickOutputIds();
  buildStep(0);
}

// The vocabulary ids the decoder scores in this batch: all of them without a shortlist; with
// one, the direction's frequent ids, the candidates of every source piece, the source pieces
// themselves (names and codes are copied), </s> and the placeholders — never an id the search
// would mask anyway.
void TranslationJob::State::pickOutputIds() {
  std::vector<int32_t>& ids = encoder.output_ids;
  ids.clear();
  column.assign(static_cast<size_t>(model->vocab), -1);
  if (!model->hasShortlist()) {
    for (int32_t v = 0; v < model->vocab; ++v) ids.push_back(v);
  } else {
    const int d = to_english ? 1 : 0;
    std::vector<char> keep(static_cast<size_t>(model->vocab), 0);
    for (int32_t t : model->frequent[d]) keep[static_cast<size_t>(t)] = 1;
    const size_t k = static_cast<size_t>(model->per_piece);
    for (int i : batches[batch]) {
      for (int32_t src : segments[static_cast<size_t>(i)].source) {
        keep[static_cast<size_t>(src)] = 1;
        const int32_t* row = model->candidates[d].data() + static_cast<size_t>(src) * k;
        for (size_t j = 0; j < k; ++j) keep[static_cast<size_t>(row[j])] = 1;
      }
    }
    keep[static_cast<size_t>(model->eos)] = 1;
    for (int p = 1; p <= kMaxPlaceholders; ++p) keep[static_cast<size_t>(model->placeholder[p])] = 1;
    for (int32_t v = 0; v < model->vocab; ++v) {
      if (keep[static_cast<size_t>(v)] && !model->never[static_cast<size_t>(v)]) ids.push_back(v);
    }
  }
  for (size_t c = 0; c < ids.size(); ++c) column[static_cast<size_t>(ids[c])] = static_cast<int32_t>(c);
}

void TranslationJob::State::buildStep(int position) {
  step.position = position;
  step.tokens.clear();
  step.reorder.clear();
  step.row_src.clear();
  for (int i : batches[batch]) {
    Segment& seg = segments[static_cast<size_t>(i)];
    if (seg.done) continue;
    for (Hypothesis& h : seg.live) {
      step.tokens.push_back(h.tokens.empty() ? model->bos : h.tokens.back());
      step.reorder.push_back(position == 0 ? static_cast<int32_t>(step.reorder.size()) : h.row);
      step.row_src.push_back(seg.enc_row);
      h.row = static_cast<int>(step.tokens.size()) - 1;
    }
  }
}

// Tokens `h` may not take next: placeholders used up, EOS at the first step, a repeated n-gram,
// a run of the same token too long. (Pad, BOS, UNK and tags are masked by `model->never`.)
void TranslationJob::State::bannedTokens(const Segment& seg, const Hypothesis& h,
                                         std::vector<int32_t>& out) const {
  out.clear();
  const std::vector<int32_t>& t = h.tokens;
  for (int k = 1; k <= kMaxPlaceholders; ++k) {
    const int used = static_cast<int>(std::count(t.begin(), t.end(), model->placeholder[k]));
    if (used >= seg.ph_allowed[k]) out.push_back(model->placeholder[k]);
  }
  if (t.empty()) out.push_back(model->eos);
  const size_t n = static_cast<size_t>(options.no_repeat_ngram);
  if (n >= 2 && t.size() >= n - 1) {
    const size_t tail = t.size() - (n - 1);
    for (size_t i = 0; i + n - 1 < t.size(); ++i) {
      // Byte pieces are exempt: characters spelt in bytes share their leading bytes
      // (‹ and › are E2 80 B9 / E2 80 BA), which would look like a repeated n-gram.
      if (std::equal(t.begin() + i, t.begin() + i + n - 1, t.begin() + tail) &&
          !model->byte[static_cast<size_t>(t[i + n - 1])]) {
        out.push_back(t[i + n - 1]);
      }
    }
  }
  const size_t run = static_cast<size_t>(options.max_token_run);
  if (run >= 1 && t.size() >= run &&
      std::all_of(t.end() - run, t.end(), [&](int32_t x) { return x == t.back(); })) {
    out.push_back(t.back());
  }
}

Status TranslationJob::advance(const float* logits, size_t rows, size_t cols) {
  State& s = *state_;
  if (s.done) return unavailableError("translation: already done");
  if (rows != s.step.tokens.size()) {
    return invalidArgumentError("translation: logits have " + std::to_string(rows) +
                                " rows, the step has " + std::to_string(s.step.tokens.size()));
  }
  const std::vector<int32_t>& ids = s.encoder.output_ids;
  if (cols != ids.size()) {
    return invalidArgumentError("translation: logits have " + std::to_string(cols) +
                                " columns, the step scores " + std::to_string(ids.size()) + " tokens");
  }
  if (logits == nullptr) return invalidArgumentError("translation: no logits");
  for (size_t i = 0; i < rows * cols; ++i) {
    if (std::isnan(logits[i])) return invalidArgumentError("translation: logits contain NaN");
  }

  const int beam = s.options.beam;
  struct Candidate {
    double score;
    int parent;
    int32_t token;
  };
  std::vector<Candidate> cands;
  std::vector<int32_t> banned;
  std::vector<float> lp(cols);
  std::array<int32_t, 16> top{};  // columns of the 2 * beam best tokens (2 * beam <= 16)
  const auto mask = [&](int32_t id) {
    const int32_t c = s.column[static_cast<size_t>(id)];
    if (c >= 0) lp[static_cast<size_t>(c)] = kNegInf;
  };
  for (int i : s.batches[s.batch]) {
    Segment& seg = s.segments[static_cast<size_t>(i)];
    if (seg.done) continue;
    cands.clear();
    for (size_t p = 0; p < seg.live.size(); ++p) {
      const Hypothesis& h = seg.live[p];
      const float* row = logits + static_cast<size_t>(h.row) * cols;
      // log-softmax over the tokens the decoder may emit (of those this batch scores).
      s.bannedTokens(seg, h, banned);
      std::copy(row, row + cols, lp.begin());
      for (int32_t v : s.model->never_ids) mask(v);
      for (int32_t b : banned) mask(b);
      // The 2 * beam best tokens (ties: the lower id first) and the maximum, in one pass.
      const size_t k = std::min(static_cast<size_t>(2 * beam), cols);
      size_t found = 0;
      for (size_t c = 0; c < cols; ++c) {
        const float x = lp[c];
        if (found == k && !(x > lp[static_cast<size_t>(top[k - 1])])) continue;
        size_t j = found < k ? found++ : k - 1;
        while (j > 0 && x > lp[static_cast<size_t>(top[j - 1])]) {
          top[j] = top[j - 1];
          --j;
        }
        top[j] = static_cast<int32_t>(c);
      }
      const float mx = found ? lp[static_cast<size_t>(top[0])] : kNegInf;
      if (mx == kNegInf || std::isinf(mx)) {  // nothing allowed (or +inf): end the sentence
        cands.push_back({h.score - 1e4, static_cast<int>(p), s.model->eos});
        continue;
      }
      const double logZ = mx + std::log(expSum(lp.data(), cols, mx));
      for (size_t i = 0; i < found; ++i) {
        const float x = lp[static_cast<size_t>(top[i])];
        if (x == kNegInf) break;
        cands.push_back({h.score + (x - logZ), static_cast<int>(p), ids[static_cast<size_t>(top[i])]});
      }
    }
    std::stable_sort(cands.begin(), cands.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    std::vector<Hypothesis> next;
    for (size_t rank = 0; rank < cands.size() && static_cast<int>(next.size()) < beam; ++rank) {
      const Candidate& c = cands[rank];
      Hypothesis h = seg.live[static_cast<size_t>(c.parent)];
      h.score = c.score;
      if (c.token == s.model->eos) {
        if (rank < static_cast<size_t>(beam)) seg.finished.push_back(std::move(h));
        continue;
      }
      h.tokens.push_back(c.token);
      next.push_back(std::move(h));
    }
    seg.live = std::move(next);
    if (!seg.live.empty() && static_cast<int>(seg.live.front().tokens.size()) >= seg.max_len) {
      for (Hypothesis& h : seg.live) {  // length limit: what is there is the translation
        h.truncated = true;
        seg.finished.push_back(std::move(h));
      }
      seg.live.clear();
    }
    // Early stop: `beam` finished hypotheses, and none of the live ones can still beat them
    // under length normalisation is not assumed; finishing `beam` of them is enough.
    if (seg.live.empty() || static_cast<int>(seg.finished.size()) >= beam) seg.done = true;
  }
  ++s.steps;
  ++s.batch_steps;
  const std::vector<int>& members = s.batches[s.batch];
  const bool anyLive = std::any_of(members.begin(), members.end(),
                                   [&](int i) { return !s.segments[static_cast<size_t>(i)].done; });
  if (anyLive) {
    s.buildStep(s.batch_steps);
  } else if (s.batch + 1 < s.batches.size()) {
    s.startBatch(s.batch + 1);
  } else {
    s.finish();
  }
  return okStatus();
}

void TranslationJob::State::finish() {
  done = true;
  step = StepInput();
  result = TranslationResult();
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    Segment& seg = segments[i];
    out.append(text, pos, seg.range.start - pos);
    pos = seg.range.end;
    TranslatedSegment ts;
    ts.source = text.substr(seg.range.start, seg.range.end - seg.range.start);
    ts.translated = seg.translate;
    if (!seg.translate) {
      ts.target = ts.source;
    } else {
      const Hypothesis* best = nullptr;
      for (const Hypothesis& h : seg.finished) {
        if (best == nullptr || h.normalized(options.length_penalty) > best->normalized(options.length_penalty)) {
          best = &h;
        }
      }
      std::vector<int> ids;
      if (best != nullptr) {
        ids.assign(best->tokens.begin(), best->tokens.end());
        ts.truncated = best->truncated;
      }
      // Decoded with piece spans, so placeholders are found by id, never by look-alike text.
      const sentencepiece::ImmutableSentencePieceText spt = model->sp.DecodeIdsAsImmutableProto(ids);
      std::string decoded;
      std::vector<PlaceholderMark> marks;
      {
        decoded = spt.text();
        for (size_t p = 0; p < spt.pieces_size(); ++p) {
          const auto piece = spt.pieces(static_cast<int>(p));
          const int k = piece.id() < model->placeholder_of.size() ? model->placeholder_of[piece.id()] : 0;
          if (k > 0 && piece.begin() <= piece.end() && piece.end() <= decoded.size()) {
            marks.push_back({k, piece.begin(), piece.end()});
          }
        }
      }
      std::vector<const ProtectedSpan*> mine;
      for (const ProtectedSpan& sp : spans) {
        if (sp.segment == static_cast<int>(i)) mine.push_back(&sp);
      }
      RestoredText restored = restorePlaceholders(decoded, marks, mine);
      ts.target = std::move(restored.text);
      for (std::string& m : restored.missing) result.missing_placeholders.push_back(std::move(m));
      result.duplicate_placeholders += restored.duplicates;
    }
    result.truncated = result.truncated || ts.truncated;
    out += ts.target;
    result.segments.push_back(std::move(ts));
  }
  out.append(text, pos, std::string::npos);
  result.text = std::move(out);
  for (const ProtectedSpan& sp : spans) {
    if (sp.placeholder > 0) result.protected_spans.push_back(sp);
  }
}

// ---------------------------------------------------------------------------------------------

Translator::Translator() = default;
Translator::~Translator() = default;
Translator::Translator(Translator&&) noexcept = default;
Translator& Translator::operator=(Translator&&) noexcept = default;

bool Translator::loaded() const { return model_ != nullptr; }
const std::string& Translator::pairLanguage() const {
  static const std::string kNone;
  return model_ ? model_->pair_lang : kNone;
}
int Translator::vocabularySize() const { return model_ ? model_->vocab : 0; }

Status Translator::load(std::string_view spm_model_bytes, std::string pair_lang,
                        std::string_view shortlist_bytes) {
  if (!isSupportedLanguage(pair_lang) || pair_lang == "en") {
    return invalidArgumentError("translation model: unsupported language \"" + pair_lang +
                                "\" (expected one of the nine besides en)");
  }
  auto m = std::make_shared<TranslationModel>();
  if (spm_model_bytes.empty()) return dataLossError("translation vocabulary: empty file");
  const auto st = m->sp.LoadFromSerializedProto(
      absl::string_view(spm_model_bytes.data(), spm_model_bytes.size()));
  if (!st.ok()) {
    return dataLossError("translation vocabulary: not a SentencePiece model (" +
                         std::string(st.message()) + ")");
  }
  m->vocab = m->sp.GetPieceSize();
  m->pad = m->sp.pad_id();
  m->unk = m->sp.unk_id();
  m->bos = m->sp.bos_id();
  m->eos = m->sp.eos_id();
  if (m->pad < 0 || m->unk < 0 || m->bos < 0 || m->eos < 0 || m->vocab < 20) {
    return dataLossError("translation vocabulary: needs <pad>, <unk>, <s> and </s>");
  }
  KEFU_RETURN_IF_ERROR(pieceId(m->sp, "<2en>", m->tag_en));
  KEFU_RETURN_IF_ERROR(pieceId(m->sp, "<2" + pair_lang + ">", m->tag_xx));
  KEFU_RETURN_IF_ERROR(pieceId(m->sp, "<formal>", m->formal));
  KEFU_RETURN_IF_ERROR(pieceId(m->sp, "<informal>", m->informal));
  m->placeholder_of.assign(static_cast<size_t>(m->vocab), 0);
  for (int k = 1; k <= kMaxPlaceholders; ++k) {
    KEFU_RETURN_IF_ERROR(pieceId(m->sp, placeholderText(k), m->placeholder[k]));
    m->placeholder_of[static_cast<size_t>(m->placeholder[k])] = static_cast<int8_t>(k);
  }
  m->never.assign(static_cast<size_t>(m->vocab), 0);
  m->byte.assign(static_cast<size_t>(m->vocab), 0);
  for (int id : {m->pad, m->unk, m->bos, m->tag_en, m->tag_xx, m->formal, m->informal}) {
    m->never[static_cast<size_t>(id)] = 1;
  }
  for (int id = 0; id < m->vocab; ++id) {  // any other control or tag-like piece
    const std::string& piece = m->sp.IdToPiece(id);
    m->byte[static_cast<size_t>(id)] = m->sp.IsByte(id) ? 1 : 0;
    if (m->sp.IsControl(id) && id != m->eos) m->never[static_cast<size_t>(id)] = 1;
    if (piece.size() == 5 && piece[0] == '<' && piece[1] == '2' && piece[4] == '>') {
      m->never[static_cast<size_t>(id)] = 1;
    }
  }
  for (int id = 0; id < m->vocab; ++id) {
    if (m->never[static_cast<size_t>(id)]) m->never_ids.push_back(id);
  }
  if (!shortlist_bytes.empty()) KEFU_RETURN_IF_ERROR(parseShortlist(shortlist_bytes, *m));
  m->pair_lang = std::move(pair_lang);
  model_ = std::move(m);
  return okStatus();
}

StatusOr<TranslationJob> Translator::begin(std::string_view text, std::string_view from,
                                           std::string_view to, const TranslationOptions& options,
                                           const std::vector<std::string>& glossary) const {
  if (!model_) return unavailableError("translation: no model loaded");
  const std::string& xx = model_->pair_lang;
  if (!((from == "en" && to == xx) || (from == xx && to == "en"))) {
    return invalidArgumentError("translation: this model translates en<->" + xx + ", not " +
                                std::string(from) + "->" + std::string(to));
  }
  KEFU_RETURN_IF_ERROR(checkOptions(options));
  if (text.size() > kMaxTranslationBytes) {
    return outOfRangeError("translation: text is " + std::to_string(text.size()) +
                           " bytes, the limit is " + std::to_string(kMaxTranslationBytes));
  }
  KEFU_RETURN_IF_ERROR(validateUtf8(text));
  for (size_t g = 0; g < glossary.size(); ++g) {
    KEFU_RETURN_IF_ERROR(validateUtf8(glossary[g], "glossary[" + std::to_string(g) + "]"));
  }

  auto st = std::make_unique<TranslationJob::State>();
  st->model = model_;
  st->options = options;
  st->to_english = to == "en";
  st->text = std::string(text);
  st->spans = findProtectedSpans(st->text, glossary);
  const std::string& src = st->text;

  // Sentences, then pieces; a sentence over max_source_pieces is cut at a comma or space.
  std::vector<TextRange> work = splitSentences(src, st->spans);
  std::reverse(work.begin(), work.end());  // a stack, first sentence on top
  while (!work.empty()) {
    TextRange r = work.back();
    work.pop_back();
    Segment seg;
    seg.range = r;
    const int index = static_cast<int>(st->segments.size());
    assignPlaceholders(r, index, st->spans);
    seg.translate = hasWords(src, r, st->spans);
    std::vector<int> ids;
    if (seg.translate) {
      const std::string modelText = placeholderSource(src, r, st->spans);
      if (!model_->sp.Encode(modelText, &ids).ok()) {
        return internalError("translation: SentencePiece could not encode a sentence");
      }
      if (ids.size() > static_cast<size_t>(options.max_source_pieces)) {
        const double fraction = 0.9 * options.max_source_pieces / static_cast<double>(ids.size());
        const size_t cut = cutPoint(src, r, fraction, st->spans);
        TextRange a{r.start, cut};
        TextRange b{cut, r.end};
        trimRange(src, a);
        trimRange(src, b);
        if (cut < r.end && a.start < a.end && b.start < b.end) {
          work.push_back(b);
          work.push_back(a);
          continue;
        }
        ids.resize(static_cast<size_t>(options.max_source_pieces));  // no cut possible
      }
      seg.translate = !ids.empty();
    }
    if (seg.translate) {
      for (const ProtectedSpan& sp : st->spans) {
        if (sp.segment == index && sp.placeholder > 0) ++seg.ph_allowed[sp.placeholder];
      }
      const int limit = static_cast<int>(options.max_length_ratio * static_cast<double>(ids.size())) +
                        options.max_length_extra;
      seg.max_len = std::max(1, std::min(kMaxTargetTokens, limit));
      seg.source.push_back(to == "en" ? model_->tag_en : model_->tag_xx);
      if (to != "en" && options.formal) seg.source.push_back(model_->formal);
      seg.source.insert(seg.source.end(), ids.begin(), ids.end());
      seg.source.push_back(model_->eos);
      seg.live.push_back(Hypothesis());
    } else {
      seg.done = true;
    }
    st->segments.push_back(std::move(seg));
  }

  st->planBatches();
  if (st->batches.empty()) {
    st->finish();
  } else {
    st->startBatch(0);
  }
  return TranslationJob(std::move(st));
}

}  // namespace kefu
