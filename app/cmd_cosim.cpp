// `qarray cosim`: lockstep co-simulation of the verilated RTL datapath (array, accumulator,
// post-processing) with the SystemC one, cycle by cycle, and of the resulting layer tensors with
// the golden executor, bit for bit. Layers of a shipped model (quantized min/max at the arch's
// widths on 64 test images, as the model tests do) and/or seeded random cases; prints one line per
// layer or case and a summary, or the first mismatch (exit 1). An arch without a compiled RTL
// variant, or an FST trace, is verilated on demand (cosim_ondemand.h) and run by exec'ing the
// qarray built for it with the same flags.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/data_flags.h"
#include "app/cosim_ondemand.h"
#include "base/errors.h"
#include "explore/shipped.h"
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
  DataFlags data;
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
  std::string variants;
  for (const RtlVariant& v : rtl_variants()) {
    if (v.fault != RtlFault::None) continue;
    if (v.name == name) return v.arch_file;
    variants += (variants.empty() ? "" : ", ") + v.name;
  }
  try {
    return explore::arch_path(name);
  } catch (const InputError& e) {  // an unknown name: compiled variant names are accepted here too
    throw InputError(std::string(e.what()) + "; compiled RTL variants: " + variants);
  }
}

void print_row(const std::string& what, const CosimStats& s) {
  std::printf("%-72s %7lld %10lld %8lld %8lld %8lld %9lld  ok\n", what.c_str(), static_cast<long long>(s.folds),
              static_cast<long long>(s.cycles), static_cast<long long>(s.array_rows),
              static_cast<long long>(s.acc_rows), static_cast<long long>(s.output_rows),
              static_cast<long long>(s.outputs));
}

// "vcd" or "fst" from the trace file's name ("" without --trace).
std::string trace_format(const std::string& trace) {
  if (trace.empty()) return "";
  for (const char* ext : {"vcd", "fst"})
    if (trace.size() > 4 && trace.compare(trace.size() - 4, 4, std::string(".") + ext) == 0) return ext;
  throw InputError("--trace " + trace + ": name the file *.vcd (VCD) or *.fst (FST)");
}

// The command line of `qarray cosim` for another qarray executable: these flags, with --arch
// `arch` (and, when `by_name`, --variant / --all-variants as given).
std::vector<std::string> cosim_args(const std::string& exe, const CosimFlags& f, const std::string& arch, bool by_name) {
  std::vector<std::string> args{exe,      "cosim",          "--arch", arch, "--layers", f.layers, "--random",
                                std::to_string(f.random), "--seed", std::to_string(f.seed)};
  const std::vector<std::string> data = data_args(f.data);
  args.insert(args.end(), data.begin(), data.end());
  if (!f.model.empty()) args.insert(args.end(), {"--model", f.model});
  if (!f.trace.empty()) args.insert(args.end(), {"--trace", f.trace});
  if (by_name && !f.variant.empty()) args.insert(args.end(), {"--variant", f.variant});
  if (by_name && f.all_variants) args.push_back("--all-variants");
  return args;
}

// Replaces this process with `args`; returns only by throwing.
[[noreturn]] void exec(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(argv[0], argv.data());
  throw InputError("cannot run " + args[0] + ": " + std::strerror(errno));
}

void progress_line(const std::string& line) { std::cerr << line << std::endl; }

// Verilates (once) and runs the qarray that holds an RTL variant of `arch`: the same flags, with
// --arch naming the arch file. Returns only by throwing.
int run_on_demand(const CosimFlags& f, const std::string& arch_file, const ArchConfig& arch,
                  const std::string& format) {
  if (std::getenv("QARRAY_COSIM_ON_DEMAND"))  // this is that qarray: its variant must have matched
    throw InputError("the on-demand RTL build does not hold arch '" + arch.name + "' (" + rtl_array_name(arch) + ")");
  const OnDemandVariant v = ondemand_variant(arch, arch_file, format, progress_line);
  setenv("QARRAY_COSIM_ON_DEMAND", v.key.c_str(), 1);
  exec(cosim_args(v.executable, f, arch_file, false));
}

