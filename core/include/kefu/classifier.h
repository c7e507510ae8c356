// A compact multi-head text classifier, fastText-style: the hashed features of
// kefu/text_features.h index an int8 embedding table (one float scale per row); their average
// goes through an optional ReLU hidden layer into one softmax per head (e.g. intent, sentiment,
// urgency; or lang). Each head carries a temperature fitted on held-out data, so probabilities
// are calibrated. Models are loaded from bytes (the core does no I/O); the format is in
// docs/models.md ("KEFUCLS1").
//
//   auto model = kefu::TextClassifier::load(bytes);      // bytes of models/nlu/kefu-nlu.bin
//   if (!model.ok()) return model.status();             // data_loss / out_of_range /
//   invalid_argument auto p = model->classify("¿Dónde está mi pedido?"); if (!p.ok()) return
//   p.status();                     // invalid_argument: bad UTF-8 const kefu::HeadPrediction*
//   intent = p->find("intent"); use(intent->label, intent->probability);            //
//   "track_order", 0.93
#ifndef KEFU_CLASSIFIER_H_
#define KEFU_CLASSIFIER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/status.h"
#include "kefu/text_features.h"

namespace kefu {

// Limits a model file may declare; anything larger is refused as invalid_argument before any
// allocation, so a corrupted size field cannot exhaust memory.
constexpr uint32_t kMaxClassifierDim = 1024;
constexpr uint32_t kMaxClassifierHidden = 4096;
constexpr uint32_t kMaxClassifierHeads = 16;
constexpr uint32_t kMaxClassifierLabels = 4096;
constexpr uint64_t kMaxEmbeddingCells = 1ull << 28;  // buckets * dim

// The format version this core writes and reads.
constexpr uint32_t kClassifierFormatVersion = 1;

struct LabelProbability {
  std::string label;
  float probability = 0.0f;
};

struct HeadPrediction {
  std::string head;                   // e.g. "intent"
  std::string label;                  // the most probable label
  float probability = 0.0f;           // its calibrated probability
  std::vector<LabelProbability> top;  // the top_k labels, most probable first
};

struct Prediction {
  std::vector<HeadPrediction> heads;  // in the model's head order
  // The prediction of head `name`, or nullptr when the model has no such head.
  const HeadPrediction* find(std::string_view name) const;
};

struct ClassifierHead {
  std::string name;
  std::vector<std::string> labels;
  float temperature = 1.0f;  // logits are divided by it before the softmax
};

// Everything a model file holds, in float: what the trainer produces and encode() quantises.
struct ClassifierWeights {
  FeatureConfig features;
  uint32_t dim = 0;
  uint32_t hidden = 0;  // 0: the heads read the averaged embedding directly
  std::vector<ClassifierHead> heads;
  std::string version;                // free text stored in the file, e.g. "kefu-nlu 1.0.0"
  std::vector<float> embedding;       // buckets x dim, row-major
  std::vector<float> hidden_weights;  // hidden x dim (when hidden > 0)
  std::vector<float> hidden_bias;     // hidden
  std::vector<std::vector<float>> head_weights;  // per head: labels x input, input = hidden or dim
  std::vector<std::vector<float>> head_bias;     // per head: labels
};

class TextClassifier {
 public:
  // Parses a KEFUCLS1 model. Fails with invalid_argument (wrong magic, unsupported version,
  // absurd or inconsistent sizes, bad config), out_of_range (truncated: the message names the
  // part that is missing), or data_loss (checksum mismatch, trailing bytes).
  static StatusOr<TextClassifier> load(std::string_view bytes);

  // Quantises `weights` (int8 rows, one float scale each) and encodes a model file. Fails with
  // invalid_argument when sizes disagree or a value is not finite.
  static StatusOr<std::string> encode(const ClassifierWeights& weights);

  // Predicts every head for `text`: label, calibrated probability and the `top_k` most probable
  // labels (at least 1). Fails with invalid_argument on invalid UTF-8 and out_of_range for text
  // over kMaxMessageBytes. Text without features (empty, only punctuation) gets the priors the
  // biases encode.
  StatusOr<Prediction> classify(std::string_view text, size_t top_k = 3) const;

  // Raw logits per head (before temperature), for calibration and evaluation tools. Fails like
  // classify().
  StatusOr<std::vector<std::vector<float>>> logits(std::string_view text) const;

  // Logits per head for already extracted feature ids (each < buckets; others are ignored).
  // Never fails; `out` is resized to one vector per head.
  void logitsOfFeatures(const uint32_t* ids, size_t count,
                        std::vector<std::vector<float>>& out) const;

  const FeatureConfig& features() const { return features_; }
  uint32_t dim() const { return dim_; }
  uint32_t hidden() const { return hidden_; }
  const std::vector<ClassifierHead>& heads() const { return heads_; }
  const std::string& version() const { return version_; }

 private:
  TextClassifier() = default;

  FeatureConfig features_;
  uint32_t dim_ = 0;
  uint32_t hidden_ = 0;
  std::vector<ClassifierHead> heads_;
  std::string version_;
  std::vector<float> row_scale_;       // buckets
  std::vector<int8_t> embedding_;      // buckets x dim
  std::vector<float> hidden_weights_;  // hidden x dim
  std::vector<float> hidden_bias_;     // hidden
  std::vector<std::vector<float>> head_weights_;
  std::vector<std::vector<float>> head_bias_;
};

// Converts logits to probabilities: softmax(logits / temperature), numerically stable. Never
// fails; an empty input gives an empty output.
std::vector<float> softmaxWithTemperature(const std::vector<float>& logits, float temperature);

}  // namespace kefu

#endif  // KEFU_CLASSIFIER_H_
