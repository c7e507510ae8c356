// Per-client token buckets: `burst` requests at once, refilled at `per_minute` per minute.
//
//   RateLimiter limiter({.per_minute = 30, .burst = 10});
//   RateLimiter::Decision d = limiter.take(request.remote_addr, steady_clock::now());
//   if (!d.allowed) reply 429 with Retry-After: d.retry_after_seconds
//
// Thread-safe. Memory stays bounded: buckets that have refilled completely carry no
// information and are dropped once the table grows past max_clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "config.h"

namespace kefu::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed = true;
    int retry_after_seconds = 0;  // when not allowed: whole seconds until one token is back
  };

  explicit RateLimiter(RateLimitConfig config, size_t max_clients = 10000)
      : config_(config), max_clients_(max_clients) {}

  Decision take(const std::string& client, Clock::time_point now);
  size_t trackedClients() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double refill(Bucket& bucket, Clock::time_point now) const;
  void evictFullBuckets(Clock::time_point now);

  RateLimitConfig config_;
  size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace kefu::server
