// mdsd solve [FILE|-]
#include "api/request.hpp"
#include "core/message_text.hpp"
#include "api/result_writer.hpp"
#include "cli/commands.hpp"
#include "cli/optimal_text_thread.hpp"
#include "cli/process_memory.hpp"
#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

namespace mdsd::cli {
namespace {

enum class ReadStatus { ok, unreadable, too_large };

// A regular file mapped into memory (the page cache's own pages: nothing is
// copied or zeroed, where reading 6.8 MB into a string took 3.6 ms of 60 at
// V = 152,064; README "Whole process"), or nothing for anything else.
struct MappedFile {
  const char* data = nullptr;
  std::size_t size = 0;
};

// The mapped file's name while it is read, for the SIGBUS handler: a file
// that another process shrinks under the mapping faults on its lost pages.
const char* mapped_path = nullptr;

extern "C" void mapped_file_shrank(int) {
  // Only async-signal-safe calls: write and _exit.
  const auto say = [](const char* text) { (void)!::write(STDERR_FILENO, text, std::strlen(text)); };
  say("mdsd: cannot read ");
  say(mapped_path ? mapped_path : "the file");
  say(": it shrank while being read\n");
  ::_exit(1);
}

MappedFile map_regular_file(int descriptor) {
  struct stat status;
  if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0 ||
      status.st_size > limits::kMaxRequestBytes) {
    return {};
  }
  // Standard input may be a file read past its start (`{ read -r line; mdsd
  // solve -; } < file`): the request is what follows, which read_all reads.
  if (::lseek(descriptor, 0, SEEK_CUR) != 0) return {};
  const auto size = static_cast<std::size_t>(status.st_size);
  // Up to 64 MiB (a request at V = 152,064 is 6.8 MB) every page is mapped up
  // front, saving the page faults. A larger file's pages are faulted in as
  // the parser reaches them, read ahead: populating a 1 GiB sparse file took
  // 2.4 s of system time and 1 GiB of page cache before its first byte, a NUL,
  // was refused.
  constexpr std::size_t kPopulatedBytes = std::size_t{64} << 20;
  const int populate = size <= kPopulatedBytes ? MAP_POPULATE : 0;
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | populate, descriptor, 0);
  if (data == MAP_FAILED) return {};
  if (!populate) (void)::madvise(data, size, MADV_SEQUENTIAL);
  return {static_cast<const char*>(data), size};
}

// What is not mapped (a pipe, a terminal, an empty or oversized file): read
// in chunks, stopping past the limit, so an oversized input is never
// held whole. A regular file's size is reserved up front: growing the text by
// doubling would hold up to three times its size while copying. `error`
// receives what failed when unreadable.
ReadStatus read_all(std::FILE* file, std::string& text, std::string& error) {
  struct stat status;
  const bool regular = ::fstat(::fileno(file), &status) == 0 && S_ISREG(status.st_mode);
  // A regular file over the limit is refused by its size, not read (a 10 GB
  // sparse file took 5.6 s and 2 GB to say so).
  const off_t at = regular ? ::lseek(::fileno(file), 0, SEEK_CUR) : 0;
  if (regular && at >= 0 && status.st_size - at > limits::kMaxRequestBytes) return ReadStatus::too_large;
  if (regular && status.st_size <= limits::kMaxRequestBytes) {
    // Straight into the text (the file may still grow: the loop below reads on).
    text.resize(static_cast<std::size_t>(status.st_size));
    text.resize(std::fread(text.data(), 1, text.size(), file));
  }
  // On the heap: 64 KiB on the stack crashed under `ulimit -s 64`.
  std::vector<char> chunk(std::size_t{1} << 16);
  for (;;) {
    const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), file);
    text.append(chunk.data(), got);
    if (static_cast<std::int64_t>(text.size()) > limits::kMaxRequestBytes) return ReadStatus::too_large;
    if (got < chunk.size()) break;
  }
  if (std::ferror(file)) {
    error = std::strerror(errno);
    return ReadStatus::unreadable;
  }
  return ReadStatus::ok;
}

}  // namespace

int fail(const std::string& message, int status) {
  std::cerr << "mdsd: " << printable(message) << "\n";
  return status;
}

int fail(const char* message, int status) { return fail(std::string(message), status); }

int solve_command(int argc, char** argv) {
  if (argc > 3) return fail("usage: mdsd solve [FILE|-]", 2);
  prepare_heap_for_large_request();
  if (standard_output_closed()) return finish_standard_output();
  const std::string path = argc == 3 ? argv[2] : "-";
  const std::string name = path == "-" ? std::string("standard input") : path;
  if (path == "-" && standard_input_closed()) return fail("cannot read standard input: it is closed", 1);
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file) return fail("cannot read " + name + ": " + std::strerror(errno), 1);
  std::string text, error;
  const MappedFile mapped = map_regular_file(::fileno(file));
  if (!mapped.data) {
    const ReadStatus status = read_all(file, text, error);
    if (status == ReadStatus::unreadable) {
      if (file != stdin) std::fclose(file);
      return fail("cannot read " + name + ": " + error, 1);
    }
    if (status == ReadStatus::too_large) {
      if (file != stdin) std::fclose(file);
      return fail(name + ": larger than the limit of " + std::to_string(limits::kMaxRequestBytes) + " bytes (1 GiB)", 2);
    }
  }
  if (file != stdin) std::fclose(file);  // the mapping stays
  // solve() step by step, so that each stage's input is freed before the
  // next: the text once parsed, the document once read into the request
  // (README "Limits": peak memory at most 3 times the text plus the vectors).
  struct sigaction previous {};
  if (mapped.data) {
    mapped_path = name.c_str();
    struct sigaction on_bus {};
    on_bus.sa_handler = mapped_file_shrank;
    ::sigaction(SIGBUS, &on_bus, &previous);
  }
  auto json = parse_json_text(mapped.data ? std::string_view(mapped.data, mapped.size) : std::string_view(text),
                              ReadOptions{.second_thread = true});
  if (mapped.data) {
    ::munmap(const_cast<char*>(mapped.data), mapped.size);
    ::sigaction(SIGBUS, &previous, nullptr);
  }
  std::string().swap(text);
  if (!json.ok()) return fail(json.error(), 2);
  auto request = parse_request_consuming(std::move(json.value()));
  json.value() = nullptr;
  if (!request.ok()) return fail(request.error(), 2);
  // Each method's text written on a second thread as soon as the method is
  // computed (cli/optimal_text_thread.hpp), for the large requests where it
  // takes time; the rest straight from the result (api/result_writer.hpp),
  // printed in pieces as it is written.
  // The thread is declared after the result: it is done reading the result's
  // entries before they are destroyed, even when calculate throws.
  constexpr Eigen::Index kTextThreadTokens = 1 << 14;
  Result result;
  OptimalTextThread optimal_texts(request.value().problem.target.size() >= kTextThreadTokens);
  calculate(request.value(), result, [&](const MethodResult& entry) { optimal_texts.post(entry); });
  int write_error = 0;  // the first failed piece's errno (a full disk, a closed pipe)
  write_result_text(result, [&write_error](std::string_view piece) {
    if (!std::cout) return;  // failed before: the rest is not written
    errno = 0;
    std::cout.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    if (!std::cout && write_error == 0) write_error = errno;
  }, optimal_texts.texts());
  std::cout << '\n';
  return finish_standard_output(write_error);
}

}  // namespace mdsd::cli
