#include "storage.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace kefu::server;
using kefu::server::testing::TempDir;

namespace {

NewConversation sampleConversation(const std::string& key) {
  NewConversation c;
  c.shop_id = "global-select";
  c.idempotency_key = key;
  c.reason = "customer_request";
  c.customer_locale = "es-ES";
  c.customer_language = "es";
  c.page_url = "http://127.0.0.1:8080/";
  c.payload_json = R"({"schema":"kefu.escalation/1","marker":"payload-of-)" + key + R"("})";
  c.transcript = {{"customer", "Hola, ¿dónde está mi pedido?", "", "2026-11-22T10:14:02Z"},
                  {"assistant", "Lo siento.", "", "2026-11-22T10:14:03Z"},
                  {"customer", "Quiero hablar con una persona", "", "2026-11-22T10:14:09Z"}};
  return c;
}

std::unique_ptr<Storage> openOrFail(const std::string& path) {
  StatusOr<std::unique_ptr<Storage>> storage = Storage::open(path);
  REQUIRE_MESSAGE(storage.ok(), storage.status().message());
  return std::move(*storage);
}

int64_t countRows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  int64_t count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
}

}  // namespace

TEST_CASE("the same idempotency key is stored once and returns the same id and token") {
  TempDir dir;
  auto storage = openOrFail(dir.file("kefu.db"));
  StatusOr<CreateResult> first = storage->createConversation(sampleConversation("key-0001"));
  REQUIRE(first.ok());
  CHECK_FALSE(first->duplicate);
  CHECK(first->conversation_id.rfind("c_", 0) == 0);
  CHECK(first->token.size() >= 40);

  StatusOr<CreateResult> again = storage->createConversation(sampleConversation("key-0001"));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->conversation_id == first->conversation_id);
  CHECK(again->token == first->token);

  StatusOr<CreateResult> other = storage->createConversation(sampleConversation("key-0002"));
  REQUIRE(other.ok());
  CHECK(other->conversation_id != first->conversation_id);
  CHECK(other->token != first->token);

  CHECK(countRows(dir.file("kefu.db"), "SELECT COUNT(*) FROM conversations") == 2);
  CHECK(countRows(dir.file("kefu.db"), "SELECT COUNT(*) FROM messages") == 6);
}

