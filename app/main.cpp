// qarray: quantize a trained network, run it on integer hardware models, report accuracy.
// Errors are one line on stderr and a non-zero exit; libraries throw, only this file prints them.
#include <iostream>

#include "app/commands.h"
#include "models/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"qarray: post-training quantization and systolic-array workbench"};
  app.require_subcommand(1);
  std::map<CLI::App*, qarray::cli::Action> actions;
  CLI::App* run = app.add_subcommand("run", "Quantize the model and compare FP32 with INT (golden) accuracy");
  actions[run] = qarray::cli::add_run(*run);
  CLI::App* infer = app.add_subcommand("infer", "Run a model on ONNX TensorProto inputs (FP32 or integer)");
  actions[infer] = qarray::cli::add_infer(*infer);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const qarray::Error& e) {
    std::cerr << "qarray: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "qarray: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
