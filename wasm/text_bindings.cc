// Embind for kefu/text.h: normalize(text) and tokenize(text) for tests and the CLI.
#include <emscripten/bind.h>

#include <nlohmann/json.hpp>
#include <string>

#include "js_result.h"
#include "kefu/text.h"

namespace {

using kefu::wasm::toJs;

emscripten::val normalize(const std::string& text) {
  kefu::StatusOr<std::string> n = kefu::normalize(text);
  if (!n.ok()) return toJs(n.status());
  return toJs(kefu::StatusOr<nlohmann::json>(nlohmann::json(std::move(*n))));
}

emscripten::val tokenize(const std::string& text) {
  kefu::StatusOr<std::vector<std::string>> t = kefu::tokenize(text);
  if (!t.ok()) return toJs(t.status());
  return toJs(kefu::StatusOr<nlohmann::json>(nlohmann::json(std::move(*t))));
}

}  // namespace

EMSCRIPTEN_BINDINGS(kefu_text) {
  emscripten::function("normalize", &normalize);
  emscripten::function("tokenize", &tokenize);
}
