// 8-bit images through the preprocessing pipeline (models/image_samples.h).
#include "models/image_samples.h"

#include "base/errors.h"

namespace qarray {

Tensor ImageSamples::read(int64_t begin, int64_t end) const {
  Shape s{end - begin};
  s.insert(s.end(), shape_.begin(), shape_.end());
  Tensor t(s);
  const int64_t per = num_elements(shape_);
  for (int64_t i = begin; i < end; ++i)
    pre_.apply(fetch_(i), shape_[0], shape_[1], shape_[2], t.ptr() + (i - begin) * per);
  return t;
}

std::string dims_text(const Shape& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "×" : "") + std::to_string(dims[i]);
  return s;
}

std::string input_shape_text(const Shape& sample_shape) {
  Shape s{1};
  s.insert(s.end(), sample_shape.begin(), sample_shape.end());
  return dims_text(s);
}

void throw_shape_mismatch(const ModelInput& input, const std::string& origin, const std::string& what) {
  throw InputError("model input '" + input.name + "' is " + input_shape_text(input.shape) + "; " + origin + " gives " +
                   what);
}

void check_image_input(const ModelInput& input, const Preprocess& pre, int64_t height, int64_t width,
                       const std::string& origin, const std::string& what) {
  const Shape& s = input.shape;
  if (s.size() != 3 || (s[0] != 1 && s[0] != 3)) throw_shape_mismatch(input, origin, what);
  std::pair<int64_t, int64_t> out;
  try {
    out = pre.output_size(height, width);
  } catch (const InputError& e) {
    throw_shape_mismatch(input, origin, what + " (" + e.what() + ")");
  }
  if (out.first != s[1] || out.second != s[2]) {
    const bool changed = !pre.resize.empty() || !pre.crop.empty();
    throw_shape_mismatch(input, origin,
                         what + (changed ? " (" + dims_text({out.first, out.second}) + " after " + pre.describe() + ")"
                                         : ""));
  }
  pre.check_channels(s[0], "preprocessing" + (pre.source.empty() ? std::string() : " (" + pre.source + ")"));
}

}  // namespace qarray
