// How wide the certified interval on alpha* is when only the top-k
// log-probabilities are known (README §7): synthetic LLM-like pairs of
// V = 32,000 tokens (seeds 1..positions), each side cut to its k most likely
// tokens (vocab stated), at several temperatures (applied to the full pair,
// the truth, and to the lists, as the calculator does). Prints one JSON
// object a line: the mean lower end, upper end and width per method, the mean
// true alpha*, the mean unlisted mass, and the time per position. A program
// to run, not a test (the tests check that the truth lies inside).
#include "core/optimal_rate.hpp"
#include "core/partial_bounds.hpp"
#include "core/synthetic.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <numeric>

namespace {

mdsd::DistributionSpec top_list(const Eigen::VectorXd& logits, int k) {
  const Eigen::VectorXd exps = (logits.array() - logits.maxCoeff()).exp();
  const double log_sum = std::log(exps.sum()) + logits.maxCoeff();
  std::vector<std::int64_t> order(static_cast<std::size_t>(logits.size()));
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](std::int64_t a, std::int64_t b) { return logits[a] > logits[b]; });
  mdsd::DistributionSpec spec;
  spec.kind = mdsd::DistributionSpec::Kind::sparse;
  spec.sparse.log = true;
  spec.sparse.vocab = logits.size();
  for (int i = 0; i < k; ++i) {
    spec.sparse.ids.push_back(order[static_cast<std::size_t>(i)]);
    spec.sparse.values.push_back(logits[order[static_cast<std::size_t>(i)]] - log_sum);
  }
  return spec;
}

// llama.cpp's clamped rows: every token more than 16 nats below the largest
// is only known to be below that floor.
mdsd::DistributionSpec clamped_row(const Eigen::VectorXd& logits) {
  const Eigen::VectorXd exps = (logits.array() - logits.maxCoeff()).exp();
  const Eigen::VectorXd logp = logits.array() - (std::log(exps.sum()) + logits.maxCoeff());
  mdsd::DistributionSpec spec;
  spec.kind = mdsd::DistributionSpec::Kind::sparse;
  spec.sparse.log = true;
  spec.sparse.vocab = logits.size();
  spec.sparse.unlisted = mdsd::SparseListSpec::Unlisted::floor;
  spec.sparse.floor_logprob = logp.maxCoeff() - 16.0;
  for (Eigen::Index i = 0; i < logp.size(); ++i) {
    if (logp[i] > spec.sparse.floor_logprob) {
      spec.sparse.ids.push_back(i);
      spec.sparse.values.push_back(logp[i]);
    }
  }
  return spec;
}

Eigen::VectorXd softmax(const Eigen::VectorXd& logits, double temperature) {
  const Eigen::VectorXd e = ((logits.array() - logits.maxCoeff()) / temperature).exp();
  return e / e.sum();
}

}  // namespace

int main(int argc, char** argv) {
  const int positions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  const int drafts = 3;
  // Clamped full rows (llama.cpp), n = 4, temperature 1.
  {
    nlohmann::ordered_json line = {{"vocab", 32000}, {"clamped_below_nats", 16}, {"drafts", 4}};
    double listed = 0.0, seconds = 0.0;
    for (mdsd::DraftMethod method : mdsd::kAllDraftMethods) {
      double width = 0.0;
      for (int seed = 1; seed <= positions; ++seed) {
        const auto logits = mdsd::synthetic_logits(32000, static_cast<std::uint64_t>(seed));
        std::vector<std::string> warnings;
        const auto p = mdsd::to_partial(clamped_row(logits.target), "target", 0, warnings).value();
        const auto q = mdsd::to_partial(clamped_row(logits.draft), "draft", 0, warnings).value();
        if (method == mdsd::DraftMethod::with_replacement) listed += static_cast<double>(p.ids.size());
        const auto start = std::chrono::steady_clock::now();
        const auto interval = mdsd::optimal_interval(p, q, 4, method);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        width += interval.value().high - interval.value().low;
      }
      line[std::string(mdsd::method_name(method))] = {{"width", width / positions}};
    }
    line["listed_tokens"] = listed / positions;
    line["ms_per_position_all_methods"] = 1e3 * seconds / positions;
    std::cout << line.dump() << "\n";
  }
  for (double temperature : {1.0, 0.7, 0.5}) {
    for (int k : {5, 20, 100}) {
      nlohmann::ordered_json line = {{"vocab", 32000}, {"k", k}, {"temperature", temperature}, {"drafts", drafts}};
      double unlisted = 0.0, seconds = 0.0;
      for (mdsd::DraftMethod method : mdsd::kAllDraftMethods) {
        double low = 0.0, high = 0.0, truth = 0.0;
        int counted = 0;
        for (int seed = 1; seed <= positions; ++seed) {
          const auto logits = mdsd::synthetic_logits(32000, static_cast<std::uint64_t>(seed));
          auto target = top_list(logits.target, k), draft = top_list(logits.draft, k);
          target.temperature = draft.temperature = temperature;
          std::vector<std::string> warnings;
          const auto p = mdsd::to_partial(target, "target", 0, warnings).value();
          const auto q = mdsd::to_partial(draft, "draft", 0, warnings).value();
          const auto start = std::chrono::steady_clock::now();
          const auto interval = mdsd::optimal_interval(p, q, drafts, method);
          seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          if (!interval.ok()) continue;
          const auto exact = mdsd::optimal_rate(
              mdsd::Problem{softmax(logits.target, temperature), softmax(logits.draft, temperature), drafts}, method);
          low += interval.value().low;
          high += interval.value().high;
          truth += exact.value().alpha;
          if (method == mdsd::DraftMethod::with_replacement) unlisted += p.unlisted_mass_high();
          ++counted;
        }
        line[std::string(mdsd::method_name(method))] = {
            {"low", low / counted}, {"high", high / counted}, {"width", (high - low) / counted},
            {"truth", truth / counted}, {"positions", counted}};
      }
      line["target_unlisted_mass"] = unlisted / positions;
      line["ms_per_position"] = 1e3 * seconds / positions;
      std::cout << line.dump() << "\n";
    }
  }
}
