#include "workloads/lowering.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "base/errors.h"
#include "models/unary.h"
#include "workloads/lut.h"

namespace qarray {
namespace {

struct Lowerer {
  const Graph& g;
  const RangeTable& ranges;
  const QuantSpec& spec;
  const std::map<std::string, FixedWeights>& fixed;
  Network net;
  std::map<std::string, int32_t> tensor_of;  // graph value -> tensor id (views included)
  std::vector<bool> fused;                   // node index -> absorbed into its producer

  [[noreturn]] void unsupported(const Node& n, const std::string& why) const {
    throw UnsupportedError(std::string("cannot lower ") + op_name(n.op) + " node '" + n.name +
                           "': " + why);
  }

  ActQuant quant_of(const std::string& value) const {
    const auto it = ranges.find(value);
    if (it == ranges.end()) throw InputError("no calibration range for value '" + value + "'");
    return act_quant_from_range(it->second.lo, it->second.hi, spec.act_bits);
  }

  int32_t add_tensor(const std::string& value, const ActQuant& q) {
    net.tensors.push_back({value, g.shapes.at(value), q});
    const int32_t id = static_cast<int32_t>(net.tensors.size() - 1);
    tensor_of[value] = id;
    return id;
  }

  // Tensor id of a node's data input; a viewed tensor may only feed a layer that agrees with
  // its shape (fc flattens anyway).
  int32_t input_of(const Node& n, size_t i, bool flattening) const {
    const auto it = tensor_of.find(n.inputs.at(i));
    if (it == tensor_of.end()) unsupported(n, "input '" + n.inputs.at(i) + "' is not produced by a lowered layer");
    const Shape& have = net.tensors[it->second].shape;
    if (!flattening && have != g.shapes.at(n.inputs[i]))
      unsupported(n, "input '" + n.inputs[i] + "' is a reshaped view " + shape_str(g.shapes.at(n.inputs[i])) +
                         " of " + shape_str(have));
    return it->second;
  }

  // The Relu/Clip that is the only reader of node n's output, or -1.
  int fused_activation(const Node& n) const {
    const std::vector<int> readers = g.consumers(n.outputs[0]);
    if (readers.size() != 1 || readers[0] < 0) return -1;
    const OpType op = g.nodes[readers[0]].op;
    return op == OpType::Relu || op == OpType::Clip ? readers[0] : -1;
  }

  // Creates the output tensor of a layer (after its fused activation) and sets the clamp.
  void finish_output(const Node& n, Layer& l) {
    const int act = fused_activation(n);
    const std::string value = act >= 0 ? g.nodes[act].outputs[0] : n.outputs[0];
    const ActQuant q = quant_of(value);
    l.output = add_tensor(value, q);
    l.clamp_lo = 0;
    l.clamp_hi = act_qmax(q.bits);
    if (act >= 0) {
      fused[act] = true;
      const Node& a = g.nodes[act];
      const float lo = a.op == OpType::Relu ? 0.0f : a.clip_min;
      const float hi = a.op == OpType::Relu ? INFINITY : a.clip_max;
      if (std::isfinite(lo)) l.clamp_lo = q.quantize(lo);
      if (std::isfinite(hi)) l.clamp_hi = q.quantize(hi);
    }
  }

  void quantize_weights(const Node& n, const std::vector<float>& w, int64_t oc, Layer& l) {
    l.weight_bits = spec.weight_bits;
    if (const auto it = fixed.find(n.name); it != fixed.end()) {
      l.weights = it->second.q;
      l.weight_scale = it->second.scale;
      return;
    }
    const int64_t per = static_cast<int64_t>(w.size()) / oc;
    std::vector<double> amax(spec.per_channel ? oc : 1, 0.0);
    for (int64_t c = 0; c < oc; ++c)
      for (int64_t j = 0; j < per; ++j) {
        double& m = amax[spec.per_channel ? c : 0];
        m = std::max(m, std::fabs(static_cast<double>(w[c * per + j])));
      }
    for (double a : amax) l.weight_scale.push_back(weight_scale_from_absmax(a, spec.weight_bits));
    l.weights.resize(w.size());
    for (int64_t c = 0; c < oc; ++c) {
      const double s = l.weight_scale[spec.per_channel ? c : 0];
      for (int64_t j = 0; j < per; ++j) l.weights[c * per + j] = quantize_weight(w[c * per + j], s, l.weight_bits);
    }
  }

