#include "api/json_reader.hpp"

#include "core/message_text.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#ifndef __EMSCRIPTEN__
#include <pthread.h>
#include <sched.h>

#include <thread>
#endif
#include <type_traits>
#include <vector>

namespace mdsd {
namespace {

using nlohmann::json;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

constexpr const char* kNulByte = "a NUL byte (JSON text cannot hold one)";

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

// The events of a value that is read (checked) but not kept: the contents of
// a non-number element of a number array.
// A key as a path names it: at most 80 characters of it, and an empty key
// as "" (else a key given twice at the top, "", made no path at all, and
// the message said only that the reading was stopped).
std::string key_in_path(const std::string& key) { return key.empty() ? std::string("\"\"") : excerpt(key, 80); }

class SkippingHandler final : public JsonHandler {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool integer(std::int64_t) override { return true; }
  bool unsigned_integer(std::uint64_t) override { return true; }
  bool number(double) override { return true; }
  bool string(std::string&&) override { return true; }
  bool key(std::string&&) override { return true; }
  bool start_object() override { return true; }
  bool end_object() override { return true; }
  ArrayMode start_array() override { return ArrayMode::values; }
  bool end_array() override { return true; }
};

struct Number {
  enum class Kind { signed_integer, unsigned_integer, real } kind = Kind::real;
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  double real = 0.0;

  double as_double() const {
    switch (kind) {
      case Kind::signed_integer: return static_cast<double>(signed_value);
      case Kind::unsigned_integer: return static_cast<double>(unsigned_value);
      default: return real;
    }
  }
};

// A number array of at least 1 MiB of text may be read by two threads
// (ReadOptions::second_thread): a thread costs about 0.1 ms, and half of
// 1 MiB of numbers takes about 0.5 ms to read.
constexpr std::size_t kSecondThreadBytes = std::size_t{1} << 20;
// The second half's numbers are held apart until handed over, in room for
// one per 16 bytes of the text left (a shortest round-trip probability
// takes about 20, and the array at most all of it) up to 2^21 numbers, half
// of the vocabulary limit. A half with more falls back to one thread.
[[maybe_unused]] constexpr std::size_t kSecondHalfMaxNumbers = std::size_t{1} << 21;  // (unused in WebAssembly)

// The second halves of long number arrays, read on another thread while the
// reader reads the first halves. For each array the thread finds its end
// (the next ']') and a comma near the middle of it (the split), then reads
// what follows the split. That counts only if it is numbers separated by
// commas and nothing else: then it is exactly what the reader would have
// read from the split on, and is handed over as such once the reader
// reaches the split; otherwise (a string or an array among the elements, a
// syntax error, the ']' inside a string, the reader past the split before
// it was known) the reader reads on itself, so that events and errors are
// those of one thread.
// The thread starts with the reading, on another CPU than the reader's
// (start_elsewhere), and waits for the arrays, spinning a while before it
// sleeps: a thread started for each array, where the kernel placed it,
// began up to 3 ms later on this kind of machine (queued behind the reader
// on the same CPU), and the reader had often passed the middle by then.
class SecondReader {
 public:
  explicit SecondReader(bool wanted);
  SecondReader(const SecondReader&) = delete;
  SecondReader& operator=(const SecondReader&) = delete;
  ~SecondReader();
  bool running() const { return worker_.joinable(); }
  // A number array's text after its '[', to the end of the text: its
  // second half is read from now on (the previous array's is dropped).
  void start(const char* first, const char* end);
  // Just after the split, or nullptr while unknown (or when there is none).
  const char* split() const { return split_.load(std::memory_order_acquire); }
  // Waits for the array's second half; whether its numbers count.
  bool finish();
  const std::vector<double>& numbers() const { return numbers_; }
  const char* close() const { return close_; }  // the ']', once finish() is true
  // The reader is done with the array (an early end, an error): its second
  // half stops being read.
  void drop() { drop_.store(true, std::memory_order_relaxed); }
  // Where the reader is in the array, told now and then: the split is put
  // halfway between there and the array's end.
  void reader_at(const char* at) { reader_at_.store(at, std::memory_order_relaxed); }

 private:
  enum State : int { idle, posted, done, quit };
  void serve();
  void read_second_half();
  void wait_until_done();

