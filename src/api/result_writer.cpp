#include "api/result_writer.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mdsd {
namespace {

// The decimal digits of `value` at `out`; returns their end. Two digits per
// division by 100 from a table: a third faster than std::to_chars on the
// certificates' token ids (README "Whole process").
char* write_decimal(char* out, std::uint32_t value) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  const int digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5
                   : value < 1000000 ? 6 : value < 10000000 ? 7 : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
  char* const end = out + digits;
  char* at = end;
  while (value >= 100) {
    at -= 2;
    std::memcpy(at, kPairs + 2 * (value % 100), 2);
    value /= 100;
  }
  if (value >= 10) {
    std::memcpy(at - 2, kPairs + 2 * value, 2);
  } else {
    at[-1] = static_cast<char>('0' + value);
  }
  return end;
}

// Compact JSON into one string, commas placed as values follow each other.
// Every number and string is printed as nlohmann's serializer prints it, so
// the text is that of dump(-1) on the same document (result_writer_test).
class JsonWriter {
 public:
  // The whole text in memory (take()), or with a sink the text handed to it
  // in pieces of about kPiece bytes, the buffer reused.
  explicit JsonWriter(std::size_t capacity, const ResultTextSink* sink = nullptr) : sink_(sink) {
    text_.reserve(sink ? kPiece + kPiece / 2 : capacity);
  }

  std::string take() { return std::move(text_); }
  // Writes on at the end of `text` (its room kept).
  void adopt(std::string&& text) { text_ = std::move(text); }
  // Hands the text written so far to the sink (without one, keeps it).
  void flush() {
    if (!sink_) return;
    if (!text_.empty()) (*sink_)(text_);
    text_.clear();
  }

  void open_object() { open('{'); }
  void close_object() { close('}'); }
  void open_array() { open('['); }
  void close_array() { close(']'); }

  // A member's key; its value comes next.
  void key(std::string_view name) {
    separate();
    quoted(name);
    text_ += ':';
    need_comma_ = false;
  }

  void null() {
    separate();
    text_ += "null";
    need_comma_ = true;
  }
  void boolean(bool value) {
    separate();
    text_ += value ? "true" : "false";
    need_comma_ = true;
  }
  template <class Integer>
  void integer(Integer value) {
    static_assert(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>);
    separate();
    char digits[24];
    text_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    need_comma_ = true;
  }
  // nlohmann's dump_float: null for NaN and infinities, else its Grisu2
  // shortest round trip ("1.0", "1e-300", "-0.0").
  void number(double value) {
    separate();
    if (!std::isfinite(value)) {
      text_ += "null";
    } else {
      char digits[64];  // the size of nlohmann's own number buffer
      text_.append(digits, nlohmann::detail::to_chars(digits, digits + sizeof digits, value));
    }
    need_comma_ = true;
  }
  void string(std::string_view value) {
    separate();
    quoted(value);
    need_comma_ = true;
  }
  // A value's text written beforehand by another JsonWriter: with a sink,
  // handed over as it is rather than copied.
  void value_text(std::string_view text) {
    separate();
    need_comma_ = true;
    if (sink_ && text.size() >= kPiece) {
      flush();
      (*sink_)(text);
    } else {
      text_ += text;
      if (sink_ && text_.size() >= kPiece) flush();
    }
  }

