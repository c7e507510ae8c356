#include "event_hub.h"

#include <doctest/doctest.h>

#include <thread>

using kefu::server::EventHub;
using Clock = std::chrono::steady_clock;

TEST_CASE("notify wakes a waiting subscriber of that conversation only") {
  EventHub hub;
  auto sub = hub.subscribe("c_a");
  auto other = hub.subscribe("c_b");
  uint64_t seen = sub->version();
  uint64_t other_seen = other->version();
  std::thread notifier([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    hub.notify("c_a");
  });
  Clock::time_point start = Clock::now();
  sub->waitForChange(seen, start + std::chrono::seconds(10));
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  CHECK(sub->version() != seen);
  CHECK(other->version() == other_seen);
  notifier.join();
}

TEST_CASE("a change between reading the version and waiting is not lost") {
  EventHub hub;
  auto sub = hub.subscribe("c_a");
  uint64_t seen = sub->version();
  hub.notify("c_a");
  Clock::time_point start = Clock::now();
  sub->waitForChange(seen, start + std::chrono::seconds(10));
  CHECK(Clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("stop wakes every stream, and channels go away with their last subscriber") {
  EventHub hub;
  {
    auto a = hub.subscribe("c_a");
    auto a2 = hub.subscribe("c_a");
    CHECK(hub.channelCount() == 1);
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      hub.stop();
    });
    Clock::time_point start = Clock::now();
    a->waitForChange(a->version(), start + std::chrono::seconds(10));
    CHECK(Clock::now() - start < std::chrono::seconds(5));
    CHECK(hub.stopped());
    stopper.join();
  }
  CHECK(hub.channelCount() == 0);
}
