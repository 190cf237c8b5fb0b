// The draft mass not yet drawn when drafting without replacement, to full
// precision in O(n) per call: "1 - q(drawn)" cancels when the drawn tokens
// held almost all of it (a cold draft's first token holds all but 1e-300),
// and summing the rest token by token costs O(V) per draw.
//
// The n largest q are kept apart (summed one by one) from the rest (summed
// once); drawn tokens among the rest are subtracted from the rest's sum
// unless they held most of it, when the rest is summed again.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace mdsd {

class UndraftedMass {
 public:
  // draft: non-negative; drafts = n >= 1.
  UndraftedMass(const Eigen::VectorXd& draft, int drafts);

  // The mass left on the largest tokens and on the rest, once the tokens
  // drawn[0..count) are out.
  struct Split {
    double largest = 0.0, rest = 0.0;
  };
  Split split(const std::int32_t* drawn, std::size_t count) const;
  double left(const std::int32_t* drawn, std::size_t count) const {
    const Split parts = split(drawn, count);
    return parts.largest + parts.rest;
  }

  // The n largest q, descending (ties: lower token id first).
  const std::vector<std::int32_t>& largest() const { return largest_; }
  bool is_largest(std::int32_t token) const { return is_largest_[static_cast<std::size_t>(token)]; }
  // q with the largest tokens set to 0.
  const Eigen::VectorXd& rest_weights() const { return rest_weights_; }
  double rest_mass() const { return rest_; }

 private:
  const Eigen::VectorXd& draft_;
  std::vector<std::int32_t> largest_;
  std::vector<bool> is_largest_;
  Eigen::VectorXd rest_weights_;
  double rest_ = 0.0;
};

}  // namespace mdsd
