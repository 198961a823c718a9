// Test images on the cycle model, checked against golden (explore/simulate.h).
#include "explore/simulate.h"

#include <chrono>
#include <string>

#include "base/errors.h"
#include "sim/simulator.h"
#include "workloads/golden.h"

namespace qarray::explore {
namespace {

int32_t argmax(const IntTensor& logits) {
  int64_t best = 0;
  for (int64_t i = 1; i < logits.size(); ++i)
    if (logits.data[i] > logits.data[best]) best = i;
  return static_cast<int32_t>(best);
}

}  // namespace

bool same_timing(const LayerCounters& a, const LayerCounters& b) {
  return a.total_cycles == b.total_cycles && a.stall_cycles == b.stall_cycles &&
         a.sram_stall_cycles == b.sram_stall_cycles && a.macs == b.macs &&
         a.dram_read_bytes == b.dram_read_bytes && a.dram_write_bytes == b.dram_write_bytes;
}

SimImages simulate_images(const Network& net, const Dataset& test, int64_t n,
                          const std::vector<int32_t>& golden_predictions, const ArchConfig& arch) {
  if (n > static_cast<int64_t>(golden_predictions.size()))
    throw InputError("--sim-images " + std::to_string(n) + ": only " + std::to_string(golden_predictions.size()) +
                     " test images were evaluated by golden (--images)");
  const auto t0 = std::chrono::steady_clock::now();
  const GoldenExecutor golden(net);
  SimImages r;
  r.images = n;
  for (int64_t i = 0; i < n; ++i) {
    const std::string at = "image " + std::to_string(i) + ": ";
    const IntTensor x = golden.quantize_input(test.batch(i, i + 1));
    NetworkSimResult s;
    try {
      s = simulate_network_checked(net, golden, x, arch);
    } catch (const SimMismatchError& e) {
      throw Error(at + e.what());
    }
    const int32_t cls = argmax(s.output);
    if (cls != golden_predictions[i])
      throw Error(at + "the cycle model predicts class " + std::to_string(cls) + ", golden " +
                  std::to_string(golden_predictions[i]));
    if (i == 0) {
      r.layers = std::move(s.layers);
      continue;
    }
    for (size_t l = 0; l < s.layers.size(); ++l)
      if (!same_timing(s.layers[l], r.layers[l]))
        throw Error(at + "layer " + std::to_string(l) + " '" + net.layers[l].name + "' takes " +
                    std::to_string(s.layers[l].total_cycles) + " cycles, image 0 took " +
                    std::to_string(r.layers[l].total_cycles) + " (timing must not depend on the data)");
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

SimImages simulate_twin(const Network& net, const Dataset& test, const ArchConfig& twin) {
  const auto t0 = std::chrono::steady_clock::now();
  const GoldenExecutor golden(net);
  SimImages r;
  r.images = 1;
  try {
    r.layers = simulate_network(net, golden.quantize_input(test.batch(0, 1)), twin).layers;
  } catch (const InputError& e) {
    throw InputError("FP32 twin '" + twin.name + "': " + e.what());
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace qarray::explore
