// The distribution parser, to_probabilities, on arbitrary specs.
// Input: byte F (bit 0 logits, bit 1 temperature given, bit 2 top_k given,
// bit 3 top_p given), then for each given option 8 raw bytes (temperature and
// top_p as doubles, top_k as an int64), then the values as raw little-endian
// doubles: NaN, infinities, subnormals and huge magnitudes all reachable.
// Checks: either an error with a message, or a probability vector (finite,
// in [0, 1], sum 1), masked logits and zero weights exactly 0, at most top_k
// tokens kept (top_k and top_p apply to logits only).
#include "core/distribution.hpp"
#include "fuzz_common.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  std::size_t at = 1;
  const auto take = [&](void* into) {
    if (at + 8 > size) return false;
    std::memcpy(into, data + at, 8);
    at += 8;
    return true;
  };
  mdsd::DistributionSpec spec;
  spec.kind = flags & 1 ? mdsd::DistributionSpec::Kind::logits : mdsd::DistributionSpec::Kind::weights;
  if (flags & 2 && !take(&spec.temperature)) return 0;
  if (flags & 4) {
    std::int64_t top_k;
    if (!take(&top_k)) return 0;
    spec.top_k = top_k;
  }
  if (flags & 8) {
    double top_p;
    if (!take(&top_p)) return 0;
    spec.top_p = top_p;
  }
  const std::size_t count = (size - at) / 8;
  spec.values.resize(static_cast<Eigen::Index>(count));
  if (count) std::memcpy(spec.values.data(), data + at, count * 8);

  std::vector<std::string> warnings;
  auto result = mdsd::to_probabilities(spec, "target", warnings);
  if (!result.ok()) {
    FUZZ_CHECK(result.error().rfind("target", 0) == 0, "error without the field: %s", result.error().c_str());
    return 0;
  }
  const Eigen::VectorXd& p = result.value();
  FUZZ_CHECK(p.size() == spec.values.size(), "size changed");
  double sum = 0.0;
  std::int64_t positive = 0;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    FUZZ_CHECK(std::isfinite(p[i]) && p[i] >= 0.0 && p[i] <= 1.0, "p[%ld] = %g", static_cast<long>(i), p[i]);
    if (spec.kind == mdsd::DistributionSpec::Kind::logits && spec.values[i] == -INFINITY) {
      FUZZ_CHECK(p[i] == 0.0, "masked token %ld has %g", static_cast<long>(i), p[i]);
    }
    if (spec.kind == mdsd::DistributionSpec::Kind::weights && spec.values[i] == 0.0) {
      FUZZ_CHECK(p[i] == 0.0, "zero weight %ld has %g", static_cast<long>(i), p[i]);
    }
    sum += p[i];
    positive += p[i] > 0.0;
  }
  FUZZ_CHECK(std::abs(sum - 1.0) <= 1e-9, "sum %.17g", sum);
  FUZZ_CHECK(positive >= 1, "no positive entry");
  if (spec.kind == mdsd::DistributionSpec::Kind::logits && spec.top_k) FUZZ_CHECK(positive <= *spec.top_k, "%ld tokens kept, top_k %ld", static_cast<long>(positive), static_cast<long>(*spec.top_k));
  return 0;
}