  template <class Integer>
  void integers(const std::vector<Integer>& values) {
    static_assert(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>);
    open_array();
    // Written in place, a run at a time: room for every element of the run
    // at its longest, cut back after.
    constexpr std::size_t kLongest = std::numeric_limits<Integer>::digits10 + 3;  // digits, sign, comma
    const std::size_t run = sink_ ? kPiece / kLongest : values.size();
    for (std::size_t first = 0; first < values.size(); first += run) {
      const std::size_t last = std::min(values.size(), first + run);
      const std::size_t start = text_.size();
      text_.resize(start + (last - first) * kLongest);
      char* at = text_.data() + start;
      char* const end = text_.data() + text_.size();
      for (std::size_t i = first; i < last; ++i) {
        if (i > 0) *at++ = ',';
        const Integer value = values[i];
        if (value >= 0 && static_cast<std::uint64_t>(value) <= std::numeric_limits<std::uint32_t>::max()) {
          at = write_decimal(at, static_cast<std::uint32_t>(value));
        } else {
          at = std::to_chars(at, end, value).ptr;
        }
      }
      text_.resize(static_cast<std::size_t>(at - text_.data()));
      if (sink_ && text_.size() >= kPiece) flush();
    }
    close_array();
  }
  void numbers(std::initializer_list<double> values) {
    open_array();
    for (double value : values) number(value);
    close_array();
  }
  void strings(const std::vector<std::string>& values) {
    open_array();
    for (const std::string& value : values) string(value);
    close_array();
  }

 private:
  void separate() {
    if (need_comma_) text_ += ',';
  }
  void open(char bracket) {
    separate();
    text_ += bracket;
    need_comma_ = false;
  }
  void close(char bracket) {
    text_ += bracket;
    need_comma_ = true;
  }
  // A string in quotes: printable ASCII without '"' or '\' as it is, anything
  // else (escapes, UTF-8, invalid bytes replaced by U+FFFD) by nlohmann's
  // serializer, as dump(..., error_handler_t::replace) writes it.
  void quoted(std::string_view value) {
    bool plain = true;
    for (const char c : value) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      text_ += '"';
      text_ += value;
      text_ += '"';
    } else {
      text_ += nlohmann::ordered_json(value).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
  }

  static constexpr std::size_t kPiece = 1 << 16;

  const ResultTextSink* sink_;
  std::string text_;
  bool need_comma_ = false;
};

// The writers below follow to_json's functions (result.cpp) one for one.

void write_rate(JsonWriter& out, const OptimalRate& rate) {
  out.open_object();
  out.key("alpha");
  out.number(rate.alpha);
  out.key("certificate");
  out.integers(rate.certificate);
  out.key("certificate_size");
  out.integer(rate.certificate.size());
  out.key("certificate_target_mass");
  out.number(rate.certificate_target_mass);
  out.key("certificate_draft_mass");
  out.number(rate.certificate_draft_mass);
  out.close_object();
}

void write_error(JsonWriter& out, const std::string& error) {
  out.open_object();
  out.key("error");
  out.string(error);
  out.close_object();
}

// Without the closing brace: the glpk entry adds alpha_difference.
void write_lp_members(JsonWriter& out, const LpSolution& solution) {
  out.open_object();
  out.key("solver");
  out.string(solution.solver);
  out.key("alpha");
  out.number(solution.alpha);
  out.key("status");
  out.string(solution.status);
  out.key("columns");
  out.integer(solution.columns);
  out.key("certificate");
  out.integers(solution.certificate);
  out.key("certificate_alpha");
  out.number(solution.certificate_alpha);
}

void write_lp_entry(JsonWriter& out, const LpResult& entry) {
  if (!entry.solution.ok()) {
    out.open_object();
    out.key("solver");
    out.string("max_flow");
    out.key("error");
    out.string(entry.solution.error());
    out.close_object();
    return;
  }
  write_lp_members(out, entry.solution.value());
  if (entry.glpk) {
    out.key("glpk");
    if (entry.glpk->ok()) {
      write_lp_members(out, entry.glpk->value());
      out.key("alpha_difference");
      out.number(entry.glpk->value().alpha - entry.solution.value().alpha);
      out.close_object();
    } else {
      out.open_object();
      out.key("solver");
      out.string("glpk");
      out.key("error");
      out.string(entry.glpk->error());
      out.close_object();
    }
  }
  out.close_object();
}

