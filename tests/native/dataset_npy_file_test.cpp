// dataset/npy_file: .npy files of shape [N, V] read row by row and written as
// float32. The expected values come from bytes built by hand here, following
// numpy.lib.format (magic, version, little-endian header length, a Python
// dict literal padded with spaces and ending in '\n', then the raw data).
#include "support.hpp"

#include "dataset/npy_file.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace mdsd::test {
namespace {

namespace fs = std::filesystem;

// A scratch folder for one test, removed afterwards.
struct NpyScratch : ScratchFolder {
  NpyScratch() : ScratchFolder("mdsd_npy_test") {}
};


// The whole file: preamble, the header dict padded so that the data starts on
// a 64-byte boundary, then `data`.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t unpadded = 8 + length_bytes + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes.push_back(static_cast<char>(major));
  bytes.push_back('\0');
  for (std::size_t i = 0; i < length_bytes; ++i) bytes.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return bytes + header + data;
}

std::string dict_of(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// `bits` as `size` bytes, least significant first (or most significant first).
std::string bytes_of(std::uint64_t bits, int size, bool big_endian = false) {
  std::string out(static_cast<std::size_t>(size), '\0');
  for (int i = 0; i < size; ++i) {
    const int position = big_endian ? size - 1 - i : i;
    out[static_cast<std::size_t>(position)] = static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return out;
}

std::uint64_t bits_of_double(double value) { return std::bit_cast<std::uint64_t>(value); }
std::uint64_t bits_of_float(float value) { return std::bit_cast<std::uint32_t>(value); }

std::vector<Eigen::VectorXd> read_all(const std::string& path) {
  auto reader = NpyRowReader::open(path);
  REQUIRE_MESSAGE(reader.ok(), reader.error());
  std::vector<Eigen::VectorXd> rows;
  for (;;) {
    Eigen::VectorXd row;
    auto more = reader.value()->next(row);
    REQUIRE_MESSAGE(more.ok(), more.error());
    if (!more.value()) break;
    rows.push_back(row);
  }
  return rows;
}

std::string open_error(const std::string& path) {
  auto reader = NpyRowReader::open(path);
  return reader.ok() ? std::string("(opened)") : reader.error();
}

}  // namespace

TEST_CASE("NpyWriter writes float32 [N, V] that NpyRowReader reads back") {
  const NpyScratch scratch;
  const std::string path = (scratch.folder / "rows.npy").string();
  const std::vector<std::vector<double>> values = {
      {0.0, 1.0, -2.5, 0.1, 1e-3, -INFINITY, 3.0e38},
      {1.0 / 3.0, -1e-40, 65504.0, 7.25, -0.0, 123456789.0, 2.0},
      {-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0},
  };
  {
    auto writer = NpyWriter::create(path, 3, 7);
    REQUIRE_MESSAGE(writer.ok(), writer.error());
    for (const auto& row : values) {
      Eigen::VectorXd vector = Eigen::Map<const Eigen::VectorXd>(row.data(), 7);
      auto written = writer.value()->write(vector);
      REQUIRE_MESSAGE(written.ok(), written.error());
    }
    CHECK_FALSE(fs::exists(path));  // not before finish()
    auto finished = writer.value()->finish();
    REQUIRE_MESSAGE(finished.ok(), finished.error());
  }

  // The bytes, by the format: magic, version 1.0, header, data at a multiple of 64.
  const std::string bytes = slurp(path);
  REQUIRE(bytes.size() >= 10);
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK(bytes[7] == 0);
  const std::size_t header_length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
  const std::size_t data_offset = 10 + header_length;
  CHECK(data_offset % 64 == 0);
  const std::string header = bytes.substr(10, header_length);
  CHECK(header.back() == '\n');
  CHECK(contains(header, "'descr': '<f4'"));
  CHECK(contains(header, "'fortran_order': False"));
  CHECK(contains(header, "'shape': (3, 7)"));
  REQUIRE(bytes.size() == data_offset + 3 * 7 * 4);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 7; ++j) {
      const std::size_t at = data_offset + 4 * (7 * i + j);
      CHECK(bytes.substr(at, 4) == bytes_of(bits_of_float(static_cast<float>(values[i][j])), 4));
    }
  }

  // Read back: each value rounded to float32.
  auto reader = NpyRowReader::open(path);
  REQUIRE_MESSAGE(reader.ok(), reader.error());
  CHECK(reader.value()->rows() == 3);
  CHECK(reader.value()->columns() == 7);
  const auto rows = read_all(path);
  REQUIRE(rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(rows[i].size() == 7);
    for (std::size_t j = 0; j < 7; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK(rows[i][static_cast<Eigen::Index>(j)] == static_cast<double>(static_cast<float>(values[i][j])));
    }
  }
  CHECK(std::signbit(rows[1][4]));  // -0.0 kept
}

