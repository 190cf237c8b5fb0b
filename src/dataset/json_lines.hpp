// JSON Lines files (one JSON value per line, UTF-8): what the readers of
// mdsd batch share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdsd {

// A UTF-8 byte order mark may open the file (RFC 8259 §8.1 lets a reader
// ignore it, and parse_json_text does); at the start of any later line it is
// a stray character that parse_json_text would also skip, so each reader asks
// here first. `line_number` counts from 1, blank lines included.
inline std::optional<std::string> misplaced_byte_order_mark(std::string_view line, std::int64_t line_number) {
  if (line_number == 1 || !line.starts_with("\xef\xbb\xbf")) return std::nullopt;
  return std::string("a byte order mark (U+FEFF) is allowed only at the start of the file");
}

}  // namespace mdsd
