#include "trainer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <thread>

namespace kefu {
namespace train {
namespace {

using nlohmann::json;

// splitmix64: a tiny, portable generator, so a seed gives the same model on every platform
// (std:: distributions differ between standard libraries).
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  float uniform(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

template <typename T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// Float forward pass, shared by training and float evaluation.
struct Forward {
  std::vector<float> x;  // averaged embedding (dim)
  std::vector<float> z;  // hidden pre-activation
  std::vector<float> h;  // hidden activation (or x when hidden == 0)
  std::vector<std::vector<float>> logits;

  void run(const ClassifierWeights& w, const std::vector<uint32_t>& ids) {
    const uint32_t dim = w.dim;
    x.assign(dim, 0.0f);
    for (uint32_t id : ids) {
      const float* row = &w.embedding[size_t{id} * dim];
      for (uint32_t j = 0; j < dim; ++j) x[j] += row[j];
    }
    if (!ids.empty()) {
      const float inv = 1.0f / static_cast<float>(ids.size());
      for (float& v : x) v *= inv;
    }
    if (w.hidden > 0) {
      z.assign(w.hidden, 0.0f);
      h.assign(w.hidden, 0.0f);
      for (uint32_t k = 0; k < w.hidden; ++k) {
        const float* wr = &w.hidden_weights[size_t{k} * dim];
        float s = w.hidden_bias[k];
        for (uint32_t j = 0; j < dim; ++j) s += wr[j] * x[j];
        z[k] = s;
        h[k] = s > 0.0f ? s : 0.0f;
      }
    } else {
      h = x;
    }
    const size_t in = h.size();
    logits.resize(w.heads.size());
    for (size_t hd = 0; hd < w.heads.size(); ++hd) {
      const size_t labels = w.heads[hd].labels.size();
      logits[hd].assign(labels, 0.0f);
      for (size_t l = 0; l < labels; ++l) {
        const float* wr = &w.head_weights[hd][l * in];
        float s = w.head_bias[hd][l];
        for (size_t j = 0; j < in; ++j) s += wr[j] * h[j];
        logits[hd][l] = s;
      }
    }
  }
};

// One SGD step on one example; returns the weighted loss.
float sgdStep(ClassifierWeights& w, const Example& ex, const std::vector<float>& head_weight,
              float lr, Forward& f, std::vector<float>& grad_h, std::vector<float>& grad_x) {
  if (ex.features.empty()) return 0.0f;
  f.run(w, ex.features);
  const size_t in = f.h.size();
  grad_h.assign(in, 0.0f);
  float loss = 0.0f;
  bool any = false;
  for (size_t hd = 0; hd < w.heads.size(); ++hd) {
    const int32_t y = ex.labels[hd];
    if (y < 0) continue;
    any = true;
    std::vector<float> p = softmaxWithTemperature(f.logits[hd], 1.0f);
    loss += -head_weight[hd] * std::log(std::max(p[y], 1e-12f));
    float* W = w.head_weights[hd].data();
    float* b = w.head_bias[hd].data();
    for (size_t l = 0; l < p.size(); ++l) {
      const float g = head_weight[hd] * (p[l] - (static_cast<int32_t>(l) == y ? 1.0f : 0.0f));
      if (g == 0.0f) continue;
      float* wr = W + l * in;
      for (size_t j = 0; j < in; ++j) {
        grad_h[j] += g * wr[j];
        wr[j] -= lr * g * f.h[j];
      }
      b[l] -= lr * g;
    }
  }
  if (!any) return 0.0f;
  const uint32_t dim = w.dim;
  if (w.hidden > 0) {
    grad_x.assign(dim, 0.0f);
    for (uint32_t k = 0; k < w.hidden; ++k) {
      if (f.z[k] <= 0.0f) continue;
      const float g = grad_h[k];
      float* wr = &w.hidden_weights[size_t{k} * dim];
      for (uint32_t j = 0; j < dim; ++j) {
        grad_x[j] += g * wr[j];
        wr[j] -= lr * g * f.x[j];
      }
      w.hidden_bias[k] -= lr * g;
    }
  } else {
    grad_x = grad_h;
  }
  // fastText: every input row receives the gradient of the average, i.e. grad / count.
  const float scale = lr / static_cast<float>(ex.features.size());
  for (uint32_t id : ex.features) {
    float* row = &w.embedding[size_t{id} * dim];
    for (uint32_t j = 0; j < dim; ++j) row[j] -= scale * grad_x[j];
  }
  return loss;
}

// Fits 1/T minimising the NLL of (logits, labels): NLL is convex in 1/T, so golden-section
// search on a bracket is exact enough.
float fitTemperature(const std::vector<std::vector<float>>& logits,
                     const std::vector<int32_t>& labels, double* nll_before, double* nll_after) {
  auto nll = [&](double beta) {
    double total = 0.0;
    for (size_t i = 0; i < logits.size(); ++i) {
      const std::vector<float>& l = logits[i];
      const double top = *std::max_element(l.begin(), l.end());
      double sum = 0.0;
      for (float v : l) sum += std::exp(beta * (v - top));
      total += -(beta * (l[labels[i]] - top) - std::log(sum));
    }
    return logits.empty() ? 0.0 : total / static_cast<double>(logits.size());
  };
  *nll_before = nll(1.0);
  if (logits.empty()) {
    *nll_after = *nll_before;
    return 1.0f;
  }
  double lo = 0.02, hi = 20.0;
  const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = nll(a), fb = nll(b);
  for (int it = 0; it < 80; ++it) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(b);
    }
  }
  const double beta = (lo + hi) / 2.0;
  *nll_after = nll(beta);
  return static_cast<float>(1.0 / beta);
}

// Runs fn(i) for i in [0, n) over `threads` threads, contiguous chunks.
void parallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  threads = std::max<size_t>(1, std::min(threads, n));
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const size_t begin = n * t / threads, end = n * (t + 1) / threads;
      for (size_t i = begin; i < end; ++i) fn(i);
    });
  }
  for (std::thread& th : pool) th.join();
}

