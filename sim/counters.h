// Event counters of one layer on the accelerator: the only thing the simulator hands to the
// energy model (nothing in sim/ knows a picojoule).
//
// Contract:
//   total_cycles = weight_load_cycles + compute_cycles + drain_cycles + dram_stall_cycles
//                  + sram_stall_cycles
//   stall_cycles = dram_stall_cycles + sram_stall_cycles
//   pe_utilization = macs / (total_cycles * rows * cols)
//   per unit (array, post_processing, dma, and each buffer's .cycles): busy + stall + idle =
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
  UnitCycles array, post_processing, dma;
};

}  // namespace qarray
