// Fashion-MNIST IDX reader. Each file is gzip-compressed IDX: a big-endian magic
// (0x00000803 for uint8 images [n, rows, cols], 0x00000801 for uint8 labels [n]), the dims as
// big-endian uint32, then the bytes.
#include "models/fashion_mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "base/errors.h"
#include "models/image_samples.h"

namespace qarray {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

class IdxFile {
 public:
  explicit IdxFile(std::string path) : path_(std::move(path)) {
    file_.reset(gzopen(path_.c_str(), "rb"));
    if (!file_) {
      throw InputError("cannot open '" + path_ + "': install the Debian package "
                       "dataset-fashion-mnist or pass --data DIR");
    }
  }

  uint32_t u32(const char* what) {
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }

  void read(void* dst, size_t n, const char* what) {
    size_t got = 0;
    while (got < n) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, 1u << 30));
      int r = gzread(file_.get(), static_cast<char*>(dst) + got, chunk);
      if (r < 0) {
        int code = 0;
        throw InputError("'" + path_ + "' is not a valid gzip file (" +
                         gzerror(file_.get(), &code) + ")");
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    if (got < n) {
      throw InputError("'" + path_ + "' is truncated: " + what + " needs " + std::to_string(n) +
                       " bytes, got " + std::to_string(got));
    }
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzCloser> file_;
};

void expect_magic(IdxFile& f, uint32_t want) {
  uint32_t magic = f.u32("the header");
  if (magic != want) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "bad IDX magic 0x%08x, expected 0x%08x", magic, want);
    throw InputError("'" + f.path() + "': " + buf);
  }
}

}  // namespace

FashionMnist read_fashion_mnist(const std::string& dir, Split split) {
  const std::string prefix = dir + (split == Split::Train ? "/train" : "/t10k");
  FashionMnist d;
  IdxFile images(prefix + "-images-idx3-ubyte.gz");
  expect_magic(images, kImagesMagic);
  d.count = images.u32("the header");
  d.rows = images.u32("the header");
  d.cols = images.u32("the header");
  // Guards the allocation below against a corrupt header.
  if (d.rows == 0 || d.cols == 0 || d.rows > 4096 || d.cols > 4096 || d.count > 10000000) {
    throw InputError("'" + images.path() + "': implausible header (" + std::to_string(d.count) +
                     " images of " + std::to_string(d.rows) + "x" + std::to_string(d.cols) + ")");
  }
  d.pixels.resize(static_cast<size_t>(d.count * d.rows * d.cols));
  images.read(d.pixels.data(), d.pixels.size(), "the pixel data");

  IdxFile labels(prefix + "-labels-idx1-ubyte.gz");
  expect_magic(labels, kLabelsMagic);
  int64_t label_count = labels.u32("the header");
  if (label_count != d.count) {
    throw InputError("'" + labels.path() + "' has " + std::to_string(label_count) +
                     " labels but '" + images.path() + "' has " + std::to_string(d.count) +
                     " images");
  }
  d.labels.resize(static_cast<size_t>(d.count));
  labels.read(d.labels.data(), d.labels.size(), "the labels");
  for (uint8_t l : d.labels) {
    if (l > 9) {
      throw InputError("'" + labels.path() + "' holds label " + std::to_string(l) +
                       ", expected 0..9");
    }
  }
  return d;
}

Dataset fashion_mnist_dataset(const std::string& dir, Split split, const Preprocess& pre, const ModelInput& input,
                              const std::string& origin) {
  auto raw = std::make_shared<const FashionMnist>(read_fashion_mnist(dir, split));
  check_image_input(input, pre, raw->rows, raw->cols, origin,
                    "1×" + std::to_string(raw->rows) + "×" + std::to_string(raw->cols) + " Fashion-MNIST images");
  Dataset d;
  d.format = "fashion-mnist";
  d.path = dir;
  d.split = split == Split::Train ? "train" : "test";
  d.count = raw->count;
  d.sample_shape = input.shape;
  d.labels.assign(raw->labels.begin(), raw->labels.end());
  d.preprocessing = pre.describe();
  if (input.classes > 0 && input.classes < 10)
    throw InputError(origin + ": Fashion-MNIST has 10 classes; the model output scores " +
                     std::to_string(input.classes));
  d.reader = std::make_shared<ImageSamples>(
      [raw](int64_t i) {
        Image8 img;
        img.height = raw->rows;
        img.width = raw->cols;
        img.channels = 1;
        const auto* p = raw->pixels.data() + i * raw->rows * raw->cols;
        img.pixels.assign(p, p + raw->rows * raw->cols);
        return img;
      },
      pre, input.shape);
  return d;
}

Dataset load_fashion_mnist(const std::string& dir, Split split) {
  return fashion_mnist_dataset(dir, split, Preprocess(), ModelInput{"input", {1, 28, 28}, 10}, "--data");
}

}  // namespace qarray
