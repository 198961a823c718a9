#include "workloads/golden.h"

#include <algorithm>

#include "base/errors.h"
#include "workloads/golden_kernels.h"

namespace qarray {

struct GoldenExecutor::Prepared {
  golden::GemmWeights gemm;
};

GoldenExecutor::GoldenExecutor(const Network& net) : net_(net) {
  prepared_.resize(net.layers.size());
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.kind == LayerKind::Conv || l.kind == LayerKind::Fc) {
      auto p = std::make_shared<Prepared>();
      p->gemm = golden::prepare_gemm(l, net.tensors[l.inputs[0]].quant.bits);
      prepared_[i] = std::move(p);
    }
  }
}

IntTensor GoldenExecutor::quantize_input(const Tensor& x) const {
  const ActQuant& q = net_.tensors[net_.input].quant;
  IntTensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) y.data[i] = q.quantize(x.data[i]);
  return y;
}

Tensor GoldenExecutor::dequantize_output(const IntTensor& q) const {
  const ActQuant& a = net_.tensors[net_.output].quant;
  Tensor y(q.shape);
  for (int64_t i = 0; i < q.size(); ++i) y.data[i] = static_cast<float>(a.dequantize(q.data[i]));
  return y;
}

IntTensor GoldenExecutor::run_layer(size_t index, const std::vector<const IntTensor*>& inputs,
                                    LayerStats* stats) const {
  const Layer& l = net_.layers.at(index);
  if (inputs.size() != l.inputs.size())
    throw InputError("layer '" + l.name + "': expected " + std::to_string(l.inputs.size()) +
                     " input tensors, got " + std::to_string(inputs.size()));
  const ActTensor& in = net_.tensors[l.inputs[0]];
  const ActTensor& out = net_.tensors[l.output];
  const IntTensor& x = *inputs[0];
  if (x.shape.size() != in.shape.size() + 1 ||
      !std::equal(in.shape.begin(), in.shape.end(), x.shape.begin() + 1))
    throw InputError("layer '" + l.name + "': input shape " + shape_str(x.shape) +
                     " does not match " + shape_str(in.shape) + " with a batch dimension");
  switch (l.kind) {
    case LayerKind::Conv:
      return golden::conv(l, prepared_[index]->gemm, in, out, net_.acc_bits, x, stats);
    case LayerKind::Depthwise:
      return golden::depthwise(l, in, out, net_.acc_bits, x, stats);
    case LayerKind::Fc:
      return golden::fc(l, prepared_[index]->gemm, in, out, net_.acc_bits, x, stats);
    case LayerKind::Add:
      if (inputs[1]->shape != x.shape)
        throw InputError("layer '" + l.name + "': add inputs differ in shape");
      return golden::add(l, in, net_.tensors[l.inputs[1]], out, x, *inputs[1], stats);
    case LayerKind::MaxPool:
      return golden::maxpool(l, in, out, x, stats);
    case LayerKind::AvgPool:
      return golden::avgpool(l, in, out, x, stats);
    case LayerKind::Lut:
      return golden::lut(l, in, x, stats);
    case LayerKind::Mul:
      return golden::mul(l, in, net_.tensors[l.inputs[1]], out, x, *inputs[1], stats);
    case LayerKind::Concat: {
      std::vector<const ActTensor*> ins;
      for (int32_t t : l.inputs) ins.push_back(&net_.tensors[t]);
      return golden::concat(l, ins, out, inputs, stats);
    }
  }
  throw InputError("layer '" + l.name + "': unknown layer kind");
}

std::vector<IntTensor> GoldenExecutor::run_all(const IntTensor& input) const {
  std::vector<IntTensor> values(net_.tensors.size());
  values[net_.input] = input;
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    std::vector<const IntTensor*> ins;
    for (int32_t t : net_.layers[i].inputs) ins.push_back(&values[t]);
    values[net_.layers[i].output] = run_layer(i, ins);
  }
  return values;
}

IntTensor GoldenExecutor::run(const IntTensor& input, std::vector<LayerStats>* stats) const {
  if (stats) stats->resize(net_.layers.size());
  // Values live until their last reader has run.
  const std::vector<int> last_use = net_.last_use();

  std::vector<IntTensor> values(net_.tensors.size());
  values[net_.input] = input;
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    const Layer& l = net_.layers[i];
    std::vector<const IntTensor*> ins;
    for (int32_t t : l.inputs) ins.push_back(&values[t]);
    values[l.output] = run_layer(i, ins, stats ? &(*stats)[i] : nullptr);
    for (int32_t t : l.inputs)
      if (last_use[t] == static_cast<int>(i)) values[t] = IntTensor();
  }
  return std::move(values[net_.output]);
}

}  // namespace qarray
