// Understanding (language id, intent/sentiment/urgency, entities) with the shipped models, the
// policy's use of its signals, and the assistant's escalation payload.
#include "kefu/understanding.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "kefu/assistant.h"
#include "kefu/policy.h"

namespace {

using kefu::StatusCode;

std::string readModel(const std::string& relative) {
  std::ifstream in(std::string(KEFU_MODELS_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing model file models/" << relative);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string& langidBytes() {
  static const std::string bytes = readModel("langid/kefu-langid.bin");
  return bytes;
}
const std::string& nluBytes() {
  static const std::string bytes = readModel("nlu/kefu-nlu.bin");
  return bytes;
}

kefu::Understanding loaded() {
  kefu::Understanding u;
  REQUIRE(u.loadLanguageModel(langidBytes()).ok());
  REQUIRE(u.loadIntentModel(nluBytes()).ok());
  return u;
}

// An English-only KB with one entry.
const char* const kReturnsKb = R"({"kefu_kb": 1,
    "shop": {"id": "s", "name": "S", "default_language": "en", "languages": ["en"],
             "timezone": "UTC", "business_hours": {}},
    "entries": [{"id": "returns", "intent": "return_item",
                 "questions": {"en": ["How do I return an item?"]},
                 "answers": {"en": "Use the returns page."}}]})";

}  // namespace

TEST_CASE("understanding: the shipped language model tells the ten languages apart") {
  const kefu::Understanding u = loaded();
  const std::pair<const char*, const char*> cases[] = {
      {"Where is my parcel? I ordered it two weeks ago.", "en"},
      {"¿Dónde está mi pedido? Lo compré hace dos semanas.", "es"},
      {"Où est mon colis ? Je l'ai commandé il y a deux semaines.", "fr"},
      {"Wo ist mein Paket? Ich habe es vor zwei Wochen bestellt.", "de"},
      {"Onde está a minha encomenda? Comprei há duas semanas.", "pt"},
      {"Dov'è il mio pacco? L'ho ordinato due settimane fa.", "it"},
      {"Waar is mijn pakket? Ik heb het twee weken geleden besteld.", "nl"},
      {"我的包裹在哪里？两周前就下单了。", "zh"},
      {"荷物はどこですか？二週間前に注文しました。", "ja"},
      {"제 택배는 어디에 있나요? 2주 전에 주문했어요.", "ko"},
      {"Где моя посылка? Я заказал её две недели назад.", "und"},
  };
  for (const auto& [text, lang] : cases) {
    auto a = u.identifyLanguage(text);
    REQUIRE(a.ok());
    CHECK_MESSAGE(*a->language == lang, text);
    CHECK(a->language_confidence > 0.5f);
    CHECK_FALSE(a->intent.has_value());  // identifyLanguage runs the language model only
  }
}

TEST_CASE("understanding: intent, calibrated top-3, sentiment, urgency and entities") {
  const kefu::Understanding u = loaded();
  auto a = u.analyze("I want to return these shoes, order #A1234");
  REQUIRE(a.ok());
  CHECK(*a->intent == "return_item");
  REQUIRE(a->top_intents.size() == 3);
  CHECK(a->top_intents[0].label == "return_item");
  CHECK(a->top_intents[0].score >= a->top_intents[1].score);
  CHECK(a->top_intents[0].score + a->top_intents[1].score + a->top_intents[2].score <= 1.0001f);
  CHECK(a->sentiment.has_value());
  CHECK(a->urgency.has_value());
  REQUIRE(a->entities.size() == 1);
  CHECK(a->entities[0].type == kefu::EntityType::kOrderNumber);
  CHECK(a->entities[0].start == 36);
  CHECK(a->entities[0].end == 42);

  const nlohmann::json j = a->toJson();
  CHECK(j["intent"] == "return_item");
  CHECK(j["top"].size() == 3);
  CHECK(j["entities"][0]["type"] == "order_number");
  CHECK(j.contains("lang"));
}

