#include "kefu/entities.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "kefu/text.h"

namespace {

using kefu::Entity;
using kefu::EntityType;

std::vector<Entity> extract(const std::string& text) {
  auto r = kefu::extractEntities(text);
  REQUIRE_MESSAGE(r.ok(), r.status().toString());
  return *r;
}

std::vector<Entity> ofType(const std::string& text, EntityType type) {
  std::vector<Entity> out;
  for (Entity& e : extract(text)) {
    if (e.type == type) out.push_back(std::move(e));
  }
  return out;
}

// The UTF-16 span of the first occurrence of `needle` in `text` (computed independently of
// the extractor: utf16Offsets is tested in text_test.cc).
std::pair<size_t, size_t> spanOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  const std::vector<size_t> u = kefu::utf16Offsets(text);
  return {u[at], u[at + needle.size()]};
}

// Exactly one entity of `type` in `text`, written as `needle`, with value `value`.
void expectOne(const std::string& text, EntityType type, const std::string& needle,
               const std::string& value) {
  CAPTURE(text);
  const auto found = ofType(text, type);
  REQUIRE(found.size() == 1);
  CHECK(found[0].text == needle);
  CHECK(found[0].value == value);
  const auto span = spanOf(text, needle);
  CHECK(found[0].start == span.first);
  CHECK(found[0].end == span.second);
}

void expectNone(const std::string& text, EntityType type) {
  CAPTURE(text);
  CHECK(ofType(text, type).empty());
}

}  // namespace

TEST_CASE("entities: type names match the shared taxonomy") {
  CHECK(std::string(kefu::entityTypeName(EntityType::kOrderNumber)) == "order_number");
  CHECK(std::string(kefu::entityTypeName(EntityType::kTrackingNumber)) == "tracking_number");
  CHECK(std::string(kefu::entityTypeName(EntityType::kEmail)) == "email");
  CHECK(std::string(kefu::entityTypeName(EntityType::kPhone)) == "phone");
  CHECK(std::string(kefu::entityTypeName(EntityType::kCountry)) == "country");
  CHECK(std::string(kefu::entityTypeName(EntityType::kAmount)) == "amount");
}

TEST_CASE("entities: order numbers in ten languages") {
  const EntityType kOrder = EntityType::kOrderNumber;
  expectOne("Hi, where is my order #A4821? I need it by Thursday.", kOrder, "#A4821", "A4821");
  expectOne("I'd like to cancel order 100-2938475 please.", kOrder, "100-2938475", "100-2938475");
  expectOne("order number: ab12345 still not here", kOrder, "ab12345", "AB12345");
  expectOne("Mi pedido A1234 no llega", kOrder, "A1234", "A1234");
  expectOne("número de pedido: 5567123", kOrder, "5567123", "5567123");
  expectOne("Ma commande n° 48213 est en retard", kOrder, "48213", "48213");
  expectOne("Bestellung Nr. 778812 ist noch nicht da", kOrder, "778812", "778812");
  expectOne("Bestellnummer GS-58213", kOrder, "GS-58213", "GS-58213");
  expectOne("O meu pedido nº 99812 não chegou", kOrder, "99812", "99812");
  expectOne("encomenda 445566 atrasada", kOrder, "445566", "445566");
  expectOne("l'ordine 33219 non è arrivato", kOrder, "33219", "33219");
  expectOne("Mijn bestelling 120034 is nog niet binnen", kOrder, "120034", "120034");
  expectOne("ordernummer: NL-88213", kOrder, "NL-88213", "NL-88213");
  expectOne("订单号 123456 还没发货", kOrder, "123456", "123456");
  expectOne("我的订单号是123456，怎么还没到", kOrder, "123456", "123456");
  expectOne("訂單編號：778899", kOrder, "778899", "778899");
  expectOne("注文番号：A-99812 の状況を教えてください", kOrder, "A-99812", "A-99812");
  expectOne("注文番号は１２３４５６です", kOrder, "１２３４５６", "123456");
  expectOne("주문번호 2023110512 확인 부탁드려요", kOrder, "2023110512", "2023110512");
  expectOne("주문 번호는 778812입니다", kOrder, "778812", "778812");
  // Without a keyword: '#' or a shop-style prefix.
  expectOne("where is GS-58213??", kOrder, "GS-58213", "GS-58213");
  expectOne("#100-2938475 pls", kOrder, "#100-2938475", "100-2938475");
}

