// In-process checks of the SSE stream timing that the HTTP-level test (server.test.mjs) cannot
// afford to wait for: the keep-alive ping and streams ending promptly on shutdown.
#include "http_api.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "test_util.h"

using namespace kefu::server;
using kefu::server::testing::TempDir;
using Clock = std::chrono::steady_clock;

TEST_CASE("an idle SSE stream sends pings and ends as soon as the server stops") {
  TempDir dir;
  StatusOr<std::unique_ptr<Storage>> storage = Storage::open(dir.file("kefu.db"));
  REQUIRE(storage.ok());
  NewConversation conversation;
  conversation.shop_id = "global-select";
  conversation.idempotency_key = "ping-test-key";
  conversation.reason = "customer_request";
  conversation.customer_locale = "en-GB";
  conversation.payload_json = "{}";
  conversation.transcript = {{"customer", "hello", "", "2026-11-22T10:14:02Z"}};
  CreateResult created = *(*storage)->createConversation(conversation);

  ServerConfig config;
  config.desk_token = "desk-token-0123456789";
  EventHub hub;
  httplib::Server http;
  http.new_task_queue = [] { return new httplib::ThreadPool(8); };
  HttpApi api(config, **storage, hub);
  api.sse_ping_interval = std::chrono::seconds(1);
  api.install(http);
  int port = http.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread server_thread([&] { http.listen_after_bind(); });

  std::atomic<bool> got_message{false};
  std::atomic<int> pings{0};
  std::atomic<bool> client_done{false};
  std::thread client_thread([&] {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30, 0);
    std::string buffer;
    client.Get("/v1/conversations/" + created.conversation_id + "/events?token=" + created.token,
               [&](const char* data, size_t length) {
                 buffer.append(data, length);
                 if (buffer.find("\"text\":\"hello\"") != std::string::npos) got_message = true;
                 size_t at = 0;
                 int count = 0;
                 while ((at = buffer.find(": ping\n\n", at)) != std::string::npos) {
                   ++count;
                   at += 8;
                 }
                 pings = count;
                 return true;
               });
    client_done = true;
  });

  Clock::time_point start = Clock::now();
  while (pings < 2 && Clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(got_message);
  CHECK(pings >= 2);
  CHECK(Clock::now() - start < std::chrono::seconds(5));

  Clock::time_point stop_at = Clock::now();
  hub.stop();
  http.stop();
  server_thread.join();
  client_thread.join();
  CHECK(client_done);
  CHECK(Clock::now() - stop_at < std::chrono::seconds(3));
}