TEST_CASE("understanding: without models only entities; wrong or corrupted files are refused") {
  kefu::Understanding u;
  auto none = u.analyze("mail me at ana@example.com");
  REQUIRE(none.ok());
  CHECK_FALSE(none->language.has_value());
  CHECK_FALSE(none->intent.has_value());
  CHECK(none->entities.size() == 1);
  CHECK(u.identifyLanguage("hello").status().code() == StatusCode::kUnavailable);

  // The intent model is not a language model, and vice versa: the message says why.
  kefu::Status wrong = u.loadLanguageModel(nluBytes());
  CHECK(wrong.code() == StatusCode::kInvalidArgument);
  CHECK(wrong.message().find("\"lang\"") != std::string::npos);
  CHECK(u.loadIntentModel(langidBytes()).code() == StatusCode::kInvalidArgument);

  REQUIRE(u.loadLanguageModel(langidBytes()).ok());
  std::string corrupted = langidBytes();
  corrupted[corrupted.size() / 2] ^= 0x5a;
  CHECK(u.loadLanguageModel(corrupted).code() == StatusCode::kDataLoss);
  CHECK(u.loadLanguageModel(langidBytes().substr(0, 1000)).code() == StatusCode::kOutOfRange);
  CHECK(u.loadLanguageModel("").code() != StatusCode::kOk);
  // A failed load keeps the model that was there.
  auto still = u.identifyLanguage("Wo ist mein Paket? Ich habe es vor zwei Wochen bestellt.");
  REQUIRE(still.ok());
  CHECK(*still->language == "de");

  CHECK(u.analyze("bad \xC3\x28 byte").status().code() == StatusCode::kInvalidArgument);
  CHECK(u.analyze(std::string(20000, 'a')).status().code() == StatusCode::kOutOfRange);
}

TEST_CASE("policy: signals escalate angry and urgent customers, never below the thresholds") {
  const std::vector<kefu::RetrievalHit> good = {{0, 0, 9.0, 0.9}};
  kefu::PolicySignals s;
  s.sentiment = "negative";
  s.sentiment_confidence = kefu::kAngrySentimentThreshold;
  s.urgency = "high";
  s.urgency_confidence = kefu::kAngryUrgencyFloor;
  s.tokens = kefu::kAngryMinTokens;
  kefu::DialoguePolicy policy;
  CHECK(policy.decide(s, good).reason == kefu::Reason::kNegativeSentiment);
  s.sentiment_confidence = kefu::kAngrySentimentThreshold - 0.01f;
  CHECK(policy.decide(s, good).reason == kefu::Reason::kMatched);
  // Negative without time pressure is a problem to answer, not anger to hand over.
  s.sentiment_confidence = 0.99f;
  s.urgency = "normal";
  s.urgency_confidence = 0.99f;
  CHECK(policy.decide(s, good).reason == kefu::Reason::kMatched);
  // A fragment says too little to hand the conversation over.
  s.urgency = "urgent";
  s.urgency_confidence = kefu::kUrgentThreshold - 0.01f;
  s.tokens = kefu::kAngryMinTokens - 1;
  CHECK(policy.decide(s, good).reason == kefu::Reason::kMatched);

  s = {};
  s.urgency = "urgent";
  s.urgency_confidence = kefu::kUrgentThreshold;
  CHECK(policy.decide(s, good).decision == kefu::Decision::kEscalate);
  CHECK(policy.decide(s, good).reason == kefu::Reason::kUrgent);
  s.urgency = "high";
  s.urgency_confidence = 0.99f;
  CHECK(policy.decide(s, good).decision == kefu::Decision::kAnswer);

  s = {};
  s.intent = "contact_human_agent";
  s.intent_confidence = kefu::kHumanIntentThreshold;
  CHECK(policy.decide(s, good).reason == kefu::Reason::kCustomerRequest);
}

TEST_CASE("policy: intent fills the gaps of word overlap") {
  const std::vector<kefu::RetrievalHit> none;
  kefu::DialoguePolicy policy;
  kefu::PolicySignals s;
  s.intent = "customs_duties";
  s.intent_confidence = kefu::kIntentAnswerThreshold;
  s.intent_has_entry = true;
  CHECK(policy.decide(s, none).reason == kefu::Reason::kIntentMatched);
  s.intent_has_entry = false;  // nothing in the KB to answer with: a miss
  CHECK(policy.decide(s, none).reason == kefu::Reason::kNoMatch);

  policy.reset();
  s = {};
  s.intent = "out_of_scope";
  s.intent_confidence = 0.95f;
  s.intent_has_entry = true;  // out of scope never answers, even if a KB entry claims it
  CHECK(policy.decide(s, none).reason == kefu::Reason::kOutOfScope);
  CHECK(policy.decide(s, none).reason == kefu::Reason::kNoMatchTwice);  // misses still count

  s = {};
  s.intent = "return_item";
  s.intent_confidence = 0.45f;
  s.second_intent = "get_refund";
  s.second_intent_confidence = 0.40f;
  s.intent_pair_has_entries = true;
  const kefu::PolicyOutcome o = policy.decide(s, none);
  CHECK(o.decision == kefu::Decision::kClarify);
  CHECK(o.reason == kefu::Reason::kAmbiguousIntent);
  CHECK(policy.consecutiveMisses() == 0);  // asking which one is not a miss
  s.intent_pair_has_entries = false;       // the KB cannot offer both: a plain miss
  CHECK(policy.decide(s, none).reason == kefu::Reason::kNoMatch);
  CHECK(policy.consecutiveMisses() == 1);
}

