// The translator's decoding core with tiny fake networks in place of the ONNX decoder: a
// "copy the source" network (it keeps its own cache and follows `reorder`, like the real one),
// networks that drop or duplicate placeholders, loop on one token or never stop, and one where
// beam search beats greedy. The vocabulary is the real en-de SentencePiece model.
#include "kefu/translator.h"

#include <doctest/doctest.h>
#include <sentencepiece_processor.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "kefu/assistant.h"
#include "kefu/translate_text.h"
#include "test_kb.h"

namespace {

using kefu::StatusCode;

// models/mt/en-de/spm.model once shipped; until then the training data's model (same special
// ids); KEFU_MT_SPM overrides both.
std::string spmBytes() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("KEFU_MT_SPM")) paths.push_back(env);
  paths.push_back(std::string(KEFU_MODELS_DIR) + "/mt/en-de/spm.model");
  paths.push_back(KEFU_MT_FALLBACK_SPM);
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (in.good()) return std::string(std::istreambuf_iterator<char>(in), {});
  }
  return "";
}

const std::string& bytes() {
  static const std::string b = spmBytes();
  return b;
}

#define REQUIRE_SPM()                                                                  \
  if (bytes().empty()) {                                                               \
    MESSAGE("skipped: no en-de spm.model (models/mt/en-de or build/mt-data/en-de)"); \
    return;                                                                            \
  }

const kefu::Translator& translator() {
  static const kefu::Translator t = [] {
    kefu::Translator x;
    REQUIRE(x.load(bytes(), "de").ok());
    return x;
  }();
  return t;
}

const sentencepiece::SentencePieceProcessor& sp() {
  static const auto* p = [] {
    auto* x = new sentencepiece::SentencePieceProcessor();  // lives for the whole test run
    REQUIRE(x->LoadFromSerializedProto(bytes()).ok());
    return x;
  }();
  return *p;
}
int id(const std::string& piece) { return sp().PieceToId(piece); }

// A fake decoder: next-token logits from the encoder input and this row's history (its own cache,
// rebuilt through `reorder` every step exactly as the real decoder's cache is).
using Net = std::function<std::vector<float>(const std::vector<int>& source,
                                             const std::vector<int>& history, int vocab)>;

struct Run {
  kefu::TranslationResult result;
  std::vector<int> emitted;  // every token fed back to the decoder after step 0
  int steps = 0;
  int batches = 0;
  std::vector<std::pair<int, int>> shapes;  // encoder rows x cols of each batch
};

Run run(kefu::TranslationJob& job, const Net& net) {
  const int vocab = translator().vocabularySize();
  Run out;
  std::vector<std::vector<int>> sources;  // the current batch's encoder rows, unpadded
  std::vector<int32_t> columns;           // the vocabulary ids the batch scores
  std::vector<std::vector<int>> cache;
  int batchSteps = 0;
  while (!job.done()) {
    const kefu::StepInput& s = job.stepInput();
    if (s.position == 0) {  // a batch starts: "run the encoder", empty cache
      const kefu::EncoderInput& enc = job.encoderInput();
      REQUIRE(enc.rows > 0);
      REQUIRE(enc.ids.size() == static_cast<size_t>(enc.rows * enc.cols));
      sources.assign(static_cast<size_t>(enc.rows), {});
      for (int r = 0; r < enc.rows; ++r) {
        for (int c = 0; c < enc.cols; ++c) {
          const int t = enc.ids[static_cast<size_t>(r * enc.cols + c)];
          if (t != 0) sources[static_cast<size_t>(r)].push_back(t);
        }
      }
      columns = enc.output_ids;
      REQUIRE(!columns.empty());
      cache.clear();
      batchSteps = 0;
      ++out.batches;
      out.shapes.emplace_back(enc.rows, enc.cols);
    }
    REQUIRE(s.position == batchSteps);
    REQUIRE(s.position < kefu::kModelMaxPositions);
    std::vector<std::vector<int>> next;
    std::vector<float> logits;
    for (size_t i = 0; i < s.tokens.size(); ++i) {
      std::vector<int> h;
      if (s.position > 0) {
        REQUIRE(s.reorder[i] >= 0);
        REQUIRE(static_cast<size_t>(s.reorder[i]) < cache.size());
        h = cache[static_cast<size_t>(s.reorder[i])];
        out.emitted.push_back(s.tokens[i]);
      } else {
        CHECK(s.tokens[i] == 2);  // BOS
      }
      h.push_back(s.tokens[i]);
      const std::vector<float> row = net(sources[static_cast<size_t>(s.row_src[i])], h, vocab);
      for (int32_t id : columns) logits.push_back(row[static_cast<size_t>(id)]);  // the shortlist's columns
      next.push_back(std::move(h));
    }
    for (int32_t src : s.row_src) REQUIRE(static_cast<size_t>(src) < sources.size());
    cache = std::move(next);
    REQUIRE(job.advance(logits.data(), s.tokens.size(), columns.size()).ok());
    ++out.steps;
    ++batchSteps;
    REQUIRE(out.steps < 300);
  }
  auto r = job.result();
  REQUIRE(r.ok());
  out.result = *r;
  return out;
}

