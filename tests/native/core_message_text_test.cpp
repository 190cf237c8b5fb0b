// core/message_text: what a message quotes of the input shows every
// character, the invisible ones as escapes: a byte order mark met past the
// start of a text (a file pasted after another, a spreadsheet's cell) came
// back raw in a parse error, where it looks like nothing at all.
#include "core/message_text.hpp"

#include "api/json_reader.hpp"
#include "api/tree_json.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mdsd::test {
namespace {

const std::string kByteOrderMark = "\xef\xbb\xbf";

TEST_CASE("printable() escapes invisible characters as \\uXXXX, like the controls") {
  CHECK(printable(kByteOrderMark + "1") == "\\ufeff1");
  CHECK(printable("a\xe2\x80\x8b" "b") == "a\\u200bb");         // zero-width space
  CHECK(printable("\xe2\x80\x8f") == "\\u200f");                 // right-to-left mark
  CHECK(printable("x\xe2\x80\xa8y\xe2\x80\xa9") == "x\\u2028y\\u2029");  // line and paragraph separators
  CHECK(printable("\xe2\x80\xae" "cba") == "\\u202ecba");        // right-to-left override
  CHECK(printable("\xe2\x81\xa0\xe2\x81\xa6\xe2\x81\xa9") == "\\u2060\\u2066\\u2069");  // word joiner, isolates
  // The neighbours of those ranges are kept: U+200A (hair space), U+2030
  // (per mille), U+205F (medium mathematical space), U+FEFC (an Arabic
  // ligature), U+20AC (the euro sign).
  for (const std::string kept : {"\xe2\x80\x8a", "\xe2\x80\xb0", "\xe2\x81\x9f", "\xef\xbb\xbc", "\xe2\x82\xac"}) {
    CAPTURE(kept);
    CHECK(printable(kept) == kept);
  }
  // excerpt() counts a byte order mark as one character, escaped whole.
  CHECK(excerpt(kByteOrderMark + kByteOrderMark + "ab", 3) == "\\ufeff\\ufeffa\u2026");
}

TEST_CASE("a byte order mark inside a JSON text or a CSV cell is shown in the error, not echoed raw") {
  // At the start of a text it is skipped (RFC 8259 §8.1); after that it is
  // an unexpected character, and the message must show it.
  const auto inside = parse_json_text("{\"target\": " + kByteOrderMark + "[1]}");
  REQUIRE_FALSE(inside.ok());
  CAPTURE(inside.error());
  CHECK(contains(inside.error(), "\\ufeff"));
  CHECK_FALSE(contains(inside.error(), kByteOrderMark));

  const std::string header = "quantity,name,width,value,ci95_low,ci95_high,lower_bound,upper_bound,exact,positions\n";
  std::vector<std::string> warnings;
  const auto cell = sibling_vector_from_csv(header + "sibling,rrs_with_replacement,1," + kByteOrderMark + "0.5,,,,,true,\n",
                                            VerifierKind::rrs_with_replacement, "v.csv", warnings);
  REQUIRE_FALSE(cell.ok());
  CHECK(cell.error() == "v.csv:2: value \\ufeff0.5 is not a number");
}

}  // namespace
}  // namespace mdsd::test
