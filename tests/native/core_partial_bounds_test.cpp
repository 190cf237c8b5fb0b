// core/partial_distribution + core/partial_bounds: the interval on alpha* from
// top-k lists holds the alpha* of every completion of the data. Independent
// values: alpha* of the full pair the lists were cut from, and of random
// completions, computed by the full-distribution path (itself checked against
// enumeration and the LP elsewhere).
#include "core/partial_bounds.hpp"

#include "core/optimal_rate.hpp"
#include "core/synthetic.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace mdsd::test {
namespace {

constexpr double kInside = 1e-9;

// The k most likely tokens of `full` as a top-k log-probability list.
DistributionSpec top_list(const Eigen::VectorXd& full, int k, std::int64_t vocab) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(full.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return full[a] > full[b]; });
  DistributionSpec spec;
  spec.kind = DistributionSpec::Kind::sparse;
  spec.sparse.log = true;
  spec.sparse.vocab = vocab;
  for (int i = 0; i < k && i < full.size(); ++i) {
    if (!(full[order[static_cast<std::size_t>(i)]] > 0.0)) break;
    spec.sparse.ids.push_back(order[static_cast<std::size_t>(i)]);
    spec.sparse.values.push_back(std::log(full[order[static_cast<std::size_t>(i)]]));
  }
  return spec;
}

PartialDistribution partial_of(const DistributionSpec& spec) {
  std::vector<std::string> warnings;
  auto partial = to_partial(spec, "test", 0, warnings);
  REQUIRE_MESSAGE(partial.ok(), partial.error());
  return partial.value();
}

// Another distribution with the same list: the unlisted mass spread at
// random over `tokens` unlisted ids (extending the vocabulary when the list
// does not state it), each at most the smallest listed probability.
Eigen::VectorXd completion(const PartialDistribution& partial, std::int64_t tokens, std::mt19937_64& rng) {
  std::int64_t largest_id = 0;
  for (std::int64_t id : partial.ids) largest_id = std::max(largest_id, id);
  const double scale = partial.scale_low;  // exact lists: one scale
  const double mass = partial.unlisted_mass_high();
  const double cap = partial.unlisted_cap * scale;
  const auto size = std::max<std::int64_t>(largest_id + 1, tokens);
  Eigen::VectorXd p = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(size));
  std::vector<bool> listed(static_cast<std::size_t>(size), false);
  for (std::size_t i = 0; i < partial.ids.size(); ++i) {
    p[partial.ids[i]] = scale * partial.weights[i];
    listed[static_cast<std::size_t>(partial.ids[i])] = true;
  }
  std::vector<std::int64_t> free;
  for (std::int64_t i = 0; i < size; ++i) {
    if (!listed[static_cast<std::size_t>(i)]) free.push_back(i);
  }
  if (mass <= 0.0) return p;
  REQUIRE(static_cast<double>(free.size()) * cap >= mass * (1 - 1e-12));
  // Random shares, then water-filling under the cap.
  std::exponential_distribution<double> share(1.0);
  std::vector<double> x(free.size());
  for (double& v : x) v = std::pow(share(rng), 3.0);
  double left = mass;
  std::vector<bool> full(free.size(), false);
  for (int round = 0; round < 64 && left > 1e-18 * mass; ++round) {
    double weight = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) weight += full[i] ? 0.0 : x[i];
    if (!(weight > 0.0)) break;
    const double given = left;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (full[i]) continue;
      const double add = std::min(cap - p[free[i]], given * x[i] / weight);
      p[free[i]] += add;
      left -= add;
      if (p[free[i]] >= cap * (1 - 1e-15)) full[i] = true;
    }
  }
  return p / p.sum();
}

Eigen::VectorXd padded(const Eigen::VectorXd& v, Eigen::Index size) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(size);
  out.head(v.size()) = v;
  return out;
}

}  // namespace

TEST_CASE("partial bounds: top-k lists of random pairs hold the true alpha* and random completions") {
  std::mt19937_64 rng(41);
  int checked = 0, completions = 0;
  for (int trial = 0; trial < 240; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(6, 40)(rng);
    const auto pair = synthetic_pair(vocab, 1000 + static_cast<std::uint64_t>(trial));
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    const int kp = std::uniform_int_distribution<int>(1, vocab)(rng);
    const int kq = std::uniform_int_distribution<int>(n, vocab)(rng);
    const bool known = trial % 2 == 0;
    const PartialDistribution p = partial_of(top_list(pair.target, kp, known ? vocab : 0));
    const PartialDistribution q = partial_of(top_list(pair.draft, kq, known ? vocab : 0));
    CAPTURE(trial);
    CAPTURE(vocab);
    CAPTURE(n);
    CAPTURE(kp);
    CAPTURE(kq);
    for (DraftMethod method : kAllDraftMethods) {
      CAPTURE(method_name(method));
      const auto interval = optimal_interval(p, q, n, method);
      const auto truth = optimal_rate(Problem{pair.target, pair.draft, n}, method);
      if (!interval.ok()) {
        // Only greedy and top_n may find their fixed drafts undetermined.
        CHECK((method == DraftMethod::greedy || method == DraftMethod::top_n));
        CHECK(interval.error().find("does not determine") != std::string::npos);
        continue;
      }
      REQUIRE(truth.ok());
      const auto [low, high] = interval.value();
      CHECK(low <= high);
      CHECK(truth.value().alpha >= low - kInside);
      CHECK(truth.value().alpha <= high + kInside);
      ++checked;
      for (int c = 0; c < 3; ++c) {
        // Known vocabulary: the same tokens; unknown: 2 to 4 times as many.
        const std::int64_t tokens = known ? vocab : vocab * (2 + c);
        const Eigen::VectorXd cp = completion(p, tokens, rng), cq = completion(q, tokens, rng);
        const Eigen::Index size = std::max(cp.size(), cq.size());
        const Problem other{padded(cp, size), padded(cq, size), n};
        const auto rate = optimal_rate(other, method);
        if (!rate.ok()) continue;
        CHECK(rate.value().alpha >= low - kInside);
        CHECK(rate.value().alpha <= high + kInside);
        ++completions;
      }
    }
  }
  CHECK(checked > 600);
  CHECK(completions > 1500);
}