// The source pieces without the leading tags and the trailing </s>.
std::vector<int> content(const std::vector<int>& source) {
  std::vector<int> c;
  for (int t : source) {
    if (t == 3 || t == id("<2en>") || t == id("<2de>") || t == id("<formal>")) continue;
    c.push_back(t);
  }
  return c;
}

std::vector<float> prefer(int vocab, int token, float eos = -5) {
  std::vector<float> row(static_cast<size_t>(vocab), 0.0f);
  row[3] = eos;
  row[static_cast<size_t>(token)] = 10;
  return row;
}

// Copies the source; `transform` may edit the intended output first (drop, duplicate).
Net copyNet(std::function<std::vector<int>(std::vector<int>)> transform = nullptr) {
  return [transform](const std::vector<int>& source, const std::vector<int>& history, int vocab) {
    std::vector<int> want = content(source);
    if (transform) want = transform(want);
    const size_t g = history.size() - 1;  // tokens generated so far
    return prefer(vocab, g < want.size() ? want[g] : 3);
  };
}

bool isPlaceholder(int t) { return t >= id("\u27e61\u27e7") && t <= id("\u27e69\u27e7"); }

kefu::TranslationJob begin(const std::string& text, kefu::TranslationOptions o = {},
                           const std::vector<std::string>& glossary = {},
                           const char* from = "en", const char* to = "de") {
  auto job = translator().begin(text, from, to, o, glossary);
  REQUIRE_MESSAGE(job.ok(), job.status().toString());
  return std::move(*job);
}

const char* kSpans =
    "Your order GS-70345 (\u20ac49.90) was sent to anna.k@example.com, track it at "
    "https://shop.example/track?id=7 for your Cirrus X2.";

}  // namespace

