// The subcommands of mdsd (README.md "CLI"). Each returns the exit status:
// 0 success, 2 bad input (one line on stderr naming the field), 1 I/O failure.
#pragma once

#include <string>

namespace mdsd::cli {

int solve_command(int argc, char** argv);
int synthetic_command(int argc, char** argv);
int synthetic_dataset_command(int argc, char** argv);
int batch_command(int argc, char** argv);

// Prints "mdsd: <message>" on one line to stderr and returns `status`.
int fail(const char* message, int status);
int fail(const std::string& message, int status);

}  // namespace mdsd::cli
