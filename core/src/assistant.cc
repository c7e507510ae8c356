#include "kefu/assistant.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

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

// Retrieval looks this deep so that the intent boost and "which of two intents" can reach
// entries beyond the first few by word overlap.
constexpr size_t kIntentSearchDepth = 24;
// The detected language picks the reply language only when at least this sure; below it the
// language of the matched paraphrase does (docs/core.md).
constexpr float kReplyLanguageConfidence = 0.80f;

PolicySignals signalsOf(const Analysis& a, bool asks_for_human) {
  PolicySignals s;
  s.asks_for_human = asks_for_human;
  if (a.intent) {
    s.intent = *a.intent;
    s.intent_confidence = a.intent_confidence;
    if (a.top_intents.size() > 1) {
      s.second_intent = a.top_intents[1].label;
      s.second_intent_confidence = a.top_intents[1].score;
    }
  }
  if (a.sentiment) {
    s.sentiment = *a.sentiment;
    s.sentiment_confidence = a.sentiment_confidence;
  }
  if (a.urgency) {
    s.urgency = *a.urgency;
    s.urgency_confidence = a.urgency_confidence;
  }
  return s;
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
  // When `text` is a machine translation (for retrieval in the KB's language), `original` is
  // what the customer wrote: the understanding models (trained on all ten languages) and the
  // hand-over rules read the customer's own words, not a translation of them.
  std::string original;
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
    if (const json* originalJson = member(*options, "original")) {
      if (!originalJson->is_string()) {
        return invalidArgumentError("options.original: expected the customer's own text (a string), got " +
                                    typeName(*originalJson));
      }
      original = originalJson->get<std::string>();
      Status checked = checkMessage(original);
      if (!checked.ok()) return Status(checked.code(), "options.original: " + checked.message());
    }
  }

  StatusOr<std::string> normalized = normalize(text);
  if (!normalized.ok()) return normalized.status();
  const std::string_view customerText = original.empty() ? text : std::string_view(original);
  StatusOr<Analysis> analysis = understanding_.analyze(customerText);
  if (!analysis.ok()) return analysis.status();
  bool asksHuman = asksForHuman(*normalized);
  if (!original.empty()) {
    StatusOr<std::string> normalizedOriginal = normalize(original);
    if (!normalizedOriginal.ok()) return normalizedOriginal.status();
    asksHuman = asksHuman || asksForHuman(*normalizedOriginal);
  }

  const std::vector<Entry>& entries = kb_->entries();
  const std::vector<std::string> tokens = tokenizeNormalized(*normalized);
  std::vector<RetrievalHit> hits = index_.search(tokens, kIntentSearchDepth);
  if (analysis->intent && analysis->intent_confidence >= kIntentBoostFloor) {
    for (RetrievalHit& hit : hits) {
      if (entries[hit.entry].intent == *analysis->intent) {
        hit.confidence = std::min(1.0, hit.confidence + kIntentBoost);
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const RetrievalHit& a, const RetrievalHit& b) {
      return a.confidence > b.confidence;
    });
  }
  PolicySignals signals = signalsOf(*analysis, asksHuman);
  signals.tokens = tokens.size();
  // The entry a confident intent would answer with: the best-ranked one of that intent, or the
  // only one the KB has (a KB with several entries of it and no word overlap cannot tell which).
  const std::optional<RetrievalHit> intentEntry = bestEntryOf(signals.intent, hits, true);
  signals.intent_has_entry = intentEntry.has_value();
  // "Do you mean returning an item or a refund?" needs an entry for each of the two intents.
  const std::optional<RetrievalHit> firstOfPair = bestEntryOf(signals.intent, hits, false);
  const std::optional<RetrievalHit> secondOfPair = bestEntryOf(signals.second_intent, hits, false);
  signals.intent_pair_has_entries = firstOfPair && secondOfPair;
  std::vector<RetrievalHit> top(hits.begin(), hits.begin() + std::min(hits.size(), kCandidateCount));
  const PolicyOutcome outcome = policy_.decide(signals, top);
  if (outcome.reason == Reason::kIntentMatched) {
    top.erase(std::remove_if(top.begin(), top.end(),
                             [&](const RetrievalHit& h) { return h.entry == intentEntry->entry; }),
              top.end());
    top.insert(top.begin(), *intentEntry);
  } else if (outcome.reason == Reason::kAmbiguousIntent) {
    top = {*firstOfPair, *secondOfPair};
  }

  json result = {{"decision", decisionName(outcome.decision)},
                 {"reason", reasonName(outcome.reason)}};
  json candidates = json::array();
  for (const RetrievalHit& hit : top) {
    const Entry& entry = entries[hit.entry];
    candidates.push_back({{"entry_id", entry.id},
                          {"intent", entry.intent},
                          {"question", index_.paraphrases()[hit.paraphrase].text},
                          {"confidence", hit.confidence}});
  }
  result["candidates"] = std::move(candidates);
  if (!top.empty()) {
    result["score"] = top[0].score;
    result["confidence"] = top[0].confidence;
  }
  if (outcome.decision == Decision::kAnswer) {
    const RetrievalHit& best = top[0];
    const Entry& entry = entries[best.entry];
    const std::string detected =
        analysis->language && analysis->language_confidence >= kReplyLanguageConfidence
            ? *analysis->language
            : std::string();
    const std::string language =
        replyLanguage(entry, detected.empty() ? index_.paraphrases()[best.paraphrase].language
                                              : detected,
                      localeLanguage, kb_->shop().default_language);
    auto answer = entry.answers.find(language);
    if (answer == entry.answers.end()) {
      return internalError("entry " + entry.id + " has no answer in " + language);
    }
    result["entry_id"] = entry.id;
    result["intent"] = entry.intent;
    result["answer"] = {{"text", answer->second}, {"language", language}};
  }
  result["understanding"] = analysis->toJson();
  if (outcome.decision == Decision::kEscalate && now) {
    // Lets the widget say when a person will be there, without a second call.
    result["business"] = businessJson(*kb_, *now);
  }
  return result;
}

