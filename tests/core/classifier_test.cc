// TextClassifier and hashed features: determinism, CJK handling, a toy model trained in the test
// through the native trainer library (tools/train), and hostile model files (every truncation,
// random byte flips, forged sizes) that must fail cleanly.
#include "kefu/classifier.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kefu/text.h"
#include "kefu/text_features.h"
#include "trainer.h"

namespace {

using kefu::FeatureConfig;
using kefu::StatusCode;
using kefu::TextClassifier;

std::vector<uint32_t> features(const std::string& text, const FeatureConfig& config) {
  auto ids = kefu::textFeatures(text, config);
  REQUIRE(ids.ok());
  return *ids;
}

kefu::train::Example example(const std::string& text, std::vector<int32_t> labels,
                             const std::string& lang = "") {
  kefu::train::Example ex;
  ex.text = text;
  ex.lang = lang;
  ex.labels = std::move(labels);
  return ex;
}

// Three intents in three scripts plus a sentiment head that only some lines carry.
kefu::train::Dataset toyDataset() {
  kefu::train::Dataset d;
  d.heads = {"intent", "sentiment"};
  d.labels = {{"refund", "greeting", "track"}, {"negative", "positive"}};
  d.examples = {
      example("where is my order", {2, -1}, "en"),
      example("track my parcel please", {2, -1}, "en"),
      example("wo ist mein paket", {2, -1}, "de"),
      example("我的包裹在哪里", {2, -1}, "zh"),
      example("i want my money back, this is awful", {0, 0}, "en"),
      example("refund now, terrible product", {0, 0}, "en"),
      example("退款 太差了", {0, 0}, "zh"),
      example("hello there, lovely shop", {1, 1}, "en"),
      example("hi, great service", {1, 1}, "en"),
      example("你好 很好", {1, 1}, "zh"),
      example("안녕하세요 좋아요", {1, 1}, "ko"),
  };
  return d;
}

kefu::train::Options toyOptions() {
  kefu::train::Options opt;
  opt.heads = {"intent", "sentiment"};
  opt.features.buckets = 512;
  opt.dim = 8;
  opt.epochs = 60;
  opt.lr = 0.5f;
  opt.seed = 7;
  opt.calibration_fraction = 0.0f;  // the toy set is too small to hold anything out
  opt.verbose = false;
  opt.version = "toy";
  return opt;
}

// A tiny valid model (bytes) for the corruption tests: small enough to try every truncation.
std::string tinyModel() {
  kefu::ClassifierWeights w;
  w.features.buckets = 16;
  w.dim = 4;
  w.hidden = 3;
  w.version = "tiny";
  w.heads = {{"lang", {"en", "de"}, 1.5f}, {"mood", {"bad", "ok", "good"}, 1.0f}};
  for (size_t i = 0; i < 16 * 4; ++i) w.embedding.push_back(std::sin(static_cast<float>(i)));
  for (size_t i = 0; i < 3 * 4; ++i) w.hidden_weights.push_back(std::cos(static_cast<float>(i)));
  w.hidden_bias = {0.1f, -0.2f, 0.3f};
  w.head_weights = {std::vector<float>(2 * 3, 0.5f), std::vector<float>(3 * 3, -0.25f)};
  w.head_bias = {{0.0f, 0.1f}, {0.2f, 0.0f, -0.2f}};
  auto bytes = TextClassifier::encode(w);
  REQUIRE(bytes.ok());
  return *bytes;
}

void putU32(std::string& bytes, size_t offset, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Rewrites the trailing checksum so that a forged field reaches the size checks.
void fixChecksum(std::string& bytes) {
  const uint64_t sum = kefu::fnv1a64(bytes.data(), bytes.size() - 8);
  for (int i = 0; i < 8; ++i) {
    bytes[bytes.size() - 8 + i] = static_cast<char>((sum >> (8 * i)) & 0xFF);
  }
}

}  // namespace

TEST_CASE("features: deterministic, equal for equal normalised text, ids in range") {
  FeatureConfig config;
  config.buckets = 1000;
  const auto a = features("Where IS my Order?", config);
  CHECK(a == features("where is my order", config));
  CHECK(a == features("ＷＨＥＲＥ  is my órder!!", config));  // width, accents, punctuation
  CHECK(a != features("where is my refund", config));
  for (uint32_t id : a) CHECK(id < 1000);
  config.seed = 99;
  CHECK(a != features("where is my order", config));  // the seed moves every bucket
}

TEST_CASE("features: counts per kind, with boundary markers") {
  FeatureConfig config;
  config.buckets = 1u << 20;
  config.word_ngrams = 0;
  config.cjk_min = config.cjk_max = 0;
  config.char_min = 1;
  config.char_max = 2;
  // "ab": unigrams a b; bigrams <a ab b> -> 5.
  CHECK(features("ab", config).size() == 5);
  config.word_ngrams = 2;
  // + 2 unigrams + 1 bigram for "ab cd", + 5 char n-grams for "cd".
  CHECK(features("ab cd", config).size() == 13);
  CHECK(features("", config).empty());
  CHECK(features("?!…", config).empty());
}

TEST_CASE("features: CJK runs give character n-grams, Hangul words give char n-grams") {
  FeatureConfig config;
  config.buckets = 1u << 20;
  config.word_ngrams = 0;
  config.char_min = config.char_max = 0;
  config.cjk_min = 1;
  config.cjk_max = 3;
  // 退货: unigrams 退 货 (2), bigrams <退 退货 货> (3), trigrams <退货 退货> (2).
  CHECK(features("退货", config).size() == 7);
  CHECK(features("退货", config) == features("退货！", config));
  // Hangul is not a Han/Kana run: with char n-grams off it yields nothing.
  CHECK(features("환불", config).empty());
  config.char_min = 1;
  config.char_max = 2;
  CHECK(features("환불", config).size() == 5);
  // Mixed scripts split into chunks: "iphone" chars + "手机" CJK n-grams.
  CHECK(features("iPhone手机", config).size() ==
        features("iphone", config).size() + features("手机", config).size());
}

TEST_CASE("features: digits fold to one shape; invalid UTF-8 and bad configs are refused") {
  FeatureConfig config;
  config.word_ngrams = 0;
  auto x = features("order 4821", config);
  auto y = features("order 1234", config);
  CHECK(x == y);
  config.fold_digits = false;
  CHECK(features("order 4821", config) != features("order 1234", config));

  auto bad = kefu::textFeatures("abc\xff", config);
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  auto long_text = kefu::textFeatures(std::string(kefu::kMaxMessageBytes + 1, 'a'), config);
  CHECK(long_text.status().code() == StatusCode::kOutOfRange);

  FeatureConfig broken;
  broken.buckets = 0;
  CHECK(kefu::textFeatures("hi", broken).status().code() == StatusCode::kInvalidArgument);
  broken = FeatureConfig();
  broken.char_min = 5;
  broken.char_max = 2;
  CHECK_FALSE(broken.validate().ok());
}

TEST_CASE("classifier: a toy model trained in the test separates its data, saves and reloads") {
  kefu::train::Dataset data = toyDataset();
  kefu::train::Options opt = toyOptions();
  REQUIRE(kefu::train::featurize(data, opt.features).ok());
  auto result = kefu::train::trainModel(data, opt);
  REQUIRE(result.ok());
  auto model = TextClassifier::load(result->model_bytes);
  REQUIRE(model.ok());
  CHECK(model->version() == "toy");
  CHECK(model->features() == opt.features);
  REQUIRE(model->heads().size() == 2);

  // 100% on the training data, through the public classify().
  for (const auto& ex : data.examples) {
    auto p = model->classify(ex.text, 5);
    REQUIRE(p.ok());
    const kefu::HeadPrediction* intent = p->find("intent");
    REQUIRE(intent != nullptr);
    CHECK(intent->label == data.labels[0][ex.labels[0]]);
    if (ex.labels[1] >= 0) CHECK(p->find("sentiment")->label == data.labels[1][ex.labels[1]]);
    // Probabilities of every head sum to 1 and the top list is sorted.
    for (const auto& head : p->heads) {
      float sum = 0.0f;
      for (const auto& lp : head.top) sum += lp.probability;
      CHECK(sum == doctest::Approx(1.0f).epsilon(1e-4));
      CHECK(head.top.front().label == head.label);
      for (size_t i = 1; i < head.top.size(); ++i) {
        CHECK(head.top[i - 1].probability >= head.top[i].probability);
      }
    }
  }
  // The evaluation report (what kefu-train writes) agrees.
  auto report = kefu::train::evaluate(*model, data);
  CHECK(report["intent"]["accuracy"].get<double>() == 1.0);
  CHECK(report["intent"]["per_language"]["zh"]["n"].get<size_t>() == 3);
  CHECK(report["sentiment"]["n"].get<size_t>() == 7);  // lines without sentiment are skipped

  // Re-encoding the loaded weights is not possible (int8 is lossy), but a second load of the
  // same bytes must predict identically, and training is deterministic with a seed.
  auto again = TextClassifier::load(result->model_bytes);
  REQUIRE(again.ok());
  auto p1 = model->classify("where is my parcel");
  auto p2 = again->classify("where is my parcel");
  REQUIRE((p1.ok() && p2.ok()));
  CHECK(p1->heads[0].label == p2->heads[0].label);
  CHECK(p1->heads[0].probability == p2->heads[0].probability);
  auto result2 = kefu::train::trainModel(data, opt);
  REQUIRE(result2.ok());
  CHECK(result2->model_bytes == result->model_bytes);

  // Invalid UTF-8 is refused; empty text gets the bias priors, still a distribution.
  CHECK(model->classify("\xc3\x28").status().code() == StatusCode::kInvalidArgument);
  auto empty = model->classify("", 10);
  REQUIRE(empty.ok());
  CHECK(empty->heads[0].top.size() == 3);
}

TEST_CASE("classifier: temperature scaling keeps the argmax and softens probabilities") {
  const std::vector<float> logits = {2.0f, 1.0f, -1.0f};
  const auto sharp = kefu::softmaxWithTemperature(logits, 0.5f);
  const auto soft = kefu::softmaxWithTemperature(logits, 4.0f);
  CHECK(sharp[0] > soft[0]);
  CHECK(soft[0] > soft[1]);
  float sum = 0;
  for (float p : soft) sum += p;
  CHECK(sum == doctest::Approx(1.0f));
  // Huge logits do not overflow.
  const auto big = kefu::softmaxWithTemperature({1e30f, 0.0f}, 1.0f);
  CHECK(big[0] == doctest::Approx(1.0f));
  CHECK(kefu::softmaxWithTemperature({}, 1.0f).empty());
}

TEST_CASE("classifier: hidden-layer model round-trips through encode and load") {
  const std::string bytes = tinyModel();
  auto model = TextClassifier::load(bytes);
  REQUIRE(model.ok());
  CHECK(model->hidden() == 3);
  CHECK(model->heads()[0].temperature == 1.5f);
  auto p = model->classify("hello world", 3);
  REQUIRE(p.ok());
  CHECK(p->find("mood")->top.size() == 3);
  CHECK(p->find("nope") == nullptr);
}

TEST_CASE("classifier: every truncation fails cleanly and names what is missing") {
  const std::string bytes = tinyModel();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = TextClassifier::load(std::string_view(bytes.data(), n));
    REQUIRE_FALSE(m.ok());
    const StatusCode code = m.status().code();
    CHECK((code == StatusCode::kOutOfRange || code == StatusCode::kDataLoss ||
           code == StatusCode::kInvalidArgument));
    if (n >= 8) CHECK(code == StatusCode::kOutOfRange);
  }
  // A cut inside the embedding table says so.
  auto cut = TextClassifier::load(std::string_view(bytes.data(), bytes.size() - 200));
  CHECK(cut.status().message().find("model truncated") != std::string::npos);
  auto no_checksum = TextClassifier::load(std::string_view(bytes.data(), bytes.size() - 3));
  CHECK(no_checksum.status().message().find("checksum") != std::string::npos);
}

