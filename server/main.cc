// kefu-server: receives escalations from the Kefu widget, stores them in SQLite, serves the
// agent console at /desk and relays agent replies to the customer over SSE.
//
//   kefu-server --config var/server.json
//   kefu-server --port 8787 --db var/kefu.db --desk-token "$TOKEN" --allow-origin
//   http://127.0.0.1:8080
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "config.h"
#include "event_hub.h"
#include "http_api.h"
#include "storage.h"

namespace {

// Enough workers that long-lived SSE streams (one per waiting customer and open console)
// do not starve ordinary requests; cpp-httplib runs one connection per worker.
constexpr size_t kWorkerThreads = 64;

int run(int argc, char** argv) {
  using namespace kefu::server;
  StatusOr<ServerConfig> parsed = parseCommandLine(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "kefu-server: " << parsed.status().message() << "\n";
    return 2;
  }
  ServerConfig config = *parsed;
  if (config.show_help) {
    std::cout << usageText();
    return 0;
  }
  if (config.desk_token.size() < 16) {
    std::cerr << "kefu-server: warning: the desk token is shorter than 16 characters; anyone who "
                 "guesses it can read every escalation\n";
  }

  std::error_code error;
  std::filesystem::path db_path(config.db);
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), error);
  if (error) {
    std::cerr << "kefu-server: cannot create " << db_path.parent_path() << ": " << error.message()
              << "\n";
    return 1;
  }
  StatusOr<std::unique_ptr<Storage>> storage = Storage::open(config.db);
  if (!storage.ok()) {
    std::cerr << "kefu-server: " << storage.status().message() << "\n";
    return 1;
  }

  // Signals are taken by one dedicated thread (sigwait) rather than a handler, because
  // stopping the HTTP server and waking the SSE streams is not async-signal-safe. The mask is
  // set before any other thread exists so that every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-write must not kill the server

  EventHub hub;
  httplib::Server http;
  http.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  HttpApi api(config, **storage, hub);
  api.install(http);
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // The path only: the query may hold a customer token.
    std::fprintf(stderr, "%s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
  });

  int port = config.port;
  if (port == 0) {
    port = http.bind_to_any_port(config.listen);
  } else if (!http.bind_to_port(config.listen, port)) {
    port = -1;
  }
  if (port < 0) {
    std::cerr << "kefu-server: cannot listen on " << config.listen << ":" << config.port
              << " (in use, or not a local address)\n";
    return 1;
  }

  std::thread signal_thread([&] {
    int received = 0;
    sigwait(&signals, &received);
    hub.stop();  // SSE streams end first, so the worker pool can be joined quickly
    http.stop();
  });

  std::string host =
      config.listen.find(':') != std::string::npos ? "[" + config.listen + "]" : config.listen;
  std::cout << "kefu-server listening on http://" << host << ":" << port << " (db " << config.db
            << ")" << std::endl;
  bool clean = http.listen_after_bind();

  // listen_after_bind returned on its own (not through a signal): wake the signal thread.
  if (!hub.stopped()) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  storage->reset();  // checkpoint and close the database before saying so
  std::cout << "kefu-server stopped" << std::endl;
  return clean ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
