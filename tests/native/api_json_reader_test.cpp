// api/json_reader: the strict JSON reader against independent references:
// glibc's strtod for numbers (correctly rounded), nlohmann's parser for
// documents (the same document for valid text, both refuse invalid text),
// RFC 8259 and RFC 3629 for what is refused, and the exact messages.
#include "api/json_reader.hpp"

#include "api/request.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace mdsd::test {
namespace {

using nlohmann::json;

json document(const std::string& text) {
  CAPTURE(text);
  auto parsed = parse_json_document(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error());
  return std::move(parsed).value();
}

std::string error_of(const std::string& text) {
  CAPTURE(text);
  auto parsed = parse_json_document(text);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error();
}

double read_double(const std::string& literal) {
  const json value = document(literal);
  REQUIRE(value.is_number());
  return value.get<double>();
}

std::uint64_t bits(double value) {
  std::uint64_t out;
  std::memcpy(&out, &value, sizeof out);
  return out;
}

// Collects what a number-array handler receives.
class ArrayRecorder : public JsonDocumentBuilder {
 public:
  std::vector<double> numbers;
  std::vector<std::pair<JsonKind, std::string>> others;
  ArrayMode start_array() override {
    if (open_.empty()) return ArrayMode::numbers;
    return JsonDocumentBuilder::start_array();
  }
  bool end_array() override { return open_.empty() ? true : JsonDocumentBuilder::end_array(); }
  bool number_element(double value) override {
    numbers.push_back(value);
    return true;
  }
  bool other_element(JsonKind kind, std::string_view text) override {
    others.emplace_back(kind, std::string(text));
    return true;
  }
};

}  // namespace

TEST_CASE("json reader: numbers are the correctly rounded doubles (as glibc's strtod)") {
  const std::vector<std::string> tricky = {
      "0", "-0.0", "1", "0.1", "0.2", "0.3", "1e23", "8.98846567431158e307", "1.7976931348623157e308",
      "1.7976931348623158e308",  // rounds down to DBL_MAX
      "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",  // around DBL_MIN
      "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400",
      "9007199254740993", "9007199254740993.0", "9007199254740992.5", "123456789012345678901234567890",
      "18446744073709551616", "-9223372036854775809", "0.000000000000000000000000000001",
      "3.141592653589793238462643383279502884197169399375105820974944592307816406286",
      "1.00000000000000011102230246251565404236316680908203125",  // the halfway point above 1
      "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
      "7.2057594037927933e16", "5e-324", "1E5", "1e+5", "1e-5", "1.5E-05", "2.595133445207212e-07",
      "0e999999999999999999999", "1e-99999999999999999999", "100000000000000000000000000000000000000000e-41",
  };
  for (const std::string& literal : tricky) {
    CAPTURE(literal);
    CHECK(bits(read_double(literal)) == bits(std::strtod(literal.c_str(), nullptr)));
  }
  // 20,000 random doubles of every magnitude: their shortest and their
  // 17-digit spelling, and the same 17 digits cut to a random length.
  std::mt19937_64 random(20261201);
  for (int i = 0; i < 20000; ++i) {
    double value;
    do {
      const std::uint64_t raw = random();
      std::memcpy(&value, &raw, sizeof value);
    } while (!std::isfinite(value));
    char text[64];
    for (const char* format : {"%.17g", "%.15g", "%.3e", "%.19e", "%.25g"}) {
      std::snprintf(text, sizeof text, format, value);
      CAPTURE(text);
      CHECK(bits(read_double(text)) == bits(std::strtod(text, nullptr)));
    }
  }
}