TEST_CASE("partial bounds: the lower bound with replacement is attained by a completion") {
  // The bound's completion puts the unlisted draft mass on tokens the target
  // gives 0, and the unlisted target mass on tokens never drafted; with an
  // unknown vocabulary it can be spread over as many tokens as the caps need.
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 60; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(8, 30)(rng);
    const auto pair = synthetic_pair(vocab, 2000 + static_cast<std::uint64_t>(trial));
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    const PartialDistribution p = partial_of(top_list(pair.target, vocab / 2, 0));
    const PartialDistribution q = partial_of(top_list(pair.draft, vocab / 2, 0));
    const auto interval = optimal_interval(p, q, n, DraftMethod::with_replacement);
    REQUIRE(interval.ok());
    // Realise it: listed tokens as listed, then draft-only and target-only
    // tokens at the caps.
    std::vector<double> target, draft;
    std::vector<std::int64_t> ids = p.ids;
    ids.insert(ids.end(), q.ids.begin(), q.ids.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (std::int64_t id : ids) {
      target.push_back(0.0);
      draft.push_back(0.0);
      for (std::size_t i = 0; i < p.ids.size(); ++i) if (p.ids[i] == id) target.back() = p.scale_low * p.weights[i];
      for (std::size_t i = 0; i < q.ids.size(); ++i) if (q.ids[i] == id) draft.back() = q.scale_low * q.weights[i];
    }
    for (double left = q.unlisted_mass_high(); left > 0.0; left -= q.unlisted_cap * q.scale_low) {
      target.push_back(0.0);
      draft.push_back(std::min(left, q.unlisted_cap * q.scale_low));
    }
    for (double left = p.unlisted_mass_high(); left > 0.0; left -= p.unlisted_cap * p.scale_low) {
      target.push_back(std::min(left, p.unlisted_cap * p.scale_low));
      draft.push_back(0.0);
    }
    const Eigen::Map<Eigen::VectorXd> pt(target.data(), static_cast<Eigen::Index>(target.size()));
    const Eigen::Map<Eigen::VectorXd> qt(draft.data(), static_cast<Eigen::Index>(draft.size()));
    const auto attained = optimal_rate(Problem{pt, qt, n}, DraftMethod::with_replacement);
    REQUIRE(attained.ok());
    CAPTURE(trial);
    CHECK(std::abs(attained.value().alpha - interval.value().low) <= 1e-9);
  }
}

TEST_CASE("partial bounds: the interval narrows as k grows and closes at the full list") {
  double widths[4] = {0, 0, 0, 0};
  const int ks[4] = {5, 20, 80, 200};
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto pair = synthetic_pair(200, seed);
    for (int i = 0; i < 4; ++i) {
      const PartialDistribution p = partial_of(top_list(pair.target, ks[i], 200));
      const PartialDistribution q = partial_of(top_list(pair.draft, ks[i], 200));
      const auto interval = optimal_interval(p, q, 3, DraftMethod::without_replacement);
      REQUIRE(interval.ok());
      const auto truth = optimal_rate(Problem{pair.target, pair.draft, 3}, DraftMethod::without_replacement);
      CHECK(truth.value().alpha >= interval.value().low - kInside);
      CHECK(truth.value().alpha <= interval.value().high + kInside);
      widths[i] += interval.value().high - interval.value().low;
    }
  }
  MESSAGE("mean widths at k = 5, 20, 80, 200 of V = 200: " << widths[0] / 20 << " " << widths[1] / 20 << " "
                                                            << widths[2] / 20 << " " << widths[3] / 20);
  CHECK(widths[0] > widths[1]);
  CHECK(widths[1] > widths[2]);
  CHECK(widths[3] / 20 <= 1e-9);
}

