#include "payload.h"

#include <doctest/doctest.h>

#include <functional>
#include <string>

using kefu::server::findInvalidUtf8;
using kefu::server::isValidTimestamp;
using kefu::server::PayloadLimits;
using kefu::server::Status;
using kefu::server::StatusCode;
using kefu::server::validateEscalation;
using kefu::server::validateTranslation;
using nlohmann::json;

namespace {

json validPayload() {
  return json::parse(R"({
    "schema": "kefu.escalation/1",
    "idempotency_key": "3f1c9a7e-key_01",
    "shop_id": "global-select",
    "reason": "customer_request",
    "created_at": "2026-11-22T10:15:00Z",
    "customer": {"locale": "es-ES", "language": "es",
                 "contact": {"email": "a@b.example", "consent": true}},
    "page_url": "http://127.0.0.1:8080/",
    "transcript": [
      {"role": "customer", "text": "¿Dónde está mi pedido? [email]", "at": "2026-11-22T10:14:02Z"},
      {"role": "assistant", "text": "Lo siento, no lo sé.", "at": "2026-11-22T10:14:03.250+01:00"}
    ],
    "user": {"id": "u-17", "name": "Ana"},
    "order": {"id": "A1234", "total": 42.5},
    "redaction": {"applied": true, "counts": {"email": 1, "phone": 0, "card": 0, "iban": 0}}
  })");
}

Status check(const json& payload, std::optional<std::string> header = std::nullopt) {
  return validateEscalation(payload, header, PayloadLimits{100});
}

struct BadCase {
  const char* name;
  std::function<void(json&)> mutate;
  const char* expected_prefix;  // the field path the message must start with
  StatusCode code = StatusCode::kInvalidArgument;
};

}  // namespace

TEST_CASE("a complete payload of contracts.md is accepted") {
  Status status = check(validPayload(), "3f1c9a7e-key_01");
  CHECK_MESSAGE(status.ok(), status.message());
}

TEST_CASE("optional fields may be absent, and later-issue fields are type-checked but accepted") {
  json minimal = validPayload();
  for (const char* key : {"page_url", "user", "order", "redaction"}) minimal.erase(key);
  minimal["customer"] = {{"locale", "zh-Hans-CN"}};
  CHECK(check(minimal).ok());

  json later = validPayload();
  later["reason"] = "negative_sentiment";
  later["intent"] = "order_status";
  later["sentiment"] = -0.7;
  later["urgency"] = {{"label", "high"}};
  later["customer"]["detected_language"] = "es";
  later["transcript"][0]["translation"] = {{"text", "Where is my order?"}, {"language", "en"}};
  Status status = check(later);
  CHECK_MESSAGE(status.ok(), status.message());
}

