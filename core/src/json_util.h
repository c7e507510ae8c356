// Private helpers for reading untrusted JSON without exceptions (the wasm build has none).
#ifndef KEFU_SRC_JSON_UTIL_H_
#define KEFU_SRC_JSON_UTIL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "kefu/status.h"

namespace kefu {
namespace internal {

// Parses `text`; on failure returns invalid_argument "<what> is not valid JSON: <why, with line
// and column>".
StatusOr<nlohmann::json> parseJson(std::string_view text, std::string_view what);

// The member `key` of `object`, or nullptr when absent (or when `object` is not an object).
const nlohmann::json* member(const nlohmann::json& object, const char* key);

// A short description of a JSON value's type for error messages ("a number", "null", ...).
std::string typeName(const nlohmann::json& value);

// Serialises without ever throwing: invalid UTF-8 (impossible for validated input) is replaced.
std::string dumpJson(const nlohmann::json& value);

// Quotes `text` as a JSON string for messages, cut to 60 bytes so errors stay readable.
std::string quote(std::string_view text);

}  // namespace internal
}  // namespace kefu

#endif  // KEFU_SRC_JSON_UTIL_H_
