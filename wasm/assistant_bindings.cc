// Embind for kefu/assistant.h: class Assistant and version(). JS names equal C++ names.
#include <emscripten/bind.h>

#include <string>

#include "js_result.h"
#include "kefu/assistant.h"
#include "translator_bindings.h"

namespace {

using kefu::Assistant;
using kefu::wasm::toJs;

emscripten::val loadKnowledgeBase(Assistant& a, const std::string& kb) {
  return toJs(a.loadKnowledgeBase(kb));
}
emscripten::val ask(Assistant& a, const std::string& text, const std::string& options) {
  return toJs(a.ask(text, options));
}
emscripten::val resetConversation(Assistant& a) { return toJs(a.resetConversation()); }
emscripten::val redact(Assistant& a, const std::string& text) { return toJs(a.redact(text)); }
emscripten::val buildEscalation(Assistant& a, const std::string& request) {
  return toJs(a.buildEscalation(request));
}
emscripten::val businessStatus(Assistant& a, const std::string& now) {
  return toJs(a.businessStatus(now));
}
// Model files arrive as Uint8Array: Embind copies their bytes into the std::string unchanged.
emscripten::val loadLanguageModel(Assistant& a, const std::string& bytes) {
  return toJs(a.loadLanguageModel(bytes));
}
emscripten::val loadIntentModel(Assistant& a, const std::string& bytes) {
  return toJs(a.loadIntentModel(bytes));
}
emscripten::val identifyLanguage(Assistant& a, const std::string& text) {
  return toJs(a.identifyLanguage(text));
}
emscripten::val analyze(Assistant& a, const std::string& text) { return toJs(a.analyze(text)); }

}  // namespace

EMSCRIPTEN_BINDINGS(kefu_assistant) {
  emscripten::class_<Assistant>("Assistant")
      .constructor<>()
      .function("loadKnowledgeBase", &loadKnowledgeBase)
      .function("ask", &ask)
      .function("resetConversation", &resetConversation)
      .function("redact", &redact)
      .function("buildEscalation", &buildEscalation)
      .function("businessStatus", &businessStatus)
      .function("loadLanguageModel", &loadLanguageModel)
      .function("loadIntentModel", &loadIntentModel)
      .function("identifyLanguage", &identifyLanguage)
      .function("analyze", &analyze)
      .function("loadTranslationModel", &kefu::wasm::loadTranslationModel)
      .function("beginTranslation", &kefu::wasm::beginTranslation);
  emscripten::function("version", &kefu::version);
}
