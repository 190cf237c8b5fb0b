// The subcommands of mdsd (README.md "CLI"). Each returns the exit status:
// 0 success, 2 bad input (one line on stderr naming the field), 1 I/O failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdsd::cli {

int solve_command(int argc, char** argv);
int synthetic_command(int argc, char** argv);
int synthetic_dataset_command(int argc, char** argv);
int batch_command(int argc, char** argv);
int tree_command(int argc, char** argv);
int acceptance_vector_command(int argc, char** argv);

// Prints "mdsd: <message>" on one line to stderr and returns `status`.
int fail(const char* message, int status);
int fail(const std::string& message, int status);

// A whole number written as digits (an optional minus sign first, nothing
// else: no spaces, no "2abc") in [lowest, highest], or nothing.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lowest, std::int64_t highest);

// Reads a whole file ("-": standard input) of at most 1 GiB; false with
// `error` set when it cannot (tree_command.cpp).
bool read_text_file(const std::string& path, std::string& text, std::string& error);

// Whether descriptor 0 or 1 was closed when mdsd started (main() then puts
// /dev/null there, so that no file the command opens takes its place).
bool standard_input_closed();
bool standard_output_closed();

// Flushes and closes standard output once everything is printed; returns 0,
// or 1 after a one-line message when a write failed (a full disk, a closed
// descriptor): the output is incomplete, so the run did not succeed.
// earlier_error: the errno of a write that failed before (a large output
// printed in pieces), named when the final flush has none of its own.
int finish_standard_output(int earlier_error = 0);

}  // namespace mdsd::cli
