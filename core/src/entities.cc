#include "kefu/entities.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>

#include "kefu/text.h"
#include "pii_scan.h"
#include "text_internal.h"

namespace kefu {
namespace {

// ---------------------------------------------------------------------------------------------
// Folded view of the text. Every rule below matches on normalize()'s per-character folding
// (lower case, no accents, full-width ASCII to ASCII) so "ESPAÑA", "Espana" and "españa" are one
// name and "订单号：１２３４５６" reads like "订单号:123456"; each folded byte remembers the
// original code point it came from, so spans map back exactly.

struct Folded {
  std::string s;
  std::vector<uint32_t> from;  // original byte start of the code point behind folded byte k
  std::vector<uint32_t> to;    // its original byte end
};

void foldInto(std::string_view text, Folded& out) {
  std::u32string cps;
  std::string utf8;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    const char32_t c = internal::decodeUtf8At(text, i, len);
    if (len == 0) len = 1;
    cps.clear();
    internal::foldCodePoint(c, cps);
    for (char32_t f : cps) {
      utf8.clear();
      appendUtf8(f, utf8);
      out.s += utf8;
      out.from.insert(out.from.end(), utf8.size(), static_cast<uint32_t>(i));
      out.to.insert(out.to.end(), utf8.size(), static_cast<uint32_t>(i + len));
    }
    i += len;
  }
}

std::string foldString(std::string_view text) {
  Folded f;
  foldInto(text, f);
  return f.s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isAlnum(char c) { return isDigit(c) || isLower(c); }  // folded text has no upper case
char upper(char c) { return isLower(c) ? static_cast<char>(c - 32) : c; }

// Code point that ends right before byte i (0 at the start).
char32_t cpBefore(std::string_view s, size_t i) {
  if (i == 0) return 0;
  size_t k = i - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  size_t len = 0;
  return internal::decodeUtf8At(s, k, len);
}

char32_t cpAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  size_t len = 0;
  return internal::decodeUtf8At(s, i, len);
}

// A letter or digit of an alphabetic script: what glues characters into one word. Han, Kana
// and Hangul are not "word" here: names in those scripts match as substrings.
bool isWordChar(char32_t c) {
  if (c < 0x80) return isAlnum(static_cast<char>(c)) || (c >= 'A' && c <= 'Z');
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F) ||
         (c >= 0x1E00 && c <= 0x1FFF);
}

bool isCjkOrHangul(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF);
}

// Latin names and keywords need whole words; a name that starts or ends with a CJK or Hangul
// character may sit inside a run ("发往西班牙吗", "스페인으로").
bool wholeWordAt(std::string_view s, size_t begin, size_t end) {
  const char32_t first = cpAt(s, begin);
  const char32_t last = cpBefore(s, end);
  if (!isCjkOrHangul(first) && isWordChar(cpBefore(s, begin))) return false;
  if (!isCjkOrHangul(last) && isWordChar(cpAt(s, end))) return false;
  return true;
}

struct Candidate {
  Candidate(EntityType t, size_t b, size_t e, std::string v)
      : type(t), begin(b), end(e), value(std::move(v)) {}
  EntityType type;
  size_t begin;  // folded bytes
  size_t end;
  std::string value;
  double amount = 0;
  std::string currency;
};

// ---------------------------------------------------------------------------------------------
// Keyword tables, written as people type them and folded once on first use.

enum class RefKind { kOrder, kTracking };

struct Keyword {
  const char* text;
  RefKind kind;
};

// Words after which an id is an order number or a tracking number, in the ten languages.
constexpr Keyword kRefKeywords[] = {
    // English
    {"order", RefKind::kOrder},
    {"orders", RefKind::kOrder},
    {"order number", RefKind::kOrder},
    {"purchase", RefKind::kOrder},
    {"order id", RefKind::kOrder},
    {"tracking", RefKind::kTracking},
    {"tracking number", RefKind::kTracking},
    {"tracking code", RefKind::kTracking},
    {"track", RefKind::kTracking},
    {"waybill", RefKind::kTracking},
    {"awb", RefKind::kTracking},
    {"shipment", RefKind::kTracking},
    {"consignment", RefKind::kTracking},
    // Spanish / Portuguese
    {"pedido", RefKind::kOrder},
    {"pedidos", RefKind::kOrder},
    {"encomendas", RefKind::kOrder},
    {"orden", RefKind::kOrder},
    {"compra", RefKind::kOrder},
    {"encomenda", RefKind::kOrder},
    {"seguimiento", RefKind::kTracking},
    {"rastreo", RefKind::kTracking},
    {"guía", RefKind::kTracking},
    {"envío", RefKind::kTracking},
    {"rastreio", RefKind::kTracking},
    {"rastreamento", RefKind::kTracking},
    {"objeto", RefKind::kTracking},
    // French
    {"commande", RefKind::kOrder},
    {"commandes", RefKind::kOrder},
    {"suivi", RefKind::kTracking},
    {"colis", RefKind::kTracking},
    {"envoi", RefKind::kTracking},
    // German
    {"bestellung", RefKind::kOrder},
    {"bestellungen", RefKind::kOrder},
    {"bestellnummer", RefKind::kOrder},
    {"bestellnr", RefKind::kOrder},
    {"bestell-nr", RefKind::kOrder},
    {"auftrag", RefKind::kOrder},
    {"auftragsnummer", RefKind::kOrder},
    {"sendungsnummer", RefKind::kTracking},
    {"sendungsverfolgung", RefKind::kTracking},
    {"sendungsverfolgungsnummer", RefKind::kTracking},
    {"trackingnummer", RefKind::kTracking},
    {"tracking-nummer", RefKind::kTracking},
    {"paketnummer", RefKind::kTracking},
    {"sendung", RefKind::kTracking},
    // Italian
    {"ordine", RefKind::kOrder},
    {"ordini", RefKind::kOrder},
    {"ordinazione", RefKind::kOrder},
    {"tracciamento", RefKind::kTracking},
    {"spedizione", RefKind::kTracking},
    // Dutch
    {"bestelling", RefKind::kOrder},
    {"bestellingen", RefKind::kOrder},
    {"bestelnummer", RefKind::kOrder},
    {"ordernummer", RefKind::kOrder},
    {"trackingcode", RefKind::kTracking},
    {"track & trace", RefKind::kTracking},
    {"track&trace", RefKind::kTracking},
    {"track en trace", RefKind::kTracking},
    {"zendingnummer", RefKind::kTracking},
    {"zending", RefKind::kTracking},
    // Chinese (simplified and traditional)
    {"订单", RefKind::kOrder},
    {"订单号", RefKind::kOrder},
    {"订单编号", RefKind::kOrder},
    {"訂單", RefKind::kOrder},
    {"訂單號", RefKind::kOrder},
    {"訂單編號", RefKind::kOrder},
    {"运单号", RefKind::kTracking},
    {"运单", RefKind::kTracking},
    {"快递单号", RefKind::kTracking},
    {"物流单号", RefKind::kTracking},
    {"追踪号", RefKind::kTracking},
    {"跟踪号", RefKind::kTracking},
    {"運單號", RefKind::kTracking},
    {"追蹤號碼", RefKind::kTracking},
    {"物流編號", RefKind::kTracking},
    // Japanese
    {"注文", RefKind::kOrder},
    {"注文番号", RefKind::kOrder},
    {"オーダー番号", RefKind::kOrder},
    {"受注番号", RefKind::kOrder},
    {"追跡番号", RefKind::kTracking},
    {"伝票番号", RefKind::kTracking},
    {"問い合わせ番号", RefKind::kTracking},
    {"送り状番号", RefKind::kTracking},
    // Korean
    {"주문", RefKind::kOrder},
    {"주문번호", RefKind::kOrder},
    {"송장번호", RefKind::kTracking},
    {"송장", RefKind::kTracking},
    {"운송장", RefKind::kTracking},
    {"운송장번호", RefKind::kTracking},
    {"추적번호", RefKind::kTracking},
};

