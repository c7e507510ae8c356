#include "kefu/understanding.h"

#include <cmath>

#include "kefu/text.h"

namespace kefu {
namespace {

using nlohmann::json;

// Four decimals are plenty for a probability and keep the JSON lines short.
double rounded(float p) { return std::round(static_cast<double>(p) * 10000.0) / 10000.0; }

Status requireHeads(const TextClassifier& model, std::initializer_list<const char*> names,
                    const char* what) {
  for (const char* name : names) {
    bool found = false;
    for (const ClassifierHead& head : model.heads()) found = found || head.name == name;
    if (!found) {
      return invalidArgumentError(std::string(what) + " has no \"" + name +
                                  "\" head (is it the right file?)");
    }
  }
  return okStatus();
}

Status checkText(std::string_view text) {
  if (text.size() > kMaxMessageBytes) {
    return outOfRangeError("text is " + std::to_string(text.size()) + " bytes; the limit is " +
                           std::to_string(kMaxMessageBytes));
  }
  return validateUtf8(text);
}

}  // namespace

json Analysis::toJson() const {
  json out = json::object();
  if (language) {
    out["lang"] = *language;
    out["lang_confidence"] = rounded(language_confidence);
  }
  if (intent) {
    out["intent"] = *intent;
    out["confidence"] = rounded(intent_confidence);
    json top = json::array();
    for (const LabelScore& s : top_intents) top.push_back({{"intent", s.label}, {"score", rounded(s.score)}});
    out["top"] = std::move(top);
  }
  if (sentiment) {
    out["sentiment"] = *sentiment;
    out["sentiment_confidence"] = rounded(sentiment_confidence);
  }
  if (urgency) {
    out["urgency"] = *urgency;
    out["urgency_confidence"] = rounded(urgency_confidence);
  }
  json list = json::array();
  for (const Entity& e : entities) {
    json item = {{"type", entityTypeName(e.type)},
                 {"text", e.text},
                 {"value", e.value},
                 {"start", e.start},
                 {"end", e.end}};
    if (e.type == EntityType::kAmount) {
      item["amount"] = e.amount;
      item["currency"] = e.currency;
    }
    list.push_back(std::move(item));
  }
  out["entities"] = std::move(list);
  return out;
}

Status Understanding::loadLanguageModel(std::string_view bytes) {
  StatusOr<TextClassifier> model = TextClassifier::load(bytes);
  if (!model.ok()) return model.status();
  KEFU_RETURN_IF_ERROR(requireHeads(*model, {"lang"}, "the language model"));
  language_ = std::move(*model);
  return okStatus();
}

Status Understanding::loadIntentModel(std::string_view bytes) {
  StatusOr<TextClassifier> model = TextClassifier::load(bytes);
  if (!model.ok()) return model.status();
  KEFU_RETURN_IF_ERROR(requireHeads(*model, {"intent", "sentiment", "urgency"}, "the intent model"));
  intent_ = std::move(*model);
  return okStatus();
}

Status Understanding::fillLanguage(std::string_view text, Analysis& out) const {
  StatusOr<Prediction> p = language_->classify(text, 1);
  if (!p.ok()) return p.status();
  const HeadPrediction* lang = p->find("lang");
  out.language = lang->probability >= kLanguageConfidenceFloor ? lang->label : "und";
  out.language_confidence = lang->probability;
  return okStatus();
}

StatusOr<Analysis> Understanding::identifyLanguage(std::string_view text) const {
  if (!language_) return unavailableError("no language model loaded; call loadLanguageModel");
  KEFU_RETURN_IF_ERROR(checkText(text));
  Analysis out;
  KEFU_RETURN_IF_ERROR(fillLanguage(text, out));
  return out;
}

StatusOr<Analysis> Understanding::analyze(std::string_view text) const {
  KEFU_RETURN_IF_ERROR(checkText(text));
  Analysis out;
  if (language_) KEFU_RETURN_IF_ERROR(fillLanguage(text, out));
  if (intent_) {
    StatusOr<Prediction> p = intent_->classify(text, 3);
    if (!p.ok()) return p.status();
    const HeadPrediction* intent = p->find("intent");
    out.intent = intent->label;
    out.intent_confidence = intent->probability;
    for (const LabelProbability& l : intent->top) out.top_intents.push_back({l.label, l.probability});
    const HeadPrediction* sentiment = p->find("sentiment");
    out.sentiment = sentiment->label;
    out.sentiment_confidence = sentiment->probability;
    const HeadPrediction* urgency = p->find("urgency");
    out.urgency = urgency->label;
    out.urgency_confidence = urgency->probability;
  }
  StatusOr<std::vector<Entity>> entities = extractEntities(text);
  if (!entities.ok()) return entities.status();
  out.entities = std::move(*entities);
  return out;
}

}  // namespace kefu
