// The front class of the core: one Assistant per conversation holds the knowledge base, its
// retrieval index and the dialogue state, and exposes exactly the methods of the wasm module's
// JS API (contracts.md). Every method takes text or JSON text and returns JSON or a Status, so
// the Embind layer only converts types.
//
//   kefu::Assistant assistant;
//   auto info = assistant.loadKnowledgeBase(kbJson);        // {shop_id, name, ..., entries: 12}
//   auto reply = assistant.ask("¿Cuánto tarda el envío?", R"({"locale":"es-ES"})");
//   if (reply.ok() && (*reply)["decision"] == "answer") show((*reply)["answer"]["text"]);
//   assistant.loadLanguageModel(langidBytes);  // optional: language id, intent, sentiment,
//   assistant.loadIntentModel(nluBytes);       // urgency then shape replies and escalations
#ifndef KEFU_ASSISTANT_H_
#define KEFU_ASSISTANT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "kefu/knowledge_base.h"
#include "kefu/policy.h"
#include "kefu/retrieval.h"
#include "kefu/status.h"
#include "kefu/text.h"  // kMaxMessageBytes
#include "kefu/translator.h"
#include "kefu/understanding.h"

namespace kefu {

// The core's version ("0.1.0"), from the CMake project version.
std::string version();

class Assistant {
 public:
  Assistant() = default;

  // Parses, validates and indexes a knowledge base, replacing any previous one and resetting
  // the conversation. Returns {shop_id, name, default_language, languages, timezone, entries,
  // escalation_endpoint?}. Fails like KnowledgeBase::parse; the previous KB stays on failure.
  StatusOr<nlohmann::json> loadKnowledgeBase(std::string_view kb_json);

  // Loads the language-id / intent models (kefu/understanding.h). Fail like
  // Understanding::load*; a failed load keeps the previous model, so the assistant keeps
  // answering by retrieval alone.
  Status loadLanguageModel(std::string_view bytes);
  Status loadIntentModel(std::string_view bytes);

  // Loads the SentencePiece model of the translation pair en-<lang> (Translator::load), one per
  // language; fails like it, and a failed load keeps the previous model of that language.
  Status loadTranslationModel(std::string_view lang, std::string_view spm_bytes,
                              std::string_view shortlist_bytes = {});

  // Starts translating `text` from `from` to `to` (one of them "en") with the model loaded for
  // the other language; the knowledge base's glossary terms (if a KB is loaded) are kept as
  // written. `options_json` is "" or parseTranslationOptions' object ({"formal": true, "beam": 2,
  // ...}). Fails with unavailable when no model covers the pair, else like Translator::begin.
  StatusOr<TranslationJob> beginTranslation(std::string_view text, std::string_view from,
                                            std::string_view to, std::string_view options_json) const;
  StatusOr<TranslationJob> beginTranslation(std::string_view text, std::string_view from,
                                            std::string_view to,
                                            const TranslationOptions& options) const;

  // Language id alone: {lang, lang_confidence, entities}. Fails with unavailable without a
  // language model, invalid_argument / out_of_range for bad text.
  StatusOr<nlohmann::json> identifyLanguage(std::string_view text) const;

  // Everything understood about one message: Analysis::toJson(). Needs no knowledge base; fields
  // of models not loaded are absent. Fails with invalid_argument / out_of_range for bad text.
  StatusOr<nlohmann::json> analyze(std::string_view text) const;

  // Decides how to reply to one customer message. `options_json` may be "" or
  // {"locale": "es-ES", "now": {"weekday": "mon", "minutes": 615}, "original": "..."}; `original`
  // is the customer's own text when `text` is its machine translation into the KB's language:
  // retrieval uses `text`, language/intent/sentiment/urgency and the hand-over rules `original`.
  // Returns {decision, reason,
  // entry_id?, intent?, score?, confidence?, answer?: {text, language}, candidates, business?,
  // understanding: Analysis::toJson()}. With an intent model, entries of the predicted intent
  // rank higher and the reply language follows the detected language (docs/core.md).
  // Fails with unavailable before a KB is loaded, out_of_range over kMaxMessageBytes,
  // invalid_argument for invalid UTF-8 (naming the byte) or malformed options.
  StatusOr<nlohmann::json> ask(std::string_view text, std::string_view options_json);

  // Clears the consecutive-miss counter. Never fails.
  Status resetConversation();

  // Redacts PII: {text, redactions: [{kind, start, end}]} with UTF-16 offsets of the original.
  // Fails with out_of_range over kMaxMessageBytes, invalid_argument for invalid UTF-8.
  StatusOr<nlohmann::json> redact(std::string_view text) const;

  // Builds the escalation payload (kefu/escalation.h) for the loaded shop, created_at = now
  // unless the request carries one. With models loaded it adds what they say about the
  // customer's messages: intent (of the latest request), sentiment (the most negative),
  // urgency (the highest) and customer.detected_language. Fails with unavailable before a KB is loaded,
  // invalid_argument naming the field, out_of_range for oversized transcripts.
  StatusOr<nlohmann::json> buildEscalation(std::string_view request_json) const;

  // {"weekday": "sat", "minutes": 600} -> {open, next_open?: {weekday, time}, timezone}.
  // Fails with unavailable before a KB is loaded, invalid_argument for a malformed time.
  StatusOr<nlohmann::json> businessStatus(std::string_view now_json) const;

 private:
  // The best entry of `intent`: its best-ranked hit, else (no word overlap) the first entry of
  // that intent in the KB, or nothing when `only_if_unique` and the KB has several.
  std::optional<RetrievalHit> bestEntryOf(const std::string& intent,
                                          const std::vector<RetrievalHit>& hits,
                                          bool only_if_unique) const;

  // Adds intent, sentiment, urgency and detected_language to `payload` from the customer lines
  // of the request's transcript.
  Status addUnderstanding(const nlohmann::json& request, nlohmann::json& payload) const;

  std::optional<KnowledgeBase> kb_;
  RetrievalIndex index_;
  DialoguePolicy policy_;
  Understanding understanding_;
  std::map<std::string, Translator, std::less<>> translators_;  // by non-English language
};

}  // namespace kefu

#endif  // KEFU_ASSISTANT_H_
