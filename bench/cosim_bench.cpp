// Benchmark of the RTL co-simulation (not a test; bench/cosim runs it and prints the table).
//   qarray_bench_cosim VARIANT MODE [REPEATS]
//     MODE = rtl (the verilated datapath alone, driven by the same controller stimulus) or
//     lockstep (with the SystemC datapath, every stage compared every cycle, and the golden check
//     of the layer); the layer runs REPEATS times (default 5) after one warm-up run.
// Workload: a 3x3 conv 32->64 on 16x16 (random data, seed 1) on the variant's array. Prints one
// line of key=value pairs: simulated cycles and wall seconds of the REPEATS runs.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "base/errors.h"
#include "sim/cosim/cosim.h"
#include "sim/stimulus.h"

int main(int argc, char** argv) {
  using namespace qarray;
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: qarray_bench_cosim VARIANT rtl|lockstep [REPEATS]\n");
    return 2;
  }
  const int repeats = argc == 4 ? std::max(1, std::atoi(argv[3])) : 5;
  try {
    const RtlVariant& v = rtl_variant_named(argv[1]);
    const ArchConfig arch = variant_arch(v);
    LayerSpec s;
    s.kind = LayerKind::Conv;
    s.ifmap_h = s.ifmap_w = 16;
    s.filter_h = s.filter_w = 3;
    s.channels = 32;
    s.filters = 64;
    s.pad = 1;
    const Network net = random_layer_network(s, v.weight_bits, v.act_bits, v.acc_bits, 1);
    const IntTensor x = random_input(net, 1, 2);
    CosimOptions opt;
    opt.variant = v.name;
    opt.rtl_only = std::string(argv[2]) == "rtl";
    cosim_layer(net, 0, x, arch, opt, "warm-up");  // builds the SystemC top once
    const auto t0 = std::chrono::steady_clock::now();
    CosimStats st;
    for (int i = 0; i < repeats; ++i) st.add(cosim_layer(net, 0, x, arch, opt, "bench"));
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("variant=%s mode=%s cycles=%lld folds=%lld wall_s=%.4f\n", v.name.c_str(), argv[2],
                static_cast<long long>(st.cycles), static_cast<long long>(st.folds), sec);
  } catch (const Error& e) {
    std::fprintf(stderr, "qarray_bench_cosim: %s\n", e.what());
    return 1;
  }
  return 0;
}
