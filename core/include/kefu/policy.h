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

enum class Decision { kAnswer, kClarify, kEscalate };
enum class Reason { kMatched, kAmbiguous, kNoMatch, kNoMatchTwice, kCustomerRequest };

// "answer" | "clarify" | "escalate". Never fails.
const char* decisionName(Decision decision);
// "matched" | "ambiguous" | "no_match" | "no_match_twice" | "customer_request". Never fails.
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

class DialoguePolicy {
 public:
  // Decides for one message; `hits` ranked best first. In order: a request for a person
  // escalates (customer_request); two close candidates clarify (ambiguous); a confident top
  // hit answers (matched) and resets the miss count; anything else is a miss: clarify
  // (no_match), and the kMissesBeforeEscalation-th consecutive one escalates (no_match_twice).
  // Escalating resets the miss count. Never fails.
  PolicyOutcome decide(bool asks_for_human, const std::vector<RetrievalHit>& hits);

  // Forgets the consecutive misses (a new conversation).
  void reset() { misses_ = 0; }
  int consecutiveMisses() const { return misses_; }

 private:
  int misses_ = 0;
};

// The language to answer `entry` in: the language of the matched paraphrase if the entry has
// an answer in it, else `locale_language` if it has one in that, else `default_language` (the
// loader guarantees an answer there). Never fails.
std::string replyLanguage(const Entry& entry, std::string_view paraphrase_language,
                          std::string_view locale_language, std::string_view default_language);

}  // namespace kefu

#endif  // KEFU_POLICY_H_
