// Reading the whole numbers of mdsd's command line (whole_number_argument.hpp).
#include "cli/whole_number_argument.hpp"

#include "cli/commands.hpp"
#include "core/message_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace mdsd::cli {

std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lowest, std::int64_t highest) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars takes no sign but '-', no spaces, and reports overflow.
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < lowest || value > highest) return std::nullopt;
  return value;
}

std::optional<std::string> leading_zero(std::string_view text) {
  const std::size_t sign = text.starts_with('-') ? 1 : 0;
  const std::string_view digits = text.substr(sign);
  if (digits.size() < 2 || digits[0] != '0' || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  // All zeros ("000") is written "0": keep the last digit.
  const std::size_t zeros = std::min(digits.find_first_not_of('0'), digits.size() - 1);
  const std::string written = std::string(text.substr(0, sign)) + std::string(digits.substr(zeros));
  return "\"" + excerpt(text) + "\" has a leading zero (write " + excerpt(written) + ")";
}

}  // namespace mdsd::cli
