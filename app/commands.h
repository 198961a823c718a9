// Subcommands of the qarray CLI. Each registers its flags on the parser and returns the action to
// run after parsing; actions return the process exit status.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/onnx_loader.h"

#include "workloads/ptq_pipeline.h"

namespace qarray::cli {

using Action = std::function<int()>;

Action add_run(CLI::App& app);
Action add_infer(CLI::App& app);
Action add_ptq(CLI::App& app);
Action add_sim_layer(CLI::App& app);
Action add_sweep(CLI::App& app);
Action add_plot(CLI::App& app);
Action add_cosim(CLI::App& app);

// The PTQ flags shared by `ptq` and `run` (--method, --weight-bits, --act-bits, --acc-bits,
// --per-channel, --act-ranges, --weight-ranges, --percentile, --relu6, --no-absorb, --adaround-*),
// as parsed;
// resolve() turns them into validated PtqOptions (InputError, one line, for a bad value).
// --input-shape NAME=1x3x224x224 (app/model_flags.cpp), parsed into the importer's options.
void add_input_shape_flag(CLI::App& app, std::vector<std::string>& shapes);
ImportOptions import_options(const std::vector<std::string>& shapes);

struct PtqFlags {
  std::string method = "cle+bc";
  std::string act_ranges = "minmax";
  std::string weight_ranges = "minmax";
  double percentile = 99.99;
  std::string relu6 = "relu";
  bool no_absorb = false;
  QuantSpec spec;
  AdaRoundOptions adaround;
  PtqOptions resolve(int threads) const;
};
void add_ptq_flags(CLI::App& app, PtqFlags& flags);

// The "ptq" report section of a quantize_ptq result: options, seconds per step, CLE chains /
// skipped patterns / absorption, bias-correction shifts (cmd_ptq.cpp; shared with `run`).
nlohmann::json ptq_report_json(const PtqResult& r, const PtqOptions& opt);

}  // namespace qarray::cli