TEST_CASE("hand-built .npy: '<f8' little-endian doubles, exactly") {
  const NpyScratch scratch;
  const std::vector<double> values = {0.1, -1e300, 5e-324, -INFINITY, 1.0 / 3.0, 42.0};
  std::string data;
  for (double value : values) data += bytes_of(bits_of_double(value), 8);
  const auto path = scratch.write("f8.npy", npy_bytes(dict_of("<f8", "(2, 3)"), data));
  const auto rows = read_all(path);
  REQUIRE(rows.size() == 2);
  for (std::size_t k = 0; k < values.size(); ++k) {
    CHECK(rows[k / 3][static_cast<Eigen::Index>(k % 3)] == values[k]);
  }
}

TEST_CASE("hand-built .npy: '<f2' half precision, normal, subnormal, infinite, NaN") {
  const NpyScratch scratch;
  struct Half {
    std::uint16_t bits;
    double value;
  };
  const std::vector<Half> halves = {
      {0x3c00, 1.0},
      {0xc000, -2.0},
      {0x7bff, 65504.0},                   // largest finite
      {0x0001, std::ldexp(1.0, -24)},      // smallest subnormal
      {0x03ff, 1023 * std::ldexp(1.0, -24)},  // largest subnormal
      {0x0400, std::ldexp(1.0, -14)},      // smallest normal
      {0x7c00, INFINITY},
      {0xfc00, -INFINITY},
      {0x3555, 0.333251953125},            // 1/3 rounded to 10 bits: 1365 / 4096
      {0x0000, 0.0},
      {0x8000, -0.0},
      {0x7e00, NAN},
  };
  std::string data;
  for (const Half& half : halves) data += bytes_of(half.bits, 2);
  const auto path = scratch.write("f2.npy", npy_bytes(dict_of("<f2", "(1, 12)"), data));
  const auto rows = read_all(path);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 12);
  for (std::size_t k = 0; k < halves.size(); ++k) {
    CAPTURE(halves[k].bits);
    const double read = rows[0][static_cast<Eigen::Index>(k)];
    if (std::isnan(halves[k].value)) {
      CHECK(std::isnan(read));
    } else {
      CHECK(read == halves[k].value);
      CHECK(std::signbit(read) == std::signbit(halves[k].value));
    }
  }
}

TEST_CASE("hand-built .npy: '>f4' big-endian and '>f2', '>f8'") {
  const NpyScratch scratch;
  const std::vector<float> values = {1.5f, -0.15625f, 3.0e38f, 1e-45f};
  std::string data;
  for (float value : values) data += bytes_of(bits_of_float(value), 4, /*big_endian=*/true);
  // 1.5f is 0x3fc00000: most significant byte first.
  CHECK(data.substr(0, 4) == std::string("\x3f\xc0\x00\x00", 4));
  const auto rows = read_all(scratch.write("be4.npy", npy_bytes(dict_of(">f4", "(2, 2)"), data)));
  REQUIRE(rows.size() == 2);
  for (std::size_t k = 0; k < values.size(); ++k) {
    CHECK(rows[k / 2][static_cast<Eigen::Index>(k % 2)] == static_cast<double>(values[k]));
  }

  const auto half = read_all(scratch.write(
      "be2.npy", npy_bytes(dict_of(">f2", "(1, 2)"), bytes_of(0x3c00, 2, true) + bytes_of(0xc000, 2, true))));
  REQUIRE(half.size() == 1);
  CHECK(half[0][0] == 1.0);
  CHECK(half[0][1] == -2.0);

  const auto wide = read_all(scratch.write("be8.npy", npy_bytes(dict_of(">f8", "(1, 1)"),
                                                                bytes_of(bits_of_double(-0.1), 8, true))));
  REQUIRE(wide.size() == 1);
  CHECK(wide[0][0] == -0.1);
}

