// Per-sample shape inference over the graph IR (the batch dimension is never stored).
// Contract: after infer_shapes, every node output has an entry in graph.shapes, and every
// weight an executor will read has the size the node's attributes imply, so executors and
// lowering passes can index without re-checking. Ops that act on one sample at a time (windows,
// batch norm, Gemm, global pools) see the leading dim of a whole-tensor graph (Graph::whole_tensors)
// as a batch too: lead(g) dims in front of their {C, H, W} / {K}.
#include <algorithm>
#include <cmath>
#include <string>

#include "base/errors.h"
#include "models/graph.h"
#include "models/onnx_import.h"

namespace qarray {
namespace {

std::string where(const Node& node) {
  return "node '" + node.name + "' (" + op_name(node.op) + ")";
}

[[noreturn]] void fail(const Node& node, const std::string& what) {
  throw InputError(where(node) + ": " + what);
}

size_t lead(const Graph& g) { return g.whole_tensors ? 1 : 0; }

// Shape of activation input `i`: must be computed by an earlier node or be a graph input.
const Shape& data_shape(const Graph& g, const Node& node, size_t i) {
  if (node.inputs.size() <= i) fail(node, "missing input " + std::to_string(i));
  const std::string& name = node.inputs[i];
  auto it = g.shapes.find(name);
  if (it != g.shapes.end()) return it->second;
  if (g.is_init(name)) {
    throw UnsupportedError(where(node) + ": input '" + name +
                           "' is a constant; qarray needs it computed from the graph input");
  }
  fail(node, "reads '" + name + "', which no earlier node computes");
}

const Tensor& weight(const Graph& g, const Node& node, size_t i) {
  if (node.inputs.size() <= i) fail(node, "missing input " + std::to_string(i));
  if (!g.is_init(node.inputs[i])) {
    fail(node, "input '" + node.inputs[i] + "' must be an initializer (constant weights)");
  }
  return g.init(node.inputs[i]);
}

// The per-sample core of a value after the lead dims, checked to have `rank` dims.
Shape core(const Graph& g, const Node& node, const Shape& x, size_t rank, const char* what) {
  const size_t l = lead(g);
  if (x.size() != rank + l) {
    fail(node, std::string(what) + " has per-sample shape " + shape_str(x) + ", expected rank " +
                   std::to_string(rank + l));
  }
  return Shape(x.begin() + l, x.end());
}

Shape with_lead(const Graph& g, const Shape& x, const Shape& c) {
  Shape out(x.begin(), x.begin() + lead(g));
  out.insert(out.end(), c.begin(), c.end());
  return out;
}

// Output length of a sliding window (ONNX floor rule, or ceil with the last window starting
// inside the input or its leading pad).
int64_t window_out(const Node& node, int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
  if (k < 1 || s < 1 || d < 1 || p0 < 0 || p1 < 0 || k > (1 << 30) || s > (1 << 30) || d > (1 << 30) ||
      p0 > (1 << 30) || p1 > (1 << 30)) {
    fail(node, "invalid kernel/stride/dilation/pad " + std::to_string(k) + "/" +
                   std::to_string(s) + "/" + std::to_string(d) + "/" + std::to_string(p0));
  }
  const int64_t span = d * (k - 1) + 1;
  if (span > in + p0 + p1) {
    fail(node, "kernel span " + std::to_string(span) + " exceeds padded input " +
                   std::to_string(in + p0 + p1));
  }
  if (!node.ceil_mode) return (in + p0 + p1 - span) / s + 1;
  int64_t out = (in + p0 + p1 - span + s - 1) / s + 1;
  if ((out - 1) * s >= in + p0) --out;
  return out;
}

// auto_pad SAME_* / VALID into explicit pads (ONNX: output ceil(in / stride)).
void resolve_auto_pad(Node& node, const Shape& hw) {
  if (node.auto_pad == "NOTSET") return;
  for (int a = 0; a < 2; ++a)  // out of range: window_out names it
    if (node.kernel[a] < 1 || node.strides[a] < 1 || node.dilations[a] < 1 || node.kernel[a] > (1 << 30) ||
        node.strides[a] > (1 << 30) || node.dilations[a] > (1 << 30))
      return;
  if (node.auto_pad == "VALID") {
    node.pads = {0, 0, 0, 0};
  } else {
    for (int a = 0; a < 2; ++a) {
      const int64_t in = hw[a], s = node.strides[a], k = node.kernel[a], d = node.dilations[a];
      const int64_t out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
      const int64_t small = total / 2, big = total - small;
      node.pads[a] = node.auto_pad == "SAME_UPPER" ? small : big;
      node.pads[a + 2] = node.auto_pad == "SAME_UPPER" ? big : small;
    }
  }
  node.auto_pad = "NOTSET";
}

void check_window_attrs(const Node& node) {
  if (node.kernel.size() != 2 || node.strides.size() != 2 || node.pads.size() != 4 ||
      node.dilations.size() != 2) {
    fail(node, "only 2-D windows are supported (kernel " + shape_str(node.kernel) + ", pads " +
                   shape_str(node.pads) + ")");
  }
}

// {C, H, W} (or {C, L} for a 1-D window) of a window op's input.
Shape window_input(const Graph& g, Node& node, const Shape& x) {
  Shape c = core(g, node, x, node.window_1d ? 2 : 3, "input");
  if (node.window_1d) c.insert(c.begin() + 1, 1);
  check_window_attrs(node);
  resolve_auto_pad(node, {c[1], c[2]});
  return c;
}

// Conv / MaxPool / AveragePool output (with the lead dims).
Shape window_shape(const Graph& g, const Node& node, const Shape& x, const Shape& c, int64_t c_out) {
  const int64_t oh = window_out(node, c[1], node.kernel[0], node.strides[0], node.dilations[0], node.pads[0], node.pads[2]);
  const int64_t ow = window_out(node, c[2], node.kernel[1], node.strides[1], node.dilations[1], node.pads[1], node.pads[3]);
  return with_lead(g, x, node.window_1d ? Shape{c_out, ow} : Shape{c_out, oh, ow});
}

Shape conv_shape(Graph& g, Node& node) {
  const Shape x = data_shape(g, node, 0);
  const Shape c = window_input(g, node, x);
  const Tensor& w = weight(g, node, 1);
  if (w.shape.size() != 4) fail(node, "weight has shape " + shape_str(w.shape) + ", expected rank 4");
  const int64_t ch = c[0], m = w.dim(0), groups = node.group;
  if (groups < 1 || ch % groups != 0 || m % groups != 0 || w.dim(1) * groups != ch) {
    if (groups == 1)
      fail(node, "weight " + shape_str(w.shape) + " expects " + std::to_string(w.dim(1)) +
                     " input channels, input has " + std::to_string(ch));
    fail(node, "group " + std::to_string(groups) + " with input channels " + std::to_string(ch) + " and weight " +
                   shape_str(w.shape) + " does not divide the channels");
  }
  if (node.kernel != Shape{w.dim(2), w.dim(3)}) {
    fail(node, "kernel_shape " + shape_str(node.kernel) + " disagrees with weight " + shape_str(w.shape));
  }
  if (node.inputs.size() > 2 && weight(g, node, 2).size() != m) {
    fail(node, "bias has " + std::to_string(weight(g, node, 2).size()) + " elements, expected " + std::to_string(m));
  }
  return window_shape(g, node, x, c, m);
}

Shape gemm_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (node.op == OpType::Gemm) core(g, node, x, 1, "per-sample input");
  if (x.empty()) fail(node, "input has no feature dimension");
  if (node.trans_a) throw UnsupportedError(where(node) + ": transA=1 is not supported");
  const Tensor& b = weight(g, node, 1);
  if (b.shape.size() != 2) fail(node, "B has shape " + shape_str(b.shape) + ", expected rank 2");
  bool tb = node.op == OpType::Gemm && node.trans_b;
  int64_t k = tb ? b.dim(1) : b.dim(0), m = tb ? b.dim(0) : b.dim(1);
  if (k != x.back()) {
    fail(node, "input has " + std::to_string(x.back()) + " features, B " + shape_str(b.shape) +
                   (tb ? " (transposed)" : "") + " expects " + std::to_string(k));
  }
  if (node.op == OpType::Gemm && node.inputs.size() > 2) {
    int64_t n = weight(g, node, 2).size();
    if (n != m && n != 1) fail(node, "C has " + std::to_string(n) + " elements, expected " +
                                         std::to_string(m) + " or 1");
  }
  Shape out = x;
  out.back() = m;
  return out;
}

Shape batch_norm_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (x.size() <= lead(g)) fail(node, "input has no channel dimension");
  if (node.inputs.size() != 5) fail(node, "expected 5 inputs (X, scale, B, mean, var)");
  const int64_t c = x[lead(g)];
  for (size_t i = 1; i < 5; ++i) {
    if (weight(g, node, i).size() != c) {
      fail(node, "'" + node.inputs[i] + "' has " + std::to_string(weight(g, node, i).size()) +
                     " elements, input has " + std::to_string(c) + " channels");
    }
  }
  return x;
}

