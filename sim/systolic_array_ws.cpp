// Weight-stationary: PE (r, c) holds W[k0 + r][oc0 + c]; input vector p0 + i streams in from the
// left (row r carries X[k0 + r][p0 + i]); the bottom edge delivers the sums of vector i over the
// fold's columns.
#include "sim/systolic_array.h"

namespace qarray {

void SystolicArray::preload_ws(const FoldJob& job) {
  const GemmPass& pass = *job.pass;
  for (int64_t r = 0; r < job.k_len; ++r)
    for (int64_t c = 0; c < job.oc_len; ++c)
      stat_[r * cols_ + c] = static_cast<uint32_t>(pass.weights[(job.k0 + r) * pass.oc + job.oc0 + c]);
}

void SystolicArray::step_ws(const FoldJob& job, int64_t t) {
  const GemmPass& pass = *job.pass;
  step_stationary(t, job.p_len, pass.operands.data() + job.k0 * pass.p + job.p0, pass.p, job.k_len, true);
}

}  // namespace qarray
