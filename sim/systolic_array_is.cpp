// Input-stationary: PE (r, c) holds X[k0 + r][p0 + c]; weight column oc0 + i streams in from
// the left (row r carries W[k0 + r][oc0 + i]); the bottom edge delivers the sums of output
// channel i over the fold's vectors. The same wiring as weight-stationary with the roles of the
// two operands exchanged.
#include "sim/systolic_array.h"

namespace qarray {

void SystolicArray::preload_is(const FoldJob& job) {
  const GemmPass& pass = *job.pass;
  for (int64_t r = 0; r < job.k_len; ++r)
    for (int64_t c = 0; c < job.p_len; ++c)
      stat_[r * cols_ + c] = static_cast<uint32_t>(pass.operands[(job.k0 + r) * pass.p + job.p0 + c]);
}

void SystolicArray::step_is(const FoldJob& job, int64_t t) {
  const GemmPass& pass = *job.pass;
  step_stationary(t, job.oc_len, pass.weights.data() + job.k0 * pass.oc + job.oc0, pass.oc, job.k_len, false);
}

}  // namespace qarray
