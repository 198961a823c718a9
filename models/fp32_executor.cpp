// FP32 reference executor: walks the nodes in topological order over one batch, keeping only
// the activations that a later node (or the graph output) still needs.
#include "models/fp32_executor.h"

#include <limits>
#include <unordered_map>

#include <Eigen/Core>

#include "base/errors.h"
#include "models/fp32_kernels.h"

namespace qarray {
namespace {

// Live activations of one run. The caller's input is read in place and never moved; every
// computed value is freed after its last reader, and a reader that is the last one may take
// the buffer to work in place.
class ValueStore {
 public:
  ValueStore(const Graph& g, const Tensor& input) : input_name_(g.input), input_(input) {
    for (const Node& node : g.nodes) {
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (first_occurrence(node, i)) ++uses_[node.inputs[i]];
      }
    }
    ++uses_[g.output];  // the result outlives every node
  }

  const Tensor& get(const std::string& name) const {
    if (name == input_name_) return input_;
    return values_.at(name);
  }

  // The value's buffer if this reader is its last, else a copy.
  Tensor take(const std::string& name) {
    if (name == input_name_ || uses_[name] > 1) return get(name);
    return std::move(values_.at(name));
  }

  void put(const std::string& name, Tensor t) {
    values_[name] = std::move(t);
    if (uses_[name] == 0) values_.erase(name);  // dead value: nobody reads it
  }

  void release_inputs(const Node& node) {
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (first_occurrence(node, i) && --uses_[node.inputs[i]] == 0) {
        values_.erase(node.inputs[i]);
      }
    }
  }

 private:
  static bool first_occurrence(const Node& node, size_t i) {
    for (size_t j = 0; j < i; ++j) {
      if (node.inputs[j] == node.inputs[i]) return false;
    }
    return true;
  }

  const std::string& input_name_;
  const Tensor& input_;
  std::unordered_map<std::string, Tensor> values_;
  std::unordered_map<std::string, int> uses_;
};

const Tensor* optional_init(const Graph& g, const Node& node, size_t i) {
  return node.inputs.size() > i ? &g.init(node.inputs[i]) : nullptr;
}

Tensor compute(const Graph& g, const Node& node, ValueStore& v, const Shape& out_shape) {
  const std::string& in = node.inputs[0];
  switch (node.op) {
    case OpType::Conv: {
      const Tensor& w = g.init(node.inputs[1]);
      const Tensor* bias = optional_init(g, node, 2);
      return node.group == 1 ? fp32::conv2d(v.get(in), w, bias, node, out_shape)
                             : fp32::depthwise_conv2d(v.get(in), w, bias, node, out_shape);
    }
    case OpType::Gemm:
      return fp32::gemm(v.get(in), g.init(node.inputs[1]), optional_init(g, node, 2),
                        node.trans_b, node.alpha, node.beta);
    case OpType::MatMul:
      return fp32::gemm(v.get(in), g.init(node.inputs[1]), nullptr, false, 1.0f, 1.0f);
    case OpType::BatchNorm: {
      Tensor t = v.take(in);
      fp32::batch_norm(t, g.init(node.inputs[1]), g.init(node.inputs[2]),
                       g.init(node.inputs[3]), g.init(node.inputs[4]), node.epsilon);
      return t;
    }
    case OpType::Relu:
    case OpType::Clip: {
      Tensor t = v.take(in);
      bool relu = node.op == OpType::Relu;
      fp32::clip(t, relu ? 0.0f : node.clip_min,
                 relu ? std::numeric_limits<float>::infinity() : node.clip_max);
      return t;
    }
    case OpType::Add: {
      // x + x reads one buffer twice, so it must not be taken.
      Tensor t = node.inputs[1] == in ? Tensor(v.get(in)) : v.take(in);
      fp32::add(t, v.get(node.inputs[1]));
      return t;
    }
    case OpType::MaxPool: return fp32::max_pool(v.get(in), node, out_shape);
    case OpType::AveragePool: return fp32::average_pool(v.get(in), node, out_shape);
    case OpType::GlobalAveragePool: return fp32::global_average_pool(v.get(in));
    case OpType::Flatten:
    case OpType::Reshape:
    case OpType::Identity:
    case OpType::Dropout: {  // views: same data, new shape
      Tensor t = v.take(in);
      t.shape = out_shape;
      return t;
    }
  }
  throw UnsupportedError(std::string("FP32 executor: op ") + op_name(node.op));
}

}  // namespace

Fp32Executor::Fp32Executor(const Graph& graph) : graph_(graph) {
  Eigen::initParallel();  // optional with C++11 statics; documents that we run Eigen threaded
}

Tensor Fp32Executor::run(const Tensor& input) const { return run_impl(input, nullptr, nullptr); }

Tensor Fp32Executor::run(const Tensor& input, const ValueObserver& observe) const {
  return run_impl(input, observe, nullptr);
}

Tensor Fp32Executor::run_transformed(const Tensor& input, const ValueTransform& transform) const {
  return run_impl(input, nullptr, transform);
}

Tensor Fp32Executor::run_impl(const Tensor& input, const ValueObserver& observe,
                              const ValueTransform& transform) const {
  const Graph& g = graph_;
  if (input.shape.size() != 4 || input.dim(0) < 1 ||
      Shape(input.shape.begin() + 1, input.shape.end()) != g.input_shape ||
      input.size() != num_elements(input.shape)) {
    throw InputError("input batch " + shape_str(input.shape) + " does not match graph input '" +
                     g.input + "' [N," + shape_str(g.input_shape).substr(1));
  }
  const int64_t batch = input.dim(0);
  ValueStore values(g, input);
  if (observe) observe(g.input, input);
  for (const Node& node : g.nodes) {
    const std::string& out = node.outputs[0];
    Shape out_shape{batch};
    const Shape& per_sample = g.shapes.at(out);
    out_shape.insert(out_shape.end(), per_sample.begin(), per_sample.end());
    Tensor result = compute(g, node, values, out_shape);
    if (transform) transform(out, result);
    if (observe) observe(out, result);
    values.put(out, std::move(result));
    values.release_inputs(node);
  }
  return values.take(g.output);
}

}  // namespace qarray
