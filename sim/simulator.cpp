#include "sim/simulator.h"

#include <algorithm>

#include "base/errors.h"
#include "sim/accelerator.h"
#include "sim/gemm_pass.h"

namespace qarray {
namespace {

void check_fits(const Network& net, const Layer& l, const ArchConfig& arch) {
  const std::string at = "layer '" + l.name + "' on arch '" + arch.name + "': ";
  for (int32_t t : l.inputs)
    if (net.tensors[t].quant.bits > arch.act_bits)
      throw InputError(at + std::to_string(net.tensors[t].quant.bits) + "-bit activations exceed act_bits " +
                       std::to_string(arch.act_bits));
  if (!l.on_array()) return;
  if (l.weight_bits > arch.weight_bits)
    throw InputError(at + std::to_string(l.weight_bits) + "-bit weights exceed weight_bits " +
                     std::to_string(arch.weight_bits));
  if (net.acc_bits != arch.acc_bits)
    throw InputError(at + "the network accumulates in " + std::to_string(net.acc_bits) +
                     " bits but acc_bits is " + std::to_string(arch.acc_bits));
}

void check_input(const Layer& l, const ActTensor& t, const IntTensor& x, const IntTensor& first) {
  if (x.shape.size() != t.shape.size() + 1 || x.shape[0] < 1 ||
      !std::equal(t.shape.begin(), t.shape.end(), x.shape.begin() + 1) || x.shape[0] != first.shape[0])
    throw InputError("layer '" + l.name + "': input shape " + shape_str(x.shape) + " does not match " +
                     shape_str(t.shape) + " with a batch dimension");
}

// The fold plan of each pass; a buffer too small for this layer's tile is an InputError that
// names the layer.
std::vector<FoldPlan> plan_layer(const Layer& l, const LayerGemm& gemm, const ArchConfig& arch) {
  std::vector<FoldPlan> plans;
  try {
    for (const GemmPass& pass : gemm.passes) plans.push_back(dataflow_unit(arch).plan(pass.k, pass.oc, pass.p, arch));
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " for layer '" + l.name + "' (" + layer_kind_name(l.kind) + ")");
  }
  return plans;
}

}  // namespace

void check_tiling(const Network& net, int64_t batch, const ArchConfig& arch) {
  arch.validate("arch '" + arch.name + "'");
  for (const Layer& l : net.layers) {
    if (!l.on_array()) continue;
    const ActTensor& in = net.tensors[l.inputs.at(0)];
    Shape shape{batch};
    shape.insert(shape.end(), in.shape.begin(), in.shape.end());
    IntTensor x(shape);  // the tiling does not depend on the values
    plan_layer(l, lower_to_gemm(l, in, net.tensors[l.output], x, arch), arch);
  }
}

SimResult simulate_layer(const Network& net, size_t index, const std::vector<const IntTensor*>& inputs,
                         const ArchConfig& arch) {
  arch.validate("arch '" + arch.name + "'");
  const Layer& l = net.layers.at(index);
  if (inputs.size() != l.inputs.size() || inputs.empty())
    throw InputError("layer '" + l.name + "': expected " + std::to_string(l.inputs.size()) + " input tensors, got " +
                     std::to_string(inputs.size()));
  check_fits(net, l, arch);
  for (size_t i = 0; i < inputs.size(); ++i) check_input(l, net.tensors[l.inputs[i]], *inputs[i], *inputs[0]);
  if (l.kind == LayerKind::Concat && inputs.size() != l.inputs.size())
    throw InputError("layer '" + l.name + "': concat input count differs");
  const IntTensor& x = *inputs[0];
  const ActTensor& in = net.tensors[l.inputs[0]];
  const ActTensor& out = net.tensors[l.output];

  Shape out_shape{x.shape[0]};
  out_shape.insert(out_shape.end(), out.shape.begin(), out.shape.end());
  SimResult result{IntTensor(out_shape), {}};
  LayerJob job;
  job.arch = &arch;
  job.layer = &l;
  job.out_zero_point = out.quant.zero_point;
  job.output = &result.output;
  LayerGemm gemm;
  if (l.on_array()) {
    gemm = lower_to_gemm(l, in, out, x, arch);
    job.gemm = &gemm;
    job.plans = plan_layer(l, gemm, arch);
  } else if (l.on_vector_unit()) {
    job.vector_unit.layer = &l;
    for (int32_t t : l.inputs) job.vector_unit.in.push_back(&net.tensors[t]);
    job.vector_unit.out = &out;
    job.vector_unit.x = inputs;
    job.vector_unit.output = &result.output;
  } else {
    job.vector = {&l, &in, inputs.size() > 1 ? &net.tensors[l.inputs[1]] : nullptr, &out,
                  &x, inputs.size() > 1 ? inputs[1] : nullptr, &result.output};
  }
  run_on_accelerator(job);

  result.counters = job.counters;
  return result;
}

