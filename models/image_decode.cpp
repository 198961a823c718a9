// PNG (libpng) and JPEG (libjpeg-turbo) decoding and encoding (models/image_decode.h).
//
// Both libraries report errors through a callback that must not return: it longjmps back to the
// function that called setjmp, which frees the library's state and throws. Every object whose
// value is read after the jump is set before setjmp and not changed afterwards.
#include "models/image_decode.h"

#include <png.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/errors.h"

namespace qarray {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

File open_file(const std::string& path, const char* mode) {
  File f(std::fopen(path.c_str(), mode));
  if (!f) throw InputError(path + ": cannot open the image file (" + std::strerror(errno) + ")");
  return f;
}

enum class Kind { Png, Jpeg };

Kind sniff(const std::string& path, FILE* f) {
  unsigned char sig[8] = {};
  const size_t n = std::fread(sig, 1, sizeof sig, f);
  std::rewind(f);
  if (n == 8 && png_sig_cmp(sig, 0, 8) == 0) return Kind::Png;
  if (n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) return Kind::Jpeg;
  throw InputError(path + ": not a PNG or JPEG file (unknown signature)");
}

// ---------------------------------------------------------------- PNG

struct PngJump {
  std::jmp_buf jmp;
  char msg[200] = {};
};

void png_fail(png_structp png, png_const_charp msg) {
  auto* j = static_cast<PngJump*>(png_get_error_ptr(png));
  std::snprintf(j->msg, sizeof j->msg, "%s", msg);
  std::longjmp(j->jmp, 1);
}
void png_quiet(png_structp, png_const_charp) {}  // warnings: a library never prints

// Reads the header, and with `img` the pixels; returns "" or the libpng error.
std::string png_read(FILE* f, ImageInfo& info, Image8* img) {
  PngJump j;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &j, png_fail, png_quiet);
  if (!png) return "out of memory";
  png_infop pinfo = png_create_info_struct(png);
  std::vector<png_bytep> rows;
  if (!pinfo || setjmp(j.jmp)) {
    png_destroy_read_struct(&png, pinfo ? &pinfo : nullptr, nullptr);
    return pinfo ? j.msg : "out of memory";
  }
  png_init_io(png, f);
  png_read_info(png, pinfo);
  const int color = png_get_color_type(png, pinfo);
  info.height = png_get_image_height(png, pinfo);
  info.width = png_get_image_width(png, pinfo);
  info.channels = (color & PNG_COLOR_MASK_COLOR) ? 3 : 1;
  info.format = "PNG";
  if (img) {
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, pinfo) < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_bit_depth(png, pinfo) == 16) png_set_scale_16(png);
    if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, pinfo, PNG_INFO_tRNS)) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);
    if (png_get_channels(png, pinfo) != info.channels || png_get_bit_depth(png, pinfo) != 8)
      png_error(png, "unexpected channel layout after the 8-bit gray/RGB transforms");
    img->height = info.height;
    img->width = info.width;
    img->channels = info.channels;
    img->pixels.assign(static_cast<size_t>(info.height * info.width * info.channels), 0);
    rows.resize(static_cast<size_t>(info.height));
    for (int64_t y = 0; y < info.height; ++y) rows[y] = img->pixels.data() + y * info.width * info.channels;
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
  }
  png_destroy_read_struct(&png, &pinfo, nullptr);
  return "";
}

// ---------------------------------------------------------------- JPEG

struct JpegJump {
  jpeg_error_mgr mgr;  // first: libjpeg hands the callbacks a pointer to it
  std::jmp_buf jmp;
  char msg[JMSG_LENGTH_MAX] = {};
};

void jpeg_fail(j_common_ptr c) {
  auto* j = reinterpret_cast<JpegJump*>(c->err);
  (*c->err->format_message)(c, j->msg);
  std::longjmp(j->jmp, 1);
}
// Warnings (level -1: corrupt data, premature end) fail the image too; trace messages are dropped.
void jpeg_message(j_common_ptr c, int level) {
  if (level < 0) jpeg_fail(c);
}

