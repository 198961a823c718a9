// Layer-level RTL co-simulation: a conv, depthwise or fc layer lowered as the controller does
// (lower_to_gemm), tiled by the dataflow unit's plan in the controller's fold order (fold_order),
// every fold run through the SystemC datapath (array, accumulator, post-processing) and the
// verilated RTL datapath (rtl/array_datapath.v) in lockstep (lockstep.h), and the RTL's output
// codes, scattered into the layer's tensor, compared with GoldenExecutor::run_layer bit for bit.
//
// Contract: returns only when both comparisons hold; the first difference throws
// CosimMismatchError with the layer, fold (k0, oc0, p0), cycle, stage, PE / column / lane,
// expected and actual value. Add and pool layers have no RTL and are rejected here (InputError).
#pragma once
#include <cstdint>
#include <string>

#include "base/errors.h"
#include "sim/arch_config.h"
#include "sim/cosim/lockstep.h"
#include "workloads/golden.h"

namespace qarray {

struct CosimOptions {
  std::string variant;     // an RTL variant by name (fault builds too); empty: match the arch
  std::string trace_path;  // a trace of the RTL datapath, in the variant's format (one run per process)
  bool rtl_only = false;   // benchmark only: the RTL alone, nothing compared (no golden either)
};

struct CosimStats {
  int64_t layers = 0, folds = 0, cycles = 0, array_rows = 0, acc_rows = 0, output_rows = 0, outputs = 0;
  void add(const CosimStats& o) {
    layers += o.layers, folds += o.folds, cycles += o.cycles, array_rows += o.array_rows, acc_rows += o.acc_rows,
        output_rows += o.output_rows, outputs += o.outputs;
  }
};

struct CosimMismatchError : Error {
  CosimMismatchError(const std::string& what, const DatapathMismatch& m) : Error(what), mismatch(m) {}
  DatapathMismatch mismatch;  // fold == -1: the final tensor differs from golden (not the datapaths)
};

// `label` names the layer in reports (e.g. "mobilenetv2 layer 2 'conv1'").
CosimStats cosim_layer(const Network& net, size_t index, const IntTensor& input, const ArchConfig& arch,
                       const CosimOptions& opt, const std::string& label);

// One seeded random case on a variant's array, tiled for `arch` (whose array must match the
// variant's; the variant's own file or the user's arch). case_index selects the kind of case:
// random shapes and data, extreme operands, zero points at the ends, long reductions that wrap,
// partial tiles. Returns a one-line description of the case via `what`.
CosimStats cosim_random_case(const RtlVariant& v, const ArchConfig& arch, uint32_t seed, int64_t case_index,
                             std::string* what, const std::string& trace_path = "");

// The ArchConfig of a variant (its variant file).
ArchConfig variant_arch(const RtlVariant& v);

}  // namespace qarray
