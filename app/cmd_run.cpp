// `qarray run`: import, quantize with the PTQ pipeline (default W8A8 per-tensor CLE + bias
// correction), evaluate FP32 and integer golden on the test set, print the comparison, write the
// JSON report and the workloads.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/commands.h"
#include "app/report.h"
#include "models/errors.h"
#include "models/onnx_loader.h"
#include "workloads/evaluate.h"
#include "workloads/network_io.h"
#include "workloads/pipeline.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::cli {
namespace {

struct RunFlags {
  std::string model = "mobilenetv2";
  std::string data = kDefaultFashionMnistDir;
  int64_t images = 0;
  int64_t calib_images = 512;
  PtqFlags ptq;
  int threads = 2;
  std::string out = "out/run";
};

nlohmann::json eval_json(const EvalResult& r) {
  return {{"images", r.images}, {"correct", r.correct}, {"top1_percent", r.top1_percent()},
          {"seconds", r.seconds}, {"images_per_second", r.images_per_second()}};
}

int run(const RunFlags& f) {
  const PtqOptions opt = f.ptq.resolve(f.threads);  // before any loading: a bad flag fails at once
  const QuantSpec& spec = opt.spec;
  const std::string model_path = shipped_model(f.model);
  std::cout << "qarray run: model " << model_path << "\n";
  const Graph graph = load_onnx(model_path);
  const Dataset test = load_fashion_mnist(f.data, Split::Test);
  const Dataset train = load_fashion_mnist(f.data, Split::Train);
  if (f.images < 0 || f.images > test.count)
    throw InputError("--images " + std::to_string(f.images) + ": the test set holds " + std::to_string(test.count));

  std::cout << "quantizing: " << ptq_method_name(opt.method) << ", W" << spec.weight_bits << "A" << spec.act_bits
            << (spec.per_channel ? " per-channel" : " per-tensor") << ", " << spec.acc_bits
            << "-bit accumulators, " << f.calib_images << " calibration images\n";
  const PtqResult qm = quantize_ptq(graph, calibration_images(train, f.calib_images), opt);
  for (const PtqStep& step : qm.steps) std::printf("  %-22s %7.2f s\n", step.name.c_str(), step.seconds);

  EvalOptions eval;
  eval.images = f.images;
  eval.threads = f.threads;
  ProgressLine p_fp32("FP32 reference"), p_int("integer golden");
  eval.progress = std::ref(p_fp32);
  const EvalResult fp32 = evaluate_fp32(graph, test, eval);
  eval.progress = std::ref(p_int);
  const EvalResult q = evaluate_golden(qm.network, test, eval);

  int64_t overflows = 0;
  for (const auto& s : q.layers) overflows += s.overflows;
  const std::string qname = "INT W" + std::to_string(spec.weight_bits) + "A" + std::to_string(spec.act_bits);
  std::printf("\n%-22s %8s %14s %10s\n", "path", "top-1 %", "correct", "images/s");
  std::printf("%-22s %8.2f %8lld/%-5lld %10.0f\n", "FP32 (reference)", fp32.top1_percent(),
              (long long)fp32.correct, (long long)fp32.images, fp32.images_per_second());
  std::printf("%-22s %8.2f %8lld/%-5lld %10.0f\n", (qname + " (golden)").c_str(), q.top1_percent(),
              (long long)q.correct, (long long)q.images, q.images_per_second());
  std::printf("%-22s %8.2f pp\n", "drop", fp32.top1_percent() - q.top1_percent());
  std::printf("accumulator overflows: %lld of %lld outputs\n", (long long)overflows,
              (long long)[&] { int64_t n = 0; for (auto& s : q.layers) n += s.outputs; return n; }());

  const std::string wl_dir = f.out + "/workloads";
  save_network(qm.network, wl_dir);
  nlohmann::json report = {
      {"model", {{"name", graph.name}, {"path", model_path}, {"macs_per_image", qm.network.macs_per_sample()}}},
      {"dataset", {{"name", "fashion-mnist"}, {"path", f.data}, {"split", "test"}}},
      {"quantization",
       {{"method", ptq_method_name(opt.method)}, {"act_ranges", f.ptq.act_ranges},
        {"weight_ranges", f.ptq.weight_ranges}, {"weight_bits", spec.weight_bits},
        {"act_bits", spec.act_bits}, {"acc_bits", spec.acc_bits},
        {"weights", spec.per_channel ? "per-channel" : "per-tensor"}, {"calib_images", f.calib_images}}},
      {"ptq", ptq_report_json(qm, opt)},
      {"fp32", eval_json(fp32)},
      {"int", eval_json(q)},
      {"drop_pp", fp32.top1_percent() - q.top1_percent()},
      {"workloads", wl_dir}};
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const Layer& l = qm.network.layers[i];
    report["layers"].push_back({{"name", l.name}, {"kind", layer_kind_name(l.kind)},
                                {"outputs", q.layers[i].outputs}, {"overflows", q.layers[i].overflows}});
  }
  const std::string report_path = f.out + "/report.json";
  write_json(report_path, report);
  std::cout << "\nreport: " << report_path << "\nworkloads: " << wl_dir << "\n";
  return 0;
}

}  // namespace

std::string shipped_model(const std::string& name) {
  if (name.find('/') != std::string::npos || name.find(".onnx") != std::string::npos) return name;
  return std::string(QARRAY_SOURCE_DIR) + "/workloads/models/" + name + ".onnx";
}

Action add_run(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  app.add_option("--model", f->model, "Shipped model name (mobilenetv2, resnet) or an ONNX file")
      ->capture_default_str();
  app.add_option("--data", f->data, "Fashion-MNIST directory (IDX .gz files)")->capture_default_str();
  app.add_option("--images", f->images, "Test images to evaluate (0 = all 10,000)")->capture_default_str();
  app.add_option("--calib-images", f->calib_images, "Training images for calibration")->capture_default_str();
  add_ptq_flags(app, f->ptq);
  app.add_option("--threads", f->threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--out", f->out, "Output directory (report.json, workloads/)")->capture_default_str();
  return [f] { return run(*f); };
}

}  // namespace qarray::cli
