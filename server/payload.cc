#include "payload.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>

namespace kefu::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxShortString = 1000;  // user/order values, author names, locales
constexpr size_t kMaxUrlBytes = 2048;
constexpr std::initializer_list<const char*> kReasons = {
    "customer_request", "no_match_twice", "negative_sentiment", "urgent", "low_confidence"};
constexpr std::initializer_list<const char*> kRoles = {"customer", "assistant", "agent"};
constexpr std::initializer_list<const char*> kLanguages = {"en", "zh", "es", "fr", "de",
                                                           "pt", "it", "ja", "ko", "nl"};
constexpr std::initializer_list<const char*> kRedactionKinds = {"email", "phone", "card", "iban"};
constexpr std::initializer_list<const char*> kTranslationKeys = {"text", "language", "machine"};

Status invalid(const std::string& path, const std::string& what) {
  return Status::invalidArgument(path + ": " + what);
}

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

std::string joined(std::initializer_list<const char*> items) {
  std::string out;
  for (const char* item : items) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

const char* typeName(const json& value) { return value.is_null() ? "null" : value.type_name(); }

Status requireString(const json& value, const std::string& path, size_t max_bytes) {
  if (!value.is_string())
    return invalid(path, std::string("must be a string, got ") + typeName(value));
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > max_bytes) {
    return Status::outOfRange(path + ": " + std::to_string(text.size()) + " bytes, at most " +
                              std::to_string(max_bytes) + " allowed");
  }
  if (auto bad = findInvalidUtf8(text)) {
    return invalid(path, "is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  return {};
}

Status requireEnum(const json& value, const std::string& path,
                   std::initializer_list<const char*> allowed) {
  if (!value.is_string() || !oneOf(value.get<std::string>(), allowed)) {
    return invalid(path, "must be one of " + joined(allowed));
  }
  return {};
}

Status requireTimestamp(const json& value, const std::string& path) {
  if (!value.is_string() || !isValidTimestamp(value.get<std::string>())) {
    return invalid(path, "must be an RFC 3339 time such as 2026-11-22T10:15:00Z");
  }
  return {};
}

// user and order are free-form context from the shop's page; only flat scalar values are
// accepted so that the desk can show them as a simple table.
Status requireFlatObject(const json& value, const std::string& path) {
  if (!value.is_object())
    return invalid(path, std::string("must be an object, got ") + typeName(value));
  if (value.size() > 50) return Status::outOfRange(path + ": at most 50 keys allowed");
  for (const auto& [key, item] : value.items()) {
    std::string item_path = path + "." + key;
    if (key.empty() || key.size() > 64) return invalid(item_path, "key must be 1..64 bytes");
    if (item.is_string()) {
      if (Status s = requireString(item, item_path, kMaxShortString); !s.ok()) return s;
    } else if (!item.is_number() && !item.is_boolean() && !item.is_null()) {
      return invalid(item_path, "must be a string, number, boolean or null");
    }
  }
  return {};
}

bool isLocale(const std::string& text) {
  // BCP 47 in the shape browsers report (es-ES, zh-Hans-CN, pt-BR); no attempt to check
  // registered subtags, which change over time.
  if (text.empty() || text.size() > 35) return false;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t end = text.find_first_of("-_", start);
    if (end == std::string::npos) end = text.size();
    size_t len = end - start;
    if (first ? (len < 2 || len > 3) : (len < 1 || len > 8)) return false;
    for (size_t i = start; i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (first ? !std::isalpha(c) : !std::isalnum(c)) return false;
    }
    first = false;
    start = end + 1;
  }
  return true;
}

Status validateCustomer(const json& customer) {
  if (!customer.is_object()) return invalid("customer", "must be an object with a locale");
  if (!customer.contains("locale")) return invalid("customer.locale", "is required");
  const json& locale = customer["locale"];
  if (!locale.is_string() || !isLocale(locale.get<std::string>())) {
    return invalid("customer.locale", "must be a BCP 47 locale such as es-ES");
  }
  for (const char* key : {"language", "detected_language"}) {
    if (customer.contains(key)) {
      if (Status s = requireEnum(customer[key], std::string("customer.") + key, kLanguages);
          !s.ok()) {
        return s;
      }
    }
  }
  if (customer.contains("contact")) {
    const json& contact = customer["contact"];
    if (!contact.is_object())
      return invalid("customer.contact", "must be an object {email, consent}");
    if (!contact.contains("consent") || !contact["consent"].is_boolean() ||
        !contact["consent"].get<bool>()) {
      return invalid("customer.contact.consent",
                     "must be true: contact details are only sent with the customer's consent");
    }
    if (contact.contains("email")) {
      const json& email = contact["email"];
      if (Status s = requireString(email, "customer.contact.email", 254); !s.ok()) return s;
      const auto& text = email.get_ref<const std::string&>();
      size_t at = text.find('@');
      if (at == std::string::npos || at == 0 || at + 1 >= text.size() ||
          text.find_first_of(" \t\r\n<>") != std::string::npos) {
        return invalid("customer.contact.email", "must be an e-mail address");
      }
    }
  }
  return {};
}

Status validateTranscript(const json& transcript, const PayloadLimits& limits) {
  if (!transcript.is_array()) return invalid("transcript", "must be an array of messages");
  if (transcript.empty()) return invalid("transcript", "must not be empty");
  if (transcript.size() > kMaxTranscriptItems) {
    return Status::outOfRange("transcript: " + std::to_string(transcript.size()) +
                              " messages, at most " + std::to_string(kMaxTranscriptItems) +
                              " allowed");
  }
  for (size_t i = 0; i < transcript.size(); ++i) {
    const json& item = transcript[i];
    std::string path = "transcript[" + std::to_string(i) + "]";
    if (!item.is_object()) return invalid(path, "must be an object {role, text, at}");
    if (!item.contains("role")) return invalid(path + ".role", "is required");
    if (Status s = requireEnum(item["role"], path + ".role", kRoles); !s.ok()) return s;
    if (!item.contains("text")) return invalid(path + ".text", "is required");
    if (Status s = requireString(item["text"], path + ".text", limits.max_message_bytes); !s.ok()) {
      return s;
    }
    if (item["text"].get_ref<const std::string&>().empty()) {
      return invalid(path + ".text", "must not be empty");
    }
    if (!item.contains("at")) return invalid(path + ".at", "is required");
    if (Status s = requireTimestamp(item["at"], path + ".at"); !s.ok()) return s;
    if (item.contains("translation")) {
      if (Status s = validateTranslation(item["translation"], path + ".translation", limits);
          !s.ok()) {
        return s;
      }
    }
  }
  return {};
}

Status validateRedaction(const json& redaction) {
  if (!redaction.is_object()) return invalid("redaction", "must be an object {applied, counts}");
  if (redaction.contains("applied") && !redaction["applied"].is_boolean()) {
    return invalid("redaction.applied", "must be a boolean");
  }
  if (redaction.contains("counts")) {
    const json& counts = redaction["counts"];
    if (!counts.is_object()) return invalid("redaction.counts", "must be an object");
    for (const auto& [kind, count] : counts.items()) {
      if (!oneOf(kind, kRedactionKinds)) {
        return invalid("redaction.counts." + kind,
                       "unknown kind (expected " + joined(kRedactionKinds) + ")");
      }
      if (!count.is_number_unsigned()) {
        return invalid("redaction.counts." + kind, "must be a non-negative integer");
      }
    }
  }
  return {};
}

// intent, sentiment and urgency arrive with the next issues; until their shapes are fixed the
// server accepts a label (string), a score (number) or a structured object, nothing else.
Status validateSignal(const json& value, const std::string& path, bool allow_number) {
  if (value.is_string()) return requireString(value, path, 64);
  if (value.is_object() || (allow_number && value.is_number())) return {};
  return invalid(path, allow_number ? "must be a string, a number or an object"
                                    : "must be a string or an object");
}

bool digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<size_t> findInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = bytes[i];
    size_t length;
    uint32_t code_point;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (bytes[i + k] & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return i;
    }
    i += length;
  }
  return std::nullopt;
}

