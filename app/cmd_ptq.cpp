// `qarray ptq`: import, run the PTQ pipeline (workloads/ptq_pipeline.h), write the integer
// workloads and a PTQ report; optionally evaluate FP32 and integer golden top-1 on the test set.
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "app/data_flags.h"
#include "app/report.h"
#include "base/errors.h"
#include "explore/shipped.h"
#include "models/onnx_loader.h"
#include "models/synthetic.h"
#include "workloads/evaluate.h"
#include "workloads/network_io.h"
#include "workloads/pipeline.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::cli {
namespace {

struct PtqCommand {
  std::string model = "mobilenetv2";
  DataFlags data;
  int64_t calib_images = 512;
  std::vector<std::string> input_shapes;
  PtqFlags ptq;
  bool evaluate = false;
  int64_t images = 0;
  int threads = 2;
  std::string out = "out/ptq";
};

nlohmann::json eval_json(const EvalResult& r) {
  return {{"images", r.images}, {"correct", r.correct}, {"top1_percent", r.top1_percent()}, {"seconds", r.seconds}};
}

int run_ptq(const PtqCommand& f) {
  const PtqOptions opt = f.ptq.resolve(f.threads);
  if (f.evaluate && f.data.synthetic)
    throw InputError("--evaluate measures accuracy, which --synthetic inputs cannot give (they have no labels)");
  check_output_dir(f.out, "--out");
  const std::string model_path = explore::shipped_model(f.model);
  const DataSetup data = resolve_data(f.data, model_path);
  const Graph graph = load_onnx(model_path, import_options(f.input_shapes));
  const ModelInput input = model_input(graph);
  const Dataset train = open_dataset(data.source, Split::Train, data.pre, input, f.calib_images);
  const Dataset test = f.evaluate ? open_dataset(data.source, Split::Test, data.pre, input) : Dataset();
  if (!data.plain_fashion_mnist())
    std::cout << "calibration: the first " << f.calib_images << " of " << describe_dataset(train)
              << "; preprocessing: " << train.preprocessing << "\n";
  const Tensor calib = calibration_images(train, f.calib_images);
  std::cout << "qarray ptq: " << model_path << ", method " << ptq_method_name(opt.method) << ", W"
            << opt.spec.weight_bits << "A" << opt.spec.act_bits << (opt.spec.per_channel ? " per-channel" : " per-tensor")
            << ", " << f.calib_images << " calibration images\n";
  const PtqResult r = quantize_ptq(graph, calib, opt);
  for (const PtqStep& s : r.steps) std::printf("  %-18s %8.3f s\n", s.name.c_str(), s.seconds);

  nlohmann::json report = ptq_report_json(r, opt);
  report["model"] = {{"name", graph.name}, {"path", model_path}, {"macs_per_image", r.network.macs_per_sample()}};
  if (data.plain_fashion_mnist()) {
    report["calibration"] = {{"dataset", f.data.data}, {"split", "train"}, {"images", f.calib_images}};
  } else {
    report["calibration"] = {{"dataset", data.synthetic() ? std::string(kSyntheticData) : data.source.path},
                             {"format", train.format}, {"split", train.split}, {"images", f.calib_images},
                             {"preprocessing", train.preprocessing}};
    if (data.synthetic()) report["calibration"]["distribution"] = synthetic_distribution(data.source.seed);
  }
  if (f.evaluate) {
    EvalOptions eo;
    eo.images = f.images;
    eo.threads = f.threads;
    ProgressLine p1("FP32 (imported)"), p2("FP32 (PTQ reference)"), p3("integer golden"), p4("fake-quant");
    eo.progress = std::ref(p1);
    const EvalResult fp32 = evaluate_fp32(graph, test, eo);
    eo.progress = std::ref(p2);
    const EvalResult ref = evaluate_fp32(r.reference, test, eo);
    eo.progress = std::ref(p3);
    const EvalResult q = evaluate_golden(r.network, test, eo);
    eo.progress = std::ref(p4);
    const EvalResult fq = evaluate_fake_quant(fake_quant_net(r.quantized, r.network), test, eo);
    const FakeQuantGap gap = fake_quant_gap(q, fq);
    std::printf("\n%-24s %8s\n", "path", "top-1 %");
    std::printf("%-24s %8.2f\n", "FP32 (imported)", fp32.top1_percent());
    std::printf("%-24s %8.2f\n", "FP32 (PTQ reference)", ref.top1_percent());
    std::printf("%-24s %8.2f\n", "INT (golden)", q.top1_percent());
    std::printf("%-24s %8.2f\n", "fake-quant (float sim)", fq.top1_percent());
    print_fake_quant_gap(gap, 24);
    report["evaluation"] = {{"fp32", eval_json(fp32)},
                            {"fp32_reference", eval_json(ref)},
                            {"int", eval_json(q)},
                            {"fake_quant", eval_json(fq)},
                            {"drop_pp", fp32.top1_percent() - q.top1_percent()},
                            {"fake_quant_gap", fake_quant_gap_json(gap)}};
  }
  const std::string wl_dir = f.out + "/workloads";
  save_network(r.network, wl_dir);
  report["workloads"] = wl_dir;
  write_json(f.out + "/ptq_report.json", report);
  std::cout << "report: " << f.out << "/ptq_report.json\nworkloads: " << wl_dir << "\n";
  return 0;
}

}  // namespace

