// .npy datasets (models/npy_dataset.h).
#include "models/npy_dataset.h"

#include <cstring>

#include "base/errors.h"
#include "models/image_samples.h"
#include "models/npy.h"

namespace qarray {
namespace {

// Float32 rows as they are stored (little-endian, as on every machine qarray builds for).
class FloatRows : public SampleReader {
 public:
  FloatRows(NpyHeader h, Shape shape) : h_(std::move(h)), shape_(std::move(shape)) {}
  Tensor read(int64_t begin, int64_t end) const override {
    Shape s{end - begin};
    s.insert(s.end(), shape_.begin(), shape_.end());
    Tensor t(s);
    const std::vector<uint8_t> bytes = read_npy_rows(h_, begin, end);
    std::memcpy(t.ptr(), bytes.data(), bytes.size());
    return t;
  }

 private:
  NpyHeader h_;
  Shape shape_;
};

std::vector<int32_t> read_labels(const std::string& path, int64_t count, int64_t classes) {
  const NpyHeader h = read_npy_header(path);
  if (h.descr != "<i8" && h.descr != "<i4" && h.descr != "|u1")
    throw InputError(path + ": labels of dtype " + npy_dtype_name(h.descr) +
                     " are not read (int64 '<i8', int32 '<i4' or uint8 '|u1')");
  if (h.shape.size() != 1 || h.shape[0] != count)
    throw InputError(path + ": labels of shape " + shape_str(h.shape) + "; the images need [" + std::to_string(count) +
                     "]");
  const std::vector<uint8_t> raw = read_npy_rows(h, 0, count);
  std::vector<int32_t> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    int64_t v = 0;
    if (h.descr == "<i8") std::memcpy(&v, raw.data() + 8 * i, 8);
    else if (h.descr == "<i4") {
      int32_t w;
      std::memcpy(&w, raw.data() + 4 * i, 4);
      v = w;
    } else {
      v = raw[i];
    }
    if (v < 0 || (classes > 0 && v >= classes))
      throw InputError(path + ": label " + std::to_string(v) + " at index " + std::to_string(i) +
                       (classes > 0 ? " is outside [0, " + std::to_string(classes) + "): the model output scores " +
                                          std::to_string(classes) + " classes"
                                    : " is negative"));
    out[i] = static_cast<int32_t>(v);
  }
  return out;
}

}  // namespace

Dataset npy_dataset(const std::string& images, const std::string& labels, const Preprocess& pre,
                    const ModelInput& input, const std::string& origin) {
  const NpyHeader h = read_npy_header(images);
  Dataset d;
  d.format = "npy";
  d.path = images;
  d.split = "all";
  d.sample_shape = input.shape;
  if (h.shape.empty() || h.shape[0] == 0) throw InputError(images + ": holds no samples (shape " + shape_str(h.shape) + ")");
  d.count = h.shape[0];
  const Shape rest(h.shape.begin() + 1, h.shape.end());
  if (h.descr == "<f4") {
    if (rest != input.shape) throw_shape_mismatch(input, origin, input_shape_text(rest) + " float32 samples (" + images + ")");
    if (!pre.is_default() && pre.set_by_flags)
      throw InputError(images + " holds float32 network inputs, used as they are: preprocessing (" + pre.describe() +
                       ") applies to 8-bit images only");
    d.preprocessing = "none: float32 network inputs as stored" +
                      (pre.is_default() ? std::string() : " (" + pre.source + " not applied)");
    d.reader = std::make_shared<FloatRows>(h, input.shape);
  } else if (h.descr == "|u1") {
    const bool gray = rest.size() == 2;
    if (!gray && !(rest.size() == 3 && (rest[0] == 1 || rest[0] == 3)))
      throw InputError(images + ": uint8 images of shape " + shape_str(h.shape) +
                       "; expected [N, H, W] or [N, C, H, W] with C 1 or 3");
    const int64_t c = gray ? 1 : rest[0], height = rest[rest.size() - 2], width = rest.back();
    check_image_input(input, pre, height, width, origin,
                      "1×" + std::to_string(c) + "×" + std::to_string(height) + "×" + std::to_string(width) +
                          " uint8 images (" + images + ")");
    d.preprocessing = pre.describe();
    d.reader = std::make_shared<ImageSamples>(
        [h, c, height, width](int64_t i) {
          const std::vector<uint8_t> chw = read_npy_rows(h, i, i + 1);
          Image8 img;
          img.height = height;
          img.width = width;
          img.channels = c;
          img.pixels.resize(chw.size());
          for (int64_t k = 0; k < c; ++k)  // CHW -> HWC
            for (int64_t p = 0; p < height * width; ++p) img.pixels[p * c + k] = chw[k * height * width + p];
          return img;
        },
        pre, input.shape);
  } else {
    throw InputError(images + ": dtype " + npy_dtype_name(h.descr) +
                     " is not read (uint8 '|u1' images or float32 '<f4' network inputs)");
  }
  d.labels = read_labels(labels, d.count, input.classes);
  return d;
}

}  // namespace qarray
