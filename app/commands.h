// Subcommands of the qarray CLI. Each registers its flags on the parser and returns the action to
// run after parsing; actions return the process exit status.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace qarray::cli {

using Action = std::function<int()>;

Action add_run(CLI::App& app);
Action add_infer(CLI::App& app);

// Paths of the shipped data, resolved against the source tree the binary was built from.
std::string shipped_model(const std::string& name);

}  // namespace qarray::cli
