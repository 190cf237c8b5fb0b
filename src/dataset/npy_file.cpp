#include "dataset/npy_file.hpp"
#include "core/message_text.hpp"

#include "core/distribution.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>

namespace mdsd {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
// numpy writes headers of a few hundred bytes (and by default reads at most
// 10,000); a longer one is corrupt, and is refused before it is read whole.
constexpr std::size_t kMaxHeaderBytes = 1 << 20;

double half_to_double(std::uint16_t bits) {
  const int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double value;
  if (exponent == 0) value = std::ldexp(mantissa, -24);                      // subnormal
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;                 // inf / nan
  else value = std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -value : value;
}

// The header dict, a Python literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// read in one pass with a cursor: no recursion, no regex (std::regex recursed
// per character and overflowed the stack on a 26,000-character descr).
// Accepts what numpy.lib.format writes and what ast.literal_eval would read
// for these three keys: single or double quotes, any spacing, trailing commas,
// Python 2's "L" after a dimension.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  Expected<NpyHeader> parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    skip_space();
    if (!take('{')) return malformed("it does not start with '{'");
    for (;;) {
      skip_space();
      if (take('}')) break;
      auto key = string_literal();
      if (!key.ok()) return Error{key.error()};
      skip_space();
      if (!take(':')) return malformed("expected ':' after '" + excerpt(key.value()) + "'");
      skip_space();
      if (key.value() == "descr") {
        if (seen_descr) return malformed("'descr' is given twice");
        seen_descr = true;
        if (peek() == '[') {
          return Error{name_ + ": dtype is a structured (record) dtype, which is not supported (float16, float32 or float64)"};
        }
        auto descr = string_literal();
        if (!descr.ok()) return Error{descr.error()};
        header.descr = std::move(descr).value();
      } else if (key.value() == "fortran_order") {
        if (seen_order) return malformed("'fortran_order' is given twice");
        seen_order = true;
        if (take_word("True")) {
          header.fortran_order = true;
        } else if (take_word("False")) {
          header.fortran_order = false;
        } else {
          return malformed("'fortran_order' must be True or False");
        }
      } else if (key.value() == "shape") {
        if (seen_shape) return malformed("'shape' is given twice");
        seen_shape = true;
        if (auto error = shape(header.shape)) return *error;
      } else {
        return malformed("unknown key '" + excerpt(key.value()) + "' (expected descr, fortran_order and shape)");
      }
      skip_space();
      if (take(',')) continue;
      skip_space();
      if (take('}')) break;
      return malformed("expected ',' or '}' at byte " + std::to_string(at_));
    }
    skip_space();
    if (at_ != text_.size()) return malformed("text after the closing '}' at byte " + std::to_string(at_));
    if (!seen_descr) return malformed("no 'descr'");
    if (!seen_order) return malformed("no 'fortran_order'");
    if (!seen_shape) return malformed("no 'shape'");
    return header;
  }

 private:
  Error malformed(const std::string& problem) const { return Error{name_ + ": malformed .npy header: " + problem}; }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  bool take(char c) {
    if (peek() != c) return false;
    ++at_;
    return true;
  }
  bool take_word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) ++at_;
  }
  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // 'text' or "text"; a backslash takes the next character as it is.
  Expected<std::string> string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') return malformed("expected a quoted string at byte " + std::to_string(at_));
    ++at_;
    std::string value;
    while (at_ < text_.size() && text_[at_] != quote) {
      if (text_[at_] == '\\' && at_ + 1 < text_.size()) ++at_;
      value.push_back(text_[at_++]);
    }
    if (!take(quote)) return malformed("a string is not closed");
    return value;
  }

  // (N, V): dimensions in parentheses, separated by commas, maybe one after
  // the last ("(4,)" is one dimension).
  std::optional<Error> shape(std::vector<std::int64_t>& dimensions) {
    if (!take('(')) return malformed("'shape' must be a tuple such as (N, V)");
    for (;;) {
      skip_space();
      if (take(')')) return std::nullopt;
      const std::size_t start = at_;
      if (peek() == '-') ++at_;
      while (digit(peek())) ++at_;
      const std::string_view number = text_.substr(start, at_ - start);
      if (number.empty() || number == "-") return malformed("'shape' holds something that is not a whole number at byte " + std::to_string(start));
      take('L');
      if (number[0] == '-') return Error{name_ + ": the shape has a negative dimension " + excerpt(number)};
      if (number.size() > 15) return Error{name_ + ": the shape dimension " + excerpt(number) + " is too large"};
      std::int64_t value = 0;
      for (char c : number) value = 10 * value + (c - '0');
      dimensions.push_back(value);
      skip_space();
      if (take(')')) return std::nullopt;
      if (!take(',')) return malformed("expected ',' or ')' in 'shape' at byte " + std::to_string(at_));
    }
  }

  std::string_view text_;
  const std::string& name_;
  std::size_t at_ = 0;
};

