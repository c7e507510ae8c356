// Text a customer (or an attacker) can type: invalid UTF-8, huge messages, controls, RTL,
// emoji, NUL bytes. The core must return errors or sane results, never crash.
#include <doctest/doctest.h>

#include <string>

#include "kefu/redaction.h"
#include "kefu/text.h"

TEST_CASE("hostile: invalid UTF-8 sequences are rejected with the byte offset") {
  struct Case {
    std::string text;
    size_t offset;
  };
  const Case cases[] = {
      {"a\xc0\xaf", 1},           // overlong '/'
      {"ab\xe0\x80\xaf", 2},      // 3-byte overlong
      {"\xf0\x80\x80\xaf", 0},    // 4-byte overlong
      {"xy\xed\xa0\x80", 2},      // UTF-16 surrogate D800
      {"\xed\xbf\xbf", 0},        // surrogate DFFF
      {"ok\xf4\x90\x80\x80", 2},  // above U+10FFFF
      {"\x80", 0},                // stray continuation
      {"abc\xc3", 3},             // truncated at end
      {"\xfe\xff", 0},            // never valid
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto n = kefu::normalize(c.text);
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == kefu::StatusCode::kInvalidArgument);
    CHECK(n.status().message() ==
          "text is not valid UTF-8 (byte " + std::to_string(c.offset) + ")");
    CHECK_FALSE(kefu::tokenize(c.text).ok());
    CHECK_FALSE(kefu::redactPii(c.text).ok());
  }
}

TEST_CASE("hostile: 100 kB message normalises and tokenises") {
  std::string big;
  while (big.size() < 100 * 1024) big += "Where is my parcel 包裹在哪里 ";
  auto t = kefu::tokenize(big);
  REQUIRE(t.ok());
  CHECK(t->size() > 10000);
  auto r = kefu::redactPii(big);
  REQUIRE(r.ok());
  CHECK(r->redactions.empty());
}

TEST_CASE("hostile: control characters and NUL bytes are removed") {
  const std::string text = std::string("ab\0cd", 5) + "\x01\x07 e\x1b[31mf\x7f";
  auto n = kefu::normalize(text);
  REQUIRE(n.ok());
  CHECK(*n == "abcd e 31mf");
  CHECK(kefu::normalize(std::string(1000, '\0')).value().empty());
}

TEST_CASE("hostile: RTL letters are word characters, bidi controls vanish") {
  auto n = kefu::normalize(
      "\xe2\x80\x8f"
      "שלום עולם!"
      "\xe2\x80\xae"
      " مرحبا بكم؟");
  REQUIRE(n.ok());
  CHECK(*n == "שלום עולם مرحبا بكم");
  auto t = kefu::tokenize("أين طلبي");
  REQUIRE(t.ok());
  CHECK(t->size() == 2);
}

TEST_CASE("hostile: emoji are dropped as separators") {
  auto n = kefu::normalize("thanks👍🏽so much 👨‍👩‍👧 ❤️");
  REQUIRE(n.ok());
  CHECK(*n == "thanks so much");
  auto only = kefu::tokenize("😀😀😀");
  REQUIRE(only.ok());
  CHECK(only->empty());
}

TEST_CASE("hostile: empty and whitespace-only text") {
  CHECK(kefu::normalize("").value().empty());
  CHECK(kefu::tokenize(" \t\n\u3000 ").value().empty());
}
