#include "verify/optimal_levels.hpp"

#include <algorithm>
#include <cstddef>

namespace mdsd {
namespace {

// Free pieces shorter than this (rounding slivers of a cut) are dropped: the
// levels they hold are below any probability the tests can see.
constexpr double kSliver = 0x1.0p-60;

// The free levels, in order, with the collapsed coordinate of each piece's start.
class FreeLevels {
 public:
  FreeLevels(double low, double high, int drafts) : drafts_(drafts) {
    if (high > low) pieces_.push_back({low, high - low});
    reindex();
  }

  double total() const { return collapsed_.back(); }
  const std::vector<LevelSegment>& pieces() const { return pieces_; }

  // psi integrated over the collapsed stretch [c, c + length].
  double integral(double c, double length) const {
    double sum = 0.0;
    walk(c, length, [&](double start, double take, std::size_t) { sum += power_increment(start, take, drafts_); });
    return sum;
  }

  // The c in [0, total - length] whose stretch integrates to `need` (the
  // integral increases with c): two binary searches over the breakpoints
  // (where c or c + length crosses a piece's end) leave a stretch where it is
  // smooth, then Newton steps, kept inside the bracket by bisection.
  double solve(double length, double need) const {
    double below = 0.0, above = std::max(0.0, total() - length);
    if (integral(below, length) >= need) return below;
    if (integral(above, length) <= need) return above;
    for (const double shift : {0.0, length}) {
      std::size_t low = 0, high = collapsed_.size();  // breakpoints collapsed_[i] - shift
      while (low + 1 < high) {
        const std::size_t middle = low + (high - low) / 2;
        const double point = collapsed_[middle] - shift;
        if (point <= below) low = middle;
        else if (point >= above) high = middle;
        else if (integral(point, length) < need) low = middle, below = point;
        else high = middle, above = point;
      }
    }
    double c = below + 0.5 * (above - below);
    for (int iteration = 0; iteration < 100; ++iteration) {
      const double excess = integral(c, length) - need;
      if (excess == 0.0) return c;
      (excess < 0.0 ? below : above) = c;
      const double slope = density_at(c + length) - density_at(c);
      double next = slope > 0.0 ? c - excess / slope : below + 0.5 * (above - below);
      if (!(next > below && next < above)) next = below + 0.5 * (above - below);
      if (!(next > below && next < above) || next == c) return c;  // adjacent doubles or converged
      c = next;
    }
    return c;
  }

  // Cuts the collapsed stretch [c, c + length] out and returns it; `need` refines it.
  // Each cut is removed from the free piece it was walked from (clamped into
  // it): a cut whose start rounded onto its piece's end must not be matched
  // against the next piece, which would hand the taken levels between them
  // back as free.
  std::vector<LevelSegment> take(double c, double length, double need) {
    std::vector<LevelSegment> taken;
    std::vector<std::size_t> owner;
    walk(c, length, [&](double start, double take, std::size_t index) {
      taken.push_back({start, take});
      owner.push_back(index);
    });
    if (taken.size() >= 2) refine_split(taken, owner.front(), owner.back(), need);
    std::vector<LevelSegment> left;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
      if (cut == taken.size() || owner[cut] != i) {
        left.push_back(pieces_[i]);
        continue;
      }
      double from = pieces_[i].start;
      const double to = pieces_[i].start + pieces_[i].length;
      for (; cut < taken.size() && owner[cut] == i; ++cut) {
        const double cut_start = std::clamp(taken[cut].start, from, to);
        const double cut_end = std::clamp(taken[cut].start + taken[cut].length, cut_start, to);
        if (cut_start - from > kSliver) left.push_back({from, cut_start - from});
        from = cut_end;
      }
      if (to - from > kSliver) left.push_back({from, to - from});
    }
    pieces_ = std::move(left);
    reindex();
    taken.erase(std::remove_if(taken.begin(), taken.end(), [](const LevelSegment& s) { return !(s.length > 0.0); }),
                taken.end());
    return taken;
  }

 private:
  template <typename Visit>
  void walk(double c, double length, Visit visit) const {
    if (pieces_.empty() || !(length > 0.0)) return;
    std::size_t i = static_cast<std::size_t>(
        std::upper_bound(collapsed_.begin(), collapsed_.end() - 1, c) - collapsed_.begin());
    i = i == 0 ? 0 : i - 1;
    double offset = std::clamp(c - collapsed_[i], 0.0, pieces_[i].length);
    double remaining = length;
    for (; i < pieces_.size() && remaining > 0.0; ++i, offset = 0.0) {
      const double available = pieces_[i].length - offset;
      if (i + 1 == pieces_.size() && available < remaining) {
        // c rounded past total - length (for a class lighter than an ulp of
        // the free length, c = total): the stretch ends at the top of the
        // levels. Taking only what is left made it empty or short, and
        // solve() then settled at the top for every light class.
        const double take = std::min(remaining, pieces_[i].length);
        visit(pieces_[i].start + (pieces_[i].length - take), take, i);
        return;
      }
      if (!(available > 0.0)) continue;
      const double take = std::min(available, remaining);
      visit(pieces_[i].start + offset, take, i);
      remaining -= take;
    }
  }

