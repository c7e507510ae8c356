// Escalation payloads ("kefu.escalation/1", contracts.md): validates the widget's request and
// builds the JSON that is POSTed to the escalation server, with every transcript text and every
// string in user/order redacted (kefu/redaction.h) and the redaction counts attached. Fields
// that later issues will fill (intent, sentiment, urgency, detected language, translations) are
// left absent rather than guessed.
//
//   auto payload = kefu::buildEscalationPayload(request, "global-select", "2026-11-22T10:15:00Z");
//   if (!payload.ok()) return payload.status();   // invalid_argument: transcript[0].role: ...
//   post(payload->dump());
#ifndef KEFU_ESCALATION_H_
#define KEFU_ESCALATION_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "kefu/status.h"

namespace kefu {

constexpr const char* kEscalationSchema = "kefu.escalation/1";
// More turns than this is not a support chat any more; the SDK keeps the latest ones.
constexpr size_t kMaxTranscriptItems = 200;

// Builds the payload from `request` ({idempotency_key, reason, locale, language, page_url,
// transcript, user?, order?, contact?, created_at?}). `created_at` is used when the request has
// none. contact.email is kept only with consent: true (it is the channel the customer chose)
// and the contact is dropped without consent. Fails with invalid_argument naming the field
// (e.g. "transcript[2].role: must be one of customer, assistant, agent"), or out_of_range for a
// transcript text over kMaxMessageBytes or more than kMaxTranscriptItems items.
StatusOr<nlohmann::json> buildEscalationPayload(const nlohmann::json& request,
                                                std::string_view shop_id,
                                                std::string_view created_at);

// True for an RFC 3339 timestamp such as "2026-11-22T10:15:00Z" or "...T10:15:00.123+01:00".
bool isRfc3339Timestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the Unix epoch (UTC). Never fails.
std::string formatUtcTimestamp(int64_t unix_seconds);

}  // namespace kefu

#endif  // KEFU_ESCALATION_H_