TEST_CASE("json reader: random decimal strings read as glibc's strtod reads them") {
  // Up to 25 digits (past 19 the reader hands the text to fast_float), with
  // leading zeros, a point anywhere and exponents across the whole range.
  std::mt19937_64 random(8259);
  for (int i = 0; i < 100000; ++i) {
    std::string literal = random() % 4 == 0 ? "-" : "";
    const int digits = 1 + static_cast<int>(random() % 25);
    const int point = static_cast<int>(random() % (digits + 1));
    std::string mantissa;
    for (int d = 0; d < digits; ++d) mantissa += static_cast<char>('0' + random() % 10);
    if (random() % 3 == 0) mantissa.replace(0, std::min(3, digits), std::string(std::min(3, digits), '0'));
    std::string integer = mantissa.substr(0, point), fraction = mantissa.substr(point);
    integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() > 0 ? integer.size() - 1 : 0));
    if (integer.empty()) integer = "0";
    literal += integer;
    if (!fraction.empty()) literal += "." + fraction;
    if (random() % 2 == 0) literal += "e" + std::to_string(static_cast<int>(random() % 700) - 350);
    CAPTURE(literal);
    const auto parsed = parse_json_document(literal);
    const double expected = std::strtod(literal.c_str(), nullptr);
    if (!std::isfinite(expected)) {
      CHECK_FALSE(parsed.ok());
      continue;
    }
    REQUIRE_MESSAGE(parsed.ok(), parsed.error());
    if (parsed.value().is_number_float()) {
      CHECK(bits(parsed.value().get<double>()) == bits(expected));
    } else {  // an integer literal: -0 is the integer 0
      CHECK(parsed.value().get<double>() == expected);
    }
  }
}

TEST_CASE("json reader: integers stay integers within int64 and uint64, as in nlohmann's documents") {
  CHECK(document("9223372036854775807").is_number_integer());
  CHECK(document("9223372036854775807").get<std::int64_t>() == std::numeric_limits<std::int64_t>::max());
  CHECK(document("-9223372036854775808").get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
  CHECK(document("9223372036854775808").is_number_unsigned());
  CHECK(document("18446744073709551615").get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
  CHECK(document("18446744073709551616").is_number_float());
  CHECK(document("-9223372036854775809").is_number_float());
  // -0 is the integer 0, as nlohmann reads it; -0.0 keeps its sign.
  CHECK(document("-0").is_number_integer());
  CHECK(document("-0").get<std::int64_t>() == 0);
  CHECK(std::signbit(document("-0.0").get<double>()));
}

TEST_CASE("json reader: numbers only as RFC 8259 spells them") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"01", "parse error at line 1, column 2: invalid number '01': JSON has no leading zeros"},
      {"[-01]", "parse error at line 1, column 4: invalid number '-01': JSON has no leading zeros (in [0])"},
      {"1.", "parse error at line 1, column 3: invalid number '1.': a digit must follow '.'"},
      {"[1.e5]", "parse error at line 1, column 4: invalid number '1.e': a digit must follow '.' (in [0])"},
      {"1e", "parse error at line 1, column 3: invalid number '1e': the exponent needs a digit"},
      {"1e+", "parse error at line 1, column 4: invalid number '1e+': the exponent needs a digit"},
      {"-", "parse error at line 1, column 2: invalid number '-': a digit must follow '-'"},
      {"-Infinity", "parse error at line 1, column 2: invalid number '-I': a digit must follow '-' (JSON has no infinities)"},
      {".5", "parse error at line 1, column 1: expected a value (an object, array, string, number, true, false or null), "
             "got '.5' (a JSON number has a digit before its '.')"},
      {"+1", "parse error at line 1, column 1: expected a value (an object, array, string, number, true, false or null), "
             "got '+1' (a JSON number has no '+' sign)"},
      {"NaN", "parse error at line 1, column 1: expected a value (an object, array, string, number, true, false or null), "
              "got 'NaN' (JSON has no NaN or infinities)"},
      {"0x10", "parse error at line 1, column 2: expected the end of the text after the JSON value, got 'x10'"},
      {"1e400", "number overflow at line 1, column 1: '1e400' is beyond the largest double (about 1.8e308)"},
      {"[1, -1e99999999999999999999]",
       "number overflow at line 1, column 5: '-1e99999999999999999999' is beyond the largest double (about 1.8e308) (in [1])"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    CHECK(error_of(text) == "not valid JSON: " + expected);
  }
}

