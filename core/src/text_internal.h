// Internal to kefu_core: the per-code-point pieces of normalize() for code that must keep track
// of where each folded character came from (entity spans), so that it folds exactly like
// normalize() without a second copy of the tables. Not installed, not part of the public API.
#ifndef KEFU_SRC_TEXT_INTERNAL_H_
#define KEFU_SRC_TEXT_INTERNAL_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace kefu {
namespace internal {

// Decodes the code point starting at byte i of valid UTF-8 and sets len to its byte length
// (U+FFFD and len 1 for a bad byte).
char32_t decodeUtf8At(std::string_view text, size_t i, size_t& len);

// Appends normalize()'s folding of one code point (0..3 code points: case, width and accent
// folding; dropped characters append nothing; white space appends ' ').
void foldCodePoint(char32_t c, std::u32string& out);

}  // namespace internal
}  // namespace kefu

#endif  // KEFU_SRC_TEXT_INTERNAL_H_