std::optional<RetrievalHit> Assistant::bestEntryOf(const std::string& intent,
                                                   const std::vector<RetrievalHit>& hits,
                                                   bool only_if_unique) const {
  if (intent.empty()) return std::nullopt;
  const std::vector<Entry>& entries = kb_->entries();
  auto ranked = std::find_if(hits.begin(), hits.end(), [&](const RetrievalHit& h) {
    return entries[h.entry].intent == intent;
  });
  if (ranked != hits.end()) return *ranked;
  std::optional<size_t> found;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].intent != intent) continue;
    if (found && only_if_unique) return std::nullopt;
    if (!found) found = i;
  }
  if (!found) return std::nullopt;
  // No word overlap at all: the entry's first paraphrase stands for it (score 0).
  const std::vector<Paraphrase>& ps = index_.paraphrases();
  auto p = std::find_if(ps.begin(), ps.end(), [&](const Paraphrase& q) { return q.entry == *found; });
  if (p == ps.end()) return std::nullopt;
  return RetrievalHit{*found, static_cast<size_t>(p - ps.begin()), 0.0, 0.0};
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
  StatusOr<json> payload = buildEscalationPayload(*request, kb_->shop().id, nowUtc());
  if (!payload.ok()) return payload.status();
  KEFU_RETURN_IF_ERROR(addUnderstanding(*request, *payload));
  return payload;
}

Status Assistant::loadLanguageModel(std::string_view bytes) {
  return understanding_.loadLanguageModel(bytes);
}

Status Assistant::loadIntentModel(std::string_view bytes) {
  return understanding_.loadIntentModel(bytes);
}

StatusOr<json> Assistant::identifyLanguage(std::string_view text) const {
  StatusOr<Analysis> a = understanding_.identifyLanguage(text);
  if (!a.ok()) return a.status();
  return a->toJson();
}

StatusOr<json> Assistant::analyze(std::string_view text) const {
  StatusOr<Analysis> a = understanding_.analyze(text);
  if (!a.ok()) return a.status();
  return a->toJson();
}