  std::atomic<int> state_{idle};
  std::chrono::steady_clock::time_point started_;  // of the current array, by the reader
  std::atomic<const char*> split_{nullptr};
  std::atomic<bool> drop_{false};
  std::atomic<const char*> reader_at_{nullptr};
  // The array's text: set by the reader before posting, read by the thread.
  const char* first_ = nullptr;
  const char* end_ = nullptr;
  // Results: written by the thread before `done`, read by the reader after.
  const char* close_ = nullptr;
  std::vector<double> numbers_;
  bool read_ = false;
#ifdef __EMSCRIPTEN__
  struct NoThread {  // the WebAssembly modules are built without threads
    bool joinable() const { return false; }
    void join() {}
  } worker_;
#else
  std::thread worker_;
#endif
};

// One array's use of the second reader: drops the second half when the
// reader leaves the array without it.
class SecondHalf {
 public:
  SecondHalf(SecondReader* reader, const char* first, const char* end) : reader_(reader) {
    if (reader_) reader_->start(first, end);
  }
  SecondHalf(const SecondHalf&) = delete;
  SecondHalf& operator=(const SecondHalf&) = delete;
  ~SecondHalf() {
    if (reader_) reader_->drop();
  }
  const char* split() const { return reader_ ? reader_->split() : nullptr; }
  void reader_at(const char* at) {
    if (reader_) reader_->reader_at(at);
  }
  bool finish() { return reader_ && reader_->finish(); }
  const std::vector<double>& numbers() const { return reader_->numbers(); }
  const char* close() const { return reader_->close(); }

 private:
  SecondReader* const reader_;
};

class Reader {
 public:
  explicit Reader(std::string_view text, ReadOptions options = {})
      : begin_(text.data()), at_(text.data()), end_(text.data() + text.size()), options_(options) {}

  // The whole text as numbers separated by commas (white space allowed
  // around them), each as a number array's element, appended to `out`;
  // false at anything else, at more numbers than its capacity, or once
  // `stop` is set.
  bool numbers_only(std::vector<double>& out, const std::atomic<bool>& stop) {
    for (;;) {
      skip_space();
      if (at_ == end_ || !(*at_ == '-' || is_digit(*at_)) || out.size() == out.capacity()) return false;
      if (out.size() % 4096 == 0 && stop.load(std::memory_order_relaxed)) return false;
      Number number;
      if (!read_number(number)) return false;
      out.push_back(number.as_double());
      skip_space();
      if (at_ == end_) return true;
      if (*at_ != ',') return false;
      ++at_;
    }
  }

  std::optional<JsonTextError> run(JsonHandler& handler) {
    SecondReader second(options_.second_thread && end_ - at_ >= static_cast<std::ptrdiff_t>(kSecondThreadBytes));
    second_ = &second;
    if (end_ - at_ >= 3 && std::memcmp(at_, "\xef\xbb\xbf", 3) == 0) at_ += 3;  // RFC 8259 §8.1 allows ignoring it
    skip_space();
    if (at_ == end_) {
      fail(at_, "the text is empty (or only white space); expected a JSON value");
    } else if (value(handler, 0)) {
      skip_space();
      if (at_ == end_) return std::nullopt;
      unexpected("expected the end of the text after the JSON value");
    }
    return std::move(error_);
  }

 private:
  void skip_space() {
    while (at_ < end_ && is_space(*at_)) ++at_;
  }
  bool next_is(char c) const { return at_ < end_ && *at_ == c; }

  // Reads one value at at_ (white space skipped), the values nested in it
  // included, with a stack of the open containers instead of recursion.
  // `depth`: how many containers are open around it.
  bool value(JsonHandler& handler, std::size_t depth) {
    std::string open;  // 'a' and 'o', innermost last
    for (;;) {
      skip_space();
      if (at_ == end_) return unexpected("expected a value");
      switch (*at_) {
        case '{':
          if (depth + open.size() >= kMaxJsonDepth) return too_deep();
          ++at_;
          if (!handler.start_object()) return stopped();
          skip_space();
          if (next_is('}')) {
            ++at_;
            if (!handler.end_object()) return stopped();
            break;
          }
          open += 'o';
          if (!member_key(handler)) return false;
          continue;  // to the member's value
        case '[':
          if (depth + open.size() >= kMaxJsonDepth) return too_deep();
          ++at_;
          if (handler.start_array() == JsonHandler::ArrayMode::numbers) {
            if (!number_array(handler, depth + open.size() + 1)) return false;
            break;
          }
          skip_space();
          if (next_is(']')) {
            ++at_;
            if (!handler.end_array()) return stopped();
            break;
          }
          open += 'a';
          continue;  // to the first element
        case '"': {
          std::string text;
          if (!read_string(text)) return false;
          if (!handler.string(std::move(text))) return stopped();
          break;
        }
        case 't':
        case 'f':
        case 'n': {
          if (!literal(handler)) return false;
          break;
        }
        default: {
          if (*at_ != '-' && !is_digit(*at_)) return not_a_value();
          Number number;
          if (!read_number(number)) return false;
          const bool kept = number.kind == Number::Kind::signed_integer     ? handler.integer(number.signed_value)
                            : number.kind == Number::Kind::unsigned_integer ? handler.unsigned_integer(number.unsigned_value)
                                                                            : handler.number(number.real);
          if (!kept) return stopped();
        }
      }
      // A value is complete: what may follow it in the open containers.
      for (;;) {
        if (open.empty()) return true;
        skip_space();
        if (next_is(',')) {
          ++at_;
          if (open.back() == 'o') {
            skip_space();
            if (!member_key(handler)) return false;
          }
          break;  // to the next value
        }
        if (open.back() == 'a' && next_is(']')) {
          ++at_;
          open.pop_back();
          if (!handler.end_array()) return stopped();
        } else if (open.back() == 'o' && next_is('}')) {
          ++at_;
          open.pop_back();
          if (!handler.end_object()) return stopped();
        } else {
          return unexpected(open.back() == 'a' ? "expected ',' or ']' after an array element"
                                               : "expected ',' or '}' after an object member");
        }
      }
    }
  }

