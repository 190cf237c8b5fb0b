// log Γ(x) that threads may call at once: std::lgamma also writes the sign of
// Γ(x) to the global `signgam`, a data race when two threads call it (mdsd
// batch --threads; found by ThreadSanitizer). lgamma_r is the same function
// (glibc's and musl's lgamma call it), with the sign written to a local:
// the same bits.
#pragma once

#include <math.h>

namespace mdsd {

inline double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

}  // namespace mdsd
