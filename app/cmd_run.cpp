// `qarray run`: import, quantize (baseline min-max), evaluate FP32 and integer golden on the test
// set, print the comparison, write the JSON report and the workloads.
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

namespace qarray::cli {
namespace {

struct RunFlags {
  std::string model = "mobilenetv2";
  std::string data = kDefaultFashionMnistDir;
  int64_t images = 0;
  int64_t calib_images = 512;
  QuantSpec spec;
  int threads = 2;
  std::string out = "out/run";
};

nlohmann::json eval_json(const EvalResult& r) {
  return {{"images", r.images}, {"correct", r.correct}, {"top1_percent", r.top1_percent()},
          {"seconds", r.seconds}, {"images_per_second", r.images_per_second()}};
}

int run(const RunFlags& f) {
  const std::string model_path = shipped_model(f.model);
  std::cout << "qarray run: model " << model_path << "\n";
  const Graph graph = load_onnx(model_path);
  const Dataset test = load_fashion_mnist(f.data, Split::Test);
  const Dataset train = load_fashion_mnist(f.data, Split::Train);
  if (f.images < 0 || f.images > test.count)
    throw InputError("--images " + std::to_string(f.images) + ": the test set holds " + std::to_string(test.count));

  std::cout << "calibrating: " << f.calib_images << " training images, per-tensor min-max, W"
            << f.spec.weight_bits << "A" << f.spec.act_bits << (f.spec.per_channel ? " per-channel" : "")
            << ", " << f.spec.acc_bits << "-bit accumulators\n";
  const QuantizedModel qm = quantize_minmax(graph, calibration_images(train, f.calib_images), f.spec);

  EvalOptions opt;
  opt.images = f.images;
  opt.threads = f.threads;
  ProgressLine p_fp32("FP32 reference"), p_int("integer golden");
  opt.progress = std::ref(p_fp32);
  const EvalResult fp32 = evaluate_fp32(graph, test, opt);
  opt.progress = std::ref(p_int);
  const EvalResult q = evaluate_golden(qm.network, test, opt);

  int64_t overflows = 0;
  for (const auto& s : q.layers) overflows += s.overflows;
  const std::string qname = "INT W" + std::to_string(f.spec.weight_bits) + "A" + std::to_string(f.spec.act_bits);
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
       {{"method", "nearest"}, {"ranges", "minmax"}, {"weight_bits", f.spec.weight_bits},
        {"act_bits", f.spec.act_bits}, {"acc_bits", f.spec.acc_bits},
        {"weights", f.spec.per_channel ? "per-channel" : "per-tensor"}, {"calib_images", f.calib_images}}},
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
  app.add_option("--weight-bits", f->spec.weight_bits, "Weight bits (2-16)")->capture_default_str();
  app.add_option("--act-bits", f->spec.act_bits, "Activation bits (2-16)")->capture_default_str();
  app.add_option("--acc-bits", f->spec.acc_bits, "Accumulator bits (wrapping)")->capture_default_str();
  app.add_flag("--per-channel", f->spec.per_channel, "Per-output-channel weight scales");
  app.add_option("--threads", f->threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--out", f->out, "Output directory (report.json, workloads/)")->capture_default_str();
  return [f] { return run(*f); };
}

}  // namespace qarray::cli
