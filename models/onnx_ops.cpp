// Per-op translation of ONNX nodes into the graph IR: attributes with their ONNX defaults (by
// opset), constant inputs (Clip bounds, Reshape target, Squeeze axes, Slice ranges, Pad amounts,
// Resize scales) resolved onto the node, file axes turned into per-sample axes, and the
// attribute values qarray does not implement rejected by name.
#include <algorithm>
#include <cmath>
#include <limits>

#include "base/errors.h"
#include "models/onnx_import.h"
#include "models/onnx_loader.h"

namespace qarray {
namespace {

const std::map<std::string, OpType>& op_table() {
  static const std::map<std::string, OpType> table = [] {
    std::map<std::string, OpType> t;
    for (int i = 0; i < kOpTypeCount; ++i) t[op_name(static_cast<OpType>(i))] = static_cast<OpType>(i);
    t["Upsample"] = OpType::Resize;
    return t;
  }();
  return table;
}

class Attrs {
 public:
  Attrs(const onnx::NodeProto& proto, const Node& node) : proto_(proto), node_(node) {}

  const onnx::AttributeProto* find(const char* name) const {
    for (const auto& a : proto_.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  int64_t i(const char* name, int64_t def) const {
    const auto* a = find(name);
    return a ? a->i() : def;
  }
  float f(const char* name, float def) const {
    const auto* a = find(name);
    return a ? a->f() : def;
  }
  std::string s(const char* name, const std::string& def) const {
    const auto* a = find(name);
    return a ? a->s() : def;
  }
  std::vector<int64_t> ints(const char* name, std::vector<int64_t> def) const {
    const auto* a = find(name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
  }
  std::string where() const { return std::string(op_name(node_.op)) + " at node '" + node_.name + "'"; }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(where() + ": " + what + " is not supported");
  }
  [[noreturn]] void batch_axis(const std::string& what) const {
    throw BatchAxisError(where() + ": " + what + " acts across the batch axis");
  }

 private:
  const onnx::NodeProto& proto_;
  const Node& node_;
};

const Shape& in_shape(const ImportContext& ctx, const Node& node, size_t i) {
  static const Shape none;
  if (node.inputs.size() <= i) return none;
  const auto it = ctx.graph.shapes.find(node.inputs[i]);
  if (it != ctx.graph.shapes.end()) return it->second;
  if (ctx.graph.is_init(node.inputs[i])) return ctx.graph.init(node.inputs[i]).shape;
  return none;
}

// An integer constant input (Reshape shape, Squeeze axes, Slice starts, Pad pads, ...).
std::vector<int64_t> const_ints(const Attrs& a, const ImportContext& ctx, const Node& node, size_t i,
                                const char* what, const IntConst** c = nullptr) {
  const auto it = ctx.ints.find(node.inputs.at(i));
  if (it == ctx.ints.end()) {
    if (ctx.graph.is_init(node.inputs[i])) {
      std::vector<int64_t> v;
      for (float x : ctx.graph.init(node.inputs[i]).data) {
        if (!(std::fabs(x) < 9.2e18f)) a.unsupported(std::string(what) + " value " + std::to_string(x));
        v.push_back(static_cast<int64_t>(x));
      }
      return v;
    }
    a.unsupported(std::string(what) + " '" + node.inputs[i] + "' that is not a constant");
  }
  if (c) *c = &it->second;
  else if (it->second.depends_on_batch()) a.batch_axis(std::string(what) + " computed from the batch size");
  return it->second.v;
}

// Pads, sizes, slice bounds beyond 2^31 are malformed (and would overflow shape arithmetic).
void check_extent(const Attrs& a, const std::vector<int64_t>& v, const char* what) {
  for (int64_t x : v)
    if (x > (int64_t{1} << 31) || x < -(int64_t{1} << 31))
      if (std::string(what) != "ends" && std::string(what) != "starts")
        throw InputError(a.where() + ": " + what + " value " + std::to_string(x) + " is out of range");
}

std::vector<float> const_floats(const Attrs& a, const ImportContext& ctx, const Node& node, size_t i, const char* what) {
  if (!ctx.graph.is_init(node.inputs.at(i))) {
    if (ctx.ints.count(node.inputs[i])) {
      std::vector<float> v;
      for (int64_t x : ctx.ints.at(node.inputs[i]).v) v.push_back(static_cast<float>(x));
      return v;
    }
    a.unsupported(std::string(what) + " '" + node.inputs[i] + "' that is not a constant");
  }
  return ctx.graph.init(node.inputs[i]).data;
}

bool has_input(const Node& node, size_t i) { return node.inputs.size() > i && !node.inputs[i].empty(); }

// Kernel, strides, pads, dilations of Conv and the pools; 1-D windows become 1 x k.
void read_window(const Attrs& a, Node& node, int64_t kernel_rank) {
  node.auto_pad = a.s("auto_pad", "NOTSET");
  if (node.auto_pad.empty()) node.auto_pad = "NOTSET";
  if (node.auto_pad != "NOTSET" && node.auto_pad != "VALID" && node.auto_pad != "SAME_UPPER" &&
      node.auto_pad != "SAME_LOWER")
    a.unsupported("auto_pad=" + node.auto_pad);
  node.ceil_mode = a.i("ceil_mode", 0) != 0;
  std::vector<int64_t> k = a.ints("kernel_shape", node.kernel);
  if (k.empty() && kernel_rank > 0) a.unsupported("a missing kernel_shape");
  const size_t r = k.size();
  if (r != 1 && r != 2) a.unsupported("kernel_shape " + shape_str(k) + " (" + std::to_string(r) + "-D)");
  std::vector<int64_t> s = a.ints("strides", std::vector<int64_t>(r, 1));
  std::vector<int64_t> p = a.ints("pads", std::vector<int64_t>(2 * r, 0));
  std::vector<int64_t> d = a.ints("dilations", std::vector<int64_t>(r, 1));
  if (s.size() != r || p.size() != 2 * r || d.size() != r)
    throw InputError(a.where() + ": strides/pads/dilations do not match kernel_shape " + shape_str(k));
  if (r == 1) {
    node.window_1d = true;
    node.kernel = {1, k[0]};
    node.strides = {1, s[0]};
    node.pads = {0, p[0], 0, p[1]};
    node.dilations = {1, d[0]};
  } else {
    node.kernel = k;
    node.strides = s;
    node.pads = p;
    node.dilations = d;
  }
}

void read_conv(const Attrs& a, ImportContext& ctx, Node& node) {
  node.group = a.i("group", 1);
  if (node.inputs.size() < 2 || !ctx.graph.is_init(node.inputs[1])) a.unsupported("a weight that is not a constant");
  Tensor& w = ctx.graph.initializers[node.inputs[1]];
  if (w.shape.size() == 3) {  // Conv1d: [M, C/g, k] -> [M, C/g, 1, k]
    w.shape.insert(w.shape.begin() + 2, 1);
    node.kernel = {w.shape[3]};
  } else if (w.shape.size() == 4) {
    node.kernel = {w.shape[2], w.shape[3]};
  }
  read_window(a, node, 2);
  if (node.window_1d && w.shape.size() == 4 && w.shape[2] == 1) node.kernel = {1, w.shape[3]};
  if (has_input(node, 2) && !ctx.graph.is_init(node.inputs[2])) a.unsupported("a bias that is not a constant");
}

// A scalar Clip bound given as an optional input: an initializer or a folded Constant.
float clip_bound(const Attrs& a, const ImportContext& ctx, const Node& node, size_t i, float def) {
  if (!has_input(node, i)) return def;
  const std::vector<float> v = const_floats(a, ctx, node, i, "bound");
  if (v.size() != 1) a.unsupported("bound '" + node.inputs[i] + "' with " + std::to_string(v.size()) + " values");
  return v[0];
}

void read_clip(const Attrs& a, const ImportContext& ctx, Node& node) {
  const float inf = std::numeric_limits<float>::infinity();
  node.clip_min = a.f("min", clip_bound(a, ctx, node, 1, -inf));  // opset < 11: attributes
  node.clip_max = a.f("max", clip_bound(a, ctx, node, 2, inf));
  node.inputs.resize(1);
}

void read_reshape(const Attrs& a, const ImportContext& ctx, Node& node) {
  if (node.inputs.size() != 2) throw InputError(a.where() + ": expected inputs (data, shape)");
  const IntConst* c = nullptr;
  node.reshape = const_ints(a, ctx, node, 1, "shape", &c);
  const bool allowzero = a.i("allowzero", 0) != 0;
  if (allowzero && std::find(node.reshape.begin(), node.reshape.end(), 0) != node.reshape.end())
    a.unsupported("allowzero=1 with a 0 in the shape");
  if (c && c->depends_on_batch()) {
    for (size_t k = 0; k < node.reshape.size(); ++k) {
      const uint8_t m = c->batch[k];
      if (m == 1 && k == 0) node.reshape[0] = 0;  // the batch size, kept
      else if (m) a.batch_axis("shape element " + std::to_string(k) + " computed from the batch size");
    }
  }
  node.inputs.resize(1);
}

// Per-sample axes of file axes (a rank-`rank` per-sample value; file rank = rank + 1 unless whole).
std::vector<int64_t> sample_axes(const Attrs& a, const ImportContext& ctx, const std::vector<int64_t>& axes, size_t rank) {
  std::vector<int64_t> out;
  for (int64_t x : axes) {
    try {
      out.push_back(ctx.axis(x, rank, a.where()));
    } catch (const BatchAxisError&) {
      a.batch_axis("axis " + std::to_string(x));
    }
  }
  return out;
}

void read_squeeze(const Attrs& a, const ImportContext& ctx, Node& node) {
  std::vector<int64_t> axes = a.ints("axes", {});
  if (ctx.opset >= 13 && has_input(node, 1)) axes = const_ints(a, ctx, node, 1, "axes");
  node.inputs.resize(1);
  const Shape& x = in_shape(ctx, node, 0);
  if (node.op == OpType::Squeeze) {
    if (axes.empty() && !ctx.graph.whole_tensors) a.batch_axis("Squeeze without axes");
    node.axes = sample_axes(a, ctx, axes, x.size());
  } else {
    node.axes = sample_axes(a, ctx, axes, x.size() + axes.size());
  }
  std::sort(node.axes.begin(), node.axes.end());
}

void read_slice(const Attrs& a, const ImportContext& ctx, Node& node) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = a.ints("starts", {});
    ends = a.ints("ends", {});
    axes = a.ints("axes", {});
  } else {
    if (node.inputs.size() < 3) throw InputError(a.where() + ": expected inputs (data, starts, ends)");
    starts = const_ints(a, ctx, node, 1, "starts");
    ends = const_ints(a, ctx, node, 2, "ends");
    if (has_input(node, 3)) axes = const_ints(a, ctx, node, 3, "axes");
    if (has_input(node, 4)) steps = const_ints(a, ctx, node, 4, "steps");
  }
  node.inputs.resize(1);
  const Shape& x = in_shape(ctx, node, 0);
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw InputError(a.where() + ": starts, ends, axes and steps differ in length");
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax;
    try {
      ax = ctx.axis(axes[k], x.size(), a.where());
    } catch (const BatchAxisError&) {
      if (starts[k] == 0 && ends[k] >= std::numeric_limits<int32_t>::max() && steps[k] == 1) continue;  // all of it
      a.batch_axis("slicing axis 0");
    }
    if (steps[k] == 0 || steps[k] > (int64_t{1} << 31) || steps[k] < -(int64_t{1} << 31))
      throw InputError(a.where() + ": step " + std::to_string(steps[k]) + " is out of range");
    node.axes.push_back(ax);
    node.starts.push_back(starts[k]);
    node.ends.push_back(ends[k]);
    node.steps.push_back(steps[k]);
  }
}

void read_pad(const Attrs& a, const ImportContext& ctx, Node& node) {
  node.pad_mode = a.s("mode", "constant");
  if (node.pad_mode != "constant" && node.pad_mode != "reflect" && node.pad_mode != "edge")
    a.unsupported("mode=" + node.pad_mode);
  std::vector<int64_t> pads;
  if (ctx.opset < 11) {
    pads = a.ints("pads", {});
    node.pad_value = a.f("value", 0.0f);
  } else {
    if (!has_input(node, 1)) throw InputError(a.where() + ": expected the pads input");
    pads = const_ints(a, ctx, node, 1, "pads");
    if (has_input(node, 2)) {
      const std::vector<float> v = const_floats(a, ctx, node, 2, "constant_value");
      if (v.size() != 1) a.unsupported("a constant_value of " + std::to_string(v.size()) + " values");
      node.pad_value = v[0];
    }
    if (has_input(node, 3)) a.unsupported("the axes input");
  }
  node.inputs.resize(1);
  const Shape& x = in_shape(ctx, node, 0);
  check_extent(a, pads, "pads");
  const size_t off = ctx.graph.whole_tensors ? 0 : 1, full = x.size() + off;
  if (pads.size() != 2 * full)
    throw InputError(a.where() + ": pads has " + std::to_string(pads.size()) + " values, expected " + std::to_string(2 * full));
  if (off && (pads[0] != 0 || pads[full] != 0)) a.batch_axis("padding axis 0");
  for (size_t k = off; k < full; ++k) node.pad_amounts.push_back(pads[k]);
  for (size_t k = off; k < full; ++k) node.pad_amounts.push_back(pads[full + k]);
  for (int64_t p : node.pad_amounts)
    if (p < 0) a.unsupported("a negative pad (cropping)");
}

void read_resize(const Attrs& a, const ImportContext& ctx, Node& node, const std::string& op_type) {
  std::string mode = a.s("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear") a.unsupported("mode=" + mode);
  node.resize_mode = mode == "nearest" ? "nearest" : "linear";
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  if (op_type == "Upsample" || ctx.opset < 11) {
    node.coordinate_mode = "asymmetric";
    node.nearest_mode = "floor";
    if (op_type == "Upsample" && ctx.opset < 9) scales = a.ints("scales", {}).empty() ? std::vector<float>{} : std::vector<float>{};
    if (const auto* s = a.find("scales")) scales.assign(s->floats().begin(), s->floats().end());
    if (scales.empty()) {
      if (!has_input(node, 1)) throw InputError(a.where() + ": expected scales");
      scales = const_floats(a, ctx, node, 1, "scales");
    }
  } else {
    node.coordinate_mode = a.s("coordinate_transformation_mode", "half_pixel");
    node.nearest_mode = a.s("nearest_mode", "round_prefer_floor");
    static const std::set<std::string> kCoord = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"};
    if (!kCoord.count(node.coordinate_mode)) a.unsupported("coordinate_transformation_mode=" + node.coordinate_mode);
    static const std::set<std::string> kNearest = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    if (!kNearest.count(node.nearest_mode)) a.unsupported("nearest_mode=" + node.nearest_mode);
    if (has_input(node, 2)) scales = const_floats(a, ctx, node, 2, "scales");
    if (has_input(node, 3)) sizes = const_ints(a, ctx, node, 3, "sizes");
    check_extent(a, sizes, "sizes");
    if (scales.empty() && sizes.empty()) throw InputError(a.where() + ": expected scales or sizes");
  }
  node.inputs.resize(1);
  const Shape& x = in_shape(ctx, node, 0);
  const size_t off = ctx.graph.whole_tensors ? 0 : 1, full = x.size() + off;
  if (!scales.empty()) {
    if (scales.size() != full) throw InputError(a.where() + ": scales has " + std::to_string(scales.size()) + " values, expected " + std::to_string(full));
    if (off && scales[0] != 1.0f) a.batch_axis("scaling axis 0");
    node.scales.assign(scales.begin() + off, scales.end());
  } else {
    if (sizes.size() != full) throw InputError(a.where() + ": sizes has " + std::to_string(sizes.size()) + " values, expected " + std::to_string(full));
    node.sizes.assign(sizes.begin() + off, sizes.end());
    for (size_t k = 0; k < node.sizes.size(); ++k)
      node.scales.push_back(static_cast<float>(node.sizes[k]) / static_cast<float>(x.at(k)));
  }
}

void read_softmax(const Attrs& a, const ImportContext& ctx, Node& node) {
  const Shape& x = in_shape(ctx, node, 0);
  const int64_t axis = a.i("axis", ctx.opset < 13 ? 1 : -1);
  const int64_t first = sample_axes(a, ctx, {axis}, x.size()).at(0);
  node.axes = {first};
  if (ctx.opset < 13)  // the input is coerced to 2-D at axis: the function spans every later axis
    for (int64_t k = first + 1; k < static_cast<int64_t>(x.size()); ++k) node.axes.push_back(k);
}

// Attributes of opsets before 7 whose meaning later opsets changed.
void check_legacy(const Attrs& a, const ImportContext& ctx, const Node& node) {
  if (ctx.opset >= 7) return;
  if (is_binary(node.op) && a.i("broadcast", 0) != 0 && a.find("axis")) a.unsupported("legacy broadcast with axis");
  if (node.op == OpType::BatchNorm && a.i("spatial", 1) == 0) a.unsupported("spatial=0");
  if ((node.op == OpType::BatchNorm || node.op == OpType::Dropout) && a.i("is_test", 1) == 0) a.unsupported("is_test=0");
}

void read_attributes(const Attrs& a, ImportContext& ctx, Node& node, const std::string& op_type) {
  check_legacy(a, ctx, node);
  if (node.op == OpType::Reshape && ctx.opset < 5) a.unsupported("opset " + std::to_string(ctx.opset) + " Reshape (shape attribute)");
  const Shape& x = in_shape(ctx, node, 0);
  switch (node.op) {
    case OpType::Conv: read_conv(a, ctx, node); break;
    case OpType::MaxPool:
      read_window(a, node, 2);
      if (a.i("storage_order", 0) != 0) a.unsupported("storage_order=1");
      break;
    case OpType::AveragePool:
      read_window(a, node, 2);
      node.count_include_pad = a.i("count_include_pad", 0) != 0;
      break;
    case OpType::Gemm:
      node.trans_a = a.i("transA", 0) != 0;
      node.trans_b = a.i("transB", 0) != 0;
      node.alpha = a.f("alpha", 1.0f);
      node.beta = a.f("beta", 1.0f);
      if (node.trans_a) a.unsupported("transA=1");
      if (node.inputs.size() < 2 || !ctx.graph.is_init(node.inputs[1])) a.unsupported("a B that is not a constant");
      break;
    case OpType::MatMul:
      if (node.inputs.size() < 2 || !ctx.graph.is_init(node.inputs[1]))
        a.unsupported("a second operand that is not a constant (activation x activation)");
      break;
    case OpType::BatchNorm:
      node.epsilon = a.f("epsilon", 1e-5f);
      if (a.i("training_mode", 0) != 0) a.unsupported("training_mode=1");
      break;
    case OpType::Clip: read_clip(a, ctx, node); break;
    case OpType::HardSigmoid:
      node.alpha = a.f("alpha", 0.2f);
      node.beta = a.f("beta", 0.5f);
      break;
    case OpType::LeakyRelu: node.alpha = a.f("alpha", 0.01f); break;
    case OpType::Elu: node.alpha = a.f("alpha", 1.0f); break;
    case OpType::Selu:
      node.alpha = a.f("alpha", 1.67326319217681884765625f);
      node.beta = a.f("gamma", 1.05070102214813232421875f);
      break;
    case OpType::Celu: node.alpha = a.f("alpha", 1.0f); break;
    case OpType::ThresholdedRelu: node.alpha = a.f("alpha", 1.0f); break;
    case OpType::Shrink:
      node.alpha = a.f("bias", 0.0f);
      node.beta = a.f("lambd", 0.5f);
      break;
    case OpType::PRelu:
      if (node.inputs.size() != 2 || !ctx.graph.is_init(node.inputs[1])) a.unsupported("a slope that is not a constant");
      break;
    case OpType::Flatten: node.axis = a.i("axis", 1); break;
    case OpType::Reshape: read_reshape(a, ctx, node); break;
    case OpType::Dropout:  // ratio: unused in inference; training_mode must be false
      if (a.i("is_test", 1) == 0 && ctx.opset < 7) a.unsupported("is_test=0");
      if (has_input(node, 2) && (!ctx.ints.count(node.inputs[2]) || ctx.ints.at(node.inputs[2]).v != std::vector<int64_t>{0}))
        a.unsupported("training_mode that is not a constant false");
      node.inputs.resize(1);
      break;
    case OpType::Concat: {
      const auto* ax = a.find("axis");
      if (!ax && ctx.opset >= 4) throw InputError(a.where() + ": missing axis");
      node.axis = sample_axes(a, ctx, {ax ? ax->i() : 1}, x.size()).at(0);  // opset < 4: default 1
      break;
    }
    case OpType::Transpose: {
      std::vector<int64_t> perm = a.ints("perm", {});
      const size_t off = ctx.graph.whole_tensors ? 0 : 1, full = x.size() + off;
      if (perm.empty())
        for (size_t k = 0; k < full; ++k) perm.push_back(static_cast<int64_t>(full - 1 - k));
      if (perm.size() != full) throw InputError(a.where() + ": perm " + shape_str(perm) + " does not match rank " + std::to_string(full));
      if (off && perm[0] != 0) a.batch_axis("perm " + shape_str(perm));
      for (size_t k = off; k < full; ++k) node.perm.push_back(perm[k] - static_cast<int64_t>(off));
      break;
    }
    case OpType::Squeeze:
    case OpType::Unsqueeze: read_squeeze(a, ctx, node); break;
    case OpType::Slice: read_slice(a, ctx, node); break;
    case OpType::Pad: read_pad(a, ctx, node); break;
    case OpType::Resize: read_resize(a, ctx, node, op_type); break;
    case OpType::ReduceMean:
    case OpType::ReduceMax: {
      std::vector<int64_t> axes = a.ints("axes", {});
      if (axes.empty()) {
        if (!ctx.graph.whole_tensors) a.batch_axis("reducing every axis");
        for (size_t k = 0; k < x.size(); ++k) axes.push_back(static_cast<int64_t>(k));
      }
      node.axes = sample_axes(a, ctx, axes, x.size());
      std::sort(node.axes.begin(), node.axes.end());
      node.keepdims = a.i("keepdims", 1) != 0;
      break;
    }
    case OpType::Softmax:
    case OpType::LogSoftmax: read_softmax(a, ctx, node); break;
    default: break;
  }
}

}  // namespace

