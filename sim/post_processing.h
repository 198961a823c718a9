// The post-processing unit: `cols` lanes behind the accumulator, a fixed-latency pipeline.
//
// Array layers: each finished accumulator row passes through it (one row per cycle), per output
// of channel oc:  y = requantize(wrap(acc + bias'[oc], acc_bits), M[oc], z_y, lo, hi).
// Vector layers (add, max pool, average pool) run on the unit alone: each lane produces one
// output, taking one operand pair (add) or one window tap (pools, padded taps included) per
// cycle from the ifmap buffer.
// The arithmetic is that of the golden executor (workloads/golden.h contract) through the same
// functions of workloads/numeric.h, so the unit is bit-identical to it by construction.
//
// Contract: kLatencyCycles pipeline stages (bias add / operand rescale; SRDHM multiply;
// rounding shift, zero-point add and clamp); a vector layer takes
// ceil(outputs / cols) * taps + kLatencyCycles cycles (taps = 1 for add, kh*kw for pools).
#pragma once
#include <cstdint>
#include <systemc>

#include "sim/counters.h"
#include "workloads/golden.h"

namespace qarray {

// One add / pool layer for the unit: descriptors and batched inputs (b only for add).
struct VectorJob {
  const Layer* layer = nullptr;
  const ActTensor *in_a = nullptr, *in_b = nullptr, *out = nullptr;
  const IntTensor *a = nullptr, *b = nullptr;
  IntTensor* output = nullptr;
};

class PostProcessing : public sc_core::sc_module {
 public:
  static constexpr int64_t kLatencyCycles = 3;

  SC_HAS_PROCESS(PostProcessing);
  explicit PostProcessing(sc_core::sc_module_name name);

  // Output stage of one array layer: its bias, multipliers and clamp, the output zero point.
  void configure(const Layer& layer, int32_t out_zero_point, int32_t acc_bits);
  int32_t apply(uint32_t acc, int64_t channel);

  // Runs a vector layer on `lanes` lanes with the given clock; `done` fires after the last
  // output has left the pipeline. Counters accumulate into `counters`.
  void launch(const VectorJob& job, int32_t lanes, const sc_core::sc_time& period, LayerCounters* counters);
  sc_core::sc_event done;

 private:
  void run();
  int32_t add_output(int64_t i) const;
  int32_t pool_output(int64_t i, int64_t& taps_read) const;

  const Layer* layer_ = nullptr;
  int32_t zero_point_ = 0;
  int32_t acc_bits_ = 32;
  VectorJob vjob_;
  int32_t lanes_ = 1;
  sc_core::sc_time period_;
  LayerCounters* counters_ = nullptr;
  sc_core::sc_event start_;
};

}  // namespace qarray
