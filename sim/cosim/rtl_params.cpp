// Configure-time generator of the RTL parameters: reads an ArchConfig JSON file with the same
// parser and validation as the SystemC model (sim/arch_config.cpp) and prints what the Verilog
// needs, so the RTL and the model cannot disagree on a dimension (nothing is copied by hand).
// Used by sim/cosim/variant.cmake for the compiled variants and for on-demand builds alike.
//
//   qarray_rtl_params verilator FILE   ->  -GROWS=8;-GCOLS=8;-GW_BITS=8;-GA_BITS=8;-GACC_BITS=32;
//                                          -GDATAFLOW=0;-GOUT_BITS=8;-GDEPTH=8192;-GADDR_BITS=13
//   qarray_rtl_params cxx FILE         ->  8, 8, 8, 8, 32, 0, 8192   (the variant table's initializer)
//
// rtl/array_datapath.v's parameters: DATAFLOW is the Dataflow enum's value (0 ws, 1 os, 2 is),
// the encoding rtl/pe.v uses; OUT_BITS the output code width (act_bits); DEPTH / ADDR_BITS the
// accumulator's rows and address width (rtl_params.h). Exit status 1 with the parser's one-line
// message for a bad file.
#include <cstdio>
#include <string>

#include "base/errors.h"
#include "sim/arch_config.h"
#include "sim/cosim/rtl_params.h"

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "verilator" && std::string(argv[1]) != "cxx")) {
    std::fprintf(stderr, "usage: qarray_rtl_params verilator|cxx ARCH.json\n");
    return 2;
  }
  try {
    const qarray::ArchConfig a = qarray::load_arch_config(argv[2]);
    const int dataflow = static_cast<int>(a.dataflow);
    const long long depth = qarray::rtl_accumulator_depth(a);
    if (std::string(argv[1]) == "verilator")
      std::printf("-GROWS=%d;-GCOLS=%d;-GW_BITS=%d;-GA_BITS=%d;-GACC_BITS=%d;-GDATAFLOW=%d;-GOUT_BITS=%d;-GDEPTH=%lld;"
                  "-GADDR_BITS=%d",
                  a.rows, a.cols, a.weight_bits, a.act_bits, a.acc_bits, dataflow, a.act_bits, depth,
                  qarray::rtl_address_bits(depth));
    else
      std::printf("%d, %d, %d, %d, %d, %d, %lld", a.rows, a.cols, a.weight_bits, a.act_bits, a.acc_bits, dataflow,
                  depth);
  } catch (const qarray::Error& e) {
    std::fprintf(stderr, "qarray_rtl_params: %s\n", e.what());
    return 1;
  }
  return 0;
}
