// Per-sample shape inference over the graph IR (the batch dimension is never stored).
// Contract: after infer_shapes, every node output has an entry in graph.shapes, and every
// weight an executor will read has the size the node's attributes imply, so executors and
// lowering passes can index without re-checking.
#include <string>

#include "base/errors.h"
#include "models/graph.h"

namespace qarray {
namespace {

std::string where(const Node& node) {
  return "node '" + node.name + "' (" + op_name(node.op) + ")";
}

[[noreturn]] void fail(const Node& node, const std::string& what) {
  throw InputError(where(node) + ": " + what);
}

// Shape of activation input `i`: must be computed by an earlier node or be the graph input.
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

void expect_rank(const Node& node, const Shape& s, size_t rank, const char* what) {
  if (s.size() != rank) {
    fail(node, std::string(what) + " has shape " + shape_str(s) + ", expected rank " +
                   std::to_string(rank));
  }
}

// Output length of a sliding window (ONNX floor rule, ceil_mode 0).
int64_t window_out(const Node& node, int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0,
                   int64_t p1) {
  int64_t span = d * (k - 1) + 1;
  if (k < 1 || s < 1 || d < 1 || p0 < 0 || p1 < 0) {
    fail(node, "invalid kernel/stride/dilation/pad " + std::to_string(k) + "/" +
                   std::to_string(s) + "/" + std::to_string(d) + "/" + std::to_string(p0));
  }
  if (span > in + p0 + p1) {
    fail(node, "kernel span " + std::to_string(span) + " exceeds padded input " +
                   std::to_string(in + p0 + p1));
  }
  return (in + p0 + p1 - span) / s + 1;
}

void check_window_attrs(const Node& node) {
  if (node.kernel.size() != 2 || node.strides.size() != 2 || node.pads.size() != 4 ||
      node.dilations.size() != 2) {
    fail(node, "only 2-D windows are supported (kernel " + shape_str(node.kernel) + ", pads " +
                   shape_str(node.pads) + ")");
  }
}

// Conv / MaxPool / AveragePool spatial output {C_out, Ho, Wo}.
Shape window_shape(const Node& node, const Shape& x, int64_t c_out) {
  check_window_attrs(node);
  return {c_out,
          window_out(node, x[1], node.kernel[0], node.strides[0], node.dilations[0], node.pads[0],
                     node.pads[2]),
          window_out(node, x[2], node.kernel[1], node.strides[1], node.dilations[1], node.pads[1],
                     node.pads[3])};
}

Shape conv_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  expect_rank(node, x, 3, "input");
  const Tensor& w = weight(g, node, 1);
  expect_rank(node, w.shape, 4, "weight");
  int64_t c = x[0], m = w.dim(0);
  if (node.group == 1) {
    if (w.dim(1) != c) {
      fail(node, "weight " + shape_str(w.shape) + " expects " + std::to_string(w.dim(1)) +
                     " input channels, input has " + std::to_string(c));
    }
  } else if (node.group != c || m != c || w.dim(1) != 1) {
    fail(node, "group " + std::to_string(node.group) + " with input channels " +
                   std::to_string(c) + " and weight " + shape_str(w.shape) +
                   " is not a depthwise convolution");
  }
  if (node.kernel != Shape{w.dim(2), w.dim(3)}) {
    fail(node, "kernel_shape " + shape_str(node.kernel) + " disagrees with weight " +
                   shape_str(w.shape));
  }
  if (node.inputs.size() > 2 && weight(g, node, 2).size() != m) {
    fail(node, "bias has " + std::to_string(weight(g, node, 2).size()) + " elements, expected " +
                   std::to_string(m));
  }
  return window_shape(node, x, m);
}

Shape gemm_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  expect_rank(node, x, 1, "per-sample input");
  if (node.trans_a) throw UnsupportedError(where(node) + ": transA=1 is not supported");
  const Tensor& b = weight(g, node, 1);
  expect_rank(node, b.shape, 2, "B");
  bool tb = node.op == OpType::Gemm && node.trans_b;
  int64_t k = tb ? b.dim(1) : b.dim(0), m = tb ? b.dim(0) : b.dim(1);
  if (k != x[0]) {
    fail(node, "input has " + std::to_string(x[0]) + " features, B " + shape_str(b.shape) +
                   (tb ? " (transposed)" : "") + " expects " + std::to_string(k));
  }
  if (node.op == OpType::Gemm && node.inputs.size() > 2) {
    int64_t n = weight(g, node, 2).size();
    if (n != m && n != 1) fail(node, "C has " + std::to_string(n) + " elements, expected " +
                                         std::to_string(m) + " or 1");
  }
  return {m};
}

