// The data flags of the commands that calibrate or evaluate (run, ptq, infer --int8, cosim
// --model): --data, --labels, --synthetic, --synthetic-seed and the preprocessing flags
// --resize, --crop, --mean, --std, --channel-order (docs/cli.md "Data and preprocessing").
// Reading the data is models/dataset.h's; this file turns flags into its inputs and reports.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/dataset.h"

namespace qarray::cli {

struct DataFlags {
  std::string data = kDefaultFashionMnistDir;
  std::string labels;
  bool synthetic = false;
  uint32_t seed = 1;
  std::string resize, crop, mean, std, channel_order;
};

// Registers the flags; `purpose` ends the --data help ("for calibration and evaluation").
void add_data_flags(CLI::App& app, DataFlags& flags, const std::string& purpose);

// The flags as the command line of another qarray (cosim re-executing itself).
std::vector<std::string> data_args(const DataFlags& flags);

// What a command reads: the source and the preprocessing (the JSON beside the model, then the
// flags). InputError, one line, for a bad flag, file or combination; nothing is read yet.
struct DataSetup {
  DataSource source;
  Preprocess pre;
  bool synthetic() const { return source.kind == DataSource::Kind::Synthetic; }
  // Fashion-MNIST with the default pipeline: today's outputs, printed and reported as they were.
  bool plain_fashion_mnist() const { return source.kind == DataSource::Kind::FashionMnist && pre.is_default(); }
};
DataSetup resolve_data(const DataFlags& flags, const std::string& model_path);

// The calibration split: the test set itself when the source has one set of images, else the
// source's calibration split (`calib_count` samples for synthetic data).
Dataset open_calibration(const DataSetup& setup, const ModelInput& input, const Dataset& test, int64_t calib_count);

// "data: ..." lines for stdout (none for plain Fashion-MNIST); `calib_images` of `calib` are used.
void print_data(const DataSetup& setup, const Dataset& test, const Dataset& calib, int64_t calib_images);

// report.json "dataset": {name, path, split} for plain Fashion-MNIST, plus images, classes,
// labels, preprocessing, calibration and (synthetic) distribution and seed for the others.
nlohmann::json dataset_json(const DataSetup& setup, const Dataset& test, const Dataset& calib, int64_t calib_images);

// Why accuracy is not measured on synthetic data (report.json accuracy.not_measured, the table).
std::string not_measured_reason();

}  // namespace qarray::cli