  // Bias fold and multipliers of a MAC layer whose weights, input and output are set.
  void output_stage(const Node& n, const std::vector<float>& bias, Layer& l) {
    const ActQuant& x = net.tensors[l.inputs[0]].quant;
    const ActQuant& y = net.tensors[l.output].quant;
    const int64_t oc = l.weight_shape[0];
    const int64_t per = static_cast<int64_t>(l.weights.size()) / oc;
    const bool per_channel = l.weight_scale.size() != 1;
    for (int64_t c = 0; c < oc; ++c) {
      const double sw = l.weight_scale[per_channel ? c : 0];
      int64_t wsum = 0;
      for (int64_t j = 0; j < per; ++j) wsum += l.weights[c * per + j];
      const int64_t rounded = round_half_away(bias[c] / (sw * x.scale));
      const int64_t folded = rounded - int64_t{x.zero_point} * wsum;
      if (folded < INT32_MIN || folded > INT32_MAX)
        unsupported(n, "folded bias of channel " + std::to_string(c) + " does not fit in 32 bits: round(b/(s_w*s_x)) "
                           "- z_x*sum(w_q) = " + std::to_string(rounded) + " - " + std::to_string(x.zero_point) + "*" +
                           std::to_string(wsum) + " = " + std::to_string(folded));
      l.bias.push_back(static_cast<int32_t>(folded));
      if (per_channel || c == 0) l.requant.push_back(quantize_multiplier(sw * x.scale / y.scale));
    }
  }

  // Conv weights as the array runs them: a grouped conv (depthwise with a channel multiplier
  // included) as a dense conv whose weights are zero outside each output channel's group, and a
  // dilated kernel as a dense kernel with zero taps between the real ones. The zeros are exact
  // (0 * x adds nothing), so the array and its RTL co-simulation compute the layer unchanged;
  // they cost MACs, which the counters include.
  std::vector<float> dense_conv_weights(const Node& n, const Tensor& w, int64_t ic, Shape& shape) const {
    const int64_t oc = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3), og = oc / n.group;
    const int64_t dh = n.dilations[0], dw = n.dilations[1];
    const int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    shape = {oc, ic, eh, ew};
    std::vector<float> d(num_elements(shape), 0.0f);
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            d[((o * ic + (o / og) * cg + c) * eh + i * dh) * ew + j * dw] = w.data[((o * cg + c) * kh + i) * kw + j];
    return d;
  }

  void lower_conv(const Node& n) {
    Layer l;
    l.name = n.name;
    const Tensor& w = g.init(n.inputs[1]);
    if (n.window_1d || g.shapes.at(n.inputs[0]).size() != 3) unsupported(n, "only 2-D convolutions on {C,H,W} run on the array");
    const int64_t oc = w.dim(0), ic = g.shapes.at(n.inputs[0]).at(0);
    const bool depthwise = n.group == ic && oc == ic && n.dilations == std::vector<int64_t>{1, 1};
    const bool dense = !depthwise && (n.group != 1 || n.dilations != std::vector<int64_t>{1, 1});
    l.kind = depthwise ? LayerKind::Depthwise : LayerKind::Conv;
    Shape shape = w.shape;
    const std::vector<float> weights = dense ? dense_conv_weights(n, w, ic, shape) : w.data;
    l.window = {static_cast<int32_t>(shape[2]), static_cast<int32_t>(shape[3]),
                static_cast<int32_t>(n.strides[0]), static_cast<int32_t>(n.strides[1]),
                static_cast<int32_t>(n.pads[0]), static_cast<int32_t>(n.pads[1]),
                static_cast<int32_t>(n.pads[2]), static_cast<int32_t>(n.pads[3])};
    l.inputs = {input_of(n, 0, false)};
    l.weight_shape = shape;
    quantize_weights(n, weights, oc, l);
    finish_output(n, l);
    std::vector<float> bias(oc, 0.0f);
    if (n.inputs.size() >= 3 && !n.inputs[2].empty()) bias = g.init(n.inputs[2]).data;
    output_stage(n, bias, l);
    net.layers.push_back(std::move(l));
  }

  void lower_fc(const Node& n) {
    if (n.op == OpType::Gemm && n.trans_a) unsupported(n, "transA=1 is not supported");
    if (g.shapes.at(n.outputs[0]).size() != 1) unsupported(n, "only a MatMul on per-sample vectors {K} runs on the array");
    const Tensor& b = g.init(n.inputs[1]);
    const bool stored_oc_major = n.op == OpType::Gemm && n.trans_b;
    const int64_t oc = stored_oc_major ? b.dim(0) : b.dim(1), k = b.size() / oc;
    const float alpha = n.op == OpType::Gemm ? n.alpha : 1.0f;
    std::vector<float> w(b.size());
    for (int64_t c = 0; c < oc; ++c)
      for (int64_t j = 0; j < k; ++j) w[c * k + j] = alpha * (stored_oc_major ? b.data[c * k + j] : b.data[j * oc + c]);
    Layer l;
    l.name = n.name;
    l.kind = LayerKind::Fc;
    l.inputs = {input_of(n, 0, true)};
    l.weight_shape = {oc, k};
    quantize_weights(n, w, oc, l);
    finish_output(n, l);
    std::vector<float> bias(oc, 0.0f);
    if (n.op == OpType::Gemm && n.inputs.size() >= 3 && !n.inputs[2].empty()) {
      const Tensor& c = g.init(n.inputs[2]);
      if (c.size() != oc) unsupported(n, "bias C must hold one value per output");
      for (int64_t i = 0; i < oc; ++i) bias[i] = n.beta * c.data[i];
    }
    output_stage(n, bias, l);
    net.layers.push_back(std::move(l));
  }