Shape flatten_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  const int64_t off = g.whole_tensors ? 0 : 1;
  const int64_t rank = static_cast<int64_t>(x.size()) + off;
  int64_t axis = node.axis < 0 ? node.axis + rank : node.axis;
  if (axis < 0 || axis > rank) fail(node, "axis " + std::to_string(node.axis) + " out of range");
  if (off) {
    if (axis != 1) throw BatchAxisError(where(node) + ": axis " + std::to_string(node.axis) + " acts across the batch axis");
    return {num_elements(x)};
  }
  return {num_elements(Shape(x.begin(), x.begin() + axis)), num_elements(Shape(x.begin() + axis, x.end()))};
}

// ONNX Reshape: 0 copies the input dim, -1 is inferred. Batched, the target's first dim must
// keep the batch (0 or -1), since the batch size is not known here.
Shape reshape_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  const Shape& t = node.reshape;
  if (t.empty() && !g.whole_tensors) fail(node, "empty target shape");
  const size_t off = g.whole_tensors ? 0 : 1;
  if (off && t[0] != 0 && t[0] != -1) {
    throw BatchAxisError(where(node) + ": target " + shape_str(t) +
                         " must keep the batch as its first dimension (0 or -1)");
  }
  Shape out;
  int64_t known = 1, infer_at = -1;
  for (size_t i = off; i < t.size(); ++i) {
    int64_t v = t[i];
    if (v == 0) {
      if (i - off >= x.size()) fail(node, "target " + shape_str(t) + " copies a missing dimension");
      v = x[i - off];
    } else if (v == -1) {
      if (infer_at >= 0 || (off && t[0] == -1)) fail(node, "target " + shape_str(t) + " has two -1");
      infer_at = static_cast<int64_t>(out.size());
      v = 1;
    } else if (v < -1) {
      fail(node, "invalid target dimension in " + shape_str(t));
    }
    known *= v;
    out.push_back(v);
  }
  int64_t total = num_elements(x);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) {
      fail(node, "cannot reshape " + shape_str(x) + " to " + shape_str(t));
    }
    out[infer_at] = total / known;
  } else if (known != total) {
    fail(node, "cannot reshape per-sample " + shape_str(x) + " to " + shape_str(t) +
                   " without changing the batch size");
  }
  return out;
}

