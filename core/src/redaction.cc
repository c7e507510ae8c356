#include "kefu/redaction.h"

#include <algorithm>
#include <cstring>

#include "kefu/text.h"
#include "pii_scan.h"

namespace kefu {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAlnum(char c) { return isDigit(c) || isAlpha(c); }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

struct Span {
  PiiKind kind;
  size_t begin;  // bytes
  size_t end;
};

// Start of a token: not glued to a preceding letter or digit (non-ASCII bytes, e.g. Han
// characters right before a number, do count as a boundary).
bool boundaryBefore(std::string_view t, size_t i) { return i == 0 || !isAlnum(t[i - 1]); }
bool boundaryAfter(std::string_view t, size_t i) { return i >= t.size() || !isAlnum(t[i]); }

void findEmails(std::string_view t, std::vector<Span>& out) {
  const auto localChar = [](char c) {
    return isAlnum(c) || (c != '\0' && std::strchr("._%+-", c) != nullptr);
  };
  const auto domainChar = [](char c) { return isAlnum(c) || c == '.' || c == '-'; };
  for (size_t at = t.find('@'); at != std::string_view::npos; at = t.find('@', at + 1)) {
    size_t begin = at;
    while (begin > 0 && localChar(t[begin - 1])) --begin;
    while (begin < at && t[begin] == '.') ++begin;
    size_t end = at + 1;
    while (end < t.size() && domainChar(t[end])) ++end;
    while (end > at + 1 && (t[end - 1] == '.' || t[end - 1] == '-')) --end;
    if (begin == at || end == at + 1) continue;
    const std::string_view domain = t.substr(at + 1, end - at - 1);
    const size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain[0] == '-') continue;
    const std::string_view tld = domain.substr(dot + 1);
    if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), isAlpha)) continue;
    out.push_back({PiiKind::kEmail, begin, end});
  }
}

// Registered IBAN lengths of the countries customers of the ten languages mostly bank in;
// other country codes fall back to the generic 15..34 range.
int ibanLength(std::string_view country) {
  static const struct {
    const char* code;
    int length;
  } kLengths[] = {{"AD", 24}, {"AE", 23}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"BR", 29},
                  {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20},
                  {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22}, {"GR", 27}, {"HR", 21},
                  {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27}, {"LI", 21}, {"LT", 20},
                  {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18}, {"NO", 15},
                  {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24},
                  {"SM", 27}, {"TR", 26}};
  for (const auto& entry : kLengths) {
    if (country == entry.code) return entry.length;
  }
  return 0;
}

// A run of alphanumeric groups separated by single spaces (or digit groups separated by a
// single space or dash) with the places where a group ends: candidates end only there.
struct GroupedRun {
  std::string compact;                                // characters without separators
  std::vector<std::pair<size_t, size_t>> group_ends;  // (byte end, compact length), ascending
  size_t end = 0;                                     // byte end of the whole run
};

template <typename Accept, typename Separator>
GroupedRun scanGroups(std::string_view t, size_t i, Accept accept, Separator separator,
                      size_t max_chars) {
  GroupedRun run;
  size_t j = i;
  while (j < t.size()) {
    if (accept(t[j])) {
      run.compact.push_back(upper(t[j]));
      ++j;
      if (run.compact.size() > max_chars) break;
    } else if (separator(t[j]) && j + 1 < t.size() && accept(t[j + 1])) {
      run.group_ends.emplace_back(j, run.compact.size());
      ++j;
    } else {
      break;
    }
  }
  if (boundaryAfter(t, j)) run.group_ends.emplace_back(j, run.compact.size());
  run.end = j;
  return run;
}

void findIbans(std::string_view t, std::vector<Span>& out) {
  for (size_t i = 0; i + 4 <= t.size(); ++i) {
    if (!boundaryBefore(t, i) || !isAlpha(t[i]) || !isAlpha(t[i + 1]) || !isDigit(t[i + 2]) ||
        !isDigit(t[i + 3])) {
      continue;
    }
    const GroupedRun run = scanGroups(
        t, i, isAlnum, [](char c) { return c == ' '; }, 34);
    for (auto it = run.group_ends.rbegin(); it != run.group_ends.rend(); ++it) {
      if (ibanValid(std::string_view(run.compact).substr(0, it->second))) {
        out.push_back({PiiKind::kIban, i, it->first});
        i = it->first;
        break;
      }
    }
  }
}

void findCards(std::string_view t, std::vector<Span>& out) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!isDigit(t[i]) || !boundaryBefore(t, i) || (i > 0 && t[i - 1] == '+')) continue;
    const GroupedRun run = scanGroups(
        t, i, isDigit, [](char c) { return c == ' ' || c == '-'; }, 19);
    for (auto it = run.group_ends.rbegin(); it != run.group_ends.rend(); ++it) {
      if (it->second >= 13 && it->second <= 19 &&
          luhnValid(std::string_view(run.compact).substr(0, it->second))) {
        out.push_back({PiiKind::kCard, i, it->first});
        break;
      }
    }
    // Never restart inside a digit run: a tail of a longer number is not a card.
    i = std::max(i, run.end);
  }
}

// Words after which a number is an order, tracking or invoice reference, not a phone.
bool referenceContext(std::string_view t, size_t begin) {
  static const char* const kWords[] = {"order",      "tracking", "invoice", "ref",       "pedido",
                                       "factura",    "commande", "facture", "bestell",   "rechnung",
                                       "sendung",    "ordine",   "fattura", "encomenda", "fatura",
                                       "bestelling", "factuur",  "订单",    "單號",      "单号",
                                       "注文",       "주문",     "no.",     "nr",        "n°"};
  const size_t from = begin >= 24 ? begin - 24 : 0;
  std::string window(t.substr(from, begin - from));
  for (char& c : window) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  for (const char* word : kWords) {
    if (window.find(word) != std::string::npos) return true;
  }
  return false;
}

