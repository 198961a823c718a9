// Graph IR lookups: op names, initializer access, producer/consumer queries, broadcasting.
#include "models/graph.h"

#include "base/errors.h"

namespace qarray {

namespace {
constexpr const char* kOpNames[kOpTypeCount] = {
    "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "Clip", "Add", "MaxPool", "AveragePool",
    "GlobalAveragePool", "Flatten", "Reshape", "Identity", "Dropout", "Sigmoid", "HardSigmoid", "HardSwish",
    "Tanh", "Erf", "LeakyRelu", "Elu", "Selu", "Softplus", "Softsign", "Exp", "Neg", "Abs", "Sqrt", "Reciprocal", "Log", "Floor", "Ceil", "Round",
    "Sign", "Sin", "Cos", "Celu", "ThresholdedRelu", "Shrink", "Sub", "Mul", "Div",
    "PRelu", "Concat", "Transpose", "Squeeze", "Unsqueeze", "Slice", "Pad", "Resize", "GlobalMaxPool",
    "ReduceMean", "ReduceMax", "Softmax", "LogSoftmax"};
}  // namespace

const char* op_name(OpType op) {
  const int i = static_cast<int>(op);
  return i >= 0 && i < kOpTypeCount ? kOpNames[i] : "?";
}

bool is_unary(OpType op) {
  return op == OpType::Relu || op == OpType::Clip ||
         (static_cast<int>(op) >= static_cast<int>(OpType::Sigmoid) &&
          static_cast<int>(op) <= static_cast<int>(OpType::Shrink));
}

bool is_binary(OpType op) {
  return op == OpType::Add || op == OpType::Sub || op == OpType::Mul || op == OpType::Div || op == OpType::PRelu;
}

const Tensor& Graph::init(const std::string& tensor_name) const {
  auto it = initializers.find(tensor_name);
  if (it == initializers.end()) {
    throw InputError("initializer '" + tensor_name + "' not found");
  }
  return it->second;
}

std::vector<int> Graph::consumers(const std::string& value) const {
  std::vector<int> users;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& in : nodes[i].inputs) {
      if (in == value) {
        users.push_back(static_cast<int>(i));
        break;  // a node reading a value twice (x + x) is one consumer
      }
    }
  }
  if (value == output) users.push_back(-1);
  return users;
}

int Graph::producer(const std::string& value) const {
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& out : nodes[i].outputs) {
      if (out == value) return static_cast<int>(i);
    }
  }
  return -1;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& where) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw InputError(where + ": shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace qarray
