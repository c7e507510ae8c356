#include "kefu/policy.h"

#include <algorithm>
#include <set>

#include "kefu/text.h"

namespace kefu {
namespace {

using Phrase = std::vector<std::string>;

// Phrases that ask for a person wherever they appear. Written as customers type them; they go
// through normalize() once, so accents and case here do not matter.
constexpr const char* kFixedPhrases[] = {
    // en
    "talk to a human",
    "speak to a human",
    "real person",
    "real human",
    "human being",
    "human agent",
    "live agent",
    "live person",
    "live chat agent",
    "customer service representative",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "talk with someone",
    "put me through",
    "transfer me to",
    "connect me to",
    "connect me with",
    // es
    "hablar con una persona",
    "persona real",
    "ser humano",
    "agente humano",
    "atencion humana",
    "hablar con alguien",
    "pasame con",
    "paseme con",
    "ponme con",
    "comunicarme con un",
    // fr
    "parler a un conseiller",
    "parler a une personne",
    "un humain",
    "une vraie personne",
    "personne reelle",
    "etre humain",
    "parler a quelqu un",
    "mettre en relation",
    "passez moi un",
    "conseiller humain",
    // de
    "mit einem menschen",
    "echten menschen",
    "echter mensch",
    "echte person",
    "mitarbeiter sprechen",
    "mit jemandem sprechen",
    "mit einem mitarbeiter",
    "mit einer mitarbeiterin",
    // pt
    "falar com um atendente",
    "falar com uma pessoa",
    "pessoa real",
    "atendimento humano",
    "atendente humano",
    "falar com alguem",
    // it
    "parlare con una persona",
    "parlare con un operatore",
    "persona reale",
    "persona vera",
    "essere umano",
    "operatore umano",
    "parlare con qualcuno",
    // nl
    "met een mens",
    "met een medewerker",
    "echte persoon",
    "echt persoon",
    "echte mens",
    "echt mens",
    "met iemand spreken",
    "met iemand praten",
};

// Contact verbs whose person noun follows within kVerbWindow tokens.
constexpr const char* kForwardVerbs[] = {
    "talk",      "speak",       "chat with", "connect me",    "transfer me",
    "hablar",    "comunicarme", "pasar con", "parler",        "discuter avec",
    "joindre",   "falar",       "fale com",  "conversar com", "parlare",
    "parlo con", "spreken",     "praten",    "sprechen",      "reden",
};
// Verb-final languages (de, nl) put the verb after the noun: "mit dem Berater reden".
constexpr const char* kBackwardVerbs[] = {
    "sprechen", "reden", "verbinden", "spreken", "praten", "doorverbinden",
};
constexpr size_t kVerbWindow = 4;

constexpr const char* kPersonNouns[] = {
    "human",       "humans",       "person",        "agent",         "agents",     "representative",
    "rep",         "operator",     "someone",       "somebody",      "staff",      "employee",
    "advisor",     "adviser",      "persona",       "humano",        "agente",     "asesor",
    "asesora",     "operador",     "operadora",     "representante", "alguien",    "conseiller",
    "conseillere", "humain",       "personne",      "operateur",     "operatrice", "interlocuteur",
    "mensch",      "menschen",     "mitarbeiter",   "mitarbeiterin", "berater",    "beraterin",
    "jemandem",    "jemand",       "kundenberater", "atendente",     "pessoa",     "alguem",
    "operatore",   "operatrice",   "umano",         "qualcuno",      "consulente", "mens",
    "medewerker",  "medewerkster", "persoon",       "iemand",
};

// Words that may surround a bare person noun in a message that is only a request
// ("agent please", "un humain svp", "Mitarbeiter bitte").
constexpr const char* kFillers[] = {
    "please", "pls",     "plz",   "a",     "an",   "the",     "now",         "real",  "live",
    "i",      "want",    "need",  "me",    "to",   "with",    "hi",          "hello", "ok",
    "yes",    "por",     "favor", "un",    "una",  "une",     "svp",         "stp",   "bitte",
    "ein",    "einen",   "einem", "jetzt", "per",  "favore",  "alstublieft", "aub",   "graag",
    "een",    "um",      "uma",   "o",     "el",   "la",      "il",          "lo",    "le",
    "hola",   "bonjour", "hallo", "ciao",  "ola",  "quiero",  "je",          "veux",  "voglio",
    "ik",     "wil",     "quero", "ich",   "will", "moechte",
};

// CJK requests, matched as substrings of the normalised text with spaces removed (customers
// rarely put spaces in these).
constexpr const char* kCjkPhrases[] = {
    // zh (simplified and traditional)
    "人工",
    "转人工",
    "轉人工",
    "真人",
    "客服人员",
    "客服人員",
    "人工客服",
    "找客服",
    "联系客服",
    "聯繫客服",
    "转客服",
    "專人",
    "专人",
    // ja
    "担当者",
    "オペレーター",
    "オペレータ",
    "人と話",
    "人間と話",
    "有人対応",
    "スタッフと話",
    "担当の方",
    // ko
    "상담원",
    "상담사연결",
    "상담사와",
    "상담사랑",
    "사람과이야기",
    "사람과대화",
    "사람과통화",
    "사람과얘기",
    "사람과상담",
    "사람하고",
    "사람이랑",
    "실제사람",
    "진짜사람",
    "직원연결",
    "직원과",
    "직원이랑",
};
// Longer words that contain a CJK phrase without meaning it (人工智能 = artificial intelligence).
constexpr const char* kCjkExclusions[] = {"人工智能", "人工智慧", "人工费", "人工費", "真人版"};

std::string normalized(const char* text) {
  StatusOr<std::string> n = normalize(text);
  return n.ok() ? *n : std::string();
}

std::vector<std::string> splitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

template <size_t N>
std::vector<Phrase> phrases(const char* const (&list)[N]) {
  std::vector<Phrase> out;
  for (const char* p : list) out.push_back(splitSpaces(normalized(p)));
  return out;
}

template <size_t N>
std::set<std::string> wordSet(const char* const (&list)[N]) {
  std::set<std::string> out;
  for (const char* p : list) out.insert(normalized(p));
  return out;
}

// Start positions of `phrase` in `tokens`.
std::vector<size_t> find(const std::vector<std::string>& tokens, const Phrase& phrase) {
  std::vector<size_t> at;
  if (phrase.empty() || phrase.size() > tokens.size()) return at;
  for (size_t i = 0; i + phrase.size() <= tokens.size(); ++i) {
    if (std::equal(phrase.begin(), phrase.end(), tokens.begin() + i)) at.push_back(i);
  }
  return at;
}

struct Lexicon {
  std::vector<Phrase> fixed = phrases(kFixedPhrases);
  std::vector<Phrase> forward = phrases(kForwardVerbs);
  std::vector<Phrase> backward = phrases(kBackwardVerbs);
  std::set<std::string> nouns = wordSet(kPersonNouns);
  std::set<std::string> fillers = wordSet(kFillers);
};

const Lexicon& lexicon() {
  static const Lexicon kLexicon;
  return kLexicon;
}

bool nounWithin(const std::vector<std::string>& tokens, size_t from, size_t to,
                const std::set<std::string>& nouns) {
  for (size_t i = from; i < to && i < tokens.size(); ++i) {
    if (nouns.count(tokens[i])) return true;
  }
  return false;
}

}  // namespace

const char* decisionName(Decision decision) {
  switch (decision) {
    case Decision::kAnswer:
      return "answer";
    case Decision::kClarify:
      return "clarify";
    case Decision::kEscalate:
      return "escalate";
  }
  return "clarify";
}

const char* reasonName(Reason reason) {
  switch (reason) {
    case Reason::kMatched:
      return "matched";
    case Reason::kAmbiguous:
      return "ambiguous";
    case Reason::kNoMatch:
      return "no_match";
    case Reason::kNoMatchTwice:
      return "no_match_twice";
    case Reason::kCustomerRequest:
      return "customer_request";
    case Reason::kNegativeSentiment:
      return "negative_sentiment";
    case Reason::kUrgent:
      return "urgent";
    case Reason::kOutOfScope:
      return "out_of_scope";
    case Reason::kAmbiguousIntent:
      return "ambiguous_intent";
    case Reason::kIntentMatched:
      return "intent_matched";
  }
  return "no_match";
}

bool asksForHuman(std::string_view normalized_text) {
  const Lexicon& lex = lexicon();

  std::string compact;
  compact.reserve(normalized_text.size());
  for (char c : normalized_text) {
    if (c != ' ') compact.push_back(c);
  }
  for (const char* exclusion : kCjkExclusions) {
    for (size_t at = compact.find(exclusion); at != std::string::npos;
         at = compact.find(exclusion, at)) {
      compact.replace(at, std::char_traits<char>::length(exclusion), " ");
    }
  }
  for (const char* phrase : kCjkPhrases) {
    if (compact.find(phrase) != std::string::npos) return true;
  }

  const std::vector<std::string> tokens = splitSpaces(normalized_text);
  if (tokens.empty()) return false;
  for (const Phrase& phrase : lex.fixed) {
    if (!find(tokens, phrase).empty()) return true;
  }
  for (const Phrase& verb : lex.forward) {
    for (size_t at : find(tokens, verb)) {
      const size_t after = at + verb.size();
      if (nounWithin(tokens, after, after + kVerbWindow, lex.nouns)) return true;
    }
  }
  for (const Phrase& verb : lex.backward) {
    for (size_t at : find(tokens, verb)) {
      const size_t from = at >= kVerbWindow ? at - kVerbWindow : 0;
      if (nounWithin(tokens, from, at, lex.nouns)) return true;
    }
  }
  // A message made only of a person noun and filler words is itself the request.
  bool sawNoun = false;
  for (const std::string& t : tokens) {
    if (lex.nouns.count(t)) {
      sawNoun = true;
    } else if (!lex.fillers.count(t)) {
      return false;
    }
  }
  return sawNoun;
}

PolicyOutcome DialoguePolicy::decide(bool asks_for_human, const std::vector<RetrievalHit>& hits) {
  PolicySignals signals;
  signals.asks_for_human = asks_for_human;
  return decide(signals, hits);
}

PolicyOutcome DialoguePolicy::decide(const PolicySignals& s, const std::vector<RetrievalHit>& hits) {
  const bool human = s.asks_for_human ||
                     (s.intent == "contact_human_agent" && s.intent_confidence >= kHumanIntentThreshold);
  if (human) return escalate(Reason::kCustomerRequest);
  const bool pressed = (s.urgency == "high" || s.urgency == "urgent") &&
                       s.urgency_confidence >= kAngryUrgencyFloor;
  if (s.sentiment == "negative" && s.sentiment_confidence >= kAngrySentimentThreshold && pressed &&
      s.tokens >= kAngryMinTokens) {
    return escalate(Reason::kNegativeSentiment);
  }
  if (s.urgency == "urgent" && s.urgency_confidence >= kUrgentThreshold) {
    return escalate(Reason::kUrgent);
  }
  const double top = hits.empty() ? 0.0 : hits[0].confidence;
  const double second = hits.size() > 1 ? hits[1].confidence : 0.0;
  // Checked before answering: when two entries fit almost equally, answering the wrong one is
  // worse than asking.
  if (hits.size() > 1 && second >= kClarifyThreshold && top - second < kAmbiguityMargin) {
    return {Decision::kClarify, Reason::kAmbiguous};
  }
  if (top >= kAnswerThreshold) {
    misses_ = 0;
    return {Decision::kAnswer, Reason::kMatched};
  }
  if (s.intent_has_entry && s.intent != "out_of_scope" &&
      s.intent_confidence >= kIntentAnswerThreshold) {
    misses_ = 0;
    return {Decision::kAnswer, Reason::kIntentMatched};
  }
  // Asking which of two intents is progress, not a miss (as for two close entries above).
  if (s.intent_pair_has_entries && s.intent != "out_of_scope" &&
      s.second_intent != "out_of_scope" && s.intent_confidence < kIntentClarifyCeiling &&
      s.second_intent_confidence >= kIntentClarifyFloor) {
    return {Decision::kClarify, Reason::kAmbiguousIntent};
  }
  if (++misses_ >= kMissesBeforeEscalation) return escalate(Reason::kNoMatchTwice);
  if (s.intent == "out_of_scope" && s.intent_confidence >= kOutOfScopeThreshold) {
    return {Decision::kClarify, Reason::kOutOfScope};
  }
  return {Decision::kClarify, Reason::kNoMatch};
}

PolicyOutcome DialoguePolicy::escalate(Reason reason) {
  misses_ = 0;
  return {Decision::kEscalate, reason};
}

std::string replyLanguage(const Entry& entry, std::string_view paraphrase_language,
                          std::string_view locale_language, std::string_view default_language) {
  const auto has = [&](std::string_view lang) {
    return !lang.empty() && entry.answers.count(std::string(lang)) > 0;
  };
  if (has(paraphrase_language)) return std::string(paraphrase_language);
  if (has(locale_language)) return std::string(locale_language);
  return std::string(default_language);
}

}  // namespace kefu
