// 8-bit images as network samples: the part every image reader shares (Fashion-MNIST, image
// folders, uint8 .npy arrays). A reader supplies the images; this applies the preprocessing
// pipeline (models/preprocess.h) and checks sizes against the model input.
#pragma once
#include <functional>
#include <string>

#include "models/dataset.h"
#include "models/image_decode.h"
#include "models/preprocess.h"

namespace qarray {

class ImageSamples : public SampleReader {
 public:
  using Fetch = std::function<Image8(int64_t index)>;  // must be thread-safe
  ImageSamples(Fetch fetch, Preprocess pre, Shape sample_shape)
      : fetch_(std::move(fetch)), pre_(std::move(pre)), shape_(std::move(sample_shape)) {}
  Tensor read(int64_t begin, int64_t end) const override;

 private:
  Fetch fetch_;
  Preprocess pre_;
  Shape shape_;  // {C, H, W}
};

// InputError "model input '<name>' is 1×C×H×W; <origin> gives <what>".
[[noreturn]] void throw_shape_mismatch(const ModelInput& input, const std::string& origin, const std::string& what);

// Checks that the model input takes images (C×H×W with C 1 or 3) and that an image of
// `height` x `width` becomes H×W under `pre`; `what` names the images for the message
// ("1×28×28 Fashion-MNIST images"). Also checks mean/std against C.
void check_image_input(const ModelInput& input, const Preprocess& pre, int64_t height, int64_t width,
                       const std::string& origin, const std::string& what);

// "30×30"; "1×28×28".
std::string dims_text(const Shape& dims);

}  // namespace qarray