nlohmann::json ptq_report_json(const PtqResult& r, const PtqOptions& opt) {
  nlohmann::json j;
  j["method"] = ptq_method_name(opt.method);
  j["weight_bits"] = opt.spec.weight_bits;
  j["act_bits"] = opt.spec.act_bits;
  j["acc_bits"] = opt.spec.acc_bits;
  j["weights"] = opt.spec.per_channel ? "per-channel" : "per-tensor";
  j["act_ranges"] = {{"method", range_method_name(opt.act_ranges.method)}, {"percentile", opt.act_ranges.percentile}};
  j["weight_ranges"] = {{"method", range_method_name(opt.weight_ranges.method)},
                        {"percentile", opt.weight_ranges.percentile}};
  for (const PtqStep& s : r.steps) j["steps"].push_back({{"name", s.name}, {"seconds", s.seconds}});
  if (opt.method.cle) {
    nlohmann::json c;
    c["relu6_policy"] = opt.cle.relu6 == Relu6Policy::AsRelu ? "relu" : "skip";
    c["relu6_replaced"] = r.cle.relu6_replaced;
    c["chains"] = nlohmann::json::array();
    for (const CleChain& ch : r.cle.chains)
      c["chains"].push_back({{"layers", ch.layers}, {"method", ch.method}, {"iterations", ch.iterations},
                             {"imbalance_before", ch.imbalance_before}, {"imbalance_after", ch.imbalance_after}});
    c["skipped"] = nlohmann::json::array();
    for (const CleSkip& s : r.cle.skipped) c["skipped"].push_back({{"layer", s.layer}, {"reason", s.reason}});
    c["absorbed"] = nlohmann::json::array();
    for (const Absorption& a : r.cle.absorbed)
      c["absorbed"].push_back({{"from", a.from}, {"to", a.to}, {"channels", a.channels}, {"max_c", a.max_c}});
    c["absorption_skipped"] = nlohmann::json::array();
    for (const CleSkip& s : r.cle.absorption_skipped)
      c["absorption_skipped"].push_back({{"link", s.layer}, {"reason", s.reason}});
    j["cle"] = c;
  }
  if (opt.method.bias != BiasCorrection::None) {
    nlohmann::json b;
    b["kind"] = opt.method.bias == BiasCorrection::Empirical ? "empirical" : "analytical";
    b["layers"] = nlohmann::json::array();
    for (const BiasCorrectionLayer& l : r.bias.layers)
      b["layers"].push_back({{"layer", l.layer}, {"channels", l.channels}, {"mean_abs_shift", l.mean_abs_shift},
                             {"max_abs_shift", l.max_abs_shift}, {"mean_abs_output", l.mean_abs_output}});
    b["skipped"] = nlohmann::json::array();
    for (const AnalyticalSkip& s : r.bias_skipped) b["skipped"].push_back({{"layer", s.layer}, {"reason", s.reason}});
    j["bias_correction"] = b;
  }
  if (opt.method.adaround) {
    const AdaRoundOptions& o = opt.adaround;
    nlohmann::json a;
    a["options"] = {{"iterations", o.iterations}, {"images", o.images}, {"positions", o.positions},
                    {"batch", o.batch}, {"learning_rate", o.learning_rate}, {"lambda", o.lambda},
                    {"beta_start", o.beta_start}, {"beta_end", o.beta_end}, {"warm_start", o.warm_start},
                    {"seed", o.seed}};
    a["layers"] = nlohmann::json::array();
    for (const AdaRoundLayer& l : r.adaround.layers)
      a["layers"].push_back({{"layer", l.layer}, {"kind", l.kind}, {"weights", l.weights}, {"patches", l.patches},
                             {"loss_float_weights", l.loss_float}, {"loss_nearest", l.loss_nearest},
                             {"loss_adaround", l.loss_adaround}, {"flipped", l.flipped},
                             {"kept_nearest", l.kept_nearest}, {"seconds", l.seconds}});
    a["fallback"] = nlohmann::json::array();
    for (const AdaRoundFallback& f : r.adaround.fallback) a["fallback"].push_back({{"layer", f.layer}, {"reason", f.reason}});
    j["adaround"] = a;
  }
  return j;
}