  // After '[' of an array the handler takes as numbers. The numbers go to
  // the handler in runs (number_elements), each run handed over before
  // anything else happens (another element, the end, an error), so that the
  // handler always knows how far the reading has come.
  bool number_array(JsonHandler& handler, std::size_t depth) {
    const auto left = static_cast<std::size_t>(end_ - at_);
    handler.expect_bytes(left);
    SecondHalf ahead(second_ && second_->running() && left >= kSecondThreadBytes ? second_ : nullptr, at_, end_);
    skip_space();
    if (next_is(']')) {
      ++at_;
      return handler.end_array() || stopped();
    }
    constexpr std::size_t kRun = 256;
    double run[kRun];
    std::size_t filled = 0;
    const auto hand_over = [&] {
      const bool kept = filled == 0 || handler.number_elements(run, filled);
      filled = 0;
      ahead.reader_at(at_);
      return kept;
    };
    for (;;) {
      skip_space();
      if (at_ == end_) {
        hand_over();
        return unexpected("expected a value");
      }
      const char c = *at_;
      if (c == '-' || is_digit(c)) {
        Number number;
        if (!read_number(number)) {
          hand_over();  // so that the error names the element that failed
          return false;
        }
        run[filled++] = number.as_double();
        if (filled == kRun && !hand_over()) return stopped();
      } else {
        if (!hand_over()) return stopped();
        if (c == '"') {
          std::string text;
          if (!read_string(text)) return false;
          if (!handler.other_element(JsonKind::string, text)) return stopped();
        } else {
          const JsonKind kind = c == '[' ? JsonKind::array : c == '{' ? JsonKind::object : c == 'n' ? JsonKind::null : JsonKind::boolean;
          if (c != '[' && c != '{' && c != 't' && c != 'f' && c != 'n') return not_a_value();
          if (!handler.other_element(kind, {})) return stopped();
          SkippingHandler skipping;
          if (!value(skipping, depth)) return false;
        }
      }
      skip_space();
      if (next_is(',')) {
        ++at_;
        // At the second half's first byte: its numbers are what this thread
        // would read next, up to the ']' it ended at (else read on here).
        if (at_ == ahead.split() && ahead.finish()) {
          if (!hand_over()) return stopped();
          const std::vector<double>& numbers = ahead.numbers();
          for (std::size_t i = 0; i < numbers.size(); i += kRun) {
            if (!handler.number_elements(numbers.data() + i, std::min(kRun, numbers.size() - i))) return stopped();
          }
          at_ = ahead.close() + 1;
          if (options_.halves_taken) ++*options_.halves_taken;
          return handler.end_array() || stopped();
        }
        continue;
      }
      if (!hand_over()) return stopped();
      if (next_is(']')) {
        ++at_;
        return handler.end_array() || stopped();
      }
      return unexpected("expected ',' or ']' after an array element");
    }
  }

  // A key and its ':', white space skipped before.
  bool member_key(JsonHandler& handler) {
    if (!next_is('"')) return unexpected("expected a key (a string in double quotes)");
    std::string key;
    if (!read_string(key)) return false;
    if (!handler.key(std::move(key))) return stopped();
    skip_space();
    if (!next_is(':')) return unexpected("expected ':' after the key");
    ++at_;
    return true;
  }

  bool literal(JsonHandler& handler) {
    for (const std::string_view word : {"true", "false", "null"}) {
      if (word[0] != *at_) continue;
      if (static_cast<std::size_t>(end_ - at_) < word.size() || std::memcmp(at_, word.data(), word.size()) != 0) {
        return not_a_value();
      }
      at_ += word.size();
      const bool kept = word[0] == 'n' ? handler.null() : handler.boolean(word[0] == 't');
      return kept || stopped();
    }
    return not_a_value();
  }

