// Turns core results into the plain objects the JS API promises (contracts.md):
// {ok: true, value} or {ok: false, code, message}. The value crosses as JSON text and is
// rebuilt with JSON.parse, which is faster than walking the tree through Embind.
//
//   return kefu::wasm::toJs(assistant.ask(text, options));
#ifndef KEFU_WASM_JS_RESULT_H_
#define KEFU_WASM_JS_RESULT_H_

#include <emscripten/val.h>

#include <nlohmann/json.hpp>

#include "kefu/status.h"

namespace kefu {
namespace wasm {

// {ok: true, value: <parsed JSON>} or {ok: false, code, message}.
emscripten::val toJs(const StatusOr<nlohmann::json>& result);
// {ok: true, value: null} or {ok: false, code, message}.
emscripten::val toJs(const Status& status);

}  // namespace wasm
}  // namespace kefu

#endif  // KEFU_WASM_JS_RESULT_H_
