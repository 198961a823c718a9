// Fashion-MNIST reader for the IDX gzip files shipped by Debian's dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist). Images are 28x28 uint8, labels 0..9.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/tensor.h"

namespace qarray {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

enum class Split { Train, Test };

struct Dataset {
  int64_t count = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols
  std::vector<uint8_t> labels;  // count

  // Images [begin, end) as float NCHW [n, 1, rows, cols], value = pixel / 255.
  Tensor batch(int64_t begin, int64_t end) const;
};

// Reads <dir>/train-images-idx3-ubyte.gz etc. Throws InputError naming the missing/bad file;
// a missing file also names the Debian package dataset-fashion-mnist.
Dataset load_fashion_mnist(const std::string& dir, Split split);

}  // namespace qarray
