#include "kefu/text.h"

#include <array>
#include <cstdint>

#include "text_internal.h"

namespace kefu {
namespace {

// Length of the sequence that starts at text[i] if it is well-formed, else 0.
size_t wellFormedLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const size_t left = text.size() - i;
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  const auto cont = [&](size_t k) { return k < text.size() && (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogate halves
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
}

// Decodes one code point at text[i]; `len` receives the bytes consumed (1 for a bad byte).
char32_t decodeAt(std::string_view text, size_t i, size_t& len) {
  len = wellFormedLength(text, i);
  const auto b = [&](size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[k]));
  };
  switch (len) {
    case 1:
      return b(i);
    case 2:
      return ((b(i) & 0x1F) << 6) | (b(i + 1) & 0x3F);
    case 3:
      return ((b(i) & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    case 4:
      return ((b(i) & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
             (b(i + 3) & 0x3F);
    default:
      len = 1;
      return 0xFFFD;
  }
}

// ---- folding tables -------------------------------------------------------------------------

// U+00C0..U+00FF after case folding and accent stripping; "" means "not a letter".
constexpr std::array<const char*, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0
};

// U+0100..U+017F after folding and stripping; '*' marks the two-letter ligatures.
constexpr char kLatinExtA[] =
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "ii**jjkkklllllll"
    "lllnnnnnnnnnoooo"
    "oo**rrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzzs";

// Half-width katakana U+FF61..U+FF9F to their full-width forms (the last two are the
// combining voiced marks, composed later).
constexpr std::array<char16_t, 63> kHalfwidthKana = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x3099, 0x309A,
};

bool isDropped(char32_t c) {
  if (c < 0x20) return !(c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v');
  if (c >= 0x7F && c <= 0x9F) return c != 0x85;
  if (c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x2060 || c == 0xFEFF) return true;
  if (c >= 0x200B && c <= 0x200F) return true;    // zero-width chars, LRM/RLM
  if (c >= 0x202A && c <= 0x202E) return true;    // bidi embeddings and overrides
  if (c >= 0x2066 && c <= 0x2069) return true;    // bidi isolates
  if (c >= 0xFE00 && c <= 0xFE0F) return true;    // variation selectors (emoji presentation)
  if (c >= 0xE0000 && c <= 0xE007F) return true;  // tag characters (flag sequences)
  // Combining diacritics: dropping them strips accents from decomposed input too.
  if (c >= 0x0300 && c <= 0x036F) return true;
  if (c >= 0x1AB0 && c <= 0x1AFF) return true;
  if (c >= 0x1DC0 && c <= 0x1DFF) return true;
  if (c >= 0x20D0 && c <= 0x20FF) return true;
  // Hebrew points and Arabic harakat are optional vowel marks; matching ignores them.
  if ((c >= 0x0591 && c <= 0x05BD) || c == 0x05BF || c == 0x05C1 || c == 0x05C2 || c == 0x05C4 ||
      c == 0x05C5 || c == 0x05C7)
    return true;
  if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640) return true;
  return false;
}

bool isSpaceLike(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ' ' || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Appends the folded form of one code point (0..3 code points) to `out`.
void fold(char32_t c, std::u32string& out) {
  if (isDropped(c)) return;
  if (isSpaceLike(c)) {
    out.push_back(' ');
    return;
  }
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII, then fold further
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  if (c >= 0xC0 && c <= 0xFF) {
    for (const char* p = kLatin1[c - 0xC0]; *p; ++p) out.push_back(static_cast<char32_t>(*p));
    if (*kLatin1[c - 0xC0] == '\0') out.push_back(' ');  // multiplication and division signs
    return;
  }
  if (c == 0xAA) return out.push_back('a');
  if (c == 0xBA) return out.push_back('o');
  if (c == 0xB2 || c == 0xB3) return out.push_back('2' + (c - 0xB2));
  if (c == 0xB9) return out.push_back('1');
  if (c == 0xB5) return out.push_back(0x03BC);  // micro sign -> Greek mu
  if (c >= 0x100 && c <= 0x17F) {
    const char base = kLatinExtA[c - 0x100];
    if (base != '*') return out.push_back(static_cast<char32_t>(base));
    if (c <= 0x133) {
      out.push_back('i');
      out.push_back('j');
    } else {
      out.push_back('o');
      out.push_back('e');
    }
    return;
  }
  if (c >= 0x1C4 && c <= 0x1CC) {  // DŽ, LJ, NJ digraphs in their three cases
    static const char* const kDigraphs[] = {"dz", "lj", "nj"};
    for (const char* p = kDigraphs[(c - 0x1C4) / 3]; *p; ++p) out.push_back(*p);
    return;
  }
  if (c >= 0x1F1 && c <= 0x1F3) {
    out.push_back('d');
    out.push_back('z');
    return;
  }
  if (c >= 0x1CD && c <= 0x1DC) {  // pinyin tone letters
    static const char kPinyin[] = "aaiioouuuuuuuuuu";
    return out.push_back(static_cast<char32_t>(kPinyin[c - 0x1CD]));
  }
  switch (c) {
    case 0x0218:
    case 0x0219:
      return out.push_back('s');
    case 0x021A:
    case 0x021B:
      return out.push_back('t');
    case 0x01A0:
    case 0x01A1:
      return out.push_back('o');
    case 0x01AF:
    case 0x01B0:
      return out.push_back('u');
    case 0x1E9E:
      out.push_back('s');
      return out.push_back('s');
    case 0x2126:
      return out.push_back(0x03C9);  // ohm -> omega
    case 0x212A:
      return out.push_back('k');  // kelvin
    case 0x212B:
      return out.push_back('a');  // angstrom
    default:
      break;
  }
  if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) {
    return out.push_back(c % 2 == 0 ? c + 1 : c);
  }
  // Greek: case fold and drop tonos/dialytika.
  if (c >= 0x0386 && c <= 0x03CE) {
    switch (c) {
      case 0x0386:
      case 0x03AC:
        return out.push_back(0x03B1);
      case 0x0388:
      case 0x03AD:
        return out.push_back(0x03B5);
      case 0x0389:
      case 0x03AE:
        return out.push_back(0x03B7);
      case 0x038A:
      case 0x03AF:
      case 0x0390:
      case 0x03AA:
      case 0x03CA:
        return out.push_back(0x03B9);
      case 0x038C:
      case 0x03CC:
        return out.push_back(0x03BF);
      case 0x038E:
      case 0x03CD:
      case 0x03B0:
      case 0x03AB:
      case 0x03CB:
        return out.push_back(0x03C5);
      case 0x038F:
      case 0x03CE:
        return out.push_back(0x03C9);
      case 0x03C2:
        return out.push_back(0x03C3);  // final sigma
      case 0x0387:
        return out.push_back(' ');
      default:
        break;
    }
    if (c >= 0x0391 && c <= 0x03A9 && c != 0x03A2) return out.push_back(c + 0x20);
    return out.push_back(c);
  }
  // Cyrillic.
  if (c >= 0x0400 && c <= 0x052F) {
    if (c == 0x0401 || c == 0x0451) return out.push_back(0x0435);  // ё -> е
    if (c <= 0x040F) return out.push_back(c + 0x50);
    if (c <= 0x042F) return out.push_back(c + 0x20);
    if (c == 0x04C0) return out.push_back(0x04CF);
    const bool evenUpper = (c >= 0x0460 && c <= 0x0481) || (c >= 0x048A && c <= 0x04BF) ||
                           (c >= 0x04D0 && c <= 0x052F);
    if (evenUpper && c % 2 == 0) return out.push_back(c + 1);
    if (c >= 0x04C1 && c <= 0x04CE && c % 2 == 1) return out.push_back(c + 1);
    return out.push_back(c);
  }
  if (c >= 0x0660 && c <= 0x0669) return out.push_back('0' + (c - 0x0660));
  if (c >= 0x06F0 && c <= 0x06F9) return out.push_back('0' + (c - 0x06F0));
  if (c >= 0xFB00 && c <= 0xFB06) {
    static const char* const kLigatures[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
    for (const char* p = kLigatures[c - 0xFB00]; *p; ++p) out.push_back(*p);
    return;
  }
  if (c >= 0x2460 && c <= 0x2468) return out.push_back('1' + (c - 0x2460));  // circled 1-9
  if (c >= 0xFF61 && c <= 0xFF9F) return out.push_back(kHalfwidthKana[c - 0xFF61]);
  // Half-width Hangul compatibility jamo.
  if (c >= 0xFFA1 && c <= 0xFFBE) return out.push_back(c - 0xFFA1 + 0x3131);
  if (c >= 0xFFC2 && c <= 0xFFC7) return out.push_back(c - 0xFFC2 + 0x314F);
  if (c >= 0xFFCA && c <= 0xFFCF) return out.push_back(c - 0xFFCA + 0x3155);
  if (c >= 0xFFD2 && c <= 0xFFD7) return out.push_back(c - 0xFFD2 + 0x315B);
  if (c >= 0xFFDA && c <= 0xFFDC) return out.push_back(c - 0xFFDA + 0x3161);
  out.push_back(c);
}

// ---- composition ----------------------------------------------------------------------------

bool isVoicedMark(char32_t c) { return c == 0x3099 || c == 0x309B; }
bool isSemiVoicedMark(char32_t c) { return c == 0x309A || c == 0x309C; }

// The kana that `base` + dakuten composes to, or 0.
char32_t withDakuten(char32_t base) {
  const bool katakana = base >= 0x30A1 && base <= 0x30FE;
  const char32_t h = katakana ? base - 0x60 : base;  // hiragana equivalent
  if ((h >= 0x304B && h <= 0x3061 && h % 2 == 1) || h == 0x3064 || h == 0x3066 || h == 0x3068 ||
      (h >= 0x306F && h <= 0x307B && (h - 0x306F) % 3 == 0))
    return base + 1;
  if (base == 0x3046) return 0x3094;
  if (base == 0x30A6) return 0x30F4;
  if (base >= 0x30EF && base <= 0x30F2) return base + 8;
  if (base == 0x309D || base == 0x30FD) return base + 1;
  return 0;
}

char32_t withHandakuten(char32_t base) {
  const bool katakana = base >= 0x30A1 && base <= 0x30FE;
  const char32_t h = katakana ? base - 0x60 : base;
  if (h >= 0x306F && h <= 0x307B && (h - 0x306F) % 3 == 0) return base + 2;
  return 0;
}

// Composes kana + voiced marks and conjoining Hangul jamo, the two NFC compositions that
// matter for ja/ko input (IMEs and macOS file names produce the decomposed forms).
std::u32string compose(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (!out.empty()) {
      const char32_t prev = out.back();
      if (isVoicedMark(c) || isSemiVoicedMark(c)) {
        const char32_t composed = isVoicedMark(c) ? withDakuten(prev) : withHandakuten(prev);
        if (composed) out.back() = composed;
        continue;  // an orphan mark carries no meaning for matching
      }
      if (prev >= 0x1100 && prev <= 0x1112 && c >= 0x1161 && c <= 0x1175) {
        out.back() = 0xAC00 + ((prev - 0x1100) * 21 + (c - 0x1161)) * 28;
        continue;
      }
      if (prev >= 0xAC00 && prev <= 0xD7A3 && (prev - 0xAC00) % 28 == 0 && c >= 0x11A8 &&
          c <= 0x11C2) {
        out.back() = prev + (c - 0x11A7);
        continue;
      }
    } else if (isVoicedMark(c) || isSemiVoicedMark(c)) {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// ---- classification -------------------------------------------------------------------------

enum class CharClass { kSeparator, kWord, kCjk, kHangul };

CharClass classify(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? CharClass::kWord
                                                            : CharClass::kSeparator;
  }
  if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
      (c >= 0x3131 && c <= 0x318E) || (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF))
    return CharClass::kHangul;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
      (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FA) ||
      (c >= 0x30FC && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || c == 0x3005 || c == 0x3006 ||
      c == 0x3007 || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F))
    return CharClass::kCjk;
  if (c == 0xD7 || c == 0xF7) return CharClass::kSeparator;
  const bool word =
      (c >= 0x00C0 && c <= 0x02AF) ||                                  // Latin extended, IPA
      (c >= 0x0370 && c <= 0x03FF && c != 0x037E && c != 0x0375) ||    // Greek
      (c >= 0x0400 && c <= 0x0482) || (c >= 0x048A && c <= 0x052F) ||  // Cyrillic
      (c >= 0x0531 && c <= 0x0556) || (c >= 0x0560 && c <= 0x0588) ||  // Armenian
      (c >= 0x05D0 && c <= 0x05EA) || (c >= 0x05EF && c <= 0x05F2) ||  // Hebrew letters
      (c >= 0x0620 && c <= 0x064A) || (c >= 0x066E && c <= 0x06D3) || c == 0x06D5 ||
      (c >= 0x06E5 && c <= 0x06E6) || (c >= 0x06EE && c <= 0x06FC) || c == 0x06FF ||
      (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08FF) ||  // Arabic
      (c >= 0x0900 && c <= 0x0963) || (c >= 0x0966 && c <= 0x0DFF) ||  // Indic
      (c >= 0x0E01 && c <= 0x0E4E) || (c >= 0x0E50 && c <= 0x0EFF) ||  // Thai, Lao
      (c >= 0x10A0 && c <= 0x10FF) ||                                  // Georgian
      (c >= 0x1E00 && c <= 0x1FFF) ||  // Latin extended additional, Greek extended
      (c >= 0x2C00 && c <= 0x2DFF) || (c >= 0xA640 && c <= 0xA69F) || (c >= 0xA720 && c <= 0xA7FF);
  return word ? CharClass::kWord : CharClass::kSeparator;
}

CharClass classOfFirst(std::string_view s) {
  size_t len = 0;
  return s.empty() ? CharClass::kSeparator : classify(decodeAt(s, 0, len));
}

}  // namespace

std::optional<size_t> findInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Fast path for ASCII, the bulk of most messages.
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = wellFormedLength(text, i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

Status validateUtf8(std::string_view text, std::string_view what) {
  if (auto bad = findInvalidUtf8(text)) {
    return invalidArgumentError(std::string(what) + " is not valid UTF-8 (byte " +
                                std::to_string(*bad) + ")");
  }
  return okStatus();
}

std::u32string decodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    out.push_back(decodeAt(text, i, len));
    i += len;
  }
  return out;
}

void appendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::vector<size_t> utf16Offsets(std::string_view text) {
  std::vector<size_t> offsets(text.size() + 1, 0);
  size_t i = 0;
  size_t units = 0;
  while (i < text.size()) {
    size_t len = 0;
    const char32_t cp = decodeAt(text, i, len);
    for (size_t k = 0; k < len; ++k) offsets[i + k] = units;
    units += cp >= 0x10000 ? 2 : 1;
    i += len;
  }
  offsets[text.size()] = units;
  return offsets;
}

StatusOr<std::string> normalize(std::string_view text) {
  KEFU_RETURN_IF_ERROR(validateUtf8(text));
  std::u32string folded;
  folded.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    fold(decodeAt(text, i, len), folded);
    i += len;
  }
  const std::u32string composed = compose(folded);

