#include "kefu/status.h"

#include <doctest/doctest.h>

#include <string>

namespace {

kefu::StatusOr<int> half(int n) {
  if (n % 2 != 0) return kefu::invalidArgumentError("n: " + std::to_string(n) + " is odd");
  return n / 2;
}

kefu::Status chain(int n) {
  KEFU_RETURN_IF_ERROR(half(n).status());
  return kefu::notFoundError("reached the end");
}

}  // namespace

TEST_CASE("status: ok status has code ok and empty message") {
  kefu::Status s;
  CHECK(s.ok());
  CHECK(s.code() == kefu::StatusCode::kOk);
  CHECK(s.toString() == "ok");
  CHECK(kefu::Status(kefu::StatusCode::kOk, "ignored").message().empty());
}

TEST_CASE("status: every code has its contract name") {
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kInvalidArgument)) ==
        "invalid_argument");
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kNotFound)) == "not_found");
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kOutOfRange)) == "out_of_range");
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kDataLoss)) == "data_loss");
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kUnavailable)) == "unavailable");
  CHECK(std::string(kefu::statusCodeName(kefu::StatusCode::kInternal)) == "internal");
  CHECK(kefu::dataLossError("x").toString() == "data_loss: x");
}

TEST_CASE("status: StatusOr holds a value or an error") {
  auto good = half(8);
  REQUIRE(good.ok());
  CHECK(*good == 4);
  auto bad = half(7);
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == kefu::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "n: 7 is odd");
  // An ok Status cannot make a StatusOr without a value.
  kefu::StatusOr<int> broken{kefu::okStatus()};
  CHECK(broken.status().code() == kefu::StatusCode::kInternal);
}

TEST_CASE("status: KEFU_RETURN_IF_ERROR returns the first error") {
  CHECK(chain(3).code() == kefu::StatusCode::kInvalidArgument);
  CHECK(chain(4).code() == kefu::StatusCode::kNotFound);
}