TEST_CASE("hand-built .npy: version 2.0 (4-byte header length) and version 3.0") {
  const NpyScratch scratch;
  std::string data;
  for (float value : {0.5f, 0.25f, -8.0f}) data += bytes_of(bits_of_float(value), 4);
  for (int major : {2, 3}) {
    CAPTURE(major);
    const std::string bytes = npy_bytes(dict_of("<f4", "(3, 1)"), data, major);
    // Preamble 12 bytes; the data starts on a 64-byte boundary.
    CHECK((bytes.size() - data.size()) % 64 == 0);
    const auto rows = read_all(scratch.write("v" + std::to_string(major) + ".npy", bytes));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0] == 0.5);
    CHECK(rows[1][0] == 0.25);
    CHECK(rows[2][0] == -8.0);
  }
  // A header dict with double quotes and no trailing comma, as other writers emit.
  const auto quoted = read_all(scratch.write(
      "quoted.npy", npy_bytes("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1, 3)}", data)));
  REQUIRE(quoted.size() == 1);
  CHECK(quoted[0][2] == -8.0);
}

TEST_CASE("bad .npy files: the error names the file and the problem") {
  const NpyScratch scratch;
  const std::string four_floats = std::string(16, '\0');

  const auto magic = scratch.write("magic.npy", "\x93NUMPZ\x01\x00" + std::string(120, ' '));
  const std::string magic_error = open_error(magic);
  CHECK(starts_with(magic_error, magic + ": "));
  CHECK(contains(magic_error, "magic"));

  const auto text = scratch.write("text.npy", "a,b,c\n1,2,3\n");
  CHECK(starts_with(open_error(text), text + ": "));

  const auto integers = scratch.write("i4.npy", npy_bytes(dict_of("<i4", "(2, 2)"), four_floats));
  const std::string integers_error = open_error(integers);
  CHECK(starts_with(integers_error, integers + ": "));
  CHECK(contains(integers_error, "'<i4'"));

  const auto quad = scratch.write("f16.npy", npy_bytes(dict_of("<f16", "(1, 1)"), four_floats));
  CHECK(contains(open_error(quad), "'<f16'"));

  const auto fortran = scratch.write("fortran.npy", npy_bytes(dict_of("<f4", "(2, 2)", "True"), four_floats));
  const std::string fortran_error = open_error(fortran);
  CHECK(starts_with(fortran_error, fortran + ": "));
  CHECK(contains(fortran_error, "Fortran"));

  const auto flat = scratch.write("flat.npy", npy_bytes(dict_of("<f4", "(4,)"), four_floats));
  const std::string flat_error = open_error(flat);
  CHECK(starts_with(flat_error, flat + ": "));
  CHECK(contains(flat_error, "1 dimensions"));

  const auto cube = scratch.write("cube.npy", npy_bytes(dict_of("<f4", "(1, 2, 2)"), four_floats));
  CHECK(contains(open_error(cube), "3 dimensions"));

  const auto missing = (scratch.folder / "missing.npy").string();
  CHECK(starts_with(open_error(missing), missing + ": "));
}

TEST_CASE("a truncated .npy fails at the first incomplete row, naming it") {
  const NpyScratch scratch;
  // Header promises 4 rows of 3 float32; the data stops 2 bytes into row 2.
  std::string data;
  for (int k = 0; k < 6; ++k) data += bytes_of(bits_of_float(static_cast<float>(k)), 4);
  data += "\x01\x02";
  const auto path = scratch.write("short.npy", npy_bytes(dict_of("<f4", "(4, 3)"), data));
  auto reader = NpyRowReader::open(path);
  REQUIRE_MESSAGE(reader.ok(), reader.error());
  Eigen::VectorXd row;
  for (int k = 0; k < 2; ++k) {
    auto more = reader.value()->next(row);
    REQUIRE_MESSAGE(more.ok(), more.error());
    CHECK(more.value());
    CHECK(row[2] == 3.0 * k + 2.0);
  }
  auto broken = reader.value()->next(row);
  REQUIRE_FALSE(broken.ok());
  CHECK(starts_with(broken.error(), path + ": "));
  CHECK(contains(broken.error(), "row 2"));

  // Data missing altogether: row 0.
  const auto empty = scratch.write("empty.npy", npy_bytes(dict_of("<f8", "(2, 2)"), ""));
  auto empty_reader = NpyRowReader::open(empty);
  REQUIRE_MESSAGE(empty_reader.ok(), empty_reader.error());
  auto none = empty_reader.value()->next(row);
  REQUIRE_FALSE(none.ok());
  CHECK(contains(none.error(), empty));
  CHECK(contains(none.error(), "row 0"));

  // A header cut short.
  const std::string whole = npy_bytes(dict_of("<f4", "(1, 1)"), "");
  const auto cut = scratch.write("cut.npy", whole.substr(0, 30));
  CHECK(starts_with(open_error(cut), cut + ": "));
}

