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

// Live activations of one run. The caller's inputs are read in place and never moved; every
// computed value is freed after its last reader, and a reader that is the last one may take
// the buffer to work in place.
class ValueStore {
 public:
  ValueStore(const Graph& g, const std::vector<const Tensor*>& inputs) {
    inputs_[g.input] = inputs[0];
    for (size_t i = 0; i < g.more_inputs.size(); ++i) inputs_[g.more_inputs[i].name] = inputs[i + 1];
    for (const Node& node : g.nodes) {
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (first_occurrence(node, i)) ++uses_[node.inputs[i]];
      }
    }
    ++uses_[g.output];  // the result outlives every node
  }

  const Tensor& get(const std::string& name) const {
    if (auto it = inputs_.find(name); it != inputs_.end()) return *it->second;
    return values_.at(name);
  }

  // The value's buffer if this reader is its last, else a copy.
  Tensor take(const std::string& name) {
    if (inputs_.count(name) || uses_[name] > 1) return get(name);
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

  std::unordered_map<std::string, const Tensor*> inputs_;
  std::unordered_map<std::string, Tensor> values_;
  std::unordered_map<std::string, int> uses_;
};

const Tensor* optional_init(const Graph& g, const Node& node, size_t i) {
  return node.inputs.size() > i ? &g.init(node.inputs[i]) : nullptr;
}

// A batched shape as a per-sample op's kernel sees it: the lead dims of a whole-tensor graph
// merged into the batch, a 1-D window's {C, L} as {C, 1, L}.
Shape kernel_shape(const Graph& g, const Node& node, const Shape& s, bool window) {
  Shape k = s;
  if (g.whole_tensors) {
    k[1] *= k[0];
    k.erase(k.begin());
  }
  if (window && node.window_1d) k.insert(k.begin() + 2, 1);
  return k;
}

// The value in the kernel's shape: the same buffer when nothing changes, else a copy.
const Tensor& as_kernel(const Tensor& x, const Shape& shape, Tensor& scratch) {
  if (x.shape == shape) return x;
  scratch = x;
  scratch.shape = shape;
  return scratch;
}

Tensor compute_conv(const Graph& g, const Node& node, const Tensor& x0, const Shape& out_shape) {
  Tensor scratch;
  const Tensor& x = as_kernel(x0, kernel_shape(g, node, x0.shape, true), scratch);
  const Shape ks = kernel_shape(g, node, out_shape, true);
  const Tensor& w = g.init(node.inputs[1]);
  const Tensor* bias = optional_init(g, node, 2);
  Tensor y;
  if (node.group == 1) y = fp32::conv2d(x, w, bias, node, ks);
  else if (w.dim(1) == 1 && w.dim(0) == node.group && x.dim(1) == node.group) y = fp32::depthwise_conv2d(x, w, bias, node, ks);
  else y = fp32::grouped_conv2d(x, w, bias, node, ks);
  y.shape = out_shape;
  return y;
}

Tensor compute_gemm(const Node& node, const Graph& g, const Tensor& x0, const Shape& out_shape) {
  const Tensor& b = g.init(node.inputs[1]);
  const bool gemm = node.op == OpType::Gemm;
  const int64_t k = gemm && node.trans_b ? b.dim(1) : b.dim(0);
  Tensor scratch;
  const Tensor& x = as_kernel(x0, Shape{x0.size() / k, k}, scratch);
  Tensor y = gemm ? fp32::gemm(x, b, optional_init(g, node, 2), node.trans_b, node.alpha, node.beta)
                  : fp32::gemm(x, b, nullptr, false, 1.0f, 1.0f);
  y.shape = out_shape;
  return y;
}

