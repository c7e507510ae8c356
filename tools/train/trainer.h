// Native training library for kefu::TextClassifier models (linked by tools/kefu-train and by the
// unit tests): reads JSONL datasets, trains an embedding bag + optional hidden layer + softmax
// heads with fastText-style SGD (linearly decaying learning rate), fits one temperature per head
// on a calibration slice held out from the training data, quantises through
// TextClassifier::encode, and evaluates the QUANTISED model through the same core inference code
// the browser runs.
//
//   kefu::train::Options opt;  opt.heads = {"intent"};  opt.dim = 32;
//   auto train = kefu::train::readJsonl({"train.jsonl"}, opt.heads, {});
//   auto result = kefu::train::trainModel(*train, opt);   // result->model_bytes: a KEFUCLS1 file
//   auto model = kefu::TextClassifier::load(result->model_bytes);
//   nlohmann::json report = kefu::train::evaluate(*model, *dev);
//
// Native only (threads, files, exceptions allowed): none of this ships in the wasm core.
#ifndef KEFU_TOOLS_TRAIN_TRAINER_H_
#define KEFU_TOOLS_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kefu/classifier.h"
#include "kefu/status.h"

namespace kefu {
namespace train {

struct Example {
  std::string text;
  std::string lang;             // "" when the line has no "lang"
  std::vector<int32_t> labels;  // per head; -1: the line has no label for that head
  std::vector<uint32_t> features;
};

struct Dataset {
  std::vector<std::string> heads;
  std::vector<std::vector<std::string>> labels;  // per head
  std::vector<Example> examples;
  size_t lines = 0;    // non-empty lines read
  size_t skipped = 0;  // lines without text or without any known label
  std::vector<std::string> warnings;
};

// Reads JSONL files of {"text": ..., "<head>": label, "lang"?: ...}. With `fixed_labels[h]`
// non-empty, head h uses that label list and lines with other labels lose that label (counted in
// warnings); otherwise labels are collected in sorted order. Fails with not_found (file),
// invalid_argument (bad JSON, with file:line).
StatusOr<Dataset> readJsonl(const std::vector<std::string>& paths,
                            const std::vector<std::string>& heads,
                            const std::vector<std::vector<std::string>>& fixed_labels);

// Label lists from a JSON file: {"<head>": ["a", ...]} or, for a head "x", {"xs": [{"name": ..}]}
// (shared/taxonomy/intents.json). Heads the file does not list get an empty list.
StatusOr<std::vector<std::vector<std::string>>> labelsFromFile(
    const std::string& path, const std::vector<std::string>& heads);

// Computes every example's feature ids with `config` (the core's one implementation).
Status featurize(Dataset& data, const FeatureConfig& config);

struct Options {
  std::vector<std::string> heads;
  std::vector<float> head_weights;  // loss weight per head; empty = all 1
  FeatureConfig features;
  uint32_t dim = 32;
  uint32_t hidden = 0;
  uint32_t epochs = 20;
  float lr = 0.5f;
  uint64_t seed = 1;
  uint32_t threads = 1;               // > 1: Hogwild (faster, not bit-reproducible)
  float calibration_fraction = 0.1f;  // of train, held out for temperature scaling
  float dropout = 0.0f;               // probability of dropping each feature occurrence in SGD
  std::string version = "kefu-classifier";
  bool verbose = true;
  const Dataset* dev = nullptr;  // when set and verbose: float dev accuracy per epoch
};

struct Result {
  std::string model_bytes;          // calibrated, quantised KEFUCLS1 file
  std::vector<float> temperatures;  // per head
  size_t train_examples = 0;        // used for SGD
  size_t calibration_examples = 0;  // held out for temperatures
  std::vector<float> epoch_loss;    // mean training loss per epoch
  nlohmann::json calibration;       // per head: temperature, nll before/after on the slice
  ClassifierWeights float_weights;  // the float model before quantisation
};

// Trains on `data` (featurize() it first with opt.features). Fails with invalid_argument on bad
// options or when no example carries a label.
StatusOr<Result> trainModel(const Dataset& data, const Options& opt);

// Evaluates `model` on `data` through TextClassifier::classify/logits (per head: n, accuracy,
// macro_f1, ece and nll before/after temperature, per-language breakdown, top confusions).
// `data` heads must match the model's heads by name; labels are matched by name.
nlohmann::json evaluate(const TextClassifier& model, const Dataset& data, size_t threads = 1);

// Float-model accuracy per head (before quantisation), for the report and per-epoch progress.
std::vector<double> floatAccuracy(const ClassifierWeights& w, const Dataset& data);

// Expected calibration error with `bins` equal-width confidence bins.
double expectedCalibrationError(const std::vector<float>& confidence,
                                const std::vector<bool>& correct, int bins = 15);

}  // namespace train
}  // namespace kefu

#endif  // KEFU_TOOLS_TRAIN_TRAINER_H_
