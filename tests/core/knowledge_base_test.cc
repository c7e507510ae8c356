#include "kefu/knowledge_base.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_kb.h"

namespace {

using nlohmann::json;

json baseKb() { return json::parse(kefu_test::kTestKb); }

// Parses `kb` and requires an invalid_argument error whose message contains `needle`.
void expectError(const std::string& kb, const std::string& needle,
                 kefu::StatusCode code = kefu::StatusCode::kInvalidArgument) {
  auto parsed = kefu::KnowledgeBase::parse(kb);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == code);
  CHECK_MESSAGE(parsed.status().message().find(needle) != std::string::npos,
                parsed.status().message());
}

void expectKbError(const json& kb, const std::string& needle) { expectError(kb.dump(), needle); }

}  // namespace

TEST_CASE("kb: the sample knowledge base loads") {
  auto kb = kefu::KnowledgeBase::parse(kefu_test::kTestKb);
  REQUIRE_MESSAGE(kb.ok(), kb.status().toString());
  CHECK(kb->shop().id == "global-select");
  CHECK(kb->shop().languages == std::vector<std::string>{"en", "zh", "es"});
  CHECK(kb->shop().escalation_endpoint == "http://127.0.0.1:8787");
  CHECK(kb->entries().size() == 6);
  CHECK(kb->entries()[0].questions.at("zh").size() == 2);
  CHECK(kb->shop().business_hours[4][0].end == 17 * 60);
}

TEST_CASE("kb: malformed JSON") {
  expectError("{\"kefu_kb\": 1, ", "knowledge base is not valid JSON");
  expectError("{\"kefu_kb\": 1, ", "line 1");
  expectError("[1, 2]", "(root): expected an object");
  expectError(std::string("{\"a\":\"\xff\"}"), "knowledge base is not valid UTF-8 (byte 6)");
}

TEST_CASE("kb: version and top-level types") {
  json kb = baseKb();
  kb["kefu_kb"] = 2;
  expectKbError(kb, "kefu_kb: unsupported format version 2");
  kb = baseKb();
  kb.erase("kefu_kb");
  expectKbError(kb, "kefu_kb: missing");
  kb = baseKb();
  kb["entries"] = json::object();
  expectKbError(kb, "entries: expected an array, got an object");
  kb["entries"] = json::array();
  expectKbError(kb, "entries: needs at least one entry");
}

TEST_CASE("kb: wrong types name the field path") {
  json kb = baseKb();
  kb["shop"]["name"] = 42;
  expectKbError(kb, "shop.name: expected a string, got a number");
  kb = baseKb();
  kb["entries"][2]["questions"]["en"] = "What is your return policy?";
  expectKbError(kb, "entries[2].questions.en: expected a non-empty array of strings");
  kb = baseKb();
  kb["entries"][1]["questions"]["es"][1] = nullptr;
  expectKbError(kb, "entries[1].questions.es[1]: expected a string, got null");
  kb = baseKb();
  kb["entries"][0]["answers"]["en"] = json::array();
  expectKbError(kb, "entries[0].answers.en: expected a string, got an array");
}

TEST_CASE("kb: unknown intent") {
  json kb = baseKb();
  kb["entries"][3]["intent"] = "refund_me";
  expectKbError(kb, "entries[3].intent: unknown intent \"refund_me\" (see docs/knowledge-base.md)");
}

TEST_CASE("kb: duplicate and malformed ids") {
  json kb = baseKb();
  kb["entries"][4]["id"] = "shipping-cost";
  expectKbError(kb, "entries[4].id: duplicate id \"shipping-cost\" (first used at entries[1])");
  kb = baseKb();
  kb["entries"][0]["id"] = "Has Spaces";
  expectKbError(kb, "entries[0].id: \"Has Spaces\" must be 1-64 characters");
  kb = baseKb();
  kb["shop"]["id"] = "global_select";
  expectKbError(kb, "shop.id: \"global_select\" must be 1-64 characters of a-z, 0-9, -");
}

TEST_CASE("kb: languages") {
  json kb = baseKb();
  kb["entries"][4]["answers"].erase("en");
  kb["entries"][4]["answers"]["es"] = "Usa el enlace.";
  expectKbError(kb, "entries[4].answers.en: missing answer in shop.default_language \"en\"");
  kb = baseKb();
  kb["entries"][0]["questions"]["ru"] = {"Сколько идёт доставка?"};
  expectKbError(kb, "entries[0].questions.ru: unsupported language \"ru\"");
  kb = baseKb();
  kb["entries"][0]["answers"]["fr"] = "Livraison en 3 jours.";
  expectKbError(kb, "entries[0].answers.fr: language \"fr\" is not in shop.languages");
  kb = baseKb();
  kb["shop"]["default_language"] = "ja";
  expectKbError(kb, "shop.languages: must include shop.default_language \"ja\"");
  kb = baseKb();
  kb["shop"]["languages"] = {"en", "en"};
  expectKbError(kb, "shop.languages[1]: duplicate language \"en\"");
}

