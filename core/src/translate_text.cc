#include "kefu/translate_text.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "pii_scan.h"

namespace kefu {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiAlnum(char c) { return isDigit(c) || isAsciiAlpha(c); }
bool isLowerAscii(char c) { return c >= 'a' && c <= 'z'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool startsWith(std::string_view text, size_t i, std::string_view prefix) {
  return text.size() >= i + prefix.size() && text.compare(i, prefix.size(), prefix) == 0;
}

// Currency symbol at byte i: its byte length, else 0.
size_t currencyAt(std::string_view text, size_t i) {
  if (i >= text.size()) return 0;
  if (text[i] == '$') return 1;
  for (std::string_view sym : {"\u20ac", "\u00a3", "\u00a5", "\uffe5"}) {  // € £ ¥ ￥
    if (startsWith(text, i, sym)) return sym.size();
  }
  return 0;
}
// Currency symbol (or %) ending at byte i (exclusive): its byte length, else 0.
size_t currencyBefore(std::string_view text, size_t i) {
  for (std::string_view sym : {"$", "\u20ac", "\u00a3", "\u00a5", "\uffe5"}) {
    if (i >= sym.size() && text.compare(i - sym.size(), sym.size(), sym) == 0) return sym.size();
  }
  return 0;
}

enum Priority { kLink = 0, kGlossary = 1, kOther = 2 };

struct Candidate {
  ProtectedSpan span;
  int priority;
};

void addCandidate(std::string_view text, size_t start, size_t end, const char* kind, int priority,
                  std::vector<Candidate>& out) {
  ProtectedSpan s;
  s.start = start;
  s.end = end;
  s.text = std::string(text.substr(start, end - start));
  s.kind = kind;
  out.push_back({std::move(s), priority});
}

// E-mails with redaction's rules (pii_scan.h), so both agree on what an address is.
void findEmails(std::string_view text, std::vector<Candidate>& out) {
  for (const internal::PiiSpan& s : internal::findPii(text)) {
    if (s.kind == PiiKind::kEmail) addCandidate(text, s.begin, s.end, "email", kLink, out);
  }
}

void findUrls(std::string_view text, std::vector<Candidate>& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && (isAsciiAlnum(text[i - 1]) || text[i - 1] == '/' || text[i - 1] == '.')) continue;
    size_t prefix = 0;
    for (std::string_view p : {"https://", "http://", "www."}) {
      if (text.size() >= i + p.size()) {
        bool match = true;
        for (size_t k = 0; k < p.size() && match; ++k) match = lower(text[i + k]) == p[k];
        if (match) {
          prefix = p.size();
          break;
        }
      }
    }
    if (prefix == 0) continue;
    size_t b = i + prefix;
    while (b < text.size() && !isSpace(text[b]) && text[b] != '<' && text[b] != '>' &&
           text[b] != '"' && static_cast<unsigned char>(text[b]) < 0x80) {
      ++b;
    }
    // Trailing sentence punctuation belongs to the sentence, not the URL.
    while (b > i + prefix && std::strchr(".,;:!?)]}'", text[b - 1]) != nullptr) --b;
    if (b > i + prefix) addCandidate(text, i, b, "url", kLink, out);
    i = b;
  }
}

void findGlossary(std::string_view text, const std::vector<std::string>& glossary,
                  std::vector<Candidate>& out) {
  for (const std::string& term : glossary) {
    if (term.empty()) continue;
    for (size_t p = text.find(term); p != std::string_view::npos; p = text.find(term, p + 1)) {
      const size_t e = p + term.size();
      // Not inside a longer word: "Cirrus" does not match in "Cirrus9" or "XCirrus".
      if (isAsciiAlnum(term.front()) && p > 0 && isAsciiAlnum(text[p - 1])) continue;
      if (isAsciiAlnum(term.back()) && e < text.size() && isAsciiAlnum(text[e])) continue;
      addCandidate(text, p, e, "glossary", kGlossary, out);
    }
  }
}

// Codes (GS-70345, SKU-12, A1234), numbers (4711, 49.90, 1,299.00, 22.11.2024) and amounts
// (€49.90, 49,90 €, $5, 10%). A token starts at an ASCII letter or digit not preceded by one.
void findCodesAndAmounts(std::string_view text, std::vector<Candidate>& out) {
  size_t i = 0;
  while (i < text.size()) {
    if (!isAsciiAlnum(text[i]) || (i > 0 && (isAsciiAlnum(text[i - 1]) || text[i - 1] == '_'))) {
      ++i;
      continue;
    }
    size_t b = i;
    bool digit = false;
    bool letter = false;
    while (b < text.size()) {
      const char c = text[b];
      if (isAsciiAlnum(c)) {
        digit = digit || isDigit(c);
        letter = letter || isAsciiAlpha(c);
        ++b;
      } else if ((c == '-' || c == '_') && b + 1 < text.size() && isAsciiAlnum(text[b + 1])) {
        ++b;
      } else if ((c == '.' || c == ',' || c == ':' || c == '/') && b > i && isDigit(text[b - 1]) &&
                 b + 1 < text.size() && isDigit(text[b + 1])) {
        ++b;
      } else {
        break;
      }
    }
    if (!digit) {
      i = b;
      continue;
    }
    size_t a = i;
    const char* kind = letter ? "code" : "number";
    if (!letter) {
      // An amount: currency before (one optional space) or currency / % after.
      size_t before = a;
      if (before > 0 && text[before - 1] == ' ') --before;
      if (const size_t n = currencyBefore(text, before)) {
        a = before - n;
        kind = "amount";
      }
      size_t after = b;
      if (after < text.size() && text[after] == ' ') ++after;
      if (after < text.size() && text[after] == '%') {
        b = after + 1;
        kind = "amount";
      } else if (const size_t n = currencyAt(text, after)) {
        b = after + n;
        kind = "amount";
      }
    }
    addCandidate(text, a, b, kind, kOther, out);
    i = b;
  }
}

