// Whole numbers on mdsd's command line (budgets, counts, seeds, sizes) are
// written as JSON writes an integer (README.md "CLI"): digits with an optional
// '-' first, and no leading zero, which from_chars would read ("01" as 1).
// whole_number (commands.hpp) reads one; leading_zero names the one mistake
// it does not refuse. Each command checks the leading zero first, then the
// range, and words the range itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mdsd::cli {

// For an integer written with a leading zero ("01", "00", "-007"): the message
// "\"01\" has a leading zero (write 1)", to follow "NAME: ". Nothing for
// anything else: "0" and "-0" (a lone zero is no leading zero), "10", "+01"
// and "0x1" (not digits, which whole_number refuses with the range).
std::optional<std::string> leading_zero(std::string_view text);

}  // namespace mdsd::cli
