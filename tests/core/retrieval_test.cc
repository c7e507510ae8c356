#include "kefu/retrieval.h"

#include <doctest/doctest.h>

#include <string>

#include "kefu/knowledge_base.h"
#include "test_kb.h"

namespace {

const kefu::KnowledgeBase& kb() {
  static const kefu::KnowledgeBase kKb = *kefu::KnowledgeBase::parse(kefu_test::kTestKb);
  return kKb;
}

const kefu::RetrievalIndex& index() {
  static const kefu::RetrievalIndex kIndex(kb());
  return kIndex;
}

std::string topEntry(const std::string& query) {
  auto hits = index().search(query, 3);
  REQUIRE(hits.ok());
  REQUIRE_FALSE(hits->empty());
  return kb().entries()[(*hits)[0].entry].id;
}

}  // namespace

TEST_CASE("retrieval: one document per paraphrase in every language") {
  // 6 + 6 + 5 + 3 + 2 + 3 paraphrases in the test KB.
  CHECK(index().paraphrases().size() == 25);
  CHECK(index().paraphrases()[0].language == "en");
}

TEST_CASE("retrieval: exact paraphrase scores confidence 1") {
  auto hits = index().search("What is your return policy?", 3);
  REQUIRE(hits.ok());
  REQUIRE(hits->size() >= 1);
  CHECK(kb().entries()[(*hits)[0].entry].id == "return-policy");
  CHECK((*hits)[0].confidence == doctest::Approx(1.0));
  CHECK((*hits)[0].score > 0.0);
}

TEST_CASE("retrieval: ranks the right entry in en, zh and es") {
  CHECK(topEntry("how long is delivery to spain") == "delivery-time-eu");
  CHECK(topEntry("is shipping free?") == "shipping-cost");
  CHECK(topEntry("track my order") == "track-order");
  CHECK(topEntry("运费是多少") == "shipping-cost");
  CHECK(topEntry("包裹什么时候到") == "delivery-time-eu");
  CHECK(topEntry("我的订单在哪") == "track-order");
  CHECK(topEntry("¿Cuánto tarda el envío a España?") == "delivery-time-eu");
  CHECK(topEntry("cuanto cuesta el envio") == "shipping-cost");  // no accents typed
  CHECK(topEntry("ＰＡＳＳＷＯＲＤ") == "password-reset");       // full-width
}

TEST_CASE("retrieval: hits are ranked, unique per entry, limited to top_k, confidence in 0..1") {
  auto hits = index().search("how much does shipping and delivery to Europe cost", 3);
  REQUIRE(hits.ok());
  REQUIRE(hits->size() == 3);
  for (size_t i = 0; i < hits->size(); ++i) {
    CHECK((*hits)[i].confidence > 0.0);
    CHECK((*hits)[i].confidence <= 1.0);
    if (i > 0) CHECK((*hits)[i - 1].confidence >= (*hits)[i].confidence);
    for (size_t j = 0; j < i; ++j) CHECK((*hits)[i].entry != (*hits)[j].entry);
  }
  // The best paraphrase belongs to the reported entry.
  CHECK(index().paraphrases()[(*hits)[0].paraphrase].entry == (*hits)[0].entry);
}

TEST_CASE("retrieval: unrelated text has low or no confidence") {
  auto hits = index().search("what's the weather like today", 3);
  REQUIRE(hits.ok());
  if (!hits->empty()) CHECK((*hits)[0].confidence < 0.2);
  auto none = index().search("zzzz qqqq", 3);
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto emoji = index().search("😀", 3);
  REQUIRE(emoji.ok());
  CHECK(emoji->empty());
}

TEST_CASE("retrieval: extra unknown words lower confidence") {
  auto exact = index().search("Where is my order?", 1);
  auto noisy = index().search("Where is my order? grandmother birthday surprise", 1);
  REQUIRE(exact.ok());
  REQUIRE(noisy.ok());
  CHECK((*noisy)[0].confidence < (*exact)[0].confidence);
}

TEST_CASE("retrieval: invalid UTF-8 query fails, empty index returns nothing") {
  auto bad = index().search(std::string("where \xff"), 3);
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  kefu::RetrievalIndex empty;
  auto hits = empty.search("where is my order", 3);
  REQUIRE(hits.ok());
  CHECK(hits->empty());
}
