// Embind for kefu/translator.h: class TranslationJob, class Translator, and the Assistant's
// loadTranslationModel / beginTranslation (registered in assistant_bindings.cc).
// Id arrays cross as Int32Array copies (typed_memory_view + slice); logits are copied from the
// caller's Float32Array into wasm memory with one TypedArray.set. API: docs/core.md, "Translator".
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "translator_bindings.h"

#include "js_result.h"
#include "kefu/translator.h"

namespace {

using emscripten::val;
using kefu::TranslationJob;
using kefu::Translator;
using kefu::wasm::toJs;

val int32Array(const std::vector<int32_t>& v) {
  return val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice");
}

// {ok:false, code, message} for an error Status.
val failure(const kefu::Status& status) { return toJs(kefu::StatusOr<nlohmann::json>(status)); }

// Options arrive as a JS object, a JSON string, or undefined/null (defaults).
std::string optionsJson(const val& options) {
  if (options.isUndefined() || options.isNull()) return "";
  if (options.isString()) return options.as<std::string>();
  return val::global("JSON").call<std::string>("stringify", options);
}

val jobResult(kefu::StatusOr<TranslationJob> job) {
  if (!job.ok()) return failure(job.status());
  val out = val::object();
  out.set("ok", true);
  out.set("value", val(std::move(*job)));
  return out;
}

val encoderInput(const TranslationJob& job) {
  const kefu::EncoderInput& e = job.encoderInput();
  val out = val::object();
  out.set("rows", e.rows);
  out.set("cols", e.cols);
  out.set("ids", int32Array(e.ids));
  out.set("outputIds", int32Array(e.output_ids));
  return out;
}

val stepInput(const TranslationJob& job) {
  const kefu::StepInput& s = job.stepInput();
  val out = val::object();
  out.set("rows", static_cast<int>(s.tokens.size()));
  out.set("position", s.position);
  out.set("tokens", int32Array(s.tokens));
  out.set("reorder", int32Array(s.reorder));
  out.set("rowSrc", int32Array(s.row_src));
  return out;
}

val advance(TranslationJob& job, const val& logits, int rows) {
  if (logits.isUndefined() || logits.isNull() || !logits["length"].isNumber()) {
    return failure(kefu::invalidArgumentError("translation: logits must be a Float32Array"));
  }
  const size_t n = logits["length"].as<size_t>();
  if (rows <= 0 || n % static_cast<size_t>(rows) != 0) {
    return failure(kefu::invalidArgumentError("translation: " + std::to_string(n) +
                                              " logits do not split into " +
                                              std::to_string(rows) + " rows"));
  }
  std::vector<float> buffer(n);
  val(emscripten::typed_memory_view(n, buffer.data())).call<void>("set", logits);
  return toJs(job.advance(buffer.data(), static_cast<size_t>(rows), n / static_cast<size_t>(rows)));
}

val result(const TranslationJob& job) {
  kefu::StatusOr<kefu::TranslationResult> r = job.result();
  if (!r.ok()) return failure(r.status());
  return toJs(kefu::StatusOr<nlohmann::json>(r->toJson()));
}

// An optional byte argument: undefined or null -> empty.
std::string optionalBytes(const val& v) {
  return v.isUndefined() || v.isNull() ? std::string() : v.as<std::string>();
}

val translatorLoad(Translator& t, const std::string& bytes, const std::string& lang, const val& shortlist) {
  return toJs(t.load(bytes, lang, optionalBytes(shortlist)));
}
val translatorBegin(const Translator& t, const std::string& text, const std::string& from,
                    const std::string& to, const val& options, const val& glossary) {
  kefu::StatusOr<kefu::TranslationOptions> o = kefu::parseTranslationOptions(optionsJson(options));
  if (!o.ok()) return failure(o.status());
  std::vector<std::string> terms;
  if (!glossary.isUndefined() && !glossary.isNull()) {
    terms = emscripten::vecFromJSArray<std::string>(glossary);
  }
  return jobResult(t.begin(text, from, to, *o, terms));
}

}  // namespace

namespace kefu {
namespace wasm {

val loadTranslationModel(Assistant& a, const std::string& lang, const std::string& bytes,
                         const val& shortlist) {
  return toJs(a.loadTranslationModel(lang, bytes, optionalBytes(shortlist)));
}
val beginTranslation(Assistant& a, const std::string& text, const std::string& from,
                     const std::string& to, const val& options) {
  return jobResult(a.beginTranslation(text, from, to, optionsJson(options)));
}

}  // namespace wasm
}  // namespace kefu

EMSCRIPTEN_BINDINGS(kefu_translator) {
  emscripten::class_<TranslationJob>("TranslationJob")
      .function("encoderInput", &encoderInput)
      .function("stepInput", &stepInput)
      .function("advance", &advance)
      .function("done", &TranslationJob::done)
      .function("steps", &TranslationJob::steps)
      .function("batches", &TranslationJob::batches)
      .function("result", &result);
  emscripten::class_<Translator>("Translator")
      .constructor<>()
      .function("load", &translatorLoad)
      .function("begin", &translatorBegin)
      .function("vocabularySize", &Translator::vocabularySize);
}