Status Assistant::addUnderstanding(const json& request, json& payload) const {
  if (!understanding_.hasLanguageModel() && !understanding_.hasIntentModel()) return okStatus();
  const json* transcript = member(request, "transcript");
  if (transcript == nullptr || !transcript->is_array()) return okStatus();
  std::map<std::string, double> languageWeight;
  std::optional<Analysis> request_line, social_line;
  std::optional<std::pair<int, LabelScore>> sentiment, urgency;
  const auto keepHighest = [](std::optional<std::pair<int, LabelScore>>& kept, int rank,
                              const std::string& label, float confidence) {
    if (!kept || rank > kept->first || (rank == kept->first && confidence > kept->second.score)) {
      kept = std::make_pair(rank, LabelScore{label, confidence});
    }
  };
  for (const json& line : *transcript) {
    const json* role = member(line, "role");
    const json* text = member(line, "text");
    if (role == nullptr || *role != "customer" || text == nullptr || !text->is_string()) continue;
    // Lines the models cannot read (over the size limit) simply do not vote.
    StatusOr<Analysis> a = understanding_.analyze(text->get<std::string>());
    if (!a.ok()) continue;
    if (a->language && *a->language != "und") languageWeight[*a->language] += a->language_confidence;
    if (a->intent) {
      static const std::set<std::string> kSocial = {"greeting", "thanks", "goodbye",
                                                    "contact_human_agent"};
      (kSocial.count(*a->intent) ? social_line : request_line) = *a;
    }
    if (a->sentiment) {
      const int rank = *a->sentiment == "negative" ? 2 : *a->sentiment == "neutral" ? 1 : 0;
      keepHighest(sentiment, rank, *a->sentiment, a->sentiment_confidence);
    }
    if (a->urgency) {
      const std::string& u = *a->urgency;
      const int rank = u == "urgent" ? 3 : u == "high" ? 2 : u == "normal" ? 1 : 0;
      keepHighest(urgency, rank, u, a->urgency_confidence);
    }
  }
  const auto rounded = [](float p) { return std::round(p * 10000.0) / 10000.0; };
  if (const std::optional<Analysis>& subject = request_line ? request_line : social_line) {
    json top = json::array();
    for (const LabelScore& s : subject->top_intents) {
      top.push_back({{"label", s.label}, {"confidence", rounded(s.score)}});
    }
    payload["intent"] = {{"label", *subject->intent},
                         {"confidence", rounded(subject->intent_confidence)},
                         {"top", std::move(top)}};
  }
  if (sentiment) {
    payload["sentiment"] = {{"label", sentiment->second.label},
                            {"confidence", rounded(sentiment->second.score)}};
  }
  if (urgency) {
    payload["urgency"] = {{"label", urgency->second.label},
                          {"confidence", rounded(urgency->second.score)}};
  }
  if (!languageWeight.empty()) {
    auto best = std::max_element(languageWeight.begin(), languageWeight.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    payload["customer"]["detected_language"] = best->first;
  }
  return okStatus();
}

StatusOr<json> Assistant::businessStatus(std::string_view now_json) const {
  if (!kb_) return noKnowledgeBase();
  StatusOr<json> now = internal::parseJson(now_json, "now");
  if (!now.ok()) return now.status();
  StatusOr<ShopTime> time = parseShopTime(*now, "now");
  if (!time.ok()) return time.status();
  return businessJson(*kb_, *time);
}

Status Assistant::loadTranslationModel(std::string_view lang, std::string_view spm_bytes,
                                       std::string_view shortlist_bytes) {
  Translator t;
  KEFU_RETURN_IF_ERROR(t.load(spm_bytes, std::string(lang), shortlist_bytes));
  translators_[std::string(lang)] = std::move(t);
  return okStatus();
}

StatusOr<TranslationJob> Assistant::beginTranslation(std::string_view text, std::string_view from,
                                                     std::string_view to,
                                                     std::string_view options_json) const {
  StatusOr<TranslationOptions> options = parseTranslationOptions(options_json);
  if (!options.ok()) return options.status();
  return beginTranslation(text, from, to, *options);
}

StatusOr<TranslationJob> Assistant::beginTranslation(std::string_view text, std::string_view from,
                                                     std::string_view to,
                                                     const TranslationOptions& options) const {
  const std::string_view other = from == "en" ? to : from;
  auto it = translators_.find(other);
  if (it == translators_.end()) {
    return unavailableError("translation: no model loaded for " + std::string(from) + "->" +
                            std::string(to));
  }
  static const std::vector<std::string> kNoGlossary;
  return it->second.begin(text, from, to, options, kb_ ? kb_->glossary() : kNoGlossary);
}

}  // namespace kefu
