// One decoding position, validated: everything below the boundary may assume
// what this header promises.
#pragma once

#include <Eigen/Core>

#include <array>
#include <optional>
#include <string_view>

namespace mdsd {

// How the n drafts are drawn from the draft distribution q (README mathematics §1).
// top_n is deterministic drafting (vLLM's and TensorRT-LLM's default): the n
// most likely draft tokens, ties by lower token id.
enum class DraftMethod { with_replacement, without_replacement, greedy, top_n };

inline constexpr std::array<DraftMethod, 4> kAllDraftMethods = {
    DraftMethod::with_replacement, DraftMethod::without_replacement,
    DraftMethod::greedy, DraftMethod::top_n};

// The name used in requests and results: "with_replacement", ...
std::string_view method_name(DraftMethod method);
std::optional<DraftMethod> method_from_name(std::string_view name);

// Target p and draft q over the same vocabulary of V >= 1 tokens, each
// non-negative, finite and summing to 1 (up to rounding); n >= 1 drafts.
struct Problem {
  Eigen::VectorXd target;
  Eigen::VectorXd draft;
  int drafts = 1;
};

// Number of tokens with q > 0: without replacement and greedy need >= n.
Eigen::Index positive_count(const Eigen::VectorXd& distribution);

}  // namespace mdsd
