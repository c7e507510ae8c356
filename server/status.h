// Errors as values for the escalation server.
//
//   StatusOr<int64_t> seq = storage.appendMessage(id, "agent", text, "Ana");
//   if (!seq.ok()) return reply(res, seq.status());
//
// The codes are the core's set plus failed_precondition (a conversation that is closed);
// the HTTP layer maps each code to one status. Lives in kefu::server so that it never
// collides with kefu::Status of the core library once both are linked together.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace kefu::server {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kOutOfRange,
  kFailedPrecondition,
  kDataLoss,
  kUnavailable,
  kInternal,
};

// The snake_case name sent to clients in {"error":{"code":...}}.
const char* statusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status invalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status notFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status outOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status failedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status dataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}          // NOLINT: implicit like absl::StatusOr
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace kefu::server
