// Fake-quant ("simulated quantization"): the quantized network as a float PTQ framework runs it,
// built on the FP32 executor. It is the float twin of the integer golden executor, kept to
// measure the gap between the two (DESIGN §3: the gap is measured and reported, not assumed).
//
// Contract, for a Network lowered from a float graph G (PtqResult::quantized):
//   weights      every conv / depthwise / fc uses s_w * w_q, the lowering's exact integer weights
//                and scales (per tensor or per channel; Gemm alpha folded in, as the lowering does);
//   bias         the float bias of G (not rounded to the int32 grid);
//   activations  every value that is a tensor of the integer network (the network input, each
//                layer's output after its fused ReLU/ReLU6, add and pool outputs) is replaced by
//                s * (clamp(round_half_away(x / s) + z, 0, 2^b - 1) - z) with that tensor's
//                scale, zero point and bits; values the integer network never materializes (a
//                conv output before its fused activation) stay float;
//   arithmetic   float accumulation, float bias, float activation, float add and pooling; the
//                requantization is the quantize-dequantize of the output value, so the integer
//                multiplier M0*2^-n, the int32 bias rounding and the integer add/pool rounding are
//                what the gap measures.
// The fused clamps agree exactly: quantize is monotonic, so quantize(clip(x, 0, 6)) equals
// clamp(quantize(x), quantize(0), quantize(6)), the integer layer's clamp bounds.
#pragma once
#include <map>
#include <string>

#include "models/graph.h"
#include "models/quant_grid.h"
#include "models/tensor.h"
#include "workloads/network.h"

namespace qarray {

struct FakeQuantNet {
  Graph graph;                                  // G with every MAC layer's weights s_w * w_q
  std::map<std::string, ActQuant> activations;  // graph value -> grid of its integer tensor

  // x: float [N, C, H, W] in real units -> the simulated network output [N, ...] (real units,
  // on the output grid).
  Tensor run(const Tensor& x) const;
};

// quantized: the float graph that was lowered to net (same node and value names). Throws
// InputError when a MAC layer of net has no node in the graph or the weight counts differ.
FakeQuantNet fake_quant_net(const Graph& quantized, const Network& net);

// In place: x -> s * (clamp(round_half_away(x / s) + z) - z).
void quantize_dequantize(Tensor& x, const ActQuant& q);

}  // namespace qarray
