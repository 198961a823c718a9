// Fashion-MNIST reader for the IDX gzip files shipped by Debian's dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist). Images are 28x28 uint8, labels 0..9.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/dataset.h"

namespace qarray {

// The IDX files of one split as stored.
struct FashionMnist {
  int64_t count = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols
  std::vector<uint8_t> labels;  // count
};

// Reads <dir>/train-images-idx3-ubyte.gz etc. Throws InputError naming the missing/bad file;
// a missing file also names the Debian package dataset-fashion-mnist.
FashionMnist read_fashion_mnist(const std::string& dir, Split split);

// The split as a dataset of 1x28x28 samples, value = pixel / 255 (no other preprocessing).
Dataset load_fashion_mnist(const std::string& dir, Split split);

// The split through `pre` for `input` (models/dataset.h: the images are converted to its
// channels, resized and cropped as `pre` says; InputError when they cannot become its shape).
Dataset fashion_mnist_dataset(const std::string& dir, Split split, const Preprocess& pre, const ModelInput& input,
                              const std::string& origin);

}  // namespace qarray
