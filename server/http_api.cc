#include "http_api.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "desk_assets.h"
#include "payload.h"

namespace kefu::server {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Conversation ids are "c_" + base64url; anything else is not worth a database lookup.
constexpr const char* kIdPattern = "(c_[A-Za-z0-9_-]{1,64})";
constexpr const char* kAllowedMethods = "GET, POST, OPTIONS";
constexpr const char* kAllowedHeaders =
    "Content-Type, Idempotency-Key, Authorization, Last-Event-ID";
constexpr int kDefaultListLimit = 200;
constexpr int kMaxListLimit = 1000;
constexpr size_t kMaxAuthorBytes = 100;

void sendJson(httplib::Response& res, int http_status, const json& body) {
  res.status = http_status;
  // replace: an error message may quote the client's bytes (the parser's "last read: ..."),
  // and invalid UTF-8 there must not turn a 400 into a 500.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void sendError(httplib::Response& res, int http_status, const std::string& code,
               const std::string& message) {
  sendJson(res, http_status, {{"error", {{"code", code}, {"message", message}}}});
}

int httpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void sendStatus(httplib::Response& res, const Status& status) {
  sendError(res, httpStatusFor(status.code()), statusCodeName(status.code()), status.message());
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "Bearer <token>" -> token; empty when the header is missing or uses another scheme.
std::string bearerToken(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  if (header.size() < 7 || lowercase(header.substr(0, 7)) != "bearer ") return "";
  size_t start = header.find_first_not_of(' ', 7);
  return start == std::string::npos ? "" : header.substr(start);
}

json messageJson(const Message& message) {
  json out = {{"seq", message.seq},
              {"role", message.role},
              {"text", message.text},
              {"created_at", message.created_at}};
  if (!message.author.empty()) out["author"] = message.author;
  if (!message.translation.empty()) {
    // Stored as validated JSON; a row that does not parse (edited by hand) is shown without it.
    json translation = json::parse(message.translation, nullptr, false);
    if (!translation.is_discarded()) out["translation"] = std::move(translation);
  }
  return out;
}

json summaryJson(const ConversationSummary& s) {
  json out = {{"id", s.id},
              {"shop_id", s.shop_id},
              {"status", s.status},
              {"reason", s.reason},
              {"locale", s.customer_locale},
              {"language", s.customer_language.empty() ? json() : json(s.customer_language)},
              {"page_url", s.page_url.empty() ? json() : json(s.page_url)},
              {"created_at", s.created_at},
              {"updated_at", s.updated_at},
              {"message_count", s.message_count}};
  out["first_customer_message"] =
      s.first_customer_message.empty() ? json() : json(s.first_customer_message);
  return out;
}

std::string sseEvent(const char* event, const json& data, int64_t id = -1) {
  std::string out;
  if (id >= 0) out += "id: " + std::to_string(id) + "\n";
  // json::dump escapes newlines, so the data always fits on one "data:" line.
  out += std::string("event: ") + event + "\ndata: " + data.dump() + "\n\n";
  return out;
}

bool parseSeq(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// Parses a JSON body; on failure answers 400 with the parser's position and returns nullopt.
std::optional<json> parseBody(const httplib::Request& req, httplib::Response& res) {
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ..."; the
    // bracketed library tag means nothing to an API client.
    std::string what = e.what();
    if (size_t tag_end = what.find("] ");
        what.rfind("[json.", 0) == 0 && tag_end != std::string::npos) {
      what = what.substr(tag_end + 2);
    }
    sendError(res, 400, "invalid_argument",
              "body is not valid JSON (byte " + std::to_string(e.byte) + "): " + what);
    return std::nullopt;
  }
}

}  // namespace

HttpApi::HttpApi(ServerConfig config, Storage& storage, EventHub& hub)
    : config_(std::move(config)), storage_(storage), hub_(hub), limiter_(config_.rate_limit) {}

HttpApi::Origin HttpApi::checkOrigin(const httplib::Request& req) const {
  if (!req.has_header("Origin")) return Origin::kAbsent;
  std::string origin = req.get_header_value("Origin");
  for (const std::string& allowed : config_.allowed_origins) {
    if (allowed == "*" || lowercase(allowed) == lowercase(origin)) return Origin::kAllowed;
  }
  return Origin::kDenied;
}

bool HttpApi::applyCors(const httplib::Request& req, httplib::Response& res) const {
  res.set_header("Vary", "Origin");
  switch (checkOrigin(req)) {
    case Origin::kAbsent:
      return true;  // not a browser cross-origin request (curl, server-to-server)
    case Origin::kAllowed:
      res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
      // Not CORS-safelisted: without this the widget could not read how long to back off.
      res.set_header("Access-Control-Expose-Headers", "Retry-After");
      return true;
    case Origin::kDenied:
      sendError(res, 403, "permission_denied",
                "origin " + req.get_header_value("Origin") +
                    " is not allowed (add it to allowed_origins or pass --allow-origin)");
      return false;
  }
  return false;
}

bool HttpApi::rateLimited(const std::string& bucket, const httplib::Request& req,
                          httplib::Response& res) {
  RateLimiter::Decision decision = limiter_.take(bucket + " " + req.remote_addr, Clock::now());
  if (decision.allowed) return false;
  res.set_header("Retry-After", std::to_string(decision.retry_after_seconds));
  sendError(res, 429, "resource_exhausted",
            "too many requests from " + req.remote_addr + "; retry in " +
                std::to_string(decision.retry_after_seconds) + " s");
  return true;
}

bool HttpApi::checkJsonBody(const httplib::Request& req, httplib::Response& res) const {
  std::string type = lowercase(req.get_header_value("Content-Type"));
  type = type.substr(0, type.find(';'));
  type.erase(type.find_last_not_of(' ') + 1);
  if (type != "application/json") {
    sendError(res, 415, "invalid_argument",
              "Content-Type must be application/json, got \"" +
                  req.get_header_value("Content-Type") + "\"");
    return false;
  }
  if (req.body.size() > config_.max_body_bytes) {
    sendError(res, 413, "out_of_range",
              "body is " + std::to_string(req.body.size()) + " bytes, at most " +
                  std::to_string(config_.max_body_bytes) + " allowed");
    return false;
  }
  return true;
}

bool HttpApi::checkDeskToken(const httplib::Request& req, httplib::Response& res) const {
  if (constantTimeEquals(bearerToken(req), config_.desk_token)) return true;
  res.set_header("WWW-Authenticate", "Bearer realm=\"kefu-desk\"");
  sendError(res, 401, "unauthenticated",
            req.has_header("Authorization") ? "wrong desk token"
                                            : "missing Authorization: Bearer <desk token>");
  return false;
}

void HttpApi::install(httplib::Server& server) {
  // cpp-httplib answers with 413 by itself past this hard cap, before reading the body into
  // memory; below it, checkJsonBody answers 413 with the configured limit in the message.
  server.set_payload_max_length(std::max<size_t>(config_.max_body_bytes * 4, 1 << 20));
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cache-Control", "no-store"}});
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (req.path.rfind("/v1/", 0) == 0 && checkOrigin(req) == Origin::kAllowed) {
          res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
          res.set_header("Vary", "Origin");
        }
        int status = res.status;
        if (status == 404) {
          sendError(res, 404, "not_found", "no route for " + req.method + " " + req.path);
        } else if (status == 413) {
          sendError(res, 413, "out_of_range",
                    "body larger than " + std::to_string(config_.max_body_bytes) + " bytes");
        } else {
          sendError(res, status, status >= 500 ? "internal" : "invalid_argument",
                    "request failed with HTTP " + std::to_string(status));
        }
        res.status = status;
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unexpected error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        sendError(res, 500, "internal", what);
      });

  auto bind = [this](auto method) {
    return [this, method](const httplib::Request& req, httplib::Response& res) {
      (this->*method)(req, res);
    };
  };
  std::string id = kIdPattern;
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    sendJson(res, 200, {{"ok", true}});
  });
  server.Options("/v1/escalations", bind(&HttpApi::preflight));
  server.Options("/v1/conversations/" + id + "/(events|messages)", bind(&HttpApi::preflight));
  server.Post("/v1/escalations", bind(&HttpApi::createEscalation));
  server.Get("/v1/conversations/" + id + "/events", bind(&HttpApi::streamEvents));
  server.Post("/v1/conversations/" + id + "/messages", bind(&HttpApi::customerMessage));
  server.Get("/v1/desk/conversations", bind(&HttpApi::deskList));
  server.Get("/v1/desk/conversations/" + id, bind(&HttpApi::deskGet));
  server.Post("/v1/desk/conversations/" + id + "/messages", bind(&HttpApi::deskReply));
  server.Post("/v1/desk/conversations/" + id + "/close", bind(&HttpApi::deskClose));
  server.Delete("/v1/desk/conversations/" + id, bind(&HttpApi::deskErase));
  server.Get("/desk(/[a-z.]*)?", bind(&HttpApi::deskFile));
  server.Get("/",
             [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/desk/"); });
  // Browsers ask for it on every console load; an empty answer keeps their console clean.
  server.Get("/favicon.ico",
             [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
}

void HttpApi::preflight(const httplib::Request& req, httplib::Response& res) const {
  if (!applyCors(req, res)) return;
  res.set_header("Access-Control-Allow-Methods", kAllowedMethods);
  res.set_header("Access-Control-Allow-Headers", kAllowedHeaders);
  res.set_header("Access-Control-Max-Age", "600");
  res.status = 204;
}

void HttpApi::createEscalation(const httplib::Request& req, httplib::Response& res) {
  if (!applyCors(req, res) || rateLimited("escalation", req, res) || !checkJsonBody(req, res)) {
    return;
  }
  std::optional<std::string> header_key;
  if (req.has_header("Idempotency-Key")) {
    header_key = req.get_header_value("Idempotency-Key");
    if (!isValidIdempotencyKey(*header_key)) {
      sendError(res, 400, "invalid_argument",
                "Idempotency-Key header: must be 8..128 characters of A-Z a-z 0-9 _ -");
      return;
    }
  }
  std::optional<json> payload = parseBody(req, res);
  if (!payload) return;
  if (Status status = validateEscalation(*payload, header_key, {config_.max_message_bytes});
      !status.ok()) {
    sendStatus(res, status);
    return;
  }

  const json& customer = (*payload)["customer"];
  NewConversation conversation;
  conversation.shop_id = (*payload)["shop_id"].get<std::string>();
  conversation.idempotency_key = (*payload)["idempotency_key"].get<std::string>();
  conversation.reason = (*payload)["reason"].get<std::string>();
  conversation.customer_locale = customer["locale"].get<std::string>();
  conversation.customer_language = customer.value("language", "");
  conversation.page_url = payload->value("page_url", "");
  conversation.payload_json = payload->dump();
  for (const json& item : (*payload)["transcript"]) {
    conversation.transcript.push_back(
        {item["role"].get<std::string>(), item["text"].get<std::string>(), "",
         item["at"].get<std::string>(),
         item.contains("translation") ? item["translation"].dump() : std::string()});
  }
  StatusOr<CreateResult> created = storage_.createConversation(conversation);
  if (!created.ok()) {
    sendStatus(res, created.status());
    return;
  }
  sendJson(res, created->duplicate ? 200 : 201,
           {{"conversation_id", created->conversation_id},
            {"token", created->token},
            {"status", "open"},
            {"duplicate", created->duplicate}});
}

void HttpApi::streamEvents(const httplib::Request& req, httplib::Response& res) {
  if (!applyCors(req, res)) return;
  std::string id = req.matches[1];
  StatusOr<bool> token_ok = storage_.checkCustomerToken(id, req.get_param_value("token"));
  if (!token_ok.ok()) return sendStatus(res, token_ok.status());
  if (!*token_ok) {
    sendError(res, 401, "unauthenticated", "missing or wrong ?token= for conversation " + id);
    return;
  }
  // EventSource sends Last-Event-ID when it reconnects, while the URL keeps the first ?after=,
  // so the header is the fresher of the two.
  std::string after_text = req.has_header("Last-Event-ID") ? req.get_header_value("Last-Event-ID")
                                                           : req.get_param_value("after");
  int64_t after = 0;
  if (!after_text.empty() && !parseSeq(after_text, after)) {
    sendError(res, 400, "invalid_argument",
              "Last-Event-ID / after: must be a message seq (non-negative integer)");
    return;
  }

  struct Stream {
    std::string id;
    int64_t last_seq;
    std::unique_ptr<EventHub::Subscription> subscription;
    Clock::time_point next_ping;
    bool started = false;
  };
  auto stream = std::make_shared<Stream>(Stream{id, after, hub_.subscribe(id), {}, false});
  stream->next_ping = Clock::now() + sse_ping_interval;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");  // nginx would otherwise hold events back
  res.set_chunked_content_provider(
      "text/event-stream", [this, stream](size_t, httplib::DataSink& sink) {
        if (hub_.stopped()) {
          sink.done();
          return true;
        }
        // Read the version before the database: a change committed after the read bumps it,
        // and the wait below returns at once instead of sleeping through it.
        uint64_t seen = stream->subscription->version();
        std::string out;
        if (!stream->started) {
          out += "retry: 3000\n\n";
          stream->started = true;
        }
        bool finished = false;
        StatusOr<Storage::Tail> tail = storage_.messagesAfter(stream->id, stream->last_seq);
        if (!tail.ok()) {
          if (tail.status().code() != StatusCode::kNotFound) return false;  // client retries
          out += sseEvent("status", {{"status", "erased"}});
          finished = true;
        } else {
          for (const Message& message : tail->messages) {
            out += sseEvent("message", messageJson(message), message.seq);
            stream->last_seq = message.seq;
          }
          if (tail->status == "closed") {
            out += sseEvent("status", {{"status", "closed"}});
            finished = true;
          }
        }
        Clock::time_point now = Clock::now();
        if (out.empty() && now >= stream->next_ping) out = ": ping\n\n";
        if (!out.empty()) {
          if (!sink.write(out.data(), out.size())) return false;
          stream->next_ping = now + sse_ping_interval;
        }
        if (finished) {
          sink.done();
          return true;
        }
        if (out.empty()) stream->subscription->waitForChange(seen, stream->next_ping);
        return true;
      });
}

void HttpApi::customerMessage(const httplib::Request& req, httplib::Response& res) {
  if (!applyCors(req, res) || rateLimited("message", req, res) || !checkJsonBody(req, res)) return;
  std::string id = req.matches[1];
  StatusOr<bool> token_ok = storage_.checkCustomerToken(id, bearerToken(req));
  if (!token_ok.ok()) return sendStatus(res, token_ok.status());
  if (!*token_ok) {
    sendError(res, 401, "unauthenticated",
              "missing or wrong Authorization: Bearer <customer token> for conversation " + id);
    return;
  }
  std::optional<json> body = parseBody(req, res);
  if (!body) return;
  if (!body->is_object() || !body->contains("text")) {
    sendError(res, 400, "invalid_argument", "text: is required");
    return;
  }
  PayloadLimits limits{config_.max_message_bytes};
  if (Status s = validateMessageText((*body)["text"], "text", limits); !s.ok()) {
    return sendStatus(res, s);
  }
  // The widget's machine translation of the follow-up, in the shape transcript entries use.
  std::string translation;
  if (body->contains("translation")) {
    if (Status s = validateTranslation((*body)["translation"], "translation", limits); !s.ok()) {
      return sendStatus(res, s);
    }
    translation = (*body)["translation"].dump();
  }
  StatusOr<int64_t> seq = storage_.appendMessage(
      id, {"customer", (*body)["text"].get<std::string>(), "", nowRfc3339(), translation});
  if (!seq.ok()) return sendStatus(res, seq.status());
  hub_.notify(id);
  sendJson(res, 201, {{"seq", *seq}});
}

void HttpApi::deskList(const httplib::Request& req, httplib::Response& res) {
  if (!checkDeskToken(req, res)) return;
  std::string status = req.has_param("status") ? req.get_param_value("status") : "open";
  StatusFilter filter;
  if (status == "open") {
    filter = StatusFilter::kOpen;
  } else if (status == "closed") {
    filter = StatusFilter::kClosed;
  } else if (status == "all") {
    filter = StatusFilter::kAll;
  } else {
    sendError(res, 400, "invalid_argument", "status: must be one of open, closed, all");
    return;
  }
  int64_t limit = kDefaultListLimit;
  if (req.has_param("limit") &&
      (!parseSeq(req.get_param_value("limit"), limit) || limit < 1 || limit > kMaxListLimit)) {
    sendError(res, 400, "invalid_argument",
              "limit: must be an integer 1.." + std::to_string(kMaxListLimit));
    return;
  }
  StatusOr<std::vector<ConversationSummary>> list =
      storage_.listConversations(filter, static_cast<int>(limit));
  if (!list.ok()) return sendStatus(res, list.status());
  json conversations = json::array();
  for (const ConversationSummary& summary : *list) conversations.push_back(summaryJson(summary));
  sendJson(res, 200, {{"conversations", conversations}});
}

void HttpApi::deskGet(const httplib::Request& req, httplib::Response& res) {
  if (!checkDeskToken(req, res)) return;
  StatusOr<Conversation> conversation = storage_.getConversation(req.matches[1]);
  if (!conversation.ok()) return sendStatus(res, conversation.status());
  json out = summaryJson(conversation->summary);
  out["payload"] = json::parse(conversation->payload_json, nullptr, false);
  json messages = json::array();
  for (const Message& message : conversation->messages) messages.push_back(messageJson(message));
  out["messages"] = messages;
  sendJson(res, 200, out);
}

void HttpApi::deskReply(const httplib::Request& req, httplib::Response& res) {
  if (!checkDeskToken(req, res) || !checkJsonBody(req, res)) return;
  std::optional<json> body = parseBody(req, res);
  if (!body) return;
  if (!body->is_object() || !body->contains("text")) {
    sendError(res, 400, "invalid_argument", "text: is required");
    return;
  }
  PayloadLimits limits{config_.max_message_bytes};
  if (Status s = validateMessageText((*body)["text"], "text", limits); !s.ok()) {
    return sendStatus(res, s);
  }
  std::string author;
  if (body->contains("author") && !(*body)["author"].is_null()) {
    if (Status s = validateMessageText((*body)["author"], "author", {kMaxAuthorBytes}); !s.ok()) {
      return sendStatus(res, s);
    }
    author = (*body)["author"].get<std::string>();
  }
  std::string id = req.matches[1];
  StatusOr<int64_t> seq = storage_.appendMessage(
      id, {"agent", (*body)["text"].get<std::string>(), author, nowRfc3339(), ""});
  if (!seq.ok()) return sendStatus(res, seq.status());
  hub_.notify(id);
  sendJson(res, 201, {{"seq", *seq}});
}

void HttpApi::deskClose(const httplib::Request& req, httplib::Response& res) {
  if (!checkDeskToken(req, res)) return;
  std::string id = req.matches[1];
  if (Status s = storage_.closeConversation(id); !s.ok()) return sendStatus(res, s);
  hub_.notify(id);
  sendJson(res, 200, {{"id", id}, {"status", "closed"}});
}

void HttpApi::deskErase(const httplib::Request& req, httplib::Response& res) {
  if (!checkDeskToken(req, res)) return;
  std::string id = req.matches[1];
  if (Status s = storage_.eraseConversation(id); !s.ok()) return sendStatus(res, s);
  hub_.notify(id);
  sendJson(res, 200, {{"id", id}, {"erased", true}});
}

void HttpApi::deskFile(const httplib::Request& req, httplib::Response& res) const {
  // /desk and /desk/ both serve the page; it refers to its files by absolute path.
  std::string name = req.matches[1];
  if (!name.empty()) name = name.substr(1);
  if (name.empty()) name = "index.html";
  for (size_t i = 0; i < kDeskFileCount; ++i) {
    const EmbeddedFile& file = kDeskFiles[i];
    if (name != file.name) continue;
    const char* type = "text/html; charset=utf-8";
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".js") == 0) {
      type = "text/javascript; charset=utf-8";
    } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".css") == 0) {
      type = "text/css; charset=utf-8";
    }
    res.set_header("Content-Security-Policy", "default-src 'self'");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(reinterpret_cast<const char*>(file.data), file.size, type);
    return;
  }
  sendError(res, 404, "not_found", "no desk file " + name);
}

}  // namespace kefu::server
