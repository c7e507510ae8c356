#include "kefu/assistant.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "kefu/escalation.h"
#include "test_kb.h"

namespace {

using nlohmann::json;

kefu::Assistant loaded() {
  kefu::Assistant a;
  auto info = a.loadKnowledgeBase(kefu_test::kTestKb);
  REQUIRE_MESSAGE(info.ok(), info.status().toString());
  return a;
}

json ask(kefu::Assistant& a, const std::string& text, const std::string& options = "") {
  auto r = a.ask(text, options);
  REQUIRE_MESSAGE(r.ok(), r.status().toString());
  return *r;
}

}  // namespace

TEST_CASE("assistant: loadKnowledgeBase reports the shop") {
  kefu::Assistant a;
  auto info = a.loadKnowledgeBase(kefu_test::kTestKb);
  REQUIRE(info.ok());
  CHECK((*info)["shop_id"] == "global-select");
  CHECK((*info)["name"] == "Global Select");
  CHECK((*info)["default_language"] == "en");
  CHECK((*info)["languages"] == json({"en", "zh", "es"}));
  CHECK((*info)["timezone"] == "Europe/Berlin");
  CHECK((*info)["entries"] == 6);
  CHECK((*info)["escalation_endpoint"] == "http://127.0.0.1:8787");
}

TEST_CASE("assistant: calls before a KB is loaded are unavailable") {
  kefu::Assistant a;
  CHECK(a.ask("hi", "").status().code() == kefu::StatusCode::kUnavailable);
  CHECK(a.businessStatus(R"({"weekday":"mon","minutes":0})").status().code() ==
        kefu::StatusCode::kUnavailable);
  CHECK(a.buildEscalation("{}").status().code() == kefu::StatusCode::kUnavailable);
  // Redaction needs no KB.
  CHECK(a.redact("a@b.example").ok());
}

TEST_CASE("assistant: a failed load keeps the previous KB") {
  kefu::Assistant a = loaded();
  auto bad = a.loadKnowledgeBase("{");
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK(ask(a, "Where is my order?")["decision"] == "answer");
}

TEST_CASE("assistant: answers in the language of the matched question") {
  kefu::Assistant a = loaded();
  json r = ask(a, "¿Cuánto tarda el envío a Europa?");
  CHECK(r["decision"] == "answer");
  CHECK(r["reason"] == "matched");
  CHECK(r["entry_id"] == "delivery-time-eu");
  CHECK(r["intent"] == "delivery_period");
  CHECK(r["answer"]["language"] == "es");
  CHECK(r["answer"]["text"] == "Los pedidos a la UE llegan en 3-5 días laborables.");
  CHECK(r["confidence"].get<double>() > 0.5);
  CHECK(r["confidence"].get<double>() <= 1.0);
  CHECK(r["score"].get<double>() > 0.0);
  REQUIRE(r["candidates"].size() >= 1);
  CHECK(r["candidates"][0]["entry_id"] == "delivery-time-eu");
  CHECK(r["candidates"][0]["question"] == "¿Cuánto tarda el envío a Europa?");
}

TEST_CASE("assistant: falls back to the locale, then the default language") {
  kefu::Assistant a = loaded();
  // Matched in zh, but shipping-cost has no zh answer: the es-ES locale's answer.
  json r = ask(a, "运费多少钱？", R"({"locale": "es-ES"})");
  CHECK(r["entry_id"] == "shipping-cost");
  CHECK(r["answer"]["language"] == "es");
  // Without a usable locale: the shop's default language.
  r = ask(a, "运费多少钱？", R"({"locale": "ko-KR"})");
  CHECK(r["answer"]["language"] == "en");
}

TEST_CASE("assistant: two misses escalate, an answer in between resets") {
  kefu::Assistant a = loaded();
  json first = ask(a, "what's the weather like today");
  CHECK(first["decision"] == "clarify");
  CHECK(first["reason"] == "no_match");
  CHECK(ask(a, "Where is my order?")["decision"] == "answer");
  CHECK(ask(a, "I want to buy a car")["reason"] == "no_match");
  json second = ask(a, "tell me a joke", R"({"now": {"weekday": "sat", "minutes": 600}})");
  CHECK(second["decision"] == "escalate");
  CHECK(second["reason"] == "no_match_twice");
  CHECK(second["business"]["open"] == false);
  CHECK(second["business"]["next_open"] == json({{"weekday", "mon"}, {"time", "09:00"}}));
  // resetConversation clears a pending miss.
  ask(a, "tell me a joke");
  CHECK(a.resetConversation().ok());
  CHECK(ask(a, "tell me a joke")["reason"] == "no_match");
}