  // A number by RFC 8259's grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
  // Integer literals within int64 or uint64 stay integers (as nlohmann's
  // reader has them, so integer fields compare exactly); the rest is the
  // correctly rounded double (as strtod), by fast_float from the digits
  // read here (decimal_to_double) or, past 19 digits, from the text.
  bool read_number(Number& number) {
    const char* const start = at_;
    const char* p = at_;
    const bool negative = *p == '-';
    if (negative) ++p;
    if (p == end_ || !is_digit(*p)) {
      std::string what = "invalid number " + quoted(start, p) + ": a digit must follow '-'";
      if (p < end_ && *p == 'I') what += " (JSON has no infinities)";
      return fail(p, what);
    }
    const char* const digits = p;
    std::uint64_t mantissa = 0;  // of all the digits; wraps past 19 significant ones, when it is not used
    int significant = 0;         // digits from the first nonzero one
    if (*p == '0') {
      ++p;
      if (p < end_ && is_digit(*p)) return fail(p, "invalid number " + quoted(start, p) + ": JSON has no leading zeros");
    } else {
      for (; p < end_ && is_digit(*p); ++p, ++significant) mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    }
    const auto integer_digits = static_cast<std::size_t>(p - digits);
    bool integer = true;
    std::int64_t exponent = 0;  // of ten, applied to the mantissa
    if (p < end_ && *p == '.') {
      integer = false;
      ++p;
      if (p == end_ || !is_digit(*p)) return fail(p, "invalid number " + quoted(start, p) + ": a digit must follow '.'");
      const char* const fraction = p;
      if (significant == 0) {
        while (p < end_ && *p == '0') ++p;  // leading zeros: no digit of the mantissa
      }
      const char* const first = p;
      // Eight digits at a time (fast_float's SWAR), then the fewer than
      // eight left in one step when eight bytes remain, else one at a time.
      while (end_ - p >= 8 && fast_float::is_made_of_eight_digits_fast(p)) {
        mantissa = mantissa * 100000000 + fast_float::parse_eight_digits_unrolled(p);
        p += 8;
      }
      if (end_ - p >= 8) p = last_digits(p, mantissa);
      for (; p < end_ && is_digit(*p); ++p) mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
      significant += static_cast<int>(p - first);
      exponent -= p - fraction;
    }
    if (p < end_ && (*p == 'e' || *p == 'E')) {
      integer = false;
      ++p;
      const bool negative_exponent = p < end_ && *p == '-';
      if (p < end_ && (*p == '+' || *p == '-')) ++p;
      if (p == end_ || !is_digit(*p)) return fail(p, "invalid number " + quoted(start, p) + ": the exponent needs a digit");
      std::int64_t written = 0;  // saturates: past 10^9 every value is 0 or infinite
      for (; p < end_ && is_digit(*p); ++p) {
        if (written < 1'000'000'000) written = written * 10 + (*p - '0');
      }
      exponent += negative_exponent ? -written : written;
    }
    at_ = p;
    if (integer) {
      constexpr auto kLargest = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
      if (integer_digits == 20 && !negative) {
        mantissa = 0;
        bool over = false;
        for (const char* d = digits; d < p && !over; ++d) {
          over = __builtin_mul_overflow(mantissa, 10u, &mantissa) ||
                 __builtin_add_overflow(mantissa, static_cast<unsigned>(*d - '0'), &mantissa);
        }
        if (!over) {
          number.kind = Number::Kind::unsigned_integer;
          number.unsigned_value = mantissa;
          return true;
        }
      } else if (integer_digits <= 19) {  // exact: below 10^19 < 2^64
        if (!negative && mantissa <= kLargest) {
          number.kind = Number::Kind::signed_integer;
          number.signed_value = static_cast<std::int64_t>(mantissa);
          return true;
        }
        if (!negative) {
          number.kind = Number::Kind::unsigned_integer;
          number.unsigned_value = mantissa;
          return true;
        }
        if (mantissa <= kLargest + 1) {
          number.kind = Number::Kind::signed_integer;
          number.signed_value = mantissa == kLargest + 1 ? std::numeric_limits<std::int64_t>::min()
                                                        : -static_cast<std::int64_t>(mantissa);
          return true;
        }
      }
    }
    double value = 0.0;
    if (significant > 19 || !decimal_to_double(negative, mantissa, exponent, value)) {
      if (!digits_to_double(start, p, value)) return fail(start, "invalid number " + quoted(start, p - 1));
    }
    if (!std::isfinite(value)) {
      return fail(start, quoted(start, p - 1) + " is beyond the largest double (about 1.8e308)", "number overflow");
    }
    number.kind = Number::Kind::real;
    number.real = value;
    return true;
  }

  // The digits at p, fewer than eight of the eight bytes there (the rest
  // follow the number), appended to `mantissa`; returns the end of them.
  static const char* last_digits(const char* p, std::uint64_t& mantissa) {
    constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0, kThrees = 0x3030303030303030;
    const std::uint64_t word = fast_float::read_u64(p);
    // Bytes that are not digits ('0' to '9': 0x3_ and still 0x3_ plus 6),
    // exact up to the first of them (digits carry nothing into the next byte).
    const std::uint64_t other = ((word & kHigh) ^ kThrees) | (((word + 0x0606060606060606) & kHigh) ^ kThrees);
    if (other == 0) return p;  // eight digits: left to the caller
    const int count = __builtin_ctzll(other) / 8;  // bytes in memory order, the first lowest
    if (count == 0) return p;
    static constexpr std::uint32_t kPowers[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    // The digits last, '0's in front of them: eight digits of the same value.
    const std::uint64_t padded = (word << (8 * (8 - count))) | (kThrees >> (8 * count));
    mantissa = mantissa * kPowers[count] + fast_float::parse_eight_digits_unrolled(padded);
    return p + count;
  }

  // The rare numbers that need their digits themselves, out of line: inlined,
  // fast_float's big-number arithmetic gave read_number a 2 KB stack frame.
  [[gnu::noinline]] static bool digits_to_double(const char* first, const char* last, double& value) {
    const auto parsed = fast_float::from_chars(first, last, value);
    return parsed.ptr == last && parsed.ec == std::errc();
  }

  // (-1)^negative mantissa 10^exponent for a mantissa of at most 19 digits,
  // correctly rounded: what fast_float::from_chars does with the digits it
  // reads (fast_float/parse_number.h), without reading them again. False in
  // the rare case where that needs the digits themselves. Eisel-Lemire for
  // every number, without Clinger's fast path before it (exact operands, one
  // division): on shortest round-trip doubles about half the mantissas are
  // past 2^53, the choice between the two mispredicted, and the parse of a
  // 6.8 MB request took 6.4 ms with the fast path, 5.9 without.
  static bool decimal_to_double(bool negative, std::uint64_t mantissa, std::int64_t exponent, double& value) {
    using format = fast_float::binary_format<double>;
    const fast_float::adjusted_mantissa rounded = fast_float::compute_float<format>(exponent, mantissa);
    if (rounded.power2 < 0) return false;
    fast_float::to_float(negative, rounded, value);
    return true;
  }

  // A string at at_ (its opening quote), decoded into `out`.
  bool read_string(std::string& out) {
    const char* const opening = at_;
    const char* p = at_ + 1;
    for (;;) {
      const char* const run = p;
      while (p < end_) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p;
      }
      out.append(run, p);
      if (p == end_) return unterminated(opening);
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        at_ = p + 1;
        return true;
      }
      if (c == '\\') {
        if (!escape(p, out, opening)) return false;
        continue;
      }
      if (c == 0) return fail(p, kNulByte);
      if (c < 0x20) {
        char code[8];
        std::snprintf(code, sizeof code, "%04X", c);
        return fail(p, std::string("a control character (U+") + code + ") in a string must be written as an escape (\\n, \\t, \\u" + code + ")");
      }
      const std::size_t length = utf8_sequence_length(std::string_view(p, static_cast<std::size_t>(end_ - p)), 0);
      if (length == 0) {
        std::size_t bad = 1;
        while (bad < 4 && p + bad < end_ && (static_cast<unsigned char>(p[bad]) & 0xc0) == 0x80) ++bad;
        return fail(p, "a string holds bytes that are not UTF-8: " + printable(std::string_view(p, bad)));
      }
      out.append(p, length);
      p += length;
    }
  }

