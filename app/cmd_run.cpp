// `qarray run`: import, quantize with the PTQ pipeline (default W8A8 per-tensor CLE + bias
// correction) on the calibration split of --data (app/data_flags.h), evaluate FP32, integer golden
// and its fake-quant twin (workloads/fake_quant.h) on its test split, print the comparison (with
// --synthetic: golden alone, accuracy "not measured"), run the first test images on the cycle model (checked
// against golden) and print its per-layer timing, write the JSON report, the per-layer CSV and
// the workloads. With the cycle model it also runs image 0 on the design's FP32 twin and prices
// both designs with an energy table (energy per layer and component, area, INT/FP32 ratios).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/arch_flags.h"
#include "app/commands.h"
#include "app/data_flags.h"
#include "app/energy_report.h"
#include "app/report.h"
#include "base/errors.h"
#include "energy/area_model.h"
#include "energy/energy_model.h"
#include "energy/energy_table.h"
#include "explore/counter_columns.h"
#include "explore/energy_columns.h"
#include "explore/layer_table.h"
#include "explore/pricing.h"
#include "explore/shipped.h"
#include "explore/simulate.h"
#include "models/onnx_loader.h"
#include "sim/simulator.h"
#include "workloads/evaluate.h"
#include "workloads/network_io.h"
#include "workloads/pipeline.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::cli {
namespace {

using namespace qarray::explore;

struct RunFlags {
  std::string model = "mobilenetv2";
  DataFlags data;
  int64_t images = 0;
  int64_t calib_images = 512;
  std::vector<std::string> input_shapes;
  PtqFlags ptq;
  int threads = 2;
  std::string out = "out/run";
  std::string arch = "ws16";
  ArchOverrides arch_overrides;
  int64_t sim_images = 8;
  std::string energy_table = "horowitz45";
};

nlohmann::json eval_json(const EvalResult& r) {
  if (!r.labelled)  // golden on synthetic inputs: predictions made, nothing to count correct
    return {{"images", r.images}, {"correct", nullptr}, {"top1_percent", nullptr},
            {"seconds", r.seconds}, {"images_per_second", r.images_per_second()}};
  return {{"images", r.images}, {"correct", r.correct}, {"top1_percent", r.top1_percent()},
          {"seconds", r.seconds}, {"images_per_second", r.images_per_second()}};
}

// The accuracy of each path on the test set (with labels), or golden alone (synthetic inputs:
// its predictions are what the cycle model is checked against, its overflow counts still count).
struct Evaluation {
  EvalResult fp32, q, fq;
  FakeQuantGap gap;
};

Evaluation evaluate_paths(const Graph& graph, const PtqResult& qm, const Dataset& test, EvalOptions eval) {
  Evaluation ev;
  ProgressLine p_fp32("FP32 reference"), p_int("integer golden"), p_fq("fake-quant");
  eval.progress = std::ref(p_fp32);
  ev.fp32 = evaluate_fp32(graph, test, eval);
  eval.progress = std::ref(p_int);
  ev.q = evaluate_golden(qm.network, test, eval);
  eval.progress = std::ref(p_fq);
  ev.fq = evaluate_fake_quant(fake_quant_net(qm.quantized, qm.network), test, eval);
  ev.gap = fake_quant_gap(ev.q, ev.fq);
  return ev;
}

Evaluation evaluate_golden_only(const PtqResult& qm, const Dataset& test, EvalOptions eval) {
  Evaluation ev;
  ProgressLine p_int("integer golden");
  eval.progress = std::ref(p_int);
  ev.q = evaluate_golden(qm.network, test, eval);
  return ev;
}

void print_accuracy(const std::string& qname, const Evaluation& ev) {
  const EvalResult &fp32 = ev.fp32, &q = ev.q, &fq = ev.fq;
  int64_t overflows = 0;
  for (const auto& s : q.layers) overflows += s.overflows;
  std::printf("\n%-22s %8s %14s %10s\n", "path", "top-1 %", "correct", "images/s");
  std::printf("%-22s %8.2f %8lld/%-5lld %10.0f\n", "FP32 (reference)", fp32.top1_percent(),
              (long long)fp32.correct, (long long)fp32.images, fp32.images_per_second());
  std::printf("%-22s %8.2f %8lld/%-5lld %10.0f\n", (qname + " (golden)").c_str(), q.top1_percent(),
              (long long)q.correct, (long long)q.images, q.images_per_second());
  std::printf("%-22s %8.2f %8lld/%-5lld %10.0f\n", (qname + " (fake-quant)").c_str(), fq.top1_percent(),
              (long long)fq.correct, (long long)fq.images, fq.images_per_second());
  std::printf("%-22s %8.2f pp\n", "drop", fp32.top1_percent() - q.top1_percent());
  print_fake_quant_gap(ev.gap, 22);
  std::printf("accumulator overflows: %lld of %lld outputs\n", (long long)overflows,
              (long long)[&] { int64_t n = 0; for (auto& s : q.layers) n += s.outputs; return n; }());
}

// The accuracy table on synthetic inputs: every path "not measured", and why.
void print_not_measured(const std::string& qname, const std::string& reason, const EvalResult& q) {
  std::printf("\n%-22s %8s\n", "path", "top-1 %");
  for (const std::string& path : {std::string("FP32 (reference)"), qname + " (golden)", qname + " (fake-quant)"})
    std::printf("%-22s %s\n", path.c_str(), "not measured");
  std::printf("accuracy not measured: %s\n", reason.c_str());
  int64_t overflows = 0, outputs = 0;
  for (const auto& s : q.layers) overflows += s.overflows, outputs += s.outputs;
  std::printf("accumulator overflows: %lld of %lld outputs (golden on %lld synthetic images)\n", (long long)overflows,
              (long long)outputs, (long long)q.images);
}

// The cycle model's per-layer table (one image, batch 1) and its totals.
void print_sim(const Network& net, const ArchConfig& arch, const SimImages& s) {
  std::printf("\ncycle model: arch %s (%dx%d %s, W%dA%d, %d-bit accumulators, %.0f MHz), %lld test image(s) one at a "
              "time: every layer bit-exact with golden, same class\n",
              arch.name.c_str(), arch.rows, arch.cols, dataflow_name(arch.dataflow), arch.weight_bits, arch.act_bits,
              arch.acc_bits, arch.clock_mhz, static_cast<long long>(s.images));
  int w = 17;
  for (const Layer& l : net.layers) w = std::max(w, static_cast<int>(l.name.size()));
  std::printf("%-*s %-9s %10s %9s %9s %6s %8s %8s\n", w, "layer (per image)", "kind", "MACs", "cycles", "us",
              "util%", "DRAM st", "SRAM st");
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerCounters& k = s.layers[i];
    std::printf("%-*s %-9s %10lld %9lld %9.3f %6.2f %8lld %8lld\n", w, net.layers[i].name.c_str(),
                layer_kind_name(net.layers[i].kind), static_cast<long long>(k.macs),
                static_cast<long long>(k.total_cycles), k.total_cycles / arch.clock_mhz, 100.0 * k.pe_utilization,
                static_cast<long long>(k.dram_stall_cycles), static_cast<long long>(k.sram_stall_cycles));
  }
  const NetworkTotals t = network_totals(s.layers);
  const double util = pe_utilization(t.macs, t.cycles, arch.rows, arch.cols);
  const double us = t.cycles / arch.clock_mhz;
  std::printf("%-*s %-9s %10lld %9lld %9.3f %6.2f %8lld %8lld\n", w, "total", "", static_cast<long long>(t.macs),
              static_cast<long long>(t.cycles), us, 100.0 * util, static_cast<long long>(t.dram_stall_cycles),
              static_cast<long long>(t.sram_stall_cycles));
  std::printf("per image (batch 1, layers in sequence): %lld cycles, %.3f us, %.0f images/s; %lld images one after "
              "another: %.3f us; simulated in %.2f s\n",
              static_cast<long long>(t.cycles), us, 1e6 / us, static_cast<long long>(s.images),
              us * s.images, s.seconds);
}

