// kefu-classify: runs a KEFUCLS1 model over stdin lines (plain text, or JSONL with "text") and
// prints one JSON object per line; --bench measures classify() time per message.
//
//   echo "wo ist meine bestellung" | kefu-classify models/nlu/kefu-nlu.bin
//   kefu-classify models/langid/kefu-langid.bin --bench 20 < dev.jsonl   # p50/p95 in µs
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "kefu/classifier.h"

namespace {

const char* kUsage =
    "usage: kefu-classify MODEL [--top K] [--bench ROUNDS] < lines\n"
    "  input lines: plain text, or JSON objects with a \"text\" field\n"
    "  output: {\"text\", \"<head>\": {\"label\", \"probability\", \"top\": [[label, p], ...]}}\n"
    "  --bench N: classify every line N times and print p50/p95/mean microseconds per call\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string model_path;
  size_t top = 3;
  int bench = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--top" && i + 1 < argc) {
      top = static_cast<size_t>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "--bench" && i + 1 < argc) {
      bench = std::max(1, std::atoi(argv[++i]));
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      std::fprintf(stderr, "kefu-classify: unexpected argument %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  std::ifstream in(model_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "kefu-classify: cannot open %s\n", model_path.c_str());
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  auto model = kefu::TextClassifier::load(bytes);
  if (!model.ok()) {
    std::fprintf(stderr, "kefu-classify: %s: %s\n", model_path.c_str(),
                 model.status().toString().c_str());
    return 1;
  }
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line[0] == '{') {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("text") && j["text"].is_string()) {
        texts.push_back(j["text"].get<std::string>());
        continue;
      }
    }
    texts.push_back(line);
  }
  if (bench > 0) {
    std::vector<double> micros;
    micros.reserve(texts.size() * bench);
    size_t sink = 0;
    for (int round = 0; round < bench; ++round) {
      for (const std::string& t : texts) {
        const auto start = std::chrono::steady_clock::now();
        auto p = model->classify(t);
        const auto end = std::chrono::steady_clock::now();
        sink += p.ok() ? p->heads.size() : 0;
        micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
      }
    }
    if (micros.empty()) {
      std::fprintf(stderr, "kefu-classify: no input lines to benchmark\n");
      return 1;
    }
    std::sort(micros.begin(), micros.end());
    double mean = 0;
    for (double m : micros) mean += m;
    mean /= micros.size();
    const auto pct = [&](double q) {
      return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
    };
    nlohmann::json j = {{"model", model_path},      {"calls", micros.size()}, {"p50_us", pct(0.50)},
                        {"p95_us", pct(0.95)},      {"p99_us", pct(0.99)},    {"mean_us", mean},
                        {"heads_checked", sink > 0}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  int status = 0;
  for (const std::string& t : texts) {
    nlohmann::json out;
    out["text"] = t;
    auto p = model->classify(t, top);
    if (!p.ok()) {
      out["error"] = p.status().toString();
      status = 1;
    } else {
      for (const auto& h : p->heads) {
        nlohmann::json topj = nlohmann::json::array();
        for (const auto& lp : h.top) topj.push_back({lp.label, lp.probability});
        out[h.head] = {{"label", h.label}, {"probability", h.probability}, {"top", topj}};
      }
    }
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return status;
}