TEST_CASE("each bad field is rejected with a message naming it") {
  const BadCase cases[] = {
      {"not an object", [](json& p) { p = json::array(); }, "(root)"},
      {"schema missing", [](json& p) { p.erase("schema"); }, "schema: is required"},
      {"schema wrong", [](json& p) { p["schema"] = "kefu.escalation/2"; }, "schema:"},
      {"key too short", [](json& p) { p["idempotency_key"] = "short"; }, "idempotency_key:"},
      {"key bad chars", [](json& p) { p["idempotency_key"] = "abc def ghi"; }, "idempotency_key:"},
      {"key not string", [](json& p) { p["idempotency_key"] = 12345678; }, "idempotency_key:"},
      {"key too long", [](json& p) { p["idempotency_key"] = std::string(129, 'a'); },
       "idempotency_key:"},
      {"shop_id upper", [](json& p) { p["shop_id"] = "Global"; }, "shop_id:"},
      {"shop_id empty", [](json& p) { p["shop_id"] = ""; }, "shop_id:"},
      {"reason unknown", [](json& p) { p["reason"] = "bored"; }, "reason: must be one of"},
      {"created_at bad", [](json& p) { p["created_at"] = "22/11/2026"; }, "created_at:"},
      {"created_at no zone", [](json& p) { p["created_at"] = "2026-11-22T10:15:00"; },
       "created_at:"},
      {"customer missing", [](json& p) { p.erase("customer"); }, "customer: is required"},
      {"customer not object", [](json& p) { p["customer"] = "es"; }, "customer:"},
      {"locale missing", [](json& p) { p["customer"].erase("locale"); }, "customer.locale:"},
      {"locale bad", [](json& p) { p["customer"]["locale"] = "español!"; }, "customer.locale:"},
      {"language unknown", [](json& p) { p["customer"]["language"] = "xx"; }, "customer.language:"},
      {"contact without consent", [](json& p) { p["customer"]["contact"]["consent"] = false; },
       "customer.contact.consent:"},
      {"contact bad email", [](json& p) { p["customer"]["contact"]["email"] = "nope"; },
       "customer.contact.email:"},
      {"page_url scheme", [](json& p) { p["page_url"] = "javascript:alert(1)"; }, "page_url:"},
      {"page_url type", [](json& p) { p["page_url"] = 5; }, "page_url:"},
      {"transcript missing", [](json& p) { p.erase("transcript"); }, "transcript: is required"},
      {"transcript empty", [](json& p) { p["transcript"] = json::array(); }, "transcript:"},
      {"transcript not array", [](json& p) { p["transcript"] = json::object(); }, "transcript:"},
      {"transcript too long",
       [](json& p) {
         json item = p["transcript"][0];
         p["transcript"] = json::array();
         for (int i = 0; i < 201; ++i) p["transcript"].push_back(item);
       },
       "transcript:", StatusCode::kOutOfRange},
      {"item not object", [](json& p) { p["transcript"][1] = "hi"; }, "transcript[1]:"},
      {"role bad", [](json& p) { p["transcript"][1]["role"] = "bot"; },
       "transcript[1].role: must be one of customer, assistant, agent"},
      {"role missing", [](json& p) { p["transcript"][0].erase("role"); }, "transcript[0].role:"},
      {"text missing", [](json& p) { p["transcript"][0].erase("text"); }, "transcript[0].text:"},
      {"text type", [](json& p) { p["transcript"][0]["text"] = 1; }, "transcript[0].text:"},
      {"text empty", [](json& p) { p["transcript"][0]["text"] = ""; }, "transcript[0].text:"},
      {"text too long", [](json& p) { p["transcript"][1]["text"] = std::string(101, 'x'); },
       "transcript[1].text:", StatusCode::kOutOfRange},
      {"text bad utf8", [](json& p) { p["transcript"][0]["text"] = std::string("ok \xC3\x28"); },
       "transcript[0].text: is not valid UTF-8 (byte 3)"},
      {"at bad", [](json& p) { p["transcript"][0]["at"] = "yesterday"; }, "transcript[0].at:"},
      {"translation type", [](json& p) { p["transcript"][0]["translation"] = 3; },
       "transcript[0].translation:"},
      {"translation text type",
       [](json& p) {
         p["transcript"][0]["translation"] = {{"text", 3}, {"language", "en"}};
       },
       "transcript[0].translation.text:"},
      {"translation too long",
       [](json& p) { p["transcript"][0]["translation"] = std::string(401, 'x'); },
       "transcript[0].translation: 401 bytes", StatusCode::kOutOfRange},
      {"user type", [](json& p) { p["user"] = "u-17"; }, "user:"},
      {"user nested",
       [](json& p) {
         p["user"]["address"] = {{"city", "x"}};
       },
       "user.address:"},
      {"order value type", [](json& p) { p["order"]["items"] = json::array(); }, "order.items:"},
      {"redaction counts", [](json& p) { p["redaction"]["counts"]["email"] = -1; },
       "redaction.counts.email:"},
      {"intent type", [](json& p) { p["intent"] = 3; }, "intent:"},
      {"sentiment type", [](json& p) { p["sentiment"] = true; }, "sentiment:"},
      {"urgency type", [](json& p) { p["urgency"] = json::array(); }, "urgency:"},
  };
  for (const BadCase& bad : cases) {
    CAPTURE(bad.name);
    json payload = validPayload();
    bad.mutate(payload);
    Status status = check(payload);
    CHECK_FALSE(status.ok());
    CHECK(status.code() == bad.code);
    CHECK_MESSAGE(status.message().rfind(bad.expected_prefix, 0) == 0, status.message());
  }
}

