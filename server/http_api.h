// The HTTP surface of the escalation server (docs/server-api.md), installed on a cpp-httplib
// server:
//
//   httplib::Server http;
//   HttpApi api(config, storage, hub);
//   api.install(http);
//   http.listen(...);            // on shutdown: hub.stop(); http.stop();
//
// Handlers never throw; failures become {"error":{"code","message"}} with the matching status.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>

#include "config.h"
#include "event_hub.h"
#include "rate_limiter.h"
#include "storage.h"

namespace kefu::server {

class HttpApi {
 public:
  HttpApi(ServerConfig config, Storage& storage, EventHub& hub);

  void install(httplib::Server& server);

  // Streams must send something now and then: proxies drop idle connections and a write is
  // the only way to notice a client that went away.
  std::chrono::seconds sse_ping_interval{15};

 private:
  enum class Origin { kAbsent, kAllowed, kDenied };
  Origin checkOrigin(const httplib::Request& req) const;
  // Adds the CORS headers for an allowed origin; answers 403 and returns false for a denied one.
  bool applyCors(const httplib::Request& req, httplib::Response& res) const;
  bool rateLimited(const std::string& bucket, const httplib::Request& req, httplib::Response& res);
  bool checkJsonBody(const httplib::Request& req, httplib::Response& res) const;
  bool checkDeskToken(const httplib::Request& req, httplib::Response& res) const;

  void preflight(const httplib::Request& req, httplib::Response& res) const;
  void createEscalation(const httplib::Request& req, httplib::Response& res);
  void streamEvents(const httplib::Request& req, httplib::Response& res);
  void customerMessage(const httplib::Request& req, httplib::Response& res);
  void deskList(const httplib::Request& req, httplib::Response& res);
  void deskGet(const httplib::Request& req, httplib::Response& res);
  void deskReply(const httplib::Request& req, httplib::Response& res);
  void deskClose(const httplib::Request& req, httplib::Response& res);
  void deskErase(const httplib::Request& req, httplib::Response& res);
  void deskFile(const httplib::Request& req, httplib::Response& res) const;

  ServerConfig config_;
  Storage& storage_;
  EventHub& hub_;
  RateLimiter limiter_;
};

}  // namespace kefu::server
