#include "kefu/taxonomy.h"

#include <algorithm>

namespace kefu {

const std::vector<std::string>& intentNames() {
  // Compiled in so that the core needs no file access; tests/core/taxonomy_test.cc fails when
  // this list drifts from shared/taxonomy/intents.json.
  static const std::vector<std::string> kNames = {
      "track_order",
      "cancel_order",
      "change_order",
      "place_order",
      "delivery_options",
      "delivery_period",
      "shipping_cost",
      "international_shipping",
      "customs_duties",
      "change_shipping_address",
      "delivery_problem",
      "return_item",
      "exchange_item",
      "get_refund",
      "track_refund",
      "check_refund_policy",
      "check_cancellation_fee",
      "product_info",
      "product_availability",
      "damaged_item",
      "wrong_item",
      "technical_issue",
      "check_payment_methods",
      "payment_issue",
      "discount_code",
      "get_invoice",
      "create_account",
      "edit_account",
      "recover_password",
      "delete_account",
      "contact_human_agent",
      "complaint",
      "feedback",
      "greeting",
      "thanks",
      "goodbye",
      "out_of_scope",
  };
  return kNames;
}

bool isKnownIntent(std::string_view name) {
  const auto& names = intentNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<std::string>& supportedLanguages() {
  static const std::vector<std::string> kLanguages = {"en", "zh", "es", "fr", "de",
                                                      "pt", "it", "ja", "ko", "nl"};
  return kLanguages;
}

bool isSupportedLanguage(std::string_view code) {
  const auto& languages = supportedLanguages();
  return std::find(languages.begin(), languages.end(), code) != languages.end();
}

std::string languageOfLocale(std::string_view locale) {
  std::string primary;
  for (char c : locale) {
    if (c == '-' || c == '_') break;
    primary.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return isSupportedLanguage(primary) ? primary : std::string();
}

}  // namespace kefu
