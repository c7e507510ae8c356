// PII redaction for everything that leaves the device: e-mail addresses, phone numbers,
// payment-card numbers (Luhn-valid only) and IBANs (mod-97-valid only) become "[email]",
// "[phone]", "[card]", "[iban]". Order numbers (#A1234), years and dates stay. Offsets are
// reported in UTF-16 code units of the original text so JavaScript can slice it directly.
//
//   auto r = kefu::redactPii("mail a@b.example or call +34 612 345 678");
//   // r->text == "mail [email] or call [phone]"; r->redactions[1].start == 20 (UTF-16)
#ifndef KEFU_REDACTION_H_
#define KEFU_REDACTION_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/status.h"

namespace kefu {

enum class PiiKind { kEmail = 0, kPhone, kCard, kIban };
constexpr size_t kPiiKindCount = 4;

// "email" | "phone" | "card" | "iban". Never fails.
const char* piiKindName(PiiKind kind);

struct Redaction {
  PiiKind kind = PiiKind::kEmail;
  size_t start = 0;  // UTF-16 code units into the original text
  size_t end = 0;    // exclusive
};

struct RedactionResult {
  std::string text;                   // the original with every finding replaced
  std::vector<Redaction> redactions;  // in text order, non-overlapping
  // Findings per PiiKind (indexed by the enum value).
  std::array<size_t, kPiiKindCount> counts() const;
};

// Finds and replaces PII (rules in docs/core.md, "Redaction"). When spans overlap the earlier
// kind in e-mail, IBAN, card, phone order wins. Fails with invalid_argument on invalid UTF-8.
StatusOr<RedactionResult> redactPii(std::string_view text);

// Luhn checksum over the digits of `digits` (other characters ignored); false for no digits.
bool luhnValid(std::string_view digits);

// ISO 13616 mod-97 check over an IBAN without spaces (case-insensitive); also checks the
// shape: two letters, two digits, alphanumeric BBAN, 15..34 characters.
bool ibanValid(std::string_view iban);

}  // namespace kefu

#endif  // KEFU_REDACTION_H_