json labelMetrics(const std::vector<int32_t>& gold, const std::vector<int32_t>& pred,
                  size_t labels) {
  std::vector<double> tp(labels, 0), fp(labels, 0), fn(labels, 0);
  size_t correct = 0;
  for (size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] == pred[i]) {
      ++correct;
      tp[gold[i]] += 1;
    } else {
      fn[gold[i]] += 1;
      fp[pred[i]] += 1;
    }
  }
  double f1_sum = 0.0;
  size_t present = 0;
  for (size_t l = 0; l < labels; ++l) {
    if (tp[l] + fp[l] + fn[l] == 0) continue;  // absent from gold and predictions
    ++present;
    f1_sum += 2 * tp[l] / (2 * tp[l] + fp[l] + fn[l]);
  }
  json j;
  j["n"] = gold.size();
  j["accuracy"] = gold.empty() ? 0.0 : static_cast<double>(correct) / gold.size();
  j["macro_f1"] = present == 0 ? 0.0 : f1_sum / present;
  return j;
}

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

}  // namespace

StatusOr<Dataset> readJsonl(const std::vector<std::string>& paths,
                            const std::vector<std::string>& heads,
                            const std::vector<std::vector<std::string>>& fixed_labels) {
  Dataset data;
  data.heads = heads;
  data.labels.resize(heads.size());
  std::vector<bool> fixed(heads.size(), false);
  std::vector<std::map<std::string, int32_t>> index(heads.size());
  for (size_t h = 0; h < heads.size(); ++h) {
    if (h < fixed_labels.size() && !fixed_labels[h].empty()) {
      fixed[h] = true;
      data.labels[h] = fixed_labels[h];
      for (size_t l = 0; l < fixed_labels[h].size(); ++l) {
        index[h][fixed_labels[h][l]] = static_cast<int32_t>(l);
      }
    }
  }
  // First pass keeps label names; indices are assigned once collected labels are sorted.
  std::vector<std::vector<std::string>> names;
  std::vector<std::map<std::string, size_t>> unknown(heads.size());
  for (const std::string& path : paths) {
    std::ifstream in(path);
    if (!in) return notFoundError("cannot open " + path);
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      ++data.lines;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        return invalidArgumentError(path + ":" + std::to_string(number) + ": not a JSON object");
      }
      auto text = j.find("text");
      if (text == j.end() || !text->is_string()) {
        ++data.skipped;
        continue;
      }
      Example ex;
      ex.text = text->get<std::string>();
      if (auto lang = j.find("lang"); lang != j.end() && lang->is_string()) {
        ex.lang = lang->get<std::string>();
      }
      std::vector<std::string> ln(heads.size());
      bool any = false;
      for (size_t h = 0; h < heads.size(); ++h) {
        auto v = j.find(heads[h]);
        if (v == j.end() || !v->is_string()) continue;
        std::string label = v->get<std::string>();
        if (fixed[h] && !index[h].count(label)) {
          ++unknown[h][label];
          continue;
        }
        ln[h] = std::move(label);
        any = true;
      }
      if (!any) {
        ++data.skipped;
        continue;
      }
      names.push_back(std::move(ln));
      data.examples.push_back(std::move(ex));
    }
  }
  for (size_t h = 0; h < heads.size(); ++h) {
    if (fixed[h]) continue;
    std::set<std::string> seen;
    for (const auto& ln : names) {
      if (!ln[h].empty()) seen.insert(ln[h]);
    }
    data.labels[h].assign(seen.begin(), seen.end());
    for (size_t l = 0; l < data.labels[h].size(); ++l) {
      index[h][data.labels[h][l]] = static_cast<int32_t>(l);
    }
  }
  for (size_t i = 0; i < data.examples.size(); ++i) {
    data.examples[i].labels.assign(heads.size(), -1);
    for (size_t h = 0; h < heads.size(); ++h) {
      if (!names[i][h].empty()) data.examples[i].labels[h] = index[h][names[i][h]];
    }
  }
  for (size_t h = 0; h < heads.size(); ++h) {
    for (const auto& [label, count] : unknown[h]) {
      data.warnings.push_back(heads[h] + ": label \"" + label + "\" is not in the label list (" +
                              std::to_string(count) + " lines lose that label)");
    }
  }
  return data;
}