std::string supported_ops() {
  std::string list;
  for (int i = 0; i < kOpTypeCount; ++i) {
    list += op_name(static_cast<OpType>(i));
    list += ", ";
  }
  return list + "Upsample, Split, Constant, and shape computations on constants (Shape, Size, Gather, Cast, Range, "
                "ConstantOfShape, ...)";
}

void check_op_supported(const onnx::NodeProto& proto, const std::string& name) {
  const bool default_domain = proto.domain().empty() || proto.domain() == "ai.onnx";
  if (!default_domain || (!op_table().count(proto.op_type()) && proto.op_type() != "Split")) {
    std::string type = default_domain ? proto.op_type() : proto.domain() + "." + proto.op_type();
    throw UnsupportedError("unsupported op '" + type + "' at node '" + name + "'");
  }
}

namespace {

// Split: one Slice per output along the axis.
std::vector<Node> convert_split(const onnx::NodeProto& proto, const std::string& name, ImportContext& ctx) {
  Node probe;
  probe.op = OpType::Slice;
  probe.name = name;
  probe.inputs.assign(proto.input().begin(), proto.input().end());
  const Attrs a(proto, probe);
  const Shape& x = in_shape(ctx, probe, 0);
  const int64_t axis = sample_axes(a, ctx, {a.i("axis", 0)}, x.size()).at(0);
  std::vector<int64_t> split = a.ints("split", {});
  if (ctx.opset >= 13 && has_input(probe, 1)) split = const_ints(a, ctx, probe, 1, "split");
  const int64_t n = proto.output_size();
  if (split.empty()) {
    if (n == 0 || x.at(axis) % n != 0) throw InputError(a.where() + ": cannot split " + shape_str(x) + " in " + std::to_string(n) + " equal parts");
    split.assign(n, x.at(axis) / n);
  }
  if (static_cast<int64_t>(split.size()) != n) throw InputError(a.where() + ": split has " + std::to_string(split.size()) + " sizes for " + std::to_string(n) + " outputs");
  std::vector<Node> nodes;
  int64_t start = 0;
  for (int64_t k = 0; k < n; ++k) {
    Node s;
    s.op = OpType::Slice;
    s.name = n == 1 ? name : name + "/" + std::to_string(k);
    s.inputs = {proto.input(0)};
    s.outputs = {proto.output(k)};
    s.axes = {axis};
    s.starts = {start};
    s.ends = {start + split[k]};
    s.steps = {1};
    start += split[k];
    if (!proto.output(k).empty()) nodes.push_back(std::move(s));
  }
  return nodes;
}

}  // namespace

std::vector<Node> convert_node(const onnx::NodeProto& proto, const std::string& name, ImportContext& ctx) {
  check_op_supported(proto, name);
  if (proto.op_type() == "Split") return convert_split(proto, name, ctx);
  Node node;
  node.op = op_table().at(proto.op_type());
  node.name = name;
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  if (node.outputs.empty() || node.outputs[0].empty()) {
    throw InputError(std::string(op_name(node.op)) + " at node '" + name + "' has no output");
  }
  // Extra outputs (Dropout mask, MaxPool indices, BN training statistics) must be unused.
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    if (!node.outputs[i].empty() && ctx.used.count(node.outputs[i])) {
      Attrs(proto, node).unsupported("using output " + std::to_string(i) + " ('" + node.outputs[i] + "')");
    }
  }
  node.outputs.resize(1);
  read_attributes(Attrs(proto, node), ctx, node, proto.op_type());
  while (!node.inputs.empty() && node.inputs.back().empty()) node.inputs.pop_back();
  for (const std::string& in : node.inputs) {
    if (in.empty()) {
      throw UnsupportedError(std::string(op_name(node.op)) + " at node '" + name +
                             "': omitted optional input before a given one");
    }
  }
  return {node};
}

}  // namespace qarray