TEST_CASE("translator: loading checks the model and its special pieces") {
  REQUIRE_SPM();
  kefu::Translator t;
  CHECK(!t.loaded());
  CHECK(t.begin("Hi", "en", "de", {}).status().code() == StatusCode::kUnavailable);
  CHECK(t.load("not a model at all", "de").code() == StatusCode::kDataLoss);
  CHECK(t.load(bytes().substr(0, bytes().size() / 2), "de").code() == StatusCode::kDataLoss);
  CHECK(t.load("", "de").code() == StatusCode::kDataLoss);
  CHECK(!t.loaded());
  const kefu::Status wrongPair = t.load(bytes(), "fr");  // the en-de model has no <2fr>
  CHECK(wrongPair.code() == StatusCode::kDataLoss);
  CHECK(wrongPair.message().find("<2fr>") != std::string::npos);
  CHECK(t.load(bytes(), "xx").code() == StatusCode::kInvalidArgument);
  REQUIRE(t.load(bytes(), "de").ok());
  CHECK(t.vocabularySize() == 8000);
  CHECK(t.begin("Hi", "en", "fr", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(t.begin("Hi", "de", "de", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(t.begin("Hi \xC3(", "en", "de", {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(t.begin(std::string(kefu::kMaxTranslationBytes + 1, 'a'), "en", "de", {}).status().code() ==
        StatusCode::kOutOfRange);
  kefu::TranslationOptions bad;
  bad.beam = 0;
  CHECK(t.begin("Hi", "en", "de", bad).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("translator: options from JSON") {
  auto o = kefu::parseTranslationOptions(R"({"beam":1,"formal":false,"max_length_ratio":1.5})");
  REQUIRE(o.ok());
  CHECK(o->beam == 1);
  CHECK(!o->formal);
  CHECK(o->max_length_ratio == 1.5);
  CHECK(kefu::parseTranslationOptions("").ok());
  CHECK(kefu::parseTranslationOptions(R"({"beam":"2"})").status().message() ==
        "options.beam: expected an integer");
  CHECK(!kefu::parseTranslationOptions(R"({"beam":9})").ok());
  CHECK(kefu::parseTranslationOptions(R"({"max_batch_tokens":256})")->max_batch_tokens == 256);
  CHECK(kefu::parseTranslationOptions(R"({"max_batch_tokens":8})").status().message() ==
        "options.max_batch_tokens: expected 16..65536");
  CHECK(!kefu::parseTranslationOptions(R"({"bream":2})").ok());
  CHECK(!kefu::parseTranslationOptions("[1]").ok());
}

TEST_CASE("translator: empty and blank input need no network") {
  REQUIRE_SPM();
  for (const std::string text : {"", "   ", " \n\n "}) {
    kefu::TranslationJob job = begin(text);
    CHECK(job.done());
    CHECK(job.encoderInput().rows == 0);
    auto r = job.result();
    REQUIRE(r.ok());
    CHECK(r->text == text);
    CHECK(r->segments.empty());
  }
}

TEST_CASE("translator: encoder rows carry the target tag, the register and </s>") {
  REQUIRE_SPM();
  kefu::TranslationJob job = begin("Hello there. How are you?");
  const kefu::EncoderInput& enc = job.encoderInput();
  REQUIRE(enc.rows == 2);
  CHECK(enc.ids[0] == id("<2de>"));
  CHECK(enc.ids[1] == id("<formal>"));
  CHECK(enc.ids[static_cast<size_t>(enc.cols)] == id("<2de>"));
  CHECK(job.stepInput().tokens == std::vector<int32_t>{2, 2});
  CHECK(job.stepInput().row_src == std::vector<int32_t>{0, 1});
  // The row ends with </s>, then padding.
  std::vector<int> row0(enc.ids.begin(), enc.ids.begin() + enc.cols);
  while (!row0.empty() && row0.back() == 0) row0.pop_back();
  CHECK(row0.back() == 3);

  kefu::TranslationOptions informal;
  informal.formal = false;
  CHECK(begin("Hello", informal).encoderInput().ids[1] != id("<formal>"));
  kefu::TranslationJob toEn = begin("Hallo, wie geht es Ihnen?", {}, {}, "de", "en");
  CHECK(toEn.encoderInput().ids[0] == id("<2en>"));
  CHECK(toEn.encoderInput().ids[1] != id("<formal>"));  // no register into English
}

TEST_CASE("translator: spans survive a copying network, greedy and beam") {
  REQUIRE_SPM();
  for (int beam : {1, 2, 4}) {
    kefu::TranslationOptions o;
    o.beam = beam;
    kefu::TranslationJob job = begin(kSpans, o, {"Cirrus X2"});
    const Run r = run(job, copyNet());
    CHECK(r.result.text == kSpans);
    CHECK(r.result.missing_placeholders.empty());
    CHECK(!r.result.truncated);
    std::vector<std::string> kinds;
    for (const kefu::ProtectedSpan& s : r.result.protected_spans) kinds.push_back(s.kind + ":" + s.text);
    CHECK(kinds == std::vector<std::string>{"code:GS-70345", "amount:\u20ac49.90",
                                            "email:anna.k@example.com",
                                            "url:https://shop.example/track?id=7",
                                            "glossary:Cirrus X2"});
  }
}

TEST_CASE("translator: placeholders the network drops are appended, duplicates removed") {
  REQUIRE_SPM();
  kefu::TranslationJob dropJob = begin(kSpans, {}, {"Cirrus X2"});
  const Run dropped = run(dropJob, copyNet([](std::vector<int> want) {
    std::vector<int> out;
    for (int t : want) {
      if (!isPlaceholder(t)) out.push_back(t);
    }
    return out;
  }));
  for (const char* span : {"GS-70345", "\u20ac49.90", "anna.k@example.com",
                           "https://shop.example/track?id=7", "Cirrus X2"}) {
    CHECK(dropped.result.text.find(span) != std::string::npos);
  }
  CHECK(dropped.result.missing_placeholders.size() == 5);
  CHECK(dropped.result.text.find("\u27e6") == std::string::npos);

  kefu::TranslationJob dupJob = begin("Order #4711 is late, order #4711!");
  const Run dup = run(dupJob, copyNet([](std::vector<int> want) {
    std::vector<int> out;
    for (int t : want) {
      out.push_back(t);
      if (isPlaceholder(t)) out.push_back(t);  // every placeholder twice
    }
    return out;
  }));
  // The source has ⟦1⟧ twice: the search allows it twice, never a third time.
  size_t count = 0;
  for (size_t p = dup.result.text.find("4711"); p != std::string::npos;
       p = dup.result.text.find("4711", p + 1)) {
    ++count;
  }
  CHECK(count == 2);
  for (int t : dup.emitted) CHECK((!isPlaceholder(t) || t == id("\u27e61\u27e7")));

  // Restoration itself, on output with a duplicate and a placeholder not in the source.
  kefu::ProtectedSpan s1;
  s1.text = "GS-70345";
  s1.placeholder = 1;
  const std::string decoded = "Bestellung \u27e61\u27e7 und \u27e61\u27e7 \u27e63\u27e7 ist da.";
  kefu::RestoredText rt =
      kefu::restorePlaceholders(decoded, kefu::findPlaceholderMarks(decoded), {&s1});
  CHECK(rt.text == "Bestellung GS-70345 und ist da.");
  CHECK(rt.duplicates == 1);
  CHECK(rt.missing.empty());
}

TEST_CASE("translator: literal placeholder and tag text is ordinary text") {
  REQUIRE_SPM();
  // Ten numbers: the tenth stays text, and the literal ⟦1⟧ / <formal> cannot become specials.
  const std::string text =
      "Codes 11 12 13 14 15 16 17 18 19 and \u27e61\u27e7 <formal> <2en> please.";
  kefu::TranslationJob job = begin(text);
  const kefu::EncoderInput& enc = job.encoderInput();
  int formal = 0;
  int tags = 0;
  for (int t : enc.ids) {
    formal += t == id("<formal>");
    tags += t == id("<2en>") || t == id("<2de>");
  }
  CHECK(formal == 1);  // only the register tag the translator put there
  CHECK(tags == 1);
  const Run r = run(job, copyNet());
  CHECK(r.result.missing_placeholders.empty());
  // The tenth number stays text; literal tags come back with ‹› (defused), never as specials.
  for (const char* kept : {"11", "19", "\u2039formal\u203a", "\u20392en\u203a", "[1]"}) {
    CHECK_MESSAGE(r.result.text.find(kept) != std::string::npos, (std::string(kept) + " in " + r.result.text));
  }
  CHECK(r.result.protected_spans.size() == 9);
}

TEST_CASE("translator: never pad, BOS, UNK, tags, or placeholders not in the source") {
  REQUIRE_SPM();
  const std::set<int> forbidden = {0, 1, 2, id("<2en>"), id("<2de>"), id("<formal>"),
                                   id("<informal>"), id("\u27e62\u27e7"), id("\u27e69\u27e7")};
  Net greedyForForbidden = [&](const std::vector<int>&, const std::vector<int>& history, int vocab) {
    std::vector<float> row(static_cast<size_t>(vocab), 0.0f);
    for (int f : forbidden) row[static_cast<size_t>(f)] = 50;
    row[static_cast<size_t>(id("\u27e61\u27e7"))] = 20;  // in the source: allowed once
    row[static_cast<size_t>(id("\u2581Hallo"))] = 10;
    row[3] = history.size() > 3 ? 30 : -5;
    return row;
  };
  kefu::TranslationJob job = begin("Order 4711 please.");
  const Run r = run(job, greedyForForbidden);
  REQUIRE(!r.emitted.empty());
  for (int t : r.emitted) CHECK(forbidden.count(t) == 0);
  CHECK(r.result.text.find("4711") != std::string::npos);
}

TEST_CASE("translator: the repetition guard ends loops") {
  REQUIRE_SPM();
  const int x = id("\u2581danke");
  Net loop = [x](const std::vector<int>&, const std::vector<int>&, int vocab) {
    return prefer(vocab, x, 5);  // "danke danke danke ...", </s> only second best
  };
  kefu::TranslationOptions o;
  o.beam = 1;
  kefu::TranslationJob job = begin("Thank you very much for your order.", o);
  const Run r = run(job, loop);
  CHECK(r.steps == 4);  // danke danke danke </s>: a fourth would repeat the 3-gram
  CHECK(!r.result.truncated);

  o.no_repeat_ngram = 0;
  o.max_token_run = 4;
  kefu::TranslationJob runJob = begin("Thank you very much for your order.", o);
  CHECK(run(runJob, loop).steps == 5);  // four in a row, then </s>
}

TEST_CASE("translator: the length limit stops a network that never ends") {
  REQUIRE_SPM();
  Net endless = [](const std::vector<int>&, const std::vector<int>& history, int vocab) {
    return prefer(vocab, 100 + static_cast<int>(history.size() * 37 % 5000), -100);
  };
  for (int beam : {1, 3}) {
    kefu::TranslationOptions o;
    o.beam = beam;
    kefu::TranslationJob job = begin("Hello world.", o);
    const int pieces = static_cast<int>(content([&] {
      const auto& e = job.encoderInput();
      return std::vector<int>(e.ids.begin(), e.ids.begin() + e.cols);
    }()).size());
    const Run r = run(job, endless);
    CHECK(r.steps == 2 * pieces + 10);
    CHECK(r.result.truncated);
    CHECK(r.result.segments.at(0).truncated);
  }
  kefu::TranslationOptions capped;
  capped.max_length_ratio = 10;
  capped.max_length_extra = 250;
  kefu::TranslationJob job = begin("Hello world.", capped);
  CHECK(run(job, endless).steps == kefu::kMaxTargetTokens);
}

TEST_CASE("translator: beam search finds what greedy misses") {
  REQUIRE_SPM();
  const int a = id("\u2581Ja");
  const int b = id("\u2581Nein");
  const int c = id("\u2581danke");
  // Step 0: Ja 0.6, Nein 0.4. After Ja every continuation is unlikely (0.01); after Nein,
  // "danke" is certain. Greedy: Ja ... (log 0.006); beam 2: Nein danke (log 0.4).
  Net net = [&](const std::vector<int>&, const std::vector<int>& h, int vocab) {
    std::vector<float> row(static_cast<size_t>(vocab), -1e9f);
    if (h.size() == 1) {
      row[static_cast<size_t>(a)] = std::log(0.6f);
      row[static_cast<size_t>(b)] = std::log(0.4f);
    } else if (h.size() == 2 && h[1] == a) {
      for (int t = 200; t < 300; ++t) row[static_cast<size_t>(t)] = std::log(0.01f);
    } else if (h.size() == 2 && h[1] == b) {
      row[static_cast<size_t>(c)] = 0;
    } else {
      row[3] = 0;
    }
    return row;
  };
  kefu::TranslationOptions greedy;
  greedy.beam = 1;
  kefu::TranslationJob g = begin("Yes?", greedy);
  const Run rg = run(g, net);
  CHECK(rg.result.text.rfind("Ja", 0) == 0);
  kefu::TranslationOptions beam;
  beam.beam = 2;
  kefu::TranslationJob bj = begin("Yes?", beam);
  const Run rb = run(bj, net);
  CHECK(rb.result.text == "Nein danke");
}

TEST_CASE("translator: logits of the wrong shape are refused") {
  REQUIRE_SPM();
  kefu::TranslationJob job = begin("Hello. Bye.");
  std::vector<float> logits(3 * 8000, 0.0f);
  CHECK(job.advance(logits.data(), 3, 8000).code() == StatusCode::kInvalidArgument);
  CHECK(job.advance(logits.data(), 2, 7999).code() == StatusCode::kInvalidArgument);
  CHECK(job.advance(nullptr, 2, 8000).code() == StatusCode::kInvalidArgument);
  logits[5] = std::nanf("");
  CHECK(job.advance(logits.data(), 2, 8000).code() == StatusCode::kInvalidArgument);
  CHECK(job.result().status().code() == StatusCode::kUnavailable);
  CHECK(job.steps() == 0);  // nothing changed
  logits[5] = 0;
  CHECK(job.advance(logits.data(), 2, 8000).ok());
  CHECK(job.steps() == 1);
}

TEST_CASE("translator: sentence splitting keeps separators and spans") {
  const std::string text =
      "Hi! See e.g. No. 5 at 49.90 EUR.\n\nMail me at a.b@example.com. Thanks?? 好的。谢谢！ok";
  const auto spans = kefu::findProtectedSpans(text, {});
  std::vector<std::string> sentences;
  for (const kefu::TextRange& r : kefu::splitSentences(text, spans)) {
    sentences.push_back(text.substr(r.start, r.end - r.start));
  }
  CHECK(sentences == std::vector<std::string>{"Hi!", "See e.g. No. 5 at 49.90 EUR.",
                                              "Mail me at a.b@example.com.", "Thanks??",
                                              "\u597d\u7684\u3002", "\u8c22\u8c22\uff01", "ok"});
  const auto amounts = kefu::findProtectedSpans("Pay 49,90 \u20ac or $5, 10% off SKU-12, #4711.", {});
  std::vector<std::string> found;
  for (const auto& s : amounts) found.push_back(s.kind + ":" + s.text);
  CHECK(found == std::vector<std::string>{"amount:49,90 \u20ac", "amount:$5", "amount:10%",
                                          "code:SKU-12", "number:4711"});
  // Glossary terms: exact case, whole words.
  const auto g = kefu::findProtectedSpans("cirrus Cirrus Cirrusly XCirrus Cirrus.", {"Cirrus"});
  REQUIRE(g.size() == 2);
  CHECK(g[0].start == 7);
}

TEST_CASE("translator: a 5,000-character message decodes in length-sorted batches, all in order") {
  REQUIRE_SPM();
  std::string text;
  int i = 0;
  while (text.size() < 5000) {
    text += "Order GS-" + std::to_string(70000 + i) + " costs \u20ac" + std::to_string(i) +
            ".50 and goes to buyer" + std::to_string(i) + "@example.com. ";
    if (i % 4 == 3) text += "\n\n";
    if (i % 5 == 4) text += "Thanks! ";  // short sentences between long ones
    ++i;
  }
  // One long sentence without punctuation: split at spaces below 200 pieces.
  for (int w = 0; w < 300; ++w) text += "word" + std::string(1, static_cast<char>('a' + w % 26)) + " ";
  text += "end";
  kefu::TranslationOptions o;
  o.beam = 2;
  o.no_repeat_ngram = 0;  // the long sentence repeats "worda wordb ..." on purpose
  kefu::TranslationJob job = begin(text, o);
  CHECK(job.stepInput().tokens.size() == static_cast<size_t>(job.encoderInput().rows));
  const Run r = run(job, copyNet());
  CHECK(r.result.text == text);
  CHECK(r.result.missing_placeholders.empty());
  CHECK(r.result.protected_spans.size() == static_cast<size_t>(3 * i));
  CHECK(r.batches == job.batches());
  CHECK(r.batches > 1);
  int rows = 0;
  for (size_t b = 0; b < r.shapes.size(); ++b) {
    const auto [batchRows, cols] = r.shapes[b];
    rows += batchRows;
    CHECK(cols <= 200 + 3);
    CHECK((batchRows == 1 || batchRows * cols <= o.max_batch_tokens));  // padded tokens bounded
    if (b > 0) CHECK(cols >= r.shapes[b - 1].second);                  // shortest first
  }
  CHECK(rows > i + i / 5);
  CHECK(r.shapes.front().second < r.shapes.back().second);

  // One batch for everything when the budget allows: the same translation.
  o.max_batch_tokens = 65536;
  kefu::TranslationJob one = begin(text, o);
  const Run single = run(one, copyNet());
  CHECK(single.batches == 1);
  CHECK(single.shapes.at(0).first == rows);
  CHECK(single.result.text == r.result.text);
}

TEST_CASE("translator: the assistant uses the knowledge base's glossary") {
  REQUIRE_SPM();
  kefu::Assistant a;
  CHECK(a.beginTranslation("Hi", "en", "de", "").status().code() == StatusCode::kUnavailable);
  CHECK(a.loadTranslationModel("de", "garbage").code() == StatusCode::kDataLoss);
  REQUIRE(a.loadTranslationModel("de", bytes()).ok());
  nlohmann::json kb = nlohmann::json::parse(kefu_test::kTestKb);
  kb["glossary"] = {"Global Select", "Cirrus"};
  REQUIRE(a.loadKnowledgeBase(kb.dump()).ok());
  auto job = a.beginTranslation("Global Select sells the Cirrus.", "en", "de", R"({"beam":1})");
  REQUIRE(job.ok());
  const Run r = run(*job, copyNet());
  REQUIRE(r.result.protected_spans.size() == 2);
  CHECK(r.result.protected_spans[0].text == "Global Select");
  CHECK(r.result.text == "Global Select sells the Cirrus.");
  CHECK(a.beginTranslation("Hi", "en", "de", R"({"beam":0})").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(a.beginTranslation("Hi", "en", "fr", "").status().code() == StatusCode::kUnavailable);

  kb["glossary"] = {"Cirrus", 3};
  auto bad = a.loadKnowledgeBase(kb.dump());
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("glossary[1]") != std::string::npos);
  kb["glossary"] = "Cirrus";
  CHECK(!a.loadKnowledgeBase(kb.dump()).ok());
}

namespace {

// shortlist.bin for the test vocabulary: `frequent` and one candidate list per source piece,
// the same for both directions.
std::string shortlistBytes(const std::vector<int>& frequent,
                           const std::vector<std::pair<int, std::vector<int>>>& candidates,
                           uint32_t perPiece = 4, uint32_t vocab = 8000) {
  std::string b = "KEFUSL01";
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  auto u16 = [&](int v) {
    b.push_back(static_cast<char>(v & 0xff));
    b.push_back(static_cast<char>((v >> 8) & 0xff));
  };
  u32(vocab);
  u32(perPiece);
  u32(static_cast<uint32_t>(frequent.size()));
  for (int d = 0; d < 2; ++d) {
    for (int f : frequent) u16(f);
    std::vector<int> table(static_cast<size_t>(vocab) * perPiece, 0);
    for (const auto& [src, list] : candidates) {
      for (size_t j = 0; j < list.size(); ++j) table[static_cast<size_t>(src) * perPiece + j] = list[j];
    }
    for (int t : table) u16(t);
  }
  return b;
}

}  // namespace

TEST_CASE("translator: a shortlist limits the scored tokens to the batch's candidates") {
  REQUIRE_SPM();
  const int hello = id("\u2581Hello");
  const int hallo = id("\u2581Hallo");
  const int guten = id("\u2581guten");
  const int tag = id("\u2581Tag");
  const int dot = id(".");
  const std::string sl = shortlistBytes({dot, tag}, {{hello, {hallo, guten}}});
  kefu::Translator t;
  REQUIRE(t.load(bytes(), "de", sl).ok());
  auto job = t.begin("Hello 4711.", "en", "de", {});
  REQUIRE(job.ok());
  const std::vector<int32_t>& ids = job->encoderInput().output_ids;
  const std::set<int32_t> scored(ids.begin(), ids.end());
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(scored.size() == ids.size());
  for (int want : {hallo, guten, dot, tag, hello, 3, id("\u27e61\u27e7"), id("\u27e69\u27e7")}) {
    CHECK_MESSAGE(scored.count(want) == 1, want);  // candidates, frequent, source, </s>, placeholders
  }
  for (int never : {0, 1, 2, id("<2de>"), id("<formal>"), id("\u2581Bestellung")}) {
    CHECK_MESSAGE(scored.count(never) == 0, never);
  }
  CHECK(ids.size() < 40);

  // The network prefers a token outside the shortlist: it cannot be chosen; the best scored one is.
  const int outside = id("\u2581Bestellung");
  Net net = [&](const std::vector<int>&, const std::vector<int>& history, int vocab) {
    std::vector<float> row(static_cast<size_t>(vocab), 0.0f);
    row[static_cast<size_t>(outside)] = 50;
    row[static_cast<size_t>(guten)] = history.size() == 1 ? 20 : -20;
    row[static_cast<size_t>(tag)] = history.size() == 2 ? 20 : -20;
    row[3] = history.size() >= 3 ? 30 : -5;
    return row;
  };
  const Run r = run(*job, net);
  CHECK(r.result.text == "guten Tag 4711");
  for (int e : r.emitted) CHECK(e != outside);

  // Logits of the full vocabulary do not fit a shortlisted step.
  auto other = t.begin("Hello.", "en", "de", {});
  REQUIRE(other.ok());
  std::vector<float> full(8000, 0.0f);
  const kefu::Status wrong = other->advance(full.data(), 1, 8000);
  CHECK(wrong.code() == StatusCode::kInvalidArgument);
  CHECK(wrong.message().find("columns") != std::string::npos);
}

TEST_CASE("translator: a corrupted shortlist is refused and the model stays as it was") {
  REQUIRE_SPM();
  const std::string good = shortlistBytes({4}, {});
  kefu::Translator t;
  REQUIRE(t.load(bytes(), "de", good).ok());
  for (const std::string& bad : {std::string("KEFUSL01"), "XEFUSL01" + good.substr(8),
                                 good.substr(0, good.size() - 2), shortlistBytes({4}, {}, 4, 7999),
                                 shortlistBytes({9000}, {})}) {
    const kefu::Status st = t.load(bytes(), "de", bad);
    CHECK(st.code() == StatusCode::kDataLoss);
    CHECK(st.message().find("shortlist") != std::string::npos);
  }
  auto job = t.begin("Hello.", "en", "de", {});
  REQUIRE(job.ok());
  CHECK(job->encoderInput().output_ids.size() < 100);  // still the good shortlist
}