TEST_CASE("assistant: customer request escalates without an entry") {
  kefu::Assistant a = loaded();
  json r = ask(a, "Quiero hablar con una persona");
  CHECK(r["decision"] == "escalate");
  CHECK(r["reason"] == "customer_request");
  CHECK_FALSE(r.contains("answer"));
  CHECK_FALSE(r.contains("entry_id"));
  CHECK_FALSE(r.contains("business"));  // no "now" given
}

TEST_CASE("assistant: input limits and errors") {
  kefu::Assistant a = loaded();
  auto big = a.ask(std::string(kefu::kMaxMessageBytes + 1, 'a'), "");
  CHECK(big.status().code() == kefu::StatusCode::kOutOfRange);
  CHECK(a.ask(std::string(kefu::kMaxMessageBytes, 'a'), "").ok());
  auto bad = a.ask("0123456789abcdefg\xff", "");
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "text is not valid UTF-8 (byte 17)");
  CHECK(a.ask("hi", "{").status().code() == kefu::StatusCode::kInvalidArgument);
  auto locale = a.ask("hi", R"({"locale": 5})");
  CHECK(locale.status().message().find("options.locale") != std::string::npos);
  auto now = a.ask("hi", R"({"now": {"weekday": "funday", "minutes": 1}})");
  CHECK(now.status().message().find("options.now.weekday") != std::string::npos);
  CHECK(a.redact(std::string(kefu::kMaxMessageBytes + 1, 'a')).status().code() ==
        kefu::StatusCode::kOutOfRange);
}

TEST_CASE("assistant: redact returns text and UTF-16 offsets") {
  kefu::Assistant a;
  auto r = a.redact("é call +34 612 345 678");
  REQUIRE(r.ok());
  CHECK((*r)["text"] == "é call [phone]");
  CHECK((*r)["redactions"] == json::parse(R"([{"kind":"phone","start":7,"end":22}])"));
}

TEST_CASE("assistant: buildEscalation fills shop_id and created_at") {
  kefu::Assistant a = loaded();
  const std::string request = R"({"idempotency_key": "abcdefgh12", "reason": "no_match_twice",
      "locale": "en-GB", "language": "en", "page_url": "https://shop.example/cart",
      "transcript": [{"role": "customer", "text": "call me on 0612345678", "at": "2026-11-22T10:14:02Z"}]})";
  auto p = a.buildEscalation(request);
  REQUIRE_MESSAGE(p.ok(), p.status().toString());
  CHECK((*p)["shop_id"] == "global-select");
  CHECK(kefu::isRfc3339Timestamp((*p)["created_at"].get<std::string>()));
  CHECK((*p)["transcript"][0]["text"] == "call me on [phone]");
  CHECK(a.buildEscalation("{\"a\":").status().code() == kefu::StatusCode::kInvalidArgument);
}

TEST_CASE("assistant: businessStatus") {
  kefu::Assistant a = loaded();
  auto open = a.businessStatus(R"({"weekday": "wed", "minutes": 615})");
  REQUIRE(open.ok());
  CHECK(*open == json({{"open", true}, {"timezone", "Europe/Berlin"}}));
  auto closed = a.businessStatus(R"({"weekday": "sat", "minutes": 600})");
  REQUIRE(closed.ok());
  CHECK((*closed)["open"] == false);
  CHECK((*closed)["next_open"] == json({{"weekday", "mon"}, {"time", "09:00"}}));
  auto bad = a.businessStatus(R"({"weekday": "sat", "minutes": 1440})");
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("now.minutes") != std::string::npos);
}

TEST_CASE("assistant: version is the project version") { CHECK(kefu::version() == "0.1.0"); }
