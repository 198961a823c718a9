// Dense row-major tensor: a shape and a flat buffer. Activations are NCHW.
#pragma once
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace qarray {

using Shape = std::vector<int64_t>;

inline int64_t num_elements(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         [](int64_t a, int64_t b) { return a * b; });
}

std::string shape_str(const Shape& shape);  // "[1,16,28,28]"

template <typename T>
struct TensorT {
  Shape shape;
  std::vector<T> data;

  TensorT() = default;
  explicit TensorT(Shape s, T fill = T{}) : shape(std::move(s)), data(num_elements(shape), fill) {}
  TensorT(Shape s, std::vector<T> d) : shape(std::move(s)), data(std::move(d)) {}

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(size_t i) const { return shape.at(i); }
  T* ptr() { return data.data(); }
  const T* ptr() const { return data.data(); }
};

using Tensor = TensorT<float>;

}  // namespace qarray
