// `--data` and `--synthetic` end to end with the real binary. The test builds its datasets from
// the first 100 Fashion-MNIST test images: a folder of PNGs per class, the same images 2x larger
// in RGB with a border (undone exactly by --resize 32 --crop 28: halving has weights 0.5 and the
// three channels are equal, so luma is the gray value), uint8 and float32 .npy arrays. FP32 must
// get PyTorch's predictions right as often as PyTorch does (tests/data/pytorch), and every source
// must give the same integer network (byte for byte) and the same counts. Synthetic runs and
// sweeps report accuracy as "not measured". Bad data inputs are one line, exit 1, nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "models/fashion_mnist.h"
#include "models/image_decode.h"
#include "models/npy.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::CliResult;
using testing::run_qarray;

constexpr int kImages = 100;
const std::string kRunFlags = " --calib-images 100 --method nearest --sim-images 1";

fs::path dir() { return testing::cli_temp_dir("qarray_data_cli"); }
fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_data_cli", name); }
std::string src(const std::string& rel) { return std::string(QARRAY_SOURCE_DIR) + "/" + rel; }

class DataCli : public ::testing::Test {
 protected:
  // Writes the datasets once per test binary.
  static void SetUpTestSuite() {
    const FashionMnist fm = read_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
    const fs::path d = dir();
    for (const char* sub : {"folder", "big"}) fs::remove_all(d / sub);
    std::vector<uint8_t> u8;
    std::vector<float> f32;
    std::vector<int64_t> labels;
    for (int i = 0; i < kImages; ++i) {
      const uint8_t* px = fm.pixels.data() + i * 784;
      const std::string cls = std::to_string(fm.labels[i]);
      fs::create_directories(d / "folder" / cls);
      fs::create_directories(d / "big" / cls);
      write_png((d / "folder" / cls / (std::to_string(i) + ".png")).string(), Image8{28, 28, 1, {px, px + 784}});
      Image8 big{64, 64, 3, std::vector<uint8_t>(64 * 64 * 3, 255)};
      for (int y = 0; y < 56; ++y)
        for (int x = 0; x < 56; ++x)
          for (int c = 0; c < 3; ++c) big.pixels[((y + 4) * 64 + x + 4) * 3 + c] = px[(y / 2) * 28 + x / 2];
      write_png((d / "big" / cls / (std::to_string(i) + ".png")).string(), big);
      u8.insert(u8.end(), px, px + 784);
      for (int k = 0; k < 784; ++k) f32.push_back(px[k] / 255.0f);
      labels.push_back(fm.labels[i]);
    }
    write_npy((d / "x_u8.npy").string(), "|u1", {kImages, 1, 28, 28}, u8.data(), u8.size());
    write_npy((d / "x_f32.npy").string(), "<f4", {kImages, 1, 28, 28}, f32.data(), f32.size() * 4);
    write_npy((d / "y.npy").string(), "<i8", {kImages}, labels.data(), labels.size() * 8);
    // PyTorch's predictions (networks/train.py) of the same images.
    std::ifstream in(src("tests/data/pytorch/mobilenetv2/predictions.bin"), std::ios::binary);
    std::vector<char> pred(kImages);
    in.read(pred.data(), kImages);
    pytorch_correct_ = 0;
    for (int i = 0; i < kImages; ++i) pytorch_correct_ += pred[i] == static_cast<char>(fm.labels[i]);
  }

  // Runs `run` with the shared flags and returns its report (the run must succeed).
  static nlohmann::json run(const std::string& name, const std::string& args) {
    const fs::path out = temp(name);
    const CliResult r = run_qarray("run " + args + kRunFlags + " --out " + out.string());
    EXPECT_EQ(r.status, 0) << args << "\n" << r.err;
    return r.status == 0 ? testing::read_json(out / "report.json") : nlohmann::json::object();
  }

  static std::string workloads(const std::string& name) {
    return testing::read_file(temp_keep(name) / "workloads" / "network.json") +
           testing::read_file(temp_keep(name) / "workloads" / "tensors.bin");
  }
  static fs::path temp_keep(const std::string& name) { return dir() / name; }

  static int pytorch_correct_;
};
int DataCli::pytorch_correct_ = 0;

