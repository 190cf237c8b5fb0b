#include "verify/draft_sampler.hpp"

#include "core/draft_law.hpp"

#include <algorithm>

namespace mdsd {
namespace {

// After this many rejected draws the excluded tokens hold most of the mass:
// scan instead.
constexpr int kRejectionTries = 64;

bool contains(const std::vector<std::int32_t>& tokens, std::size_t count, std::int32_t token) {
  return std::find(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(count), token) !=
         tokens.begin() + static_cast<std::ptrdiff_t>(count);
}

}  // namespace

DraftSampler::DraftSampler(const Eigen::VectorXd& draft, int drafts, DraftScheme scheme)
    : draft_(draft), drafts_(drafts), scheme_(scheme), alias_(draft) {
  if (scheme == DraftScheme::greedy) fixed_ = greedy_fixed_drafts(draft, drafts);
  if (scheme == DraftScheme::spechub) hub_ = greedy_fixed_drafts(draft, 2)[0];
}

std::int32_t DraftSampler::sample_excluding(Random& random, const std::vector<std::int32_t>& excluded,
                                            std::size_t count) const {
  for (int attempt = 0; attempt < kRejectionTries; ++attempt) {
    const std::int32_t token = alias_.sample(random);
    if (!contains(excluded, count, token)) return token;
  }
  double remaining = 0.0;
  for (Eigen::Index i = 0; i < draft_.size(); ++i) {
    if (!contains(excluded, count, static_cast<std::int32_t>(i))) remaining += draft_[i];
  }
  double target = random.uniform() * remaining;
  std::int32_t last = -1;
  for (Eigen::Index i = 0; i < draft_.size(); ++i) {
    const auto token = static_cast<std::int32_t>(i);
    if (draft_[i] <= 0.0 || contains(excluded, count, token)) continue;
    last = token;
    target -= draft_[i];
    if (target < 0.0) return token;
  }
  return last;
}

void DraftSampler::sample(Random& random, std::vector<std::int32_t>& drafts) const {
  drafts.resize(static_cast<std::size_t>(drafts_));
  switch (scheme_) {
    case DraftScheme::with_replacement:
      for (auto& token : drafts) token = alias_.sample(random);
      return;
    case DraftScheme::without_replacement:
      for (std::size_t k = 0; k < drafts.size(); ++k) drafts[k] = sample_excluding(random, drafts, k);
      return;
    case DraftScheme::greedy:
      std::copy(fixed_.begin(), fixed_.end(), drafts.begin());
      drafts.back() = sample_excluding(random, fixed_, fixed_.size());
      return;
    case DraftScheme::spechub: {
      drafts[0] = alias_.sample(random);
      const std::vector<std::int32_t> hub = {hub_};
      drafts[1] = drafts[0] != hub_ ? hub_ : sample_excluding(random, hub, 1);
      return;
    }
  }
}

}  // namespace mdsd
