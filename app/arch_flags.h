// --arch on the command line (run, sim-layer, cosim): its override flags and how errors about
// the design name it. Resolving and loading it is explore/shipped.h's.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "explore/shipped.h"

namespace qarray::cli {

// --dataflow, --rows, --cols: command-line overrides of the --arch file (run, sim-layer).
void add_arch_override_flags(CLI::App& app, explore::ArchOverrides& overrides);

// How errors about the design name it: "--arch NAME", plus the file a preset resolved to.
std::string arch_where(const std::string& name_or_file);

}  // namespace qarray::cli
