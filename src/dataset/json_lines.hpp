// JSON Lines files (one JSON value per line, UTF-8): what the readers of
// mdsd batch share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mdsd {

// A UTF-8 byte order mark may open the file (RFC 8259 §8.1 lets a reader
// ignore it): it is taken off line 1, before the blank-line check (a first
// line holding only the mark is blank). At the start of any later line it is
// a stray character, the error returned. `line_number` counts from 1, blank
// lines included.
inline std::optional<std::string> take_byte_order_mark(std::string& line, std::int64_t line_number) {
  if (!line.starts_with("\xef\xbb\xbf")) return std::nullopt;
  if (line_number == 1) {
    line.erase(0, 3);
    return std::nullopt;
  }
  return std::string("a byte order mark (U+FEFF) is allowed only at the start of the file");
}

}  // namespace mdsd
