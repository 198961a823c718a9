// DRAM as the DMA sees it: a channel with a fixed access latency and a bandwidth, moving whole
// bursts. A transfer of `bytes` takes
//   latency_cycles + ceil(round_up(bytes, burst_bytes) / bytes_per_cycle)
// cycles (every tile is rounded up to whole bursts on its own). Counts bytes moved, bursts
// included.
#pragma once
#include <cstdint>

#include "sim/arch_config.h"

namespace qarray {

class Dram {
 public:
  void configure(const DramConfig& config) { cfg_ = config; }
  int64_t burst_bytes(int64_t bytes) const {
    return (bytes + cfg_.burst_bytes - 1) / cfg_.burst_bytes * cfg_.burst_bytes;
  }
  // `bytes` already rounded to bursts.
  int64_t transfer_cycles(int64_t bytes) const;
  // The same transfer when its data takes `data_cycles` (fractional: the DMA's own limit, at
  // least bytes / bytes_per_cycle) after the latency: latency + ceil(data_cycles); 0 bytes, 0.
  int64_t transfer_cycles(int64_t bytes, double data_cycles) const;
  // Cycles the data of `bytes` takes on the DRAM side alone (fractional).
  double data_cycles(int64_t bytes) const { return static_cast<double>(bytes) / cfg_.bytes_per_cycle; }

 private:
  DramConfig cfg_;
};

}  // namespace qarray
