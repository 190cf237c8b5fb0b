// NumPy .npy files of shape [N, V] (float16, float32 or float64), read one
// row at a time so that a dataset is never held whole in memory, and written
// (float32) for synthetic datasets. Format: numpy.lib.format, versions 1-3.
#pragma once

#include "core/expected.hpp"
#include "dataset/output_file.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace mdsd {

class NpyRowReader {
 public:
  // Errors name the file: not .npy, unsupported dtype or order, not 2-D,
  // shorter than its header says.
  static Expected<std::unique_ptr<NpyRowReader>> open(const std::string& path);

  std::int64_t rows() const { return rows_; }
  std::int64_t columns() const { return columns_; }
  // Reads the next row into `row` (resized to V). Fails naming the file and
  // row when the file ends early.
  Expected<bool> next(Eigen::VectorXd& row);

 private:
  NpyRowReader() = default;
  std::string path_;
  std::ifstream file_;
  std::int64_t rows_ = 0, columns_ = 0, next_row_ = 0;
  int item_size_ = 0;         // 2, 4 or 8 bytes
  bool swap_bytes_ = false;   // big-endian data
  std::string buffer_;
};

// Parses the header of a .npy file held in memory; for tests and the JS side.
struct NpyHeader {
  std::string descr;  // e.g. "<f4"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::size_t data_offset = 0;
};
Expected<NpyHeader> parse_npy_header(const std::string& bytes, const std::string& name);

// Writes rows of float32 as an [N, V] .npy file. The file appears at `path`
// only on finish(), once every promised row is written and the file closed
// without error (dataset/output_file.hpp); otherwise nothing is left there.
class NpyWriter {
 public:
  static Expected<std::unique_ptr<NpyWriter>> create(const std::string& path, std::int64_t rows,
                                                     std::int64_t columns);
  Expected<bool> write(const Eigen::VectorXd& row);
  Expected<bool> finish();

 private:
  NpyWriter() = default;
  std::string path_;
  std::unique_ptr<OutputFile> file_;
  std::int64_t rows_ = 0, columns_ = 0, written_ = 0;
};

}  // namespace mdsd
