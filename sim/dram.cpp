#include "sim/dram.h"

#include <cmath>

namespace qarray {

int64_t Dram::transfer_cycles(int64_t bytes) const { return transfer_cycles(bytes, data_cycles(bytes)); }

int64_t Dram::transfer_cycles(int64_t bytes, double data_cycles) const {
  if (bytes == 0) return 0;
  // Exact for the bandwidths a config can hold (whole numbers and binary fractions); the
  // epsilon keeps an exact quotient from rounding up.
  return cfg_.latency_cycles + static_cast<int64_t>(std::ceil(data_cycles - 1e-9));
}

}  // namespace qarray
