// Graph IR: the FP32 network as qarray sees it after import. Nodes are kept in topological
// order; every value is named; weights are initializers. Attributes the importer resolved from
// ONNX (including Clip bounds and Reshape targets given as constant inputs) live on the node, so
// nothing downstream reads ONNX.
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
};

const char* op_name(OpType op);  // the ONNX op_type spelling

struct Node {
  OpType op = OpType::Identity;
  std::string name;
  std::vector<std::string> inputs;   // data input first, then weights/bias etc.
  std::vector<std::string> outputs;  // exactly one for every supported op

  // Conv / pools (2-D only).
  std::vector<int64_t> kernel;                 // {kh, kw}
  std::vector<int64_t> strides{1, 1};          // {sh, sw}
  std::vector<int64_t> pads{0, 0, 0, 0};       // {top, left, bottom, right}
  std::vector<int64_t> dilations{1, 1};
  int64_t group = 1;
  bool count_include_pad = false;              // AveragePool
  // BatchNormalization.
  float epsilon = 1e-5f;
  // Clip (ReLU6 when {0, 6}).
  float clip_min = -std::numeric_limits<float>::infinity();
  float clip_max = std::numeric_limits<float>::infinity();
  // Flatten.
  int64_t axis = 1;
  // Gemm: Y = alpha * A' * B' + beta * C.
  bool trans_a = false;
  bool trans_b = false;
  float alpha = 1.0f;
  float beta = 1.0f;
  // Reshape target (ONNX semantics: 0 copies the input dim, -1 is inferred).
  std::vector<int64_t> reshape;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;                     // topological order
  std::map<std::string, Tensor> initializers;  // weights, biases, BN statistics
  std::string input;                           // the single graph input
  std::string output;                          // the single graph output
  Shape input_shape;                           // per-sample shape, batch excluded: {C, H, W}
  std::map<std::string, Shape> shapes;         // every value's per-sample shape (batch excluded)

  const Tensor& init(const std::string& name) const;  // throws InputError naming the tensor
  bool is_init(const std::string& name) const { return initializers.count(name) != 0; }
  // Nodes that read value `name` (graph output counts as a consumer with index -1).
  std::vector<int> consumers(const std::string& name) const;
  int producer(const std::string& name) const;  // node index, -1 for the graph input
};

// Fills graph.shapes from graph.input_shape for every supported op. Throws InputError naming
// the node when shapes do not agree (channel mismatch, kernel larger than padded input, ...).
void infer_shapes(Graph& graph);

}  // namespace qarray
