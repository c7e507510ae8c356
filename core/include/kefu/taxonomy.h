// The shared identifiers every part of Kefu agrees on: the 37 intent names of
// shared/taxonomy/intents.json (a unit test keeps the two lists identical) and the ten
// languages Kefu speaks.
//
//   if (!kefu::isKnownIntent("refund_me")) return invalidArgumentError("unknown intent");
//   kefu::languageOfLocale("pt-BR");   // "pt"
#ifndef KEFU_TAXONOMY_H_
#define KEFU_TAXONOMY_H_

#include <string>
#include <string_view>
#include <vector>

namespace kefu {

// The intent names in the order of intents.json. Never fails.
const std::vector<std::string>& intentNames();

// True when `name` is one of intentNames().
bool isKnownIntent(std::string_view name);

// The ten language codes: en, zh, es, fr, de, pt, it, ja, ko, nl.
const std::vector<std::string>& supportedLanguages();

// True when `code` is one of supportedLanguages() (exact, lower case).
bool isSupportedLanguage(std::string_view code);

// The supported language of a BCP 47 locale ("es-ES" -> "es", "zh_Hant_TW" -> "zh", "EN" ->
// "en"), or "" when the primary subtag is not one of the ten.
std::string languageOfLocale(std::string_view locale);

}  // namespace kefu

#endif  // KEFU_TAXONOMY_H_
