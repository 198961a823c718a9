// PNG and JPEG decoding with Debian's libpng 1.6 and libjpeg-turbo, to 8-bit gray or RGB pixels.
//
// What the decoders do to a file (the same for every caller):
//   PNG  palette -> RGB; gray below 8 bits -> 8 bits; 16-bit samples -> 8 bits by
//        png_set_scale_16 (v * 255 / 65535, rounded); the alpha channel (or tRNS) dropped, not
//        composited; gray and gray+alpha give 1 channel, the rest 3. No gamma correction.
//   JPEG libjpeg-turbo with its defaults (JDCT_ISLOW, fancy upsampling); 1-component files give
//        1 channel, YCbCr and RGB files 3 (RGB); CMYK/YCCK files are refused.
// The kind is taken from the file's signature, not its name.
//
// Contract: every failure is an InputError "<file>: ..." (one line); nothing prints. An image
// taller or wider than kMaxImageSide is refused from its header, before its pixels are decoded.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qarray {

// The largest height or width read (and the largest resize or crop): 16384 pixels.
inline constexpr int64_t kMaxImageSide = 16384;

struct ImageInfo {
  int64_t height = 0, width = 0;
  int64_t channels = 0;    // after decoding: 1 (gray) or 3 (RGB)
  const char* format = "";  // "PNG" or "JPEG"
};

// An 8-bit image, rows top to bottom, pixels interleaved (HWC).
struct Image8 {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels
};

// The size and decoded channel count from the header alone (no pixel data is decoded).
ImageInfo read_image_info(const std::string& path);
Image8 decode_image(const std::string& path);

// Writes `img` as an 8-bit PNG (gray or RGB) or as a baseline JPEG of the given quality: for
// tests and tools. Throws Error if it cannot.
void write_png(const std::string& path, const Image8& img);
void write_jpeg(const std::string& path, const Image8& img, int quality);

}  // namespace qarray