TEST_CASE("partial bounds: temperature on a top-k list holds the tempered truth") {
  std::mt19937_64 rng(43);
  for (int trial = 0; trial < 120; ++trial) {
    const int vocab = std::uniform_int_distribution<int>(8, 40)(rng);
    const auto logits = synthetic_logits(vocab, 3000 + static_cast<std::uint64_t>(trial));
    const double temperature = trial % 3 == 0 ? 1.6 : (trial % 3 == 1 ? 0.6 : 0.25);
    const int n = std::uniform_int_distribution<int>(1, 3)(rng);
    auto softmax = [](const Eigen::VectorXd& l, double t) {
      Eigen::VectorXd e = ((l.array() - l.maxCoeff()) / t).exp();
      return Eigen::VectorXd(e / e.sum());
    };
    const Eigen::VectorXd p1 = softmax(logits.target, 1.0), q1 = softmax(logits.draft, 1.0);
    const Eigen::VectorXd pt = softmax(logits.target, temperature), qt = softmax(logits.draft, temperature);
    DistributionSpec ps = top_list(p1, vocab / 3 + 1, vocab), qs = top_list(q1, vocab / 2 + 1, vocab);
    ps.temperature = qs.temperature = temperature;
    const PartialDistribution p = partial_of(ps), q = partial_of(qs);
    CAPTURE(trial);
    CAPTURE(temperature);
    for (DraftMethod method : kAllDraftMethods) {
      const auto interval = optimal_interval(p, q, n, method);
      if (!interval.ok()) continue;
      const auto truth = optimal_rate(Problem{pt, qt, n}, method);
      REQUIRE(truth.ok());
      CAPTURE(method_name(method));
      CHECK(truth.value().alpha >= interval.value().low - kInside);
      CHECK(truth.value().alpha <= interval.value().high + kInside);
    }
  }
}

TEST_CASE("partial bounds: clamped rows (every unlisted token below a floor) hold the truth") {
  // llama.cpp's rows: tokens more than 16 nats below the largest are only
  // known to be below that floor; the listed values are relative.
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto pair = synthetic_pair(300, seed, SyntheticOptions{1.1, 0.5, 0.8, 0.5});
    CAPTURE(seed);
    const auto clamped = [&](const Eigen::VectorXd& full) {
      DistributionSpec spec;
      spec.kind = DistributionSpec::Kind::sparse;
      spec.sparse.log = true;
      spec.sparse.vocab = 300;
      spec.sparse.unlisted = SparseListSpec::Unlisted::floor;
      const double floor = std::log(full.maxCoeff()) - 8.0;
      spec.sparse.floor_logprob = floor + 3.0;  // any common shift: relative values
      for (Eigen::Index i = 0; i < full.size(); ++i) {
        if (std::log(full[i]) > floor) {
          spec.sparse.ids.push_back(i);
          spec.sparse.values.push_back(std::log(full[i]) + 3.0);
        }
      }
      return partial_of(spec);
    };
    const PartialDistribution p = clamped(pair.target), q = clamped(pair.draft);
    for (DraftMethod method : kAllDraftMethods) {
      const auto interval = optimal_interval(p, q, 2, method);
      REQUIRE_MESSAGE(interval.ok(), interval.error());
      const auto truth = optimal_rate(Problem{pair.target, pair.draft, 2}, method);
      CAPTURE(method_name(method));
      CHECK(truth.value().alpha >= interval.value().low - kInside);
      CHECK(truth.value().alpha <= interval.value().high + kInside);
    }
  }
}

TEST_CASE("partial lists: what the data cannot say is an error naming the field") {
  std::vector<std::string> warnings;
  DistributionSpec spec;
  spec.kind = DistributionSpec::Kind::sparse;
  spec.sparse.ids = {3, 5};
  spec.sparse.values = {std::log(0.5), std::log(0.3)};
  spec.sparse.log = true;
  const auto message = [&](DistributionSpec s, std::int64_t vocab = 0) {
    auto partial = to_partial(s, "draft", vocab, warnings);
    REQUIRE_FALSE(partial.ok());
    return partial.error();
  };
  auto twice = spec;
  twice.sparse.ids = {3, 3};
  CHECK(message(twice) == "draft.ids: token id 3 is listed twice");
  CHECK(message(spec, 4) == "draft.ids[1]: token id 5 is outside the vocabulary of 4 tokens");
  auto hot = spec;
  hot.temperature = 2.0;
  CHECK(message(hot).find("draft.temperature: above 1") == 0);
  auto wide = spec;
  wide.top_k = 3;
  CHECK(message(wide).find("draft.top_k: keeps the 3 most likely tokens, but only 2 listed") == 0);
  auto over = spec;
  over.sparse.log = false;
  over.sparse.values = {0.75, 0.5};
  CHECK(message(over) == "draft.probs: the listed probabilities sum to 1.25, more than 1");
  auto floor = spec;
  floor.sparse.unlisted = SparseListSpec::Unlisted::floor;
  floor.sparse.floor_logprob = -10;
  CHECK(message(floor) == "draft.unlisted: at_most_logprob needs the vocabulary size (\"vocab\")");
  // top-k within the list: known exactly, so the list closes.
  auto narrow = spec;
  narrow.top_k = 1;
  auto closed = to_partial(narrow, "draft", 0, warnings);
  REQUIRE(closed.ok());
  CHECK(closed.value().closed());
}

}  // namespace mdsd::test
