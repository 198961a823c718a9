// FP32 reference executor: runs a Graph on a batch with Eigen (im2col + GEMM for convolutions).
// Stateless after construction and const, so one instance may be shared by several threads.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "models/graph.h"

namespace qarray {

// Called once per value as it is computed (the graph input first, then every node output).
using ValueObserver = std::function<void(const std::string& value, const Tensor& tensor)>;
// Called once per node output as it is computed, before any later node reads it; may change the
// values in place (not the shape). Used to insert quantize-dequantize (workloads/fake_quant.h).
using ValueTransform = std::function<void(const std::string& value, Tensor& tensor)>;

class Fp32Executor {
 public:
  explicit Fp32Executor(const Graph& graph);  // the graph must outlive the executor

  // input: [N, ...] matching graph.input_shape; returns the graph output [N, ...].
  Tensor run(const Tensor& input) const;
  // Every graph input, in graph order (input, then more_inputs): [N, ...] each, one N; with
  // graph.whole_tensors the file shapes themselves (no batch), and the output likewise.
  Tensor run_inputs(const std::vector<Tensor>& inputs) const;
  Tensor run(const Tensor& input, const ValueObserver& observe) const;
  Tensor run_transformed(const Tensor& input, const ValueTransform& transform) const;

 private:
  Tensor run_impl(const std::vector<const Tensor*>& inputs, const ValueObserver& observe,
                  const ValueTransform& transform) const;
  const Graph& graph_;
};

}  // namespace qarray
