// Seeded synthetic inputs (models/synthetic.h).
#include "models/synthetic.h"

#include <random>

#include "base/errors.h"

namespace qarray {
namespace {

class SyntheticSamples : public SampleReader {
 public:
  SyntheticSamples(uint32_t seed, uint32_t split, Preprocess pre, Shape shape)
      : seed_(seed), split_(split), pre_(std::move(pre)), shape_(std::move(shape)) {}

  Tensor read(int64_t begin, int64_t end) const override {
    Shape s{end - begin};
    s.insert(s.end(), shape_.begin(), shape_.end());
    Tensor t(s);
    const int64_t per = num_elements(shape_);
    const int64_t plane = shape_.size() == 3 ? shape_[1] * shape_[2] : per;  // elements per channel
    for (int64_t i = begin; i < end; ++i) {
      const uint64_t u = static_cast<uint64_t>(i);
      std::seed_seq seq{seed_, split_, static_cast<uint32_t>(u), static_cast<uint32_t>(u >> 32)};
      std::mt19937 gen(seq);
      float* out = t.ptr() + (i - begin) * per;
      for (int64_t e = 0; e < per; ++e) out[e] = pre_.normalize(static_cast<float>(gen() >> 24), e / plane);
    }
    return t;
  }

 private:
  uint32_t seed_, split_;
  Preprocess pre_;
  Shape shape_;
};

}  // namespace

Dataset synthetic_dataset(uint32_t seed, Split split, int64_t count, const Preprocess& pre, const ModelInput& input) {
  if (count <= 0) throw InputError("synthetic data: " + std::to_string(count) + " samples requested");
  pre.check_channels(input.shape.size() == 3 ? input.shape[0] : 1,
                     "preprocessing" + (pre.source.empty() ? std::string() : " (" + pre.source + ")"));
  Dataset d;
  d.format = "synthetic";
  d.split = split == Split::Train ? "calibration" : "test";
  d.count = count;
  d.sample_shape = input.shape;
  Preprocess values = pre;  // resize, crop and channel order do not apply: drawn at the model's size
  values.resize.clear();
  values.crop.clear();
  values.channel_order = ChannelOrder::Rgb;
  d.preprocessing = values.describe();
  d.reader = std::make_shared<SyntheticSamples>(seed, split == Split::Train ? 1u : 0u, pre, input.shape);
  return d;
}

std::string synthetic_distribution(uint32_t seed) {
  return "uniform 8-bit values 0-255 (std::mt19937, seed " + std::to_string(seed) + ")";
}

}  // namespace qarray