// A constant operand of a batched binary op given with the batch axis (leading 1) loses it, in
// a private copy, so that shapes broadcast per sample.
const Shape& binary_operand(Graph& g, Node& node, size_t i, const Shape& other) {
  const std::string& name = node.inputs[i];
  if (!g.is_init(name)) return data_shape(g, node, i);
  const Tensor& t = g.init(name);
  if (g.whole_tensors || t.shape.size() <= other.size()) return t.shape;
  if (t.shape.size() != other.size() + 1 || t.shape[0] != 1)
    throw BatchAxisError(where(node) + ": constant '" + name + "' of shape " + shape_str(t.shape) +
                         " acts across the batch axis");
  Tensor copy = t;
  copy.shape.erase(copy.shape.begin());
  const std::string private_name = node.name + ":" + name + ":per_sample";
  g.initializers[private_name] = std::move(copy);
  node.inputs[i] = private_name;
  return g.init(private_name).shape;
}

Shape binary_shape(Graph& g, Node& node) {
  if (node.inputs.size() != 2) fail(node, "expected 2 inputs");
  const bool c0 = g.is_init(node.inputs[0]), c1 = g.is_init(node.inputs[1]);
  if (c0 && c1) fail(node, "both inputs are constants");
  if (node.op == OpType::PRelu && c0) fail(node, "X is a constant");
  const Shape a = c0 ? Shape{} : data_shape(g, node, 0);
  const Shape b = c1 ? Shape{} : data_shape(g, node, 1);
  const Shape& sa = c0 ? binary_operand(g, node, 0, b) : a;
  if (node.op == OpType::PRelu && c1 && a.size() > lead(g)) {
    // A per-channel slope [C] (exporters of opset < 9 models) is the slope of channel axis C.
    const Tensor& t = g.init(node.inputs[1]);
    const int64_t ch = a[lead(g)];
    if (t.shape.size() == 1 && t.shape[0] == ch && ch != a.back() && a.size() - lead(g) > 1) {
      Tensor copy = t;
      copy.shape.resize(a.size() - lead(g), 1);
      copy.shape[0] = ch;
      const std::string private_name = node.name + ":" + node.inputs[1] + ":per_channel";
      g.initializers[private_name] = std::move(copy);
      node.inputs[1] = private_name;
    }
  }
  const Shape& sb = c1 ? binary_operand(g, node, 1, a) : b;
  if (!c0 && !c1 && !g.whole_tensors && a.size() != b.size())
    throw BatchAxisError(where(node) + ": inputs of per-sample ranks " + std::to_string(a.size()) + " and " +
                         std::to_string(b.size()) + " would broadcast across the batch axis");
  const Shape out = broadcast_shapes(sa, sb, where(node));
  if (node.op == OpType::PRelu && out != sa) fail(node, "slope " + shape_str(sb) + " does not broadcast to X " + shape_str(sa));
  if (c0 && out != sb) fail(node, "a constant first operand would change the shape of '" + node.inputs[1] + "'");
  return out;
}