nlohmann::json sim_json(const Network& net, const ArchConfig& arch, const std::string& path, const SimImages& s) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < s.layers.size(); ++i) {
    nlohmann::json row = counters_json(s.layers[i], arch.clock_mhz);
    row["name"] = net.layers[i].name;
    row["kind"] = layer_kind_name(net.layers[i].kind);
    layers.push_back(row);
  }
  const NetworkTotals t = network_totals(s.layers);
  return {{"arch",
           {{"name", arch.name}, {"path", path}, {"rows", arch.rows}, {"cols", arch.cols},
            {"dataflow", dataflow_name(arch.dataflow)}, {"weight_bits", arch.weight_bits},
            {"act_bits", arch.act_bits}, {"acc_bits", arch.acc_bits}, {"clock_mhz", arch.clock_mhz}}},
          {"images", s.images},
          {"bit_exact", true},
          {"seconds", s.seconds},
          {"per_image",
           {{"total_cycles", t.cycles}, {"latency_us", t.cycles / arch.clock_mhz}, {"macs", t.macs},
            {"stall_cycles", t.stall_cycles}, {"dram_stall_cycles", t.dram_stall_cycles},
            {"sram_stall_cycles", t.sram_stall_cycles},
            {"pe_utilization", pe_utilization(t.macs, t.cycles, arch.rows, arch.cols)}}},
          {"layers", layers}};
}

