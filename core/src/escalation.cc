#include "kefu/escalation.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "json_util.h"
#include "kefu/redaction.h"
#include "kefu/taxonomy.h"
#include "kefu/text.h"

namespace kefu {
namespace {

using internal::member;
using internal::quote;
using internal::typeName;
using nlohmann::json;

// Context objects are small ({id, name}); deep nesting is a bug or an attack.
constexpr int kMaxContextDepth = 8;

Status fieldError(const std::string& path, const std::string& problem) {
  return invalidArgumentError(path + ": " + problem);
}

// Reads a required string member into `out`.
Status requireString(const json& object, const char* key, std::string& out) {
  const json* value = member(object, key);
  if (value == nullptr) return fieldError(key, "missing (expected a string)");
  if (!value->is_string()) return fieldError(key, "expected a string, got " + typeName(*value));
  out = value->get<std::string>();
  return okStatus();
}

using Counts = std::array<size_t, kPiiKindCount>;

StatusOr<std::string> redactInto(const std::string& text, const std::string& path, Counts& counts) {
  if (text.size() > kMaxMessageBytes) {
    return outOfRangeError(path + ": text is " + std::to_string(text.size()) +
                           " bytes; the limit is " + std::to_string(kMaxMessageBytes));
  }
  StatusOr<RedactionResult> r = redactPii(text);
  if (!r.ok()) return fieldError(path, r.status().message());
  const Counts found = r->counts();
  for (size_t k = 0; k < kPiiKindCount; ++k) counts[k] += found[k];
  return std::move(r->text);
}

// Redacts every string in a user/order context value, keeping its shape.
StatusOr<json> redactContext(const json& value, const std::string& path, int depth,
                             Counts& counts) {
  if (depth > kMaxContextDepth) return fieldError(path, "nested too deeply");
  if (value.is_string()) {
    StatusOr<std::string> text = redactInto(value.get<std::string>(), path, counts);
    if (!text.ok()) return text.status();
    return json(std::move(*text));
  }
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      StatusOr<json> v = redactContext(it.value(), path + "." + it.key(), depth + 1, counts);
      if (!v.ok()) return v.status();
      out[it.key()] = std::move(*v);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < value.size(); ++i) {
      StatusOr<json> v =
          redactContext(value[i], path + "[" + std::to_string(i) + "]", depth + 1, counts);
      if (!v.ok()) return v.status();
      out.push_back(std::move(*v));
    }
    return out;
  }
  return value;  // numbers, booleans, null carry no free text
}

bool digitsAt(std::string_view t, size_t from, size_t count) {
  if (from + count > t.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

}  // namespace

bool isRfc3339Timestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20 || !digitsAt(t, 0, 4) || t[4] != '-' || !digitsAt(t, 5, 2) || t[7] != '-' ||
      !digitsAt(t, 8, 2) || (t[10] != 'T' && t[10] != 't') || !digitsAt(t, 11, 2) || t[13] != ':' ||
      !digitsAt(t, 14, 2) || t[16] != ':' || !digitsAt(t, 17, 2)) {
    return false;
  }
  const auto num = [&](size_t at) { return (t[at] - '0') * 10 + (t[at + 1] - '0'); };
  if (num(5) < 1 || num(5) > 12 || num(8) < 1 || num(8) > 31 || num(11) > 23 || num(14) > 59 ||
      num(17) > 60) {
    return false;
  }
  size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) return i + 1 == t.size();
  return i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && digitsAt(t, i + 1, 2) &&
         t[i + 3] == ':' && digitsAt(t, i + 4, 2) && num(i + 1) <= 23 && num(i + 4) <= 59;
}

std::string formatUtcTimestamp(int64_t unix_seconds) {
  // Howard Hinnant's days-to-civil: no gmtime, which is neither portable nor thread-safe.
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[96];  // generous: the compiler cannot see that year fits in 4 digits
  std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buffer;
}