// Words allowed between a keyword and its id ("order number is #A1234", "número de pedido:",
// "注文番号は", "주문번호는"). Anything else (a verb, a date) breaks the link.
constexpr const char* kFillerWords[] = {
    "number", "no",     "nr",     "nro",  "num",       "numero", "nummer", "numer", "n",     "id",
    "code",   "codigo", "codice", "ref",  "reference", "is",     "was",    "es",    "est",   "ist",
    "e",      "de",     "do",     "da",   "del",       "di",     "du",     "the",   "my",    "your",
    "mi",     "mon",    "ma",     "mein", "meine",     "meiner", "mijn",   "il",    "la",    "le",
    "el",     "o",      "a",      "van",  "von",       "der",    "des",    "mio",   "minha", "meu",
    "with",   "con",    "avec",   "mit",  "met",       "com"};

bool isFillerCp(char32_t c) {
  static const char32_t kChars[] = {U'号', U'號', U'码', U'碼', U'是', U'为', U'為', U'编',
                                    U'編', U'は', U'が', U'の', U'番', U'번', U'호', U'은',
                                    U'는', U'이', U'가', U'、', U'：', U'°',  U'º',  U'№'};
  return std::find(std::begin(kChars), std::end(kChars), c) != std::end(kChars);
}

bool isGapSeparator(char c) {
  return c == ' ' || c == ':' || c == '#' || c == '.' || c == '-' || c == '/' || c == '(' ||
         c == ')' || c == '\'' || c == '"' || c == '=';
}

// True when folded s[begin, end) may stand between a keyword and its id.
bool fillerGap(std::string_view s, size_t begin, size_t end) {
  if (end < begin || end - begin > 24) return false;
  size_t i = begin;
  while (i < end) {
    const char c = s[i];
    if (isGapSeparator(c)) {
      ++i;
      continue;
    }
    if (isLower(c)) {
      size_t j = i;
      while (j < end && isLower(s[j])) ++j;
      const std::string_view word = s.substr(i, j - i);
      if (std::none_of(std::begin(kFillerWords), std::end(kFillerWords),
                       [&](const char* f) { return word == f; })) {
        return false;
      }
      i = j;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      size_t len = 0;
      const char32_t cp = internal::decodeUtf8At(s, i, len);
      if (!isFillerCp(cp)) return false;
      i += len == 0 ? 1 : len;
      continue;
    }
    return false;  // digits, sentence punctuation, anything else
  }
  return true;
}

struct FoldedKeyword {
  std::string text;
  RefKind kind;
};

const std::vector<FoldedKeyword>& refKeywords() {
  static const std::vector<FoldedKeyword>* const kList = [] {
    auto* list = new std::vector<FoldedKeyword>();
    for (const Keyword& k : kRefKeywords) list->push_back({foldString(k.text), k.kind});
    // Longest first: "订单号" before "订单", "tracking number" before "tracking".
    std::stable_sort(list->begin(), list->end(),
                     [](const auto& a, const auto& b) { return a.text.size() > b.text.size(); });
    return list;
  }();
  return *kList;
}

