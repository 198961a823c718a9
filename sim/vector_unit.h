// The vector unit: `lanes` lanes next to the post-processing unit, each with a port into a
// lookup-table memory, a multiplier and a rescaler; it runs the layers that are neither MACs on
// the array nor the post-processing unit's add and pools: lookup tables (element-wise functions),
// tensor x tensor multiply and concatenation. Per output it computes the rules of
// workloads/vector_rules.h through the same functions as the golden executor.
//
// Layout: as the post-processing unit's vector layers (sim/post_processing.h), the lanes take the
// outputs in channel-last order and each input tensor sits in the ifmap buffer channel-last from
// its first word; input k > 0 starts at the bank-aligned word after input k - 1 plus banks / 2
// (vector_input_words()).
//
// Contract (timing, data-independent):
//   a group of `lanes` consecutive outputs takes max(1, gather_cycles(the ifmap words its lanes
//   read), step_cycles(the ofmap words it writes)) cycles; the layer takes the sum over its
//   groups plus kLatencyCycles (operand read; table read or multiply; rescale, zero point and
//   clamp). compute_cycles counts one cycle per group, sram_stall_cycles the rest.
//   Counters: vector_lookups = table entries read (1 per output, 2 when the table interpolates);
//   vector_multiplies = multiplies (lut: 1 per output when it interpolates; mul: 2, the operand
//   product and the rescale; concat: 1, the rescale); the ifmap reads and ofmap writes of the
//   operands as the post-processing unit counts them.
#pragma once
#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/counters.h"
#include "sim/sram.h"
#include "workloads/golden.h"

namespace qarray {

// One vector-unit layer: descriptors and batched inputs in layer order.
struct VectorUnitJob {
  const Layer* layer = nullptr;
  std::vector<const ActTensor*> in;
  const ActTensor* out = nullptr;
  std::vector<const IntTensor*> x;
  IntTensor* output = nullptr;
};

// First ifmap word of every input of the job (the DMA lays them out so).
std::vector<int64_t> vector_input_words(const Sram& ifmap, const VectorUnitJob& job, int32_t bits);

class VectorUnit : public sc_core::sc_module {
 public:
  static constexpr int64_t kLatencyCycles = 3;

  SC_HAS_PROCESS(VectorUnit);
  explicit VectorUnit(sc_core::sc_module_name name);

  // Runs the layer on `lanes` lanes with the given clock; `done` fires after the last output has
  // left the pipeline. Counters accumulate into `counters`, SRAM accesses into the buffers.
  void launch(const VectorUnitJob& job, int32_t lanes, const sc_core::sc_time& period, LayerCounters* counters,
              Sram* ifmap, Sram* ofmap, int32_t operand_bits);
  sc_core::sc_event done;
  int64_t first_group_cycles() const { return first_group_cycles_; }

 private:
  void run();
  // Output NCHW element i: its value, and the ifmap words it reads appended to words_.
  int32_t output(int64_t i);
  int64_t word_of(size_t input, int64_t nchw) const;

  VectorUnitJob job_;
  int32_t lanes_ = 1, bits_ = 8;
  sc_core::sc_time period_;
  LayerCounters* counters_ = nullptr;
  Sram *ifmap_ = nullptr, *ofmap_ = nullptr;
  std::vector<int64_t> base_;   // first word of each input
  std::vector<int64_t> words_;  // scratch: the words one group reads
  int64_t first_group_cycles_ = 0;
  sc_core::sc_event start_;
};

}  // namespace qarray
