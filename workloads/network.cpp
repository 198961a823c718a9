#include "workloads/network.h"

#include <cmath>
#include <sstream>
#include <algorithm>

#include "workloads/vector_rules.h"

#include "base/errors.h"

namespace qarray {

namespace {
constexpr const char* kKindNames[] = {"conv", "depthwise", "fc", "add", "maxpool", "avgpool", "lut", "mul", "concat"};
constexpr int kKinds = 9;

// Collects the location prefix of a validation error: "<file>: layers[3] ('conv1').key: ...".
struct Where {
  std::string file;
  std::string item;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw InputError(file + ": " + item + (key.empty() ? "" : "." + key) + ": " + what);
  }
  void check(bool ok, const std::string& key, const std::string& what) const {
    if (!ok) fail(key, what);
  }
};

void check_window(const Where& at, const Window& w) {
  at.check(w.kh > 0 && w.kw > 0, "kernel", "must be positive");
  at.check(w.stride_h > 0 && w.stride_w > 0, "stride", "must be positive");
  at.check(w.pad_top >= 0 && w.pad_left >= 0 && w.pad_bottom >= 0 && w.pad_right >= 0, "pads",
           "must be non-negative");
}

void check_spatial_out(const Where& at, const Window& w, const Shape& in, const Shape& out,
                       int64_t out_c) {
  at.check(in.size() == 3, "input", "expects a {C,H,W} input, got " + shape_str(in));
  const int64_t oh = window_out(in[1], w.kh, w.stride_h, w.pad_top, w.pad_bottom);
  const int64_t ow = window_out(in[2], w.kw, w.stride_w, w.pad_left, w.pad_right);
  at.check(oh > 0 && ow > 0, "kernel", "window larger than the padded input " + shape_str(in));
  const Shape expect{out_c, oh, ow};
  at.check(out == expect, "output",
           "shape " + shape_str(out) + " should be " + shape_str(expect));
}

void check_mult(const Where& at, const std::string& key, const QuantizedMultiplier& m) {
  const bool zero = m.m0 == 0;
  at.check(zero || (m.m0 >= (1 << 30)), key, "M0 " + std::to_string(m.m0) + " not in [2^30, 2^31)");
  at.check(m.shift >= -31 && m.shift <= 30, key, "shift " + std::to_string(m.shift) +
                                                     " not in [-31, 30]");
}

void check_mac_layer(const Where& at, const Layer& l, const ActTensor& in, const ActTensor& out) {
  at.check(l.weight_bits >= 2 && l.weight_bits <= 16, "weight_bits",
           std::to_string(l.weight_bits) + " not in [2, 16]");
  at.check(num_elements(l.weight_shape) == static_cast<int64_t>(l.weights.size()) &&
               !l.weight_shape.empty(),
           "weights", "holds " + std::to_string(l.weights.size()) + " values for shape " +
                          shape_str(l.weight_shape));
  const int32_t qmax = weight_qmax(l.weight_bits);
  for (int32_t w : l.weights)
    at.check(w >= -qmax && w <= qmax, "weights",
             "value " + std::to_string(w) + " outside the " + std::to_string(l.weight_bits) +
                 "-bit grid [-" + std::to_string(qmax) + ", " + std::to_string(qmax) + "]");
  const int64_t oc = l.weight_shape[0];
  at.check(static_cast<int64_t>(l.bias.size()) == oc, "bias", "needs one value per output channel");
  at.check(l.requant.size() == 1 || static_cast<int64_t>(l.requant.size()) == oc, "requant",
           "needs 1 or " + std::to_string(oc) + " multipliers");
  for (const auto& m : l.requant) check_mult(at, "requant", m);
  if (l.kind == LayerKind::Fc) {
    at.check(l.weight_shape.size() == 2 && l.weight_shape[1] == num_elements(in.shape),
             "weight_shape", shape_str(l.weight_shape) + " does not match input " + shape_str(in.shape));
    at.check(out.shape == Shape{oc}, "output", "shape should be [" + std::to_string(oc) + "]");
    return;
  }
  check_window(at, l.window);
  at.check(in.shape.size() == 3, "input", "expects a {C,H,W} input");
  const int64_t ic = l.kind == LayerKind::Depthwise ? 1 : in.shape[0];
  const Shape expect{oc, ic, l.window.kh, l.window.kw};
  at.check(l.weight_shape == expect, "weight_shape",
           shape_str(l.weight_shape) + " should be " + shape_str(expect));
  if (l.kind == LayerKind::Depthwise)
    at.check(oc == in.shape[0], "weight_shape", "depthwise needs one filter per input channel");
  check_spatial_out(at, l.window, in.shape, out.shape, oc);
}
void check_vector_layer(const Where& at, const Layer& l, const std::vector<ActTensor>& tensors) {
  const ActTensor& in = tensors[l.inputs[0]];
  const ActTensor& out = tensors[l.output];
  if (l.kind == LayerKind::Lut) {
    at.check(in.shape == out.shape, "output", "a lookup keeps its input's shape " + shape_str(in.shape));
    const int k = std::min(in.quant.bits, kLutIndexBits);
    at.check(l.lut_shift == in.quant.bits - k, "lut_shift",
             std::to_string(l.lut_shift) + " should be " + std::to_string(in.quant.bits - k));
    at.check(l.table.size() == (size_t{1} << k) + 1, "table",
             "holds " + std::to_string(l.table.size()) + " entries, expected " + std::to_string((1 << k) + 1));
    for (int32_t v : l.table)
      at.check(v >= 0 && v <= act_qmax(out.quant.bits), "table", "entry " + std::to_string(v) + " outside the output grid");
    return;
  }
  for (const auto& m : l.requant) check_mult(at, "requant", m);
  if (l.kind == LayerKind::Mul) {
    const ActTensor& b = tensors[l.inputs[1]];
    at.check(l.requant.size() == 1, "requant", "mul needs exactly one multiplier");
    at.check(b.shape.size() == in.shape.size(), "inputs", "mul operands differ in rank");
    for (size_t d = 0; d < b.shape.size() && d < in.shape.size(); ++d)
      at.check(b.shape[d] == in.shape[d] || b.shape[d] == 1, "inputs",
               "second operand " + shape_str(b.shape) + " does not broadcast to " + shape_str(in.shape));
    at.check(out.shape == in.shape, "output", "shape should be " + shape_str(in.shape));
    return;
  }
  at.check(l.requant.size() == l.inputs.size(), "requant", "concat needs one multiplier per input");
  at.check(l.concat_axis >= 0 && l.concat_axis < static_cast<int32_t>(out.shape.size()), "concat_axis", "out of range");
  int64_t along = 0;
  for (int32_t t : l.inputs) {
    const Shape& s = tensors[t].shape;
    at.check(s.size() == out.shape.size(), "inputs", "concat operands differ in rank");
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int32_t>(d) != l.concat_axis)
        at.check(s[d] == out.shape[d], "inputs", "operand " + shape_str(s) + " differs from " + shape_str(out.shape));
    along += s[l.concat_axis];
  }
  at.check(along == out.shape[l.concat_axis], "output", "concat axis sums to " + std::to_string(along));
  for (const auto& m : l.requant) at.check(m.shift <= 30, "requant", "shift above 30");
}

}  // namespace

