#include "sim/cosim/fold_stimulus.h"

#include <algorithm>

namespace qarray {

int64_t fold_cycles(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job) {
  switch (df) {
    case Dataflow::WeightStationary: return rows + job.p_len + rows + cols - 2;
    case Dataflow::InputStationary: return rows + job.oc_len + rows + cols - 2;
    case Dataflow::OutputStationary: return job.k_len + rows + cols - 2 + rows;
  }
  return 0;
}

void fold_inputs(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job, int64_t n, ArrayCycleInputs& in) {
  std::fill(in.west.begin(), in.west.end(), 0u);
  std::fill(in.north.begin(), in.north.end(), 0u);
  in.load = in.drain = in.valid = false;
  in.rows_used = 0;
  if (n < 0) return;
  const GemmPass& pass = *job.pass;
  const auto w = [&](int64_t k, int64_t oc) { return static_cast<uint32_t>(pass.weights[k * pass.oc + oc]); };
  const auto x = [&](int64_t k, int64_t p) { return static_cast<uint32_t>(pass.operands[k * pass.p + p]); };
  if (df == Dataflow::OutputStationary) {
    in.rows_used = static_cast<int32_t>(std::min<int64_t>(rows, job.p_len));
    if (n < job.k_len) {
      in.valid = true;
      for (int64_t r = 0; r < job.p_len; ++r) in.west[r] = x(job.k0 + n, job.p0 + r);
      for (int64_t c = 0; c < job.oc_len; ++c) in.north[c] = w(job.k0 + n, job.oc0 + c);
    }
    in.drain = n >= job.k_len + rows + cols - 2;
    return;
  }
  const bool ws = df == Dataflow::WeightStationary;
  if (n < rows) {  // preload: the stationary row R-1-n enters at the top
    in.load = true;
    const int64_t r = rows - 1 - n;
    if (r < job.k_len) {
      if (ws) for (int64_t c = 0; c < job.oc_len; ++c) in.north[c] = w(job.k0 + r, job.oc0 + c);
      else for (int64_t c = 0; c < job.p_len; ++c) in.north[c] = x(job.k0 + r, job.p0 + c);
    }
    return;
  }
  const int64_t i = n - rows;
  if (i >= (ws ? job.p_len : job.oc_len)) return;
  in.valid = true;
  if (ws) for (int64_t r = 0; r < job.k_len; ++r) in.west[r] = x(job.k0 + r, job.p0 + i);
  else for (int64_t r = 0; r < job.k_len; ++r) in.west[r] = w(job.k0 + r, job.oc0 + i);
}

int64_t fold_output_row(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job, int64_t n) {
  if (df == Dataflow::OutputStationary) {
    const int64_t d = n - (job.k_len + rows + cols - 2);
    const int64_t r = rows - 1 - d;
    return d >= 0 && d < rows && r < job.p_len ? r : -1;
  }
  const int64_t i = n - (2 * rows + cols - 2);
  const int64_t count = df == Dataflow::WeightStationary ? job.p_len : job.oc_len;
  return i >= 0 && i < count ? i : -1;
}

int64_t row_lanes(Dataflow df, const FoldJob& job) {
  return df == Dataflow::InputStationary ? job.p_len : job.oc_len;
}

int64_t row_channel(Dataflow df, const FoldJob& job, int64_t index, int64_t lane) {
  return job.pass->channel[job.oc0 + (df == Dataflow::InputStationary ? index : lane)];
}

void row_post_processing(Dataflow df, const Layer& layer, const FoldJob& job, int64_t index, int32_t cols,
                         int32_t* bias, int32_t* m0, int32_t* shift) {
  const int64_t lanes = row_lanes(df, job);
  for (int64_t c = 0; c < cols; ++c) {
    if (c >= lanes) {
      bias[c] = m0[c] = shift[c] = 0;
      continue;
    }
    const int64_t ch = row_channel(df, job, index, c);
    const QuantizedMultiplier& m = layer.requant.size() == 1 ? layer.requant[0] : layer.requant[ch];
    bias[c] = layer.bias[ch];
    m0[c] = m.m0;
    shift[c] = m.shift;
  }
}

}  // namespace qarray