TEST_CASE("classifier: byte flips, wrong magic, trailing bytes and forged sizes are refused") {
  const std::string bytes = tinyModel();
  // Deterministic pseudo-random flips: each must give an error or (never, with the checksum) a
  // model that still classifies.
  uint64_t state = 12345;
  for (int trial = 0; trial < 3000; ++trial) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::string corrupt = bytes;
    const size_t at = (state >> 33) % corrupt.size();
    const char flip = static_cast<char>(1u << ((state >> 20) % 8));
    corrupt[at] = static_cast<char>(corrupt[at] ^ flip);
    if (trial % 2 == 1) {  // and a second flip elsewhere
      const size_t at2 = (state >> 13) % corrupt.size();
      corrupt[at2] = static_cast<char>(corrupt[at2] ^ 0x5A);
    }
    auto m = TextClassifier::load(corrupt);
    if (m.ok()) {
      CHECK(m->classify("still works?").ok());
    } else {
      CHECK(m.status().code() != StatusCode::kOk);
    }
  }
  std::string magic = bytes;
  magic[0] = 'X';
  CHECK(TextClassifier::load(magic).status().code() == StatusCode::kInvalidArgument);
  CHECK(TextClassifier::load("not a model at all").status().code() == StatusCode::kInvalidArgument);

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x01;
  CHECK(TextClassifier::load(flipped).status().code() == StatusCode::kDataLoss);

  CHECK(TextClassifier::load(bytes + "x").status().code() == StatusCode::kDataLoss);

  // Offsets: magic 8, version 4, flags 4, buckets 4 (16), seed 4, 8 config bytes (24..31),
  // dim at 32, hidden at 36, heads at 40.
  std::string absurd = bytes;
  putU32(absurd, 16, 0xFFFFFFFFu);  // buckets
  fixChecksum(absurd);
  CHECK(TextClassifier::load(absurd).status().code() == StatusCode::kInvalidArgument);
  absurd = bytes;
  putU32(absurd, 32, 1u << 20);  // dim
  fixChecksum(absurd);
  CHECK(TextClassifier::load(absurd).status().code() == StatusCode::kInvalidArgument);
  absurd = bytes;
  putU32(absurd, 16, 1u << 24);  // buckets at the limit, x dim 4: fits the cell cap, not the file
  fixChecksum(absurd);
  CHECK(TextClassifier::load(absurd).status().code() == StatusCode::kOutOfRange);
  absurd = bytes;
  putU32(absurd, 4 + 8, 1);  // flags
  fixChecksum(absurd);
  CHECK(TextClassifier::load(absurd).status().code() == StatusCode::kInvalidArgument);
  absurd = bytes;
  putU32(absurd, 8, 2);  // format version
  fixChecksum(absurd);
  CHECK(TextClassifier::load(absurd).status().message().find("version 2") != std::string::npos);

  // The same bytes with a valid checksum still load (the forgery helper itself is sound).
  std::string same = bytes;
  fixChecksum(same);
  CHECK(TextClassifier::load(same).ok());
}

TEST_CASE("classifier: encode refuses inconsistent weights") {
  kefu::ClassifierWeights w;
  w.features.buckets = 8;
  w.dim = 2;
  w.heads = {{"h", {"a", "b"}, 1.0f}};
  w.embedding.assign(8 * 2, 0.0f);
  w.head_weights = {std::vector<float>(4, 0.0f)};
  w.head_bias = {std::vector<float>(2, 0.0f)};
  CHECK(TextClassifier::encode(w).ok());
  w.embedding.pop_back();
  CHECK(TextClassifier::encode(w).status().code() == StatusCode::kInvalidArgument);
  w.embedding.push_back(NAN);
  CHECK(TextClassifier::encode(w).status().code() == StatusCode::kInvalidArgument);
  w.embedding.back() = 0.0f;
  w.heads[0].labels = {"a", "a"};
  auto dup = TextClassifier::encode(w);
  REQUIRE(dup.ok());  // encode does not police names; load does
  CHECK(TextClassifier::load(*dup).status().code() == StatusCode::kInvalidArgument);
}
