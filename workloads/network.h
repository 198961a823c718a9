// Integer layer workloads: a quantized network lowered to the layers the accelerator runs
// (conv, depthwise, fc on the MAC array; add and pools on the post-processing unit; lookup
// tables, tensor x tensor multiply and concat on the vector unit, workloads/vector_rules.h). Everything
// the golden executor, the SystemC model and the RTL need is here; nothing refers back to ONNX.
// On-disk format: workloads/network_io.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/quant_grid.h"
#include "models/tensor.h"
#include "workloads/numeric.h"

namespace qarray {

enum class LayerKind { Conv, Depthwise, Fc, Add, MaxPool, AvgPool, Lut, Mul, Concat };

const char* layer_kind_name(LayerKind kind);  // "conv", "depthwise", "fc", "add", "maxpool", "lut", ...
LayerKind parse_layer_kind(const std::string& name);  // throws InputError

// One activation tensor: per-sample shape ({C,H,W} or {K}) and its grid.
struct ActTensor {
  std::string name;
  Shape shape;
  ActQuant quant;
};

// 2-D window geometry shared by conv, depthwise and pools.
struct Window {
  int32_t kh = 1, kw = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

struct Layer {
  LayerKind kind = LayerKind::Conv;
  std::string name;
  std::vector<int32_t> inputs;  // activation tensor ids (two for add, one otherwise)
  int32_t output = -1;

  // Conv / depthwise / fc: weights [OC, IC/groups, KH, KW] (fc: [OC, K]) on the signed narrow
  // grid of weight_bits; bias is the folded int32 bias' = round(b/(s_w*s_x)) - z_x * sum(w_q).
  Window window;
  int32_t weight_bits = 8;
  Shape weight_shape;
  std::vector<int32_t> weights;
  std::vector<double> weight_scale;  // one (per tensor) or OC (per channel); informational
  std::vector<int32_t> bias;
  // Output stage: one multiplier (per tensor) or OC of them; clamp bounds on the output grid
  // (fused ReLU / ReLU6 raise lo / lower hi).
  std::vector<QuantizedMultiplier> requant;
  int32_t clamp_lo = 0;
  int32_t clamp_hi = 255;

  // Add (TFLite reference style): each input, offset by its zero point and shifted left by
  // add_left_shift, is rescaled by its multiplier to a common scale; the sum is rescaled by
  // requant[0] to the output grid.
  int32_t add_left_shift = 20;
  QuantizedMultiplier add_input_mult[2];

  // AvgPool: divide by the window count; count_include_pad counts padded taps (valued z).
  bool count_include_pad = false;

  // Lut: 2^k + 1 entries on the output grid and the interpolation shift s = b_x - k
  // (workloads/vector_rules.h). Mul: requant[0] = s_a s_b / s_y; the second input broadcasts to
  // the first. Concat: requant[i] = s_i / s_y per input, along per-sample axis concat_axis.
  std::vector<int32_t> table;
  int32_t lut_shift = 0;
  int32_t concat_axis = 0;

  bool on_array() const {
    return kind == LayerKind::Conv || kind == LayerKind::Depthwise || kind == LayerKind::Fc;
  }
  bool on_vector_unit() const {
    return kind == LayerKind::Lut || kind == LayerKind::Mul || kind == LayerKind::Concat;
  }
  int64_t out_channels() const { return weight_shape.empty() ? 0 : weight_shape[0]; }
};

struct Network {
  std::string name;
  int32_t acc_bits = 32;        // accumulator register width (wraps)
  std::vector<ActTensor> tensors;
  std::vector<Layer> layers;    // execution order
  int32_t input = 0;            // tensor id of the network input
  int32_t output = 0;           // tensor id of the network output (logits)

  // Checks every invariant the executors rely on (ids, shapes, sizes, bit widths, value ranges).
  // Throws InputError with `where` (a file name or "network") and the offending key.
  void validate(const std::string& where) const;
  int64_t macs_per_sample() const;
  // Per tensor, the index of the last layer that reads it (layers.size() for the output, -1 if
  // no layer reads it): executors free a value once that layer has run.
  std::vector<int> last_use() const;
};

// Output spatial size of a window along one axis.
inline int64_t window_out(int64_t in, int32_t k, int32_t stride, int32_t pad_a, int32_t pad_b) {
  return (in + pad_a + pad_b - k) / stride + 1;
}

}  // namespace qarray
