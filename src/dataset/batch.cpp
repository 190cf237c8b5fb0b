#include "dataset/batch.hpp"

#include "core/message_text.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

constexpr double kZ95 = 1.959963984540054;

MeanWithInterval mean_of(const std::vector<double>& values) {
  MeanWithInterval result;
  double sum = 0.0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    sum += value;
    ++result.positions;
  }
  if (result.positions == 0) return result;
  const double count = static_cast<double>(result.positions);
  result.mean = sum / count;
  if (result.positions < 2) return result;
  double squares = 0.0;
  for (double value : values) {
    if (!std::isnan(value)) squares += (value - result.mean) * (value - result.mean);
  }
  // Every value averaged here (an acceptance, a gap) lies in [0, 1], and so
  // does its mean: the normal interval is cut to that range.
  const double half = kZ95 * std::sqrt(squares / (count - 1.0) / count);
  result.ci95 = {std::max(0.0, result.mean - half), std::min(1.0, result.mean + half)};
  return result;
}

}  // namespace

std::vector<BatchSetting> sweep_of(const BatchSettings& settings) {
  std::vector<BatchSetting> sweep;
  for (double temperature : settings.temperatures) {
    for (int drafts : settings.drafts) sweep.push_back({drafts, temperature});
  }
  if (settings.temperatures.empty()) {
    for (int drafts : settings.drafts) sweep.push_back({drafts, std::nullopt});
  }
  return sweep;
}

Expected<PositionValues> compute_position(const BatchSettings& settings, const DistributionSpec& target,
                                          const DistributionSpec& draft, const std::string& where) {
  PositionValues values;
  for (const BatchSetting& setting : sweep_of(settings)) {
    Request request;
    DistributionSpec target_spec = target, draft_spec = draft;
    if (setting.temperature) {
      for (auto [spec, name] : {std::pair{&target_spec, "target"}, std::pair{&draft_spec, "draft"}}) {
        if (spec->kind == DistributionSpec::Kind::weights) {
          return Error{where + ": " + name + ": a temperature sweep needs logits or log-probabilities; this position gives probabilities"};
        }
        if (spec->temperature != 1.0) {
          return Error{where + ": " + name + ".temperature: the sweep sets the temperature; this position gives its own (" +
                       format_number(spec->temperature) + "): remove one of the two"};
        }
        spec->temperature = *setting.temperature;
      }
    }
    auto pair = prepare_pair(std::move(target_spec), std::move(draft_spec), 0, request.warnings);
    if (!pair.ok()) return Error{where + ": " + pair.error()};
    request.problem = {std::move(pair.value().target), std::move(pair.value().draft), setting.drafts};
    request.partial = std::move(pair.value().partial);
    request.has_draft = true;
    request.methods = settings.methods;
    request.verifiers = settings.verifiers;
    request.estimate_samples = settings.estimate_samples;
    request.estimate_seed = settings.seed;
    const Result result = calculate(request);
    values.vocab = result.vocab;
    auto& optimal = values.optimal.emplace_back();
    auto& optimal_high = values.optimal_high.emplace_back();
    auto& alpha = values.verifier_alpha.emplace_back();
    auto& alpha_high = values.verifier_high.emplace_back();
    auto& gap = values.verifier_gap.emplace_back();
    auto& exact = values.verifier_exact.emplace_back();
    if (request.partial) {
      for (const MethodInterval& entry : result.intervals) {
        optimal.push_back(entry.interval.ok() ? entry.interval.value().low : NAN);
        optimal_high.push_back(entry.interval.ok() ? entry.interval.value().high : NAN);
      }
      for (const VerifierInterval& entry : result.verifier_intervals) {
        alpha.push_back(entry.interval.ok() ? entry.interval.value().low : NAN);
        alpha_high.push_back(entry.interval.ok() ? entry.interval.value().high : NAN);
        // The bounded verifiers reach alpha*; one on decoded values has no
        // gap to an interval.
        gap.push_back(entry.interval.ok() && !entry.on_decoded_values ? 0.0 : NAN);
        exact.push_back(entry.exact);
      }
    } else {
      for (const MethodResult& entry : result.optimal) optimal.push_back(entry.rate.ok() ? entry.rate.value().alpha : NAN);
      optimal_high = optimal;
      for (const VerifierReport& report : result.verifiers) {
        const bool ok = report.acceptance.ok();
        alpha.push_back(ok ? report.acceptance.value().alpha : NAN);
        gap.push_back(ok ? report.acceptance.value().gap : NAN);
        exact.push_back(ok ? report.acceptance.value().exact : 1);
      }
      alpha_high = alpha;
    }
    for (const std::string& warning : result.warnings) values.warnings.push_back(where + ": " + warning);
  }
  return values;
}