int cosim(const CosimFlags& f) {
  if (f.model.empty() && f.random <= 0)
    throw InputError("give --model M (with --layers) or --random N (with --seed), or both");
  if (f.random < 0) throw InputError("--random " + std::to_string(f.random) + " must not be negative");
  const std::string format = trace_format(f.trace);
  // The qarray of scripts/run holds no RTL: the same command on the build's qarray-rtl.
  if (rtl_variants().empty()) exec(cosim_args(compiled_variants_executable(progress_line), f, f.arch, true));
  std::vector<const RtlVariant*> variants;
  ArchConfig arch;
  bool user_arch = false;  // random cases tile for the user's arch (else each variant's own file)
  if (f.all_variants) {
    if (!f.model.empty()) throw InputError("--all-variants runs random cases only (drop --model)");
    if (format == "fst")
      throw InputError("--trace " + f.trace + ": the compiled variants write VCD traces (give --arch for an FST one)");
    for (const RtlVariant& v : rtl_variants())
      if (v.fault == RtlFault::None) variants.push_back(&v);
  } else if (!f.variant.empty()) {
    const RtlVariant& v = rtl_variant_named(f.variant);
    if (!format.empty() && format != v.trace_format) {
      if (v.fault != RtlFault::None)
        throw InputError("--trace " + f.trace + ": the fault build " + v.name + " writes " + v.trace_format +
                         " traces only");
      return run_on_demand(f, v.arch_file, variant_arch(v), format);
    }
    variants.push_back(&v);
    arch = variant_arch(v);
  } else {
    const std::string file = resolve_arch_file(f.arch);
    arch = load_arch_config(file);
    const RtlVariant* v = match_rtl_variant(arch);
    if (!v || (!format.empty() && format != v->trace_format)) return run_on_demand(f, file, arch, format);
    variants.push_back(v);
    user_arch = true;
  }
  std::printf("co-simulation: verilated rtl/array_datapath.v in lockstep with the SystemC datapath (every cycle: "
              "the array's, accumulator's and post-processing's valid and every lane), final tensors against the "
              "golden executor\n");
  for (const RtlVariant* v : variants)
    std::printf("RTL variant %s%s\n", v->describe().c_str(), v->on_demand ? " (verilated on demand)" : "");
  std::printf("%-72s %7s %10s %8s %8s %8s %9s  %s\n", "layer / case", "folds", "cycles", "array", "acc", "out",
              "outputs", "result");
  CosimStats total;
  int64_t cases = 0, skipped = 0;
  CosimOptions opt;
  opt.trace_path = f.trace;
  opt.variant = f.variant;
  try {
    if (!f.model.empty()) {
      const std::string model_path = explore::shipped_model(f.model);
      const DataSetup data = resolve_data(f.data, model_path);
      const Graph g = load_onnx(model_path);
      const Dataset test = open_dataset(data.source, Split::Test, data.pre, model_input(g), 64);
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
          std::printf("%-72s %7s %10s %8s %8s %8s %9s  skipped: no RTL (runs on the post-processing unit)\n",
                      label.c_str(), "-", "-", "-", "-", "-", "-");
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
    std::vector<ArchConfig> archs;
    for (const RtlVariant* v : variants) archs.push_back(user_arch ? arch : variant_arch(*v));
    for (int64_t c = 0; c < f.random; ++c)
      for (size_t i = 0; i < variants.size(); ++i) {
        std::string what;
        const uint32_t seed = f.seed * 1000003u + static_cast<uint32_t>(c) * 7919u + static_cast<uint32_t>(i);
        const CosimStats s = cosim_random_case(*variants[i], archs[i], seed, c, &what, opt.trace_path);
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
  std::printf("summary: %lld cases (%lld layers skipped), %lld folds, %lld cycles compared, rows equal: %lld "
              "array, %lld accumulator, %lld post-processed; %lld outputs checked against golden, mismatches 0\n",
              static_cast<long long>(cases), static_cast<long long>(skipped), static_cast<long long>(total.folds),
              static_cast<long long>(total.cycles), static_cast<long long>(total.array_rows),
              static_cast<long long>(total.acc_rows), static_cast<long long>(total.output_rows),
              static_cast<long long>(total.outputs));
  return 0;
}

}  // namespace

Action add_cosim(CLI::App& app) {
  auto f = std::make_shared<CosimFlags>();
  app.add_option("--arch", f->arch,
                 "Architecture file, preset or compiled variant name; an arch without a compiled RTL variant is "
                 "verilated on demand once (cached in the build tree or $QARRAY_COSIM_CACHE)")
      ->capture_default_str();
  app.add_option("--model", f->model, "Shipped model (mobilenetv2, resnet) or an ONNX file");
  app.add_option("--layers", f->layers, "Layer indices of --model: 0-2, 4 or 0,3,5-7")->capture_default_str();
  app.add_option("--random", f->random, "Seeded random cases per variant")->capture_default_str();
  app.add_option("--seed", f->seed, "Seed of the random cases")->capture_default_str();
  app.add_option("--variant", f->variant,
                 "A compiled RTL variant by name instead of --arch (includes the fault-injection build)");
  app.add_flag("--all-variants", f->all_variants, "Random cases on every compiled variant instead of --arch's");
  app.add_option("--trace", f->trace,
                 "Trace every RTL signal of the first layer or case: FILE.vcd (VCD) or FILE.fst (FST, verilated "
                 "on demand with --trace-fst)");
  add_data_flags(app, f->data, "for --model (calibration: its first 64 test images; layer inputs: image 0)");
  return [f] { return cosim(*f); };
}

}  // namespace qarray::cli
