#include "core/partial_bounds.hpp"

#include "core/count_laws.hpp"
#include "core/message_text.hpp"
#include "core/optimal_rate.hpp"
#include "core/ratio_order.hpp"
#include "core/subset.hpp"
#include "core/without_replacement.hpp"

#include <algorithm>
#include <cmath>

namespace mdsd {
namespace {

// Each bound is widened by what its arithmetic may be off: sums of doubles
// (with replacement, greedy, top_n), and the quadrature of README §3, which
// the tests hold to 1e-12 against enumeration.
constexpr double kSumSlack = 1e-12;
constexpr double kIntegralSlack = 1e-10;
// Below this draft mass outside H the grid's top t would leave the double
// range; such an H gets the trivial bound on Q(H) instead (0 or 1).
constexpr double kSmallestOutside = 1e-250;

}  // namespace

// The union of the tokens listed on either side.
struct JoinedLists {
  std::vector<std::int64_t> ids;
  std::vector<double> target, draft;  // weights; 0 where that side does not list the token
  std::vector<char> in_target, in_draft;
  std::size_t size() const { return ids.size(); }
};

namespace {

using Joined = JoinedLists;

Joined join(const PartialDistribution& target, const PartialDistribution& draft) {
  Joined joined;
  joined.ids = target.ids;
  joined.ids.insert(joined.ids.end(), draft.ids.begin(), draft.ids.end());
  std::sort(joined.ids.begin(), joined.ids.end());
  joined.ids.erase(std::unique(joined.ids.begin(), joined.ids.end()), joined.ids.end());
  const std::size_t size = joined.ids.size();
  joined.target.assign(size, 0.0);
  joined.draft.assign(size, 0.0);
  joined.in_target.assign(size, 0);
  joined.in_draft.assign(size, 0);
  const auto index = [&](std::int64_t id) {
    return static_cast<std::size_t>(std::lower_bound(joined.ids.begin(), joined.ids.end(), id) - joined.ids.begin());
  };
  for (std::size_t i = 0; i < target.ids.size(); ++i) {
    const std::size_t k = index(target.ids[i]);
    joined.target[k] = target.weights[i];
    joined.in_target[k] = 1;
  }
  for (std::size_t i = 0; i < draft.ids.size(); ++i) {
    const std::size_t k = index(draft.ids[i]);
    joined.draft[k] = draft.weights[i];
    joined.in_draft[k] = 1;
  }
  return joined;
}

// cap * count without inf * 0.
double capped(double cap, double count) { return count == 0.0 ? 0.0 : cap * count; }

// Q(H_k) without replacement for k = 0..m, where H_k holds a token of rate
// `base` (if > 0), a Poisson clock of rate `cloud` (if > 0: the limit of
// many tiny tokens, so it supplies any number of drafts) and the first k of
// `joining`; outside[k] is the draft mass outside H_k. Rates and outside sum
// to 1. NaN where outside[k] is too small for the grid.
std::vector<double> all_inside_masses(int drafts, double cloud, double base, const std::vector<double>& joining,
                                      const std::vector<double>& outside) {
  const std::size_t prefixes = joining.size() + 1;
  std::vector<double> masses(prefixes, 0.0);
  std::vector<char> integral(prefixes, 0);
  double smallest = INFINITY;
  int drafted = base > 0.0 ? 1 : 0;
  for (std::size_t k = 0; k < prefixes; ++k) {
    if (k > 0 && joining[k - 1] > 0.0) ++drafted;
    const bool enough = cloud > 0.0 || drafted >= drafts;
    if (!enough) continue;  // Q = 0
    if (outside[k] <= 0.0) {
      masses[k] = 1.0;
    } else if (outside[k] < kSmallestOutside) {
      masses[k] = NAN;
    } else {
      integral[k] = 1;
      smallest = std::min(smallest, outside[k]);
    }
  }
  if (!(smallest < INFINITY)) return masses;
  const double s_low = grid_low(drafts);
  const double s_high = std::max(s_low, std::log(kLargestRate / smallest));
  CountLaws laws(drafts, default_chains(drafts), s_low, s_high);
  if (cloud > 0.0) laws.add_poisson(cloud);
  if (base > 0.0) laws.add(base);
  for (std::size_t k = 0; k < prefixes; ++k) {
    if (k > 0 && joining[k - 1] > 0.0) laws.add(joining[k - 1]);
    if (integral[k]) masses[k] = std::clamp(laws.draft_law_mass(outside[k]), 0.0, 1.0);
  }
  return masses;
}

// The lower bound for with and without replacement: alpha* of one
// completion, the listed tokens at the smallest scale, every unlisted draft
// mass on tokens the target never picks (a Poisson cloud without
// replacement) and every unlisted target mass on tokens never drafted.
double sampled_lower(const Joined& joined, const PartialDistribution& target, const PartialDistribution& draft,
                     int drafts, DraftMethod method) {
  const std::size_t size = joined.size();
  const double cloud = draft.unlisted_mass_high();
  Eigen::VectorXd p(static_cast<Eigen::Index>(size + 2)), q(static_cast<Eigen::Index>(size + 2));
  for (std::size_t i = 0; i < size; ++i) {
    p[static_cast<Eigen::Index>(i)] = target.scale_low * joined.target[i];
    q[static_cast<Eigen::Index>(i)] = draft.scale_low * joined.draft[i];
  }
  const auto a = static_cast<Eigen::Index>(size), b = a + 1;
  p[a] = 0.0, q[a] = cloud;
  p[b] = target.unlisted_mass_high(), q[b] = 0.0;
  const Problem completion{p, q, drafts};
  const auto order = order_by_ratio(p, q);
  if (method == DraftMethod::with_replacement) {
    return optimal_rate_with_replacement(completion, order).alpha - kSumSlack;
  }
  if (!(cloud > 0.0)) return optimal_rate_without_replacement(completion, order).alpha - kIntegralSlack;
  // The cloud is in every H that matters (its tokens have p = 0).
  std::vector<double> joining, outside, target_mass;
  CompensatedSum tail, reached;
  std::vector<double> tails(order.size() + 1, 0.0);
  for (std::size_t k = order.size(); k-- > 0;) {
    if (order[k] != a) tail.add(q[order[k]]);
    tails[k] = tail.value();
  }
  target_mass.push_back(0.0);
  outside.push_back(tails[0]);
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (order[k] == a) continue;
    joining.push_back(q[order[k]]);
    reached.add(p[order[k]]);
    target_mass.push_back(reached.value());
    outside.push_back(tails[k + 1]);
  }
  const auto masses = all_inside_masses(drafts, cloud, 0.0, joining, outside);
  double best = 0.0;
  for (std::size_t k = 0; k < masses.size(); ++k) {
    const double mass = std::isnan(masses[k]) ? 1.0 : masses[k];  // Q <= 1
    best = std::min(best, target_mass[k] - mass);
  }
  return 1.0 + best - kIntegralSlack;
}

// The upper bound for with and without replacement: min over a family of
// sets H of the largest 1 + p(H) - Q(H) any completion allows. H is a prefix
// of `order` (listed tokens), with the unlisted tokens outside or inside.
double sampled_upper(const Joined& joined, const PartialDistribution& target, const PartialDistribution& draft,
                     int drafts, DraftMethod method, const std::vector<std::int32_t>& order) {
  const std::size_t size = order.size();
  const double up = target.unlisted_mass_high();
  const double cap_p = target.unlisted_cap * target.scale_high;
  double only_target = 0.0;  // listed by the target, not by the draft
  for (std::size_t i = 0; i < joined.size(); ++i) only_target += joined.in_target[i] && !joined.in_draft[i];
  // With the unlisted tokens outside H, Q(H) is least when the unlisted
  // draft weight W is largest (scale_low). With them inside, the target-only
  // tokens (outside H or not: a relaxation) take up to cap each of W and the
  // rest stays inside, as one token (merging tokens inside H only lowers
  // Q(H)); in units of the scale, inside = w(H) + (W - room)+ and outside =
  // w(rest) + min(W, room), so Q(H) falls with W up to W = room and rises
  // after: it is least at W = room, clamped to the range of W.
  const double low = draft.scale_low;
  const double room = capped(draft.unlisted_cap, only_target);
  const double weight_in = std::clamp(room, draft.unlisted_weight_low, draft.unlisted_weight_high);
  const double scale_in = 1.0 / (draft.listed_weight + weight_in);  // the scale at that W
  const double kept_inside = scale_in * std::max(0.0, weight_in - room);
  const double rest_in = scale_in * std::min(weight_in, room);

  // Prefix sums, and tail sums summed from the end: a small mass outside H
  // must not be a difference of two sums near 1, which rounding swamps (a
  // near-certain draft leaves 1e-12 outside, where Q(H) depends on it).
  std::vector<double> target_prefix(size + 1, 0.0), draft_prefix(size + 1, 0.0), draft_only(size + 1, 0.0);
  std::vector<double> target_tail(size + 1, 0.0), draft_tail(size + 1, 0.0);
  {
    CompensatedSum tp, dp, tt, dt;
    for (std::size_t k = 0; k < size; ++k) {
      const auto i = static_cast<std::size_t>(order[k]);
      tp.add(joined.target[i]);
      dp.add(joined.draft[i]);
      target_prefix[k + 1] = tp.value();
      draft_prefix[k + 1] = dp.value();
      draft_only[k + 1] = draft_only[k] + (joined.in_draft[i] && !joined.in_target[i]);
    }
    for (std::size_t k = size; k-- > 0;) {
      const auto i = static_cast<std::size_t>(order[k]);
      tt.add(joined.target[i]);
      dt.add(joined.draft[i]);
      target_tail[k] = tt.value();
      draft_tail[k] = dt.value();
    }
  }
  // Q(H) for the prefixes, the unlisted tokens outside and inside.
  std::vector<double> q_out(size + 1), q_in(size + 1);
  if (method == DraftMethod::with_replacement) {
    for (std::size_t k = 0; k <= size; ++k) {
      q_out[k] = std::pow(std::min(1.0, low * draft_prefix[k]), drafts);
      q_in[k] = std::pow(std::min(1.0, scale_in * draft_prefix[k] + kept_inside), drafts);
    }
  } else {
    std::vector<double> joining_out(size), joining_in(size), outside_out(size + 1), outside_in(size + 1);
    const double rest_out = draft.unlisted_mass_high();
    for (std::size_t k = 0; k < size; ++k) {
      joining_out[k] = low * joined.draft[static_cast<std::size_t>(order[k])];
      joining_in[k] = scale_in * joined.draft[static_cast<std::size_t>(order[k])];
    }
    for (std::size_t k = 0; k <= size; ++k) {
      outside_out[k] = rest_out + low * draft_tail[k];
      outside_in[k] = rest_in + scale_in * draft_tail[k];
    }
    q_out = all_inside_masses(drafts, 0.0, 0.0, joining_out, outside_out);
    q_in = all_inside_masses(drafts, 0.0, kept_inside, joining_in, outside_in);
  }
  const double slack = method == DraftMethod::with_replacement ? kSumSlack : kIntegralSlack;
  double best = 1.0;
  for (std::size_t k = 0; k <= size; ++k) {
    const double target_outside = target.scale_low * target_tail[k];
    // Unlisted target mass can sit on H's draft-only tokens (each at most
    // cap_p) when the unlisted tokens are outside, anywhere in H otherwise.
    const double p_out = std::min(1.0 - target_outside,
                                  target.scale_high * target_prefix[k] + std::min(up, capped(cap_p, draft_only[k])));
    const double p_in = 1.0 - target_outside;
    const double mass_out = std::isnan(q_out[k]) ? 0.0 : std::max(0.0, q_out[k] - slack);  // Q >= 0
    const double mass_in = std::isnan(q_in[k]) ? 0.0 : std::max(0.0, q_in[k] - slack);
    best = std::min({best, 1.0 + p_out - mass_out, 1.0 + p_in - mass_in});
  }
  return best;
}

// Tokens by decreasing listed draft weight, ties by lower id: the `count`
// most likely draft tokens, when the lists determine them.
Expected<std::vector<std::size_t>> fixed_drafts(const Joined& joined, const PartialDistribution& draft, int count,
                                                DraftMethod method) {
  std::vector<std::size_t> listed;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined.in_draft[i] && joined.draft[i] > 0.0) listed.push_back(i);
  }
  std::sort(listed.begin(), listed.end(), [&](std::size_t a, std::size_t b) {
    return joined.draft[a] > joined.draft[b] || (joined.draft[a] == joined.draft[b] && a < b);
  });
  const std::string name(method_name(method));
  const auto wanted = static_cast<std::size_t>(count);
  if (listed.size() < wanted && draft.all_listed()) {
    return Error{name + " needs at least n = " + std::to_string(method == DraftMethod::greedy ? count + 1 : count) +
                 " draft tokens with positive probability; draft has " + std::to_string(listed.size())};
  }
  if (listed.size() < wanted || (!draft.all_listed() && count > 0 && !(joined.draft[listed[wanted - 1]] > draft.unlisted_cap))) {
    return Error{name + ": needs the " + std::to_string(count) +
                 " most likely draft tokens, which the draft list does not determine (an unlisted token may be among them)"};
  }
  // Values known to a factor e^tolerance (up to a common one) may swap
  // places when within e^(2 tolerance) of each other.
  if (draft.log_tolerance > 0.0 && count > 0) {
    double next = draft.all_listed() ? 0.0 : draft.unlisted_cap;
    if (listed.size() > wanted) next = std::max(next, joined.draft[listed[wanted]]);
    if (!(joined.draft[listed[wanted - 1]] > std::exp(2.0 * draft.log_tolerance) * next)) {
      return Error{name + ": needs the " + std::to_string(count) + " most likely draft tokens, which are closer than " +
                   "the values' tolerance of " + format_number(draft.log_tolerance) + " nats to the next one"};
    }
  }
  listed.resize(wanted);
  return listed;
}