TEST_CASE("entities: tracking numbers by format and by keyword") {
  const EntityType kTracking = EntityType::kTrackingNumber;
  expectOne("UPS says 1Z999AA10123456784 is delayed", kTracking, "1Z999AA10123456784",
            "1Z999AA10123456784");
  expectOne("The tracking number LX123456789CN hasn't updated", kTracking, "LX123456789CN",
            "LX123456789CN");
  expectOne("rastreio: lx123456789cn", kTracking, "lx123456789cn", "LX123456789CN");
  expectOne("SF1234567890123 顺丰", kTracking, "SF1234567890123", "SF1234567890123");
  expectOne("tracking 1234 5678 9012 please check", kTracking, "1234 5678 9012", "123456789012");
  expectOne("Sendungsnummer: 00340434161234567890", kTracking, "00340434161234567890",
            "00340434161234567890");
  expectOne("número de seguimiento 7712345678", kTracking, "7712345678", "7712345678");
  expectOne("numéro de suivi 6A12345678901", kTracking, "6A12345678901", "6A12345678901");
  expectOne("运单号：773012345678", kTracking, "773012345678", "773012345678");
  expectOne("追跡番号は 4912-3456-7890 です", kTracking, "4912-3456-7890", "491234567890");
  expectOne("송장번호 612345678901 조회가 안돼요", kTracking, "612345678901", "612345678901");
  expectOne("track & trace 3SABCD1234567", kTracking, "3SABCD1234567", "3SABCD1234567");
  // A tracking keyword does not make a short number a tracking number, or a phone one.
  expectNone("tracking 12345", kTracking);
  CHECK(ofType("运单号：773012345678", EntityType::kPhone).empty());
}

TEST_CASE("entities: e-mail and phone come from the redaction scanner") {
  expectOne("mail me at Ana.Lopez@Example.com thanks", EntityType::kEmail, "Ana.Lopez@Example.com",
            "ana.lopez@example.com");
  expectOne("call +34 612 345 678 today", EntityType::kPhone, "+34 612 345 678", "+34612345678");
  expectOne("Rufen Sie mich an: 0171 2345678", EntityType::kPhone, "0171 2345678", "01712345678");
  expectOne("电话 13812345678", EntityType::kPhone, "13812345678", "13812345678");
  // An order reference is not a phone, a card number is neither order nor phone.
  const auto order = extract("order 100-2938475");
  REQUIRE(order.size() == 1);
  CHECK(order[0].type == EntityType::kOrderNumber);
  CHECK(extract("card 4111 1111 1111 1111").empty());
  CHECK(extract("pedido 4111111111111111").empty());
}

TEST_CASE("entities: countries in ten languages") {
  const EntityType kCountry = EntityType::kCountry;
  expectOne("Do you ship to Spain?", kCountry, "Spain", "ES");
  expectOne("¿Envían a España?", kCountry, "España", "ES");
  expectOne("Livrez-vous en Espagne ?", kCountry, "Espagne", "ES");
  expectOne("Liefert ihr nach Österreich?", kCountry, "Österreich", "AT");
  expectOne("vocês entregam na espanha", kCountry, "espanha", "ES");
  expectOne("Spedite in Svizzera?", kCountry, "Svizzera", "CH");
  expectOne("Leveren jullie in België?", kCountry, "België", "BE");
  expectOne("能发货到西班牙吗", kCountry, "西班牙", "ES");
  expectOne("スペインに発送できますか", kCountry, "スペイン", "ES");
  expectOne("스페인으로 배송되나요?", kCountry, "스페인", "ES");
  expectOne("shipping to the UNITED STATES", kCountry, "UNITED STATES", "US");
  expectOne("aux États-Unis", kCountry, "États-Unis", "US");
  expectOne("ship to the USA", kCountry, "USA", "US");
  expectOne("I'm in the UK", kCountry, "UK", "GB");
  expectOne("envío a EE.UU. por favor", kCountry, "EE.UU.", "US");
  expectOne("印度尼西亚能送吗", kCountry, "印度尼西亚", "ID");  // not India (印度)
  // Whole words for Latin script; "us" the pronoun and "Island" are not countries.
  expectNone("Spaniard", kCountry);
  expectNone("send it to us", kCountry);
  expectNone("a Spanishy thing", kCountry);
  const auto two = ofType("from Germany to France", kCountry);
  REQUIRE(two.size() == 2);
  CHECK(two[0].value == "DE");
  CHECK(two[1].value == "FR");
}