TEST_CASE("json reader: strings decode every escape and refuse what is not UTF-8") {
  CHECK(document(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").get<std::string>() == "a\"b\\c/d\be\ff\ng\rh\ti");
  CHECK(document(R"("\u00e9\u20AC\ud83d\ude00")").get<std::string>() == "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  CHECK(document(R"("\u0000")").get<std::string>() == std::string(1, '\0'));
  CHECK(document("\"caf\xc3\xa9 \xf4\x8f\xbf\xbf\"").get<std::string>() == "caf\xc3\xa9 \xf4\x8f\xbf\xbf");
  const std::string big(10'000'000, 'x');
  CHECK(document("[\"" + big + "\"]")[0].get_ref<const std::string&>().size() == big.size());

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\"\xff\"", "column 2: a string holds bytes that are not UTF-8: \\xff"},
      {"\"\xc0\xaf\"", "column 2: a string holds bytes that are not UTF-8: \\xc0\\xaf"},            // overlong '/'
      {"\"\xed\xa0\x80\"", "column 2: a string holds bytes that are not UTF-8: \\xed\\xa0\\x80"},    // a surrogate
      {"\"\xf4\x90\x80\x80\"", "column 2: a string holds bytes that are not UTF-8: \\xf4\\x90\\x80\\x80"},  // > U+10FFFF
      {"\"ab\xc3\"", "column 4: a string holds bytes that are not UTF-8: \\xc3"},                     // cut short
      {R"("\ud800")", "column 2: a lone high surrogate '\\ud800' (a low surrogate \\uDC00 to \\uDFFF must follow it)"},
      {R"("\ud800\u0041")", "column 2: a lone high surrogate '\\ud800' (a low surrogate \\uDC00 to \\uDFFF must follow it)"},
      {R"("\udc00")", "column 2: a lone low surrogate '\\udc00' (it must follow a high surrogate \\uD800 to \\uDBFF)"},
      {R"("\u12G4")", "column 2: \\u must be followed by four hex digits, got '\\u12G4'"},
      {R"("\x41")", "column 2: invalid escape '\\x' (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)"},
      {"\"a\tb\"", "column 3: a control character (U+0009) in a string must be written as an escape (\\n, \\t, \\u0009)"},
      {"\"abc", "column 5: the text ends inside the string that starts at line 1, column 1 (no closing '\"')"},
      {"\"abc\\", "column 6: the text ends inside the string that starts at line 1, column 1 (no closing '\"')"},
      {"'a'", "column 1: expected a value (an object, array, string, number, true, false or null), got ''a'' "
              "(JSON strings take double quotes)"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    CHECK(error_of(text) == "not valid JSON: parse error at line 1, " + expected);
  }
}

TEST_CASE("json reader: structure, white space, a byte order mark, trailing text and depth") {
  CHECK(document(" \t\r\n{ \"a\" : [ 1 , { } , [ ] , true , false , null ] } \n") ==
        json::parse(R"({"a": [1, {}, [], true, false, null]})"));
  CHECK(document("\xef\xbb\xbf[1]") == json::array({1}));  // RFC 8259 §8.1: may be ignored
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "line 1, column 1: the text is empty (or only white space); expected a JSON value"},
      {" \n ", "line 2, column 2: the text is empty (or only white space); expected a JSON value"},
      {"{} x", "line 1, column 4: expected the end of the text after the JSON value, got 'x'"},
      {"[1] [2]", "line 1, column 5: expected the end of the text after the JSON value, got '[2]'"},
      {"[1,]", "line 1, column 4: expected a value (an object, array, string, number, true, false or null), got ']' (in [1])"},
      {"{\"a\":1,}", "line 1, column 8: expected a key (a string in double quotes), got '}'"},
      {"{\"a\" 1}", "line 1, column 6: expected ':' after the key, got '1}' (in a)"},
      {"{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}' after an object member, got '\"b\":2}'"},
      {"[1 2]", "line 1, column 4: expected ',' or ']' after an array element, got '2]' (in [1])"},
      {"{\n  \"a\": [1,\n  tru]}", "line 3, column 3: expected a value (an object, array, string, number, true, false or null), "
                                   "got 'tru]}' (in a[1])"},
      {"[1", "line 1, column 3: expected ',' or ']' after an array element, got the end of the text (in [1])"},
      {"\xef\xbb\xbf\xef\xbb\xbf[]", "line 1, column 4: expected a value (an object, array, string, number, true, false or "
                                     "null), got '\\ufeff[]'"},  // the second mark, shown as an escape
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    CHECK(error_of(text) == "not valid JSON: parse error at " + expected);
  }
  // 100,000 '[' (a stack overflow for a recursive reader): refused at the
  // depth limit, as is the limit plus one; the limit itself is read.
  // The path, 1,000 steps of "[0]", is kept by its last 80 characters from a
  // step boundary: "…" and 26 steps.
  CHECK(error_of(std::string(100'000, '[')) ==
        "not valid JSON: parse error at line 1, column 1001: arrays and objects nest deeper than 1000 levels (in \u2026" +
            [] {
              std::string path;
              for (int i = 0; i < 26; ++i) path += "[0]";
              return path;
            }() +
            ")");
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json_document(nested(kMaxJsonDepth)).ok());
  CHECK_FALSE(parse_json_document(nested(kMaxJsonDepth + 1)).ok());
  CHECK_FALSE(parse_json_document(std::string(100'000, '{')).ok());
}

TEST_CASE("json reader: a NUL byte anywhere is an error naming its place") {
  for (const auto& [text, column, where] : std::vector<std::tuple<std::string, int, std::string>>{
           {std::string("[1]\0", 4), 4, ""}, {std::string("[\0]", 3), 2, " (in [0])"}, {std::string("\"a\0\"", 4), 3, ""}, {std::string("\0", 1), 1, ""}}) {
    CAPTURE(text);
    CHECK(error_of(text) == "not valid JSON: parse error at line 1, column " + std::to_string(column) +
                                ": a NUL byte (JSON text cannot hold one)" + where);
  }
}

TEST_CASE("json reader: a key given twice is refused with the keys leading to it") {
  CHECK(error_of(R"({"a": {"b": 1, "b": 2}})") == "a.b: given twice; a key may appear once in an object");
  CHECK(error_of(R"({"a": [{"b": 1}, {"c": 1, "c": 1}]})") == "a.c: given twice; a key may appear once in an object");
  CHECK(document(R"({"a": {"b": 1}, "b": {"a": 2}})")["b"]["a"] == 2);  // the same key in two objects
  // An empty key (found by fuzz_request: the message said only that the reading was stopped).
  CHECK(error_of(R"({"": 1, "": 2})") == R"("": given twice; a key may appear once in an object)");
  CHECK(error_of(R"({"": {"b": 1, "b": 2}})") == R"("".b: given twice; a key may appear once in an object)");
  const auto request = parse_json_text(R"({"target": [0.5, 0.5], "": [1], "": [2]})");
  REQUIRE_FALSE(request.ok());
  CHECK(request.error() == R"("": given twice; a key may appear once in an object)");
  // A path through an empty key.
  CHECK(error_of(R"({"": [1, x]})") == R"(not valid JSON: parse error at line 1, column 10: expected a value (an object, array, string, number, true, false or null), got 'x]}' (in ""[1]))");
}

TEST_CASE("json reader: ordered documents keep the key order and refuse a key given twice at any size") {
  const auto ordered = parse_ordered_json_document(R"({"b": 1, "a": {"z": 2, "y": 3}, "c": [4]})");
  REQUIRE(ordered.ok());
  CHECK(ordered.value().dump() == R"({"b":1,"a":{"z":2,"y":3},"c":[4]})");
  // Past 16 keys the duplicate is found through an index (ordered_map's own
  // lookup is linear): 200,000 keys, the last one repeating the first.
  std::string many = "{";
  for (int i = 0; i < 200000; ++i) many += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  const auto distinct = parse_ordered_json_document(many + "\"end\": 0}");
  REQUIRE(distinct.ok());
  CHECK(distinct.value().size() == 200001);
  CHECK(distinct.value()["k199999"] == 199999);
  CHECK(parse_ordered_json_document(many + "\"k0\": 0}").error() == "k0: given twice; a key may appear once in an object");
  CHECK(parse_ordered_json_document(R"({"x": {"a": 1, "b": 2, "a": 3}})").error() ==
        "x.a: given twice; a key may appear once in an object");
}

TEST_CASE("json reader: the same document as nlohmann's parser, and both refuse the same texts") {
  const std::vector<std::string> valid = {
      R"({"target": [0.5, 0.25, 0.25], "draft": {"logits": [1, -2.5e3, "-Infinity"]}, "drafts": 3})",
      R"([null, true, false, 0, -0, 1.5, -2e-3, 1E+2, "", "\u00e9", [], {}, [[]], {"": {"": []}}])",
      R"({"simulate": {"samples": 100000000, "seed": 18446744073709551615}, "lp": {"max_columns": 2e6}})",
      "\"\xf0\x9f\x98\x80 \\ud83d\\ude00\"", "  7  ", "[1e-320, 123456789012345678901234567890, -9223372036854775808]",
  };
  for (const std::string& text : valid) {
    CAPTURE(text);
    CHECK(document(text) == json::parse(text));
  }
  const std::vector<std::string> invalid = {
      "", "[", "]", "{", "[1,]", "{\"a\"}", "{\"a\":}", "{1:2}", "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "tru", "nul",
      "[NaN]", "[Infinity]", "\"\\ud800\"", "\"\\udc00\"", "\"\xff\"", "\"\xc0\x80\"", "\"a\nb\"", "[1] 2", "\"\\a\"",
      "[1e400]", "{\"a\":1,}", "[\"a\" \"b\"]",
  };
  for (const std::string& text : invalid) {
    CAPTURE(text);
    CHECK_FALSE(parse_json_document(text).ok());
    CHECK(json::parse(text, nullptr, false).is_discarded());
  }
}

TEST_CASE("json reader: a number array comes as doubles, other elements by kind with their contents checked") {
  ArrayRecorder recorder;
  const auto error = read_json(R"([1, -0, 2.5e-3, "-Infinity", null, [1, [2]], {"a": {"a": 1}}, true, 18446744073709551615])",
                               recorder);
  REQUIRE_FALSE(error.has_value());
  REQUIRE(recorder.numbers.size() == 4);
  CHECK(recorder.numbers[0] == 1.0);
  CHECK(bits(recorder.numbers[1]) == bits(0.0));  // -0 is the integer 0, as before
  CHECK(recorder.numbers[2] == 2.5e-3);
  CHECK(recorder.numbers[3] == 18446744073709551615.0);
  REQUIRE(recorder.others.size() == 5);
  CHECK(recorder.others[0] == std::pair{JsonKind::string, std::string("-Infinity")});
  CHECK(recorder.others[1].first == JsonKind::null);
  CHECK(recorder.others[2].first == JsonKind::array);
  CHECK(recorder.others[3].first == JsonKind::object);
  CHECK(recorder.others[4].first == JsonKind::boolean);
  // What is skipped is still read strictly.
  for (const char* text : {"[1, [01]]", "[1, {\"a\": 1e999}]", "[1, [\"\xff\"]]", "[1, {\"a\" 1}]", "[1, tru]"}) {
    CAPTURE(text);
    ArrayRecorder strict;
    CHECK(read_json(text, strict).has_value());
  }
}

TEST_CASE("json reader: a long number array comes in runs, in order, each before anything after it") {
  // 1,000 elements: the numbers k / 8 (exact), with other elements at the
  // edges of the reader's runs of 256 numbers; each event is logged in order.
  class OrderRecorder : public JsonDocumentBuilder {
   public:
    std::vector<std::string> events;
    std::size_t elements = 0;
    ArrayMode start_array() override { return open_.empty() ? ArrayMode::numbers : JsonDocumentBuilder::start_array(); }
    bool end_array() override {
      events.push_back("end at " + std::to_string(elements));
      return open_.empty() ? true : JsonDocumentBuilder::end_array();
    }
    bool number_elements(const double* values, std::size_t count) override {
      for (std::size_t i = 0; i < count; ++i) {
        CHECK(values[i] == static_cast<double>(elements) / 8);
        ++elements;
      }
      return true;
    }
    bool other_element(JsonKind, std::string_view text) override {
      events.push_back("other at " + std::to_string(elements) + ": " + std::string(text));
      ++elements;
      return true;
    }
  };
  const std::vector<std::size_t> others = {0, 255, 256, 257, 511, 512, 700, 999};
  std::string text = "[";
  for (std::size_t k = 0; k < 1000; ++k) {
    if (k > 0) text += ", ";
    const bool other = std::find(others.begin(), others.end(), k) != others.end();
    text += other ? "\"s" + std::to_string(k) + "\"" : std::to_string(static_cast<double>(k) / 8);
  }
  text += "]";
  OrderRecorder recorder;
  REQUIRE_FALSE(read_json(text, recorder).has_value());
  std::vector<std::string> expected;
  for (const std::size_t k : others) expected.push_back("other at " + std::to_string(k) + ": s" + std::to_string(k));
  expected.push_back("end at 1000");
  CHECK(recorder.events == expected);
  // The default number_elements hands each number to number_element.
  ArrayRecorder one_by_one;
  REQUIRE_FALSE(read_json(text, one_by_one).has_value());
  REQUIRE(one_by_one.numbers.size() == 1000 - others.size());
  CHECK(one_by_one.numbers.front() == 1.0 / 8);
  CHECK(one_by_one.numbers.back() == 998.0 / 8);
}

TEST_CASE("json reader: an error deep in a long number array names its element") {
  // Past several runs of numbers: the numbers before it are all counted.
  for (const std::size_t bad : {std::size_t{255}, std::size_t{256}, std::size_t{600}}) {
    std::string text = "{\"target\": [";
    for (std::size_t k = 0; k < 800; ++k) text += (k > 0 ? "," : "") + std::string(k == bad ? "0.x" : "0.25");
    text += "]}";
    const auto parsed = parse_json_text(text);
    REQUIRE_FALSE(parsed.ok());
    CAPTURE(parsed.error());
    CHECK(parsed.error().find("invalid number '0.x'") != std::string::npos);
    CHECK(parsed.error().ends_with("(in target[" + std::to_string(bad) + "])"));
    // The end of the text, and a missing comma, after as many numbers.
    const auto cut = parse_json_text(text.substr(0, text.find("0.x")));
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().ends_with("(in target[" + std::to_string(bad) + "])"));
    std::string no_comma = text;
    no_comma.replace(no_comma.find("0.x"), 4, "0.5 0.5,");
    const auto joined = parse_json_text(no_comma);
    REQUIRE_FALSE(joined.ok());
    CHECK(joined.error().find("expected ',' or ']' after an array element") != std::string::npos);
    CHECK(joined.error().ends_with("(in target[" + std::to_string(bad + 1) + "])"));
  }
}

TEST_CASE("json reader: request errors keep their wording and say which field") {
  const auto broken = parse_json_text("{\"target\": [0.5, 0.5,\n 0.x]}");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error() == "request: not valid JSON: parse error at line 2, column 4: invalid number '0.x': a digit must "
                          "follow '.' (in target[2])");
  const auto late = parse_json_text(R"({"target": [0.5, 0.5], "draft": {"logits": [1, 2, 3}})");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error() == "request: not valid JSON: parse error at line 1, column 52: expected ',' or ']' after an array "
                        "element, got '}}' (in draft.logits[3])");
  const auto twice = parse_json_text(R"({"target": {"logits": [0, 1], "logits": [1, 0]}})");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error() == "target.logits: given twice; a key may appear once in an object");
}

}  // namespace mdsd::test

