#include "dataset/npy_file.hpp"

#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <regex>

namespace mdsd {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

double half_to_double(std::uint16_t bits) {
  const int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double value;
  if (exponent == 0) value = std::ldexp(mantissa, -24);                      // subnormal
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;                 // inf / nan
  else value = std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -value : value;
}

// Reads the value of `key` in the header dict: 'descr': '<f4', ...
std::optional<std::string> dict_value(const std::string& header, const std::string& key,
                                      const std::string& pattern) {
  const std::regex entry("['\"]" + key + "['\"]\\s*:\\s*(" + pattern + ")");
  std::smatch match;
  if (!std::regex_search(header, match, entry)) return std::nullopt;
  return match[1].str();
}

}  // namespace

Expected<NpyHeader> parse_npy_header(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) {
    return Error{name + ": not a NumPy .npy file (no \\x93NUMPY magic)"};
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t length_bytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3) return Error{name + ": unsupported .npy format version " + std::to_string(major)};
  if (bytes.size() < 8 + length_bytes) return Error{name + ": truncated header"};
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  }
  const std::size_t offset = 8 + length_bytes;
  if (bytes.size() < offset + header_length) return Error{name + ": truncated header"};
  const std::string header = bytes.substr(offset, header_length);
  NpyHeader result;
  result.data_offset = offset + header_length;
  const auto descr = dict_value(header, "descr", "'[^']*'|\"[^\"]*\"");
  const auto order = dict_value(header, "fortran_order", "True|False");
  const auto shape = dict_value(header, "shape", "\\([^)]*\\)");
  if (!descr || !order || !shape) return Error{name + ": malformed .npy header"};
  result.descr = descr->substr(1, descr->size() - 2);
  result.fortran_order = *order == "True";
  // Each dimension: an optional minus sign and digits; parsed without
  // exceptions and checked, so a corrupt header is an error, not a crash.
  const std::regex number("-?\\d+");
  for (auto it = std::sregex_iterator(shape->begin(), shape->end(), number); it != std::sregex_iterator(); ++it) {
    const std::string digits = it->str();
    if (digits[0] == '-') return Error{name + ": the shape has a negative dimension " + digits};
    if (digits.size() > 15) return Error{name + ": the shape dimension " + digits + " is too large"};
    result.shape.push_back(std::stoll(digits));
  }
  return result;
}

Expected<std::unique_ptr<NpyRowReader>> NpyRowReader::open(const std::string& path) {
  std::unique_ptr<NpyRowReader> reader(new NpyRowReader());
  reader->path_ = path;
  reader->file_.open(path, std::ios::binary);
  if (!reader->file_) return Error{path + ": cannot be opened"};
  std::string start(1 << 16, '\0');
  reader->file_.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<std::size_t>(reader->file_.gcount()));
  auto header = parse_npy_header(start, path);
  if (!header.ok()) return Error{header.error()};
  const NpyHeader& h = header.value();
  const std::string& descr = h.descr;
  if (descr.size() != 3 || (descr[1] != 'f') || !std::strchr("<>=|", descr[0]) ||
      !std::strchr("248", descr[2])) {
    return Error{path + ": dtype '" + printable(descr) + "' is not supported (float16, float32 or float64)"};
  }
  if (h.fortran_order) return Error{path + ": Fortran (column-major) order is not supported; save with C order"};
  if (h.shape.size() != 2) {
    return Error{path + ": shape has " + std::to_string(h.shape.size()) + " dimensions; expected [N, V]"};
  }
  reader->rows_ = h.shape[0];
  reader->columns_ = h.shape[1];
  if (reader->columns_ < 1 || reader->columns_ > limits::kMaxVocabulary) {
    return Error{path + ": " + std::to_string(reader->columns_) + " tokens per row; expected 1 to " +
                 std::to_string(limits::kMaxVocabulary)};
  }
  reader->item_size_ = descr[2] - '0';
  reader->swap_bytes_ = descr[0] == '>';
  reader->file_.clear();
  reader->file_.seekg(static_cast<std::streamoff>(h.data_offset));
  reader->buffer_.resize(static_cast<std::size_t>(reader->columns_) * reader->item_size_);
  return reader;
}

Expected<bool> NpyRowReader::next(Eigen::VectorXd& row) {
  if (next_row_ >= rows_) return false;
  file_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (static_cast<std::size_t>(file_.gcount()) != buffer_.size()) {
    return Error{path_ + ": row " + std::to_string(next_row_) + ": the file ends early (truncated; the header promises " +
                 std::to_string(rows_) + " rows of " + std::to_string(columns_) + " values)"};
  }
  row.resize(columns_);
  char item[8];
  for (std::int64_t j = 0; j < columns_; ++j) {
    std::memcpy(item, buffer_.data() + j * item_size_, static_cast<std::size_t>(item_size_));
    if (swap_bytes_) std::reverse(item, item + item_size_);
    if (item_size_ == 8) {
      double value;
      std::memcpy(&value, item, 8);
      row[j] = value;
    } else if (item_size_ == 4) {
      float value;
      std::memcpy(&value, item, 4);
      row[j] = value;
    } else {
      std::uint16_t bits;
      std::memcpy(&bits, item, 2);
      row[j] = half_to_double(bits);
    }
  }
  ++next_row_;
  return true;
}

Expected<std::unique_ptr<NpyWriter>> NpyWriter::create(const std::string& path, std::int64_t rows,
                                                      std::int64_t columns) {
  std::unique_ptr<NpyWriter> writer(new NpyWriter());
  writer->path_ = path;
  writer->columns_ = columns;
  writer->file_.open(path, std::ios::binary | std::ios::trunc);
  if (!writer->file_) return Error{path + ": cannot be written"};
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(columns) + "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary; end with \n.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  const auto length = static_cast<std::uint16_t>(header.size());
  writer->file_.write(kMagic, 6);
  const char version[2] = {1, 0};
  writer->file_.write(version, 2);
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  writer->file_.write(length_bytes, 2);
  writer->file_.write(header.data(), static_cast<std::streamsize>(header.size()));
  if (!writer->file_) return Error{path + ": cannot be written"};
  return writer;
}

Expected<bool> NpyWriter::write(const Eigen::VectorXd& row) {
  std::vector<float> values(static_cast<std::size_t>(row.size()));
  for (Eigen::Index j = 0; j < row.size(); ++j) values[static_cast<std::size_t>(j)] = static_cast<float>(row[j]);
  file_.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!file_) return Error{path_ + ": write failed"};
  return true;
}

}  // namespace mdsd
