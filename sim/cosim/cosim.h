// Layer-level RTL co-simulation: a conv, depthwise or fc layer lowered as the controller does
// (lower_to_gemm), tiled with plan_folds in the controller's fold order (p tiles, oc tiles, k
// tiles innermost), every fold run through the SystemC array and the verilated RTL array in
// lockstep (lockstep.h), the agreed sums accumulated across k folds and post-processed, and the
// final tensor compared with GoldenExecutor::run_layer bit for bit.
//
// Contract: returns only when both comparisons hold; the first difference throws
// CosimMismatchError with the layer, fold (k0, oc0, p0), cycle, PE or column, expected and
// actual value. Add and pool layers have no RTL and are rejected here (InputError).
#pragma once
#include <cstdint>
#include <string>

#include "models/errors.h"
#include "sim/arch_config.h"
#include "sim/cosim/lockstep.h"
#include "workloads/golden.h"

namespace qarray {

struct CosimOptions {
  std::string variant;     // a compiled variant by name (fault builds too); empty: match the arch
  std::string trace_path;  // VCD of the RTL array (one run per process)
  bool rtl_only = false;   // benchmark only: the RTL alone, nothing compared (no golden either)
};

struct CosimStats {
  int64_t layers = 0, folds = 0, cycles = 0, rows = 0, outputs = 0;
  void add(const CosimStats& o) {
    layers += o.layers, folds += o.folds, cycles += o.cycles, rows += o.rows, outputs += o.outputs;
  }
};

struct CosimMismatchError : Error {
  CosimMismatchError(const std::string& what, const ArrayMismatch& m) : Error(what), mismatch(m) {}
  ArrayMismatch mismatch;  // fold == -1: the final tensor differs from golden (not the arrays)
};

// `label` names the layer in reports (e.g. "mobilenetv2 layer 2 'conv1'").
CosimStats cosim_layer(const Network& net, size_t index, const IntTensor& input, const ArchConfig& arch,
                       const CosimOptions& opt, const std::string& label);

// One seeded random case on a variant's array (case_index selects the kind of case: random
// shapes and data, extreme operands, zero points at the ends, long reductions that wrap, partial
// tiles). Returns a one-line description of the case via `what`.
CosimStats cosim_random_case(const RtlVariant& v, uint32_t seed, int64_t case_index, std::string* what,
                             const std::string& trace_path = "");

// The ArchConfig of a variant (its variant file).
ArchConfig variant_arch(const RtlVariant& v);

}  // namespace qarray