BatchAccumulator::BatchAccumulator(BatchSettings settings)
    : settings_(std::move(settings)), sweep_(sweep_of(settings_)) {}

void BatchAccumulator::add(PositionValues values) {
  if (!values.warnings.empty()) {
    if (warned_positions_++ == 0) first_warning_ = values.warnings.front();
    values.warnings.clear();
  }
  positions_.push_back(std::move(values));
}

BatchSummary BatchAccumulator::summary() const {
  BatchSummary summary;
  summary.positions = static_cast<std::int64_t>(positions_.size());
  bool same = true;
  for (const PositionValues& position : positions_) {
    same = same && position.vocab == positions_.front().vocab;
    if (position.vocab > 0) {
      summary.vocab_min = summary.vocab_min == 0 ? position.vocab : std::min(summary.vocab_min, position.vocab);
      summary.vocab_max = std::max(summary.vocab_max, position.vocab);
    }
  }
  summary.vocab = same && !positions_.empty() ? positions_.front().vocab : 0;
  if (warned_positions_ > 0) {
    summary.warnings.push_back(std::to_string(warned_positions_) + " positions had warnings; the first: " +
                               first_warning_);
  }
  for (std::size_t s = 0; s < sweep_.size(); ++s) {
    BatchSummary::Setting setting;
    setting.setting = sweep_[s];
    auto column = [&](auto member, std::size_t index) {
      std::vector<double> values;
      for (const PositionValues& position : positions_) values.push_back((position.*member)[s][index]);
      return values;
    };
    // Bounded where some position's ends differ.
    const auto bounded = [&](auto low, auto high, std::size_t index) {
      for (const PositionValues& position : positions_) {
        const double a = (position.*low)[s][index], b = (position.*high)[s][index];
        if (a != b && !(std::isnan(a) && std::isnan(b))) return true;
      }
      return false;
    };
    for (std::size_t m = 0; m < settings_.methods.size(); ++m) {
      const auto values = column(&PositionValues::optimal, m);
      setting.optimal.push_back(mean_of(values));
      setting.optimal_high.push_back(mean_of(column(&PositionValues::optimal_high, m)));
      setting.optimal_bounded.push_back(bounded(&PositionValues::optimal, &PositionValues::optimal_high, m));
      std::vector<std::int64_t> histogram(kHistogramBins, 0);
      for (double value : values) {
        if (!std::isnan(value)) ++histogram[std::clamp(static_cast<int>(value * kHistogramBins), 0, kHistogramBins - 1)];
      }
      setting.optimal_histogram.push_back(std::move(histogram));
    }
    for (std::size_t v = 0; v < settings_.verifiers.size(); ++v) {
      setting.verifier_alpha.push_back(mean_of(column(&PositionValues::verifier_alpha, v)));
      setting.verifier_high.push_back(mean_of(column(&PositionValues::verifier_high, v)));
      setting.verifier_bounded.push_back(bounded(&PositionValues::verifier_alpha, &PositionValues::verifier_high, v));
      setting.verifier_gap.push_back(mean_of(column(&PositionValues::verifier_gap, v)));
      bool exact = true;
      for (const PositionValues& position : positions_) exact = exact && position.verifier_exact[s][v];
      setting.verifier_exact.push_back(exact);
    }
    summary.settings.push_back(std::move(setting));
  }
  return summary;
}

}  // namespace mdsd
