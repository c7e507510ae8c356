// kefu-train: trains a kefu::TextClassifier model from JSONL and writes the model file and a
// JSON report (dev metrics of the QUANTISED model through the core's classify()).
//
//   kefu-train --train train.jsonl --dev dev.jsonl --heads intent,sentiment,urgency \
//              --labels-from ../shared/taxonomy/intents.json --buckets 65536 --dim 48 \
//              --epochs 30 --lr 0.5 --seed 1 --out kefu-nlu.bin --report report.json
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "trainer.h"

namespace {

using nlohmann::json;

const char* kUsage =
    "usage: kefu-train --train FILE[,FILE...] --heads H1[,H2...] --out MODEL [options]\n"
    "  --dev FILE            held-out dev set: evaluated (never trained on)\n"
    "  --labels-from FILE    JSON label lists: {\"<head>\": [..]} or {\"<head>s\": [{\"name\"}]}\n"
    "  --buckets N           hashed feature rows (default 65536)\n"
    "  --dim N               embedding size (default 32)\n"
    "  --hidden N            hidden ReLU layer size, 0 = linear (default 0)\n"
    "  --epochs N            (default 20)   --lr X  initial learning rate (default 0.5)\n"
    "  --ngrams SPEC         word=2,char=1-4,cjk=1-3,digits=fold|keep (default)\n"
    "  --head-weights W,...  loss weight per head (default all 1)\n"
    "  --calibration X       fraction of train held out to fit temperatures (default 0.1)\n"
    "  --dropout X           drop each feature occurrence with probability X in SGD (default 0)\n"
    "  --seed N              (default 1)   --threads N  SGD threads; >1 is not reproducible\n"
    "  --version STR         version string stored in the model\n"
    "  --report FILE         write the JSON report there\n";

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool parseRange(const std::string& v, uint8_t& lo, uint8_t& hi) {
  auto dash = v.find('-');
  try {
    if (dash == std::string::npos) {
      lo = hi = static_cast<uint8_t>(std::stoi(v));
    } else {
      lo = static_cast<uint8_t>(std::stoi(v.substr(0, dash)));
      hi = static_cast<uint8_t>(std::stoi(v.substr(dash + 1)));
    }
  } catch (...) {
    return false;
  }
  return true;
}

bool parseNgrams(const std::string& spec, kefu::FeatureConfig& f) {
  for (const std::string& part : split(spec, ',')) {
    auto eq = part.find('=');
    if (eq == std::string::npos) return false;
    const std::string k = part.substr(0, eq), v = part.substr(eq + 1);
    if (k == "word") {
      f.word_ngrams = static_cast<uint8_t>(std::atoi(v.c_str()));
    } else if (k == "char") {
      if (v == "0") {
        f.char_min = f.char_max = 0;
      } else if (!parseRange(v, f.char_min, f.char_max)) {
        return false;
      }
    } else if (k == "cjk") {
      if (v == "0") {
        f.cjk_min = f.cjk_max = 0;
      } else if (!parseRange(v, f.cjk_min, f.cjk_max)) {
        return false;
      }
    } else if (k == "digits") {
      f.fold_digits = v == "fold";
    } else {
      return false;
    }
  }
  return true;
}

std::string ngramSpec(const kefu::FeatureConfig& f) {
  return "word=" + std::to_string(f.word_ngrams) + ",char=" + std::to_string(f.char_min) + "-" +
         std::to_string(f.char_max) + ",cjk=" + std::to_string(f.cjk_min) + "-" +
         std::to_string(f.cjk_max) + ",digits=" + (f.fold_digits ? "fold" : "keep");
}

json dataSummary(const kefu::train::Dataset& d) {
  json j;
  j["lines"] = d.lines;
  j["examples"] = d.examples.size();
  j["skipped"] = d.skipped;
  std::map<std::string, size_t> langs;
  for (const auto& ex : d.examples) {
    if (!ex.lang.empty()) ++langs[ex.lang];
  }
  j["per_language"] = langs;
  json heads = json::object();
  for (size_t h = 0; h < d.heads.size(); ++h) {
    std::map<std::string, size_t> counts;
    size_t labelled = 0;
    for (const auto& ex : d.examples) {
      if (ex.labels[h] >= 0) {
        ++counts[d.labels[h][ex.labels[h]]];
        ++labelled;
      }
    }
    heads[d.heads[h]] = {{"labelled", labelled}, {"labels", counts}};
  }
  j["heads"] = heads;
  if (!d.warnings.empty()) j["warnings"] = d.warnings;
  return j;
}

// Floats like 0.1f print as 0.10000000149 in JSON; three decimals is what the flags said.
double round3(float v) { return std::round(static_cast<double>(v) * 1000.0) / 1000.0; }

void printEval(const json& eval) {
  for (const auto& [head, m] : eval.items()) {
    std::printf("%-10s acc %.4f  macro-F1 %.4f  ECE %.4f (uncalibrated %.4f)  T=%.3f  n=%zu\n",
                head.c_str(), m["accuracy"].get<double>(), m["macro_f1"].get<double>(),
                m["ece"].get<double>(), m["ece_before_calibration"].get<double>(),
                m["temperature"].get<double>(), m["n"].get<size_t>());
    if (m.contains("per_language")) {
      std::printf("           ");
      for (const auto& [lang, lm] : m["per_language"].items()) {
        std::printf(" %s %.3f", lang.c_str(), lm["accuracy"].get<double>());
      }
      std::printf("\n");
    }
    if (!m["top_confusions"].empty()) {
      std::printf("           confusions:");
      size_t shown = 0;
      for (const auto& c : m["top_confusions"]) {
        if (shown++ == 4) break;
        std::printf(" %s->%s x%zu", c["gold"].get<std::string>().c_str(),
                    c["predicted"].get<std::string>().c_str(), c["count"].get<size_t>());
      }
      std::printf("\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  kefu::train::Options opt;
  std::vector<std::string> train_paths;
  std::string dev_path, labels_path, out_path, report_path;
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "kefu-train: unexpected argument %s\n%s", a.c_str(), kUsage);
      return 2;
    }
    args[a.substr(2)] = argv[++i];
  }
  try {
    for (const auto& [k, v] : args) {
      if (k == "train") {
        train_paths = split(v, ',');
      } else if (k == "dev") {
        dev_path = v;
      } else if (k == "heads") {
        opt.heads = split(v, ',');
      } else if (k == "labels-from") {
        labels_path = v;
      } else if (k == "buckets") {
        opt.features.buckets = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "dim") {
        opt.dim = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "hidden") {
        opt.hidden = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "epochs") {
        opt.epochs = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "lr") {
        opt.lr = std::stof(v);
      } else if (k == "ngrams") {
        if (!parseNgrams(v, opt.features)) {
          std::fprintf(stderr, "kefu-train: bad --ngrams %s\n", v.c_str());
          return 2;
        }
      } else if (k == "head-weights") {
        for (const std::string& w : split(v, ',')) opt.head_weights.push_back(std::stof(w));
      } else if (k == "calibration") {
        opt.calibration_fraction = std::stof(v);
      } else if (k == "dropout") {
        opt.dropout = std::stof(v);
      } else if (k == "seed") {
        opt.seed = std::stoull(v);
        opt.features.seed = static_cast<uint32_t>(opt.seed);
      } else if (k == "threads") {
        opt.threads = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "version") {
        opt.version = v;
      } else if (k == "out") {
        out_path = v;
      } else if (k == "report") {
        report_path = v;
      } else {
        std::fprintf(stderr, "kefu-train: unknown option --%s\n%s", k.c_str(), kUsage);
        return 2;
      }
    }
  } catch (const std::exception&) {
    std::fprintf(stderr, "kefu-train: a numeric option has a bad value\n");
    return 2;
  }
  if (train_paths.empty() || opt.heads.empty() || out_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::vector<std::string>> fixed;
  if (!labels_path.empty()) {
    auto l = kefu::train::labelsFromFile(labels_path, opt.heads);
    if (!l.ok()) {
      std::fprintf(stderr, "kefu-train: %s\n", l.status().toString().c_str());
      return 1;
    }
    fixed = *l;
  }
  auto train = kefu::train::readJsonl(train_paths, opt.heads, fixed);
  if (!train.ok()) {
    std::fprintf(stderr, "kefu-train: %s\n", train.status().toString().c_str());
    return 1;
  }
  for (const auto& w : train->warnings) std::fprintf(stderr, "warning: train: %s\n", w.c_str());
  kefu::train::featurize(*train, opt.features);
  std::optional<kefu::train::Dataset> dev;
  if (!dev_path.empty()) {
    auto d = kefu::train::readJsonl({dev_path}, opt.heads, train->labels);
    if (!d.ok()) {
      std::fprintf(stderr, "kefu-train: %s\n", d.status().toString().c_str());
      return 1;
    }
    for (const auto& w : d->warnings) std::fprintf(stderr, "warning: dev: %s\n", w.c_str());
    dev = std::move(*d);
    kefu::train::featurize(*dev, opt.features);
    opt.dev = &*dev;
  }
  std::fprintf(stderr,
               "train: %zu examples; dev: %zu; features %s, buckets %u, dim %u, hidden %u\n",
               train->examples.size(), dev ? dev->examples.size() : 0,
               ngramSpec(opt.features).c_str(), opt.features.buckets, opt.dim, opt.hidden);
  auto result = kefu::train::trainModel(*train, opt);
  if (!result.ok()) {
    std::fprintf(stderr, "kefu-train: %s\n", result.status().toString().c_str());
    return 1;
  }
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  {
    std::ofstream out(out_path, std::ios::binary);
    out.write(result->model_bytes.data(), static_cast<std::streamsize>(result->model_bytes.size()));
    if (!out) {
      std::fprintf(stderr, "kefu-train: cannot write %s\n", out_path.c_str());
      return 1;
    }
  }
  // Reload the bytes just written, exactly as a consumer would.
  auto model = kefu::TextClassifier::load(result->model_bytes);
  if (!model.ok()) {
    std::fprintf(stderr, "kefu-train: written model does not load: %s\n",
                 model.status().toString().c_str());
    return 1;
  }
  json report;
  report["model"] = {{"file", out_path},
                     {"bytes", result->model_bytes.size()},
                     {"version", opt.version},
                     {"format", "KEFUCLS1 v" + std::to_string(kefu::kClassifierFormatVersion)},
                     {"heads", json::array()}};
  for (const auto& h : model->heads()) {
    report["model"]["heads"].push_back({{"name", h.name}, {"labels", h.labels}});
  }
  report["hyperparameters"] = {{"buckets", opt.features.buckets},
                               {"dim", opt.dim},
                               {"hidden", opt.hidden},
                               {"epochs", opt.epochs},
                               {"lr", round3(opt.lr)},
                               {"ngrams", ngramSpec(opt.features)},
                               {"feature_seed", opt.features.seed},
                               {"seed", opt.seed},
                               {"threads", opt.threads},
                               {"head_weights", opt.head_weights},
                               {"calibration_fraction", round3(opt.calibration_fraction)},
                               {"dropout", round3(opt.dropout)},
                               {"optimizer", "SGD, linear learning-rate decay (fastText-style)"},
                               {"quantization", "int8 embedding rows, one float scale per row"}};
  report["data"] = {{"train_files", train_paths},
                    {"train", dataSummary(*train)},
                    {"sgd_examples", result->train_examples},
                    {"calibration_examples", result->calibration_examples}};
  report["training"] = {{"seconds", std::round(train_seconds * 10) / 10},
                        {"epoch_loss", result->epoch_loss},
                        {"calibration", result->calibration}};
  if (dev) {
    report["data"]["dev_file"] = dev_path;
    report["data"]["dev"] = dataSummary(*dev);
    json eval = kefu::train::evaluate(*model, *dev, 2);
    const std::vector<double> float_acc = kefu::train::floatAccuracy(result->float_weights, *dev);
    for (size_t h = 0; h < opt.heads.size(); ++h) {
      if (eval.contains(opt.heads[h])) {
        eval[opt.heads[h]]["float_accuracy"] = std::round(float_acc[h] * 10000) / 10000;
      }
    }
    report["dev"] = eval;
    printEval(eval);
  }
  std::printf("model: %s (%zu bytes)\n", out_path.c_str(), result->model_bytes.size());
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << report.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "kefu-train: cannot write %s\n", report_path.c_str());
      return 1;
    }
  }
  return 0;
}
