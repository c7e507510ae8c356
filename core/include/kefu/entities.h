// Entity extraction from one customer message: order numbers, tracking numbers, e-mail
// addresses, phone numbers, countries and amounts of money, each with its span in UTF-16 code
// units of the original text (what JavaScript indexes) and a normalised value. Rule-based and
// table-driven (no model): keyword contexts in the ten languages, carrier formats, a country
// gazetteer and currency patterns; e-mails and phones come from the redaction scanner, so both
// agree on what a phone number is. Rules and limits: docs/entities.md.
//
//   auto found = kefu::extractEntities("Bestellung GS-58213 nach Spanien, 49,90 € bezahlt");
//   if (!found.ok()) return found.status();            // invalid_argument: invalid UTF-8
//   for (const kefu::Entity& e : *found) {
//     // order_number "GS-58213" [11,19) value "GS-58213"; country "Spanien" value "ES";
//     // amount "49,90 €" value "49.90 EUR" (e.amount == 49.9, e.currency == "EUR")
//   }
#ifndef KEFU_ENTITIES_H_
#define KEFU_ENTITIES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/status.h"

namespace kefu {

enum class EntityType { kOrderNumber = 0, kTrackingNumber, kEmail, kPhone, kCountry, kAmount };
constexpr size_t kEntityTypeCount = 6;

// "order_number" | "tracking_number" | "email" | "phone" | "country" | "amount" (the names of
// the shared taxonomy). Never fails.
const char* entityTypeName(EntityType type);

struct Entity {
  EntityType type = EntityType::kOrderNumber;
  std::string text;  // the matched slice of the original text, as written
  // Normalised value: order number upper-cased without a leading '#' ("A1234", "100-2938475");
  // tracking number upper-cased without spaces ("1Z999AA10123456784"); e-mail lower-cased;
  // phone digits with a leading '+' when written ("+34612345678"); country ISO 3166-1 alpha-2
  // ("ES"); amount "<number> <ISO 4217>" ("49.90 EUR", "3200 JPY").
  std::string value;
  size_t start = 0;  // UTF-16 code units into the original text
  size_t end = 0;    // exclusive
  // Amounts only: the number and its ISO 4217 currency (others: 0 and "").
  double amount = 0;
  std::string currency;
};

// Finds the entities of `text`, in text order and non-overlapping (where candidates overlap,
// the more specific type wins: e-mail, tracking number, order number, amount, phone, country;
// within a type the longer span). Any length is accepted (linear time). Fails with
// invalid_argument on invalid UTF-8.
StatusOr<std::vector<Entity>> extractEntities(std::string_view text);

}  // namespace kefu

#endif  // KEFU_ENTITIES_H_
