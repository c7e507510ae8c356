#include "kefu/assistant.h"

#include <chrono>

#include "json_util.h"
#include "kefu/escalation.h"
#include "kefu/redaction.h"
#include "kefu/taxonomy.h"
#include "kefu/text.h"

#ifndef KEFU_VERSION
#define KEFU_VERSION "0.0.0"
#endif

namespace kefu {
namespace {

using internal::member;
using internal::typeName;
using nlohmann::json;

Status noKnowledgeBase() {
  return unavailableError("no knowledge base loaded; call loadKnowledgeBase first");
}

Status checkMessage(std::string_view text) {
  if (text.size() > kMaxMessageBytes) {
    return outOfRangeError("text is " + std::to_string(text.size()) + " bytes; the limit is " +
                           std::to_string(kMaxMessageBytes));
  }
  return validateUtf8(text);
}

bool isBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

struct ShopTime {
  Weekday day;
  int minutes;
};

// Reads {"weekday": "mon", "minutes": 615}; `path` prefixes error messages.
StatusOr<ShopTime> parseShopTime(const json& value, const std::string& path) {
  if (!value.is_object())
    return invalidArgumentError(path + ": expected an object, got " + typeName(value));
  const json* weekday = member(value, "weekday");
  const json* minutes = member(value, "minutes");
  std::optional<Weekday> day;
  if (weekday != nullptr && weekday->is_string()) day = parseWeekday(weekday->get<std::string>());
  if (!day) {
    return invalidArgumentError(path +
                                ".weekday: expected one of mon, tue, wed, thu, fri, sat, sun");
  }
  if (minutes == nullptr || !minutes->is_number_integer() || minutes->get<long long>() < 0 ||
      minutes->get<long long>() > 24 * 60 - 1) {
    return invalidArgumentError(path +
                                ".minutes: expected an integer 0..1439 (minutes since "
                                "midnight, shop-local)");
  }
  return ShopTime{*day, static_cast<int>(minutes->get<long long>())};
}

json businessJson(const KnowledgeBase& kb, const ShopTime& now) {
  const BusinessStatus status = kb.businessStatus(now.day, now.minutes);
  json out = {{"open", status.open}, {"timezone", kb.shop().timezone}};
  if (status.next_open) {
    out["next_open"] = {{"weekday", weekdayName(status.next_open->day)},
                        {"time", formatClock(status.next_open->minutes)}};
  }
  return out;
}

std::string nowUtc() {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return formatUtcTimestamp(seconds.count());
}

}  // namespace

std::string version() { return KEFU_VERSION; }

StatusOr<json> Assistant::loadKnowledgeBase(std::string_view kb_json) {
  StatusOr<KnowledgeBase> kb = KnowledgeBase::parse(kb_json);
  if (!kb.ok()) return kb.status();
  kb_ = std::move(*kb);
  index_ = RetrievalIndex(*kb_);
  policy_.reset();
  const Shop& shop = kb_->shop();
  json info = {{"shop_id", shop.id},
               {"name", shop.name},
               {"default_language", shop.default_language},
               {"languages", shop.languages},
               {"timezone", shop.timezone},
               {"entries", kb_->entries().size()}};
  if (!shop.escalation_endpoint.empty()) info["escalation_endpoint"] = shop.escalation_endpoint;
  return info;
}

StatusOr<json> Assistant::ask(std::string_view text, std::string_view options_json) {
  if (!kb_) return noKnowledgeBase();
  KEFU_RETURN_IF_ERROR(checkMessage(text));

  std::string localeLanguage;
  std::optional<ShopTime> now;
  if (!isBlank(options_json)) {
    StatusOr<json> options = internal::parseJson(options_json, "options");
    if (!options.ok()) return options.status();
    if (!options->is_object() && !options->is_null()) {
      return invalidArgumentError("options: expected an object, got " + typeName(*options));
    }
    if (const json* locale = member(*options, "locale")) {
      if (!locale->is_string()) {
        return invalidArgumentError("options.locale: expected a string like \"es-ES\", got " +
                                    typeName(*locale));
      }
      localeLanguage = languageOfLocale(locale->get<std::string>());
    }
    if (const json* nowJson = member(*options, "now")) {
      StatusOr<ShopTime> parsed = parseShopTime(*nowJson, "options.now");
      if (!parsed.ok()) return parsed.status();
      now = *parsed;
    }
  }

  StatusOr<std::string> normalized = normalize(text);
  if (!normalized.ok()) return normalized.status();
  const std::vector<RetrievalHit> hits =
      index_.search(tokenizeNormalized(*normalized), kCandidateCount);
  const PolicyOutcome outcome = policy_.decide(asksForHuman(*normalized), hits);

  const std::vector<Entry>& entries = kb_->entries();
  json result = {{"decision", decisionName(outcome.decision)},
                 {"reason", reasonName(outcome.reason)}};
  json candidates = json::array();
  for (const RetrievalHit& hit : hits) {
    const Entry& entry = entries[hit.entry];
    candidates.push_back({{"entry_id", entry.id},
                          {"intent", entry.intent},
                          {"question", index_.paraphrases()[hit.paraphrase].text},
                          {"confidence", hit.confidence}});
  }
  result["candidates"] = std::move(candidates);
  if (!hits.empty()) {
    result["score"] = hits[0].score;
    result["confidence"] = hits[0].confidence;
  }
  if (outcome.decision == Decision::kAnswer) {
    const RetrievalHit& top = hits[0];
    const Entry& entry = entries[top.entry];
    const std::string language = replyLanguage(entry, index_.paraphrases()[top.paraphrase].language,
                                               localeLanguage, kb_->shop().default_language);
    auto answer = entry.answers.find(language);
    if (answer == entry.answers.end()) {
      return internalError("entry " + entry.id + " has no answer in " + language);
    }
    result["entry_id"] = entry.id;
    result["intent"] = entry.intent;
    result["answer"] = {{"text", answer->second}, {"language", language}};
  }
  if (outcome.decision == Decision::kEscalate && now) {
    // Lets the widget say when a person will be there, without a second call.
    result["business"] = businessJson(*kb_, *now);
  }
  return result;
}

Status Assistant::resetConversation() {
  policy_.reset();
  return okStatus();
}

StatusOr<json> Assistant::redact(std::string_view text) const {
  KEFU_RETURN_IF_ERROR(checkMessage(text));
  StatusOr<RedactionResult> r = redactPii(text);
  if (!r.ok()) return r.status();
  json list = json::array();
  for (const Redaction& redaction : r->redactions) {
    list.push_back({{"kind", piiKindName(redaction.kind)},
                    {"start", redaction.start},
                    {"end", redaction.end}});
  }
  return json{{"text", std::move(r->text)}, {"redactions", std::move(list)}};
}

StatusOr<json> Assistant::buildEscalation(std::string_view request_json) const {
  if (!kb_) return noKnowledgeBase();
  KEFU_RETURN_IF_ERROR(validateUtf8(request_json, "escalation request"));
  StatusOr<json> request = internal::parseJson(request_json, "escalation request");
  if (!request.ok()) return request.status();
  return buildEscalationPayload(*request, kb_->shop().id, nowUtc());
}

StatusOr<json> Assistant::businessStatus(std::string_view now_json) const {
  if (!kb_) return noKnowledgeBase();
  StatusOr<json> now = internal::parseJson(now_json, "now");
  if (!now.ok()) return now.status();
  StatusOr<ShopTime> time = parseShopTime(*now, "now");
  if (!time.ok()) return time.status();
  return businessJson(*kb_, *time);
}

}  // namespace kefu
