#include "models/ptq/bn_fold.h"

#include <cmath>

namespace qarray {

namespace {
// Ensures node has a bias initializer of `channels` zeros; returns its name.
std::string ensure_bias(Graph& g, Node& node, int64_t channels) {
  if (node.inputs.size() >= 3 && !node.inputs[2].empty()) return node.inputs[2];
  const std::string name = node.name + ".bias";
  g.initializers[name] = Tensor({channels}, 0.0f);
  node.inputs.resize(3);
  node.inputs[2] = name;
  return name;
}
}  // namespace

Graph fold_batchnorm(const Graph& graph, std::vector<FoldedBn>* folded) {
  Graph g = graph;
  std::vector<bool> drop(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& bn = g.nodes[i];
    const int p = bn.op == OpType::BatchNorm ? g.producer(bn.inputs[0]) : -1;
    const bool foldable = p >= 0 && (g.nodes[p].op == OpType::Conv || g.nodes[p].op == OpType::Gemm) &&
                          g.consumers(bn.inputs[0]).size() == 1;
    if (!foldable) continue;
    drop[i] = true;
    Node& layer = g.nodes[p];
    const Tensor& scale = g.init(bn.inputs[1]);
    const Tensor& shift = g.init(bn.inputs[2]);
    const Tensor& mean = g.init(bn.inputs[3]);
    const Tensor& var = g.init(bn.inputs[4]);
    const int64_t oc = scale.size();
    // Copy-on-write: the weights may be shared with another node in a hand-made graph.
    const std::string wname = layer.name + ".w_folded";
    Tensor w = g.init(layer.inputs[1]);
    const std::string bname = ensure_bias(g, layer, oc);
    Tensor b = g.init(bname);
    // Gemm with transB=0 stores B as [K, OC]: the output channel is the column.
    const bool column_major = layer.op == OpType::Gemm && !layer.trans_b;
    const int64_t per_oc = w.size() / oc;
    FoldedBn record{layer.name, bn.outputs[0], {}, {}};
    for (int64_t c = 0; c < oc; ++c) {
      const float k = scale.data[c] / std::sqrt(var.data[c] + bn.epsilon);
      for (int64_t j = 0; j < per_oc; ++j) {
        const int64_t idx = column_major ? j * oc + c : c * per_oc + j;
        w.data[idx] *= k;
      }
      const float bias = layer.op == OpType::Gemm ? layer.beta * b.data[c] : b.data[c];
      b.data[c] = (bias - mean.data[c]) * k + shift.data[c];
      record.gamma.push_back(scale.data[c]);
      record.beta.push_back(shift.data[c]);
    }
    if (layer.op == OpType::Gemm) layer.beta = 1.0f;  // beta is now inside the bias
    g.initializers[wname] = std::move(w);
    layer.inputs[1] = wname;
    const std::string bfold = layer.name + ".b_folded";
    g.initializers[bfold] = std::move(b);
    layer.inputs[2] = bfold;
    g.shapes[bn.outputs[0]] = g.shapes[layer.outputs[0]];
    layer.outputs[0] = bn.outputs[0];
    if (folded) folded->push_back(std::move(record));
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  return g;
}

}  // namespace qarray
