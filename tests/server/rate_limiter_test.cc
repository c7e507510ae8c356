#include "rate_limiter.h"

#include <doctest/doctest.h>

using kefu::server::RateLimiter;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("a burst is allowed, then requests wait for the refill") {
  RateLimiter limiter({/*per_minute=*/6, /*burst=*/3});
  RateLimiter::Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) CHECK(limiter.take("1.2.3.4", t0).allowed);
  RateLimiter::Decision denied = limiter.take("1.2.3.4", t0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after_seconds == 10);  // 6 per minute = one token every 10 s

  CHECK(limiter.take("5.6.7.8", t0).allowed);  // other clients have their own bucket

  CHECK_FALSE(limiter.take("1.2.3.4", t0 + seconds(9)).allowed);
  CHECK(limiter.take("1.2.3.4", t0 + seconds(10)).allowed);
  CHECK_FALSE(limiter.take("1.2.3.4", t0 + seconds(10)).allowed);
}

TEST_CASE("the bucket never holds more than the burst") {
  RateLimiter limiter({60, 2});
  RateLimiter::Clock::time_point t0{};
  CHECK(limiter.take("a", t0).allowed);
  RateLimiter::Clock::time_point later = t0 + seconds(3600);
  CHECK(limiter.take("a", later).allowed);
  CHECK(limiter.take("a", later).allowed);
  RateLimiter::Decision d = limiter.take("a", later);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_seconds == 1);
  CHECK(limiter.take("a", later + milliseconds(1000)).allowed);
}

TEST_CASE("idle clients are forgotten once the table is full") {
  RateLimiter limiter({60, 1}, /*max_clients=*/2);
  RateLimiter::Clock::time_point t0{};
  limiter.take("a", t0);
  limiter.take("b", t0);
  CHECK(limiter.trackedClients() == 2);
  // A minute later both buckets are full again and carry no state worth keeping.
  limiter.take("c", t0 + seconds(60));
  CHECK(limiter.trackedClients() == 1);
  // Still-limited clients are kept, so a flood of new addresses cannot reset them.
  limiter.take("d", t0 + seconds(60));
  limiter.take("e", t0 + seconds(60));
  CHECK(limiter.trackedClients() == 3);
  CHECK_FALSE(limiter.take("c", t0 + seconds(60)).allowed);
}
