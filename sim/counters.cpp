#include "sim/counters.h"

namespace qarray {

double pe_utilization(int64_t macs, int64_t cycles, int32_t rows, int32_t cols) {
  if (cycles == 0) return 0.0;
  return static_cast<double>(macs) / (static_cast<double>(cycles) * rows * cols);
}

NetworkTotals network_totals(const std::vector<LayerCounters>& layers) {
  NetworkTotals t;
  for (const LayerCounters& k : layers) {
    t.cycles += k.total_cycles;
    t.macs += k.macs;
    t.stall_cycles += k.stall_cycles;
    t.dram_stall_cycles += k.dram_stall_cycles;
    t.sram_stall_cycles += k.sram_stall_cycles;
    t.dram_read_bytes += k.dram_read_bytes;
    t.dram_write_bytes += k.dram_write_bytes;
  }
  return t;
}

}  // namespace qarray
