// Errors as values: Status carries a code and a message that names the offending input;
// StatusOr<T> carries either a value or a non-ok Status. Nothing here throws, so the same code
// runs in the wasm build, which is compiled with -fno-exceptions.
//
//   kefu::StatusOr<int> parsePort(std::string_view text);
//   auto port = parsePort("80a");
//   if (!port.ok()) return port.status();   // invalid_argument: port: expected digits
//   use(*port);
#ifndef KEFU_STATUS_H_
#define KEFU_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace kefu {

// The only codes the core reports. JS sees them by their snake_case names.
enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kOutOfRange,
  kDataLoss,
  kUnavailable,
  kInternal,
};

// Returns the snake_case name of `code` ("ok", "invalid_argument", ...). Never fails.
const char* statusCodeName(StatusCode code);

class Status {
 public:
  // An ok status.
  Status() = default;
  // A status with `code` and `message`; a kOk code ignores the message.
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: <message>", or "ok".
  std::string toString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status okStatus() { return Status(); }
inline Status invalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status notFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status outOfRangeError(std::string m) {
  return Status(StatusCode::kOutOfRange, std::move(m));
}
inline Status dataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status unavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status internalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

template <typename T>
class StatusOr {
 public:
  // Holds a value.
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose, like absl.
  // Holds an error. An ok `status` would leave no value, so it becomes an internal error.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = internalError("StatusOr constructed from an ok Status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // The value. Check ok() first: reading the value of an error is a programming bug
  // (undefined behaviour, never an exception).
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace kefu

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define KEFU_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::kefu::Status kefu_status_ = (expr);        \
    if (!kefu_status_.ok()) return kefu_status_; \
  } while (0)

#endif  // KEFU_STATUS_H_