void write_acceptance(JsonWriter& out, const VerifierAcceptance& acceptance) {
  out.open_object();
  out.key("alpha");
  out.number(acceptance.alpha);
  out.key("exact");
  out.boolean(acceptance.exact);
  out.key("draft_method");
  out.string(method_name(acceptance.draft_method));
  out.key("gap");
  out.number(acceptance.gap);
  if (!acceptance.exact) {
    out.key("ci95");
    out.numbers({acceptance.ci95[0], acceptance.ci95[1]});
    out.key("samples");
    out.integer(acceptance.samples);
  }
  if (acceptance.rho) {
    out.key("rho");
    out.number(*acceptance.rho);
  }
  out.close_object();
}

void write_simulation(JsonWriter& out, const SimulationSummary& summary) {
  const auto& counts = summary.counts;
  const auto samples = static_cast<double>(counts.samples);
  out.open_object();
  out.key("samples");
  out.integer(counts.samples);
  out.key("acceptance");
  out.number(static_cast<double>(counts.accepted) / samples);
  out.key("acceptance_ci95");
  out.numbers({summary.acceptance_ci95[0], summary.acceptance_ci95[1]});
  out.key("hit_rate");
  out.number(static_cast<double>(counts.hits) / samples);
  out.key("hit_rate_ci95");
  out.numbers({summary.hit_rate_ci95[0], summary.hit_rate_ci95[1]});
  out.key("output_counts");
  out.integers(counts.output_counts);
  out.key("chi2_statistic");
  out.number(summary.fit.statistic);
  out.key("chi2_degrees_of_freedom");
  out.integer(summary.fit.degrees_of_freedom);
  out.key("chi2_p_value");
  out.number(summary.fit.p_value);
  out.close_object();
}

// bounds_json's members (the interval, then alpha once it has closed),
// without the braces.
void write_bounds_members(JsonWriter& out, const AlphaInterval& interval, bool with_interval) {
  if (with_interval) {
    out.key("interval");
    out.numbers({interval.low, interval.high});
  }
  if (interval.low == interval.high) {
    out.key("alpha");
    out.number(interval.low);
  }
}

void write_partial(JsonWriter& out, const Result& result) {
  out.open_object();
  out.key("vocab");
  if (result.vocab > 0) {
    out.integer(result.vocab);
  } else {
    out.null();
  }
  out.key("drafts");
  out.integer(result.drafts);
  out.key("warnings");
  out.strings(result.warnings);
  out.key("unlisted_mass");
  out.open_object();
  out.key("target");
  out.numbers({result.unlisted_mass->target[0], result.unlisted_mass->target[1]});
  out.key("draft");
  out.numbers({result.unlisted_mass->draft[0], result.unlisted_mass->draft[1]});
  out.close_object();
  out.key("optimal");
  out.open_object();
  for (const MethodInterval& entry : result.intervals) {
    out.key(method_name(entry.method));
    if (entry.interval.ok()) {
      out.open_object();
      write_bounds_members(out, entry.interval.value(), true);
      out.close_object();
    } else {
      write_error(out, entry.interval.error());
    }
  }
  out.close_object();
  if (!result.verifier_intervals.empty()) {
    out.key("verifiers");
    out.open_object();
    for (const VerifierInterval& entry : result.verifier_intervals) {
      out.key(verifier_name(entry.kind));
      out.open_object();
      if (entry.interval.ok()) {
        // On decoded values: a value, not a bound (to_json erases the interval).
        write_bounds_members(out, entry.interval.value(), !entry.on_decoded_values);
        out.key("draft_method");
        out.string(method_name(draft_method_of(entry.kind)));
      } else {
        out.key("error");
        out.string(entry.interval.error());
      }
      if (entry.on_decoded_values) {
        out.key("on_decoded_values");
        out.boolean(true);
        out.key("exact");
        out.boolean(entry.exact);
      }
      out.close_object();
    }
    out.close_object();
  }
  out.close_object();
}

