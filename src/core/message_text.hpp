// The text of messages that quote numbers or what the user wrote: one valid
// line, bounded in length, whatever the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mdsd {

// Shortest round-trip text of a number, for messages ("-0.2", "1e-300").
std::string format_number(double value);

// `text` with control characters and invisible ones (a byte order mark,
// zero-width and bidirectional controls, U+2028/U+2029) escaped (\u000a,
// \ufeff) and bytes that are not UTF-8 as \xff, so that a message that
// quotes the user's input stays one valid line and shows all of it.
std::string printable(std::string_view text);

// The length of the well-formed UTF-8 sequence at text[at] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF; 1 for ASCII), or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

// What a message quotes of the user's input (a key, a name, a header field):
// printable() of its first `limit` characters, with an ellipsis (U+2026) when
// cut, so that a 10 MB key does not come back whole.
std::string excerpt(std::string_view text, std::size_t limit = 80);

}  // namespace mdsd
