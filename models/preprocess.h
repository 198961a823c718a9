// Preprocessing: how an 8-bit image (a decoded PNG/JPEG, a Fashion-MNIST image, a uint8 .npy
// row, a synthetic image) becomes the network's float input. The pipeline, in this order:
//
//   1. channels   to the model input's channel count C: equal counts are kept; gray -> RGB
//                 repeats the gray value; RGB -> gray is ITU-R 601-2 luma with PIL's rounding,
//                 (19595 R + 38470 G + 7471 B + 32768) >> 16
//   2. order      "rgb" keeps the channels, "bgr" reverses them (3 channels)
//   3. resize     optional: "N" scales the shorter side to N and the longer one to
//                 floor(N * long / short) (torchvision's Resize(N)), "HxW" to exactly H x W.
//                 Bilinear with half-pixel centres and no antialiasing, in float on the 0-255
//                 values (no rounding): PyTorch's interpolate(mode="bilinear",
//                 align_corners=False, antialias=False). Source coordinates below 0 clamp to 0.
//   4. crop       optional: "N" or "HxW", centred; the top/left margin is floor((H - h) / 2)
//   5. scale      v / 255 (float), to [0, 1]
//   6. normalize  (v - mean[c]) / std[c], one value for every channel or one per channel;
//                 without mean/std this step is skipped
//
// After steps 3-4 the image must be exactly the model input's H x W: the dataset readers check
// every image's size against it before any work (models/dataset.h).
//
// Settings come from a JSON file beside the model (`model.onnx` -> `model.preprocess.json`,
// keys "resize", "crop", "mean", "std", "channel_order") and from flags, a flag replacing the
// file's key. Without either, an image is only scaled (step 5): Fashion-MNIST's convention.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/image_decode.h"

namespace qarray {

enum class ChannelOrder { Rgb, Bgr };

struct Preprocess {
  ChannelOrder channel_order = ChannelOrder::Rgb;
  std::vector<int64_t> resize;  // {} none, {N} shorter side, {H, W}
  std::vector<int64_t> crop;    // {} none, {H, W}
  std::vector<float> mean, std;  // {} none (0 and 1), else 1 or C values
  std::string source;            // where the settings came from: "", "FILE", "flags", "FILE + flags"
  bool set_by_flags = false;     // a flag set at least one step

  // True when the pipeline is scale only (no resize, crop, normalization, channel swap).
  bool is_default() const;
  // The size after resize and crop of an image of `height` x `width`; InputError when the crop
  // is larger than the (resized) image.
  std::pair<int64_t, int64_t> output_size(int64_t height, int64_t width) const;
  // Steps 1-6 on `img` into `out` (C x H x W floats, CHW). The size after steps 3-4 must be
  // `height` x `width` (checked; InputError otherwise), `channels` 1 or 3.
  void apply(const Image8& img, int64_t channels, int64_t height, int64_t width, float* out) const;
  // Steps 5-6 only, on an 8-bit value of channel c.
  float normalize(float value, int64_t c) const;
  // InputError unless mean/std have 1 or `channels` values.
  void check_channels(int64_t channels, const std::string& where) const;
  // "resize 256 bilinear, crop 224x224, mean [0.485,0.456,0.406], std [...], rgb" or "scale only".
  std::string describe() const;
};

// `model.onnx` -> `model.preprocess.json` (any other name: NAME.preprocess.json).
std::string preprocess_file_beside(const std::string& model_path);

// The settings of a preprocessing JSON file; InputError "<file>: <key>: ..." for a bad one.
Preprocess load_preprocess_file(const std::string& path);
// The settings of the file beside the model if there is one, else the defaults (scale only).
Preprocess preprocess_for_model(const std::string& model_path);

// Parsers of the flag texts: "224" or "224x200" (with `short_side` "N" is {N}, the shorter side,
// else {N, N}); "0.5" or "0.485,0.456,0.406"; "rgb" or "bgr". InputError "<what> '<text>': ...".
std::vector<int64_t> parse_image_size(const std::string& text, const std::string& what, bool short_side);
std::vector<float> parse_channel_values(const std::string& text, const std::string& what, bool positive);
ChannelOrder parse_channel_order(const std::string& text, const std::string& what);

}  // namespace qarray
