// cli/solve_command: a request file larger than 64 MiB is mapped without
// reading all of it up front. MAP_POPULATE read a 1 GiB sparse file whole
// into the page cache (2.3 s of system time and 1 GiB resident) before its
// first byte, a NUL, was refused; now only the pages the parser reaches are
// read. The page cache's share of the file, counted with mincore() after
// the run, tells the two apart without timing anything.
#include "support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

// How many bytes of the file at `path` the page cache holds.
std::uintmax_t cached_bytes(const std::filesystem::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  REQUIRE(descriptor >= 0);
  const auto size = static_cast<std::size_t>(std::filesystem::file_size(path));
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, descriptor, 0);
  ::close(descriptor);
  REQUIRE(data != MAP_FAILED);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const bool counted = ::mincore(data, size, resident.data()) == 0;
  ::munmap(data, size);
  REQUIRE(counted);
  std::uintmax_t pages = 0;
  for (unsigned char flag : resident) pages += flag & 1;
  return pages * page;
}

TEST_CASE("a 1 GiB sparse request is refused at its first byte without reading the rest") {
  const ScratchFolder scratch("mdsd_cli_large_file");
  const std::filesystem::path sparse = scratch.path("sparse.json");
  { std::ofstream create(sparse); }
  std::filesystem::resize_file(sparse, std::uintmax_t{1} << 30);  // the limit: mapped, not refused by its size
  REQUIRE(cached_bytes(sparse) == 0);
  const auto run = scratch.run_mdsd("solve sparse.json");
  CHECK(run.status == 2);
  CHECK(run.err == "mdsd: request: not valid JSON: parse error at line 1, column 1: a NUL byte (JSON text cannot hold one)\n");
  // The parser stopped at byte 0: what the kernel read ahead is a few MiB
  // at most, not the 1 GiB that populating the mapping read.
  const std::uintmax_t cached = cached_bytes(sparse);
  CAPTURE(cached);
  CHECK(cached <= std::uintmax_t{64} << 20);
}

TEST_CASE("a request over 64 MiB, mapped without populating it, gives the result of the same request unpadded") {
  const ScratchFolder scratch("mdsd_cli_large_file");
  const std::string head = R"({"target": [0.5, 0.3, 0.2], "draft": [0.2, 0.3, 0.5],)";
  const std::string tail = R"("drafts": 2, "verifiers": ["greedy"]})";
  scratch.write("small.json", head + tail);
  {
    // 80 MiB of white space between two members, written in pieces.
    std::ofstream file(scratch.path("padded.json"), std::ios::binary);
    file << head;
    const std::string spaces(1 << 20, ' ');
    for (int i = 0; i < 80; ++i) file << spaces;
    file << tail;
  }
  REQUIRE(std::filesystem::file_size(scratch.path("padded.json")) > (std::uintmax_t{64} << 20));
  const auto small = scratch.run_mdsd("solve small.json");
  REQUIRE_MESSAGE(small.status == 0, small.err);
  const auto padded = scratch.run_mdsd("solve padded.json");
  CHECK(padded.status == 0);
  CHECK(padded.err.empty());
  CHECK(padded.out == small.out);
}

}  // namespace
}  // namespace mdsd::test