Tensor compute(const Graph& g, const Node& node, ValueStore& v, const Shape& out_shape) {
  const std::string& in = node.inputs[0];
  if (is_unary(node.op) && node.op != OpType::Relu && node.op != OpType::Clip) {
    Tensor t = v.take(in);
    fp32::unary(t, node);
    return t;
  }
  switch (node.op) {
    case OpType::Conv: return compute_conv(g, node, v.get(in), out_shape);
    case OpType::Gemm:
    case OpType::MatMul: return compute_gemm(node, g, v.get(in), out_shape);
    case OpType::BatchNorm: {
      Tensor t = v.take(in);
      const Shape batched = t.shape;
      t.shape = kernel_shape(g, node, batched, false);
      fp32::batch_norm(t, g.init(node.inputs[1]), g.init(node.inputs[2]),
                       g.init(node.inputs[3]), g.init(node.inputs[4]), node.epsilon);
      t.shape = batched;
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
    case OpType::Add:
    case OpType::Sub:
    case OpType::Mul:
    case OpType::Div:
    case OpType::PRelu: {
      const Tensor& a = g.is_init(in) ? g.init(in) : v.get(in);
      const std::string& in1 = node.inputs[1];
      const Tensor& b = g.is_init(in1) ? g.init(in1) : v.get(in1);
      if (node.op == OpType::Add && a.shape == b.shape && !g.is_init(in)) {
        // x + x reads one buffer twice, so it must not be taken.
        Tensor t = in1 == in ? Tensor(a) : v.take(in);
        fp32::add(t, b);
        return t;
      }
      return fp32::binary(a, b, node.op, out_shape);
    }
    case OpType::MaxPool:
    case OpType::AveragePool: {
      Tensor scratch;
      const Tensor& x = as_kernel(v.get(in), kernel_shape(g, node, v.get(in).shape, true), scratch);
      const Shape ks = kernel_shape(g, node, out_shape, true);
      Tensor y = node.op == OpType::MaxPool ? fp32::max_pool(x, node, ks) : fp32::average_pool(x, node, ks);
      y.shape = out_shape;
      return y;
    }
    case OpType::GlobalAveragePool:
    case OpType::GlobalMaxPool: {
      Tensor scratch;
      const Tensor& x = as_kernel(v.get(in), kernel_shape(g, node, v.get(in).shape, false), scratch);
      Tensor y = node.op == OpType::GlobalMaxPool ? fp32::global_max_pool(x) : fp32::global_average_pool(x);
      y.shape = out_shape;
      return y;
    }
    case OpType::Flatten:
    case OpType::Reshape:
    case OpType::Squeeze:
    case OpType::Unsqueeze:
    case OpType::Identity:
    case OpType::Dropout: {  // views: same data, new shape
      Tensor t = v.take(in);
      t.shape = out_shape;
      return t;
    }
    case OpType::Concat: {
      std::vector<const Tensor*> parts;
      for (const std::string& name : node.inputs) parts.push_back(&v.get(name));
      return fp32::concat(parts, node.axis + 1, out_shape);
    }
    case OpType::Transpose: {
      std::vector<int64_t> perm{0};
      for (int64_t p : node.perm) perm.push_back(p + 1);
      return fp32::transpose(v.get(in), perm, out_shape);
    }
    case OpType::Slice: return fp32::slice(v.get(in), node, out_shape);
    case OpType::Pad: return fp32::pad(v.get(in), node, out_shape);
    case OpType::Resize: return fp32::resize(v.get(in), node, out_shape);
    case OpType::ReduceMean:
    case OpType::ReduceMax: {
      Tensor y = fp32::reduce(v.get(in), node, node.op == OpType::ReduceMean);
      y.shape = out_shape;
      return y;
    }
    case OpType::Softmax:
    case OpType::LogSoftmax: {
      Tensor t = v.take(in);
      fp32::softmax(t, node, node.op == OpType::LogSoftmax);
      return t;
    }
    default: break;
  }
  throw UnsupportedError(std::string("FP32 executor: op ") + op_name(node.op));
}

}  // namespace

Fp32Executor::Fp32Executor(const Graph& graph) : graph_(graph) {
  Eigen::initParallel();  // optional with C++11 statics; documents that we run Eigen threaded
}

Tensor Fp32Executor::run(const Tensor& input) const { return run_impl({&input}, nullptr, nullptr); }

Tensor Fp32Executor::run(const Tensor& input, const ValueObserver& observe) const {
  return run_impl({&input}, observe, nullptr);
}

Tensor Fp32Executor::run_transformed(const Tensor& input, const ValueTransform& transform) const {
  return run_impl({&input}, nullptr, transform);
}

Tensor Fp32Executor::run_inputs(const std::vector<Tensor>& inputs) const {
  const Graph& g = graph_;
  if (inputs.size() != g.input_count())
    throw InputError("the graph has " + std::to_string(g.input_count()) + " input(s), got " +
                     std::to_string(inputs.size()) + " tensor(s)");
  if (!g.whole_tensors) {
    std::vector<const Tensor*> ptrs;
    for (const Tensor& t : inputs) ptrs.push_back(&t);
    return run_impl(ptrs, nullptr, nullptr);
  }
  // A whole-tensor graph runs its file shapes as one sample.
  std::vector<Tensor> batched(inputs);
  std::vector<const Tensor*> ptrs;
  for (Tensor& t : batched) {
    t.shape.insert(t.shape.begin(), 1);
    ptrs.push_back(&t);
  }
  Tensor y = run_impl(ptrs, nullptr, nullptr);
  y.shape.erase(y.shape.begin());
  return y;
}

Tensor Fp32Executor::run_impl(const std::vector<const Tensor*>& inputs, const ValueObserver& observe,
                              const ValueTransform& transform) const {
  const Graph& g = graph_;
  if (inputs.size() != g.input_count())
    throw InputError("the graph has " + std::to_string(g.input_count()) + " inputs; this run gives one");
  const Tensor& input = *inputs[0];
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = *inputs[i];
    const std::string& name = i == 0 ? g.input : g.more_inputs[i - 1].name;
    const Shape& per = i == 0 ? g.input_shape : g.more_inputs[i - 1].shape;
    if (x.shape.empty() || x.dim(0) < 1 || Shape(x.shape.begin() + 1, x.shape.end()) != per ||
        x.size() != num_elements(x.shape) || x.dim(0) != input.dim(0) || (g.whole_tensors && x.dim(0) != 1)) {
      std::string per_str = shape_str(per).substr(1);
      throw InputError("input batch " + shape_str(x.shape) + " does not match graph input '" + name + "' " +
                       (g.whole_tensors ? shape_str(per) : "[N" + std::string(per.empty() ? "]" : "," + per_str)));
    }
  }
  const int64_t batch = input.dim(0);
  ValueStore values(g, inputs);
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
