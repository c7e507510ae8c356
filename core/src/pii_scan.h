// Internal to kefu_core: the PII scanner behind redactPii(), for entity extraction, which
// reports e-mails and phones with the same rules and must not call a card number an order.
// Not installed, not part of the public API.
#ifndef KEFU_SRC_PII_SCAN_H_
#define KEFU_SRC_PII_SCAN_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "kefu/redaction.h"

namespace kefu {
namespace internal {

struct PiiSpan {
  PiiKind kind = PiiKind::kEmail;
  size_t begin = 0;  // bytes into the text
  size_t end = 0;    // exclusive
};

// The non-overlapping findings redactPii() replaces, in text order (byte offsets). `text` must
// be valid UTF-8 (callers validate first).
std::vector<PiiSpan> findPii(std::string_view text);

}  // namespace internal
}  // namespace kefu

#endif  // KEFU_SRC_PII_SCAN_H_