bool looksLikeDate(const std::vector<size_t>& groups) {
  if (groups.size() != 3) return false;
  const auto small = [](size_t n) { return n == 1 || n == 2; };
  return (groups[0] == 4 && small(groups[1]) && small(groups[2])) ||
         (small(groups[0]) && small(groups[1]) && groups[2] == 4);
}

void findPhones(std::string_view t, std::vector<Span>& out) {
  const auto separator = [](char c) { return c != '\0' && std::strchr(" -.()/", c) != nullptr; };
  for (size_t i = 0; i < t.size(); ++i) {
    const bool plus = t[i] == '+' && i + 1 < t.size() && isDigit(t[i + 1]);
    const bool paren = t[i] == '(' && i + 1 < t.size() && isDigit(t[i + 1]);
    if (!(plus || paren || isDigit(t[i]))) continue;
    if (i > 0 && (isAlnum(t[i - 1]) || (t[i - 1] != '\0' && std::strchr("#/-_.@+", t[i - 1])))) {
      continue;
    }
    size_t j = i + (plus || paren ? 1 : 0);
    std::vector<size_t> groups(1, 0);
    size_t digits = 0;
    bool dotsOnly = true;
    bool separated = false;
    while (j < t.size()) {
      if (isDigit(t[j])) {
        ++groups.back();
        ++digits;
        ++j;
        continue;
      }
      size_t k = j;
      while (k < t.size() && k - j < 2 && separator(t[k])) ++k;
      if (k == j || k >= t.size() || !isDigit(t[k])) break;
      for (size_t s = j; s < k; ++s) dotsOnly = dotsOnly && t[s] == '.';
      separated = true;
      groups.push_back(0);
      j = k;
    }
    const size_t start = i;
    const size_t end = j;
    i = std::max(i, end);
    if (!boundaryAfter(t, end) || digits > 15) continue;
    if (plus) {
      if (digits < 8) continue;
    } else {
      if (digits < 7) continue;
      if (!separated && (digits < 9 || digits > 12)) continue;  // bare numbers: 9-12 digits
      if (separated && looksLikeDate(groups)) continue;
      // 1.234.567 is an amount: dot-separated thousands groups.
      if (separated && dotsOnly &&
          std::all_of(groups.begin() + 1, groups.end(), [](size_t g) { return g == 3; })) {
        continue;
      }
      if (referenceContext(t, start)) continue;
    }
    out.push_back({PiiKind::kPhone, start, end});
  }
}

}  // namespace

const char* piiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return "email";
    case PiiKind::kPhone:
      return "phone";
    case PiiKind::kCard:
      return "card";
    case PiiKind::kIban:
      return "iban";
  }
  return "email";
}

std::array<size_t, kPiiKindCount> RedactionResult::counts() const {
  std::array<size_t, kPiiKindCount> counts{};
  for (const Redaction& r : redactions) ++counts[static_cast<size_t>(r.kind)];
  return counts;
}

bool luhnValid(std::string_view digits) {
  int sum = 0;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!isDigit(*it)) continue;
    int d = *it - '0';
    if (count % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    ++count;
  }
  return count > 0 && sum % 10 == 0;
}

bool ibanValid(std::string_view iban) {
  if (iban.size() < 15 || iban.size() > 34) return false;
  if (!isAlpha(iban[0]) || !isAlpha(iban[1]) || !isDigit(iban[2]) || !isDigit(iban[3])) {
    return false;
  }
  if (!std::all_of(iban.begin(), iban.end(), isAlnum)) return false;
  const std::string country{upper(iban[0]), upper(iban[1])};
  const int expected = ibanLength(country);
  if (expected != 0 && static_cast<int>(iban.size()) != expected) return false;
  int remainder = 0;
  const auto feed = [&](char c) {
    c = upper(c);
    if (isDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  };
  for (size_t k = 4; k < iban.size(); ++k) feed(iban[k]);
  for (size_t k = 0; k < 4; ++k) feed(iban[k]);
  return remainder == 1;
}

namespace internal {

std::vector<PiiSpan> findPii(std::string_view text) {
  // Priority order: an e-mail's digits are not a phone; an IBAN's digits are not a card.
  std::vector<Span> candidates;
  findEmails(text, candidates);
  findIbans(text, candidates);
  findCards(text, candidates);
  findPhones(text, candidates);
  std::vector<PiiSpan> accepted;
  for (const Span& c : candidates) {
    const bool overlaps = std::any_of(accepted.begin(), accepted.end(), [&](const PiiSpan& a) {
      return c.begin < a.end && a.begin < c.end;
    });
    if (!overlaps) accepted.push_back({c.kind, c.begin, c.end});
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const PiiSpan& a, const PiiSpan& b) { return a.begin < b.begin; });
  return accepted;
}

}  // namespace internal

StatusOr<RedactionResult> redactPii(std::string_view text) {
  KEFU_RETURN_IF_ERROR(validateUtf8(text));
  const std::vector<internal::PiiSpan> accepted = internal::findPii(text);

  const std::vector<size_t> utf16 = utf16Offsets(text);
  RedactionResult result;
  result.text.reserve(text.size());
  size_t cursor = 0;
  for (const internal::PiiSpan& s : accepted) {
    result.text.append(text.substr(cursor, s.begin - cursor));
    result.text += "[";
    result.text += piiKindName(s.kind);
    result.text += "]";
    cursor = s.end;
    result.redactions.push_back({s.kind, utf16[s.begin], utf16[s.end]});
  }
  result.text.append(text.substr(cursor));
  return result;
}

}  // namespace kefu
