// Configure-time generator of the RTL parameters: reads an ArchConfig JSON file with the same
// parser and validation as the SystemC model (sim/arch_config.cpp) and prints what the Verilog
// needs, so the RTL and the model cannot disagree on a dimension (nothing is copied by hand).
// Used by sim/cosim/variant.cmake for the compiled variants and for on-demand builds alike, and
// by scripts/area for the designs it synthesizes.
//
//   qarray_rtl_params verilator FILE   ->  -GROWS=8;-GCOLS=8;-GW_BITS=8;-GA_BITS=8;-GACC_BITS=32;
//                                          -GDATAFLOW=0;-GOUT_BITS=8;-GDEPTH=8192;-GADDR_BITS=13
//   qarray_rtl_params cxx FILE         ->  8, 8, 8, 8, 32, 0, 8192, 8, 8   (the variant table's
//                                          initializer; the last two: west and north edge widths)
//   qarray_rtl_params chparam MODULE FILE [KEY=VALUE ...]
//       -> line 1: the Yosys chparam list of MODULE (pe, systolic_array, post_processing,
//          accumulator, array_datapath), e.g. "-set W_BITS 8 -set A_BITS 8 -set ACC_BITS 32
//          -set DATAFLOW 0"; line 2: the design's shape for scripts/area's table:
//          "dataflow,rows,cols,weight_bits,act_bits,acc_bits" (empty cells for what the module
//          does not have). KEY=VALUE overrides the file's rows, cols, dataflow, weight_bits,
//          act_bits, acc_bits before validation.
//
// rtl/array_datapath.v's parameters: DATAFLOW is the Dataflow enum's value (0 ws, 1 os, 2 is),
// the encoding rtl/pe.v uses; OUT_BITS the output code width (act_bits); DEPTH / ADDR_BITS the
// accumulator's rows and address width (rtl_params.h); the edge widths are the dataflow unit's
// (sim/dataflow/). Exit status 1 with the parser's one-line message for a bad file or key.
#include <cstdio>
#include <string>
#include <vector>

#include "base/errors.h"
#include "sim/arch_config.h"
#include "sim/cosim/rtl_params.h"
#include "sim/dataflow/dataflow_unit.h"

namespace {

using qarray::ArchConfig;
using qarray::InputError;

// "-set NAME VALUE" for each pair.
std::string chparam(const std::vector<std::pair<const char*, long long>>& params) {
  std::string s;
  for (const auto& [name, value] : params) s += (s.empty() ? "" : " ") + std::string("-set ") + name + " " + std::to_string(value);
  return s;
}

void apply_override(ArchConfig& a, const std::string& kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos) throw InputError("override '" + kv + "': expected KEY=VALUE");
  const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  if (key == "dataflow") {
    a.dataflow = qarray::parse_dataflow(value);
    return;
  }
  int32_t* field = key == "rows"          ? &a.rows
                   : key == "cols"        ? &a.cols
                   : key == "weight_bits" ? &a.weight_bits
                   : key == "act_bits"    ? &a.act_bits
                   : key == "acc_bits"    ? &a.acc_bits
                                          : nullptr;
  if (!field) throw InputError("override '" + kv + "': unknown key (rows, cols, dataflow, weight_bits, act_bits, acc_bits)");
  try {
    *field = std::stoi(value);
  } catch (const std::exception&) {
    throw InputError("override '" + kv + "': not an integer");
  }
}

