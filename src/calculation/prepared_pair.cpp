#include "calculation/prepared_pair.hpp"

#include "core/limits.hpp"

#include <algorithm>
#include <array>

namespace mdsd {
namespace {

// A list of some tokens, or values known only to a tolerance: bounds, not numbers.
bool is_sparse(const DistributionSpec& spec) {
  return spec.kind == DistributionSpec::Kind::sparse || spec.log_tolerance > 0.0;
}

Eigen::VectorXd densified(const PartialDistribution& partial, std::int64_t size) {
  Eigen::VectorXd probabilities = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(size));
  for (std::size_t i = 0; i < partial.ids.size(); ++i) {
    probabilities[static_cast<Eigen::Index>(partial.ids[i])] = partial.scale_low * partial.weights[i];
  }
  return probabilities;
}

}  // namespace

Expected<PreparedPair> prepare_pair(DistributionSpec target, DistributionSpec draft,
                                    std::int64_t vocab, std::vector<std::string>& warnings) {
  PreparedPair pair;
  if (!is_sparse(target) && !is_sparse(draft)) {
    auto p = to_probabilities(std::move(target), "target", warnings);
    if (!p.ok()) return Error{p.error()};
    auto q = to_probabilities(std::move(draft), "draft", warnings);
    if (!q.ok()) return Error{q.error()};
    if (p.value().size() != q.value().size()) {
      return Error{"draft: has " + std::to_string(q.value().size()) + " tokens but target has " +
                   std::to_string(p.value().size())};
    }
    if (vocab > 0 && p.value().size() != vocab) {
      return Error{"target: has " + std::to_string(p.value().size()) + " tokens but vocab = " + std::to_string(vocab)};
    }
    pair.target = std::move(p).value();
    pair.draft = std::move(q).value();
    return pair;
  }
  // A full side fixes the vocabulary for the listed one.
  for (const auto& [spec, name] : {std::pair{&target, "target"}, std::pair{&draft, "draft"}}) {
    if (spec->kind == DistributionSpec::Kind::sparse) continue;
    // Only the values are taken; the kind and the tolerance are read below.
    auto probabilities = to_probabilities(std::move(*spec), name, warnings);
    if (!probabilities.ok()) return Error{probabilities.error()};
    const auto size = static_cast<std::int64_t>(probabilities.value().size());
    if (vocab > 0 && size != vocab) {
      return Error{std::string(name) + ": has " + std::to_string(size) + " tokens but vocab = " + std::to_string(vocab)};
    }
    vocab = size;
    (spec == &target ? pair.target : pair.draft) = std::move(probabilities).value();
  }
  PartialProblem partial;
  partial.vocab = vocab;
  for (const auto& [spec, name] : {std::pair{&target, "target"}, std::pair{&draft, "draft"}}) {
    PartialDistribution& side = spec == &target ? partial.target : partial.draft;
    if (spec->kind == DistributionSpec::Kind::sparse) {
      auto listed = to_partial(*spec, name, vocab, warnings);
      if (!listed.ok()) return Error{listed.error()};
      side = std::move(listed).value();
      if (partial.vocab == 0 && spec->sparse.vocab > 0) partial.vocab = spec->sparse.vocab;
    } else {
      // Logits at temperature T: log p = logit / T + const, so the tolerance
      // is divided by T too.
      const double tolerance = spec->kind == DistributionSpec::Kind::logits ? spec->log_tolerance / spec->temperature : 0.0;
      side = complete_partial(spec == &target ? pair.target : pair.draft, tolerance);
    }
  }
  if (!partial.target.closed() || !partial.draft.closed()) {
    pair.partial = std::move(partial);
    return pair;
  }
  std::int64_t size = partial.vocab;
  for (const PartialDistribution* side : {&partial.target, &partial.draft}) {
    for (const std::int64_t id : side->ids) size = std::max(size, id + 1);
  }
  if (size > limits::kMaxVocabulary) {
    return Error{"vocab: " + std::to_string(size) + " tokens is more than the limit of " +
                 std::to_string(limits::kMaxVocabulary)};
  }
  pair.target = densified(partial.target, size);
  pair.draft = densified(partial.draft, size);
  return pair;
}

}  // namespace mdsd