  void lower_add(const Node& n) {
    Layer l;
    l.name = n.name;
    l.kind = LayerKind::Add;
    l.inputs = {input_of(n, 0, false), input_of(n, 1, false)};
    finish_output(n, l);
    const double s1 = net.tensors[l.inputs[0]].quant.scale, s2 = net.tensors[l.inputs[1]].quant.scale;
    const double sy = net.tensors[l.output].quant.scale;
    l.add_left_shift = std::min(20, 29 - spec.act_bits);
    const double twice_max = 2.0 * std::max(s1, s2);
    l.add_input_mult[0] = quantize_multiplier(s1 / twice_max);
    l.add_input_mult[1] = quantize_multiplier(s2 / twice_max);
    l.requant = {quantize_multiplier(twice_max / (std::ldexp(1.0, l.add_left_shift) * sy))};
    net.layers.push_back(std::move(l));
  }

  void lower_pool(const Node& n) {
    Layer l;
    l.name = n.name;
    l.kind = n.op == OpType::MaxPool || n.op == OpType::GlobalMaxPool ? LayerKind::MaxPool : LayerKind::AvgPool;
    l.inputs = {input_of(n, 0, false)};
    const Shape& in = g.shapes.at(n.inputs[0]);
    if (in.size() != 3 || n.window_1d) unsupported(n, "only 2-D pools on {C,H,W} run on the post-processing unit");
    if (n.ceil_mode) unsupported(n, "ceil_mode=1 has no integer rule");
    if (n.op == OpType::GlobalAveragePool || n.op == OpType::GlobalMaxPool) {
      l.window = {static_cast<int32_t>(in[1]), static_cast<int32_t>(in[2]), 1, 1, 0, 0, 0, 0};
    } else {
      if (n.dilations != std::vector<int64_t>{1, 1}) unsupported(n, "dilation is not supported");
      l.window = {static_cast<int32_t>(n.kernel[0]), static_cast<int32_t>(n.kernel[1]),
                  static_cast<int32_t>(n.strides[0]), static_cast<int32_t>(n.strides[1]),
                  static_cast<int32_t>(n.pads[0]), static_cast<int32_t>(n.pads[1]),
                  static_cast<int32_t>(n.pads[2]), static_cast<int32_t>(n.pads[3])};
    }
    l.count_include_pad = n.count_include_pad;
    const ActQuant q = net.tensors[l.inputs[0]].quant;  // pools keep the input grid
    l.output = add_tensor(n.outputs[0], q);
    l.clamp_lo = 0;
    l.clamp_hi = act_qmax(q.bits);
    net.layers.push_back(std::move(l));
  }

  // An element-wise function of one input as a lookup table (workloads/vector_rules.h "lut").
  void lower_lut(const Node& n, const std::string& data, const std::function<double(double)>& f) {
    Layer l;
    l.name = n.name;
    l.kind = LayerKind::Lut;
    Node probe = n;
    probe.inputs = {data};
    l.inputs = {input_of(probe, 0, false)};
    finish_output(n, l);
    const LutTable t = build_lut(f, net.tensors[l.inputs[0]].quant, net.tensors[l.output].quant,
                                 std::string(op_name(n.op)) + " node '" + n.name + "'");
    l.table = t.table;
    l.lut_shift = t.shift;
    net.layers.push_back(std::move(l));
  }

  // A binary op with one scalar constant operand is a function of the other: a table.
  bool lower_scalar_binary(const Node& n) {
    const bool c0 = g.is_init(n.inputs[0]), c1 = g.is_init(n.inputs[1]);
    if (c0 == c1) return false;
    const Tensor& c = g.init(n.inputs[c0 ? 0 : 1]);
    if (c.size() != 1) return false;
    const double k = c.data[0];
    const OpType op = n.op;
    lower_lut(n, n.inputs[c0 ? 1 : 0], [=](double x) {
      const double a = c0 ? k : x, b = c0 ? x : k;
      switch (op) {
        case OpType::Add: return a + b;
        case OpType::Sub: return a - b;
        case OpType::Mul: return a * b;
        case OpType::Div: return a / b;
        default: return a < 0 ? b * a : a;  // PRelu with one slope
      }
    });
    return true;
  }

