#include "kefu/knowledge_base.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "json_util.h"
#include "kefu/taxonomy.h"
#include "kefu/text.h"

namespace kefu {
namespace {

using internal::member;
using internal::quote;
using internal::typeName;
using nlohmann::json;

constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// Every validation error ends with a pointer to the format doc.
Status fieldError(const std::string& path, const std::string& problem) {
  return invalidArgumentError(path + ": " + problem + " (see docs/knowledge-base.md)");
}

bool matchesCharset(std::string_view s, std::string_view extra, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool isNonBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") != std::string::npos;
}

// Reads a required or optional string member; `out` untouched when optional and absent.
Status readString(const json& object, const char* key, const std::string& path, bool required,
                  std::string& out) {
  const json* value = member(object, key);
  const std::string field = path + "." + key;
  if (value == nullptr) {
    return required ? fieldError(field, "missing (expected a string)") : okStatus();
  }
  if (!value->is_string()) return fieldError(field, "expected a string, got " + typeName(*value));
  out = value->get<std::string>();
  if (required && !isNonBlank(out)) return fieldError(field, "must not be empty");
  return okStatus();
}

Status readLanguage(const std::string& code, const std::string& path) {
  if (!isSupportedLanguage(code)) {
    return fieldError(path, "unsupported language " + quote(code) +
                                " (expected one of en, zh, es, fr, de, pt, it, ja, ko, nl)");
  }
  return okStatus();
}

Status readHours(const json& hours, const std::string& path, Shop& shop) {
  if (!hours.is_object()) return fieldError(path, "expected an object, got " + typeName(hours));
  for (auto it = hours.begin(); it != hours.end(); ++it) {
    const std::string dayPath = path + "." + it.key();
    const std::optional<Weekday> day = parseWeekday(it.key());
    if (!day)
      return fieldError(dayPath, "unknown day (expected mon, tue, wed, thu, fri, sat, sun)");
    if (!it.value().is_array()) {
      return fieldError(dayPath,
                        "expected an array of [\"HH:MM\",\"HH:MM\"], got " + typeName(it.value()));
    }
    std::vector<OpeningInterval>& intervals = shop.business_hours[static_cast<int>(*day)];
    for (size_t i = 0; i < it.value().size(); ++i) {
      const json& range = it.value()[i];
      const std::string rangePath = dayPath + "[" + std::to_string(i) + "]";
      std::optional<int> start, end;
      if (range.is_array() && range.size() == 2 && range[0].is_string() && range[1].is_string()) {
        start = parseClock(range[0].get<std::string>());
        end = parseClock(range[1].get<std::string>());
      }
      if (!start || !end) return fieldError(rangePath, "expected [\"HH:MM\",\"HH:MM\"]");
      if (*start >= 24 * 60) return fieldError(rangePath, "opening time must be before 24:00");
      if (*end <= *start) {
        return fieldError(rangePath,
                          "closing time must be after opening time (intervals may "
                          "not cross midnight; split them at 24:00)");
      }
      intervals.push_back({*start, *end});
    }
    std::sort(intervals.begin(), intervals.end(),
              [](const OpeningInterval& a, const OpeningInterval& b) { return a.start < b.start; });
    for (size_t i = 1; i < intervals.size(); ++i) {
      if (intervals[i].start < intervals[i - 1].end)
        return fieldError(dayPath, "intervals overlap");
    }
  }
  return okStatus();
}

Status readShop(const json& root, Shop& shop) {
  const json* shopJson = member(root, "shop");
  if (shopJson == nullptr) return fieldError("shop", "missing (expected an object)");
  if (!shopJson->is_object())
    return fieldError("shop", "expected an object, got " + typeName(*shopJson));
  const json& s = *shopJson;

  KEFU_RETURN_IF_ERROR(readString(s, "id", "shop", true, shop.id));
  if (!matchesCharset(shop.id, "-", 64)) {
    return fieldError("shop.id", quote(shop.id) + " must be 1-64 characters of a-z, 0-9, -");
  }
  KEFU_RETURN_IF_ERROR(readString(s, "name", "shop", true, shop.name));
  KEFU_RETURN_IF_ERROR(readString(s, "default_language", "shop", true, shop.default_language));
  KEFU_RETURN_IF_ERROR(readLanguage(shop.default_language, "shop.default_language"));

  const json* languages = member(s, "languages");
  if (languages == nullptr) return fieldError("shop.languages", "missing (expected an array)");
  if (!languages->is_array() || languages->empty()) {
    return fieldError("shop.languages", "expected a non-empty array of language codes");
  }
  for (size_t i = 0; i < languages->size(); ++i) {
    const std::string path = "shop.languages[" + std::to_string(i) + "]";
    const json& code = (*languages)[i];
    if (!code.is_string()) return fieldError(path, "expected a string, got " + typeName(code));
    const std::string lang = code.get<std::string>();
    KEFU_RETURN_IF_ERROR(readLanguage(lang, path));
    if (std::find(shop.languages.begin(), shop.languages.end(), lang) != shop.languages.end()) {
      return fieldError(path, "duplicate language " + quote(lang));
    }
    shop.languages.push_back(lang);
  }
  if (std::find(shop.languages.begin(), shop.languages.end(), shop.default_language) ==
      shop.languages.end()) {
    return fieldError("shop.languages",
                      "must include shop.default_language " + quote(shop.default_language));
  }

  KEFU_RETURN_IF_ERROR(readString(s, "timezone", "shop", true, shop.timezone));
  // The core has no tz database; this catches typos like "Berlin" or "CET+1" early, the SDK
  // resolves the name with Intl.
  const bool tzShape = matchesCharset(shop.timezone, "ABCDEFGHIJKLMNOPQRSTUVWXYZ/_+-", 64) &&
                       (shop.timezone.find('/') != std::string::npos || shop.timezone == "UTC");
  if (!tzShape) {
    return fieldError("shop.timezone", quote(shop.timezone) +
                                           " is not an IANA time zone name like \"Europe/Berlin\"");
  }

  if (const json* hours = member(s, "business_hours")) {
    KEFU_RETURN_IF_ERROR(readHours(*hours, "shop.business_hours", shop));
  }
  if (const json* escalation = member(s, "escalation")) {
    if (!escalation->is_object()) {
      return fieldError("shop.escalation", "expected an object, got " + typeName(*escalation));
    }
    KEFU_RETURN_IF_ERROR(
        readString(*escalation, "endpoint", "shop.escalation", true, shop.escalation_endpoint));
    const std::string& url = shop.escalation_endpoint;
    if ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) || url.size() > 2048) {
      return fieldError("shop.escalation.endpoint", "expected an http:// or https:// URL");
    }
  }
  KEFU_RETURN_IF_ERROR(readString(s, "contact_email", "shop", false, shop.contact_email));
  if (member(s, "contact_email") && shop.contact_email.find('@') == std::string::npos) {
    return fieldError("shop.contact_email",
                      quote(shop.contact_email) + " is not an e-mail address");
  }
  return okStatus();
}