Shape concat_shape(const Graph& g, const Node& node) {
  if (node.inputs.empty()) fail(node, "no inputs");
  Shape out = data_shape(g, node, 0);
  if (node.axis < 0 || node.axis >= static_cast<int64_t>(out.size())) fail(node, "axis out of range");
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    const Shape& s = data_shape(g, node, i);
    for (size_t d = 0; d < out.size(); ++d)
      if (s.size() != out.size() || (static_cast<int64_t>(d) != node.axis && s[d] != out[d]))
        fail(node, "input shapes " + shape_str(out) + " and " + shape_str(s) + " differ outside axis " +
                       std::to_string(node.axis));
    out[node.axis] += s[node.axis];
  }
  return out;
}

Shape slice_shape(const Graph& g, const Node& node) {
  Shape out = data_shape(g, node, 0);
  for (size_t k = 0; k < node.axes.size(); ++k) {
    const int64_t a = node.axes[k];
    if (a < 0 || a >= static_cast<int64_t>(out.size())) fail(node, "axis out of range");
    const int64_t d = out[a], step = node.steps[k];
    int64_t s = node.starts[k] < 0 ? node.starts[k] + d : node.starts[k];
    int64_t e = node.ends[k] < 0 ? node.ends[k] + d : node.ends[k];
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      out[a] = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      out[a] = s > e ? (s - e - step - 1) / -step : 0;
    }
    if (out[a] == 0) throw UnsupportedError(where(node) + ": an empty slice");
  }
  return out;
}

Shape transpose_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  Shape sorted = node.perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 0; k < sorted.size(); ++k)
    if (sorted.size() != x.size() || sorted[k] != static_cast<int64_t>(k)) fail(node, "perm is not a permutation of the axes");
  Shape out;
  for (int64_t p : node.perm) out.push_back(x[p]);
  return out;
}

Shape squeeze_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (node.op == OpType::Unsqueeze) {
    Shape out = x;
    for (int64_t a : node.axes) {
      if (a < 0 || a > static_cast<int64_t>(out.size())) fail(node, "axis out of range");
      out.insert(out.begin() + a, 1);
    }
    return out;
  }
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    const bool drop = std::find(node.axes.begin(), node.axes.end(), static_cast<int64_t>(d)) != node.axes.end();
    if (drop && x[d] != 1) fail(node, "cannot squeeze axis of size " + std::to_string(x[d]));
    if (!drop) out.push_back(x[d]);
  }
  return out;
}

Shape pad_shape(const Graph& g, const Node& node) {
  Shape out = data_shape(g, node, 0);
  if (node.pad_amounts.size() != 2 * out.size()) fail(node, "pads do not match the rank");
  for (size_t d = 0; d < out.size(); ++d) {
    const int64_t b = node.pad_amounts[d], e = node.pad_amounts[d + out.size()];
    if (node.pad_mode == "reflect" && (b >= out[d] || e >= out[d]))
      fail(node, "reflect pad " + std::to_string(std::max(b, e)) + " needs a dim larger than " + std::to_string(out[d]));
    out[d] += b + e;
  }
  return out;
}

Shape resize_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (node.scales.size() != x.size()) fail(node, "scales do not match the rank");
  Shape out(x.size());
  for (size_t d = 0; d < x.size(); ++d) {
    if (!(node.scales[d] > 0)) fail(node, "scale " + std::to_string(node.scales[d]) + " is not positive");
    const double size = node.sizes.empty() ? std::floor(x[d] * static_cast<double>(node.scales[d])) : node.sizes[d];
    if (!(size <= 2147483648.0)) fail(node, "output dim " + std::to_string(size) + " is out of range");
    out[d] = static_cast<int64_t>(size);
    if (out[d] <= 0) fail(node, "output dim " + std::to_string(out[d]));
  }
  if (node.resize_mode == "linear") {
    int moving = 0;
    for (size_t d = 0; d < x.size(); ++d) moving += out[d] != x[d] ? 1 : 0;
    size_t first = 0;
    while (first < x.size() && out[first] == x[first]) ++first;
    if (x.size() - first > 2)
      throw UnsupportedError(where(node) + ": linear resize of more than the last two axes");
  }
  return out;
}

