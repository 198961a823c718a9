// Event counters of one layer on the accelerator: the only thing the simulator hands to the
// energy model (nothing in sim/ knows a picojoule).
//
// Contract:
//   total_cycles = weight_load_cycles + compute_cycles + drain_cycles + dram_stall_cycles
//                  + sram_stall_cycles
//   stall_cycles = dram_stall_cycles + sram_stall_cycles
//   pe_utilization = macs / (total_cycles * rows * cols) (pe_utilization() below, the one place)
//   per unit (array, post_processing, vector_unit, dma, and each buffer's .cycles): busy + stall + idle =
//   total_cycles (sim/README.md "Per-unit cycles" defines each).
//   SRAM counts are operand accesses (one weight, one activation, one accumulator word);
//   array layers: ifmap/weight reads as the operands enter the array, ofmap reads/writes of the
//   accumulator; vector layers: ifmap reads of the operands, ofmap writes of the outputs; every
//   layer: fill_writes of the tiles the DMA brings from DRAM, drain_reads of the outputs it
//   takes back. banks[i] holds bank i's share (sim/sram.h layout); the banks sum to the buffer.
#pragma once
#include <cstdint>
#include <vector>

namespace qarray {

struct BankCounters {
  int64_t reads = 0;
  int64_t writes = 0;
  int64_t fill_writes = 0;  // DMA: tiles arriving from DRAM
  int64_t drain_reads = 0;  // DMA: finished outputs leaving for DRAM
};

struct UnitCycles {
  int64_t busy = 0;
  int64_t stall = 0;
  int64_t idle = 0;
};

struct BufferCounters {
  int64_t reads = 0;
  int64_t writes = 0;
  int64_t fill_writes = 0;
  int64_t drain_reads = 0;
  std::vector<BankCounters> banks;  // one per bank
  UnitCycles cycles;                // array / post-processing side of the buffer's ports
};

struct LayerCounters {
  int64_t total_cycles = 0;
  int64_t weight_load_cycles = 0;  // weights shifting into the PEs (array not streaming)
  int64_t compute_cycles = 0;      // array streaming: fill, steady state and drain of every fold
  int64_t drain_cycles = 0;        // post-processing pipeline flush at the end of the layer
  int64_t stall_cycles = 0;        // dram_stall_cycles + sram_stall_cycles
  int64_t dram_stall_cycles = 0;   // waiting for DRAM: loads not hidden behind compute, write-back
  int64_t sram_stall_cycles = 0;   // the array (or post-processing unit) waiting for SRAM ports
  int64_t folds = 0;               // weight tiles loaded into the array
  int64_t macs = 0;                // useful multiply-accumulates (zero blocks excluded)
  double pe_utilization = 0.0;
  int64_t first_output_cycle = 0;  // cycles until the first requantized output is valid
  BufferCounters ifmap, weight, ofmap;
  int64_t dram_read_bytes = 0;     // moved by the DMA, whole bursts, re-fetches included
  int64_t dram_write_bytes = 0;
  UnitCycles array, post_processing, dma, vector_unit;
  int64_t vector_lookups = 0;     // vector unit: lookup-table entries read (sim/vector_unit.h)
  int64_t vector_multiplies = 0;  // vector unit: multiplies (operand products and rescales)
};

// MACs per PE and cycle: macs / (cycles * rows * cols), 0 when there are no cycles. Every
// utilization qarray reports (per layer, per network, per sweep point) is this function.
double pe_utilization(int64_t macs, int64_t cycles, int32_t rows, int32_t cols);

// One image through a network, its layers in sequence (no overlap between layers): the sums of
// the layers' counters that the reports print.
struct NetworkTotals {
  int64_t cycles = 0, macs = 0;
  int64_t stall_cycles = 0, dram_stall_cycles = 0, sram_stall_cycles = 0;
  int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
};
NetworkTotals network_totals(const std::vector<LayerCounters>& layers);

}  // namespace qarray