  std::string out;
  out.reserve(text.size());
  CharClass previous = CharClass::kSeparator;
  for (char32_t c : composed) {
    const CharClass cls = classify(c);
    if (cls == CharClass::kSeparator) {
      previous = cls;
      continue;
    }
    // One space at every word boundary and at every change of script class, so that the
    // tokeniser can treat each space-separated chunk uniformly.
    if (!out.empty() && cls != previous) out.push_back(' ');
    appendUtf8(c, out);
    previous = cls;
  }
  return out;
}

std::vector<std::string> tokenizeNormalized(std::string_view normalized) {
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    const std::string_view chunk = normalized.substr(start, end - start);
    start = end + 1;
    if (chunk.empty()) continue;
    const CharClass cls = classOfFirst(chunk);
    if (cls != CharClass::kCjk && cls != CharClass::kHangul) {
      tokens.emplace_back(chunk);
      continue;
    }
    // Split the chunk into characters (byte ranges) for unigrams and bigrams.
    std::vector<std::string_view> chars;
    size_t k = 0;
    while (k < chunk.size()) {
      size_t len = 0;
      decodeAt(chunk, k, len);
      chars.push_back(chunk.substr(k, len));
      k += len;
    }
    if (cls == CharClass::kHangul && chars.size() > 1) tokens.emplace_back(chunk);
    for (size_t c = 0; c < chars.size(); ++c) {
      tokens.emplace_back(chars[c]);
      if (c + 1 < chars.size()) {
        tokens.emplace_back(std::string(chars[c]) + std::string(chars[c + 1]));
      }
    }
  }
  return tokens;
}

StatusOr<std::vector<std::string>> tokenize(std::string_view text) {
  StatusOr<std::string> normalized = normalize(text);
  if (!normalized.ok()) return normalized.status();
  return tokenizeNormalized(*normalized);
}

namespace internal {

char32_t decodeUtf8At(std::string_view text, size_t i, size_t& len) {
  return decodeAt(text, i, len);
}

void foldCodePoint(char32_t c, std::u32string& out) { fold(c, out); }

}  // namespace internal

}  // namespace kefu