// Enough for most results at once: the certificates' ids at up to 7 digits
// and a comma, and the rest.
std::size_t expected_size(const Result& result) {
  std::size_t size = 4096;
  for (const std::string& warning : result.warnings) size += warning.size() + 8;
  for (const MethodResult& entry : result.optimal) {
    if (entry.rate.ok()) size += 8 * entry.rate.value().certificate.size();
  }
  for (const LpResult& entry : result.lp) {
    if (entry.solution.ok()) size += 8 * entry.solution.value().certificate.size();
    if (entry.glpk && entry.glpk->ok()) size += 8 * entry.glpk->value().certificate.size();
  }
  for (const VerifierReport& report : result.verifiers) {
    if (report.simulation && report.simulation->ok()) size += 8 * report.simulation->value().counts.output_counts.size();
  }
  return size;
}

void write_method_result(JsonWriter& out, const MethodResult& entry) {
  if (entry.rate.ok()) {
    write_rate(out, entry.rate.value());
  } else {
    write_error(out, entry.rate.error());
  }
}

// `optimal_texts`: empty, or the text of each of result.optimal's entries.
void write_result(JsonWriter& out, const Result& result, std::span<const std::string> optimal_texts = {}) {
  if (result.unlisted_mass) return write_partial(out, result);
  out.open_object();
  out.key("vocab");
  out.integer(result.vocab);
  out.key("drafts");
  out.integer(result.drafts);
  out.key("warnings");
  out.strings(result.warnings);
  if (!result.optimal.empty()) {
    out.key("optimal");
    out.open_object();
    const bool written = optimal_texts.size() == result.optimal.size();
    for (std::size_t i = 0; i < result.optimal.size(); ++i) {
      out.key(method_name(result.optimal[i].method));
      if (written) {
        out.value_text(optimal_texts[i]);
      } else {
        write_method_result(out, result.optimal[i]);
      }
    }
    out.close_object();
  }
  if (!result.lp.empty()) {
    out.key("lp");
    out.open_object();
    for (const LpResult& entry : result.lp) {
      out.key(entry.label);
      write_lp_entry(out, entry);
    }
    out.close_object();
  }
  if (!result.verifiers.empty()) {
    out.key("verifiers");
    out.open_object();
    for (const VerifierReport& report : result.verifiers) {
      out.key(verifier_name(report.kind));
      if (report.acceptance.ok()) {
        write_acceptance(out, report.acceptance.value());
      } else {
        write_error(out, report.acceptance.error());
      }
    }
    out.close_object();
    if (result.verifiers.front().simulation) {
      out.key("simulation");
      out.open_object();
      for (const VerifierReport& report : result.verifiers) {
        const auto& summary = *report.simulation;
        out.key(verifier_name(report.kind));
        if (summary.ok()) {
          write_simulation(out, summary.value());
        } else {
          write_error(out, summary.error());
        }
      }
      out.close_object();
    }
  }
  out.close_object();
}

}  // namespace

std::string result_text(const Result& result) {
  JsonWriter out(expected_size(result));
  write_result(out, result);
  return out.take();
}

void write_result_text(const Result& result, const ResultTextSink& sink, std::span<const std::string> optimal_texts) {
  JsonWriter out(0, &sink);
  write_result(out, result, optimal_texts);
  out.flush();
}

std::size_t method_result_text_bound(const MethodResult& entry) {
  // As JsonWriter::integers makes room for the ids: each at its longest,
  // sign and comma included; the rest of an entry is under 512 bytes, and an
  // escaped character takes at most 6.
  constexpr std::size_t kLongestId = std::numeric_limits<std::int32_t>::digits10 + 3;
  return 512 + (entry.rate.ok() ? kLongestId * entry.rate.value().certificate.size() : 6 * entry.rate.error().size());
}

void write_method_result_text(const MethodResult& entry, std::string& text) {
  JsonWriter out(0);
  out.adopt(std::move(text));
  write_method_result(out, entry);
  text = out.take();
}

}  // namespace mdsd