TEST_CASE("assistant: escalation payloads carry what the models say, and only then") {
  const std::string kb = kReturnsKb;
  const std::string request = R"({"idempotency_key": "key-12345678", "reason": "customer_request",
    "locale": "en-GB", "language": "en", "page_url": "https://shop.example/",
    "transcript": [
      {"role": "customer", "text": "Hello", "at": "2026-11-22T10:00:00Z"},
      {"role": "assistant", "text": "Hi! How can I help?", "at": "2026-11-22T10:00:01Z"},
      {"role": "customer", "text": "I want to return these shoes, order #A1234", "at": "2026-11-22T10:00:05Z"}]})";
  kefu::Assistant plain;
  REQUIRE(plain.loadKnowledgeBase(kb).ok());
  auto without = plain.buildEscalation(request);
  REQUIRE(without.ok());
  CHECK_FALSE(without->contains("intent"));
  CHECK_FALSE(without->contains("sentiment"));
  CHECK_FALSE((*without)["customer"].contains("detected_language"));

  kefu::Assistant smart;
  REQUIRE(smart.loadKnowledgeBase(kb).ok());
  REQUIRE(smart.loadLanguageModel(langidBytes()).ok());
  REQUIRE(smart.loadIntentModel(nluBytes()).ok());
  auto with = smart.buildEscalation(request);
  REQUIRE(with.ok());
  // The request line, not the greeting, is what the conversation is about.
  CHECK((*with)["intent"]["label"] == "return_item");
  CHECK((*with)["intent"]["top"].size() == 3);
  CHECK((*with)["sentiment"].contains("label"));
  CHECK((*with)["urgency"].contains("confidence"));
  CHECK((*with)["customer"]["detected_language"] == "en");

  auto reply = smart.ask("I want to return these shoes", "");
  REQUIRE(reply.ok());
  CHECK((*reply)["understanding"]["intent"] == "return_item");
  CHECK((*reply)["decision"] == "answer");
  CHECK((*reply)["entry_id"] == "returns");
}

TEST_CASE("assistant: a machine-translated question is retrieved as translated, understood as written") {
  const std::string kb = kReturnsKb;
  kefu::Assistant a;
  REQUIRE(a.loadKnowledgeBase(kb).ok());
  REQUIRE(a.loadLanguageModel(langidBytes()).ok());
  REQUIRE(a.loadIntentModel(nluBytes()).ok());
  // A poor translation of a German return question still finds the entry by its words, while
  // language, intent and the hand-over rules read the customer's German.
  auto reply = a.ask("how do I return an item", R"({"original": "Wie kann ich einen Artikel zurückschicken?"})");
  REQUIRE(reply.ok());
  CHECK((*reply)["understanding"]["lang"] == "de");
  CHECK((*reply)["understanding"]["intent"] == "return_item");
  CHECK((*reply)["decision"] == "answer");
  CHECK((*reply)["entry_id"] == "returns");
  // A request for a person written in German escalates even when the translation lost it.
  auto human = a.ask("I want", R"({"original": "Ich möchte mit einem Menschen sprechen, bitte."})");
  REQUIRE(human.ok());
  CHECK((*human)["decision"] == "escalate");
  CHECK((*human)["understanding"]["lang"] == "de");
  // Bad `original` values are refused, naming the option.
  auto bad = a.ask("hello", R"({"original": 5})");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("options.original") != std::string::npos);
  auto invalid = a.ask("hello", std::string(R"({"original": "caf)") + "\xC3" + R"("})");
  CHECK_FALSE(invalid.ok());
}
