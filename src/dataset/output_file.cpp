#include "dataset/output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace mdsd {
namespace {

namespace fs = std::filesystem;

std::string reason(int error) { return error ? std::string(": ") + std::strerror(error) : std::string(); }

}  // namespace

Expected<std::unique_ptr<OutputFile>> OutputFile::create(const std::string& path) {
  std::unique_ptr<OutputFile> output(new OutputFile());
  output->path_ = output->final_ = path;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    errno = 0;
    output->file_.open(path, std::ios::binary | std::ios::trunc);
    if (!output->file_) return Error{path + ": cannot be written" + reason(errno)};
    return output;
  }
  if (fs::exists(status)) {
    const fs::path resolved = fs::canonical(path, error);
    if (!error) output->final_ = resolved.string();
  }
  const fs::path final_path(output->final_);
  const fs::path folder = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  std::string name = (folder / ("." + final_path.filename().string() + ".mdsd-XXXXXX")).string();
  std::vector<char> pattern(name.begin(), name.end());
  pattern.push_back('\0');
  const int descriptor = ::mkstemp(pattern.data());
  if (descriptor < 0) return Error{path + ": cannot be written" + reason(errno)};
  output->temporary_ = pattern.data();
  // mkstemp makes the file private (0600); give it the mode of the file it
  // replaces, or what a newly created file would get.
  mode_t mode;
  struct stat existing;
  if (::stat(output->final_.c_str(), &existing) == 0) {
    mode = existing.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  const bool moded = ::fchmod(descriptor, mode) == 0;
  const int mode_error = errno;
  ::close(descriptor);
  if (!moded) return Error{path + ": cannot be written" + reason(mode_error)};
  errno = 0;
  output->file_.open(output->temporary_, std::ios::binary | std::ios::trunc);
  if (!output->file_) return Error{path + ": cannot be written" + reason(errno)};
  return output;
}

OutputFile::~OutputFile() {
  if (committed_ || temporary_.empty()) return;
  file_.close();
  std::remove(temporary_.c_str());
}

Expected<bool> OutputFile::commit() {
  errno = 0;
  file_.flush();
  if (file_) file_.close();
  if (!file_) return Error{path_ + ": write failed" + reason(errno)};
  if (!temporary_.empty() && std::rename(temporary_.c_str(), final_.c_str()) != 0) {
    return Error{path_ + ": cannot be written" + reason(errno)};
  }
  committed_ = true;
  return true;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error) && !error;
  // Absolute first: weakly_canonical leaves a relative path whose first
  // part does not exist relative ("x.npy" but "./x.npy" resolved).
  const fs::path first = fs::weakly_canonical(fs::absolute(a, error), error);
  if (error) return false;
  const fs::path second = fs::weakly_canonical(fs::absolute(b, error), error);
  return !error && first == second;
}

}  // namespace mdsd
