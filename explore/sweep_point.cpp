// Quantization groups and the evaluation of one sweep point (explore/sweep_point.h).
#include "explore/sweep_point.h"

#include <set>
#include <tuple>

#include "base/errors.h"
#include "base/format.h"
#include "energy/energy_model.h"
#include "explore/pricing.h"
#include "explore/shipped.h"
#include "explore/simulate.h"
#include "models/onnx_loader.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::explore {
namespace {

DesignFigures figures(const PricedDesign& d) {
  const NetworkTotals t = network_totals(d.counters);
  const ArchConfig& a = d.arch;
  DesignFigures f;
  f.cycles = d.cycles;
  f.macs = d.macs;
  f.stall_cycles = t.stall_cycles;
  f.dram_bytes = t.dram_bytes();
  f.latency_us = d.cycles / a.clock_mhz;
  f.utilization = pe_utilization(d.macs, d.cycles, a.rows, a.cols);
  f.energy_uj = d.total.total_pj() / 1e6;
  f.pj_per_mac = d.macs ? d.total.total_pj() / static_cast<double>(d.macs) : 0.0;
  f.mac_uj = d.total.mac_pj / 1e6;
  f.register_uj = d.total.register_pj / 1e6;
  f.sram_uj = (d.total.ifmap_sram_pj + d.total.weight_sram_pj + d.total.ofmap_sram_pj) / 1e6;
  f.dram_uj = d.total.dram_pj / 1e6;
  f.area_mm2 = d.area.total_mm2;
  f.pe_area_um2 = d.area.pe_um2;
  return f;
}

}  // namespace

bool QuantKey::operator<(const QuantKey& o) const {
  return std::tie(weight_bits, act_bits, method) < std::tie(o.weight_bits, o.act_bits, o.method);
}

QuantKey quant_key(const SweepPoint& p) { return {p.weight_bits, p.act_bits, p.method}; }

std::vector<QuantKey> quant_groups(const std::vector<SweepPoint>& points) {
  std::vector<QuantKey> out;
  std::set<QuantKey> seen;
  for (const SweepPoint& p : points)
    if (seen.insert(quant_key(p)).second) out.push_back(quant_key(p));
  return out;
}

QuantizedGroup quantize_group(const Graph& graph, const Tensor& calib, const Dataset& test, const EvalOptions& eval,
                              const QuantKey& key, int32_t acc_bits, int threads) {
  QuantizedGroup q;
  try {
    PtqOptions opt;
    opt.method = parse_ptq_method(key.method);
    opt.spec.weight_bits = key.weight_bits;
    opt.spec.act_bits = key.act_bits;
    opt.spec.acc_bits = acc_bits;
    opt.threads = threads;
    validate(opt);
    PtqResult r = quantize_ptq(graph, calib, opt);
    const EvalResult e = evaluate_golden(r.network, test, eval);
    q.net = std::move(r.network);
    q.int_top1 = e.top1_percent();
    q.predictions = e.predictions;
  } catch (const Error& e) {
    q.error = "quantization: " + one_line(e.what());
  }
  return q;
}

PointResult failed_point(const std::string& error) {
  PointResult r;
  r.ok = false;
  r.error = error;
  return r;
}

PointResult run_point(const QuantizedGroup& q, const Dataset& test, int64_t sim_images, const ArchConfig& arch,
                      const EnergyTable& table) {
  PointResult r;
  try {
    const SimImages s = simulate_images(q.net, test, sim_images, q.predictions, arch);
    r.int_design = figures(price_design(q.net, arch, s.layers, table));
    r.node = table.node;
  } catch (const Error& e) {
    return failed_point(e.what());
  }
  try {
    const ArchConfig twin = fp32_twin(arch);
    const SimImages f = simulate_twin(q.net, test, twin);
    r.fp32_twin = figures(price_design(q.net, twin, f.layers, table));
  } catch (const Error& e) {
    r.ok = false;
    r.error = e.what();
  }
  return r;
}

SweepInputs load_sweep_inputs(const SweepGrid& g) {
  SweepInputs in;
  for (const std::string& name : g.energy_table) {
    try {
      in.tables[name] = load_energy_table(name);
    } catch (const InputError& e) {
      throw InputError(g.path + ": energy_table: " + e.what());
    }
  }
  in.model_path = shipped_model(g.model);
  in.graph = load_onnx(in.model_path);
  const DataSource source = parse_data_source(g.data, g.labels, g.path + ": data");
  const Preprocess pre = preprocess_for_model(in.model_path);
  const ModelInput input = model_input(in.graph);
  in.test = open_dataset(source, Split::Test, pre, input, g.sim_images);
  in.train = in.test.split == "all" ? in.test : open_dataset(source, Split::Train, pre, input, g.calib_images);
  if ((in.test.labelled() && g.eval_images > in.test.count) || g.sim_images > in.test.count)
    throw InputError(g.path + ": eval_images/sim_images: the test set holds " + std::to_string(in.test.count));
  return in;
}

}  // namespace qarray::explore