StatusOr<std::vector<std::vector<std::string>>> labelsFromFile(
    const std::string& path, const std::vector<std::string>& heads) {
  std::ifstream in(path);
  if (!in) return notFoundError("cannot open " + path);
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return invalidArgumentError(path + ": expected a JSON object");
  }
  std::vector<std::vector<std::string>> out(heads.size());
  for (size_t h = 0; h < heads.size(); ++h) {
    if (auto v = j.find(heads[h]); v != j.end() && v->is_array()) {
      for (const json& l : *v) {
        if (l.is_string()) out[h].push_back(l.get<std::string>());
      }
    } else if (auto v = j.find(heads[h] + "s"); v != j.end() && v->is_array()) {
      for (const json& l : *v) {
        if (l.is_object() && l.contains("name") && l["name"].is_string()) {
          out[h].push_back(l["name"].get<std::string>());
        } else if (l.is_string()) {
          out[h].push_back(l.get<std::string>());
        }
      }
    }
  }
  return out;
}

Status featurize(Dataset& data, const FeatureConfig& config) {
  for (size_t i = 0; i < data.examples.size(); ++i) {
    StatusOr<std::vector<uint32_t>> ids = textFeatures(data.examples[i].text, config);
    if (!ids.ok()) {
      // Bad UTF-8 or overlong lines train nothing; keep them featureless rather than abort.
      data.examples[i].features.clear();
      data.warnings.push_back("example " + std::to_string(i) + ": " + ids.status().toString());
      continue;
    }
    data.examples[i].features = std::move(*ids);
  }
  return okStatus();
}

std::vector<double> floatAccuracy(const ClassifierWeights& w, const Dataset& data) {
  std::vector<double> correct(w.heads.size(), 0.0), total(w.heads.size(), 0.0);
  Forward f;
  for (const Example& ex : data.examples) {
    f.run(w, ex.features);
    for (size_t h = 0; h < w.heads.size(); ++h) {
      if (ex.labels[h] < 0) continue;
      const auto& l = f.logits[h];
      const int32_t best = static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
      total[h] += 1;
      correct[h] += best == ex.labels[h] ? 1 : 0;
    }
  }
  for (size_t h = 0; h < w.heads.size(); ++h) correct[h] = total[h] ? correct[h] / total[h] : 0;
  return correct;
}

