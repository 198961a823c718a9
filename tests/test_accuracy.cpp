// End-to-end accuracy on the full 10,000-image Fashion-MNIST test set, both shipped models:
// the FP32 executor reproduces PyTorch's reported accuracy exactly, and the W8A8 network run by
// the integer golden executor stays within 1 percentage point of FP32.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "models/fashion_mnist.h"
#include "models/onnx_loader.h"
#include "workloads/evaluate.h"
#include "workloads/pipeline.h"

namespace qarray {
namespace {

class ShippedModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedModel, Fp32MatchesPyTorchAndInt8StaysWithinOnePoint) {
  const std::string dir = std::string(QARRAY_SOURCE_DIR) + "/networks/";
  std::ifstream card(dir + GetParam() + ".json");
  ASSERT_TRUE(card) << "missing model card JSON for " << GetParam();
  const auto j = nlohmann::json::parse(card);
  const Graph g = load_onnx(dir + GetParam() + ".onnx");
  const Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  const Dataset train = load_fashion_mnist(kDefaultFashionMnistDir, Split::Train);

  const EvalResult fp32 = evaluate_fp32(g, test, {});
  EXPECT_EQ(fp32.correct, j["pytorch_test_correct"].get<int64_t>());

  const QuantizedModel qm = quantize_minmax(g, calibration_images(train, 512), QuantSpec{});
  const EvalResult q = evaluate_golden(qm.network, test, {});
  EXPECT_EQ(q.images, 10000);
  EXPECT_GE(q.top1_percent(), fp32.top1_percent() - 1.0);
  int64_t overflows = 0;
  for (const auto& s : q.layers) overflows += s.overflows;
  EXPECT_EQ(overflows, 0);  // 8x8-bit products in 32-bit accumulators never overflow here
  RecordProperty("fp32_top1", std::to_string(fp32.top1_percent()));
  RecordProperty("int8_top1", std::to_string(q.top1_percent()));
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModel, ::testing::Values("mobilenetv2", "resnet"));

}  // namespace
}  // namespace qarray
