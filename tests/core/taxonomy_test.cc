#include "kefu/taxonomy.h"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

TEST_CASE("taxonomy: compiled-in intents equal shared/taxonomy/intents.json") {
  std::ifstream file(std::string(KEFU_SHARED_DIR) + "/taxonomy/intents.json");
  REQUIRE_MESSAGE(file.good(), "cannot read " KEFU_SHARED_DIR "/taxonomy/intents.json");
  std::stringstream buffer;
  buffer << file.rdbuf();
  auto doc = nlohmann::json::parse(buffer.str(), nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  std::vector<std::string> shared;
  for (const auto& intent : doc["intents"]) shared.push_back(intent["name"].get<std::string>());
  CHECK(shared.size() == 37);
  CHECK(kefu::intentNames() == shared);
}

TEST_CASE("taxonomy: known intents and languages") {
  CHECK(kefu::isKnownIntent("delivery_period"));
  CHECK_FALSE(kefu::isKnownIntent("refund_me"));
  CHECK(kefu::supportedLanguages().size() == 10);
  CHECK(kefu::isSupportedLanguage("ko"));
  CHECK_FALSE(kefu::isSupportedLanguage("ru"));
  CHECK(kefu::languageOfLocale("es-ES") == "es");
  CHECK(kefu::languageOfLocale("zh_Hant_TW") == "zh");
  CHECK(kefu::languageOfLocale("PT-br") == "pt");
  CHECK(kefu::languageOfLocale("ru-RU").empty());
  CHECK(kefu::languageOfLocale("").empty());
}