Shape batch_norm_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  if (x.empty()) fail(node, "input has no channel dimension");
  if (node.inputs.size() != 5) fail(node, "expected 5 inputs (X, scale, B, mean, var)");
  for (size_t i = 1; i < 5; ++i) {
    if (weight(g, node, i).size() != x[0]) {
      fail(node, "'" + node.inputs[i] + "' has " + std::to_string(weight(g, node, i).size()) +
                     " elements, input has " + std::to_string(x[0]) + " channels");
    }
  }
  return x;
}

Shape flatten_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  int64_t rank = static_cast<int64_t>(x.size()) + 1;  // with the batch
  int64_t axis = node.axis < 0 ? node.axis + rank : node.axis;
  if (axis < 0 || axis > rank) fail(node, "axis " + std::to_string(node.axis) + " out of range");
  if (axis != 1) {
    throw UnsupportedError(where(node) + ": axis " + std::to_string(node.axis) +
                           " would merge the batch dimension; only axis 1 is supported");
  }
  return {num_elements(x)};
}

// ONNX Reshape on the batched shape [N, x...]: 0 copies the input dim, -1 is inferred. The
// first target dim must keep the batch (0 or -1), since the batch size is not known here.
Shape reshape_shape(const Graph& g, const Node& node) {
  const Shape& x = data_shape(g, node, 0);
  const Shape& t = node.reshape;
  if (t.empty()) fail(node, "empty target shape");
  if (t[0] != 0 && t[0] != -1) {
    throw UnsupportedError(where(node) + ": target " + shape_str(t) +
                           " must keep the batch as its first dimension (0 or -1)");
  }
  Shape out;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 1; i < t.size(); ++i) {
    int64_t v = t[i];
    if (v == 0) {
      if (i > x.size()) fail(node, "target " + shape_str(t) + " copies a missing dimension");
      v = x[i - 1];
    } else if (v == -1) {
      if (infer_at >= 0 || t[0] == -1) fail(node, "target " + shape_str(t) + " has two -1");
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

Shape node_shape(const Graph& g, const Node& node) {
  switch (node.op) {
    case OpType::Conv: return conv_shape(g, node);
    case OpType::Gemm:
    case OpType::MatMul: return gemm_shape(g, node);
    case OpType::BatchNorm: return batch_norm_shape(g, node);
    case OpType::Relu:
    case OpType::Clip:
    case OpType::Identity:
    case OpType::Dropout: return data_shape(g, node, 0);
    case OpType::Add: {
      if (node.inputs.size() != 2) fail(node, "expected 2 inputs");
      const Shape& a = data_shape(g, node, 0);
      const Shape& b = data_shape(g, node, 1);
      if (a != b) {
        fail(node, "input shapes " + shape_str(a) + " and " + shape_str(b) +
                       " differ (broadcasting is not supported)");
      }
      return a;
    }
    case OpType::MaxPool:
    case OpType::AveragePool: {
      const Shape& x = data_shape(g, node, 0);
      expect_rank(node, x, 3, "input");
      return window_shape(node, x, x[0]);
    }
    case OpType::GlobalAveragePool: {
      const Shape& x = data_shape(g, node, 0);
      expect_rank(node, x, 3, "input");
      return {x[0], 1, 1};
    }
    case OpType::Flatten: return flatten_shape(g, node);
    case OpType::Reshape: return reshape_shape(g, node);
  }
  fail(node, "unknown op");
}

}  // namespace

void infer_shapes(Graph& graph) {
  graph.shapes.clear();
  if (graph.input_shape.size() != 3 || num_elements(graph.input_shape) <= 0) {
    throw InputError("graph input '" + graph.input + "' has per-sample shape " +
                     shape_str(graph.input_shape) + ", expected positive {C,H,W}");
  }
  graph.shapes[graph.input] = graph.input_shape;
  for (const Node& node : graph.nodes) {
    if (node.outputs.size() != 1) fail(node, "expected exactly one output");
    if (graph.shapes.count(node.outputs[0]) || graph.is_init(node.outputs[0])) {
      fail(node, "output '" + node.outputs[0] + "' is already defined");
    }
    graph.shapes[node.outputs[0]] = node_shape(graph, node);
  }
  if (!graph.shapes.count(graph.output)) {
    throw InputError("graph output '" + graph.output + "' is not computed by any node");
  }
}

}  // namespace qarray
