// Wakes the SSE streams of a conversation when something changed in it.
//
//   EventHub::Subscription sub = hub.subscribe(id);
//   uint64_t seen = sub.version();         // read before querying the database ...
//   ... send what the database has ...
//   sub.waitForChange(seen, deadline);     // ... so a change in between is never missed
//
// The hub carries no message content: the database stays the single source of truth and a
// woken stream reads what is new from it. stop() wakes every stream for a quick shutdown.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kefu::server {

class EventHub {
  struct Channel {
    uint64_t version = 0;
    int subscribers = 0;
    std::condition_variable changed;
  };

 public:
  class Subscription {
   public:
    Subscription(EventHub& hub, std::string id, std::shared_ptr<Channel> channel)
        : hub_(&hub), id_(std::move(id)), channel_(std::move(channel)) {}
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    uint64_t version() const;
    // Returns once the version differs from `seen`, the hub stops, or `deadline` passes.
    void waitForChange(uint64_t seen, std::chrono::steady_clock::time_point deadline);

   private:
    EventHub* hub_;
    std::string id_;
    std::shared_ptr<Channel> channel_;
  };

  std::unique_ptr<Subscription> subscribe(const std::string& conversation_id);
  void notify(const std::string& conversation_id);
  void stop();
  bool stopped() const;
  size_t channelCount() const;

 private:
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::unordered_map<std::string, std::shared_ptr<Channel>> channels_;
};

}  // namespace kefu::server