// report.json "accuracy": top-1 of FP32 and golden, or null for both and `not_measured` saying why.
nlohmann::json accuracy_json(const EvalResult& fp32, const EvalResult& q, const PtqOptions& opt,
                             const std::string& not_measured) {
  nlohmann::json j = {{"method", ptq_method_name(opt.method)}, {"weight_bits", opt.spec.weight_bits},
                      {"act_bits", opt.spec.act_bits}};
  if (!not_measured.empty()) {
    j.update({{"fp32_top1", nullptr}, {"int_top1", nullptr}, {"images", nullptr}, {"not_measured", not_measured}});
    return j;
  }
  j.update({{"fp32_top1", fp32.top1_percent()}, {"int_top1", q.top1_percent()}, {"images", q.images}});
  return j;
}

// Runs test image 0 through the cycle model on the design and on its FP32 twin, values unchecked,
// so that a buffer too small for one tile fails now rather than after the whole evaluation.
void check_design_runs(const Network& net, const Dataset& test, const ArchConfig& arch, const std::string& where) {
  try {
    check_tiling(net, 1, arch);  // a later layer that does not fit fails before any simulation
    simulate_network(net, GoldenExecutor(net).quantize_input(test.batch(0, 1)), arch);
    simulate_twin(net, test, fp32_twin(arch));
  } catch (const InputError& e) {
    throw InputError(where + ": " + e.what());
  }
}

int run(const RunFlags& f) {
  const PtqOptions opt = f.ptq.resolve(f.threads);  // before any loading: a bad flag fails at once
  const QuantSpec& spec = opt.spec;
  if (f.sim_images < 0) throw InputError("--sim-images " + std::to_string(f.sim_images) + " must be 0 or more");
  if (f.images > 0 && f.sim_images > f.images)
    throw InputError("--sim-images " + std::to_string(f.sim_images) + " exceeds --images " + std::to_string(f.images) +
                     " (the simulated images are checked against golden's predictions)");
  check_output_dir(f.out, "--out");
  const std::string arch_file = arch_path(f.arch);
  const ArchConfig arch = load_arch(f.arch, f.arch_overrides);
  const EnergyTable table = load_energy_table(f.energy_table);
  const std::string where = arch_where(f.arch);
  if (f.sim_images > 0) check_widths(arch, where, spec.weight_bits, spec.act_bits, spec.acc_bits);
  const std::string model_path = shipped_model(f.model);
  const DataSetup data = resolve_data(f.data, model_path);
  std::cout << "qarray run: model " << model_path << "\n";
  const Graph graph = load_onnx(model_path, import_options(f.input_shapes));
  const ModelInput input = model_input(graph);
  // Synthetic data: as many test images as --images, else as the cycle model runs (at least 1).
  const int64_t synthetic_test = f.images > 0 ? f.images : std::max<int64_t>(1, f.sim_images);
  const Dataset test = open_dataset(data.source, Split::Test, data.pre, input, synthetic_test);
  const Dataset train = open_calibration(data, input, test, f.calib_images);
  if (f.images < 0 || f.images > test.count)
    throw InputError("--images " + std::to_string(f.images) + ": the test set holds " + std::to_string(test.count));
  if (f.sim_images > test.count)
    throw InputError("--sim-images " + std::to_string(f.sim_images) + ": the test set holds " +
                     std::to_string(test.count));

  print_data(data, test, train, f.calib_images);
  std::cout << "quantizing: " << ptq_method_name(opt.method) << ", W" << spec.weight_bits << "A" << spec.act_bits
            << (spec.per_channel ? " per-channel" : " per-tensor") << ", " << spec.acc_bits
            << "-bit accumulators, " << f.calib_images << " calibration images\n";
  const PtqResult qm = quantize_ptq(graph, calibration_images(train, f.calib_images), opt);
  for (const PtqStep& step : qm.steps) std::printf("  %-22s %7.2f s\n", step.name.c_str(), step.seconds);
  if (f.sim_images > 0) check_design_runs(qm.network, test, arch, where);

  EvalOptions eval;
  eval.images = f.images;
  eval.threads = f.threads;
  const std::string qname = "INT W" + std::to_string(spec.weight_bits) + "A" + std::to_string(spec.act_bits);
  const bool measured = test.labelled();
  const Evaluation ev = measured ? evaluate_paths(graph, qm, test, eval) : evaluate_golden_only(qm, test, eval);
  const EvalResult &fp32 = ev.fp32, &q = ev.q, &fq = ev.fq;
  const FakeQuantGap& gap = ev.gap;
  if (measured) print_accuracy(qname, ev);
  else print_not_measured(qname, not_measured_reason(), q);

  SimImages sim;
  PricedDesign priced_int, priced_fp32;
  nlohmann::json energy;
  if (f.sim_images > 0) {
    sim = simulate_images(qm.network, test, f.sim_images, q.predictions, arch);
    print_sim(qm.network, arch, sim);
    const ArchConfig twin = fp32_twin(arch);
    const SimImages fp32_sim = simulate_twin(qm.network, test, twin);
    priced_int = price_design(qm.network, arch, sim.layers, table);
    priced_fp32 = price_design(qm.network, twin, fp32_sim.layers, table);
    const YosysAreaComparison yosys =
        compare_yosys_area(std::string(QARRAY_SOURCE_DIR) + "/energy/yosys_area.csv", arch, priced_int.area);
    print_energy(qm.network, priced_int, priced_fp32, table, yosys);
    std::printf("FP32 twin simulated in %.2f s\n", fp32_sim.seconds);
    energy = energy_json(qm.network, priced_int, priced_fp32, table, yosys);
  }

  const std::string wl_dir = f.out + "/workloads";
  save_network(qm.network, wl_dir);
  nlohmann::json report = {
      {"model", {{"name", graph.name}, {"path", model_path}, {"macs_per_image", qm.network.macs_per_sample()}}},
      {"arch",
       {{"name", arch.name}, {"path", arch_file}, {"rows", arch.rows}, {"cols", arch.cols},
        {"dataflow", dataflow_name(arch.dataflow)}, {"weight_bits", arch.weight_bits}, {"act_bits", arch.act_bits},
        {"acc_bits", arch.acc_bits}, {"clock_mhz", arch.clock_mhz}}},
      {"accuracy", accuracy_json(fp32, q, opt, measured ? "" : not_measured_reason())},
      {"dataset", dataset_json(data, test, train, f.calib_images)},
      {"quantization",
       {{"method", ptq_method_name(opt.method)}, {"act_ranges", f.ptq.act_ranges},
        {"weight_ranges", f.ptq.weight_ranges}, {"weight_bits", spec.weight_bits},
        {"act_bits", spec.act_bits}, {"acc_bits", spec.acc_bits},
        {"weights", spec.per_channel ? "per-channel" : "per-tensor"}, {"calib_images", f.calib_images}}},
      {"ptq", ptq_report_json(qm, opt)},
      {"fp32", measured ? eval_json(fp32) : nlohmann::json()},
      {"int", eval_json(q)},
      {"fake_quant", measured ? eval_json(fq) : nlohmann::json()},
      {"drop_pp", measured ? nlohmann::json(fp32.top1_percent() - q.top1_percent()) : nlohmann::json()},
      {"fake_quant_gap", measured ? fake_quant_gap_json(gap) : nlohmann::json()},
      {"workloads", wl_dir},
      {"sim", f.sim_images > 0 ? sim_json(qm.network, arch, arch_file, sim) : nlohmann::json()},
      {"energy", energy}};
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const Layer& l = qm.network.layers[i];
    report["layers"].push_back({{"name", l.name}, {"kind", layer_kind_name(l.kind)},
                                {"outputs", q.layers[i].outputs}, {"overflows", q.layers[i].overflows}});
  }
  const std::string csv_path = f.out + "/layers.csv";
  if (f.sim_images > 0) write_output_file(csv_path, layer_table_csv(qm.network, priced_int, priced_fp32));
  else std::filesystem::remove(csv_path);  // no stale table from an earlier run
  const std::string report_path = f.out + "/report.json";
  write_json(report_path, report);
  std::cout << "\nreport: " << report_path << "\nworkloads: " << wl_dir << "\n";
  if (f.sim_images > 0) std::cout << "layers: " << csv_path << "\n";
  return 0;
}

}  // namespace