  // A stretch across a taken block: c itself is known only to an ulp of the
  // level (1e-16 at 0.5), and moving it moves mass between the two far ends,
  // which changes the integral by up to psi(1) ulps, far more than a light
  // class needs. So the length t left of the block is solved for directly:
  // the first segment is [A - t, A], the last [S, S + rest - t], both exact.
  void refine_split(std::vector<LevelSegment>& taken, std::size_t first_piece, std::size_t last_piece,
                    double need) const {
    LevelSegment& first = taken.front();
    LevelSegment& last = taken.back();
    const double end_of_first = pieces_[first_piece].start + pieces_[first_piece].length;
    const double start_of_last = pieces_[last_piece].start;
    double middle_integral = 0.0;
    for (std::size_t k = 1; k + 1 < taken.size(); ++k) {
      middle_integral += power_increment(taken[k].start, taken[k].length, drafts_);
    }
    const double rest = first.length + last.length;
    const double low = std::max(0.0, rest - pieces_[last_piece].length);
    const double high = std::min(rest, pieces_[first_piece].length);
    double t = first.length;
    const auto excess = [&](double x) {
      return power_increment(end_of_first - x, x, drafts_) + middle_integral +
             power_increment(start_of_last, rest - x, drafts_) - need;
    };
    for (int iteration = 0; iteration < 8; ++iteration) {
      const double e = excess(t);
      if (e == 0.0) break;
      // d/dt: psi(A - t) - psi(S + rest - t) < 0: more on the left, less selected.
      const double slope = power_of(end_of_first - t) - power_of(start_of_last + rest - t);
      if (!(slope < 0.0)) break;
      const double next = std::clamp(t - e / slope, low, high);
      if (next == t) break;
      t = next;
    }
    // t is kept exact, not A - (rounded start): the need is met to the last
    // bit. The rounded start may then be A itself (t below half an ulp of A);
    // take() clamps each cut into its own piece for that.
    first = {end_of_first - t, t};
    last = {start_of_last, rest - t};
  }

  double power_of(double level) const {
    double power = static_cast<double>(drafts_);
    for (int k = 1; k < drafts_; ++k) power *= level;
    return power;
  }
  // psi at the collapsed coordinate x.
  double density_at(double x) const {
    std::size_t i = static_cast<std::size_t>(
        std::upper_bound(collapsed_.begin(), collapsed_.end() - 1, x) - collapsed_.begin());
    i = i == 0 ? 0 : i - 1;
    const double level = pieces_[i].start + std::clamp(x - collapsed_[i], 0.0, pieces_[i].length);
    double power = static_cast<double>(drafts_);
    for (int k = 1; k < drafts_; ++k) power *= level;
    return power;
  }

  void reindex() {
    collapsed_.assign(pieces_.size() + 1, 0.0);
    for (std::size_t i = 0; i < pieces_.size(); ++i) collapsed_[i + 1] = collapsed_[i] + pieces_[i].length;
  }

  int drafts_;
  std::vector<LevelSegment> pieces_;
  std::vector<double> collapsed_;  // size pieces + 1
};

}  // namespace

double power_increment(double start, double length, int drafts) {
  const double a = start, b = start + length;
  double sum = 1.0, b_power = 1.0;
  for (int k = 1; k < drafts; ++k) {
    b_power *= b;
    sum = sum * a + b_power;
  }
  return length * sum;
}

std::vector<std::vector<LevelSegment>> place_level_classes(const std::vector<LevelClass>& classes,
                                                           double low, double high, int drafts) {
  std::vector<std::vector<LevelSegment>> placed(classes.size());
  FreeLevels free(low, high, drafts);
  for (std::size_t k = 0; k + 1 < classes.size(); ++k) {
    const double mass = std::min(classes[k].mass, free.total());
    const double c = free.solve(mass, classes[k].need);
    placed[k] = free.take(c, mass, classes[k].need);
  }
  if (!classes.empty()) placed.back() = free.pieces();
  return placed;
}

}  // namespace mdsd