double expectedCalibrationError(const std::vector<float>& confidence,
                                const std::vector<bool>& correct, int bins) {
  std::vector<double> conf(bins, 0), acc(bins, 0), count(bins, 0);
  for (size_t i = 0; i < confidence.size(); ++i) {
    int b = static_cast<int>(confidence[i] * bins);
    b = std::max(0, std::min(bins - 1, b));
    conf[b] += confidence[i];
    acc[b] += correct[i] ? 1 : 0;
    count[b] += 1;
  }
  double ece = 0.0;
  for (int b = 0; b < bins; ++b) {
    if (count[b] > 0) ece += std::fabs(acc[b] - conf[b]) / static_cast<double>(confidence.size());
  }
  return ece;
}

StatusOr<Result> trainModel(const Dataset& data, const Options& opt) {
  KEFU_RETURN_IF_ERROR(opt.features.validate());
  if (opt.heads != data.heads) return invalidArgumentError("options and dataset heads differ");
  if (opt.dim == 0 || opt.dim > kMaxClassifierDim) return invalidArgumentError("bad --dim");
  if (opt.epochs == 0) return invalidArgumentError("--epochs must be > 0");
  if (!(opt.lr > 0)) return invalidArgumentError("--lr must be > 0");
  for (size_t h = 0; h < data.heads.size(); ++h) {
    if (data.labels[h].size() < 2) {
      return invalidArgumentError("head " + data.heads[h] + " has fewer than 2 labels");
    }
  }
  std::vector<float> head_weight = opt.head_weights;
  head_weight.resize(data.heads.size(), 1.0f);

  // Split train into the SGD part and the calibration slice, deterministically from the seed.
  Rng rng(opt.seed);
  std::vector<size_t> order(data.examples.size());
  std::iota(order.begin(), order.end(), 0);
  shuffle(order, rng);
  const size_t calib_count =
      static_cast<size_t>(std::floor(opt.calibration_fraction * static_cast<double>(order.size())));
  std::vector<size_t> calib(order.begin(), order.begin() + calib_count);
  std::vector<size_t> fit(order.begin() + calib_count, order.end());
  std::sort(calib.begin(), calib.end());
  std::sort(fit.begin(), fit.end());
  if (fit.empty()) return invalidArgumentError("no training examples left after calibration");

  ClassifierWeights w;
  w.features = opt.features;
  w.dim = opt.dim;
  w.hidden = opt.hidden;
  w.version = opt.version;
  for (size_t h = 0; h < data.heads.size(); ++h) {
    w.heads.push_back({data.heads[h], data.labels[h], 1.0f});
  }
  const uint64_t rows = opt.features.buckets;
  w.embedding.resize(rows * opt.dim);
  // fastText's 1/dim suits the linear model; behind a hidden layer such tiny averages stall
  // learning (every gradient is proportional to them), so rows start at unit scale there.
  const float range = opt.hidden > 0 ? 1.0f : 1.0f / static_cast<float>(opt.dim);
  for (float& v : w.embedding) v = rng.uniform(-range, range);
  const uint32_t in = opt.hidden > 0 ? opt.hidden : opt.dim;
  if (opt.hidden > 0) {
    const float a = std::sqrt(6.0f / static_cast<float>(opt.dim + opt.hidden));
    w.hidden_weights.resize(size_t{opt.hidden} * opt.dim);
    for (float& v : w.hidden_weights) v = rng.uniform(-a, a);
    w.hidden_bias.assign(opt.hidden, 0.0f);
  }
  for (size_t h = 0; h < data.heads.size(); ++h) {
    const size_t labels = data.labels[h].size();
    w.head_weights.emplace_back(labels * in, 0.0f);
    w.head_bias.emplace_back(labels, 0.0f);
    if (opt.hidden > 0) {
      // A hidden layer needs symmetric-breaking output weights; fastText's zero init suits
      // only the linear model.
      const float a = std::sqrt(6.0f / static_cast<float>(in + labels));
      for (float& v : w.head_weights.back()) v = rng.uniform(-a, a);
    }
  }

  Result result;
  result.train_examples = fit.size();
  result.calibration_examples = calib.size();
  const size_t threads = std::max<uint32_t>(1, opt.threads);
  const double total_steps = static_cast<double>(opt.epochs) * fit.size();
  for (uint32_t epoch = 0; epoch < opt.epochs; ++epoch) {
    shuffle(fit, rng);
    std::vector<double> loss(threads, 0.0);
    std::vector<std::thread> pool;
    auto work = [&](size_t t) {
      Forward f;
      std::vector<float> gh, gx;
      Rng drop_rng(opt.seed * 1000003ull + epoch * 101ull + t);
      Example dropped;
      const size_t begin = fit.size() * t / threads, end = fit.size() * (t + 1) / threads;
      for (size_t i = begin; i < end; ++i) {
        // Each thread walks its own slice; the learning rate follows the global progress.
        const double done =
            static_cast<double>(epoch) * fit.size() + static_cast<double>(i - begin) * threads;
        const float lr = opt.lr * static_cast<float>(std::max(0.0, 1.0 - done / total_steps));
        const Example& ex = data.examples[fit[i]];
        if (opt.dropout > 0.0f && ex.features.size() > 1) {
          // Feature dropout: train on a random subset of the bag (never an empty one), so the
          // model cannot lean on a few memorised n-grams.
          dropped.labels = ex.labels;
          dropped.features.clear();
          for (uint32_t id : ex.features) {
            if (drop_rng.uniform() >= opt.dropout) dropped.features.push_back(id);
          }
          if (dropped.features.empty()) dropped.features.push_back(ex.features[0]);
          loss[t] += sgdStep(w, dropped, head_weight, lr, f, gh, gx);
        } else {
          loss[t] += sgdStep(w, ex, head_weight, lr, f, gh, gx);
        }
      }
    };
    if (threads == 1) {
      work(0);
    } else {
      for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
      for (std::thread& th : pool) th.join();
    }
    const double mean = std::accumulate(loss.begin(), loss.end(), 0.0) / fit.size();
    result.epoch_loss.push_back(static_cast<float>(mean));
    if (opt.verbose) {
      std::fprintf(stderr, "epoch %2u/%u  loss %.4f", epoch + 1, opt.epochs, mean);
      if (opt.dev != nullptr && (epoch + 1 == opt.epochs || (epoch + 1) % 5 == 0)) {
        std::vector<double> acc = floatAccuracy(w, *opt.dev);
        for (size_t h = 0; h < acc.size(); ++h) {
          std::fprintf(stderr, "  dev %s %.4f", data.heads[h].c_str(), acc[h]);
        }
      }
      std::fprintf(stderr, "\n");
    }
  }

  // Quantise with T = 1, then fit each head's temperature on the calibration slice using the
  // quantised model's logits, which are what ships.
  StatusOr<std::string> uncalibrated = TextClassifier::encode(w);
  if (!uncalibrated.ok()) return uncalibrated.status();
  StatusOr<TextClassifier> q = TextClassifier::load(*uncalibrated);
  if (!q.ok()) return q.status();
  result.calibration = json::object();
  for (size_t h = 0; h < data.heads.size(); ++h) {
    std::vector<std::vector<float>> logits;
    std::vector<int32_t> labels;
    std::vector<std::vector<float>> out;
    for (size_t i : calib) {
      const Example& ex = data.examples[i];
      if (ex.labels[h] < 0) continue;
      q->logitsOfFeatures(ex.features.data(), ex.features.size(), out);
      logits.push_back(out[h]);
      labels.push_back(ex.labels[h]);
    }
    double before = 0, after = 0;
    const float t = fitTemperature(logits, labels, &before, &after);
    w.heads[h].temperature = t;
    result.temperatures.push_back(t);
    result.calibration[data.heads[h]] = {{"examples", labels.size()},
                                         {"temperature", round4(t)},
                                         {"nll_before", round4(before)},
                                         {"nll_after", round4(after)}};
    if (opt.verbose) {
      std::fprintf(stderr, "calibration %s: T=%.3f  nll %.4f -> %.4f (%zu examples)\n",
                   data.heads[h].c_str(), t, before, after, labels.size());
    }
  }
  StatusOr<std::string> bytes = TextClassifier::encode(w);
  if (!bytes.ok()) return bytes.status();
  result.model_bytes = std::move(*bytes);
  result.float_weights = std::move(w);
  return result;
}