const char* layer_kind_name(LayerKind kind) { return kKindNames[static_cast<int>(kind)]; }

LayerKind parse_layer_kind(const std::string& name) {
  for (int i = 0; i < kKinds; ++i)
    if (name == kKindNames[i]) return static_cast<LayerKind>(i);
  throw InputError("unknown layer kind '" + name +
                   "' (expected conv, depthwise, fc, add, maxpool, avgpool, lut, mul, concat)");
}

void Network::validate(const std::string& where) const {
  Where net{where, "network"};
  net.check(acc_bits >= 2 && acc_bits <= 32, "acc_bits", std::to_string(acc_bits) + " not in [2, 32]");
  const int32_t nt = static_cast<int32_t>(tensors.size());
  net.check(nt > 0 && input >= 0 && input < nt, "input", "tensor id out of range");
  net.check(output >= 0 && output < nt, "output", "tensor id out of range");
  for (int32_t t = 0; t < nt; ++t) {
    const ActTensor& a = tensors[t];
    Where at{where, "tensors[" + std::to_string(t) + "] ('" + a.name + "')"};
    at.check(!a.shape.empty(), "shape", "is empty");
    for (int64_t d : a.shape) at.check(d > 0, "shape", "dimension " + std::to_string(d) + " is not positive");
    at.check(a.quant.bits >= 2 && a.quant.bits <= 16, "bits", std::to_string(a.quant.bits) + " not in [2, 16]");
    at.check(a.quant.scale > 0 && std::isfinite(a.quant.scale), "scale", "must be positive and finite");
    at.check(a.quant.zero_point >= 0 && a.quant.zero_point <= act_qmax(a.quant.bits), "zero_point",
             std::to_string(a.quant.zero_point) + " outside the activation grid");
  }
  std::vector<bool> produced(nt, false);
  produced[input] = true;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    Where at{where, "layers[" + std::to_string(i) + "] ('" + l.name + "')"};
    const size_t want = l.kind == LayerKind::Add || l.kind == LayerKind::Mul ? 2 : 1;
    if (l.kind == LayerKind::Concat)
      at.check(l.inputs.size() >= 1, "inputs", "needs at least one input tensor");
    else
      at.check(l.inputs.size() == want, "inputs", "needs " + std::to_string(want) + " input tensor(s)");
    for (int32_t t : l.inputs) {
      at.check(t >= 0 && t < nt, "inputs", "tensor id " + std::to_string(t) + " out of range");
      at.check(produced[t], "inputs", "tensor " + std::to_string(t) + " is read before it is produced");
    }
    at.check(l.output >= 0 && l.output < nt, "output", "tensor id out of range");
    at.check(!produced[l.output], "output", "tensor " + std::to_string(l.output) + " is produced twice");
    produced[l.output] = true;
    const ActTensor& in = tensors[l.inputs[0]];
    const ActTensor& out = tensors[l.output];
    at.check(l.clamp_lo <= l.clamp_hi && l.clamp_lo >= 0 && l.clamp_hi <= act_qmax(out.quant.bits),
             "clamp", "[" + std::to_string(l.clamp_lo) + ", " + std::to_string(l.clamp_hi) +
                          "] is not inside the output grid");
    switch (l.kind) {
      case LayerKind::Conv:
      case LayerKind::Depthwise:
      case LayerKind::Fc:
        check_mac_layer(at, l, in, out);
        break;
      case LayerKind::Add: {
        const ActTensor& b = tensors[l.inputs[1]];
        at.check(in.shape == b.shape && in.shape == out.shape, "inputs", "add operands and output differ in shape");
        const int bits = std::max(in.quant.bits, b.quant.bits);
        at.check(l.add_left_shift >= 0 && l.add_left_shift <= 29 - bits, "add_left_shift",
                 std::to_string(l.add_left_shift) + " not in [0, " + std::to_string(29 - bits) + "]");
        at.check(l.requant.size() == 1, "requant", "add needs exactly one output multiplier");
        check_mult(at, "requant", l.requant[0]);
        for (const auto& m : l.add_input_mult) {
          check_mult(at, "input_mult", m);
          at.check(m.shift <= 0, "input_mult", "input multipliers must be below 1");
        }
        break;
      }
      case LayerKind::Lut:
      case LayerKind::Mul:
      case LayerKind::Concat:
        check_vector_layer(at, l, tensors);
        break;
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        check_window(at, l.window);
        check_spatial_out(at, l.window, in.shape, out.shape, in.shape.empty() ? 0 : in.shape[0]);
        at.check(in.quant.scale == out.quant.scale && in.quant.zero_point == out.quant.zero_point &&
                     in.quant.bits == out.quant.bits,
                 "output", "a pool's output grid must equal its input grid");
        break;
    }
  }
  net.check(produced[output], "output", "tensor is never produced");
}

std::vector<int> Network::last_use() const {
  std::vector<int> last(tensors.size(), -1);
  for (size_t i = 0; i < layers.size(); ++i)
    for (int32_t t : layers[i].inputs) last[t] = static_cast<int>(i);
  last[output] = static_cast<int>(layers.size());
  return last;
}

int64_t Network::macs_per_sample() const {
  int64_t macs = 0;
  for (const Layer& l : layers) {
    if (!l.on_array()) continue;
    const int64_t per_out = num_elements(l.weight_shape) / l.weight_shape[0];
    macs += per_out * num_elements(tensors[l.output].shape);
  }
  return macs;
}

}  // namespace qarray
