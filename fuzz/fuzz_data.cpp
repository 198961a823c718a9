// libFuzzer target: the data files `--data` reads. The first byte picks the reader, the rest is
// the file: 0 an images .npy (with zero labels of its count) opened for a 1x4x4 model and its
// first two samples read; 1 a PNG or JPEG image decoded (up to 256x256 pixels: larger ones are
// refused from the header by the same code) and put through a resize, crop and normalize; 2 a
// preprocessing JSON file; 3 a labels .npy (with uint8 images of its count).
#include <algorithm>
#include <string>
#include <vector>

#include "base/errors.h"
#include "fuzz/fuzz_common.h"
#include "models/image_decode.h"
#include "models/npy.h"
#include "models/npy_dataset.h"
#include "models/preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string dir = qarray::fuzz::scratch_dir();
  try {
    switch (data[0] % 4) {
      case 0:
      case 3: {
        const std::string f = dir + "/data.npy", other = dir + "/other.npy";
        qarray::fuzz::write_file(f, data + 1, size - 1);
        const qarray::NpyHeader h = qarray::read_npy_header(f);
        if (h.shape.empty() || h.shape[0] > 4096) break;
        const int64_t n = h.shape[0];
        const std::vector<uint8_t> zeros(static_cast<size_t>(n * 16), 0);
        if (data[0] % 4 == 0) qarray::write_npy(other, "|u1", {n}, zeros.data(), static_cast<size_t>(n));
        else qarray::write_npy(other, "|u1", {n, 4, 4}, zeros.data(), zeros.size());
        const std::string images = data[0] % 4 == 0 ? f : other, labels = data[0] % 4 == 0 ? other : f;
        const qarray::Dataset d =
            qarray::npy_dataset(images, labels, qarray::Preprocess(), qarray::ModelInput{"x", {1, 4, 4}, 10}, "fuzz");
        if (d.count > 0) d.batch(0, std::min<int64_t>(d.count, 2));
        break;
      }
      case 1: {
        const std::string f = dir + "/image";
        qarray::fuzz::write_file(f, data + 1, size - 1);
        const qarray::ImageInfo info = qarray::read_image_info(f);
        if (info.height > 256 || info.width > 256) break;
        qarray::Preprocess p;
        p.resize = {9};
        p.crop = {5, 7};
        p.mean = {0.5f};
        p.std = {0.25f};
        const auto [h, w] = p.output_size(info.height, info.width);
        std::vector<float> out(static_cast<size_t>(3 * h * w));
        p.apply(qarray::decode_image(f), 3, h, w, out.data());
        break;
      }
      case 2: {
        const std::string f = dir + "/m.preprocess.json";
        qarray::fuzz::write_file(f, data + 1, size - 1);
        qarray::load_preprocess_file(f);
      }
    }
  } catch (const qarray::Error&) {
  }
  return 0;
}
