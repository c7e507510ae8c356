// Text handling shared by retrieval, policy and redaction: strict UTF-8 validation, a
// normalisation fit for matching (NFKC-like width/compatibility folding, case folding, Latin
// accent stripping, punctuation to spaces, controls removed) and a tokeniser that splits
// Latin/Greek/Cyrillic/Hebrew/Arabic text into words and Han/Kana/Hangul into characters plus
// character bigrams. All tables are compiled in; there is no ICU.
//
//   auto norm = kefu::normalize("Ｗhere is my ÉCLAIR?");   // "where is my eclair"
//   auto toks = kefu::tokenize("退货政策");                  // 退 退货 货 货政 政 政策 策
//   if (!toks.ok()) report(toks.status());                 // invalid_argument (byte N)
#ifndef KEFU_TEXT_H_
#define KEFU_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/status.h"

namespace kefu {

// The longest customer message the core accepts, in UTF-8 bytes; longer ones are refused with
// out_of_range (the SDK truncates or refuses before that with a clear message).
constexpr size_t kMaxMessageBytes = 10000;

// Returns the 0-based byte offset of the first byte that does not start a well-formed UTF-8
// sequence (overlongs, surrogates, code points above U+10FFFF, stray or missing continuation
// bytes), or nullopt when the whole text is valid.
std::optional<size_t> findInvalidUtf8(std::string_view text);

// Returns ok for valid UTF-8, else invalid_argument "<what> is not valid UTF-8 (byte N)".
Status validateUtf8(std::string_view text, std::string_view what = "text");

// Decodes text that findInvalidUtf8 accepted. Invalid input yields U+FFFD per bad byte rather
// than undefined behaviour, but callers are expected to validate first.
std::u32string decodeUtf8(std::string_view text);

// Appends the UTF-8 encoding of `cp` to `out` (cp must be a scalar value).
void appendUtf8(char32_t cp, std::string& out);

// Returns, for every byte offset 0..text.size() of valid UTF-8, the matching offset in UTF-16
// code units (what JavaScript string indices count). Offsets inside a sequence map to the start
// of that sequence's code point.
std::vector<size_t> utf16Offsets(std::string_view text);

// Normalises text for matching: see docs/core.md ("Normalisation"). Words are separated by one
// space; Han/Kana runs and Hangul runs are separated from other scripts by a space. Emoji and
// symbols become separators. Fails with invalid_argument on invalid UTF-8.
StatusOr<std::string> normalize(std::string_view text);

// Splits the output of normalize() into retrieval tokens: one token per word for alphabetic
// scripts; for Han/Kana runs every character and every adjacent pair; for Hangul runs the whole
// space-separated word plus characters and pairs. Never fails.
std::vector<std::string> tokenizeNormalized(std::string_view normalized);

// normalize() followed by tokenizeNormalized(). Fails with invalid_argument on invalid UTF-8.
StatusOr<std::vector<std::string>> tokenize(std::string_view text);

}  // namespace kefu

#endif  // KEFU_TEXT_H_
