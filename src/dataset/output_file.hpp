// Output files that are checked through close and appear only when complete
// (README.md "CLI": a failed write exits 1 and leaves no partial file).
#pragma once

#include "core/expected.hpp"

#include <fstream>
#include <memory>
#include <string>

namespace mdsd {

// Written under a temporary name in the same folder and renamed over `path`
// by commit(), so that a failed run (a full disk, a bad row further on)
// leaves whatever was at `path` as it was and no partial file; without
// commit() the temporary file is removed. A symbolic link is followed (the
// file it names is replaced, the link stays). A path that exists and is not a
// regular file (/dev/stdout, a FIFO, a device such as /dev/full) is written in
// place: a rename would replace the device node itself.
class OutputFile {
 public:
  // Errors name the file: "out.csv: cannot be written: Permission denied".
  static Expected<std::unique_ptr<OutputFile>> create(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return file_; }
  // Flushes and closes, checking every step, then renames into place.
  Expected<bool> commit();

 private:
  OutputFile() = default;
  std::string path_;       // as the user gave it, for messages
  std::string final_;      // the file replaced on commit (links resolved)
  std::string temporary_;  // empty when written in place
  std::ofstream file_;
  bool committed_ = false;
};

// Whether `a` and `b` name the same file: the same device and inode when both
// exist (so hard links, symbolic links and other spellings count), else the
// same path once the existing part is resolved. Used to refuse an output that
// would overwrite an input or another output.
bool same_file(const std::string& a, const std::string& b);

}  // namespace mdsd