bool isValidIdempotencyKey(std::string_view key) {
  if (key.size() < 8 || key.size() > 128) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool isValidTimestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
  int year, month, day, hour, minute, second;
  if (!digits(t, 0, 4, year) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2, month) ||
      t[7] != '-' || !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') ||
      !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' ||
      !digits(t, 17, 2, second)) {
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  size_t pos = 19;
  if (t[pos] == '.') {
    size_t start = ++pos;
    while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) ++pos;
    if (pos == start || pos - start > 9) return false;
  }
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) return pos + 1 == t.size();
  int offset_hour, offset_minute;
  return pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') &&
         digits(t, pos + 1, 2, offset_hour) && t[pos + 3] == ':' &&
         digits(t, pos + 4, 2, offset_minute) && offset_hour <= 23 && offset_minute <= 59;
}

Status validateEscalation(const json& payload, const std::optional<std::string>& header_key,
                          const PayloadLimits& limits) {
  if (!payload.is_object()) return invalid("(root)", "must be a JSON object");
  auto require = [&](const char* key) -> Status {
    if (!payload.contains(key)) return invalid(key, "is required");
    return {};
  };

  if (Status s = require("schema"); !s.ok()) return s;
  if (payload["schema"] != kEscalationSchema) {
    return invalid("schema", std::string("must be \"") + kEscalationSchema + "\"");
  }

  if (Status s = require("idempotency_key"); !s.ok()) return s;
  const json& key = payload["idempotency_key"];
  if (!key.is_string() || !isValidIdempotencyKey(key.get<std::string>())) {
    return invalid("idempotency_key", "must be 8..128 characters of A-Z a-z 0-9 _ -");
  }
  if (header_key && *header_key != key.get<std::string>()) {
    return invalid("idempotency_key", "must equal the Idempotency-Key header");
  }

  if (Status s = require("shop_id"); !s.ok()) return s;
  const json& shop = payload["shop_id"];
  bool shop_ok =
      shop.is_string() && !shop.get<std::string>().empty() && shop.get<std::string>().size() <= 64;
  if (shop_ok) {
    for (char c : shop.get<std::string>()) {
      shop_ok = shop_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
  }
  if (!shop_ok) return invalid("shop_id", "must be 1..64 characters of a-z 0-9 -");

  if (Status s = require("reason"); !s.ok()) return s;
  if (Status s = requireEnum(payload["reason"], "reason", kReasons); !s.ok()) return s;

  if (Status s = require("created_at"); !s.ok()) return s;
  if (Status s = requireTimestamp(payload["created_at"], "created_at"); !s.ok()) return s;

  if (Status s = require("customer"); !s.ok()) return s;
  if (Status s = validateCustomer(payload["customer"]); !s.ok()) return s;

  if (payload.contains("page_url")) {
    const json& url = payload["page_url"];
    if (Status s = requireString(url, "page_url", kMaxUrlBytes); !s.ok()) return s;
    const auto& text = url.get_ref<const std::string&>();
    if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0) {
      return invalid("page_url", "must be an http:// or https:// URL");
    }
  }

  if (Status s = require("transcript"); !s.ok()) return s;
  if (Status s = validateTranscript(payload["transcript"], limits); !s.ok()) return s;

  for (const char* key : {"user", "order"}) {
    if (payload.contains(key)) {
      if (Status s = requireFlatObject(payload[key], key); !s.ok()) return s;
    }
  }
  if (payload.contains("redaction")) {
    if (Status s = validateRedaction(payload["redaction"]); !s.ok()) return s;
  }
  if (payload.contains("intent")) {
    if (Status s = validateSignal(payload["intent"], "intent", false); !s.ok()) return s;
  }
  for (const char* key : {"sentiment", "urgency"}) {
    if (payload.contains(key)) {
      if (Status s = validateSignal(payload[key], key, true); !s.ok()) return s;
    }
  }
  return {};
}

