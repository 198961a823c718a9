// The post-processing unit: `cols` lanes behind the accumulator, a fixed-latency pipeline.
//
// Array layers: each finished accumulator row passes through it (one row per cycle), per output
// of channel oc:  y = requantize(wrap(acc + bias'[oc], acc_bits), M[oc], z_y, lo, hi).
// Vector layers (add, max pool, average pool) run on the unit alone: each lane produces one
// output, taking one operand pair (add) or one window tap (pools, padded taps included) per
// cycle from the ifmap buffer. The lanes take the outputs in channel-last order (a pixel's
// channels, then the next pixel's), the order in which the buffers hold these tensors: element
// (n, c, pixel) of a [N, C, pixels] tensor is operand (n*pixels + pixel)*C + c of one row from
// word 0 (sim/sram.h); an add's second input starts at word round_up(words(a), banks) + banks/2
// (so one group's a and b words fall in different banks).
// The arithmetic is that of the golden executor (workloads/golden.h contract) through the same
// functions of workloads/numeric.h, so the unit is bit-identical to it by construction.
//
// Contract: kLatencyCycles pipeline stages (bias add / operand rescale; SRDHM multiply;
// rounding shift, zero-point add and clamp); a vector layer takes
// ceil(outputs / cols) * taps + kLatencyCycles cycles (taps = 1 for add, kh*kw for pools) plus
// its SRAM stalls: each tap cycle takes Sram::gather_cycles of the ifmap words its lanes read
// (the group's last one also Sram::step_cycles of the ofmap words its outputs fill), at least 1.
#pragma once
#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/counters.h"
#include "sim/sram.h"
#include "workloads/golden.h"

namespace qarray {

// One add / pool layer for the unit: descriptors and batched inputs (b only for add).
struct VectorJob {
  const Layer* layer = nullptr;
  const ActTensor *in_a = nullptr, *in_b = nullptr, *out = nullptr;
  const IntTensor *a = nullptr, *b = nullptr;
  IntTensor* output = nullptr;
};

// The buffers a vector layer reads and writes, and the width of its operands there.
struct VectorBuffers {
  Sram* ifmap = nullptr;
  Sram* ofmap = nullptr;
  int32_t operand_bits = 8;  // ArchConfig::act_word_bits()
};

// The word where an add's second input starts, after `a_operands` operands of `bits` bits.
int64_t add_second_input_word(const Sram& ifmap, int64_t a_operands, int32_t bits);

class PostProcessing : public sc_core::sc_module {
 public:
  static constexpr int64_t kLatencyCycles = 3;

  SC_HAS_PROCESS(PostProcessing);
  explicit PostProcessing(sc_core::sc_module_name name);

  // Output stage of one array layer: its bias, multipliers and clamp, the output zero point.
  void configure(const Layer& layer, int32_t out_zero_point, int32_t acc_bits);
  int32_t apply(uint32_t acc, int64_t channel);

  // Runs a vector layer on `lanes` lanes with the given clock; `done` fires after the last
  // output has left the pipeline. Cycle counters accumulate into `counters`, SRAM accesses into
  // the buffers' Sram units.
  void launch(const VectorJob& job, int32_t lanes, const sc_core::sc_time& period, LayerCounters* counters,
              const VectorBuffers& buffers);
  sc_core::sc_event done;
  // Cycles the last vector layer's first group of lanes took (its taps and SRAM stalls).
  int64_t first_group_cycles() const { return first_group_cycles_; }

 private:
  void run();
  int32_t add_output(int64_t i) const;
  int32_t pool_output(int64_t i) const;
  // Cycles of the group of outputs [g, end) (channel-last indices) on the buffers' ports.
  int64_t group_cycles(int64_t g, int64_t end, int64_t taps);

  const Layer* layer_ = nullptr;
  int32_t zero_point_ = 0;
  int32_t acc_bits_ = 32;
  VectorJob vjob_;
  int32_t lanes_ = 1;
  sc_core::sc_time period_;
  LayerCounters* counters_ = nullptr;
  VectorBuffers buffers_;
  int64_t first_group_cycles_ = 0;
  int64_t b_base_ = 0;          // an add's second input: its first word
  std::vector<int64_t> words_;  // scratch: the words one tap cycle reads
  sc_core::sc_event start_;
};

}  // namespace qarray
