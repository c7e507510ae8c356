#include "js_result.h"

namespace kefu {
namespace wasm {
namespace {

emscripten::val failure(const Status& status) {
  emscripten::val out = emscripten::val::object();
  out.set("ok", false);
  out.set("code", std::string(statusCodeName(status.code())));
  out.set("message", status.message());
  return out;
}

}  // namespace

emscripten::val toJs(const StatusOr<nlohmann::json>& result) {
  if (!result.ok()) return failure(result.status());
  emscripten::val out = emscripten::val::object();
  out.set("ok", true);
  // Core strings are validated UTF-8; `replace` only guarantees dump() can never abort.
  const std::string text = result->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.set("value", emscripten::val::global("JSON").call<emscripten::val>("parse", text));
  return out;
}

emscripten::val toJs(const Status& status) {
  if (!status.ok()) return failure(status);
  emscripten::val out = emscripten::val::object();
  out.set("ok", true);
  out.set("value", emscripten::val::null());
  return out;
}

}  // namespace wasm
}  // namespace kefu
