#include "core/problem.hpp"

namespace mdsd {

std::string_view method_name(DraftMethod method) {
  switch (method) {
    case DraftMethod::with_replacement: return "with_replacement";
    case DraftMethod::without_replacement: return "without_replacement";
    case DraftMethod::greedy: return "greedy";
    case DraftMethod::top_n: return "top_n";
  }
  return "unknown";
}

std::optional<DraftMethod> method_from_name(std::string_view name) {
  for (DraftMethod method : kAllDraftMethods) {
    if (method_name(method) == name) return method;
  }
  return std::nullopt;
}

Eigen::Index positive_count(const Eigen::VectorXd& distribution) {
  return (distribution.array() > 0.0).count();
}

}  // namespace mdsd
