// The .npy reader of dataset mode on arbitrary bytes: parse_npy_header on the
// bytes, then NpyRowReader on them as a file, reading every row. Checks:
// either an error with a one-line message naming the file, or rows of the
// promised width; never a crash, an exception or an allocation the header
// alone asked for.
#include "dataset/npy_file.hpp"
#include "fuzz_common.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto header = mdsd::parse_npy_header(bytes, "fuzz.npy");
  if (!header.ok()) FUZZ_CHECK(header.error().rfind("fuzz.npy: ", 0) == 0, "%s", header.error().c_str());

  static const std::string path = "/tmp/mdsd-fuzz-npy-" + std::to_string(getpid()) + ".npy";
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto reader = mdsd::NpyRowReader::open(path);
  if (!reader.ok()) {
    FUZZ_CHECK(reader.error().rfind(path + ": ", 0) == 0, "%s", reader.error().c_str());
    FUZZ_CHECK(reader.error().find('\n') == std::string::npos, "%s", reader.error().c_str());
    return 0;
  }
  Eigen::VectorXd row;
  for (std::int64_t i = 0; i < reader.value()->rows(); ++i) {
    auto next = reader.value()->next(row);
    if (!next.ok()) {
      FUZZ_CHECK(next.error().find("row " + std::to_string(i)) != std::string::npos, "%s", next.error().c_str());
      break;
    }
    FUZZ_CHECK(next.value(), "row %lld missing", static_cast<long long>(i));
    FUZZ_CHECK(row.size() == reader.value()->columns(), "row %lld has %lld values", static_cast<long long>(i), static_cast<long long>(row.size()));
  }
  return 0;
}
