// Graph IR lookups: op names, initializer access, producer/consumer queries.
#include "models/graph.h"

#include "base/errors.h"

namespace qarray {

const char* op_name(OpType op) {
  switch (op) {
    case OpType::Conv: return "Conv";
    case OpType::Gemm: return "Gemm";
    case OpType::MatMul: return "MatMul";
    case OpType::BatchNorm: return "BatchNormalization";
    case OpType::Relu: return "Relu";
    case OpType::Clip: return "Clip";
    case OpType::Add: return "Add";
    case OpType::MaxPool: return "MaxPool";
    case OpType::AveragePool: return "AveragePool";
    case OpType::GlobalAveragePool: return "GlobalAveragePool";
    case OpType::Flatten: return "Flatten";
    case OpType::Reshape: return "Reshape";
    case OpType::Identity: return "Identity";
    case OpType::Dropout: return "Dropout";
  }
  return "?";
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

}  // namespace qarray
