// The shop's knowledge base (format: docs/knowledge-base.md): shop settings, business hours and
// FAQ entries with question paraphrases and answers per language. Parsing validates every field
// and names the offending one, so a shop owner can fix the file from the message alone.
//
//   auto kb = kefu::KnowledgeBase::parse(jsonText);
//   if (!kb.ok()) show(kb.status().message());  // entries[3].intent: unknown intent "refund_me"
//   ... kefu::BusinessStatus s = kb->businessStatus(kefu::Weekday::kSat, 10 * 60); if (!s.open &&
//   s.next_open) show(kefu::weekdayName(s.next_open->day));
#ifndef KEFU_KNOWLEDGE_BASE_H_
#define KEFU_KNOWLEDGE_BASE_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kefu/status.h"

namespace kefu {

// The largest knowledge base accepted, in bytes; bigger files are refused with out_of_range so
// a wrong URL (a video, a dump) cannot exhaust wasm memory.
constexpr size_t kMaxKnowledgeBaseBytes = 8 * 1024 * 1024;

enum class Weekday { kMon = 0, kTue, kWed, kThu, kFri, kSat, kSun };

// "mon".."sun". Never fails.
const char* weekdayName(Weekday day);
// The weekday for "mon".."sun" (exact, lower case), or nullopt.
std::optional<Weekday> parseWeekday(std::string_view name);
// "HH:MM" for minutes since midnight 0..1440.
std::string formatClock(int minutes);
// Minutes since midnight for "HH:MM" (00:00..24:00), or nullopt.
std::optional<int> parseClock(std::string_view text);

// One opening interval [start, end) in minutes since midnight, shop-local.
struct OpeningInterval {
  int start = 0;
  int end = 0;
};

struct Shop {
  std::string id;
  std::string name;
  std::string default_language;
  std::vector<std::string> languages;
  std::string timezone;
  // Indexed by Weekday; sorted, non-overlapping. An empty day is closed.
  std::array<std::vector<OpeningInterval>, 7> business_hours;
  std::string escalation_endpoint;  // "" when the KB has no shop.escalation
  std::string contact_email;        // "" when absent
};

struct Entry {
  std::string id;
  std::string intent;
  // language -> question paraphrases, languages in ascending order.
  std::map<std::string, std::vector<std::string>> questions;
  // language -> answer text.
  std::map<std::string, std::string> answers;
};

struct NextOpening {
  Weekday day = Weekday::kMon;
  int minutes = 0;
};

struct BusinessStatus {
  bool open = false;
  // Set when closed and the shop opens at all during the week.
  std::optional<NextOpening> next_open;
};

class KnowledgeBase {
 public:
  // Parses and validates a knowledge base. Fails with invalid_argument naming the field path
  // (malformed JSON, wrong types, unknown intent, duplicate id, missing default-language answer,
  // bad hours, invalid UTF-8) or out_of_range when the text exceeds kMaxKnowledgeBaseBytes.
  static StatusOr<KnowledgeBase> parse(std::string_view json_text);

  const Shop& shop() const { return shop_; }
  const std::vector<Entry>& entries() const { return entries_; }
  // Terms the translator keeps as written (product and brand names): the optional top-level
  // "glossary" array; empty when absent.
  const std::vector<std::string>& glossary() const { return glossary_; }

  // Whether the shop is open at `minutes` since midnight (0..1439, shop-local) on `day`, and
  // when closed, the next opening within the coming week. Never fails; minutes are clamped.
  BusinessStatus businessStatus(Weekday day, int minutes) const;

 private:
  Shop shop_;
  std::vector<Entry> entries_;
  std::vector<std::string> glossary_;
};

}  // namespace kefu

#endif  // KEFU_KNOWLEDGE_BASE_H_
