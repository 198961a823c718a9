// Per-op test vectors from PyTorch (tests/data/onnx_ops/make_vectors.py; committed outputs):
// every case imports and runs on the FP32 executor within 1e-5 of PyTorch (relative to
// max(|y|, 1)), except the cases listed as refused, which must be refused by name. The cases
// with an integer rule are quantized (min/max ranges on the case's own input, W8A8) and run on
// the golden executor and on the SystemC model, which must agree bit for bit layer by layer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/onnx_loader.h"
#include "models/tensor_proto.h"
#include "sim/simulator.h"
#include "workloads/golden.h"
#include "workloads/pipeline.h"

namespace qarray {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(QARRAY_SOURCE_DIR) / "tests/data/onnx_ops";

// Cases the importer refuses, with the reason it gives.
const std::map<std::string, std::string> kRefused = {
    {"conv_transpose", "unsupported op 'ConvTranspose'"},
};

// Cases without an integer rule for one of their ops, with the lowering's reason.
const std::map<std::string, std::string> kNoIntegerRule = {
    {"conv1d", "only 2-D convolutions on {C,H,W} run on the array"},
    {"linear_rank3", "only a MatMul on per-sample vectors {K} runs on the array"},
    {"log_softmax", "LogSoftmax node"},
    {"softmax", "Softmax node"},
    {"mul_broadcast_channel", "ReduceMean node"},
    {"reduce_mean", "ReduceMean node"},
    {"reduce_max", "ReduceMax node"},
    {"pad_constant", "Pad node"},
    {"pad_reflect", "Pad node"},
    {"pad_edge", "Pad node"},
    {"upsample_nearest", "Resize node"},
    {"upsample_bilinear", "Resize node"},
    {"maxpool_ceil", "ceil_mode=1 has no integer rule"},
    {"avgpool_ceil_include_pad", "Pad node"},  // PyTorch exports the padding as a Pad
    {"slice", "Slice node"},
    {"split", "Slice node"},
    {"transpose", "Transpose node"},
    {"prelu", "PRelu node"},
};

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir))
    if (fs::exists(e.path() / "model.onnx")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OnnxOps, EveryCaseMatchesPyTorchOrIsRefusedByName) {
  const std::vector<std::string> names = case_names();
  ASSERT_EQ(names.size(), 39u);
  for (const std::string& name : names) {
    const fs::path d = kDir / name;
    SCOPED_TRACE(name);
    if (kRefused.count(name)) {
      EXPECT_THAT([&] { load_onnx((d / "model.onnx").string()); },
                  ::testing::ThrowsMessage<UnsupportedError>(::testing::HasSubstr(kRefused.at(name))));
      continue;
    }
    const Graph g = load_onnx((d / "model.onnx").string());
    const Tensor x = read_tensor_proto((d / "input_0.pb").string());
    const Tensor want = read_tensor_proto((d / "output_0.pb").string());
    const Tensor got = Fp32Executor(g).run(x);
    ASSERT_EQ(got.shape, want.shape);
    for (int64_t i = 0; i < want.size(); ++i)
      ASSERT_LE(std::fabs(got.data[i] - want.data[i]), 1e-5f * std::max(1.0f, std::fabs(want.data[i])))
          << "output " << i << ": " << got.data[i] << " vs PyTorch " << want.data[i];
  }
}

TEST(OnnxOps, IntegerPathGoldenEqualsSystemCOnEveryCaseWithARule) {
  int lowered = 0;
  for (const std::string& name : case_names()) {
    if (kRefused.count(name)) continue;
    SCOPED_TRACE(name);
    const fs::path d = kDir / name;
    const Graph g = load_onnx((d / "model.onnx").string());
    const Tensor x = read_tensor_proto((d / "input_0.pb").string());
    QuantSpec spec;
    if (kNoIntegerRule.count(name)) {
      EXPECT_THAT([&] { quantize_minmax(g, x, spec); },
                  ::testing::ThrowsMessage<UnsupportedError>(::testing::HasSubstr(kNoIntegerRule.at(name))));
      continue;
    }
    const Network net = quantize_minmax(g, x, spec).network;
    const GoldenExecutor golden(net);
    const IntTensor q = golden.quantize_input(x);
    ArchConfig arch;  // ws16: W8A8, 32-bit accumulators
    const NetworkSimResult sim = simulate_network_checked(net, golden, q, arch);  // throws at a mismatch
    EXPECT_EQ(sim.output.data, golden.run(q).data);
    ++lowered;
  }
  EXPECT_EQ(lowered, 20);
}

}  // namespace
}  // namespace qarray
