// The translator's decoding core: everything around the neural network (docs/core.md,
// "Translator"). ONNX Runtime Web runs the encoder and decoder from JavaScript; this header
// owns SentencePiece tokenisation, sentence splitting, placeholders for spans that must survive
// unchanged, and the beam/greedy search as an inverted-control state machine: the caller asks the
// job what to feed the network, runs it, hands the logits back, and repeats until done().
//
//   kefu::Translator t;
//   if (!t.load(spmBytes, "de").ok()) ...;                    // en-de model, both directions
//   auto job = t.begin("Wo ist Bestellung GS-70345?", "de", "en", {}, glossary);
//   if (!job.ok()) report(job.status());
//   while (!job->done()) {
//     const kefu::StepInput& s = job->stepInput();             // token, position, reorder, row_src
//     if (s.position == 0) {                                   // a batch of sentences starts:
//       encoder.run(job->encoderInput());                      // src int64 [rows, cols]
//       decoder.clearCache();
//     }
//     std::vector<float> logits = decoder.run(s);              // [s.tokens.size(), vocab]
//     if (!job->advance(logits.data(), s.tokens.size(), vocab).ok()) ...;
//   }
//   show(job->result().text);                                  // "Where is order GS-70345?"
#ifndef KEFU_TRANSLATOR_H_
#define KEFU_TRANSLATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/status.h"
#include "kefu/translate_text.h"

namespace kefu {

// The longest text one job accepts, in UTF-8 bytes (a 5,000-character CJK message is ~15 kB);
// longer ones are refused with out_of_range.
constexpr size_t kMaxTranslationBytes = 32 * 1024;
// Positions of the model (encoder and decoder); the search never exceeds them.
constexpr int kModelMaxPositions = 256;

// Search settings; every field can be set from JSON (parseTranslationOptions).
struct TranslationOptions {
  int beam = 2;                      // hypotheses per sentence; 1 = greedy. 1..8
  double max_length_ratio = 2.0;     // target tokens <= ratio * source pieces + extra ...
  int max_length_extra = 10;         // ... and never more than kMaxTargetTokens
  bool formal = true;                // add <formal> when the target is not English
  double length_penalty = 1.0;       // score / length^penalty (0 = raw sum of log-probabilities)
  int no_repeat_ngram = 3;           // a token n-gram never repeats in a hypothesis (0 = off)
  int max_token_run = 4;             // the same token at most this often in a row (0 = off)
  int max_source_pieces = 200;       // longer sentences are split at commas or spaces (16..250)
  // Sentences are sorted by length and encoded/decoded in batches of at most this many padded
  // source tokens (rows x cols; a longer sentence is a batch of its own), so a long message's
  // short sentences are not padded to its longest one. 16..65536.
  int max_batch_tokens = 1024;
};
constexpr int kMaxTargetTokens = 250;

// {"beam":2, "formal":true, "max_length_ratio":2, "max_length_extra":10, "length_penalty":1,
//  "no_repeat_ngram":3, "max_token_run":4, "max_source_pieces":200, "max_batch_tokens":1024},
//  every field optional; ""
// gives the defaults. Fails with invalid_argument naming the field (wrong type, out of range,
// unknown field).
StatusOr<TranslationOptions> parseTranslationOptions(std::string_view json_text);

// What the encoder runs on for the current batch: `rows` sentences of `cols` ids each, row-major,
// right-padded with 0. Row layout: [<2target>] [<formal>]? pieces... </s>.
struct EncoderInput {
  int rows = 0;
  int cols = 0;
  std::vector<int32_t> ids;
  // The vocabulary ids the decoder scores in this batch, ascending (its `shortlist` input; the
  // logits' columns). All ids without a shortlist, else the batch's lexical shortlist.
  std::vector<int32_t> output_ids;
};

// What the decoder runs on at one step; all vectors have one entry per live hypothesis row.
struct StepInput {
  int position = 0;              // step index t in the current batch (0: a batch starts)
  std::vector<int32_t> tokens;   // last token of each hypothesis (BOS at step 0)
  std::vector<int32_t> reorder;  // row of the previous step's cache each row continues
  std::vector<int32_t> row_src;  // row of encoderInput() (sentence) each row belongs to
};

struct TranslatedSegment {
  std::string source;             // the sentence as written
  std::string target;             // its translation, spans restored
  bool translated = false;        // false: copied (no words to translate, e.g. only a URL)
  bool truncated = false;         // hit the length limit before </s>
};

struct TranslationResult {
  std::string text;               // the whole translation, separators as in the source
  std::vector<TranslatedSegment> segments;
  std::vector<ProtectedSpan> protected_spans;  // every span replaced by a placeholder
  std::vector<std::string> missing_placeholders;  // spans the model dropped (appended back)
  int duplicate_placeholders = 0;  // extra copies the model emitted (removed)
  bool truncated = false;          // any segment truncated