int print_chparam(const std::string& module, const ArchConfig& a) {
  const int df = static_cast<int>(a.dataflow);
  const std::string name = qarray::dataflow_name(a.dataflow);
  const std::string wab = std::to_string(a.weight_bits) + "," + std::to_string(a.act_bits) + "," + std::to_string(a.acc_bits);
  const std::string shape = std::to_string(a.rows) + "," + std::to_string(a.cols) + ",";
  if (module == "pe") {
    std::printf("%s\n%s,%s%s\n", chparam({{"W_BITS", a.weight_bits}, {"A_BITS", a.act_bits}, {"ACC_BITS", a.acc_bits}, {"DATAFLOW", df}}).c_str(),
                name.c_str(), shape.c_str(), wab.c_str());
  } else if (module == "systolic_array") {
    std::printf("%s\n%s,%s%s\n",
                chparam({{"ROWS", a.rows}, {"COLS", a.cols}, {"W_BITS", a.weight_bits}, {"A_BITS", a.act_bits},
                         {"ACC_BITS", a.acc_bits}, {"DATAFLOW", df}}).c_str(),
                name.c_str(), shape.c_str(), wab.c_str());
  } else if (module == "post_processing") {  // one lane per array column; codes of act_bits
    std::printf("%s\n,%s,%d,%d\n", chparam({{"LANES", a.cols}, {"ACC_BITS", a.acc_bits}, {"OUT_BITS", a.act_bits}}).c_str(),
                shape.c_str(), a.act_bits, a.acc_bits);
  } else if (module == "accumulator" || module == "array_datapath") {
    const long long depth = qarray::rtl_accumulator_depth(a);
    std::vector<std::pair<const char*, long long>> p{{"COLS", a.cols}, {"ACC_BITS", a.acc_bits}, {"DEPTH", depth},
                                                     {"ADDR_BITS", qarray::rtl_address_bits(depth)}};
    if (module == "array_datapath")
      p.insert(p.end(), {{"ROWS", a.rows}, {"W_BITS", a.weight_bits}, {"A_BITS", a.act_bits}, {"DATAFLOW", df},
                         {"OUT_BITS", a.act_bits}});
    std::printf("%s\n%s,%s%s\n", chparam(p).c_str(), module == "accumulator" ? "" : name.c_str(), shape.c_str(),
                module == "accumulator" ? ("," + std::to_string(a.act_bits) + "," + std::to_string(a.acc_bits)).c_str()
                                        : wab.c_str());
  } else {
    throw InputError("unknown module '" + module +
                     "' (pe, systolic_array, post_processing, accumulator, array_datapath)");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool simple = args.size() == 2 && (args[0] == "verilator" || args[0] == "cxx");
  const bool area = args.size() >= 3 && args[0] == "chparam";
  if (!simple && !area) {
    std::fprintf(stderr, "usage: qarray_rtl_params verilator|cxx ARCH.json\n"
                         "       qarray_rtl_params chparam MODULE ARCH.json [KEY=VALUE ...]\n");
    return 2;
  }
  try {
    if (area) {
      ArchConfig a = qarray::load_arch_config(args[2]);
      for (size_t i = 3; i < args.size(); ++i) apply_override(a, args[i]);
      a.validate(args[2] + " with the overrides");
      return print_chparam(args[1], a);
    }
    const ArchConfig a = qarray::load_arch_config(args[1]);
    const int dataflow = static_cast<int>(a.dataflow);
    const long long depth = qarray::rtl_accumulator_depth(a);
    const qarray::DataflowUnit& unit = qarray::dataflow_unit(a);
    if (args[0] == "verilator")
      std::printf("-GROWS=%d;-GCOLS=%d;-GW_BITS=%d;-GA_BITS=%d;-GACC_BITS=%d;-GDATAFLOW=%d;-GOUT_BITS=%d;-GDEPTH=%lld;"
                  "-GADDR_BITS=%d",
                  a.rows, a.cols, a.weight_bits, a.act_bits, a.acc_bits, dataflow, a.act_bits, depth,
                  qarray::rtl_address_bits(depth));
    else
      std::printf("%d, %d, %d, %d, %d, %d, %lld, %d, %d", a.rows, a.cols, a.weight_bits, a.act_bits, a.acc_bits,
                  dataflow, depth, unit.west_bits(a.weight_bits, a.act_bits),
                  unit.north_bits(a.weight_bits, a.act_bits));
  } catch (const qarray::Error& e) {
    std::fprintf(stderr, "qarray_rtl_params: %s\n", e.what());
    return 1;
  }
  return 0;
}