namespace mdsd::test {
namespace {

// Every event of a top-level number array, in order, and whether the
// reading failed and how.
struct ArrayEvents : JsonDocumentBuilder {
  std::vector<double> numbers;
  std::vector<std::string> log;  // the other elements and the end, with the count before them
  ArrayMode start_array() override { return open_.empty() ? ArrayMode::numbers : JsonDocumentBuilder::start_array(); }
  bool end_array() override {
    if (!open_.empty()) return JsonDocumentBuilder::end_array();
    log.push_back("end at " + std::to_string(numbers.size() + others));
    return true;
  }
  bool number_elements(const double* values, std::size_t count) override {
    numbers.insert(numbers.end(), values, values + count);
    return true;
  }
  bool other_element(JsonKind kind, std::string_view text) override {
    log.push_back("other " + std::to_string(static_cast<int>(kind)) + " at " + std::to_string(numbers.size() + others) +
                  ": " + std::string(text));
    ++others;
    return true;
  }
  std::size_t others = 0;
};

// `count` numbers of about 20 characters, as shortest round trips print
// them, and the doubles strtod reads of each.
std::pair<std::vector<std::string>, std::vector<double>> long_numbers(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> texts;
  std::vector<double> values;
  char buffer[40];
  for (std::size_t k = 0; k < count; ++k) {
    const double value = std::ldexp(static_cast<double>(random() >> 11), -53 - static_cast<int>(random() % 30));
    const int kind = static_cast<int>(random() % 10);
    if (kind == 0) {
      std::snprintf(buffer, sizeof buffer, "%llu", static_cast<unsigned long long>(random() % 100000));
    } else if (kind == 1) {
      std::snprintf(buffer, sizeof buffer, "-%.17e", value);
    } else {
      std::snprintf(buffer, sizeof buffer, "%.17g", value);
    }
    texts.emplace_back(buffer);
    values.push_back(std::strtod(buffer, nullptr));
  }
  return {texts, values};
}

std::string joined(const std::vector<std::string>& elements, const char* separator) {
  std::string text = "[";
  for (std::size_t k = 0; k < elements.size(); ++k) text += (k > 0 ? separator : "") + elements[k];
  return text + "]";
}

}  // namespace

TEST_CASE("json reader: a second thread reads a long number array's second half; the events and errors of one thread") {
  constexpr std::size_t kCount = 120000;  // about 2.4 MB of text, past the 1 MiB where the second thread starts
  auto [texts, values] = long_numbers(kCount, 7);
  const auto read_both = [](const std::string& text, ArrayEvents& one, ArrayEvents& two) {
    const auto error_one = read_json(text, one);
    const auto error_two = read_json(text, two, ReadOptions{.second_thread = true});
    REQUIRE(error_one.has_value() == error_two.has_value());
    CHECK(one.numbers.size() == two.numbers.size());
    CHECK(std::equal(one.numbers.begin(), one.numbers.end(), two.numbers.begin(), two.numbers.end(),
                     [](double a, double b) { return bits(a) == bits(b); }));
    CHECK(one.log == two.log);
    return error_two.has_value() ? error_two->message : std::string();
  };
  SUBCASE("the second half is taken (two CPUs or more)") {
    if (std::thread::hardware_concurrency() < 2) return;
    // Usually at the first try; a loaded machine may start the thread late.
    const std::string text = joined(texts, ",");
    std::size_t taken = 0;
    for (int attempt = 0; attempt < 50 && taken == 0; ++attempt) {
      ArrayEvents events;
      REQUIRE_FALSE(read_json(text, events, ReadOptions{.second_thread = true, .halves_taken = &taken}).has_value());
      REQUIRE(events.numbers.size() == kCount);
      for (std::size_t k = 0; k < kCount; ++k) {
        if (bits(events.numbers[k]) != bits(values[k])) FAIL("element " << k << ": " << texts[k]);
      }
    }
    CHECK(taken == 1);
  }
  SUBCASE("numbers only, as strtod reads them, with any white space") {
    for (const char* separator : {",", ", ", " ,\n\t"}) {
      ArrayEvents one, two;
      CHECK(read_both(joined(texts, separator), one, two).empty());
      REQUIRE(two.numbers.size() == kCount);
      for (std::size_t k = 0; k < kCount; ++k) {
        if (bits(two.numbers[k]) != bits(values[k])) FAIL("element " << k << ": " << texts[k]);
      }
      CHECK(two.log == std::vector<std::string>{"end at " + std::to_string(kCount)});
    }
  }
  SUBCASE("other elements in either half, a ']' inside a string, a nested array across the middle") {
    for (const std::size_t at : {std::size_t{10}, kCount / 2 - 1, kCount / 2, kCount / 2 + 1, kCount - 1}) {
      for (const char* other : {"\"-Infinity\"", "\"a,]b\"", "null", "[1, [2, 3]]", "{\"k\": [4, 5]}"}) {
        auto elements = texts;
        elements[at] = other;
        ArrayEvents one, two;
        CAPTURE(at);
        CAPTURE(other);
        CHECK(read_both(joined(elements, ","), one, two).empty());
        CHECK(two.numbers.size() == kCount - 1);
        CHECK(two.log.size() == 2);
      }
    }
    // A string that spans the middle, so that the comma found there is inside it.
    auto elements = texts;
    elements[kCount / 2] = "\"" + std::string(600000, ',') + "\"";
    ArrayEvents one, two;
    CHECK(read_both(joined(elements, ","), one, two).empty());
    CHECK(two.numbers.size() == kCount - 1);
  }
  SUBCASE("more numbers than the second half holds room for: short ones") {
    std::vector<std::string> zeros(700000, "0");
    ArrayEvents one, two;
    CHECK(read_both(joined(zeros, ","), one, two).empty());
    CHECK(two.numbers.size() == zeros.size());
  }
  SUBCASE("errors in the second half are those of one thread, naming the element") {
    for (const char* bad : {"0.x", "01", "1e", "-", "1.5 2", "tru", "1e999"}) {
      auto elements = texts;
      elements[kCount * 3 / 4] = bad;
      ArrayEvents one, two;
      CAPTURE(bad);
      const std::string message = read_both(joined(elements, ","), one, two);
      CHECK_FALSE(message.empty());
      ArrayEvents again;
      const auto single = read_json(joined(elements, ","), again);
      REQUIRE(single.has_value());
      CHECK(message == single->message);
    }
    // The text ending inside the second half, and a missing comma.
    ArrayEvents one, two;
    const std::string cut = joined(texts, ",");
    CHECK_FALSE(read_both(cut.substr(0, cut.size() * 3 / 4), one, two).empty());
    ArrayEvents one_space, two_space;
    std::string no_comma = joined(texts, ",");
    no_comma[no_comma.find(',', no_comma.size() * 3 / 4)] = ' ';
    CHECK(read_both(no_comma, one_space, two_space).find("expected ',' or ']' after an array element") !=
          std::string::npos);
  }
  SUBCASE("two long arrays in one text: the one thread serves both, whatever became of the first") {
    auto weights = texts;  // a target and a draft: no negative numbers
    for (auto& number : weights) {
      if (number.front() == '-') number.erase(0, 1);
    }
    auto broken = weights;
    broken[kCount * 3 / 4] = "\"x\"";  // the first array's second half is then read by the first thread
    for (const bool first_broken : {false, true}) {
      CAPTURE(first_broken);
      const std::string text = "{\"draft\": " + joined(first_broken ? broken : weights, ",") +
                               ", \"drafts\": 4, \"target\": " + joined(weights, ", ") + "}";
      auto one = parse_json_text(text);
      auto two = parse_json_text(text, ReadOptions{.second_thread = true});
      REQUIRE(one.ok());
      REQUIRE(two.ok());
      CHECK(two.value() == one.value());  // the arrays' doubles, bit for bit
      const auto request_one = parse_request_consuming(std::move(one.value()));
      const auto request_two = parse_request_consuming(std::move(two.value()));
      REQUIRE(request_one.ok() == !first_broken);
      REQUIRE(request_two.ok() == !first_broken);
      if (first_broken) {
        CHECK(request_two.error() == request_one.error());
        CHECK(request_two.error().starts_with("draft[" + std::to_string(kCount * 3 / 4) + "]: expected a number"));
      }
    }
  }
  SUBCASE("the request's messages: the element named in target") {
    auto elements = texts;
    elements[kCount * 3 / 4] = "0.x";
    const std::string text = "{\"target\": " + joined(elements, ",") + "}";
    const auto one = parse_json_text(text);
    const auto two = parse_json_text(text, ReadOptions{.second_thread = true});
    REQUIRE_FALSE(two.ok());
    CHECK(two.error() == one.error());
    CHECK(two.error().ends_with("(in target[" + std::to_string(kCount * 3 / 4) + "])"));
  }
}

}  // namespace mdsd::test
