#include "verify/draft_sampler.hpp"

#include "core/draft_law.hpp"

#include <algorithm>

namespace mdsd {
namespace {

// After this many rejected draws from the rest (each accepted with chance at
// least 1/2 unless the excluded tokens hold most of the rest): scan instead.
constexpr int kRejectionTries = 64;

bool contains(const std::vector<std::int32_t>& tokens, std::size_t count, std::int32_t token) {
  return std::find(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(count), token) !=
         tokens.begin() + static_cast<std::ptrdiff_t>(count);
}

}  // namespace

DraftSampler::DraftSampler(const Eigen::VectorXd& draft, int drafts, DraftScheme scheme)
    : draft_(draft), drafts_(drafts), scheme_(scheme), alias_(draft), undrafted_(draft, drafts) {
  if (scheme == DraftScheme::greedy) fixed_ = greedy_fixed_drafts(draft, drafts);
  if (scheme == DraftScheme::top_n) fixed_ = greedy_fixed_drafts(draft, drafts + 1);
  if (scheme == DraftScheme::spechub) hub_ = greedy_fixed_drafts(draft, 2)[0];
  if (undrafted_.rest_mass() > 0.0) rest_alias_.emplace(undrafted_.rest_weights());
}

std::int32_t DraftSampler::sample_excluding(Random& random, const std::vector<std::int32_t>& excluded,
                                            std::size_t count) const {
  // Chances are ratios of masses, never a uniform times a mass: the masses
  // left may be subnormal (a cold draft's tail), where u * mass takes only a
  // few values and would bias the draw.
  const UndraftedMass::Split left = undrafted_.split(excluded.data(), count);
  if (!(left.rest > 0.0) || random.uniform() < left.largest / (left.largest + left.rest)) {
    const double u = random.uniform();
    double reached = 0.0;
    std::int32_t last = -1;
    for (const std::int32_t token : undrafted_.largest()) {
      if (draft_[token] <= 0.0 || contains(excluded, count, token)) continue;
      last = token;
      reached += draft_[token] / left.largest;
      if (u < reached) return token;
    }
    if (last >= 0 || !(left.rest > 0.0)) return last;  // rounding
  }
  for (int attempt = 0; attempt < kRejectionTries; ++attempt) {
    const std::int32_t token = rest_alias_->sample(random);
    if (!contains(excluded, count, token)) return token;
  }
  // Only when excluded tokens hold most of the rest: scan it.
  const double u = random.uniform();
  double reached = 0.0;
  std::int32_t last = -1;
  for (Eigen::Index i = 0; i < draft_.size(); ++i) {
    const auto token = static_cast<std::int32_t>(i);
    if (draft_[i] <= 0.0 || undrafted_.is_largest(token) || contains(excluded, count, token)) continue;
    last = token;
    reached += draft_[i] / left.rest;
    if (u < reached) return token;
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
    case DraftScheme::top_n:
      std::copy(fixed_.begin(), fixed_.end(), drafts.begin());
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
