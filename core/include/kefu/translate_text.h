// Text around the translation model (docs/core.md, "Translator"): spans that must survive a
// translation unchanged (e-mails, URLs, amounts, codes and numbers, glossary terms), sentence
// splitting that keeps separators, placeholders ⟦1⟧..⟦9⟧ and their restoration. Byte offsets
// throughout; input is valid UTF-8 (callers validate). Used by kefu::Translator.
//
//   auto spans = kefu::findProtectedSpans("Order GS-70345 costs €49.90.", {"Cirrus"});
//   // [{GS-70345, code}, {€49.90, amount}]
//   auto sentences = kefu::splitSentences(text, spans);   // [start, end) of every sentence
#ifndef KEFU_TRANSLATE_TEXT_H_
#define KEFU_TRANSLATE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kefu {

// Placeholders per sentence; further spans of a sentence stay ordinary text.
constexpr int kMaxPlaceholders = 9;

// A span of the source kept as written. kind: email, url, amount, code, number, glossary.
struct ProtectedSpan {
  size_t start = 0;     // byte offsets in the source text
  size_t end = 0;
  std::string text;
  std::string kind;
  int segment = -1;     // the sentence it is in (set by the translator)
  int placeholder = 0;  // 1..9 within its sentence, 0 = left as text (more than nine)
};

// Finds the spans to protect, sorted by start and non-overlapping (at the same start the longer
// wins; e-mails and URLs before glossary terms, glossary terms before amounts, codes, numbers).
// Glossary terms match exactly (case-sensitive) and not inside a longer word; empty terms are
// ignored.
std::vector<ProtectedSpan> findProtectedSpans(std::string_view text,
                                              const std::vector<std::string>& glossary);

// [start, end) byte range of one sentence; what lies between sentences (spaces, newlines) is
// kept verbatim by the translator.
struct TextRange {
  size_t start = 0;
  size_t end = 0;
};

// Splits into sentences after . ! ? … (plus closing quotes/brackets) followed by a space,
// after 。！？ always, and at every line break; never inside a protected span, after a known
// abbreviation (e.g., No., Dr., z.B., ...) or before a lower-case letter or digit ("No. 5").
// Ranges exclude surrounding whitespace; a text of only whitespace has none.
std::vector<TextRange> splitSentences(std::string_view text,
                                      const std::vector<ProtectedSpan>& spans);

// "⟦k⟧" for k in 1..9.
std::string placeholderText(int k);

// The model's text for text[range]: protected spans inside the range whose `placeholder` is set
// become ⟦k⟧; literal placeholder or tag strings in the rest (⟦1⟧, <2de>, <formal>) are
// defused with ordinary brackets so SentencePiece cannot read them as special pieces.
std::string placeholderSource(std::string_view text, TextRange range,
                              const std::vector<ProtectedSpan>& spans);

// A placeholder piece in decoded model output: ⟦k⟧ at bytes [start, end).
struct PlaceholderMark {
  int placeholder = 0;
  size_t start = 0;
  size_t end = 0;
};

// Every literal ⟦1⟧..⟦9⟧ in `text` (the translator uses the decoder's piece ids instead).
std::vector<PlaceholderMark> findPlaceholderMarks(std::string_view text);

struct RestoredText {
  std::string text;
  std::vector<std::string> missing;  // spans the output lacked, appended at the end
  int duplicates = 0;                // extra copies removed
};

// Puts the spans back into decoded output: each mark becomes its span's text as often as the
// span occurs in the source sentence (`sentence_spans`, those with a placeholder), extra copies
// are removed, a span missing from the output is appended after a space. Marks of placeholders
// not in `sentence_spans` are removed. Spaces are then collapsed and trimmed.
RestoredText restorePlaceholders(std::string_view decoded, const std::vector<PlaceholderMark>& marks,
                                 const std::vector<const ProtectedSpan*>& sentence_spans);

// Collapses runs of spaces/tabs to one space and trims both ends.
std::string tidySpaces(std::string_view text);

}  // namespace kefu

#endif  // KEFU_TRANSLATE_TEXT_H_
