// A value or the reason there is none. The core never throws: the same code
// builds natively and into a WebAssembly module where exceptions must not
// cross into JavaScript, so failures travel as values.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace mdsd {

// A failure message. For input problems it starts with the field it is about,
// e.g. "draft[17]: negative value -0.2".
struct Error {
  std::string message;
};

template <class T>
class Expected {
 public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Error error) : error_(std::move(error.message)) {}

  bool ok() const { return value_.has_value(); }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const std::string& error() const { return error_; }

 private:
  std::optional<T> value_;
  std::string error_;
};

}  // namespace mdsd
