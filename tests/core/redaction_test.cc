#include "kefu/redaction.h"

#include <doctest/doctest.h>

#include <string>

namespace {

kefu::RedactionResult redact(const std::string& text) {
  auto r = kefu::redactPii(text);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("redaction: e-mail addresses") {
  auto r = redact("Write to ana.lopez+shop@mail.example.com, thanks.");
  CHECK(r.text == "Write to [email], thanks.");
  REQUIRE(r.redactions.size() == 1);
  CHECK(r.redactions[0].kind == kefu::PiiKind::kEmail);
  CHECK(r.redactions[0].start == 9);
  CHECK(r.redactions[0].end == 9 + 31);
  CHECK(redact("user@localhost and @handle and a@b").redactions.empty());
}

TEST_CASE("redaction: Luhn-valid cards only") {
  CHECK(redact("card 4111 1111 1111 1111 ok").text == "card [card] ok");
  CHECK(redact("4111-1111-1111-1111").text == "[card]");
  CHECK(redact("5500005555555559").text == "[card]");
  CHECK(redact("amex 3782 822463 10005").text == "amex [card]");
  // One digit off: Luhn fails, nothing is touched (and it is too long for a phone).
  CHECK(redact("card 4111 1111 1111 1112").text == "card 4111 1111 1111 1112");
  CHECK(redact("4111111111111112").redactions.empty());
}

TEST_CASE("redaction: mod-97-valid IBANs only") {
  CHECK(kefu::ibanValid("DE89370400440532013000"));
  CHECK(kefu::ibanValid("gb82west12345698765432"));
  CHECK_FALSE(kefu::ibanValid("DE89370400440532013001"));
  CHECK_FALSE(kefu::ibanValid("DE8937040044053201300"));  // wrong length for DE
  auto r = redact("IBAN: DE89 3704 0044 0532 0130 00 please refund");
  CHECK(r.text == "IBAN: [iban] please refund");
  REQUIRE(r.redactions.size() == 1);
  CHECK(r.redactions[0].kind == kefu::PiiKind::kIban);
  CHECK(redact("ES9121000418450200051332").text == "[iban]");
  CHECK(redact("NL91ABNA0417164300").text == "[iban]");
  // Check digits wrong: left alone, and its digits are not mistaken for anything else.
  CHECK(redact("DE00 3704 0044 0532 0130 00").redactions.empty());
}

TEST_CASE("redaction: phone numbers, international and national") {
  CHECK(redact("call +34 612 345 678").text == "call [phone]");
  CHECK(redact("ruf an: +49 (0)30 1234567").text == "ruf an: [phone]");
  CHECK(redact("(030) 123-4567 tonight").text == "[phone] tonight");
  CHECK(redact("mobile 06-12345678").text == "mobile [phone]");
  CHECK(redact("我的手机13812345678").text == "我的手机[phone]");
  CHECK(redact("+1-555-123-4567").text == "[phone]");
}

TEST_CASE("redaction: order numbers, years, dates and amounts stay") {
  const std::string keep[] = {
      "order #A1234 from 2024",      "order 1234567890 is late",
      "pedido #123456789",           "delivered on 2024-11-22 or 22.11.2024",
      "it cost 1.299.000 won",       "call me at 12345",
      "tracking 1Z999AA10123456784",
  };
  for (const std::string& text : keep) {
    CAPTURE(text);
    auto r = redact(text);
    CHECK(r.redactions.empty());
    CHECK(r.text == text);
  }
}

TEST_CASE("redaction: offsets are UTF-16 code units of the original") {
  // "😀" is two UTF-16 units, "é" one: the e-mail starts at 2 + 1 + 1 = 4.
  auto r = redact("😀é a@b.example");
  REQUIRE(r.redactions.size() == 1);
  CHECK(r.redactions[0].start == 4);
  CHECK(r.redactions[0].end == 4 + 11);
  CHECK(r.text == "😀é [email]");
}

TEST_CASE("redaction: several kinds in one message, counted") {
  auto r = redact(
      "mail x@y.example, tel +44 20 7946 0958, card 4111111111111111, iban "
      "GB82 WEST 1234 5698 7654 32");
  CHECK(r.text == "mail [email], tel [phone], card [card], iban [iban]");
  auto counts = r.counts();
  CHECK(counts[static_cast<size_t>(kefu::PiiKind::kEmail)] == 1);
  CHECK(counts[static_cast<size_t>(kefu::PiiKind::kPhone)] == 1);
  CHECK(counts[static_cast<size_t>(kefu::PiiKind::kCard)] == 1);
  CHECK(counts[static_cast<size_t>(kefu::PiiKind::kIban)] == 1);
  for (size_t i = 1; i < r.redactions.size(); ++i) {
    CHECK(r.redactions[i - 1].end <= r.redactions[i].start);
  }
}

TEST_CASE("redaction: NUL bytes and invalid UTF-8") {
  auto r = redact(std::string("a\0b@c.example", 13));
  CHECK(r.text == std::string("a\0[email]", 9));
  CHECK(kefu::redactPii("x\xc3(").status().code() == kefu::StatusCode::kInvalidArgument);
}
