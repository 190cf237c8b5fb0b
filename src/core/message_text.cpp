#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mdsd {

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

// The length of the well-formed UTF-8 sequence at text[at] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[at + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (at + length > text.size() || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  }
  return length;
}

namespace {

// Characters that show nothing yet change what is shown: a byte order mark
// (U+FEFF, which a spreadsheet may leave in a cell), zero-width spaces and
// joiners, the line and paragraph separators (a line break to some
// viewers), and the bidirectional controls, which reorder the rest of the line.
bool invisible(char32_t code) {
  return code == 0xfeff || (code >= 0x200b && code <= 0x200f) || (code >= 0x2028 && code <= 0x202e) ||
         (code >= 0x2060 && code <= 0x2064) || (code >= 0x2066 && code <= 0x2069);
}

}  // namespace

std::string printable(std::string_view text) {
  std::string line;
  char escaped[8];
  for (std::size_t at = 0; at < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) {
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      line += escaped;
      ++at;
      continue;
    }
    // C0 and C1 control characters: a terminal may act on them.
    const bool c1 = c == 0xc2 && static_cast<unsigned char>(text[at + 1]) < 0xa0;
    // U+0800 to U+FFFF: three bytes, 4 + 6 + 6 bits.
    const char32_t three = length == 3 ? (static_cast<char32_t>(c & 0x0f) << 12) |
                                             (static_cast<char32_t>(text[at + 1] & 0x3f) << 6) |
                                             static_cast<char32_t>(text[at + 2] & 0x3f)
                                       : 0;
    if (c < 0x20 || c == 0x7f || c1) {
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c1 ? static_cast<unsigned char>(text[at + 1]) : c);
      line += escaped;
    } else if (invisible(three)) {
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(three));
      line += escaped;
    } else {
      line.append(text.substr(at, length));
    }
    at += length;
  }
  return line;
}

std::string excerpt(std::string_view text, std::size_t limit) {
  std::size_t at = 0;
  for (std::size_t characters = 0; at < text.size() && characters < limit; ++characters) {
    at += std::max<std::size_t>(utf8_sequence_length(text, at), 1);
  }
  if (at >= text.size()) return printable(text);
  return printable(text.substr(0, at)) + "\u2026";
}

}  // namespace mdsd
