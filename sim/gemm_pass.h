// The controller's address generation: a conv, depthwise or fc layer seen by the array as
// matrix passes out[oc][p] = sum_k W[k][oc] * X[k][p]. Conv and fc are one pass (im2col: k runs
// over (ic, kh, kw), p over (image, oh, ow)); depthwise is one pass per group of G channels with
// a block-diagonal weight matrix (channel g owns rows [g*KK, (g+1)*KK) and column g), so the
// array's shared row inputs never mix channels. G is what the dataflow can hold at once
// (DataflowUnit::depthwise_group: ws min(C, cols, rows / KK), is min(C, rows / KK), os
// min(C, cols), and at least 1).
//
// Contract: padded taps read z_x (the zero-point fold in bias' is then exact); the operand
// matrix is what the ifmap buffer delivers to the array's left edge, in order.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arch_config.h"
#include "workloads/golden.h"

namespace qarray {

struct GemmPass {
  int64_t k = 0, oc = 0, p = 0;
  std::vector<int32_t> weights;   // [k][oc], row-major
  std::vector<int32_t> operands;  // [k][p], row-major
  std::vector<int64_t> channel;   // [oc]: the layer output channel of each weight column
  int64_t useful_macs = 0;        // MACs of the layer itself (block-diagonal zeros excluded)
};

struct LayerGemm {
  std::vector<GemmPass> passes;
  int64_t images = 0;
  int64_t out_channels = 0;
  int64_t pixels = 0;  // output pixels per image and channel (1 for fc)

  // Flat index of output (p, channel) in the [N, OC, (OH, OW)] output tensor.
  int64_t out_index(int64_t p, int64_t ch) const {
    return ((p / pixels) * out_channels + ch) * pixels + p % pixels;
  }
};

// x: the batched input [N, ...]; in / out: the layer's tensor descriptors.
LayerGemm lower_to_gemm(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                        const ArchConfig& arch);

}  // namespace qarray