// Words after which a full stop does not end a sentence (lower case, without the dot).
bool isAbbreviation(std::string_view word) {
  static const std::array<const char*, 40> kAbbreviations = {
      "e.g", "i.e", "etc", "vs", "no", "nr", "nos", "dr", "mr", "mrs", "ms", "st", "prof", "approx",
      "ca", "z.b", "bzw", "usw", "d.h", "u.a", "inkl", "ggf", "tel", "str", "art", "fig", "p.ex",
      "ex", "sr", "sra", "núm", "n", "mme", "m", "env", "av", "vol", "ref", "dept", "jr"};
  std::string w;
  for (char c : word) w += lower(c);
  for (const char* a : kAbbreviations) {
    if (w == a) return true;
  }
  return false;
}

bool insideSpan(const std::vector<ProtectedSpan>& spans, size_t pos) {
  auto it = std::upper_bound(spans.begin(), spans.end(), pos,
                             [](size_t p, const ProtectedSpan& s) { return p < s.start; });
  if (it == spans.begin()) return false;
  --it;
  return pos >= it->start && pos < it->end;
}

void pushTrimmed(std::string_view text, size_t a, size_t b, std::vector<TextRange>& out) {
  while (a < b && isSpace(text[a])) ++a;
  while (b > a && isSpace(text[b - 1])) --b;
  if (a < b) out.push_back({a, b});
}

}  // namespace

std::vector<ProtectedSpan> findProtectedSpans(std::string_view text,
                                              const std::vector<std::string>& glossary) {
  std::vector<Candidate> candidates;
  findEmails(text, candidates);
  findUrls(text, candidates);
  findGlossary(text, glossary, candidates);
  findCodesAndAmounts(text, candidates);
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
    if (x.priority != y.priority) return x.priority < y.priority;
    if (x.span.start != y.span.start) return x.span.start < y.span.start;
    return x.span.end > y.span.end;
  });
  std::vector<ProtectedSpan> accepted;  // kept sorted by start
  for (Candidate& c : candidates) {
    auto it = std::lower_bound(accepted.begin(), accepted.end(), c.span.start,
                               [](const ProtectedSpan& s, size_t p) { return s.start < p; });
    const bool overlapsNext = it != accepted.end() && it->start < c.span.end;
    const bool overlapsPrev = it != accepted.begin() && std::prev(it)->end > c.span.start;
    if (!overlapsNext && !overlapsPrev) accepted.insert(it, std::move(c.span));
  }
  return accepted;
}

std::vector<TextRange> splitSentences(std::string_view text, const std::vector<ProtectedSpan>& spans) {
  std::vector<TextRange> out;
  size_t begin = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n' || c == '\r') {
      pushTrimmed(text, begin, i, out);
      begin = i + 1;
      ++i;
      continue;
    }
    if (insideSpan(spans, i)) {
      ++i;
      continue;
    }
    // CJK full stop, exclamation and question marks end a sentence at once.
    size_t cjk = 0;
    for (std::string_view m : {"\u3002", "\uff01", "\uff1f"}) {
      if (startsWith(text, i, m)) cjk = m.size();
    }
    if (cjk > 0) {
      size_t e = i + cjk;
      while (true) {  // runs such as ？！ and closing 」』）”
        size_t more = 0;
        for (std::string_view m : {"\u3002", "\uff01", "\uff1f", "\u300d", "\u300f", "\uff09", "\u201d"}) {
          if (startsWith(text, e, m)) more = m.size();
        }
        if (more == 0) break;
        e += more;
      }
      pushTrimmed(text, begin, e, out);
      begin = i = e;
      continue;
    }
    const bool ellipsis = startsWith(text, i, "\u2026");
    if (c != '.' && c != '!' && c != '?' && !ellipsis) {
      ++i;
      continue;
    }
    size_t e = i;
    bool onlyDots = true;
    while (e < text.size()) {
      if (text[e] == '.' || text[e] == '!' || text[e] == '?') {
        onlyDots = onlyDots && text[e] == '.';
        ++e;
      } else if (startsWith(text, e, "\u2026")) {
        e += 3;
      } else if (std::strchr(")]\"'", text[e]) != nullptr) {
        ++e;
      } else if (startsWith(text, e, "\u00bb") || startsWith(text, e, "\u201d") ||
                 startsWith(text, e, "\u2019")) {
        e += 2 + (static_cast<unsigned char>(text[e]) >= 0xE0 ? 1 : 0);
      } else {
        break;
      }
    }
    if (e < text.size() && !isSpace(text[e])) {  // 49.90, e-mail, "a.b": not an end
      i = e;
      continue;
    }
    if (onlyDots && c == '.' && e == i + 1) {
      // The word before the dot: an abbreviation, or a single letter (initials, "U.S.").
      size_t w = i;
      while (w > begin && (isAsciiAlpha(text[w - 1]) || text[w - 1] == '.' ||
                           static_cast<unsigned char>(text[w - 1]) >= 0x80)) {
        --w;
      }
      const std::string_view word = text.substr(w, i - w);
      size_t next = e;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t')) ++next;
      const bool continues = next < text.size() && (isLowerAscii(text[next]) || isDigit(text[next]));
      if (isAbbreviation(word) || (word.size() == 1 && isAsciiAlpha(word[0])) || continues) {
        i = e;
        continue;
      }
    }
    pushTrimmed(text, begin, e, out);
    begin = i = e;
  }
  pushTrimmed(text, begin, text.size(), out);
  return out;
}