  static bool hex4(const char* p, std::uint32_t& code) {
    code = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = p[k];
      const int digit = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (digit < 0) return false;
      code = code * 16 + static_cast<std::uint32_t>(digit);
    }
    return true;
  }

  // The escape at p (a backslash), decoded into `out`; p moves past it.
  bool escape(const char*& p, std::string& out, const char* opening) {
    if (end_ - p < 2) return unterminated(opening);
    const char* const backslash = p;
    switch (p[1]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t code = 0;
        if (end_ - p < 6 || !hex4(p + 2, code)) {
          return fail(p, "\\u must be followed by four hex digits, got " + quoted(p, std::min(end_, p + 5)));
        }
        p += 6;
        if (code >= 0xdc00 && code <= 0xdfff) {
          return fail(backslash, "a lone low surrogate " + quoted(backslash, backslash + 5) +
                                     " (it must follow a high surrogate \\uD800 to \\uDBFF)");
        }
        if (code >= 0xd800 && code <= 0xdbff) {
          std::uint32_t low = 0;
          if (!(end_ - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, low) && low >= 0xdc00 && low <= 0xdfff)) {
            return fail(backslash, "a lone high surrogate " + quoted(backslash, backslash + 5) +
                                       " (a low surrogate \\uDC00 to \\uDFFF must follow it)");
          }
          p += 6;
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        }
        append_utf8(out, code);
        return true;
      }
      default:
        return fail(p, "invalid escape " + quoted(p, p + 1) + " (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)");
    }
    p += 2;
    return true;
  }

  // '...' around the text from `first` to `last` inclusive (or to the end),
  // at most 40 characters of it.
  std::string quoted(const char* first, const char* last) const {
    const char* stop = std::min(end_, last + 1);
    std::string text = "'";
    text += excerpt(std::string_view(first, static_cast<std::size_t>(stop - first)), 40);
    return text += "'";
  }
  // What is at at_, for "expected ..., got ...".
  std::string found() const {
    if (at_ == end_) return "the end of the text";
    std::string text = "'";
    text += excerpt(std::string_view(at_, std::min<std::size_t>(static_cast<std::size_t>(end_ - at_), 64)), 12);
    return text += "'";
  }
  bool unexpected(const std::string& expectation) {
    if (next_is('\0')) return fail(at_, kNulByte);
    return fail(at_, expectation + ", got " + found());
  }
  // What cannot start a value, with a hint for the usual mistakes.
  bool not_a_value() {
    std::string hint;
    const std::string_view rest(at_, static_cast<std::size_t>(end_ - at_));
    if (rest.starts_with("NaN") || rest.starts_with("Infinity")) hint = " (JSON has no NaN or infinities)";
    if (rest.starts_with('+')) hint = " (a JSON number has no '+' sign)";
    if (rest.size() > 1 && rest[0] == '.' && is_digit(rest[1])) hint = " (a JSON number has a digit before its '.')";
    if (rest.starts_with('\'')) hint = " (JSON strings take double quotes)";
    if (next_is('\0')) return fail(at_, kNulByte);
    return fail(at_, "expected a value (an object, array, string, number, true, false or null), got " + found() + hint);
  }
  bool too_deep() {
    return fail(at_, "arrays and objects nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  bool unterminated(const char* opening) {
    const auto [line, column] = line_and_column(opening);
    return fail(end_, "the text ends inside the string that starts at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + " (no closing '\"')");
  }
  std::pair<std::size_t, std::size_t> line_and_column(const char* p) const {
    const auto line = 1 + static_cast<std::size_t>(std::count(begin_, p, '\n'));
    const char* line_start = p;
    while (line_start > begin_ && line_start[-1] != '\n') --line_start;
    return {line, static_cast<std::size_t>(p - line_start) + 1};
  }
  bool fail(const char* p, const std::string& what, const char* kind = "parse error") {
    const auto [line, column] = line_and_column(p);
    error_ = JsonTextError{std::string(kind) + " at line " + std::to_string(line) + ", column " + std::to_string(column) +
                               ": " + what,
                           static_cast<std::size_t>(p - begin_), false};
    return false;
  }
  bool stopped() {
    error_ = JsonTextError{std::string(), static_cast<std::size_t>(at_ - begin_), true};
    return false;
  }

  const char* const begin_;
  const char* at_;
  const char* const end_;
  const ReadOptions options_;
  SecondReader* second_ = nullptr;  // during run()
  std::optional<JsonTextError> error_;
};

#ifdef __EMSCRIPTEN__
// One thread: the WebAssembly modules are built without threads.
SecondReader::SecondReader(bool) {}
SecondReader::~SecondReader() = default;
void SecondReader::start(const char*, const char*) {}
bool SecondReader::finish() { return false; }
#else
// Starts a thread just created off the CPU this one runs on, when another
// may take it: left to itself, the kernel of this kind of machine queued it
// here, behind this thread, and the two halves were read one after the
// other. Only the start: the thread gives itself back `allowed` once it
// runs (serve), so that a busy CPU does not hold it.
void start_elsewhere(std::thread& thread, const cpu_set_t& allowed) {
  const int here = sched_getcpu();
  if (here < 0 || !CPU_ISSET(here, &allowed)) return;
  cpu_set_t others = allowed;
  CPU_CLR(here, &others);
  if (CPU_COUNT(&others) > 0) (void)pthread_setaffinity_np(thread.native_handle(), sizeof others, &others);
}

SecondReader::SecondReader(bool wanted) {
  if (!wanted || std::thread::hardware_concurrency() < 2) return;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return;
  try {
    worker_ = std::thread([this, allowed] {
      (void)pthread_setaffinity_np(pthread_self(), sizeof allowed, &allowed);
      serve();
    });
  } catch (...) {  // no thread to be had (std::system_error): one thread reads it all
    return;
  }
  start_elsewhere(worker_, allowed);
}

SecondReader::~SecondReader() {
  if (!running()) return;
  drop();
  wait_until_done();
  state_.store(quit, std::memory_order_release);
  state_.notify_one();
  worker_.join();
}

void SecondReader::wait_until_done() {
  while (state_.load(std::memory_order_acquire) == posted) std::this_thread::yield();
}

void SecondReader::start(const char* first, const char* end) {
  wait_until_done();  // the previous array's half, dropped
  split_.store(nullptr, std::memory_order_relaxed);
  drop_.store(false, std::memory_order_relaxed);
  reader_at_.store(first, std::memory_order_relaxed);
  first_ = first;
  end_ = end;
  close_ = nullptr;
  read_ = false;
  numbers_.clear();
  try {
    // Reserved here, from this thread's heap: the second thread would
    // allocate from an arena of its own, in fresh pages.
    numbers_.reserve(std::min(static_cast<std::size_t>(end - first) / 16, kSecondHalfMaxNumbers));
  } catch (...) {  // no memory: one thread reads it all
    return;
  }
  started_ = std::chrono::steady_clock::now();
  state_.store(posted, std::memory_order_release);
  state_.notify_one();
}

bool SecondReader::finish() {
  // Waits at most as long as the reader took to reach the split: past that
  // (the thread's CPU busy with other work), reading the second half here
  // is sooner. The thread then stops at its next check.
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = now + (now - started_);
  while (state_.load(std::memory_order_acquire) == posted) {
    if (std::chrono::steady_clock::now() > deadline) {
      drop();
      return false;
    }
    std::this_thread::yield();
  }
  return read_;
}

void SecondReader::serve() {
  for (;;) {
    // Spinning about 2 ms, then asleep until woken.
    int state = state_.load(std::memory_order_acquire);
    for (int spins = 0; spins < 20000 && (state == idle || state == done); ++spins) {
      std::this_thread::yield();
      state = state_.load(std::memory_order_acquire);
    }
    while (state == idle || state == done) {
      state_.wait(state, std::memory_order_acquire);
      state = state_.load(std::memory_order_acquire);
    }
    if (state == quit) return;
    read_second_half();
    state_.store(done, std::memory_order_release);
  }
}

void SecondReader::read_second_half() {
  // The array's end, searched 64 KiB at a time: the reader may be done with
  // the array long before (an error at its first element), and the rest of
  // the text is not to be read for nothing (a 1 GiB sparse file).
  constexpr std::size_t kSearched = std::size_t{64} << 10;
  const char* close = nullptr;
  for (const char* at = first_; at < end_ && !close; at += kSearched) {
    if (drop_.load(std::memory_order_relaxed)) return;
    close = static_cast<const char*>(std::memchr(at, ']', std::min(kSearched, static_cast<std::size_t>(end_ - at))));
  }
  if (!close) return;
  if (static_cast<std::size_t>(close - first_) < kSecondThreadBytes) return;
  // Halfway from where the reader has got to while the end was searched for
  // (0.3 ms into a 3.4 MB array): the two halves then take as long, where
  // the array's middle left the reader waiting 0.15 ms for this thread.
  const char* const reader = std::clamp(reader_at_.load(std::memory_order_relaxed), first_, close);
  const char* middle = reader + (close - reader) / 2;
  const void* comma = std::memchr(middle, ',', static_cast<std::size_t>(close - middle));
  if (!comma) return;
  const char* const from = static_cast<const char*>(comma) + 1;
  split_.store(from, std::memory_order_release);
  // Filled in a vector of this thread's own: its end pointer, written at
  // every number, beside what the reader writes made the two threads share
  // a cache line, and this one took 8 ms for half of what the reader read
  // in 3.
  std::vector<double> numbers = std::move(numbers_);
  const bool read = Reader(std::string_view(from, static_cast<std::size_t>(close - from))).numbers_only(numbers, drop_);
  numbers_ = std::move(numbers);
  close_ = close;
  read_ = read;
}
#endif

}  // namespace