Expected<AlphaInterval> greedy_interval(const Joined& joined, const PartialDistribution& target,
                                        const PartialDistribution& draft, int drafts) {
  auto fixed = fixed_drafts(joined, draft, drafts - 1, DraftMethod::greedy);
  if (!fixed.ok()) return Error{fixed.error()};
  std::vector<char> in_fixed(joined.size(), 0);
  for (std::size_t i : fixed.value()) in_fixed[i] = 1;
  std::size_t positive = 0;
  for (std::size_t i = 0; i < joined.size(); ++i) positive += joined.in_draft[i] && joined.draft[i] > 0.0;
  if (positive < static_cast<std::size_t>(drafts) && !(draft.unlisted_mass_low() > 0.0)) {
    return Error{"greedy needs at least n = " + std::to_string(drafts) +
                 " draft tokens with positive probability; the draft list has " + std::to_string(positive) +
                 " and its unlisted tokens may have none"};
  }
  double fixed_target = 0.0, fixed_unlisted = 0.0, rest_draft = 0.0;
  for (std::size_t i : fixed.value()) {
    fixed_target += joined.target[i];
    fixed_unlisted += !joined.in_target[i];
  }
  for (std::size_t i = 0; i < joined.size(); ++i) rest_draft += in_fixed[i] ? 0.0 : joined.draft[i];
  // 1 - q(T) = s (w(rest) + W), summed without the cancellation of 1 - s w(T):
  // largest at the smallest scale, smallest at the largest.
  const double left_low = draft.scale_low * (rest_draft + draft.unlisted_weight_high);
  const double left_high = draft.scale_high * (rest_draft + draft.unlisted_weight_low);
  const double cap_p = target.unlisted_cap * target.scale_high;
  const double cap_q = draft.unlisted_cap * draft.scale_high;
  double low = target.scale_low * fixed_target, high = target.scale_high * fixed_target;
  double draft_only = 0.0, target_only = 0.0;  // the most each kind of token can add
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (in_fixed[i]) continue;
    if (joined.in_target[i] && joined.in_draft[i]) {
      low += std::min(target.scale_low * joined.target[i], draft.scale_low * joined.draft[i] / left_low);
      high += std::min(target.scale_high * joined.target[i], draft.scale_high * joined.draft[i] / left_high);
    } else if (joined.in_draft[i]) {
      draft_only += std::min(cap_p, draft.scale_high * joined.draft[i] / left_high);
    } else {
      target_only += std::min(target.scale_high * joined.target[i], cap_q / left_high);
    }
  }
  // Unlisted target mass: first to T's tokens the target does not list, then
  // to draft-only tokens (each unit adds 1, no draft mass needed); unlisted
  // draft mass to target-only tokens; what is left of both overlaps on
  // tokens neither lists.
  double target_left = target.unlisted_mass_high(), draft_left = draft.unlisted_mass_high();
  const double to_fixed = std::min(target_left, capped(cap_p, fixed_unlisted));
  target_left -= to_fixed;
  const double to_draft_only = std::min(target_left, draft_only);
  target_left -= to_draft_only;
  const double to_target_only = std::min(draft_left / left_high, target_only);
  draft_left = std::max(0.0, draft_left - to_target_only * left_high);
  const double to_neither = std::min(target_left, draft_left / left_high);
  high += to_fixed + to_draft_only + to_target_only + to_neither;
  return AlphaInterval{std::clamp(low - kSumSlack, 0.0, 1.0), std::clamp(high + kSumSlack, 0.0, 1.0)};
}

