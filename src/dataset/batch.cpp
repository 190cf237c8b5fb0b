#include "dataset/batch.hpp"

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
        if (spec->kind != DistributionSpec::Kind::logits) {
          return Error{where + ": " + name + ": a temperature sweep needs logits; this position gives probabilities"};
        }
        spec->temperature = *setting.temperature;
      }
    }
    auto p = to_probabilities(target_spec, "target", request.warnings);
    if (!p.ok()) return Error{where + ": " + p.error()};
    auto q = to_probabilities(draft_spec, "draft", request.warnings);
    if (!q.ok()) return Error{where + ": " + q.error()};
    if (p.value().size() != q.value().size()) {
      return Error{where + ": draft has " + std::to_string(q.value().size()) + " tokens but target has " +
                   std::to_string(p.value().size())};
    }
    request.problem = {std::move(p).value(), std::move(q).value(), setting.drafts};
    request.has_draft = true;
    request.methods = settings.methods;
    request.verifiers = settings.verifiers;
    request.estimate_samples = settings.estimate_samples;
    request.estimate_seed = settings.seed;
    const Result result = calculate(request);
    auto& optimal = values.optimal.emplace_back();
    for (const MethodResult& entry : result.optimal) optimal.push_back(entry.rate.ok() ? entry.rate.value().alpha : NAN);
    auto& alpha = values.verifier_alpha.emplace_back();
    auto& gap = values.verifier_gap.emplace_back();
    auto& exact = values.verifier_exact.emplace_back();
    for (const VerifierReport& report : result.verifiers) {
      const bool ok = report.acceptance.ok();
      alpha.push_back(ok ? report.acceptance.value().alpha : NAN);
      gap.push_back(ok ? report.acceptance.value().gap : NAN);
      exact.push_back(ok ? report.acceptance.value().exact : 1);
    }
    for (const std::string& warning : result.warnings) values.warnings.push_back(where + ": " + warning);
  }
  return values;
}

BatchAccumulator::BatchAccumulator(BatchSettings settings)
    : settings_(std::move(settings)), sweep_(sweep_of(settings_)) {}

std::optional<Error> BatchAccumulator::add(PositionValues values, Eigen::Index vocab, const std::string& where) {
  if (positions_.empty()) vocab_ = vocab;
  if (vocab != vocab_) {
    return Error{where + ": has " + std::to_string(vocab) + " tokens but the first position has " +
                 std::to_string(vocab_)};
  }
  if (!values.warnings.empty()) {
    if (warned_positions_++ == 0) first_warning_ = values.warnings.front();
    values.warnings.clear();
  }
  positions_.push_back(std::move(values));
  return std::nullopt;
}

BatchSummary BatchAccumulator::summary() const {
  BatchSummary summary;
  summary.positions = static_cast<std::int64_t>(positions_.size());
  summary.vocab = vocab_;
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
    for (std::size_t m = 0; m < settings_.methods.size(); ++m) {
      const auto values = column(&PositionValues::optimal, m);
      setting.optimal.push_back(mean_of(values));
      std::vector<std::int64_t> histogram(kHistogramBins, 0);
      for (double value : values) {
        if (!std::isnan(value)) ++histogram[std::clamp(static_cast<int>(value * kHistogramBins), 0, kHistogramBins - 1)];
      }
      setting.optimal_histogram.push_back(std::move(histogram));
    }
    for (std::size_t v = 0; v < settings_.verifiers.size(); ++v) {
      setting.verifier_alpha.push_back(mean_of(column(&PositionValues::verifier_alpha, v)));
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
