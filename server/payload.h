// Validation of what clients send: the escalation payload of contracts.md and the small
// message bodies. The server checks everything itself; a widget's own checks are not trusted.
//
//   PayloadLimits limits{.max_message_bytes = 10000};
//   Status status = validateEscalation(body, header_key, limits);
//   // status.message(): "transcript[0].role: must be one of customer, assistant, agent"
//
// Every failure is invalid_argument (or out_of_range for sizes and counts) with a message that
// starts with the field path.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "status.h"

namespace kefu::server {

inline constexpr const char* kEscalationSchema = "kefu.escalation/1";
inline constexpr size_t kMaxTranscriptItems = 200;
// A translation may take this many times max_message_bytes.
inline constexpr size_t kTranslationSizeFactor = 4;

struct PayloadLimits {
  size_t max_message_bytes = 10000;
};

// Returns the offset of the first byte that does not belong to well-formed UTF-8
// (overlongs, surrogates and code points above U+10FFFF included), or nullopt when valid.
std::optional<size_t> findInvalidUtf8(std::string_view text);

// [A-Za-z0-9_-]{8,128}: the shape of an Idempotency-Key header and payload field.
bool isValidIdempotencyKey(std::string_view key);

// RFC 3339 date-time with a Z or ±hh:mm offset, e.g. 2026-11-22T10:15:00Z.
bool isValidTimestamp(std::string_view text);

// `header_key` is the Idempotency-Key header when the request had one; the payload's key must
// then be equal to it.
Status validateEscalation(const nlohmann::json& payload,
                          const std::optional<std::string>& header_key,
                          const PayloadLimits& limits);

// A message's machine translation, `transcript[].translation` of an escalation or the
// `translation` of a customer follow-up: a string, or an object
// {"text": "...", "language": "en", "machine": true} (`text` required, `language` a BCP 47
// shaped code and `machine` a boolean, both optional, no other fields). Text of either form is
// valid UTF-8 of at most kTranslationSizeFactor * max_message_bytes (else out_of_range).
// `path` prefixes the error message ("transcript[0].translation", "translation").
Status validateTranslation(const nlohmann::json& value, const std::string& path,
                           const PayloadLimits& limits);

// A message body {"text": ...} (customer follow-up) or {"text", "author"} (agent reply).
// `field` prefixes the error message ("text", "author").
Status validateMessageText(const nlohmann::json& value, const std::string& field,
                           const PayloadLimits& limits);

}  // namespace kefu::server