Status validateTranslation(const json& value, const std::string& path,
                           const PayloadLimits& limits) {
  // The translation may be longer than the original (e.g. Latin script into CJK, 3 bytes a
  // character), hence the generous factor.
  const size_t max_bytes = limits.max_message_bytes * kTranslationSizeFactor;
  if (value.is_string()) return requireString(value, path, max_bytes);
  if (!value.is_object()) {
    return invalid(path, std::string("must be a string or an object {text, language, machine}, "
                                     "got ") +
                             typeName(value));
  }
  for (const auto& [key, item] : value.items()) {
    if (!oneOf(key, kTranslationKeys)) {
      return invalid(path + "." + key, "unknown field (expected " + joined(kTranslationKeys) + ")");
    }
  }
  if (!value.contains("text")) return invalid(path + ".text", "is required");
  if (Status s = requireString(value["text"], path + ".text", max_bytes); !s.ok()) return s;
  if (value.contains("language")) {
    const json& language = value["language"];
    if (!language.is_string() || !isLocale(language.get<std::string>())) {
      return invalid(path + ".language", "must be a language code such as en or zh-Hans");
    }
  }
  if (value.contains("machine") && !value["machine"].is_boolean()) {
    return invalid(path + ".machine", "must be a boolean");
  }
  return {};
}

Status validateMessageText(const json& value, const std::string& field,
                           const PayloadLimits& limits) {
  if (Status s = requireString(value, field, limits.max_message_bytes); !s.ok()) return s;
  const auto& text = value.get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid(field, "must not be empty");
  }
  return {};
}

}  // namespace kefu::server
