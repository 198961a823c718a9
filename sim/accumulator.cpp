#include "sim/accumulator.h"

#include <cstddef>

namespace qarray {

void Accumulator::begin_tile(int64_t p_len, int64_t oc_len) {
  p_len_ = p_len;
  oc_len_ = oc_len;
  words_.assign(static_cast<std::size_t>(p_len * oc_len), 0);
}

const uint32_t* Accumulator::accumulate(int64_t p, const uint32_t* sums, bool first) {
  uint32_t* row = words_.data() + p * oc_len_;
  if (first) {
    for (int64_t c = 0; c < oc_len_; ++c) row[c] = sums[c];
  } else {
    for (int64_t c = 0; c < oc_len_; ++c) row[c] += sums[c];
  }
  return row;
}

void Accumulator::accumulate_column(int64_t oc, const uint32_t* sums, bool first) {
  uint32_t* col = words_.data() + oc;
  for (int64_t p = 0; p < p_len_; ++p) col[p * oc_len_] = first ? sums[p] : col[p * oc_len_] + sums[p];
}

}  // namespace qarray
