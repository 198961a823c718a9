// Datasets as the network sees them: samples shaped like the model input, read in batches as
// float tensors (batch first) through the preprocessing pipeline (models/preprocess.h), with one
// label per sample, or none (synthetic inputs: accuracy cannot be measured).
//
// Sources (what `--data` names, parse_data_source()):
//   Fashion-MNIST  a folder with the IDX files (default /usr/share/datasets/fashion-mnist):
//                  test split t10k-*, calibration split train-* (models/fashion_mnist.h)
//   image folder   a folder with one sub-folder of PNG/JPEG images per class, classes in sorted
//                  name order = labels 0, 1, ...; or a folder with sub-folders `train` and
//                  `test` (or `val`) laid out that way, for the two splits (models/image_folder.h)
//   .npy arrays    FILE.npy of images or network inputs with a labels .npy (models/npy_dataset.h)
//   synthetic      seeded random 8-bit images, no labels (models/synthetic.h)
// Without separate splits, calibration draws the first images of the same set as the test split.
//
// Contract: open_dataset() checks everything it can before any sample is read (files, headers,
// sizes after preprocessing against the model input, label range), and throws InputError (one
// line) naming the file or value. A Dataset's samples all have the model input's shape.
// batch() is const and may be called from several threads at once.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/preprocess.h"
#include "models/tensor.h"

namespace qarray {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

enum class Split { Train, Test };

// Reads samples [begin, end) as one float tensor [end - begin, sample shape...]; thread-safe.
class SampleReader {
 public:
  virtual ~SampleReader() = default;
  virtual Tensor read(int64_t begin, int64_t end) const = 0;
};

struct Dataset {
  std::string format;           // "fashion-mnist", "image-folder", "npy", "synthetic"
  std::string path;             // the folder or .npy file ("" for synthetic)
  std::string split;            // "test", "train", "val", or "all" (one set for both splits)
  int64_t count = 0;
  Shape sample_shape;           // one sample, batch excluded: the model input's
  std::vector<int32_t> labels;  // one per sample; empty when unlabelled
  std::vector<std::string> classes;  // image folders: the class names, by label
  std::string preprocessing;    // the pipeline applied (Preprocess::describe()), or why none
  std::shared_ptr<const SampleReader> reader;

  bool labelled() const { return !labels.empty(); }
  // Samples [begin, end); InputError when the range is empty or outside [0, count).
  Tensor batch(int64_t begin, int64_t end) const;
};

// What `--data` (or a sweep grid's "data") names, resolved by parse_data_source().
struct DataSource {
  enum class Kind { FashionMnist, ImageFolder, Npy, Synthetic };
  Kind kind = Kind::FashionMnist;
  std::string path;             // folder or .npy file
  std::string labels;           // .npy: the labels file
  uint32_t seed = 1;            // synthetic
  std::string origin = "--data";  // how messages name the setting ("--data", "grid.json: data")
};

inline constexpr const char* kSyntheticData = "synthetic";

// `data` "synthetic" is synthetic data; a path ending in .npy is an array file (its labels:
// `labels`, required); a folder holding t10k-images-idx3-ubyte.gz, or a path that does not
// exist, is Fashion-MNIST (whose reader names the missing file); another folder is an image
// folder. InputError "<origin> ..." for `labels` without a .npy, or a .npy without labels.
DataSource parse_data_source(const std::string& data, const std::string& labels, const std::string& origin);

// The model side of the match: the graph input's name and per-sample shape, and the number of
// classes the output scores (labels must lie below it; 0: not checked).
struct ModelInput {
  std::string name;
  Shape shape;
  int64_t classes = 0;
};

// The graph's input name and shape and its output's size (the classes it scores).
ModelInput model_input(const Graph& graph);

// Opens one split. `synthetic_count` is the number of synthetic samples (other sources ignore
// it). InputError, one line, for anything that does not match; the shape message names both
// sides: "model input 'x' is 1×3×224×224; --data gives 1×28×28 Fashion-MNIST images".
Dataset open_dataset(const DataSource& src, Split split, const Preprocess& pre, const ModelInput& input,
                     int64_t synthetic_count = 0);

// "1×3×224×224" for a per-sample shape (batch 1 first).
std::string input_shape_text(const Shape& sample_shape);
// What a Dataset is, for the header lines: "image folder DIR (test split): 3 classes, 30 images".
std::string describe_dataset(const Dataset& d);

}  // namespace qarray