  // {text, segments:[{source, target, translated, truncated}], protected:[{text, kind,
  //  placeholder, segment}], missing_placeholders:[...], duplicate_placeholders, truncated}
  nlohmann::json toJson() const;
};

class TranslationModel;  // the loaded SentencePiece model and its special ids (translator.cc)

// One translation in flight. Created by Translator::begin; owns everything it needs (a job
// outlives a later Translator::load).
class TranslationJob {
 public:
  TranslationJob(TranslationJob&&) noexcept;
  TranslationJob& operator=(TranslationJob&&) noexcept;
  ~TranslationJob();

  // The encoder's input for the current batch; rows == 0 when there is nothing to translate
  // (then done() is true). It changes whenever stepInput().position is 0.
  const EncoderInput& encoderInput() const;
  // The decoder's input for the current step. Meaningless once done(). Position 0 starts a
  // batch: run the encoder on encoderInput() and start from an empty self-attention cache.
  const StepInput& stepInput() const;
  // Hands back the decoder's raw logits for stepInput(): `rows` x `cols` floats, row-major,
  // column c scoring vocabulary id encoderInput().output_ids[c]. Fails with invalid_argument
  // when rows != stepInput().tokens.size() or cols != output_ids.size() (the job is unchanged),
  // with unavailable after done().
  Status advance(const float* logits, size_t rows, size_t cols);
  // True when every sentence finished (</s> on all beams, length limit, or nothing to decode).
  bool done() const;
  // Decoding steps taken so far (all batches).
  int steps() const;
  // Encoder batches of this job (0 when there is nothing to translate).
  int batches() const;
  // The translation. Fails with unavailable before done().
  StatusOr<TranslationResult> result() const;

 private:
  friend class Translator;
  struct State;
  explicit TranslationJob(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A translation model's tokeniser for the pair en-<pair_lang>, both directions.
class Translator {
 public:
  Translator();
  ~Translator();
  Translator(Translator&&) noexcept;
  Translator& operator=(Translator&&) noexcept;

  // Loads a serialised SentencePiece model (spm.model bytes) for en-<pair_lang>, and optionally
  // the pair's lexical shortlist (shortlist.bin bytes; empty: the decoder scores the whole
  // vocabulary). Fails with invalid_argument for an unknown language, data_loss for bytes that
  // are not a SentencePiece model or lack a special piece (<2en>, <2xx>, <formal>, <informal>,
  // ⟦1⟧..⟦9⟧, <s>, </s>, <pad>), or a shortlist that is corrupted or made for another
  // vocabulary. A failed load keeps the previous model.
  Status load(std::string_view spm_model_bytes, std::string pair_lang,
              std::string_view shortlist_bytes = {});
  bool loaded() const;
  const std::string& pairLanguage() const;
  // The vocabulary size the decoder's logits must have.
  int vocabularySize() const;

  // Starts translating `text` from `from` to `to` (one of them "en", the other the pair's
  // language). `glossary` holds exact, case-sensitive terms kept as written (product names).
  // Fails with unavailable before load(), invalid_argument for a wrong language pair, invalid
  // UTF-8 (naming the byte) or a bad option, out_of_range over kMaxTranslationBytes.
  StatusOr<TranslationJob> begin(std::string_view text, std::string_view from,
                                 std::string_view to, const TranslationOptions& options,
                                 const std::vector<std::string>& glossary = {}) const;

 private:
  std::shared_ptr<const TranslationModel> model_;
};

}  // namespace kefu

#endif  // KEFU_TRANSLATOR_H_
