// Benchmark of the cycle model (not a test; bench/sim runs it and prints the table). One case per
// process, so the peak memory (ru_maxrss) is that case's:
//   qarray_bench_sim layer DIM [DF]   a compute-bound 3x3 conv 64->64 on 56x56 on a DIM x DIM array
//                                      (dataflow DF: ws, the default, is or os)
//   qarray_bench_sim network     one MobileNetV2 image on the ws16 preset
//   qarray_bench_sim network224  one image of the 224x224x3 MobileNetV2 (networks/mobilenetv2_224.onnx,
//                                synthetic input) on the ws16 preset (bench/real-size)
// Prints one line of key=value pairs: simulated cycles and MACs, wall and CPU seconds of the cycle
// model and of the golden executor on the same work, peak resident memory in KiB.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/errors.h"
#include "models/fashion_mnist.h"
#include "models/onnx_loader.h"
#include "models/synthetic.h"
#include "sim/simulator.h"
#include "sim/stimulus.h"
#include "workloads/calibration.h"
#include "workloads/golden.h"
#include "workloads/pipeline.h"

namespace qarray {
namespace {

// CPU seconds of this process so far: on a shared machine the wall time also counts the time
// the core served other processes; the CPU time does not.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Seconds {
  double wall = 0.0, cpu = 0.0;
};

template <typename F>
Seconds timed(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), cpu_seconds() - c0};
}

// Golden is fast: the best of five runs (wall and CPU each).
template <typename F>
Seconds best_seconds(F&& f) {
  Seconds best{1e30, 1e30};
  for (int i = 0; i < 5; ++i) {
    const Seconds t = timed(f);
    best = {std::min(best.wall, t.wall), std::min(best.cpu, t.cpu)};
  }
  return best;
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

int64_t total(const std::vector<LayerCounters>& layers, int64_t LayerCounters::*field) {
  int64_t sum = 0;
  for (const LayerCounters& k : layers) sum += k.*field;
  return sum;
}

// Every tile fits, DRAM is wide, and a word of each buffer holds a whole edge vector (a row of
// dim operands or accumulators) on 4 banks: the time is the array's.
ArchConfig compute_bound(int32_t dim) {
  ArchConfig a;
  a.name = "ws" + std::to_string(dim) + "-compute-bound";
  a.rows = a.cols = dim;
  for (SramBuffer* b : {&a.ifmap, &a.weight, &a.ofmap}) b->capacity_bytes = 16 << 20;
  a.ifmap.word_bytes = a.weight.word_bytes = std::max(16, dim);
  a.ofmap.word_bytes = std::max(64, 4 * dim);
  a.dram.bytes_per_cycle = 4096;
  return a;
}

void layer_case(int32_t dim, Dataflow df) {
  LayerSpec s;
  s.name = "conv3x3_64x64_56";
  s.ifmap_h = s.ifmap_w = 56;
  s.filter_h = s.filter_w = 3;
  s.channels = s.filters = 64;
  s.pad = 1;
  ArchConfig arch = compute_bound(dim);
  arch.dataflow = df;
  const Network net = random_layer_network(s, 8, 8, 32, 1);
  const IntTensor x = random_input(net, 1, 2);
  simulate_layer(random_layer_network(LayerSpec{}, 8, 8, 32, 3), 0,  // elaborates the SystemC kernel
                 random_input(random_layer_network(LayerSpec{}, 8, 8, 32, 3), 1, 4), arch);
  SimResult r;
  const Seconds sim = timed([&] { r = simulate_layer(net, 0, x, arch); });
  const GoldenExecutor golden(net);
  IntTensor want;
  const Seconds gold = best_seconds([&] { want = golden.run_layer(0, {&x}); });
  if (want.data != r.output.data) throw Error("the cycle model differs from golden");
  if (r.counters.sram_stall_cycles != 0) throw Error("the compute-bound case waits for SRAM ports");
  std::printf("case=layer dim=%d dataflow=%s cycles=%lld stall=%lld macs=%lld sim_s=%.6f cpu_s=%.6f golden_s=%.6f "
              "golden_cpu_s=%.6f rss_kib=%ld\n",
              dim, dataflow_name(df), static_cast<long long>(r.counters.total_cycles), static_cast<long long>(r.counters.stall_cycles),
              static_cast<long long>(r.counters.macs), sim.wall, sim.cpu, gold.wall, gold.cpu, peak_rss_kib());
}

// One image of `net` on the ws16 preset: the cycle model's time, then golden's on the same input.
void network_on_ws16(const char* name, const Network& net, const Tensor& image) {
  const ArchConfig arch = load_arch_config(std::string(QARRAY_SOURCE_DIR) + "/configs/ws16.json");
  const GoldenExecutor golden(net);
  const IntTensor x = golden.quantize_input(image);
  NetworkSimResult r;
  const Seconds sim = timed([&] { r = simulate_network(net, x, arch); });
  IntTensor want;
  const Seconds gold = best_seconds([&] { want = golden.run(x); });
  if (want.data != r.output.data) throw Error("the cycle model differs from golden");
  std::printf("case=%s layers=%zu cycles=%lld stall=%lld macs=%lld sim_s=%.6f cpu_s=%.6f golden_s=%.6f "
              "golden_cpu_s=%.6f rss_kib=%ld\n",
              name, r.layers.size(), static_cast<long long>(total(r.layers, &LayerCounters::total_cycles)),
              static_cast<long long>(total(r.layers, &LayerCounters::stall_cycles)),
              static_cast<long long>(total(r.layers, &LayerCounters::macs)), sim.wall, sim.cpu, gold.wall, gold.cpu,
              peak_rss_kib());
}

void network_case() {
  const Graph g = load_onnx(std::string(QARRAY_SOURCE_DIR) + "/networks/mobilenetv2.onnx");
  const Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  const Network net = quantize_minmax(g, calibration_images(test, 64), QuantSpec{}).network;
  network_on_ws16("network", net, test.batch(0, 1));
}

// The real-size network: MobileNetV2 at 224x224x3 (random weights), min/max quantized on two
// synthetic images through its preprocessing file, one synthetic image.
void network224_case() {
  const std::string model = std::string(QARRAY_SOURCE_DIR) + "/networks/mobilenetv2_224.onnx";
  const Graph g = load_onnx(model);
  const ModelInput in = model_input(g);
  const Preprocess pre = preprocess_for_model(model);
  const Network net =
      quantize_minmax(g, synthetic_dataset(1, Split::Train, 2, pre, in).batch(0, 2), QuantSpec{}).network;
  network_on_ws16("network224", net, synthetic_dataset(1, Split::Test, 1, pre, in).batch(0, 1));
}

}  // namespace
}  // namespace qarray

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    const std::string df = argc > 3 ? argv[3] : "ws";
    if (mode == "layer" && (argc == 3 || argc == 4)) {
      qarray::layer_case(std::atoi(argv[2]), qarray::parse_dataflow(df));
    } else if (mode == "network" && argc == 2) {
      qarray::network_case();
    } else if (mode == "network224" && argc == 2) {
      qarray::network224_case();
    } else {
      std::fprintf(stderr, "usage: qarray_bench_sim layer DIM [ws|is|os] | network | network224\n");
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qarray_bench_sim: %s\n", e.what());
    return 1;
  }
  return 0;
}
