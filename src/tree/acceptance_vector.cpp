#include "tree/acceptance_vector.hpp"

#include "calculation/calculate.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// alpha_b - alpha_(b-1) of exact values is >= 0 up to rounding; a difference
// this close to 0 is 0.
constexpr double kRoundingBelowZero = 1e-12;

WidthAcceptance from_rate(const Expected<OptimalRate>& rate) {
  WidthAcceptance entry;
  if (!rate.ok()) {
    entry.error = rate.error();
  } else {
    entry.alpha = entry.high = rate.value().alpha;
  }
  return entry;
}

WidthAcceptance from_interval(const Expected<AlphaInterval>& interval) {
  WidthAcceptance entry;
  if (!interval.ok()) {
    entry.error = interval.error();
  } else {
    entry.alpha = interval.value().low;
    entry.high = interval.value().high;
    entry.bounded = interval.value().low != interval.value().high;
  }
  return entry;
}

WidthAcceptance from_report(const VerifierReport& report) {
  WidthAcceptance entry;
  if (!report.acceptance.ok()) {
    entry.error = report.acceptance.error();
    return entry;
  }
  const VerifierAcceptance& acceptance = report.acceptance.value();
  entry.alpha = entry.high = acceptance.alpha;
  entry.exact = acceptance.exact;
  if (!acceptance.exact) {
    entry.ci95 = acceptance.ci95;
    entry.samples = acceptance.samples;
  }
  return entry;
}

}  // namespace

bool drafts_nest(VerifierKind kind) {
  return kind == VerifierKind::rrs_with_replacement || kind == VerifierKind::rrs_without_replacement ||
         kind == VerifierKind::exact_match;
}

SiblingVector sibling_vector(VerifierKind kind, const AcceptanceSeries& series) {
  SiblingVector sibling{kind, {}, {}, true, {}, {}};
  bool any_interval = false;
  for (const WidthAcceptance& entry : series.widths) {
    if (entry.error) break;
    if (entry.bounded) {
      sibling.error = series.name + ": only bounds are known here (lists of some tokens), and bounds on alpha_b "
                      "need not nest, so they give no sibling vector";
      sibling.p.clear();
      return sibling;
    }
    any_interval = any_interval || (entry.ci95 && entry.positions == 0);
  }
  double before = 0.0;
  std::array<double, 2> before_interval = {0.0, 0.0};
  for (std::size_t b = 0; b < series.widths.size(); ++b) {
    const WidthAcceptance& entry = series.widths[b];
    if (entry.error) {
      sibling.note = series.name + " does not apply with n = " + std::to_string(b + 1) + " drafts (" + *entry.error +
                     "), so the vector ends at sibling " + std::to_string(b);
      break;
    }
    if (entry.positions != series.widths[0].positions) {
      sibling.note = series.name + " applies at " + std::to_string(entry.positions) + " positions with n = " +
                     std::to_string(b + 1) + " but at " + std::to_string(series.widths[0].positions) +
                     " with n = 1: a difference of means over other positions is not p[b], so the vector ends at sibling " +
                     std::to_string(b);
      break;
    }
    double difference = entry.alpha - before;
    if (entry.exact && difference < 0.0 && difference > -kRoundingBelowZero) difference = 0.0;
    sibling.p.push_back(difference);
    sibling.exact = sibling.exact && entry.exact;
    // Each estimate's own interval, or the value itself where it is exact.
    const std::array<double, 2> interval =
        entry.ci95 && entry.positions == 0 ? *entry.ci95 : std::array<double, 2>{entry.alpha, entry.alpha};
    if (any_interval) sibling.ci95.push_back({interval[0] - before_interval[1], interval[1] - before_interval[0]});
    before = entry.alpha;
    before_interval = interval;
  }
  if (sibling.p.empty()) {
    sibling.error = series.name + ": does not apply with n = 1 draft" +
                    (series.widths.empty() || !series.widths[0].error ? std::string() : " (" + *series.widths[0].error + ")");
  }
  return sibling;
}

void add_sibling_vectors(AcceptanceVector& vector) {
  vector.sibling.clear();
  for (std::size_t v = 0; v < vector.verifier_kinds.size(); ++v) {
    if (drafts_nest(vector.verifier_kinds[v])) {
      vector.sibling.push_back(sibling_vector(vector.verifier_kinds[v], vector.verifiers[v]));
    }
  }
}

