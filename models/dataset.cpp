// Data sources and the dispatch to their readers (models/dataset.h).
#include "models/dataset.h"

#include <filesystem>

#include "base/errors.h"
#include "models/fashion_mnist.h"
#include "models/image_folder.h"
#include "models/npy_dataset.h"
#include "models/synthetic.h"

namespace qarray {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

Tensor Dataset::batch(int64_t begin, int64_t end) const {
  if (begin < 0 || end > count || begin >= end) {
    throw InputError("image range [" + std::to_string(begin) + "," + std::to_string(end) +
                     ") is outside the " + std::to_string(count) + " images of the dataset");
  }
  return reader->read(begin, end);
}

DataSource parse_data_source(const std::string& data, const std::string& labels, const std::string& origin) {
  DataSource s;
  s.origin = origin;
  s.path = data;
  std::error_code ec;
  if (data == kSyntheticData) {
    s.kind = DataSource::Kind::Synthetic;
    s.path.clear();
  } else if (ends_with(data, ".npy")) {
    s.kind = DataSource::Kind::Npy;
    if (labels.empty())
      throw InputError(origin + " " + data + ": a .npy dataset needs its labels (--labels FILE.npy, a grid's \"labels\")");
    s.labels = labels;
  } else if (!fs::exists(data, ec) || fs::exists(fs::path(data) / "t10k-images-idx3-ubyte.gz", ec) ||
             fs::exists(fs::path(data) / "train-images-idx3-ubyte.gz", ec)) {
    s.kind = DataSource::Kind::FashionMnist;
  } else if (fs::is_directory(data, ec)) {
    s.kind = DataSource::Kind::ImageFolder;
  } else {
    throw InputError(origin + " " + data + ": not a folder (Fashion-MNIST IDX files or class sub-folders of images), a "
                     ".npy file or 'synthetic'");
  }
  if (!labels.empty() && s.kind != DataSource::Kind::Npy)
    throw InputError(origin + " " + data + " carries its own labels; labels " + labels + " go with a .npy dataset");
  return s;
}

Dataset open_dataset(const DataSource& src, Split split, const Preprocess& pre, const ModelInput& input,
                     int64_t synthetic_count) {
  switch (src.kind) {
    case DataSource::Kind::FashionMnist:
      return fashion_mnist_dataset(src.path, split, pre, input, src.origin);
    case DataSource::Kind::ImageFolder: {
      std::string split_name;
      const std::string dir = image_folder_split(src.path, split, split_name);
      return image_folder_dataset(list_image_folder(dir), split_name, pre, input, src.origin + " " + src.path);
    }
    case DataSource::Kind::Npy:
      return npy_dataset(src.path, src.labels, pre, input, src.origin + " " + src.path);
    case DataSource::Kind::Synthetic:
      return synthetic_dataset(src.seed, split, synthetic_count, pre, input);
  }
  throw Error("open_dataset: unknown data source kind");
}

ModelInput model_input(const Graph& graph) {
  ModelInput in;
  in.name = graph.input;
  in.shape = graph.input_shape;
  auto out = graph.shapes.find(graph.output);
  if (out != graph.shapes.end()) in.classes = num_elements(out->second);
  return in;
}

std::string describe_dataset(const Dataset& d) {
  std::string s;
  if (d.format == "fashion-mnist") s = "Fashion-MNIST " + d.path;
  else if (d.format == "image-folder") s = "image folder " + d.path;
  else if (d.format == "npy") s = ".npy " + d.path;
  else s = "synthetic inputs";
  s += " (" + d.split + (d.split == "all" ? " images" : " split") + "): " + std::to_string(d.count) + " images";
  if (!d.classes.empty()) s += " in " + std::to_string(d.classes.size()) + " classes";
  if (!d.labelled()) s += ", no labels";
  return s;
}

}  // namespace qarray
