// Dialogue policy: turns a customer message (already normalised) and its retrieval hits into
// answer | clarify | escalate, keeping the one piece of conversation state it needs (the count
// of consecutive misses). Thresholds are constants so that tests, docs and tuning agree.
//
//   kefu::DialoguePolicy policy;
//   kefu::PolicyOutcome o = policy.decide(kefu::asksForHuman(normalized), hits);
//   if (o.decision == kefu::Decision::kEscalate) escalate(kefu::reasonName(o.reason));
#ifndef KEFU_POLICY_H_
#define KEFU_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "kefu/knowledge_base.h"
#include "kefu/retrieval.h"

namespace kefu {

// Answer when the best entry's confidence reaches this. At 0.55 a question must share most of
// its weighted words with a paraphrase (e.g. "how long is delivery to spain" vs "How long does
// delivery to Europe take?" scores ~0.7; one shared common word stays far below).
constexpr double kAnswerThreshold = 0.55;
// Below this an entry is not worth offering as a "did you mean" candidate.
constexpr double kClarifyThreshold = 0.35;
// Two entries closer than this (both >= kClarifyThreshold) are ambiguous: ask which one.
constexpr double kAmbiguityMargin = 0.08;
// Consecutive misses that hand the conversation to a person.
constexpr int kMissesBeforeEscalation = 2;
// Candidates returned with every decision (for "clarify" and debugging).
constexpr size_t kCandidateCount = 3;

// With an intent model (kefu/understanding.h). The probabilities are calibrated on held-out data,
// so these read as "at least this sure"; the rates they produce on the dev set are in
// docs/core.md.
// A clearly angry customer goes to a person at once: negative sentiment at least this sure, with
// time pressure (urgency high or urgent, at least kAngryUrgencyFloor sure) in a message of at
// least kAngryMinTokens tokens. Negative alone is not enough: in shop support most problems
// ("the shoes I got are broken") read as negative and are best answered, and a two-word
// fragment ("my parcel") says too little to hand the conversation over.
constexpr float kAngrySentimentThreshold = 0.90f;
constexpr float kAngryUrgencyFloor = 0.50f;
constexpr size_t kAngryMinTokens = 5;
// An urgent customer goes to a person at once: urgency "urgent" at least this sure.
constexpr float kUrgentThreshold = 0.60f;
// The intent model alone may recognise a request for a person the phrase lexicon missed.
constexpr float kHumanIntentThreshold = 0.85f;
// Out of scope: the shop's assistant says what it can help with instead of guessing.
constexpr float kOutOfScopeThreshold = 0.60f;
// Entries of the predicted intent get this much retrieval confidence added when the intent is at
// least kIntentBoostFloor sure: the model knows "wo ist mein Paket" is track_order even when the
// KB's German paraphrases share few words with it.
constexpr double kIntentBoost = 0.15;
constexpr float kIntentBoostFloor = 0.50f;
// Below kIntentClarifyCeiling for the top intent and above kIntentClarifyFloor for the second,
// a miss asks which of the two the customer means ("returning an item or a refund?").
constexpr float kIntentClarifyCeiling = 0.60f;
constexpr float kIntentClarifyFloor = 0.15f;
// When word overlap finds nothing (e.g. a German question to a KB written in English, Chinese
// and Spanish) but the intent is at least this sure and the KB has an entry for it, that entry
// answers (reason intent_matched).
constexpr float kIntentAnswerThreshold = 0.80f;

enum class Decision { kAnswer, kClarify, kEscalate };
enum class Reason {
  kMatched,
  kAmbiguous,
  kNoMatch,
  kNoMatchTwice,
  kCustomerRequest,
  kNegativeSentiment,
  kUrgent,
  kOutOfScope,
  kAmbiguousIntent,
  kIntentMatched,
};

// "answer" | "clarify" | "escalate". Never fails.
const char* decisionName(Decision decision);
// "matched" | "ambiguous" | "no_match" | "no_match_twice" | "customer_request" |
// "negative_sentiment" | "urgent" | "out_of_scope" | "ambiguous_intent" | "intent_matched".
// Never fails.
const char* reasonName(Reason reason);

// True when normalised text (kefu::normalize output) asks for a person, in any of the ten
// languages: fixed phrases ("real person", 转人工, 상담원), a contact verb near a person noun
// ("speak to an agent", "mit einem Mitarbeiter sprechen"), or a message made only of person
// nouns and filler ("agent please"). A bare noun inside other content ("my agent code") is not
// a request. Never fails.
bool asksForHuman(std::string_view normalized);

struct PolicyOutcome {
  Decision decision = Decision::kClarify;
  Reason reason = Reason::kNoMatch;
};

// What the understanding models said about the message (absent fields: no model loaded).
struct PolicySignals {
  bool asks_for_human = false;  // the phrase lexicon (asksForHuman)
  std::string intent;           // "" without an intent model
  float intent_confidence = 0.0f;
  std::string second_intent;
  float second_intent_confidence = 0.0f;
  std::string sentiment;
  float sentiment_confidence = 0.0f;
  std::string urgency;
  float urgency_confidence = 0.0f;
  bool intent_has_entry = false;  // the knowledge base has an entry of `intent`
  bool intent_pair_has_entries = false;  // ... and one of `second_intent`
  size_t tokens = 0;               // retrieval tokens of the message (kefu::tokenize)
};

class DialoguePolicy {
 public:
  // Decides for one message; `hits` ranked best first. In order: a request for a person
  // escalates (customer_request); two close candidates clarify (ambiguous); a confident top
  // hit answers (matched) and resets the miss count; anything else is a miss: clarify
  // (no_match), and the kMissesBeforeEscalation-th consecutive one escalates (no_match_twice).
  // Escalating resets the miss count. Never fails.
  PolicyOutcome decide(bool asks_for_human, const std::vector<RetrievalHit>& hits);

  // The same with the understanding models' signals. In order: a request for a person (lexicon,
  // or intent contact_human_agent >= kHumanIntentThreshold) escalates (customer_request); a
  // clearly angry (negative >= kAngrySentimentThreshold with high urgency, see above) or urgent
  // (urgent >= kUrgentThreshold) customer escalates (negative_sentiment / urgent); then retrieval decides as above, except
  // that a confident intent with a KB entry answers where word overlap failed (intent_matched),
  // two likely intents with KB entries ask which one (ambiguous_intent, not a miss, like
  // ambiguous), and a miss on an out-of-scope message says so (out_of_scope). Never fails.
  PolicyOutcome decide(const PolicySignals& signals, const std::vector<RetrievalHit>& hits);

  // Forgets the consecutive misses (a new conversation).
  void reset() { misses_ = 0; }
  int consecutiveMisses() const { return misses_; }

 private:
  // Escalating starts the count afresh.
  PolicyOutcome escalate(Reason reason);

  int misses_ = 0;
};

// The language to answer `entry` in: the language of the matched paraphrase if the entry has
// an answer in it, else `locale_language` if it has one in that, else `default_language` (the
// loader guarantees an answer there). Never fails.
std::string replyLanguage(const Entry& entry, std::string_view paraphrase_language,
                          std::string_view locale_language, std::string_view default_language);

}  // namespace kefu

#endif  // KEFU_POLICY_H_