std::optional<JsonTextError> read_json(std::string_view text, JsonHandler& handler, ReadOptions options) {
  return Reader(text, options).run(handler);
}

template <class Json>
Json* BasicJsonDocumentBuilder<Json>::place(Json&& value) {
  Json* placed = nullptr;
  if (open_.empty()) {
    root = std::move(value);
    placed = &root;
  } else if (open_.back()->is_array()) {
    auto& array = open_.back()->template get_ref<typename Json::array_t&>();
    array.push_back(std::move(value));
    placed = &array.back();
  } else {
    *pending_slot_ = std::move(value);
    placed = pending_slot_;
  }
  pending_slot_ = nullptr;
  pending_key_ = nullptr;
  return placed;
}

template <class Json>
bool BasicJsonDocumentBuilder<Json>::insert(Json&& value) {
  place(std::move(value));
  return true;
}

template <class Json>
bool BasicJsonDocumentBuilder<Json>::open(Json&& empty) {
  const std::string* key = !open_.empty() && open_.back()->is_object() ? pending_key_ : nullptr;
  open_.push_back(place(std::move(empty)));
  keys_.push_back(key);
  key_index_.emplace_back();
  return true;
}

template <class Json>
bool BasicJsonDocumentBuilder<Json>::close() {
  open_.pop_back();
  keys_.pop_back();
  key_index_.pop_back();
  pending_slot_ = nullptr;
  pending_key_ = nullptr;
  return true;
}

