#include "kefu/escalation.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

json request() {
  return json::parse(R"({
    "idempotency_key": "3f1c9a7e-key_01",
    "reason": "customer_request",
    "locale": "es-ES",
    "language": "es",
    "page_url": "http://127.0.0.1:8080/",
    "transcript": [
      {"role": "customer", "text": "Mi correo es ana@mail.example y mi tel +34 612 345 678",
       "at": "2026-11-22T10:14:02Z"},
      {"role": "assistant", "text": "¿Puedo ayudarte con algo más?", "at": "2026-11-22T10:14:03Z"},
      {"role": "customer", "text": "Pedido #A1234, tarjeta 4111 1111 1111 1111",
       "at": "2026-11-22T10:14:09.120+01:00"}
    ],
    "user": {"id": "u-17", "name": "Ana", "emails": ["ana@mail.example"], "vip": true},
    "order": {"id": "A1234", "total": 59.9, "note": "IBAN ES9121000418450200051332"},
    "contact": {"email": "ana@mail.example", "consent": true}
  })");
}

kefu::StatusOr<json> build(const json& r) {
  return kefu::buildEscalationPayload(r, "global-select", "2026-11-22T10:15:00Z");
}

void expectError(const json& r, const std::string& needle) {
  auto p = build(r);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK_MESSAGE(p.status().message().find(needle) != std::string::npos, p.status().message());
}

}  // namespace

TEST_CASE("escalation: payload shape follows the contract") {
  auto p = build(request());
  REQUIRE_MESSAGE(p.ok(), p.status().toString());
  const json& j = *p;
  CHECK(j["schema"] == "kefu.escalation/1");
  CHECK(j["idempotency_key"] == "3f1c9a7e-key_01");
  CHECK(j["shop_id"] == "global-select");
  CHECK(j["reason"] == "customer_request");
  CHECK(j["created_at"] == "2026-11-22T10:15:00Z");
  CHECK(j["customer"]["locale"] == "es-ES");
  CHECK(j["customer"]["language"] == "es");
  CHECK(j["page_url"] == "http://127.0.0.1:8080/");
  REQUIRE(j["transcript"].size() == 3);
  CHECK(j["transcript"][1] == json({{"role", "assistant"},
                                    {"text", "¿Puedo ayudarte con algo más?"},
                                    {"at", "2026-11-22T10:14:03Z"}}));
  // Absent until later issues: never guessed.
  CHECK_FALSE(j.contains("intent"));
  CHECK_FALSE(j.contains("sentiment"));
  CHECK_FALSE(j.contains("urgency"));
  CHECK_FALSE(j["customer"].contains("detected_language"));
  CHECK_FALSE(j["transcript"][0].contains("translation"));
}

TEST_CASE("escalation: transcript and context are redacted, consented contact is kept") {
  auto p = build(request());
  REQUIRE(p.ok());
  const json& j = *p;
  CHECK(j["transcript"][0]["text"] == "Mi correo es [email] y mi tel [phone]");
  CHECK(j["transcript"][2]["text"] == "Pedido #A1234, tarjeta [card]");
  CHECK(j["user"]["emails"][0] == "[email]");
  CHECK(j["user"]["id"] == "u-17");
  CHECK(j["user"]["vip"] == true);
  CHECK(j["order"]["id"] == "A1234");
  CHECK(j["order"]["total"] == 59.9);
  CHECK(j["order"]["note"] == "IBAN [iban]");
  CHECK(j["customer"]["contact"]["email"] == "ana@mail.example");
  CHECK(j["customer"]["contact"]["consent"] == true);
  CHECK(j["redaction"]["applied"] == true);
  CHECK(j["redaction"]["counts"] == json({{"email", 2}, {"phone", 1}, {"card", 1}, {"iban", 1}}));
}

TEST_CASE("escalation: contact without consent is dropped") {
  json r = request();
  r["contact"]["consent"] = false;
  auto p = build(r);
  REQUIRE(p.ok());
  CHECK_FALSE((*p)["customer"].contains("contact"));
  r.erase("contact");
  r.erase("user");
  r.erase("order");
  p = build(r);
  REQUIRE(p.ok());
  CHECK_FALSE(p->contains("user"));
  CHECK_FALSE(p->contains("order"));
  CHECK((*p)["redaction"]["counts"]["iban"] == 0);
}

TEST_CASE("escalation: request validation names the field") {
  json r = request();
  r["idempotency_key"] = "short";
  expectError(r, "idempotency_key: must be 8-128 characters");
  r = request();
  r["reason"] = "bored";
  expectError(r, "reason: must be one of customer_request, no_match_twice");
  r = request();
  r["language"] = "ru";
  expectError(r, "language: unsupported language \"ru\"");
  r = request();
  r["page_url"] = "javascript:alert(1)";
  expectError(r, "page_url: expected an http:// or https:// URL");
  r = request();
  r["transcript"][1]["role"] = "bot";
  expectError(r, "transcript[1].role: must be one of customer, assistant, agent");
  r = request();
  r["transcript"][0]["at"] = "yesterday";
  expectError(r, "transcript[0].at: expected an RFC 3339 timestamp");
  r = request();
  r["transcript"] = json::array();
  expectError(r, "transcript: expected a non-empty array");
  r = request();
  r["contact"]["email"] = "not an address";
  expectError(r, "contact.email: \"not an address\" is not an e-mail address");
  r = request();
  r["user"] = "u-17";
  expectError(r, "user: expected an object, got a string");
  r = request();
  r.erase("locale");
  expectError(r, "locale: missing");
  expectError(json::array(), "escalation request: expected an object");
}

TEST_CASE("escalation: oversized transcript text is out_of_range") {
  json r = request();
  r["transcript"][0]["text"] = std::string(kefu::kMaxTranscriptItems * 100, 'a');
  auto p = build(r);
  CHECK(p.status().code() == kefu::StatusCode::kOutOfRange);
  CHECK(p.status().message().find("transcript[0].text") != std::string::npos);
}

TEST_CASE("escalation: timestamps") {
  CHECK(kefu::formatUtcTimestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(kefu::formatUtcTimestamp(1795342500) == "2026-11-22T10:15:00Z");
  CHECK(kefu::formatUtcTimestamp(951782400) == "2000-02-29T00:00:00Z");
  CHECK(kefu::isRfc3339Timestamp("2026-11-22T10:15:00Z"));
  CHECK(kefu::isRfc3339Timestamp("2026-11-22T10:15:00.5-03:30"));
  CHECK_FALSE(kefu::isRfc3339Timestamp("2026-13-22T10:15:00Z"));
  CHECK_FALSE(kefu::isRfc3339Timestamp("2026-11-22 10:15"));
  CHECK_FALSE(kefu::isRfc3339Timestamp("2026-11-22T10:15:00Zjunk"));
}
