// dataset/output_file: output that is checked through close and appears only
// when complete. Expected contents are the bytes written here; the file
// system's view (what exists, device nodes, inodes) comes from std::filesystem.
#include "support.hpp"

#include "dataset/output_file.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;

struct OutputScratch : ScratchFolder {
  OutputScratch() : ScratchFolder("mdsd_output_test") {}
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
  }
};

std::string contents(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

TEST_CASE("OutputFile: the file appears on commit, with what was written, and only then") {
  const OutputScratch scratch;
  const std::string path = (scratch.folder / "out.csv").string();
  auto output = OutputFile::create(path);
  REQUIRE_MESSAGE(output.ok(), output.error());
  output.value()->stream() << "a,b\n1,2\n";
  CHECK_FALSE(fs::exists(path));
  auto committed = output.value()->commit();
  REQUIRE_MESSAGE(committed.ok(), committed.error());
  CHECK(contents(path) == "a,b\n1,2\n");
  CHECK(scratch.entries() == 1);  // no temporary file left
  // A new file gets the mode any new file gets (umask), not mkstemp's 0600.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((fs::status(path).permissions() & fs::perms::all) == (static_cast<fs::perms>(0666 & ~mask)));
}

TEST_CASE("OutputFile: abandoned, it leaves the earlier file as it was and no temporary file") {
  const OutputScratch scratch;
  const std::string path = scratch.write("out.json", "earlier");
  {
    auto output = OutputFile::create(path);
    REQUIRE_MESSAGE(output.ok(), output.error());
    output.value()->stream() << "half of a new file";
  }
  CHECK(contents(path) == "earlier");
  CHECK(scratch.entries() == 1);
}

TEST_CASE("OutputFile: a symbolic link keeps pointing at the replaced file") {
  const OutputScratch scratch;
  const std::string target = scratch.write("real.csv", "old");
  const fs::path link = scratch.folder / "link.csv";
  fs::create_symlink(target, link);
  auto output = OutputFile::create(link.string());
  REQUIRE_MESSAGE(output.ok(), output.error());
  output.value()->stream() << "new";
  REQUIRE(output.value()->commit().ok());
  CHECK(fs::is_symlink(link));
  CHECK(contents(target) == "new");
}

TEST_CASE("OutputFile: a device is written in place, and a full one fails naming the file") {
  if (!fs::exists("/dev/full")) return;
  auto output = OutputFile::create("/dev/full");
  REQUIRE_MESSAGE(output.ok(), output.error());
  output.value()->stream() << "a small file, written only when flushed\n";
  auto committed = output.value()->commit();
  REQUIRE_FALSE(committed.ok());
  CHECK(starts_with(committed.error(), "/dev/full: write failed"));
  CHECK(contains(committed.error(), std::strerror(ENOSPC)));
  CHECK(fs::is_character_file("/dev/full"));
}

TEST_CASE("OutputFile: a folder that does not exist is an error naming the file") {
  const OutputScratch scratch;
  const std::string path = (scratch.folder / "missing" / "out.csv").string();
  auto output = OutputFile::create(path);
  REQUIRE_FALSE(output.ok());
  CHECK(starts_with(output.error(), path + ": cannot be written"));
}

TEST_CASE("same_file: by device and inode when both exist, by resolved path otherwise") {
  const OutputScratch scratch;
  const std::string a = scratch.write("a.jsonl", "x"), b = scratch.write("b.jsonl", "x");
  CHECK(same_file(a, a));
  CHECK_FALSE(same_file(a, b));  // same contents, another file
  const fs::path hard = scratch.folder / "hard.csv", soft = scratch.folder / "soft.csv";
  fs::create_hard_link(a, hard);
  fs::create_symlink(a, soft);
  CHECK(same_file(hard.string(), a));
  CHECK(same_file(soft.string(), a));
  CHECK(same_file((scratch.folder / "." / "a.jsonl").string(), a));
  const std::string missing = (scratch.folder / "new.npy").string();
  CHECK(same_file(missing, (scratch.folder / "sub" / ".." / "new.npy").string()));
  CHECK_FALSE(same_file(missing, (scratch.folder / "other.npy").string()));
}

}  // namespace mdsd::test