AcceptanceVector acceptance_vector(const Request& request, int max_width) {
  AcceptanceVector vector;
  vector.max_width = max_width;
  vector.warnings = request.warnings;
  Request width_request = request;
  width_request.lp = false;
  width_request.simulate.reset();
  std::erase(width_request.verifiers, VerifierKind::optimal_lp);
  for (DraftMethod method : width_request.methods) vector.optimal.push_back({std::string(method_name(method)), {}});
  for (VerifierKind kind : width_request.verifiers) {
    vector.verifiers.push_back({std::string(verifier_name(kind)), {}});
    vector.verifier_kinds.push_back(kind);
  }
  for (int b = 1; b <= max_width; ++b) {
    width_request.problem.drafts = b;
    const Result result = calculate(width_request);
    if (b == 1) vector.vocab = static_cast<std::int64_t>(result.vocab);
    for (std::size_t m = 0; m < vector.optimal.size(); ++m) {
      vector.optimal[m].widths.push_back(request.partial ? from_interval(result.intervals[m].interval)
                                                         : from_rate(result.optimal[m].rate));
    }
    for (std::size_t v = 0; v < vector.verifiers.size(); ++v) {
      const VerifierKind kind = vector.verifier_kinds[v];
      WidthAcceptance width;
      width.error = std::string(verifier_name(kind)) + ": not computed";
      if (request.partial) {
        for (const VerifierInterval& entry : result.verifier_intervals) {
          if (entry.kind != kind) continue;
          width = from_interval(entry.interval);
          width.exact = entry.exact;
        }
      } else {
        for (const VerifierReport& report : result.verifiers) {
          if (report.kind == kind) width = from_report(report);
        }
      }
      vector.verifiers[v].widths.push_back(width);
    }
  }
  add_sibling_vectors(vector);
  return vector;
}

namespace {

constexpr double kZ95 = 1.959963984540054;

// Mean of the finite values with the normal 95% interval across them, cut
// to [lowest, highest].
WidthAcceptance mean_of(const std::vector<double>& values, double lowest, double highest) {
  WidthAcceptance entry;
  double sum = 0.0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    sum += value;
    ++entry.positions;
  }
  if (entry.positions == 0) {
    entry.error = "applies at no position";
    return entry;
  }
  const double count = static_cast<double>(entry.positions);
  entry.alpha = entry.high = sum / count;
  double squares = 0.0;
  for (double value : values) {
    if (!std::isnan(value)) squares += (value - entry.alpha) * (value - entry.alpha);
  }
  const double half = entry.positions > 1 ? kZ95 * std::sqrt(squares / (count - 1.0) / count) : NAN;
  if (entry.positions > 1) entry.ci95 = std::array<double, 2>{std::max(lowest, entry.alpha - half), std::min(highest, entry.alpha + half)};
  return entry;
}

std::vector<double> column(const std::vector<std::vector<double>>& values, int b) {
  std::vector<double> out;
  for (const auto& row : values) out.push_back(static_cast<std::size_t>(b) < row.size() ? row[static_cast<std::size_t>(b)] : NAN);
  return out;
}

}  // namespace

AcceptanceVector acceptance_vector_of_positions(const std::vector<PositionSeries>& series, int max_width) {
  AcceptanceVector vector;
  vector.max_width = max_width;
  for (const PositionSeries& one : series) {
    AcceptanceSeries out{one.name, {}};
    bool bounded = false;
    for (int b = 0; b < max_width; ++b) {
      const std::vector<double> low = column(one.low, b), high = column(one.high, b);
      for (std::size_t k = 0; k < low.size(); ++k) bounded = bounded || low[k] != high[k];
      WidthAcceptance entry = mean_of(low, 0.0, 1.0);
      // The per-position values do not say which were Monte Carlo estimates;
      // only RRS without replacement beyond n = 2 may be one.
      entry.exact = !(one.verifier == VerifierKind::rrs_without_replacement && b >= 2);
      if (bounded && !entry.error) {
        entry.high = mean_of(high, 0.0, 1.0).alpha;
        entry.bounded = true;
        entry.ci95.reset();
      }
      out.widths.push_back(entry);
    }
    if (!one.verifier) {
      vector.optimal.push_back(std::move(out));
      continue;
    }
    vector.verifiers.push_back(out);
    vector.verifier_kinds.push_back(*one.verifier);
    if (!drafts_nest(*one.verifier)) continue;
    SiblingVector sibling = sibling_vector(*one.verifier, out);
    if (sibling.error) {
      vector.sibling.push_back(std::move(sibling));
      continue;
    }
    // Paired: the mean of alpha_b - alpha_(b-1) position by position (the
    // same number as the difference of means where the same positions count)
    // with its spread across positions.
    sibling.ci95.clear();
    for (std::size_t b = 0; b < sibling.p.size(); ++b) {
      std::vector<double> differences;
      for (const auto& row : one.low) {
        const double at = b < row.size() ? row[b] : NAN;
        const double before = b == 0 ? 0.0 : (b - 1 < row.size() ? row[b - 1] : NAN);
        differences.push_back(at - before);
      }
      const WidthAcceptance difference = mean_of(differences, -1.0, 1.0);
      sibling.p[b] = difference.alpha;
      sibling.ci95.push_back(difference.ci95 ? *difference.ci95 : std::array<double, 2>{difference.alpha, difference.alpha});
    }
    vector.sibling.push_back(std::move(sibling));
  }
  return vector;
}

}  // namespace mdsd