template <class Json>
bool BasicJsonDocumentBuilder<Json>::key(std::string&& value) {
  auto& object = open_.back()->template get_ref<typename Json::object_t&>();
  bool twice = false;
  if constexpr (std::is_same_v<Json, nlohmann::ordered_json>) {
    // ordered_map finds keys by a linear search: an index past a few keys
    // keeps a hostile object of a million keys from taking hours.
    constexpr std::size_t kLinear = 16;
    auto& index = key_index_.back();
    if (object.size() < kLinear) {
      twice = std::any_of(object.begin(), object.end(), [&](const auto& item) { return item.first == value; });
    } else {
      if (index.empty()) {
        for (const auto& item : object) index.insert(item.first);
      }
      twice = !index.insert(value).second;
    }
    if (!twice) {
      // Appended to its vector directly: ordered_map's own emplace would
      // search again.
      auto& items = static_cast<std::vector<typename Json::object_t::value_type>&>(object);
      items.emplace_back(std::move(value), nullptr);
      pending_slot_ = &items.back().second;
      pending_key_ = &items.back().first;
      return true;
    }
  } else {
    const auto [slot, inserted] = object.try_emplace(std::move(value), nullptr);  // moves only when inserted
    if (inserted) {
      pending_slot_ = &slot->second;
      pending_key_ = &slot->first;
      return true;
    }
    twice = true;
  }
  // A key given twice would silently lose its first value: an error. The
  // keys that lead to it, as the page words it (web/page/dataset-files.mjs).
  for (const std::string* outer : keys_) {
    if (outer) duplicate += key_in_path(*outer) + ".";
  }
  duplicate += key_in_path(value);
  return false;
}