TEST_CASE("concurrent inserts with one key store one conversation") {
  TempDir dir;
  auto storage = openOrFail(dir.file("kefu.db"));
  std::vector<std::thread> threads;
  std::vector<CreateResult> results(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      StatusOr<CreateResult> r = storage->createConversation(sampleConversation("race-key-1"));
      if (r.ok()) results[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  for (const CreateResult& r : results) {
    CHECK(r.conversation_id == results[0].conversation_id);
    created += r.duplicate ? 0 : 1;
  }
  CHECK(created == 1);
  CHECK(countRows(dir.file("kefu.db"), "SELECT COUNT(*) FROM conversations") == 1);
}

TEST_CASE("messages keep the transcript order and new ones get the next seq") {
  TempDir dir;
  auto storage = openOrFail(dir.file("kefu.db"));
  CreateResult created = *storage->createConversation(sampleConversation("key-order"));
  const std::string& id = created.conversation_id;

  StatusOr<int64_t> reply =
      storage->appendMessage(id, {"agent", "Hola, soy Ana.", "Ana", nowRfc3339()});
  REQUIRE(reply.ok());
  CHECK(*reply == 4);
  CHECK(*storage->appendMessage(id, {"customer", "¡Gracias!", "", nowRfc3339()}) == 5);

  StatusOr<Conversation> conversation = storage->getConversation(id);
  REQUIRE(conversation.ok());
  REQUIRE(conversation->messages.size() == 5);
  for (size_t i = 0; i < 5; ++i)
    CHECK(conversation->messages[i].seq == static_cast<int64_t>(i + 1));
  CHECK(conversation->messages[0].text == "Hola, ¿dónde está mi pedido?");
  CHECK(conversation->messages[3].author == "Ana");
  CHECK(conversation->messages[3].role == "agent");
  CHECK(conversation->summary.first_customer_message == "Hola, ¿dónde está mi pedido?");
  CHECK(conversation->summary.message_count == 5);
  CHECK(conversation->payload_json.find("payload-of-key-order") != std::string::npos);

  StatusOr<Storage::Tail> tail = storage->messagesAfter(id, 3);
  REQUIRE(tail.ok());
  REQUIRE(tail->messages.size() == 2);
  CHECK(tail->messages[0].seq == 4);
  CHECK(tail->messages[1].text == "¡Gracias!");
  CHECK(tail->status == "open");
}

TEST_CASE("closing stops new messages; unknown ids are not_found") {
  TempDir dir;
  auto storage = openOrFail(dir.file("kefu.db"));
  std::string id = storage->createConversation(sampleConversation("key-close"))->conversation_id;
  CHECK(storage->closeConversation(id).ok());
  CHECK(storage->closeConversation(id).ok());  // idempotent
  CHECK(storage->appendMessage(id, {"agent", "late", "", nowRfc3339()}).status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(storage->messagesAfter(id, 0)->status == "closed");

  CHECK(storage->appendMessage("c_missing", {"agent", "x", "", nowRfc3339()}).status().code() ==
        StatusCode::kNotFound);
  CHECK(storage->closeConversation("c_missing").code() == StatusCode::kNotFound);
  CHECK(storage->getConversation("c_missing").status().code() == StatusCode::kNotFound);
  CHECK(storage->checkCustomerToken("c_missing", "t").status().code() == StatusCode::kNotFound);

  auto open = storage->listConversations(StatusFilter::kOpen, 100);
  auto closed = storage->listConversations(StatusFilter::kClosed, 100);
  REQUIRE((open.ok() && closed.ok()));
  CHECK(open->empty());
  REQUIRE(closed->size() == 1);
  CHECK((*closed)[0].id == id);
}

TEST_CASE("customer tokens are checked per conversation") {
  TempDir dir;
  auto storage = openOrFail(dir.file("kefu.db"));
  CreateResult a = *storage->createConversation(sampleConversation("key-token-a"));
  CreateResult b = *storage->createConversation(sampleConversation("key-token-b"));
  CHECK(*storage->checkCustomerToken(a.conversation_id, a.token));
  CHECK_FALSE(*storage->checkCustomerToken(a.conversation_id, b.token));
  CHECK_FALSE(*storage->checkCustomerToken(a.conversation_id, ""));
  CHECK_FALSE(*storage->checkCustomerToken(a.conversation_id, a.token + "x"));
}

TEST_CASE("erase removes the conversation, its messages and its payload from the file") {
  TempDir dir;
  std::string path = dir.file("kefu.db");
  auto storage = openOrFail(path);
  std::string erased =
      storage->createConversation(sampleConversation("key-erase"))->conversation_id;
  std::string kept = storage->createConversation(sampleConversation("key-keep1"))->conversation_id;
  REQUIRE(storage->appendMessage(erased, {"agent", "secret-agent-words", "", nowRfc3339()}).ok());

  CHECK(storage->eraseConversation(erased).ok());
  CHECK(storage->getConversation(erased).status().code() == StatusCode::kNotFound);
  CHECK(storage->messagesAfter(erased, 0).status().code() == StatusCode::kNotFound);
  CHECK(storage->eraseConversation(erased).code() == StatusCode::kNotFound);
  CHECK(storage->getConversation(kept).ok());
  CHECK(countRows(path, "SELECT COUNT(*) FROM messages WHERE conversation_id = '" + erased + "'") ==
        0);
  CHECK(countRows(path, "SELECT COUNT(*) FROM conversations") == 1);

  // secure_delete + checkpoint: the bytes are gone from the files, not only from the tables.
  storage.reset();
  for (const std::string& file : {path, path + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find("secret-agent-words") == std::string::npos);
    CHECK(bytes.find("payload-of-key-erase") == std::string::npos);
  }
}

TEST_CASE("data survives closing and reopening the database file") {
  TempDir dir;
  std::string path = dir.file("nested/folder/kefu.db");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  CreateResult created;
  {
    auto storage = openOrFail(path);
    created = *storage->createConversation(sampleConversation("key-durable"));
    REQUIRE(
        storage->appendMessage(created.conversation_id, {"agent", "Ya voy", "Ana", nowRfc3339()})
            .ok());
    REQUIRE(storage->closeConversation(created.conversation_id).ok());
  }
  auto reopened = openOrFail(path);
  StatusOr<Conversation> conversation = reopened->getConversation(created.conversation_id);
  REQUIRE(conversation.ok());
  CHECK(conversation->summary.status == "closed");
  CHECK(conversation->messages.size() == 4);
  CHECK(conversation->messages.back().text == "Ya voy");
  CHECK(*reopened->checkCustomerToken(created.conversation_id, created.token));
  StatusOr<CreateResult> duplicate =
      reopened->createConversation(sampleConversation("key-durable"));
  CHECK(duplicate->duplicate);
  CHECK(duplicate->conversation_id == created.conversation_id);
}

TEST_CASE("opening refuses a database from a newer server and a file that is not SQLite") {
  TempDir dir;
  std::string newer = dir.file("newer.db");
  openOrFail(newer).reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(newer.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  StatusOr<std::unique_ptr<Storage>> opened = Storage::open(newer);
  CHECK(opened.status().code() == StatusCode::kDataLoss);
  CHECK(opened.status().message().find("newer") != std::string::npos);

  std::string junk = dir.file("junk.db");
  std::ofstream(junk) << std::string(4096, 'j');
  CHECK_FALSE(Storage::open(junk).ok());
}

TEST_CASE("random tokens are URL-safe and distinct; comparison is exact") {
  std::string a = randomToken(32), b = randomToken(32);
  CHECK(a.size() == 43);
  CHECK(a != b);
  CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  CHECK(constantTimeEquals("secret", "secret"));
  CHECK_FALSE(constantTimeEquals("secret", "secreT"));
  CHECK_FALSE(constantTimeEquals("secre", "secret"));
  CHECK_FALSE(constantTimeEquals("", "secret"));
}

TEST_CASE("a message's translation is stored as JSON and NULL when there is none") {
  TempDir dir;
  std::string path = dir.file("kefu.db");
  auto storage = openOrFail(path);
  NewConversation conversation = sampleConversation("key-translation");
  conversation.transcript[0].translation =
      R"({"text":"Hello, where is my order?","language":"en"})";
  std::string id = storage->createConversation(conversation)->conversation_id;
  NewMessage follow_up{"customer", "Mi correo es [email]", "", nowRfc3339(),
                       R"({"text":"My e-mail is [email]","language":"en","machine":true})"};
  REQUIRE(*storage->appendMessage(id, follow_up) == 4);
  REQUIRE(*storage->appendMessage(id, {"customer", "Gracias", "", nowRfc3339(), ""}) == 5);

  StatusOr<Conversation> stored = storage->getConversation(id);
  REQUIRE(stored.ok());
  REQUIRE(stored->messages.size() == 5);
  CHECK(stored->messages[0].translation == conversation.transcript[0].translation);
  CHECK(stored->messages[1].translation.empty());
  CHECK(stored->messages[3].translation == follow_up.translation);
  CHECK(stored->messages[4].translation.empty());
  StatusOr<Storage::Tail> tail = storage->messagesAfter(id, 3);
  REQUIRE(tail.ok());
  CHECK(tail->messages[0].translation == follow_up.translation);
  CHECK(countRows(path, "SELECT COUNT(*) FROM messages WHERE translation IS NULL") == 3);
}

namespace {

// The schema exactly as the first server (schema version 1) created it.
constexpr const char* kVersion1Schema = R"sql(
CREATE TABLE conversations (
  id                TEXT PRIMARY KEY,
  shop_id           TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL UNIQUE,
  token             TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  reason            TEXT NOT NULL,
  customer_locale   TEXT NOT NULL,
  customer_language TEXT NOT NULL DEFAULT '',
  page_url          TEXT NOT NULL DEFAULT '',
  payload           TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX conversations_by_status ON conversations (status, created_at);
CREATE TABLE messages (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('customer', 'assistant', 'agent')),
  text            TEXT NOT NULL,
  author          TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
INSERT INTO conversations VALUES ('c_old0000001', 'global-select', 'old-key-0001', 'old-token',
  'open', 'customer_request', 'es-ES', 'es', '', '{"schema":"kefu.escalation/1"}',
  '2026-11-01T09:00:00.000Z', '2026-11-01T09:00:00.000Z');
INSERT INTO messages VALUES ('c_old0000001', 1, 'customer', 'Hola', '', '2026-11-01T09:00:00Z');
INSERT INTO messages VALUES ('c_old0000001', 2, 'agent', 'Buenos días', 'Ana',
  '2026-11-01T09:01:00Z');
PRAGMA user_version = 1;
)sql";

void writeDatabase(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

}  // namespace

TEST_CASE("a database of schema version 1 gains the translation column and keeps its data") {
  TempDir dir;
  std::string path = dir.file("old.db");
  writeDatabase(path, kVersion1Schema);
  CHECK(countRows(path,
                  "SELECT COUNT(*) FROM pragma_table_info('messages') "
                  "WHERE name = 'translation'") == 0);
  {
    auto storage = openOrFail(path);
    StatusOr<Conversation> old = storage->getConversation("c_old0000001");
    REQUIRE(old.ok());
    REQUIRE(old->messages.size() == 2);
    CHECK(old->messages[0].text == "Hola");
    CHECK(old->messages[0].translation.empty());
    CHECK(old->messages[1].author == "Ana");
    CHECK(*storage->checkCustomerToken("c_old0000001", "old-token"));

    NewMessage follow_up{"customer", "¿Sigue ahí?", "", nowRfc3339(),
                         R"({"text":"Are you still there?","language":"en","machine":true})"};
    REQUIRE(*storage->appendMessage("c_old0000001", follow_up) == 3);
    StatusOr<Storage::Tail> tail = storage->messagesAfter("c_old0000001", 2);
    REQUIRE(tail.ok());
    REQUIRE(tail->messages.size() == 1);
    CHECK(tail->messages[0].translation == follow_up.translation);
    CHECK(storage->createConversation(sampleConversation("key-after-migration")).ok());
  }
  CHECK(countRows(path, "PRAGMA user_version") == 2);
  CHECK(countRows(path,
                  "SELECT COUNT(*) FROM pragma_table_info('messages') "
                  "WHERE name = 'translation' AND type = 'TEXT' AND \"notnull\" = 0") == 1);
  CHECK(countRows(path, "SELECT COUNT(*) FROM messages WHERE translation IS NOT NULL") == 1);
  // Opening again is a no-op: the version says the column is there.
  CHECK(openOrFail(path)->getConversation("c_old0000001")->messages.size() == 3);
}

TEST_CASE("a version 1 database that already has the translation column migrates without error") {
  TempDir dir;
  std::string path = dir.file("half.db");
  writeDatabase(path, std::string(kVersion1Schema) +
                          "ALTER TABLE messages ADD COLUMN translation TEXT;"
                          "UPDATE messages SET translation = '\"Hello\"' WHERE seq = 1;");
  auto storage = openOrFail(path);
  StatusOr<Conversation> old = storage->getConversation("c_old0000001");
  REQUIRE(old.ok());
  CHECK(old->messages[0].translation == "\"Hello\"");
  storage.reset();
  CHECK(countRows(path, "PRAGMA user_version") == 2);
}
