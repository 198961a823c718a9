// Per-channel view of a Conv / Gemm node's weights inside a Graph: the one place that knows the
// storage layouts ([OC, IC/group, KH, KW] for convolutions, [OC, K] or [K, OC] for Gemm), shared
// by CLE, high-bias absorption, range setting and bias correction.
//
// Contract: a weight is addressed as (o, i, t): output channel o, input channel i of the layer's
// data input, kernel tap t in [0, taps). A depthwise layer only has weights with i == o. Gemm
// nodes are normalized first (alpha folded into the weights, beta into the bias) so that
// y[o] = bias[o] + sum_{i,t} W(o, i, t) * x_patch(i, t) holds for every supported layer.
#pragma once
#include <string>
#include <vector>

#include "models/graph.h"

namespace qarray {

struct LayerWeights {
  int node = -1;             // index in graph.nodes
  int64_t oc = 0;            // output channels
  int64_t ic = 0;            // channels of the data input (a Gemm's K)
  int64_t taps = 1;          // kernel positions (KH*KW; 1 for Gemm)
  bool depthwise = false;    // group == ic == oc
  bool k_major = false;      // Gemm with transB = 0: B stored [K, OC]

  // Flat index of W(o, i, t) in the weight initializer (depthwise: i must equal o).
  int64_t index(int64_t o, int64_t i, int64_t t) const {
    if (depthwise) return o * taps + t;
    if (k_major) return i * oc + o;
    return (o * ic + i) * taps + t;
  }
};

// True for the layers PTQ passes handle: Conv with group 1 or depthwise (dilation 1), Gemm with
// transA = 0. MatMul and grouped convolutions are left alone.
bool is_ptq_layer(const Graph& g, int node);

// The view of node `node`; throws UnsupportedError naming the node if !is_ptq_layer.
LayerWeights layer_weights(const Graph& g, int node);

// Makes the node's weight and bias initializers private to it (copies named "<node>.w_ptq",
// "<node>.b_ptq", a zero bias if it had none) and folds a Gemm's alpha/beta in. Idempotent.
void make_layer_mutable(Graph& g, int node);

Tensor& weight_tensor(Graph& g, const LayerWeights& v);  // after make_layer_mutable
Tensor& bias_tensor(Graph& g, const LayerWeights& v);
const Tensor& weight_tensor(const Graph& g, const LayerWeights& v);
std::vector<float> bias_values(const Graph& g, const LayerWeights& v);  // zeros if none; beta applied

// max |W(o, ., .)| per output channel, and max |W(., i, .)| per input channel.
std::vector<double> out_channel_absmax(const Graph& g, const LayerWeights& v);
std::vector<double> in_channel_absmax(const Graph& g, const LayerWeights& v);

// W(o, i, t) *= in_mul[i] / out_div[o] and bias[o] /= out_div[o]; either vector may be empty
// (all ones). The layer must be mutable.
void scale_layer(Graph& g, const LayerWeights& v, const std::vector<double>& in_mul,
                 const std::vector<double>& out_div);

// The weights in the lowering's layout: row o holds W(o, i, t) for i (one for depthwise), then
// t; a K-major Gemm is transposed and alpha applied.
std::vector<float> row_major_weights(const Graph& g, const LayerWeights& v);
int64_t row_length(const LayerWeights& v);  // weights per output channel

// Per output channel: sum_{i, t} W(o, i, t) * x[i] (x per input channel).
std::vector<double> weights_times_channels(const Graph& g, const LayerWeights& v, const std::vector<double>& x);

}  // namespace qarray