template <class Json>
std::string BasicJsonDocumentBuilder<Json>::path_to(bool with_pending_key) const {
  std::string path;
  const auto add_key = [&](const std::string& key) {
    if (!path.empty()) path += '.';
    path += key_in_path(key);
  };
  for (std::size_t i = 1; i < open_.size(); ++i) {
    if (open_[i - 1]->is_array()) {
      path += "[" + std::to_string(open_[i - 1]->size() - 1) + "]";
    } else if (keys_[i]) {
      add_key(*keys_[i]);
    }
  }
  if (open_.empty()) return path;
  if (open_.back()->is_array()) {
    path += "[" + std::to_string(open_.back()->size()) + "]";
  } else if (with_pending_key && pending_key_) {
    add_key(*pending_key_);
  }
  return path;
}

template <class Json>
std::string BasicJsonDocumentBuilder<Json>::path_being_read() const {
  return path_to(true);
}

template <class Json>
std::string json_error_message(const JsonTextError& error, const BasicJsonDocumentBuilder<Json>& builder) {
  if (!builder.duplicate.empty()) return builder.duplicate + ": given twice; a key may appear once in an object";
  if (error.handler_stopped) return "not valid JSON: the reading was stopped";
  std::string message = "not valid JSON: " + error.message;
  if (std::string where = builder.path_being_read(); !where.empty()) {
    // A path 1,000 levels deep is 3,000 characters: keep its end, from a
    // step boundary (never inside a UTF-8 sequence of a key).
    constexpr std::size_t kKept = 80;
    if (where.size() > kKept) {
      std::size_t cut = where.size() - kKept;
      while (cut < where.size() && where[cut] != '[' && where[cut] != '.') ++cut;
      if (cut == where.size()) {
        cut = where.size() - kKept;
        while (cut < where.size() && (static_cast<unsigned char>(where[cut]) & 0xc0) == 0x80) ++cut;
      }
      where = "\u2026" + where.substr(cut);
    }
    message += " (in " + where + ")";
  }
  return message;
}

template class BasicJsonDocumentBuilder<nlohmann::json>;
template class BasicJsonDocumentBuilder<nlohmann::ordered_json>;
template std::string json_error_message(const JsonTextError&, const BasicJsonDocumentBuilder<nlohmann::json>&);
template std::string json_error_message(const JsonTextError&, const BasicJsonDocumentBuilder<nlohmann::ordered_json>&);

namespace {
template <class Json>
Expected<Json> parse_document(std::string_view text) {
  BasicJsonDocumentBuilder<Json> builder;
  if (const auto error = read_json(text, builder)) return Error{json_error_message(*error, builder)};
  return std::move(builder.root);
}
}  // namespace

Expected<json> parse_json_document(std::string_view text) { return parse_document<json>(text); }
Expected<nlohmann::ordered_json> parse_ordered_json_document(std::string_view text) {
  return parse_document<nlohmann::ordered_json>(text);
}

}  // namespace mdsd
