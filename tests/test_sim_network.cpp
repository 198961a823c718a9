// The shipped reference models on the cycle model: every layer bit-exact with the golden
// executor on the same inputs, and whole-network inference on the cycle model (each layer
// reading the model's own outputs) giving golden's logits and class, for each dataflow.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/fashion_mnist.h"
#include "models/onnx_loader.h"
#include "sim/simulator.h"
#include "workloads/golden.h"
#include "workloads/pipeline.h"

namespace qarray {
namespace {

std::vector<std::string> shipped_models() {
  std::vector<std::string> names;
  for (const char* name : {"resnet", "mobilenetv2"})
    if (std::filesystem::exists(std::string(QARRAY_SOURCE_DIR) + "/networks/" + name + ".onnx"))
      names.push_back(name);
  return names;
}

struct Quantized {
  Network net;
  IntTensor images;  // two test images on the input grid
};

const Quantized& quantized(const std::string& model, int bits) {
  static std::map<std::pair<std::string, int>, Quantized> cache;
  auto it = cache.find({model, bits});
  if (it != cache.end()) return it->second;
  const Graph g = load_onnx(std::string(QARRAY_SOURCE_DIR) + "/networks/" + model + ".onnx");
  // Calibrated on test images: equality with golden does not depend on where the ranges come
  // from, and the test split is six times faster to read than the training split.
  const Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  QuantSpec spec;
  spec.weight_bits = spec.act_bits = bits;
  Quantized q{quantize_minmax(g, calibration_images(test, 64), spec).network, {}};
  q.images = GoldenExecutor(q.net).quantize_input(test.batch(0, 2));
  return cache.emplace(std::make_pair(model, bits), std::move(q)).first->second;
}

ArchConfig arch_for(Dataflow df, int dim, int bits) {
  ArchConfig a;
  a.name = std::string(dataflow_name(df)) + std::to_string(dim);
  a.dataflow = df;
  a.rows = a.cols = dim;
  a.weight_bits = a.act_bits = bits;
  return a;
}

class ShippedOnCycleModel : public ::testing::TestWithParam<std::tuple<std::string, Dataflow, int, int>> {};

TEST_P(ShippedOnCycleModel, EveryLayerBitExactAndSameClass) {
  const auto [model, df, dim, bits] = GetParam();
  const Quantized& q = quantized(model, bits);
  const ArchConfig arch = arch_for(df, dim, bits);
  const GoldenExecutor golden(q.net);

  // Layer by layer on golden's inputs: names the first layer that differs.
  std::vector<IntTensor> values(q.net.tensors.size());
  values[q.net.input] = q.images;
  for (size_t i = 0; i < q.net.layers.size(); ++i) {
    const Layer& l = q.net.layers[i];
    std::vector<const IntTensor*> ins;
    for (int32_t t : l.inputs) ins.push_back(&values[t]);
    const IntTensor want = golden.run_layer(i, ins);
    const SimResult got = simulate_layer(q.net, i, ins, arch);
    ASSERT_EQ(got.output.data, want.data) << model << " layer " << i << " '" << l.name << "' ("
                                          << layer_kind_name(l.kind) << ") on " << arch.name;
    values[l.output] = want;
  }

  // Whole network on the cycle model.
  const IntTensor logits = golden.run(q.images);
  const NetworkSimResult sim = simulate_network(q.net, q.images, arch);
  ASSERT_EQ(sim.output.data, logits.data);
  ASSERT_EQ(sim.layers.size(), q.net.layers.size());
  int64_t macs = 0;
  for (const LayerCounters& k : sim.layers) {
    EXPECT_GT(k.total_cycles, 0);
    macs += k.macs;
  }
  EXPECT_EQ(macs, q.net.macs_per_sample() * q.images.shape[0]);
}

std::string name_of(const ::testing::TestParamInfo<ShippedOnCycleModel::ParamType>& info) {
  const auto [model, df, dim, bits] = info.param;
  return model + "_" + dataflow_name(df) + std::to_string(dim) + "_int" + std::to_string(bits);
}

INSTANTIATE_TEST_SUITE_P(
    Models, ShippedOnCycleModel,
    ::testing::Combine(::testing::ValuesIn(shipped_models()),
                       ::testing::Values(Dataflow::WeightStationary, Dataflow::InputStationary,
                                         Dataflow::OutputStationary),
                       ::testing::Values(8, 16), ::testing::Values(4, 8)),
    name_of);
// The smallest and a larger array than the presets use, at the default operand width: tiles of
// 4 rows split every 3x3 kernel across k folds; at 32x32 most folds are partial.
INSTANTIATE_TEST_SUITE_P(
    SmallAndLargeArrays, ShippedOnCycleModel,
    ::testing::Combine(::testing::ValuesIn(shipped_models()),
                       ::testing::Values(Dataflow::WeightStationary, Dataflow::InputStationary,
                                         Dataflow::OutputStationary),
                       ::testing::Values(4, 32), ::testing::Values(8)),
    name_of);

// The checked run compares each layer with golden on the cycle model's own inputs: against a
// golden executor of a network whose one conv bias differs, it stops at exactly that layer.
TEST(CheckedNetwork, NamesTheFirstLayerThatDiffersFromGolden) {
  const Quantized& q = quantized("resnet", 8);
  const ArchConfig arch = arch_for(Dataflow::WeightStationary, 8, 8);
  const NetworkSimResult same = simulate_network_checked(q.net, GoldenExecutor(q.net), q.images, arch);
  EXPECT_EQ(same.output.data, GoldenExecutor(q.net).run(q.images).data);

  Network other = q.net;
  size_t target = 0;
  for (size_t i = 0, convs = 0; i < other.layers.size(); ++i)
    if (other.layers[i].kind == LayerKind::Conv && ++convs == 3) target = i;
  ASSERT_GT(target, 0u);
  for (int32_t& b : other.layers[target].bias) b += 1 << 20;
  const GoldenExecutor golden_other(other);
  try {
    simulate_network_checked(q.net, golden_other, q.images, arch);
    FAIL() << "no mismatch reported";
  } catch (const SimMismatchError& e) {
    EXPECT_EQ(e.layer, target);
    EXPECT_EQ(e.element, 0);
    const std::string want = "layer " + std::to_string(target) + " '" + q.net.layers[target].name + "' (conv): output 0 is ";
    EXPECT_EQ(std::string(e.what()).rfind(want, 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find(" on the cycle model, golden gives "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qarray
