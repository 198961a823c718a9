#include "sim/cosim/cosim.h"

#include <algorithm>

#include "sim/accumulator.h"
#include "sim/controller.h"
#include "sim/gemm_pass.h"
#include "sim/simulator.h"

namespace qarray {
namespace {

// Accumulates the rows both arrays agreed on and post-processes finished tiles (the
// controller's vector_row / channel_row / finish, sim/controller.cpp).
class LayerSink : public CosimRowSink {
 public:
  LayerSink(const std::vector<CosimFold>& folds, const LayerGemm& gemm, Dataflow df, PostProcessing& ppu,
            IntTensor& out)
      : folds_(folds), gemm_(gemm), df_(df), ppu_(ppu), out_(out) {}

  void row(size_t f, int64_t index, const uint32_t* sums) override {
    const CosimFold& fold = folds_[f];
    const FoldJob& j = fold.job;
    if (f != current_ && fold.first_k) acc_.begin_tile(j.p_len, j.oc_len);
    current_ = f;
    if (df_ == Dataflow::InputStationary) {
      acc_.accumulate_column(index, sums, fold.first_k);
      if (fold.last_k)
        for (int64_t p = 0; p < j.p_len; ++p) finish(j, p, index, acc_.word(p, index));
      return;
    }
    const uint32_t* acc = acc_.accumulate(index, sums, fold.first_k);
    if (fold.last_k)
      for (int64_t c = 0; c < j.oc_len; ++c) finish(j, index, c, acc[c]);
  }
  int64_t outputs = 0;

 private:
  void finish(const FoldJob& j, int64_t p, int64_t oc, uint32_t acc) {
    const int64_t ch = j.pass->channel[j.oc0 + oc];
    out_.ptr()[gemm_.out_index(j.p0 + p, ch)] = ppu_.apply(acc, ch);
    ++outputs;
  }
  const std::vector<CosimFold>& folds_;
  const LayerGemm& gemm_;
  Dataflow df_;
  PostProcessing& ppu_;
  IntTensor& out_;
  Accumulator acc_;
  size_t current_ = SIZE_MAX;
};

std::string describe_mismatch(const std::string& label, const RtlVariant& v, const LockstepRun& run,
                              const std::vector<size_t>& fold_pass) {
  const ArrayMismatch& m = run.first;
  const FoldJob& j = run.folds[m.fold].job;
  std::string s = label + " on RTL variant " + v.name + ": fold " + std::to_string(m.fold + 1) + "/" +
                  std::to_string(run.folds.size()) + " (pass " + std::to_string(fold_pass[m.fold]) + ", k0 " +
                  std::to_string(j.k0) + ", oc0 " + std::to_string(j.oc0) + ", p0 " + std::to_string(j.p0) +
                  "), cycle " + std::to_string(m.fold_cycle) + " of the fold (cycle " + std::to_string(m.run_cycle) +
                  " of the run): ";
  const bool is = v.dataflow == Dataflow::InputStationary;
  const std::string row = is ? "weight column oc0+" + std::to_string(m.index) : "vector p0+" + std::to_string(m.index);
  if (m.valid_differs) {
    if (m.actual_valid) return s + "out_valid is 1 on the RTL but the SystemC array delivers no row";
    return s + "out_valid is 0 on the RTL but the SystemC array delivers the row of " + row;
  }
  std::string where = "column " + std::to_string(m.column) + " (" + row + ")";
  if (m.pe_row >= 0)
    where = "PE (" + std::to_string(m.pe_row) + ", " + std::to_string(m.column) + ") (" + row + ", channel oc0+" +
            std::to_string(m.column) + ")";
  return s + where + ": RTL sum " + std::to_string(m.actual) + ", SystemC sum " + std::to_string(m.expected) +
         " (low " + std::to_string(v.acc_bits) + " bits)";
}

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
  run.trace_path = opt.trace_path;
  run.rtl_only = opt.rtl_only;
  std::vector<size_t> fold_pass;
  for (size_t i = 0; i < gemm.passes.size(); ++i) {
    const GemmPass& pass = gemm.passes[i];
    const FoldPlan plan = plan_folds(pass.k, pass.oc, pass.p, arch);
    for (const FoldTile& t : fold_order(pass, plan)) {  // the controller's order
      run.folds.push_back(CosimFold{t.job, t.first_k, t.last_k});
      fold_pass.push_back(i);
    }
  }
  Shape out_shape{input.shape[0]};
  out_shape.insert(out_shape.end(), out.shape.begin(), out.shape.end());
  IntTensor result(out_shape);
  PostProcessing& ppu = cosim_post_processing();
  ppu.configure(l, out.quant.zero_point, arch.acc_bits);
  LayerSink sink(run.folds, gemm, v.dataflow, ppu, result);
  run.sink = &sink;
  run_lockstep(run);
  if (run.mismatch) throw CosimMismatchError(describe_mismatch(label, v, run, fold_pass), run.first);
  CosimStats s;
  s.layers = 1;
  s.folds = static_cast<int64_t>(run.folds.size());
  s.cycles = run.cycles;
  s.rows = run.rows_compared;
  if (opt.rtl_only) return s;

  const GoldenExecutor golden(net);
  const IntTensor expected = golden.run_layer(index, {&input});
  for (size_t e = 0; e < expected.data.size(); ++e)
    if (expected.data[e] != result.data[e]) {
      ArrayMismatch m;
      m.expected = expected.data[e];
      m.actual = result.data[e];
      m.index = static_cast<int64_t>(e);
      throw CosimMismatchError(label + " on RTL variant " + v.name + ": the arrays agree but output element " +
                                   std::to_string(e) + " is " + std::to_string(result.data[e]) +
                                   " after accumulation and post-processing, golden gives " +
                                   std::to_string(expected.data[e]),
                               m);
    }
  s.outputs = static_cast<int64_t>(expected.data.size());
  return s;
}

}  // namespace qarray