Status readEntry(const json& e, const std::string& path, const Shop& shop, Entry& entry) {
  if (!e.is_object()) return fieldError(path, "expected an object, got " + typeName(e));
  KEFU_RETURN_IF_ERROR(readString(e, "id", path, true, entry.id));
  if (!matchesCharset(entry.id, "_-", 64)) {
    return fieldError(path + ".id", quote(entry.id) + " must be 1-64 characters of a-z, 0-9, _, -");
  }
  KEFU_RETURN_IF_ERROR(readString(e, "intent", path, true, entry.intent));
  if (!isKnownIntent(entry.intent)) {
    return fieldError(path + ".intent", "unknown intent " + quote(entry.intent));
  }

  const json* questions = member(e, "questions");
  if (questions == nullptr) return fieldError(path + ".questions", "missing (expected an object)");
  if (!questions->is_object()) {
    return fieldError(path + ".questions", "expected an object, got " + typeName(*questions));
  }
  for (auto it = questions->begin(); it != questions->end(); ++it) {
    const std::string langPath = path + ".questions." + it.key();
    KEFU_RETURN_IF_ERROR(readLanguage(it.key(), langPath));
    if (!it.value().is_array() || it.value().empty()) {
      return fieldError(langPath, "expected a non-empty array of strings");
    }
    std::vector<std::string>& list = entry.questions[it.key()];
    for (size_t i = 0; i < it.value().size(); ++i) {
      const std::string qPath = langPath + "[" + std::to_string(i) + "]";
      const json& q = it.value()[i];
      if (!q.is_string()) return fieldError(qPath, "expected a string, got " + typeName(q));
      const std::string text = q.get<std::string>();
      StatusOr<std::vector<std::string>> tokens = tokenize(text);
      if (!tokens.ok() || tokens->empty()) {
        return fieldError(qPath, "empty question (no words after normalisation)");
      }
      list.push_back(text);
    }
  }
  if (entry.questions.empty())
    return fieldError(path + ".questions", "needs at least one language");

  const json* answers = member(e, "answers");
  if (answers == nullptr) return fieldError(path + ".answers", "missing (expected an object)");
  if (!answers->is_object()) {
    return fieldError(path + ".answers", "expected an object, got " + typeName(*answers));
  }
  for (auto it = answers->begin(); it != answers->end(); ++it) {
    const std::string langPath = path + ".answers." + it.key();
    KEFU_RETURN_IF_ERROR(readLanguage(it.key(), langPath));
    if (std::find(shop.languages.begin(), shop.languages.end(), it.key()) == shop.languages.end()) {
      return fieldError(langPath, "language " + quote(it.key()) + " is not in shop.languages");
    }
    if (!it.value().is_string()) {
      return fieldError(langPath, "expected a string, got " + typeName(it.value()));
    }
    std::string text = it.value().get<std::string>();
    if (!isNonBlank(text)) return fieldError(langPath, "must not be empty");
    entry.answers[it.key()] = std::move(text);
  }
  if (entry.answers.count(shop.default_language) == 0) {
    return fieldError(path + ".answers." + shop.default_language,
                      "missing answer in shop.default_language " + quote(shop.default_language));
  }
  return okStatus();
}

