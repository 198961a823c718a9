#include "sim/dataflow/edges.h"

#include <algorithm>

namespace qarray {

void ArrayRegisters::resize(int32_t r, int32_t c) {
  rows = r;
  cols = c;
  const size_t n = static_cast<size_t>(r) * c;
  stat.assign(n, 0);
  west.assign(n, 0);
  north.assign(n, 0);
  psum.assign(n, 0);
  deskew.assign(static_cast<size_t>(c) * c, 0);
}

void ArrayRegisters::clear() {
  std::fill(stat.begin(), stat.end(), 0u);
  std::fill(west.begin(), west.end(), 0u);
  std::fill(north.begin(), north.end(), 0u);
  std::fill(psum.begin(), psum.end(), 0u);
}

void ArrayCycleInputs::idle() {
  std::fill(west.begin(), west.end(), 0u);
  std::fill(north.begin(), north.end(), 0u);
  load = drain = valid = false;
  rows_used = 0;
}

}  // namespace qarray
