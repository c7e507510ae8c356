#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace kefu::server {

double RateLimiter::refill(Bucket& bucket, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(config_.burst, bucket.tokens + elapsed * config_.per_minute / 60.0);
    bucket.updated = now;
  }
  return bucket.tokens;
}

void RateLimiter::evictFullBuckets(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (refill(it->second, now) >= config_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

RateLimiter::Decision RateLimiter::take(const std::string& client, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) evictFullBuckets(now);
    it = buckets_.emplace(client, Bucket{config_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  if (refill(bucket, now) >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  double seconds = (1.0 - bucket.tokens) * 60.0 / config_.per_minute;
  return {false, std::max(1, static_cast<int>(std::ceil(seconds)))};
}

size_t RateLimiter::trackedClients() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return buckets_.size();
}

}  // namespace kefu::server