// The optional top-level "glossary": up to 1,000 distinct, non-blank strings of at most 100
// bytes each, kept exactly as written (the translator matches them case-sensitively).
Status readGlossary(const json& root, std::vector<std::string>& out) {
  constexpr size_t kMaxGlossaryTerms = 1000;
  const json* glossary = member(root, "glossary");
  if (glossary == nullptr) return okStatus();
  if (!glossary->is_array())
    return fieldError("glossary", "expected an array of strings, got " + typeName(*glossary));
  if (glossary->size() > kMaxGlossaryTerms)
    return fieldError("glossary", "more than " + std::to_string(kMaxGlossaryTerms) + " terms");
  for (size_t i = 0; i < glossary->size(); ++i) {
    const std::string path = "glossary[" + std::to_string(i) + "]";
    const json& term = (*glossary)[i];
    if (!term.is_string()) return fieldError(path, "expected a string, got " + typeName(term));
    const std::string& text = term.get_ref<const std::string&>();
    if (!isNonBlank(text)) return fieldError(path, "must not be empty");
    if (text.size() > 100) return fieldError(path, "longer than 100 bytes");
    if (std::find(out.begin(), out.end(), text) != out.end())
      return fieldError(path, "duplicate term " + quote(text));
    out.push_back(text);
  }
  return okStatus();
}

}  // namespace

const char* weekdayName(Weekday day) { return kDayNames[static_cast<int>(day)]; }

