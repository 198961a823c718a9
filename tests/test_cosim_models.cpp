// The first three layers of both shipped reference models (quantized min/max at 8 bits on 64
// test images, as tests/test_sim_network.cpp does) co-simulated on the 8x8 RTL variants of every
// dataflow: the RTL datapath (array, accumulator, post-processing) equal to the SystemC one every
// cycle, the layer outputs equal to golden. Layers without RTL (add, pools) do not occur among them (asserted).
#include <gtest/gtest.h>

#include <filesystem>

#include "models/fashion_mnist.h"
#include "models/onnx_loader.h"
#include "sim/cosim/cosim.h"
#include "workloads/pipeline.h"

namespace qarray {
namespace {

class CosimModels : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(CosimModels, FirstThreeLayersEqualEveryCycleAndBitExact) {
  const auto [model, variant] = GetParam();
  const std::string path = std::string(QARRAY_SOURCE_DIR) + "/networks/" + model + ".onnx";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const Graph g = load_onnx(path);
  const Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  const Network net = quantize_minmax(g, calibration_images(test, 64), QuantSpec{}).network;
  const GoldenExecutor golden(net);
  const std::vector<IntTensor> values = golden.run_all(golden.quantize_input(test.batch(0, 1)));
  const RtlVariant& v = rtl_variant_named(variant);
  const ArchConfig arch = variant_arch(v);
  for (size_t i = 0; i < 3; ++i) {
    const Layer& l = net.layers[i];
    ASSERT_TRUE(l.on_array()) << l.name;
    try {
      const CosimStats s = cosim_layer(net, i, values[l.inputs[0]], arch, {}, model + " layer " + std::to_string(i));
      EXPECT_EQ(s.outputs, static_cast<int64_t>(values[l.output].data.size()));
      EXPECT_GT(s.array_rows, 0);
      EXPECT_GE(s.acc_rows, s.output_rows);
      EXPECT_GT(s.output_rows, 0);
    } catch (const CosimMismatchError& e) {
      FAIL() << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, CosimModels,
                         ::testing::Combine(::testing::Values("mobilenetv2", "resnet"),
                                            ::testing::Values("cosim8x8_ws_w8a8", "cosim8x8_os_w8a8",
                                                              "cosim8x8_is_w8a8")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

}  // namespace
}  // namespace qarray