json evaluate(const TextClassifier& model, const Dataset& data, size_t threads) {
  const size_t n = data.examples.size();
  std::vector<Prediction> predictions(n);
  std::vector<std::vector<std::vector<float>>> raw(n);
  std::vector<bool> ok(n, false);
  parallelFor(n, threads, [&](size_t i) {
    auto p = model.classify(data.examples[i].text, 1);
    auto l = model.logits(data.examples[i].text);
    if (p.ok() && l.ok()) {
      predictions[i] = std::move(*p);
      raw[i] = std::move(*l);
      ok[i] = true;
    }
  });
  json report = json::object();
  for (size_t mh = 0; mh < model.heads().size(); ++mh) {
    const ClassifierHead& head = model.heads()[mh];
    auto dh = std::find(data.heads.begin(), data.heads.end(), head.name);
    if (dh == data.heads.end()) continue;
    const size_t h = static_cast<size_t>(dh - data.heads.begin());
    std::map<std::string, int32_t> label_index;
    for (size_t l = 0; l < head.labels.size(); ++l) {
      label_index[head.labels[l]] = static_cast<int32_t>(l);
    }
    std::vector<int32_t> gold, pred;
    std::vector<float> conf_after, conf_before;
    std::vector<bool> correct, correct_before;
    std::vector<std::string> langs;
    double nll_after = 0, nll_before = 0;
    size_t failed = 0;
    for (size_t i = 0; i < n; ++i) {
      const Example& ex = data.examples[i];
      if (ex.labels[h] < 0) continue;
      auto it = label_index.find(data.labels[h][ex.labels[h]]);
      if (it == label_index.end()) continue;
      if (!ok[i]) {
        ++failed;
        continue;
      }
      const int32_t g = it->second;
      const HeadPrediction& hp = predictions[i].heads[mh];
      const int32_t p = label_index[hp.label];
      gold.push_back(g);
      pred.push_back(p);
      langs.push_back(ex.lang);
      conf_after.push_back(hp.probability);
      correct.push_back(g == p);
      const std::vector<float> pa = softmaxWithTemperature(raw[i][mh], head.temperature);
      const std::vector<float> pb = softmaxWithTemperature(raw[i][mh], 1.0f);
      nll_after += -std::log(std::max(pa[g], 1e-12f));
      nll_before += -std::log(std::max(pb[g], 1e-12f));
      const size_t top = std::max_element(pb.begin(), pb.end()) - pb.begin();
      conf_before.push_back(pb[top]);
      correct_before.push_back(static_cast<int32_t>(top) == g);
    }
    json j = labelMetrics(gold, pred, head.labels.size());
    j["accuracy"] = round4(j["accuracy"].get<double>());
    j["macro_f1"] = round4(j["macro_f1"].get<double>());
    j["failed"] = failed;
    j["temperature"] = round4(head.temperature);
    const double count = std::max<size_t>(1, gold.size());
    j["ece_before_calibration"] = round4(expectedCalibrationError(conf_before, correct_before));
    j["ece"] = round4(expectedCalibrationError(conf_after, correct));
    j["nll_before_calibration"] = round4(nll_before / count);
    j["nll"] = round4(nll_after / count);
    // Per language.
    std::map<std::string, std::pair<std::vector<int32_t>, std::vector<int32_t>>> by_lang;
    for (size_t i = 0; i < gold.size(); ++i) {
      if (langs[i].empty()) continue;
      by_lang[langs[i]].first.push_back(gold[i]);
      by_lang[langs[i]].second.push_back(pred[i]);
    }
    if (!by_lang.empty()) {
      json per = json::object();
      for (const auto& [lang, gp] : by_lang) {
        json m = labelMetrics(gp.first, gp.second, head.labels.size());
        m["accuracy"] = round4(m["accuracy"].get<double>());
        m["macro_f1"] = round4(m["macro_f1"].get<double>());
        per[lang] = m;
      }
      j["per_language"] = per;
    }
    // Most frequent confusions.
    std::map<std::pair<int32_t, int32_t>, size_t> confusions;
    for (size_t i = 0; i < gold.size(); ++i) {
      if (gold[i] != pred[i]) ++confusions[{gold[i], pred[i]}];
    }
    std::vector<std::pair<size_t, std::pair<int32_t, int32_t>>> sorted;
    for (const auto& [k, v] : confusions) sorted.push_back({v, k});
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    json top = json::array();
    for (size_t i = 0; i < sorted.size() && i < 10; ++i) {
      top.push_back({{"gold", head.labels[sorted[i].second.first]},
                     {"predicted", head.labels[sorted[i].second.second]},
                     {"count", sorted[i].first}});
    }
    j["top_confusions"] = top;
    report[head.name] = j;
  }
  return report;
}

}  // namespace train
}  // namespace kefu