Expected<AlphaInterval> top_n_interval(const Joined& joined, const PartialDistribution& target,
                                       const PartialDistribution& draft, int drafts) {
  auto fixed = fixed_drafts(joined, draft, drafts, DraftMethod::top_n);
  if (!fixed.ok()) return Error{fixed.error()};
  double listed = 0.0, unlisted = 0.0;
  for (std::size_t i : fixed.value()) {
    listed += joined.target[i];
    unlisted += !joined.in_target[i];
  }
  const double low = target.scale_low * listed;
  // Every drafted token listed by the target, at one known scale: p(T) is known.
  if (unlisted == 0.0 && target.scale_low == target.scale_high) return AlphaInterval{std::min(1.0, low), std::min(1.0, low)};
  const double high = std::min(1.0 - target.scale_low * (target.listed_weight - listed),
                               target.scale_high * listed +
                                   std::min(target.unlisted_mass_high(),
                                            capped(target.unlisted_cap * target.scale_high, unlisted)));
  return AlphaInterval{std::clamp(low - kSumSlack, 0.0, 1.0), std::clamp(high + kSumSlack, 0.0, 1.0)};
}

// Without replacement needs n tokens with q > 0 in every completion.
std::optional<Error> check_draft_support(const Joined& joined, const PartialDistribution& draft, int drafts) {
  double positive = 0.0;
  for (std::size_t i = 0; i < joined.size(); ++i) positive += joined.in_draft[i] && joined.draft[i] > 0.0;
  const double unlisted = draft.unlisted_mass_low();
  const double cap = draft.unlisted_cap * draft.scale_high;
  // Unlisted mass u > 0 needs at least ceil(u / cap) tokens.
  // ceil of a ratio that rounding can lift past a whole number: round down
  // first, so that the count is never more than guaranteed.
  if (unlisted > 0.0) positive += cap > 0.0 && std::isfinite(cap) ? std::max(1.0, std::ceil(unlisted / cap * (1.0 - 1e-9))) : 1.0;
  if (positive >= drafts) return std::nullopt;
  return Error{"without_replacement needs at least n = " + std::to_string(drafts) +
               " draft tokens with positive probability; the draft data guarantees " +
               std::to_string(static_cast<long long>(positive))};
}

}  // namespace