// BUG (src/dataset/npy_file.cpp, parse_npy_header): the shape is read with the
// regex \d+, which drops a minus sign, so a corrupt header 'shape': (-1, 4)
// is read as [1, 4] and its data silently used.
TEST_CASE("a negative dimension in the shape is an error, not read as positive") {
  const NpyScratch scratch;
  const auto path = scratch.write("negative.npy", npy_bytes(dict_of("<f4", "(-1, 4)"), std::string(16, '\0')));
  auto reader = NpyRowReader::open(path);
  CHECK_FALSE(reader.ok());
  if (!reader.ok()) CHECK(starts_with(reader.error(), path + ": "));
}

// BUG (src/dataset/npy_file.cpp, parse_npy_header): std::stoll throws
// std::out_of_range on a dimension of more than 19 digits; the core promises
// never to throw (core/expected.hpp), and `mdsd batch` aborts (exit 134).
TEST_CASE("a dimension too large for int64 is an error, not an exception") {
  const std::string header = npy_bytes(dict_of("<f4", "(99999999999999999999, 5)"), "");
  bool threw = false;
  try {
    auto parsed = parse_npy_header(header, "huge.npy");
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok()) CHECK(starts_with(parsed.error(), "huge.npy: "));
  } catch (const std::exception& error) {
    threw = true;
    MESSAGE("parse_npy_header threw: " << std::string(error.what()));
  }
  CHECK_FALSE(threw);
}

