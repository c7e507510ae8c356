#include "storage.h"

#include <sqlite3.h>
#include <sys/random.h>

#include <chrono>
#include <cstring>
#include <ctime>

namespace kefu::server {
namespace {

constexpr int kSchemaVersion = 2;
constexpr int kBusyTimeoutMs = 5000;

struct Migration {
  const char* sql;
  // Set for an ALTER TABLE ... ADD COLUMN step: it is skipped when PRAGMA table_info already
  // lists the column, so a file that has it (added by hand, or by a build that crashed before
  // recording the version) migrates instead of failing with "duplicate column name".
  const char* adds_column_to = nullptr;
  const char* column = nullptr;
};

// Each entry moves the schema from version i to i + 1; never edit a shipped entry, append one.
constexpr Migration kMigrations[] = {
    {R"sql(
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
)sql"},
    // 1 -> 2: a message's machine translation (JSON: a string or {text, language, machine}),
    // NULL when it has none; customer follow-ups carry one since the widget translates.
    {"ALTER TABLE messages ADD COLUMN translation TEXT", "messages", "translation"},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion);

Status sqliteError(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  std::string message = what + ": " + sqlite3_errmsg(db);
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Status::unavailable(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::dataLoss(message);
    default:
      return Status::internal(message);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool valid() const { return stmt_ != nullptr; }
  Statement& bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Empty text is stored as NULL (for optional columns such as messages.translation).
  Statement& bindOrNull(int index, const std::string& text) {
    if (text.empty()) {
      sqlite3_bind_null(stmt_, index);
      return *this;
    }
    return bind(index, text);
  }
  Statement& bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : "";
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

Status exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqliteError(db, std::string("sqlite: ") + sql);
  }
  return {};
}

// Rolls back unless commit() succeeded, so every early return leaves the database untouched.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  // IMMEDIATE takes the write lock up front: a check-then-insert cannot interleave with
  // another process's writer, and BUSY surfaces here (after busy_timeout) instead of mid-way.
  Status begin() {
    Status status = exec(db_, "BEGIN IMMEDIATE");
    open_ = status.ok();
    return status;
  }
  Status commit() {
    Status status = exec(db_, "COMMIT");
    if (status.ok()) open_ = false;
    return status;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

Message readMessage(const Statement& row, int first_column) {
  Message message;
  message.seq = row.integer(first_column);
  message.role = row.text(first_column + 1);
  message.text = row.text(first_column + 2);
  message.author = row.text(first_column + 3);
  message.created_at = row.text(first_column + 4);
  message.translation = row.text(first_column + 5);
  return message;
}

constexpr const char* kSummaryColumns =
    "c.id, c.shop_id, c.status, c.reason, c.customer_locale, c.customer_language, c.page_url, "
    "c.created_at, c.updated_at, "
    "(SELECT text FROM messages m WHERE m.conversation_id = c.id AND m.role = 'customer' "
    " ORDER BY seq LIMIT 1), "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)";

ConversationSummary readSummary(const Statement& row) {
  ConversationSummary summary;
  summary.id = row.text(0);
  summary.shop_id = row.text(1);
  summary.status = row.text(2);
  summary.reason = row.text(3);
  summary.customer_locale = row.text(4);
  summary.customer_language = row.text(5);
  summary.page_url = row.text(6);
  summary.created_at = row.text(7);
  summary.updated_at = row.text(8);
  summary.first_customer_message = row.text(9);
  summary.message_count = row.integer(10);
  return summary;
}

Status insertMessage(sqlite3* db, const std::string& id, int64_t seq, const NewMessage& message) {
  Statement insert(db,
                   "INSERT INTO messages (conversation_id, seq, role, text, author, created_at, "
                   "translation) VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, id).bind(2, seq).bind(3, message.role).bind(4, message.text);
  insert.bind(5, message.author).bind(6, message.created_at).bindOrNull(7, message.translation);
  if (insert.step() != SQLITE_DONE) return sqliteError(db, "insert message");
  return {};
}

// Looks up the status of `id`; nullopt when absent.
StatusOr<std::optional<std::string>> conversationStatus(sqlite3* db, const std::string& id) {
  Statement query(db, "SELECT status FROM conversations WHERE id = ?");
  query.bind(1, id);
  int rc = query.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(query.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return sqliteError(db, "read conversation");
}

// Whether PRAGMA table_info lists `column` in `table`.
StatusOr<bool> hasColumn(sqlite3* db, const std::string& table, const std::string& column) {
  std::string sql = "PRAGMA table_info(" + table + ")";  // table is a constant of this file
  Statement query(db, sql.c_str());
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) {
    if (query.text(1) == column) return true;  // columns: cid, name, type, notnull, ...
  }
  if (rc != SQLITE_DONE) return sqliteError(db, "read columns of " + table);
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<Storage>> Storage::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        "cannot open database \"" + path + "\": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status::unavailable(message);
  }
  std::unique_ptr<Storage> storage(new Storage(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);

  // journal_mode answers with the mode actually in effect; anything but "wal" (e.g. on a
  // filesystem without shared memory) would silently weaken the durability promise.
  {
    Statement journal(db, "PRAGMA journal_mode = WAL");
    if (journal.step() != SQLITE_ROW) return sqliteError(db, "cannot read \"" + path + "\"");
    if (journal.text(0) != "wal") {
      return Status::unavailable("database \"" + path + "\": WAL journal mode unavailable (got " +
                                 journal.text(0) + ")");
    }
  }
  for (const char* pragma :
       {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON"}) {
    if (Status s = exec(db, pragma); !s.ok()) return s;
  }
  if (Status s = storage->migrate(); !s.ok()) return s;
  return storage;
}

Storage::~Storage() {
  // Folds the WAL back into the main file so a stopped server leaves one self-contained file.
  sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
}

Status Storage::migrate() {
  Transaction transaction(db_);
  if (Status s = transaction.begin(); !s.ok()) return s;
  int64_t version;
  {
    Statement version_query(db_, "PRAGMA user_version");
    if (version_query.step() != SQLITE_ROW) return sqliteError(db_, "read schema version");
    version = version_query.integer(0);
  }
  if (version > kSchemaVersion) {
    return Status::dataLoss("database schema version " + std::to_string(version) +
                            " is newer than this server understands (" +
                            std::to_string(kSchemaVersion) + "); upgrade kefu-server");
  }
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    const Migration& migration = kMigrations[v];
    if (migration.adds_column_to) {
      StatusOr<bool> present = hasColumn(db_, migration.adds_column_to, migration.column);
      if (!present.ok()) return present.status();
      if (*present) continue;
    }
    if (Status s = exec(db_, migration.sql); !s.ok()) return s;
  }
  if (version < kSchemaVersion) {
    std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
    if (Status s = exec(db_, set_version.c_str()); !s.ok()) return s;
  }
  return transaction.commit();
}

StatusOr<CreateResult> Storage::createConversation(const NewConversation& conversation) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction transaction(db_);
  if (Status s = transaction.begin(); !s.ok()) return s;

  Statement existing(db_, "SELECT id, token FROM conversations WHERE idempotency_key = ?");
  existing.bind(1, conversation.idempotency_key);
  int rc = existing.step();
  if (rc == SQLITE_ROW) return CreateResult{existing.text(0), existing.text(1), true};
  if (rc != SQLITE_DONE) return sqliteError(db_, "look up idempotency key");

  CreateResult result{"c_" + randomToken(15), randomToken(32), false};
  std::string now = nowRfc3339();
  Statement insert(db_,
                   "INSERT INTO conversations (id, shop_id, idempotency_key, token, status, "
                   "reason, customer_locale, customer_language, page_url, payload, created_at, "
                   "updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, result.conversation_id).bind(2, conversation.shop_id);
  insert.bind(3, conversation.idempotency_key).bind(4, result.token);
  insert.bind(5, conversation.reason).bind(6, conversation.customer_locale);
  insert.bind(7, conversation.customer_language).bind(8, conversation.page_url);
  insert.bind(9, conversation.payload_json).bind(10, now).bind(11, now);
  if (insert.step() != SQLITE_DONE) return sqliteError(db_, "insert conversation");

  int64_t seq = 0;
  for (const NewMessage& message : conversation.transcript) {
    if (Status s = insertMessage(db_, result.conversation_id, ++seq, message); !s.ok()) return s;
  }
  if (Status s = transaction.commit(); !s.ok()) return s;
  return result;
}

StatusOr<Conversation> Storage::getConversation(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string sql =
      std::string("SELECT ") + kSummaryColumns + ", c.payload FROM conversations c WHERE c.id = ?";
  Statement query(db_, sql.c_str());
  query.bind(1, id);
  int rc = query.step();
  if (rc == SQLITE_DONE) return Status::notFound("conversation " + id + " not found");
  if (rc != SQLITE_ROW) return sqliteError(db_, "read conversation");
  Conversation conversation;
  conversation.summary = readSummary(query);
  conversation.payload_json = query.text(11);

  Statement messages(db_,
                     "SELECT seq, role, text, author, created_at, translation FROM messages "
                     "WHERE conversation_id = ? ORDER BY seq");
  messages.bind(1, id);
  while ((rc = messages.step()) == SQLITE_ROW)
    conversation.messages.push_back(readMessage(messages, 0));
  if (rc != SQLITE_DONE) return sqliteError(db_, "read messages");
  return conversation;
}

StatusOr<std::vector<ConversationSummary>> Storage::listConversations(StatusFilter filter,
                                                                      int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string sql = std::string("SELECT ") + kSummaryColumns + " FROM conversations c";
  if (filter == StatusFilter::kOpen) sql += " WHERE c.status = 'open'";
  if (filter == StatusFilter::kClosed) sql += " WHERE c.status = 'closed'";
  sql += " ORDER BY c.created_at DESC, c.id LIMIT ?";
  Statement query(db_, sql.c_str());
  query.bind(1, static_cast<int64_t>(limit));
  std::vector<ConversationSummary> out;
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) out.push_back(readSummary(query));
  if (rc != SQLITE_DONE) return sqliteError(db_, "list conversations");
  return out;
}

StatusOr<Storage::Tail> Storage::messagesAfter(const std::string& id, int64_t after_seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  // One read transaction so the status and the messages are a consistent snapshot.
  if (Status s = exec(db_, "BEGIN"); !s.ok()) return s;
  struct EndRead {
    sqlite3* db;
    ~EndRead() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
  } end_read{db_};

  StatusOr<std::optional<std::string>> status = conversationStatus(db_, id);
  if (!status.ok()) return status.status();
  if (!status->has_value()) return Status::notFound("conversation " + id + " not found");
  Tail tail;
  tail.status = **status;
  Statement query(db_,
                  "SELECT seq, role, text, author, created_at, translation FROM messages "
                  "WHERE conversation_id = ? AND seq > ? ORDER BY seq");
  query.bind(1, id).bind(2, after_seq);
  int rc;
  while ((rc = query.step()) == SQLITE_ROW) tail.messages.push_back(readMessage(query, 0));
  if (rc != SQLITE_DONE) return sqliteError(db_, "read messages");
  return tail;
}

StatusOr<int64_t> Storage::appendMessage(const std::string& id, const NewMessage& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction transaction(db_);
  if (Status s = transaction.begin(); !s.ok()) return s;
  StatusOr<std::optional<std::string>> status = conversationStatus(db_, id);
  if (!status.ok()) return status.status();
  if (!status->has_value()) return Status::notFound("conversation " + id + " not found");
  if (**status != "open") {
    return Status::failedPrecondition("conversation " + id + " is closed");
  }
  int64_t seq;
  {
    // Finalised before COMMIT: SQLite refuses to commit while a statement is mid-result.
    Statement next(db_, "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?");
    next.bind(1, id);
    if (next.step() != SQLITE_ROW) return sqliteError(db_, "next seq");
    seq = next.integer(0);
  }
  if (Status s = insertMessage(db_, id, seq, message); !s.ok()) return s;
  Statement touch(db_, "UPDATE conversations SET updated_at = ? WHERE id = ?");
  touch.bind(1, message.created_at).bind(2, id);
  if (touch.step() != SQLITE_DONE) return sqliteError(db_, "update conversation");
  if (Status s = transaction.commit(); !s.ok()) return s;
  return seq;
}

StatusOr<bool> Storage::checkCustomerToken(const std::string& id, const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement query(db_, "SELECT token FROM conversations WHERE id = ?");
  query.bind(1, id);
  int rc = query.step();
  if (rc == SQLITE_DONE) return Status::notFound("conversation " + id + " not found");
  if (rc != SQLITE_ROW) return sqliteError(db_, "read conversation");
  return constantTimeEquals(query.text(0), token);
}

Status Storage::closeConversation(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement update(db_,
                   "UPDATE conversations SET status = 'closed', updated_at = ? WHERE id = ? "
                   "AND status = 'open'");
  update.bind(1, nowRfc3339()).bind(2, id);
  if (update.step() != SQLITE_DONE) return sqliteError(db_, "close conversation");
  if (sqlite3_changes(db_) > 0) return {};
  StatusOr<std::optional<std::string>> status = conversationStatus(db_, id);
  if (!status.ok()) return status.status();
  if (!status->has_value()) return Status::notFound("conversation " + id + " not found");
  return {};
}

Status Storage::eraseConversation(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  {
    Transaction transaction(db_);
    if (Status s = transaction.begin(); !s.ok()) return s;
    Statement messages(db_, "DELETE FROM messages WHERE conversation_id = ?");
    messages.bind(1, id);
    if (messages.step() != SQLITE_DONE) return sqliteError(db_, "erase messages");
    Statement conversation(db_, "DELETE FROM conversations WHERE id = ?");
    conversation.bind(1, id);
    if (conversation.step() != SQLITE_DONE) return sqliteError(db_, "erase conversation");
    if (sqlite3_changes(db_) == 0) return Status::notFound("conversation " + id + " not found");
    if (Status s = transaction.commit(); !s.ok()) return s;
  }
  // Best effort: readers may hold old WAL frames for a moment; the next checkpoint gets them.
  sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  return {};
}

std::string nowRfc3339() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[80];  // ample for any int the format could receive
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

std::string randomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t filled = 0;
  while (filled < bytes) {
    ssize_t n = getrandom(raw.data() + filled, bytes - filled, 0);
    if (n > 0) filled += static_cast<size_t>(n);
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  // The loop always runs over all of `b` (the stored secret), so the time taken says nothing
  // about where the first mismatch is.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < b.size(); ++i) {
    unsigned char ca = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= ca ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

}  // namespace kefu::server