TEST_CASE("entities: amounts with symbols, codes, words and number formats") {
  const auto amount = [](const std::string& text, const std::string& needle, double value,
                         const std::string& currency, const std::string& normalised) {
    CAPTURE(text);
    const auto found = ofType(text, EntityType::kAmount);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == needle);
    CHECK(found[0].amount == doctest::Approx(value));
    CHECK(found[0].currency == currency);
    CHECK(found[0].value == normalised);
    const auto span = spanOf(text, needle);
    CHECK(found[0].start == span.first);
    CHECK(found[0].end == span.second);
  };
  amount("I paid €49.90 twice", "€49.90", 49.90, "EUR", "49.90 EUR");
  amount("cobrado 49,90 € dos veces", "49,90 €", 49.90, "EUR", "49.90 EUR");
  amount("Rechnung über 1.299,00 EUR", "1.299,00 EUR", 1299.00, "EUR", "1299 EUR");
  amount("charged $1,299.00", "$1,299.00", 1299.00, "USD", "1299 USD");
  amount("it cost 129 USD", "129 USD", 129, "USD", "129 USD");
  amount("US$ 12.5 shipping", "US$ 12.5", 12.5, "USD", "12.50 USD");
  amount("paguei R$ 250 no frete", "R$ 250", 250, "BRL", "250 BRL");
  amount("20 euros de frais", "20 euros", 20, "EUR", "20 EUR");
  amount("me cobraron 35 dólares", "35 dólares", 35, "USD", "35 USD");
  amount("£15 delivery?", "£15", 15, "GBP", "15 GBP");
  amount("送料は¥3,200でした", "¥3,200", 3200, "JPY", "3200 JPY");
  amount("3200円返金してください", "3200円", 3200, "JPY", "3200 JPY");
  amount("退我12万元", "12万元", 120000, "CNY", "120000 CNY");
  amount("扣了¥199", "¥199", 199, "CNY", "199 CNY");
  amount("付了 99.5 元", "99.5 元", 99.5, "CNY", "99.50 CNY");
  amount("5만 원 결제됐어요", "5만 원", 50000, "KRW", "50000 KRW");
  amount("50,000원 환불", "50,000원", 50000, "KRW", "50000 KRW");
  amount("pagato 1 299,00 € due volte", "1 299,00 €", 1299, "EUR", "1299 EUR");
  // Plain numbers are not amounts, and a keyword does not turn an amount into an order.
  expectNone("size 42 please", EntityType::kAmount);
  expectNone("in 2023 I ordered 3 shirts", EntityType::kAmount);
  const auto paid = extract("pedido de 1500 euros");
  REQUIRE(paid.size() == 1);
  CHECK(paid[0].type == EntityType::kAmount);
}

TEST_CASE("entities: years, sizes and small numbers are nothing") {
  CHECK(extract("I bought shoes size 42 in 2023, 3 pairs").empty());
  CHECK(extract("order from 2023").empty());
  CHECK(extract("my order 2023").empty());
  CHECK(extract("ordered 2 items on 12.03.2024").empty());
  CHECK(extract("#1 fan, see http://shop.example/p/12345").empty());
  CHECK(extract("").empty());
}

TEST_CASE("entities: several entities come back in text order without overlaps") {
  const std::string text =
      "Order #A1234 to Germany, tracking LX123456789CN, paid 49,90 €, mail a@b.example";
  const auto found = extract(text);
  REQUIRE(found.size() == 5);
  CHECK(found[0].type == EntityType::kOrderNumber);
  CHECK(found[1].type == EntityType::kCountry);
  CHECK(found[2].type == EntityType::kTrackingNumber);
  CHECK(found[3].type == EntityType::kAmount);
  CHECK(found[4].type == EntityType::kEmail);
  for (size_t k = 1; k < found.size(); ++k) CHECK(found[k - 1].end <= found[k].start);
}

TEST_CASE("entities: hostile text") {
  // Invalid UTF-8 is refused with invalid_argument.
  auto bad = kefu::extractEntities(std::string("order #A1234 \xC3\x28"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK_FALSE(kefu::extractEntities(std::string("\xED\xA0\x80")).ok());  // surrogate

  // Emoji (two UTF-16 units each) and RTL text before an entity shift the offsets correctly.
  {
    const std::string text = "😡😡 order #A1234";
    const auto found = extract(text);
    REQUIRE(found.size() == 1);
    CHECK(found[0].start == 11);  // 2 emoji x 2 units + " order " (7)
    CHECK(found[0].end == 17);
  }
  {
    const std::string text = "\u202Bשלום\u202C #A1234 مرحبا Spain";
    const auto found = extract(text);
    REQUIRE(found.size() == 2);
    CHECK(found[0].value == "A1234");
    CHECK(found[0].start == 7);  // RLE + 4 Hebrew letters + PDF + space = 7 units
    CHECK(found[0].end == 13);
    CHECK(found[1].value == "ES");
    const auto span = spanOf(text, "Spain");
    CHECK(found[1].start == span.first);
  }
  // NUL bytes and control characters are just characters.
  CHECK(extract(std::string("order\0#A1234", 12)).size() == 1);

  // 100 kB: every entity found (speed is measured in scripts/bench.sh, not asserted here).
  const std::string unit = "Hallo, Bestellung #A1234 nach Spanien, 49,90 € 😀 ";
  std::string big;
  while (big.size() < 100000) big += unit;
  const auto found = extract(big);
  CHECK(found.size() == big.size() / unit.size() * 3);
  // A 100 kB run of digits and separators has no entity and does not take long.
  const std::string digits(100000, '7');
  CHECK(extract(digits).empty());
  std::string grouped;
  while (grouped.size() < 100000) grouped += "1.234,5 ";
  CHECK(extract(grouped).empty());
}