UnionProblem union_problem(const PartialDistribution& target, const PartialDistribution& draft, int drafts) {
  const Joined joined = join(target, draft);
  const auto size = static_cast<Eigen::Index>(joined.size());
  UnionProblem result{{Eigen::VectorXd(size), Eigen::VectorXd(size), drafts}, joined.ids};
  for (Eigen::Index i = 0; i < size; ++i) {
    result.problem.target[i] = target.scale_low * joined.target[static_cast<std::size_t>(i)];
    result.problem.draft[i] = draft.scale_low * joined.draft[static_cast<std::size_t>(i)];
  }
  return result;
}

PartialBounds::PartialBounds(const PartialDistribution& target, const PartialDistribution& draft)
    : target_(target), draft_(draft), joined_(std::make_unique<const JoinedLists>(join(target, draft))) {}

PartialBounds::~PartialBounds() = default;

Expected<AlphaInterval> optimal_interval(const PartialDistribution& target, const PartialDistribution& draft,
                                         int drafts, DraftMethod method) {
  return PartialBounds(target, draft).interval(drafts, method);
}

namespace {

// What values known to a factor e^delta each (up to one common factor, so a
// probability to e^(2 delta) once renormalised) can change alpha*: it is
// 1-Lipschitz in the total variation of p and of the draft-set law Q, and
// TV <= max ratio - 1. Q's ratio: e^(2 n delta) i.i.d.; e^(4 n delta) for
// successive sampling (each draw's numerator and the mass left); e^(4 delta)
// for greedy's one draw off T; top_n's drafts do not move (fixed_drafts
// refuses near-ties).
double tolerance_widening(const PartialDistribution& target, const PartialDistribution& draft, int drafts,
                          DraftMethod method) {
  const double p = std::expm1(2.0 * target.log_tolerance);
  const double delta = draft.log_tolerance;
  switch (method) {
    case DraftMethod::with_replacement: return p + std::expm1(2.0 * drafts * delta);
    case DraftMethod::without_replacement: return p + std::expm1(4.0 * drafts * delta);
    case DraftMethod::greedy: return p + std::expm1(4.0 * delta);
    case DraftMethod::top_n: return p;
  }
  return 1.0;
}

}  // namespace

