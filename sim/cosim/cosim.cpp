#include "sim/cosim/cosim.h"

#include <algorithm>

#include "sim/controller.h"
#include "sim/cosim/mismatch_report.h"
#include "sim/gemm_pass.h"
#include "sim/simulator.h"

namespace qarray {
namespace {

// Scatters the post-processed rows both datapaths agreed on into the layer's output tensor.
class LayerSink : public CosimRowSink {
 public:
  LayerSink(const std::vector<CosimFold>& folds, const LayerGemm& gemm, const DataflowUnit& unit, IntTensor& out)
      : folds_(folds), gemm_(gemm), unit_(unit), out_(out) {}

  void output_row(size_t f, int64_t index, const uint32_t* codes) override {
    const FoldJob& j = folds_[f].job;
    for (int64_t c = 0; c < unit_.row_lanes(j); ++c) {
      const int64_t p = j.p0 + unit_.row_vector(index, c);
      out_.ptr()[gemm_.out_index(p, unit_.row_channel(j, index, c))] = static_cast<int32_t>(codes[c]);
    }
  }

 private:
  const std::vector<CosimFold>& folds_;
  const LayerGemm& gemm_;
  const DataflowUnit& unit_;
  IntTensor& out_;
};

}  // namespace

ArchConfig variant_arch(const RtlVariant& v) { return load_arch_config(v.arch_file); }

CosimStats cosim_layer(const Network& net, size_t index, const IntTensor& input, const ArchConfig& arch,
                       const CosimOptions& opt, const std::string& label) {
  const Layer& l = net.layers.at(index);
  if (!l.on_array())
    throw InputError(label + ": " + layer_kind_name(l.kind) +
                     " layers run on the post-processing unit and have no RTL array to co-simulate");
  const RtlVariant& v = opt.variant.empty() ? find_rtl_variant(arch) : rtl_variant_named(opt.variant);
  if (v.rows != arch.rows || v.cols != arch.cols || v.dataflow != arch.dataflow || v.acc_bits != arch.acc_bits ||
      v.weight_bits != arch.weight_bits || v.act_bits != arch.act_bits)
    throw InputError(label + ": arch '" + arch.name + "' does not match RTL variant " + v.describe());
  const ActTensor& in = net.tensors[l.inputs[0]];
  const ActTensor& out = net.tensors[l.output];
  check_widths(arch, label, l.weight_bits, in.quant.bits, net.acc_bits);
  if (input.shape.size() != in.shape.size() + 1 || !std::equal(in.shape.begin(), in.shape.end(), input.shape.begin() + 1))
    throw InputError(label + ": input shape " + shape_str(input.shape) + " does not match " + shape_str(in.shape) +
                     " with a batch dimension");

  const LayerGemm gemm = lower_to_gemm(l, in, out, input, arch);
  LockstepRun run;
  run.variant = &v;
  run.layer = &l;
  run.out_zero_point = out.quant.zero_point;
  run.trace_path = opt.trace_path;
  run.rtl_only = opt.rtl_only;
  std::vector<size_t> fold_pass;
  for (size_t i = 0; i < gemm.passes.size(); ++i) {
    const GemmPass& pass = gemm.passes[i];
    const FoldPlan plan = dataflow_unit(arch).plan(pass.k, pass.oc, pass.p, arch);
    for (const FoldTile& t : fold_order(pass, plan)) {  // the controller's order
      run.folds.push_back(CosimFold{t.job, t.first_k, t.last_k});
      fold_pass.push_back(i);
    }
  }
  Shape out_shape{input.shape[0]};
  out_shape.insert(out_shape.end(), out.shape.begin(), out.shape.end());
  IntTensor result(out_shape);
  LayerSink sink(run.folds, gemm, dataflow_unit(v.dataflow), result);
  run.sink = &sink;
  run_lockstep(run);
  if (run.mismatch) throw CosimMismatchError(describe_mismatch(label, run, fold_pass), run.first);
  CosimStats s;
  s.layers = 1;
  s.folds = static_cast<int64_t>(run.folds.size());
  s.cycles = run.cycles;
  s.array_rows = run.array_rows;
  s.acc_rows = run.acc_rows;
  s.output_rows = run.output_rows;
  if (opt.rtl_only) return s;

  const GoldenExecutor golden(net);
  const IntTensor expected = golden.run_layer(index, {&input});
  for (size_t e = 0; e < expected.data.size(); ++e)
    if (expected.data[e] != result.data[e]) {
      DatapathMismatch m;
      m.expected = expected.data[e];
      m.actual = result.data[e];
      m.index = static_cast<int64_t>(e);
      throw CosimMismatchError(label + " on RTL variant " + v.name + ": the datapaths agree but output element " +
                                   std::to_string(e) + " is " + std::to_string(result.data[e]) +
                                   " after accumulation and post-processing, golden gives " +
                                   std::to_string(expected.data[e]),
                               m);
    }
  s.outputs = static_cast<int64_t>(expected.data.size());
  return s;
}

}  // namespace qarray
