// `qarray cosim`: lockstep co-simulation of the verilated RTL array with the SystemC array,
// cycle by cycle, and of the resulting layer tensors with the golden executor, bit for bit.
// Layers of a shipped model (quantized min/max at the arch's widths on 64 test images, as the
// model tests do) and/or seeded random cases; prints one line per layer or case and a summary,
// or the first mismatch (exit 1).
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/sim_output.h"
#include "models/errors.h"
#include "models/onnx_loader.h"
#include "sim/cosim/cosim.h"
#include "workloads/pipeline.h"

namespace qarray::cli {
namespace {

struct CosimFlags {
  std::string arch = "cosim8x8_ws_w8a8";
  std::string variant;
  std::string model;
  std::string layers = "0-2";
  int64_t random = 0;
  uint32_t seed = 1;
  bool all_variants = false;
  std::string trace;
  std::string data = kDefaultFashionMnistDir;
};

// "0-2", "4", "0,3,5-7" -> indices below n.
std::vector<size_t> parse_layers(const std::string& s, size_t n) {
  std::vector<size_t> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = std::min(s.find(',', pos), s.size());
    const std::string part = s.substr(pos, comma - pos);
    const size_t dash = part.find('-');
    try {
      size_t used = 0;
      const long lo = std::stol(part.substr(0, dash), &used);
      const long hi = dash == std::string::npos ? lo : std::stol(part.substr(dash + 1));
      if (lo < 0 || hi < lo || static_cast<size_t>(hi) >= n) throw std::out_of_range(part);
      for (long i = lo; i <= hi; ++i) out.push_back(static_cast<size_t>(i));
    } catch (const std::logic_error&) {
      throw InputError("--layers '" + s + "': '" + part + "' is not a layer index or range in [0, " +
                       std::to_string(n - 1) + "]");
    }
    pos = comma + 1;
  }
  return out;
}

std::string resolve_arch_file(const std::string& name) {
  for (const RtlVariant& v : rtl_variants())
    if (v.name == name && !v.fault) return v.arch_file;
  return arch_path(name);
}

void print_row(const std::string& what, const CosimStats& s) {
  std::printf("%-72s %7lld %10lld %8lld %9lld  ok\n", what.c_str(), static_cast<long long>(s.folds),
              static_cast<long long>(s.cycles), static_cast<long long>(s.rows), static_cast<long long>(s.outputs));
}

int cosim(const CosimFlags& f) {
  if (f.model.empty() && f.random <= 0)
    throw InputError("give --model M (with --layers) or --random N (with --seed), or both");
  if (f.random < 0) throw InputError("--random " + std::to_string(f.random) + " must not be negative");
  if (!f.trace.empty() && (f.trace.size() < 4 || f.trace.substr(f.trace.size() - 4) != ".vcd"))
    throw InputError("--trace " + f.trace + ": only VCD traces are built in (name the file *.vcd)");
  std::vector<const RtlVariant*> variants;
  ArchConfig arch;
  if (f.all_variants) {
    if (!f.model.empty()) throw InputError("--all-variants runs random cases only (drop --model)");
    for (const RtlVariant& v : rtl_variants())
      if (!v.fault) variants.push_back(&v);
  } else if (!f.variant.empty()) {
    variants.push_back(&rtl_variant_named(f.variant));
    arch = variant_arch(*variants[0]);
  } else {
    arch = load_arch_config(resolve_arch_file(f.arch));
    variants.push_back(&find_rtl_variant(arch));
  }
  std::printf("co-simulation: verilated rtl/systolic_array.v in lockstep with the SystemC array (every cycle: "
              "out_valid and every column sum), final tensors against the golden executor\n");
  for (const RtlVariant* v : variants) std::printf("RTL variant %s\n", v->describe().c_str());
  std::printf("%-72s %7s %10s %8s %9s  %s\n", "layer / case", "folds", "cycles", "rows", "outputs", "result");
  CosimStats total;
  int64_t cases = 0, skipped = 0;
  CosimOptions opt;
  opt.trace_path = f.trace;
  opt.variant = f.variant;
  try {
    if (!f.model.empty()) {
      const Graph g = load_onnx(shipped_model(f.model));
      const Dataset test = load_fashion_mnist(f.data, Split::Test);
      QuantSpec spec;
      spec.weight_bits = arch.weight_bits;
      spec.act_bits = arch.act_bits;
      spec.acc_bits = arch.acc_bits;
      const Network net = quantize_minmax(g, calibration_images(test, 64), spec).network;
      const GoldenExecutor golden(net);
      const std::vector<IntTensor> values = golden.run_all(golden.quantize_input(test.batch(0, 1)));
      for (size_t i : parse_layers(f.layers, net.layers.size())) {
        const Layer& l = net.layers[i];
        const std::string label = f.model + " layer " + std::to_string(i) + " '" + l.name + "' (" +
                                  layer_kind_name(l.kind) + ")";
        if (!l.on_array()) {
          std::printf("%-72s %7s %10s %8s %9s  skipped: no RTL (runs on the post-processing unit)\n", label.c_str(),
                      "-", "-", "-", "-");
          ++skipped;
          continue;
        }
        const CosimStats s = cosim_layer(net, i, values[l.inputs[0]], arch, opt, label);
        opt.trace_path.clear();  // one trace per process: the first layer run
        print_row(label, s);
        total.add(s);
        ++cases;
      }
    }
    for (int64_t c = 0; c < f.random; ++c)
      for (const RtlVariant* v : variants) {
        std::string what;
        const uint32_t seed = f.seed * 1000003u + static_cast<uint32_t>(c) * 7919u + static_cast<uint32_t>(v - rtl_variants().data());
        const CosimStats s = cosim_random_case(*v, seed, c, &what, opt.trace_path);
        opt.trace_path.clear();
        total.add(s);
        ++cases;
        if (f.random * static_cast<int64_t>(variants.size()) <= 200) print_row(what, s);
      }
  } catch (const CosimMismatchError& e) {
    std::printf("MISMATCH %s\n", e.what());
    std::printf("summary: %lld cases passed before it, %lld folds, %lld cycles compared, mismatches 1\n",
                static_cast<long long>(cases), static_cast<long long>(total.folds),
                static_cast<long long>(total.cycles));
    return 1;
  }
  std::printf("summary: %lld cases (%lld layers skipped), %lld folds, %lld cycles compared, %lld rows, "
              "%lld outputs checked against golden, mismatches 0\n",
              static_cast<long long>(cases), static_cast<long long>(skipped), static_cast<long long>(total.folds),
              static_cast<long long>(total.cycles), static_cast<long long>(total.rows),
              static_cast<long long>(total.outputs));
  return 0;
}

}  // namespace

Action add_cosim(CLI::App& app) {
  auto f = std::make_shared<CosimFlags>();
  app.add_option("--arch", f->arch,
                 "Architecture file or preset whose array matches a compiled RTL variant (or a variant name)")
      ->capture_default_str();
  app.add_option("--model", f->model, "Shipped model (mobilenetv2, resnet) or an ONNX file");
  app.add_option("--layers", f->layers, "Layer indices of --model: 0-2, 4 or 0,3,5-7")->capture_default_str();
  app.add_option("--random", f->random, "Seeded random cases per variant")->capture_default_str();
  app.add_option("--seed", f->seed, "Seed of the random cases")->capture_default_str();
  app.add_option("--variant", f->variant,
                 "A compiled RTL variant by name instead of --arch (includes the fault-injection build)");
  app.add_flag("--all-variants", f->all_variants, "Random cases on every compiled variant instead of --arch's");
  app.add_option("--trace", f->trace, "Write a VCD of the RTL array (the first layer or case)");
  app.add_option("--data", f->data, "Fashion-MNIST directory (IDX .gz files) for --model")->capture_default_str();
  return [f] { return cosim(*f); };
}

}  // namespace qarray::cli