StatusOr<json> buildEscalationPayload(const json& request, std::string_view shop_id,
                                      std::string_view created_at) {
  if (!request.is_object()) {
    return invalidArgumentError("escalation request: expected an object, got " + typeName(request));
  }
  std::string key, reason, locale, language, pageUrl, createdAt(created_at);
  KEFU_RETURN_IF_ERROR(requireString(request, "idempotency_key", key));
  const bool keyShape =
      key.size() >= 8 && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
      });
  if (!keyShape)
    return fieldError("idempotency_key", "must be 8-128 characters of A-Z a-z 0-9 _ -");
  KEFU_RETURN_IF_ERROR(requireString(request, "reason", reason));
  if (reason != "customer_request" && reason != "no_match_twice" &&
      reason != "negative_sentiment" && reason != "urgent") {
    return fieldError("reason",
                      "must be one of customer_request, no_match_twice, negative_sentiment, "
                      "urgent, got " + quote(reason));
  }
  KEFU_RETURN_IF_ERROR(requireString(request, "locale", locale));
  const bool localeShape = !locale.empty() && locale.size() <= 35 &&
                           std::all_of(locale.begin(), locale.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '-' || c == '_';
                           });
  if (!localeShape) return fieldError("locale", quote(locale) + " is not a BCP 47 locale");
  KEFU_RETURN_IF_ERROR(requireString(request, "language", language));
  if (!isSupportedLanguage(language)) {
    return fieldError("language", "unsupported language " + quote(language) +
                                      " (expected one of en, zh, es, fr, de, pt, it, ja, ko, nl)");
  }
  KEFU_RETURN_IF_ERROR(requireString(request, "page_url", pageUrl));
  if ((pageUrl.rfind("http://", 0) != 0 && pageUrl.rfind("https://", 0) != 0) ||
      pageUrl.size() > 2048) {
    return fieldError("page_url", "expected an http:// or https:// URL of at most 2048 bytes");
  }
  if (member(request, "created_at") != nullptr) {
    KEFU_RETURN_IF_ERROR(requireString(request, "created_at", createdAt));
  }
  if (!isRfc3339Timestamp(createdAt)) {
    return fieldError("created_at", quote(createdAt) + " is not an RFC 3339 timestamp");
  }

  Counts counts{};
  const json* transcript = member(request, "transcript");
  if (transcript == nullptr) return fieldError("transcript", "missing (expected an array)");
  if (!transcript->is_array() || transcript->empty()) {
    return fieldError("transcript", "expected a non-empty array");
  }
  if (transcript->size() > kMaxTranscriptItems) {
    return outOfRangeError("transcript: " + std::to_string(transcript->size()) +
                           " items; the limit is " + std::to_string(kMaxTranscriptItems));
  }
  json items = json::array();
  for (size_t i = 0; i < transcript->size(); ++i) {
    const std::string path = "transcript[" + std::to_string(i) + "]";
    const json& item = (*transcript)[i];
    if (!item.is_object()) return fieldError(path, "expected an object, got " + typeName(item));
    const json* role = member(item, "role");
    const json* text = member(item, "text");
    const json* at = member(item, "at");
    if (role == nullptr || !role->is_string() ||
        (*role != "customer" && *role != "assistant" && *role != "agent")) {
      return fieldError(path + ".role", "must be one of customer, assistant, agent");
    }
    if (text == nullptr || !text->is_string()) {
      return fieldError(path + ".text", "expected a string");
    }
    if (at == nullptr || !at->is_string() || !isRfc3339Timestamp(at->get<std::string>())) {
      return fieldError(path + ".at", "expected an RFC 3339 timestamp like 2026-11-22T10:14:02Z");
    }
    StatusOr<std::string> redacted = redactInto(text->get<std::string>(), path + ".text", counts);
    if (!redacted.ok()) return redacted.status();
    items.push_back({{"role", *role}, {"text", std::move(*redacted)}, {"at", *at}});
  }

  json customer = {{"locale", locale}, {"language", language}};
  if (const json* contact = member(request, "contact")) {
    if (!contact->is_object()) {
      return fieldError("contact", "expected an object, got " + typeName(*contact));
    }
    const json* email = member(*contact, "email");
    const json* consent = member(*contact, "consent");
    if (consent == nullptr || !consent->is_boolean()) {
      return fieldError("contact.consent", "expected true or false");
    }
    if (email == nullptr || !email->is_string()) {
      return fieldError("contact.email", "expected a string");
    }
    // Without consent the address must not leave the device at all.
    if (consent->get<bool>()) {
      StatusOr<RedactionResult> check = redactPii(email->get<std::string>());
      const bool isEmail = check.ok() && check->redactions.size() == 1 &&
                           check->redactions[0].kind == PiiKind::kEmail && check->text == "[email]";
      if (!isEmail) {
        return fieldError("contact.email",
                          quote(email->get<std::string>()) + " is not an e-mail address");
      }
      customer["contact"] = {{"email", *email}, {"consent", true}};
    }
  }

  json payload = {
      {"schema", kEscalationSchema},
      {"idempotency_key", key},
      {"shop_id", std::string(shop_id)},
      {"reason", reason},
      {"created_at", createdAt},
      {"customer", std::move(customer)},
      {"page_url", pageUrl},
      {"transcript", std::move(items)},
  };
  for (const char* context : {"user", "order"}) {
    const json* value = member(request, context);
    if (value == nullptr || value->is_null()) continue;
    if (!value->is_object()) {
      return fieldError(context, "expected an object, got " + typeName(*value));
    }
    StatusOr<json> redacted = redactContext(*value, context, 1, counts);
    if (!redacted.ok()) return redacted.status();
    payload[context] = std::move(*redacted);
  }
  json countJson = json::object();
  for (size_t k = 0; k < kPiiKindCount; ++k) {
    countJson[piiKindName(static_cast<PiiKind>(k))] = counts[k];
  }
  payload["redaction"] = {{"applied", true}, {"counts", std::move(countJson)}};
  return payload;
}

}  // namespace kefu