TEST_F(DataCli, ImageFolderNpyAndResizedRgbImagesGiveTheSameNetworkAndPyTorchsFp32Count) {
  const nlohmann::json folder = run("r_folder", "--data " + (dir() / "folder").string());
  ASSERT_FALSE(folder.empty());
  EXPECT_EQ(folder["fp32"]["images"], kImages);
  EXPECT_EQ(folder["fp32"]["correct"], pytorch_correct_);  // the FP32 executor predicts as PyTorch does
  EXPECT_EQ(folder["dataset"]["name"], "image-folder");
  EXPECT_EQ(folder["dataset"]["split"], "all");
  EXPECT_EQ(folder["dataset"]["classes"], nlohmann::json({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_EQ(folder["dataset"]["calibration"]["images"], 100);
  EXPECT_EQ(folder["sim"]["bit_exact"], true);
  const std::string net = workloads("r_folder");
  ASSERT_GT(net.size(), 1000u);
  const int64_t int_correct = folder["int"]["correct"];

  const std::string npy = (dir() / "x_u8.npy").string(), f32 = (dir() / "x_f32.npy").string();
  const std::string y = (dir() / "y.npy").string();
  for (const auto& [name, args] : std::vector<std::pair<std::string, std::string>>{
           {"r_u8", "--data " + npy + " --labels " + y},
           {"r_f32", "--data " + f32 + " --labels " + y},
           {"r_big", "--data " + (dir() / "big").string() + " --resize 32 --crop 28"}}) {
    const nlohmann::json r = run(name, args);
    EXPECT_EQ(r["fp32"]["correct"], pytorch_correct_) << name;
    EXPECT_EQ(r["int"]["correct"], int_correct) << name;
    EXPECT_EQ(r["layers"], folder["layers"]) << name;  // outputs and overflow counts per layer
    EXPECT_TRUE(workloads(name) == net) << name << ": another integer network than the image folder's";
  }
  const nlohmann::json u8 = run("r_u8b", "--data " + npy + " --labels " + y);
  EXPECT_EQ(u8["dataset"]["name"], "npy");
  EXPECT_EQ(u8["dataset"]["labels"], y);
}

TEST_F(DataCli, PreprocessingJsonBesideTheModelIsAppliedAndFlagsOverrideIt) {
  const fs::path mdir = temp("model_dir");
  fs::create_directories(mdir);
  fs::copy_file(src("networks/mobilenetv2.onnx"), mdir / "m.onnx");
  std::ofstream(mdir / "m.preprocess.json") << R"({"resize": 32, "crop": [28, 28]})";
  const std::string model = (mdir / "m.onnx").string();
  const fs::path out = temp("r_json");
  const CliResult r =
      run_qarray("run --model " + model + " --data " + (dir() / "big").string() + kRunFlags + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("preprocessing: resize 32 bilinear, centre crop 28x28, scale to [0,1] (" +
                               (mdir / "m.preprocess.json").string() + ")"));
  const nlohmann::json j = testing::read_json(out / "report.json");
  EXPECT_EQ(j["fp32"]["correct"], pytorch_correct_);
  EXPECT_EQ(j["dataset"]["preprocessing"], "resize 32 bilinear, centre crop 28x28, scale to [0,1]");
  // --crop 24 replaces the file's crop: 24x24 is not the model's 28x28.
  const fs::path bad = temp("r_json_bad");
  const CliResult b = run_qarray("run --model " + model + " --data " + (dir() / "big").string() + " --crop 24" +
                                 kRunFlags + " --out " + bad.string());
  EXPECT_EQ(b.status, 1);
  EXPECT_THAT(b.err, HasSubstr("model input 'input' is 1×1×28×28; --data " + (dir() / "big").string() +
                               " gives 64×64 images ("));
  EXPECT_THAT(b.err, HasSubstr("(24×24 after resize 32 bilinear, centre crop 24x24, scale to [0,1])"));
  EXPECT_FALSE(fs::exists(bad));
}

TEST_F(DataCli, SyntheticRunReportsAccuracyAsNotMeasured) {
  const fs::path out = temp("r_synth");
  const CliResult r = run_qarray("run --synthetic --calib-images 16 --method nearest --sim-images 2 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FP32 (reference)       not measured\n"));
  EXPECT_THAT(r.out, HasSubstr("INT W8A8 (golden)      not measured\n"));
  EXPECT_THAT(r.out, HasSubstr("INT W8A8 (fake-quant)  not measured\n"));
  EXPECT_THAT(r.out, HasSubstr("accuracy not measured: --synthetic inputs have no labels\n"));
  EXPECT_THAT(r.out, Not(HasSubstr(" pp\n")));  // no drop, no gap
  EXPECT_THAT(r.out, HasSubstr("data: synthetic inputs, no labels: 2 test and 16 calibration images, uniform 8-bit "
                               "values 0-255 (std::mt19937, seed 1)\n"));
  EXPECT_THAT(r.out, HasSubstr("2 test image(s) one at a time: every layer bit-exact with golden, same class"));
  const nlohmann::json j = testing::read_json(out / "report.json");
  EXPECT_TRUE(j["accuracy"]["fp32_top1"].is_null());
  EXPECT_TRUE(j["accuracy"]["int_top1"].is_null());
  EXPECT_EQ(j["accuracy"]["not_measured"], "--synthetic inputs have no labels");
  EXPECT_TRUE(j["fp32"].is_null());
  EXPECT_TRUE(j["fake_quant"].is_null());
  EXPECT_TRUE(j["drop_pp"].is_null());
  EXPECT_TRUE(j["int"]["top1_percent"].is_null());
  EXPECT_TRUE(j["int"]["correct"].is_null());
  EXPECT_EQ(j["int"]["images"], 2);
  EXPECT_EQ(j["dataset"]["name"], "synthetic");
  EXPECT_EQ(j["dataset"]["seed"], 1);
  EXPECT_EQ(j["sim"]["images"], 2);
  EXPECT_EQ(j["sim"]["bit_exact"], true);
}

TEST_F(DataCli, SyntheticSweepRowsSayNotMeasured) {
  const fs::path grid = dir() / "synthetic_grid.json";
  std::ofstream(grid) << R"({"model": "mobilenetv2", "arch": "ws16", "data": "synthetic", "calib_images": 16,
                             "method": ["nearest"]})";
  const fs::path out = temp("sweep_synth");
  const CliResult r = run_qarray("sweep " + grid.string() + " --jobs 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" ok     not measured "));
  EXPECT_THAT(r.err, HasSubstr("quantized W8A8 nearest: accuracy not measured (synthetic data)"));
  std::ifstream csv(out / "points.csv");
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  const std::vector<std::string> header = testing::csv_cells(line);
  ASSERT_TRUE(std::getline(csv, line));
  const std::vector<std::string> row = testing::csv_cells(line);
  ASSERT_EQ(row.size(), header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "fp32_top1" || header[c] == "int_top1") EXPECT_EQ(row[c], "not measured") << header[c];
    if (header[c] == "status") EXPECT_EQ(row[c], "ok");
  }
}