Shape reduce_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    const bool reduced = std::find(node.axes.begin(), node.axes.end(), static_cast<int64_t>(d)) != node.axes.end();
    if (!reduced) out.push_back(x[d]);
    else if (node.keepdims) out.push_back(1);
  }
  for (int64_t a : node.axes)
    if (a < 0 || a >= static_cast<int64_t>(x.size())) fail(node, "axis out of range");
  return out;
}

Shape global_pool_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (x.size() < lead(g) + 2) fail(node, "input has per-sample shape " + shape_str(x) + ", expected {C, spatial...}");
  Shape out = x;
  for (size_t d = lead(g) + 1; d < out.size(); ++d) out[d] = 1;
  return out;
}

}  // namespace

namespace {

Shape node_shape(Graph& g, Node& node);

}  // namespace

// Every value holds at most 2^40 elements per sample (a larger one is a malformed model, and
// would overflow the element counts later arithmetic takes).
Shape infer_node_shape(Graph& g, Node& node) {
  const Shape s = node_shape(g, node);
  uint64_t n = 1;
  for (int64_t d : s) {
    if (d < 0 || d > (int64_t{1} << 40)) fail(node, "output dimension " + std::to_string(d) + " is out of range");
    n *= static_cast<uint64_t>(d);
    if (n > (uint64_t{1} << 40)) fail(node, "output shape " + shape_str(s) + " holds more than 2^40 elements");
  }
  return s;
}

namespace {

Shape node_shape(Graph& g, Node& node) {
  if (node.outputs.size() != 1) fail(node, "expected exactly one output");
  if (is_unary(node.op)) return data_shape(g, node, 0);
  if (is_binary(node.op)) return binary_shape(g, node);
  switch (node.op) {
    case OpType::Conv: return conv_shape(g, node);
    case OpType::Gemm:
    case OpType::MatMul: return gemm_shape(g, node);
    case OpType::BatchNorm: return batch_norm_shape(g, node);
    case OpType::Identity:
    case OpType::Dropout:
    case OpType::Softmax:
    case OpType::LogSoftmax: return data_shape(g, node, 0);
    case OpType::MaxPool:
    case OpType::AveragePool: {
      const Shape x = data_shape(g, node, 0);
      const Shape c = window_input(g, node, x);
      return window_shape(g, node, x, c, c[0]);
    }
    case OpType::GlobalAveragePool:
    case OpType::GlobalMaxPool: return global_pool_shape(g, node);
    case OpType::Flatten: return flatten_shape(g, node);
    case OpType::Reshape: return reshape_shape(g, node);
    case OpType::Concat: return concat_shape(g, node);
    case OpType::Transpose: return transpose_shape(g, node);
    case OpType::Squeeze:
    case OpType::Unsqueeze: return squeeze_shape(g, node);
    case OpType::Slice: return slice_shape(g, node);
    case OpType::Pad: return pad_shape(g, node);
    case OpType::Resize: return resize_shape(g, node);
    case OpType::ReduceMean:
    case OpType::ReduceMax: return reduce_shape(g, node);
    default: break;
  }
  fail(node, "unknown op");
}

}  // namespace

void infer_shapes(Graph& graph) {
  graph.shapes.clear();
  if (graph.input_shape.size() > 5 || num_elements(graph.input_shape) <= 0) {
    throw InputError("graph input '" + graph.input + "' has per-sample shape " +
                     shape_str(graph.input_shape) + ", expected positive dims, rank 0 to 5");
  }
  graph.shapes[graph.input] = graph.input_shape;
  for (const GraphInput& in : graph.more_inputs) graph.shapes[in.name] = in.shape;
  for (Node& node : graph.nodes) {
    if (node.outputs.size() != 1) fail(node, "expected exactly one output");
    if (graph.shapes.count(node.outputs[0]) || graph.is_init(node.outputs[0])) {
      fail(node, "output '" + node.outputs[0] + "' is already defined");
    }
    graph.shapes[node.outputs[0]] = infer_node_shape(graph, node);
  }
  if (!graph.shapes.count(graph.output)) {
    throw InputError("graph output '" + graph.output + "' is not computed by any node");
  }
}

}  // namespace qarray