Action add_run(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  app.add_option("--model", f->model, "Shipped model name (mobilenetv2, resnet) or an ONNX file")
      ->capture_default_str();
  add_data_flags(app, f->data, "for calibration and evaluation");
  app.add_option("--images", f->images, "Test images to evaluate (0 = all)")->capture_default_str();
  app.add_option("--calib-images", f->calib_images, "Calibration images (the first N of the calibration split)")
      ->capture_default_str();
  add_input_shape_flag(app, f->input_shapes);
  add_ptq_flags(app, f->ptq);
  app.add_option("--threads", f->threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--out", f->out, "Output directory (report.json, layers.csv, workloads/)")->capture_default_str();
  app.add_option("--arch", f->arch, "Architecture file, or a preset in configs/ (ws16, gemmini16, ws32, edge8)")
      ->capture_default_str();
  add_arch_override_flags(app, f->arch_overrides);
  app.add_option("--sim-images", f->sim_images,
                 "First N test images to run on the cycle model, checked against golden (0 = none)")
      ->capture_default_str();
  app.add_option("--energy-table", f->energy_table,
                 "Energy/area table: horowitz45 (45nm), aladdin40 (40nm) or a CSV file (energy/README.md)")
      ->capture_default_str();
  return [f] { return run(*f); };
}

}  // namespace qarray::cli