std::optional<Weekday> parseWeekday(std::string_view name) {
  for (int i = 0; i < 7; ++i) {
    if (name == kDayNames[i]) return static_cast<Weekday>(i);
  }
  return std::nullopt;
}

std::string formatClock(int minutes) {
  minutes = std::clamp(minutes, 0, 24 * 60);
  const int h = minutes / 60, m = minutes % 60;
  std::string out;
  out.push_back(static_cast<char>('0' + h / 10));
  out.push_back(static_cast<char>('0' + h % 10));
  out.push_back(':');
  out.push_back(static_cast<char>('0' + m / 10));
  out.push_back(static_cast<char>('0' + m % 10));
  return out;
}

std::optional<int> parseClock(std::string_view t) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(t[0]) || !digit(t[1]) || !digit(t[3]) ||
      !digit(t[4])) {
    return std::nullopt;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

StatusOr<KnowledgeBase> KnowledgeBase::parse(std::string_view json_text) {
  if (json_text.size() > kMaxKnowledgeBaseBytes) {
    return outOfRangeError("knowledge base is " + std::to_string(json_text.size()) +
                           " bytes; the limit is " + std::to_string(kMaxKnowledgeBaseBytes));
  }
  KEFU_RETURN_IF_ERROR(validateUtf8(json_text, "knowledge base"));
  StatusOr<json> parsed = internal::parseJson(json_text, "knowledge base");
  if (!parsed.ok()) return parsed.status();
  const json& root = *parsed;
  if (!root.is_object()) return fieldError("(root)", "expected an object, got " + typeName(root));

  const json* version = member(root, "kefu_kb");
  if (version == nullptr) return fieldError("kefu_kb", "missing (expected 1)");
  if (!version->is_number_integer() || version->get<long long>() != 1) {
    return fieldError("kefu_kb", "unsupported format version " + internal::dumpJson(*version) +
                                     " (this build reads 1)");
  }

  KnowledgeBase kb;
  KEFU_RETURN_IF_ERROR(readShop(root, kb.shop_));

  const json* entries = member(root, "entries");
  if (entries == nullptr) return fieldError("entries", "missing (expected an array)");
  if (!entries->is_array())
    return fieldError("entries", "expected an array, got " + typeName(*entries));
  if (entries->empty()) return fieldError("entries", "needs at least one entry");
  std::map<std::string, size_t> firstIndex;
  for (size_t i = 0; i < entries->size(); ++i) {
    const std::string path = "entries[" + std::to_string(i) + "]";
    Entry entry;
    KEFU_RETURN_IF_ERROR(readEntry((*entries)[i], path, kb.shop_, entry));
    auto [it, inserted] = firstIndex.emplace(entry.id, i);
    if (!inserted) {
      return fieldError(path + ".id", "duplicate id " + quote(entry.id) +
                                          " (first used at entries[" + std::to_string(it->second) +
                                          "])");
    }
    kb.entries_.push_back(std::move(entry));
  }
  KEFU_RETURN_IF_ERROR(readGlossary(root, kb.glossary_));
  return kb;
}

BusinessStatus KnowledgeBase::businessStatus(Weekday day, int minutes) const {
  minutes = std::clamp(minutes, 0, 24 * 60 - 1);
  const int today = static_cast<int>(day);
  BusinessStatus status;
  for (const OpeningInterval& interval : shop_.business_hours[today]) {
    if (interval.start <= minutes && minutes < interval.end) status.open = true;
  }
  if (status.open) return status;
  // Offset 7 revisits today's earlier openings, one week ahead.
  for (int offset = 0; offset <= 7; ++offset) {
    const int d = (today + offset) % 7;
    for (const OpeningInterval& interval : shop_.business_hours[d]) {
      if (offset == 0 && interval.start <= minutes) continue;
      status.next_open = NextOpening{static_cast<Weekday>(d), interval.start};
      return status;
    }
  }
  return status;
}

}  // namespace kefu
