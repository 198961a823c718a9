// Graph IR: the FP32 network as qarray sees it after import. Nodes are kept in topological
// order; every value is named; weights are initializers. Attributes the importer resolved from
// ONNX (including Clip bounds, Reshape targets, Pad amounts, Slice ranges, Resize scales given as
// constant inputs, and shape-computation chains folded to constants) live on the node, so
// nothing downstream reads ONNX.
//
// Shapes are per sample: a value of the file's shape [N, d1, ..., dk] is stored as {d1, ..., dk}
// (rank 0 to 4) and the executors take the batch N from the data. Axis attributes are stored
// per sample too (file axis a >= 1 becomes a - 1). A model whose ops act across the batch axis
// (Flatten with axis >= 2, a Softmax over axis 0, ...) and whose inputs have fixed shapes is
// imported with whole_tensors set: a "sample" is then the whole file tensor, ranks 1 to 5, and
// the executors run it with a batch of exactly 1.
#pragma once
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "models/tensor.h"

namespace qarray {

enum class OpType {
  Conv,
  Gemm,
  MatMul,
  BatchNorm,
  Relu,
  Clip,
  Add,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  Flatten,
  Reshape,
  Identity,
  Dropout,
  // Element-wise functions of one input (models/unary.h).
  Sigmoid,
  HardSigmoid,
  HardSwish,
  Tanh,
  Erf,
  LeakyRelu,
  Elu,
  Selu,
  Softplus,
  Softsign,
  Exp,
  Neg,
  Abs,
  Sqrt,
  Reciprocal,
  Log,
  Floor,
  Ceil,
  Round,
  Sign,
  Sin,
  Cos,
  Celu,
  ThresholdedRelu,
  Shrink,
  // Element-wise with broadcasting (ONNX multidirectional rules).
  Sub,
  Mul,
  Div,
  PRelu,
  // Data movement.
  Concat,
  Transpose,
  Squeeze,
  Unsqueeze,
  Slice,
  Pad,
  Resize,
  // Reductions.
  GlobalMaxPool,
  ReduceMean,
  ReduceMax,
  Softmax,
  LogSoftmax,
};
constexpr int kOpTypeCount = static_cast<int>(OpType::LogSoftmax) + 1;

const char* op_name(OpType op);  // the ONNX op_type spelling
// Element-wise function of one input (y = f(x) per element, models/unary.h).
bool is_unary(OpType op);
// Element-wise with two inputs and broadcasting.
bool is_binary(OpType op);

struct Node {
  OpType op = OpType::Identity;
  std::string name;
  std::vector<std::string> inputs;   // data input first, then weights/bias etc.
  std::vector<std::string> outputs;  // exactly one for every supported op

  // Conv / pools (2-D windows; a 1-D window is stored as 1 x k).
  std::vector<int64_t> kernel;                 // {kh, kw}
  std::vector<int64_t> strides{1, 1};          // {sh, sw}
  std::vector<int64_t> pads{0, 0, 0, 0};       // {top, left, bottom, right}
  std::vector<int64_t> dilations{1, 1};
  int64_t group = 1;
  bool count_include_pad = false;              // AveragePool
  bool ceil_mode = false;                      // pools: output size rounded up
  std::string auto_pad = "NOTSET";             // resolved into pads by infer_shapes
  bool window_1d = false;                      // the file's window was 1-D (input {C, L})
  // BatchNormalization.
  float epsilon = 1e-5f;
  // Clip (ReLU6 when {0, 6}).
  float clip_min = -std::numeric_limits<float>::infinity();
  float clip_max = std::numeric_limits<float>::infinity();
  // Flatten, Concat, Softmax, LogSoftmax: per-sample axis (Flatten: file axis, 1 = keep batch).
  int64_t axis = 1;
  // Gemm: Y = alpha * A' * B' + beta * C. HardSigmoid / LeakyRelu / Elu / Selu: alpha, beta
  // (Selu: gamma in beta).
  bool trans_a = false;
  bool trans_b = false;
  float alpha = 1.0f;
  float beta = 1.0f;
  // Reshape target (ONNX semantics: 0 copies the input dim, -1 is inferred).
  std::vector<int64_t> reshape;
  // Squeeze / Unsqueeze / Reduce* / Slice axes and Transpose perm, per sample.
  std::vector<int64_t> axes;
  std::vector<int64_t> perm;
  bool keepdims = true;
  // Slice: per entry of axes, [start, end) with step (ONNX clamping rules, per sample).
  std::vector<int64_t> starts, ends, steps;
  // Pad: per-sample begins then ends (rank each), mode constant | reflect | edge.
  std::vector<int64_t> pad_amounts;
  std::string pad_mode = "constant";
  float pad_value = 0.0f;
  // Resize: per-sample output/input scale per axis, mode nearest | linear, and the coordinate
  // rules of ONNX Resize.
  std::vector<float> scales;
  std::vector<int64_t> sizes;  // per-sample output sizes when the file gives sizes, else empty
  std::string resize_mode = "nearest";
  std::string coordinate_mode = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
};

struct GraphInput {
  std::string name;
  Shape shape;  // per sample
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;                     // topological order
  std::map<std::string, Tensor> initializers;  // weights, biases, BN statistics
  std::string input;                           // the first graph input (the data)
  std::string output;                          // the single graph output
  Shape input_shape;                           // per-sample shape of `input`, batch excluded
  std::vector<GraphInput> more_inputs;         // further graph inputs (FP32 executor only)
  bool whole_tensors = false;                  // see the file comment
  std::map<std::string, Shape> shapes;         // every value's per-sample shape (batch excluded)

  const Tensor& init(const std::string& name) const;  // throws InputError naming the tensor
  bool is_init(const std::string& name) const { return initializers.count(name) != 0; }
  // Nodes that read value `name` (graph output counts as a consumer with index -1).
  std::vector<int> consumers(const std::string& name) const;
  int producer(const std::string& name) const;  // node index, -1 for the graph input
  size_t input_count() const { return 1 + more_inputs.size(); }
};

// Fills graph.shapes from the input shapes for every supported op (and resolves auto_pad into
// pads). Throws InputError naming the node when shapes do not agree (channel mismatch, kernel
// larger than padded input, ...), UnsupportedError for a shape qarray cannot run.
void infer_shapes(Graph& graph);

// ONNX multidirectional broadcasting of two per-sample shapes; throws InputError naming `where`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& where);

}  // namespace qarray