SimResult simulate_layer(const Network& net, size_t index, const IntTensor& input, const ArchConfig& arch) {
  return simulate_layer(net, index, std::vector<const IntTensor*>{&input}, arch);
}

namespace {

// Layer after layer; `check(index, inputs, output)` sees each layer's result before its inputs die.
template <typename Check>
NetworkSimResult run_network(const Network& net, const IntTensor& input, const ArchConfig& arch, Check check) {
  // Values live until their last reader has run (as in GoldenExecutor::run).
  const std::vector<int> last_use = net.last_use();
  std::vector<IntTensor> values(net.tensors.size());
  values[net.input] = input;
  NetworkSimResult result;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    std::vector<const IntTensor*> ins;
    for (int32_t t : l.inputs) ins.push_back(&values[t]);
    SimResult r = simulate_layer(net, i, ins, arch);
    check(i, ins, r.output);
    values[l.output] = std::move(r.output);
    result.layers.push_back(r.counters);
    for (int32_t t : l.inputs)
      if (last_use[t] == static_cast<int>(i)) values[t] = IntTensor();
  }
  result.output = std::move(values[net.output]);
  return result;
}

}  // namespace

NetworkSimResult simulate_network(const Network& net, const IntTensor& input, const ArchConfig& arch) {
  return run_network(net, input, arch, [](size_t, const std::vector<const IntTensor*>&, const IntTensor&) {});
}

NetworkSimResult simulate_network_checked(const Network& net, const GoldenExecutor& golden, const IntTensor& input,
                                          const ArchConfig& arch) {
  return run_network(net, input, arch, [&](size_t i, const std::vector<const IntTensor*>& ins, const IntTensor& got) {
    const IntTensor want = golden.run_layer(i, ins);
    const Layer& l = net.layers[i];
    const std::string at = "layer " + std::to_string(i) + " '" + l.name + "' (" + layer_kind_name(l.kind) + ")";
    if (got.shape != want.shape)
      throw SimMismatchError(at + ": output shape " + shape_str(got.shape) + " on the cycle model, golden gives " +
                                 shape_str(want.shape), i, 0);
    for (int64_t j = 0; j < want.size(); ++j)
      if (got.data[j] != want.data[j])
        throw SimMismatchError(at + ": output " + std::to_string(j) + " is " + std::to_string(got.data[j]) +
                                   " on the cycle model, golden gives " + std::to_string(want.data[j]), i, j);
  });
}

void check_widths(const ArchConfig& arch, const std::string& where, int32_t weight_bits, int32_t act_bits,
                  int32_t acc_bits) {
  if (acc_bits != arch.acc_bits)
    throw InputError(where + ": acc_bits " + std::to_string(arch.acc_bits) + " but the network accumulates in " +
                     std::to_string(acc_bits) + " bits; they must be equal");
  if (weight_bits > arch.weight_bits)
    throw InputError(where + ": weight_bits " + std::to_string(arch.weight_bits) + " is narrower than the network's " +
                     std::to_string(weight_bits) + "-bit weights");
  if (act_bits > arch.act_bits)
    throw InputError(where + ": act_bits " + std::to_string(arch.act_bits) + " is narrower than the network's " +
                     std::to_string(act_bits) + "-bit activations");
}

}  // namespace qarray