std::string jpeg_read(FILE* f, ImageInfo& info, Image8* img) {
  JpegJump j;
  jpeg_decompress_struct d;
  d.err = jpeg_std_error(&j.mgr);
  j.mgr.error_exit = jpeg_fail;
  j.mgr.emit_message = jpeg_message;
  if (setjmp(j.jmp)) {
    jpeg_destroy_decompress(&d);
    return j.msg;
  }
  jpeg_create_decompress(&d);
  jpeg_stdio_src(&d, f);
  jpeg_read_header(&d, TRUE);
  info.height = d.image_height;
  info.width = d.image_width;
  info.format = "JPEG";
  if (d.jpeg_color_space == JCS_GRAYSCALE) {
    info.channels = 1;
    d.out_color_space = JCS_GRAYSCALE;
  } else if (d.jpeg_color_space == JCS_YCbCr || d.jpeg_color_space == JCS_RGB) {
    info.channels = 3;
    d.out_color_space = JCS_RGB;
  } else {
    jpeg_destroy_decompress(&d);
    return "CMYK/YCCK JPEG files are not read (convert the image to RGB)";
  }
  if (img) {
    jpeg_start_decompress(&d);
    img->height = info.height;
    img->width = info.width;
    img->channels = info.channels;
    img->pixels.assign(static_cast<size_t>(info.height * info.width * info.channels), 0);
    while (d.output_scanline < d.output_height) {
      JSAMPROW row = img->pixels.data() + static_cast<int64_t>(d.output_scanline) * info.width * info.channels;
      jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
  }
  jpeg_destroy_decompress(&d);
  return "";
}

// The header first: a size beyond kMaxImageSide fails before any pixel memory is allocated.
ImageInfo read(const std::string& path, Image8* img) {
  File f = open_file(path, "rb");
  const Kind kind = sniff(path, f.get());
  auto pass = [&](Image8* out) {
    ImageInfo info;
    const std::string err = kind == Kind::Png ? png_read(f.get(), info, out) : jpeg_read(f.get(), info, out);
    if (!err.empty())
      throw InputError(path + ": not a valid " + (kind == Kind::Png ? "PNG" : "JPEG") + " file (" + err + ")");
    return info;
  };
  const ImageInfo info = pass(nullptr);
  if (info.height <= 0 || info.width <= 0) throw InputError(path + ": the image has no pixels");
  if (info.height > kMaxImageSide || info.width > kMaxImageSide)
    throw InputError(path + ": " + std::to_string(info.height) + "x" + std::to_string(info.width) +
                     " pixels; images are read up to " + std::to_string(kMaxImageSide) + " pixels a side");
  if (img) {
    std::rewind(f.get());
    pass(img);
  }
  return info;
}

}  // namespace

ImageInfo read_image_info(const std::string& path) { return read(path, nullptr); }

Image8 decode_image(const std::string& path) {
  Image8 img;
  read(path, &img);
  return img;
}

void write_png(const std::string& path, const Image8& img) {
  png_image p;
  std::memset(&p, 0, sizeof p);
  p.version = PNG_IMAGE_VERSION;
  p.width = static_cast<png_uint_32>(img.width);
  p.height = static_cast<png_uint_32>(img.height);
  p.format = img.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&p, path.c_str(), 0, img.pixels.data(), 0, nullptr))
    throw Error(path + ": cannot write the PNG file (" + p.message + ")");
}

void write_jpeg(const std::string& path, const Image8& img, int quality) {
  File f = open_file(path, "wb");
  JpegJump j;
  jpeg_compress_struct c;
  c.err = jpeg_std_error(&j.mgr);
  j.mgr.error_exit = jpeg_fail;
  if (setjmp(j.jmp)) {
    jpeg_destroy_compress(&c);
    throw Error(path + ": cannot write the JPEG file (" + j.msg + ")");
  }
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, f.get());
  c.image_width = static_cast<JDIMENSION>(img.width);
  c.image_height = static_cast<JDIMENSION>(img.height);
  c.input_components = static_cast<int>(img.channels);
  c.in_color_space = img.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(img.pixels.data()) + static_cast<int64_t>(c.next_scanline) * img.width * img.channels;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
}

}  // namespace qarray
