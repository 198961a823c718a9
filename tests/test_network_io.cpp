// Workload on-disk format: save/load round trip is lossless (same golden outputs, bit for bit),
// and every malformed descriptor or data file gives one error naming the file and the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "golden_fixtures.h"
#include "base/errors.h"
#include "workloads/golden.h"
#include "workloads/network_io.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

class NetworkIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("qarray_io_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    std::mt19937 rng(77);
    testing::ConvCase cc;
    cc.weight_bits = 12;  // int16 blobs
    std::vector<int64_t> bias_q;
    net_ = testing::random_mac_network(cc, rng, &bias_q);
    net_.name = "io-test";
    save_network(net_, dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  nlohmann::json descriptor() const {
    std::ifstream f(dir_ / "network.json");
    return nlohmann::json::parse(f);
  }
  void write_descriptor(const nlohmann::json& j) const {
    std::ofstream(dir_ / "network.json") << j.dump();
  }
  std::string load_error() const {
    try {
      load_network(dir_.string());
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
  Network net_;
};

TEST_F(NetworkIo, RoundTripIsBitExact) {
  const Network back = load_network(dir_.string());
  EXPECT_EQ(back.layers[0].weights, net_.layers[0].weights);
  EXPECT_EQ(back.layers[0].bias, net_.layers[0].bias);
  IntTensor x({2, 3, 7, 6});
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<int32_t>((i * 37) % 256);
  EXPECT_EQ(GoldenExecutor(back).run(x).data, GoldenExecutor(net_).run(x).data);
  for (const auto& e : fs::directory_iterator(dir_))  // no temporary file left beside the two
    EXPECT_THAT(e.path().filename().string(), ::testing::AnyOf("network.json", "tensors.bin"));
}

TEST_F(NetworkIo, MissingDirectoryNamesTheFile) {
  EXPECT_THAT([&] { try { load_network((dir_ / "nope").string()); } catch (const InputError& e) { return std::string(e.what()); } return std::string(); }(),
              HasSubstr("nope/network.json"));
}

TEST_F(NetworkIo, MalformedJsonIsReported) {
  std::ofstream(dir_ / "network.json") << "{\"format\": ";
  EXPECT_THAT(load_error(), HasSubstr("malformed JSON"));
}

TEST_F(NetworkIo, MissingKeyNamesTheKey) {
  auto j = descriptor();
  j["layers"][0].erase("stride");
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("layers[0].stride: missing"));
}

TEST_F(NetworkIo, WrongTypeNamesTheKey) {
  auto j = descriptor();
  j["acc_bits"] = "thirty-two";
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("acc_bits: expected an integer, got \"thirty-two\""));
}

TEST_F(NetworkIo, UnknownKindNamesTheKey) {
  auto j = descriptor();
  j["layers"][0]["kind"] = "deconv";
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("layers[0].kind: unknown layer kind 'deconv'"));
}

TEST_F(NetworkIo, TruncatedDataFileIsReported) {
  fs::resize_file(dir_ / "tensors.bin", 10);
  EXPECT_THAT(load_error(), HasSubstr("runs past the end of the data file"));
}

TEST_F(NetworkIo, WeightOutsideItsGridIsRejected) {
  auto j = descriptor();
  j["layers"][0]["weight_bits"] = 4;  // the stored 12-bit values no longer fit
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("outside the 4-bit grid"));
}

TEST_F(NetworkIo, ShapeMismatchNamesLayerAndKey) {
  auto j = descriptor();
  j["tensors"][1]["shape"] = {4, 99, 6};
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("layers[0] ('layer').output: shape [4,99,6] should be"));
}

TEST_F(NetworkIo, BadAccumulatorWidthIsRejected) {
  auto j = descriptor();
  j["acc_bits"] = 40;
  write_descriptor(j);
  EXPECT_THAT(load_error(), HasSubstr("acc_bits: 40 not in [2, 32]"));
}

// Numbers that do not fit their key are errors naming the key, never a silent cast: the fuzzer
// found a 82-digit blob count, which the JSON parser stores as a float (converting it to an
// integer was undefined behaviour).
TEST_F(NetworkIo, NumbersOutsideTheirKeysTypeNameTheKey) {
  const std::string descriptor_text = [&] {
    std::ifstream f(dir_ / "network.json");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }();
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = descriptor_text;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    std::ofstream(dir_ / "network.json") << text;
    return load_error();
  };
  const std::string file = (dir_ / "network.json").string() + ": ";
  const std::string huge(82, '7');
  auto j = descriptor();
  const std::string count = "\"count\": " + std::to_string(j["layers"][0]["bias"]["count"].get<int64_t>());
  EXPECT_EQ(with(count, "\"count\": " + huge), file + "layers[0].bias.count: expected an integer, got 7.777777777777777e+81");
  EXPECT_EQ(with(count, "\"count\": -1"), file + "layers[0].bias.count: -1 out of range [0, 18446744073709551615]");
  EXPECT_EQ(with("\"acc_bits\": 32", "\"acc_bits\": 32.5"), file + "acc_bits: expected an integer, got 32.5");
  EXPECT_EQ(with("\"acc_bits\": 32", "\"acc_bits\": 4294967328"),
            file + "acc_bits: 4294967328 out of range [-2147483648, 2147483647]");
  EXPECT_EQ(with("\"acc_bits\": 32", "\"acc_bits\": " + huge), file + "acc_bits: expected an integer, got 7.777777777777777e+81");
  j["layers"][0]["kernel"] = {3, 2.5};
  write_descriptor(j);
  EXPECT_EQ(load_error(), file + "layers[0].kernel[1]: expected an integer, got 2.5");
  j["layers"][0]["kernel"] = {3, "3"};
  write_descriptor(j);
  EXPECT_EQ(load_error(), file + "layers[0].kernel[1]: expected an integer, got \"3\"");
}

}  // namespace
}  // namespace qarray
