// On-demand RTL variants of `qarray cosim`: an arch whose array matches no variant compiled into
// qarray (or a trace format the compiled variants were not verilated for) is verilated once into
// a cache folder and reused. The folder holds a small CMake project (sim/cosim/ondemand/) that
// runs the same generator (qarray_rtl_params) and the same variant code (sim/cosim/variant.cmake)
// as the compiled variants and links this build's own libraries (the harness, the SystemC model,
// the CLI) into a qarray executable holding that one variant; `qarray cosim` then execs it with
// the same flags. Every later call runs the project's incremental build first, so a rebuilt qarray
// or an edited rtl/*.v reaches the cached executable (a no-op build when nothing changed).
//
// The qarray that scripts/run builds holds no compiled variant at all: its `qarray cosim` runs
// qarray-rtl of the same build (compiled_variants_executable below), which does.
//
// Cache: $QARRAY_COSIM_CACHE, else <build tree>/cosim-variants; one folder per array, widths,
// accumulator depth and trace format, e.g. rtl16x16_ws_w8a8_acc32_d8192_vcd. A lock file
// serializes concurrent builds of one folder; a failed build leaves its log
// (<cache>/<key>.log) and no folder.
#pragma once
#include <functional>
#include <string>

#include "sim/arch_config.h"

namespace qarray::cli {

struct OnDemandVariant {
  std::string key;         // the cache folder's name
  std::string executable;  // the qarray that holds the variant
};

// trace_format: "vcd", "fst", or "" (any cached one, else vcd). `progress` receives one-line
// messages for the user (stderr). Throws InputError: verilator or cmake missing, the build failed
// (naming the log), an FP32 arch.
OnDemandVariant ondemand_variant(const ArchConfig& arch, const std::string& arch_file, const std::string& trace_format,
                                 const std::function<void(const std::string&)>& progress);

// The executable of this build that holds the compiled RTL variants (sim/cosim/variants/*.json):
// <build>/app/qarray-rtl, brought up to date first (an incremental build under a lock: a no-op
// when nothing changed, the whole variant set the first time). Throws InputError: cmake missing,
// the build failed (naming its log).
std::string compiled_variants_executable(const std::function<void(const std::string&)>& progress);

}  // namespace qarray::cli