  void lower_mul(const Node& n) {
    Layer l;
    l.name = n.name;
    l.kind = LayerKind::Mul;
    int32_t a = input_of(n, 0, false), b = input_of(n, 1, false);
    if (net.tensors[a].shape != g.shapes.at(n.outputs[0])) std::swap(a, b);  // b broadcasts to a
    if (net.tensors[a].shape != g.shapes.at(n.outputs[0]))
      unsupported(n, "neither operand has the output's shape (both would broadcast)");
    l.inputs = {a, b};
    finish_output(n, l);
    const double m = net.tensors[a].quant.scale * net.tensors[b].quant.scale / net.tensors[l.output].quant.scale;
    l.requant = {quantize_multiplier(m)};
    net.layers.push_back(std::move(l));
  }

  void lower_concat(const Node& n) {
    Layer l;
    l.name = n.name;
    l.kind = LayerKind::Concat;
    for (size_t i = 0; i < n.inputs.size(); ++i) l.inputs.push_back(input_of(n, i, false));
    l.concat_axis = static_cast<int32_t>(n.axis);
    const ActQuant q = quant_of(n.outputs[0]);
    l.output = add_tensor(n.outputs[0], q);
    l.clamp_lo = 0;
    l.clamp_hi = act_qmax(q.bits);
    for (int32_t t : l.inputs) l.requant.push_back(quantize_multiplier(net.tensors[t].quant.scale / q.scale));
    net.layers.push_back(std::move(l));
  }

  void run() {
    net.name = g.name;
    net.acc_bits = spec.acc_bits;
    fused.assign(g.nodes.size(), false);
    if (!g.more_inputs.empty()) throw UnsupportedError("the integer path takes one graph input; the graph has " +
                                                      std::to_string(g.input_count()));
    if (g.whole_tensors) throw UnsupportedError("the integer path needs a graph whose samples are batched (this one acts across the batch axis)");
    net.input = add_tensor(g.input, quant_of(g.input));
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      if (fused[i]) continue;
      switch (n.op) {
        case OpType::Conv: lower_conv(n); break;
        case OpType::Gemm:
        case OpType::MatMul: lower_fc(n); break;
        case OpType::Add:
          if (!lower_scalar_binary(n)) lower_add(n);
          break;
        case OpType::MaxPool:
        case OpType::AveragePool:
        case OpType::GlobalAveragePool:
        case OpType::GlobalMaxPool: lower_pool(n); break;
        case OpType::Concat: lower_concat(n); break;
        case OpType::Flatten:
        case OpType::Reshape:
        case OpType::Squeeze:
        case OpType::Unsqueeze:
        case OpType::Identity:
        case OpType::Dropout: {
          const auto it = tensor_of.find(n.inputs[0]);
          if (it == tensor_of.end()) unsupported(n, "input is not produced by a lowered layer");
          tensor_of[n.outputs[0]] = it->second;
          break;
        }
        case OpType::BatchNorm: unsupported(n, "it does not follow a Conv/Gemm it could be folded into");
        default:
          if (is_unary(n.op)) {
            lower_lut(n, n.inputs[0], [&n](double x) { return unary_value(n, x); });
          } else if (is_binary(n.op) && lower_scalar_binary(n)) {
          } else if (n.op == OpType::Mul) {
            lower_mul(n);
          } else {
            unsupported(n, is_binary(n.op) ? "only Mul of two activations, or an op with one scalar constant, has an integer rule"
                                           : "the op has no integer rule");
          }
      }
    }
    const auto out = tensor_of.find(g.output);
    if (out == tensor_of.end()) throw UnsupportedError("graph output '" + g.output + "' is not produced by a layer");
    net.output = out->second;
  }
};

}  // namespace

void QuantSpec::validate() const {
  if (weight_bits < 2 || weight_bits > 16)
    throw InputError("weight bit width " + std::to_string(weight_bits) + " is outside [2, 16]");
  if (act_bits < 2 || act_bits > 16)
    throw InputError("activation bit width " + std::to_string(act_bits) + " is outside [2, 16]");
  if (acc_bits < 2 || acc_bits > 32)
    throw InputError("accumulator width " + std::to_string(acc_bits) + " is outside [2, 32]");
}

Network lower_graph(const Graph& folded, const RangeTable& ranges, const QuantSpec& spec,
                    const std::map<std::string, FixedWeights>& fixed) {
  spec.validate();
  Lowerer lw{folded, ranges, spec, fixed, {}, {}, {}};
  lw.run();
  lw.net.validate("lowered network '" + folded.name + "'");
  return std::move(lw.net);
}

}  // namespace qarray
