// Durable store of escalations and their messages in one SQLite file.
//
//   StatusOr<std::unique_ptr<Storage>> storage = Storage::open("var/kefu.db");
//   StatusOr<CreateResult> created = (*storage)->createConversation(new_conversation);
//   // created->duplicate is true when the idempotency key was stored before.
//
// WAL journal + synchronous=FULL: once a call returns ok, the change survives a crash or power
// loss, so the HTTP layer may acknowledge it. One connection guarded by a mutex; SQLite
// serialises writers anyway and the server's write rate is tiny. Open fails with unavailable
// (cannot open/lock the file) or data_loss (unreadable or newer schema).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "status.h"

struct sqlite3;

namespace kefu::server {

struct NewMessage {
  std::string role;  // customer | assistant | agent
  std::string text;
  std::string author;       // empty = none (customer and assistant messages)
  std::string created_at;   // RFC 3339
  std::string translation;  // JSON text as validated (string or object); empty = none (NULL)
};

struct NewConversation {
  std::string shop_id;
  std::string idempotency_key;
  std::string reason;
  std::string customer_locale;
  std::string customer_language;  // empty when the payload had none
  std::string page_url;
  std::string payload_json;  // the validated payload as received
  std::vector<NewMessage> transcript;
};

struct CreateResult {
  std::string conversation_id;
  std::string token;  // the customer's capability for events and follow-ups
  bool duplicate = false;
};

struct Message {
  int64_t seq = 0;  // 1, 2, ... per conversation; the transcript takes 1..n
  std::string role;
  std::string text;
  std::string author;
  std::string created_at;
  std::string translation;  // JSON text; empty when the message has none
};

struct ConversationSummary {
  std::string id;
  std::string shop_id;
  std::string status;  // open | closed
  std::string reason;
  std::string customer_locale;
  std::string customer_language;
  std::string page_url;
  std::string created_at;
  std::string updated_at;
  std::string first_customer_message;
  int64_t message_count = 0;
};

struct Conversation {
  ConversationSummary summary;
  std::string payload_json;
  std::vector<Message> messages;
};

enum class StatusFilter { kOpen, kClosed, kAll };

class Storage {
 public:
  // Creates the file and its schema when missing; migrates older schemas forward.
  static StatusOr<std::unique_ptr<Storage>> open(const std::string& path);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // Stores the conversation and its transcript in one transaction, or, when the idempotency
  // key is already stored, returns that conversation with duplicate = true.
  StatusOr<CreateResult> createConversation(const NewConversation& conversation);

  // not_found when the id is unknown (or was erased).
  StatusOr<Conversation> getConversation(const std::string& id);
  StatusOr<std::vector<ConversationSummary>> listConversations(StatusFilter filter, int limit);

  // Messages with seq > after_seq in order, plus the conversation's status; not_found when the
  // conversation does not exist (any more).
  struct Tail {
    std::string status;
    std::vector<Message> messages;
  };
  StatusOr<Tail> messagesAfter(const std::string& id, int64_t after_seq);

  // Appends with the next seq; not_found for an unknown id, failed_precondition when closed.
  StatusOr<int64_t> appendMessage(const std::string& id, const NewMessage& message);

  // Constant-time comparison with the stored customer token; not_found for an unknown id.
  StatusOr<bool> checkCustomerToken(const std::string& id, const std::string& token);

  // Closing a closed conversation is ok (idempotent); not_found for an unknown id.
  Status closeConversation(const std::string& id);

  // Deletes the conversation, its messages and payload. secure_delete overwrites the freed
  // pages and the WAL is checkpointed, so the text does not linger in the files.
  Status eraseConversation(const std::string& id);

 private:
  explicit Storage(sqlite3* db) : db_(db) {}
  Status migrate();

  std::mutex mutex_;
  sqlite3* db_;
};

// Current UTC time as RFC 3339 with milliseconds, e.g. 2026-11-22T10:15:00.123Z.
std::string nowRfc3339();

// Random URL-safe identifier material from the OS CSPRNG (getrandom).
std::string randomToken(size_t bytes);

// Compares without an early exit, so timing does not reveal how many leading bytes matched.
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace kefu::server
