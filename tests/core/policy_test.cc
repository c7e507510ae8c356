#include "kefu/policy.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kefu/text.h"

namespace {

bool human(const std::string& text) {
  auto n = kefu::normalize(text);
  REQUIRE(n.ok());
  return kefu::asksForHuman(*n);
}

kefu::RetrievalHit hit(size_t entry, double confidence) {
  kefu::RetrievalHit h;
  h.entry = entry;
  h.confidence = confidence;
  h.score = confidence * 10;
  return h;
}

}  // namespace

TEST_CASE("policy: requests for a person in all ten languages") {
  const std::vector<std::string> requests = {
      // en
      "I want to talk to a human",
      "Can I speak to a real person please?",
      "agent",
      "Agent please!",
      "Connect me with a representative",
      // zh
      "转人工",
      "我要人工客服",
      "能找真人吗",
      "客服人员在吗",
      // es
      "Quiero hablar con una persona",
      "¿Puedo hablar con un agente?",
      "humano por favor",
      // fr
      "Je voudrais parler à un conseiller",
      "un humain svp",
      // de
      "Ich möchte mit einem Menschen sprechen",
      "Kann ich bitte mit einem Mitarbeiter sprechen?",
      // pt
      "Quero falar com um atendente",
      "Posso falar com uma pessoa?",
      // it
      "Vorrei parlare con un operatore",
      "operatore",
      // ja
      "担当者と話したい",
      "オペレーターにつないでください",
      "人と話したい",
      // ko
      "상담원 연결해 주세요",
      "사람과 이야기하고 싶어요",
      // nl
      "Ik wil met een medewerker spreken",
      "Kan ik met een mens praten?",
  };
  for (const std::string& text : requests) {
    CAPTURE(text);
    CHECK(human(text));
  }
}

TEST_CASE("policy: ordinary messages are not requests for a person") {
  const std::vector<std::string> ordinary = {
      "my agent code doesn't work",
      "the shipping agent lost my parcel",
      "How long does delivery take?",
      "What is a human-readable invoice?",
      "Does someone speak German here?",
      "Can I talk about my refund?",
      "这是人工智能吗",
      "¿Cuánto cuesta el envío?",
      "Ich habe eine Frage zu meiner Bestellung",
      "Personne ne m'a répondu à propos de ma commande",
      "配送料はいくらですか",
      "배송은 얼마나 걸리나요?",
      "",
  };
  for (const std::string& text : ordinary) {
    CAPTURE(text);
    CHECK_FALSE(human(text));
  }
}

TEST_CASE("policy: confident hit answers") {
  kefu::DialoguePolicy policy;
  auto o = policy.decide(false, {hit(0, 0.9), hit(1, 0.3)});
  CHECK(o.decision == kefu::Decision::kAnswer);
  CHECK(o.reason == kefu::Reason::kMatched);
  // The threshold itself is inclusive.
  o = policy.decide(false, {hit(0, kefu::kAnswerThreshold)});
  CHECK(o.decision == kefu::Decision::kAnswer);
}

TEST_CASE("policy: two close candidates clarify") {
  kefu::DialoguePolicy policy;
  auto o = policy.decide(false, {hit(0, 0.62), hit(1, 0.60), hit(2, 0.2)});
  CHECK(o.decision == kefu::Decision::kClarify);
  CHECK(o.reason == kefu::Reason::kAmbiguous);
  CHECK(policy.consecutiveMisses() == 0);
  // Close but both weak: a miss, not ambiguity.
  o = policy.decide(false, {hit(0, 0.30), hit(1, 0.29)});
  CHECK(o.reason == kefu::Reason::kNoMatch);
  // Far apart: answer.
  o = policy.decide(false, {hit(0, 0.80), hit(1, 0.60)});
  CHECK(o.decision == kefu::Decision::kAnswer);
}

TEST_CASE("policy: the second consecutive miss escalates") {
  kefu::DialoguePolicy policy;
  auto first = policy.decide(false, {});
  CHECK(first.decision == kefu::Decision::kClarify);
  CHECK(first.reason == kefu::Reason::kNoMatch);
  auto second = policy.decide(false, {hit(0, 0.2)});
  CHECK(second.decision == kefu::Decision::kEscalate);
  CHECK(second.reason == kefu::Reason::kNoMatchTwice);
  // Escalation starts the count again.
  CHECK(policy.decide(false, {}).reason == kefu::Reason::kNoMatch);
}

TEST_CASE("policy: an answer resets the miss counter, so does reset()") {
  kefu::DialoguePolicy policy;
  policy.decide(false, {});
  CHECK(policy.consecutiveMisses() == 1);
  CHECK(policy.decide(false, {hit(0, 0.95)}).decision == kefu::Decision::kAnswer);
  CHECK(policy.consecutiveMisses() == 0);
  CHECK(policy.decide(false, {}).reason == kefu::Reason::kNoMatch);
  policy.reset();
  CHECK(policy.decide(false, {}).reason == kefu::Reason::kNoMatch);
}

TEST_CASE("policy: a request for a person wins over a confident answer") {
  kefu::DialoguePolicy policy;
  auto o = policy.decide(true, {hit(0, 1.0)});
  CHECK(o.decision == kefu::Decision::kEscalate);
  CHECK(o.reason == kefu::Reason::kCustomerRequest);
}

TEST_CASE("policy: names match the JS contract") {
  CHECK(std::string(kefu::decisionName(kefu::Decision::kEscalate)) == "escalate");
  CHECK(std::string(kefu::reasonName(kefu::Reason::kNoMatchTwice)) == "no_match_twice");
  CHECK(std::string(kefu::reasonName(kefu::Reason::kCustomerRequest)) == "customer_request");
}

TEST_CASE("policy: reply language rule") {
  kefu::Entry entry;
  entry.answers = {{"en", "EN"}, {"es", "ES"}};
  // Language of the matched paraphrase first.
  CHECK(kefu::replyLanguage(entry, "es", "en", "en") == "es");
  // No answer in the paraphrase language: the locale's.
  CHECK(kefu::replyLanguage(entry, "zh", "es", "en") == "es");
  // Neither: the shop default.
  CHECK(kefu::replyLanguage(entry, "zh", "ko", "en") == "en");
  CHECK(kefu::replyLanguage(entry, "zh", "", "en") == "en");
}
