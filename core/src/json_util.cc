#include "json_util.h"

namespace kefu {
namespace internal {
namespace {

// Records the first syntax error; the DOM parser with allow_exceptions=false only says "failed".
struct ErrorFinder : nlohmann::json_sax<nlohmann::json> {
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    message = error.what();
    // Drop the "[json.exception.parse_error.101] " prefix: it means nothing to a shop owner.
    const size_t close = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      message.erase(0, close + 2);
    }
    return false;
  }
};

}  // namespace

StatusOr<nlohmann::json> parseJson(std::string_view text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                               /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  ErrorFinder finder;
  nlohmann::json::sax_parse(text.begin(), text.end(), &finder);
  if (finder.message.empty()) finder.message = "syntax error";
  return invalidArgumentError(std::string(what) + " is not valid JSON: " + finder.message);
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string typeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

std::string dumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string quote(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string cut(text.substr(0, kMax));
  // Never split a UTF-8 sequence: back off to a lead byte.
  while (cut.size() < text.size() && !cut.empty() &&
         (static_cast<unsigned char>(text[cut.size()]) & 0xC0) == 0x80) {
    cut.pop_back();
  }
  if (cut.size() < text.size()) cut += "...";
  return dumpJson(nlohmann::json(cut));
}

}  // namespace internal
}  // namespace kefu
