// Fashion-MNIST reader against the Debian dataset: counts, dims, labels and pixel checksums
// computed independently (Python gzip + numpy), the float batch convention, and the messages
// for a missing directory and a truncated file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>

#include "base/errors.h"
#include "models/fashion_mnist.h"

namespace qarray {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kDir = kDefaultFashionMnistDir;

// Sum of pixel * (flat index mod 65521): catches reordered as well as altered bytes.
uint64_t weighted_sum(const std::vector<uint8_t>& pixels) {
  uint64_t s = 0;
  for (size_t i = 0; i < pixels.size(); ++i) s += uint64_t{pixels[i]} * (i % 65521);
  return s;
}

class FashionMnistTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    raw_ = new FashionMnist(read_fashion_mnist(kDir, Split::Test));
    test_ = new Dataset(load_fashion_mnist(kDir, Split::Test));
  }
  static void TearDownTestSuite() {
    delete raw_;
    delete test_;
  }
  static const FashionMnist* raw_;
  static const Dataset* test_;
};
const FashionMnist* FashionMnistTest::raw_ = nullptr;
const Dataset* FashionMnistTest::test_ = nullptr;

TEST_F(FashionMnistTest, TestSplitCountsDimsAndChecksums) {
  const FashionMnist& d = *raw_;
  EXPECT_EQ(d.count, 10000);
  EXPECT_EQ(d.rows, 28);
  EXPECT_EQ(d.cols, 28);
  ASSERT_EQ(d.pixels.size(), 10000u * 28 * 28);
  ASSERT_EQ(d.labels.size(), 10000u);
  EXPECT_EQ((std::vector<int>(d.labels.begin(), d.labels.begin() + 10)),
            (std::vector<int>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  EXPECT_EQ(d.pixels[14 * 28 + 14], 110);  // image 0, row 14, column 14
  EXPECT_EQ(std::accumulate(d.pixels.begin(), d.pixels.begin() + 784, 0), 33456);
  EXPECT_EQ(std::accumulate(d.pixels.begin(), d.pixels.end(), uint64_t{0}), 573469082u);
  EXPECT_EQ(weighted_sum(d.pixels), 18730890696781u);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : d.labels) {
    ASSERT_LT(l, 10);
    ++per_class[l];
  }
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
}

TEST_F(FashionMnistTest, BatchIsNchwPixelOver255) {
  Tensor t = test_->batch(9998, 10000);
  EXPECT_EQ(t.shape, (Shape{2, 1, 28, 28}));
  for (int64_t i = 0; i < t.size(); ++i) {
    ASSERT_EQ(t.data[i], static_cast<float>(raw_->pixels[9998 * 784 + i]) / 255.0f);
  }
  EXPECT_EQ(test_->count, 10000);
  EXPECT_EQ(test_->labels.size(), 10000u);
  EXPECT_EQ(test_->labels[0], 9);
  EXPECT_FLOAT_EQ(test_->batch(0, 1).data[14 * 28 + 14], 110.0f / 255.0f);
  EXPECT_THROW(test_->batch(9999, 10001), InputError);
  EXPECT_THROW(test_->batch(5, 5), InputError);
}

TEST(FashionMnist, TrainSplit) {
  FashionMnist d = read_fashion_mnist(kDir, Split::Train);
  EXPECT_EQ(d.count, 60000);
  EXPECT_EQ(d.rows, 28);
  EXPECT_EQ(d.cols, 28);
  EXPECT_EQ((std::vector<int>(d.labels.begin(), d.labels.begin() + 10)),
            (std::vector<int>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(std::accumulate(d.pixels.begin(), d.pixels.end(), uint64_t{0}), 3431114169u);
  for (uint8_t l : d.labels) ASSERT_LT(l, 10);
}

TEST(FashionMnist, MissingDirectorySaysHowToGetTheData) {
  EXPECT_THAT([] { load_fashion_mnist("/nonexistent/fmnist", Split::Test); },
              ::testing::ThrowsMessage<InputError>(AllOf(
                  HasSubstr("/nonexistent/fmnist/t10k-images-idx3-ubyte.gz"),
                  HasSubstr("install the Debian package dataset-fashion-mnist or pass "
                            "--data DIR"))));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FashionMnist, TruncatedGzipFileIsNamed) {
  std::string dir = ::testing::TempDir() + "fmnist_cut";
  std::filesystem::create_directories(dir);
  std::string images = slurp(kDir + "/t10k-images-idx3-ubyte.gz");
  ASSERT_GT(images.size(), 1000u);
  std::ofstream(dir + "/t10k-images-idx3-ubyte.gz", std::ios::binary)
      << images.substr(0, images.size() / 2);
  std::ofstream(dir + "/t10k-labels-idx1-ubyte.gz", std::ios::binary)
      << slurp(kDir + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_THAT([&] { load_fashion_mnist(dir, Split::Test); },
              ::testing::ThrowsMessage<InputError>(AllOf(
                  HasSubstr("'" + dir + "/t10k-images-idx3-ubyte.gz'"), HasSubstr("truncated"))));
}

TEST(FashionMnist, LabelFileInPlaceOfImagesFailsOnTheMagic) {
  std::string dir = ::testing::TempDir() + "fmnist_swapped";
  std::filesystem::create_directories(dir);
  std::string labels = slurp(kDir + "/t10k-labels-idx1-ubyte.gz");
  std::ofstream(dir + "/t10k-images-idx3-ubyte.gz", std::ios::binary) << labels;
  std::ofstream(dir + "/t10k-labels-idx1-ubyte.gz", std::ios::binary) << labels;
  EXPECT_THAT([&] { load_fashion_mnist(dir, Split::Test); },
              ::testing::ThrowsMessage<InputError>(AllOf(
                  HasSubstr("t10k-images-idx3-ubyte.gz"), HasSubstr("0x00000801"))));
}

}  // namespace
}  // namespace qarray
