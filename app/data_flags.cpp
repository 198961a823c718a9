// The data and preprocessing flags (app/data_flags.h).
#include "app/data_flags.h"

#include <cstdio>

#include "base/errors.h"
#include "models/synthetic.h"

namespace qarray::cli {

void add_data_flags(CLI::App& app, DataFlags& f, const std::string& purpose) {
  app.add_option("--data", f.data,
                 "Fashion-MNIST directory, a folder of class sub-folders of PNG/JPEG images, or an images .npy, " +
                     purpose)
      ->capture_default_str();
  app.add_option("--labels", f.labels, "Labels .npy of an images .npy given to --data");
  app.add_flag("--synthetic", f.synthetic,
               "No dataset: seeded uniform random 8-bit inputs (timing and energy; accuracy not measured)");
  app.add_option("--synthetic-seed", f.seed, "Seed of --synthetic inputs")->capture_default_str();
  app.add_option("--resize", f.resize, "Resize images, bilinear: N (shorter side) or HxW");
  app.add_option("--crop", f.crop, "Centre-crop images: N or HxW");
  app.add_option("--mean", f.mean, "Subtract after scaling to [0,1]: one value or one per channel (0.485,0.456,0.406)");
  app.add_option("--std", f.std, "Divide after --mean: one value or one per channel");
  app.add_option("--channel-order", f.channel_order, "rgb (default) or bgr");
}

std::vector<std::string> data_args(const DataFlags& f) {
  std::vector<std::string> a{"--data", f.data, "--synthetic-seed", std::to_string(f.seed)};
  if (f.synthetic) a.push_back("--synthetic");
  const std::pair<const char*, const std::string*> opts[] = {{"--labels", &f.labels}, {"--resize", &f.resize},
                                                             {"--crop", &f.crop},     {"--mean", &f.mean},
                                                             {"--std", &f.std},       {"--channel-order", &f.channel_order}};
  for (const auto& [flag, value] : opts)
    if (!value->empty()) a.insert(a.end(), {flag, *value});
  return a;
}

DataSetup resolve_data(const DataFlags& f, const std::string& model_path) {
  if (f.synthetic && f.data != kDefaultFashionMnistDir)
    throw InputError("--synthetic replaces --data " + f.data + "; give one of them");
  DataSetup s;
  s.source = parse_data_source(f.synthetic ? kSyntheticData : f.data, f.labels, "--data");
  s.source.seed = f.seed;
  s.pre = preprocess_for_model(model_path);
  bool flags = false;
  if (!f.resize.empty()) s.pre.resize = parse_image_size(f.resize, "--resize", true), flags = true;
  if (!f.crop.empty()) s.pre.crop = parse_image_size(f.crop, "--crop", false), flags = true;
  if (!f.mean.empty()) s.pre.mean = parse_channel_values(f.mean, "--mean", false), flags = true;
  if (!f.std.empty()) s.pre.std = parse_channel_values(f.std, "--std", true), flags = true;
  if (!f.channel_order.empty()) s.pre.channel_order = parse_channel_order(f.channel_order, "--channel-order"), flags = true;
  if (flags) {
    s.pre.set_by_flags = true;
    s.pre.source = s.pre.source.empty() ? "flags" : s.pre.source + " + flags";
  }
  return s;
}

Dataset open_calibration(const DataSetup& setup, const ModelInput& input, const Dataset& test, int64_t calib_count) {
  if (test.split == "all") return test;
  return open_dataset(setup.source, Split::Train, setup.pre, input, calib_count);
}

void print_data(const DataSetup& setup, const Dataset& test, const Dataset& calib, int64_t calib_images) {
  if (setup.plain_fashion_mnist()) return;
  if (setup.synthetic()) {
    std::printf("data: synthetic inputs, no labels: %lld test and %lld calibration images, %s\n",
                static_cast<long long>(test.count), static_cast<long long>(calib_images),
                synthetic_distribution(setup.source.seed).c_str());
  } else {
    std::printf("data: %s\n", describe_dataset(test).c_str());
    if (calib.split == "all")
      std::printf("calibration: the first %lld images of the same set\n", static_cast<long long>(calib_images));
    else
      std::printf("calibration: the first %lld of %s\n", static_cast<long long>(calib_images),
                  describe_dataset(calib).c_str());
  }
  const bool applied = test.format != "npy" || test.preprocessing.rfind("none", 0) != 0;
  std::printf("preprocessing: %s%s\n", test.preprocessing.c_str(),
              setup.pre.source.empty() || !applied ? "" : (" (" + setup.pre.source + ")").c_str());
}

nlohmann::json dataset_json(const DataSetup& setup, const Dataset& test, const Dataset& calib, int64_t calib_images) {
  if (setup.plain_fashion_mnist()) return {{"name", "fashion-mnist"}, {"path", setup.source.path}, {"split", "test"}};
  nlohmann::json j = {{"name", test.format}, {"split", test.split}, {"images", test.count},
                      {"preprocessing", test.preprocessing},
                      {"preprocessing_source", setup.pre.source.empty() ? nlohmann::json() : nlohmann::json(setup.pre.source)},
                      {"calibration", {{"split", calib.split}, {"images", calib_images}}}};
  if (!setup.synthetic()) j["path"] = test.path;
  if (!test.classes.empty()) j["classes"] = test.classes;
  if (setup.source.kind == DataSource::Kind::Npy) j["labels"] = setup.source.labels;
  if (setup.synthetic()) {
    j["distribution"] = synthetic_distribution(setup.source.seed);
    j["seed"] = setup.source.seed;
  }
  return j;
}

std::string not_measured_reason() { return "--synthetic inputs have no labels"; }

}  // namespace qarray::cli