// The bytes before the data of a .npy file: preamble (magic, version, header
// length) and header; an error when these are not those of a .npy file.
Expected<std::size_t> header_extent(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) {
    return Error{name + ": not a NumPy .npy file (no \\x93NUMPY magic)"};
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) return Error{name + ": unsupported .npy format version " + std::to_string(major)};
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) return Error{name + ": truncated header"};
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  }
  if (header_length > kMaxHeaderBytes) {
    return Error{name + ": the header is " + std::to_string(header_length) + " bytes, more than the limit of " +
                 std::to_string(kMaxHeaderBytes)};
  }
  return 8 + length_bytes + header_length;
}

}  // namespace

Expected<NpyHeader> parse_npy_header(const std::string& bytes, const std::string& name) {
  auto extent = header_extent(bytes, name);
  if (!extent.ok()) return Error{extent.error()};
  if (bytes.size() < extent.value()) return Error{name + ": truncated header"};
  const std::size_t offset = bytes[6] == 1 ? 10 : 12;
  auto header = HeaderParser(std::string_view(bytes).substr(offset, extent.value() - offset), name).parse();
  if (!header.ok()) return Error{header.error()};
  header.value().data_offset = extent.value();
  return header;
}

Expected<std::unique_ptr<NpyRowReader>> NpyRowReader::open(const std::string& path) {
  std::unique_ptr<NpyRowReader> reader(new NpyRowReader());
  reader->path_ = path;
  reader->file_.open(path, std::ios::binary);
  if (!reader->file_) return Error{path + ": cannot be opened"};
  // The preamble says how long the header is; read exactly that much.
  std::string start(12, '\0');
  reader->file_.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<std::size_t>(reader->file_.gcount()));
  if (auto extent = header_extent(start, path); extent.ok() && extent.value() > start.size()) {
    const std::size_t have = start.size();
    start.resize(extent.value());
    reader->file_.read(start.data() + have, static_cast<std::streamsize>(extent.value() - have));
    start.resize(have + static_cast<std::size_t>(reader->file_.gcount()));
  }
  auto header = parse_npy_header(start, path);
  if (!header.ok()) return Error{header.error()};
  const NpyHeader& h = header.value();
  const std::string& descr = h.descr;
  if (descr.size() != 3 || (descr[1] != 'f') || !std::strchr("<>=|", descr[0]) ||
      !std::strchr("248", descr[2])) {
    return Error{path + ": dtype '" + excerpt(descr) + "' is not supported (float16, float32 or float64)"};
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
  writer->rows_ = rows;
  writer->columns_ = columns;
  auto file = OutputFile::create(path);
  if (!file.ok()) return Error{file.error()};
  writer->file_ = std::move(file).value();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(columns) + "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary; end with \n.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  const auto length = static_cast<std::uint16_t>(header.size());
  std::ostream& out = writer->file_->stream();
  out.write(kMagic, 6);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  if (!out) return Error{path + ": write failed"};
  return writer;
}

Expected<bool> NpyWriter::write(const Eigen::VectorXd& row) {
  std::vector<float> values(static_cast<std::size_t>(row.size()));
  for (Eigen::Index j = 0; j < row.size(); ++j) values[static_cast<std::size_t>(j)] = static_cast<float>(row[j]);
  std::ostream& out = file_->stream();
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!out) return Error{path_ + ": write failed"};
  ++written_;
  return true;
}

Expected<bool> NpyWriter::finish() {
  // A file with fewer rows than its header promises would read as truncated.
  if (written_ != rows_) {
    return Error{path_ + ": " + std::to_string(written_) + " rows written of the " + std::to_string(rows_) +
                 " the header promises"};
  }
  return file_->commit();
}

}  // namespace mdsd