// The keyword nearest before byte `at` whose gap to `at` is filler only, if any.
const FoldedKeyword* keywordBefore(std::string_view s, size_t at) {
  const size_t from = at > 64 ? at - 64 : 0;
  const FoldedKeyword* best = nullptr;
  size_t bestEnd = 0;
  for (const FoldedKeyword& k : refKeywords()) {
    const std::string_view window = s.substr(from, at - from);
    for (size_t pos = window.rfind(k.text); pos != std::string_view::npos;
         pos = pos == 0 ? std::string_view::npos : window.rfind(k.text, pos - 1)) {
      const size_t begin = from + pos;
      const size_t end = begin + k.text.size();
      if (end <= bestEnd) break;  // a later-ending keyword is already known
      if (wholeWordAt(s, begin, end) && fillerGap(s, end, at)) {
        best = &k;
        bestEnd = end;
        break;
      }
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Order and tracking numbers.

size_t countDigits(std::string_view t) { return std::count_if(t.begin(), t.end(), isDigit); }

bool allDigits(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), isDigit);
}

bool allLower(std::string_view t) { return !t.empty() && std::all_of(t.begin(), t.end(), isLower); }

std::string compactUpper(std::string_view t, bool keepDashes) {
  std::string out;
  for (char c : t) {
    if (isAlnum(c) || (keepDashes && c == '-')) out.push_back(upper(c));
  }
  return out;
}

// Carrier formats recognised without a keyword: UPS 1Z, UPU S10 (international post: two
// letters, nine digits, country), SF Express, DHL JJD, PostNL 3S.
bool trackingShape(std::string_view t) {
  if (t.find('-') != std::string_view::npos) return false;
  if (t.size() == 18 && t[0] == '1' && t[1] == 'z' && std::all_of(t.begin(), t.end(), isAlnum)) {
    return true;
  }
  if (t.size() == 13 && allLower(t.substr(0, 2)) && allDigits(t.substr(2, 9)) &&
      allLower(t.substr(11, 2))) {
    return true;
  }
  if (t.size() >= 14 && t.size() <= 17 && t.substr(0, 2) == "sf" && allDigits(t.substr(2))) {
    return true;
  }
  if (t.size() >= 13 && t.size() <= 23 && t.substr(0, 3) == "jjd" && allDigits(t.substr(3))) {
    return true;
  }
  if (t.size() >= 13 && t.size() <= 15 && t.substr(0, 2) == "3s" &&
      std::all_of(t.begin(), t.end(), isAlnum) && countDigits(t) >= 7) {
    return true;
  }
  return false;
}

bool plausibleYear(std::string_view t) {
  return t.size() == 4 && allDigits(t) && (t[0] == '1' || t[0] == '2') &&
         (t.substr(0, 2) == "19" || t.substr(0, 2) == "20");
}

// An order id after a keyword or '#': 4..24 characters, at least 3 digits, not a year.
bool orderShape(std::string_view t) {
  const size_t n = t.size();
  return n >= 4 && n <= 24 && countDigits(t) >= 3 && !plausibleYear(t);
}

// Shop-style ids that need no keyword: "GS-58213" (1-4 letters, dash, 4-12 digits) and
// "100-2938475" / "111-2233445-5566778" (marketplace style).
bool standaloneOrderShape(std::string_view t) {
  const size_t dash = t.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view head = t.substr(0, dash);
  const std::string_view tail = t.substr(dash + 1);
  if (head.size() >= 1 && head.size() <= 4 && allLower(head) && tail.size() >= 4 &&
      tail.size() <= 12 && allDigits(tail)) {
    return true;
  }
  if (head.size() == 3 && allDigits(head)) {
    const size_t dash2 = tail.find('-');
    if (dash2 == std::string_view::npos) return tail.size() == 7 && allDigits(tail);
    return dash2 == 7 && allDigits(tail.substr(0, 7)) && tail.size() == 15 &&
           allDigits(tail.substr(8));
  }
  return false;
}

bool trackingIdShape(std::string_view compact) {
  return compact.size() >= 8 && compact.size() <= 30 && countDigits(compact) >= 6;
}

void findReferences(std::string_view s, std::vector<Candidate>& out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!isAlnum(s[i])) {
      ++i;
      continue;
    }
    // A token: alphanumerics with single inner dashes.
    const size_t begin = i;
    size_t end = i;
    while (end < s.size()) {
      if (isAlnum(s[end])) {
        ++end;
      } else if (s[end] == '-' && end + 1 < s.size() && isAlnum(s[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    i = end;
    const char before = begin > 0 ? s[begin - 1] : ' ';
    // Glued to a word, a path, a decimal number or an address: not an id.
    if (isWordChar(cpBefore(s, begin)) || before == '/' || before == '@' || before == '_' ||
        before == '-' || before == '+' || before == '\\' || before == '=' || before == '&' ||
        ((before == '.' || before == ',') && begin >= 2 && isDigit(s[begin - 2]))) {
      continue;
    }
    if (end < s.size() &&
        (s[end] == '@' || s[end] == '_' || s[end] == '/' ||
         ((s[end] == '.' || s[end] == ',') && end + 1 < s.size() && isDigit(s[end + 1])))) {
      continue;
    }
    if (isWordChar(cpAt(s, end))) continue;
    std::string_view token = s.substr(begin, end - begin);
    if (countDigits(token) == 0) continue;

    if (trackingShape(token)) {
      out.push_back({EntityType::kTrackingNumber, begin, end, compactUpper(token, false)});
      continue;
    }
    const bool hash = before == '#' && (begin < 2 || !isWordChar(cpBefore(s, begin - 1)));
    const FoldedKeyword* keyword = keywordBefore(s, begin);
    if (keyword != nullptr && keyword->kind == RefKind::kTracking) {
      // Carriers print long numbers in groups: "1234 5678 9012".
      size_t groupedEnd = end;
      if (allDigits(token)) {
        while (groupedEnd + 4 <= s.size() && s[groupedEnd] == ' ' && isDigit(s[groupedEnd + 1])) {
          size_t k = groupedEnd + 1;
          while (k < s.size() && isDigit(s[k])) ++k;
          if (k - groupedEnd - 1 < 3 || isWordChar(cpAt(s, k))) break;
          groupedEnd = k;
        }
      }
      const std::string compact = compactUpper(s.substr(begin, groupedEnd - begin), false);
      if (trackingIdShape(compact)) {
        out.push_back({EntityType::kTrackingNumber, begin, groupedEnd, compact});
        i = groupedEnd;
        continue;
      }
    }
    if ((keyword != nullptr && keyword->kind == RefKind::kOrder) || hash) {
      if (orderShape(token)) {
        out.push_back(
            {EntityType::kOrderNumber, hash ? begin - 1 : begin, end, compactUpper(token, true)});
        continue;
      }
    }
    if (standaloneOrderShape(token)) {
      out.push_back(
          {EntityType::kOrderNumber, hash ? begin - 1 : begin, end, compactUpper(token, true)});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Countries: ~60 common destinations, names in the ten languages (alternatives by '|').

struct CountryNames {
  const char* code;
  const char* names;
};

constexpr CountryNames kCountries[] = {
    {"US",
     "United States|United States of America|Estados Unidos|États-Unis|Etats Unis|"
     "Vereinigte Staaten|Amerika|Stati Uniti|Verenigde Staten|美国|美國|アメリカ|"
     "アメリカ合衆国|米国|미국"},
    {"GB",
     "United Kingdom|Great Britain|Britain|England|Scotland|Wales|Reino Unido|Inglaterra|"
     "Royaume-Uni|Royaume Uni|Angleterre|Grande-Bretagne|Vereinigtes Königreich|"
     "Großbritannien|Regno Unito|Inghilterra|Gran Bretagna|Gran Bretaña|"
     "Verenigd Koninkrijk|Groot-Brittannië|Engeland|英国|英國|イギリス|영국"},
    {"CA", "Canada|Canadá|Kanada|加拿大|カナダ|캐나다"},
    {"AU",
     "Australia|Australie|Australien|Austrália|Australië|澳大利亚|澳大利亞|澳洲|"
     "オーストラリア|호주"},
    {"NZ",
     "New Zealand|Nueva Zelanda|Nouvelle-Zélande|Neuseeland|Nova Zelândia|Nuova Zelanda|"
     "Nieuw-Zeeland|新西兰|紐西蘭|ニュージーランド|뉴질랜드"},
    {"IE", "Ireland|Irlanda|Irlande|Irland|Ierland|爱尔兰|愛爾蘭|アイルランド|아일랜드"},
    {"DE",
     "Germany|Alemania|Allemagne|Deutschland|Alemanha|Germania|Duitsland|德国|德國|ドイツ|"
     "독일"},
    {"AT", "Austria|Autriche|Österreich|Áustria|Oostenrijk|奥地利|奧地利|オーストリア|오스트리아"},
    {"CH", "Switzerland|Suiza|Suisse|Schweiz|Suíça|Svizzera|Zwitserland|瑞士|スイス|스위스"},
    {"FR", "France|Francia|Frankreich|França|Frankrijk|法国|法國|フランス|프랑스"},
    {"BE", "Belgium|Bélgica|Belgique|Belgien|Belgio|België|比利时|比利時|ベルギー|벨기에"},
    {"NL",
     "Netherlands|Holland|Países Bajos|Holanda|Pays-Bas|Niederlande|Países Baixos|"
     "Paesi Bassi|Olanda|Nederland|荷兰|荷蘭|オランダ|네덜란드"},
    {"LU", "Luxembourg|Luxemburgo|Luxemburg|Lussemburgo|卢森堡|盧森堡|ルクセンブルク|룩셈부르크"},
    {"ES", "Spain|España|Espagne|Spanien|Espanha|Spagna|Spanje|西班牙|スペイン|스페인"},
    {"PT", "Portugal|Portogallo|葡萄牙|ポルトガル|포르투갈"},
    {"IT", "Italy|Italia|Italie|Italien|Itália|Italië|意大利|義大利|イタリア|이탈리아"},
    {"GR", "Greece|Grecia|Grèce|Griechenland|Grécia|Griekenland|希腊|希臘|ギリシャ|그리스"},
    {"PL", "Poland|Polonia|Pologne|Polen|Polônia|Polónia|波兰|波蘭|ポーランド|폴란드"},
    {"CZ",
     "Czech Republic|Czechia|República Checa|Chequia|République tchèque|Tchéquie|"
     "Tschechien|República Tcheca|Chéquia|Repubblica Ceca|Tsjechië|捷克|チェコ|체코"},
    {"SK",
     "Slovakia|Eslovaquia|Slovaquie|Slowakei|Eslováquia|Slovacchia|Slowakije|斯洛伐克|"
     "スロバキア|슬로바키아"},
    {"HU", "Hungary|Hungría|Hongrie|Ungarn|Hungria|Ungheria|Hongarije|匈牙利|ハンガリー|헝가리"},
    {"RO",
     "Romania|Rumania|Rumanía|Roumanie|Rumänien|Romênia|Roménia|Roemenië|罗马尼亚|"
     "羅馬尼亞|ルーマニア|루마니아"},
    {"BG", "Bulgaria|Bulgarie|Bulgarien|Bulgária|Bulgarije|保加利亚|保加利亞|ブルガリア|불가리아"},
    {"HR",
     "Croatia|Croacia|Croatie|Kroatien|Croácia|Croazia|Kroatië|克罗地亚|克羅埃西亞|"
     "クロアチア|크로아티아"},
    {"SI",
     "Slovenia|Eslovenia|Slovénie|Slowenien|Eslovênia|Eslovénia|Slovenië|斯洛文尼亚|"
     "スロベニア|슬로베니아"},
    {"RS", "Serbia|Serbie|Serbien|Sérvia|Servië|塞尔维亚|セルビア|세르비아"},
    {"DK", "Denmark|Dinamarca|Danemark|Dänemark|Danimarca|Denemarken|丹麦|丹麥|デンマーク|덴마크"},
    {"SE", "Sweden|Suecia|Suède|Schweden|Suécia|Svezia|Zweden|瑞典|スウェーデン|스웨덴"},
    {"NO", "Norway|Noruega|Norvège|Norwegen|Norvegia|Noorwegen|挪威|ノルウェー|노르웨이"},
    {"FI", "Finland|Finlandia|Finlande|Finnland|Finlândia|芬兰|芬蘭|フィンランド|핀란드"},
    {"IS", "Iceland|Islandia|Islande|Islândia|Islanda|IJsland|冰岛|冰島|アイスランド|아이슬란드"},
    {"EE", "Estonia|Estonie|Estland|Estônia|Estónia|爱沙尼亚|エストニア|에스토니아"},
    {"LV",
     "Latvia|Letonia|Lettonie|Lettland|Letônia|Letónia|Lettonia|Letland|拉脱维亚|"
     "ラトビア|라트비아"},
    {"LT", "Lithuania|Lituania|Lituanie|Litauen|Lituânia|Litouwen|立陶宛|リトアニア|리투아니아"},
    {"CY", "Cyprus|Chipre|Chypre|Zypern|Cipro|塞浦路斯|キプロス|키프로스"},
    {"MT", "Malta|Malte|马耳他|マルタ|몰타"},
    {"RU", "Russia|Rusia|Russie|Russland|Rússia|Rusland|俄罗斯|俄羅斯|ロシア|러시아"},
    {"UA", "Ukraine|Ucrania|Ucrânia|Ucraina|Oekraïne|乌克兰|烏克蘭|ウクライナ|우크라이나"},
    {"TR",
     "Turkey|Türkiye|Turquía|Turquie|Türkei|Turquia|Turchia|Turkije|土耳其|トルコ|터키|"
     "튀르키예"},
    {"IL", "Israel|Israël|Israele|以色列|イスラエル|이스라엘"},
    {"AE",
     "United Arab Emirates|Emiratos Árabes Unidos|Émirats arabes unis|"
     "Vereinigte Arabische Emirate|Emirados Árabes Unidos|Emirati Arabi Uniti|"
     "Verenigde Arabische Emiraten|阿联酋|阿拉伯联合酋长国|アラブ首長国連邦|아랍에미리트"},
    {"SA",
     "Saudi Arabia|Arabia Saudita|Arabie saoudite|Saudi-Arabien|Arábia Saudita|"
     "Saoedi-Arabië|沙特阿拉伯|サウジアラビア|사우디아라비아"},
    {"IN", "India|Inde|Indien|Índia|印度|インド"},
    {"CN", "China|Chine|Cina|中国|中國|中国大陆|중국"},
    {"HK", "Hong Kong|Hongkong|香港|홍콩"},
    {"TW", "Taiwan|Taiwán|Taïwan|台湾|臺灣|台灣|대만|타이완"},
    {"JP", "Japan|Japón|Japon|Japão|Giappone|日本|일본"},
    {"KR",
     "South Korea|Korea|Corea del Sur|Corée du Sud|Südkorea|Coreia do Sul|Corea del Sud|"
     "Zuid-Korea|Corea|Corée|Coreia|韩国|韓國|韓国|한국|대한민국"},
    {"SG", "Singapore|Singapur|Singapour|Singapura|新加坡|シンガポール|싱가포르"},
    {"MY",
     "Malaysia|Malasia|Malaisie|Malásia|Malesia|Maleisië|马来西亚|馬來西亞|マレーシア|"
     "말레이시아"},
    {"TH", "Thailand|Tailandia|Thaïlande|Tailândia|Thailandia|泰国|泰國|태국"},
    {"VN", "Vietnam|Viet Nam|Vietnã|Vietname|越南|ベトナム|베트남"},
    {"ID",
     "Indonesia|Indonésie|Indonesien|Indonésia|Indonesië|印度尼西亚|印尼|インドネシア|"
     "인도네시아"},
    {"PH",
     "Philippines|Filipinas|Philippinen|Filippine|Filipijnen|菲律宾|菲律賓|フィリピン|필리핀"},
    {"MX", "Mexico|México|Mexique|Mexiko|Messico|墨西哥|メキシコ|멕시코"},
    {"BR", "Brazil|Brasil|Brésil|Brasilien|Brasile|Brazilië|巴西|ブラジル|브라질"},
    {"AR", "Argentina|Argentine|Argentinien|Argentinië|阿根廷|アルゼンチン|아르헨티나"},
    {"CL", "Chile|智利|チリ|칠레"},
    {"CO", "Colombia|Colombie|Kolumbien|Colômbia|哥伦比亚|コロンビア|콜롬비아"},
    {"PE", "Peru|Perú|Pérou|秘鲁|ペルー|페루"},
    {"ZA",
     "South Africa|Sudáfrica|Afrique du Sud|Südafrika|África do Sul|Sudafrica|"
     "Zuid-Afrika|南非|南アフリカ|남아프리카 공화국|남아공"},
    {"EG", "Egypt|Egipto|Égypte|Ägypten|Egito|Egitto|Egypte|埃及|エジプト|이집트"},
    {"MA", "Morocco|Marruecos|Maroc|Marokko|Marrocos|Marocco|摩洛哥|モロッコ|모로코"},
};

// Abbreviations matched on the original text, upper case only ("us" is a pronoun).
constexpr CountryNames kCountryAbbreviations[] = {
    {"US", "USA|U.S.A.|U.S.|EE.UU.|EEUU|EUA"},
    {"GB", "UK|U.K."},
    {"AE", "UAE|VAE"},
};

struct Name {
  std::string folded;
  const char* code;
};

// Folded names indexed by their first byte; each bucket longest first.
const std::vector<std::vector<Name>>& countryIndex() {
  static const std::vector<std::vector<Name>>* const kIndex = [] {
    auto* index = new std::vector<std::vector<Name>>(256);
    for (const CountryNames& c : kCountries) {
      std::string_view names = c.names;
      while (!names.empty()) {
        const size_t bar = names.find('|');
        const std::string_view one = names.substr(0, bar);
        std::string folded = foldString(one);
        const unsigned char first = static_cast<unsigned char>(folded[0]);
        (*index)[first].push_back({folded, c.code});
        // "Royaume-Uni" is also typed "Royaume Uni".
        if (folded.find('-') != std::string::npos) {
          std::replace(folded.begin(), folded.end(), '-', ' ');
          (*index)[first].push_back({folded, c.code});
        }
        names = bar == std::string_view::npos ? std::string_view() : names.substr(bar + 1);
      }
    }
    for (auto& bucket : *index) {
      std::stable_sort(bucket.begin(), bucket.end(), [](const Name& a, const Name& b) {
        return a.folded.size() > b.folded.size();
      });
    }
    return index;
  }();
  return *kIndex;
}

void findCountries(std::string_view s, std::vector<Candidate>& out) {
  const auto& index = countryIndex();
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    bool matched = false;
    // Names start at a code point boundary; Latin ones only at a word start.
    if ((c & 0xC0) != 0x80) {
      for (const Name& name : index[c]) {
        if (s.compare(i, name.folded.size(), name.folded) == 0 &&
            wholeWordAt(s, i, i + name.folded.size())) {
          out.push_back({EntityType::kCountry, i, i + name.folded.size(), name.code});
          i += name.folded.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) ++i;
  }
}

void findCountryAbbreviations(std::string_view text, std::vector<Candidate>& raw) {
  for (const CountryNames& c : kCountryAbbreviations) {
    std::string_view names = c.names;
    while (!names.empty()) {
      const size_t bar = names.find('|');
      const std::string_view one = names.substr(0, bar);
      for (size_t pos = text.find(one); pos != std::string_view::npos;
           pos = text.find(one, pos + 1)) {
        const size_t end = pos + one.size();
        const bool before = pos == 0 || !isWordChar(cpBefore(text, pos));
        // "U.S." may end a sentence; otherwise the next character must not continue a word.
        // "U.S." may run into the next word ("U.S.A" is its own entry and longer).
        const bool after = end >= text.size() || !isWordChar(cpAt(text, end)) || one.back() == '.';
        if (before && after) {
          raw.push_back({EntityType::kCountry, pos, end, c.code});  // original bytes
        }
      }
      names = bar == std::string_view::npos ? std::string_view() : names.substr(bar + 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Amounts: a number with a currency symbol, ISO code or word right before or after it.

struct Currency {
  const char* text;
  const char* code;  // "¥" resolves to JPY or CNY from the script of the message
};

// May precede the number ("€49.90", "US$ 12", "R$ 250", "EUR 49,90").
constexpr Currency kPrefixCurrencies[] = {
    {"us$", "USD"},    {"r$", "BRL"},  {"c$", "CAD"},  {"ca$", "CAD"}, {"a$", "AUD"},
    {"au$", "AUD"},    {"hk$", "HKD"}, {"nt$", "TWD"}, {"mx$", "MXN"}, {"$", "USD"},
    {"€", "EUR"},      {"£", "GBP"},   {"¥", "¥"},     {"￥", "¥"},    {"₩", "KRW"},
    {"₹", "INR"},      {"eur", "EUR"}, {"usd", "USD"}, {"gbp", "GBP"}, {"jpy", "JPY"},
    {"cny", "CNY"},    {"rmb", "CNY"}, {"krw", "KRW"}, {"brl", "BRL"}, {"chf", "CHF"},
    {"cad", "CAD"},    {"aud", "AUD"}, {"mxn", "MXN"}, {"hkd", "HKD"}, {"twd", "TWD"},
    {"sek", "SEK"},    {"nok", "NOK"}, {"dkk", "DKK"}, {"pln", "PLN"}, {"czk", "CZK"},
    {"人民币", "CNY"},
};

// May follow the number ("49,90 €", "129 USD", "20 euros", "3200円", "12万元", "5만 원").
constexpr Currency kSuffixCurrencies[] = {
    {"€", "EUR"},       {"$", "USD"},     {"£", "GBP"},       {"¥", "¥"},
    {"￥", "¥"},        {"₩", "KRW"},     {"eur", "EUR"},     {"usd", "USD"},
    {"gbp", "GBP"},     {"jpy", "JPY"},   {"cny", "CNY"},     {"rmb", "CNY"},
    {"krw", "KRW"},     {"brl", "BRL"},   {"chf", "CHF"},     {"cad", "CAD"},
    {"aud", "AUD"},     {"mxn", "MXN"},   {"hkd", "HKD"},     {"twd", "TWD"},
    {"sek", "SEK"},     {"nok", "NOK"},   {"dkk", "DKK"},     {"pln", "PLN"},
    {"czk", "CZK"},     {"euro", "EUR"},  {"euros", "EUR"},   {"dollar", "USD"},
    {"dollars", "USD"}, {"dólar", "USD"}, {"dólares", "USD"}, {"dollari", "USD"},
    {"dollaro", "USD"}, {"yuan", "CNY"},  {"yen", "JPY"},     {"won", "KRW"},
    {"reais", "BRL"},   {"円", "JPY"},    {"日元", "JPY"},    {"美元", "USD"},
    {"欧元", "EUR"},    {"歐元", "EUR"},  {"英镑", "GBP"},    {"韩元", "KRW"},
    {"港币", "HKD"},    {"港元", "HKD"},  {"人民币", "CNY"},  {"块钱", "CNY"},
    {"元", "CNY"},      {"ドル", "USD"},  {"ユーロ", "EUR"},  {"ポンド", "GBP"},
    {"원", "KRW"},      {"달러", "USD"},  {"유로", "EUR"},    {"엔", "JPY"},
    {"위안", "CNY"},
};

struct FoldedCurrency {
  std::string text;
  const char* code;
};

std::vector<FoldedCurrency> foldCurrencies(const Currency* begin, const Currency* end) {
  std::vector<FoldedCurrency> list;
  for (const Currency* c = begin; c != end; ++c) list.push_back({foldString(c->text), c->code});
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& a, const auto& b) { return a.text.size() > b.text.size(); });
  return list;
}

const std::vector<FoldedCurrency>& prefixCurrencies() {
  static const auto* const kList = new std::vector<FoldedCurrency>(
      foldCurrencies(std::begin(kPrefixCurrencies), std::end(kPrefixCurrencies)));
  return *kList;
}

const std::vector<FoldedCurrency>& suffixCurrencies() {
  static const auto* const kList = new std::vector<FoldedCurrency>(
      foldCurrencies(std::begin(kSuffixCurrencies), std::end(kSuffixCurrencies)));
  return *kList;
}

struct ParsedNumber {
  size_t end = 0;  // folded bytes
  double value = 0;
  bool ok = false;
};

// Parses 49.90 / 49,90 / 1.299,00 / 1,299.00 / 3,200 / 1 299,00 / 12万 starting at s[i]: with
// one separator kind, a single separator followed by exactly three digits groups thousands,
// followed by one or two digits marks decimals; with both kinds the last one is the decimal.
ParsedNumber parseNumber(std::string_view s, size_t i) {
  ParsedNumber r;
  std::vector<std::pair<char, std::string>> groups;  // (separator before, digits)
  size_t j = i;
  std::string digits;
  while (j < s.size() && isDigit(s[j])) digits.push_back(s[j++]);
  if (digits.empty() || digits.size() > 12) return r;
  groups.push_back({0, digits});
  // Six groups cover 1 234 567 890,00; stopping there keeps long digit lists linear.
  while (groups.size() < 6 && j + 1 < s.size() &&
         (s[j] == '.' || s[j] == ',' || s[j] == ' ' || s[j] == '\'') && isDigit(s[j + 1])) {
    size_t k = j + 1;
    std::string g;
    while (k < s.size() && isDigit(s[k])) g.push_back(s[k++]);
    groups.push_back({s[j], g});
    j = k;
  }
  // Decide where the number ends and what each separator means.
  char decimalSep = 0;
  const char lastSep = groups.size() > 1 ? groups.back().first : 0;
  bool mixed = false;
  for (size_t g = 1; g < groups.size(); ++g) {
    if (groups[g].first != lastSep) mixed = true;
  }
  if (groups.size() > 1 && (lastSep == '.' || lastSep == ',')) {
    const size_t lastLen = groups.back().second.size();
    const size_t sameKind = std::count_if(groups.begin() + 1, groups.end(),
                                          [&](const auto& gr) { return gr.first == lastSep; });
    if ((mixed || sameKind == 1) && lastLen <= 2) decimalSep = lastSep;
  }
  size_t used = 1;
  std::string integer = groups[0].second;
  std::string fraction;
  for (size_t g = 1; g < groups.size(); ++g) {
    const auto& [sep, ds] = groups[g];
    if (sep == decimalSep && g + 1 == groups.size()) {
      fraction = ds;
      used = g + 1;
      break;
    }
    // Thousands groups: the first group has 1-3 digits, every later one exactly 3, and a
    // space only separates thousands.
    if (ds.size() != 3 || groups[0].second.size() > 3 || sep == decimalSep) break;
    integer += ds;
    used = g + 1;
  }
  // Where the accepted groups end in the folded text.
  size_t end = i;
  for (size_t g = 0; g < used; ++g) end += (g == 0 ? 0 : 1) + groups[g].second.size();
  double value = 0;
  for (char c : integer) value = value * 10 + (c - '0');
  double scale = 0.1;
  for (char c : fraction) {
    value += (c - '0') * scale;
    scale /= 10;
  }
  // CJK multipliers: 12万 = 120000, 5만 = 50000.
  static const struct {
    const char* text;
    double factor;
  } kMultipliers[] = {{"万", 1e4}, {"萬", 1e4}, {"千", 1e3}, {"亿", 1e8},
                      {"億", 1e8}, {"만", 1e4}, {"천", 1e3}, {"억", 1e8}};
  for (const auto& m : kMultipliers) {
    const size_t len = std::char_traits<char>::length(m.text);
    if (s.compare(end, len, m.text) == 0) {
      value *= m.factor;
      end += len;
      break;
    }
  }
  r.end = end;
  r.value = value;
  r.ok = true;
  return r;
}

bool isAsciiWordText(std::string_view t) { return !t.empty() && isLower(t[0]); }

std::string resolveCurrency(const char* code, bool kana, bool han) {
  if (std::string_view(code) == "¥") return kana || !han ? "JPY" : "CNY";
  return code;
}

std::string formatAmount(double value, const std::string& currency) {
  char buffer[64];
  const double cents = std::round(value * 100);
  if (std::fmod(cents, 100) == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f %s", cents / 100, currency.c_str());
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f %s", cents / 100, currency.c_str());
  }
  return buffer;
}

void findAmounts(std::string_view s, bool kana, bool han, std::vector<Candidate>& out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!isDigit(s[i]) || (i > 0 && (isAlnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','))) {
      ++i;
      continue;
    }
    const ParsedNumber number = parseNumber(s, i);
    if (!number.ok) {
      ++i;
      continue;
    }
    size_t begin = i;
    size_t end = number.end;
    const char* code = nullptr;
    // Currency before: "€49.90", "€ 49,90", "US$12", "EUR 49,90".
    for (size_t space = 0; space <= 1 && code == nullptr; ++space) {
      if (space == 1 && (i == 0 || s[i - 1] != ' ')) break;
      const size_t at = i - space;
      for (const FoldedCurrency& c : prefixCurrencies()) {
        if (at < c.text.size() || s.compare(at - c.text.size(), c.text.size(), c.text) != 0) {
          continue;
        }
        const size_t cb = at - c.text.size();
        if (isAsciiWordText(c.text) && isWordChar(cpBefore(s, cb))) continue;
        code = c.code;
        begin = cb;
        break;
      }
    }
    // Currency after: "49,90 €", "129 USD", "3200円", "12万元", "5만 원".
    {
      for (size_t space = 0; space <= 1; ++space) {
        const size_t at = number.end + space;
        if (space == 1 && (number.end >= s.size() || s[number.end] != ' ')) break;
        bool found = false;
        for (const FoldedCurrency& c : suffixCurrencies()) {
          if (s.compare(at, c.text.size(), c.text) != 0) continue;
          if (isAsciiWordText(c.text) && isWordChar(cpAt(s, at + c.text.size()))) continue;
          if (code == nullptr || std::string_view(code) == c.code) {
            if (code == nullptr) code = c.code;
            end = at + c.text.size();
          }
          found = true;
          break;
        }
        if (found) break;
      }
    }
    if (code == nullptr) {
      i = std::max(i + 1, number.end);
      continue;
    }
    const std::string currency = resolveCurrency(code, kana, han);
    Candidate cand{EntityType::kAmount, begin, end, formatAmount(number.value, currency)};
    cand.amount = number.value;
    cand.currency = currency;
    out.push_back(std::move(cand));
    i = end;
  }
}

int priority(EntityType type) {
  switch (type) {
    case EntityType::kEmail:
      return 0;
    case EntityType::kTrackingNumber:
      return 1;
    case EntityType::kOrderNumber:
      return 2;
    case EntityType::kAmount:
      return 3;
    case EntityType::kPhone:
      return 4;
    case EntityType::kCountry:
      return 5;
  }
  return 6;
}

std::string phoneDigits(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (isDigit(c) || (c == '+' && out.empty())) out.push_back(c);
  }
  return out;
}

std::string lowerAscii(std::string_view t) {
  std::string out(t);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

const char* entityTypeName(EntityType type) {
  switch (type) {
    case EntityType::kOrderNumber:
      return "order_number";
    case EntityType::kTrackingNumber:
      return "tracking_number";
    case EntityType::kEmail:
      return "email";
    case EntityType::kPhone:
      return "phone";
    case EntityType::kCountry:
      return "country";
    case EntityType::kAmount:
      return "amount";
  }
  return "order_number";
}

StatusOr<std::vector<Entity>> extractEntities(std::string_view text) {
  KEFU_RETURN_IF_ERROR(validateUtf8(text));
  Folded folded;
  folded.s.reserve(text.size());
  folded.from.reserve(text.size());
  folded.to.reserve(text.size());
  foldInto(text, folded);
  const std::string_view s = folded.s;

  bool kana = false;
  bool han = false;
  for (size_t i = 0; i < text.size();) {
    size_t len = 0;
    const char32_t c = internal::decodeUtf8At(text, i, len);
    kana = kana || (c >= 0x3040 && c <= 0x30FF);
    han = han || (c >= 0x4E00 && c <= 0x9FFF);
    i += len == 0 ? 1 : len;
  }

  // Candidates on the folded text, then mapped to original bytes.
  std::vector<Candidate> onFolded;
  findReferences(s, onFolded);
  findAmounts(s, kana, han, onFolded);
  findCountries(s, onFolded);
  struct Span {
    Candidate c;
    size_t begin;  // original bytes
    size_t end;
  };
  std::vector<Span> spans;
  for (Candidate& c : onFolded) {
    if (c.end <= c.begin) continue;
    const size_t b = folded.from[c.begin];
    const size_t e = folded.to[c.end - 1];
    spans.push_back({std::move(c), b, e});
  }
  std::vector<Candidate> onText;
  findCountryAbbreviations(text, onText);
  for (Candidate& c : onText) spans.push_back({std::move(c), c.begin, c.end});

  // E-mails and phones from the redaction scanner; its cards and IBANs block every other
  // candidate (an order number is never a card number).
  std::vector<std::pair<size_t, size_t>> blocked;
  for (const internal::PiiSpan& p : internal::findPii(text)) {
    const std::string_view slice = text.substr(p.begin, p.end - p.begin);
    if (p.kind == PiiKind::kEmail) {
      spans.push_back({{EntityType::kEmail, 0, 0, lowerAscii(slice)}, p.begin, p.end});
    } else if (p.kind == PiiKind::kPhone) {
      spans.push_back({{EntityType::kPhone, 0, 0, phoneDigits(slice)}, p.begin, p.end});
    } else {
      blocked.emplace_back(p.begin, p.end);
    }
  }

  // A bare number that a keyword made an order id but that carries a currency is an amount:
  // "pedido de 1500 euros".
  std::vector<bool> drop(spans.size(), false);
  for (size_t k = 0; k < spans.size(); ++k) {
    const Span& o = spans[k];
    if (o.c.type != EntityType::kOrderNumber || !allDigits(o.c.value)) continue;
    drop[k] = std::any_of(spans.begin(), spans.end(), [&](const Span& a) {
      return a.c.type == EntityType::kAmount && a.begin <= o.begin && o.end <= a.end &&
             a.end - a.begin > o.end - o.begin;
    });
  }
  std::vector<Span> kept;
  for (size_t k = 0; k < spans.size(); ++k) {
    if (!drop[k]) kept.push_back(std::move(spans[k]));
  }
  spans = std::move(kept);

  // Most specific type first, then the longer span, then the earlier one.
  std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    const int pa = priority(a.c.type);
    const int pb = priority(b.c.type);
    if (pa != pb) return pa < pb;
    if (a.end - a.begin != b.end - b.begin) return a.end - a.begin > b.end - b.begin;
    return a.begin < b.begin;
  });
  std::vector<const Span*> accepted;
  for (const Span& span : spans) {
    const auto overlaps = [&](size_t b, size_t e) { return span.begin < e && b < span.end; };
    if (std::any_of(blocked.begin(), blocked.end(),
                    [&](const auto& r) { return overlaps(r.first, r.second); })) {
      continue;
    }
    if (std::any_of(accepted.begin(), accepted.end(),
                    [&](const Span* a) { return overlaps(a->begin, a->end); })) {
      continue;
    }
    accepted.push_back(&span);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Span* a, const Span* b) { return a->begin < b->begin; });

  const std::vector<size_t> utf16 = utf16Offsets(text);
  std::vector<Entity> entities;
  entities.reserve(accepted.size());
  for (const Span* span : accepted) {
    Entity e;
    e.type = span->c.type;
    e.text = std::string(text.substr(span->begin, span->end - span->begin));
    e.value = span->c.value;
    e.start = utf16[span->begin];
    e.end = utf16[span->end];
    e.amount = span->c.amount;
    e.currency = span->c.currency;
    entities.push_back(std::move(e));
  }
  return entities;
}

}  // namespace kefu
