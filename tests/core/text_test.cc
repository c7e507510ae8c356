#include "kefu/text.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

std::string norm(const std::string& text) {
  auto n = kefu::normalize(text);
  REQUIRE(n.ok());
  return *n;
}

std::vector<std::string> toks(const std::string& text) {
  auto t = kefu::tokenize(text);
  REQUIRE(t.ok());
  return *t;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("utf8: valid text passes, offsets of the first bad byte are reported") {
  CHECK_FALSE(kefu::findInvalidUtf8("plain ascii").has_value());
  CHECK_FALSE(kefu::findInvalidUtf8("ñ 中文 한국어 😀").has_value());
  CHECK(kefu::findInvalidUtf8("abc\xff").value() == 3);
  CHECK(kefu::findInvalidUtf8("ok \xe4\xb8").value() == 3);  // truncated 3-byte sequence
  auto s = kefu::validateUtf8("0123456789abcdefg\x80");
  CHECK(s.code() == kefu::StatusCode::kInvalidArgument);
  CHECK(s.message() == "text is not valid UTF-8 (byte 17)");
}

TEST_CASE("utf8: utf16 offsets count surrogate pairs as two units") {
  const std::string text = "a😀é";  // 1 + 4 + 2 bytes; 1 + 2 + 1 UTF-16 units
  auto off = kefu::utf16Offsets(text);
  REQUIRE(off.size() == text.size() + 1);
  CHECK(off[0] == 0);
  CHECK(off[1] == 1);
  CHECK(off[5] == 3);
  CHECK(off[7] == 4);
}

TEST_CASE("normalize: full-width ASCII folds to ASCII") {
  CHECK(norm("ＡＢＣ　１２３！") == "abc 123");
  CHECK(norm("Ｗhere is my ORDER?") == "where is my order");
}

TEST_CASE("normalize: Latin accents and case") {
  CHECK(norm("Élan CAFÉ Ñandú") == "elan cafe nandu");
  CHECK(norm("Straße GRÜẞE") == "strasse grusse");
  CHECK(norm("Ação, coração") == "acao coracao");
  CHECK(norm("Œuvre façade Łódź") == "oeuvre facade lodz");
  // Decomposed input (e + combining acute) folds the same way.
  CHECK(norm("e\xcc\x81te\xcc\x81") == "ete");
}

TEST_CASE("normalize: ligatures, Greek and Cyrillic case folding") {
  CHECK(norm("\xef\xac\x81"
             "nal o\xef\xac\x80"
             "er") == "final offer");  // ﬁ, ﬀ
  CHECK(norm("ΚΑΛΗΜΕΡΑ Ώρα") == "καλημερα ωρα");
  CHECK(norm("ΠΡΟΣ") == "προσ");
  CHECK(norm("ПРИВЕТ Ёлка") == "привет елка");
}

TEST_CASE("normalize: punctuation becomes space, whitespace collapses") {
  CHECK(norm("  hello,   world!!!\n\tbye...  ") == "hello world bye");
  CHECK(norm("l'adresse") == "l adresse");
  CHECK(norm("¿Qué?") == "que");
}

TEST_CASE("normalize: half-width katakana and voiced marks compose") {
  CHECK(norm("ｶﾞｲﾄﾞ") == "ガイド");
  CHECK(norm("ﾊﾟｽﾜｰﾄﾞ") == "パスワード");
  // Hiragana + combining dakuten.
  CHECK(norm("か\xe3\x82\x99") == "が");
}

TEST_CASE("normalize: conjoining Hangul jamo compose to syllables") {
  // ᄒ ᅡ ᆫ = 한
  CHECK(norm("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab") == "한");
}

TEST_CASE("normalize: script changes are separated") {
  CHECK(norm("iPhone手机") == "iphone 手机");
  CHECK(norm("주문123") == "주문 123");
}

TEST_CASE("tokenize: Latin words split on non-letters") {
  CHECK(toks("How long does DELIVERY take?") ==
        std::vector<std::string>{"how", "long", "does", "delivery", "take"});
  CHECK(toks("e-mail/address") == std::vector<std::string>{"e", "mail", "address"});
}

TEST_CASE("tokenize: Chinese gives unigrams and bigrams") {
  CHECK(toks("退货政策") ==
        std::vector<std::string>{"退", "退货", "货", "货政", "政", "政策", "策"});
}

TEST_CASE("tokenize: Japanese kana and kanji form one CJK run") {
  auto t = toks("配送料はいくら？");
  CHECK(has(t, "配送"));
  CHECK(has(t, "送料"));
  CHECK(has(t, "料は"));
  CHECK(has(t, "く"));
}

TEST_CASE("tokenize: Korean keeps whole words plus characters and bigrams") {
  auto t = toks("배송 기간은");
  CHECK(has(t, "배송"));
  CHECK(has(t, "기간은"));
  CHECK(has(t, "기간"));
  CHECK(has(t, "간"));
  CHECK_FALSE(has(t, "송기"));  // no bigram across the space
}

TEST_CASE("tokenize: single Hangul syllable is not duplicated") {
  CHECK(toks("네") == std::vector<std::string>{"네"});
}
