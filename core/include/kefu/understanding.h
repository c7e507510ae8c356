// What a customer message says, beyond its words: language (ten languages + "und"), intent
// (the 37 of the shared taxonomy) with a calibrated confidence, sentiment, urgency and entities.
// Two compact models (kefu/classifier.h) loaded from bytes, plus the rule-based entity
// extractor. Either model may be missing: the fields it would fill are then absent, never
// guessed.
//
//   kefu::Understanding u;
//   if (Status s = u.loadLanguageModel(langidBytes); !s.ok()) report(s);   // data_loss, ...
//   if (Status s = u.loadIntentModel(nluBytes); !s.ok()) report(s);
//   auto a = u.analyze("hola, my order #A1234 no llega!!");
//   // a->language == "es", a->intent == "delivery_problem", a->sentiment == "negative",
//   // a->entities[0] = order_number "#A1234"
#ifndef KEFU_UNDERSTANDING_H_
#define KEFU_UNDERSTANDING_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/classifier.h"
#include "kefu/entities.h"
#include "kefu/status.h"

namespace kefu {

// Below this probability the language is reported as "und": the model's top language is not
// trustworthy enough to pick a reply language from.
constexpr float kLanguageConfidenceFloor = 0.5f;

struct LabelScore {
  std::string label;
  float score = 0.0f;
};

struct Analysis {
  // Language id (present when a language model is loaded).
  std::optional<std::string> language;  // "en" ... "nl" or "und"
  float language_confidence = 0.0f;
  // Intent, sentiment, urgency (present when an intent model is loaded).
  std::optional<std::string> intent;
  float intent_confidence = 0.0f;
  std::vector<LabelScore> top_intents;  // the three most probable, best first
  std::optional<std::string> sentiment;  // negative | neutral | positive
  float sentiment_confidence = 0.0f;
  std::optional<std::string> urgency;  // low | normal | high | urgent
  float urgency_confidence = 0.0f;
  std::vector<Entity> entities;  // always extracted (rule-based)

  // {lang, lang_confidence, intent, confidence, top: [{intent, score}], sentiment,
  //  sentiment_confidence, urgency, urgency_confidence, entities: [{type, text, value, start,
  //  end, amount?, currency?}]}; fields of a missing model are left out. Never fails.
  nlohmann::json toJson() const;
};

class Understanding {
 public:
  // Loads a language-id model: a KEFUCLS1 file with a head "lang". Fails like
  // TextClassifier::load, or invalid_argument when the head is missing. A failed load keeps
  // the previous model.
  Status loadLanguageModel(std::string_view bytes);

  // Loads the intent model: a KEFUCLS1 file with heads "intent", "sentiment" and "urgency".
  // Fails like loadLanguageModel.
  Status loadIntentModel(std::string_view bytes);

  bool hasLanguageModel() const { return language_.has_value(); }
  bool hasIntentModel() const { return intent_.has_value(); }

  // Language only (cheaper than analyze). Fails with unavailable without a language model,
  // invalid_argument for invalid UTF-8, out_of_range over kMaxMessageBytes.
  StatusOr<Analysis> identifyLanguage(std::string_view text) const;

  // Everything the loaded models and the entity rules can say. Fails with invalid_argument for
  // invalid UTF-8 and out_of_range over kMaxMessageBytes; without models, only entities.
  StatusOr<Analysis> analyze(std::string_view text) const;

 private:
  Status fillLanguage(std::string_view text, Analysis& out) const;

  std::optional<TextClassifier> language_;
  std::optional<TextClassifier> intent_;
};

}  // namespace kefu

#endif  // KEFU_UNDERSTANDING_H_
