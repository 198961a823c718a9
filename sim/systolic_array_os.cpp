// Output-stationary: PE (r, c) accumulates output (vector p0 + r, channel oc0 + c) in place.
// Row r's left edge carries X[k0 + k][p0 + r] at cycle k + r; column c's top edge carries
// W[k0 + k][oc0 + c] at cycle k + c; so PE (r, c) multiplies the pair of index k at cycle
// k + r + c, and its last product lands at cycle k_len + r + c - 1. After the compute phase
// (k_len + R + C - 2 cycles) the sums shift down and leave at the bottom, one array row per
// cycle (bottom row first), R drain cycles.
#include "sim/systolic_array.h"

#include <cstring>

namespace qarray {

void SystolicArray::step_os(const FoldJob& job, int64_t t) {
  const GemmPass& pass = *job.pass;
  const int64_t compute = job.k_len + rows_ + cols_ - 2;
  if (t >= compute) {  // drain: at drain cycle d the sums of array row R-1-d leave the bottom
    const int64_t r = rows_ - 1 - (t - compute);
    if (r < job.p_len) sink_->vector_row(r, psum_.data() + r * cols_);
    return;
  }
  const int32_t* x = pass.operands.data() + job.k0 * pass.p + job.p0;
  const int32_t* w = pass.weights.data() + job.k0 * pass.oc + job.oc0;
  const size_t C = static_cast<size_t>(cols_);
  for (int64_t r = rows_ - 1; r >= 0; --r) {
    uint32_t* a = west_.data() + r * cols_;
    uint32_t* b = north_.data() + r * cols_;
    uint32_t* s = psum_.data() + r * cols_;
    // Inputs move one PE right, row r's left edge carrying X[k][p0 + r] at cycle k + r.
    std::memmove(a + 1, a, (C - 1) * sizeof(uint32_t));
    const int64_t k = t - r;
    a[0] = r < job.p_len && k >= 0 && k < job.k_len ? static_cast<uint32_t>(x[k * pass.p + r]) : 0u;
    // Weights move one PE down (row r-1 is updated after row r, so it still holds last cycle's);
    // the top edge's column c carries W[k][oc0 + c] at cycle k + c.
    if (r > 0) {
      std::memcpy(b, north_.data() + (r - 1) * cols_, C * sizeof(uint32_t));
    } else {
      for (size_t c = 0; c < C; ++c) {
        const int64_t kc = t - static_cast<int64_t>(c);
        b[c] = static_cast<int64_t>(c) < job.oc_len && kc >= 0 && kc < job.k_len
                   ? static_cast<uint32_t>(w[kc * pass.oc + c])
                   : 0u;
      }
    }
    for (size_t c = 0; c < C; ++c) s[c] += a[c] * b[c];
  }
}

}  // namespace qarray