Expected<AlphaInterval> PartialBounds::interval(int drafts, DraftMethod method) const {
  auto bounds = exact_values_interval(drafts, method);
  if (!bounds.ok()) return bounds;
  const double widening = tolerance_widening(target_, draft_, drafts, method);
  if (widening == 0.0) return bounds;
  return AlphaInterval{std::clamp(bounds.value().low - widening, 0.0, 1.0),
                       std::clamp(bounds.value().high + widening, 0.0, 1.0)};
}

Expected<AlphaInterval> PartialBounds::exact_values_interval(int drafts, DraftMethod method) const {
  const Joined& joined = *joined_;
  const PartialDistribution& target = target_;
  const PartialDistribution& draft = draft_;
  if (target.all_listed() && draft.all_listed()) {
    // Nothing unlisted (only a tolerance on the values): alpha* of the values.
    if (method == DraftMethod::greedy || method == DraftMethod::top_n) {
      auto fixed = fixed_drafts(joined, draft, method == DraftMethod::greedy ? drafts - 1 : drafts, method);
      if (!fixed.ok()) return Error{fixed.error()};
    }
    const UnionProblem full = union_problem(target, draft, drafts);
    auto rate = optimal_rate(full.problem, method);
    if (!rate.ok()) return Error{rate.error()};
    return AlphaInterval{rate.value().alpha, rate.value().alpha};
  }
  switch (method) {
    case DraftMethod::greedy: return greedy_interval(joined, target, draft, drafts);
    case DraftMethod::top_n: return top_n_interval(joined, target, draft, drafts);
    case DraftMethod::with_replacement:
    case DraftMethod::without_replacement: break;
  }
  if (method == DraftMethod::without_replacement) {
    if (auto error = check_draft_support(joined, draft, drafts)) return *error;
  }
  const double low = std::clamp(sampled_lower(joined, target, draft, drafts, method), 0.0, 1.0);
  // Two families of H: the ratio order of a central completion (each side's
  // unknown values at half its bound), and that of the lower bound's. Long
  // lists (llama.cpp's rows, whose unlisted tokens are each below e^-16 of
  // the largest) have orders that barely differ: the first family only.
  constexpr std::size_t kLongList = 2000;
  double high = 1.0;
  for (const double share : {0.5, 0.0}) {
    if (share == 0.0 && joined.size() > kLongList) break;
    Eigen::VectorXd p(static_cast<Eigen::Index>(joined.size())), q(static_cast<Eigen::Index>(joined.size()));
    const double guess_p = share * std::min(target.unlisted_mass_high(), target.unlisted_cap * target.scale_high);
    const double guess_q = share * std::min(draft.unlisted_mass_high(), draft.unlisted_cap * draft.scale_high);
    for (std::size_t i = 0; i < joined.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      p[k] = joined.in_target[i] ? target.scale_low * joined.target[i] : guess_p;
      q[k] = joined.in_draft[i] ? draft.scale_low * joined.draft[i] : guess_q;
    }
    high = std::min(high, sampled_upper(joined, target, draft, drafts, method, order_by_ratio(p, q)));
  }
  const double slack = method == DraftMethod::with_replacement ? kSumSlack : kIntegralSlack;
  return AlphaInterval{low, std::clamp(high + slack, low, 1.0)};
}

}  // namespace mdsd
