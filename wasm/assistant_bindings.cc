// Embind for kefu/assistant.h: class Assistant and version(). JS names equal C++ names.
#include <emscripten/bind.h>

#include <string>

#include "js_result.h"
#include "kefu/assistant.h"

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

}  // namespace

EMSCRIPTEN_BINDINGS(kefu_assistant) {
  emscripten::class_<Assistant>("Assistant")
      .constructor<>()
      .function("loadKnowledgeBase", &loadKnowledgeBase)
      .function("ask", &ask)
      .function("resetConversation", &resetConversation)
      .function("redact", &redact)
      .function("buildEscalation", &buildEscalation)
      .function("businessStatus", &businessStatus);
  emscripten::function("version", &kefu::version);
}