// BUG (src/dataset/npy_file.cpp, parse_npy_header): the header dict was read
// with std::regex, which recurses once per character: a descr or shape string
// of 26,000 characters overflowed the stack and `mdsd batch` died with
// SIGSEGV (40,000 characters do it in the release build). Each long field
// below is an error naming the file, quoting at most a bounded excerpt.
TEST_CASE("long .npy header fields are errors naming the file, not a stack overflow") {
  const NpyScratch scratch;
  const std::string long_descr = "<" + std::string(40'000, 'f');
  std::string many_dimensions = "(";
  for (int k = 0; k < 13'000; ++k) many_dimensions += "1, ";
  many_dimensions += ")";
  const std::string long_number = "(" + std::string(40'000, '7') + ", 3)";
  const std::string unclosed = "{'descr': '" + std::string(40'000, 'x');
  struct Case {
    std::string name, dict, expected;
  };
  for (const Case& bad : {
           Case{"descr.npy", dict_of(long_descr, "(1, 1)"), "is not supported"},
           Case{"dimensions.npy", dict_of("<f4", many_dimensions), "13000 dimensions"},
           Case{"digits.npy", dict_of("<f4", long_number), "is too large"},
           Case{"unclosed.npy", unclosed, "malformed .npy header: a string is not closed"},
           Case{"key.npy", "{'" + std::string(40'000, 'k') + "': 1}", "malformed .npy header: unknown key"},
       }) {
    CAPTURE(bad.name);
    const auto path = scratch.write(bad.name, npy_bytes(bad.dict, std::string(16, '\0'), 2));
    const std::string error = open_error(path);
    CAPTURE(error);
    CHECK(starts_with(error, path + ": "));
    CHECK(contains(error, bad.expected));
    CHECK(error.size() < path.size() + 300);
    CHECK(error.find('\n') == std::string::npos);
  }
}

TEST_CASE(".npy header: the Python literal forms numpy and other writers use") {
  const NpyScratch scratch;
  std::string data;
  for (float value : {0.5f, 0.25f}) data += bytes_of(bits_of_float(value), 4);
  for (const std::string dict : {
           std::string("{'descr':'<f4','fortran_order':False,'shape':(1,2)}"),
           std::string("{ 'shape' : ( 1 , 2 , ) , 'fortran_order' : False , 'descr' : \"<f4\" , }"),
           std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }"),  // Python 2
       }) {
    CAPTURE(dict);
    const auto rows = read_all(scratch.write("forms.npy", npy_bytes(dict, data)));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == 0.5);
    CHECK(rows[0][1] == 0.25);
  }
  // A header longer than the first 64 KiB (version 2.0) is read whole: spaces
  // after the dict are legal padding.
  const std::string padded = dict_of("<f4", "(1, 2)") + std::string(100'000, ' ');
  const auto rows = read_all(scratch.write("padded.npy", npy_bytes(padded, data, 2)));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][1] == 0.25);
}

TEST_CASE(".npy header: what numpy would not read is an error naming the problem") {
  const NpyScratch scratch;
  struct Case {
    std::string dict, expected;
  };
  for (const Case& bad : {
           Case{"{'descr': '<f4', 'fortran_order': False}", "no 'shape'"},
           Case{"{'descr': '<f4', 'shape': (1, 1)}", "no 'fortran_order'"},
           Case{"{'fortran_order': False, 'shape': (1, 1)}", "no 'descr'"},
           Case{"{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 1)}", "'descr' is given twice"},
           Case{"{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 1)}", "True or False"},
           Case{"{'descr': '<f4', 'fortran_order': False, 'shape': [1, 1]}", "tuple"},
           Case{"{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}", "not a whole number"},
           Case{"{'descr': '<f4', 'fortran_order': False, 'shape': (1 1)}", "expected ',' or ')'"},
           Case{"{'descr': '<f4' 'fortran_order': False, 'shape': (1, 1)}", "expected ',' or '}'"},
           Case{"{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1, 1)}", "structured"},
           Case{"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)} x", "after the closing"},
           Case{"'descr': '<f4'", "does not start with '{'"},
           Case{"{descr: '<f4'}", "expected a quoted string"},
       }) {
    CAPTURE(bad.dict);
    const auto path = scratch.write("bad.npy", npy_bytes(bad.dict, std::string(16, '\0')));
    const std::string error = open_error(path);
    CHECK(starts_with(error, path + ": "));
    CHECK(contains(error, bad.expected));
  }
  // A header length past the limit is refused before it is read.
  std::string huge = "\x93NUMPY";
  huge += std::string("\x02\x00", 2);
  huge += std::string("\x00\x00\x00\x40", 4);  // 1 GiB
  huge += "{";
  const auto path = scratch.write("huge.npy", huge);
  CHECK(contains(open_error(path), "more than the limit"));
}

TEST_CASE("NpyWriter: nothing appears at the path unless every row is written and finish() succeeds") {
  const NpyScratch scratch;
  const std::string path = (scratch.folder / "partial.npy").string();
  const Eigen::VectorXd row = Eigen::VectorXd::Constant(4, 0.5);
  {
    auto writer = NpyWriter::create(path, 3, 4);
    REQUIRE_MESSAGE(writer.ok(), writer.error());
    REQUIRE(writer.value()->write(row).ok());
    auto early = writer.value()->finish();  // 1 row of the 3 promised
    CHECK_FALSE(early.ok());
    if (!early.ok()) CHECK(contains(early.error(), "1 rows written of the 3"));
  }
  CHECK_FALSE(fs::exists(path));
  // An earlier file stays as it was when a new one is abandoned half-way.
  const auto kept = scratch.write("kept.npy", "earlier contents");
  {
    auto writer = NpyWriter::create(kept, 2, 4);
    REQUIRE_MESSAGE(writer.ok(), writer.error());
    REQUIRE(writer.value()->write(row).ok());
  }
  CHECK(slurp(kept) == "earlier contents");
  // No temporary file is left behind either.
  CHECK(std::distance(fs::directory_iterator(scratch.folder), fs::directory_iterator()) == 1);
}

TEST_CASE("NpyWriter on a full disk fails naming the file") {
  if (!fs::exists("/dev/full")) return;
  auto writer = NpyWriter::create("/dev/full", 64, 4096);
  REQUIRE_MESSAGE(writer.ok(), writer.error());
  const Eigen::VectorXd row = Eigen::VectorXd::Constant(4096, 0.5);
  bool failed = false;
  for (int i = 0; i < 64 && !failed; ++i) failed = !writer.value()->write(row).ok();
  if (!failed) {
    auto finished = writer.value()->finish();
    failed = !finished.ok();
    if (!finished.ok()) CHECK(starts_with(finished.error(), "/dev/full: "));
  }
  CHECK(failed);
  CHECK(fs::is_character_file("/dev/full"));  // written in place, never renamed over
}

}  // namespace mdsd::test