TEST_CASE("the payload key must equal the Idempotency-Key header when one was sent") {
  Status status = check(validPayload(), "another-key-123");
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message() == "idempotency_key: must equal the Idempotency-Key header");
}

TEST_CASE("UTF-8 checker finds the first bad byte") {
  CHECK_FALSE(findInvalidUtf8("plain ascii, 中文, español, 🙂").has_value());
  CHECK(findInvalidUtf8("\xC0\xAF") == 0u);             // overlong '/'
  CHECK(findInvalidUtf8("ab\xED\xA0\x80") == 2u);       // UTF-16 surrogate
  CHECK(findInvalidUtf8("abc\xF4\x90\x80\x80") == 3u);  // above U+10FFFF
  CHECK(findInvalidUtf8("\xE4\xB8") == 0u);             // truncated sequence
}

TEST_CASE("timestamps follow RFC 3339") {
  CHECK(isValidTimestamp("2026-11-22T10:15:00Z"));
  CHECK(isValidTimestamp("2024-02-29T23:59:59.123456+05:30"));
  CHECK_FALSE(isValidTimestamp("2026-02-29T10:15:00Z"));  // not a leap year
  CHECK_FALSE(isValidTimestamp("2026-13-01T10:15:00Z"));
  CHECK_FALSE(isValidTimestamp("2026-11-22T24:00:00Z"));
  CHECK_FALSE(isValidTimestamp("2026-11-22T10:15:00Zjunk"));
  CHECK_FALSE(isValidTimestamp("2026-11-22 10:15:00Z"));
}

TEST_CASE("a translation is a string or {text, language, machine}, checked the same everywhere") {
  const PayloadLimits limits{100};  // translations may take 4 x 100 bytes
  for (const json& good :
       {json("Where is my order?"),
        json{{"text", "Where is my order?"}, {"language", "en"}, {"machine", true}},
        json{{"text", "Where is my order?"}},
        json{{"text", "我的订单在哪里"}, {"language", "zh-Hans"}, {"machine", false}},
        json(std::string(400, 'x'))}) {
    Status status = validateTranslation(good, "translation", limits);
    CHECK_MESSAGE(status.ok(), (good.dump() + ": " + status.message()));
  }

  struct Bad {
    json value;
    const char* message;  // the whole message: callers pass it on to clients as is
    StatusCode code = StatusCode::kInvalidArgument;
  };
  const Bad cases[] = {
      {json(3), "translation: must be a string or an object {text, language, machine}, got number"},
      {json(), "translation: must be a string or an object {text, language, machine}, got null"},
      {json::array(),
       "translation: must be a string or an object {text, language, machine}, got array"},
      {json::object(), "translation.text: is required"},
      {json{{"language", "en"}}, "translation.text: is required"},
      {json{{"text", 5}}, "translation.text: must be a string, got number"},
      {json{{"text", "hi"}, {"language", "English!"}},
       "translation.language: must be a language code such as en or zh-Hans"},
      {json{{"text", "hi"}, {"language", 1}},
       "translation.language: must be a language code such as en or zh-Hans"},
      {json{{"text", "hi"}, {"machine", "yes"}}, "translation.machine: must be a boolean"},
      {json{{"text", "hi"}, {"html", "<b>hi</b>"}},
       "translation.html: unknown field (expected text, language, machine)"},
      {json(std::string("ok \xC3\x28")), "translation: is not valid UTF-8 (byte 3)"},
      {json{{"text", std::string("ok \xC3\x28")}}, "translation.text: is not valid UTF-8 (byte 3)"},
      {json(std::string(401, 'x')), "translation: 401 bytes, at most 400 allowed",
       StatusCode::kOutOfRange},
      {json{{"text", std::string(401, 'x')}}, "translation.text: 401 bytes, at most 400 allowed",
       StatusCode::kOutOfRange},
  };
  for (const Bad& bad : cases) {
    CAPTURE(bad.value.dump(-1, ' ', false, json::error_handler_t::replace));
    Status status = validateTranslation(bad.value, "translation", limits);
    CHECK(status.code() == bad.code);
    CHECK(status.message() == bad.message);
  }
}