std::string placeholderText(int k) {
  return "\u27e6" + std::string(1, static_cast<char>('0' + k)) + "\u27e7";
}

namespace {

// Appends text with literal special pieces defused: ⟦k⟧ -> [k], <2xx>/<formal>/<informal> ->
// ‹…›, so SentencePiece reads them as ordinary characters.
void appendDefused(std::string_view s, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    if (startsWith(s, i, "\u27e6") && i + 7 <= s.size() && s[i + 3] >= '1' && s[i + 3] <= '9' &&
        startsWith(s, i + 4, "\u27e7")) {
      out += '[';
      out += s[i + 3];
      out += ']';
      i += 7;
      continue;
    }
    if (s[i] == '<') {
      size_t len = 0;
      if (startsWith(s, i, "<formal>")) len = 8;
      if (startsWith(s, i, "<informal>")) len = 10;
      if (i + 5 <= s.size() && s[i + 1] == '2' && isLowerAscii(s[i + 2]) &&
          isLowerAscii(s[i + 3]) && s[i + 4] == '>') {
        len = 5;
      }
      if (len > 0) {
        out += "\u2039";
        out.append(s.substr(i + 1, len - 2));
        out += "\u203a";
        i += len;
        continue;
      }
    }
    out += s[i++];
  }
}

}  // namespace

std::string placeholderSource(std::string_view text, TextRange range,
                              const std::vector<ProtectedSpan>& spans) {
  std::string out;
  size_t pos = range.start;
  for (const ProtectedSpan& s : spans) {
    if (s.start < range.start || s.end > range.end || s.placeholder == 0) continue;
    appendDefused(text.substr(pos, s.start - pos), out);
    out += placeholderText(s.placeholder);
    pos = s.end;
  }
  appendDefused(text.substr(pos, range.end - pos), out);
  return out;
}

std::vector<PlaceholderMark> findPlaceholderMarks(std::string_view text) {
  std::vector<PlaceholderMark> marks;
  for (size_t i = text.find("\u27e6"); i != std::string_view::npos; i = text.find("\u27e6", i + 1)) {
    if (i + 7 <= text.size() && text[i + 3] >= '1' && text[i + 3] <= '9' &&
        startsWith(text, i + 4, "\u27e7")) {
      marks.push_back({text[i + 3] - '0', i, i + 7});
    }
  }
  return marks;
}

std::string tidySpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

RestoredText restorePlaceholders(std::string_view decoded, const std::vector<PlaceholderMark>& marks,
                                 const std::vector<const ProtectedSpan*>& sentence_spans) {
  std::array<const ProtectedSpan*, kMaxPlaceholders + 1> span{};
  std::array<int, kMaxPlaceholders + 1> allowed{};
  std::array<int, kMaxPlaceholders + 1> used{};
  for (const ProtectedSpan* s : sentence_spans) {
    if (s->placeholder < 1 || s->placeholder > kMaxPlaceholders) continue;
    span[s->placeholder] = s;
    ++allowed[s->placeholder];
  }
  RestoredText out;
  std::string text;
  size_t pos = 0;
  for (const PlaceholderMark& m : marks) {
    if (m.start < pos || m.end > decoded.size()) continue;
    text.append(decoded.substr(pos, m.start - pos));
    pos = m.end;
    const int k = m.placeholder;
    if (k < 1 || k > kMaxPlaceholders || span[k] == nullptr) continue;  // not in the source
    if (used[k] >= allowed[k]) {
      ++out.duplicates;
      continue;
    }
    ++used[k];
    text += span[k]->text;
  }
  text.append(decoded.substr(pos));
  for (int k = 1; k <= kMaxPlaceholders; ++k) {
    if (span[k] == nullptr || used[k] > 0) continue;
    text += ' ';
    text += span[k]->text;
    out.missing.push_back(span[k]->text);
  }
  out.text = tidySpaces(text);
  return out;
}

}  // namespace kefu
