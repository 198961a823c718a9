// The qarray binary as a user runs it: every bad input is one line on stderr, a non-zero exit,
// no crash and nothing half-written; good runs write what they promise.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "models/tensor_proto.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

using Result = testing::CliResult;

Result qarray(const std::string& args) { return testing::run_qarray(args); }

std::string model(const std::string& name) {
  return std::string(QARRAY_SOURCE_DIR) + "/networks/" + name + ".onnx";
}

fs::path temp(const std::string& name) {
  const fs::path p = fs::path(::testing::TempDir()) / ("qarray_cli_" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  return p;
}

TEST(Cli, NoSubcommandPrintsUsageAndFails) {
  const Result r = qarray("");
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err + r.out, HasSubstr("subcommand is required"));
}

TEST(Cli, UnknownFlagIsOneLineError) {
  const Result r = qarray("run --bogus-flag");
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--bogus-flag"));
}

TEST(Cli, MissingModelNamesTheFile) {
  const fs::path out = temp("missing_model");
  const Result r = qarray("run --model /nonexistent/m.onnx --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: cannot open model file '/nonexistent/m.onnx'\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, TruncatedModelIsReportedNotCrashed) {
  const fs::path bad = temp("truncated.onnx");
  fs::create_directories(bad.parent_path());
  std::ifstream src(model("resnet"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(src)), {});
  std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const fs::path out = temp("trunc_out");
  const Result r = qarray("run --model " + bad.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(bad.string()));
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, MissingDatasetNamesThePackage) {
  const fs::path out = temp("missing_data");
  const Result r = qarray("run --model resnet --data /nonexistent/fmnist --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("dataset-fashion-mnist"));
  EXPECT_FALSE(fs::exists(out / "report.json"));
}

TEST(Cli, BadBitWidthIsRejected) {
  const fs::path out = temp("bits");
  const Result r = qarray("run --weight-bits 17 --images 10 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: weight bit width 17 is outside [2, 16]\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, UnknownPtqMethodListsTheMethods) {
  const fs::path out = temp("ptq_bogus");
  const Result r = qarray("ptq --method bogus --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: unknown PTQ method 'bogus' (expected one of nearest, cle, bc, cle+bc, bc-analytic, "
                   "cle+bc-analytic, adaround, cle+adaround, adaround+bc, cle+adaround+bc)\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, TooManyCalibrationImagesIsRejected) {
  const fs::path out = temp("calib");
  const Result r = qarray("run --model resnet --calib-images 70000 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: calibration images: 70000 requested, the training set holds 60000\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, RunWritesReportAndLoadableWorkloads) {
  const fs::path out = temp("run_small");
  const Result r = qarray("run --model resnet --images 200 --calib-images 64 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FP32 (reference)"));
  EXPECT_THAT(r.out, HasSubstr("INT W8A8 (golden)"));
  EXPECT_THAT(r.out, HasSubstr("INT W8A8 (fake-quant)"));
  EXPECT_THAT(r.out, HasSubstr("gap INT - fake-quant"));
  std::ifstream f(out / "report.json");
  const auto j = nlohmann::json::parse(f);
  EXPECT_EQ(j["fp32"]["images"], 200);
  EXPECT_EQ(j["int"]["images"], 200);
  EXPECT_EQ(j["fake_quant"]["images"], 200);
  EXPECT_DOUBLE_EQ(j["fake_quant_gap"]["gap_pp"].get<double>(),
                   j["int"]["top1_percent"].get<double>() - j["fake_quant"]["top1_percent"].get<double>());
  EXPECT_GE(j["fake_quant_gap"]["same_class"].get<int>(), 190);
  EXPECT_EQ(j["quantization"]["calib_images"], 64);
  EXPECT_EQ(j["quantization"]["method"], "cle+bc");
  EXPECT_GT(j["int"]["top1_percent"].get<double>(), 80.0);
  EXPECT_TRUE(fs::exists(out / "workloads" / "network.json"));
  EXPECT_TRUE(fs::exists(out / "workloads" / "tensors.bin"));
}

TEST(Cli, PtqEvaluateReportsFakeQuantAndGap) {
  const fs::path out = temp("ptq_eval");
  const Result r = qarray("ptq --model mobilenetv2 --method nearest --weight-bits 6 --evaluate --images 200 "
                          "--calib-images 64 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fake-quant (float sim)"));
  EXPECT_THAT(r.out, HasSubstr("gap INT - fake-quant"));
  std::ifstream f(out / "ptq_report.json");
  const auto e = nlohmann::json::parse(f)["evaluation"];
  EXPECT_EQ(e["fake_quant"]["images"], 200);
  EXPECT_EQ(e["fake_quant_gap"]["images"], 200);
  EXPECT_DOUBLE_EQ(e["fake_quant_gap"]["gap_pp"].get<double>(),
                   e["int"]["top1_percent"].get<double>() - e["fake_quant"]["top1_percent"].get<double>());
  EXPECT_GE(e["fake_quant_gap"]["same_class"].get<int>(), 190);
}

TEST(Cli, InferFp32MatchesPyTorchVectors) {
  const std::string dir = std::string(QARRAY_SOURCE_DIR) + "/tests/data/pytorch/resnet/";
  const fs::path out = temp("infer_out.pb");
  const Result r = qarray("infer " + model("resnet") + " --input " + dir + "input_0.pb --output " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor got = read_tensor_proto(out.string()), want = read_tensor_proto(dir + "output_0.pb");
  ASSERT_EQ(got.shape, want.shape);
  float scale = 0, err = 0;
  for (size_t i = 0; i < got.data.size(); ++i) {
    scale = std::max(scale, std::fabs(want.data[i]));
    err = std::max(err, std::fabs(got.data[i] - want.data[i]));
  }
  EXPECT_LE(err, 1e-4f * scale);
}

TEST(Cli, InferInt8FromSavedWorkloadsNeedsNoOnnx) {
  const fs::path out = temp("infer_int");
  ASSERT_EQ(qarray("run --model resnet --images 10 --calib-images 64 --out " + out.string()).status, 0);
  const std::string dir = std::string(QARRAY_SOURCE_DIR) + "/tests/data/pytorch/resnet/";
  const fs::path pb = out / "logits_int.pb";
  const Result r = qarray("infer --int8 --workloads " + (out / "workloads").string() + " --input " + dir +
                          "input_0.pb --output " + pb.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor got = read_tensor_proto(pb.string()), want = read_tensor_proto(dir + "output_0.pb");
  ASSERT_EQ(got.shape, want.shape);
  int agree = 0;
  for (int64_t n = 0; n < got.dim(0); ++n) {
    auto row = [&](const Tensor& t) { return std::max_element(t.ptr() + n * 10, t.ptr() + n * 10 + 10) - (t.ptr() + n * 10); };
    agree += row(got) == row(want);
  }
  EXPECT_GE(agree, 15);  // of 16: the INT8 network agrees with FP32 on almost every image
}

TEST(Cli, InferRejectsWrongInputShape) {
  const fs::path bad = temp("bad_input.pb");
  fs::create_directories(bad.parent_path());
  write_tensor_proto(bad.string(), Tensor({2, 3, 5, 5}), "x");
  const fs::path out = temp("o.pb");
  const Result r = qarray("infer " + model("resnet") + " --input " + bad.string() + " --output " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + bad.string() + ": tensor shape [2,3,5,5] does not match the model input "
                   "[N,1,28,28]\n");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace qarray