// --- bad input: one line, exit 1, nothing written -------------------------------------------

void expect_error(const std::string& args, const std::string& message) {
  const fs::path out = temp("bad_out");
  const CliResult r = run_qarray(args + " --out " + out.string());
  EXPECT_EQ(r.status, 1) << args;
  EXPECT_EQ(r.err, "qarray: error: " + message + "\n") << args;
  EXPECT_FALSE(fs::exists(out)) << args << ": --out was written";
}

TEST_F(DataCli, FolderOfImagesOfTheWrongSizeNamesAnImageAndBothShapes) {
  const fs::path d = temp("wrong_size");
  for (const char* c : {"a", "b"}) {
    fs::create_directories(d / c);
    write_png((d / c / "0.png").string(), Image8{30, 30, 1, std::vector<uint8_t>(900, 9)});
  }
  expect_error("run --data " + d.string(), "model input 'input' is 1×1×28×28; --data " + d.string() +
                                               " gives 30×30 images (" + (d / "a" / "0.png").string() + ")");
}

TEST_F(DataCli, FolderWithoutClassesIsNamed) {
  const fs::path d = temp("no_classes");
  fs::create_directories(d);
  write_png((d / "loose.png").string(), Image8{28, 28, 1, std::vector<uint8_t>(784, 9)});
  expect_error("run --data " + d.string(), d.string() + ": no class sub-folders (an image-folder dataset holds one "
                                                        "sub-folder of PNG/JPEG images per class)");
}

TEST_F(DataCli, NpyOfTheWrongDtypeIsNamed) {
  const fs::path x = dir() / "x_f64.npy";
  const std::vector<double> v(2 * 784, 0.5);
  write_npy(x.string(), "<f8", {2, 1, 28, 28}, v.data(), v.size() * 8);
  expect_error("run --data " + x.string() + " --labels " + (dir() / "y.npy").string(),
               x.string() + ": dtype float64 ('<f8') is not read (uint8 '|u1' images or float32 '<f4' network inputs)");
}

TEST_F(DataCli, OtherBadDataInputsAreOneLine) {
  const std::string y = (dir() / "y.npy").string(), x = (dir() / "x_u8.npy").string();
  expect_error("run --data " + x, "--data " + x + ": a .npy dataset needs its labels (--labels FILE.npy, a grid's \"labels\")");
  const fs::path y32 = dir() / "y_f32.npy";
  const std::vector<float> f(kImages, 1.0f);
  write_npy(y32.string(), "<f4", {kImages}, f.data(), f.size() * 4);
  expect_error("run --data " + x + " --labels " + y32.string(),
               y32.string() + ": labels of dtype float32 ('<f4') are not read (int64 '<i8', int32 '<i4' or uint8 '|u1')");
  expect_error("run --resize 0", "--resize '0': expected N (the shorter side) or HxW, sizes 1-16384");
  expect_error("run --synthetic --data " + x, "--synthetic replaces --data " + x + "; give one of them");
  expect_error("ptq --synthetic --evaluate", "--evaluate measures accuracy, which --synthetic inputs cannot give (they "
                                             "have no labels)");
  // The issue's case: a model whose input is not Fashion-MNIST's, with the default data.
  const fs::path m = dir() / "m224.onnx";
  if (!fs::exists(m)) fs::copy_file(src("networks/mobilenetv2_224.onnx"), m);
  expect_error("run --model " + m.string() + " --images 8",
               "model input 'input' is 1×3×224×224; --data gives 1×28×28 Fashion-MNIST images");
}

}  // namespace
}  // namespace qarray