TEST_CASE("kb: empty questions") {
  json kb = baseKb();
  kb["entries"][0]["questions"]["en"][1] = "  ?!  ";
  expectKbError(kb, "entries[0].questions.en[1]: empty question");
  kb = baseKb();
  kb["entries"][0]["questions"] = json::object();
  expectKbError(kb, "entries[0].questions: needs at least one language");
}

TEST_CASE("kb: bad business hours") {
  json kb = baseKb();
  kb["shop"]["business_hours"]["mon"] = json::array({json::array({"9:00", "18:00"})});
  expectKbError(kb, "shop.business_hours.mon[0]: expected [\"HH:MM\",\"HH:MM\"]");
  kb["shop"]["business_hours"]["mon"] = json::array({json::array({"09:00"})});
  expectKbError(kb, "shop.business_hours.mon[0]: expected [\"HH:MM\",\"HH:MM\"]");
  kb["shop"]["business_hours"]["mon"] = json::array({json::array({"18:00", "09:00"})});
  expectKbError(kb, "shop.business_hours.mon[0]: closing time must be after opening time");
  kb["shop"]["business_hours"]["mon"] =
      json::array({json::array({"09:00", "13:00"}), json::array({"12:00", "18:00"})});
  expectKbError(kb, "shop.business_hours.mon: intervals overlap");
  kb["shop"]["business_hours"]["mon"] = json::array({json::array({"09:00", "25:00"})});
  expectKbError(kb, "shop.business_hours.mon[0]");
  kb = baseKb();
  kb["shop"]["business_hours"]["monday"] = json::array();
  expectKbError(kb, "shop.business_hours.monday: unknown day");
  kb = baseKb();
  kb["shop"]["timezone"] = "Berlin";
  expectKbError(kb, "shop.timezone: \"Berlin\" is not an IANA time zone name");
  kb = baseKb();
  kb["shop"]["escalation"]["endpoint"] = "ftp://x";
  expectKbError(kb, "shop.escalation.endpoint: expected an http:// or https:// URL");
}

TEST_CASE("kb: oversized knowledge base is out_of_range") {
  std::string huge(kefu::kMaxKnowledgeBaseBytes + 1, ' ');
  expectError(huge, "limit", kefu::StatusCode::kOutOfRange);
}

TEST_CASE("kb: business status open, closed and next opening") {
  auto kb = kefu::KnowledgeBase::parse(kefu_test::kTestKb);
  REQUIRE(kb.ok());
  using kefu::Weekday;
  auto mon10 = kb->businessStatus(Weekday::kMon, 10 * 60);
  CHECK(mon10.open);
  CHECK_FALSE(mon10.next_open.has_value());
  // Friday 17:00 is closing time: closed, opens Monday 09:00.
  auto fri17 = kb->businessStatus(Weekday::kFri, 17 * 60);
  CHECK_FALSE(fri17.open);
  REQUIRE(fri17.next_open.has_value());
  CHECK(fri17.next_open->day == Weekday::kMon);
  CHECK(kefu::formatClock(fri17.next_open->minutes) == "09:00");
  // Tuesday 07:30 opens the same day.
  auto tue = kb->businessStatus(Weekday::kTue, 7 * 60 + 30);
  CHECK_FALSE(tue.open);
  CHECK(tue.next_open->day == Weekday::kTue);
  auto sat = kb->businessStatus(Weekday::kSat, 600);
  CHECK(sat.next_open->day == Weekday::kMon);
}

TEST_CASE("kb: business status wraps a full week and handles a shop that never opens") {
  json kb = baseKb();
  kb["shop"]["business_hours"] = json::object(
      {{"wed", json::array({json::array({"10:00", "12:00"}), json::array({"14:00", "24:00"})})}});
  auto parsed = kefu::KnowledgeBase::parse(kb.dump());
  REQUIRE(parsed.ok());
  auto late = parsed->businessStatus(kefu::Weekday::kWed, 13 * 60);
  CHECK(late.next_open->day == kefu::Weekday::kWed);
  CHECK(late.next_open->minutes == 14 * 60);
  CHECK(parsed->businessStatus(kefu::Weekday::kWed, 23 * 60 + 59).open);
  auto wrapped = parsed->businessStatus(kefu::Weekday::kThu, 0);
  CHECK(wrapped.next_open->day == kefu::Weekday::kWed);
  CHECK(wrapped.next_open->minutes == 600);

  kb["shop"].erase("business_hours");
  auto never = kefu::KnowledgeBase::parse(kb.dump());
  REQUIRE(never.ok());
  auto s = never->businessStatus(kefu::Weekday::kMon, 600);
  CHECK_FALSE(s.open);
  CHECK_FALSE(s.next_open.has_value());
}
