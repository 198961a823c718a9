#include "workloads/fake_quant.h"

#include "base/errors.h"
#include "models/fp32_executor.h"

namespace qarray {

void quantize_dequantize(Tensor& x, const ActQuant& q) {
  for (float& v : x.data) v = static_cast<float>(q.dequantize(q.quantize(v)));
}

FakeQuantNet fake_quant_net(const Graph& quantized, const Network& net) {
  FakeQuantNet f;
  f.graph = quantized;
  for (const ActTensor& t : net.tensors) f.activations[t.name] = t.quant;
  std::map<std::string, size_t> node_of;
  for (size_t i = 0; i < f.graph.nodes.size(); ++i) node_of[f.graph.nodes[i].name] = i;
  for (const Layer& l : net.layers) {
    if (!l.on_array()) continue;
    const auto it = node_of.find(l.name);
    if (it == node_of.end()) throw InputError("fake-quant: layer '" + l.name + "' has no node in the graph");
    Node& n = f.graph.nodes[it->second];
    const Tensor& w0 = f.graph.init(n.inputs.at(1));
    // A grouped or dilated conv runs as the dense conv the lowering made of it (same function).
    const bool densified = n.op == OpType::Conv && w0.shape != l.weight_shape;
    const Tensor w = densified ? Tensor(l.weight_shape) : w0;
    if (densified) {
      n.group = 1;
      n.dilations = {1, 1};
      n.kernel = {l.weight_shape[2], l.weight_shape[3]};
    }
    if (w.size() != static_cast<int64_t>(l.weights.size()))
      throw InputError("fake-quant: layer '" + l.name + "' holds " + std::to_string(l.weights.size()) +
                       " weights, its node " + std::to_string(w.size()));
    const int64_t oc = l.out_channels(), per = w.size() / oc;
    // Layer weights are [OC, K]; a MatMul or a Gemm without transB stores [K, OC].
    const bool k_major = (n.op == OpType::Gemm && !n.trans_b) || n.op == OpType::MatMul;
    Tensor dq(w.shape);
    for (int64_t c = 0; c < oc; ++c) {
      const double s = l.weight_scale[l.weight_scale.size() == 1 ? 0 : c];
      for (int64_t j = 0; j < per; ++j)
        dq.data[k_major ? j * oc + c : c * per + j] = static_cast<float>(s * l.weights[c * per + j]);
    }
    if (n.op == OpType::Gemm) n.alpha = 1.0f;  // the lowering folded alpha into w_q
    // A fresh initializer: the original may be shared with another node.
    const std::string name = n.name + "/fake_quant_weight";
    f.graph.initializers[name] = std::move(dq);
    n.inputs[1] = name;
  }
  return f;
}

Tensor FakeQuantNet::run(const Tensor& x) const {
  Tensor in = x;
  quantize_dequantize(in, activations.at(graph.input));
  const Fp32Executor exec(graph);
  return exec.run_transformed(in, [this](const std::string& value, Tensor& t) {
    if (const auto it = activations.find(value); it != activations.end()) quantize_dequantize(t, it->second);
  });
}

}  // namespace qarray