namespace {
// One line per layer as AdaRound finishes it: progress, and the loss before/after.
void print_adaround_layer(const AdaRoundLayer& l, int done, int total) {
  std::printf("  adaround %2d/%-2d %-22s %-9s %6lld w  loss %.3e -> %.3e (fp32 w %.3e)  flipped %5.1f%%  %6.2f s%s\n",
              done, total, l.layer.c_str(), l.kind.c_str(), (long long)l.weights, l.loss_nearest, l.loss_adaround,
              l.loss_float, 100.0 * l.flipped, l.seconds, l.kept_nearest ? "  (kept nearest)" : "");
  std::fflush(stdout);
}
}  // namespace

PtqOptions PtqFlags::resolve(int threads) const {
  PtqOptions opt;
  opt.spec = spec;
  opt.method = parse_ptq_method(method);
  opt.act_ranges.method = parse_range_method(act_ranges);
  opt.weight_ranges.method = parse_range_method(weight_ranges);
  opt.act_ranges.percentile = opt.weight_ranges.percentile = percentile;
  if (relu6 != "relu" && relu6 != "skip")
    throw InputError("--relu6 '" + relu6 + "': expected relu (replace by ReLU and equalize) or skip");
  opt.cle.relu6 = relu6 == "relu" ? Relu6Policy::AsRelu : Relu6Policy::Skip;
  opt.cle.absorb_high_bias = !no_absorb;
  opt.adaround = adaround;
  if (opt.method.adaround) opt.adaround.on_layer = print_adaround_layer;
  opt.threads = threads;
  validate(opt);
  return opt;
}

void add_ptq_flags(CLI::App& app, PtqFlags& f) {
  app.add_option("--method", f.method,
                 "nearest | cle | bc | cle+bc | bc-analytic | cle+bc-analytic | adaround | cle+adaround | "
                 "adaround+bc | cle+adaround+bc")
      ->capture_default_str();
  app.add_option("--weight-bits", f.spec.weight_bits, "Weight bits (2-16)")->capture_default_str();
  app.add_option("--act-bits", f.spec.act_bits, "Activation bits (2-16)")->capture_default_str();
  app.add_option("--acc-bits", f.spec.acc_bits, "Accumulator bits (wrapping)")->capture_default_str();
  app.add_flag("--per-channel", f.spec.per_channel, "Per-output-channel weight scales");
  app.add_option("--act-ranges", f.act_ranges, "Activation range setting: minmax | mse | percentile")
      ->capture_default_str();
  app.add_option("--weight-ranges", f.weight_ranges, "Weight range setting: minmax | mse | percentile")
      ->capture_default_str();
  app.add_option("--percentile", f.percentile, "Percentile for --*-ranges percentile")->capture_default_str();
  app.add_option("--relu6", f.relu6, "ReLU6 between equalized layers: relu (replace) | skip (leave pair)")
      ->capture_default_str();
  app.add_flag("--no-absorb", f.no_absorb, "Disable high-bias absorption after CLE");
  app.add_option("--adaround-iters", f.adaround.iterations, "AdaRound: Adam steps per layer")->capture_default_str();
  app.add_option("--adaround-images", f.adaround.images, "AdaRound: calibration images used (0 = all)")
      ->capture_default_str();
  app.add_option("--adaround-positions", f.adaround.positions, "AdaRound: output positions sampled per image")
      ->capture_default_str();
  app.add_option("--adaround-batch", f.adaround.batch, "AdaRound: images per step")->capture_default_str();
}

Action add_ptq(CLI::App& app) {
  auto f = std::make_shared<PtqCommand>();
  app.add_option("--model", f->model, "Shipped model name (mobilenetv2, resnet) or an ONNX file")->capture_default_str();
  add_data_flags(app, f->data, "for calibration (and --evaluate)");
  app.add_option("--calib-images", f->calib_images, "Calibration images (the first N of the calibration split)")
      ->capture_default_str();
  add_input_shape_flag(app, f->input_shapes);
  add_ptq_flags(app, f->ptq);
  app.add_flag("--evaluate", f->evaluate, "Also evaluate FP32 and integer top-1 on the test set");
  app.add_option("--images", f->images, "Test images for --evaluate (0 = all)")->capture_default_str();
  app.add_option("--threads", f->threads, "Worker threads (bias correction, AdaRound, --evaluate)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--out", f->out, "Output directory (ptq_report.json, workloads/)")->capture_default_str();
  return [f] { return run_ptq(*f); };
}

}  // namespace qarray::cli
